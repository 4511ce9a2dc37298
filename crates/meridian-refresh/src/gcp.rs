//! Google Cloud: the Vertex AI API's state (Service Usage), the members of
//! `roles/aiplatform.user` (Resource Manager IAM policy) and the Vertex AI endpoints of each
//! location.

use crate::azure::{tags_of, url_of};
use crate::http::{Auth, Ctx, Req, Wire};
use crate::paging::Trail;
use crate::{ErrorKind, LiveObject, ProviderScope};
use reqwest::{Method, Url};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

const SERVICE: &str = "aiplatform.googleapis.com";
const ROLE: &str = "roles/aiplatform.user";
const PAGE_SIZE: &str = "100";

/// The Google APIs read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    ServiceUsage,
    ResourceManager,
    /// Vertex AI in a location.
    AiPlatform,
}

/// The base URL of `api` (in `location` for Vertex AI): the spec's endpoint, else
/// `MERIDIAN_GCP_ENDPOINT` (one base for all three APIs, `{location}` replaced), else the
/// real host: `{location}-aiplatform.googleapis.com` for a region, the multi-region hosts
/// `aiplatform.eu.rep.googleapis.com` / `aiplatform.us.rep.googleapis.com` for `eu` / `us`,
/// and `aiplatform.googleapis.com` for `global`.
pub(crate) fn base_url(
    scope: &ProviderScope,
    env: Option<&str>,
    api: Api,
    location: &str,
) -> String {
    let base = match scope.endpoint.as_deref().or(env) {
        Some(over) => over.replace("{location}", location),
        None => match api {
            Api::ServiceUsage => "https://serviceusage.googleapis.com".into(),
            Api::ResourceManager => "https://cloudresourcemanager.googleapis.com".into(),
            Api::AiPlatform if location == "global" => "https://aiplatform.googleapis.com".into(),
            Api::AiPlatform if location == "eu" || location == "us" => {
                format!("https://aiplatform.{location}.rep.googleapis.com")
            }
            Api::AiPlatform => format!("https://{location}-aiplatform.googleapis.com"),
        },
    };
    base.trim_end_matches('/').to_string()
}

pub(crate) struct Gcp {
    pub(crate) provider: Arc<str>,
    pub(crate) project: String,
    pub(crate) auth: Arc<Auth>,
}

impl Gcp {
    pub(crate) fn req(
        &self,
        method: Method,
        url: Url,
        region: Option<String>,
        body: Option<Vec<u8>>,
        what: String,
    ) -> Req {
        Req {
            provider: self.provider.clone(),
            region,
            method,
            url,
            body,
            auth: self.auth.clone(),
            what,
            priority: 0,
            absent_if_not_found: false,
            wire: Wire::Json,
        }
    }
}

/// Starts reading one GCP provider; false if it cannot be read (at all, or in a location).
pub(crate) fn start(ctx: &Arc<Ctx>, scope: &ProviderScope) -> bool {
    let Some(bearer) = ctx.bearer(scope) else {
        return false;
    };
    let Some(project) = scope.project.clone() else {
        ctx.scope_error(
            scope,
            ErrorKind::Credentials,
            "the provider block needs project to be read".into(),
        );
        return false;
    };
    let g = Arc::new(Gcp {
        provider: Arc::from(scope.address.as_str()),
        project,
        auth: Arc::new(Auth::Bearer(bearer)),
    });
    let env = ctx.creds.gcp_endpoint.clone();
    let base = |api, location| base_url(scope, env.as_deref(), api, location);
    let mut ok = true;
    let mut check = |r: Result<(), String>| {
        if let Err(reason) = r {
            ctx.scope_error(scope, ErrorKind::Connect, reason);
            ok = false;
        }
    };
    check(service(ctx, &g, &base(Api::ServiceUsage, "global")));
    check(iam(ctx, &g, &base(Api::ResourceManager, "global")));
    for location in &scope.regions {
        check(
            url_of(
                &base(Api::AiPlatform, location),
                &[
                    "v1",
                    "projects",
                    &g.project,
                    "locations",
                    location,
                    "endpoints",
                ],
                &[("pageSize", PAGE_SIZE)],
            )
            .map(|url| {
                let trail = Trail::start("");
                endpoints_page(ctx, &g, url, location.clone(), trail);
            }),
        );
    }
    ok
}

