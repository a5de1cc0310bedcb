-- Schema version 7: usage logs imported as aggregates (`switchyard usage
-- import`, docs/USAGE.md). Never a request's content: counts, sums and
-- histograms only. One import is one row of `usage_imports` and its rows in
-- the other tables, written in one transaction; deleting the import (a
-- replace) deletes them with it.

CREATE TABLE usage_imports (
    id INTEGER PRIMARY KEY,
    -- the file as given, its last component, its size and SHA-256: the same
    -- content is imported once
    file TEXT NOT NULL,
    file_name TEXT NOT NULL,
    size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
    sha256 TEXT NOT NULL UNIQUE,
    format TEXT NOT NULL,
    -- 0 when each record is one request; else the widest bucket, seconds
    resolution_s INTEGER NOT NULL CHECK (resolution_s >= 0),
    lines INTEGER NOT NULL,
    records INTEGER NOT NULL,
    requests INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    -- RFC 3339, UTC: the first and last start time in the log
    first_start TEXT NOT NULL,
    last_start TEXT NOT NULL,
    imported_at TEXT NOT NULL
) STRICT;

-- Lines skipped by reason (`--skip-bad`).
CREATE TABLE usage_skipped (
    import_id INTEGER NOT NULL REFERENCES usage_imports (id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    lines INTEGER NOT NULL CHECK (lines > 0),
    PRIMARY KEY (import_id, reason)
) STRICT, WITHOUT ROWID;

-- Per model and UTC hour (`YYYY-MM-DDTHH:00:00Z`).
CREATE TABLE usage_hourly (
    import_id INTEGER NOT NULL REFERENCES usage_imports (id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    hour TEXT NOT NULL,
    requests INTEGER NOT NULL CHECK (requests >= 0),
    successes INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    unknown_status INTEGER NOT NULL,
    -- answered from LiteLLM's own cache
    cache_hits INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL,
    -- requests whose cached tokens / spend the log gives
    cached_known INTEGER NOT NULL,
    spend_usd REAL NOT NULL,
    spend_known INTEGER NOT NULL,
    PRIMARY KEY (import_id, model, hour),
    CHECK (successes + failures + unknown_status = requests)
) STRICT, WITHOUT ROWID;

-- Per-request histograms per model: `kind` is input_tokens, output_tokens,
-- cached_tokens or latency_ms; `bin` indexes usage::bins::EDGES (0, 1, 2, 5,
-- 10, ... 10^7, the last open). Only non-empty bins are stored. `total` is
-- the sum of the bin's values (tokens, or whole ms): the bin's exact mean, so
-- a price tier on a bin edge prices the requests above it exactly.
CREATE TABLE usage_histograms (
    import_id INTEGER NOT NULL REFERENCES usage_imports (id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('input_tokens', 'output_tokens', 'cached_tokens', 'latency_ms')),
    bin INTEGER NOT NULL CHECK (bin >= 0),
    count INTEGER NOT NULL CHECK (count > 0),
    total INTEGER NOT NULL CHECK (total >= 0),
    PRIMARY KEY (import_id, model, kind, bin)
) STRICT, WITHOUT ROWID;

-- Where each model's requests went (LiteLLM's model_group and api_base; ''
-- when the log does not say).
CREATE TABLE usage_routes (
    import_id INTEGER NOT NULL REFERENCES usage_imports (id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    model_group TEXT NOT NULL,
    api_base TEXT NOT NULL,
    requests INTEGER NOT NULL,
    PRIMARY KEY (import_id, model, model_group, api_base)
) STRICT, WITHOUT ROWID;
