//! `switchyard chart`: every kind the CLI offers writes a chart whose SVG names
//! its series, and PNGs are PNGs.

use switchyard_e2e::{repo_root, run, stderr};

#[test]
fn each_chart_of_the_example_plan_is_written() {
    let plan = repo_root().join("examples/claude-then-deepseek.toml");
    let plan = plan.to_str().expect("utf-8");
    let dir = tempfile::tempdir().expect("temp dir");
    for (kind, expected) in [
        ("latency", "budget 15.00 s"),
        ("sla", "target 99.99%"),
        ("cost", "first-try successes"),
        ("tco", "break-even"),
    ] {
        let svg = dir.path().join(format!("{kind}.svg"));
        let out = run(&[
            "chart",
            kind,
            plan,
            "--samples",
            "20000",
            "--months",
            "500",
            "--out",
            svg.to_str().expect("utf-8"),
        ]);
        assert!(out.status.success(), "{kind}: {}", stderr(&out));
        let text = std::fs::read_to_string(&svg).expect("svg written");
        assert!(text.starts_with("<svg"), "{kind}");
        assert!(text.contains(expected), "{kind}: no {expected:?}");
        let png = dir.path().join(format!("{kind}.png"));
        let out = run(&[
            "chart",
            kind,
            plan,
            "--samples",
            "20000",
            "--months",
            "500",
            "--out",
            png.to_str().expect("utf-8"),
        ]);
        assert!(out.status.success(), "{kind}: {}", stderr(&out));
        let bytes = std::fs::read(&png).expect("png written");
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{kind}");
    }
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
