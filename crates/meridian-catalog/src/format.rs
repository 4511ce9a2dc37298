//! The catalog file format: what `schema/catalog/*.json` and user overlays contain.
//!
//! Every built-in file and every overlay is one [`CatalogFile`]. Unknown fields are rejected,
//! so a typo in an overlay is reported with its line and column. The JSON Schema for this
//! format is generated from these types (see [`crate::schema_json`]).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::kinds::{Billing, Capability, Cloud, Lifecycle, Processing};

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_true(value: &bool) -> bool {
    *value
}

/// A calendar date, YYYY-MM-DD.
const DATE_PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
/// An ISO 3166-1 alpha-2 code.
const COUNTRY_PATTERN: &str = "^[A-Z]{2}$";

fn yes() -> bool {
    true
}

/// One catalog file: any subset of countries, geographies, regions and models.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Meridian catalog file")]
pub struct CatalogFile {
    /// Optional link to this schema, for editors.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The date (YYYY-MM-DD) the facts in this file were last checked. Required in the
    /// built-in files; optional in overlays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(DATE_PATTERN))]
    pub as_of: Option<String>,
    /// Free text about the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// ISO 3166-1 alpha-2 countries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<Country>,
    /// Named sets of countries usable in residency rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub geographies: Vec<Geography>,
    /// Cloud regions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<Region>,
    /// Models and where they are offered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<Model>,
}

/// An ISO 3166-1 country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code, upper case (e.g. `DE`).
    #[schemars(pattern(COUNTRY_PATTERN))]
    pub code: String,
    /// English short name.
    pub name: String,
    /// Where the code comes from.
    pub source: String,
}

