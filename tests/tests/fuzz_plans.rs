//! Fuzzing the plan path: parse → resolve → evaluate → report (text and JSON),
//! and the search when the plan has a `[search]`.
//!
//! Inputs are plans generated with proptest's strategies (every field drawn
//! from typical values, the edges of its range, and hostile ones: 1e-10,
//! 1e308, NaN, infinities, negatives, control characters, 70,000-character
//! names), the hostile corpus of `crates/switchyard/tests/corpus/plans/`, and
//! byte-level mutations of both. The invariant: every input ends in a result
//! or a clean error, within [`TIME_BOUND`] and [`MEMORY_BOUND_MB`] of peak
//! resident memory. A panic counts as a crash.
//!
//! `fuzz_plans_briefly` runs in `make test` (a few hundred inputs). `make
//! fuzz` runs `fuzz_plans_for_a_while` for `SWITCHYARD_FUZZ_SECONDS` (600 by
//! default) and prints the counts the README's reliability section records.
//! `SWITCHYARD_FUZZ_SEED` picks the stream; an input that breaks the
//! invariant is written to `target/fuzz-findings/` and printed.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use rand::{Rng, SeedableRng};
use switchyard::app::{SearchOptions, search};
use switchyard::model::{EvaluateOptions, Progress, evaluate};
use switchyard::plan::{self, Format, NoCatalog};
use switchyard::report;

/// Longest one input may take, parse to report.
const TIME_BOUND: Duration = Duration::from_secs(1);
/// Highest peak resident memory of the process while one input runs.
const MEMORY_BOUND_MB: f64 = 256.0;
/// An input still running after this long is reported and the run stopped:
/// without it a hang would hold the test until CI's limit.
const WATCHDOG: Duration = Duration::from_secs(30);
/// Address-space cap on the whole test process, so an input that allocates
/// without bound fails here instead of taking the machine down.
const ADDRESS_SPACE_CAP_BYTES: u64 = 8 << 30;

/// The simulation sizes the harness evaluates with: the plan is what is
/// fuzzed; these keep one input's work near what an edit in the app costs.
const SAMPLES: u64 = 20_000;
const PERIODS: u64 = 400;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

// ------------------------------------------------------------ generation

/// A float as TOML writes it, from typical values, range edges and hostile ones.
fn number(typical: std::ops::Range<f64>) -> impl Strategy<Value = String> {
    let hostile = prop::sample::select(vec![
        "0",
        "-0.0",
        "1",
        "-1",
        "1e-10",
        "1e-300",
        "5e-324",
        "0.0166",
        "1e15",
        "1e20",
        "1e30",
        "1e308",
        "-1e308",
        "nan",
        "inf",
        "-inf",
        "0.999999999999",
        "1.0000001",
        "4294967296",
        "18446744073709551616",
        "\"12\"",
        "true",
    ])
    .prop_map(str::to_owned);
    prop_oneof![
        40 => typical.prop_map(|x| format!("{x:e}")),
        3 => hostile,
        1 => any::<f64>().prop_map(|x| {
            if x.is_finite() { format!("{x:e}") } else { "nan".to_owned() }
        }),
    ]
}

/// An integer as TOML writes it.
fn integer(typical: std::ops::Range<u64>) -> impl Strategy<Value = String> {
    prop_oneof![
        40 => typical.prop_map(|x| x.to_string()),
        2 => prop::sample::select(vec![
            "0", "-1", "1000000000", "4294967295", "4294967296", "9223372036854775807", "1.5",
        ])
        .prop_map(str::to_owned),
    ]
}

/// A name: ordinary, Unicode, with control characters or bidi overrides, or
/// very long.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        40 => "[a-z]{1,8}(/[a-z0-9-]{1,10})?",
        1 => "[a-zé路由 ]{1,12}",
        1 => Just("red\u{1b}[31m".to_owned()),
        1 => Just("rtl\u{202e}txt".to_owned()),
        1 => (1_000usize..70_000).prop_map(|n| "x".repeat(n)),
    ]
}

