//! What every chart shares: the Okabe–Ito palette (safe for the common kinds of
//! colour blindness), the embedded font, and axes whose ticks sit on values a
//! person would pick (99.9%, $10, 2 s) instead of wherever a linear tick
//! algorithm lands (99.99000000001%).

use std::ops::Range;
use std::rc::Rc;
use std::sync::OnceLock;

use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::prelude::*;
use plotters::style::FontStyle;

use super::ChartError;
use crate::format;

/// Okabe–Ito: black.
pub const BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
/// Okabe–Ito: orange.
pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// Okabe–Ito: sky blue.
pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
/// Okabe–Ito: bluish green.
pub const GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
/// Okabe–Ito: yellow (too light for lines on white; last in [`SERIES`]).
pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
/// Okabe–Ito: blue.
pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Okabe–Ito: vermillion.
pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Okabe–Ito: reddish purple.
pub const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
/// Dominated points and grid lines: grey is not a series colour.
pub const GREY: RGBColor = RGBColor(0x99, 0x99, 0x99);

/// Colours for a variable number of series, the most legible on white first.
pub static SERIES: [RGBColor; 8] = [
    BLUE, ORANGE, GREEN, PURPLE, SKY_BLUE, VERMILLION, BLACK, YELLOW,
];

/// The colour of series `i` (cycling past eight).
pub fn series_colour(i: usize) -> RGBColor {
    SERIES[i % SERIES.len()]
}

/// The family every text is set in; registered with the embedded font.
pub const FONT: &str = "sans-serif";
pub const TITLE_SIZE: f64 = 24.0;
pub const AXIS_SIZE: f64 = 17.0;
pub const LABEL_SIZE: f64 = 14.0;
pub const NOTE_SIZE: f64 = 14.0;

/// DejaVu Sans, embedded so PNGs render the same on any machine without
/// fontconfig or FreeType (licence in `assets/DejaVuSans-LICENSE.txt`).
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Registers the embedded font once per process for every family plotters may
/// ask for, so no text can fail for want of a font.
pub fn ensure_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        ["sans-serif", "serif", "monospace"].iter().all(|family| {
            plotters::style::register_font(family, FontStyle::Normal, DEJAVU_SANS).is_ok()
        })
    });
    if ok { Ok(()) } else { Err(ChartError::Font) }
}

pub fn title_style() -> TextStyle<'static> {
    (FONT, TITLE_SIZE).into_font().color(&BLACK)
}

pub fn axis_style() -> TextStyle<'static> {
    (FONT, AXIS_SIZE).into_font().color(&BLACK)
}

pub fn label_style() -> TextStyle<'static> {
    (FONT, LABEL_SIZE).into_font().color(&BLACK)
}

pub fn note_style() -> TextStyle<'static> {
    (FONT, NOTE_SIZE).into_font().color(&BLACK)
}

/// Width in pixels of `text` in the label font, roughly: for sizing the
/// label areas so long category names are not clipped.
pub fn text_width(text: &str, size: f64) -> u32 {
    (text.chars().count() as f64 * size * 0.55).ceil() as u32
}

/// `text` cut to `max` characters with an ellipsis, so one long offering name
/// cannot squeeze the plot away.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// Availability as nines, `-log10(1 - a)`, capped at `cap` for a = 1 (and
/// anything above), so "certain" plans stay on the chart.
pub fn nines(a: f64, cap: f64) -> f64 {
    let u = 1.0 - a;
    if u <= 0.0 { cap } else { (-u.log10()).min(cap) }
}

/// The availability at `n` nines.
pub fn from_nines(n: f64) -> f64 {
    1.0 - 10f64.powf(-n)
}

/// A tick label for a percentage: the shortest decimal that states `p`
/// (0.9999 is "99.99%", 0.995 is "99.5%", 0.9 is "90%"), never
/// "99.99000000001%".
pub fn percent_tick(p: f64) -> String {
    if !p.is_finite() {
        return "n/a".to_owned();
    }
    let x = p * 100.0;
    for decimals in 0..=12 {
        let rounded = format!("{x:.decimals$}");
        if let Ok(back) = rounded.parse::<f64>()
            && (back - x).abs() <= 1e-12 * x.abs().max(1.0)
        {
            return format!("{rounded}%");
        }
    }
    format::percent(p)
}

/// A tick label in USD: [`format::usd`] without trailing zeros ("$0.0034",
/// "$1,200", "$2.50").
pub fn usd_tick(x: f64) -> String {
    let s = format::usd(x);
    if let Some((whole, fraction)) = s.split_once('.') {
        let fraction = fraction.trim_end_matches('0');
        if fraction.is_empty() {
            return whole.to_owned();
        }
        if x.abs() >= 1.0 {
            // Cents stay two digits: "$2.50", not "$2.5".
            return s;
        }
        return format!("{whole}.{fraction}");
    }
    s
}

