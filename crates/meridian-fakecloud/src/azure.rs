//! Azure Resource Manager: Cognitive Services accounts and deployments.

use crate::fixture::{find_ci, Fixture, ResourceGroup};
use crate::http::{page, path_segments, percent_decode, Incoming, Reply};
use crate::{AZURE_API_VERSION, AZURE_MODELS_API_VERSION};
use serde_json::{json, Map, Value};

/// An ARM error reply.
pub(crate) fn error(status: u16, code: &str, message: &str) -> Reply {
    Reply::json(
        status,
        &json!({"error": {"code": code, "message": message}}),
    )
}

/// The reply to missing or wrong credentials.
pub(crate) fn unauthorized(missing: bool) -> Reply {
    let (code, message) = if missing {
        (
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
        )
    } else {
        ("InvalidAuthenticationToken", "The access token is invalid.")
    };
    error(401, code, message).with_header(
        "WWW-Authenticate",
        &format!(
            "Bearer authorization_uri=\"https://login.microsoftonline.com/common\", error=\"invalid_token\", error_description=\"{message}\""
        ),
    )
}

/// The code of a fault's status.
pub(crate) fn status_code(status: u16) -> &'static str {
    match status {
        429 => "TooManyRequests",
        500 => "InternalServerError",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        401 => "InvalidAuthenticationToken",
        403 => "AuthorizationFailed",
        404 => "NotFound",
        409 => "Conflict",
        _ => "Error",
    }
}

/// Serves one Azure request; `path` is the part after `/azure`, `host` the `Host` the request
/// was sent to.
pub(crate) fn handle(req: &Incoming, path: &str, fixture: &Fixture, host: &str) -> Reply {
    match req.header("authorization") {
        None => return unauthorized(true),
        Some(v)
            if !v.strip_prefix("Bearer ").is_some_and(|t| {
                crate::tokens::accepts(&fixture.auth.azure_token, t, std::time::SystemTime::now())
            }) =>
        {
            return unauthorized(false)
        }
        Some(_) => {}
    }
    let segments = path_segments(path);
    let seg: Vec<&str> = segments.iter().map(String::as_str).collect();
    let is = |s: &str, lit: &str| s.eq_ignore_ascii_case(lit);
    let prefix = |subs: &str, groups: &str, providers: &str, ns: &str, accounts: &str| {
        is(subs, "subscriptions")
            && is(groups, "resourceGroups")
            && is(providers, "providers")
            && is(ns, "Microsoft.CognitiveServices")
            && is(accounts, "accounts")
    };
    if let [subs, sub, providers, ns, locations, location, models] = seg[..] {
        if is(subs, "subscriptions")
            && is(providers, "providers")
            && is(ns, "Microsoft.CognitiveServices")
            && is(locations, "locations")
            && is(models, "models")
        {
            return location_models(req, sub, location, fixture, host);
        }
    }
    let (sub, rg, account) = match seg[..] {
        [subs, sub, groups, rg, providers, ns, accounts]
            if prefix(subs, groups, providers, ns, accounts) =>
        {
            (sub, rg, None)
        }
        [subs, sub, groups, rg, providers, ns, accounts, name, deployments]
            if prefix(subs, groups, providers, ns, accounts) && is(deployments, "deployments") =>
        {
            (sub, rg, Some(name))
        }
        _ => {
            return error(
                404,
                "NotFound",
                &format!("The requested resource path '{path}' was not found."),
            )
        }
    };
    if req.method != "GET" {
        return error(
            405,
            "MethodNotAllowed",
            &format!("The method '{}' is not supported here.", req.method),
        );
    }
    if let Err(reply) = api_version(req, AZURE_API_VERSION) {
        return reply;
    }
    let Some(subscription) = find_ci(&fixture.azure.subscriptions, sub) else {
        return subscription_not_found(sub);
    };
    let Some(group) = find_ci(&subscription.resource_groups, rg) else {
        return error(
            404,
            "ResourceGroupNotFound",
            &format!("Resource group '{rg}' could not be found."),
        );
    };
    let (items, list) = match account {
        None => (accounts(group), format!("azure/{sub}/{rg}/accounts")),
        Some(name) => match deployments(group, name) {
            Some(ds) => (ds, format!("azure/{sub}/{rg}/accounts/{name}/deployments")),
            None => {
                return error(
                    404,
                    "ResourceNotFound",
                    &format!(
                        "The Resource 'Microsoft.CognitiveServices/accounts/{name}' under resource group '{rg}' was not found."
                    ),
                )
            }
        },
    };
    paged(
        req,
        host,
        &items,
        &list.to_ascii_lowercase(),
        fixture.page_size,
    )
}

