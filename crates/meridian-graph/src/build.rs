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
        self.add(
            Kind::AzureAccount,
            address,
            name,
            Some(region),
            origin,
            attrs,
        )
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

    fn logging(&mut self) {
        let project = self.project;
        for l in &project.logging {
            let origin = format!("logging.{}", l.name);
            let used: Vec<&Target> = project
                .models
                .iter()
                .flat_map(|m| m.tiers.iter().flat_map(|t| t.targets.iter()))
                .collect();
            if let Some(sink) = &l.aws {
                let regions: BTreeSet<(String, String)> = used
                    .iter()
                    .filter(|t| t.cloud == Cloud::Aws)
                    .map(|t| (t.provider.clone(), t.region.clone()))
                    .collect();
                for (provider, region) in regions {
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
                        Address::new(
                            &provider,
                            Kind::AwsInvocationLogging.address_kind(),
                            &region,
                        ),
                        format!("{}-{region}", project.name),
                        Some(&region),
                        &origin,
                        attrs,
                    );
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
        }
    }
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
        b.logging();
        let Builder {
            out, extra_edges, ..
        } = b;
        Graph::from_resources(out, &extra_edges)
    }
}
