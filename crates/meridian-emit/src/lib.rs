//! Artifacts from the resource graph: Terraform, Pulumi (TypeScript) and LiteLLM router
//! configuration, each rendered by an [`Emitter`] from the Tera templates in `templates/`.
//!
//! Values reach the output only through the escaping filters of [`escape`] (`hcl`, `yaml`,
//! `ts`, `comment`, `ident`); a test checks every interpolation of every built-in template
//! ends in one. Output is deterministic: the same spec gives byte-identical files, each
//! starting with a comment that says it is generated and from which spec files. The header
//! holds no digest of the whole spec: a change to one model touches only the files whose
//! content it changes.

pub mod escape;
mod litellm;
mod pulumi;
pub mod templates;
mod terraform;

pub use templates::{TemplateError, Templates};

use meridian_graph::{as_reference, Address, Graph};
use meridian_model::ir::{Emit, EmitFormat, Project};
use serde_json::Value;
use sha2::{Digest, Sha256};
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
    /// The spec's files, relative to the spec directory, named in every file's header.
    pub spec_files: &'a [String],
    pub templates: &'a Templates,
    /// The emit block being rendered.
    pub emit: &'a Emit,
    /// Identifier-safe local names of the graph's resources ([`local_names`]), computed once
    /// for every emitter: Terraform and Pulumi name blocks and outputs with them, and the
    /// router config refers to those outputs.
    pub locals: &'a LocalNames<'a>,
    /// Where spent template contexts go, to be released off the caller's path.
    pub drops: &'a DeferredDrop,
}

impl EmitContext<'_> {
    /// Renders template `name` with `context` into a buffer of `capacity` bytes reserved up
    /// front; the context is released later ([`DeferredDrop`]).
    fn render_template(
        &self,
        name: &str,
        context: Value,
        capacity: usize,
    ) -> Result<String, TemplateError> {
        let (text, spent) = self.templates.render_returning(name, context, capacity)?;
        self.drops.push(spent);
        Ok(text)
    }
}

/// Values released on a thread of their own once rendering is done. The template context of a
/// large file is a tree of several hundred thousand allocations; freeing it takes a good part
/// of the time its render took, and nothing needs to wait for that.
#[derive(Default)]
pub struct DeferredDrop(std::sync::Mutex<Vec<Value>>);

impl DeferredDrop {
    pub fn push(&self, value: Value) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(value);
    }

    /// Releases every value pushed, on a background thread (here when none can be started).
    pub fn release(self) {
        let values = self
            .0
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !values.is_empty() {
            // A failed spawn drops the closure, and so the values, here.
            let _ = std::thread::Builder::new()
                .name("meridian-release".into())
                .spawn(move || drop(values));
        }
    }
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
/// emitters only read the project and the graph, so the emit blocks render concurrently: each
/// on a thread of its own, the last one on the calling thread.
pub fn render_all(
    project: &Project,
    graph: &Graph,
    spec_files: &[String],
    templates: &Templates,
) -> Result<Vec<Artifact>, EmitError> {
    let locals = local_names(graph);
    let locals = &locals;
    let drops = DeferredDrop::default();
    let drops_ref = &drops;
    let render = |emit: &Emit| {
        let ctx = EmitContext {
            project,
            graph,
            spec_files,
            templates,
            emit,
            locals,
            drops: drops_ref,
        };
        emitter_for(emit.format).render(&ctx)
    };
    // Every emit block but the last renders on a thread of its own; the last one on this
    // thread, which would otherwise only wait (and whose allocator holds the memory the
    // graph was built in).
    let rendered: Vec<Result<Vec<Artifact>, EmitError>> = match project.emits.split_last() {
        None => Vec::new(),
        Some((last, others)) => std::thread::scope(|scope| {
            let handles: Vec<_> = others
                .iter()
                .map(|emit| scope.spawn(move || render(emit)))
                .collect();
            let last = render(last);
            let mut rendered: Vec<_> = handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect();
            rendered.push(last);
            rendered
        }),
    };
    drops.release();
    let mut out = Vec::new();
    for artifacts in rendered {
        out.extend(artifacts?);
    }
    Ok(out)
}

/// The provenance line every generated file starts with: generated by Meridian, from which
/// spec files (the first [`MAX_NAMED_FILES`] by name, then how many more), and how to change
/// it. It names no digest of the spec, so it changes only when files are added or removed.
pub fn provenance(spec_files: &[String]) -> String {
    let mut names: Vec<&str> = spec_files.iter().map(String::as_str).collect();
    names.sort_unstable();
    names.dedup();
    let from = match names.len() {
        0 => "the spec".to_string(),
        n if n <= MAX_NAMED_FILES => names.join(", "),
        n => format!(
            "{} and {} more spec files",
            names[..MAX_NAMED_FILES].join(", "),
            n - MAX_NAMED_FILES
        ),
    };
    format!("Generated by Meridian from {from}. Do not edit: change the spec and run `meridian generate`.")
}

