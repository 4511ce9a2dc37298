//! The `meridian-fakecloud` binary.
#![allow(clippy::unwrap_used)]

mod support;

use meridian_fakecloud::Fixture;
use meridian_state::{State, StateResource};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_meridian-fakecloud");

#[test]
fn help_and_usage_errors() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("serve --fixture FILE"));
    assert!(text.contains("fixture --from-state FILE"));
    assert!(text.contains("EXAMPLES"));
    let out = Command::new(BIN).arg("bogus").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("unknown command 'bogus'"));
    let out = Command::new(BIN).args(["serve"]).output().unwrap();
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("serve needs --fixture FILE"));
    let out = Command::new(BIN)
        .args(["serve", "--fixture", "x.json", "--port", "many"])
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("--port must be a number, not 'many'"));
}

#[test]
fn fixture_from_state_then_serve() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = State::new("0.1.0");
    state.resources.push(StateResource {
        address: "gcp.vertex.service.aiplatform".into(),
        kind: "gcp_service".into(),
        provider: "gcp.vertex".into(),
        region: None,
        name: "aiplatform.googleapis.com".into(),
        attributes: [
            ("project".to_owned(), serde_json::json!("acme-ai")),
            (
                "service".to_owned(),
                serde_json::json!("aiplatform.googleapis.com"),
            ),
        ]
        .into(),
        tags: std::collections::BTreeMap::new(),
        pending: None,
        observed: None,
    });
    let state_path = dir.path().join("state.json");
    meridian_state::save(&state_path, &mut state).unwrap();
    let out = Command::new(BIN)
        .args(["fixture", "--from-state"])
        .arg(&state_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let fixture = Fixture::from_json(&text).unwrap();
    assert_eq!(fixture, Fixture::from_state(&state, None));
    let fixture_path = dir.path().join("fixture.json");
    std::fs::write(&fixture_path, &text).unwrap();

    let out = Command::new(BIN)
        .args(["fixture", "--from-state"])
        .arg(dir.path().join("none.json"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("no such state file"));

    let mut child = Command::new(BIN)
        .args(["serve", "--latency-ms", "1", "--fixture"])
        .arg(&fixture_path)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut exports = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(e) = line.strip_prefix("export ") {
            exports.push(e.to_owned());
            if e.starts_with("AWS_SECRET_ACCESS_KEY=") {
                break;
            }
        }
    }
    let value = |key: &str| {
        exports
            .iter()
            .find_map(|e| e.strip_prefix(&format!("{key}=")))
            .unwrap()
            .to_owned()
    };
    // `{location}` needs quoting in a shell.
    let gcp = value("MERIDIAN_GCP_ENDPOINT");
    let gcp = gcp
        .strip_prefix('\'')
        .and_then(|g| g.strip_suffix('\''))
        .unwrap_or_else(|| panic!("not quoted: {gcp}"));
    assert!(gcp.starts_with("http://127.0.0.1:") && gcp.ends_with("/gcp/{location}"));
    let gcp = gcp.replace("{location}", "global");
    assert!(value("MERIDIAN_AZURE_ENDPOINT").ends_with("/azure"));
    assert!(value("MERIDIAN_AWS_ENDPOINT").ends_with("/aws"));
    assert!(value("MERIDIAN_AWS_STS_ENDPOINT").ends_with("/aws/sts"));
    let token = value("GOOGLE_OAUTH_ACCESS_TOKEN");
    assert_eq!(token, meridian_fakecloud::TEST_GCP_TOKEN);
    assert_eq!(
        value("AZURE_ACCESS_TOKEN"),
        meridian_fakecloud::TEST_AZURE_TOKEN
    );
    let r = support::send(
        "GET",
        &format!("{gcp}/v1/projects/acme-ai/services/aiplatform.googleapis.com"),
        &support::bearer(&token),
        b"",
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["state"], "ENABLED");
}
