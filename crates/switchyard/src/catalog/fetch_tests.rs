//! Downloads from servers these tests start on 127.0.0.1, each answering
//! every request with one canned reply written byte by byte, so a body can be
//! cut, delayed or oversized exactly.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use super::*;

/// How long a test server waits for its connections before it stops.
const SERVER_LIFE: Duration = Duration::from_secs(20);

/// Starts a server that answers each connection with `reply`; returns its
/// base URL. The server thread ends after [`SERVER_LIFE`].
fn serve(reply: impl Fn(&mut TcpStream) + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("addr: {e}"));
    listener
        .set_nonblocking(true)
        .unwrap_or_else(|e| panic!("nonblocking: {e}"));
    let reply = std::sync::Arc::new(reply);
    std::thread::spawn(move || {
        let end = Instant::now() + SERVER_LIFE;
        while Instant::now() < end {
            match listener.accept() {
                Ok((mut stream, _)) => {
                    let reply = reply.clone();
                    std::thread::spawn(move || {
                        let _ = stream.set_nonblocking(false);
                        read_request(&mut stream);
                        reply(&mut stream);
                    });
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    format!("http://{addr}/prices.json")
}

/// Reads up to the end of the request head (bounded).
fn read_request(stream: &mut TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while head.len() < 16 * 1024 && !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
}

fn send(stream: &mut TcpStream, bytes: &[u8]) {
    let _ = stream.write_all(bytes);
    let _ = stream.flush();
}

fn limits(max_bytes: u64) -> FetchLimits {
    FetchLimits {
        timeout: Duration::from_secs(10),
        max_bytes,
    }
}

async fn get(url: &str, limits: FetchLimits) -> Result<Fetched, FetchError> {
    fetch(url, limits).await
}

#[tokio::test]
async fn a_whole_body_is_returned_with_its_type_and_time() {
    let url = serve(|s| {
        send(
            s,
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{\"a\": [1, 2]}",
        )
    });
    let got = get(&url, limits(13))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.body, b"{\"a\": [1, 2]}");
    assert_eq!(got.content_type.as_deref(), Some("application/json"));
    assert_eq!(got.url, url);
    assert!(
        crate::utc::parse_timestamp(&got.retrieved_at).is_some(),
        "{}",
        got.retrieved_at
    );
}

#[tokio::test]
async fn a_status_other_than_2xx_is_named() {
    let url = serve(|s| {
        send(
            s,
            b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\nConnection: close\r\n\r\noops",
        )
    });
    let e = get(&url, limits(1000)).await.expect_err("500");
    assert_eq!(
        e.to_string(),
        format!("{url}: the server answered 500 Internal Server Error, not the list")
    );
}

#[tokio::test]
async fn a_body_shorter_than_its_content_length_is_cut() {
    let url = serve(|s| {
        send(
            s,
            b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n{\"only\": \"a start",
        );
        // Closing the socket ends the body early.
    });
    let e = get(&url, limits(10_000)).await.expect_err("cut");
    match &e {
        FetchError::Cut { got, expected, .. } => {
            assert_eq!(*got, 17);
            assert_eq!(expected, " of 1000 (its Content-Length)");
        }
        other => panic!("not a cut: {other}"),
    }
    assert!(
        e.to_string().starts_with(&format!(
            "{url}: the download broke off after 17 bytes of 1000"
        )),
        "{e}"
    );
}

#[tokio::test]
async fn a_chunked_body_that_breaks_off_is_cut() {
    let url = serve(|s| {
        send(
            s,
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\n{\"a\":\r\n",
        )
    });
    let e = get(&url, limits(10_000)).await.expect_err("cut");
    assert!(matches!(e, FetchError::Cut { got: 5, .. }), "{e}");
}

#[tokio::test]
async fn a_declared_length_over_the_cap_is_refused_unread() {
    let url = serve(|s| {
        send(
            s,
            b"HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\nConnection: close\r\n\r\n{",
        )
    });
    let e = get(&url, limits(1000)).await.expect_err("too large");
    assert_eq!(
        e,
        FetchError::TooLarge {
            url: url.clone(),
            max: 1000
        }
    );
    assert_eq!(
        e.to_string(),
        format!("{url}: larger than the download's cap of 1000 bytes")
    );
}

#[tokio::test]
async fn a_streamed_body_stops_at_the_cap() {
    // No Content-Length: the body runs until the server closes, and this one
    // would send 10 MB; reading must stop soon after the cap.
    let url = serve(|s| {
        send(s, b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        let block = [b' '; 64 * 1024];
        for _ in 0..160 {
            if s.write_all(&block).is_err() {
                return;
            }
        }
    });
    let e = get(&url, limits(100_000)).await.expect_err("too large");
    assert!(
        matches!(e, FetchError::TooLarge { max: 100_000, .. }),
        "{e}"
    );
    // A body of exactly the cap is whole.
    let url = serve(|s| send(s, b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n0123456789"));
    let got = get(&url, limits(10))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.body, b"0123456789");
}

#[tokio::test]
async fn a_server_that_does_not_answer_in_time_is_a_timeout() {
    let url = serve(|s| {
        std::thread::sleep(Duration::from_secs(3));
        send(s, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
    });
    let started = Instant::now();
    let e = get(
        &url,
        FetchLimits {
            timeout: Duration::from_millis(300),
            max_bytes: 100,
        },
    )
    .await
    .expect_err("timeout");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        e.to_string(),
        format!("{url}: no complete answer within 0.3 s (the download's timeout)")
    );
}

#[tokio::test]
async fn no_server_and_bad_urls_are_named() {
    let port = {
        let l = TcpListener::bind(("127.0.0.1", 0)).unwrap_or_else(|e| panic!("{e}"));
        l.local_addr().unwrap_or_else(|e| panic!("{e}")).port()
    };
    let url = format!("http://127.0.0.1:{port}/models");
    let e = get(&url, limits(100)).await.expect_err("refused");
    assert!(
        e.to_string()
            .starts_with(&format!("{url}: cannot connect: ")),
        "{e}"
    );
    let e = get("ftp://example.invalid/x.json", limits(100))
        .await
        .expect_err("ftp");
    assert_eq!(
        e.to_string(),
        "`ftp://example.invalid/x.json` is not a URL to download from: `ftp:` is not http or https"
    );
    let e = get("prices.json", limits(100)).await.expect_err("relative");
    assert!(matches!(e, FetchError::Url { .. }), "{e}");
}

#[tokio::test]
async fn credentials_in_the_url_are_never_shown() {
    let url = serve(|s| send(s, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
    let with_secret = url.replace("http://", "http://me:pw-secret-123@");
    let e = get(&with_secret, limits(100)).await.expect_err("404");
    let text = e.to_string();
    assert!(
        !text.contains("pw-secret-123") && !text.contains("me:"),
        "{text}"
    );
    assert_eq!(
        text,
        format!("{url}: the server answered 404 Not Found, not the list")
    );
}

#[tokio::test]
async fn a_key_in_the_query_is_never_shown_or_kept() {
    let body = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    let url = serve(move |s| send(s, body));
    let fetched = get(&format!("{url}?key=pw-secret-456#part"), limits(100))
        .await
        .expect("fetched");
    assert_eq!(fetched.url, url, "the URL kept as the source");
    let url = serve(|s| {
        send(
            s,
            b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n",
        )
    });
    let e = get(&format!("{url}?api_key=pw-secret-456"), limits(100))
        .await
        .expect_err("500");
    assert!(!e.to_string().contains("pw-secret-456"), "{e}");
}
