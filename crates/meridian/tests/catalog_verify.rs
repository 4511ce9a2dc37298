//! `meridian catalog verify` end to end against the fake cloud: a cloud that agrees with the
//! catalog passes; a Bedrock route that reaches London from Frankfurt is an error, written as
//! an overlay that turns the EU residency verdict of a valid spec into MRD-RES-001; Azure and
//! Vertex AI offers the cloud lacks do the same to the targets that use them; the JSON output
//! is stable; overlays stay inside the spec directory; a cloud that cannot be read fails.

#[path = "support/common.rs"]
mod common;

use assert_cmd::Command;
use common::{binary, run, without_cloud_env};
use meridian_catalog::{Billing, Catalog, Cloud, Lifecycle, Model, Processing};
use meridian_fakecloud::{
    FakeCloud, Fault, FaultKind, Fixture, Provider, TEST_AWS_ACCESS_KEY_ID,
    TEST_AWS_SECRET_ACCESS_KEY, TEST_AZURE_TOKEN, TEST_GCP_TOKEN,
};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;

const AWS_ACCOUNT: &str = "418295730641";
const SUBSCRIPTION: &str = "6f1c2b7e-93a4-4d2e-9b0f-2c5e8a71d4b3";
const PROJECT: &str = "ml-prod";

/// `meridian` pointed at the fake cloud with its test credentials and quick retries.
fn meridian(cloud: &FakeCloud) -> Command {
    let mut c = binary();
    without_cloud_env(&mut c);
    c.env("MERIDIAN_AZURE_ENDPOINT", cloud.azure_endpoint())
        .env("MERIDIAN_AWS_ENDPOINT", cloud.aws_endpoint())
        .env("MERIDIAN_AWS_STS_ENDPOINT", cloud.aws_sts_endpoint())
        .env("MERIDIAN_GCP_ENDPOINT", cloud.gcp_location_endpoint())
        .env("AZURE_ACCESS_TOKEN", TEST_AZURE_TOKEN)
        .env("GOOGLE_OAUTH_ACCESS_TOKEN", TEST_GCP_TOKEN)
        .env("AWS_ACCESS_KEY_ID", TEST_AWS_ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", TEST_AWS_SECRET_ACCESS_KEY)
        .env("MERIDIAN_RETRY_BACKOFF", "10ms")
        .env("MERIDIAN_REQUEST_TIMEOUT", "3s");
    c
}

fn catalog() -> &'static Catalog {
    Catalog::builtin()
}

fn usable(m: &Model, version: Option<&str>) -> bool {
    let past = |d: Option<&String>| d.is_some_and(|d| d.as_str() <= catalog().as_of());
    m.lifecycle != Lifecycle::Retired
        && !past(m.retirement_date.as_ref())
        && version
            .and_then(|v| m.version(v))
            .is_none_or(|v| v.lifecycle != Lifecycle::Retired && !past(v.retirement_date.as_ref()))
}

/// What the test spec deploys, picked from the catalog so the spec is valid with it.
struct Picks {
    /// A Bedrock model whose `eu.` profile called from eu-central-1 stays in the EU.
    bedrock: String,
    /// An Azure model, version and region with a Standard (in-region, on-demand) offer.
    azure: (String, String, String),
    /// A Vertex AI model and region with an in-region offer.
    vertex: (String, String),
}

