//! One connection's hooks into its socket: the reset a producer can ask for, and
//! the moment the first content delta of a stream really left the server.
//!
//! Why the wire and not the hand-off: a producer hands a delta to a channel,
//! and hyper's connection task writes it when the runtime next polls that task.
//! Under load that hop takes milliseconds, and it is the server's delay, not the
//! client's. A probe's TTFT accuracy is judged against the moment the bytes
//! went into the socket, so a busy test server does not read as client error.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;

use super::record::RecordHandle;

/// Shared by a connection's task, its socket wrapper and the producers of the
/// responses it serves (one at a time: HTTP/1.1 without pipelining).
#[derive(Debug, Default)]
pub(crate) struct Connection {
    /// Wakes the connection task to abort the connection with an RST.
    pub reset: Notify,
    /// Fast path: most writes find nothing armed and skip the lock.
    armed: AtomicBool,
    first_content: Mutex<Option<RecordHandle>>,
}

impl Connection {
    /// The next write on this socket carries `record`'s first content delta.
    /// Called just before the delta is handed over, so the write cannot come
    /// first.
    pub(crate) fn arm_first_content(&self, record: RecordHandle) {
        *self
            .first_content
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(record);
        self.armed.store(true, Ordering::Release);
    }

    /// Armed: the time just before a write, to stamp the record with if the
    /// write goes through. Taken before the system call because a thread
    /// preempted after it would stamp late, and a late stamp would flatter the
    /// client.
    fn before_write(&self) -> Option<Instant> {
        self.armed.load(Ordering::Acquire).then(Instant::now)
    }

    /// `bytes` went into the socket; `began` is what [`Self::before_write`] said.
    fn wrote(&self, bytes: usize, began: Option<Instant>) {
        let Some(began) = began else { return };
        if bytes == 0 || !self.armed.swap(false, Ordering::AcqRel) {
            return;
        }
        let armed = self
            .first_content
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(record) = armed {
            record.first_content_on_wire(began);
        }
    }
}

/// The connection's socket, reporting each successful write to its
/// [`Connection`]. Reads pass through untouched.
#[derive(Debug)]
pub(crate) struct StampedIo<T> {
    inner: T,
    connection: Arc<Connection>,
}

impl<T> StampedIo<T> {
    pub(crate) fn new(inner: T, connection: Arc<Connection>) -> Self {
        StampedIo { inner, connection }
    }

    fn after_write(&self, written: &Poll<io::Result<usize>>, began: Option<Instant>) {
        if let Poll::Ready(Ok(bytes)) = written {
            self.connection.wrote(*bytes, began);
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for StampedIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for StampedIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let began = self.connection.before_write();
        let written = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.after_write(&written, began);
        written
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let began = self.connection.before_write();
        let written = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.after_write(&written, began);
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
