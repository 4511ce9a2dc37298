//! The fake cloud over real HTTP: pagination, authentication, faults and data updates.
#![allow(clippy::unwrap_used)]

mod support;

use meridian_fakecloud::{
    AwsCredentials, FakeCloud, Fault, FaultKind, Fixture, IamBinding, Provider,
    TEST_AWS_ACCESS_KEY_ID, TEST_AWS_SECRET_ACCESS_KEY, TEST_AZURE_TOKEN, TEST_GCP_TOKEN,
};
use serde_json::{json, Value};
use std::time::{Duration, Instant, SystemTime};
use support::{bearer, send, send_with_timeout, sign, sign_for, Creds};

const SUB: &str = "11111111-2222-3333-4444-555555555555";
const RG: &str = "rg-ai";
const REGION: &str = "eu-central-1";
const PROJECT: &str = "acme-ai";
const API: &str = "api-version=2025-06-01";

fn creds() -> Creds<'static> {
    Creds {
        key: TEST_AWS_ACCESS_KEY_ID,
        secret: TEST_AWS_SECRET_ACCESS_KEY,
        token: None,
    }
}

fn account(name: &str, deployments: usize) -> Value {
    let id = format!(
        "/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts/{name}"
    );
    let ds: Vec<Value> = (0..deployments)
        .map(|i| {
            json!({
                "id": format!("{id}/deployments/d{i}"),
                "name": format!("d{i}"),
                "sku": {"name": "GlobalStandard", "capacity": 10 + i},
                "properties": {"model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-08-06"}}
            })
        })
        .collect();
    json!({"id": id, "name": name, "location": "swedencentral", "deployments": ds})
}

/// Five of everything (page size 2: three pages), plus a system-defined profile.
fn fixture() -> Fixture {
    let mut f = Fixture::default();
    let rg = f.azure_resource_group_mut(SUB, RG);
    rg.accounts.push(account("a0", 5));
    for i in 1..5 {
        rg.accounts.push(account(&format!("a{i}"), 0));
    }
    let region = f.aws_region_mut(REGION);
    for i in 0..5 {
        let arn =
            format!("arn:aws:bedrock:{REGION}:123456789012:application-inference-profile/p{i}");
        region.inference_profiles.push(json!({
            "inferenceProfileName": format!("profile-{i}"), "inferenceProfileArn": arn, "type": "APPLICATION"
        }));
        region.tags.insert(
            arn,
            [("managed-by".to_owned(), "meridian".to_owned())].into(),
        );
        region.provisioned_throughputs.push(json!({
            "provisionedModelName": format!("pt-{i}"),
            "provisionedModelArn": format!("arn:aws:bedrock:{REGION}:123456789012:provisioned-model/t{i}"),
            "modelUnits": i + 1
        }));
    }
    region.inference_profiles.push(json!({
        "inferenceProfileName": "eu.system", "inferenceProfileArn": "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.system", "type": "SYSTEM_DEFINED"
    }));
    region.logging = Some(
        json!({"s3Config": {"bucketName": "logs", "keyPrefix": "acme"}, "textDataDeliveryEnabled": true}),
    );
    let p = f.gcp_project_mut(PROJECT);
    p.number = "424242424242".into();
    p.services
        .insert("aiplatform.googleapis.com".into(), "ENABLED".into());
    p.iam_bindings.push(IamBinding {
        role: "roles/aiplatform.user".into(),
        members: vec!["user:a@example.com".into(), "group:g@example.com".into()],
    });
    p.endpoints.insert(
        "europe-west4".into(),
        (0..5)
            .map(|i| json!({"name": format!("projects/{PROJECT}/locations/europe-west4/endpoints/{i}"), "displayName": format!("e{i}")}))
            .collect(),
    );
    f
}

fn azure_get(url: &str) -> support::Response {
    send("GET", url, &bearer(TEST_AZURE_TOKEN), b"")
}

