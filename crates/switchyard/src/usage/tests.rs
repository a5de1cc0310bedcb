//! The read pass over each format and every hostile input: what is kept, and
//! that each bad line names its file, line, field and reason.

use std::ops::ControlFlow;

use super::error::Reason;
use super::field::{ColumnMap, Field};
use super::read::{ReadOptions, UsageRead, read};
use super::{UsageError, UsageFormat};

/// The columns of LiteLLM 1.106.2's `LiteLLM_SpendLogs`, in schema.prisma's
/// order, as `\copy ... CSV HEADER` writes them.
pub const SPEND_HEADER: &str = "request_id,call_type,api_key,spend,total_tokens,prompt_tokens,completion_tokens,startTime,endTime,request_duration_ms,completionStartTime,model,model_id,model_group,custom_llm_provider,api_base,user,metadata,cache_hit,cache_key,request_tags,team_id,organization_id,end_user,requester_ip_address,messages,response,session_id,status,mcp_namespaced_tool_name,billing_agent_id,agent_id,proxy_server_request,litellm_call_id,created_at,updated_at";

/// One spend-log row with these values, the rest as LiteLLM leaves them.
pub fn spend_row(
    start: &str,
    model: &str,
    prompt: &str,
    completion: &str,
    spend: &str,
    metadata: &str,
    status: &str,
) -> String {
    format!(
        "req-1,acompletion,88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b,{spend},0,{prompt},{completion},{start},{start},1234,,{model},mid,{model},openai,https://api.openai.com/v1,,\"{metadata}\",False,,[],,,,,{{}},{{}},,{status},,,,{{}},,{start},{start}"
    )
}

fn options(format: UsageFormat) -> ReadOptions {
    ReadOptions {
        format,
        map: Vec::new(),
        skip_bad: false,
    }
}

fn run(text: &[u8], options: &ReadOptions) -> Result<UsageRead, UsageError> {
    read(text, "log", text.len() as u64, options, &mut |_, _| {
        ControlFlow::Continue(())
    })
}

fn err(text: &[u8], format: UsageFormat) -> String {
    match run(text, &options(format)) {
        Ok(r) => panic!("read {} records of a bad file", r.records),
        Err(e) => e.to_string(),
    }
}

const META: &str = r#"{""additional_usage_values"": {""prompt_tokens_details"": {""cached_tokens"": 300}}, ""user_api_key"": ""x""}"#;

fn spend_log() -> String {
    [
        SPEND_HEADER.to_owned(),
        spend_row(
            "2026-11-03 14:05:07.123",
            "gpt-4o",
            "1200",
            "350",
            "0.0065",
            META,
            "success",
        ),
        spend_row(
            "2026-11-03 14:59:59",
            "gpt-4o",
            "0",
            "0",
            "",
            "{}",
            "failure",
        ),
        spend_row(
            "2026-11-03 15:00:00",
            "claude-sonnet",
            "250000",
            "10",
            "1.2e-05",
            "{}",
            "success",
        ),
    ]
    .join("\n")
        + "\n"
}

#[test]
fn a_litellm_spend_export_is_read_by_column_name() {
    let r = run(spend_log().as_bytes(), &options(UsageFormat::LitellmSpend)).expect("reads");
    assert_eq!((r.lines, r.records), (4, 3));
    let cells = r.aggregates.cells();
    assert_eq!(cells.len(), 2);
    let (model, hour, c) = cells[1];
    assert_eq!(
        (model, super::time::hour_label(hour).as_str()),
        ("gpt-4o", "2026-11-03T14:00:00Z")
    );
    assert_eq!((c.requests, c.successes, c.failures), (2, 1, 1));
    assert_eq!(
        (
            c.input_tokens,
            c.output_tokens,
            c.cached_tokens,
            c.cached_known
        ),
        (1200, 350, 300, 1)
    );
    assert_eq!((c.spend_usd, c.spend_known), (0.0065, 1));
    let hist = r.aggregates.histograms();
    let (name, h) = hist[0];
    assert_eq!(name, "claude-sonnet");
    assert_eq!(h.input_tokens.counts[super::bins::bin(250_000)], 1);
    assert_eq!(h.latency_ms.counts[super::bins::bin(1234)], 1);
    let routes = r.aggregates.routes();
    assert_eq!(
        routes[0].1.api_base.as_deref(),
        Some("https://api.openai.com/v1")
    );
}

