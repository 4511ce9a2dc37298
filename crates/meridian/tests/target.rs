//! `plan -target` and `apply -target`: a partial plan covers the targets and what they
//! need; emit blocks are written whole, with every change they describe; the plan warns
//! that it is partial, and a saved partial plan records its targets.

#[path = "support/common.rs"]
mod common;

#[path = "support/cloud.rs"]
mod cloud;

use cloud::{apply_offline, bare, load_state};
use common::{edit, example, run};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;

const DEPLOYMENT: &str = "azure.corp.deployment.assistant-aoai-sweden";
const IRELAND: &str = "router.triage.deployment.bedrock-ireland";
const STOCKHOLM: &str = "router.triage.deployment.bedrock-stockholm";
const TRIAGE_PROFILE: &str = "aws.corp.inference-profile.triage-bedrock-ireland";

/// The example applied, then the assistant's Azure capacity (a cloud resource) raised.
fn applied_with_more_capacity() -> tempfile::TempDir {
    let dir = example("eu-bank");
    apply_offline(dir.path());
    edit(
        dir.path(),
        "models.hcl",
        "capacity   = 250",
        "capacity   = 260",
    );
    dir
}

/// [`applied_with_more_capacity`], and the triage model's weights (router entries only)
/// changed.
fn edited() -> tempfile::TempDir {
    let dir = applied_with_more_capacity();
    let text = std::fs::read_to_string(dir.path().join("models.hcl")).expect("read");
    std::fs::write(
        dir.path().join("models.hcl"),
        text.replacen("weight     = 50", "weight     = 70", 1)
            .replacen("weight     = 50", "weight     = 30", 1),
    )
    .expect("write");
    dir
}

fn plan_json(dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let (code, out, err) = run(bare()
        .args(["plan", "--json", "--refresh=false"])
        .args(extra)
        .arg(dir));
    (code, serde_json::from_str(&out).unwrap_or(Value::Null), err)
}

/// The addresses with a change, and the emit blocks whose files the plan covers.
fn covered(plan: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let changes = plan["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["change"]["actions"] != json!(["no-op"]))
        .map(|c| c["address"].as_str().expect("address").to_string())
        .collect();
    let blocks = plan["artifact_changes"]
        .as_array()
        .expect("files")
        .iter()
        .map(|a| a["emit"].as_str().expect("emit").to_string())
        .collect();
    (changes, blocks)
}

/// Asserts the value each (address, attribute) has in the state's record.
fn assert_recorded(dir: &Path, expected: &[(&str, &str, Value)]) {
    let state = load_state(dir);
    for (address, attribute, value) in expected {
        let record = state.resource(address).expect("recorded");
        assert_eq!(
            &record.attributes[*attribute], value,
            "{address}.{attribute}"
        );
    }
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_string()).collect()
}