fn service(ctx: &Arc<Ctx>, g: &Arc<Gcp>, base: &str) -> Result<(), String> {
    let url = url_of(
        base,
        &["v1", "projects", &g.project, "services", SERVICE],
        &[],
    )?;
    let req = g.req(
        Method::GET,
        url,
        None,
        None,
        format!("GET service {SERVICE}"),
    );
    let g = Arc::clone(g);
    ctx.spawn_fetch(req, move |ctx, body| {
        let Some(state) = body.get("state").and_then(Value::as_str) else {
            return Err("response has no \"state\"".into());
        };
        if state == "ENABLED" {
            let mut attrs = BTreeMap::new();
            attrs.insert("project".into(), json!(g.project));
            attrs.insert("service".into(), json!(SERVICE));
            ctx.push(LiveObject {
                provider: g.provider.to_string(),
                kind: "gcp_service".into(),
                region: None,
                name: SERVICE.into(),
                id: format!("projects/{}/services/{SERVICE}", g.project),
                attributes: attrs,
                tags: BTreeMap::new(),
            });
        }
        Ok(())
    });
    Ok(())
}

/// The members of `roles/aiplatform.user` in an IAM policy (every binding of the role).
/// Google omits empty lists, so a policy without bindings has no `bindings`; a body with
/// neither `bindings` nor `etag` is not a policy.
pub(crate) fn role_members(policy: &Value) -> Result<BTreeSet<String>, String> {
    let bindings = match policy.get("bindings") {
        Some(Value::Array(b)) => b.as_slice(),
        None if policy.get("etag").is_some() => &[],
        None => return Err("response has neither \"bindings\" nor \"etag\"".into()),
        Some(_) => return Err("\"bindings\" is not a list".into()),
    };
    let mut members = BTreeSet::new();
    for b in bindings {
        if b.get("role").and_then(Value::as_str) != Some(ROLE) {
            continue;
        }
        let Some(list) = b.get("members").and_then(Value::as_array) else {
            continue;
        };
        for m in list {
            let Some(m) = m.as_str() else {
                return Err(format!("a member of {ROLE} is not a string"));
            };
            members.insert(m.to_string());
        }
    }
    Ok(members)
}

fn iam(ctx: &Arc<Ctx>, g: &Arc<Gcp>, base: &str) -> Result<(), String> {
    let url = url_of(
        base,
        &["v1", "projects", &format!("{}:getIamPolicy", g.project)],
        &[],
    )?;
    let body = serde_json::to_vec(&json!({"options": {"requestedPolicyVersion": 3}}))
        .map_err(|e| format!("could not encode a request: {e}"))?;
    let req = g.req(
        Method::POST,
        url,
        None,
        Some(body),
        format!("POST getIamPolicy of {}", g.project),
    );
    let g = Arc::clone(g);
    ctx.spawn_fetch(req, move |ctx, body| {
        for member in role_members(&body)? {
            let mut attrs = BTreeMap::new();
            attrs.insert("project".into(), json!(g.project));
            attrs.insert("role".into(), json!(ROLE));
            attrs.insert("member".into(), json!(member));
            ctx.push(LiveObject {
                provider: g.provider.to_string(),
                kind: "gcp_iam_member".into(),
                region: None,
                id: format!("projects/{}/{ROLE}/members/{member}", g.project),
                name: member,
                attributes: attrs,
                tags: BTreeMap::new(),
            });
        }
        Ok(())
    });
    Ok(())
}

/// A Vertex AI endpoint as a `gcp_endpoint` object.
pub(crate) fn endpoint(provider: &str, location: &str, e: &Value) -> Result<LiveObject, String> {
    let Some(id) = e
        .get("name")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    else {
        return Err("endpoint without \"name\"".into());
    };
    let display = e.get("displayName").and_then(Value::as_str);
    let short = id.rsplit('/').next().unwrap_or(id);
    let mut attrs = BTreeMap::new();
    attrs.insert(
        "display_name".into(),
        display.map_or(Value::Null, |d| json!(d)),
    );
    attrs.insert("location".into(), json!(location));
    Ok(LiveObject {
        provider: provider.to_string(),
        kind: "gcp_endpoint".into(),
        region: Some(location.to_string()),
        name: display
            .filter(|d| !d.is_empty())
            .unwrap_or(short)
            .to_string(),
        id: id.to_string(),
        attributes: attrs,
        tags: tags_of(e.get("labels")),
    })
}

