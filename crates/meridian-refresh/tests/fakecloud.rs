//! Refresh against the fake cloud: every list paged, SigV4 accepted, objects mapped to
//! Meridian's vocabulary, and each failure mode reported with the right kind and context.

use meridian_fakecloud::{
    AwsCredentials, FakeCloud, Fault, FaultKind, Fixture, Provider, TEST_AWS_ACCESS_KEY_ID,
    TEST_AWS_SECRET_ACCESS_KEY, TEST_AZURE_TOKEN, TEST_GCP_TOKEN,
};
use meridian_refresh::{
    refresh, Cloud, Credentials, ErrorKind, LiveObject, NoProgress, Options, Progress,
    ProviderScope, RefreshFailure,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const SUB: &str = "11111111-2222-3333-4444-555555555555";
const RG: &str = "rg-ai";
const ACCOUNT: &str = "123456789012";
const PROJECT: &str = "ml-prod";

fn account(i: usize) -> Value {
    let name = format!("acct-{i}");
    let id = format!(
        "/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts/{name}"
    );
    let deployments: Vec<Value> = (0..if i == 0 { 5 } else { 1 })
        .map(|d| {
            json!({
                "id": format!("{id}/deployments/dep-{d}"),
                "name": format!("dep-{d}"),
                "sku": {"name": "DataZoneStandard", "capacity": 10 + d},
                "tags": {"managed-by": "meridian"},
                "properties": {
                    "model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-08-06"},
                    "provisioningState": "Succeeded",
                    "raiPolicyName": "Microsoft.DefaultV2",
                    "versionUpgradeOption": "NoAutoUpgrade"
                }
            })
        })
        .collect();
    json!({
        "id": id,
        "name": name,
        "location": if i.is_multiple_of(2) { "swedencentral" } else { "francecentral" },
        "kind": "AIServices",
        "sku": {"name": "S0"},
        "identity": {"type": "SystemAssigned"},
        "tags": {"meridian-address": format!("azure.corp.account.{i}")},
        "properties": {
            "endpoint": format!("https://{name}.cognitiveservices.azure.com/"),
            "customSubDomainName": name,
            "publicNetworkAccess": if i == 1 { "Enabled" } else { "Disabled" },
            "disableLocalAuth": i != 1,
            "networkAcls": {"defaultAction": "Deny", "ipRules": [{"value": "203.0.113.0/24"}, {"value": "198.51.100.7"}]},
            "provisioningState": "Succeeded"
        },
        "deployments": deployments
    })
}

fn profile_arn(region: &str, account: &str, i: usize) -> String {
    format!("arn:aws:bedrock:{region}:{account}:application-inference-profile/p{i}")
}

fn throughput_arn(region: &str, i: usize) -> String {
    format!("arn:aws:bedrock:{region}:{ACCOUNT}:provisioned-model/t{i}")
}

