//! The two real gateways: how to start each with an exported config, how an
//! application calls a route through it, and how it says which upstream served.
//!
//! - LiteLLM 1.106.2 proxy from the venv `tests/interop/setup.sh` makes: `litellm
//!   --config FILE --host 127.0.0.1 --port P`, a master key from the
//!   environment, ready when `/health/liveliness` answers 200. A route is called
//!   by its name (the `model_name` of its first step); `x-litellm-model-api-base`
//!   names the upstream that answered.
//! - Portkey gateway 1.15.2 from npm: `start-server.js --port=P --headless`,
//!   ready when `/` answers 200. It keeps no configs of its own: the application
//!   sends the route's config in `x-portkey-config` with every request, after
//!   putting the keys in place of the placeholders. `x-portkey-last-used-option-index`
//!   (for example `config.targets[1]`) names the target that answered.
//!
//! Each gateway runs with a cleared environment: PATH, a temporary HOME, the
//! test keys and nothing else, so no real key of the caller can reach it.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use rand::Rng;
use serde_json::{Value, json};
use switchyard_e2e::fake_provider::REQUEST_KEY_MARKER;

use crate::fakes::Fakes;
use crate::process::{Guard, free_port};
use crate::scenario::GatewayKind;

/// Where `setup.sh` installs the gateways, under the repository root.
pub const LITELLM_BIN: &str = "target/interop/venv/bin/litellm";
pub const PORTKEY_SERVER: &str =
    "tests/interop/portkey/node_modules/@portkey-ai/gateway/build/start-server.js";

/// The test-only variable a fixed LiteLLM master key may come from; without it
/// every run makes a random one.
pub const MASTER_KEY_ENV: &str = "SWITCHYARD_INTEROP_MASTER_KEY";

/// How long a gateway may take to get ready.
const READY_LIMIT: Duration = Duration::from_secs(120);

/// What differs between the gateways once running.
#[derive(Debug)]
enum Flavor {
    Litellm {
        master_key: String,
    },
    /// Each route's config, keys in place, as the header value.
    Portkey {
        configs: BTreeMap<String, String>,
    },
}

/// A running gateway.
#[derive(Debug)]
pub struct Gateway {
    pub kind: GatewayKind,
    pub base_url: String,
    pub ready_after: Duration,
    flavor: Flavor,
    /// Parsed Portkey configs, to follow a last-used-option index to its target.
    portkey_trees: BTreeMap<String, Value>,
    guard: Guard,
}

/// Checks that `setup.sh` has run.
pub fn check_installed(root: &Path, kind: GatewayKind) -> Result<(), String> {
    let path = match kind {
        GatewayKind::Litellm => root.join(LITELLM_BIN),
        GatewayKind::Portkey => root.join(PORTKEY_SERVER),
    };
    if path.exists() {
        Ok(())
    } else {
        Err(format!(
            "{} is not installed ({} is missing): run tests/interop/setup.sh or `make test-interop`",
            kind.name(),
            path.display()
        ))
    }
}

fn master_key() -> String {
    match std::env::var(MASTER_KEY_ENV) {
        Ok(k) if k.len() >= 32 => k,
        _ => {
            let mut rng = rand::rng();
            format!(
                "interop-master-{:016x}{:016x}{:016x}",
                rng.random::<u64>(),
                rng.random::<u64>(),
                rng.random::<u64>()
            )
        }
    }
}

/// A command with nothing from the caller's environment but PATH.
fn clean_command(program: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("LANG", "C.UTF-8");
    cmd
}

/// A blocking GET with a short timeout: is the server answering 200?
fn answers_200(url: &str) -> bool {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return false;
    };
    rt.block_on(async {
        let Ok(client) = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
        else {
            return false;
        };
        client
            .get(url)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    })
}

