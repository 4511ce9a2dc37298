//! Terraform: `versions.tf` (pinned providers), `providers.tf` (an aliased provider per spec
//! provider, and per region for regional AWS resources), one file per cloud with the graph's
//! resources, and `outputs.tf` with what the router needs.
//!
//! The emitter turns the graph into plain JSON views; the templates under
//! `templates/terraform/` lay them out and print every value through the `hcl`, `comment` and
//! `ident` filters. A graph reference becomes `{"$expr": "type.name.attr"}`, which the `hcl`
//! filter prints as a traversal. The rendered text is then aligned the way `terraform fmt`
//! aligns it, so a formatting check in the user's pipeline passes on generated files.

use crate::{map_refs, Artifact, EmitContext, EmitError, Emitter, LocalNames};
use meridian_catalog::Cloud;
use meridian_graph::{names::short_hash, Address, Kind, Resource};
use meridian_model::ir::{EmitFormat, Project, Provider, Target};
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

/// A JSON object from `"key" => value` pairs, each value converted with `Value::from` and
/// moved in (`json!` serializes, and so copies, every value it is given).
macro_rules! obj {
    ($($key:literal => $value:expr),* $(,)?) => {{
        let mut map = Map::new();
        $(map.insert(String::from($key), Value::from($value));)*
        Value::Object(map)
    }};
}

/// Built-in templates of this format: (name under templates/, text).
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    (
        "terraform/header.tera",
        include_str!("../../../templates/terraform/header.tera"),
    ),
    (
        "terraform/versions.tf.tera",
        include_str!("../../../templates/terraform/versions.tf.tera"),
    ),
    (
        "terraform/providers.tf.tera",
        include_str!("../../../templates/terraform/providers.tf.tera"),
    ),
    (
        "terraform/azure.tf.tera",
        include_str!("../../../templates/terraform/azure.tf.tera"),
    ),
    (
        "terraform/aws.tf.tera",
        include_str!("../../../templates/terraform/aws.tf.tera"),
    ),
    (
        "terraform/gcp.tf.tera",
        include_str!("../../../templates/terraform/gcp.tf.tera"),
    ),
    (
        "terraform/outputs.tf.tera",
        include_str!("../../../templates/terraform/outputs.tf.tera"),
    ),
];

/// The role a Cognitive Services account's identity needs on its customer-managed key.
const KEY_ROLE: &str = "Key Vault Crypto Service Encryption User";

/// Checks whose subject is known: a waiver for one of these goes on resources of these types
/// only. A waiver for any other check goes on every resource of its provider (checkov ignores
/// a skip comment on a resource the check does not examine).
const CHECK_SUBJECTS: &[(&str, &[&str])] = &[
    ("CKV_AZURE_134", &["azurerm_cognitive_account"]),
    ("CKV_AZURE_236", &["azurerm_cognitive_account"]),
    ("CKV_AZURE_238", &["azurerm_cognitive_account"]),
    ("CKV_AZURE_247", &["azurerm_cognitive_account"]),
    ("CKV2_AZURE_22", &["azurerm_cognitive_account"]),
    ("CKV_AWS_40", &["aws_iam_user_policy_attachment"]),
];

pub(crate) struct TerraformEmitter;

impl Emitter for TerraformEmitter {
    fn format(&self) -> EmitFormat {
        EmitFormat::Terraform
    }

    fn render(&self, ctx: &EmitContext<'_>) -> Result<Vec<Artifact>, EmitError> {
        let b = Builder::new(ctx);
        let mut views = b.views()?;
        let base = obj! { "header" => crate::provenance(ctx.spec_files), "project" => ctx.project.name.as_str() };
        // (file, template, context, bytes to reserve for the text)
        let mut files: Vec<(&str, &str, Value, usize)> = vec![
            (
                "versions.tf",
                "terraform/versions.tf.tera",
                obj! { "clouds" => views.clouds },
                0,
            ),
            (
                "providers.tf",
                "terraform/providers.tf.tera",
                obj! { "providers" => views.providers },
                0,
            ),
        ];
        for (cloud, file, template) in [
            ("azure", "azure.tf", "terraform/azure.tf.tera"),
            ("aws", "aws.tf", "terraform/aws.tf.tera"),
            ("gcp", "gcp.tf", "terraform/gcp.tf.tera"),
        ] {
            if let Some(resources) = views.resources.remove(cloud) {
                let size = resources.len().saturating_mul(2048);
                files.push((file, template, obj! { "resources" => resources }, size));
            }
        }
        let size = views.outputs.len().saturating_mul(512);
        files.push((
            "outputs.tf",
            "terraform/outputs.tf.tera",
            obj! { "outputs" => views.outputs },
            size,
        ));
        let dir = Path::new(&ctx.emit.path);
        files
            .into_iter()
            .map(|(file, template, mut context, size)| {
                if let (Some(c), Some(b)) = (context.as_object_mut(), base.as_object()) {
                    c.extend(b.clone());
                }
                let text = ctx.render_template(template, context, size)?;
                Ok(Artifact {
                    path: dir.join(file),
                    content: align(&text),
                })
            })
            .collect()
    }
}

/// What the templates receive.
struct Views {
    /// `{"aws": true, ...}` for the clouds with resources.
    clouds: Value,
    /// `{"azure": [...], "aws": [...], "gcp": [...]}`: provider configurations.
    providers: Value,
    /// Per cloud, the resource views in graph (dependency) order.
    resources: BTreeMap<&'static str, Vec<Value>>,
    outputs: Vec<Value>,
}

struct Builder<'a> {
    ctx: &'a EmitContext<'a>,
    project: &'a Project,
    locals: &'a LocalNames<'a>,
    /// Provider address → its base alias.
    aliases: BTreeMap<String, String>,
    /// Target address → target.
    targets: HashMap<&'a str, &'a Target>,
}

/// A Terraform identifier made of `s`: lower-case letters, digits and `_`, not starting with
/// a digit.
fn ident(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "p_");
    }
    out
}

fn unsupported(msg: impl Into<String>) -> EmitError {
    EmitError::Unsupported(msg.into())
}

impl<'a> Builder<'a> {
    fn new(ctx: &'a EmitContext<'a>) -> Self {
        // One alias per spec provider, unique within its cloud's provider type.
        let mut by_alias: BTreeMap<(Cloud, String), Vec<&Provider>> = BTreeMap::new();
        for p in &ctx.project.providers {
            by_alias
                .entry((p.cloud, ident(&p.name)))
                .or_default()
                .push(p);
        }
        let mut aliases = BTreeMap::new();
        for ((_, alias), providers) in by_alias {
            for p in &providers {
                let a = if providers.len() == 1 {
                    alias.clone()
                } else {
                    format!("{alias}_{}", short_hash(&p.address))
                };
                aliases.insert(p.address.clone(), a);
            }
        }
        let targets = ctx
            .project
            .models
            .iter()
            .flat_map(|m| m.tiers.iter())
            .flat_map(|t| t.targets.iter())
            .map(|t| (t.address.as_str(), t))
            .collect();
        Builder {
            ctx,
            project: ctx.project,
            locals: ctx.locals,
            aliases,
            targets,
        }
    }

