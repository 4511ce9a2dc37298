//! Keyless credentials end to end: the eu-bank example planned and refreshed against the fake
//! cloud with nothing but OIDC tokens in files, as a CI pipeline has them — AWS web identity,
//! Azure workload identity federation, Google workload identity federation with service
//! account impersonation. `-v` names each cloud's source; no secret (the OIDC tokens, the
//! tokens and keys they were exchanged for) reaches any output, the state or a saved plan.

#[path = "support/common.rs"]
mod common;

use assert_cmd::Command;
use common::{binary, example, run, without_cloud_env};
use meridian_fakecloud::{AzureApp, FakeCloud, Fixture, WebIdentityRole, WorkloadProvider};
use serde_json::{json, Value};
use std::path::Path;

const AWS_ACCOUNT: &str = "418295730641";
const ROLE: &str = "arn:aws:iam::418295730641:role/meridian-ci";
const TENANT: &str = "72f988bf-0000-4000-8000-0000000000aa";
const CLIENT: &str = "0c1d2e3f-0000-4000-8000-0000000000bb";
const AUDIENCE: &str =
    "//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/ci/providers/github";
const SA: &str = "meridian-ci@ebk-ml-prod.iam.gserviceaccount.com";
const SESSION_TOKEN: &str = "FwoGZXIvYXdzEfake-session-token-of-the-role";
/// The pipeline's OIDC tokens, one per audience.
const AWS_OIDC: &str = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJzdHMuYW1hem9uYXdzLmNvbSJ9.YXdzLXNpZw";
const AZURE_OIDC: &str =
    "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJhcGk6Ly9BenVyZUFEVG9rZW5FeGNoYW5nZSJ9.YXp1cmUtc2ln";
const GCP_OIDC: &str =
    "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2lhbS5nb29nbGVhcGlzLmNvbSJ9.Z2NwLXNpZw";

