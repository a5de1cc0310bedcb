//! Atlassian Statuspage's incident history (`/api/v2/incidents.json`), the
//! format behind most providers' status pages. Each incident has a start
//! (`started_at`, else `created_at`), an end (`resolved_at`), an `impact`
//! (`none`, `minor`, `major`, `critical`) and the components it touched.
//!
//! An incident counts as outage time from its start to its resolution,
//! weighted by its impact: `major` and `critical` fully, `minor` by the
//! partial-outage weight (a degraded service, as the ICPE paper weighs partial
//! outages), `none` not at all. Incidents still open have no end and are left
//! out. As with an outage log, the days the history covers are given with it.

use serde_json::Value;

use super::outage_log::{Outage, Place, daily_record};
use super::{DailyHistory, HistoryError, check_partial_weight};
use crate::utc::parse_timestamp;

/// Reads the incidents of `text` (`file` names it in messages) that touch
/// `component` (any, when `None`) into a daily record of the days `from` to
/// `to`; `minor_weight` weighs minor incidents.
pub fn parse_incidents(
    text: &str,
    file: &str,
    component: Option<&str>,
    minor_weight: f64,
    from: &str,
    to: &str,
) -> Result<DailyHistory, HistoryError> {
    let file_error = |reason: String| HistoryError::file(file, reason);
    check_partial_weight(file, minor_weight)?;
    let json: Value = serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(text))
        .map_err(|e| file_error(format!("not JSON: {e}")))?;
    let incidents = json
        .get("incidents")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            file_error("no `incidents` list: is this a Statuspage incidents.json?".to_owned())
        })?;
    let mut outages = Vec::new();
    for (i, incident) in incidents.iter().enumerate() {
        let place = Place::Entry(format!("incidents[{i}]"));
        let refuse = |field: &str, reason: String| place.refuse(file, field, reason);
        let text_of = |field: &str| incident.get(field).and_then(Value::as_str);
        let weight = match text_of("impact") {
            Some("major" | "critical") => 1.0,
            Some("minor") => minor_weight,
            Some("none" | "maintenance") => continue,
            other => {
                return Err(refuse(
                    "impact",
                    format!("{other:?} is not none, minor, major or critical"),
                ));
            }
        };
        if let Some(wanted) = component {
            let touched = incident
                .get("components")
                .and_then(Value::as_array)
                .is_some_and(|list| {
                    list.iter()
                        .any(|c| c.get("name").and_then(Value::as_str) == Some(wanted))
                });
            if !touched {
                continue;
            }
        }
        let Some(resolved) = text_of("resolved_at") else {
            continue; // still open: no end to count to
        };
        let (start_field, start) = match text_of("started_at") {
            Some(t) => ("started_at", t),
            None => ("created_at", text_of("created_at").unwrap_or("")),
        };
        let time = |field: &str, text: &str| {
            parse_timestamp(text).ok_or_else(|| {
                refuse(
                    field,
                    format!("`{}` is not an RFC 3339 time", super::escape(text)),
                )
            })
        };
        outages.push(Outage {
            start: time(start_field, start)?,
            end: time("resolved_at", resolved)?,
            weight,
            place,
        });
    }
    let name = component.unwrap_or("all components");
    daily_record(&outages, file, name, from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(impact: &str, start: &str, end: Option<&str>, component: &str) -> Value {
        serde_json::json!({
            "name": "Elevated errors",
            "impact": impact,
            "created_at": start,
            "started_at": start,
            "resolved_at": end,
            "components": [{ "name": component }],
        })
    }

    fn page(incidents: Vec<Value>) -> String {
        serde_json::json!({ "page": { "name": "Example" }, "incidents": incidents }).to_string()
    }

    #[test]
    fn impact_weighs_the_incident_minutes() {
        let text = page(vec![
            incident(
                "major",
                "2024-03-01T10:00:00.000Z",
                Some("2024-03-01T10:30:00.000Z"),
                "API",
            ),
            incident(
                "minor",
                "2024-03-02T10:00:00Z",
                Some("2024-03-02T11:40:00Z"),
                "API",
            ),
            incident(
                "none",
                "2024-03-03T10:00:00Z",
                Some("2024-03-03T11:00:00Z"),
                "API",
            ),
            incident(
                "critical",
                "2024-03-04T23:00:00-01:00",
                Some("2024-03-05T00:20:00Z"),
                "Chat",
            ),
            incident("major", "2024-03-06T10:00:00Z", None, "API"),
        ]);
        let api = parse_incidents(
            &text,
            "i.json",
            Some("API"),
            0.3,
            "2024-03-01",
            "2024-03-07",
        )
        .expect("reads");
        let minutes: Vec<f64> = api.days.iter().map(|d| d.minutes).collect();
        assert_eq!(minutes, vec![30.0, 30.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        let all =
            parse_incidents(&text, "i.json", None, 0.3, "2024-03-01", "2024-03-07").expect("reads");
        // 23:00 at UTC-1 is midnight UTC: 20 minutes on the 5th.
        assert_eq!(all.days[4].minutes, 20.0);
        assert_eq!(all.service, "all components");
    }

    #[test]
    fn bad_incidents_name_their_field() {
        let cases = [
            (
                page(vec![incident(
                    "huge",
                    "2024-03-01T10:00:00Z",
                    Some("2024-03-01T11:00:00Z"),
                    "API",
                )]),
                "i.json: incidents[0].impact:",
            ),
            (
                page(vec![incident(
                    "major",
                    "soon",
                    Some("2024-03-01T11:00:00Z"),
                    "API",
                )]),
                "i.json: incidents[0].started_at: `soon` is not an RFC 3339 time",
            ),
            (
                page(vec![incident(
                    "major",
                    "2024-03-01T12:00:00Z",
                    Some("2024-03-01T11:00:00Z"),
                    "API",
                )]),
                "i.json: incidents[0].end: is before start",
            ),
            ("{\"page\": {}}".to_owned(), "i.json: no `incidents` list"),
            ("[1,".to_owned(), "i.json: not JSON"),
        ];
        for (text, want) in cases {
            let e = parse_incidents(&text, "i.json", None, 0.3, "2024-03-01", "2024-03-31")
                .expect_err(want);
            assert!(e.to_string().starts_with(want), "{e}\nwanted: {want}");
        }
    }
}