/// A TOML basic string holding `s` (escaped as TOML requires).
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn offering(id: String) -> impl Strategy<Value = String> {
    (
        number(0.9..0.998),
        number(1.0..120.0),
        number(0.0..0.1),
        number(100.0..3000.0),
        number(100.0..10_000.0),
        number(10.0..200.0),
        number(0.0..30.0),
        number(0.0..60.0),
        prop::sample::select(vec!["error", "hang", "error", "hang", "nope"]),
        prop::option::of(prop_oneof![9 => prop::sample::select(vec!["g1".to_owned(), "g2".to_owned()]), 1 => name()]),
    )
        .prop_map(
            move |(a, mttr, err, p50, p95, speed, inp, out, outage, group)| {
                let groups =
                    group.map_or(String::new(), |g| format!("groups = [{}]\n", quoted(&g)));
                format!(
                    "[[offerings]]\nid = {}\navailability = {a}\nmttr_minutes = {mttr}\n\
                     error_rate = {err}\nttft_p50_ms = {p50}\nttft_p95_ms = {p95}\n\
                     tokens_per_s = {speed}\ninput_per_mtok = {inp}\noutput_per_mtok = {out}\n\
                     outage = \"{outage}\"\n{groups}",
                    quoted(&id)
                )
            },
        )
}

fn step(ids: Vec<String>) -> impl Strategy<Value = String> {
    (
        prop::sample::select(ids),
        integer(1..4),
        prop::option::of(integer(100..20_000)),
        prop::option::of(integer(0..2_000)),
    )
        .prop_map(|(id, attempts, timeout, backoff)| {
            let mut s = format!("{{ offering = {}, attempts = {attempts}", quoted(&id));
            if let Some(t) = timeout {
                s.push_str(&format!(", timeout_ms = {t}"));
            }
            if let Some(b) = backoff {
                s.push_str(&format!(", backoff_ms = {b}"));
            }
            s + " }"
        })
}

/// A whole plan: workload, target, 1–3 offerings, groups, 1–2 routes, and
/// sometimes a `[search]`.
fn plan_text() -> impl Strategy<Value = String> {
    prop::collection::vec(name(), 1..4).prop_flat_map(|mut ids| {
        ids.dedup();
        let offerings = ids
            .iter()
            .map(|id| offering(id.clone()))
            .collect::<Vec<_>>();
        let mut step_ids = ids.clone();
        step_ids.push("unknown/offering".to_owned());
        (
            (
                number(1.0..1e8),
                integer(1..100_000),
                integer(1..8_000),
                number(0.0..1.0),
                prop::option::of(number(500.0..60_000.0)),
                prop::option::of(number(0.9..0.99999)),
            ),
            offerings,
            prop::collection::vec(
                (name(), prop::collection::vec(step(step_ids.clone()), 1..4)),
                1..3,
            ),
            (
                prop::option::of((number(0.999..1.0), number(1.0..90.0))),
                prop::option::of((number(0.999..1.0), number(1.0..90.0))),
            ),
            prop::option::of((
                prop::collection::vec(integer(500..20_000), 1..40),
                prop::collection::vec(integer(1..4), 1..4),
                integer(1..4),
            )),
        )
            .prop_map(|(workload, offerings, routes, groups, search)| {
                let (volume, input, output, cached, budget, target) = workload;
                let mut text = format!(
                    "[workload]\nrequests_per_month = {volume}\ninput_tokens = {input}\n\
                     output_tokens = {output}\ncached_input_share = {cached}\n"
                );
                if let Some(b) = budget {
                    text.push_str(&format!("latency_budget_ms = {b}\n"));
                }
                if let Some(t) = target {
                    text.push_str(&format!("\n[target]\navailability = {t}\n"));
                }
                for o in offerings {
                    text.push('\n');
                    text.push_str(&o);
                }
                for (id, group) in [("g1", groups.0), ("g2", groups.1)] {
                    if let Some((a, mttr)) = group {
                        text.push_str(&format!(
                            "\n[[groups]]\nid = \"{id}\"\navailability = {a}\nmttr_minutes = {mttr}\n"
                        ));
                    }
                }
                let share = 1.0 / routes.len() as f64;
                for (name, steps) in routes {
                    text.push_str(&format!(
                        "\n[[routes]]\nname = {}\nshare = {share}\nsteps = [\n  {}\n]\n",
                        quoted(&name),
                        steps.join(",\n  ")
                    ));
                }
                if let Some((timeouts, attempts, longest)) = search {
                    text.push_str(&format!(
                        "\n[search]\ntimeouts_ms = [{}]\nattempts = [{}]\nmax_chain_length = {longest}\n",
                        timeouts.join(", "),
                        attempts.join(", ")
                    ));
                }
                text
            })
    })
}

