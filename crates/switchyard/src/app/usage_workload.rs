//! `switchyard usage workload`: a plan's `[workload]` measured from the
//! stored usage (`usage::workload`), as the plan's own fields and as TOML
//! ready to paste, the same for the CLI and the app.

use serde::Serialize;

use crate::catalog::usage_window::UsageWindow;
use crate::catalog::{Catalog, CatalogError};
use crate::plan::{TokenCount, TokenDistribution, WorkloadSpec};
use crate::usage::time::parse_bound;
use crate::usage::workload::{Bin, MeasuredWorkload, NoTraffic, measure, window};

/// What to measure.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WorkloadOptions {
    pub window: UsageWindow,
    /// Project the volume this many months past the window's end with the
    /// fitted growth; 0 keeps the window's own volume.
    pub months_ahead: u32,
    /// Write the mean tokens only, not the distributions.
    pub means_only: bool,
}

/// The measured workload and the `[workload]` made of it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageWorkload {
    pub measured: MeasuredWorkload,
    /// `requests_per_month` projected, when `months_ahead` > 0.
    pub months_ahead: u32,
    pub workload: WorkloadSpec,
}

/// What the app asks to measure: the window as typed (dates or times),
/// read by the same rule as the CLI's `--since` and `--until`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize)]
pub struct WorkloadRequest {
    pub since: Option<String>,
    pub until: Option<String>,
    pub models: Vec<String>,
    pub months_ahead: u32,
    pub means_only: bool,
}

impl WorkloadRequest {
    /// The options, or which bound is not a date or time and why.
    pub fn options(&self) -> Result<WorkloadOptions, UsageWorkloadError> {
        Ok(WorkloadOptions {
            window: typed_window(&self.since, &self.until, &self.models)
                .map_err(|(field, reason)| UsageWorkloadError::Bound { field, reason })?,
            months_ahead: self.months_ahead,
            means_only: self.means_only,
        })
    }
}

/// A window of stored usage as the app's fields give it (blank is open),
/// read by the CLI's rule for `--since` and `--until`; an error names the
/// field and why.
pub fn typed_window(
    since: &Option<String>,
    until: &Option<String>,
    models: &[String],
) -> Result<UsageWindow, (&'static str, String)> {
    let bound = |field: &'static str, text: &Option<String>| {
        text.as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(parse_bound)
            .transpose()
            .map_err(|reason| (field, reason))
    };
    Ok(UsageWindow {
        since_ms: bound("since", since)?,
        until_ms: bound("until", until)?,
        models: models.to_vec(),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum UsageWorkloadError {
    #[error("{field}: {reason}")]
    Bound { field: &'static str, reason: String },
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    NoTraffic(#[from] NoTraffic),
    #[error("cannot project {months} months ahead: no growth was fitted ({reason})")]
    NoGrowth { months: u32, reason: String },
}

/// Rounds to `digits` decimals: a plan reads better with 1,234.5 tokens than
/// with 1,234.4871…, and the digits dropped are far below what a month of
/// logs can tell.
fn round(x: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (x * scale).round() / scale
}

/// A histogram as a plan's distribution: each bin at its exact mean,
/// weighted by its requests. Not rounded: a mean just above a price tier's
/// threshold must stay above it.
fn distribution(bins: &[Bin]) -> TokenCount {
    TokenCount::Distribution(TokenDistribution {
        values: bins.iter().map(|b| b.mean).collect(),
        weights: bins.iter().map(|b| b.requests as f64).collect(),
    })
}

/// Measures the stored usage in `options.window`.
pub fn workload(
    catalog: &Catalog,
    options: &WorkloadOptions,
) -> Result<UsageWorkload, UsageWorkloadError> {
    let w = &options.window;
    let span = catalog
        .usage_coverage()?
        .and_then(|covered| window(covered, w.since_ms, w.until_ms))
        .ok_or_else(|| {
            NoTraffic(
                "no stored usage in the window: import a log first (switchyard usage import), or widen --since/--until"
                    .to_owned(),
            )
        })?;
    let exact = UsageWindow {
        since_ms: Some(span.0),
        until_ms: Some(span.1),
        models: w.models.clone(),
    };
    let hours = catalog.usage_hours(&exact)?;
    let histograms = catalog.usage_token_histograms(&exact)?;
    let measured = measure(&hours, span, histograms)?;
    let mut volume = measured.requests_per_month;
    if options.months_ahead > 0 {
        let growth = measured
            .growth
            .as_result()
            .map_err(|e| UsageWorkloadError::NoGrowth {
                months: options.months_ahead,
                reason: e.reason.clone(),
            })?;
        // The window's volume is that of its middle; the projection runs
        // from there to `months_ahead` months past its end.
        let months = f64::from(options.months_ahead)
            + measured.days / 2.0 / crate::model::outage_process::MONTH_DAYS;
        volume *= (1.0 + growth.monthly).powf(months);
    }
    let tokens = |mean: f64, bins: &[Bin]| {
        if options.means_only || bins.is_empty() {
            TokenCount::Mean(round(mean, 1))
        } else {
            distribution(bins)
        }
    };
    let workload = WorkloadSpec {
        requests_per_month: volume.round(),
        input_tokens: tokens(measured.input_tokens, &measured.histograms.input_tokens),
        output_tokens: tokens(measured.output_tokens, &measured.histograms.output_tokens),
        cached_input_share: measured.cached_input_share.map(|s| round(s, 4)),
        latency_budget_ms: None,
        fixed_monthly_usd: None,
        hourly_shape: Some(measured.hourly_shape.iter().map(|w| round(*w, 3)).collect()),
        peak_minute_factor: None,
    };
    Ok(UsageWorkload {
        measured,
        months_ahead: options.months_ahead,
        workload,
    })
}

/// The `[workload]` as TOML, with what it was measured from in comments.
pub fn workload_toml(w: &UsageWorkload) -> Result<String, String> {
    #[derive(Serialize)]
    struct Only<'a> {
        workload: &'a WorkloadSpec,
    }
    let body = toml::to_string(&Only {
        workload: &w.workload,
    })
    .map_err(|e| format!("cannot write the workload as TOML: {e}"))?;
    let m = &w.measured;
    let mut out = format!(
        "# Measured by `switchyard usage workload` from {} requests, {} to {} ({:.1} days).\n",
        m.requests, m.start, m.end, m.days
    );
    match m.growth.as_result() {
        Ok(g) => out.push_str(&format!(
            "# Fitted growth: {:+.1}% a month (95% interval {:+.1}% to {:+.1}%, {} days).\n",
            100.0 * g.monthly,
            100.0 * g.ci95[0],
            100.0 * g.ci95[1],
            g.days
        )),
        Err(e) => out.push_str(&format!("# No growth fitted: {}.\n", e.reason)),
    }
    if w.months_ahead > 0 {
        out.push_str(&format!(
            "# requests_per_month is projected {} months past the window with that growth.\n",
            w.months_ahead
        ));
    }
    out.push_str(&body);
    Ok(out)
}
