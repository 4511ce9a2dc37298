//! Google Cloud facts of the built-in catalog, pinned to the pages they come from.
//!
//! Each test quotes rows of one Google page (URL and the date of the copy read in the
//! constants below) and checks the catalog against them, including what is *not* offered or
//! *not* guaranteed, so that a careless edit of `schema/catalog/*-gcp.json` is caught. The
//! completeness tests at the end hold for every Google entry.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use meridian_catalog::{
    Catalog, CatalogError, Cloud, Lifecycle, Model, Offer, Processing, TargetQuery,
};

/// Google's data-residency page for generative AI (formerly
/// cloud.google.com/vertex-ai/generative-ai/docs/learn/data-residency). Copies read: 2026-07-04
/// (guarantee marks legible), 2026-08-20 and 2026-10-08 (marks as icons; per-model marks taken
/// from each model card's "ML processing" row, which links to this page).
const DATA_RESIDENCY: &str =
    "https://docs.cloud.google.com/gemini-enterprise-agent-platform/resources/data-residency";
/// Google's deployments-and-endpoints (locations) page, copy of 2026-08-20.
const LOCATIONS: &str =
    "https://docs.cloud.google.com/gemini-enterprise-agent-platform/resources/locations";
/// Google's model-versions page, copy of 2026-08-20.
const MODEL_VERSIONS: &str =
    "https://docs.cloud.google.com/gemini-enterprise-agent-platform/models/model-versions";
/// Google's Unified Maintenance locations page: a Google list of every region with its city.
const REGION_LIST: &str = "https://docs.cloud.google.com/unified-maintenance/docs/locations";
/// The date these facts were checked.
const CHECKED: &str = "2026-12-06";

fn catalog() -> &'static Catalog {
    Catalog::builtin()
}

fn model(id: &str) -> &'static Model {
    catalog()
        .model(Cloud::Gcp, id)
        .unwrap_or_else(|| panic!("gcp model {id} is not in the catalog"))
}

fn offer(id: &str, processing: Processing) -> Option<&'static Offer> {
    model(id).offers.iter().find(|o| o.processing == processing)
}

fn available(id: &str, processing: Processing, location: &str) -> bool {
    offer(id, processing).is_some_and(|o| o.regions.iter().any(|r| r == location))
}

fn guaranteed(id: &str, processing: Processing, location: &str) -> bool {
    offer(id, processing).is_some_and(|o| {
        o.processing_guarantee
            .as_ref()
            .is_some_and(|g| g.iter().any(|r| r == location))
    })
}

