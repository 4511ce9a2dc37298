//! Written is not live: after apply the clouds lack what was written until the generated IaC
//! runs, and the plan says so (pending rollout); once the clouds hold it, nothing differs;
//! a change made in the clouds after that is drift. Against the fake cloud, end to end.

#[path = "support/common.rs"]
mod common;

#[path = "support/cloud.rs"]
mod cloud;

use cloud::{against, apply_offline, bare, load_state};
use common::{edit, example, run};
use meridian_fakecloud::{FakeCloud, Fixture};
use serde_json::{json, Value};
use std::path::Path;

const AWS_ACCOUNT: &str = "418295730641";
const SUBSCRIPTION: &str = "6f1c2b7e-93a4-4d2e-9b0f-2c5e8a71d4b3";
const RESOURCE_GROUP: &str = "rg-ebk-ai-prod";
const GCP_PROJECT: &str = "ebk-ml-prod";
const DEPLOYMENT: &str = "azure.corp.deployment.assistant-aoai-sweden";

/// The clouds of the example's accounts before anything of the project exists in them.
fn empty_cloud() -> FakeCloud {
    let mut fixture = Fixture::default().with_page_size(2);
    fixture.auth.aws.account_id = AWS_ACCOUNT.into();
    fixture.azure_resource_group_mut(SUBSCRIPTION, RESOURCE_GROUP);
    fixture.gcp_project_mut(GCP_PROJECT);
    FakeCloud::start(fixture).expect("fake cloud")
}

/// The clouds once the generated IaC has run: exactly what the state records as written.
fn roll_out(cloud: &FakeCloud, dir: &Path) {
    let fixture = Fixture::from_state(&load_state(dir), Some(AWS_ACCOUNT)).with_page_size(2);
    cloud.update(|f| *f = fixture);
}

fn plan(cloud: &FakeCloud, dir: &Path, extra: &[&str]) -> (i32, String, String) {
    run(against(cloud)
        .args(["plan", "--detailed-exitcode"])
        .args(extra)
        .arg(dir))
}

fn plan_json(cloud: &FakeCloud, dir: &Path) -> (i32, Value) {
    let (code, out, err) = plan(cloud, dir, &["--json"]);
    (
        code,
        serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}\n{err}")),
    )
}

/// The Azure deployment the fake cloud holds for the example's assistant.
fn deployment<R>(cloud: &FakeCloud, change: impl FnOnce(&mut Value) -> R) -> R {
    cloud.update(|f| {
        let rg = f.azure_resource_group_mut(SUBSCRIPTION, RESOURCE_GROUP);
        let d = rg
            .accounts
            .iter_mut()
            .flat_map(|a| a["deployments"].as_array_mut().into_iter().flatten())
            .find(|d| d["name"] == json!("assistant-aoai-sweden"))
            .expect("the assistant's deployment");
        change(d)
    })
}

#[test]
fn written_then_rolled_out_then_drifted() {
    let dir = example("eu-bank");
    let cloud = empty_cloud();

    // Apply writes files and state and says that nothing was deployed, and what to run.
    let out = apply_offline(dir.path());
    assert!(out.contains("nothing was deployed"), "{out}");
    assert!(
        !out.to_lowercase().contains("deployed successfully"),
        "{out}"
    );
    let tf_dir = dir.path().join("generated/terraform");
    assert!(
        out.contains(&format!(
            "terraform -chdir={0} init && terraform -chdir={0} apply",
            tf_dir.display()
        )),
        "{out}"
    );
    assert!(out.contains("pulumi up --cwd "), "{out}");
    assert!(out.contains("litellm --config "), "{out}");
    assert!(out.contains("generated/terraform/azure.tf"), "{out}");
    let state = load_state(dir.path());
    let observable: Vec<&str> = state
        .resources
        .iter()
        .filter(|r| meridian_state::is_observed_kind(&r.kind))
        .map(|r| r.address.as_str())
        .collect();
    assert!(observable.len() >= 5, "{observable:?}");

    // Before the IaC ran: every resource the clouds are asked about is pending rollout.
    let (code, out, err) = plan(&cloud, dir.path(), &[]);
    assert_eq!(code, 2, "pending rollout is a difference:\n{out}\n{err}");
    assert!(
        out.contains("Pending rollout: written, not yet live"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "# {DEPLOYMENT} is written but not yet created in the cloud"
        )),
        "{out}"
    );
    assert!(out.contains("No changes to write."), "{out}");
    assert!(!out.contains("changed outside of Meridian"), "{out}");
    let (code, v) = plan_json(&cloud, dir.path());
    assert_eq!(code, 2);
    let pending: Vec<&str> = v["pending_rollout"]
        .as_array()
        .expect("pending_rollout")
        .iter()
        .map(|p| {
            assert_eq!(p["action"], "create", "{p}");
            p["address"].as_str().expect("address")
        })
        .collect();
    assert_eq!(pending, observable, "every readable resource is pending");
    assert_eq!(v["resource_drift"], json!([]));
    assert_eq!(v["changes"], json!(false));
    assert_eq!(v["summary"]["pending_rollout"], json!(observable.len()));
    let (code, md, _) = plan(&cloud, dir.path(), &["--format", "markdown"]);
    assert_eq!(code, 2);
    assert!(md.contains("**Pending rollout:**"), "{md}");

    // The IaC ran: the clouds hold what was written.
    roll_out(&cloud, dir.path());
    let (code, out, err) = plan(&cloud, dir.path(), &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("No changes."), "{out}");
    assert!(!out.contains("Pending rollout"), "{out}");

    // Someone changes the deployment in the portal: drift.
    let before = deployment(&cloud, |d| {
        let c = d["sku"]["capacity"].as_u64().expect("capacity");
        d["sku"]["capacity"] = json!(c + 5);
        c
    });
    let (code, out, _) = plan(&cloud, dir.path(), &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("changed outside of Meridian"), "{out}");
    assert!(
        out.contains(&format!("sku_capacity = {before} -> {}", before + 5)),
        "{out}"
    );
    assert!(!out.contains("Pending rollout"), "{out}");
    let (_, v) = plan_json(&cloud, dir.path());
    assert_eq!(v["resource_drift"][0]["address"], json!(DEPLOYMENT));
    assert_eq!(v["pending_rollout"], json!([]));
}

