//! Deriving the desired resources from the validated model.

use crate::{names, reference, Address, Graph, Kind, Resource};
use meridian_catalog::{Billing, Cloud, Processing};
use meridian_model::ir::{Model, Project, Provider, Target};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The value of the `managed-by` tag on everything Meridian creates.
pub const MANAGED_BY: &str = "meridian";

/// The Azure role that lets a principal call deployments, and nothing more.
const AZURE_CALLER_ROLE: &str = "Cognitive Services OpenAI User";

struct Builder<'p> {
    project: &'p Project,
    out: BTreeMap<Address, Resource>,
    extra_edges: Vec<(Address, Address)>,
}

impl Builder<'_> {
    fn tags(&self, address: &Address) -> BTreeMap<String, String> {
        let mut tags = self.project.default_tags.clone();
        tags.insert("managed-by".into(), MANAGED_BY.into());
        tags.insert("meridian-address".into(), address.to_string());
        tags.insert("meridian-project".into(), self.project.name.clone());
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
        if !self.out.contains_key(&address) {
            let tags = self.tags(&address);
            self.out.insert(
                address.clone(),
                Resource {
                    address: address.clone(),
                    kind,
                    region: region.map(str::to_string),
                    name,
                    attrs,
                    tags,
                    origin: origin.to_string(),
                },
            );
        }
        address
    }

    fn provider(&self, address: &str) -> Option<&Provider> {
        self.project.providers.iter().find(|p| p.address == address)
    }

    fn partition(p: &Provider) -> String {
        p.partition.clone().unwrap_or_else(|| "aws".into())
    }

    fn azure_account(&mut self, p: &Provider, region: &str, origin: &str) -> Address {
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
            Address::new(&p.address, Kind::AzureAccount.address_kind(), region),
            name,
            Some(region),
            origin,
            attrs,
        )
    }

    /// The resources that serve one target; returns the address a router entry calls.
    fn target(&mut self, model: &Model, t: &Target) -> Option<Address> {
        let p = self.provider(&t.provider)?.clone();
        let key = format!("{}-{}", model.name, t.name);
        match t.cloud {
            Cloud::Azure => {
                let account = self.azure_account(&p, &t.region, &t.address);
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
                let partition = Self::partition(&p);
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
            Cloud::Gcp => Some(self.gcp_service(&p, &t.address)),
        }
    }

    fn gcp_service(&mut self, p: &Provider, origin: &str) -> Address {
        let mut attrs = BTreeMap::new();
        attrs.insert("project".into(), json!(p.project));
        attrs.insert("service".into(), json!("aiplatform.googleapis.com"));
        attrs.insert("disable_on_destroy".into(), json!(false));
        self.add(
            Kind::GcpService,
            Address::new(&p.address, Kind::GcpService.address_kind(), "aiplatform"),
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

    fn access(&mut self, served: &BTreeMap<String, Address>) {
        let project = self.project;
        for a in &project.access {
            let models: Vec<&Model> = project
                .models
                .iter()
                .filter(|m| a.models.contains(&m.name))
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
            if !aws.is_empty() {
                for principal in &a.aws {
                    let statements = self.aws_statements(&aws, served);
                    let name = names::aws_policy(
                        &project.name,
                        &a.name,
                        principal.rsplit('/').next().unwrap_or(principal),
                    );
                    let mut attrs = BTreeMap::new();
                    attrs.insert("principal".into(), json!(principal));
                    attrs.insert(
                        "policy".into(),
                        json!({ "Version": "2012-10-17", "Statement": statements }),
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
        served: &BTreeMap<String, Address>,
    ) -> Vec<Value> {
        let actions = json!([
            "bedrock:InvokeModel",
            "bedrock:InvokeModelWithResponseStream"
        ]);
        let mut statements = Vec::new();
        let mut deny_global = false;
        for (model, t) in targets {
            let Some(serving) = served.get(&t.address) else {
                continue;
            };
            let Some(p) = self.provider(&t.provider) else {
                continue;
            };
            let partition = Self::partition(p);
            let sid = |s: &str| format!("{}{}", s, names::short_hash(&t.address));
            if t.billing == Billing::Provisioned {
                statements.push(json!({"Sid": sid("Provisioned"), "Effect": "Allow", "Action": actions, "Resource": [reference(serving, "provisioned_model_arn")]}));
                continue;
            }
            statements.push(json!({"Sid": sid("Profile"), "Effect": "Allow", "Action": actions, "Resource": [reference(serving, "arn")]}));
            // The foundation model in the source region and in every destination region, only
            // when called through this profile.
            let regions: BTreeSet<&str> = std::iter::once(t.region.as_str())
                .chain(t.footprint.regions.iter().map(|r| r.region.as_str()))
                .collect();
            let mut resources: Vec<String> = regions
                .iter()
                .map(|r| format!("arn:{partition}:bedrock:{r}::foundation-model/{}", t.model))
                .collect();
            if t.processing == Processing::Global {
                resources.push(format!(
                    "arn:{partition}:bedrock:::foundation-model/{}",
                    t.model
                ));
            }
            statements.push(json!({
                "Sid": sid("Models"),
                "Effect": "Allow",
                "Action": actions,
                "Resource": resources,
                "Condition": {"StringEquals": {"bedrock:InferenceProfileArn": reference(serving, "arn")}}
            }));
            let rule = model
                .residency
                .as_ref()
                .and_then(|r| self.project.residencies.iter().find(|x| &x.name == r));
            if rule.is_some_and(|r| r.processing < Processing::Global) {
                deny_global = true;
            }
        }
        if deny_global {
            statements.push(json!({
                "Sid": "DenyGlobalRouting",
                "Effect": "Deny",
                "Action": actions,
                "Resource": ["arn:*:bedrock:*:*:inference-profile/global.*", "arn:*:bedrock:::foundation-model/*"]
            }));
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
        let mut b = Builder {
            project,
            out: BTreeMap::new(),
            extra_edges: Vec::new(),
        };
        let mut served: BTreeMap<String, Address> = BTreeMap::new();
        for model in &project.models {
            for tier in &model.tiers {
                for t in &tier.targets {
                    if let Some(addr) = b.target(model, t) {
                        b.router_entry(model, tier.position, t, &addr);
                        served.insert(t.address.clone(), addr);
                    }
                }
            }
        }
        b.access(&served);
        b.logging();
        let Builder {
            out, extra_edges, ..
        } = b;
        Graph::from_resources(out.into_values().collect(), &extra_edges)
    }
}
