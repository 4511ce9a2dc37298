//! `meridian simulate`: outages given with --fail, and every single outage.

#[path = "support/common.rs"]
mod common;

use common::{close, meridian, repo, run};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn eu_bank() -> PathBuf {
    repo().join("examples/eu-bank")
}

fn single_provider() -> PathBuf {
    repo().join("tests/fixtures/simulate/single-provider")
}

fn simulate_json(args: &[&str], spec: &Path) -> (i32, Value, String) {
    let (code, out, err) = run(meridian()
        .arg("simulate")
        .args(args)
        .arg("--json")
        .arg(spec));
    let json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, json, err)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The 27 EU member states.
const EU: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

#[test]
fn all_single_failures_reports_exactly_the_single_provider_model() {
    let (code, json, err) = simulate_json(&["--all-single-failures"], &single_provider());
    assert_eq!(code, 0, "{err}");
    assert_eq!(json["mode"], "all_single_failures");
    assert_eq!(json["simulation"], Value::Null);
    let report = &json["single_failures"];
    let spof = report["single_points_of_failure"]
        .as_object()
        .expect("object");
    assert_eq!(spof.keys().collect::<Vec<_>>(), ["reports"]);
    assert_eq!(strings(&spof["reports"]), ["azure"]);
    assert_eq!(strings(&json["failing_models"]), ["reports"]);
    assert_eq!(json["survive_single_failure"], false);
    assert_eq!(json["passed"], true);
    let tried: Vec<String> = report["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .map(|s| s["failure"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        tried,
        [
            "aws",
            "azure",
            "aws:us-east-1",
            "azure:eastus",
            "azure:westus"
        ]
    );
    let azure = &report["scenarios"][1];
    assert_eq!(strings(&azure["lost_service"]), ["reports"]);
    assert_eq!(strings(&azure["failed_over"]), ["chat"]);
    let eastus = &report["scenarios"][3];
    assert!(strings(&eastus["lost_service"]).is_empty());
    assert_eq!(strings(&eastus["failed_over"]), ["chat", "reports"]);
    assert_eq!(report["residency_breaches"], Value::Array(Vec::new()));

    let (code, out, err) = run(meridian()
        .args(["simulate", "--all-single-failures"])
        .arg(single_provider()));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Tried 5 single outages against 2 models"),
        "{out}"
    );
    assert!(
        out.contains(
            "Single points of failure:\n  model \"reports\" loses service when azure fails\n"
        ),
        "{out}"
    );
    assert!(!out.contains("model \"chat\" loses"), "{out}");
    assert!(out.contains("no simulated path leaves residency"), "{out}");
}

