//! Live refresh against the fake cloud: a plan after apply reads the clouds and finds nothing
//! to do; changes made outside Meridian show as drift and are planned back; unmanaged objects
//! are reported and never deleted; a cloud that cannot be read fails the plan, naming the
//! provider, the region and the request, and never turns into a create or a delete.

#[path = "support/common.rs"]
mod common;

#[path = "support/cloud.rs"]
mod cloud;

use cloud::{against as meridian, applied_and_rolled_out, bare};
use common::run;
use meridian_fakecloud::{FakeCloud, Fault, FaultKind, Provider, TEST_AWS_SECRET_ACCESS_KEY};
use serde_json::{json, Value};
use std::path::Path;

const AWS_ACCOUNT: &str = "418295730641";
const SUBSCRIPTION: &str = "6f1c2b7e-93a4-4d2e-9b0f-2c5e8a71d4b3";
const RESOURCE_GROUP: &str = "rg-ebk-ai-prod";

/// The example applied (without refresh: nothing exists yet) and a fake cloud holding exactly
/// what the apply recorded, with small pages so every list takes several requests.
fn applied() -> (tempfile::TempDir, FakeCloud) {
    applied_and_rolled_out("eu-bank", AWS_ACCOUNT, 1)
}

fn plan_json(cloud: &FakeCloud, dir: &Path) -> (i32, Value, String) {
    let (code, out, err) = run(meridian(cloud)
        .args(["plan", "--json", "--detailed-exitcode"])
        .arg(dir));
    let v = serde_json::from_str(&out).unwrap_or(Value::Null);
    (code, v, err)
}

