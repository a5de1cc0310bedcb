//! An import's read pass: the file streamed line by line through its
//! format's reader into [`Aggregates`], bad lines refused (or, with
//! `skip_bad`, counted by reason), progress reported by bytes, the file's
//! size and SHA-256 taken on the way.

use std::collections::BTreeMap;
use std::io::Read;
use std::ops::ControlFlow;
use std::path::Path;

use super::UsageFormat;
use super::aggregate::Aggregates;
use super::blocks::{BLOCKS_PER_THREAD, Batch, Block, LineOutcome, ParsedBlock, text_of, too_long};
use super::csv_log::CsvLog;
use super::error::{Bad, Reason, UsageError};
use super::field::ColumnMap;
use super::jsonl::Jsonl;
use super::lines::{Chunk, Lines};
use super::litellm_spend::LitellmSpend;
use super::openai::OpenaiUsage;
use super::parse::LineParser;
use super::record::UsageRecord;

/// How to read a log.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadOptions {
    pub format: UsageFormat,
    /// `--map column=field` (csv only).
    pub map: Vec<ColumnMap>,
    /// Count bad lines by reason and go on, instead of stopping at the first.
    pub skip_bad: bool,
}

/// How many bad lines are kept as examples with `skip_bad`.
pub const EXAMPLES: usize = 5;

/// What takes a log's records one by one as the read pass produces them:
/// the import's [`Aggregates`], or a replay's per-request costing
/// (`usage::replay`). One read loop feeds both, so a log is read, refused
/// and skipped the same way whatever is done with its records.
pub trait RecordSink {
    /// Takes one record. An error is a cap reached, which is about the file
    /// as a whole: the read stops with it.
    fn add(&mut self, record: &UsageRecord<'_>) -> Result<(), String>;

    /// Whether the read pass takes the file's SHA-256 on the way: an import
    /// stores it, to refuse the same content twice; a sink that stores
    /// nothing skips it, a sixth of a read's time.
    fn wants_hash(&self) -> bool {
        true
    }
}

impl RecordSink for Aggregates {
    fn add(&mut self, record: &UsageRecord<'_>) -> Result<(), String> {
        Aggregates::add(self, record)
    }
}

/// What a read pass says of the file, whatever took its records.
#[derive(Debug, Clone)]
pub struct ReadSummary {
    /// The path as given.
    pub file: String,
    /// Its last component.
    pub file_name: String,
    pub size_bytes: u64,
    /// `None` when the sink did not want it ([`RecordSink::wants_hash`]).
    pub sha256: Option<String>,
    pub format: UsageFormat,
    /// Lines read (a CSV record spanning lines counts each), header included.
    pub lines: u64,
    /// Records read: requests, or buckets.
    pub records: u64,
    /// Lines skipped, by reason (only with `skip_bad`).
    pub skipped: BTreeMap<Reason, u64>,
    /// The first few skipped lines, as their errors would read.
    pub examples: Vec<String>,
}

/// A log read into aggregates, with what identifies the file.
#[derive(Debug)]
pub struct UsageRead {
    /// The path as given.
    pub file: String,
    /// Its last component.
    pub file_name: String,
    pub size_bytes: u64,
    pub sha256: String,
    pub format: UsageFormat,
    /// Lines read (a CSV record spanning lines counts each), header included.
    pub lines: u64,
    /// Records read: requests, or buckets.
    pub records: u64,
    /// Lines skipped, by reason (only with `skip_bad`).
    pub skipped: BTreeMap<Reason, u64>,
    /// The first few skipped lines, as their errors would read.
    pub examples: Vec<String>,
    pub aggregates: Aggregates,
}

impl UsageRead {
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }
}

fn parser(options: &ReadOptions) -> Result<Box<dyn LineParser>, String> {
    if !options.map.is_empty() && options.format != UsageFormat::Csv {
        return Err(format!(
            "--map is for --format csv, not {}",
            options.format.name()
        ));
    }
    Ok(match options.format {
        UsageFormat::LitellmSpend => Box::new(LitellmSpend::default()),
        UsageFormat::OpenaiUsage => Box::new(OpenaiUsage),
        UsageFormat::Jsonl => Box::new(Jsonl),
        UsageFormat::Csv => Box::new(CsvLog::new(options.map.clone())),
    })
}

