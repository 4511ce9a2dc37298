//! Every credential flow of the three chains against the fake cloud's token endpoints.
//!
//! The environment given to the chains never holds what the APIs accept: the fake cloud
//! issues its tokens (and AWS keys) only to a caller that proves an identity of the
//! fixture, so a refresh that reads the APIs proves the flow obtained them. Each test checks
//! which source was chosen (the precedence), and each refusal that the error names the flow
//! and what to check, and carries no secret. Metadata services are the fake's too: nothing
//! is sent anywhere but 127.0.0.1.

use meridian_fakecloud::{
    AssumableRole, AuthorizedUser, AwsCredentials, AzureApp, EcsEndpoint, FakeCloud, Fixture,
    GcpServiceAccount, ManagedIdentity, SsoGrant, WebIdentityRole, WorkloadProvider,
    OTHER_PRIVATE_KEY_PEM, TEST_CERTIFICATE_PEM, TEST_PRIVATE_KEY_PEM, TEST_PRIVATE_KEY_RSA_PEM,
};
use meridian_refresh::{
    refresh, Cloud, Credentials, ErrorKind, NoProgress, Options, ProviderScope, RefreshError,
};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

const SUB: &str = "6f1c2b7e-0000-4000-8000-000000000001";
const RG: &str = "rg-ai";
const PROJECT: &str = "acme-ai";
const REGION: &str = "eu-central-1";
const SESSION_TOKEN: &str = "fake-session-token-issued-by-sts-0001";
const TENANT: &str = "72f988bf-0000-4000-8000-0000000000aa";
const CLIENT: &str = "0c1d2e3f-0000-4000-8000-0000000000bb";
const ROLE: &str = "arn:aws:iam::418295730641:role/meridian-ci";
const AUDIENCE: &str =
    "//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/ci/providers/github";
const SA: &str = "meridian-ci@acme-ai.iam.gserviceaccount.com";
/// What CI would hand over as an OIDC token (opaque to Meridian).
const OIDC: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvaW5mcmEifQ.c2lnbmF0dXJlLW9mLWNp";

/// What the APIs accept: temporary AWS keys (with a session token), the Azure and Google
/// tokens; the rest of the fixture is an empty subscription, account and project.
fn fixture() -> Fixture {
    let mut f = Fixture::default();
    f.auth.aws.session_token = Some(SESSION_TOKEN.into());
    f.azure_resource_group_mut(SUB, RG);
    f.gcp_project_mut(PROJECT);
    f
}

fn scope(cloud: Cloud) -> ProviderScope {
    let mut s = ProviderScope {
        cloud,
        address: format!("{}.corp", cloud.as_str()),
        regions: vec![],
        subscription_id: None,
        resource_group: None,
        account_id: None,
        partition: None,
        project: None,
        endpoint: None,
    };
    match cloud {
        Cloud::Azure => {
            s.subscription_id = Some(SUB.into());
            s.resource_group = Some(RG.into());
        }
        Cloud::Aws => {
            s.regions = vec![REGION.into()];
            s.account_id = Some(meridian_fakecloud::DEFAULT_AWS_ACCOUNT_ID.into());
        }
        Cloud::Gcp => {
            s.regions = vec!["europe-west4".into()];
            s.project = Some(PROJECT.into());
        }
    }
    s
}

/// A fake cloud, a home directory, and the environment the chains read: the fake's
/// endpoints (APIs, token endpoints and metadata services), `HOME`, an empty `PATH`.
struct Case {
    cloud: FakeCloud,
    home: tempfile::TempDir,
    env: BTreeMap<String, String>,
}

impl Case {
    fn new(f: Fixture) -> Case {
        let cloud = FakeCloud::start(f).expect("fake cloud");
        let home = tempfile::tempdir().expect("home");
        let mut env: BTreeMap<String, String> = cloud.endpoint_env_vars().into_iter().collect();
        env.insert("HOME".into(), home.path().display().to_string());
        env.insert("PATH".into(), String::new());
        Case { cloud, home, env }
    }

    fn set(&mut self, k: &str, v: impl Into<String>) -> &mut Case {
        self.env.insert(k.into(), v.into());
        self
    }

    /// Writes a file under the home directory; its path.
    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.home.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
        p
    }

    #[cfg(unix)]
    fn script(&self, rel: &str, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let p = self.write(rel, body);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        p
    }

    fn creds(&self, cloud: Cloud) -> Result<Credentials, RefreshError> {
        Credentials::from_lookup(&[scope(cloud)], |n| self.env.get(n).cloned())
    }

    /// Resolves and reads the cloud's APIs with what was obtained; the source's description.
    fn read(&self, cloud: Cloud) -> String {
        let creds = self
            .creds(cloud)
            .unwrap_or_else(|e| panic!("credentials of {cloud:?}: {e}"));
        let observed = refresh(&[scope(cloud)], &creds, &fast(), &NoProgress);
        if let Err(e) = observed {
            panic!("the APIs refused what {:?} obtained: {e}", creds.sources());
        }
        let sources = creds.sources();
        assert_eq!(sources.len(), 1, "{sources:?}");
        assert_eq!(sources[0].0, cloud);
        sources[0].1.clone()
    }

    /// The error of resolving the cloud's credentials.
    fn error(&self, cloud: Cloud) -> RefreshError {
        let e = self
            .creds(cloud)
            .map(|c| c.sources())
            .expect_err("credentials must be refused");
        assert_eq!(e.kind, ErrorKind::Credentials, "{e}");
        assert_eq!(e.provider, format!("{}.corp", cloud.as_str()));
        e
    }

    /// Requests to the fake whose path contains `part`.
    fn requests_to(&self, part: &str) -> usize {
        self.cloud
            .requests()
            .iter()
            .filter(|r| r.path.contains(part))
            .count()
    }
}

