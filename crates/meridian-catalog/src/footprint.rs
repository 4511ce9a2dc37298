//! Processing footprints: the regions and countries where a target's prompts may be processed.

use std::fmt;

use schemars::JsonSchema;
use serde::Serialize;

use crate::catalog::{Catalog, GCP_GLOBAL};
use crate::format::{Model, Offer, Profile};
use crate::kinds::{Billing, Cloud, Lifecycle, Processing};

/// One deployment target as the spec describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetQuery<'a> {
    pub cloud: Cloud,
    /// The provider's model id (`gpt-4.1`, `anthropic.claude-sonnet-4-5-20250929-v1:0`).
    pub model: &'a str,
    /// The pinned model version (Azure).
    pub version: Option<&'a str>,
    /// The account / calling region (`swedencentral`, `eu-central-1`, `europe-west4`). For
    /// Google, the endpoint locations `eu`, `us` and `global` are accepted as well.
    pub region: &'a str,
    pub processing: Processing,
    pub billing: Billing,
}

/// A region of a footprint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FootprintRegion {
    pub id: String,
    /// ISO 3166-1 alpha-2 code.
    pub country: String,
}

/// Where a target's prompts may be processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Footprint {
    /// Sorted by id, without duplicates.
    pub regions: Vec<FootprintRegion>,
    /// AWS: the inference profile id invoked (`eu.<model>`, `global.<model>`), `None` for an
    /// in-region call of the bare model id. Azure: the deployment SKU name (`Standard`,
    /// `DataZoneStandard`, `GlobalStandard`, `ProvisionedManaged`, ...). Google: the endpoint
    /// location (`europe-west4`, `eu`, `global`).
    pub profile: Option<String>,
    /// Sorted, without duplicates.
    pub countries: Vec<String>,
    /// The processing scope the footprint amounts to: the requested one, or `global` when the
    /// provider does not guarantee it (see [`Footprint::widened`]). Residency rules judge this
    /// scope, not the requested one.
    pub processing: Processing,
    /// Why the footprint is wider than the requested processing scope, when it is.
    pub widened: Option<Widening>,
    /// The catalog facts behind this footprint that are marked `verified: false`: the offer,
    /// the inference profile routes (AWS) and the calling region (the footprint's other regions
    /// count by their country alone).
    /// Unverified profile routes are recorded as the widest plausible set, so the footprint may
    /// be larger than the real one, never smaller.
    pub unverified: Vec<UnverifiedFact>,
}

impl Footprint {
    /// Whether every fact behind the footprint is confirmed against the provider's own pages.
    pub fn is_verified(&self) -> bool {
        self.unverified.is_empty()
    }
}

/// Why a footprint is wider than the processing scope the target asks for: the one wording of
/// it, which the validator, `inspect`, the report, the outage simulation and `catalog where`
/// all print (its `Display` is a full sentence; [`Widening::short`] a table cell).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Widening {
    /// Google serves the model at this endpoint location but does not guarantee that its ML
    /// processing stays there (the location is not among the offer's `processing_guarantee`),
    /// so prompts may be processed in any Google region.
    NoProcessingGuarantee {
        /// The model id.
        model: String,
        /// The endpoint location called: a regional endpoint or a multi-region (`eu`, `us`).
        location: String,
        /// The locations where Google does guarantee in-location ML processing for this
        /// model, sorted; empty when there are none.
        guaranteed: Vec<String>,
        /// The page the guarantee facts come from, when the catalog names one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<String>,
    },
}

impl Widening {
    /// A short phrase for table cells: `no processing guarantee at europe-central2`.
    pub fn short(&self) -> String {
        match self {
            Widening::NoProcessingGuarantee { location, .. } => {
                format!("no processing guarantee at {location}")
            }
        }
    }

    /// The locations that would not widen the footprint (for Google: those carrying the
    /// processing guarantee for the model).
    pub fn alternatives(&self) -> &[String] {
        match self {
            Widening::NoProcessingGuarantee { guaranteed, .. } => guaranteed,
        }
    }
}

