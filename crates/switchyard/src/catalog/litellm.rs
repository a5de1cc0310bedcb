//! The LiteLLM price map (`model_prices_and_context_window.json`): one object
//! whose keys are LiteLLM model names and whose values hold per-token prices.
//!
//! Mapping: `litellm_provider` picks the provider (the catalog provider that
//! declares it, else a provider of that name); the offering id is
//! `{provider}/{model}`, where the model is the key without a leading
//! `{provider}/` route segment; `input_cost_per_token`,
//! `cache_read_input_token_cost`, `output_cost_per_token`,
//! `input_cost_per_token_batches` and `output_cost_per_token_batches` become
//! USD per 1M tokens; `max_input_tokens` is the context window.
//! `input_cost_per_token_above_{N}k_tokens`, `output_cost_per_token_above_…`
//! and `cache_read_input_token_cost_above_…` become the price tier: its
//! threshold `N × 1000` (`tier_above_tokens`) and its three prices (see
//! [`tier`]).
//!
//! Only `mode: chat` entries are imported unless `all_modes`; the others are
//! counted as skipped, by mode. Entries without both per-token prices (priced
//! per second, per image, by commitment) are skipped too. A wrong type or a
//! bad value in a field this importer reads refuses the whole file.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};

use super::error::{CatalogError, quote};
use super::fields::{Field, Value, per_token_to_per_mtok};
use super::import::{Batch, Format, ProviderRef, Record, SourceRef, check_id};
use crate::model::Prices;
use crate::plan::{OfferingSpec, offering_prices};

/// Where a price refresh fetches the map by default: LiteLLM's repository at
/// the release tag the repository's fixture and the default catalog come from
/// (`fixtures/litellm/SOURCE.md`), so a refresh is reproducible; pass another
/// URL (the `main` branch, a newer tag) for newer prices.
pub const DEFAULT_URL: &str = "https://raw.githubusercontent.com/BerriAI/litellm/v1.106.2/model_prices_and_context_window.json";

/// The per-token fields read, and the figure each becomes.
const PRICES: [(&str, Field); 5] = [
    ("input_cost_per_token", Field::InputPerMtok),
    ("cache_read_input_token_cost", Field::CachedInputPerMtok),
    ("output_cost_per_token", Field::OutputPerMtok),
    ("input_cost_per_token_batches", Field::BatchInputPerMtok),
    ("output_cost_per_token_batches", Field::BatchOutputPerMtok),
];

/// The tiered per-token fields (`{prefix}_above_{N}k_tokens`) and the tier
/// figure each becomes.
const TIER_PRICES: [(&str, Field); 3] = [
    ("input_cost_per_token", Field::TierInputPerMtok),
    ("cache_read_input_token_cost", Field::TierCachedInputPerMtok),
    ("output_cost_per_token", Field::TierOutputPerMtok),
];

/// Whether `key` is a standard tier price (`input_cost_per_token_above_200k_tokens`,
/// `..._above_128_tokens`), and its prefix and threshold in tokens. Keys with
/// anything after `_tokens` (another service tier) are not.
fn tier_key(key: &str) -> Option<(&'static str, f64)> {
    let (prefix, rest) = key.split_once("_above_")?;
    let prefix = TIER_PRICES.iter().find(|(p, _)| *p == prefix)?.0;
    let count = rest.strip_suffix("_tokens")?;
    let (digits, scale) = match count.strip_suffix('k') {
        Some(d) => (d, 1000.0),
        None => (count, 1.0),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: f64 = digits.parse().ok()?;
    Some((prefix, n * scale))
}

/// Skip reasons, as reported.
pub const NO_PRICE: &str = "no per-token input and output price";
pub const NO_MODE: &str = "no mode";
pub const SAMPLE_SPEC: &str = "sample_spec (LiteLLM's schema example)";

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Import every mode, not only `chat`.
    pub all_modes: bool,
}