/// A number with no more digits than its tick step needs.
pub fn plain_tick(x: f64, step: f64) -> String {
    // As many decimals as the step itself has: 0.25 needs two, 5 none.
    let decimals: usize = (0..=8usize)
        .find(|d| {
            let scaled = step.abs() * 10f64.powi(*d as i32);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0)
        })
        .unwrap_or(8);
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() {
        s[1..].to_owned()
    } else {
        s
    }
}

/// 1-2-5 ticks covering `[lo, hi]`, about `target` of them, and their step.
pub fn linear_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64) {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return (vec![lo], 0.0);
    }
    let raw = (hi - lo) / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    let ticks = (first..=last).take(1000).map(|i| i as f64 * step).collect();
    (ticks, step)
}

/// Ticks on a log axis over `[lo, hi]` (both > 0): powers of ten, with 2 and 5
/// between them when the range spans few decades.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo && hi.is_finite()) {
        return vec![];
    }
    let (a, b) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let decades = b - a;
    let multiples: &[f64] = if decades <= 2 {
        &[1.0, 2.0, 5.0]
    } else if decades <= 5 {
        &[1.0, 3.0]
    } else {
        &[1.0]
    };
    let step = ((decades as f64) / 8.0).ceil().max(1.0) as i32;
    let mut ticks = vec![];
    for e in (a..=b).step_by(step as usize) {
        for m in multiples {
            let t = m * 10f64.powi(e);
            if t >= lo * (1.0 - 1e-9) && t <= hi * (1.0 + 1e-9) {
                ticks.push(t);
            }
        }
    }
    ticks
}

/// Ticks on a nines axis over `[lo, hi]` (in nines) at availabilities that read
/// well: 90%, 99%, 99.9%..., with 99.5%, 99.8% between when there is room, and
/// evenly spaced percentages when the range is narrower than one such step.
pub fn nines_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return vec![];
    }
    let in_range = |n: f64| n >= lo - 1e-9 && n <= hi + 1e-9;
    let candidates = |ks: &[f64]| -> Vec<f64> {
        let mut out = vec![];
        for e in (lo.floor() as i64 - 1)..=(hi.ceil() as i64 + 1) {
            for k in ks {
                // Unavailability k * 10^-(e+1): 1 - 0.01 * k for e = 1.
                let n = e as f64 + 1.0 - k.log10();
                if n > 0.0 && in_range(n) {
                    out.push(n);
                }
            }
        }
        out.sort_by(f64::total_cmp);
        out.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
        out
    };
    for ks in [
        &[1.0][..],
        &[1.0, 5.0],
        &[1.0, 2.0, 5.0],
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
    ] {
        let ticks = candidates(ks);
        if ticks.len() >= 3 {
            return thin(ticks, 10);
        }
    }
    // Narrower than a tenth of a decade: even steps of availability.
    let (a_lo, a_hi) = (from_nines(lo), from_nines(hi));
    let (ticks, _) = linear_ticks(a_lo, a_hi, 5);
    ticks
        .into_iter()
        .filter(|a| *a < 1.0)
        .map(|a| nines(a, f64::INFINITY))
        .filter(|n| in_range(*n))
        .collect()
}

/// Every k-th tick so at most `max` remain.
fn thin(ticks: Vec<f64>, max: usize) -> Vec<f64> {
    if ticks.len() <= max {
        return ticks;
    }
    let every = ticks.len().div_ceil(max);
    ticks.into_iter().step_by(every).collect()
}

/// A label for a nines-axis tick.
pub fn nines_tick(n: f64) -> String {
    percent_tick(from_nines(n))
}

type Formatter = Rc<dyn Fn(f64) -> String>;

/// A numeric axis with ticks chosen by us (see the module docs), linear or
/// logarithmic, and its own label formatter.
#[derive(Clone)]
pub struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
    ticks: Vec<f64>,
    format: Formatter,
}

impl std::fmt::Debug for Axis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Axis")
            .field("lo", &self.lo)
            .field("hi", &self.hi)
            .field("log", &self.log)
            .field("ticks", &self.ticks)
            .finish()
    }
}

impl Axis {
    /// A linear axis over `[lo, hi]` (widened if empty) with 1-2-5 ticks.
    pub fn linear(lo: f64, hi: f64, format: impl Fn(f64, f64) -> String + 'static) -> Self {
        let (lo, hi) = widen(lo, hi);
        let (ticks, step) = linear_ticks(lo, hi, 8);
        Self {
            lo,
            hi,
            log: false,
            ticks,
            format: Rc::new(move |x| format(x, step)),
        }
    }

