//! From a plan file to a [`Portfolio`]: defaults, catalog look-ups, and every
//! validation rule. All problems are collected, not just the first, so a user
//! fixes a plan in one pass.

use std::collections::{HashMap, HashSet};

use crate::limits::{self, Limit};
use crate::model::exact::MAX_GROUPS_PER_ROUTE;
use crate::model::{
    BatchPrices, Group, Offering, OutageMode, Portfolio, PriceTier, Prices, Quota, Route, Step,
    Traffic, Ttft, Workload,
};

use super::check::check_names;
use super::error::Problem;
use super::file::{GatewaySpec, GroupSpec, OfferingSpec, PlanFile, TokenCount, WorkloadSpec};
use crate::model::tokens::{MAX_TOKEN_POINTS, TokenMix, TokenMixes};

/// How far shares may stray from summing to 1.
const SHARE_TOLERANCE: f64 = 1e-9;
const DEFAULT_MTTR_MINUTES: f64 = 30.0;
const DEFAULT_ERROR_LATENCY_MS: f64 = 300.0;

/// Reads one figure of an offering spec.
pub type FieldOf = fn(&OfferingSpec) -> Option<f64>;

/// The figures an offering must have, from the plan or the catalog; every
/// other field has a default. [`needs_catalog`] and the resolver both read
/// this list, so a plan that lacks one of them is never called self-contained.
pub const REQUIRED_OFFERING_FIELDS: [(&str, FieldOf); 6] = [
    ("availability", |o| o.availability),
    ("ttft_p50_ms", |o| o.ttft_p50_ms),
    ("ttft_p95_ms", |o| o.ttft_p95_ms),
    ("tokens_per_s", |o| o.tokens_per_s),
    ("input_per_mtok", |o| o.input_per_mtok),
    ("output_per_mtok", |o| o.output_per_mtok),
];

/// Whether resolving `plan` needs the catalog: it names an offering or a group
/// it does not define inline, or an inline offering lacks one of the
/// [`REQUIRED_OFFERING_FIELDS`]. A self-contained plan is evaluated without
/// opening any database.
pub fn needs_catalog(plan: &PlanFile) -> bool {
    let inline: HashSet<&str> = plan.offerings.iter().map(|o| o.id.as_str()).collect();
    let groups: HashSet<&str> = plan.groups.iter().map(|g| g.id.as_str()).collect();
    let step_outside = plan
        .routes
        .iter()
        .flat_map(|r| &r.steps)
        .any(|s| !inline.contains(s.offering.as_str()));
    let incomplete = plan.offerings.iter().any(|o| {
        REQUIRED_OFFERING_FIELDS
            .iter()
            .any(|(_, value)| value(o).is_none())
    });
    let group_outside = plan
        .offerings
        .iter()
        .flat_map(|o| o.groups.iter().flatten())
        .any(|g| !groups.contains(g.as_str()));
    step_outside || incomplete || group_outside
}

/// Where offerings and groups not defined in the plan come from (the catalog).
pub trait OfferingSource {
    fn offering(&self, id: &str) -> Option<OfferingSpec>;
    fn group(&self, id: &str) -> Option<GroupSpec>;
    /// Where this source's value of `field` of offering `id` comes from, for
    /// messages that blame it: "the catalog `x.sqlite3` (your override, ...)".
    fn offering_origin(&self, _id: &str, _field: &str) -> String {
        "the catalog".to_owned()
    }
    /// Where this source's group `id` comes from, for messages.
    fn group_origin(&self, _id: &str) -> String {
        "the catalog".to_owned()
    }
}

/// No catalog: a plan must define everything it uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCatalog;

impl OfferingSource for NoCatalog {
    fn offering(&self, _id: &str) -> Option<OfferingSpec> {
        None
    }
    fn group(&self, _id: &str) -> Option<GroupSpec> {
        None
    }
}

/// A resolved plan: the portfolio to compute on, and what the plan asks of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub portfolio: Portfolio,
    /// `[target] availability`, if the plan sets one.
    pub target: Option<f64>,
    /// The merged offering specs, in portfolio order (for probes and exports).
    pub offering_specs: Vec<OfferingSpec>,
    /// `[gateway]` as the plan gives it, checked; the gateways' defaults fill
    /// the rest when the plan is exported (`export::breaker`).
    pub gateway: GatewaySpec,
}

