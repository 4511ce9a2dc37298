//! Tests of the state type and the state file.

use super::*;
use proptest::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};

fn resource(address: &str) -> StateResource {
    let mut attributes = BTreeMap::new();
    attributes.insert("sku".to_owned(), serde_json::json!("GlobalStandard"));
    attributes.insert("capacity".to_owned(), serde_json::json!(10));
    attributes.insert("ratio".to_owned(), serde_json::json!(0.1));
    attributes.insert(
        "nested".to_owned(),
        serde_json::json!({"z": [1, 2, {"b": null, "a": true}], "a": "é\"\n"}),
    );
    let mut tags = BTreeMap::new();
    tags.insert("managed-by".to_owned(), "meridian".to_owned());
    StateResource {
        address: address.to_owned(),
        kind: "azure_deployment".to_owned(),
        provider: "azure.corp".to_owned(),
        region: Some("swedencentral".to_owned()),
        name: address.replace('.', "-"),
        attributes,
        tags,
        pending: None,
        observed: None,
    }
}

fn sample() -> State {
    let mut s = State::new("0.1.0");
    s.serial = 7;
    s.spec_hash = Some(sha256_hex(b"spec"));
    s.resources = vec![
        resource("azure.corp.deployment.b"),
        resource("aws.main.profile.a"),
        resource("azure.corp.account.sweden"),
    ];
    s.artifacts.insert(
        "out/main.tf".to_owned(),
        ArtifactRecord {
            emit: Some("out".to_owned()),
            ..ArtifactRecord::of(b"terraform {}\n")
        },
    );
    s.emits.insert(
        "out".to_owned(),
        EmitRecord {
            format: "terraform".to_owned(),
            describes: vec!["azure_deployment".to_owned()],
        },
    );
    s.resources[0].pending = Some(Pending {
        serial: 7,
        action: PendingAction::Update,
        before: BTreeMap::from([("capacity".to_owned(), serde_json::json!(5))]),
    });
    s.resources[1].observed = Some(Observed {
        serial: 6,
        exists: true,
        differences: BTreeMap::from([("tags.team".to_owned(), serde_json::Value::Null)]),
    });
    s
}

fn state_path(dir: &Path) -> PathBuf {
    dir.join(".meridian").join("state.json")
}

fn saved(dir: &Path) -> (PathBuf, State) {
    let path = state_path(dir);
    let mut s = sample();
    save(&path, &mut s).expect("save");
    (path, s)
}

fn expect_err(path: &Path) -> StateError {
    match load(path) {
        Ok(s) => panic!("expected an error, loaded {s:?}"),
        Err(e) => e,
    }
}

#[test]
fn new_state_is_empty_with_a_fresh_lineage() {
    let a = State::new("1.2.3");
    let b = State::new("1.2.3");
    assert_eq!(a.format_version, FORMAT_VERSION);
    assert_eq!(a.meridian_version, "1.2.3");
    assert_eq!(a.serial, 0);
    assert_eq!(a.spec_hash, None);
    assert!(a.resources.is_empty() && a.artifacts.is_empty());
    assert_eq!(a.checksum, "");
    assert!(crate::id::is_uuid_v4(&a.lineage), "{}", a.lineage);
    assert_ne!(a.lineage, b.lineage);
}