/// (address, actions) of every change that is not a no-op.
fn changes(plan: &Value) -> Vec<(String, Vec<String>)> {
    plan["resource_changes"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|c| c["change"]["actions"] != json!(["no-op"]))
        .map(|c| {
            (
                c["address"].as_str().unwrap_or_default().to_string(),
                c["change"]["actions"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .map(|a| a.as_str().unwrap_or_default().to_string())
                    .collect(),
            )
        })
        .collect()
}

/// The first Azure deployment in the fixture: (account name, deployment name).
fn first_deployment(cloud: &FakeCloud) -> (String, String) {
    let mut found = None;
    cloud.update(|f| {
        let rg = &f.azure.subscriptions[SUBSCRIPTION].resource_groups[RESOURCE_GROUP];
        for a in &rg.accounts {
            if let Some(d) = a["deployments"].as_array().and_then(|d| d.first()) {
                found = Some((
                    a["name"].as_str().unwrap_or_default().to_string(),
                    d["name"].as_str().unwrap_or_default().to_string(),
                ));
                break;
            }
        }
    });
    found.expect("the example has an Azure deployment")
}

#[test]
fn plan_after_apply_reads_the_clouds_and_has_no_changes() {
    let (dir, cloud) = applied();
    let (code, out, err) = run(meridian(&cloud)
        .args(["plan", "--detailed-exitcode"])
        .arg(dir.path()));
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    assert!(out.contains("No changes."), "{out}");
    assert!(!out.contains("was not read"), "{out}");
    assert!(err.contains("Read live state of 3 providers"), "{err}");
    // Every cloud was asked, page by page.
    let paths: Vec<String> = cloud
        .requests()
        .iter()
        .map(|r| format!("{}?{}", r.path, r.query.clone().unwrap_or_default()))
        .collect();
    for needle in [
        "/azure/subscriptions/",
        "/deployments",
        "/aws/inference-profiles",
        "/aws/listTagsForResource",
        "/aws/logging/modelinvocations",
        "/v1/projects/ebk-ml-prod",
    ] {
        assert!(
            paths.iter().any(|p| p.contains(needle)),
            "no request for {needle}: {paths:?}"
        );
    }
    assert!(
        paths.iter().any(|p| p.contains("skipToken"))
            || paths.iter().any(|p| p.contains("nextToken")),
        "no page after the first was requested: {paths:?}"
    );
}

#[test]
fn capacity_changed_outside_meridian_is_drift_that_the_iac_restores_not_a_change() {
    let (dir, cloud) = applied();
    let (account, deployment) = first_deployment(&cloud);
    let mut before = None;
    cloud.update(|f| {
        let d = f
            .azure_deployment_mut(SUBSCRIPTION, RESOURCE_GROUP, &account, &deployment)
            .expect("deployment in fixture");
        before = d["sku"]["capacity"].as_u64();
        d["sku"]["capacity"] = json!(before.unwrap_or(1) + 77);
    });
    let before = before.expect("capacity");
    let (code, plan, err) = plan_json(&cloud, dir.path());
    assert_eq!(code, 2, "drift is a difference: {err}");
    let drift = plan["resource_drift"].as_array().expect("drift");
    assert_eq!(drift.len(), 1, "{drift:?}");
    assert_eq!(drift[0]["change"]["actions"], json!(["update"]));
    assert_eq!(drift[0]["paths"], json!(["sku_capacity"]));
    assert_eq!(
        drift[0]["change"]["before"]["attributes"]["sku_capacity"],
        json!(before)
    );
    assert_eq!(
        drift[0]["change"]["after"]["attributes"]["sku_capacity"],
        json!(before + 77)
    );
    assert_eq!(plan["pending_rollout"], json!([]));
    // The spec did not change, so there is nothing to write: the generated files still say
    // what the cloud should hold, and running them again restores it.
    assert!(changes(&plan).is_empty(), "{:?}", changes(&plan));
    assert_eq!(plan["changes"], json!(false));
    assert_eq!(plan["differences"], json!(true));

    // The terminal shows the drift with both values, and says what restores it.
    let (code, out, _) = run(meridian(&cloud).arg("plan").arg(dir.path()));
    assert_eq!(code, 0);
    assert!(out.contains("changed outside of Meridian"), "{out}");
    assert!(
        out.contains(&format!("sku_capacity = {} -> {}", before, before + 77)),
        "{out}"
    );
    assert!(
        out.contains("running the generated IaC again brings these back"),
        "{out}"
    );
    assert!(out.contains("No changes to write."), "{out}");
    assert!(
        out.contains("Drift: 1 resource changed outside Meridian."),
        "{out}"
    );
    assert!(!out.contains("Meridian will perform"), "{out}");
}

#[test]
fn unmanaged_deployment_is_reported_and_never_deleted() {
    let (dir, cloud) = applied();
    let (account, _) = first_deployment(&cloud);
    cloud.update(|f| {
        let rg = f.azure_resource_group_mut(SUBSCRIPTION, RESOURCE_GROUP);
        let a = rg
            .accounts
            .iter_mut()
            .find(|a| a["name"] == json!(account))
            .expect("account");
        let id = format!("{}/deployments/hand-made", a["id"].as_str().unwrap_or_default());
        a["deployments"]
            .as_array_mut()
            .expect("deployments")
            .push(json!({
                "id": id,
                "name": "hand-made",
                "sku": {"name": "Standard", "capacity": 5},
                "tags": {"owner": "data-science"},
                "properties": {"model": {"format": "OpenAI", "name": "gpt-5.1", "version": "2025-11-13"},
                                "provisioningState": "Succeeded"}
            }));
    });
    let (code, plan, err) = plan_json(&cloud, dir.path());
    assert_eq!(
        code, 0,
        "no change is planned for an unmanaged deployment: {err}"
    );
    assert!(changes(&plan).is_empty(), "{:?}", changes(&plan));
    let unmanaged = plan["unmanaged"].as_array().expect("unmanaged");
    assert!(
        unmanaged
            .iter()
            .any(|u| u["name"] == json!("hand-made") && u["kind"] == json!("azure_deployment")),
        "{unmanaged:?}"
    );
    let (_, out, _) = run(meridian(&cloud).arg("plan").arg(dir.path()));
    assert!(out.contains("hand-made"), "{out}");
    assert!(out.contains("never changed or destroyed"), "{out}");
}

#[test]
fn transient_throttling_and_errors_are_retried() {
    let (dir, cloud) = applied();
    cloud.set_faults(vec![
        Fault::new(
            Provider::Azure,
            FaultKind::Status {
                status: 429,
                retry_after: Some("1".into()),
            },
        )
        .times(2),
        Fault::new(
            Provider::Aws,
            FaultKind::Status {
                status: 500,
                retry_after: None,
            },
        )
        .times(2),
        Fault::new(
            Provider::Gcp,
            FaultKind::Status {
                status: 503,
                retry_after: None,
            },
        )
        .times(1),
    ]);
    let (code, out, err) = run(meridian(&cloud)
        .args(["plan", "--detailed-exitcode"])
        .arg(dir.path()));
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    assert!(out.contains("No changes."), "{out}");
    let statuses: Vec<u16> = cloud.requests().iter().filter_map(|r| r.status).collect();
    assert!(statuses.contains(&429) && statuses.contains(&500) && statuses.contains(&503));
}

#[test]
fn a_region_that_cannot_be_read_fails_the_plan_and_plans_nothing() {
    let (dir, cloud) = applied();
    let region = {
        let mut r = None;
        cloud.update(|f| r = f.aws.regions.keys().next().cloned());
        r.expect("an AWS region")
    };
    cloud.set_faults(vec![Fault::new(
        Provider::Aws,
        FaultKind::Status {
            status: 500,
            retry_after: None,
        },
    )
    .in_region(&region)]);
    let (code, out, err) = run(meridian(&cloud)
        .args(["plan", "--json", "--detailed-exitcode"])
        .arg(dir.path()));
    assert_eq!(code, 1, "{err}");
    assert!(out.trim().is_empty(), "no plan is printed: {out}");
    assert!(err.contains("aws.corp"), "{err}");
    assert!(err.contains(&region), "{err}");
    assert!(err.contains("HTTP 500"), "{err}");
    assert!(err.contains("GET ") || err.contains("POST "), "{err}");
    assert!(err.contains("No plan was made"), "{err}");
    assert!(!err.contains("Plan:") && !err.contains("will be"), "{err}");
    // The saved-plan path fails the same way and writes no plan file.
    let planfile = dir.path().join("plan.json");
    let (code, _, _) = run(meridian(&cloud)
        .args(["plan", "-out"])
        .arg(&planfile)
        .arg(dir.path()));
    assert_eq!(code, 1);
    assert!(!planfile.exists());
}

/// With credentials of another AWS account, every object of the provider block would look
/// deleted (Bedrock lists only the caller's account): the plan fails instead of creating them.
#[test]
fn credentials_of_another_aws_account_fail_the_plan_instead_of_planning_creates() {
    let (dir, cloud) = applied();
    cloud.update(|f| f.auth.aws.account_id = "999988887777".into());
    let (code, out, err) = run(meridian(&cloud)
        .args(["plan", "--json", "--detailed-exitcode"])
        .arg(dir.path()));
    assert_eq!(code, 1, "{err}");
    assert!(out.trim().is_empty(), "no plan is printed: {out}");
    assert!(err.contains("aws.corp"), "{err}");
    assert!(err.contains("account 999988887777"), "{err}");
    assert!(err.contains(&format!("account {AWS_ACCOUNT}")), "{err}");
    assert!(err.contains("No plan was made"), "{err}");
    assert!(!err.contains(TEST_AWS_SECRET_ACCESS_KEY), "{err}");
}

#[test]
fn a_truncated_body_is_an_error_not_an_empty_list() {
    let (dir, cloud) = applied();
    cloud.set_faults(vec![
        Fault::new(Provider::Azure, FaultKind::Truncate).path_contains("/deployments")
    ]);
    let (code, _, err) = run(meridian(&cloud)
        .args(["plan", "--detailed-exitcode"])
        .arg(dir.path()));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("azure.corp"), "{err}");
    assert!(err.contains("No plan was made"), "{err}");
}

