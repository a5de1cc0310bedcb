//! A price-list server on 127.0.0.1 for the price-refresh tests (the CLI's
//! `catalog import --url`, the app's "Check for price changes"). It answers
//! every request with one [`Reply`], written as raw HTTP/1.1 bytes, so a test
//! controls exactly how a download goes wrong: a status, a delay, a body that
//! breaks off before its `Content-Length`, an HTML page.
//!
//! Plain threads, no runtime: it serves a plain `#[test]` and an async one
//! alike. It stops when dropped, and in any case after [`MAX_LIFE`].

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The longest a server runs, whatever its test does.
pub const MAX_LIFE: Duration = Duration::from_secs(120);

/// How a server answers.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with this body and `Content-Type`.
    Body {
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// This status, with a short text body.
    Status(u16),
    /// Nothing until this long has passed (then a small JSON body): a
    /// download with a shorter timeout gives up first.
    Slow(Duration),
    /// A `Content-Length` of the whole body, then only its first `sent`
    /// bytes, then the connection closes.
    Cut { body: Vec<u8>, sent: usize },
}

impl Reply {
    /// 200 with a JSON body, served as GitHub's raw files are
    /// (`text/plain`).
    pub fn json(body: impl Into<Vec<u8>>) -> Self {
        Reply::Body {
            content_type: "text/plain; charset=utf-8",
            body: body.into(),
        }
    }

    /// 200 with an HTML page, as a login wall or a wrong URL gives.
    pub fn html() -> Self {
        Reply::Body {
            content_type: "text/html; charset=utf-8",
            body: b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Sign in to continue</body></html>\n".to_vec(),
        }
    }
}

#[derive(Debug)]
struct Shared {
    reply: Mutex<Reply>,
    stop: AtomicBool,
    /// The head of every request served, as text.
    requests: Mutex<Vec<String>>,
}

/// A running server. Dropping it stops it.
#[derive(Debug)]
pub struct PriceServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl PriceServer {
    pub fn start(reply: Reply) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .unwrap_or_else(|e| panic!("binding 127.0.0.1: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("local address: {e}"));
        listener
            .set_nonblocking(true)
            .unwrap_or_else(|e| panic!("nonblocking: {e}"));
        let shared = Arc::new(Shared {
            reply: Mutex::new(reply),
            stop: AtomicBool::new(false),
            requests: Mutex::new(Vec::new()),
        });
        let state = Arc::clone(&shared);
        let accept = std::thread::spawn(move || accept_loop(&listener, &state));
        Self {
            addr,
            shared,
            accept: Some(accept),
        }
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{}", self.addr, path.trim_start_matches('/'))
    }

    /// Answers later requests with `reply`.
    pub fn set_reply(&self, reply: Reply) {
        *self
            .shared
            .reply
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = reply;
    }

    /// The heads of the requests served so far, oldest first.
    pub fn requests(&self) -> Vec<String> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for PriceServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    let end = Instant::now() + MAX_LIFE;
    let mut connections = Vec::new();
    while Instant::now() < end && !shared.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let shared = Arc::clone(shared);
                connections.push(std::thread::spawn(move || serve(stream, &shared)));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    shared.stop.store(true, Ordering::SeqCst);
    for c in connections {
        let _ = c.join();
    }
}

fn serve(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Some(head) = read_head(&mut stream) else {
        return;
    };
    shared
        .requests
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(head);
    let reply = shared
        .reply
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    match reply {
        Reply::Body { content_type, body } => {
            respond(&mut stream, "200 OK", content_type, body.len(), &body);
        }
        Reply::Status(code) => {
            let body = format!("status {code}\n");
            respond(
                &mut stream,
                &format!("{code} {}", reason(code)),
                "text/plain",
                body.len(),
                body.as_bytes(),
            );
        }
        Reply::Slow(delay) => {
            let until = Instant::now() + delay;
            while Instant::now() < until {
                if shared.stop.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            respond(&mut stream, "200 OK", "application/json", 2, b"{}");
        }
        Reply::Cut { body, sent } => {
            let part = &body[..sent.min(body.len())];
            respond(&mut stream, "200 OK", "application/json", body.len(), part);
        }
    }
}

/// The request head, up to the blank line (bounded).
fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 64 * 1024 || stream.read(&mut byte).ok()? != 1 {
            return None;
        }
        head.push(byte[0]);
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

/// Writes a response whose head declares `length` bytes, followed by `body`
/// (which may be shorter), then closes.
fn respond(stream: &mut TcpStream, status: &str, content_type: &str, length: usize, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
}

fn reason(code: u16) -> &'static str {
    match code {
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
