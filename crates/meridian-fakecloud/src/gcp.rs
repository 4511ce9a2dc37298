//! GCP: serviceusage, cloudresourcemanager `getIamPolicy` and Vertex AI endpoints.

use crate::fixture::{Fixture, GcpProject};
use crate::http::{page, path_segments, percent_decode, sha256_hex, Incoming, Reply};
use serde_json::{json, Map, Value};

/// A Google API error reply.
pub(crate) fn error(code: u16, status: &str, message: &str) -> Reply {
    Reply::json(
        code,
        &json!({"error": {"code": code, "message": message, "status": status}}),
    )
}

/// The reply to missing or wrong credentials.
pub(crate) fn unauthenticated() -> Reply {
    error(
        401,
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
    )
    .with_header("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"")
}

/// The status name of a fault's status.
pub(crate) fn status_name(code: u16) -> &'static str {
    match code {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ABORTED",
        429 => "RESOURCE_EXHAUSTED",
        500 => "INTERNAL",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "UNKNOWN",
    }
}

/// The API version segments a path starts with once the location of the host is taken off.
const VERSIONS: [&str; 2] = ["v1", "v1beta1"];

/// The location a request is for: the endpoint's (`/gcp/{location}/v1…`, standing in for
/// the host `{location}-aiplatform.googleapis.com`), else the `locations/{loc}` of the path.
pub(crate) fn location(path: &str) -> Option<String> {
    let (host, rest) = split_location(path);
    if host.is_some() {
        return host;
    }
    let mut segs = rest.split('/');
    while let Some(s) = segs.next() {
        if s == "locations" {
            return segs.next().map(percent_decode);
        }
    }
    None
}

/// The endpoint's location, when the path starts with one, and the rest of the path.
fn split_location(path: &str) -> (Option<String>, &str) {
    let trimmed = path.trim_start_matches('/');
    let first = trimmed.split('/').next().unwrap_or_default();
    if first.is_empty() || VERSIONS.contains(&first) {
        (None, path)
    } else {
        // `/{location}/v1/…` → `/v1/…`.
        (Some(percent_decode(first)), &trimmed[first.len()..])
    }
}

fn project<'a>(fixture: &'a Fixture, p: &str) -> Option<(&'a str, &'a GcpProject)> {
    fixture
        .gcp
        .projects
        .iter()
        .find(|(id, proj)| id.as_str() == p || (!proj.number.is_empty() && proj.number == p))
        .map(|(id, proj)| (id.as_str(), proj))
}

fn denied(p: &str) -> Reply {
    error(
        403,
        "PERMISSION_DENIED",
        &format!("Permission denied on resource project {p}."),
    )
}

/// Serves one GCP request; `path` is the part after `/gcp`.
pub(crate) fn handle(req: &Incoming, path: &str, fixture: &Fixture) -> Reply {
    match req.header("authorization") {
        Some(v)
            if v.strip_prefix("Bearer ").is_some_and(|t| {
                crate::tokens::accepts(&fixture.auth.gcp_token, t, std::time::SystemTime::now())
            }) => {}
        _ => return unauthenticated(),
    }
    let (host_location, path) = split_location(path);
    let segments = path_segments(path);
    let seg: Vec<&str> = segments.iter().map(String::as_str).collect();
    match (req.method.as_str(), &seg[..]) {
        ("GET", ["v1beta1", "publishers", publisher, "models", model]) => {
            publisher_model(host_location.as_deref(), publisher, model, fixture)
        }
        ("GET", ["v1", "projects", p, "services", service]) => {
            let Some((_, proj)) = project(fixture, p) else {
                return denied(p);
            };
            let state = proj
                .services
                .get(*service)
                .map_or("DISABLED", String::as_str);
            let number = if proj.number.is_empty() {
                *p
            } else {
                &proj.number
            };
            Reply::json(
                200,
                &json!({
                    "name": format!("projects/{number}/services/{service}"),
                    "parent": format!("projects/{number}"),
                    "state": state,
                }),
            )
        }
        ("POST", ["v1", "projects", p_action]) => match p_action.strip_suffix(":getIamPolicy") {
            Some(p) => iam_policy_for(req, p, fixture),
            None => not_found(path),
        },
        ("GET", ["v1", "projects", p, "locations", loc, "endpoints"]) => {
            endpoints(req, p, loc, fixture)
        }
        _ => not_found(path),
    }
}

