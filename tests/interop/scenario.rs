//! `tests/interop/scenarios.toml`: which plans run on which gateways, how the
//! fake providers' errors look (500, 503, 429 with or without `retry-after`:
//! a plan's `error_rate` does not say), and how much traffic each run gets.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use switchyard_e2e::fake_provider::Fault;

/// The gateways the harness knows how to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GatewayKind {
    Litellm,
    Portkey,
}

impl GatewayKind {
    pub const ALL: [GatewayKind; 2] = [GatewayKind::Litellm, GatewayKind::Portkey];

    /// The name `switchyard export --format` and `evaluate --as` take.
    pub fn name(self) -> &'static str {
        match self {
            GatewayKind::Litellm => "litellm",
            GatewayKind::Portkey => "portkey",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenarios {
    pub run: RunSettings,
    pub scenario: Vec<Scenario>,
}

/// Traffic of every run, unless a scenario says otherwise.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSettings {
    /// Requests per scenario and gateway (at least 400).
    pub requests: u64,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Seeds the fakes' draws and the route choice of each request.
    pub seed: u64,
    /// The whole load of one run must be done by then, in seconds.
    pub deadline_s: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    /// One line on what it shows.
    pub about: String,
    /// The plan, relative to `tests/interop/`.
    pub plan: PathBuf,
    /// What an error looks like at each offering (by id); a 500 where absent.
    #[serde(default)]
    pub errors: BTreeMap<String, ErrorSpec>,
    /// The gateways it runs on; all when absent.
    #[serde(default)]
    pub gateways: Option<Vec<GatewayKind>>,
    /// Overrides `run.requests`.
    #[serde(default)]
    pub requests: Option<u64>,
    /// Drive the plan's peak instead of a fixed count: Poisson arrivals at
    /// the peak minute's rate for a set time (for plans with rate limits).
    #[serde(default)]
    pub peak: Option<PeakSpec>,
    /// Scheduled outage windows instead of per-request draws: the offering
    /// whose availability is below 1 is down for its MTTR at the start of every
    /// `MTTR / (1 − availability)`, `count` times, while requests arrive
    /// steadily at the plan's mean rate (`tests/interop/windows.rs`).
    #[serde(default)]
    pub windows: Option<WindowsSpec>,
    /// Failure handling set by the harness before the export.
    #[serde(default)]
    pub gateway_settings: Option<GatewaySettings>,
}

/// How many outage windows a windows scenario runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowsSpec {
    pub count: u32,
}

/// The fewest and most windows a scenario may ask for: batch means need two
/// at least; more cost CI time (a window and its up-time are tens of seconds).
pub const WINDOW_COUNT: std::ops::RangeInclusive<u32> = 2..=8;

/// Failure handling the harness writes into the plan's `[gateway]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GatewaySettings {
    /// The cooldown the lint recommends for the plan's own outage figures
    /// (`evaluate --as <gateway> --json`'s `recommended_cooldown_s`).
    Recommended,
}

/// The traffic of a peak scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeakSpec {
    /// How long the peak lasts, in seconds; its rate is the plan's
    /// (`switchyard::model::capacity::peak_rate`), so the two cannot differ.
    pub seconds: u64,
}

/// The shortest and longest peak a scenario may ask for: long enough for a
/// limit's minute to mean something, short enough for the CI's budget.
pub const PEAK_SECONDS: std::ops::RangeInclusive<u64> = 30..=90;

impl Scenario {
    pub fn runs_on(&self, gateway: GatewayKind) -> bool {
        self.gateways
            .as_ref()
            .is_none_or(|list| list.contains(&gateway))
    }

    /// The fault that stands for one failed attempt at `offering`.
    pub fn error_fault(&self, offering: &str) -> Fault {
        self.errors
            .get(offering)
            .map_or(Fault::ServerError(500), ErrorSpec::fault)
    }
}

/// One failed attempt's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorSpec {
    pub status: u16,
    /// Only for 429: the `retry-after` header in seconds; no header when absent.
    #[serde(default)]
    pub retry_after_s: Option<u64>,
}

impl ErrorSpec {
    pub fn fault(&self) -> Fault {
        match (self.status, self.retry_after_s) {
            (429, Some(retry_after_s)) => Fault::RateLimited { retry_after_s },
            (429, None) => Fault::RateLimitedNoRetryAfter,
            (status, _) => Fault::ServerError(status),
        }
    }

    /// How the report names it.
    pub fn describe(&self) -> String {
        match (self.status, self.retry_after_s) {
            (429, Some(s)) => format!("429 (retry-after {s} s)"),
            (429, None) => "429 (no retry-after)".to_owned(),
            (status, _) => status.to_string(),
        }
    }
}

