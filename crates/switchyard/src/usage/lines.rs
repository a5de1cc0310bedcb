//! Reading a log line by line in bounded memory: one buffered read of the
//! file, one line (or CSV record) held at a time and never more than
//! [`MAX_LINE_BYTES`] of it, the bytes counted for progress and, for an
//! import, hashed on the way through (the hash identifies the file in the
//! catalog, so a second pass over a 1 GB file is not needed; a replay stores
//! nothing and skips it, a sixth of its time).

use std::io::{self, BufRead, BufReader, Read};

use sha2::{Digest, Sha256};

use super::limits::MAX_LINE_BYTES;

/// The read buffer: large enough that system calls do not dominate.
const READ_BUFFER: usize = 256 * 1024;

/// What a line buffer keeps after a line over the cap was dropped from it.
const MIN_KEPT: usize = 64 * 1024;

/// A reader that counts, and hashes when asked, what passes through it.
#[derive(Debug)]
struct Tap<R> {
    inner: R,
    hasher: Option<Sha256>,
    bytes: u64,
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(hasher) = &mut self.hasher {
            hasher.update(buf.get(..n).unwrap_or_default());
        }
        self.bytes += n as u64;
        Ok(n)
    }
}

/// What [`Lines::next`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chunk {
    /// A line (its newline and a `\r` before it removed) is in the buffer.
    Line {
        /// 1-based number of its first physical line.
        number: u64,
        /// False for a last line without a newline.
        terminated: bool,
        /// CSV only: the file ended inside a quoted field.
        open_quote: bool,
    },
    /// A line longer than [`MAX_LINE_BYTES`]; it was skipped, not held.
    TooLong { number: u64, bytes: u64 },
    /// The end of the file.
    End,
}

/// The lines of a file.
#[derive(Debug)]
pub struct Lines<R> {
    reader: BufReader<Tap<R>>,
    /// Physical lines consumed so far.
    line: u64,
    /// A newline inside a quoted field does not end a CSV record.
    csv_quotes: bool,
    /// The end was reached: the source is not read again (a database's
    /// `COPY` stream fails when read past its end, where a file gives 0).
    ended: bool,
}

impl<R: Read> Lines<R> {
    /// Lines of `inner`; with `csv_quotes`, a CSV record spanning lines
    /// (a quoted field holding a newline) is one line. With `hash`, the
    /// bytes are hashed as they pass ([`Self::finish`]).
    pub fn new(inner: R, csv_quotes: bool, hash: bool) -> Self {
        Self {
            reader: BufReader::with_capacity(
                READ_BUFFER,
                Tap {
                    inner,
                    hasher: hash.then(Sha256::new),
                    bytes: 0,
                },
            ),
            line: 0,
            csv_quotes,
            ended: false,
        }
    }

    /// Bytes read from the file so far (for progress).
    pub fn bytes_read(&self) -> u64 {
        self.reader.get_ref().bytes
    }

    /// The next line, appended to `buf` (whatever `buf` held before it is
    /// kept, so a block of lines can be gathered in one buffer).
    pub fn next(&mut self, buf: &mut Vec<u8>) -> io::Result<Chunk> {
        let start = buf.len();
        let number = self.line + 1;
        let mut in_quotes = false;
        let mut too_long: Option<u64> = None;
        let mut any = false;
        if self.ended {
            return Ok(Chunk::End);
        }
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                self.ended = true;
                if !any {
                    return Ok(Chunk::End);
                }
                self.line += 1;
                return Ok(match too_long {
                    Some(bytes) => Chunk::TooLong { number, bytes },
                    None => {
                        trim_end(buf, start);
                        Chunk::Line {
                            number,
                            terminated: false,
                            open_quote: in_quotes,
                        }
                    }
                });
            }
            any = true;
            let (take, newline) = match memchr::memchr(b'\n', available) {
                Some(at) => (at + 1, true),
                None => (available.len(), false),
            };
            let piece = available.get(..take).unwrap_or_default();
            if self.csv_quotes && memchr::memchr_iter(b'"', piece).count() % 2 == 1 {
                in_quotes = !in_quotes;
            }
            let held = buf.len() - start;
            match &mut too_long {
                Some(bytes) => *bytes += take as u64,
                None if held + take > MAX_LINE_BYTES => {
                    too_long = Some((held + take) as u64);
                    // Give the memory back: a 10 MB line must not keep 4 MiB.
                    buf.truncate(start);
                    buf.shrink_to(start.max(MIN_KEPT));
                }
                None => buf.extend_from_slice(piece),
            }
            self.reader.consume(take);
            if newline {
                self.line += 1;
                if !in_quotes {
                    return Ok(match too_long {
                        Some(bytes) => Chunk::TooLong { number, bytes },
                        None => {
                            trim_end(buf, start);
                            Chunk::Line {
                                number,
                                terminated: true,
                                open_quote: false,
                            }
                        }
                    });
                }
            }
        }
    }

    /// The bytes read and, when hashed, their SHA-256, once the end is
    /// reached.
    pub fn finish(self) -> (u64, Option<String>) {
        let tap = self.reader.into_inner();
        (tap.bytes, tap.hasher.map(|h| hex(&h.finalize())))
    }
}

