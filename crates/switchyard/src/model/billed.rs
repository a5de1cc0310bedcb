//! What one request on a plan bills, offering by offering, as weights on the
//! request's own tokens (`MODEL.md` §3.9): a usage replay prices each
//! logged request on the plan with these, so a log of requests all of the
//! workload's mean size costs exactly `requests × cost_per_request`.

use super::attempt::AttemptProfile;
use super::capacity;
use super::exact::Figures;
use super::types::Portfolio;

/// One offering's share of a request's bill on the plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Billed {
    /// Index into [`Portfolio::offerings`].
    pub offering: usize,
    /// E[attempts on the offering whose input is billed], routes weighted by
    /// share, steps on the same offering summed.
    pub input: f64,
    /// E[whole responses billed on the offering], likewise.
    pub output: f64,
}

/// Every offering's weights from the day's figures (`day`, as
/// [`capacity::day_figures`] gives them, rate-limit rejections included),
/// in offering order; offerings no route uses get zeros.
pub fn billed_from(portfolio: &Portfolio, day: &Figures) -> Vec<Billed> {
    let mut out: Vec<Billed> = (0..portfolio.offerings.len())
        .map(|offering| Billed {
            offering,
            input: 0.0,
            output: 0.0,
        })
        .collect();
    for (route, figures) in portfolio.routes.iter().zip(&day.routes) {
        for (j, step) in route.steps.iter().enumerate() {
            let b = &mut out[step.offering];
            b.input += route.share * figures.billed_input[j];
            b.output += route.share * figures.billed_output[j];
        }
    }
    out
}

/// [`billed_from`] on the figures the plan's report gives: the closed forms
/// over the day, the same that give `cost_per_request`.
pub fn billed(portfolio: &Portfolio) -> Vec<Billed> {
    let hours = capacity::hourly(portfolio);
    billed_from(portfolio, &capacity::day_figures(portfolio, &hours))
}

/// `Σ_o input_o × input bill_o + output_o × output bill_o` at the plan's
/// own mean workload: equal to the plan's `cost_per_request` (checked by
/// the tests), which is what makes the weights its decomposition.
pub fn mean_request_cost(portfolio: &Portfolio, billed: &[Billed]) -> f64 {
    billed
        .iter()
        .map(|b| {
            let bill = bill_of(portfolio, b.offering);
            b.input * bill.0 + b.output * bill.1
        })
        .sum()
}

/// The input and output bill of one attempt at offering `o` at the mean
/// workload (the step's timeout does not change it). With token
/// distributions the weights are the classes' mixture, and a replay applies
/// them to each request's own tokens (`MODEL.md` §3.9).
fn bill_of(portfolio: &Portfolio, o: usize) -> (f64, f64) {
    let step = super::types::Step {
        offering: o,
        attempts: 1,
        timeout_ms: 1.0,
        backoff_ms: 0.0,
    };
    let bill = AttemptProfile::new(portfolio, &step, portfolio.workload.output_tokens).bill;
    (bill.input_usd, bill.output_usd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::exact;
    use crate::model::testkit::*;
    use crate::model::types::{OutageMode, Quota};

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1e-300)
    }

    #[test]
    fn the_weights_decompose_the_cost_per_request() {
        let mut p = chain(vec![offering("a", 0.9), offering("b", 0.5)]);
        p.routes[0].steps[0].attempts = 2;
        let exact = exact::figures(&p);
        let w = billed(&p);
        assert!(close(mean_request_cost(&p, &w), exact.cost_per_request));
        // No errors or timeouts: an up offering succeeds at its first
        // attempt, so a bills once while up (0.9) and b once when a is down
        // and b up (0.1 × 0.5), input and output alike.
        assert!(close(w[0].input, 0.9), "{w:?}");
        assert!(close(w[0].output, 0.9));
        assert!(close(w[1].input, 0.05));
        assert!(close(w[1].output, 0.05));
    }

    #[test]
    fn timeouts_hangs_and_limits_keep_the_decomposition() {
        let mut p = chain(vec![offering("a", 0.95), offering("b", 0.8)]);
        p.offerings[0].outage = OutageMode::Hang;
        p.offerings[0].error_rate = 0.05;
        // A timeout that cuts some responses: TTFT p50 500 ms, p95 2 s, and
        // 1 s of generation against 1.9 s.
        p.offerings[0].ttft = crate::model::types::Ttft::from_percentiles(500.0, 2000.0);
        p.routes[0].steps[0].timeout_ms = 1900.0;
        p.offerings[1].quota = Quota {
            rpm: Some(1.0),
            ..Quota::default()
        };
        let w = billed(&p);
        let hours = capacity::hourly(&p);
        let day = capacity::day_figures(&p, &hours);
        assert!(
            close(mean_request_cost(&p, &w), day.cost_per_request),
            "{} vs {}",
            mean_request_cost(&p, &w),
            day.cost_per_request
        );
        assert!(
            w[0].output < w[0].input,
            "cut responses bill part of their output"
        );
    }
}