#[test]
fn a_wrong_token_is_an_authentication_error_naming_the_provider() {
    let (dir, cloud) = applied();
    let (code, _, err) = run(meridian(&cloud)
        .env("AZURE_ACCESS_TOKEN", "not-the-token")
        .args(["plan"])
        .arg(dir.path()));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("azure.corp"), "{err}");
    assert!(err.to_lowercase().contains("authentication"), "{err}");
    assert!(err.contains("AZURE_ACCESS_TOKEN"), "{err}");
    assert!(
        !err.contains("not-the-token"),
        "the token never reaches output: {err}"
    );

    let (code, _, err) = run(meridian(&cloud)
        .env("AWS_SECRET_ACCESS_KEY", "wrong-secret-key")
        .args(["plan"])
        .arg(dir.path()));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("aws.corp"), "{err}");
    assert!(!err.contains("wrong-secret-key"), "{err}");
}

#[test]
fn missing_credentials_name_the_variable_and_refresh_false_still_plans() {
    let (dir, cloud) = applied();
    let (code, _, err) = run(meridian(&cloud)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env("PATH", "/nonexistent")
        .arg("plan")
        .arg(dir.path()));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("AWS_ACCESS_KEY_ID"), "{err}");
    assert!(err.contains("--refresh=false"), "{err}");
    let (code, out, err) = run(bare()
        .args(["plan", "--refresh=false", "--detailed-exitcode"])
        .arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("live provider state was not read"), "{out}");
}

