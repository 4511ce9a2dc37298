//! AWS Bedrock: inference profiles, provisioned throughputs, invocation logging and tags;
//! and STS `GetCallerIdentity` under `/sts` (the Query protocol: a form body, XML replies).

use crate::fixture::{AwsRegion, Fixture};
use crate::http::{page, parse_query, percent_decode, Incoming, Reply};
use crate::sigv4::{self, Rejection};
use serde_json::{json, Map, Value};
use std::time::SystemTime;

/// An AWS error reply.
pub(crate) fn error(status: u16, error_type: &str, message: &str) -> Reply {
    Reply::json(status, &json!({ "message": message })).with_header("x-amzn-ErrorType", error_type)
}

/// The reply to credentials AWS does not know.
pub(crate) fn unrecognized_client() -> Reply {
    error(
        403,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )
}

/// The error type of a fault's status.
pub(crate) fn status_type(status: u16) -> &'static str {
    match status {
        429 => "ThrottlingException",
        500 => "InternalServerException",
        503 => "ServiceUnavailableException",
        400 => "ValidationException",
        403 => "AccessDeniedException",
        404 => "ResourceNotFoundException",
        409 => "ConflictException",
        _ => "ServiceException",
    }
}

fn rejection(r: Rejection) -> Reply {
    match r {
        Rejection::Missing => error(
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ),
        Rejection::Incomplete(m) => error(403, "IncompleteSignatureException", &m),
        Rejection::UnrecognizedClient => unrecognized_client(),
        Rejection::InvalidSignature(m) => error(403, "InvalidSignatureException", &m),
    }
}

fn validation(message: &str) -> Reply {
    error(400, "ValidationException", message)
}

/// Text for an XML element's content.
fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An STS error reply, shaped as STS sends them.
pub(crate) fn sts_error(status: u16, code: &str, message: &str) -> Reply {
    let kind = if status >= 500 { "Receiver" } else { "Sender" };
    Reply::xml(
        status,
        format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    <Type>{kind}</Type>\n    <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  <RequestId>00000000-0000-0000-0000-000000000000</RequestId>\n</ErrorResponse>\n",
            xml_escape(code),
            xml_escape(message)
        ),
    )
}

/// Checks the request's SigV4 signature for `service` against the fixture's credentials;
/// the credential scope's region.
fn verify(
    service: &str,
    req: &Incoming,
    fixture: &Fixture,
    now: SystemTime,
) -> Result<String, Rejection> {
    sigv4::verify(
        service,
        &req.method,
        &req.path,
        req.query.as_deref(),
        &req.headers,
        &req.body,
        &fixture.auth.aws,
        now,
    )
}

/// STS `GetCallerIdentity`: the account the fixture's credentials belong to.
fn sts(req: &Incoming, fixture: &Fixture, now: SystemTime) -> Reply {
    if let Err(r) = verify(sigv4::STS, req, fixture, now) {
        let message = match r {
            Rejection::Missing => "Missing Authentication Token".to_owned(),
            Rejection::UnrecognizedClient => {
                "The security token included in the request is invalid.".to_owned()
            }
            Rejection::Incomplete(m) | Rejection::InvalidSignature(m) => m,
        };
        return sts_error(403, "InvalidClientTokenId", &message);
    }
    let form = parse_query(&String::from_utf8_lossy(&req.body));
    let get = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    match (req.method.as_str(), get("Action"), get("Version")) {
        ("POST", Some("GetCallerIdentity"), Some("2011-06-15")) => {}
        (_, action, _) => {
            return sts_error(
                400,
                "InvalidAction",
                &format!(
                    "Could not find operation {} for version {}",
                    action.unwrap_or_default(),
                    get("Version").unwrap_or_default()
                ),
            )
        }
    }
    let account = &fixture.auth.aws.account_id;
    Reply::xml(
        200,
        format!(
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <GetCallerIdentityResult>\n    <Arn>arn:aws:iam::{0}:user/meridian-fakecloud</Arn>\n    <UserId>AIDAFAKECLOUD0000001</UserId>\n    <Account>{0}</Account>\n  </GetCallerIdentityResult>\n  <ResponseMetadata>\n    <RequestId>00000000-0000-0000-0000-000000000000</RequestId>\n  </ResponseMetadata>\n</GetCallerIdentityResponse>\n",
            xml_escape(account)
        ),
    )
}

/// Whether `path` (after `/aws`) is an STS request.
pub(crate) fn is_sts(path: &str) -> bool {
    path == "/sts" || path.starts_with("/sts/")
}

/// Serves one Bedrock or STS request; `path` is the part after `/aws`.
pub(crate) fn handle(req: &Incoming, path: &str, fixture: &Fixture, now: SystemTime) -> Reply {
    if is_sts(path) {
        return sts(req, fixture, now);
    }
    let region = match verify(sigv4::BEDROCK, req, fixture, now) {
        Ok(r) => r,
        Err(r) => return rejection(r),
    };
    let empty = AwsRegion::default();
    let data = fixture.aws.regions.get(&region).unwrap_or(&empty);
    match (req.method.as_str(), path) {
        ("GET", "/foundation-models") => foundation_models(req, data),
        ("GET", "/inference-profiles") => inference_profiles(req, data, &region, fixture),
        ("GET", p) if p.starts_with("/inference-profiles/") => {
            inference_profile(&p["/inference-profiles/".len()..], data)
        }
        ("GET", "/provisioned-model-throughputs") => list(
            req,
            &data.provisioned_throughputs,
            &region,
            "provisioned",
            "provisionedModelSummaries",
            fixture,
        ),
        ("GET", "/logging/modelinvocations") => Reply::json(
            200,
            &match &data.logging {
                Some(config) => json!({ "loggingConfig": config }),
                None => json!({}),
            },
        ),
        ("POST", "/listTagsForResource") => tags(req, data),
        _ => error(
            404,
            "UnknownOperationException",
            &format!("No operation matches {} {path}.", req.method),
        ),
    }
}

