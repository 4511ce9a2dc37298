//! The LiteLLM emitter: a proxy `config.yaml` (checked against litellm 1.108.7) with one model
//! group per spec model and one deployment per target.
//!
//! How the spec maps onto LiteLLM:
//! - **Deployments.** Azure targets call their deployment (`azure/<deployment>`) on the
//!   account's custom subdomain with the Azure OpenAI v1 API; Bedrock targets call the
//!   application inference profile or provisioned throughput Meridian creates for them, whose ARN
//!   exists only after apply and is therefore read from `os.environ/MERIDIAN_<MODEL>_<TARGET>_ARN`
//!   (see [`arn_env_vars`]); Vertex AI targets call the model on the endpoint their processing
//!   scope implies (`global`, the `eu`/`us` multi-region or the region).
//! - **Tiers and weights.** `order` is the tier position (one order for `weighted` models) and
//!   every deployment carries a `weight`: LiteLLM gives no traffic to a deployment without one
//!   when others in its group have one.
//! - **Strategies.** `priority` and `weighted` are LiteLLM's `simple-shuffle`, `cost` is
//!   `cost-based-routing` (with the catalog's list prices per token), `latency` is
//!   `latency-based-routing`. LiteLLM has one router-wide strategy; when models need different
//!   ones, the others are given per model through `routing_groups`.
//! - **Failover.** Tiers are `order` levels of the model's group: litellm 1.108.7 falls back
//!   through a group's order levels by itself ("order-based fallbacks", before any `fallbacks`
//!   entry) on every error except context-window and content-policy errors. No `fallbacks`
//!   entry is written: one naming the model's later tiers would try them a second time, and
//!   LiteLLM hands context-window and content-policy errors without a dedicated list to
//!   `fallbacks`, which would fail over on errors the spec's `on` does not list. For models
//!   whose failover covers those two, each failover tier is also published as a group
//!   `<model>@<tier>` holding copies of its targets, and the model's
//!   `context_window_fallbacks`/`content_policy_fallbacks` name those groups, so traffic never
//!   leaves the model's own targets (and so its residency rule). Every fallback is checked to
//!   name a group of the file. `enable_pre_call_checks` also skips a deployment whose context
//!   window (LiteLLM's model data; Azure deployments name their `base_model`) cannot hold the
//!   prompt. `retries` become a `retry_policy` (the listed failures retried that often, others
//!   not) and an `allowed_fails_policy` (a deployment cools down for `cooldown` after more than
//!   `retries` listed failures a minute; content-filter and context-window errors never cool a
//!   deployment down): router-wide when the spec's failover blocks agree, else per model group
//!   (`model_group_retry_policy`) and per deployment (`model_info.allowed_fails_policy`).
//!   `timeout` and `cooldown` are router-wide (the largest of the blocks), and set on a
//!   deployment only where its model's differ.
//! - **Reader's metadata.** Each model's strategy, task, residency rule and failover are a
//!   comment written once above its deployments, each deployment's tier, cloud, region,
//!   processing and footprint a comment above it. `model_info` keeps what LiteLLM or its callers
//!   use: the stable `id` (the target's address), `base_model`, the model's `description`
//!   (shown by the proxy's model info) and the per-deployment failover settings.
//! - **Credentials.** None: Azure uses Entra ID tokens (`enable_azure_ad_token_refresh`), AWS
//!   its default credential chain, Vertex AI Application Default Credentials. The proxy's admin
//!   key is an environment reference. The header lists every variable the file reads.

use crate::{object, Artifact, EmitContext, EmitError, Emitter, LocalNames};
use meridian_catalog::{Billing, Catalog, Cloud, Price, Processing};
use meridian_graph::{as_reference, Address, Graph, Kind, Resource};
use meridian_model::ir::{
    EmitFormat, FailoverOn, Model, Project, Provider, Strategy, Target, Tier,
};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The template, by name under `templates/`.
const TEMPLATE: &str = "litellm/config.yaml.tera";

/// Built-in templates of this format: (name under templates/, text).
pub(crate) const TEMPLATES: &[(&str, &str)] = &[(
    TEMPLATE,
    include_str!("../../../templates/litellm/config.yaml.tera"),
)];

/// The LiteLLM release the output is checked against.
const LITELLM_VERSION: &str = "1.108.7";

/// Azure OpenAI's versionless v1 API (`/openai/v1/`): serves every current model without
/// pinning a dated `api-version`.
const AZURE_API_VERSION: &str = "v1";

/// The proxy's admin key.
const MASTER_KEY_VAR: &str = "LITELLM_MASTER_KEY";

pub(crate) struct LitellmEmitter;

impl Emitter for LitellmEmitter {
    fn format(&self) -> EmitFormat {
        EmitFormat::Litellm
    }

    fn render(&self, ctx: &EmitContext<'_>) -> Result<Vec<Artifact>, EmitError> {
        let context = context(ctx.project, ctx.graph, ctx.spec_files, ctx.locals)?;
        // Bytes to reserve: deployments take about 1.3 KB each, and there are fewer of them
        // than resources in the graph (each target has a router entry and a serving resource).
        let size = ctx.graph.len().saturating_mul(2048);
        let content = ctx.render_template(TEMPLATE, context, size)?;
        Ok(vec![Artifact {
            path: PathBuf::from(&ctx.emit.path),
            content,
        }])
    }
}

/// The environment variable that holds the ARN a Bedrock target is called through (its
/// application inference profile or provisioned throughput), for every AWS target, by target
/// address: `MERIDIAN_<MODEL>_<TARGET>_ARN`, upper case, other characters as `_`. Where two
/// targets would get the same name, both get a hash of their address before `_ARN`.
pub(crate) fn arn_env_vars(project: &Project) -> BTreeMap<String, String> {
    let mut by_name: BTreeMap<String, Vec<&Target>> = BTreeMap::new();
    for model in &project.models {
        for t in model.tiers.iter().flat_map(|tier| &tier.targets) {
            if t.cloud == Cloud::Aws {
                let base = format!("MERIDIAN_{}_{}", env_part(&model.name), env_part(&t.name));
                by_name.entry(base).or_default().push(t);
            }
        }
    }
    let mut out = BTreeMap::new();
    for (base, targets) in by_name {
        let unique = targets.len() == 1;
        for t in targets {
            let name = if unique {
                format!("{base}_ARN")
            } else {
                let hash = meridian_graph::names::short_hash(&t.address).to_ascii_uppercase();
                format!("{base}_{hash}_ARN")
            };
            out.insert(t.address.clone(), name);
        }
    }
    out
}

fn env_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The LiteLLM routing strategy of a spec strategy.
fn litellm_strategy(s: Strategy) -> &'static str {
    match s {
        Strategy::Priority | Strategy::Weighted => "simple-shuffle",
        Strategy::Cost => "cost-based-routing",
        Strategy::Latency => "latency-based-routing",
    }
}

/// The routing group that gives models a strategy other than the router-wide one. The `:`
/// cannot occur in model names, so the group never shadows a model.
fn routing_group_name(strategy: &str) -> String {
    format!("meridian:{}", strategy.trim_end_matches("-routing"))
}

