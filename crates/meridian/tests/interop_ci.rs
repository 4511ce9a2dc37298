//! The CI pipelines in `examples/ci/` run as written. Their YAML is read with PyYAML (GitLab's
//! `!reference` tag included), every `meridian` command line they contain is taken from the
//! scripts in order and run against a copy of the eu-bank example with the fake cloud as the
//! clouds — report, plan with `-out` and `-detailed-exitcode`, show, apply of the saved plan,
//! and the nightly drift check, before and after a change made outside Meridian — and the
//! `jq` program that turns the SARIF report into a GitLab Code Quality report is run with
//! `jq` on a real SARIF log and its output checked field by field.
//!
//! The clouds are reached as the pipelines reach them, with OIDC tokens only: the pipeline's
//! own credential step runs with `bash` (GitHub's "OIDC tokens for the clouds" against the
//! fake cloud's GitHub token service, GitLab's `.meridian-clouds` with its `id_tokens` set),
//! and the `meridian` commands get the pipeline's variables and what that step exported —
//! no key and no token of any cloud. The fake cloud exchanges the tokens for the pipeline's
//! identities (its `AWS_ROLE_ARN`, Entra app, workload identity provider and service
//! account); the only change to what the step wrote is Google's endpoints in the
//! `external_account` file, pointed at the fake cloud.
//!
//! Part of the interop suite: `cargo test -p meridian --features interop`. PyYAML comes with
//! LiteLLM's venv and `jq` from Debian, both installed by `bash tests/interop/setup.sh`.
#![cfg(feature = "interop")]

#[path = "support/common.rs"]
mod common;

