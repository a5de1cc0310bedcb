//! Charts of an evaluation, a search, a TCO comparison and probe results, drawn
//! with plotters. One code path draws every chart onto any plotters backend, so
//! the SVG shown on screen and the SVG or PNG written to a file are the same
//! picture.
//!
//! Text is set in DejaVu Sans, embedded in the binary (see [`style`]): PNGs need
//! no system font library and look the same on every machine. SVGs name the
//! `sans-serif` family and carry real `<text>` elements, so they stay
//! searchable and crisp.
//!
//! No input panics: an empty or degenerate data set draws a chart that says
//! "no data"; NaN and infinite values are left out.

pub mod build;
mod capacity;
mod compare;
mod cost;
pub mod data;
mod exceedance;
mod frontier;
mod latency;
mod probes;
mod sla;
pub mod style;
mod tco;
mod thin;
mod time;

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::*;
use serde::Serialize;

pub use data::*;

/// Size of a chart written by [`render_to_file`], in pixels.
pub const DEFAULT_WIDTH: u32 = 1200;
pub const DEFAULT_HEIGHT: u32 = 750;

/// Smallest and largest accepted sizes: below, nothing legible fits; above,
/// a PNG buffer would be gigabytes.
pub const MIN_SIZE: u32 = 200;
pub const MAX_SIZE: u32 = 10_000;

/// The output format of a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
}

impl Format {
    /// The format a file name asks for, by its extension (case-insensitive).
    pub fn from_path(path: &Path) -> Result<Self, ChartError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("svg") => Ok(Format::Svg),
            Some("png") => Ok(Format::Png),
            _ => Err(ChartError::UnknownFormat {
                path: path.to_owned(),
            }),
        }
    }
}

/// Why a chart could not be drawn or written.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("cannot tell the chart format of {path}: use a .svg or .png file name")]
    UnknownFormat { path: PathBuf },
    #[error(
        "chart size {width}x{height} is out of range: each side must be {MIN_SIZE} to {MAX_SIZE} pixels"
    )]
    Size { width: u32, height: u32 },
    #[error("the embedded chart font could not be loaded")]
    Font,
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    #[error("encoding the PNG failed: {0}")]
    Png(String),
    #[error("cannot write the chart to {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        ChartError::Draw(e.to_string())
    }
}

/// Draws `chart` as an SVG (UTF-8 bytes) or PNG (encoded file bytes) of
/// `width` x `height` pixels.
pub fn render(
    chart: &Chart,
    format: Format,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, ChartError> {
    if !(MIN_SIZE..=MAX_SIZE).contains(&width) || !(MIN_SIZE..=MAX_SIZE).contains(&height) {
        return Err(ChartError::Size { width, height });
    }
    style::ensure_font()?;
    match format {
        Format::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
                draw(&root, chart)?;
                root.present()?;
            }
            Ok(svg.into_bytes())
        }
        Format::Png => {
            let mut rgb = vec![0u8; width as usize * height as usize * 3];
            {
                let root =
                    BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
                draw(&root, chart)?;
                root.present()?;
            }
            encode_png(&rgb, width, height)
        }
    }
}

/// A point of a drawn chart that shows its values when hovered: where it is,
/// in pixels of the image, and what it says (as the chart words it).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoverPoint {
    pub x: i32,
    pub y: i32,
    pub label: String,
}

thread_local! {
    /// The hover points of the chart being drawn on this thread, while
    /// [`render_svg_with_hover`] collects them.
    static HOVER: RefCell<Option<Vec<HoverPoint>>> = const { RefCell::new(None) };
}

/// Records a hover point when one is being collected. The label is only made
/// then, so plain renders pay nothing.
pub(crate) fn hover(at: (i32, i32), label: impl FnOnce() -> String) {
    HOVER.with(|h| {
        if let Some(points) = h.borrow_mut().as_mut() {
            points.push(HoverPoint {
                x: at.0,
                y: at.1,
                label: label(),
            });
        }
    });
}

/// Draws `chart` as an SVG and returns, with it, the points a screen can
/// show values for on hover (the desktop app overlays them).
pub fn render_svg_with_hover(
    chart: &Chart,
    width: u32,
    height: u32,
) -> Result<(String, Vec<HoverPoint>), ChartError> {
    HOVER.with(|h| *h.borrow_mut() = Some(Vec::new()));
    let svg = render(chart, Format::Svg, width, height);
    let points = HOVER.with(|h| h.borrow_mut().take()).unwrap_or_default();
    let svg = String::from_utf8(svg?).map_err(|e| ChartError::Draw(e.to_string()))?;
    Ok((svg, points))
}

