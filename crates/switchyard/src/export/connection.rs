//! How a gateway reaches an offering: its dialect, base URL, the provider's model
//! name and the NAME of the variable holding the key. Plans may leave these out
//! (evaluation does not need them), so every exporter checks them here, once,
//! and reports every missing or malformed field at the same time.
//!
//! Base URLs follow the plan's convention (`probe/dialect.rs`): OpenAI-compatible
//! bases include the version path (`https://api.openai.com/v1`); Anthropic and
//! Gemini bases are the host. Gateways append different suffixes, so
//! [`Connection::host`] strips a version path a catalog may have left on an
//! Anthropic or Gemini base.

use std::fmt;

use crate::model::{Quota, Workload};
use crate::plan::{Dialect, OfferingSpec, Resolved};
use crate::secret::check_env_name;

use super::ExportError;

/// Everything a gateway needs to call one offering. The key is only named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub dialect: Dialect,
    /// As written in the plan or catalog, without a trailing `/`.
    pub api_base: String,
    /// The provider's own model name.
    pub model: String,
    /// The NAME of the environment variable that holds the key.
    pub key_env: String,
}

impl Connection {
    /// The base without a trailing version path, for dialects whose gateways add
    /// their own (`/v1/messages`, `/v1beta/models/...`). OpenAI-compatible bases
    /// keep theirs: the version is part of the endpoint's address.
    pub fn host(&self) -> &str {
        let base = self.api_base.as_str();
        let suffixes: &[&str] = match self.dialect {
            Dialect::Openai => &[],
            Dialect::Anthropic => &["/v1"],
            Dialect::Gemini => &["/v1beta", "/v1"],
        };
        suffixes
            .iter()
            .find_map(|s| base.strip_suffix(s))
            .unwrap_or(base)
    }
}

/// One field an offering lacks, or has in a form no gateway accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionProblem {
    pub offering: String,
    pub field: &'static str,
    pub reason: String,
}

impl fmt::Display for ConnectionProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "offering `{}`: {}: {}",
            self.offering, self.field, self.reason
        )
    }
}

const MISSING: &str = "is missing: a gateway config needs dialect, api_base, model and key_env \
                       (set it in the plan's [[offerings]] entry or on the catalog's provider)";

/// One route as exporters see it: its steps with their offerings' connections.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRoute {
    pub name: String,
    pub share: f64,
    pub steps: Vec<ExportStep>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExportStep {
    /// Index into the portfolio's offerings.
    pub offering: usize,
    /// The offering's id, for names and messages.
    pub offering_id: String,
    pub attempts: u32,
    pub timeout_ms: f64,
    pub backoff_ms: f64,
    pub connection: Connection,
    /// The offering's rate limits as per-deployment counters (LiteLLM's `rpm`
    /// and `tpm`); see [`DeploymentLimits::of`].
    pub limits: DeploymentLimits,
}

/// An offering's rate limits as a gateway that keeps one request counter and
/// one token counter per deployment and minute sees them (LiteLLM).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeploymentLimits {
    /// Requests a minute: the plan's `rpm_limit`, rounded down, as the
    /// provider admits whole requests (and LiteLLM only reads an integer).
    pub rpm: Option<u64>,
    /// Tokens a minute, input and output together (see [`DeploymentLimits::of`]).
    pub tpm: Option<u64>,
}

impl DeploymentLimits {
    /// The limits of `quota` for `workload`'s mean request.
    ///
    /// A gateway's single `tpm` counts input and output tokens together, while
    /// providers limit them apart. The one combined budget that binds at the
    /// same request rate as the provider's token limits is that rate (the
    /// tighter of `input_tpm / input tokens` and `output_tpm / output tokens`)
    /// times the tokens of one request. Their sum would admit more requests
    /// than the provider when one kind of token binds, and the input limit
    /// alone would ignore the output tokens the counter also counts. A limit
    /// below one whole request or token is left out: `0` would mean "no
    /// deployment" to the gateway, not "reject everything".
    pub fn of(quota: &Quota, workload: &Workload) -> Self {
        let per_request =
            |limit: Option<f64>, tokens: f64| limit.filter(|_| tokens > 0.0).map(|l| l / tokens);
        let token_rate = [
            per_request(quota.input_tpm, workload.input_tokens),
            per_request(quota.output_tpm, workload.output_tokens),
        ]
        .into_iter()
        .flatten()
        .reduce(f64::min);
        let whole = |v: f64| Some(v.floor()).filter(|v| *v >= 1.0).map(|v| v as u64);
        DeploymentLimits {
            rpm: quota.rpm.and_then(whole),
            tpm: token_rate
                .map(|rate| rate * (workload.input_tokens + workload.output_tokens))
                .and_then(whole),
        }
    }
}