/// Reads the log at `path`. `progress(bytes_read, total_bytes)` is called
/// every few thousand lines; `Break` cancels.
pub fn read_file(
    path: &Path,
    options: &ReadOptions,
    progress: &mut dyn FnMut(u64, u64) -> ControlFlow<()>,
) -> Result<UsageRead, UsageError> {
    let mut aggregates = Aggregates::default();
    let summary = read_file_into(path, options, progress, &mut aggregates)?;
    Ok(UsageRead::of(summary, aggregates))
}

/// [`read_file`] into any sink.
pub fn read_file_into(
    path: &Path,
    options: &ReadOptions,
    progress: &mut dyn FnMut(u64, u64) -> ControlFlow<()>,
    sink: &mut dyn RecordSink,
) -> Result<ReadSummary, UsageError> {
    let file = path.display().to_string();
    let io = |source| UsageError::Read {
        file: file.clone(),
        source,
    };
    let handle = std::fs::File::open(path).map_err(io)?;
    let meta = handle.metadata().map_err(io)?;
    if meta.is_dir() {
        return Err(UsageError::file(&file, "a directory, not a log file"));
    }
    read_into(handle, &file, meta.len(), options, progress, sink)
}

impl UsageRead {
    fn of(summary: ReadSummary, aggregates: Aggregates) -> Self {
        let ReadSummary {
            file,
            file_name,
            size_bytes,
            sha256,
            format,
            lines,
            records,
            skipped,
            examples,
        } = summary;
        Self {
            file,
            file_name,
            size_bytes,
            // Aggregates always want the hash, so it is there.
            sha256: sha256.unwrap_or_default(),
            format,
            lines,
            records,
            skipped,
            examples,
            aggregates,
        }
    }
}

/// [`read_file`] over any reader; `file` names it, `total` is its size for
/// progress (0 if unknown).
pub fn read(
    reader: impl Read,
    file: &str,
    total: u64,
    options: &ReadOptions,
    progress: &mut dyn FnMut(u64, u64) -> ControlFlow<()>,
) -> Result<UsageRead, UsageError> {
    let mut aggregates = Aggregates::default();
    let summary = read_into(reader, file, total, options, progress, &mut aggregates)?;
    Ok(UsageRead::of(summary, aggregates))
}

/// The read pass itself, feeding each record to `sink`: the one loop every
/// use of a log goes through. The header is read first; the lines after it
/// are parsed in blocks on every core ([`super::blocks`]) and handed to
/// `sink` in the file's order.
pub fn read_into(
    reader: impl Read,
    file: &str,
    total: u64,
    options: &ReadOptions,
    progress: &mut dyn FnMut(u64, u64) -> ControlFlow<()>,
    sink: &mut dyn RecordSink,
) -> Result<ReadSummary, UsageError> {
    let read_error = |source| UsageError::Read {
        file: file.to_owned(),
        source,
    };
    let mut parser = parser(options).map_err(|r| UsageError::file(file, r))?;
    let mut lines = Lines::new(reader, parser.csv_quotes(), sink.wants_hash());
    let mut last_line = 0;
    if parser.has_header() {
        let mut buf = Vec::new();
        match lines.next(&mut buf).map_err(read_error)? {
            Chunk::End => return Err(UsageError::file(file, "empty: not even a header")),
            Chunk::TooLong { number, bytes } => {
                return Err(UsageError::at(file, number, too_long(bytes)));
            }
            Chunk::Line { number, .. } => {
                last_line = number;
                let text = text_of(&buf).map_err(|bad| UsageError::at(file, number, bad))?;
                let text = text.strip_prefix('\u{feff}').unwrap_or(text);
                parser
                    .header(text)
                    .map_err(|reason| UsageError::file(file, format!("line {number}: {reason}")))?;
            }
        }
    }
    let parser: &dyn LineParser = &*parser;
    let threads = rayon::current_num_threads().max(1);
    let batch = threads * BLOCKS_PER_THREAD;
    let mut fed = Fed::default();
    // Blocks whose lines were parsed, kept for their buffers: a block's
    // mebibyte is allocated once, not once per batch.
    let mut spare = Vec::new();
    let mut current = read_batch(&mut lines, batch, &mut spare).map_err(read_error)?;
    // The batch parsed last time round, waiting to be fed.
    let mut waiting: Vec<ParsedBlock> = Vec::new();
    while !current.is_empty() || !waiting.is_empty() {
        // Parse this batch on the pool while this thread reads the next and
        // feeds the last one to the sink, in the file's order.
        // Then it helps parse what is left of this batch.
        let parsing = Batch::new(&current);
        let mut next = Ok(Vec::new());
        let mut fed_now = Ok(());
        rayon::in_place_scope(|scope| {
            if !current.is_empty() {
                for _ in 0..threads {
                    scope.spawn(|_| parsing.work(parser));
                }
                next = read_batch(&mut lines, batch, &mut spare);
            }
            fed_now = fed.feed(std::mem::take(&mut waiting), sink, file, options.skip_bad);
            parsing.work(parser);
        });
        let parsed = parsing.into_parsed();
        fed_now?;
        if progress(lines.bytes_read(), total).is_break() {
            return Err(UsageError::Cancelled {
                file: file.to_owned(),
            });
        }
        spare.extend(current.drain(..).map(Block::emptied));
        waiting = parsed;
        current = next.map_err(read_error)?;
    }
    let Fed {
        records,
        skipped,
        examples,
        last_line: fed_line,
    } = fed;
    last_line = last_line.max(fed_line);
    // A final report, so a bar reaches its end.
    let _ = progress(lines.bytes_read(), total);
    if records == 0 {
        let why = if skipped.is_empty() {
            "no usage record in it".to_owned()
        } else {
            format!("no usable record in it: {}", skipped_text(&skipped))
        };
        return Err(UsageError::file(file, why));
    }
    let (size_bytes, sha256) = lines.finish();
    Ok(ReadSummary {
        file: file.to_owned(),
        file_name: Path::new(file)
            .file_name()
            .map_or_else(|| file.to_owned(), |n| n.to_string_lossy().into_owned()),
        size_bytes,
        sha256,
        format: options.format,
        lines: last_line,
        records,
        skipped,
        examples,
    })
}

