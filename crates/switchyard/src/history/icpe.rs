//! The ICPE 2025 dataset's daily outage table (`outage_daily_*.csv`, described
//! in `fixtures/icpe2025/SOURCE.md`): one row per service and day with its
//! partial and major outage minutes, as the status page's uptime bar showed
//! them.

use std::collections::HashSet;

use super::{DailyHistory, Day, HistoryError, check_partial_weight, csv_reader, escape};
use crate::model::outage_process::DAY_MINUTES;

/// The weight of a partial outage's minutes against a major outage's: the
/// paper's availability weighting (Chu et al., ICPE 2025), and the default of
/// `--partial-weight`.
pub const PAPER_PARTIAL_WEIGHT: f64 = 0.3;

const COLUMNS: [&str; 4] = [
    "Date",
    "Service",
    "partial_outage_minutes",
    "major_outage_minutes",
];

/// Reads `service`'s days from the table `text` (`file` names it in
/// messages), each day's minutes being major + `partial_weight` × partial.
/// Every refused row names its line and field; nothing is half-read.
pub fn parse_daily(
    text: &str,
    file: &str,
    service: &str,
    partial_weight: f64,
) -> Result<DailyHistory, HistoryError> {
    let file_error = |reason: String| HistoryError::file(file, reason);
    check_partial_weight(file, partial_weight)?;
    let (mut reader, headers) = csv_reader(text, file)?;
    let mut at = [0usize; 4];
    for (slot, name) in at.iter_mut().zip(COLUMNS) {
        *slot = headers.iter().position(|h| h == name).ok_or_else(|| {
            file_error(format!(
                "no `{name}` column: is this the ICPE daily outage table?"
            ))
        })?;
    }
    let mut days = Vec::new();
    let mut seen = HashSet::new();
    let mut services = HashSet::new();
    for record in reader.records() {
        let record = record.map_err(|e| file_error(format!("not CSV: {e}")))?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(at[i]).unwrap_or("").trim();
        let refuse = |i: usize, reason: String| HistoryError::Field {
            file: file.to_owned(),
            line,
            field: COLUMNS[i].to_owned(),
            reason,
        };
        services.insert(field(1).to_owned());
        if field(1) != service {
            continue;
        }
        let date = field(0);
        if !crate::utc::is_iso_date(date) {
            return Err(refuse(
                0,
                format!("`{}` is not a date YYYY-MM-DD", escape(date)),
            ));
        }
        if !seen.insert(date.to_owned()) {
            return Err(refuse(0, format!("{date} appears twice for `{service}`")));
        }
        let minutes = |i: usize| -> Result<f64, HistoryError> {
            let text = field(i);
            let x: f64 = text
                .parse()
                .map_err(|_| refuse(i, format!("`{}` is not a number", escape(text))))?;
            if !(0.0..=DAY_MINUTES).contains(&x) {
                return Err(refuse(i, format!("{x} is not between 0 and 1440 minutes")));
            }
            Ok(x)
        };
        let (partial, major) = (minutes(2)?, minutes(3)?);
        days.push(Day {
            date: date.to_owned(),
            minutes: (major + partial_weight * partial).min(DAY_MINUTES),
        });
    }
    if days.is_empty() {
        let mut known: Vec<_> = services.into_iter().filter(|s| !s.is_empty()).collect();
        known.sort();
        return Err(file_error(format!(
            "no rows of service `{}`; the file has: {}",
            escape(service),
            known.join(", ")
        )));
    }
    Ok(DailyHistory::new(file, service, days))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "Date,Service,partial_outage_minutes,major_outage_minutes,Incidents\n";

    #[test]
    fn days_weigh_partial_minutes() {
        let text = format!(
            "{HEAD}2024-01-02,api,10,5,\"[a, b]\"\n2024-01-01,api,0,0,[]\n2024-01-01,chatgpt,99,0,[]\n"
        );
        let h = parse_daily(&text, "d.csv", "api", PAPER_PARTIAL_WEIGHT).expect("reads");
        assert_eq!(h.days.len(), 2);
        assert_eq!(h.days[0].date, "2024-01-01", "sorted by date");
        assert!((h.days[1].minutes - 8.0).abs() < 1e-12);
        let full = parse_daily(&text, "d.csv", "api", 1.0).expect("reads");
        assert!((full.days[1].minutes - 15.0).abs() < 1e-12);
    }

    #[test]
    fn bad_rows_name_their_line_and_field() {
        let cases = [
            (
                format!("{HEAD}2024-02-30,api,0,0,[]\n"),
                "d.csv:2: Date: `2024-02-30` is not a date",
            ),
            (
                format!("{HEAD}2024-01-01,api,x,0,[]\n"),
                "d.csv:2: partial_outage_minutes: `x` is not a number",
            ),
            (
                format!("{HEAD}2024-01-01,api,0,0,[]\n2024-01-02,api,0,2000,[]\n"),
                "d.csv:3: major_outage_minutes: 2000 is not between",
            ),
            (
                format!("{HEAD}2024-01-01,api,0,0,[]\n2024-01-01,api,0,0,[]\n"),
                "d.csv:3: Date: 2024-01-01 appears twice",
            ),
            (
                format!("{HEAD}2024-01-01,api,-1,0,[]\n"),
                "d.csv:2: partial_outage_minutes: -1 is not between",
            ),
            (
                format!("{HEAD}2024-01-01,api,NaN,0,[]\n"),
                "d.csv:2: partial_outage_minutes: NaN is not between",
            ),
            (
                "Date,Service\n2024-01-01,api\n".to_owned(),
                "d.csv: no `partial_outage_minutes` column",
            ),
            (
                format!("{HEAD}2024-01-01,chatgpt,0,0,[]\n"),
                "d.csv: no rows of service `api`; the file has: chatgpt",
            ),
        ];
        for (text, want) in cases {
            let e = parse_daily(&text, "d.csv", "api", PAPER_PARTIAL_WEIGHT).expect_err(want);
            assert!(e.to_string().starts_with(want), "{e}\nwanted: {want}");
        }
        let e = parse_daily(HEAD, "d.csv", "api", 1.5).expect_err("weight");
        assert!(
            e.to_string()
                .contains("1.5 is out of range: must be at least 0 and at most 1"),
            "{e}"
        );
    }

    #[test]
    fn whole_months_only() {
        let mut text = HEAD.to_owned();
        for day in 1..=31 {
            text.push_str(&format!("2024-01-{day:02},api,0,0,[]\n"));
        }
        for day in 1..=28 {
            text.push_str(&format!("2024-02-{day:02},api,0,0,[]\n"));
        }
        let h = parse_daily(&text, "d.csv", "api", PAPER_PARTIAL_WEIGHT).expect("reads");
        let months = h.whole_months();
        assert_eq!(months.len(), 1, "February 2024 has 29 days");
        assert_eq!(months[0].len(), 31);
    }
}
