//! The figures an offering carries, each with its own rule. One table drives the
//! importers, `catalog set`, the database and the JSON output, so a field is
//! spelled and checked the same way everywhere.

use std::fmt;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Serialize, Serializer};

use crate::limits::{self, Limit};

/// A figure of an offering. The names are those of plan files (`PLAN_FORMAT.md`)
/// where the plan has the field. Declared in display order ([`Field::ALL`]),
/// which `catalog show` sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    InputPerMtok,
    CachedInputPerMtok,
    OutputPerMtok,
    BatchInputPerMtok,
    BatchOutputPerMtok,
    /// The price tier (`MODEL.md` §3.8, per-request prices): a request whose
    /// prompt (cached tokens included) has more than this many tokens pays
    /// the tier's prices on all its tokens, as LiteLLM's
    /// `*_above_200k_tokens` keys price them. Tokens, a whole number.
    TierAboveTokens,
    /// Input price above the tier's threshold, USD per 1M tokens; absent, the
    /// list input price.
    TierInputPerMtok,
    /// Cached-input price above the threshold, USD per 1M tokens; absent, the
    /// cached price, else the tier's input price.
    TierCachedInputPerMtok,
    /// Output price above the threshold, USD per 1M tokens; absent, the list
    /// output price.
    TierOutputPerMtok,
    ContextWindow,
    Quality,
    Availability,
    MttrMinutes,
    ErrorRate,
    ErrorLatencyMs,
    Outage,
    TtftP50Ms,
    TtftP95Ms,
    TokensPerS,
    RpmLimit,
    InputTpmLimit,
    OutputTpmLimit,
}

/// What values a field accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// USD per 1M tokens: finite, >= 0.
    Price,
    /// A whole number of tokens, >= 0.
    Tokens,
    /// Finite, >= 0.
    NonNegative,
    /// In 0..=1.
    Probability,
    /// Finite, > 0.
    Positive,
    /// `error` or `hang`.
    Outage,
}

