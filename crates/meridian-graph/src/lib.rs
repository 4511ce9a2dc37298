//! The desired cloud resources a validated spec implies, and their dependency graph.
//!
//! [`Graph::build`] derives, from the IR of `meridian-model`: per Azure provider and region an
//! AI account, per Azure target a deployment; per AWS target an application inference profile
//! (or provisioned throughput); per GCP project the Vertex AI API; per `access` block the
//! least-privilege grants; per `logging` block what records the prompts (Bedrock invocation
//! logging in the sink's region and the bucket's lifecycle, Azure diagnostic settings, a
//! BigQuery dataset and Vertex AI request-response logging per model and location); per
//! network block the private endpoints (Azure: an endpoint per account and the private DNS
//! zones; AWS: a bedrock-runtime VPC endpoint); and per target a router entry. Every resource carries the default tags plus Meridian's management
//! tags. Attribute values that are only known after apply (an ARN, an id) are references to
//! another resource's attribute (see [`reference`]), which emitters translate.

mod address;
mod build;
mod fx;
pub mod names;
mod render;

pub use address::{Address, AddressError};
pub use build::{azure_subnet_network, AZURE_ACCOUNT_DNS_ZONES, MANAGED_BY};

use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What a resource is. Each kind maps to one Terraform resource type and one Pulumi type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    AzureAccount,
    AzureDeployment,
    AzureRoleAssignment,
    AzureDiagnosticSetting,
    AzurePrivateEndpoint,
    AzurePrivateDnsZone,
    AwsInferenceProfile,
    AwsProvisionedThroughput,
    AwsIamPolicy,
    AwsInvocationLogging,
    AwsLogLifecycle,
    AwsVpcEndpoint,
    GcpService,
    GcpIamMember,
    GcpLogDataset,
    GcpRequestLogging,
    RouterDeployment,
}

impl Kind {
    /// The kind segment of addresses.
    pub fn address_kind(self) -> &'static str {
        match self {
            Kind::AzureAccount => "account",
            Kind::AzureDeployment | Kind::RouterDeployment => "deployment",
            Kind::AzureRoleAssignment => "role-assignment",
            Kind::AzureDiagnosticSetting => "diagnostic-setting",
            Kind::AzurePrivateEndpoint => "private-endpoint",
            Kind::AzurePrivateDnsZone => "private-dns-zone",
            Kind::AwsLogLifecycle => "log-lifecycle",
            Kind::AwsVpcEndpoint => "vpc-endpoint",
            Kind::GcpLogDataset => "log-dataset",
            Kind::GcpRequestLogging => "request-logging",
            Kind::AwsInferenceProfile => "inference-profile",
            Kind::AwsProvisionedThroughput => "provisioned-throughput",
            Kind::AwsIamPolicy => "iam-policy",
            Kind::AwsInvocationLogging => "invocation-logging",
            Kind::GcpService => "service",
            Kind::GcpIamMember => "iam-member",
        }
    }

    /// The Terraform resource type (router entries are not Terraform resources).
    pub fn terraform_type(self) -> Option<&'static str> {
        Some(match self {
            Kind::AzureAccount => "azurerm_cognitive_account",
            Kind::AzureDeployment => "azurerm_cognitive_deployment",
            Kind::AzureRoleAssignment => "azurerm_role_assignment",
            Kind::AzureDiagnosticSetting => "azurerm_monitor_diagnostic_setting",
            Kind::AzurePrivateEndpoint => "azurerm_private_endpoint",
            Kind::AzurePrivateDnsZone => "azurerm_private_dns_zone",
            Kind::AwsLogLifecycle => "aws_s3_bucket_lifecycle_configuration",
            Kind::AwsVpcEndpoint => "aws_vpc_endpoint",
            Kind::GcpLogDataset => "google_bigquery_dataset",
            // Vertex AI's request-response logging has no resource type in the pinned
            // provider: a provisioner of a terraform_data resource sets it.
            Kind::GcpRequestLogging => "terraform_data",
            Kind::AwsInferenceProfile => "aws_bedrock_inference_profile",
            Kind::AwsProvisionedThroughput => "aws_bedrock_provisioned_model_throughput",
            Kind::AwsIamPolicy => "aws_iam_policy",
            Kind::AwsInvocationLogging => "aws_bedrock_model_invocation_logging_configuration",
            Kind::GcpService => "google_project_service",
            Kind::GcpIamMember => "google_project_iam_member",
            Kind::RouterDeployment => return None,
        })
    }
}