/// The group that holds copies of one failover tier's targets. `@` cannot occur in model or
/// tier names, so the group never shadows a model.
fn failover_group(model: &Model, tier: &Tier) -> String {
    format!("{}@{}", model.name, tier.name)
}

/// A setting or parameter: `{k, v}`, flagged `float` when YAML would not read the number back
/// as one (see [`needs_float_tag`]).
fn kv(k: &str, v: Value) -> Value {
    let float = v.as_f64().is_some_and(|f| v.is_f64() && needs_float_tag(f));
    entry(k, "v", v, float)
}

/// Whether a float needs a `!!float` tag: YAML 1.1 (PyYAML, which LiteLLM uses) reads a number
/// without a dot, or with an exponent, as a string, and serde prints `0.000003` as `3e-6`.
fn needs_float_tag(value: f64) -> bool {
    let text = serde_json::Number::from_f64(value).map_or_else(String::new, |n| n.to_string());
    !text.contains('.') || text.contains(['e', 'E'])
}

fn kv_map(k: &str, entries: Vec<Value>) -> Value {
    entry(k, "map", Value::Array(entries), false)
}

fn kv_list(k: &str, items: Vec<Value>) -> Value {
    entry(k, "list", Value::Array(items), false)
}

fn entry(k: &str, slot: &str, v: Value, float: bool) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("k".into(), Value::String(k.to_string()));
    m.insert(slot.into(), v);
    m.insert("float".into(), Value::Bool(float));
    Value::Object(m)
}

/// One environment variable the file reads, with what it must hold.
struct EnvVar {
    name: String,
    what: String,
}

/// A model as the template prints it: the comment written once above its deployments, what
/// every deployment of its groups shares, and the deployments (its targets, then the failover
/// copies).
struct ModelView<'a> {
    /// Comment lines: strategy, task, residency rule.
    about: Vec<String>,
    description: Option<&'a str>,
    /// Set per deployment only where the model's value differs from the router-wide one.
    timeout: Option<Seconds>,
    cooldown: Option<Seconds>,
    /// Set per deployment only where the failover blocks of the spec differ from one another.
    allowed_fails_policy: Option<Value>,
    deployments: Vec<Value>,
}

/// Inserts `value` under `key` when there is one (absent values are not defined).
fn insert_some(map: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(v) = value {
        map.insert(key.into(), v.into());
    }
}

impl ModelView<'_> {
    /// The template data, deployments moved in.
    fn into_json(self) -> Value {
        let mut m = Map::new();
        m.insert(
            "about".into(),
            Value::Array(self.about.into_iter().map(Value::String).collect()),
        );
        insert_some(&mut m, "description", self.description);
        insert_some(&mut m, "timeout", self.timeout.map(Seconds::to_json));
        insert_some(&mut m, "cooldown", self.cooldown.map(Seconds::to_json));
        insert_some(&mut m, "allowed_fails_policy", self.allowed_fails_policy);
        m.insert("deployments".into(), Value::Array(self.deployments));
        Value::Object(m)
    }
}

/// The comment lines above a model's deployments: what the model is for and the rules its
/// routing keeps (written once, not on every deployment).
fn model_about(model: &Model, residency: Option<&meridian_model::ir::Residency>) -> Vec<String> {
    let mut first = format!(
        "model {}: strategy {}, {} tier{}",
        model.name,
        strategy_name(model.strategy),
        model.tiers.len(),
        if model.tiers.len() == 1 { "" } else { "s" }
    );
    if let Some(task) = &model.task {
        first.push_str(&format!("; task: {task}"));
    }
    let mut lines = vec![first];
    if let Some(r) = residency {
        lines.push(format!(
            "residency {}: processing {} at most, in {}",
            r.name,
            r.processing.as_str(),
            countries_text(&r.allowed_countries)
        ));
    }
    if let Some(f) = &model.failover {
        let on: Vec<&str> = f.on.iter().map(|x| failover_on_name(*x)).collect();
        let mut line = format!("failover on {}", on.join(", "));
        if let Some(r) = f.retries {
            line.push_str(&format!("; {r} retr{}", if r == 1 { "y" } else { "ies" }));
        }
        lines.push(line);
    }
    lines
}

/// A list of country codes, or how many there are when the list is long.
fn countries_text(countries: &[String]) -> String {
    const MAX: usize = 8;
    match countries.len() {
        0 => "no country".to_string(),
        n if n <= MAX => countries.join(" "),
        n => format!("{n} countries"),
    }
}

/// The name a strategy has in the spec (and in the template data).
fn strategy_name(s: Strategy) -> &'static str {
    match s {
        Strategy::Priority => "priority",
        Strategy::Weighted => "weighted",
        Strategy::Cost => "cost",
        Strategy::Latency => "latency",
    }
}

/// A duration in seconds, `tag`ged when it needs a `!!float` tag.
#[derive(Clone, Copy)]
struct Seconds {
    value: f64,
    tag: bool,
}

impl Seconds {
    fn new(value: f64) -> Seconds {
        Seconds {
            value,
            tag: needs_float_tag(value),
        }
    }

    fn to_json(self) -> Value {
        object([
            ("value", Value::from(self.value)),
            ("tag", Value::Bool(self.tag)),
        ])
    }
}

/// One deployment: a target, or its copy in a failover group.
#[derive(Clone)]
struct DeploymentView {
    group: String,
    comment: String,
    id: String,
    provider: ProviderParams,
    order: u32,
    weight: u64,
    region_name: Option<&'static str>,
    /// List prices per token (cost routing); always printed with a `!!float` tag.
    input_cost_per_token: Option<f64>,
    output_cost_per_token: Option<f64>,
    base_model: Option<String>,
    cloud: &'static str,
}

impl DeploymentView {
    /// The template data (the provider parameters alongside the other fields), moved in.
    fn into_json(self) -> Value {
        let mut m = Map::new();
        m.insert("group".into(), Value::String(self.group));
        m.insert("comment".into(), Value::String(self.comment));
        m.insert("id".into(), Value::String(self.id));
        let p = self.provider;
        m.insert("model".into(), Value::String(p.model));
        insert_some(&mut m, "api_base", p.api_base);
        insert_some(&mut m, "api_version", p.api_version);
        insert_some(&mut m, "model_id", p.model_id);
        insert_some(&mut m, "aws_region_name", p.aws_region_name);
        insert_some(&mut m, "vertex_project", p.vertex_project);
        insert_some(&mut m, "vertex_location", p.vertex_location);
        insert_some(&mut m, "tpm", p.tpm);
        m.insert("order".into(), Value::from(self.order));
        m.insert("weight".into(), Value::from(self.weight));
        insert_some(&mut m, "region_name", self.region_name);
        insert_some(&mut m, "input_cost_per_token", self.input_cost_per_token);
        insert_some(&mut m, "output_cost_per_token", self.output_cost_per_token);
        insert_some(&mut m, "base_model", self.base_model);
        m.insert("cloud".into(), Value::from(self.cloud));
        Value::Object(m)
    }
}