impl Field {
    /// Every field, in display order.
    pub const ALL: [Field; 22] = [
        Field::InputPerMtok,
        Field::CachedInputPerMtok,
        Field::OutputPerMtok,
        Field::BatchInputPerMtok,
        Field::BatchOutputPerMtok,
        Field::TierAboveTokens,
        Field::TierInputPerMtok,
        Field::TierCachedInputPerMtok,
        Field::TierOutputPerMtok,
        Field::ContextWindow,
        Field::Quality,
        Field::Availability,
        Field::MttrMinutes,
        Field::ErrorRate,
        Field::ErrorLatencyMs,
        Field::Outage,
        Field::TtftP50Ms,
        Field::TtftP95Ms,
        Field::TokensPerS,
        Field::RpmLimit,
        Field::InputTpmLimit,
        Field::OutputTpmLimit,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::InputPerMtok => "input_per_mtok",
            Field::CachedInputPerMtok => "cached_input_per_mtok",
            Field::OutputPerMtok => "output_per_mtok",
            Field::BatchInputPerMtok => "batch_input_per_mtok",
            Field::BatchOutputPerMtok => "batch_output_per_mtok",
            Field::ContextWindow => "context_window",
            Field::Quality => "quality",
            Field::Availability => "availability",
            Field::MttrMinutes => "mttr_minutes",
            Field::ErrorRate => "error_rate",
            Field::ErrorLatencyMs => "error_latency_ms",
            Field::Outage => "outage",
            Field::TtftP50Ms => "ttft_p50_ms",
            Field::TtftP95Ms => "ttft_p95_ms",
            Field::TokensPerS => "tokens_per_s",
            Field::RpmLimit => "rpm_limit",
            Field::InputTpmLimit => "input_tpm_limit",
            Field::OutputTpmLimit => "output_tpm_limit",
            Field::TierAboveTokens => "tier_above_tokens",
            Field::TierInputPerMtok => "tier_input_per_mtok",
            Field::TierCachedInputPerMtok => "tier_cached_input_per_mtok",
            Field::TierOutputPerMtok => "tier_output_per_mtok",
        }
    }

    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }

    /// All names, comma-separated, for error messages.
    pub fn known_names() -> String {
        Field::ALL.map(Field::name).join(", ")
    }

    pub fn kind(self) -> Kind {
        match self {
            Field::InputPerMtok
            | Field::CachedInputPerMtok
            | Field::OutputPerMtok
            | Field::BatchInputPerMtok
            | Field::BatchOutputPerMtok
            | Field::TierInputPerMtok
            | Field::TierCachedInputPerMtok
            | Field::TierOutputPerMtok => Kind::Price,
            Field::ContextWindow | Field::TierAboveTokens => Kind::Tokens,
            Field::Quality | Field::ErrorLatencyMs => Kind::NonNegative,
            Field::Availability | Field::ErrorRate => Kind::Probability,
            Field::MttrMinutes
            | Field::TtftP50Ms
            | Field::TtftP95Ms
            | Field::TokensPerS
            | Field::RpmLimit
            | Field::InputTpmLimit
            | Field::OutputTpmLimit => Kind::Positive,
            Field::Outage => Kind::Outage,
        }
    }

    /// Checks `value` against the field's rule; the reason when it fails.
    pub fn check(self, value: &Value) -> Result<(), String> {
        match (self.kind(), value) {
            (Kind::Outage, Value::Text(t)) if t == "error" || t == "hang" => Ok(()),
            (Kind::Outage, other) => Err(format!("{other} is not `error` or `hang`")),
            (_, Value::Text(t)) => Err(format!(
                "expected a number, found the text `{}`",
                super::error::quote(t)
            )),
            (kind, Value::Number(x)) => {
                check_number(kind, *x)?;
                self.limit().map_or(Ok(()), |limit| limit.check(*x))
            }
        }
    }

    /// The range of the field's values ([`crate::limits`]), the same as the
    /// plan field's of the same name; `None` for `outage`.
    pub fn limit(self) -> Option<&'static Limit> {
        Some(match self {
            Field::InputPerMtok
            | Field::CachedInputPerMtok
            | Field::OutputPerMtok
            | Field::BatchInputPerMtok
            | Field::BatchOutputPerMtok
            | Field::TierInputPerMtok
            | Field::TierCachedInputPerMtok
            | Field::TierOutputPerMtok => &limits::PRICE_PER_MTOK,
            Field::ContextWindow => &limits::CATALOG_CONTEXT_WINDOW,
            Field::TierAboveTokens => &limits::TIER_ABOVE_TOKENS,
            Field::Quality => &limits::CATALOG_QUALITY,
            Field::Availability => &limits::AVAILABILITY,
            Field::MttrMinutes => &limits::MTTR_MINUTES,
            Field::ErrorRate => &limits::ERROR_RATE,
            Field::ErrorLatencyMs => &limits::ERROR_LATENCY_MS,
            Field::TtftP50Ms => &limits::TTFT_P50_MS,
            Field::TtftP95Ms => &limits::TTFT_P95_MS,
            Field::TokensPerS => &limits::TOKENS_PER_S,
            Field::RpmLimit => &limits::RPM_LIMIT,
            Field::InputTpmLimit | Field::OutputTpmLimit => &limits::TPM_LIMIT,
            Field::Outage => return None,
        })
    }

    /// Parses and checks the text form of a value (`catalog set`, CSV cells).
    pub fn parse(self, text: &str) -> Result<Value, String> {
        let text = text.trim();
        let value = if self.kind() == Kind::Outage {
            Value::Text(text.to_owned())
        } else {
            let x: f64 = text
                .parse()
                .map_err(|_| format!("`{}` is not a number", super::error::quote(text)))?;
            Value::Number(x)
        };
        self.check(&value)?;
        Ok(value)
    }
}

fn check_number(kind: Kind, x: f64) -> Result<(), String> {
    if !x.is_finite() {
        return Err(format!("{x} is not a finite number"));
    }
    match kind {
        Kind::Price if x < 0.0 => Err(format!("{x} is a negative price")),
        Kind::Tokens if x < 0.0 || x.fract() != 0.0 || x > 1e12 => {
            Err(format!("{x} is not a whole number of tokens"))
        }
        Kind::NonNegative if x < 0.0 => Err(format!("{x} must not be negative")),
        Kind::Probability if !(0.0..=1.0).contains(&x) => {
            Err(format!("{x} is not a probability (must be in 0..1)"))
        }
        Kind::Positive if x <= 0.0 => Err(format!("{x} must be positive")),
        _ => Ok(()),
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The value of a figure: a number, or text for `outage`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(f64),
    Text(String),
}

impl Value {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(x) => Some(*x),
            Value::Text(_) => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Number(x) => write!(f, "{x}"),
            Value::Text(t) => write!(f, "`{}`", super::error::quote(t)),
        }
    }
}

