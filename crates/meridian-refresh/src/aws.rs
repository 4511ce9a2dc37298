//! Amazon Bedrock, per region: application inference profiles, provisioned throughputs, the
//! tags of each, and the model-invocation logging configuration. Requests are signed with
//! SigV4 (service `bedrock`, the region read).
//!
//! Beside them, one STS `GetCallerIdentity` per provider block checks that the credentials
//! belong to the block's `account_id`: Bedrock lists only the caller's own account, so with
//! another account's credentials every object of the block would look deleted.

use crate::azure::url_of;
use crate::creds::{AwsKeys, AwsProvider};
use crate::http::{Auth, Ctx, Req, Wire};
use crate::paging::Trail;
use crate::{ErrorKind, LiveObject, ProviderScope};
use aws_sigv4::http_request::{sign as sigv4, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use reqwest::{Method, Url};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

/// Results per list page.
const PAGE_SIZE: &str = "100";

/// The content type of an AWS Query-protocol request body.
pub(crate) const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// The body of STS `GetCallerIdentity`.
const GET_CALLER_IDENTITY: &[u8] = b"Action=GetCallerIdentity&Version=2011-06-15";

/// The SigV4 headers for a request to `service` with an optional (body, content type):
/// (name, value, sensitive).
pub(crate) fn sign(
    keys: &AwsKeys,
    region: &str,
    service: &str,
    method: &Method,
    url: &Url,
    body: Option<(&[u8], &str)>,
    time: SystemTime,
) -> Result<Vec<(&'static str, String, bool)>, String> {
    sign_with(keys, region, service, method, url, &[], body, time)
}

/// [`sign`], with further headers to sign (sent by the caller as given).
#[allow(clippy::too_many_arguments)]
pub(crate) fn sign_with(
    keys: &AwsKeys,
    region: &str,
    service: &str,
    method: &Method,
    url: &Url,
    extra: &[(&str, &str)],
    body: Option<(&[u8], &str)>,
    time: SystemTime,
) -> Result<Vec<(&'static str, String, bool)>, String> {
    let identity = aws_credential_types::Credentials::new(
        keys.access_key_id.expose(),
        keys.secret_access_key.expose(),
        keys.session_token.as_ref().map(|t| t.expose().to_string()),
        None,
        "meridian",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| format!("could not sign the request: {e}"))?
        .into();
    let mut headers: Vec<(&str, &str)> = extra.to_vec();
    if let Some((_, t)) = body {
        headers.push(("content-type", t));
    }
    let signable = SignableRequest::new(
        method.as_str(),
        url.as_str(),
        headers.iter().copied(),
        SignableBody::Bytes(body.map_or(&[][..], |(b, _)| b)),
    )
    .map_err(|e| format!("could not sign the request: {e}"))?;
    let (instructions, _signature) = sigv4(signable, &params)
        .map_err(|e| format!("could not sign the request: {e}"))?
        .into_parts();
    let (headers, _params) = instructions.into_parts();
    Ok(headers
        .into_iter()
        .map(|h| {
            let sensitive = h.sensitive()
                || h.name().eq_ignore_ascii_case("authorization")
                || h.name().eq_ignore_ascii_case("x-amz-security-token");
            (h.name(), h.value().to_string(), sensitive)
        })
        .collect())
}

/// The base URL for `region`: the spec's endpoint, else `MERIDIAN_AWS_ENDPOINT` (with
/// `{region}` replaced), else `https://bedrock.{region}.amazonaws.com` (`.com.cn` in the
/// `aws-cn` partition).
pub(crate) fn base_url(scope: &ProviderScope, env: Option<&str>, region: &str) -> String {
    let base = match scope.endpoint.as_deref().or(env) {
        Some(over) => over.replace("{region}", region),
        None if scope.partition.as_deref() == Some("aws-cn") => {
            format!("https://bedrock.{region}.amazonaws.com.cn")
        }
        None => format!("https://bedrock.{region}.amazonaws.com"),
    };
    base.trim_end_matches('/').to_string()
}

/// What every request of one provider and region shares.
pub(crate) struct Region {
    pub(crate) provider: Arc<str>,
    /// The region read.
    pub(crate) name: String,
    pub(crate) base: String,
    pub(crate) auth: Arc<Auth>,
    pub(crate) account_id: Option<String>,
}

impl Region {
    /// The base URL, credentials and account of `region` of an AWS provider; `None` after
    /// recording why the region cannot be read.
    pub(crate) fn of(
        ctx: &Ctx,
        scope: &ProviderScope,
        keys: &Arc<AwsProvider>,
        region: &str,
    ) -> Option<Region> {
        let base = base_url(scope, ctx.creds.aws_endpoint.as_deref(), region);
        if let Err(reason) = Url::parse(&base) {
            ctx.scope_error(
                scope,
                ErrorKind::Connect,
                format!("invalid endpoint URL {base:?}: {reason}"),
            );
            return None;
        }
        Some(Region {
            provider: Arc::from(scope.address.as_str()),
            name: region.to_owned(),
            base,
            auth: Arc::new(Auth::Aws {
                keys: keys.clone(),
                region: region.to_owned(),
                service: "bedrock",
            }),
            account_id: scope.account_id.clone(),
        })
    }

    pub(crate) fn req(&self, method: Method, url: Url, body: Option<Vec<u8>>, what: String) -> Req {
        Req {
            provider: self.provider.clone(),
            region: Some(self.name.clone()),
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

    /// Whether an ARN is of this provider's account (always, when it names none).
    fn owns(&self, arn: &str) -> bool {
        match &self.account_id {
            Some(account) => arn.split(':').nth(4) == Some(account.as_str()),
            None => true,
        }
    }
}

/// Starts reading one AWS provider in each of its regions; false if it cannot be read.
pub(crate) fn start(ctx: &Arc<Ctx>, scope: &ProviderScope) -> bool {
    start_regions(ctx, scope, |ctx, r| {
        page(ctx, r, &PROFILES, None, Trail::start(""))
            & page(ctx, r, &THROUGHPUTS, None, Trail::start(""))
            & logging(ctx, r)
    })
}

/// Checks the provider's credentials against its `account_id` (STS) and starts `read` in
/// each of its regions; false if it cannot be read (in some region).
pub(crate) fn start_regions(
    ctx: &Arc<Ctx>,
    scope: &ProviderScope,
    read: impl Fn(&Arc<Ctx>, &Arc<Region>) -> bool,
) -> bool {
    let Some(keys) = ctx.creds.aws.clone() else {
        ctx.scope_error(
            scope,
            ErrorKind::Credentials,
            "no AWS credentials were resolved for this provider".into(),
        );
        return false;
    };
    let provider: Arc<str> = Arc::from(scope.address.as_str());
    let mut ok = true;
    if let (Some(account), Some(region)) = (&scope.account_id, scope.regions.first()) {
        ok &= identity(ctx, scope, &provider, &keys, account, region);
    }
    for region in &scope.regions {
        let Some(r) = Region::of(ctx, scope, &keys, region) else {
            ok = false;
            continue;
        };
        ok &= read(ctx, &Arc::new(r));
    }
    ok
}

/// The STS URL for `region`: `MERIDIAN_AWS_STS_ENDPOINT` (with `{region}` replaced), else
/// the regional endpoint `https://sts.{region}.amazonaws.com/` (`.com.cn` in `aws-cn`).
pub(crate) fn sts_url(scope: &ProviderScope, env: Option<&str>, region: &str) -> String {
    match env {
        Some(over) => over.replace("{region}", region),
        None if scope.partition.as_deref() == Some("aws-cn") => {
            format!("https://sts.{region}.amazonaws.com.cn/")
        }
        None => format!("https://sts.{region}.amazonaws.com/"),
    }
}

/// The text of the first `<name>` element of an XML document, entities decoded.
pub(crate) fn xml_element(doc: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = doc.find(&open)? + open.len();
    let end = start + doc[start..].find(&format!("</{name}>"))?;
    let raw = doc[start..end].trim();
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let entity = [
            ("&amp;", '&'),
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&quot;", '"'),
            ("&apos;", '\''),
        ]
        .into_iter()
        .find(|(e, _)| rest.starts_with(e));
        match entity {
            Some((e, c)) => {
                out.push(c);
                rest = &rest[e.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Some(out)
}

/// Asks STS whose credentials these are; records a credentials error naming both accounts
/// when they are not of `account`. False if the request cannot be built.
pub(crate) fn identity(
    ctx: &Arc<Ctx>,
    scope: &ProviderScope,
    provider: &Arc<str>,
    keys: &Arc<AwsProvider>,
    account: &str,
    region: &str,
) -> bool {
    let url = sts_url(scope, ctx.creds.aws_sts_endpoint.as_deref(), region);
    let url = match Url::parse(&url) {
        Ok(u) => u,
        Err(reason) => {
            ctx.scope_error(
                scope,
                ErrorKind::Connect,
                format!("invalid STS endpoint URL {url:?}: {reason}"),
            );
            return false;
        }
    };
    let req = Req {
        provider: provider.clone(),
        region: Some(region.to_owned()),
        method: Method::POST,
        url,
        body: Some(GET_CALLER_IDENTITY.to_vec()),
        wire: Wire::Query,
        auth: Arc::new(Auth::Aws {
            keys: keys.clone(),
            region: region.to_owned(),
            service: "sts",
        }),
        what: format!("POST sts:GetCallerIdentity in {region}"),
        priority: 0,
        absent_if_not_found: false,
    };
    let request = req.display();
    let provider = provider.to_string();
    let region = region.to_owned();
    let expected = account.to_owned();
    let source = keys.description.clone();
    ctx.spawn_fetch(req, move |ctx, body| {
        let doc = body.as_str().unwrap_or_default();
        let got = xml_element(doc, "Account")
            .filter(|a| !a.is_empty())
            .ok_or("GetCallerIdentity response has no <Account>")?;
        if got != expected {
            ctx.record(crate::RefreshError {
                provider,
                region: Some(region),
                request,
                kind: ErrorKind::Credentials,
                reason: format!(
                    "the AWS credentials are of account {got}, not of this provider's account \
                     {expected}; Bedrock lists only the caller's own account, so this block's \
                     objects cannot be read with them. Give credentials of account {expected} \
                     (these came from {source})"
                ),
            });
        }
        Ok(())
    });
    true
}

pub(crate) fn next_token(body: &Value) -> Result<Option<String>, String> {
    match body.get("nextToken") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err("nextToken is not a string".into()),
    }
}

pub(crate) fn items<'v>(body: &'v Value, field: &str) -> Result<&'v Vec<Value>, String> {
    body.get(field)
        .and_then(Value::as_array)
        .ok_or_else(|| format!("response has no {field:?} list"))
}

pub(crate) fn required<'v>(v: &'v Value, key: &str, what: &str) -> Result<&'v str, String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("{what} without {key:?}"))
}

/// The URL of one page of a list, filtered to inference profiles of `kind` (`APPLICATION`,
/// `SYSTEM_DEFINED`) when given.
pub(crate) fn page_url(
    r: &Region,
    path: &str,
    token: Option<&str>,
    kind: Option<&str>,
) -> Result<Url, String> {
    let mut query = vec![("maxResults", PAGE_SIZE)];
    if let Some(kind) = kind {
        // The API reference's URI parameter for the `typeEquals` member is `type`.
        query.push(("type", kind));
    }
    if let Some(t) = token {
        query.push(("nextToken", t));
    }
    url_of(&r.base, &[path], &query)
}

/// The attributes of a listed item, or why they cannot be read.
type Attributes = Result<BTreeMap<String, Value>, String>;

/// One paged Bedrock list: where it is read, what its items are and how each becomes a
/// [`LiveObject`].
struct Listing {
    path: &'static str,
    /// The inference-profile type the list is filtered to (`type=APPLICATION`).
    kind_filter: Option<&'static str>,
    /// The response member that holds the page's items.
    field: &'static str,
    /// What the list holds, in request descriptions (`inference profiles`).
    what: &'static str,
    /// What one item is, in decode errors (`inference profile`).
    item: &'static str,
    arn_key: &'static str,
    name_key: &'static str,
    kind: &'static str,
    /// The attributes of an item, given its name.
    attributes: fn(&str, &Value) -> Attributes,
}

const PROFILES: Listing = Listing {
    path: "inference-profiles",
    kind_filter: Some("APPLICATION"),
    field: "inferenceProfileSummaries",
    what: "inference profiles",
    item: "inference profile",
    arn_key: "inferenceProfileArn",
    name_key: "inferenceProfileName",
    kind: "aws_inference_profile",
    attributes: profile_attributes,
};

const THROUGHPUTS: Listing = Listing {
    path: "provisioned-model-throughputs",
    kind_filter: None,
    field: "provisionedModelSummaries",
    what: "provisioned throughputs",
    item: "provisioned throughput",
    arn_key: "provisionedModelArn",
    name_key: "provisionedModelName",
    kind: "aws_provisioned_throughput",
    attributes: throughput_attributes,
};

#[allow(clippy::unnecessary_wraps)]
fn profile_attributes(name: &str, p: &Value) -> Attributes {
    let mut attrs = BTreeMap::new();
    attrs.insert("name".into(), json!(name));
    attrs.insert(
        "description".into(),
        p.get("description").cloned().unwrap_or(Value::Null),
    );
    Ok(attrs)
}

fn throughput_attributes(name: &str, p: &Value) -> Attributes {
    let units = match p.get("modelUnits") {
        None | Some(Value::Null) => Value::Null,
        Some(u) => match u.as_u64() {
            Some(n) => json!(n),
            None => return Err(format!("{name}: modelUnits is not an integer")),
        },
    };
    let mut attrs = BTreeMap::new();
    attrs.insert("provisioned_model_name".into(), json!(name));
    attrs.insert(
        "model_arn".into(),
        p.get("modelArn").cloned().unwrap_or(Value::Null),
    );
    attrs.insert("model_units".into(), units);
    Ok(attrs)
}

/// The URL, or `None` after recording why it could not be built.
pub(crate) fn url_or_record(ctx: &Ctx, r: &Region, url: Result<Url, String>) -> Option<Url> {
    match url {
        Ok(u) => Some(u),
        Err(reason) => {
            ctx.record(crate::RefreshError {
                provider: r.provider.to_string(),
                region: Some(r.name.clone()),
                request: String::new(),
                kind: ErrorKind::Connect,
                reason,
            });
            None
        }
    }
}

/// Starts one page of `list`; false if its URL cannot be built.
fn page(
    ctx: &Arc<Ctx>,
    r: &Arc<Region>,
    list: &'static Listing,
    token: Option<&str>,
    mut trail: Trail,
) -> bool {
    let n = trail.page();
    let Some(url) = url_or_record(ctx, r, page_url(r, list.path, token, list.kind_filter)) else {
        return false;
    };
    let mut req = r.req(
        Method::GET,
        url,
        None,
        format!("GET {} in {} (page {n})", list.what, r.name),
    );
    req.priority = 2;
    let r = Arc::clone(r);
    ctx.spawn_fetch(req, move |ctx, body| {
        let items = items(&body, list.field)?;
        let next = next_token(&body)?;
        let mut found = Vec::new();
        for p in items {
            let arn = required(p, list.arn_key, list.item)?;
            let name = required(p, list.name_key, list.item)?;
            if !r.owns(arn) {
                continue;
            }
            found.push(LiveObject {
                provider: r.provider.to_string(),
                kind: list.kind.into(),
                region: Some(r.name.clone()),
                name: name.to_string(),
                id: arn.to_string(),
                attributes: (list.attributes)(name, p)?,
                tags: BTreeMap::new(),
            });
        }
        if let Some(token) = next {
            trail.follow("nextToken", &token, false)?;
            if !page(ctx, &r, list, Some(&token), trail) {
                return Ok(());
            }
        }
        for object in found {
            tags(ctx, &r, object)?;
        }
        Ok(())
    });
    true
}

/// Reads the tags of `object` (by its ARN), then records it with them.
fn tags(ctx: &Arc<Ctx>, r: &Arc<Region>, mut object: LiveObject) -> Result<(), String> {
    let url = url_of(&r.base, &["listTagsForResource"], &[])?;
    let body = serde_json::to_vec(&json!({ "resourceARN": object.id }))
        .map_err(|e| format!("could not encode a request: {e}"))?;
    let req = r.req(
        Method::POST,
        url,
        Some(body),
        format!("POST listTagsForResource for {}", object.name),
    );
    ctx.spawn_fetch(req, move |ctx, body| {
        for t in items(&body, "tags")? {
            let key = required(t, "key", "tag")?;
            let value = t.get("value").and_then(Value::as_str).unwrap_or_default();
            object.tags.insert(key.to_string(), value.to_string());
        }
        ctx.push(object);
        Ok(())
    });
    Ok(())
}

/// Reads the model-invocation logging configuration of the region (`{}`: none).
fn logging(ctx: &Arc<Ctx>, r: &Arc<Region>) -> bool {
    let Some(url) = url_or_record(
        ctx,
        r,
        url_of(&r.base, &["logging", "modelinvocations"], &[]),
    ) else {
        return false;
    };
    let req = r.req(
        Method::GET,
        url,
        None,
        format!("GET invocation logging in {}", r.name),
    );
    let r = Arc::clone(r);
    ctx.spawn_fetch(req, move |ctx, body| {
        let config = match body.get("loggingConfig") {
            None | Some(Value::Null) => return Ok(()),
            Some(c) if c.is_object() => c,
            Some(_) => return Err("loggingConfig is not an object".into()),
        };
        let s3 = config.get("s3Config").unwrap_or(&Value::Null);
        let mut attrs = BTreeMap::new();
        attrs.insert("region".into(), json!(r.name));
        attrs.insert(
            "s3_bucket_name".into(),
            s3.get("bucketName").cloned().unwrap_or(Value::Null),
        );
        attrs.insert(
            "s3_key_prefix".into(),
            s3.get("keyPrefix").cloned().unwrap_or(Value::Null),
        );
        attrs.insert(
            "text_data_delivery_enabled".into(),
            json!(config
                .get("textDataDeliveryEnabled")
                .and_then(Value::as_bool)
                .unwrap_or(false)),
        );
        ctx.push(LiveObject {
            provider: r.provider.to_string(),
            kind: "aws_invocation_logging".into(),
            region: Some(r.name.clone()),
            name: r.name.clone(),
            id: format!("model-invocation-logging/{}", r.name),
            attributes: attrs,
            tags: BTreeMap::new(),
        });
        Ok(())
    });
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::creds::Secret;
    use crate::Cloud;

    fn scope(endpoint: Option<&str>, partition: Option<&str>) -> ProviderScope {
        ProviderScope {
            cloud: Cloud::Aws,
            address: "aws.corp".into(),
            regions: vec![],
            subscription_id: None,
            resource_group: None,
            account_id: None,
            partition: partition.map(str::to_string),
            project: None,
            endpoint: endpoint.map(str::to_string),
        }
    }

    #[test]
    fn endpoints_per_region_and_partition() {
        assert_eq!(
            base_url(&scope(None, None), None, "eu-central-1"),
            "https://bedrock.eu-central-1.amazonaws.com"
        );
        assert_eq!(
            base_url(&scope(None, Some("aws-cn")), None, "cn-north-1"),
            "https://bedrock.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            base_url(&scope(None, None), Some("http://127.0.0.1:9/aws"), "x-1"),
            "http://127.0.0.1:9/aws"
        );
        assert_eq!(
            base_url(
                &scope(Some("https://vpce.{region}.example/"), None),
                Some("http://ignored"),
                "eu-west-1"
            ),
            "https://vpce.eu-west-1.example"
        );
    }

    #[test]
    fn sts_endpoints_per_region_and_partition() {
        assert_eq!(
            sts_url(&scope(None, None), None, "eu-central-1"),
            "https://sts.eu-central-1.amazonaws.com/"
        );
        assert_eq!(
            sts_url(&scope(None, Some("aws-cn")), None, "cn-north-1"),
            "https://sts.cn-north-1.amazonaws.com.cn/"
        );
        // A Bedrock endpoint does not move STS; only its own variable does.
        assert_eq!(
            sts_url(
                &scope(Some("https://vpce.example"), None),
                Some("http://127.0.0.1:9/sts-{region}"),
                "eu-west-1"
            ),
            "http://127.0.0.1:9/sts-eu-west-1"
        );
    }

    #[test]
    fn xml_elements_are_found_and_decoded() {
        let doc = "<R><GetCallerIdentityResult><Arn>arn:aws:iam::418295730641:user/a</Arn>\
                   <Account> 418295730641 </Account></GetCallerIdentityResult>\
                   <Message>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &unknown; &</Message></R>";
        assert_eq!(xml_element(doc, "Account").as_deref(), Some("418295730641"));
        assert_eq!(
            xml_element(doc, "Message").as_deref(),
            Some("a <b> & \"c\" 'd' &unknown; &")
        );
        assert_eq!(xml_element(doc, "UserId"), None);
        assert_eq!(xml_element("<Account>123", "Account"), None);
    }

    #[test]
    fn signing_for_sts_scopes_the_credential_and_signs_the_form_body_type() {
        let keys = AwsKeys {
            access_key_id: Secret::new("AKIDEXAMPLE"),
            secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            session_token: None,
        };
        let url = Url::parse("https://sts.eu-west-1.amazonaws.com/").expect("url");
        let time = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_764_000_000);
        let body = Some((GET_CALLER_IDENTITY, FORM_CONTENT_TYPE));
        let headers =
            sign(&keys, "eu-west-1", "sts", &Method::POST, &url, body, time).expect("signed");
        let (_, auth, _) = headers
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case("authorization"))
            .expect("authorization");
        assert!(
            auth.starts_with(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20251124/eu-west-1/sts/aws4_request"
            ),
            "{auth}"
        );
        assert!(auth.contains("content-type"), "{auth}");
        assert!(!auth.contains("x-amz-security-token"), "{auth}");
    }

    #[test]
    fn signing_adds_date_authorization_and_the_session_token() {
        let keys = AwsKeys {
            access_key_id: Secret::new("AKIDEXAMPLE"),
            secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            session_token: Some(Secret::new("session-token")),
        };
        let url =
            Url::parse("https://bedrock.eu-west-1.amazonaws.com/listTagsForResource").expect("url");
        let time = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_764_000_000);
        let body = Some((&b"{}"[..], "application/json"));
        let headers = sign(
            &keys,
            "eu-west-1",
            "bedrock",
            &Method::POST,
            &url,
            body,
            time,
        )
        .expect("signed");
        let get = |name: &str| {
            headers
                .iter()
                .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v, s)| (v.clone(), *s))
        };
        let (auth, sensitive) = get("authorization").expect("authorization");
        assert!(sensitive);
        assert!(
            auth.starts_with(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20251124/eu-west-1/bedrock/aws4_request"
            ),
            "{auth}"
        );
        assert!(
            auth.contains("content-type"),
            "the content type is signed: {auth}"
        );
        assert!(auth.contains("x-amz-security-token"), "{auth}");
        assert_eq!(
            get("x-amz-date").map(|h| h.0).as_deref(),
            Some("20251124T160000Z")
        );
        assert_eq!(
            get("x-amz-security-token").map(|h| h.0).as_deref(),
            Some("session-token")
        );
    }
}