fn gcp(method: &str, url: &str, body: &[u8]) -> support::Response {
    send(method, url, &bearer(TEST_GCP_TOKEN), body)
}

fn aws(method: &str, url: &str, body: &[u8]) -> support::Response {
    let headers = sign(method, url, body, REGION, &creds(), SystemTime::now());
    send(method, url, &headers, body)
}

fn names(items: &[Value], field: &str) -> Vec<String> {
    items
        .iter()
        .map(|i| i[field].as_str().unwrap().to_owned())
        .collect()
}

/// Follows Azure `nextLink`s from `url`; returns the items and the number of pages.
fn azure_all(url: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut next = Some(url.to_owned());
    while let Some(url) = next {
        let r = azure_get(&url);
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let body = r.json();
        items.extend(body["value"].as_array().unwrap().iter().cloned());
        next = body["nextLink"].as_str().map(str::to_owned);
        pages += 1;
    }
    (items, pages)
}

#[test]
fn azure_lists_paginate_with_absolute_next_links() {
    let cloud = FakeCloud::start(fixture()).unwrap();
    let base = format!(
        "{}/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts",
        cloud.azure_endpoint()
    );
    let (accounts, pages) = azure_all(&format!("{base}?{API}"));
    assert_eq!(pages, 3);
    assert_eq!(names(&accounts, "name"), ["a0", "a1", "a2", "a3", "a4"]);
    assert!(
        accounts.iter().all(|a| a.get("deployments").is_none()),
        "accounts are listed without their deployments"
    );
    let (deployments, pages) = azure_all(&format!("{base}/a0/deployments?{API}"));
    assert_eq!(pages, 3);
    assert_eq!(names(&deployments, "name"), ["d0", "d1", "d2", "d3", "d4"]);
    assert_eq!(deployments[4]["sku"]["capacity"], 14);

    // The next link is absolute, on the host the request named, and keeps the api-version.
    let r = send(
        "GET",
        &format!("{base}?{API}"),
        &[
            ("Host".to_owned(), "fake.example:8443".to_owned()),
            (
                "Authorization".to_owned(),
                format!("Bearer {TEST_AZURE_TOKEN}"),
            ),
        ],
        b"",
    );
    let link = r.json()["nextLink"].as_str().unwrap().to_owned();
    assert!(
        link.starts_with(&format!(
            "http://fake.example:8443/azure/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts?api-version=2025-06-01&$skipToken="
        )),
        "{link}"
    );

    // A token from another list, or garbage, is refused.
    let token = link.split("$skipToken=").nth(1).unwrap();
    let r = azure_get(&format!("{base}/a0/deployments?{API}&$skipToken={token}"));
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], "InvalidSkipToken");
    let r = azure_get(&format!("{base}?{API}&$skipToken=nonsense"));
    assert_eq!(r.status, 400);

    // An account without deployments lists none; an unknown account is a 404.
    let r = azure_get(&format!("{base}/a3/deployments?{API}"));
    assert_eq!(r.json(), json!({"value": []}));
    let r = azure_get(&format!("{base}/nope/deployments?{API}"));
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "ResourceNotFound");
}

#[test]
fn azure_errors_and_bearer_auth() {
    let cloud = FakeCloud::start(fixture()).unwrap();
    let az = cloud.azure_endpoint();
    let path = format!(
        "/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts?{API}"
    );
    let r = send("GET", &format!("{az}{path}"), &[], b"");
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"]["code"], "AuthenticationFailed");
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer "));
    let r = send("GET", &format!("{az}{path}"), &bearer("wrong"), b"");
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json(),
        json!({"error": {"code": "InvalidAuthenticationToken", "message": "The access token is invalid."}})
    );
    // Resource groups are case-insensitive; unknown ones are 404 ResourceGroupNotFound.
    let r = azure_get(&format!("{az}{}", path.replace(RG, "RG-AI")));
    assert_eq!(r.status, 200);
    let r = azure_get(&format!("{az}{}", path.replace(RG, "other")));
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "ResourceGroupNotFound");
    let r = azure_get(&format!("{az}{}", path.replace(SUB, "nosub")));
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "SubscriptionNotFound");
    let r = azure_get(&format!(
        "{az}{}",
        path.replace(API, "api-version=2020-01-01")
    ));
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], "InvalidApiVersionParameter");
    let r = azure_get(&format!("{az}{}", path.replace(&format!("?{API}"), "")));
    assert_eq!(r.json()["error"]["code"], "MissingApiVersionParameter");
    let r = azure_get(&format!("{az}/subscriptions/{SUB}/whatever?{API}"));
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "NotFound");
    let r = azure_get(&format!("{}/elsewhere", cloud.base_url()));
    assert_eq!(r.status, 404);
}

