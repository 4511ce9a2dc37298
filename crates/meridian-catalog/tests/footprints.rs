//! Processing footprints, including the residency traps the catalog must get right.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::time::Instant;

use meridian_catalog::{Billing, Catalog, CatalogError, Cloud, Footprint, Processing, TargetQuery};

const SONNET_45: &str = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU_45: &str = "anthropic.claude-haiku-4-5-20251001-v1:0";
const NOVA_PRO: &str = "amazon.nova-pro-v1:0";

fn q<'a>(
    cloud: Cloud,
    model: &'a str,
    version: Option<&'a str>,
    region: &'a str,
    processing: Processing,
) -> TargetQuery<'a> {
    TargetQuery {
        cloud,
        model,
        version,
        region,
        processing,
        billing: Billing::OnDemand,
    }
}

fn fp(query: &TargetQuery<'_>) -> Footprint {
    Catalog::builtin()
        .footprint(query)
        .unwrap_or_else(|e| panic!("{query:?}: {}", e.describe(query)))
}

fn ids(f: &Footprint) -> Vec<&str> {
    f.regions.iter().map(|r| r.id.as_str()).collect()
}

fn countries(f: &Footprint) -> BTreeSet<&str> {
    f.countries.iter().map(String::as_str).collect()
}

fn in_geography(f: &Footprint, code: &str) -> bool {
    let geo = Catalog::builtin().geography(code).unwrap();
    f.countries.iter().all(|c| geo.countries.contains(c))
}

const EU6: [&str; 6] = [
    "eu-central-1",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-3",
];

#[test]
fn bedrock_eu_profile_from_frankfurt_stays_in_eu_member_states() {
    for model in [SONNET_45, HAIKU_45] {
        let f = fp(&q(
            Cloud::Aws,
            model,
            None,
            "eu-central-1",
            Processing::Geography,
        ));
        assert_eq!(ids(&f), EU6);
        assert_eq!(f.profile.as_deref(), Some(format!("eu.{model}").as_str()));
        assert!(in_geography(&f, "eu"), "{:?}", f.countries);
        assert!(!f.countries.contains(&"GB".to_owned()));
        assert!(!f.countries.contains(&"CH".to_owned()));
        assert!(f.is_verified());
    }
}

#[test]
fn bedrock_eu_profile_from_london_adds_gb() {
    let f = fp(&q(
        Cloud::Aws,
        SONNET_45,
        None,
        "eu-west-2",
        Processing::Geography,
    ));
    assert!(ids(&f).contains(&"eu-west-2"));
    assert!(countries(&f).contains("GB"));
    assert!(!in_geography(&f, "eu"));
    assert!(in_geography(&f, "europe"));
    assert_eq!(f.regions.len(), 7);
}

#[test]
fn bedrock_eu_profile_from_zurich_adds_ch() {
    let f = fp(&q(
        Cloud::Aws,
        HAIKU_45,
        None,
        "eu-central-2",
        Processing::Geography,
    ));
    assert!(ids(&f).contains(&"eu-central-2"));
    assert!(countries(&f).contains("CH"));
    assert!(!countries(&f).contains("GB"));
    assert!(!in_geography(&f, "eu"));
}

#[test]
fn bedrock_apac_profile_from_singapore_reaches_india() {
    let f = fp(&q(
        Cloud::Aws,
        NOVA_PRO,
        None,
        "ap-southeast-1",
        Processing::Geography,
    ));
    assert_eq!(f.profile.as_deref(), Some("apac.amazon.nova-pro-v1:0"));
    assert_eq!(
        ids(&f),
        [
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-northeast-3",
            "ap-south-1",
            "ap-southeast-1",
            "ap-southeast-2"
        ]
    );
    assert!(countries(&f).contains("IN"));
    assert!(!in_geography(&f, "sg"));
    assert!(in_geography(&f, "apac"));
}