impl Gateway {
    /// Starts `kind` with the exported config at `export` (a file), pointing at
    /// `fakes`. Logs go to `work/<kind>.log`.
    pub fn start(
        root: &Path,
        kind: GatewayKind,
        export: &Path,
        fakes: &Fakes,
        work: &Path,
    ) -> Result<Gateway, String> {
        check_installed(root, kind)?;
        let port = free_port();
        let base_url = format!("http://127.0.0.1:{port}");
        let home = work.join(format!("{}-home", kind.name()));
        std::fs::create_dir_all(&home).map_err(|e| format!("{}: {e}", home.display()))?;
        let log = work.join(format!("{}.log", kind.name()));
        let (mut guard, flavor, trees, ready_url) = match kind {
            GatewayKind::Litellm => {
                let master_key = master_key();
                let mut cmd = clean_command(&root.join(LITELLM_BIN), &home);
                cmd.args(["--config"])
                    .arg(export)
                    .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                    // Importing litellm fetches a price map unless told not to.
                    .env("LITELLM_LOCAL_MODEL_COST_MAP", "True")
                    .env("LITELLM_MASTER_KEY", &master_key);
                for (name, value) in fakes.key_env() {
                    cmd.env(name, value);
                }
                let guard = Guard::spawn("the LiteLLM proxy", cmd, &log)?;
                (
                    guard,
                    Flavor::Litellm { master_key },
                    BTreeMap::new(),
                    format!("{base_url}/health/liveliness"),
                )
            }
            GatewayKind::Portkey => {
                let (configs, trees) = portkey_configs(export, fakes)?;
                let mut cmd = clean_command(Path::new("node"), &home);
                cmd.arg(root.join(PORTKEY_SERVER))
                    .arg(format!("--port={port}"))
                    .arg("--headless");
                let guard = Guard::spawn("the Portkey gateway", cmd, &log)?;
                (
                    guard,
                    Flavor::Portkey { configs },
                    trees,
                    format!("{base_url}/"),
                )
            }
        };
        let ready_after = guard.wait_ready(READY_LIMIT, || answers_200(&ready_url))?;
        Ok(Gateway {
            kind,
            base_url,
            ready_after,
            flavor,
            portkey_trees: trees,
            guard,
        })
    }

    /// The request that calls `route` for client request `key`.
    pub fn request(
        &self,
        client: &reqwest::Client,
        route: &str,
        key: &str,
        max_tokens: u32,
    ) -> reqwest::RequestBuilder {
        self.request_with(client, route, key, max_tokens, false)
    }

    /// The same, asking for a stream (server-sent events) when `stream`.
    pub fn request_with(
        &self,
        client: &reqwest::Client,
        route: &str,
        key: &str,
        max_tokens: u32,
        stream: bool,
    ) -> reqwest::RequestBuilder {
        let content = format!("Say hello. {REQUEST_KEY_MARKER}{key}");
        let url = format!("{}/v1/chat/completions", self.base_url);
        match &self.flavor {
            Flavor::Litellm { master_key } => {
                client.post(url).bearer_auth(master_key).json(&json!({
                    "model": route,
                    "messages": [{"role": "user", "content": content}],
                    "max_tokens": max_tokens,
                    "stream": stream,
                }))
            }
            Flavor::Portkey { configs } => {
                let config = configs.get(route).cloned().unwrap_or_default();
                client
                    .post(url)
                    .header("x-portkey-config", config)
                    .json(&json!({
                        "messages": [{"role": "user", "content": content}],
                        "max_tokens": max_tokens,
                        "stream": stream,
                    }))
            }
        }
    }

    /// The header that names the upstream that served.
    pub fn served_header(&self) -> &'static str {
        match self.kind {
            GatewayKind::Litellm => "x-litellm-model-api-base",
            GatewayKind::Portkey => "x-portkey-last-used-option-index",
        }
    }

    /// The offering a served header names, for a request on `route`.
    pub fn served_offering(&self, fakes: &Fakes, route: &str, header: &str) -> Option<String> {
        match self.kind {
            GatewayKind::Litellm => fakes.by_url(header).map(|f| f.offering.clone()),
            GatewayKind::Portkey => {
                let tree = self.portkey_trees.get(route)?;
                let target = follow_option_index(tree, header)?;
                let host = target.get("custom_host").and_then(Value::as_str)?;
                fakes.by_url(host).map(|f| f.offering.clone())
            }
        }
    }

    /// Whether the process has died.
    pub fn died(&mut self) -> Option<String> {
        self.guard.exited().map(|s| {
            format!(
                "{} died ({s}); its log ends with:\n{}",
                self.guard.name,
                self.guard.log_tail(30)
            )
        })
    }
}

/// Follows `config.targets[1].targets[0]` (Portkey's record of the option that
/// answered) down a config tree to that target.
pub fn follow_option_index<'a>(config: &'a Value, path: &str) -> Option<&'a Value> {
    let mut node = config;
    let rest = path.strip_prefix("config").unwrap_or(path);
    for part in rest.split('.').filter(|p| !p.is_empty()) {
        let (name, index) = part.strip_suffix(']')?.split_once('[')?;
        let index: usize = index.parse().ok()?;
        node = node.get(name)?.get(index)?;
    }
    Some(node)
}

/// Each route's config as the `x-portkey-config` header value.
type HeaderConfigs = BTreeMap<String, String>;

