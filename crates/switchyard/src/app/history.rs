//! Outage histories end to end: read a record file, import it into the
//! catalog's groups, fit and backtest a record from a file or from the
//! catalog. The CLI's `history` commands and the Catalog page call these.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Error;
use super::options::OptionsError;
use crate::catalog::outage_history::{GroupHistory, HistoryImport, HistoryImportReport};
use crate::catalog::{Catalog, read_import_file};
use crate::history::backtest::history_periods;
use crate::history::backtest::{Backtest, backtest};
use crate::history::fit::{Fit, fit};
use crate::history::record::{RecordFormat, RecordRequest, read_record};
use crate::history::{DailyHistory, HistoryError};
use crate::limits;
use crate::model::Portfolio;
use crate::model::monthly::{EXCEEDANCE_THRESHOLDS, Exceedance, Period, exceedance};

/// One service or component of a record and the catalog group it goes to.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentGroup {
    pub name: String,
    pub group: String,
}

impl ComponentGroup {
    /// `NAME=GROUP`, as `--component` takes it.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.rsplit_once('=') {
            Some((name, group)) if !name.trim().is_empty() && !group.trim().is_empty() => {
                Ok(Self {
                    name: name.trim().to_owned(),
                    group: group.trim().to_owned(),
                })
            }
            _ => Err(format!(
                "`{text}` is not NAME=GROUP (a component or service, then the catalog group it feeds)"
            )),
        }
    }
}

/// How to import an outage record into the catalog (`switchyard history
/// import`, the Catalog page).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryImportOptions {
    /// The format, and for a single group the service to read.
    pub record: RecordRequest,
    /// The group the record feeds; or else
    pub group: Option<String>,
    /// each service or component's record into its own group, in one
    /// transaction.
    pub components: Vec<ComponentGroup>,
}

impl HistoryImportOptions {
    pub fn validate(&self) -> Result<(), OptionsError> {
        check_weight(&self.record)?;
        match (&self.group, self.components.is_empty()) {
            (Some(_), false) => Err(OptionsError {
                option: "group",
                reason: "give one group, or components each with its group, not both".to_owned(),
            }),
            (None, true) => Err(OptionsError {
                option: "group",
                reason: "name the catalog group the record feeds".to_owned(),
            }),
            _ => Ok(()),
        }
    }

    /// What to read into which group.
    fn reads(&self) -> Vec<(RecordRequest, String)> {
        match &self.group {
            Some(group) => vec![(self.record.clone(), group.clone())],
            None => self
                .components
                .iter()
                .map(|c| {
                    (
                        RecordRequest {
                            service: Some(c.name.clone()),
                            ..self.record.clone()
                        },
                        c.group.clone(),
                    )
                })
                .collect(),
        }
    }
}

fn check_weight(record: &RecordRequest) -> Result<(), OptionsError> {
    limits::PARTIAL_WEIGHT
        .check(record.partial_weight)
        .map_err(|reason| OptionsError {
            option: "partial-outage weight",
            reason,
        })
}

/// Reads the record `request` asks for from the file at `path`.
pub fn read_record_file(path: &Path, request: &RecordRequest) -> Result<DailyHistory, Error> {
    check_weight(request)?;
    let text = read_import_file(path)?;
    Ok(read_record(&text, &path.display().to_string(), request)?)
}

/// Reads every record `options` asks for from `path`, then imports them all
/// in one transaction: a bad record writes nothing.
pub fn import_history(
    catalog: &mut Catalog,
    path: &Path,
    options: &HistoryImportOptions,
) -> Result<HistoryImportReport, Error> {
    options.validate()?;
    let file = path.display().to_string();
    let text = read_import_file(path)?;
    let imports = options
        .reads()
        .into_iter()
        .map(|(request, group)| {
            Ok(HistoryImport {
                group,
                history: read_record(&text, &file, &request)?,
            })
        })
        .collect::<Result<Vec<_>, HistoryError>>()?;
    Ok(catalog.import_history(&file, options.record.format, &imports)?)
}

