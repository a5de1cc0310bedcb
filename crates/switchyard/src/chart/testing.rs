//! Realistic sample data and SVG/PNG inspection for the chart tests.
//!
//! `SWITCHYARD_CHART_SAMPLES=/tmp/charts cargo test -p switchyard chart::` also
//! writes every sample chart there as PNG and SVG, to look at.

use super::*;

/// A small deterministic generator: samples must not change between runs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// Uniform in (0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

pub fn frontier_sample() -> FrontierData {
    let mut rng = Rng::new(1);
    let mut points = vec![];
    let frontier = [
        ("deepseek only", 410.0, 0.9931, 4200.0),
        ("deepseek x3", 455.0, 0.99705, 4600.0),
        ("deepseek → haiku", 520.0, 0.99952, 3900.0),
        ("haiku → deepseek x2", 1180.0, 0.999_87, 2100.0),
        ("claude → deepseek", 2650.0, 0.999_962, 2600.0),
        (
            "claude → azure gpt-4o → deepseek",
            3900.0,
            0.999_993,
            2500.0,
        ),
    ];
    for (i, (label, usd, a, p95)) in frontier.iter().enumerate() {
        points.push(FrontierPoint {
            label: (*label).to_owned(),
            monthly_usd: *usd,
            availability: *a,
            p95_ms: Some(*p95),
            on_frontier: true,
            chosen: i == 4,
        });
    }
    for i in 0..60 {
        let usd = 400.0 * (10f64).powf(rng.uniform() * 1.4);
        let nines = 1.8 + rng.uniform() * 2.6 * (usd / 400.0).log10().min(1.0);
        points.push(FrontierPoint {
            label: format!("plan {i}"),
            monthly_usd: usd,
            availability: style::from_nines(nines.min(4.5)),
            p95_ms: Some(3000.0),
            on_frontier: false,
            chosen: false,
        });
    }
    FrontierData {
        points,
        colour: None,
    }
}

pub fn latency_sample(n: usize) -> LatencyData {
    let mut rng = Rng::new(2);
    let latencies_ms: Vec<f64> = (0..n)
        .map(|_| {
            let ttft = (6.5 + 0.45 * rng.normal()).exp();
            let fallback = if rng.uniform() < 0.03 { 6000.0 } else { 0.0 };
            ttft + 4800.0 + fallback
        })
        .collect();
    latency_of_values(&latencies_ms, Some(15_000.0))
}

/// The chart data of these latencies, through the histogram a simulation keeps.
pub fn latency_of_values(latencies_ms: &[f64], budget_ms: Option<f64>) -> LatencyData {
    super::build::latency_of(
        &crate::model::histogram::LatencyHistogram::from_values(latencies_ms),
        budget_ms,
    )
}

pub fn sla_sample() -> SlaData {
    let mut rng = Rng::new(3);
    let ratios: Vec<f64> = (0..2000)
        .map(|_| {
            let outage_minutes = if rng.uniform() < 0.35 {
                -30.0 * rng.uniform().ln()
            } else {
                0.0
            };
            1.0 - 2e-5 * (1.0 + 0.3 * rng.normal()).abs() - outage_minutes / 43_200.0 * 0.4
        })
        .collect();
    let p_meets = ratios.iter().filter(|r| **r >= 0.9999).count() as f64 / ratios.len() as f64;
    SlaData {
        ratios,
        target: 0.9999,
        p_meets,
        period_label: "30-day month".to_owned(),
    }
}

/// The OpenAI API's monthly backtest (docs/HISTORY.md): the fitted process
/// and the record's shares.
pub fn exceedance_sample() -> ExceedanceData {
    let thresholds = [1.0, 0.9999, 0.999, 0.998, 0.995, 0.99, 0.95, 0.9];
    let model = [0.250, 0.275, 0.526, 0.683, 0.886, 0.972, 1.0, 1.0];
    let history = [0.310, 0.333, 0.524, 0.738, 0.881, 0.976, 1.0, 1.0];
    let zip = |ps: [f64; 8]| thresholds.iter().zip(ps).map(|(t, p)| [*t, p]).collect();
    ExceedanceData {
        period_label: "30-day month".to_owned(),
        model: zip(model),
        history: vec![ExceedanceSeries {
            label: "OpenAI API, 42 months".to_owned(),
            points: zip(history),
        }],
    }
}

