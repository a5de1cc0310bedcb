//! One scenario on one gateway: fakes up, plan exported, gateway started,
//! traffic sent, and what happened compared with `switchyard evaluate --as`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;
use switchyard::export::Format;
use switchyard::model::{Portfolio, capacity};
use switchyard::plan::{NoCatalog, PlanFile, Resolved};

use crate::fakes::{self, Fakes};
use crate::gateway::Gateway;
use crate::load::{self, Outcome};
use crate::scenario::{GatewayKind, GatewaySettings, RunSettings, Scenario};
use crate::stats::Check;
use crate::windows::{self, Schedule, WindowFigure};

/// One row of the comparison: a figure the model predicts and what the gateway did.
#[derive(Debug, Clone)]
pub struct Figure {
    /// `success`, or `<route> <step>. <offering>` for a served share.
    pub name: String,
    /// The plan's own semantics (`evaluate` without `--as`), for reference.
    pub plan_model: Option<f64>,
    pub check: Check,
}

/// How many attempts the gateway made at one offering per request, observed
/// at its fake.
#[derive(Debug, Clone, Default)]
pub struct Attempts {
    /// Requests that reached the offering at all.
    pub requests: u64,
    pub attempts: u64,
    pub max: u32,
}

/// Everything one run found.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub scenario: String,
    pub gateway: GatewayKind,
    pub figures: Vec<Figure>,
    pub attempts: BTreeMap<String, Attempts>,
    /// Successes whose served-by header is missing, or names an upstream that
    /// did not answer 200 to that request.
    pub header_mismatches: u64,
    /// 200s the fakes sent that the gateway did not use: answers that arrived
    /// as the gateway's timeout cut the attempt (a race at the boundary).
    pub unused_answers: u64,
    /// Upstream generation requests in another dialect than the offering's,
    /// without the request key, or refused by the fake with a 4xx (malformed).
    pub wrong_requests: u64,
    /// Upstream requests that were not generations (`GET /v1/models`).
    pub other_requests: u64,
    /// Statuses of the failed requests, by status (`none` for transport errors).
    pub failures: BTreeMap<String, u64>,
    pub latency_p50_ms: f64,
    pub latency_p95_ms: f64,
    pub wall: Duration,
    pub ready_after: Duration,
    /// For a peak scenario: the rate driven (requests a minute), the arrivals
    /// and how many of them started late.
    pub peak: Option<(f64, crate::load::ArrivalStats)>,
    /// For a windows scenario: its schedule, its arrivals, the cooldown the
    /// harness set (s, when it set one), and the figures per window.
    pub windows: Option<WindowsRun>,
    /// A problem that stopped the run, if any.
    pub error: Option<String>,
}

/// What a windows scenario adds to its run.
#[derive(Debug, Clone)]
pub struct WindowsRun {
    pub schedule: Schedule,
    pub arrivals: crate::load::ArrivalStats,
    pub cooldown_set_s: Option<f64>,
    pub figures: Vec<WindowFigure>,
    /// The gateway's own time: its fallback hops and its lead before the
    /// first upstream attempt.
    pub gateway_time: crate::windows::GatewayTimeReport,
}

impl RunResult {
    pub fn passed(&self) -> bool {
        self.error.is_none()
            && self.header_mismatches == 0
            && self.wrong_requests == 0
            && !self.figures.is_empty()
            && self.figures.iter().all(|f| f.check.pass)
            && self
                .windows
                .as_ref()
                .is_none_or(|w| !w.figures.is_empty() && w.figures.iter().all(|f| f.check.pass))
    }
}

/// What `evaluate --json` predicts: success and served shares.
#[derive(Debug, Clone)]
pub struct Prediction {
    /// `availability`, or `success_within_budget` when the plan has a budget
    /// (Monte Carlo, for the plan-model column only: gateways enforce none, so
    /// `--as` drops it and its prediction is always the exact availability).
    pub success: f64,
    /// `(route, step) -> share of all successes`.
    pub served: BTreeMap<(String, usize), (String, f64)>,
    /// `offering -> rejected share at the peak`, from `evaluate --json`'s
    /// `capacity` (empty for a plan without limits).
    pub rejected_peak: BTreeMap<String, f64>,
}

