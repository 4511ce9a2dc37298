//! `meridian docs cli`: the command reference, printed or written with its man pages.

use crate::exit;
use crate::output::Output;
use meridian_state::{commit, CommitOptions, FileChange};
use std::path::Path;

/// Prints the Markdown reference, or writes it and the man pages under `out_dir`
/// (all-or-nothing; man pages of commands that no longer exist are removed).
pub fn docs_cli(out_dir: Option<&Path>, out: &mut Output<'_>) -> i32 {
    let Some(dir) = out_dir else {
        let _ = write!(out.out, "{}", crate::docs::markdown());
        return exit::OK;
    };
    let files = match crate::docs::files() {
        Ok(f) => f,
        Err(e) => {
            let _ = writeln!(out.err, "error: cannot render the man pages: {e}");
            return exit::ERROR;
        }
    };
    let mut changes: Vec<FileChange> = files
        .iter()
        .map(|(path, text)| FileChange::write(path.clone(), text.clone()))
        .collect();
    changes.extend(
        crate::docs::stale_man_pages(dir, &files)
            .into_iter()
            .map(FileChange::delete),
    );
    let root = match meridian_state::Root::new(dir) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(out.err, "error: cannot write under {}: {e}", dir.display());
            return exit::ERROR;
        }
    };
    match commit(&root, &changes, CommitOptions::default()) {
        Ok(report) => {
            for p in &report.written {
                let _ = writeln!(out.out, "  wrote {}", dir.join(p).display());
            }
            for p in &report.deleted {
                let _ = writeln!(out.out, "  removed {}", dir.join(p).display());
            }
            let _ = writeln!(
                out.out,
                "Command reference: {} file{} written, {} removed, {} unchanged.",
                report.written.len(),
                super::plural(report.written.len()),
                report.deleted.len(),
                report.unchanged.len()
            );
            exit::OK
        }
        Err(e) => {
            let _ = writeln!(
                out.err,
                "error: cannot write the command reference under {}: {e}; nothing was written.",
                dir.display()
            );
            exit::ERROR
        }
    }
}
