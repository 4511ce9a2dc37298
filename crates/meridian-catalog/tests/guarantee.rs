//! Google's in-location ML processing guarantee: a Vertex location where a model is available
//! but not guaranteed to process in place has a footprint of every Google region. The data
//! comes from overlays, so these tests hold whatever the built-in data says.

#![allow(clippy::unwrap_used)]

use meridian_catalog::{
    Billing, Catalog, Cloud, FactKind, Processing, TargetQuery, Widening, SHEET_FORMAT_VERSION,
};

const SOURCE: &str =
    "https://docs.cloud.google.com/gemini-enterprise-agent-platform/resources/data-residency";

/// gemini-embedding-001 available in Warsaw, Frankfurt and the Netherlands, with the
/// guarantee only in Frankfurt, the Netherlands and the eu multi-region; the us multi-region
/// is served without it.
fn overlay() -> String {
    format!(
        r#"{{
  "models": [{{
    "cloud": "gcp", "id": "gemini-embedding-001", "name": "Gemini Embedding",
    "context_window": 2048, "capabilities": ["embeddings"], "lifecycle": "ga",
    "offers": [
      {{"processing": "region", "billing": ["on_demand"],
        "regions": ["europe-central2", "europe-west3", "europe-west4"],
        "processing_guarantee": ["europe-west3", "europe-west4"],
        "guarantee_source": "{SOURCE}",
        "source": "https://example.com/locations", "as_of": "2026-11-20"}},
      {{"processing": "geography", "billing": ["on_demand"], "regions": ["eu", "us"],
        "processing_guarantee": ["eu"],
        "guarantee_source": "{SOURCE}",
        "source": "https://example.com/locations", "as_of": "2026-11-20", "verified": false,
        "note": "us multi-region availability seen in one console only"}},
      {{"processing": "global", "billing": ["on_demand"], "regions": ["global"],
        "source": "https://example.com/locations", "as_of": "2026-11-20"}}
    ],
    "prices": [{{"processing": "region", "input_per_1m": 0.15, "output_per_1m": 0.0,
                 "source": "https://example.com/pricing", "as_of": "2026-11-20"}}],
    "source": "https://example.com/models", "as_of": "2026-11-20"
  }}]
}}"#
    )
}

fn catalog() -> Catalog {
    Catalog::builtin().with_overlay(&overlay()).unwrap()
}

fn query(region: &str, processing: Processing) -> TargetQuery<'_> {
    TargetQuery {
        cloud: Cloud::Gcp,
        model: "gemini-embedding-001",
        version: None,
        region,
        processing,
        billing: Billing::OnDemand,
    }
}

#[test]
fn a_region_without_the_guarantee_has_a_global_footprint() {
    let c = catalog();
    let f = c
        .footprint(&query("europe-central2", Processing::Region))
        .unwrap();
    assert_eq!(f.processing, Processing::Global);
    assert_eq!(f.regions.len(), c.regions(Some(Cloud::Gcp)).count());
    assert!(f.countries.contains(&"US".to_owned()));
    assert_eq!(f.profile.as_deref(), Some("europe-central2"));
    let w = f.widened.as_ref().unwrap();
    assert_eq!(
        w,
        &Widening::NoProcessingGuarantee {
            model: "gemini-embedding-001".into(),
            location: "europe-central2".into(),
            guaranteed: vec!["eu".into(), "europe-west3".into(), "europe-west4".into()],
            source: Some(SOURCE.into()),
        }
    );
    let text = w.to_string();
    assert!(
        text.contains("does not guarantee that its ML processing stays there"),
        "{text}"
    );
    assert!(text.contains("eu, europe-west3, europe-west4"), "{text}");
    assert!(text.contains(SOURCE), "{text}");
    assert_eq!(w.short(), "no processing guarantee at europe-central2");
}

#[test]
fn a_guaranteed_region_stays_in_place() {
    let c = catalog();
    let f = c
        .footprint(&query("europe-west3", Processing::Region))
        .unwrap();
    assert_eq!(f.processing, Processing::Region);
    assert!(f.widened.is_none());
    let ids: Vec<&str> = f.regions.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["europe-west3"]);
    assert_eq!(f.countries, ["DE"]);
}

