-- Schema version 3: one row per live probe.
--
-- `offering` is not a foreign key: ad-hoc endpoints (`probe --base-url`) are
-- probed and stored too. No key is ever stored: `error_detail` is redacted
-- before it gets here.
CREATE TABLE probe_results (
    id INTEGER PRIMARY KEY,
    offering TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('stream', 'reachability')),
    started_at_ms INTEGER NOT NULL,
    ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
    status INTEGER,
    error TEXT CHECK (error IN ('timeout', 'connect', 'rate_limited', 'server', 'client', 'protocol')),
    error_detail TEXT,
    ttft_ms REAL,
    total_ms REAL NOT NULL,
    input_tokens INTEGER,
    output_tokens INTEGER,
    tokens_per_s REAL,
    -- the rate-limit headers, as JSON
    rate_limits TEXT NOT NULL,
    cost_usd REAL NOT NULL,
    request_id TEXT
) STRICT;

CREATE INDEX probe_results_by_offering ON probe_results (offering, started_at_ms);
