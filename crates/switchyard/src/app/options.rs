//! The options of each job a person starts: a simulation, a chart, a search, a
//! probe run, an import. Each type is the one definition of its defaults and
//! its valid ranges: the CLI's flags take their defaults from `Default` and
//! their value parsers from the [`Limit`]s named here, the desktop shell
//! deserializes these types as they are, and the UI reads the defaults through
//! the `app_defaults` command ([`Defaults`]).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::catalog::{FetchLimits, ImportFormat, RefreshFormat, RefreshSource};
use crate::limits::{self, Limit};
use crate::model::EvaluateOptions;
use crate::model::monthly::Period;
use crate::plan::{TCO_DEFAULTS, TcoDefaults};
use crate::probe::{ProbeKind, ProbeOptions, SweepOptions};

/// An option outside its range, named as the person set it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{option}: {reason}")]
pub struct OptionsError {
    /// What the option is called on screen: "simulated requests".
    pub option: &'static str,
    pub reason: String,
}

/// Checks a count against `limit`, naming the option as `option`.
fn count(option: &'static str, limit: &Limit, n: u64) -> Result<(), OptionsError> {
    limit
        .check_count(n)
        .map_err(|reason| OptionsError { option, reason })
}

/// Checks a number against `limit`, naming the option as `option`.
fn number(option: &'static str, limit: &Limit, x: f64) -> Result<(), OptionsError> {
    limit
        .check(x)
        .map_err(|reason| OptionsError { option, reason })
}

/// How to compare portfolios (`switchyard compare`, `switchyard report`, the
/// Compare page): each is simulated as [`SimOptions`] say, at one SLA target.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct CompareOptions {
    pub sim: SimOptions,
    /// The portfolio the differences are taken from, 0-based.
    pub baseline: usize,
    /// The common SLA target; `None`: the baseline plan's `[target]`, else
    /// the model's default.
    pub target: Option<f64>,
}

impl CompareOptions {
    pub const TARGET: Limit = limits::TARGET_AVAILABILITY;

    pub fn validate(&self) -> Result<(), OptionsError> {
        self.sim.validate()?;
        match self.target {
            Some(t) => number("SLA target", &Self::TARGET, t),
            None => Ok(()),
        }
    }
}

/// How to simulate a plan's evaluation (`switchyard evaluate`, the Plan and
/// Analysis pages).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SimOptions {
    /// Simulated requests, for the budget and latency figures.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub samples: u64,
    /// The seed of every simulation: the same seed gives the same figures.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seed: u64,
    /// Simulated periods for the SLA distribution.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub months: u64,
    /// The period whose success ratio the SLA distribution describes.
    pub period: Period,
}

impl SimOptions {
    pub const SAMPLES: Limit = limits::SIM_SAMPLES;
    pub const SEED: Limit = limits::SEED;
    pub const MONTHS: Limit = limits::PERIODS;

    pub fn validate(&self) -> Result<(), OptionsError> {
        count("simulated requests", &Self::SAMPLES, self.samples)?;
        count("seed", &Self::SEED, self.seed)?;
        count("simulated periods", &Self::MONTHS, self.months)
    }

    /// The model's options for a plan with `target` (the plan's `[target]`,
    /// or the model's default target).
    pub fn evaluate(&self, target: Option<f64>) -> EvaluateOptions {
        let defaults = EvaluateOptions::default();
        EvaluateOptions {
            samples: self.samples,
            seed: self.seed,
            periods: self.months,
            period: self.period,
            target: target.unwrap_or(defaults.target),
        }
    }
}

impl Default for SimOptions {
    /// The model's own defaults.
    fn default() -> Self {
        let model = EvaluateOptions::default();
        Self {
            samples: model.samples,
            seed: model.seed,
            months: model.periods,
            period: model.period,
        }
    }
}

/// How to simulate for a chart of a plan (`switchyard chart`, the Analysis
/// page's charts). A chart keeps the latencies it draws, so it simulates fewer
/// requests than an evaluation; they look the same at this many.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChartOptions {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub samples: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seed: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub months: u64,
    pub period: Period,
}

impl ChartOptions {
    pub const SAMPLES: Limit = limits::CHART_SAMPLES;

    pub fn validate(&self) -> Result<(), OptionsError> {
        count("simulated requests", &Self::SAMPLES, self.samples)?;
        count("seed", &SimOptions::SEED, self.seed)?;
        count("simulated periods", &SimOptions::MONTHS, self.months)
    }
}

