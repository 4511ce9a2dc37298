use super::plan::{check_targets, lock_and_recover, stale_note, write_root, StatePaths};
use super::{build_graph, valid_project};
use crate::driver;
use crate::exit;
use crate::output::Output;
use meridian_emit::{render_all, Templates};
use meridian_spec::Inputs;
use meridian_state::{commit, safe_fs, CommitOptions, FileChange};
use std::path::Path;
use std::time::Duration;

/// What `meridian generate` is asked to do besides the spec.
pub struct GenerateOptions<'a> {
    pub inputs: &'a Inputs,
    /// Write under this directory instead of the spec directory.
    pub out_dir: Option<&'a Path>,
    pub templates_dir: Option<&'a Path>,
    /// How long to wait for the state lock.
    pub lock_timeout: Duration,
    pub json: bool,
}

/// `meridian generate`: validate, build the graph, render every emit block, and, holding the
/// state lock that `apply` takes, write all files or none.
pub fn generate(path: &Path, opts: &GenerateOptions<'_>, out: &mut Output<'_>) -> i32 {
    let GenerateOptions {
        inputs,
        out_dir,
        templates_dir,
        lock_timeout,
        json,
    } = *opts;
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
    if let Some(dir) = out_dir {
        // The directory named on the command line is created if missing.
        if let Err(e) = safe_fs::create_dirs(dir) {
            let _ = writeln!(out.err, "error: cannot create {}: {e}", dir.display());
            return exit::ERROR;
        }
    }
    let root = match write_root(&checked, out_dir) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(out.err, "{e}");
            return exit::ERROR;
        }
    };
    if let Err(e) = check_targets(&root, &artifacts) {
        let _ = writeln!(out.err, "{e}");
        return exit::ERROR;
    }
    // The same lock as `apply`: two runs never mix their files, and an interrupted apply is
    // finished (or undone) before anything is written.
    let paths = StatePaths::of(&checked.spec.dir);
    // An interrupted apply wrote into the spec directory, whatever `--out` says now.
    let spec_root = match out_dir {
        None => Ok(root.clone()),
        Some(_) => write_root(&checked, None),
    };
    let recovered = spec_root
        .and_then(|spec_root| lock_and_recover(&paths, &spec_root, "generate", lock_timeout));
    let lock = match recovered {
        Ok((lock, notes)) => {
            for n in notes {
                let _ = writeln!(out.err, "{n}");
            }
            lock
        }
        Err(e) => {
            let _ = writeln!(out.err, "{e}");
            return exit::ERROR;
        }
    };
    let changes: Vec<FileChange> = artifacts
        .into_iter()
        .map(|a| FileChange::write(a.path, a.content.into_bytes()))
        .collect();
    // The same all-or-nothing write as `apply`, without a journal or state.
    let result = commit(&root, &changes, CommitOptions::default());
    drop(lock);
    match result {
        Ok(report) => {
            stale_note(&report, out);
            if json {
                let v = serde_json::json!({
                    "spec_hash": hash,
                    "base": base.display().to_string(),
                    "written": report.written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
                    "unchanged": report.unchanged.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
                    "stale_removed": report.stale_removed.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
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
