//! Plan and apply as CI runs them: state, saved plans, locks, crashes and refusals.

#[path = "support/common.rs"]
mod common;

use common::{edit, example, meridian_without_fault as meridian, run, state};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn apply(dir: &Path) -> (i32, String, String) {
    run(meridian()
        .args(["apply", "--auto-approve", "--refresh=false"])
        .arg(dir))
}

fn plan_json(dir: &Path) -> Value {
    let (code, out, err) = run(meridian()
        .args(["plan", "--json", "--refresh=false"])
        .arg(dir));
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("plan json")
}

/// (address, actions) of every change that is not a no-op.
fn changes(plan: &Value) -> Vec<(String, Vec<String>)> {
    plan["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["change"]["actions"] != serde_json::json!(["no-op"]))
        .map(|c| {
            (
                c["address"].as_str().unwrap_or_default().to_string(),
                c["change"]["actions"]
                    .as_array()
                    .expect("actions")
                    .iter()
                    .map(|a| a.as_str().unwrap_or_default().to_string())
                    .collect(),
            )
        })
        .collect()
}

/// Removes the `model "NAME" { ... }` block (it ends at the first `}` in column 0).
fn remove_model(dir: &Path, file: &str, name: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("read");
    let start = text
        .find(&format!("model \"{name}\" {{"))
        .expect("model block");
    let end = start + text[start..].find("\n}\n").expect("block end") + 3;
    std::fs::write(&path, format!("{}{}", &text[..start], &text[end..])).expect("write");
}

fn assert_no_changes(dir: &Path) {
    let (code, out, err) = run(meridian()
        .args(["plan", "--detailed-exitcode", "--refresh=false"])
        .arg(dir));
    assert_eq!(
        code, 0,
        "plan after apply must have no changes:\n{out}\n{err}"
    );
    assert!(out.contains("No changes."), "{out}");
}

#[test]
fn every_example_applies_then_plans_no_changes_and_edits_plan_exactly() {
    for ex in ["eu-bank", "eu-us-split", "global-product"] {
        let dir = example(ex);
        let (code, out, err) = apply(dir.path());
        assert_eq!(code, 0, "{ex}: {out}\n{err}");
        assert!(out.contains("Apply complete!"), "{ex}: {out}");
        let s = state(dir.path());
        assert_eq!(s["serial"], 1, "{ex}");
        assert!(!s["resources"].as_array().expect("resources").is_empty());
        assert!(!s["artifacts"].as_object().expect("artifacts").is_empty());
        for path in s["artifacts"].as_object().expect("artifacts").keys() {
            assert!(
                dir.path().join(path).is_file(),
                "{ex}: {path} was not written"
            );
        }
        assert_no_changes(dir.path());
        // A second apply with nothing to do leaves the state alone.
        let (code, out, _) = apply(dir.path());
        assert_eq!(code, 0);
        assert!(out.contains("No changes."), "{out}");
        assert_eq!(state(dir.path())["serial"], 1);
    }
}

fn capacity_line(dir: &Path, file: &str) -> (String, String) {
    let text = std::fs::read_to_string(dir.join(file)).expect("read");
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("capacity"))
        .expect("a capacity line")
        .to_string();
    let n: u64 = line
        .split('=')
        .nth(1)
        .expect("value")
        .trim()
        .parse()
        .expect("number");
    (
        line.clone(),
        line.replace(&n.to_string(), &(n + 10).to_string()),
    )
}

