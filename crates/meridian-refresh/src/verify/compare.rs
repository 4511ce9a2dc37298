//! What the clouds say, laid over the catalog: every difference, classified.

use super::{LiveModel, LiveRegion, ModelKey};
use meridian_catalog::{Billing, Catalog, Cloud, Lifecycle, Model, Processing};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// How much a difference matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// It changes a footprint or what can be deployed where, and so can change a residency
    /// verdict or whether a spec is valid: where prompts go, an offer the catalog lacks, an
    /// offer it claims.
    Error,
    /// Dates, lifecycle states, models and versions the catalog does not list.
    Warning,
}

/// A processing scope and billing mode of an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct OfferKey {
    pub processing: Processing,
    pub billing: Billing,
}

/// What differs. Field names are part of `meridian catalog verify --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DifferenceKind {
    /// The catalog offers the model (version) in the region; the cloud does not list it.
    ModelMissing {
        /// The offers the catalog claims there.
        offers: Vec<OfferKey>,
        /// The geographic inference profiles (ids) the catalog claims there.
        profiles: Vec<String>,
    },
    /// The catalog claims an offer the cloud does not have.
    OfferMissing {
        processing: Processing,
        billing: Billing,
    },
    /// The cloud has an offer the catalog lacks.
    OfferExtra {
        processing: Processing,
        billing: Billing,
    },
    /// The catalog routes the geographic profile from this source region; the cloud has no
    /// such profile here.
    RouteMissing {
        profile: String,
        catalog: Vec<String>,
    },
    /// The cloud has a geographic profile from this source region the catalog lacks.
    RouteExtra { profile: String, live: Vec<String> },
    /// The profile's destination regions from this source differ.
    RouteDestinations {
        profile: String,
        catalog: Vec<String>,
        live: Vec<String>,
    },
    /// The cloud offers a model the catalog does not list.
    ModelExtra,
    /// The cloud offers a version the catalog does not list.
    VersionExtra,
    /// The lifecycle states differ.
    Lifecycle { catalog: Lifecycle, live: String },
    /// The dates inference ends differ.
    RetirementDate {
        catalog: Option<String>,
        live: String,
    },
    /// One deployment type retires on another date than the catalog says.
    OfferRetirementDate {
        processing: Processing,
        billing: Billing,
        sku: String,
        catalog: Option<String>,
        live: String,
    },
}

impl DifferenceKind {
    pub fn severity(&self) -> Severity {
        match self {
            DifferenceKind::ModelMissing { .. }
            | DifferenceKind::OfferMissing { .. }
            | DifferenceKind::OfferExtra { .. }
            | DifferenceKind::RouteMissing { .. }
            | DifferenceKind::RouteExtra { .. }
            | DifferenceKind::RouteDestinations { .. } => Severity::Error,
            DifferenceKind::ModelExtra
            | DifferenceKind::VersionExtra
            | DifferenceKind::Lifecycle { .. }
            | DifferenceKind::RetirementDate { .. }
            | DifferenceKind::OfferRetirementDate { .. } => Severity::Warning,
        }
    }

    /// The kind's name in JSON (`route_destinations`).
    pub fn name(&self) -> &'static str {
        match self {
            DifferenceKind::ModelMissing { .. } => "model_missing",
            DifferenceKind::OfferMissing { .. } => "offer_missing",
            DifferenceKind::OfferExtra { .. } => "offer_extra",
            DifferenceKind::RouteMissing { .. } => "route_missing",
            DifferenceKind::RouteExtra { .. } => "route_extra",
            DifferenceKind::RouteDestinations { .. } => "route_destinations",
            DifferenceKind::ModelExtra => "model_extra",
            DifferenceKind::VersionExtra => "version_extra",
            DifferenceKind::Lifecycle { .. } => "lifecycle",
            DifferenceKind::RetirementDate { .. } => "retirement_date",
            DifferenceKind::OfferRetirementDate { .. } => "offer_retirement_date",
        }
    }

    /// Whether an overlay can record it (models and versions the catalog lacks need facts
    /// the APIs do not give: context window, capabilities, prices).
    pub fn writable(&self) -> bool {
        !matches!(
            self,
            DifferenceKind::ModelExtra | DifferenceKind::VersionExtra
        )
    }
}

