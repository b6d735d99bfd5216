//! The server's layers, as `docs/ARCHITECTURE.md` writes them down: its `layers` block lists the
//! top-level modules of `server/src` (the crate root `lib.rs` among them), lowest layer first,
//! and a module may import only from the layers above its own line. This test reads that one
//! list and holds the code to it, so the rules and the check cannot drift apart. It also
//! holds the document to the tree: every file under `server/src` and `app/src` is named in it,
//! and every file it names exists.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The crate root's name in the graph: anything `crate::` names that is not a module is in it.
const ROOT: &str = "lib";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn architecture_doc() -> String {
    fs::read_to_string(repo().join("docs/ARCHITECTURE.md")).expect("docs/ARCHITECTURE.md")
}

/// The top-level modules of `server/src`: each `x.rs` or `x/`, and the root (`lib.rs` alone).
/// The binaries (`main.rs`, `bin/`) are outside the library and see it as `server::…`.
fn modules(src: &Path) -> BTreeMap<String, Vec<PathBuf>> {
    let mut modules = BTreeMap::new();
    for entry in fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "main" || name == "bin" {
            continue;
        }
        if path.is_dir() {
            modules.insert(name, rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
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
    files.sort();
    files
}

/// `text` without its tests and comment lines.
fn code_of(text: &str) -> String {
    text.split("#[cfg(test)]")
        .next()
        .unwrap_or_default()
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn identifier(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The modules `text` names after `crate::` (`crate::x::…` or `crate::{x, y::…}`); a name that
/// is no module (`crate::AppState`, `crate::app`) is the crate root's.
fn imported(text: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let code = code_of(text);
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
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
        for name in names.into_iter().map(identifier).filter(|n| !n.is_empty()) {
            found.insert(if known.contains(&name) {
                name
            } else {
                ROOT.to_owned()
            });
        }
    }
    found
}

/// The modules the crate root uses: it names its children without `crate::`.
fn used_by_root(text: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let code = code_of(text);
    known
        .iter()
        .filter(|name| {
            code.match_indices(&format!("{name}::")).any(|(at, _)| {
                let before = code[..at].chars().next_back();
                !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
            })
        })
        .cloned()
        .collect()
}

type Graph = BTreeMap<String, BTreeSet<String>>;

fn import_graph() -> Graph {
    let src = repo().join("server/src");
    let modules = modules(&src);
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(name, files)| {
            let mut uses = BTreeSet::new();
            for file in files {
                let text = fs::read_to_string(file).unwrap();
                if name == ROOT {
                    uses.extend(used_by_root(&text, &known));
                }
                uses.extend(imported(&text, &known));
            }
            uses.remove(name);
            (name.clone(), uses)
        })
        .collect()
}

/// The `layers` block of `doc`: one line per layer, lowest first, its modules by name.
fn layers(doc: &str) -> Vec<Vec<String>> {
    let block = doc
        .split("```layers\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/ARCHITECTURE.md has a ```layers block");
    block
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default())
        .map(|line| {
            line.split_whitespace()
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .filter(|layer| !layer.is_empty())
        .collect()
}

/// Every import that breaks the layers: a module importing its own layer's others or a
/// layer below it, as "from → to".
fn broken_rules(graph: &Graph, layers: &[Vec<String>]) -> Vec<String> {
    let level: BTreeMap<&str, usize> = layers
        .iter()
        .enumerate()
        .flat_map(|(at, layer)| layer.iter().map(move |name| (name.as_str(), at)))
        .collect();
    let mut broken = Vec::new();
    for (from, uses) in graph {
        for to in uses {
            if level.get(to.as_str()) >= level.get(from.as_str()) {
                broken.push(format!("{from} → {to}"));
            }
        }
    }
    broken
}

/// One import cycle, if there is any: the modules along it.
fn find_cycle(edges: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &Graph,
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

#[test]
fn every_module_keeps_to_the_layers_the_architecture_document_lists() {
    let graph = import_graph();
    let layers = layers(&architecture_doc());
    let listed: BTreeSet<String> = layers.iter().flatten().cloned().collect();
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    assert_eq!(
        listed, modules,
        "the layers block lists exactly server/src's top-level modules"
    );
    assert_eq!(
        broken_rules(&graph, &layers),
        Vec::<String>::new(),
        "imports against the layers ({graph:?})"
    );
    assert_eq!(find_cycle(&graph), None, "an import cycle");
    assert_eq!(
        layers.last().map(Vec::as_slice),
        Some([ROOT.to_owned()].as_slice()),
        "the crate root is the top layer, alone: it assembles everything and nothing names it"
    );
}

#[test]
fn each_rule_has_teeth() {
    let graph = import_graph();
    let layers = layers(&architecture_doc());
    // A lower layer reaching up: the storage layer naming the session flow.
    let mut up = graph.clone();
    up.get_mut("storage").unwrap().insert("session".into());
    assert_eq!(broken_rules(&up, &layers), ["storage → session"]);
    assert!(find_cycle(&up).is_some(), "session → storage → session");
    // Two modules of one layer: the flows never name each other.
    let mut sideways = graph.clone();
    sideways.get_mut("jwt").unwrap().insert("session".into());
    assert_eq!(broken_rules(&sideways, &layers), ["jwt → session"]);
    // A back-edge to the crate root, as `use crate::AppState;` in a flow would be.
    let known: BTreeSet<String> = graph.keys().cloned().collect();
    let text = "use crate::AppState;\nuse crate::{http::client::Client, storage};\n// crate::lab\n";
    let names = imported(text, &known);
    assert_eq!(names, ["http", ROOT, "storage"].map(String::from).into());
    let mut root_edge = graph.clone();
    root_edge.get_mut("session").unwrap().extend(names);
    assert_eq!(broken_rules(&root_edge, &layers), ["session → lib"]);
    assert!(find_cycle(&root_edge).is_some(), "lib → session → lib");
    // The root's own uses are found without `crate::`, and not inside other paths.
    assert_eq!(
        used_by_root("use session::X;\nlet a = axum::http::Request;", &known),
        ["session".to_owned()].into()
    );
}

/// Every `.rs` file under `dir`, as a path from `dir`.
fn files_under(dir: &Path) -> Vec<String> {
    rust_files(dir)
        .iter()
        .map(|file| {
            file.strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

/// The file paths of `doc`'s ```tree blocks, each under the `crate/src/` its block starts with.
fn tree_paths(doc: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut trees = BTreeMap::new();
    for block in doc.split("```tree\n").skip(1) {
        let block = block.split("```").next().unwrap_or_default();
        let mut lines = block.lines();
        let root = lines.next().unwrap_or_default().trim().to_owned();
        let mut folders: Vec<String> = Vec::new();
        let mut paths = BTreeSet::new();
        for line in lines {
            let entry = line.split('#').next().unwrap_or_default();
            let depth = entry.len() - entry.trim_start().len();
            let name = entry.trim();
            if name.is_empty() {
                continue;
            }
            folders.truncate(depth / 2);
            if let Some(folder) = name.strip_suffix('/') {
                folders.push(folder.to_owned());
            } else {
                let mut path = folders.join("/");
                if !path.is_empty() {
                    path.push('/');
                }
                path.push_str(name);
                paths.insert(path);
            }
        }
        trees.insert(root, paths);
    }
    trees
}

#[test]
fn the_architecture_document_names_every_file_of_both_crates() {
    let trees = tree_paths(&architecture_doc());
    for crate_src in ["server/src/", "app/src/"] {
        let named = trees
            .get(crate_src)
            .unwrap_or_else(|| panic!("a ```tree block for {crate_src}"));
        let files: BTreeSet<String> = files_under(&repo().join(crate_src)).into_iter().collect();
        let missing: Vec<_> = files.difference(named).collect();
        let gone: Vec<_> = named.difference(&files).collect();
        assert!(
            missing.is_empty() && gone.is_empty(),
            "{crate_src}: not in docs/ARCHITECTURE.md: {missing:?}; named there but not in the tree: {gone:?}"
        );
    }
}