#[test]
fn checksum_covers_the_json_with_an_empty_checksum_field() {
    let mut s = sample();
    let mut blank = s.clone();
    blank.checksum = String::new();
    let expected = sha256_hex(&serde_json::to_vec(&blank).expect("json"));
    assert_eq!(s.compute_checksum(), expected);
    assert!(expected.starts_with("sha256:") && expected.len() == 71);
    assert!(expected[7..]
        .bytes()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    // Independent of the current value of the field.
    s.checksum = "sha256:whatever".to_owned();
    assert_eq!(s.compute_checksum(), expected);
    assert!(!s.checksum_is_valid());
    s.checksum = expected.clone();
    assert!(s.checksum_is_valid());
    // Any change of content changes it.
    s.serial += 1;
    assert_ne!(s.compute_checksum(), expected);
}

#[test]
fn sha256_of_known_input() {
    assert_eq!(
        sha256_hex(b"abc"),
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let r = ArtifactRecord::of(b"abc");
    assert_eq!(r.bytes, 3);
    assert_eq!(r.sha256, sha256_hex(b"abc"));
}

#[test]
fn bump_and_next_increment_the_serial_only() {
    let mut s = sample();
    let n = s.next().expect("next");
    assert_eq!(n.serial, 8);
    assert_eq!(n.lineage, s.lineage);
    assert_eq!(s.serial, 7);
    s.bump().expect("bump");
    assert_eq!(s.serial, 8);
}

#[test]
fn the_serial_never_wraps() {
    let mut s = sample();
    s.serial = u64::MAX - 1;
    s.bump().expect("the last serial");
    assert_eq!(s.serial, u64::MAX);
    let e = s.bump().expect_err("exhausted");
    assert_eq!(s.serial, u64::MAX, "left as it was");
    assert_eq!(s.next(), Err(SerialExhausted));
    let msg = e.to_string();
    assert!(msg.contains("18446744073709551615"), "{msg}");
    assert!(msg.contains("would wrap it to 0"), "{msg}");
    assert!(msg.contains("Nothing was written"), "{msg}");
}

#[test]
fn load_of_a_missing_file_is_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(load(&state_path(dir.path())).expect("load").is_none());
}

#[test]
fn save_then_load_round_trips() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, s) = saved(dir.path());
    let loaded = load(&path).expect("load").expect("some");
    assert_eq!(loaded, s);
    assert_eq!(loaded.serial, 7, "save does not change the serial");
    assert!(loaded.checksum_is_valid());
    let text = fs::read_to_string(&path).expect("read");
    assert!(text.ends_with("}\n") && !text.ends_with("\n\n"));
    assert!(text.starts_with("{\n  \"format_version\": 2,\n"), "{text}");
    let mut expected = serde_json::to_string_pretty(&s).expect("json");
    expected.push('\n');
    assert_eq!(text, expected);
}

#[test]
fn save_sorts_resources_by_address_and_sets_version_and_checksum() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = state_path(dir.path());
    let mut s = sample();
    s.format_version = 0;
    save(&path, &mut s).expect("save");
    let addrs: Vec<&str> = s.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addrs,
        [
            "aws.main.profile.a",
            "azure.corp.account.sweden",
            "azure.corp.deployment.b"
        ]
    );
    assert_eq!(s.format_version, FORMAT_VERSION);
    assert!(s.checksum_is_valid());
    let on_disk = load(&path).expect("load").expect("some");
    assert_eq!(on_disk.resources, s.resources);
}

#[test]
fn save_refuses_duplicate_addresses_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = state_path(dir.path());
    let mut s = sample();
    s.resources.push(resource("aws.main.profile.a"));
    let e = save(&path, &mut s).expect_err("duplicate");
    assert!(matches!(e, StateError::Invalid { .. }), "{e:?}");
    assert!(
        e.to_string().contains("aws.main.profile.a appears twice"),
        "{e}"
    );
    assert!(!path.exists());
}

#[test]
fn save_keeps_the_previous_file_as_backup() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = state_path(dir.path());
    let backup = dir.path().join(".meridian").join("state.json.backup");
    let mut s = sample();
    save(&path, &mut s).expect("save 1");
    assert!(!backup.exists(), "no backup of a first save");
    let v1 = fs::read(&path).expect("read");

    s.bump().expect("bump");
    save(&path, &mut s).expect("save 2");
    let v2 = fs::read(&path).expect("read");
    assert_ne!(v1, v2);
    assert_eq!(fs::read(&backup).expect("backup"), v1);

    s.bump().expect("bump");
    save(&path, &mut s).expect("save 3");
    assert_eq!(fs::read(&backup).expect("backup"), v2, "replaced each time");
    assert_eq!(load(&backup).expect("load backup").expect("some").serial, 8);
    // No temporary files are left behind.
    let mut names: Vec<String> = fs::read_dir(dir.path().join(".meridian"))
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["state.json", "state.json.backup"]);
}

