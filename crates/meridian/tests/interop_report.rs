//! `meridian report` checked by independent tools: the SARIF output validates against the
//! OASIS SARIF 2.1.0 JSON Schema (Python `jsonschema`, draft-04, with the schema vendored in
//! `schema/`), and the HTML report renders in headless Chromium (Debian `chromium`) with the
//! cost chart and the residency matrix on the first screen. The screenshot is kept as
//! `target/report-screenshot.png`.
//!
//! Part of the interop suite: `cargo test -p meridian --features interop`. The tools are
//! installed by `bash tests/interop/setup.sh`; without them these tests fail rather than
//! skip, since a skipped check would hide problems.
#![cfg(feature = "interop")]

#[path = "support/common.rs"]
mod common;

use common::{canonical_repo as repo, meridian, MISSING};
use serde_json::Value;
use std::path::{Path, PathBuf};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Python with `jsonschema` (checkov's venv).
fn python() -> PathBuf {
    let py = repo().join("tests/interop/.venv-checkov/bin/python");
    assert!(py.is_file(), "{MISSING} (not found: {})", py.display());
    py
}

const VALIDATE: &str = r#"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
out = {}
for path in sys.argv[2:]:
    log = json.load(open(path))
    out[path] = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]
print(json.dumps(out))
"#;

/// Schema errors of each SARIF file, by path.
fn schema_errors(files: &[PathBuf]) -> Value {
    let out = std::process::Command::new(python())
        .arg("-c")
        .arg(VALIDATE)
        .arg(repo().join("schema/sarif-schema-2.1.0.json"))
        .args(files)
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn sarif_of(spec: &Path, dir: &Path, name: &str) -> (PathBuf, Value) {
    let path = dir.join(name);
    let o = meridian()
        .current_dir(repo())
        .args(["report", "--format", "sarif", "--out"])
        .arg(&path)
        .arg(spec)
        .output()
        .expect("run");
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = serde_json::from_str(&std::fs::read_to_string(&path).expect("sarif")).expect("json");
    (path, v)
}

#[test]
fn sarif_validates_against_the_oasis_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = dir.path().join("broken");
    std::fs::create_dir_all(&broken).expect("dir");
    std::fs::write(broken.join("main.hcl"), "model \"a\" {\n  tier = \n").expect("write");
    let mut files = Vec::new();
    for (i, spec) in [
        repo().join("tests/fixtures/report/findings"),
        repo().join("examples/eu-bank"),
        repo().join("examples/global-product"),
        broken,
    ]
    .iter()
    .enumerate()
    {
        let (path, log) = sarif_of(spec, dir.path(), &format!("{i}.sarif"));
        assert_eq!(log["version"], "2.1.0");
        files.push(path);
    }
    let errors = schema_errors(&files);
    for f in &files {
        let list = &errors[f.to_string_lossy().as_ref()];
        assert_eq!(
            list.as_array().map(Vec::len),
            Some(0),
            "{} does not validate: {list}",
            f.display()
        );
    }
    // The validator does reject a log that breaks the schema.
    let bad = dir.path().join("bad.sarif");
    let mut log: Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).expect("read")).expect("json");
    log["runs"][0]["results"][0]["level"] = Value::from("fatal");
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    std::fs::write(&bad, log.to_string()).expect("write");
    let errors = schema_errors(std::slice::from_ref(&bad));
    assert_eq!(
        errors[bad.to_string_lossy().as_ref()]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{errors}"
    );
}

fn chromium(args: &[&str], page: &Path, profile: &Path) -> std::process::Output {
    assert!(
        Path::new(CHROMIUM).is_file(),
        "{MISSING} (not found: {CHROMIUM})"
    );
    std::process::Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1400,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium")
}

#[test]
fn html_report_renders_in_headless_chromium_with_chart_and_matrix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("report.html");
    let o = meridian()
        .args(["report", "--format", "html", "--out"])
        .arg(&page)
        .arg(repo().join("examples/eu-bank"))
        .output()
        .expect("run");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let png = dir.path().join("report.png");
    let shot = format!("--screenshot={}", png.display());
    let o = chromium(&[&shot], &page, &dir.path().join("profile"));
    assert!(
        o.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let data = std::fs::read(&png).expect("screenshot written");
    assert_eq!(&data[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let width = u32::from_be_bytes([data[16], data[17], data[18], data[19]]);
    let height = u32::from_be_bytes([data[20], data[21], data[22], data[23]]);
    assert_eq!((width, height), (1400, 2000));
    // A blank or unstyled page compresses to a few kilobytes; this one has tables and a chart.
    assert!(
        data.len() > 60_000,
        "screenshot is only {} bytes",
        data.len()
    );
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map_or_else(|| repo().join("target"), Path::to_path_buf);
    std::fs::write(target.join("report-screenshot.png"), &data).expect("keep screenshot");

    // Where the chart and the matrix are laid out: a copy of the page with a script that
    // writes their boxes into the title, read back with --dump-dom.
    let html = std::fs::read_to_string(&page).expect("read");
    let probe = html.replace(
        "</body>",
        "<script>var c=document.getElementById('cost-chart').getBoundingClientRect();var m=document.querySelector('table.matrix').getBoundingClientRect();var r=document.querySelectorAll('table.matrix tbody tr').length;document.title='LAYOUT '+JSON.stringify({chart:[c.top,c.bottom,c.width],matrix:[m.top,m.bottom,m.width],rows:r});</script></body>",
    );
    let probe_page = dir.path().join("probe.html");
    std::fs::write(&probe_page, probe).expect("write");
    let o = chromium(&["--dump-dom"], &probe_page, &dir.path().join("profile2"));
    assert!(o.status.success());
    let dom = String::from_utf8_lossy(&o.stdout);
    let start = dom.find("<title>LAYOUT ").expect("layout title") + "<title>LAYOUT ".len();
    let end = start + dom[start..].find("</title>").expect("end of title");
    let layout: Value = serde_json::from_str(&dom[start..end]).expect("layout json");
    let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let (chart, matrix) = (&layout["chart"], &layout["matrix"]);
    assert!(num(&chart[2]) > 300.0, "chart too narrow: {layout}");
    assert!(
        num(&chart[1]) < 2000.0,
        "chart below the first screen: {layout}"
    );
    assert!(
        num(&matrix[0]) < 2000.0,
        "matrix below the first screen: {layout}"
    );
    assert!(num(&matrix[2]) > 1000.0, "matrix too narrow: {layout}");
    assert_eq!(layout["rows"], 9);
}