/// A named set of countries (e.g. `eu`: the 27 EU member states).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Geography {
    /// Lower-case code used in residency rules (e.g. `eu`, `eea`, `apac`).
    pub code: String,
    /// Human-readable name.
    pub name: String,
    /// ISO 3166-1 alpha-2 codes of its countries.
    pub countries: Vec<String>,
    /// Where the membership comes from.
    pub source: String,
    /// When the membership was last checked (YYYY-MM-DD).
    #[schemars(pattern(DATE_PATTERN))]
    pub as_of: String,
    /// Remarks, e.g. how a grouping was chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A cloud region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// The cloud the region belongs to.
    pub cloud: Cloud,
    /// The provider's region id (`eu-central-1`, `swedencentral`, `europe-west4`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// ISO 3166-1 alpha-2 code of the country the region is in.
    #[schemars(pattern(COUNTRY_PATTERN))]
    pub country: String,
    /// AWS only: the partition (`aws`, `aws-us-gov`, `aws-cn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// Azure only: the Azure geography (data-residency boundary) the region belongs to,
    /// e.g. `Sweden`, `Europe`, `United States`. Standard deployments may process anywhere in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_geography: Option<String>,
    /// Azure only: the Data Zone (`eu`, `us`) whose Data Zone deployments may process here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_zone: Option<String>,
    /// Google only: the Vertex AI multi-region (`eu`, `us`) whose endpoint may process here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_region: Option<String>,
    /// Where the facts come from.
    pub source: String,
    /// When they were last checked (YYYY-MM-DD).
    #[schemars(pattern(DATE_PATTERN))]
    pub as_of: String,
    /// False when a fact could not be confirmed against the provider's own page.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub verified: bool,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A model as the provider names it, and where it can be used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// The cloud serving the model.
    pub cloud: Cloud,
    /// The provider's model id exactly as users write it (`gpt-4.1`,
    /// `anthropic.claude-sonnet-4-5-20250929-v1:0`, `gemini-2.5-pro`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Context window in tokens.
    pub context_window: u64,
    /// What the model can do.
    pub capabilities: Vec<Capability>,
    /// Lifecycle state of the model as a whole.
    pub lifecycle: Lifecycle,
    /// Published retirement date of the model (YYYY-MM-DD), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(DATE_PATTERN))]
    pub retirement_date: Option<String>,
    /// Published deprecation date of the model (YYYY-MM-DD), if any: from then on no new
    /// deployments, existing ones keep working until `retirement_date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(DATE_PATTERN))]
    pub deprecation_date: Option<String>,
    /// The model id the provider names as the replacement, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// Versions a deployment must pin (Azure). Empty when the version is part of the id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<ModelVersion>,
    /// Where and how the model can be called.
    pub offers: Vec<Offer>,
    /// List prices per processing mode.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prices: Vec<Price>,
    /// Set when the provider publishes no on-demand token price for the model (say why, and
    /// where that was checked). A model of the built-in catalog has `prices` or `no_price`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_price: Option<NoPrice>,
    /// Where the model facts come from.
    pub source: String,
    /// When they were last checked (YYYY-MM-DD).
    #[schemars(pattern(DATE_PATTERN))]
    pub as_of: String,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One pinned version of a model (Azure model versions such as `2025-04-14`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelVersion {
    /// The version string exactly as the provider writes it.
    pub version: String,
    /// Lifecycle state of this version.
    pub lifecycle: Lifecycle,
    /// Published retirement date (YYYY-MM-DD), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(DATE_PATTERN))]
    pub retirement_date: Option<String>,
    /// Published deprecation date (YYYY-MM-DD), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(DATE_PATTERN))]
    pub deprecation_date: Option<String>,
    /// The model (and version, `model@version` or `model version`) the provider names as
    /// the replacement, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// Where the version facts come from.
    pub source: String,
    /// When they were last checked (YYYY-MM-DD).
    #[schemars(pattern(DATE_PATTERN))]
    pub as_of: String,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Where a model can be called with one processing scope and its billing modes.
///
/// `regions` means, per cloud and processing:
/// - Azure: the regions where an account can deploy the model with that deployment type.
/// - AWS `region` and `global`: the regions the model (or the `global.` profile) can be called
///   from. AWS `geography`: leave empty; the callable regions are the sources in `profiles`.
/// - Google `region`: regional endpoints; `geography`: multi-region codes (`eu`, `us`);
///   `global`: `["global"]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Offer {
    /// The processing scope of this offer.
    pub processing: Processing,
    /// Billing modes available with it.
    pub billing: Vec<Billing>,
    /// Where it can be called or deployed (see above).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// Google only: the locations among `regions` (regional endpoints, or the multi-regions
    /// `eu` / `us`) for which Google's data-residency page guarantees that ML processing stays
    /// inside that location for this model. A listed location without the guarantee is
    /// available but may process anywhere, so its footprint is global. `None` means no
    /// location of the offer carries the guarantee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_guarantee: Option<Vec<String>>,
    /// Where `processing_guarantee` comes from (Google's data-residency page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guarantee_source: Option<String>,
    /// Restricts the offer to these model versions; empty means every version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// AWS geography offers: the geographic inference profiles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<Profile>,
    /// A retirement date that applies to this offer only (YYYY-MM-DD), e.g. an Azure
    /// deployment type that retires before the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(DATE_PATTERN))]
    pub retirement_date: Option<String>,
    /// Where the offer comes from.
    pub source: String,
    /// When it was last checked (YYYY-MM-DD).
    #[schemars(pattern(DATE_PATTERN))]
    pub as_of: String,
    /// False when the offer could not be confirmed against the provider's own page.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub verified: bool,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An AWS system-defined geographic inference profile for one model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The profile prefix (`eu`, `us`, `apac`, `jp`, `au`, `ca`, `us-gov`); the profile id is
    /// `<prefix>.<model id>`.
    pub prefix: String,
    /// Source region → the destination regions a call from that source may be processed in.
    pub routes: BTreeMap<String, Vec<String>>,
    /// Where the routes come from.
    pub source: String,
    /// When they were last checked (YYYY-MM-DD).
    #[schemars(pattern(DATE_PATTERN))]
    pub as_of: String,
    /// False when the routes could not be confirmed against the provider's own page.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub verified: bool,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Why a model has no list price in the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoPrice {
    /// Why there is no on-demand token price (e.g. "priced per character", "provisioned
    /// throughput only", "not on the provider's price page").
    pub reason: String,
    /// The price page that was checked.
    pub source: String,
    /// When it was checked (YYYY-MM-DD).
    #[schemars(pattern(DATE_PATTERN))]
    pub as_of: String,
}

/// A list price in USD per million tokens for one processing mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// The processing mode the price applies to.
    pub processing: Processing,
    /// USD per 1M input tokens.
    pub input_per_1m: f64,
    /// USD per 1M output tokens.
    pub output_per_1m: f64,
    /// False when the price could not be confirmed against the provider's price page.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub verified: bool,
    /// Where the price comes from.
    pub source: String,
    /// When it was last checked (YYYY-MM-DD).
    #[schemars(pattern(DATE_PATTERN))]
    pub as_of: String,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Model {
    /// The list price for a processing mode, if the catalog has one.
    pub fn price(&self, processing: Processing) -> Option<&Price> {
        self.prices.iter().find(|p| p.processing == processing)
    }

    /// Whether the model has a capability.
    pub fn has_capability(&self, capability: Capability) -> bool {
        self.capabilities.contains(&capability)
    }

    /// The version entry for a version string.
    pub fn version(&self, version: &str) -> Option<&ModelVersion> {
        self.versions.iter().find(|v| v.version == version)
    }

    /// The retirement date (YYYY-MM-DD) of a version, falling back to the model's own date.
    /// Offer-specific dates (one deployment type retiring early) are not included.
    pub fn retirement(&self, version: Option<&str>) -> Option<&str> {
        version
            .and_then(|v| self.version(v))
            .and_then(|v| v.retirement_date.as_deref())
            .or(self.retirement_date.as_deref())
    }

    /// The replacement the provider names for a version, falling back to the model's own.
    pub fn replacement_for(&self, version: Option<&str>) -> Option<&str> {
        version
            .and_then(|v| self.version(v))
            .and_then(|v| v.replacement.as_deref())
            .or(self.replacement.as_deref())
    }

    /// The deprecation date (YYYY-MM-DD) of a version, falling back to the model's own date.
    pub fn deprecation(&self, version: Option<&str>) -> Option<&str> {
        version
            .and_then(|v| self.version(v))
            .and_then(|v| v.deprecation_date.as_deref())
            .or(self.deprecation_date.as_deref())
    }

    /// Whether the catalog marks the version (or, without one, the model) as deprecated.
    pub fn is_marked_deprecated(&self, version: Option<&str>) -> bool {
        match version.and_then(|v| self.version(v)) {
            Some(v) => {
                v.lifecycle == Lifecycle::Deprecated || self.lifecycle == Lifecycle::Deprecated
            }
            None => self.lifecycle == Lifecycle::Deprecated,
        }
    }

    /// The processing modes the model is offered with anywhere, narrowest first.
    pub fn offered_processing(&self) -> Vec<Processing> {
        let mut out: Vec<Processing> = self.offers.iter().map(|o| o.processing).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The ids of the model's Bedrock inference profiles (geographic and global), sorted.
    /// Empty for other clouds.
    pub fn profile_ids(&self) -> Vec<String> {
        if self.cloud != Cloud::Aws {
            return Vec::new();
        }
        let mut out = Vec::new();
        for offer in &self.offers {
            match offer.processing {
                Processing::Geography => {
                    for p in &offer.profiles {
                        out.push(format!("{}.{}", p.prefix, self.id));
                    }
                }
                Processing::Global => out.push(format!("global.{}", self.id)),
                Processing::Region => {}
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

impl Offer {
    /// Whether the offer applies to a model version (`None`: the model has no versions).
    pub fn applies_to(&self, version: Option<&str>) -> bool {
        match version {
            Some(v) => self.versions.is_empty() || self.versions.iter().any(|x| x == v),
            None => true,
        }
    }
}
