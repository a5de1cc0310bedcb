//! A plan from file or screen to figures: one resolve (opening the catalog
//! only when the plan needs it), one computation of the closed forms, and the
//! simulation that follows on the same resolved portfolio and exact figures.
//! `switchyard evaluate` and each edit on the Plan page both go through
//! [`resolve`] and [`evaluation`].

use std::borrow::Borrow;

use serde::Serialize;

use super::counters;
use super::error::Error;
use super::options::SimOptions;
use crate::catalog::Catalog;
use crate::catalog::inherit::Inherited;
use crate::model::{ExactSummary, Portfolio, Progress, Report, capacity, evaluate_from, summarize};
use crate::plan::{
    NoCatalog, OfferingSource, OfferingSpec, PlanError, PlanFile, Resolved, needs_catalog,
};

/// A resolved plan, and the catalog it was resolved against (when it was
/// opened), for work that reads the catalog again (observed figures).
#[derive(Debug)]
pub struct Resolution<C> {
    pub resolved: Resolved,
    /// Each portfolio offering as the catalog has it (overrides applied),
    /// `None` where the catalog was not opened or does not have it.
    pub catalog_specs: Vec<Option<OfferingSpec>>,
    /// Per portfolio offering: the figures it inherits from the catalog
    /// ([`crate::catalog::inherit`]) and the plan does not set inline.
    pub inherited: Vec<Vec<Inherited>>,
    pub catalog: Option<C>,
}

/// Validates and resolves `plan` (`file` names it in messages). The catalog
/// is opened with `open` only when `always` is set (the user named one, or
/// wants observed figures) or when [`needs_catalog`] says the plan names
/// something it does not define.
pub fn resolve<C, E>(
    plan: &PlanFile,
    file: &str,
    always: bool,
    open: impl FnOnce() -> Result<C, E>,
) -> Result<Resolution<C>, Error>
where
    C: Borrow<Catalog>,
    Error: From<E>,
{
    counters::count_resolve();
    let catalog = if always || needs_catalog(plan) {
        Some(open()?)
    } else {
        None
    };
    let snapshot = match &catalog {
        Some(c) => Some(c.borrow().snapshot_for(plan)?),
        None => None,
    };
    let source: &dyn OfferingSource = match &snapshot {
        Some(s) => s,
        None => &NoCatalog,
    };
    let resolved = crate::plan::resolve(plan, source).map_err(|problems| PlanError::Invalid {
        file: file.to_owned(),
        problems,
    })?;
    let catalog_specs = resolved
        .portfolio
        .offerings
        .iter()
        .map(|o| snapshot.as_ref().and_then(|s| s.offering(&o.id)))
        .collect();
    let inherited = resolved
        .portfolio
        .offerings
        .iter()
        .map(|o| {
            let inline = plan.offerings.iter().find(|i| i.id == o.id);
            snapshot
                .as_ref()
                .and_then(|s| s.inherited.get(&o.id))
                .into_iter()
                .flatten()
                .filter(|f| !inline.is_some_and(|i| i.sets(&f.field)))
                .cloned()
                .collect()
        })
        .collect();
    Ok(Resolution {
        resolved,
        catalog_specs,
        inherited,
        catalog,
    })
}

/// One offering of the plan: the figures it is computed with (the plan's
/// inline fields over the catalog's) and the catalog's own, which the Plan
/// page shows greyed beside a field the plan leaves empty.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfferingView {
    pub id: String,
    pub merged: OfferingSpec,
    pub catalog: Option<OfferingSpec>,
    /// The figures of `merged` the offering inherits, and from where.
    pub inherited: Vec<Inherited>,
}

/// What a plan shows at once, before any simulation: its exact figures, its
/// target and budget, and its offerings.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanView {
    pub figures: ExactSummary,
    /// `[target] availability`, if the plan sets one.
    pub target: Option<f64>,
    /// The workload's latency budget, if any (then the simulation refines).
    pub budget_ms: Option<f64>,
    /// In portfolio order: each offering the routes use, inline ones first.
    pub offerings: Vec<OfferingView>,
    /// The busiest UTC hour of the workload's day (0..23): where the
    /// capacity figures' peak minute falls.
    pub peak_hour: usize,
    /// Requests a minute at the peak minute (the busiest hour's mean minute
    /// times the peak-minute factor), before retries and fallbacks.
    pub peak_requests_per_minute: f64,
    /// Mean input and output tokens per request: the plan's numbers, or the
    /// means of its distributions (shown beside a distribution, and what
    /// "use the mean" writes).
    pub mean_input_tokens: f64,
    pub mean_output_tokens: f64,
}

/// A plan's exact view, and its simulation ready to run on the same
/// portfolio and exact figures.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub view: PlanView,
    pub portfolio: Portfolio,
}

impl Evaluation {
    /// The full report: the simulations, on the exact figures already in
    /// [`Evaluation::view`] (nothing is resolved or computed twice).
    pub fn simulate(&self, options: &SimOptions, progress: &Progress) -> Result<Report, Error> {
        options.validate()?;
        Ok(evaluate_from(
            &self.portfolio,
            &self.view.figures,
            &options.evaluate(self.view.target),
            progress,
        )?)
    }
}

