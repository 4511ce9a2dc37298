//! Raw decoded blocks: the spec as written, with every value's source span. Names that refer
//! to other blocks are resolved to names (their existence is checked during evaluation); values
//! with a closed set of choices (processing, billing, ...) stay strings here and are checked
//! when `meridian-model` lowers the spec into its validated form.

use crate::value::{SValue, VarType};
use meridian_diag::{FileId, Span};
use std::path::PathBuf;

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl Spanned<String> {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A string literal seen anywhere in the spec, with the name of the attribute or object key
/// that holds it. Only strings long enough to be a credential are kept (for the secret scan).
#[derive(Debug, Clone, PartialEq)]
pub struct StringSite {
    pub key: String,
    pub value: String,
    pub span: Span,
}

/// The whole spec, merged from every file.
#[derive(Debug, Clone, Default)]
pub struct Spec {
    /// The directory the spec was loaded from: `emit` paths are relative to it.
    pub dir: PathBuf,
    pub files: Vec<FileId>,
    pub meridian: Option<MeridianBlock>,
    pub variables: Vec<Variable>,
    pub providers: Vec<Provider>,
    pub residencies: Vec<Residency>,
    pub models: Vec<Model>,
    pub access: Vec<Access>,
    pub logging: Vec<Logging>,
    pub policy: Option<Policy>,
    pub emits: Vec<Emit>,
    pub strings: Vec<StringSite>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MeridianBlock {
    pub span: Span,
    pub name: Option<Spanned<String>>,
    pub catalog: Option<Spanned<String>>,
    pub default_tags: Vec<(Spanned<String>, Spanned<String>)>,
    /// The span of the `default_tags` attribute, if written.
    pub default_tags_span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    pub span: Span,
    pub name: Spanned<String>,
    pub description: Option<Spanned<String>>,
    pub ty: VarType,
    pub sensitive: bool,
    /// The final value (default overridden by inputs); `None` when missing or invalid.
    pub value: Option<SValue>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    pub span: Span,
    /// `aws`, `azure` or `gcp` (anything else is reported and the block skipped).
    pub cloud: Spanned<String>,
    pub name: Spanned<String>,
    pub subscription_id: Option<Spanned<String>>,
    pub resource_group: Option<Spanned<String>>,
    pub tenant_id: Option<Spanned<String>>,
    pub account_id: Option<Spanned<String>>,
    pub partition: Option<Spanned<String>>,
    pub project: Option<Spanned<String>>,
    pub endpoint: Option<Spanned<String>>,
    pub network: Option<Network>,
    pub encryption: Option<Encryption>,
    pub waivers: Vec<Waiver>,
}

impl Provider {
    /// `azure.corp`
    pub fn key(&self) -> String {
        format!("{}.{}", self.cloud.value, self.name.value)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    pub span: Span,
    pub public_access: Option<Spanned<bool>>,
    pub private_endpoint_subnet_id: Option<Spanned<String>>,
    pub allowed_ips: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Encryption {
    pub span: Span,
    pub key_id: Option<Spanned<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Waiver {
    pub span: Span,
    pub check: Spanned<String>,
    pub reason: Option<Spanned<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Residency {
    pub span: Span,
    pub name: Spanned<String>,
    pub geographies: Vec<Spanned<String>>,
    pub countries: Vec<Spanned<String>>,
    pub deny_regions: Vec<Spanned<String>>,
    pub processing: Option<Spanned<String>>,
    /// Some attribute of the block failed to evaluate or decode (already reported): checks
    /// that depend on the whole block are skipped to avoid false findings.
    pub incomplete: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub span: Span,
    pub name: Spanned<String>,
    pub description: Option<Spanned<String>>,
    pub task: Option<Spanned<String>>,
    pub capabilities: Vec<Spanned<String>>,
    pub context: Option<Spanned<u64>>,
    /// The residency rule's name, from `residency = residency.NAME`.
    pub residency: Option<Spanned<String>>,
    /// Where `residency = ...` is written, even when its value could not be resolved.
    pub residency_attr: Option<Span>,
    pub strategy: Option<Spanned<String>>,
    pub degrade: Vec<Spanned<String>>,
    pub tiers: Vec<Tier>,
    pub failover: Option<Failover>,
    pub usage: Option<Usage>,
    pub azure: Option<AzureOverride>,
    pub aws: Option<AwsOverride>,
    /// Some attribute of the block failed to evaluate or decode (already reported): checks
    /// that depend on the whole block are skipped to avoid false findings.
    pub incomplete: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    pub span: Span,
    pub name: Spanned<String>,
    pub targets: Vec<Target>,
}

/// `provider.azure.corp`, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderRef {
    pub cloud: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub span: Span,
    pub name: Spanned<String>,
    pub provider: Option<Spanned<ProviderRef>>,
    pub model: Option<Spanned<String>>,
    pub version: Option<Spanned<String>>,
    pub region: Option<Spanned<String>>,
    pub processing: Option<Spanned<String>>,
    pub billing: Option<Spanned<String>>,
    pub capacity: Option<Spanned<u64>>,
    pub weight: Option<Spanned<u64>>,
    /// Some attribute of the block failed to evaluate or decode (already reported): checks
    /// that depend on the whole block are skipped to avoid false findings.
    pub incomplete: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Failover {
    pub span: Span,
    pub on: Vec<Spanned<String>>,
    pub retries: Option<Spanned<u64>>,
    pub timeout: Option<Spanned<String>>,
    pub cooldown: Option<Spanned<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Usage {
    pub span: Span,
    pub input_tokens_per_month: Option<Spanned<u64>>,
    pub output_tokens_per_month: Option<Spanned<u64>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AzureOverride {
    pub span: Span,
    pub rai_policy: Option<Spanned<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AwsOverride {
    pub span: Span,
    pub guardrail: Option<Spanned<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Access {
    pub span: Span,
    pub name: Spanned<String>,
    /// Model names, from `models = [model.a, model.b]`.
    pub models: Vec<Spanned<String>>,
    pub aws: Vec<Spanned<String>>,
    pub azure: Vec<Spanned<String>>,
    pub gcp: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Logging {
    pub span: Span,
    pub name: Spanned<String>,
    pub retention_days: Option<Spanned<u64>>,
    pub aws: Option<AwsSink>,
    pub azure: Option<AzureSink>,
    pub gcp: Option<GcpSink>,
    /// Some attribute of the block failed to evaluate or decode (already reported): checks
    /// that depend on the whole block are skipped to avoid false findings.
    pub incomplete: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AwsSink {
    pub span: Span,
    pub bucket: Option<Spanned<String>>,
    pub region: Option<Spanned<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AzureSink {
    pub span: Span,
    pub workspace_id: Option<Spanned<String>>,
    pub region: Option<Spanned<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GcpSink {
    pub span: Span,
    pub bigquery_dataset: Option<Spanned<String>>,
    pub location: Option<Spanned<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub span: Span,
    pub require_residency: Option<Spanned<bool>>,
    pub required_tags: Vec<Spanned<String>>,
    pub min_tiers: Option<Spanned<u64>>,
    pub failover_across_providers: Option<Spanned<bool>>,
    pub max_monthly_cost_usd: Option<Spanned<f64>>,
    pub retirement_warning_days: Option<Spanned<u64>>,
    pub allowed_processing: Option<Spanned<Vec<Spanned<String>>>>,
    pub survive_single_failure: Option<Spanned<bool>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Emit {
    pub span: Span,
    pub format: Spanned<String>,
    pub path: Option<Spanned<String>>,
    pub language: Option<Spanned<String>>,
}