/// How LiteLLM calls a target's provider.
#[derive(Clone, Default)]
struct ProviderParams {
    model: String,
    api_base: Option<String>,
    api_version: Option<&'static str>,
    model_id: Option<String>,
    aws_region_name: Option<String>,
    vertex_project: Option<String>,
    vertex_location: Option<String>,
    tpm: Option<u64>,
}

/// The geographies LiteLLM has a residency hint (`region_name`) for, with the countries of each
/// in the built-in catalog, sorted for lookups.
struct RegionHints(Vec<(&'static str, Vec<&'static str>)>);

impl RegionHints {
    fn new() -> RegionHints {
        RegionHints(
            ["eu", "us"]
                .into_iter()
                .filter_map(|code| {
                    let g = Catalog::builtin().geography(code)?;
                    let mut countries: Vec<&'static str> =
                        g.countries.iter().map(String::as_str).collect();
                    countries.sort_unstable();
                    Some((code, countries))
                })
                .collect(),
        )
    }

    /// LiteLLM's residency hint for a target: `eu` or `us` when every country it may process
    /// in lies inside the EU or the US.
    fn of(&self, t: &Target) -> Option<&'static str> {
        let countries = &t.footprint.countries;
        if countries.is_empty() {
            return None;
        }
        self.0
            .iter()
            .find(|(_, inside)| {
                countries
                    .iter()
                    .all(|c| inside.binary_search(&c.as_str()).is_ok())
            })
            .map(|(code, _)| *code)
    }
}

/// The catalog's list price for a target: its processing mode's, else the closest mode's.
fn list_price(t: &Target) -> Option<&'static Price> {
    let model = Catalog::builtin().model(t.cloud, &t.model)?;
    model.price(t.processing).or_else(|| {
        [
            Processing::Global,
            Processing::Geography,
            Processing::Region,
        ]
        .into_iter()
        .find_map(|mode| model.price(mode))
    })
}

/// Reads everything the config needs from the graph for one target.
struct Lookup<'a> {
    project: &'a Project,
    graph: &'a Graph,
    arn_vars: BTreeMap<String, String>,
    /// Local resource names, as the Terraform and Pulumi emitters name their outputs.
    local_names: &'a LocalNames<'a>,
    /// The generated programs that export the ARNs (`Terraform`, `Pulumi`), if any.
    outputs: Option<String>,
}

impl Lookup<'_> {
    fn resource(&self, address: &Address, for_target: &Target) -> Result<&Resource, EmitError> {
        self.graph.get(address).ok_or_else(|| {
            EmitError::Unsupported(format!(
                "{}: the resource graph has no {address}",
                for_target.address
            ))
        })
    }

    /// The resource that serves a target (its router entry's `serves_with`).
    fn serving(&self, model: &Model, t: &Target) -> Result<&Resource, EmitError> {
        let entry = self.resource(
            &Address::new(
                format!("router.{}", model.name),
                Kind::RouterDeployment.address_kind(),
                &t.name,
            ),
            t,
        )?;
        let serves: Address = entry
            .attrs
            .get("serves_with")
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                EmitError::Unsupported(format!(
                    "{}: router entry without a serving resource",
                    t.address
                ))
            })?;
        self.resource(&serves, t)
    }

    fn provider(&self, t: &Target) -> Result<&Provider, EmitError> {
        self.project
            .providers
            .iter()
            .find(|p| p.address == t.provider)
            .ok_or_else(|| {
                EmitError::Unsupported(format!("{}: unknown provider {}", t.address, t.provider))
            })
    }

    /// The provider parameters of a target: prefix and model, endpoint, region, limits.
    fn provider_params(
        &self,
        model: &Model,
        t: &Target,
        env: &mut Vec<EnvVar>,
    ) -> Result<ProviderParams, EmitError> {
        let serving = self.serving(model, t)?;
        Ok(match t.cloud {
            Cloud::Azure => {
                if serving.kind != Kind::AzureDeployment {
                    return Err(EmitError::Unsupported(format!(
                        "{}: served by {} instead of an Azure deployment",
                        t.address, serving.address
                    )));
                }
                let account = serving
                    .attrs
                    .get("cognitive_account_id")
                    .and_then(as_reference)
                    .map(|(addr, _)| addr)
                    .ok_or_else(|| {
                        EmitError::Unsupported(format!(
                            "{}: Azure deployment without an account",
                            t.address
                        ))
                    })?;
                let account = self.resource(&account, t)?;
                let subdomain = account
                    .attrs
                    .get("custom_subdomain_name")
                    .and_then(Value::as_str)
                    .unwrap_or(&account.name);
                ProviderParams {
                    model: format!("azure/{}", serving.name),
                    api_base: Some(format!("https://{subdomain}.openai.azure.com/")),
                    api_version: Some(AZURE_API_VERSION),
                    // Capacity is in thousands of tokens per minute for pay-as-you-go
                    // deployments; provisioned capacity counts PTUs, whose throughput depends
                    // on the model.
                    tpm: match (t.billing, t.capacity) {
                        (Billing::OnDemand, Some(capacity)) => Some(capacity.saturating_mul(1000)),
                        _ => None,
                    },
                    ..ProviderParams::default()
                }
            }
            Cloud::Aws => {
                let var = self.arn_vars.get(&t.address).cloned().ok_or_else(|| {
                    EmitError::Unsupported(format!(
                        "{}: no ARN variable for the Bedrock target",
                        t.address
                    ))
                })?;
                let what = match serving.kind {
                    Kind::AwsProvisionedThroughput => "provisioned throughput",
                    _ => "application inference profile",
                };
                // The generated Terraform and Pulumi programs export the ARN under the
                // resource's local name.
                let output = match (&self.outputs, self.local_names.get(&serving.address)) {
                    (Some(programs), Some(local)) => format!("; {programs} output {local}_arn"),
                    _ => String::new(),
                };
                env.push(EnvVar {
                    name: var.clone(),
                    what: format!(
                        "ARN of the Bedrock {what} {} ({}){output}",
                        serving.name, t.region
                    ),
                });
                // The profile id names the model family for LiteLLM (cost map, parameters);
                // the call itself goes to the ARN in `model_id`.
                let base = match (t.processing, t.billing, &t.footprint.via) {
                    (
                        Processing::Geography | Processing::Global,
                        Billing::OnDemand,
                        Some(profile),
                    ) => profile.as_str(),
                    _ => t.model.as_str(),
                };
                ProviderParams {
                    model: format!("bedrock/converse/{base}"),
                    model_id: Some(format!("os.environ/{var}")),
                    aws_region_name: Some(t.region.clone()),
                    ..ProviderParams::default()
                }
            }
            Cloud::Gcp => {
                let p = self.provider(t)?;
                let project = p.project.clone().or_else(|| {
                    serving
                        .attrs
                        .get("project")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                });
                let location = t.vertex_location();
                ProviderParams {
                    model: format!("vertex_ai/{}", t.model),
                    vertex_project: project,
                    vertex_location: Some(location),
                    ..ProviderParams::default()
                }
            }
        })
    }
}

