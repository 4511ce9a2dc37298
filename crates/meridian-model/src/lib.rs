//! Lowers a decoded spec into Meridian's validated model (IR) and checks every rule:
//! catalog facts, residency on every tier, capabilities, names, access, secrets, logging,
//! policy and emit paths.
//!
//! This crate does no IO: file-system questions (where does an emit path resolve?) are answered
//! by a function the caller passes in [`Options`].

pub mod choices;
pub mod cost;
pub mod date;
pub mod ir;
mod lower;
mod rules;
pub mod simulate;
#[cfg(test)]
mod test_support;

pub use date::Date;
pub use rules::catalog_facts::{catalog_age_days, STALE_AFTER_DAYS};
pub use rules::logging::{sink_breach, sink_place};
pub use rules::policy::single_failures;
pub use rules::residency::{breach, breach_of, complies, Breach};

use meridian_catalog::Catalog;
use meridian_diag::Diagnostics;
use meridian_spec::Spec;
use std::path::{Path, PathBuf};

/// What validation needs besides the spec.
pub struct Options<'a> {
    pub catalog: &'a Catalog,
    /// The day retirement dates are compared with.
    pub today: Date,
    /// Resolves a path under the spec directory to its canonical form (following symlinks of
    /// the part that exists), or `None` when it cannot be resolved.
    pub resolve_path: &'a dyn Fn(&Path) -> Option<PathBuf>,
    /// Files Meridian reads or writes itself that no emit path may name (the spec files, a
    /// plan file being written), as the caller spells them; `resolve_path` resolves them.
    /// `.meridian/` is always protected.
    pub own_files: &'a [OwnFile],
}

/// A file of Meridian's own outside `.meridian/`: no generated file may replace it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnFile {
    /// A file of the spec.
    Spec(PathBuf),
    /// The plan file `plan -out` writes.
    Plan(PathBuf),
}

impl OwnFile {
    pub fn path(&self) -> &Path {
        match self {
            OwnFile::Spec(p) | OwnFile::Plan(p) => p,
        }
    }

    /// What it is, for messages: "the spec file main.hcl".
    pub fn describe(&self) -> String {
        match self {
            OwnFile::Spec(p) => format!("the spec file {}", p.display()),
            OwnFile::Plan(p) => format!("the plan file being written ({})", p.display()),
        }
    }
}

/// The validated model and every finding.
#[derive(Debug)]
pub struct Validated {
    pub project: ir::Project,
    pub diagnostics: Diagnostics,
}

/// Validates a decoded spec. Always returns the model it could build; check
/// `diagnostics.has_errors()` before planning from it.
pub fn validate(spec: &Spec, opts: &Options<'_>) -> Validated {
    let mut diags = Diagnostics::new();
    rules::names::check(spec, &mut diags);
    rules::providers::check(spec, &mut diags);
    rules::secrets::check(spec, &mut diags);
    rules::access::check(spec, &mut diags);
    rules::emit::check(spec, opts.resolve_path, opts.own_files, &mut diags);

    let mut lower = lower::Lowerer {
        opts,
        spec,
        diags: &mut diags,
    };
    let (name, default_tags) = lower.project_header();
    let providers = lower.providers();
    let residencies = lower.residencies();
    let models = lower.models(&residencies);
    let project = ir::Project {
        format_version: ir::FORMAT_VERSION.to_string(),
        name,
        default_tags,
        catalog_as_of: opts.catalog.as_of().to_string(),
        providers,
        residencies,
        models,
        access: lower.access(),
        logging: lower.logging(),
        policy: lower.policy(),
        emits: lower.emits(),
    };
    rules::policy::check(&mut diags, spec, &project, opts.catalog, opts.today);
    rules::logging::check(&mut diags, spec, &project, opts.catalog);
    rules::logging::check_recorded(&mut diags, spec, &project, opts.catalog);
    rules::network::check(&mut diags, spec, &project);
    rules::catalog_facts::check_age(&mut diags, spec, opts.catalog, opts.today);
    diags.sort();
    Validated {
        project,
        diagnostics: diags,
    }
}

/// The JSON Schema of the validated model, as committed in `schema/spec.schema.json`.
pub fn spec_schema_json() -> String {
    let schema = schemars::schema_for!(ir::Project);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
