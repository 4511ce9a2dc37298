//! Benchmark helper for `tests/bench/plan.sh`: changes one resource in every HUNDRED of a
//! state file (an attribute value, as if the cloud had drifted) and saves it with a valid
//! checksum.
//!
//! ```text
//! cargo run --release -p meridian-plan --example perturb_state -- STATE_FILE [EVERY]
//! ```
//!
//! EVERY defaults to 100 (1%). Prints how many resources were changed.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(path) = args.next().map(PathBuf::from) else {
        eprintln!("usage: perturb_state STATE_FILE [EVERY]");
        return ExitCode::from(2);
    };
    let every: usize = args
        .next()
        .and_then(|a| a.to_str().and_then(|s| s.parse().ok()))
        .unwrap_or(100)
        .max(1);
    let mut state = match meridian_state::load(&path) {
        Ok(Some(s)) => s,
        Ok(None) => {
            eprintln!("perturb_state: {} does not exist", path.display());
            return ExitCode::from(1);
        }
        Err(e) => {
            eprintln!("perturb_state: {e}");
            return ExitCode::from(1);
        }
    };
    let mut changed = 0;
    for r in state.resources.iter_mut().step_by(every) {
        r.attributes
            .insert("drifted".into(), serde_json::Value::Bool(true));
        changed += 1;
    }
    if let Err(e) = meridian_state::save(&path, &mut state) {
        eprintln!("perturb_state: {e}");
        return ExitCode::from(1);
    }
    println!("{changed} of {} resources changed", state.resources.len());
    ExitCode::SUCCESS
}