fn prediction(json: &Value, has_budget: bool) -> Result<Prediction, String> {
    let availability = json
        .get("availability")
        .and_then(Value::as_f64)
        .ok_or("evaluate --json has no availability")?;
    let within_budget = json
        .pointer("/success_within_budget/value")
        .and_then(Value::as_f64);
    let success = if has_budget {
        within_budget.ok_or("evaluate --json has no success_within_budget")?
    } else {
        availability
    };
    let mut served = BTreeMap::new();
    for s in json
        .get("served_share")
        .and_then(Value::as_array)
        .ok_or("evaluate --json has no served_share")?
    {
        let route = s["route"].as_str().ok_or("served_share without route")?;
        let step = s["step"].as_u64().ok_or("served_share without step")? as usize;
        let offering = s["offering"].as_str().unwrap_or_default();
        let share = s["share"].as_f64().ok_or("served_share without share")?;
        served.insert((route.to_owned(), step), (offering.to_owned(), share));
    }
    let mut rejected_peak = BTreeMap::new();
    for c in json
        .get("capacity")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let offering = c["offering"].as_str().ok_or("capacity without offering")?;
        let share = c["rejected_share_peak"]
            .as_f64()
            .ok_or("capacity without rejected_share_peak")?;
        rejected_peak.insert(offering.to_owned(), share);
    }
    Ok(Prediction {
        success,
        served,
        rejected_peak,
    })
}

/// What the model predicts at the peak minute of a plan with rate limits:
/// the capacity fixed point (`switchyard::model::capacity`) at the peak rate,
/// on the portfolio the gateway runs. `evaluate --json`'s headline figures
/// are the day's, which at a flat day's mean rate hide the peak's rejections.
#[derive(Debug, Clone)]
pub struct PeakPrediction {
    pub rate_per_min: f64,
    pub prediction: Prediction,
    /// Each offering's rejected share of the attempts it is sent.
    pub rejected: Vec<f64>,
}

pub fn at_peak(portfolio: &Portfolio) -> PeakPrediction {
    let rate = capacity::peak_rate(&portfolio.workload);
    let solution = capacity::solve(portfolio, rate);
    let figures = &solution.figures;
    let mut served = BTreeMap::new();
    for (r, route) in portfolio.routes.iter().enumerate() {
        for (j, step) in route.steps.iter().enumerate() {
            // Each step's share of all successes, as `served_share` defines it.
            let share = if figures.availability > 0.0 {
                route.share * figures.routes[r].served[j] / figures.availability
            } else {
                0.0
            };
            served.insert(
                (route.name.clone(), j),
                (portfolio.offerings[step.offering].id.clone(), share),
            );
        }
    }
    PeakPrediction {
        rate_per_min: rate,
        prediction: Prediction {
            success: figures.availability,
            served,
            rejected_peak: portfolio
                .offerings
                .iter()
                .zip(&solution.rejected)
                .map(|(o, &q)| (o.id.clone(), q))
                .collect(),
        },
        rejected: solution.rejected,
    }
}

fn format_of(gateway: GatewayKind) -> Format {
    match gateway {
        GatewayKind::Litellm => Format::Litellm,
        GatewayKind::Portkey => Format::Portkey,
    }
}

/// Runs `switchyard ARGS` with its home in `home`; stdout on success.
fn switchyard(home: &Path, args: &[&str]) -> Result<String, String> {
    let out = switchyard_e2e::switchyard(home)
        .args(args)
        .output()
        .map_err(|e| format!("running switchyard: {e}"))?;
    if out.status.success() {
        Ok(switchyard_e2e::stdout(&out))
    } else {
        Err(format!(
            "switchyard {} failed: {}",
            args.join(" "),
            switchyard_e2e::stderr(&out).trim()
        ))
    }
}

/// `evaluate PLAN [--as GATEWAY] --json`. The figures compared (under `--as`,
/// which drops any budget) are closed forms, so few samples will do.
pub fn evaluate(
    home: &Path,
    plan: &Path,
    gateway: Option<GatewayKind>,
    has_budget: bool,
) -> Result<Prediction, String> {
    let json = evaluate_json(home, plan, gateway)?;
    prediction(&json, has_budget && gateway.is_none())
}