/// Azure: 5 accounts (3 pages of 2), the first with 5 deployments (3 pages). AWS
/// eu-central-1: 5 profiles of the account and one of another, 5 throughputs, logging;
/// us-east-1: nothing. GCP: the API enabled, 3 members of the role, 5 endpoints.
fn fixture() -> Fixture {
    let region = "eu-central-1";
    let mut profiles: Vec<Value> = (0..5)
        .map(|i| {
            json!({
                "inferenceProfileName": format!("profile-{i}"),
                "inferenceProfileId": format!("p{i}"),
                "inferenceProfileArn": profile_arn(region, ACCOUNT, i),
                "description": format!("profile {i}"),
                "models": [{"modelArn": "arn:aws:bedrock:eu-central-1::foundation-model/x"}],
                "status": "ACTIVE",
                "type": "APPLICATION"
            })
        })
        .collect();
    profiles.push(json!({
        "inferenceProfileName": "foreign",
        "inferenceProfileId": "p9",
        "inferenceProfileArn": profile_arn(region, "999999999999", 9),
        "models": [],
        "status": "ACTIVE",
        "type": "APPLICATION"
    }));
    let throughputs: Vec<Value> = (0..5)
        .map(|i| {
            json!({
                "provisionedModelName": format!("pt-{i}"),
                "provisionedModelArn": throughput_arn(region, i),
                "modelArn": "arn:aws:bedrock:eu-central-1::foundation-model/anthropic.claude",
                "foundationModelArn": "arn:aws:bedrock:eu-central-1::foundation-model/anthropic.claude",
                "modelUnits": i + 1,
                "desiredModelUnits": i + 1,
                "status": "InService",
                "commitmentDuration": "OneMonth"
            })
        })
        .collect();
    let mut tags = BTreeMap::new();
    for i in 0..5 {
        tags.insert(
            profile_arn(region, ACCOUNT, i),
            BTreeMap::from([("managed-by".to_string(), "meridian".to_string())]),
        );
        tags.insert(
            throughput_arn(region, i),
            BTreeMap::from([("owner".to_string(), format!("team-{i}"))]),
        );
    }
    let endpoints: Vec<Value> = (0..5)
        .map(|i| {
            json!({
                "name": format!("projects/{PROJECT}/locations/europe-west4/endpoints/{}", 100 + i),
                "displayName": format!("endpoint-{i}"),
                "labels": {"team": "ml"}
            })
        })
        .collect();
    let fixture = json!({
        "page_size": 2,
        "azure": {"subscriptions": {SUB: {"resource_groups": {RG: {
            "accounts": (0..5).map(account).collect::<Vec<_>>()
        }}}}},
        "aws": {"regions": {region: {
            "inference_profiles": profiles,
            "provisioned_throughputs": throughputs,
            "logging": {"s3Config": {"bucketName": "logs", "keyPrefix": "proj/eu-central-1"}, "textDataDeliveryEnabled": true},
            "tags": tags
        }}},
        "gcp": {"projects": {PROJECT: {
            "number": "424242424242",
            "services": {"aiplatform.googleapis.com": "ENABLED"},
            "iam_bindings": [
                {"role": "roles/aiplatform.user", "members": ["user:a@example.com", "serviceAccount:b@ml-prod.iam.gserviceaccount.com"]},
                {"role": "roles/viewer", "members": ["user:c@example.com"]},
                {"role": "roles/aiplatform.user", "members": ["group:ml@example.com"]}
            ],
            "endpoints": {"europe-west4": endpoints}
        }}}
    });
    serde_json::from_value(fixture).expect("fixture")
}

fn scopes() -> Vec<ProviderScope> {
    vec![
        ProviderScope {
            cloud: Cloud::Azure,
            address: "azure.corp".into(),
            regions: vec!["swedencentral".into()],
            subscription_id: Some(SUB.into()),
            resource_group: Some(RG.into()),
            account_id: None,
            partition: None,
            project: None,
            endpoint: None,
        },
        ProviderScope {
            cloud: Cloud::Aws,
            address: "aws.corp".into(),
            regions: vec!["eu-central-1".into(), "us-east-1".into()],
            subscription_id: None,
            resource_group: None,
            account_id: Some(ACCOUNT.into()),
            partition: None,
            project: None,
            endpoint: None,
        },
        ProviderScope {
            cloud: Cloud::Gcp,
            address: "gcp.corp".into(),
            regions: vec!["europe-west4".into()],
            subscription_id: None,
            resource_group: None,
            account_id: None,
            partition: None,
            project: Some(PROJECT.into()),
            endpoint: None,
        },
    ]
}

/// The environment pointing at `fc`, with `overrides` (a `None` value unsets).
fn env(fc: &FakeCloud, overrides: &[(&str, Option<&str>)]) -> BTreeMap<String, String> {
    let mut env = BTreeMap::from([
        (
            "AZURE_ACCESS_TOKEN".to_string(),
            TEST_AZURE_TOKEN.to_string(),
        ),
        ("GOOGLE_OAUTH_ACCESS_TOKEN".into(), TEST_GCP_TOKEN.into()),
        ("AWS_ACCESS_KEY_ID".into(), TEST_AWS_ACCESS_KEY_ID.into()),
        (
            "AWS_SECRET_ACCESS_KEY".into(),
            TEST_AWS_SECRET_ACCESS_KEY.into(),
        ),
        ("MERIDIAN_AZURE_ENDPOINT".into(), fc.azure_endpoint()),
        ("MERIDIAN_AWS_ENDPOINT".into(), fc.aws_endpoint()),
        ("MERIDIAN_AWS_STS_ENDPOINT".into(), fc.aws_sts_endpoint()),
        ("MERIDIAN_GCP_ENDPOINT".into(), fc.gcp_endpoint()),
        ("PATH".into(), String::new()),
    ]);
    for (k, v) in overrides {
        match v {
            Some(v) => env.insert((*k).to_string(), (*v).to_string()),
            None => env.remove(*k),
        };
    }
    env
}