/// The Vertex AI API host of a location: the global endpoint, the `eu`/`us` multi-region
/// endpoints, or a region's.
pub(crate) fn vertex_host(location: &str) -> String {
    match location {
        "global" => "aiplatform.googleapis.com".to_string(),
        "eu" | "us" => format!("aiplatform.{location}.rep.googleapis.com"),
        region => format!("{region}-aiplatform.googleapis.com"),
    }
}

/// The command that sets a Vertex AI publisher model's request-response logging: fixed text,
/// the values reach it as environment variables (URL, BODY, TOKEN).
pub(crate) const REQUEST_LOGGING_COMMAND: &str = "curl --fail --silent --show-error --request POST --header \"Authorization: Bearer $TOKEN\" --header \"Content-Type: application/json\" --data \"$BODY\" \"$URL\"";

/// The API call that sets Vertex AI request-response logging of one model at one location
/// (`setPublisherModelConfig`), from a request-logging resource of the graph.
pub(crate) struct RequestLoggingCall {
    /// `projects/P/locations/L/publishers/PUB/models/M`.
    pub name: String,
    pub url: String,
    /// The request body, JSON.
    pub body: String,
    pub destination: String,
    pub sampling_rate: Value,
}

impl RequestLoggingCall {
    pub(crate) fn of(r: &meridian_graph::Resource) -> Result<Self, EmitError> {
        let text = |k: &str| -> Result<&str, EmitError> {
            r.attrs.get(k).and_then(Value::as_str).ok_or_else(|| {
                EmitError::Unsupported(format!("{}: the graph gives no {k}", r.address))
            })
        };
        let (project, location, publisher, model) = (
            text("project")?,
            text("location")?,
            text("publisher")?,
            text("model")?,
        );
        let name = format!(
            "projects/{project}/locations/{location}/publishers/{publisher}/models/{model}"
        );
        let url = format!(
            "https://{}/v1beta1/{name}:setPublisherModelConfig",
            vertex_host(location)
        );
        let destination = text("bigquery_destination")?.to_string();
        let sampling_rate = r
            .attrs
            .get("sampling_rate")
            .filter(|v| v.is_number())
            .cloned()
            .ok_or_else(|| {
                EmitError::Unsupported(format!("{}: the graph gives no sampling_rate", r.address))
            })?;
        let body = serde_json::json!({"publisherModelConfig": {"loggingConfig": {
            "enabled": true,
            "samplingRate": sampling_rate,
            "bigqueryDestination": {"outputUri": destination},
        }}})
        .to_string();
        Ok(RequestLoggingCall {
            name,
            url,
            body,
            destination,
            sampling_rate,
        })
    }
}

/// How many spec files a header names before it counts the rest.
pub const MAX_NAMED_FILES: usize = 8;

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

/// A JSON object of `entries`, each value moved in (`json!` serializes, and so copies, every
/// value it is given).
pub(crate) fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    let mut map = serde_json::Map::new();
    for (k, v) in entries {
        map.insert(k.to_string(), v);
    }
    Value::Object(map)
}

/// Replaces every graph reference in `v` with what `resolve` makes of it.
pub fn map_refs(v: &Value, resolve: &impl Fn(&Address, &str) -> Value) -> Value {
    replace_refs(v, resolve).unwrap_or_else(|| v.clone())
}

/// [`map_refs`] of `v`, or `None` when `v` holds no reference (and is its own result).
fn replace_refs(v: &Value, resolve: &impl Fn(&Address, &str) -> Value) -> Option<Value> {
    match v {
        Value::Array(items) => {
            let mut out: Option<Vec<Value>> = None;
            for (i, item) in items.iter().enumerate() {
                match (replace_refs(item, resolve), &mut out) {
                    (Some(new), Some(out)) => out.push(new),
                    (Some(new), None) => {
                        let mut copy = Vec::with_capacity(items.len());
                        copy.extend_from_slice(&items[..i]);
                        copy.push(new);
                        out = Some(copy);
                    }
                    (None, Some(out)) => out.push(item.clone()),
                    (None, None) => {}
                }
            }
            out.map(Value::Array)
        }
        Value::Object(map) => {
            if let Some((addr, attr)) = as_reference(v) {
                return Some(resolve(&addr, attr));
            }
            let mut out: Option<serde_json::Map<String, Value>> = None;
            for (i, (k, item)) in map.iter().enumerate() {
                match (replace_refs(item, resolve), &mut out) {
                    (Some(new), Some(out)) => {
                        out.insert(k.clone(), new);
                    }
                    (Some(new), None) => {
                        let mut copy: serde_json::Map<String, Value> = map
                            .iter()
                            .take(i)
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect();
                        copy.insert(k.clone(), new);
                        out = Some(copy);
                    }
                    (None, Some(out)) => {
                        out.insert(k.clone(), item.clone());
                    }
                    (None, None) => {}
                }
            }
            out.map(Value::Object)
        }
        _ => None,
    }
}

