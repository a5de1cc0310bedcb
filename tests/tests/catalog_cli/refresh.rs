//! `catalog import --url`: price lists downloaded from servers these tests
//! start on 127.0.0.1 (never the internet). A failed download writes nothing;
//! `--dry-run` writes nothing; `--yes` writes, and the same list again finds
//! nothing to change; the figures a refresh changed name its URL and time.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use switchyard_e2e::price_server::{PriceServer, Reply};
use switchyard_e2e::{LITELLM_FIXTURE, dump};

use super::{ok_json, run};

fn fixture() -> Vec<u8> {
    std::fs::read(LITELLM_FIXTURE).unwrap_or_else(|e| panic!("{LITELLM_FIXTURE}: {e}"))
}

/// `catalog import --format litellm --url URL ARGS`.
fn refresh(home: &Path, db: &Path, url: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["catalog", "import", "--format", "litellm", "--url", url];
    all.extend_from_slice(args);
    run(home, db, &all)
}

fn refresh_json(home: &Path, db: &Path, url: &str, args: &[&str]) -> Value {
    let mut all = vec![
        "catalog", "import", "--format", "litellm", "--url", url, "--json",
    ];
    all.extend_from_slice(args);
    ok_json(home, db, &all)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_refresh_shows_its_diff_writes_on_yes_and_records_its_source() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (home, db) = (tmp.path(), tmp.path().join("c.db"));
    ok_json(home, &db, &["catalog", "list", "--json"]);
    let server = PriceServer::start(Reply::json(fixture()));
    let url = server.url("model_prices_and_context_window.json");

    // --dry-run: the diff, nothing written.
    let before = dump(&db);
    let started = Instant::now();
    let preview = refresh_json(home, &db, &url, &["--dry-run"]);
    eprintln!(
        "a dry run of the fixture over loopback took {:?}",
        started.elapsed()
    );
    assert_eq!(preview["url"], url.as_str());
    assert_eq!(preview["changes"], 2808);
    assert_eq!(
        preview["diff"]["added"].as_array().map(Vec::len),
        Some(2808)
    );
    assert_eq!(preview["diff"]["changed"], serde_json::json!([]));
    assert_eq!(preview["diff"]["removed"], serde_json::json!([]));
    assert_eq!(preview["report"]["unchanged"], 43);
    assert_eq!(preview["report"]["import_id"], Value::Null);
    assert_eq!(preview["written"], Value::Null);
    assert_eq!(dump(&db), before, "--dry-run writes nothing");
    let out = refresh(home, &db, &url, &["--dry-run"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.contains("added: 2808 offerings\n"), "{shown}");
    assert!(
        shown.contains("  + openai/gpt-4o  input_per_mtok 2.5, "),
        "{shown}"
    );
    assert!(
        shown.ends_with("2808 changes to write\ndry run: nothing written\n"),
        "{shown}"
    );
    assert_eq!(dump(&db), before);

    // Not a terminal and no --yes: refused before anything is downloaded.
    let served = server.requests().len();
    let out = refresh(home, &db, &url, &[]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("pass --yes to write"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(server.requests().len(), served, "nothing was downloaded");
    assert_eq!(dump(&db), before);

    // --yes writes; the same list again finds nothing and writes nothing.
    let started = Instant::now();
    let written = refresh_json(home, &db, &url, &["--yes"]);
    eprintln!(
        "a refresh writing 2,808 offerings took {:?}",
        started.elapsed()
    );
    assert_eq!(written["written"]["added"], 2808);
    assert!(written["written"]["import_id"].as_i64().is_some());
    let after = dump(&db);
    let again = refresh_json(home, &db, &url, &["--yes"]);
    assert_eq!(again["changes"], 0);
    assert_eq!(again["written"], Value::Null);
    assert_eq!(dump(&db), after, "a second run writes nothing");
    let out = refresh(home, &db, &url, &["--yes"]);
    assert!(
        text(&out.stdout)
            .ends_with("no changes: the catalog already has these figures; nothing to write\n")
    );

    // The list moves: a price up 10%, a model gone.
    let mut map: serde_json::Map<String, Value> =
        serde_json::from_slice(&fixture()).unwrap_or_else(|e| panic!("{e}"));
    map["gpt-4o"]["input_cost_per_token"] = serde_json::json!(2.75e-6);
    map.remove("gpt-4o-mini");
    server.set_reply(Reply::json(serde_json::to_vec(&map).unwrap_or_default()));
    let moved = refresh_json(home, &db, &url, &["--dry-run"]);
    assert_eq!(moved["changes"], 1);
    assert_eq!(
        moved["diff"]["changed"],
        serde_json::json!([{
            "offering": "openai/gpt-4o", "field": "input_per_mtok", "old": 2.5, "new": 2.75,
            "percent": 10.0, "text": "2.5 → 2.75 (+10.0%)", "overridden": false
        }])
    );
    assert_eq!(
        moved["diff"]["removed"],
        serde_json::json!(["openai/gpt-4o-mini"])
    );
    let out = refresh(home, &db, &url, &["--yes"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("  ~ openai/gpt-4o  input_per_mtok  2.5 → 2.75 (+10.0%)\n"),
        "{shown}"
    );
    assert!(shown.contains("removed: 1 offering the source no longer lists (kept in the catalog)\n  - openai/gpt-4o-mini\n"), "{shown}");

    // The changed figure names the download; the removed offering is kept.
    let show = ok_json(home, &db, &["catalog", "show", "openai/gpt-4o", "--json"]);
    let input = show["figures"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["field"] == "input_per_mtok"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(input["value"], 2.75);
    let source = &input["source"];
    assert_eq!(source["url"], url.as_str());
    let at = source["retrieved_at"].as_str().unwrap_or_default();
    assert!(at.ends_with('Z') && at.len() == 24, "{source}");
    assert_eq!(source["id"], format!("litellm@{at}"));
    let out = run(home, &db, &["catalog", "show", "openai/gpt-4o"]);
    assert!(
        text(&out.stdout).contains(&format!("; fetched from {url} at {at}]")),
        "{}",
        text(&out.stdout)
    );
    let history = ok_json(
        home,
        &db,
        &["catalog", "history", "openai/gpt-4o", "--json"],
    );
    let last = history["changes"]
        .as_array()
        .and_then(|c| c.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (last["old_value"].clone(), last["import_file"].clone()),
        (serde_json::json!(2.5), Value::from(url.as_str()))
    );
    ok_json(
        home,
        &db,
        &["catalog", "show", "openai/gpt-4o-mini", "--json"],
    );

    // What the server saw: a plain GET, no credentials.
    for head in server.requests() {
        let lower = head.to_ascii_lowercase();
        assert!(
            lower.starts_with("get /model_prices_and_context_window.json http/1.1\r\n"),
            "{head}"
        );
        assert!(lower.contains("user-agent: switchyard/"), "{head}");
        assert!(
            !lower.contains("authorization") && !lower.contains("api-key"),
            "{head}"
        );
    }
}

#[test]
fn a_failed_download_writes_nothing_and_says_why_naming_the_url() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (home, db) = (tmp.path(), tmp.path().join("c.db"));
    ok_json(home, &db, &["catalog", "list", "--json"]);
    let full = fixture();
    let half = full.len() / 2;
    let refused = {
        let l = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap_or_else(|e| panic!("{e}"));
        format!(
            "http://{}/prices.json",
            l.local_addr().unwrap_or_else(|e| panic!("{e}"))
        )
    };
    let cases: [(&str, Option<Reply>, String); 5] = [
        ("slow", Some(Reply::Slow(Duration::from_secs(30))), "no complete answer within 0.5 s (the download's timeout)".to_owned()),
        ("cut", Some(Reply::Cut { body: full.clone(), sent: half }), format!("the download broke off after {half} bytes of {} (its Content-Length)", full.len())),
        ("500", Some(Reply::Status(500)), "the server answered 500 Internal Server Error, not the list".to_owned()),
        ("html", Some(Reply::html()), "the server sent an HTML page (text/html; charset=utf-8), not the LiteLLM price map: is the URL right?".to_owned()),
        ("refused", None, "cannot connect: ".to_owned()),
    ];
    for (name, reply, why) in cases {
        let server = reply.map(PriceServer::start);
        let url = server
            .as_ref()
            .map_or_else(|| refused.clone(), |s| s.url("prices.json"));
        let before = dump(&db);
        let bytes = std::fs::read(&db).unwrap_or_default();
        let started = Instant::now();
        let out = refresh(home, &db, &url, &["--yes", "--timeout-s", "0.5"]);
        let took = started.elapsed();
        eprintln!("{name}: failed in {took:?}");
        assert!(!out.status.success(), "{name}");
        assert!(out.stdout.is_empty(), "{name}: {}", text(&out.stdout));
        let err = text(&out.stderr);
        assert!(err.starts_with(&format!("error: {url}: ")), "{name}: {err}");
        assert!(err.contains(&why), "{name}: {err}");
        assert!(took < Duration::from_secs(10), "{name}: {took:?}");
        assert_eq!(dump(&db), before, "{name}: nothing written");
        assert_eq!(
            std::fs::read(&db).unwrap_or_default(),
            bytes,
            "{name}: the file is byte-identical"
        );
    }
}

#[test]
fn url_takes_only_downloadable_formats_and_not_a_file_too() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (home, db) = (tmp.path(), tmp.path().join("c.db"));
    let url = "http://127.0.0.1:9/x.json";
    // Each refused invocation (after `catalog import --format`) and what its
    // message must say; `None` where clap's own wording is enough.
    let refused: [(&[&str], Option<&str>); 5] = [
        (
            &["csv", "--url", "http://127.0.0.1:9/x.csv", "--dry-run"],
            Some("--url downloads litellm or openrouter lists"),
        ),
        (
            &["litellm", LITELLM_FIXTURE, "--url", url],
            Some("cannot be used with"),
        ),
        (&["litellm", LITELLM_FIXTURE, "--yes"], None),
        (&["litellm", LITELLM_FIXTURE, "--dry-run"], None),
        (
            &["litellm", "--url", url, "--timeout-s", "0"],
            Some("0 is out of range"),
        ),
    ];
    for (rest, says) in refused {
        let mut args = vec!["catalog", "import", "--format"];
        args.extend(rest);
        let out = run(home, &db, &args);
        assert!(!out.status.success(), "{args:?} is refused");
        if let Some(says) = says {
            assert!(
                text(&out.stderr).contains(says),
                "{args:?}: {}",
                text(&out.stderr)
            );
        }
    }
}
