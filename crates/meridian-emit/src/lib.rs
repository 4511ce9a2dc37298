//! Artifacts from the resource graph: Terraform, Pulumi (TypeScript) and LiteLLM router
//! configuration, each rendered by an [`Emitter`] from the Tera templates in `templates/`.
//!
//! Values reach the output only through the escaping filters of [`escape`] (`hcl`, `yaml`,
//! `ts`, `comment`, `ident`); a test checks every interpolation of every built-in template
//! ends in one. Output is deterministic: the same spec gives byte-identical files, each
//! starting with a comment that names the spec hash it was generated from.

pub mod escape;
mod litellm;
mod pulumi;
pub mod templates;
mod terraform;
pub mod write;

pub use templates::{TemplateError, Templates};
pub use write::{write_all, WriteReport};

use meridian_graph::{as_reference, Address, Graph};
use meridian_model::ir::{Emit, EmitFormat, Project};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Relative to the spec directory (or to `--out`).
    pub path: PathBuf,
    pub content: String,
}

/// Everything an emitter reads.
pub struct EmitContext<'a> {
    pub project: &'a Project,
    pub graph: &'a Graph,
    /// `sha256:<hex>` of the spec files, written into every file's header.
    pub spec_hash: &'a str,
    pub templates: &'a Templates,
    /// The emit block being rendered.
    pub emit: &'a Emit,
    /// Identifier-safe local names of the graph's resources ([`local_names`]), computed once
    /// for every emitter: Terraform and Pulumi name blocks and outputs with them, and the
    /// router config refers to those outputs.
    pub locals: &'a HashMap<Address, String>,
}

/// Why artifacts could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmitError {
    Template(TemplateError),
    /// The model holds something the format cannot express.
    Unsupported(String),
}

impl std::fmt::Display for EmitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EmitError::Template(e) => write!(f, "{e}"),
            EmitError::Unsupported(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for EmitError {}

impl From<TemplateError> for EmitError {
    fn from(e: TemplateError) -> Self {
        EmitError::Template(e)
    }
}

/// Renders one artifact format. Adding a format means adding an emitter, not touching the
/// planner or the other emitters.
pub trait Emitter {
    fn format(&self) -> EmitFormat;
    /// Renders every file of this format for `ctx.emit`.
    fn render(&self, ctx: &EmitContext<'_>) -> Result<Vec<Artifact>, EmitError>;
}

/// The emitter of a format.
pub fn emitter_for(format: EmitFormat) -> Box<dyn Emitter> {
    match format {
        EmitFormat::Terraform => Box::new(terraform::TerraformEmitter),
        EmitFormat::Pulumi => Box::new(pulumi::PulumiEmitter),
        EmitFormat::Litellm => Box::new(litellm::LitellmEmitter),
    }
}

/// Renders the artifacts of every `emit` block of the project, in emit-block order. The
/// emitters only read the project and the graph, so each emit block renders on its own thread.
pub fn render_all(
    project: &Project,
    graph: &Graph,
    spec_hash: &str,
    templates: &Templates,
) -> Result<Vec<Artifact>, EmitError> {
    let locals = local_names(graph);
    let locals = &locals;
    let rendered: Vec<Result<Vec<Artifact>, EmitError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = project
            .emits
            .iter()
            .map(|emit| {
                scope.spawn(move || {
                    let ctx = EmitContext {
                        project,
                        graph,
                        spec_hash,
                        templates,
                        emit,
                        locals,
                    };
                    emitter_for(emit.format).render(&ctx)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut out = Vec::new();
    for artifacts in rendered {
        out.extend(artifacts?);
    }
    Ok(out)
}

/// `sha256:<hex>` over the spec files (name and text, in name order).
pub fn spec_hash<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut files: Vec<(&str, &str)> = files.into_iter().collect();
    files.sort_unstable();
    let mut h = Sha256::new();
    for (name, text) in files {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        h.update([0]);
    }
    let digest = h.finalize();
    let mut hex = String::with_capacity(64);
    for b in digest {
        use std::fmt::Write as _;
        let _ = write!(hex, "{b:02x}");
    }
    format!("sha256:{hex}")
}

/// Replaces every graph reference in `v` with what `resolve` makes of it.
pub fn map_refs(v: &Value, resolve: &impl Fn(&Address, &str) -> Value) -> Value {
    if let Some((addr, attr)) = as_reference(v) {
        return resolve(&addr, attr);
    }
    match v {
        Value::Array(items) => Value::Array(items.iter().map(|i| map_refs(i, resolve)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, i)| (k.clone(), map_refs(i, resolve)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Identifier-safe local names for resources (`azure_corp_swedencentral`), unique across the
/// graph: where two addresses sanitise alike, a hash suffix separates them.
pub fn local_names(graph: &Graph) -> HashMap<Address, String> {
    let mut by_name: BTreeMap<String, Vec<&Address>> = BTreeMap::new();
    for r in graph.resources() {
        let raw = format!("{}_{}_{}", r.address.owner, r.address.kind, r.address.name);
        let mut id: String = raw
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        if id.starts_with(|c: char| c.is_ascii_digit()) {
            id.insert(0, '_');
        }
        by_name.entry(id).or_default().push(&r.address);
    }
    let mut out = HashMap::new();
    for (id, addrs) in by_name {
        if addrs.len() == 1 {
            out.insert(addrs[0].clone(), id);
        } else {
            for a in addrs {
                out.insert(
                    a.clone(),
                    format!("{id}_{}", meridian_graph::names::short_hash(&a.to_string())),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_hash_is_order_independent_and_content_sensitive() {
        let a = spec_hash([("a.hcl", "x"), ("b.hcl", "y")]);
        assert_eq!(a, spec_hash([("b.hcl", "y"), ("a.hcl", "x")]));
        assert_ne!(a, spec_hash([("a.hcl", "x"), ("b.hcl", "z")]));
        assert!(a.starts_with("sha256:") && a.len() == 71);
    }
}