/// The closed forms of a resolved plan, computed once, with everything the
/// view shows.
pub fn evaluation<C>(resolution: Resolution<C>) -> Evaluation {
    counters::count_exact();
    let Resolution {
        resolved,
        catalog_specs,
        inherited,
        ..
    } = resolution;
    let portfolio = resolved.portfolio;
    let figures = summarize(&portfolio, &capacity::analyse(&portfolio));
    let offerings = resolved
        .offering_specs
        .into_iter()
        .zip(catalog_specs)
        .zip(inherited)
        .map(|((merged, catalog), inherited)| OfferingView {
            id: merged.id.clone(),
            merged,
            catalog,
            inherited,
        })
        .collect();
    Evaluation {
        view: PlanView {
            figures,
            target: resolved.target,
            budget_ms: portfolio.workload.latency_budget_ms,
            offerings,
            peak_hour: portfolio.workload.traffic.peak_hour(),
            peak_requests_per_minute: capacity::peak_rate(&portfolio.workload),
            mean_input_tokens: portfolio.workload.input_tokens,
            mean_output_tokens: portfolio.workload.output_tokens,
        },
        portfolio,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::CatalogError;
    use crate::catalog::testkit::{open, temp_db};
    use crate::model::{EvaluateOptions, evaluate_with_progress, exact_summary};
    use crate::plan::{Format, parse};

    const EXAMPLE: &str = include_str!("../../../../examples/claude-then-deepseek.toml");

    fn example() -> PlanFile {
        parse(EXAMPLE, Format::Toml, "example.toml").expect("parses")
    }

    fn never_opened() -> Result<Catalog, CatalogError> {
        panic!("a self-contained plan opened the catalog")
    }

    #[test]
    fn a_self_contained_plan_never_opens_the_catalog() {
        let r = resolve(&example(), "example.toml", false, never_opened).expect("resolves");
        assert!(r.catalog.is_none());
        assert!(r.catalog_specs.iter().all(Option::is_none));
    }

    #[test]
    fn the_report_on_the_views_figures_is_the_report_from_scratch() {
        let e =
            evaluation(resolve(&example(), "example.toml", false, never_opened).expect("resolves"));
        assert_eq!(e.view.figures, exact_summary(&e.portfolio));
        let options = SimOptions {
            samples: 20_000,
            months: 200,
            ..SimOptions::default()
        };
        let report = e.simulate(&options, &Progress::new()).expect("runs");
        let direct = evaluate_with_progress(
            &e.portfolio,
            &EvaluateOptions {
                samples: 20_000,
                periods: 200,
                target: e.view.target.expect("the example has a target"),
                ..EvaluateOptions::default()
            },
            &Progress::new(),
        )
        .expect("runs");
        assert_eq!(report, direct);
        assert_eq!(report.availability, e.view.figures.availability);
    }

    #[test]
    fn the_view_shows_the_catalogs_value_beside_the_plans() {
        let (_dir, path) = temp_db();
        let catalog = open(&path, true);
        // A what-if on a catalog offering: the plan sets its availability and
        // leaves every other figure, the MTTR among them, to the catalog.
        let id = "anthropic/claude-sonnet-5-5";
        let plan = parse(
            &format!(
                "[workload]\nrequests_per_month = 1000\ninput_tokens = 10\noutput_tokens = 10\n\
                 [[offerings]]\nid = \"{id}\"\navailability = 0.95\n\
                 [[routes]]\nname = \"r\"\nsteps = [{{ offering = \"{id}\", timeout_ms = 5000 }}]\n"
            ),
            Format::Toml,
            "p.toml",
        )
        .expect("parses");
        let r =
            resolve(&plan, "p.toml", false, || Ok::<_, CatalogError>(&catalog)).expect("resolves");
        let view = evaluation(r).view;
        assert_eq!(view.offerings.len(), 1);
        let o = &view.offerings[0];
        assert_eq!(o.id, id);
        assert_eq!(o.merged.availability, Some(0.95), "the plan's value");
        let from_catalog = o.catalog.as_ref().expect("the catalog has it");
        assert_eq!(
            from_catalog.availability,
            Some(0.9992),
            "the catalog's value"
        );
        assert_eq!(o.merged.mttr_minutes, from_catalog.mttr_minutes);
        assert_eq!(o.merged.ttft_p50_ms, from_catalog.ttft_p50_ms);
    }

    #[test]
    fn an_invalid_option_is_refused_before_simulating() {
        let e =
            evaluation(resolve(&example(), "example.toml", false, never_opened).expect("resolves"));
        let zero = SimOptions {
            samples: 0,
            ..SimOptions::default()
        };
        let err = e.simulate(&zero, &Progress::new()).expect_err("refused");
        assert!(matches!(err, Error::Options(_)), "{err}");
    }
}
