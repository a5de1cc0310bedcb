//! Probe results in the catalog: written in batches, one transaction each, and
//! read back for stats and for planning on observed figures.

use std::collections::HashMap;

use rusqlite::{Row, params};

use super::error::{CatalogError, SqlContext};
use super::store::Catalog;
use crate::probe::{ErrorClass, ObservedFit, ProbeKind, ProbeResult, RateLimits, fit, stats};

/// Stores `results` in one transaction: all or none.
pub fn insert(catalog: &Catalog, results: &[ProbeResult]) -> Result<(), CatalogError> {
    if results.is_empty() {
        return Ok(());
    }
    let file = catalog.file();
    let doing = "storing probe results";
    let tx = catalog
        .connection()
        .unchecked_transaction()
        .doing(file, doing)?;
    {
        let mut stmt = tx
            .prepare_cached(
                "INSERT INTO probe_results (offering, kind, started_at_ms, ok, status, error, error_detail,
                     ttft_ms, total_ms, input_tokens, output_tokens, tokens_per_s, rate_limits, cost_usd, request_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )
            .doing(file, doing)?;
        for r in results {
            let limits = serde_json::to_string(&r.rate_limits).unwrap_or_else(|_| "{}".to_owned());
            stmt.execute(params![
                r.offering,
                r.kind.as_str(),
                r.started_at_ms,
                r.ok,
                r.status,
                r.error.map(ErrorClass::as_str),
                r.error_detail,
                r.ttft_ms,
                r.total_ms,
                r.input_tokens,
                r.output_tokens,
                r.tokens_per_s,
                limits,
                r.cost_usd,
                r.request_id,
            ])
            .doing(file, doing)?;
        }
    }
    tx.commit().doing(file, doing)
}

/// Stored results, oldest first, of one offering (or all) since a time (or ever).
pub fn load(
    catalog: &Catalog,
    offering: Option<&str>,
    since_ms: Option<i64>,
) -> Result<Vec<ProbeResult>, CatalogError> {
    let file = catalog.file();
    let doing = "reading probe results";
    let mut stmt = catalog
        .connection()
        .prepare_cached(
            "SELECT offering, kind, started_at_ms, ok, status, error, error_detail, ttft_ms, total_ms,
                    input_tokens, output_tokens, tokens_per_s, rate_limits, cost_usd, request_id
             FROM probe_results
             WHERE (?1 IS NULL OR offering = ?1) AND (?2 IS NULL OR started_at_ms >= ?2)
             ORDER BY started_at_ms, id",
        )
        .doing(file, doing)?;
    let rows = stmt
        .query_map(params![offering, since_ms], row)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .doing(file, doing)?;
    Ok(rows)
}

/// The observed fit of each offering that has probes.
pub fn fits(
    catalog: &Catalog,
    offerings: &[String],
) -> Result<HashMap<String, ObservedFit>, CatalogError> {
    let mut out = HashMap::new();
    for offering in offerings {
        let results = load(catalog, Some(offering), None)?;
        if !results.is_empty() {
            out.insert(offering.clone(), fit(&stats(offering, &results)));
        }
    }
    Ok(out)
}

fn row(r: &Row<'_>) -> rusqlite::Result<ProbeResult> {
    let kind: String = r.get(1)?;
    let error: Option<String> = r.get(5)?;
    let limits: String = r.get(12)?;
    Ok(ProbeResult {
        offering: r.get(0)?,
        kind: if kind == "reachability" {
            ProbeKind::Reachability
        } else {
            ProbeKind::Stream
        },
        started_at_ms: r.get(2)?,
        ok: r.get(3)?,
        status: r.get(4)?,
        error: error.as_deref().and_then(ErrorClass::parse),
        error_detail: r.get(6)?,
        ttft_ms: r.get(7)?,
        total_ms: r.get(8)?,
        input_tokens: r.get(9)?,
        output_tokens: r.get(10)?,
        tokens_per_s: r.get(11)?,
        rate_limits: serde_json::from_str::<RateLimits>(&limits).unwrap_or_default(),
        cost_usd: r.get(13)?,
        request_id: r.get(14)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(offering: &str, at: i64, ok: bool) -> ProbeResult {
        let no_key = crate::secret::Secret::new("");
        ProbeResult {
            offering: offering.into(),
            kind: ProbeKind::Stream,
            started_at_ms: at,
            ok,
            status: Some(if ok { 200 } else { 429 }),
            error: (!ok).then_some(ErrorClass::RateLimited),
            error_detail: (!ok).then(|| no_key.redact("HTTP 429", 300)),
            ttft_ms: ok.then_some(123.5),
            total_ms: 400.0,
            input_tokens: Some(20),
            output_tokens: Some(16),
            tokens_per_s: ok.then_some(90.0),
            rate_limits: RateLimits::from_headers([("retry-after", "3")], &no_key),
            cost_usd: 0.0001,
            request_id: Some(no_key.redact("req-1", 128)),
        }
    }

    #[test]
    fn results_round_trip_and_filter() {
        let dir = tempfile::tempdir().expect("temp dir");
        let catalog = Catalog::open(&dir.path().join("c.db")).expect("opens");
        let results = vec![
            sample("a", 1000, true),
            sample("a", 2000, false),
            sample("b", 1500, true),
        ];
        insert(&catalog, &results).expect("stores");
        assert_eq!(load(&catalog, None, None).expect("loads").len(), 3);
        let a = load(&catalog, Some("a"), None).expect("loads");
        assert_eq!(a, vec![results[0].clone(), results[1].clone()]);
        assert_eq!(
            load(&catalog, Some("a"), Some(1500)).expect("loads").len(),
            1
        );
        let fits = fits(&catalog, &["a".into(), "c".into()]).expect("fits");
        assert_eq!(fits["a"].samples, 2);
        assert!(!fits.contains_key("c"));
    }
}
