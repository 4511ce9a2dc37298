//! The `meridian` binary: parses the command line and runs one command.

use meridian::output::{color_enabled, Output};

/// The spec, graph and artifacts are many small allocations; mimalloc handles them markedly
/// faster than the system allocator (see `tests/bench/generate.sh`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = match meridian::cli::parse(std::env::args()) {
        Ok(cli) => cli,
        Err(e) => std::process::exit(meridian::cli::usage_exit(&e)),
    };
    let color = color_enabled(cli.no_color);
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out_lock = stdout.lock();
    let mut err_lock = stderr.lock();
    let mut output = Output {
        out: &mut out_lock,
        err: &mut err_lock,
        color,
    };
    let code = meridian::commands::run(cli, &mut output);
    std::process::exit(code);
}