    fn provider(&self, address: &str) -> Result<&'a Provider, EmitError> {
        self.project
            .providers
            .iter()
            .find(|p| p.address == address)
            .ok_or_else(|| {
                unsupported(format!(
                    "the graph names provider {address}, which the spec does not define"
                ))
            })
    }

    fn alias(&self, address: &str) -> Result<String, EmitError> {
        self.aliases
            .get(address)
            .cloned()
            .ok_or_else(|| unsupported(format!("no provider alias for {address}")))
    }

    /// The alias of the AWS provider configuration for one region.
    fn regional_alias(&self, address: &str, region: &str) -> Result<String, EmitError> {
        Ok(format!("{}_{}", self.alias(address)?, ident(region)))
    }

    fn local(&self, address: &Address) -> Result<String, EmitError> {
        self.locals
            .get(address)
            .map(str::to_string)
            .ok_or_else(|| unsupported(format!("no local name for {address}")))
    }

    /// `type.local_name` of a graph resource.
    fn traversal(&self, address: &Address) -> Option<String> {
        let r = self.ctx.graph.get(address)?;
        Some(format!(
            "{}.{}",
            r.kind.terraform_type()?,
            self.locals.get(address)?
        ))
    }

    /// `v` with every graph reference replaced by a Terraform expression.
    fn resolve(&self, v: &Value) -> Result<Value, EmitError> {
        let missing: RefCell<Option<String>> = RefCell::new(None);
        let out = map_refs(v, &|address, attr| {
            if let Some(t) = self.traversal(address) {
                obj! { "$expr" => format!("{t}.{attr}") }
            } else {
                missing
                    .borrow_mut()
                    .get_or_insert_with(|| address.to_string());
                Value::Null
            }
        });
        match missing.into_inner() {
            Some(a) => Err(unsupported(format!(
                "a reference names {a}, which is not a Terraform resource of the graph"
            ))),
            None => Ok(out),
        }
    }

    /// An attribute of `r`, references resolved; `null` when absent.
    fn attr(&self, r: &Resource, key: &str) -> Result<Value, EmitError> {
        r.attrs
            .get(key)
            .map_or(Ok(Value::Null), |v| self.resolve(v))
    }

    /// A required attribute of `r`.
    fn req(&self, r: &Resource, key: &str) -> Result<Value, EmitError> {
        match self.attr(r, key)? {
            Value::Null => Err(unsupported(format!("{} has no {key}", r.address))),
            v => Ok(v),
        }
    }

    /// The checkov skips of one resource: the provider's waivers that concern `tf_type`, then
    /// the built-in ones (a waiver for the same check wins), sorted by check id.
    fn skips(provider: &Provider, tf_type: &str, builtin: Vec<(&str, String)>) -> Value {
        let mut out: BTreeMap<String, String> = BTreeMap::new();
        for w in &provider.waivers {
            let applies = CHECK_SUBJECTS
                .iter()
                .find(|(c, _)| *c == w.check)
                .is_none_or(|(_, types)| types.contains(&tf_type));
            if applies {
                out.insert(w.check.clone(), w.reason.clone());
            }
        }
        for (check, reason) in builtin {
            out.entry(check.to_string()).or_insert(reason);
        }
        Value::Array(
            out.into_iter()
                .map(|(check, reason)| obj! { "check" => check, "reason" => reason })
                .collect(),
        )
    }

    fn tags(r: &Resource) -> Value {
        Value::Object(
            r.tags
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        )
    }

    /// Resources `r` needs that none of its arguments refers to: `depends_on`.
    /// A resource block's template data: the fields every block has (template kind, address,
    /// local name, provider alias, checkov skips, dependencies) around the kind's own `fields`.
    fn block(
        &self,
        r: &Resource,
        kind: &str,
        alias: String,
        skips: Value,
        fields: Value,
    ) -> Result<Value, EmitError> {
        let mut map = match fields {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        map.insert("kind".into(), Value::from(kind));
        map.insert("address".into(), Value::from(r.address.to_string()));
        map.insert("local".into(), Value::from(self.local(&r.address)?));
        map.insert("alias".into(), Value::from(alias));
        map.insert("skips".into(), skips);
        map.insert("depends_on".into(), self.depends_on(r));
        Ok(Value::Object(map))
    }

    fn depends_on(&self, r: &Resource) -> Value {
        let needs = self.ctx.graph.needs(&r.address);
        if needs.is_empty() {
            return Value::Array(Vec::new());
        }
        let mut referenced = BTreeSet::new();
        for v in r.attrs.values() {
            collect_refs(v, &mut referenced);
        }
        let extra: Vec<Value> = needs
            .into_iter()
            .filter(|n| !referenced.contains(&n.address))
            .filter_map(|n| self.traversal(&n.address))
            .map(|t| obj! { "$expr" => t })
            .collect();
        Value::Array(extra)
    }

    fn views(&self) -> Result<Views, EmitError> {
        let mut resources: BTreeMap<&'static str, Vec<Value>> = BTreeMap::new();
        let mut outputs = Vec::new();
        let mut aws_regions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut used: BTreeSet<String> = BTreeSet::new();
        // Providers whose access token a request-logging provisioner already reads.
        let mut client_configs: BTreeSet<String> = BTreeSet::new();
        for r in self.ctx.graph.resources() {
            let view = match r.kind {
                Kind::RouterDeployment => {
                    if let Some(o) = self.router_output(r)? {
                        outputs.push(o);
                    }
                    continue;
                }
                Kind::AzureAccount => self.azure_account(r)?,
                Kind::AzureDeployment => self.azure_deployment(r)?,
                Kind::AzureRoleAssignment => self.azure_role_assignment(r)?,
                Kind::AzureDiagnosticSetting => self.azure_diagnostic_setting(r)?,
                Kind::AzurePrivateEndpoint => self.azure_private_endpoint(r)?,
                Kind::AzurePrivateDnsZone => self.azure_private_dns_zone(r)?,
                Kind::AwsVpcEndpoint => self.aws_vpc_endpoint(r)?,
                Kind::AwsLogLifecycle => self.aws_log_lifecycle(r)?,
                Kind::GcpLogDataset => self.gcp_log_dataset(r)?,
                Kind::GcpRequestLogging => self.gcp_request_logging(r, &mut client_configs)?,
                Kind::AwsInferenceProfile => self.aws_inference_profile(r)?,
                Kind::AwsProvisionedThroughput => self.aws_provisioned(r)?,
                Kind::AwsIamPolicy => self.aws_iam_policy(r)?,
                Kind::AwsInvocationLogging => self.aws_invocation_logging(r)?,
                Kind::GcpService => self.gcp_service(r)?,
                Kind::GcpIamMember => self.gcp_iam_member(r)?,
            };
            let p = self.provider(&r.address.owner)?;
            used.insert(p.address.clone());
            if p.cloud == Cloud::Aws {
                let regions = aws_regions.entry(p.address.clone()).or_default();
                if let Some(region) = &r.region {
                    regions.insert(region.clone());
                }
            }
            if let Some(o) = self.resource_output(r)? {
                outputs.push(o);
            }
            resources.entry(p.cloud.as_str()).or_default().push(view);
        }
        let providers = self.provider_views(&used, &aws_regions)?;
        check_unique(&resources, &outputs)?;
        let clouds: Map<String, Value> = resources
            .keys()
            .map(|c| ((*c).to_string(), Value::Bool(true)))
            .collect();
        Ok(Views {
            clouds: Value::Object(clouds),
            providers,
            resources,
            outputs,
        })
    }

    fn provider_views(
        &self,
        used: &BTreeSet<String>,
        aws_regions: &BTreeMap<String, BTreeSet<String>>,
    ) -> Result<Value, EmitError> {
        let mut azure = Vec::new();
        let mut aws = Vec::new();
        let mut gcp = Vec::new();
        for p in self
            .project
            .providers
            .iter()
            .filter(|p| used.contains(&p.address))
        {
            let alias = self.alias(&p.address)?;
            match p.cloud {
                Cloud::Azure => azure.push(obj! {
                    "alias" => alias,
                    "address" => p.address.as_str(),
                    "subscription_id" => p.subscription_id.clone(),
                    "tenant_id" => p.tenant_id.clone(),
                }),
                Cloud::Aws => {
                    let regions = aws_regions.get(&p.address).cloned().unwrap_or_default();
                    let partition = p.partition.as_deref().unwrap_or("aws");
                    let home = regions
                        .iter()
                        .next()
                        .cloned()
                        .unwrap_or_else(|| default_region(partition).to_string());
                    let accounts: Vec<String> = p.account_id.iter().cloned().collect();
                    aws.push(obj! {
                        "alias" => alias,
                        "address" => p.address.as_str(),
                        "region" => home,
                        "regional" => false,
                        "allowed_account_ids" => accounts.clone(),
                    });
                    for region in &regions {
                        aws.push(obj! {
                            "alias" => self.regional_alias(&p.address, region)?,
                            "address" => p.address.as_str(),
                            "region" => region.as_str(),
                            "regional" => true,
                            "allowed_account_ids" => accounts.clone(),
                        });
                    }
                }
                Cloud::Gcp => {
                    gcp.push(obj! { "alias" => alias, "address" => p.address.as_str(), "project" => p.project.clone() });
                }
            }
        }
        let mut seen = HashSet::new();
        for v in &aws {
            if let Some(a) = v.get("alias").and_then(Value::as_str) {
                if !seen.insert(a.to_string()) {
                    return Err(unsupported(format!("two AWS provider configurations would share the alias {a}; rename a provider")));
                }
            }
        }
        Ok(obj! { "azure" => azure, "aws" => aws, "gcp" => gcp })
    }

    fn azure_account(&self, r: &Resource) -> Result<Value, EmitError> {
        let p = self.provider(&r.address.owner)?;
        let waived = |check: &str| p.waivers.iter().any(|w| w.check == check);
        let public = r
            .attrs
            .get("public_network_access_enabled")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let ip_rules = if public {
            self.attr(r, "allowed_ips")?
        } else {
            json!([])
        };
        let key = r
            .attrs
            .get("customer_managed_key_id")
            .and_then(Value::as_str);
        let mut builtin = Vec::new();
        builtin.push((
            "CKV2_AZURE_22",
            match key {
                Some(k) => format!(
                    "encrypted with the customer-managed key {k} from the encryption block of provider.{}, set by the azurerm_cognitive_account_customer_managed_key below; the key lives in a Key Vault outside this configuration, which this graph check cannot follow",
                    p.address
                ),
                None => format!(
                    "provider.{} has no encryption block, so the account encrypts data at rest with Microsoft-managed keys; add encryption {{ key_id = ... }} to the provider for a customer-managed key, or a waiver \"CKV2_AZURE_22\" that records why not",
                    p.address
                ),
            },
        ));
        if public {
            let ips: Vec<&str> = r
                .attrs
                .get("allowed_ips")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            builtin.push((
                "CKV_AZURE_134",
                format!(
                    "provider.{} sets network.public_access = true: the public endpoint admits only {} (network_acls, default Deny), and key authentication is disabled",
                    p.address,
                    if ips.is_empty() { "no address".to_string() } else { ips.join(", ") }
                ),
            ));
        }
        self.block(
        r,
        "azure_account",
        self.alias(&p.address)?,
        Self::skips(p, "azurerm_cognitive_account", builtin),
        obj! {
            "name" => r.name.as_str(),
            "location" => self.req(r, "location")?,
            "resource_group_name" => self.req(r, "resource_group_name")?,
            "account_kind" => self.req(r, "kind")?,
            "sku_name" => self.req(r, "sku_name")?,
            "custom_subdomain_name" => self.req(r, "custom_subdomain_name")?,
            "local_auth_enabled" => false,
            "public_network_access_enabled" => public,
            "outbound_network_access_restricted" => !waived("CKV_AZURE_247"),
            "identity_type" => self.attr(r, "identity_type")?.as_str().map_or_else(|| json!("SystemAssigned"), |t| json!(t)),
            "ip_rules" => ip_rules,
            "tags" => Self::tags(r),
            "cmk" => key.map(|k| obj! {
                "key_vault_key_id" => k,
                "vault_name" => vault_name(k),
                "role" => KEY_ROLE,
                "data_skips" => Self::skips(p, "azurerm_resources", Vec::new()),
                "role_skips" => Self::skips(p, "azurerm_role_assignment", Vec::new()),
                "key_skips" => Self::skips(p, "azurerm_cognitive_account_customer_managed_key", Vec::new()),
            }),
        },
        )
    }

    fn azure_deployment(&self, r: &Resource) -> Result<Value, EmitError> {
        let p = self.provider(&r.address.owner)?;
        self.block(
            r,
            "azure_deployment",
            self.alias(&p.address)?,
            Self::skips(p, "azurerm_cognitive_deployment", Vec::new()),
            obj! {
                "name" => r.name.as_str(),
                "cognitive_account_id" => self.req(r, "cognitive_account_id")?,
                "model_format" => self.req(r, "model_format")?,
                "model_name" => self.req(r, "model_name")?,
                "model_version" => self.attr(r, "model_version")?,
                "sku_name" => self.req(r, "sku_name")?,
                "sku_capacity" => self.req(r, "sku_capacity")?,
                "version_upgrade_option" => self.req(r, "version_upgrade_option")?,
                "rai_policy_name" => self.attr(r, "rai_policy_name")?,
            },
        )
    }

    fn azure_role_assignment(&self, r: &Resource) -> Result<Value, EmitError> {
        let p = self.provider(&r.address.owner)?;
        self.block(
            r,
            "azure_role_assignment",
            self.alias(&p.address)?,
            Self::skips(p, "azurerm_role_assignment", Vec::new()),
            obj! {
                "scope" => self.req(r, "scope")?,
                "role_definition_name" => self.req(r, "role_definition_name")?,
                "principal_id" => self.req(r, "principal_id")?,
                "description" => format!("Meridian {} ({})", r.address, r.origin),
            },
        )
    }

    fn azure_diagnostic_setting(&self, r: &Resource) -> Result<Value, EmitError> {
        let p = self.provider(&r.address.owner)?;
        self.block(
            r,
            "azure_diagnostic_setting",
            self.alias(&p.address)?,
            Self::skips(p, "azurerm_monitor_diagnostic_setting", Vec::new()),
            obj! {
                "name" => r.name.as_str(),
                "target_resource_id" => self.req(r, "target_resource_id")?,
                "log_analytics_workspace_id" => self.req(r, "log_analytics_workspace_id")?,
                "log_categories" => self.req(r, "log_categories")?,
            },
        )
    }

    fn azure_private_endpoint(&self, r: &Resource) -> Result<Value, EmitError> {
        let p = self.provider(&r.address.owner)?;
        let alias = self.alias(&p.address)?;
        // The endpoint is created in its virtual network's region, found by name.
        let vnet_local = format!("{}_network", self.local(&r.address)?);
        self.block(
            r,
            "azure_private_endpoint",
            alias,
            Self::skips(p, "azurerm_private_endpoint", Vec::new()),
            obj! {
                "name" => r.name.as_str(),
                "resource_group_name" => self.req(r, "resource_group_name")?,
                "subnet_id" => self.req(r, "subnet_id")?,
                "connection_name" => format!("{}-account", r.name),
                "private_connection_resource_id" => self.req(r, "private_connection_resource_id")?,
                "subresource_names" => self.req(r, "subresource_names")?,
                "private_dns_zone_ids" => self.req(r, "private_dns_zone_ids")?,
                "vnet_local" => vnet_local,
                "vnet_name" => self.req(r, "virtual_network_name")?,
                "vnet_resource_group_name" => self.req(r, "virtual_network_resource_group_name")?,
                "vnet_skips" => Self::skips(p, "azurerm_virtual_network", Vec::new()),
                "tags" => Self::tags(r),
            },
        )
    }

    fn azure_private_dns_zone(&self, r: &Resource) -> Result<Value, EmitError> {
        let p = self.provider(&r.address.owner)?;
        self.block(
            r,
            "azure_private_dns_zone",
            self.alias(&p.address)?,
            Self::skips(p, "azurerm_private_dns_zone", Vec::new()),
            obj! {
                "name" => r.name.as_str(),
                "resource_group_name" => self.req(r, "resource_group_name")?,
                "virtual_network_id" => self.req(r, "virtual_network_id")?,
                "link_name" => self.req(r, "link_name")?,
                "link_skips" => Self::skips(p, "azurerm_private_dns_zone_virtual_network_link", Vec::new()),
                "tags" => Self::tags(r),
            },
        )
    }

    fn aws_vpc_endpoint(&self, r: &Resource) -> Result<Value, EmitError> {
        let (alias, p) = self.regional(r)?;
        let policy = match self.req(r, "policy")? {
            Value::Object(mut policy) => match policy.remove("Statement") {
                Some(Value::Array(statements)) => statements,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        let statements = policy
            .into_iter()
            .map(|s| statement(s).map_err(|e| unsupported(format!("{}: {e}", r.address))))
            .collect::<Result<Vec<Value>, EmitError>>()?;
        let subnets = self.req(r, "subnet_ids")?;
        let subnet = subnets
            .as_array()
            .and_then(|s| s.first())
            .cloned()
            .ok_or_else(|| unsupported(format!("{} has no subnet", r.address)))?;
        self.block(
            r,
            "aws_vpc_endpoint",
            alias,
            Self::skips(p, "aws_vpc_endpoint", Vec::new()),
            obj! {
                "service_name" => self.req(r, "service_name")?,
                "vpc_endpoint_type" => self.req(r, "vpc_endpoint_type")?,
                "subnet_ids" => subnets,
                "subnet_id" => subnet,
                "private_dns_enabled" => self.req(r, "private_dns_enabled")?,
                "statements" => statements,
                "document_skips" => Self::skips(p, "aws_iam_policy_document", Vec::new()),
                "subnet_skips" => Self::skips(p, "aws_subnet", Vec::new()),
                "tags" => Self::tags(r),
            },
        )
    }

    fn aws_log_lifecycle(&self, r: &Resource) -> Result<Value, EmitError> {
        let (alias, p) = self.regional(r)?;
        self.block(
            r,
            "aws_log_lifecycle",
            alias,
            Self::skips(p, "aws_s3_bucket_lifecycle_configuration", Vec::new()),
            obj! {
                "bucket" => self.req(r, "bucket")?,
                "rule_id" => r.name.as_str(),
                "prefix" => self.req(r, "prefix")?,
                "expiration_days" => self.req(r, "expiration_days")?,
            },
        )
    }

    fn gcp_log_dataset(&self, r: &Resource) -> Result<Value, EmitError> {
        let p = self.provider(&r.address.owner)?;
        let key = p.encryption_key_id.as_deref();
        let mut builtin = Vec::new();
        if key.is_none() {
            builtin.push((
                "CKV_GCP_81",
                format!(
                    "provider.{} has no encryption block, so the dataset is encrypted with Google-managed keys; add encryption {{ key_id = ... }} (a Cloud KMS key) to the provider for a customer-managed key, or a waiver \"CKV_GCP_81\" that records why not",
                    p.address
                ),
            ));
        }
        let local = self.local(&r.address)?;
        self.block(
            r,
            "gcp_log_dataset",
            self.alias(&p.address)?,
            Self::skips(p, "google_bigquery_dataset", builtin),
            obj! {
                "project" => self.req(r, "project")?,
                "dataset_id" => self.req(r, "dataset_id")?,
                "location" => self.req(r, "location")?,
                "description" => format!("Vertex AI request-response logs of {}, from {} of the Meridian spec", self.project.name, r.origin),
                "default_partition_expiration_ms" => self.attr(r, "default_partition_expiration_ms")?,
                "delete_contents_on_destroy" => self.attr(r, "delete_contents_on_destroy")?.as_bool().unwrap_or(false),
                "kms_key_name" => key,
                "key_local" => format!("{local}_key_access"),
                "key_skips" => Self::skips(p, "google_kms_crypto_key_iam_member", Vec::new()),
                "bq_account_skips" => Self::skips(p, "google_bigquery_default_service_account", Vec::new()),
            },
        )
    }

    /// Vertex AI request-response logging of one model at one location, set by a
    /// provisioner (the pinned provider has no resource for it): the command is fixed, the
    /// values reach it as environment variables.
    fn gcp_request_logging(
        &self,
        r: &Resource,
        client_configs: &mut BTreeSet<String>,
    ) -> Result<Value, EmitError> {
        let p = self.provider(&r.address.owner)?;
        let alias = self.alias(&p.address)?;
        let call = crate::RequestLoggingCall::of(r)?;
        let first = client_configs.insert(alias.clone());
        self.block(
            r,
            "gcp_request_logging",
            alias.clone(),
            Self::skips(p, "terraform_data", Vec::new()),
            obj! {
                "model_name" => call.name,
                "command" => crate::REQUEST_LOGGING_COMMAND,
                "destination" => call.destination,
                "sampling_rate" => call.sampling_rate,
                "url" => call.url,
                "body" => call.body,
                "client_config" => alias,
                "declare_client_config" => first,
                "client_config_skips" => Self::skips(p, "google_client_config", Vec::new()),
            },
        )
    }

    fn regional(&self, r: &Resource) -> Result<(String, &'a Provider), EmitError> {
        let p = self.provider(&r.address.owner)?;
        let region = r
            .region
            .as_deref()
            .ok_or_else(|| unsupported(format!("{} has no region", r.address)))?;
        Ok((self.regional_alias(&p.address, region)?, p))
    }

    fn aws_inference_profile(&self, r: &Resource) -> Result<Value, EmitError> {
        let (alias, p) = self.regional(r)?;
        self.block(
            r,
            "aws_inference_profile",
            alias,
            Self::skips(p, "aws_bedrock_inference_profile", Vec::new()),
            obj! {
                "name" => self.req(r, "name")?,
                "description" => self.attr(r, "description")?,
                "copy_from" => self.req(r, "copy_from")?,
                "tags" => Self::tags(r),
            },
        )
    }

    fn aws_provisioned(&self, r: &Resource) -> Result<Value, EmitError> {
        let (alias, p) = self.regional(r)?;
        self.block(
            r,
            "aws_provisioned_throughput",
            alias,
            Self::skips(p, "aws_bedrock_provisioned_model_throughput", Vec::new()),
            obj! {
                "provisioned_model_name" => self.req(r, "provisioned_model_name")?,
                "model_arn" => self.req(r, "model_arn")?,
                "model_units" => self.req(r, "model_units")?,
                "tags" => Self::tags(r),
            },
        )
    }

    fn aws_iam_policy(&self, r: &Resource) -> Result<Value, EmitError> {
        let p = self.provider(&r.address.owner)?;
        let principal = r
            .attrs
            .get("principal")
            .and_then(Value::as_str)
            .ok_or_else(|| unsupported(format!("{} has no principal", r.address)))?;
        let resource = principal.splitn(6, ':').nth(5).unwrap_or_default();
        let (kind, name) = if let Some(path) = resource.strip_prefix("role/") {
            ("role", path.rsplit('/').next().unwrap_or(path))
        } else if let Some(path) = resource.strip_prefix("user/") {
            ("user", path.rsplit('/').next().unwrap_or(path))
        } else {
            return Err(unsupported(format!(
                "{principal} is neither an IAM role nor an IAM user ARN"
            )));
        };
        let attachment_type = if kind == "role" {
            "aws_iam_role_policy_attachment"
        } else {
            "aws_iam_user_policy_attachment"
        };
        let mut attachment_builtin = Vec::new();
        if kind == "user" {
            attachment_builtin.push((
                "CKV_AWS_40",
                format!("{} grants model access to the IAM user {principal} itself, so the policy is attached to that user", r.origin),
            ));
        }
        let statements = match self.req(r, "policy")? {
            Value::Object(mut policy) => match policy.remove("Statement") {
                Some(Value::Array(statements)) => statements,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        if statements.is_empty() {
            return Err(unsupported(format!(
                "the policy of {} has no statements",
                r.address
            )));
        }
        let statements = statements
            .into_iter()
            .map(|s| statement(s).map_err(|e| unsupported(format!("{}: {e}", r.address))))
            .collect::<Result<Vec<Value>, EmitError>>()?;
        self.block(
        r,
        "aws_iam_policy",
        self.alias(&p.address)?,
        Self::skips(p, "aws_iam_policy", Vec::new()),
        obj! {
            "document_skips" => Self::skips(p, "aws_iam_policy_document", Vec::new()),
            "name" => r.name.as_str(),
            "description" => format!("Invoke access for {principal}, from {} of the Meridian spec", r.origin),
            "statements" => statements,
            "tags" => Self::tags(r),
            "attachment" => obj! {
                "type" => attachment_type,
                "argument" => kind,
                "target" => name,
                "skips" => Self::skips(p, attachment_type, attachment_builtin),
            },
        },
        )
    }

    fn aws_invocation_logging(&self, r: &Resource) -> Result<Value, EmitError> {
        let (alias, p) = self.regional(r)?;
        let text = self
            .attr(r, "text_data_delivery_enabled")?
            .as_bool()
            .unwrap_or(true);
        self.block(
            r,
            "aws_invocation_logging",
            alias,
            Self::skips(
                p,
                "aws_bedrock_model_invocation_logging_configuration",
                Vec::new(),
            ),
            obj! {
                "bucket_name" => self.req(r, "s3_bucket_name")?,
                "key_prefix" => self.attr(r, "s3_key_prefix")?,
                "text_data_delivery_enabled" => text,
            },
        )
    }

    fn gcp_service(&self, r: &Resource) -> Result<Value, EmitError> {
        let p = self.provider(&r.address.owner)?;
        self.block(
        r,
        "gcp_service",
        self.alias(&p.address)?,
        Self::skips(p, "google_project_service", Vec::new()),
        obj! {
            "project" => self.req(r, "project")?,
            "service" => self.req(r, "service")?,
            "disable_on_destroy" => self.attr(r, "disable_on_destroy")?.as_bool().unwrap_or(false),
        },
        )
    }

    fn gcp_iam_member(&self, r: &Resource) -> Result<Value, EmitError> {
        let p = self.provider(&r.address.owner)?;
        self.block(
            r,
            "gcp_iam_member",
            self.alias(&p.address)?,
            Self::skips(p, "google_project_iam_member", Vec::new()),
            obj! {
                "project" => self.req(r, "project")?,
                "role" => self.req(r, "role")?,
                "member" => self.req(r, "member")?,
            },
        )
    }

    /// The output a resource contributes: account endpoints, profile and provisioned ARNs.
    fn resource_output(&self, r: &Resource) -> Result<Option<Value>, EmitError> {
        let (suffix, attr, what) = match r.kind {
            Kind::AzureAccount => ("endpoint", "endpoint", "Endpoint of the Azure AI account"),
            Kind::AwsInferenceProfile => (
                "arn",
                "arn",
                "ARN of the Bedrock application inference profile",
            ),
            Kind::AwsProvisionedThroughput => (
                "arn",
                "provisioned_model_arn",
                "ARN of the Bedrock provisioned model",
            ),
            _ => return Ok(None),
        };
        let Some(t) = self.traversal(&r.address) else {
            return Ok(None);
        };
        Ok(Some(obj! {
            "name" => format!("{}_{suffix}", self.local(&r.address)?),
            "description" => format!("{what} {} ({})", r.address, r.name),
            "value" => obj! { "$expr" => format!("{t}.{attr}") },
        }))
    }

    /// For a router entry served by Vertex AI: the project and location to call.
    fn router_output(&self, r: &Resource) -> Result<Option<Value>, EmitError> {
        if r.attrs.get("cloud").and_then(Value::as_str) != Some(Cloud::Gcp.as_str()) {
            return Ok(None);
        }
        let serving: Address = r
            .attrs
            .get("serves_with")
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| unsupported(format!("{} names no serving resource", r.address)))?;
        let service = self.traversal(&serving).ok_or_else(|| {
            unsupported(format!(
                "{} is served by {serving}, which is not in the graph",
                r.address
            ))
        })?;
        let location = match self.targets.get(r.origin.as_str()) {
            Some(t) => t.vertex_location(),
            None => r.region.clone().unwrap_or_default(),
        };
        Ok(Some(obj! {
            "name" => self.local(&r.address)?,
            "description" => format!("Vertex AI project and location for {} ({})", r.address, r.origin),
            "value" => obj! { "project" => obj! { "$expr" => format!("{service}.project") }, "location" => location },
        }))
    }
}

/// The default region of an AWS partition, for provider configurations with no regional
/// resources.
fn default_region(partition: &str) -> &'static str {
    match partition {
        "aws-us-gov" => "us-gov-west-1",
        "aws-cn" => "cn-north-1",
        _ => "us-east-1",
    }
}

/// The vault name of a Key Vault key URL: `https://NAME.vault.azure.net/keys/KEY[/VERSION]`.
fn vault_name(key_url: &str) -> String {
    let host = key_url.split("://").nth(1).unwrap_or(key_url);
    host.split(['.', '/']).next().unwrap_or(host).to_string()
}

fn collect_refs(v: &Value, out: &mut BTreeSet<Address>) {
    if let Some((a, _)) = meridian_graph::as_reference(v) {
        out.insert(a);
        return;
    }
    match v {
        Value::Array(items) => items.iter().for_each(|i| collect_refs(i, out)),
        Value::Object(map) => map.values().for_each(|i| collect_refs(i, out)),
        _ => {}
    }
}

/// One IAM policy statement as the blocks of an `aws_iam_policy_document` statement.
fn statement(s: Value) -> Result<Value, String> {
    let Value::Object(obj) = s else {
        return Err("a statement is not an object".into());
    };
    let list = |v: Value| -> Value {
        match v {
            Value::Array(_) => v,
            other => Value::Array(vec![other]),
        }
    };
    let mut out = Map::new();
    let mut conditions = Vec::new();
    for (key, value) in obj {
        let name = match key.as_str() {
            "Sid" => "sid",
            "Effect" => "effect",
            "Action" => "actions",
            "NotAction" => "not_actions",
            "Resource" => "resources",
            "NotResource" => "not_resources",
            // Only a resource policy's "anyone" (an endpoint policy's principal).
            "Principal" if value == "*" => {
                out.insert(
                    "principals".to_string(),
                    json!([{"type": "*", "identifiers": ["*"]}]),
                );
                continue;
            }
            "Condition" => {
                let Value::Object(tests) = value else {
                    return Err("a Condition is not an object".into());
                };
                for (test, vars) in tests {
                    let Value::Object(vars) = vars else {
                        return Err("a condition operator does not map keys to values".into());
                    };
                    for (variable, values) in vars {
                        conditions.push(obj! {
                            "test" => test.as_str(),
                            "variable" => variable,
                            "values" => list(values),
                        });
                    }
                }
                continue;
            }
            other => {
                return Err(format!(
                    "the statement key {other} has no aws_iam_policy_document equivalent"
                ))
            }
        };
        let value = if name == "sid" || name == "effect" {
            value
        } else {
            list(value)
        };
        out.insert(name.to_string(), value);
    }
    out.insert("conditions".into(), Value::Array(conditions));
    // A block the statement does not have is null rather than absent: the template tests each
    // one, and looking up an undefined name is slow.
    for key in [
        "sid",
        "effect",
        "principals",
        "actions",
        "not_actions",
        "resources",
        "not_resources",
    ] {
        out.entry(key).or_insert(Value::Null);
    }
    Ok(Value::Object(out))
}

/// The Terraform blocks a resource view becomes: `(type, name)`, data sources as
/// `data.type`.
fn blocks(view: &Value) -> Vec<(String, String)> {
    let field = |k: &str| view.get(k).and_then(Value::as_str).unwrap_or_default();
    let local = field("local");
    let block = |ty: &str, name: String| (ty.to_string(), name);
    match field("kind") {
        "azure_account" => {
            let mut b = vec![block("azurerm_cognitive_account", local.to_string())];
            if view.get("cmk").is_some_and(|v| !v.is_null()) {
                b.push(block(
                    "data.azurerm_resources",
                    format!("{local}_key_vault"),
                ));
                b.push(block(
                    "azurerm_role_assignment",
                    format!("{local}_key_access"),
                ));
                b.push(block(
                    "azurerm_cognitive_account_customer_managed_key",
                    local.to_string(),
                ));
            }
            b
        }
        "aws_iam_policy" => {
            let attachment = view
                .pointer("/attachment/type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            vec![
                block("data.aws_iam_policy_document", local.to_string()),
                block("aws_iam_policy", local.to_string()),
                block(attachment, local.to_string()),
            ]
        }
        "azure_deployment" => vec![block("azurerm_cognitive_deployment", local.to_string())],
        "azure_role_assignment" => vec![block("azurerm_role_assignment", local.to_string())],
        "azure_diagnostic_setting" => {
            vec![block(
                "azurerm_monitor_diagnostic_setting",
                local.to_string(),
            )]
        }
        "aws_inference_profile" => vec![block("aws_bedrock_inference_profile", local.to_string())],
        "aws_provisioned_throughput" => vec![block(
            "aws_bedrock_provisioned_model_throughput",
            local.to_string(),
        )],
        "aws_invocation_logging" => vec![block(
            "aws_bedrock_model_invocation_logging_configuration",
            local.to_string(),
        )],
        "azure_private_endpoint" => vec![
            block(
                "data.azurerm_virtual_network",
                field("vnet_local").to_string(),
            ),
            block("azurerm_private_endpoint", local.to_string()),
        ],
        "azure_private_dns_zone" => vec![
            block("azurerm_private_dns_zone", local.to_string()),
            block(
                "azurerm_private_dns_zone_virtual_network_link",
                local.to_string(),
            ),
        ],
        "aws_vpc_endpoint" => vec![
            block("data.aws_subnet", local.to_string()),
            block("data.aws_iam_policy_document", local.to_string()),
            block("aws_vpc_endpoint", local.to_string()),
        ],
        "aws_log_lifecycle" => vec![block(
            "aws_s3_bucket_lifecycle_configuration",
            local.to_string(),
        )],
        "gcp_log_dataset" => {
            let mut b = vec![block("google_bigquery_dataset", local.to_string())];
            if view.get("kms_key_name").is_some_and(|v| !v.is_null()) {
                b.push(block(
                    "data.google_bigquery_default_service_account",
                    local.to_string(),
                ));
                b.push(block(
                    "google_kms_crypto_key_iam_member",
                    field("key_local").to_string(),
                ));
            }
            b
        }
        "gcp_request_logging" => {
            let mut b = vec![block("terraform_data", local.to_string())];
            if view
                .get("declare_client_config")
                .and_then(Value::as_bool)
                .unwrap_or(false)
            {
                b.push(block(
                    "data.google_client_config",
                    field("client_config").to_string(),
                ));
            }
            b
        }
        "gcp_service" => vec![block("google_project_service", local.to_string())],
        "gcp_iam_member" => vec![block("google_project_iam_member", local.to_string())],
        other => vec![block(other, local.to_string())],
    }
}

/// Fails when two blocks of one type, or two outputs, would share a name.
fn check_unique(
    resources: &BTreeMap<&'static str, Vec<Value>>,
    outputs: &[Value],
) -> Result<(), EmitError> {
    let mut seen = HashSet::new();
    for (ty, name) in resources.values().flatten().flat_map(blocks) {
        if !seen.insert((ty.clone(), name.clone())) {
            return Err(unsupported(format!(
                "two {ty} blocks would both be named {name}"
            )));
        }
    }
    let mut names = HashSet::new();
    for o in outputs {
        let name = o.get("name").and_then(Value::as_str).unwrap_or_default();
        if !names.insert(name.to_string()) {
            return Err(unsupported(format!(
                "two outputs would both be named {name}"
            )));
        }
    }
    Ok(())
}

/// Aligns the `=` of consecutive one-line attributes the way `terraform fmt` does: a run of
/// attribute lines at one indentation, unbroken by blank lines, comments, block headers or
/// attributes whose value spans lines, gets its keys padded to the longest (in characters).
/// An attribute whose value spans lines gets a single space on each side of its `=`.
fn align(text: &str) -> String {
    fn push_attribute(out: &mut String, a: &Attribute<'_>, width: usize) {
        push_spaces(out, a.indent);
        out.push_str(a.key);
        push_spaces(out, width.saturating_sub(a.width));
        out.push_str(" = ");
        out.push_str(a.value);
        out.push('\n');
    }
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut run: Vec<Attribute<'_>> = Vec::new();
    let flush = |out: &mut String, run: &mut Vec<Attribute<'_>>| {
        let width = run.iter().map(|a| a.width).max().unwrap_or(0);
        for a in run.iter() {
            push_attribute(out, a, width);
        }
        run.clear();
    };
    for line in text.split_inclusive('\n') {
        let content = line.strip_suffix('\n').unwrap_or(line);
        match attribute(content) {
            Some(a) if a.closed => {
                if run.first().is_some_and(|f| f.indent != a.indent) {
                    flush(&mut out, &mut run);
                }
                run.push(a);
            }
            Some(a) => {
                flush(&mut out, &mut run);
                push_attribute(&mut out, &a, 0);
            }
            None => {
                flush(&mut out, &mut run);
                out.push_str(line);
            }
        }
    }
    flush(&mut out, &mut run);
    if !text.ends_with('\n') && out.ends_with('\n') {
        out.pop();
    }
    out
}

/// Appends `n` spaces.
fn push_spaces(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

/// A line of the form `key = value`.
struct Attribute<'a> {
    indent: usize,
    key: &'a str,
    /// The key's length in characters.
    width: usize,
    value: &'a str,
    /// Whether every bracket the value opens closes on the same line.
    closed: bool,
}

/// The attribute a line holds, if it holds one.
fn attribute(line: &str) -> Option<Attribute<'_>> {
    let body = line.trim_start_matches(' ');
    let indent = line.len() - body.len();
    let key_len = if body.starts_with('"') {
        quoted_len(body)?
    } else {
        let first = *body.as_bytes().first()?;
        if !(first.is_ascii_alphabetic() || first == b'_') {
            return None;
        }
        body.bytes()
            .position(|c| !(c.is_ascii_alphanumeric() || c == b'_' || c == b'-'))
            .unwrap_or(body.len())
    };
    let (key, rest) = body.split_at(key_len);
    let value = rest.trim_start_matches(' ').strip_prefix('=')?;
    if value.starts_with('=') {
        return None;
    }
    let value = value.trim_start_matches(' ').trim_end();
    if value.is_empty() {
        return None;
    }
    let width = if key.is_ascii() {
        key.len()
    } else {
        key.chars().count()
    };
    Some(Attribute {
        indent,
        key,
        width,
        value,
        closed: brackets_closed(value),
    })
}

