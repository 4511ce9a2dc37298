//! Reports built from the bundled examples and the report fixture: the matrix, chains,
//! grants, sinks and costs they hold, and the shape of each format.

use meridian_catalog::Catalog;
use meridian_diag::{Diagnostics, FileId, SourceMap};
use meridian_model::{ir::Project, Date, Options};
use meridian_report::{build, file_uri, markdown, render, sarif, Format, Input, Report, Verdict};
use meridian_spec::Inputs;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

struct Checked {
    sources: SourceMap,
    project: Option<Project>,
    diagnostics: Diagnostics,
}

fn check_loaded(loaded: meridian_spec::Loaded) -> Checked {
    let mut diagnostics = loaded.diagnostics;
    let resolve = |p: &Path| Some(p.to_path_buf());
    let v = meridian_model::validate(
        &loaded.spec,
        &Options {
            catalog: Catalog::builtin(),
            today: Date::parse("2026-11-25").expect("date"),
            resolve_path: &resolve,
            own_files: &[],
        },
    );
    diagnostics.extend(v.diagnostics);
    diagnostics.sort();
    Checked {
        sources: loaded.sources,
        project: Some(v.project),
        diagnostics,
    }
}

fn check(path: &Path) -> Checked {
    check_loaded(meridian_spec::load(path, &Inputs::default()))
}

fn uris(sources: &SourceMap) -> BTreeMap<FileId, String> {
    let root = repo();
    sources
        .iter()
        .filter_map(|(id, f)| Some((id, file_uri(&f.path.canonicalize().ok()?, &root))))
        .collect()
}

fn report_of(c: &Checked, uris: &BTreeMap<FileId, String>) -> Report {
    build(&Input {
        project: c.project.as_ref(),
        catalog: Catalog::builtin(),
        diagnostics: &c.diagnostics,
        sources: &c.sources,
        file_uris: uris,
        spec_hash: "sha256:0000",
        tool_version: "0.1.0",
    })
}

fn report(path: &Path) -> Report {
    let c = check(path);
    report_of(&c, &uris(&c.sources))
}

fn fixture() -> PathBuf {
    repo().join("tests/fixtures/report/findings")
}

#[test]
fn eu_bank_matrix_chains_grants_sinks_and_cost() {
    let r = report(&repo().join("examples/eu-bank"));
    assert!(r.valid, "{:?}", r.findings);
    assert_eq!(r.project.as_deref(), Some("ebk-assistants"));
    assert_eq!(r.summary.targets, 9);
    assert_eq!(r.summary.compliant_targets, 9);
    assert_eq!(r.summary.outside_targets, 0);
    let frankfurt = r
        .matrix
        .iter()
        .find(|m| m.model == "assistant" && m.target == "bedrock-frankfurt")
        .expect("row");
    assert_eq!(frankfurt.tier, "secondary");
    assert_eq!(frankfurt.tier_position, 2);
    assert_eq!(frankfurt.processing.as_str(), "geography");
    assert!(frankfurt
        .via
        .as_deref()
        .is_some_and(|v| v.starts_with("eu.")));
    assert!(frankfurt.countries.contains(&"DE".to_string()));
    assert!(!frankfurt.countries.contains(&"GB".to_string()));
    assert_eq!(frankfurt.verdict, Verdict::Compliant);

    let triage = r
        .failover
        .iter()
        .find(|c| c.model == "triage")
        .expect("triage");
    assert_eq!(triage.tiers.len(), 2);
    assert_eq!(triage.tiers[0].targets.len(), 2);
    assert!((triage.tiers[0].targets[0].share - 0.5).abs() < 1e-9);
    assert_eq!(triage.tiers[0].on_demand_targets, 2);
    assert!(triage.single_points_of_failure.is_empty());
    let assistant = r
        .failover
        .iter()
        .find(|c| c.model == "assistant")
        .expect("assistant");
    assert_eq!(
        assistant.tiers[0].capacity,
        [meridian_report::CapacityTotal {
            amount: 250,
            unit: "K tokens/min"
        }]
    );

    let online = r
        .access
        .iter()
        .find(|a| a.name == "online-banking")
        .expect("access");
    assert_eq!(online.principals.len(), 3);
    let aws = online
        .grants
        .iter()
        .find(|g| g.kind == "aws_iam_policy")
        .expect("aws grant");
    assert!(aws.principal.ends_with("role/ebk-online-banking-assistant"));
    assert!(aws.permissions.contains(&"bedrock:InvokeModel".to_string()));
    assert!(aws
        .resources
        .iter()
        .any(|x| x.starts_with("arn:aws:bedrock:eu-central-1::foundation-model/")));
    assert!(aws.denies.iter().any(|d| d.contains("global.")), "{aws:?}");
    let azure = online
        .grants
        .iter()
        .find(|g| g.kind == "azurerm_role_assignment")
        .expect("azure grant");
    assert_eq!(azure.permissions, ["Cognitive Services OpenAI User"]);
    assert!(
        azure.resources[0].starts_with("id of azure.corp.account."),
        "{azure:?}"
    );
    assert!(r.grants_note.is_none());

    assert_eq!(r.logging.len(), 5);
    assert!(r.logging.iter().all(|l| l.verdict == Verdict::Compliant));
    let gcp = r
        .logging
        .iter()
        .find(|l| l.location == "EU")
        .expect("gcp sink");
    assert!(gcp.countries.contains(&"FR".to_string()));

    let cost = r.cost.as_ref().expect("cost");
    assert!(cost.normal.total_usd > 0.0);
    assert_eq!(r.summary.monthly_usd, Some(cost.normal.total_usd));
    assert_eq!(cost.normal.by_model.len(), 3);
    assert_eq!(r.providers.len(), 3);
    assert_eq!(r.providers[0].waivers.len(), 1);
    assert!(r
        .policy
        .iter()
        .any(|p| p.name == "survive_single_failure" && p.value == "true"));
}

