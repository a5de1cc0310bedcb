//! A team's own outage log as CSV: one row per outage with its `start` and
//! `end` (UTC timestamps, `2024-03-01T12:00:00Z`), the failure `group` it hit
//! and its severity `weight` (0 to 1: 1 for a full outage, 0.3 for a partial
//! one as the ICPE paper weighs them; empty means 1). The log says when things
//! broke, not when it was kept, so the days it covers are given with it; every
//! day of that window without an outage is a clean day.

use std::collections::BTreeMap;

use super::{DailyHistory, Day, HistoryError, csv_reader, escape};
use crate::model::outage_process::DAY_MINUTES;
use crate::utc::{civil_from_days, is_iso_date, parse_timestamp};

const COLUMNS: [&str; 4] = ["start", "end", "group", "weight"];

/// The longest outage accepted: a row longer than a year is a typo.
const MAX_OUTAGE_DAYS: i64 = 366;

/// Reads `group`'s outages from the log `text` (`file` names it in messages)
/// into a daily record of the days `from` to `to` (inclusive, `YYYY-MM-DD`):
/// each day's minutes are the weighted minutes of the outages that overlap
/// it, at most a day. Every refused row names its line and field.
pub fn parse_outage_log(
    text: &str,
    file: &str,
    group: &str,
    from: &str,
    to: &str,
) -> Result<DailyHistory, HistoryError> {
    let file_error = |reason: String| HistoryError::file(file, reason);
    let (mut reader, headers) = csv_reader(text, file)?;
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let mut at = [0usize; 3];
    for (slot, name) in at.iter_mut().zip(&COLUMNS[..3]) {
        *slot = column(name).ok_or_else(|| {
            file_error(format!(
                "no `{name}` column: the log's columns are start, end, group, weight"
            ))
        })?;
    }
    let weight_at = column(COLUMNS[3]);
    let mut outages = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| file_error(format!("not CSV: {e}")))?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").trim();
        let place = Place::Line(line);
        if field(Some(at[2])) != group {
            continue;
        }
        let time = |i: usize| {
            let text = field(Some(at[i]));
            parse_timestamp(text).ok_or_else(|| {
                place.refuse(
                    file,
                    COLUMNS[i],
                    format!(
                        "`{}` is not a time such as 2024-03-01T12:00:00Z",
                        escape(text)
                    ),
                )
            })
        };
        let (start, end) = (time(0)?, time(1)?);
        let weight = match field(weight_at) {
            "" => 1.0,
            text => text
                .parse::<f64>()
                .ok()
                .filter(|w| (0.0..=1.0).contains(w))
                .ok_or_else(|| {
                    place.refuse(
                        file,
                        "weight",
                        format!("`{}` is not a weight from 0 to 1", escape(text)),
                    )
                })?,
        };
        outages.push(Outage {
            start,
            end,
            weight,
            place,
        });
    }
    daily_record(&outages, file, group, from, to)
}

/// Where an outage was read, for messages.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Place {
    /// A line of a CSV file.
    Line(u64),
    /// An entry of a JSON file: `incidents[3]`.
    Entry(String),
}

impl Place {
    /// `reason` about `field` of the outage read here.
    pub(super) fn refuse(&self, file: &str, field: &str, reason: String) -> HistoryError {
        match self {
            Place::Line(line) => HistoryError::Field {
                file: file.to_owned(),
                line: *line,
                field: field.to_owned(),
                reason,
            },
            Place::Entry(entry) => HistoryError::Entry {
                file: file.to_owned(),
                at: format!("{entry}.{field}"),
                reason,
            },
        }
    }
}

/// One outage: seconds since the epoch, and its severity weight.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Outage {
    pub start: i64,
    pub end: i64,
    pub weight: f64,
    pub place: Place,
}

