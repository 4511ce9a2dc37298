//! Emit blocks: supported formats and options, output paths that stay inside the spec
//! directory, and two artifacts written to the same place.

use meridian_diag::{codes, did_you_mean, Diagnostic, Diagnostics};
use meridian_spec::{Emit, Spanned, Spec};
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
/// symlinks out of the spec directory without doing IO itself.
pub(crate) fn check(
    spec: &Spec,
    resolve: &dyn Fn(&Path) -> Option<PathBuf>,
    diags: &mut Diagnostics,
) {
    let base = resolve(spec_dir(spec));
    let mut written: Vec<(String, &Spanned<String>)> = Vec::new();
    for emit in &spec.emits {
        format(emit, diags);
        language(emit, diags);
        let Some(path) = &emit.path else { continue };
        if !path_is_safe(spec, emit, path, base.as_deref(), resolve, diags) {
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

/// Reports a path that is empty, absolute, climbs out with `..`, names the spec directory
/// itself, or resolves outside it. Returns whether the path is usable.
fn path_is_safe(
    spec: &Spec,
    emit: &Emit,
    path: &Spanned<String>,
    base: Option<&Path>,
    resolve: &dyn Fn(&Path) -> Option<PathBuf>,
    diags: &mut Diagnostics,
) -> bool {
    let raw = path.value.as_str();
    let problem = if raw.trim().is_empty() {
        Some((
            "is empty".to_string(),
            "Give a directory (or, for litellm, a file) relative to the spec directory, e.g. generated/terraform.",
        ))
    } else if is_absolute(raw) {
        Some((
            "is absolute".to_string(),
            "emit paths are relative to the spec directory so that the spec generates the same \
             files on every machine. Write it relative, e.g. generated/terraform.",
        ))
    } else if components(raw).any(|c| c == "..") {
        Some((
            "leaves the spec directory with \"..\"".to_string(),
            "emit paths may not leave the spec directory. Write a path below it, e.g. generated/terraform.",
        ))
    } else if normalise(raw).is_empty() {
        Some((
            "names the spec directory itself".to_string(),
            "Generated files go in their own directory so that they never mix with or overwrite \
             the spec. Use a subdirectory, e.g. generated/terraform.",
        ))
    } else {
        escapes_via_symlink(spec, raw, base, resolve).map(|to| {
            (
                format!("resolves to {} outside the spec directory", to.display()),
                "A symbolic link on the way leads out of the spec directory. Point the path at a \
                 real directory inside the spec directory, or remove the link.",
            )
        })
    };
    let Some((what, fix)) = problem else {
        return true;
    };
    diags.push(
        Diagnostic::error(
            codes::EMIT_PATH,
            format!(
                "Output path \"{}\" of emit \"{}\" {what}",
                path.value, emit.format.value
            ),
        )
        .detail(fix)
        .at(path.span),
    );
    false
}

/// Absolute on any platform: `/x`, `\x`, `\\server\share`, `C:\x`, `C:/x`, `C:x`.
fn is_absolute(p: &str) -> bool {
    let b = p.as_bytes();
    p.starts_with(['/', '\\']) || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
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

/// Where the path really leads, when that is outside the spec directory.
fn escapes_via_symlink(
    spec: &Spec,
    raw: &str,
    base: Option<&Path>,
    resolve: &dyn Fn(&Path) -> Option<PathBuf>,
) -> Option<PathBuf> {
    let base = base?;
    let mut full = spec_dir(spec).to_path_buf();
    for c in components(raw).filter(|c| !c.is_empty() && *c != ".") {
        full.push(c);
    }
    let real = resolve(&full)?;
    (!real.starts_with(base)).then_some(real)
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
            check(spec, resolve, diags);
        })
        .into_iter()
        .map(|f| (f.code, f.summary, f.text))
        .collect()
    }

    fn run_check(emits: &str) -> Found {
        run_with(emits, IDENTITY)
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
        check(&loaded.spec, IDENTITY, &mut diags);
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
        check(&loaded.spec, IDENTITY, &mut diags);
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
}
