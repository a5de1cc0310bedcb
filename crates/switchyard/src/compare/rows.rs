//! The table of a comparison: one row per figure, one value per portfolio,
//! the best value marked, and each value's difference from the baseline.

use serde::Serialize;

use super::Compared;
use crate::format;
use crate::model::Report;
use crate::model::evaluate::{Method, Methods};
use crate::model::tco::TcoReport;

/// What a row's values are, so each face formats them one way.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A probability or share, 0..1.
    Probability,
    /// `-log10(1 - availability)`.
    Nines,
    Milliseconds,
    Usd,
    /// A month number of a TCO horizon.
    Month,
}

/// Which way a row's values improve; `None` where neither is better (a
/// break-even month is not a goal in itself).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Higher,
    Lower,
    None,
}

/// One figure across the portfolios.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// A stable key (`availability`, `latency_p95_ms`, ...), the same in the
    /// JSON, the app and the report.
    pub key: String,
    /// The row's name as people read it.
    pub label: String,
    pub unit: Unit,
    pub better: Better,
    /// How the figure was computed (the same for every portfolio).
    pub method: Method,
    /// Per portfolio; `None` where the figure does not exist (nothing
    /// succeeds, no `[tco]`).
    pub values: Vec<Option<f64>>,
    /// The portfolios holding the best value (ties all marked); empty when
    /// no value is better than another.
    pub best: Vec<usize>,
    /// `value − baseline's value`.
    pub delta: Vec<Option<f64>>,
    /// `value / baseline's value`; `None` when the baseline's is 0 or absent.
    pub ratio: Vec<Option<f64>>,
    /// The values, differences and ratios as every face shows them
    /// ([`text`], [`delta_text`], [`ratio_text`]): one rule for the CLI, the
    /// app and the report.
    pub texts: Vec<Option<String>>,
    pub delta_texts: Vec<Option<String>>,
    pub ratio_texts: Vec<Option<String>>,
}

/// A value of `unit` as it reads.
pub fn text(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Probability => format::percent(v),
        Unit::Nines => format::nines(Some(v)),
        Unit::Milliseconds => format::duration(v),
        Unit::Usd => format::usd(v),
        Unit::Month => format!("month {v}"),
    }
}

/// A difference of `unit`, signed: probabilities in percentage points (with
/// two significant digits), the rest in the unit's own reading.
pub fn delta_text(unit: Unit, d: f64) -> String {
    if d == 0.0 {
        return "±0".to_owned();
    }
    let sign = if d > 0.0 { "+" } else { "−" };
    let a = d.abs();
    match unit {
        Unit::Probability => {
            let pp = a * 100.0;
            format!("{sign}{:.*} pp", decimals(pp), pp)
        }
        Unit::Nines => format!("{sign}{a:.2} nines"),
        Unit::Milliseconds => format!("{sign}{}", format::duration(a)),
        Unit::Usd => format!("{sign}{}", format::usd(a)),
        Unit::Month => format!("{sign}{a} months"),
    }
}

/// A ratio as `×1.23`, with more decimals the closer it is to 1 (so
/// ×1.00010 does not read ×1.00).
pub fn ratio_text(r: f64) -> String {
    format!("×{:.*}", decimals(r - 1.0).max(2), r)
}

/// Decimals that show two significant digits of `x` (1 to 8).
fn decimals(x: f64) -> usize {
    let x = x.abs();
    if x == 0.0 || !x.is_finite() {
        return 2;
    }
    ((-x.log10()).ceil() + 1.0).clamp(1.0, 8.0) as usize
}

/// Values closer than this (relative) are a tie for the best.
const TIE: f64 = 1e-12;

/// How a row reads its value from one portfolio.
type Reader = Box<dyn Fn(&Compared) -> Option<f64>>;

/// A row's definition: how to read its value from one portfolio.
struct Figure {
    key: String,
    label: String,
    unit: Unit,
    better: Better,
    method: Method,
    value: Reader,
}

impl Figure {
    fn new(
        key: impl Into<String>,
        label: impl Into<String>,
        unit: Unit,
        better: Better,
        method: Method,
        value: impl Fn(&Compared) -> Option<f64> + 'static,
    ) -> Self {
        Self {
            key: key.into(),
            label: label.into(),
            unit,
            better,
            method,
            value: Box::new(value),
        }
    }
}

/// The rows of `portfolios` against `baseline` (0-based, in range).
pub fn rows(portfolios: &[Compared], baseline: usize) -> Vec<Row> {
    figures(portfolios)
        .into_iter()
        .map(|f| {
            let values: Vec<Option<f64>> = portfolios
                .iter()
                .map(|p| (f.value)(p).filter(|v| v.is_finite()))
                .collect();
            let base = values.get(baseline).copied().flatten();
            let texts = values.iter().map(|v| v.map(|v| text(f.unit, v))).collect();
            let delta: Vec<Option<f64>> = values
                .iter()
                .map(|v| v.zip(base).map(|(v, b)| v - b))
                .collect();
            let ratio: Vec<Option<f64>> = values
                .iter()
                .map(|v| v.zip(base.filter(|b| *b != 0.0)).map(|(v, b)| v / b))
                .collect();
            Row {
                best: best(&values, f.better),
                texts,
                delta_texts: delta
                    .iter()
                    .map(|d| d.map(|d| delta_text(f.unit, d)))
                    .collect(),
                ratio_texts: ratio.iter().map(|r| r.map(ratio_text)).collect(),
                delta,
                ratio,
                key: f.key,
                label: f.label,
                unit: f.unit,
                better: f.better,
                method: f.method,
                values,
            }
        })
        .collect()
}