/// A byte-level mutation of `text`: a cut, a repeated slice, or a number
/// swapped for a hostile one.
fn mutate(text: &str, rng: &mut Choices) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let a = rng.random_range(0..chars.len());
    let b = rng.random_range(a..chars.len().min(a + 200) + 1);
    let slice: String = chars[a..b].iter().collect();
    let head: String = chars[..a].iter().collect();
    let tail: String = chars[b..].iter().collect();
    match rng.random_range(0..3) {
        0 => head + &tail,
        1 => head + &slice + &slice + &slice + &tail,
        _ => {
            let extreme = ["1e-10", "1e308", "nan", "-1", "1e20", "0"][rng.random_range(0..6)];
            head + extreme + &tail
        }
    }
}

/// The harness's own choices (which input kind, which mutation), seeded.
type Choices = rand_xoshiro::Xoshiro256PlusPlus;

// ------------------------------------------------------------ running

#[derive(Debug, Default)]
struct Tally {
    inputs: u64,
    results: u64,
    clean_errors: u64,
    crashes: u64,
    over_time: u64,
    over_memory: u64,
    slowest: Duration,
    peak_mb: f64,
}

/// What one input ended in.
enum Outcome {
    Result,
    CleanError,
    Crash(String),
}

/// Runs one plan text through the whole path, as `switchyard evaluate` (and
/// `search`) would.
fn run_one(text: &str) -> Outcome {
    let ran = std::panic::catch_unwind(|| {
        let Ok(parsed) = plan::parse(text, Format::Toml, "fuzz.toml") else {
            return Outcome::CleanError;
        };
        let Ok(resolved) = plan::resolve(&parsed, &NoCatalog) else {
            return Outcome::CleanError;
        };
        let options = EvaluateOptions {
            samples: SAMPLES,
            periods: PERIODS,
            target: resolved.target.unwrap_or(EvaluateOptions::default().target),
            ..EvaluateOptions::default()
        };
        let evaluated = evaluate(&resolved.portfolio, &options);
        let shown = report::render("fuzz.toml", &resolved.portfolio, &evaluated);
        let json = serde_json::to_string(&evaluated);
        if shown.is_empty() || json.is_err() {
            return Outcome::Crash("empty report or unencodable JSON".to_owned());
        }
        if parsed.search.is_some() {
            let options = SearchOptions {
                samples: 2_000,
                ..SearchOptions::default()
            };
            let searched = search::run(parsed, None, &options, "fuzz.toml", &Progress::new());
            if let Ok(run) = searched {
                let _ = serde_json::to_string(&run.report);
            }
        }
        Outcome::Result
    });
    ran.unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default();
        Outcome::Crash(format!("panic: {message}"))
    })
}

/// Peak resident memory since the last reset, in MB (Linux `VmHWM`).
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Resets the peak to the present resident size (`clear_refs` 5).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn save_finding(text: &str, why: &str, n: u64) {
    let dir = repo().join("target/fuzz-findings");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("finding-{n}.toml"));
    let _ = std::fs::write(&path, text);
    eprintln!("fuzz: {why}: input written to {}", path.display());
}

/// The watchdog: ends the process when one input runs past [`WATCHDOG`].
fn watchdog(started_ms: Arc<AtomicU64>, done: Arc<AtomicBool>, clock: Instant) {
    std::thread::spawn(move || {
        while !done.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(200));
            let since = started_ms.load(Ordering::Relaxed);
            let now = clock.elapsed().as_millis() as u64;
            if since > 0 && now.saturating_sub(since) > WATCHDOG.as_millis() as u64 {
                eprintln!(
                    "fuzz: one input ran for more than {} s; see target/fuzz-findings/current.toml",
                    WATCHDOG.as_secs()
                );
                std::process::exit(3);
            }
        }
    });
}

