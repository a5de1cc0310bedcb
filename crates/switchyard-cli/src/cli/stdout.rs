//! Standard output that ends quietly when its reader goes away.
//!
//! `switchyard … | head` closes the pipe early. Rust ignores SIGPIPE, so the
//! next write fails with `BrokenPipe`, and `println!` would turn that into a
//! panic. Every line the CLI prints goes through [`write`] instead, which sees
//! the error kind itself and ends with the status a shell expects after SIGPIPE
//! (128 + 13), as other Unix tools do.

use std::io::{ErrorKind, Write};

/// The exit status of a process ended by SIGPIPE.
const SIGPIPE_STATUS: i32 = 128 + 13;

/// Writes `args` to standard output; ends the process when that fails.
pub fn write(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        if e.kind() == ErrorKind::BrokenPipe {
            std::process::exit(SIGPIPE_STATUS);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

/// `print!` through [`write`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::stdout::write(format_args!($($arg)*))
    };
}

/// `println!` through [`write`].
macro_rules! outln {
    () => {
        $crate::cli::stdout::write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::stdout::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}
