//! OpenRouter request preferences: the `models` and `provider` fields to merge
//! into each chat completion request of a route.
//!
//! OpenRouter is a hosted router, not a config file: the plan becomes request
//! fields. The export is a JSON object keyed by route name.
//!
//! How the plan maps onto OpenRouter:
//!
//! - **Models.** `models` lists the route's models in step order, each once;
//!   OpenRouter tries the next model when every allowed provider of the
//!   current one fails. An offering reached through OpenRouter (its `api_base` is
//!   on `openrouter.ai`, as for offerings imported from OpenRouter's model list)
//!   is called by its own model id. Any other offering is named
//!   `<author>/<model>` from its provider, a guess the lint flags: OpenRouter's
//!   ids differ from providers' own names (`claude-sonnet-4.5`, not
//!   `claude-sonnet-4-5`).
//! - **Providers.** `provider.order` lists the providers of the route's steps in
//!   step order, as OpenRouter's provider slugs (`anthropic`, `amazon-bedrock`,
//!   `google-vertex`, …); with an order, `allow_fallbacks: false` keeps
//!   OpenRouter to the providers the plan evaluated. OpenRouter applies one order
//!   to every model in `models`, so it may try a model at a provider the plan
//!   pairs with another model: the lint lists such pairs. A route whose steps all
//!   go through OpenRouter's own ids names no provider: it sets
//!   `allow_fallbacks: true` and `sort` (`latency` under a latency budget,
//!   `price` otherwise) and OpenRouter picks.
//! - **Prices.** `provider.max_price` is in USD per 1M tokens (`prompt`,
//!   `completion`), the highest list price among the route's offerings, so no
//!   provider dearer than the plan assumed is used. OpenRouter's model list
//!   quotes USD per *token*; the catalog importer converts, and this export
//!   writes per 1M tokens as `max_price` expects.
//! - **Not expressible**: per-step attempts, backoff, per-attempt timeouts and
//!   the latency budget. OpenRouter retries and times out as it sees fit; the
//!   application's own client timeout is the only deadline. The lint lists each,
//!   and `switchyard evaluate --as openrouter` evaluates one try per step.

use serde::{Deserialize, Serialize};

use crate::plan::{Dialect, Resolved};

use super::connection::{Connection, ExportRoute, ExportStep};
use super::{ByRoute, pretty_json};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    pub models: Vec<String>,
    pub provider: ProviderPreferences,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderPreferences {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order: Vec<String>,
    pub allow_fallbacks: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    pub max_price: MaxPrice,
}

/// USD per 1M tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaxPrice {
    pub prompt: f64,
    pub completion: f64,
}

/// How OpenRouter will name one step: its model id, and the provider slug it is
/// pinned to (`None` when the step goes through OpenRouter's own routing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Naming {
    pub model: String,
    pub provider: Option<String>,
    /// The model id was built from the provider's names, not taken from
    /// OpenRouter's list.
    pub guessed: bool,
}

/// True when the offering is reached through OpenRouter itself.
pub fn via_openrouter(connection: &Connection) -> bool {
    let rest = connection
        .api_base
        .split_once("://")
        .map_or(connection.api_base.as_str(), |(_, r)| r);
    let host = rest.split(['/', ':']).next().unwrap_or_default();
    host == "openrouter.ai" || host.ends_with(".openrouter.ai")
}

/// OpenRouter's provider slug and model author for a plan provider (the part of
/// the offering id before `/`), where they are known.
fn known_provider(prefix: &str) -> Option<(&'static str, &'static str)> {
    let table: &[(&str, &str, &str)] = &[
        ("openai", "openai", "openai"),
        ("azure", "azure", "openai"),
        ("anthropic", "anthropic", "anthropic"),
        ("bedrock-anthropic", "amazon-bedrock", "anthropic"),
        ("bedrock", "amazon-bedrock", "amazon"),
        ("vertex-anthropic", "google-vertex", "anthropic"),
        ("vertex", "google-vertex", "google"),
        ("google", "google-ai-studio", "google"),
        ("gemini", "google-ai-studio", "google"),
        ("mistral", "mistral", "mistralai"),
        ("deepseek", "deepseek", "deepseek"),
        ("groq", "groq", "meta-llama"),
        ("together", "together", "meta-llama"),
        ("fireworks", "fireworks", "meta-llama"),
    ];
    let exact = table.iter().find(|(p, _, _)| *p == prefix);
    // `azure-eastus`, `bedrock-us-east-1`: a region after the provider.
    let family = || {
        table
            .iter()
            .filter(|(p, _, _)| prefix.starts_with(&format!("{p}-")))
            .max_by_key(|(p, _, _)| p.len())
    };
    exact
        .or_else(family)
        .map(|&(_, slug, author)| (slug, author))
}

/// How OpenRouter names the step's offering.
pub fn naming(step: &ExportStep) -> Naming {
    let c = &step.connection;
    if via_openrouter(c) {
        return Naming {
            model: c.model.clone(),
            provider: None,
            guessed: false,
        };
    }
    let prefix = step
        .offering_id
        .split_once('/')
        .map_or(step.offering_id.as_str(), |(p, _)| p);
    let (slug, author) = known_provider(prefix).unwrap_or_else(|| {
        let author = match c.dialect {
            Dialect::Anthropic => "anthropic",
            Dialect::Gemini => "google",
            Dialect::Openai => prefix,
        };
        (prefix, author)
    });
    // Bedrock and Vertex prefix the model with its author (`anthropic.claude-…`).
    let model = c
        .model
        .strip_prefix(&format!("{author}."))
        .unwrap_or(&c.model);
    let model = if model.contains('/') {
        model.to_owned()
    } else {
        format!("{author}/{model}")
    };
    Naming {
        model,
        provider: Some(slug.to_owned()),
        guessed: true,
    }
}

