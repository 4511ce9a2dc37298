//! The validated model (IR): what the rest of Meridian plans from. Values are checked, names
//! resolved, defaults applied and every target's processing footprint computed from the
//! catalog. Spans stay in the raw spec; the IR is serialisable (`meridian inspect --json`) and
//! its JSON Schema is committed as `schema/spec.schema.json`.

use meridian_catalog::{Billing, Capability, Cloud, Processing, Widening};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the serialised IR. Bump on incompatible changes.
pub const FORMAT_VERSION: &str = "1";

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Project {
    pub format_version: String,
    /// `meridian.name`: prefixes generated resource names.
    pub name: String,
    pub default_tags: BTreeMap<String, String>,
    /// The date of the catalog data the footprints were computed from.
    pub catalog_as_of: String,
    pub providers: Vec<Provider>,
    pub residencies: Vec<Residency>,
    pub models: Vec<Model>,
    pub access: Vec<Access>,
    pub logging: Vec<Logging>,
    pub policy: Policy,
    pub emits: Vec<Emit>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Provider {
    pub cloud: Cloud,
    pub name: String,
    /// `azure.corp`
    pub address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    pub network: Network,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption_key_id: Option<String>,
    pub waivers: Vec<Waiver>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Network {
    /// Default false: reach accounts over private endpoints.
    pub public_access: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_endpoint_subnet_id: Option<String>,
    pub allowed_ips: Vec<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Waiver {
    pub check: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Residency {
    pub name: String,
    pub geographies: Vec<String>,
    /// Countries named directly.
    pub countries: Vec<String>,
    /// The allowed set: the union of the geographies' countries and `countries`, sorted.
    pub allowed_countries: Vec<String>,
    pub deny_regions: Vec<String>,
    /// The widest processing scope allowed (default `global`: only countries restrict).
    pub processing: Processing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    Priority,
    Weighted,
    Cost,
    Latency,
}

impl Strategy {
    pub const NAMES: &'static [&'static str] = &["priority", "weighted", "cost", "latency"];

    /// The value as written in a spec (`priority`).
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Priority => "priority",
            Strategy::Weighted => "weighted",
            Strategy::Cost => "cost",
            Strategy::Latency => "latency",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "priority" => Strategy::Priority,
            "weighted" => Strategy::Weighted,
            "cost" => Strategy::Cost,
            "latency" => Strategy::Latency,
            _ => return None,
        })
    }
}

/// A failure that makes the router move on to the next target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FailoverOn {
    RateLimit,
    ServerError,
    Timeout,
    ContentFilter,
    ContextWindow,
}

impl FailoverOn {
    pub const NAMES: &'static [&'static str] = &[
        "rate_limit",
        "server_error",
        "timeout",
        "content_filter",
        "context_window",
    ];
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "rate_limit" => FailoverOn::RateLimit,
            "server_error" => FailoverOn::ServerError,
            "timeout" => FailoverOn::Timeout,
            "content_filter" => FailoverOn::ContentFilter,
            "context_window" => FailoverOn::ContextWindow,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Model {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    pub capabilities: Vec<Capability>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residency: Option<String>,
    pub strategy: Strategy,
    /// Capabilities a failover tier may lack.
    pub degrade: Vec<Capability>,
    /// Whether a failover tier may offer less context.
    pub degrade_context: bool,
    pub tiers: Vec<Tier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failover: Option<Failover>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub azure_rai_policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_guardrail: Option<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Tier {
    pub name: String,
    /// 1 for the primary tier, in the order written.
    pub position: u32,
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Target {
    pub name: String,
    /// `model.assistant.tier.primary.target.aoai-sweden`
    pub address: String,
    /// The provider block's address, e.g. `azure.corp`.
    pub provider: String,
    pub cloud: Cloud,
    pub model: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub region: String,
    pub processing: Processing,
    pub billing: Billing,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u64>,
    /// Share inside the tier; equal shares when not written.
    pub weight: u64,
    pub footprint: Footprint,
}

impl Target {
    /// The Vertex AI location a Google target calls: `global`, the multi-region of its
    /// footprint (`eu`, `us`), or its region.
    pub fn vertex_location(&self) -> String {
        match self.processing {
            Processing::Global => "global".to_string(),
            Processing::Geography => self
                .footprint
                .via
                .clone()
                .unwrap_or_else(|| self.region.clone()),
            Processing::Region => self.region.clone(),
        }
    }
}

/// Where a target's prompts may be processed.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Footprint {
    /// The profile, SKU or endpoint that determines it (e.g. `eu.anthropic…`, `DataZoneStandard`, `eu`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    pub regions: Vec<FootprintRegion>,
    pub countries: Vec<String>,
    /// Why the footprint is wider than the target's processing mode (a Google location
    /// without the in-location processing guarantee: the footprint is every Google region and
    /// residency rules judge it as `global`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub widened: Option<Widening>,
}

impl Footprint {
    /// The footprint the catalog computed for a target.
    pub fn from_catalog(f: &meridian_catalog::Footprint) -> Footprint {
        Footprint {
            via: f.profile.clone(),
            regions: f
                .regions
                .iter()
                .map(|r| FootprintRegion {
                    region: r.id.clone(),
                    country: r.country.clone(),
                })
                .collect(),
            countries: f.countries.clone(),
            widened: f.widened.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FootprintRegion {
    pub region: String,
    pub country: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Failover {
    pub on: Vec<FailoverOn>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cooldown_seconds: Option<f64>,
}

#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
pub struct Usage {
    pub input_tokens_per_month: u64,
    pub output_tokens_per_month: u64,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Access {
    pub name: String,
    pub models: Vec<String>,
    pub aws: Vec<String>,
    pub azure: Vec<String>,
    pub gcp: Vec<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Logging {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws: Option<AwsSink>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub azure: Option<AzureSink>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gcp: Option<GcpSink>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AwsSink {
    pub bucket: String,
    pub region: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AzureSink {
    pub workspace_id: String,
    pub region: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct GcpSink {
    pub bigquery_dataset: String,
    pub location: String,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Policy {
    pub require_residency: bool,
    pub required_tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_tiers: Option<u64>,
    pub failover_across_providers: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_monthly_cost_usd: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retirement_warning_days: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_processing: Option<Vec<Processing>>,
    pub survive_single_failure: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EmitFormat {
    Terraform,
    Pulumi,
    Litellm,
}

impl EmitFormat {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "terraform" => EmitFormat::Terraform,
            "pulumi" => EmitFormat::Pulumi,
            "litellm" => EmitFormat::Litellm,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Emit {
    pub format: EmitFormat,
    /// Relative to the spec directory.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}