    /// A log axis over `[lo, hi]`, both > 0.
    pub fn log(lo: f64, hi: f64, format: impl Fn(f64) -> String + 'static) -> Self {
        let (lo, hi) = if lo > 0.0 && hi > lo {
            (lo, hi)
        } else {
            let lo = if lo > 0.0 { lo } else { 1.0 };
            (lo / 2.0, lo * 2.0)
        };
        Self {
            lo,
            hi,
            log: true,
            ticks: log_ticks(lo, hi),
            format: Rc::new(format),
        }
    }

    /// An axis in nines over `[lo, hi]` nines, labelled in percent.
    pub fn nines(lo: f64, hi: f64) -> Self {
        let (lo, hi) = widen(lo, hi);
        let lo = lo.max(0.0);
        let hi = hi.max(lo + 0.1);
        Self {
            lo,
            hi,
            log: false,
            ticks: nines_ticks(lo, hi),
            format: Rc::new(nines_tick),
        }
    }

    /// An axis with the given ticks and labels (categories, hours of the day).
    pub fn with_ticks(
        lo: f64,
        hi: f64,
        ticks: Vec<f64>,
        format: impl Fn(f64) -> String + 'static,
    ) -> Self {
        let (lo, hi) = widen(lo, hi);
        Self {
            lo,
            hi,
            log: false,
            ticks,
            format: Rc::new(format),
        }
    }

    pub fn lo(&self) -> f64 {
        self.lo
    }

    pub fn hi(&self) -> f64 {
        self.hi
    }

    pub fn ticks(&self) -> &[f64] {
        &self.ticks
    }

    fn position(&self, v: f64) -> f64 {
        if self.log {
            let v = v.max(self.lo * 1e-3);
            (v.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        }
    }
}

/// `[lo, hi]` made finite and non-empty.
fn widen(lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = match (lo.is_finite(), hi.is_finite()) {
        (true, true) => (lo.min(hi), lo.max(hi)),
        (true, false) => (lo, lo),
        (false, true) => (hi, hi),
        (false, false) => (0.0, 1.0),
    };
    if hi - lo > 1e-12 * lo.abs().max(1.0) {
        (lo, hi)
    } else {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        (lo - pad, hi + pad)
    }
}

impl Ranged for Axis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let p = self.position(*value);
        let p = if p.is_finite() {
            p.clamp(-10.0, 11.0)
        } else {
            0.0
        };
        (limit.0 as f64 + p * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        let max = hint.max_num_points();
        if max == 0 {
            return vec![];
        }
        let inside: Vec<f64> = self
            .ticks
            .iter()
            .copied()
            .filter(|t| *t >= self.lo - 1e-12 && *t <= self.hi + 1e-12)
            .collect();
        thin(inside, max)
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

impl ValueFormatter<f64> for Axis {
    fn format(value: &f64) -> String {
        format!("{value}")
    }

    fn format_ext(&self, value: &f64) -> String {
        (self.format)(*value)
    }
}

/// A chart that says there is nothing to draw, with the chart's title, rather
/// than an empty frame or an error the caller must handle.
pub fn no_data<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    why: &str,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        title.to_owned(),
        (20, 20),
        title_style().pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Left,
            plotters::style::text_anchor::VPos::Top,
        )),
    ))?;
    let centre = plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Center,
        plotters::style::text_anchor::VPos::Center,
    );
    area.draw(&Text::new(
        "no data".to_owned(),
        (w as i32 / 2, h as i32 / 2 - 14),
        ("sans-serif", 28.0).into_font().color(&GREY).pos(centre),
    ))?;
    area.draw(&Text::new(
        why.to_owned(),
        (w as i32 / 2, h as i32 / 2 + 18),
        note_style().color(&GREY).pos(centre),
    ))?;
    Ok(())
}

/// The plotting context every chart uses: two [`Axis`] coordinates.
pub type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<Axis, Axis>>;

/// A titled plot with room for tick labels of `y_label_width` pixels.
pub fn plot<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    x: Axis,
    y: Axis,
    y_label_width: u32,
) -> Result<Plot<'a, DB>, ChartError>
where
    DB::ErrorType: 'static,
{
    Ok(ChartBuilder::on(area)
        .caption(title, title_style())
        .margin(16)
        .margin_right(32)
        .x_label_area_size(58)
        .y_label_area_size(y_label_width + 40)
        .build_cartesian_2d(x, y)?)
}