/// Validates `plan` and resolves it into a portfolio, taking offerings and groups
/// the plan does not define from `source`.
pub fn resolve(plan: &PlanFile, source: &dyn OfferingSource) -> Result<Resolved, Vec<Problem>> {
    // Later messages quote names: unsafe ones stop here.
    let names = check_names(plan);
    if !names.is_empty() {
        return Err(names);
    }
    let mut r = Resolver {
        problems: Vec::new(),
        source,
    };
    let workload = r.workload(plan);
    if let Some(target) = &plan.target {
        r.range(
            "target.availability",
            target.availability,
            &limits::TARGET_AVAILABILITY,
        );
    }
    let gateway = plan.gateway.clone().unwrap_or_default();
    r.gateway(&gateway);
    r.inline_offerings(plan);
    let group_specs = r.inline_groups(plan);
    let mut builder = Builder::default();
    // Every inline offering is checked, used or not; then the routes pick theirs.
    for (i, o) in plan.offerings.iter().enumerate() {
        r.offering(
            plan,
            &o.id,
            &format!("offerings[{i}]"),
            &group_specs,
            &mut builder,
        );
    }
    let routes = r.routes(plan, &group_specs, &mut builder);
    if r.problems.is_empty() {
        Ok(Resolved {
            portfolio: Portfolio {
                offerings: builder.offerings,
                groups: builder.groups,
                routes,
                workload,
            },
            target: plan.target.as_ref().map(|t| t.availability),
            offering_specs: builder.specs,
            gateway,
        })
    } else {
        Err(r.problems)
    }
}

/// Resolves the offerings `ids` (each with the field path that names it, for
/// messages) the way routes resolve theirs, for a search: the result has every
/// offering in `ids` order, the groups they use, the workload and the target,
/// and no routes.
pub fn resolve_offerings(
    plan: &PlanFile,
    ids: &[(String, String)],
    source: &dyn OfferingSource,
) -> Result<Resolved, Vec<Problem>> {
    let names = check_names(plan);
    if !names.is_empty() {
        return Err(names);
    }
    let mut r = Resolver {
        problems: Vec::new(),
        source,
    };
    let workload = r.workload(plan);
    if let Some(target) = &plan.target {
        r.range(
            "target.availability",
            target.availability,
            &limits::TARGET_AVAILABILITY,
        );
    }
    let gateway = plan.gateway.clone().unwrap_or_default();
    r.gateway(&gateway);
    r.inline_offerings(plan);
    let group_specs = r.inline_groups(plan);
    let mut builder = Builder::default();
    for (id, at) in ids {
        r.offering(plan, id, at, &group_specs, &mut builder);
    }
    if r.problems.is_empty() {
        Ok(Resolved {
            portfolio: Portfolio {
                offerings: builder.offerings,
                groups: builder.groups,
                routes: Vec::new(),
                workload,
            },
            target: plan.target.as_ref().map(|t| t.availability),
            offering_specs: builder.specs,
            gateway,
        })
    } else {
        Err(r.problems)
    }
}

struct Resolver<'a> {
    problems: Vec<Problem>,
    source: &'a dyn OfferingSource,
}

/// The offerings and groups the routes use, in order of first use.
#[derive(Default)]
struct Builder {
    offerings: Vec<Offering>,
    specs: Vec<OfferingSpec>,
    offering_index: HashMap<String, usize>,
    groups: Vec<Group>,
    group_index: HashMap<String, usize>,
    /// Offerings already found invalid: reported once, not at every use.
    invalid: HashSet<String>,
}