/// Parses the map; `file` names it in errors.
pub fn parse(text: &str, file: &str, options: Options) -> Result<Batch, CatalogError> {
    let map: Map<String, Json> = parse_json::<UniqueKeys<Map<String, Json>>>(text)
        .map_err(|e| e.into_catalog_error(file, "a LiteLLM price map"))?
        .0;
    let mut batch = Batch::new(Format::Litellm, file);
    batch.listed = Some(map.keys().cloned().collect());
    let source = SourceRef::file(
        format!("litellm:{}", file_name(file)),
        format!("LiteLLM price map imported from {file}"),
    );
    for (key, value) in &map {
        batch.entries += 1;
        check_id(key).map_err(|r| CatalogError::entry(file, key, "(key)", r))?;
        if key == "sample_spec" {
            batch.skip(SAMPLE_SPEC);
            continue;
        }
        let entry = Entry { file, key, value };
        let obj = entry.object()?;
        let mode = match obj.get("mode") {
            None | Some(Json::Null) => None,
            Some(Json::String(m)) => Some(m.as_str()),
            Some(other) => return Err(entry.wrong("mode", "a string", other)),
        };
        match mode {
            Some("chat") => {}
            None if !options.all_modes => {
                batch.skip(NO_MODE);
                continue;
            }
            Some(m) if !options.all_modes => {
                batch.skip(format!("mode {}", quote(m)));
                continue;
            }
            _ => {}
        }
        if let Some(m) = mode {
            check_id(m).map_err(|r| entry.error("mode", r))?;
        }
        batch.considered += 1;
        if let Some(record) = entry.record(obj, mode, &source)? {
            batch.records.push(record);
        } else {
            batch.skip(NO_PRICE);
        }
    }
    Ok(batch)
}

/// Why JSON text did not parse, and where: the entry (`gpt-4o`, `data[3]`)
/// and the field inside it (`pricing.prompt`) when parsing got that far.
#[derive(Debug)]
pub(crate) struct JsonError {
    pub entry: Option<String>,
    pub field: String,
    pub reason: String,
}

impl JsonError {
    /// An entry error when an entry is known, else a whole-file error.
    pub(crate) fn into_catalog_error(self, file: &str, what: &str) -> CatalogError {
        match self.entry {
            Some(entry) => CatalogError::entry(file, &entry, self.field, self.reason),
            None => CatalogError::File {
                file: file.to_owned(),
                reason: format!("not {what}: {}", self.reason),
            },
        }
    }
}

/// Parses JSON text. On failure the text is parsed a second time with path
/// tracking, to name the entry where parsing stopped; tracking every
/// successful parse would slow it down.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    use serde_path_to_error::Segment;
    serde_json::from_str(text).map_err(|plain| {
        let mut de = serde_json::Deserializer::from_str(text);
        let tracked: Result<T, _> = serde_path_to_error::deserialize(&mut de);
        let mut entry: Option<String> = None;
        let mut field = Vec::new();
        if let Err(e) = tracked {
            for segment in e.path().iter() {
                match (segment, &mut entry) {
                    (Segment::Unknown, _) => break,
                    (Segment::Seq { index }, Some(name)) if field.is_empty() => {
                        name.push_str(&format!("[{index}]"));
                    }
                    (s, None) => entry = Some(s.to_string()),
                    (s, Some(_)) => field.push(quote(&s.to_string())),
                }
            }
        }
        JsonError {
            entry,
            field: if field.is_empty() {
                "(value)".to_owned()
            } else {
                field.join(".")
            },
            reason: plain.to_string(),
        }
    })
}

/// A JSON value read with every object's keys checked for repeats, at any
/// depth. serde_json keeps the last of two equal keys silently; in a price map
/// a repeat is an editing mistake, and which copy wins is anyone's guess.
#[derive(Debug)]
pub(crate) struct UniqueKeys<T>(pub T);

impl<'de, T: serde::de::DeserializeOwned> serde::Deserialize<'de> for UniqueKeys<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = d.deserialize_any(UniqueKeysVisitor)?;
        T::deserialize(value)
            .map(UniqueKeys)
            .map_err(serde::de::Error::custom)
    }
}

/// One value inside, checked the same way without converting it again.
struct UniqueJson(Json);

impl<'de> serde::Deserialize<'de> for UniqueJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueKeysVisitor).map(UniqueJson)
    }
}

struct UniqueKeysVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueKeysVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(Json::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(UniqueJson(item)) = seq.next_element::<UniqueJson>()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "the key `{}` appears twice",
                    quote(&key)
                )));
            }
            let UniqueJson(value) = map.next_value::<UniqueJson>()?;
            object.insert(key, value);
        }
        Ok(Json::Object(object))
    }
}