#[test]
fn an_invalid_spec_still_reports_its_breaches() {
    let r = report(&fixture());
    assert!(!r.valid);
    let london: Vec<_> = r
        .matrix
        .iter()
        .filter(|m| m.target == "bedrock-london")
        .collect();
    assert_eq!(london.len(), 2);
    for row in london {
        assert_eq!(row.verdict, Verdict::Outside);
        assert_eq!(
            row.reasons,
            ["may process outside the allowed countries: eu-west-2 (GB)"]
        );
    }
    assert_eq!(r.summary.outside_targets, 2);
    assert!(r
        .grants_note
        .as_deref()
        .is_some_and(|n| n.contains("errors")));
    let sink = r
        .logging
        .iter()
        .find(|l| l.cloud == meridian_catalog::Cloud::Aws)
        .expect("aws sink");
    assert_eq!(sink.verdict, Verdict::Outside);
    assert_eq!(sink.reasons, ["stores data in GB outside residency \"eu\""]);
    assert_eq!(r.summary.log_sinks_outside, 1);
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code).collect();
    assert!(codes.contains(&"MRD-RES-001"), "{codes:?}");
    assert!(codes.contains(&"MRD-RES-004"), "{codes:?}");
    assert!(codes.contains(&"MRD-PRV-002"), "{codes:?}");
}

/// The 1-based line of the `n`th line of `file` containing `needle`.
fn line_of(file: &Path, needle: &str, n: usize) -> usize {
    let text = std::fs::read_to_string(file).expect("read");
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .nth(n)
        .map_or_else(
            || panic!("{needle} not in {}", file.display()),
            |(i, _)| i + 1,
        )
}

#[test]
fn sarif_results_point_at_their_lines() {
    let r = report(&fixture());
    let log: Value = serde_json::from_str(&sarif::render(&r)).expect("json");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), r.findings.len());
    let main = fixture().join("main.hcl");
    let models = fixture().join("models.hcl");
    let mut seen_london = 0;
    for res in results {
        let id = res["ruleId"].as_str().expect("ruleId");
        let loc = &res["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().expect("uri");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &loc["region"];
        let line = region["startLine"].as_u64().expect("line") as usize;
        let column = region["startColumn"].as_u64().expect("column") as usize;
        match id {
            "MRD-RES-001" => {
                assert_eq!(uri, "tests/fixtures/report/findings/models.hcl");
                assert_eq!(
                    line,
                    line_of(&models, "target \"bedrock-london\"", seen_london)
                );
                // The block header `target "bedrock-london"`: 23 code points from column 5.
                assert_eq!(column, 5);
                assert_eq!(region["endLine"].as_u64().map(|l| l as usize), Some(line));
                assert_eq!(region["endColumn"], 28);
                seen_london += 1;
            }
            "MRD-RES-004" => {
                assert_eq!(uri, "tests/fixtures/report/findings/main.hcl");
                assert_eq!(line, line_of(&main, "/* größe */ aws {", 0));
                // "  /* größe */ " is 14 code points (16 bytes): the block starts at column 15.
                assert_eq!(column, 15);
            }
            "MRD-PRV-002" => {
                assert_eq!(uri, "tests/fixtures/report/findings/main.hcl");
                assert_eq!(res["level"], "warning");
                assert_eq!(line, line_of(&main, "provider \"gcp\" \"unused\"", 0));
            }
            other => {
                // Any other finding still points into a fixture file, on a real line.
                let file = if uri.ends_with("models.hcl") {
                    &models
                } else {
                    &main
                };
                let lines = std::fs::read_to_string(file).expect("read").lines().count();
                assert!(line >= 1 && line <= lines, "{other} at {line}");
            }
        }
    }
    assert_eq!(seen_london, 2);
}

