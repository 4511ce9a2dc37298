//! Baseline for the benchmark in `tests/bench/validate.sh`: hcl-edit alone parsing a spec
//! file, with none of Meridian's decoding, evaluation or checks.
//!
//! ```text
//! cargo run --release -p meridian-spec --example parse_only -- FILE
//! ```
//!
//! Prints the number of top-level structures (blocks and attributes) in FILE. Exits 1 when
//! the file cannot be read or is not valid HCL, and 2 on a usage error.

use std::env;
use std::fs;
use std::process::ExitCode;

/// The allocator of the `meridian` binary, so the baseline differs from it only in the work.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let mut args = env::args_os().skip(1);
    let (Some(path), None) = (args.next(), args.next()) else {
        eprintln!("usage: parse_only FILE");
        return ExitCode::from(2);
    };

    let source = match fs::read_to_string(&path) {
        Ok(source) => source,
        Err(err) => {
            eprintln!("parse_only: cannot read {}: {err}", path.to_string_lossy());
            return ExitCode::FAILURE;
        }
    };

    match hcl_edit::parser::parse_body(&source) {
        Ok(body) => {
            println!("{}", body.len());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("parse_only: {}: {err}", path.to_string_lossy());
            ExitCode::FAILURE
        }
    }
}
