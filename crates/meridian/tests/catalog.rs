//! `meridian catalog show` and `meridian catalog where` as users run them, and the residency
//! verdict on a Vertex AI location without Google's processing guarantee.

#[path = "support/common.rs"]
mod common;

use common::{meridian, repo, run};
use serde_json::Value;
use std::path::PathBuf;

/// Gemini Embedding served in Warsaw, Frankfurt and the Netherlands, guaranteed to process in
/// place only in Frankfurt, the Netherlands and the multi-regions (the fixture's overlay).
fn overlay() -> PathBuf {
    repo().join("tests/fixtures/invalid/res-vertex-no-guarantee.json")
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().expect("string"))
        .collect()
}

/// Checks that every property the committed JSON Schema declares is present in `value`, all
/// the way down (the shape is stable: keys are never left out, `null` stands for nothing).
fn has_every_property(schema: &Value, node: &Value, value: &Value, at: &str) {
    let node = match node["$ref"].as_str() {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap_or_default();
            let defs = if schema["$defs"].is_object() {
                &schema["$defs"]
            } else {
                &schema["definitions"]
            };
            &defs[name]
        }
        None => node,
    };
    if let Some(props) = node["properties"].as_object() {
        let obj = value
            .as_object()
            .unwrap_or_else(|| panic!("{at}: not an object"));
        for (key, sub) in props {
            assert!(obj.contains_key(key), "{at}: key {key} missing");
            has_every_property(schema, sub, &obj[key], &format!("{at}.{key}"));
        }
    }
    if let (Some(items), Some(list)) = (node.get("items"), value.as_array()) {
        for (i, v) in list.iter().enumerate() {
            has_every_property(schema, items, v, &format!("{at}[{i}]"));
        }
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(options) = node[key].as_array() {
            for o in options.iter().filter(|o| o["type"] != "null") {
                if !value.is_null() {
                    has_every_property(schema, o, value, at);
                }
            }
        }
    }
}

/// Asserts that `value` has every property the committed schema `schema/NAME` declares.
fn assert_shape(name: &str, value: &Value) {
    let text = std::fs::read_to_string(repo().join("schema").join(name)).expect("schema");
    let schema = json(&text);
    has_every_property(&schema, &schema, value, "$");
}

#[test]
fn show_distinguishes_guaranteed_from_unguaranteed_vertex_locations() {
    let (code, out, err) = run(meridian()
        .args([
            "catalog",
            "show",
            "gemini-embedding-001",
            "--provider",
            "gcp",
            "--json",
            "--catalog",
        ])
        .arg(overlay()));
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["format_version"], "1");
    assert_eq!(v["cloud"], "gcp");
    let region = &v["offers"][0];
    assert_eq!(region["processing"], "region");
    assert_eq!(
        strings(&region["guaranteed_locations"]),
        ["europe-west3", "europe-west4"]
    );
    assert_eq!(
        strings(&region["unguaranteed_locations"]),
        ["europe-central2"]
    );
    let warsaw = &region["locations"][0];
    assert_eq!(warsaw["id"], "europe-central2");
    assert_eq!(warsaw["processing_guarantee"], false);
    assert_eq!(strings(&warsaw["countries"]), ["PL"]);
    assert_eq!(region["locations"][1]["processing_guarantee"], true);
    assert!(region["guarantee_source"]
        .as_str()
        .is_some_and(|s| s.starts_with("https://")));
    assert_shape("catalog-show.schema.json", &v);

    let (code, out, _) = run(meridian()
        .args(["catalog", "show", "gemini-embedding-001", "--overlay"])
        .arg(overlay()));
    assert_eq!(code, 0);
    assert!(
        out.contains(
            "    with the in-location processing guarantee: europe-west3 (DE), europe-west4 (NL)"
        ),
        "{out}"
    );
    assert!(
        out.contains("    without it (served there, but may process in any Google region): europe-central2 (PL)"),
        "{out}"
    );
}