#[test]
fn sarif_has_every_rule_and_stable_distinct_fingerprints() {
    let dir = tempdir();
    for name in ["main.hcl", "models.hcl"] {
        std::fs::copy(fixture().join(name), dir.join(name)).expect("copy");
    }
    let r = report(&dir);
    let log = sarif::log(&r);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert_eq!(rules.len(), meridian_diag::codes::ALL.len());
    for (rule, code) in rules.iter().zip(meridian_diag::codes::ALL) {
        assert_eq!(rule["id"], code.id);
        assert_eq!(rule["fullDescription"]["text"], code.help);
        assert!(rule["help"]["text"]
            .as_str()
            .is_some_and(|t| t.contains(code.help)));
    }
    let results = log["runs"][0]["results"].as_array().expect("results");
    for res in results {
        let i = res["ruleIndex"].as_u64().expect("index") as usize;
        assert_eq!(rules[i]["id"], res["ruleId"]);
    }
    let prints = |log: &Value| -> Vec<String> {
        log["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                r["partialFingerprints"][sarif::FINGERPRINT_KEY]
                    .as_str()
                    .expect("fingerprint")
                    .to_string()
            })
            .collect()
    };
    let before = prints(&log);
    let unique: std::collections::BTreeSet<&String> = before.iter().collect();
    assert_eq!(
        unique.len(),
        before.len(),
        "identical findings share a fingerprint"
    );

    // The same spec with every finding moved down (lines added at the top, blocks
    // re-indented): the same fingerprints, in the same order.
    for name in ["main.hcl", "models.hcl"] {
        let text = std::fs::read_to_string(fixture().join(name)).expect("read");
        let moved = format!(
            "# moved\n\n\n{}",
            text.replace(
                "    target \"bedrock-london\" {",
                "      target \"bedrock-london\"   {"
            )
        );
        std::fs::write(dir.join(name), moved).expect("write");
    }
    let c = check(&dir);
    let moved = report_of(&c, &uris(&c.sources));
    let moved_log = sarif::log(&moved);
    let lines = |log: &Value| -> Vec<u64> {
        log["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap_or(0)
            })
            .collect()
    };
    assert_ne!(lines(&log), lines(&moved_log));
    assert_eq!(prints(&moved_log), before);
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "meridian-report-test-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&dir).expect("tempdir");
    dir
}

#[test]
fn findings_outside_files_are_attached_to_the_first_spec_file() {
    let text = "meridian {\n  name = \"x\"\n}\n";
    let loaded = meridian_spec::load_text(
        "main.hcl",
        text,
        &Inputs {
            vars: vec!["nope=1".into()],
            ..Inputs::default()
        },
    );
    let c = check_loaded(loaded);
    let mut uris = BTreeMap::new();
    uris.insert(FileId(0), "specs/main.hcl".to_string());
    let r = report_of(&c, &uris);
    // The -var value is located on the command line, which is not a file.
    let var = r
        .findings
        .iter()
        .position(|f| f.code == "MRD-VAR-003")
        .expect("undeclared variable");
    assert_eq!(
        r.findings[var]
            .location
            .as_ref()
            .and_then(|l| l.uri.as_ref()),
        None
    );
    let log = sarif::log(&r);
    let results = log["runs"][0]["results"].as_array().expect("results");
    let loc = &results[var]["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "specs/main.hcl");
    assert!(loc.get("region").is_none(), "{loc}");
    for res in results {
        let loc = &res["locations"][0]["physicalLocation"];
        assert!(loc["artifactLocation"]["uri"].is_string(), "{res}");
    }
}

#[test]
fn markdown_fits_a_comment_and_says_what_it_left_out() {
    let r = report(&fixture());
    let md = markdown::render(&r);
    assert!(
        md.starts_with("### Meridian compliance report: `report-fixture`"),
        "{md}"
    );
    assert!(
        md.contains("❌ **2 of 4 targets may process prompts outside residency**"),
        "{md}"
    );
    assert!(md.contains("`MRD-RES-001`"));
    assert!(
        md.contains("`models.hcl") || md.contains("models.hcl:"),
        "{md}"
    );
    // Spec text is escaped: no raw HTML or table-breaking pipes from the description.
    assert!(!md.contains("<script>"));
    let small = markdown::render_limited(&r, 3_000);
    assert!(small.chars().count() <= 3_000, "{}", small.chars().count());
    assert!(small.contains("not shown"), "{small}");
    // Urgent rows survive the cut: the breaches.
    assert!(small.contains("outside residency**"), "{small}");
}

#[test]
fn html_is_self_contained_and_escapes_spec_strings() {
    let r = report(&fixture());
    let html = render(&r, Format::Html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg"), "cost chart");
    assert!(html.contains("<table class=\"matrix\">"));
    assert!(!html.contains("<script"));
    assert!(!html.contains("<link"));
    assert!(
        html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") || !html.contains("alert")
    );
    assert!(
        html.contains("&lt;fw-01&gt; &amp; reviewed"),
        "waiver reason escaped"
    );
    let json: Value = serde_json::from_str(&render(&r, Format::Json)).expect("json");
    assert_eq!(json["format_version"], "1");
    assert_eq!(json["summary"]["outside_targets"], 2);
}