fn creds_with(
    fc: &FakeCloud,
    scopes: &[ProviderScope],
    overrides: &[(&str, Option<&str>)],
) -> Credentials {
    let env = env(fc, overrides);
    Credentials::from_lookup(scopes, |name| env.get(name).cloned()).expect("credentials")
}

fn fast() -> Options {
    Options {
        parallelism: 8,
        request_timeout: Duration::from_secs(5),
        deadline: Duration::from_secs(30),
        max_attempts: 3,
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(50),
    }
}

fn run(fc: &FakeCloud, opts: &Options) -> Result<meridian_refresh::Observation, RefreshFailure> {
    let scopes = scopes();
    let creds = creds_with(fc, &scopes, &[]);
    refresh(&scopes, &creds, opts, &NoProgress)
}

fn of_kind<'o>(objects: &'o [LiveObject], kind: &str) -> Vec<&'o LiveObject> {
    objects.iter().filter(|o| o.kind == kind).collect()
}

fn only_error(f: &RefreshFailure) -> &meridian_refresh::RefreshError {
    assert_eq!(f.errors.len(), 1, "{f}");
    &f.errors[0]
}

#[test]
fn reads_every_page_of_every_list_and_maps_objects() {
    let fc = FakeCloud::start(fixture()).expect("fake cloud");
    let obs = run(&fc, &fast()).expect("refresh");
    assert_eq!(obs.requests, fc.request_count());
    let requests = fc.requests();
    let count = |path: &str| requests.iter().filter(|r| r.path.ends_with(path)).count();
    // 5 items at 2 a page: 3 pages of every list.
    assert_eq!(count("/accounts"), 3);
    assert_eq!(count("/accounts/acct-0/deployments"), 3);
    assert_eq!(
        count("/inference-profiles"),
        3 + 1,
        "3 pages here, 1 in us-east-1"
    );
    assert_eq!(count("/provisioned-model-throughputs"), 3 + 1);
    assert_eq!(count("/locations/europe-west4/endpoints"), 3);
    assert_eq!(
        count("/aws/sts"),
        1,
        "one account check for the one AWS provider block"
    );
    assert_eq!(
        count("/listTagsForResource"),
        10,
        "the foreign profile is skipped"
    );
    assert!(
        requests.iter().all(|r| r.status == Some(200)),
        "{requests:?}"
    );
    assert!(requests
        .iter()
        .filter(|r| r.path.ends_with("/inference-profiles"))
        .all(|r| r
            .query
            .as_deref()
            .is_some_and(|q| q.contains("type=APPLICATION"))));

    let o = &obs.objects;
    let accounts = of_kind(o, "azure_account");
    assert_eq!(accounts.len(), 5);
    let a1 = accounts
        .iter()
        .find(|a| a.name == "acct-1")
        .expect("acct-1");
    assert_eq!(a1.region.as_deref(), Some("francecentral"));
    assert_eq!(a1.attributes["local_auth_enabled"], json!(true));
    assert_eq!(a1.attributes["public_network_access_enabled"], json!(true));
    assert_eq!(
        a1.attributes["allowed_ips"],
        json!(["203.0.113.0/24", "198.51.100.7"])
    );
    assert_eq!(a1.attributes["subscription_id"], json!(SUB));
    assert_eq!(a1.attributes["resource_group_name"], json!(RG));
    assert_eq!(a1.attributes["sku_name"], json!("S0"));
    assert_eq!(a1.attributes["kind"], json!("AIServices"));
    assert_eq!(a1.attributes["identity_type"], json!("SystemAssigned"));
    assert_eq!(a1.attributes["custom_subdomain_name"], json!("acct-1"));
    assert_eq!(a1.tags["meridian-address"], "azure.corp.account.1");
    let a0 = accounts
        .iter()
        .find(|a| a.name == "acct-0")
        .expect("acct-0");
    assert_eq!(a0.attributes["local_auth_enabled"], json!(false));
    assert_eq!(a0.attributes["public_network_access_enabled"], json!(false));

    let deployments = of_kind(o, "azure_deployment");
    assert_eq!(deployments.len(), 5 + 4);
    let d = deployments
        .iter()
        .find(|d| d.id.contains("acct-0/deployments/dep-4"))
        .expect("dep-4 of acct-0");
    assert_eq!(d.region.as_deref(), Some("swedencentral"));
    assert_eq!(d.attributes["sku_capacity"], json!(14));
    assert!(d.attributes["sku_capacity"].is_u64());
    assert_eq!(d.attributes["sku_name"], json!("DataZoneStandard"));
    assert_eq!(d.attributes["model_format"], json!("OpenAI"));
    assert_eq!(d.attributes["model_name"], json!("gpt-4o"));
    assert_eq!(d.attributes["model_version"], json!("2024-08-06"));
    assert_eq!(
        d.attributes["rai_policy_name"],
        json!("Microsoft.DefaultV2")
    );
    assert_eq!(
        d.attributes["version_upgrade_option"],
        json!("NoAutoUpgrade")
    );
    assert_eq!(d.tags["managed-by"], "meridian");

    let profiles = of_kind(o, "aws_inference_profile");
    assert_eq!(profiles.len(), 5);
    assert!(profiles
        .iter()
        .all(|p| p.tags.get("managed-by").map(String::as_str) == Some("meridian")));
    assert_eq!(profiles[0].attributes["name"], json!("profile-0"));
    assert_eq!(profiles[0].attributes["description"], json!("profile 0"));
    assert_eq!(profiles[0].id, profile_arn("eu-central-1", ACCOUNT, 0));
    let throughputs = of_kind(o, "aws_provisioned_throughput");
    assert_eq!(throughputs.len(), 5);
    let t2 = throughputs.iter().find(|t| t.name == "pt-2").expect("pt-2");
    assert_eq!(t2.attributes["model_units"], json!(3));
    assert!(t2.attributes["model_units"].is_u64());
    assert_eq!(t2.attributes["provisioned_model_name"], json!("pt-2"));
    assert_eq!(
        t2.attributes["model_arn"],
        json!("arn:aws:bedrock:eu-central-1::foundation-model/anthropic.claude")
    );
    assert_eq!(t2.tags["owner"], "team-2");
    let logging = of_kind(o, "aws_invocation_logging");
    assert_eq!(logging.len(), 1, "us-east-1 has no logging configured");
    assert_eq!(logging[0].region.as_deref(), Some("eu-central-1"));
    assert_eq!(logging[0].attributes["s3_bucket_name"], json!("logs"));
    assert_eq!(
        logging[0].attributes["s3_key_prefix"],
        json!("proj/eu-central-1")
    );
    assert_eq!(
        logging[0].attributes["text_data_delivery_enabled"],
        json!(true)
    );
    assert!(logging[0].tags.is_empty());

    let service = of_kind(o, "gcp_service");
    assert_eq!(service.len(), 1);
    assert_eq!(service[0].region, None);
    assert_eq!(service[0].attributes["project"], json!(PROJECT));
    assert_eq!(
        service[0].attributes["service"],
        json!("aiplatform.googleapis.com")
    );
    let members: Vec<&str> = of_kind(o, "gcp_iam_member")
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(
        members,
        [
            "group:ml@example.com",
            "serviceAccount:b@ml-prod.iam.gserviceaccount.com",
            "user:a@example.com"
        ]
    );
    let member = &of_kind(o, "gcp_iam_member")[0];
    assert_eq!(member.attributes["role"], json!("roles/aiplatform.user"));
    assert_eq!(member.attributes["member"], json!("group:ml@example.com"));
    let endpoints = of_kind(o, "gcp_endpoint");
    assert_eq!(endpoints.len(), 5);
    assert!(endpoints
        .iter()
        .all(|e| e.tags["team"] == "ml" && e.region.as_deref() == Some("europe-west4")));

    let keys: Vec<_> = o
        .iter()
        .map(|x| (&x.provider, &x.kind, &x.region, &x.name))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "objects are sorted");
}