/// Draws `chart` at the default size into `path`, as SVG or PNG by its
/// extension.
pub fn render_to_file(chart: &Chart, path: &Path) -> Result<(), ChartError> {
    let format = Format::from_path(path)?;
    let bytes = render(chart, format, DEFAULT_WIDTH, DEFAULT_HEIGHT)?;
    std::fs::write(path, bytes).map_err(|source| ChartError::Write {
        path: path.to_owned(),
        source,
    })
}

/// The title of `chart` as drawn (handy for window titles and alt text).
pub fn title(chart: &Chart) -> String {
    match chart {
        Chart::Frontier(d) => frontier::title(d),
        Chart::LatencyCdf(d) => latency::title(d),
        Chart::Sla(d) => sla::title(d),
        Chart::Cost(d) => cost::title(d),
        Chart::Tco(d) => tco::title(d),
        Chart::Probes(d) => probes::title(d),
        Chart::Exceedance(d) => exceedance::title(d),
        Chart::CompareSla(d) => compare::sla_title(d),
        Chart::CompareLatency(d) => compare::latency_title(d),
        Chart::CompareCost(d) => compare::cost_title(d),
        Chart::CompareFrontier(d) => compare::frontier_title(d),
        Chart::Capacity(d) => capacity::title(d),
    }
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &Chart) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    match chart {
        Chart::Frontier(d) => frontier::draw(root, d),
        Chart::LatencyCdf(d) => latency::draw(root, d),
        Chart::Sla(d) => sla::draw(root, d),
        Chart::Cost(d) => cost::draw(root, d),
        Chart::Tco(d) => tco::draw(root, d),
        Chart::Probes(d) => probes::draw(root, d),
        Chart::Exceedance(d) => exceedance::draw(root, d),
        Chart::CompareSla(d) => compare::draw_sla(root, d),
        Chart::CompareLatency(d) => compare::draw_latency(root, d),
        Chart::CompareCost(d) => compare::draw_cost(root, d),
        Chart::CompareFrontier(d) => compare::draw_frontier(root, d),
        Chart::Capacity(d) => capacity::draw(root, d),
    }
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let png_err = |e: png::EncodingError| ChartError::Png(e.to_string());
    let mut writer = encoder.write_header().map_err(png_err)?;
    writer.write_image_data(rgb).map_err(png_err)?;
    writer.finish().map_err(png_err)?;
    Ok(out)
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod hover_tests {
    use super::testing::*;
    use super::*;

    fn inside(points: &[HoverPoint]) -> bool {
        points
            .iter()
            .all(|p| (0..960).contains(&p.x) && (0..600).contains(&p.y))
    }

    #[test]
    fn charts_report_hover_points_inside_the_image() {
        for (chart, expect) in [
            (Chart::LatencyCdf(latency_sample(5000)), "p95: "),
            (Chart::Sla(sla_sample()), " between "),
            (Chart::Cost(cost_sample()), " per request (first tries "),
            (Chart::Tco(tco_sample()), "self-hosted "),
            (Chart::Frontier(frontier_sample()), "/month, "),
            (Chart::Probes(probes_sample()), ": TTFT "),
            (Chart::Exceedance(exceedance_sample()), "model: "),
            (Chart::Capacity(capacity_sample()), "at the peak minute"),
        ] {
            let (svg, points) = render_svg_with_hover(&chart, 960, 600).expect("renders");
            assert!(svg.starts_with("<svg"));
            assert!(!points.is_empty(), "{}", title(&chart));
            assert!(
                points.iter().any(|p| p.label.contains(expect)),
                "{points:?}"
            );
            assert!(inside(&points), "{points:?}");
        }
    }

    #[test]
    fn every_probe_has_a_hover_point_and_failures_are_below_the_successes() {
        let d = probes_sample();
        let (ok, failed): (Vec<_>, Vec<_>) = d
            .series
            .iter()
            .flat_map(|s| &s.points)
            .partition(|p| p.ok && p.ttft_ms.is_some_and(|t| t.is_finite() && t >= 0.0));
        let (_, points) =
            render_svg_with_hover(&Chart::Probes(d.clone()), 960, 600).expect("renders");
        let ttft: Vec<_> = points
            .iter()
            .filter(|p| p.label.contains(": TTFT "))
            .collect();
        let fails: Vec<_> = points
            .iter()
            .filter(|p| p.label.contains(": failed, "))
            .collect();
        assert_eq!(ttft.len(), ok.len());
        assert_eq!(fails.len(), failed.len());
        assert!(!fails.is_empty());
        // The failure strip is drawn below the TTFT plot.
        let lowest_ttft = ttft.iter().map(|p| p.y).max().expect("points");
        assert!(fails.iter().all(|p| p.y > lowest_ttft), "{fails:?}");
        // One offering's probes are recorded in time order: left to right.
        let first = &d.series[0].offering;
        let xs: Vec<i32> = ttft
            .iter()
            .filter(|p| p.label.starts_with(&format!("{first}: ")))
            .map(|p| p.x)
            .collect();
        assert!(xs.len() > 100);
        assert!(xs.windows(2).all(|w| w[0] <= w[1]), "{xs:?}");
        assert!(xs[xs.len() - 1] - xs[0] > 500, "spans the axis: {xs:?}");
    }

    #[test]
    fn a_long_probe_log_is_thinned_but_keeps_its_spike_and_counts() {
        // 20,000 probes a minute apart, every 40th failed, one 9 s spike.
        let start = 1_767_225_600_000_i64;
        let points = (0..20_000_i64)
            .map(|i| {
                let ok = i % 40 != 0;
                let ttft = if i == 12_345 {
                    9_000.0
                } else {
                    400.0 + (i % 13) as f64
                };
                ProbePoint {
                    at_ms: start + i * 60_000,
                    ttft_ms: ok.then_some(ttft),
                    ok,
                }
            })
            .collect();
        let d = ProbesData {
            series: vec![ProbeSeries {
                offering: "x/long".into(),
                points,
            }],
        };
        let (svg, points) = render_svg_with_hover(&Chart::Probes(d), 960, 600).expect("renders");
        assert!(svg.contains("(20,000 probes)"));
        assert!(
            svg.contains("x/long (19,500 ok, 500 failed)"),
            "counts every probe"
        );
        assert!(svg.contains("line: median per 2 h, band: p10 to p90, dot: slowest"));
        assert!(
            !points.iter().any(|p| p.label.contains(": TTFT ")),
            "no probe drawn alone"
        );
        // 20,000 minutes in 2-hour stretches: 167 stretches of up to 120 probes.
        let stretches: Vec<_> = points
            .iter()
            .filter(|p| p.label.contains(": median TTFT "))
            .collect();
        assert_eq!(stretches.len(), 167);
        let counted: usize = stretches
            .iter()
            .map(|p| {
                let of = p.label.split(" of ").nth(1).expect("a count");
                let n = of.split(' ').next().expect("a count");
                n.replace(',', "").parse::<usize>().expect("a count")
            })
            .sum();
        assert_eq!(counted, 19_500, "every successful probe is in a stretch");
        let spike: Vec<_> = stretches
            .iter()
            .filter(|p| p.label.contains("slowest 9.00 s"))
            .collect();
        assert_eq!(spike.len(), 1, "the spike is kept");
        assert!(
            spike[0].label.contains("median TTFT 406 ms"),
            "{}",
            spike[0].label
        );
        let fails: Vec<_> = points
            .iter()
            .filter(|p| p.label.contains(" failed"))
            .collect();
        assert!(fails.len() <= 960, "{} failure marks", fails.len());
        // Every failure is stood for by one mark.
        let stood_for: usize = fails
            .iter()
            .map(|p| match p.label.split_once(": ").map(|(_, rest)| rest) {
                Some(rest) if rest.starts_with("failed, ") => 1,
                Some(rest) => rest
                    .split(' ')
                    .next()
                    .and_then(|n| n.replace(',', "").parse().ok())
                    .expect("a count"),
                None => panic!("{}", p.label),
            })
            .sum();
        assert_eq!(stood_for, 500);
        assert!(svg.len() < 1_000_000, "SVG of {} bytes", svg.len());
    }

    #[test]
    fn plain_renders_collect_nothing() {
        render(
            &Chart::LatencyCdf(latency_sample(5000)),
            Format::Svg,
            960,
            600,
        )
        .expect("renders");
        HOVER.with(|h| assert!(h.borrow().is_none()));
    }

    #[test]
    fn a_later_point_is_to_the_right_on_the_latency_curve() {
        let (_, points) = render_svg_with_hover(&Chart::LatencyCdf(latency_sample(5000)), 960, 600)
            .expect("renders");
        let at = |label: &str| {
            points
                .iter()
                .find(|p| p.label.starts_with(label))
                .expect("has it")
                .clone()
        };
        let (p50, p99) = (at("p50"), at("p99"));
        assert!(p99.x > p50.x && p99.y < p50.y, "{p50:?} {p99:?}");
    }
}