/// Every route with the connection of each step, or every problem of the
/// offerings the routes use (unused inline offerings need no connection).
pub fn routes(resolved: &Resolved) -> Result<Vec<ExportRoute>, ExportError> {
    let portfolio = &resolved.portfolio;
    let mut problems = Vec::new();
    let mut checked: Vec<Option<Option<Connection>>> = vec![None; portfolio.offerings.len()];
    let mut routes = Vec::new();
    for route in &portfolio.routes {
        let mut steps = Vec::new();
        for step in &route.steps {
            let connection = checked[step.offering]
                .get_or_insert_with(|| {
                    check(&resolved.offering_specs[step.offering], &mut problems)
                })
                .clone();
            if let Some(connection) = connection {
                steps.push(ExportStep {
                    offering: step.offering,
                    offering_id: portfolio.offerings[step.offering].id.clone(),
                    attempts: step.attempts,
                    timeout_ms: step.timeout_ms,
                    backoff_ms: step.backoff_ms,
                    connection,
                    limits: DeploymentLimits::of(
                        &portfolio.offerings[step.offering].quota,
                        &portfolio.workload,
                    ),
                });
            }
        }
        routes.push(ExportRoute {
            name: route.name.clone(),
            share: route.share,
            steps,
        });
    }
    if problems.is_empty() {
        Ok(routes)
    } else {
        Err(ExportError { problems })
    }
}

/// The connection of one offering, or `None` with its problems recorded.
fn check(spec: &OfferingSpec, problems: &mut Vec<ConnectionProblem>) -> Option<Connection> {
    let before = problems.len();
    let mut problem = |field: &'static str, reason: String| {
        problems.push(ConnectionProblem {
            offering: spec.id.clone(),
            field,
            reason,
        });
    };
    if spec.dialect.is_none() {
        problem("dialect", MISSING.to_owned());
    }
    let api_base = spec.api_base.as_deref().map(str::trim).unwrap_or_default();
    if api_base.is_empty() {
        problem("api_base", MISSING.to_owned());
    } else if !(api_base.starts_with("http://") || api_base.starts_with("https://")) {
        problem(
            "api_base",
            format!("`{api_base}` is not an http:// or https:// URL"),
        );
    }
    let model = spec.model.as_deref().map(str::trim).unwrap_or_default();
    if model.is_empty() {
        problem("model", MISSING.to_owned());
    }
    let key_env = spec.key_env.as_deref().unwrap_or_default();
    if key_env.is_empty() {
        problem("key_env", MISSING.to_owned());
    } else if let Err(e) = check_env_name(key_env) {
        // The message never echoes the value: it may be a pasted key.
        problem("key_env", e.to_string());
    }
    if problems.len() > before {
        return None;
    }
    Some(Connection {
        dialect: spec.dialect?,
        api_base: api_base.trim_end_matches('/').to_owned(),
        model: model.to_owned(),
        key_env: key_env.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::testkit::{pair_plan, resolved_from};

    #[test]
    fn a_complete_plan_has_a_connection_for_every_used_offering() {
        let resolved = resolved_from(&pair_plan());
        let r = routes(&resolved).expect("complete");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].steps.len(), 2);
        let first = &r[0].steps[0];
        assert_eq!(first.connection.dialect, Dialect::Anthropic);
        assert_eq!(first.connection.key_env, "PRIMARY_KEY");
        assert_eq!(first.attempts, 2);
    }

    #[test]
    fn every_missing_field_is_reported_at_once() {
        let mut plan = pair_plan();
        plan.offerings[0].api_base = None;
        plan.offerings[0].key_env = None;
        plan.offerings[1].model = Some(" ".to_owned());
        let err = routes(&resolved_from(&plan)).expect_err("incomplete");
        let fields: Vec<_> = err
            .problems
            .iter()
            .map(|p| (p.offering.as_str(), p.field))
            .collect();
        assert_eq!(
            fields,
            [
                ("primary", "api_base"),
                ("primary", "key_env"),
                ("fallback", "model")
            ]
        );
        assert!(
            err.to_string()
                .contains("offering `primary`: api_base: is missing")
        );
    }

    #[test]
    fn a_key_in_place_of_a_name_is_refused_without_echoing_it_whole() {
        let mut plan = pair_plan();
        plan.offerings[0].key_env = Some("abc-123".to_owned());
        let err = routes(&resolved_from(&plan)).expect_err("not a name");
        assert_eq!(err.problems[0].field, "key_env");
        assert!(
            err.problems[0]
                .reason
                .contains("not an environment variable name")
        );
        assert!(!err.to_string().contains("abc-123"));
    }

    #[test]
    fn unused_inline_offerings_need_no_connection() {
        let mut plan = pair_plan();
        let mut spare = plan.offerings[1].clone();
        spare.id = "spare".to_owned();
        spare.api_base = None;
        plan.offerings.push(spare);
        let r = routes(&resolved_from(&plan)).expect("spare is unused");
        assert_eq!(r[0].steps.len(), 2);
    }

    #[test]
    fn bases_that_are_not_urls_are_refused() {
        let mut plan = pair_plan();
        plan.offerings[1].api_base = Some("api.example.test".to_owned());
        let err = routes(&resolved_from(&plan)).expect_err("no scheme");
        assert!(err.problems[0].reason.contains("not an http"));
    }

    #[test]
    fn host_strips_only_the_version_path_its_gateways_add_back() {
        let c = |dialect, base: &str| Connection {
            dialect,
            api_base: base.to_owned(),
            model: "m".to_owned(),
            key_env: "K".to_owned(),
        };
        assert_eq!(c(Dialect::Openai, "http://h/v1").host(), "http://h/v1");
        assert_eq!(c(Dialect::Anthropic, "http://h/v1").host(), "http://h");
        assert_eq!(c(Dialect::Anthropic, "http://h").host(), "http://h");
        assert_eq!(c(Dialect::Gemini, "http://h/v1beta").host(), "http://h");
    }
}