impl fmt::Display for Widening {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Widening::NoProcessingGuarantee {
                model,
                location,
                guaranteed,
                source,
            } => {
                write!(
                    f,
                    "Google serves {model} at {location} but does not guarantee that its ML processing stays there, so prompts may be processed in any Google region (a global footprint). "
                )?;
                if guaranteed.is_empty() {
                    write!(f, "No location carries the guarantee for {model}")?;
                } else {
                    write!(
                        f,
                        "Locations with the in-location processing guarantee for {model}: {}",
                        join(guaranteed)
                    )?;
                }
                match source {
                    Some(s) => write!(f, " (data-residency facts: {s})."),
                    None => f.write_str("."),
                }
            }
        }
    }
}

/// What kind of catalog fact is unverified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    /// The offer: that the model can be used at this location with this processing and billing.
    Offer,
    /// An AWS inference profile's destinations from the calling region.
    ProfileRoute,
    /// The region the target is called from (its id and groupings). The other regions of a
    /// footprint count by their country alone, which every catalog region must carry confirmed
    /// (`verified: false` on a region concerns it as a calling location).
    Region,
}

/// A catalog fact marked `verified: false` that a footprint rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct UnverifiedFact {
    pub kind: FactKind,
    /// What the fact says, e.g. `the geography offer of gemini-3.5-flash at eu` or
    /// `the routes of eu.anthropic.claude-sonnet-4-5-20250929-v1:0 from eu-central-1`.
    pub fact: String,
    /// Where the catalog took it from.
    pub source: String,
    /// The catalog's remark on what is uncertain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl fmt::Display for UnverifiedFact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (source: {}", self.fact, self.source)?;
        match &self.note {
            Some(n) => write!(f, "; note: {})", n.trim_end_matches('.')),
            None => f.write_str(")"),
        }
    }
}

/// Why a footprint could not be computed.
#[derive(Debug, Clone, PartialEq)]
pub enum CatalogError {
    /// The model id is not in the catalog for this cloud.
    UnknownModel { suggestion: Option<String> },
    /// The region is not a region of this cloud in the catalog.
    UnknownRegion { suggestion: Option<String> },
    /// The version is not a listed version of the model.
    UnknownVersion { known: Vec<String> },
    /// The model has versions (Azure) and none was given.
    VersionRequired { known: Vec<String> },
    /// A version was given for a model whose versions are part of its id.
    VersionNotApplicable,
    /// The model, version or deployment type is retired (lifecycle `retired`, or its
    /// retirement date is on or before the catalog's `as_of`).
    Retired {
        version: Option<String>,
        date: Option<String>,
        /// The model (or version) the provider names as the replacement.
        replacement: Option<String>,
    },
    /// Not offered in that region with that processing. `offered_regions`: where it is offered
    /// with the requested processing; `offered_processing`: the processing modes it is offered
    /// with in the requested region.
    NotOffered {
        processing: Processing,
        offered_regions: Vec<String>,
        offered_processing: Vec<Processing>,
    },
    /// Region processing was requested, but the model cannot be called in-region anywhere
    /// (AWS profile-only models). `geography_profiles` lists its inference profile ids.
    NotInRegion { geography_profiles: Vec<String> },
    /// The billing mode is not offered for this region and processing.
    BillingNotOffered { offered: Vec<Billing> },
}

