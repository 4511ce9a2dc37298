//! The shipped catalog data: it loads, its references resolve, every fact has a source.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use meridian_catalog::{builtin_files, Catalog, CatalogFile, Cloud, Processing};

fn is_url(s: &str) -> bool {
    s.starts_with("https://") && s.len() > "https://".len()
}

fn is_date(s: &str) -> bool {
    s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-'
}

#[test]
fn builtin_loads_with_a_date() {
    let c = Catalog::builtin();
    assert!(is_date(c.as_of()), "as_of {:?}", c.as_of());
}

#[test]
fn every_builtin_file_has_as_of_and_parses_on_its_own() {
    for (name, text) in builtin_files() {
        let file: CatalogFile =
            serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let as_of = file.as_of.unwrap_or_else(|| panic!("{name} has no as_of"));
        assert!(is_date(&as_of), "{name}: as_of {as_of:?}");
    }
}

#[test]
fn counts() {
    let c = Catalog::builtin();
    let regions = c.regions(None).count();
    let models = c.models(None).count();
    assert!(regions >= 60, "{regions} regions");
    assert!(models >= 15, "{models} models");
    for cloud in Cloud::ALL {
        assert!(c.regions(Some(cloud)).count() >= 20, "{cloud} regions");
        assert!(c.models(Some(cloud)).count() >= 5, "{cloud} models");
    }
    assert_eq!(c.countries().count(), 249);
}

#[test]
fn regions_and_models_are_sorted() {
    let c = Catalog::builtin();
    let regions: Vec<(Cloud, &str)> = c.regions(None).map(|r| (r.cloud, r.id.as_str())).collect();
    let mut sorted = regions.clone();
    sorted.sort();
    assert_eq!(regions, sorted);
    let models: Vec<(Cloud, &str)> = c.models(None).map(|m| (m.cloud, m.id.as_str())).collect();
    let mut sorted = models.clone();
    sorted.sort();
    assert_eq!(models, sorted);
    assert!(c
        .regions(Some(Cloud::Azure))
        .all(|r| r.cloud == Cloud::Azure));
}

#[test]
fn every_region_country_is_known() {
    let c = Catalog::builtin();
    for r in c.regions(None) {
        assert!(
            c.is_country(&r.country),
            "{} {}: {}",
            r.cloud,
            r.id,
            r.country
        );
        assert!(is_url(&r.source), "{} {}: source", r.cloud, r.id);
        assert!(is_date(&r.as_of));
    }
}

#[test]
fn every_geography_country_is_known() {
    let c = Catalog::builtin();
    let codes: BTreeSet<&str> = c.geographies().map(|g| g.code.as_str()).collect();
    for code in [
        "eu", "eea", "europe", "us", "ca", "gb", "ch", "jp", "au", "in", "br", "kr", "sg", "apac",
    ] {
        assert!(codes.contains(code), "missing geography {code}");
    }
    for g in c.geographies() {
        assert!(!g.countries.is_empty());
        for country in &g.countries {
            assert!(c.is_country(country), "{}: {country}", g.code);
        }
        assert!(is_url(&g.source));
    }
    let eu = c.geography("eu").unwrap();
    assert_eq!(eu.countries.len(), 27);
    assert!(!eu.countries.contains(&"GB".to_owned()));
    let eea = c.geography("eea").unwrap();
    assert_eq!(eea.countries.len(), 30);
    let europe = c.geography("europe").unwrap();
    assert_eq!(europe.countries.len(), 32);
    assert!(europe.countries.contains(&"CH".to_owned()));
    assert!(c
        .geography("apac")
        .unwrap()
        .countries
        .contains(&"IN".to_owned()));
    assert!(!c
        .geography("apac")
        .unwrap()
        .countries
        .contains(&"CN".to_owned()));
}

#[test]
fn country_codes() {
    let c = Catalog::builtin();
    assert!(c.is_country("DE"));
    assert!(c.is_country("CH"));
    assert!(!c.is_country("de"));
    assert!(!c.is_country("EU"));
    assert!(!c.is_country("UK"));
    assert_eq!(c.country_name("SE"), Some("Sweden"));
}

#[test]
fn every_offer_region_exists() {
    let c = Catalog::builtin();
    let multi: BTreeSet<&str> = c.multi_regions().collect();
    assert_eq!(multi, BTreeSet::from(["eu", "us"]));
    for m in c.models(None) {
        for o in &m.offers {
            assert!(
                !o.regions.is_empty(),
                "{} {} {}",
                m.cloud,
                m.id,
                o.processing
            );
            for r in &o.regions {
                let ok = match (m.cloud, o.processing) {
                    (Cloud::Gcp, Processing::Geography) => multi.contains(r.as_str()),
                    (Cloud::Gcp, Processing::Global) => r == "global",
                    _ => c.region(m.cloud, r).is_some(),
                };
                assert!(
                    ok,
                    "{} {} {} offer: unknown region {r}",
                    m.cloud, m.id, o.processing
                );
            }
            for p in &o.profiles {
                for (source, destinations) in &p.routes {
                    assert!(c.region(Cloud::Aws, source).is_some(), "{source}");
                    for d in destinations {
                        assert!(c.region(Cloud::Aws, d).is_some(), "{d}");
                    }
                }
            }
        }
    }
}