/// One desired resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resource {
    pub address: Address,
    pub kind: Kind,
    /// The cloud region, for regional resources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The name the resource gets in its cloud (deterministic, within the cloud's limits).
    pub name: String,
    /// Arguments, by name. Values known only after apply are [`reference`]s.
    pub attrs: BTreeMap<String, serde_json::Value>,
    /// Tags (labels on GCP): the spec's default tags plus the management tags.
    pub tags: BTreeMap<String, String>,
    /// The spec element it comes from, e.g. `model.assistant.tier.primary.target.aoai-sweden`.
    pub origin: String,
}

/// A value known only after apply: `attr` of the resource at `address`.
pub fn reference(address: &Address, attr: &str) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    map.insert(
        "$ref".into(),
        serde_json::Value::String(address.to_string()),
    );
    map.insert("attr".into(), serde_json::Value::String(attr.to_string()));
    serde_json::Value::Object(map)
}

/// If `v` is a [`reference`], its address and attribute.
pub fn as_reference(v: &serde_json::Value) -> Option<(Address, &str)> {
    let obj = v.as_object()?;
    let addr = obj.get("$ref")?.as_str()?;
    let attr = obj.get("attr")?.as_str()?;
    Some((addr.parse().ok()?, attr))
}

/// Whether `v` is a [`reference`] (what [`as_reference`] recognises), without building its
/// address.
pub fn is_reference(v: &serde_json::Value) -> bool {
    let Some(obj) = v.as_object() else {
        return false;
    };
    obj.get("$ref")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|a| address::split(a).is_some())
        && obj.get("attr").is_some_and(serde_json::Value::is_string)
}

/// The desired resources and the edges "needs" between them.
#[derive(Debug, Clone)]
pub struct Graph {
    /// In dependency order: every resource after everything it needs, ties by address.
    resources: Vec<Resource>,
    index: HashMap<Address, usize, fx::FxBuildHasher>,
    /// `edges[i]` lists the indices (into `resources`) resource `i` needs.
    needs: Vec<Vec<usize>>,
}

impl Graph {
    /// Every resource in dependency order.
    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    pub fn get(&self, address: &Address) -> Option<&Resource> {
        self.index.get(address).map(|&i| &self.resources[i])
    }

    /// Where the resource at `address` is in [`resources`](Self::resources).
    pub fn position(&self, address: &Address) -> Option<usize> {
        self.index.get(address).copied()
    }

    /// The positions (in [`resources`](Self::resources)) of the resources the one at
    /// position `i` needs, sorted by address; empty for a position out of range.
    pub fn needs_at(&self, i: usize) -> &[usize] {
        self.needs.get(i).map_or(&[], Vec::as_slice)
    }

