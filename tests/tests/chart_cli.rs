//! `switchyard chart`: every kind the CLI offers writes a chart whose SVG names
//! its series, and PNGs are PNGs.

use switchyard_e2e::{repo_root, run, stderr};

#[test]
fn each_chart_of_the_example_plan_is_written() {
    let plan = repo_root().join("examples/claude-then-deepseek.toml");
    let plan = plan.to_str().expect("utf-8");
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |kind: &str, extension: &str| -> Vec<u8> {
        let file = dir.path().join(format!("{kind}.{extension}"));
        let file = file.to_str().expect("utf-8");
        let out = run(&[
            "chart",
            kind,
            plan,
            "--samples",
            "20000",
            "--months",
            "500",
            "--out",
            file,
        ]);
        assert!(out.status.success(), "{kind}: {}", stderr(&out));
        std::fs::read(file).expect("chart written")
    };
    for (kind, expected) in [
        ("latency", "budget 15.00 s"),
        ("sla", "target 99.99%"),
        ("cost", "first-try successes"),
        ("tco", "break-even"),
        ("exceedance", "P(a 30-day month reaches each availability)"),
    ] {
        let svg = String::from_utf8(write(kind, "svg")).expect("SVG is text");
        assert!(svg.starts_with("<svg"), "{kind}");
        assert!(svg.contains(expected), "{kind}: no {expected:?}");
        assert_eq!(&write(kind, "png")[..8], b"\x89PNG\r\n\x1a\n", "{kind}");
    }
}

/// `chart capacity` of the peak-traffic example names the limit that binds
/// and the engine's headroom at the peak, as `evaluate --json` reports it.
#[test]
fn the_capacity_chart_names_the_binding_limit_and_the_headroom() {
    let plan = repo_root().join("examples/peak-traffic.toml");
    let plan = plan.to_str().expect("utf-8");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("capacity.svg");
    let out = run(&[
        "chart",
        "capacity",
        plan,
        "--out",
        file.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let svg = std::fs::read_to_string(&file).expect("chart written");
    let out = run(&[
        "evaluate",
        "--json",
        "--samples",
        "2000",
        "--months",
        "20",
        plan,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let first = &report["capacity"][0];
    assert_eq!(first["binding_limit"], "output_tpm");
    let headroom = first["headroom_peak"].as_f64().expect("a headroom");
    let shown = switchyard::format::percent(headroom);
    assert!(
        svg.contains(&format!("headroom at the peak minute: {shown}")),
        "no {shown:?} in the title"
    );
    assert!(svg.contains("output_tpm_limit binds"), "the binding limit");
}

#[test]
fn an_unknown_extension_is_named() {
    let plan = repo_root().join("examples/claude-then-deepseek.toml");
    let out = run(&[
        "chart",
        "tco",
        plan.to_str().expect("utf-8"),
        "--out",
        "/tmp/x.gif",
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("/tmp/x.gif"), "{}", stderr(&out));
}
