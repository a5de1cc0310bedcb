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