#[test]
fn sigv4_with_a_session_token_is_accepted_and_a_wrong_secret_is_an_auth_error() {
    let mut fx = fixture();
    fx.auth.aws = AwsCredentials {
        access_key_id: "AKIASESSION000000001".into(),
        secret_access_key: "session/secret/key".into(),
        session_token: Some("the-session-token-value".into()),
        account_id: ACCOUNT.into(),
    };
    let fc = FakeCloud::start(fx).expect("fake cloud");
    let scopes: Vec<ProviderScope> = scopes()
        .into_iter()
        .filter(|s| s.cloud == Cloud::Aws)
        .collect();
    let good = creds_with(
        &fc,
        &scopes,
        &[
            ("AWS_ACCESS_KEY_ID", Some("AKIASESSION000000001")),
            ("AWS_SECRET_ACCESS_KEY", Some("session/secret/key")),
            ("AWS_SESSION_TOKEN", Some("the-session-token-value")),
        ],
    );
    let obs = refresh(&scopes, &good, &fast(), &NoProgress).expect("signed requests accepted");
    assert_eq!(of_kind(&obs.objects, "aws_inference_profile").len(), 5);

    let bad = creds_with(
        &fc,
        &scopes,
        &[
            ("AWS_ACCESS_KEY_ID", Some("AKIASESSION000000001")),
            ("AWS_SECRET_ACCESS_KEY", Some("not-the-secret")),
            ("AWS_SESSION_TOKEN", Some("the-session-token-value")),
        ],
    );
    let before = fc.request_count();
    let err = refresh(&scopes, &bad, &fast(), &NoProgress).expect_err("bad signature");
    let e = only_error(&err);
    assert_eq!(e.kind, ErrorKind::Auth);
    assert_eq!(e.provider, "aws.corp");
    let text = err.to_string();
    assert!(text.contains("aws.corp"), "{text}");
    assert!(text.contains("HTTP 403"), "{text}");
    assert!(text.contains("AWS_SECRET_ACCESS_KEY"), "{text}");
    assert!(
        text.contains("6 more requests of this provider were refused too"),
        "{text}"
    );
    assert!(!text.contains("not-the-secret") && !text.contains("the-session-token-value"));
    assert!(
        fc.request_count() - before <= 7,
        "authentication errors are not retried"
    );
}