#[test]
fn a_changed_record_is_pending_until_the_cloud_holds_the_new_value() {
    let dir = example("eu-bank");
    let cloud = empty_cloud();
    apply_offline(dir.path());
    roll_out(&cloud, dir.path());
    // The spec raises the capacity; apply reads the clouds, which still hold the old one.
    edit(
        dir.path(),
        "models.hcl",
        "capacity   = 250",
        "capacity   = 260",
    );
    let (code, out, err) = run(against(&cloud)
        .args(["apply", "--auto-approve"])
        .arg(dir.path()));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("Resources recorded: 0 added, 1 changed"),
        "{out}"
    );
    let state = load_state(dir.path());
    let record = state.resource(DEPLOYMENT).expect("deployment");
    assert_eq!(record.attributes["sku_capacity"], json!(260));
    let pending = record.pending.as_ref().expect("pending");
    assert_eq!(pending.action, meridian_state::PendingAction::Update);
    assert_eq!(pending.before["sku_capacity"], json!(250));
    // Every other record was found as written by the same refresh: not pending.
    for r in &state.resources {
        if r.address != DEPLOYMENT {
            assert!(r.pending.is_none(), "{} is pending", r.address);
        }
    }

    let (code, out, _) = plan(&cloud, dir.path(), &[]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains(&format!(
            "# {DEPLOYMENT} is written but the cloud still has the old values"
        )),
        "{out}"
    );
    assert!(
        out.contains("sku_capacity = 250 (live) -> 260 (written)"),
        "{out}"
    );
    assert!(!out.contains("changed outside of Meridian"), "{out}");

    // The IaC ran.
    deployment(&cloud, |d| d["sku"]["capacity"] = json!(260));
    let (code, out, _) = plan(&cloud, dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    // `meridian refresh` records the rollout: the record is live.
    let (code, out, err) = run(against(&cloud).arg("refresh").arg(dir.path()));
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        load_state(dir.path())
            .resource(DEPLOYMENT)
            .expect("d")
            .status(),
        meridian_state::Status::Live
    );
    // A later value that is neither the old nor the written one is drift.
    deployment(&cloud, |d| d["sku"]["capacity"] = json!(250));
    let (code, out, _) = plan(&cloud, dir.path(), &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("changed outside of Meridian"), "{out}");
}

#[test]
fn apply_json_reports_the_files_and_next_steps_and_needs_approval_up_front() {
    let dir = example("eu-us-split");
    let (code, _, err) = run(bare()
        .args(["apply", "--json", "--refresh=false"])
        .arg(dir.path()));
    assert_eq!(code, 1);
    assert!(err.contains("--auto-approve"), "{err}");
    assert!(!dir.path().join(".meridian/state.json").exists());

    let (code, out, err) = run(bare()
        .args(["apply", "--json", "--auto-approve", "--refresh=false"])
        .arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("one JSON object");
    assert_eq!(v["deployed"], json!(false));
    assert_eq!(v["serial"], json!(1));
    let emits = v["emits"].as_array().expect("emits");
    assert!(!emits.is_empty());
    for e in emits {
        let created = e["created"].as_array().expect("created");
        assert!(!created.is_empty(), "{e}");
        for f in created {
            assert!(dir.path().join(f.as_str().expect("path")).is_file(), "{f}");
        }
        let command = e["next_step"]["command"].as_str().expect("command");
        match e["format"].as_str() {
            Some("terraform") => assert!(command.starts_with("terraform -chdir="), "{command}"),
            Some("pulumi") => assert!(command.contains("pulumi up --cwd "), "{command}"),
            Some("litellm") => assert!(command.starts_with("litellm --config "), "{command}"),
            other => panic!("unexpected format {other:?}"),
        }
    }
    assert!(v["pending_rollout"].as_u64().expect("count") > 0);
    // Nothing to write: still one JSON object.
    let (code, out, _) = run(bare()
        .args(["apply", "--json", "--auto-approve", "--refresh=false"])
        .arg(dir.path()));
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).expect("one JSON object");
    assert_eq!(v["changes"], json!(false));
}
