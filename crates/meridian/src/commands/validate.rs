use crate::driver;
use crate::exit;
use crate::output::Output;
use meridian_diag::{render_human, render_json, RenderOptions};
use meridian_spec::Inputs;
use std::path::Path;

/// `meridian validate`: every diagnostic at once; exit 0 when valid (warnings allowed).
pub fn validate(path: &Path, inputs: &Inputs, json: bool, out: &mut Output<'_>) -> i32 {
    let checked = driver::check(path, inputs, driver::today());
    let valid = checked.is_valid();
    if json {
        let report = render_json(&checked.diagnostics, &checked.sources);
        let text = serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".into());
        let _ = writeln!(out.out, "{text}");
    } else {
        let text = render_human(
            &checked.diagnostics,
            &checked.sources,
            RenderOptions { color: out.color },
        );
        let _ = write!(out.err, "{text}");
        let (e, w) = (
            checked.diagnostics.error_count(),
            checked.diagnostics.warning_count(),
        );
        if valid {
            let note = if w > 0 {
                format!(" ({w} warning{})", if w == 1 { "" } else { "s" })
            } else {
                String::new()
            };
            let _ = writeln!(out.out, "Success! The spec is valid{note}.");
        } else {
            let _ = writeln!(
                out.err,
                "The spec is invalid: {e} error{}, {w} warning{}.",
                if e == 1 { "" } else { "s" },
                if w == 1 { "" } else { "s" }
            );
        }
    }
    if valid {
        exit::OK
    } else {
        exit::ERROR
    }
}
