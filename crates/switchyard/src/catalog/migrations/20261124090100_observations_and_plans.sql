-- Schema version 2: what the probes will measure, and saved plans.

-- Observed figures, one row per measurement window. Filled by `switchyard
-- probe`; `metric` is a field name of `src/catalog/fields.rs`.
CREATE TABLE observations (
    id INTEGER PRIMARY KEY,
    offering TEXT NOT NULL REFERENCES offerings (id) ON DELETE CASCADE,
    metric TEXT NOT NULL,
    value REAL NOT NULL,
    samples INTEGER NOT NULL CHECK (samples >= 0),
    window_start TEXT NOT NULL,
    window_end TEXT NOT NULL,
    observed_at TEXT NOT NULL,
    -- what measured it, e.g. "probe 0.1.0"
    source TEXT NOT NULL
) STRICT;

CREATE INDEX observations_by_offering ON observations (offering, metric, window_end);

CREATE TABLE saved_plans (
    name TEXT PRIMARY KEY NOT NULL,
    -- the plan as TOML text (PLAN_FORMAT.md)
    toml TEXT NOT NULL,
    saved_at TEXT NOT NULL
) STRICT;
