//! Regenerates man/*.1 and completions/* from the clap definitions and the
//! written sections in man/src/.
//!
//!     cargo run --example gen-docs            # into this repository
//!     cargo run --example gen-docs -- DIR     # into DIR instead

mod docgen;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let root = args
        .next()
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    if args.next().is_some() {
        eprintln!("usage: {} [DIR]", docgen::REGENERATE);
        return ExitCode::from(2);
    }
    match docgen::write(&root) {
        Ok(written) => {
            for path in written {
                println!("{}", root.join(path).display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-docs: {}: {e}", root.display());
            ExitCode::FAILURE
        }
    }
}