fn fast() -> Options {
    Options {
        parallelism: 4,
        request_timeout: Duration::from_secs(10),
        deadline: Duration::from_secs(60),
        max_attempts: 2,
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(20),
    }
}

/// Asserts that no secret appears in `text`.
fn clean(text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!text.contains(s), "a secret leaked: {s:?} in\n{text}");
    }
}

// ------------------------------------------------------------------------------------------
// AWS

fn web_identity_fixture() -> Fixture {
    let mut f = fixture();
    f.identity.aws.web_identity.push(WebIdentityRole {
        role_arn: ROLE.into(),
        token: OIDC.into(),
    });
    f
}

#[test]
fn aws_environment_keys_come_before_profiles_and_web_identity() {
    let f = web_identity_fixture();
    let keys = f.auth.aws.clone();
    let mut c = Case::new(f);
    let token = c.write("oidc/aws", OIDC);
    c.write(
        ".aws/credentials",
        "[default]\naws_access_key_id = AKIAPROFILE000000001\naws_secret_access_key = profile-secret-not-accepted\n",
    );
    c.set("AWS_ROLE_ARN", ROLE)
        .set("AWS_WEB_IDENTITY_TOKEN_FILE", token.display().to_string())
        .set("AWS_ACCESS_KEY_ID", keys.access_key_id)
        .set("AWS_SECRET_ACCESS_KEY", keys.secret_access_key)
        .set("AWS_SESSION_TOKEN", SESSION_TOKEN);
    let source = c.read(Cloud::Aws);
    assert_eq!(
        source,
        "environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)"
    );
    assert_eq!(
        c.requests_to("/aws/sts"),
        1,
        "only GetCallerIdentity, no web identity exchange"
    );
}

#[test]
fn aws_web_identity_as_ci_sets_it() {
    let mut c = Case::new(web_identity_fixture());
    let token = c.write("oidc/aws", &format!("{OIDC}\n"));
    // A config file with only a region (as CI images have) passes on to web identity.
    c.write(".aws/config", "[default]\nregion = eu-central-1\n");
    c.set("AWS_ROLE_ARN", ROLE)
        .set("AWS_WEB_IDENTITY_TOKEN_FILE", token.display().to_string());
    let source = c.read(Cloud::Aws);
    assert_eq!(
        source,
        format!(
            "web identity (AWS_ROLE_ARN={ROLE}, token file {})",
            token.display()
        )
    );
    assert_eq!(
        c.requests_to("/aws/sts"),
        2,
        "AssumeRoleWithWebIdentity, then GetCallerIdentity"
    );
}

#[test]
fn aws_web_identity_refused_names_the_role_and_the_trust_policy_never_the_token() {
    let mut c = Case::new(web_identity_fixture());
    let other = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm90aGVyL3JlcG8ifQ.b3RoZXItc2lnbmF0dXJl";
    let token = c.write("oidc/aws", other);
    c.set("AWS_ROLE_ARN", ROLE)
        .set("AWS_WEB_IDENTITY_TOKEN_FILE", token.display().to_string());
    let e = c.error(Cloud::Aws);
    let text = e.to_string();
    assert!(
        text.starts_with("aws.corp: web identity (AWS_ROLE_ARN="),
        "{text}"
    );
    assert!(text.contains("AssumeRoleWithWebIdentity"), "{text}");
    assert!(text.contains("AccessDenied"), "{text}");
    assert!(text.contains("trust policy"), "{text}");
    clean(&text, &[other]);

    // A token file that is not there is named.
    c.set("AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/aws-token");
    let text = c.error(Cloud::Aws).to_string();
    assert!(text.contains("/nonexistent/aws-token"), "{text}");
    assert!(text.contains("AWS_WEB_IDENTITY_TOKEN_FILE"), "{text}");
    // A token file without a role is a configuration error, not a pass to the next step.
    c.env.remove("AWS_ROLE_ARN");
    let text = c.error(Cloud::Aws).to_string();
    assert!(text.contains("AWS_ROLE_ARN is not"), "{text}");
}

#[test]
fn aws_profile_static_keys_and_aws_profile() {
    let f = fixture();
    let keys = f.auth.aws.clone();
    let mut c = Case::new(f);
    c.write(
        ".aws/credentials",
        &format!(
            "[default]\naws_access_key_id = AKIADEFAULT000000001\naws_secret_access_key = default-secret-refused\n\n[dev]\naws_access_key_id = {}\naws_secret_access_key = {}\naws_session_token = {SESSION_TOKEN}\n",
            keys.access_key_id, keys.secret_access_key
        ),
    );
    c.set("AWS_PROFILE", "dev");
    let source = c.read(Cloud::Aws);
    assert!(source.starts_with("profile dev ("), "{source}");
    assert!(source.ends_with("): static keys"), "{source}");

    // The files may be elsewhere: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE.
    let moved = c.home.path().join("elsewhere/creds");
    std::fs::create_dir_all(moved.parent().expect("dir")).expect("mkdir");
    std::fs::rename(c.home.path().join(".aws/credentials"), &moved).expect("move");
    c.set("AWS_SHARED_CREDENTIALS_FILE", moved.display().to_string())
        .set("AWS_CONFIG_FILE", "/nonexistent/config");
    let source = c.read(Cloud::Aws);
    assert_eq!(
        source,
        format!("profile dev ({}): static keys", moved.display())
    );

    // An AWS_PROFILE that does not exist is an error naming it.
    c.set("AWS_PROFILE", "prod");
    let text = c.error(Cloud::Aws).to_string();
    assert!(
        text.contains("profile prod (AWS_PROFILE) is not in"),
        "{text}"
    );
    // The default profile's keys are refused by the API: an authentication error naming the
    // profile, without the secret.
    c.env.remove("AWS_PROFILE");
    let creds = c.creds(Cloud::Aws).expect("profile keys");
    let e = refresh(&[scope(Cloud::Aws)], &creds, &fast(), &NoProgress).expect_err("refused");
    let text = e.to_string();
    assert!(text.contains("check profile default"), "{text}");
    clean(&text, &["default-secret-refused"]);
}