/// Fuzzes for `budget` of wall time or `max_inputs` inputs, whichever ends first.
fn fuzz(budget: Duration, max_inputs: u64) -> Tally {
    // Cap the address space of this process (util-linux `prlimit` on our own
    // pid: no unsafe code needed).
    let _ = std::process::Command::new("prlimit")
        .args([
            "--pid",
            &std::process::id().to_string(),
            &format!("--as={ADDRESS_SPACE_CAP_BYTES}"),
        ])
        .status();
    let seed: u64 = std::env::var("SWITCHYARD_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_203);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let mut corpus: Vec<String> =
        std::fs::read_dir(repo().join("crates/switchyard/tests/corpus/plans"))
            .map(|dir| {
                let mut paths: Vec<PathBuf> = dir.flatten().map(|e| e.path()).collect();
                paths.sort();
                paths
                    .iter()
                    .filter_map(|p| std::fs::read_to_string(p).ok())
                    .collect()
            })
            .unwrap_or_default();
    for example in [
        "claude-then-deepseek.toml",
        "from-catalog.toml",
        "search.toml",
    ] {
        if let Ok(text) = std::fs::read_to_string(repo().join("examples").join(example)) {
            corpus.push(text);
        }
    }
    let strategy = plan_text();
    let mut choices = Choices::seed_from_u64(seed);
    let clock = Instant::now();
    let started_ms = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    watchdog(started_ms.clone(), done.clone(), clock);
    let mut tally = Tally::default();
    let current = repo().join("target/fuzz-findings/current.toml");
    let _ = std::fs::create_dir_all(current.parent().unwrap_or(Path::new(".")));
    while clock.elapsed() < budget && tally.inputs < max_inputs {
        let n = tally.inputs;
        let text = if (n as usize) < corpus.len() {
            corpus[n as usize].clone()
        } else {
            let generated = match strategy.new_tree(&mut runner) {
                Ok(tree) => tree.current(),
                Err(_) => continue,
            };
            match choices.random_range(0..4) {
                0 if !corpus.is_empty() => {
                    let base = corpus[choices.random_range(0..corpus.len())].clone();
                    mutate(&base, &mut choices)
                }
                1 => mutate(&generated, &mut choices),
                _ => generated,
            }
        };
        let _ = std::fs::write(&current, &text);
        reset_peak_rss();
        started_ms.store(clock.elapsed().as_millis().max(1) as u64, Ordering::Relaxed);
        let start = Instant::now();
        let outcome = run_one(&text);
        let took = start.elapsed();
        started_ms.store(0, Ordering::Relaxed);
        let peak = peak_rss_mb();
        tally.inputs += 1;
        tally.slowest = tally.slowest.max(took);
        tally.peak_mb = tally.peak_mb.max(peak);
        match outcome {
            Outcome::Result => tally.results += 1,
            Outcome::CleanError => tally.clean_errors += 1,
            Outcome::Crash(why) => {
                tally.crashes += 1;
                save_finding(&text, &why, n);
            }
        }
        if took > TIME_BOUND {
            tally.over_time += 1;
            save_finding(&text, &format!("took {} ms", took.as_millis()), n);
        }
        if peak > MEMORY_BOUND_MB {
            tally.over_memory += 1;
            save_finding(&text, &format!("peak {peak:.0} MB"), n);
        }
    }
    done.store(true, Ordering::Relaxed);
    let _ = std::fs::remove_file(&current);
    println!(
        "fuzz: seed {seed}, {} inputs in {:.0} s: {} results, {} clean errors, {} crashes, \
         {} over {} ms, {} over {MEMORY_BOUND_MB} MB; slowest {} ms, peak RSS {:.0} MB",
        tally.inputs,
        clock.elapsed().as_secs_f64(),
        tally.results,
        tally.clean_errors,
        tally.crashes,
        tally.over_time,
        TIME_BOUND.as_millis(),
        tally.over_memory,
        tally.slowest.as_millis(),
        tally.peak_mb
    );
    tally
}

fn assert_clean(t: &Tally) {
    assert_eq!(t.crashes, 0, "{t:?}");
    assert_eq!(t.over_time, 0, "{t:?}");
    assert_eq!(t.over_memory, 0, "{t:?}");
    assert!(
        t.results > 0 && t.clean_errors > 0,
        "the generator reaches both ends: {t:?}"
    );
}

#[test]
fn fuzz_plans_briefly() {
    let tally = fuzz(Duration::from_secs(60), 300);
    assert_clean(&tally);
}

#[test]
#[ignore = "long: `make fuzz` runs it for SWITCHYARD_FUZZ_SECONDS (600 by default)"]
fn fuzz_plans_for_a_while() {
    let seconds = std::env::var("SWITCHYARD_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let tally = fuzz(Duration::from_secs(seconds), u64::MAX);
    assert_clean(&tally);
}
