//! `meridian state list|show|rm|mv` and `meridian output`: reading the state by address,
//! editing it under the lock with a journal and a backup, and what the next plan makes of
//! an edit.

#[path = "support/common.rs"]
mod common;

#[path = "support/cloud.rs"]
mod cloud;

use cloud::{against, applied_and_rolled_out, apply_offline, bare, load_state};
use common::{example, run};
use serde_json::{json, Value};
use std::path::Path;

const AWS_ACCOUNT: &str = "418295730641";
const DEPLOYMENT: &str = "azure.corp.deployment.assistant-aoai-sweden";
const ROUTER: &str = "router.assistant.deployment.aoai-sweden";

fn state_cmd(dir: &Path, args: &[&str]) -> (i32, String, String) {
    run(bare().arg("state").args(args).arg("--dir").arg(dir))
}

fn applied() -> tempfile::TempDir {
    let dir = example("eu-bank");
    apply_offline(dir.path());
    dir
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read")
}

#[test]
fn list_filters_sorts_and_prints_json() {
    let dir = applied();
    let state = load_state(dir.path());
    let (code, out, err) = state_cmd(dir.path(), &["list"]);
    assert_eq!(code, 0, "{err}");
    let listed: Vec<&str> = out.lines().collect();
    let recorded: Vec<&str> = state.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(listed, recorded, "every address, in address order");

    let (code, out, _) = state_cmd(dir.path(), &["list", "azure.corp"]);
    assert_eq!(code, 0);
    assert!(!out.is_empty());
    assert!(out.lines().all(|l| l.starts_with("azure.corp.")), "{out}");
    let (code, out, _) = state_cmd(
        dir.path(),
        &["list", "azure.corp.deployment", "router.assistant"],
    );
    assert_eq!(code, 0);
    assert!(
        out.lines().any(|l| l == DEPLOYMENT) && out.lines().any(|l| l == ROUTER),
        "{out}"
    );
    assert!(
        out.lines().all(|l| !l.starts_with("azure.corp.account")),
        "{out}"
    );
    // A filter on a segment boundary only: `azure.co` matches nothing.
    let (code, _, err) = state_cmd(dir.path(), &["list", "azure.co"]);
    assert_eq!(code, 1);
    assert!(err.contains("no address in the state is azure.co"), "{err}");

    let (code, out, _) = state_cmd(dir.path(), &["list", "--sort", "status", "--json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["serial"], json!(1));
    let rows = v["resources"].as_array().expect("resources");
    assert_eq!(rows.len(), recorded.len());
    let statuses: Vec<&str> = rows
        .iter()
        .map(|r| r["status"].as_str().expect("status"))
        .collect();
    let first_unobservable = statuses
        .iter()
        .position(|s| *s == "not-observable")
        .expect("router entries");
    assert!(
        statuses[..first_unobservable]
            .iter()
            .all(|s| *s == "pending-create"),
        "{statuses:?}"
    );
    assert!(
        statuses[first_unobservable..]
            .iter()
            .all(|s| *s == "not-observable"),
        "{statuses:?}"
    );
    let (_, out, _) = state_cmd(dir.path(), &["list", "--sort", "type"]);
    let types: Vec<String> = out
        .lines()
        .map(|a| state.resource(a).expect("recorded").kind.clone())
        .collect();
    let mut sorted = types.clone();
    sorted.sort();
    assert_eq!(types, sorted);
}

#[test]
fn show_prints_the_record_where_it_lives_what_writes_it_and_its_status() {
    let dir = applied();
    let (code, out, err) = state_cmd(dir.path(), &["show", DEPLOYMENT]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(&format!("# {DEPLOYMENT}:\nresource \"azure_deployment\"")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.trim_start().starts_with("cognitive_account_id")
                && l.ends_with("= (known after apply)")),
        "{out}"
    );
    assert!(!out.contains("$ref"), "{out}");
    assert!(
        out.contains("Lives in:   azure.corp in swedencentral"),
        "{out}"
    );
    assert!(
        out.contains("generated/terraform (terraform: 6 files)"),
        "{out}"
    );
    assert!(out.contains("generated/pulumi (pulumi: 4 files)"), "{out}");
    assert!(
        out.contains("Status:     pending rollout: written at serial 1, not yet seen in the cloud"),
        "{out}"
    );

    let (code, out, _) = state_cmd(dir.path(), &["show", "--json", ROUTER]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["type"], json!("router_deployment"));
    assert_eq!(v["status"], json!("not-observable"));
    assert_eq!(v["written_in"][0]["format"], json!("litellm"));
    assert_eq!(
        v["written_in"][0]["files"],
        json!(["generated/router/litellm.yaml"])
    );

    let (code, _, err) = state_cmd(
        dir.path(),
        &["show", "azure.corp.deployment.assistant-aoai-swedn"],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!("Did you mean \"{DEPLOYMENT}\"?")),
        "{err}"
    );
    let (code, _, err) = state_cmd(dir.path(), &["show", "azure.corp"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("\"azure.corp\" is not a resource address"),
        "{err}"
    );

    let empty = tempfile::tempdir().expect("tempdir");
    let (code, _, err) = state_cmd(empty.path(), &["list"]);
    assert_eq!(code, 1);
    assert!(err.contains("there is no state at"), "{err}");
}

#[test]
fn rm_forgets_all_or_nothing_keeps_a_backup_and_touches_no_file() {
    let dir = applied();
    let state_path = dir.path().join(".meridian/state.json");
    let generated = bytes(&dir.path().join("generated/terraform/azure.tf"));
    let before = bytes(&state_path);

    // One unknown address: nothing is removed.
    let (code, _, err) = state_cmd(
        dir.path(),
        &["rm", DEPLOYMENT, "azure.corp.deployment.nope"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("nothing was removed"), "{err}");
    assert!(
        err.contains("azure.corp.deployment.nope is not in the state"),
        "{err}"
    );
    assert_eq!(bytes(&state_path), before);

    let (code, out, _) = state_cmd(dir.path(), &["rm", "-dry-run", DEPLOYMENT, ROUTER]);
    assert_eq!(code, 0);
    assert!(out.contains(&format!("Would remove {DEPLOYMENT}")), "{out}");
    assert_eq!(bytes(&state_path), before, "-dry-run changes nothing");

    let (code, out, err) = state_cmd(dir.path(), &["rm", DEPLOYMENT, ROUTER]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Successfully removed 2 resources"), "{out}");
    assert!(
        out.contains("Nothing in the clouds or the generated files was changed"),
        "{out}"
    );
    let after = load_state(dir.path());
    assert_eq!(after.serial, 2);
    assert!(after.resource(DEPLOYMENT).is_none() && after.resource(ROUTER).is_none());
    assert_eq!(
        bytes(&dir.path().join(".meridian/state.json.backup")),
        before
    );
    assert!(!dir.path().join(".meridian/apply.journal").exists());
    assert_eq!(
        bytes(&dir.path().join("generated/terraform/azure.tf")),
        generated
    );

    // The spec still declares them: the next plan records them again, and the files
    // already say so.
    let (code, out, _) = run(bare()
        .args(["plan", "--json", "--refresh=false"])
        .arg(dir.path()));
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).expect("json");
    let creates: Vec<&str> = v["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["change"]["actions"] == json!(["create"]))
        .map(|c| c["address"].as_str().expect("address"))
        .collect();
    assert_eq!(creates, vec![DEPLOYMENT, ROUTER]);
    assert!(v["artifact_changes"]
        .as_array()
        .expect("files")
        .iter()
        .all(|a| a["action"] == json!("no-op")));
}

#[test]
fn after_rm_a_tagged_live_object_shows_as_existing_and_an_untagged_one_stays_unmanaged() {
    let (dir, cloud) = applied_and_rolled_out("eu-bank", AWS_ACCOUNT, 100);
    let (code, _, err) = state_cmd(dir.path(), &["rm", DEPLOYMENT]);
    assert_eq!(code, 0, "{err}");
    // Still tagged: the plan reports it as existing with this project's tags and records it.
    let (code, out, err) = run(against(&cloud).args(["plan", "--json"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["resource_drift"][0]["address"], json!(DEPLOYMENT));
    assert_eq!(v["resource_drift"][0]["drift"], json!("appeared"));
    // Its tags removed in the cloud: not taken for the resource; unmanaged, never deleted.
    cloud.update(|f| {
        for s in f.azure.subscriptions.values_mut() {
            for rg in s.resource_groups.values_mut() {
                for a in &mut rg.accounts {
                    for d in a["deployments"].as_array_mut().into_iter().flatten() {
                        if d["name"] == json!("assistant-aoai-sweden") {
                            d["tags"] = json!({});
                        }
                    }
                }
            }
        }
    });
    let (code, out, err) = run(against(&cloud).args(["plan", "--json"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert!(
        v["resource_drift"].as_array().expect("drift").is_empty(),
        "{}",
        v["resource_drift"]
    );
    let unmanaged = v["unmanaged"].as_array().expect("unmanaged");
    assert!(
        unmanaged
            .iter()
            .any(|u| u["name"] == json!("assistant-aoai-sweden")),
        "{unmanaged:?}"
    );
    assert!(v["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .all(|c| c["change"]["actions"] != json!(["delete"])));
}

#[test]
fn mv_renames_an_address_and_refuses_a_kind_change_or_an_existing_target() {
    let dir = applied();
    let state_path = dir.path().join(".meridian/state.json");
    let before = bytes(&state_path);
    let to = "azure.corp.deployment.assistant-sweden";
    let (code, _, err) = state_cmd(dir.path(), &["mv", DEPLOYMENT, "azure.corp.account.x"]);
    assert_eq!(code, 1);
    assert!(err.contains("the kind of resource would change"), "{err}");
    let (code, _, err) = state_cmd(dir.path(), &["mv", DEPLOYMENT, "aws.corp.deployment.x"]);
    assert_eq!(code, 1);
    assert!(err.contains("the kind of resource would change"), "{err}");
    let (code, _, err) = state_cmd(
        dir.path(),
        &[
            "mv",
            DEPLOYMENT,
            "azure.corp.deployment.document-review-aoai-sweden",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("is already in the state"), "{err}");
    let (code, _, err) = state_cmd(dir.path(), &["mv", "azure.corp.deployment.nope", to]);
    assert_eq!(code, 1);
    assert!(err.contains("is not in the state"), "{err}");
    let (code, out, _) = state_cmd(dir.path(), &["mv", "-dry-run", DEPLOYMENT, to]);
    assert_eq!(code, 0);
    assert!(out.contains("Would move"), "{out}");
    assert_eq!(bytes(&state_path), before);

    let (code, out, err) = state_cmd(dir.path(), &["mv", DEPLOYMENT, to]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("successfully moved 1 resource"), "{out}");
    let after = load_state(dir.path());
    assert_eq!(after.serial, 2);
    let moved = after.resource(to).expect("moved");
    assert_eq!(moved.provider, "azure.corp");
    assert_eq!(
        moved.tags["meridian-address"], DEPLOYMENT,
        "the record keeps what was written"
    );
    assert!(after.resource(DEPLOYMENT).is_none());
    assert_eq!(
        bytes(&dir.path().join(".meridian/state.json.backup")),
        before
    );
    // The spec still names the old address: the next plan records it again and deletes
    // the moved record (it carries the management tag).
    let (code, out, _) = run(bare()
        .args(["plan", "--json", "--refresh=false"])
        .arg(dir.path()));
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).expect("json");
    let actions: Vec<(String, Value)> = v["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["change"]["actions"] != json!(["no-op"]))
        .map(|c| {
            (
                c["address"].as_str().expect("a").to_string(),
                c["change"]["actions"].clone(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        vec![
            (DEPLOYMENT.to_string(), json!(["create"])),
            (to.to_string(), json!(["delete"])),
        ]
    );
}

#[test]
fn state_edits_wait_for_the_lock_or_fail_at_once_naming_the_holder() {
    let dir = applied();
    let lock = meridian_state::Lock::acquire(
        &dir.path().join(".meridian/state.lock"),
        meridian_state::LockInfo::new("apply", "test"),
        std::time::Duration::ZERO,
    )
    .expect("lock");
    let id = lock.info().id.clone();
    for args in [
        ["rm", DEPLOYMENT, ""],
        ["mv", DEPLOYMENT, "azure.corp.deployment.x"],
    ] {
        let args: Vec<&str> = args.into_iter().filter(|a| !a.is_empty()).collect();
        let (code, _, err) = state_cmd(dir.path(), &args);
        assert_eq!(code, 1, "{args:?}");
        assert!(err.contains("state is locked"), "{err}");
        assert!(err.contains(&id), "{err}");
    }
    assert_eq!(load_state(dir.path()).serial, 1);
    // Reading needs no lock.
    let (code, _, err) = state_cmd(dir.path(), &["list"]);
    assert_eq!(code, 0, "{err}");
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(700));
        drop(lock);
    });
    let (code, _, err) = state_cmd(dir.path(), &["rm", "-lock-timeout=20s", DEPLOYMENT]);
    release.join().expect("thread");
    assert_eq!(code, 0, "{err}");
    assert_eq!(load_state(dir.path()).serial, 2);
}

#[test]
fn a_state_edit_killed_mid_write_is_finished_or_undone_by_the_next_command() {
    for (fault, removed) in [("abort-after-swaps:0", true), ("fail-after-swaps:0", false)] {
        let dir = applied();
        let before = bytes(&dir.path().join(".meridian/state.json"));
        let (code, _, _) = run(bare()
            .env("MERIDIAN_TEST_FAULT", fault)
            .args(["state", "rm", DEPLOYMENT, "--dir"])
            .arg(dir.path()));
        assert_ne!(code, 0, "{fault} interrupts the edit");
        if removed {
            // Killed after the commit point: the journal is left, the state not yet swapped.
            assert!(dir.path().join(".meridian/apply.journal").exists());
            assert_eq!(bytes(&dir.path().join(".meridian/state.json")), before);
        }
        // The next command (here one that only reads) finishes or undoes it first.
        let (code, out, err) = state_cmd(dir.path(), &["list"]);
        assert_eq!(code, 0, "{err}");
        assert!(!dir.path().join(".meridian/apply.journal").exists());
        let listed = out.lines().any(|l| l == DEPLOYMENT);
        assert_eq!(listed, !removed, "{fault}: {out}");
        if removed {
            assert!(
                err.contains("it had passed its commit point, so it was finished"),
                "{err}"
            );
            assert_eq!(load_state(dir.path()).serial, 2);
        } else {
            assert_eq!(bytes(&dir.path().join(".meridian/state.json")), before);
        }
    }
}

#[test]
fn output_reads_what_was_applied() {
    let dir = example("eu-bank");
    let (code, _, err) = run(bare().arg("output").arg("--dir").arg(dir.path()));
    assert_eq!(code, 1);
    assert!(err.contains("there are no outputs"), "{err}");
    apply_offline(dir.path());
    let output = |args: &[&str]| run(bare().arg("output").args(args).arg("--dir").arg(dir.path()));

    let (code, out, err) = output(&["-json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["models"]["sensitive"], json!(false));
    let assistant = &v["models"]["value"]["assistant"];
    assert_eq!(assistant["router_model"], json!("assistant"));
    let tiers = assistant["tiers"].as_array().expect("tiers");
    assert_eq!(
        tiers
            .iter()
            .map(|t| t["order"].as_u64().expect("order"))
            .collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    let primary = &tiers[0]["targets"][0];
    assert_eq!(primary["target"], json!("aoai-sweden"));
    assert_eq!(primary["cloud"], json!("azure"));
    assert_eq!(primary["resource"], json!(DEPLOYMENT));
    assert_eq!(
        primary["endpoint"],
        json!("https://ebk-assistants-corp-swedencentral.openai.azure.com/")
    );
    assert_eq!(primary["status"], json!("pending-create"));
    // The endpoint is the one the router configuration calls.
    let litellm =
        std::fs::read_to_string(dir.path().join("generated/router/litellm.yaml")).expect("read");
    assert!(litellm.contains("https://ebk-assistants-corp-swedencentral.openai.azure.com/"));
    let artifacts = v["artifacts"]["value"].as_array().expect("artifacts");
    let router = artifacts
        .iter()
        .find(|a| a["format"] == json!("litellm"))
        .expect("the router configuration");
    assert_eq!(router["files"], json!(["generated/router/litellm.yaml"]));

    let (code, out, _) = output(&["artifacts", "-json"]);
    assert_eq!(code, 0);
    let one: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(&one, &v["artifacts"]["value"]);
    let (code, out, _) = output(&[]);
    assert_eq!(code, 0);
    assert!(out.starts_with("artifacts = ["), "{out}");
    assert!(out.contains("\nmodels = {"), "{out}");
    let (code, _, err) = output(&["model"]);
    assert_eq!(code, 1);
    assert!(err.contains("Did you mean \"models\"?"), "{err}");
}
