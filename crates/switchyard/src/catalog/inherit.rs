//! Figures an offering inherits because it has none of its own.
//!
//! A price list (LiteLLM, OpenRouter) brings thousands of offerings with
//! prices and nothing else, so no plan could use them. Each missing figure is
//! taken, in this order, from:
//!
//! - **Groups**: an offering in no group joins its provider's group (the
//!   group most of the provider's offerings are in), so that two models of
//!   one provider still fail together.
//! - **Availability**: its groups' (a group's fitted history where it has
//!   one): the offering is up exactly when its groups are. An offering with
//!   an availability of its own whose group has a fitted history keeps its
//!   private uptime (own over the groups' stated product) times the groups'
//!   fitted means, so that a history imported into a group moves its
//!   offerings with it instead of leaving them above it.
//! - **MTTR, error rate, error latency, outage mode**: the provider's default,
//!   the median (for the mode: the most common value) of the provider's
//!   offerings that have the figure of their own.
//! - **Latency** (TTFT p50 and p95, tokens/s): the same model at another
//!   provider, else the provider's default as above.
//! - **Rate limits** (rpm, input and output tpm): what the newest probe of
//!   the offering read in its response headers, else the figures of the tier
//!   the user chose for the provider ([`super::rate_tiers`]).
//!
//! Every inherited figure says where it came from; none is stored, so a new
//! history or a curated figure changes it at once.

use std::cell::RefCell;
use std::collections::HashMap;

use rusqlite::OptionalExtension;
use serde::Serialize;

use super::error::{CatalogError, SqlContext};
use super::fields::{Field, Value};
use super::observed_limits::RequestsHeader;
use super::rate_tiers::ChosenTier;
use super::store::Catalog;

/// One figure an offering takes from elsewhere.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inherited {
    pub field: String,
    #[cfg_attr(feature = "ts", ts(type = "number | string"))]
    pub value: Value,
    /// Where it comes from, in words.
    pub from: String,
}

/// What an offering inherits.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Inheritance {
    /// Its provider's group, when it is in none.
    pub groups: Option<Vec<String>>,
    pub figures: Vec<Inherited>,
}

impl Inheritance {
    /// The inherited figure of `field`, if any.
    pub fn of(&self, field: Field) -> Option<&Inherited> {
        self.figures.iter().find(|f| f.field == field.name())
    }
}

/// Figures a provider's default stands in for.
const PROVIDER_DEFAULTS: [Field; 4] = [
    Field::MttrMinutes,
    Field::ErrorRate,
    Field::ErrorLatencyMs,
    Field::Outage,
];
/// Figures an observed probe or the chosen tier stands in for.
const RATE_LIMITS: [Field; 3] = [Field::RpmLimit, Field::InputTpmLimit, Field::OutputTpmLimit];
/// Figures taken together from the same model elsewhere.
const LATENCY: [Field; 3] = [Field::TtftP50Ms, Field::TtftP95Ms, Field::TokensPerS];

/// The median of `values` (at least one).
fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

/// A group's stated availability and its fitted mean, if it has a fit.
type GroupFigures = (f64, Option<f64>);
/// An offering's id and its own latency figures.
type LatencyOf = (String, HashMap<Field, Value>);

/// Works out inheritance for many offerings at once: what every offering of
/// a provider (or group) shares is read once, not once per offering.
#[derive(Debug)]
pub struct Inheritor<'c> {
    /// Read every offering's latency figures at once ([`Inheritor::for_many`]).
    bulk: bool,
    catalog: &'c Catalog,
    provider_groups: RefCell<HashMap<String, Option<String>>>,
    provider_defaults: RefCell<HashMap<(String, Field), Option<Inherited>>>,
    /// A group's stated availability and its fitted mean, if fitted.
    groups: RefCell<HashMap<String, Option<GroupFigures>>>,
    /// Per model: the offerings with latency figures of their own and those
    /// figures, by id; read once, on first use.
    latency_by_model: RefCell<Option<HashMap<String, Vec<LatencyOf>>>>,
    /// Per provider: its chosen tier, and what its endpoint's
    /// `x-ratelimit-limit-requests` counts.
    rate_providers: RefCell<HashMap<String, RateProvider>>,
}

/// A provider's chosen tier, and how to read its limit headers.
type RateProvider = (Option<ChosenTier>, RequestsHeader);

impl<'c> Inheritor<'c> {
    /// For one offering, or a few: what they share is still read once, but
    /// the same-model look-up goes to the index.
    pub fn new(catalog: &'c Catalog) -> Self {
        Self::with(catalog, false)
    }

    /// For a whole listing: every offering's latency figures are read at once.
    pub fn for_many(catalog: &'c Catalog) -> Self {
        Self::with(catalog, true)
    }