/// Bedrock lists only the caller's account: read with another account's credentials, every
/// object of the provider block would look deleted. The account is checked with STS.
#[test]
fn credentials_of_another_account_fail_the_refresh_naming_both_accounts() {
    let mut fx = fixture();
    fx.auth.aws.account_id = "999988887777".into();
    let fc = FakeCloud::start(fx).expect("fake cloud");
    let err = run(&fc, &fast()).expect_err("another account");
    let e = only_error(&err);
    assert_eq!(e.kind, ErrorKind::Credentials);
    assert_eq!(e.provider, "aws.corp");
    assert_eq!(e.region.as_deref(), Some("eu-central-1"));
    assert!(
        e.request.starts_with("POST ") && e.request.contains("/aws/sts"),
        "{e}"
    );
    assert!(
        e.reason.contains("account 999988887777")
            && e.reason.contains(&format!("account {ACCOUNT}")),
        "{e}"
    );
    let text = err.to_string();
    assert!(!text.contains(TEST_AWS_SECRET_ACCESS_KEY), "{text}");

    // STS's own failures are retried like any other request's, then reported.
    let fc = FakeCloud::start(fixture()).expect("fake cloud");
    fc.set_faults(vec![Fault::new(
        Provider::Aws,
        FaultKind::Status {
            status: 503,
            retry_after: None,
        },
    )
    .path_contains("/sts")
    .times(2)]);
    run(&fc, &fast()).expect("two 503s from STS are survived");
    fc.set_faults(vec![Fault::new(
        Provider::Aws,
        FaultKind::Status {
            status: 403,
            retry_after: None,
        },
    )
    .path_contains("/sts")]);
    let err = run(&fc, &fast()).expect_err("STS refuses");
    let e = only_error(&err);
    assert_eq!(e.kind, ErrorKind::Auth);
    assert!(e.reason.contains("HTTP 403"), "{e}");
    assert!(
        e.reason.contains("AccessDeniedException"),
        "the XML error's code is shown: {e}"
    );
}

