//! The template set: built-in templates (embedded from `templates/` at build time), each of
//! which a user may replace with a file of the same relative name under `--templates DIR`,
//! plus the escaping filters every interpolation must go through.

use crate::escape;
use std::collections::HashMap;
use std::path::Path;
use tera::{Tera, Value};

/// Every built-in template, by name relative to `templates/`.
pub fn builtin() -> Vec<(&'static str, &'static str)> {
    let mut all = Vec::new();
    all.extend_from_slice(crate::terraform::TEMPLATES);
    all.extend_from_slice(crate::pulumi::TEMPLATES);
    all.extend_from_slice(crate::litellm::TEMPLATES);
    all
}

/// A loaded template set.
pub struct Templates {
    tera: Tera,
}

/// Why templates could not be loaded or rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(pub String);

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TemplateError {}

fn describe(e: &tera::Error) -> String {
    // Tera nests the cause; show the whole chain.
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

fn arg_indent(args: &HashMap<String, Value>) -> usize {
    args.get("indent")
        .and_then(Value::as_u64)
        .map_or(0, |n| n as usize)
}

fn hcl_filter(v: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    escape::hcl_value(v, arg_indent(args))
        .map(Value::String)
        .map_err(tera::Error::msg)
}

fn yaml_filter(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    escape::yaml_value(v)
        .map(Value::String)
        .map_err(tera::Error::msg)
}

fn ts_filter(v: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    escape::ts_value(v, arg_indent(args))
        .map(Value::String)
        .map_err(tera::Error::msg)
}

// Tera filters have this signature even when they cannot fail.
#[allow(clippy::unnecessary_wraps)]
fn comment_filter(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(match v {
        Value::String(s) => escape::comment_text(s),
        other => escape::comment_text(&other.to_string()),
    }))
}

fn ident_filter(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    match v.as_str() {
        Some(s) if escape::is_identifier(s) => Ok(Value::String(s.to_string())),
        _ => Err(tera::Error::msg(format!("{v} is not an identifier"))),
    }
}

impl Templates {
    /// The built-in templates, with any file of the same name under `override_dir` used
    /// instead. A file in `override_dir` that matches no built-in template is an error (a
    /// misspelt override would otherwise be silently ignored).
    pub fn load(override_dir: Option<&Path>) -> Result<Templates, TemplateError> {
        let mut sources: Vec<(String, String)> = builtin()
            .into_iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        if let Some(dir) = override_dir {
            let mut found = Vec::new();
            collect_files(dir, dir, &mut found).map_err(|e| {
                TemplateError(format!(
                    "cannot read templates directory {}: {e}",
                    dir.display()
                ))
            })?;
            for (rel, path) in found {
                let Some(slot) = sources.iter_mut().find(|(n, _)| *n == rel) else {
                    let known: Vec<&str> = builtin().into_iter().map(|(n, _)| n).collect();
                    return Err(TemplateError(format!(
                        "{} overrides no template; templates are: {}",
                        path.display(),
                        known.join(", ")
                    )));
                };
                slot.1 = std::fs::read_to_string(&path)
                    .map_err(|e| TemplateError(format!("cannot read {}: {e}", path.display())))?;
            }
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![]);
        tera.register_filter("hcl", hcl_filter);
        tera.register_filter("yaml", yaml_filter);
        tera.register_filter("ts", ts_filter);
        tera.register_filter("comment", comment_filter);
        tera.register_filter("ident", ident_filter);
        tera.add_raw_templates(sources)
            .map_err(|e| TemplateError(describe(&e)))?;
        Ok(Templates { tera })
    }

    /// Renders one template with a JSON context (taken by value: Tera keeps it as it is,
    /// without a copy).
    pub fn render(&self, name: &str, context: serde_json::Value) -> Result<String, TemplateError> {
        self.render_sized(name, context, 0)
    }

    /// [`render`](Self::render) into a buffer of `capacity` bytes reserved up front, for
    /// large outputs (growing a buffer by doubling copies it and touches twice the memory).
    pub fn render_sized(
        &self,
        name: &str,
        context: serde_json::Value,
        capacity: usize,
    ) -> Result<String, TemplateError> {
        self.render_returning(name, context, capacity)
            .map(|(text, _)| text)
    }

    /// [`render_sized`](Self::render_sized), handing the context back once rendered, for the
    /// caller to release when it suits (see [`crate::DeferredDrop`]).
    pub fn render_returning(
        &self,
        name: &str,
        context: serde_json::Value,
        capacity: usize,
    ) -> Result<(String, serde_json::Value), TemplateError> {
        /// Reserved at most up front; a larger text grows its buffer as it goes.
        const MAX_RESERVE: usize = 1 << 28;
        let ctx = tera::Context::from_value(context).map_err(|e| TemplateError(describe(&e)))?;
        let mut out = Vec::with_capacity(capacity.clamp(2000, MAX_RESERVE));
        self.tera
            .render_to(name, &ctx, &mut out)
            .map_err(|e| TemplateError(format!("template {name}: {}", describe(&e))))?;
        let text =
            String::from_utf8(out).map_err(|e| TemplateError(format!("template {name}: {e}")))?;
        Ok((text, ctx.into_json()))
    }
}

fn collect_files(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, std::path::PathBuf)>,
) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_files(root, &p, out)?;
        } else if let Ok(rel) = p.strip_prefix(root) {
            out.push((rel.to_string_lossy().replace('\\', "/"), p));
        }
    }
    Ok(())
}

/// The escaping filters; every `{{ ... }}` in a template must end in one of them.
pub const ESCAPING_FILTERS: &[&str] = &["hcl", "yaml", "ts", "comment", "ident"];

/// Interpolations in a template that do not end in an escaping filter.
pub fn unescaped_interpolations(template: &str) -> Vec<String> {
    let mut bad = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let expr = after[..end]
            .trim()
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim();
        let last = expr.rsplit('|').next().unwrap_or("").trim();
        let filter = last.split('(').next().unwrap_or("").trim();
        if !expr.contains('|') || !ESCAPING_FILTERS.contains(&filter) {
            bad.push(expr.to_string());
        }
        rest = &after[end + 2..];
    }
    bad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_interpolation_is_escaped() {
        for (name, text) in builtin() {
            let bad = unescaped_interpolations(text);
            assert!(
                bad.is_empty(),
                "{name}: interpolations without an escaping filter: {bad:?}"
            );
        }
        assert_eq!(
            unescaped_interpolations(
                "{{ a | hcl }} {{ b }} {{ c | upper }} {{- d | ts(indent=1) -}}"
            ),
            vec!["b", "c | upper"]
        );
    }

    #[test]
    fn overrides_must_name_a_builtin_template() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("nonsense.tera"), "x").expect("write");
        let err = Templates::load(Some(dir.path())).err().expect("error");
        assert!(err.0.contains("overrides no template"), "{err}");
    }
}
