//! `meridian catalog where`: for one model, which (region, processing) choices satisfy a
//! residency rule. Every location of every offer is tried as a target would be: the catalog
//! computes its footprint ([`Catalog::footprint`]) and [`crate::breach_of`] judges it, exactly
//! as the validator judges the spec's targets.
//!
//! The JSON shape is stable (every key always present); its JSON Schema is committed as
//! `schema/catalog-where.schema.json`.

use crate::ir;
use crate::rules::residency::breach_of;
use meridian_catalog::{
    Billing, Catalog, Cloud, Lifecycle, Model, Processing, TargetQuery, Widening,
};
use schemars::JsonSchema;
use serde::Serialize;

/// Version of the `catalog where --json` shape. Bump on incompatible changes.
pub const WHERE_FORMAT_VERSION: &str = "1";

/// The choices of one model under one residency rule.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(title = "meridian catalog where --json")]
pub struct Choices {
    /// Version of this shape (`"1"`).
    pub format_version: String,
    /// The date of the catalog the footprints come from.
    pub catalog_as_of: String,
    pub cloud: Cloud,
    pub model: String,
    /// The model version tried (Azure); `null` when versions are part of the id.
    pub version: Option<String>,
    /// The rule the choices are judged against.
    pub rule: RuleSummary,
    /// The choices that satisfy the rule, narrowest processing first, then by region.
    pub passing: Vec<Choice>,
    /// The choices that do not, with the reasons, in the same order.
    pub failing: Vec<Choice>,
}

/// A residency rule as `catalog where` applies it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RuleSummary {
    /// The residency block's name, or a description of the countries / geographies given.
    pub name: String,
    /// The countries prompts may be processed in, sorted.
    pub allowed_countries: Vec<String>,
    pub deny_regions: Vec<String>,
    /// The widest processing scope allowed.
    pub processing: Processing,
}

/// One (region, processing) choice: what a target with `region` and `processing` would get.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Choice {
    /// The value of a target's `region` (Google: also `eu`, `us`, `global`).
    pub region: String,
    pub processing: Processing,
    /// The billing modes offered for it.
    pub billing: Vec<Billing>,
    /// The profile, SKU or endpoint that determines the footprint.
    pub via: Option<String>,
    /// The regions its prompts may be processed in.
    pub footprint_regions: Vec<String>,
    /// Their countries.
    pub footprint_countries: Vec<String>,
    /// The processing scope the rule judges (`global` for a widened footprint).
    pub judged_processing: Processing,
    /// Why the footprint is wider than `processing`, when it is.
    pub widened: Option<Widening>,
    /// False when a fact behind the footprint is marked unverified in the catalog.
    pub verified: bool,
    pub complies: bool,
    /// Why it does not satisfy the rule (empty when it does).
    pub reasons: Vec<String>,
}

/// A residency rule from countries and geography codes, as `catalog where --countries DE,FR
/// --geography eu` gives it. Unknown codes are errors naming the known ones.
pub fn adhoc_rule(
    catalog: &Catalog,
    geographies: &[String],
    countries: &[String],
    processing: Processing,
) -> Result<ir::Residency, String> {
    let mut allowed: Vec<String> = Vec::new();
    for g in geographies {
        let Some(geo) = catalog.geography(g) else {
            let known: Vec<&str> = catalog.geographies().map(|g| g.code.as_str()).collect();
            return Err(format!(
                "unknown geography \"{g}\"; geographies are: {}.{}",
                known.join(", "),
                meridian_diag::did_you_mean(g, known.iter().copied())
            ));
        };
        allowed.extend(geo.countries.iter().cloned());
    }
    for c in countries {
        if !catalog.is_country(c) {
            let upper = c.to_uppercase();
            let hint = if upper == "UK" {
                " The ISO code of the United Kingdom is \"GB\".".to_string()
            } else if catalog.is_country(&upper) {
                format!(" Country codes are upper-case: \"{upper}\".")
            } else {
                String::new()
            };
            return Err(format!(
                "unknown country code \"{c}\"; countries are ISO 3166-1 alpha-2 codes such as DE, FR or SE.{hint}"
            ));
        }
        allowed.push(c.clone());
    }
    if allowed.is_empty() {
        return Err("give the allowed countries (--countries) or geographies (--geography)".into());
    }
    allowed.sort();
    allowed.dedup();
    let mut parts = Vec::new();
    if !geographies.is_empty() {
        parts.push(format!("geography {}", geographies.join(", ")));
    }
    if !countries.is_empty() {
        parts.push(format!("countries {}", countries.join(", ")));
    }
    Ok(ir::Residency {
        name: parts.join(" + "),
        geographies: geographies.to_vec(),
        countries: countries.to_vec(),
        allowed_countries: allowed,
        deny_regions: Vec::new(),
        processing,
    })
}

