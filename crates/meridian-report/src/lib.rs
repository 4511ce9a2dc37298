//! Compliance reports of a Meridian spec, for reviewers who read reports rather than
//! Terraform: a residency matrix (model × tier × target → processing mode, footprint regions
//! and countries, verdict), the failover chain of every model with its capacity per tier, who
//! may call what and the grants that follow, the log sinks and where they store prompts, the
//! cost tables, and every finding with its code.
//!
//! [`build`] derives one [`Report`] from the validated model, the catalog, the resource graph
//! and the diagnostics; the renderers turn it into Markdown (a pull-request comment), one
//! self-contained HTML page, JSON, or SARIF 2.1.0 for code scanning. The report is built for
//! an invalid spec too: it then holds what could be lowered, and the findings say what is
//! wrong. Rendering does no IO; the caller says where each source file lives relative to the
//! repository root (see [`file_uri`]).

mod build;
pub mod escape;
pub mod html;
pub mod json;
pub mod markdown;
pub mod sarif;
mod wording;

pub use build::{build, Input};
/// `1234.5` as `$1,234.50`.
pub use meridian_model::cost::format_usd as usd;

use meridian_catalog::{Billing, Cloud, Processing};
use meridian_diag::Severity;
use meridian_model::cost::CostReport;
use meridian_model::ir::{FailoverOn, Strategy};
use serde::Serialize;
use std::path::{Component, Path};

/// Version of the JSON report. Bump on incompatible changes.
pub const FORMAT_VERSION: &str = "1";

/// The output formats of `meridian report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
    Json,
    Sarif,
}

/// Renders a report in one format. Every format ends with a newline.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Markdown => markdown::render(report),
        Format::Html => html::render(report),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
    }
}

/// Everything a compliance review looks at, derived from one run of validation.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub format_version: &'static str,
    /// The Meridian version that wrote the report.
    pub tool_version: String,
    /// `meridian.name`, when the spec got far enough to have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// `sha256:<hex>` over the spec files.
    pub spec_hash: String,
    pub catalog_as_of: String,
    /// No errors: the spec can be planned.
    pub valid: bool,
    /// The files read: spec files, variable files, catalog overlay.
    pub files: Vec<SourceEntry>,
    pub summary: Summary,
    pub residencies: Vec<ResidencyRule>,
    pub matrix: Vec<MatrixRow>,
    pub failover: Vec<FailoverChain>,
    pub access: Vec<AccessEntry>,
    /// Why the grants are missing, when they could not be derived (an invalid spec).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grants_note: Option<String>,
    pub logging: Vec<LogSink>,
    pub providers: Vec<ProviderEntry>,
    pub policy: Vec<PolicySetting>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostReport>,
    pub findings: Vec<Finding>,
}

/// A file the report was made from.
#[derive(Debug, Clone, Serialize)]
pub struct SourceEntry {
    /// As shown to users.
    pub file: String,
    /// Relative to the repository root, or an absolute `file:` URI.
    pub uri: Option<String>,
}

/// The counts a reviewer reads first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub models: usize,
    pub targets: usize,
    pub compliant_targets: usize,
    pub outside_targets: usize,
    /// Targets of models without a residency rule.
    pub unruled_targets: usize,
    pub log_sinks_outside: usize,
    pub errors: usize,
    pub warnings: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monthly_usd: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_usd: Option<f64>,
}

/// Whether a target (or a log sink) satisfies the residency rule that applies to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Compliant,
    /// It may process (or store) data outside the rule.
    Outside,
    /// No residency rule applies.
    NoRule,
}

impl Verdict {
    /// The words shown in reports.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Compliant => "compliant",
            Verdict::Outside => "OUTSIDE residency",
            Verdict::NoRule => "no residency rule",
        }
    }

    /// A short class name for styling.
    pub fn class(self) -> &'static str {
        match self {
            Verdict::Compliant => "ok",
            Verdict::Outside => "bad",
            Verdict::NoRule => "none",
        }
    }
}

/// A residency rule and what it allows.
#[derive(Debug, Clone, Serialize)]
pub struct ResidencyRule {
    pub name: String,
    pub geographies: Vec<String>,
    pub countries: Vec<String>,
    /// The union of the geographies' countries and `countries`, sorted.
    pub allowed_countries: Vec<String>,
    pub deny_regions: Vec<String>,
    pub processing: Processing,
    /// The models that name the rule.
    pub models: Vec<String>,
}