#[test]
fn cached_tokens_follow_litellms_order_of_places() {
    let with = |meta: &str| {
        let text = format!(
            "{SPEND_HEADER}\n{}\n",
            spend_row("2026-11-03 14:05:07", "m", "10", "1", "0", meta, "success")
        );
        let r = run(text.as_bytes(), &options(UsageFormat::LitellmSpend)).expect("reads");
        let c = r.aggregates.cells()[0].2.clone();
        (c.cached_tokens, c.cached_known)
    };
    let both = r#"{""additional_usage_values"": {""cache_read_input_tokens"": 7, ""prompt_tokens_details"": {""cached_tokens"": 9}}}"#;
    assert_eq!(with(both), (7, 1));
    let usage_object = r#"{""usage_object"": {""prompt_tokens_details"": {""cached_tokens"": 4}}}"#;
    assert_eq!(with(usage_object), (4, 1));
    let none_cached = r#"{""additional_usage_values"": {}}"#;
    assert_eq!(with(none_cached), (0, 1));
    // No usage figures at all: unknown, not 0.
    assert_eq!(with("{}"), (0, 0));
}

#[test]
fn a_header_without_the_required_columns_is_refused() {
    let e = err(b"request_id,spend\nx,1\n", UsageFormat::LitellmSpend);
    assert!(
        e.contains("lacks startTime, model, prompt_tokens, completion_tokens"),
        "{e}"
    );
    assert!(e.starts_with("log: line 1: "), "{e}");
}

#[test]
fn each_bad_line_names_file_line_field_and_reason() {
    let bad = |row: String, want: &str| {
        let text = format!(
            "{SPEND_HEADER}\n{}\n{row}\n",
            spend_row("2026-11-03 14:05:07", "m", "1", "1", "0", "{}", "success")
        );
        let e = err(text.as_bytes(), UsageFormat::LitellmSpend);
        assert!(e.starts_with("log:3: "), "{e}");
        assert!(e.contains(want), "{want} in {e}");
    };
    bad(
        spend_row("2026-11-03 14:05:07", "m", "-5", "1", "0", "{}", "success"),
        "prompt_tokens: `-5` is negative [negative]",
    );
    bad(
        spend_row("2026-11-03 14:05:07", "m", "abc", "1", "0", "{}", "success"),
        "prompt_tokens: `abc` is not a number [wrong-type]",
    );
    bad(
        spend_row("2026-11-03 14:05:07", "m", "1", "2.5", "0", "{}", "success"),
        "completion_tokens: `2.5` is not a whole number [not-whole]",
    );
    bad(
        spend_row("yesterday", "m", "1", "1", "0", "{}", "success"),
        "startTime: `yesterday` is not a time",
    );
    bad(
        spend_row(
            "2026-11-03 14:05:07",
            "m",
            "1",
            "1",
            "-0.1",
            "{}",
            "success",
        ),
        "spend: `-0.1` is negative",
    );
    bad(
        spend_row("2026-11-03 14:05:07", "m", "1", "1", "0", "{}", "maybe"),
        "status: `maybe` is not success or failure",
    );
    bad(
        spend_row("2026-11-03 14:05:07", "", "1", "1", "0", "{}", "success"),
        "model: empty, and so is model_group [missing]",
    );
    bad(
        "x,y".to_owned(),
        "(line): 2 fields, the header has 36 [malformed]",
    );
    bad(
        spend_row(
            "2026-11-03 14:05:07",
            "m",
            "1",
            "1",
            "0",
            "{not json",
            "success",
        ),
        "metadata: not the JSON object LiteLLM writes",
    );
}

