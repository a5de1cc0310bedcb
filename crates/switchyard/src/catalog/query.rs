//! Reading the catalog back: the list, one offering in full, its history. The
//! structs here are the `--json` output, so their field names are stable
//! (`docs/CATALOG.md`); add fields, never rename them.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::error::{CatalogError, SqlContext};
use super::fields::{Field, Value};
use super::import::offering_exists;
use super::inherit::{Inherited, Inheritor};
use super::outage_history::FittedHistory;
use super::store::Catalog;

/// Every field's effective value (the override if there is one, else the
/// imported value), `null` when unknown. Serialized as one key per field in
/// [`Field::ALL`] order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures([Option<Value>; Field::ALL.len()]);

impl Figures {
    pub fn get(&self, field: Field) -> Option<&Value> {
        self.0[index(field)].as_ref()
    }
    pub fn number(&self, field: Field) -> Option<f64> {
        self.get(field).and_then(Value::as_f64)
    }
    pub(crate) fn set(&mut self, field: Field, value: Value) {
        self.0[index(field)] = Some(value);
    }
}

fn index(field: Field) -> usize {
    Field::ALL.iter().position(|f| *f == field).unwrap_or(0)
}

impl Serialize for Figures {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(Field::ALL.len()))?;
        for (field, value) in Field::ALL.iter().zip(&self.0) {
            map.serialize_entry(field.name(), value)?;
        }
        map.end()
    }
}

/// One line of `catalog list`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfferingRow {
    pub id: String,
    pub provider: String,
    pub model: String,
    pub mode: Option<String>,
    pub litellm_key: Option<String>,
    pub groups: Vec<String>,
    #[serde(flatten)]
    pub figures: Figures,
    /// The fields whose value is the user's override.
    pub overridden: Vec<&'static str>,
    /// The figures (and groups) the offering inherits ([`super::inherit`]),
    /// already in `figures` and `groups`.
    pub inherited: Vec<Inherited>,
}

/// What `catalog list` shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub provider: Option<String>,
    pub mode: Option<String>,
}

/// `catalog list --json`.
#[derive(Debug, Clone, Serialize)]
pub struct ListOutput<'a> {
    pub count: usize,
    pub offerings: &'a [OfferingRow],
}

/// `catalog show ID --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfferingDetail {
    pub id: String,
    pub model: String,
    pub mode: Option<String>,
    pub litellm_key: Option<String>,
    pub provider: ProviderInfo,
    pub groups: Vec<GroupInfo>,
    pub figures: Vec<FigureDetail>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderInfo {
    pub id: String,
    pub name: String,
    pub dialect: Option<String>,
    pub api_base: Option<String>,
    /// The NAME of the environment variable that holds the key.
    pub key_env: Option<String>,
    pub declared_sla: Option<String>,
    pub declared_sla_availability: Option<f64>,
    pub sla_source: Option<SourceInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupInfo {
    pub id: String,
    pub description: Option<String>,
    pub availability: f64,
    pub mttr_minutes: Option<f64>,
    pub source: SourceInfo,
    pub effective_date: String,
    /// Set when the offering is in no group and joins its provider's.
    pub inherited_from: Option<String>,
    /// The process fitted from the group's outage history, which plans use
    /// in place of `availability` and `mttr_minutes`.
    pub fitted: Option<FittedHistory>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceInfo {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub url: Option<String>,
    pub date: Option<String>,
    /// When a fetched source (a price refresh) was read: UTC, RFC 3339.
    pub retrieved_at: Option<String>,
}

/// One figure with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureDetail {
    pub field: &'static str,
    /// The effective value.
    pub value: Value,
    /// True when `value` is the user's override.
    pub overridden: bool,
    /// When the override was set.
    pub override_set_at: Option<String>,
    /// The imported value (which an override hides but keeps).
    pub imported_value: Option<Value>,
    /// The imported value's source and since when it holds.
    pub source: Option<SourceInfo>,
    pub effective_date: Option<String>,
    /// Where the value comes from when the offering has none of its own
    /// ([`super::inherit`]).
    pub inherited_from: Option<String>,
}

/// `catalog history ID --json`.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryOutput {
    pub id: String,
    pub changes: Vec<Change>,
}

/// One change of one figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub field: String,
    /// `import` (the first value included), `override` or `reset`.
    pub kind: String,
    pub old_value: Option<Value>,
    pub new_value: Option<Value>,
    pub source: String,
    /// When the change was written (UTC).
    pub recorded_at: String,
    /// Since when the new value holds.
    pub effective_date: String,
    /// The import that made it, if any: `litellm`, `openrouter`, `csv`, `default`.
    pub import_format: Option<String>,
    pub import_file: Option<String>,
}

