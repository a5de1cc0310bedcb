//! The catalog as the Catalog page and the Plan page's offering picker list
//! it: each offering's effective figures (overrides applied), and the figures
//! probes observed where there are enough of them.

use serde::Serialize;

use crate::catalog::inherit::Inherited;
use crate::catalog::{Catalog, CatalogError, Field, ListFilter, OfferingRow, probes};

/// One row of the catalog table: the effective figures (overrides applied), and
/// what probes observed where there are enough of them.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogRow {
    pub id: String,
    pub provider: String,
    pub model: String,
    pub mode: Option<String>,
    pub groups: Vec<String>,
    pub input_per_mtok: Option<f64>,
    pub cached_input_per_mtok: Option<f64>,
    pub output_per_mtok: Option<f64>,
    pub context_window: Option<f64>,
    pub availability: Option<f64>,
    pub error_rate: Option<f64>,
    pub ttft_p50_ms: Option<f64>,
    pub ttft_p95_ms: Option<f64>,
    pub tokens_per_s: Option<f64>,
    /// Fields whose value is the user's override.
    pub overridden: Vec<String>,
    /// Figures the offering inherits, with where from ([`crate::catalog::inherit`]).
    pub inherited: Vec<Inherited>,
    pub observed: Option<Observed>,
}

/// Figures fitted from stored probe results.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Observed {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub samples: u64,
    pub error_rate: Option<f64>,
    pub ttft_p50_ms: Option<f64>,
    pub ttft_p95_ms: Option<f64>,
    pub tokens_per_s: Option<f64>,
}

fn row(r: &OfferingRow, observed: Option<Observed>) -> CatalogRow {
    let n = |f: Field| r.figures.number(f);
    CatalogRow {
        id: r.id.clone(),
        provider: r.provider.clone(),
        model: r.model.clone(),
        mode: r.mode.clone(),
        groups: r.groups.clone(),
        input_per_mtok: n(Field::InputPerMtok),
        cached_input_per_mtok: n(Field::CachedInputPerMtok),
        output_per_mtok: n(Field::OutputPerMtok),
        context_window: n(Field::ContextWindow),
        availability: n(Field::Availability),
        error_rate: n(Field::ErrorRate),
        ttft_p50_ms: n(Field::TtftP50Ms),
        ttft_p95_ms: n(Field::TtftP95Ms),
        tokens_per_s: n(Field::TokensPerS),
        overridden: r.overridden.iter().map(|s| (*s).to_owned()).collect(),
        inherited: r.inherited.clone(),
        observed,
    }
}

/// Every offering of the catalog as the Catalog page lists it.
pub fn rows(catalog: &Catalog) -> Result<Vec<CatalogRow>, CatalogError> {
    let rows = catalog.list(&ListFilter::default())?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let fits = probes::fits(catalog, &ids)?;
    Ok(rows
        .iter()
        .map(|r| {
            let observed = fits.get(&r.id).map(|f| Observed {
                samples: f.samples,
                error_rate: f.error_rate,
                ttft_p50_ms: f.ttft_p50_ms,
                ttft_p95_ms: f.ttft_p95_ms,
                tokens_per_s: f.tokens_per_s,
            });
            row(r, observed)
        })
        .collect())
}
