//! `Fixture::from_state` serves objects that map back to the state's resources, and the
//! AWS SDK's own signer is accepted.
#![allow(clippy::unwrap_used)]

mod support;

use meridian_fakecloud::{
    FakeCloud, Fixture, TEST_AWS_ACCESS_KEY_ID, TEST_AWS_SECRET_ACCESS_KEY, TEST_AZURE_TOKEN,
    TEST_GCP_TOKEN,
};
use meridian_state::{State, StateResource};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::SystemTime;
use support::{bearer, send, sign, Creds};

const SUB: &str = "11111111-2222-3333-4444-555555555555";

fn tags(address: &str) -> BTreeMap<String, String> {
    [
        ("managed-by", "meridian"),
        ("meridian-project", "assistant"),
        ("meridian-address", address),
        ("team", "ml"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn resource(
    address: &str,
    kind: &str,
    region: Option<&str>,
    name: &str,
    attributes: &Value,
    tagged: bool,
) -> StateResource {
    let provider = address.split('.').take(2).collect::<Vec<_>>().join(".");
    StateResource {
        address: address.to_owned(),
        kind: kind.to_owned(),
        provider,
        region: region.map(str::to_owned),
        name: name.to_owned(),
        attributes: attributes
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        tags: if tagged {
            tags(address)
        } else {
            BTreeMap::new()
        },
        pending: None,
        observed: None,
    }
}

fn state() -> State {
    let mut s = State::new("0.1.0");
    s.resources = vec![
        resource(
            "azure.corp.account.swedencentral",
            "azure_account",
            Some("swedencentral"),
            "assistant-corp-swc",
            &json!({
                "location": "swedencentral", "resource_group_name": "rg-ai", "subscription_id": SUB,
                "kind": "AIServices", "sku_name": "S0", "custom_subdomain_name": "assistant-corp-swc",
                "local_auth_enabled": false, "public_network_access_enabled": false,
                "identity_type": "SystemAssigned", "allowed_ips": ["203.0.113.7", "198.51.100.0/24"]
            }),
            true,
        ),
        resource(
            "azure.corp.deployment.chat-aoai",
            "azure_deployment",
            Some("swedencentral"),
            "chat-aoai",
            &json!({
                "cognitive_account_id": {"$ref": "azure.corp.account.swedencentral", "attr": "id"},
                "model_format": "OpenAI", "model_name": "gpt-4o", "model_version": "2024-08-06",
                "sku_name": "DataZoneStandard", "sku_capacity": 30,
                "version_upgrade_option": "NoAutoUpgrade", "rai_policy_name": "Microsoft.DefaultV2"
            }),
            true,
        ),
        resource(
            "aws.main.inference-profile.chat-bedrock",
            "aws_inference_profile",
            Some("eu-central-1"),
            "assistant-chat-bedrock",
            &json!({
                "name": "assistant-chat-bedrock",
                "copy_from": "arn:aws:bedrock:eu-central-1:210987654321:inference-profile/eu.anthropic.claude-sonnet-4",
                "description": "bedrock for model chat"
            }),
            true,
        ),
        resource(
            "aws.main.provisioned-throughput.chat-pt",
            "aws_provisioned_throughput",
            Some("eu-central-1"),
            "assistant-chat-pt",
            &json!({
                "model_arn": "arn:aws:bedrock:eu-central-1::foundation-model/amazon.nova-pro-v1:0",
                "model_units": 2, "provisioned_model_name": "assistant-chat-pt"
            }),
            true,
        ),
        resource(
            "aws.main.invocation-logging.eu-central-1",
            "aws_invocation_logging",
            Some("eu-central-1"),
            "assistant-eu-central-1",
            &json!({
                "region": "eu-central-1", "s3_bucket_name": "audit-logs",
                "s3_key_prefix": "assistant/eu-central-1", "text_data_delivery_enabled": true,
                "retention_days": 90
            }),
            false,
        ),
        resource(
            "gcp.vertex.service.aiplatform",
            "gcp_service",
            None,
            "aiplatform.googleapis.com",
            &json!({"project": "acme-ai", "service": "aiplatform.googleapis.com", "disable_on_destroy": false}),
            false,
        ),
        resource(
            "gcp.vertex.iam-member.apps-1",
            "gcp_iam_member",
            None,
            "user:a@example.com",
            &json!({"project": "acme-ai", "role": "roles/aiplatform.user", "member": "user:a@example.com"}),
            false,
        ),
        resource(
            "gcp.vertex.iam-member.apps-2",
            "gcp_iam_member",
            None,
            "serviceAccount:sa@acme-ai.iam.gserviceaccount.com",
            &json!({"project": "acme-ai", "role": "roles/aiplatform.user", "member": "serviceAccount:sa@acme-ai.iam.gserviceaccount.com"}),
            false,
        ),
        resource(
            "router.chat.deployment.bedrock",
            "router_deployment",
            Some("eu-central-1"),
            "chat-bedrock",
            &json!({"model_group": "chat"}),
            false,
        ),
    ];
    s
}

fn attrs(r: &StateResource, keys: &[&str]) -> Value {
    Value::Object(
        keys.iter()
            .map(|k| ((*k).to_owned(), r.attributes[*k].clone()))
            .collect(),
    )
}

fn find<'a>(s: &'a State, address: &str) -> &'a StateResource {
    s.resources.iter().find(|r| r.address == address).unwrap()
}

fn aws_get(url: &str) -> Value {
    let creds = Creds {
        key: TEST_AWS_ACCESS_KEY_ID,
        secret: TEST_AWS_SECRET_ACCESS_KEY,
        token: None,
    };
    let r = send(
        "GET",
        url,
        &sign("GET", url, b"", "eu-central-1", &creds, SystemTime::now()),
        b"",
    );
    assert_eq!(r.status, 200);
    r.json()
}

fn aws_tags(base: &str, arn: &str) -> BTreeMap<String, String> {
    let url = format!("{base}/listTagsForResource");
    let body = serde_json::to_vec(&json!({ "resourceARN": arn })).unwrap();
    let creds = Creds {
        key: TEST_AWS_ACCESS_KEY_ID,
        secret: TEST_AWS_SECRET_ACCESS_KEY,
        token: None,
    };
    let headers = sign(
        "POST",
        &url,
        &body,
        "eu-central-1",
        &creds,
        SystemTime::now(),
    );
    let r = send("POST", &url, &headers, &body);
    assert_eq!(r.status, 200);
    r.json()["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["key"].as_str().unwrap().to_owned(),
                t["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn served_objects_map_back_to_the_state() {
    let state = state();
    let fixture = Fixture::from_state(&state, None);
    let cloud = FakeCloud::start(fixture).unwrap();

    // Azure account: every attribute of the mapping table, and its tags.
    let base = format!(
        "{}/subscriptions/{SUB}/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts",
        cloud.azure_endpoint()
    );
    let r = send(
        "GET",
        &format!("{base}?api-version=2025-06-01"),
        &bearer(TEST_AZURE_TOKEN),
        b"",
    );
    let accounts = r.json()["value"].as_array().unwrap().clone();
    assert_eq!(accounts.len(), 1);
    let acct = &accounts[0];
    let id = acct["id"].as_str().unwrap();
    let id_parts: Vec<&str> = id.split('/').collect();
    let observed = json!({
        "location": acct["location"], "kind": acct["kind"], "sku_name": acct["sku"]["name"],
        "identity_type": acct["identity"]["type"],
        "custom_subdomain_name": acct["properties"]["customSubDomainName"],
        "local_auth_enabled": !acct["properties"]["disableLocalAuth"].as_bool().unwrap(),
        "public_network_access_enabled": acct["properties"]["publicNetworkAccess"] == "Enabled",
        "allowed_ips": acct["properties"]["networkAcls"]["ipRules"].as_array().unwrap().iter().map(|r| r["value"].clone()).collect::<Vec<_>>(),
        "resource_group_name": id_parts[4], "subscription_id": id_parts[2],
    });
    let account = find(&state, "azure.corp.account.swedencentral");
    assert_eq!(
        observed,
        attrs(
            account,
            &[
                "location",
                "kind",
                "sku_name",
                "identity_type",
                "custom_subdomain_name",
                "local_auth_enabled",
                "public_network_access_enabled",
                "allowed_ips",
                "resource_group_name",
                "subscription_id"
            ]
        )
    );
    assert_eq!(acct["name"], account.name.as_str());
    assert_eq!(acct["tags"], json!(account.tags));

    let r = send(
        "GET",
        &format!("{base}/assistant-corp-swc/deployments?api-version=2025-06-01"),
        &bearer(TEST_AZURE_TOKEN),
        b"",
    );
    let dep = r.json()["value"][0].clone();
    let deployment = find(&state, "azure.corp.deployment.chat-aoai");
    assert_eq!(dep["id"], format!("{id}/deployments/chat-aoai"));
    let observed = json!({
        "model_format": dep["properties"]["model"]["format"], "model_name": dep["properties"]["model"]["name"],
        "model_version": dep["properties"]["model"]["version"], "sku_name": dep["sku"]["name"],
        "sku_capacity": dep["sku"]["capacity"], "rai_policy_name": dep["properties"]["raiPolicyName"],
        "version_upgrade_option": dep["properties"]["versionUpgradeOption"],
    });
    assert_eq!(
        observed,
        attrs(
            deployment,
            &[
                "model_format",
                "model_name",
                "model_version",
                "sku_name",
                "sku_capacity",
                "rai_policy_name",
                "version_upgrade_option"
            ]
        )
    );
    assert_eq!(dep["tags"], json!(deployment.tags));

    // AWS: the profile's ARN names the account of the state's copy_from ARN.
    let aws = cloud.aws_endpoint();
    let profiles = aws_get(&format!("{aws}/inference-profiles?type=APPLICATION"));
    let prof = &profiles["inferenceProfileSummaries"][0];
    let profile = find(&state, "aws.main.inference-profile.chat-bedrock");
    assert_eq!(prof["inferenceProfileName"], profile.name.as_str());
    assert_eq!(prof["description"], profile.attributes["description"]);
    let arn = prof["inferenceProfileArn"].as_str().unwrap();
    assert!(
        arn.starts_with("arn:aws:bedrock:eu-central-1:210987654321:application-inference-profile/"),
        "{arn}"
    );
    assert_eq!(aws_tags(&aws, arn), profile.tags);

    let pts = aws_get(&format!("{aws}/provisioned-model-throughputs"));
    let tp = &pts["provisionedModelSummaries"][0];
    let throughput = find(&state, "aws.main.provisioned-throughput.chat-pt");
    assert_eq!(
        json!({"provisioned_model_name": tp["provisionedModelName"], "model_arn": tp["modelArn"], "model_units": tp["modelUnits"]}),
        attrs(
            throughput,
            &["provisioned_model_name", "model_arn", "model_units"]
        )
    );
    let arn = tp["provisionedModelArn"].as_str().unwrap();
    assert!(arn.starts_with("arn:aws:bedrock:eu-central-1:210987654321:provisioned-model/"));
    assert_eq!(aws_tags(&aws, arn), throughput.tags);

    let logging = aws_get(&format!("{aws}/logging/modelinvocations"))["loggingConfig"].clone();
    let log_res = find(&state, "aws.main.invocation-logging.eu-central-1");
    assert_eq!(
        json!({"s3_bucket_name": logging["s3Config"]["bucketName"], "s3_key_prefix": logging["s3Config"]["keyPrefix"], "text_data_delivery_enabled": logging["textDataDeliveryEnabled"]}),
        attrs(
            log_res,
            &[
                "s3_bucket_name",
                "s3_key_prefix",
                "text_data_delivery_enabled"
            ]
        )
    );

    // GCP: the service is enabled and the binding has exactly the members.
    let gcp = cloud.gcp_endpoint();
    let r = send(
        "GET",
        &format!("{gcp}/v1/projects/acme-ai/services/aiplatform.googleapis.com"),
        &bearer(TEST_GCP_TOKEN),
        b"",
    );
    assert_eq!(r.json()["state"], "ENABLED");
    let r = send(
        "POST",
        &format!("{gcp}/v1/projects/acme-ai:getIamPolicy"),
        &bearer(TEST_GCP_TOKEN),
        br#"{"options":{"requestedPolicyVersion":3}}"#,
    );
    assert_eq!(
        r.json()["bindings"],
        json!([{"role": "roles/aiplatform.user", "members": ["user:a@example.com", "serviceAccount:sa@acme-ai.iam.gserviceaccount.com"]}])
    );
    let r = send(
        "GET",
        &format!("{gcp}/v1/projects/acme-ai/locations/europe-west4/endpoints"),
        &bearer(TEST_GCP_TOKEN),
        b"",
    );
    assert_eq!(r.json(), json!({}), "Meridian creates no endpoints");
}

#[test]
fn from_state_takes_an_explicit_account_and_ignores_other_kinds() {
    let mut state = state();
    state
        .resources
        .retain(|r| r.kind == "aws_provisioned_throughput" || r.kind == "router_deployment");
    let f = Fixture::from_state(&state, Some("999988887777"));
    let region = &f.aws.regions["eu-central-1"];
    assert_eq!(region.provisioned_throughputs.len(), 1);
    let arn = region.provisioned_throughputs[0]["provisionedModelArn"]
        .as_str()
        .unwrap();
    assert!(arn.contains(":999988887777:provisioned-model/"), "{arn}");
    assert_eq!(
        f.auth.aws.account_id, "999988887777",
        "the test credentials belong to that account"
    );
    assert!(region.inference_profiles.is_empty() && region.logging.is_none());
    assert!(f.azure.subscriptions.is_empty() && f.gcp.projects.is_empty());
    // Without any account in the state, the default account.
    let f = Fixture::from_state(&state, None);
    let arn = f.aws.regions["eu-central-1"].provisioned_throughputs[0]["provisionedModelArn"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(arn.contains(":123456789012:"), "{arn}");
    assert_eq!(f.auth.aws.account_id, "123456789012");
    // Deterministic: the same state gives the same fixture.
    assert_eq!(Fixture::from_state(&state, None), f);
}

/// The AWS SDK's signer (what Meridian's refresh signs with) is accepted, with a session
/// token too.
#[test]
fn requests_signed_by_the_aws_sdk_signer_are_accepted() {
    use aws_credential_types::Credentials;
    use aws_sigv4::http_request::{
        sign as sdk_sign, SignableBody, SignableRequest, SigningSettings,
    };
    use aws_sigv4::sign::v4;
    use aws_smithy_runtime_api::client::identity::Identity;

    let mut fixture = Fixture::from_state(&state(), None);
    fixture.auth.aws.session_token = Some("sdk-session".into());
    let cloud = FakeCloud::start(fixture).unwrap();
    let identity = Identity::from(Credentials::new(
        TEST_AWS_ACCESS_KEY_ID,
        TEST_AWS_SECRET_ACCESS_KEY,
        Some("sdk-session".into()),
        None,
        "test",
    ));
    let sdk_headers = |method: &str, url: &str, body: &[u8], extra: &[(&str, &str)]| {
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("eu-central-1")
            .name("bedrock")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let signable = SignableRequest::new(
            method,
            url,
            extra.iter().copied(),
            SignableBody::Bytes(body),
        )
        .unwrap();
        let (instructions, _) = sdk_sign(signable, &params).unwrap().into_parts();
        let (headers, _) = instructions.into_parts();
        let mut out: Vec<(String, String)> = extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        out.extend(
            headers
                .iter()
                .map(|h| (h.name().to_owned(), h.value().to_owned())),
        );
        out
    };
    let url = format!(
        "{}/inference-profiles?type=APPLICATION&maxResults=10&nextToken=",
        cloud.aws_endpoint()
    );
    let url = url.trim_end_matches("&nextToken=").to_owned();
    let r = send("GET", &url, &sdk_headers("GET", &url, b"", &[]), b"");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let profiles = r.json();
    let arn = profiles["inferenceProfileSummaries"][0]["inferenceProfileArn"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = format!("{}/listTagsForResource", cloud.aws_endpoint());
    let body = serde_json::to_vec(&json!({ "resourceARN": arn })).unwrap();
    let headers = sdk_headers("POST", &url, &body, &[("content-type", "application/json")]);
    let r = send("POST", &url, &headers, &body);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["tags"].as_array().unwrap().len(), 4);
    // A path with characters the SDK encodes twice is verified the same way.
    let url = format!("{}/model/a:b%2Fc/x", cloud.aws_endpoint());
    let r = send("GET", &url, &sdk_headers("GET", &url, b"", &[]), b"");
    assert_eq!(r.status, 404, "signature accepted, then no such operation");
    assert_eq!(
        r.header("x-amzn-errortype"),
        Some("UnknownOperationException")
    );
}
