//! `schema/plan.schema.json` and `schema/output.schema.json` are generated from the `PlanFile`
//! and `Outputs` types; these tests fail when a committed file is stale.
//! Regenerate with `MERIDIAN_BLESS=1 cargo test -p meridian-plan --test schema_file`.

use std::path::Path;

fn generated() -> String {
    let schema = schemars::schema_for!(meridian_plan::file::PlanFile);
    let mut text = serde_json::to_string_pretty(&schema).expect("schema json");
    text.push('\n');
    text
}

/// Fails when `schema/NAME` is not `generated`; with `MERIDIAN_BLESS` set, writes it.
fn check_committed(name: &str, generated: &str) {
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
        "schema/{name} is stale: regenerate it with `MERIDIAN_BLESS=1 cargo test -p meridian-plan --test schema_file`"
    );
}

#[test]
fn committed_plan_schema_is_current() {
    check_committed("plan.schema.json", &generated());
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

#[test]
fn committed_output_schema_is_current() {
    check_committed(
        "output.schema.json",
        &meridian_plan::outputs::output_schema_json(),
    );
}

#[test]
fn the_output_schema_describes_every_output() {
    let v: serde_json::Value =
        serde_json::from_str(&meridian_plan::outputs::output_schema_json()).expect("json");
    for name in meridian_plan::outputs::OUTPUT_NAMES {
        assert!(
            v["properties"].get(name).is_some(),
            "the schema lacks the output {name}"
        );
    }
    let target = v["$defs"]["TargetOutput"]["required"].to_string();
    for field in [
        "target",
        "cloud",
        "region",
        "model",
        "resource",
        "deployment",
        "status",
    ] {
        assert!(target.contains(field), "TargetOutput.{field}: {target}");
    }
}