/// The last path component, for source ids that do not depend on where the
/// file was read from.
pub(crate) fn file_name(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

struct Entry<'a> {
    file: &'a str,
    key: &'a str,
    value: &'a Json,
}

impl Entry<'_> {
    fn error(&self, field: &str, reason: impl Into<String>) -> CatalogError {
        CatalogError::entry(self.file, self.key, field, reason)
    }

    fn wrong(&self, field: &str, expected: &str, found: &Json) -> CatalogError {
        self.error(
            field,
            format!("expected {expected}, found {}", describe(found)),
        )
    }

    fn object(&self) -> Result<&Map<String, Json>, CatalogError> {
        self.value
            .as_object()
            .ok_or_else(|| self.wrong("(value)", "an object", self.value))
    }

    fn number(&self, obj: &Map<String, Json>, field: &str) -> Result<Option<f64>, CatalogError> {
        match obj.get(field) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::Number(n)) => n
                .as_f64()
                .filter(|x| x.is_finite())
                .map(Some)
                .ok_or_else(|| self.error(field, format!("{n} is not a finite number"))),
            Some(other) => Err(self.wrong(field, "a number", other)),
        }
    }

    /// The entry's price tier as figures: its threshold and the prices it
    /// gives, or nothing when it has no `*_above_{N}k_tokens` price.
    ///
    /// LiteLLM 1.106.2 (`_get_token_base_cost` in
    /// `litellm/litellm_core_utils/llm_cost_calc/utils.py`) bills every token
    /// of a request at the `_above_` prices once `prompt_tokens > N`; for the
    /// `xai` provider the comparison is `>=` (`_INCLUSIVE_THRESHOLD_PROVIDERS`),
    /// which for whole token counts is `> N - 1`, so xAI's threshold is
    /// stored one lower. Keys with a further suffix (`_batches`, `_priority`,
    /// `_flex`, ...) price other service tiers and are not read. Every entry
    /// of the 1.106.2 map has at most one threshold; should one have more,
    /// the lowest is kept (the first a growing prompt crosses).
    fn tier(
        &self,
        obj: &Map<String, Json>,
        provider: &str,
    ) -> Result<Vec<(Field, Value)>, CatalogError> {
        let mut lowest: Option<(f64, &str)> = None;
        for key in obj.keys() {
            let Some((_, threshold)) = tier_key(key) else {
                continue;
            };
            if self.number(obj, key)?.is_some() && lowest.is_none_or(|(t, _)| threshold < t) {
                lowest = Some((threshold, key.as_str()));
            }
        }
        let Some((threshold, key)) = lowest else {
            return Ok(Vec::new());
        };
        let suffix = key.split_once("_above_").map_or("", |(_, rest)| rest);
        let above = if provider == "xai" {
            (threshold - 1.0).max(0.0)
        } else {
            threshold
        };
        let mut figures = vec![(Field::TierAboveTokens, Value::Number(above))];
        Field::TierAboveTokens
            .check(&figures[0].1)
            .map_err(|r| self.error(key, r))?;
        for (prefix, field) in TIER_PRICES {
            let name = format!("{prefix}_above_{suffix}");
            if let Some(per_token) = self.number(obj, &name)? {
                let value = Value::Number(per_token_to_per_mtok(per_token));
                field.check(&value).map_err(|r| self.error(&name, r))?;
                figures.push((field, value));
            }
        }
        Ok(figures)
    }

    /// The record, or `None` if the entry has no per-token prices.
    fn record(
        &self,
        obj: &Map<String, Json>,
        mode: Option<&str>,
        source: &SourceRef,
    ) -> Result<Option<Record>, CatalogError> {
        let provider = match obj.get("litellm_provider") {
            Some(Json::String(p)) => p.as_str(),
            None | Some(Json::Null) => {
                return Err(self.error("litellm_provider", "is missing"));
            }
            Some(other) => return Err(self.wrong("litellm_provider", "a string", other)),
        };
        check_id(provider).map_err(|r| self.error("litellm_provider", r))?;
        if provider.contains('/') {
            return Err(self.error(
                "litellm_provider",
                format!("`{}` contains a `/`", quote(provider)),
            ));
        }
        let mut figures = Vec::new();
        for (name, field) in PRICES {
            if let Some(per_token) = self.number(obj, name)? {
                let value = Value::Number(per_token_to_per_mtok(per_token));
                field.check(&value).map_err(|r| self.error(name, r))?;
                figures.push((field, value));
            }
        }
        let has = |f: Field| figures.iter().any(|(g, _)| *g == f);
        if !(has(Field::InputPerMtok) && has(Field::OutputPerMtok)) {
            return Ok(None);
        }
        figures.extend(self.tier(obj, provider)?);
        if let Some(window) = self.number(obj, "max_input_tokens")? {
            let value = Value::Number(window);
            Field::ContextWindow
                .check(&value)
                .map_err(|r| self.error("max_input_tokens", r))?;
            figures.push((Field::ContextWindow, value));
        }
        Ok(Some(Record {
            entry: self.key.to_owned(),
            id: None,
            litellm_key: Some(self.key.to_owned()),
            provider: ProviderRef::Litellm(provider.to_owned()),
            model: model_name(self.key, provider).to_owned(),
            mode: mode.map(str::to_owned),
            figures,
            groups: None,
            source: source.clone(),
            effective_date: None,
        }))
    }
}

