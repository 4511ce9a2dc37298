use crate::exit;
use crate::output::Output;
use std::path::{Path, PathBuf};

fn collect(path: &Path, recursive: bool, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            let hidden = p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if p.is_dir() {
                if recursive && !hidden {
                    collect(&p, recursive, out)?;
                }
            } else if p.extension().is_some_and(|e| e == "hcl") {
                out.push(p);
            }
        }
    } else {
        std::fs::metadata(path)?;
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// `meridian fmt`: rewrites files in place (atomically), or with `--check` reports them.
pub fn fmt(
    paths: &[PathBuf],
    check: bool,
    diff: bool,
    recursive: bool,
    out: &mut Output<'_>,
) -> i32 {
    let roots: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let mut files = Vec::new();
    for root in &roots {
        if let Err(e) = collect(root, recursive, &mut files) {
            let _ = writeln!(out.err, "error: cannot read {}: {e}", root.display());
            return exit::ERROR;
        }
    }
    let mut failed = false;
    let mut unformatted = false;
    for file in &files {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                let _ = writeln!(out.err, "error: cannot read {}: {e}", file.display());
                failed = true;
                continue;
            }
        };
        let formatted = match meridian_spec::fmt::format_source(&text) {
            Ok(f) => f,
            Err(e) => {
                // Located at the cause, as `validate` reports it. A byte-order mark is not
                // part of the text the error's offsets count.
                let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
                let before = &body[..e.start.min(body.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
                let _ = writeln!(out.err, "error: {}:{line}:{column}: {e}", file.display());
                failed = true;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        unformatted = true;
        let _ = writeln!(out.out, "{}", file.display());
        if diff {
            let name = file.display().to_string();
            let d = similar::TextDiff::from_lines(&text, &formatted);
            let _ = write!(
                out.out,
                "{}",
                d.unified_diff().context_radius(3).header(&name, &name)
            );
        }
        if !check {
            if let Err(e) = rewrite(file, &formatted) {
                let _ = writeln!(out.err, "error: cannot write {}: {e}", file.display());
                failed = true;
            }
        }
    }
    if failed {
        exit::ERROR
    } else if check && unformatted {
        exit::UNFORMATTED
    } else {
        exit::OK
    }
}

/// Replaces a spec file with its formatted text, atomically; a spec file that is a symbolic
/// link is refused rather than replaced or written through.
fn rewrite(file: &Path, text: &str) -> std::io::Result<()> {
    let dir = meridian_state::safe_fs::parent_dir(file);
    let name = file.file_name().map_or(file, Path::new);
    let target = meridian_state::Root::new(&dir)?.target(name)?;
    meridian_state::safe_fs::write_atomic(&target, text.as_bytes())
}
