//! How much the catalog's answer about a target can be trusted: targets that rest on facts the
//! catalog marks unverified, model versions past their deprecation date, and a catalog that has
//! not been checked for a long time.

use crate::date::Date;
use crate::ir;
use meridian_catalog::{Catalog, Footprint, Model};
use meridian_diag::{codes, Diagnostic, Diagnostics, Span};
use meridian_spec as raw;

/// A catalog older than this many days is reported as stale.
pub const STALE_AFTER_DAYS: i64 = 120;

/// What a user does about catalog facts that are unconfirmed (`it` or `them`).
fn how_to_confirm(pronoun: &str) -> String {
    format!("Confirm {pronoun} against your own accounts with `meridian catalog verify` (with `--write-overlay FILE` it writes the differences as a catalog overlay), or record what you know in a catalog overlay named by meridian {{ catalog = \"FILE\" }}.")
}

/// One warning per target whose verdict rests on catalog facts marked `verified: false`: the
/// offer, the inference profile routes and the calling region.
pub(crate) fn check_unverified(
    diags: &mut Diagnostics,
    t: &raw::Target,
    target: &ir::Target,
    footprint: &Footprint,
) {
    let facts: Vec<String> = footprint
        .unverified
        .iter()
        .map(ToString::to_string)
        .collect();
    if facts.is_empty() {
        return;
    }
    let one = facts.len() == 1;
    diags.push(
        Diagnostic::warning(
            codes::CAT_UNVERIFIED,
            format!(
                "Target \"{}\" relies on {} catalog fact{} not confirmed against the provider's own pages",
                target.name,
                if one { "a" } else { "several" },
                if one { "" } else { "s" }
            ),
        )
        .detail(format!(
            "The catalog marks {} verified: false: {}. The verdict on this target is only as good as {}. {}",
            if one { "this fact" } else { "these facts" },
            facts.join("; "),
            if one { "that fact" } else { "those facts" },
            how_to_confirm(if one { "it" } else { "them" }),
        ))
        .at(t.span),
    );
}

/// A warning when the target's model version (or model) is past its deprecation date, or the
/// catalog marks it deprecated: it still works, but no new deployments may be possible and it
/// retires next.
pub(crate) fn check_deprecated(
    diags: &mut Diagnostics,
    t: &raw::Target,
    target: &ir::Target,
    entry: &Model,
    today: Date,
) {
    let version = target.version.as_deref();
    let date = entry.deprecation(version);
    let since = date.and_then(Date::parse).filter(|d| *d <= today);
    if since.is_none() && !entry.is_marked_deprecated(version) {
        return;
    }
    let what = format!(
        "{}{}",
        target.model,
        version.map(|v| format!(" version {v}")).unwrap_or_default()
    );
    let summary = match since {
        Some(d) => format!("{what} is deprecated since {d}"),
        None => format!("{what} is deprecated"),
    };
    let mut detail = String::from(
        "The provider has deprecated it: existing deployments keep working until retirement, new ones may be refused.",
    );
    if let Some(r) = entry.retirement(version) {
        let past = Date::parse(r).is_some_and(|d| d <= today);
        detail.push_str(&if past {
            format!(" Its retirement date, {r}, has passed.")
        } else {
            format!(" It retires on {r}.")
        });
    }
    match entry.replacement_for(version) {
        Some(r) => detail.push_str(&format!(" The provider names {r} as its replacement.")),
        None => detail.push_str(" Move to a current version (`meridian catalog show`)."),
    }
    let at = t
        .version
        .as_ref()
        .or(t.model.as_ref())
        .map_or(t.span, |v| v.span);
    diags.push(
        Diagnostic::warning(codes::CAT_DEPRECATED, summary)
            .detail(detail)
            .at(at),
    );
}

/// Days from `as_of` (YYYY-MM-DD) to `today`, when `as_of` is a date.
pub fn catalog_age_days(as_of: &str, today: Date) -> Option<i64> {
    Date::parse(as_of).map(|d| d.days_until(today))
}