#[test]
fn multi_regions_follow_their_own_guarantee() {
    let c = catalog();
    // eu carries it, called as "eu" or from a region inside it.
    for region in ["eu", "europe-central2"] {
        let f = c.footprint(&query(region, Processing::Geography)).unwrap();
        assert!(f.widened.is_none(), "{region}");
        assert_eq!(f.processing, Processing::Geography);
        assert_eq!(f.profile.as_deref(), Some("eu"));
        assert!(!f.countries.contains(&"US".to_owned()));
    }
    // us does not.
    let f = c.footprint(&query("us", Processing::Geography)).unwrap();
    assert_eq!(f.processing, Processing::Global);
    assert!(matches!(
        f.widened,
        Some(Widening::NoProcessingGuarantee { ref location, .. }) if location == "us"
    ));
    assert!(f.countries.contains(&"PL".to_owned()));
    // The unverified us offer is named, with its source and note.
    let offer = f
        .unverified
        .iter()
        .find(|u| u.kind == FactKind::Offer)
        .unwrap();
    assert_eq!(offer.source, "https://example.com/locations");
    assert!(offer
        .to_string()
        .contains("geography offer of gemini-embedding-001 at us"));
    assert!(offer.to_string().contains("one console only"));
}

#[test]
fn the_global_endpoint_is_never_widened() {
    let f = catalog()
        .footprint(&query("global", Processing::Global))
        .unwrap();
    assert!(f.widened.is_none());
    assert_eq!(f.processing, Processing::Global);
}

#[test]
fn an_offer_without_any_guarantee_names_none() {
    let text = overlay().replace(
        r#""processing_guarantee": ["europe-west3", "europe-west4"],"#,
        "",
    );
    let text = text.replace(r#""processing_guarantee": ["eu"],"#, "");
    let c = Catalog::builtin().with_overlay(&text).unwrap();
    let f = c
        .footprint(&query("europe-west4", Processing::Region))
        .unwrap();
    let w = f.widened.unwrap();
    assert!(w.alternatives().is_empty());
    assert!(
        w.to_string()
            .contains("No location carries the guarantee for gemini-embedding-001"),
        "{w}"
    );
}

#[test]
fn guarantees_are_checked_when_loaded() {
    let base = Catalog::builtin();
    let outside = overlay().replace(
        r#"["europe-west3", "europe-west4"],"#,
        r#"["europe-west3", "europe-west9"],"#,
    );
    let e = base.with_overlay(&outside).unwrap_err();
    assert!(
        e.message.contains(
            "processing_guarantee names \"europe-west9\", which is not among the offer's regions"
        ),
        "{}",
        e.message
    );
    assert!(e.line > 0);
    let global = overlay().replace(
        r#""regions": ["global"],"#,
        r#""regions": ["global"], "processing_guarantee": ["global"],"#,
    );
    let e = base.with_overlay(&global).unwrap_err();
    assert!(
        e.message
            .contains("global endpoint carries no processing guarantee"),
        "{}",
        e.message
    );
    let aws = r#"{"models": [{
      "cloud": "aws", "id": "example.model-v1:0", "name": "Example", "context_window": 1000,
      "capabilities": ["chat"], "lifecycle": "ga",
      "offers": [{"processing": "region", "billing": ["on_demand"], "regions": ["eu-central-1"],
                  "processing_guarantee": ["eu-central-1"],
                  "source": "https://example.com", "as_of": "2026-11-20"}],
      "source": "https://example.com", "as_of": "2026-11-20"}]}"#;
    let e = base.with_overlay(aws).unwrap_err();
    assert!(
        e.message.contains("applies to Google offers only"),
        "{}",
        e.message
    );
}

#[test]
fn the_sheet_splits_guaranteed_from_unguaranteed_locations() {
    let c = catalog();
    let model = c.find_model("gemini-embedding-001", None).unwrap();
    let sheet = c.sheet(model);
    assert_eq!(sheet.format_version, SHEET_FORMAT_VERSION);
    let region = &sheet.offers[0];
    assert_eq!(
        region.guaranteed_locations.as_deref(),
        Some(&["europe-west3".to_owned(), "europe-west4".to_owned()][..])
    );
    assert_eq!(
        region.unguaranteed_locations.as_deref(),
        Some(&["europe-central2".to_owned()][..])
    );
    let warsaw = &region.locations[0];
    assert_eq!(warsaw.id, "europe-central2");
    assert_eq!(warsaw.countries, ["PL"]);
    assert_eq!(warsaw.processing_guarantee, Some(false));
    let multi = &sheet.offers[1];
    assert_eq!(
        multi.guaranteed_locations.as_deref(),
        Some(&["eu".to_owned()][..])
    );
    assert_eq!(
        multi.unguaranteed_locations.as_deref(),
        Some(&["us".to_owned()][..])
    );
    assert!(multi.locations[0].countries.contains(&"PL".to_owned()));
    assert!(!multi.locations[0].countries.contains(&"US".to_owned()));
    // The global endpoint is neither.
    let global = &sheet.offers[2];
    assert_eq!(global.guaranteed_locations, None);
    assert_eq!(global.locations[0].processing_guarantee, None);
    // Every key is present in the JSON, null when empty.
    let json = serde_json::to_value(&sheet).unwrap();
    assert!(json["deprecation_date"].is_null());
    assert!(json["offers"][2]["guaranteed_locations"].is_null());
}