/// Follows Bedrock `nextToken`s; returns the items and the number of pages.
fn aws_all(base: &str, path: &str, query: &str, member: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut token: Option<String> = None;
    loop {
        let mut q = query.to_owned();
        if let Some(t) = &token {
            q.push_str(&format!("&nextToken={t}"));
        }
        let r = aws("GET", &format!("{base}{path}?{q}"), b"");
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let body = r.json();
        items.extend(body[member].as_array().unwrap().iter().cloned());
        pages += 1;
        token = body["nextToken"].as_str().map(str::to_owned);
        if token.is_none() {
            return (items, pages);
        }
    }
}

#[test]
fn bedrock_lists_paginate_with_next_tokens() {
    let cloud = FakeCloud::start(fixture()).unwrap();
    let base = cloud.aws_endpoint();
    let (profiles, pages) = aws_all(
        &base,
        "/inference-profiles",
        "type=APPLICATION",
        "inferenceProfileSummaries",
    );
    assert_eq!(pages, 3);
    assert_eq!(
        names(&profiles, "inferenceProfileName"),
        [
            "profile-0",
            "profile-1",
            "profile-2",
            "profile-3",
            "profile-4"
        ]
    );
    let (all, _) = aws_all(
        &base,
        "/inference-profiles",
        "maxResults=1",
        "inferenceProfileSummaries",
    );
    assert_eq!(
        all.len(),
        6,
        "without a type filter the system profile is listed too"
    );
    let (one_by_one, pages) = aws_all(
        &base,
        "/inference-profiles",
        "type=APPLICATION&maxResults=1",
        "inferenceProfileSummaries",
    );
    assert_eq!((one_by_one.len(), pages), (5, 5));
    let (throughputs, pages) = aws_all(
        &base,
        "/provisioned-model-throughputs",
        "maxResults=100",
        "provisionedModelSummaries",
    );
    assert_eq!(pages, 3);
    assert_eq!(throughputs[4]["modelUnits"], 5);

    let r = aws(
        "GET",
        &format!("{base}/inference-profiles?nextToken=bogus"),
        b"",
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.header("x-amzn-errortype"), Some("ValidationException"));
    let r = aws(
        "GET",
        &format!("{base}/provisioned-model-throughputs?maxResults=0"),
        b"",
    );
    assert_eq!(r.status, 400);
    let r = aws(
        "GET",
        &format!("{base}/inference-profiles?type=CUSTOM"),
        b"",
    );
    assert_eq!(r.status, 400);
    assert!(r.json()["message"].as_str().unwrap().contains("typeEquals"));

    // Logging and tags.
    let r = aws("GET", &format!("{base}/logging/modelinvocations"), b"");
    assert_eq!(r.json()["loggingConfig"]["s3Config"]["bucketName"], "logs");
    let arn = profiles[0]["inferenceProfileArn"].as_str().unwrap();
    let body = serde_json::to_vec(&json!({ "resourceARN": arn })).unwrap();
    let r = aws("POST", &format!("{base}/listTagsForResource"), &body);
    assert_eq!(
        r.json(),
        json!({"tags": [{"key": "managed-by", "value": "meridian"}]})
    );
    let arn = throughputs[0]["provisionedModelArn"].as_str().unwrap();
    let body = serde_json::to_vec(&json!({ "resourceARN": arn })).unwrap();
    let r = aws("POST", &format!("{base}/listTagsForResource"), &body);
    assert_eq!(r.json(), json!({"tags": []}));
    let body =
        br#"{"resourceARN":"arn:aws:bedrock:eu-central-1:123456789012:provisioned-model/none"}"#;
    let r = aws("POST", &format!("{base}/listTagsForResource"), body);
    assert_eq!(r.status, 404);
    assert_eq!(
        r.header("x-amzn-errortype"),
        Some("ResourceNotFoundException")
    );

    // Another region has nothing; an unknown operation is a 404.
    let url = format!("{base}/logging/modelinvocations");
    let headers = sign("GET", &url, b"", "us-west-2", &creds(), SystemTime::now());
    assert_eq!(send("GET", &url, &headers, b"").json(), json!({}));
    let r = aws("GET", &format!("{base}/custom-models"), b"");
    assert_eq!(r.status, 404);
    assert_eq!(
        r.header("x-amzn-errortype"),
        Some("UnknownOperationException")
    );
}

