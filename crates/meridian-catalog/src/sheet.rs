//! One model as `meridian catalog show` presents it: every version with its lifecycle, every
//! offer with the locations it can be used at (their countries, and for Google whether each
//! carries the in-location processing guarantee), every Bedrock inference profile route, the
//! prices, sources, dates and verified flags.
//!
//! The JSON shape is stable: every key is always present (`null` when there is no value), and
//! its JSON Schema is committed as `schema/catalog-show.schema.json`.

use std::fmt;

use schemars::JsonSchema;
use serde::Serialize;

use crate::catalog::{Catalog, GCP_GLOBAL};
use crate::format::{Model, Offer, Profile};
use crate::kinds::{Billing, Capability, Cloud, Lifecycle, Processing};

/// Version of the `catalog show --json` shape. Bump on incompatible changes.
pub const SHEET_FORMAT_VERSION: &str = "1";

/// One model, everything the catalog knows about it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(title = "meridian catalog show --json")]
pub struct ModelSheet {
    /// Version of this shape (`"1"`).
    pub format_version: String,
    /// The date of the catalog (built-in merged with the overlay) the sheet comes from.
    pub catalog_as_of: String,
    pub cloud: Cloud,
    /// The provider's model id.
    pub id: String,
    pub name: String,
    /// Context window in tokens.
    pub context_window: u64,
    pub capabilities: Vec<Capability>,
    /// Lifecycle of the model as a whole.
    pub lifecycle: Lifecycle,
    /// From this date (YYYY-MM-DD) no new deployments; `null` when none is published.
    pub deprecation_date: Option<String>,
    /// From this date (YYYY-MM-DD) calls fail; `null` when none is published.
    pub retirement_date: Option<String>,
    /// The model the provider names as the replacement.
    pub replacement: Option<String>,
    pub source: String,
    pub as_of: String,
    pub note: Option<String>,
    /// Pinned versions (Azure); empty when the version is part of the id.
    pub versions: Vec<VersionSheet>,
    pub offers: Vec<OfferSheet>,
    /// List prices per processing mode, USD per million tokens.
    pub prices: Vec<PriceSheet>,
    /// Why the catalog has no price, when it has none.
    pub no_price: Option<NoPriceSheet>,
}

/// One pinned version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct VersionSheet {
    pub version: String,
    pub lifecycle: Lifecycle,
    pub deprecation_date: Option<String>,
    pub retirement_date: Option<String>,
    /// The model or version the provider names as the replacement.
    pub replacement: Option<String>,
    pub source: String,
    pub as_of: String,
    pub note: Option<String>,
}

/// One offer: a processing scope, its billing modes and where it can be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct OfferSheet {
    pub processing: Processing,
    pub billing: Vec<Billing>,
    /// The versions the offer is restricted to; empty means every version.
    pub versions: Vec<String>,
    /// A retirement date of this offer only.
    pub retirement_date: Option<String>,
    /// Where the offer can be called or deployed (Google: regional endpoints, the multi-regions
    /// `eu`/`us`, or `global`; AWS geography offers: the profiles' source regions).
    pub locations: Vec<LocationSheet>,
    /// Google: the locations among `locations` carrying the in-location ML processing
    /// guarantee for this model. `null` for other clouds and the global endpoint.
    pub guaranteed_locations: Option<Vec<String>>,
    /// Google: the locations among `locations` where the model is served without the
    /// guarantee (a target there has a global footprint). `null` as above.
    pub unguaranteed_locations: Option<Vec<String>>,
    /// Where the guarantee facts come from.
    pub guarantee_source: Option<String>,
    /// AWS geography offers: the geographic inference profiles.
    pub profiles: Vec<ProfileSheet>,
    pub source: String,
    pub as_of: String,
    /// False when the offer could not be confirmed against the provider's own page.
    pub verified: bool,
    pub note: Option<String>,
}

/// A location an offer can be used at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct LocationSheet {
    /// A region id, or a Google endpoint location (`eu`, `us`, `global`).
    pub id: String,
    /// The region's display name; `null` for endpoint locations that are not regions.
    pub name: Option<String>,
    /// The countries the location lies in (for a multi-region or `global`: its regions'
    /// countries), sorted.
    pub countries: Vec<String>,
    /// False when the region's facts are unverified.
    pub verified: bool,
    /// Google: whether ML processing is guaranteed to stay in this location for the model.
    /// `null` for other clouds and the global endpoint.
    pub processing_guarantee: Option<bool>,
}