#[test]
fn show_with_the_builtin_catalog_names_warsaw_unguaranteed_for_gemini_embedding() {
    let (code, out, err) = run(meridian().args([
        "catalog",
        "show",
        "gemini-embedding-001",
        "--provider",
        "gcp",
        "--json",
    ]));
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    let offers = v["offers"].as_array().expect("offers");
    let warsaw: Vec<&Value> = offers
        .iter()
        .flat_map(|o| o["locations"].as_array().into_iter().flatten())
        .filter(|l| l["id"] == "europe-central2")
        .collect();
    assert!(!warsaw.is_empty(), "{out}");
    for l in warsaw {
        assert_eq!(l["processing_guarantee"], false, "{l}");
    }
    for o in offers.iter().filter(|o| o["processing"] != "global") {
        assert!(o["guaranteed_locations"].is_array(), "{o}");
        assert!(o["unguaranteed_locations"].is_array(), "{o}");
    }
    assert_shape("catalog-show.schema.json", &v);
}

#[test]
fn show_prints_profile_routes_versions_and_prices() {
    let (code, out, err) = run(meridian().args([
        "catalog",
        "show",
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("anthropic.claude-sonnet-4-5-20250929-v1:0 (aws): "),
        "{out}"
    );
    assert!(
        out.contains("    profile eu.anthropic.claude-sonnet-4-5-20250929-v1:0: source https://"),
        "{out}"
    );
    assert!(out.contains("      from eu-central-1 -> "), "{out}");
    assert!(
        out.contains("Prices (USD per 1M tokens):\n  geography  in 3.3  out 16.5  https://"),
        "{out}"
    );
    assert!(out.contains("Catalog as of "), "{out}");
    let (code, out, err) = run(meridian().args(["catalog", "show", "gpt-5.1", "--json"]));
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["cloud"], "azure");
    assert!(v["versions"][0]["version"].is_string());
    assert!(v["versions"][0]
        .as_object()
        .is_some_and(|o| o.contains_key("deprecation_date") && o.contains_key("replacement")));
    assert!(v["offers"][0]["guaranteed_locations"].is_null());
}

#[test]
fn show_refuses_unknown_and_ambiguous_ids() {
    let (code, _, err) = run(meridian().args(["catalog", "show", "gemini-embeding-001"]));
    assert_eq!(code, 1);
    assert!(
        err.contains(
            "the catalog has no model with this id; did you mean \"gemini-embedding-001\"?"
        ),
        "{err}"
    );
    let (code, _, err) = run(meridian().args([
        "catalog",
        "show",
        "gemini-embedding-001",
        "--provider",
        "aws",
    ]));
    assert_eq!(code, 1);
    assert!(
        err.contains("the catalog has no aws model with this id"),
        "{err}"
    );
    // The same id on two clouds.
    let dir = tempfile::tempdir().expect("tempdir");
    let twin = dir.path().join("twin.json");
    std::fs::write(
        &twin,
        r#"{"models": [{"cloud": "aws", "id": "gemini-embedding-001", "name": "Twin",
          "context_window": 2048, "capabilities": ["embeddings"], "lifecycle": "ga",
          "offers": [{"processing": "region", "billing": ["on_demand"], "regions": ["eu-central-1"],
                      "source": "https://example.com", "as_of": "2026-11-20"}],
          "source": "https://example.com", "as_of": "2026-11-20"}]}"#,
    )
    .expect("write");
    let (code, _, err) = run(meridian()
        .args(["catalog", "show", "gemini-embedding-001", "--overlay"])
        .arg(&twin));
    assert_eq!(code, 1);
    assert!(
        err.contains("aws and gcp have a model with this id; say which with --provider aws|gcp"),
        "{err}"
    );
    let (code, out, _) = run(meridian()
        .args([
            "catalog",
            "show",
            "gemini-embedding-001",
            "--provider",
            "aws",
            "--overlay",
        ])
        .arg(&twin));
    assert_eq!(code, 0);
    assert!(out.starts_with("gemini-embedding-001 (aws): Twin"), "{out}");
}

