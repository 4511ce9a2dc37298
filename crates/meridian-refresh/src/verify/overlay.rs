//! Differences written as a catalog overlay (`meridian catalog verify --write-overlay`).
//!
//! An overlay replaces a model of the built-in catalog as a whole (by cloud and id), so the
//! overlay holds the full entry of every model with a difference, changed where the cloud
//! disagrees, and every fact it adds says where it was read:
//!
//! - an offer or a Bedrock route the cloud has and the catalog lacks becomes an offer (or a
//!   profile) of its own, for that region only, whose `source` is the URL read and whose
//!   note names the account and the date;
//! - an offer or route the catalog claims and the cloud lacks is taken out of the catalog's
//!   offer (or profile) for that region only; what the offer still says about the region's
//!   other billing modes and versions stays, split off, with its original source; the offer's
//!   note says what was taken out, by whom and when;
//! - destinations that differ replace the route: out of the catalog's profile, into one
//!   read from the cloud;
//! - Azure retirement dates of a version are replaced (the version's `source` becomes the
//!   URL read); a deployment type retiring on its own date becomes an offer of its own with
//!   that `retirement_date`;
//! - a lifecycle state is written when the cloud's is further along than the catalog's.
//!
//! Models and versions the catalog does not list are not written: the catalog needs facts
//! the APIs do not give (context window, capabilities, prices).

use super::compare::{lifecycle_of, stage, Difference, DifferenceKind};
use super::{LiveRegion, ModelKey};
use meridian_catalog::{
    Billing, Catalog, CatalogFile, Cloud, Lifecycle, Model, Offer, Processing, Profile,
};
use std::collections::{BTreeMap, BTreeSet};

/// An overlay made of differences.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    /// The file to write.
    pub file: CatalogFile,
    /// How many differences it records.
    pub written: usize,
    /// What could not be written, and why, one sentence each.
    pub left_out: Vec<String>,
}

impl Overlay {
    /// The file as pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.file).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// Offers added for one model: (processing, billing, source, retirement) → offer index.
type Added = BTreeMap<(Processing, Billing, String, Option<String>), usize>;

/// A model being edited, with what was taken out of its offers and profiles.
struct Edit {
    model: Model,
    added: Added,
    /// Offer index → account label → regions taken out.
    removed_regions: BTreeMap<usize, BTreeMap<String, BTreeSet<String>>>,
    /// (offer index, profile index) → account label → source regions taken out.
    removed_routes: BTreeMap<(usize, usize), BTreeMap<String, BTreeSet<String>>>,
    changed: bool,
}

fn append_note(note: &mut Option<String>, sentence: &str) {
    match note {
        Some(n) if n.contains(sentence) => {}
        Some(n) => {
            n.push(' ');
            n.push_str(sentence);
        }
        None => *note = Some(sentence.to_owned()),
    }
}

impl Edit {
    fn new(model: Model) -> Edit {
        Edit {
            model,
            added: BTreeMap::new(),
            removed_regions: BTreeMap::new(),
            removed_routes: BTreeMap::new(),
            changed: false,
        }
    }

    /// Takes `region` out of the offers that say (processing, billing — any billing when
    /// `None`, version) is offered there, keeping what they say about other billing modes
    /// and versions there.
    fn remove_offer(
        &mut self,
        processing: Processing,
        billing: Option<Billing>,
        version: Option<&str>,
        region: &str,
        account: &str,
    ) {
        let all_versions: Vec<String> = self
            .model
            .versions
            .iter()
            .map(|v| v.version.clone())
            .collect();
        let mut split = Vec::new();
        for (i, o) in self.model.offers.iter_mut().enumerate() {
            if o.processing != processing
                || !o.applies_to(version)
                || !o.regions.iter().any(|r| r == region)
                || billing.is_some_and(|b| !o.billing.contains(&b))
            {
                continue;
            }
            let original = o.clone();
            o.regions.retain(|r| r != region);
            self.removed_regions
                .entry(i)
                .or_default()
                .entry(account.to_owned())
                .or_default()
                .insert(region.to_owned());
            let here = |billing: Vec<Billing>, versions: Vec<String>| Offer {
                billing,
                regions: vec![region.to_owned()],
                versions,
                ..original.clone()
            };
            if let Some(b) = billing {
                let others: Vec<Billing> = original
                    .billing
                    .iter()
                    .copied()
                    .filter(|x| *x != b)
                    .collect();
                if !others.is_empty() {
                    split.push(here(others, original.versions.clone()));
                }
            }
            if let Some(v) = version {
                let listed = if original.versions.is_empty() {
                    all_versions.clone()
                } else {
                    original.versions.clone()
                };
                let others: Vec<String> = listed.into_iter().filter(|x| x != v).collect();
                if !others.is_empty() {
                    let kept = billing.map_or_else(|| original.billing.clone(), |b| vec![b]);
                    split.push(here(kept, others));
                }
            }
            self.changed = true;
        }
        self.model.offers.extend(split);
    }