/// One warning when the catalog in use (built-in merged with the overlay) was last checked
/// more than [`STALE_AFTER_DAYS`] days before `today`.
pub(crate) fn check_age(diags: &mut Diagnostics, spec: &raw::Spec, catalog: &Catalog, today: Date) {
    let Some(age) = catalog_age_days(catalog.as_of(), today) else {
        return;
    };
    if age <= STALE_AFTER_DAYS {
        return;
    }
    let overlay = spec.meridian.as_ref().and_then(|m| m.catalog.as_ref());
    let at = overlay
        .map(|o| o.span)
        .or_else(|| spec.meridian.as_ref().map(|m| m.span))
        .or_else(|| spec.files.first().map(|f| Span::new(*f, 0, 0)));
    let which = match overlay {
        Some(o) => format!(
            "the built-in catalog merged with the overlay \"{}\"",
            o.value
        ),
        None => "the built-in catalog".to_string(),
    };
    diags.push(
        Diagnostic::warning(
            codes::CAT_STALE,
            format!(
                "The catalog is {age} days old (as of {})",
                catalog.as_of()
            ),
        )
        .detail(format!(
            "Residency verdicts rest on {which}, last checked on {}: more than {STALE_AFTER_DAYS} days before today ({today}). Providers add regions, move retirement dates and change routes. Run `meridian catalog verify` to compare it with your cloud accounts, and `meridian catalog verify --write-overlay FILE` to record the differences in the overlay named by meridian {{ catalog = \"FILE\" }}; a newer Meridian release also carries a newer built-in catalog.",
            catalog.as_of()
        ))
        .at_opt(at),
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::test_support::validated;
    use meridian_diag::Diagnostic;

    /// An AWS model of the overlay's own, served through an eu. profile from Frankfurt to
    /// Frankfurt and Paris, with a pinned-version Azure model beside it; `{paris}` and
    /// `{version}` let a test change the region's and the version's facts.
    fn overlay(paris: &str, version: &str) -> String {
        format!(
            r#"{{
  "as_of": "2026-11-20",
  "regions": [
    {{"cloud": "aws", "id": "eu-west-3", "name": "Europe (Paris)", "country": "FR",
      "partition": "aws", "source": "https://example.com/regions", "as_of": "2026-11-20"{paris}}}
  ],
  "models": [
    {{"cloud": "aws", "id": "example.chat-v1:0", "name": "Example chat", "context_window": 100000,
      "capabilities": ["chat"], "lifecycle": "ga",
      "offers": [{{"processing": "geography", "billing": ["on_demand"],
        "profiles": [{{"prefix": "eu", "routes": {{"eu-central-1": ["eu-central-1", "eu-west-3"]}},
                      "source": "https://example.com/profiles", "as_of": "2026-11-20"}}],
        "source": "https://example.com/offers", "as_of": "2026-11-20"}}],
      "source": "https://example.com/models", "as_of": "2026-11-20"}},
    {{"cloud": "azure", "id": "example-gpt", "name": "Example GPT", "context_window": 100000,
      "capabilities": ["chat"], "lifecycle": "ga",
      "versions": [{{"version": "2026-01-01", "lifecycle": "ga", "source": "https://example.com/v",
                    "as_of": "2026-11-20"{version}}}],
      "offers": [{{"processing": "region", "billing": ["on_demand"], "regions": ["swedencentral"],
                  "source": "https://example.com/offers", "as_of": "2026-11-20"}}],
      "source": "https://example.com/models", "as_of": "2026-11-20"}}
  ]
}}"#
        )
    }

    fn spec(countries: &str, catalog_attr: &str) -> String {
        format!(
            r#"
meridian {{
  name = "facts"
  {catalog_attr}
}}

provider "aws" "corp" {{
  account_id = "123456789012"
}}

provider "azure" "corp" {{
  subscription_id = "11111111-2222-3333-4444-555555555555"
  resource_group  = "rg-ai"
}}

residency "rule" {{
  countries = [{countries}]
}}

model "chat" {{
  capabilities = ["chat"]
  residency    = residency.rule
  tier "a" {{
    target "bedrock" {{
      provider   = provider.aws.corp
      model      = "example.chat-v1:0"
      region     = "eu-central-1"
      processing = "geography"
    }}
  }}
}}

model "gpt" {{
  capabilities = ["chat"]
  tier "a" {{
    target "aoai" {{
      provider = provider.azure.corp
      model    = "example-gpt"
      version  = "2026-01-01"
      region   = "swedencentral"
    }}
  }}
}}
"#
        )
    }

    fn found(diags: &meridian_diag::Diagnostics, code: meridian_diag::Code) -> Vec<&Diagnostic> {
        diags.iter().filter(|d| d.code == code).collect()
    }

    const UNVERIFIED_PARIS: &str =
        r#", "verified": false, "note": "Availability-zone count not confirmed""#;

    #[test]
    fn an_unverified_region_counts_only_as_the_calling_region() {
        // Paris is a destination of the route, not where the target is called from: it counts
        // by its country, which a catalog region must carry confirmed, so no warning.
        let catalog = Catalog::builtin()
            .with_overlay(&overlay(UNVERIFIED_PARIS, ""))
            .unwrap();
        let v = validated(&spec(r#""DE", "FR""#, ""), &catalog, "2026-11-25");
        assert!(
            found(&v.diagnostics, codes::CAT_UNVERIFIED).is_empty(),
            "{:?}",
            v.diagnostics
        );
        // Only DE allowed: the target fails on Paris's country.
        let v = validated(&spec(r#""DE""#, ""), &catalog, "2026-11-25");
        assert_eq!(found(&v.diagnostics, codes::RES_COUNTRY).len(), 1);
        // Everything verified: nothing to say.
        let verified = Catalog::builtin().with_overlay(&overlay("", "")).unwrap();
        let v = validated(&spec(r#""DE", "FR""#, ""), &verified, "2026-11-25");
        assert!(v.diagnostics.is_empty(), "{:?}", v.diagnostics);
    }

    #[test]
    fn an_unverified_calling_region_or_route_is_always_named() {
        let text = overlay("", "")
            .replace(
                r#""id": "eu-west-3", "name": "Europe (Paris)", "country": "FR""#,
                r#""id": "eu-central-1", "name": "Europe (Frankfurt)", "country": "DE""#,
            )
            .replace(
                r#""as_of": "2026-11-20"}],
        "source": "https://example.com/offers""#,
                r#""as_of": "2026-11-20", "verified": false}],
        "source": "https://example.com/offers""#,
            )
            .replace(
                r#""as_of": "2026-11-20"}
  ],"#,
                r#""as_of": "2026-11-20", "verified": false}
  ],"#,
            );
        let catalog = Catalog::builtin().with_overlay(&text).unwrap();
        // The rule fails, but the target's own region and route are facts it rests on.
        let v = validated(&spec(r#""DE""#, ""), &catalog, "2026-11-25");
        let warnings = found(&v.diagnostics, codes::CAT_UNVERIFIED);
        assert_eq!(warnings.len(), 1, "{:?}", v.diagnostics);
        assert!(!warnings[0].is_error());
        assert!(warnings[0].summary.contains("several catalog facts"));
        let detail = &warnings[0].detail;
        assert!(detail.contains("meridian catalog verify"), "{detail}");
        assert!(detail.contains("catalog overlay"), "{detail}");
        assert!(detail.contains("the routes of eu.example.chat-v1:0 from eu-central-1 (source: https://example.com/profiles)"), "{detail}");
        assert!(detail.contains("aws region eu-central-1 in DE"), "{detail}");
    }

    #[test]
    fn a_version_past_its_deprecation_date_is_a_warning_naming_the_replacement() {
        let version = r#", "deprecation_date": "2026-11-01", "retirement_date": "2027-02-01", "replacement": "example-gpt-2""#;
        let catalog = Catalog::builtin()
            .with_overlay(&overlay("", version))
            .unwrap();
        let v = validated(&spec(r#""DE", "FR""#, ""), &catalog, "2026-11-25");
        let w = found(&v.diagnostics, codes::CAT_DEPRECATED);
        assert_eq!(w.len(), 1, "{:?}", v.diagnostics);
        assert_eq!(
            w[0].summary,
            "example-gpt version 2026-01-01 is deprecated since 2026-11-01"
        );
        assert!(w[0].detail.contains("It retires on 2027-02-01."));
        assert!(w[0]
            .detail
            .contains("The provider names example-gpt-2 as its replacement."));
        // Before the date: nothing.
        let v = validated(&spec(r#""DE", "FR""#, ""), &catalog, "2026-10-31");
        assert!(found(&v.diagnostics, codes::CAT_DEPRECATED).is_empty());
        // Marked deprecated without a date: a warning all the same.
        let marked = overlay("", "").replace(
            r#""version": "2026-01-01", "lifecycle": "ga""#,
            r#""version": "2026-01-01", "lifecycle": "deprecated""#,
        );
        let catalog = Catalog::builtin().with_overlay(&marked).unwrap();
        let v = validated(&spec(r#""DE", "FR""#, ""), &catalog, "2026-11-25");
        let w = found(&v.diagnostics, codes::CAT_DEPRECATED);
        assert_eq!(w[0].summary, "example-gpt version 2026-01-01 is deprecated");
        assert!(w[0].detail.contains("meridian catalog show"));
    }

    #[test]
    fn the_catalog_is_stale_after_120_days_and_says_how_to_refresh() {
        let catalog = Catalog::builtin().with_overlay(&overlay("", "")).unwrap();
        let as_of = Date::parse(catalog.as_of()).unwrap();
        let day = |n: i64| Date(as_of.0 + n).to_string();
        let v = validated(&spec(r#""DE", "FR""#, ""), &catalog, &day(STALE_AFTER_DAYS));
        assert!(found(&v.diagnostics, codes::CAT_STALE).is_empty());
        let v = validated(
            &spec(r#""DE", "FR""#, ""),
            &catalog,
            &day(STALE_AFTER_DAYS + 1),
        );
        let w = found(&v.diagnostics, codes::CAT_STALE);
        assert_eq!(w.len(), 1, "warned once: {:?}", v.diagnostics);
        assert_eq!(
            w[0].summary,
            format!("The catalog is 121 days old (as of {})", catalog.as_of())
        );
        assert!(w[0].detail.contains("the built-in catalog, last checked"));
        assert!(w[0]
            .detail
            .contains("meridian catalog verify --write-overlay FILE"));
        assert!(w[0].primary.is_some());
        // With an overlay named in the spec, the warning points at it and names it.
        let v = validated(
            &spec(r#""DE", "FR""#, r#"catalog = "facts.json""#),
            &catalog,
            &day(400),
        );
        let w = found(&v.diagnostics, codes::CAT_STALE);
        assert!(w[0]
            .detail
            .contains("the built-in catalog merged with the overlay \"facts.json\""));
        assert_eq!(
            catalog_age_days("2026-01-01", Date::parse("2026-05-01").unwrap()),
            Some(120)
        );
        assert_eq!(
            catalog_age_days("soon", Date::parse("2026-05-01").unwrap()),
            None
        );
    }

    #[test]
    fn retirement_findings_name_the_replacement() {
        let version = r#", "retirement_date": "2026-12-20", "replacement": "example-gpt-2""#;
        let catalog = Catalog::builtin()
            .with_overlay(&overlay("", version))
            .unwrap();
        let text = format!(
            "{}\npolicy {{\n  retirement_warning_days = 60\n}}\n",
            spec(r#""DE", "FR""#, "")
        );
        let v = validated(&text, &catalog, "2026-11-25");
        let w = found(&v.diagnostics, codes::POL_RETIREMENT);
        assert_eq!(w.len(), 1, "{:?}", v.diagnostics);
        assert!(w[0]
            .detail
            .contains("The provider names example-gpt-2 as its replacement"));
        // Once retired (on or before the catalog's date), the error names it too.
        let retired = r#", "retirement_date": "2026-11-01", "replacement": "example-gpt-2""#;
        let catalog = Catalog::builtin()
            .with_overlay(&overlay("", retired))
            .unwrap();
        let v = validated(&spec(r#""DE", "FR""#, ""), &catalog, "2026-11-25");
        let e = found(&v.diagnostics, codes::CAT_RETIRED);
        assert_eq!(e.len(), 1, "{:?}", v.diagnostics);
        assert!(
            e[0].detail.contains("retired it on 2026-11-01"),
            "{}",
            e[0].detail
        );
        assert!(e[0]
            .detail
            .contains("The provider names example-gpt-2 as its replacement"));
    }

    #[test]
    fn a_model_without_a_price_says_why_in_the_cost_notes() {
        let with_reason = overlay("", "").replace(
            r#""source": "https://example.com/models", "as_of": "2026-11-20"}
  ]"#,
            r#""no_price": {"reason": "priced per character", "source": "https://example.com/pricing", "as_of": "2026-11-20"},
      "source": "https://example.com/models", "as_of": "2026-11-20"}
  ]"#,
        );
        assert_ne!(with_reason, overlay("", ""));
        let catalog = Catalog::builtin().with_overlay(&with_reason).unwrap();
        let text = spec(r#""DE", "FR""#, "").replace(
            "      version  = \"2026-01-01\"\n      region   = \"swedencentral\"\n    }\n  }\n",
            "      version  = \"2026-01-01\"\n      region   = \"swedencentral\"\n    }\n  }\n  usage {\n    input_tokens_per_month  = 1000000\n    output_tokens_per_month = 1000000\n  }\n",
        );
        let v = validated(&text, &catalog, "2026-11-25");
        let report = crate::cost::cost_report(&v.project, &catalog);
        let line = report
            .normal
            .lines
            .iter()
            .find(|l| l.target == "aoai")
            .unwrap();
        assert!(line.unpriced);
        assert_eq!(line.no_price.as_deref(), Some("priced per character"));
        assert!(report.notes.iter().any(|n| n
            == "No catalog price for example-gpt on azure (no catalog price: priced per character; checked https://example.com/pricing on 2026-11-20); counted as $0: model.gpt.tier.a.target.aoai."), "{:?}", report.notes);
    }
}
