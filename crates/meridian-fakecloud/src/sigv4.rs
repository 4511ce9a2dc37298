//! AWS Signature Version 4 verification.
//!
//! The canonical request is `METHOD\nURI\nQUERY\nHEADERS\n\nSIGNED_HEADERS\nPAYLOAD_HASH`:
//! the URI is the path as sent with every byte but the unreserved characters and `/`
//! percent-encoded once more (services other than S3 encode the path twice: once on the
//! wire, once here); the query is the decoded parameters re-encoded and sorted by name, then
//! value; the headers are the signed ones, lower-cased, values trimmed with inner runs of
//! spaces collapsed; the payload hash is `x-amz-content-sha256` when sent, else the hex
//! SHA-256 of the body. The string to sign is
//! `AWS4-HMAC-SHA256\n<X-Amz-Date>\n<date>/<region>/<service>/aws4_request\n<hex sha256 of the canonical request>`,
//! and the signature the hex HMAC-SHA256 of it under the key derived by HMAC-SHA256 from
//! `"AWS4" + secret` through the date, region, service and `aws4_request`.

use crate::fixture::AwsCredentials;
use crate::http::{hex, parse_query, percent_encode, sha256_hex};
use hmac::{Hmac, Mac};
use hyper::header::HeaderMap;
use sha2::Sha256;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How far `X-Amz-Date` may be from the server's clock.
pub(crate) const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// The service Bedrock requests are signed for.
pub(crate) const BEDROCK: &str = "bedrock";
/// The service STS requests are signed for.
pub(crate) const STS: &str = "sts";

/// The parts of an `Authorization: AWS4-HMAC-SHA256 …` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthHeader {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// No `Authorization` header.
    Missing,
    /// The header is not a well-formed SigV4 header; the message says what is wrong.
    Incomplete(String),
    /// The access key or session token is not the fixture's.
    UnrecognizedClient,
    /// The signature (or its scope) is wrong; the message says what is wrong.
    InvalidSignature(String),
}