impl Catalog {
    /// The offerings that pass `filter`, by id.
    pub fn list(&self, filter: &ListFilter) -> Result<Vec<OfferingRow>, CatalogError> {
        let db = &self.file;
        let p = filter.provider.as_deref();
        let m = filter.mode.as_deref();
        const WHERE: &str = "(?1 IS NULL OR o.provider = ?1) AND (?2 IS NULL OR o.mode = ?2)";
        let mut rows = Vec::new();
        let mut at: HashMap<String, usize> = HashMap::new();
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT o.id, o.provider, o.model, o.mode, o.litellm_key FROM offerings o
                 WHERE {WHERE} ORDER BY o.id"
            ))
            .doing(db, "listing offerings")?;
        let mut q = stmt.query(params![p, m]).doing(db, "listing offerings")?;
        while let Some(r) = q.next().doing(db, "listing offerings")? {
            let id: String = r.get(0).doing(db, "listing offerings")?;
            at.insert(id.clone(), rows.len());
            rows.push(OfferingRow {
                id,
                provider: r.get(1).doing(db, "listing offerings")?,
                model: r.get(2).doing(db, "listing offerings")?,
                mode: r.get(3).doing(db, "listing offerings")?,
                litellm_key: r.get(4).doing(db, "listing offerings")?,
                groups: Vec::new(),
                figures: Figures::default(),
                overridden: Vec::new(),
                inherited: Vec::new(),
            });
        }
        for (table, overrides) in [("figures", false), ("overrides", true)] {
            let mut stmt = self
                .conn
                .prepare_cached(&format!(
                    "SELECT f.offering, f.field, f.value FROM {table} f
                     JOIN offerings o ON o.id = f.offering WHERE {WHERE}"
                ))
                .doing(db, "listing figures")?;
            let mut q = stmt.query(params![p, m]).doing(db, "listing figures")?;
            while let Some(r) = q.next().doing(db, "listing figures")? {
                let id = r
                    .get_ref(0)
                    .and_then(|v| Ok(v.as_str()?))
                    .doing(db, "listing figures")?;
                let field = r
                    .get_ref(1)
                    .and_then(|v| Ok(v.as_str()?))
                    .doing(db, "listing figures")?;
                let (Some(&i), Some(field)) = (at.get(id), Field::from_name(field)) else {
                    continue;
                };
                let value: Value = r.get(2).doing(db, "listing figures")?;
                rows[i].figures.set(field, value);
                if overrides {
                    rows[i].overridden.push(field.name());
                }
            }
        }
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT m.offering, m.group_id FROM memberships m
                 JOIN offerings o ON o.id = m.offering WHERE {WHERE} ORDER BY m.group_id"
            ))
            .doing(db, "listing groups")?;
        let mut q = stmt.query(params![p, m]).doing(db, "listing groups")?;
        while let Some(r) = q.next().doing(db, "listing groups")? {
            let id = r
                .get_ref(0)
                .and_then(|v| Ok(v.as_str()?))
                .doing(db, "listing groups")?;
            if let Some(&i) = at.get(id) {
                rows[i].groups.push(r.get(1).doing(db, "listing groups")?);
            }
        }
        let inheritor = Inheritor::for_many(self);
        for row in &mut rows {
            row.overridden.sort_by_key(|name| Field::from_name(name));
            let own: HashMap<Field, Value> = Field::ALL
                .iter()
                .filter_map(|&f| Some((f, row.figures.get(f)?.clone())))
                .collect();
            let inheritance =
                inheritor.inherit(&row.id, &row.provider, &row.model, &own, &row.groups)?;
            if let Some(groups) = inheritance.groups {
                row.groups = groups;
            }
            for figure in &inheritance.figures {
                if let Some(field) = Field::from_name(&figure.field) {
                    row.figures.set(field, figure.value.clone());
                }
            }
            row.inherited = inheritance.figures;
        }
        Ok(rows)
    }

    /// One offering with every figure's provenance.
    pub fn show(&self, id: &str) -> Result<OfferingDetail, CatalogError> {
        let db = &self.file;
        let doing = "reading the offering";
        let head = self
            .conn
            .query_row(
                "SELECT o.model, o.mode, o.litellm_key, p.id, p.name, p.dialect, p.api_base, p.key_env,
                        p.declared_sla, p.declared_sla_availability, p.sla_source
                 FROM offerings o JOIN providers p ON p.id = o.provider WHERE o.id = ?1",
                [id],
                |r| {
                    Ok((
                        (
                            r.get::<_, String>(0)?,
                            r.get::<_, Option<String>>(1)?,
                            r.get::<_, Option<String>>(2)?,
                        ),
                        ProviderInfo {
                            id: r.get(3)?,
                            name: r.get(4)?,
                            dialect: r.get(5)?,
                            api_base: r.get(6)?,
                            key_env: r.get(7)?,
                            declared_sla: r.get(8)?,
                            declared_sla_availability: r.get(9)?,
                            sla_source: None,
                        },
                        r.get::<_, Option<String>>(10)?,
                    ))
                },
            )
            .optional()
            .doing(db, doing)?;
        let Some(((model, mode, litellm_key), mut provider, sla_source)) = head else {
            return Err(CatalogError::UnknownOffering(id.to_owned()));
        };
        if let Some(s) = sla_source {
            provider.sla_source = self.source_info(&s)?;
        }
        let mut groups = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT g.id, g.description, g.availability, g.mttr_minutes, g.source, g.effective_date
                     FROM memberships m JOIN groups g ON g.id = m.group_id
                     WHERE m.offering = ?1 ORDER BY g.id",
                )
                .doing(db, doing)?;
            let rows = stmt
                .query_map([id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, f64>(2)?,
                        r.get::<_, Option<f64>>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                })
                .and_then(Iterator::collect::<Result<Vec<_>, _>>)
                .doing(db, doing)?;
            for (gid, description, availability, mttr_minutes, source, effective_date) in rows {
                let source = self
                    .source_info(&source)?
                    .unwrap_or_else(|| unknown_source(&source));
                groups.push(GroupInfo {
                    fitted: self.fitted_group(&gid)?,
                    id: gid,
                    description,
                    availability,
                    mttr_minutes,
                    source,
                    effective_date,
                    inherited_from: None,
                });
            }
        }
        let mut imported: HashMap<Field, (Value, String, String)> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT field, value, source, effective_date FROM figures WHERE offering = ?1",
                )
                .doing(db, doing)?;
            let rows = stmt
                .query_map([id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Value>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                })
                .and_then(Iterator::collect::<Result<Vec<_>, _>>)
                .doing(db, doing)?;
            for (field, value, source, date) in rows {
                if let Some(f) = Field::from_name(&field) {
                    imported.insert(f, (value, source, date));
                }
            }
        }
        let overrides = self.overrides_of(id)?;
        let mut figures = Vec::new();
        let mut sources: HashMap<String, Option<SourceInfo>> = HashMap::new();
        for field in Field::ALL {
            let imp = imported.remove(&field);
            let ovr = overrides.get(&field);
            let value = match (ovr, &imp) {
                (Some((v, _)), _) => v.clone(),
                (None, Some((v, _, _))) => v.clone(),
                (None, None) => continue,
            };
            let source = match &imp {
                Some((_, s, _)) => {
                    if !sources.contains_key(s) {
                        sources.insert(s.clone(), self.source_info(s)?);
                    }
                    sources.get(s).cloned().flatten()
                }
                None => None,
            };
            figures.push(FigureDetail {
                field: field.name(),
                value,
                overridden: ovr.is_some(),
                override_set_at: ovr.map(|(_, at)| at.clone()),
                imported_value: imp.as_ref().map(|(v, _, _)| v.clone()),
                source,
                effective_date: imp.map(|(_, _, d)| d),
                inherited_from: None,
            });
        }
        self.add_inherited(id, &provider.id, &model, &mut groups, &mut figures)?;
        Ok(OfferingDetail {
            id: id.to_owned(),
            model,
            mode,
            litellm_key,
            provider,
            groups,
            figures,
        })
    }

    /// `group`'s fit and what it implies, if it has a history to fit.
    fn fitted_group(&self, group: &str) -> Result<Option<FittedHistory>, CatalogError> {
        Ok(self.group_fit(group)?.map(FittedHistory::of))
    }

    /// Adds what the offering inherits to its groups and figures, marked.
    fn add_inherited(
        &self,
        id: &str,
        provider: &str,
        model: &str,
        groups: &mut Vec<GroupInfo>,
        figures: &mut Vec<FigureDetail>,
    ) -> Result<(), CatalogError> {
        let own: HashMap<Field, Value> = figures
            .iter()
            .filter_map(|f| Some((Field::from_name(f.field)?, f.value.clone())))
            .collect();
        let own_groups: Vec<String> = groups.iter().map(|g| g.id.clone()).collect();
        let inheritance = Inheritor::new(self).inherit(id, provider, model, &own, &own_groups)?;
        for g in inheritance.groups.iter().flatten() {
            let info = self
                .conn
                .query_row(
                    "SELECT description, availability, mttr_minutes, source, effective_date FROM groups WHERE id = ?1",
                    [g],
                    |r| {
                        Ok((
                            r.get::<_, Option<String>>(0)?,
                            r.get::<_, f64>(1)?,
                            r.get::<_, Option<f64>>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, String>(4)?,
                        ))
                    },
                )
                .doing(&self.file, "reading an inherited group")?;
            let (description, availability, mttr_minutes, source, effective_date) = info;
            groups.push(GroupInfo {
                id: g.clone(),
                description,
                availability,
                mttr_minutes,
                source: self
                    .source_info(&source)?
                    .unwrap_or_else(|| unknown_source(&source)),
                fitted: self.fitted_group(g)?,
                effective_date,
                inherited_from: Some(format!("the group of provider `{provider}`'s offerings")),
            });
        }
        for figure in inheritance.figures {
            let Some(field) = Field::from_name(&figure.field) else {
                continue;
            };
            if let Some(own) = figures.iter_mut().find(|f| f.field == field.name()) {
                own.value = figure.value;
                own.inherited_from = Some(figure.from);
                continue;
            }
            figures.push(FigureDetail {
                field: field.name(),
                value: figure.value,
                overridden: false,
                override_set_at: None,
                imported_value: None,
                source: None,
                effective_date: None,
                inherited_from: Some(figure.from),
            });
        }
        figures.sort_by_key(|f| Field::from_name(f.field));
        Ok(())
    }

    /// The user's overrides of one offering: value and when it was set.
    pub(crate) fn overrides_of(
        &self,
        id: &str,
    ) -> Result<HashMap<Field, (Value, String)>, CatalogError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT field, value, set_at FROM overrides WHERE offering = ?1")
            .doing(&self.file, "reading overrides")?;
        let rows = stmt
            .query_map([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Value>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .doing(&self.file, "reading overrides")?;
        Ok(rows
            .into_iter()
            .filter_map(|(f, v, at)| Field::from_name(&f).map(|f| (f, (v, at))))
            .collect())
    }

    fn source_info(&self, id: &str) -> Result<Option<SourceInfo>, CatalogError> {
        self.conn
            .query_row(
                "SELECT id, kind, title, url, date, retrieved_at FROM sources WHERE id = ?1",
                [id],
                |r| {
                    Ok(SourceInfo {
                        id: r.get(0)?,
                        kind: r.get(1)?,
                        title: r.get(2)?,
                        url: r.get(3)?,
                        date: r.get(4)?,
                        retrieved_at: r.get(5)?,
                    })
                },
            )
            .optional()
            .doing(&self.file, "reading a source")
    }

    /// Every change of an offering's figures, oldest first.
    pub fn history(&self, id: &str) -> Result<HistoryOutput, CatalogError> {
        let db = &self.file;
        if !offering_exists(&self.conn, db, id)? {
            return Err(CatalogError::UnknownOffering(id.to_owned()));
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT h.field, h.kind, h.old_value, h.new_value, h.source, h.recorded_at,
                        h.effective_date, i.format, i.file
                 FROM history h LEFT JOIN imports i ON i.id = h.import_id
                 WHERE h.offering = ?1 ORDER BY h.id",
            )
            .doing(db, "reading the history")?;
        let changes = stmt
            .query_map([id], |r| {
                Ok(Change {
                    field: r.get(0)?,
                    kind: r.get(1)?,
                    old_value: r.get(2)?,
                    new_value: r.get(3)?,
                    source: r.get(4)?,
                    recorded_at: r.get(5)?,
                    effective_date: r.get(6)?,
                    import_format: r.get(7)?,
                    import_file: r.get(8)?,
                })
            })
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .doing(db, "reading the history")?;
        Ok(HistoryOutput {
            id: id.to_owned(),
            changes,
        })
    }
}

fn unknown_source(id: &str) -> SourceInfo {
    SourceInfo {
        id: id.to_owned(),
        kind: "unknown".to_owned(),
        title: String::new(),
        url: None,
        date: None,
        retrieved_at: None,
    }
}
