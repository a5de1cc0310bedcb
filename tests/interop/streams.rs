//! Streams that stall or are cut mid-way, through the real gateways (issue
//! 19): what does the application get when the primary starts a stream and
//! then stalls, ends it early without its completion, or resets the
//! connection? A probe calls each of those a failure (`docs/PROBES.md`); a
//! gateway that passes one on as a 200 hands the application a broken answer
//! it cannot tell from a good one, and never falls back.
//!
//! One plan (`plans/streams.toml`) has a route per fault, each a faulty
//! primary and a healthy backup; the primary sends three content deltas, then
//! its fault. Each gateway runs the plan's export once, and each route gets
//! [`REQUESTS`] streaming requests, read with an idle limit. What each gateway
//! does is recorded in [`EXPECTED`] (and in `docs/INTEROP.md`): the test fails
//! when a gateway does something else, so an upgrade that changes it shows.

use std::path::Path;
use std::time::{Duration, Instant};

use switchyard::plan::NoCatalog;
use switchyard_e2e::fake_provider::{Behavior, Fault, Ttft};

use crate::fakes::{self, Fakes};
use crate::gateway::Gateway;
use crate::scenario::GatewayKind;

/// Requests per route and gateway, sent at once.
pub const REQUESTS: usize = 3;
/// How long the application waits for the next bytes of a stream: the idle
/// timeout a client needs when its gateway does not cut a stall.
pub const IDLE: Duration = Duration::from_secs(8);
/// The longest one request may take in all.
const LIMIT: Duration = Duration::from_secs(30);
/// Content deltas the faulty primary sends before its fault.
const AFTER_TOKENS: u32 = 3;

/// What the primary does mid-stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamFault {
    /// No fault: the control, a route to the healthy backup alone, which
    /// shows the gateway streams at all.
    None,
    Stall,
    Cut,
    Reset,
}

impl StreamFault {
    pub const ALL: [StreamFault; 4] = [
        StreamFault::None,
        StreamFault::Stall,
        StreamFault::Cut,
        StreamFault::Reset,
    ];

    /// The route of the plan that has this fault at its primary.
    pub fn route(self) -> &'static str {
        match self {
            StreamFault::None => "healthy",
            StreamFault::Stall => "stall",
            StreamFault::Cut => "cut",
            StreamFault::Reset => "reset",
        }
    }

    fn fault(self) -> Option<Fault> {
        Some(match self {
            StreamFault::None => return None,
            StreamFault::Stall => Fault::StallMidStream {
                after_tokens: AFTER_TOKENS,
            },
            StreamFault::Cut => Fault::CutMidStream {
                after_tokens: AFTER_TOKENS,
            },
            StreamFault::Reset => Fault::ResetMidStream {
                after_tokens: AFTER_TOKENS,
            },
        })
    }

    pub fn describe(self) -> &'static str {
        match self {
            StreamFault::None => "healthy (a route to the backup alone: the control)",
            StreamFault::Stall => "stalls after 3 deltas (connection left open)",
            StreamFault::Cut => "ends cleanly after 3 deltas, without finish reason or [DONE]",
            StreamFault::Reset => "resets the connection after 3 deltas",
        }
    }
}

/// What the application got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Seen {
    /// A status other than 200.
    Status(u16),
    /// A 200 and what looks like a whole stream, ending in `[DONE]` without
    /// an error; `by_backup` when the backup served it.
    Complete { by_backup: bool },
    /// A 200, then an error event in the stream.
    ErrorEvent,
    /// A 200, then the body ended without `[DONE]` and without an error: a
    /// broken answer passed on as a success.
    CutShort,
    /// A 200, then nothing for [`IDLE`].
    Stalled,
    /// A 200, then the connection to the gateway failed.
    Broken,
}