impl Resolver<'_> {
    fn problem(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.problems.push(Problem::new(field, reason));
    }

    /// `[gateway]`: each field in its range.
    fn gateway(&mut self, gateway: &GatewaySpec) {
        if let Some(k) = gateway.failures_to_trip {
            self.range(
                "gateway.failures_to_trip",
                f64::from(k),
                &limits::FAILURES_TO_TRIP,
            );
        }
        if let Some(w) = gateway.window_s {
            self.range("gateway.window_s", w, &limits::GATEWAY_WINDOW_S);
        }
        if let Some(c) = gateway.cooldown_s {
            self.range("gateway.cooldown_s", c, &limits::COOLDOWN_S);
        }
    }

    /// `value` must be in `limit`'s range.
    fn range(&mut self, field: &str, value: f64, limit: &Limit) {
        if let Err(reason) = limit.check(value) {
            self.problem(field, reason);
        }
    }

    fn workload(&mut self, plan: &PlanFile) -> Workload {
        let w = &plan.workload;
        self.range(
            "workload.requests_per_month",
            w.requests_per_month,
            &limits::REQUESTS_PER_MONTH,
        );
        let input = self.tokens(
            "workload.input_tokens",
            &w.input_tokens,
            &limits::INPUT_TOKENS,
        );
        let output = self.tokens(
            "workload.output_tokens",
            &w.output_tokens,
            &limits::OUTPUT_TOKENS,
        );
        let cached = w.cached_input_share.unwrap_or(0.0);
        self.range(
            "workload.cached_input_share",
            cached,
            &limits::CACHED_INPUT_SHARE,
        );
        if let Some(budget) = w.latency_budget_ms {
            self.range(
                "workload.latency_budget_ms",
                budget,
                &limits::LATENCY_BUDGET_MS,
            );
        }
        let fixed = w.fixed_monthly_usd.unwrap_or(0.0);
        self.range(
            "workload.fixed_monthly_usd",
            fixed,
            &limits::FIXED_MONTHLY_USD,
        );
        let token_mixes = match (&w.input_tokens, &w.output_tokens) {
            (TokenCount::Mean(_), TokenCount::Mean(_)) => None,
            _ => Some(TokenMixes { input, output }),
        };
        Workload {
            requests_per_month: w.requests_per_month,
            input_tokens: input.mean(),
            output_tokens: output.mean(),
            token_mixes,
            cached_input_share: cached,
            latency_budget_ms: w.latency_budget_ms,
            fixed_monthly_usd: fixed,
            traffic: self.traffic(w),
        }
    }

    /// A token count as a distribution (one point for a number), each value
    /// in `limit`'s range; a single point at 0 when it is refused, so the
    /// rest of the plan is still checked.
    fn tokens(&mut self, field: &str, count: &TokenCount, limit: &Limit) -> TokenMix {
        let d = match count {
            TokenCount::Mean(x) => {
                self.range(field, *x, limit);
                return TokenMix::single(*x);
            }
            TokenCount::Distribution(d) => d,
        };
        let before = self.problems.len();
        if d.values.len() != d.weights.len() {
            self.problem(
                field,
                format!(
                    "has {} values and {} weights; each value needs its weight",
                    d.values.len(),
                    d.weights.len()
                ),
            );
        }
        if d.values.is_empty() || d.values.len() > MAX_TOKEN_POINTS {
            self.problem(
                format!("{field}.values"),
                format!(
                    "has {} values; a distribution has 1 to {MAX_TOKEN_POINTS} (every bin of a usage histogram fits)",
                    d.values.len()
                ),
            );
        }
        for (i, &v) in d.values.iter().enumerate() {
            self.range(&format!("{field}.values[{i}]"), v, limit);
        }
        for (i, &w) in d.weights.iter().enumerate() {
            self.range(&format!("{field}.weights[{i}]"), w, &limits::TOKEN_WEIGHT);
        }
        if self.problems.len() == before && d.weights.iter().sum::<f64>() <= 0.0 {
            self.problem(
                format!("{field}.weights"),
                "are all 0; at least one value needs a positive weight",
            );
        }
        if self.problems.len() > before {
            return TokenMix::single(0.0);
        }
        let pairs: Vec<(f64, f64)> = d
            .values
            .iter()
            .copied()
            .zip(d.weights.iter().copied())
            .collect();
        TokenMix::new(&pairs).unwrap_or_else(|| TokenMix::single(0.0))
    }

    /// The day's shape and the peak minute; flat and Poisson when absent.
    fn traffic(&mut self, w: &WorkloadSpec) -> Traffic {
        let factor = w.peak_minute_factor.unwrap_or(1.0);
        self.range(
            "workload.peak_minute_factor",
            factor,
            &limits::PEAK_MINUTE_FACTOR,
        );
        let Some(shape) = &w.hourly_shape else {
            return Traffic {
                peak_minute_factor: factor,
                ..Traffic::default()
            };
        };
        let Ok(weights) = <[f64; 24]>::try_from(shape.as_slice()) else {
            self.problem(
                "workload.hourly_shape",
                format!(
                    "has {} weights; it needs 24, one per UTC hour from 00:00",
                    shape.len()
                ),
            );
            return Traffic::default();
        };
        let before = self.problems.len();
        for (h, &weight) in weights.iter().enumerate() {
            self.range(
                &format!("workload.hourly_shape[{h}]"),
                weight,
                &limits::HOURLY_WEIGHT,
            );
        }
        if self.problems.len() > before {
            return Traffic::default();
        }
        if weights.iter().all(|&w| w == 0.0) {
            self.problem(
                "workload.hourly_shape",
                "is all zeros: at least one hour must carry traffic",
            );
            return Traffic::default();
        }
        Traffic::from_weights(&weights, factor)
    }

    /// Inline offerings must have unique ids; their values are checked when used.
    fn inline_offerings(&mut self, plan: &PlanFile) {
        let mut seen = HashSet::new();
        for (i, o) in plan.offerings.iter().enumerate() {
            if o.id.trim().is_empty() {
                self.problem(format!("offerings[{i}].id"), "is empty");
            } else if !seen.insert(o.id.as_str()) {
                self.problem(
                    format!("offerings[{i}].id"),
                    format!("`{}` is defined twice", o.id),
                );
            }
        }
    }

    /// Inline groups, checked, by id.
    fn inline_groups<'p>(
        &mut self,
        plan: &'p PlanFile,
    ) -> HashMap<&'p str, (String, &'p GroupSpec)> {
        let mut groups = HashMap::new();
        for (i, g) in plan.groups.iter().enumerate() {
            let at = format!("groups[{i}]");
            if g.id.trim().is_empty() {
                self.problem(format!("{at}.id"), "is empty");
            } else if groups.contains_key(g.id.as_str()) {
                self.problem(format!("{at}.id"), format!("`{}` is defined twice", g.id));
            }
            groups.insert(g.id.as_str(), (at, g));
        }
        groups
    }

    fn routes(
        &mut self,
        plan: &PlanFile,
        groups: &HashMap<&str, (String, &GroupSpec)>,
        builder: &mut Builder,
    ) -> Vec<Route> {
        if plan.routes.is_empty() {
            self.problem("routes", "a plan needs at least one route");
        }
        let mut names = HashSet::new();
        let mut routes = Vec::new();
        for (r, spec) in plan.routes.iter().enumerate() {
            let at = format!("routes[{r}]");
            if spec.name.trim().is_empty() {
                self.problem(format!("{at}.name"), "is empty");
            } else if !names.insert(spec.name.as_str()) {
                self.problem(
                    format!("{at}.name"),
                    format!("`{}` is used by two routes", spec.name),
                );
            }
            let share = spec.share.unwrap_or(1.0);
            self.range(&format!("{at}.share"), share, &limits::SHARE);
            if spec.steps.is_empty() {
                self.problem(
                    format!("{at}.steps"),
                    "the route is empty: it needs at least one step",
                );
            }
            let mut steps = Vec::new();
            for (s, step) in spec.steps.iter().enumerate() {
                let at = format!("{at}.steps[{s}]");
                let attempts = step.attempts.unwrap_or(1);
                if let Err(reason) = limits::ATTEMPTS.check_count(u64::from(attempts)) {
                    self.problem(format!("{at}.attempts"), format!("{reason} (1 + retries)"));
                }
                self.range(
                    &format!("{at}.timeout_ms"),
                    step.timeout_ms,
                    &limits::TIMEOUT_MS,
                );
                let backoff = step.backoff_ms.unwrap_or(0.0);
                self.range(&format!("{at}.backoff_ms"), backoff, &limits::BACKOFF_MS);
                let Some(offering) = self.offering(plan, &step.offering, &at, groups, builder)
                else {
                    continue;
                };
                steps.push(Step {
                    offering,
                    attempts,
                    timeout_ms: step.timeout_ms,
                    backoff_ms: backoff,
                });
            }
            self.route_group_count(&at, &steps, builder);
            routes.push(Route {
                name: spec.name.clone(),
                share,
                steps,
            });
        }
        let total: f64 = routes.iter().map(|r| r.share).sum();
        if !plan.routes.is_empty() && (total - 1.0).abs() > SHARE_TOLERANCE {
            self.problem(
                "routes.share",
                format!("shares sum to {total}, not 1 (a route without `share` counts as 1)"),
            );
        }
        routes
    }

    fn route_group_count(&mut self, at: &str, steps: &[Step], builder: &Builder) {
        let groups: HashSet<usize> = steps
            .iter()
            .flat_map(|s| builder.offerings[s.offering].groups.iter().copied())
            .collect();
        if groups.len() > MAX_GROUPS_PER_ROUTE {
            self.problem(
                at,
                format!(
                    "the route's offerings belong to {} failure groups; at most {MAX_GROUPS_PER_ROUTE} are supported",
                    groups.len()
                ),
            );
        }
    }

    /// The index of offering `id`, resolving it on first use. `None` if it is
    /// unknown or invalid (the problem is recorded).
    fn offering(
        &mut self,
        plan: &PlanFile,
        id: &str,
        step_at: &str,
        groups: &HashMap<&str, (String, &GroupSpec)>,
        builder: &mut Builder,
    ) -> Option<usize> {
        if let Some(&index) = builder.offering_index.get(id) {
            return Some(index);
        }
        if builder.invalid.contains(id) {
            return None;
        }
        let inline = plan.offerings.iter().position(|o| o.id == id);
        let catalog = self.source.offering(id);
        let (site, spec) = match (inline, catalog) {
            (Some(i), Some(base)) => {
                let spec = plan.offerings[i].over(&base);
                (
                    Site::new(id, Some((i, &plan.offerings[i])), Some(base)),
                    spec,
                )
            }
            (Some(i), None) => (
                Site::new(id, Some((i, &plan.offerings[i])), None),
                plan.offerings[i].clone(),
            ),
            (None, Some(base)) => (Site::new(id, None, Some(base.clone())), base),
            (None, None) => {
                self.problem(
                    format!("{step_at}.offering"),
                    format!("unknown offering `{id}`: define it in [[offerings]] or import it into the catalog"),
                );
                return None;
            }
        };
        let Some(offering) = self.check_offering(&site, &spec, groups, builder) else {
            builder.invalid.insert(id.to_owned());
            return None;
        };
        builder.offerings.push(offering);
        builder.specs.push(spec);
        builder
            .offering_index
            .insert(id.to_owned(), builder.offerings.len() - 1);
        Some(builder.offerings.len() - 1)
    }

    /// A problem with `field` of the offering at `site`, blamed on where its
    /// value came from: the plan's field path, or the catalog (named by the
    /// source) when the plan did not set the field.
    fn blame(&mut self, site: &Site, field: &str, reason: String) {
        if site.is_from_source(field) {
            let origin = self.source.offering_origin(site.id, field);
            self.problem(
                format!("offering `{}`", site.id),
                format!("{field} from {origin}: {reason}"),
            );
        } else {
            self.problem(site.path(field), reason);
        }
    }

    /// `value` of `field` must be in `limit`'s range.
    fn offering_range(&mut self, site: &Site, field: &str, value: f64, limit: &Limit) {
        if let Err(reason) = limit.check(value) {
            self.blame(site, field, reason);
        }
    }

    fn required(&mut self, site: &Site, field: &str, value: Option<f64>) -> f64 {
        value.unwrap_or_else(|| {
            self.problem(
                site.path(field),
                "is missing: define it inline or in the catalog",
            );
            f64::NAN
        })
    }

    fn check_offering(
        &mut self,
        site: &Site,
        spec: &OfferingSpec,
        groups: &HashMap<&str, (String, &GroupSpec)>,
        builder: &mut Builder,
    ) -> Option<Offering> {
        let before = self.problems.len();
        let [availability, p50, p95, speed, input, output] =
            REQUIRED_OFFERING_FIELDS.map(|(field, value)| self.required(site, field, value(spec)));
        let missing = self.problems.len() > before;
        let mttr = spec.mttr_minutes.unwrap_or(DEFAULT_MTTR_MINUTES);
        let error_rate = spec.error_rate.unwrap_or(0.0);
        let error_latency = spec.error_latency_ms.unwrap_or(DEFAULT_ERROR_LATENCY_MS);
        let cached = spec.cached_input_per_mtok.unwrap_or(input);
        if !missing {
            self.offering_range(site, "availability", availability, &limits::AVAILABILITY);
            self.offering_range(site, "ttft_p50_ms", p50, &limits::TTFT_P50_MS);
            self.offering_range(site, "ttft_p95_ms", p95, &limits::TTFT_P95_MS);
            if p95 < p50 {
                self.blame(
                    site,
                    "ttft_p95_ms",
                    format!("{p95} is below ttft_p50_ms ({p50})"),
                );
            }
            self.offering_range(site, "tokens_per_s", speed, &limits::TOKENS_PER_S);
            let price = &limits::PRICE_PER_MTOK;
            self.offering_range(site, "input_per_mtok", input, price);
            self.offering_range(site, "output_per_mtok", output, price);
            // Absent, it is the input price, checked above.
            if spec.cached_input_per_mtok.is_some() {
                self.offering_range(site, "cached_input_per_mtok", cached, price);
            }
        }
        self.offering_range(site, "mttr_minutes", mttr, &limits::MTTR_MINUTES);
        self.offering_range(site, "error_rate", error_rate, &limits::ERROR_RATE);
        self.offering_range(
            site,
            "error_latency_ms",
            error_latency,
            &limits::ERROR_LATENCY_MS,
        );

        let tier = self.tier(site, spec, input, output);
        for (field, value) in [
            ("batch_input_per_mtok", spec.batch_input_per_mtok),
            ("batch_output_per_mtok", spec.batch_output_per_mtok),
        ] {
            if let Some(value) = value {
                self.offering_range(site, field, value, &limits::PRICE_PER_MTOK);
            }
        }

        let mut group_indices = Vec::new();
        let mut group_product = 1.0;
        for (k, name) in spec.groups.iter().flatten().enumerate() {
            // Memberships the plan did not list came from the catalog.
            let field = if site.is_from_source("groups") {
                format!("offering `{}` (from the catalog).groups[{k}]", site.id)
            } else {
                site.path(&format!("groups[{k}]"))
            };
            match self.group(name, &field, groups, builder) {
                Some(g) => {
                    if !group_indices.contains(&g) {
                        group_indices.push(g);
                        group_product *= builder.groups[g].availability;
                    }
                }
                None => continue,
            }
        }
        if self.problems.len() > before {
            return None;
        }
        if availability > group_product {
            self.blame(
                site,
                "availability",
                format!(
                    "{availability} is above the availability of its groups together ({group_product}): \
                     an offering is up only while its groups are"
                ),
            );
            return None;
        }
        Some(Offering {
            id: spec.id.clone(),
            availability,
            mttr_minutes: mttr,
            error_rate,
            error_latency_ms: error_latency,
            outage: spec.outage.unwrap_or(OutageMode::Error),
            ttft: Ttft::from_percentiles(p50, p95),
            tokens_per_s: speed,
            prices: Prices {
                input_per_mtok: input,
                cached_input_per_mtok: cached,
                output_per_mtok: output,
                batch: batch_prices(spec, input, output),
                tier,
            },
            groups: group_indices,
            quota: self.quota(site, spec),
        })
    }

    /// The offering's price tier, each figure checked, the prices it does
    /// not list resolved as LiteLLM 1.106.2 resolves them
    /// (`_get_token_base_cost`: a missing tier price keeps the list price; a
    /// missing cache price is the input price in force). Tier prices
    /// without a threshold are refused: they could never apply.
    fn tier(
        &mut self,
        site: &Site,
        spec: &OfferingSpec,
        input: f64,
        output: f64,
    ) -> Option<PriceTier> {
        let prices = [
            ("tier_input_per_mtok", spec.tier_input_per_mtok),
            (
                "tier_cached_input_per_mtok",
                spec.tier_cached_input_per_mtok,
            ),
            ("tier_output_per_mtok", spec.tier_output_per_mtok),
        ];
        for (field, value) in prices {
            if let Some(value) = value {
                self.offering_range(site, field, value, &limits::PRICE_PER_MTOK);
            }
        }
        let Some(above) = spec.tier_above_tokens else {
            if let Some((field, _)) = prices.iter().find(|(_, v)| v.is_some()) {
                self.blame(
                    site,
                    field,
                    "is set without tier_above_tokens, the prompt size above which it applies"
                        .to_owned(),
                );
            }
            return None;
        };
        self.offering_range(site, "tier_above_tokens", above, &limits::TIER_ABOVE_TOKENS);
        tier_prices(spec, input, output)
    }

    /// The offering's rate limits, each checked when set.
    fn quota(&mut self, site: &Site, spec: &OfferingSpec) -> Quota {
        for (field, value, limit) in [
            ("rpm_limit", spec.rpm_limit, &limits::RPM_LIMIT),
            ("input_tpm_limit", spec.input_tpm_limit, &limits::TPM_LIMIT),
            (
                "output_tpm_limit",
                spec.output_tpm_limit,
                &limits::TPM_LIMIT,
            ),
        ] {
            if let Some(value) = value {
                self.offering_range(site, field, value, limit);
            }
        }
        Quota {
            rpm: spec.rpm_limit,
            input_tpm: spec.input_tpm_limit,
            output_tpm: spec.output_tpm_limit,
        }
    }

    fn group(
        &mut self,
        id: &str,
        field: &str,
        inline: &HashMap<&str, (String, &GroupSpec)>,
        builder: &mut Builder,
    ) -> Option<usize> {
        if let Some(&index) = builder.group_index.get(id) {
            return Some(index);
        }
        let (at, spec, from_catalog) = match (inline.get(id), self.source.group(id)) {
            (Some((at, spec)), _) => (at.clone(), (*spec).clone(), false),
            (None, Some(spec)) => (format!("group `{id}`"), spec, true),
            (None, None) => {
                self.problem(
                    field,
                    format!("unknown group `{id}`: define it in [[groups]]"),
                );
                return None;
            }
        };
        let before = self.problems.len();
        let report = |this: &mut Self, name: &str, reason: String| {
            if from_catalog {
                let origin = this.source.group_origin(id);
                this.problem(at.clone(), format!("{name} from {origin}: {reason}"));
            } else {
                this.problem(format!("{at}.{name}"), reason);
            }
        };
        let group = match (&spec.outage_process, spec.availability) {
            (Some(process), None) => {
                for (name, value, limit) in [
                    (
                        "events_per_month",
                        Some(process.events_per_month),
                        &limits::EVENTS_PER_MONTH,
                    ),
                    ("dispersion", process.dispersion, &limits::DISPERSION),
                    ("log_mu", Some(process.log_mu), &limits::LOG_MU),
                    ("log_sigma", Some(process.log_sigma), &limits::LOG_SIGMA),
                ] {
                    if let Some(Err(reason)) = value.map(|v| limit.check(v)) {
                        report(self, &format!("outage_process.{name}"), reason);
                    }
                }
                if spec.mttr_minutes.is_some() {
                    report(
                        self,
                        "mttr_minutes",
                        "is set beside outage_process, whose mean outage it would contradict: remove one".to_owned(),
                    );
                }
                Group::fitted(&spec.id, process.process())
            }
            (Some(_), Some(_)) => {
                report(
                    self,
                    "availability",
                    "is set beside outage_process, whose mean uptime it would contradict: remove one".to_owned(),
                );
                return None;
            }
            (None, None) => {
                report(
                    self,
                    "availability",
                    "is missing: give availability (with mttr_minutes) or an outage_process"
                        .to_owned(),
                );
                return None;
            }
            (None, Some(availability)) => {
                let mttr = spec.mttr_minutes.unwrap_or(DEFAULT_MTTR_MINUTES);
                for (name, value, limit) in [
                    ("availability", availability, &limits::GROUP_AVAILABILITY),
                    ("mttr_minutes", mttr, &limits::GROUP_MTTR_MINUTES),
                ] {
                    if let Err(reason) = limit.check(value) {
                        report(self, name, reason);
                    }
                }
                Group {
                    id: spec.id.clone(),
                    availability,
                    mttr_minutes: mttr,
                    process: None,
                }
            }
        };
        if self.problems.len() > before {
            return None;
        }
        builder.groups.push(group);
        builder
            .group_index
            .insert(id.to_owned(), builder.groups.len() - 1);
        Some(builder.groups.len() - 1)
    }
}