#[test]
fn a_router_target_writes_the_router_configuration_whole_and_nothing_else() {
    let dir = edited();
    let (code, v, err) = plan_json(dir.path(), &["-target", IRELAND, "-detailed-exitcode"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(v["targets"], json!([IRELAND]));
    let (changes, blocks) = covered(&v);
    // Its serving profile is covered (it needs it) but unchanged; the other triage entry
    // shares the router configuration, so it is written with it.
    assert_eq!(changes, set(&[IRELAND, STOCKHOLM]));
    assert_eq!(blocks, set(&["generated/router/litellm.yaml"]));
    let stockholm = v["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["address"] == json!(STOCKHOLM))
        .expect("stockholm");
    assert_eq!(
        stockholm["written_with"],
        json!("generated/router/litellm.yaml")
    );
    assert!(
        v["resource_changes"]
            .as_array()
            .expect("changes")
            .iter()
            .any(|c| c["address"] == json!(TRIAGE_PROFILE)),
        "what the target needs is covered"
    );
    let emits: Vec<(String, bool)> = v["emits"]
        .as_array()
        .expect("emits")
        .iter()
        .map(|e| {
            (
                e["format"].as_str().expect("f").to_string(),
                e["written"] == json!(true),
            )
        })
        .collect();
    assert!(
        emits.contains(&("litellm".into(), true)) && emits.contains(&("terraform".into(), false)),
        "{emits:?}"
    );

    let (_, out, _) = run(bare()
        .args(["plan", "--refresh=false", "-target", IRELAND])
        .arg(dir.path()));
    assert!(
        out.starts_with("Warning: Resource targeting is in effect"),
        "{out}"
    );
    assert!(
        out.contains(&format!("covers only {IRELAND} and what it needs")),
        "{out}"
    );
    assert!(
        out.contains("Not written by this plan: generated/terraform, generated/pulumi."),
        "{out}"
    );
    assert!(
        out.contains(
            "written with the targets because generated/router/litellm.yaml describes it too"
        ),
        "{out}"
    );
    let (_, md, _) = run(bare()
        .args([
            "plan",
            "--refresh=false",
            "--format",
            "markdown",
            "-target",
            IRELAND,
        ])
        .arg(dir.path()));
    assert!(
        md.contains("**Warning: resource targeting is in effect.**"),
        "{md}"
    );

    // Applied: the router configuration and those two records change, nothing else.
    let tf_before = std::fs::read(dir.path().join("generated/terraform/azure.tf")).expect("read");
    let (code, out, err) = run(bare()
        .args([
            "apply",
            "--auto-approve",
            "--refresh=false",
            "-target",
            IRELAND,
        ])
        .arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Warning: Applied changes may be incomplete"),
        "{out}"
    );
    assert!(
        out.contains("generated/router/litellm.yaml (litellm): 1 updated"),
        "{out}"
    );
    assert!(!out.contains("terraform -chdir="), "{out}");
    assert_eq!(
        std::fs::read(dir.path().join("generated/terraform/azure.tf")).expect("read"),
        tf_before
    );
    assert_recorded(
        dir.path(),
        &[
            (STOCKHOLM, "weight", json!(30)),
            (DEPLOYMENT, "sku_capacity", json!(250)),
        ],
    );
    // What is left: the capacity, in the cloud code (and the router file's limits).
    let (code, v, _) = plan_json(dir.path(), &[]);
    assert_eq!(code, 0);
    let (changes, blocks) = covered(&v);
    assert_eq!(changes, set(&[DEPLOYMENT]));
    assert!(blocks.contains("generated/terraform"), "{blocks:?}");
}

#[test]
fn a_cloud_target_writes_every_program_that_describes_it_with_their_other_changes() {
    let dir = applied_with_more_capacity();
    edit(
        dir.path(),
        "models.hcl",
        "\"Routes incoming customer e-mails and chat transcripts to the right team\"",
        "\"Routes incoming e-mails to the right team\"",
    );
    let (code, v, err) = plan_json(dir.path(), &["-target", DEPLOYMENT]);
    assert_eq!(code, 0, "{err}");
    let (changes, blocks) = covered(&v);
    assert!(changes.contains(DEPLOYMENT), "{changes:?}");
    // The triage profiles' descriptions changed too; the Terraform and Pulumi programs
    // describe them, so they are written with the target.
    assert!(changes.contains(TRIAGE_PROFILE), "{changes:?}");
    assert_eq!(blocks, set(&["generated/terraform", "generated/pulumi"]));
    for c in v["resource_changes"].as_array().expect("changes") {
        let address = c["address"].as_str().expect("a");
        if c["change"]["actions"] != json!(["no-op"]) && address != DEPLOYMENT {
            assert!(c["written_with"].is_string(), "{address}: {c}");
        }
    }
}

#[test]
fn targets_are_checked_and_named_with_the_closest_address() {
    let dir = edited();
    let (code, out, err) = run(bare()
        .args([
            "plan",
            "--refresh=false",
            "-target",
            "azure.corp.deployment.assistant-aoai-swedn",
            "-target",
            "nonsense",
        ])
        .arg(dir.path()));
    assert_eq!(code, 1, "{out}");
    assert!(out.is_empty(), "no plan is printed: {out}");
    assert!(err.contains("no plan was made"), "{err}");
    assert!(
        err.contains(&format!("Did you mean \"{DEPLOYMENT}\"?")),
        "{err}"
    );
    assert!(
        err.contains("-target \"nonsense\" is not a resource address"),
        "{err}"
    );
    // A saved plan is applied as it was made.
    let plan = dir.path().join("p.json");
    let (code, _, err) = run(bare()
        .args(["plan", "--refresh=false", "-target", IRELAND, "-out"])
        .arg(&plan)
        .arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(bare().args(["apply", "-target", IRELAND]).arg(&plan));
    assert_eq!(code, 1);
    assert!(
        err.contains("-target belongs on `meridian plan -out FILE`"),
        "{err}"
    );
}

#[test]
fn a_saved_partial_plan_records_its_targets_and_applies_exactly_them() {
    let dir = edited();
    let plan = dir.path().join("partial.plan");
    let (code, out, err) = run(bare()
        .args(["plan", "--refresh=false", "-target", IRELAND, "-out"])
        .arg(&plan)
        .arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Warning: Resource targeting is in effect"),
        "{out}"
    );
    let saved: Value = serde_json::from_slice(&std::fs::read(&plan).expect("read")).expect("json");
    assert_eq!(saved["format_version"], json!(2));
    assert_eq!(saved["plan"]["targets"], json!([IRELAND]));
    let (code, out, _) = run(bare().args(["show", "--json"]).arg(&plan));
    assert_eq!(code, 0);
    let shown: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(shown["targets"], json!([IRELAND]));

    let (code, out, err) = run(bare().arg("apply").arg(&plan));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("Warning: Applied changes may be incomplete"),
        "{out}"
    );
    assert_recorded(
        dir.path(),
        &[
            (IRELAND, "weight", json!(70)),
            (DEPLOYMENT, "sku_capacity", json!(250)),
        ],
    );
    assert_eq!(load_state(dir.path()).serial, 2);
}

#[test]
fn a_target_the_spec_no_longer_declares_plans_its_deletion() {
    let dir = example("eu-bank");
    apply_offline(dir.path());
    // The Stockholm target leaves the triage model.
    let path = dir.path().join("models.hcl");
    let text = std::fs::read_to_string(&path).expect("read");
    let start = text
        .find("    target \"bedrock-stockholm\" {")
        .expect("target");
    let end = start + text[start..].find("\n    }\n").expect("end") + 7;
    let edited = format!("{}{}", &text[..start], &text[end..]).replace("weight     = 50\n", "");
    std::fs::write(&path, edited).expect("write");
    let (code, v, err) = plan_json(dir.path(), &["-target", STOCKHOLM]);
    assert_eq!(code, 0, "{err}");
    let deleted: Vec<&str> = v["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["change"]["actions"] == json!(["delete"]))
        .map(|c| c["address"].as_str().expect("a"))
        .collect();
    assert!(deleted.contains(&STOCKHOLM), "{deleted:?}");
}
