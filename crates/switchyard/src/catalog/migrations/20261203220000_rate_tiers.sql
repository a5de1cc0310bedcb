-- Schema version 6: published rate-limit tiers and the one the user is on.
--
-- A provider's tiers (`rate_tiers`) and their figures per model
-- (`rate_tier_limits`) are seeded from the embedded catalog/rate_tiers.toml,
-- each figure with the page it was read from and when. `chosen_tiers` is the
-- user's choice (`switchyard catalog tier PROVIDER TIER`); its figures fill an
-- offering's rpm_limit, input_tpm_limit and output_tpm_limit where it has
-- neither a figure of its own nor one observed by a probe. Not foreign keys to
-- `providers`: a catalog built by imports alone may lack a provider whose
-- tiers are still worth listing.

CREATE TABLE rate_tiers (
    provider TEXT NOT NULL,
    tier TEXT NOT NULL,
    -- the provider's order, lowest first
    rank INTEGER NOT NULL,
    -- the provider's page naming its tiers, and the date it was read
    source_url TEXT NOT NULL,
    read_on TEXT NOT NULL,
    PRIMARY KEY (provider, tier)
) STRICT, WITHOUT ROWID;

CREATE TABLE rate_tier_limits (
    provider TEXT NOT NULL,
    tier TEXT NOT NULL,
    -- the provider's model name, or a prefix ending in `*`
    model TEXT NOT NULL,
    rpm REAL CHECK (rpm > 0),
    input_tpm REAL CHECK (input_tpm > 0),
    output_tpm REAL CHECK (output_tpm > 0),
    -- one figure for input and output together, where that is what is published
    tpm REAL CHECK (tpm > 0),
    source_url TEXT NOT NULL,
    read_on TEXT NOT NULL,
    note TEXT,
    PRIMARY KEY (provider, tier, model),
    FOREIGN KEY (provider, tier) REFERENCES rate_tiers (provider, tier) ON DELETE CASCADE,
    CHECK (tpm IS NULL OR (input_tpm IS NULL AND output_tpm IS NULL))
) STRICT, WITHOUT ROWID;

CREATE TABLE chosen_tiers (
    provider TEXT PRIMARY KEY NOT NULL,
    tier TEXT NOT NULL,
    chosen_at TEXT NOT NULL,
    FOREIGN KEY (provider, tier) REFERENCES rate_tiers (provider, tier)
) STRICT;