/// One difference between the catalog and what a provider's API says about one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub severity: Severity,
    /// The provider block read, e.g. `aws.corp`.
    pub provider: String,
    pub cloud: Cloud,
    /// The region (Google: the location) read.
    pub region: String,
    /// The provider's model id (Azure: the model name).
    pub model: String,
    /// Azure: the model version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(flatten)]
    pub kind: DifferenceKind,
    /// What differs, in a sentence.
    pub message: String,
    /// The URL of the request whose answer shows it.
    pub source: String,
}

/// The model (and version) as people write it: `gpt-4.1 2025-04-14`.
fn model_label(model: &str, version: Option<&str>) -> String {
    match version {
        Some(v) => format!("{model} {v}"),
        None => model.to_owned(),
    }
}

/// How an offer is called, for messages: "in-region on-demand", "Azure GlobalStandard".
fn offer_label(cloud: Cloud, o: OfferKey, model: &str) -> String {
    match cloud {
        Cloud::Azure => format!(
            "{} ({} processing, {})",
            meridian_catalog::azure_sku(o.processing, o.billing),
            o.processing,
            o.billing
        ),
        Cloud::Aws if o.processing == Processing::Global => format!("global.{model}"),
        Cloud::Aws => format!("in-region {} (bare model id)", o.billing),
        Cloud::Gcp => format!("{} processing", o.processing),
    }
}

fn list(items: &BTreeSet<String>) -> String {
    items.iter().cloned().collect::<Vec<_>>().join(", ")
}

