//! Golden files: `switchyard export` of every example plan and of a two-route
//! plan, in every format, compared byte for byte with `tests/golden/`. A change
//! of output fails here until it is reviewed and the files are rewritten with
//! `UPDATE_GOLDEN=1 cargo test -p switchyard-e2e --test export_golden`.
//!
//! Beside the bytes, each output is parsed back and its structure checked, so a
//! golden file cannot freeze a malformed config.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use switchyard::export::litellm;
use switchyard_e2e::{repo_root, stderr, stdout, switchyard};

/// Plans and how many routes and steps each has: (path, [(route, steps)]).
fn plans() -> Vec<(PathBuf, Vec<(&'static str, usize)>)> {
    let root = repo_root();
    vec![
        (
            root.join("examples/claude-then-deepseek.toml"),
            vec![("default", 2)],
        ),
        (root.join("examples/from-catalog.toml"), vec![("chat", 3)]),
        (
            root.join("examples/split-traffic.json"),
            vec![("interactive", 2), ("batch", 1)],
        ),
        (
            root.join("tests/golden/two-routes.toml"),
            vec![("chat", 2), ("batch", 2)],
        ),
    ]
}

const FORMATS: [(&str, &str); 3] = [
    ("litellm", "litellm.yaml"),
    ("portkey", "portkey.json"),
    ("openrouter", "openrouter.json"),
];

fn export(plan: &Path, format: &str) -> String {
    let home = tempfile::tempdir().expect("temp home");
    let db = home.path().join("catalog.db");
    let output = switchyard(home.path())
        .args([
            "export",
            plan.to_str().expect("utf-8 path"),
            "--format",
            format,
        ])
        .arg("--db")
        .arg(&db)
        .output()
        .expect("switchyard runs");
    assert!(
        output.status.success(),
        "{} {format}: {}",
        plan.display(),
        stderr(&output)
    );
    stdout(&output)
}

fn golden_path(plan: &Path, suffix: &str) -> PathBuf {
    let stem = plan
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("plan file name");
    repo_root()
        .join("tests/golden")
        .join(format!("{stem}.{suffix}"))
}

fn check_structure(format: &str, text: &str, routes: &[(&str, usize)]) {
    match format {
        "litellm" => {
            let config = litellm::parse(text).expect("LiteLLM YAML reads back");
            let total: usize = routes.iter().map(|(_, n)| n).sum();
            assert_eq!(config.model_list.len(), total);
            for (route, steps) in routes {
                assert!(config.model_list.iter().any(|d| d.model_name == *route));
                let fallbacks = config
                    .router_settings
                    .fallbacks
                    .iter()
                    .find_map(|f| f.get(*route))
                    .map_or(0, Vec::len);
                assert_eq!(fallbacks, steps - 1, "{route}");
            }
            for d in &config.model_list {
                assert!(d.litellm_params.api_key.starts_with("os.environ/"));
                assert_eq!(d.litellm_params.max_retries, 0);
            }
        }
        _ => {
            let json: Value = serde_json::from_str(text).expect("JSON reads back");
            let object = json.as_object().expect("an object keyed by route");
            assert_eq!(object.len(), routes.len());
            for (route, steps) in routes {
                let config = &object[*route];
                if format == "portkey" {
                    assert_eq!(config["strategy"]["mode"], "fallback");
                    let targets = config["targets"].as_array().expect("targets");
                    assert_eq!(targets.len(), *steps);
                    for t in targets {
                        let key = t["api_key"].as_str().expect("api_key");
                        assert!(key.starts_with("${") && key.ends_with('}'), "{key}");
                        assert!(t["request_timeout"].as_u64().is_some());
                    }
                } else {
                    assert!(!config["models"].as_array().expect("models").is_empty());
                    assert!(config["provider"]["max_price"]["prompt"].is_number());
                }
            }
        }
    }
}

#[test]
fn exports_match_their_golden_files() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (plan, routes) in plans() {
        for (format, suffix) in FORMATS {
            let text = export(&plan, format);
            check_structure(format, &text, &routes);
            let golden = golden_path(&plan, suffix);
            if update {
                fs::write(&golden, &text).expect("write golden file");
                continue;
            }
            match fs::read_to_string(&golden) {
                Ok(expected) if expected == text => {}
                Ok(_) => stale.push(format!("{} differs", golden.display())),
                Err(e) => stale.push(format!("{}: {e}", golden.display())),
            }
        }
    }
    assert!(
        stale.is_empty(),
        "export output changed; review it and rerun with UPDATE_GOLDEN=1:\n{}",
        stale.join("\n")
    );
}
