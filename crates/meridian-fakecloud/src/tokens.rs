//! The token endpoints: AWS STS `AssumeRoleWithWebIdentity` and `AssumeRole`, IAM Identity
//! Center `GetRoleCredentials`, the ECS credentials endpoint and EC2 instance metadata
//! (IMDSv2); Entra ID's token endpoint (client secret, certificate assertion, federated
//! token), App Service's identity endpoint and Azure's instance metadata service; Google's
//! OAuth token endpoint (JWT bearer and refresh-token grants), STS token exchange, IAM
//! Credentials `generateAccessToken` and the metadata server.
//!
//! Each checks what the real one checks — the grant's parameters, signatures (RS256 with the
//! registered certificate's key, SigV4), audiences, times — and issues the fixture's own
//! credentials to callers that prove an identity of [`crate::Identity`].

use crate::fixture::{AwsCredentials, Fixture};
use crate::http::{parse_query, path_segments, percent_decode, Incoming, Reply};
use crate::sigv4::{self, Rejection};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The session token the fake EC2 metadata service hands out and requires.
const IMDS_SESSION: &str = "fake-imds-session-token-0001";
/// Entra ID's client-assertion type.
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const ARM_SCOPE: &str = "https://management.azure.com/.default";
const ARM_RESOURCE: &str = "https://management.azure.com/";
const GCP_SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";
/// Tokens issued so far, to tell rotating tokens apart.
static ISSUED: AtomicU64 = AtomicU64::new(0);

fn unix_ms(now: SystemTime) -> u64 {
    now.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The lifetime of what is issued.
fn lifetime(fixture: &Fixture) -> u64 {
    fixture.identity.token_lifetime_secs.unwrap_or(3600)
}

/// A token to issue in place of `base`: `base` itself, or with a lifetime configured a new
/// `base~<expiry ms>~<n>`.
fn issue(base: &str, fixture: &Fixture, now: SystemTime) -> String {
    match fixture.identity.token_lifetime_secs {
        None => base.to_owned(),
        Some(secs) => format!(
            "{base}~{}~{}",
            unix_ms(now) + secs * 1000,
            ISSUED.fetch_add(1, Ordering::Relaxed)
        ),
    }
}

/// Whether an API accepts `presented` where the fixture's token is `base`: the token itself,
/// or one issued for it that has not expired.
pub(crate) fn accepts(base: &str, presented: &str, now: SystemTime) -> bool {
    if presented == base {
        return true;
    }
    let Some(rest) = presented
        .strip_prefix(base)
        .and_then(|r| r.strip_prefix('~'))
    else {
        return false;
    };
    let expiry = rest.split('~').next().and_then(|e| e.parse::<u64>().ok());
    expiry.is_some_and(|e| e > unix_ms(now))
}

/// `2026-01-02T03:04:05Z`.
pub(crate) fn rfc3339(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil from days (proleptic Gregorian).
    let z = i64::try_from(days).unwrap_or(0) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn secs(now: SystemTime) -> u64 {
    now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn form(req: &Incoming) -> Vec<(String, String)> {
    parse_query(&String::from_utf8_lossy(&req.body))
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

// ---------------------------------------------------------------------------------------
// JWTs

/// A JWT signed with RS256, verified against a certificate's key: its header and claims.
pub(crate) fn verify_rs256(jwt: &str, certificate_pem: &str) -> Result<(Value, Value), String> {
    let parts: Vec<&str> = jwt.split('.').collect();
    let [h, c, s] = parts[..] else {
        return Err("the assertion is not a JWT (three dot-separated parts)".into());
    };
    let decode = |p: &str| {
        URL_SAFE_NO_PAD
            .decode(p)
            .map_err(|_| "a JWT part is not base64url".to_string())
    };
    let header: Value =
        serde_json::from_slice(&decode(h)?).map_err(|_| "the JWT header is not JSON")?;
    let claims: Value =
        serde_json::from_slice(&decode(c)?).map_err(|_| "the JWT claims are not JSON")?;
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err("the JWT is not signed with RS256".into());
    }
    let cert = certificate_der(certificate_pem).ok_or("the registered certificate is not PEM")?;
    let key = rsa_public_key(&cert).ok_or("the registered certificate has no RSA key")?;
    let signature = decode(s)?;
    ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, key)
        .verify(format!("{h}.{c}").as_bytes(), &signature)
        .map_err(|_| "the JWT signature does not verify with the registered key".to_string())?;
    Ok((header, claims))
}

/// The DER of the first certificate of a PEM text.
pub(crate) fn certificate_der(pem: &str) -> Option<Vec<u8>> {
    let start = pem.find("-----BEGIN CERTIFICATE-----")? + "-----BEGIN CERTIFICATE-----".len();
    let end = start + pem[start..].find("-----END CERTIFICATE-----")?;
    let b64: String = pem[start..end].split_whitespace().collect();
    STANDARD.decode(b64).ok()
}

/// The base64url SHA-1 thumbprint of a certificate (Entra ID's `x5t`).
pub(crate) fn thumbprint(der: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        der,
    ))
}

