//! Loading a plan for a subcommand: parse it, resolve it through the
//! application layer (which opens the catalog only when it is needed), and
//! optionally put observed figures in place of declared ones.

use std::path::Path;

use switchyard::app::{self, Resolution};
use switchyard::catalog::{Catalog, explicit_db_path, probes};
use switchyard::plan::{self, PlanFile};
use switchyard::probe::observed::{self, Provenance};

use super::Failure;

/// A plan ready to compute on.
pub struct LoadedPlan {
    /// The path as the user wrote it, for messages.
    pub file: String,
    pub plan: PlanFile,
    pub resolution: Resolution<Catalog>,
    /// With `observed`: where each observable figure came from.
    pub provenance: Option<Vec<Provenance>>,
}

/// Loads and resolves `path`. The catalog is opened (and, the first time,
/// created and seeded) only when `db` or `$SWITCHYARD_DB` names one, when
/// `observed` figures are wanted, or when the plan is not self-contained.
pub fn load(path: &Path, db: Option<&Path>, observed: bool) -> Result<LoadedPlan, Failure> {
    let file = path.display().to_string();
    let plan = plan::load(path)?;
    let always = explicit_db_path(db).is_some() || observed;
    let mut resolution = app::resolve(&plan, &file, always, || Catalog::open_chosen(db))
        .map_err(|e| Failure(e.to_string()))?;
    let provenance = match (&resolution.catalog, observed) {
        (Some(catalog), true) => {
            let portfolio = &mut resolution.resolved.portfolio;
            let ids: Vec<String> = portfolio.offerings.iter().map(|o| o.id.clone()).collect();
            let fits = probes::fits(catalog, &ids)?;
            Some(observed::apply(portfolio, &fits))
        }
        _ => None,
    };
    Ok(LoadedPlan {
        file,
        plan,
        resolution,
        provenance,
    })
}