/// The version `catalog where` tries when none is given: the newest listed version that is
/// not retired (versions are dates or numbers, so the greatest string is the newest), else the
/// newest listed one. `None` for models without versions.
pub fn default_version(model: &Model) -> Option<&str> {
    let newest = |retired_too: bool| {
        model
            .versions
            .iter()
            .filter(|v| retired_too || v.lifecycle != Lifecycle::Retired)
            .map(|v| v.version.as_str())
            .max()
    };
    newest(false).or_else(|| newest(true))
}

/// Every (region, processing) choice of `model` judged against `rule`.
pub fn choices(
    catalog: &Catalog,
    model: &Model,
    version: Option<&str>,
    rule: &ir::Residency,
) -> Choices {
    // (processing, location) → billing modes, over the offers that apply to the version.
    let mut tried: Vec<(Processing, String, Vec<Billing>)> = Vec::new();
    for offer in model.offers.iter().filter(|o| o.applies_to(version)) {
        for location in &offer.regions {
            match tried
                .iter_mut()
                .find(|(p, l, _)| *p == offer.processing && l == location)
            {
                Some((_, _, billing)) => billing.extend(offer.billing.iter().copied()),
                None => tried.push((offer.processing, location.clone(), offer.billing.clone())),
            }
        }
    }
    tried.sort();
    let mut passing = Vec::new();
    let mut failing = Vec::new();
    for (processing, region, mut billing) in tried {
        billing.sort_unstable();
        billing.dedup();
        let choice = judge(catalog, model, version, rule, processing, region, billing);
        if choice.complies {
            passing.push(choice);
        } else {
            failing.push(choice);
        }
    }
    Choices {
        format_version: WHERE_FORMAT_VERSION.to_owned(),
        catalog_as_of: catalog.as_of().to_owned(),
        cloud: model.cloud,
        model: model.id.clone(),
        version: version.map(str::to_owned),
        rule: RuleSummary {
            name: rule.name.clone(),
            allowed_countries: rule.allowed_countries.clone(),
            deny_regions: rule.deny_regions.clone(),
            processing: rule.processing,
        },
        passing,
        failing,
    }
}

fn judge(
    catalog: &Catalog,
    model: &Model,
    version: Option<&str>,
    rule: &ir::Residency,
    processing: Processing,
    region: String,
    billing: Vec<Billing>,
) -> Choice {
    let query = TargetQuery {
        cloud: model.cloud,
        model: &model.id,
        version,
        region: &region,
        processing,
        billing: billing.first().copied().unwrap_or(Billing::OnDemand),
    };
    match catalog.footprint(&query) {
        Ok(found) => {
            let footprint = ir::Footprint::from_catalog(&found);
            let breach = breach_of(rule, processing, &footprint);
            let reasons = breach.reasons(rule, processing);
            Choice {
                processing,
                billing,
                via: footprint.via.clone(),
                footprint_regions: footprint.regions.iter().map(|r| r.region.clone()).collect(),
                footprint_countries: footprint.countries.clone(),
                judged_processing: breach.processing,
                widened: footprint.widened.clone(),
                verified: found.is_verified(),
                complies: reasons.is_empty(),
                reasons,
                region,
            }
        }
        Err(e) => Choice {
            reasons: vec![e.describe(&query)],
            region,
            processing,
            billing,
            via: None,
            footprint_regions: Vec::new(),
            footprint_countries: Vec::new(),
            judged_processing: processing,
            widened: None,
            verified: true,
            complies: false,
        },
    }
}

