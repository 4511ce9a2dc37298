//! Azure facts pinned to Microsoft's own pages, so a careless edit of `models-azure.json` or
//! `regions-azure.json` is caught. Each group names the page (and the commit of
//! MicrosoftDocs/azure-ai-docs it was read at) and quotes the rows it checks, positive and
//! negative. The completeness checks at the end hold for every Azure entry.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use meridian_catalog::{
    builtin_files, Billing, Capability, Catalog, CatalogError, CatalogFile, Cloud, Footprint,
    Lifecycle, Model, Processing, TargetQuery,
};

/// The date these facts were checked.
const CHECKED: &str = "2026-12-06";

/// Model matrix, "Region availability for Foundry Models sold by Azure": the include files
/// `articles/foundry/foundry-models/includes/model-matrix/deployments-standard.md` (ms.date
/// 2026-06-11) and `deployments-provisioned.md` (ms.date 2026-05-11), both read at this commit
/// (July 2026; the matrix moved here from `articles/foundry/openai/includes/model-matrix/`).
const MATRIX_COMMIT: &str = "00bb5540c93f4bf3d1d78fe21e36c6dbc2930026";

/// Model retirement schedule, `articles/foundry/openai/includes/concepts-model-retirement-schedule-content.md`:
/// read in full at `MATRIX_COMMIT` (ms.date 2026-07-07); the rows Microsoft moved in the
/// 2026-08-19 revision are recorded from this commit.
const SCHEDULE_REVISED_COMMIT: &str = "19bbfea4b8cdc87e92f542b9d7c47f3a4c7f6b10";

/// Azure regions list (ms.date 2025-09-23) and region pairs.
const REGIONS_LIST: &str = "https://learn.microsoft.com/azure/reliability/regions-list";

/// Deployment types, `concepts-deployment-types-content-6.md` (ms.date 2026-08-06).
const DEPLOYMENT_TYPES_COMMIT: &str = "4f575cb893489688fd7d97905e986df9089266ba";

/// Microsoft's retail price list, as captured on 2026-08-11.
const PRICES: &str = "https://prices.azure.com/api/retail/prices";
const PRICES_AS_OF: &str = "2026-08-11";

fn catalog() -> &'static Catalog {
    Catalog::builtin()
}

fn model(id: &str) -> &'static Model {
    catalog()
        .model(Cloud::Azure, id)
        .unwrap_or_else(|| panic!("azure model {id} is missing"))
}

fn query<'a>(
    model: &'a str,
    version: &'a str,
    region: &'a str,
    processing: Processing,
    billing: Billing,
) -> TargetQuery<'a> {
    TargetQuery {
        cloud: Cloud::Azure,
        model,
        version: Some(version),
        region,
        processing,
        billing,
    }
}

fn footprint(q: &TargetQuery<'_>) -> Result<Footprint, CatalogError> {
    catalog().footprint(q)
}

/// Whether a deployment of `sku` exists for the model version in the region.
fn offered(model: &str, version: &str, region: &str, sku: &str) -> bool {
    let (processing, billing) = match sku {
        "Standard" => (Processing::Region, Billing::OnDemand),
        "ProvisionedManaged" => (Processing::Region, Billing::Provisioned),
        "DataZoneStandard" => (Processing::Geography, Billing::OnDemand),
        "DataZoneProvisionedManaged" => (Processing::Geography, Billing::Provisioned),
        "GlobalStandard" => (Processing::Global, Billing::OnDemand),
        "GlobalProvisionedManaged" => (Processing::Global, Billing::Provisioned),
        other => panic!("unknown SKU {other}"),
    };
    match footprint(&query(model, version, region, processing, billing)) {
        Ok(f) => {
            assert_eq!(f.profile.as_deref(), Some(sku));
            true
        }
        Err(CatalogError::NotOffered { .. } | CatalogError::BillingNotOffered { .. }) => false,
        Err(e) => panic!("{model} {version} {region} {sku}: {e:?}"),
    }
}