#[test]
fn vertex_serviceusage_and_iam() {
    let cloud = FakeCloud::start(fixture()).unwrap();
    let base = cloud.gcp_endpoint();
    let mut names_seen = Vec::new();
    let mut pages = 0;
    let mut token: Option<String> = None;
    loop {
        let mut url =
            format!("{base}/v1/projects/{PROJECT}/locations/europe-west4/endpoints?pageSize=50");
        if let Some(t) = &token {
            url.push_str(&format!("&pageToken={t}"));
        }
        let body = gcp("GET", &url, b"").json();
        names_seen.extend(names(body["endpoints"].as_array().unwrap(), "displayName"));
        pages += 1;
        token = body["nextPageToken"].as_str().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names_seen, ["e0", "e1", "e2", "e3", "e4"]);
    let r = gcp(
        "GET",
        &format!("{base}/v1/projects/{PROJECT}/locations/europe-west4/endpoints?pageToken=zzz"),
        b"",
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["status"], "INVALID_ARGUMENT");
    // A location without endpoints is `{}`, by id or number.
    let r = gcp(
        "GET",
        &format!("{base}/v1/projects/424242424242/locations/us-central1/endpoints"),
        b"",
    );
    assert_eq!(r.json(), json!({}));

    let r = gcp(
        "GET",
        &format!("{base}/v1/projects/{PROJECT}/services/aiplatform.googleapis.com"),
        b"",
    );
    assert_eq!(
        r.json(),
        json!({"name": "projects/424242424242/services/aiplatform.googleapis.com", "parent": "projects/424242424242", "state": "ENABLED"})
    );
    let r = gcp(
        "GET",
        &format!("{base}/v1/projects/{PROJECT}/services/compute.googleapis.com"),
        b"",
    );
    assert_eq!(r.json()["state"], "DISABLED");
    let r = gcp(
        "POST",
        &format!("{base}/v1/projects/{PROJECT}:getIamPolicy"),
        br#"{"options":{"requestedPolicyVersion":3}}"#,
    );
    let policy = r.json();
    assert_eq!(policy["version"], 3);
    assert!(policy["etag"].as_str().is_some());
    assert_eq!(
        policy["bindings"],
        json!([{"role": "roles/aiplatform.user", "members": ["user:a@example.com", "group:g@example.com"]}])
    );
    let r = gcp(
        "POST",
        &format!("{base}/v1/projects/{PROJECT}:getIamPolicy"),
        b"{",
    );
    assert_eq!(r.status, 400);

    // Unknown projects are denied; missing or wrong tokens are 401.
    let r = gcp(
        "POST",
        &format!("{base}/v1/projects/ghost:getIamPolicy"),
        b"{}",
    );
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["error"]["status"], "PERMISSION_DENIED");
    let url = format!("{base}/v1/projects/{PROJECT}/services/aiplatform.googleapis.com");
    for headers in [vec![], bearer("nope"), bearer(TEST_AZURE_TOKEN)] {
        let r = send("GET", &url, &headers, b"");
        assert_eq!(r.status, 401);
        assert_eq!(r.json()["error"]["status"], "UNAUTHENTICATED");
        assert_eq!(r.json()["error"]["code"], 401);
    }
    let r = gcp("GET", &format!("{base}/v2/else"), b"");
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["status"], "NOT_FOUND");
}

