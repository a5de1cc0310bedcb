//! Plans resolve against the catalog: the [`OfferingSource`] of the plan
//! module, backed by the database. Effective values are used (imported values
//! with the user's overrides on top); the plan's inline fields then override
//! those one by one (`OfferingSpec::over`).

use std::collections::{HashMap, HashSet};

use rusqlite::OptionalExtension;

use crate::model::OutageMode;
use crate::plan::{Dialect, GroupSpec, OfferingSource, OfferingSpec, OutageProcessSpec, PlanFile};

use super::error::{CatalogError, SqlContext};
use super::fields::{Field, Value};
use super::inherit::{Inheritance, Inherited, Inheritor};
use super::store::Catalog;

/// The offerings and groups one plan needs, loaded up front so that a database
/// error is reported as such, not as "unknown offering".
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub offerings: HashMap<String, OfferingSpec>,
    pub groups: HashMap<String, GroupSpec>,
    /// The database, to name it when a value from it is refused.
    pub file: String,
    /// When the user set each override, by (offering, field).
    pub overrides: HashMap<(String, String), String>,
    /// The figures each offering inherits ([`super::inherit`]), by offering.
    pub inherited: HashMap<String, Vec<Inherited>>,
}

impl OfferingSource for Snapshot {
    fn offering(&self, id: &str) -> Option<OfferingSpec> {
        self.offerings.get(id).cloned()
    }
    fn group(&self, id: &str) -> Option<GroupSpec> {
        self.groups.get(id).cloned()
    }
    fn offering_origin(&self, id: &str, field: &str) -> String {
        let inherited = self
            .inherited
            .get(id)
            .and_then(|list| list.iter().find(|f| f.field == field));
        if let Some(figure) = inherited {
            return format!(
                "the catalog `{}` (inherited from {})",
                self.file, figure.from
            );
        }
        let set_at = self.overrides.get(&(id.to_owned(), field.to_owned()));
        origin(&self.file, id, field, set_at.map(String::as_str))
    }
    fn group_origin(&self, _id: &str) -> String {
        format!("the catalog `{}`", self.file)
    }
}

/// Direct look-ups. A database error reads as "not in the catalog"; prefer
/// [`Catalog::snapshot_for`], which reports it.
impl OfferingSource for Catalog {
    fn offering(&self, id: &str) -> Option<OfferingSpec> {
        self.offering_spec(id).ok().flatten()
    }
    fn group(&self, id: &str) -> Option<GroupSpec> {
        self.group_spec(id).ok().flatten()
    }
    fn offering_origin(&self, id: &str, field: &str) -> String {
        let set_at = self.override_times(id).ok().and_then(|times| {
            times
                .into_iter()
                .find_map(|(f, at)| (f == field).then_some(at))
        });
        origin(&self.file, id, field, set_at.as_deref())
    }
    fn group_origin(&self, _id: &str) -> String {
        format!("the catalog `{}`", self.file)
    }
}

/// "the catalog `x.sqlite3` (your override, set ...; ... removes it)".
fn origin(file: &str, id: &str, field: &str, override_set_at: Option<&str>) -> String {
    match override_set_at {
        Some(at) => format!(
            "the catalog `{file}` (your override, set {at}; `switchyard catalog reset {id} {field}` removes it)"
        ),
        None => format!("the catalog `{file}`"),
    }
}

impl Catalog {
    /// Loads every catalog offering `plan` names (in routes or inline) and
    /// every group those use.
    pub fn snapshot_for(&self, plan: &PlanFile) -> Result<Snapshot, CatalogError> {
        let mut snapshot = Snapshot {
            file: self.file.clone(),
            ..Snapshot::default()
        };
        let ids = plan
            .routes
            .iter()
            .flat_map(|r| r.steps.iter().map(|s| s.offering.as_str()))
            .chain(plan.offerings.iter().map(|o| o.id.as_str()));
        let mut groups: HashSet<String> = plan
            .offerings
            .iter()
            .flat_map(|o| o.groups.iter().flatten().cloned())
            .collect();
        let inheritor = Inheritor::new(self);
        for id in ids {
            if snapshot.offerings.contains_key(id) {
                continue;
            }
            if let Some((spec, inheritance)) = self.offering_spec_with(id, &inheritor)? {
                groups.extend(spec.groups.iter().flatten().cloned());
                snapshot.offerings.insert(id.to_owned(), spec);
                if !inheritance.figures.is_empty() {
                    snapshot
                        .inherited
                        .insert(id.to_owned(), inheritance.figures);
                }
                for (field, set_at) in self.override_times(id)? {
                    snapshot.overrides.insert((id.to_owned(), field), set_at);
                }
            }
        }
        for g in groups {
            if let Some(spec) = self.group_spec(&g)? {
                snapshot.groups.insert(g, spec);
            }
        }
        Ok(snapshot)
    }

    /// The offering as a plan sees it: effective figures, groups, and how to
    /// reach it. `None` if the catalog has no such offering.
    pub fn offering_spec(&self, id: &str) -> Result<Option<OfferingSpec>, CatalogError> {
        Ok(self.offering_spec_inheriting(id)?.map(|(spec, _)| spec))
    }

    /// [`Catalog::offering_spec`], its missing figures filled in by
    /// inheritance ([`super::inherit`]), with what was inherited.
    pub fn offering_spec_inheriting(
        &self,
        id: &str,
    ) -> Result<Option<(OfferingSpec, Inheritance)>, CatalogError> {
        self.offering_spec_with(id, &Inheritor::new(self))
    }