/// The prices each priced entry of a parsed map bills a request at, by
/// LiteLLM key: list, cached, batch and tier prices resolved as a plan
/// resolves an offering's ([`crate::plan::offering_prices`]). Every record
/// is kept, aliases included, so a spend log's `model` finds its own key.
/// This is the catalog's side of re-pricing a log line by line; the prices
/// are the imported ones, before any override.
pub fn request_prices(batch: &Batch) -> BTreeMap<String, Prices> {
    batch
        .records
        .iter()
        .filter_map(|r| {
            let key = r.litellm_key.as_ref()?;
            let figures = r
                .figures
                .iter()
                .filter_map(|(field, value)| Some((*field, value.as_f64()?)));
            Some((key.clone(), prices_of(figures)?))
        })
        .collect()
}

/// The prices an offering's figures bill a request at: its list, cached,
/// batch and tier prices resolved as a plan resolves an offering's
/// ([`crate::plan::offering_prices`]); `None` without an input or an output
/// price. The one reading of price figures for re-pricing, from a parsed map
/// or from the catalog (`catalog::log_prices`).
pub fn prices_of(figures: impl IntoIterator<Item = (Field, f64)>) -> Option<Prices> {
    let mut spec = OfferingSpec::default();
    for (field, x) in figures {
        let slot = match field {
            Field::InputPerMtok => &mut spec.input_per_mtok,
            Field::CachedInputPerMtok => &mut spec.cached_input_per_mtok,
            Field::OutputPerMtok => &mut spec.output_per_mtok,
            Field::BatchInputPerMtok => &mut spec.batch_input_per_mtok,
            Field::BatchOutputPerMtok => &mut spec.batch_output_per_mtok,
            Field::TierAboveTokens => &mut spec.tier_above_tokens,
            Field::TierInputPerMtok => &mut spec.tier_input_per_mtok,
            Field::TierCachedInputPerMtok => &mut spec.tier_cached_input_per_mtok,
            Field::TierOutputPerMtok => &mut spec.tier_output_per_mtok,
            _ => continue,
        };
        *slot = Some(x);
    }
    offering_prices(&spec)
}

/// The key without its LiteLLM route segment: `gemini/gemini-2.5-pro` ->
/// `gemini-2.5-pro`; `vertex_ai/claude-x` at provider
/// `vertex_ai-anthropic_models` -> `claude-x`; `gpt-4o` stays.
pub fn model_name<'k>(key: &'k str, provider: &str) -> &'k str {
    match key.split_once('/') {
        Some((segment, rest))
            if !rest.is_empty()
                && (provider == segment
                    || provider.starts_with(&format!("{segment}-"))
                    || provider.starts_with(&format!("{segment}_"))) =>
        {
            rest
        }
        _ => key,
    }
}

/// A JSON value's type and a short quote of it, for messages.
pub(crate) fn describe(v: &Json) -> String {
    match v {
        Json::Null => "null".to_owned(),
        Json::Bool(b) => format!("the boolean {b}"),
        Json::Number(n) => format!("the number {n}"),
        Json::String(s) => format!("the string \"{}\"", quote(s)),
        Json::Array(_) => "an array".to_owned(),
        Json::Object(_) => "an object".to_owned(),
    }
}

#[cfg(test)]
#[path = "litellm_tests.rs"]
mod tests;
