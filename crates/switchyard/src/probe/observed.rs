//! Planning on *observed* figures: the fit of each offering's probes replaces its
//! declared error rate, TTFT and speed where there are enough samples, and every
//! replacement is recorded so the report can say which figure came from where.

use std::collections::HashMap;

use serde::Serialize;

use super::stats::ObservedFit;
use crate::model::{Portfolio, Ttft};

/// Where one figure of one offering came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    pub offering: String,
    pub field: &'static str,
    /// `observed` (from probes) or `declared` (catalog or plan).
    pub source: &'static str,
    pub value: f64,
    /// Probes behind an observed figure.
    pub samples: u64,
}

/// Replaces declared figures by observed ones where `fits` has them, and returns
/// the provenance of every figure that probes can observe.
pub fn apply(portfolio: &mut Portfolio, fits: &HashMap<String, ObservedFit>) -> Vec<Provenance> {
    let mut out = Vec::new();
    for offering in &mut portfolio.offerings {
        let fit = fits.get(&offering.id);
        let samples = fit.map_or(0, |f| f.samples);
        let mut record = |field: &'static str, observed: Option<f64>, declared: f64| -> f64 {
            let (source, value) = match observed {
                Some(v) => ("observed", v),
                None => ("declared", declared),
            };
            out.push(Provenance {
                offering: offering.id.clone(),
                field,
                source,
                value,
                samples: if observed.is_some() { samples } else { 0 },
            });
            value
        };
        offering.error_rate = record(
            "error_rate",
            fit.and_then(|f| f.error_rate),
            offering.error_rate,
        );
        let declared_p50 = offering.ttft.median_ms;
        let declared_p95 = offering.ttft.p95_ms();
        let latency = fit.and_then(|f| Some((f.ttft_p50_ms?, f.ttft_p95_ms?)));
        let p50 = record("ttft_p50_ms", latency.map(|l| l.0), declared_p50);
        let p95 = record("ttft_p95_ms", latency.map(|l| l.1), declared_p95);
        if latency.is_some() {
            offering.ttft = Ttft::from_percentiles(p50, p95);
        }
        offering.tokens_per_s = record(
            "tokens_per_s",
            fit.and_then(|f| f.tokens_per_s),
            offering.tokens_per_s,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::*;

    #[test]
    fn observed_figures_replace_declared_ones_where_there_are_enough() {
        let mut p = chain(vec![offering("a", 0.99), offering("b", 0.99)]);
        let fits = HashMap::from([
            (
                "a".to_owned(),
                ObservedFit {
                    samples: 200,
                    error_rate: Some(0.05),
                    ttft_p50_ms: Some(300.0),
                    ttft_p95_ms: Some(900.0),
                    tokens_per_s: Some(80.0),
                },
            ),
            (
                "b".to_owned(),
                ObservedFit {
                    samples: 10,
                    error_rate: None,
                    ttft_p50_ms: None,
                    ttft_p95_ms: None,
                    tokens_per_s: None,
                },
            ),
        ]);
        let provenance = apply(&mut p, &fits);
        let a = &p.offerings[0];
        assert_eq!(a.error_rate, 0.05);
        assert_eq!(a.tokens_per_s, 80.0);
        assert!((a.ttft.p95_ms() - 900.0).abs() < 1e-9);
        assert_eq!(
            p.offerings[1].tokens_per_s, 100.0,
            "b keeps its declared speed"
        );
        assert_eq!(provenance.len(), 8);
        assert!(
            provenance[..4]
                .iter()
                .all(|x| x.source == "observed" && x.samples == 200)
        );
        assert!(
            provenance[4..]
                .iter()
                .all(|x| x.source == "declared" && x.samples == 0)
        );
        assert!(
            (provenance[6].value - 500.0).abs() < 1e-9,
            "declared p95 of the testkit offering"
        );
    }
}
