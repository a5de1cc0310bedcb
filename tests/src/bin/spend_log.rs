//! Writes a synthetic LiteLLM spend log (`switchyard_e2e::spend_log` says
//! what is in it and how it is rendered):
//!
//! ```text
//! spend_log [--lines N] [--seed S] --out FILE
//! ```
//!
//! `--lines` defaults to 1,000,000 and `--seed` to the repository's; the
//! same two always write the same bytes.

use std::fs::File;
use std::io::BufWriter;
use std::process::ExitCode;

use switchyard_e2e::spend_log::{DEFAULT_SEED, generate};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("spend_log: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut lines: u64 = 1_000_000;
    let mut seed = DEFAULT_SEED;
    let mut out: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--lines" => {
                let v = value("--lines")?;
                lines = v
                    .replace(',', "")
                    .parse()
                    .map_err(|_| format!("--lines: `{v}` is not a whole number"))?;
            }
            "--seed" => {
                let v = value("--seed")?;
                seed = v
                    .parse()
                    .map_err(|_| format!("--seed: `{v}` is not a whole number"))?;
            }
            "--out" => out = Some(value("--out")?),
            other => {
                return Err(format!(
                    "unknown argument `{other}`; usage: spend_log [--lines N] [--seed S] --out FILE"
                ));
            }
        }
    }
    let out = out.ok_or("--out FILE is required")?;
    let file = File::create(&out).map_err(|e| format!("{out}: {e}"))?;
    let mut writer = BufWriter::with_capacity(1 << 20, file);
    generate(&mut writer, lines, seed)
}