#[test]
fn refresh_command_records_drift_in_state() {
    let (dir, cloud) = applied();
    let state_path = dir.path().join(".meridian/state.json");
    let serial = |p: &Path| -> u64 {
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(p).expect("state")).expect("json");
        v["serial"].as_u64().expect("serial")
    };
    let applied_serial = serial(&state_path);
    // The first refresh finds the rollout done: the records are no longer pending.
    let (code, out, err) = run(meridian(&cloud).arg("refresh").arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("No changes outside Meridian"), "{out}");
    let first = serial(&state_path);
    assert_eq!(first, applied_serial + 1, "the rollout is recorded");
    let s = meridian_state::load(&state_path)
        .expect("load")
        .expect("state");
    for r in &s.resources {
        assert!(r.pending.is_none(), "{} is still pending", r.address);
        if meridian_state::is_observed_kind(&r.kind) {
            assert_eq!(r.status(), meridian_state::Status::Live, "{}", r.address);
        }
    }
    let (code, out, err) = run(meridian(&cloud).arg("refresh").arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("it was not rewritten"), "{out}");
    assert_eq!(
        serial(&state_path),
        first,
        "an unchanged state is not rewritten"
    );

    let (account, deployment) = first_deployment(&cloud);
    cloud.update(|f| {
        let d = f
            .azure_deployment_mut(SUBSCRIPTION, RESOURCE_GROUP, &account, &deployment)
            .expect("deployment");
        d["sku"]["capacity"] = json!(999);
    });
    let (code, out, err) = run(meridian(&cloud).args(["refresh", "--json"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["state_written"], json!(true));
    assert_eq!(v["resource_drift"].as_array().map(Vec::len), Some(1));
    assert_eq!(serial(&state_path), first + 1);
    // The record still says what was written; what the cloud held is recorded beside it.
    let s = meridian_state::load(&state_path)
        .expect("load")
        .expect("state");
    let address = v["resource_drift"][0]["address"].as_str().expect("address");
    let record = s.resource(address).expect("record");
    assert_ne!(record.attributes["sku_capacity"], json!(999));
    let observed = record.observed.as_ref().expect("observed");
    assert_eq!(observed.serial, first + 1);
    assert_eq!(observed.differences["sku_capacity"], json!(999));
    assert_eq!(record.status(), meridian_state::Status::Drifted);
    let (code, out, _) = run(bare()
        .args(["state", "show", "--dir"])
        .arg(dir.path())
        .arg(address));
    assert_eq!(code, 0);
    assert!(
        out.contains("drifted: changed outside Meridian (sku_capacity)"),
        "{out}"
    );
    assert!(out.contains("sku_capacity = 999 (recorded "), "{out}");
    // A plan without refresh has nothing to write, and says what the state recorded.
    let (code, out, _) = run(bare()
        .args(["plan", "--refresh=false", "--detailed-exitcode"])
        .arg(dir.path()));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 found changed outside Meridian"), "{out}");
    // Refreshing again with the same cloud rewrites nothing.
    let (code, out, _) = run(meridian(&cloud).args(["refresh", "--json"]).arg(dir.path()));
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["state_written"], json!(false));
    assert_eq!(serial(&state_path), first + 1);
}
