//! The findings as SARIF 2.1.0 for code scanning (GitHub, GitLab and other SARIF viewers).
//!
//! - `tool.driver.rules` lists every code of the registry (`meridian_diag::codes::ALL`) with
//!   its title and help text, so a viewer can explain any result.
//! - Each result has its `ruleId` and `ruleIndex`, a `level` (`error` or `warning`), the
//!   finding's summary and detail as the message, the spec range as a physical location
//!   (`artifactLocation.uri` relative to the repository root with `uriBaseId` `%SRCROOT%`,
//!   1-based lines and columns, `columnKind` `unicodeCodePoints`, the end column exclusive),
//!   the secondary labels as related locations, and a `partialFingerprints` entry that stays
//!   the same when the finding moves to another line.
//! - A finding without a source range is attached to the first spec file (no region), since
//!   code-scanning services require a location.

use crate::{Finding, Location, Report};
use meridian_diag::{codes, Severity};
use serde_json::{json, Map, Value};

/// The `$schema` of the log: the OASIS schema, as vendored in `schema/sarif-schema-2.1.0.json`.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The `partialFingerprints` key of Meridian's fingerprint.
pub const FINGERPRINT_KEY: &str = "meridianFinding/v1";

/// The report's findings as a SARIF 2.1.0 log (pretty-printed JSON).
pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(&log(report)).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

/// The SARIF log as a JSON value.
pub fn log(report: &Report) -> Value {
    let rules: Vec<Value> = codes::ALL.iter().map(rule).collect();
    let fallback = report.files.iter().find_map(|f| f.uri.clone());
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| result(f, fallback.as_deref()))
        .collect();
    let mut properties = Map::new();
    properties.insert("specHash".into(), json!(report.spec_hash));
    properties.insert("catalogAsOf".into(), json!(report.catalog_as_of));
    if let Some(p) = &report.project {
        properties.insert("project".into(), json!(p));
    }
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "meridian",
                    "version": report.tool_version,
                    "semanticVersion": report.tool_version,
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": properties,
        }]
    })
}

/// The area of a code (`RES` of `MRD-RES-001`) as a tag.
fn area_tag(id: &str) -> &'static str {
    match id.split('-').nth(1).unwrap_or("") {
        "IO" => "input",
        "SYN" => "syntax",
        "SPEC" => "structure",
        "EXPR" => "expressions",
        "VAR" => "variables",
        "CAT" => "catalog",
        "RES" => "residency",
        "MOD" => "models",
        "ACC" => "access",
        "PRV" => "providers",
        "NET" => "network",
        "SEC" => "secrets",
        "LOG" => "logging",
        "POL" => "policy",
        "EMIT" => "emit",
        _ => "other",
    }
}

/// `Processing outside allowed countries` as `ProcessingOutsideAllowedCountries`.
fn rule_name(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

fn rule(code: &codes::Code) -> Value {
    json!({
        "id": code.id,
        "name": rule_name(code.title),
        "shortDescription": { "text": code.title },
        "fullDescription": { "text": code.help },
        "help": {
            "text": format!("{}: {}", code.title, code.help),
            "markdown": format!("**{}** (`{}`)\n\n{}", code.title, code.id, code.help),
        },
        "properties": { "tags": ["meridian", area_tag(code.id)] },
    })
}

fn physical(loc: &Location) -> Option<Value> {
    let uri = loc.uri.as_ref()?;
    let mut artifact = Map::new();
    artifact.insert("uri".into(), json!(uri));
    if !uri.starts_with("file:") {
        artifact.insert("uriBaseId".into(), json!("%SRCROOT%"));
    }
    Some(json!({
        "artifactLocation": artifact,
        "region": {
            "startLine": loc.start_line,
            "startColumn": loc.start_column,
            "endLine": loc.end_line,
            "endColumn": loc.end_column,
        }
    }))
}

fn fallback_location(uri: &str) -> Value {
    let mut artifact = Map::new();
    artifact.insert("uri".into(), json!(uri));
    if !uri.starts_with("file:") {
        artifact.insert("uriBaseId".into(), json!("%SRCROOT%"));
    }
    json!({ "physicalLocation": { "artifactLocation": artifact } })
}

fn result(f: &Finding, fallback_uri: Option<&str>) -> Value {
    let rule_index = codes::ALL.iter().position(|c| c.id == f.code);
    let mut text = f.summary.clone();
    if !f.detail.is_empty() {
        text.push_str("\n\n");
        text.push_str(&f.detail);
    }
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(f.code));
    if let Some(i) = rule_index {
        r.insert("ruleIndex".into(), json!(i));
    }
    r.insert(
        "level".into(),
        json!(match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }),
    );
    r.insert("message".into(), json!({ "text": text }));
    let primary = f
        .location
        .as_ref()
        .and_then(physical)
        .map(|p| json!({ "physicalLocation": p }))
        .or_else(|| fallback_uri.map(fallback_location));
    if let Some(p) = primary {
        r.insert("locations".into(), json!([p]));
    }
    let related: Vec<Value> = f
        .related
        .iter()
        .filter_map(|rel| Some((rel, physical(&rel.location)?)))
        .enumerate()
        .map(|(i, (rel, p))| {
            json!({
                "id": i + 1,
                "physicalLocation": p,
                "message": { "text": rel.message },
            })
        })
        .collect();
    if !related.is_empty() {
        r.insert("relatedLocations".into(), json!(related));
    }
    let mut fingerprints = Map::new();
    fingerprints.insert(FINGERPRINT_KEY.into(), json!(f.fingerprint));
    r.insert("partialFingerprints".into(), Value::Object(fingerprints));
    Value::Object(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_identifiers() {
        assert_eq!(
            rule_name("Processing outside allowed countries"),
            "ProcessingOutsideAllowedCountries"
        );
        assert_eq!(rule_name("HCL syntax error"), "HCLSyntaxError");
        for code in codes::ALL {
            let name = rule_name(code.title);
            assert!(
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()),
                "{}",
                code.id
            );
            assert_ne!(area_tag(code.id), "other", "{}", code.id);
        }
    }
}
