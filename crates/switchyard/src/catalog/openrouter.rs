//! OpenRouter's model list (`GET /api/v1/models`): `{"data": [ ... ]}`.
//!
//! Each model becomes the offering `openrouter/{id}` at the provider
//! `openrouter` (OpenRouter is the endpoint a plan would call). The unit trap:
//! `pricing.prompt`, `pricing.completion` and `pricing.input_cache_read` are
//! USD per *token*, written as decimal strings (`"0.0000025"`); they are
//! converted to USD per 1M tokens (`2.5`). `context_length` is the context
//! window. A price of `"-1"` means "variable" (the `openrouter/auto` router):
//! such models are skipped. Models whose output is not text are skipped unless
//! `all_modes`.

use std::collections::HashSet;

use serde_json::{Map, Value as Json};

use super::error::{CatalogError, quote};
use super::fields::{Field, Value, per_token_to_per_mtok};
use super::import::{Batch, Format, NewProvider, ProviderRef, Record, SourceRef, check_id};
use super::litellm::{describe, file_name, parse_json};

/// Where a price refresh fetches the list by default: OpenRouter's public
/// model list, which needs no key.
pub const DEFAULT_URL: &str = "https://openrouter.ai/api/v1/models";

pub const VARIABLE_PRICE: &str = "variable price (-1), e.g. the auto router";
pub const NOT_TEXT: &str = "output is not text";
pub const NO_PRICE: &str = "no prompt and completion price";

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Import models whose output is not text, too.
    pub all_modes: bool,
}

/// The provider every OpenRouter offering belongs to.
pub fn provider() -> NewProvider {
    NewProvider {
        id: "openrouter".to_owned(),
        name: "OpenRouter".to_owned(),
        dialect: Some("openai".to_owned()),
        api_base: Some("https://openrouter.ai/api/v1".to_owned()),
        key_env: Some("OPENROUTER_API_KEY".to_owned()),
        litellm_provider: Some("openrouter".to_owned()),
        declared_sla: Some("none published".to_owned()),
    }
}

/// Parses the model list; `file` names it in errors.
pub fn parse(text: &str, file: &str, options: Options) -> Result<Batch, CatalogError> {
    let top: Map<String, Json> =
        parse_json(text).map_err(|e| e.into_catalog_error(file, "an OpenRouter model list"))?;
    let data = match top.get("data") {
        Some(Json::Array(data)) => data,
        Some(other) => {
            return Err(CatalogError::File {
                file: file.to_owned(),
                reason: format!("`data`: expected an array, found {}", describe(other)),
            });
        }
        None => {
            return Err(CatalogError::File {
                file: file.to_owned(),
                reason: "not an OpenRouter model list: no `data` array".to_owned(),
            });
        }
    };
    let mut batch = Batch::new(Format::Openrouter, file);
    let source = SourceRef::file(
        format!("openrouter:{}", file_name(file)),
        format!("OpenRouter model list imported from {file}"),
    );
    let mut ids = HashSet::new();
    let mut listed = HashSet::new();
    for (i, model) in data.iter().enumerate() {
        batch.entries += 1;
        let mut at = Model {
            file,
            entry: format!("data[{i}]"),
        };
        let obj = model.as_object().ok_or_else(|| {
            at.error(
                "(value)",
                format!("expected an object, found {}", describe(model)),
            )
        })?;
        let id = match obj.get("id") {
            Some(Json::String(id)) => id.as_str(),
            Some(other) => {
                return Err(at.error(
                    "id",
                    format!("expected a string, found {}", describe(other)),
                ));
            }
            None => return Err(at.error("id", "is missing")),
        };
        check_id(id).map_err(|r| at.error("id", r))?;
        at.entry = format!("data[{i}] ({id})");
        if !ids.insert(id) {
            return Err(at.error("id", format!("`{id}` is listed twice")));
        }
        listed.insert(offering_id(id));
        let text_out = at.outputs_text(obj)?;
        if !text_out && !options.all_modes {
            batch.skip(NOT_TEXT);
            continue;
        }
        batch.considered += 1;
        let pricing = match obj.get("pricing") {
            Some(Json::Object(p)) => p,
            None | Some(Json::Null) => {
                batch.skip(NO_PRICE);
                continue;
            }
            Some(other) => {
                return Err(at.error(
                    "pricing",
                    format!("expected an object, found {}", describe(other)),
                ));
            }
        };
        let mut figures = Vec::new();
        let mut variable = false;
        for (name, field) in [
            ("prompt", Field::InputPerMtok),
            ("completion", Field::OutputPerMtok),
            ("input_cache_read", Field::CachedInputPerMtok),
        ] {
            match at.price(pricing, name)? {
                Price::Absent => {}
                Price::Variable => variable = true,
                Price::PerToken(x) => {
                    let value = Value::Number(per_token_to_per_mtok(x));
                    field
                        .check(&value)
                        .map_err(|r| at.error(&format!("pricing.{name}"), r))?;
                    figures.push((field, value));
                }
            }
        }
        if variable {
            batch.skip(VARIABLE_PRICE);
            continue;
        }
        let has = |f: Field| figures.iter().any(|(g, _)| *g == f);
        if !(has(Field::InputPerMtok) && has(Field::OutputPerMtok)) {
            batch.skip(NO_PRICE);
            continue;
        }
        match obj.get("context_length") {
            None | Some(Json::Null) => {}
            Some(Json::Number(n)) => {
                let value = Value::Number(n.as_f64().unwrap_or(f64::NAN));
                Field::ContextWindow
                    .check(&value)
                    .map_err(|r| at.error("context_length", r))?;
                figures.push((Field::ContextWindow, value));
            }
            Some(other) => {
                return Err(at.error(
                    "context_length",
                    format!("expected a number, found {}", describe(other)),
                ));
            }
        }
        batch.records.push(Record {
            entry: at.entry.clone(),
            id: Some(offering_id(id)),
            litellm_key: None,
            provider: ProviderRef::Known(provider()),
            model: id.to_owned(),
            mode: Some(if text_out { "chat" } else { "other" }.to_owned()),
            figures,
            groups: None,
            source: source.clone(),
            effective_date: None,
        });
    }
    batch.listed = Some(listed);
    Ok(batch)
}

