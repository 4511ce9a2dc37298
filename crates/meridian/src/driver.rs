//! The validation pipeline shared by every command that reads a spec: load the files, apply
//! the catalog overlay, validate.

use meridian_catalog::Catalog;
use meridian_diag::{codes, Diagnostic, Diagnostics, SourceMap, Span};
use meridian_model::{ir::Project, Date, Options, OwnFile};
use meridian_spec::{Inputs, Spec};
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// A loaded and validated spec.
pub struct Checked {
    pub sources: SourceMap,
    pub spec: Spec,
    /// `None` when the spec could not be read or parsed far enough to validate.
    pub project: Option<Project>,
    pub diagnostics: Diagnostics,
    /// `sha256:<hex>` of the catalog the spec was checked against: the built-in files and
    /// the overlay's text (a saved plan records it, and is stale when it changes).
    pub catalog_hash: String,
    /// The catalog the spec was checked against: the built-in one with the spec's overlay
    /// (the built-in one alone when the spec could not be parsed).
    pub catalog: Cow<'static, Catalog>,
}

impl Checked {
    pub fn is_valid(&self) -> bool {
        !self.diagnostics.has_errors() && self.project.is_some()
    }
}

/// The variable that sets the day specs are judged on.
pub const TODAY_VAR: &str = "MERIDIAN_TODAY";

/// The day retirement and deprecation dates and the catalog's age are judged against:
/// `MERIDIAN_TODAY` (YYYY-MM-DD) when set, to see what a spec meets on another day or to pin
/// a run to one, else the system clock. [`today_setting`] reports a malformed value; here it
/// counts as unset.
pub fn today() -> Date {
    today_setting().ok().flatten().unwrap_or_else(Date::today)
}

/// `MERIDIAN_TODAY` parsed: `None` when unset, an error naming the variable when malformed.
pub fn today_setting() -> Result<Option<Date>, String> {
    match std::env::var(TODAY_VAR) {
        Err(_) => Ok(None),
        Ok(v) => Date::parse(&v).map(Some).ok_or_else(|| {
            format!("{TODAY_VAR}={v:?} is not a date; write it as YYYY-MM-DD, e.g. 2027-03-01")
        }),
    }
}

/// Loads and validates the spec at `path` against the built-in catalog (plus the overlay the
/// spec names), as of `today`.
pub fn check(path: &Path, inputs: &Inputs, today: Date) -> Checked {
    check_loaded(meridian_spec::load(path, inputs), today, None)
}

/// [`check`] for `plan -out FILE`: no emit path may name the plan file.
pub fn check_writing_plan(
    path: &Path,
    inputs: &Inputs,
    today: Date,
    plan_file: Option<&Path>,
) -> Checked {
    check_loaded(meridian_spec::load(path, inputs), today, plan_file)
}

/// Validates a spec given as text (one file named `name`).
pub fn check_text(name: &str, text: &str, inputs: &Inputs, today: Date) -> Checked {
    check_loaded(meridian_spec::load_text(name, text, inputs), today, None)
}

/// The paths of a loaded spec's files, as they were read.
fn spec_paths<'a>(spec: &'a Spec, sources: &'a SourceMap) -> impl Iterator<Item = &'a Path> {
    spec.files
        .iter()
        .filter_map(|f| sources.get(*f))
        .map(|f| f.path.as_path())
}

fn check_loaded(loaded: meridian_spec::Loaded, today: Date, plan_file: Option<&Path>) -> Checked {
    let mut sources = loaded.sources;
    let spec = loaded.spec;
    let mut diagnostics = loaded.diagnostics;
    let blocking = diagnostics.iter().any(|d| {
        d.code == codes::SYN_PARSE || d.code == codes::IO_READ || d.code == codes::IO_NO_SPEC
    });
    if blocking {
        diagnostics.sort();
        let catalog_hash = catalog_hash(&spec);
        return Checked {
            sources,
            spec,
            project: None,
            diagnostics,
            catalog_hash,
            catalog: Cow::Borrowed(Catalog::builtin()),
        };
    }
    let catalog = load_catalog(&spec, &mut sources, &mut diagnostics);
    let resolve = |p: &Path| resolve_existing(p);
    let own_files: Vec<OwnFile> = spec_paths(&spec, &sources)
        .map(|p| OwnFile::Spec(p.to_path_buf()))
        .chain(plan_file.map(|p| OwnFile::Plan(p.to_path_buf())))
        .collect();
    let validated = meridian_model::validate(
        &spec,
        &Options {
            catalog: &catalog,
            today,
            resolve_path: &resolve,
            own_files: &own_files,
        },
    );
    diagnostics.extend(validated.diagnostics);
    diagnostics.sort();
    let catalog_hash = catalog_hash(&spec);
    Checked {
        sources,
        spec,
        project: Some(validated.project),
        diagnostics,
        catalog_hash,
        catalog,
    }
}

/// The spec's files, each as its path relative to the spec directory (`/`-separated), in the
/// order they were loaded. Generated files name them in their headers.
pub fn spec_file_names(checked: &Checked) -> Vec<String> {
    spec_files(checked).into_iter().map(|(n, _)| n).collect()
}

