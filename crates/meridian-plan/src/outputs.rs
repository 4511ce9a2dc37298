//! Meridian's outputs: what a pipeline reads after `meridian apply`, from the state alone
//! (as `terraform output` reads Terraform's), so they say what was applied, not what the
//! spec says now. The spec language has no `output` block: the outputs are fixed.
//!
//! - `models` — per model, the name callers ask the router for and, per tier (in failover
//!   order), each target: its cloud, region and provider model, the resource that serves it
//!   and what a client calls there (the Azure deployment name and endpoint, the Bedrock
//!   inference profile or provisioned model name, the Vertex AI model), with the serving
//!   resource's rollout status.
//! - `artifacts` — per emit block, its format and the files last written.
//!
//! `meridian output -json` prints them in the shape of `terraform output -json`
//! (`{"NAME": {"sensitive": false, "value": …}}`); the JSON Schema is committed as
//! `schema/output.schema.json`.

use meridian_graph::as_reference;
use meridian_state::{State, StateResource};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The names of the outputs, in the order they are printed.
pub const OUTPUT_NAMES: &[&str] = &["artifacts", "models"];

/// Every output, as `terraform output -json` shapes them.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(title = "Meridian outputs")]
pub struct Outputs {
    pub artifacts: OutputValue<Vec<EmitOutput>>,
    pub models: OutputValue<BTreeMap<String, ModelOutput>>,
}

/// One output: never sensitive (no secret is ever in state).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(rename = "Output_of_{T}")]
pub struct OutputValue<T> {
    pub sensitive: bool,
    pub value: T,
}

/// The files of one emit block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct EmitOutput {
    /// The emit block's path, relative to the spec directory.
    pub path: String,
    /// `terraform`, `pulumi` or `litellm`.
    pub format: String,
    /// The files last written, relative to the spec directory, sorted.
    pub files: Vec<String>,
}

/// One model as callers reach it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ModelOutput {
    /// The model name callers ask the router for (the `model` of a request): the spec's
    /// model name.
    pub router_model: String,
    /// The tiers in failover order.
    pub tiers: Vec<TierOutput>,
}

/// One failover tier.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TierOutput {
    /// 1 is tried first.
    pub order: u64,
    pub targets: Vec<TargetOutput>,
}

/// One target of a tier.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TargetOutput {
    /// The target's name in the spec.
    pub target: String,
    /// `aws`, `azure` or `gcp`.
    pub cloud: String,
    /// The region (or Vertex AI location) it is called in.
    pub region: String,
    /// The provider's model id.
    pub model: String,
    /// Its share of the tier's traffic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<Value>,
    /// The address of the resource that serves it.
    pub resource: String,
    /// What a client calls: the Azure deployment name, the Bedrock inference profile or
    /// provisioned model name, the Vertex AI model id.
    pub deployment: String,
    /// The Azure OpenAI endpoint of the deployment's account; absent elsewhere (Bedrock
    /// and Vertex AI are called at their regional endpoints, and a Bedrock profile's ARN is
    /// an output of the generated IaC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The serving resource's rollout status as the state records it (`pending-create`,
    /// `pending-update`, `live`, `drifted`, `not-read`, `not-observable`).
    pub status: String,
}

impl Outputs {
    /// Each output's name and value, in [`OUTPUT_NAMES`] order.
    pub fn values(&self) -> Vec<(&'static str, Value)> {
        vec![
            (
                "artifacts",
                serde_json::to_value(&self.artifacts.value).unwrap_or_default(),
            ),
            (
                "models",
                serde_json::to_value(&self.models.value).unwrap_or_default(),
            ),
        ]
    }
}

fn text(r: &StateResource, attr: &str) -> Option<String> {
    r.attributes
        .get(attr)
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The Azure OpenAI endpoint of the account a deployment record refers to.
fn azure_endpoint(state: &State, deployment: &StateResource) -> Option<String> {
    let (account, _) = deployment
        .attributes
        .get("cognitive_account_id")
        .and_then(as_reference)?;
    let account = state.resource(&account.to_string())?;
    let subdomain = text(account, "custom_subdomain_name").unwrap_or_else(|| account.name.clone());
    Some(format!("https://{subdomain}.openai.azure.com/"))
}

/// The outputs of `state`.
pub fn outputs(state: &State) -> Outputs {
    let artifacts = state
        .emits
        .iter()
        .map(|(path, e)| EmitOutput {
            path: path.clone(),
            format: e.format.clone(),
            files: state
                .artifacts
                .iter()
                .filter(|(_, a)| a.emit.as_deref() == Some(path.as_str()))
                .map(|(f, _)| f.clone())
                .collect(),
        })
        .collect();
    let mut models: BTreeMap<String, BTreeMap<u64, Vec<TargetOutput>>> = BTreeMap::new();
    for entry in state
        .resources
        .iter()
        .filter(|r| r.kind == "router_deployment")
    {
        let Some(group) = text(entry, "model_group") else {
            continue;
        };
        let serving = text(entry, "serves_with").unwrap_or_default();
        let served = state.resource(&serving);
        let deployment = served.map_or_else(String::new, |s| match s.kind.as_str() {
            "gcp_service" => text(entry, "model").unwrap_or_default(),
            _ => s.name.clone(),
        });
        let endpoint = served
            .filter(|s| s.kind == "azure_deployment")
            .and_then(|s| azure_endpoint(state, s));
        let target = entry
            .address
            .rsplit_once(".deployment.")
            .map_or_else(|| entry.name.clone(), |(_, t)| t.to_string());
        let order = entry
            .attributes
            .get("order")
            .and_then(Value::as_u64)
            .unwrap_or(1);
        models
            .entry(group)
            .or_default()
            .entry(order)
            .or_default()
            .push(TargetOutput {
                target,
                cloud: text(entry, "cloud").unwrap_or_default(),
                region: text(entry, "region").unwrap_or_default(),
                model: text(entry, "model").unwrap_or_default(),
                weight: entry.attributes.get("weight").cloned(),
                resource: serving,
                deployment,
                endpoint,
                status: served
                    .map_or("not-read", |s| s.status().as_str())
                    .to_string(),
            });
    }
    let models = models
        .into_iter()
        .map(|(name, tiers)| {
            (
                name.clone(),
                ModelOutput {
                    router_model: name,
                    tiers: tiers
                        .into_iter()
                        .map(|(order, targets)| TierOutput { order, targets })
                        .collect(),
                },
            )
        })
        .collect();
    Outputs {
        artifacts: OutputValue {
            sensitive: false,
            value: artifacts,
        },
        models: OutputValue {
            sensitive: false,
            value: models,
        },
    }
}

/// The JSON Schema of `meridian output -json`, as committed in `schema/output.schema.json`.
pub fn output_schema_json() -> String {
    let schema = schemars::schema_for!(Outputs);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
