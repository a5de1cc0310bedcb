//! The engine's modules depend on each other one way only, from the bottom up:
//! the model knows nothing of plans, plans nothing of the catalog, and only
//! the application layer sees everything. The test reads every source file
//! of the crate and checks each `crate::<module>` it names against the layer
//! table below; a module may use only modules of a lower layer, never one of
//! its own layer or above, so there can be no import cycle between modules.

use std::path::{Path, PathBuf};

/// Each top-level module and its layer, lowest first. Two modules of one
/// layer may not use each other.
const LAYERS: &[(&str, u32)] = &[
    ("utc", 0),
    ("secret", 0),
    ("model", 1),
    ("format", 2),
    ("limits", 3),
    ("plan", 4),
    ("history", 4),
    ("usage", 4),
    ("probe", 5),
    ("export", 5),
    ("catalog", 6),
    ("compare", 6),
    ("chart", 7),
    ("report", 7),
    ("app", 8),
];

fn layer(module: &str) -> Option<u32> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a source file belongs to (`model` for
/// `src/model/exact.rs`, `format` for `src/format.rs`, `limits` for
/// `src/limits_tests.rs`); `None` for `lib.rs`.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).expect("inside src");
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    let name = first.strip_suffix(".rs").unwrap_or(&first);
    // `limits_tests.rs` is the test module of `limits`.
    let name = name.strip_suffix("_tests").unwrap_or(name);
    (name != "lib").then(|| name.to_owned())
}

/// Every `crate::<name>` in `text`, with its line number.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // `crate::{a, b}` names modules inside braces.
            if let Some(braced) = after.strip_prefix('{') {
                let inside = braced.split('}').next().unwrap_or("");
                for part in inside.split(',') {
                    let name = part.trim().split("::").next().unwrap_or("").trim();
                    if !name.is_empty() {
                        out.push((n + 1, name.to_owned()));
                    }
                }
            } else if !name.is_empty() {
                out.push((n + 1, name));
            }
            rest = after;
        }
    }
    out
}

#[test]
fn modules_use_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut wrong = Vec::new();
    for file in &files {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        let own = layer(&module)
            .unwrap_or_else(|| panic!("module `{module}` has no layer in LAYERS; give it one"));
        let text = std::fs::read_to_string(file).expect("readable source");
        for (line, used) in crate_paths(&text) {
            if used == module {
                continue;
            }
            let Some(theirs) = layer(&used) else {
                continue; // a macro or an item of lib.rs, not a module
            };
            if theirs >= own {
                wrong.push(format!(
                    "{}:{line}: `{module}` (layer {own}) uses `{used}` (layer {theirs})",
                    file.strip_prefix(&src).expect("inside").display()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "modules must use only lower layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_module_of_the_crate_has_a_layer() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .expect("lib.rs");
    for line in lib.lines() {
        if let Some(name) = line.strip_prefix("pub mod ") {
            let name = name.trim_end_matches(';');
            assert!(layer(name).is_some(), "`{name}` has no layer");
        }
    }
}

#[test]
fn the_check_sees_a_use_of_a_higher_layer() {
    let uses = crate_paths(
        "use crate::{catalog::Catalog, model};\nlet x = crate::app::f(); // crate::chart",
    );
    assert_eq!(
        uses,
        vec![
            (1, "catalog".to_owned()),
            (1, "model".to_owned()),
            (2, "app".to_owned())
        ]
    );
}