/// `ListFoundationModels`: every summary, filtered by `byProvider` (case-insensitive),
/// `byInferenceType` and `byOutputModality` when given; not paged.
fn foundation_models(req: &Incoming, data: &AwsRegion) -> Reply {
    let has = |m: &Value, field: &str, value: &str| {
        m.get(field)
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(value)))
    };
    let provider = req.query_param("byProvider");
    let inference = req.query_param("byInferenceType");
    let output = req.query_param("byOutputModality");
    let models: Vec<Value> = data
        .foundation_models
        .iter()
        .filter(|m| {
            provider.as_deref().is_none_or(|p| {
                m.get("providerName")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(p))
            }) && inference
                .as_deref()
                .is_none_or(|t| has(m, "inferenceTypesSupported", t))
                && output
                    .as_deref()
                    .is_none_or(|o| has(m, "outputModalities", o))
        })
        .cloned()
        .collect();
    Reply::json(200, &json!({ "modelSummaries": models }))
}

/// `GetInferenceProfile` by id or ARN (the path segment, percent-decoded).
fn inference_profile(segment: &str, data: &AwsRegion) -> Reply {
    let id = percent_decode(segment);
    let found = data.inference_profiles.iter().find(|p| {
        p.get("inferenceProfileId").and_then(Value::as_str) == Some(id.as_str())
            || p.get("inferenceProfileArn").and_then(Value::as_str) == Some(id.as_str())
    });
    match found {
        Some(p) => Reply::json(200, p),
        None => error(
            404,
            "ResourceNotFoundException",
            &format!("The inference profile {id} was not found."),
        ),
    }
}

fn inference_profiles(req: &Incoming, data: &AwsRegion, region: &str, fixture: &Fixture) -> Reply {
    let items: Vec<Value> = match req.query_param("type") {
        None => data.inference_profiles.clone(),
        Some(t) if t == "APPLICATION" || t == "SYSTEM_DEFINED" => data
            .inference_profiles
            .iter()
            .filter(|p| p.get("type").and_then(Value::as_str) == Some(t.as_str()))
            .cloned()
            .collect(),
        Some(t) => {
            return validation(&format!(
                "1 validation error detected: Value '{t}' at 'typeEquals' failed to satisfy constraint: Member must satisfy enum value set: [SYSTEM_DEFINED, APPLICATION]"
            ))
        }
    };
    let list_name = format!("profiles/{}", req.query_param("type").unwrap_or_default());
    list(
        req,
        &items,
        region,
        &list_name,
        "inferenceProfileSummaries",
        fixture,
    )
}

fn list(
    req: &Incoming,
    items: &[Value],
    region: &str,
    list_name: &str,
    member: &str,
    fixture: &Fixture,
) -> Reply {
    let mut size = fixture.page_size;
    if let Some(m) = req.query_param("maxResults") {
        match m.parse::<usize>() {
            Ok(n) if (1..=1000).contains(&n) => size = size.min(n),
            _ => {
                return validation(&format!(
                    "1 validation error detected: Value '{m}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000"
                ))
            }
        }
    }
    let token = req.query_param("nextToken");
    let Ok((items, next)) = page(
        items,
        &format!("aws/{region}/{list_name}"),
        token.as_deref(),
        size,
    ) else {
        return validation("The pagination token is not valid.");
    };
    let mut body = Map::new();
    body.insert(member.into(), Value::Array(items.to_vec()));
    if let Some(next) = next {
        body.insert("nextToken".into(), Value::String(next));
    }
    Reply::json(200, &Value::Object(body))
}

fn tags(req: &Incoming, data: &AwsRegion) -> Reply {
    let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
        return error(
            400,
            "SerializationException",
            "The request body is not valid JSON.",
        );
    };
    let Some(arn) = body.get("resourceARN").and_then(Value::as_str) else {
        return validation(
            "1 validation error detected: Value null at 'resourceARN' failed to satisfy constraint: Member must not be null",
        );
    };
    let exists = |items: &[Value], field: &str| {
        items
            .iter()
            .any(|i| i.get(field).and_then(Value::as_str) == Some(arn))
    };
    let tags = data.tags.get(arn);
    if tags.is_none()
        && !exists(&data.inference_profiles, "inferenceProfileArn")
        && !exists(&data.provisioned_throughputs, "provisionedModelArn")
    {
        return error(
            404,
            "ResourceNotFoundException",
            &format!("The resource {arn} was not found."),
        );
    }
    let list: Vec<Value> = tags
        .into_iter()
        .flatten()
        .map(|(k, v)| json!({"key": k, "value": v}))
        .collect();
    Reply::json(200, &json!({ "tags": list }))
}