/// One region where a target may process prompts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionCountry {
    pub region: String,
    pub country: String,
}

/// One row of the residency matrix: a target of a tier of a model.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixRow {
    pub model: String,
    pub tier: String,
    /// 1 for the primary tier.
    pub tier_position: u32,
    pub target: String,
    /// `model.assistant.tier.primary.target.aoai-sweden`
    pub address: String,
    /// The provider block, `azure.corp`.
    pub provider: String,
    pub cloud: Cloud,
    /// The provider's model id.
    pub model_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub region: String,
    pub processing: Processing,
    pub billing: Billing,
    /// The profile, SKU or endpoint the footprint follows from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    pub footprint: Vec<RegionCountry>,
    pub countries: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residency: Option<String>,
    pub verdict: Verdict,
    /// Why the verdict is `outside`, one sentence each.
    pub reasons: Vec<String>,
}

/// A model's failover chain: the tiers in the order the router tries them.
#[derive(Debug, Clone, Serialize)]
pub struct FailoverChain {
    pub model: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    pub strategy: Strategy,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residency: Option<String>,
    /// Capabilities (and `context`) a failover tier may lack.
    pub degrade: Vec<String>,
    pub on: Vec<FailoverOn>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cooldown_seconds: Option<f64>,
    pub tiers: Vec<ChainTier>,
    /// Single failures (a cloud, or a cloud's region) after which no target that complies
    /// with the model's residency rule is left.
    pub single_points_of_failure: Vec<String>,
}

/// One tier of a failover chain.
#[derive(Debug, Clone, Serialize)]
pub struct ChainTier {
    pub name: String,
    pub position: u32,
    pub clouds: Vec<Cloud>,
    pub targets: Vec<ChainTarget>,
    /// Reserved capacity, summed per unit.
    pub capacity: Vec<CapacityTotal>,
    /// Targets without reserved capacity (on-demand Bedrock and Vertex AI: the account's
    /// quota).
    pub on_demand_targets: usize,
    /// Every target of the tier complies with the model's residency rule (true without a rule).
    pub compliant: bool,
}

/// A target as one member of a tier.
#[derive(Debug, Clone, Serialize)]
pub struct ChainTarget {
    pub target: String,
    pub provider: String,
    pub cloud: Cloud,
    pub region: String,
    pub processing: Processing,
    pub billing: Billing,
    pub weight: u64,
    /// Share of the tier's traffic, 0..=1.
    pub share: f64,
    /// Reserved capacity in `capacity_unit`; Azure deployments without one get 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity_unit: Option<&'static str>,
    /// The capacity was not written in the spec (the provider's default applies).
    pub capacity_defaulted: bool,
    pub verdict: Verdict,
}

/// Reserved capacity of one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CapacityTotal {
    pub amount: u64,
    pub unit: &'static str,
}

/// An access block: who may call which models, and the grants it becomes.
#[derive(Debug, Clone, Serialize)]
pub struct AccessEntry {
    pub name: String,
    pub models: Vec<String>,
    pub principals: Vec<Principal>,
    pub grants: Vec<Grant>,
}

/// A caller identity named in an access block.
#[derive(Debug, Clone, Serialize)]
pub struct Principal {
    pub cloud: Cloud,
    pub id: String,
}

/// One generated grant (IAM policy, role assignment or IAM member).
#[derive(Debug, Clone, Serialize)]
pub struct Grant {
    /// The resource address, `aws.corp.iam-policy.back-office-1a2b3c4d`.
    pub address: String,
    /// The Terraform resource type.
    pub kind: &'static str,
    pub cloud: Cloud,
    pub principal: String,
    /// Allowed actions or the role granted.
    pub permissions: Vec<String>,
    /// What the permissions apply to: ARNs, or the resources whose identifiers are known
    /// after apply (`arn of aws.corp.inference-profile.x`).
    pub resources: Vec<String>,
    /// Resources explicitly denied.
    pub denies: Vec<String>,
}

/// A log sink and where it stores the prompts it records.
#[derive(Debug, Clone, Serialize)]
pub struct LogSink {
    pub logging: String,
    pub cloud: Cloud,
    /// The bucket, workspace or dataset.
    pub destination: String,
    /// The region or multi-region.
    pub location: String,
    /// Where the location stores data (empty when the catalog does not know it).
    pub countries: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u64>,
    /// Models with a target on the sink's cloud: their prompts are recorded here.
    pub records_models: Vec<String>,
    pub verdict: Verdict,
    pub reasons: Vec<String>,
}