fn picks() -> Picks {
    let eu: BTreeSet<&str> = catalog()
        .geography("eu")
        .expect("eu")
        .countries
        .iter()
        .map(String::as_str)
        .collect();
    let bedrock = catalog()
        .models(Some(Cloud::Aws))
        .filter(|m| usable(m, None))
        .find(|m| {
            m.offers.iter().flat_map(|o| &o.profiles).any(|p| {
                p.prefix == "eu"
                    && p.routes.get("eu-central-1").is_some_and(|d| {
                        !d.iter().any(|r| r == "eu-west-2")
                            && d.iter().all(|r| {
                                catalog()
                                    .region(Cloud::Aws, r)
                                    .is_some_and(|r| eu.contains(r.country.as_str()))
                            })
                    })
            })
        })
        .expect("a Bedrock model whose eu. route from Frankfurt stays in the EU")
        .id
        .clone();
    let azure = catalog()
        .models(Some(Cloud::Azure))
        .find_map(|m| {
            m.versions
                .iter()
                .filter(|v| usable(m, Some(&v.version)))
                .find_map(|v| {
                    let in_region = |o: &&meridian_catalog::Offer| {
                        o.processing == Processing::Region && o.applies_to(Some(&v.version))
                    };
                    // A region where the Standard offer is the only in-region one, so that
                    // removing it leaves nothing to deploy there (not another billing mode).
                    m.offers
                        .iter()
                        .filter(in_region)
                        .filter(|o| {
                            o.billing.contains(&Billing::OnDemand) && o.retirement_date.is_none()
                        })
                        .flat_map(|o| &o.regions)
                        .find(|r| {
                            m.offers
                                .iter()
                                .filter(in_region)
                                .filter(|o| o.regions.contains(r))
                                .count()
                                == 1
                        })
                        .map(|r| (m.id.clone(), v.version.clone(), r.clone()))
                })
        })
        .expect("an Azure model version with a Standard offer");
    let vertex = catalog()
        .models(Some(Cloud::Gcp))
        .filter(|m| usable(m, None))
        .find_map(|m| {
            m.offers
                .iter()
                .find(|o| o.processing == Processing::Region && !o.regions.is_empty())
                .map(|o| (m.id.clone(), o.regions[0].clone()))
        })
        .expect("a Vertex AI model with an in-region offer");
    Picks {
        bedrock,
        azure,
        vertex,
    }
}

fn spec(p: &Picks) -> String {
    format!(
        r#"meridian {{
  name = "verify-e2e"
}}

provider "aws" "corp" {{
  account_id = "{AWS_ACCOUNT}"
}}

provider "azure" "corp" {{
  subscription_id = "{SUBSCRIPTION}"
  resource_group  = "rg-ai"
}}

provider "gcp" "corp" {{
  project = "{PROJECT}"
}}

residency "eu" {{
  geographies = ["eu"]
  processing  = "geography"
}}

model "assistant" {{
  residency = residency.eu
  tier "primary" {{
    target "bedrock-frankfurt" {{
      provider   = provider.aws.corp
      model      = "{bedrock}"
      region     = "eu-central-1"
      processing = "geography"
    }}
  }}
}}

model "writer" {{
  tier "primary" {{
    target "aoai" {{
      provider   = provider.azure.corp
      model      = "{az_model}"
      version    = "{az_version}"
      region     = "{az_region}"
      processing = "region"
    }}
  }}
}}

model "search" {{
  tier "primary" {{
    target "vertex" {{
      provider   = provider.gcp.corp
      model      = "{gcp_model}"
      region     = "{gcp_region}"
      processing = "region"
    }}
  }}
}}
"#,
        bedrock = p.bedrock,
        az_model = p.azure.0,
        az_version = p.azure.1,
        az_region = p.azure.2,
        gcp_model = p.vertex.0,
        gcp_region = p.vertex.1,
    )
}

/// A spec directory with the test spec, and a cloud that agrees with the catalog.
fn setup() -> (tempfile::TempDir, Picks, Fixture) {
    let p = picks();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.hcl"), spec(&p)).expect("write spec");
    let mut fixture = Fixture::default().with_catalog(catalog(), SUBSCRIPTION);
    fixture.auth.aws.account_id = AWS_ACCOUNT.into();
    (dir, p, fixture)
}

fn validate(dir: &Path) -> (i32, String) {
    let mut c = binary();
    without_cloud_env(&mut c);
    let (code, out, err) = run(c.args(["validate", "--no-color"]).arg(dir));
    (code, format!("{out}{err}"))
}