#[test]
fn sigv4_test_signer_matches_the_aws_suite() {
    // get-vanilla from the AWS Signature Version 4 test suite.
    let (_, auth) = support::signature_for(
        "GET",
        "example.amazonaws.com",
        "/",
        b"",
        "20150830T123600Z",
        ("us-east-1", "service"),
        &Creds {
            key: "AKIDEXAMPLE",
            secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            token: None,
        },
    );
    assert_eq!(
        auth,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    );
    assert_eq!(
        support::amz_date(SystemTime::UNIX_EPOCH + Duration::from_secs(1_440_938_160)),
        "20150830T123600Z"
    );
}

#[test]
fn sigv4_signed_requests_are_accepted_and_tampered_ones_rejected() {
    let cloud = FakeCloud::start(fixture()).unwrap();
    let url = format!(
        "{}/inference-profiles?type=APPLICATION&maxResults=2",
        cloud.aws_endpoint()
    );
    let now = SystemTime::now();
    let headers = sign("GET", &url, b"", REGION, &creds(), now);
    assert_eq!(send("GET", &url, &headers, b"").status, 200);

    let invalid = |r: &support::Response| {
        assert_eq!(r.status, 403, "{}", String::from_utf8_lossy(&r.body));
        assert_eq!(
            r.header("x-amzn-errortype"),
            Some("InvalidSignatureException")
        );
        r.json()["message"].as_str().unwrap().to_owned()
    };
    // The same headers on another query, another method or another body.
    let r = send(
        "GET",
        &url.replace("maxResults=2", "maxResults=3"),
        &headers,
        b"",
    );
    assert!(invalid(&r).starts_with("The request signature we calculated does not match"));
    let tags = format!("{}/listTagsForResource", cloud.aws_endpoint());
    let body = br#"{"resourceARN":"arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/p0"}"#;
    let signed = sign("POST", &tags, body, REGION, &creds(), now);
    assert_eq!(send("POST", &tags, &signed, body).status, 200);
    let tampered = String::from_utf8_lossy(body).replace("/p0", "/p1");
    let r = send("POST", &tags, &signed, tampered.as_bytes());
    invalid(&r);
    // A wrong secret, an old date, an unknown key, no signature at all.
    let wrong = Creds {
        secret: "not-the-secret",
        ..creds()
    };
    invalid(&send(
        "GET",
        &url,
        &sign("GET", &url, b"", REGION, &wrong, now),
        b"",
    ));
    let old = now - Duration::from_secs(20 * 60);
    let msg = invalid(&send(
        "GET",
        &url,
        &sign("GET", &url, b"", REGION, &creds(), old),
        b"",
    ));
    assert!(msg.starts_with("Signature expired"), "{msg}");
    let stranger = Creds {
        key: "AKIASTRANGER",
        ..creds()
    };
    let r = send(
        "GET",
        &url,
        &sign("GET", &url, b"", REGION, &stranger, now),
        b"",
    );
    assert_eq!(r.status, 403);
    assert_eq!(
        r.header("x-amzn-errortype"),
        Some("UnrecognizedClientException")
    );
    let r = send("GET", &url, &[], b"");
    assert_eq!(r.status, 403);
    assert_eq!(
        r.header("x-amzn-errortype"),
        Some("MissingAuthenticationTokenException")
    );

    // With a session token in the fixture, requests must carry it, signed.
    cloud.update(|f| {
        f.auth.aws = AwsCredentials {
            session_token: Some("session-1".into()),
            ..f.auth.aws.clone()
        };
    });
    let r = send(
        "GET",
        &url,
        &sign("GET", &url, b"", REGION, &creds(), now),
        b"",
    );
    assert_eq!(
        r.header("x-amzn-errortype"),
        Some("UnrecognizedClientException")
    );
    let env = cloud.env_vars();
    assert!(env.contains(&("AWS_SESSION_TOKEN".to_owned(), "session-1".to_owned())));
    assert!(env.contains(&("MERIDIAN_AWS_ENDPOINT".to_owned(), cloud.aws_endpoint())));
    assert!(env.contains(&(
        "MERIDIAN_AWS_STS_ENDPOINT".to_owned(),
        cloud.aws_sts_endpoint()
    )));
    assert!(env.contains(&("AZURE_ACCESS_TOKEN".to_owned(), TEST_AZURE_TOKEN.to_owned())));
    let with_token = Creds {
        token: Some("session-1"),
        ..creds()
    };
    let r = send(
        "GET",
        &url,
        &sign("GET", &url, b"", REGION, &with_token, now),
        b"",
    );
    assert_eq!(r.status, 200);
}

