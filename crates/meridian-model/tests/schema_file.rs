//! `schema/spec.schema.json` is generated from the IR types; this test fails when the
//! committed file is stale. Regenerate with `MERIDIAN_BLESS=1 cargo test -p meridian-model --test schema_file`.

use std::path::Path;

#[test]
fn committed_spec_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/spec.schema.json");
    let generated = meridian_model::spec_schema_json();
    if std::env::var_os("MERIDIAN_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write schema");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schema/spec.schema.json is stale: regenerate it with `MERIDIAN_BLESS=1 cargo test -p meridian-model --test schema_file`"
    );
}

#[test]
fn schema_describes_the_model_tree() {
    let v: serde_json::Value =
        serde_json::from_str(&meridian_model::spec_schema_json()).expect("json");
    let text = v.to_string();
    for needle in [
        "\"models\"",
        "\"tiers\"",
        "\"footprint\"",
        "\"allowed_countries\"",
        "\"processing\"",
    ] {
        assert!(text.contains(needle), "schema lacks {needle}");
    }
}
