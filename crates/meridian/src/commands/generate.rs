use super::{build_graph, valid_project};
use crate::driver;
use crate::exit;
use crate::output::Output;
use meridian_emit::{render_all, Templates};
use meridian_spec::Inputs;
use meridian_state::{commit, CommitOptions, FileChange};
use std::path::Path;

/// `meridian generate`: validate, build the graph, render every emit block, write all files
/// or none.
pub fn generate(
    path: &Path,
    inputs: &Inputs,
    out_dir: Option<&Path>,
    templates_dir: Option<&Path>,
    json: bool,
    out: &mut Output<'_>,
) -> i32 {
    let checked = driver::check(path, inputs, driver::today());
    let Some(project) = valid_project(&checked, out, "nothing was generated") else {
        return exit::ERROR;
    };
    if project.emits.is_empty() {
        let _ = writeln!(
            out.err,
            "error: the spec has no emit blocks; add e.g. emit \"terraform\" {{ path = \"generated/terraform\" }}"
        );
        return exit::ERROR;
    }
    let Some(graph) = build_graph(project, out) else {
        return exit::ERROR;
    };
    let hash = driver::spec_hash(&checked);
    let templates = match Templates::load(templates_dir) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(out.err, "error: {e}");
            return exit::ERROR;
        }
    };
    let spec_files = driver::spec_file_names(&checked);
    let artifacts = match render_all(project, &graph, &spec_files, &templates) {
        Ok(a) => a,
        Err(e) => {
            let _ = writeln!(out.err, "error: {e}");
            return exit::ERROR;
        }
    };
    let base = out_dir.unwrap_or(&checked.spec.dir);
    let changes: Vec<FileChange> = artifacts
        .into_iter()
        .map(|a| FileChange::write(a.path, a.content.into_bytes()))
        .collect();
    // The same all-or-nothing write as `apply`, without a journal or state.
    match commit(base, &changes, CommitOptions::default()) {
        Ok(report) => {
            if json {
                let v = serde_json::json!({
                    "spec_hash": hash,
                    "base": base.display().to_string(),
                    "written": report.written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
                    "unchanged": report.unchanged.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
                });
                let _ = writeln!(
                    out.out,
                    "{}",
                    serde_json::to_string_pretty(&v).unwrap_or_default()
                );
            } else {
                for p in &report.written {
                    let _ = writeln!(out.out, "  wrote {}", base.join(p).display());
                }
                let _ = writeln!(
                    out.out,
                    "Generated {} file{} ({} unchanged) from spec {hash}.",
                    report.written.len(),
                    if report.written.len() == 1 { "" } else { "s" },
                    report.unchanged.len()
                );
            }
            exit::OK
        }
        Err(e) => {
            let _ = writeln!(
                out.err,
                "error: cannot write the artifacts, nothing was changed: {e}"
            );
            exit::ERROR
        }
    }
}