#[test]
fn aws_profile_role_arn_with_source_profile_assumes_the_role() {
    let mut f = fixture();
    let base = AwsCredentials {
        access_key_id: "AKIABASEPROFILE00001".into(),
        secret_access_key: "base-profile-secret-0123456789".into(),
        session_token: None,
        account_id: "111111111111".into(),
    };
    f.identity.aws.roles.push(AssumableRole {
        role_arn: "arn:aws:iam::418295730641:role/deploy".into(),
        source: base.clone(),
        external_id: Some("ext-42".into()),
    });
    let mut c = Case::new(f);
    c.write(
        ".aws/config",
        "[profile deploy]\nrole_arn = arn:aws:iam::418295730641:role/deploy\nsource_profile = base\nexternal_id = ext-42\nregion = eu-central-1\n",
    );
    c.write(
        ".aws/credentials",
        &format!(
            "[base]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            base.access_key_id, base.secret_access_key
        ),
    );
    c.set("AWS_PROFILE", "deploy");
    let source = c.read(Cloud::Aws);
    assert!(
        source.ends_with("static keys → assume role arn:aws:iam::418295730641:role/deploy"),
        "{source}"
    );

    // A wrong external ID is refused by STS: the error names AssumeRole and external_id.
    c.write(
        ".aws/config",
        "[profile deploy]\nrole_arn = arn:aws:iam::418295730641:role/deploy\nsource_profile = base\nexternal_id = wrong\n",
    );
    let text = c.error(Cloud::Aws).to_string();
    assert!(
        text.contains("STS AssumeRole of arn:aws:iam::418295730641:role/deploy"),
        "{text}"
    );
    assert!(text.contains("external_id"), "{text}");
    clean(&text, &[&base.secret_access_key]);

    // Source profiles that loop are named.
    c.write(
        ".aws/config",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n",
    );
    c.set("AWS_PROFILE", "a");
    let text = c.error(Cloud::Aws).to_string();
    assert!(text.contains("form a loop: a → b → a"), "{text}");
}

#[cfg(unix)]
#[test]
fn aws_profile_credential_process() {
    let f = fixture();
    let keys = f.auth.aws.clone();
    let c = Case::new(f);
    let helper = c.script(
        "bin/aws-helper",
        &format!(
            "#!/bin/sh\n[ \"$1\" = \"--account\" ] || exit 7\necho '{}'\n",
            json!({
                "Version": 1,
                "AccessKeyId": keys.access_key_id,
                "SecretAccessKey": keys.secret_access_key,
                "SessionToken": SESSION_TOKEN,
                "Expiration": "2099-01-01T00:00:00Z",
            })
        ),
    );
    c.write(
        ".aws/config",
        &format!(
            "[default]\ncredential_process = {} --account prod --password hunter2-secret-arg\n",
            helper.display()
        ),
    );
    let source = c.read(Cloud::Aws);
    assert!(
        source.ends_with(&format!(
            "credential_process (program {})",
            helper.display()
        )),
        "{source}"
    );
    clean(&source, &["hunter2-secret-arg"]);

    // A failing helper: its message, the profile, never its arguments.
    let failing = c.script(
        "bin/aws-helper-failing",
        "#!/bin/sh\necho 'token expired, log in again' >&2\nexit 3\n",
    );
    c.write(
        ".aws/config",
        &format!(
            "[default]\ncredential_process = {} --password hunter2-secret-arg\n",
            failing.display()
        ),
    );
    let text = c.error(Cloud::Aws).to_string();
    assert!(
        text.contains("credential_process of profile default"),
        "{text}"
    );
    assert!(text.contains("token expired, log in again"), "{text}");
    clean(&text, &["hunter2-secret-arg"]);
}

#[test]
fn aws_profile_sso_uses_the_cached_token() {
    let mut f = fixture();
    let sso_token = "aoaAAAAAGcached-sso-access-token-0123456789";
    f.identity.aws.sso.push(SsoGrant {
        access_token: sso_token.into(),
        account_id: "418295730641".into(),
        role_name: "ReadOnly".into(),
    });
    let c = Case::new(f);
    c.write(
        ".aws/config",
        "[default]\nsso_session = corp\nsso_account_id = 418295730641\nsso_role_name = ReadOnly\nregion = eu-central-1\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n",
    );
    // The cache file is named by the SHA-1 of the session name (`printf corp | sha1sum`).
    let cache = ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json";
    let write_cache = |expires: &str| {
        c.write(
            cache,
            &json!({"accessToken": sso_token, "expiresAt": expires, "region": "eu-west-1", "startUrl": "https://corp.awsapps.com/start"}).to_string(),
        );
    };
    write_cache("2099-01-01T00:00:00Z");
    let source = c.read(Cloud::Aws);
    assert!(
        source.ends_with(
            "IAM Identity Center (SSO session corp, account 418295730641, role ReadOnly)"
        ),
        "{source}"
    );

    write_cache("2001-01-01T00:00:00Z");
    let text = c.error(Cloud::Aws).to_string();
    assert!(text.contains("the SSO session has expired"), "{text}");
    assert!(text.contains("aws sso login --profile default"), "{text}");
    clean(&text, &[sso_token]);

    std::fs::remove_file(c.home.path().join(cache)).expect("rm");
    let text = c.error(Cloud::Aws).to_string();
    assert!(text.contains("no cached SSO token"), "{text}");
}