/// The JSON Schema of `meridian catalog where --json`, pretty-printed with a trailing newline.
/// The committed copy is `schema/catalog-where.schema.json`.
pub fn choices_schema_json() -> String {
    let schema = schemars::schema_for!(Choices);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// gemini-embedding-001 served in Warsaw, Frankfurt and the Netherlands, guaranteed to
    /// process in place only in Frankfurt, the Netherlands and the eu multi-region.
    const OVERLAY: &str = r#"{"models": [{
      "cloud": "gcp", "id": "gemini-embedding-001", "name": "Gemini Embedding",
      "context_window": 2048, "capabilities": ["embeddings"], "lifecycle": "ga",
      "offers": [
        {"processing": "region", "billing": ["on_demand"],
         "regions": ["europe-central2", "europe-west3", "europe-west4"],
         "processing_guarantee": ["europe-west3", "europe-west4"],
         "source": "https://example.com/locations", "as_of": "2026-11-20"},
        {"processing": "geography", "billing": ["on_demand"], "regions": ["eu", "us"],
         "processing_guarantee": ["eu"],
         "source": "https://example.com/locations", "as_of": "2026-11-20"}
      ],
      "source": "https://example.com/models", "as_of": "2026-11-20"}]}"#;

    fn run(rule: &ir::Residency) -> Choices {
        let catalog = Catalog::builtin().with_overlay(OVERLAY).unwrap();
        let model = catalog.find_model("gemini-embedding-001", None).unwrap();
        choices(&catalog, model, None, rule)
    }

    fn regions(list: &[Choice]) -> Vec<(&str, Processing)> {
        list.iter()
            .map(|c| (c.region.as_str(), c.processing))
            .collect()
    }

    #[test]
    fn only_guaranteed_locations_satisfy_an_in_region_rule() {
        let catalog = Catalog::builtin();
        let germany = adhoc_rule(catalog, &[], &["DE".into()], Processing::Region).unwrap();
        assert_eq!(germany.name, "countries DE");
        let c = run(&germany);
        assert_eq!(regions(&c.passing), [("europe-west3", Processing::Region)]);
        assert_eq!(c.passing[0].footprint_countries, ["DE"]);
        assert!(c.passing[0].reasons.is_empty() && c.passing[0].complies);
        let poland = adhoc_rule(catalog, &[], &["PL".into()], Processing::Region).unwrap();
        let c = run(&poland);
        assert!(c.passing.is_empty());
        let warsaw = c
            .failing
            .iter()
            .find(|f| f.region == "europe-central2")
            .unwrap();
        assert_eq!(warsaw.judged_processing, Processing::Global);
        assert!(warsaw.widened.is_some());
        assert!(warsaw.reasons[0].contains("does not guarantee that its ML processing stays there"));
        assert!(warsaw.reasons[1].contains(
            "processing \"region\" counts as \"global\" here (no processing guarantee at europe-central2)"
        ));
        assert!(warsaw.reasons[2].starts_with("may process outside the allowed countries"));
    }

    #[test]
    fn a_geography_rule_accepts_the_guaranteed_multi_region() {
        let eu = adhoc_rule(
            Catalog::builtin(),
            &["eu".into()],
            &[],
            Processing::Geography,
        )
        .unwrap();
        let c = run(&eu);
        assert_eq!(
            regions(&c.passing),
            [
                ("europe-west3", Processing::Region),
                ("europe-west4", Processing::Region),
                ("eu", Processing::Geography),
            ]
        );
        assert_eq!(
            regions(&c.failing),
            [
                ("europe-central2", Processing::Region),
                ("us", Processing::Geography),
            ]
        );
        assert_eq!(c.rule.processing, Processing::Geography);
        assert_eq!(c.format_version, WHERE_FORMAT_VERSION);
        // Every key of the JSON shape is present.
        let json = serde_json::to_value(&c).unwrap();
        assert!(json["version"].is_null());
        assert!(json["passing"][0]["widened"].is_null());
        assert_eq!(
            json["failing"][1]["widened"]["kind"],
            "no_processing_guarantee"
        );
    }

    #[test]
    fn unknown_codes_are_refused_with_the_known_ones() {
        let c = Catalog::builtin();
        let e = adhoc_rule(c, &["europa".into()], &[], Processing::Global).unwrap_err();
        assert!(e.contains("unknown geography \"europa\""), "{e}");
        assert!(e.contains("Did you mean \"europe\""), "{e}");
        let e = adhoc_rule(c, &[], &["UK".into()], Processing::Global).unwrap_err();
        assert!(e.contains("\"GB\""), "{e}");
        let e = adhoc_rule(c, &[], &["de".into()], Processing::Global).unwrap_err();
        assert!(e.contains("upper-case: \"DE\""), "{e}");
        assert!(adhoc_rule(c, &[], &[], Processing::Global).is_err());
    }

    #[test]
    fn the_default_version_is_the_newest_that_is_not_retired() {
        let c = Catalog::builtin();
        let gpt41 = c.model(Cloud::Azure, "gpt-4.1").unwrap();
        // Every version retired: the newest listed.
        assert_eq!(
            default_version(gpt41),
            gpt41.versions.iter().map(|v| v.version.as_str()).max()
        );
        let bedrock = c.models(Some(Cloud::Aws)).next().unwrap();
        assert_eq!(default_version(bedrock), None);
    }
}
