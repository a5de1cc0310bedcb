//! The lines of a read gathered into blocks and parsed on every core, the
//! outcomes handed back in the file's order.
//!
//! Parsing is most of a read's time (splitting CSV, reading each row's
//! metadata JSON), and lines are independent ([`super::parse`]: readers are
//! pure). So the read pass gathers about a mebibyte of lines into a block,
//! a few blocks into a batch, and parses the blocks of one batch in
//! parallel while its own thread reads the next batch and feeds the records
//! of the previous one to its sink, in line order. A parsed block owns its
//! records ([`ParsedBlock`]: names kept once per block, by index), so its
//! text can be reused while the records wait to be fed. The sink sees
//! exactly the sequence a one-line-at-a-time read would give, so every sum
//! is the same to the bit, and the first bad line is still the first one
//! reported. Memory is three batches of text and records, whatever the
//! file's size.

use std::borrow::Cow;

use foldhash::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::error::{Bad, Reason};
use super::lines::Chunk;
use super::parse::{LineParser, Parsed};
use super::record::{Granularity, Status, UsageRecord};

/// About this many bytes of lines make a block: large enough that claiming
/// it costs nothing beside parsing it, small enough that the threads of a
/// batch finish it close together.
pub const BLOCK_BYTES: usize = 1 << 18;

/// Blocks in a batch, per thread: enough that no thread waits for the
/// slowest block of a batch for long.
pub const BLOCKS_PER_THREAD: usize = 8;

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

/// What became of one line of a parsed block.
#[derive(Debug)]
pub enum LineOutcome {
    Blank,
    /// Its records are `records[start..end]` of the block.
    Records {
        start: usize,
        end: usize,
    },
    Bad(Bad),
}

/// A record as a parsed block keeps it: its names as indices into the
/// block's names, so that it owns nothing per record.
#[derive(Debug, Clone, Copy)]
struct KeptRecord {
    start_ms: i64,
    model: u32,
    model_group: Option<u32>,
    api_base: Option<u32>,
    input_tokens: u64,
    output_tokens: u64,
    cached_tokens: Option<u64>,
    status: Option<Status>,
    cache_hit: bool,
    latency_ms: Option<f64>,
    spend_usd: Option<f64>,
    batch: bool,
    granularity: Granularity,
}

/// The lines of a block, parsed: the outcome of each, in order, and the
/// records of all, owning their names.
#[derive(Debug, Default)]
pub struct ParsedBlock {
    pub lines: Vec<(u64, LineOutcome)>,
    records: Vec<KeptRecord>,
    names: Vec<String>,
    index: HashMap<String, u32>,
}

impl ParsedBlock {
    fn name(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        // A block holds at most a mebibyte of lines: fewer names than u32.
        let i = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), i);
        i
    }

    fn keep(&mut self, r: &UsageRecord<'_>) {
        let record = KeptRecord {
            start_ms: r.start_ms,
            model: self.name(&r.model),
            model_group: r.model_group.as_deref().map(|g| self.name(g)),
            api_base: r.api_base.as_deref().map(|b| self.name(b)),
            input_tokens: r.input_tokens,
            output_tokens: r.output_tokens,
            cached_tokens: r.cached_tokens,
            status: r.status,
            cache_hit: r.cache_hit,
            latency_ms: r.latency_ms,
            spend_usd: r.spend_usd,
            batch: r.batch,
            granularity: r.granularity,
        };
        self.records.push(record);
    }

    /// Record `i` of the block, its names borrowed from the block.
    pub fn record(&self, i: usize) -> Option<UsageRecord<'_>> {
        let r = self.records.get(i)?;
        let name = |n: u32| {
            self.names
                .get(n as usize)
                .map(|s| Cow::Borrowed(s.as_str()))
        };
        Some(UsageRecord {
            start_ms: r.start_ms,
            model: name(r.model)?,
            model_group: r.model_group.and_then(name),
            api_base: r.api_base.and_then(name),
            input_tokens: r.input_tokens,
            output_tokens: r.output_tokens,
            cached_tokens: r.cached_tokens,
            status: r.status,
            cache_hit: r.cache_hit,
            latency_ms: r.latency_ms,
            spend_usd: r.spend_usd,
            batch: r.batch,
            granularity: r.granularity,
        })
    }

    fn of(parser: &dyn LineParser, block: &Block) -> Self {
        let mut parsed = ParsedBlock {
            lines: Vec::with_capacity(block.lines.len()),
            records: Vec::with_capacity(block.lines.len()),
            ..ParsedBlock::default()
        };
        for line in &block.lines {
            let outcome = match parse_line(parser, block, line) {
                Ok(None) => LineOutcome::Blank,
                Ok(Some(records)) => {
                    let start = parsed.records.len();
                    match records {
                        Parsed::One(r) => parsed.keep(&r),
                        Parsed::Many(rs) => rs.iter().for_each(|r| parsed.keep(r)),
                    }
                    LineOutcome::Records {
                        start,
                        end: parsed.records.len(),
                    }
                }
                Err(bad) => LineOutcome::Bad(bad),
            };
            parsed.lines.push((line.number, outcome));
        }
        parsed
    }
}

/// The blocks of one batch, parsed by whichever thread claims each next:
/// the pool's, and the reading thread once it has read the next batch and
/// fed the last one (it would otherwise wait, a core idle, for the
/// slowest block). Each block's outcome lands in its own slot, so the
/// order of the file is kept whoever parses what.
#[derive(Debug)]
pub struct Batch<'a> {
    blocks: &'a [Block],
    next: AtomicUsize,
    parsed: Vec<OnceLock<ParsedBlock>>,
}

impl<'a> Batch<'a> {
    pub fn new(blocks: &'a [Block]) -> Self {
        Self {
            blocks,
            next: AtomicUsize::new(0),
            parsed: blocks.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// Parses unclaimed blocks until none is left.
    pub fn work(&self, parser: &dyn LineParser) {
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let (Some(block), Some(slot)) = (self.blocks.get(i), self.parsed.get(i)) else {
                return;
            };
            // Each index is claimed once, so the slot is empty.
            let _ = slot.set(ParsedBlock::of(parser, block));
        }
    }

    /// The parsed blocks in order, once every [`Self::work`] has returned
    /// (every block claimed was parsed by then).
    pub fn into_parsed(self) -> Vec<ParsedBlock> {
        self.parsed
            .into_iter()
            .filter_map(OnceLock::into_inner)
            .collect()
    }
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
