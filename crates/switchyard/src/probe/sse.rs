//! An incremental decoder for server-sent events, with hard limits.
//!
//! Probes must time the first content delta to the millisecond and must survive
//! hostile streams (a 1 GB line, an endless body), so the decoder sees the body
//! chunk by chunk as it arrives and refuses any line longer than its limit instead
//! of buffering it. Only what the probes need of the SSE format is kept: the
//! `event` and `data` fields; comments and other fields are skipped.

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseEvent {
    /// The `event:` field, if any.
    pub event: Option<String>,
    /// The `data:` lines, joined with newlines.
    pub data: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SseError {
    #[error("an SSE line is longer than {limit} bytes")]
    LineTooLong { limit: usize },
    #[error("the event stream is not UTF-8")]
    NotUtf8,
}

#[derive(Debug)]
pub struct SseDecoder {
    line: Vec<u8>,
    event: Option<String>,
    data: Option<String>,
    max_line: usize,
}

impl SseDecoder {
    pub fn new(max_line: usize) -> Self {
        Self {
            line: Vec::new(),
            event: None,
            data: None,
            max_line,
        }
    }

    /// Feeds a chunk of the body and appends the events it completes to `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        for &byte in chunk {
            if byte == b'\n' {
                let line = std::mem::take(&mut self.line);
                self.line_done(&line, out)?;
            } else {
                if self.line.len() >= self.max_line {
                    return Err(SseError::LineTooLong {
                        limit: self.max_line,
                    });
                }
                self.line.push(byte);
            }
        }
        Ok(())
    }

    /// Dispatches an event left without its closing blank line when the body ends.
    pub fn finish(&mut self, out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            self.line_done(&line, out)?;
        }
        self.dispatch(out);
        Ok(())
    }

    fn line_done(&mut self, line: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            self.dispatch(out);
            return Ok(());
        }
        let line = std::str::from_utf8(line).map_err(|_| SseError::NotUtf8)?;
        if line.starts_with(':') {
            return Ok(());
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            },
            _ => {}
        }
        Ok(())
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        let event = self.event.take();
        if let Some(data) = self.data.take() {
            out.push(SseEvent { event, data });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(chunks: &[&[u8]]) -> Result<Vec<SseEvent>, SseError> {
        let mut decoder = SseDecoder::new(64);
        let mut out = Vec::new();
        for chunk in chunks {
            decoder.feed(chunk, &mut out)?;
        }
        decoder.finish(&mut out)?;
        Ok(out)
    }

    #[test]
    fn events_split_across_chunks() {
        let events = decode(&[
            b"event: ping\nda",
            b"ta: {}\r\n\r\n: comment\ndata: a\ndata: b\n\n",
        ]);
        assert_eq!(
            events,
            Ok(vec![
                SseEvent {
                    event: Some("ping".into()),
                    data: "{}".into()
                },
                SseEvent {
                    event: None,
                    data: "a\nb".into()
                },
            ])
        );
    }

    #[test]
    fn a_last_event_without_blank_line_is_kept() {
        assert_eq!(decode(&[b"data: [DONE]"]).map(|e| e.len()), Ok(1));
    }

    #[test]
    fn long_lines_are_refused_not_buffered() {
        let long = vec![b'x'; 1000];
        assert_eq!(decode(&[&long]), Err(SseError::LineTooLong { limit: 64 }));
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        assert_eq!(decode(&[b"data: \xff\n\n"]), Err(SseError::NotUtf8));
    }

    #[test]
    fn events_without_data_are_not_dispatched() {
        assert_eq!(decode(&[b"event: x\n\n"]), Ok(vec![]));
    }
}
