//! Writes a synthetic LiteLLM spend log (`switchyard::usage::synthetic`) of
//! at least BYTES bytes, for the 1 GB import measurement of BENCHMARKS.md:
//! `cargo run --release -p switchyard --example synthetic_spend_log -- OUT BYTES [SEED]`.

use std::io::{BufWriter, Write};

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(out), Some(bytes)) = (args.first(), args.get(1)) else {
        return Err("usage: synthetic_spend_log OUT BYTES [SEED]".to_owned());
    };
    let bytes: u64 = bytes.parse().map_err(|e| format!("BYTES: {e}"))?;
    let seed: u64 = args
        .get(2)
        .map_or(Ok(1), |s| s.parse())
        .map_err(|e| format!("SEED: {e}"))?;
    let file = std::fs::File::create(out).map_err(|e| format!("{out}: {e}"))?;
    let mut w = BufWriter::new(file);
    let (rows, written) = switchyard::usage::synthetic::write_spend_log_bytes(&mut w, bytes, seed)
        .map_err(|e| format!("{out}: {e}"))?;
    w.flush().map_err(|e| format!("{out}: {e}"))?;
    println!("{out}: {rows} rows, {written} bytes");
    Ok(())
}