use common::{canonical_repo as repo, meridian, run, without_cloud_env, MISSING};
use meridian_fakecloud::{
    AzureApp, FakeCloud, Fixture, GithubOidc, WebIdentityRole, WorkloadProvider,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
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

# The pipeline's variables, its credential step and (GitLab) the audiences of its id_tokens.
variables = {k: str(v) for k, v in (doc.get("env") or doc.get("variables") or {}).items()}
clouds, id_tokens = None, {}
def find_clouds(value):
    global clouds
    if isinstance(value, dict):
        if value.get("name") == "OIDC tokens for the clouds" and clouds is None:
            clouds = value.get("run")
        for v in value.values():
            find_clouds(v)
    elif isinstance(value, list):
        for v in value:
            find_clouds(v)
find_clouds(doc)
if ".meridian-clouds" in doc:
    clouds = "\n".join(doc[".meridian-clouds"]["script"])
    id_tokens = {k: v["aud"] for k, v in doc[".meridian"]["id_tokens"].items()}

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
print(json.dumps({"commands": commands, "jq": programs, "variables": variables,
                  "clouds": clouds, "id_tokens": id_tokens}))
"#;

/// What a pipeline file holds: its meridian command lines, jq programs on the SARIF, its
/// variables, its credential step's script and (GitLab) its `id_tokens` audiences.
struct Pipeline {
    commands: Vec<Vec<String>>,
    jq: Vec<String>,
    variables: BTreeMap<String, String>,
    clouds: String,
    id_tokens: BTreeMap<String, String>,
}

fn extract(pipeline: &Path) -> Pipeline {
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
    let map = |v: &Value| -> BTreeMap<String, String> {
        v.as_object()
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
            .collect()
    };
    Pipeline {
        commands,
        jq: strings(&v["jq"]),
        variables: map(&v["variables"]),
        clouds: v["clouds"]
            .as_str()
            .unwrap_or_else(|| panic!("{} has no credential step", pipeline.display()))
            .to_owned(),
        id_tokens: map(&v["id_tokens"]),
    }
}

/// The pipeline's OIDC tokens: what GitHub's token service (or GitLab's `id_tokens`) hands
/// the job for each cloud.
const AWS_OIDC: &str = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJzdHMuYW1hem9uYXdzLmNvbSJ9.YXdzLW9pZGM";
const AZURE_OIDC: &str = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJhcGk6Ly9BenVyZUFEIn0.YXp1cmUtb2lkYw";
const GCP_OIDC: &str = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2lhbSJ9.Z2NwLW9pZGM";
/// GitHub's `ACTIONS_ID_TOKEN_REQUEST_TOKEN`.
const REQUEST_TOKEN: &str = "github-actions-request-token-0001";
const SESSION_TOKEN: &str = "FwoGZXIvYXdzEtemporary-session-token-0001";

/// The identities the fake cloud recognises: the pipeline's role, Entra app, workload
/// identity provider and service account, each trusting its OIDC token; and GitHub's token
/// service handing out those tokens.
fn identities(p: &Pipeline, fixture: &mut Fixture) {
    let var = |k: &str| {
        p.variables
            .get(k)
            .unwrap_or_else(|| panic!("the pipeline sets no {k}"))
            .clone()
    };
    let provider = var("GCP_WORKLOAD_PROVIDER");
    fixture.auth.aws.session_token = Some(SESSION_TOKEN.into());
    let id = &mut fixture.identity;
    id.aws.web_identity = vec![WebIdentityRole {
        role_arn: var("AWS_ROLE_ARN"),
        token: AWS_OIDC.into(),
    }];
    id.azure.apps = vec![AzureApp {
        tenant_id: var("AZURE_TENANT_ID"),
        client_id: var("AZURE_CLIENT_ID"),
        client_secret: None,
        certificate: None,
        federated_token: Some(AZURE_OIDC.into()),
    }];
    id.gcp.workload_providers = vec![WorkloadProvider {
        audience: format!("//iam.googleapis.com/{provider}"),
        subject_token: Some(GCP_OIDC.into()),
        aws: None,
        service_account: Some(var("GCP_SERVICE_ACCOUNT")),
    }];
    id.github = Some(GithubOidc {
        request_token: REQUEST_TOKEN.into(),
        tokens: BTreeMap::from([
            ("sts.amazonaws.com".to_owned(), AWS_OIDC.to_owned()),
            (
                "api://AzureADTokenExchange".to_owned(),
                AZURE_OIDC.to_owned(),
            ),
            (
                format!("https://iam.googleapis.com/{provider}"),
                GCP_OIDC.to_owned(),
            ),
        ]),
    });
}

/// Runs the pipeline's credential step in `tmp`; the variables the `meridian` commands get:
/// the pipeline's and what the step exported (Google's endpoints pointed at `cloud`).
fn credentials(p: &Pipeline, cloud: &FakeCloud, tmp: &Path) -> Vec<(String, String)> {
    let mut c = Command::new("bash");
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(&p.variables)
        .env("TMPDIR", tmp);
    let github_env = tmp.join("github_env");
    if p.id_tokens.is_empty() {
        // GitHub: the step asks the token service and appends to $GITHUB_ENV.
        c.env("ACTIONS_ID_TOKEN_REQUEST_URL", cloud.github_oidc_url())
            .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN)
            .env("RUNNER_TEMP", tmp)
            .env("GITHUB_ENV", &github_env)
            .args(["-e", "-c", &p.clouds]);
    } else {
        // GitLab: the id_tokens are variables; the script exports what it sets.
        let provider = &p.variables["GCP_WORKLOAD_PROVIDER"];
        assert_eq!(
            p.id_tokens,
            BTreeMap::from([
                ("AWS_ID_TOKEN".to_owned(), "sts.amazonaws.com".to_owned()),
                (
                    "AZURE_ID_TOKEN".to_owned(),
                    "api://AzureADTokenExchange".to_owned()
                ),
                (
                    "GCP_ID_TOKEN".to_owned(),
                    format!("https://iam.googleapis.com/{provider}")
                ),
            ]),
            "each id_token is for its cloud's audience"
        );
        c.env("AWS_ID_TOKEN", AWS_OIDC)
            .env("AZURE_ID_TOKEN", AZURE_OIDC)
            .env("GCP_ID_TOKEN", GCP_OIDC)
            .args([
                "-e",
                "-c",
                &format!("{}\nenv -0 > {}", p.clouds, github_env.display()),
            ]);
    }
    let out = c.output().expect("bash");
    assert!(
        out.status.success(),
        "the credential step failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&github_env).expect("the step's variables");
    let sep = if p.id_tokens.is_empty() { '\n' } else { '\0' };
    let mut vars: BTreeMap<String, String> = p.variables.clone();
    for entry in text.split(sep) {
        if let Some((k, v)) = entry.split_once('=') {
            if ["AWS_", "AZURE_", "GOOGLE_"]
                .iter()
                .any(|p| k.starts_with(p))
                && !k.ends_with("_ID_TOKEN")
            {
                vars.insert(k.to_owned(), v.to_owned());
            }
        }
    }
    for k in [
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AZURE_FEDERATED_TOKEN_FILE",
        "GOOGLE_APPLICATION_CREDENTIALS",
    ] {
        assert!(
            vars.contains_key(k),
            "the credential step sets {k}: {vars:?}"
        );
    }
    for (k, v) in &vars {
        for secret in [AWS_OIDC, AZURE_OIDC, GCP_OIDC] {
            assert!(!v.contains(secret), "{k} holds a token itself: {v}");
        }
    }
    // Google's endpoints, as the step wrote them, pointed at the fake cloud.
    let path = PathBuf::from(&vars["GOOGLE_APPLICATION_CREDENTIALS"]);
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("gcp")).expect("json");
    assert_eq!(doc["token_url"], "https://sts.googleapis.com/v1/token");
    let sa = &p.variables["GCP_SERVICE_ACCOUNT"];
    assert_eq!(
        doc["service_account_impersonation_url"],
        format!("https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/{sa}:generateAccessToken")
    );
    doc["token_url"] = Value::from(cloud.gcp_sts_url());
    doc["service_account_impersonation_url"] = Value::from(cloud.gcp_impersonation_url(sa));
    std::fs::write(&path, doc.to_string()).expect("write");
    vars.into_iter().collect()
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

/// Runs one of the pipeline's command lines in `root`, pointed at the fake cloud, with the
/// pipeline's credentials (`creds`) only.
fn run_line(
    root: &Path,
    cloud: &FakeCloud,
    creds: &[(String, String)],
    words: &[String],
) -> (i32, String, String) {
    let mut c = meridian();
    without_cloud_env(&mut c)
        .current_dir(root)
        .envs(cloud.endpoint_env_vars())
        .envs(creds.iter().cloned())
        .env("HOME", root)
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
        let p = extract(&pipeline);
        let commands = &p.commands;
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
        identities(&p, &mut fixture);
        let cloud = FakeCloud::start(fixture).expect("fake cloud");
        let tmp = tempfile::tempdir().expect("runner temp");
        let creds = credentials(&p, &cloud, tmp.path());
        let secrets = {
            let auth = cloud.fixture().auth;
            [
                AWS_OIDC.to_owned(),
                AZURE_OIDC.to_owned(),
                GCP_OIDC.to_owned(),
                SESSION_TOKEN.to_owned(),
                auth.aws.secret_access_key,
                auth.azure_token,
                auth.gcp_token,
            ]
        };
        let mut applied = false;
        let mut drift_checks = 0;
        for words in commands {
            let line = words.join(" ");
            let (code, out, err) = run_line(root.path(), &cloud, &creds, words);
            for s in &secrets {
                assert!(
                    !out.contains(s.as_str()) && !err.contains(s.as_str()),
                    "{name}: `{line}` printed a secret"
                );
            }
            if words.iter().any(|w| w == "-v") {
                assert!(
                    err.contains("  aws: web identity (AWS_ROLE_ARN=")
                        && err.contains("  azure: workload identity federation (")
                        && err.contains("  gcp: workload identity federation (external_account"),
                    "{name}: `{line}` names the OIDC sources:\n{err}"
                );
            }
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
                // The clouds now hold what was applied (and know the same identities).
                let mut fixture = cloud_of_state(root.path());
                fixture.identity = cloud.fixture().identity;
                fixture.auth.aws.session_token = Some(SESSION_TOKEN.into());
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
        let (code, out, err) = run_line(root.path(), &cloud, &creds, drift);
        assert_eq!(code, 2, "{name}: drift is detected\n{out}\n{err}");
        assert!(
            out.contains("changed outside of Meridian"),
            "{name}: the drift is shown\n{out}"
        );
    }
}

#[test]
fn gitlab_code_quality_conversion_of_the_sarif_report() {
    let programs = extract(&pipelines()[1]).jq;
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