#[test]
fn a_wrong_token_is_an_auth_error_naming_the_provider_and_variable_without_the_token() {
    let fc = FakeCloud::start(fixture()).expect("fake cloud");
    let scopes = scopes();
    let token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.wrong-token-payload";
    let creds = creds_with(&fc, &scopes, &[("AZURE_ACCESS_TOKEN", Some(token))]);
    let err = refresh(&scopes, &creds, &fast(), &NoProgress).expect_err("401");
    let e = only_error(&err);
    assert_eq!(e.kind, ErrorKind::Auth);
    assert_eq!(e.provider, "azure.corp");
    assert!(e.reason.contains("HTTP 401"), "{e}");
    assert!(e.reason.contains("AZURE_ACCESS_TOKEN"), "{e}");
    assert!(e.request.starts_with("GET http://127.0.0.1:"), "{e}");
    assert!(
        e.request.contains("/accounts?api-version=2025-06-01"),
        "{e}"
    );
    for text in [err.to_string(), format!("{err:?}"), format!("{creds:?}")] {
        assert!(!text.contains(token), "token leaked: {text}");
        assert!(!text.contains(TEST_GCP_TOKEN), "token leaked: {text}");
        assert!(
            !text.contains(TEST_AWS_SECRET_ACCESS_KEY),
            "secret leaked: {text}"
        );
    }
}

#[test]
fn retry_after_on_429_is_honoured_then_the_refresh_succeeds() {
    let fc = FakeCloud::start(fixture()).expect("fake cloud");
    fc.set_faults(vec![Fault::new(
        Provider::Gcp,
        FaultKind::Status {
            status: 429,
            retry_after: Some("1".into()),
        },
    )
    .path_contains("/services/")
    .times(1)]);
    let started = Instant::now();
    let obs = run(&fc, &fast()).expect("retried");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
    assert_eq!(of_kind(&obs.objects, "gcp_service").len(), 1);
    let service_requests = fc
        .requests()
        .iter()
        .filter(|r| r.path.contains("/services/"))
        .map(|r| r.status)
        .collect::<Vec<_>>();
    assert_eq!(service_requests, [Some(429), Some(200)]);
    assert_eq!(obs.requests, fc.request_count(), "retries are counted");
}

#[test]
fn a_persistent_500_fails_naming_provider_region_and_request_after_every_attempt() {
    let fc = FakeCloud::start(fixture()).expect("fake cloud");
    fc.set_faults(vec![Fault::new(
        Provider::Aws,
        FaultKind::Status {
            status: 500,
            retry_after: None,
        },
    )
    .in_region("eu-central-1")
    .path_contains("provisioned-model-throughputs")]);
    let err = run(&fc, &fast()).expect_err("500");
    let e = only_error(&err);
    assert_eq!(e.kind, ErrorKind::Http);
    assert_eq!(e.provider, "aws.corp");
    assert_eq!(e.region.as_deref(), Some("eu-central-1"));
    assert!(
        e.request.starts_with("GET http://127.0.0.1:")
            && e.request
                .contains("/aws/provisioned-model-throughputs?maxResults=100"),
        "{e}"
    );
    assert!(e.reason.starts_with("HTTP 500 after 3 attempts: "), "{e}");
    let shown = err.to_string();
    assert!(
        shown.contains("aws.corp (eu-central-1): GET http://127.0.0.1:"),
        "{shown}"
    );
    let attempts = fc
        .requests()
        .iter()
        .filter(|r| r.status == Some(500))
        .count();
    assert_eq!(attempts, 3);
}

#[test]
fn a_truncated_body_is_a_decode_error_not_an_empty_list() {
    let fc = FakeCloud::start(fixture()).expect("fake cloud");
    fc.set_faults(vec![Fault::new(Provider::Azure, FaultKind::Truncate)
        .path_contains("/deployments")
        .times(1)]);
    let err = run(&fc, &fast()).expect_err("truncated");
    let e = only_error(&err);
    assert_eq!(e.kind, ErrorKind::Decode);
    assert_eq!(e.provider, "azure.corp");
    assert!(e.request.contains("/deployments?api-version="), "{e}");
    assert!(e.reason.contains("cut off"), "{e}");
    assert!(e.reason.contains("expected"), "{e}");
}