pub fn cost_sample() -> CostData {
    let row = |route: &str, step, offering: &str, s, r, t| CostRow {
        route: route.to_owned(),
        step,
        offering: offering.to_owned(),
        success_usd: s,
        retry_usd: r,
        timeout_usd: t,
    };
    CostData {
        rows: vec![
            row(
                "primary",
                0,
                "anthropic/claude-sonnet-4",
                0.0123,
                0.0004,
                0.0011,
            ),
            row(
                "primary",
                1,
                "deepseek/deepseek-chat",
                0.0002,
                0.00003,
                0.00001,
            ),
            row("batch", 0, "deepseek/deepseek-chat", 0.0019, 0.0003, 0.0002),
            row("batch", 1, "azure-eastus/gpt-4o", 0.0006, 0.0, 0.0001),
        ],
    }
}

pub fn tco_sample() -> TcoData {
    let months = (0..=36)
        .map(|m| {
            let m_f = f64::from(m);
            TcoMonth {
                month: m,
                api_cumulative_usd: 18_000.0 * m_f * (1.0 + 0.02 * m_f),
                self_hosted_cumulative_usd: 160_000.0 + 21_000.0 * m_f,
            }
        })
        .collect::<Vec<_>>();
    TcoData {
        months,
        // 360 m^2 - 3000 m - 160000 = 0
        break_even_month: Some((3000.0 + (9e6f64 + 4.0 * 360.0 * 160_000.0).sqrt()) / 720.0),
    }
}

pub fn probes_sample() -> ProbesData {
    let mut rng = Rng::new(4);
    let start = 1_767_225_600_000_i64; // 2026-01-01T00:00Z
    let offerings = [
        ("anthropic/claude-sonnet-4", 650.0, 0.01),
        ("openai/gpt-4o", 420.0, 0.02),
        ("deepseek/deepseek-chat", 1400.0, 0.08),
    ];
    let series = offerings
        .iter()
        .map(|(name, median, fail)| ProbeSeries {
            offering: (*name).to_owned(),
            points: (0..180)
                .map(|i| {
                    let at_ms = start + i * 120_000 + (rng.uniform() * 20_000.0) as i64;
                    let ok = rng.uniform() >= *fail;
                    ProbePoint {
                        at_ms,
                        ttft_ms: ok.then(|| median * (0.35 * rng.normal()).exp()),
                        ok,
                    }
                })
                .collect(),
        })
        .collect();
    ProbesData { series }
}

/// One sample of every chart.
pub fn samples() -> Vec<(&'static str, Chart)> {
    vec![
        ("frontier", Chart::Frontier(frontier_sample())),
        ("latency", Chart::LatencyCdf(latency_sample(200_000))),
        ("sla", Chart::Sla(sla_sample())),
        ("cost", Chart::Cost(cost_sample())),
        ("tco", Chart::Tco(tco_sample())),
        ("probes", Chart::Probes(probes_sample())),
        ("exceedance", Chart::Exceedance(exceedance_sample())),
        ("compare-sla", Chart::CompareSla(compare_sla_sample())),
        (
            "compare-latency",
            Chart::CompareLatency(compare_latency_sample()),
        ),
        ("compare-cost", Chart::CompareCost(compare_cost_sample())),
        (
            "compare-frontier",
            Chart::CompareFrontier(compare_frontier_sample()),
        ),
        ("capacity", Chart::Capacity(capacity_sample())),
    ]
}