/// The indices holding the best of `values`; none when fewer than two values
/// exist or all are equal (nothing stands out).
pub(super) fn best(values: &[Option<f64>], better: Better) -> Vec<usize> {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let top = match better {
        Better::Higher => present.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        Better::Lower => present.iter().copied().fold(f64::INFINITY, f64::min),
        Better::None => return Vec::new(),
    };
    let tied = |v: f64| (v - top).abs() <= TIE * top.abs().max(f64::MIN_POSITIVE);
    if present.len() < 2 || present.iter().all(|v| tied(*v)) {
        return Vec::new();
    }
    values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_some_and(tied))
        .map(|(i, _)| i)
        .collect()
}

/// Every figure the table shows, in reading order. The exceedance rows
/// follow the thresholds of the first report (every report has the same).
fn figures(portfolios: &[Compared]) -> Vec<Figure> {
    use Better::{Higher, Lower};
    let first = portfolios.first().map(|p| &p.report);
    let methods = first.map(|r| r.methods);
    let method = |pick: fn(&Methods) -> Method| methods.map_or(Method::Exact, |m| pick(&m));
    let mut out = vec![
        Figure::new(
            "availability",
            "Availability",
            Unit::Probability,
            Higher,
            Method::Exact,
            |p| Some(p.report.availability),
        ),
        Figure::new("nines", "Nines", Unit::Nines, Higher, Method::Exact, |p| {
            p.report.nines
        }),
        Figure::new(
            "success_within_budget",
            "Success within the budget",
            Unit::Probability,
            Higher,
            method(|m| m.success_within_budget),
            |p| Some(p.report.success_within_budget.value),
        ),
    ];
    for (q, pick) in [
        (
            "p50",
            (|r: &Report| r.latency_ms.p50) as fn(&Report) -> Option<f64>,
        ),
        ("p95", |r: &Report| r.latency_ms.p95),
        ("p99", |r: &Report| r.latency_ms.p99),
    ] {
        out.push(Figure::new(
            format!("latency_{q}_ms"),
            format!("Latency {q} of successes"),
            Unit::Milliseconds,
            Lower,
            method(|m| m.latency),
            move |p| pick(&p.report),
        ));
    }
    let period = first.map_or("month", |r| r.monthly_availability.period.name());
    out.push(Figure::new(
        "p_meets_target",
        format!("P(a {period} meets the target)"),
        Unit::Probability,
        Higher,
        method(|m| m.monthly_availability),
        |p| Some(p.report.monthly_availability.p_meets),
    ));
    let thresholds: Vec<f64> = first
        .map(|r| {
            r.monthly_availability
                .exceedance
                .iter()
                .map(|e| e.threshold)
                .collect()
        })
        .unwrap_or_default();
    for t in thresholds {
        out.push(Figure::new(
            format!("exceedance_{t}"),
            if t >= 1.0 {
                format!("P(a {period} with no failed request)")
            } else {
                format!("P(a {period} ≥ {})", crate::format::percent(t))
            },
            Unit::Probability,
            Higher,
            method(|m| m.monthly_availability),
            move |p| {
                p.report
                    .monthly_availability
                    .exceedance
                    .iter()
                    .find(|e| e.threshold == t)
                    .map(|e| e.p)
            },
        ));
    }
    let cost = method(|m| m.cost_per_request);
    out.extend([
        Figure::new(
            "cost_per_request_usd",
            "Cost per request",
            Unit::Usd,
            Lower,
            cost,
            |p| Some(p.report.cost_usd.per_request),
        ),
        Figure::new(
            "cost_per_success_usd",
            "Cost per success",
            Unit::Usd,
            Lower,
            cost,
            |p| p.report.cost_usd.per_success,
        ),
        Figure::new(
            "cost_per_month_usd",
            "Cost per month",
            Unit::Usd,
            Lower,
            cost,
            |p| Some(p.report.cost_usd.monthly),
        ),
    ]);
    if portfolios.iter().any(|p| p.tco.is_some()) {
        out.extend(tco_figures());
    }
    out
}

/// The TCO totals, when any portfolio has a `[tco]` section.
fn tco_figures() -> Vec<Figure> {
    let tco =
        |pick: fn(&TcoReport) -> Option<f64>| move |p: &Compared| p.tco.as_ref().and_then(pick);
    vec![
        Figure::new(
            "tco_api_total_usd",
            "TCO, API path",
            Unit::Usd,
            Better::Lower,
            Method::Exact,
            tco(|t| Some(t.api_total_usd)),
        ),
        Figure::new(
            "tco_self_hosted_total_usd",
            "TCO, self-hosted",
            Unit::Usd,
            Better::Lower,
            Method::Exact,
            tco(|t| Some(t.self_hosted_total_usd)),
        ),
        Figure::new(
            "tco_break_even_month",
            "Self-hosting breaks even in month",
            Unit::Month,
            Better::None,
            Method::Exact,
            tco(|t| t.break_even_month.map(f64::from)),
        ),
    ]
}