impl Default for ChartOptions {
    fn default() -> Self {
        let sim = SimOptions::default();
        Self {
            samples: 200_000,
            seed: sim.seed,
            months: sim.months,
            period: sim.period,
        }
    }
}

/// How to score a plan's `[search]` (`switchyard search`, the Search page).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SearchOptions {
    /// Simulated requests per frontier point (latency, success in budget).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub samples: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seed: u64,
}

impl SearchOptions {
    pub const SAMPLES: Limit = limits::SEARCH_SAMPLES;

    pub fn validate(&self) -> Result<(), OptionsError> {
        count(
            "simulated requests per frontier point",
            &Self::SAMPLES,
            self.samples,
        )?;
        count("seed", &SimOptions::SEED, self.seed)
    }
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            samples: 20_000,
            seed: SimOptions::default().seed,
        }
    }
}

/// The caps of a probe run (`switchyard probe`, the Probes page).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProbeRunOptions {
    /// Probes per offering.
    pub count: u32,
    /// Probes in flight at once, over all offerings.
    pub concurrency: u32,
    /// Probes in flight at once against one endpoint.
    pub per_provider: u32,
    /// Seconds between rounds (a monitor); `None` probes as fast as the caps allow.
    pub interval_s: Option<f64>,
    /// Stop before spending more than this many USD, at catalog prices.
    pub max_spend_usd: f64,
    /// Stop before using more than this many tokens.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub max_tokens: Option<u64>,
    /// `max_tokens` of each probe's completion.
    pub output_tokens: u32,
    /// Hard deadline of one probe, in seconds.
    pub timeout_s: f64,
    /// Longest silence, in seconds, between two chunks of a stream once its
    /// content started: past it the probe fails as a stalled stream.
    pub stall_timeout_s: f64,
    /// List models instead of generating: reachability only, no tokens.
    pub reachability: bool,
}

impl ProbeRunOptions {
    pub const COUNT: Limit = limits::PROBE_COUNT;
    pub const CONCURRENCY: Limit = limits::PROBE_CONCURRENCY;
    pub const SECONDS: Limit = limits::PROBE_SECONDS;
    pub const MAX_SPEND_USD: Limit = limits::PROBE_MAX_SPEND;
    pub const MAX_TOKENS: Limit = limits::PROBE_MAX_TOKENS;
    pub const OUTPUT_TOKENS: Limit = limits::PROBE_OUTPUT_TOKENS;

    pub fn validate(&self) -> Result<(), OptionsError> {
        count("probes per offering", &Self::COUNT, u64::from(self.count))?;
        count(
            "concurrency",
            &Self::CONCURRENCY,
            u64::from(self.concurrency),
        )?;
        count(
            "concurrency per provider",
            &Self::CONCURRENCY,
            u64::from(self.per_provider),
        )?;
        if let Some(interval) = self.interval_s {
            number("the interval", &Self::SECONDS, interval)?;
        }
        number("the spend cap", &Self::MAX_SPEND_USD, self.max_spend_usd)?;
        if let Some(tokens) = self.max_tokens {
            count("the token cap", &Self::MAX_TOKENS, tokens)?;
        }
        count(
            "output tokens per probe",
            &Self::OUTPUT_TOKENS,
            u64::from(self.output_tokens),
        )?;
        number("the probe timeout", &Self::SECONDS, self.timeout_s)?;
        number("the stall timeout", &Self::SECONDS, self.stall_timeout_s)
    }

    /// The scheduler's options; validate first (durations come from seconds
    /// in range).
    pub fn sweep(&self) -> SweepOptions {
        SweepOptions {
            count: self.count,
            interval: self.interval_s.map(Duration::from_secs_f64),
            concurrency: self.concurrency as usize,
            per_provider: self.per_provider as usize,
            max_spend_usd: Some(self.max_spend_usd),
            max_tokens: self.max_tokens,
            kind: if self.reachability {
                ProbeKind::Reachability
            } else {
                ProbeKind::Stream
            },
            probe: ProbeOptions {
                max_tokens: self.output_tokens,
                deadline: Duration::from_secs_f64(self.timeout_s),
                stall_timeout: Duration::from_secs_f64(self.stall_timeout_s),
                ..ProbeOptions::default()
            },
            ..SweepOptions::default()
        }
    }
}