#[test]
fn sts_answers_whose_credentials_sign_the_request() {
    let mut fx = fixture();
    fx.auth.aws.account_id = "418295730641".into();
    let cloud = FakeCloud::start(fx).unwrap();
    let url = cloud.aws_sts_endpoint();
    assert!(url.ends_with("/aws/sts"), "{url}");
    let body = b"Action=GetCallerIdentity&Version=2011-06-15";
    let sts = |body: &[u8], creds: &Creds<'_>| {
        let headers = sign_for("sts", "POST", &url, body, REGION, creds, SystemTime::now());
        send("POST", &url, &headers, body)
    };
    let text = |r: &support::Response| String::from_utf8_lossy(&r.body).into_owned();

    let r = sts(body, &creds());
    assert_eq!(r.status, 200, "{}", text(&r));
    assert_eq!(r.header("content-type"), Some("text/xml"));
    assert!(
        text(&r).contains("<Account>418295730641</Account>"),
        "{}",
        text(&r)
    );

    // A signature scoped to Bedrock is not one for STS.
    let headers = sign("POST", &url, body, REGION, &creds(), SystemTime::now());
    let r = send("POST", &url, &headers, body);
    assert_eq!(r.status, 403);
    assert!(
        text(&r).contains("<Code>InvalidClientTokenId</Code>"),
        "{}",
        text(&r)
    );
    assert!(text(&r).contains("'sts'"), "{}", text(&r));

    // A wrong secret, and no signature at all.
    let wrong = Creds {
        secret: "not-the-secret",
        ..creds()
    };
    let r = sts(body, &wrong);
    assert_eq!(r.status, 403);
    assert!(text(&r).contains("<Type>Sender</Type>"), "{}", text(&r));
    let r = send("POST", &url, &[], body);
    assert_eq!(r.status, 403);
    assert!(
        text(&r).contains("Missing Authentication Token"),
        "{}",
        text(&r)
    );

    // GetCallerIdentity, AssumeRole and AssumeRoleWithWebIdentity are served; other
    // actions are not.
    let r = sts(b"Action=GetSessionToken&Version=2011-06-15", &creds());
    assert_eq!(r.status, 400);
    assert!(
        text(&r).contains("<Code>InvalidAction</Code>"),
        "{}",
        text(&r)
    );

    // Faults on STS paths answer in STS's XML shape.
    cloud.set_faults(vec![Fault::new(
        Provider::Aws,
        FaultKind::Status {
            status: 503,
            retry_after: None,
        },
    )
    .path_contains("/sts")]);
    let r = sts(body, &creds());
    assert_eq!(r.status, 503);
    assert!(text(&r).contains("<Type>Receiver</Type>"), "{}", text(&r));
}

