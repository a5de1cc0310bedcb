//! The lint's stalled-stream rules: can the exported config tell a stream that
//! stopped mid-way from one that is still coming? An independent
//! fault-injection benchmark found gateways that pass a stalled or cut stream
//! on as a success; a config that cannot time one out leaves the client
//! holding an open 200 until its own patience ends, with no retry and no
//! fallback.
//!
//! | code | severity | fires when |
//! |---|---|---|
//! | `stream-stall-undetected` | warning | (LiteLLM) a deployment of the exported config has neither `stream_timeout` nor `timeout`: nothing ends a stream that stalls |
//! | `portkey-stream-stall-undetected` | warning | (Portkey) always: `request_timeout` stops counting when the response headers arrive, so it never covers the body of a stream |
//!
//! What each gateway offers:
//!
//! - **LiteLLM 1.106.2**: `stream_timeout` per deployment (`litellm_params`),
//!   used instead of `timeout` for streaming calls, as the HTTP client's
//!   timeout of each read (docs.litellm.ai/docs/proxy/timeout; the chunk-gap
//!   reading is BerriAI/litellm#24376, and BerriAI/litellm#16395 also makes it
//!   the aiohttp transport's total). Without it `timeout` applies. The export
//!   writes both from the step's timeout.
//! - **Portkey 1.15.2**: `request_timeout` (config, strategy or target level,
//!   milliseconds; portkey.ai/docs/product/ai-gateway/request-timeouts) arms an
//!   abort that `fetchWithTimeout` in `src/handlers/retryHandler.ts`
//!   (Portkey-AI/gateway) clears as soon as `fetch` resolves, which is when the
//!   headers arrive: a stream that stalls after them is never cut, and its
//!   config has no idle or chunk timeout. The client must bring its own, as
//!   `switchyard probe --stall-timeout` does.

use super::lint::{Finding, Severity};
use super::litellm::LitellmConfig;

/// The LiteLLM deployments that nothing protects from a stalled stream.
pub fn litellm(config: &LitellmConfig) -> Vec<Finding> {
    config
        .model_list
        .iter()
        .filter(|d| {
            let p = &d.litellm_params;
            !p.stream_timeout.is_some_and(usable) && !usable(p.timeout)
        })
        .map(|d| Finding {
            route: Some(d.model_name.clone()),
            ..Finding::plan(
                Severity::Warning,
                "stream-stall-undetected",
                format!(
                    "the deployment `{}` has no usable `stream_timeout` or `timeout`: a \
                     stream that stalls mid-way is held open instead of failing over; \
                     set `stream_timeout` to the step's timeout in seconds",
                    d.model_info.id
                ),
            )
        })
        .collect()
}

/// A timeout LiteLLM applies: a positive, finite number of seconds.
fn usable(seconds: f64) -> bool {
    seconds.is_finite() && seconds > 0.0
}

/// Portkey's one finding: its timeout does not reach the body.
pub fn portkey() -> Finding {
    Finding::plan(
        Severity::Warning,
        "portkey-stream-stall-undetected",
        "Portkey's `request_timeout` stops counting when the response headers arrive, and \
         its config has no timeout between chunks: a stream that stalls after them is \
         passed on as an open 200, never retried or fallen back from; give the client \
         its own idle timeout on streams"
            .to_owned(),
    )
}