#[test]
fn hostile_bytes_are_refused_by_reason() {
    let reason = |text: &[u8], format: UsageFormat| -> Reason {
        match run(text, &options(format)) {
            Err(UsageError::Line { reason, .. }) => reason,
            other => panic!("{other:?}"),
        }
    };
    let good =
        r#"{"start_time":"2026-11-03T14:05:07Z","model":"m","input_tokens":1,"output_tokens":2}"#;
    assert_eq!(
        reason(
            format!("{good}\n\u{0}\u{1}\u{2}\n").as_bytes(),
            UsageFormat::Jsonl
        ),
        Reason::Binary
    );
    assert_eq!(
        reason(
            &[good.as_bytes(), b"\n\xff\xfe{}\n"].concat(),
            UsageFormat::Jsonl
        ),
        Reason::NotUtf8
    );
    assert_eq!(
        reason(
            format!("{good}\n{}", &good[..30]).as_bytes(),
            UsageFormat::Jsonl
        ),
        Reason::Truncated
    );
    let long = format!("{good}\n{}\n", "x".repeat(10 * 1024 * 1024));
    assert_eq!(
        reason(long.as_bytes(), UsageFormat::Jsonl),
        Reason::LineTooLong
    );
    let cut = format!(
        "{SPEND_HEADER}\n{}",
        &spend_row("2026-11-03 14:05:07", "m", "1", "1", "0", "{}", "success")[..150]
    );
    assert_eq!(
        reason(cut.as_bytes(), UsageFormat::LitellmSpend),
        Reason::Truncated
    );
    let open = format!(
        "{SPEND_HEADER}\n{}\nreq-2,\"open",
        spend_row("2026-11-03 14:05:07", "m", "1", "1", "0", "{}", "success")
    );
    assert_eq!(
        reason(open.as_bytes(), UsageFormat::LitellmSpend),
        Reason::Truncated
    );
}

#[test]
fn skip_bad_counts_by_reason_and_keeps_the_good_lines() {
    let good =
        r#"{"start_time":"2026-11-03T14:05:07Z","model":"m","input_tokens":1,"output_tokens":2}"#;
    let text = [
        good,
        r#"{"start_time":"2026-11-03T14:05:07Z","model":"m","input_tokens":-1,"output_tokens":2}"#,
        r#"{"start_time":"2026-11-03T14:05:07Z","model":"m","input_tokens":"1","output_tokens":2}"#,
        r#"{"start_time":"2026-11-03T14:05:07Z","model":"m","input_tokens":-3,"output_tokens":2}"#,
        "",
        "not json",
        good,
    ]
    .join("\n");
    let mut o = options(UsageFormat::Jsonl);
    o.skip_bad = true;
    let r = run(text.as_bytes(), &o).expect("reads");
    assert_eq!(r.records, 2);
    let counts: Vec<(Reason, u64)> = r.skipped.iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(
        counts,
        vec![
            (Reason::WrongType, 1),
            (Reason::Negative, 2),
            (Reason::Malformed, 1)
        ]
    );
    assert!(
        r.examples[0].starts_with("log:2: input_tokens: negative: -1"),
        "{:?}",
        r.examples
    );
    assert!(
        r.examples[1].starts_with("log:3: input_tokens: invalid type"),
        "{:?}",
        r.examples
    );
}

#[test]
fn a_file_with_no_good_line_is_refused_even_when_skipping() {
    let mut o = options(UsageFormat::Jsonl);
    o.skip_bad = true;
    let e = run(b"\x00\x01binary\n\xff\n", &o)
        .expect_err("refused")
        .to_string();
    assert_eq!(
        e,
        "log: no usable record in it: 2 lines skipped (1 not-utf8, 1 binary)"
    );
}

#[test]
fn jsonl_reads_times_as_text_or_epoch_seconds() {
    let text = concat!(
        r#"{"start_time":1793714707,"model":"m","input_tokens":3,"output_tokens":4,"cached_tokens":1,"status":200,"latency_ms":812.5,"spend_usd":0.25,"prompt":"never read"}"#,
        "\n",
        r#"{"start_time":"2026-11-03T15:00:00+01:00","end_time":"2026-11-03T15:00:02+01:00","model":"m","input_tokens":3,"output_tokens":4,"status":"error"}"#,
        "\n"
    );
    let r = run(text.as_bytes(), &options(UsageFormat::Jsonl)).expect("reads");
    let cells = r.aggregates.cells();
    assert_eq!(cells.len(), 1);
    let c = cells[0].2;
    assert_eq!(
        (c.requests, c.successes, c.failures, c.cached_known),
        (2, 1, 1, 1)
    );
    let (_, h) = r.aggregates.histograms()[0];
    assert_eq!(h.latency_ms.counts[super::bins::bin(812)], 1);
    assert_eq!(h.latency_ms.counts[super::bins::bin(2000)], 1);
}

