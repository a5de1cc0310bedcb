//! Every input's valid range, in one table: the numeric fields of a plan, the
//! figures `catalog set` takes, the command-line flags, and the sizes that bound
//! a run (plan file, names, the search's option space).
//!
//! Each range comes from what the model can compute in bounded time and memory
//! and with finite, exact-enough figures; the reason is in the table. The plan
//! resolver, `catalog set`, the importers and clap's value parsers all check
//! against these entries, so no limit is written twice, and `docs/PLAN_FORMAT.md`
//! shows [`markdown_table`] (a test keeps it current).
//!
//! Non-finite values (NaN, infinities) are outside every range.

use std::fmt::Write;

/// One end of a range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    pub value: f64,
    /// Whether `value` itself is allowed.
    pub inclusive: bool,
    /// How a person reads the value, e.g. "1 second".
    pub gloss: Option<&'static str>,
}

impl Bound {
    /// `value` itself allowed.
    pub const fn incl(value: f64) -> Self {
        Self {
            value,
            inclusive: true,
            gloss: None,
        }
    }

    /// Only values beyond `value`.
    pub const fn excl(value: f64) -> Self {
        Self {
            value,
            inclusive: false,
            gloss: None,
        }
    }

    /// The same bound, read as `gloss`.
    pub const fn read_as(self, gloss: &'static str) -> Self {
        Self {
            gloss: Some(gloss),
            ..self
        }
    }

    fn text(&self) -> String {
        match self.gloss {
            // Past 2^53 the double's digits are not the value meant.
            Some(g) if self.value.abs() >= 9e15 => g.to_owned(),
            Some(g) => format!("{} ({g})", show(self.value)),
            None => show(self.value),
        }
    }
}

/// The valid range of one input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    /// Where the value is given: a plan field path (`offerings[].mttr_minutes`),
    /// a catalog figure, or a flag (`evaluate --samples`).
    pub field: &'static str,
    pub min: Bound,
    pub max: Bound,
    pub unit: &'static str,
    /// Why the range is what it is, in one line.
    pub why: &'static str,
}

impl Limit {
    /// Whether `x` is finite and in range.
    pub fn contains(&self, x: f64) -> bool {
        let above = if self.min.inclusive {
            x >= self.min.value
        } else {
            x > self.min.value
        };
        let below = if self.max.inclusive {
            x <= self.max.value
        } else {
            x < self.max.value
        };
        x.is_finite() && above && below
    }

    /// "must be at least 0.0166667 (1 second) and at most 525600 (1 year)".
    pub fn range_text(&self) -> String {
        let low = if self.min.inclusive {
            "at least"
        } else {
            "greater than"
        };
        let high = if self.max.inclusive {
            "at most"
        } else {
            "less than"
        };
        format!(
            "must be {low} {} and {high} {}",
            self.min.text(),
            self.max.text()
        )
    }

    /// `Ok` when `x` is in range; otherwise the reason, with the range:
    /// "1e-10 is out of range: must be at least ...".
    pub fn check(&self, x: f64) -> Result<(), String> {
        if self.contains(x) {
            Ok(())
        } else if x.is_finite() {
            Err(format!(
                "{} is out of range: {}",
                value_text(x),
                self.range_text()
            ))
        } else {
            Err(format!(
                "{x:?} is not a finite number: {}",
                self.range_text()
            ))
        }
    }

    /// [`Limit::check`] of a count or a whole-number field.
    pub fn check_count(&self, n: u64) -> Result<(), String> {
        if self.contains(n as f64) {
            Ok(())
        } else {
            Err(format!("{n} is out of range: {}", self.range_text()))
        }
    }

    /// Parses a flag's value as a number in range (clap's value parser).
    pub fn parse_f64(&self, text: &str) -> Result<f64, String> {
        let x: f64 = text
            .trim()
            .parse()
            .map_err(|_| format!("`{}` is not a number: {}", escape(text), self.range_text()))?;
        self.check(x)?;
        Ok(x)
    }

    /// Parses a flag's value as a whole number in range (clap's value parser).
    pub fn parse_u64(&self, text: &str) -> Result<u64, String> {
        let n: u64 = text.trim().parse().map_err(|_| {
            format!(
                "`{}` is not a whole number: {}",
                escape(text),
                self.range_text()
            )
        })?;
        self.check_count(n)?;
        Ok(n)
    }

