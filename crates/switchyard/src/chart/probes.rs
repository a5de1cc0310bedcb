use plotters::coord::Shift;
use plotters::prelude::*;

use super::ChartError;
use super::data::ProbesData;
use super::style;

pub fn title(_d: &ProbesData) -> String {
    "todo".to_owned()
}

pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &ProbesData,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    style::no_data(area, &title(d), "todo")
}
