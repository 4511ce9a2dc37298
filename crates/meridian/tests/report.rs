//! `meridian report` as users run it: every format, files and exit codes, invalid specs,
//! SARIF locations relative to the repository, and HTML without external references.

#[path = "support/common.rs"]
mod common;

use common::{canonical_repo as repo, meridian, run};
use serde_json::Value;
use std::path::PathBuf;

fn fixture() -> PathBuf {
    repo().join("tests/fixtures/report/findings")
}

#[test]
fn help_has_examples_and_every_format() {
    let (code, out, _) = run(meridian().args(["report", "--help"]));
    assert_eq!(code, 0);
    assert!(out.contains("Examples:"), "{out}");
    for f in ["markdown", "html", "json", "sarif"] {
        assert!(out.contains(f), "{f} missing from:\n{out}");
    }
    let (code, _, err) = run(meridian().args(["report", "--format", "pdf", "."]));
    assert_eq!(code, 1, "a usage error");
    assert!(err.contains("invalid value 'pdf'"), "{err}");
}

#[test]
fn valid_example_reports_in_every_format_and_exits_0() {
    let eu = repo().join("examples/eu-bank");
    let (code, md, err) = run(meridian().arg("report").arg(&eu));
    assert_eq!(code, 0, "{err}");
    assert!(
        md.starts_with("### Meridian compliance report: `ebk-assistants`"),
        "{md}"
    );
    assert!(md.contains("✅ **9 of 9 targets comply"), "{md}");
    assert!(md.chars().count() <= 60_000);

    let (code, json, err) = run(meridian().args(["report", "--format", "json"]).arg(&eu));
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["valid"], true);
    assert_eq!(v["matrix"].as_array().map(Vec::len), Some(9));
    assert!(v["cost"]["normal"]["total_usd"]
        .as_f64()
        .is_some_and(|t| t > 0.0));
    assert!(v["access"][0]["grants"]
        .as_array()
        .is_some_and(|g| !g.is_empty()));

    let (code, sarif, err) = run(meridian().args(["report", "--format", "sarif"]).arg(&eu));
    assert_eq!(code, 0, "{err}");
    let log: Value = serde_json::from_str(&sarif).expect("sarif");
    assert_eq!(log["version"], "2.1.0");
    // The example's only findings are warnings: catalog facts the built-in data marks
    // unverified (whether there are any follows the data), and the deprecated gpt-5.1 version
    // that Azure's in-region offer in Sweden is limited to.
    for r in log["runs"][0]["results"].as_array().expect("results") {
        assert!(
            ["MRD-CAT-011", "MRD-CAT-013"].contains(&r["ruleId"].as_str().unwrap_or_default()),
            "{r}"
        );
        assert_eq!(r["level"], "warning", "{r}");
    }
}

#[test]
fn invalid_spec_still_gets_its_sarif_then_exit_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("meridian.sarif");
    let (code, stdout, err) = run(meridian()
        .current_dir(repo())
        .args(["report", "--format", "sarif", "-out"])
        .arg(&out)
        .arg("tests/fixtures/report/findings"));
    assert_eq!(code, 1, "{stdout}{err}");
    assert!(stdout.contains("Wrote the SARIF report to"), "{stdout}");
    assert!(
        err.contains("The spec is invalid: 3 errors, 1 warning"),
        "{err}"
    );
    let log: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("json");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 4);
    let models = std::fs::read_to_string(fixture().join("models.hcl")).expect("read");
    let london_lines: Vec<usize> = models
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("target \"bedrock-london\""))
        .map(|(i, _)| i + 1)
        .collect();
    let mut got = Vec::new();
    for r in results {
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let uri = loc["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(uri.starts_with("tests/fixtures/report/findings/"), "{uri}");
        if r["ruleId"] == "MRD-RES-001" {
            assert_eq!(uri, "tests/fixtures/report/findings/models.hcl");
            assert_eq!(r["level"], "error");
            got.push(loc["region"]["startLine"].as_u64().expect("line") as usize);
        }
    }
    assert_eq!(got, london_lines);
}

#[test]
fn uris_are_relative_to_the_git_work_tree_of_the_current_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let work = dir.path().join("repo");
    std::fs::create_dir_all(work.join(".git")).expect("git dir");
    std::fs::create_dir_all(work.join("infra/ai")).expect("spec dir");
    for name in ["main.hcl", "models.hcl"] {
        std::fs::copy(fixture().join(name), work.join("infra/ai").join(name)).expect("copy");
    }
    // Run from a subdirectory: the root is still the work tree.
    let (code, out, err) = run(meridian()
        .current_dir(work.join("infra"))
        .args(["report", "--format", "sarif", "ai"]));
    assert_eq!(code, 1, "{err}");
    let log: Value = serde_json::from_str(&out).expect("sarif");
    let uris: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(!uris.is_empty());
    assert!(
        uris.iter()
            .all(|u| *u == "infra/ai/main.hcl" || *u == "infra/ai/models.hcl"),
        "{uris:?}"
    );
}

