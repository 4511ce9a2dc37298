//! `schema/spec.schema.json` is generated from the IR types and
//! `schema/catalog-where.schema.json` from the shape of `meridian catalog where --json`; these
//! tests fail when a committed file is stale. Regenerate with `MERIDIAN_BLESS=1 cargo test -p meridian-model --test schema_file`.

use std::path::Path;

/// Compares `schema/NAME` with `generated`, or writes it with `MERIDIAN_BLESS` set.
fn check_current(name: &str, generated: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../schema")
        .join(name);
    if std::env::var_os("MERIDIAN_BLESS").is_some() {
        std::fs::write(&path, generated).expect("write schema");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schema/{name} is stale: regenerate it with `MERIDIAN_BLESS=1 cargo test -p meridian-model --test schema_file`"
    );
}

#[test]
fn committed_spec_schema_is_current() {
    check_current("spec.schema.json", &meridian_model::spec_schema_json());
}

#[test]
fn committed_where_schema_is_current() {
    check_current(
        "catalog-where.schema.json",
        &meridian_model::choices::choices_schema_json(),
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