/// One DER element: (tag, content, the rest after it).
fn tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *b.first()?;
    let first = *b.get(1)?;
    let (len, head) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*b.get(2 + i)?);
        }
        (len, 2 + n)
    };
    let content = b.get(head..head + len)?;
    Some((tag, content, &b[head + len..]))
}

/// The RSAPublicKey (PKCS#1) of an X.509 certificate: Certificate → TBSCertificate →
/// (version?, serial, signature, issuer, validity, subject, SubjectPublicKeyInfo) → BIT
/// STRING.
fn rsa_public_key(cert: &[u8]) -> Option<&[u8]> {
    let (_, certificate, _) = tlv(cert)?;
    let (_, tbs, _) = tlv(certificate)?;
    let mut rest = tbs;
    if rest.first() == Some(&0xa0) {
        rest = tlv(rest)?.2;
    }
    for _ in 0..5 {
        rest = tlv(rest)?.2; // serial, signature, issuer, validity, subject
    }
    let (_, spki, _) = tlv(rest)?;
    let (_, _algorithm, after) = tlv(spki)?;
    let (tag, bits, _) = tlv(after)?;
    (tag == 0x03 && bits.first() == Some(&0)).then(|| &bits[1..])
}

/// Checks a JWT's time claims: `exp` in the future, `nbf`/`iat` not in the future (a minute
/// of skew allowed).
fn check_times(claims: &Value, now: SystemTime) -> Result<(), String> {
    let now = secs(now);
    let n = |k: &str| claims.get(k).and_then(Value::as_u64);
    let exp = n("exp").ok_or("the assertion has no exp")?;
    if exp <= now {
        return Err("the assertion has expired".into());
    }
    for k in ["nbf", "iat"] {
        if n(k).is_some_and(|t| t > now + 60) {
            return Err(format!("the assertion's {k} is in the future"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// AWS

fn sts_error(status: u16, code: &str, message: &str) -> Reply {
    crate::aws::sts_error(status, code, message)
}

fn sts_credentials(action: &str, role_arn: &str, fixture: &Fixture, now: SystemTime) -> Reply {
    let c = &fixture.auth.aws;
    let token = c
        .session_token
        .as_deref()
        .map(|t| format!("      <SessionToken>{}</SessionToken>\n", xml_escape(t)))
        .unwrap_or_default();
    Reply::xml(
        200,
        format!(
            "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <{action}Result>\n    <Credentials>\n      <AccessKeyId>{}</AccessKeyId>\n      <SecretAccessKey>{}</SecretAccessKey>\n{token}      <Expiration>{}</Expiration>\n    </Credentials>\n    <AssumedRoleUser>\n      <Arn>{}</Arn>\n      <AssumedRoleId>AROAFAKECLOUD0000001:meridian</AssumedRoleId>\n    </AssumedRoleUser>\n  </{action}Result>\n  <ResponseMetadata>\n    <RequestId>00000000-0000-0000-0000-000000000000</RequestId>\n  </ResponseMetadata>\n</{action}Response>\n",
            xml_escape(&c.access_key_id),
            xml_escape(&c.secret_access_key),
            rfc3339(secs(now) + lifetime(fixture)),
            xml_escape(role_arn),
        ),
    )
}

/// STS `AssumeRoleWithWebIdentity` (unsigned) and `AssumeRole` (signed with a role's source
/// credentials); `None` for other actions.
fn aws_sts(req: &Incoming, fixture: &Fixture, now: SystemTime) -> Option<Reply> {
    let form = form(req);
    let action = field(&form, "Action")?;
    if !matches!(action, "AssumeRoleWithWebIdentity" | "AssumeRole") {
        return None;
    }
    if field(&form, "Version") != Some("2011-06-15") {
        return Some(sts_error(
            400,
            "InvalidAction",
            "Version must be 2011-06-15.",
        ));
    }
    let (Some(role_arn), Some(_session)) =
        (field(&form, "RoleArn"), field(&form, "RoleSessionName"))
    else {
        return Some(sts_error(
            400,
            "ValidationError",
            "RoleArn and RoleSessionName are required.",
        ));
    };
    if action == "AssumeRoleWithWebIdentity" {
        let Some(token) = field(&form, "WebIdentityToken") else {
            return Some(sts_error(
                400,
                "ValidationError",
                "WebIdentityToken is required.",
            ));
        };
        let trusted = fixture
            .identity
            .aws
            .web_identity
            .iter()
            .any(|w| w.role_arn == role_arn && w.token == token);
        if !trusted {
            return Some(sts_error(
                403,
                "AccessDenied",
                "Not authorized to perform sts:AssumeRoleWithWebIdentity",
            ));
        }
        return Some(sts_credentials(action, role_arn, fixture, now));
    }
    let roles: Vec<_> = fixture
        .identity
        .aws
        .roles
        .iter()
        .filter(|r| r.role_arn == role_arn)
        .collect();
    let mut last = Rejection::Missing;
    for role in &roles {
        match verify_sigv4(req, &role.source, now) {
            Ok(()) => {
                if role.external_id.as_deref() != field(&form, "ExternalId") {
                    return Some(sts_error(
                        403,
                        "AccessDenied",
                        &format!("User is not authorized to perform: sts:AssumeRole on resource: {role_arn} (ExternalId)"),
                    ));
                }
                return Some(sts_credentials(action, role_arn, fixture, now));
            }
            Err(r) => last = r,
        }
    }
    Some(match last {
        Rejection::InvalidSignature(m) | Rejection::Incomplete(m) => {
            sts_error(403, "SignatureDoesNotMatch", &m)
        }
        _ => sts_error(
            403,
            "AccessDenied",
            &format!("User is not authorized to perform: sts:AssumeRole on resource: {role_arn}"),
        ),
    })
}

fn verify_sigv4(req: &Incoming, creds: &AwsCredentials, now: SystemTime) -> Result<(), Rejection> {
    sigv4::verify(
        sigv4::STS,
        &req.method,
        &req.path,
        req.query.as_deref(),
        &req.headers,
        &req.body,
        creds,
        now,
    )
    .map(|_| ())
}

fn aws_json_error(status: u16, kind: &str, message: &str) -> Reply {
    crate::aws::error(status, kind, message)
}

/// The JSON shape of temporary credentials of ECS and IMDS.
fn container_credentials(fixture: &Fixture, now: SystemTime) -> Value {
    let c = &fixture.auth.aws;
    json!({
        "Code": "Success",
        "Type": "AWS-HMAC",
        "AccessKeyId": c.access_key_id,
        "SecretAccessKey": c.secret_access_key,
        "Token": c.session_token,
        "Expiration": rfc3339(secs(now) + lifetime(fixture)),
        "LastUpdated": rfc3339(secs(now)),
    })
}

/// The AWS token endpoints under `/aws`; `None` for other paths.
pub(crate) fn aws(req: &Incoming, path: &str, fixture: &Fixture, now: SystemTime) -> Option<Reply> {
    if crate::aws::is_sts(path) {
        return aws_sts(req, fixture, now);
    }
    let id = &fixture.identity.aws;
    if let Some(rest) = path.strip_prefix("/sso/") {
        if rest != "federation/credentials" || req.method != "GET" {
            return Some(aws_json_error(
                404,
                "NotFoundException",
                "No such operation.",
            ));
        }
        let token = req.header("x-amz-sso_bearer_token").unwrap_or_default();
        let grants: Vec<_> = id.sso.iter().filter(|g| g.access_token == token).collect();
        if grants.is_empty() {
            return Some(aws_json_error(
                401,
                "UnauthorizedException",
                "Session token not found or invalid",
            ));
        }
        let account = req.query_param("account_id").unwrap_or_default();
        let role = req.query_param("role_name").unwrap_or_default();
        if !grants
            .iter()
            .any(|g| g.account_id == account && g.role_name == role)
        {
            return Some(aws_json_error(403, "ForbiddenException", "No access"));
        }
        let c = &fixture.auth.aws;
        return Some(Reply::json(
            200,
            &json!({"roleCredentials": {
                "accessKeyId": c.access_key_id,
                "secretAccessKey": c.secret_access_key,
                "sessionToken": c.session_token,
                "expiration": (secs(now) + lifetime(fixture)) * 1000,
            }}),
        ));
    }
    if path == "/ecs" || path.starts_with("/ecs/") {
        let Some(ecs) = &id.ecs else {
            return Some(aws_json_error(
                404,
                "NotFound",
                "No container credentials here.",
            ));
        };
        if let Some(expected) = &ecs.authorization {
            if req.header("authorization") != Some(expected.as_str()) {
                return Some(aws_json_error(
                    401,
                    "Unauthorized",
                    "The authorization token is missing or wrong.",
                ));
            }
        }
        let mut v = container_credentials(fixture, now);
        if let Some(o) = v.as_object_mut() {
            o.remove("Code");
            o.remove("Type");
            o.remove("LastUpdated");
            o.insert(
                "RoleArn".into(),
                json!("arn:aws:iam::000000000000:role/task"),
            );
        }
        return Some(Reply::json(200, &v));
    }
    let rest = path.strip_prefix("/imds")?;
    let Some(instance_role) = &id.instance_role else {
        // Not an EC2 instance.
        return Some(Reply::text(404, "Not Found"));
    };
    if rest == "/latest/api/token" {
        if req.method != "PUT" {
            return Some(Reply::text(405, "Method Not Allowed"));
        }
        if req.header("x-aws-ec2-metadata-token-ttl-seconds").is_none() {
            return Some(Reply::text(400, "Bad Request"));
        }
        return Some(Reply::text(200, IMDS_SESSION));
    }
    if req.header("x-aws-ec2-metadata-token") != Some(IMDS_SESSION) {
        return Some(Reply::text(401, "Unauthorized"));
    }
    let list = "/latest/meta-data/iam/security-credentials/";
    let Some(role) = rest.strip_prefix(list) else {
        return Some(Reply::text(404, "Not Found"));
    };
    Some(if role.is_empty() {
        Reply::text(200, instance_role)
    } else if percent_decode(role) == *instance_role {
        Reply::json(200, &container_credentials(fixture, now))
    } else {
        Reply::text(404, "Not Found")
    })
}

// ---------------------------------------------------------------------------------------
// Azure

fn entra_error(status: u16, error: &str, description: &str) -> Reply {
    Reply::json(
        status,
        &json!({
            "error": error,
            "error_description": format!("{description}\r\nTrace ID: 00000000-0000-0000-0000-000000000000"),
            "error_codes": [],
        }),
    )
}

fn entra_token(fixture: &Fixture, now: SystemTime) -> Reply {
    let secs = lifetime(fixture);
    Reply::json(
        200,
        &json!({
            "token_type": "Bearer",
            "expires_in": secs,
            "ext_expires_in": secs,
            "access_token": issue(&fixture.auth.azure_token, fixture, now),
        }),
    )
}

/// The Azure token endpoints under `/azure`; `None` for other paths.
pub(crate) fn azure(
    req: &Incoming,
    path: &str,
    fixture: &Fixture,
    host: &str,
    now: SystemTime,
) -> Option<Reply> {
    let seg = path_segments(path);
    let seg: Vec<&str> = seg.iter().map(String::as_str).collect();
    match seg[..] {
        ["login", tenant, "oauth2", "v2.0", "token"] => {
            Some(entra(req, tenant, fixture, host, now))
        }
        ["msi", "token"] => Some(app_service(req, fixture, now)),
        ["imds", "metadata", "identity", "oauth2", "token"] => Some(azure_imds(req, fixture, now)),
        _ => None,
    }
}

fn entra(req: &Incoming, tenant: &str, fixture: &Fixture, host: &str, now: SystemTime) -> Reply {
    if req.method != "POST" {
        return entra_error(
            405,
            "invalid_request",
            "AADSTS900561: The endpoint only accepts POST requests.",
        );
    }
    let form = form(req);
    if field(&form, "grant_type") != Some("client_credentials") {
        return entra_error(
            400,
            "unsupported_grant_type",
            "AADSTS70003: The app requested an unsupported grant type.",
        );
    }
    if field(&form, "scope") != Some(ARM_SCOPE) {
        return entra_error(
            400,
            "invalid_scope",
            "AADSTS1002012: The provided value for scope is not valid.",
        );
    }
    let client_id = field(&form, "client_id").unwrap_or_default();
    let Some(app) = fixture
        .identity
        .azure
        .apps
        .iter()
        .find(|a| a.tenant_id == tenant && a.client_id == client_id)
    else {
        return entra_error(
            400,
            "unauthorized_client",
            &format!("AADSTS700016: Application with identifier '{client_id}' was not found in the directory '{tenant}'."),
        );
    };
    if let Some(secret) = field(&form, "client_secret") {
        return if app.client_secret.as_deref() == Some(secret) {
            entra_token(fixture, now)
        } else {
            entra_error(
                401,
                "invalid_client",
                &format!("AADSTS7000215: Invalid client secret provided for app '{client_id}'."),
            )
        };
    }
    if field(&form, "client_assertion_type") != Some(ASSERTION_TYPE) {
        return entra_error(
            400,
            "invalid_request",
            "AADSTS7000218: The request body must contain client_assertion or client_secret.",
        );
    }
    let Some(assertion) = field(&form, "client_assertion") else {
        return entra_error(
            400,
            "invalid_request",
            "AADSTS7000218: The request body must contain client_assertion or client_secret.",
        );
    };
    if app.federated_token.as_deref() == Some(assertion) {
        return entra_token(fixture, now);
    }
    let Some(cert) = &app.certificate else {
        return entra_error(
            400,
            "invalid_request",
            "AADSTS70021: No matching federated identity record found for presented assertion.",
        );
    };
    let (header, claims) = match verify_rs256(assertion, cert) {
        Ok(x) => x,
        Err(e) => {
            return entra_error(
                401,
                "invalid_client",
                &format!("AADSTS700027: Client assertion failed signature validation: {e}."),
            )
        }
    };
    let expected_x5t = certificate_der(cert).map(|d| thumbprint(&d));
    if header.get("x5t").and_then(Value::as_str) != expected_x5t.as_deref() {
        return entra_error(401, "invalid_client", "AADSTS700027: The certificate with identifier (x5t) used to sign the client assertion is not registered on application.");
    }
    let aud = format!("http://{host}/azure/login/{tenant}/oauth2/v2.0/token");
    let s = |k: &str| claims.get(k).and_then(Value::as_str);
    if s("aud") != Some(aud.as_str()) {
        return entra_error(
            401,
            "invalid_client",
            &format!("AADSTS700212: The client assertion's audience is not {aud}."),
        );
    }
    if s("iss") != Some(client_id) || s("sub") != Some(client_id) {
        return entra_error(
            401,
            "invalid_client",
            "AADSTS700023: The client assertion's iss and sub must be the client ID.",
        );
    }
    if s("jti").is_none_or(str::is_empty) {
        return entra_error(
            401,
            "invalid_client",
            "AADSTS700025: The client assertion has no jti.",
        );
    }
    if let Err(e) = check_times(&claims, now) {
        return entra_error(
            401,
            "invalid_client",
            &format!("AADSTS700024: Client assertion is not within its valid time range: {e}."),
        );
    }
    entra_token(fixture, now)
}

/// A managed identity's answer, or its refusal of the client ID asked for.
fn managed_identity<'f>(
    req: &Incoming,
    fixture: &'f Fixture,
) -> Result<&'f crate::identity::ManagedIdentity, Reply> {
    let Some(mi) = &fixture.identity.azure.managed_identity else {
        return Err(entra_error(400, "invalid_request", "Identity not found"));
    };
    if req.query_param("client_id") != mi.client_id {
        return Err(entra_error(400, "invalid_request", "Identity not found"));
    }
    if req.query_param("resource").as_deref() != Some(ARM_RESOURCE) {
        return Err(entra_error(
            400,
            "invalid_resource",
            "AADSTS500011: The resource principal was not found.",
        ));
    }
    Ok(mi)
}

fn app_service(req: &Incoming, fixture: &Fixture, now: SystemTime) -> Reply {
    if req.query_param("api-version").as_deref() != Some("2019-08-01") {
        return entra_error(400, "invalid_request", "api-version 2019-08-01 is required");
    }
    let mi = match managed_identity(req, fixture) {
        Ok(mi) => mi,
        Err(reply) => return reply,
    };
    if req.header("x-identity-header") != Some(mi.identity_header.as_str()) {
        return entra_error(
            401,
            "unauthorized",
            "The X-IDENTITY-HEADER is missing or wrong.",
        );
    }
    Reply::json(
        200,
        &json!({
            "access_token": issue(&fixture.auth.azure_token, fixture, now),
            "expires_on": (secs(now) + lifetime(fixture)).to_string(),
            "resource": ARM_RESOURCE,
            "token_type": "Bearer",
            "client_id": mi.client_id.clone().unwrap_or_else(|| "00000000-0000-0000-0000-00000000000a".into()),
        }),
    )
}

fn azure_imds(req: &Incoming, fixture: &Fixture, now: SystemTime) -> Reply {
    if req.header("metadata") != Some("true") {
        return entra_error(
            400,
            "invalid_request",
            "Required metadata header not specified",
        );
    }
    if req.query_param("api-version").is_none() {
        return entra_error(
            400,
            "invalid_request",
            "Required query variable 'api-version' is missing",
        );
    }
    if let Err(reply) = managed_identity(req, fixture) {
        return reply;
    }
    let secs_left = lifetime(fixture);
    Reply::json(
        200,
        &json!({
            "access_token": issue(&fixture.auth.azure_token, fixture, now),
            "expires_in": secs_left.to_string(),
            "expires_on": (secs(now) + secs_left).to_string(),
            "resource": ARM_RESOURCE,
            "token_type": "Bearer",
        }),
    )
}

// ---------------------------------------------------------------------------------------
// Google

fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
    Reply::json(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

fn google_token(token: &str, fixture: &Fixture) -> Reply {
    Reply::json(
        200,
        &json!({
            "access_token": token,
            "expires_in": lifetime(fixture),
            "token_type": "Bearer",
            "scope": GCP_SCOPE,
        }),
    )
}

/// The Google token endpoints under `/gcp`; `None` for other paths.
pub(crate) fn gcp(
    req: &Incoming,
    path: &str,
    fixture: &Fixture,
    host: &str,
    now: SystemTime,
) -> Option<Reply> {
    match path {
        "/oauth2/token" => Some(oauth(req, fixture, host, now)),
        "/sts/v1/token" => Some(google_sts(req, fixture, now)),
        _ => {
            let rest = path.strip_prefix("/iamcredentials/v1/projects/-/serviceAccounts/")?;
            let email = percent_decode(rest.strip_suffix(":generateAccessToken")?);
            Some(generate_access_token(req, &email, fixture, now))
        }
    }
}

fn oauth(req: &Incoming, fixture: &Fixture, host: &str, now: SystemTime) -> Reply {
    let form = form(req);
    let id = &fixture.identity.gcp;
    match field(&form, "grant_type") {
        Some("urn:ietf:params:oauth:grant-type:jwt-bearer") => {
            let Some(assertion) = field(&form, "assertion") else {
                return oauth_error(
                    400,
                    "invalid_request",
                    "Missing required parameter: assertion",
                );
            };
            let claims = assertion
                .split('.')
                .nth(1)
                .and_then(|c| URL_SAFE_NO_PAD.decode(c).ok())
                .and_then(|c| serde_json::from_slice::<Value>(&c).ok())
                .unwrap_or(Value::Null);
            let iss = claims
                .get("iss")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let Some(sa) = id.service_accounts.iter().find(|s| s.client_email == iss) else {
                return oauth_error(400, "invalid_grant", "Invalid grant: account not found");
            };
            let claims = match verify_rs256(assertion, &sa.certificate) {
                Ok((_, c)) => c,
                Err(e) => {
                    return oauth_error(
                        400,
                        "invalid_grant",
                        &format!("Invalid JWT Signature: {e}."),
                    )
                }
            };
            let aud = format!("http://{host}/gcp/oauth2/token");
            if claims.get("aud").and_then(Value::as_str) != Some(aud.as_str()) {
                return oauth_error(
                    400,
                    "invalid_grant",
                    &format!("Invalid JWT: the audience is not {aud}."),
                );
            }
            let scope = claims
                .get("scope")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !scope.split(' ').any(|s| s == GCP_SCOPE) {
                return oauth_error(
                    400,
                    "invalid_scope",
                    "The JWT asks for no cloud-platform scope.",
                );
            }
            if let Err(e) = check_times(&claims, now) {
                return oauth_error(400, "invalid_grant", &format!("Invalid JWT: {e}."));
            }
            let n = |k: &str| claims.get(k).and_then(Value::as_u64).unwrap_or(0);
            if n("exp").saturating_sub(n("iat")) > 3600 {
                return oauth_error(
                    400,
                    "invalid_grant",
                    "Invalid JWT: the lifetime is longer than an hour.",
                );
            }
            google_token(&issue(&fixture.auth.gcp_token, fixture, now), fixture)
        }
        Some("refresh_token") => {
            let (client, secret, token) = (
                field(&form, "client_id").unwrap_or_default(),
                field(&form, "client_secret").unwrap_or_default(),
                field(&form, "refresh_token").unwrap_or_default(),
            );
            let Some(user) = id.authorized_users.iter().find(|u| u.client_id == client) else {
                return oauth_error(401, "invalid_client", "The OAuth client was not found.");
            };
            if user.client_secret != secret {
                return oauth_error(401, "invalid_client", "Unauthorized");
            }
            if user.refresh_token != token {
                return oauth_error(400, "invalid_grant", "Token has been expired or revoked.");
            }
            google_token(&issue(&fixture.auth.gcp_token, fixture, now), fixture)
        }
        _ => oauth_error(400, "unsupported_grant_type", "Invalid grant_type."),
    }
}

/// A federated token for provider `i`, accepted by `generateAccessToken` only.
fn federated(i: usize, fixture: &Fixture, now: SystemTime) -> String {
    issue(&format!("fake-federated-token-{i}"), fixture, now)
}

fn google_sts(req: &Incoming, fixture: &Fixture, now: SystemTime) -> Reply {
    let form = form(req);
    if field(&form, "grant_type") != Some("urn:ietf:params:oauth:grant-type:token-exchange") {
        return oauth_error(400, "unsupported_grant_type", "Invalid grant_type.");
    }
    if field(&form, "requested_token_type") != Some("urn:ietf:params:oauth:token-type:access_token")
    {
        return oauth_error(400, "invalid_request", "Invalid requested_token_type.");
    }
    if !field(&form, "scope").is_some_and(|s| s.split(' ').any(|s| s == GCP_SCOPE)) {
        return oauth_error(
            400,
            "invalid_scope",
            "The scope must include cloud-platform.",
        );
    }
    let audience = field(&form, "audience").unwrap_or_default();
    let Some((i, provider)) = fixture
        .identity
        .gcp
        .workload_providers
        .iter()
        .enumerate()
        .find(|(_, p)| p.audience == audience)
    else {
        return oauth_error(
            400,
            "invalid_target",
            "The target service indicated by the \"audience\" parameters is invalid.",
        );
    };
    let subject = field(&form, "subject_token").unwrap_or_default();
    let accepted = match field(&form, "subject_token_type") {
        Some("urn:ietf:params:aws:token-type:aws4_request") => match &provider.aws {
            Some(creds) => aws_subject(subject, audience, creds, now),
            None => Err("the provider is not an AWS provider".to_string()),
        },
        Some(
            "urn:ietf:params:oauth:token-type:jwt" | "urn:ietf:params:oauth:token-type:id_token",
        ) => {
            if provider.subject_token.as_deref() == Some(subject) {
                Ok(())
            } else {
                Err("The audience in ID Token does not match the expected audience, or the token was not issued by the provider's issuer.".into())
            }
        }
        _ => Err("Invalid subject_token_type.".into()),
    };
    if let Err(e) = accepted {
        return oauth_error(400, "invalid_grant", &e);
    }
    let token = if provider.service_account.is_some() {
        federated(i, fixture, now)
    } else {
        issue(&fixture.auth.gcp_token, fixture, now)
    };
    Reply::json(
        200,
        &json!({
            "access_token": token,
            "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
            "token_type": "Bearer",
            "expires_in": lifetime(fixture),
        }),
    )
}

/// Checks an AWS subject token: a serialised `GetCallerIdentity` request signed with `creds`
/// for this audience.
fn aws_subject(
    token: &str,
    audience: &str,
    creds: &AwsCredentials,
    now: SystemTime,
) -> Result<(), String> {
    let doc: Value = serde_json::from_str(&percent_decode(token))
        .map_err(|_| "the AWS subject token is not URL-encoded JSON".to_string())?;
    let url = doc.get("url").and_then(Value::as_str).unwrap_or_default();
    if doc.get("method").and_then(Value::as_str) != Some("POST") {
        return Err("the AWS subject token's method is not POST".into());
    }
    let after_scheme = url.split_once("://").map_or(url, |(_, r)| r);
    let path_query = after_scheme
        .find(['/', '?'])
        .map_or("", |i| &after_scheme[i..]);
    let (path, query) = match path_query.split_once('?') {
        Some((p, q)) => (if p.is_empty() { "/" } else { p }, Some(q)),
        None => (
            if path_query.is_empty() {
                "/"
            } else {
                path_query
            },
            None,
        ),
    };
    if !query.is_some_and(|q| q.contains("Action=GetCallerIdentity")) {
        return Err("the AWS subject token is not a GetCallerIdentity request".into());
    }
    let mut headers = HeaderMap::new();
    for h in doc
        .get("headers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(k), Some(v)) = (
            h.get("key").and_then(Value::as_str),
            h.get("value").and_then(Value::as_str),
        ) else {
            continue;
        };
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(k.to_ascii_lowercase().as_bytes()),
            HeaderValue::from_str(v),
        ) {
            headers.append(n, v);
        }
    }
    if headers
        .get("x-goog-cloud-target-resource")
        .and_then(|v| v.to_str().ok())
        != Some(audience)
    {
        return Err(
            "the AWS subject token's x-goog-cloud-target-resource is not the audience".into(),
        );
    }
    sigv4::verify(sigv4::STS, "POST", path, query, &headers, b"", creds, now)
        .map(|_| ())
        .map_err(|r| format!("the AWS subject token's signature is not valid: {r:?}"))
}

fn generate_access_token(req: &Incoming, email: &str, fixture: &Fixture, now: SystemTime) -> Reply {
    let bearer = req
        .header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let allowed = fixture
        .identity
        .gcp
        .workload_providers
        .iter()
        .enumerate()
        .any(|(i, p)| {
            p.service_account.as_deref() == Some(email)
                && accepts(&format!("fake-federated-token-{i}"), bearer, now)
        });
    if !allowed {
        return crate::gcp::error(
            403,
            "PERMISSION_DENIED",
            &format!("Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist): {email}"),
        );
    }
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let scoped = body
        .get("scope")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|v| v.as_str() == Some(GCP_SCOPE)));
    if !scoped {
        return crate::gcp::error(
            400,
            "INVALID_ARGUMENT",
            "Request contains an invalid argument: scope.",
        );
    }
    let left = body
        .get("lifetime")
        .and_then(Value::as_str)
        .and_then(|l| l.strip_suffix('s'))
        .and_then(|l| l.parse::<u64>().ok())
        .unwrap_or(3600)
        .min(lifetime(fixture));
    Reply::json(
        200,
        &json!({
            "accessToken": issue(&fixture.auth.gcp_token, fixture, now),
            "expireTime": rfc3339(secs(now) + left),
        }),
    )
}

