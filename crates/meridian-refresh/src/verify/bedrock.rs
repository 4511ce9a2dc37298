//! Amazon Bedrock, per region: the foundation models, the system-defined inference profiles
//! and, for the geographic profiles of catalog models, where each may process a call.

use super::{source_of, BedrockModel, Fact, Plan};
use crate::aws::{self, Region};
use crate::azure::url_of;
use crate::http::Ctx;
use crate::ProviderScope;
use reqwest::Method;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Starts reading one AWS provider in each of its regions; false if it cannot be read.
pub(crate) fn start(ctx: &Arc<Ctx>, scope: &ProviderScope, plan: &Arc<Plan>) -> bool {
    aws::start_regions(ctx, scope, |ctx, r| {
        foundation_models(ctx, r) & profiles_page(ctx, r, plan, None, 1)
    })
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// `ListFoundationModels` (one response, not paged).
fn foundation_models(ctx: &Arc<Ctx>, r: &Arc<Region>) -> bool {
    let Some(url) = aws::url_or_record(ctx, r, url_of(&r.base, &["foundation-models"], &[])) else {
        return false;
    };
    let source = source_of(&url);
    let req = r.req(
        Method::GET,
        url,
        None,
        format!("GET foundation models in {}", r.name),
    );
    let r = Arc::clone(r);
    ctx.spawn_fetch(req, move |ctx, body| {
        let mut models = Vec::new();
        for m in aws::items(&body, "modelSummaries")? {
            models.push(BedrockModel {
                id: aws::required(m, "modelId", "foundation model")?.to_owned(),
                inference_types: strings(m.get("inferenceTypesSupported")),
                status: m
                    .pointer("/modelLifecycle/status")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            });
        }
        ctx.push_fact(Fact::BedrockModels {
            provider: r.provider.to_string(),
            region: r.name.clone(),
            source,
            models,
        });
        Ok(())
    });
    true
}

/// One page of `ListInferenceProfiles` filtered to `SYSTEM_DEFINED`; false if its URL cannot
/// be built.
fn profiles_page(
    ctx: &Arc<Ctx>,
    r: &Arc<Region>,
    plan: &Arc<Plan>,
    token: Option<&str>,
    n: usize,
) -> bool {
    let Some(url) = aws::url_or_record(
        ctx,
        r,
        aws::page_url(r, "inference-profiles", token, Some("SYSTEM_DEFINED")),
    ) else {
        return false;
    };
    let list_source = source_of(&url);
    let mut req = r.req(
        Method::GET,
        url,
        None,
        format!("GET system inference profiles in {} (page {n})", r.name),
    );
    // Pages lead to further requests: serve them first.
    req.priority = 2;
    let r = Arc::clone(r);
    let plan = Arc::clone(plan);
    ctx.spawn_fetch(req, move |ctx, body| {
        let mut ids = Vec::new();
        for p in aws::items(&body, "inferenceProfileSummaries")? {
            let id = aws::required(p, "inferenceProfileId", "inference profile")?;
            if p.get("type").and_then(Value::as_str) == Some("APPLICATION") {
                continue;
            }
            ids.push(id.to_owned());
        }
        if let Some(next) = aws::next_token(&body)? {
            if !profiles_page(ctx, &r, &plan, Some(&next), n + 1) {
                return Ok(());
            }
        }
        for id in ids {
            let of_catalog_model = id.split_once('.').is_some_and(|(prefix, model)| {
                prefix != "global" && plan.aws_models.contains(model)
            });
            if of_catalog_model {
                profile(ctx, &r, id)?;
            } else {
                ctx.push_fact(Fact::BedrockProfile {
                    provider: r.provider.to_string(),
                    region: r.name.clone(),
                    source: list_source.clone(),
                    id,
                    destinations: None,
                });
            }
        }
        Ok(())
    });
    true
}

/// `GetInferenceProfile`: the regions of `models[].modelArn` are where a call from this
/// region may be processed.
fn profile(ctx: &Arc<Ctx>, r: &Arc<Region>, id: String) -> Result<(), String> {
    let url = url_of(&r.base, &["inference-profiles", &id], &[])?;
    let source = source_of(&url);
    let req = r.req(
        Method::GET,
        url,
        None,
        format!("GET inference profile {id} in {}", r.name),
    );
    let r = Arc::clone(r);
    ctx.spawn_fetch(req, move |ctx, body| {
        let mut destinations = BTreeSet::new();
        for m in aws::items(&body, "models")? {
            let arn = aws::required(m, "modelArn", "inference profile model")?;
            let region = arn
                .split(':')
                .nth(3)
                .filter(|region| !region.is_empty())
                .ok_or_else(|| {
                    format!("inference profile {id}: model ARN {arn:?} names no region")
                })?;
            destinations.insert(region.to_owned());
        }
        if destinations.is_empty() {
            return Err(format!("inference profile {id} lists no models"));
        }
        ctx.push_fact(Fact::BedrockProfile {
            provider: r.provider.to_string(),
            region: r.name.clone(),
            source,
            id,
            destinations: Some(destinations),
        });
        Ok(())
    });
    Ok(())
}