#[test]
fn faults_status_latency_and_times() {
    let cloud = FakeCloud::start(fixture()).unwrap();
    let base = cloud.aws_endpoint();
    cloud.set_faults(vec![
        Fault::new(
            Provider::Aws,
            FaultKind::Status {
                status: 429,
                retry_after: Some("3".into()),
            },
        )
        .in_region(REGION)
        .path_contains("/inference-profiles")
        .times(2),
        Fault::new(Provider::Aws, FaultKind::Latency { ms: 250 })
            .path_contains("/logging")
            .times(1),
    ]);
    let url = format!("{base}/inference-profiles");
    for _ in 0..2 {
        let r = aws("GET", &url, b"");
        assert_eq!(r.status, 429);
        assert_eq!(r.header("retry-after"), Some("3"));
        assert_eq!(r.header("x-amzn-errortype"), Some("ThrottlingException"));
    }
    assert_eq!(aws("GET", &url, b"").status, 200, "the fault ran out");
    // The fault is scoped to its region and path.
    cloud.set_faults(vec![Fault::new(
        Provider::Aws,
        FaultKind::Status {
            status: 503,
            retry_after: None,
        },
    )
    .in_region("us-east-1")]);
    assert_eq!(aws("GET", &url, b"").status, 200);
    let headers = sign("GET", &url, b"", "us-east-1", &creds(), SystemTime::now());
    let r = send("GET", &url, &headers, b"");
    assert_eq!(r.status, 503);
    assert!(r.header("retry-after").is_none());

    cloud.set_faults(vec![Fault::new(
        Provider::Azure,
        FaultKind::Latency { ms: 300 },
    )
    .times(1)]);
    let az = format!(
        "{}/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts?{API}",
        cloud.azure_endpoint()
    );
    let start = Instant::now();
    assert_eq!(azure_get(&az).status, 200);
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert!(
        cloud.fixture().faults.is_empty(),
        "the latency was used once"
    );
    assert_eq!(azure_get(&az).status, 200);

    // Latency adds to another fault; GCP faults are scoped by location.
    cloud.set_faults(vec![
        Fault::new(Provider::Gcp, FaultKind::Latency { ms: 200 }),
        Fault::new(
            Provider::Gcp,
            FaultKind::Status {
                status: 500,
                retry_after: None,
            },
        )
        .in_region("europe-west4"),
    ]);
    let gbase = cloud.gcp_endpoint();
    let start = Instant::now();
    let r = gcp(
        "GET",
        &format!("{gbase}/v1/projects/{PROJECT}/locations/europe-west4/endpoints"),
        b"",
    );
    assert_eq!(r.status, 500);
    assert_eq!(r.json()["error"]["status"], "INTERNAL");
    assert!(start.elapsed() >= Duration::from_millis(200));
    let r = gcp(
        "GET",
        &format!("{gbase}/v1/projects/{PROJECT}/locations/us-central1/endpoints"),
        b"",
    );
    assert_eq!(r.status, 200);
}