/// The preferences of every route, in plan order.
pub fn preferences(resolved: &Resolved, routes: &[ExportRoute]) -> ByRoute<Preferences> {
    ByRoute(
        routes
            .iter()
            .map(|route| (route.name.clone(), route_preferences(resolved, route)))
            .collect(),
    )
}

fn push_once(list: &mut Vec<String>, value: String) {
    if !list.contains(&value) {
        list.push(value);
    }
}

fn route_preferences(resolved: &Resolved, route: &ExportRoute) -> Preferences {
    let mut models = Vec::new();
    let mut order = Vec::new();
    let mut prompt: f64 = 0.0;
    let mut completion: f64 = 0.0;
    for step in &route.steps {
        let n = naming(step);
        push_once(&mut models, n.model);
        if let Some(p) = n.provider {
            push_once(&mut order, p);
        }
        let prices = resolved.portfolio.offerings[step.offering].prices;
        prompt = prompt.max(prices.input_per_mtok);
        completion = completion.max(prices.output_per_mtok);
    }
    let pinned = !order.is_empty();
    let sort = (!pinned).then(|| {
        if resolved.portfolio.workload.latency_budget_ms.is_some() {
            "latency"
        } else {
            "price"
        }
        .to_owned()
    });
    Preferences {
        models,
        provider: ProviderPreferences {
            order,
            allow_fallbacks: !pinned,
            sort,
            max_price: MaxPrice { prompt, completion },
        },
    }
}

/// Every route's preferences, as one JSON object keyed by route name.
pub fn render(preferences: &ByRoute<Preferences>) -> String {
    pretty_json(preferences)
}

/// One route's preferences, the fields to merge into its requests.
pub fn render_one(preferences: &Preferences) -> String {
    pretty_json(preferences)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::export::connection::routes;
    use crate::export::testkit::{PAIR, pair, parse, resolved_from, two_routes};

    fn export(resolved: &Resolved) -> BTreeMap<String, Preferences> {
        let text = render(&preferences(resolved, &routes(resolved).expect("complete")));
        serde_json::from_str(&text).expect("valid JSON")
    }

    /// PAIR with catalog-style ids so that providers are known.
    fn named() -> Resolved {
        let text = PAIR
            .replace("\"primary\"", "\"anthropic/claude\"")
            .replace("\"fallback\"", "\"deepseek/chat\"");
        resolved_from(&parse(&text))
    }

    #[test]
    fn models_and_provider_order_follow_the_steps() {
        let p = &export(&named())["default"];
        assert_eq!(p.models, ["anthropic/claude-test", "deepseek/gpt-test"]);
        assert_eq!(p.provider.order, ["anthropic", "deepseek"]);
        assert!(!p.provider.allow_fallbacks);
        assert_eq!(p.provider.sort, None);
    }

    #[test]
    fn max_price_is_per_million_tokens_the_dearest_of_the_route() {
        let p = &export(&named())["default"];
        assert_eq!(p.provider.max_price.prompt, 3.0);
        assert_eq!(p.provider.max_price.completion, 15.0);
    }

    #[test]
    fn offerings_through_openrouter_keep_their_ids_and_let_openrouter_pick() {
        let text = PAIR
            .replace("http://127.0.0.1:9001", "https://openrouter.ai/api/v1")
            .replace("http://127.0.0.1:9002/v1", "https://openrouter.ai/api/v1")
            .replace("\"claude-test\"", "\"anthropic/claude-sonnet-4.5\"")
            .replace("\"gpt-test\"", "\"deepseek/deepseek-chat\"");
        let p = &export(&resolved_from(&parse(&text)))["default"];
        assert_eq!(
            p.models,
            ["anthropic/claude-sonnet-4.5", "deepseek/deepseek-chat"]
        );
        assert!(p.provider.order.is_empty());
        assert!(p.provider.allow_fallbacks);
        assert_eq!(p.provider.sort.as_deref(), Some("price"));
    }

    #[test]
    fn the_same_model_at_two_providers_is_one_model_with_two_providers() {
        let text = PAIR
            .replace("\"primary\"", "\"anthropic/claude\"")
            .replace("\"fallback\"", "\"bedrock-anthropic/claude\"")
            .replace("\"gpt-test\"", "\"anthropic.claude-test\"");
        let p = &export(&resolved_from(&parse(&text)))["default"];
        assert_eq!(p.models, ["anthropic/claude-test"]);
        assert_eq!(p.provider.order, ["anthropic", "amazon-bedrock"]);
    }

    #[test]
    fn regional_provider_ids_find_their_family() {
        assert_eq!(known_provider("azure-eastus"), Some(("azure", "openai")));
        assert_eq!(
            known_provider("bedrock-anthropic"),
            Some(("amazon-bedrock", "anthropic"))
        );
        assert_eq!(known_provider("unknown"), None);
    }

    #[test]
    fn two_routes_are_two_objects() {
        let all = export(&two_routes());
        assert_eq!(all.len(), 2);
        assert_eq!(all["batch"].models.len(), 1);
        assert!(export(&pair())["default"].models.len() == 2);
    }
}
