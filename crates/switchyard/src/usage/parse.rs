//! What every format's reader is to the import: a header (CSV formats) and
//! then one line at a time to records. Readers are pure: no I/O, no state
//! changed by a line, so a bad line leaves nothing behind and `--skip-bad`
//! can go on from the next.

use super::error::Bad;
use super::record::UsageRecord;

/// The records of one line: one request, or an OpenAI page's buckets.
#[derive(Debug)]
pub enum Parsed<'a> {
    One(UsageRecord<'a>),
    Many(Vec<UsageRecord<'a>>),
}

/// A format's reader.
pub trait LineParser: Sync {
    /// Whether the first line is a header, given to [`LineParser::header`].
    fn has_header(&self) -> bool;
    /// Reads the header; an error is about the file as a whole (a required
    /// column missing), so the import stops.
    fn header(&mut self, _line: &str) -> Result<(), String> {
        Ok(())
    }
    /// Whether lines are CSV records, whose quoted fields may hold newlines.
    fn csv_quotes(&self) -> bool {
        self.has_header()
    }
    fn parse<'a>(&self, line: &'a str) -> Result<Parsed<'a>, Bad>;
}

/// Serde's words for a JSON line's fault, as a [`Bad`]: the field path from
/// `serde_path_to_error`, the kind from the message.
pub fn json_bad(error: &serde_path_to_error::Error<serde_json::Error>) -> Bad {
    use super::error::Reason;
    let path = error.path().to_string();
    let inner = error.inner();
    let message = inner.to_string();
    let reason = match inner.classify() {
        serde_json::error::Category::Eof => Reason::Truncated,
        serde_json::error::Category::Syntax | serde_json::error::Category::Io => Reason::Malformed,
        serde_json::error::Category::Data => {
            if message.starts_with("negative") || message.contains("integer `-") {
                Reason::Negative
            } else if message.starts_with("not a whole number") {
                Reason::NotWhole
            } else if message.starts_with("too large") {
                Reason::TooLarge
            } else if message.starts_with("missing field") {
                Reason::Missing
            } else if message.starts_with("invalid type") {
                Reason::WrongType
            } else {
                Reason::Invalid
            }
        }
    };
    // serde_path_to_error writes `?` for a key it never finished reading.
    let path = path.trim_end_matches('?').trim_end_matches('.').to_owned();
    let field = if path.is_empty() {
        // A missing field is named in the message: `missing field `model``.
        message
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
            .unwrap_or("(line)")
            .to_owned()
    } else {
        path
    };
    Bad::new(field, reason, message)
}

/// A count in JSON: a whole, non-negative number. Its messages start with
/// the words [`json_bad`] classifies by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count(pub u64);

impl<'de> serde::Deserialize<'de> for Count {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Count;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a whole number of at least 0")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Count, E> {
                Ok(Count(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Count, E> {
                u64::try_from(v)
                    .map(Count)
                    .map_err(|_| E::custom(format!("negative: {v}")))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Count, E> {
                if v < 0.0 {
                    Err(E::custom(format!("negative: {v}")))
                } else if v.fract() != 0.0 {
                    Err(E::custom(format!("not a whole number: {v}")))
                } else if v >= 1.8e19 {
                    Err(E::custom(format!("too large: {v}")))
                } else {
                    Ok(Count(v as u64))
                }
            }
        }
        d.deserialize_any(Visitor)
    }
}