/// The example applied without refresh, and a fake cloud holding what was applied that
/// recognises the pipeline's identities.
fn applied() -> (tempfile::TempDir, FakeCloud) {
    let dir = example("eu-bank");
    let mut c = binary();
    without_cloud_env(&mut c);
    let (code, _, err) = run(c
        .args(["apply", "--auto-approve", "--refresh=false"])
        .arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    let state = meridian_state::load(&dir.path().join(".meridian/state.json"))
        .expect("state loads")
        .expect("state");
    let mut f = Fixture::from_state(&state, Some(AWS_ACCOUNT));
    f.auth.aws.session_token = Some(SESSION_TOKEN.into());
    f.identity.aws.web_identity.push(WebIdentityRole {
        role_arn: ROLE.into(),
        token: AWS_OIDC.into(),
    });
    f.identity.azure.apps.push(AzureApp {
        tenant_id: TENANT.into(),
        client_id: CLIENT.into(),
        client_secret: None,
        certificate: None,
        federated_token: Some(AZURE_OIDC.into()),
    });
    f.identity.gcp.workload_providers.push(WorkloadProvider {
        audience: AUDIENCE.into(),
        subject_token: Some(GCP_OIDC.into()),
        aws: None,
        service_account: Some(SA.into()),
    });
    (dir, FakeCloud::start(f).expect("fake cloud"))
}

/// `meridian` with the pipeline's environment: token files under `ci`, the fake cloud's
/// endpoints, no key and no token of any cloud.
fn keyless(cloud: &FakeCloud, ci: &Path) -> Command {
    let write = |name: &str, text: &str| {
        let p = ci.join(name);
        std::fs::write(&p, text).expect("write");
        p.display().to_string()
    };
    let aws = write("aws.jwt", AWS_OIDC);
    let azure = write("azure.jwt", AZURE_OIDC);
    let gcp = write("gcp.jwt", GCP_OIDC);
    let external = write(
        "gcp-credentials.json",
        &json!({
            "type": "external_account",
            "audience": AUDIENCE,
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "token_url": cloud.gcp_sts_url(),
            "service_account_impersonation_url": cloud.gcp_impersonation_url(SA),
            "credential_source": {"file": gcp},
        })
        .to_string(),
    );
    let mut c = binary();
    without_cloud_env(&mut c)
        .envs(cloud.endpoint_env_vars())
        .env("HOME", ci)
        .env("PATH", "")
        .env("MERIDIAN_RETRY_BACKOFF", "10ms")
        .env("AWS_ROLE_ARN", ROLE)
        .env("AWS_WEB_IDENTITY_TOKEN_FILE", aws)
        .env("AZURE_TENANT_ID", TENANT)
        .env("AZURE_CLIENT_ID", CLIENT)
        .env("AZURE_FEDERATED_TOKEN_FILE", azure)
        .env("GOOGLE_APPLICATION_CREDENTIALS", external);
    c
}

/// Every secret of the run: the OIDC tokens and what they were exchanged for.
fn secrets(cloud: &FakeCloud) -> Vec<String> {
    let auth = cloud.fixture().auth;
    vec![
        AWS_OIDC.into(),
        AZURE_OIDC.into(),
        GCP_OIDC.into(),
        SESSION_TOKEN.into(),
        auth.aws.access_key_id,
        auth.aws.secret_access_key,
        auth.azure_token,
        auth.gcp_token,
    ]
}

fn assert_clean(what: &str, text: &str, secrets: &[String]) {
    for s in secrets {
        assert!(
            !text.contains(s.as_str()),
            "{what} holds a secret ({s}):\n{text}"
        );
    }
}

#[test]
fn refresh_and_plan_with_oidc_tokens_only_name_their_sources_and_leak_nothing() {
    let (dir, cloud) = applied();
    let ci = tempfile::tempdir().expect("ci dir");
    let secrets = secrets(&cloud);

    let (code, out, err) = run(keyless(&cloud, ci.path())
        .args(["refresh", "-v"])
        .arg(dir.path()));
    assert_eq!(code, 0, "{out}\n{err}");
    let ci_path = ci.path().display();
    let expected = format!(
        "Credentials for the refresh:\n  \
         aws: web identity (AWS_ROLE_ARN={ROLE}, token file {ci_path}/aws.jwt)\n  \
         azure: workload identity federation (AZURE_TENANT_ID={TENANT}, AZURE_CLIENT_ID={CLIENT}, token file {ci_path}/azure.jwt)\n  \
         gcp: workload identity federation (external_account, subject token from file {ci_path}/gcp.jwt, audience {AUDIENCE}, impersonating {SA}) (GOOGLE_APPLICATION_CREDENTIALS={ci_path}/gcp-credentials.json)\n"
    );
    assert!(err.starts_with(&expected), "{err}");
    assert!(out.contains("No changes outside Meridian"), "{out}");
    assert_clean("refresh's output", &format!("{out}{err}"), &secrets);

    // Without -v the sources are not listed; with --json they are data.
    let (code, out, err) = run(keyless(&cloud, ci.path())
        .args(["refresh", "--json"])
        .arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("Credentials for the refresh"), "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        v["credentials"]["aws"],
        json!(format!(
            "web identity (AWS_ROLE_ARN={ROLE}, token file {ci_path}/aws.jwt)"
        ))
    );
    assert!(v["credentials"]["gcp"]
        .as_str()
        .is_some_and(|s| s.contains("impersonating")));

    // A plan (with -v, saved) after apply: nothing to do, and nothing secret anywhere.
    let planfile = dir.path().join("plan.json");
    let (code, out, err) = run(keyless(&cloud, ci.path())
        .args(["plan", "-v", "--detailed-exitcode", "-out"])
        .arg(&planfile)
        .arg(dir.path()));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        err.contains("  azure: workload identity federation"),
        "{err}"
    );
    assert_clean("plan's output", &format!("{out}{err}"), &secrets);
    for file in [planfile, dir.path().join(".meridian/state.json")] {
        let text = std::fs::read_to_string(&file).expect("file");
        assert_clean(&file.display().to_string(), &text, &secrets);
    }
}

#[test]
fn a_refused_federated_token_names_the_flow_and_what_to_check() {
    let (dir, cloud) = applied();
    let ci = tempfile::tempdir().expect("ci dir");
    let wrong = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmZvcmsvaW5mcmEifQ.Zm9yay1zaWc";
    let mut c = keyless(&cloud, ci.path());
    std::fs::write(ci.path().join("azure.jwt"), wrong).expect("write");
    let (code, out, err) = run(c.args(["plan", "-v"]).arg(dir.path()));
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("error: cannot read live provider state: azure.corp: workload identity federation (AZURE_TENANT_ID="),
        "{err}"
    );
    assert!(err.contains("AADSTS70021"), "{err}");
    assert!(err.contains("federated credential"), "{err}");
    assert!(err.contains("--refresh=false"), "{err}");
    let mut secrets = secrets(&cloud);
    secrets.push(wrong.into());
    assert_clean("the error", &format!("{out}{err}"), &secrets);
}