#[test]
fn aws_ecs_container_credentials_full_and_relative_uri() {
    let mut f = fixture();
    let auth = "ecs-authorization-token-0123456789";
    f.identity.aws.ecs = Some(EcsEndpoint {
        authorization: Some(auth.into()),
    });
    let mut c = Case::new(f);
    let token_file = c.write("ecs/token", auth);
    c.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", c.cloud.aws_ecs_url())
        .set(
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            token_file.display().to_string(),
        );
    let source = c.read(Cloud::Aws);
    assert!(
        source.starts_with(
            "ECS container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:"
        ),
        "{source}"
    );
    assert!(source.contains("authorization token file"), "{source}");

    // The relative URI, appended to the agent's address.
    c.env.remove("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    c.set(
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "/v2/credentials/task-1",
    );
    let source = c.read(Cloud::Aws);
    assert!(
        source.starts_with("ECS container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI="),
        "{source}"
    );

    // A wrong authorization token.
    c.write("ecs/token", "not-the-ecs-token-0123");
    let text = c.error(Cloud::Aws).to_string();
    assert!(
        text.contains("container credentials endpoint answered HTTP 401"),
        "{text}"
    );
    clean(&text, &["not-the-ecs-token-0123", auth]);

    // Plain http to anything but a loopback or agent address is refused.
    c.env.remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    c.set(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "http://credentials.example.com/x",
    );
    let text = c.error(Cloud::Aws).to_string();
    assert!(text.contains("must be https"), "{text}");
}

#[test]
fn aws_ec2_instance_metadata_last() {
    let mut f = fixture();
    f.identity.aws.instance_role = Some("meridian-reader".into());
    let mut c = Case::new(f);
    let source = c.read(Cloud::Aws);
    assert!(
        source.starts_with("EC2 instance metadata (IMDSv2 at http://127.0.0.1:"),
        "{source}"
    );
    // Disabled: the chain ends without credentials, saying what it looked at.
    c.set("AWS_EC2_METADATA_DISABLED", "true");
    let text = c.error(Cloud::Aws).to_string();
    assert!(text.contains("EC2 instance metadata is disabled"), "{text}");
}

#[test]
fn aws_without_any_source_lists_the_chain() {
    let mut c = Case::new(fixture());
    c.set("AWS_ACCESS_KEY_ID", "AKIA0000HALF0000");
    let text = c.error(Cloud::Aws).to_string();
    for part in [
        "no AWS credentials found",
        "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not (set AWS_SECRET_ACCESS_KEY too)",
        "no profiles in",
        "no AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE",
        "no AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI",
        "EC2 instance metadata at http://127.0.0.1:",
    ] {
        assert!(text.contains(part), "{part:?} in {text}");
    }
    clean(&text, &["AKIA0000HALF0000"]);
}

// ------------------------------------------------------------------------------------------
// Azure

fn azure_app(f: &mut Fixture) -> &mut AzureApp {
    f.identity.azure.apps.push(AzureApp {
        tenant_id: TENANT.into(),
        client_id: CLIENT.into(),
        client_secret: None,
        certificate: None,
        federated_token: None,
    });
    f.identity.azure.apps.last_mut().expect("app")
}

fn client_env(c: &mut Case) {
    c.set("AZURE_TENANT_ID", TENANT)
        .set("AZURE_CLIENT_ID", CLIENT);
}

#[test]
fn azure_access_token_comes_first() {
    let mut f = fixture();
    azure_app(&mut f).client_secret = Some("client-secret-value-0123456789".into());
    let token = f.auth.azure_token.clone();
    let mut c = Case::new(f);
    client_env(&mut c);
    c.set("AZURE_CLIENT_SECRET", "client-secret-value-0123456789")
        .set("AZURE_ACCESS_TOKEN", token);
    assert_eq!(c.read(Cloud::Azure), "AZURE_ACCESS_TOKEN");
    assert_eq!(c.requests_to("/azure/login"), 0);
}

#[test]
fn azure_client_secret_before_workload_identity() {
    let secret = "client-secret-value-0123456789";
    let mut f = fixture();
    let app = azure_app(&mut f);
    app.client_secret = Some(secret.into());
    app.federated_token = Some(OIDC.into());
    let mut c = Case::new(f);
    client_env(&mut c);
    let file = c.write("oidc/azure", OIDC);
    c.set("AZURE_CLIENT_SECRET", secret)
        .set("AZURE_FEDERATED_TOKEN_FILE", file.display().to_string());
    assert_eq!(
        c.read(Cloud::Azure),
        format!("client secret (AZURE_TENANT_ID={TENANT}, AZURE_CLIENT_ID={CLIENT})")
    );

    c.set("AZURE_CLIENT_SECRET", "an-expired-client-secret-99");
    let text = c.error(Cloud::Azure).to_string();
    assert!(
        text.starts_with("azure.corp: client secret (AZURE_TENANT_ID="),
        "{text}"
    );
    assert!(text.contains("AADSTS7000215"), "{text}");
    assert!(text.contains("check AZURE_CLIENT_SECRET"), "{text}");
    clean(&text, &["an-expired-client-secret-99", secret]);
}

