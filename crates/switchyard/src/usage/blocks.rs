//! The lines of a read gathered into blocks and parsed on every core, the
//! outcomes handed back in the file's order.
//!
//! Parsing is most of a read's time (splitting CSV, reading each row's
//! metadata JSON), and lines are independent ([`super::parse`]: readers are
//! pure). So the read pass gathers about a mebibyte of lines into a block,
//! a few blocks into a batch, parses the blocks of one batch in parallel
//! while it reads the next, and then feeds the records to its sink in line
//! order. The sink sees exactly the sequence a one-line-at-a-time read
//! would give, so every sum is the same to the bit, and the first bad line
//! is still the first one reported. Memory is two batches of text and
//! their parsed records, whatever the file's size.

use rayon::prelude::*;

use super::error::{Bad, Reason};
use super::lines::Chunk;
use super::parse::{LineParser, Parsed};

/// About this many bytes of lines make a block: large enough that handing
/// it to a thread costs nothing beside parsing it.
pub const BLOCK_BYTES: usize = 1 << 20;

/// Blocks in a batch, per thread: enough that no thread waits for the
/// slowest block of a batch for long.
pub const BLOCKS_PER_THREAD: usize = 2;

/// One line (or CSV record) of a block: where its text is, or why it has none.
#[derive(Debug, Clone, Copy)]
pub struct LineAt {
    pub number: u64,
    pub kind: LineKind,
}

#[derive(Debug, Clone, Copy)]
pub enum LineKind {
    /// Its text is `text[start..end]` of the block.
    Text {
        start: usize,
        end: usize,
        terminated: bool,
        open_quote: bool,
    },
    /// Longer than the cap; its text was never held.
    TooLong { bytes: u64 },
}

/// Lines read one after the other, their texts side by side.
#[derive(Debug, Default)]
pub struct Block {
    pub text: Vec<u8>,
    pub lines: Vec<LineAt>,
}

impl Block {
    /// Adds what [`super::lines::Lines::next`] just appended to `text`
    /// (from `start`), as `chunk` describes it.
    pub fn push(&mut self, start: usize, chunk: Chunk) {
        match chunk {
            Chunk::Line {
                number,
                terminated,
                open_quote,
            } => self.lines.push(LineAt {
                number,
                kind: LineKind::Text {
                    start,
                    end: self.text.len(),
                    terminated,
                    open_quote,
                },
            }),
            Chunk::TooLong { number, bytes } => self.lines.push(LineAt {
                number,
                kind: LineKind::TooLong { bytes },
            }),
            Chunk::End => {}
        }
    }

    /// The block with its lines dropped and its buffers kept, for reuse.
    pub fn emptied(mut self) -> Self {
        self.text.clear();
        self.lines.clear();
        self
    }

    pub fn is_full(&self) -> bool {
        self.text.len() >= BLOCK_BYTES
    }
}

/// What became of one line: nothing (blank), its records, or why it is bad.
pub type Outcome<'a> = Result<Option<Parsed<'a>>, Bad>;

/// Parses every line of `blocks`, in parallel, each block's outcomes in
/// line order and the blocks in order.
pub fn parse_batch<'a>(
    parser: &dyn LineParser,
    blocks: &'a [Block],
) -> Vec<Vec<(u64, Outcome<'a>)>> {
    blocks
        .par_iter()
        .map(|block| {
            block
                .lines
                .iter()
                .map(|line| (line.number, parse_line(parser, block, line)))
                .collect()
        })
        .collect()
}

fn parse_line<'a>(parser: &dyn LineParser, block: &'a Block, line: &LineAt) -> Outcome<'a> {
    let (start, end, terminated, open_quote) = match line.kind {
        LineKind::TooLong { bytes } => return Err(too_long(bytes)),
        LineKind::Text {
            start,
            end,
            terminated,
            open_quote,
        } => (start, end, terminated, open_quote),
    };
    let text = text_of(block.text.get(start..end).unwrap_or_default())?;
    // A headerless log's first line may open with a byte-order mark.
    let text = if line.number == 1 {
        text.strip_prefix('\u{feff}').unwrap_or(text)
    } else {
        text
    };
    if text.trim().is_empty() {
        return Ok(None);
    }
    if open_quote {
        return Err(Bad::line(
            Reason::Truncated,
            "the file ends inside a quoted field: it looks cut off",
        ));
    }
    parser
        .parse(text)
        .map(Some)
        .map_err(|bad| truncated(bad, terminated))
}

/// Why a line over the cap is refused.
pub fn too_long(bytes: u64) -> Bad {
    Bad::line(
        Reason::LineTooLong,
        format!(
            "{bytes} bytes, more than the {} MiB a line may have",
            super::limits::MAX_LINE_BYTES >> 20
        ),
    )
}

/// The line as text: UTF-8 without NUL bytes.
pub fn text_of(buf: &[u8]) -> Result<&str, Bad> {
    if let Some(at) = memchr::memchr(0, buf) {
        return Err(Bad::line(
            Reason::Binary,
            format!("a NUL byte at byte {}: binary data, not a log", at + 1),
        ));
    }
    std::str::from_utf8(buf).map_err(|e| {
        Bad::line(
            Reason::NotUtf8,
            format!("not UTF-8 at byte {}", e.valid_up_to() + 1),
        )
    })
}

/// A fault of a last line without its newline is most likely the cut.
fn truncated(bad: Bad, terminated: bool) -> Bad {
    if terminated || bad.reason == Reason::Truncated {
        return bad;
    }
    if matches!(bad.reason, Reason::Malformed | Reason::Missing) {
        Bad {
            reason: Reason::Truncated,
            detail: format!(
                "the last line has no newline and is incomplete: the file looks cut off ({})",
                bad.detail
            ),
            ..bad
        }
    } else {
        bad
    }
}
