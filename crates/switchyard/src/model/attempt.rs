//! One attempt at one step: its chance of success, its timings and its bill
//! (`MODEL.md` §2). Both the closed forms and the simulation start from here, so
//! the two can only disagree through sampling, never through a second reading of
//! the rules.

use statrs::function::erf::erfc;

use super::types::{OutageMode, Portfolio, Step, Ttft, Workload};

/// The standard normal CDF.
pub fn std_normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

impl Ttft {
    /// `P(TTFT <= x_ms)`.
    pub fn cdf(&self, x_ms: f64) -> f64 {
        if x_ms <= 0.0 {
            return 0.0;
        }
        let z = x_ms.ln() - self.mu;
        if self.sigma == 0.0 {
            return if z >= 0.0 { 1.0 } else { 0.0 };
        }
        std_normal_cdf(z / self.sigma)
    }

    /// The partial expectation `E[TTFT; TTFT <= x_ms]`, in closed form for the
    /// log-normal: `exp(mu + sigma²/2) Φ((ln x - mu - sigma²) / sigma)`.
    pub fn partial_mean(&self, x_ms: f64) -> f64 {
        if x_ms <= 0.0 {
            return 0.0;
        }
        let median = self.mu.exp();
        if self.sigma == 0.0 {
            return if x_ms >= median { median } else { 0.0 };
        }
        let s2 = self.sigma * self.sigma;
        (self.mu + s2 / 2.0).exp() * std_normal_cdf((x_ms.ln() - self.mu - s2) / self.sigma)
    }
}

/// What the billing rules charge for the work of one attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bill {
    /// The input tokens of one attempt, at the cached/uncached mix.
    pub input_usd: f64,
    /// A whole successful attempt: input plus all output tokens.
    pub success_usd: f64,
    /// Output price per millisecond of generation (`output price * tokens/s / 1000`).
    pub output_usd_per_ms: f64,
    /// Output price of the whole response.
    pub output_usd: f64,
}

impl Bill {
    /// The bill of an attempt cut (timed out or out of budget) `cut_ms` after it
    /// started, whose first token came at `ttft_ms`: input plus the output produced.
    pub fn cut(&self, cut_ms: f64, ttft_ms: f64) -> f64 {
        let produced = ((cut_ms - ttft_ms).max(0.0) * self.output_usd_per_ms).min(self.output_usd);
        self.input_usd + produced
    }
}

/// Everything about an attempt at one step that does not depend on chance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttemptProfile {
    pub timeout_ms: f64,
    pub error_rate: f64,
    pub outage: OutageMode,
    pub ttft: Ttft,
    /// Generation time after the first token: `1000 * output_tokens / tokens_per_s`.
    pub generation_ms: f64,
    /// When an error (while up) or a refusal (while down) ends the attempt. An error
    /// slower than the timeout is seen as the timeout.
    pub error_ms: f64,
    /// When the attempt fails while the offering is down.
    pub down_fail_ms: f64,
    /// `s`: P(the attempt succeeds | the offering is up) =
    /// `(1 - error_rate) * P(TTFT + generation <= timeout)`.
    pub success_if_up: f64,
    pub bill: Bill,
}