/// Grid, tick labels and axis titles (each with its unit).
pub fn mesh<DB: DrawingBackend>(
    plot: &mut Plot<'_, DB>,
    x_desc: &str,
    y_desc: &str,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    plot.configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(axis_style())
        .label_style(label_style())
        .bold_line_style(RGBColor(0xDD, 0xDD, 0xDD))
        .light_line_style(TRANSPARENT)
        .x_labels(12)
        .y_labels(12)
        .draw()?;
    Ok(())
}

/// The legend, boxed on a near-opaque background so lines under it don't
/// obscure it.
pub fn legend<'a, DB: DrawingBackend + 'a>(
    plot: &mut Plot<'a, DB>,
    position: SeriesLabelPosition,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    plot.configure_series_labels()
        .position(position)
        .margin(12)
        .legend_area_size(28)
        .background_style(WHITE.mix(0.9))
        .border_style(GREY)
        .label_font(label_style())
        .draw()?;
    Ok(())
}

/// The width of the widest tick label of `axis`, for the label area.
pub fn widest_label(axis: &Axis) -> u32 {
    axis.ticks()
        .iter()
        .map(|t| text_width(&(axis.format)(*t), LABEL_SIZE))
        .max()
        .unwrap_or(20)
}

/// Text anchored by its left end, vertically centred.
pub fn left(style: TextStyle<'static>) -> TextStyle<'static> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    style.pos(Pos::new(HPos::Left, VPos::Center))
}

/// Text anchored by its right end, vertically centred.
pub fn right(style: TextStyle<'static>) -> TextStyle<'static> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    style.pos(Pos::new(HPos::Right, VPos::Center))
}

/// Text centred above its point.
pub fn above(style: TextStyle<'static>) -> TextStyle<'static> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    style.pos(Pos::new(HPos::Center, VPos::Bottom))
}

/// The finite values of `xs`.
pub fn finite(xs: impl IntoIterator<Item = f64>) -> Vec<f64> {
    xs.into_iter().filter(|x| x.is_finite()).collect()
}

/// Minimum and maximum of finite values, if any.
pub fn min_max(xs: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    xs.into_iter()
        .filter(|x| x.is_finite())
        .fold(None, |acc, x| match acc {
            None => Some((x, x)),
            Some((lo, hi)) => Some((lo.min(x), hi.max(x))),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_ticks_are_short() {
        assert_eq!(percent_tick(0.9999), "99.99%");
        assert_eq!(percent_tick(from_nines(4.0)), "99.99%");
        assert_eq!(percent_tick(from_nines(3.0 + 2f64.log10())), "99.95%");
        assert_eq!(percent_tick(0.9), "90%");
        assert_eq!(percent_tick(1.0), "100%");
    }

    #[test]
    fn usd_ticks_drop_zeros() {
        assert_eq!(usd_tick(0.0034), "$0.0034");
        assert_eq!(usd_tick(1200.0), "$1,200");
        assert_eq!(usd_tick(2.5), "$2.50");
        assert_eq!(usd_tick(0.0), "$0");
    }

    #[test]
    fn nines_ticks_land_on_round_percentages() {
        let labels: Vec<String> = nines_ticks(1.8, 5.2).into_iter().map(nines_tick).collect();
        assert_eq!(labels, ["99%", "99.9%", "99.99%", "99.999%"]);
        let labels: Vec<String> = nines_ticks(2.9, 3.8).into_iter().map(nines_tick).collect();
        assert_eq!(labels, ["99.9%", "99.95%", "99.98%"]);
        for (lo, hi) in [(3.9, 3.95), (0.0, 12.0), (4.0, 4.0001), (0.01, 0.02)] {
            let ticks = nines_ticks(lo, hi);
            assert!(!ticks.is_empty(), "{lo}..{hi}");
            let labels: Vec<String> = ticks.into_iter().map(nines_tick).collect();
            for label in &labels {
                assert!(label.len() <= 15, "{label}");
            }
            // Twelve nines still read as twelve nines, never as a second "100%".
            let mut distinct = labels.clone();
            distinct.dedup();
            assert_eq!(distinct, labels, "{lo}..{hi}");
        }
    }

    #[test]
    fn log_and_linear_ticks() {
        assert_eq!(
            log_ticks(30.0, 4000.0),
            [30.0, 100.0, 300.0, 1000.0, 3000.0]
        );
        assert_eq!(log_ticks(3.0, 40.0), [5.0, 10.0, 20.0]);
        let (ticks, step) = linear_ticks(0.0, 10.0, 5);
        assert_eq!(step, 2.0);
        assert_eq!(ticks, [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(linear_ticks(f64::NAN, 1.0, 5).0.len(), 1);
        assert_eq!(plain_tick(2.5, 0.5), "2.5");
        assert_eq!(plain_tick(10.0, 5.0), "10");
        assert_eq!(plain_tick(-0.0001, 0.1), "0.0");
    }
}