/// The capacity of `examples/peak-traffic.toml`, from the engine's analysis.
pub fn capacity_sample() -> CapacityData {
    let plan = crate::plan::parse(
        include_str!("../../../../examples/peak-traffic.toml"),
        crate::plan::Format::Toml,
        "peak-traffic.toml",
    )
    .expect("parses");
    let resolved = crate::plan::resolve(&plan, &crate::plan::NoCatalog).expect("resolves");
    let p = &resolved.portfolio;
    super::build::capacity(p, &crate::model::capacity::analyse(p))
}

/// The names of three compared portfolios.
pub const COMPARED: [&str; 3] = ["today", "cheapest at 99.99%", "multi-vendor"];

/// The sample exceedance curve and record as two portfolios, and a third
/// between them.
pub fn compare_sla_sample() -> CompareSlaData {
    let e = exceedance_sample();
    let middle = e
        .model
        .iter()
        .zip(&e.history[0].points)
        .map(|(a, b)| [a[0], (a[1] + b[1]) / 2.0])
        .collect();
    let series = [e.model.clone(), e.history[0].points.clone(), middle]
        .into_iter()
        .zip(COMPARED)
        .map(|(points, label)| ExceedanceSeries {
            label: label.to_owned(),
            points,
        })
        .collect();
    CompareSlaData {
        period_label: e.period_label,
        target: 0.9999,
        series,
    }
}

/// Three latency samples, the second 30% faster, the third with a 10 s budget.
pub fn compare_latency_sample() -> CompareLatencyData {
    let base = latency_sample(50_000);
    let faster = LatencyData {
        quantiles: base.quantiles.iter().map(|[q, x]| [*q, x * 0.7]).collect(),
        ..base.clone()
    };
    let tight = LatencyData {
        budget_ms: Some(10_000.0),
        ..base.clone()
    };
    CompareLatencyData {
        series: [base, faster, tight]
            .into_iter()
            .zip(COMPARED)
            .map(|(latency, label)| LabelledLatency {
                label: label.to_owned(),
                latency,
            })
            .collect(),
    }
}

/// The cost sample, halved and doubled.
pub fn compare_cost_sample() -> CompareCostData {
    let scaled = |k: f64| CostData {
        rows: cost_sample()
            .rows
            .into_iter()
            .map(|r| CostRow {
                success_usd: r.success_usd * k,
                retry_usd: r.retry_usd * k,
                timeout_usd: r.timeout_usd * k,
                ..r
            })
            .collect(),
    };
    CompareCostData {
        series: [1.0, 0.5, 2.0]
            .into_iter()
            .zip(COMPARED)
            .map(|(k, label)| LabelledCost {
                label: label.to_owned(),
                cost: scaled(k),
            })
            .collect(),
    }
}

/// Three portfolios over the frontier sample's searched plans.
pub fn compare_frontier_sample() -> CompareFrontierData {
    let point = |label: &str, usd: f64, a: f64| FrontierPoint {
        label: label.to_owned(),
        monthly_usd: usd,
        availability: a,
        p95_ms: None,
        on_frontier: false,
        chosen: false,
    };
    CompareFrontierData {
        portfolios: vec![
            point(COMPARED[0], 2650.0, 0.999_962),
            point(COMPARED[1], 1180.0, 0.999_87),
            point(COMPARED[2], 3900.0, 0.999_993),
        ],
        search: frontier_sample().points,
    }
}

/// The SVG of `chart` at 1200x750 as a string.
pub fn svg(chart: &Chart) -> String {
    let bytes = render(chart, Format::Svg, 1200, 750).expect("renders");
    String::from_utf8(bytes).expect("UTF-8")
}

/// What a test checks in an SVG: its texts and how many of each element.
#[derive(Debug)]
pub struct Parsed {
    pub texts: Vec<String>,
    pub elements: std::collections::HashMap<String, usize>,
}

impl Parsed {
    pub fn has_text(&self, needle: &str) -> bool {
        self.texts.iter().any(|t| t.contains(needle))
    }