/// A Bedrock geographic inference profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ProfileSheet {
    /// The profile id, `<prefix>.<model id>`.
    pub id: String,
    pub prefix: String,
    /// Each source region with the regions a call from it may be processed in.
    pub routes: Vec<RouteSheet>,
    pub source: String,
    pub as_of: String,
    /// False when the routes could not be confirmed against AWS's own page.
    pub verified: bool,
    pub note: Option<String>,
}

/// The destinations of a profile from one source region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct RouteSheet {
    pub source: String,
    pub destinations: Vec<String>,
    /// The destinations' countries, sorted.
    pub countries: Vec<String>,
}

/// A list price.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PriceSheet {
    pub processing: Processing,
    pub input_per_1m: f64,
    pub output_per_1m: f64,
    pub source: String,
    pub as_of: String,
    /// False when the price could not be confirmed against the provider's price page.
    pub verified: bool,
    pub note: Option<String>,
}

/// Why the catalog has no price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct NoPriceSheet {
    pub reason: String,
    pub source: String,
    pub as_of: String,
}

/// A model id the catalog cannot resolve to one model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelLookupError {
    /// No model has this id (on the cloud asked for).
    Unknown {
        cloud: Option<Cloud>,
        suggestion: Option<String>,
    },
    /// Several clouds have a model with this id.
    Ambiguous { clouds: Vec<Cloud> },
}

impl fmt::Display for ModelLookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelLookupError::Unknown { cloud, suggestion } => {
                match cloud {
                    Some(c) => write!(f, "the catalog has no {c} model with this id")?,
                    None => f.write_str("the catalog has no model with this id")?,
                }
                match suggestion {
                    Some(s) => write!(f, "; did you mean \"{s}\"?"),
                    None => Ok(()),
                }
            }
            ModelLookupError::Ambiguous { clouds } => {
                let names: Vec<&str> = clouds.iter().map(|c| c.as_str()).collect();
                write!(
                    f,
                    "{} have a model with this id; say which with --provider {}",
                    names.join(" and "),
                    names.join("|")
                )
            }
        }
    }
}

impl std::error::Error for ModelLookupError {}

impl Catalog {
    /// The model with this id, on `cloud` or (without one) on the only cloud that has it.
    pub fn find_model(&self, id: &str, cloud: Option<Cloud>) -> Result<&Model, ModelLookupError> {
        let found: Vec<&Model> = match cloud {
            Some(c) => self.model(c, id).into_iter().collect(),
            None => Cloud::ALL
                .iter()
                .filter_map(|c| self.model(*c, id))
                .collect(),
        };
        match found.as_slice() {
            [one] => Ok(one),
            [] => {
                let ids: Vec<&str> = self.models(cloud).map(|m| m.id.as_str()).collect();
                let lower = id.to_ascii_lowercase();
                let suggestion = if lower != id && ids.contains(&lower.as_str()) {
                    Some(lower)
                } else {
                    meridian_diag::suggest(id, ids).map(str::to_owned)
                };
                Err(ModelLookupError::Unknown { cloud, suggestion })
            }
            many => Err(ModelLookupError::Ambiguous {
                clouds: many.iter().map(|m| m.cloud).collect(),
            }),
        }
    }

    /// Everything the catalog knows about one model (see [`ModelSheet`]).
    pub fn sheet(&self, model: &Model) -> ModelSheet {
        ModelSheet {
            format_version: SHEET_FORMAT_VERSION.to_owned(),
            catalog_as_of: self.as_of().to_owned(),
            cloud: model.cloud,
            id: model.id.clone(),
            name: model.name.clone(),
            context_window: model.context_window,
            capabilities: model.capabilities.clone(),
            lifecycle: model.lifecycle,
            deprecation_date: model.deprecation_date.clone(),
            retirement_date: model.retirement_date.clone(),
            replacement: model.replacement.clone(),
            source: model.source.clone(),
            as_of: model.as_of.clone(),
            note: model.note.clone(),
            versions: model
                .versions
                .iter()
                .map(|v| VersionSheet {
                    version: v.version.clone(),
                    lifecycle: v.lifecycle,
                    deprecation_date: v.deprecation_date.clone(),
                    retirement_date: v.retirement_date.clone(),
                    replacement: v.replacement.clone(),
                    source: v.source.clone(),
                    as_of: v.as_of.clone(),
                    note: v.note.clone(),
                })
                .collect(),
            offers: model
                .offers
                .iter()
                .map(|o| self.offer_sheet(model, o))
                .collect(),
            prices: model
                .prices
                .iter()
                .map(|p| PriceSheet {
                    processing: p.processing,
                    input_per_1m: p.input_per_1m,
                    output_per_1m: p.output_per_1m,
                    source: p.source.clone(),
                    as_of: p.as_of.clone(),
                    verified: p.verified,
                    note: p.note.clone(),
                })
                .collect(),
            no_price: model.no_price.as_ref().map(|n| NoPriceSheet {
                reason: n.reason.clone(),
                source: n.source.clone(),
                as_of: n.as_of.clone(),
            }),
        }
    }

