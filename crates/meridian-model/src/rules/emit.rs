//! Emit blocks: supported formats and options, output paths that stay inside the spec
//! directory and never name Meridian's own files, and two artifacts written to the same
//! place.

use crate::OwnFile;
use meridian_diag::{codes, did_you_mean, Code, Diagnostic, Diagnostics};
use meridian_spec::{Emit, Spanned, Spec};
use meridian_state::safe_fs::{check_recorded, is_absolute_text, Problem, OWN_DIR};
use std::path::{Path, PathBuf};

/// Formats Meridian emits today.
pub(crate) const FORMATS: &[&str] = &["terraform", "pulumi", "litellm"];

/// Formats the language reserves for later releases.
const RESERVED_FORMATS: &[&str] = &["envoy-ai-gateway", "portkey"];

/// Pulumi languages Meridian generates.
const PULUMI_LANGUAGES: &[&str] = &["typescript"];

/// Languages Pulumi supports that Meridian does not generate yet.
const PULUMI_OTHER_LANGUAGES: &[&str] = &["python", "go", "csharp", "java", "yaml"];

/// Checks every emit block. `resolve` maps a path to its canonical form, following symlinks
/// as far as the path exists (`None` when that is impossible); it is how the rule sees
/// symlinks out of the spec directory, or into `.meridian/`, without doing IO itself. `own`
/// lists the files no emit path may name besides `.meridian/`.
pub(crate) fn check(
    spec: &Spec,
    resolve: &dyn Fn(&Path) -> Option<PathBuf>,
    own: &[OwnFile],
    diags: &mut Diagnostics,
) {
    let place = Place {
        spec,
        base: resolve(spec_dir(spec)),
        resolve,
        own,
    };
    let mut written: Vec<(String, &Spanned<String>)> = Vec::new();
    for emit in &spec.emits {
        format(emit, diags);
        language(emit, diags);
        let Some(path) = &emit.path else { continue };
        if !path_is_safe(&place, emit, path, diags) {
            continue;
        }
        let normal = normalise(&path.value);
        if let Some((_, first)) = written.iter().find(|(p, _)| *p == normal) {
            diags.push(
                Diagnostic::error(
                    codes::SPEC_DUPLICATE,
                    format!(
                        "emit \"{}\" writes to \"{}\", which another emit block already writes to",
                        emit.format.value, path.value
                    ),
                )
                .detail("Give each emit block its own path, e.g. generated/terraform and generated/pulumi.")
                .at(path.span)
                .label(first.span, "the same path is used here"),
            );
        } else {
            written.push((normal, path));
        }
    }
}

fn format(emit: &Emit, diags: &mut Diagnostics) {
    let format = &emit.format;
    if FORMATS.contains(&format.value.as_str()) {
        return;
    }
    let d = if RESERVED_FORMATS.contains(&format.value.as_str()) {
        Diagnostic::error(
            codes::EMIT_FORMAT,
            format!("Output format \"{}\" is not supported yet", format.value),
        )
        .detail(format!(
            "{} is planned for a later release. Remove the block for now; formats available \
             today are {}.",
            format.value,
            FORMATS.join(", ")
        ))
    } else {
        Diagnostic::error(
            codes::EMIT_FORMAT,
            format!("Unknown output format \"{}\"", format.value),
        )
        .detail(format!(
            "emit formats are {}.{}",
            FORMATS.join(", "),
            did_you_mean(
                &format.value,
                FORMATS.iter().chain(RESERVED_FORMATS).copied()
            )
        ))
    };
    diags.push(d.at(format.span));
}