/// The byte length of the quoted string `s` starts with, quotes included. (Quotes and
/// backslashes are ASCII, so a byte scan finds the same ones as a scan by character.)
fn quoted_len(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, &c) in s.as_bytes().iter().enumerate().skip(1) {
        match c {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Whether every bracket opened in `value` (outside string literals) closes in it too.
fn brackets_closed(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut depth: i64 = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let Some(n) = quoted_len(&value[i..]) else {
                    return false;
                };
                i += n;
                continue;
            }
            b'{' | b'[' | b'(' => depth += 1,
            b'}' | b']' | b')' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    depth == 0
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::Templates;
    use meridian_graph::Graph;
    use meridian_model::ir::Emit;
    use std::path::PathBuf;

    const EXAMPLES: &[&str] = &["eu-bank", "eu-us-split", "global-product"];

    fn example_dir(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(name)
    }

    fn validate(loaded: &meridian_spec::Loaded, what: &str) -> Project {
        assert!(
            !loaded.diagnostics.has_errors(),
            "{what}: {:?}",
            loaded.diagnostics
        );
        let resolve = |p: &Path| Some(p.to_path_buf());
        let v = meridian_model::validate(
            &loaded.spec,
            &meridian_model::Options {
                catalog: meridian_catalog::Catalog::builtin(),
                today: meridian_model::Date::parse("2026-11-25").expect("date"),
                resolve_path: &resolve,
                own_files: &[],
            },
        );
        assert!(!v.diagnostics.has_errors(), "{what}: {:?}", v.diagnostics);
        v.project
    }

    /// Renders the Terraform of a project: file name → text.
    fn render(project: &Project, spec_files: &[String]) -> BTreeMap<String, String> {
        let graph = Graph::build(project).expect("no cycle");
        let templates = Templates::load(None).expect("templates");
        let emit = Emit {
            format: EmitFormat::Terraform,
            path: "tf".into(),
            language: None,
        };
        let locals = crate::local_names(&graph);
        let ctx = EmitContext {
            project,
            graph: &graph,
            spec_files,
            templates: &templates,
            emit: &emit,
            locals: &locals,
            drops: &crate::DeferredDrop::default(),
        };
        TerraformEmitter
            .render(&ctx)
            .expect("render")
            .into_iter()
            .map(|a| {
                assert_eq!(
                    a.path.parent(),
                    Some(Path::new("tf")),
                    "{}",
                    a.path.display()
                );
                (
                    a.path
                        .file_name()
                        .expect("name")
                        .to_string_lossy()
                        .into_owned(),
                    a.content,
                )
            })
            .collect()
    }

    fn render_example(name: &str) -> (String, BTreeMap<String, String>) {
        let dir = example_dir(name);
        let loaded = meridian_spec::load(&dir, &meridian_spec::Inputs::default());
        let project = validate(&loaded, name);
        let mut texts = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("dir") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "hcl") {
                let name = path
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned();
                texts.push((name, std::fs::read_to_string(&path).expect("read")));
            }
        }
        let names: Vec<String> = texts.into_iter().map(|(n, _)| n).collect();
        let files = render(&project, &names);
        (crate::provenance(&names), files)
    }

    fn render_text(text: &str) -> BTreeMap<String, String> {
        let loaded = meridian_spec::load_text("main.hcl", text, &meridian_spec::Inputs::default());
        let project = validate(&loaded, "spec text");
        render(&project, &["main.hcl".to_string()])
    }

    /// The block `kind "type" "name" { ... }` of a file, up to its closing brace.
    fn block<'t>(text: &'t str, header: &str) -> &'t str {
        let start = text
            .find(header)
            .unwrap_or_else(|| panic!("no {header} in\n{text}"));
        let end = text[start..]
            .find("\n}\n")
            .map_or(text.len(), |e| start + e + 2);
        &text[start..end]
    }

    #[test]
    fn every_example_renders_each_file_with_the_generated_header() {
        for ex in EXAMPLES {
            let (header, files) = render_example(ex);
            assert!(
                header.starts_with("Generated by Meridian from ") && header.contains(".hcl"),
                "{header}"
            );
            let names: Vec<&str> = files.keys().map(String::as_str).collect();
            assert_eq!(
                names,
                [
                    "aws.tf",
                    "azure.tf",
                    "gcp.tf",
                    "outputs.tf",
                    "providers.tf",
                    "versions.tf"
                ],
                "{ex}"
            );
            let header = format!("# {header}\n");
            for (name, text) in &files {
                assert!(
                    text.starts_with(&header),
                    "{ex}/{name} starts with {:?}",
                    text.lines().next()
                );
                assert!(
                    text.ends_with("}\n") || text.ends_with(".\n"),
                    "{ex}/{name} ends with one newline"
                );
                assert!(
                    !text.contains("\n\n\n"),
                    "{ex}/{name} has no double blank lines"
                );
                assert!(!text.contains(" \n"), "{ex}/{name} has no trailing spaces");
            }
        }
    }

    #[test]
    fn rendering_twice_gives_identical_files() {
        for ex in EXAMPLES {
            assert_eq!(render_example(ex), render_example(ex), "{ex}");
        }
    }

    #[test]
    fn generated_files_hold_no_credentials() {
        let forbidden = [
            "access_key",
            "secret_key",
            "client_secret",
            "client_certificate",
            "password",
            "token",
            "credentials",
            "private_key",
            "BEGIN ",
            "AKIA",
            "sk-",
            "use_cli",
            "shared_credentials",
        ];
        // The one token a generated file names: the Google provider's own access token, read
        // at apply time from data.google_client_config by the request-logging provisioner.
        let reads_own_token = |l: &str| {
            l.contains(".access_token")
                && l.trim_start()
                    .starts_with("TOKEN = data.google_client_config.")
                || l.trim_start().starts_with("command     = \"curl ")
        };
        for ex in EXAMPLES {
            for (name, text) in render_example(ex).1 {
                let code: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with('#'))
                    .filter(|l| !reads_own_token(l))
                    .collect();
                for f in forbidden {
                    assert!(
                        !code.iter().any(|l| l.contains(f)),
                        "{ex}/{name} contains {f}"
                    );
                }
            }
        }
    }

    #[test]
    fn versions_pin_exact_provider_releases_of_the_clouds_used() {
        let (_, files) = render_example("eu-bank");
        let v = &files["versions.tf"];
        for (name, source, version) in [
            ("aws", "hashicorp/aws", "= 6.59.0"),
            ("azurerm", "hashicorp/azurerm", "= 4.81.0"),
            ("google", "hashicorp/google", "= 7.45.0"),
        ] {
            let b = block(v, &format!("    {name} = {{"));
            assert!(
                b.contains(&format!("source  = \"{source}\""))
                    && b.contains(&format!("version = \"{version}\"")),
                "{b}"
            );
        }
        assert!(v.contains("required_version = \">= 1.11.0\""));
        let azure_only = render_text(&spec_azure_only());
        assert!(!azure_only["versions.tf"].contains("hashicorp/aws"));
        assert!(!azure_only.contains_key("aws.tf") && !azure_only.contains_key("gcp.tf"));
    }

    #[test]
    fn providers_are_aliased_per_spec_provider_and_aws_region() {
        let (_, files) = render_example("eu-bank");
        let p = &files["providers.tf"];
        let azure = block(p, "provider \"azurerm\" {");
        for line in [
            "alias           = \"corp\"",
            "subscription_id = \"6f1c2b7e-",
            "tenant_id       = \"0d5e8c2a-",
            "resource_provider_registrations = \"none\"",
            "features {}",
        ] {
            assert!(azure.contains(line), "{line} in {azure}");
        }
        for (alias, region) in [
            ("corp", "eu-central-1"),
            ("corp_eu_central_1", "eu-central-1"),
            ("corp_eu_north_1", "eu-north-1"),
            ("corp_eu_west_1", "eu-west-1"),
        ] {
            let b = block(p, &format!("  alias  = \"{alias}\"\n"));
            assert!(
                b.contains(&format!("region = \"{region}\"")) && b.contains("\"418295730641\","),
                "{b}"
            );
        }
        assert!(block(p, "provider \"google\" {").contains("project = \"ebk-ml-prod\""));
        // Every resource names one of these configurations.
        let aws = &files["aws.tf"];
        assert!(
            aws.contains("provider = aws.corp_eu_west_1\n")
                && aws.contains("provider = aws.corp\n")
        );
        let (_, split) = render_example("eu-us-split");
        let p = &split["providers.tf"];
        for alias in [
            "\"eu\"",
            "\"eu_eu_north_1\"",
            "\"eu_eu_west_1\"",
            "\"us\"",
            "\"us_us_east_1\"",
            "\"us_us_west_2\"",
        ] {
            assert!(p.contains(&format!("alias  = {alias}\n")), "{alias}");
        }
        assert!(block(p, "alias  = \"us\"").contains("\"593160274488\""));
    }

    #[test]
    fn azure_accounts_are_secure_by_default_and_honour_the_spec() {
        let (_, files) = render_example("eu-bank");
        let azure = &files["azure.tf"];
        let account = block(
            azure,
            "resource \"azurerm_cognitive_account\" \"azure_corp_account_swedencentral\"",
        );
        for line in [
            "provider = azurerm.corp",
            "kind                               = \"AIServices\"",
            "custom_subdomain_name              = \"ebk-assistants-corp-swedencentral\"",
            "local_auth_enabled                 = false",
            "public_network_access_enabled      = false",
            // Waived in the spec: DLP is not used, egress is denied by the hub firewall.
            "outbound_network_access_restricted = false",
            "#checkov:skip=CKV_AZURE_247:Egress is denied by the hub firewall (Azure Firewall policy fwp-ebk-hub); accepted in risk review R-2025-31",
            "#checkov:skip=CKV2_AZURE_22:encrypted with the customer-managed key https://kv-ebk-ai-swc.vault.azure.net/keys/cmk-openai",
            "type = \"SystemAssigned\"",
            "default_action = \"Deny\"",
            "ip_rules       = []",
            "\"meridian-address\"    = \"azure.corp.account.swedencentral\"",
            "\"managed-by\"          = \"meridian\"",
            "\"cost_center\"         = \"cc-4711\"",
        ] {
            assert!(account.contains(line), "{line} in\n{account}");
        }
        // Without public access, the account's way in: a private endpoint in the spec's
        // subnet, in its virtual network's region, registered in the private DNS zones of
        // the account's three host names, which are linked to that network.
        let pe = block(
            azure,
            "resource \"azurerm_private_endpoint\" \"azure_corp_private_endpoint_swedencentral\"",
        );
        assert!(pe.contains("subnet_id           = \"/subscriptions/6f1c2b7e-93a4-4d2e-9b0f-2c5e8a71d4b3/resourceGroups/rg-ebk-network/"), "{pe}");
        assert!(pe.contains("private_connection_resource_id = azurerm_cognitive_account.azure_corp_account_swedencentral.id"));
        assert!(
            pe.contains("subresource_names = [\n      \"account\",\n    ]"),
            "{pe}"
        );
        assert!(pe.contains("location            = data.azurerm_virtual_network.azure_corp_private_endpoint_swedencentral_network.location"), "{pe}");
        assert!(pe.contains("private_dns_zone_group {\n    name = \"default\"\n    private_dns_zone_ids = [\n      azurerm_private_dns_zone.azure_corp_private_dns_zone_cognitiveservices.id,\n      azurerm_private_dns_zone.azure_corp_private_dns_zone_openai.id,\n      azurerm_private_dns_zone.azure_corp_private_dns_zone_services_ai.id,\n    ]"), "{pe}");
        let vnet = block(azure, "data \"azurerm_virtual_network\"");
        assert!(
            vnet.contains("name                = \"vnet-ebk-hub-swc\"")
                && vnet.contains("resource_group_name = \"rg-ebk-network\""),
            "{vnet}"
        );
        for (key, zone) in [
            (
                "cognitiveservices",
                "privatelink.cognitiveservices.azure.com",
            ),
            ("openai", "privatelink.openai.azure.com"),
            ("services_ai", "privatelink.services.ai.azure.com"),
        ] {
            let z = block(
                azure,
                &format!(
                    "resource \"azurerm_private_dns_zone\" \"azure_corp_private_dns_zone_{key}\""
                ),
            );
            assert!(
                z.contains(&format!("name                = \"{zone}\"")),
                "{z}"
            );
            let link = block(azure, &format!("resource \"azurerm_private_dns_zone_virtual_network_link\" \"azure_corp_private_dns_zone_{key}\""));
            assert!(link.contains("virtual_network_id    = \"/subscriptions/6f1c2b7e-93a4-4d2e-9b0f-2c5e8a71d4b3/resourceGroups/rg-ebk-network/providers/Microsoft.Network/virtualNetworks/vnet-ebk-hub-swc\""), "{link}");
            assert!(link.contains("registration_enabled  = false"), "{link}");
        }
        let cmk = block(
            azure,
            "resource \"azurerm_cognitive_account_customer_managed_key\"",
        );
        assert!(
            cmk.contains(
                "key_vault_key_id     = \"https://kv-ebk-ai-swc.vault.azure.net/keys/cmk-openai\""
            ),
            "{cmk}"
        );
        assert!(cmk.contains(
            "depends_on = [azurerm_role_assignment.azure_corp_account_swedencentral_key_access]"
        ));
        let grant = block(
            azure,
            "resource \"azurerm_role_assignment\" \"azure_corp_account_swedencentral_key_access\"",
        );
        assert!(grant.contains("scope                = data.azurerm_resources.azure_corp_account_swedencentral_key_vault.resources[0].id"));
        assert!(grant.contains("principal_id         = azurerm_cognitive_account.azure_corp_account_swedencentral.identity[0].principal_id"));
        assert!(block(azure, "data \"azurerm_resources\"").contains("name = \"kv-ebk-ai-swc\""));
        // The account leaves the key to that resource, or the next plan would remove it.
        assert!(
            account.contains("ignore_changes = [customer_managed_key]"),
            "{account}"
        );

        let deployment = block(azure, "resource \"azurerm_cognitive_deployment\" \"azure_corp_deployment_assistant_aoai_sweden\"");
        for line in [
            "name                   = \"assistant-aoai-sweden\"",
            "cognitive_account_id   = azurerm_cognitive_account.azure_corp_account_swedencentral.id",
            "version_upgrade_option = \"NoAutoUpgrade\"",
            "rai_policy_name        = \"Microsoft.DefaultV2\"",
            "format  = \"OpenAI\"",
            "name    = \"gpt-5.1\"",
            "version = \"2025-11-13\"",
            "name     = \"Standard\"",
            "capacity = 250",
        ] {
            assert!(deployment.contains(line), "{line} in\n{deployment}");
        }
        // No sku tier: it shows as a change on every plan (azurerm #3728).
        assert!(!deployment.contains("tier"));
        let diag = block(azure, "resource \"azurerm_monitor_diagnostic_setting\"");
        assert!(
            diag.contains("enabled_log {\n    category = \"Audit\"\n  }")
                && diag.contains("category = \"RequestResponse\""),
            "{diag}"
        );
        let role = block(azure, "resource \"azurerm_role_assignment\" \"azure_corp_role_assignment_online_banking_swedencentral_3b9f6d1e\"");
        assert!(
            role.contains("role_definition_name = \"Cognitive Services OpenAI User\"")
                && role.contains("principal_id         = \"3b9f6d1e-"),
            "{role}"
        );

        // Without an encryption block or a waiver: DLP on, the CMK skip says why. Public access
        // from the listed addresses only, and no private endpoint without a subnet.
        let (_, product) = render_example("global-product");
        let account = block(
            &product["azure.tf"],
            "resource \"azurerm_cognitive_account\"",
        );
        assert!(
            account.contains("outbound_network_access_restricted = true"),
            "{account}"
        );
        assert!(account
            .contains("#checkov:skip=CKV2_AZURE_22:provider.azure.prod has no encryption block"));
        assert!(
            account.contains("public_network_access_enabled      = true")
                && account.contains("default_action = \"Deny\"")
                && account.contains("\"203.0.113.32/28\",")
                && account.contains("#checkov:skip=CKV_AZURE_134:provider.azure.prod sets network.public_access = true: the public endpoint admits only 203.0.113.32/28, 198.51.100.14"),
            "{account}"
        );
        assert!(!product["azure.tf"].contains("azurerm_private_endpoint\" \""));
        assert!(product["azure.tf"]
            .contains("name     = \"GlobalProvisionedManaged\"\n    capacity = 50"));
    }

    #[test]
    fn aws_resources_use_regional_providers_and_least_privilege_documents() {
        let (_, files) = render_example("eu-bank");
        let aws = &files["aws.tf"];
        let profile = block(aws, "resource \"aws_bedrock_inference_profile\" \"aws_corp_inference_profile_assistant_bedrock_frankfurt\"");
        for line in [
            "provider = aws.corp_eu_central_1",
            "name        = \"ebk-assistants-assistant-bedrock-frankfurt\"",
            "description = \"Customer-facing assistant in online banking and the mobile app\"",
            "copy_from = \"arn:aws:bedrock:eu-central-1:418295730641:inference-profile/eu.anthropic.claude-sonnet-4-5-20250929-v1:0\"",
            "\"meridian-address\"    = \"aws.corp.inference-profile.assistant-bedrock-frankfurt\"",
        ] {
            assert!(profile.contains(line), "{line} in\n{profile}");
        }
        let doc = block(
            aws,
            "data \"aws_iam_policy_document\" \"aws_corp_iam_policy_online_banking_4d9a602d\"",
        );
        assert!(doc.contains("aws_bedrock_inference_profile.aws_corp_inference_profile_assistant_bedrock_frankfurt.arn,"), "{doc}");
        assert!(doc.contains("variable = \"bedrock:InferenceProfileArn\""));
        assert!(doc.contains("sid    = \"DenyGlobalRouting\"\n    effect = \"Deny\""));
        let policy = block(
            aws,
            "resource \"aws_iam_policy\" \"aws_corp_iam_policy_online_banking_4d9a602d\"",
        );
        assert!(policy.contains("policy      = data.aws_iam_policy_document.aws_corp_iam_policy_online_banking_4d9a602d.json"), "{policy}");
        let attach = block(aws, "resource \"aws_iam_role_policy_attachment\" \"aws_corp_iam_policy_online_banking_4d9a602d\"");
        assert!(
            attach.contains("role       = \"ebk-online-banking-assistant\"")
                && attach.contains("policy_arn = aws_iam_policy."),
            "{attach}"
        );
        let logging = block(aws, "resource \"aws_bedrock_model_invocation_logging_configuration\" \"aws_corp_invocation_logging_eu_west_1\"");
        for line in [
            "provider = aws.corp_eu_west_1",
            "text_data_delivery_enabled      = true",
            "video_data_delivery_enabled     = true",
            // Each region logs to the bucket of its own sink (Bedrock's rule).
            "bucket_name = \"ebk-ai-prod-bedrock-invocations-euw1\"",
            "key_prefix  = \"ebk-assistants/eu-west-1\"",
        ] {
            assert!(logging.contains(line), "{line} in\n{logging}");
        }
        let retention = block(
            aws,
            "resource \"aws_s3_bucket_lifecycle_configuration\" \"aws_corp_log_lifecycle_audit_ireland\"",
        );
        for line in [
            "provider = aws.corp_eu_west_1",
            "bucket = \"ebk-ai-prod-bedrock-invocations-euw1\"",
            "prefix = \"ebk-assistants/\"",
            "days = 400",
            "days_after_initiation = 7",
        ] {
            assert!(retention.contains(line), "{line} in\n{retention}");
        }
        // One configuration per region with Bedrock traffic, and one lifecycle per sink.
        assert_eq!(
            aws.matches("resource \"aws_bedrock_model_invocation_logging_configuration\"")
                .count(),
            3
        );
        assert_eq!(
            aws.matches("resource \"aws_s3_bucket_lifecycle_configuration\"")
                .count(),
            3
        );
    }

    #[test]
    fn gcp_enables_the_api_before_granting_roles() {
        let (_, files) = render_example("eu-bank");
        let gcp = &files["gcp.tf"];
        let service = block(
            gcp,
            "resource \"google_project_service\" \"gcp_corp_service_aiplatform\"",
        );
        assert!(
            service.contains("disable_on_destroy = false")
                && service.contains("service            = \"aiplatform.googleapis.com\""),
            "{service}"
        );
        let member = block(gcp, "resource \"google_project_iam_member\" \"gcp_corp_iam_member_online_banking_a8bfa876\"");
        assert!(
            member.contains("role    = \"roles/aiplatform.user\""),
            "{member}"
        );
        assert!(
            member.contains(
                "depends_on = [\n    google_project_service.gcp_corp_service_aiplatform,\n  ]"
            ),
            "{member}"
        );
        assert!(!gcp.contains("labels ="));
    }

    #[test]
    fn outputs_give_the_router_endpoints_arns_and_vertex_locations() {
        let (_, files) = render_example("eu-bank");
        let o = &files["outputs.tf"];
        assert!(
            block(o, "output \"azure_corp_account_swedencentral_endpoint\"").contains(
                "value       = azurerm_cognitive_account.azure_corp_account_swedencentral.endpoint"
            )
        );
        assert!(block(o, "output \"aws_corp_inference_profile_triage_bedrock_ireland_arn\"").contains("value       = aws_bedrock_inference_profile.aws_corp_inference_profile_triage_bedrock_ireland.arn"));
        let vertex = block(o, "output \"router_assistant_deployment_vertex_eu\"");
        assert!(
            vertex.contains("\"location\" = \"eu\"")
                && vertex.contains(
                    "\"project\"  = google_project_service.gcp_corp_service_aiplatform.project"
                ),
            "{vertex}"
        );
        let count = o.matches("\noutput \"").count();
        // One account, four profiles, three Vertex targets.
        assert_eq!(count, 8, "{o}");
    }

    fn spec_azure_only() -> String {
        r#"meridian {
  name = "solo"
}

