//! The bounds that keep an import's memory bounded whatever the file holds.
//! Memory never grows with the file's size: only with its longest line and
//! with the number of distinct models, hours and routes in it, each capped
//! here.

/// The longest line (a CSV record, quoted newlines included) read: 4 MiB.
/// Longer lines are refused as `line-too-long` without being held in memory
/// (the reader skips to the next newline). A LiteLLM spend-log row is about
/// 1 KiB without stored prompts; with `store_prompts_in_spend_logs` a row
/// carries the prompt and response and can be longer: export without the
/// `messages` and `response` columns (Switchyard never reads them).
pub const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

/// Distinct models in one import.
pub const MAX_MODELS: usize = 10_000;

/// Distinct (model, UTC hour) cells in one import: a year of 57 models, or
/// 57 years of one. About 100 bytes each in memory, so at most ~50 MB.
pub const MAX_CELLS: usize = 500_000;

/// Distinct price classes (model, UTC hour, price band, batch, cache hit,
/// what the log says) in one import: about 100 bytes each, so at most
/// ~100 MB. Most hours of a model have one or two.
pub const MAX_PRICE_CLASSES: usize = 1_000_000;

/// Distinct (model, model group, API base) routes in one import.
pub const MAX_ROUTES: usize = 50_000;

/// The longest model, model group or API base kept (bytes); longer ones are
/// refused (`too-large`): a name that long is not a model's.
pub const MAX_NAME_BYTES: usize = 256;

/// The longest API base kept (bytes), as `limits::URL_CHARS`.
pub const MAX_URL_BYTES: usize = 2048;

/// The most tokens one request may have: ten times the largest context
/// window, as a plan's `workload.input_tokens` (`limits::INPUT_TOKENS`).
pub const MAX_REQUEST_TOKENS: u64 = 100_000_000;

/// The most requests or tokens one aggregated bucket may count: sums stay
/// exact in SQLite's 64-bit integers over any number of buckets of a log.
pub const MAX_BUCKET_COUNT: u64 = 1_000_000_000_000_000;

/// The largest latency accepted: a day, in ms.
pub const MAX_LATENCY_MS: f64 = 86_400_000.0;

/// The largest spend of one record, USD.
pub const MAX_SPEND_USD: f64 = 1e9;