fn countries(f: &Footprint) -> BTreeSet<&str> {
    f.countries.iter().map(String::as_str).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn sources_are_the_pages_read() {
    let matrix = format!(
        "https://github.com/MicrosoftDocs/azure-ai-docs/blob/{MATRIX_COMMIT}/articles/foundry/foundry-models/includes/model-matrix/deployments-standard.md"
    );
    let gpt54 = model("gpt-5.4");
    assert!(gpt54.offers.iter().any(|o| o.source == matrix));
    assert!(gpt54
        .versions
        .iter()
        .all(|v| v.source.contains(SCHEDULE_REVISED_COMMIT)));
    assert!(model("gpt-5.2")
        .versions
        .iter()
        .all(|v| v.source.contains(MATRIX_COMMIT)));
    let sweden = catalog().region(Cloud::Azure, "swedencentral").unwrap();
    assert_eq!(sweden.source, REGIONS_LIST);
    assert!(sweden
        .note
        .as_deref()
        .unwrap()
        .contains(DEPLOYMENT_TYPES_COMMIT));
}

// Model matrix, Data Zone standard, Europe tab:
// | gpt-5.4 | 2026-03-05 | ✅ (francecentral) | ✅ | ✅ | ✅ (norwayeast) | ✅ | ✅ | ✅ | ✅ (switzerlandnorth) | ✅ |
// | gpt-5.5 | 2026-04-24 | ✅ | ✅ | ✅ | ✅ | ✅ | ✅ | ✅ | ✅ | ✅ |
// | gpt-5.1 | 2025-11-13 | ✅ (francecentral) | - | - | - | - | - | ✅ (swedencentral) | - | - |
// gpt-5.2, gpt-5.4-mini and gpt-5.3-codex have Data Zone Standard rows in the Americas tab only.
#[test]
fn matrix_data_zone_standard_rows() {
    for region in [
        "francecentral",
        "germanywestcentral",
        "italynorth",
        "norwayeast",
        "polandcentral",
        "spaincentral",
        "swedencentral",
        "switzerlandnorth",
        "westeurope",
    ] {
        assert!(
            offered("gpt-5.4", "2026-03-05", region, "DataZoneStandard"),
            "{region}"
        );
        assert!(
            offered("gpt-5.5", "2026-04-24", region, "DataZoneStandard"),
            "{region}"
        );
    }
    assert!(offered(
        "gpt-5.1",
        "2025-11-13",
        "francecentral",
        "DataZoneStandard"
    ));
    assert!(offered(
        "gpt-5.1",
        "2025-11-13",
        "swedencentral",
        "DataZoneStandard"
    ));
    assert!(!offered(
        "gpt-5.1",
        "2025-11-13",
        "germanywestcentral",
        "DataZoneStandard"
    ));
    assert!(!offered(
        "gpt-5.2",
        "2025-12-11",
        "swedencentral",
        "DataZoneStandard"
    ));
    assert!(offered(
        "gpt-5.2",
        "2025-12-11",
        "eastus2",
        "DataZoneStandard"
    ));
    assert!(!offered(
        "gpt-5.4-mini",
        "2026-03-17",
        "francecentral",
        "DataZoneStandard"
    ));
    assert!(!offered(
        "gpt-5.3-codex",
        "2026-02-24",
        "westeurope",
        "DataZoneStandard"
    ));
    // "Asia Pacific: Not available" and no Data Zone in the UK.
    assert!(!offered(
        "gpt-5.4",
        "2026-03-05",
        "japaneast",
        "DataZoneStandard"
    ));
    assert!(!offered(
        "gpt-5.4",
        "2026-03-05",
        "uksouth",
        "DataZoneStandard"
    ));
}

// Model matrix, Standard/Regional, Europe tab (francecentral, germanywestcentral, norwayeast,
// polandcentral, spaincentral, swedencentral, switzerlandnorth, uksouth, westeurope):
// | gpt-4o | 2024-11-20 | ✅ | - | ✅ | - | - | ✅ | ✅ | ✅ | - |
// Regional Provisioned, Europe: | gpt-4o | 2024-11-20 | - | ✅ (germanywestcentral) | ... |
// | gpt-5.1 | 2025-11-13 | - | - | - | - | - | ✅ | - | - | - |
// | text-embedding-3-small | 1 | - | - | - | - | - | - | ✅ | - | - |
#[test]
fn matrix_standard_rows() {
    assert!(offered("gpt-4o", "2024-11-20", "francecentral", "Standard"));
    assert!(!offered(
        "gpt-4o",
        "2024-11-20",
        "germanywestcentral",
        "Standard"
    ));
    assert!(!offered("gpt-4o", "2024-11-20", "westeurope", "Standard"));
    assert!(offered(
        "gpt-5.1",
        "2025-11-13",
        "swedencentral",
        "Standard"
    ));
    assert!(!offered("gpt-5.1", "2025-11-13", "uksouth", "Standard"));
    assert!(offered(
        "text-embedding-3-small",
        "1",
        "switzerlandnorth",
        "Standard"
    ));
    assert!(!offered(
        "text-embedding-3-small",
        "1",
        "swedencentral",
        "Standard"
    ));
    // In Germany West Central gpt-4o 2024-11-20 has only a Regional Provisioned row, so a
    // pay-per-token regional target is told which billing exists there.
    let err = footprint(&query(
        "gpt-4o",
        "2024-11-20",
        "germanywestcentral",
        Processing::Region,
        Billing::OnDemand,
    ))
    .unwrap_err();
    assert_eq!(
        err,
        CatalogError::BillingNotOffered {
            offered: vec![Billing::Provisioned]
        }
    );
    // Italy North has no Standard or Regional Provisioned column at all: the error names where
    // Standard is offered and what Italy North does offer.
    let err = footprint(&query(
        "gpt-4o",
        "2024-11-20",
        "italynorth",
        Processing::Region,
        Billing::OnDemand,
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
    assert!(offered_regions.contains(&"francecentral".to_owned()));
    assert!(!offered_regions.contains(&"italynorth".to_owned()));
    assert_eq!(
        offered_processing,
        [Processing::Geography, Processing::Global]
    );
}

// Model matrix, Regional / Data Zone / Global Provisioned Managed:
// Regional, Americas: | gpt-5.5 | 2026-04-24 | - | - | - | - | ✅ (eastus) | - | ... |
// Regional, Europe:   | gpt-5.4 | 2026-03-05 | ... | ✅ (uksouth) | - |
// Data Zone, Europe:  gpt-5.4 ✅ in all seven regions; gpt-5.4-mini has no Europe row.
// Global, Europe:     | gpt-5 | 2025-08-07 | ✅ ... ✅ (switzerlandwest) ... |
// Global standard, Europe: | gpt-5 | 2025-08-07 | ... | - (switzerlandwest) | ... |
#[test]
fn matrix_provisioned_rows() {
    assert!(offered(
        "gpt-5.5",
        "2026-04-24",
        "eastus",
        "ProvisionedManaged"
    ));
    assert!(!offered(
        "gpt-5.5",
        "2026-04-24",
        "swedencentral",
        "ProvisionedManaged"
    ));
    assert!(offered(
        "gpt-5.4",
        "2026-03-05",
        "uksouth",
        "ProvisionedManaged"
    ));
    assert!(!offered(
        "gpt-5.4",
        "2026-03-05",
        "westeurope",
        "ProvisionedManaged"
    ));
    assert!(offered(
        "gpt-5.4",
        "2026-03-05",
        "westeurope",
        "DataZoneProvisionedManaged"
    ));
    assert!(!offered(
        "gpt-5.4-mini",
        "2026-03-17",
        "westeurope",
        "DataZoneProvisionedManaged"
    ));
    assert!(offered(
        "gpt-5",
        "2025-08-07",
        "switzerlandwest",
        "GlobalProvisionedManaged"
    ));
    assert!(!offered(
        "gpt-5",
        "2025-08-07",
        "switzerlandwest",
        "GlobalStandard"
    ));
    // | gpt-5.4-pro | 2026-03-05 | Global standard in eastus2, southcentralus, polandcentral,
    // swedencentral only.
    let pro = &model("gpt-5.4-pro").offers;
    assert_eq!(pro.len(), 1);
    assert_eq!(
        pro[0].regions,
        [
            "eastus2",
            "polandcentral",
            "southcentralus",
            "swedencentral"
        ]
    );
    // Embedding models have no provisioned deployments.
    assert!(!offered(
        "text-embedding-3-large",
        "1",
        "swedencentral",
        "ProvisionedManaged"
    ));
}

// Retirement schedule, 2026-07-07 (read in full):
// | gpt-4o | 2024-05-13 | Deprecated | 2026-10-01 | gpt-5.1 |
// | gpt-5.2 | 2025-12-11 | GA | 2026-12-12 | — |
// | gpt-5.2-chat | 2026-02-10 | Retired | 2026-06-29 | gpt-chat-latest |
// | gpt-5.1-codex-max | 2025-12-04 | GA | 2026-12-05 | — |
// | o4-mini | 2025-04-16 | Deprecated | 2026-10-16 | — |
// | text-embedding-3-large | 1 | GA | 2027-04-15 | — |
// Revised 2026-08-19 (lines 29, 34, 60 and 64):
// | gpt-4.1 | 2025-04-14 | Legacy | 2027-04-14 | — |
// | gpt-4o | 2024-11-20 | Legacy | 2027-04-14 | gpt-5.1 |
// | gpt-5.4 | 2026-03-05 | GA | 2027-09-02 | — |
// | gpt-5.5 | 2026-04-24 | GA | 2027-10-26 | — |
#[test]
fn retirement_schedule_rows() {
    let c = catalog();
    let version = |m: &str, v: &str| model(m).version(v).unwrap().clone();

    let gpt41 = version("gpt-4.1", "2025-04-14");
    assert_eq!(gpt41.lifecycle, Lifecycle::Legacy);
    assert_eq!(gpt41.retirement_date.as_deref(), Some("2027-04-14"));
    let gpt4o = version("gpt-4o", "2024-11-20");
    assert_eq!(gpt4o.lifecycle, Lifecycle::Legacy);
    assert_eq!(gpt4o.retirement_date.as_deref(), Some("2027-04-14"));
    assert_eq!(gpt4o.replacement.as_deref(), Some("gpt-5.1"));
    assert_eq!(
        version("gpt-5.4", "2026-03-05").retirement_date.as_deref(),
        Some("2027-09-02")
    );
    let gpt55 = version("gpt-5.5", "2026-04-24");
    assert_eq!(gpt55.lifecycle, Lifecycle::Ga);
    assert_eq!(gpt55.retirement_date.as_deref(), Some("2027-10-26"));
    let chat = version("gpt-5.2-chat", "2026-02-10");
    assert_eq!(chat.lifecycle, Lifecycle::Retired);
    assert_eq!(chat.replacement.as_deref(), Some("gpt-chat-latest"));
    assert_eq!(
        version("text-embedding-3-large", "1")
            .retirement_date
            .as_deref(),
        Some("2027-04-15")
    );

    // Versions Microsoft still serves are usable: the catalog must not call them retired.
    for (m, v) in [
        ("gpt-4.1", "2025-04-14"),
        ("gpt-4o", "2024-11-20"),
        ("gpt-5.2", "2025-12-11"),
    ] {
        let f = footprint(&query(
            m,
            v,
            "swedencentral",
            Processing::Global,
            Billing::OnDemand,
        ));
        assert!(f.is_ok(), "{m} {v}: {f:?}");
    }
    // Retired versions are errors that carry Microsoft's date.
    for (m, v, date) in [
        ("gpt-4o", "2024-05-13", "2026-10-01"),
        ("o4-mini", "2025-04-16", "2026-10-16"),
        ("gpt-5.1-codex-max", "2025-12-04", "2026-12-05"),
    ] {
        let err = footprint(&query(
            m,
            v,
            "eastus2",
            Processing::Global,
            Billing::OnDemand,
        ))
        .unwrap_err();
        let CatalogError::Retired {
            version: got_version,
            date: got_date,
            ..
        } = err
        else {
            panic!("{m} {v}: expected Retired, got {err:?}");
        };
        assert_eq!(
            (got_version.as_deref(), got_date.as_deref()),
            (Some(v), Some(date)),
            "{m} {v}"
        );
        assert!(date <= c.as_of());
    }
    // Standard deployments of gpt-4o 2024-08-06 retired early (2026-03-31); Global Standard
    // of the same version is still served.
    let err = footprint(&query(
        "gpt-4o",
        "2024-08-06",
        "eastus",
        Processing::Region,
        Billing::OnDemand,
    ))
    .unwrap_err();
    assert_eq!(
        err,
        CatalogError::Retired {
            version: Some("2024-08-06".to_owned()),
            date: Some("2026-03-31".to_owned()),
            replacement: Some("gpt-5.1".to_owned()),
        }
    );
    assert!(footprint(&query(
        "gpt-4o",
        "2024-08-06",
        "eastus",
        Processing::Global,
        Billing::OnDemand
    ))
    .is_ok());
}

// Regions list (Region | ... | Physical location | Geography | Programmatic name):
// | North Europe | ... | Ireland | Europe | northeurope |
// | West Europe | ... | Netherlands | Europe | westeurope |
// | East Asia | ... | Hong Kong SAR | Asia Pacific | eastasia |
// | Chile Central | ... | Santiago | Chile | chilecentral |
// | Malaysia West | ... | n/a | Malaysia | malaysiawest |
// | Qatar Central | ... | Doha | Qatar | qatarcentral |
// | UAE North | ... | Dubai | UAE | uaenorth |
#[test]
fn regions_list_rows() {
    let c = catalog();
    let region = |id: &str| {
        c.region(Cloud::Azure, id)
            .unwrap_or_else(|| panic!("azure region {id} is missing"))
    };
    for (id, country, geography) in [
        ("northeurope", "IE", "Europe"),
        ("westeurope", "NL", "Europe"),
        ("eastasia", "HK", "Asia Pacific"),
        ("southeastasia", "SG", "Asia Pacific"),
        ("chilecentral", "CL", "Chile"),
        ("malaysiawest", "MY", "Malaysia"),
        ("qatarcentral", "QA", "Qatar"),
        ("uaenorth", "AE", "UAE"),
        ("austriaeast", "AT", "Austria"),
        ("indonesiacentral", "ID", "Indonesia"),
        ("mexicocentral", "MX", "Mexico"),
        ("israelcentral", "IL", "Israel"),
        ("newzealandnorth", "NZ", "New Zealand"),
    ] {
        let r = region(id);
        assert_eq!(r.country, country, "{id}");
        assert_eq!(r.azure_geography.as_deref(), Some(geography), "{id}");
        assert!(r.verified, "{id}");
    }
    // A real region the catalog lacked was rejected as a typo.
    assert!(c.region(Cloud::Azure, "belgiumcentral").is_some());
    // Microsoft Cloud Deutschland regions closed in 2021 and are not public regions.
    assert!(c.region(Cloud::Azure, "germanycentral").is_none());
    assert!(c.region(Cloud::Azure, "germanynortheast").is_none());
    assert!(c.regions(Some(Cloud::Azure)).count() >= 55);
}

// Deployment types (2026-08-06): "The EU Data Zone follows the Azure EU Data Boundary, which
// can include European Free Trade Association (EFTA) countries and regions such as Norway and
// Switzerland in addition to EU member states." / "Asia Pacific: The service processes data
// within the APAC data zone." / Standard: "processed within the customer-specified Azure
// geography".
#[test]
fn deployment_types_data_zones() {
    let c = catalog();
    let zone = |id: &str| c.region(Cloud::Azure, id).unwrap().data_zone.as_deref();
    for id in [
        "swedencentral",
        "northeurope",
        "norwayeast",
        "switzerlandnorth",
        "austriaeast",
    ] {
        assert_eq!(zone(id), Some("eu"), "{id}");
    }
    for id in [
        "uksouth",
        "ukwest",
        "canadacentral",
        "brazilsouth",
        "uaenorth",
    ] {
        assert_eq!(zone(id), None, "{id}");
    }
    assert_eq!(zone("eastus2"), Some("us"));
    assert_eq!(zone("japaneast"), Some("apac"));

    // gpt-5.4 Data Zone Standard from Germany: the EU Data Zone, in Europe but not only in the
    // EU (Norway and Switzerland), never the UK or the US.
    let f = footprint(&query(
        "gpt-5.4",
        "2026-03-05",
        "germanywestcentral",
        Processing::Geography,
        Billing::OnDemand,
    ))
    .unwrap();
    let got = countries(&f);
    for country in ["DE", "FR", "IE", "NO", "CH", "SE"] {
        assert!(got.contains(country), "{country}: {got:?}");
    }
    assert!(!got.contains("GB") && !got.contains("US"), "{got:?}");
    let europe = c.geography("europe").unwrap();
    assert!(got.iter().all(|x| europe.countries.iter().any(|e| e == x)));

    // Standard from Sweden Central: the Sweden geography only.
    let f = footprint(&query(
        "gpt-5.1",
        "2025-11-13",
        "swedencentral",
        Processing::Region,
        Billing::OnDemand,
    ))
    .unwrap();
    assert_eq!(f.countries, ["SE"]);
}

// Retail price list (USD): "5.4 inp Gl 1M Tokens" 2.5, "5.4 opt Gl 1M Tokens" 15,
// "5.4 inp Dz 1M Tokens" 2.75, "5.4 opt Dz 1M Tokens" 16.5; "gpt 4.1 Inp regnl Tokens"
// 0.0022 per 1K, "gpt 4.1 Outp regnl Tokens" 0.0088 per 1K (US base rate);
// "text-embedding-3-large-glbl Tokens" 0.00013 per 1K.
#[test]
fn price_list_rows() {
    let price = |m: &str, p: Processing| {
        let pr = model(m)
            .price(p)
            .unwrap_or_else(|| panic!("{m} {p}: no price"))
            .clone();
        assert_eq!(pr.source, PRICES);
        assert_eq!(pr.as_of, PRICES_AS_OF);
        assert!(!pr.verified, "read from the price list, not the price page");
        (pr.input_per_1m, pr.output_per_1m)
    };
    let (i, o) = price("gpt-5.4", Processing::Global);
    assert!(close(i, 2.5) && close(o, 15.0));
    let (i, o) = price("gpt-5.4", Processing::Geography);
    assert!(close(i, 2.75) && close(o, 16.5));
    let (i, o) = price("gpt-4.1", Processing::Region);
    assert!(close(i, 2.2) && close(o, 8.8));
    let (i, o) = price("text-embedding-3-large", Processing::Global);
    assert!(close(i, 0.13) && close(o, 0.0));
    // No Regional meter exists for gpt-5.1, so there is no regional price.
    assert!(model("gpt-5.1").price(Processing::Region).is_none());
    assert!(model("gpt-5.1").price(Processing::Global).is_some());
}

// --- Completeness over every Azure entry ---------------------------------------------------

fn is_url(s: &str) -> bool {
    s.starts_with("https://") && s.len() > "https://".len()
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

fn azure_file(name: &str) -> CatalogFile {
    let (_, text) = builtin_files()
        .iter()
        .find(|(n, _)| n.ends_with(name))
        .unwrap_or_else(|| panic!("no built-in file {name}"));
    serde_json::from_str(text).unwrap()
}

#[test]
fn every_version_has_lifecycle_date_and_source() {
    let as_of = catalog().as_of();
    for m in catalog().models(Some(Cloud::Azure)) {
        assert!(!m.versions.is_empty(), "{}", m.id);
        for v in &m.versions {
            let what = format!("{} {}", m.id, v.version);
            assert!(is_url(&v.source), "{what}: source");
            assert!(is_date(&v.as_of), "{what}: as_of");
            assert!(v.as_of.as_str() <= CHECKED, "{what}: as_of in the future");
            if let Some(d) = &v.retirement_date {
                assert!(is_date(d), "{what}");
                // A version past its retirement date is called retired, and only then.
                assert_eq!(
                    d.as_str() <= as_of,
                    v.lifecycle == Lifecycle::Retired,
                    "{what}: lifecycle {} with retirement date {d}",
                    v.lifecycle
                );
            } else {
                assert_ne!(
                    v.lifecycle,
                    Lifecycle::Retired,
                    "{what}: retired without a date"
                );
            }
            if let (Some(dep), Some(ret)) = (&v.deprecation_date, &v.retirement_date) {
                assert!(
                    is_date(dep) && dep <= ret,
                    "{what}: deprecation after retirement"
                );
            }
        }
        // The model's lifecycle is that of its least retired version.
        let all_retired = m.versions.iter().all(|v| v.lifecycle == Lifecycle::Retired);
        assert_eq!(
            m.lifecycle == Lifecycle::Retired,
            all_retired,
            "{}: lifecycle {}",
            m.id,
            m.lifecycle
        );
    }
}

#[test]
fn every_offer_region_is_in_the_azure_regions_file() {
    let regions = azure_file("regions-azure.json");
    let known: BTreeSet<&str> = regions.regions.iter().map(|r| r.id.as_str()).collect();
    let models = azure_file("models-azure.json");
    assert!(!models.models.is_empty());
    for m in &models.models {
        assert_eq!(m.cloud, Cloud::Azure);
        let versions: BTreeSet<&str> = m.versions.iter().map(|v| v.version.as_str()).collect();
        assert!(!m.offers.is_empty(), "{}", m.id);
        for o in &m.offers {
            let what = format!("{} {} {:?}", m.id, o.processing, o.billing);
            assert!(is_url(&o.source) && is_date(&o.as_of), "{what}");
            assert!(
                o.profiles.is_empty() && o.processing_guarantee.is_none(),
                "{what}"
            );
            assert!(!o.regions.is_empty(), "{what}");
            for r in &o.regions {
                assert!(known.contains(r.as_str()), "{what}: region {r}");
                if o.processing == Processing::Geography {
                    let zone = regions
                        .regions
                        .iter()
                        .find(|x| &x.id == r)
                        .and_then(|x| x.data_zone.as_deref());
                    assert!(zone.is_some(), "{what}: {r} is in no data zone");
                }
            }
            for v in &o.versions {
                assert!(versions.contains(v.as_str()), "{what}: version {v}");
            }
        }
    }
}

#[test]
fn every_model_has_prices_or_says_why_not() {
    for m in catalog().models(Some(Cloud::Azure)) {
        assert!(
            m.prices.is_empty() != m.no_price.is_none(),
            "{}: needs prices or no_price (not both)",
            m.id
        );
        if let Some(np) = &m.no_price {
            assert!(!np.reason.is_empty() && is_url(&np.source) && is_date(&np.as_of));
        }
        let embeddings = m.has_capability(Capability::Embeddings);
        for p in &m.prices {
            let what = format!("{} {}", m.id, p.processing);
            assert!(is_url(&p.source) && is_date(&p.as_of), "{what}");
            assert!(p.input_per_1m > 0.0, "{what}: no $0 input price");
            // Embeddings bill input tokens only; every other model has an output price.
            assert_eq!(p.output_per_1m > 0.0, !embeddings, "{what}: output price");
            // A price is only recorded for a processing mode the model is offered with.
            assert!(
                m.offers.iter().any(|o| o.processing == p.processing),
                "{what}: priced but not offered"
            );
            if !p.verified {
                assert!(p.note.as_deref().is_some_and(|n| !n.is_empty()), "{what}");
            }
        }
    }
}

#[test]
fn regions_file_is_complete_and_consistent() {
    let file = azure_file("regions-azure.json");
    let newest = file.regions.iter().map(|r| r.as_of.as_str()).max().unwrap();
    assert_eq!(
        file.as_of.as_deref(),
        Some(newest),
        "file as_of is the newest date"
    );
    let c = catalog();
    let eea_ch: BTreeSet<&str> = c
        .geography("europe")
        .unwrap()
        .countries
        .iter()
        .map(String::as_str)
        .filter(|x| *x != "GB")
        .collect();
    for r in &file.regions {
        assert_eq!(r.cloud, Cloud::Azure);
        assert!(is_url(&r.source) && is_date(&r.as_of), "{}", r.id);
        assert!(r.azure_geography.is_some(), "{}", r.id);
        if !r.verified {
            assert!(r.note.is_some(), "{}: unverified without a note", r.id);
        }
        match r.data_zone.as_deref() {
            Some("us") => assert_eq!(r.country, "US", "{}", r.id),
            Some("eu") => assert!(eea_ch.contains(r.country.as_str()), "{}", r.id),
            Some("apac") => assert!(
                c.geography("apac").unwrap().countries.contains(&r.country),
                "{}",
                r.id
            ),
            Some(other) => panic!("{}: unknown data zone {other}", r.id),
            None => assert!(
                r.country != "US" && !eea_ch.contains(r.country.as_str()),
                "{}: should be in a data zone",
                r.id
            ),
        }
    }
    let models = azure_file("models-azure.json");
    let newest_model = models
        .models
        .iter()
        .flat_map(|m| {
            std::iter::once(m.as_of.as_str())
                .chain(m.versions.iter().map(|v| v.as_of.as_str()))
                .chain(m.offers.iter().map(|o| o.as_of.as_str()))
                .chain(m.prices.iter().map(|p| p.as_of.as_str()))
        })
        .max()
        .unwrap();
    assert_eq!(models.as_of.as_deref(), Some(newest_model));
}