/// Parses the `Authorization` header value.
pub(crate) fn parse_authorization(value: &str) -> Result<AuthHeader, Rejection> {
    let rest = value
        .strip_prefix("AWS4-HMAC-SHA256")
        .filter(|r| r.starts_with(' '))
        .ok_or_else(|| {
            Rejection::Incomplete(
                "Authorization header requires the AWS4-HMAC-SHA256 algorithm.".into(),
            )
        })?;
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let missing = |what: &str| {
        Rejection::Incomplete(format!("Authorization header requires '{what}' parameter."))
    };
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed = signed.ok_or_else(|| missing("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| missing("Signature"))?;
    let parts: Vec<&str> = credential.split('/').collect();
    let [key, date, region, service, terminator] = parts[..] else {
        return Err(Rejection::Incomplete(format!(
            "Credential should be of the form AKID/DATE/REGION/SERVICE/aws4_request; got '{}'",
            credential.split('/').skip(1).collect::<Vec<_>>().join("/")
        )));
    };
    if terminator != "aws4_request" {
        return Err(Rejection::InvalidSignature(
            "Credential should be scoped with a valid terminator: 'aws4_request'".into(),
        ));
    }
    Ok(AuthHeader {
        access_key_id: key.to_owned(),
        date: date.to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
        signed_headers: signed.split(';').map(str::to_owned).collect(),
        signature: signature.to_owned(),
    })
}

/// The region of a request's credential scope, without checking anything else.
pub(crate) fn scope_region(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("authorization")?.to_str().ok()?;
    parse_authorization(value).ok().map(|a| a.region)
}

/// The canonical URI of a path as sent.
pub(crate) fn canonical_uri(path: &str) -> String {
    if path.is_empty() {
        return "/".into();
    }
    percent_encode(path, true)
}

/// The canonical query string of a query as sent.
pub(crate) fn canonical_query(query: Option<&str>) -> String {
    let mut pairs: Vec<(String, String)> = query
        .map(parse_query)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (percent_encode(&k, false), percent_encode(&v, false)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// A header value trimmed, with inner runs of spaces collapsed to one.
fn normalize_value(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The canonical headers block (each `name:value\n`) of the signed headers; an error names a
/// signed header the request lacks.
pub(crate) fn canonical_headers(headers: &HeaderMap, signed: &[String]) -> Result<String, String> {
    let mut out = String::new();
    for name in signed {
        let values: Vec<String> = headers
            .get_all(name.as_str())
            .iter()
            .map(|v| normalize_value(&String::from_utf8_lossy(v.as_bytes())))
            .collect();
        if values.is_empty() {
            return Err(name.clone());
        }
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    Ok(out)
}

/// The canonical request.
pub(crate) fn canonical_request(
    method: &str,
    canonical_uri: &str,
    canonical_query: &str,
    canonical_headers: &str,
    signed_headers: &str,
    payload_hash: &str,
) -> String {
    format!(
        "{method}\n{canonical_uri}\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n{payload_hash}"
    )
}

/// The string to sign.
pub(crate) fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return [0; 32];
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The signing key of a secret for one day, region and service.
pub(crate) fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k = hmac(&k, region.as_bytes());
    let k = hmac(&k, service.as_bytes());
    hmac(&k, b"aws4_request")
}

/// The hex signature of a string to sign.
pub(crate) fn signature(key: &[u8; 32], string_to_sign: &str) -> String {
    hex(&hmac(key, string_to_sign.as_bytes()))
}

/// Seconds since the epoch of an `X-Amz-Date` (`20150830T123600Z`).
pub(crate) fn parse_amz_date(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())
            .flatten()
    };
    let (year, month, day) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hour, minute, second) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = days_from_civil(year, month, day)?;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Days since 1970-01-01 of a date on or after it.
fn days_from_civil(y: u64, m: u64, d: u64) -> Option<u64> {
    let y = i64::try_from(y).ok()? - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::try_from(m).ok()?;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::try_from(d).ok()? - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    u64::try_from(era * 146_097 + doe - 719_468).ok()
}

/// Checks a request's signature for `service` against `creds` at time `now`; returns the
/// credential scope's region.
#[allow(clippy::too_many_arguments)]
pub(crate) fn verify(
    service: &str,
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
    creds: &AwsCredentials,
    now: SystemTime,
) -> Result<String, Rejection> {
    let value = headers
        .get("authorization")
        .ok_or(Rejection::Missing)?
        .to_str()
        .map_err(|_| Rejection::Incomplete("Authorization header is not text.".into()))?;
    let auth = parse_authorization(value)?;
    if auth.access_key_id != creds.access_key_id {
        return Err(Rejection::UnrecognizedClient);
    }
    let token = headers
        .get("x-amz-security-token")
        .and_then(|v| v.to_str().ok());
    match (&creds.session_token, token) {
        (None, None) => {}
        (Some(expected), Some(got)) if expected == got => {
            if !auth
                .signed_headers
                .iter()
                .any(|h| h == "x-amz-security-token")
            {
                return Err(Rejection::InvalidSignature(
                    "The x-amz-security-token header must be signed.".into(),
                ));
            }
        }
        _ => return Err(Rejection::UnrecognizedClient),
    }
    if auth.service != service {
        return Err(Rejection::InvalidSignature(format!(
            "Credential should be scoped to correct service: '{service}'."
        )));
    }
    let amz_date = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            Rejection::Incomplete(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
                    .into(),
            )
        })?;
    let at = parse_amz_date(amz_date).ok_or_else(|| {
        Rejection::InvalidSignature(format!("X-Amz-Date '{amz_date}' is not a valid date."))
    })?;
    if !amz_date.starts_with(&auth.date) || auth.date.len() != 8 {
        return Err(Rejection::InvalidSignature(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}'",
            auth.date,
            amz_date.get(..8).unwrap_or(amz_date)
        )));
    }
    let now_secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    if now_secs.abs_diff(at) > MAX_SKEW.as_secs() {
        return Err(Rejection::InvalidSignature(format!(
            "Signature expired: {amz_date} is now earlier or later than the server time by more than 15 min."
        )));
    }
    if !auth.signed_headers.iter().any(|h| h == "host") {
        return Err(Rejection::InvalidSignature(
            "'Host' must be a 'SignedHeader' in the AWS Authorization.".into(),
        ));
    }
    let canonical_headers = canonical_headers(headers, &auth.signed_headers).map_err(|name| {
        Rejection::InvalidSignature(format!(
            "The request signature we calculated does not match the signature you provided: the signed header '{name}' is missing."
        ))
    })?;
    let payload_hash = headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| sha256_hex(body), str::to_owned);
    let request = canonical_request(
        method,
        &canonical_uri(path),
        &canonical_query(query),
        &canonical_headers,
        &auth.signed_headers.join(";"),
        &payload_hash,
    );
    let scope = format!(
        "{}/{}/{}/aws4_request",
        auth.date, auth.region, auth.service
    );
    let key = signing_key(
        &creds.secret_access_key,
        &auth.date,
        &auth.region,
        &auth.service,
    );
    let expected = signature(&key, &string_to_sign(amz_date, &scope, &request));
    if !constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
        return Err(Rejection::InvalidSignature(
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.".into(),
        ));
    }
    Ok(auth.region)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    const AKID: &str = "AKIDEXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const DATE: &str = "20150830T123600Z";
    /// 2015-08-30T12:36:00Z.
    const AT: u64 = 1_440_938_160;

    fn suite_headers(auth: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("host", HeaderValue::from_static("example.amazonaws.com"));
        h.insert("x-amz-date", HeaderValue::from_static(DATE));
        if let Some(a) = auth {
            h.insert("authorization", HeaderValue::from_str(a).unwrap());
        }
        h
    }

    fn suite_signature(method: &str, query: Option<&str>) -> String {
        let signed = vec!["host".to_owned(), "x-amz-date".to_owned()];
        let headers = canonical_headers(&suite_headers(None), &signed).unwrap();
        let request = canonical_request(
            method,
            &canonical_uri("/"),
            &canonical_query(query),
            &headers,
            "host;x-amz-date",
            &sha256_hex(b""),
        );
        let key = signing_key(SECRET, "20150830", "us-east-1", "service");
        signature(
            &key,
            &string_to_sign(DATE, "20150830/us-east-1/service/aws4_request", &request),
        )
    }

    /// The AWS Signature Version 4 test suite (aws-sig-v4-test-suite), credentials
    /// AKIDEXAMPLE, region us-east-1, service `service`, 2015-08-30T12:36:00Z.
    #[test]
    fn aws_test_suite_known_answers() {
        // get-vanilla: its canonical request and string to sign, and its signature.
        let signed = vec!["host".to_owned(), "x-amz-date".to_owned()];
        let request = canonical_request(
            "GET",
            &canonical_uri("/"),
            &canonical_query(None),
            &canonical_headers(&suite_headers(None), &signed).unwrap(),
            "host;x-amz-date",
            &sha256_hex(b""),
        );
        assert_eq!(
            request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            string_to_sign(DATE, "20150830/us-east-1/service/aws4_request", &request),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
        );
        assert_eq!(
            suite_signature("GET", None),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
        // get-vanilla-query-order-key-case: parameters are sorted.
        assert_eq!(
            suite_signature("GET", Some("Param2=value2&Param1=value1")),
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        );
        // post-vanilla.
        assert_eq!(
            suite_signature("POST", None),
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        );
    }

    #[test]
    fn verify_accepts_the_suite_request_and_rejects_changes() {
        let creds = AwsCredentials {
            access_key_id: AKID.into(),
            secret_access_key: SECRET.into(),
            session_token: None,
            ..AwsCredentials::default()
        };
        let auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
        let at = UNIX_EPOCH + Duration::from_secs(AT);
        let headers = suite_headers(Some(auth));
        // The suite signs for service `service`; the fake only serves `bedrock`.
        let err = verify(BEDROCK, "GET", "/", None, &headers, b"", &creds, at).unwrap_err();
        assert_eq!(
            err,
            Rejection::InvalidSignature(
                "Credential should be scoped to correct service: 'bedrock'.".into()
            )
        );
        // Re-signed for bedrock, the same request verifies; a changed path does not.
        let key = signing_key(SECRET, "20150830", "us-east-1", "bedrock");
        let request = canonical_request(
            "GET",
            "/",
            "",
            "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n",
            "host;x-amz-date",
            &sha256_hex(b""),
        );
        let sig = signature(
            &key,
            &string_to_sign(DATE, "20150830/us-east-1/bedrock/aws4_request", &request),
        );
        let auth = format!("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature={sig}");
        let headers = suite_headers(Some(&auth));
        assert_eq!(
            verify(BEDROCK, "GET", "/", None, &headers, b"", &creds, at),
            Ok("us-east-1".to_owned())
        );
        assert!(matches!(
            verify(BEDROCK, "GET", "/x", None, &headers, b"", &creds, at),
            Err(Rejection::InvalidSignature(m)) if m.starts_with("The request signature we calculated does not match")
        ));
        assert!(matches!(
            verify(BEDROCK, "GET", "/", None, &headers, b"body", &creds, at),
            Err(Rejection::InvalidSignature(_))
        ));
        // Sixteen minutes later the signature has expired.
        let late = at + Duration::from_secs(16 * 60);
        assert!(matches!(
            verify(BEDROCK, "GET", "/", None, &headers, b"", &creds, late),
            Err(Rejection::InvalidSignature(m)) if m.starts_with("Signature expired")
        ));
        let other = AwsCredentials {
            access_key_id: "AKIDOTHER".into(),
            ..creds.clone()
        };
        assert_eq!(
            verify(BEDROCK, "GET", "/", None, &headers, b"", &other, at),
            Err(Rejection::UnrecognizedClient)
        );
        let with_token = AwsCredentials {
            session_token: Some("tok".into()),
            ..creds.clone()
        };
        assert_eq!(
            verify(BEDROCK, "GET", "/", None, &headers, b"", &with_token, at),
            Err(Rejection::UnrecognizedClient)
        );
        assert_eq!(
            verify(
                BEDROCK,
                "GET",
                "/",
                None,
                &suite_headers(None),
                b"",
                &creds,
                at
            ),
            Err(Rejection::Missing)
        );
    }

    #[test]
    fn parsing() {
        assert_eq!(parse_amz_date(DATE), Some(AT));
        assert_eq!(parse_amz_date("20150830T123600"), None);
        assert_eq!(parse_amz_date("2015-08-30T12:3"), None);
        assert_eq!(parse_amz_date("20151330T123600Z"), None);
        assert_eq!(parse_amz_date("19700101T000000Z"), Some(0));
        assert_eq!(parse_amz_date("20000301T000000Z"), Some(951_868_800));
        let a = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AK/20261125/eu-central-1/bedrock/aws4_request,SignedHeaders=host;x-amz-date,Signature=ab",
        )
        .unwrap();
        assert_eq!(a.region, "eu-central-1");
        assert_eq!(a.signed_headers, vec!["host", "x-amz-date"]);
        assert!(matches!(
            parse_authorization("Bearer x"),
            Err(Rejection::Incomplete(_))
        ));
        assert!(matches!(
            parse_authorization("AWS4-HMAC-SHA256 Credential=AK/2026/x, SignedHeaders=host, Signature=a"),
            Err(Rejection::Incomplete(m)) if m.starts_with("Credential should be of the form")
        ));
        assert!(matches!(
            parse_authorization("AWS4-HMAC-SHA256 Credential=AK/20261125/r/bedrock/aws4_request, Signature=a"),
            Err(Rejection::Incomplete(m)) if m.contains("'SignedHeaders'")
        ));
    }

    #[test]
    fn canonical_forms() {
        // The path is encoded once more: an encoded colon becomes %253A.
        assert_eq!(canonical_uri("/aws/model/a%3Ab/x"), "/aws/model/a%253Ab/x");
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(
            canonical_query(Some("b=2&a=x+y&a=1&c=%7E")),
            "a=1&a=x%20y&b=2&c=~"
        );
        let mut h = HeaderMap::new();
        h.append("x-a", HeaderValue::from_static("  one   two  "));
        h.append("x-a", HeaderValue::from_static("three"));
        assert_eq!(
            canonical_headers(&h, &["x-a".to_owned()]).unwrap(),
            "x-a:one two,three\n"
        );
        assert_eq!(
            canonical_headers(&h, &["x-b".to_owned()]),
            Err("x-b".to_owned())
        );
    }
}
