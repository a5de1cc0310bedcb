//! Gateway configs from a resolved plan: the LiteLLM proxy `config.yaml`, Portkey
//! configs and OpenRouter request preferences, plus the lint that says what each
//! gateway will do differently from the plan, and the portfolio it will really run.
//!
//! - [`connection`]: how to reach an offering (dialect, base URL, model, key
//!   variable), checked once for every exporter.
//! - [`litellm`], [`portkey`], [`openrouter`]: one module per gateway; each module
//!   doc says how plan semantics map onto the gateway's.
//! - [`semantics`]: the portfolio a gateway will actually run for a plan, and the
//!   list of differences. `switchyard evaluate --as` evaluates that portfolio and
//!   the lint reports those differences, so the two cannot disagree.
//! - [`lint`]: findings with a severity, a stable code and the route/step they
//!   concern.
//!
//! Every exporter is a pure function of the plan: the same plan gives the same
//! bytes. Key values never appear; exports name the environment variable.

pub mod breaker;
pub mod connection;
pub mod during_outage;
pub mod lint;
mod lint_breaker;
mod lint_capacity;
mod lint_streams;
pub mod litellm;
pub mod openrouter;
pub mod portkey;
pub mod semantics;

use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::plan::Resolved;

pub use connection::{Connection, ConnectionProblem, DeploymentLimits, ExportRoute, ExportStep};

/// The gateways Switchyard writes configs for.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "Gateway"))]
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// LiteLLM proxy `config.yaml` (checked against LiteLLM 1.106.2).
    Litellm,
    /// Portkey gateway configs, one per route (gateway 1.15.2).
    Portkey,
    /// OpenRouter request preferences (`models`, `provider`), one per route.
    Openrouter,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Litellm, Format::Portkey, Format::Openrouter];

    /// The name used on the command line and in findings.
    pub fn name(self) -> &'static str {
        match self {
            Format::Litellm => "litellm",
            Format::Portkey => "portkey",
            Format::Openrouter => "openrouter",
        }
    }

    /// The gateway's name as users know it.
    pub fn gateway(self) -> &'static str {
        match self {
            Format::Litellm => "LiteLLM",
            Format::Portkey => "Portkey",
            Format::Openrouter => "OpenRouter",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a plan cannot be exported: offerings that lack what a gateway needs to
/// reach them. Every problem is listed, not just the first.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", render(.problems))]
pub struct ExportError {
    pub problems: Vec<ConnectionProblem>,
}

fn render(problems: &[ConnectionProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The config for `format`, as the text to write to a file. Deterministic: the
/// same plan gives the same bytes on every run.
pub fn export(resolved: &Resolved, format: Format) -> Result<String, ExportError> {
    let routes = connection::routes(resolved)?;
    Ok(match format {
        Format::Litellm => litellm::render(&litellm::config(&routes, &resolved.gateway)),
        Format::Portkey => portkey::render(&portkey::configs(&routes, &resolved.gateway)),
        Format::Openrouter => openrouter::render(&openrouter::preferences(resolved, &routes)),
    })
}

/// One route's config alone. Portkey and OpenRouter write one object per route;
/// LiteLLM's single config serves every route, so it is returned whole. `None` if
/// the plan has no route of that name.
pub fn export_route(
    resolved: &Resolved,
    format: Format,
    route: &str,
) -> Result<Option<String>, ExportError> {
    let routes = connection::routes(resolved)?;
    Ok(match format {
        Format::Litellm => resolved
            .portfolio
            .routes
            .iter()
            .any(|r| r.name == route)
            .then(|| litellm::render(&litellm::config(&routes, &resolved.gateway))),
        Format::Portkey => portkey::configs(&routes, &resolved.gateway)
            .take(route)
            .map(|c| portkey::render_one(&c)),
        Format::Openrouter => openrouter::preferences(resolved, &routes)
            .take(route)
            .map(|p| openrouter::render_one(&p)),
    })
}

/// One value per route, in the plan's route order, written as a JSON object
/// keyed by route name (Portkey and OpenRouter exports).
#[derive(Debug, Clone, PartialEq)]
pub struct ByRoute<T>(pub Vec<(String, T)>);

impl<T> ByRoute<T> {
    /// The value of route `name`, if the plan has such a route.
    pub fn take(self, name: &str) -> Option<T> {
        self.0.into_iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

impl<T: Serialize> Serialize for ByRoute<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// Pretty JSON with a final newline; the types exported here always encode.
fn pretty_json<T: Serialize>(value: &T) -> String {
    match serde_json::to_string_pretty(value) {
        Ok(text) => text + "\n",
        Err(e) => format!("{{\"error\": \"cannot encode the config: {e}\"}}\n"),
    }
}

#[cfg(test)]
pub(crate) mod testkit;
