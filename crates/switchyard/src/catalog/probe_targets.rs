//! What to probe: a catalog offering turned into a sweep target, with its key
//! looked up by name. The CLI and the desktop app both start sweeps from here.

use super::{Catalog, CatalogError};
use crate::probe::dialect::ProbeTarget;
use crate::probe::keys::{self, KeyError};
use crate::probe::schedule::SweepTarget;

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("{db}: unknown offering `{id}`")]
    Unknown { db: String, id: String },
    #[error("{db}: offering `{id}` has no {what} to probe with")]
    Missing {
        db: String,
        id: String,
        what: &'static str,
    },
    #[error("offering `{id}`: {source}")]
    Key {
        id: String,
        #[source]
        source: KeyError,
    },
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

/// The probe target of catalog offering `id`: its endpoint, model, key
/// variable and prices.
pub fn catalog_target(catalog: &Catalog, id: &str) -> Result<ProbeTarget, TargetError> {
    let db = catalog.file().to_owned();
    let spec = catalog
        .offering_spec(id)?
        .ok_or_else(|| TargetError::Unknown {
            db: db.clone(),
            id: id.to_owned(),
        })?;
    let missing = |what| TargetError::Missing {
        db: db.clone(),
        id: id.to_owned(),
        what,
    };
    Ok(ProbeTarget {
        offering: id.to_owned(),
        dialect: spec.dialect.ok_or_else(|| missing("API dialect"))?,
        api_base: spec.api_base.clone().ok_or_else(|| missing("api_base"))?,
        model: spec.model.clone().ok_or_else(|| missing("model name"))?,
        key_env: spec
            .key_env
            .clone()
            .ok_or_else(|| missing("key variable"))?,
        input_per_mtok: spec.input_per_mtok.unwrap_or(0.0),
        output_per_mtok: spec.output_per_mtok.unwrap_or(0.0),
    })
}

/// `target` with its key (looked up now) and its provider for per-provider limits.
pub fn sweep_target(target: ProbeTarget) -> Result<SweepTarget, TargetError> {
    sweep_target_with(target, |name| std::env::var(name).ok())
}

/// [`sweep_target`] with the environment supplied (the keychain is still
/// asked when it has no value), so a test can hand a key to one run without
/// changing the process's environment.
pub fn sweep_target_with(
    target: ProbeTarget,
    env: impl Fn(&str) -> Option<String>,
) -> Result<SweepTarget, TargetError> {
    let key = keys::lookup_with(&target.key_env, env).map_err(|source| TargetError::Key {
        id: target.offering.clone(),
        source,
    })?;
    Ok(SweepTarget {
        provider: host_of(&target.api_base),
        key,
        target,
    })
}

/// The endpoint host, for per-provider limits: probes to one host share them.
pub fn host_of(url: &str) -> String {
    url.split("://")
        .nth(1)
        .unwrap_or(url)
        .split('/')
        .next()
        .unwrap_or(url)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_group_probes_by_endpoint() {
        assert_eq!(host_of("https://api.example.test/v1"), "api.example.test");
        assert_eq!(host_of("http://127.0.0.1:8080"), "127.0.0.1:8080");
        assert_eq!(host_of("no-scheme/x"), "no-scheme");
    }

    #[test]
    fn catalog_offerings_become_targets_and_unknown_ones_are_named() {
        let (_dir, path) = super::super::testkit::temp_db();
        let catalog = super::super::testkit::open(&path, true);
        let id = catalog
            .list(&super::super::ListFilter::default())
            .expect("lists")
            .into_iter()
            .find(|r| r.provider == "anthropic")
            .expect("the default catalog has anthropic")
            .id;
        let target = catalog_target(&catalog, &id).expect("complete");
        assert_eq!(target.offering, id);
        assert!(target.api_base.starts_with("https://"));
        let e = catalog_target(&catalog, "nope/none").expect_err("unknown");
        assert!(
            e.to_string().ends_with("unknown offering `nope/none`"),
            "{e}"
        );
    }

    #[test]
    fn a_missing_key_names_its_variable_not_a_value() {
        let target = ProbeTarget {
            offering: "x/y".into(),
            dialect: crate::plan::Dialect::Openai,
            api_base: "http://127.0.0.1:1".into(),
            model: "m".into(),
            key_env: "SWITCHYARD_TEST_SURELY_UNSET_KEY".into(),
            input_per_mtok: 0.0,
            output_per_mtok: 0.0,
        };
        let e = sweep_target(target).expect_err("no such variable");
        assert!(
            e.to_string().contains("SWITCHYARD_TEST_SURELY_UNSET_KEY"),
            "{e}"
        );
    }
}