/// GitHub Actions' OIDC token service: `GET ?audience=…` with the job's request token.
pub(crate) fn github_oidc(req: &Incoming, fixture: &Fixture) -> Reply {
    let Some(gh) = &fixture.identity.github else {
        return Reply::text(404, "Not Found");
    };
    let presented = req.header("authorization").and_then(|v| {
        v.strip_prefix("bearer ")
            .or_else(|| v.strip_prefix("Bearer "))
    });
    if presented != Some(gh.request_token.as_str()) {
        return Reply::json(401, &json!({"message": "Bad credentials"}));
    }
    let audience = req.query_param("audience").unwrap_or_default();
    match gh.tokens.get(&audience) {
        Some(token) => Reply::json(200, &json!({"count": token.len(), "value": token})),
        None => Reply::json(
            400,
            &json!({"message": format!("No token for audience {audience:?}.")}),
        ),
    }
}

/// The GCE metadata server (`/computeMetadata/…`, served at the root as
/// `GCE_METADATA_HOST` expects).
pub(crate) fn gce_metadata(req: &Incoming, fixture: &Fixture, now: SystemTime) -> Reply {
    let flavored = |r: Reply| r.with_header("Metadata-Flavor", "Google");
    let Some(account) = &fixture.identity.gcp.metadata_service_account else {
        // Not a Google Cloud instance: no metadata server answers.
        return Reply::text(404, "Not Found");
    };
    if req.header("metadata-flavor") != Some("Google") {
        return flavored(Reply::text(403, "Missing Metadata-Flavor:Google header."));
    }
    match req.path.as_str() {
        "/computeMetadata/v1/instance/service-accounts/default/token" => flavored(Reply::json(
            200,
            &json!({
                "access_token": issue(&fixture.auth.gcp_token, fixture, now),
                "expires_in": lifetime(fixture),
                "token_type": "Bearer",
            }),
        )),
        "/computeMetadata/v1/instance/service-accounts/default/email" => {
            flavored(Reply::text(200, account))
        }
        _ => flavored(Reply::text(404, "Not Found")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rotating_tokens_are_accepted_until_they_expire() {
        let now = SystemTime::now();
        assert!(accepts("t", "t", now));
        let later = unix_ms(now) + 1000;
        assert!(accepts("t", &format!("t~{later}~1"), now));
        assert!(!accepts(
            "t",
            &format!("t~{later}~1"),
            now + Duration::from_secs(2)
        ));
        assert!(!accepts("t", "tx", now));
        assert!(!accepts("t", "t~soon~1", now));
    }

    #[test]
    fn rfc3339_of_seconds() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_767_323_045), "2026-01-02T03:04:05Z");
    }

    #[test]
    fn the_test_certificate_yields_its_key() {
        let der = certificate_der(crate::TEST_CERTIFICATE_PEM).expect("der");
        let key = rsa_public_key(&der).expect("key");
        // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
        let (tag, content, rest) = tlv(key).expect("sequence");
        assert_eq!(tag, 0x30);
        assert!(rest.is_empty());
        let (tag, modulus, _) = tlv(content).expect("modulus");
        assert_eq!(tag, 0x02);
        assert_eq!(modulus.len(), 257, "2048-bit modulus with a leading zero");
        assert_eq!(thumbprint(&der).len(), 27);
    }
}
