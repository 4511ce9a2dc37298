//! Data-driven rule tests. Every `tests/fixtures/invalid/*.hcl` declares the findings it must
//! produce in header comments:
//!
//! ```text
//! # expect: MRD-RES-001 @ target "bedrock-london"
//! # expect: MRD-POL-008
//! ```
//!
//! The set of codes produced must equal the set expected (codes in `# allow: CODE` lines may
//! also appear), and where `@ TEXT` is given, a finding with that code must have its primary
//! range start with TEXT (so it points at the attribute or block that causes it). Every
//! `tests/fixtures/valid/*.hcl` is a near-miss: it must produce no finding at all, except codes
//! listed in `# allow: CODE` lines, and names the rules it is a near-miss for in
//! `# near-miss: CODE` lines: every rule has one. Every finding of every fixture must carry a
//! source range. A fixture is validated as of `# today: YYYY-MM-DD` when it gives one, else as
//! of [`fixture_day`].
//!
//! `# allow: MRD-CAT-011` marks fixtures whose targets rest on catalog facts the built-in data
//! may mark unverified: whether that warning appears follows the data, not the rule tested.

#[path = "support/common.rs"]
mod common;

use common::{fixture_day, hcl_files, repo};
use meridian::driver::{check, Checked};
use meridian_model::Date;
use meridian_spec::Inputs;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn fixtures(kind: &str) -> Vec<PathBuf> {
    hcl_files(&repo().join("tests/fixtures").join(kind))
}

struct Expect {
    code: String,
    at: Option<String>,
}

fn header(text: &str, key: &str) -> Vec<Expect> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix('#').map(str::trim))
        .filter_map(|l| l.strip_prefix(key).map(str::trim))
        .map(|rest| match rest.split_once(" @ ") {
            Some((code, at)) => Expect {
                code: code.trim().to_string(),
                at: Some(at.trim().to_string()),
            },
            None => Expect {
                code: rest.to_string(),
                at: None,
            },
        })
        .collect()
}

/// The day a fixture is validated on: its `# today:` line, else [`fixture_day`].
fn day_of(text: &str) -> Date {
    match header(text, "today:").first() {
        Some(e) => Date::parse(&e.code).expect("`# today:` is YYYY-MM-DD"),
        None => fixture_day(),
    }
}

fn render(c: &Checked) -> String {
    meridian_diag::render_human(
        &c.diagnostics,
        &c.sources,
        meridian_diag::RenderOptions { color: false },
    )
}

fn primary_text(c: &Checked, d: &meridian_diag::Diagnostic) -> String {
    let span = d.primary.expect("range");
    let file = c.sources.get(span.file).expect("file");
    file.text[span.start..span.end.min(file.text.len())].to_string()
}

#[test]
fn invalid_fixtures_produce_exactly_their_findings() {
    let files = fixtures("invalid");
    assert!(
        files.len() >= 40,
        "expected a fixture per rule, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read");
        let expects = header(&text, "expect:");
        assert!(
            !expects.is_empty(),
            "{}: no `# expect:` line",
            file.display()
        );
        let allowed: BTreeSet<String> = header(&text, "allow:")
            .into_iter()
            .map(|e| e.code)
            .collect();
        let c = check(file, &Inputs::default(), day_of(&text));
        let want: BTreeSet<&str> = expects.iter().map(|e| e.code.as_str()).collect();
        let got: BTreeSet<&str> = c
            .diagnostics
            .iter()
            .map(|d| d.code.id)
            .filter(|code| want.contains(code) || !allowed.contains(*code))
            .collect();
        if got != want {
            failures.push(format!(
                "{}: expected {want:?}, got {got:?}\n{}",
                file.display(),
                render(&c)
            ));
            continue;
        }
        for d in &c.diagnostics {
            if d.primary.is_none() {
                failures.push(format!("{}: {} has no range", file.display(), d.code.id));
            }
        }
        for e in expects.iter().filter(|e| e.at.is_some()) {
            let at = e.at.as_deref().unwrap_or_default();
            let ok = c
                .diagnostics
                .iter()
                .filter(|d| d.code.id == e.code && d.primary.is_some())
                .any(|d| primary_text(&c, d).starts_with(at));
            if !ok {
                let got: Vec<String> = c
                    .diagnostics
                    .iter()
                    .filter(|d| d.code.id == e.code && d.primary.is_some())
                    .map(|d| primary_text(&c, d))
                    .collect();
                failures.push(format!(
                    "{}: {} should point at `{at}`, points at {got:?}",
                    file.display(),
                    e.code
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture failures:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn valid_fixtures_are_clean() {
    let files = fixtures("valid");
    assert!(
        files.len() >= 20,
        "expected near-miss fixtures, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read");
        let allowed: BTreeSet<String> = header(&text, "allow:")
            .into_iter()
            .map(|e| e.code)
            .collect();
        let c = check(file, &Inputs::default(), day_of(&text));
        let unexpected: Vec<&str> = c
            .diagnostics
            .iter()
            .map(|d| d.code.id)
            .filter(|code| !allowed.contains(*code))
            .collect();
        if !unexpected.is_empty() || c.project.is_none() {
            failures.push(format!(
                "{}: unexpected {unexpected:?}\n{}",
                file.display(),
                render(&c)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture failures:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_rule_code_has_a_fixture() {
    let mut covered = BTreeSet::new();
    for file in fixtures("invalid") {
        let text = std::fs::read_to_string(&file).expect("read");
        covered.extend(header(&text, "expect:").into_iter().map(|e| e.code));
    }
    let missing: Vec<&str> = meridian_diag::codes::ALL
        .iter()
        .map(|c| c.id)
        .filter(|id| !covered.contains(*id))
        // Reading failures need a file-system state and variable-input problems need command-line
        // input, not a spec: both are covered by the CLI tests (tests/cli.rs).
        .filter(|id| !["MRD-IO-001", "MRD-IO-002", "MRD-VAR-003", "MRD-VAR-004"].contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without an invalid fixture: {missing:?}"
    );
}

#[test]
fn every_rule_code_has_a_near_miss() {
    let mut covered = BTreeSet::new();
    for file in fixtures("valid") {
        let text = std::fs::read_to_string(&file).expect("read");
        covered.extend(header(&text, "near-miss:").into_iter().map(|e| e.code));
    }
    let unknown: Vec<&String> = covered
        .iter()
        .filter(|c| meridian_diag::codes::by_id(c).is_none())
        .collect();
    assert!(
        unknown.is_empty(),
        "near-miss lines name unknown codes: {unknown:?}"
    );
    let missing: Vec<&str> = meridian_diag::codes::ALL
        .iter()
        .map(|c| c.id)
        .filter(|id| !covered.contains(*id))
        // Reading failures and command-line input problems are not spec contents.
        .filter(|id| !["MRD-IO-001", "MRD-IO-002", "MRD-VAR-003", "MRD-VAR-004"].contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a near-miss fixture: {missing:?}"
    );
}