/// The record of catalog group `group`, or a message naming the groups that
/// have one.
pub fn group_record(catalog: &Catalog, group: &str) -> Result<DailyHistory, Error> {
    match catalog.group_record(group)? {
        Some(record) => Ok(record),
        None => {
            let with: Vec<String> = catalog
                .group_histories()?
                .into_iter()
                .map(|h| h.group)
                .collect();
            Err(HistoryError::file(
                catalog.file(),
                format!(
                    "group `{group}` has no outage history; groups with one: {} (`switchyard history import` adds one)",
                    if with.is_empty() {
                        "none".to_owned()
                    } else {
                        with.join(", ")
                    }
                ),
            )
            .into())
        }
    }
}

/// Every group's stored history and fit, for the Catalog page.
pub fn group_histories(catalog: &Catalog) -> Result<Vec<GroupHistory>, Error> {
    Ok(catalog.group_histories()?)
}

/// The fit of `record`.
pub fn fit_record(record: &DailyHistory) -> Result<Fit, Error> {
    Ok(fit(record)?)
}

/// The fit of `record` and its backtest over `period`s.
pub fn backtest_record(
    record: &DailyHistory,
    period: Period,
    seed: u64,
) -> Result<Backtest, Error> {
    let fitted = fit(record)?;
    Ok(backtest(record, &fitted, period, seed))
}