#[test]
fn sonnet_45_cannot_be_called_in_region() {
    let query = q(
        Cloud::Aws,
        SONNET_45,
        None,
        "eu-central-1",
        Processing::Region,
    );
    let err = Catalog::builtin().footprint(&query).unwrap_err();
    let CatalogError::NotInRegion { geography_profiles } = &err else {
        panic!("{err:?}");
    };
    assert!(geography_profiles.contains(&format!("eu.{SONNET_45}")));
    assert!(geography_profiles.contains(&format!("global.{SONNET_45}")));
    assert!(err.describe(&query).contains("geography"));
    assert_eq!(err.code().id, "MRD-CAT-007");
}

#[test]
fn haiku_45_in_region_only_where_offered() {
    let f = fp(&q(
        Cloud::Aws,
        HAIKU_45,
        None,
        "eu-west-1",
        Processing::Region,
    ));
    assert_eq!(ids(&f), ["eu-west-1"]);
    assert_eq!(f.countries, ["IE"]);
    assert_eq!(f.profile, None);
    let err = Catalog::builtin()
        .footprint(&q(
            Cloud::Aws,
            HAIKU_45,
            None,
            "eu-central-1",
            Processing::Region,
        ))
        .unwrap_err();
    match err {
        CatalogError::NotOffered {
            processing,
            offered_regions,
            offered_processing,
        } => {
            assert_eq!(processing, Processing::Region);
            assert_eq!(
                offered_regions,
                [
                    "ap-northeast-1",
                    "ap-southeast-4",
                    "eu-north-1",
                    "eu-west-1",
                    "us-east-1"
                ]
            );
            assert_eq!(
                offered_processing,
                [Processing::Geography, Processing::Global]
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bedrock_global_is_every_commercial_region() {
    let c = Catalog::builtin();
    let f = fp(&q(
        Cloud::Aws,
        SONNET_45,
        None,
        "eu-central-1",
        Processing::Global,
    ));
    assert_eq!(
        f.profile.as_deref(),
        Some(format!("global.{SONNET_45}").as_str())
    );
    let commercial = c
        .regions(Some(Cloud::Aws))
        .filter(|r| r.partition.as_deref() == Some("aws"))
        .count();
    assert_eq!(f.regions.len(), commercial);
    assert!(!ids(&f).contains(&"us-gov-west-1"));
    assert!(countries(&f).contains("US"));
}

#[test]
fn bedrock_profile_prefix_comes_from_data_not_region_name() {
    // No built-in model has two geographic prefixes serving one source today, so an overlay
    // gives one: Tokyo is a source of both jp. and apac.; the narrower jp. profile is used.
    let overlay = r#"{"models": [{
      "cloud": "aws", "id": "example.two-prefixes-v1:0", "name": "Two prefixes",
      "context_window": 200000, "capabilities": ["chat"], "lifecycle": "ga",
      "offers": [{"processing": "geography", "billing": ["on_demand"],
        "profiles": [
          {"prefix": "jp", "routes": {"ap-northeast-1": ["ap-northeast-1", "ap-northeast-3"]},
           "source": "https://example.com/jp", "as_of": "2026-12-01"},
          {"prefix": "apac", "routes": {
             "ap-northeast-1": ["ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1"],
             "ap-northeast-2": ["ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1"]},
           "verified": false, "source": "https://example.com/apac", "as_of": "2026-12-01"}],
        "source": "https://example.com/offer", "as_of": "2026-12-01"}],
      "no_price": {"reason": "test model", "source": "https://example.com/price", "as_of": "2026-12-01"},
      "source": "https://example.com/model", "as_of": "2026-12-01"}]}"#;
    let c = Catalog::builtin().with_overlay(overlay).unwrap();
    let at = |region| {
        c.footprint(&q(
            Cloud::Aws,
            "example.two-prefixes-v1:0",
            None,
            region,
            Processing::Geography,
        ))
        .unwrap()
    };
    let f = at("ap-northeast-1");
    assert_eq!(f.profile.as_deref(), Some("jp.example.two-prefixes-v1:0"));
    assert_eq!(f.countries, ["JP"]);
    assert!(f.is_verified());
    // Seoul has only apac., and that profile is unverified.
    let f = at("ap-northeast-2");
    assert_eq!(f.profile.as_deref(), Some("apac.example.two-prefixes-v1:0"));
    assert_eq!(f.countries, ["IN", "JP", "KR", "SG"]);
    assert!(!f.is_verified());
}

#[test]
fn azure_data_zone_from_sweden_stays_in_eu_data_zone() {
    let f = fp(&q(
        Cloud::Azure,
        "gpt-5.1",
        Some("2025-11-13"),
        "swedencentral",
        Processing::Geography,
    ));
    assert_eq!(f.profile.as_deref(), Some("DataZoneStandard"));
    // Microsoft (deployment types, August 2026): the EU Data Zone processes within the Azure
    // EU Data Boundary, which can include EFTA countries; the catalog counts every Azure region
    // in an EU or EFTA country.
    assert_eq!(
        countries(&f),
        BTreeSet::from([
            "AT", "BE", "CH", "DE", "DK", "ES", "FR", "IE", "IT", "NL", "NO", "PL", "SE"
        ])
    );
    assert!(!countries(&f).contains("GB"));
    assert!(!countries(&f).contains("US"));
    assert!(in_geography(&f, "europe"));
    assert!(!in_geography(&f, "eu"));
}

#[test]
fn azure_data_zone_not_offered_outside_a_zone() {
    let err = Catalog::builtin()
        .footprint(&q(
            Cloud::Azure,
            "gpt-5",
            Some("2025-08-07"),
            "uksouth",
            Processing::Geography,
        ))
        .unwrap_err();
    let CatalogError::NotOffered {
        offered_regions,
        offered_processing,
        ..
    } = err
    else {
        panic!("{err:?}");
    };
    assert!(offered_regions.contains(&"swedencentral".to_owned()));
    assert!(!offered_regions.contains(&"uksouth".to_owned()));
    assert_eq!(offered_processing, [Processing::Region, Processing::Global]);
}

#[test]
fn azure_standard_is_the_account_regions_geography() {
    let f = fp(&q(
        Cloud::Azure,
        "gpt-5.1",
        Some("2025-11-13"),
        "swedencentral",
        Processing::Region,
    ));
    assert_eq!(f.profile.as_deref(), Some("Standard"));
    // The Azure geography "Sweden": Sweden Central and Sweden South.
    assert_eq!(ids(&f), ["swedencentral", "swedensouth"]);
    assert_eq!(f.countries, ["SE"]);
}

#[test]
fn azure_global_includes_us() {
    let c = Catalog::builtin();
    let f = fp(&q(
        Cloud::Azure,
        "gpt-5.1",
        Some("2025-11-13"),
        "swedencentral",
        Processing::Global,
    ));
    assert_eq!(f.profile.as_deref(), Some("GlobalStandard"));
    assert!(countries(&f).contains("US"));
    assert_eq!(f.regions.len(), c.regions(Some(Cloud::Azure)).count());
}

#[test]
fn azure_provisioned_skus() {
    let c = Catalog::builtin();
    let mut query = q(
        Cloud::Azure,
        "gpt-5.1",
        Some("2025-11-13"),
        "swedencentral",
        Processing::Geography,
    );
    query.billing = Billing::Provisioned;
    assert_eq!(
        c.footprint(&query).unwrap().profile.as_deref(),
        Some("DataZoneProvisionedManaged")
    );
    query.processing = Processing::Global;
    assert_eq!(
        c.footprint(&query).unwrap().profile.as_deref(),
        Some("GlobalProvisionedManaged")
    );
    // Embedding models have no provisioned offers.
    let mut emb = q(
        Cloud::Azure,
        "text-embedding-3-large",
        Some("1"),
        "swedencentral",
        Processing::Region,
    );
    emb.billing = Billing::Provisioned;
    assert_eq!(
        c.footprint(&emb).unwrap_err(),
        CatalogError::BillingNotOffered {
            offered: vec![Billing::OnDemand]
        }
    );
}

#[test]
fn azure_versions() {
    let c = Catalog::builtin();
    let err = c
        .footprint(&q(
            Cloud::Azure,
            "gpt-5.1",
            None,
            "swedencentral",
            Processing::Global,
        ))
        .unwrap_err();
    assert_eq!(
        err,
        CatalogError::VersionRequired {
            known: vec!["2025-11-13".to_owned()]
        }
    );
    let err = c
        .footprint(&q(
            Cloud::Azure,
            "gpt-5.1",
            Some("2024-01-01"),
            "swedencentral",
            Processing::Global,
        ))
        .unwrap_err();
    assert!(matches!(err, CatalogError::UnknownVersion { .. }));
    let err = c
        .footprint(&q(
            Cloud::Aws,
            SONNET_45,
            Some("1"),
            "eu-central-1",
            Processing::Geography,
        ))
        .unwrap_err();
    assert_eq!(err, CatalogError::VersionNotApplicable);
}

#[test]
fn retired_models_are_reported_with_their_date() {
    let c = Catalog::builtin();
    let err = c
        .footprint(&q(
            Cloud::Azure,
            "o4-mini",
            Some("2025-04-16"),
            "swedencentral",
            Processing::Global,
        ))
        .unwrap_err();
    assert_eq!(
        err,
        CatalogError::Retired {
            version: Some("2025-04-16".to_owned()),
            date: Some("2026-10-16".to_owned()),
            replacement: None,
        }
    );
    assert_eq!(err.code().id, "MRD-CAT-009");
    let err = c
        .footprint(&q(
            Cloud::Gcp,
            "gemini-2.5-pro",
            None,
            "europe-west4",
            Processing::Geography,
        ))
        .unwrap_err();
    assert_eq!(
        err,
        CatalogError::Retired {
            version: None,
            date: Some("2026-10-20".to_owned()),
            replacement: Some("gemini-3.5-flash".to_owned()),
        }
    );
}

#[test]
fn gcp_multi_region_eu_stays_in_eu() {
    for (region, profile) in [("europe-west4", "eu"), ("eu", "eu")] {
        let f = fp(&q(
            Cloud::Gcp,
            "claude-sonnet-4-5@20250929",
            None,
            region,
            Processing::Geography,
        ));
        assert_eq!(f.profile.as_deref(), Some(profile));
        assert!(in_geography(&f, "eu"), "{:?}", f.countries);
        assert!(!ids(&f).contains(&"europe-west2"));
        assert!(!ids(&f).contains(&"europe-west6"));
    }
    // London is in no multi-region.
    let err = Catalog::builtin()
        .footprint(&q(
            Cloud::Gcp,
            "claude-sonnet-4-5@20250929",
            None,
            "europe-west2",
            Processing::Geography,
        ))
        .unwrap_err();
    assert!(
        matches!(err, CatalogError::NotOffered { ref offered_regions, .. } if offered_regions == &["eu", "us"])
    );
}

#[test]
fn gcp_region_and_global() {
    let c = Catalog::builtin();
    // Google guarantees in-region processing for Gemini 3.5 Flash at europe-west3.
    let f = fp(&q(
        Cloud::Gcp,
        "gemini-3.5-flash",
        None,
        "europe-west3",
        Processing::Region,
    ));
    assert_eq!(ids(&f), ["europe-west3"]);
    assert_eq!(f.profile.as_deref(), Some("europe-west3"));
    assert_eq!(f.widened, None);
    assert_eq!(f.processing, Processing::Region);
    // Claude at europe-west1 is available without that guarantee: processed anywhere.
    let f = fp(&q(
        Cloud::Gcp,
        "claude-sonnet-4-5@20250929",
        None,
        "europe-west1",
        Processing::Region,
    ));
    assert_eq!(f.regions.len(), c.regions(Some(Cloud::Gcp)).count());
    assert!(f.widened.is_some());
    assert_eq!(f.processing, Processing::Global);
    let f = fp(&q(
        Cloud::Gcp,
        "claude-sonnet-4-5@20250929",
        None,
        "global",
        Processing::Global,
    ));
    assert_eq!(f.profile.as_deref(), Some("global"));
    assert_eq!(f.regions.len(), c.regions(Some(Cloud::Gcp)).count());
    assert!(f.is_verified());
}

#[test]
fn unknown_names_get_suggestions() {
    let c = Catalog::builtin();
    let err = c
        .footprint(&q(
            Cloud::Aws,
            &format!("eu.{SONNET_45}"),
            None,
            "eu-central-1",
            Processing::Geography,
        ))
        .unwrap_err();
    assert_eq!(
        err,
        CatalogError::UnknownModel {
            suggestion: Some(SONNET_45.to_owned())
        }
    );
    let err = c
        .footprint(&q(
            Cloud::Azure,
            "gpt-5.l",
            Some("2025-11-13"),
            "swedencentral",
            Processing::Global,
        ))
        .unwrap_err();
    assert!(
        matches!(
            err,
            CatalogError::UnknownModel {
                suggestion: Some(_)
            }
        ),
        "{err:?}"
    );
    let err = c
        .footprint(&q(
            Cloud::Azure,
            "gpt-5.1",
            Some("2025-11-13"),
            "swedencentrl",
            Processing::Global,
        ))
        .unwrap_err();
    assert_eq!(
        err,
        CatalogError::UnknownRegion {
            suggestion: Some("swedencentral".to_owned())
        }
    );
    let query = q(
        Cloud::Aws,
        SONNET_45,
        None,
        "EU-CENTRAL-1",
        Processing::Geography,
    );
    let err = c.footprint(&query).unwrap_err();
    assert_eq!(
        err,
        CatalogError::UnknownRegion {
            suggestion: Some("eu-central-1".to_owned())
        }
    );
    assert!(err
        .describe(&query)
        .contains("Did you mean \"eu-central-1\""));
    // A region of another cloud is not a region of this one.
    assert!(matches!(
        c.footprint(&q(
            Cloud::Aws,
            SONNET_45,
            None,
            "swedencentral",
            Processing::Geography
        )),
        Err(CatalogError::UnknownRegion { .. })
    ));
}

#[test]
fn footprint_is_fast() {
    let c = Catalog::builtin();
    let azure_versioned = [("gpt-5.1", "2025-11-13"), ("text-embedding-3-large", "1")];
    let mut queries = Vec::new();
    for p in Processing::ALL {
        queries.push(q(
            Cloud::Aws,
            SONNET_45,
            None,
            "eu-west-2",
            Processing::Geography,
        ));
        queries.push(q(Cloud::Aws, HAIKU_45, None, "eu-west-1", p));
        queries.push(q(
            Cloud::Aws,
            NOVA_PRO,
            None,
            "ap-southeast-1",
            Processing::Geography,
        ));
        for (m, v) in azure_versioned {
            queries.push(q(Cloud::Azure, m, Some(v), "swedencentral", p));
        }
        queries.push(q(
            Cloud::Gcp,
            "claude-sonnet-4-5@20250929",
            None,
            "europe-west1",
            p,
        ));
    }
    let n = 10_000;
    // Warm up the OnceLock and caches.
    for query in &queries {
        c.footprint(query).unwrap();
    }
    let start = Instant::now();
    let mut total = 0usize;
    for i in 0..n {
        total += c
            .footprint(&queries[i % queries.len()])
            .unwrap()
            .regions
            .len();
    }
    let elapsed = start.elapsed();
    assert!(total > 0);
    // Release builds run this in a few milliseconds; unoptimised test builds get headroom.
    let limit_ms = if cfg!(debug_assertions) { 500 } else { 50 };
    assert!(
        elapsed.as_millis() < limit_ms,
        "{n} footprints took {elapsed:?}"
    );
    eprintln!("{n} footprints in {elapsed:?}");
}