/// The retry policy of a model's failover block (LiteLLM's `RetryPolicy`): its retries for the
/// failures it lists, none for the others (context-window and content-policy errors go to the
/// failover groups instead).
fn retry_policy(model: &Model) -> Option<Value> {
    let f = model.failover.as_ref()?;
    let retries = f.retries?;
    let on = |x: FailoverOn| if f.on.contains(&x) { retries } else { 0 };
    Some(json!({
        "RateLimitErrorRetries": on(FailoverOn::RateLimit),
        "InternalServerErrorRetries": on(FailoverOn::ServerError),
        "ServiceUnavailableErrorRetries": on(FailoverOn::ServerError),
        "TimeoutErrorRetries": on(FailoverOn::Timeout),
        "ContentPolicyViolationErrorRetries": 0,
        "BadRequestErrorRetries": 0,
        "AuthenticationErrorRetries": 0,
        "NotFoundErrorRetries": 0,
    }))
}

/// The allowed-fails policy of a model's failover block (LiteLLM's `AllowedFailsPolicy`): a
/// deployment is cooled down after more than `retries` failures a minute of a kind the block
/// lists. Rate limits, server errors and timeouts say something about the deployment; content
/// filtering and context-window errors are about the request and never cool one down.
fn allowed_fails_policy(model: &Model) -> Option<Value> {
    let f = model.failover.as_ref()?;
    let retries = f.retries?;
    let mut policy = Map::new();
    for on in &f.on {
        let keys: &[&str] = match on {
            FailoverOn::RateLimit => &["RateLimitErrorAllowedFails"],
            FailoverOn::ServerError => &[
                "InternalServerErrorAllowedFails",
                "ServiceUnavailableErrorAllowedFails",
                "BadGatewayErrorAllowedFails",
            ],
            FailoverOn::Timeout => &["TimeoutErrorAllowedFails"],
            FailoverOn::ContentFilter | FailoverOn::ContextWindow => &[],
        };
        for k in keys {
            policy.insert((*k).to_string(), Value::from(retries));
        }
    }
    (!policy.is_empty()).then_some(Value::Object(policy))
}

/// The name a failover condition has in the spec.
fn failover_on_name(on: FailoverOn) -> &'static str {
    match on {
        FailoverOn::RateLimit => "rate_limit",
        FailoverOn::ServerError => "server_error",
        FailoverOn::Timeout => "timeout",
        FailoverOn::ContentFilter => "content_filter",
        FailoverOn::ContextWindow => "context_window",
    }
}

/// Whether a model gets failover groups: its failover covers errors LiteLLM does not fail over
/// on by `order`, and it has tiers to fail over to.
fn needs_failover_groups(model: &Model) -> bool {
    model.strategy != Strategy::Weighted
        && model.tiers.len() > 1
        && model.failover.as_ref().is_some_and(|f| {
            f.on.contains(&FailoverOn::ContextWindow) || f.on.contains(&FailoverOn::ContentFilter)
        })
}

/// A model's retry and allowed-fails policies (LiteLLM's `RetryPolicy`, `AllowedFailsPolicy`).
type Policies = (Option<Value>, Option<Value>);

/// The policies most models have (the first model's on a tie), among models that have any.
fn most_common(policies: &[Policies]) -> Option<Policies> {
    let mut counted: Vec<(&Policies, usize)> = Vec::new();
    for p in policies.iter().filter(|(r, a)| r.is_some() || a.is_some()) {
        match counted.iter_mut().find(|(q, _)| *q == p) {
            Some((_, n)) => *n += 1,
            None => counted.push((p, 1)),
        }
    }
    let mut best: Option<(&Policies, usize)> = None;
    for (p, n) in counted {
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((p, n));
        }
    }
    best.map(|(p, _)| p.clone())
}

/// The entries of a JSON object as settings `{k, v}`.
fn map_entries(v: Value) -> Vec<Value> {
    match v {
        Value::Object(m) => m.into_iter().map(|(k, v)| kv(&k, v)).collect(),
        _ => Vec::new(),
    }
}

