use std::path::PathBuf;

use super::*;

const BEGIN: &str =
    "<!-- ranges:begin (generated from switchyard::limits; a test keeps it current) -->";
const END: &str = "<!-- ranges:end -->";

#[test]
fn numbers_read_short() {
    assert_eq!(show(1.0 / 60.0), "0.0166667");
    assert_eq!(show(525_600.0), "525,600");
    assert_eq!(show(1e15), "1e15");
    assert_eq!(show(268_435_456.0), "268,435,456");
    assert_eq!(show(1e8), "1e8");
    assert_eq!(show(0.0), "0");
    assert_eq!(show(0.05), "0.05");
    assert_eq!(show(-0.5), "-0.5");
    assert_eq!(show(4_194_304.0), "4,194,304");
}

#[test]
fn out_of_range_values_are_refused_with_the_range() {
    assert_eq!(
        MTTR_MINUTES.check(1e-10),
        Err(
            "1e-10 is out of range: must be at least 0.0166667 (1 second) and at most 525,600 (1 year)"
                .to_owned()
        )
    );
    assert!(MTTR_MINUTES.check(1.0 / 60.0).is_ok());
    assert!(MTTR_MINUTES.check(30.0).is_ok());
    assert!(REQUESTS_PER_MONTH.check(1e15).is_ok());
    assert!(
        REQUESTS_PER_MONTH
            .check(1e20)
            .is_err_and(|e| e.contains("at most 1e15"))
    );
    assert!(PRICE_PER_MTOK.check(1e308).is_err());
    assert!(
        PROBE_SECONDS
            .check(0.0)
            .is_err_and(|e| e.contains("greater than 0"))
    );
}

#[test]
fn non_finite_values_are_refused_everywhere() {
    for limit in ALL {
        for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let reason = limit.check(x).expect_err("refused");
            assert!(
                reason.contains("not a finite number"),
                "{}: {reason}",
                limit.field
            );
        }
    }
}

#[test]
fn every_range_is_well_formed() {
    for l in ALL {
        assert!(
            l.min.value.is_finite() && l.max.value.is_finite(),
            "{}",
            l.field
        );
        assert!(l.min.value < l.max.value, "{}", l.field);
        assert!(!l.why.is_empty() && !l.field.is_empty(), "{}", l.field);
    }
}

#[test]
fn flags_parse_within_their_range() {
    assert_eq!(SIM_SAMPLES.parse_u64("1000"), Ok(1000));
    assert!(
        SIM_SAMPLES
            .parse_u64("0")
            .is_err_and(|e| e.contains("at least 1 and at most 1e9"))
    );
    assert!(SIM_SAMPLES.parse_u64("2000000000").is_err());
    assert!(
        SIM_SAMPLES
            .parse_u64("many")
            .is_err_and(|e| e.contains("not a whole number"))
    );
    assert_eq!(SEED.parse_u64("18446744073709551615"), Ok(u64::MAX));
    assert_eq!(PROBE_OUTPUT_TOKENS.parse_u32("16"), Ok(16));
    assert_eq!(PROBE_SECONDS.parse_f64("0.5"), Ok(0.5));
    assert!(PROBE_SECONDS.parse_f64("NaN").is_err());
    assert!(
        PROBE_SECONDS
            .parse_f64("\u{1b}[31m")
            .is_err_and(|e| !e.contains('\u{1b}'))
    );
}

#[test]
fn names_with_control_characters_or_bidi_overrides_are_refused() {
    assert!(check_text("café-路由", &NAME_CHARS).is_ok());
    let esc = check_text("a\u{1b}[31m", &NAME_CHARS).expect_err("ESC");
    assert!(esc.contains("U+001B at character 2"), "{esc}");
    assert!(!esc.contains('\u{1b}'));
    for c in [
        '\u{0}', '\n', '\u{7f}', '\u{9b}', '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}',
    ] {
        assert!(check_text(&format!("x{c}"), &NAME_CHARS).is_err(), "{c:?}");
    }
    assert!(check_text(&"é".repeat(256), &NAME_CHARS).is_ok());
    assert!(
        check_text(&"é".repeat(257), &NAME_CHARS)
            .is_err_and(|e| e == "is 257 characters long; at most 256 are allowed")
    );
    assert_eq!(escape("a\u{1b}[31m\u{202E}b"), "a\\u{1b}[31m\\u{202e}b");
}

fn plan_format_doc() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/PLAN_FORMAT.md")
}

/// `docs/PLAN_FORMAT.md` shows the table of [`ALL`] between its two markers.
/// `UPDATE_DOCS=1 cargo test -p switchyard ranges_doc_is_current` rewrites it.
#[test]
fn ranges_doc_is_current() {
    let path = plan_format_doc();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: docs/PLAN_FORMAT.md must list every range of switchyard::limits \
             between the lines\n{BEGIN}\n{END}\nthen `UPDATE_DOCS=1 cargo test -p switchyard \
             ranges_doc_is_current` fills them in",
            path.display()
        )
    });
    let table = markdown_table();
    let (Some(start), Some(end)) = (text.find(BEGIN), text.find(END)) else {
        panic!(
            "{}: the markers are missing: put the lines\n{BEGIN}\n{END}\nwhere the ranges \
             belong, then run `UPDATE_DOCS=1 cargo test -p switchyard ranges_doc_is_current`",
            path.display()
        );
    };
    let inside = start + BEGIN.len();
    assert!(
        inside <= end,
        "{}: {END} comes before {BEGIN}",
        path.display()
    );
    if text[inside..end].trim() == table.trim() {
        return;
    }
    if std::env::var_os("UPDATE_DOCS").is_some_and(|v| v == "1") {
        let updated = format!("{}\n\n{table}\n{}", &text[..inside], &text[end..]);
        std::fs::write(&path, updated).expect("rewrite docs/PLAN_FORMAT.md");
        return;
    }
    panic!(
        "{}: the ranges table is stale; run `UPDATE_DOCS=1 cargo test -p switchyard \
         ranges_doc_is_current` to rewrite it. It should read:\n{table}",
        path.display()
    );
}