    fn offer_sheet(&self, model: &Model, o: &Offer) -> OfferSheet {
        let judged = model.cloud == Cloud::Gcp && o.processing != Processing::Global;
        let guaranteed = |l: &str| {
            o.processing_guarantee
                .as_ref()
                .is_some_and(|g| g.iter().any(|x| x == l))
        };
        let locations: Vec<LocationSheet> = o
            .regions
            .iter()
            .map(|l| {
                let region = self.region(model.cloud, l);
                LocationSheet {
                    id: l.clone(),
                    name: region.map(|r| r.name.clone()),
                    countries: self.location_countries(model.cloud, l),
                    verified: region.is_none_or(|r| r.verified),
                    processing_guarantee: judged.then(|| guaranteed(l)),
                }
            })
            .collect();
        let split = |want: bool| {
            judged.then(|| {
                locations
                    .iter()
                    .filter(|l| l.processing_guarantee == Some(want))
                    .map(|l| l.id.clone())
                    .collect()
            })
        };
        OfferSheet {
            processing: o.processing,
            billing: o.billing.clone(),
            versions: o.versions.clone(),
            retirement_date: o.retirement_date.clone(),
            guaranteed_locations: split(true),
            unguaranteed_locations: split(false),
            locations,
            guarantee_source: o.guarantee_source.clone(),
            profiles: o
                .profiles
                .iter()
                .map(|p| self.profile_sheet(model, p))
                .collect(),
            source: o.source.clone(),
            as_of: o.as_of.clone(),
            verified: o.verified,
            note: o.note.clone(),
        }
    }

    fn profile_sheet(&self, model: &Model, p: &Profile) -> ProfileSheet {
        ProfileSheet {
            id: format!("{}.{}", p.prefix, model.id),
            prefix: p.prefix.clone(),
            routes: p
                .routes
                .iter()
                .map(|(source, destinations)| RouteSheet {
                    source: source.clone(),
                    destinations: destinations.clone(),
                    countries: sorted_countries(
                        destinations
                            .iter()
                            .filter_map(|d| self.region(Cloud::Aws, d))
                            .map(|r| r.country.as_str()),
                    ),
                })
                .collect(),
            source: p.source.clone(),
            as_of: p.as_of.clone(),
            verified: p.verified,
            note: p.note.clone(),
        }
    }

    /// The countries of a region, or of a Google endpoint location (`eu`, `us`, `global`).
    fn location_countries(&self, cloud: Cloud, location: &str) -> Vec<String> {
        if let Some(r) = self.region(cloud, location) {
            return vec![r.country.clone()];
        }
        if cloud != Cloud::Gcp {
            return Vec::new();
        }
        if location == GCP_GLOBAL {
            return sorted_countries(self.regions(Some(cloud)).map(|r| r.country.as_str()));
        }
        sorted_countries(
            self.regions(Some(cloud))
                .filter(|r| r.multi_region.as_deref() == Some(location))
                .map(|r| r.country.as_str()),
        )
    }
}

fn sorted_countries<'a>(countries: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = countries.map(str::to_owned).collect();
    out.sort();
    out.dedup();
    out
}

/// The JSON Schema of `meridian catalog show --json`, pretty-printed with a trailing newline.
/// The committed copy is `schema/catalog-show.schema.json`.
pub fn sheet_schema_json() -> String {
    let schema = schemars::schema_for!(ModelSheet);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
