//! The server's modules import one another in one direction only: no module reaches, through
//! any chain of `crate::…` imports, back to itself. The crate root (`lib.rs`, which assembles
//! the app and holds `AppState`) is the one place everything meets, and is left out.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The top-level modules of `server/src`: each `x.rs` or `x/` but the root and the binary.
fn modules(src: &Path) -> BTreeMap<String, Vec<PathBuf>> {
    let mut modules = BTreeMap::new();
    for entry in fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            modules.insert(name, rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs")
            && !["lib", "main"].contains(&name.as_str())
        {
            modules.insert(name, vec![path]);
        }
    }
    modules
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files
}

/// The top-level modules `text` names after `crate::`, outside its tests and comments.
fn imported(text: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let code: String = text
        .split("#[cfg(test)]")
        .next()
        .unwrap_or_default()
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        // `crate::x::…` or `crate::{x, y::…}`
        let names: Vec<&str> = match rest.strip_prefix('{') {
            Some(group) => group
                .split('}')
                .next()
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .collect(),
            None => vec![rest],
        };
        for name in names {
            let name: String = name
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if known.contains(&name) {
                found.insert(name);
            }
        }
    }
    found
}

/// One import cycle, if there is any: the modules along it.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|seen| seen == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = modules(&src);
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(name, files)| {
            let mut uses = BTreeSet::new();
            for file in files {
                uses.extend(imported(&fs::read_to_string(file).unwrap(), &known));
            }
            uses.remove(name);
            (name.clone(), uses)
        })
        .collect()
}

#[test]
fn no_module_imports_itself_through_others() {
    let graph = import_graph();
    assert!(graph.len() > 10, "the modules were found: {graph:?}");
    assert_eq!(
        find_cycle(&graph),
        None,
        "an import cycle among server/src's modules"
    );
}

#[test]
fn the_openapi_document_is_a_leaf_and_the_storage_layer_knows_no_flow() {
    let graph = import_graph();
    assert!(
        graph["openapi"].iter().all(|used| used == "error"),
        "openapi imports {:?}",
        graph["openapi"]
    );
    // Neither the storage layer nor the session store names a flow, an experiment, or the
    // visitor extractor (the visitor id they file rows under is the leaf `ids`).
    for layer in ["storage", "store"] {
        for above in [
            "session",
            "jwt",
            "lab",
            "cluster",
            "cross_site",
            "samesite",
            "probe_log",
            "visitor",
        ] {
            assert!(
                !graph[layer].contains(above),
                "{layer} imports {above}: {:?}",
                graph[layer]
            );
        }
    }
}

#[test]
fn the_cycle_check_has_teeth() {
    let mut graph = import_graph();
    graph.get_mut("store").unwrap().insert("session".to_owned());
    let cycle = find_cycle(&graph).expect("store → session → store is found");
    assert!(cycle.contains(&"store".to_owned()) && cycle.contains(&"session".to_owned()));
    let known: BTreeSet<String> = ["a", "b", "c"].map(String::from).into();
    assert_eq!(
        imported(
            "use crate::{a, b::X};\nuse crate::c::y;\nuse crate::AppState;",
            &known
        ),
        known
    );
}