    fn with(catalog: &'c Catalog, bulk: bool) -> Self {
        Self {
            bulk,
            catalog,
            provider_groups: RefCell::default(),
            provider_defaults: RefCell::default(),
            groups: RefCell::default(),
            latency_by_model: RefCell::default(),
            rate_providers: RefCell::default(),
        }
    }

    /// What offering `id` of `provider` (model `model`) inherits, given the
    /// figures `own` and groups `own_groups` it has.
    pub fn inherit(
        &self,
        id: &str,
        provider: &str,
        model: &str,
        own: &HashMap<Field, Value>,
        own_groups: &[String],
    ) -> Result<Inheritance, CatalogError> {
        let mut out = Inheritance::default();
        let groups = if own_groups.is_empty() {
            let group = self.provider_group(provider)?;
            out.groups = group.clone().map(|g| vec![g]);
            group.into_iter().collect()
        } else {
            own_groups.to_vec()
        };
        if let Some(Value::Number(stated)) = own.get(&Field::Availability) {
            out.figures
                .extend(self.refitted_availability(*stated, &groups)?);
        } else if !groups.is_empty() {
            let mut product = 1.0;
            let mut named = Vec::new();
            for g in &groups {
                let Some((availability, how)) = self.group_availability(g)? else {
                    continue;
                };
                product *= availability;
                named.push(format!("group `{g}` ({how})"));
            }
            if !named.is_empty() {
                out.figures.push(Inherited {
                    field: Field::Availability.name().to_owned(),
                    value: Value::Number(product),
                    from: named.join(" × "),
                });
            }
        }
        for field in PROVIDER_DEFAULTS {
            if !own.contains_key(&field) {
                out.figures.extend(self.provider_default(provider, field)?);
            }
        }
        if LATENCY.iter().any(|f| !own.contains_key(f)) {
            let twin = self.same_model_elsewhere(id, model)?;
            for field in LATENCY {
                if own.contains_key(&field) {
                    continue;
                }
                let from_twin = twin.as_ref().and_then(|(other, figures)| {
                    figures.get(&field).map(|value| Inherited {
                        field: field.name().to_owned(),
                        value: value.clone(),
                        from: format!("the same model at `{other}`"),
                    })
                });
                match from_twin {
                    Some(figure) => out.figures.push(figure),
                    None => out.figures.extend(self.provider_default(provider, field)?),
                }
            }
        }
        if RATE_LIMITS.iter().any(|f| !own.contains_key(f)) {
            out.figures
                .extend(self.rate_limits(id, provider, model, own)?);
        }
        Ok(out)
    }

    /// The rate limits `id` lacks: observed by its newest probe that stated
    /// any, else its provider's chosen tier's for `model`.
    fn rate_limits(
        &self,
        id: &str,
        provider: &str,
        model: &str,
        own: &HashMap<Field, Value>,
    ) -> Result<Vec<Inherited>, CatalogError> {
        let (tier, requests) = self.rate_provider(provider)?;
        let observed = self.catalog.observed_limits(id, requests)?;
        let tier_row = tier.as_ref().and_then(|t| Some((t, t.for_model(model)?)));
        let mut out = Vec::new();
        for field in RATE_LIMITS {
            if own.contains_key(&field) {
                continue;
            }
            let seen = observed
                .as_ref()
                .and_then(|o| Some((o, o.limits.get(field)?)));
            if let Some((o, figure)) = seen {
                out.push(Inherited {
                    field: field.name().to_owned(),
                    value: Value::Number(figure.value),
                    from: format!(
                        "observed: header `{}` of the probe of {}",
                        figure.header,
                        crate::utc::rfc3339_millis(o.started_at_ms)
                    ),
                });
            } else if let Some((t, row)) = tier_row
                && let Some(x) = row.get(field)
            {
                let combined = if row.tpm.is_some() && field != Field::RpmLimit {
                    ", a combined input + output figure"
                } else {
                    ""
                };
                out.push(Inherited {
                    field: field.name().to_owned(),
                    value: Value::Number(x),
                    from: format!(
                        "`{provider}` tier `{}` ({}, read {}{combined})",
                        t.tier, row.source_url, row.read_on
                    ),
                });
            }
        }
        Ok(out)
    }

    /// `provider`'s chosen tier and header reading, read once.
    fn rate_provider(&self, provider: &str) -> Result<RateProvider, CatalogError> {
        if let Some(known) = self.rate_providers.borrow().get(provider) {
            return Ok(known.clone());
        }
        let c = self.catalog;
        let api_base: Option<String> = c
            .conn
            .prepare_cached("SELECT api_base FROM providers WHERE id = ?1")
            .and_then(|mut s| s.query_row([provider], |r| r.get(0)).optional())
            .doing(&c.file, "reading the provider's endpoint")?
            .flatten();
        let found = (
            c.chosen_tier(provider)?,
            RequestsHeader::of_api_base(api_base.as_deref()),
        );
        self.rate_providers
            .borrow_mut()
            .insert(provider.to_owned(), found.clone());
        Ok(found)
    }

