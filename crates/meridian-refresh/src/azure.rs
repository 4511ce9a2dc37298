//! Azure Resource Manager: the Cognitive Services accounts of the provider's resource group
//! and the deployments of each account.

use crate::http::{Auth, Ctx, Req, Wire};
use crate::paging::Trail;
use crate::{ErrorKind, LiveObject, ProviderScope};
use reqwest::{Method, Url};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

const API_VERSION: &str = "2025-06-01";
const DEFAULT_ENDPOINT: &str = "https://management.azure.com";

/// What every request of one Azure provider shares.
struct Azure {
    provider: Arc<str>,
    auth: Arc<Auth>,
    /// Where `nextLink`s may point (scheme, host and port of the endpoint).
    origin: String,
    base: String,
    subscription_id: String,
    resource_group: String,
}

/// The base URL: the spec's endpoint, else `MERIDIAN_AZURE_ENDPOINT`, else the real one.
pub(crate) fn base_url(scope: &ProviderScope, env: Option<&str>) -> String {
    scope
        .endpoint
        .as_deref()
        .or(env)
        .unwrap_or(DEFAULT_ENDPOINT)
        .trim_end_matches('/')
        .to_string()
}

/// `base` + path segments (each percent-encoded) + query pairs.
pub(crate) fn url_of(base: &str, segments: &[&str], query: &[(&str, &str)]) -> Result<Url, String> {
    let mut url = Url::parse(base).map_err(|e| format!("invalid endpoint URL {base:?}: {e}"))?;
    {
        let Ok(mut path) = url.path_segments_mut() else {
            return Err(format!(
                "invalid endpoint URL {base:?}: it cannot have a path"
            ));
        };
        path.pop_if_empty().extend(segments);
    }
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    Ok(url)
}

/// Starts reading one Azure provider; false if it cannot be read at all.
pub(crate) fn start(ctx: &Arc<Ctx>, scope: &ProviderScope) -> bool {
    let Some(bearer) = ctx.bearer(scope) else {
        return false;
    };
    let (Some(sub), Some(rg)) = (&scope.subscription_id, &scope.resource_group) else {
        ctx.scope_error(
            scope,
            ErrorKind::Credentials,
            "the provider block needs subscription_id and resource_group to be read".into(),
        );
        return false;
    };
    let base = base_url(scope, ctx.creds.azure_endpoint.as_deref());
    let url = match url_of(
        &base,
        &[
            "subscriptions",
            sub,
            "resourceGroups",
            rg,
            "providers",
            "Microsoft.CognitiveServices",
            "accounts",
        ],
        &[("api-version", API_VERSION)],
    ) {
        Ok(u) => u,
        Err(reason) => {
            ctx.scope_error(scope, ErrorKind::Connect, reason);
            return false;
        }
    };
    let az = Arc::new(Azure {
        provider: Arc::from(scope.address.as_str()),
        auth: Arc::new(Auth::Bearer(bearer)),
        origin: url.origin().ascii_serialization(),
        base,
        subscription_id: sub.clone(),
        resource_group: rg.clone(),
    });
    let trail = Trail::start(url.as_str());
    accounts_page(ctx, &az, url, trail);
    true
}

fn get(az: &Azure, url: Url, region: Option<String>, what: String) -> Req {
    Req {
        provider: az.provider.clone(),
        region,
        method: Method::GET,
        url,
        body: None,
        auth: az.auth.clone(),
        what,
        priority: 0,
        absent_if_not_found: false,
        wire: Wire::Json,
    }
}

/// The `value` array of a list page, and its `nextLink` (which must stay on `origin`, the
/// endpoint's scheme, host and port: the token is sent there).
pub(crate) fn page<'v>(
    origin: &str,
    body: &'v Value,
) -> Result<(&'v Vec<Value>, Option<Url>), String> {
    let Some(value) = body.get("value").and_then(Value::as_array) else {
        return Err("response has no \"value\" list".into());
    };
    let next = match body.get("nextLink") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => {
            let url = Url::parse(s).map_err(|e| format!("invalid nextLink {s:?}: {e}"))?;
            if url.origin().ascii_serialization() != origin {
                return Err(format!(
                    "nextLink {s:?} leaves the endpoint {origin}: not followed"
                ));
            }
            Some(url)
        }
        Some(_) => return Err("nextLink is not a string".into()),
    };
    Ok((value, next))
}

/// The next page's URL, recorded on the list's trail (an error when it loops).
fn follow(trail: &mut Trail, next: &Url) -> Result<(), String> {
    trail.follow("nextLink", next.as_str(), true)
}