impl Default for ProbeRunOptions {
    /// The scheduler's and the probe's own defaults.
    fn default() -> Self {
        let sweep = SweepOptions::default();
        Self {
            count: sweep.count,
            concurrency: u32::try_from(sweep.concurrency).unwrap_or(u32::MAX),
            per_provider: u32::try_from(sweep.per_provider).unwrap_or(u32::MAX),
            interval_s: sweep.interval.map(|d| d.as_secs_f64()),
            max_spend_usd: sweep.max_spend_usd.unwrap_or(0.0),
            max_tokens: sweep.max_tokens,
            output_tokens: sweep.probe.max_tokens,
            timeout_s: sweep.probe.deadline.as_secs_f64(),
            stall_timeout_s: sweep.probe.stall_timeout.as_secs_f64(),
            reachability: sweep.kind == ProbeKind::Reachability,
        }
    }
}

/// How to import a price list (`switchyard catalog import`, the Catalog page).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOptions {
    pub format: ImportFormat,
    /// Import every mode (embedding, image, ...), not only chat.
    pub all_modes: bool,
}

impl ImportOptions {
    /// Nothing to range-check: the format is one of the known ones by type.
    pub fn validate(&self) -> Result<(), OptionsError> {
        Ok(())
    }

    /// The importer's options.
    pub fn catalog(&self) -> crate::catalog::ImportOptions {
        crate::catalog::ImportOptions {
            all_modes: self.all_modes,
        }
    }
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            format: ImportFormat::Litellm,
            all_modes: crate::catalog::ImportOptions::default().all_modes,
        }
    }
}

/// How to fetch a price list and check it against the catalog
/// (`switchyard catalog import --url`, the Catalog page's "Check for price
/// changes"). The URL is given beside these; without one, the format's
/// default ([`RefreshFormat::default_url`]).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RefreshOptions {
    pub format: RefreshFormat,
    /// Import every mode (embedding, image, ...), not only chat.
    pub all_modes: bool,
    /// The whole download, in seconds.
    pub timeout_s: f64,
    /// The largest body read, in bytes: a wrong URL must not fill memory.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub max_bytes: u64,
}

impl RefreshOptions {
    pub const TIMEOUT_S: Limit = limits::REFRESH_TIMEOUT_S;
    pub const MAX_BYTES: Limit = limits::REFRESH_MAX_BYTES;

    pub fn validate(&self) -> Result<(), OptionsError> {
        number("the download's timeout", &Self::TIMEOUT_S, self.timeout_s)?;
        count("the download's size cap", &Self::MAX_BYTES, self.max_bytes)
    }

    /// The download's limits; validate first (the timeout comes from seconds
    /// in range).
    pub fn limits(&self) -> FetchLimits {
        FetchLimits {
            timeout: Duration::from_secs_f64(self.timeout_s),
            max_bytes: self.max_bytes,
        }
    }

    /// The importer's options.
    pub fn catalog(&self) -> crate::catalog::ImportOptions {
        crate::catalog::ImportOptions {
            all_modes: self.all_modes,
        }
    }
}

impl Default for RefreshOptions {
    /// A minute and 32 MiB: LiteLLM's map is about 3 MB and OpenRouter's list
    /// under 2 MB, so both fit ten times over, on a slow line too.
    fn default() -> Self {
        Self {
            format: RefreshFormat::Litellm,
            all_modes: crate::catalog::ImportOptions::default().all_modes,
            timeout_s: 60.0,
            max_bytes: 32 * 1024 * 1024,
        }
    }
}

/// Every job's defaults, for the UI (the `app_defaults` command).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Defaults {
    pub sim: SimOptions,
    pub chart: ChartOptions,
    pub search: SearchOptions,
    /// The resolution of a search with p95 or success within the budget
    /// when the plan's `[search]` sets none.
    pub search_resolution: crate::model::search::Resolution,
    pub probe: ProbeRunOptions,
    pub import: ImportOptions,
    /// What `[tco]` takes for each field it leaves out.
    pub tco: TcoDefaults,
    pub refresh: RefreshOptions,
    /// The lists a refresh can fetch, with their default URLs.
    pub refresh_sources: [RefreshSource; 2],
}