/// A cloud account and its security settings.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderEntry {
    pub address: String,
    pub cloud: Cloud,
    /// Subscription, account or project.
    pub account: String,
    pub public_access: bool,
    pub private_endpoint: bool,
    pub customer_managed_key: bool,
    pub waivers: Vec<WaiverEntry>,
}

/// A deliberate departure from a security check.
#[derive(Debug, Clone, Serialize)]
pub struct WaiverEntry {
    pub check: String,
    pub reason: String,
}

/// One policy setting that is in force.
#[derive(Debug, Clone, Serialize)]
pub struct PolicySetting {
    pub name: &'static str,
    pub value: String,
}

/// One finding of validation.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub code: &'static str,
    /// The rule's short name.
    pub title: &'static str,
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    pub related: Vec<Related>,
    /// Stable across runs and line moves: a hash of the code, the file, the offending source
    /// text (whitespace-normalised) and the ordinal among identical ones.
    pub fingerprint: String,
}

/// A range in a spec file. Lines and columns are 1-based; columns count Unicode code points;
/// the end column is the one after the last character.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file as shown to users.
    pub file: String,
    /// The file relative to the repository root, or an absolute `file:` URI; absent for
    /// inputs that are not files (the environment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// A secondary location of a finding, e.g. where the residency rule is defined.
#[derive(Debug, Clone, Serialize)]
pub struct Related {
    pub message: String,
    pub location: Location,
}

/// The URI of a source file for reports: relative to `root` (the repository root) with `/`
/// separators and percent-encoding when the file lies under it, otherwise an absolute
/// `file:` URI. Both paths should be absolute and canonical.
pub fn file_uri(path: &Path, root: &Path) -> String {
    if let Ok(rel) = path.strip_prefix(root) {
        let parts: Option<Vec<String>> = rel
            .components()
            .map(|c| match c {
                Component::Normal(s) => s.to_str().map(percent_encode),
                _ => None,
            })
            .collect();
        if let Some(parts) = parts.filter(|p| !p.is_empty()) {
            return parts.join("/");
        }
    }
    let mut uri = String::from("file://");
    let text = path.to_string_lossy().replace('\\', "/");
    if !text.starts_with('/') {
        uri.push('/');
    }
    for (i, part) in text.split('/').enumerate() {
        if i > 0 {
            uri.push('/');
        }
        uri.push_str(&percent_encode(part));
    }
    uri
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The spec spelling of a routing strategy.
pub fn strategy_name(s: Strategy) -> &'static str {
    match s {
        Strategy::Priority => "priority",
        Strategy::Weighted => "weighted",
        Strategy::Cost => "cost",
        Strategy::Latency => "latency",
    }
}

/// The spec spelling of a failover trigger.
pub fn failover_on_name(f: FailoverOn) -> &'static str {
    match f {
        FailoverOn::RateLimit => "rate_limit",
        FailoverOn::ServerError => "server_error",
        FailoverOn::Timeout => "timeout",
        FailoverOn::ContentFilter => "content_filter",
        FailoverOn::ContextWindow => "context_window",
    }
}

/// `0.5` as `50%`, `1/3` as `33.3%`.
pub fn percent(share: f64) -> String {
    let p = share * 100.0;
    if (p - p.round()).abs() < 0.05 {
        format!("{}%", p.round() as i64)
    } else {
        format!("{p:.1}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_to_the_root_and_encoded() {
        let root = Path::new("/repo");
        assert_eq!(
            file_uri(Path::new("/repo/examples/eu bank/main.hcl"), root),
            "examples/eu%20bank/main.hcl"
        );
        assert_eq!(
            file_uri(Path::new("/elsewhere/a#b.hcl"), root),
            "file:///elsewhere/a%23b.hcl"
        );
        assert_eq!(file_uri(Path::new("/repo"), root), "file:///repo");
    }

    #[test]
    fn money_and_shares_read_naturally() {
        assert_eq!(usd(0.0), "$0.00");
        assert_eq!(usd(1234.5), "$1,234.50");
        assert_eq!(usd(1_234_567.891), "$1,234,567.89");
        assert_eq!(usd(-12.0), "-$12.00");
        assert_eq!(percent(0.5), "50%");
        assert_eq!(percent(1.0 / 3.0), "33.3%");
        assert_eq!(percent(1.0), "100%");
    }
}