#[test]
fn save_creates_missing_parent_directories() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a/b/c/state.json");
    save(&path, &mut sample()).expect("save");
    assert!(load(&path).expect("load").is_some());
}

#[test]
fn save_fails_cleanly_when_the_directory_cannot_be_created() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("file"), b"x").expect("write");
    let path = dir.path().join("file/state.json");
    let e = save(&path, &mut sample()).expect_err("not a directory");
    assert!(matches!(e, StateError::Write { .. }), "{e:?}");
    assert!(e.to_string().contains("file/state.json"), "{e}");
    assert_eq!(fs::read(dir.path().join("file")).expect("read"), b"x");
}

#[test]
fn save_fails_cleanly_when_the_target_is_a_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    fs::create_dir(&path).expect("mkdir");
    fs::write(path.join("keep"), b"k").expect("write");
    let e = save(&path, &mut sample()).expect_err("directory");
    assert!(matches!(e, StateError::Write { .. }), "{e:?}");
    assert!(path.join("keep").exists());
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "temporary file removed: {leftovers:?}");
}

#[test]
fn truncated_file_is_reported_with_position_and_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _) = saved(dir.path());
    let full = fs::read(&path).expect("read");
    let cut = &full[..full.len() / 2];
    fs::write(&path, cut).expect("write");
    let e = expect_err(&path);
    let StateError::NotJson { line, column, .. } = &e else {
        panic!("expected NotJson, got {e:?}");
    };
    assert!(*line > 1 && *column > 0, "{line}:{column}");
    let msg = e.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(
        msg.contains(&format!(
            "truncated or not JSON at line {line} column {column}"
        )),
        "{msg}"
    );
    assert!(
        msg.contains("restore it from state.json.backup or from version control; Meridian never replaces a damaged state file"),
        "{msg}"
    );
    assert_eq!(fs::read(&path).expect("read"), cut, "never repaired");
}

#[test]
fn empty_and_garbage_files_are_not_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    for (content, line, column) in [
        (&b""[..], 1, 0),
        (b"hello", 1, 1),
        (b"{\n  \"format_version\": 1,\n  oops", 3, 3),
        (b"{} trailing", 1, 4),
    ] {
        fs::write(&path, content).expect("write");
        match expect_err(&path) {
            StateError::NotJson {
                line: l, column: c, ..
            } => assert_eq!(
                (l, c),
                (line, column),
                "{:?}",
                String::from_utf8_lossy(content)
            ),
            e => panic!("expected NotJson for {content:?}, got {e:?}"),
        }
    }
}

#[test]
fn json_that_is_not_a_state_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let mut good: serde_json::Value = {
        let (p, _) = saved(dir.path());
        serde_json::from_slice(&fs::read(p).expect("read")).expect("json")
    };
    let mut missing = good.clone();
    missing.as_object_mut().expect("obj").remove("lineage");
    let mut extra = good.clone();
    extra["surprise"] = serde_json::json!(1);
    let mut wrong_type = good.clone();
    wrong_type["serial"] = serde_json::json!("seven");
    good["resources"][0]["bogus"] = serde_json::json!(true);
    for (value, needle) in [
        (serde_json::json!([]), "it holds an array, not an object"),
        (serde_json::json!("x"), "it holds a string, not an object"),
        (serde_json::json!({"a": 1}), "unknown field"),
        (missing, "missing field `lineage`"),
        (extra, "unknown field `surprise`"),
        (wrong_type, "invalid type"),
        (good, "unknown field `bogus`"),
    ] {
        fs::write(&path, serde_json::to_vec(&value).expect("json")).expect("write");
        let e = expect_err(&path);
        assert!(matches!(e, StateError::NotState { .. }), "{e:?}");
        let msg = e.to_string();
        assert!(msg.contains(needle), "{msg}");
        assert!(msg.contains("is JSON but not a Meridian state"), "{msg}");
        assert!(msg.contains("state.json.backup"), "{msg}");
    }
}

