//! Answers to generation requests that did not ask to stream: what gateways
//! send upstream. The whole generation time (TTFT plus every token) passes
//! before anything is sent, so a client's timeout cuts exactly the attempts the
//! planning model says it cuts (`L > timeout_ms`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Response;

use super::config::Fault;
use super::dialects::GenRequest;
use super::faults::{self, StreamJob};
use super::record::Recorder;
use super::wire::Connection;
use super::{Body, Responder, done, encoder, output_tokens};

/// One request to answer with a single body. Errors, rate limits and hangs
/// without headers were answered before this point.
#[derive(Debug)]
pub(super) struct Answer {
    pub request: GenRequest,
    pub fault: Option<Fault>,
    pub ttft_ms: f64,
    /// The client's key when `hostile_echo` is on.
    pub echo_key: Option<String>,
    /// When the request arrived: the generation time counts from here.
    pub received: Instant,
}

fn ms(v: f64) -> Duration {
    Duration::from_secs_f64(v.max(0.0) / 1000.0)
}

/// The JSON answer after the generation time, or the fault's misbehaviour.
pub(super) async fn answer(
    r: &Responder<'_>,
    answer: Answer,
    rec: Recorder,
    hooks: Arc<Connection>,
) -> Response<Body> {
    let behavior = &r.shared.behavior;
    let tokens = output_tokens(behavior, &answer.request);
    let enc = encoder(r, behavior, answer.request);
    match answer.fault {
        // Faults whose whole point is the body: the same bytes as when
        // streaming, under a JSON content type.
        Some(Fault::Hang { send_headers: true }) => {
            let (response, sink) = r.channel("application/json");
            rec.update(|s| s.status = Some(200));
            tokio::spawn(faults::hang(sink, rec));
            return response;
        }
        Some(Fault::HugeBody { bytes }) => {
            let (response, sink) = r.channel("application/json");
            rec.update(|s| s.status = Some(200));
            tokio::spawn(faults::huge(bytes, sink, rec));
            return response;
        }
        Some(Fault::EndlessBody) => {
            let (response, sink) = r.channel("application/json");
            rec.update(|s| s.status = Some(200));
            let job = StreamJob {
                enc,
                fault: answer.fault,
                tokens,
                received: answer.received,
                ttft_ms: answer.ttft_ms,
                per_token_ms: behavior.per_token_ms,
                echo_key: answer.echo_key,
                hooks,
            };
            tokio::spawn(faults::produce(job, sink, rec));
            return response;
        }
        _ => {}
    }
    let generation_ms = answer.ttft_ms + behavior.per_token_ms * f64::from(tokens);
    tokio::time::sleep_until((answer.received + ms(generation_ms)).into()).await;
    if let Some(Fault::ResetMidStream { .. }) = answer.fault {
        // Nothing was sent, so "mid-stream" is before the head: the connection
        // dies with an RST, and hyper drops this future (and the record, which
        // then reads as a disconnect).
        hooks.reset.notify_one();
        let _rec = rec;
        return std::future::pending().await;
    }
    if let Some(Fault::StallMidStream { .. }) = answer.fault {
        // The head goes out when the answer would have; the body never does.
        let (response, sink) = r.channel("application/json");
        rec.update(|s| s.status = Some(200));
        tokio::spawn(faults::hang(sink, rec));
        return response;
    }
    let body: Bytes = match answer.fault {
        Some(Fault::MalformedSse) => enc.malformed_complete(answer.echo_key.as_deref()),
        // Half the JSON, then a clean end: a body cut mid-way.
        Some(Fault::CutMidStream { .. }) => {
            let whole = enc.complete(tokens);
            whole.slice(..whole.len() / 2)
        }
        _ => enc.complete(tokens),
    };
    let now = Instant::now();
    rec.update(|s| {
        s.injected_ttft_ms = Some(answer.ttft_ms);
        s.output_tokens = tokens;
        s.first_content = Some(now);
    });
    let response = Responder::finish(
        r.base(hyper::StatusCode::OK, "application/json"),
        Full::new(body).boxed(),
    );
    done(rec, response)
}
