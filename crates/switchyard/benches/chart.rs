//! Chart size and speed over a long probe log: three offerings probed once a
//! minute for 30 days (129,600 probes, 2% failed). The SVG goes over IPC to
//! the desktop app on every redraw, so its size matters as much as the time.
//! Run: `cargo bench -p switchyard --bench chart` (prints the SVG size;
//! `SWITCHYARD_CHART_OUT=/tmp/probes.png` also writes the chart, to look at).

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, LogNormal};
use rand_xoshiro::Xoshiro256PlusPlus;

use switchyard::chart::{
    Chart, ProbePoint, ProbeSeries, ProbesData, render_svg_with_hover, render_to_file,
};

const MINUTE_MS: i64 = 60_000;
const PROBES_PER_OFFERING: i64 = 30 * 24 * 60;

fn month_of_probes() -> Chart {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let start = 1_767_225_600_000_i64; // 2026-01-01T00:00Z
    let series = [
        ("anthropic/claude-sonnet-4", 650.0_f64),
        ("openai/gpt-4o", 420.0),
        ("deepseek/deepseek-chat", 1400.0),
    ]
    .iter()
    .map(|&(name, median)| {
        let ttft = LogNormal::new(median.ln(), 0.35).unwrap_or_else(|e| panic!("{e}"));
        ProbeSeries {
            offering: name.to_owned(),
            points: (0..PROBES_PER_OFFERING)
                .map(|i| {
                    let ok = rng.random::<f64>() >= 0.02;
                    ProbePoint {
                        at_ms: start + i * MINUTE_MS,
                        ttft_ms: ok.then(|| ttft.sample(&mut rng)),
                        ok,
                    }
                })
                .collect(),
        }
    })
    .collect();
    Chart::Probes(ProbesData { series })
}

fn benches(c: &mut Criterion) {
    let chart = month_of_probes();
    let (svg, hover) = render_svg_with_hover(&chart, 1200, 750).unwrap_or_else(|e| panic!("{e}"));
    println!(
        "probes chart of {} probes: SVG {:.2} MiB, {} hover points",
        3 * PROBES_PER_OFFERING,
        svg.len() as f64 / (1024.0 * 1024.0),
        hover.len()
    );
    if let Some(path) = std::env::var_os("SWITCHYARD_CHART_OUT") {
        render_to_file(&chart, std::path::Path::new(&path)).unwrap_or_else(|e| panic!("{e}"));
    }
    let mut group = c.benchmark_group("chart");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("probes_svg_month_3_offerings", |b| {
        b.iter(|| render_svg_with_hover(&chart, 1200, 750).map(|(svg, _)| svg.len()))
    });
    group.finish();
}

criterion_group!(chart_benches, benches);
criterion_main!(chart_benches);
