//! The token endpoints refuse what the real ones refuse: client assertions with another
//! audience, an expired time, another key or another certificate thumbprint; Google JWTs that
//! live longer than an hour; STS calls without their parameters. Rotating tokens are accepted
//! by the APIs until they expire.
#![allow(clippy::unwrap_used)]

mod support;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use meridian_fakecloud::{
    AzureApp, FakeCloud, Fixture, GcpServiceAccount, WebIdentityRole, OTHER_PRIVATE_KEY_PEM,
    TEST_AZURE_TOKEN, TEST_CERTIFICATE_PEM, TEST_GCP_TOKEN, TEST_PRIVATE_KEY_PEM,
};
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use serde_json::{json, Value};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::{bearer, send};

const TENANT: &str = "tenant-1";
const CLIENT: &str = "client-1";
const SA: &str = "sa@p.iam.gserviceaccount.com";

fn der(pem: &str, label: &str) -> Vec<u8> {
    let begin = format!("-----BEGIN {label}-----");
    let start = pem.find(&begin).unwrap() + begin.len();
    let end = pem.find(&format!("-----END {label}-----")).unwrap();
    STANDARD
        .decode(pem[start..end].split_whitespace().collect::<String>())
        .unwrap()
}

/// A JWT signed RS256 with a PKCS#8 PEM key.
fn jwt(key_pem: &str, header: &Value, claims: &Value) -> String {
    let key = RsaKeyPair::from_pkcs8(&der(key_pem, "PRIVATE KEY")).unwrap();
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut sig = vec![0; key.public().modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    pairs
        .iter()
        .map(|(k, v)| {
            let enc: String = v
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            format!("{k}={enc}")
        })
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

fn post_form(url: &str, pairs: &[(&str, &str)]) -> support::Response {
    send(
        "POST",
        url,
        &[(
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        )],
        &form(pairs),
    )
}

fn cloud() -> FakeCloud {
    let mut f = Fixture::default();
    f.identity.azure.apps.push(AzureApp {
        tenant_id: TENANT.into(),
        client_id: CLIENT.into(),
        client_secret: None,
        certificate: Some(TEST_CERTIFICATE_PEM.into()),
        federated_token: None,
    });
    f.identity.gcp.service_accounts.push(GcpServiceAccount {
        client_email: SA.into(),
        certificate: TEST_CERTIFICATE_PEM.into(),
    });
    f.identity.aws.web_identity.push(WebIdentityRole {
        role_arn: "arn:aws:iam::1:role/ci".into(),
        token: "oidc-token".into(),
    });
    FakeCloud::start(f).unwrap()
}

#[test]
fn entra_checks_every_part_of_a_certificate_assertion() {
    let cloud = cloud();
    let url = format!(
        "{}/{TENANT}/oauth2/v2.0/token",
        cloud.azure_authority_host()
    );
    let x5t = {
        let digest = ring::digest::digest(
            &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            &der(TEST_CERTIFICATE_PEM, "CERTIFICATE"),
        );
        URL_SAFE_NO_PAD.encode(digest)
    };
    let header = json!({"alg": "RS256", "typ": "JWT", "x5t": x5t});
    let claims = |aud: &str, exp: u64| json!({"aud": aud, "iss": CLIENT, "sub": CLIENT, "jti": "id-1", "nbf": now() - 5, "exp": exp});
    let token = |assertion: &str, scope: &str| {
        post_form(
            &url,
            &[
                ("client_id", CLIENT),
                ("scope", scope),
                ("grant_type", "client_credentials"),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", assertion),
            ],
        )
    };
    let arm = "https://management.azure.com/.default";
    let good = jwt(TEST_PRIVATE_KEY_PEM, &header, &claims(&url, now() + 600));
    let r = token(&good, arm);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["access_token"], TEST_AZURE_TOKEN);

    let refused = |r: support::Response, code: &str| {
        assert_eq!(r.status, 401, "{}", String::from_utf8_lossy(&r.body));
        let d = r.json()["error_description"].as_str().unwrap().to_owned();
        assert!(d.contains(code), "{code}: {d}");
    };
    refused(
        token(
            &jwt(
                TEST_PRIVATE_KEY_PEM,
                &header,
                &claims("https://elsewhere/token", now() + 600),
            ),
            arm,
        ),
        "AADSTS700212",
    );
    refused(
        token(
            &jwt(TEST_PRIVATE_KEY_PEM, &header, &claims(&url, now() - 10)),
            arm,
        ),
        "AADSTS700024",
    );
    refused(
        token(
            &jwt(OTHER_PRIVATE_KEY_PEM, &header, &claims(&url, now() + 600)),
            arm,
        ),
        "AADSTS700027",
    );
    refused(
        token(
            &jwt(
                TEST_PRIVATE_KEY_PEM,
                &json!({"alg": "RS256", "typ": "JWT", "x5t": "another-thumbprint"}),
                &claims(&url, now() + 600),
            ),
            arm,
        ),
        "AADSTS700027",
    );
    let r = token(&good, "https://graph.microsoft.com/.default");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_scope");
    let other_tenant = format!("{}/other/oauth2/v2.0/token", cloud.azure_authority_host());
    let r = post_form(
        &other_tenant,
        &[
            ("client_id", CLIENT),
            ("scope", arm),
            ("grant_type", "client_credentials"),
            ("client_secret", "x"),
        ],
    );
    assert!(r.json()["error_description"]
        .as_str()
        .unwrap()
        .contains("AADSTS700016"));
}

#[test]
fn google_checks_the_service_account_jwt() {
    let cloud = cloud();
    let url = cloud.gcp_token_uri();
    let grant = |claims: &Value| {
        post_form(
            &url,
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                (
                    "assertion",
                    &jwt(
                        TEST_PRIVATE_KEY_PEM,
                        &json!({"alg": "RS256", "typ": "JWT"}),
                        claims,
                    ),
                ),
            ],
        )
    };
    let scope = "https://www.googleapis.com/auth/cloud-platform";
    let r =
        grant(&json!({"iss": SA, "scope": scope, "aud": url, "iat": now(), "exp": now() + 3600}));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["access_token"], TEST_GCP_TOKEN);
    let r =
        grant(&json!({"iss": SA, "scope": scope, "aud": url, "iat": now(), "exp": now() + 7200}));
    assert_eq!(r.status, 400);
    assert!(r.json()["error_description"]
        .as_str()
        .unwrap()
        .contains("longer than an hour"));
    let r = grant(
        &json!({"iss": SA, "scope": "https://www.googleapis.com/auth/drive", "aud": url, "iat": now(), "exp": now() + 60}),
    );
    assert_eq!(r.json()["error"], "invalid_scope");
    let r = grant(
        &json!({"iss": "other@p.iam.gserviceaccount.com", "scope": scope, "aud": url, "iat": now(), "exp": now() + 60}),
    );
    assert_eq!(r.json()["error"], "invalid_grant");
}