fn endpoints_page(ctx: &Arc<Ctx>, g: &Arc<Gcp>, url: Url, location: String, mut trail: Trail) {
    let n = trail.page();
    let mut req = g.req(
        Method::GET,
        url.clone(),
        Some(location.clone()),
        None,
        format!("GET endpoints in {location} (page {n})"),
    );
    req.priority = 2;
    let g = Arc::clone(g);
    ctx.spawn_fetch(req, move |ctx, body| {
        // Google omits empty lists: a page without endpoints may lack `endpoints`.
        let items = match body.get("endpoints") {
            Some(Value::Array(items)) => items.as_slice(),
            None => &[],
            Some(_) => return Err("\"endpoints\" is not a list".into()),
        };
        let mut found = Vec::with_capacity(items.len());
        for e in items {
            found.push(endpoint(&g.provider, &location, e)?);
        }
        match body.get("nextPageToken") {
            None | Some(Value::Null) => {}
            Some(Value::String(t)) if t.is_empty() => {}
            Some(Value::String(t)) => {
                trail.follow("nextPageToken", t, false)?;
                let mut next = url.clone();
                let pairs: Vec<(String, String)> = url
                    .query_pairs()
                    .filter(|(k, _)| k != "pageToken")
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                next.query_pairs_mut()
                    .clear()
                    .extend_pairs(pairs)
                    .append_pair("pageToken", t);
                endpoints_page(ctx, &g, next, location.clone(), trail);
            }
            Some(_) => return Err("nextPageToken is not a string".into()),
        }
        for object in found {
            ctx.push(object);
        }
        Ok(())
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cloud;

    fn scope(endpoint: Option<&str>) -> ProviderScope {
        ProviderScope {
            cloud: Cloud::Gcp,
            address: "gcp.corp".into(),
            regions: vec![],
            subscription_id: None,
            resource_group: None,
            account_id: None,
            partition: None,
            project: Some("p".into()),
            endpoint: endpoint.map(str::to_string),
        }
    }

    #[test]
    fn endpoints_per_api_and_location() {
        let s = scope(None);
        assert_eq!(
            base_url(&s, None, Api::AiPlatform, "europe-west4"),
            "https://europe-west4-aiplatform.googleapis.com"
        );
        assert_eq!(
            base_url(&s, None, Api::AiPlatform, "global"),
            "https://aiplatform.googleapis.com"
        );
        assert_eq!(
            base_url(&s, None, Api::AiPlatform, "eu"),
            "https://aiplatform.eu.rep.googleapis.com"
        );
        assert_eq!(
            base_url(&s, None, Api::AiPlatform, "us"),
            "https://aiplatform.us.rep.googleapis.com"
        );
        assert_eq!(
            base_url(&s, None, Api::ServiceUsage, "global"),
            "https://serviceusage.googleapis.com"
        );
        assert_eq!(
            base_url(&s, None, Api::ResourceManager, "global"),
            "https://cloudresourcemanager.googleapis.com"
        );
        for api in [Api::AiPlatform, Api::ServiceUsage, Api::ResourceManager] {
            assert_eq!(
                base_url(&s, Some("http://127.0.0.1:9/gcp/"), api, "us-east4"),
                "http://127.0.0.1:9/gcp"
            );
        }
        assert_eq!(
            base_url(
                &scope(Some("https://{location}-vertex.example")),
                Some("http://ignored"),
                Api::AiPlatform,
                "us-east4"
            ),
            "https://us-east4-vertex.example"
        );
    }

    #[test]
    fn members_of_the_role_across_bindings() {
        let policy = json!({"etag": "x", "bindings": [
            {"role": "roles/aiplatform.user", "members": ["user:b", "user:a"]},
            {"role": "roles/owner", "members": ["user:c"]},
            {"role": "roles/aiplatform.user", "members": ["user:a"], "condition": {"title": "t"}}
        ]});
        let members: Vec<String> = role_members(&policy).expect("policy").into_iter().collect();
        assert_eq!(members, ["user:a", "user:b"]);
        assert!(role_members(&json!({"etag": "x"}))
            .expect("no bindings")
            .is_empty());
        assert!(role_members(&json!({})).is_err());
        assert!(role_members(&json!({"bindings": {}})).is_err());
    }

    #[test]
    fn an_endpoint_is_named_by_its_display_name() {
        let e = endpoint(
            "gcp.corp",
            "europe-west4",
            &json!({"name": "projects/p/locations/europe-west4/endpoints/42", "labels": {"a": "b"}}),
        )
        .expect("endpoint");
        assert_eq!(e.name, "42");
        assert_eq!(e.attributes["display_name"], Value::Null);
        assert_eq!(e.tags["a"], "b");
        assert!(endpoint("gcp.corp", "l", &json!({"displayName": "x"})).is_err());
    }
}
