//! The workspace's house rules that clippy cannot express, as functions its tests run over the
//! source tree (`tests/it/main.rs`): today, that no file of a crate imports, directly or through
//! other files, a file that imports it (a file-level import circle).
//!
//! A file's imports are the module paths it names: `use crate::a::b`, `crate::a::b::f()` in code,
//! `super::x`, and the items of grouped `use crate::{a, b::{c}}`. Each path is resolved to the
//! deepest module file that exists (`src/a/b.rs`, `src/a/b/mod.rs`, else `src/a.rs`). The crate
//! root (`lib.rs`, `main.rs`) is left out: it declares every module, so it is everyone's parent,
//! not a dependency. Comments are skipped (intra-doc links are not imports); a `super::` inside an
//! inline `mod tests` of a file counts as the file itself and is dropped with other self-edges.
//!
//! The crate depends on nothing and nothing depends on it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A file-level import graph of one crate: file (relative to `src/`) to the files it imports.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// The import graph of the crate whose sources are under `src`.
pub fn crate_graph(src: &Path) -> std::io::Result<Graph> {
    let mut files = Vec::new();
    collect_rs(src, &mut files)?;
    let rel: BTreeSet<String> = files.iter().map(|f| relative(src, f)).collect();
    let mut graph = Graph::new();
    for file in &files {
        let me = relative(src, file);
        let text = std::fs::read_to_string(file)?;
        let mut deps = BTreeSet::new();
        for path in module_paths(&text, &module_of(&me)) {
            if let Some(target) = resolve(&path, &rel)
                && target != me
                && !is_root(&target)
            {
                deps.insert(target);
            }
        }
        graph.insert(me, deps);
    }
    Ok(graph)
}

/// The circles of `graph`: each a sorted list of the files of one strongly connected component
/// of more than one file.
pub fn circles(graph: &Graph) -> Vec<Vec<String>> {
    // Tarjan's algorithm, recursive (graphs here have tens of nodes).
    struct State<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.out.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out.sort();
    s.out
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let path = e.path();
        if path.is_dir() {
            collect_rs(&path, out)?;
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

fn relative(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap_or(file);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn is_root(file: &str) -> bool {
    file == "lib.rs" || file == "main.rs"
}

/// The module path of a file: `a/b.rs` and `a/b/mod.rs` are `[a, b]`; the root is `[]`.
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file.trim_end_matches(".rs").split('/').map(str::to_string).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

/// The deepest module file of `path` that exists among `files`.
fn resolve(path: &[String], files: &BTreeSet<String>) -> Option<String> {
    (1..=path.len()).rev().find_map(|n| {
        let stem = path[..n].join("/");
        [format!("{stem}.rs"), format!("{stem}/mod.rs")].into_iter().find(|f| files.contains(f))
    })
}

/// The module paths named in `text` (a file of module `me`), comments skipped.
fn module_paths(text: &str, me: &[String]) -> Vec<Vec<String>> {
    let code: String = text
        .lines()
        .map(|line| match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    for (prefix, base) in [("crate::", Vec::new()), ("super::", me[..me.len().saturating_sub(1)].to_vec())] {
        let mut from = 0;
        while let Some(i) = code[from..].find(prefix) {
            let at = from + i;
            from = at + prefix.len();
            // Not the tail of a longer name (`my_crate::`).
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            for path in paths_at(&code[from..]) {
                let mut full = base.clone();
                full.extend(path);
                out.push(full);
            }
        }
    }
    out
}

/// The paths that start at the beginning of `rest` (just after `crate::` or `super::`): one, or
/// one per item of a brace group.
fn paths_at(rest: &str) -> Vec<Vec<String>> {
    let rest = rest.trim_start();
    if let Some(group) = rest.strip_prefix('{') {
        let mut depth = 0;
        let mut item = String::new();
        let mut items = Vec::new();
        for c in group.chars() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(std::mem::take(&mut item));
                    continue;
                }
                _ => {}
            }
            item.push(c);
        }
        items.push(item);
        return items.iter().flat_map(|i| paths_at(i)).collect();
    }
    let mut path = Vec::new();
    let mut s = rest;
    loop {
        let len = s.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(s.len());
        if len == 0 {
            break;
        }
        let ident = &s[..len];
        if ident == "self" || ident == "super" {
            break;
        }
        path.push(ident.to_string());
        s = &s[len..];
        match s.strip_prefix("::") {
            Some(next) if next.starts_with('{') => {
                // `a::{b, c}`: each item extends `a`.
                return paths_at(next).into_iter().map(|tail| [path.clone(), tail].concat()).collect();
            }
            Some(next) => s = next,
            None => break,
        }
    }
    if path.is_empty() { Vec::new() } else { vec![path] }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(files: &[&str]) -> BTreeSet<String> {
        files.iter().map(|f| f.to_string()).collect()
    }

    #[test]
    fn paths_are_read_from_uses_groups_and_code() {
        let text = "use crate::a::{self, X};\nuse crate::{b::{Y, c::Z}, d};\n// crate::e::f\nfn f() { crate::g::h(); my_crate::i::j(); }";
        let paths = module_paths(text, &[]);
        let names: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
        assert_eq!(names, ["a::X", "b::Y", "b::c::Z", "d", "g::h"]);
    }

    #[test]
    fn super_resolves_from_the_files_module() {
        let paths = module_paths("use super::sweep::Thing;", &["report".into(), "folder".into()]);
        assert_eq!(paths, vec![vec!["report".to_string(), "sweep".into(), "Thing".into()]]);
        let files = set(&["report.rs", "report/sweep.rs"]);
        assert_eq!(resolve(&paths[0], &files).as_deref(), Some("report/sweep.rs"));
        assert_eq!(resolve(&["nothing".to_string()], &files), None);
    }

    #[test]
    fn circles_are_found_and_chains_are_not() {
        let edges = |pairs: &[(&str, &str)]| {
            let mut g = Graph::new();
            for (a, b) in pairs {
                g.entry(a.to_string()).or_default().insert(b.to_string());
                g.entry(b.to_string()).or_default();
            }
            g
        };
        assert!(circles(&edges(&[("a.rs", "b.rs"), ("b.rs", "c.rs")])).is_empty());
        let g = edges(&[("a.rs", "b.rs"), ("b.rs", "c.rs"), ("c.rs", "a.rs"), ("c.rs", "d.rs")]);
        assert_eq!(circles(&g), vec![vec!["a.rs".to_string(), "b.rs".into(), "c.rs".into()]]);
    }
}