provider "azure" "corp" {
  subscription_id = "11111111-2222-3333-4444-555555555555"
  resource_group  = "rg-ai"
}

model "chat" {
  capabilities = ["chat"]
  tier "primary" {
    target "aoai" {
      provider   = provider.azure.corp
      model      = "gpt-5.1"
      version    = "2025-11-13"
      region     = "swedencentral"
      processing = "region"
    }
  }
}
"#
        .to_string()
    }

    /// Public access, an IAM user, provisioned throughput and a waiver for a check Meridian
    /// does not know.
    pub(crate) const EDGE_SPEC: &str = r#"meridian {
  name         = "edge-case"
  default_tags = { cost_center = "cc-1", owner = "qa" }
}

provider "azure" "lab-1" {
  subscription_id = "6f1c2b7e-93a4-4d2e-9b0f-2c5e8a71d4b3"
  resource_group  = "rg-lab"

  network {
    public_access = true
    allowed_ips   = ["203.0.113.7", "198.51.100.0/24"]
  }

  waiver "CKV_AZURE_999" {
    reason = "A check Meridian does not know goes on every resource of the provider"
  }
}

provider "aws" "lab-1" {
  account_id = "018295730641"
}

model "chat" {
  capabilities = ["chat"]

  tier "primary" {
    target "aoai" {
      provider   = provider.azure.lab-1
      model      = "gpt-5.1"
      version    = "2025-11-13"
      region     = "swedencentral"
      processing = "region"
    }
  }

  tier "secondary" {
    target "bedrock-ptu" {
      provider   = provider.aws.lab-1
      model      = "amazon.nova-pro-v1:0"
      region     = "us-east-1"
      processing = "region"
      billing    = "provisioned"
      capacity   = 2
    }
  }
}