impl CatalogError {
    /// The diagnostic code for this error.
    pub fn code(&self) -> meridian_diag::Code {
        use meridian_diag::codes;
        match self {
            CatalogError::UnknownModel { .. } => codes::CAT_UNKNOWN_MODEL,
            CatalogError::UnknownRegion { .. } => codes::CAT_UNKNOWN_REGION,
            CatalogError::UnknownVersion { .. } | CatalogError::VersionNotApplicable => {
                codes::CAT_UNKNOWN_VERSION
            }
            CatalogError::VersionRequired { .. } => codes::CAT_VERSION_REQUIRED,
            CatalogError::Retired { .. } => codes::CAT_RETIRED,
            CatalogError::NotOffered { .. } => codes::CAT_NOT_OFFERED,
            CatalogError::NotInRegion { .. } => codes::CAT_NOT_IN_REGION,
            CatalogError::BillingNotOffered { .. } => codes::CAT_BILLING,
        }
    }

    /// A full sentence naming the target, for diagnostics.
    pub fn describe(&self, q: &TargetQuery<'_>) -> String {
        let target = format!("{} model \"{}\"", q.cloud, q.model);
        match self {
            CatalogError::UnknownModel { .. } => format!("{target} is not in the catalog.{self}"),
            CatalogError::UnknownRegion { .. } => {
                format!(
                    "\"{}\" is not a {} region in the catalog.{self}",
                    q.region, q.cloud
                )
            }
            CatalogError::UnknownVersion { .. } => format!(
                "{target} has no version \"{}\". {self}",
                q.version.unwrap_or_default()
            ),
            CatalogError::NotOffered { .. } => format!(
                "{target} is not offered in {} with {} processing. {self}",
                q.region, q.processing
            ),
            CatalogError::BillingNotOffered { .. } => format!(
                "{target} is not offered with {} billing in {} with {} processing. {self}",
                q.billing, q.region, q.processing
            ),
            _ => format!("{target}: {self}"),
        }
    }
}

fn join<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogError::UnknownModel { suggestion } | CatalogError::UnknownRegion { suggestion } => {
                match suggestion {
                    Some(s) => write!(f, " Did you mean \"{s}\"?"),
                    None => Ok(()),
                }
            }
            CatalogError::UnknownVersion { known } => {
                write!(f, "Known versions: {}.", join(known))
            }
            CatalogError::VersionRequired { known } => write!(
                f,
                "a model version is required; known versions: {}",
                join(known)
            ),
            CatalogError::VersionNotApplicable => f.write_str(
                "this model has no separate versions (the version is part of the model id); remove `version`",
            ),
            CatalogError::Retired {
                version,
                date,
                replacement,
            } => {
                match version {
                    Some(v) => write!(f, "version {v} is retired")?,
                    None => f.write_str("the model is retired")?,
                }
                if let Some(d) = date {
                    write!(f, " (retirement date {d})")?;
                }
                if let Some(r) = replacement {
                    write!(f, "; the provider names {r} as its replacement")?;
                }
                Ok(())
            }
            CatalogError::NotOffered {
                processing,
                offered_regions,
                offered_processing,
            } => {
                if offered_regions.is_empty() {
                    write!(f, "It is not offered with {processing} processing anywhere")?;
                } else {
                    write!(
                        f,
                        "With {processing} processing it is offered in: {}",
                        join(offered_regions)
                    )?;
                }
                if offered_processing.is_empty() {
                    f.write_str(".")
                } else {
                    write!(
                        f,
                        "; in this region it is offered with: {} processing.",
                        join(offered_processing)
                    )
                }
            }
            CatalogError::NotInRegion { geography_profiles } => write!(
                f,
                "the model cannot be called in-region anywhere; use processing = \"geography\" or \"global\" (inference profiles: {})",
                join(geography_profiles)
            ),
            CatalogError::BillingNotOffered { offered } => {
                write!(f, "Offered billing: {}.", join(offered))
            }
        }
    }
}

impl std::error::Error for CatalogError {}

/// Where the target's calls land: a catalog region, or (Google) an endpoint location.
#[derive(Clone, Copy)]
enum Location<'a> {
    Region(usize),
    GcpMultiRegion(&'a str),
    GcpGlobal,
}

