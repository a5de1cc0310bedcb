//! `switchyard usage import --from-postgres` against a real PostgreSQL
//! server that each test starts (Debian's `postgresql` package) in a
//! temporary directory on 127.0.0.1, with LiteLLM 1.106.2's
//! `LiteLLM_SpendLogs` table (`tests/fixtures/litellm_spendlogs_1.106.2.sql`)
//! filled by `INSERT`s: the stored aggregates equal those of the same rows
//! imported as a CSV file and the hand counts, the time range is half-open,
//! the same range twice is refused, the session cannot write, and a wrong
//! password or a closed port is a clear error that never shows the password.
//!
//! Missing server binaries fail the tests (run `scripts/system-deps.sh
//! --test`): a test that passes without a server would prove nothing.

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use switchyard_e2e::{dump, stderr, stdout, switchyard};

/// The password of the proxy's role: it must appear in no output.
const PASSWORD: &str = "pg-Canary-pass-5e1d9a";
/// The superuser's, for setting the server up.
const SUPER_PASSWORD: &str = "super-Canary-77c0";
const DDL: &str = include_str!("../fixtures/litellm_spendlogs_1.106.2.sql");
const SERVER_WAIT: Duration = Duration::from_secs(60);

/// The newest PostgreSQL server's binaries, or a failure saying how to
/// install them.
fn pg_bin() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("postgres").is_file())
                .then_some((version, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "no PostgreSQL server under /usr/lib/postgresql/*/bin (initdb, postgres): \
             these tests start a real one; run `scripts/system-deps.sh --test` to install \
             Debian's postgresql package"
        ),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// `program`, run as the `postgres` user when the tests run as root
/// (initdb and postgres refuse root).
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut cmd = Command::new("setpriv");
        cmd.args([
            "--reuid=postgres",
            "--regid=postgres",
            "--init-groups",
            "--",
        ])
        .arg(program);
        // The server user may not enter the test's working directory.
        cmd.current_dir("/");
        cmd
    } else {
        Command::new(program)
    }
}

/// Runs `cmd` to its end, at most `limit`; its output.
fn run_bounded(mut cmd: Command, limit: Duration, what: &str) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return child.wait_with_output().expect("output"),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                let _ = child.kill();
                let out = child.wait_with_output().expect("output");
                panic!("{what}: still running after {limit:?}: {}", stderr(&out));
            }
        }
    }
}

/// A port nothing listens on (just now).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A PostgreSQL server of its own, stopped when dropped.
struct Server {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl Server {
    /// initdb, start, wait until it answers, then the `litellm` role and
    /// database with the spend-log table.
    fn start() -> Server {
        let bin = pg_bin();
        let dir = tempfile::Builder::new()
            .prefix("switchyard-pg-")
            .tempdir()
            .expect("temp dir");
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, SUPER_PASSWORD).expect("writes the password file");
        if is_root() {
            let out = run_bounded(
                {
                    let mut c = Command::new("chown");
                    c.args(["-R", "postgres:postgres"]).arg(dir.path());
                    c
                },
                Duration::from_secs(10),
                "chown",
            );
            assert!(out.status.success(), "chown: {}", stderr(&out));
        }
        let data = dir.path().join("data");
        let mut initdb = as_server_user(&bin.join("initdb"));
        initdb
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .arg(format!("--pwfile={}", pwfile.display()));
        let out = run_bounded(initdb, Duration::from_secs(120), "initdb");
        assert!(out.status.success(), "initdb: {}", stderr(&out));
        let port = free_port();
        let log = File::create(dir.path().join("server.log")).expect("log file");
        let mut postgres = as_server_user(&bin.join("postgres"));
        postgres
            .arg("-D")
            .arg(&data)
            .arg("-p")
            .arg(port.to_string())
            .args(["-c", "listen_addresses=127.0.0.1", "-c"])
            .arg(format!("unix_socket_directories={}", dir.path().display()))
            .args(["-c", "fsync=off", "-c", "max_connections=20"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log);
        let child = postgres.spawn().expect("starts postgres");
        let mut server = Server {
            dir,
            bin,
            port,
            child: Some(child),
        };
        server.wait_ready();
        let mut admin = server.client("postgres", SUPER_PASSWORD, "postgres");
        // Two statements: CREATE DATABASE cannot run in the implicit
        // transaction of a multi-statement string.
        admin
            .batch_execute(&format!("CREATE ROLE litellm LOGIN PASSWORD '{PASSWORD}'"))
            .expect("creates the role");
        admin
            .batch_execute("CREATE DATABASE litellm OWNER litellm")
            .expect("creates the database");
        server
            .client("litellm", PASSWORD, "litellm")
            .batch_execute(DDL)
            .expect("creates LiteLLM_SpendLogs from the fixture");
        server
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + SERVER_WAIT;
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!(
                    "postgres exited ({status}) before it answered: {}",
                    self.log()
                );
            }
            if postgres::Config::new()
                .host("127.0.0.1")
                .port(self.port)
                .user("postgres")
                .password(SUPER_PASSWORD)
                .dbname("postgres")
                .connect_timeout(Duration::from_secs(2))
                .connect(postgres::NoTls)
                .is_ok()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "postgres did not answer within {SERVER_WAIT:?}: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn url(&self, user: &str, password: &str, db: &str) -> String {
        format!(
            "postgresql://{user}:{password}@127.0.0.1:{}/{db}",
            self.port
        )
    }