access "ops" {
  models = [model.chat]
  aws    = ["arn:aws:iam::018295730641:user/ops/alice", "arn:aws:iam::018295730641:role/path/to/chat-runner"]
  azure  = ["11111111-2222-3333-4444-555555555555"]
}
"#;

    #[test]
    fn spec_departures_become_reasoned_skips() {
        let files = render_text(EDGE_SPEC);
        let azure = &files["azure.tf"];
        let account = block(azure, "resource \"azurerm_cognitive_account\"");
        assert!(account.contains("provider = azurerm.lab_1"), "{account}");
        assert!(account.contains("public_network_access_enabled      = true"));
        assert!(
            account.contains(
                "ip_rules = [\n      \"203.0.113.7\",\n      \"198.51.100.0/24\",\n    ]"
            ),
            "{account}"
        );
        assert!(account.contains("#checkov:skip=CKV_AZURE_134:provider.azure.lab-1 sets network.public_access = true: the public endpoint admits only 203.0.113.7, 198.51.100.0/24"));
        // Skips are sorted by check id; an unknown check goes on every resource of the provider.
        let first = account.find("CKV2_AZURE_22").expect("cmk skip");
        assert!(
            first < account.find("CKV_AZURE_134").expect("134")
                && account.contains("#checkov:skip=CKV_AZURE_999:")
        );
        assert!(block(azure, "resource \"azurerm_cognitive_deployment\"")
            .contains("#checkov:skip=CKV_AZURE_999:A check Meridian"));
        let aws = &files["aws.tf"];
        assert!(!aws.contains("CKV_AZURE_999"));
        let ptu = block(aws, "resource \"aws_bedrock_provisioned_model_throughput\"");
        assert!(
            ptu.contains("provider = aws.lab_1_us_east_1")
                && ptu.contains("model_units            = 2"),
            "{ptu}"
        );
        assert!(aws.contains("aws_bedrock_provisioned_model_throughput.aws_lab_1_provisioned_throughput_chat_bedrock_ptu.provisioned_model_arn,"));
        let user = block(aws, "resource \"aws_iam_user_policy_attachment\"");
        assert!(
            user.contains("user       = \"alice\"")
                && user.contains(
                    "#checkov:skip=CKV_AWS_40:access.ops grants model access to the IAM user"
                ),
            "{user}"
        );
        assert!(block(aws, "resource \"aws_iam_role_policy_attachment\"")
            .contains("role       = \"chat-runner\""));
        assert!(files["outputs.tf"].contains("value       = aws_bedrock_provisioned_model_throughput.aws_lab_1_provisioned_throughput_chat_bedrock_ptu.provisioned_model_arn"));
    }

    /// A VPC endpoint for Bedrock without public access, and Vertex AI traffic logged into a
    /// dataset encrypted with the provider's key.
    pub(crate) const PRIVATE_SPEC: &str = r#"meridian {
  name = "private-lab"
}