/// Drops the line's `\n` and a `\r` before it; the line starts at `start`.
fn trim_end(buf: &mut Vec<u8>, start: usize) {
    if buf.len() > start && buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.len() > start && buf.last() == Some(&b'\r') {
            buf.pop();
        }
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 and size of everything `reader` gives (the catalog's
/// duplicate check before a long parse).
pub fn hash(reader: impl Read) -> io::Result<(u64, String)> {
    let mut lines = Lines::new(reader, false, true);
    io::copy(lines.reader.get_mut(), &mut io::sink())?;
    let (bytes, sha) = lines.finish();
    Ok((bytes, sha.unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &[u8], csv: bool) -> Vec<(Chunk, String)> {
        let mut lines = Lines::new(text, csv, false);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            buf.clear();
            let chunk = lines.next(&mut buf).expect("reads");
            if chunk == Chunk::End {
                return out;
            }
            out.push((chunk, String::from_utf8_lossy(&buf).into_owned()));
        }
    }

    fn line(number: u64, terminated: bool) -> Chunk {
        Chunk::Line {
            number,
            terminated,
            open_quote: false,
        }
    }

    #[test]
    fn lines_are_numbered_from_one_and_lose_their_newlines() {
        let got = all(b"a\r\nb\n\nc", false);
        assert_eq!(
            got,
            vec![
                (line(1, true), "a".to_owned()),
                (line(2, true), "b".to_owned()),
                (line(3, true), String::new()),
                (line(4, false), "c".to_owned()),
            ]
        );
    }

    #[test]
    fn a_quoted_newline_does_not_end_a_csv_record() {
        let got = all(b"a,\"x\ny\",b\nc\n\"open", true);
        assert_eq!(got[0], (line(1, true), "a,\"x\ny\",b".to_owned()));
        assert_eq!(got[1], (line(3, true), "c".to_owned()));
        assert_eq!(
            got[2].0,
            Chunk::Line {
                number: 4,
                terminated: false,
                open_quote: true
            }
        );
    }

    /// A source that fails when read past its end, as a `COPY` stream does.
    struct Once<'a>(&'a [u8], bool);

    impl Read for Once<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.1 {
                return Err(io::Error::other("read past the end"));
            }
            let n = self.0.len().min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            self.1 = n == 0;
            Ok(n)
        }
    }

    #[test]
    fn the_source_is_never_read_past_its_end() {
        let mut lines = Lines::new(Once(b"a\nb", false), false, false);
        let mut buf = Vec::new();
        for _ in 0..2 {
            assert!(matches!(
                lines.next(&mut buf).expect("reads"),
                Chunk::Line { .. }
            ));
        }
        for _ in 0..3 {
            assert_eq!(lines.next(&mut buf).expect("not read again"), Chunk::End);
        }
    }

    #[test]
    fn a_line_over_the_cap_is_skipped_not_held() {
        let mut text = vec![b'x'; MAX_LINE_BYTES + 10];
        text.extend_from_slice(b"\nok\n");
        let got = all(&text, false);
        assert_eq!(
            got[0].0,
            Chunk::TooLong {
                number: 1,
                bytes: MAX_LINE_BYTES as u64 + 11
            }
        );
        assert_eq!(got[1], (line(2, true), "ok".to_owned()));
    }

    #[test]
    fn the_hash_is_the_files_sha256() {
        let mut lines = Lines::new(&b"abc"[..], false, true);
        let mut buf = Vec::new();
        while lines.next(&mut buf).expect("reads") != Chunk::End {}
        let (bytes, sha) = lines.finish();
        assert_eq!(bytes, 3);
        let sha = sha.expect("hashed");
        assert_eq!(
            sha,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hash(&b"abc"[..]).expect("hashes"), (3, sha));
        let mut unhashed = Lines::new(&b"abc"[..], false, false);
        while unhashed.next(&mut buf).expect("reads") != Chunk::End {}
        assert_eq!(unhashed.finish(), (3, None));
    }
}