#[test]
fn azure_client_certificate_signs_an_assertion() {
    let mut f = fixture();
    azure_app(&mut f).certificate = Some(TEST_CERTIFICATE_PEM.into());
    let mut c = Case::new(f);
    client_env(&mut c);
    for key in [TEST_PRIVATE_KEY_PEM, TEST_PRIVATE_KEY_RSA_PEM] {
        let pem = c.write("certs/app.pem", &format!("{TEST_CERTIFICATE_PEM}{key}"));
        c.set("AZURE_CLIENT_CERTIFICATE_PATH", pem.display().to_string());
        assert_eq!(
            c.read(Cloud::Azure),
            format!(
                "client certificate (AZURE_TENANT_ID={TENANT}, AZURE_CLIENT_ID={CLIENT}, certificate {})",
                pem.display()
            )
        );
    }
    // Signed with another key than the certificate's: refused, naming the certificate.
    let pem = c.write(
        "certs/app.pem",
        &format!("{TEST_CERTIFICATE_PEM}{OTHER_PRIVATE_KEY_PEM}"),
    );
    let text = c.error(Cloud::Azure).to_string();
    assert!(
        text.contains(&format!("refused the certificate {}", pem.display())),
        "{text}"
    );
    assert!(text.contains("AADSTS700027"), "{text}");
    assert!(text.contains("uploaded to the app registration"), "{text}");
    clean(&text, &["PRIVATE KEY"]);
    // A PKCS#12 file is not read, and the error says how to convert it.
    c.write("certs/app.pem", "\u{30}\u{82}binary-pfx");
    let text = c.error(Cloud::Azure).to_string();
    assert!(text.contains("openssl pkcs12"), "{text}");
}

#[test]
fn azure_workload_identity_federation() {
    let mut f = fixture();
    azure_app(&mut f).federated_token = Some(OIDC.into());
    let mut c = Case::new(f);
    client_env(&mut c);
    let file = c.write("oidc/azure", OIDC);
    c.set("AZURE_FEDERATED_TOKEN_FILE", file.display().to_string());
    assert_eq!(
        c.read(Cloud::Azure),
        format!(
            "workload identity federation (AZURE_TENANT_ID={TENANT}, AZURE_CLIENT_ID={CLIENT}, token file {})",
            file.display()
        )
    );
    let other = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmV2aWwifQ.ZXZpbC1zaWduYXR1cmU";
    c.write("oidc/azure", other);
    let text = c.error(Cloud::Azure).to_string();
    assert!(text.contains("refused the federated token"), "{text}");
    assert!(text.contains("AADSTS70021"), "{text}");
    assert!(text.contains("api://AzureADTokenExchange"), "{text}");
    clean(&text, &[other, OIDC]);
}

#[test]
fn azure_managed_identity_app_service_then_instance_metadata() {
    let mut f = fixture();
    let header = "app-service-identity-header-0123456789";
    f.identity.azure.managed_identity = Some(ManagedIdentity {
        client_id: None,
        identity_header: header.into(),
    });
    let mut c = Case::new(f);
    c.set("IDENTITY_ENDPOINT", c.cloud.azure_identity_endpoint())
        .set("IDENTITY_HEADER", header);
    let source = c.read(Cloud::Azure);
    assert!(
        source.starts_with("managed identity (App Service, IDENTITY_ENDPOINT=http://127.0.0.1:"),
        "{source}"
    );

    c.env.remove("IDENTITY_ENDPOINT");
    c.env.remove("IDENTITY_HEADER");
    let source = c.read(Cloud::Azure);
    assert!(
        source.starts_with("managed identity (instance metadata at http://127.0.0.1:"),
        "{source}"
    );

    // A user-assigned identity is asked for by AZURE_CLIENT_ID; this VM has none of that id.
    c.set("AZURE_CLIENT_ID", "11111111-2222-3333-4444-555555555555");
    let text = c.error(Cloud::Azure).to_string();
    assert!(text.contains("no Azure credentials found"), "{text}");
    assert!(text.contains("no managed identity is assigned"), "{text}");
}

#[test]
fn azure_user_assigned_managed_identity_and_workload_identity_precedence() {
    let mut f = fixture();
    let uami = "99999999-0000-4000-8000-00000000abcd";
    f.identity.azure.managed_identity = Some(ManagedIdentity {
        client_id: Some(uami.into()),
        identity_header: "unused-header-value-000".into(),
    });
    f.identity.azure.apps.push(AzureApp {
        tenant_id: TENANT.into(),
        client_id: uami.into(),
        client_secret: None,
        certificate: None,
        federated_token: Some(OIDC.into()),
    });
    let mut c = Case::new(f);
    c.set("AZURE_CLIENT_ID", uami);
    let source = c.read(Cloud::Azure);
    assert!(
        source.ends_with(&format!(", user-assigned client {uami})")),
        "{source}"
    );
    // With a tenant and a federated token file, workload identity comes first.
    let file = c.write("oidc/azure", OIDC);
    c.set("AZURE_TENANT_ID", TENANT)
        .set("AZURE_FEDERATED_TOKEN_FILE", file.display().to_string());
    assert!(c
        .read(Cloud::Azure)
        .starts_with("workload identity federation"));
}