#[test]
fn newer_format_is_refused_with_upgrade_advice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    // A newer format may have fields this build does not know: the version is checked first.
    fs::write(&path, br#"{"format_version": 3, "future_field": {"x": 1}}"#).expect("write");
    let e = expect_err(&path);
    assert!(
        matches!(e, StateError::UnsupportedVersion { found: 3, .. }),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(msg.contains("written by a newer Meridian"), "{msg}");
    assert!(msg.contains("upgrade Meridian"), "{msg}");

    fs::write(&path, br#"{"format_version": 0}"#).expect("write");
    let e = expect_err(&path);
    assert!(
        matches!(e, StateError::UnsupportedVersion { found: 0, .. }),
        "{e:?}"
    );
    assert!(!e.to_string().contains("newer"), "{e}");
}

#[test]
fn edited_file_fails_the_checksum() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _) = saved(dir.path());
    let text = fs::read_to_string(&path).expect("read");
    let edited = text.replace("\"serial\": 7", "\"serial\": 8");
    assert_ne!(text, edited);
    fs::write(&path, &edited).expect("write");
    let e = expect_err(&path);
    assert!(matches!(e, StateError::ChecksumMismatch { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("the checksum does not match its content: the file was edited or damaged"),
        "{msg}"
    );
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("state.json.backup"), "{msg}");
    assert_eq!(
        fs::read_to_string(&path).expect("read"),
        edited,
        "never repaired"
    );

    // A blank or bogus checksum fails too.
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    v["checksum"] = serde_json::json!("");
    fs::write(&path, serde_json::to_vec(&v).expect("json")).expect("write");
    assert!(matches!(
        expect_err(&path),
        StateError::ChecksumMismatch { .. }
    ));
}

#[test]
fn reformatting_a_file_keeps_it_valid() {
    // The checksum is over the canonical serialisation, not the bytes: whitespace changes
    // (a re-indenting editor) do not damage the file.
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, s) = saved(dir.path());
    let v: serde_json::Value =
        serde_json::from_slice(&fs::read(&path).expect("read")).expect("json");
    fs::write(&path, serde_json::to_vec(&v).expect("json")).expect("write");
    assert_eq!(load(&path).expect("load").expect("some"), s);
}

#[test]
fn loaded_duplicate_addresses_are_not_a_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let mut s = sample();
    s.resources.push(resource("aws.main.profile.a"));
    s.checksum = s.compute_checksum();
    fs::write(&path, serde_json::to_vec(&s).expect("json")).expect("write");
    let e = expect_err(&path);
    assert!(matches!(e, StateError::NotState { .. }), "{e:?}");
    assert!(
        e.to_string().contains("aws.main.profile.a appears twice"),
        "{e}"
    );
}

#[test]
fn unreadable_file_is_an_io_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    fs::create_dir(&path).expect("mkdir");
    let e = expect_err(&path);
    assert!(matches!(e, StateError::Unreadable { .. }), "{e:?}");
    assert!(
        e.to_string().starts_with("cannot read the state file"),
        "{e}"
    );
    assert!(std::error::Error::source(&e).is_some());
}

#[test]
fn schema_json_is_pretty_with_a_newline() {
    let text = state_schema_json();
    assert!(text.ends_with("}\n"));
    assert!(text.contains("\"lineage\""));
}

fn arb_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        ".*".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(".{0,6}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the attribute values, a saved state loads back equal with a valid checksum.
    #[test]
    fn any_state_round_trips(
        values in prop::collection::btree_map("[a-z_]{1,8}", arb_value(), 0..6),
        addresses in prop::collection::btree_set("[a-z]{1,3}\\.[a-z]{1,3}\\.[a-z]{1,4}", 0..5),
        serial in any::<u64>(),
        name in ".{0,12}",
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.json");
        let mut s = State::new("0.1.0");
        s.serial = serial;
        for a in addresses.iter().rev() {
            let mut r = resource(a);
            r.name.clone_from(&name);
            r.attributes.clone_from(&values);
            s.resources.push(r);
        }
        save(&path, &mut s).expect("save");
        let loaded = load(&path).expect("load").expect("some");
        prop_assert_eq!(loaded, s);
    }
}

