//! Deriving the desired resources from the validated model.

use crate::fx::FxBuildHasher;
use crate::{names, reference, Address, Graph, Kind, Resource};
use meridian_catalog::{Billing, Cloud, Processing};
use meridian_model::ir::{Access, Model, Project, Provider, Target};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The value of the `managed-by` tag on everything Meridian creates.
pub const MANAGED_BY: &str = "meridian";

/// From this much work on (targets, or models granted access), resources are derived on two
/// threads ([`Builder::split`]).
const PARALLEL_WEIGHT: usize = 512;

/// The Azure role that lets a principal call deployments, and nothing more.
const AZURE_CALLER_ROLE: &str = "Cognitive Services OpenAI User";

/// The private DNS zones of an AI Services account's `account` sub-resource, by the key of
/// their address: the account answers on its `cognitiveservices.azure.com`,
/// `openai.azure.com` and `services.ai.azure.com` host names, each resolved to the private
/// endpoint through its `privatelink.` zone (learn.microsoft.com/azure/private-link/
/// private-endpoint-dns, "AI + Machine Learning", as of 2026-07).
pub const AZURE_ACCOUNT_DNS_ZONES: &[(&str, &str)] = &[
    (
        "cognitiveservices",
        "privatelink.cognitiveservices.azure.com",
    ),
    ("openai", "privatelink.openai.azure.com"),
    ("services-ai", "privatelink.services.ai.azure.com"),
];

/// The parts of an Azure subnet resource id
/// (`/subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/V/subnets/N`):
/// the virtual network's id, resource group and name.
pub fn azure_subnet_network(subnet_id: &str) -> Option<(String, String, String)> {
    let parts: Vec<&str> = subnet_id.trim_end_matches('/').split('/').collect();
    // ["", "subscriptions", S, "resourceGroups", RG, "providers", "Microsoft.Network",
    //  "virtualNetworks", V, "subnets", N]
    if parts.len() != 11
        || !parts[1].eq_ignore_ascii_case("subscriptions")
        || !parts[3].eq_ignore_ascii_case("resourcegroups")
        || !parts[7].eq_ignore_ascii_case("virtualnetworks")
        || !parts[9].eq_ignore_ascii_case("subnets")
    {
        return None;
    }
    Some((
        parts[..9].join("/"),
        parts[4].to_string(),
        parts[8].to_string(),
    ))
}

struct Builder<'p> {
    project: &'p Project,
    /// The resources, in the order they were first added.
    out: Vec<Resource>,
    /// The addresses in `out`: a resource added twice keeps its first definition.
    added: HashSet<Address, FxBuildHasher>,
    extra_edges: Vec<(Address, Address)>,
    /// The tags every resource carries (the default tags plus the management tags), to which
    /// each resource adds its address.
    base_tags: BTreeMap<String, String>,
}

/// A JSON string value.
fn string(s: impl Into<String>) -> Value {
    Value::String(s.into())
}

/// A JSON object of `entries`, each value moved in (`json!` serializes, and so copies, every
/// value it is given).
fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    let mut map = Map::new();
    for (k, v) in entries {
        map.insert(k.to_string(), v);
    }
    Value::Object(map)
}

impl<'p> Builder<'p> {
    fn new(project: &'p Project) -> Self {
        let mut base_tags = project.default_tags.clone();
        base_tags.insert("managed-by".into(), MANAGED_BY.into());
        base_tags.insert("meridian-project".into(), project.name.clone());
        Builder {
            project,
            out: Vec::new(),
            added: HashSet::default(),
            extra_edges: Vec::new(),
            base_tags,
        }
    }

    fn tags(&self, address: &Address) -> BTreeMap<String, String> {
        let mut tags = self.base_tags.clone();
        tags.insert("meridian-address".into(), address.to_string());
        tags
    }

    fn add(
        &mut self,
        kind: Kind,
        address: Address,
        name: String,
        region: Option<&str>,
        origin: &str,
        attrs: BTreeMap<String, Value>,
    ) -> Address {
        if !self.added.contains(&address) {
            let tags = self.tags(&address);
            self.added.insert(address.clone());
            self.out.push(Resource {
                address: address.clone(),
                kind,
                region: region.map(str::to_string),
                name,
                attrs,
                tags,
                origin: origin.to_string(),
            });
        }
        address
    }