#[test]
fn azure_without_any_source_lists_the_chain() {
    let mut c = Case::new(fixture());
    c.set("AZURE_CLIENT_SECRET", "secret-without-tenant-000");
    let text = c.error(Cloud::Azure).to_string();
    for part in [
        "no Azure credentials found",
        "no AZURE_ACCESS_TOKEN",
        "AZURE_CLIENT_SECRET is set but AZURE_TENANT_ID and AZURE_CLIENT_ID is not",
        "no AZURE_FEDERATED_TOKEN_FILE",
        "managed identity at http://127.0.0.1:",
        "no `az` CLI on PATH",
        "az login",
    ] {
        assert!(text.contains(part), "{part:?} in {text}");
    }
    clean(&text, &["secret-without-tenant-000"]);
}

#[cfg(unix)]
#[test]
fn azure_cli_last() {
    let f = fixture();
    let token = f.auth.azure_token.clone();
    let mut c = Case::new(f);
    let bin = c.script(
        "bin/az",
        &format!("#!/bin/sh\n[ \"$1 $2 $3 $4 $8\" = \"account get-access-token --resource https://management.azure.com/ tsv\" ] || exit 3\necho {token}\n"),
    );
    c.set("PATH", bin.parent().expect("dir").display().to_string());
    assert_eq!(
        c.read(Cloud::Azure),
        "Azure CLI (`az account get-access-token`)"
    );
}

// ------------------------------------------------------------------------------------------
// Google Cloud

fn service_account_file(c: &Case, key: &str) -> PathBuf {
    c.write(
        "keys/sa.json",
        &json!({
            "type": "service_account",
            "project_id": PROJECT,
            "private_key_id": "0123456789abcdef",
            "private_key": key,
            "client_email": SA,
            "client_id": "1234567890",
            "token_uri": c.cloud.gcp_token_uri(),
        })
        .to_string(),
    )
}

#[test]
fn gcp_service_account_key() {
    let mut f = fixture();
    f.identity.gcp.service_accounts.push(GcpServiceAccount {
        client_email: SA.into(),
        certificate: TEST_CERTIFICATE_PEM.into(),
    });
    let mut c = Case::new(f);
    let file = service_account_file(&c, TEST_PRIVATE_KEY_PEM);
    c.set("GOOGLE_APPLICATION_CREDENTIALS", file.display().to_string());
    assert_eq!(
        c.read(Cloud::Gcp),
        format!(
            "service account key of {SA} (GOOGLE_APPLICATION_CREDENTIALS={})",
            file.display()
        )
    );
    // Another key: the JWT's signature does not verify.
    service_account_file(&c, OTHER_PRIVATE_KEY_PEM);
    let text = c.error(Cloud::Gcp).to_string();
    assert!(text.contains("refused the key's assertion"), "{text}");
    assert!(text.contains("Invalid JWT Signature"), "{text}");
    assert!(text.contains("key 0123456789abcdef of"), "{text}");
    clean(&text, &["PRIVATE KEY"]);
}

#[test]
fn gcp_user_credentials_from_gclouds_adc_file_and_the_variable_first() {
    let mut f = fixture();
    let refresh_token = "1//0gUserRefreshToken-0123456789";
    let client_secret = "d-FL95Q19q7MQmFpd7hHD0Ty";
    f.identity.gcp.authorized_users.push(AuthorizedUser {
        client_id: "764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com"
            .into(),
        client_secret: client_secret.into(),
        refresh_token: refresh_token.into(),
    });
    f.identity.gcp.service_accounts.push(GcpServiceAccount {
        client_email: SA.into(),
        certificate: TEST_CERTIFICATE_PEM.into(),
    });
    let mut c = Case::new(f);
    let adc = c.write(
        ".config/gcloud/application_default_credentials.json",
        &json!({
            "type": "authorized_user",
            "client_id": "764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com",
            "client_secret": client_secret,
            "refresh_token": refresh_token,
            "token_uri": c.cloud.gcp_token_uri(),
        })
        .to_string(),
    );
    assert_eq!(
        c.read(Cloud::Gcp),
        format!(
            "gcloud user credentials (authorized_user) (gcloud's ADC file={})",
            adc.display()
        )
    );
    // GOOGLE_APPLICATION_CREDENTIALS comes before gcloud's file.
    let sa = service_account_file(&c, TEST_PRIVATE_KEY_PEM);
    c.set("GOOGLE_APPLICATION_CREDENTIALS", sa.display().to_string());
    assert!(c.read(Cloud::Gcp).starts_with("service account key of"));
    // A revoked refresh token says how to log in again.
    c.env.remove("GOOGLE_APPLICATION_CREDENTIALS");
    c.write(
        ".config/gcloud/application_default_credentials.json",
        &json!({
            "type": "authorized_user",
            "client_id": "764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com",
            "client_secret": client_secret,
            "refresh_token": "1//0gRevokedRefreshToken-999",
            "token_uri": c.cloud.gcp_token_uri(),
        })
        .to_string(),
    );
    let text = c.error(Cloud::Gcp).to_string();
    assert!(
        text.contains("gcloud auth application-default login"),
        "{text}"
    );
    clean(&text, &["1//0gRevokedRefreshToken-999", client_secret]);
}

fn external_account(c: &Case, source: &serde_json::Value, impersonate: bool) -> PathBuf {
    let mut doc = json!({
        "type": "external_account",
        "audience": AUDIENCE,
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "token_url": c.cloud.gcp_sts_url(),
        "credential_source": source,
    });
    if impersonate {
        doc["service_account_impersonation_url"] = json!(c.cloud.gcp_impersonation_url(SA));
    }
    c.write("gcp/external.json", &doc.to_string())
}