/// What `switchyard history` reads: a file in a format, or a catalog group.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordSource<'a> {
    File(&'a Path, RecordRequest),
    Group(&'a str),
}

/// The record `source` names; the catalog is opened only for a group.
pub fn record(
    source: &RecordSource<'_>,
    open: impl FnOnce() -> Result<Catalog, crate::catalog::CatalogError>,
) -> Result<DailyHistory, Error> {
    match source {
        RecordSource::File(path, request) => read_record_file(path, request),
        RecordSource::Group(group) => group_record(&open()?, group),
    }
}

/// The record of each of `portfolio`'s groups that has one in `catalog`, as
/// the share of its whole `period`s at or above each threshold, labelled for
/// a chart legend; none without a catalog.
pub fn group_curves(
    catalog: Option<&Catalog>,
    portfolio: &Portfolio,
    period: Period,
) -> Result<Vec<(String, Vec<Exceedance>)>, Error> {
    let Some(catalog) = catalog else {
        return Ok(Vec::new());
    };
    let mut curves = Vec::new();
    for group in &portfolio.groups {
        let Some(record) = catalog.group_record(&group.id)? else {
            continue;
        };
        let periods = history_periods(&record, period);
        if periods.is_empty() {
            continue;
        }
        let unit = match period {
            Period::Month => "months",
            Period::Day => "days",
        };
        curves.push((
            format!(
                "history of `{}`, {} {unit}",
                group.id,
                crate::format::count(periods.len() as f64)
            ),
            exceedance(&periods, &EXCEEDANCE_THRESHOLDS),
        ));
    }
    Ok(curves)
}

/// The formats' names, for messages and menus.
pub fn record_formats() -> Vec<&'static str> {
    RecordFormat::ALL.iter().map(|f| f.name()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::testkit::{open, temp_db};

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("writes");
        path
    }

    fn statuspage_options(components: &[(&str, &str)]) -> HistoryImportOptions {
        HistoryImportOptions {
            record: RecordRequest {
                from: Some("2025-01-01".to_owned()),
                to: Some("2025-06-30".to_owned()),
                ..RecordRequest::new(RecordFormat::Statuspage)
            },
            group: None,
            components: components
                .iter()
                .map(|(name, group)| ComponentGroup {
                    name: (*name).to_owned(),
                    group: (*group).to_owned(),
                })
                .collect(),
        }
    }

    const PAGE: &str = r#"{"incidents": [
        {"impact": "major", "started_at": "2025-02-03T10:00:00Z", "resolved_at": "2025-02-03T11:00:00Z",
         "components": [{"name": "API"}]},
        {"impact": "minor", "started_at": "2025-03-03T10:00:00Z", "resolved_at": "2025-03-03T12:00:00Z",
         "components": [{"name": "Console"}]},
        {"impact": "major", "started_at": "2025-04-03T10:00:00Z", "resolved_at": "garbage",
         "components": [{"name": "Batch"}]}
    ]}"#;

    #[test]
    fn components_feed_their_groups_in_one_transaction() {
        let (dir, path) = temp_db();
        let mut catalog = open(&path, true);
        let file = write(dir.path(), "incidents.json", PAGE);
        let report = import_history(
            &mut catalog,
            &file,
            &statuspage_options(&[("API", "groq-platform"), ("Console", "together-platform")]),
        )
        .expect("imports");
        let minutes: Vec<f64> = report
            .groups
            .iter()
            .map(|g| {
                let record = catalog
                    .group_record(&g.group)
                    .expect("reads")
                    .expect("stored");
                record.days.iter().map(|d| d.minutes).sum()
            })
            .collect();
        // A major hour, and a minor two hours weighted 0.3.
        assert_eq!(minutes, vec![60.0, 36.0]);
    }

    #[test]
    fn a_bad_incident_in_any_component_writes_nothing() {
        let (dir, path) = temp_db();
        let mut catalog = open(&path, true);
        let file = write(dir.path(), "incidents.json", PAGE);
        let before = crate::catalog::testkit::dump(&catalog.conn);
        let e = import_history(
            &mut catalog,
            &file,
            &statuspage_options(&[("API", "groq-platform"), ("Batch", "together-platform")]),
        )
        .expect_err("refused");
        assert!(
            e.to_string().ends_with(
                "incidents.json: incidents[2].resolved_at: `garbage` is not an RFC 3339 time"
            ),
            "{e}"
        );
        assert_eq!(crate::catalog::testkit::dump(&catalog.conn), before);
    }

    #[test]
    fn options_name_what_is_wrong() {
        let mut options = statuspage_options(&[]);
        assert_eq!(
            options.validate().expect_err("no group").to_string(),
            "group: name the catalog group the record feeds"
        );
        options.group = Some("groq-platform".to_owned());
        options.record.partial_weight = 1.5;
        assert!(
            options
                .validate()
                .expect_err("weight")
                .to_string()
                .starts_with("partial-outage weight: 1.5 is out of range"),
        );
        assert_eq!(
            ComponentGroup::parse("API=openai-platform"),
            Ok(ComponentGroup {
                name: "API".to_owned(),
                group: "openai-platform".to_owned()
            })
        );
        assert!(ComponentGroup::parse("API").is_err());
    }

    #[test]
    fn a_group_without_history_names_those_with_one() {
        let (_dir, path) = temp_db();
        let catalog = open(&path, true);
        let e = group_record(&catalog, "groq-platform").expect_err("none");
        assert!(
            e.to_string()
                .ends_with("group `groq-platform` has no outage history; groups with one: openai-platform (`switchyard history import` adds one)"),
            "{e}"
        );
    }

    #[test]
    fn a_plans_groups_bring_their_records_to_the_exceedance_chart() {
        let (_dir, path) = temp_db();
        let catalog = open(&path, true);
        let mut portfolio =
            crate::model::testkit::chain(vec![crate::model::testkit::offering("a", 0.99)]);
        portfolio.groups = vec![
            crate::model::testkit::group("openai-platform", 0.998),
            crate::model::testkit::group("groq-platform", 0.997),
        ];
        let curves = group_curves(Some(&catalog), &portfolio, Period::Month).expect("reads");
        // Only openai-platform has a record: the ICPE API's 42 whole months,
        // a third of them at or above 99.99% (fixtures/icpe2025/SOURCE.md).
        assert_eq!(curves.len(), 1);
        assert_eq!(curves[0].0, "history of `openai-platform`, 42 months");
        let at = |t: f64| curves[0].1.iter().find(|e| e.threshold == t).map(|e| e.p);
        assert!((at(0.9999).expect("a row") - 0.333).abs() < 0.001);
        assert!(
            group_curves(None, &portfolio, Period::Month)
                .expect("none")
                .is_empty()
        );
    }
}