    /// Adds (processing, billing, version) in `region` as read from `source`.
    #[allow(clippy::too_many_arguments)]
    fn add_offer(
        &mut self,
        processing: Processing,
        billing: Billing,
        version: Option<&str>,
        region: &str,
        source: &str,
        retirement: Option<String>,
        today: &str,
        note: &str,
    ) {
        let key = (processing, billing, source.to_owned(), retirement.clone());
        let offer = match self.added.get(&key) {
            Some(&i) => &mut self.model.offers[i],
            None => {
                self.model.offers.push(Offer {
                    processing,
                    billing: vec![billing],
                    regions: Vec::new(),
                    processing_guarantee: None,
                    guarantee_source: None,
                    versions: Vec::new(),
                    profiles: Vec::new(),
                    retirement_date: retirement,
                    source: source.to_owned(),
                    as_of: today.to_owned(),
                    verified: true,
                    note: Some(note.to_owned()),
                });
                let i = self.model.offers.len() - 1;
                self.added.insert(key, i);
                &mut self.model.offers[i]
            }
        };
        if !offer.regions.iter().any(|r| r == region) {
            offer.regions.push(region.to_owned());
        }
        if let Some(v) = version {
            if !offer.versions.iter().any(|x| x == v) {
                offer.versions.push(v.to_owned());
            }
        }
        self.changed = true;
    }

    /// Takes the route from `source_region` out of the model's `prefix` profiles.
    fn remove_route(&mut self, prefix: &str, source_region: &str, account: &str) {
        for (i, o) in self.model.offers.iter_mut().enumerate() {
            if o.processing != Processing::Geography {
                continue;
            }
            for (j, p) in o.profiles.iter_mut().enumerate() {
                if p.prefix == prefix && p.routes.remove(source_region).is_some() {
                    self.removed_routes
                        .entry((i, j))
                        .or_default()
                        .entry(account.to_owned())
                        .or_default()
                        .insert(source_region.to_owned());
                    self.changed = true;
                }
            }
        }
    }

    /// Adds a `prefix` profile with one route, as read from `source`.
    fn add_route(
        &mut self,
        prefix: &str,
        source_region: &str,
        destinations: &[String],
        source: &str,
        today: &str,
        note: &str,
    ) {
        let at = self.model.offers.iter().position(|o| {
            o.processing == Processing::Geography && o.billing.contains(&Billing::OnDemand)
        });
        let i = at.unwrap_or_else(|| {
            self.model.offers.push(Offer {
                processing: Processing::Geography,
                billing: vec![Billing::OnDemand],
                regions: Vec::new(),
                processing_guarantee: None,
                guarantee_source: None,
                versions: Vec::new(),
                profiles: Vec::new(),
                retirement_date: None,
                source: source.to_owned(),
                as_of: today.to_owned(),
                verified: true,
                note: Some(note.to_owned()),
            });
            self.model.offers.len() - 1
        });
        self.model.offers[i].profiles.push(Profile {
            prefix: prefix.to_owned(),
            routes: BTreeMap::from([(source_region.to_owned(), destinations.to_vec())]),
            source: source.to_owned(),
            as_of: today.to_owned(),
            verified: true,
            note: Some(note.to_owned()),
        });
        self.changed = true;
    }