    /// [`Catalog::offering_spec_inheriting`] with `inheritor`, which a caller
    /// reading several offerings shares, so what they have in common (a
    /// provider's defaults, a group's fit) is read once.
    fn offering_spec_with(
        &self,
        id: &str,
        inheritor: &Inheritor<'_>,
    ) -> Result<Option<(OfferingSpec, Inheritance)>, CatalogError> {
        let db = &self.file;
        let doing = "reading an offering for the plan";
        let head = self
            .conn
            .prepare_cached(
                "SELECT o.model, p.dialect, p.api_base, p.key_env, o.provider
                 FROM offerings o JOIN providers p ON p.id = o.provider WHERE o.id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                })
                .optional()
            })
            .doing(db, doing)?;
        let Some((model, dialect, api_base, key_env, provider)) = head else {
            return Ok(None);
        };
        let mut values: HashMap<Field, Value> = HashMap::new();
        for table in ["figures", "overrides"] {
            let mut stmt = self
                .conn
                .prepare_cached(&format!(
                    "SELECT field, value FROM {table} WHERE offering = ?1"
                ))
                .doing(db, doing)?;
            let rows = stmt
                .query_map([id], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, Value>(1)?))
                })
                .and_then(Iterator::collect::<Result<Vec<_>, _>>)
                .doing(db, doing)?;
            for (field, value) in rows {
                if let Some(f) = Field::from_name(&field) {
                    values.insert(f, value);
                }
            }
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT group_id FROM memberships WHERE offering = ?1 ORDER BY group_id",
            )
            .doing(db, doing)?;
        let mut groups = stmt
            .query_map([id], |r| r.get::<_, String>(0))
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .doing(db, doing)?;
        let inheritance = inheritor.inherit(id, &provider, &model, &values, &groups)?;
        if let Some(inherited) = &inheritance.groups {
            groups.clone_from(inherited);
        }
        // An inherited figure fills a gap, or (availability) restates the
        // offering's own over its groups' fitted histories.
        for figure in &inheritance.figures {
            if let Some(field) = Field::from_name(&figure.field) {
                values.insert(field, figure.value.clone());
            }
        }
        let num = |f: Field| values.get(&f).and_then(Value::as_f64);
        let spec = OfferingSpec {
            id: id.to_owned(),
            availability: num(Field::Availability),
            mttr_minutes: num(Field::MttrMinutes),
            error_rate: num(Field::ErrorRate),
            error_latency_ms: num(Field::ErrorLatencyMs),
            outage: match values.get(&Field::Outage) {
                Some(Value::Text(t)) if t == "hang" => Some(OutageMode::Hang),
                Some(Value::Text(t)) if t == "error" => Some(OutageMode::Error),
                _ => None,
            },
            ttft_p50_ms: num(Field::TtftP50Ms),
            ttft_p95_ms: num(Field::TtftP95Ms),
            tokens_per_s: num(Field::TokensPerS),
            input_per_mtok: num(Field::InputPerMtok),
            cached_input_per_mtok: num(Field::CachedInputPerMtok),
            output_per_mtok: num(Field::OutputPerMtok),
            batch_input_per_mtok: num(Field::BatchInputPerMtok),
            batch_output_per_mtok: num(Field::BatchOutputPerMtok),
            tier_above_tokens: num(Field::TierAboveTokens),
            tier_input_per_mtok: num(Field::TierInputPerMtok),
            tier_cached_input_per_mtok: num(Field::TierCachedInputPerMtok),
            tier_output_per_mtok: num(Field::TierOutputPerMtok),
            groups: if groups.is_empty() {
                None
            } else {
                Some(groups)
            },
            dialect: match dialect.as_deref() {
                Some("openai") => Some(Dialect::Openai),
                Some("anthropic") => Some(Dialect::Anthropic),
                Some("gemini") => Some(Dialect::Gemini),
                _ => None,
            },
            api_base,
            model: Some(model),
            key_env,
            rpm_limit: num(Field::RpmLimit),
            input_tpm_limit: num(Field::InputTpmLimit),
            output_tpm_limit: num(Field::OutputTpmLimit),
        };
        Ok(Some((spec, inheritance)))
    }

    /// The fields of offering `id` the user overrides, with when each was set.
    pub fn override_times(&self, id: &str) -> Result<Vec<(String, String)>, CatalogError> {
        self.conn
            .prepare_cached("SELECT field, set_at FROM overrides WHERE offering = ?1")
            .and_then(|mut s| {
                s.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            })
            .doing(&self.file, "reading the overrides for the plan")
    }

    /// A group as a plan sees it: the process fitted from its history when
    /// it has one long enough to fit, else its availability and MTTR.
    pub fn group_spec(&self, id: &str) -> Result<Option<GroupSpec>, CatalogError> {
        let spec = self
            .conn
            .prepare_cached("SELECT availability, mttr_minutes FROM groups WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row([id], |r| {
                    Ok(GroupSpec {
                        id: id.to_owned(),
                        availability: r.get(0)?,
                        mttr_minutes: r.get(1)?,
                        outage_process: None,
                    })
                })
                .optional()
            })
            .doing(&self.file, "reading a group for the plan")?;
        let Some(spec) = spec else {
            return Ok(None);
        };
        Ok(Some(match self.group_process(id)? {
            Some(process) => GroupSpec {
                availability: None,
                mttr_minutes: None,
                outage_process: Some(OutageProcessSpec::of(&process)),
                ..spec
            },
            None => spec,
        }))
    }
}
