//! meridian-catalog: the facts Meridian plans with.
//!
//! Clouds, regions (with their countries and residency groupings), geographies (named
//! country sets), and models: where each can be called, with which processing scope and
//! billing mode, its context window, capabilities, lifecycle, retirement dates and list
//! prices. Every fact carries a source URL and an `as_of` date; facts that could not be
//! confirmed against the provider's own pages are marked `verified: false`.
//!
//! The built-in data lives in `schema/catalog/*.json` and is embedded in the binary; a user
//! overlay file with the same shape can replace or add entries ([`Catalog::with_overlay`]).
//!
//! The catalog is the single source of truth for residency: [`Catalog::footprint`] computes
//! the regions and countries where a target's prompts may be processed from catalog data
//! alone (Azure geographies and data zones, Bedrock inference-profile routes per model and
//! source region, Vertex multi-regions), never from the shape of a region name.
//!
//! This crate does no IO beyond reading its embedded data.

mod catalog;
mod footprint;
mod format;
mod kinds;
mod sheet;
mod vertex;

pub use catalog::{builtin_files, Catalog, OverlayError};
pub use footprint::{
    azure_sku, CatalogError, FactKind, Footprint, FootprintRegion, TargetQuery, UnverifiedFact,
    Widening,
};
pub use format::{
    CatalogFile, Country, Geography, Model, ModelVersion, NoPrice, Offer, Price, Profile, Region,
};
pub use kinds::{Billing, Capability, Cloud, Lifecycle, Processing};
pub use sheet::{
    sheet_schema_json, LocationSheet, ModelLookupError, ModelSheet, NoPriceSheet, OfferSheet,
    PriceSheet, ProfileSheet, RouteSheet, VersionSheet, SHEET_FORMAT_VERSION,
};
pub use vertex::vertex_publisher;

/// The JSON Schema of a catalog file (built-in files and user overlays), pretty-printed with a
/// trailing newline. The committed copy is `schema/catalog.schema.json`.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(CatalogFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
