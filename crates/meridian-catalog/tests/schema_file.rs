//! The committed JSON Schemas must match the ones generated from the types: the catalog
//! format and the shape of `meridian catalog show --json`.
//!
//! Regenerate them with: `MERIDIAN_BLESS=1 cargo test -p meridian-catalog --test schema_file`

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

fn committed_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../schema")
        .join(name)
}

#[test]
fn committed_schema_is_current() {
    check_current("catalog.schema.json", &meridian_catalog::schema_json());
}

#[test]
fn committed_show_schema_is_current() {
    check_current(
        "catalog-show.schema.json",
        &meridian_catalog::sheet_schema_json(),
    );
}

fn check_current(name: &str, generated: &str) {
    let path = committed_path(name);
    if std::env::var_os("MERIDIAN_BLESS").is_some() {
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale or missing. Regenerate it with:\n    MERIDIAN_BLESS=1 cargo test -p meridian-catalog --test schema_file",
        path.display()
    );
}

#[test]
fn builtin_files_validate_against_the_schema_shape() {
    // Every built-in file round-trips through the format types without losing fields.
    for (name, text) in meridian_catalog::builtin_files() {
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        let file: meridian_catalog::CatalogFile = serde_json::from_value(value.clone()).unwrap();
        let back = serde_json::to_value(&file).unwrap();
        assert!(back == value, "{name} does not round-trip");
    }
}
