//! The CI pipelines in `examples/ci/` run as written. Their YAML is read with PyYAML (GitLab's
//! `!reference` tag included), every `meridian` command line they contain is taken from the
//! scripts in order and run against a copy of the eu-bank example with the fake cloud as the
//! clouds — report, plan with `-out` and `-detailed-exitcode`, show, apply of the saved plan,
//! and the nightly drift check, before and after a change made outside Meridian — and the
//! `jq` program that turns the SARIF report into a GitLab Code Quality report is run with
//! `jq` on a real SARIF log and its output checked field by field.
//!
//! Part of the interop suite: `cargo test -p meridian --features interop`. PyYAML comes with
//! LiteLLM's venv and `jq` from Debian, both installed by `bash tests/interop/setup.sh`.
#![cfg(feature = "interop")]

#[path = "support/common.rs"]
mod common;

use common::{canonical_repo as repo, meridian, run, without_cloud_env, MISSING};
use meridian_fakecloud::{FakeCloud, Fixture};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The eu-bank example's AWS account (`var.aws_account_id`), Azure subscription and resource
/// group, and GCP project: what exists before Meridian's first apply.
const AWS_ACCOUNT: &str = "418295730641";
const SUBSCRIPTION: &str = "6f1c2b7e-93a4-4d2e-9b0f-2c5e8a71d4b3";
const RESOURCE_GROUP: &str = "rg-ebk-ai-prod";
const GCP_PROJECT: &str = "ebk-ml-prod";
/// Where the pipelines expect the spec (their `MERIDIAN_SPEC`).
const SPEC_DIR: &str = "infra/ai";

/// Python with PyYAML (LiteLLM's venv).
fn python() -> PathBuf {
    let py = repo().join("tests/interop/.venv/bin/python");
    assert!(py.is_file(), "{MISSING} (not found: {})", py.display());
    py
}

fn jq() -> &'static str {
    let found = Command::new("jq").arg("--version").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "{MISSING} (jq is not on PATH)"
    );
    "jq"
}

/// Prints, as JSON, the pipeline's script text in document order: `commands`, every
/// `meridian <subcommand> ...` invocation split into words as the shell would; `jq`, the
/// program of every `jq` call that reads `meridian.sarif`.
const EXTRACT: &str = r#"
import json, shlex, sys, yaml

class Loader(yaml.SafeLoader):
    pass

Loader.add_constructor("!reference", lambda loader, node: loader.construct_sequence(node))
doc = yaml.load(open(sys.argv[1]), Loader=Loader)

scripts = []
def walk(value, key=None):
    if isinstance(value, dict):
        for k, v in value.items():
            walk(v, k)
    elif isinstance(value, list):
        for v in value:
            walk(v, key)
    elif isinstance(value, str) and key in ("run", "script", "before_script"):
        scripts.append(value)
walk(doc)

SUBCOMMANDS = {"validate", "plan", "show", "apply", "report", "refresh", "simulate", "import", "generate"}
STARTS = {";", "&&", "||", "|", "{", "(", "then", "do", "!"}
ENDS = {";", "&&", "||", "|", "}", ")", "&", ">", ">>", "<"}

def words(line):
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return list(lexer)

commands, programs = [], []
for script in scripts:
    for line in script.replace("\\\n", " ").splitlines():
        try:
            tokens = words(line)
        except ValueError:
            continue  # a line inside a multi-line quoted string
        for i, t in enumerate(tokens):
            if t == "meridian" and (i == 0 or tokens[i - 1] in STARTS) \
                    and i + 1 < len(tokens) and tokens[i + 1] in SUBCOMMANDS:
                command = []
                for w in tokens[i:]:
                    if w in ENDS:
                        break
                    command.append(w)
                commands.append(command)
    text = script.strip()
    if text.startswith("jq "):
        parts = shlex.split(text)
        if "meridian.sarif" in parts:
            programs.append(parts[1])
print(json.dumps({"commands": commands, "jq": programs}))
"#;