/// The prices of `spec` as a resolved plan has them (list, cached, batch and
/// tier prices, each missing one resolved as [`resolve`] does), without the
/// range checks: for prices already checked, such as a catalog's or an
/// imported price map's (`catalog::litellm::request_prices`). `None` when
/// the spec lacks an input or an output price.
pub fn offering_prices(spec: &OfferingSpec) -> Option<Prices> {
    let input = spec.input_per_mtok?;
    let output = spec.output_per_mtok?;
    Some(Prices {
        input_per_mtok: input,
        cached_input_per_mtok: spec.cached_input_per_mtok.unwrap_or(input),
        output_per_mtok: output,
        batch: batch_prices(spec, input, output),
        tier: tier_prices(spec, input, output),
    })
}

/// The tier of `spec` with list prices `input` and `output`: a missing tier
/// price keeps the list price, a missing cached one the list cached price,
/// else the tier's input price (LiteLLM 1.106.2, `_get_token_base_cost`).
fn tier_prices(spec: &OfferingSpec, input: f64, output: f64) -> Option<PriceTier> {
    let above = spec.tier_above_tokens?;
    let tier_input = spec.tier_input_per_mtok.unwrap_or(input);
    Some(PriceTier {
        above_tokens: above,
        input_per_mtok: tier_input,
        cached_input_per_mtok: spec
            .tier_cached_input_per_mtok
            .or(spec.cached_input_per_mtok)
            .unwrap_or(tier_input),
        output_per_mtok: spec.tier_output_per_mtok.unwrap_or(output),
    })
}

