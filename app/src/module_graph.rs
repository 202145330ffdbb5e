//! A check on the project's shape: the files of `app/src` and of the server's `src/` import
//! each other without a cycle, and the features form a tree at folder level (STYLE 21), so
//! every feature can be read (and tested) without what uses it.
//!
//! Each file is a module; `use crate::…`, `use super::…` and paths written out in code are
//! its edges, each resolved to the deepest module file that exists. Declaring a child
//! (`pub mod server;`) is not an edge.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

/// The module path of a file under `src/`: `auth/mod.rs` is `auth`, `lib.rs` is empty.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

fn rust_files(folder: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).expect("readable src") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Expands `a::{b, c::{d}}` into `a::b`, `a::c::d`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![tree.to_string()];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let (mut parts, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(|p| expand(p).into_iter().map(move |s| format!("{prefix}{s}")))
        .collect()
}

/// Every path a file names that starts at `crate` or `super`, without comments.
fn named_paths(text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut paths = Vec::new();
    for statement in code.split(';') {
        let statement = statement.trim();
        if let Some(tree) = statement
            .strip_prefix("pub use ")
            .or_else(|| statement.strip_prefix("use "))
        {
            paths.extend(expand(tree));
        }
    }
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .collect();
    paths.extend(
        words
            .into_iter()
            .filter(|w| w.starts_with("crate::") || w.starts_with("super::"))
            .map(str::to_string),
    );
    paths
}

fn resolve(from: &[String], path: &str, modules: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    let mut segments: Vec<String> = Vec::new();
    let mut rest = path.split("::").map(str::trim).peekable();
    match rest.next()? {
        "crate" => {}
        "super" => {
            segments = from.to_vec();
            segments.pop();
            while rest.peek() == Some(&"super") {
                rest.next();
                segments.pop();
            }
        }
        _ => return None,
    }
    let mut best = None;
    for part in rest {
        segments.push(
            part.split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string(),
        );
        if modules.contains(&segments) {
            best = Some(segments.clone());
        }
    }
    best.or_else(|| modules.contains(&segments).then_some(segments))
}

/// Each module of the crate under `src` and the modules its code names: `crate::…` and
/// `super::…` paths resolved to the deepest module file that exists (naming itself is no
/// edge; declaring a child is none either).
fn module_edges(src: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for file in &files {
        let from = module_of(src, file);
        let text = std::fs::read_to_string(file).expect("readable");
        let targets = edges.entry(from.clone()).or_default();
        for path in named_paths(&text) {
            if let Some(to) = resolve(&from, &path, &modules) {
                if to != from && !to.is_empty() {
                    targets.insert(to);
                }
            }
        }
    }
    edges
}

/// The same graph between top-level folders (and files): `tasks/store/rows.rs` counts as
/// `tasks`. Edges inside one folder are left out.
fn folder_edges(
    edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let top = |module: &Vec<String>| module.iter().take(1).cloned().collect::<Vec<_>>();
    let mut folders: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (from, targets) in edges {
        let entry = folders.entry(top(from)).or_default();
        entry.extend(targets.iter().map(top).filter(|to| *to != top(from)));
    }
    folders
}

/// Panics with the first import cycle of `edges`, if any.
fn assert_acyclic(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) {
    // Depth-first search for a back edge.
    fn visit(
        node: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        trail: &mut Vec<Vec<String>>,
        done: &mut BTreeSet<Vec<String>>,
    ) {
        if done.contains(node) {
            return;
        }
        if let Some(at) = trail.iter().position(|n| n == node) {
            let cycle: Vec<String> = trail[at..]
                .iter()
                .chain([node])
                .map(|m| m.join("::"))
                .collect();
            panic!("import cycle: {}", cycle.join(" -> "));
        }
        trail.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            visit(next, edges, trail, done);
        }
        trail.pop();
        done.insert(node.clone());
    }
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        visit(node, edges, &mut Vec::new(), &mut done);
    }
}

/// Whether `from` reaches `to` in `edges`.
fn reaches(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>, from: &str, to: &str) -> bool {
    let (mut seen, mut next) = (BTreeSet::new(), vec![vec![from.to_string()]]);
    while let Some(node) = next.pop() {
        if node == [to] {
            return true;
        }
        if seen.insert(node.clone()) {
            next.extend(edges.get(&node).into_iter().flatten().cloned());
        }
    }
    false
}

fn app_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The server crate's `src/`, beside this crate's folder.
fn server_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../src")
}

#[test]
fn the_modules_of_the_app_crate_import_each_other_without_a_cycle() {
    let edges = module_edges(&app_src());
    assert!(
        edges
            .get(&vec!["forms".to_string()])
            .is_some_and(|e| !e.is_empty()),
        "the graph missed the forms module's imports"
    );
    assert_acyclic(&edges);
}

#[test]
fn the_modules_of_the_server_crate_import_each_other_without_a_cycle() {
    let edges = module_edges(&server_src());
    assert!(
        edges
            .get(&vec!["startup".to_string()])
            .is_some_and(|e| e.contains(&vec!["database".to_string()])),
        "the graph missed the start-up module's imports"
    );
    assert_acyclic(&edges);
    assert_acyclic(&folder_edges(&edges));
}

#[test]
fn the_features_form_a_tree_at_folder_level() {
    let folders = folder_edges(&module_edges(&app_src()));
    assert_acyclic(&folders);
    // Identity is the base of the features; the account builds on both others.
    assert!(reaches(&folders, "account", "auth"));
    assert!(reaches(&folders, "account", "tasks"));
    for (from, to) in [("auth", "account"), ("auth", "tasks"), ("tasks", "account")] {
        assert!(!reaches(&folders, from, to), "{from} reaches {to}");
    }
}

#[test]
fn use_trees_expand_into_paths() {
    assert_eq!(
        expand("crate::{auth::{a, b::C}, db::Db}"),
        ["crate::auth::a", "crate::auth::b::C", "crate::db::Db"]
    );
}