#[test]
fn artifact_paths_outside_the_spec_directory_are_refused() {
    // The checksum is a plain hash anyone can recompute: an edited state with an artifact
    // path that climbs out (which a plan would then delete) is refused on its own merits.
    let dir = tempfile::tempdir().expect("tempdir");
    for bad in [
        "../outside.tf",
        "/etc/passwd",
        ".meridian/state.json",
        "gen/",
    ] {
        let mut s = sample();
        s.artifacts.insert(bad.to_owned(), ArtifactRecord::of(b"x"));
        let path = state_path(dir.path());
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        let bytes = s.to_file_bytes();
        fs::write(&path, bytes).expect("write");
        let e = expect_err(&path);
        assert!(matches!(e, StateError::NotState { .. }), "{bad}: {e:?}");
        assert!(
            e.to_string()
                .contains("is not a file inside the spec directory"),
            "{e}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_linked_state_file_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _) = saved(&dir.path().join("elsewhere"));
    let spec = dir.path().join("spec");
    fs::create_dir_all(spec.join(".meridian")).expect("mkdir");
    let link = state_path(&spec);
    std::os::unix::fs::symlink(&path, &link).expect("symlink");
    let e = expect_err(&link);
    assert!(e.to_string().contains("is a symbolic link"), "{e}");
    // And saving replaces the link, never the file it points to.
    let before = fs::read(&path).expect("read");
    let mut s = sample();
    s.serial = 99;
    assert!(
        save(&link, &mut s).is_err(),
        "the backup of a link is refused"
    );
    assert_eq!(fs::read(&path).expect("read"), before);
}

/// A state file as format 1 wrote it: no rollout fields, no emit blocks.
const FORMAT_1: &str = r#"{
  "format_version": 1,
  "meridian_version": "0.1.0",
  "lineage": "6f1c2a9e-5b7d-4c1e-9f3a-2d8b7e4c1a05",
  "serial": 4,
  "resources": [
    {
      "address": "azure.corp.deployment.a",
      "type": "azure_deployment",
      "provider": "azure.corp",
      "region": "swedencentral",
      "name": "a",
      "attributes": {"sku_capacity": 10},
      "tags": {"managed-by": "meridian"}
    },
    {
      "address": "router.chat.deployment.a",
      "type": "router_deployment",
      "provider": "router.chat",
      "name": "chat-a",
      "attributes": {},
      "tags": {}
    }
  ],
  "artifacts": {"generated/x.tf": {"sha256": "sha256:0000000000000000000000000000000000000000000000000000000000000000", "bytes": 3}},
  "checksum": ""
}"#;

/// [`FORMAT_1`] with its checksum as format 1 computed it (over the compact JSON with an
/// empty checksum field, which for such a file is what this build computes too).
fn format_1_file() -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_str(FORMAT_1).expect("json");
    let compact = serde_json::to_vec(&v).expect("json");
    // Key order of the struct, as format 1 serialised it.
    let state: State = serde_json::from_slice(&compact).expect("state");
    v["checksum"] = serde_json::Value::String(state.compute_checksum());
    serde_json::to_vec_pretty(&v).expect("json")
}