/// (meridian command lines, jq programs on the SARIF) of a pipeline file.
fn extract(pipeline: &Path) -> (Vec<Vec<String>>, Vec<String>) {
    let out = Command::new(python())
        .arg("-c")
        .arg(EXTRACT)
        .arg(pipeline)
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "{} is not valid YAML: {}",
        pipeline.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect()
    };
    let commands = v["commands"]
        .as_array()
        .into_iter()
        .flatten()
        .map(strings)
        .collect();
    (commands, strings(&v["jq"]))
}

fn pipelines() -> [PathBuf; 2] {
    [
        repo().join("examples/ci/github/meridian.yml"),
        repo().join("examples/ci/gitlab/.gitlab-ci.yml"),
    ]
}

/// A repository with the eu-bank example at `infra/ai`, as the pipelines expect it.
fn checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join(SPEC_DIR);
    std::fs::create_dir_all(&spec).expect("mkdir");
    for f in std::fs::read_dir(repo().join("examples/eu-bank")).expect("example") {
        let f = f.expect("entry").path();
        if f.extension().is_some_and(|e| e == "hcl") {
            std::fs::copy(&f, spec.join(f.file_name().expect("name"))).expect("copy");
        }
    }
    dir
}

/// Runs one of the pipeline's command lines in `root`, pointed at the fake cloud.
fn run_line(root: &Path, cloud: &FakeCloud, words: &[String]) -> (i32, String, String) {
    let mut c = meridian();
    without_cloud_env(&mut c)
        .current_dir(root)
        .envs(cloud.env_vars())
        .env("MERIDIAN_RETRY_BACKOFF", "10ms")
        .env("MERIDIAN_SPEC", SPEC_DIR);
    for w in &words[1..] {
        c.arg(if w == "$MERIDIAN_SPEC" { SPEC_DIR } else { w });
    }
    run(&mut c)
}

/// The fake cloud holding what the last apply recorded.
fn cloud_of_state(root: &Path) -> Fixture {
    let state = meridian_state::load(&root.join(SPEC_DIR).join(".meridian/state.json"))
        .expect("state loads")
        .expect("apply wrote state");
    Fixture::from_state(&state, Some(AWS_ACCOUNT)).with_page_size(2)
}

#[test]
fn every_meridian_command_of_both_pipelines_runs_against_the_fake_cloud() {
    for pipeline in pipelines() {
        let name = pipeline.display().to_string();
        let (commands, _) = extract(&pipeline);
        let used: BTreeSet<&str> = commands.iter().map(|c| c[1].as_str()).collect();
        for sub in ["report", "plan", "show", "apply"] {
            assert!(used.contains(sub), "{name} runs no `meridian {sub}`");
        }
        let root = checkout();
        // The clouds before the first apply: the account, subscription, resource group and
        // project exist, and nothing of the project's is in them.
        let mut fixture = Fixture::default();
        fixture.auth.aws.account_id = AWS_ACCOUNT.into();
        fixture.azure_resource_group_mut(SUBSCRIPTION, RESOURCE_GROUP);
        fixture.gcp_project_mut(GCP_PROJECT);
        let cloud = FakeCloud::start(fixture).expect("fake cloud");
        let mut applied = false;
        let mut drift_checks = 0;
        for words in &commands {
            let line = words.join(" ");
            let (code, out, err) = run_line(root.path(), &cloud, words);
            let detailed = words
                .iter()
                .any(|w| w.trim_start_matches('-') == "detailed-exitcode");
            let expected = match words[1].as_str() {
                // Before the apply the whole project is to be created.
                "plan" if detailed && !applied => 2,
                "plan" if detailed => {
                    drift_checks += 1;
                    0
                }
                _ => 0,
            };
            assert_eq!(
                code, expected,
                "{name}: `{line}` exited {code}\n{out}\n{err}"
            );
            if words[1] == "apply" {
                applied = true;
                // The clouds now hold what was applied.
                let fixture = cloud_of_state(root.path());
                cloud.update(|f| *f = fixture);
            }
            if words[1] == "show" {
                assert!(out.contains("will be created"), "{name}: `{line}`:\n{out}");
            }
        }
        assert!(applied, "{name}: no apply");
        assert_eq!(drift_checks, 1, "{name}: one nightly drift check");
        assert!(
            root.path().join("meridian.sarif").is_file(),
            "{name}: the SARIF report was written"
        );

        // A change made outside Meridian fails the nightly check (exit 2), naming it.
        let drift = commands
            .iter()
            .rev()
            .find(|w| w[1] == "plan")
            .expect("drift check");
        cloud.update(|f| {
            let deployment = f
                .azure
                .subscriptions
                .values_mut()
                .flat_map(|s| s.resource_groups.values_mut())
                .flat_map(|rg| rg.accounts.iter_mut())
                .find_map(|a| {
                    a.get_mut("deployments")
                        .and_then(Value::as_array_mut)
                        .and_then(|d| d.first_mut())
                })
                .expect("a deployment");
            let capacity = deployment["sku"]["capacity"].as_u64().expect("capacity");
            deployment["sku"]["capacity"] = Value::from(capacity + 7);
        });
        let (code, out, err) = run_line(root.path(), &cloud, drift);
        assert_eq!(code, 2, "{name}: drift is detected\n{out}\n{err}");
        assert!(
            out.contains("changed outside of Meridian"),
            "{name}: the drift is shown\n{out}"
        );
    }
}