#[test]
fn faults_unauthorized_timeout_and_truncate() {
    let cloud = FakeCloud::start(fixture()).unwrap();
    cloud.set_faults(vec![
        Fault::new(Provider::Azure, FaultKind::Unauthorized).times(1),
        Fault::new(Provider::Aws, FaultKind::Unauthorized).times(1),
        Fault::new(Provider::Gcp, FaultKind::Unauthorized).times(1),
    ]);
    let az = format!(
        "{}/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts?{API}",
        cloud.azure_endpoint()
    );
    let r = azure_get(&az);
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"]["code"], "InvalidAuthenticationToken");
    let r = aws(
        "GET",
        &format!("{}/logging/modelinvocations", cloud.aws_endpoint()),
        b"",
    );
    assert_eq!(r.status, 403);
    assert_eq!(
        r.header("x-amzn-errortype"),
        Some("UnrecognizedClientException")
    );
    let svc = format!(
        "{}/v1/projects/{PROJECT}/services/aiplatform.googleapis.com",
        cloud.gcp_endpoint()
    );
    assert_eq!(gcp("GET", &svc, b"").status, 401);
    assert_eq!(gcp("GET", &svc, b"").status, 200);
    assert!(
        cloud.fixture().faults.is_empty(),
        "used-up faults are removed"
    );

    // Truncate: the full length is declared, half the body is sent, the connection closes.
    cloud.set_faults(vec![
        Fault::new(Provider::Azure, FaultKind::Truncate).times(1)
    ]);
    let r = azure_get(&az);
    assert_eq!(r.status, 200);
    let declared = r.content_length().unwrap();
    assert!(r.body.len() < declared, "{} < {declared}", r.body.len());
    assert!(serde_json::from_slice::<Value>(&r.body).is_err());
    let whole = azure_get(&az);
    assert_eq!(whole.body.len(), declared);
    assert_eq!(&whole.body[..r.body.len()], &r.body[..]);

    // Timeout: the request is accepted and never answered; the log shows no status.
    cloud.set_faults(vec![Fault::new(Provider::Gcp, FaultKind::Timeout).times(1)]);
    let err = send_with_timeout(
        "GET",
        &svc,
        &bearer(TEST_GCP_TOKEN),
        b"",
        Duration::from_millis(400),
    )
    .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
    let last = cloud.requests().last().cloned().unwrap();
    assert_eq!(last.provider, Some(Provider::Gcp));
    assert_eq!(last.status, None);
    assert_eq!(gcp("GET", &svc, b"").status, 200, "the timeout ran out");
}

#[test]
fn updates_between_requests_and_the_request_log() {
    let cloud = FakeCloud::start(fixture()).unwrap();
    let url = format!(
        "{}/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts/a0/deployments?{API}",
        cloud.azure_endpoint()
    );
    let (before, _) = azure_all(&url);
    assert_eq!(before[1]["sku"]["capacity"], 11);
    let changed = cloud.update(|f| {
        let d = f.azure_deployment_mut(SUB, RG, "a0", "d1").unwrap();
        d["sku"]["capacity"] = json!(40);
        f.page_size = 10;
        true
    });
    assert!(changed);
    let (after, pages) = azure_all(&url);
    assert_eq!(after[1]["sku"]["capacity"], 40);
    assert_eq!(pages, 1);

    let log = cloud.requests();
    assert_eq!(cloud.request_count(), 4);
    assert_eq!(log.len(), 4);
    assert!(log.iter().all(|r| r.method == "GET"
        && r.provider == Some(Provider::Azure)
        && r.status == Some(200)
        && r.path.ends_with("/accounts/a0/deployments")));
    assert!(log[1].query.as_deref().unwrap().contains("$skipToken="));
    cloud.clear_requests();
    assert_eq!(cloud.request_count(), 0);
}

#[test]
fn invalid_fixtures_are_refused() {
    let err = Fixture::from_json(r#"{"page_size": 0}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("page_size must be at least 1"), "{err}");
    let err = Fixture::from_json(r#"{"azure": {"subscriptions": {"s": {"resource_groups": {"r": {"accounts": [{"nom": 1}]}}}}}}"#)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("accounts[0] must be an object with a string \"name\""),
        "{err}"
    );
    let err = Fixture::from_json(r#"{"pagesize": 3}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field `pagesize`"), "{err}");
    let err = Fixture::from_json(
        r#"{"faults": [{"provider": "aws", "kind": {"status": {"status": 42}}}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("status 42"), "{err}");
    let bad = Fixture::default().with_page_size(0);
    let err = FakeCloud::start(bad).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    // A fixture survives a round trip through JSON.
    let f = fixture();
    assert_eq!(Fixture::from_json(&f.to_json()).unwrap(), f);
}
