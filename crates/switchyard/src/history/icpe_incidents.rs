//! The ICPE 2025 dataset's incident table (`incident_stages.csv`, one row per
//! incident; `fixtures/icpe2025/SOURCE.md`): the incident's impact level, a
//! 0/1 column per affected service and the times of its stages.
//!
//! An incident counts as outage time from its first stage (`start_timestamp`)
//! to its resolution (`resolved_timestamp`, else `close_timestamp`, which may
//! be a later postmortem), weighted by its impact as a status page's incident
//! is ([`super::statuspage`]): levels 2 (major) and 3 (critical) fully, 1
//! (minor) by the partial-outage weight, 0 (none) and 4 (maintenance) not at
//! all. As with an outage log, the days the record covers are given with it.

use super::outage_log::{Outage, Place, daily_record};
use super::{DailyHistory, HistoryError, check_partial_weight, csv_reader, escape};
use crate::utc::parse_timestamp;

/// The columns every row needs.
const IMPACT: &str = "incident_impact_level";
const START: &str = "start_timestamp";
const RESOLVED: &str = "resolved_timestamp";
const CLOSED: &str = "close_timestamp";

/// Reads the incidents of `text` (`file` names it in messages) that touched
/// `service` (a service column such as `API`, matched without regard to
/// case) into a daily record of the days `from` to `to`; `minor_weight`
/// weighs minor incidents.
pub fn parse_icpe_incidents(
    text: &str,
    file: &str,
    service: &str,
    minor_weight: f64,
    from: &str,
    to: &str,
) -> Result<DailyHistory, HistoryError> {
    let file_error = |reason: String| HistoryError::file(file, reason);
    check_partial_weight(file, minor_weight)?;
    let (mut reader, headers) = csv_reader(text, file)?;
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let required = |name: &str| {
        column(name).ok_or_else(|| {
            file_error(format!(
                "no `{name}` column: is this the ICPE 2025 incident table?"
            ))
        })
    };
    let (impact_at, start_at, closed_at) = (required(IMPACT)?, required(START)?, required(CLOSED)?);
    let resolved_at = column(RESOLVED);
    let service_at = column(service).ok_or_else(|| {
        file_error(format!(
            "no column for the service `{}`: the table's service columns are the ones between `provider` and `investigating_flag`",
            escape(service)
        ))
    })?;
    let mut outages = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| file_error(format!("not CSV: {e}")))?;
        let line = record.position().map_or(0, |p| p.line());
        let place = Place::Line(line);
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let touched = match field(service_at) {
            "1" => true,
            "0" | "" => false,
            other => {
                return Err(place.refuse(
                    file,
                    &headers[service_at],
                    format!("`{}` is not 0 or 1", escape(other)),
                ));
            }
        };
        if !touched {
            continue;
        }
        let weight = match field(impact_at) {
            "2" | "3" => 1.0,
            "1" => minor_weight,
            "0" | "4" => continue,
            other => {
                return Err(place.refuse(
                    file,
                    IMPACT,
                    format!(
                        "`{}` is not an impact level 0 to 4 (none, minor, major, critical, maintenance)",
                        escape(other)
                    ),
                ));
            }
        };
        let time = |name: &str, text: &str| {
            parse_timestamp(text).ok_or_else(|| {
                place.refuse(
                    file,
                    name,
                    format!(
                        "`{}` is not a time such as 2024-02-28 14:47:00+00:00",
                        escape(text)
                    ),
                )
            })
        };
        let (end_name, end) = match resolved_at.map(field).filter(|t| !t.is_empty()) {
            Some(resolved) => (RESOLVED, resolved),
            None => (CLOSED, field(closed_at)),
        };
        outages.push(Outage {
            start: time(START, field(start_at))?,
            end: time(end_name, end)?,
            weight,
            place,
        });
    }
    daily_record(&outages, file, service, from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "incident_id,incident_impact_level,provider,API,ChatGPT,resolved_timestamp,start_timestamp,close_timestamp";

    fn table(rows: &[&str]) -> String {
        std::iter::once(HEADER)
            .chain(rows.iter().copied())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn minutes(history: &DailyHistory) -> Vec<f64> {
        history.days.iter().map(|d| d.minutes).collect()
    }

    #[test]
    fn impact_weighs_the_minutes_of_the_services_incidents() {
        let text = table(&[
            // major, 30 minutes, API
            "a,2,openai,1,0,2024-03-01 10:30:00+00:00,2024-03-01 10:00:00+00:00,2024-03-01 11:00:00+00:00",
            // minor, 60 minutes, API: weighted 0.3
            "b,1,openai,1,1,2024-03-02 13:00:00+00:00,2024-03-02 12:00:00+00:00,2024-03-02 13:00:00+00:00",
            // ChatGPT only: not the API's
            "c,3,openai,0,1,2024-03-02 18:00:00+00:00,2024-03-02 10:00:00+00:00,2024-03-02 18:00:00+00:00",
            // maintenance: not an outage
            "d,4,openai,1,0,2024-03-03 06:00:00+00:00,2024-03-03 00:00:00+00:00,2024-03-03 06:00:00+00:00",
            // no resolved stage: counted to the close, across midnight
            "e,3,openai,1,0,,2024-03-03 23:00:00+00:00,2024-03-04 01:00:00+00:00",
        ]);
        let h = parse_icpe_incidents(&text, "inc.csv", "api", 0.3, "2024-03-01", "2024-03-05")
            .expect("reads");
        let m = minutes(&h);
        assert_eq!(m.len(), 5);
        assert!((m[0] - 30.0).abs() < 1e-9);
        assert!((m[1] - 18.0).abs() < 1e-9);
        assert!((m[2] - 60.0).abs() < 1e-9);
        assert!((m[3] - 60.0).abs() < 1e-9);
        assert_eq!(m[4], 0.0);
    }

    #[test]
    fn bad_rows_are_refused_with_their_line_and_field() {
        let refused = |row: &str| {
            parse_icpe_incidents(
                &table(&[row]),
                "inc.csv",
                "API",
                0.3,
                "2024-03-01",
                "2024-03-05",
            )
            .expect_err("refused")
            .to_string()
        };
        assert_eq!(
            refused("a,7,openai,1,0,,2024-03-01 10:00:00+00:00,2024-03-01 11:00:00+00:00"),
            "inc.csv:2: incident_impact_level: `7` is not an impact level 0 to 4 (none, minor, major, critical, maintenance)"
        );
        assert_eq!(
            refused("a,2,openai,1,0,,yesterday,2024-03-01 11:00:00+00:00"),
            "inc.csv:2: start_timestamp: `yesterday` is not a time such as 2024-02-28 14:47:00+00:00"
        );
        assert_eq!(
            refused("a,2,openai,yes,0,,2024-03-01 10:00:00+00:00,2024-03-01 11:00:00+00:00"),
            "inc.csv:2: API: `yes` is not 0 or 1"
        );
        let e = parse_icpe_incidents(
            &table(&[]),
            "inc.csv",
            "Labs",
            0.3,
            "2024-03-01",
            "2024-03-05",
        )
        .expect_err("no such service");
        assert!(
            e.to_string().contains("no column for the service `Labs`"),
            "{e}"
        );
    }

    #[test]
    fn the_fixtures_api_incidents_make_a_record() {
        let text = include_str!("../../../../fixtures/icpe2025/incidents_openai.csv");
        let h = parse_icpe_incidents(
            text,
            "incidents_openai.csv",
            "API",
            super::super::icpe::PAPER_PARTIAL_WEIGHT,
            "2021-03-01",
            "2024-08-31",
        )
        .expect("reads");
        assert_eq!(h.whole_months().len(), 42);
        let outage_days = h.days.iter().filter(|d| d.minutes > 0.0).count();
        // 231 API incidents, of which the none and maintenance ones do not count.
        assert!((100..=400).contains(&outage_days), "{outage_days}");
    }
}
