//! Loading a plan for a subcommand: parse it, open the catalog only when it is
//! needed, resolve, and optionally put observed figures in place of declared ones.

use std::path::Path;

use switchyard::catalog::{Catalog, explicit_db_path, plan_needs_catalog, probes};
use switchyard::plan::{self, NoCatalog, OfferingSource, PlanError, PlanFile, Resolved};
use switchyard::probe::observed::{self, Provenance};

use super::Failure;

/// A plan ready to compute on.
pub struct LoadedPlan {
    /// The path as the user wrote it, for messages.
    pub file: String,
    pub plan: PlanFile,
    pub resolved: Resolved,
    /// With `observed`: where each observable figure came from.
    pub provenance: Option<Vec<Provenance>>,
}

/// Loads and resolves `path`. The catalog is opened (and, the first time,
/// created and seeded) only when `db` or `$SWITCHYARD_DB` names one, when
/// `observed` figures are wanted, or when the plan is not self-contained.
pub fn load(path: &Path, db: Option<&Path>, observed: bool) -> Result<LoadedPlan, Failure> {
    let file = path.display().to_string();
    let plan = plan::load(path)?;
    let explicit = explicit_db_path(db).is_some();
    let catalog = if explicit || observed || plan_needs_catalog(&plan) {
        Some(Catalog::open_chosen(db)?)
    } else {
        None
    };
    let snapshot = match &catalog {
        Some(catalog) => Some(catalog.snapshot_for(&plan)?),
        None => None,
    };
    let source: &dyn OfferingSource = match &snapshot {
        Some(s) => s,
        None => &NoCatalog,
    };
    let mut resolved = plan::resolve(&plan, source).map_err(|problems| PlanError::Invalid {
        file: file.clone(),
        problems,
    })?;
    let provenance = match (&catalog, observed) {
        (Some(catalog), true) => {
            let ids: Vec<String> = resolved
                .portfolio
                .offerings
                .iter()
                .map(|o| o.id.clone())
                .collect();
            let fits = probes::fits(catalog, &ids)?;
            Some(observed::apply(&mut resolved.portfolio, &fits))
        }
        _ => None,
    };
    Ok(LoadedPlan {
        file,
        plan,
        resolved,
        provenance,
    })
}
