-- A source read over the network (`catalog import --url`, the Catalog page's
-- "Check for price changes") records when it was fetched, beside its `url`:
-- the figures a price refresh changed name that source, so `catalog show` can
-- say where and when each one was read.

-- UTC, RFC 3339 with milliseconds; NULL for sources that were not fetched
ALTER TABLE sources ADD COLUMN retrieved_at TEXT;
