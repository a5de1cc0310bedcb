//! Outage history: a provider's daily outage record, the outage process fitted
//! from it, and the backtest of that process against the record.
//!
//! - [`record`]: one way in for every format below.
//! - [`icpe`]: reads the ICPE 2025 dataset's daily outage table.
//! - [`icpe_incidents`]: reads its incident table, with the stages' times.
//! - [`outage_log`]: reads a team's own outage log (CSV: start, end, group,
//!   weight) into a daily record of the days it covers.
//! - [`statuspage`]: reads a status page's incident history (Statuspage v2).
//! - [`fit`]: fits [`OutageProcess`](crate::model::outage_process::OutageProcess),
//!   each parameter with a 95% interval and the data it came from.
//! - [`backtest`]: the share of historical periods at or above each threshold
//!   beside the fitted process's, and the largest gap.

pub mod backtest;
pub mod fit;
pub mod icpe;
pub mod icpe_incidents;
pub mod outage_log;
pub mod record;
pub mod statuspage;

/// One day of a service's record: its severity-weighted outage minutes.
#[derive(Debug, Clone, PartialEq)]
pub struct Day {
    /// `YYYY-MM-DD`, UTC.
    pub date: String,
    pub minutes: f64,
}

/// A service's daily outage record, in date order, one row per day.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyHistory {
    /// The file it was read from, for messages and the fit's source.
    pub file: String,
    pub service: String,
    pub days: Vec<Day>,
}

/// Why a history file was refused: the file, the line and the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HistoryError {
    #[error("{file}:{line}: {field}: {reason}")]
    Field {
        file: String,
        line: u64,
        field: String,
        reason: String,
    },
    /// A field of an entry of a JSON file: `incidents[3].resolved_at`.
    #[error("{file}: {at}: {reason}")]
    Entry {
        file: String,
        at: String,
        reason: String,
    },
    #[error("{file}: {reason}")]
    File { file: String, reason: String },
}

impl HistoryError {
    /// `reason` about the file as a whole.
    pub fn file(file: &str, reason: String) -> Self {
        HistoryError::File {
            file: file.to_owned(),
            reason,
        }
    }
}

/// `weight` (of partial outages, or minor incidents) must be from 0 to 1
/// ([`crate::limits::PARTIAL_WEIGHT`]).
fn check_partial_weight(file: &str, weight: f64) -> Result<(), HistoryError> {
    crate::limits::PARTIAL_WEIGHT
        .check(weight)
        .map_err(|reason| HistoryError::file(file, format!("the partial-outage weight {reason}")))
}

impl DailyHistory {
    /// `service`'s record read from `file`, its days put in date order.
    pub fn new(file: &str, service: &str, mut days: Vec<Day>) -> Self {
        days.sort_by(|a, b| a.date.cmp(&b.date));
        Self {
            file: file.to_owned(),
            service: service.to_owned(),
            days,
        }
    }

    /// The record's whole calendar months, each as its days' minutes, in order;
    /// a month the record does not cover day by day is left out.
    pub fn whole_months(&self) -> Vec<&[Day]> {
        let mut months = Vec::new();
        let mut start = 0;
        while start < self.days.len() {
            let month = month_of(&self.days[start].date);
            let end = self.days[start..]
                .iter()
                .position(|d| month_of(&d.date) != month)
                .map_or(self.days.len(), |n| start + n);
            let number = |range: std::ops::Range<usize>| {
                month
                    .get(range)
                    .and_then(|t| t.parse::<u32>().ok())
                    .unwrap_or(0)
            };
            let (year, number) = (number(0..4), number(5..7));
            if (end - start) as u32 == crate::utc::days_in_month(year, number) {
                months.push(&self.days[start..end]);
            }
            start = end;
        }
        months
    }
}

/// `YYYY-MM` of a `YYYY-MM-DD` date.
fn month_of(date: &str) -> &str {
    date.get(..7).unwrap_or(date)
}

/// `text` safe to quote in a message: control characters escaped, at most 60
/// characters.
fn escape(text: &str) -> String {
    text.chars().take(60).flat_map(char::escape_debug).collect()
}

/// A CSV reader over `text` (a byte-order mark dropped) and its header row.
fn csv_reader<'a>(
    text: &'a str,
    file: &str,
) -> Result<(csv::Reader<&'a [u8]>, csv::StringRecord), HistoryError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| HistoryError::File {
            file: file.to_owned(),
            reason: format!("cannot read the header: {e}"),
        })?
        .clone();
    Ok((reader, headers))
}
