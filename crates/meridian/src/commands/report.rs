use crate::cli::{ReportArgs, ReportFormat};
use crate::driver;
use crate::exit;
use crate::output::Output;
use meridian_diag::{FileId, SourceMap};
use meridian_report::{Format, Input};
use meridian_spec::Inputs;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `meridian report`: the compliance review of a spec in one format, on stdout or in a file.
///
/// Like `terraform validate -json`, the report is written for an invalid spec too (its
/// findings are the point of it, above all in SARIF); the exit status is then 1.
pub fn report(args: &ReportArgs, inputs: &Inputs, out: &mut Output<'_>) -> i32 {
    let checked = driver::check(&args.spec.path, inputs, driver::today());
    let root = repository_root();
    let file_uris = file_uris(&checked.sources, &root);
    let spec_hash = driver::spec_hash(&checked);
    let report = meridian_report::build(&Input {
        project: checked.project.as_ref(),
        catalog: &checked.catalog,
        diagnostics: &checked.diagnostics,
        sources: &checked.sources,
        file_uris: &file_uris,
        spec_hash: &spec_hash,
        tool_version: env!("CARGO_PKG_VERSION"),
    });
    let format = match args.format {
        ReportFormat::Markdown => Format::Markdown,
        ReportFormat::Html => Format::Html,
        ReportFormat::Json => Format::Json,
        ReportFormat::Sarif => Format::Sarif,
    };
    let text = meridian_report::render(&report, format);
    match &args.out {
        Some(path) => {
            // Never over Meridian's own files or a spec file, never through a link.
            let written = driver::write_root(&checked, None)
                .or_else(|_| meridian_state::Root::new(Path::new(".")))
                .and_then(|root| {
                    meridian_state::safe_fs::write_user_file(&root, path, text.as_bytes())
                });
            if let Err(e) = written {
                let _ = writeln!(out.err, "error: cannot write {}: {e}", path.display());
                return exit::ERROR;
            }
            let _ = writeln!(
                out.out,
                "Wrote the {} report to {}.",
                format_name(args.format),
                path.display()
            );
        }
        None => {
            let _ = write!(out.out, "{text}");
        }
    }
    if checked.is_valid() {
        return exit::OK;
    }
    let (e, w) = (
        checked.diagnostics.error_count(),
        checked.diagnostics.warning_count(),
    );
    let _ = writeln!(
        out.err,
        "The spec is invalid: {e} error{}, {w} warning{}. The report lists them; `meridian validate` shows each with its source.",
        if e == 1 { "" } else { "s" },
        if w == 1 { "" } else { "s" }
    );
    exit::ERROR
}

fn format_name(f: ReportFormat) -> &'static str {
    match f {
        ReportFormat::Markdown => "Markdown",
        ReportFormat::Html => "HTML",
        ReportFormat::Json => "JSON",
        ReportFormat::Sarif => "SARIF",
    }
}

/// The root that SARIF locations are relative to: the enclosing Git work tree of the current
/// directory (the directory holding `.git`, a directory or a worktree's file), else the
/// current directory.
fn repository_root() -> PathBuf {
    let cwd = std::env::current_dir()
        .and_then(|d| d.canonicalize())
        .unwrap_or_else(|_| PathBuf::from("."));
    cwd.ancestors()
        .find(|dir| dir.join(".git").exists())
        .map_or_else(|| cwd.clone(), Path::to_path_buf)
}

/// The URI of every source that is a file: relative to `root` where it lies under it.
fn file_uris(sources: &SourceMap, root: &Path) -> BTreeMap<FileId, String> {
    sources
        .iter()
        .filter(|(_, f)| f.path.is_file())
        .filter_map(|(id, f)| {
            let path = f.path.canonicalize().ok()?;
            Some((id, meridian_report::file_uri(&path, root)))
        })
        .collect()
}
