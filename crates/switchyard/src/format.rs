//! How a figure reads: the one rule for percentages, nines, USD, durations and
//! counts. The CLI's report and the charts call these functions; the desktop UI
//! has the same rules in `ui/src/lib/format.ts`, and both are checked against
//! one table of cases ([`CASES_FILE`], written by this module's test), so 0.95
//! reads "95.00%" on every screen. `docs/PLAN_FORMAT.md` ("How figures read")
//! states the rules for users.

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

/// The fewest and the most decimals a percentage shows.
const PERCENT_DECIMALS: (usize, usize) = (2, 10);

/// The percentage of `p` with two significant digits of its failure part, so
/// the nines show: 0.999995 is "99.99950%", 0.95 is "95.00%", 0.9999 is
/// "99.990%". A probability under 1 never reads "100…%": the last digit is
/// cut, not rounded up, where rounding would reach 100.
pub fn percent(p: f64) -> String {
    if !p.is_finite() {
        return "n/a".to_owned();
    }
    let unavailability = 1.0 - p;
    let (fewest, most) = PERCENT_DECIMALS;
    let decimals = if unavailability <= 0.0 {
        fewest
    } else {
        // `- 1e-9`: 1 - 0.999 is 0.0010000000000000009, whose log is a hair
        // under 3; it must count as three nines, not four.
        let digits = (-unavailability.log10() - 1e-9).ceil() - 1.0;
        (digits.max(fewest as f64) as usize).min(most)
    };
    let text = format!("{:.*}%", decimals, p * 100.0);
    if p < 1.0 && text.starts_with("100") {
        let scale = 10f64.powi(decimals as i32);
        return format!("{:.*}%", decimals, (p * 100.0 * scale).floor() / scale);
    }
    text
}

/// A relative change in percent with its sign and one decimal: "+10.0%",
/// "-3.3%". The engine writes it into the text of a price change, which the
/// UI shows as it comes, so this rule has no copy in `format.ts`.
pub fn signed_percent(p: f64) -> String {
    if !p.is_finite() {
        return "n/a".to_owned();
    }
    // `+ 0.0` turns -0.0 into 0.0, so no change reads "+0.0%".
    format!("{:+.1}%", p + 0.0)
}

/// Nines as a person reads them: "4.52 nines"; `None` (a certain success) is
/// "certain". Availability 0 has "0.00 nines", never "-0.00".
pub fn nines(n: Option<f64>) -> String {
    match n {
        None => "certain".to_owned(),
        Some(n) if !n.is_finite() => "n/a".to_owned(),
        Some(n) => format!("{:.2} nines", n + 0.0),
    }
}

/// USD: cents for amounts of a dollar or more (with thousands separators), four
/// significant digits below; the sign before the dollar sign.
pub fn usd(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_owned();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let v = x.abs();
    if v >= 1.0 {
        let cents = format!("{v:.2}");
        let (whole, fraction) = cents.split_once('.').unwrap_or((&cents, "00"));
        return format!("{sign}${}.{fraction}", thousands(whole));
    }
    if v == 0.0 {
        return "$0".to_owned();
    }
    let decimals = ((-v.log10()).ceil() as usize + 3).min(12);
    format!("{sign}${v:.decimals$}")
}

/// Milliseconds as "640 ms", or as "5.60 s" from a second up (whole
/// milliseconds rounded half away from zero).
pub fn duration(ms: f64) -> String {
    if !ms.is_finite() {
        return "n/a".to_owned();
    }
    // Rounded first, so that 999.7 ms reads "1.00 s", not "1000 ms"; `+ 0.0`
    // turns a negative zero into "0 ms".
    let whole = ms.round() + 0.0;
    if whole.abs() >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        format!("{whole:.0} ms")
    }
}

/// The limit that binds, in its own unit and in requests a minute:
/// "rpm_limit of 1,000 requests a minute", "output_tpm_limit of 90,000
/// tokens a minute (257 requests of 350 output tokens)".
pub fn rate_limit(
    kind: crate::model::capacity::BindingLimit,
    quota: &crate::model::Quota,
    workload: &crate::model::Workload,
) -> String {
    use crate::model::capacity::BindingLimit;
    let tokens = |limit: Option<f64>, per_request: f64, side: &str| match limit {
        Some(l) => format!(
            "{} of {} tokens a minute ({} requests of {} {side} tokens)",
            kind.field(),
            count(l),
            count((l / per_request).floor()),
            count(per_request)
        ),
        None => kind.field().to_owned(),
    };
    match kind {
        BindingLimit::Rpm => format!(
            "rpm_limit of {} requests a minute",
            count(quota.rpm.unwrap_or(f64::NAN))
        ),
        BindingLimit::InputTpm => tokens(quota.input_tpm, workload.input_tokens, "input"),
        BindingLimit::OutputTpm => tokens(quota.output_tpm, workload.output_tokens, "output"),
    }
}

/// A whole number with thousands separators: "3,000,000" (rounded half away
/// from zero).
pub fn count(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_owned();
    }
    // `+ 0.0`: -0.25 rounds to a negative zero, which reads "0".
    thousands(&format!("{:.0}", x.round() + 0.0))
}