#[test]
fn csv_columns_map_onto_fields() {
    let text =
        "when,engine,prompt_tokens,completion_tokens,ok\n2026-11-03T14:05:07Z,m,10,20,true\n";
    let mut o = options(UsageFormat::Csv);
    let e = run(text.as_bytes(), &o).expect_err("unmapped").to_string();
    assert!(
        e.contains("no column for start_time, model, input_tokens, output_tokens"),
        "{e}"
    );
    o.map = [
        "when=start_time",
        "engine=model",
        "prompt_tokens=input_tokens",
        "completion_tokens=output_tokens",
        "ok=status",
    ]
    .iter()
    .map(|m| ColumnMap::parse(m).expect("map"))
    .collect();
    let r = run(text.as_bytes(), &o).expect("reads");
    assert_eq!(r.aggregates.cells()[0].2.input_tokens, 10);
    assert_eq!(r.aggregates.cells()[0].2.successes, 1);
    o.map.push(ColumnMap {
        column: "nope".into(),
        field: Field::Status,
    });
    let e = run(text.as_bytes(), &o)
        .expect_err("unknown column")
        .to_string();
    assert!(e.contains("the header has no column `nope`"), "{e}");
    assert!(ColumnMap::parse("a=bogus").is_err());
    assert!(ColumnMap::parse("nothing").is_err());
}

#[test]
fn a_bad_mapped_value_names_its_column() {
    let text = "when,model,input_tokens,output_tokens\n2026-11-03T14:05:07Z,m,x,1\n";
    let mut o = options(UsageFormat::Csv);
    o.map = vec![ColumnMap::parse("when=start_time").expect("map")];
    let e = run(text.as_bytes(), &o).expect_err("bad").to_string();
    assert!(
        e.starts_with("log:2: input_tokens: `x` is not a number"),
        "{e}"
    );
    let text = "when,model,input_tokens,output_tokens\nnever,m,1,1\n";
    let e = run(text.as_bytes(), &o).expect_err("bad").to_string();
    assert!(e.starts_with("log:2: when: `never` is not a time"), "{e}");
}

const OPENAI_PAGE: &str = r#"{"object":"page","data":[{"object":"bucket","start_time":1793664000,"end_time":1793750400,"results":[{"object":"organization.usage.completions.result","input_tokens":5000,"output_tokens":900,"input_cached_tokens":1200,"input_audio_tokens":0,"output_audio_tokens":0,"num_model_requests":12,"project_id":null,"user_id":null,"api_key_id":null,"model":"gpt-4o-2024-08-06","batch":null}]}],"has_more":false,"next_page":null}"#;

#[test]
fn openai_buckets_count_requests_but_never_fill_histograms() {
    let bucket = r#"{"object":"bucket","start_time":1793750400,"end_time":1793836800,"results":[{"object":"organization.usage.completions.result","input_tokens":10,"output_tokens":1,"num_model_requests":2,"model":null}]}"#;
    let text = format!("{OPENAI_PAGE}\n{bucket}\n");
    let r = run(text.as_bytes(), &options(UsageFormat::OpenaiUsage)).expect("reads");
    assert_eq!(r.records, 2);
    assert_eq!(r.aggregates.requests, 14);
    assert_eq!(r.aggregates.resolution_s, 86_400);
    let cells = r.aggregates.cells();
    let (model, _, c) = cells[1];
    assert_eq!(model, "gpt-4o-2024-08-06");
    assert_eq!(
        (
            c.requests,
            c.unknown_status,
            c.input_tokens,
            c.cached_tokens
        ),
        (12, 12, 5000, 1200)
    );
    assert_eq!(cells[0].0, super::openai::UNGROUPED_MODEL);
    for (_, h) in r.aggregates.histograms() {
        assert!(h.input_tokens.counts.iter().all(|n| *n == 0));
    }
}

