//! One way in for every outage-record format: what to read from a file, and
//! the daily record it gives. The CLI, the app and the catalog's import all
//! read through [`read_record`], so a format means the same everywhere.

use serde::{Deserialize, Serialize};

use super::icpe::{PAPER_PARTIAL_WEIGHT, parse_daily};
use super::icpe_incidents::parse_icpe_incidents;
use super::outage_log::parse_outage_log;
use super::statuspage::parse_incidents;
use super::{DailyHistory, HistoryError};

/// The formats of an outage record.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordFormat {
    /// The ICPE 2025 dataset's daily outage table.
    IcpeDaily,
    /// The ICPE 2025 dataset's incident table, with the stages' times.
    IcpeIncidents,
    /// A team's own outage log: start, end, group, weight.
    Csv,
    /// A status page's incidents (Statuspage v2 `incidents.json`).
    Statuspage,
}

impl RecordFormat {
    pub const ALL: [RecordFormat; 4] = [
        RecordFormat::IcpeDaily,
        RecordFormat::IcpeIncidents,
        RecordFormat::Csv,
        RecordFormat::Statuspage,
    ];

    /// The name on the command line and in the catalog.
    pub fn name(self) -> &'static str {
        match self {
            RecordFormat::IcpeDaily => "icpe-daily",
            RecordFormat::IcpeIncidents => "icpe-incidents",
            RecordFormat::Csv => "csv",
            RecordFormat::Statuspage => "statuspage",
        }
    }

    /// The format named `text`.
    pub fn parse(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|f| f.name() == text.trim())
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "`{}` is not a record format: {}",
                    super::escape(text.trim()),
                    names.join(", ")
                )
            })
    }

    /// Whether the record's days must be given (`from`, `to`): a list of
    /// outages says when things broke, not which days were watched.
    pub fn needs_window(self) -> bool {
        !matches!(self, RecordFormat::IcpeDaily)
    }
}

/// What to read from a record file.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordRequest {
    pub format: RecordFormat,
    /// icpe-daily: the service (`api`, ...); icpe-incidents: a service column
    /// (`API`, ...); csv: a value of the group column; statuspage: a
    /// component's name (`None`: every incident).
    pub service: Option<String>,
    /// The weight of a partial outage's (or minor incident's) minutes.
    pub partial_weight: f64,
    /// The first and last day the record covers (`YYYY-MM-DD`, UTC).
    pub from: Option<String>,
    pub to: Option<String>,
}

impl RecordRequest {
    /// `format` with the paper's weight and nothing else chosen.
    pub fn new(format: RecordFormat) -> Self {
        Self {
            format,
            service: None,
            partial_weight: PAPER_PARTIAL_WEIGHT,
            from: None,
            to: None,
        }
    }
}

/// Reads the record `request` asks for from `text` (`file` names it).
pub fn read_record(
    text: &str,
    file: &str,
    request: &RecordRequest,
) -> Result<DailyHistory, HistoryError> {
    let refuse = |reason: &str| HistoryError::file(file, reason.to_owned());
    let service = || {
        request
            .service
            .as_deref()
            .ok_or_else(|| refuse("name the service or group whose record to read (--service)"))
    };
    let window = || match (&request.from, &request.to) {
        (Some(from), Some(to)) => Ok((from.as_str(), to.as_str())),
        _ => Err(refuse(&format!(
            "a {} record needs the days it covers (--from and --to)",
            request.format.name()
        ))),
    };
    let weight = request.partial_weight;
    match request.format {
        RecordFormat::IcpeDaily => parse_daily(text, file, service()?, weight),
        RecordFormat::IcpeIncidents => {
            let (from, to) = window()?;
            parse_icpe_incidents(text, file, service()?, weight, from, to)
        }
        RecordFormat::Csv => {
            let (from, to) = window()?;
            parse_outage_log(text, file, service()?, from, to)
        }
        RecordFormat::Statuspage => {
            let (from, to) = window()?;
            parse_incidents(text, file, request.service.as_deref(), weight, from, to)
        }
    }
}