    /// [`Limit::parse_u64`] for a flag stored as `u32` (the range must fit).
    pub fn parse_u32(&self, text: &str) -> Result<u32, String> {
        let n = self.parse_u64(text)?;
        u32::try_from(n).map_err(|_| format!("{n} is out of range: {}", self.range_text()))
    }

    /// The inclusive maximum as a count (for caps such as bytes or characters).
    pub fn max_count(&self) -> u64 {
        self.max.value as u64
    }
}

/// A value as the user may have written it: `1e-10`, `1.5`, `4` (whole
/// numbers without `.0`).
fn value_text(x: f64) -> String {
    let text = format!("{x:?}");
    match text.strip_suffix(".0") {
        Some(whole) => whole.to_owned(),
        None => text,
    }
}

/// A number as short as it reads: `0.0166667`, `525,600`, `1e15`; a large
/// whole number that is not round reads in full (`268,435,456`, not
/// `2.68435456e8`).
pub fn show(x: f64) -> String {
    if x == 0.0 {
        return "0".to_owned();
    }
    let a = x.abs();
    if !x.is_finite() || !(1e-4..1e7).contains(&a) {
        let short = format!("{x:e}");
        if x.is_finite() && x.fract() == 0.0 && a < 1e15 && short.contains('.') {
            return crate::format::count(x);
        }
        return short;
    }
    if x.fract() == 0.0 {
        return crate::format::count(x);
    }
    let decimals = (5 - a.log10().floor() as i32).max(0) as usize;
    let text = format!("{x:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

const fn limit(
    field: &'static str,
    min: Bound,
    max: Bound,
    unit: &'static str,
    why: &'static str,
) -> Limit {
    Limit {
        field,
        min,
        max,
        unit,
        why,
    }
}

const fn probability(field: &'static str, why: &'static str) -> Limit {
    limit(
        field,
        Bound::incl(0.0),
        Bound::incl(1.0),
        "probability",
        why,
    )
}

const fn renamed(base: Limit, field: &'static str) -> Limit {
    Limit { field, ..base }
}

// ---- Sizes --------------------------------------------------------------

/// The largest plan file read, in bytes (4 MiB).
pub const PLAN_FILE_BYTES: Limit = limit(
    "plan file",
    Bound::incl(0.0),
    Bound::incl(4_194_304.0).read_as("4 MiB"),
    "bytes",
    "read whole into memory before parsing; a real plan is a few KiB, and a special file such as /dev/zero is refused",
);

/// The longest name in a plan: ids, route names, models, key_env, providers.
pub const NAME_CHARS: Limit = limit(
    "names: offerings[].id, groups[].id, routes[].name, steps[].offering, model, key_env, search.candidates[], ...",
    Bound::incl(0.0),
    Bound::incl(256.0),
    "characters",
    "printed in reports and messages; names must also be free of control characters and bidirectional overrides",
);

/// The longest `api_base` URL.
pub const URL_CHARS: Limit = limit(
    "offerings[].api_base",
    Bound::incl(0.0),
    Bound::incl(2048.0),
    "characters",
    "the longest URL browsers and gateways commonly accept; also free of control characters",
);

pub const OFFERINGS_COUNT: Limit = limit(
    "offerings (entries)",
    Bound::incl(0.0),
    Bound::incl(1000.0),
    "offerings",
    "each is resolved and checked once; more than a catalog's worth is a generated file, not a plan",
);

pub const GROUPS_COUNT: Limit = limit(
    "groups (entries)",
    Bound::incl(0.0),
    Bound::incl(1000.0),
    "groups",
    "as for offerings; a route may touch at most 20 of them (its group states are enumerated)",
);

pub const ROUTES_COUNT: Limit = limit(
    "routes (entries)",
    Bound::incl(0.0),
    Bound::incl(100.0),
    "routes",
    "every route is simulated and reported line by line",
);

pub const STEPS_COUNT: Limit = limit(
    "routes[].steps (entries)",
    Bound::incl(0.0),
    Bound::incl(10.0),
    "steps",
    "each simulated request may walk every step and every attempt, so the chain bounds the work per request",
);

// ---- [workload] and [target] -------------------------------------------

pub const REQUESTS_PER_MONTH: Limit = limit(
    "workload.requests_per_month",
    Bound::incl(0.0),
    Bound::incl(1e15),
    "requests/month",
    "whole request counts stay exact in a double (below 2^53 ≈ 9e15); the monthly SLA counts them",
);

pub const INPUT_TOKENS: Limit = limit(
    "workload.input_tokens",
    Bound::incl(0.0),
    Bound::incl(1e8),
    "tokens/request",
    "ten times the largest context window; costs stay finite at the largest volume and price",
);

pub const OUTPUT_TOKENS: Limit = limit(
    "workload.output_tokens",
    Bound::incl(0.0),
    Bound::incl(1e7),
    "tokens/request",
    "generation time stays finite at the slowest speed, and a self-hosted GPU count fits in 64 bits",
);

/// One weight of a token distribution (`workload.input_tokens.weights[]`);
/// only the weights' ratios matter.
pub const TOKEN_WEIGHT: Limit = limit(
    "workload.{input,output}_tokens.weights[]",
    Bound::incl(0.0),
    Bound::incl(1e15),
    "weight",
    "a relative weight, a share or a count of requests: any scale works, and a month's count stays exact in a double",
);

pub const CACHED_INPUT_SHARE: Limit =
    probability("workload.cached_input_share", "a share of the input tokens");

pub const LATENCY_BUDGET_MS: Limit = limit(
    "workload.latency_budget_ms",
    Bound::incl(1.0),
    Bound::incl(86_400_000.0).read_as("1 day"),
    "ms",
    "a deadline for one request: nothing answers in under a millisecond, and past a day no timeout matters",
);

pub const FIXED_MONTHLY_USD: Limit = limit(
    "workload.fixed_monthly_usd",
    Bound::incl(0.0),
    Bound::incl(1e12),
    "USD/month",
    "sums of such amounts stay exact to the cent in a double",
);

pub const TARGET_AVAILABILITY: Limit =
    probability("target.availability", "a share of successful requests");

/// One weight of `workload.hourly_shape`; only the weights' ratios matter.
pub const HOURLY_WEIGHT: Limit = limit(
    "workload.hourly_shape[]",
    Bound::incl(0.0),
    Bound::incl(1e12),
    "weight",
    "a relative weight: any scale works, and the 24 of them sum to a finite positive total",
);

pub const PEAK_MINUTE_FACTOR: Limit = limit(
    "workload.peak_minute_factor",
    Bound::incl(1.0),
    Bound::incl(60.0),
    "x the peak hour's mean minute",
    "the busiest minute carries at least the hour's mean and at most the whole hour",
);

// ---- [[offerings]] and [[groups]] ---------------------------------------

pub const AVAILABILITY: Limit = probability(
    "offerings[].availability",
    "a share of time the offering is up",
);

pub const MTTR_MINUTES: Limit = limit(
    "offerings[].mttr_minutes",
    Bound::incl(1.0 / 60.0).read_as("1 second"),
    Bound::incl(525_600.0).read_as("1 year"),
    "minutes",
    "the monthly simulation draws each outage, about (1 - availability) × 43,200 / mttr of them a month: 1 second keeps a month to about a million; an outage over a year is a shutdown",
);

pub const ERROR_RATE: Limit = probability(
    "offerings[].error_rate",
    "a share of attempts that fail while the offering is up",
);

pub const ERROR_LATENCY_MS: Limit = limit(
    "offerings[].error_latency_ms",
    Bound::incl(0.0),
    Bound::incl(3_600_000.0).read_as("1 hour"),
    "ms",
    "time to an error; longer than an hour is a hang (outage = \"hang\")",
);

pub const TTFT_P50_MS: Limit = limit(
    "offerings[].ttft_p50_ms",
    Bound::incl(0.01),
    Bound::incl(3_600_000.0).read_as("1 hour"),
    "ms",
    "the log-normal through p50 and p95 keeps its spread below 12, so no simulated time overflows",
);

pub const TTFT_P95_MS: Limit = renamed(TTFT_P50_MS, "offerings[].ttft_p95_ms");

pub const TOKENS_PER_S: Limit = limit(
    "offerings[].tokens_per_s",
    Bound::incl(0.01),
    Bound::incl(1e7),
    "tokens/s",
    "generation time (output_tokens / speed) stays finite",
);

pub const PRICE_PER_MTOK: Limit = limit(
    "offerings[].input_per_mtok, cached_input_per_mtok, output_per_mtok",
    Bound::incl(0.0),
    Bound::incl(1e6),
    "USD per 1M tokens",
    "a dollar a token; cost stays finite at the largest volume and token counts",
);

/// `offerings[].tier_above_tokens`: the prompt size above which an
/// offering's price tier applies.
pub const TIER_ABOVE_TOKENS: Limit = limit(
    "offerings[].tier_above_tokens",
    Bound::incl(0.0),
    Bound::incl(1e12),
    "tokens",
    "a whole number of prompt tokens, exact in a double; as the catalog's context_window",
);

/// `offerings[].rpm_limit`: requests a minute the provider accepts.
pub const RPM_LIMIT: Limit = limit(
    "offerings[].rpm_limit",
    Bound::excl(0.0),
    Bound::incl(1e9),
    "requests/minute",
    "above any provider's published tier; the Poisson tail of a minute's count stays exact",
);

/// `offerings[].input_tpm_limit` and `output_tpm_limit`.
pub const TPM_LIMIT: Limit = limit(
    "offerings[].input_tpm_limit, output_tpm_limit",
    Bound::excl(0.0),
    Bound::incl(1e12),
    "tokens/minute",
    "above any provider's published tier; a minute's token count stays exact in a double",
);

pub const GROUP_AVAILABILITY: Limit =
    probability("groups[].availability", "a share of time the group is up");

pub const GROUP_MTTR_MINUTES: Limit = renamed(MTTR_MINUTES, "groups[].mttr_minutes");

/// `history --partial-weight`: how much a partial outage's minute counts.
pub const PARTIAL_WEIGHT: Limit = probability(
    "history --partial-weight",
    "a share of a full outage: 0 ignores partial outages, 1 counts them as full ones (the ICPE paper uses 0.3)",
);

pub const EVENTS_PER_MONTH: Limit = limit(
    "groups[].outage_process.events_per_month",
    Bound::incl(0.0),
    Bound::incl(30.0),
    "outage days per 30-day month",
    "an event is an outage day, so a month holds at most 30",
);

pub const DISPERSION: Limit = limit(
    "groups[].outage_process.dispersion",
    Bound::excl(0.0),
    Bound::incl(1e6),
    "gamma shape",
    "the shape of a gamma distribution is positive; leave it out for a Poisson count (months alike)",
);

pub const LOG_MU: Limit = limit(
    "groups[].outage_process.log_mu",
    Bound::incl(-10.0),
    Bound::incl(7.272_398_4).read_as("ln 1,440"),
    "ln minutes",
    "the median outage day lasts at most a day (1,440 minutes)",
);

pub const LOG_SIGMA: Limit = limit(
    "groups[].outage_process.log_sigma",
    Bound::incl(0.0),
    Bound::incl(10.0),
    "ln minutes",
    "a spread of e^10 (a factor of 22,000) between typical outages already covers seconds to a day",
);

// ---- [[routes]] ----------------------------------------------------------

pub const SHARE: Limit = probability("routes[].share", "a share of the traffic");

pub const ATTEMPTS: Limit = limit(
    "routes[].steps[].attempts",
    Bound::incl(1.0),
    Bound::incl(20.0),
    "tries",
    "1 + retries; each is simulated, and the backoff doubles per retry",
);

pub const TIMEOUT_MS: Limit = limit(
    "routes[].steps[].timeout_ms",
    Bound::incl(1.0),
    Bound::incl(86_400_000.0).read_as("1 day"),
    "ms",
    "as workload.latency_budget_ms",
);

pub const BACKOFF_MS: Limit = limit(
    "routes[].steps[].backoff_ms",
    Bound::incl(0.0),
    Bound::incl(3_600_000.0).read_as("1 hour"),
    "ms",
    "doubled before each retry (up to 2^19 times), and stays finite",
);

// ---- [gateway] -----------------------------------------------------------

pub const FAILURES_TO_TRIP: Limit = limit(
    "gateway.failures_to_trip",
    Bound::incl(1.0),
    Bound::incl(1_000_000.0),
    "failures",
    "a whole number; LiteLLM writes it as allowed_fails = failures - 1",
);

pub const GATEWAY_WINDOW_S: Limit = limit(
    "gateway.window_s",
    Bound::excl(0.0),
    Bound::incl(86_400.0).read_as("1 day"),
    "s",
    "failures counted longer than a day would span outages",
);

pub const COOLDOWN_S: Limit = limit(
    "gateway.cooldown_s",
    Bound::excl(0.0),
    Bound::incl(86_400.0).read_as("1 day"),
    "s",
    "a step kept out for longer than a day is removed, not cooled down",
);

// ---- [search] ------------------------------------------------------------

pub const SEARCH_MIN_QUALITY: Limit = limit(
    "search.min_quality",
    Bound::incl(0.0),
    Bound::incl(1e6),
    "score",
    "as the catalog's quality figure",
);

pub const SEARCH_MAX_PRICE: Limit = renamed(
    PRICE_PER_MTOK,
    "search.max_input_per_mtok, search.max_output_per_mtok",
);

pub const SEARCH_MAX_CHAIN_LENGTH: Limit = limit(
    "search.max_chain_length",
    Bound::incl(1.0),
    Bound::incl(3.0),
    "steps",
    "chains are scored exactly; the work grows with the options to this power",
);

pub const SEARCH_ATTEMPTS: Limit = limit(
    "search.attempts[]",
    Bound::incl(1.0),
    Bound::incl(3.0),
    "tries",
    "1 + retries; each attempt count multiplies the step options",
);

pub const SEARCH_TIMEOUT_MS: Limit = renamed(TIMEOUT_MS, "search.timeouts_ms[]");

pub const SEARCH_BACKOFF_MS: Limit = renamed(BACKOFF_MS, "search.backoff_ms");

pub const SEARCH_MIN_AVAILABILITY: Limit = probability(
    "search.min_availability, search.min_success_within_budget",
    "a share of requests",
);

pub const SEARCH_MAX_MONTHLY_USD: Limit = limit(
    "search.max_monthly_usd",
    Bound::incl(0.0),
    Bound::incl(1e30),
    "USD/month",
    "above any monthly cost the other ranges allow",
);

pub const SEARCH_P95_RESOLUTION: Limit = limit(
    "search.p95_resolution",
    Bound::incl(0.0),
    Bound::incl(0.5),
    "fraction",
    "0 is the exact frontier (seconds to minutes past a hundred candidates); past 0.5, p95s a factor 1.5 apart would count as one",
);

pub const SEARCH_AVAILABILITY_RESOLUTION: Limit = limit(
    "search.availability_resolution_nines",
    Bound::incl(0.0),
    Bound::incl(1.0),
    "nines",
    "0 is the exact frontier; past one nine, 99% and 99.9% would count as one",
);

/// The most step options a search scores: candidates × attempts × timeouts.
/// Measured in `BENCHMARKS.md` (Search option space).
pub const SEARCH_OPTIONS: Limit = limit(
    "[search] step options (candidates × attempts × timeouts)",
    Bound::incl(1.0),
    Bound::incl(1000.0),
    "options",
    "time and memory grow with about the cube of the options: over the embedded catalog 912 took 1.1 s and 177 MB, 2,280 took 27 s and 4.5 GB (BENCHMARKS.md)",
);

// ---- [tco] ---------------------------------------------------------------

pub const TCO_HORIZON_MONTHS: Limit = limit(
    "tco.horizon_months",
    Bound::incl(1.0),
    Bound::incl(600.0).read_as("50 years"),
    "months",
    "one row per month",
);

pub const TCO_MONTHLY_GROWTH: Limit = limit(
    "tco.monthly_growth",
    Bound::incl(-0.5),
    Bound::incl(1.0),
    "share per month",
    "halving to doubling a month; the last month's volume must also stay within workload.requests_per_month's range",
);

pub const TCO_PEAK_TO_MEAN: Limit = limit(
    "tco.peak_to_mean",
    Bound::incl(1.0),
    Bound::incl(100.0),
    "ratio",
    "capacity is sized for the peak; the GPU count must fit in 64 bits",
);

pub const TCO_USD_PER_HOUR: Limit = limit(
    "tco.engineering_usd_per_hour, tco.self_hosted.gpu_usd_per_hour",
    Bound::incl(0.0),
    Bound::incl(1e6),
    "USD/hour",
    "totals over the horizon stay exact to the cent",
);

pub const TCO_USD_PER_MONTH: Limit = limit(
    "tco.gateway_usd_per_month, tco.self_hosted.operations_usd_per_month",
    Bound::incl(0.0),
    Bound::incl(1e12),
    "USD/month",
    "as workload.fixed_monthly_usd",
);

pub const TCO_INTEGRATION_HOURS: Limit = limit(
    "tco.api.integration_hours, tco.self_hosted.integration_hours",
    Bound::incl(0.0),
    Bound::incl(1e7),
    "hours",
    "a thousand engineer-years",
);

pub const TCO_UPKEEP_HOURS: Limit = limit(
    "tco.api.upkeep_hours_per_month, tco.self_hosted.upkeep_hours_per_month",
    Bound::incl(0.0),
    Bound::incl(1e6),
    "hours/month",
    "a thousand full-time teams",
);

pub const TCO_TOKENS_PER_S_PER_GPU: Limit = limit(
    "tco.self_hosted.tokens_per_s_per_gpu",
    Bound::incl(1.0),
    Bound::incl(1e9),
    "tokens/s",
    "the GPU count (volume / capacity) must fit in 64 bits",
);

pub const TCO_UTILISATION_TARGET: Limit = limit(
    "tco.self_hosted.utilisation_target",
    Bound::incl(0.05),
    Bound::incl(1.0),
    "share",
    "a share of a GPU's throughput; under 5% the GPU count could overflow",
);

pub const TCO_SPARE_REPLICAS: Limit = limit(
    "tco.self_hosted.spare_replicas",
    Bound::incl(0.0),
    Bound::incl(1000.0),
    "replicas",
    "added to the GPU count every month",
);

pub const TCO_GPU_PURCHASE_USD: Limit = limit(
    "tco.self_hosted.gpu_purchase_usd",
    Bound::incl(0.0),
    Bound::incl(1e9),
    "USD",
    "totals over the horizon stay exact to the cent",
);

pub const TCO_AMORTISATION_MONTHS: Limit = limit(
    "tco.self_hosted.amortisation_months",
    Bound::incl(1.0),
    Bound::incl(600.0).read_as("50 years"),
    "months",
    "the purchase is spread over these months",
);

pub const TCO_POWER_KW: Limit = limit(
    "tco.self_hosted.power_kw",
    Bound::incl(0.0),
    Bound::incl(1e4),
    "kW per GPU",
    "a server rack's worth per GPU",
);

pub const TCO_PUE: Limit = limit(
    "tco.self_hosted.pue",
    Bound::incl(1.0),
    Bound::incl(10.0),
    "ratio",
    "power usage effectiveness: 1 is perfect",
);

pub const TCO_USD_PER_KWH: Limit = limit(
    "tco.self_hosted.usd_per_kwh",
    Bound::incl(0.0),
    Bound::incl(1e3),
    "USD/kWh",
    "totals stay exact to the cent",
);

pub const TCO_REPLICA_AVAILABILITY: Limit = probability(
    "tco.self_hosted.replica_availability",
    "uptime of one replica",
);

// ---- Catalog figures without a plan field --------------------------------

pub const CATALOG_QUALITY: Limit = limit(
    "catalog: quality",
    Bound::incl(0.0),
    Bound::incl(1e6),
    "score",
    "compared with search.min_quality",
);

pub const CATALOG_CONTEXT_WINDOW: Limit = limit(
    "catalog: context_window",
    Bound::incl(0.0),
    Bound::incl(1e12),
    "tokens",
    "a whole number of tokens, exact in a double",
);

// ---- Command-line flags --------------------------------------------------

pub const SIM_SAMPLES: Limit = limit(
    "evaluate --samples; app: simulated requests",
    Bound::incl(1.0),
    Bound::incl(1e9),
    "requests",
    "time grows with the samples (about a minute at 1e9) and memory does not",
);

pub const PERIODS: Limit = limit(
    "evaluate --months, chart --months; app: simulated periods",
    Bound::incl(1.0),
    Bound::incl(1e6),
    "periods",
    "each period draws every outage in it, so time grows with periods × outages (BENCHMARKS.md: at the lowest MTTR, 1,000 months took 25 s)",
);

pub const SEED: Limit = limit(
    "--seed",
    Bound::incl(0.0),
    Bound::incl(u64::MAX as f64).read_as("2^64 - 1"),
    "",
    "any 64-bit value: it only picks the random stream",
);

pub const CHART_SAMPLES: Limit = limit(
    "chart --samples; app: a chart's simulated requests",
    Bound::incl(1.0),
    Bound::incl(1e8),
    "requests",
    "a chart keeps the simulated latencies it draws",
);

pub const SEARCH_SAMPLES: Limit = limit(
    "search --samples; app: simulated requests per frontier point",
    Bound::incl(1.0),
    Bound::incl(1e7),
    "requests per frontier point",
    "every point of the frontier is simulated",
);

pub const PROBE_COUNT: Limit = limit(
    "probe --count; app: probes per offering",
    Bound::incl(1.0),
    Bound::incl(100_000.0),
    "probes per offering",
    "each probe is a paid request, stored in the catalog",
);

pub const PROBE_CONCURRENCY: Limit = limit(
    "probe --concurrency, probe --per-provider; app: the same",
    Bound::incl(1.0),
    Bound::incl(1000.0),
    "requests in flight",
    "one connection each",
);

pub const PROBE_SECONDS: Limit = limit(
    "probe --timeout, probe --stall-timeout, probe --interval; app: the same",
    Bound::excl(0.0),
    Bound::excl(1e7).read_as("about 4 months"),
    "seconds",
    "a deadline or a pause, held as a duration",
);

pub const PROBE_MAX_SPEND: Limit = limit(
    "probe --max-spend; app: spend cap",
    Bound::incl(0.0),
    Bound::incl(1e6),
    "USD",
    "a cap on what the probes may spend, at catalog prices",
);

pub const PROBE_MAX_TOKENS: Limit = limit(
    "probe --max-tokens; app: token cap",
    Bound::incl(1.0),
    Bound::incl(1e12),
    "tokens",
    "a cap on the tokens the probes may use",
);

pub const PROBE_OUTPUT_TOKENS: Limit = limit(
    "probe --output-tokens; app: output tokens per probe",
    Bound::incl(1.0),
    Bound::incl(4096.0),
    "tokens",
    "max_tokens of each probe's completion: a probe measures speed, not long answers",
);

pub const PROBE_HOURS: Limit = limit(
    "probe stats --hours",
    Bound::excl(0.0),
    Bound::incl(1e6),
    "hours",
    "a look-back window of up to a century",
);

pub const REFRESH_TIMEOUT_S: Limit = limit(
    "catalog import --url --timeout-s; app: a price check's timeout",
    Bound::excl(0.0),
    Bound::incl(3600.0).read_as("1 hour"),
    "seconds",
    "the whole download; a price list is a few MB, so an hour means it is stuck",
);

pub const REFRESH_MAX_BYTES: Limit = limit(
    "catalog import --url: the download's size cap",
    Bound::incl(1.0),
    Bound::incl(268_435_456.0).read_as("256 MiB"),
    "bytes",
    "the body is held in memory; no larger than the largest import file read",
);

/// Every limit, in the order `docs/PLAN_FORMAT.md` lists them.
pub const ALL: &[Limit] = &[
    PLAN_FILE_BYTES,
    NAME_CHARS,
    URL_CHARS,
    OFFERINGS_COUNT,
    GROUPS_COUNT,
    ROUTES_COUNT,
    STEPS_COUNT,
    REQUESTS_PER_MONTH,
    INPUT_TOKENS,
    OUTPUT_TOKENS,
    TOKEN_WEIGHT,
    CACHED_INPUT_SHARE,
    LATENCY_BUDGET_MS,
    FIXED_MONTHLY_USD,
    TARGET_AVAILABILITY,
    HOURLY_WEIGHT,
    PEAK_MINUTE_FACTOR,
    AVAILABILITY,
    MTTR_MINUTES,
    ERROR_RATE,
    ERROR_LATENCY_MS,
    TTFT_P50_MS,
    TTFT_P95_MS,
    TOKENS_PER_S,
    PRICE_PER_MTOK,
    TIER_ABOVE_TOKENS,
    RPM_LIMIT,
    TPM_LIMIT,
    GROUP_AVAILABILITY,
    GROUP_MTTR_MINUTES,
    PARTIAL_WEIGHT,
    EVENTS_PER_MONTH,
    DISPERSION,
    LOG_MU,
    LOG_SIGMA,
    SHARE,
    ATTEMPTS,
    TIMEOUT_MS,
    BACKOFF_MS,
    FAILURES_TO_TRIP,
    GATEWAY_WINDOW_S,
    COOLDOWN_S,
    SEARCH_MIN_QUALITY,
    SEARCH_MAX_PRICE,
    SEARCH_MAX_CHAIN_LENGTH,
    SEARCH_ATTEMPTS,
    SEARCH_TIMEOUT_MS,
    SEARCH_BACKOFF_MS,
    SEARCH_MIN_AVAILABILITY,
    SEARCH_MAX_MONTHLY_USD,
    SEARCH_P95_RESOLUTION,
    SEARCH_AVAILABILITY_RESOLUTION,
    SEARCH_OPTIONS,
    TCO_HORIZON_MONTHS,
    TCO_MONTHLY_GROWTH,
    TCO_PEAK_TO_MEAN,
    TCO_USD_PER_HOUR,
    TCO_USD_PER_MONTH,
    TCO_INTEGRATION_HOURS,
    TCO_UPKEEP_HOURS,
    TCO_TOKENS_PER_S_PER_GPU,
    TCO_UTILISATION_TARGET,
    TCO_SPARE_REPLICAS,
    TCO_GPU_PURCHASE_USD,
    TCO_AMORTISATION_MONTHS,
    TCO_POWER_KW,
    TCO_PUE,
    TCO_USD_PER_KWH,
    TCO_REPLICA_AVAILABILITY,
    CATALOG_QUALITY,
    CATALOG_CONTEXT_WINDOW,
    SIM_SAMPLES,
    PERIODS,
    SEED,
    CHART_SAMPLES,
    SEARCH_SAMPLES,
    PROBE_COUNT,
    PROBE_CONCURRENCY,
    PROBE_SECONDS,
    PROBE_MAX_SPEND,
    PROBE_MAX_TOKENS,
    PROBE_OUTPUT_TOKENS,
    PROBE_HOURS,
    REFRESH_TIMEOUT_S,
    REFRESH_MAX_BYTES,
];

/// The table as Markdown: field, min, max, unit, why.
pub fn markdown_table() -> String {
    let mut out = String::from("| field | min | max | unit | why |\n|---|---|---|---|---|\n");
    let cell = |s: &str| s.replace('|', "\\|");
    for l in ALL {
        let min = format!(
            "{} {}",
            if l.min.inclusive { "≥" } else { ">" },
            l.min.text()
        );
        let max = format!(
            "{} {}",
            if l.max.inclusive { "≤" } else { "<" },
            l.max.text()
        );
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            cell(l.field),
            cell(&min),
            cell(&max),
            cell(l.unit),
            cell(l.why)
        );
    }
    out
}

// ---- Text safety ----------------------------------------------------------

/// Characters no name may hold: control characters (Unicode category Cc, ESC
/// among them) and the bidirectional overrides and isolates, which can make a
/// terminal show text other than what is there.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// Checks a name against [`NAME_CHARS`] (or `limit`): the reason when it is too
/// long or holds an unsafe character. The name itself is never echoed.
pub fn check_text(text: &str, limit: &Limit) -> Result<(), String> {
    if let Some((i, c)) = text.chars().enumerate().find(|&(_, c)| is_unsafe_char(c)) {
        return Err(format!(
            "holds the control character U+{:04X} at character {}: names must be printable (no control characters or bidirectional overrides)",
            u32::from(c),
            i + 1
        ));
    }
    let chars = text.chars().count() as u64;
    if chars > limit.max_count() {
        return Err(format!(
            "is {chars} characters long; at most {} are allowed",
            limit.max_count()
        ));
    }
    Ok(())
}

/// `text` with every unsafe character written as `\u{..}`, for messages that
/// must quote what a user or a server gave.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
#[path = "limits_tests.rs"]
mod tests;