#[test]
fn a_single_point_of_failure_fails_when_the_policy_requires_surviving() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(single_provider().join("main.hcl")).expect("fixture");
    std::fs::write(
        dir.path().join("main.hcl"),
        format!("{text}\npolicy {{\n  survive_single_failure = true\n}}\n"),
    )
    .expect("write");
    let (code, out, err) = run(meridian()
        .args(["simulate", "--all-single-failures"])
        .arg(dir.path()));
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("model \"reports\" loses service when azure fails"),
        "{out}"
    );
    assert!(err.contains("MRD-POL-008"), "{err}");
    assert!(
        err.contains("policy.survive_single_failure = true, but model \"reports\" cannot survive every single outage"),
        "{err}"
    );
    let (code, json, _) = simulate_json(&["--all-single-failures"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(json["passed"], false);
    assert_eq!(strings(&json["failing_models"]), ["reports"]);

    // An outage every model survives passes, also under the policy.
    let (code, json, err) = simulate_json(&["--fail", "aws"], dir.path());
    assert_eq!(code, 1, "the spec itself breaks the policy: {err}");
    assert_eq!(json["passed"], true);
}

#[test]
fn eu_bank_has_no_single_point_of_failure_and_no_path_leaves_the_eu() {
    let (code, json, err) = simulate_json(&["--all-single-failures"], &eu_bank());
    assert_eq!(code, 0, "{err}");
    assert_eq!(json["survive_single_failure"], true);
    assert_eq!(json["passed"], true);
    let report = &json["single_failures"];
    assert_eq!(
        report["single_points_of_failure"],
        Value::Object(serde_json::Map::new())
    );
    assert_eq!(report["residency_breaches"], Value::Array(Vec::new()));
    let scenarios = report["scenarios"].as_array().expect("scenarios");
    let tried: BTreeSet<&str> = scenarios
        .iter()
        .filter_map(|s| s["failure"].as_str())
        .collect();
    for f in [
        "aws",
        "azure",
        "gcp",
        "aws:eu-central-1",
        "aws:eu-west-1",
        "aws:eu-north-1",
        "azure:swedencentral",
        "gcp:europe-west4",
    ] {
        assert!(tried.contains(f), "{f} not tried: {tried:?}");
    }
    for s in scenarios {
        assert!(strings(&s["lost_service"]).is_empty(), "{s}");
        assert!(strings(&s["leaves_residency"]).is_empty(), "{s}");
    }

    // Check every simulated path independently: each single outage, each serving target's
    // footprint lies in EU member states and its processing is never global.
    let eu: BTreeSet<&str> = EU.into_iter().collect();
    let mut paths = 0;
    for failure in &tried {
        let (code, json, err) = simulate_json(&["--fail", failure], &eu_bank());
        assert_eq!(code, 0, "{failure}: {err}");
        for m in json["simulation"]["models"].as_array().expect("models") {
            assert_eq!(m["lost_service"], false, "{failure}: {m}");
            let serving = m["serving"]["targets"].as_array().expect("serving");
            assert!(!serving.is_empty());
            for t in serving {
                paths += 1;
                let countries = strings(&t["footprint_countries"]);
                assert!(!countries.is_empty(), "{t}");
                for c in &countries {
                    assert!(
                        eu.contains(c.as_str()),
                        "{failure}: {} processes in {c}",
                        t["address"]
                    );
                }
                assert!(!strings(&t["footprint_regions"]).is_empty(), "{t}");
                assert_ne!(t["processing"], "global", "{t}");
                assert_eq!(t["verdict"]["complies"], true, "{t}");
                assert_eq!(t["verdict"]["residency"], "eu_strict", "{t}");
            }
        }
    }
    assert_eq!(report["paths_checked"].as_u64(), Some(paths));

    let (code, out, err) = run(meridian()
        .args(["simulate", "--all-single-failures"])
        .arg(eu_bank()));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Single points of failure: none."), "{out}");
    assert!(
        out.contains(&format!(
            "Residency: no simulated path leaves residency ({paths} serving paths checked)."
        )),
        "{out}"
    );
}

#[test]
fn an_azure_outage_moves_the_eu_assistant_to_bedrock_frankfurt() {
    let (code, json, err) = simulate_json(&["--fail", "azure"], &eu_bank());
    assert_eq!(code, 0, "{err}");
    let sim = &json["simulation"];
    assert_eq!(strings(&sim["failed"]), ["azure"]);
    let assistant = &sim["models"][0];
    assert_eq!(assistant["model"], "assistant");
    assert_eq!(
        strings(&assistant["down_targets"]),
        ["model.assistant.tier.primary.target.aoai-sweden"]
    );
    assert_eq!(assistant["failed_over"], true);
    assert_eq!(assistant["serving"]["tier"], "secondary");
    assert_eq!(assistant["serving"]["position"], 2);
    let t = &assistant["serving"]["targets"][0];
    assert_eq!(t["target"], "bedrock-frankfurt");
    assert_eq!(t["region"], "eu-central-1");
    assert_eq!(t["verdict"]["complies"], true);
    assert!(strings(&t["footprint_countries"]).contains(&"DE".to_string()));
    // Before: gpt-5.1 at the catalog's $1.25 / $10 per 1M tokens; after: Sonnet 4.5 through
    // the eu. profile at $3.30 / $16.50, for 900M input and 120M output tokens.
    assert!(close(
        assistant["monthly_usd_before"].as_f64().expect("before"),
        900.0 * 1.25 + 120.0 * 10.0
    ));
    assert!(close(
        assistant["monthly_usd_after"].as_f64().expect("after"),
        900.0 * 3.3 + 120.0 * 16.5
    ));
    let review = &sim["models"][1];
    assert_eq!(review["serving"]["tier"], "secondary");
    assert_eq!(review["serving"]["targets"][0]["target"], "vertex-eu");
    let triage = &sim["models"][2];
    assert_eq!(triage["failed_over"], false);
    assert_eq!(triage["down_targets"], Value::Array(Vec::new()));
    // 4950 (assistant on Bedrock) + 780 (document-review on Gemini 3.5 Flash at its global
    // price, $1.50 / $9.00 for 400M / 20M tokens) + 1815 (triage).
    assert!(close(sim["total_before"].as_f64().expect("before"), 4840.0));
    assert!(close(
        sim["total_after"].as_f64().expect("after"),
        4950.0 + (400.0 * 1.50 + 20.0 * 9.00) + 1815.0
    ));

    let (code, out, err) = run(meridian()
        .args(["simulate", "--fail", "azure"])
        .arg(eu_bank()));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Simulated outage: azure\n"), "{out}");
    assert!(
        out.contains("model \"assistant\" (residency \"eu_strict\")\n  down: model.assistant.tier.primary.target.aoai-sweden\n  served by tier 2 \"secondary\" (failed over)\n"),
        "{out}"
    );
    assert!(
        out.contains("    TIER       TARGET             PROVIDER  REGION        PROCESSING  SHARE  MONTHLY     RESIDENCY  FOOTPRINT\n    secondary  bedrock-frankfurt  aws.corp  eu-central-1  geography   100%   $4,950.00*  complies   DE, ES, FR, IE, IT, SE (6 regions)\n"),
        "{out}"
    );
    assert!(
        out.contains("    secondary  vertex-eu  gcp.corp  europe-west4  geography   100%   $780.00*  complies"),
        "{out}"
    );
    assert!(
        out.contains(
            "* approximate: the catalog price is unconfirmed or another processing mode's."
        ),
        "{out}"
    );
    assert!(
        out.contains("  monthly: $2,325.00 -> $4,950.00 (rises by $2,625.00 (+112.9%))"),
        "{out}"
    );
    assert!(
        out.contains(
            "Total monthly estimate: $4,840.00 -> $7,545.00 (rises by $2,705.00 (+55.9%))"
        ),
        "{out}"
    );
    assert!(
        out.contains("Every model keeps serving within its residency."),
        "{out}"
    );
}

#[test]
fn a_model_losing_service_fails_under_the_policy() {
    // triage runs on Bedrock in two regions and on Vertex: losing both clouds leaves nothing.
    let (code, json, err) = simulate_json(&["--fail", "aws", "--fail", "gcp"], &eu_bank());
    assert_eq!(code, 1);
    assert_eq!(json["passed"], false);
    assert_eq!(strings(&json["failing_models"]), ["triage"]);
    let sim = &json["simulation"];
    assert_eq!(strings(&sim["lost_service"]), ["triage"]);
    let triage = &sim["models"][2];
    assert_eq!(triage["serving"], Value::Null);
    assert!(close(
        triage["monthly_usd_after"].as_f64().expect("after"),
        0.0
    ));
    assert!(
        err.contains("policy.survive_single_failure = true, but model \"triage\" would not be served within residency"),
        "{err}"
    );

    let (code, out, _) = run(meridian()
        .args([
            "simulate",
            "--fail",
            "aws:eu-west-1",
            "--fail",
            "aws:eu-north-1",
            "--fail",
            "gcp",
        ])
        .arg(eu_bank()));
    assert_eq!(code, 1);
    assert!(
        out.contains("Simulated outage: aws:eu-west-1 + aws:eu-north-1 + gcp\n"),
        "{out}"
    );
    assert!(
        out.contains("  LOSES SERVICE: no target is left.\n"),
        "{out}"
    );
    assert!(out.contains("Losing service: triage\n"), "{out}");
}

#[test]
fn unknown_failures_are_rejected_naming_the_choices() {
    let (code, out, err) = run(meridian()
        .args(["simulate", "--fail", "azuer"])
        .arg(eu_bank()));
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("Error: --fail azuer: Unknown provider or cloud \"azuer\"; valid choices: aws, azure, gcp, aws.corp, azure.corp, gcp.corp. Did you mean \"azure\"?"),
        "{err}"
    );

    let (code, _, err) = run(meridian()
        .args(["simulate", "--fail", "aws:eu-west-3"])
        .arg(eu_bank()));
    assert_eq!(code, 1);
    assert!(
        err.contains("No target of aws is called from region \"eu-west-3\"; regions of aws in this spec: eu-central-1, eu-north-1, eu-west-1."),
        "{err}"
    );
    assert!(err.contains("Did you mean \"eu-west-1\"?"), "{err}");

    let (code, _, err) = run(meridian()
        .args(["simulate", "--fail", "swedencentral"])
        .arg(eu_bank()));
    assert_eq!(code, 1);
    assert!(err.contains("\"swedencentral\" is a region"), "{err}");
    assert!(err.contains("azure:swedencentral"), "{err}");

    let (code, _, err) = run(meridian().arg("simulate").arg(eu_bank()));
    assert_eq!(code, 1);
    assert!(err.contains("--fail PROVIDER[:REGION]"), "{err}");
    assert!(err.contains("--all-single-failures"), "{err}");
}

#[test]
fn an_invalid_spec_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(single_provider().join("main.hcl")).expect("fixture");
    std::fs::write(
        dir.path().join("main.hcl"),
        text.replace("region     = \"westus\"", "region     = \"westeurope\""),
    )
    .expect("write");
    let (code, out, err) = run(meridian()
        .args(["simulate", "--all-single-failures"])
        .arg(dir.path()));
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("The spec is invalid"), "{err}");
}

#[test]
fn help_shows_examples() {
    let (code, out, _) = run(meridian().args(["simulate", "--help"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("meridian simulate --fail azure examples/eu-bank"),
        "{out}"
    );
    assert!(out.contains("--all-single-failures"), "{out}");
    assert!(out.contains("PROVIDER[:REGION]"), "{out}");
}