impl AttemptProfile {
    /// The profile of an attempt at `step` by a request whose answer has
    /// `output_tokens` tokens; its prompt is drawn from the workload's input
    /// distribution (a single point at the mean when the plan gives a
    /// number), so the bill is the expectation over the prompts, each priced
    /// at its own tier (`MODEL.md` §2.1).
    pub fn new(portfolio: &Portfolio, step: &Step, output_tokens: f64) -> Self {
        let o = &portfolio.offerings[step.offering];
        let w: &Workload = &portfolio.workload;
        let generation_ms = 1000.0 * output_tokens / o.tokens_per_s;
        let per_token = |per_mtok: f64| per_mtok / 1e6;
        let share = w.cached_input_share;
        let (mut input_usd, mut output_per_token) = (0.0, 0.0);
        for &(prompt, p) in w.mixes().input.points() {
            let (input, cached, output) = o.prices.for_prompt(prompt);
            input_usd +=
                p * (prompt * ((1.0 - share) * per_token(input) + share * per_token(cached)));
            output_per_token += p * per_token(output);
        }
        let output_usd = output_tokens * output_per_token;
        let bill = Bill {
            input_usd,
            success_usd: input_usd + output_usd,
            output_usd_per_ms: output_per_token * o.tokens_per_s / 1000.0,
            output_usd,
        };
        let error_ms = o.error_latency_ms.min(step.timeout_ms);
        let down_fail_ms = match o.outage {
            OutageMode::Error => error_ms,
            OutageMode::Hang => step.timeout_ms,
        };
        let fits = o.ttft.cdf(step.timeout_ms - generation_ms);
        Self {
            timeout_ms: step.timeout_ms,
            error_rate: o.error_rate,
            outage: o.outage,
            ttft: o.ttft,
            generation_ms,
            error_ms,
            down_fail_ms,
            success_if_up: (1.0 - o.error_rate) * fits,
            bill,
        }
    }

    /// E[bill of one attempt | the offering is up], without a latency budget.
    ///
    /// Errors are free. Without an error the attempt succeeds when
    /// `TTFT <= timeout - generation` and pays in full; otherwise it is cut at the
    /// timeout and pays input plus `(timeout - TTFT)+` ms of output, whose
    /// expectation is `∫_a^τ (τ - t) f(t) dt = τ (F(τ) - F(a)) - (PE(τ) - PE(a))`
    /// with `a = τ - generation` and PE the partial mean.
    pub fn expected_bill_if_up(&self) -> f64 {
        self.expected_bill_cut_at(self.timeout_ms)
    }

    /// [`Self::expected_bill_if_up`] of an attempt that is cut `cut_ms` after
    /// it starts: at its timeout, or sooner when less of the latency budget is
    /// left (`MODEL.md` §3.10). The same closed form with `τ` the cut: it
    /// succeeds when `TTFT <= cut - generation`, and otherwise pays its input
    /// and the output produced before the cut.
    pub fn expected_bill_cut_at(&self, cut_ms: f64) -> f64 {
        let tau = cut_ms;
        let a = tau - self.generation_ms;
        let fits = self.ttft.cdf(a);
        let tail_output_ms = tau * (self.ttft.cdf(tau) - fits)
            - (self.ttft.partial_mean(tau) - self.ttft.partial_mean(a));
        let cut_bill = (1.0 - fits) * self.bill.input_usd
            + self.bill.output_usd_per_ms * tail_output_ms.max(0.0);
        (1.0 - self.error_rate) * (fits * self.bill.success_usd + cut_bill)
    }

    /// [`Self::expected_bill_if_up`] split by what is billed: E[the
    /// attempt's input is billed | up] and E[the share of its whole output
    /// that is billed | up], so that the expected bill is `input ×
    /// bill.input_usd + output × bill.output_usd`. A usage replay prices
    /// each logged request's own tokens with these weights (`MODEL.md`
    /// §3.9): every attempt that is not an error pays its input; a success
    /// pays all its output, a timed-out one the output produced before the
    /// cut, `(τ (F(τ) − F(a)) − (PE(τ) − PE(a))) / G` of it.
    pub fn billed_if_up(&self) -> (f64, f64) {
        let tau = self.timeout_ms;
        let a = tau - self.generation_ms;
        let fits = self.ttft.cdf(a);
        let tail_output_ms = tau * (self.ttft.cdf(tau) - fits)
            - (self.ttft.partial_mean(tau) - self.ttft.partial_mean(a));
        let produced = if self.generation_ms > 0.0 {
            tail_output_ms.max(0.0) / self.generation_ms
        } else {
            0.0
        };
        let served = 1.0 - self.error_rate;
        (served, served * (fits + produced))
    }
}