/// `evaluate PLAN [--as GATEWAY] --json`, as JSON.
pub fn evaluate_json(
    home: &Path,
    plan: &Path,
    gateway: Option<GatewayKind>,
) -> Result<Value, String> {
    let plan = plan.to_string_lossy();
    let mut args = vec![
        "evaluate",
        &plan,
        "--json",
        "--samples",
        "20000",
        "--months",
        "20",
    ];
    if let Some(g) = gateway {
        args.extend(["--as", g.name()]);
    }
    let out = switchyard(home, &args)?;
    serde_json::from_str(&out).map_err(|e| format!("evaluate --json: {e}"))
}

/// The route and step whose offering goes down in a windows run: its first
/// step on the first route using it, which must have a later one.
fn windowed_step(resolved: &Resolved, schedule: &Schedule) -> Result<(String, usize), String> {
    let portfolio = &resolved.portfolio;
    portfolio
        .routes
        .iter()
        .find_map(|r| {
            let j = r
                .steps
                .iter()
                .position(|s| s.offering == schedule.offering)?;
            (j + 1 < r.steps.len()).then(|| (r.name.clone(), j))
        })
        .ok_or_else(|| {
            format!(
                "{} goes down in the windows but is no route's upstream step",
                portfolio.offerings[schedule.offering].id
            )
        })
}

/// Writes the cooldown the lint recommends into the plan's `[gateway]`.
fn set_recommended(
    home: &Path,
    plan_path: &Path,
    gateway: GatewayKind,
    route: &str,
    step: usize,
) -> Result<f64, String> {
    let json = evaluate_json(home, plan_path, Some(gateway))?;
    let cooldown = windows::predicted(&json, route, step)?.recommended_cooldown_s;
    let mut file = switchyard::plan::load(plan_path).map_err(|e| e.to_string())?;
    let mut spec = file.gateway.clone().unwrap_or_default();
    spec.cooldown_s = Some(cooldown);
    file.gateway = Some(spec);
    switchyard::plan::save(&file, plan_path).map_err(|e| e.to_string())?;
    Ok(cooldown)
}

/// The file `switchyard export` writes for `gateway`.
pub fn export(
    home: &Path,
    plan: &Path,
    gateway: GatewayKind,
    work: &Path,
) -> Result<PathBuf, String> {
    let ext = match gateway {
        GatewayKind::Litellm => "yaml",
        GatewayKind::Portkey => "json",
    };
    let out = work.join(format!("{}.{ext}", gateway.name()));
    let plan = plan.to_string_lossy();
    let out_arg = out.to_string_lossy();
    switchyard(
        home,
        &[
            "export",
            &plan,
            "--format",
            gateway.name(),
            "--out",
            &out_arg,
        ],
    )?;
    Ok(out)
}

/// The variable naming a program that may rewrite each exported config before
/// its gateway starts (it gets the file's path): for asking "what would the
/// gateway do if the config said X?", e.g. to see a wrong mapping fail.
pub const EXPORT_HOOK_ENV: &str = "SWITCHYARD_INTEROP_EXPORT_HOOK";

fn run_export_hook(exported: &Path) -> Result<(), String> {
    let Some(hook) = std::env::var_os(EXPORT_HOOK_ENV).filter(|h| !h.is_empty()) else {
        return Ok(());
    };
    let status = std::process::Command::new(&hook)
        .arg(exported)
        .status()
        .map_err(|e| format!("{EXPORT_HOOK_ENV}: {}: {e}", hook.to_string_lossy()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "{EXPORT_HOOK_ENV} {} failed ({status})",
            hook.to_string_lossy()
        ))
    }
}

/// The step of `route` that `offering` is (its first occurrence).
fn step_of(file: &PlanFile, route: &str, offering: &str) -> Option<usize> {
    file.routes
        .iter()
        .find(|r| r.name == route)?
        .steps
        .iter()
        .position(|s| s.offering == offering)
}