#[test]
fn where_lists_the_choices_that_satisfy_a_spec_rule() {
    let spec = repo().join("tests/fixtures/invalid/res-vertex-no-guarantee.hcl");
    // The Poland-only in-region rule of the spec, with the spec's own overlay.
    let (code, out, err) = run(meridian()
        .args([
            "catalog",
            "where",
            "gemini-embedding-001",
            "--provider",
            "gcp",
            "--residency",
            "poland",
        ])
        .arg(&spec)
        .arg("--all"));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("under residency \"poland\": countries PL; processing up to \"region\""),
        "{out}"
    );
    assert!(
        out.contains("No choice satisfies the rule (5 tried)."),
        "{out}"
    );
    assert!(out.contains("Why each fails:\n"), "{out}");
    assert!(
        out.contains("  europe-central2 (region): no processing guarantee at europe-central2; processing \"global\" is wider than \"region\"; processes in "),
        "{out}"
    );
    // Germany: Frankfurt in-region passes.
    let (code, out, err) = run(meridian()
        .args([
            "catalog",
            "where",
            "gemini-embedding-001",
            "--countries",
            "DE",
            "--processing",
            "region",
            "--json",
            "--catalog",
        ])
        .arg(overlay()));
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    let passing: Vec<&str> = v["passing"]
        .as_array()
        .expect("passing")
        .iter()
        .map(|c| c["region"].as_str().expect("region"))
        .collect();
    assert_eq!(passing, ["europe-west3"]);
    assert_eq!(v["failing"].as_array().map(Vec::len), Some(4));
    assert_shape("catalog-where.schema.json", &v);
    // Human output without --all counts the others.
    let (code, out, _) = run(meridian()
        .args([
            "catalog",
            "where",
            "gemini-embedding-001",
            "--geography",
            "eu",
            "--overlay",
        ])
        .arg(overlay()));
    assert_eq!(code, 0);
    assert!(out.contains("3 of 5 choices satisfy the rule:"), "{out}");
    assert!(
        out.contains("  europe-west3  region      on_demand  europe-west3  DE (1 region)"),
        "{out}"
    );
    assert!(
        out.contains("2 other choices do not; --all lists them with the reason."),
        "{out}"
    );
}