/// The attempt profiles of one class of requests: those whose answer has
/// one of the workload's output token counts.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassProfiles {
    /// The class's share of requests; the shares of all classes sum to 1.
    pub weight: f64,
    /// Every step of every route, in plan order.
    pub routes: Vec<Vec<AttemptProfile>>,
}

/// The classes of requests of `portfolio`'s workload, one per point of its
/// output distribution (one class when the plan gives a mean), each with
/// the attempt profiles of every step of every route. Every figure is the
/// mixture of the classes' figures by their weights: a request keeps its
/// answer's length at every step it tries.
pub fn class_profiles(portfolio: &Portfolio) -> Vec<ClassProfiles> {
    portfolio
        .workload
        .mixes()
        .output
        .points()
        .iter()
        .map(|&(output_tokens, weight)| ClassProfiles {
            weight,
            routes: portfolio
                .routes
                .iter()
                .map(|r| {
                    r.steps
                        .iter()
                        .map(|s| AttemptProfile::new(portfolio, s, output_tokens))
                        .collect()
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_matches_tables() {
        assert!((std_normal_cdf(0.0) - 0.5).abs() < 1e-15);
        assert!((std_normal_cdf(1.644_853_6) - 0.95).abs() < 1e-8);
        assert!((std_normal_cdf(-1.959_963_985) - 0.025).abs() < 1e-9);
    }

    #[test]
    fn ttft_goes_through_its_two_percentiles() {
        let t = Ttft::from_percentiles(600.0, 1400.0);
        assert!((t.cdf(600.0) - 0.5).abs() < 1e-12);
        assert!((t.cdf(1400.0) - 0.95).abs() < 1e-8);
    }

    #[test]
    fn partial_mean_tends_to_the_log_normal_mean() {
        let t = Ttft::from_percentiles(600.0, 1400.0);
        let mean = (t.mu + t.sigma * t.sigma / 2.0).exp();
        assert!((t.partial_mean(1e12) - mean).abs() < 1e-6 * mean);
        assert_eq!(t.partial_mean(0.0), 0.0);
    }

    #[test]
    fn partial_mean_matches_numeric_integration() {
        let t = Ttft::from_percentiles(400.0, 2000.0);
        // Midpoint rule on the density over (0, 900].
        let n = 200_000;
        let x = 900.0;
        let h = x / n as f64;
        let mut sum = 0.0;
        for i in 0..n {
            let v: f64 = (i as f64 + 0.5) * h;
            let z = (v.ln() - t.mu) / t.sigma;
            let density =
                (-0.5 * z * z).exp() / (v * t.sigma * (2.0 * std::f64::consts::PI).sqrt());
            sum += v * density * h;
        }
        assert!(
            (t.partial_mean(x) - sum).abs() < 1e-6 * sum,
            "{} vs {sum}",
            t.partial_mean(x)
        );
    }

    #[test]
    fn deterministic_ttft_is_a_step() {
        let t = Ttft::from_percentiles(500.0, 500.0);
        assert_eq!(t.cdf(499.0), 0.0);
        assert_eq!(t.cdf(500.0), 1.0);
        assert_eq!(t.partial_mean(499.0), 0.0);
        assert!((t.partial_mean(500.0) - 500.0).abs() < 1e-9);
    }

    #[test]
    fn a_cut_bills_input_plus_the_output_produced() {
        let bill = Bill {
            input_usd: 1.0,
            success_usd: 3.0,
            output_usd_per_ms: 0.01,
            output_usd: 2.0,
        };
        assert_eq!(bill.cut(100.0, 200.0), 1.0, "cut before the first token");
        assert!(
            (bill.cut(300.0, 200.0) - 2.0).abs() < 1e-12,
            "100 ms of output"
        );
        assert_eq!(
            bill.cut(1e9, 200.0),
            3.0,
            "never more than the whole response"
        );
    }
}