fn accounts_page(ctx: &Arc<Ctx>, az: &Arc<Azure>, url: Url, mut trail: Trail) {
    let n = trail.page();
    let mut req = get(
        az,
        url,
        None,
        format!("GET accounts in {} (page {n})", az.resource_group),
    );
    // The account pages head the longest chain: accounts, then deployment pages.
    req.priority = 3;
    let az = Arc::clone(az);
    ctx.spawn_fetch(req, move |ctx, body| {
        let (value, next) = page(&az.origin, &body)?;
        let mut accounts = Vec::with_capacity(value.len());
        for a in value {
            accounts.push(account(&az.provider, a)?);
        }
        if let Some(next) = next {
            follow(&mut trail, &next)?;
            accounts_page(ctx, &az, next, trail);
        }
        for a in accounts {
            let url = url_of(
                &az.base,
                &[
                    "subscriptions",
                    &az.subscription_id,
                    "resourceGroups",
                    &az.resource_group,
                    "providers",
                    "Microsoft.CognitiveServices",
                    "accounts",
                    &a.name,
                    "deployments",
                ],
                &[("api-version", API_VERSION)],
            )?;
            let trail = Trail::start(url.as_str());
            deployments_page(ctx, &az, url, a.name.clone(), a.region.clone(), trail);
            ctx.push(a);
        }
        Ok(())
    });
}

fn deployments_page(
    ctx: &Arc<Ctx>,
    az: &Arc<Azure>,
    url: Url,
    account: String,
    region: Option<String>,
    mut trail: Trail,
) {
    let n = trail.page();
    let mut req = get(
        az,
        url,
        region.clone(),
        format!("GET deployments of {account} (page {n})"),
    );
    req.priority = 2;
    let az = Arc::clone(az);
    ctx.spawn_fetch(req, move |ctx, body| {
        let (value, next) = page(&az.origin, &body)?;
        let mut found = Vec::with_capacity(value.len());
        for d in value {
            found.push(deployment(&az.provider, region.as_deref(), d)?);
        }
        if let Some(next) = next {
            follow(&mut trail, &next)?;
            deployments_page(ctx, &az, next, account, region, trail);
        }
        for d in found {
            ctx.push(d);
        }
        Ok(())
    });
}

fn str_at<'v>(v: &'v Value, path: &[&str]) -> Option<&'v str> {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_str)
}

fn required<'v>(v: &'v Value, key: &str, what: &str) -> Result<&'v str, String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("{what} without \"{key}\""))
}

/// A JSON string value of `path` in `v`, or null.
fn string_or_null(v: &Value, path: &[&str]) -> Value {
    str_at(v, path).map_or(Value::Null, |s| Value::String(s.to_string()))
}

pub(crate) fn tags_of(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (k.clone(), v)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The value after `segment` (compared case-insensitively) in an ARM id.
fn id_part<'a>(id: &'a str, segment: &str) -> Option<&'a str> {
    let mut parts = id.split('/');
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case(segment) {
            return parts.next().filter(|s| !s.is_empty());
        }
    }
    None
}

