use plotters::coord::Shift;
use plotters::prelude::*;

use super::ChartError;
use super::data::TcoData;
use super::style;

pub fn title(_d: &TcoData) -> String {
    "todo".to_owned()
}

pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &TcoData,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    style::no_data(area, &title(d), "todo")
}
