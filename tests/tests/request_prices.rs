//! Switchyard's per-request prices (`switchyard::model::request_price`,
//! `MODEL.md` §3.8) against LiteLLM 1.106.2's own `litellm.cost_per_token`.
//!
//! - Always: the committed fixture `fixtures/spend_log/` holds 200 lines of a
//!   generated spend log with the price LiteLLM gave each
//!   (`tests/interop/price_log.py --per-line`, see its README); every line
//!   must agree within 1e-9 relative and the total to the cent.
//! - `--ignored` (`make test-interop-prices`, needs the interop venv of
//!   `tests/interop/setup.sh`): a fresh 20,000-line log is priced by both, in
//!   the same way.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use switchyard_e2e::repo_root;
use switchyard_e2e::spend_log::{self, LogLine};

/// How far one line's two prices may be apart, relative to LiteLLM's.
const LINE_TOLERANCE: f64 = 1e-9;

fn fixture(name: &str) -> PathBuf {
    repo_root().join("fixtures/spend_log").join(name)
}

/// `request_id,usd` lines, as both pricers write them.
fn read_prices(path: &Path) -> BTreeMap<String, f64> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|l| {
            let (id, usd) = l
                .split_once(',')
                .unwrap_or_else(|| panic!("{}: bad line {l}", path.display()));
            let usd: f64 = usd
                .parse()
                .unwrap_or_else(|e| panic!("{}: {l}: {e}", path.display()));
            (id.to_owned(), usd)
        })
        .collect()
}

/// Every line's two prices agree within [`LINE_TOLERANCE`], and the totals
/// (overall and per model) to the cent. Returns the total.
fn assert_agree(lines: &[LogLine], ours: &[f64], litellm: &BTreeMap<String, f64>) -> f64 {
    assert_eq!(lines.len(), litellm.len(), "LiteLLM priced every line once");
    let mut worst = 0.0f64;
    let (mut total_ours, mut total_litellm) = (0.0, 0.0);
    let mut by_model: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for (line, &mine) in lines.iter().zip(ours) {
        let theirs = *litellm
            .get(&line.request_id)
            .unwrap_or_else(|| panic!("LiteLLM has no price for {}", line.request_id));
        let gap = (mine - theirs).abs();
        assert!(
            gap <= LINE_TOLERANCE * theirs.abs(),
            "{} ({}, {:?}): Switchyard {mine}, LiteLLM {theirs}",
            line.request_id,
            line.model,
            line.tokens
        );
        if theirs != 0.0 {
            worst = worst.max(gap / theirs.abs());
        }
        total_ours += mine;
        total_litellm += theirs;
        let m = by_model.entry(line.model.as_str()).or_default();
        m.0 += mine;
        m.1 += theirs;
    }
    for (model, (mine, theirs)) in &by_model {
        assert!(
            (mine - theirs).abs() < 0.005,
            "{model}: Switchyard {mine}, LiteLLM {theirs}"
        );
    }
    assert!(
        (total_ours - total_litellm).abs() < 0.005,
        "total: Switchyard {total_ours}, LiteLLM {total_litellm}"
    );
    println!(
        "{} lines, {} models: total Switchyard {total_ours:.6} USD, LiteLLM {total_litellm:.6} USD, \
         largest relative gap of a line {worst:.3e}",
        lines.len(),
        by_model.len()
    );
    total_litellm
}

/// What the lines cover: without tier crossings, cache reads and tier
/// thresholds met exactly, the agreement would not test the rules.
fn assert_covers_the_rules(lines: &[LogLine]) {
    let prices = spend_log::map_prices().expect("the price map");
    let above = |l: &&LogLine| {
        prices[&l.model]
            .tier
            .is_some_and(|t| l.tokens.input as f64 > t.above_tokens)
    };
    let on = |l: &&LogLine| {
        prices[&l.model]
            .tier
            .is_some_and(|t| l.tokens.input as f64 == t.above_tokens)
    };
    assert!(
        lines.iter().filter(above).count() >= 5,
        "lines above a tier"
    );
    assert!(lines.iter().filter(on).count() >= 1, "lines on a threshold");
    assert!(
        lines.iter().filter(|l| l.tokens.cached > 0).count() >= 20,
        "lines with cache reads"
    );
    assert!(
        lines
            .iter()
            .filter(above)
            .any(|l| l.tokens.cached > 0 && prices[&l.model].tier.is_some()),
        "a line above a tier with cache reads"
    );
}

#[test]
fn the_recorded_litellm_prices_agree_with_ours() {
    let file = std::fs::File::open(fixture("spend_log_200.csv")).expect("the fixture");
    let lines = spend_log::read(std::io::BufReader::new(file)).expect("reads");
    assert_eq!(lines.len(), 200);
    assert_covers_the_rules(&lines);
    let prices = spend_log::map_prices().expect("the price map");
    let ours = spend_log::price(&lines, &prices).expect("every model priced");
    let litellm = read_prices(&fixture("litellm_prices_200.csv"));
    let total = assert_agree(&lines, &ours, &litellm);
    assert!(total > 1.0, "a total worth comparing: {total}");
}

#[test]
fn the_fixture_is_the_generators_output() {
    // Its lines are lines of `spend_log --lines 20000` (the default seed):
    // regenerating them finds each again, byte for byte.
    let mut log = Vec::new();
    spend_log::generate(&mut log, 20_000, spend_log::DEFAULT_SEED).expect("generates");
    let log = String::from_utf8(log).expect("UTF-8");
    let generated: std::collections::HashSet<&str> = log.lines().collect();
    let text = std::fs::read_to_string(fixture("spend_log_200.csv")).expect("the fixture");
    for line in text.lines() {
        assert!(generated.contains(line), "not a generated line: {line}");
    }
}

/// The interop venv's Python, with LiteLLM 1.106.2.
fn venv_python() -> PathBuf {
    let python = repo_root().join("target/interop/venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run tests/interop/setup.sh (or `make test-interop-prices`)",
        python.display()
    );
    python
}

#[test]
#[ignore = "needs LiteLLM 1.106.2 in the interop venv: make test-interop-prices"]
fn litellm_prices_a_generated_log_as_we_do() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let log = dir.path().join("spend_log.csv");
    let per_line = dir.path().join("litellm_prices.csv");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&log).expect("creates"));
    spend_log::generate(&mut file, 20_000, spend_log::DEFAULT_SEED + 1).expect("generates");
    drop(file);

    let out = Command::new(venv_python())
        .arg(repo_root().join("tests/interop/price_log.py"))
        .arg(&log)
        .arg("--per-line")
        .arg(&per_line)
        .env("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        .output()
        .expect("runs price_log.py");
    assert!(
        out.status.success(),
        "price_log.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("price_log.py prints JSON");
    assert_eq!(report["litellm"], "1.106.2");

    let lines = spend_log::read(std::io::BufReader::new(
        std::fs::File::open(&log).expect("opens"),
    ))
    .expect("reads");
    assert_covers_the_rules(&lines);
    let prices = spend_log::map_prices().expect("the price map");
    let ours = spend_log::price(&lines, &prices).expect("every model priced");
    let litellm = read_prices(&per_line);
    let total = assert_agree(&lines, &ours, &litellm);
    let reported = report["total_usd"].as_f64().unwrap_or(f64::NAN);
    assert!(
        (total - reported).abs() < 0.005,
        "price_log.py's total {reported} is its lines' sum {total}"
    );
    println!(
        "LiteLLM priced {} lines in {:.2} s",
        report["lines"], report["price_s"]
    );
}