fn name_overlay(dir: &Path, file: &str) {
    let path = dir.join("main.hcl");
    let text = std::fs::read_to_string(&path).expect("read");
    let text = text.replacen(
        "name = \"verify-e2e\"",
        &format!("name    = \"verify-e2e\"\n  catalog = \"{file}\""),
        1,
    );
    std::fs::write(&path, text).expect("write");
}

/// The fake's port in a text, replaced by `PORT`.
fn without_port(text: &str, cloud: &FakeCloud) -> String {
    text.replace(&cloud.addr().port().to_string(), "PORT")
}

#[test]
fn a_cloud_that_agrees_with_the_catalog_verifies_clean() {
    let (dir, _, fixture) = setup();
    let (code, out) = validate(dir.path());
    assert_eq!(
        code, 0,
        "the spec is valid with the built-in catalog:\n{out}"
    );
    let cloud = FakeCloud::start(fixture).expect("fake cloud");
    let (code, out, err) = run(meridian(&cloud).args(["catalog", "verify"]).arg(dir.path()));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("0 errors, 0 warnings."), "{out}");
    assert!(
        out.contains(&format!("AWS account {AWS_ACCOUNT} (aws.corp)")),
        "{out}"
    );
    assert!(out.contains("  eu-central-1: no differences"), "{out}");
    assert!(err.contains("Read 3 regions of 3 providers"), "{err}");
    assert!(cloud.request_count() > 10);
}

#[test]
fn a_route_to_london_is_an_error_and_its_overlay_fails_the_eu_rule() {
    let (dir, p, mut fixture) = setup();
    let profile = format!("eu.{}", p.bedrock);
    let arn = format!("arn:aws:bedrock:eu-west-2::foundation-model/{}", p.bedrock);
    fixture
        .aws_profile_mut("eu-central-1", &profile)
        .expect("the eu. profile is served in Frankfurt")["models"]
        .as_array_mut()
        .expect("models")
        .push(json!({ "modelArn": arn }));
    let cloud = FakeCloud::start(fixture).expect("fake cloud");
    assert_eq!(validate(dir.path()).0, 0);

    let (code, out, err) = run(meridian(&cloud)
        .args(["catalog", "verify", "--write-overlay"])
        .arg(dir.path().join("verified.json"))
        .arg(dir.path()));
    assert_eq!(code, 1, "an error difference exits 1:\n{out}\n{err}");
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("    error   ") && l.contains(&profile))
        .unwrap_or_else(|| panic!("no error line for {profile}:\n{out}"));
    assert!(lines[at].contains("called from eu-central-1"), "{out}");
    assert!(lines[at].contains("eu-west-2 (GB)"), "{out}");
    assert!(
        lines[at + 1].contains(&format!("/aws/inference-profiles/{profile}")),
        "{out}"
    );
    assert!(out.contains("1 error, 0 warnings."), "{out}");
    assert!(
        out.contains("Wrote the overlay verified.json: 1 model, 1 difference recorded."),
        "{out}"
    );
    assert!(out.contains("catalog = \"verified.json\""), "{out}");

    let text = std::fs::read_to_string(dir.path().join("verified.json")).expect("written");
    for secret in [
        TEST_AWS_SECRET_ACCESS_KEY,
        TEST_AWS_ACCESS_KEY_ID,
        TEST_AZURE_TOKEN,
        TEST_GCP_TOKEN,
    ] {
        assert!(!text.contains(secret), "a credential in the overlay");
    }
    let overlay: Value = serde_json::from_str(&text).expect("JSON");
    let today = meridian_model::Date::today().to_string();
    assert_eq!(overlay["as_of"], json!(today));
    let read = overlay["models"][0]["offers"]
        .as_array()
        .expect("offers")
        .iter()
        .flat_map(|o| o["profiles"].as_array().cloned().unwrap_or_default())
        .find(|p| p["routes"].get("eu-central-1").is_some())
        .expect("the route read from the cloud");
    assert!(read["routes"]["eu-central-1"]
        .as_array()
        .expect("destinations")
        .contains(&json!("eu-west-2")));
    assert_eq!(
        without_port(read["source"].as_str().expect("source"), &cloud),
        format!("http://127.0.0.1:PORT/aws/inference-profiles/{profile}")
    );
    assert_eq!(read["as_of"], json!(today));
    assert_eq!(
        read["note"],
        json!(format!(
            "Read from AWS account {AWS_ACCOUNT} (aws.corp) with `meridian catalog verify` on {today}."
        ))
    );
    // The overlay is valid against the published schema's rules (the catalog loads it).
    Catalog::builtin().with_overlay(&text).expect("loads");

    // Loaded by the spec, the overlay turns the verdict.
    name_overlay(dir.path(), "verified.json");
    let (code, out) = validate(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error[MRD-RES-001]"), "{out}");
    assert!(out.contains("\"bedrock-frankfurt\""), "{out}");
    assert!(out.contains("eu-west-2 (GB)"), "{out}");
    // And the catalog in use now agrees with the cloud.
    let (code, out, err) = run(meridian(&cloud).args(["catalog", "verify"]).arg(dir.path()));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("(with the overlay verified.json)"), "{out}");
}

