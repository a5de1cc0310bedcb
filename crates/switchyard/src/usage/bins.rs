//! The log-scale bins of every usage histogram (input, output and cached
//! tokens per request; latency in milliseconds), defined once here.
//!
//! Edges run 0, then 1, 2, 5 per decade up to 10^7 (the "1-2-5" series):
//! three bins a decade read as round numbers and keep the 200k-token price tier
//! of the LiteLLM map (`*_above_200k_tokens`) on an edge. Bin `i` holds values
//! `EDGES[i] <= x < EDGES[i + 1]`; the last bin is open above 10^7. Bin 0 holds
//! exactly 0 (a request without cached tokens). Changing the edges changes
//! what stored bins mean: add new ones under a new kind, never edit these.

/// Lower edges of the bins, in the unit of the histogram (tokens or ms).
pub const EDGES: [u64; 23] = [
    0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000,
    200_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000,
];

/// The prompt sizes above which the LiteLLM map (1.106.2) changes a
/// model's prices: every `*_above_<N>k_tokens` key it has, each twice:
/// `N × 1000` (a tier above it, LiteLLM's rule) and one less (xAI's tiers
/// apply from the threshold itself, `>=`, which the catalog stores as
/// above `N × 1000 − 1`). An import keeps
/// its requests' sums per band between these edges ([`price_band`]), so a
/// replay from the stored aggregates prices each tier exactly: every
/// request of a band is on the same side of each of these thresholds, and
/// prices are linear in the tokens within a tier. Add an edge when the map
/// adds a tier; a replay names the offerings whose tier is not an edge.
pub const PRICE_BAND_EDGES: [u64; 10] = [
    99_999, 100_000, 127_999, 128_000, 199_999, 200_000, 271_999, 272_000, 511_999, 512_000,
];

/// The price band of a record of `requests` requests and `input` prompt
/// tokens: how many edges its mean prompt is above. A tier applies above
/// its threshold (`input > above_tokens`, as LiteLLM), so a prompt of
/// exactly 200,000 tokens is in the band below that edge.
pub fn price_band(input: u64, requests: u64) -> u8 {
    let requests = u128::from(requests.max(1));
    PRICE_BAND_EDGES
        .iter()
        .filter(|&&e| u128::from(input) > u128::from(e) * requests)
        .count() as u8
}

/// Whether `above_tokens` (an offering's tier threshold) is a band edge,
/// so that stored sums price its tier exactly.
pub fn is_band_edge(above_tokens: f64) -> bool {
    PRICE_BAND_EDGES.iter().any(|&e| e as f64 == above_tokens)
}

/// How many bins a histogram has.
pub const BINS: usize = EDGES.len();

/// The bin of `x`.
pub fn bin(x: u64) -> usize {
    // At least one edge (0) is <= x, so this is at least 1.
    EDGES.partition_point(|&e| e <= x).saturating_sub(1)
}

/// A latency's whole milliseconds, as its histogram counts it (NaN and
/// negatives never get here, the readers refuse them).
pub fn whole_ms(ms: f64) -> u64 {
    // `as` saturates: 1e300 ms lands in the open last bin.
    ms.max(0.0) as u64
}

/// `[lo, hi)` of bin `i`, `hi` `None` for the last.
pub fn range(i: usize) -> (u64, Option<u64>) {
    (
        EDGES.get(i).copied().unwrap_or(u64::MAX),
        EDGES.get(i + 1).copied(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fall_in_the_bin_whose_range_holds_them() {
        assert_eq!(bin(0), 0);
        assert_eq!(bin(1), 1);
        assert_eq!(bin(4), 2);
        assert_eq!(bin(5), 3);
        assert_eq!(bin(199_999), 16);
        assert_eq!(bin(200_000), 17);
        assert_eq!(bin(u64::MAX), BINS - 1);
        for x in [
            0,
            1,
            3,
            7,
            99,
            1234,
            200_000,
            9_999_999,
            10_000_000,
            1 << 40,
        ] {
            let (lo, hi) = range(bin(x));
            assert!(lo <= x && hi.is_none_or(|h| x < h), "{x} in {lo}..{hi:?}");
        }
        assert_eq!(range(BINS - 1), (10_000_000, None));
    }

    #[test]
    fn price_bands_split_at_each_tier_threshold_as_litellm_applies_it() {
        assert_eq!(price_band(0, 1), 0);
        assert_eq!(price_band(99_999, 1), 0);
        assert_eq!(price_band(100_000, 1), 1, "xAI's tier from 100k");
        assert_eq!(price_band(100_001, 1), 2, "LiteLLM's tier above 100k");
        assert_eq!(price_band(200_000, 1), 5);
        assert_eq!(price_band(200_001, 1), 6);
        assert_eq!(price_band(272_001, 1), 8);
        assert_eq!(price_band(u64::MAX, 1), 10);
        // A bucket's band is its mean prompt's.
        assert_eq!(price_band(2 * 200_000, 2), 5);
        assert_eq!(price_band(2 * 200_000 + 1, 2), 6);
        assert_eq!(price_band(5, 0), 0, "an empty bucket is a request");
        assert!(is_band_edge(272_000.0) && is_band_edge(199_999.0));
        assert!(!is_band_edge(150_000.0));
    }

    #[test]
    fn latencies_bin_by_whole_milliseconds() {
        assert_eq!(bin(whole_ms(0.4)), 0);
        assert_eq!(bin(whole_ms(1.9)), 1);
        assert_eq!(bin(whole_ms(1e300)), BINS - 1);
    }
}