/// The daily record of the days `from` to `to` (inclusive, `YYYY-MM-DD`) of
/// `outages`: each day's minutes are the weighted minutes of the outages that
/// overlap it, at most a day. `name` names the record.
pub(super) fn daily_record(
    outages: &[Outage],
    file: &str,
    name: &str,
    from: &str,
    to: &str,
) -> Result<DailyHistory, HistoryError> {
    let file_error = |reason: String| HistoryError::file(file, reason);
    let day_number = |date: &str, what: &str| -> Result<i64, HistoryError> {
        let midnight = is_iso_date(date)
            .then(|| parse_timestamp(&format!("{date}T00:00Z")))
            .flatten();
        midnight
            .map(|seconds| seconds.div_euclid(86_400))
            .ok_or_else(|| {
                file_error(format!(
                    "{what} `{}` is not a date YYYY-MM-DD",
                    escape(date)
                ))
            })
    };
    let (first, last) = (day_number(from, "--from")?, day_number(to, "--to")?);
    if last < first {
        return Err(file_error(format!("--to {to} is before --from {from}")));
    }
    let mut minutes: BTreeMap<i64, f64> = BTreeMap::new();
    for o in outages {
        // Status pages post some incidents already resolved: start and end
        // are the same minute, an outage of no length.
        if o.end < o.start {
            return Err(o.place.refuse(file, "end", "is before start".to_owned()));
        }
        if o.end - o.start > MAX_OUTAGE_DAYS * 86_400 {
            return Err(o.place.refuse(
                file,
                "end",
                format!("the outage lasts more than {MAX_OUTAGE_DAYS} days"),
            ));
        }
        // Split the outage over the UTC days it touches, inside the window.
        let mut day = o.start.div_euclid(86_400);
        while day * 86_400 < o.end {
            let overlap = o.end.min((day + 1) * 86_400) - o.start.max(day * 86_400);
            if (first..=last).contains(&day) {
                *minutes.entry(day).or_default() += o.weight * overlap as f64 / 60.0;
            }
            day += 1;
        }
    }
    let days = (first..=last)
        .map(|day| {
            let (y, m, d) = civil_from_days(day);
            Day {
                date: format!("{y:04}-{m:02}-{d:02}"),
                minutes: minutes.get(&day).copied().unwrap_or(0.0).min(DAY_MINUTES),
            }
        })
        .collect();
    Ok(DailyHistory::new(file, name, days))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "start,end,group,weight\n";

    /// `group`'s record of March 2024 from the log rows `rows`.
    fn march(rows: &str) -> Result<DailyHistory, HistoryError> {
        parse_outage_log(
            &format!("{HEAD}{rows}"),
            "log.csv",
            "api",
            "2024-03-01",
            "2024-03-31",
        )
    }

    #[test]
    fn outages_split_over_the_days_they_touch() {
        let text = format!(
            "{HEAD}2024-03-01T23:30:00Z,2024-03-02T00:45:00Z,api,\n\
             2024-03-02T10:00:00Z,2024-03-02T11:00:00Z,api,0.3\n\
             2024-03-02T10:00:00Z,2024-03-02T11:00:00Z,chat,1\n\
             2024-02-29T23:00:00Z,2024-03-01T00:10:00Z,api,1\n"
        );
        let h =
            parse_outage_log(&text, "log.csv", "api", "2024-03-01", "2024-03-03").expect("reads");
        let minutes: Vec<f64> = h.days.iter().map(|d| d.minutes).collect();
        // 1 March: 10 minutes of the outage from February, 30 of the night one;
        // 2 March: 45 minutes, and 60 at weight 0.3; 3 March: clean.
        assert_eq!(h.days[0].date, "2024-03-01");
        assert!((minutes[0] - 40.0).abs() < 1e-9, "{minutes:?}");
        assert!((minutes[1] - 63.0).abs() < 1e-9, "{minutes:?}");
        assert_eq!(minutes[2], 0.0);
    }

    #[test]
    fn overlapping_outages_fill_a_day_at_most() {
        let text = format!(
            "{HEAD}2024-03-01T00:00:00Z,2024-03-02T00:00:00Z,api,1\n2024-03-01T06:00:00Z,2024-03-01T08:00:00Z,api,1\n"
        );
        let h =
            parse_outage_log(&text, "log.csv", "api", "2024-03-01", "2024-03-01").expect("reads");
        assert_eq!(h.days[0].minutes, DAY_MINUTES);
    }

    #[test]
    fn a_log_of_the_icpe_record_fits_as_the_record_does() {
        // Each outage day of the OpenAI API's record written as one outage of
        // its weighted minutes from midnight: the log's record is the same, so
        // is its fit.
        let daily = crate::history::icpe::parse_daily(
            include_str!("../../../../fixtures/icpe2025/outage_daily_openai.csv"),
            "daily.csv",
            "api",
            crate::history::icpe::PAPER_PARTIAL_WEIGHT,
        )
        .expect("reads");
        let mut log = HEAD.to_owned();
        for d in daily.days.iter().filter(|d| d.minutes > 0.0) {
            let seconds = (d.minutes * 60.0).round() as i64;
            let end = parse_timestamp(&format!("{}T00:00:00Z", d.date)).expect("date") + seconds;
            let (y, m, day) = civil_from_days(end.div_euclid(86_400));
            let s = end.rem_euclid(86_400);
            log.push_str(&format!(
                "{}T00:00:00Z,{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}Z,api,1\n",
                d.date,
                s / 3600,
                s / 60 % 60,
                s % 60
            ));
        }
        let (first, last) = (&daily.days[0].date, &daily.days[daily.days.len() - 1].date);
        let from_log = parse_outage_log(&log, "log.csv", "api", first, last).expect("reads");
        assert_eq!(from_log.days.len(), daily.days.len());
        let fit = |h: &DailyHistory| crate::history::fit::fit(h).expect("fits").process;
        let (a, b) = (fit(&daily), fit(&from_log));
        assert_eq!(a.events_per_month, b.events_per_month);
        assert_eq!(a.dispersion, b.dispersion);
        assert!((a.log_mu - b.log_mu).abs() < 1e-9, "{a:?} {b:?}");
        assert!((a.log_sigma - b.log_sigma).abs() < 1e-9, "{a:?} {b:?}");
    }

    #[test]
    fn bad_rows_name_their_line_and_field() {
        for (rows, want) in [
            (
                "2024-03-01 noon,2024-03-01T13:00Z,api,1\n",
                "log.csv:2: start: `2024-03-01 noon` is not a time",
            ),
            (
                "2024-03-01T12:00Z,2024-03-01T11:00Z,api,1\n",
                "log.csv:2: end: is before start",
            ),
            (
                "2024-03-01T12:00Z,2024-03-01T13:00+25:00,api,1\n",
                "log.csv:2: end: `2024-03-01T13:00+25:00` is not a time",
            ),
            (
                "2024-03-01T12:00Z,2024-03-01T13:00Z,api,1.5\n",
                "log.csv:2: weight: `1.5` is not a weight",
            ),
            (
                "2024-03-01T12:00Z,2024-03-01T13:00Z,api,1\n2020-01-01T00:00Z,2024-01-01T00:00Z,api,1\n",
                "log.csv:3: end: the outage lasts more than 366 days",
            ),
        ] {
            let e = march(rows).expect_err(want);
            assert!(e.to_string().starts_with(want), "{e}\nwanted: {want}");
        }
        let e = parse_outage_log(
            "start,group\n",
            "log.csv",
            "api",
            "2024-03-01",
            "2024-03-31",
        )
        .expect_err("columns");
        assert!(e.to_string().starts_with("log.csv: no `end` column"), "{e}");
        let e = parse_outage_log(HEAD, "log.csv", "api", "2024-03-31", "2024-03-01")
            .expect_err("window");
        assert!(e.to_string().contains("before --from"), "{e}");
        let e =
            parse_outage_log(HEAD, "log.csv", "api", "2024-02-30", "2024-03-01").expect_err("date");
        assert!(
            e.to_string().contains("--from `2024-02-30` is not a date"),
            "{e}"
        );
    }
}