#[test]
fn azure_and_vertex_offers_the_cloud_lacks_fail_their_targets_once_written() {
    let (dir, p, mut fixture) = setup();
    let (az_model, az_version, az_region) = &p.azure;
    assert!(fixture.azure_remove_sku(SUBSCRIPTION, az_region, az_model, az_version, "Standard"));
    let (gcp_model, gcp_region) = &p.vertex;
    assert!(fixture.gcp_remove_publisher_model(gcp_region, gcp_model));
    let cloud = FakeCloud::start(fixture).expect("fake cloud");
    assert_eq!(validate(dir.path()).0, 0);

    let (code, out, err) = run(meridian(&cloud)
        .args(["catalog", "verify", "--json", "--write-overlay"])
        .arg(dir.path().join("overlays/verified.json"))
        .arg(dir.path()));
    assert_eq!(code, 1, "{out}\n{err}");
    let doc: Value = serde_json::from_str(&out).expect("JSON");
    let kinds: BTreeSet<(String, String)> = doc["differences"]
        .as_array()
        .expect("differences")
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap_or_default().to_string(),
                d["provider"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            ("offer_missing".to_string(), "azure.corp".to_string()),
            ("model_missing".to_string(), "gcp.corp".to_string()),
        ]),
        "{out}"
    );
    assert_eq!(doc["overlay"]["path"], "overlays/verified.json");
    name_overlay(dir.path(), "overlays/verified.json");
    let (code, out) = validate(dir.path());
    assert_eq!(code, 1, "{out}");
    let not_offered = out.matches("error[MRD-CAT-005]").count();
    assert_eq!(not_offered, 2, "the Azure and the Vertex AI target:\n{out}");
    assert!(
        out.contains(&format!("not offered in {az_region}")),
        "{out}"
    );
    assert!(
        out.contains(&format!("not offered in {gcp_region}")),
        "{out}"
    );
}