#[test]
fn gitlab_code_quality_conversion_of_the_sarif_report() {
    let (_, programs) = extract(&pipelines()[1]);
    assert_eq!(programs.len(), 1, "one SARIF conversion: {programs:?}");
    let dir = tempfile::tempdir().expect("tempdir");
    let sarif = dir.path().join("meridian.sarif");
    let (code, _, err) = run(meridian()
        .current_dir(repo())
        .args(["report", "--format", "sarif", "--out"])
        .arg(&sarif)
        .arg("tests/fixtures/report/findings"));
    assert_eq!(code, 1, "the findings fixture has errors: {err}");
    let log: Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).expect("sarif")).expect("json");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(results.len() >= 3, "{results:?}");

    let out = Command::new(jq())
        .arg(&programs[0])
        .arg(&sarif)
        .output()
        .expect("jq");
    assert!(
        out.status.success(),
        "jq: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("jq printed JSON");
    let issues = report
        .as_array()
        .expect("a Code Quality report is an array");
    assert_eq!(issues.len(), results.len());
    let mut fingerprints = BTreeSet::new();
    for (issue, result) in issues.iter().zip(results) {
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(issue["description"], result["message"]["text"]);
        assert!(
            issue["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{issue}"
        );
        assert_eq!(issue["check_name"], result["ruleId"]);
        assert!(
            issue["check_name"]
                .as_str()
                .is_some_and(|c| c.starts_with("MRD-")),
            "{issue}"
        );
        let fingerprint = issue["fingerprint"].as_str().expect("fingerprint");
        assert!(!fingerprint.is_empty(), "{issue}");
        assert!(
            fingerprints.insert(fingerprint.to_owned()),
            "fingerprints are unique: {fingerprint}"
        );
        let severity = issue["severity"].as_str().expect("severity");
        assert!(
            ["info", "minor", "major", "critical", "blocker"].contains(&severity),
            "{issue}"
        );
        assert_eq!(
            severity == "major",
            result["level"] == "error",
            "errors are major, the rest minor: {issue}"
        );
        let path = issue["location"]["path"].as_str().expect("path");
        assert_eq!(path, location["artifactLocation"]["uri"]);
        assert!(
            !path.starts_with('/') && Path::new(path).extension().is_some_and(|e| e == "hcl"),
            "a path relative to the repository: {path}"
        );
        assert!(
            repo().join(path).is_file(),
            "the path names the spec file: {path}"
        );
        assert_eq!(
            issue["location"]["lines"]["begin"],
            location["region"]["startLine"]
        );
    }
}