/// Reads the Portkey export: one config per route, either the file itself (a
/// plan with one route) or an object of configs by route name, and puts each
/// key in place of the placeholder that names its variable.
fn portkey_configs(
    export: &Path,
    fakes: &Fakes,
) -> Result<(HeaderConfigs, BTreeMap<String, Value>), String> {
    let text = std::fs::read_to_string(export).map_err(|e| format!("{}: {e}", export.display()))?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", export.display()))?;
    let by_route = routes_of_portkey_export(&value).ok_or_else(|| {
        format!(
            "{}: no Portkey config found in the export",
            export.display()
        )
    })?;
    let keys = fakes.key_env();
    let mut configs = BTreeMap::new();
    let mut trees = BTreeMap::new();
    for (route, config) in by_route {
        let mut config = config.clone();
        fill_keys(&mut config, &keys)
            .map_err(|e| format!("{}: route {route}: {e}", export.display()))?;
        configs.insert(route.clone(), config.to_string());
        trees.insert(route, config);
    }
    Ok((configs, trees))
}

/// The configs of a Portkey export by route name.
fn routes_of_portkey_export(value: &Value) -> Option<BTreeMap<String, Value>> {
    let is_config = |v: &Value| v.get("strategy").is_some() || v.get("targets").is_some();
    if let Some(routes) = value.get("routes").and_then(Value::as_object) {
        return Some(
            routes
                .iter()
                .map(|(name, v)| (name.clone(), v.get("config").unwrap_or(v).clone()))
                .collect(),
        );
    }
    if let Some(routes) = value.get("routes").and_then(Value::as_array) {
        return routes
            .iter()
            .map(|r| {
                let name = r
                    .get("name")
                    .or_else(|| r.get("route"))?
                    .as_str()?
                    .to_owned();
                Some((name, r.get("config")?.clone()))
            })
            .collect();
    }
    let object = value.as_object()?;
    if object.values().all(is_config) && !object.is_empty() && !is_config(value) {
        return Some(object.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
    }
    None
}

/// Replaces every `api_key` placeholder (a string naming one of the key
/// variables) with that variable's test value.
fn fill_keys(node: &mut Value, keys: &[(String, String)]) -> Result<(), String> {
    match node {
        Value::Object(map) => {
            for (field, v) in map.iter_mut() {
                if field == "api_key" {
                    let placeholder = v.as_str().unwrap_or_default().to_owned();
                    let (_, value) = keys
                        .iter()
                        .filter(|(name, _)| placeholder.contains(name.as_str()))
                        .max_by_key(|(name, _)| name.len())
                        .ok_or_else(|| {
                            format!("api_key {placeholder:?} names none of the key variables")
                        })?;
                    *v = Value::String(value.clone());
                } else {
                    fill_keys(v, keys)?;
                }
            }
            Ok(())
        }
        Value::Array(items) => items.iter_mut().try_for_each(|v| fill_keys(v, keys)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_index_paths_lead_to_their_target() {
        let config = json!({"strategy": {"mode": "fallback"}, "targets": [
            {"custom_host": "a"},
            {"strategy": {"mode": "fallback"}, "targets": [{"custom_host": "b"}, {"custom_host": "c"}]},
        ]});
        let host = |p| {
            follow_option_index(&config, p)
                .and_then(|t| t.get("custom_host"))
                .cloned()
        };
        assert_eq!(host("config.targets[0]"), Some(json!("a")));
        assert_eq!(host("config.targets[1].targets[1]"), Some(json!("c")));
        assert_eq!(host("config.targets[7]"), None);
        assert_eq!(host("config.targets[x]"), None);
    }

    #[test]
    fn placeholders_get_the_value_of_the_variable_they_name() {
        let keys = vec![
            ("KEY_A".to_owned(), "value-a".to_owned()),
            ("KEY_AB".to_owned(), "value-ab".to_owned()),
        ];
        let mut config = json!({"targets": [{"api_key": "{{KEY_AB}}"}, {"api_key": "$KEY_A"}]});
        fill_keys(&mut config, &keys).expect("filled");
        assert_eq!(config["targets"][0]["api_key"], "value-ab");
        assert_eq!(config["targets"][1]["api_key"], "value-a");
        let mut bad = json!({"api_key": "OTHER"});
        assert!(fill_keys(&mut bad, &keys).is_err());
    }

    #[test]
    fn exports_with_one_or_many_routes_are_read() {
        let one = json!({"a": {"strategy": {"mode": "fallback"}, "targets": []}});
        assert_eq!(routes_of_portkey_export(&one).unwrap().len(), 1);
        let listed = json!({"routes": [{"name": "a", "config": {"targets": []}}]});
        assert_eq!(
            routes_of_portkey_export(&listed)
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            vec!["a"]
        );
        assert!(routes_of_portkey_export(&json!({"strategy": {}})).is_none());
    }
}