#[test]
fn openai_faults_name_their_path() {
    let bad = OPENAI_PAGE.replace("\"input_tokens\":5000", "\"input_tokens\":-5");
    let e = err(format!("{bad}\n").as_bytes(), UsageFormat::OpenaiUsage);
    assert!(
        e.starts_with("log:1: data[0].results[0].input_tokens: negative"),
        "{e}"
    );
    let e = err(b"{\n  \"object\": \"page\"\n}\n", UsageFormat::OpenaiUsage);
    assert!(e.contains("jq -c"), "{e}");
    let e = err(b"{\"object\":\"list\"}\n", UsageFormat::OpenaiUsage);
    assert!(
        e.contains("object: `list` is neither page nor bucket"),
        "{e}"
    );
}

#[test]
fn map_is_only_for_csv() {
    let mut o = options(UsageFormat::Jsonl);
    o.map = vec![ColumnMap::parse("a=model").expect("map")];
    assert!(
        run(b"{}", &o)
            .expect_err("refused")
            .to_string()
            .contains("--map is for --format csv")
    );
}

#[test]
fn the_progress_callback_can_cancel() {
    let row =
        r#"{"start_time":"2026-11-03T14:05:07Z","model":"m","input_tokens":1,"output_tokens":2}"#;
    let text = format!("{row}\n").repeat(10_000);
    let e = read(
        text.as_bytes(),
        "log",
        0,
        &options(UsageFormat::Jsonl),
        &mut |_, _| ControlFlow::Break(()),
    )
    .expect_err("cancelled");
    assert!(matches!(e, UsageError::Cancelled { .. }));
}

#[test]
fn the_read_records_the_files_size_and_hash() {
    let text = spend_log();
    let r = run(text.as_bytes(), &options(UsageFormat::LitellmSpend)).expect("reads");
    assert_eq!(r.size_bytes, text.len() as u64);
    assert_eq!(
        (r.size_bytes, r.sha256.clone()),
        super::lines::hash(text.as_bytes()).expect("hash")
    );
}

/// A log of many blocks and batches (`blocks`): the records reach the sink
/// in the file's order, so every sum is the one-line-at-a-time read's to
/// the bit, and the first bad line named is the first in the file.
#[test]
fn a_log_of_many_blocks_is_read_as_one_line_at_a_time_would_read_it() {
    use super::aggregate::Aggregates;
    use super::litellm_spend::LitellmSpend;
    use super::parse::{LineParser, Parsed};

    let mut text = Vec::new();
    super::synthetic::write_spend_log(&mut text, 12_000, 7).expect("writes");
    let batch = super::blocks::BLOCK_BYTES * super::blocks::BLOCKS_PER_THREAD;
    assert!(
        text.len() > 2 * batch,
        "{} bytes span several batches",
        text.len()
    );
    let whole = std::str::from_utf8(&text).expect("utf-8");

    // One line at a time, by hand.
    let mut parser = LitellmSpend::default();
    let mut lines = whole.lines();
    parser
        .header(lines.next().expect("header"))
        .expect("header reads");
    let mut reference = Aggregates::default();
    for line in lines {
        match parser.parse(line).expect("parses") {
            Parsed::One(r) => reference.add(&r).expect("adds"),
            Parsed::Many(rs) => rs.iter().for_each(|r| reference.add(r).expect("adds")),
        }
    }
    let read = run(&text, &options(UsageFormat::LitellmSpend)).expect("reads");
    let got = &read.aggregates;
    assert_eq!(read.records, 12_000);
    assert_eq!(got.requests, reference.requests);
    assert_eq!(got.cells(), reference.cells(), "sums equal to the bit");
    assert_eq!(got.histograms(), reference.histograms());
    assert_eq!(got.price_classes(), reference.price_classes());

    // A bad line deep in the log, in a later batch: it is the one named.
    let at = whole
        .lines()
        .take(9_001)
        .map(|l| l.len() + 1)
        .sum::<usize>();
    let mut bad = text.clone();
    let end = at + whole[at..].find('\n').expect("a line");
    bad.splice(at..end, b"not,a,spend,row".iter().copied());
    let err = run(&bad, &options(UsageFormat::LitellmSpend)).expect_err("refused");
    assert!(err.to_string().contains(":9002: "), "{err}");
    let mut skipping = options(UsageFormat::LitellmSpend);
    skipping.skip_bad = true;
    let read = run(&bad, &skipping).expect("reads the rest");
    assert_eq!((read.records, read.skipped_total()), (11_999, 1));
    assert!(read.examples[0].contains(":9002: "), "{}", read.examples[0]);
}
