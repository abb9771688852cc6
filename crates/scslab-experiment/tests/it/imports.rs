//! No file-level import circle between the top-level modules of `scslab-experiment` and of
//! `scslab-report` (issue 13, item 7): a file refers to module `x` through `crate::x`, also inside
//! `use crate::{x, ...}`. A submodule's file (`audit/write.rs`) counts as its top-level module,
//! and test modules are left out. A stopgap until the workspace-wide check covers every crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The top-level modules each top-level module refers to, from the files under `src`.
fn imports(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let top = |path: &Path| {
        let rel = path.strip_prefix(src).unwrap();
        let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
        first.trim_end_matches(".rs").to_string()
    };
    let modules: BTreeSet<String> = files.iter().map(|p| top(p)).filter(|m| m != "lib").collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in &files {
        let from = top(path);
        let text = std::fs::read_to_string(path).unwrap();
        let text = text.split("#[cfg(test)]\nmod tests").next().unwrap();
        let mut targets = BTreeSet::new();
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            let names: Vec<&str> = match rest.strip_prefix('{') {
                // `use crate::{a, b::c, d::{e, f}}`: the first name of each item of the group.
                Some(group) => {
                    top_level_items(group).map(|item| item.trim().split("::").next().unwrap_or("")).collect()
                }
                None => vec![rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap()],
            };
            targets
                .extend(names.into_iter().filter(|n| modules.contains(*n) && **n != from).map(String::from));
        }
        graph.entry(from).or_default().extend(targets);
    }
    graph.remove("lib");
    graph
}

/// The items of a brace group up to its closing brace (`a, b::{c, d}, e}...`: `a`, `b::{c, d}`,
/// `e`), split at the commas outside inner braces.
fn top_level_items(group: &str) -> impl Iterator<Item = &str> {
    let mut depth = 0;
    let mut end = group.len();
    let mut starts = vec![0];
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                end = i;
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => starts.push(i + 1),
            _ => {}
        }
    }
    starts.push(end + 1);
    let items: Vec<&str> = starts.windows(2).map(|w| &group[w[0]..w[1] - 1]).collect();
    items.into_iter()
}

/// A module that reaches itself through the graph, with the path, if any.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    for start in graph.keys() {
        let mut stack = vec![vec![start.clone()]];
        let mut seen = BTreeSet::new();
        while let Some(path) = stack.pop() {
            for next in graph.get(path.last().unwrap()).into_iter().flatten() {
                let mut longer = path.clone();
                longer.push(next.clone());
                if next == start {
                    return Some(longer);
                }
                if seen.insert(next.clone()) {
                    stack.push(longer);
                }
            }
        }
    }
    None
}

#[test]
fn experiment_and_report_files_import_no_circle() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    for name in ["scslab-experiment", "scslab-report"] {
        let graph = imports(&crates.join(name).join("src"));
        assert!(graph.len() > 5, "{name}: {graph:?}");
        assert_eq!(circle(&graph), None, "{name}: {graph:?}");
    }
}

#[test]
fn the_check_finds_a_circle() {
    let graph: BTreeMap<String, BTreeSet<String>> = [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")]
        .into_iter()
        .map(|(from, to)| (from.to_string(), BTreeSet::from([to.to_string()])))
        .collect();
    assert_eq!(circle(&graph), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
    let dir = std::env::temp_dir().join(format!("scslab-imports-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("x")).unwrap();
    std::fs::write(dir.join("lib.rs"), "mod x; mod y;").unwrap();
    // Only the group's own items count: not `z` in the comment after it.
    std::fs::write(dir.join("x.rs"), "use crate::{y::{Thing, Other}, lib};\n// , z").unwrap();
    std::fs::write(dir.join("z.rs"), "fn f() { crate::x::g() }").unwrap();
    std::fs::write(dir.join("x").join("inner.rs"), "").unwrap();
    std::fs::write(dir.join("y.rs"), "fn f() { crate::x::inner::g() }\n#[cfg(test)]\nmod tests {}").unwrap();
    let graph = imports(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(circle(&graph), Some(vec!["x".into(), "y".into(), "x".into()]));
}