fn language(emit: &Emit, diags: &mut Diagnostics) {
    let Some(lang) = &emit.language else { return };
    let d = if emit.format.value != "pulumi" {
        Diagnostic::error(
            codes::EMIT_FORMAT,
            format!(
                "language \"{}\" applies only to emit \"pulumi\", not to emit \"{}\"",
                lang.value, emit.format.value
            ),
        )
        .detail(
            "Remove `language` from this block; only Pulumi programs come in several languages.",
        )
    } else if PULUMI_LANGUAGES.contains(&lang.value.as_str()) {
        return;
    } else if PULUMI_OTHER_LANGUAGES.contains(&lang.value.as_str()) {
        Diagnostic::error(
            codes::EMIT_FORMAT,
            format!("Pulumi language \"{}\" is not supported yet", lang.value),
        )
        .detail("Meridian generates Pulumi programs in TypeScript: set language = \"typescript\" or leave it out.")
    } else {
        Diagnostic::error(
            codes::EMIT_FORMAT,
            format!("Unknown Pulumi language \"{}\"", lang.value),
        )
        .detail(format!(
            "Meridian generates Pulumi programs in TypeScript: set language = \"typescript\" or leave it out.{}",
            did_you_mean(&lang.value, PULUMI_LANGUAGES.iter().copied())
        ))
    };
    diags.push(d.at(lang.span));
}

/// What the path rules need to know about where the spec lives.
struct Place<'a> {
    spec: &'a Spec,
    /// The spec directory, resolved.
    base: Option<PathBuf>,
    resolve: &'a dyn Fn(&Path) -> Option<PathBuf>,
    own: &'a [OwnFile],
}

/// Whether the format writes one file at its path (rather than files in a directory).
fn writes_one_file(emit: &Emit) -> bool {
    emit.format.value == "litellm"
}

/// Reports a path that is empty, holds a NUL, is absolute, climbs out with `..`, names the
/// spec directory itself, is not a file name where the format writes one file, names
/// Meridian's own files (`.meridian/`, a temporary name, a spec file, the plan file), or
/// resolves outside the spec directory or onto those files. Returns whether the path is
/// usable.
fn path_is_safe(
    place: &Place<'_>,
    emit: &Emit,
    path: &Spanned<String>,
    diags: &mut Diagnostics,
) -> bool {
    let raw = path.value.as_str();
    let normal = normalise(raw);
    let problem: Option<(Code, String, &str)> = if raw.trim().is_empty() {
        Some((
            codes::EMIT_PATH,
            "is empty".to_string(),
            "Give a directory (or, for litellm, a file) relative to the spec directory, e.g. generated/terraform.",
        ))
    } else if raw.contains('\0') {
        Some((
            codes::EMIT_PATH_INVALID,
            "holds a NUL character".to_string(),
            "No file name can hold a NUL character. Remove it (a \\u0000 escape, or a variable \
             that holds one) from the path.",
        ))
    } else if is_absolute_text(raw) {
        Some((
            codes::EMIT_PATH,
            "is absolute".to_string(),
            "emit paths are relative to the spec directory so that the spec generates the same \
             files on every machine. Write it relative, e.g. generated/terraform.",
        ))
    } else if components(raw).any(|c| c == "..") {
        Some((
            codes::EMIT_PATH,
            "leaves the spec directory with \"..\"".to_string(),
            "emit paths may not leave the spec directory. Write a path below it, e.g. generated/terraform.",
        ))
    } else if normal.is_empty() {
        Some((
            codes::EMIT_PATH,
            "names the spec directory itself".to_string(),
            "Generated files go in their own directory so that they never mix with or overwrite \
             the spec. Use a subdirectory, e.g. generated/terraform.",
        ))
    } else if writes_one_file(emit) && raw.ends_with(['/', '\\']) {
        Some((
            codes::EMIT_PATH_INVALID,
            format!(
                "ends in a separator, but emit \"{}\" writes one file",
                emit.format.value
            ),
            "Name the file itself, e.g. generated/router/litellm.yaml.",
        ))
    } else if let Err(p) = check_recorded(&normal) {
        Some(own_problem(&p))
    } else if writes_one_file(emit) && is_spec_name(&normal) {
        Some((
            codes::EMIT_OWN_FILE,
            "would be read as part of the spec".to_string(),
            "Every *.hcl file of the spec directory belongs to the spec, so a generated file \
             there would replace or join it. Give the file another extension or directory, e.g. \
             generated/router/litellm.yaml.",
        ))
    } else {
        resolved_problem(place, emit, raw)
    };
    let Some((code, what, fix)) = problem else {
        return true;
    };
    diags.push(
        Diagnostic::error(
            code,
            format!(
                "Output path \"{}\" of emit \"{}\" {what}",
                shown(&path.value),
                emit.format.value
            ),
        )
        .detail(fix)
        .at(path.span),
    );
    false
}