    /// An offering's own availability once its groups' fitted histories
    /// replace their stated availabilities: its private uptime (`stated` over
    /// the groups' stated product) is kept, times the groups' fitted means.
    /// `None` when no group of it has a fitted history.
    fn refitted_availability(
        &self,
        stated: f64,
        groups: &[String],
    ) -> Result<Option<Inherited>, CatalogError> {
        let mut factor = 1.0;
        let mut named = Vec::new();
        for g in groups {
            let Some((mean, declared)) = self.refit(g)? else {
                continue;
            };
            factor *= mean / declared;
            named.push(format!(
                "group `{g}`'s fitted history ({mean:.6}) in place of its stated {declared}"
            ));
        }
        if named.is_empty() {
            return Ok(None);
        }
        Ok(Some(Inherited {
            field: Field::Availability.name().to_owned(),
            value: Value::Number((stated * factor).clamp(0.0, 1.0)),
            from: format!(
                "its own {stated} with {}: its private uptime kept",
                named.join(" and ")
            ),
        }))
    }

    /// The group most of `provider`'s offerings are in (ties: the first id).
    fn provider_group(&self, provider: &str) -> Result<Option<String>, CatalogError> {
        if let Some(known) = self.provider_groups.borrow().get(provider) {
            return Ok(known.clone());
        }
        let c = self.catalog;
        let group: Option<String> = c
            .conn
            .prepare_cached(
                "SELECT m.group_id FROM memberships m JOIN offerings o ON o.id = m.offering
                 WHERE o.provider = ?1 GROUP BY m.group_id ORDER BY count(*) DESC, m.group_id LIMIT 1",
            )
            .and_then(|mut s| s.query_row([provider], |r| r.get(0)).optional())
            .doing(&c.file, "finding the provider's group")?;
        self.provider_groups
            .borrow_mut()
            .insert(provider.to_owned(), group.clone());
        Ok(group)
    }

    /// A group's availability as plans see it (its fitted mean where it has
    /// a history), and which it is.
    fn group_availability(&self, group: &str) -> Result<Option<(f64, &'static str)>, CatalogError> {
        Ok(match self.group_figures(group)? {
            Some((_, Some(mean))) => Some((mean, "the mean of its fitted outage history")),
            Some((stated, None)) => Some((stated, "its availability")),
            None => None,
        })
    }

    /// A group's fitted mean and its stated availability, if it has a fit.
    fn refit(&self, group: &str) -> Result<Option<(f64, f64)>, CatalogError> {
        Ok(match self.group_figures(group)? {
            Some((stated, Some(mean))) if stated > 0.0 => Some((mean, stated)),
            _ => None,
        })
    }

    /// A group's stated availability and its fitted mean, if it has a fit;
    /// `None` for an unknown group. Read (and fitted) once per group.
    fn group_figures(&self, group: &str) -> Result<Option<GroupFigures>, CatalogError> {
        if let Some(known) = self.groups.borrow().get(group) {
            return Ok(*known);
        }
        let c = self.catalog;
        let stated: Option<f64> = c
            .conn
            .prepare_cached("SELECT availability FROM groups WHERE id = ?1")
            .and_then(|mut s| s.query_row([group], |r| r.get(0)).optional())
            .doing(&c.file, "reading a group's availability")?;
        let found = match stated {
            Some(stated) => Some((
                stated,
                c.group_process(group)?
                    .map(|process| process.mean_availability()),
            )),
            None => None,
        };
        self.groups.borrow_mut().insert(group.to_owned(), found);
        Ok(found)
    }

    /// The provider's default for `field`: the median of its offerings' own
    /// numbers, or the most common text.
    fn provider_default(
        &self,
        provider: &str,
        field: Field,
    ) -> Result<Option<Inherited>, CatalogError> {
        let key = (provider.to_owned(), field);
        if let Some(known) = self.provider_defaults.borrow().get(&key) {
            return Ok(known.clone());
        }
        let found = self.read_provider_default(provider, field)?;
        self.provider_defaults
            .borrow_mut()
            .insert(key, found.clone());
        Ok(found)
    }

