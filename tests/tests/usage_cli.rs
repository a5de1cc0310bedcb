//! `switchyard usage import|list` end to end: each format through the built
//! binary into a real catalog, `--map`, every hostile input refused with its
//! file, line, field and reason and the catalog left exactly as it was,
//! `--skip-bad` counts, a refused duplicate, and the memory bound on a log
//! larger than the bound.

use std::path::{Path, PathBuf};
use std::process::Output;

use switchyard::usage::synthetic::{SPEND_LOG_HEADER, write_spend_log, write_spend_log_bytes};
use switchyard_e2e::{dump, stderr, stdout, switchyard};

/// A temporary home with a catalog path in it.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp home"),
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("catalog.sqlite3")
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).expect("writes the log");
        path
    }

    /// `usage ARGS --db DB`.
    fn usage(&self, args: &[&str]) -> Output {
        switchyard(self.dir.path())
            .arg("usage")
            .args(args)
            .arg("--db")
            .arg(self.db())
            .output()
            .expect("runs switchyard")
    }

    /// `usage import FILE --format F ARGS --json`, which must succeed.
    fn import(&self, file: &Path, format: &str, args: &[&str]) -> serde_json::Value {
        let mut all = vec![
            "import",
            file.to_str().expect("utf-8"),
            "--format",
            format,
            "--json",
        ];
        all.extend_from_slice(args);
        let out = self.usage(&all);
        assert!(out.status.success(), "{all:?}: {}", stderr(&out));
        serde_json::from_str(&stdout(&out)).expect("JSON")
    }

    fn list(&self) -> serde_json::Value {
        let out = self.usage(&["list", "--json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_str(&stdout(&out)).expect("JSON")
    }
}

/// Requests per model in a report's or list's `models`.
fn requests(value: &serde_json::Value) -> Vec<(String, i64)> {
    value["models"]
        .as_array()
        .expect("models")
        .iter()
        .map(|m| {
            (
                m["model"].as_str().expect("model").to_owned(),
                m["requests"].as_i64().expect("requests"),
            )
        })
        .collect()
}

const META: &str =
    r#""{""additional_usage_values"": {""prompt_tokens_details"": {""cached_tokens"": 300}}}""#;

/// A LiteLLM spend-log row, every column of the 1.106.2 table.
fn spend_row(start: &str, model: &str, prompt: &str, completion: &str, status: &str) -> String {
    format!(
        "req-{start},acompletion,hash,0.0065,0,{prompt},{completion},{start},{start},812,,{model},mid,{model}-group,openai,https://api.openai.com/v1?key=secret,,{META},False,,[],,,,,{{}},{{}},,{status},,,,{{}},,{start},{start}"
    )
}

fn spend_log(rows: &[String]) -> Vec<u8> {
    format!("{SPEND_LOG_HEADER}\n{}\n", rows.join("\n")).into_bytes()
}

fn good_spend_log() -> Vec<u8> {
    spend_log(&[
        spend_row(
            "2026-11-03 14:05:07.123",
            "gpt-4o",
            "1200",
            "350",
            "success",
        ),
        spend_row("2026-11-03 14:59:59", "gpt-4o", "10", "0", "failure"),
        spend_row(
            "2026-11-03 16:00:00",
            "claude-sonnet-4-5",
            "250000",
            "10",
            "success",
        ),
    ])
}

#[test]
fn a_litellm_spend_export_is_stored_as_aggregates() {
    let home = Home::new();
    let log = home.write("spend.csv", &good_spend_log());
    let report = home.import(&log, "litellm-spend", &[]);
    let import = &report["import"];
    assert_eq!(import["format"], "litellm-spend");
    assert_eq!(import["file_name"], "spend.csv");
    assert_eq!(
        (import["lines"].as_i64(), import["records"].as_i64()),
        (Some(4), Some(3))
    );
    assert_eq!(import["first_start"], "2026-11-03T14:05:07.123Z");
    assert_eq!(import["last_start"], "2026-11-03T16:00:00.000Z");
    assert_eq!(import["resolution_s"], 0);
    assert_eq!(
        import["size_bytes"].as_u64(),
        Some(good_spend_log().len() as u64)
    );
    assert_eq!(
        requests(&report),
        vec![
            ("claude-sonnet-4-5".to_owned(), 1),
            ("gpt-4o".to_owned(), 2)
        ]
    );
    let gpt = &report["models"][1];
    assert_eq!(
        (gpt["successes"].as_i64(), gpt["failures"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        (gpt["input_tokens"].as_i64(), gpt["cached_tokens"].as_i64()),
        (Some(1210), Some(600))
    );

    // Only aggregates are stored: hours, histogram bins, routes without the
    // query string (a key can hide there).
    let rows = dump(&home.db());
    assert_eq!(rows["usage_hourly"].len(), 2, "{:?}", rows["usage_hourly"]);
    assert!(
        rows["usage_hourly"]
            .iter()
            .any(|r| r.contains("\"2026-11-03T14:00:00Z\""))
    );
    let routes = rows["usage_routes"].join("\n");
    assert!(routes.contains("\"https://api.openai.com/v1\""), "{routes}");
    assert!(
        !rows.values().flatten().any(|r| r.contains("secret")),
        "a query string was stored"
    );
    let bins = rows["usage_histograms"].join("\n");
    // 250,000 input tokens fall in bin 17, [200000, 500000).
    assert!(
        bins.contains("Text(\"claude-sonnet-4-5\")|Text(\"input_tokens\")|Integer(17)|Integer(1)"),
        "{bins}"
    );
    // The 812 ms request_duration_ms of each row, bin 9 ([500, 1000)).
    assert!(
        bins.contains("Text(\"gpt-4o\")|Text(\"latency_ms\")|Integer(9)|Integer(2)"),
        "{bins}"
    );
}

#[test]
fn every_format_imports_and_the_list_adds_them_up() {
    let home = Home::new();
    let spend = home.write("spend.csv", &good_spend_log());
    home.import(&spend, "litellm-spend", &[]);

    let jsonl = home.write(
        "usage.jsonl",
        concat!(
            r#"{"start_time":"2026-11-04T10:00:00Z","model":"gpt-4o","input_tokens":100,"output_tokens":20,"status":"success","latency_ms":900,"prompt":"never stored"}"#,
            "\n",
            r#"{"start_time":1793872800,"model":"mistral-large","input_tokens":5,"output_tokens":1,"status":500}"#,
            "\n"
        )
        .as_bytes(),
    );
    let report = home.import(&jsonl, "jsonl", &[]);
    assert_eq!(
        requests(&report),
        vec![("gpt-4o".to_owned(), 1), ("mistral-large".to_owned(), 1)]
    );
    assert_eq!(report["models"][1]["failures"], 1);

    let csv = home.write(
        "usage.csv",
        b"ts,engine,in,out,ok,prompt\n2026-11-05T09:30:00Z,gpt-4o,40,4,200,\"hello, world\"\n2026-11-05T09:31:00Z,gpt-4o,41,5,429,x\n",
    );
    let out = home.usage(&["import", csv.to_str().expect("utf-8"), "--format", "csv"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no column for start_time, model, input_tokens, output_tokens"),
        "{}",
        stderr(&out)
    );
    let report = home.import(
        &csv,
        "csv",
        &[
            "--map",
            "ts=start_time",
            "--map",
            "engine=model",
            "--map",
            "in=input_tokens",
            "--map",
            "out=output_tokens",
            "--map",
            "ok=status",
        ],
    );
    assert_eq!(requests(&report), vec![("gpt-4o".to_owned(), 2)]);
    assert_eq!(
        (
            report["models"][0]["failures"].as_i64(),
            report["models"][0]["input_tokens"].as_i64()
        ),
        (Some(1), Some(81))
    );

    let openai = home.write(
        "openai.jsonl",
        br#"{"object":"page","data":[{"object":"bucket","start_time":1793836800,"end_time":1793923200,"results":[{"object":"organization.usage.completions.result","input_tokens":5000,"output_tokens":900,"input_cached_tokens":1200,"input_audio_tokens":0,"output_audio_tokens":0,"num_model_requests":12,"project_id":null,"user_id":null,"api_key_id":null,"model":"gpt-4o-2024-08-06","batch":null}]}],"has_more":false,"next_page":null}
"#,
    );
    let report = home.import(&openai, "openai-usage", &[]);
    assert_eq!(report["import"]["resolution_s"], 86_400);
    assert_eq!(
        requests(&report),
        vec![("gpt-4o-2024-08-06".to_owned(), 12)]
    );
    assert_eq!(report["models"][0]["unknown_status"], 12);

    let list = home.list();
    let formats: Vec<&str> = list["imports"]
        .as_array()
        .expect("imports")
        .iter()
        .map(|i| i["format"].as_str().expect("format"))
        .collect();
    assert_eq!(formats, ["litellm-spend", "jsonl", "csv", "openai-usage"]);
    assert_eq!(list["first_start"], "2026-11-03T14:05:07.123Z");
    assert_eq!(list["last_start"], "2026-11-05T10:00:00.000Z");
    assert_eq!(
        requests(&list),
        vec![
            ("claude-sonnet-4-5".to_owned(), 1),
            ("gpt-4o".to_owned(), 5),
            ("gpt-4o-2024-08-06".to_owned(), 12),
            ("mistral-large".to_owned(), 1)
        ]
    );
    // The text form names the imports and the models.
    let out = home.usage(&["list"]);
    let text = stdout(&out);
    assert!(
        text.contains("openai.jsonl  openai-usage  12 requests"),
        "{text}"
    );
    assert!(text.contains("1-day buckets"), "{text}");
}

/// Hostile inputs: each refused with its place and reason, the catalog
/// exactly as before.
#[test]
fn hostile_logs_are_refused_and_leave_the_catalog_unchanged() {
    let home = Home::new();
    let good = home.write("good.csv", &good_spend_log());
    home.import(&good, "litellm-spend", &[]);
    let before = dump(&home.db());
    let row = |prompt: &str| spend_row("2026-11-03 14:05:07", "gpt-4o", prompt, "1", "success");
    let valid = row("5");
    let mut ten_mb_line = format!("{SPEND_LOG_HEADER}\n{valid}\n").into_bytes();
    ten_mb_line.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    ten_mb_line.extend_from_slice(format!("\n{valid}\n").as_bytes());
    let mut binary = format!("{SPEND_LOG_HEADER}\n{valid}\n").into_bytes();
    binary.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let mut not_utf8 = format!("{SPEND_LOG_HEADER}\n").into_bytes();
    not_utf8.extend_from_slice(row("5").replace("gpt-4o", "gpt-\u{f8}").as_bytes());
    not_utf8.extend_from_slice(b"\n");
    let bytes = not_utf8.iter().position(|b| *b == 0xC3).expect("the ø");
    not_utf8[bytes] = 0xF8; // a lone byte that starts no UTF-8 sequence
    let whole = spend_log(&[valid.clone(), valid.clone()]);
    let truncated_mid_row = whole[..whole.len() - 60].to_vec();
    let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        ("negative tokens", "litellm-spend", spend_log(&[valid.clone(), row("-12")]), "bad.log:3: prompt_tokens: `-12` is negative [negative]"),
        ("wrong type", "litellm-spend", spend_log(&[row("twelve")]), "bad.log:2: prompt_tokens: `twelve` is not a number [wrong-type]"),
        ("truncated last line", "litellm-spend", truncated_mid_row, "bad.log:3: (line): the last line has no newline and is incomplete"),
        ("open quote at the end", "litellm-spend", format!("{SPEND_LOG_HEADER}\n{valid}\nreq-9,\"{{cut").into_bytes(), "bad.log:3: (line): the file ends inside a quoted field: it looks cut off [truncated]"),
        ("10 MB line", "litellm-spend", ten_mb_line, "bad.log:3: (line): 10485761 bytes, more than the 4 MiB a line may have [line-too-long]"),
        ("binary data", "litellm-spend", binary, "bad.log:3: (line): "),
        ("invalid UTF-8", "litellm-spend", not_utf8, "bad.log:2: (line): not UTF-8 at byte"),
        ("json wrong type", "jsonl", br#"{"start_time":"2026-11-03T14:05:07Z","model":"m","input_tokens":"5","output_tokens":1}"#.to_vec(), "bad.log:1: input_tokens: invalid type: string \"5\""),
        ("json negative", "jsonl", b"{\"start_time\":\"2026-11-03T14:05:07Z\",\"model\":\"m\",\"input_tokens\":1,\"output_tokens\":-4}\n".to_vec(), "bad.log:1: output_tokens: negative: -4"),
        ("json cut off", "jsonl", b"{\"start_time\":\"2026-11-03T14:05:07Z\",\"model\":\"m\",\"input_tok".to_vec(), "bad.log:1: (line): EOF while parsing"),
        ("nul bytes", "jsonl", b"\0\0\0\0\n".to_vec(), "bad.log:1: (line): a NUL byte at byte 1: binary data, not a log [binary]"),
        ("openai negative", "openai-usage", br#"{"object":"bucket","start_time":1793836800,"end_time":1793840400,"results":[{"input_tokens":-1,"output_tokens":0,"num_model_requests":1,"model":"m"}]}"#.to_vec(), "bad.log:1: results[0].input_tokens: negative: -1"),
        ("not a spend log", "litellm-spend", b"a,b,c\n1,2,3\n".to_vec(), "bad.log: line 1: not a LiteLLM_SpendLogs export: the header lacks startTime, model, prompt_tokens, completion_tokens"),
        ("empty", "jsonl", Vec::new(), "bad.log: no usage record in it"),
    ];
    for (name, format, bytes, want) in cases {
        let file = home.write("bad.log", &bytes);
        let out = home.usage(&["import", file.to_str().expect("utf-8"), "--format", format]);
        let err = stderr(&out);
        assert!(!out.status.success(), "{name}: succeeded");
        assert!(err.contains(want), "{name}: wanted {want:?} in {err}");
        assert!(stdout(&out).is_empty(), "{name}: printed {}", stdout(&out));
        assert_eq!(dump(&home.db()), before, "{name}: the catalog changed");
    }
}

#[test]
fn skip_bad_imports_the_rest_and_counts_each_reason() {
    let home = Home::new();
    let row = |prompt: &str| spend_row("2026-11-03 14:05:07", "gpt-4o", prompt, "1", "success");
    let mut bytes = spend_log(&[row("5"), row("-1"), row("x"), row("-2"), row("7")]);
    bytes.extend_from_slice(b"\xff\xfe\n");
    bytes.extend_from_slice(row("9").as_bytes()); // no newline: still a whole row
    let file = home.write("spend.csv", &bytes);
    let out = home.usage(&[
        "import",
        file.to_str().expect("utf-8"),
        "--format",
        "litellm-spend",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("spend.csv:3: prompt_tokens: `-1` is negative"),
        "{}",
        stderr(&out)
    );
    let report = home.import(&file, "litellm-spend", &["--skip-bad"]);
    let import = &report["import"];
    assert_eq!(import["records"], 3);
    assert_eq!(import["skipped"], 4);
    assert_eq!(
        import["skipped_by_reason"],
        serde_json::json!({"negative": 2, "not-utf8": 1, "wrong-type": 1})
    );
    let examples: Vec<&str> = report["examples"]
        .as_array()
        .expect("examples")
        .iter()
        .map(|e| e.as_str().expect("text"))
        .collect();
    assert!(
        examples[0].ends_with("spend.csv:3: prompt_tokens: `-1` is negative [negative]"),
        "{examples:?}"
    );
    assert_eq!(examples.len(), 4);
    // The text report says the same.
    let again = home.write("spend-copy.csv", &[bytes.as_slice(), b"\n"].concat());
    let out = home.usage(&[
        "import",
        again.to_str().expect("utf-8"),
        "--format",
        "litellm-spend",
        "--skip-bad",
    ]);
    assert!(
        stdout(&out).contains("skipped 4 bad lines: 2 negative, 1 not-utf8, 1 wrong-type"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_same_log_is_imported_once_unless_replaced() {
    let home = Home::new();
    let file = home.write("spend.csv", &good_spend_log());
    let first = home.import(&file, "litellm-spend", &[]);
    let before = dump(&home.db());
    // The same bytes under another name are the same log.
    let copy = home.write("copy.csv", &good_spend_log());
    let out = home.usage(&[
        "import",
        copy.to_str().expect("utf-8"),
        "--format",
        "litellm-spend",
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("copy.csv: this log is already imported (import 1"),
        "{err}"
    );
    assert!(err.contains("Pass --replace"), "{err}");
    assert_eq!(dump(&home.db()), before);

    let replaced = home.import(&copy, "litellm-spend", &["--replace"]);
    assert_eq!(replaced["replaced"], first["import"]["id"]);
    let list = home.list();
    assert_eq!(list["imports"].as_array().map(Vec::len), Some(1));
    assert_eq!(list["imports"][0]["file_name"], "copy.csv");
    assert_eq!(requests(&list), requests(&first), "counted once");
}

/// The issue's bound: a log far larger than 200 MB is read in at most 200 MB
/// of resident memory. The child's peak RSS is what `wait4` reports for it,
/// through GNU time (`/usr/bin/time`, Debian's `time` package, which
/// scripts/system-deps.sh installs for the tests).
#[test]
fn a_log_larger_than_the_memory_bound_imports_within_it() {
    const LOG_BYTES: u64 = 256 << 20;
    const BOUND_KB: u64 = 200 * 1024;
    let time = Path::new("/usr/bin/time");
    assert!(
        time.exists(),
        "/usr/bin/time (the Debian package `time`) measures the peak RSS; install it"
    );
    let home = Home::new();
    let log = home.dir.path().join("big-spend.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&log).expect("creates"));
    let (rows, bytes) = write_spend_log_bytes(&mut out, LOG_BYTES, 18).expect("writes");
    drop(out);
    assert!(bytes >= LOG_BYTES);
    let rss_file = home.dir.path().join("rss.txt");
    let run = std::process::Command::new(time)
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&rss_file)
        .arg(switchyard_e2e::binary())
        .args(["usage", "import"])
        .arg(&log)
        .args(["--format", "litellm-spend", "--json", "--db"])
        .arg(home.db())
        .env_remove("SWITCHYARD_DB")
        .env("HOME", home.dir.path())
        .env("XDG_DATA_HOME", home.dir.path().join("data"))
        .output()
        .expect("runs");
    assert!(run.status.success(), "{}", stderr(&run));
    let report: serde_json::Value = serde_json::from_str(&stdout(&run)).expect("JSON");
    assert_eq!(report["import"]["records"].as_u64(), Some(rows));
    let peak_kb: u64 = std::fs::read_to_string(&rss_file)
        .expect("time wrote the peak")
        .trim()
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .expect("a number of KB");
    eprintln!("{bytes} bytes, {rows} rows: peak RSS {peak_kb} KB");
    assert!(
        peak_kb <= BOUND_KB,
        "peak RSS {peak_kb} KB, more than {BOUND_KB} KB"
    );
    // Not vacuous: the bound is below the file's size, so a reader that held
    // the file would fail it.
    assert!(BOUND_KB * 1024 < bytes);
}

/// The generator is what the memory test and the benchmark read.
#[test]
fn the_synthetic_log_has_the_requested_rows() {
    let mut bytes = Vec::new();
    write_spend_log(&mut bytes, 10, 1).expect("writes");
    assert_eq!(bytes.iter().filter(|b| **b == b'\n').count(), 11);
}

/// A JSONL line of one request.
fn request_line(start_s: i64, model: &str, input: u64, output: u64, cached: u64) -> String {
    format!(
        r#"{{"start_time":{start_s},"model":"{model}","input_tokens":{input},"output_tokens":{output},"cached_tokens":{cached},"status":"success"}}"#
    )
}

#[test]
fn the_workload_is_measured_from_the_stored_usage() {
    // 28 days from 2026-11-02 (a Monday): day d has 100 + 10 d requests of
    // gpt-4o, all at 09:00 UTC but for one at 21:00, each with 1,000 input
    // tokens (250 cached) and 200 output; one request of another model on
    // day 0 with 300,000 input tokens, above the 200k tier.
    let day0 = 1_793_577_600; // 2026-11-02T00:00:00Z
    let mut lines = Vec::new();
    let mut gpt = 0u64;
    for d in 0..28i64 {
        let n = 100 + 10 * d;
        for i in 0..n {
            let hour = if i == 0 { 21 } else { 9 };
            lines.push(request_line(
                day0 + d * 86_400 + hour * 3600 + i,
                "gpt-4o",
                1000,
                200,
                250,
            ));
            gpt += 1;
        }
    }
    lines.push(request_line(day0 + 600, "claude-sonnet-4-5", 300_000, 0, 0));
    let home = Home::new();
    let log = home.write("usage.jsonl", format!("{}\n", lines.join("\n")).as_bytes());
    home.import(&log, "jsonl", &[]);

    let out = home.usage(&["workload", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let w: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let m = &w["measured"];
    let total = gpt + 1;
    assert_eq!(m["requests"].as_u64(), Some(total));
    // From 00:00 on day 0 (the first request's hour is 00:00) to the end of
    // day 27's 21:00 hour: 27 days and 22 hours.
    let days = 27.0 + 22.0 / 24.0;
    assert_eq!(m["days"].as_f64(), Some(days));
    let per_month = total as f64 / days * 30.0;
    assert!((m["requests_per_month"].as_f64().unwrap() - per_month).abs() < 1e-6);
    let input = (gpt as f64 * 1000.0 + 300_000.0) / total as f64;
    assert!((m["input_tokens"].as_f64().unwrap() - input).abs() < 1e-9);
    // Cached over input tokens, of every request (all logs say).
    let cached = gpt as f64 * 250.0 / (gpt as f64 * 1000.0 + 300_000.0);
    assert!((m["cached_input_share"].as_f64().unwrap() - cached).abs() < 1e-12);
    // 09:00 holds all but 28 of gpt-4o's requests; 21:00 the 28, 00:00 the
    // other model's one. Each hour occurs 28 times but 22:00 and 23:00 (27).
    let shape: Vec<f64> = serde_json::from_value(m["hourly_shape"].clone()).expect("24 weights");
    let rate = |requests: f64, times: f64| requests / times;
    let rates: Vec<f64> = (0..24)
        .map(|h| match h {
            9 => rate((gpt - 28) as f64, 28.0),
            21 => rate(28.0, 28.0),
            0 => rate(1.0, 28.0),
            _ => 0.0,
        })
        .collect();
    let mean = rates.iter().sum::<f64>() / 24.0;
    for (h, (got, r)) in shape.iter().zip(&rates).enumerate() {
        assert!(
            (got - r / mean).abs() < 1e-9,
            "hour {h}: {got} vs {}",
            r / mean
        );
    }
    // Linear growth of 10 a day over 27 whole days: the log-linear fit of
    // the days' counts, computed here by hand.
    let daily: Vec<u64> = serde_json::from_value(m["daily_requests"].clone()).expect("days");
    assert_eq!(daily.len(), 27);
    assert_eq!(daily[0], 101);
    assert_eq!(daily[26], 360);
    // Least squares with a level per weekday: each weekday's days around
    // their own means.
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for weekday in 0..7 {
        let days: Vec<(f64, f64)> = (weekday..27)
            .step_by(7)
            .map(|d| (d as f64, (daily[d] as f64).ln()))
            .collect();
        let k = days.len() as f64;
        let mx = days.iter().map(|p| p.0).sum::<f64>() / k;
        let my = days.iter().map(|p| p.1).sum::<f64>() / k;
        sxx += days.iter().map(|p| (p.0 - mx).powi(2)).sum::<f64>();
        sxy += days.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>();
    }
    let slope = sxy / sxx;
    let growth = m["growth"]["monthly"].as_f64().expect("a fitted growth");
    assert!(
        (growth - ((30.0 * slope).exp() - 1.0)).abs() < 1e-12,
        "{growth}"
    );
    // The histograms keep each bin's exact mean: the 300k prompt alone in
    // [200000, 500000).
    let bins = m["histograms"]["input_tokens"].as_array().expect("bins");
    let tier = bins
        .iter()
        .find(|b| b["lo"] == 200_000)
        .expect("the 200k bin");
    assert_eq!(
        (tier["requests"].as_u64(), tier["mean"].as_f64()),
        (Some(1), Some(300_000.0))
    );

    // A window and a model: only gpt-4o in the first week.
    let out = home.usage(&[
        "workload",
        "--json",
        "--since",
        "2026-11-02",
        "--until",
        "2026-11-09",
        "--model",
        "gpt-4o",
        "--means",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let week: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let first_week: u64 = (0..7).map(|d| 100 + 10 * d).sum();
    assert_eq!(week["measured"]["requests"].as_u64(), Some(first_week));
    assert_eq!(week["workload"]["input_tokens"].as_f64(), Some(1000.0));

    // By default the plan gets the distributions: each bin at its mean,
    // weighted by its requests.
    assert_eq!(
        w["workload"]["input_tokens"],
        serde_json::json!({"values": [1000.0, 300_000.0], "weights": [gpt as f64, 1.0]})
    );
    assert_eq!(
        w["workload"]["output_tokens"],
        serde_json::json!({"values": [0.0, 200.0], "weights": [1.0, gpt as f64]})
    );

    // The TOML is a plan's [workload]: it replaces the example's and the
    // plan still checks.
    let out = home.usage(&["workload"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let toml = stdout(&out);
    assert!(toml.contains("# Fitted growth: +"), "{toml}");
    let example = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/claude-then-deepseek.toml"),
    )
    .expect("the example plan");
    let rest = &example[example.find("[target]").expect("a [target]")..];
    let plan = home.write("measured.toml", format!("{toml}\n{rest}").as_bytes());
    let lint = switchyard(home.dir.path())
        .arg("lint")
        .arg(&plan)
        .output()
        .expect("runs switchyard");
    assert!(lint.status.success(), "{}\n{toml}", stderr(&lint));

    // Too short to project: a clear error.
    let out = home.usage(&["workload", "--until", "2026-11-05", "--months-ahead", "3"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot project 3 months ahead: no growth was fitted (3 whole days"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_empty_catalog_has_no_workload_and_says_what_to_do() {
    let home = Home::new();
    let out = home.usage(&["workload"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("switchyard usage import"),
        "{}",
        stderr(&out)
    );
}
