use super::*;
use crate::catalog::fields::Value;
use crate::catalog::testkit::CSV_FIXTURE;

fn error_of(text: &str) -> String {
    match parse(text, "mine.csv") {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_documented_example_parses() {
    let batch = parse(CSV_FIXTURE, "mine.csv").expect("parses");
    assert_eq!(batch.entries, 2);
    assert_eq!(batch.records.len(), 2);
    let r = &batch.records[0];
    assert_eq!(r.id.as_deref(), Some("acme/fast-1"));
    assert_eq!(r.model, "fast-1");
    assert_eq!(r.groups.as_deref(), Some(&["aws-us-east-1".to_owned()][..]));
    assert!(
        r.figures
            .contains(&(Field::Outage, Value::Text("hang".into())))
    );
    assert!(
        r.figures
            .contains(&(Field::InputPerMtok, Value::Number(0.5)))
    );
    assert_eq!(r.effective_date.as_deref(), Some("2026-11-01"));
    assert_eq!(r.source.id, "csv:acme price page");
    let second = &batch.records[1];
    assert_eq!(second.source.id, "csv:mine.csv");
    assert!(
        !second
            .figures
            .iter()
            .any(|(f, _)| *f == Field::Availability),
        "an empty cell says nothing"
    );
}

#[test]
fn bad_rows_are_named() {
    let e = error_of("id,provider,input_per_mtok\na/b,a,-1\n");
    assert_eq!(
        e,
        "mine.csv: entry `line 2 (a/b)`: input_per_mtok: -1 is a negative price"
    );
    let e = error_of("id,provider,input_per_mtok\na/b,a,NaN\n");
    assert_eq!(
        e,
        "mine.csv: entry `line 2 (a/b)`: input_per_mtok: NaN is not a finite number"
    );
    let e = error_of("id,provider,availability\na/b,a,2\n");
    assert!(e.contains("availability: 2 is not a probability"), "{e}");
    let e = error_of("id,provider,price\n");
    assert!(e.starts_with("mine.csv: unknown column `price`"), "{e}");
    let e = error_of("id,model\n");
    assert_eq!(e, "mine.csv: the header row has no `provider` column");
    let e = error_of("id,provider\na,p\na,p\n");
    assert!(e.contains("`a` is listed twice"), "{e}");
    let e = error_of("id,provider,date\na,p,yesterday\n");
    assert!(
        e.contains("date: `yesterday` is not a calendar date written YYYY-MM-DD"),
        "{e}"
    );
    let e = error_of("id,provider\na,p,extra\n");
    assert!(e.starts_with("mine.csv: line 2:"), "{e}");
    let big = "z".repeat(10 * 1024 * 1024);
    let e = error_of(&format!("id,provider\n{big},p\n"));
    assert!(
        e.len() < 300 && e.contains("10485760 bytes"),
        "{}",
        &e[..e.len().min(300)]
    );
}