/// Reads and checks the scenarios file.
pub fn load(path: &Path) -> Result<Scenarios, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let scenarios: Scenarios =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if scenarios.run.requests < 400 {
        return Err(format!(
            "{}: run.requests must be at least 400, got {}",
            path.display(),
            scenarios.run.requests
        ));
    }
    if scenarios.run.concurrency == 0 || scenarios.run.concurrency > 64 {
        return Err(format!(
            "{}: run.concurrency must be in 1..=64",
            path.display()
        ));
    }
    for s in &scenarios.scenario {
        for (offering, spec) in &s.errors {
            if !(400..=599).contains(&spec.status) {
                return Err(format!(
                    "{}: scenario {}: errors.{offering}.status must be a 4xx/5xx status",
                    path.display(),
                    s.name
                ));
            }
            if spec.retry_after_s.is_some() && spec.status != 429 {
                return Err(format!(
                    "{}: scenario {}: errors.{offering}.retry_after_s only goes with status 429",
                    path.display(),
                    s.name
                ));
            }
        }
        if let Some(peak) = s.peak {
            if !PEAK_SECONDS.contains(&peak.seconds) {
                return Err(format!(
                    "{}: scenario {}: peak.seconds must be in {}..={}, got {}",
                    path.display(),
                    s.name,
                    PEAK_SECONDS.start(),
                    PEAK_SECONDS.end(),
                    peak.seconds
                ));
            }
            if s.requests.is_some() {
                return Err(format!(
                    "{}: scenario {}: a peak scenario's requests come from the plan's peak rate; \
                     drop `requests`",
                    path.display(),
                    s.name
                ));
            }
        }
        if let Some(w) = s.windows {
            if !WINDOW_COUNT.contains(&w.count) {
                return Err(format!(
                    "{}: scenario {}: windows.count must be in {}..={}, got {}",
                    path.display(),
                    s.name,
                    WINDOW_COUNT.start(),
                    WINDOW_COUNT.end(),
                    w.count
                ));
            }
            if s.peak.is_some() || s.requests.is_some() {
                return Err(format!(
                    "{}: scenario {}: a windows scenario's requests come from the plan's mean \
                     rate over its windows; drop `peak` and `requests`",
                    path.display(),
                    s.name
                ));
            }
        }
        if s.gateway_settings.is_some() && s.windows.is_none() {
            return Err(format!(
                "{}: scenario {}: gateway_settings only goes with windows",
                path.display(),
                s.name
            ));
        }
        if s.requests.is_some_and(|n| n < 400) {
            return Err(format!(
                "{}: scenario {}: requests must be at least 400",
                path.display(),
                s.name
            ));
        }
    }
    Ok(scenarios)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_scenarios_parse_and_name_existing_plans() {
        let dir = switchyard_e2e::repo_root().join("tests/interop");
        let scenarios = load(&dir.join("scenarios.toml")).expect("scenarios.toml");
        assert!(scenarios.scenario.len() >= 5);
        for s in &scenarios.scenario {
            let plan = dir.join(&s.plan);
            switchyard::plan::load(&plan).unwrap_or_else(|e| panic!("{}: {e}", s.name));
        }
    }

    #[test]
    fn a_peak_must_fit_the_ci_budget_and_come_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("s.toml");
        let write = |extra: &str| {
            std::fs::write(
                &path,
                format!(
                    "[run]\nrequests = 400\nconcurrency = 4\nseed = 1\ndeadline_s = 60\n\
                     [[scenario]]\nname = \"p\"\nabout = \"a\"\nplan = \"x.toml\"\n{extra}"
                ),
            )
            .expect("write");
        };
        write("peak = { seconds = 60 }\n");
        let ok = load(&path).expect("a 60 s peak is fine");
        assert_eq!(ok.scenario[0].peak, Some(PeakSpec { seconds: 60 }));
        write("peak = { seconds = 600 }\n");
        let e = load(&path).unwrap_err();
        assert!(
            e.contains("peak.seconds must be in 30..=90, got 600"),
            "{e}"
        );
        write("requests = 500\npeak = { seconds = 60 }\n");
        let e = load(&path).unwrap_err();
        assert!(e.contains("drop `requests`"), "{e}");
    }

    #[test]
    fn error_specs_become_faults() {
        let spec = |status, retry_after_s| ErrorSpec {
            status,
            retry_after_s,
        };
        assert_eq!(spec(500, None).fault(), Fault::ServerError(500));
        assert_eq!(spec(429, None).fault(), Fault::RateLimitedNoRetryAfter);
        assert_eq!(
            spec(429, Some(1)).fault(),
            Fault::RateLimited { retry_after_s: 1 }
        );
    }
}
