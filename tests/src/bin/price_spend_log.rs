//! Prices every line of a LiteLLM spend log with Switchyard
//! (`switchyard::model::request_price` at the repository's LiteLLM 1.106.2
//! prices): the Rust twin of `tests/interop/price_log.py`, printing the same
//! JSON (total, per-model totals, lines, wall time), so the two can be
//! compared and timed on the same file.
//!
//! ```text
//! price_spend_log FILE [--per-line OUT]
//! ```
//!
//! `--per-line` writes `request_id,usd` for every line, the price in
//! shortest round-trip form.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

use serde_json::json;
use switchyard_e2e::spend_log::{map_prices, price, read};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("price_spend_log: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let file = args
        .next()
        .ok_or("usage: price_spend_log FILE [--per-line OUT]")?;
    let per_line = match (args.next().as_deref(), args.next()) {
        (None, _) => None,
        (Some("--per-line"), Some(out)) => Some(out),
        _ => return Err("usage: price_spend_log FILE [--per-line OUT]".into()),
    };
    let started = Instant::now();
    let prices = map_prices()?;
    let input = File::open(&file).map_err(|e| format!("{file}: {e}"))?;
    let lines = read(BufReader::with_capacity(1 << 20, input))?;
    let read_s = started.elapsed().as_secs_f64();
    let priced_at = Instant::now();
    let usd = price(&lines, &prices)?;
    let price_s = priced_at.elapsed().as_secs_f64();
    let mut total = 0.0;
    let mut by_model: BTreeMap<&str, f64> = BTreeMap::new();
    for (line, p) in lines.iter().zip(&usd) {
        total += p;
        *by_model.entry(line.model.as_str()).or_default() += p;
    }
    let wall_s = started.elapsed().as_secs_f64();
    if let Some(out) = per_line {
        let f = File::create(&out).map_err(|e| format!("{out}: {e}"))?;
        let mut w = BufWriter::new(f);
        for (line, p) in lines.iter().zip(&usd) {
            writeln!(w, "{},{p:?}", line.request_id).map_err(|e| format!("{out}: {e}"))?;
        }
        w.flush().map_err(|e| format!("{out}: {e}"))?;
    }
    let report = json!({
        "lines": lines.len(),
        "total_usd": total,
        "by_model": by_model,
        "wall_s": wall_s,
        "read_s": read_s,
        "price_s": price_s,
    });
    println!("{report}");
    Ok(())
}
