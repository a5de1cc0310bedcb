-- A failure group's outage history: the daily record its fitted outage
-- process (MODEL.md §11) is computed from, and the imports that wrote it.

CREATE TABLE outage_imports (
    id INTEGER PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES groups (id),
    -- the record file as given, and what was read from it
    file TEXT NOT NULL,
    format TEXT NOT NULL,
    service TEXT NOT NULL,
    first_day TEXT NOT NULL,
    last_day TEXT NOT NULL,
    imported_at TEXT NOT NULL
) STRICT;

CREATE TABLE outage_days (
    group_id TEXT NOT NULL REFERENCES groups (id),
    -- YYYY-MM-DD, UTC
    day TEXT NOT NULL,
    -- severity-weighted outage minutes of the day
    minutes REAL NOT NULL CHECK (minutes >= 0 AND minutes <= 1440),
    import_id INTEGER NOT NULL REFERENCES outage_imports (id),
    PRIMARY KEY (group_id, day)
) STRICT, WITHOUT ROWID;

-- An offering that lacks latency figures inherits them from the same model at
-- another provider (catalog/inherit.rs): found by model.
CREATE INDEX offerings_by_model ON offerings (model);
