//! User overlays merged over the built-in catalog.

#![allow(clippy::unwrap_used)]

use meridian_catalog::{Billing, Catalog, CatalogError, Cloud, Lifecycle, Processing, TargetQuery};

const ADD_AND_REPLACE: &str = r#"{
  "as_of": "2026-11-20",
  "regions": [
    {"cloud": "azure", "id": "swedencentral", "name": "Sweden Central (private)", "country": "SE",
     "azure_geography": "Sweden", "data_zone": "eu",
     "source": "https://example.com/contract", "as_of": "2026-11-20"}
  ],
  "models": [
    {
      "cloud": "azure", "id": "gpt-4.1", "name": "GPT-4.1 (extended support)",
      "context_window": 1047576, "capabilities": ["chat", "tools", "vision", "json"],
      "lifecycle": "ga",
      "versions": [{"version": "2025-04-14", "lifecycle": "ga",
                    "source": "https://example.com/contract", "as_of": "2026-11-20"}],
      "offers": [
        {"processing": "geography", "billing": ["on_demand"], "regions": ["swedencentral"],
         "source": "https://example.com/contract", "as_of": "2026-11-20"}
      ],
      "source": "https://example.com/contract", "as_of": "2026-11-20"
    },
    {
      "cloud": "gcp", "id": "gemini-2.5-pro", "name": "Gemini 2.5 Pro (extended)",
      "context_window": 1048576, "capabilities": ["chat"], "lifecycle": "ga",
      "offers": [
        {"processing": "geography", "billing": ["on_demand"], "regions": ["eu", "us"],
         "processing_guarantee": ["eu", "us"],
         "source": "https://example.com/contract", "as_of": "2026-11-20"}
      ],
      "source": "https://example.com/contract", "as_of": "2026-11-20"
    },
    {
      "cloud": "aws", "id": "example.private-model-v1:0", "name": "Private model",
      "context_window": 32000, "capabilities": ["chat"], "lifecycle": "preview",
      "offers": [
        {"processing": "region", "billing": ["provisioned"], "regions": ["eu-central-1"],
         "source": "https://example.com/contract", "as_of": "2026-11-20"}
      ],
      "prices": [{"processing": "region", "input_per_1m": 1.0, "output_per_1m": 2.0,
                  "verified": false, "source": "https://example.com/quote", "as_of": "2026-11-20"}],
      "source": "https://example.com/contract", "as_of": "2026-11-20"
    }
  ],
  "geographies": [
    {"code": "dach", "name": "Germany, Austria, Switzerland", "countries": ["DE", "AT", "CH"],
     "source": "https://example.com/policy", "as_of": "2026-11-20"}
  ]
}"#;

