//! The TCO page: both paths month by month, the break-even point, the chart.

use serde::Serialize;
use switchyard::app::charts::{self, ChartView};
use switchyard::plan::{PlanFile, PlanTco, plan_tco};
use tauri::State;
use ts_rs::TS;

use super::analysis::view;
use crate::error::AppResult;
use crate::state::{AppState, UNSAVED};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TcoView {
    pub tco: PlanTco,
    pub chart: ChartView,
}

/// The plan's TCO and its chart; an error naming `tco` when the plan has no
/// `[tco]` section.
#[tauri::command(async)]
pub fn tco_of_plan(state: State<'_, AppState>, plan: PlanFile) -> AppResult<TcoView> {
    let resolved = state.resolve(&plan)?.resolved;
    let tco = plan_tco(&plan, &resolved.portfolio, UNSAVED)?;
    let chart = view(&charts::tco(&tco))?;
    Ok(TcoView { tco, chart })
}