impl Catalog {
    /// Where prompts of a target may be processed, computed from catalog data only.
    ///
    /// - Azure: `region` → every region of the account region's Azure geography (SKU
    ///   `Standard` / `ProvisionedManaged`); `geography` → every region of its data zone
    ///   (`DataZoneStandard` / `DataZoneProvisionedManaged`); `global` → every Azure region
    ///   (`GlobalStandard` / `GlobalProvisionedManaged`).
    /// - AWS: `region` → the region itself; `geography` → the destinations of the model's
    ///   geographic profile for that source region (the narrowest profile if several serve
    ///   it); `global` → every commercial (`aws` partition) region.
    /// - Google: `region` → that region; `geography` → every region of its multi-region;
    ///   `global` → every Google region.
    pub fn footprint(&self, q: &TargetQuery<'_>) -> Result<Footprint, CatalogError> {
        let model = self
            .model(q.cloud, q.model)
            .ok_or_else(|| CatalogError::UnknownModel {
                suggestion: self.suggest_model(q.cloud, q.model),
            })?;
        let location = self.locate(q)?;
        let version = Catalog::check_version(model, q.version)?;
        self.check_retired(model, version)?;

        let offers_here = |processing: Option<Processing>| {
            model.offers.iter().filter(move |o| {
                o.applies_to(version)
                    && processing.is_none_or(|p| o.processing == p)
                    && self.offer_serves(o, q.cloud, location)
            })
        };

        let matching: Vec<&Offer> = offers_here(Some(q.processing)).collect();
        if matching.is_empty() {
            if q.cloud == Cloud::Aws
                && q.processing == Processing::Region
                && !model
                    .offers
                    .iter()
                    .any(|o| o.processing == Processing::Region)
            {
                return Err(CatalogError::NotInRegion {
                    geography_profiles: model.profile_ids(),
                });
            }
            // Where the model is offered with this processing, preferring offers with the
            // requested billing mode.
            let with_processing = || {
                model
                    .offers
                    .iter()
                    .filter(|o| o.processing == q.processing && o.applies_to(version))
            };
            let billed = with_processing().any(|o| o.billing.contains(&q.billing));
            let mut offered_regions: Vec<String> = with_processing()
                .filter(|o| !billed || o.billing.contains(&q.billing))
                .flat_map(|o| o.regions.iter().cloned())
                .collect();
            offered_regions.sort();
            offered_regions.dedup();
            let mut offered_processing: Vec<Processing> =
                offers_here(None).map(|o| o.processing).collect();
            offered_processing.sort_unstable();
            offered_processing.dedup();
            return Err(CatalogError::NotOffered {
                processing: q.processing,
                offered_regions,
                offered_processing,
            });
        }
        let Some(offer) = matching.iter().find(|o| o.billing.contains(&q.billing)) else {
            let mut offered: Vec<Billing> = matching
                .iter()
                .flat_map(|o| o.billing.iter().copied())
                .collect();
            offered.sort_unstable();
            offered.dedup();
            return Err(CatalogError::BillingNotOffered { offered });
        };
        if let Some(date) = &offer.retirement_date {
            if date.as_str() <= self.as_of() {
                return Err(CatalogError::Retired {
                    version: version.map(str::to_owned),
                    date: Some(date.clone()),
                    replacement: model.replacement_for(version).map(str::to_owned),
                });
            }
        }

        let mut unverified = Vec::new();
        if !offer.verified {
            unverified.push(UnverifiedFact {
                kind: FactKind::Offer,
                fact: format!(
                    "the {} offer of {} at {}",
                    offer.processing, model.id, q.region
                ),
                source: offer.source.clone(),
                note: offer.note.clone(),
            });
        }
        let (indices, profile): (Vec<usize>, Option<String>) = match (q.cloud, location) {
            (Cloud::Azure, Location::Region(i)) => {
                let region = self.region_at(i);
                let indices = match q.processing {
                    Processing::Region => region
                        .azure_geography
                        .as_ref()
                        .and_then(|g| self.index.azure_geographies.get(g))
                        .cloned()
                        .unwrap_or_else(|| vec![i]),
                    Processing::Geography => region
                        .data_zone
                        .as_ref()
                        .and_then(|z| self.index.data_zones.get(z))
                        .cloned()
                        .unwrap_or_else(|| vec![i]),
                    Processing::Global => self.index.cloud_regions[Cloud::Azure.index()].clone(),
                };
                (indices, Some(azure_sku(q.processing, q.billing).to_owned()))
            }
            (Cloud::Aws, Location::Region(i)) => match q.processing {
                Processing::Region => (vec![i], None),
                Processing::Geography => {
                    let source = &self.region_at(i).id;
                    let (profile, indices) = self.narrowest_profile(offer, source);
                    let id = profile.map(|p| format!("{}.{}", p.prefix, model.id));
                    if let (Some(p), Some(id)) = (profile.filter(|p| !p.verified), &id) {
                        unverified.push(UnverifiedFact {
                            kind: FactKind::ProfileRoute,
                            fact: format!("the routes of {id} from {source}"),
                            source: p.source.clone(),
                            note: p.note.clone(),
                        });
                    }
                    (indices, id)
                }
                Processing::Global => (
                    self.index.aws_commercial.clone(),
                    Some(format!("global.{}", model.id)),
                ),
            },
            (Cloud::Gcp, Location::Region(i)) => {
                let region = self.region_at(i);
                match q.processing {
                    Processing::Region => (vec![i], Some(region.id.clone())),
                    Processing::Geography => {
                        let code = region.multi_region.as_deref().unwrap_or_default();
                        (
                            self.index
                                .multi_regions
                                .get(code)
                                .cloned()
                                .unwrap_or_default(),
                            Some(code.to_owned()),
                        )
                    }
                    Processing::Global => (
                        self.index.cloud_regions[Cloud::Gcp.index()].clone(),
                        Some(GCP_GLOBAL.to_owned()),
                    ),
                }
            }
            (_, Location::GcpMultiRegion(code)) => (
                self.index
                    .multi_regions
                    .get(code)
                    .cloned()
                    .unwrap_or_default(),
                Some(code.to_owned()),
            ),
            (_, Location::GcpGlobal) => (
                self.index.cloud_regions[Cloud::Gcp.index()].clone(),
                Some(GCP_GLOBAL.to_owned()),
            ),
        };
        let widened = self.widening(q, model, version, offer, location);
        let (indices, processing) = if widened.is_some() {
            (
                self.index.cloud_regions[Cloud::Gcp.index()].clone(),
                Processing::Global,
            )
        } else {
            (indices, q.processing)
        };
        let mut footprint = self.build_footprint(indices, profile, processing, widened);
        if let Location::Region(i) = location {
            let region = self.region_at(i);
            if !region.verified {
                unverified.push(region_fact(FactKind::Region, region));
            }
        }
        footprint.unverified = unverified;
        Ok(footprint)
    }