#[test]
fn overlay_replaces_and_adds() {
    let base = Catalog::builtin();
    let c = base.with_overlay(ADD_AND_REPLACE).unwrap();
    assert_eq!(
        c.as_of(),
        base.as_of(),
        "the older overlay date does not win"
    );

    // Replaced region and model.
    assert_eq!(
        c.region(Cloud::Azure, "swedencentral").unwrap().name,
        "Sweden Central (private)"
    );
    let gpt41 = c.model(Cloud::Azure, "gpt-4.1").unwrap();
    assert_eq!(gpt41.lifecycle, Lifecycle::Ga);
    assert_eq!(gpt41.offers.len(), 1);
    // The built-in catalog is unchanged.
    assert_eq!(
        base.model(Cloud::Azure, "gpt-4.1").unwrap().lifecycle,
        Lifecycle::Legacy
    );

    // The un-retired gpt-4.1 Data Zone footprint from Sweden: the EU data zone.
    let f = c
        .footprint(&TargetQuery {
            cloud: Cloud::Azure,
            model: "gpt-4.1",
            version: Some("2025-04-14"),
            region: "swedencentral",
            processing: Processing::Geography,
            billing: Billing::OnDemand,
        })
        .unwrap();
    assert_eq!(f.profile.as_deref(), Some("DataZoneStandard"));
    assert!(!f.countries.contains(&"GB".to_owned()));
    assert!(!f.countries.contains(&"US".to_owned()));
    assert!(f.countries.contains(&"SE".to_owned()));

    // The un-retired Gemini 2.5 Pro on the eu multi-region: EU member states only.
    let f = c
        .footprint(&TargetQuery {
            cloud: Cloud::Gcp,
            model: "gemini-2.5-pro",
            version: None,
            region: "europe-west4",
            processing: Processing::Geography,
            billing: Billing::OnDemand,
        })
        .unwrap();
    let eu = c.geography("eu").unwrap();
    assert!(
        f.countries.iter().all(|x| eu.countries.contains(x)),
        "{:?}",
        f.countries
    );
    assert!(f.regions.len() > 1);

    // Added model, geography; counts grow by exactly the new entries.
    let private = c.model(Cloud::Aws, "example.private-model-v1:0").unwrap();
    assert!(!private.price(Processing::Region).unwrap().verified);
    assert_eq!(c.models(None).count(), base.models(None).count() + 1);
    assert_eq!(c.regions(None).count(), base.regions(None).count());
    assert_eq!(c.geography("dach").unwrap().countries.len(), 3);
    let err = c
        .footprint(&TargetQuery {
            cloud: Cloud::Aws,
            model: "example.private-model-v1:0",
            version: None,
            region: "eu-central-1",
            processing: Processing::Region,
            billing: Billing::OnDemand,
        })
        .unwrap_err();
    assert_eq!(
        err,
        CatalogError::BillingNotOffered {
            offered: vec![Billing::Provisioned]
        }
    );
}

#[test]
fn newer_overlay_date_moves_as_of() {
    let c = Catalog::builtin()
        .with_overlay(r#"{"as_of": "2099-01-01"}"#)
        .unwrap();
    assert_eq!(c.as_of(), "2099-01-01");
    let empty = Catalog::builtin().with_overlay("{}").unwrap();
    assert_eq!(empty.as_of(), Catalog::builtin().as_of());
}

#[test]
fn overlay_syntax_error_reports_line_and_column() {
    let text = "{\n  \"regions\": [\n    {\"cloud\": \"aws\",, }\n  ]\n}";
    let err = Catalog::builtin().with_overlay(text).unwrap_err();
    assert_eq!(err.line, 3);
    assert_eq!(err.column, 21);
    assert!(!err.message.contains("line 3"), "{}", err.message);
    assert!(err.to_string().contains("line 3, column 21"), "{err}");
    assert_eq!(err.code().id, "MRD-CAT-008");
}

#[test]
fn overlay_unknown_field_is_located() {
    let text = "{\n  \"as_of\": \"2026-11-20\",\n  \"regionz\": []\n}";
    let err = Catalog::builtin().with_overlay(text).unwrap_err();
    assert_eq!(err.line, 3);
    assert!(err.message.contains("regionz"), "{}", err.message);
}

#[test]
fn overlay_bad_reference_is_located() {
    let text = r#"{
  "models": [
    {
      "cloud": "azure", "id": "my-model", "name": "Mine", "context_window": 1000,
      "capabilities": ["chat"], "lifecycle": "ga",
      "versions": [{"version": "1", "lifecycle": "ga", "source": "https://x.example", "as_of": "2026-11-20"}],
      "offers": [{"processing": "region", "billing": ["on_demand"], "regions": ["swedencentrl"],
                  "source": "https://x.example", "as_of": "2026-11-20"}],
      "source": "https://x.example", "as_of": "2026-11-20"
    }
  ]
}"#;
    let err = Catalog::builtin().with_overlay(text).unwrap_err();
    assert!(err.message.contains("swedencentrl"), "{}", err.message);
    assert_eq!(err.line, 7);
    assert!(err.column > 1);
}

#[test]
fn overlay_unknown_country_is_rejected() {
    let text = r#"{"regions": [{"cloud": "gcp", "id": "europe-west99", "name": "X", "country": "UK",
        "source": "https://x.example", "as_of": "2026-11-20"}]}"#;
    let err = Catalog::builtin().with_overlay(text).unwrap_err();
    assert!(err.message.contains("UK"), "{}", err.message);
    assert_eq!(err.line, 1);
}