fn footprint(
    id: &str,
    region: &str,
    processing: Processing,
) -> Result<meridian_catalog::Footprint, CatalogError> {
    catalog().footprint(&TargetQuery {
        cloud: Cloud::Gcp,
        model: id,
        version: None,
        region,
        processing,
        billing: meridian_catalog::Billing::OnDemand,
    })
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn is_url(s: &str) -> bool {
    s.starts_with("https://") && s.len() > "https://".len()
}

// ------------------------------------------------------------------ data-residency page

/// "Gemini Embedding (gemini-embedding-001) | Yes | Yes | (no other column)": the guarantee
/// covers the US and EU multi-regions only. The locations page makes it available at Warsaw
/// (europe-central2), where it therefore runs without an in-location guarantee.
#[test]
fn gemini_embedding_is_available_in_warsaw_without_the_guarantee() {
    let id = "gemini-embedding-001";
    assert!(available(id, Processing::Region, "europe-central2"));
    assert!(!guaranteed(id, Processing::Region, "europe-central2"));
    let region = offer(id, Processing::Region).unwrap();
    assert_eq!(region.processing_guarantee.as_deref(), Some(&[][..]));
    for location in ["europe-west4", "europe-west9", "us-central1"] {
        assert!(available(id, Processing::Region, location), "{location}");
        assert!(!guaranteed(id, Processing::Region, location), "{location}");
    }
    for location in ["eu", "us"] {
        assert!(available(id, Processing::Geography, location));
        assert!(
            guaranteed(id, Processing::Geography, location),
            "{location}"
        );
    }
    assert_eq!(region.guarantee_source.as_deref(), Some(DATA_RESIDENCY));
}

/// Data-residency table of 2026-07-04: "Gemini 3.5 Flash | US Yes | EU Yes | ... | UK Yes | India
/// Yes | Japan Yes | Singapore Yes", no mark for France or the Netherlands; the model card's "ML
/// processing" row of 2026-08-20 adds Canada (northamerica-northeast1) and Germany (europe-west3).
#[test]
fn gemini_3_5_flash_guarantee_rows() {
    let id = "gemini-3.5-flash";
    for location in [
        "northamerica-northeast1",
        "europe-west2",
        "europe-west3",
        "asia-south1",
        "asia-northeast1",
        "asia-southeast1",
    ] {
        assert!(guaranteed(id, Processing::Region, location), "{location}");
    }
    for location in [
        "europe-west4",
        "europe-west9",
        "europe-central2",
        "us-central1",
    ] {
        assert!(!available(id, Processing::Region, location), "{location}");
        assert!(!guaranteed(id, Processing::Region, location), "{location}");
    }
    assert!(guaranteed(id, Processing::Geography, "eu"));
    assert!(guaranteed(id, Processing::Geography, "us"));
}

/// "Gemini 2.5 Flash, 1M | US | EU | Canada | Singapore" and "Gemini 2.5 Pro, 1M | US | EU |
/// Canada": only the marks both context variants share are recorded; the Netherlands column
/// is empty for both.
#[test]
fn gemini_2_5_guarantee_rows() {
    assert!(guaranteed(
        "gemini-2.5-flash",
        Processing::Region,
        "northamerica-northeast1"
    ));
    assert!(guaranteed(
        "gemini-2.5-flash",
        Processing::Region,
        "asia-southeast1"
    ));
    assert!(available(
        "gemini-2.5-flash",
        Processing::Region,
        "europe-west4"
    ));
    assert!(!guaranteed(
        "gemini-2.5-flash",
        Processing::Region,
        "europe-west4"
    ));
    assert!(guaranteed(
        "gemini-2.5-pro",
        Processing::Region,
        "northamerica-northeast1"
    ));
    assert!(available(
        "gemini-2.5-pro",
        Processing::Region,
        "europe-central2"
    ));
    assert!(!guaranteed(
        "gemini-2.5-pro",
        Processing::Region,
        "europe-central2"
    ));
    assert!(!guaranteed(
        "gemini-2.5-pro",
        Processing::Region,
        "asia-northeast1"
    ));
}

/// Partner models. Claude Sonnet 4.5's model card (2026-07-08) lists ML processing as "United
/// States: Multi-region, Europe: Multi-region, Asia Pacific: asia-southeast1": only Singapore is an
/// in-location commitment (the 2026-07-04 table also ticked Belgium; the narrower claim is not
/// recorded). "Claude Opus 4.7 | US | EU", no regional endpoint. Mistral Medium 3 at
/// europe-west4 with ML processing "Europe: Multi-region".
#[test]
fn partner_model_guarantee_rows() {
    let sonnet = "claude-sonnet-4-5@20250929";
    assert!(guaranteed(sonnet, Processing::Region, "asia-southeast1"));
    assert!(available(sonnet, Processing::Region, "europe-west1"));
    assert!(!guaranteed(sonnet, Processing::Region, "europe-west1"));
    assert!(!guaranteed(sonnet, Processing::Region, "us-east5"));
    assert!(guaranteed(sonnet, Processing::Geography, "eu"));

    assert!(offer("claude-opus-4-7", Processing::Region).is_none());
    assert!(guaranteed("claude-opus-4-7", Processing::Geography, "eu"));
    assert!(guaranteed("claude-opus-4-7", Processing::Geography, "us"));

    assert!(available(
        "mistral-medium-3",
        Processing::Region,
        "europe-west4"
    ));
    assert!(!guaranteed(
        "mistral-medium-3",
        Processing::Region,
        "europe-west4"
    ));
    assert!(offer("mistral-medium-3", Processing::Geography).is_none());
}

// ------------------------------------------------------------------ locations page / model cards

/// Rows of the model cards' "Model availability" that the locations page links to.
#[test]
fn availability_rows() {
    // "Gemini 3.1 Pro: Global: global" only.
    let pro = model("gemini-3.1-pro-preview");
    assert_eq!(pro.offered_processing(), vec![Processing::Global]);
    assert_eq!(pro.lifecycle, Lifecycle::Preview);
    // "Gemini 3.1 Flash-Lite: Global; Multi-region: us, eu": no regional endpoint.
    assert!(offer("gemini-3.1-flash-lite", Processing::Region).is_none());
    assert!(available(
        "gemini-3.1-flash-lite",
        Processing::Geography,
        "eu"
    ));
    // "Llama 4 Maverick: United States: us-east5".
    let llama = offer(
        "llama-4-maverick-17b-128e-instruct-maas",
        Processing::Region,
    )
    .unwrap();
    assert_eq!(llama.regions, ["us-east5"]);
    // "Claude Haiku 4.5: us-east5, europe-west1, global endpoint" (not Singapore).
    assert!(available(
        "claude-haiku-4-5@20251001",
        Processing::Region,
        "europe-west1"
    ));
    assert!(!available(
        "claude-haiku-4-5@20251001",
        Processing::Region,
        "asia-southeast1"
    ));
    // Gemini 3.5 Flash is not offered at the Netherlands endpoint: the error names where it is.
    let err = footprint("gemini-3.5-flash", "europe-west4", Processing::Region).unwrap_err();
    match err {
        CatalogError::NotOffered {
            offered_regions,
            offered_processing,
            ..
        } => {
            assert!(offered_regions.contains(&"europe-west3".to_owned()));
            assert!(!offered_regions.contains(&"europe-west4".to_owned()));
            assert_eq!(
                offered_processing,
                vec![Processing::Geography, Processing::Global]
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(LOCATIONS.ends_with("/resources/locations"));
}

// ------------------------------------------------------------------ model-versions page

/// "gemini-2.5-pro | June 17, 2025 | October 20, 2026 | Gemini 3.5 Flash" (the date was
/// October 16 until late July 2026), "gemini-2.0-flash | ... | June 1, 2026 |
/// gemini-3.1-flash-lite", "gemini-embedding-001 | May 20, 2025 | No sooner than May 20, 2028".
#[test]
fn lifecycle_rows() {
    let pro = model("gemini-2.5-pro");
    assert_eq!(pro.lifecycle, Lifecycle::Retired);
    assert_eq!(pro.retirement_date.as_deref(), Some("2026-10-20"));
    assert_eq!(pro.replacement.as_deref(), Some("gemini-3.5-flash"));
    assert_eq!(pro.source, MODEL_VERSIONS);
    let flash = model("gemini-2.5-flash");
    assert_eq!(flash.retirement_date.as_deref(), Some("2026-10-20"));
    assert_eq!(flash.replacement.as_deref(), Some("gemini-3.5-flash-lite"));
    let old = model("gemini-2.0-flash-001");
    assert_eq!(old.retirement_date.as_deref(), Some("2026-06-01"));
    assert_eq!(old.replacement.as_deref(), Some("gemini-3.1-flash-lite"));
    assert_eq!(
        footprint("gemini-2.5-pro", "eu", Processing::Geography).unwrap_err(),
        CatalogError::Retired {
            version: None,
            date: Some("2026-10-20".to_owned()),
            replacement: Some("gemini-3.5-flash".to_owned()),
        }
    );
    let embedding = model("gemini-embedding-001");
    assert_eq!(embedding.lifecycle, Lifecycle::Ga);
    assert_eq!(embedding.retirement_date, None);
    // Current models are not retired.
    for id in [
        "gemini-3.5-flash",
        "gemini-3.1-flash-lite",
        "gemini-3.8-flash",
    ] {
        assert!(footprint(id, "eu", Processing::Geography).is_ok(), "{id}");
    }
}

// ------------------------------------------------------------------ region list

/// "Berlin | europe-west10", "Turin | europe-west12", "Stockholm | europe-north2",
/// "London | europe-west2", "Zurich | europe-west6", "Doha | me-central1",
/// "Los Angeles | us-west2"; the eu multi-region covers EU member states only.
#[test]
fn region_rows() {
    let c = catalog();
    for (id, country, multi) in [
        ("europe-west10", "DE", Some("eu")),
        ("europe-west12", "IT", Some("eu")),
        ("europe-north2", "SE", Some("eu")),
        ("europe-central2", "PL", Some("eu")),
        ("europe-west2", "GB", None),
        ("europe-west6", "CH", None),
        ("me-central1", "QA", None),
        ("africa-south1", "ZA", None),
        ("us-west2", "US", Some("us")),
        ("northamerica-northeast2", "CA", None),
    ] {
        let r = c
            .region(Cloud::Gcp, id)
            .unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(r.country, country, "{id}");
        assert_eq!(r.multi_region.as_deref(), multi, "{id}");
    }
    assert_eq!(
        c.region(Cloud::Gcp, "europe-west10").unwrap().source,
        REGION_LIST
    );
    // Through the eu multi-region from Berlin: every footprint country is an EU member state.
    let f = footprint("gemini-3.5-flash", "europe-west10", Processing::Geography).unwrap();
    assert_eq!(f.profile.as_deref(), Some("eu"));
    let eu = c.geography("eu").unwrap();
    assert!(f.countries.iter().all(|x| eu.countries.contains(x)));
    assert!(f.regions.iter().any(|r| r.id == "europe-west12"));
    assert!(!f.countries.contains(&"GB".to_owned()) && !f.countries.contains(&"CH".to_owned()));
    // A name that is not a region still gets a suggestion.
    assert!(matches!(
        footprint("gemini-3.5-flash", "europe-west11", Processing::Geography),
        Err(CatalogError::UnknownRegion { .. })
    ));
}

// ------------------------------------------------------------------ prices

/// Claude on Google Cloud: regional and multi-region endpoints cost 10% more than global
/// (Sonnet 4.5 and later); Gemini prices are recorded for the global endpoint, unverified.
#[test]
fn price_rows() {
    let sonnet = model("claude-sonnet-4-5@20250929");
    let global = sonnet.price(Processing::Global).unwrap();
    let regional = sonnet.price(Processing::Region).unwrap();
    assert!((global.input_per_1m - 3.0).abs() < 1e-9 && (global.output_per_1m - 15.0).abs() < 1e-9);
    assert!((regional.input_per_1m - 3.3).abs() < 1e-9);
    assert!((regional.output_per_1m - 16.5).abs() < 1e-9);
    let flash = model("gemini-3.5-flash").price(Processing::Global).unwrap();
    assert!((flash.input_per_1m - 1.5).abs() < 1e-9 && (flash.output_per_1m - 9.0).abs() < 1e-9);
    assert!(!flash.verified);
    assert!(model("gemini-3.7-flash").no_price.is_some());
}

// ------------------------------------------------------------------ completeness

#[test]
fn every_gcp_region_and_geography_offer_carries_the_guarantee() {
    for m in catalog().models(Some(Cloud::Gcp)) {
        for o in &m.offers {
            let what = format!("{} {} offer", m.id, o.processing);
            match o.processing {
                Processing::Region | Processing::Geography => {
                    let g = o
                        .processing_guarantee
                        .as_ref()
                        .unwrap_or_else(|| panic!("{what}: processing_guarantee not set"));
                    for location in g {
                        assert!(
                            o.regions.contains(location),
                            "{what}: {location} guaranteed but not available"
                        );
                    }
                    let unique: BTreeSet<&String> = g.iter().collect();
                    assert_eq!(unique.len(), g.len(), "{what}: repeated location");
                    let source = o.guarantee_source.as_deref().unwrap_or_default();
                    assert!(
                        is_url(source) && source.contains("data-residency"),
                        "{what}: {source:?}"
                    );
                }
                Processing::Global => {
                    assert_eq!(o.regions, ["global"], "{what}");
                    assert!(o.processing_guarantee.is_none(), "{what}");
                }
            }
        }
    }
}

#[test]
fn every_gcp_model_has_a_price_or_says_why_not() {
    for m in catalog().models(Some(Cloud::Gcp)) {
        let priced = !m.prices.is_empty();
        assert!(
            priced != m.no_price.is_some(),
            "{}: prices xor no_price",
            m.id
        );
        for p in &m.prices {
            assert!(is_url(&p.source) && is_date(&p.as_of), "{} price", m.id);
            assert!(p.input_per_1m > 0.0, "{}: a $0 input price", m.id);
            assert!(
                p.output_per_1m.is_finite() && p.output_per_1m >= 0.0,
                "{}",
                m.id
            );
            if p.output_per_1m == 0.0 {
                assert!(
                    m.has_capability(meridian_catalog::Capability::Embeddings),
                    "{}",
                    m.id
                );
            }
            if !p.verified {
                assert!(
                    p.note.as_deref().is_some_and(|n| !n.is_empty()),
                    "{}: unverified price without a note",
                    m.id
                );
            }
        }
        if let Some(n) = &m.no_price {
            assert!(
                !n.reason.trim().is_empty() && is_url(&n.source) && is_date(&n.as_of),
                "{}",
                m.id
            );
        }
    }
}

#[test]
fn every_gcp_fact_has_a_source_a_date_and_a_consistent_lifecycle() {
    let c = catalog();
    for m in c.models(Some(Cloud::Gcp)) {
        let what = &m.id;
        assert!(is_url(&m.source) && is_date(&m.as_of), "{what}");
        assert!(m.as_of.as_str() <= CHECKED, "{what}");
        for o in &m.offers {
            assert!(
                is_url(&o.source) && is_date(&o.as_of),
                "{what} {} offer",
                o.processing
            );
            assert!(!o.regions.is_empty(), "{what}");
            if !o.verified {
                assert!(o.note.is_some(), "{what}: unverified offer without a note");
            }
        }
        for d in [&m.retirement_date, &m.deprecation_date]
            .into_iter()
            .flatten()
        {
            assert!(is_date(d), "{what}: {d}");
        }
        if m.lifecycle == Lifecycle::Retired {
            assert!(
                m.retirement_date.is_some(),
                "{what}: retired without a date"
            );
        }
        if let Some(r) = &m.replacement {
            assert!(
                c.model(Cloud::Gcp, r).is_some(),
                "{what}: replacement {r} not in the catalog"
            );
        }
        assert!(m.versions.is_empty(), "{what}");
    }
}

#[test]
fn every_gcp_region_is_sourced_and_its_boundary_follows_its_country() {
    let c = catalog();
    let eu = c.geography("eu").unwrap();
    let regions: Vec<_> = c.regions(Some(Cloud::Gcp)).collect();
    assert!(regions.len() >= 40, "{} regions", regions.len());
    for r in regions {
        assert!(is_url(&r.source) && is_date(&r.as_of), "{}", r.id);
        let expected = if eu.countries.contains(&r.country) {
            Some("eu")
        } else if r.country == "US" {
            Some("us")
        } else {
            None
        };
        assert_eq!(
            r.multi_region.as_deref(),
            expected,
            "{} ({})",
            r.id,
            r.country
        );
        if !r.verified {
            assert!(r.note.is_some(), "{}: unverified without a note", r.id);
        }
    }
}