    /// Google: when the offer is used at a location (regional endpoint or multi-region) that
    /// does not carry the in-location processing guarantee for the model, why the footprint
    /// is global. `None` for other clouds, the global endpoint and guaranteed locations.
    fn widening(
        &self,
        q: &TargetQuery<'_>,
        model: &Model,
        version: Option<&str>,
        offer: &Offer,
        location: Location<'_>,
    ) -> Option<Widening> {
        if q.cloud != Cloud::Gcp || offer.processing == Processing::Global {
            return None;
        }
        let called: &str = match location {
            Location::Region(i) => {
                let region = self.region_at(i);
                match offer.processing {
                    Processing::Region => &region.id,
                    _ => region.multi_region.as_deref()?,
                }
            }
            Location::GcpMultiRegion(code) => code,
            Location::GcpGlobal => return None,
        };
        let guaranteed_here = offer
            .processing_guarantee
            .as_ref()
            .is_some_and(|g| g.iter().any(|l| l == called));
        if guaranteed_here {
            return None;
        }
        let mut guaranteed: Vec<String> = model
            .offers
            .iter()
            .filter(|o| o.applies_to(version))
            .flat_map(|o| o.processing_guarantee.iter().flatten().cloned())
            .collect();
        guaranteed.sort();
        guaranteed.dedup();
        let source = offer
            .guarantee_source
            .clone()
            .or_else(|| model.offers.iter().find_map(|o| o.guarantee_source.clone()));
        Some(Widening::NoProcessingGuarantee {
            model: model.id.clone(),
            location: called.to_owned(),
            guaranteed,
            source,
        })
    }