fn workload_fixture(impersonate: bool) -> Fixture {
    let mut f = fixture();
    f.identity.gcp.workload_providers.push(WorkloadProvider {
        audience: AUDIENCE.into(),
        subject_token: Some(OIDC.into()),
        aws: None,
        service_account: impersonate.then(|| SA.into()),
    });
    f
}

#[test]
fn gcp_workload_identity_federation_from_a_file_with_impersonation() {
    let mut c = Case::new(workload_fixture(true));
    let token = c.write("oidc/gcp", OIDC);
    let file = external_account(&c, &json!({"file": token.display().to_string()}), true);
    c.set("GOOGLE_APPLICATION_CREDENTIALS", file.display().to_string());
    assert_eq!(
        c.read(Cloud::Gcp),
        format!(
            "workload identity federation (external_account, subject token from file {}, audience {AUDIENCE}, impersonating {SA}) (GOOGLE_APPLICATION_CREDENTIALS={})",
            token.display(),
            file.display()
        )
    );
    assert_eq!(c.requests_to("/gcp/sts/v1/token"), 1);
    assert_eq!(c.requests_to(":generateAccessToken"), 1);

    // Without the impersonation step the federated token is refused by the APIs.
    let file = external_account(&c, &json!({"file": token.display().to_string()}), false);
    let creds = Credentials::from_lookup(&[scope(Cloud::Gcp)], |n| c.env.get(n).cloned())
        .expect("the exchange itself works");
    let e = refresh(&[scope(Cloud::Gcp)], &creds, &fast(), &NoProgress).expect_err("refused");
    assert!(e.to_string().contains("UNAUTHENTICATED"), "{e}");
    let _ = file;

    // A token the provider does not accept.
    external_account(&c, &json!({"file": token.display().to_string()}), true);
    c.write(
        "oidc/gcp",
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvdGhlciJ9.b3RoZXI",
    );
    let text = c.error(Cloud::Gcp).to_string();
    assert!(text.contains("Google STS at"), "{text}");
    assert!(text.contains("attribute condition"), "{text}");
    clean(
        &text,
        &["eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvdGhlciJ9.b3RoZXI"],
    );
}

#[test]
fn gcp_workload_identity_federation_from_azure_through_a_url() {
    // An Azure VM's managed identity token as the subject token: the URL source with a
    // header and a JSON format.
    let mut f = workload_fixture(false);
    f.identity.gcp.workload_providers[0].subject_token = Some(f.auth.azure_token.clone());
    f.identity.azure.managed_identity = Some(ManagedIdentity {
        client_id: None,
        identity_header: "unused-header-value-000".into(),
    });
    let mut c = Case::new(f);
    let url = format!(
        "{}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/",
        c.cloud.azure_imds_host()
    );
    let file = external_account(
        &c,
        &json!({"url": url, "headers": {"Metadata": "true"}, "format": {"type": "json", "subject_token_field_name": "access_token"}}),
        false,
    );
    c.set("GOOGLE_APPLICATION_CREDENTIALS", file.display().to_string());
    let source = c.read(Cloud::Gcp);
    assert!(
        source.contains("subject token from URL http://127.0.0.1:"),
        "{source}"
    );
    assert!(
        !source.contains("api-version"),
        "the URL's query is not shown: {source}"
    );
}

#[cfg(unix)]
#[test]
fn gcp_workload_identity_federation_from_an_executable() {
    let mut c = Case::new(workload_fixture(true));
    let exe = c.script(
        "bin/oidc-helper",
        &format!(
            "#!/bin/sh\n[ \"$GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE\" = \"{AUDIENCE}\" ] || exit 4\necho '{}'\n",
            json!({"version": 1, "success": true, "token_type": "urn:ietf:params:oauth:token-type:jwt", "id_token": OIDC, "expiration_time": 4_102_444_800u64})
        ),
    );
    let file = external_account(
        &c,
        &json!({"executable": {"command": format!("{} --audience ci", exe.display()), "timeout_millis": 5000}}),
        true,
    );
    c.set("GOOGLE_APPLICATION_CREDENTIALS", file.display().to_string());
    // Executables run only when allowed.
    let text = c.error(Cloud::Gcp).to_string();
    assert!(
        text.contains("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1"),
        "{text}"
    );
    c.set("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES", "1");
    let source = c.read(Cloud::Gcp);
    assert!(
        source.contains(&format!("subject token from executable {}", exe.display())),
        "{source}"
    );
}

#[test]
fn gcp_workload_identity_federation_from_aws() {
    let mut f = fixture();
    let aws = AwsCredentials {
        access_key_id: "AKIAGCPFEDERATION001".into(),
        secret_access_key: "aws-secret-for-gcp-federation-0123".into(),
        session_token: None,
        account_id: "222222222222".into(),
    };
    f.identity.gcp.workload_providers.push(WorkloadProvider {
        audience: AUDIENCE.into(),
        subject_token: None,
        aws: Some(aws.clone()),
        service_account: Some(SA.into()),
    });
    let mut c = Case::new(f);
    let mut doc = json!({
        "type": "external_account",
        "audience": AUDIENCE,
        "subject_token_type": "urn:ietf:params:aws:token-type:aws4_request",
        "token_url": c.cloud.gcp_sts_url(),
        "service_account_impersonation_url": c.cloud.gcp_impersonation_url(SA),
        "credential_source": {
            "environment_id": "aws1",
            "regional_cred_verification_url": "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
        },
    });
    let file = c.write("gcp/aws.json", &doc.to_string());
    c.set("GOOGLE_APPLICATION_CREDENTIALS", file.display().to_string())
        .set("AWS_REGION", "eu-west-1")
        .set("AWS_ACCESS_KEY_ID", aws.access_key_id.clone())
        .set("AWS_SECRET_ACCESS_KEY", aws.secret_access_key.clone());
    let source = c.read(Cloud::Gcp);
    assert!(
        source.contains("subject token from AWS (a signed GetCallerIdentity request)"),
        "{source}"
    );

    // Signed with other keys: refused by Google STS, and no AWS secret in the message.
    c.set("AWS_SECRET_ACCESS_KEY", "a-wrong-aws-secret-key-000");
    let text = c.error(Cloud::Gcp).to_string();
    assert!(text.contains("signature is not valid"), "{text}");
    clean(
        &text,
        &["a-wrong-aws-secret-key-000", &aws.secret_access_key],
    );
    doc["credential_source"]["environment_id"] = json!("aws2");
    c.write("gcp/aws.json", &doc.to_string());
    assert!(c.error(Cloud::Gcp).to_string().contains("is not aws1"));
}