fn subscription_not_found(sub: &str) -> Reply {
    error(
        404,
        "SubscriptionNotFound",
        &format!("The subscription '{sub}' could not be found."),
    )
}

/// `Models - List` of a location (`api-version=2024-10-01`): what the subscription can
/// deploy there; an empty list for a location without data.
fn location_models(
    req: &Incoming,
    sub: &str,
    location: &str,
    fixture: &Fixture,
    host: &str,
) -> Reply {
    if req.method != "GET" {
        return error(
            405,
            "MethodNotAllowed",
            &format!("The method '{}' is not supported here.", req.method),
        );
    }
    if let Err(reply) = api_version(req, AZURE_MODELS_API_VERSION) {
        return reply;
    }
    let Some(subscription) = find_ci(&fixture.azure.subscriptions, sub) else {
        return subscription_not_found(sub);
    };
    let items = find_ci(&subscription.models, location)
        .cloned()
        .unwrap_or_default();
    let list = format!("azure/{sub}/locations/{location}/models").to_ascii_lowercase();
    paged(req, host, &items, &list, fixture.page_size)
}

/// Checks the request's `api-version` against the one the path serves.
fn api_version(req: &Incoming, expected: &str) -> Result<(), Reply> {
    match req.query_param("api-version") {
        None => Err(error(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )),
        Some(v) if v != expected => Err(error(
            400,
            "InvalidApiVersionParameter",
            &format!("The api-version '{v}' is invalid. The supported versions are '{expected}'."),
        )),
        Some(_) => Ok(()),
    }
}

/// One page of `items` (a list named `list`) with a `nextLink` on `host` when more follow.
fn paged(req: &Incoming, host: &str, items: &[Value], list: &str, page_size: usize) -> Reply {
    let token = req.query_param("$skipToken");
    let Ok((items, next)) = page(items, list, token.as_deref(), page_size) else {
        return error(
            400,
            "InvalidSkipToken",
            "The $skipToken is not valid for this list.",
        );
    };
    let mut body = Map::new();
    body.insert("value".into(), Value::Array(items.to_vec()));
    if let Some(next) = next {
        body.insert(
            "nextLink".into(),
            Value::String(next_link(req, host, &next)),
        );
    }
    Reply::json(200, &Value::Object(body))
}

/// The accounts of a group as listed: without their `deployments`.
fn accounts(group: &ResourceGroup) -> Vec<Value> {
    group
        .accounts
        .iter()
        .map(|a| {
            let mut a = a.clone();
            if let Some(obj) = a.as_object_mut() {
                obj.remove("deployments");
            }
            a
        })
        .collect()
}

fn deployments(group: &ResourceGroup, account: &str) -> Option<Vec<Value>> {
    let a = group.accounts.iter().find(|a| {
        a.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| n.eq_ignore_ascii_case(account))
    })?;
    Some(
        a.get("deployments")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    )
}

/// The request's URL on `host` with `$skipToken` set to `token`.
fn next_link(req: &Incoming, host: &str, token: &str) -> String {
    let mut parts: Vec<&str> = req
        .query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|p| {
            !p.is_empty() && {
                let name = p.split_once('=').map_or(*p, |(k, _)| k);
                percent_decode(name) != "$skipToken"
            }
        })
        .collect();
    let skip = format!("$skipToken={token}");
    parts.push(&skip);
    format!("http://{host}{}?{}", req.path, parts.join("&"))
}