/// `s` with control characters escaped (`\u{0}`), for a message.
fn shown(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The finding for a lexical problem of a normalised path: `.meridian` or a temporary name.
fn own_problem(p: &Problem) -> (Code, String, &'static str) {
    let what = match p {
        Problem::OwnDir => format!("is inside {OWN_DIR}/, where Meridian keeps its state"),
        Problem::Reserved(suffix) => {
            format!("ends in {suffix}, a name Meridian keeps for its temporary files")
        }
        other => other.to_string(),
    };
    (
        codes::EMIT_OWN_FILE,
        what,
        "Meridian's state, lock and journal live in .meridian/, and it stages files under \
         *.meridian-new, *.meridian-old and *.meridian-tmp names: generated files may replace \
         none of them. Use a directory of its own, e.g. generated/terraform.",
    )
}

/// Whether a normalised path is a `*.hcl` file directly in the spec directory: a spec file,
/// or one the next load of the directory would read as one.
fn is_spec_name(normal: &str) -> bool {
    !normal.contains('/')
        && Path::new(normal)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("hcl"))
}

/// Where the path really leads, when that is outside the spec directory, the spec directory
/// itself, `.meridian/`, or one of Meridian's own files.
fn resolved_problem(
    place: &Place<'_>,
    emit: &Emit,
    raw: &str,
) -> Option<(Code, String, &'static str)> {
    let base = place.base.as_deref()?;
    let mut full = spec_dir(place.spec).to_path_buf();
    for c in components(raw).filter(|c| !c.is_empty() && *c != ".") {
        full.push(c);
    }
    let real = (place.resolve)(&full)?;
    if !real.starts_with(base) {
        return Some((
            codes::EMIT_PATH,
            format!("resolves to {} outside the spec directory", real.display()),
            "A symbolic link on the way leads out of the spec directory. Point the path at a \
             real directory inside the spec directory, or remove the link.",
        ));
    }
    if real == base {
        return Some((
            codes::EMIT_PATH,
            "resolves to the spec directory itself".to_string(),
            "A symbolic link on the way leads back to the spec directory. Generated files go \
             in their own directory: point the path at one, or remove the link.",
        ));
    }
    if real.starts_with(base.join(OWN_DIR)) {
        return Some((
            codes::EMIT_OWN_FILE,
            format!(
                "resolves to {}, inside {OWN_DIR}/ where Meridian keeps its state",
                real.display()
            ),
            "A symbolic link on the way leads into .meridian/. Point the path at a directory of \
             its own, or remove the link.",
        ));
    }
    for own in place.own {
        let Some(own_real) = (place.resolve)(own.path()) else {
            continue;
        };
        let clash = if writes_one_file(emit) {
            own_real == real
        } else {
            own_real.starts_with(&real)
        };
        if clash {
            let what = if writes_one_file(emit) {
                format!("is {}", own.describe())
            } else {
                format!("holds {}", own.describe())
            };
            return Some((
                codes::EMIT_OWN_FILE,
                what,
                "Generated files may never replace a spec file or the plan being written. Use a \
                 directory of its own for the emit block, or write the plan elsewhere.",
            ));
        }
    }
    None
}

/// The path's components, splitting on both separators (a spec written on Windows may use
/// backslashes).
fn components(p: &str) -> impl Iterator<Item = &str> {
    p.split(['/', '\\'])
}

