//! Why a usage log, or one of its lines, was refused. A line's error names the
//! file, the 1-based line number, the field and the reason, so a user can open
//! the file at the line; its [`Reason`] is what `--skip-bad` counts.

use std::fmt;

/// The kind of a bad line, one short name each: `--skip-bad` reports how
/// many lines were skipped for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// A required field is absent or empty.
    Missing,
    /// A field of the wrong type: text where a number belongs, an object
    /// where a string belongs.
    WrongType,
    /// A token count, latency or spend below zero.
    Negative,
    /// A number with a fraction where a whole count belongs.
    NotWhole,
    /// A number beyond what the field can hold (see [`super::limits`]).
    TooLarge,
    /// A time that is not one of the accepted forms.
    NotATime,
    /// A value outside the field's set (a status other than success or
    /// failure).
    Invalid,
    /// Bytes that are not UTF-8.
    NotUtf8,
    /// A NUL or another control byte: binary data, not a log.
    Binary,
    /// A line (or CSV record) longer than [`super::limits::MAX_LINE_BYTES`].
    LineTooLong,
    /// The file ends inside a record: a quoted CSV field left open, or a JSON
    /// line cut off without its newline.
    Truncated,
    /// A line that is not JSON, or a CSV record with another number of
    /// fields than the header.
    Malformed,
}

impl Reason {
    /// The name `--skip-bad` reports and `usage list` shows.
    pub fn name(self) -> &'static str {
        match self {
            Reason::Missing => "missing",
            Reason::WrongType => "wrong-type",
            Reason::Negative => "negative",
            Reason::NotWhole => "not-whole",
            Reason::TooLarge => "too-large",
            Reason::NotATime => "not-a-time",
            Reason::Invalid => "invalid",
            Reason::NotUtf8 => "not-utf8",
            Reason::Binary => "binary",
            Reason::LineTooLong => "line-too-long",
            Reason::Truncated => "truncated",
            Reason::Malformed => "malformed",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What is wrong with one line, before the file and line are known.
#[derive(Debug, Clone, PartialEq)]
pub struct Bad {
    /// The field as the file names it (`prompt_tokens`, `data[0].results[2].input_tokens`),
    /// or `(line)` for the line as a whole.
    pub field: String,
    pub reason: Reason,
    /// The reason in words, with the offending value quoted (shortened).
    pub detail: String,
}

impl Bad {
    pub fn new(field: impl Into<String>, reason: Reason, detail: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason,
            detail: detail.into(),
        }
    }

    /// A fault of the line as a whole rather than of one field.
    pub fn line(reason: Reason, detail: impl Into<String>) -> Self {
        Self::new("(line)", reason, detail)
    }
}

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    /// One line is bad (and `--skip-bad` was not given).
    #[error("{file}:{line}: {field}: {detail} [{reason}]")]
    Line {
        file: String,
        line: u64,
        field: String,
        reason: Reason,
        detail: String,
    },
    /// The file as a whole: no header, a header without a required column,
    /// nothing usable in it, too many models.
    #[error("{file}: {reason}")]
    File { file: String, reason: String },
    #[error("{file}: cannot read: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The caller's progress callback asked to stop; nothing was stored.
    #[error("{file}: import cancelled; nothing was written")]
    Cancelled { file: String },
}

impl UsageError {
    pub fn file(file: &str, reason: impl Into<String>) -> Self {
        UsageError::File {
            file: file.to_owned(),
            reason: reason.into(),
        }
    }

    pub fn at(file: &str, line: u64, bad: Bad) -> Self {
        UsageError::Line {
            file: file.to_owned(),
            line,
            field: bad.field,
            reason: bad.reason,
            detail: bad.detail,
        }
    }
}

/// Longest piece of a line quoted back in a message: a 4 MiB field must not
/// become a 4 MiB message.
const QUOTE_MAX: usize = 40;

/// `text` shortened for a message, control characters escaped.
pub fn quote(text: &str) -> String {
    let mut out = String::from("`");
    for (i, c) in text.chars().enumerate() {
        if i == QUOTE_MAX {
            out.push_str(&format!("…` ({} bytes)", text.len()));
            return out;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('`');
    out
}
