-- Schema version 8: the sums `switchyard usage cost --stored` prices a
-- stored log from, per model, UTC hour and price class (docs/USAGE.md).
-- Requests of one class are on the same side of every price tier of the
-- LiteLLM map (`band` counts the edges of usage::bins::PRICE_BAND_EDGES
-- their prompt is above), have the same batch and cache-hit flags, and the
-- same knowledge of cached tokens and spend, so their sums price exactly as
-- the requests would one by one. Imports made before this version have no
-- rows here: `usage cost --stored` names them, to be imported again.

CREATE TABLE usage_price_classes (
    import_id INTEGER NOT NULL REFERENCES usage_imports (id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    hour TEXT NOT NULL,
    band INTEGER NOT NULL CHECK (band >= 0),
    batch INTEGER NOT NULL CHECK (batch IN (0, 1)),
    cache_hit INTEGER NOT NULL CHECK (cache_hit IN (0, 1)),
    cached_known INTEGER NOT NULL CHECK (cached_known IN (0, 1)),
    spend_known INTEGER NOT NULL CHECK (spend_known IN (0, 1)),
    -- more cached tokens logged than prompt tokens (kept apart: such a
    -- request pays no uncached prompt, which sums would not give)
    cached_over_input INTEGER NOT NULL CHECK (cached_over_input IN (0, 1)),
    requests INTEGER NOT NULL CHECK (requests > 0),
    input_tokens INTEGER NOT NULL CHECK (input_tokens >= 0),
    output_tokens INTEGER NOT NULL CHECK (output_tokens >= 0),
    cached_tokens INTEGER NOT NULL CHECK (cached_tokens >= 0),
    spend_usd REAL NOT NULL,
    PRIMARY KEY (import_id, model, hour, band, batch, cache_hit, cached_known, spend_known, cached_over_input)
) STRICT, WITHOUT ROWID;