/// The path without `.` components, empty components and trailing separators, joined by `/`.
fn normalise(p: &str) -> String {
    components(p)
        .filter(|c| !c.is_empty() && *c != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// The directory emit paths are relative to (`.` when the spec names none).
fn spec_dir(spec: &Spec) -> &Path {
    if spec.dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        &spec.dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::run_rule_in;
    use meridian_spec::{load_text, Inputs};

    const BASE: &str = r#"meridian {
  name = "ebk-assistants"
}

provider "azure" "corp" {
  subscription_id = "11111111-2222-3333-4444-555555555555"
  resource_group  = "rg-ai"
}

model "assistant" {
  tier "primary" {
    target "aoai-sweden" {
      provider   = provider.azure.corp
      model      = "gpt-4.1"
      version    = "2025-04-14"
      region     = "swedencentral"
      processing = "geography"
    }
  }
}
"#;

    type Found = Vec<(&'static str, String, String)>;

    /// A resolver for a tree without symlinks.
    const IDENTITY: &dyn Fn(&Path) -> Option<PathBuf> = &|p: &Path| Some(p.to_path_buf());

    fn run_with(emits: &str, resolve: &dyn Fn(&Path) -> Option<PathBuf>) -> Found {
        let src = format!("{BASE}{emits}");
        run_rule_in("spec/main.hcl", &src, |spec, diags| {
            check(spec, resolve, &[], diags);
        })
        .into_iter()
        .map(|f| (f.code, f.summary, f.text))
        .collect()
    }

    fn run_check(emits: &str) -> Found {
        run_with(emits, IDENTITY)
    }

    fn run_own(emits: &str, resolve: &dyn Fn(&Path) -> Option<PathBuf>, own: &[OwnFile]) -> Found {
        let src = format!("{BASE}{emits}");
        run_rule_in("spec/main.hcl", &src, |spec, diags| {
            check(spec, resolve, own, diags);
        })
        .into_iter()
        .map(|f| (f.code, f.summary, f.text))
        .collect()
    }

    #[test]
    fn supported_formats_are_clean() {
        let found = run_check(
            "emit \"terraform\" { path = \"generated/terraform\" }\nemit \"pulumi\" {\n  path = \"./generated/pulumi/\"\n  language = \"typescript\"\n}\nemit \"litellm\" { path = \"generated/router/litellm.yaml\" }\n",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn unknown_and_reserved_formats() {
        let found = run_check(
            "emit \"terrafrom\" { path = \"a\" }\nemit \"portkey\" { path = \"b\" }\nemit \"envoy-ai-gateway\" { path = \"c\" }\n",
        );
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found.iter().all(|f| f.0 == "MRD-EMIT-002"));
        assert!(found[0].1.contains("Unknown output format \"terrafrom\""));
        assert_eq!(found[0].2, "\"terrafrom\"");
        assert!(found[1].1.contains("not supported yet"), "{}", found[1].1);
        assert_eq!(found[1].2, "\"portkey\"");
        assert!(found[2].1.contains("not supported yet"));
    }

    #[test]
    fn did_you_mean_for_formats() {
        let src = format!("{BASE}emit \"terrafrom\" {{ path = \"a\" }}\n");
        let loaded = load_text("main.hcl", &src, &Inputs::default());
        let mut diags = Diagnostics::new();
        check(&loaded.spec, IDENTITY, &[], &mut diags);
        let d = diags.iter().next().expect("one");
        assert!(
            d.detail.contains("Did you mean \"terraform\"?"),
            "{}",
            d.detail
        );
    }

    #[test]
    fn language_only_on_pulumi_and_typescript() {
        let found = run_check(
            "emit \"terraform\" {\n  path = \"a\"\n  language = \"typescript\"\n}\nemit \"pulumi\" {\n  path = \"b\"\n  language = \"python\"\n}\n",
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, "MRD-EMIT-002");
        assert!(
            found[0].1.contains("only to emit \"pulumi\""),
            "{}",
            found[0].1
        );
        assert_eq!(found[0].2, "\"typescript\"");
        assert!(
            found[1].1.contains("\"python\" is not supported yet"),
            "{}",
            found[1].1
        );
        assert_eq!(found[1].2, "\"python\"");
        let found = run_check("emit \"pulumi\" {\n  path = \"b\"\n  language = \"rust\"\n}\n");
        assert_eq!(found.len(), 1);
        assert!(found[0].1.contains("Unknown Pulumi language \"rust\""));
    }

    #[test]
    fn paths_that_escape_are_errors() {
        for (path, what) in [
            ("", "is empty"),
            ("  ", "is empty"),
            ("/tmp/out", "is absolute"),
            ("C:\\\\out", "is absolute"),
            ("c:/out", "is absolute"),
            ("\\\\\\\\server\\\\share", "is absolute"),
            ("../out", "\"..\""),
            ("generated/../../out", "\"..\""),
            ("generated\\\\..\\\\..\\\\out", "\"..\""),
            (".", "spec directory itself"),
            ("./", "spec directory itself"),
        ] {
            let found = run_check(&format!("emit \"terraform\" {{ path = \"{path}\" }}\n"));
            assert_eq!(found.len(), 1, "{path}: {found:?}");
            assert_eq!(found[0].0, "MRD-EMIT-001");
            assert!(found[0].1.contains(what), "{path}: {}", found[0].1);
            assert_eq!(found[0].2, format!("\"{path}\""));
        }
        // near misses: dots inside names are fine
        for path in ["generated/..hidden", "gen..erated/tf", "./generated/./tf"] {
            assert!(
                run_check(&format!("emit \"terraform\" {{ path = \"{path}\" }}\n")).is_empty(),
                "{path}"
            );
        }
    }

    #[test]
    fn symlinks_out_of_the_spec_dir_are_errors() {
        // "spec/link" is a symlink to /elsewhere; the resolver follows it.
        let resolve = |p: &Path| -> Option<PathBuf> {
            let rel = p.strip_prefix("spec").ok()?;
            let mut parts = rel.components();
            match parts.next() {
                None => Some(PathBuf::from("/work/spec")),
                Some(first) if first.as_os_str() == "link" => {
                    Some(Path::new("/elsewhere").join(parts.as_path()))
                }
                Some(_) => Some(Path::new("/work/spec").join(rel)),
            }
        };
        let found = run_with(
            "emit \"terraform\" { path = \"link/terraform\" }\nemit \"litellm\" { path = \"generated/litellm.yaml\" }\n",
            &resolve,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "MRD-EMIT-001");
        assert!(
            found[0].1.contains("/elsewhere/terraform"),
            "{}",
            found[0].1
        );
        assert_eq!(found[0].2, "\"link/terraform\"");
        // a resolver that cannot tell reports nothing
        let found = run_with(
            "emit \"terraform\" { path = \"link/terraform\" }\n",
            &|_: &Path| None,
        );
        assert!(found.is_empty());
    }

    #[test]
    fn two_emits_on_one_path_are_duplicates() {
        let src = format!(
            "{BASE}emit \"terraform\" {{ path = \"generated/out/\" }}\nemit \"pulumi\" {{ path = \"./generated/out\" }}\n"
        );
        let loaded = load_text("main.hcl", &src, &Inputs::default());
        let mut diags = Diagnostics::new();
        check(&loaded.spec, IDENTITY, &[], &mut diags);
        let all: Vec<_> = diags.iter().collect();
        assert_eq!(all.len(), 1, "{all:?}");
        let d = all[0];
        assert_eq!(d.code, codes::SPEC_DUPLICATE);
        let text = &loaded.sources.get(loaded.spec.files[0]).expect("file").text;
        let p = d.primary.expect("primary");
        assert_eq!(&text[p.start..p.end], "\"./generated/out\"");
        let l = d.secondary[0].span;
        assert_eq!(&text[l.start..l.end], "\"generated/out/\"");
        // different paths are fine
        assert!(run_check(
            "emit \"terraform\" { path = \"generated/out\" }\nemit \"pulumi\" { path = \"generated/out2\" }\n"
        )
        .is_empty());
    }

    #[test]
    fn paths_onto_meridians_own_files_are_errors() {
        for (format, path, what) in [
            ("terraform", ".meridian", "inside .meridian/"),
            ("terraform", "./.meridian/", "inside .meridian/"),
            ("pulumi", ".Meridian/pulumi", "inside .meridian/"),
            ("litellm", ".meridian/state.json", "inside .meridian/"),
            ("litellm", ".meridian/apply.journal", "inside .meridian/"),
            ("litellm", "router.meridian-new", "temporary files"),
            ("litellm", "main.hcl", "read as part of the spec"),
            ("litellm", "./router.HCL", "read as part of the spec"),
        ] {
            let found = run_check(&format!("emit \"{format}\" {{ path = \"{path}\" }}\n"));
            assert_eq!(found.len(), 1, "{path}: {found:?}");
            assert_eq!(found[0].0, "MRD-EMIT-003", "{path}");
            assert!(found[0].1.contains(what), "{path}: {}", found[0].1);
            assert_eq!(found[0].2, format!("\"{path}\""));
        }
        // Near misses: a .hcl file below the spec directory, a directory whose name starts
        // with .meridian, a trailing separator on a directory format.
        for (format, path) in [
            ("litellm", "generated/router.hcl"),
            ("terraform", "generated/.meridian-tf"),
            ("pulumi", "generated/pulumi/"),
        ] {
            let found = run_check(&format!("emit \"{format}\" {{ path = \"{path}\" }}\n"));
            assert!(found.is_empty(), "{path}: {found:?}");
        }
    }

    #[test]
    fn nul_and_a_trailing_separator_on_a_file_are_located_errors() {
        let found = run_check(
            "emit \"terraform\" { path = \"gen\\u0000x\" }\nemit \"litellm\" { path = \"generated/router/\" }\n",
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, "MRD-EMIT-004");
        assert!(
            found[0].1.contains("holds a NUL character"),
            "{}",
            found[0].1
        );
        assert!(found[0].1.contains("gen\\u{0}x"), "escaped: {}", found[0].1);
        assert_eq!(found[0].2, "\"gen\\u0000x\"");
        assert_eq!(found[1].0, "MRD-EMIT-004");
        assert!(
            found[1]
                .1
                .contains("ends in a separator, but emit \"litellm\" writes one file"),
            "{}",
            found[1].1
        );
        assert_eq!(found[1].2, "\"generated/router/\"");
    }

    #[test]
    fn links_into_meridian_or_back_to_the_spec_dir_are_errors() {
        // "spec/state" links to spec/.meridian, "spec/here" to spec itself.
        let resolve = |p: &Path| -> Option<PathBuf> {
            let rel = p.strip_prefix("spec").ok()?;
            let mut parts = rel.components();
            let root = Path::new("/work/spec");
            match parts.next() {
                None => Some(root.to_path_buf()),
                Some(first) if first.as_os_str() == "state" => {
                    Some(root.join(".meridian").join(parts.as_path()))
                }
                Some(first) if first.as_os_str() == "here" => Some(root.join(parts.as_path())),
                Some(_) => Some(root.join(rel)),
            }
        };
        let found = run_own(
            "emit \"terraform\" { path = \"state\" }\nemit \"pulumi\" { path = \"here\" }\nemit \"litellm\" { path = \"here/main.hcl\" }\n",
            &resolve,
            &[OwnFile::Spec(PathBuf::from("spec/main.hcl"))],
        );
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0].0, "MRD-EMIT-003");
        assert!(
            found[0].1.contains("resolves to /work/spec/.meridian"),
            "{}",
            found[0].1
        );
        assert_eq!(found[1].0, "MRD-EMIT-001");
        assert!(
            found[1].1.contains("resolves to the spec directory itself"),
            "{}",
            found[1].1
        );
        assert_eq!(found[2].0, "MRD-EMIT-003");
        assert!(
            found[2].1.contains("is the spec file spec/main.hcl"),
            "{}",
            found[2].1
        );
    }

    #[test]
    fn the_plan_file_being_written_is_never_an_artifact() {
        let own = [OwnFile::Plan(PathBuf::from(
            "spec/generated/terraform/plan.json",
        ))];
        let found = run_own(
            "emit \"terraform\" { path = \"generated/terraform\" }\n",
            IDENTITY,
            &own,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "MRD-EMIT-003");
        assert!(
            found[0]
                .1
                .contains("holds the plan file being written (spec/generated/terraform/plan.json)"),
            "{}",
            found[0].1
        );
        let own = [OwnFile::Plan(PathBuf::from("spec/generated/router.yaml"))];
        let found = run_own(
            "emit \"litellm\" { path = \"generated/router.yaml\" }\nemit \"terraform\" { path = \"generated/tf\" }\n",
            IDENTITY,
            &own,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].1.contains("is the plan file being written"),
            "{}",
            found[0].1
        );
    }
}