#[test]
fn a_list_without_its_list_field_is_a_decode_error() {
    let fc = FakeCloud::start(fixture()).expect("fake cloud");
    // A 200 whose body lacks `value` (the fake answers in Azure's error shape).
    fc.set_faults(vec![Fault::new(
        Provider::Azure,
        FaultKind::Status {
            status: 200,
            retry_after: None,
        },
    )
    .path_contains("/accounts?")]);
    let err = run(&fc, &fast()).expect_err("no value");
    let e = only_error(&err);
    assert_eq!(e.kind, ErrorKind::Decode);
    assert!(e.reason.contains("\"value\""), "{e}");
}

#[test]
fn a_request_that_never_answers_times_out_within_the_request_timeout() {
    let fc = FakeCloud::start(fixture()).expect("fake cloud");
    fc.set_faults(vec![
        Fault::new(Provider::Gcp, FaultKind::Timeout).path_contains(":getIamPolicy")
    ]);
    let opts = Options {
        request_timeout: Duration::from_millis(400),
        max_attempts: 2,
        ..fast()
    };
    let started = Instant::now();
    let err = run(&fc, &opts).expect_err("timeout");
    let elapsed = started.elapsed();
    let e = only_error(&err);
    assert_eq!(e.kind, ErrorKind::Timeout);
    assert_eq!(e.provider, "gcp.corp");
    assert!(
        e.request.starts_with("POST ") && e.request.contains(":getIamPolicy"),
        "{e}"
    );
    assert!(e.reason.contains("400 ms after 2 attempts"), "{e}");
    assert!(
        elapsed >= Duration::from_millis(800) && elapsed < Duration::from_secs(3),
        "two attempts of 400 ms plus a short backoff: {elapsed:?}"
    );
}

#[test]
fn the_deadline_stops_the_refresh_and_lists_what_was_in_flight() {
    let fc = FakeCloud::start(fixture()).expect("fake cloud");
    fc.set_faults(vec![Fault::new(
        Provider::Gcp,
        FaultKind::Latency { ms: 5_000 },
    )
    .path_contains("/endpoints")]);
    let opts = Options {
        deadline: Duration::from_millis(800),
        ..fast()
    };
    let started = Instant::now();
    let err = run(&fc, &opts).expect_err("deadline");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let e = only_error(&err);
    assert_eq!(e.kind, ErrorKind::Deadline);
    assert_eq!(e.provider, "gcp.corp");
    assert_eq!(e.region.as_deref(), Some("europe-west4"));
    assert!(
        e.request.contains("/locations/europe-west4/endpoints"),
        "{e}"
    );
    assert!(e.reason.contains("deadline (800 ms)"), "{e}");
    assert!(e.reason.contains("1 request unfinished"), "{e}");
    assert!(e.reason.contains("attempt 1 in flight"), "{e}");
}

#[test]
fn a_404_is_an_http_error_with_the_clouds_message() {
    let fc = FakeCloud::start(fixture()).expect("fake cloud");
    let mut scopes = scopes();
    scopes.retain(|s| s.cloud == Cloud::Azure);
    scopes[0].resource_group = Some("rg-missing".into());
    let creds = creds_with(&fc, &scopes, &[]);
    let err = refresh(&scopes, &creds, &fast(), &NoProgress).expect_err("404");
    let e = only_error(&err);
    assert_eq!(e.kind, ErrorKind::Http);
    assert!(
        e.reason.starts_with("HTTP 404: ResourceGroupNotFound: "),
        "{e}"
    );
    assert_eq!(fc.request_count(), 1, "a 404 is not retried");
}

#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<String>>,
}

impl Progress for Recorder {
    fn add(&self, provider: &str, n: usize) {
        self.events
            .lock()
            .expect("lock")
            .push(format!("add {provider} {n}"));
    }
    fn done(&self, provider: &str, what: &str) {
        self.events
            .lock()
            .expect("lock")
            .push(format!("done {provider} {what}"));
    }
    fn finished(&self, provider: &str, ok: bool) {
        self.events
            .lock()
            .expect("lock")
            .push(format!("finished {provider} {ok}"));
    }
}