impl Seen {
    pub fn describe(self) -> String {
        match self {
            Seen::Status(s) => format!("status {s}"),
            Seen::Complete { by_backup: true } => "200, the backup's whole stream".to_owned(),
            Seen::Complete { by_backup: false } => {
                "200, the primary's stream ending in finish_reason and [DONE], as if whole"
                    .to_owned()
            }
            Seen::ErrorEvent => "200, then an error event".to_owned(),
            Seen::CutShort => "200, cut short with no error: looks like a success".to_owned(),
            Seen::Stalled => format!(
                "200, then nothing until the application's {} s idle timeout",
                IDLE.as_secs()
            ),
            Seen::Broken => "200, then the connection fails".to_owned(),
        }
    }
}

/// What each gateway does, measured on LiteLLM 1.106.2 and Portkey 1.15.2
/// with the export's settings (docs/INTEROP.md, "Streams cut or stalled
/// mid-way"). LiteLLM streams the primary's deltas as they come, so once they
/// have started it cannot fall back: a stall (after its `stream_timeout`) or a
/// reset ends in an error event, and a cut is closed with `finish_reason:
/// stop` and `[DONE]` of its own, a partial answer dressed as a whole one.
/// Portkey's Node build answers every streaming request with a 500 before any
/// upstream byte reaches the application (`TypeError: immutable` in its
/// `updateHeaders`: @hono/node-server's `Response` keeps the fetch response's
/// immutable headers; Portkey-AI/gateway#1389, #1550), the healthy control
/// included.
pub const EXPECTED: &[(GatewayKind, StreamFault, Seen)] = &[
    (
        GatewayKind::Litellm,
        StreamFault::None,
        Seen::Complete { by_backup: true },
    ),
    (GatewayKind::Litellm, StreamFault::Stall, Seen::ErrorEvent),
    (
        GatewayKind::Litellm,
        StreamFault::Cut,
        Seen::Complete { by_backup: false },
    ),
    (GatewayKind::Litellm, StreamFault::Reset, Seen::ErrorEvent),
    (GatewayKind::Portkey, StreamFault::None, Seen::Status(500)),
    (GatewayKind::Portkey, StreamFault::Stall, Seen::Status(500)),
    (GatewayKind::Portkey, StreamFault::Cut, Seen::Status(500)),
    (GatewayKind::Portkey, StreamFault::Reset, Seen::Status(500)),
];

/// One gateway's answers, by fault: what each request got.
#[derive(Debug, Clone)]
pub struct StreamRun {
    pub gateway: GatewayKind,
    pub seen: Vec<(StreamFault, Vec<Seen>)>,
    pub error: Option<String>,
}

/// Runs the streams plan on `gateway`.
pub fn run(root: &Path, gateway: GatewayKind) -> StreamRun {
    let mut run = StreamRun {
        gateway,
        seen: Vec::new(),
        error: None,
    };
    if let Err(e) = run_inner(root, gateway, &mut run) {
        run.error = Some(e);
    }
    run
}