/// The batch prices of an offering with list prices `input` and `output`,
/// as LiteLLM 1.106.2's `batch_cost_calculator` (`litellm/cost_calculator.py`)
/// bills a batch request without tiers:
///
/// - with a batch input price, every prompt token pays it, cached or not (no
///   batch cache price is imported, and without one LiteLLM does not set
///   cached tokens apart);
/// - without one, uncached prompt tokens pay half the input price and cached
///   tokens half the listed cache price, or nothing when no cache price is
///   listed (`calculate_cost_component` of a missing key is 0); a zero input
///   price makes the whole prompt free;
/// - output pays the batch output price, else half the output price.
fn batch_prices(spec: &OfferingSpec, input: f64, output: f64) -> BatchPrices {
    let (input_per_mtok, cached_input_per_mtok) = match spec.batch_input_per_mtok {
        Some(batch) => (batch, None),
        None if input == 0.0 => (0.0, Some(0.0)),
        None => (
            input / 2.0,
            Some(spec.cached_input_per_mtok.map_or(0.0, |c| c / 2.0)),
        ),
    };
    BatchPrices {
        input_per_mtok,
        cached_input_per_mtok,
        output_per_mtok: spec.batch_output_per_mtok.unwrap_or(output / 2.0),
    }
}

/// Where an offering's fields come from: the plan's `offerings[i]` (if it
/// defines the offering), the source (the catalog), or both, field by field.
struct Site<'p> {
    id: &'p str,
    inline: Option<(usize, &'p OfferingSpec)>,
    base: Option<OfferingSpec>,
}

impl<'p> Site<'p> {
    fn new(
        id: &'p str,
        inline: Option<(usize, &'p OfferingSpec)>,
        base: Option<OfferingSpec>,
    ) -> Self {
        Self { id, inline, base }
    }

    /// Whether the value of `field` is the source's: the plan does not set it
    /// and the source does.
    fn is_from_source(&self, field: &str) -> bool {
        let set = |spec: &OfferingSpec| spec.sets(field);
        !self.inline.is_some_and(|(_, spec)| set(spec)) && self.base.as_ref().is_some_and(set)
    }

    /// The path of `field`: in the plan's `offerings[i]` when the plan defines
    /// the offering, else in the catalog's offering.
    fn path(&self, field: &str) -> String {
        match self.inline {
            Some((i, _)) => format!("offerings[{i}].{field}"),
            None => format!("offering `{}` (from the catalog).{field}", self.id),
        }
    }
}
