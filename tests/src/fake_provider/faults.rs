//! The body producers: a healthy stream and each fault that has a body. Each
//! runs as its own task feeding a small bounded channel that the response body
//! reads, so a slow or vanished client exerts backpressure instead of growing
//! memory, and every wait also watches for the client going away.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::body::Frame;
use tokio::sync::mpsc;

use super::config::Fault;
use super::dialects::{COMMENT, Encoder};
use super::record::Recorder;
use super::wire::Connection;

/// Frames the response body reads.
pub(crate) type FrameTx = mpsc::Sender<Result<Frame<Bytes>, Infallible>>;

/// Frames buffered between a producer and its connection: small, so an endless
/// body never runs ahead of the client.
pub(crate) const CHANNEL_FRAMES: usize = 8;

/// Bytes per `EndlessBody` batch, and the pause between batches.
const ENDLESS_BATCH_BYTES: usize = 8 * 1024;
const ENDLESS_INTERVAL: Duration = Duration::from_millis(1);

/// `HugeBody` is sent in chunks of this one static buffer (no allocation per
/// chunk).
static HUGE_CHUNK: [u8; 64 * 1024] = [b'x'; 64 * 1024];

/// The client went away (the body, and with it the channel's receiver, was
/// dropped).
#[derive(Debug)]
pub(crate) struct Gone;

/// The sending side of one response body.
#[derive(Debug)]
pub(crate) struct Sink {
    tx: FrameTx,
}

impl Sink {
    pub(crate) fn new(tx: FrameTx) -> Self {
        Sink { tx }
    }

    async fn send(&self, bytes: Bytes) -> Result<(), Gone> {
        self.tx.send(Ok(Frame::data(bytes))).await.map_err(|_| Gone)
    }

    /// Sleeps until `deadline`, returning early if the client goes away.
    async fn sleep_until(&self, deadline: Instant) -> Result<(), Gone> {
        tokio::select! {
            () = tokio::time::sleep_until(deadline.into()) => Ok(()),
            () = self.tx.closed() => Err(Gone),
        }
    }

    /// Waits until the connection has taken every queued frame (so hyper has
    /// them), bounded so a stuck client cannot hold the producer forever.
    async fn drained(&self) -> Result<(), Gone> {
        let deadline = Instant::now() + Duration::from_secs(2);
        while self.tx.capacity() < self.tx.max_capacity() && Instant::now() < deadline {
            self.sleep_until(Instant::now() + Duration::from_millis(1))
                .await?;
        }
        Ok(())
    }
}

/// Everything a streaming producer needs to know.
#[derive(Debug)]
pub(crate) struct StreamJob {
    pub enc: Encoder,
    /// Only the faults that have a streamed body reach a producer.
    pub fault: Option<Fault>,
    pub tokens: u32,
    /// When the request arrived: the TTFT counts from here.
    pub received: Instant,
    pub ttft_ms: f64,
    pub per_token_ms: f64,
    /// The client's key when `hostile_echo` is on.
    pub echo_key: Option<String>,
    /// The connection's hooks: the RST, and the socket's first-content stamp.
    pub hooks: Arc<Connection>,
}

fn ms(v: f64) -> Duration {
    Duration::from_secs_f64(v.max(0.0) / 1000.0)
}

/// Runs a streaming body to its end and closes the record.
pub(crate) async fn produce(job: StreamJob, sink: Sink, rec: Recorder) {
    let outcome = match job.fault {
        Some(Fault::EndlessBody) => endless(&job, &sink, &rec).await,
        _ => stream(&job, &sink, &rec).await,
    };
    // A producer that returns Ok finished on its own terms (including a reset it
    // performed); Gone means the client left first.
    rec.finish(outcome.is_err());
}

/// How a stream with a mid-stream fault stops after its last delta.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// An RST.
    Reset,
    /// Silence with the connection open.
    Stall,
    /// A clean end of body without the completion.
    Cut,
}

/// Where (after how many deltas) and how a faulty stream stops early.
fn early_stop(fault: Option<Fault>, tokens: u32) -> Option<(u32, Stop)> {
    let (after, stop) = match fault? {
        Fault::ResetMidStream { after_tokens } => (after_tokens, Stop::Reset),
        Fault::StallMidStream { after_tokens } => (after_tokens, Stop::Stall),
        Fault::CutMidStream { after_tokens } => (after_tokens, Stop::Cut),
        _ => return None,
    };
    Some((after.min(tokens), stop))
}