    fn read_provider_default(
        &self,
        provider: &str,
        field: Field,
    ) -> Result<Option<Inherited>, CatalogError> {
        let c = self.catalog;
        let values: Vec<Value> = c
            .conn
            .prepare_cached(
                "SELECT f.value FROM figures f JOIN offerings o ON o.id = f.offering
                 WHERE o.provider = ?1 AND f.field = ?2",
            )
            .and_then(|mut s| {
                s.query_map([provider, field.name()], |r| r.get(0))
                    .and_then(Iterator::collect::<Result<Vec<Value>, _>>)
            })
            .doing(&c.file, "reading the provider's figures")?;
        let count = values.len();
        let from = |what: &str| {
            format!(
                "the {what} of provider `{provider}`'s {count} offering{} with a figure of their own",
                if count == 1 { "" } else { "s" }
            )
        };
        let numbers: Vec<f64> = values.iter().filter_map(Value::as_f64).collect();
        if numbers.len() == count {
            return Ok(median(numbers).map(|m| Inherited {
                field: field.name().to_owned(),
                value: Value::Number(m),
                from: from("median"),
            }));
        }
        let mut tally: HashMap<String, usize> = HashMap::new();
        for v in &values {
            if let Value::Text(t) = v {
                *tally.entry(t.clone()).or_default() += 1;
            }
        }
        let common = tally
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
            .map(|(text, _)| text);
        Ok(common.map(|text| Inherited {
            field: field.name().to_owned(),
            value: Value::Text(text),
            from: from("most common value"),
        }))
    }

    /// Another offering of the same model with a TTFT of its own (the first
    /// by id), and its own latency figures.
    fn same_model_elsewhere(
        &self,
        id: &str,
        model: &str,
    ) -> Result<Option<LatencyOf>, CatalogError> {
        if !self.bulk {
            return self.read_same_model(id, model);
        }
        if self.latency_by_model.borrow().is_none() {
            let loaded = self.read_latency_by_model()?;
            *self.latency_by_model.borrow_mut() = Some(loaded);
        }
        Ok(self
            .latency_by_model
            .borrow()
            .as_ref()
            .and_then(|by_model| by_model.get(model))
            .and_then(|offerings| offerings.iter().find(|(other, _)| other != id))
            .cloned())
    }

    /// [`Inheritor::same_model_elsewhere`] for one offering, by the index on
    /// the model.
    fn read_same_model(&self, id: &str, model: &str) -> Result<Option<LatencyOf>, CatalogError> {
        let c = self.catalog;
        let twin: Option<String> = c
            .conn
            .prepare_cached(
                "SELECT o.id FROM offerings o
                 WHERE o.model = ?1 AND o.id != ?2
                   AND EXISTS (SELECT 1 FROM figures f WHERE f.offering = o.id AND f.field = 'ttft_p50_ms')
                 ORDER BY o.id LIMIT 1",
            )
            .and_then(|mut s| s.query_row([model, id], |r| r.get(0)).optional())
            .doing(&c.file, "finding the same model elsewhere")?;
        let Some(twin) = twin else {
            return Ok(None);
        };
        let figures: Vec<(String, Value)> = c
            .conn
            .prepare_cached(
                "SELECT field, value FROM figures WHERE offering = ?1
                 AND field IN ('ttft_p50_ms', 'ttft_p95_ms', 'tokens_per_s')",
            )
            .and_then(|mut s| {
                s.query_map([&twin], |r| Ok((r.get(0)?, r.get(1)?)))
                    .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            })
            .doing(&c.file, "reading the same model's latency")?;
        let figures = figures
            .into_iter()
            .filter_map(|(f, v)| Some((Field::from_name(&f)?, v)))
            .collect();
        Ok(Some((twin, figures)))
    }

    /// Every offering's own latency figures, grouped by model, the offerings
    /// of a model by id; only offerings with a TTFT p50 of their own.
    fn read_latency_by_model(&self) -> Result<HashMap<String, Vec<LatencyOf>>, CatalogError> {
        let c = self.catalog;
        let rows: Vec<(String, String, String, Value)> = c
            .conn
            .prepare_cached(
                "SELECT o.model, o.id, f.field, f.value FROM offerings o JOIN figures f ON f.offering = o.id
                 WHERE f.field IN ('ttft_p50_ms', 'ttft_p95_ms', 'tokens_per_s')
                   AND EXISTS (SELECT 1 FROM figures p WHERE p.offering = o.id AND p.field = 'ttft_p50_ms')
                 ORDER BY o.model, o.id",
            )
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                    .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            })
            .doing(&c.file, "reading latency figures by model")?;
        let mut by_model: HashMap<String, Vec<LatencyOf>> = HashMap::new();
        for (model, id, field, value) in rows {
            let Some(field) = Field::from_name(&field) else {
                continue;
            };
            let offerings = by_model.entry(model).or_default();
            match offerings.last_mut() {
                Some((last, figures)) if *last == id => {
                    figures.insert(field, value);
                }
                _ => offerings.push((id, HashMap::from([(field, value)]))),
            }
        }
        Ok(by_model)
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn the_median_of_odd_and_even_counts() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }
}

#[cfg(test)]
#[path = "inherit_tests.rs"]
mod catalog_tests;