fn run_inner(root: &Path, gateway: GatewayKind, run: &mut StreamRun) -> Result<(), String> {
    let work = root
        .join("target/interop/runs")
        .join(format!("streams-{}", gateway.name()));
    let _ = std::fs::remove_dir_all(&work);
    let home = work.join("home");
    std::fs::create_dir_all(&home).map_err(|e| format!("{}: {e}", home.display()))?;
    let template = root.join("tests/interop/plans/streams.toml");
    let file = switchyard::plan::load(&template).map_err(|e| e.to_string())?;
    let resolved = switchyard::plan::resolve(&file, &NoCatalog).map_err(|problems| {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        format!("{}: {}", template.display(), list.join("; "))
    })?;
    let plan_path = work.join("plan.toml");
    let portfolio = &resolved.portfolio;
    let fakes: Fakes = fakes::start_with(&file, &resolved, "streams", &plan_path, |i, key| {
        let o = &portfolio.offerings[i];
        let b = Behavior::default()
            .with_key(key)
            .with_non_streaming(true)
            .with_ttft(Ttft::Fixed(o.ttft.median_ms))
            .with_tokens(
                portfolio.workload.output_tokens.round() as u32,
                1000.0 / o.tokens_per_s,
            );
        match StreamFault::ALL
            .into_iter()
            .find(|f| o.id == format!("interop/{}", f.route()))
            .and_then(StreamFault::fault)
        {
            Some(fault) => b.with_fault(1.0, fault),
            None => b,
        }
    })?;
    let exported = crate::run::export(&home, &plan_path, gateway, &work)?;
    let mut gw = Gateway::start(root, gateway, &exported, &fakes, &work)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let max_tokens = (portfolio.workload.output_tokens.ceil() as u32).max(1) * 2;
    let client = reqwest::Client::builder()
        .timeout(LIMIT)
        .build()
        .map_err(|e| e.to_string())?;
    for fault in StreamFault::ALL {
        let keys: Vec<String> = (0..REQUESTS)
            .map(|i| format!("{}{i}", fault.route()))
            .collect();
        let bodies = runtime.block_on(async {
            let mut tasks = tokio::task::JoinSet::new();
            for key in &keys {
                let request = gw.request_with(&client, fault.route(), key, max_tokens, true);
                let key = key.clone();
                tasks.spawn(async move { (key, read_stream(request).await) });
            }
            let mut out = Vec::new();
            while let Some(done) = tasks.join_next().await {
                if let Ok(read) = done {
                    out.push(read);
                }
            }
            out
        });
        let backup_keys: Vec<String> = fakes
            .fakes
            .iter()
            .filter(|f| f.offering == "interop/backup")
            .flat_map(|f| f.server.served())
            .filter_map(|s| s.request_key)
            .collect();
        let mut log = String::new();
        for (key, read) in &bodies {
            log.push_str(&format!("{key}\t{}\n", read.log_line()));
        }
        let _ = std::fs::write(work.join(format!("{}.txt", fault.route())), log);
        let mut seen: Vec<Seen> = bodies
            .into_iter()
            .map(|(key, read)| read.seen(backup_keys.contains(&key)))
            .collect();
        seen.sort();
        run.seen.push((fault, seen));
    }
    if let Some(death) = gw.died() {
        return Err(death);
    }
    Ok(())
}

/// How one stream ended, before it is known who served it.
#[derive(Debug, Clone)]
enum Read {
    /// A status other than 200, and the start of its body.
    Status(u16, String),
    Ended(String),
    Stalled,
    Broken,
}

impl Read {
    /// One line for the run's log: what came back, with the body's start.
    fn log_line(&self) -> String {
        let flat = |t: &str| t.replace(['\n', '\t'], " ");
        match self {
            Read::Status(s, body) => format!("status {s}\t{}", flat(body)),
            Read::Ended(text) => format!("ended\t{}", flat(text)),
            Read::Stalled => "stalled".to_owned(),
            Read::Broken => "broken".to_owned(),
        }
    }

    fn seen(self, by_backup: bool) -> Seen {
        match self {
            Read::Status(s, _) => Seen::Status(s),
            Read::Stalled => Seen::Stalled,
            Read::Broken => Seen::Broken,
            Read::Ended(text) => {
                let error = text
                    .lines()
                    .filter_map(|l| l.strip_prefix("data:"))
                    .any(|d| d.trim_start().starts_with("{\"error\""));
                if error {
                    Seen::ErrorEvent
                } else if text.contains("[DONE]") {
                    Seen::Complete { by_backup }
                } else {
                    Seen::CutShort
                }
            }
        }
    }
}

/// Reads a streaming response with the [`IDLE`] limit between chunks.
async fn read_stream(request: reqwest::RequestBuilder) -> Read {
    let start = Instant::now();
    let mut resp = match request.send().await {
        Ok(r) => r,
        Err(_) => return Read::Broken,
    };
    let status = resp.status().as_u16();
    if status != 200 {
        let body = resp.text().await.unwrap_or_default();
        return Read::Status(status, body.chars().take(300).collect());
    }
    let mut text = String::new();
    while start.elapsed() < LIMIT {
        match tokio::time::timeout(IDLE, resp.chunk()).await {
            Err(_) => return Read::Stalled,
            Ok(Err(_)) => return Read::Broken,
            Ok(Ok(None)) => return Read::Ended(text),
            Ok(Ok(Some(bytes))) => text.push_str(&String::from_utf8_lossy(&bytes)),
        }
    }
    Read::Stalled
}