fn thousands(text: &str) -> String {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let mut out = String::from(sign);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The columns `text` takes in a terminal: by display width, so that "路由"
/// takes four and "é" one, whatever their bytes.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` padded with spaces to `columns` display columns (never cut). Unlike
/// `format!("{text:<columns$}")` it counts columns, not characters, and takes
/// any width (the formatter panics past 65,535).
pub fn pad_right(text: &str, columns: usize) -> String {
    let mut out = String::from(text);
    out.extend(std::iter::repeat_n(
        ' ',
        columns.saturating_sub(width(text)),
    ));
    out
}

/// `text` right-aligned in `columns` display columns.
pub fn pad_left(text: &str, columns: usize) -> String {
    let mut out: String = std::iter::repeat_n(' ', columns.saturating_sub(width(text))).collect();
    out.push_str(text);
    out
}

/// The table of cases both faces are checked against, from the repository root.
pub const CASES_FILE: &str = "ui/src/lib/format.cases.json";

/// One input and what each rule makes of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormatCase {
    pub x: f64,
    pub percent: String,
    pub nines: String,
    pub usd: String,
    pub duration: String,
    pub count: String,
}

/// The inputs of the case table: the edges of each rule (a dollar, a second,
/// three digits of a count, probabilities next to 1) and ordinary values. No
/// input sits exactly halfway between two roundings, where languages may
/// round differently.
pub const CASE_INPUTS: &[f64] = &[
    0.0,
    1.0,
    0.95,
    0.99,
    0.999,
    0.9999,
    0.999_12,
    0.999_969,
    0.999_995,
    0.999_999_999_999_9,
    0.123_456,
    0.5,
    0.012_345_6,
    0.000_089_1,
    -0.25,
    1.004,
    2.3,
    42.0,
    640.4,
    999.7,
    1_000.0,
    5_600.0,
    26_700.0,
    -1_500.0,
    1_234_567.891,
    3_000_000.0,
];

/// The case table: every input of [`CASE_INPUTS`] through every rule.
pub fn cases() -> Vec<FormatCase> {
    CASE_INPUTS
        .iter()
        .map(|&x| FormatCase {
            x,
            percent: percent(x),
            nines: nines(crate::model::evaluate::nines(1.0 - x)),
            usd: usd(x),
            duration: duration(x),
            count: count(x),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_show_their_nines() {
        for (x, want) in [
            (0.999_995, "99.99950%"),
            (0.95, "95.00%"),
            (0.99, "99.00%"),
            (0.999, "99.90%"),
            (0.9999, "99.990%"),
            (0.999_12, "99.912%"),
            (1.0, "100.00%"),
            (0.0, "0.00%"),
            (f64::NAN, "n/a"),
        ] {
            assert_eq!(percent(x), want, "{x}");
        }
    }

    #[test]
    fn a_probability_under_one_never_reads_one_hundred() {
        // Thirteen nines: ten decimals cannot show the failure part, and
        // rounding would say "100.0000000000%".
        assert_eq!(percent(0.999_999_999_999_9), "99.9999999999%");
        assert_eq!(percent(1.0 - 1e-15), "99.9999999999%");
    }

    #[test]
    fn relative_changes_carry_their_sign() {
        assert_eq!(signed_percent(10.0), "+10.0%");
        assert_eq!(signed_percent(-3.333), "-3.3%");
        assert_eq!(signed_percent(-0.0), "+0.0%");
        assert_eq!(signed_percent(f64::NAN), "n/a");
    }

    #[test]
    fn nines_read_as_words() {
        assert_eq!(nines(Some(4.5123)), "4.51 nines");
        assert_eq!(nines(Some(-0.0)), "0.00 nines");
        assert_eq!(nines(None), "certain");
    }

    #[test]
    fn dollars_suit_the_amount() {
        for (x, want) in [
            (26_700.0, "$26,700.00"),
            (1_234_567.891, "$1,234,567.89"),
            (0.0089, "$0.008900"),
            (0.012_345_6, "$0.01235"),
            (-0.25, "-$0.2500"),
            (-1_500.0, "-$1,500.00"),
            (0.0, "$0"),
            (f64::INFINITY, "n/a"),
        ] {
            assert_eq!(usd(x), want, "{x}");
        }
    }

    #[test]
    fn durations_and_counts() {
        assert_eq!(duration(640.4), "640 ms");
        assert_eq!(duration(5600.0), "5.60 s");
        assert_eq!(duration(-1500.0), "-1.50 s");
        assert_eq!(count(3_000_000.0), "3,000,000");
        assert_eq!(count(999.0), "999");
        assert_eq!(count(-500.0), "-500");
        assert_eq!(count(-1500.0), "-1,500");
        assert_eq!(count(f64::INFINITY), "n/a");
    }

    #[test]
    fn padding_counts_display_columns() {
        assert_eq!(pad_right("路由", 6), "路由  ");
        assert_eq!(pad_left("é", 3), "  é");
        assert_eq!(width("café-路由"), 9);
    }

    /// The UI's `format.test.ts` reads this table and checks `format.ts`
    /// against it; `UPDATE_DOCS=1 cargo test -p switchyard format` rewrites it.
    #[test]
    fn the_case_table_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(CASES_FILE);
        let mut text = serde_json::to_string_pretty(&cases()).expect("cases encode");
        text.push('\n');
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(&path, &text).expect("case table written");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "{CASES_FILE} is stale; run `UPDATE_DOCS=1 cargo test -p switchyard format` and commit"
        );
    }
}
