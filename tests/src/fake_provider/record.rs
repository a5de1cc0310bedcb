//! The server's log of what it served, one [`Served`] per request.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use super::config::Fault;
use super::dialects::Dialect;

/// What the server did with one request. A record appears as soon as the
/// request arrives and is completed (`ended` set) when the server is done with
/// it, or when the client goes away first.
#[derive(Debug, Clone, PartialEq)]
pub struct Served {
    /// Sequential from 1 in arrival order; also sent as `x-request-id`.
    pub id: u64,
    /// `None` for paths no dialect owns (answered 404).
    pub dialect: Option<Dialect>,
    pub method: String,
    /// The path without the query string.
    pub path: String,
    /// The model the request asked for (from the body, or Gemini's path).
    pub model: Option<String>,
    /// The key the client sent through its dialect's auth mechanism, verbatim.
    pub key: Option<String>,
    /// The status the server answered with (`None` while it has sent no head,
    /// and forever for `Hang { send_headers: false }`).
    pub status: Option<u16>,
    /// The TTFT the server waited before the first content delta, when it sent
    /// (or was about to send) one.
    pub injected_ttft_ms: Option<f64>,
    pub fault: Option<Fault>,
    /// The client's request key from the prompt (`REQUEST_KEY_MARKER`), if any.
    pub request_key: Option<String>,
    /// Attempt number of that key at this server, from 0 (0 when untagged).
    pub attempt: u32,
    /// An outage rule had the server down for this request.
    pub down: bool,
    /// The RPM limit's bucket was empty: answered 429 without any draw.
    pub throttled: bool,
    /// The request asked to stream (`false` also for requests that never got
    /// that far, such as a 404).
    pub streaming: bool,
    /// Content deltas handed to the connection so far (for a non-streaming
    /// answer: the tokens in its body, once sent).
    pub output_tokens: u32,
    /// The client closed the connection (or dropped the response) before the
    /// server finished. Server shutdown in mid-request also sets it.
    pub client_disconnected: bool,
    pub started: Instant,
    /// When the first content delta was handed to the connection.
    pub first_content: Option<Instant>,
    /// When a stream's first content delta went into the socket (after the
    /// connection task picked it up). `None` for answers that do not stream.
    pub first_content_on_wire: Option<Instant>,
    pub ended: Option<Instant>,
}

/// All records, by id.
#[derive(Debug, Default)]
pub(crate) struct Log {
    records: Mutex<BTreeMap<u64, Served>>,
}

impl Log {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<u64, Served>> {
        // A panic while holding the lock cannot leave a record half-written in a
        // way that matters to a test, so a poisoned lock is still usable.
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn all(&self) -> Vec<Served> {
        self.lock().values().cloned().collect()
    }

    pub(crate) fn get(&self, id: u64) -> Option<Served> {
        self.lock().get(&id).cloned()
    }

    /// Starts a record and returns the guard that completes it.
    pub(crate) fn open(self: &Arc<Self>, record: Served) -> Recorder {
        let id = record.id;
        self.lock().insert(id, record);
        Recorder {
            log: Arc::clone(self),
            id,
            done: false,
        }
    }
}

/// Owns one request's record while the request is in flight. Dropping it before
/// [`Recorder::finish`] means whoever was serving the request was dropped — the
/// connection died under it — so the record is closed as a client disconnect.
#[derive(Debug)]
pub(crate) struct Recorder {
    log: Arc<Log>,
    id: u64,
    done: bool,
}

impl Recorder {
    pub(crate) fn update(&self, f: impl FnOnce(&mut Served)) {
        if let Some(record) = self.log.lock().get_mut(&self.id) {
            f(record);
        }
    }

    /// Counts one more content delta handed to the connection.
    pub(crate) fn token_sent(&self) {
        self.update(|r| {
            r.output_tokens += 1;
            if r.first_content.is_none() {
                r.first_content = Some(Instant::now());
            }
        });
    }

    /// A handle that outlives this guard, for the socket to stamp the record.
    pub(crate) fn handle(&self) -> RecordHandle {
        RecordHandle {
            log: Arc::clone(&self.log),
            id: self.id,
        }
    }

    /// Closes the record; `disconnected` says whether the client went away first.
    pub(crate) fn finish(mut self, disconnected: bool) {
        self.close(disconnected);
    }

    fn close(&mut self, disconnected: bool) {
        if !self.done {
            self.done = true;
            self.update(|r| {
                r.client_disconnected = disconnected;
                r.ended = Some(Instant::now());
            });
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.close(true);
    }
}

/// Names one record, for whoever stamps it from outside the request's task.
#[derive(Debug)]
pub(crate) struct RecordHandle {
    log: Arc<Log>,
    id: u64,
}

impl RecordHandle {
    /// Stamps the moment the first content delta went into the socket.
    pub(crate) fn first_content_on_wire(&self, at: Instant) {
        if let Some(record) = self.log.lock().get_mut(&self.id) {
            record.first_content_on_wire.get_or_insert(at);
        }
    }
}
