//! The house rules over the workspace's own sources.

use std::path::Path;

/// No crate of the workspace has a file-level import circle (ARCHITECTURE.md, "Code map").
#[test]
fn no_file_level_import_circle() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("crates/");
    let mut found = Vec::new();
    let mut checked = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(crates).unwrap().map(|e| e.unwrap().path()).collect();
    dirs.sort();
    for dir in dirs {
        let src = dir.join("src");
        if !src.is_dir() {
            continue;
        }
        let graph = scslab_lint::crate_graph(&src).unwrap();
        checked += graph.len();
        for circle in scslab_lint::circles(&graph) {
            found.push(format!("{}: {}", dir.file_name().unwrap().to_string_lossy(), circle.join(" <-> ")));
        }
    }
    assert!(checked > 50, "only {checked} files checked");
    assert!(found.is_empty(), "file-level import circles:\n{}", found.join("\n"));
}