#[test]
fn every_fact_has_a_source_and_date() {
    let c = Catalog::builtin();
    for m in c.models(None) {
        let what = format!("{} {}", m.cloud, m.id);
        assert!(is_url(&m.source), "{what}");
        assert!(is_date(&m.as_of), "{what}");
        assert!(m.context_window > 0, "{what}");
        assert!(!m.capabilities.is_empty(), "{what}");
        for o in &m.offers {
            assert!(is_url(&o.source), "{what} offer");
            assert!(is_date(&o.as_of), "{what} offer");
            for p in &o.profiles {
                assert!(is_url(&p.source), "{what} profile");
                assert!(is_date(&p.as_of), "{what} profile");
            }
        }
        for p in &m.prices {
            assert!(is_url(&p.source), "{what} price");
            assert!(is_date(&p.as_of), "{what} price");
            assert!(
                p.input_per_1m >= 0.0 && p.output_per_1m >= 0.0,
                "{what} price"
            );
        }
        for v in &m.versions {
            assert!(is_url(&v.source), "{what} version");
            assert!(is_date(&v.as_of), "{what} version");
        }
        if let Some(d) = &m.retirement_date {
            assert!(is_date(d), "{what}");
        }
    }
}

#[test]
fn azure_models_pin_versions_and_others_do_not() {
    let c = Catalog::builtin();
    for m in c.models(None) {
        match m.cloud {
            Cloud::Azure => assert!(!m.versions.is_empty(), "{}", m.id),
            Cloud::Aws | Cloud::Gcp => assert!(m.versions.is_empty(), "{}", m.id),
        }
    }
}

#[test]
fn region_attributes_match_their_cloud() {
    let c = Catalog::builtin();
    for r in c.regions(None) {
        match r.cloud {
            Cloud::Aws => {
                assert!(r.partition.is_some());
                assert!(r.azure_geography.is_none() && r.data_zone.is_none());
                assert!(r.multi_region.is_none());
            }
            Cloud::Azure => {
                assert!(r.azure_geography.is_some());
                assert!(r.partition.is_none() && r.multi_region.is_none());
            }
            Cloud::Gcp => {
                assert!(r.partition.is_none() && r.azure_geography.is_none());
                assert!(r.data_zone.is_none());
            }
        }
    }
    let aws = |id: &str| c.region(Cloud::Aws, id).unwrap();
    assert_eq!(aws("eu-west-2").country, "GB");
    assert_eq!(aws("eu-central-2").country, "CH");
    assert_eq!(
        aws("us-gov-west-1").partition.as_deref(),
        Some("aws-us-gov")
    );
    let azure = |id: &str| c.region(Cloud::Azure, id).unwrap();
    assert_eq!(azure("swedencentral").data_zone.as_deref(), Some("eu"));
    assert_eq!(azure("uksouth").data_zone, None);
    assert_eq!(
        azure("westeurope").azure_geography.as_deref(),
        Some("Europe")
    );
    let gcp = |id: &str| c.region(Cloud::Gcp, id).unwrap();
    assert_eq!(gcp("europe-west4").multi_region.as_deref(), Some("eu"));
    assert_eq!(gcp("europe-west2").multi_region, None);
    assert_eq!(gcp("europe-west6").multi_region, None);
}

#[test]
fn model_helpers() {
    let c = Catalog::builtin();
    let sonnet = c
        .model(Cloud::Aws, "anthropic.claude-sonnet-4-5-20250929-v1:0")
        .unwrap();
    assert_eq!(
        sonnet.offered_processing(),
        vec![Processing::Geography, Processing::Global]
    );
    assert!(sonnet.has_capability(meridian_catalog::Capability::Tools));
    assert!(!sonnet.has_capability(meridian_catalog::Capability::Embeddings));
    let global = sonnet.price(Processing::Global).unwrap();
    assert!((global.input_per_1m - 3.0).abs() < 1e-9);
    assert!((global.output_per_1m - 15.0).abs() < 1e-9);
    assert!(sonnet.price(Processing::Region).is_none());
    assert!(sonnet
        .profile_ids()
        .contains(&"eu.anthropic.claude-sonnet-4-5-20250929-v1:0".to_owned()));

    let gpt41 = c.model(Cloud::Azure, "gpt-4.1").unwrap();
    assert_eq!(gpt41.retirement(Some("2025-04-14")), Some("2027-04-14"));
    let gpt52 = c.model(Cloud::Azure, "gpt-5.2").unwrap();
    assert_eq!(gpt52.retirement(Some("2025-12-11")), Some("2026-12-12"));
    assert_eq!(gpt52.retirement(None), None);
}