/// A healthy stream, possibly with a malformed line in it, or stopped early by
/// a reset, a stall or a cut.
async fn stream(job: &StreamJob, sink: &Sink, rec: &Recorder) -> Result<(), Gone> {
    for event in job.enc.preamble() {
        sink.send(event).await?;
    }
    let stop = early_stop(job.fault, job.tokens);
    let reset_after = stop.map(|(after, _)| after);
    let malformed = job.fault == Some(Fault::MalformedSse);
    let will_send_content = job.tokens > 0 && reset_after != Some(0);
    if will_send_content {
        rec.update(|r| r.injected_ttft_ms = Some(job.ttft_ms));
    }
    let first = job.received + ms(job.ttft_ms);
    for i in 0..job.tokens {
        if reset_after == Some(i) {
            break;
        }
        // Deadlines from the first delta, not from the previous send, so
        // scheduling jitter does not accumulate.
        sink.sleep_until(first + ms(job.per_token_ms * f64::from(i)))
            .await?;
        if i == 0 {
            job.hooks.arm_first_content(rec.handle());
        }
        // A stream stopped early never carries Gemini's finishing chunk.
        let last = i + 1 == job.tokens && stop.is_none();
        sink.send(job.enc.delta(u64::from(i), last)).await?;
        rec.token_sent();
        if malformed && i == 0 {
            sink.send(job.enc.malformed(job.echo_key.as_deref()))
                .await?;
        }
    }
    match stop.map(|(_, how)| how) {
        Some(Stop::Stall) => {
            // Headers and deltas stay with the client; nothing follows. The
            // task ends when the body is dropped: the client left, or the
            // server shut its connections down.
            sink.tx.closed().await;
            return Err(Gone);
        }
        Some(Stop::Cut) => return Ok(()),
        Some(Stop::Reset) | None => {}
    }
    if reset_after.is_some() {
        // Let the deltas reach the socket, then have the connection task drop it
        // with SO_LINGER 0, and wait for the body to be dropped with it.
        sink.drained().await?;
        sink.sleep_until(Instant::now() + Duration::from_millis(20))
            .await?;
        job.hooks.reset.notify_one();
        sink.tx.closed().await;
        return Ok(());
    }
    if malformed && job.tokens == 0 {
        sink.send(job.enc.malformed(job.echo_key.as_deref()))
            .await?;
    }
    for event in job.enc.epilogue(job.tokens) {
        sink.send(event).await?;
    }
    Ok(())
}

/// Comment and content lines forever; returns only when the client is gone.
async fn endless(job: &StreamJob, sink: &Sink, rec: &Recorder) -> Result<(), Gone> {
    for event in job.enc.preamble() {
        sink.send(event).await?;
    }
    rec.update(|r| r.injected_ttft_ms = Some(job.ttft_ms));
    sink.sleep_until(job.received + ms(job.ttft_ms)).await?;
    let mut index: u64 = 0;
    let mut next = Instant::now();
    loop {
        let mut batch = Vec::with_capacity(ENDLESS_BATCH_BYTES + 512);
        batch.extend_from_slice(COMMENT);
        let mut count = 0u32;
        while batch.len() < ENDLESS_BATCH_BYTES {
            batch.extend_from_slice(&job.enc.delta(index, false));
            index += 1;
            count += 1;
        }
        sink.send(Bytes::from(batch)).await?;
        rec.update(|r| {
            r.output_tokens = r.output_tokens.saturating_add(count);
            if r.first_content.is_none() {
                r.first_content = Some(Instant::now());
            }
        });
        next += ENDLESS_INTERVAL;
        sink.sleep_until(next.max(Instant::now())).await?;
    }
}

/// `data: ` and then `bytes` bytes without a newline.
pub(crate) async fn huge(bytes: u64, sink: Sink, rec: Recorder) {
    let outcome = async {
        sink.send(Bytes::from_static(b"data: ")).await?;
        let mut left = bytes;
        while left > 0 {
            let n = usize::try_from(left.min(HUGE_CHUNK.len() as u64)).unwrap_or(HUGE_CHUNK.len());
            sink.send(Bytes::from_static(&HUGE_CHUNK[..n])).await?;
            left -= n as u64;
        }
        Ok::<(), Gone>(())
    }
    .await;
    rec.finish(outcome.is_err());
}

/// Headers are out; now nothing, until the client goes away.
pub(crate) async fn hang(sink: Sink, rec: Recorder) {
    sink.tx.closed().await;
    rec.finish(true);
}