    /// Notes what was taken out, drops what became empty, and lets the catalog derive the
    /// source regions of Bedrock geographic offers again. `None` when no offer is left.
    fn finish(mut self, today: &str) -> Option<Model> {
        for (i, by_account) in &self.removed_regions {
            for (account, regions) in by_account {
                let sentence = format!(
                    "Not offered in {} according to {account} (`meridian catalog verify`, {today}).",
                    regions.iter().cloned().collect::<Vec<_>>().join(", ")
                );
                append_note(&mut self.model.offers[*i].note, &sentence);
            }
        }
        for ((i, j), by_account) in &self.removed_routes {
            for (account, regions) in by_account {
                let sentence = format!(
                    "The route from {} was taken out according to {account} (`meridian catalog verify`, {today}).",
                    regions.iter().cloned().collect::<Vec<_>>().join(", ")
                );
                append_note(&mut self.model.offers[*i].profiles[*j].note, &sentence);
            }
        }
        let aws = self.model.cloud == Cloud::Aws;
        for o in &mut self.model.offers {
            o.profiles.retain(|p| !p.routes.is_empty());
            if aws && o.processing == Processing::Geography {
                o.regions.clear();
            }
        }
        self.model.offers.retain(|o| {
            if aws && o.processing == Processing::Geography {
                !o.profiles.is_empty()
            } else {
                !o.regions.is_empty()
            }
        });
        (!self.model.offers.is_empty()).then_some(self.model)
    }
}

/// The prefix of a profile id (`eu` of `eu.anthropic…`).
fn prefix_of(profile: &str) -> &str {
    profile.split_once('.').map_or(profile, |(p, _)| p)
}

/// Checks that provider blocks of one cloud that read the same region agree about it.
fn check_agreement(read: &[LiveRegion], differences: &[Difference]) -> Result<(), String> {
    let mut places: BTreeMap<(Cloud, &str), &LiveRegion> = BTreeMap::new();
    let written: BTreeSet<(Cloud, &str)> = differences
        .iter()
        .filter(|d| d.kind.writable())
        .map(|d| (d.cloud, d.region.as_str()))
        .collect();
    for r in read {
        let place = (r.cloud, r.region.as_str());
        if !written.contains(&place) {
            continue;
        }
        match places.get(&place) {
            None => {
                places.insert(place, r);
            }
            Some(first) => {
                let same = first.models.len() == r.models.len()
                    && first
                        .models
                        .iter()
                        .zip(&r.models)
                        .all(|((ka, a), (kb, b))| ka == kb && a.same_facts(b));
                if !same {
                    return Err(format!(
                        "{} and {} see {} {} differently, so one overlay cannot record both; \
                         verify them one at a time with --provider",
                        first.provider, r.provider, r.cloud, r.region
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The overlay that records `differences` (from [`super::compare`] of `catalog` and `read`),
/// dated `today` (YYYY-MM-DD). `keep` is the overlay the catalog already merged (the spec's
/// `catalog` file): its entries stay in the new file, so it can replace the old one.
///
/// Fails when two provider blocks read the same region differently.
pub fn overlay(
    catalog: &Catalog,
    differences: &[Difference],
    read: &[LiveRegion],
    today: &str,
    keep: Option<&CatalogFile>,
) -> Result<Overlay, String> {
    check_agreement(read, differences)?;
    let places: BTreeMap<(&str, &str), &LiveRegion> = read
        .iter()
        .map(|r| ((r.provider.as_str(), r.region.as_str()), r))
        .collect();
    let mut edits: BTreeMap<(Cloud, String), Edit> = BTreeMap::new();
    if let Some(keep) = keep {
        for m in &keep.models {
            let current = catalog.model(m.cloud, &m.id).unwrap_or(m);
            edits.insert((m.cloud, m.id.clone()), Edit::new(current.clone()));
        }
    }
    let mut written = 0;
    let mut left_out = Vec::new();
    let mut accounts: BTreeSet<String> = BTreeSet::new();
    for d in differences {
        if !d.kind.writable() {
            left_out.push(format!(
                "{} in {} ({}): {}; not written, as the catalog needs facts the API does not give (context window, capabilities, prices)",
                d.model, d.region, d.provider, d.message
            ));
            continue;
        }
        let Some(model) = catalog.model(d.cloud, &d.model) else {
            continue;
        };
        let Some(live) = places.get(&(d.provider.as_str(), d.region.as_str())) else {
            continue;
        };
        let account = live.account_label();
        let note = format!("Read from {account} with `meridian catalog verify` on {today}.");
        let edit = edits
            .entry((d.cloud, d.model.clone()))
            .or_insert_with(|| Edit::new(model.clone()));
        let version = d.version.as_deref();
        let region = d.region.as_str();
        let any_billing = |b: Billing| (d.cloud != Cloud::Gcp).then_some(b);
        let key = ModelKey {
            id: d.model.clone(),
            version: d.version.clone(),
        };
        let live_model = live.models.get(&key);
        let mut recorded = true;
        match &d.kind {
            DifferenceKind::ModelMissing { offers, profiles } => {
                for o in offers {
                    edit.remove_offer(
                        o.processing,
                        any_billing(o.billing),
                        version,
                        region,
                        &account,
                    );
                }
                for p in profiles {
                    edit.remove_route(prefix_of(p), region, &account);
                }
            }
            DifferenceKind::OfferMissing {
                processing,
                billing,
            } => edit.remove_offer(
                *processing,
                any_billing(*billing),
                version,
                region,
                &account,
            ),
            DifferenceKind::OfferExtra {
                processing,
                billing,
            } => {
                // A deployment type retiring before the version does keeps its own date.
                let retirement = live_model.and_then(|m| {
                    let sku = meridian_catalog::azure_sku(*processing, *billing);
                    m.sku_dates
                        .get(sku)
                        .filter(|date| m.retirement.as_ref() != Some(*date))
                        .cloned()
                });
                let retirement = retirement.filter(|_| d.cloud == Cloud::Azure);
                edit.add_offer(
                    *processing,
                    *billing,
                    version,
                    region,
                    &d.source,
                    retirement,
                    today,
                    &note,
                );
            }
            DifferenceKind::RouteMissing { profile, .. } => {
                edit.remove_route(prefix_of(profile), region, &account);
            }
            DifferenceKind::RouteExtra { profile, live } => {
                edit.add_route(prefix_of(profile), region, live, &d.source, today, &note);
            }
            DifferenceKind::RouteDestinations { profile, live, .. } => {
                edit.remove_route(prefix_of(profile), region, &account);
                edit.add_route(prefix_of(profile), region, live, &d.source, today, &note);
            }
            DifferenceKind::Lifecycle { live: status, .. } => {
                recorded = set_lifecycle(edit, d, status, today, &note, &mut left_out);
            }
            DifferenceKind::RetirementDate { live: date, .. } => {
                match version.and_then(|v| edit.model.versions.iter_mut().find(|x| x.version == v))
                {
                    Some(v) => {
                        v.retirement_date = Some(date.clone());
                        v.source.clone_from(&d.source);
                        today.clone_into(&mut v.as_of);
                        append_note(&mut v.note, &format!("Retirement date {note}"));
                    }
                    None => {
                        edit.model.retirement_date = Some(date.clone());
                        append_note(&mut edit.model.note, &format!("Retirement date {note}"));
                    }
                }
                edit.changed = true;
            }
            DifferenceKind::OfferRetirementDate {
                processing,
                billing,
                live: date,
                ..
            } => {
                edit.remove_offer(*processing, Some(*billing), version, region, &account);
                edit.add_offer(
                    *processing,
                    *billing,
                    version,
                    region,
                    &d.source,
                    Some(date.clone()),
                    today,
                    &note,
                );
            }
            DifferenceKind::ModelExtra | DifferenceKind::VersionExtra => recorded = false,
        }
        if recorded {
            written += 1;
            accounts.insert(account);
        }
    }
    let mut models = Vec::new();
    for ((cloud, id), edit) in edits {
        let kept = keep.is_some_and(|k| k.models.iter().any(|m| m.cloud == cloud && m.id == id));
        if !edit.changed && !kept {
            continue;
        }
        match edit.finish(today) {
            Some(m) => models.push(m),
            None => left_out.push(format!(
                "{cloud} model {id}: the cloud offers it nowhere the catalog said, which would leave it without offers; not written (a catalog model needs at least one offer)"
            )),
        }
    }
    let description = match keep.and_then(|k| k.description.clone()) {
        Some(earlier) if accounts.is_empty() => earlier,
        _ => format!(
            "Differences from the built-in catalog read with `meridian catalog verify` on {today} from {}.",
            if accounts.is_empty() {
                "no account (nothing differed)".to_owned()
            } else {
                accounts.into_iter().collect::<Vec<_>>().join(", ")
            }
        ),
    };
    let file = CatalogFile {
        schema: None,
        as_of: Some(today.to_owned()),
        description: Some(description),
        countries: keep.map(|k| k.countries.clone()).unwrap_or_default(),
        geographies: keep.map(|k| k.geographies.clone()).unwrap_or_default(),
        regions: keep.map(|k| k.regions.clone()).unwrap_or_default(),
        models,
    };
    Ok(Overlay {
        file,
        written,
        left_out,
    })
}

/// Writes the cloud's lifecycle state when it is further along than the catalog's; false
/// (with a sentence in `left_out`) when the catalog's is kept.
fn set_lifecycle(
    edit: &mut Edit,
    d: &Difference,
    status: &str,
    today: &str,
    note: &str,
    left_out: &mut Vec<String>,
) -> bool {
    let Some((_, state)) = lifecycle_of(d.cloud, status) else {
        return false;
    };
    let version = d
        .version
        .as_deref()
        .and_then(|v| edit.model.versions.iter_mut().find(|x| x.version == v));
    let current: Lifecycle = version
        .as_ref()
        .map_or(edit.model.lifecycle, |v| v.lifecycle);
    if stage(state) <= stage(current) {
        left_out.push(format!(
            "{} in {} ({}): lifecycle kept as {current}, which is further along than the cloud's {status}",
            d.model, d.region, d.provider
        ));
        return false;
    }
    let sentence = format!("Lifecycle {state}: {note}");
    match version {
        Some(v) => {
            v.lifecycle = state;
            v.source.clone_from(&d.source);
            today.clone_into(&mut v.as_of);
            append_note(&mut v.note, &sentence);
        }
        None => {
            edit.model.lifecycle = state;
            append_note(&mut edit.model.note, &sentence);
        }
    }
    edit.changed = true;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::compare::{compare, OfferKey, Severity};
    use crate::verify::LiveModel;
    use meridian_catalog::{Capability, ModelVersion};

    fn version(v: &str, lifecycle: Lifecycle) -> ModelVersion {
        ModelVersion {
            version: v.into(),
            lifecycle,
            retirement_date: None,
            deprecation_date: None,
            replacement: None,
            source: "https://docs".into(),
            as_of: "2026-11-25".into(),
            note: None,
        }
    }

    fn offer(processing: Processing, billing: &[Billing], regions: &[&str]) -> Offer {
        Offer {
            processing,
            billing: billing.to_vec(),
            regions: regions.iter().map(|r| (*r).to_string()).collect(),
            processing_guarantee: None,
            guarantee_source: None,
            versions: Vec::new(),
            profiles: Vec::new(),
            retirement_date: None,
            source: "https://docs".into(),
            as_of: "2026-11-25".into(),
            verified: true,
            note: None,
        }
    }

    fn azure_model() -> Model {
        Model {
            cloud: Cloud::Azure,
            id: "gpt-x".into(),
            name: "GPT X".into(),
            context_window: 1000,
            capabilities: vec![Capability::Chat],
            lifecycle: Lifecycle::Ga,
            retirement_date: None,
            deprecation_date: None,
            replacement: None,
            versions: vec![version("1", Lifecycle::Ga), version("2", Lifecycle::Ga)],
            offers: vec![offer(
                Processing::Region,
                &[Billing::OnDemand, Billing::Provisioned],
                &["swedencentral", "westeurope"],
            )],
            prices: Vec::new(),
            no_price: None,
            source: "https://docs".into(),
            as_of: "2026-11-25".into(),
            note: None,
        }
    }

    /// (billing, version, region) the model's region offers say.
    fn facts(m: &Model) -> BTreeSet<(Billing, String, String)> {
        let mut out = BTreeSet::new();
        for o in &m.offers {
            for v in &m.versions {
                if !o.applies_to(Some(&v.version)) {
                    continue;
                }
                for b in &o.billing {
                    for r in &o.regions {
                        out.insert((*b, v.version.clone(), r.clone()));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn taking_one_fact_out_keeps_the_others_of_the_region() {
        let mut edit = Edit::new(azure_model());
        let before = facts(&edit.model);
        edit.remove_offer(
            Processing::Region,
            Some(Billing::OnDemand),
            Some("1"),
            "swedencentral",
            "Azure subscription s (azure.corp)",
        );
        let mut expected = before.clone();
        expected.remove(&(Billing::OnDemand, "1".into(), "swedencentral".into()));
        assert_eq!(facts(&edit.model), expected);
        let model = edit.finish("2026-12-01").expect("offers left");
        assert_eq!(facts(&model), expected);
        // The offer that lost the region says so; the split-off ones keep their source.
        assert!(model.offers[0].note.as_deref().is_some_and(|n| n.contains(
            "Not offered in swedencentral according to Azure subscription s (azure.corp)"
        )));
        assert!(model.offers.iter().all(|o| o.source == "https://docs"));
    }

    #[test]
    fn a_model_left_without_offers_is_not_written() {
        let mut m = azure_model();
        m.offers = vec![offer(
            Processing::Region,
            &[Billing::OnDemand],
            &["swedencentral"],
        )];
        m.versions.truncate(1);
        let mut edit = Edit::new(m);
        edit.remove_offer(
            Processing::Region,
            Some(Billing::OnDemand),
            Some("1"),
            "swedencentral",
            "a",
        );
        assert!(edit.finish("2026-12-01").is_none());
    }

    /// A live region that says exactly what the catalog says of it, and a model version it
    /// offers.
    fn agreeing(provider: &str, catalog: &Catalog) -> (LiveRegion, String, String) {
        let usable = |l: Lifecycle, d: Option<&str>| {
            l == Lifecycle::Ga && d.is_none_or(|d| d > catalog.as_of())
        };
        let (model, v) = catalog
            .models(Some(Cloud::Azure))
            .filter(|m| usable(m.lifecycle, m.retirement_date.as_deref()))
            .find_map(|m| {
                m.versions
                    .iter()
                    .find(|v| usable(v.lifecycle, v.retirement_date.as_deref()))
                    .map(|v| (m, v.version.clone()))
            })
            .expect("an Azure model version");
        let region = model
            .offers
            .iter()
            .find(|o| o.applies_to(Some(&v)) && !o.regions.is_empty())
            .map(|o| o.regions[0].clone())
            .expect("a region");
        let live = |l: Lifecycle, d: Option<&str>| {
            l != Lifecycle::Retired && d.is_none_or(|d| d > catalog.as_of())
        };
        let mut models = BTreeMap::new();
        for m in catalog.models(Some(Cloud::Azure)) {
            if !live(m.lifecycle, m.retirement_date.as_deref()) {
                continue;
            }
            for ver in &m.versions {
                if !live(ver.lifecycle, m.retirement(Some(&ver.version))) {
                    continue;
                }
                let status = match ver.lifecycle {
                    Lifecycle::Preview => "Preview",
                    Lifecycle::Legacy => "Legacy",
                    Lifecycle::Deprecated => "Deprecating",
                    _ => "GenerallyAvailable",
                };
                let offers: BTreeSet<(Processing, Billing)> =
                    crate::verify::compare::claimed_offers(m, Some(&ver.version), &region)
                        .into_iter()
                        .map(|o: OfferKey| (o.processing, o.billing))
                        .collect();
                if offers.is_empty() {
                    continue;
                }
                models.insert(
                    ModelKey {
                        id: m.id.clone(),
                        version: Some(ver.version.clone()),
                    },
                    LiveModel {
                        status: Some(status.into()),
                        offers,
                        retirement: m.retirement(Some(&ver.version)).map(str::to_owned),
                        source: "https://management.example/models".into(),
                        ..LiveModel::default()
                    },
                );
            }
        }
        let r = LiveRegion {
            provider: provider.into(),
            cloud: Cloud::Azure,
            account: "s".into(),
            region,
            models,
            sources: BTreeMap::new(),
        };
        (r, model.id.clone(), v)
    }

    #[test]
    fn two_provider_blocks_that_disagree_about_a_region_are_not_merged() {
        let catalog = Catalog::builtin();
        let (a, model, v) = agreeing("azure.a", catalog);
        let mut b = a.clone();
        b.provider = "azure.b".into();
        let key = ModelKey {
            id: model,
            version: Some(v),
        };
        b.models.get_mut(&key).expect("model").offers.clear();
        let read = [a, b];
        let diffs = compare(catalog, &read);
        assert!(diffs
            .iter()
            .any(|d| d.severity == Severity::Error && d.provider == "azure.b"));
        let e = overlay(catalog, &diffs, &read, "2026-12-01", None).expect_err("conflict");
        assert!(e.contains("azure.a and azure.b see azure"), "{e}");
        assert!(e.contains("--provider"), "{e}");
    }

    #[test]
    fn lifecycle_is_written_only_when_the_cloud_is_further_along() {
        let catalog = Catalog::builtin();
        let (mut r, model, v) = agreeing("azure.corp", catalog);
        let key = ModelKey {
            id: model.clone(),
            version: Some(v.clone()),
        };
        r.models.get_mut(&key).expect("model").status = Some("Deprecating".into());
        let read = [r.clone()];
        let diffs = compare(catalog, &read);
        assert_eq!(diffs.len(), 1, "{diffs:#?}");
        assert_eq!(diffs[0].severity, Severity::Warning);
        let o = overlay(catalog, &diffs, &read, "2026-12-01", None).expect("overlay");
        assert_eq!(o.written, 1);
        let written = &o.file.models[0];
        let version = written.version(&v).expect("version");
        assert_eq!(version.lifecycle, Lifecycle::Deprecated);
        assert_eq!(version.source, "https://management.example/models");
        assert_eq!(version.as_of, "2026-12-01");
        // The catalog further along than the cloud: kept, and said so.
        r.models.get_mut(&key).expect("model").status = Some("Preview".into());
        let read = [r];
        let diffs = compare(catalog, &read);
        let o = overlay(catalog, &diffs, &read, "2026-12-01", None).expect("overlay");
        assert_eq!(o.written, 0);
        assert!(o.file.models.is_empty());
        assert!(
            o.left_out[0].contains("lifecycle kept as ga"),
            "{:?}",
            o.left_out
        );
    }

    #[test]
    fn the_entries_of_the_overlay_in_use_are_kept() {
        let catalog = Catalog::builtin();
        let (r, _, _) = agreeing("azure.corp", catalog);
        let kept = catalog
            .models(Some(Cloud::Gcp))
            .next()
            .expect("a model")
            .clone();
        let region = catalog
            .regions(Some(Cloud::Gcp))
            .next()
            .expect("a region")
            .clone();
        let keep = CatalogFile {
            description: Some("earlier".into()),
            models: vec![kept.clone()],
            regions: vec![region.clone()],
            ..CatalogFile::default()
        };
        let read = [r];
        let diffs = compare(catalog, &read);
        assert!(diffs.is_empty());
        let o = overlay(catalog, &diffs, &read, "2026-12-01", Some(&keep)).expect("overlay");
        assert_eq!(o.file.models, vec![kept]);
        assert_eq!(o.file.regions, vec![region]);
        assert_eq!(o.file.description.as_deref(), Some("earlier"));
        assert_eq!(o.file.as_of.as_deref(), Some("2026-12-01"));
    }
}