impl Default for Defaults {
    fn default() -> Self {
        Self {
            sim: SimOptions::default(),
            chart: ChartOptions::default(),
            search: SearchOptions::default(),
            search_resolution: crate::model::search::Resolution::DEFAULT,
            probe: ProbeRunOptions::default(),
            import: ImportOptions::default(),
            tco: TCO_DEFAULTS,
            refresh: RefreshOptions::default(),
            refresh_sources: RefreshSource::all(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_valid() {
        let d = Defaults::default();
        d.sim.validate().expect("sim");
        d.chart.validate().expect("chart");
        d.search.validate().expect("search");
        d.probe.validate().expect("probe");
        d.import.validate().expect("import");
        d.refresh.validate().expect("refresh");
    }

    #[test]
    fn refresh_options_are_range_checked_and_become_limits() {
        let ok = RefreshOptions::default();
        assert_eq!(ok.limits().timeout, Duration::from_secs(60));
        for bad in [
            RefreshOptions {
                timeout_s: 0.0,
                ..ok
            },
            RefreshOptions {
                timeout_s: f64::NAN,
                ..ok
            },
            RefreshOptions { max_bytes: 0, ..ok },
            RefreshOptions {
                max_bytes: 1 << 40,
                ..ok
            },
        ] {
            let e = bad.validate().expect_err("invalid");
            assert!(e.option.starts_with("the download's"), "{e}");
        }
        let json =
            r#"{"format": "openrouter", "all_modes": false, "timeout_s": 5, "max_bytes": 1000}"#;
        let parsed: RefreshOptions = serde_json::from_str(json).expect("parses");
        assert_eq!(parsed.format, RefreshFormat::Openrouter);
    }

    #[test]
    fn the_defaults_are_the_models_and_the_schedulers() {
        let sim = SimOptions::default();
        let model = EvaluateOptions::default();
        assert_eq!(
            (sim.samples, sim.seed, sim.months),
            (model.samples, model.seed, model.periods)
        );
        let probe = ProbeRunOptions::default().sweep();
        let sweep = SweepOptions::default();
        assert_eq!(probe.count, sweep.count);
        assert_eq!(probe.max_spend_usd, sweep.max_spend_usd);
        assert_eq!(probe.probe.deadline, sweep.probe.deadline);
    }

    #[test]
    fn an_option_out_of_range_is_named() {
        let e = SimOptions {
            samples: 0,
            ..SimOptions::default()
        }
        .validate()
        .expect_err("zero samples");
        assert_eq!(e.option, "simulated requests");
        assert!(
            e.to_string()
                .starts_with("simulated requests: 0 is out of range")
        );
        let e = ProbeRunOptions {
            timeout_s: 0.0,
            ..ProbeRunOptions::default()
        }
        .validate()
        .expect_err("zero timeout");
        assert_eq!(e.option, "the probe timeout");
        let e = ProbeRunOptions {
            stall_timeout_s: f64::INFINITY,
            ..ProbeRunOptions::default()
        }
        .validate()
        .expect_err("an endless stall timeout");
        assert_eq!(e.option, "the stall timeout");
        let e = SearchOptions {
            samples: 10_000_001,
            ..SearchOptions::default()
        }
        .validate()
        .expect_err("too many");
        assert!(e.to_string().contains("at most 1e7"), "{e}");
    }

    #[test]
    fn probe_options_become_the_schedulers() {
        let options = ProbeRunOptions {
            count: 5,
            max_spend_usd: 0.25,
            timeout_s: 12.5,
            stall_timeout_s: 2.5,
            interval_s: Some(60.0),
            reachability: true,
            ..ProbeRunOptions::default()
        };
        let sweep = options.sweep();
        assert_eq!(sweep.count, 5);
        assert_eq!(sweep.max_spend_usd, Some(0.25));
        assert_eq!(sweep.probe.deadline, Duration::from_millis(12_500));
        assert_eq!(sweep.probe.stall_timeout, Duration::from_millis(2_500));
        assert_eq!(sweep.interval, Some(Duration::from_secs(60)));
        assert_eq!(sweep.kind, ProbeKind::Reachability);
    }

    #[test]
    fn bad_probe_options_are_refused_in_words() {
        let ok = ProbeRunOptions::default();
        for bad in [
            ProbeRunOptions { count: 0, ..ok },
            ProbeRunOptions {
                max_spend_usd: f64::NAN,
                ..ok
            },
            ProbeRunOptions {
                timeout_s: -1.0,
                ..ok
            },
            ProbeRunOptions {
                stall_timeout_s: 0.0,
                ..ok
            },
            ProbeRunOptions {
                output_tokens: 0,
                ..ok
            },
            ProbeRunOptions {
                interval_s: Some(0.0),
                ..ok
            },
        ] {
            let e = bad.validate().expect_err("invalid");
            assert!(!e.to_string().contains('{'), "{e}");
        }
    }

    #[test]
    fn options_read_as_the_ui_sends_them() {
        let json = r#"{"samples": 5, "seed": 2, "months": 3, "period": "day"}"#;
        let sim: SimOptions = serde_json::from_str(json).expect("parses");
        assert_eq!(sim.period, Period::Day);
        let import: ImportOptions =
            serde_json::from_str(r#"{"format": "openrouter", "all_modes": true}"#).expect("parses");
        assert_eq!(import.format, ImportFormat::Openrouter);
    }
}