/// The next blocks of lines, at most `count`, in blocks taken from `spare`
/// while it has some; none at the end of the file.
fn read_batch<R: Read>(
    lines: &mut Lines<R>,
    count: usize,
    spare: &mut Vec<Block>,
) -> std::io::Result<Vec<Block>> {
    let mut blocks = Vec::with_capacity(count);
    while blocks.len() < count {
        let mut block = spare.pop().unwrap_or_default();
        while !block.is_full() {
            let start = block.text.len();
            let chunk = lines.next(&mut block.text)?;
            if chunk == Chunk::End {
                break;
            }
            block.push(start, chunk);
        }
        if block.lines.is_empty() {
            spare.push(block);
            break;
        }
        blocks.push(block);
    }
    Ok(blocks)
}

/// What the read pass has fed to its sink so far.
#[derive(Debug, Default)]
struct Fed {
    records: u64,
    skipped: BTreeMap<Reason, u64>,
    examples: Vec<String>,
    last_line: u64,
}

impl Fed {
    /// Hands the records of `blocks` to `sink` in order; a bad line stops
    /// the read or is counted (`skip_bad`); a cap reached is about the
    /// whole file, so it stops the read rather than being skipped.
    fn feed(
        &mut self,
        blocks: Vec<ParsedBlock>,
        sink: &mut dyn RecordSink,
        file: &str,
        skip_bad: bool,
    ) -> Result<(), UsageError> {
        for mut block in blocks {
            for (number, outcome) in std::mem::take(&mut block.lines) {
                self.last_line = number;
                match outcome {
                    LineOutcome::Blank => {}
                    LineOutcome::Records { start, end } => {
                        for i in start..end {
                            if let Some(r) = block.record(i) {
                                sink.add(&r)
                                    .map_err(|reason| UsageError::file(file, reason))?;
                            }
                        }
                        self.records += (end - start) as u64;
                    }
                    LineOutcome::Bad(bad) => refuse(
                        file,
                        number,
                        bad,
                        skip_bad,
                        &mut self.skipped,
                        &mut self.examples,
                    )?,
                }
            }
        }
        Ok(())
    }
}

/// Stops on `bad`, or counts it when skipping.
fn refuse(
    file: &str,
    number: u64,
    bad: Bad,
    skip: bool,
    skipped: &mut BTreeMap<Reason, u64>,
    examples: &mut Vec<String>,
) -> Result<(), UsageError> {
    let error = UsageError::at(file, number, bad.clone());
    if !skip {
        return Err(error);
    }
    *skipped.entry(bad.reason).or_insert(0) += 1;
    if examples.len() < EXAMPLES {
        examples.push(error.to_string());
    }
    Ok(())
}

/// `3 negative, 1 truncated`.
pub fn skipped_text(skipped: &BTreeMap<Reason, u64>) -> String {
    let parts: Vec<String> = skipped.iter().map(|(r, n)| format!("{n} {r}")).collect();
    format!(
        "{} lines skipped ({})",
        skipped.values().sum::<u64>(),
        parts.join(", ")
    )
}