#[test]
fn syntax_errors_are_reported_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.hcl"), "model \"a\" {\n  tier = \n").expect("write");
    let (code, out, err) = run(meridian()
        .current_dir(dir.path())
        .args(["report", "--format", "sarif", "."]));
    assert_eq!(code, 1, "{err}");
    let log: Value = serde_json::from_str(&out).expect("sarif");
    let r = &log["runs"][0]["results"][0];
    assert_eq!(r["ruleId"], "MRD-SYN-001");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "main.hcl"
    );
    let (code, md, _) = run(meridian().current_dir(dir.path()).args(["report", "."]));
    assert_eq!(code, 1);
    assert!(md.contains("**The spec is invalid**"), "{md}");
    assert!(md.contains("`MRD-SYN-001`"), "{md}");
}

#[test]
fn unwritable_output_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, out, err) = run(meridian()
        .args(["report", "--format", "html", "--out"])
        .arg(dir.path().join("missing/dir/report.html"))
        .arg(repo().join("examples/eu-bank")));
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("error: cannot write"), "{err}");
}

/// Every place an HTML document can make the browser fetch something: attribute values that
/// hold URLs, and CSS `url(...)`/`@import`. Text content (where escaped spec strings live) is
/// not a reference.
fn external_references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = html.to_ascii_lowercase();
    for needle in ["url(", "@import"] {
        if lower.contains(needle) {
            found.push(needle.to_string());
        }
    }
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let tag_end = rest[start..].find('>').map_or(rest.len(), |e| start + e);
        let tag = &rest[start..tag_end];
        for attr in [
            "href=",
            "src=",
            "srcset=",
            "action=",
            "data=",
            "poster=",
            "xlink:href=",
            "xmlns=",
            "content=",
        ] {
            let mut t = tag;
            while let Some(i) = t.find(attr) {
                let value = t[i + attr.len()..].trim_start_matches(['"', '\'']);
                let value = value.split(['"', '\'', ' ']).next().unwrap_or("");
                if attr == "content=" {
                    if value.contains("//") {
                        found.push(value.to_string());
                    }
                } else if !value.starts_with('#') {
                    found.push(format!("{attr}{value}"));
                }
                t = &t[i + attr.len()..];
            }
        }
        rest = &rest[tag_end..];
    }
    found
}

#[test]
fn html_has_no_external_references_even_with_hostile_spec_strings() {
    let (code, html, err) = run(meridian()
        .args(["report", "--format", "html"])
        .arg(fixture()));
    assert_eq!(code, 1, "{err}");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(external_references(&html), Vec::<String>::new());
    // The fixture's description holds a script tag and URLs: they appear only as escaped
    // text, never as markup.
    assert!(!html.to_ascii_lowercase().contains("<script"));
    assert!(
        html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; see https://evil.example/x and //cdn.example/y.js"),
        "the description is shown escaped"
    );
    // Outside that escaped text there is no URL at all.
    let without = html.replace(
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; see https://evil.example/x and //cdn.example/y.js | **bold**",
        "",
    );
    assert!(
        !without.contains("http://") && !without.contains("https://"),
        "a URL outside spec text"
    );
    assert!(!without.contains("//cdn."));

    let eu = repo().join("examples/eu-bank");
    let (code, html, err) = run(meridian().args(["report", "--format", "html"]).arg(&eu));
    assert_eq!(code, 0, "{err}");
    assert_eq!(external_references(&html), Vec::<String>::new());
    assert!(!html.contains("http://"));
    // URLs appear only as the text of findings citing the catalog's sources.
    let catalog: String = meridian_catalog::builtin_files()
        .iter()
        .map(|(_, text)| *text)
        .collect();
    for (at, _) in html.match_indices("https://") {
        let url: String = html[at..]
            .chars()
            .take_while(|c| !c.is_whitespace() && !";)<&\"'".contains(*c))
            .collect();
        assert!(catalog.contains(&url), "{url} is not a catalog source");
    }
    assert!(html.contains("<svg") && html.contains("<table class=\"matrix\">"));
    assert!(html.contains("@media print"));
}

#[test]
fn the_reference_finder_catches_external_references() {
    assert_eq!(
        external_references("<img src=\"https://x.example/a.png\"><a href=\"#top\">"),
        ["src=https://x.example/a.png"]
    );
    assert_eq!(
        external_references("<script src=//cdn.example/x.js></script>"),
        ["src=//cdn.example/x.js"]
    );
    assert_eq!(
        external_references("<style>body{background:url(x.png)}</style>"),
        ["url("]
    );
    assert_eq!(
        external_references("<p>https://example.com in text</p>"),
        Vec::<String>::new()
    );
}