#[test]
fn sts_web_identity_needs_its_parameters_and_a_trusted_token() {
    let cloud = cloud();
    let url = cloud.aws_sts_endpoint();
    let call = |pairs: &[(&str, &str)]| post_form(&url, pairs);
    let base = [
        ("Action", "AssumeRoleWithWebIdentity"),
        ("Version", "2011-06-15"),
        ("RoleArn", "arn:aws:iam::1:role/ci"),
        ("RoleSessionName", "s"),
    ];
    let r = call(&base);
    assert_eq!(r.status, 400);
    let with = |token: &str| {
        let mut p = base.to_vec();
        p.push(("WebIdentityToken", token));
        call(&p)
    };
    let r = with("another-token");
    assert_eq!(r.status, 403);
    assert!(String::from_utf8_lossy(&r.body).contains("<Code>AccessDenied</Code>"));
    let r = with("oidc-token");
    assert_eq!(r.status, 200);
    let body = String::from_utf8_lossy(&r.body).into_owned();
    assert!(
        body.contains("<AccessKeyId>AKIAFAKECLOUD0000001</AccessKeyId>"),
        "{body}"
    );
    assert!(body.contains("<Expiration>"), "{body}");
}

#[test]
fn rotating_tokens_are_new_each_time_and_expire() {
    let mut f = Fixture::default();
    f.identity.token_lifetime_secs = Some(1);
    f.identity.azure.apps.push(AzureApp {
        tenant_id: TENANT.into(),
        client_id: CLIENT.into(),
        client_secret: Some("the-secret".into()),
        certificate: None,
        federated_token: None,
    });
    f.azure_resource_group_mut("sub", "rg");
    let cloud = FakeCloud::start(f).unwrap();
    let url = format!(
        "{}/{TENANT}/oauth2/v2.0/token",
        cloud.azure_authority_host()
    );
    let issue = || {
        let r = post_form(
            &url,
            &[
                ("client_id", CLIENT),
                ("scope", "https://management.azure.com/.default"),
                ("grant_type", "client_credentials"),
                ("client_secret", "the-secret"),
            ],
        );
        assert_eq!(r.json()["expires_in"], 1);
        r.json()["access_token"].as_str().unwrap().to_owned()
    };
    let (first, second) = (issue(), issue());
    assert_ne!(first, second);
    let list = format!(
        "{}/subscriptions/sub/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts?api-version=2025-06-01",
        cloud.azure_endpoint()
    );
    assert_eq!(send("GET", &list, &bearer(&first), b"").status, 200);
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(send("GET", &list, &bearer(&first), b"").status, 401);
    assert_eq!(send("GET", &list, &bearer(&issue()), b"").status, 200);
}
