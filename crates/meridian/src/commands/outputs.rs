//! `meridian output [NAME]`: the values a pipeline needs after an apply, read from the state
//! as `terraform output` reads them (the spec is not read: the outputs are what was applied).

use super::print_json;
use super::state::{read_state, spec_dir};
use crate::exit;
use crate::output::Output;
use meridian_plan::outputs::{outputs, OUTPUT_NAMES};
use std::path::Path;
use std::time::Duration;

/// `meridian output [NAME] [--json]`.
pub fn output(dir: &Path, name: Option<&str>, json: bool, out: &mut Output<'_>) -> i32 {
    let dir = spec_dir(dir);
    let (paths, state) = match read_state(&dir, Duration::ZERO, out) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let Some(state) = state else {
        let _ = writeln!(
            out.err,
            "error: there are no outputs: there is no state at {} (run `meridian apply` first)",
            paths.state.display()
        );
        return exit::ERROR;
    };
    let all = outputs(&state);
    let values = all.values();
    match name {
        Some(name) => {
            let Some((_, value)) = values.iter().find(|(n, _)| *n == name) else {
                let _ = writeln!(
                    out.err,
                    "error: no output named \"{name}\"; Meridian's outputs are {}.{}",
                    OUTPUT_NAMES.join(", "),
                    meridian_diag::did_you_mean(name, OUTPUT_NAMES.iter().copied())
                );
                return exit::ERROR;
            };
            // One value: as JSON for machines and people alike (it is a list or an object).
            let text = if json {
                serde_json::to_string(value)
            } else {
                serde_json::to_string_pretty(value)
            };
            let _ = writeln!(out.out, "{}", text.unwrap_or_default());
        }
        None if json => {
            let doc = serde_json::to_value(&all).unwrap_or_default();
            print_json(&doc, out);
        }
        None => {
            for (n, value) in &values {
                let text = serde_json::to_string_pretty(value).unwrap_or_default();
                let _ = writeln!(out.out, "{n} = {text}");
            }
        }
    }
    exit::OK
}