#[test]
fn a_format_1_state_is_migrated_on_load_and_written_as_format_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = state_path(dir.path());
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(&path, format_1_file()).expect("write");
    let mut s = load(&path).expect("a format 1 file loads").expect("some");
    assert_eq!(s.format_version, FORMAT_VERSION);
    assert_eq!(s.serial, 4);
    let deployment = s.resource("azure.corp.deployment.a").expect("deployment");
    assert_eq!(
        deployment.pending,
        Some(Pending {
            serial: 4,
            action: PendingAction::Create,
            before: BTreeMap::new()
        }),
        "format 1 did not know whether the cloud had it"
    );
    assert_eq!(deployment.status(), Status::PendingCreate);
    let router = s
        .resource("router.chat.deployment.a")
        .expect("router entry");
    assert_eq!(router.pending, None, "router entries are never read");
    assert_eq!(router.status(), Status::NotObservable);
    assert!(s.emits.is_empty());
    assert_eq!(s.artifacts["generated/x.tf"].emit, None);
    // The file itself is untouched until the next write, which writes format 2.
    assert!(fs::read_to_string(&path)
        .expect("read")
        .contains("\"format_version\": 1"));
    s.bump().expect("bump");
    save(&path, &mut s).expect("save");
    let text = fs::read_to_string(&path).expect("read");
    assert!(text.contains("\"format_version\": 2"), "{text}");
    let again = load(&path).expect("load").expect("some");
    assert_eq!(again.serial, 5);
    assert_eq!(
        again
            .resource("azure.corp.deployment.a")
            .expect("a")
            .pending,
        Some(deployment_pending(4))
    );
}

fn deployment_pending(serial: u64) -> Pending {
    Pending {
        serial,
        action: PendingAction::Create,
        before: BTreeMap::new(),
    }
}

#[test]
fn an_edited_format_1_state_fails_its_checksum() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = state_path(dir.path());
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let text = String::from_utf8(format_1_file()).expect("utf8");
    fs::write(
        &path,
        text.replace("\"sku_capacity\": 10", "\"sku_capacity\": 11"),
    )
    .expect("write");
    assert!(matches!(
        expect_err(&path),
        StateError::ChecksumMismatch { .. }
    ));
}

#[test]
fn status_follows_pending_and_observed() {
    let mut r = resource("azure.corp.deployment.a");
    r.kind = "azure_deployment".into();
    r.attributes
        .insert("sku_capacity".into(), serde_json::json!(20));
    assert_eq!(r.status(), Status::NotRead);
    r.pending = Some(deployment_pending(3));
    assert_eq!(r.status(), Status::PendingCreate);
    r.observed = Some(Observed {
        serial: 4,
        exists: false,
        differences: BTreeMap::new(),
    });
    assert_eq!(r.status(), Status::PendingCreate, "still not created");
    // An update waiting for the rollout: the cloud holds the old capacity.
    r.pending = Some(Pending {
        serial: 5,
        action: PendingAction::Update,
        before: BTreeMap::from([("sku_capacity".to_string(), serde_json::json!(10))]),
    });
    r.observed = Some(Observed {
        serial: 5,
        exists: true,
        differences: BTreeMap::from([("sku_capacity".to_string(), serde_json::json!(10))]),
    });
    assert_eq!(r.status(), Status::PendingUpdate);
    assert!(r.drifted_paths().is_empty());
    // The cloud holds neither value: changed outside Meridian.
    r.observed = Some(Observed {
        serial: 6,
        exists: true,
        differences: BTreeMap::from([("sku_capacity".to_string(), serde_json::json!(99))]),
    });
    assert_eq!(r.status(), Status::Drifted);
    assert_eq!(r.drifted_paths(), vec!["sku_capacity".to_string()]);
    r.pending = None;
    r.observed = Some(Observed {
        serial: 7,
        exists: true,
        differences: BTreeMap::new(),
    });
    assert_eq!(r.status(), Status::Live);
    r.observed = Some(Observed {
        serial: 8,
        exists: false,
        differences: BTreeMap::new(),
    });
    assert_eq!(r.status(), Status::Drifted, "deleted outside Meridian");
    assert_eq!(r.value_at("sku_capacity"), Some(serde_json::json!(20)));
    assert_eq!(
        r.value_at("tags.managed-by"),
        Some(serde_json::json!("meridian"))
    );
    assert_eq!(r.value_at("name"), Some(serde_json::json!(r.name)));
    assert_eq!(r.value_at("nope"), None);
}

#[test]
fn resource_finds_by_address() {
    let s = sample();
    for r in &s.resources {
        assert_eq!(s.resource(&r.address).map(|x| &x.address), Some(&r.address));
    }
    assert!(s.resource("azure.corp.deployment.nope").is_none());
}