pub const BEGIN: &str = "<!-- interop-streams:begin (written by `make test-interop-docs`) -->";
pub const END: &str = "<!-- interop-streams:end -->";

/// The table of what each gateway returned.
pub fn table(runs: &[StreamRun]) -> String {
    let mut out = format!(
        "{REQUESTS} streaming requests per gateway and fault, read with a {} s idle limit; \
         the primary sends 3 content deltas first, the backup is healthy.\n\n\
         | gateway | the primary's stream | the application gets | expected |\n|---|---|---|---|\n",
        IDLE.as_secs()
    );
    for r in runs {
        if let Some(e) = &r.error {
            out.push_str(&format!(
                "| {} | | run failed: {} | |\n",
                r.gateway.name(),
                e.lines().next().unwrap_or_default().replace('|', "/")
            ));
            continue;
        }
        for (fault, seen) in &r.seen {
            let mut kinds: Vec<String> = Vec::new();
            for s in seen {
                let n = seen.iter().filter(|x| *x == s).count();
                let line = format!("{n}× {}", s.describe());
                if !kinds.contains(&line) {
                    kinds.push(line);
                }
            }
            let expected = expected(r.gateway, *fault);
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                r.gateway.name(),
                fault.describe(),
                kinds.join("; "),
                match expected {
                    Some(e) if seen.iter().all(|s| *s == e) => "yes".to_owned(),
                    Some(e) => format!("no: {}", e.describe()),
                    None => "not recorded".to_owned(),
                }
            ));
        }
    }
    out
}

fn expected(gateway: GatewayKind, fault: StreamFault) -> Option<Seen> {
    EXPECTED
        .iter()
        .find(|(g, f, _)| *g == gateway && *f == fault)
        .map(|e| e.2)
}

/// Every run or answer that is not what [`EXPECTED`] says.
pub fn mismatches(runs: &[StreamRun]) -> Vec<String> {
    let mut out = Vec::new();
    for r in runs {
        if let Some(e) = &r.error {
            out.push(format!("streams on {}: {e}", r.gateway.name()));
            continue;
        }
        for (fault, seen) in &r.seen {
            let want = expected(r.gateway, *fault);
            if seen.len() != REQUESTS || want.is_none_or(|w| seen.iter().any(|s| *s != w)) {
                out.push(format!(
                    "{} with a primary that {}: got {:?}, expected {:?}",
                    r.gateway.name(),
                    fault.describe(),
                    seen,
                    want
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ended(text: &str) -> Seen {
        Read::Ended(text.to_owned()).seen(false)
    }

    /// How an ended body is read: an error event wins, then `[DONE]`; without
    /// either the stream was cut short.
    #[test]
    fn ended_streams_are_classified_by_their_last_events() {
        assert_eq!(
            ended("data: {\"choices\":[]}\n\ndata: [DONE]\n\n"),
            Seen::Complete { by_backup: false }
        );
        assert_eq!(
            ended("data: {\"choices\":[]}\n\ndata: {\"error\": {\"message\": \"x\"}}\n\n"),
            Seen::ErrorEvent
        );
        assert_eq!(ended("data: {\"choices\":[]}\n\n"), Seen::CutShort);
        assert_eq!(
            Read::Status(500, String::new()).seen(true),
            Seen::Status(500)
        );
    }

    /// Every gateway has an expectation for every fault.
    #[test]
    fn every_gateway_and_fault_has_an_expectation() {
        for g in GatewayKind::ALL {
            for f in StreamFault::ALL {
                assert!(expected(g, f).is_some(), "{g:?} {f:?}");
            }
        }
    }
}
