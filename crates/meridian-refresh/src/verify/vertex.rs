//! Vertex AI, per location: whether each catalog model is offered there
//! (`publishers.models.get` at the location's endpoint).

use super::{source_of, Fact, Plan};
use crate::azure::url_of;
use crate::gcp::{base_url, Api, Gcp};
use crate::http::{Auth, Ctx};
use crate::{ErrorKind, ProviderScope};
use meridian_catalog::vertex_publisher;
use reqwest::Method;
use serde_json::Value;
use std::sync::Arc;

/// Starts asking one GCP provider's locations for each catalog model; false if it cannot be
/// read.
pub(crate) fn start(ctx: &Arc<Ctx>, scope: &ProviderScope, plan: &Arc<Plan>) -> bool {
    let Some(bearer) = ctx.bearer(scope) else {
        return false;
    };
    let g = Arc::new(Gcp {
        provider: Arc::from(scope.address.as_str()),
        project: scope.project.clone().unwrap_or_default(),
        auth: Arc::new(Auth::Bearer(bearer)),
    });
    let mut ok = true;
    for location in &scope.regions {
        let base = base_url(
            scope,
            ctx.creds.gcp_endpoint.as_deref(),
            Api::AiPlatform,
            location,
        );
        for model in &plan.gcp_models {
            let url = match url_of(
                &base,
                &[
                    "v1beta1",
                    "publishers",
                    vertex_publisher(model),
                    "models",
                    model,
                ],
                &[],
            ) {
                Ok(u) => u,
                Err(reason) => {
                    ctx.scope_error(scope, ErrorKind::Connect, reason);
                    ok = false;
                    break;
                }
            };
            let source = source_of(&url);
            let mut req = g.req(
                Method::GET,
                url,
                Some(location.clone()),
                None,
                format!("GET publisher model {model} in {location}"),
            );
            req.absent_if_not_found = true;
            let provider = g.provider.to_string();
            let region = location.clone();
            let model = model.clone();
            ctx.spawn_fetch(req, move |ctx, body| {
                let (found, launch_stage) = match &body {
                    Value::Null => (false, None),
                    b if b.get("name").and_then(Value::as_str).is_some() => (
                        true,
                        b.get("launchStage")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                    ),
                    _ => return Err("response has no \"name\"".into()),
                };
                ctx.push_fact(Fact::VertexModel {
                    provider,
                    region,
                    source,
                    model,
                    found,
                    launch_stage,
                });
                Ok(())
            });
        }
    }
    ok
}
