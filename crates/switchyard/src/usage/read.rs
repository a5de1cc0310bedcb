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
use super::csv_log::CsvLog;
use super::error::{Bad, Reason, UsageError};
use super::field::ColumnMap;
use super::jsonl::Jsonl;
use super::lines::{Chunk, Lines};
use super::litellm_spend::LitellmSpend;
use super::openai::OpenaiUsage;
use super::parse::{LineParser, Parsed};
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

/// Progress is reported about this often, in lines.
const PROGRESS_EVERY: u64 = 4096;

/// What takes a log's records one by one as the read pass produces them:
/// the import's [`Aggregates`], or a replay's per-request costing
/// (`usage::replay`). One read loop feeds both, so a log is read, refused
/// and skipped the same way whatever is done with its records.
pub trait RecordSink {
    /// Takes one record. An error is a cap reached, which is about the file
    /// as a whole: the read stops with it.
    fn add(&mut self, record: &UsageRecord<'_>) -> Result<(), String>;
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
            sha256,
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
/// use of a log goes through.
pub fn read_into(
    reader: impl Read,
    file: &str,
    total: u64,
    options: &ReadOptions,
    progress: &mut dyn FnMut(u64, u64) -> ControlFlow<()>,
    sink: &mut dyn RecordSink,
) -> Result<ReadSummary, UsageError> {
    let mut parser = parser(options).map_err(|r| UsageError::file(file, r))?;
    let mut lines = Lines::new(reader, parser.csv_quotes());
    let mut buf = Vec::new();
    let (mut records, mut skipped, mut examples) = (0u64, BTreeMap::new(), Vec::new());
    let mut header_done = !parser.has_header();
    let mut last_line = 0;
    loop {
        let chunk = lines.next(&mut buf).map_err(|source| UsageError::Read {
            file: file.to_owned(),
            source,
        })?;
        let (number, terminated, open_quote) = match chunk {
            Chunk::End => break,
            Chunk::TooLong { number, bytes } => {
                last_line = number;
                let bad = Bad::line(
                    Reason::LineTooLong,
                    format!(
                        "{bytes} bytes, more than the {} MiB a line may have",
                        super::limits::MAX_LINE_BYTES >> 20
                    ),
                );
                if !header_done {
                    return Err(UsageError::at(file, number, bad));
                }
                refuse(
                    file,
                    number,
                    bad,
                    options.skip_bad,
                    &mut skipped,
                    &mut examples,
                )?;
                continue;
            }
            Chunk::Line {
                number,
                terminated,
                open_quote,
            } => (number, terminated, open_quote),
        };
        last_line = number;
        if number % PROGRESS_EVERY == 0 && progress(lines.bytes_read(), total).is_break() {
            return Err(UsageError::Cancelled {
                file: file.to_owned(),
            });
        }
        let outcome = text_of(&buf, number).and_then(|text| {
            let text = if number == 1 {
                text.strip_prefix('\u{feff}').unwrap_or(text)
            } else {
                text
            };
            if !header_done {
                return Ok(Some(text));
            }
            if text.trim().is_empty() {
                return Ok(None);
            }
            if open_quote {
                return Err(Bad::line(
                    Reason::Truncated,
                    "the file ends inside a quoted field: it looks cut off",
                ));
            }
            let parsed = parser
                .parse(text)
                .map_err(|bad| truncated(bad, terminated))?;
            match parsed {
                Parsed::One(r) => {
                    sink.add(&r)
                        .map_err(|reason| Bad::line(Reason::TooLarge, reason))?;
                    records += 1;
                }
                Parsed::Many(rs) => {
                    for r in &rs {
                        sink.add(r)
                            .map_err(|reason| Bad::line(Reason::TooLarge, reason))?;
                    }
                    records += rs.len() as u64;
                }
            }
            Ok(None)
        });
        match outcome {
            Ok(Some(header)) => {
                parser
                    .header(header)
                    .map_err(|reason| UsageError::file(file, format!("line {number}: {reason}")))?;
                header_done = true;
            }
            Ok(None) => {}
            // A cap reached is about the whole file: never skipped.
            Err(bad) if bad.reason == Reason::TooLarge && bad.field == "(line)" => {
                return Err(UsageError::file(file, bad.detail));
            }
            Err(bad) if !header_done => return Err(UsageError::at(file, number, bad)),
            Err(bad) => refuse(
                file,
                number,
                bad,
                options.skip_bad,
                &mut skipped,
                &mut examples,
            )?,
        }
    }
    // A final report, so a bar reaches its end.
    let _ = progress(lines.bytes_read(), total);
    if !header_done {
        return Err(UsageError::file(file, "empty: not even a header"));
    }
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

/// The line as text: UTF-8 without NUL bytes.
fn text_of(buf: &[u8], _number: u64) -> Result<&str, Bad> {
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
