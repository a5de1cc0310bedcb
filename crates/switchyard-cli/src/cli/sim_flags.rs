//! The simulation flags `evaluate`, `compare` and `report` share, with the
//! engine's defaults and ranges ([`SimOptions`]).

use switchyard::app::SimOptions;
use switchyard::model::monthly::Period;

#[derive(Debug, clap::Args)]
pub struct SimFlags {
    /// Simulated requests for the budget and latency figures.
    #[arg(long, default_value_t = SimOptions::default().samples, value_parser = |s: &str| SimOptions::SAMPLES.parse_u64(s))]
    samples: u64,
    /// Seed of the simulations; the same seed gives the same output.
    #[arg(long, default_value_t = SimOptions::default().seed, value_parser = |s: &str| SimOptions::SEED.parse_u64(s))]
    seed: u64,
    /// Simulated periods for the SLA distribution.
    #[arg(long, default_value_t = SimOptions::default().months, value_parser = |s: &str| SimOptions::MONTHS.parse_u64(s))]
    months: u64,
    /// The period whose success ratio the SLA distribution describes: month
    /// (30 days) or day.
    #[arg(long, default_value = SimOptions::default().period.name(), value_parser = Period::parse)]
    period: Period,
}

impl SimFlags {
    pub fn options(&self) -> SimOptions {
        SimOptions {
            samples: self.samples,
            seed: self.seed,
            months: self.months,
            period: self.period,
        }
    }
}
