use plotters::coord::Shift;
use plotters::prelude::*;

use super::ChartError;
use super::data::CostData;
use super::style;

pub fn title(_d: &CostData) -> String {
    "todo".to_owned()
}

pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &CostData,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    style::no_data(area, &title(d), "todo")
}