#[test]
fn the_json_output_is_stable() {
    let (dir, p, mut fixture) = setup();
    let profile = format!("eu.{}", p.bedrock);
    fixture
        .aws_profile_mut("eu-central-1", &profile)
        .expect("eu profile")["models"]
        .as_array_mut()
        .expect("models")
        .push(json!({ "modelArn": format!("arn:aws:bedrock:eu-west-2::foundation-model/{}", p.bedrock) }));
    let cloud = FakeCloud::start(fixture).expect("fake cloud");
    let (code, out, _) = run(meridian(&cloud)
        .args(["catalog", "verify", "--json", "--provider", "aws"])
        .arg(dir.path()));
    assert_eq!(code, 1);
    let doc: Value = serde_json::from_str(&without_port(&out, &cloud)).expect("one JSON document");
    let keys = |v: &Value| {
        v.as_object()
            .expect("object")
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        keys(&doc),
        [
            "catalog",
            "differences",
            "errors",
            "format_version",
            "notes",
            "overlay",
            "providers",
            "requests",
            "skipped",
            "warnings"
        ]
    );
    assert_eq!(doc["format_version"], "1.0");
    assert_eq!(
        doc["catalog"],
        json!({"as_of": catalog().as_of(), "overlay": null})
    );
    assert_eq!(
        doc["providers"],
        json!([{"provider": "aws.corp", "cloud": "aws", "account": AWS_ACCOUNT, "regions": ["eu-central-1"]}])
    );
    assert_eq!(doc["skipped"], json!([]));
    assert_eq!(doc["errors"], 1);
    assert_eq!(doc["warnings"], 0);
    assert_eq!(doc["overlay"], Value::Null);
    let route = catalog()
        .model(Cloud::Aws, &p.bedrock)
        .expect("model")
        .offers
        .iter()
        .flat_map(|o| &o.profiles)
        .find_map(|x| {
            (x.prefix == "eu")
                .then(|| x.routes.get("eu-central-1"))
                .flatten()
        })
        .expect("route")
        .clone();
    let mut live = route.clone();
    live.push("eu-west-2".into());
    live.sort();
    let added = if live.iter().all(|r| route.contains(r)) {
        String::new()
    } else {
        " it may also process in eu-west-2 (GB)".into()
    };
    assert_eq!(
        doc["differences"],
        json!([{
            "severity": "error",
            "kind": "route_destinations",
            "provider": "aws.corp",
            "cloud": "aws",
            "region": "eu-central-1",
            "model": p.bedrock,
            "profile": profile,
            "catalog": route,
            "live": live,
            "message": format!("{profile} called from eu-central-1 has other destinations than the catalog:{added}"),
            "source": format!("http://127.0.0.1:PORT/aws/inference-profiles/{profile}"),
        }])
    );
    assert!(doc["requests"].as_u64().is_some_and(|n| n >= 4));
}

#[test]
fn overlays_outside_the_spec_directory_are_refused_before_anything_is_read() {
    let (dir, _, fixture) = setup();
    let cloud = FakeCloud::start(fixture).expect("fake cloud");
    let outside = dir.path().join("../verify-outside.json");
    let (code, _, err) = run(meridian(&cloud)
        .args(["catalog", "verify", "--write-overlay"])
        .arg(&outside)
        .arg(dir.path()));
    assert_eq!(code, 1);
    assert!(err.contains("is outside the spec directory"), "{err}");
    assert!(!outside.exists());
    assert_eq!(cloud.request_count(), 0, "nothing was read");
    let (code, _, err) = run(meridian(&cloud)
        .args(["catalog", "verify", "--write-overlay"])
        .arg(dir.path())
        .arg(dir.path()));
    assert_eq!(code, 1);
    assert!(err.contains("is a directory"), "{err}");
    // Nor onto the spec or Meridian's own files.
    let spec_before = std::fs::read(dir.path().join("main.hcl")).expect("spec");
    for own in ["main.hcl", ".meridian/state.json"] {
        let (code, _, err) = run(meridian(&cloud)
            .args(["catalog", "verify", "--write-overlay"])
            .arg(dir.path().join(own))
            .arg(dir.path()));
        assert_eq!(code, 1, "{own}");
        assert!(err.contains("would overwrite"), "{own}: {err}");
    }
    assert_eq!(
        std::fs::read(dir.path().join("main.hcl")).expect("spec"),
        spec_before
    );
    assert!(!dir.path().join(".meridian/state.json").exists());
    assert_eq!(cloud.request_count(), 0, "nothing was read");
}

