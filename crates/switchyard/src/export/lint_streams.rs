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
//! | `portkey-streaming-fails` | warning | (Portkey) always: the open-source gateway 1.15.2 on Node answers every streaming request with a 500 (measured) |
//! | `stream-fault-after-start` | info | (LiteLLM) always: once a stream has started LiteLLM cannot fall back; a stall or reset ends in an error event, a cut is closed as if whole (measured) |
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
//!
//! What the interop harness measured (`tests/interop/streams.rs`,
//! `docs/INTEROP.md`), with a primary that sends 3 deltas and then stalls,
//! ends early or resets: LiteLLM streams the deltas as they come, so it cannot
//! fall back any more; the stall (after `stream_timeout`) and the reset end in
//! an error event, and the early end is closed with `finish_reason: stop` and
//! `[DONE]` of LiteLLM's own, a partial answer that looks whole. Portkey's
//! Node build fails every streaming request, healthy ones included, with a
//! 500 (`TypeError: immutable` in its `updateHeaders`; Portkey-AI/gateway#1389,
//! #1550), before any byte of the upstream's stream.

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

/// Portkey's findings: its Node build cannot stream at all, and where it
/// can, its timeout does not reach the body.
pub fn portkey() -> Vec<Finding> {
    vec![
        Finding::plan(
            Severity::Warning,
            "portkey-streaming-fails",
            "the open-source Portkey gateway 1.15.2 on Node answers every streaming request \
             with a 500 (\"Something went wrong\"; TypeError: immutable in its updateHeaders, \
             Portkey-AI/gateway#1550), measured with a healthy upstream: send requests \
             without `stream`, or run Portkey where it streams"
                .to_owned(),
        ),
        Finding::plan(
            Severity::Warning,
            "portkey-stream-stall-undetected",
            "Portkey's `request_timeout` stops counting when the response headers arrive, and \
             its config has no timeout between chunks: where it streams, a stream that \
             stalls after them is passed on as an open 200, never retried or fallen back \
             from; give the client its own idle timeout on streams"
                .to_owned(),
        ),
    ]
}

/// LiteLLM's finding for every export: what a stream that fails after it
/// started becomes.
pub fn litellm_after_start() -> Finding {
    Finding::plan(
        Severity::Info,
        "stream-fault-after-start",
        "once a stream has started LiteLLM passes its deltas on and cannot fall back: a \
         stream that stalls (after `stream_timeout`) or is reset ends in an error event \
         after a partial answer, and one its upstream ends early is closed with \
         finish_reason `stop` and [DONE], a partial answer that looks whole (measured on \
         1.106.2, docs/INTEROP.md); a streaming client should check the answer's usage \
         against what it expects"
            .to_owned(),
    )
}
