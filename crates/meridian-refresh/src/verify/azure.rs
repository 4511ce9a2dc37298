//! Azure, per location: the model versions a subscription can deploy there, with their
//! deployment types (SKUs), lifecycle status and dates.

use super::{date_of, source_of, AzureModel, Fact};
use crate::azure::{base_url, page, url_of};
use crate::http::{Auth, Ctx, Req, Wire};
use crate::{ErrorKind, ProviderScope};
use reqwest::{Method, Url};
use serde_json::Value;
use std::sync::Arc;

/// The API version of `Models - List` (the reference documents `value[].model.skus[]`,
/// `lifecycleStatus` and `deprecation` in it).
pub(crate) const MODELS_API_VERSION: &str = "2024-10-01";

struct Location {
    provider: Arc<str>,
    auth: Arc<Auth>,
    /// Where `nextLink`s may point.
    origin: String,
    name: String,
    /// The first page's URL, without paging.
    source: String,
}

/// Starts reading one Azure provider's locations; false if it cannot be read at all.
pub(crate) fn start(ctx: &Arc<Ctx>, scope: &ProviderScope) -> bool {
    let Some(bearer) = ctx.bearer(scope) else {
        return false;
    };
    let Some(sub) = &scope.subscription_id else {
        ctx.scope_error(
            scope,
            ErrorKind::Credentials,
            "the provider block needs subscription_id to be read".into(),
        );
        return false;
    };
    let base = base_url(scope, ctx.creds.azure_endpoint.as_deref());
    let auth = Arc::new(Auth::Bearer(bearer));
    let mut ok = true;
    for location in &scope.regions {
        let url = match url_of(
            &base,
            &[
                "subscriptions",
                sub,
                "providers",
                "Microsoft.CognitiveServices",
                "locations",
                location,
                "models",
            ],
            &[("api-version", MODELS_API_VERSION)],
        ) {
            Ok(u) => u,
            Err(reason) => {
                ctx.scope_error(scope, ErrorKind::Connect, reason);
                ok = false;
                continue;
            }
        };
        let loc = Arc::new(Location {
            provider: Arc::from(scope.address.as_str()),
            auth: Arc::clone(&auth),
            origin: url.origin().ascii_serialization(),
            name: location.clone(),
            source: source_of(&url),
        });
        models_page(ctx, &loc, url, 1);
    }
    ok
}

fn models_page(ctx: &Arc<Ctx>, loc: &Arc<Location>, url: Url, n: usize) {
    let req = Req {
        provider: loc.provider.clone(),
        region: Some(loc.name.clone()),
        method: Method::GET,
        url,
        body: None,
        wire: Wire::Json,
        auth: loc.auth.clone(),
        what: format!("GET models in {} (page {n})", loc.name),
        priority: 2,
        absent_if_not_found: false,
    };
    let loc = Arc::clone(loc);
    ctx.spawn_fetch(req, move |ctx, body| {
        let (value, next) = page(&loc.origin, &body)?;
        let mut models = Vec::with_capacity(value.len());
        for item in value {
            if let Some(m) = model(item)? {
                models.push(m);
            }
        }
        if let Some(next) = next {
            models_page(ctx, &loc, next, n + 1);
        }
        ctx.push_fact(Fact::AzureModels {
            provider: loc.provider.to_string(),
            region: loc.name.clone(),
            source: loc.source.clone(),
            models,
        });
        Ok(())
    });
}

/// One item of the list; `None` for an item without a versioned model (nothing to deploy).
fn model(item: &Value) -> Result<Option<AzureModel>, String> {
    let Some(m) = item.get("model").filter(|m| m.is_object()) else {
        return Err("a model list item without \"model\"".into());
    };
    let text = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let Some(name) = text(m, "name") else {
        return Err("a model without \"name\"".into());
    };
    let Some(version) = text(m, "version") else {
        return Ok(None);
    };
    let mut skus = Vec::new();
    if let Some(list) = m.get("skus") {
        let Some(list) = list.as_array() else {
            return Err(format!("model {name} {version}: \"skus\" is not a list"));
        };
        for s in list {
            let Some(sku) = text(s, "name") else {
                return Err(format!("model {name} {version}: a SKU without \"name\""));
            };
            let date = text(s, "deprecationDate").and_then(|d| date_of(&d));
            skus.push((sku, date));
        }
    }
    Ok(Some(AzureModel {
        format: text(m, "format"),
        name,
        version,
        status: text(m, "lifecycleStatus"),
        retirement: m
            .pointer("/deprecation/inference")
            .and_then(Value::as_str)
            .and_then(date_of),
        skus,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn list_items_become_model_versions() {
        let item = json!({"kind": "OpenAI", "skuName": "S0", "model": {
            "format": "OpenAI", "name": "gpt-4.1", "version": "2025-04-14",
            "lifecycleStatus": "GenerallyAvailable",
            "deprecation": {"fineTune": "2026-01-01T00:00:00Z", "inference": "2026-10-14T00:00:00Z"},
            "skus": [
                {"name": "Standard", "deprecationDate": "2026-10-14T00:00:00Z", "capacity": {"default": 10}},
                {"name": "GlobalBatch"}
            ]
        }});
        let m = model(&item).expect("parses").expect("a model");
        assert_eq!(m.name, "gpt-4.1");
        assert_eq!(m.version, "2025-04-14");
        assert_eq!(m.retirement.as_deref(), Some("2026-10-14"));
        assert_eq!(
            m.skus,
            vec![
                ("Standard".to_string(), Some("2026-10-14".to_string())),
                ("GlobalBatch".to_string(), None)
            ]
        );
        assert!(model(&json!({"model": {"name": "x"}}))
            .expect("parses")
            .is_none());
        assert!(model(&json!({"kind": "OpenAI"})).is_err());
        assert!(model(&json!({"model": {"name": "x", "version": "1", "skus": {}}})).is_err());
    }
}
