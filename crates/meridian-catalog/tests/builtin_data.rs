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

/// Every fact of a catalog file without an https `source` or a real `as_of` date, one line
/// each, naming the item. Walks every country (source only: ISO codes carry no date),
/// geography, region, model, version, offer (and its guarantee source), profile, price and
/// no_price.
fn unsourced(name: &str, file: &CatalogFile) -> Vec<String> {
    let mut out = Vec::new();
    match &file.as_of {
        Some(d) if is_real_date(d) => {}
        other => out.push(format!("{name}: the file's as_of {other:?} is not a date")),
    }
    let mut fact = |what: String, source: &str, as_of: Option<&str>| {
        if !is_url(source) {
            out.push(format!(
                "{name}: {what}: source {source:?} is not an https URL"
            ));
        }
        if let Some(d) = as_of {
            if !is_real_date(d) {
                out.push(format!("{name}: {what}: as_of {d:?} is not a date"));
            }
        }
    };
    for c in &file.countries {
        fact(format!("country {}", c.code), &c.source, None);
    }
    for g in &file.geographies {
        fact(format!("geography {}", g.code), &g.source, Some(&g.as_of));
    }
    for r in &file.regions {
        fact(
            format!("{} region {}", r.cloud, r.id),
            &r.source,
            Some(&r.as_of),
        );
    }
    let mut dates = Vec::new();
    for m in &file.models {
        let model = format!("{} model {}", m.cloud, m.id);
        fact(model.clone(), &m.source, Some(&m.as_of));
        for (field, d) in [
            ("retirement_date", &m.retirement_date),
            ("deprecation_date", &m.deprecation_date),
        ] {
            if let Some(d) = d {
                dates.push((format!("{model}: {field}"), d.clone()));
            }
        }
        for v in &m.versions {
            let what = format!("{model} version {}", v.version);
            fact(what.clone(), &v.source, Some(&v.as_of));
            for (field, d) in [
                ("retirement_date", &v.retirement_date),
                ("deprecation_date", &v.deprecation_date),
            ] {
                if let Some(d) = d {
                    dates.push((format!("{what}: {field}"), d.clone()));
                }
            }
        }
        for (i, o) in m.offers.iter().enumerate() {
            let what = format!("{model} offer {} ({})", i + 1, o.processing);
            fact(what.clone(), &o.source, Some(&o.as_of));
            if o.processing_guarantee.is_some() {
                fact(
                    format!("{what} processing_guarantee"),
                    o.guarantee_source.as_deref().unwrap_or(""),
                    None,
                );
            }
            if let Some(d) = &o.retirement_date {
                dates.push((format!("{what}: retirement_date"), d.clone()));
            }
            for p in &o.profiles {
                fact(
                    format!("{model} profile {}", p.prefix),
                    &p.source,
                    Some(&p.as_of),
                );
            }
        }
        for p in &m.prices {
            fact(
                format!("{model} {} price", p.processing),
                &p.source,
                Some(&p.as_of),
            );
        }
        if let Some(n) = &m.no_price {
            fact(format!("{model} no_price"), &n.source, Some(&n.as_of));
        }
    }
    for (what, d) in dates {
        if !is_real_date(&d) {
            out.push(format!("{name}: {what} {d:?} is not a date"));
        }
    }
    out
}

/// A YYYY-MM-DD date that exists on the calendar.
fn is_real_date(s: &str) -> bool {
    if !is_date(s)
        || !s
            .chars()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d) && y >= 2000
}

#[test]
fn every_builtin_fact_has_an_https_source_and_a_date() {
    let mut problems = Vec::new();
    let mut facts = 0;
    for (name, text) in builtin_files() {
        let file: CatalogFile = serde_json::from_str(text).unwrap();
        facts += file.countries.len() + file.geographies.len() + file.regions.len();
        for m in &file.models {
            facts += 1 + m.versions.len() + m.offers.len() + m.prices.len();
            facts += m.offers.iter().map(|o| o.profiles.len()).sum::<usize>();
        }
        problems.extend(unsourced(name, &file));
    }
    assert!(facts > 500, "walked only {facts} facts");
    assert!(
        problems.is_empty(),
        "{} facts lack a source or date:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_facts_guard_catches_every_kind_of_missing_source_or_date() {
    let broken = r#"{
      "as_of": "2026-02-30",
      "countries": [{"code": "DE", "name": "Germany", "source": "ISO"}],
      "geographies": [{"code": "x", "name": "X", "countries": ["DE"], "source": "", "as_of": "2026-11-25"}],
      "regions": [{"cloud": "aws", "id": "r", "name": "R", "country": "DE", "partition": "aws",
                   "source": "http://insecure.example", "as_of": "2026-11-25"}],
      "models": [{
        "cloud": "gcp", "id": "m", "name": "M", "context_window": 1, "capabilities": ["chat"],
        "lifecycle": "ga", "deprecation_date": "2026-13-01",
        "versions": [{"version": "1", "lifecycle": "ga", "source": "https://ok.example", "as_of": "soon"}],
        "offers": [{"processing": "region", "billing": ["on_demand"], "regions": ["r"],
                    "processing_guarantee": ["r"],
                    "source": "https://ok.example", "as_of": "2026-11-25",
                    "profiles": [{"prefix": "eu", "routes": {"r": ["r"]}, "source": "docs", "as_of": "2026-11-25"}]}],
        "prices": [{"processing": "region", "input_per_1m": 1, "output_per_1m": 1,
                    "source": "https://ok.example", "as_of": "2026-11-31"}],
        "no_price": {"reason": "none", "source": "pricing page", "as_of": "2026-11-25"},
        "source": "https://ok.example", "as_of": "2026-11-25"
      }]
    }"#;
    let file: CatalogFile = serde_json::from_str(broken).unwrap();
    let problems = unsourced("broken.json", &file);
    for expected in [
        "the file's as_of",
        "country DE: source",
        "geography x: source",
        "aws region r: source",
        "gcp model m: deprecation_date",
        "gcp model m version 1: as_of",
        "gcp model m offer 1 (region) processing_guarantee: source",
        "gcp model m profile eu: source",
        "gcp model m region price: as_of",
        "gcp model m no_price: source",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{expected:?} not reported in {problems:#?}"
        );
    }
    assert_eq!(problems.len(), 10, "{problems:#?}");
}