#[test]
fn capacity_updates_processing_replaces_and_removing_a_model_deletes_its_resources() {
    // eu-bank: one file per concern; the Azure target of "assistant" has capacity 250.
    let dir = example("eu-bank");
    assert_eq!(apply(dir.path()).0, 0);
    let (from, to) = capacity_line(dir.path(), "models.hcl");
    edit(dir.path(), "models.hcl", &from, &to);
    let plan = plan_json(dir.path());
    assert_eq!(
        changes(&plan),
        vec![(
            "azure.corp.deployment.assistant-aoai-sweden".to_string(),
            vec!["update".to_string()]
        )]
    );
    let c = plan["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["address"] == "azure.corp.deployment.assistant-aoai-sweden")
        .expect("change");
    assert_eq!(c["change"]["before"]["attributes"]["sku_capacity"], 250);
    assert_eq!(c["change"]["after"]["attributes"]["sku_capacity"], 260);
    // The router config carries the capacity too: the file change is in the plan.
    assert!(plan["artifact_changes"]
        .as_array()
        .expect("artifacts")
        .iter()
        .any(|a| a["action"] == "update"));
    assert_eq!(apply(dir.path()).0, 0);
    assert_no_changes(dir.path());
    assert_eq!(state(dir.path())["serial"], 2);
}

#[test]
fn changing_processing_replaces_exactly_one_resource() {
    let dir = example("eu-us-split");
    assert_eq!(apply(dir.path()).0, 0);
    let text = std::fs::read_to_string(dir.path().join("main.hcl")).expect("read");
    // The Azure target "aoai-sweden" of assistant-eu: geography (EU Data Zone) -> region.
    let start = text.find("target \"aoai-sweden\"").expect("target");
    let rel = text[start..]
        .find("processing = \"geography\"")
        .expect("processing");
    let at = start + rel;
    let edited = format!(
        "{}processing = \"region\"{}",
        &text[..at],
        &text[at + "processing = \"geography\"".len()..]
    );
    std::fs::write(dir.path().join("main.hcl"), edited).expect("write");
    let plan = plan_json(dir.path());
    let changed = changes(&plan);
    let replaces: Vec<&(String, Vec<String>)> = changed
        .iter()
        .filter(|(_, a)| *a == ["create", "delete"])
        .collect();
    assert_eq!(replaces.len(), 1, "{changed:?}");
    assert_eq!(
        replaces[0].0,
        "azure.eu.deployment.assistant-eu-aoai-sweden"
    );
    let c = plan["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["address"] == replaces[0].0.as_str())
        .expect("change");
    assert_eq!(c["action_reason"], "replace_because_cannot_update");
    assert_eq!(
        c["change"]["replace_paths"],
        serde_json::json!([["sku_name"]])
    );
    assert!(
        changed
            .iter()
            .all(|(_, a)| a != &["create"] && a != &["delete"]),
        "{changed:?}"
    );
    assert_eq!(apply(dir.path()).0, 0);
    assert_no_changes(dir.path());
}

#[test]
fn removing_a_model_deletes_exactly_its_resources() {
    let dir = example("eu-bank");
    assert_eq!(apply(dir.path()).0, 0);
    let before: BTreeSet<String> = state(dir.path())["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| r["address"].as_str().unwrap_or_default().to_string())
        .collect();
    remove_model(dir.path(), "models.hcl", "triage");
    edit(
        dir.path(),
        "access.hcl",
        "[model.document-review, model.triage]",
        "[model.document-review]",
    );
    let plan = plan_json(dir.path());
    let changed = changes(&plan);
    let deletes: BTreeSet<String> = changed
        .iter()
        .filter(|(_, a)| *a == ["delete"])
        .map(|(addr, _)| addr.clone())
        .collect();
    let kept: BTreeSet<String> = plan["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["change"]["after"] != Value::Null)
        .map(|c| c["address"].as_str().unwrap_or_default().to_string())
        .collect();
    let gone: BTreeSet<String> = before.difference(&kept).cloned().collect();
    assert!(!deletes.is_empty());
    assert_eq!(deletes, gone);
    // Each deletion is one of triage's own resources, or regional infrastructure (an
    // account, a logging configuration) of a region no remaining target uses.
    let regions_kept: BTreeSet<String> = plan["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["change"]["after"]["region"].as_str())
        .map(str::to_string)
        .collect();
    // Vertex AI request-response logging is per model id and location: a deletion is triage's
    // when no remaining target calls that model.
    let (code, inspect, err) = run(meridian().args(["inspect", "--json"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    let inspect: Value = serde_json::from_str(&inspect).expect("inspect json");
    let models_kept: BTreeSet<&str> = inspect["models"]
        .as_array()
        .expect("models")
        .iter()
        .flat_map(|m| m["tiers"].as_array().into_iter().flatten())
        .flat_map(|t| t["targets"].as_array().into_iter().flatten())
        .filter_map(|t| t["model"].as_str())
        .collect();
    for c in plan["resource_changes"].as_array().expect("changes") {
        if c["change"]["actions"] != serde_json::json!(["delete"]) {
            continue;
        }
        let address = c["address"].as_str().unwrap_or_default();
        let region = c["change"]["before"]["region"].as_str().unwrap_or_default();
        let logged_model = c["change"]["before"]["attributes"]["model"].as_str();
        assert!(
            address.contains("triage")
                || !regions_kept.contains(region)
                || (address.contains(".request-logging.")
                    && logged_model.is_some_and(|m| !models_kept.contains(m))),
            "{address} is not one of triage's resources"
        );
    }
    assert!(deletes.iter().any(|d| d.contains("triage")));
    assert!(
        changed
            .iter()
            .all(|(_, a)| a == &["delete"] || a == &["update"]),
        "{changed:?}"
    );
    let (code, out, err) = run(meridian().args(["plan", "--refresh=false"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("to destroy.") && out.contains("will be destroyed"),
        "{out}"
    );
    assert_eq!(apply(dir.path()).0, 0);
    assert_no_changes(dir.path());
}

#[test]
fn plan_output_formats_and_detailed_exit_codes() {
    let dir = example("eu-bank");
    let (code, out, err) = run(meridian()
        .args(["plan", "--detailed-exitcode", "--refresh=false"])
        .arg(dir.path()));
    assert_eq!(code, 2, "{err}");
    assert!(
        out.contains("Meridian will perform the following actions:"),
        "{out}"
    );
    assert!(out.contains("  + resource \"azure_account\""), "{out}");
    assert!(out.contains("Plan: "), "{out}");
    assert!(out.contains("Changes to generated files:"), "{out}");
    assert!(out.contains("live provider state was not read"), "{out}");
    let (code, md, _) = run(meridian()
        .args(["plan", "--format", "markdown", "--refresh=false"])
        .arg(dir.path()));
    assert_eq!(code, 0);
    assert!(md.starts_with("### Meridian plan\n\n**Plan: "), "{md}");
    assert!(md.contains("<details><summary>Resource changes"), "{md}");
    assert!(md.chars().count() <= 60_000);
    // Terraform's single-dash spellings.
    let (code, _, err) = run(meridian()
        .args([
            "plan",
            "-detailed-exitcode",
            "-refresh=false",
            "-lock-timeout=1s",
        ])
        .arg(dir.path()));
    assert_eq!(code, 2, "{err}");
    // Nothing was written by planning.
    assert!(!dir.path().join(".meridian/state.json").exists());
    assert!(!dir.path().join("generated").exists());
}

#[test]
fn saved_plans_apply_exactly_and_stale_ones_are_refused() {
    let dir = example("eu-bank");
    let planfile = dir.path().join("plan.out");
    let (code, out, err) = run(meridian()
        .args(["plan", "--refresh=false", "-out"])
        .arg(&planfile)
        .arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("meridian apply"), "{out}");
    // show renders it, in every format.
    let (code, shown, _) = run(meridian().arg("show").arg(&planfile));
    assert_eq!(code, 0);
    assert!(shown.contains("Plan: "), "{shown}");
    let (code, shown, _) = run(meridian().args(["show", "--json"]).arg(&planfile));
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&shown).expect("json");
    assert_eq!(v["format_version"], "1.0");
    // Applying the saved plan needs no approval and no terminal.
    let (code, out, err) = run(meridian().arg("apply").arg(&planfile));
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(state(dir.path())["serial"], 1);
    assert_no_changes(dir.path());
    // The same plan again: the state moved on (serial 1, the plan was made with no state).
    let (code, _, err) = run(meridian().arg("apply").arg(&planfile));
    assert_eq!(code, 1);
    assert!(err.contains("Saved plan is stale"), "{err}");

    // A plan made, then the spec edited: refused, nothing changes.
    let (from, to) = capacity_line(dir.path(), "models.hcl");
    edit(dir.path(), "models.hcl", &from, &to);
    let (code, _, err) = run(meridian()
        .args(["plan", "--refresh=false", "-out"])
        .arg(&planfile)
        .arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    edit(dir.path(), "models.hcl", &to, &from);
    let before = snapshot(dir.path());
    let (code, _, err) = run(meridian().arg("apply").arg(&planfile));
    assert_eq!(code, 1);
    assert!(
        err.contains("the spec changed after the plan was made"),
        "{err}"
    );
    assert!(err.contains("Nothing was changed"), "{err}");
    assert_eq!(snapshot(dir.path()), before);

    // A plan made, then the state changed by another apply: refused.
    edit(dir.path(), "models.hcl", &from, &to);
    let (code, _, _) = run(meridian()
        .args(["plan", "--refresh=false", "-out"])
        .arg(&planfile)
        .arg(dir.path()));
    assert_eq!(code, 0);
    assert_eq!(apply(dir.path()).0, 0);
    let before = snapshot(dir.path());
    let (code, _, err) = run(meridian().arg("apply").arg(&planfile));
    assert_eq!(code, 1);
    assert!(err.contains("serial 1 is now 2"), "{err}");
    assert_eq!(snapshot(dir.path()), before);

    // A damaged plan file is refused.
    let text = std::fs::read_to_string(&planfile).expect("read");
    std::fs::write(&planfile, &text[..text.len() / 3]).expect("write");
    let (code, _, err) = run(meridian().arg("apply").arg(&planfile));
    assert_eq!(code, 1);
    assert!(err.contains("truncated"), "{err}");
}

/// Every file under `dir` (except the plan file) with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .file_name()
                .is_some_and(|n| n != "plan.out" && n != "state.lock" && n != "state.json.backup")
            {
                out.insert(
                    p.strip_prefix(dir).expect("prefix").to_path_buf(),
                    std::fs::read(&p).expect("read"),
                );
            }
        }
    }
    out
}

#[test]
fn damaged_state_is_refused_and_never_replaced() {
    let dir = example("eu-us-split");
    assert_eq!(apply(dir.path()).0, 0);
    let path = dir.path().join(".meridian/state.json");
    let good = std::fs::read_to_string(&path).expect("state");

    let edited = good.replacen("\"serial\": 1", "\"serial\": 7", 1);
    assert_ne!(edited, good);
    std::fs::write(&path, &edited).expect("write");
    let (code, _, err) = run(meridian().args(["plan", "--refresh=false"]).arg(dir.path()));
    assert_eq!(code, 1);
    assert!(err.contains("checksum"), "{err}");
    assert!(err.contains("state.json"), "{err}");
    let (code, _, _) = apply(dir.path());
    assert_eq!(code, 1);
    assert_eq!(std::fs::read_to_string(&path).expect("state"), edited);

    std::fs::write(&path, &good[..good.len() / 2]).expect("write");
    let (code, _, err) = run(meridian().args(["plan", "--refresh=false"]).arg(dir.path()));
    assert_eq!(code, 1);
    assert!(err.contains("truncated"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).expect("state"),
        &good[..good.len() / 2]
    );
}

#[test]
fn a_held_lock_fails_at_once_or_is_waited_for() {
    let dir = example("eu-bank");
    std::fs::create_dir_all(dir.path().join(".meridian")).expect("mkdir");
    let lock_path = dir.path().join(".meridian/state.lock");
    let lock = meridian_state::Lock::acquire(
        &lock_path,
        meridian_state::LockInfo::new("apply", "test"),
        std::time::Duration::ZERO,
    )
    .expect("lock");
    let id = lock.info().id.clone();
    let (code, _, err) = apply(dir.path());
    assert_eq!(code, 1);
    assert!(err.contains("state is locked"), "{err}");
    assert!(err.contains(&id), "{err}");
    assert!(err.contains("operation apply"), "{err}");
    assert!(!dir.path().join(".meridian/state.json").exists());
    // force-unlock refuses while the holder is alive.
    let (code, _, err) = run(meridian().arg("force-unlock").arg(&id).arg(dir.path()));
    assert_eq!(code, 1);
    assert!(err.contains("running process"), "{err}");

    // A waiter with -lock-timeout gets the lock once it is released.
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(700));
        drop(lock);
    });
    let (code, out, err) = run(meridian()
        .args([
            "apply",
            "--auto-approve",
            "--refresh=false",
            "-lock-timeout=20s",
        ])
        .arg(dir.path()));
    release.join().expect("thread");
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(state(dir.path())["serial"], 1);
}

#[test]
fn two_applies_at_once_serialise_on_the_lock() {
    let dir = example("global-product");
    let spawn = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("meridian"))
            .args(["apply", "--auto-approve", "--refresh=false"])
            .arg(dir.path())
            .env("CI", "true")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    let (a, b) = (spawn(), spawn());
    let results: Vec<(bool, String)> = [a, b]
        .into_iter()
        .map(|c| {
            let o = c.wait_with_output().expect("wait");
            (
                o.status.success(),
                String::from_utf8_lossy(&o.stdout).into_owned()
                    + &String::from_utf8_lossy(&o.stderr),
            )
        })
        .collect();
    let wins = results.iter().filter(|(ok, _)| *ok).count();
    assert!(wins >= 1, "{results:?}");
    for (ok, text) in &results {
        // The loser fails on the lock, or (if it started after the winner finished) finds
        // nothing left to do.
        assert!(
            *ok && (text.contains("Apply complete!") || text.contains("No changes."))
                || !*ok && text.contains("state is locked"),
            "{text}"
        );
    }
    let s = state(dir.path());
    assert_eq!(s["serial"], 1, "exactly one write");
    assert_no_changes(dir.path());
}

#[test]
fn apply_interrupted_between_file_writes_is_entirely_old_or_entirely_new() {
    let dir = example("eu-bank");
    assert_eq!(apply(dir.path()).0, 0);
    let old = snapshot(dir.path());
    let (from, to) = capacity_line(dir.path(), "models.hcl");
    // A spec change that rewrites several generated files.
    edit(dir.path(), "models.hcl", &from, &to);
    edit(
        dir.path(),
        "main.hcl",
        "name         = \"ebk-assistants\"",
        "name         = \"ebk-assistants-2\"",
    );
    let spec_edit = snapshot(dir.path());
    // The complete result, from a clean apply of a copy.
    let reference = tempfile::tempdir().expect("tempdir");
    copy_tree(dir.path(), reference.path());
    assert_eq!(apply(reference.path()).0, 0);
    let new = snapshot(reference.path());
    let changed_files = new.iter().filter(|(p, c)| old.get(*p) != Some(c)).count();
    assert!(changed_files >= 3, "{changed_files}");

    for (fault, n) in [
        ("abort-after-swaps", 1),
        ("abort-after-swaps", 2),
        ("fail-after-swaps", 1),
    ] {
        let work = tempfile::tempdir().expect("tempdir");
        copy_tree(dir.path(), work.path());
        let (code, _, _) = run(meridian()
            .env("MERIDIAN_TEST_FAULT", format!("{fault}:{n}"))
            .args(["apply", "--auto-approve", "--refresh=false"])
            .arg(work.path()));
        assert_ne!(code, 0, "{fault}:{n} must interrupt the apply");
        // The next command (which takes the lock) finishes or undoes the interrupted apply.
        let (code, _, err) = run(meridian()
            .args(["plan", "--refresh=false"])
            .arg(work.path()));
        assert_eq!(code, 0, "{err}");
        let after = snapshot(work.path());
        let is_old = after == spec_edit;
        let is_new = after == new;
        assert!(
            is_old || is_new,
            "{fault}:{n}: a mix of old and new files: {:?}",
            after
                .iter()
                .filter(|(p, c)| spec_edit.get(*p) != Some(c) && new.get(*p) != Some(c))
                .map(|(p, _)| p)
                .collect::<Vec<_>>()
        );
        if fault == "fail-after-swaps" {
            assert!(is_old, "an in-process failure is rolled back");
        }
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let p = entry.expect("entry").path();
        let dest = to.join(p.file_name().expect("name"));
        if p.is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
            copy_tree(&p, &dest);
        } else if p.file_name().is_some_and(|n| n != "state.lock") {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

/// One model of a generated spec.
#[derive(Debug, Clone)]
struct GenModel {
    present: bool,
    capacity: u32,
    azure_region: &'static str,
    processing: &'static str,
    secondary: Option<&'static str>,
}

fn gen_spec(models: &[GenModel], pulumi: bool) -> String {
    let mut s = String::from(
        r#"meridian {
  name = "prop"
}

provider "azure" "corp" {
  subscription_id = "11111111-2222-3333-4444-555555555555"
  resource_group  = "rg-ai"

  network {
    private_endpoint_subnet_id = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/ai"
  }
}

provider "aws" "main" {
  account_id = "123456789012"
}

emit "terraform" {
  path = "gen/terraform"
}

emit "litellm" {
  path = "gen/litellm.yaml"
}
"#,
    );
    if pulumi {
        s.push_str("\nemit \"pulumi\" {\n  path = \"gen/pulumi\"\n}\n");
    }
    for (i, m) in models.iter().enumerate().filter(|(_, m)| m.present) {
        s.push_str(&format!(
            r#"
model "m{i}" {{
  capabilities = ["chat"]
  tier "primary" {{
    target "aoai" {{
      provider   = provider.azure.corp
      model      = "gpt-5.1"
      version    = "2025-11-13"
      region     = "{}"
      processing = "{}"
      capacity   = {}
    }}
  }}
"#,
            m.azure_region, m.processing, m.capacity
        ));
        if let Some(region) = m.secondary {
            s.push_str(&format!(
                r#"  tier "secondary" {{
    target "bedrock" {{
      provider   = provider.aws.main
      model      = "anthropic.claude-haiku-4-5-20251001-v1:0"
      region     = "{region}"
      processing = "region"
    }}
  }}
"#
            ));
        }
        s.push_str("}\n");
    }
    s
}

fn gen_model() -> impl proptest::strategy::Strategy<Value = GenModel> {
    use proptest::prelude::*;
    (
        prop::bool::weighted(0.7),
        1u32..400,
        // Where gpt-5.1 is offered: Standard in swedencentral, Data Zone in both.
        prop::sample::select(vec![
            ("swedencentral", "region"),
            ("swedencentral", "geography"),
            ("francecentral", "geography"),
        ]),
        prop::option::of(prop::sample::select(vec!["eu-west-1", "eu-north-1"])),
    )
        .prop_map(
            |(present, capacity, (azure_region, processing), secondary)| GenModel {
                present,
                capacity,
                azure_region,
                processing,
                secondary,
            },
        )
}

/// What a state means, without its identity (lineage, serial) or checksum.
/// The state without what records its history: lineage, serials (the state's, and those at
/// which each record's rollout and observation were recorded) and checksum.
fn state_content(dir: &Path) -> Value {
    let mut s = state(dir);
    if let Some(obj) = s.as_object_mut() {
        for k in ["lineage", "serial", "checksum"] {
            obj.remove(k);
        }
    }
    if let Some(resources) = s["resources"].as_array_mut() {
        for r in resources {
            for field in ["pending", "observed"] {
                if let Some(o) = r[field].as_object_mut() {
                    o.remove("serial");
                }
            }
        }
    }
    s
}

fn write_spec(dir: &Path, text: &str) {
    std::fs::write(dir.join("main.hcl"), text).expect("write spec");
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config {
        cases: 12,
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    })]

    /// Applying A then B leaves exactly the state (and files) that applying B alone does,
    /// and a plan of B then has no changes.
    #[test]
    fn applying_a_then_b_equals_applying_b(
        a in proptest::collection::vec(gen_model(), 1..5),
        b in proptest::collection::vec(gen_model(), 1..5),
        pulumi_a in proptest::bool::ANY,
        pulumi_b in proptest::bool::ANY,
    ) {
        let (spec_a, spec_b) = (gen_spec(&a, pulumi_a), gen_spec(&b, pulumi_b));
        let both = tempfile::tempdir().expect("tempdir");
        write_spec(both.path(), &spec_a);
        let (code, out, err) = apply(both.path());
        proptest::prop_assert_eq!(code, 0, "A: {}\n{}\n{}", spec_a, out, err);
        write_spec(both.path(), &spec_b);
        let (code, out, err) = apply(both.path());
        proptest::prop_assert_eq!(code, 0, "B after A: {}\n{}\n{}", spec_b, out, err);

        let alone = tempfile::tempdir().expect("tempdir");
        write_spec(alone.path(), &spec_b);
        let (code, _, err) = apply(alone.path());
        proptest::prop_assert_eq!(code, 0, "B: {}", err);

        proptest::prop_assert_eq!(state_content(both.path()), state_content(alone.path()));
        let files = |d: &Path| -> BTreeMap<PathBuf, Vec<u8>> {
            snapshot(d).into_iter().filter(|(p, _)| !p.starts_with(".meridian")).collect()
        };
        proptest::prop_assert_eq!(files(both.path()), files(alone.path()));
        let (code, out, _) = run(
            meridian()
                .args(["plan", "--detailed-exitcode", "--refresh=false"])
                .arg(both.path()),
        );
        proptest::prop_assert_eq!(code, 0, "{}", out);
        proptest::prop_assert!(out.contains("No changes."));
    }
}

#[test]
fn force_unlock_removes_a_lock_left_by_a_dead_process_and_checks_the_id() {
    let dir = example("eu-bank");
    std::fs::create_dir_all(dir.path().join(".meridian")).expect("mkdir");
    let lock_path = dir.path().join(".meridian/state.lock");
    let (code, _, err) = run(meridian().args(["force-unlock", "1234"]).arg(dir.path()));
    assert_eq!(code, 1);
    assert!(err.contains("no lock"), "{err}");
    // What a process that died while holding the lock leaves behind.
    let info = meridian_state::LockInfo::new("apply", "0.1.0");
    std::fs::write(&lock_path, serde_json::to_string(&info).expect("json")).expect("write");
    let (code, _, err) = run(meridian()
        .args(["force-unlock", "not-the-id"])
        .arg(dir.path()));
    assert_eq!(code, 1);
    assert!(
        err.contains(&info.id),
        "the error names the lock's ID: {err}"
    );
    assert!(lock_path.exists());
    let (code, out, err) = run(meridian().arg("force-unlock").arg(&info.id).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("unlocked"), "{out}");
    assert!(!lock_path.exists());
}

#[test]
fn apply_without_a_terminal_needs_auto_approve_and_changes_nothing() {
    let dir = example("eu-bank");
    let (code, out, err) = run(meridian()
        .args(["apply", "--refresh=false"])
        .arg(dir.path())
        .write_stdin("yes\n"));
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("--auto-approve"), "{err}");
    assert!(out.contains("Plan: "), "the plan is shown first: {out}");
    assert!(!dir.path().join(".meridian/state.json").exists());
    assert!(!dir.path().join("generated").exists());
}