/// An account as an `azure_account` object.
pub(crate) fn account(provider: &str, a: &Value) -> Result<LiveObject, String> {
    let id = required(a, "id", "account")?;
    let name = required(a, "name", "account")?;
    let location = required(a, "location", "account")?;
    let p = a.get("properties").unwrap_or(&Value::Null);
    let allowed_ips: Vec<Value> = p
        .get("networkAcls")
        .and_then(|n| n.get("ipRules"))
        .and_then(Value::as_array)
        .map(|rules| {
            rules
                .iter()
                .filter_map(|r| r.get("value").and_then(Value::as_str))
                .map(|s| Value::String(s.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let mut attrs = BTreeMap::new();
    attrs.insert("location".into(), json!(location));
    attrs.insert("kind".into(), string_or_null(a, &["kind"]));
    attrs.insert("sku_name".into(), string_or_null(a, &["sku", "name"]));
    attrs.insert(
        "identity_type".into(),
        json!(str_at(a, &["identity", "type"]).unwrap_or("None")),
    );
    attrs.insert(
        "custom_subdomain_name".into(),
        string_or_null(p, &["customSubDomainName"]),
    );
    attrs.insert(
        "local_auth_enabled".into(),
        json!(!p
            .get("disableLocalAuth")
            .and_then(Value::as_bool)
            .unwrap_or(false)),
    );
    attrs.insert(
        "public_network_access_enabled".into(),
        json!(str_at(p, &["publicNetworkAccess"])
            .is_none_or(|s| s.eq_ignore_ascii_case("Enabled"))),
    );
    attrs.insert("allowed_ips".into(), Value::Array(allowed_ips));
    attrs.insert(
        "resource_group_name".into(),
        id_part(id, "resourceGroups").map_or(Value::Null, |s| json!(s)),
    );
    attrs.insert(
        "subscription_id".into(),
        id_part(id, "subscriptions").map_or(Value::Null, |s| json!(s)),
    );
    Ok(LiveObject {
        provider: provider.to_string(),
        kind: "azure_account".into(),
        region: Some(location.to_string()),
        name: name.to_string(),
        id: id.to_string(),
        attributes: attrs,
        tags: tags_of(a.get("tags")),
    })
}

/// A deployment as an `azure_deployment` object, in its account's `region`.
pub(crate) fn deployment(
    provider: &str,
    region: Option<&str>,
    d: &Value,
) -> Result<LiveObject, String> {
    let id = required(d, "id", "deployment")?;
    let name = required(d, "name", "deployment")?;
    let p = d.get("properties").unwrap_or(&Value::Null);
    let capacity = match d.get("sku").and_then(|s| s.get("capacity")) {
        None | Some(Value::Null) => Value::Null,
        Some(c) => match c.as_u64() {
            Some(n) => json!(n),
            None => return Err(format!("deployment {name}: sku.capacity is not an integer")),
        },
    };
    let mut attrs = BTreeMap::new();
    attrs.insert(
        "model_format".into(),
        string_or_null(p, &["model", "format"]),
    );
    attrs.insert("model_name".into(), string_or_null(p, &["model", "name"]));
    attrs.insert(
        "model_version".into(),
        string_or_null(p, &["model", "version"]),
    );
    attrs.insert("sku_name".into(), string_or_null(d, &["sku", "name"]));
    attrs.insert("sku_capacity".into(), capacity);
    attrs.insert(
        "rai_policy_name".into(),
        string_or_null(p, &["raiPolicyName"]),
    );
    attrs.insert(
        "version_upgrade_option".into(),
        string_or_null(p, &["versionUpgradeOption"]),
    );
    Ok(LiveObject {
        provider: provider.to_string(),
        kind: "azure_deployment".into(),
        region: region.map(str::to_string),
        name: name.to_string(),
        id: id.to_string(),
        attributes: attrs,
        tags: tags_of(d.get("tags")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cloud;

    pub(crate) fn scope(cloud: Cloud, endpoint: Option<&str>) -> ProviderScope {
        ProviderScope {
            cloud,
            address: format!("{cloud}.corp"),
            regions: vec![],
            subscription_id: None,
            resource_group: None,
            account_id: None,
            partition: None,
            project: None,
            endpoint: endpoint.map(str::to_string),
        }
    }

    #[test]
    fn the_spec_endpoint_wins_over_the_environment_over_the_default() {
        let env = Some("http://127.0.0.1:9/azure/");
        assert_eq!(
            base_url(&scope(Cloud::Azure, Some("https://arm.example/")), env),
            "https://arm.example"
        );
        assert_eq!(
            base_url(&scope(Cloud::Azure, None), env),
            "http://127.0.0.1:9/azure"
        );
        assert_eq!(
            base_url(&scope(Cloud::Azure, None), None),
            "https://management.azure.com"
        );
    }

    #[test]
    fn urls_keep_the_base_path_and_encode_segments() {
        let u = url_of(
            "http://127.0.0.1:9/azure",
            &["subscriptions", "a b", "accounts"],
            &[("api-version", API_VERSION)],
        )
        .expect("url");
        assert_eq!(
            u.as_str(),
            "http://127.0.0.1:9/azure/subscriptions/a%20b/accounts?api-version=2025-06-01"
        );
        assert!(url_of("not a url", &["x"], &[]).is_err());
    }

    #[test]
    fn an_account_without_optional_fields_gets_azures_defaults() {
        let a = account(
            "azure.corp",
            &json!({
                "id": "/subscriptions/S/resourceGroups/RG/providers/Microsoft.CognitiveServices/accounts/x",
                "name": "x",
                "location": "swedencentral",
                "properties": {}
            }),
        )
        .expect("account");
        assert_eq!(a.attributes["identity_type"], json!("None"));
        assert_eq!(a.attributes["local_auth_enabled"], json!(true));
        assert_eq!(a.attributes["public_network_access_enabled"], json!(true));
        assert_eq!(a.attributes["allowed_ips"], json!([]));
        assert_eq!(a.attributes["custom_subdomain_name"], Value::Null);
        assert_eq!(a.attributes["subscription_id"], json!("S"));
        assert_eq!(a.attributes["resource_group_name"], json!("RG"));
        assert!(a.tags.is_empty());
        let err = account("azure.corp", &json!({"name": "x", "location": "l"})).expect_err("no id");
        assert!(err.contains("\"id\""), "{err}");
    }

    #[test]
    fn a_deployment_capacity_must_be_an_integer() {
        let d = json!({"id": "i", "name": "d", "sku": {"name": "Standard", "capacity": 1.5}});
        assert!(deployment("azure.corp", Some("r"), &d)
            .expect_err("float")
            .contains("not an integer"));
        let d = json!({"id": "i", "name": "d", "sku": {"name": "Standard", "capacity": 7}, "tags": {"n": 1}});
        let d = deployment("azure.corp", Some("r"), &d).expect("deployment");
        assert_eq!(d.attributes["sku_capacity"], json!(7));
        assert_eq!(d.tags["n"], "1");
    }
}