    /// The proxy's connection string.
    fn litellm_url(&self) -> String {
        self.url("litellm", PASSWORD, "litellm")
    }

    fn client(&self, user: &str, password: &str, db: &str) -> postgres::Client {
        postgres::Client::connect(&self.url(user, password, db), postgres::NoTls)
            .unwrap_or_else(|e| panic!("connecting as {user}: {e}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let mut stop = as_server_user(&self.bin.join("pg_ctl"));
        stop.arg("stop")
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "-w", "-t", "20"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let stopped = stop.spawn().ok().map(|mut c| {
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = c.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = c.kill();
            let _ = c.wait();
        });
        let _ = stopped;
        if let Some(mut child) = self.child.take() {
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One spend-log row, written both as an `INSERT` and as the CSV line psql's
/// `\copy … CSV HEADER` would write for the same columns.
struct Row {
    id: &'static str,
    start: &'static str,
    end: &'static str,
    duration_ms: Option<i32>,
    model: &'static str,
    group: Option<&'static str>,
    api_base: Option<&'static str>,
    prompt: i32,
    completion: i32,
    spend: f64,
    cache_hit: Option<&'static str>,
    status: Option<&'static str>,
    metadata: Option<&'static str>,
}

const CACHED_300: &str =
    r#"{"additional_usage_values": {"prompt_tokens_details": {"cached_tokens": 300}}}"#;

fn row(id: &'static str, start: &'static str, model: &'static str, prompt: i32) -> Row {
    Row {
        id,
        start,
        end: start,
        duration_ms: Some(100),
        model,
        group: Some("chat"),
        api_base: Some("https://api.openai.com/v1"),
        prompt,
        completion: 10,
        spend: 0.0,
        cache_hit: Some("False"),
        status: Some("success"),
        metadata: Some("{}"),
    }
}

/// In [2026-11-03, 2026-11-04): four good rows (a failure, a cache hit, one
/// with every optional column NULL) and a hostile one (negative tokens);
/// outside it, three more, one exactly on the end.
fn rows() -> Vec<Row> {
    vec![
        Row {
            end: "2026-11-03 10:00:01",
            duration_ms: Some(812),
            completion: 350,
            spend: 0.0065,
            metadata: Some(CACHED_300),
            ..row("req-a", "2026-11-03 10:00:00.123", "gpt-4o", 1200)
        },
        Row {
            completion: 0,
            status: Some("failure"),
            cache_hit: Some("None"),
            ..row("req-b", "2026-11-03 10:30:00", "gpt-4o", 10)
        },
        Row {
            completion: 20,
            cache_hit: Some("True"),
            metadata: Some(
                r#"{"usage_object": {"prompt_tokens_details": {"cached_tokens": null}}}"#,
            ),
            ..row("req-c", "2026-11-03 11:00:00", "claude-sonnet-4-5", 500)
        },
        Row {
            end: "2026-11-04 00:00:01.500",
            duration_ms: None,
            group: None,
            api_base: None,
            completion: 7,
            cache_hit: None,
            status: None,
            metadata: None,
            ..row("req-d", "2026-11-03 23:59:59.999", "deepseek-chat", 40)
        },
        row("req-e", "2026-11-03 12:00:00", "gpt-4o", -5),
        row("req-x", "2026-11-02 23:59:59.999", "gpt-4o-mini", 100),
        row("req-y", "2026-11-04 00:00:00", "gpt-4o-mini", 100),
        row("req-z", "2026-11-05 08:00:00", "gpt-4o-mini", 100),
    ]
}

fn insert(server: &Server, rows: &[Row]) {
    let mut c = server.client("litellm", PASSWORD, "litellm");
    for r in rows {
        c.execute(
            "INSERT INTO \"LiteLLM_SpendLogs\" (\"request_id\", \"call_type\", \"startTime\", \"endTime\",
                 \"request_duration_ms\", \"model\", \"model_group\", \"api_base\", \"prompt_tokens\",
                 \"completion_tokens\", \"total_tokens\", \"spend\", \"cache_hit\", \"status\", \"metadata\",
                 \"messages\", \"response\")
             VALUES ($1, 'acompletion', $2::text::timestamp(3), $3::text::timestamp(3), $4, $5, $6, $7,
                 $8::int4, $9::int4, $8::int4 + $9::int4, $10, $11, $12, $13::text::jsonb,
                 '{\"secret prompt\": \"never read\"}', '{\"answer\": \"never read\"}')",
            &[
                &r.id,
                &r.start,
                &r.end,
                &r.duration_ms,
                &r.model,
                &r.group,
                &r.api_base,
                &r.prompt,
                &r.completion,
                &r.spend,
                &r.cache_hit,
                &r.status,
                &r.metadata,
            ],
        )
        .unwrap_or_else(|e| panic!("inserting {}: {e:?}", r.id));
    }
}

/// A CSV field as psql writes it: NULL empty, quoted when needed.
fn field(v: Option<&str>) -> String {
    match v {
        None => String::new(),
        Some(t) if t.is_empty() || t.contains([',', '"', '\n']) => {
            format!("\"{}\"", t.replace('"', "\"\""))
        }
        Some(t) => t.to_owned(),
    }
}

/// The rows in [since, until) as a CSV export, ordered as the COPY orders.
fn csv_of(rows: &[Row], since: &str, until: &str) -> String {
    let mut picked: Vec<&Row> = rows
        .iter()
        .filter(|r| r.start >= since && r.start < until)
        .collect();
    picked.sort_by_key(|r| (r.start, r.id));
    let mut out = String::from(
        "request_id,startTime,endTime,request_duration_ms,model,model_group,api_base,prompt_tokens,completion_tokens,spend,cache_hit,status,metadata\n",
    );
    for r in picked {
        let cells = [
            field(Some(r.id)),
            field(Some(r.start)),
            field(Some(r.end)),
            r.duration_ms.map(|d| d.to_string()).unwrap_or_default(),
            field(Some(r.model)),
            field(r.group),
            field(r.api_base),
            r.prompt.to_string(),
            r.completion.to_string(),
            r.spend.to_string(),
            field(r.cache_hit),
            field(r.status),
            field(r.metadata),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// A home with a catalog, running the CLI.
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

    /// `usage import ARGS --db DB --json` with `env` set (and no
    /// DATABASE_URL from the caller's environment).
    fn usage(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = switchyard(self.dir.path());
        cmd.env_remove("DATABASE_URL");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.arg("usage")
            .args(args)
            .arg("--db")
            .arg(self.db())
            .output()
            .expect("runs switchyard")
    }

    fn ok(&self, args: &[&str], env: &[(&str, &str)]) -> serde_json::Value {
        let out = self.usage(args, env);
        assert_no_password(&out);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        serde_json::from_str(&stdout(&out)).expect("JSON")
    }

    /// The catalog's usage aggregates: every `usage_` table but the
    /// imports' own row (whose file, size and hash name the source).
    fn aggregates(&self) -> Vec<(String, Vec<String>)> {
        dump(&self.db())
            .into_iter()
            .filter(|(table, _)| table.starts_with("usage_") && table != "usage_imports")
            .collect()
    }
}

fn assert_no_password(out: &Output) {
    for (name, text) in [("stdout", stdout(out)), ("stderr", stderr(out))] {
        assert!(
            !text.contains(PASSWORD) && !text.contains(SUPER_PASSWORD),
            "the password is in {name}: {text}"
        );
    }
}

/// (model, requests, failures, input tokens, output tokens) of a report.
fn models(report: &serde_json::Value) -> Vec<(String, i64, i64, i64, i64)> {
    report["models"]
        .as_array()
        .expect("models")
        .iter()
        .map(|m| {
            (
                m["model"].as_str().expect("model").to_owned(),
                m["requests"].as_i64().expect("requests"),
                m["failures"].as_i64().expect("failures"),
                m["input_tokens"].as_i64().expect("input"),
                m["output_tokens"].as_i64().expect("output"),
            )
        })
        .collect()
}

#[test]
fn spend_logs_from_postgres_equal_the_same_rows_as_a_csv_file() {
    let server = Server::start();
    let rows = rows();
    insert(&server, &rows);
    let url = server.litellm_url();
    let env = [("LITELLM_DB", url.as_str())];
    let range = [
        "import",
        "--from-postgres",
        "--database-url-env",
        "LITELLM_DB",
        "--since",
        "2026-11-03",
        "--until",
        "2026-11-04T00:00:00Z",
        "--json",
    ];

    // Without --skip-bad the hostile row stops the import, naming the row.
    let pg = Home::new();
    let out = pg.usage(&range, &env);
    assert_no_password(&out);
    assert!(!out.status.success());
    let label = format!(
        "postgresql://127.0.0.1:{}/litellm LiteLLM_SpendLogs [2026-11-03T00:00:00.000Z, 2026-11-04T00:00:00.000Z)",
        server.port
    );
    assert!(
        stderr(&out).contains(&format!(
            "{label}:5: prompt_tokens: `-5` is negative [negative]"
        )),
        "{}",
        stderr(&out)
    );
    assert!(
        !pg.db().exists()
            || pg
                .aggregates()
                .iter()
                .all(|(t, r)| !t.starts_with("usage_hourly") || r.is_empty())
    );

    let mut skip = range.to_vec();
    skip.push("--skip-bad");
    let report = pg.ok(&skip, &env);
    let import = &report["import"];
    assert_eq!(import["file"], label.as_str());
    assert_eq!(
        import["file_name"],
        "LiteLLM_SpendLogs [2026-11-03T00:00:00.000Z, 2026-11-04T00:00:00.000Z)"
    );
    assert_eq!(import["format"], "litellm-spend");
    // Hand counts: the header and five rows in the range, one of them bad.
    assert_eq!(
        (
            import["lines"].as_i64(),
            import["records"].as_i64(),
            import["requests"].as_i64(),
            import["skipped"].as_i64()
        ),
        (Some(6), Some(4), Some(4), Some(1))
    );
    assert_eq!(import["skipped_by_reason"]["negative"], 1);
    assert_eq!(import["first_start"], "2026-11-03T10:00:00.123Z");
    assert_eq!(import["last_start"], "2026-11-03T23:59:59.999Z");
    assert_eq!(
        models(&report),
        vec![
            ("claude-sonnet-4-5".to_owned(), 1, 0, 500, 20),
            ("deepseek-chat".to_owned(), 1, 0, 40, 7),
            ("gpt-4o".to_owned(), 2, 1, 1210, 350),
        ]
    );
    let gpt = &report["models"][2];
    assert_eq!(gpt["cached_tokens"], 300);
    assert_eq!(gpt["spend_usd"], 0.0065);
    assert_eq!(report["models"][1]["unknown_status"], 1);

    // The same rows as a CSV file: the same aggregates, table by table.
    let file = Home::new();
    let csv = file.dir.path().join("spend.csv");
    std::fs::write(&csv, csv_of(&rows, "2026-11-03", "2026-11-04")).expect("writes the CSV");
    let from_file = file.ok(
        &[
            "import",
            csv.to_str().expect("utf-8"),
            "--format",
            "litellm-spend",
            "--skip-bad",
            "--json",
        ],
        &[],
    );
    assert_eq!(from_file["models"], report["models"]);
    for key in [
        "lines",
        "records",
        "requests",
        "skipped",
        "first_start",
        "last_start",
    ] {
        assert_eq!(from_file["import"][key], import[key], "{key}");
    }
    assert_eq!(file.aggregates(), pg.aggregates());
    let hourly = &pg
        .aggregates()
        .into_iter()
        .find(|(t, _)| t == "usage_hourly")
        .expect("hourly")
        .1;
    // gpt-4o at 10:00 (two rows), claude at 11:00, deepseek at 23:00.
    assert_eq!(hourly.len(), 3, "{hourly:?}");

    // The same range again is the same bytes: refused, unless --replace.
    let out = pg.usage(&skip, &env);
    assert_no_password(&out);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("this log is already imported (import 1"),
        "{}",
        stderr(&out)
    );
    let mut replace = skip.clone();
    replace.push("--replace");
    let again = pg.ok(&replace, &env);
    assert_eq!(again["replaced"], 1);
    assert_eq!(again["import"]["sha256"], import["sha256"]);

    // Without a range: every row, the three outside it too.
    let all = Home::new();
    let everything = all.ok(
        &["import", "--from-postgres", "--skip-bad", "--json"],
        &[("DATABASE_URL", url.as_str())],
    );
    assert_eq!(everything["import"]["requests"], 7);
    assert_eq!(
        everything["import"]["file_name"],
        "LiteLLM_SpendLogs […, …)"
    );

    // The catalog holds no password, nor any prompt.
    for home in [&pg, &all] {
        let bytes = std::fs::read(home.db()).expect("catalog");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(PASSWORD), "the password is in the catalog");
        assert!(!text.contains("never read"), "a prompt is in the catalog");
    }
}

#[test]
fn the_session_is_read_only() {
    use switchyard::secret::Secret;
    use switchyard::usage::postgres::Target;

    let server = Server::start();
    insert(&server, &rows()[..1]);
    let target = Target::parse(&Secret::new(server.litellm_url())).expect("parses");
    let mut client = target.connect().expect("connects");
    let mut tx = target
        .read_only(&mut client)
        .expect("read-only transaction");
    let on: String = tx
        .query_one("SHOW transaction_read_only", &[])
        .expect("shows")
        .get(0);
    assert_eq!(on, "on");
    for write in [
        "DELETE FROM \"LiteLLM_SpendLogs\"",
        "UPDATE \"LiteLLM_SpendLogs\" SET spend = 1",
        "CREATE TABLE x (y int)",
    ] {
        let e = tx.batch_execute(write).expect_err(write);
        let text = format!("{e:?}");
        assert!(text.contains("read-only transaction"), "{write}: {text}");
        // A failed statement aborts the transaction: start a new one.
        drop(tx);
        tx = target
            .read_only(&mut client)
            .expect("read-only transaction");
    }
    drop(tx);
    drop(client);
    let mut c = server.client("litellm", PASSWORD, "litellm");
    let n: i64 = c
        .query_one("SELECT count(*) FROM \"LiteLLM_SpendLogs\"", &[])
        .expect("counts")
        .get(0);
    assert_eq!(n, 1, "the row is still there");
}

#[test]
fn connection_errors_are_clear_and_never_show_the_password() {
    let server = Server::start();
    let home = Home::new();
    let import = ["import", "--from-postgres"];

    let wrong = server.url("litellm", "wrong-Canary-pass-0b7e", "litellm");
    let out = home.usage(&import, &[("DATABASE_URL", wrong.as_str())]);
    assert!(!out.status.success());
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!text.contains("wrong-Canary-pass-0b7e"), "{text}");
    assert!(
        text.contains(&format!(
            "postgresql://127.0.0.1:{}/litellm: cannot connect",
            server.port
        )) && text.contains("password authentication failed for user \"litellm\""),
        "{text}"
    );

    let closed = free_port();
    let refused = format!("postgresql://litellm:{PASSWORD}@127.0.0.1:{closed}/litellm");
    let out = home.usage(&import, &[("DATABASE_URL", refused.as_str())]);
    assert_no_password(&out);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(&format!(
            "postgresql://127.0.0.1:{closed}/litellm: cannot connect"
        )) && stderr(&out).to_lowercase().contains("refused"),
        "{}",
        stderr(&out)
    );

    let out = home.usage(&import, &[]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("$DATABASE_URL: not set"),
        "{}",
        stderr(&out)
    );

    // A database without the table (the superuser's own).
    let other = server.url("litellm", PASSWORD, "postgres");
    let out = home.usage(&import, &[("DATABASE_URL", other.as_str())]);
    assert_no_password(&out);
    assert!(
        stderr(&out).contains("no table LiteLLM_SpendLogs"),
        "{}",
        stderr(&out)
    );

    // An empty range, and FILE with --from-postgres.
    let url = server.litellm_url();
    let out = home.usage(
        &["import", "--from-postgres", "--since", "2030-01-01"],
        &[("DATABASE_URL", url.as_str())],
    );
    assert_no_password(&out);
    assert!(
        stderr(&out).contains("no row with its startTime in the range"),
        "{}",
        stderr(&out)
    );
    let out = home.usage(&["import", "x.csv", "--from-postgres"], &[]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );
    let out = home.usage(
        &[
            "import",
            "--from-postgres",
            "--since",
            "2026-11-01'; DROP TABLE x; --",
        ],
        &[],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("is not a time"), "{}", stderr(&out));
    assert!(
        !home.db().exists()
            || dump(&home.db())
                .get("usage_imports")
                .is_none_or(|r| r.is_empty())
    );
}

/// 100,000 synthetic rows loaded with `COPY FROM`, imported from PostgreSQL
/// and from the same rows as a CSV file, in this process (the test profile
/// is optimised): `cargo test -p switchyard-e2e --test usage_postgres --
/// --ignored --nocapture` prints the times (BENCHMARKS.md).
#[test]
#[ignore = "a measurement, not a check: run with --ignored --nocapture"]
fn measure_100k_rows_postgres_vs_csv() {
    use std::io::Write;
    use std::ops::ControlFlow;
    use switchyard::app::usage::{UsageImportOptions, import_usage};
    use switchyard::catalog::Catalog;
    use switchyard::secret::Secret;
    use switchyard::usage::postgres::{Target, TimeRange};
    use switchyard::usage::synthetic::{SPEND_LOG_HEADER, write_spend_log};
    use switchyard::usage::{ReadOptions, UsageFormat};

    const ROWS: u64 = 100_000;
    let server = Server::start();
    let home = Home::new();
    let csv = home.dir.path().join("spend.csv");
    let mut bytes = Vec::new();
    write_spend_log(&mut bytes, ROWS, 7).expect("generates");
    std::fs::write(&csv, &bytes).expect("writes");
    let columns: Vec<String> = SPEND_LOG_HEADER
        .split(',')
        .map(|c| format!("\"{c}\""))
        .collect();
    let mut c = server.client("litellm", PASSWORD, "litellm");
    let mut w = c
        .copy_in(&format!(
            "COPY \"LiteLLM_SpendLogs\" ({}) FROM STDIN WITH (FORMAT csv, HEADER true)",
            columns.join(", ")
        ))
        .expect("copy in");
    w.write_all(&bytes).expect("loads");
    w.finish().expect("loads");
    c.batch_execute("ANALYZE \"LiteLLM_SpendLogs\"")
        .expect("analyze");

    let mut go = |_: u64, _: u64| ControlFlow::Continue(());
    let mut file_catalog = Catalog::open(&home.dir.path().join("file.sqlite3")).expect("catalog");
    let options = UsageImportOptions {
        read: ReadOptions {
            format: UsageFormat::LitellmSpend,
            map: Vec::new(),
            skip_bad: false,
        },
        replace: false,
    };
    let t = Instant::now();
    let from_file = import_usage(&mut file_catalog, &csv, &options, &mut go).expect("imports");
    let file_s = t.elapsed().as_secs_f64();

    let mut pg_catalog = Catalog::open(&home.dir.path().join("pg.sqlite3")).expect("catalog");
    let target = Target::parse(&Secret::new(server.litellm_url())).expect("parses");
    let t = Instant::now();
    let read = target
        .read_spend_logs(&TimeRange::default(), false, &mut go)
        .expect("reads");
    let from_pg = pg_catalog.store_usage(&read, false).expect("stores");
    let pg_s = t.elapsed().as_secs_f64();
    assert_eq!(from_pg.import.requests, from_file.import.requests);
    assert_eq!(from_pg.models, from_file.models);
    let rate = |s: f64| ROWS as f64 / s;
    println!(
        "{ROWS} rows: CSV file {:.2} s ({:.0} rows/s, {} bytes); PostgreSQL ({}) {:.2} s ({:.0} rows/s, {} bytes streamed)",
        file_s,
        rate(file_s),
        from_file.import.size_bytes,
        server.bin.display(),
        pg_s,
        rate(pg_s),
        from_pg.import.size_bytes
    );
    let _ = std::io::stdout().flush();
}