#[test]
fn progress_counts_every_request_and_finishes_each_provider_once() {
    let fc = FakeCloud::start(fixture()).expect("fake cloud");
    let scopes = scopes();
    let creds = creds_with(&fc, &scopes, &[]);
    let recorder = Recorder::default();
    let obs = refresh(&scopes, &creds, &fast(), &recorder).expect("refresh");
    let events = recorder.events.into_inner().expect("events");
    for p in ["azure.corp", "aws.corp", "gcp.corp"] {
        let added: usize = events
            .iter()
            .filter_map(|e| e.strip_prefix(&format!("add {p} ")))
            .map(|n| n.parse::<usize>().expect("n"))
            .sum();
        let done = events
            .iter()
            .filter(|e| e.starts_with(&format!("done {p} ")))
            .count();
        assert_eq!(added, done, "{p}");
        let finished: Vec<usize> = events
            .iter()
            .enumerate()
            .filter(|(_, e)| e.starts_with(&format!("finished {p} ")))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(finished.len(), 1, "{p}");
        assert_eq!(events[finished[0]], format!("finished {p} true"));
        let last_done = events
            .iter()
            .rposition(|e| e.starts_with(&format!("done {p} ")))
            .expect("done");
        assert!(
            finished[0] > last_done,
            "{p} finished after its last request"
        );
    }
    let total_done = events.iter().filter(|e| e.starts_with("done ")).count();
    assert_eq!(total_done, obs.requests, "no retries here");
    assert!(events.contains(&"done azure.corp GET deployments of acct-0 (page 3)".to_string()));
    assert!(events
        .contains(&"done aws.corp GET inference profiles in eu-central-1 (page 3)".to_string()));
}

#[test]
fn dependent_requests_start_before_the_list_is_complete() {
    // With latency on every request, the deployments of the first page's accounts are read
    // while the later account pages are still being fetched.
    let fc = FakeCloud::start(fixture()).expect("fake cloud");
    fc.set_faults(vec![Fault::new(
        Provider::Azure,
        FaultKind::Latency { ms: 150 },
    )]);
    let mut scopes = scopes();
    scopes.retain(|s| s.cloud == Cloud::Azure);
    let creds = creds_with(&fc, &scopes, &[]);
    let opts = Options {
        parallelism: 32,
        ..fast()
    };
    let started = Instant::now();
    refresh(&scopes, &creds, &opts, &NoProgress).expect("refresh");
    let elapsed = started.elapsed();
    let paths: Vec<String> = fc.requests().into_iter().map(|r| r.path).collect();
    let third_account_page = paths
        .iter()
        .enumerate()
        .filter(|(_, p)| p.ends_with("/accounts"))
        .nth(2)
        .map(|(i, _)| i)
        .expect("three account pages");
    let first_deployments = paths
        .iter()
        .position(|p| p.ends_with("/accounts/acct-0/deployments"))
        .expect("deployments of acct-0");
    assert!(
        first_deployments < third_account_page,
        "deployments of acct-0 (page 1 of the accounts) were read before the last account page: {paths:?}"
    );
    // Longest chain: account page 1, then the 3 deployment pages of acct-0 (4 requests); or
    // the 3 account pages, then the one deployment page of acct-4 (4 requests). Reading
    // the whole account list first would take 3 + 3 = 6; one request at a time, 3 + 7 = 10.
    assert!(
        elapsed < Duration::from_millis(150 * 8),
        "took {elapsed:?}, about the critical path of 4 x 150 ms expected"
    );
}

#[test]
fn a_provider_with_nothing_to_read_does_not_end_the_refresh_early() {
    let fc = FakeCloud::start(fixture()).expect("fake cloud");
    let mut scopes = scopes();
    // An AWS provider without regions has no requests: it finishes at once.
    scopes[1].regions.clear();
    scopes.swap(0, 1);
    let creds = creds_with(&fc, &scopes, &[]);
    let recorder = Recorder::default();
    let obs = refresh(&scopes, &creds, &fast(), &recorder).expect("refresh");
    assert_eq!(of_kind(&obs.objects, "azure_deployment").len(), 9);
    assert_eq!(of_kind(&obs.objects, "gcp_endpoint").len(), 5);
    assert!(of_kind(&obs.objects, "aws_inference_profile").is_empty());
    assert_eq!(obs.requests, fc.request_count());
    let events = recorder.events.into_inner().expect("events");
    assert!(events.contains(&"finished aws.corp true".to_string()));
}