/// `publishers.models.get` at a location's endpoint: the model when the location serves it,
/// else Google's `404 NOT_FOUND`.
fn publisher_model(
    location: Option<&str>,
    publisher: &str,
    model: &str,
    fixture: &Fixture,
) -> Reply {
    let Some(location) = location else {
        return error(
            400,
            "INVALID_ARGUMENT",
            "Publisher models are served per location: point MERIDIAN_GCP_ENDPOINT at {base}/gcp/{location} so the location is part of the endpoint.",
        );
    };
    let name = format!("publishers/{publisher}/models/{model}");
    let found = fixture
        .gcp
        .publisher_models
        .get(location)
        .and_then(|models| {
            models
                .iter()
                .find(|m| m.get("name").and_then(Value::as_str) == Some(name.as_str()))
        });
    match found {
        Some(m) => Reply::json(200, m),
        None => error(
            404,
            "NOT_FOUND",
            &format!("Publisher Model `{name}` is not found."),
        ),
    }
}

fn not_found(path: &str) -> Reply {
    error(
        404,
        "NOT_FOUND",
        &format!("The requested URL {path} was not found on this server."),
    )
}

fn iam_policy_for(req: &Incoming, p: &str, fixture: &Fixture) -> Reply {
    if !req.body.is_empty() && serde_json::from_slice::<Value>(&req.body).is_err() {
        return error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
    }
    let Some((_, proj)) = project(fixture, p) else {
        return denied(p);
    };
    let bindings: Vec<Value> = proj
        .iam_bindings
        .iter()
        .filter(|b| !b.members.is_empty())
        .map(|b| json!({"role": b.role, "members": b.members}))
        .collect();
    let etag_source = serde_json::to_vec(&bindings).unwrap_or_default();
    let mut body = Map::new();
    body.insert("version".into(), json!(3));
    body.insert(
        "etag".into(),
        json!(format!("BwY{}", &sha256_hex(&etag_source)[..12])),
    );
    if !bindings.is_empty() {
        body.insert("bindings".into(), Value::Array(bindings));
    }
    Reply::json(200, &Value::Object(body))
}

fn endpoints(req: &Incoming, p: &str, loc: &str, fixture: &Fixture) -> Reply {
    let Some((id, proj)) = project(fixture, p) else {
        return denied(p);
    };
    let mut size = fixture.page_size;
    if let Some(s) = req.query_param("pageSize") {
        match s.parse::<i64>() {
            Ok(n) if n > 0 => size = size.min(usize::try_from(n).unwrap_or(usize::MAX)),
            Ok(0) => {}
            _ => {
                return error(
                    400,
                    "INVALID_ARGUMENT",
                    &format!("Invalid value for pageSize: '{s}'."),
                )
            }
        }
    }
    let items = proj.endpoints.get(loc).map_or(&[][..], Vec::as_slice);
    let token = req.query_param("pageToken");
    let Ok((items, next)) = page(
        items,
        &format!("gcp/{id}/{loc}/endpoints"),
        token.as_deref(),
        size,
    ) else {
        return error(400, "INVALID_ARGUMENT", "Invalid page token.");
    };
    let mut body = Map::new();
    if !items.is_empty() {
        body.insert("endpoints".into(), Value::Array(items.to_vec()));
    }
    if let Some(next) = next {
        body.insert("nextPageToken".into(), Value::String(next));
    }
    Reply::json(200, &Value::Object(body))
}
