-- Schema version 1: the catalog proper.
--
-- Offerings keep their figures in `figures`, one row per (offering, field), so
-- that every figure carries its own source and effective date, a user override
-- sits beside the imported value (`overrides`) instead of replacing it, and
-- every change is kept in `history`. Field names are those of
-- `src/catalog/fields.rs`.

PRAGMA application_id = 0x53594459; -- "SYDY": marks the file as a switchyard catalog

CREATE TABLE sources (
    id TEXT PRIMARY KEY NOT NULL,
    -- list-price | measurement | sla | assumption | import | user
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT,
    -- the source's own date (YYYY-MM-DD), if it has one
    date TEXT
) STRICT;

INSERT INTO sources (id, kind, title)
VALUES ('user', 'user', 'set by the user with `switchyard catalog set`');

CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    -- default | litellm | openrouter | csv
    format TEXT NOT NULL,
    file TEXT NOT NULL,
    -- UTC, RFC 3339
    imported_at TEXT NOT NULL,
    added INTEGER NOT NULL DEFAULT 0,
    changed INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE providers (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    dialect TEXT CHECK (dialect IN ('openai', 'anthropic', 'gemini')),
    api_base TEXT,
    -- the NAME of the environment variable that holds the API key; never a key
    key_env TEXT,
    -- LiteLLM's `litellm_provider` for this provider's entries
    litellm_provider TEXT,
    -- what the provider's SLA page says, or "none published"
    declared_sla TEXT,
    -- the uptime figure of that SLA, when one covers the offerings
    declared_sla_availability REAL CHECK (declared_sla_availability BETWEEN 0 AND 1),
    sla_source TEXT REFERENCES sources (id)
) STRICT;

CREATE TABLE groups (
    id TEXT PRIMARY KEY NOT NULL,
    description TEXT,
    availability REAL NOT NULL CHECK (availability BETWEEN 0 AND 1),
    mttr_minutes REAL CHECK (mttr_minutes > 0),
    source TEXT NOT NULL REFERENCES sources (id),
    effective_date TEXT NOT NULL
) STRICT;

CREATE TABLE offerings (
    id TEXT PRIMARY KEY NOT NULL,
    provider TEXT NOT NULL REFERENCES providers (id),
    -- the provider's own model name
    model TEXT NOT NULL,
    -- chat, embedding, ... (LiteLLM's modes)
    mode TEXT,
    -- the LiteLLM map's key, by which re-imports find the offering
    litellm_key TEXT UNIQUE,
    added_by INTEGER NOT NULL REFERENCES imports (id)
) STRICT;

CREATE INDEX offerings_by_provider ON offerings (provider);

CREATE TABLE memberships (
    offering TEXT NOT NULL REFERENCES offerings (id) ON DELETE CASCADE,
    group_id TEXT NOT NULL REFERENCES groups (id),
    PRIMARY KEY (offering, group_id)
) STRICT, WITHOUT ROWID;

-- The imported (or seeded) value of each figure.
CREATE TABLE figures (
    offering TEXT NOT NULL REFERENCES offerings (id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    value ANY NOT NULL,
    source TEXT NOT NULL REFERENCES sources (id),
    -- since when the value holds: the source's date, or the import's date
    effective_date TEXT NOT NULL,
    import_id INTEGER NOT NULL REFERENCES imports (id),
    PRIMARY KEY (offering, field)
) STRICT, WITHOUT ROWID;

-- The user's own values; imports never touch them.
CREATE TABLE overrides (
    offering TEXT NOT NULL REFERENCES offerings (id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    value ANY NOT NULL,
    set_at TEXT NOT NULL,
    PRIMARY KEY (offering, field)
) STRICT, WITHOUT ROWID;

-- Every change of a figure, prices and the others alike: imported values
-- (kind `import`, the first one included), overrides set and reset.
CREATE TABLE history (
    id INTEGER PRIMARY KEY,
    offering TEXT NOT NULL REFERENCES offerings (id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('import', 'override', 'reset')),
    old_value ANY,
    new_value ANY,
    source TEXT NOT NULL REFERENCES sources (id),
    import_id INTEGER REFERENCES imports (id),
    recorded_at TEXT NOT NULL,
    effective_date TEXT NOT NULL
) STRICT;

CREATE INDEX history_by_offering ON history (offering, id);