    /// The resources `address` needs, sorted by address.
    pub fn needs(&self, address: &Address) -> Vec<&Resource> {
        self.index
            .get(address)
            .map(|&i| self.needs[i].iter().map(|&j| &self.resources[j]).collect())
            .unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.resources.len()
    }

    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    /// Orders resources so that each comes after what it needs (references in its attributes
    /// plus `extra` edges). A cycle is a bug in the builder: it is returned as the addresses
    /// involved.
    fn from_resources(
        mut resources: Vec<Resource>,
        extra: &[(Address, Address)],
    ) -> Result<Graph, Vec<Address>> {
        // Sorted by address, an index order is an address order.
        resources.sort_by(|a, b| a.address.cmp(&b.address));
        let n = resources.len();
        // Edges needed -> needer, without self-loops or duplicates.
        let position = |owner: &str, kind: &str, name: &str| {
            resources
                .binary_search_by(|r| {
                    let a = &r.address;
                    (a.owner.as_str(), a.kind.as_str(), a.name.as_str()).cmp(&(owner, kind, name))
                })
                .ok()
        };
        let mut edges: Vec<(usize, usize)> = Vec::new();
        for (i, r) in resources.iter().enumerate() {
            for v in r.attrs.values() {
                visit_refs(v, &mut |(owner, kind, name)| {
                    if let Some(j) = position(owner, kind, name) {
                        if j != i {
                            edges.push((j, i));
                        }
                    }
                });
            }
        }
        for (needer, needed) in extra {
            let at = |a: &Address| position(&a.owner, &a.kind, &a.name);
            if let (Some(a), Some(b)) = (at(needer), at(needed)) {
                if a != b {
                    edges.push((b, a));
                }
            }
        }
        edges.sort_unstable();
        edges.dedup();
        let mut g: DiGraph<usize, ()> = DiGraph::with_capacity(n, edges.len());
        let nodes: Vec<NodeIndex> = (0..n).map(|i| g.add_node(i)).collect();
        for &(needed, needer) in &edges {
            g.add_edge(nodes[needed], nodes[needer], ());
        }
        // Kahn's algorithm with the smallest address first: a stable, readable order.
        let mut indegree = vec![0usize; n];
        for &(_, needer) in &edges {
            indegree[needer] += 1;
        }
        let mut ready: std::collections::BinaryHeap<std::cmp::Reverse<usize>> = (0..n)
            .filter(|&i| indegree[i] == 0)
            .map(std::cmp::Reverse)
            .collect();
        let mut order = Vec::with_capacity(n);
        while let Some(std::cmp::Reverse(i)) = ready.pop() {
            order.push(i);
            for m in g.neighbors_directed(nodes[i], petgraph::Direction::Outgoing) {
                let j = g[m];
                indegree[j] -= 1;
                if indegree[j] == 0 {
                    ready.push(std::cmp::Reverse(j));
                }
            }
        }
        if order.len() != n {
            let stuck: Vec<Address> = (0..n)
                .filter(|i| indegree[*i] > 0)
                .map(|i| resources[i].address.clone())
                .collect();
            return Err(stuck);
        }
        let mut new_pos = vec![0; n];
        for (new, &old) in order.iter().enumerate() {
            new_pos[old] = new;
        }
        // `edges` is sorted by the needed resource, that is by its address: each list comes
        // out sorted by address.
        let mut needs = vec![Vec::new(); n];
        for &(needed, needer) in &edges {
            needs[new_pos[needer]].push(new_pos[needed]);
        }
        let mut slots: Vec<Option<Resource>> = resources.into_iter().map(Some).collect();
        let mut resources: Vec<Resource> = Vec::with_capacity(n);
        resources.extend(order.iter().filter_map(|&i| slots[i].take()));
        let index = resources
            .iter()
            .enumerate()
            .map(|(i, r)| (r.address.clone(), i))
            .collect();
        Ok(Graph {
            resources,
            index,
            needs,
        })
    }
}

/// Calls `f` with the (owner, kind, name) of every [`reference`] inside `v`.
fn visit_refs<'v>(v: &'v serde_json::Value, f: &mut impl FnMut((&'v str, &'v str, &'v str))) {
    if is_reference(v) {
        if let Some(parts) = v
            .get("$ref")
            .and_then(serde_json::Value::as_str)
            .and_then(address::parts)
        {
            f(parts);
        }
        return;
    }
    match v {
        serde_json::Value::Array(items) => items.iter().for_each(|i| visit_refs(i, f)),
        serde_json::Value::Object(map) => map.values().for_each(|i| visit_refs(i, f)),
        _ => {}
    }
}