#[test]
fn where_refuses_unknown_rules_and_codes() {
    let spec = repo().join("tests/fixtures/invalid/res-vertex-no-guarantee.hcl");
    let (code, _, err) = run(meridian()
        .args([
            "catalog",
            "where",
            "gemini-embedding-001",
            "--residency",
            "polnd",
        ])
        .arg(&spec));
    assert_eq!(code, 1);
    assert!(
        err.contains("has no residency \"polnd\"; its residency blocks: poland."),
        "{err}"
    );
    assert!(err.contains("Did you mean \"poland\"?"), "{err}");
    let (code, _, err) = run(meridian().args([
        "catalog",
        "where",
        "gemini-embedding-001",
        "--countries",
        "UK",
    ]));
    assert_eq!(code, 1);
    assert!(err.contains("\"GB\""), "{err}");
    // A rule is required, and --residency excludes the ad-hoc forms: usage errors, exit 1.
    let (code, _, err) = run(meridian().args(["catalog", "where", "gemini-embedding-001"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("required arguments were not provided"),
        "{err}"
    );
    let (code, _, _) = run(meridian().args([
        "catalog",
        "where",
        "gemini-embedding-001",
        "--residency",
        "x",
        "--countries",
        "DE",
    ]));
    assert_eq!(code, 1);
}

#[test]
fn a_poland_only_in_region_rule_fails_at_warsaw_naming_the_guarantee() {
    // The fixture's spec without its overlay: the built-in catalog decides.
    let fixture =
        std::fs::read_to_string(repo().join("tests/fixtures/invalid/res-vertex-no-guarantee.hcl"))
            .expect("fixture");
    let spec: String = fixture
        .lines()
        .filter(|l| !l.trim_start().starts_with("catalog "))
        .map(|l| format!("{l}\n"))
        .collect();
    let region_line = spec
        .lines()
        .position(|l| l.contains("region     = \"europe-central2\""))
        .expect("region line")
        + 1;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.hcl"), &spec).expect("write");
    // The built-in catalog: Warsaw serves the model without the guarantee.
    let (code, out, _) = run(meridian().args(["validate", "--json"]).arg(dir.path()));
    assert_eq!(code, 1, "{out}");
    let v = json(&out);
    let scope = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["code"] == "MRD-RES-003")
        .unwrap_or_else(|| panic!("no MRD-RES-003 in {out}"));
    assert_eq!(scope["severity"], "error");
    assert!(
        scope["summary"]
            .as_str()
            .is_some_and(|s| s.contains("has no processing guarantee at europe-central2")),
        "{scope}"
    );
    assert!(
        scope["detail"].as_str().is_some_and(|d| d
            .contains("does not guarantee that its ML processing stays there")
            && d.contains(
                "meridian catalog where gemini-embedding-001 --provider gcp --residency poland"
            )),
        "{scope}"
    );
    assert_eq!(scope["range"]["start"]["line"], region_line, "{scope}");
    assert_eq!(scope["range"]["start"]["column"], 20, "{scope}");
    // inspect refuses the invalid spec; report words the same reason in its matrix.
    let (code, out, err) = run(meridian()
        .args(["report", "--format", "json"])
        .arg(dir.path()));
    assert_eq!(code, 1, "{err}");
    let v = json(&out);
    let reasons = strings(&v["matrix"][0]["reasons"]);
    assert!(
        reasons[0].contains("does not guarantee that its ML processing stays there"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].contains("counts as \"global\" here"),
        "{reasons:?}"
    );
}

#[test]
fn meridian_today_sets_the_day_the_catalog_age_is_judged_on() {
    let eu = repo().join("examples/eu-bank");
    // Years after the catalog's date: one warning, naming how to refresh.
    let (code, out, err) = run(meridian()
        .env("MERIDIAN_TODAY", "2031-06-01")
        .args(["validate", "--json"])
        .arg(&eu));
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    let stale: Vec<&Value> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "MRD-CAT-012")
        .collect();
    assert_eq!(stale.len(), 1, "{out}");
    assert_eq!(stale[0]["severity"], "warning");
    assert!(
        stale[0]["summary"]
            .as_str()
            .is_some_and(|s| s.starts_with("The catalog is ")),
        "{out}"
    );
    assert!(
        stale[0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("meridian catalog verify") && d.contains("2031-06-01")),
        "{out}"
    );
    assert!(stale[0]["range"].is_object(), "{out}");
    // On the catalog's own day: none.
    let (_, out, _) = run(meridian().args(["validate", "--json"]).arg(&eu));
    assert!(!out.contains("MRD-CAT-012"), "{out}");
    // A malformed day is refused before anything runs.
    let (code, _, err) = run(meridian()
        .env("MERIDIAN_TODAY", "next tuesday")
        .args(["validate"])
        .arg(&eu));
    assert_eq!(code, 1);
    assert!(
        err.contains("MERIDIAN_TODAY=\"next tuesday\" is not a date"),
        "{err}"
    );
}

#[test]
fn inspect_says_why_a_vertex_footprint_is_global() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(overlay(), dir.path().join("overlay.json")).expect("copy");
    std::fs::write(
        dir.path().join("main.hcl"),
        r#"meridian {
  name    = "pl-search"
  catalog = "overlay.json"
}

provider "gcp" "corp" {
  project = "pl-search-prod"
}

model "embeddings" {
  capabilities = ["embeddings"]

  tier "primary" {
    target "vertex-warsaw" {
      provider   = provider.gcp.corp
      model      = "gemini-embedding-001"
      region     = "europe-central2"
      processing = "region"
    }
  }
}
"#,
    )
    .expect("write");
    let (code, out, err) = run(meridian().arg("inspect").arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("      processes in africa-south1 (ZA), asia-east1 (TW), "),
        "{out}"
    );
    assert!(
        out.contains("      Google serves gemini-embedding-001 at europe-central2 but does not guarantee that its ML processing stays there"),
        "{out}"
    );
    let (code, out, _) = run(meridian().args(["inspect", "--json"]).arg(dir.path()));
    assert_eq!(code, 0);
    let v = json(&out);
    let widened = &v["models"][0]["tiers"][0]["targets"][0]["footprint"]["widened"];
    assert_eq!(widened["kind"], "no_processing_guarantee", "{out}");
    assert_eq!(widened["location"], "europe-central2");
    assert_eq!(
        strings(&widened["guaranteed"]),
        ["eu", "europe-west3", "europe-west4", "us"]
    );
}
