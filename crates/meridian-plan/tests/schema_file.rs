//! `schema/plan.schema.json` is generated from the `PlanFile` type; this test fails when the
//! committed file is stale. Regenerate with `MERIDIAN_BLESS=1 cargo test -p meridian-plan --test schema_file`.

use std::path::Path;

fn generated() -> String {
    let schema = schemars::schema_for!(meridian_plan::file::PlanFile);
    let mut text = serde_json::to_string_pretty(&schema).expect("schema json");
    text.push('\n');
    text
}

#[test]
fn committed_plan_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/plan.schema.json");
    let generated = generated();
    if std::env::var_os("MERIDIAN_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write schema");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schema/plan.schema.json is stale: regenerate it with `MERIDIAN_BLESS=1 cargo test -p meridian-plan --test schema_file`"
    );
}

#[test]
fn the_schema_requires_what_stale_plan_detection_needs() {
    let v: serde_json::Value = serde_json::from_str(&generated()).expect("json");
    let required = |node: &serde_json::Value| -> Vec<String> {
        node["required"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    for field in ["kind", "format_version", "plan", "checksum", "spec_path"] {
        assert!(required(&v).contains(&field.to_string()), "{field}");
    }
    let plan = &v["$defs"]["Plan"];
    for field in [
        "spec_hash",
        "catalog_hash",
        "resource_changes",
        "artifact_changes",
    ] {
        assert!(required(plan).contains(&field.to_string()), "Plan.{field}");
    }
}