fn spec_files(checked: &Checked) -> Vec<(String, &str)> {
    checked
        .spec
        .files
        .iter()
        .filter_map(|f| checked.sources.get(*f))
        .map(|f| {
            let rel = f
                .path
                .strip_prefix(&checked.spec.dir)
                .ok()
                .filter(|r| !r.as_os_str().is_empty())
                .or_else(|| f.path.file_name().map(Path::new))
                .unwrap_or(&f.path);
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            (name, f.text.as_str())
        })
        .collect()
}

/// `sha256:<hex>` of the spec files: each file's path relative to the spec directory and its
/// text. Where the spec lives (or how its path was spelled) does not change the hash, so a
/// plan made in one checkout applies in another.
pub fn spec_hash(checked: &Checked) -> String {
    let files = spec_files(checked);
    meridian_emit::spec_hash(files.iter().map(|(n, t)| (n.as_str(), *t)))
}

/// `sha256:<hex>` over the built-in catalog files and the overlay the spec names (its path
/// and text; a missing overlay hashes as absent).
pub fn catalog_hash(spec: &Spec) -> String {
    let mut parts: Vec<(String, Vec<u8>)> = meridian_catalog::builtin_files()
        .iter()
        .map(|(name, text)| ((*name).to_string(), text.as_bytes().to_vec()))
        .collect();
    if let Some(overlay) = spec.meridian.as_ref().and_then(|m| m.catalog.as_ref()) {
        let bytes = std::fs::read(spec.dir.join(&overlay.value)).unwrap_or_default();
        parts.push((format!("overlay:{}", overlay.value), bytes));
    }
    meridian_emit::spec_hash(
        parts
            .iter()
            .map(|(n, b)| (n.as_str(), std::str::from_utf8(b).unwrap_or(""))),
    )
}

/// The built-in catalog, with the overlay of `meridian { catalog = "..." }` merged over it.
fn load_catalog<'a>(
    spec: &Spec,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Cow<'a, Catalog> {
    let builtin = Catalog::builtin();
    let Some(overlay) = spec.meridian.as_ref().and_then(|m| m.catalog.as_ref()) else {
        return Cow::Borrowed(builtin);
    };
    let path = spec.dir.join(&overlay.value);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    codes::IO_READ,
                    format!("Cannot read catalog overlay {}", path.display()),
                )
                .detail(format!("{e}. The path is relative to the spec directory."))
                .at(overlay.span),
            );
            return Cow::Borrowed(builtin);
        }
    };
    match builtin.with_overlay(&text) {
        Ok(c) => Cow::Owned(c),
        Err(e) => {
            let id = sources.add(path.display().to_string(), &path, text);
            let span = sources.get(id).map(|f| {
                let byte = line_col_to_byte(&f.text, e.line, e.column);
                let end = f.text[byte..]
                    .chars()
                    .next()
                    .map_or(byte, |c| byte + c.len_utf8());
                // JSON errors about a string value point at its closing quote: cover the string.
                let line_start = f.text[..byte].rfind('\n').map_or(0, |i| i + 1);
                let open = (f.text[byte..].starts_with('"'))
                    .then(|| f.text[line_start..byte].rfind('"'))
                    .flatten();
                match open {
                    Some(open) => Span::new(id, line_start + open, end),
                    None => Span::new(id, byte, end),
                }
            });
            diags.push(
                Diagnostic::error(codes::CAT_OVERLAY, "Invalid catalog overlay")
                    .detail(format!(
                        "{}. Check it against schema/catalog.schema.json.",
                        e.message.trim_end_matches('.')
                    ))
                    .at_opt(span)
                    .label(overlay.span, "the overlay is named here"),
            );
            Cow::Borrowed(builtin)
        }
    }
}

fn line_col_to_byte(text: &str, line: usize, column: usize) -> usize {
    if line == 0 {
        return 0;
    }
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col = column.saturating_sub(1);
            return offset + l.char_indices().nth(col).map_or(l.len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

/// The canonical form of `path`: its longest existing ancestor canonicalised (following
/// symlinks), joined with the rest ([`meridian_state::safe_fs::resolve`]).
pub fn resolve_existing(path: &Path) -> Option<PathBuf> {
    meridian_state::safe_fs::resolve(path)
}

/// Where the commands of a checked spec may write: the spec directory (or `out`, for
/// `generate --out`), with the spec directory's `.meridian/` and every spec file protected.
pub fn write_root(checked: &Checked, out: Option<&Path>) -> std::io::Result<meridian_state::Root> {
    let mut root = meridian_state::Root::new(out.unwrap_or(&checked.spec.dir))?;
    root.protect(
        &checked.spec.dir.join(meridian_state::safe_fs::OWN_DIR),
        "Meridian's state directory",
    );
    for file in spec_paths(&checked.spec, &checked.sources) {
        root.protect(file, "a spec file");
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_maps_to_bytes() {
        let t = "ab\ncçd\n";
        assert_eq!(line_col_to_byte(t, 1, 1), 0);
        assert_eq!(line_col_to_byte(t, 2, 3), 6);
        assert_eq!(line_col_to_byte(t, 9, 1), t.len());
        assert_eq!(line_col_to_byte(t, 0, 0), 0);
    }

    #[test]
    fn resolves_missing_tails_under_existing_dirs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let canon = dir.path().canonicalize().expect("canon");
        let p = dir.path().join("generated/terraform");
        assert_eq!(
            resolve_existing(&p),
            Some(canon.join("generated/terraform"))
        );
    }
}