fn percentile(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Runs `scenario` on `gateway`. Never panics on a gateway's misbehaviour: a
/// problem becomes the result's error.
pub fn run(
    root: &Path,
    scenario: &Scenario,
    gateway: GatewayKind,
    settings: &RunSettings,
) -> RunResult {
    let start = Instant::now();
    let requests = scenario.requests.unwrap_or(settings.requests);
    let mut result = RunResult {
        scenario: scenario.name.clone(),
        gateway,
        figures: Vec::new(),
        attempts: BTreeMap::new(),
        header_mismatches: 0,
        unused_answers: 0,
        wrong_requests: 0,
        other_requests: 0,
        failures: BTreeMap::new(),
        latency_p50_ms: 0.0,
        latency_p95_ms: 0.0,
        wall: Duration::ZERO,
        ready_after: Duration::ZERO,
        peak: None,
        windows: None,
        error: None,
    };
    if let Err(e) = run_inner(root, scenario, gateway, settings, requests, &mut result) {
        result.error = Some(e);
    }
    result.wall = start.elapsed();
    result
}

fn run_inner(
    root: &Path,
    scenario: &Scenario,
    gateway: GatewayKind,
    settings: &RunSettings,
    requests: u64,
    result: &mut RunResult,
) -> Result<(), String> {
    let work =
        root.join("target/interop/runs")
            .join(format!("{}-{}", scenario.name, gateway.name()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let home = work.join("home");
    std::fs::create_dir_all(&home).map_err(|e| format!("{}: {e}", home.display()))?;

    let template = root.join("tests/interop").join(&scenario.plan);
    let file = switchyard::plan::load(&template).map_err(|e| e.to_string())?;
    let resolved: Resolved = switchyard::plan::resolve(&file, &NoCatalog).map_err(|problems| {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        format!("{}: {}", template.display(), list.join("; "))
    })?;
    let has_budget = resolved.portfolio.workload.latency_budget_ms.is_some();
    let plan_path = work.join("plan.toml");
    let schedule = scenario
        .windows
        .map(|w| Schedule::of(&resolved.portfolio, w))
        .transpose()
        .map_err(|e| format!("scenario {}: {e}", scenario.name))?;
    let fakes: Fakes = fakes::start(
        &file,
        &resolved,
        scenario,
        settings.seed,
        schedule.map(|s| s.windows),
        &plan_path,
    )?;
    let windowed = schedule.map(|s| windowed_step(&resolved, &s)).transpose()?;
    let cooldown_set_s = match (scenario.gateway_settings, &windowed) {
        (Some(GatewaySettings::Recommended), Some((route, step))) => {
            Some(set_recommended(&home, &plan_path, gateway, route, *step)?)
        }
        _ => None,
    };

    let exported = export(&home, &plan_path, gateway, &work)?;
    run_export_hook(&exported)?;
    // `--as` drops any budget, so its success is always the availability.
    let as_gateway = evaluate_json(&home, &plan_path, Some(gateway))?;
    let mut predicted = prediction(&as_gateway, false)?;
    let mut plan_model = evaluate(&home, &plan_path, None, has_budget)?;
    // A peak scenario is judged at the peak: the figures of the portfolio the
    // gateway runs (semantics::gateway_run, as `evaluate --as` uses) and the
    // plan's own, at the capacity fixed point of the peak rate.
    let peak = match scenario.peak {
        Some(spec) => {
            let run = switchyard::export::semantics::gateway_run(&resolved, format_of(gateway))
                .map_err(|e| e.to_string())?;
            let at = at_peak(&run.portfolio);
            // `evaluate --as --json` reports the same rejected shares at the
            // peak (its `capacity`); a difference is a bug on one side.
            for (offering, q) in &at.prediction.rejected_peak {
                let cli = predicted
                    .rejected_peak
                    .get(offering)
                    .copied()
                    .unwrap_or(0.0);
                if (cli - q).abs() > 1e-9 {
                    return Err(format!(
                        "{offering}: evaluate --as {} --json says a rejected share of {cli} at \
                         the peak, the library {q}",
                        gateway.name()
                    ));
                }
            }
            predicted = at.prediction.clone();
            plan_model = at_peak(&resolved.portfolio).prediction;
            Some((spec, at))
        }
        None => None,
    };

    let mut gw = Gateway::start(root, gateway, &exported, &fakes, &work)?;
    result.ready_after = gw.ready_after;
    let routes: Vec<(String, f64)> = resolved
        .portfolio
        .routes
        .iter()
        .map(|r| (r.name.clone(), r.share))
        .collect();
    let shares: Vec<f64> = routes.iter().map(|r| r.1).collect();
    let max_tokens = (resolved.portfolio.workload.output_tokens.ceil() as u32).max(1) * 2;
    let window_arrivals = schedule.map(|s| s.arrivals()).unwrap_or_default();
    let (outcomes, requests) = match (&peak, schedule) {
        (None, Some(schedule)) => {
            let arrivals = &window_arrivals;
            // The fakes' windows and the arrivals start on one clock, a moment
            // ahead so that every fake has it before the first request.
            let origin = Instant::now() + Duration::from_millis(500);
            for fake in &fakes.fakes {
                fake.server.start_down_windows(origin);
            }
            let length = schedule.windows.period * schedule.windows.count;
            let deadline = length + Duration::from_secs(settings.deadline_s.min(60));
            let (outcomes, stats) = load::drive_arrivals(
                &gw,
                &routes,
                arrivals,
                origin,
                settings.seed,
                max_tokens,
                deadline,
            );
            result.windows = Some(WindowsRun {
                schedule,
                arrivals: stats,
                cooldown_set_s,
                figures: Vec::new(),
                gateway_time: Default::default(),
            });
            (outcomes, arrivals.len() as u64)
        }
        (None, None) => (
            load::drive(
                &gw,
                &routes,
                requests,
                settings.concurrency,
                settings.seed,
                max_tokens,
                Duration::from_secs(settings.deadline_s),
            ),
            requests,
        ),
        (Some((spec, at)), _) => {
            let length = Duration::from_secs(spec.seconds);
            let arrivals = load::poisson_arrivals(at.rate_per_min, length, settings.seed);
            if arrivals.len() < 400 {
                return Err(format!(
                    "scenario {}: {} arrivals in {} s at the plan's peak of {:.0} a minute; \
                     a peak scenario needs at least 400 (raise the plan's peak or the seconds)",
                    scenario.name,
                    arrivals.len(),
                    spec.seconds,
                    at.rate_per_min
                ));
            }
            // The buckets start now, not when the fakes did: the gateway took
            // seconds to get ready, and an empty bucket fills meanwhile.
            for fake in &fakes.fakes {
                fake.server.restart_rpm_limit();
            }
            // The peak's length, then as long as the slowest request may take.
            let deadline = length + Duration::from_secs(settings.deadline_s.min(60));
            let (outcomes, stats) = load::drive_arrivals(
                &gw,
                &routes,
                &arrivals,
                Instant::now(),
                settings.seed,
                max_tokens,
                deadline,
            );
            result.peak = Some((at.rate_per_min, stats));
            (outcomes, arrivals.len() as u64)
        }
    };
    if let Some(death) = gw.died() {
        return Err(death);
    }
    let outcomes = load::complete(outcomes, requests, settings.seed, &shares);
    // The fakes' records are complete once every request has returned.
    let upstream = upstream_view(&fakes);
    write_outcomes(&work.join("outcomes.tsv"), &outcomes, &upstream);
    analyse(
        &work,
        &file,
        &resolved,
        &fakes,
        &gw,
        &outcomes,
        &upstream,
        &predicted,
        &plan_model,
        // Served shares over the whole run are the month's (§2), which no
        // breaker enters: a windows run is judged by its window figures.
        schedule.is_none(),
        result,
    );
    if let (Some(schedule), Some((route, step))) = (schedule, &windowed) {
        let p = windows::predicted(&as_gateway, route, *step)?;
        let primary = &resolved.portfolio.offerings[schedule.offering].id;
        let primary_attempts: windows::PrimaryAttempts = upstream
            .iter()
            .map(|(key, v)| {
                (
                    key.clone(),
                    v.iter().filter(|a| a.offering == *primary).count() as u32,
                )
            })
            .collect();
        let served_by_primary = |o: &Outcome| {
            let route = &resolved.portfolio.routes[o.route].name;
            o.served_header
                .as_deref()
                .and_then(|h| gw.served_offering(&fakes, route, h))
                .map(|offering| offering == *primary)
        };
        let times = gateway_times(&upstream, &outcomes, primary);
        let figures = windows::figures(
            &schedule,
            &window_arrivals,
            &outcomes,
            &primary_attempts,
            &times,
            served_by_primary,
            &p,
        );
        if let Some(w) = result.windows.as_mut() {
            w.figures = figures;
            w.gateway_time =
                windows::gateway_time_report(&schedule, &window_arrivals, &outcomes, &times);
        }
    }
    if let Some((_, at)) = &peak {
        rejected_figures(&resolved, &fakes, at, result);
    }
    drop(gw);
    Ok(())
}

/// The rejected share at each offering with an RPM limit: the fake's 429s
/// from its bucket over the generation attempts it was sent, against the
/// model's rejected share at the peak.
fn rejected_figures(
    resolved: &Resolved,
    fakes: &Fakes,
    at: &PeakPrediction,
    result: &mut RunResult,
) {
    for (o, offering) in resolved.portfolio.offerings.iter().enumerate() {
        if offering.quota.rpm.is_none() {
            continue;
        }
        let Some(fake) = fakes.fakes.iter().find(|f| f.offering == offering.id) else {
            continue;
        };
        let attempts: Vec<_> = fake
            .server
            .served()
            .into_iter()
            .filter(|s| s.method == "POST" && s.request_key.is_some())
            .collect();
        let throttled = attempts.iter().filter(|s| s.throttled).count() as u64;
        result.figures.push(Figure {
            name: format!("rejected at {} (429s / attempts)", offering.id),
            plan_model: None,
            check: Check::new(at.rejected[o], throttled, attempts.len() as u64),
        });
    }
}

/// One attempt a fake saw of a client request.
#[derive(Debug, Clone)]
struct Attempt {
    offering: String,
    /// `None` for an attempt whose answer did not reach the client (it left
    /// first) or that got none.
    status: Option<u16>,
    started: Instant,
    ended: Option<Instant>,
}

/// What the fakes saw of each client request, by key: every attempt, in
/// arrival order.
type UpstreamView = BTreeMap<String, Vec<Attempt>>;

fn upstream_view(fakes: &Fakes) -> UpstreamView {
    let mut attempts: UpstreamView = BTreeMap::new();
    for fake in &fakes.fakes {
        for s in fake.server.served() {
            let Some(key) = s.request_key else { continue };
            attempts.entry(key).or_default().push(Attempt {
                offering: fake.offering.clone(),
                status: s
                    .status
                    .filter(|_| s.ended.is_some() && !s.client_disconnected),
                started: s.started,
                ended: s.ended,
            });
        }
    }
    for v in attempts.values_mut() {
        v.sort_by_key(|a| a.started);
    }
    attempts
}

/// The gateway's own time in each request that reached an upstream, by the
/// fakes' clocks and the client's (one `Instant` clock): from its sending to
/// the first upstream attempt, and, when it fell back from `primary`, from
/// the primary's last answer to the next attempt.
fn gateway_times(
    upstream: &UpstreamView,
    outcomes: &[Outcome],
    primary: &str,
) -> crate::windows::GatewayTimes {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    outcomes
        .iter()
        .filter_map(|o| {
            let v = upstream.get(&o.key)?;
            let lead_ms = ms(v.first()?.started.saturating_duration_since(o.sent?));
            let hop_ms = v
                .iter()
                .rposition(|a| a.offering == primary)
                .and_then(|last| Some((v[last].ended?, v.get(last + 1)?.started)))
                .map(|(answered, next)| ms(next.saturating_duration_since(answered)));
            Some((
                o.key.clone(),
                crate::windows::GatewayTime { lead_ms, hop_ms },
            ))
        })
        .collect()
}

/// One line per request, for whoever debugs a failed run.
fn write_outcomes(path: &Path, outcomes: &[Outcome], upstream: &UpstreamView) {
    let mut text =
        String::from("key\troute\tstatus\tserved\tlatency_ms\tupstream attempts\terror\n");
    for o in outcomes {
        let attempts: Vec<String> = upstream
            .get(&o.key)
            .map(|v| {
                v.iter()
                    .map(|a| {
                        format!(
                            "{}:{}",
                            a.offering,
                            a.status.map_or("-".to_owned(), |s| s.to_string())
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\t{:.0}\t{}\t{}\n",
            o.key,
            o.route,
            o.status.map_or("-".to_owned(), |s| s.to_string()),
            o.served_header.as_deref().unwrap_or("-"),
            o.latency.as_secs_f64() * 1000.0,
            attempts.join(" "),
            o.error.as_deref().unwrap_or("").replace(['\t', '\n'], " ")
        ));
    }
    let _ = std::fs::write(path, text);
}

#[allow(clippy::too_many_arguments)]
fn analyse(
    work: &Path,
    file: &PlanFile,
    resolved: &Resolved,
    fakes: &Fakes,
    gw: &Gateway,
    outcomes: &[Outcome],
    upstream: &UpstreamView,
    predicted: &Prediction,
    plan_model: &Prediction,
    served_shares: bool,
    result: &mut RunResult,
) {
    let n = outcomes.len() as u64;
    let routes = &resolved.portfolio.routes;
    let mut wrong = String::new();
    for fake in &fakes.fakes {
        let served = fake.server.served();
        // Gateways may look around (LiteLLM lists `GET /v1/models` of
        // OpenAI-compatible upstreams); only generations are checked.
        result.other_requests += served.iter().filter(|s| s.method != "POST").count() as u64;
        for s in served.iter().filter(|s| s.method == "POST").filter(|s| {
            s.dialect != Some(fake.dialect)
                || s.request_key.is_none()
                || s.status
                    .is_some_and(|c| (400..500).contains(&c) && c != 408 && c != 429)
        }) {
            result.wrong_requests += 1;
            wrong.push_str(&format!(
                "{}\t{} {}\t{:?}\t{:?}\t{:?}\n",
                fake.offering, s.method, s.path, s.dialect, s.request_key, s.status
            ));
        }
        let per_key: Vec<u32> = upstream
            .values()
            .map(|v| v.iter().filter(|a| a.offering == fake.offering).count() as u32)
            .filter(|&n| n > 0)
            .collect();
        let a = Attempts {
            requests: per_key.len() as u64,
            attempts: per_key.iter().map(|&v| u64::from(v)).sum(),
            max: per_key.iter().copied().max().unwrap_or(0),
        };
        result.attempts.insert(fake.offering.clone(), a);
    }
    if !wrong.is_empty() {
        let _ = std::fs::write(work.join("wrong-requests.tsv"), wrong);
    }
    // Who answered 200 to each key, by the fakes' own records.
    let answered = |key: &str| -> Vec<&str> {
        upstream.get(key).map_or(Vec::new(), |v| {
            v.iter()
                .filter(|a| a.status == Some(200))
                .map(|a| a.offering.as_str())
                .collect()
        })
    };

    let mut successes = 0_u64;
    let mut served: BTreeMap<(String, usize), u64> = BTreeMap::new();
    let mut latencies = Vec::new();
    for o in outcomes {
        if !o.succeeded() {
            let key = o.status.map_or("none".to_owned(), |s| s.to_string());
            *result.failures.entry(key).or_default() += 1;
            continue;
        }
        successes += 1;
        latencies.push(o.latency);
        let route = &routes[o.route].name;
        let by_header = o
            .served_header
            .as_deref()
            .and_then(|h| gw.served_offering(fakes, route, h));
        let answers = answered(&o.key);
        match &by_header {
            Some(offering) if answers.contains(&offering.as_str()) => {
                result.unused_answers += answers.len() as u64 - 1;
            }
            _ => result.header_mismatches += 1,
        }
        if let Some(offering) = by_header
            && let Some(step) = step_of(file, route, &offering)
        {
            *served.entry((route.clone(), step)).or_default() += 1;
        }
    }
    // Failed requests that a fake did answer: the gateway gave up first.
    for o in outcomes.iter().filter(|o| !o.succeeded()) {
        result.unused_answers += answered(&o.key).len() as u64;
    }
    latencies.sort();
    result.latency_p50_ms = percentile(&latencies, 0.5);
    result.latency_p95_ms = percentile(&latencies, 0.95);

    result.figures.push(Figure {
        name: "success".to_owned(),
        plan_model: Some(plan_model.success),
        check: Check::new(predicted.success, successes, n),
    });
    if !served_shares {
        return;
    }
    for route in routes {
        for (step, s) in file
            .routes
            .iter()
            .find(|r| r.name == route.name)
            .map(|r| r.steps.as_slice())
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let key = (route.name.clone(), step);
            let p = predicted.served.get(&key).map_or(0.0, |v| v.1);
            let observed = served.get(&key).copied().unwrap_or(0);
            result.figures.push(Figure {
                name: format!("served by {} {}. {}", route.name, step + 1, s.offering),
                plan_model: plan_model.served.get(&key).map(|v| v.1),
                check: Check::new(p, observed, successes),
            });
        }
    }
}