provider "aws" "lab" {
  account_id = "018295730641"

  network {
    private_endpoint_subnet_id = "subnet-0123456789abcdef0"
  }
}

provider "gcp" "lab" {
  project = "private-lab"

  encryption {
    key_id = "projects/private-lab/locations/europe-west4/keyRings/ai/cryptoKeys/logs"
  }
}

model "chat" {
  capabilities = ["chat"]

  tier "primary" {
    target "bedrock" {
      provider   = provider.aws.lab
      model      = "anthropic.claude-sonnet-4-5-20250929-v1:0"
      region     = "eu-central-1"
      processing = "geography"
    }
  }

  tier "secondary" {
    target "vertex-claude" {
      provider   = provider.gcp.lab
      model      = "claude-sonnet-4-5@20250929"
      region     = "europe-west1"
      processing = "region"
    }
  }
}

access "app" {
  models = [model.chat]
  aws    = ["arn:aws:iam::018295730641:role/app"]
}

logging "vertex" {
  retention_days = 7

  gcp {
    bigquery_dataset = "lab_vertex_logs"
    location         = "EU"
  }
}
"#;

    #[test]
    fn private_bedrock_and_vertex_logging() {
        let files = render_text(PRIVATE_SPEC);
        let aws = &files["aws.tf"];
        let endpoint = block(aws, "resource \"aws_vpc_endpoint\"");
        for line in [
            "provider = aws.lab_eu_central_1",
            "vpc_id            = data.aws_subnet.aws_lab_vpc_endpoint_bedrock_runtime.vpc_id",
            "service_name      = \"com.amazonaws.eu-central-1.bedrock-runtime\"",
            "vpc_endpoint_type = \"Interface\"",
            "private_dns_enabled = true",
            "policy              = data.aws_iam_policy_document.aws_lab_vpc_endpoint_bedrock_runtime.json",
        ] {
            assert!(endpoint.contains(line), "{line} in\n{endpoint}");
        }
        // The endpoint admits invocations of this project's profile only.
        let policy = block(
            aws,
            "data \"aws_iam_policy_document\" \"aws_lab_vpc_endpoint_bedrock_runtime\"",
        );
        assert!(
            policy.contains("type = \"*\"")
                && policy.contains(
                    "aws_bedrock_inference_profile.aws_lab_inference_profile_chat_bedrock.arn,"
                ),
            "{policy}"
        );
        // Without public access, IAM denies calls to the profile that do not come through it.
        let grant = block(
            aws,
            "data \"aws_iam_policy_document\" \"aws_lab_iam_policy_app_",
        );
        let deny = &grant[grant.find("DenyOutsideNetwork").expect("deny statement")..];
        assert!(
            deny.contains("effect = \"Deny\"")
                && deny.contains("test     = \"StringNotEquals\"")
                && deny.contains("variable = \"aws:SourceVpce\"")
                && deny.contains("aws_vpc_endpoint.aws_lab_vpc_endpoint_bedrock_runtime.id,"),
            "{grant}"
        );

        let gcp = &files["gcp.tf"];
        let dataset = block(gcp, "resource \"google_bigquery_dataset\"");
        for line in [
            "dataset_id                      = \"lab_vertex_logs\"",
            "location                        = \"EU\"",
            "default_partition_expiration_ms = 604800000",
            "kms_key_name = \"projects/private-lab/locations/europe-west4/keyRings/ai/cryptoKeys/logs\"",
            "google_kms_crypto_key_iam_member.gcp_lab_log_dataset_vertex_key_access,",
        ] {
            assert!(dataset.contains(line), "{line} in\n{dataset}");
        }
        assert!(!dataset.contains("CKV_GCP_81"), "{dataset}");
        assert!(block(gcp, "resource \"google_kms_crypto_key_iam_member\"").contains(
            "member        = data.google_bigquery_default_service_account.gcp_lab_log_dataset_vertex.member"
        ));
        // Claude on its regional endpoint: the europe-west1 host, publisher anthropic.
        let logging = block(gcp, "resource \"terraform_data\"");
        for line in [
            "model         = \"projects/private-lab/locations/europe-west1/publishers/anthropic/models/claude-sonnet-4-5@20250929\"",
            "destination   = \"bq://private-lab.lab_vertex_logs\"",
            "sampling_rate = 1",
            "URL   = \"https://europe-west1-aiplatform.googleapis.com/v1beta1/projects/private-lab/locations/europe-west1/publishers/anthropic/models/claude-sonnet-4-5@20250929:setPublisherModelConfig\"",
            "TOKEN = data.google_client_config.lab.access_token",
            "google_bigquery_dataset.gcp_lab_log_dataset_vertex,",
        ] {
            assert!(logging.contains(line), "{line} in\n{logging}");
        }
        // The command is fixed text: what the spec says reaches it only through variables.
        assert!(logging.contains(&format!(
            "command     = {}",
            crate::escape::hcl_string(crate::REQUEST_LOGGING_COMMAND)
        )));
        let body = logging
            .lines()
            .find_map(|l| l.trim().strip_prefix("BODY  = "))
            .expect("BODY");
        let body: String = serde_json::from_str(body).expect("an HCL string is a JSON string");
        assert_eq!(
            serde_json::from_str::<Value>(&body).expect("JSON body"),
            json!({"publisherModelConfig": {"loggingConfig": {"enabled": true, "samplingRate": 1, "bigqueryDestination": {"outputUri": "bq://private-lab.lab_vertex_logs"}}}})
        );
    }

    #[test]
    fn a_template_override_replaces_the_builtin_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("terraform")).expect("mkdir");
        std::fs::write(
            dir.path().join("terraform/header.tera"),
            "# ours {{ header | comment }}\n",
        )
        .expect("write");
        let templates = Templates::load(Some(dir.path())).expect("templates");
        let loaded = meridian_spec::load_text(
            "main.hcl",
            &spec_azure_only(),
            &meridian_spec::Inputs::default(),
        );
        let project = validate(&loaded, "azure only");
        let graph = Graph::build(&project).expect("graph");
        let emit = Emit {
            format: EmitFormat::Terraform,
            path: "out".into(),
            language: None,
        };
        let locals = crate::local_names(&graph);
        let ctx = EmitContext {
            project: &project,
            graph: &graph,
            spec_files: &["main.hcl".to_string()],
            templates: &templates,
            emit: &emit,
            locals: &locals,
            drops: &crate::DeferredDrop::default(),
        };
        let files = TerraformEmitter.render(&ctx).expect("render");
        assert!(
            files.iter().all(|a| a
                .content
                .starts_with("# ours Generated by Meridian from main.hcl. Do")),
            "{:?}",
            files[0].content
        );
    }

    #[test]
    fn align_matches_terraform_fmt() {
        let input = "resource \"x\" \"y\" {\n  a = 1\n  # c\n  bbb = 2\n  ccccc = [\"x\"]\n  dd = { a = 1 }\n  e = \"a = b\"\n  tags   =   {\n    \"a\\\"b = c\" = 1\n    \"d\" = 2\n    \"üü☃\" = \"{[\"\n  }\n  list = [\n    \"a = b\",\n  ]\n  z = 2\n\n  block {\n    x = 1\n    yyy = 2\n  }\n  after = 3\n}\n";
        let want = "resource \"x\" \"y\" {\n  a = 1\n  # c\n  bbb   = 2\n  ccccc = [\"x\"]\n  dd    = { a = 1 }\n  e     = \"a = b\"\n  tags = {\n    \"a\\\"b = c\" = 1\n    \"d\"        = 2\n    \"üü☃\"      = \"{[\"\n  }\n  list = [\n    \"a = b\",\n  ]\n  z = 2\n\n  block {\n    x   = 1\n    yyy = 2\n  }\n  after = 3\n}\n";
        assert_eq!(align(input), want);
        assert_eq!(align(want), want);
        assert_eq!(align("a == b\nx"), "a == b\nx");
        assert_eq!(align("a = 1\nbb = 2"), "a  = 1\nbb = 2");
    }

    #[test]
    fn every_block_name_is_checked_for_uniqueness() {
        // The blocks the uniqueness check knows are exactly the blocks the templates write.
        for ex in EXAMPLES {
            let (_, files) = render_example(ex);
            let mut written: Vec<(String, String)> = Vec::new();
            for text in files.values() {
                for line in text.lines() {
                    let mut words = line.split('"');
                    match (words.next(), words.next(), words.nth(1)) {
                        (Some("resource "), Some(ty), Some(name)) => {
                            written.push((ty.to_string(), name.to_string()));
                        }
                        (Some("data "), Some(ty), Some(name)) => {
                            written.push((format!("data.{ty}"), name.to_string()));
                        }
                        _ => {}
                    }
                }
            }
            let project = {
                let loaded =
                    meridian_spec::load(&example_dir(ex), &meridian_spec::Inputs::default());
                validate(&loaded, ex)
            };
            let graph = Graph::build(&project).expect("graph");
            let templates = Templates::load(None).expect("templates");
            let emit = Emit {
                format: EmitFormat::Terraform,
                path: "tf".into(),
                language: None,
            };
            let locals = crate::local_names(&graph);
            let ctx = EmitContext {
                project: &project,
                graph: &graph,
                spec_files: &["main.hcl".to_string()],
                templates: &templates,
                emit: &emit,
                locals: &locals,
                drops: &crate::DeferredDrop::default(),
            };
            let views = Builder::new(&ctx).views().expect("views");
            let mut known: Vec<(String, String)> = views
                .resources
                .values()
                .flatten()
                .flat_map(blocks)
                .collect();
            written.sort();
            known.sort();
            assert_eq!(written, known, "{ex}");
        }
    }

    #[test]
    fn identifiers_vault_names_and_statements() {
        assert_eq!(ident("lab-1"), "lab_1");
        assert_eq!(ident("9x"), "p_9x");
        assert_eq!(ident(""), "p_");
        assert_eq!(
            vault_name("https://kv-ebk.vault.azure.net/keys/ai/0123"),
            "kv-ebk"
        );
        assert_eq!(
            vault_name("https://kv-gov.vault.usgovcloudapi.net/keys/k"),
            "kv-gov"
        );
        let s = statement(json!({"Sid": "A", "Effect": "Allow", "Action": "x:Y", "Resource": ["r"], "Condition": {"StringEquals": {"k": "v"}}}))
            .expect("statement");
        assert_eq!(
            s,
            json!({"sid": "A", "effect": "Allow", "principals": null, "actions": ["x:Y"], "not_actions": null, "resources": ["r"], "not_resources": null, "conditions": [{"test": "StringEquals", "variable": "k", "values": ["v"]}]})
        );
        assert_eq!(
            statement(json!({"Principal": "*"})).expect("anyone")["principals"],
            json!([{"type": "*", "identifiers": ["*"]}])
        );
        assert!(statement(json!({"Principal": {"AWS": "arn:aws:iam::1:root"}})).is_err());
    }
}