    /// Resolves the query's region (or Google endpoint location).
    fn locate<'q>(&self, q: &TargetQuery<'q>) -> Result<Location<'q>, CatalogError> {
        if let Some(i) = self.region_index(q.cloud, q.region) {
            return Ok(Location::Region(i));
        }
        if q.cloud == Cloud::Gcp {
            if q.region == GCP_GLOBAL {
                return Ok(Location::GcpGlobal);
            }
            if self.index.multi_regions.contains_key(q.region) {
                return Ok(Location::GcpMultiRegion(q.region));
            }
        }
        let mut candidates: Vec<&str> =
            self.regions(Some(q.cloud)).map(|r| r.id.as_str()).collect();
        if q.cloud == Cloud::Gcp {
            candidates.push(GCP_GLOBAL);
            candidates.extend(self.multi_regions());
        }
        let lower = q.region.to_ascii_lowercase();
        let suggestion = if lower != q.region && candidates.contains(&lower.as_str()) {
            Some(lower)
        } else {
            meridian_diag::suggest(q.region, candidates).map(str::to_owned)
        };
        Err(CatalogError::UnknownRegion { suggestion })
    }

    fn suggest_model(&self, cloud: Cloud, id: &str) -> Option<String> {
        // A Bedrock profile id written where the bare model id belongs.
        if cloud == Cloud::Aws {
            if let Some((_, rest)) = id.split_once('.') {
                if self.model(cloud, rest).is_some() {
                    return Some(rest.to_owned());
                }
            }
        }
        meridian_diag::suggest(id, self.models(Some(cloud)).map(|m| m.id.as_str()))
            .map(str::to_owned)
    }

    fn check_version<'q>(
        model: &Model,
        version: Option<&'q str>,
    ) -> Result<Option<&'q str>, CatalogError> {
        let known = || model.versions.iter().map(|v| v.version.clone()).collect();
        match version {
            _ if model.versions.is_empty() => match version {
                Some(_) => Err(CatalogError::VersionNotApplicable),
                None => Ok(None),
            },
            None => Err(CatalogError::VersionRequired { known: known() }),
            Some(v) if model.version(v).is_some() => Ok(Some(v)),
            Some(_) => Err(CatalogError::UnknownVersion { known: known() }),
        }
    }

    fn check_retired(&self, model: &Model, version: Option<&str>) -> Result<(), CatalogError> {
        let past = |date: Option<&String>| date.is_some_and(|d| d.as_str() <= self.as_of());
        let replacement = || model.replacement_for(version).map(str::to_owned);
        if let Some(v) = version.and_then(|v| model.version(v)) {
            if v.lifecycle == Lifecycle::Retired || past(v.retirement_date.as_ref()) {
                return Err(CatalogError::Retired {
                    version: Some(v.version.clone()),
                    date: v.retirement_date.clone().or(model.retirement_date.clone()),
                    replacement: replacement(),
                });
            }
        }
        if model.lifecycle == Lifecycle::Retired || past(model.retirement_date.as_ref()) {
            return Err(CatalogError::Retired {
                version: version.map(str::to_owned),
                date: model.retirement_date.clone(),
                replacement: replacement(),
            });
        }
        Ok(())
    }

    /// Whether an offer can be used from a location.
    fn offer_serves(&self, offer: &Offer, cloud: Cloud, location: Location<'_>) -> bool {
        let listed = |id: &str| offer.regions.iter().any(|r| r == id);
        match (cloud, offer.processing, location) {
            (Cloud::Gcp, Processing::Geography, Location::Region(i)) => self
                .region_at(i)
                .multi_region
                .as_deref()
                .is_some_and(listed),
            (Cloud::Gcp, Processing::Geography, Location::GcpMultiRegion(code)) => listed(code),
            (Cloud::Gcp, Processing::Global, Location::Region(_) | Location::GcpGlobal) => {
                listed(GCP_GLOBAL)
            }
            (_, _, Location::Region(i)) => listed(&self.region_at(i).id),
            _ => false,
        }
    }

    /// The profile of an AWS geography offer serving a source region, with its destination
    /// region indices. When several profiles serve the source (e.g. `jp.` and `apac.` from
    /// Tokyo), the one spanning the fewest countries, then regions, is used.
    fn narrowest_profile<'m>(
        &self,
        offer: &'m Offer,
        source: &str,
    ) -> (Option<&'m Profile>, Vec<usize>) {
        let mut best: Option<(usize, usize, &'m Profile, Vec<usize>)> = None;
        for p in &offer.profiles {
            let Some(destinations) = p.routes.get(source) else {
                continue;
            };
            let indices: Vec<usize> = destinations
                .iter()
                .filter_map(|d| self.region_index(Cloud::Aws, d))
                .collect();
            let mut countries: Vec<&str> = indices
                .iter()
                .map(|&i| self.region_at(i).country.as_str())
                .collect();
            countries.sort_unstable();
            countries.dedup();
            let key = (countries.len(), indices.len());
            if best.as_ref().is_none_or(|(c, r, b, _)| {
                key < (*c, *r) || (key == (*c, *r) && p.prefix < b.prefix)
            }) {
                best = Some((key.0, key.1, p, indices));
            }
        }
        match best {
            Some((_, _, p, indices)) => (Some(p), indices),
            None => (None, Vec::new()),
        }
    }

    fn build_footprint(
        &self,
        mut indices: Vec<usize>,
        profile: Option<String>,
        processing: Processing,
        widened: Option<Widening>,
    ) -> Footprint {
        // Region indices follow the catalog's (cloud, id) order, so sorting them sorts by id.
        indices.sort_unstable();
        indices.dedup();
        let mut countries: Vec<&str> = Vec::with_capacity(indices.len());
        let mut regions = Vec::with_capacity(indices.len());
        for i in indices {
            let r = self.region_at(i);
            countries.push(r.country.as_str());
            regions.push(FootprintRegion {
                id: r.id.clone(),
                country: r.country.clone(),
            });
        }
        countries.sort_unstable();
        countries.dedup();
        Footprint {
            regions,
            profile,
            countries: countries.into_iter().map(str::to_owned).collect(),
            processing,
            widened,
            unverified: Vec::new(),
        }
    }
}

fn region_fact(kind: FactKind, region: &crate::format::Region) -> UnverifiedFact {
    UnverifiedFact {
        kind,
        fact: format!(
            "{} region {} in {}",
            region.cloud, region.id, region.country
        ),
        source: region.source.clone(),
        note: region.note.clone(),
    }
}

/// The Azure deployment SKU for a processing scope and billing mode.
pub fn azure_sku(processing: Processing, billing: Billing) -> &'static str {
    match (processing, billing) {
        (Processing::Region, Billing::OnDemand) => "Standard",
        (Processing::Region, Billing::Provisioned) => "ProvisionedManaged",
        (Processing::Geography, Billing::OnDemand) => "DataZoneStandard",
        (Processing::Geography, Billing::Provisioned) => "DataZoneProvisionedManaged",
        (Processing::Global, Billing::OnDemand) => "GlobalStandard",
        (Processing::Global, Billing::Provisioned) => "GlobalProvisionedManaged",
    }
}
