//! `schema/state.schema.json` is generated from the `State` type; this test fails when the
//! committed file is stale. Regenerate with `MERIDIAN_BLESS=1 cargo test -p meridian-state --test schema_file`.

use std::path::Path;

#[test]
fn committed_state_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/state.schema.json");
    let generated = meridian_state::state_schema_json();
    if std::env::var_os("MERIDIAN_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write schema");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schema/state.schema.json is stale: regenerate it with `MERIDIAN_BLESS=1 cargo test -p meridian-state --test schema_file`"
    );
}

#[test]
fn schema_describes_the_state_file() {
    let v: serde_json::Value =
        serde_json::from_str(&meridian_state::state_schema_json()).expect("json");
    let required: Vec<&str> = v["required"]
        .as_array()
        .expect("required")
        .iter()
        .filter_map(serde_json::Value::as_str)
        .collect();
    for field in [
        "format_version",
        "meridian_version",
        "lineage",
        "serial",
        "resources",
        "artifacts",
        "checksum",
    ] {
        assert!(required.contains(&field), "schema does not require {field}");
    }
    assert!(!required.contains(&"spec_hash"), "spec_hash is optional");
    assert_eq!(v["additionalProperties"], serde_json::Value::Bool(false));
    let text = v.to_string();
    for needle in [
        "\"StateResource\"",
        "\"ArtifactRecord\"",
        "\"type\"",
        "\"sha256\"",
    ] {
        assert!(text.contains(needle), "schema lacks {needle}");
    }
}

#[test]
fn a_saved_state_validates_against_the_shape_of_the_schema() {
    // Every top-level property of a saved state is declared in the schema.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(".meridian/state.json");
    let mut state = meridian_state::State::new("0.1.0");
    state.spec_hash = Some(meridian_state::sha256_hex(b"spec"));
    meridian_state::save(&path, &mut state).expect("save");
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    let schema: serde_json::Value =
        serde_json::from_str(&meridian_state::state_schema_json()).expect("json");
    for key in saved.as_object().expect("object").keys() {
        assert!(
            schema["properties"].get(key).is_some(),
            "{key} is not in the schema"
        );
    }
}