#[test]
fn gcp_metadata_server_then_nothing() {
    let mut f = fixture();
    f.identity.gcp.metadata_service_account =
        Some("123-compute@developer.gserviceaccount.com".into());
    let c = Case::new(f);
    let source = c.read(Cloud::Gcp);
    assert!(
        source.starts_with("metadata server (127.0.0.1:"),
        "{source}"
    );

    let c = Case::new(fixture());
    let text = c.error(Cloud::Gcp).to_string();
    for part in [
        "no Google Cloud credentials found",
        "no GOOGLE_OAUTH_ACCESS_TOKEN",
        "no GOOGLE_APPLICATION_CREDENTIALS",
        "application_default_credentials.json",
        "not from a Google metadata server",
        "no `gcloud` CLI on PATH",
    ] {
        assert!(text.contains(part), "{part:?} in {text}");
    }
}

#[cfg(unix)]
#[test]
fn gcp_gcloud_cli_last_and_its_failure_named() {
    let mut c = Case::new(fixture());
    let bin = c.script(
        "bin/gcloud",
        "#!/bin/sh\necho 'ERROR: (gcloud.auth.print-access-token) not logged in' >&2\nexit 1\n",
    );
    c.set("PATH", bin.parent().expect("dir").display().to_string());
    let text = c.error(Cloud::Gcp).to_string();
    assert!(text.starts_with("gcp.corp: gcloud CLI (`gcloud auth print-access-token`): `gcloud auth print-access-token` failed"), "{text}");
    assert!(text.contains("not logged in"), "{text}");
    assert!(text.contains("GOOGLE_OAUTH_ACCESS_TOKEN"), "{text}");
}

// ------------------------------------------------------------------------------------------
// The cache

/// An account of the resource group, without deployments.
fn account(i: usize) -> serde_json::Value {
    json!({
        "id": format!("/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts/acct-{i}"),
        "name": format!("acct-{i}"),
        "location": "swedencentral",
        "kind": "AIServices",
        "sku": {"name": "S0"},
        "tags": {},
        "properties": {"customSubDomainName": format!("acct-{i}"), "provisioningState": "Succeeded"},
        "deployments": [],
    })
}

#[test]
fn a_token_is_fetched_once_for_a_run() {
    let secret = "client-secret-value-0123456789";
    let mut f = fixture();
    azure_app(&mut f).client_secret = Some(secret.into());
    // Several accounts, two a page: many ARM requests with one token.
    let rg = f.azure_resource_group_mut(SUB, RG);
    for i in 0..6 {
        rg.accounts.push(account(i));
    }
    let mut c = Case::new(f);
    client_env(&mut c);
    c.set("AZURE_CLIENT_SECRET", secret);
    c.read(Cloud::Azure);
    assert_eq!(c.requests_to("/azure/login"), 1);
    assert!(
        c.requests_to("/azure/subscriptions") >= 9,
        "{:?}",
        c.cloud.requests()
    );
}

#[test]
fn a_token_about_to_expire_is_fetched_again_during_a_long_refresh() {
    let secret = "client-secret-value-0123456789";
    let mut f = fixture();
    azure_app(&mut f).client_secret = Some(secret.into());
    // Tokens live 2 s, and the APIs refuse them after; each ARM request takes 400 ms.
    f.identity.token_lifetime_secs = Some(2);
    let rg = f.azure_resource_group_mut(SUB, RG);
    for i in 0..6 {
        rg.accounts.push(account(i));
    }
    f.faults.push(
        meridian_fakecloud::Fault::new(
            meridian_fakecloud::Provider::Azure,
            meridian_fakecloud::FaultKind::Latency { ms: 400 },
        )
        .path_contains("/subscriptions/"),
    );
    let mut c = Case::new(f);
    client_env(&mut c);
    c.set("AZURE_CLIENT_SECRET", secret);
    let creds = c.creds(Cloud::Azure).expect("credentials");
    let opts = Options {
        parallelism: 1,
        ..fast()
    };
    let started = std::time::Instant::now();
    refresh(&[scope(Cloud::Azure)], &creds, &opts, &NoProgress)
        .expect("every request carried a live token");
    let took = started.elapsed();
    assert!(
        took > Duration::from_secs(3),
        "the refresh outlived a token: {took:?}"
    );
    let tokens = c.requests_to("/azure/login");
    assert!(
        tokens >= 2,
        "a new token was fetched before the first expired: {tokens}"
    );
    assert!(tokens <= 8, "but not for every request: {tokens}");
}