    fn provider(&self, address: &str) -> Option<&'p Provider> {
        self.project.providers.iter().find(|p| p.address == address)
    }

    fn partition(p: &Provider) -> String {
        p.partition.clone().unwrap_or_else(|| "aws".into())
    }

    fn azure_account(&mut self, p: &Provider, region: &str, origin: &str) -> Address {
        let address = Address::new(&p.address, Kind::AzureAccount.address_kind(), region);
        if self.added.contains(&address) {
            return address;
        }
        let name = names::azure_account(&self.project.name, &p.name, region);
        let mut attrs = BTreeMap::new();
        attrs.insert("location".into(), json!(region));
        attrs.insert("resource_group_name".into(), json!(p.resource_group));
        attrs.insert("subscription_id".into(), json!(p.subscription_id));
        attrs.insert("kind".into(), json!("AIServices"));
        attrs.insert("sku_name".into(), json!("S0"));
        attrs.insert("custom_subdomain_name".into(), json!(name));
        attrs.insert("local_auth_enabled".into(), json!(false));
        attrs.insert(
            "public_network_access_enabled".into(),
            json!(p.network.public_access),
        );
        attrs.insert("identity_type".into(), json!("SystemAssigned"));
        attrs.insert("allowed_ips".into(), json!(p.network.allowed_ips));
        if let Some(subnet) = &p.network.private_endpoint_subnet_id {
            attrs.insert("private_endpoint_subnet_id".into(), json!(subnet));
        }
        if let Some(key) = &p.encryption_key_id {
            attrs.insert("customer_managed_key_id".into(), json!(key));
        }
        let account = self.add(
            Kind::AzureAccount,
            address,
            name.clone(),
            Some(region),
            origin,
            attrs,
        );
        if let Some(subnet) = &p.network.private_endpoint_subnet_id {
            self.azure_private_endpoint(p, &account, &name, subnet, origin);
        }
        account
    }

    /// The private endpoint of an account in the provider's subnet, with its DNS zone group,
    /// and the provider's private DNS zones (linked to the subnet's virtual network).
    fn azure_private_endpoint(
        &mut self,
        p: &Provider,
        account: &Address,
        account_name: &str,
        subnet: &str,
        origin: &str,
    ) {
        let Some((vnet_id, vnet_rg, vnet_name)) = azure_subnet_network(subnet) else {
            return;
        };
        let mut zones = Vec::new();
        for (key, zone) in AZURE_ACCOUNT_DNS_ZONES {
            let address = Address::new(&p.address, Kind::AzurePrivateDnsZone.address_kind(), *key);
            let mut attrs = BTreeMap::new();
            attrs.insert("resource_group_name".into(), json!(p.resource_group));
            attrs.insert("virtual_network_id".into(), json!(vnet_id));
            attrs.insert(
                "link_name".into(),
                json!(names::azure_dns_link(&self.project.name, &vnet_name)),
            );
            let zone = self.add(
                Kind::AzurePrivateDnsZone,
                address,
                (*zone).to_string(),
                None,
                &format!("provider.{}.network", p.address),
                attrs,
            );
            zones.push(reference(&zone, "id"));
        }
        let mut attrs = BTreeMap::new();
        attrs.insert(
            "private_connection_resource_id".into(),
            reference(account, "id"),
        );
        attrs.insert("subresource_names".into(), json!(["account"]));
        attrs.insert("subnet_id".into(), json!(subnet));
        attrs.insert("resource_group_name".into(), json!(p.resource_group));
        attrs.insert("virtual_network_name".into(), json!(vnet_name));
        attrs.insert("virtual_network_resource_group_name".into(), json!(vnet_rg));
        attrs.insert("private_dns_zone_ids".into(), Value::Array(zones));
        self.add(
            Kind::AzurePrivateEndpoint,
            Address::new(
                &p.address,
                Kind::AzurePrivateEndpoint.address_kind(),
                &account.name,
            ),
            names::azure_private_endpoint(account_name),
            None,
            origin,
            attrs,
        );
    }

    /// The resources that serve one target; returns the address a router entry calls.
    fn target(&mut self, model: &Model, t: &Target) -> Option<Address> {
        let p = self.provider(&t.provider)?;
        let key = format!("{}-{}", model.name, t.name);
        match t.cloud {
            Cloud::Azure => {
                let account = self.azure_account(p, &t.region, &t.address);
                let mut attrs = BTreeMap::new();
                attrs.insert("cognitive_account_id".into(), reference(&account, "id"));
                attrs.insert("model_format".into(), json!("OpenAI"));
                attrs.insert("model_name".into(), json!(t.model));
                attrs.insert("model_version".into(), json!(t.version));
                attrs.insert(
                    "sku_name".into(),
                    json!(t.footprint.via.clone().unwrap_or_else(|| azure_sku(
                        t.processing,
                        t.billing
                    )
                    .into())),
                );
                attrs.insert("sku_capacity".into(), json!(t.capacity.unwrap_or(1)));
                attrs.insert("version_upgrade_option".into(), json!("NoAutoUpgrade"));
                attrs.insert(
                    "rai_policy_name".into(),
                    json!(model
                        .azure_rai_policy
                        .clone()
                        .unwrap_or_else(|| "Microsoft.DefaultV2".into())),
                );
                let name = names::azure_deployment(&model.name, &t.name);
                Some(self.add(
                    Kind::AzureDeployment,
                    Address::new(&p.address, Kind::AzureDeployment.address_kind(), &key),
                    name,
                    Some(&t.region),
                    &t.address,
                    attrs,
                ))
            }
            Cloud::Aws => {
                let partition = Self::partition(p);
                let account = p.account_id.clone().unwrap_or_default();
                let foundation = format!(
                    "arn:{partition}:bedrock:{}::foundation-model/{}",
                    t.region, t.model
                );
                if t.billing == Billing::Provisioned {
                    let mut attrs = BTreeMap::new();
                    attrs.insert("model_arn".into(), json!(foundation));
                    attrs.insert("model_units".into(), json!(t.capacity.unwrap_or(1)));
                    let name = names::aws_provisioned(&self.project.name, &model.name, &t.name);
                    attrs.insert("provisioned_model_name".into(), json!(name));
                    return Some(self.add(
                        Kind::AwsProvisionedThroughput,
                        Address::new(
                            &p.address,
                            Kind::AwsProvisionedThroughput.address_kind(),
                            &key,
                        ),
                        name,
                        Some(&t.region),
                        &t.address,
                        attrs,
                    ));
                }
                let copy_from = match (&t.footprint.via, t.processing) {
                    (Some(profile), Processing::Geography | Processing::Global) => {
                        format!(
                            "arn:{partition}:bedrock:{}:{account}:inference-profile/{profile}",
                            t.region
                        )
                    }
                    _ => foundation,
                };
                let name = names::aws_inference_profile(&self.project.name, &model.name, &t.name);
                let mut attrs = BTreeMap::new();
                attrs.insert("name".into(), json!(name));
                attrs.insert("copy_from".into(), json!(copy_from));
                attrs.insert(
                    "description".into(),
                    json!(model
                        .description
                        .clone()
                        .unwrap_or_else(|| format!("{} for model {}", t.name, model.name))),
                );
                Some(self.add(
                    Kind::AwsInferenceProfile,
                    Address::new(&p.address, Kind::AwsInferenceProfile.address_kind(), &key),
                    name,
                    Some(&t.region),
                    &t.address,
                    attrs,
                ))
            }
            Cloud::Gcp => Some(self.gcp_service(p, &t.address)),
        }
    }

    fn gcp_service(&mut self, p: &Provider, origin: &str) -> Address {
        let address = Address::new(&p.address, Kind::GcpService.address_kind(), "aiplatform");
        if self.added.contains(&address) {
            return address;
        }
        let mut attrs = BTreeMap::new();
        attrs.insert("project".into(), json!(p.project));
        attrs.insert("service".into(), json!("aiplatform.googleapis.com"));
        attrs.insert("disable_on_destroy".into(), json!(false));
        self.add(
            Kind::GcpService,
            address,
            "aiplatform.googleapis.com".into(),
            None,
            origin,
            attrs,
        )
    }

    fn router_entry(&mut self, model: &Model, tier_position: u32, t: &Target, serving: &Address) {
        let mut attrs = BTreeMap::new();
        attrs.insert("model_group".into(), json!(model.name));
        attrs.insert("order".into(), json!(tier_position));
        attrs.insert("weight".into(), json!(t.weight));
        attrs.insert("cloud".into(), json!(t.cloud.as_str()));
        attrs.insert("region".into(), json!(t.region));
        attrs.insert("model".into(), json!(t.model));
        attrs.insert("serves_with".into(), json!(serving.to_string()));
        let addr = self.add(
            Kind::RouterDeployment,
            Address::new(
                format!("router.{}", model.name),
                Kind::RouterDeployment.address_kind(),
                &t.name,
            ),
            format!("{}-{}", model.name, t.name),
            Some(&t.region),
            &t.address,
            attrs,
        );
        self.extra_edges.push((addr, serving.clone()));
    }

    /// The resources serving every target of `models`, and their router entries; returns the
    /// address serving each target, by target address.
    fn serve(&mut self, models: &'p [Model]) -> HashMap<&'p str, Address> {
        let mut served = HashMap::new();
        for model in models {
            for tier in &model.tiers {
                for t in &tier.targets {
                    if let Some(addr) = self.target(model, t) {
                        self.router_entry(model, tier.position, t, &addr);
                        served.insert(t.address.as_str(), addr);
                    }
                }
            }
        }
        served
    }

    /// Adds what `later` derived, as if derived after everything here.
    fn append(&mut self, later: Builder<'p>) {
        for r in later.out {
            if !self.added.contains(&r.address) {
                self.added.insert(r.address.clone());
                self.out.push(r);
            }
        }
        self.extra_edges.extend(later.extra_edges);
    }

    /// Runs `work` over `items`. When there is much to do (by `weight`), the items are split
    /// in two halves of about equal weight, and the later half runs on a second thread with a
    /// builder of its own, whose resources are then appended as if derived after the earlier
    /// half's ([`append`](Self::append)). Returns what `work` returned for each part, in order.
    fn split<T: Sync, R: Send>(
        &mut self,
        items: &'p [T],
        weight: impl Fn(&T) -> usize,
        work: impl Fn(&mut Builder<'p>, &'p [T]) -> R + Sync,
    ) -> Vec<R> {
        let total: usize = items.iter().map(&weight).sum();
        if total < PARALLEL_WEIGHT || items.len() < 2 {
            return vec![work(self, items)];
        }
        let mut seen = 0;
        let at = items
            .iter()
            .position(|x| {
                seen += weight(x);
                seen * 2 >= total
            })
            .map_or(items.len(), |i| i + 1);
        let (first, second) = items.split_at(at);
        let project = self.project;
        let work = &work;
        let (earlier, (later, later_result)) = std::thread::scope(|scope| {
            let later = scope.spawn(move || {
                let mut b = Builder::new(project);
                let r = work(&mut b, second);
                (b, r)
            });
            let earlier = work(self, first);
            let later = later
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (earlier, later)
        });
        self.append(later);
        vec![earlier, later_result]
    }

    fn access(&mut self, blocks: &'p [Access], served: &HashMap<&str, Address>) {
        let project = self.project;
        for a in blocks {
            let granted: HashSet<&str> = a.models.iter().map(String::as_str).collect();
            let models: Vec<&Model> = project
                .models
                .iter()
                .filter(|m| granted.contains(m.name.as_str()))
                .collect();
            let targets: Vec<(&Model, &Target)> = models
                .iter()
                .flat_map(|m| {
                    m.tiers
                        .iter()
                        .flat_map(move |t| t.targets.iter().map(move |x| (*m, x)))
                })
                .collect();
            let origin = format!("access.{}", a.name);
            // AWS: one policy per principal, allowing exactly the profiles, provisioned models
            // and foundation-model ARNs the targets need.
            let aws: Vec<&(&Model, &Target)> = targets
                .iter()
                .filter(|(_, t)| t.cloud == Cloud::Aws)
                .collect();
            if !aws.is_empty() && !a.aws.is_empty() {
                // The same statements for every principal (moved into the last one's policy).
                let mut statements = self.aws_statements(&aws, served);
                for (i, principal) in a.aws.iter().enumerate() {
                    let statements = if i + 1 < a.aws.len() {
                        statements.clone()
                    } else {
                        std::mem::take(&mut statements)
                    };
                    let name = names::aws_policy(
                        &project.name,
                        &a.name,
                        principal.rsplit('/').next().unwrap_or(principal),
                    );
                    let mut attrs = BTreeMap::new();
                    attrs.insert("principal".into(), json!(principal));
                    attrs.insert(
                        "policy".into(),
                        object([
                            ("Version", string("2012-10-17")),
                            ("Statement", Value::Array(statements)),
                        ]),
                    );
                    let key = format!("{}-{}", a.name, names::short_hash(principal));
                    let owner = aws
                        .first()
                        .map_or_else(String::new, |(_, t)| t.provider.clone());
                    self.add(
                        Kind::AwsIamPolicy,
                        Address::new(&owner, Kind::AwsIamPolicy.address_kind(), &key),
                        name,
                        None,
                        &origin,
                        attrs,
                    );
                }
            }
            // Azure: the caller role on exactly the accounts used.
            let accounts: BTreeSet<Address> = targets
                .iter()
                .filter(|(_, t)| t.cloud == Cloud::Azure)
                .map(|(_, t)| {
                    Address::new(
                        t.provider.clone(),
                        Kind::AzureAccount.address_kind(),
                        t.region.clone(),
                    )
                })
                .collect();
            for account in &accounts {
                for principal in &a.azure {
                    let mut attrs = BTreeMap::new();
                    attrs.insert("scope".into(), reference(account, "id"));
                    attrs.insert("role_definition_name".into(), json!(AZURE_CALLER_ROLE));
                    attrs.insert("principal_id".into(), json!(principal));
                    let key = format!(
                        "{}-{}-{}",
                        a.name,
                        account.name,
                        &principal[..principal.len().min(8)]
                    );
                    self.add(
                        Kind::AzureRoleAssignment,
                        Address::new(
                            &account.owner,
                            Kind::AzureRoleAssignment.address_kind(),
                            &key,
                        ),
                        format!("{}-{}", a.name, principal),
                        None,
                        &origin,
                        attrs,
                    );
                }
            }
            // GCP: roles/aiplatform.user on each project used.
            let services: BTreeSet<String> = targets
                .iter()
                .filter(|(_, t)| t.cloud == Cloud::Gcp)
                .map(|(_, t)| t.provider.clone())
                .collect();
            for provider in services {
                let Some(p) = self.provider(&provider).cloned() else {
                    continue;
                };
                let service = self.gcp_service(&p, &origin);
                for member in &a.gcp {
                    let mut attrs = BTreeMap::new();
                    attrs.insert("project".into(), json!(p.project));
                    attrs.insert("role".into(), json!("roles/aiplatform.user"));
                    attrs.insert("member".into(), json!(member));
                    let key = format!("{}-{}", a.name, names::short_hash(member));
                    let addr = self.add(
                        Kind::GcpIamMember,
                        Address::new(&p.address, Kind::GcpIamMember.address_kind(), &key),
                        member.clone(),
                        None,
                        &origin,
                        attrs,
                    );
                    self.extra_edges.push((addr, service.clone()));
                }
            }
        }
    }

    fn aws_statements(
        &self,
        targets: &[&(&Model, &Target)],
        served: &HashMap<&str, Address>,
    ) -> Vec<Value> {
        let actions = || {
            Value::Array(vec![
                string("bedrock:InvokeModel"),
                string("bedrock:InvokeModelWithResponseStream"),
            ])
        };
        let mut statements = Vec::new();
        let mut deny_global = false;
        for (model, t) in targets {
            let Some(serving) = served.get(t.address.as_str()) else {
                continue;
            };
            let Some(p) = self.provider(&t.provider) else {
                continue;
            };
            let partition = Self::partition(p);
            let hash = names::short_hash(&t.address);
            let sid = |s: &str| string(format!("{s}{hash}"));
            if t.billing == Billing::Provisioned {
                statements.push(object([
                    ("Sid", sid("Provisioned")),
                    ("Effect", string("Allow")),
                    ("Action", actions()),
                    (
                        "Resource",
                        Value::Array(vec![reference(serving, "provisioned_model_arn")]),
                    ),
                ]));
                continue;
            }
            statements.push(object([
                ("Sid", sid("Profile")),
                ("Effect", string("Allow")),
                ("Action", actions()),
                ("Resource", Value::Array(vec![reference(serving, "arn")])),
            ]));
            // The foundation model in the source region and in every destination region, only
            // when called through this profile.
            let regions: BTreeSet<&str> = std::iter::once(t.region.as_str())
                .chain(t.footprint.regions.iter().map(|r| r.region.as_str()))
                .collect();
            let mut resources: Vec<Value> = regions
                .iter()
                .map(|r| {
                    string(format!(
                        "arn:{partition}:bedrock:{r}::foundation-model/{}",
                        t.model
                    ))
                })
                .collect();
            if t.processing == Processing::Global {
                resources.push(string(format!(
                    "arn:{partition}:bedrock:::foundation-model/{}",
                    t.model
                )));
            }
            statements.push(object([
                ("Sid", sid("Models")),
                ("Effect", string("Allow")),
                ("Action", actions()),
                ("Resource", Value::Array(resources)),
                (
                    "Condition",
                    object([(
                        "StringEquals",
                        object([("bedrock:InferenceProfileArn", reference(serving, "arn"))]),
                    )]),
                ),
            ]));
            let rule = model
                .residency
                .as_ref()
                .and_then(|r| self.project.residencies.iter().find(|x| &x.name == r));
            if rule.is_some_and(|r| r.processing < Processing::Global) {
                deny_global = true;
            }
        }
        // Providers whose network block restricts where calls may come from: deny calls to
        // their profiles from elsewhere (not through the VPC endpoint, not from an allowed
        // address).
        let mut restricted: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
        for (_, t) in targets {
            if let (Some(serving), Some(p)) =
                (served.get(t.address.as_str()), self.provider(&t.provider))
            {
                if aws_network_restricted(p) {
                    let attr = if t.billing == Billing::Provisioned {
                        "provisioned_model_arn"
                    } else {
                        "arn"
                    };
                    restricted
                        .entry(p.address.as_str())
                        .or_default()
                        .push(reference(serving, attr));
                }
            }
        }
        for (provider, resources) in restricted {
            let Some(p) = self.provider(provider) else {
                continue;
            };
            let mut conditions = Map::new();
            if p.network.private_endpoint_subnet_id.is_some() {
                conditions.insert(
                    "StringNotEquals".into(),
                    object([("aws:SourceVpce", reference(&aws_endpoint_address(p), "id"))]),
                );
            }
            if p.network.public_access && !p.network.allowed_ips.is_empty() {
                conditions.insert(
                    "NotIpAddress".into(),
                    object([("aws:SourceIp", json!(p.network.allowed_ips))]),
                );
            }
            statements.push(object([
                (
                    "Sid",
                    string(format!("DenyOutsideNetwork{}", names::short_hash(provider))),
                ),
                ("Effect", string("Deny")),
                ("Action", actions()),
                ("Resource", Value::Array(resources)),
                ("Condition", Value::Object(conditions)),
            ]));
        }
        if deny_global {
            statements.push(object([
                ("Sid", string("DenyGlobalRouting")),
                ("Effect", string("Deny")),
                ("Action", actions()),
                (
                    "Resource",
                    Value::Array(vec![
                        string("arn:*:bedrock:*:*:inference-profile/global.*"),
                        string("arn:*:bedrock:::foundation-model/*"),
                    ]),
                ),
            ]));
        }
        statements
    }

    /// A bedrock-runtime VPC endpoint per AWS provider whose network block names a subnet, in
    /// the region of its targets (the validator keeps them in one), with an endpoint policy
    /// that admits invocations of exactly the provider's profiles and provisioned models.
    fn aws_endpoints(&mut self, served: &HashMap<&str, Address>) {
        let project = self.project;
        for p in project.providers.iter().filter(|p| p.cloud == Cloud::Aws) {
            let Some(subnet) = &p.network.private_endpoint_subnet_id else {
                continue;
            };
            let targets: Vec<&Target> = project
                .models
                .iter()
                .flat_map(|m| m.tiers.iter().flat_map(|t| t.targets.iter()))
                .filter(|t| t.provider == p.address)
                .collect();
            let Some(region) = targets.iter().map(|t| t.region.as_str()).min() else {
                continue;
            };
            let resources: Vec<Value> = targets
                .iter()
                .filter_map(|t| {
                    let serving = served.get(t.address.as_str())?;
                    let attr = if t.billing == Billing::Provisioned {
                        "provisioned_model_arn"
                    } else {
                        "arn"
                    };
                    Some(reference(serving, attr))
                })
                .collect();
            let partition = Self::partition(p);
            let dns_suffix = if partition == "aws-cn" {
                "com.amazonaws.cn"
            } else {
                "com.amazonaws"
            };
            let mut attrs = BTreeMap::new();
            attrs.insert(
                "service_name".into(),
                json!(format!("{dns_suffix}.{region}.bedrock-runtime")),
            );
            attrs.insert("vpc_endpoint_type".into(), json!("Interface"));
            attrs.insert("subnet_ids".into(), json!([subnet]));
            attrs.insert("private_dns_enabled".into(), json!(true));
            attrs.insert(
                "policy".into(),
                object([
                    ("Version", string("2012-10-17")),
                    (
                        "Statement",
                        Value::Array(vec![object([
                            ("Sid", string("InvokeThisProjectsModels")),
                            ("Effect", string("Allow")),
                            ("Principal", string("*")),
                            (
                                "Action",
                                Value::Array(vec![
                                    string("bedrock:InvokeModel"),
                                    string("bedrock:InvokeModelWithResponseStream"),
                                ]),
                            ),
                            ("Resource", Value::Array(resources)),
                        ])]),
                    ),
                ]),
            );
            self.add(
                Kind::AwsVpcEndpoint,
                aws_endpoint_address(p),
                names::aws_vpc_endpoint(&project.name, &p.name),
                Some(region),
                &format!("provider.{}.network", p.address),
                attrs,
            );
        }
    }

    fn logging(&mut self) {
        let project = self.project;
        let used: Vec<&Target> = project
            .models
            .iter()
            .flat_map(|m| m.tiers.iter().flat_map(|t| t.targets.iter()))
            .collect();
        for l in &project.logging {
            let origin = format!("logging.{}", l.name);
            if let Some(sink) = &l.aws {
                // Bedrock writes a region's invocation logs to a bucket of that region only:
                // this sink records the targets in its own region (the validator asks for a
                // sink in every other region with targets).
                let providers: BTreeSet<String> = used
                    .iter()
                    .filter(|t| t.cloud == Cloud::Aws && t.region == sink.region)
                    .map(|t| t.provider.clone())
                    .collect();
                for provider in providers {
                    let region = &sink.region;
                    let mut attrs = BTreeMap::new();
                    attrs.insert("region".into(), json!(region));
                    attrs.insert("s3_bucket_name".into(), json!(sink.bucket));
                    attrs.insert(
                        "s3_key_prefix".into(),
                        json!(format!("{}/{}", project.name, region)),
                    );
                    attrs.insert("text_data_delivery_enabled".into(), json!(true));
                    attrs.insert("retention_days".into(), json!(l.retention_days));
                    self.add(
                        Kind::AwsInvocationLogging,
                        Address::new(&provider, Kind::AwsInvocationLogging.address_kind(), region),
                        format!("{}-{region}", project.name),
                        Some(region),
                        &origin,
                        attrs,
                    );
                    if let Some(days) = l.retention_days {
                        let mut attrs = BTreeMap::new();
                        attrs.insert("bucket".into(), json!(sink.bucket));
                        attrs.insert("prefix".into(), json!(format!("{}/", project.name)));
                        attrs.insert("expiration_days".into(), json!(days));
                        self.add(
                            Kind::AwsLogLifecycle,
                            Address::new(&provider, Kind::AwsLogLifecycle.address_kind(), &l.name),
                            format!("{}-invocation-logs", project.name),
                            Some(region),
                            &origin,
                            attrs,
                        );
                    }
                }
            }
            if let Some(sink) = &l.azure {
                let accounts: BTreeSet<Address> = used
                    .iter()
                    .filter(|t| t.cloud == Cloud::Azure)
                    .map(|t| {
                        Address::new(
                            t.provider.clone(),
                            Kind::AzureAccount.address_kind(),
                            t.region.clone(),
                        )
                    })
                    .collect();
                for account in accounts {
                    let mut attrs = BTreeMap::new();
                    attrs.insert("target_resource_id".into(), reference(&account, "id"));
                    attrs.insert(
                        "log_analytics_workspace_id".into(),
                        json!(sink.workspace_id),
                    );
                    attrs.insert("log_categories".into(), json!(["Audit", "RequestResponse"]));
                    let key = format!("{}-{}", l.name, account.name);
                    self.add(
                        Kind::AzureDiagnosticSetting,
                        Address::new(
                            &account.owner,
                            Kind::AzureDiagnosticSetting.address_kind(),
                            &key,
                        ),
                        format!("{}-{}", project.name, l.name),
                        None,
                        &origin,
                        attrs,
                    );
                }
            }
            if let Some(sink) = &l.gcp {
                self.gcp_logging(l, sink, &used, &origin);
            }
        }
    }

    /// A BigQuery dataset per Google project with Vertex AI targets, and Vertex AI
    /// request-response logging into it for every (location, publisher, model) they call.
    fn gcp_logging(
        &mut self,
        l: &meridian_model::ir::Logging,
        sink: &meridian_model::ir::GcpSink,
        used: &[&Target],
        origin: &str,
    ) {
        let mut calls: BTreeMap<&str, BTreeSet<(String, &'static str, &str)>> = BTreeMap::new();
        for t in used.iter().filter(|t| t.cloud == Cloud::Gcp) {
            calls.entry(t.provider.as_str()).or_default().insert((
                t.vertex_location(),
                meridian_catalog::vertex_publisher(&t.model),
                t.model.as_str(),
            ));
        }
        for (provider, calls) in calls {
            let Some(p) = self.provider(provider) else {
                continue;
            };
            let Some(project_id) = p.project.clone() else {
                continue;
            };
            let service = self.gcp_service(p, origin);
            let mut attrs = BTreeMap::new();
            attrs.insert("project".into(), json!(project_id));
            attrs.insert("dataset_id".into(), json!(sink.bigquery_dataset));
            attrs.insert("location".into(), json!(sink.location));
            attrs.insert(
                "default_partition_expiration_ms".into(),
                json!(l.retention_days.map(|d| d.saturating_mul(86_400_000))),
            );
            attrs.insert("delete_contents_on_destroy".into(), json!(false));
            let dataset = self.add(
                Kind::GcpLogDataset,
                Address::new(&p.address, Kind::GcpLogDataset.address_kind(), &l.name),
                sink.bigquery_dataset.clone(),
                None,
                origin,
                attrs,
            );
            self.extra_edges.push((dataset.clone(), service.clone()));
            for (location, publisher, model) in calls {
                let mut attrs = BTreeMap::new();
                attrs.insert("project".into(), json!(project_id));
                attrs.insert("location".into(), json!(location));
                attrs.insert("publisher".into(), json!(publisher));
                attrs.insert("model".into(), json!(model));
                attrs.insert(
                    "bigquery_destination".into(),
                    json!(format!("bq://{project_id}.{}", sink.bigquery_dataset)),
                );
                // Every request (a fraction in (0, 1]).
                attrs.insert("sampling_rate".into(), json!(1));
                let key = format!("{}-{model}-{location}", l.name);
                let addr = self.add(
                    Kind::GcpRequestLogging,
                    Address::new(&p.address, Kind::GcpRequestLogging.address_kind(), &key),
                    format!("{publisher}/{model}@{location}"),
                    Some(&location),
                    origin,
                    attrs,
                );
                self.extra_edges.push((addr.clone(), dataset.clone()));
                self.extra_edges.push((addr, service.clone()));
            }
        }
    }
}

/// Whether an AWS provider's network block restricts where Bedrock calls may come from: a
/// VPC endpoint without public access, or public access from listed addresses only.
fn aws_network_restricted(p: &Provider) -> bool {
    let n = &p.network;
    (n.private_endpoint_subnet_id.is_some() && !n.public_access)
        || (n.public_access && !n.allowed_ips.is_empty())
}

/// The address of an AWS provider's bedrock-runtime VPC endpoint.
fn aws_endpoint_address(p: &Provider) -> Address {
    Address::new(
        &p.address,
        Kind::AwsVpcEndpoint.address_kind(),
        "bedrock-runtime",
    )
}

fn azure_sku(processing: Processing, billing: Billing) -> &'static str {
    meridian_catalog::azure_sku(processing, billing)
}

impl Graph {
    /// Derives every desired resource of a validated project and orders them by dependency.
    /// The project must be free of validation errors; a cycle (a bug) is returned as the
    /// addresses involved.
    pub fn build(project: &Project) -> Result<Graph, Vec<Address>> {
        let mut b = Builder::new(project);
        let targets = |m: &Model| m.tiers.iter().map(|t| t.targets.len()).sum::<usize>();
        let mut served: HashMap<&str, Address> = HashMap::new();
        for part in b.split(&project.models, targets, Builder::serve) {
            // A later target of the same address is served by what it derived.
            served.extend(part);
        }
        b.split(
            &project.access,
            |a| a.models.len(),
            |b, blocks| b.access(blocks, &served),
        );
        b.aws_endpoints(&served);
        b.logging();
        let Builder {
            out, extra_edges, ..
        } = b;
        Graph::from_resources(out, &extra_edges)
    }
}