/// Regions with their countries: `eu-west-2 (GB)`.
fn with_countries(catalog: &Catalog, cloud: Cloud, regions: &BTreeSet<String>) -> String {
    regions
        .iter()
        .map(|r| match catalog.region(cloud, r) {
            Some(region) => format!("{r} ({})", region.country),
            None => format!("{r} (not a {cloud} region in the catalog)"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the catalog holds the model (or version) retired: its offers are not usable, so
/// what the cloud lacks of them is no difference.
fn retired(catalog: &Catalog, model: &Model, version: Option<&str>) -> bool {
    let past = |d: Option<&String>| d.is_some_and(|d| d.as_str() <= catalog.as_of());
    if model.lifecycle == Lifecycle::Retired || past(model.retirement_date.as_ref()) {
        return true;
    }
    version
        .and_then(|v| model.version(v))
        .is_some_and(|v| v.lifecycle == Lifecycle::Retired || past(v.retirement_date.as_ref()))
}

/// The offers the catalog claims for the model (version) in a region, AWS geographic
/// profiles aside. Google offers are compared without billing (the API does not tell).
pub(crate) fn claimed_offers(
    model: &Model,
    version: Option<&str>,
    region: &str,
) -> BTreeSet<OfferKey> {
    let mut out = BTreeSet::new();
    for o in &model.offers {
        if !o.applies_to(version)
            || (model.cloud == Cloud::Aws && o.processing == Processing::Geography)
            || !o.regions.iter().any(|r| r == region)
        {
            continue;
        }
        for &b in &o.billing {
            let billing = if model.cloud == Cloud::Gcp {
                Billing::OnDemand
            } else {
                b
            };
            out.insert(OfferKey {
                processing: o.processing,
                billing,
            });
        }
    }
    out
}

/// The AWS geographic profiles the catalog routes from `source`: prefix → destinations.
pub(crate) fn claimed_routes(model: &Model, source: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    if model.cloud != Cloud::Aws {
        return out;
    }
    for o in &model.offers {
        if o.processing != Processing::Geography {
            continue;
        }
        for p in &o.profiles {
            if let Some(d) = p.routes.get(source) {
                out.entry(p.prefix.clone())
                    .or_default()
                    .extend(d.iter().cloned());
            }
        }
    }
    out
}

/// How a cloud's lifecycle status reads in the catalog's terms: the states it agrees with,
/// and the state an overlay records.
pub(crate) fn lifecycle_of(
    cloud: Cloud,
    status: &str,
) -> Option<(&'static [Lifecycle], Lifecycle)> {
    use Lifecycle::{Deprecated, Ga, Legacy, Preview, Retired};
    Some(match (cloud, status) {
        (Cloud::Aws, "ACTIVE") => (&[Ga, Preview], Ga),
        (Cloud::Aws, "LEGACY") => (&[Legacy, Deprecated], Legacy),
        (Cloud::Azure, "GenerallyAvailable" | "Stable") => (&[Ga], Ga),
        (Cloud::Azure, "Preview") => (&[Preview], Preview),
        (Cloud::Azure, "Legacy") => (&[Legacy], Legacy),
        (Cloud::Azure, "Deprecating") => (&[Deprecated], Deprecated),
        (Cloud::Azure, "Deprecated") => (&[Retired], Retired),
        (Cloud::Gcp, "GA") => (&[Ga, Legacy, Deprecated], Ga),
        (Cloud::Gcp, "PUBLIC_PREVIEW" | "PRIVATE_PREVIEW" | "EXPERIMENTAL") => {
            (&[Preview], Preview)
        }
        _ => return None,
    })
}

/// How far along a lifecycle state is.
pub(crate) fn stage(l: Lifecycle) -> u8 {
    match l {
        Lifecycle::Preview => 0,
        Lifecycle::Ga => 1,
        Lifecycle::Legacy => 2,
        Lifecycle::Deprecated => 3,
        Lifecycle::Retired => 4,
    }
}

struct Sink<'a> {
    catalog: &'a Catalog,
    live: &'a LiveRegion,
    out: Vec<Difference>,
}

impl Sink<'_> {
    fn push(&mut self, key: &ModelKey, kind: DifferenceKind, message: String, source: &str) {
        self.out.push(Difference {
            severity: kind.severity(),
            provider: self.live.provider.clone(),
            cloud: self.live.cloud,
            region: self.live.region.clone(),
            model: key.id.clone(),
            version: key.version.clone(),
            kind,
            message,
            source: source.to_owned(),
        });
    }
}

/// Every difference between the catalog and what was read, sorted by provider, region,
/// severity (errors first), model, version and kind.
///
/// Per region read, for every catalog model of its cloud (and every version of an Azure
/// model) that the catalog does not hold retired:
/// - not listed by the cloud although the catalog offers it there: `model_missing` (error);
/// - an offer (processing × billing; for Google, processing) the catalog claims and the cloud
///   lacks, or the other way round: `offer_missing` / `offer_extra` (errors);
/// - Bedrock geographic profiles from the region: `route_missing`, `route_extra`,
///   `route_destinations` (errors);
/// - lifecycle states that disagree, Azure retirement dates of a version or of one
///   deployment type: warnings.
///
/// Models and versions the cloud offers and the catalog does not list are warnings.
pub fn compare(catalog: &Catalog, read: &[LiveRegion]) -> Vec<Difference> {
    let mut all = Vec::new();
    for live in read {
        let mut sink = Sink {
            catalog,
            live,
            out: Vec::new(),
        };
        let mut seen: BTreeSet<&ModelKey> = BTreeSet::new();
        for model in catalog.models(Some(live.cloud)) {
            let versions: Vec<Option<&str>> = if model.versions.is_empty() {
                vec![None]
            } else {
                model
                    .versions
                    .iter()
                    .map(|v| Some(v.version.as_str()))
                    .collect()
            };
            for version in versions {
                let key = ModelKey {
                    id: model.id.clone(),
                    version: version.map(str::to_owned),
                };
                let found = live.models.get_key_value(&key);
                if let Some((k, _)) = found {
                    seen.insert(k);
                }
                compare_model(&mut sink, model, &key, found.map(|(_, m)| m));
            }
        }
        for (key, m) in &live.models {
            if seen.contains(key) || (m.offers.is_empty() && m.profiles.is_empty()) {
                continue;
            }
            let (kind, what) = if catalog.model(live.cloud, &key.id).is_some() {
                (DifferenceKind::VersionExtra, "version")
            } else {
                (DifferenceKind::ModelExtra, "model")
            };
            let format = m
                .format
                .as_deref()
                .filter(|f| *f != "OpenAI")
                .map(|f| format!(" ({f})"))
                .unwrap_or_default();
            let message = format!(
                "{}{format} is offered in {}; the catalog does not list this {what}",
                model_label(&key.id, key.version.as_deref()),
                live.region
            );
            sink.push(key, kind, message, &m.source);
        }
        all.extend(sink.out);
    }
    all.sort_by(|a, b| {
        (
            &a.provider,
            &a.region,
            a.severity,
            &a.model,
            &a.version,
            a.kind.name(),
            &a.message,
        )
            .cmp(&(
                &b.provider,
                &b.region,
                b.severity,
                &b.model,
                &b.version,
                b.kind.name(),
                &b.message,
            ))
    });
    all
}

fn compare_model(sink: &mut Sink<'_>, model: &Model, key: &ModelKey, live: Option<&LiveModel>) {
    let catalog = sink.catalog;
    let cloud = model.cloud;
    let region = sink.live.region.clone();
    let version = key.version.as_deref();
    let label = model_label(&model.id, version);
    let is_retired = retired(catalog, model, version);
    let (claimed, routes) = if is_retired {
        (BTreeSet::new(), BTreeMap::new())
    } else {
        (
            claimed_offers(model, version, &region),
            claimed_routes(model, &region),
        )
    };
    let Some(live) = live else {
        if claimed.is_empty() && routes.is_empty() {
            return;
        }
        let mut what: Vec<String> = claimed
            .iter()
            .map(|o| offer_label(cloud, *o, &model.id))
            .collect();
        let profiles: Vec<String> = routes.keys().map(|p| format!("{p}.{}", model.id)).collect();
        what.extend(profiles.iter().cloned());
        let message = format!(
            "the catalog offers {label} in {region} ({}), but the cloud does not list it there",
            what.join("; ")
        );
        let sources = &sink.live.sources;
        let source = sources
            .get(&model.id)
            .or_else(|| sources.get("foundation-models"))
            .or_else(|| sources.get("models"))
            .cloned()
            .unwrap_or_default();
        sink.push(
            key,
            DifferenceKind::ModelMissing {
                offers: claimed.into_iter().collect(),
                profiles,
            },
            message,
            &source,
        );
        return;
    };
    let live_offers: BTreeSet<OfferKey> = live
        .offers
        .iter()
        .map(|&(processing, billing)| OfferKey {
            processing,
            billing,
        })
        .collect();
    if !is_retired {
        for o in claimed.difference(&live_offers) {
            let message = format!(
                "the catalog offers {label} in {region} as {}; the cloud does not",
                offer_label(cloud, *o, &model.id)
            );
            sink.push(
                key,
                DifferenceKind::OfferMissing {
                    processing: o.processing,
                    billing: o.billing,
                },
                message,
                &live.source,
            );
        }
        for o in live_offers.difference(&claimed) {
            let message = format!(
                "the cloud offers {label} in {region} as {}, which the catalog lacks",
                offer_label(cloud, *o, &model.id)
            );
            let source = live
                .offer_sources
                .get(&(o.processing, o.billing))
                .unwrap_or(&live.source);
            sink.push(
                key,
                DifferenceKind::OfferExtra {
                    processing: o.processing,
                    billing: o.billing,
                },
                message,
                source,
            );
        }
        compare_routes(sink, model, key, &routes, live);
    }
    compare_lifecycle(sink, model, key, live);
    if cloud == Cloud::Azure && !is_retired {
        compare_dates(sink, model, key, live);
    }
}

fn compare_routes(
    sink: &mut Sink<'_>,
    model: &Model,
    key: &ModelKey,
    routes: &BTreeMap<String, BTreeSet<String>>,
    live: &LiveModel,
) {
    let catalog = sink.catalog;
    let region = sink.live.region.clone();
    let prefixes: BTreeSet<&String> = routes.keys().chain(live.profiles.keys()).collect();
    for prefix in prefixes {
        let profile = format!("{prefix}.{}", model.id);
        let source = live
            .profile_sources
            .get(prefix)
            .unwrap_or(&live.source)
            .clone();
        match (routes.get(prefix), live.profiles.get(prefix)) {
            (Some(cat), None) => {
                let message = format!(
                    "the catalog routes {profile} from {region} to {}; the cloud has no such profile in {region}",
                    list(cat)
                );
                sink.push(
                    key,
                    DifferenceKind::RouteMissing {
                        profile,
                        catalog: cat.iter().cloned().collect(),
                    },
                    message,
                    &source,
                );
            }
            (None, Some(got)) => {
                let message = format!(
                    "{profile} called from {region} may process in {}; the catalog does not route it from {region}",
                    with_countries(catalog, Cloud::Aws, got)
                );
                sink.push(
                    key,
                    DifferenceKind::RouteExtra {
                        profile,
                        live: got.iter().cloned().collect(),
                    },
                    message,
                    &source,
                );
            }
            (Some(cat), Some(got)) if cat != got => {
                let added: BTreeSet<String> = got.difference(cat).cloned().collect();
                let removed: BTreeSet<String> = cat.difference(got).cloned().collect();
                let mut message = format!(
                    "{profile} called from {region} has other destinations than the catalog:"
                );
                if !added.is_empty() {
                    let _ = write!(
                        message,
                        " it may also process in {}",
                        with_countries(catalog, Cloud::Aws, &added)
                    );
                }
                if !removed.is_empty() {
                    if !added.is_empty() {
                        message.push(';');
                    }
                    let _ = write!(message, " it no longer reaches {}", list(&removed));
                }
                sink.push(
                    key,
                    DifferenceKind::RouteDestinations {
                        profile,
                        catalog: cat.iter().cloned().collect(),
                        live: got.iter().cloned().collect(),
                    },
                    message,
                    &source,
                );
            }
            _ => {}
        }
    }
}

fn compare_lifecycle(sink: &mut Sink<'_>, model: &Model, key: &ModelKey, live: &LiveModel) {
    let Some(status) = &live.status else {
        return;
    };
    let Some((agrees, _)) = lifecycle_of(model.cloud, status) else {
        return;
    };
    let catalog_state = key
        .version
        .as_deref()
        .and_then(|v| model.version(v))
        .map_or(model.lifecycle, |v| v.lifecycle);
    if agrees.contains(&catalog_state) {
        return;
    }
    let message = format!(
        "the cloud gives {} the lifecycle status {status}; the catalog has {catalog_state}",
        model_label(&model.id, key.version.as_deref())
    );
    sink.push(
        key,
        DifferenceKind::Lifecycle {
            catalog: catalog_state,
            live: status.clone(),
        },
        message,
        &live.source,
    );
}

fn compare_dates(sink: &mut Sink<'_>, model: &Model, key: &ModelKey, live: &LiveModel) {
    let version = key.version.as_deref();
    let label = model_label(&model.id, version);
    let catalog_date = model.retirement(version).map(str::to_owned);
    if let Some(date) = &live.retirement {
        if catalog_date.as_ref() != Some(date) {
            let message = format!(
                "the cloud retires {label} on {date}; the catalog says {}",
                catalog_date.as_deref().unwrap_or("no date")
            );
            sink.push(
                key,
                DifferenceKind::RetirementDate {
                    catalog: catalog_date.clone(),
                    live: date.clone(),
                },
                message,
                &live.source,
            );
        }
    }
    let region = sink.live.region.clone();
    for (sku, date) in &live.sku_dates {
        // The version's own date, read from the same answer, is no news per deployment type.
        if live.retirement.as_ref() == Some(date) {
            continue;
        }
        let Some((processing, billing)) = super::azure_offer(sku) else {
            continue;
        };
        // An offer the catalog lacks is an `offer_extra`, whose overlay entry carries the date.
        let Some(offer) = model.offers.iter().find(|o| {
            o.processing == processing
                && o.billing.contains(&billing)
                && o.applies_to(version)
                && o.regions.contains(&region)
        }) else {
            continue;
        };
        let offer_date = offer
            .retirement_date
            .clone()
            .or_else(|| catalog_date.clone());
        if offer_date.as_ref() == Some(date) {
            continue;
        }
        let message = format!(
            "the cloud retires {sku} deployments of {label} in {region} on {date}; the catalog says {}",
            offer_date.as_deref().unwrap_or("no date")
        );
        sink.push(
            key,
            DifferenceKind::OfferRetirementDate {
                processing,
                billing,
                sku: sku.clone(),
                catalog: offer_date,
                live: date.clone(),
            },
            message,
            &live.source,
        );
    }
}