/// Identifier-safe local names of a graph's resources ([`local_names`]), by position in
/// the graph.
pub struct LocalNames<'g> {
    graph: &'g Graph,
    names: Vec<String>,
}

impl LocalNames<'_> {
    /// The local name of the resource at `address`.
    pub fn get(&self, address: &Address) -> Option<&str> {
        self.at(self.graph.position(address)?)
    }

    /// The local name of the resource at position `i` of the graph.
    pub fn at(&self, i: usize) -> Option<&str> {
        self.names.get(i).map(String::as_str)
    }

    /// Every local name, in graph order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }
}

/// Identifier-safe local names for resources (`azure_corp_swedencentral`), unique across the
/// graph: where two addresses sanitise alike, a hash suffix separates them.
pub fn local_names(graph: &Graph) -> LocalNames<'_> {
    let mut names: Vec<String> = graph
        .resources()
        .iter()
        .map(|r| {
            let a = &r.address;
            let mut id = String::with_capacity(a.owner.len() + a.kind.len() + a.name.len() + 3);
            let parts = [a.owner.as_str(), a.kind.as_str(), a.name.as_str()];
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    id.push('_');
                }
                id.extend(part.chars().map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '_'
                    }
                }));
            }
            if id.starts_with(|c: char| c.is_ascii_digit()) {
                id.insert(0, '_');
            }
            id
        })
        .collect();
    // Positions sorted by name: equal names are neighbours.
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_unstable_by(|&a, &b| names[a].cmp(&names[b]));
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && names[order[end]] == names[order[start]] {
            end += 1;
        }
        if end - start > 1 {
            for &i in &order[start..end] {
                let hash =
                    meridian_graph::names::short_hash(&graph.resources()[i].address.to_string());
                names[i] = format!("{}_{hash}", names[i]);
            }
        }
        start = end;
    }
    LocalNames { graph, names }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_refs_replaces_references_at_any_depth() {
        let a: Address = "azure.corp.account.x".parse().expect("address");
        let r = meridian_graph::reference(&a, "id");
        let v = serde_json::json!({
            "plain": ["s", 1, {"k": null}],
            "refs": [1, r.clone(), {"deep": [r.clone()], "z": true}],
            "top": r,
            "bad": {"$ref": "not-an-address", "attr": "id"},
        });
        let resolve = |addr: &Address, attr: &str| Value::String(format!("{addr}/{attr}"));
        assert_eq!(
            map_refs(&v, &resolve),
            serde_json::json!({
                "plain": ["s", 1, {"k": null}],
                "refs": [1, "azure.corp.account.x/id", {"deep": ["azure.corp.account.x/id"], "z": true}],
                "top": "azure.corp.account.x/id",
                "bad": {"$ref": "not-an-address", "attr": "id"},
            })
        );
        let plain = serde_json::json!({"a": [1, {"b": "c"}]});
        assert_eq!(map_refs(&plain, &resolve), plain);
    }

    #[test]
    fn provenance_names_the_files_without_a_digest() {
        let files = |names: &[&str]| names.iter().map(|n| (*n).to_string()).collect::<Vec<_>>();
        assert_eq!(
            provenance(&files(&["models.hcl", "main.hcl", "main.hcl"])),
            "Generated by Meridian from main.hcl, models.hcl. Do not edit: change the spec and run `meridian generate`."
        );
        assert!(provenance(&[]).starts_with("Generated by Meridian from the spec."));
        let many: Vec<String> = (0..11).map(|i| format!("f{i:02}.hcl")).collect();
        let line = provenance(&many);
        assert!(
            line.contains("f00.hcl, f01.hcl") && line.contains("f07.hcl and 3 more spec files"),
            "{line}"
        );
        assert!(!line.contains("f08.hcl") && !line.contains("sha256"));
    }

    #[test]
    fn spec_hash_is_order_independent_and_content_sensitive() {
        let a = spec_hash([("a.hcl", "x"), ("b.hcl", "y")]);
        assert_eq!(a, spec_hash([("b.hcl", "y"), ("a.hcl", "x")]));
        assert_ne!(a, spec_hash([("a.hcl", "x"), ("b.hcl", "z")]));
        assert!(a.starts_with("sha256:") && a.len() == 71);
    }
}