fn f64_max(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// The template context of one config file.
fn context(
    project: &Project,
    graph: &Graph,
    spec_files: &[String],
    local_names: &LocalNames<'_>,
) -> Result<Value, EmitError> {
    let programs: Vec<&str> = [
        (EmitFormat::Terraform, "Terraform"),
        (EmitFormat::Pulumi, "Pulumi"),
    ]
    .into_iter()
    .filter(|(f, _)| project.emits.iter().any(|e| e.format == *f))
    .map(|(_, name)| name)
    .collect();
    let lookup = Lookup {
        project,
        graph,
        arn_vars: arn_env_vars(project),
        local_names,
        outputs: (!programs.is_empty()).then(|| programs.join("/")),
    };
    let mut env: Vec<EnvVar> = vec![EnvVar {
        name: MASTER_KEY_VAR.into(),
        what: "admin key of the proxy (callers use virtual keys made with it)".into(),
    }];
    let hints = RegionHints::new();
    // Router-wide settings: the largest of the failover blocks' values, so a deployment states
    // its own only where its model's differ.
    let failovers: Vec<_> = project
        .models
        .iter()
        .filter_map(|m| m.failover.as_ref())
        .collect();
    let router_retries = failovers.iter().filter_map(|f| f.retries).max();
    let router_timeout = failovers
        .iter()
        .map(|f| f.timeout_seconds)
        .fold(None, f64_max);
    let router_cooldown = failovers
        .iter()
        .map(|f| f.cooldown_seconds)
        .fold(None, f64_max);
    // The retry and allowed-fails policies of the failover blocks: the one most models have is
    // router-wide (the first model's on a tie); models with another one get theirs per model
    // group and per deployment.
    let policies: Vec<Policies> = project
        .models
        .iter()
        .map(|m| (retry_policy(m), allowed_fails_policy(m)))
        .collect();
    let shared_policy = most_common(&policies);
    let mut models: Vec<ModelView<'_>> = Vec::with_capacity(project.models.len());
    let mut known: BTreeSet<String> = BTreeSet::new();
    let mut retry_policies: Vec<Value> = Vec::new();
    let mut context_fallbacks: Vec<Value> = Vec::new();
    let mut content_fallbacks: Vec<Value> = Vec::new();
    // Group names by LiteLLM strategy, for routing groups.
    let mut by_strategy: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();

    for (model, (retry, allowed)) in project.models.iter().zip(policies) {
        let failover = model.failover.as_ref();
        let with_groups = needs_failover_groups(model);
        let mut groups = vec![model.name.clone()];
        let mut deployments = Vec::new();
        let mut copies = Vec::new();
        for tier in &model.tiers {
            let copy_group =
                (with_groups && tier.position > 1).then(|| failover_group(model, tier));
            if let Some(g) = &copy_group {
                groups.push(g.clone());
            }
            for t in &tier.targets {
                let price = (model.strategy == Strategy::Cost)
                    .then(|| list_price(t))
                    .flatten();
                let d = DeploymentView {
                    group: model.name.clone(),
                    comment: format!(
                        "tier {} {} · {} ({} {}, processing {}; prompts processed in {})",
                        tier.position,
                        tier.name,
                        t.name,
                        t.cloud.as_str(),
                        t.region,
                        t.processing.as_str(),
                        countries_text(&t.footprint.countries)
                    ),
                    id: t.address.clone(),
                    provider: lookup.provider_params(model, t, &mut env)?,
                    order: if model.strategy == Strategy::Weighted {
                        1
                    } else {
                        tier.position
                    },
                    weight: t.weight,
                    region_name: hints.of(t),
                    input_cost_per_token: price.map(|p| p.input_per_1m / 1_000_000.0),
                    output_cost_per_token: price.map(|p| p.output_per_1m / 1_000_000.0),
                    // An Azure deployment name says nothing about its model: LiteLLM needs the
                    // base model for context-window checks and cost tracking.
                    base_model: (t.cloud == Cloud::Azure).then(|| format!("azure/{}", t.model)),
                    cloud: t.cloud.as_str(),
                };
                if let Some(g) = &copy_group {
                    let mut copy = d.clone();
                    copy.group.clone_from(g);
                    copy.id = format!("{}@failover", t.address);
                    copy.comment.push_str(" · failover copy");
                    copies.push(copy.into_json());
                }
                deployments.push(d.into_json());
            }
        }
        deployments.extend(copies);
        let own_policy = (retry.is_some() || allowed.is_some())
            && shared_policy.as_ref() != Some(&(retry.clone(), allowed.clone()));
        if let (Some(policy), true) = (&retry, own_policy) {
            for g in &groups {
                retry_policies.push(kv(g, policy.clone()));
            }
        }
        if with_groups {
            let entry = json!({ &model.name: groups[1..] });
            if failover.is_some_and(|f| f.on.contains(&FailoverOn::ContextWindow)) {
                context_fallbacks.push(entry.clone());
            }
            if failover.is_some_and(|f| f.on.contains(&FailoverOn::ContentFilter)) {
                content_fallbacks.push(entry);
            }
        }
        known.extend(groups.iter().cloned());
        by_strategy
            .entry(litellm_strategy(model.strategy))
            .or_default()
            .extend(groups);
        let residency = model
            .residency
            .as_ref()
            .and_then(|name| project.residencies.iter().find(|r| &r.name == name));
        let differs = |own: Option<f64>, router: Option<f64>| own.filter(|v| Some(*v) != router);
        models.push(ModelView {
            about: model_about(model, residency),
            description: model.description.as_deref(),
            timeout: differs(failover.and_then(|f| f.timeout_seconds), router_timeout)
                .map(Seconds::new),
            cooldown: differs(failover.and_then(|f| f.cooldown_seconds), router_cooldown)
                .map(Seconds::new),
            allowed_fails_policy: if own_policy { allowed } else { None },
            deployments,
        });
    }

    // Every fallback names a group of this file.
    for entry in context_fallbacks.iter().chain(&content_fallbacks) {
        let names = entry
            .as_object()
            .into_iter()
            .flat_map(|m| m.iter())
            .flat_map(|(k, v)| {
                std::iter::once(k.as_str())
                    .chain(v.as_array().into_iter().flatten().filter_map(Value::as_str))
            });
        for name in names {
            if !known.contains(name) {
                return Err(EmitError::Unsupported(format!(
                    "fallback to {name}, which is not a model group"
                )));
            }
        }
    }

    let mut router = Vec::new();
    let (default_strategy, routing_groups) = if by_strategy.len() <= 1 {
        (
            by_strategy
                .keys()
                .next()
                .copied()
                .unwrap_or("simple-shuffle"),
            Vec::new(),
        )
    } else {
        let groups: Vec<Value> = by_strategy
            .iter()
            .filter(|(s, _)| **s != "simple-shuffle")
            .map(|(s, models)| json!({ "group_name": routing_group_name(s), "models": models, "routing_strategy": s }))
            .collect();
        ("simple-shuffle", groups)
    };
    router.push(kv("routing_strategy", json!(default_strategy)));
    if !routing_groups.is_empty() {
        router.push(kv_list("routing_groups", routing_groups));
    }
    router.push(kv("enable_pre_call_checks", json!(true)));
    if let Some(retries) = router_retries {
        router.push(kv("num_retries", json!(retries)));
        router.push(kv("allowed_fails", json!(retries)));
    }
    if let Some(timeout) = router_timeout {
        router.push(kv("timeout", json!(timeout)));
    }
    if let Some(cooldown) = router_cooldown {
        router.push(kv("cooldown_time", json!(cooldown)));
    }
    if let Some((retry, allowed)) = shared_policy.clone() {
        if let Some(retry) = retry {
            router.push(kv_map("retry_policy", map_entries(retry)));
        }
        if let Some(allowed) = allowed {
            router.push(kv_map("allowed_fails_policy", map_entries(allowed)));
        }
    }
    if !retry_policies.is_empty() {
        router.push(kv_map("model_group_retry_policy", retry_policies));
    }
    if !context_fallbacks.is_empty() {
        router.push(kv_list("context_window_fallbacks", context_fallbacks));
    }
    if !content_fallbacks.is_empty() {
        router.push(kv_list("content_policy_fallbacks", content_fallbacks));
    }

    let mut sections = vec![json!({ "name": "router_settings", "settings": router })];
    if project
        .models
        .iter()
        .flat_map(|m| &m.tiers)
        .flat_map(|t| &t.targets)
        .any(|t| t.cloud == Cloud::Azure)
    {
        sections.push(json!({
            "name": "litellm_settings",
            "settings": [kv("enable_azure_ad_token_refresh", json!(true))],
        }));
    }
    sections.push(json!({
        "name": "general_settings",
        "settings": [kv("master_key", json!(format!("os.environ/{MASTER_KEY_VAR}")))],
    }));

    let header = header(project, spec_files, &env);
    // Moved in, not through `json!`, which would copy the whole tree.
    Ok(object([
        (
            "header",
            Value::Array(header.into_iter().map(Value::String).collect()),
        ),
        (
            "models",
            Value::Array(models.into_iter().map(ModelView::into_json).collect()),
        ),
        ("sections", Value::Array(sections)),
    ]))
}

/// The header comment: provenance, every environment variable, how credentials work.
fn header(project: &Project, spec_files: &[String], env: &[EnvVar]) -> Vec<String> {
    let mut lines = vec![
        crate::provenance(spec_files),
        format!("LiteLLM proxy configuration for project {} (checked with litellm {LITELLM_VERSION}): litellm --config <this file>", project.name),
        String::new(),
        "Environment variables this file reads (LiteLLM turns an unset one into null without an error):".into(),
    ];
    let width = env.iter().map(|e| e.name.len()).max().unwrap_or(0);
    let mut sorted: Vec<&EnvVar> = env.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for e in sorted {
        lines.push(format!("  {:width$}  {}", e.name, e.what));
    }
    lines.push(String::new());
    lines.push("No credential is written here: Azure OpenAI is called with Entra ID tokens (DefaultAzureCredential:".into());
    lines.push("managed or workload identity, or the AZURE_* variables), Bedrock with the AWS default credential".into());
    lines.push("chain, Vertex AI with Application Default Credentials.".into());
    if env.iter().any(|e| e.name.ends_with("_ARN")) {
        lines.push("The Bedrock ARNs exist once the generated Terraform or Pulumi program has been applied, e.g.".into());
        lines.push("export MERIDIAN_..._ARN=\"$(terraform output -raw <output>)\" with the output named above.".into());
    }
    if project
        .providers
        .iter()
        .any(|p| p.cloud == Cloud::Azure && !p.network.public_access)
    {
        lines.push("Azure accounts without public network access are reached through their private endpoints: run the".into());
        lines.push("proxy inside that network.".into());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render_all;
    use crate::templates::Templates;
    use meridian_catalog::Catalog;
    use meridian_model::{Date, Options};
    use std::path::Path;

    struct Example {
        project: Project,
        graph: Graph,
        files: Vec<String>,
    }

    fn example(name: &str) -> Example {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(name);
        spec_text(&meridian_spec::load(
            &dir,
            &meridian_spec::Inputs::default(),
        ))
    }

    fn spec_text(loaded: &meridian_spec::Loaded) -> Example {
        assert!(!loaded.diagnostics.has_errors(), "{:?}", loaded.diagnostics);
        let opts = Options {
            catalog: Catalog::builtin(),
            today: Date::parse("2026-06-01").expect("date"),
            resolve_path: &|p: &Path| Some(p.to_path_buf()),
            own_files: &[],
        };
        let validated = meridian_model::validate(&loaded.spec, &opts);
        assert!(
            !validated.diagnostics.has_errors(),
            "{:?}",
            validated.diagnostics
        );
        let graph = Graph::build(&validated.project).expect("graph");
        let files = loaded
            .spec
            .files
            .iter()
            .filter_map(|f| loaded.sources.get(*f))
            .map(|f| f.name.clone())
            .collect();
        Example {
            project: validated.project,
            graph,
            files,
        }
    }

    fn render(ex: &Example) -> String {
        let templates = Templates::load(None).expect("templates");
        let emit = ex
            .project
            .emits
            .iter()
            .find(|e| e.format == EmitFormat::Litellm)
            .expect("litellm emit block");
        let locals = crate::local_names(&ex.graph);
        let ctx = EmitContext {
            project: &ex.project,
            graph: &ex.graph,
            spec_files: &ex.files,
            templates: &templates,
            emit,
            locals: &locals,
            drops: &crate::DeferredDrop::default(),
        };
        let mut files = LitellmEmitter.render(&ctx).expect("render");
        assert_eq!(files.len(), 1);
        let file = files.remove(0);
        assert_eq!(file.path, PathBuf::from(&emit.path));
        file.content
    }

    /// A deployment read back from the output: group, params and model_info as raw text.
    #[derive(Debug, Default)]
    struct Parsed {
        group: String,
        params: BTreeMap<String, String>,
        info: BTreeMap<String, String>,
    }

    /// Reads the block-style part of the output this emitter writes (flow values stay text).
    fn parse_deployments(text: &str) -> Vec<Parsed> {
        let mut out: Vec<Parsed> = Vec::new();
        let mut section = "";
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("  - model_name: ") {
                out.push(Parsed {
                    group: serde_json::from_str(rest).expect("group"),
                    ..Parsed::default()
                });
            } else if line == "    litellm_params:" || line == "    model_info:" {
                section = line.trim().trim_end_matches(':');
            } else if let Some(rest) = line.strip_prefix("      ") {
                let (k, v) = rest.split_once(": ").expect("key: value");
                let d = out.last_mut().expect("deployment");
                let map = if section == "model_info" {
                    &mut d.info
                } else {
                    &mut d.params
                };
                map.insert(k.to_string(), v.to_string());
            } else if !line.starts_with(' ') && !line.starts_with('#') {
                section = "";
            }
        }
        out
    }

    fn header_vars(text: &str) -> BTreeSet<String> {
        let mut vars = BTreeSet::new();
        let mut inside = false;
        for line in text.lines().take_while(|l| l.starts_with('#')) {
            if line.starts_with("# Environment variables") {
                inside = true;
            } else if inside && line.starts_with("#   ") {
                vars.insert(
                    line[4..]
                        .split_whitespace()
                        .next()
                        .expect("name")
                        .to_string(),
                );
            } else if inside {
                inside = false;
            }
        }
        vars
    }

    fn referenced_vars(text: &str) -> BTreeSet<String> {
        let mut vars = BTreeSet::new();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let mut rest = line;
            while let Some(i) = rest.find("os.environ/") {
                rest = &rest[i + "os.environ/".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                vars.insert(name);
            }
        }
        vars
    }

    const EXAMPLES: &[&str] = &["eu-bank", "eu-us-split", "global-product"];

    #[test]
    fn every_target_is_one_deployment_with_order_weight_and_id() {
        for name in EXAMPLES {
            let ex = example(name);
            let text = render(&ex);
            let parsed = parse_deployments(&text);
            let by_id: BTreeMap<String, &Parsed> = parsed
                .iter()
                .map(|d| {
                    (
                        serde_json::from_str::<String>(&d.info["id"]).expect("id"),
                        d,
                    )
                })
                .collect();
            assert_eq!(by_id.len(), parsed.len(), "{name}: ids are unique");
            for d in &parsed {
                assert!(
                    d.params.contains_key("weight"),
                    "{name}: {d:?} has no weight"
                );
                assert!(d.params.contains_key("order"), "{name}: {d:?} has no order");
            }
            for model in &ex.project.models {
                for tier in &model.tiers {
                    for t in &tier.targets {
                        let d = by_id
                            .get(&t.address)
                            .unwrap_or_else(|| panic!("{name}: {} missing", t.address));
                        assert_eq!(d.group, model.name);
                        let order = if model.strategy == Strategy::Weighted {
                            1
                        } else {
                            tier.position
                        };
                        assert_eq!(
                            d.params["order"],
                            order.to_string(),
                            "{name}: {}",
                            t.address
                        );
                        assert_eq!(
                            d.params["weight"],
                            t.weight.to_string(),
                            "{name}: {}",
                            t.address
                        );
                        let prefix = match t.cloud {
                            Cloud::Azure => "\"azure/",
                            Cloud::Aws => "\"bedrock/converse/",
                            Cloud::Gcp => "\"vertex_ai/",
                        };
                        assert!(
                            d.params["model"].starts_with(prefix),
                            "{name}: {:?}",
                            d.params
                        );
                    }
                }
            }
            // Groups are exactly the models plus their failover groups.
            let groups: BTreeSet<&str> = parsed.iter().map(|d| d.group.as_str()).collect();
            for g in &groups {
                let model = g.split('@').next().expect("model");
                assert!(
                    ex.project.models.iter().any(|m| m.name == model),
                    "{name}: stray group {g}"
                );
            }
        }
    }

    #[test]
    fn eu_bank_maps_each_cloud_with_references_only() {
        let text = render(&example("eu-bank"));
        let parsed = parse_deployments(&text);
        let get = |id: &str| {
            parsed
                .iter()
                .find(|d| d.info["id"] == format!("\"{id}\""))
                .unwrap_or_else(|| panic!("{id}"))
        };
        let azure = get("model.assistant.tier.primary.target.aoai-sweden");
        assert_eq!(azure.params["model"], "\"azure/assistant-aoai-sweden\"");
        assert_eq!(
            azure.params["api_base"],
            "\"https://ebk-assistants-corp-swedencentral.openai.azure.com/\""
        );
        assert_eq!(azure.params["api_version"], "\"v1\"");
        assert_eq!(azure.info["base_model"], "\"azure/gpt-5.1\"");
        assert_eq!(azure.params["tpm"], "250000");
        assert_eq!(azure.params["timeout"], "30.0");
        assert_eq!(azure.params["region_name"], "\"eu\"");
        // The model's cooldown and failover policies are the router-wide ones: not repeated.
        assert!(!azure.info.contains_key("cooldown_time"), "{azure:?}");
        assert!(
            !azure.info.contains_key("allowed_fails_policy"),
            "{azure:?}"
        );
        assert!(text.contains("\n  cooldown_time: 60.0\n"), "{text}");
        assert!(text.contains(
            "\n  allowed_fails_policy:\n    \"BadGatewayErrorAllowedFails\": 2\n    \"InternalServerErrorAllowedFails\": 2\n    \"RateLimitErrorAllowedFails\": 2\n    \"ServiceUnavailableErrorAllowedFails\": 2\n    \"TimeoutErrorAllowedFails\": 2\n"
        ), "{text}");
        // document-review fails over with other settings: its own, on each of its deployments.
        let review = get("model.document-review.tier.primary.target.aoai-sweden");
        assert_eq!(
            review.info["allowed_fails_policy"],
            "{\"BadGatewayErrorAllowedFails\": 1, \"InternalServerErrorAllowedFails\": 1, \"RateLimitErrorAllowedFails\": 1, \"ServiceUnavailableErrorAllowedFails\": 1, \"TimeoutErrorAllowedFails\": 1}"
        );
        // Its timeout (120 s) is the router-wide one; it sets no cooldown of its own.
        assert!(
            !review.params.contains_key("timeout") && !review.info.contains_key("cooldown_time"),
            "{review:?}"
        );
        // What a reader needs is said once per model, in comments; no Meridian keys repeat on
        // every deployment.
        assert!(!text.contains("meridian_"), "{text}");
        assert_eq!(
            text.matches(
                "\n  # model assistant: strategy priority, 3 tiers; task: conversational support"
            )
            .count(),
            1,
            "{text}"
        );
        assert_eq!(
            text.matches(
                "\n  # residency eu_strict: processing geography at most, in 27 countries\n"
            )
            .count(),
            3
        );
        assert!(text.contains("\n  # tier 2 secondary · bedrock-frankfurt (aws eu-central-1, processing geography; prompts processed in DE ES FR IE IT SE)\n"), "{text}");
        assert_eq!(
            azure.info["description"],
            "\"Customer-facing assistant in online banking and the mobile app\""
        );
        let bedrock = get("model.assistant.tier.secondary.target.bedrock-frankfurt");
        assert_eq!(
            bedrock.params["model"],
            "\"bedrock/converse/eu.anthropic.claude-sonnet-4-5-20250929-v1:0\""
        );
        assert_eq!(
            bedrock.params["model_id"],
            "\"os.environ/MERIDIAN_ASSISTANT_BEDROCK_FRANKFURT_ARN\""
        );
        assert_eq!(bedrock.params["aws_region_name"], "\"eu-central-1\"");
        let vertex = get("model.assistant.tier.tertiary.target.vertex-eu");
        assert_eq!(vertex.params["model"], "\"vertex_ai/gemini-3.5-flash\"");
        assert_eq!(vertex.params["vertex_project"], "\"ebk-ml-prod\"");
        assert_eq!(vertex.params["vertex_location"], "\"eu\"");
        assert_eq!(vertex.params["order"], "3");
        // In-region Bedrock has no profile id: the bare model names the family.
        let triage = get("model.triage.tier.primary.target.bedrock-ireland");
        assert_eq!(
            triage.params["model"],
            "\"bedrock/converse/anthropic.claude-haiku-4-5-20251001-v1:0\""
        );
        assert_eq!(triage.params["weight"], "50");
        // No secret and no literal key anywhere.
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            assert!(!line.contains("api_key"), "{line}");
            if line.contains("os.environ/") {
                assert!(line.contains("\"os.environ/"), "{line}");
            }
        }
        assert!(text.contains("\n  enable_azure_ad_token_refresh: true\n"));
        assert!(text.contains("\n  master_key: \"os.environ/LITELLM_MASTER_KEY\"\n"));
    }

    #[test]
    fn header_names_spec_files_and_every_variable() {
        for name in EXAMPLES {
            let ex = example(name);
            let text = render(&ex);
            assert!(
                text.starts_with(&format!("# {}\n", crate::provenance(&ex.files))),
                "{name}: {}",
                &text[..200.min(text.len())]
            );
            let listed = header_vars(&text);
            let used = referenced_vars(&text);
            assert_eq!(
                listed, used,
                "{name}: header lists exactly the variables the file reads"
            );
            assert!(used.contains("LITELLM_MASTER_KEY"));
            let aws_targets = ex
                .project
                .models
                .iter()
                .flat_map(|m| &m.tiers)
                .flat_map(|t| &t.targets)
                .filter(|t| t.cloud == Cloud::Aws)
                .count();
            assert_eq!(
                used.iter().filter(|v| v.ends_with("_ARN")).count(),
                aws_targets,
                "{name}"
            );
        }
    }

    #[test]
    fn rendering_is_deterministic() {
        for name in EXAMPLES {
            let a = render(&example(name));
            let b = render(&example(name));
            assert_eq!(a, b, "{name}");
            // And through render_all, as `meridian generate` does.
            let ex = example(name);
            let templates = Templates::load(None).expect("templates");
            let all = render_all(&ex.project, &ex.graph, &ex.files, &templates);
            if let Ok(all) = all {
                let file = all.iter().find(|f| f.content == a);
                assert!(file.is_some(), "{name}: render_all gives the same file");
            }
        }
    }

    #[test]
    fn strategies_and_failover_settings() {
        // Mixed strategies: simple-shuffle by default, cost and latency models in routing groups.
        let text = render(&example("global-product"));
        assert!(
            text.contains("\n  routing_strategy: \"simple-shuffle\"\n"),
            "{text}"
        );
        assert!(text.contains(
            "{\"group_name\": \"meridian:cost-based\", \"models\": [\"chat\"], \"routing_strategy\": \"cost-based-routing\"}"
        ));
        assert!(text.contains(
            "{\"group_name\": \"meridian:latency-based\", \"models\": [\"research\"], \"routing_strategy\": \"latency-based-routing\"}"
        ));
        let parsed = parse_deployments(&text);
        // Weighted: one pool, one order.
        for d in parsed.iter().filter(|d| d.group == "summarise") {
            assert_eq!(d.params["order"], "1");
        }
        // Cost: list prices per token, printed so YAML 1.1 reads them as numbers.
        let priced: Vec<&String> = parsed
            .iter()
            .filter(|d| d.group == "chat")
            .flat_map(|d| d.params.iter())
            .filter(|(k, _)| k.ends_with("_cost_per_token"))
            .map(|(_, v)| v)
            .collect();
        assert_eq!(
            priced.len(),
            10,
            "all five chat targets have a catalog price"
        );
        for cost in priced {
            assert!(
                cost.starts_with("!!float ") || (cost.contains('.') && !cost.contains('e')),
                "{cost}"
            );
        }
        assert!(text.contains("\n  num_retries: 1\n"));
        assert!(text.contains("\n  cooldown_time: 30.0\n"));
        // No global routing hint where the footprint is worldwide; `us` where it is the US.
        for d in &parsed {
            if d.group == "hr-assistant" {
                assert_eq!(d.params["region_name"], "\"us\"");
            } else {
                assert!(!d.params.contains_key("region_name"), "{d:?}");
            }
        }

        // One strategy: set router-wide; EU Data Zone with Norway and Switzerland is not `eu`.
        let text = render(&example("eu-us-split"));
        assert!(text.contains("\n  routing_strategy: \"simple-shuffle\"\n"));
        assert!(!text.contains("routing_groups"));
        let parsed = parse_deployments(&text);
        let sweden = parsed
            .iter()
            .find(|d| d.info["id"] == "\"model.assistant-eu.tier.primary.target.aoai-sweden\"")
            .expect("sweden");
        assert!(!sweden.params.contains_key("region_name"));
        assert_eq!(sweden.params["weight"], "70");
        // No cross-model fallbacks: EU traffic cannot reach the US group.
        assert!(!text.contains("fallbacks"));

        // Context-window failover: failover groups of the same model, and nothing else.
        let text = render(&example("eu-bank"));
        assert!(text.contains(
            "\n  context_window_fallbacks:\n    - {\"document-review\": [\"document-review@secondary\", \"document-review@last-resort\"]}\n"
        ), "{text}");
        assert!(!text.contains("content_policy_fallbacks"));
        let parsed = parse_deployments(&text);
        let copies: Vec<&Parsed> = parsed.iter().filter(|d| d.group.contains('@')).collect();
        assert_eq!(copies.len(), 2);
        for c in copies {
            assert!(c.info["id"].ends_with("@failover\""));
            assert!(c.info["allowed_fails_policy"].contains("\"TimeoutErrorAllowedFails\": 1"));
        }
        // document-review's retry policy is not the router-wide one: its groups carry it.
        let policy = text
            .lines()
            .find(|l| l.starts_with("    \"document-review@last-resort\": {"))
            .expect("failover groups have the model's retry policy");
        assert!(
            policy.contains("\"RateLimitErrorRetries\": 1")
                && policy.contains("\"BadRequestErrorRetries\": 0")
        );
    }

    #[test]
    fn content_filter_failover_uses_groups_of_the_same_model_only() {
        let spec = r#"meridian {
  name = "filter-test"
}
provider "gcp" "g" {
  project = "filter-test-project"
}
model "moderated" {
  capabilities = ["chat"]
  tier "first" {
    target "flash" {
      provider   = provider.gcp.g
      model      = "gemini-3.5-flash"
      region     = "global"
      processing = "global"
    }
  }
  tier "second" {
    target "lite" {
      provider   = provider.gcp.g
      model      = "gemini-3.1-flash-lite"
      region     = "global"
      processing = "global"
    }
  }
  failover {
    on      = ["content_filter"]
    retries = 3
  }
}
model "pool" {
  capabilities = ["chat"]
  strategy     = "weighted"
  tier "a" {
    target "flash" {
      provider   = provider.gcp.g
      model      = "gemini-3.5-flash"
      region     = "global"
      processing = "global"
    }
  }
  tier "b" {
    target "lite" {
      provider   = provider.gcp.g
      model      = "gemini-3.1-flash-lite"
      region     = "global"
      processing = "global"
    }
  }
  failover {
    on = ["content_filter", "context_window"]
  }
}
emit "litellm" {
  path = "router.yaml"
}
"#;
        let ex = spec_text(&meridian_spec::load_text(
            "main.hcl",
            spec,
            &meridian_spec::Inputs::default(),
        ));
        let text = render(&ex);
        assert!(
            text.contains(
                "\n  content_policy_fallbacks:\n    - {\"moderated\": [\"moderated@second\"]}\n"
            ),
            "{text}"
        );
        assert!(!text.contains("context_window_fallbacks"));
        // A weighted pool has no tiers to fail over to: no failover groups.
        assert!(!text.contains("pool@"));
        let parsed = parse_deployments(&text);
        let copy = parsed
            .iter()
            .find(|d| d.group == "moderated@second")
            .expect("failover group");
        assert_eq!(
            copy.info["id"],
            "\"model.moderated.tier.second.target.lite@failover\""
        );
        // Retries only for the failures the block lists; none without a retries count. The
        // one policy there is applies router-wide.
        assert!(
            text.contains("\n  retry_policy:\n    \"AuthenticationErrorRetries\": 0\n"),
            "{text}"
        );
        assert!(text.contains("\n    \"RateLimitErrorRetries\": 0\n"));
        assert!(!text.contains("model_group_retry_policy"));
        // A content filter says nothing about the deployment: no cooldown for it.
        assert!(!text.contains("allowed_fails_policy"), "{text}");
    }

    #[test]
    fn strategy_names_are_the_spec_names() {
        for s in [
            Strategy::Priority,
            Strategy::Weighted,
            Strategy::Cost,
            Strategy::Latency,
        ] {
            assert_eq!(json!(strategy_name(s)), json!(s));
            assert_eq!(Strategy::parse(strategy_name(s)), Some(s));
        }
    }

    #[test]
    fn floats_yaml_would_misread_are_tagged() {
        assert!(needs_float_tag(3e-6));
        assert!(needs_float_tag(1.5e16));
        assert!(!needs_float_tag(30.0));
        assert!(!needs_float_tag(0.000_015));
    }

    #[test]
    fn arn_variables_are_unique() {
        let mut ex = example("eu-us-split");
        // Rename so that model "assistant-eu" target "bedrock-ireland" and a model
        // "assistant" target "eu-bedrock-ireland" would collide.
        let mut clone = ex.project.models[0].clone();
        clone.name = "assistant".into();
        for tier in &mut clone.tiers {
            for t in &mut tier.targets {
                t.name = format!("eu-{}", t.name);
                t.address = format!("model.assistant.tier.{}.target.{}", tier.name, t.name);
            }
        }
        ex.project.models.push(clone);
        let vars = arn_env_vars(&ex.project);
        let names: BTreeSet<&String> = vars.values().collect();
        assert_eq!(names.len(), vars.len());
        assert_eq!(
            vars["model.assistant-us.tier.primary.target.bedrock-virginia"],
            "MERIDIAN_ASSISTANT_US_BEDROCK_VIRGINIA_ARN"
        );
        assert!(
            vars["model.assistant-eu.tier.secondary.target.bedrock-ireland"]
                .starts_with("MERIDIAN_ASSISTANT_EU_BEDROCK_IRELAND_")
        );
    }
}