/// The catalog id of OpenRouter's model `id`.
fn offering_id(id: &str) -> String {
    format!("openrouter/{id}")
}

enum Price {
    Absent,
    Variable,
    PerToken(f64),
}

struct Model<'a> {
    file: &'a str,
    entry: String,
}

impl Model<'_> {
    fn error(&self, field: &str, reason: impl Into<String>) -> CatalogError {
        CatalogError::entry(self.file, &self.entry, field, reason)
    }

    /// A price: a decimal string (OpenRouter's form) or, leniently, a number.
    fn price(&self, pricing: &Map<String, Json>, name: &str) -> Result<Price, CatalogError> {
        let field = format!("pricing.{name}");
        let x = match pricing.get(name) {
            None | Some(Json::Null) => return Ok(Price::Absent),
            Some(Json::String(s)) => s
                .trim()
                .parse::<f64>()
                .map_err(|_| self.error(&field, format!("\"{}\" is not a number", quote(s))))?,
            Some(Json::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
            Some(other) => {
                return Err(self.error(
                    &field,
                    format!("expected a decimal string, found {}", describe(other)),
                ));
            }
        };
        if x == -1.0 {
            Ok(Price::Variable)
        } else if !x.is_finite() {
            Err(self.error(&field, format!("{x} is not a finite number")))
        } else if x < 0.0 {
            Err(self.error(&field, format!("{x} is a negative price")))
        } else {
            Ok(Price::PerToken(x))
        }
    }

    /// Whether the model outputs text: `architecture.output_modalities`
    /// contains `text`, or (older lists) `architecture.modality` ends in
    /// `->text`. Without either, text is assumed.
    fn outputs_text(&self, obj: &Map<String, Json>) -> Result<bool, CatalogError> {
        let Some(arch) = obj.get("architecture") else {
            return Ok(true);
        };
        let arch = match arch {
            Json::Object(a) => a,
            Json::Null => return Ok(true),
            other => {
                return Err(self.error(
                    "architecture",
                    format!("expected an object, found {}", describe(other)),
                ));
            }
        };
        match arch.get("output_modalities") {
            Some(Json::Array(m)) => return Ok(m.iter().any(|x| x.as_str() == Some("text"))),
            None | Some(Json::Null) => {}
            Some(other) => {
                return Err(self.error(
                    "architecture.output_modalities",
                    format!("expected an array, found {}", describe(other)),
                ));
            }
        }
        match arch.get("modality") {
            Some(Json::String(m)) => Ok(m.ends_with("->text") || !m.contains("->")),
            _ => Ok(true),
        }
    }
}

#[cfg(test)]
#[path = "openrouter_tests.rs"]
mod tests;