/// Numbers as JSON numbers (whole numbers without a fraction, so a context
/// window reads `128000`), text as strings.
impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Number(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => {
                // Exact: |x| < 2^53 and whole.
                s.serialize_i64(*x as i64)
            }
            Value::Number(x) => s.serialize_f64(*x),
            Value::Text(t) => s.serialize_str(t),
        }
    }
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Number(x) => ToSqlOutput::from(*x),
            Value::Text(t) => ToSqlOutput::from(t.as_str()),
        })
    }
}

impl FromSql for Value {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value {
            ValueRef::Real(x) => Ok(Value::Number(x)),
            ValueRef::Integer(i) => Ok(Value::Number(i as f64)),
            ValueRef::Text(t) => std::str::from_utf8(t)
                .map(|t| Value::Text(t.to_owned()))
                .map_err(|e| FromSqlError::Other(Box::new(e))),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

/// USD per token to USD per 1M tokens, rounded to 9 decimals to remove the
/// float noise of the multiplication (`8e-7 * 1e6` is `0.7999999999999999`), so
/// that re-importing a price compares equal and the default catalog's figures
/// (converted the same way) match the LiteLLM map exactly.
pub fn per_token_to_per_mtok(per_token: f64) -> f64 {
    let per_mtok = per_token * 1e6;
    let scaled = per_mtok * 1e9;
    if scaled.abs() < 9.0e15 {
        scaled.round() / 1e9
    } else {
        per_mtok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_in_declaration_order() {
        // `catalog show` sorts figures by `Field`'s order and documents them
        // in `ALL`'s: the two must be one.
        assert!(Field::ALL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn names_round_trip() {
        for f in Field::ALL {
            assert_eq!(Field::from_name(f.name()), Some(f));
        }
        assert_eq!(Field::from_name("nope"), None);
    }

    #[test]
    fn values_are_checked() {
        assert!(Field::InputPerMtok.parse("-1").is_err());
        assert!(Field::InputPerMtok.parse("NaN").is_err());
        assert!(Field::InputPerMtok.parse("inf").is_err());
        assert!(Field::InputPerMtok.parse("abc").is_err());
        assert_eq!(Field::InputPerMtok.parse(" 2.5 "), Ok(Value::Number(2.5)));
        assert!(Field::Availability.parse("1.5").is_err());
        assert!(Field::TtftP50Ms.parse("0").is_err());
        assert!(Field::ContextWindow.parse("1.5").is_err());
        assert_eq!(
            Field::Outage.parse("hang"),
            Ok(Value::Text("hang".to_owned()))
        );
        assert!(Field::Outage.parse("sometimes").is_err());
        // The plan's ranges: an MTTR under a second is refused, with the range.
        assert_eq!(
            Field::MttrMinutes.parse("1e-9"),
            Err("1e-9 is out of range: must be at least 0.0166667 (1 second) and at most 525,600 (1 year)".to_owned())
        );
        assert!(Field::InputPerMtok.parse("1e308").is_err());
        assert!(Field::TokensPerS.parse("0.001").is_err());
        assert!(Field::Availability.check(&Value::Text("x".into())).is_err());
    }

    #[test]
    fn per_token_prices_convert_without_noise() {
        assert_eq!(8e-7 * 1e6, 0.7999999999999999);
        assert_eq!(per_token_to_per_mtok(8e-7), 0.8);
        assert_eq!(per_token_to_per_mtok(2e-7), 0.2);
        assert_eq!(per_token_to_per_mtok(2.5e-6), 2.5);
        assert_eq!(per_token_to_per_mtok(1.32e-6), 1.32);
        assert_eq!(per_token_to_per_mtok(0.0), 0.0);
        assert_eq!(per_token_to_per_mtok(3.75e-7), 0.375);
    }

    #[test]
    fn whole_numbers_serialize_without_a_fraction() {
        let json = serde_json::to_string(&vec![
            Value::Number(128000.0),
            Value::Number(2.5),
            Value::Text("hang".into()),
        ])
        .unwrap_or_default();
        assert_eq!(json, r#"[128000,2.5,"hang"]"#);
    }
}
