//! `meridian import --terraform-state`: a state imported from what Terraform applied plans
//! no changes; bad documents, conflicts and resources Meridian does not manage are reported.

#[path = "support/common.rs"]
mod common;

#[path = "support/tfshow.rs"]
mod tfshow;

use common::{example, meridian_without_fault as meridian, run, state};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The directory under `root` that holds the generated `versions.tf`.
fn terraform_dir(root: &Path) -> PathBuf {
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if dir.join("versions.tf").is_file() {
            return dir;
        }
        for e in std::fs::read_dir(&dir).expect("dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
    panic!("no generated Terraform under {}", root.display());
}

/// Generates the example's Terraform elsewhere and returns what `terraform show -json` would
/// print after applying it.
fn applied_document(spec: &Path, module: Option<&str>) -> Value {
    let out = tempfile::tempdir().expect("tempdir");
    let (code, _, err) = run(meridian()
        .arg("generate")
        .arg("--out")
        .arg(out.path())
        .arg(spec));
    assert_eq!(code, 0, "{err}");
    tfshow::show_json(&terraform_dir(out.path()), module)
}

/// The resource at `address` in the state of a spec directory.
fn state_resource(dir: &Path, address: &str) -> Value {
    state(dir)["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["address"] == address)
        .unwrap_or_else(|| panic!("{address} in state"))
        .clone()
}

fn write_doc(dir: &Path, doc: &Value) -> PathBuf {
    let path = dir.join("tf-state.json");
    std::fs::write(&path, serde_json::to_string_pretty(doc).expect("json")).expect("write");
    path
}

fn import_json(spec: &Path, doc: &Path) -> (i32, Value, String) {
    let (code, out, err) = run(meridian()
        .args(["import", "--json", "--terraform-state"])
        .arg(doc)
        .arg(spec));
    let report = serde_json::from_str(&out).unwrap_or(Value::Null);
    (code, report, err)
}

fn resources_of(doc: &mut Value) -> &mut Vec<Value> {
    doc.pointer_mut("/values/root_module/resources")
        .and_then(Value::as_array_mut)
        .expect("root resources")
}

fn check_round_trip(name: &str, module: Option<&str>) {
    let spec = example(name);
    let work = tempfile::tempdir().expect("tempdir");
    let doc = applied_document(spec.path(), module);
    let doc_path = write_doc(work.path(), &doc);
    let (code, report, err) = import_json(spec.path(), &doc_path);
    assert_eq!(code, 0, "{err}\n{report}");
    assert_eq!(report["not_imported"], json!([]), "{report:#}");
    assert_eq!(report["state_written"], json!(true));
    assert!(report["summary"]["imported"].as_u64().unwrap_or(0) > 0);
    assert_eq!(report["state"]["serial"], json!(1));
    // Every resource change is a no-op: the imported state is what the spec wants.
    let (code, out, err) = run(meridian()
        .args(["plan", "--json", "--refresh=false"])
        .arg(spec.path()));
    assert_eq!(code, 0, "{err}");
    let plan: Value = serde_json::from_str(&out).expect("plan json");
    let changes = plan["resource_changes"].as_array().expect("changes");
    assert!(!changes.is_empty());
    let not_noop: Vec<&Value> = changes
        .iter()
        .filter(|c| c["change"]["actions"] != json!(["no-op"]))
        .collect();
    assert!(not_noop.is_empty(), "{name}: {not_noop:#?}");
    // With the generated files in place, the whole plan is empty.
    let (code, _, err) = run(meridian().arg("generate").arg(spec.path()));
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(meridian()
        .args(["plan", "--refresh=false", "--detailed-exitcode"])
        .arg(spec.path()));
    assert_eq!(code, 0, "{name}: {out}{err}");
    assert!(out.contains("No changes."), "{out}");
}

#[test]
fn eu_bank_imported_from_terraform_plans_no_changes() {
    check_round_trip("eu-bank", None);
}

#[test]
fn global_product_imported_from_a_child_module_plans_no_changes() {
    check_round_trip("global-product", Some("module.ai"));
}

#[test]
fn eu_us_split_imported_from_terraform_plans_no_changes() {
    check_round_trip("eu-us-split", None);
}

/// (address, actions) of the plan's changes that are not no-ops.
fn plan_changes(spec: &Path) -> Vec<(String, Value)> {
    let (code, out, err) = run(meridian()
        .args(["plan", "--json", "--refresh=false"])
        .arg(spec));
    assert_eq!(code, 0, "{err}");
    let plan: Value = serde_json::from_str(&out).expect("plan");
    plan["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["change"]["actions"] != json!(["no-op"]))
        .map(|c| {
            (
                c["address"].as_str().unwrap_or_default().to_string(),
                c["change"]["actions"].clone(),
            )
        })
        .collect()
}

#[test]
fn what_terraform_changed_outside_the_spec_shows_in_the_next_plan() {
    let spec = example("eu-bank");
    let work = tempfile::tempdir().expect("tempdir");
    let mut doc = applied_document(spec.path(), None);
    for r in resources_of(&mut doc).iter_mut() {
        let address = r["address"].as_str().unwrap_or_default().to_string();
        if address == "azurerm_cognitive_deployment.azure_corp_deployment_assistant_aoai_sweden" {
            r["values"]["sku"][0]["capacity"] = json!(999);
        }
        if address == "aws_iam_policy.aws_corp_iam_policy_online_banking_4d9a602d" {
            let mut policy: Value =
                serde_json::from_str(r["values"]["policy"].as_str().expect("policy"))
                    .expect("json");
            policy["Statement"][0]["Action"] = json!("bedrock:*");
            r["values"]["policy"] = json!(policy.to_string());
        }
        if address == "google_project_service.gcp_corp_service_aiplatform" {
            r["values"]["disable_on_destroy"] = json!(true);
        }
    }
    let doc_path = write_doc(work.path(), &doc);
    let (code, report, err) = import_json(spec.path(), &doc_path);
    assert_eq!(code, 0, "{err}");
    assert_eq!(report["not_imported"], json!([]));
    let mut changes = plan_changes(spec.path());
    changes.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        changes,
        vec![
            (
                "aws.corp.iam-policy.online-banking-4d9a602d".to_string(),
                json!(["update"])
            ),
            (
                "azure.corp.deployment.assistant-aoai-sweden".to_string(),
                json!(["update"])
            ),
            ("gcp.corp.service.aiplatform".to_string(), json!(["update"])),
        ]
    );
    let deployment = state_resource(spec.path(), "azure.corp.deployment.assistant-aoai-sweden");
    assert_eq!(deployment["attributes"]["sku_capacity"], json!(999));
    assert_eq!(
        deployment["attributes"]["cognitive_account_id"],
        json!({"$ref": "azure.corp.account.swedencentral", "attr": "id"})
    );
}

#[test]
fn helpers_are_merged_and_foreign_resources_skipped_with_reasons() {
    let spec = example("eu-bank");
    let work = tempfile::tempdir().expect("tempdir");
    let mut doc = applied_document(spec.path(), None);
    resources_of(&mut doc).extend([
        json!({"address": "aws_s3_bucket.logs", "mode": "managed", "type": "aws_s3_bucket",
               "name": "logs", "values": {"bucket": "ebk-logs"}}),
        json!({"address": "azurerm_cognitive_deployment.stray", "mode": "managed",
               "type": "azurerm_cognitive_deployment", "name": "stray",
               "values": {"name": "stray", "cognitive_account_id": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/elsewhere",
                          "model": [{"format": "OpenAI", "name": "gpt-4o", "version": "1"}],
                          "sku": [{"name": "Standard", "capacity": 1}]}}),
    ]);
    let doc_path = write_doc(work.path(), &doc);
    let (code, report, err) = import_json(spec.path(), &doc_path);
    assert_eq!(code, 0, "{err}");
    let skipped = report["skipped"].as_array().expect("skipped");
    assert!(
        skipped.contains(&json!({
            "terraform_address": "aws_s3_bucket.logs",
            "terraform_type": "aws_s3_bucket",
            "reason": "Meridian does not manage aws_s3_bucket resources"
        })),
        "{report:#}"
    );
    assert!(skipped
        .iter()
        .any(|s| s["terraform_type"] == "aws_iam_policy_document"
            && s["reason"]
                .as_str()
                .is_some_and(|r| r.starts_with("a data source"))));
    assert_eq!(
        report["not_imported"],
        json!([{
            "terraform_address": "azurerm_cognitive_deployment.stray",
            "terraform_type": "azurerm_cognitive_deployment",
            "reason": "it belongs to /subscriptions/0/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/elsewhere, which is not an imported Meridian resource"
        }])
    );
    let merged: Vec<(&str, &str)> = report["merged"]
        .as_array()
        .expect("merged")
        .iter()
        .map(|m| {
            (
                m["terraform_type"].as_str().unwrap_or_default(),
                m["into"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    // A private endpoint is a resource of its own; a private DNS zone's network link is read
    // into its zone.
    assert!(merged.contains(&(
        "azurerm_private_dns_zone_virtual_network_link",
        "azure.corp.private-dns-zone.openai"
    )));
    let imported: Vec<&str> = report["imported"]
        .as_array()
        .expect("imported")
        .iter()
        .filter_map(|i| i["address"].as_str())
        .collect();
    assert!(imported.contains(&"azure.corp.private-endpoint.swedencentral"));
    assert!(merged.contains(&(
        "azurerm_cognitive_account_customer_managed_key",
        "azure.corp.account.swedencentral"
    )));
    assert!(merged.contains(&(
        "azurerm_role_assignment",
        "azure.corp.account.swedencentral"
    )));
    assert!(merged
        .iter()
        .any(|(t, into)| *t == "aws_iam_role_policy_attachment" && into.contains(".iam-policy.")));
    // The account carries its private endpoint's subnet and its key, from the helpers.
    let account = state_resource(spec.path(), "azure.corp.account.swedencentral");
    assert_eq!(
        account["attributes"]["customer_managed_key_id"],
        json!("https://kv-ebk-ai-swc.vault.azure.net/keys/cmk-openai")
    );
    assert!(account["attributes"]["private_endpoint_subnet_id"]
        .as_str()
        .is_some_and(|s| s.ends_with("/subnets/snet-ai-endpoints")));
}

#[test]
fn a_tagged_resource_the_spec_no_longer_wants_is_imported_and_planned_for_deletion() {
    let spec = example("eu-bank");
    let work = tempfile::tempdir().expect("tempdir");
    let mut doc = applied_document(spec.path(), None);
    let resources = resources_of(&mut doc);
    let mut extra = resources
        .iter()
        .find(|r| r["type"] == "aws_bedrock_inference_profile")
        .cloned()
        .expect("a profile");
    extra["address"] = json!("aws_bedrock_inference_profile.retired");
    extra["values"]["name"] = json!("ebk-assistants-retired");
    extra["values"]["arn"] =
        json!("arn:aws:bedrock:eu-central-1:418295730641:application-inference-profile/retired1");
    for key in ["tags", "tags_all"] {
        extra["values"][key]["meridian-address"] = json!("aws.corp.inference-profile.retired");
    }
    resources.push(extra);
    let doc_path = write_doc(work.path(), &doc);
    let (code, report, err) = import_json(spec.path(), &doc_path);
    assert_eq!(code, 0, "{err}");
    let retired = report["imported"]
        .as_array()
        .expect("imported")
        .iter()
        .find(|i| i["address"] == "aws.corp.inference-profile.retired")
        .expect("retired imported");
    assert_eq!(retired["matched_by"], json!("tag"));
    assert_eq!(retired["desired"], json!(false));
    let changed = plan_changes(spec.path());
    assert_eq!(
        changed,
        vec![(
            "aws.corp.inference-profile.retired".to_string(),
            json!(["delete"])
        )]
    );
}

#[test]
fn importing_an_address_already_in_state_is_refused_and_changes_nothing() {
    let spec = example("global-product");
    let work = tempfile::tempdir().expect("tempdir");
    let doc = applied_document(spec.path(), None);
    let doc_path = write_doc(work.path(), &doc);
    let (code, _, err) = import_json(spec.path(), &doc_path);
    assert_eq!(code, 0, "{err}");
    let before = std::fs::read(spec.path().join(".meridian/state.json")).expect("state");
    let (code, out, err) = run(meridian()
        .arg("import")
        .arg("--terraform-state")
        .arg(&doc_path)
        .arg(spec.path()));
    assert_eq!(code, 1, "{out}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("is already in the state;") && err.contains("Nothing was imported"),
        "{err}"
    );
    let first = doc
        .pointer("/values/root_module/resources")
        .and_then(Value::as_array)
        .and_then(|r| {
            r.iter()
                .find(|x| x["values"]["tags"]["meridian-address"].is_string())
        })
        .expect("a tagged resource");
    let address = first["values"]["tags"]["meridian-address"]
        .as_str()
        .unwrap_or_default();
    assert!(
        err.contains(&format!("error: {}: ", doc_path.display()))
            && err.contains(" already in the state"),
        "{err}"
    );
    assert!(
        state(spec.path())["resources"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x["address"] == address)),
        "{address}"
    );
    let after = std::fs::read(spec.path().join(".meridian/state.json")).expect("state");
    assert_eq!(before, after, "a refused import must not touch the state");
}

#[test]
fn bad_documents_are_refused_with_the_reason() {
    let spec = example("eu-us-split");
    let work = tempfile::tempdir().expect("tempdir");
    let cases: [(&str, &str); 4] = [
        (
            "{\n  \"format_version\": \"1.0\",\n  \"values\": {\"root_module\": [}\n}\n",
            "not JSON at line 3 column 30: expected value",
        ),
        (
            "{\"format_version\": \"2.0\", \"values\": {}}",
            "format_version \"2.0\" is not supported",
        ),
        (
            "{\"format_version\": \"1.2\", \"planned_values\": {}, \"resource_changes\": []}",
            "this is a plan (`terraform show -json PLANFILE`), not a state",
        ),
        (
            "{\"format_version\": \"1.0\", \"values\": {\"root_module\": {\"resources\": [{\"address\": \"a.b\", \"type\": \"a\"}]}}}",
            "values.root_module.resources[0]: it has no string \"mode\"",
        ),
    ];
    for (text, message) in cases {
        let path = work.path().join("doc.json");
        std::fs::write(&path, text).expect("write");
        let (code, out, err) = run(meridian()
            .arg("import")
            .arg("--terraform-state")
            .arg(&path)
            .arg(spec.path()));
        assert_eq!(code, 1, "{text}: {out}");
        assert!(err.contains(message), "{text}\n{err}");
        assert!(!spec.path().join(".meridian/state.json").exists());
    }
    let (code, _, err) = run(meridian()
        .arg("import")
        .arg("--terraform-state")
        .arg(work.path().join("missing.json"))
        .arg(spec.path()));
    assert_eq!(code, 1);
    assert!(err.contains("cannot read the Terraform state"), "{err}");
}

#[test]
fn an_empty_terraform_state_imports_nothing_and_writes_no_state() {
    let spec = example("eu-us-split");
    let (code, out, err) = run(meridian()
        .args(["import", "--terraform-state", "-"])
        .arg(spec.path())
        .write_stdin("{\"format_version\":\"1.0\",\"terraform_version\":\"1.9.8\"}"));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Nothing to import"), "{out}");
    assert!(!spec.path().join(".meridian/state.json").exists());
}

#[test]
fn import_help_has_examples() {
    let (code, out, _) = run(meridian().args(["import", "--help"]));
    assert_eq!(code, 0);
    assert!(out.contains("--terraform-state <FILE>"), "{out}");
    assert!(out.contains("terraform show -json | meridian import --terraform-state - --json"));
}

#[test]
fn import_waits_for_the_state_lock_and_fails_when_it_stays_held() {
    let spec = example("global-product");
    let work = tempfile::tempdir().expect("tempdir");
    let doc_path = write_doc(work.path(), &applied_document(spec.path(), None));
    std::fs::create_dir_all(spec.path().join(".meridian")).expect("mkdir");
    let lock = meridian_state::Lock::acquire(
        &spec.path().join(".meridian/state.lock"),
        meridian_state::LockInfo::new("apply", "test"),
        std::time::Duration::ZERO,
    )
    .expect("lock");
    let id = lock.info().id.clone();
    let (code, _, err) = run(meridian()
        .args(["import", "--lock-timeout", "200ms", "--terraform-state"])
        .arg(&doc_path)
        .arg(spec.path()));
    assert_eq!(code, 1);
    assert!(
        err.contains("state is locked") && err.contains(&id),
        "{err}"
    );
    assert!(!spec.path().join(".meridian/state.json").exists());
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        drop(lock);
    });
    let (code, _, err) = run(meridian()
        .args(["import", "--lock-timeout", "20s", "--terraform-state"])
        .arg(&doc_path)
        .arg(spec.path()));
    release.join().expect("release");
    assert_eq!(code, 0, "{err}");
    assert_eq!(state(spec.path())["serial"], json!(1));
}

#[test]
fn a_second_import_adds_to_the_state_and_keeps_its_lineage() {
    let spec = example("eu-bank");
    let work = tempfile::tempdir().expect("tempdir");
    let doc = applied_document(spec.path(), None);
    let (azure, rest): (Vec<Value>, Vec<Value>) = doc
        .pointer("/values/root_module/resources")
        .and_then(Value::as_array)
        .expect("resources")
        .iter()
        .cloned()
        .partition(|r| {
            r["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("azurerm_"))
        });
    let part = |resources: Vec<Value>| json!({"format_version": "1.0", "values": {"root_module": {"resources": resources}}});
    let first = work.path().join("azure.json");
    std::fs::write(&first, part(azure).to_string()).expect("write");
    let (code, report, err) = import_json(spec.path(), &first);
    assert_eq!(code, 0, "{err}");
    assert_eq!(report["not_imported"], json!([]));
    let lineage = state(spec.path())["lineage"].clone();
    assert!(!plan_changes(spec.path()).is_empty());
    let second = work.path().join("rest.json");
    std::fs::write(&second, part(rest).to_string()).expect("write");
    let (code, report, err) = import_json(spec.path(), &second);
    assert_eq!(code, 0, "{err}");
    assert_eq!(report["not_imported"], json!([]));
    assert_eq!(report["state"]["serial"], json!(2));
    assert_eq!(state(spec.path())["lineage"], lineage);
    assert_eq!(plan_changes(spec.path()), Vec::<(String, Value)>::new());
}