    pub fn count(&self, element: &str) -> usize {
        self.elements.get(element).copied().unwrap_or(0)
    }

    /// Fails with all texts shown unless some text contains `needle`.
    pub fn expect_text(&self, needle: &str) {
        assert!(
            self.has_text(needle),
            "no text {needle:?} in {:?}",
            self.texts
        );
    }
}

/// Parses `svg` as XML (it must be well-formed) and gathers its texts and elements.
pub fn parse(svg: &str) -> Parsed {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    let mut texts = vec![];
    let mut elements = std::collections::HashMap::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        *elements
            .entry(node.tag_name().name().to_owned())
            .or_insert(0) += 1;
        if node.tag_name().name() == "text" {
            let text: String = node
                .descendants()
                .filter(|n| n.is_text())
                .filter_map(|n| n.text())
                .collect::<String>()
                .trim()
                .to_owned();
            texts.push(text);
        }
    }
    Parsed { texts, elements }
}

/// Checks a PNG's signature and decodes its header: (width, height).
pub fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "PNG signature");
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let reader = decoder.read_info().expect("a PNG header");
    let info = reader.info();
    (info.width, info.height)
}

/// Renders `chart` to SVG and PNG at odd sizes and makes sure nothing fails.
pub fn renders_everywhere(chart: &Chart) -> Parsed {
    for (w, h) in [(200, 200), (640, 400), (1600, 900)] {
        let png = render(chart, Format::Png, w, h).expect("PNG renders");
        assert_eq!(png_size(&png), (w, h));
        parse(
            &String::from_utf8(render(chart, Format::Svg, w, h).expect("SVG renders"))
                .expect("UTF-8"),
        );
    }
    parse(&svg(chart))
}

#[test]
fn writes_samples_when_asked() {
    let Some(dir) = std::env::var_os("SWITCHYARD_CHART_SAMPLES") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("sample directory");
    for (name, chart) in samples() {
        render_to_file(&chart, &dir.join(format!("{name}.png"))).expect("PNG");
        render_to_file(&chart, &dir.join(format!("{name}.svg"))).expect("SVG");
    }
}

#[test]
fn file_format_comes_from_the_extension() {
    let dir = tempfile::tempdir().expect("temp dir");
    let chart = Chart::Tco(tco_sample());
    let png = dir.path().join("tco.PNG");
    render_to_file(&chart, &png).expect("PNG written");
    assert_eq!(
        png_size(&std::fs::read(&png).expect("read")),
        (DEFAULT_WIDTH, DEFAULT_HEIGHT)
    );
    let svg = dir.path().join("tco.svg");
    render_to_file(&chart, &svg).expect("SVG written");
    parse(&std::fs::read_to_string(&svg).expect("read")).expect_text("break-even");
    let err = render_to_file(&chart, &dir.path().join("tco.pdf")).expect_err("no PDF");
    assert!(err.to_string().contains("tco.pdf"), "{err}");
    let err = render_to_file(&chart, &dir.path().join("tco")).expect_err("no extension");
    assert!(err.to_string().contains(".svg or .png"), "{err}");
}

#[test]
fn sizes_out_of_range_are_refused() {
    let chart = Chart::Tco(tco_sample());
    for (w, h) in [(0, 100), (100, 0), (199, 500), (500, 10_001)] {
        assert!(matches!(
            render(&chart, Format::Png, w, h),
            Err(ChartError::Size { .. })
        ));
    }
}

#[test]
fn charts_round_trip_through_json() {
    for (_, chart) in samples() {
        let json = serde_json::to_string(&chart).expect("serialises");
        let back: Chart = serde_json::from_str(&json).expect("parses");
        // serde_json parses floats to within an ulp only (no float_roundtrip),
        // so compare what the chart shows rather than every bit.
        assert!(std::mem::discriminant(&back) == std::mem::discriminant(&chart));
        assert_eq!(title(&back), title(&chart));
    }
}