#[test]
fn a_cloud_that_cannot_be_read_fails_and_writes_nothing() {
    let (dir, p, fixture) = setup();
    let cloud = FakeCloud::start(fixture).expect("fake cloud");
    cloud.set_faults(vec![Fault::new(
        Provider::Aws,
        FaultKind::Status {
            status: 500,
            retry_after: None,
        },
    )
    .path_contains(&format!("/inference-profiles/eu.{}", p.bedrock))]);
    let (code, out, err) = run(meridian(&cloud)
        .args(["catalog", "verify", "--json", "--write-overlay"])
        .arg(dir.path().join("verified.json"))
        .arg(dir.path()));
    assert_eq!(code, 1);
    assert!(
        err.contains("error: the clouds could not be read (1 error):"),
        "{err}"
    );
    assert!(
        err.contains("aws.corp (eu-central-1): GET http://127.0.0.1:"),
        "{err}"
    );
    assert!(err.contains("HTTP 500 after 5 attempts"), "{err}");
    assert!(
        err.contains("never taken for one without differences"),
        "{err}"
    );
    assert!(!dir.path().join("verified.json").exists());
    let doc: Value = serde_json::from_str(&out).expect("JSON");
    let e = &doc["read_errors"][0];
    assert_eq!(e["provider"], "aws.corp");
    assert_eq!(e["region"], "eu-central-1");
    assert!(
        doc.get("differences").is_none(),
        "no differences are claimed"
    );
}

#[test]
fn providers_and_regions_are_chosen_and_checked() {
    let (dir, _, fixture) = setup();
    let cloud = FakeCloud::start(fixture).expect("fake cloud");
    let json = |args: &[&str]| {
        let (code, out, err) = run(meridian(&cloud)
            .args(["catalog", "verify", "--json"])
            .args(args)
            .arg(dir.path()));
        (
            code,
            serde_json::from_str::<Value>(&out).unwrap_or(Value::Null),
            err,
        )
    };
    let (code, doc, err) = json(&["--provider", "aws.corp", "--region", "eu-west-2"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        doc["providers"][0]["regions"],
        json!(["eu-central-1", "eu-west-2"])
    );
    assert_eq!(doc["providers"].as_array().map(Vec::len), Some(1));
    let (code, doc, err) = json(&["--provider", "gcp", "--all-regions"]);
    assert_eq!(code, 0, "{err}");
    let regions = doc["providers"][0]["regions"].as_array().expect("regions");
    for r in ["eu", "us", "global", "europe-west4"] {
        assert!(regions.contains(&json!(r)), "{regions:?}");
    }
    let (code, _, err) = json(&["--provider", "oracle"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("--provider \"oracle\" names no provider block"),
        "{err}"
    );
    assert!(err.contains("aws.corp, azure.corp, gcp.corp"), "{err}");
    let (code, _, err) = json(&["--region", "eu-centrl-1"]);
    assert_eq!(code, 1);
    assert!(err.contains("Did you mean \"eu-central-1\"?"), "{err}");
}

#[test]
fn a_spec_whose_catalog_cannot_be_read_or_that_names_no_region_is_refused() {
    let (dir, _, fixture) = setup();
    let cloud = FakeCloud::start(fixture).expect("fake cloud");
    name_overlay(dir.path(), "missing.json");
    let (code, _, err) = run(meridian(&cloud).args(["catalog", "verify"]).arg(dir.path()));
    assert_eq!(code, 1);
    assert!(err.contains("MRD-IO-001"), "{err}");
    assert!(err.contains("nothing was verified"), "{err}");
    assert_eq!(cloud.request_count(), 0);

    let empty = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        empty.path().join("main.hcl"),
        format!("meridian {{\n  name = \"bare\"\n}}\n\nprovider \"aws\" \"corp\" {{\n  account_id = \"{AWS_ACCOUNT}\"\n}}\n"),
    )
    .expect("write");
    let (code, _, err) = run(meridian(&cloud)
        .args(["catalog", "verify"])
        .arg(empty.path()));
    assert_eq!(code, 1);
    assert!(err.contains("nothing to verify"), "{err}");
    let (code, out, err) = run(meridian(&cloud)
        .args(["catalog", "verify", "--region", "eu-central-1"])
        .arg(empty.path()));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("eu-central-1: no differences"), "{out}");
}
