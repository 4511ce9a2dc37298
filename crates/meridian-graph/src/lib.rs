//! The desired cloud resources a validated spec implies, and their dependency graph.
//!
//! [`Graph::build`] derives, from the IR of `meridian-model`: per Azure provider and region an
//! AI account, per Azure target a deployment; per AWS target an application inference profile
//! (or provisioned throughput); per GCP project the Vertex AI API; per `access` block the
//! least-privilege grants; per `logging` block the invocation-logging configuration; and per
//! target a router entry. Every resource carries the default tags plus Meridian's management
//! tags. Attribute values that are only known after apply (an ARN, an id) are references to
//! another resource's attribute (see [`reference`]), which emitters translate.

mod address;
mod build;
pub mod names;
mod render;

pub use address::{Address, AddressError};
pub use build::MANAGED_BY;

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
    AwsInferenceProfile,
    AwsProvisionedThroughput,
    AwsIamPolicy,
    AwsInvocationLogging,
    GcpService,
    GcpIamMember,
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
    serde_json::json!({ "$ref": address.to_string(), "attr": attr })
}

/// If `v` is a [`reference`], its address and attribute.
pub fn as_reference(v: &serde_json::Value) -> Option<(Address, &str)> {
    let obj = v.as_object()?;
    let addr = obj.get("$ref")?.as_str()?.parse().ok()?;
    Some((addr, obj.get("attr")?.as_str()?))
}

/// The desired resources and the edges "needs" between them.
#[derive(Debug, Clone)]
pub struct Graph {
    /// In dependency order: every resource after everything it needs, ties by address.
    resources: Vec<Resource>,
    index: HashMap<Address, usize>,
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
        resources.sort_by(|a, b| a.address.cmp(&b.address));
        let mut g: DiGraph<usize, ()> = DiGraph::with_capacity(resources.len(), resources.len());
        let nodes: Vec<NodeIndex> = (0..resources.len()).map(|i| g.add_node(i)).collect();
        let pos: HashMap<&Address, usize> = resources
            .iter()
            .enumerate()
            .map(|(i, r)| (&r.address, i))
            .collect();
        let edge = |from: &Address, to: &Address, g: &mut DiGraph<usize, ()>| {
            if let (Some(&a), Some(&b)) = (pos.get(from), pos.get(to)) {
                if a != b && g.find_edge(nodes[b], nodes[a]).is_none() {
                    // needed -> needer
                    g.add_edge(nodes[b], nodes[a], ());
                }
            }
        };
        for r in &resources {
            for v in r.attrs.values() {
                visit_refs(v, &mut |target| edge(&r.address, target, &mut g));
            }
        }
        for (needer, needed) in extra {
            edge(needer, needed, &mut g);
        }
        // Kahn's algorithm with the smallest address first: a stable, readable order.
        let mut indegree: Vec<usize> = nodes
            .iter()
            .map(|&n| {
                g.neighbors_directed(n, petgraph::Direction::Incoming)
                    .count()
            })
            .collect();
        let mut ready: std::collections::BTreeSet<usize> =
            (0..resources.len()).filter(|&i| indegree[i] == 0).collect();
        let mut order = Vec::with_capacity(resources.len());
        while let Some(i) = ready.pop_first() {
            order.push(i);
            for n in g.neighbors_directed(nodes[i], petgraph::Direction::Outgoing) {
                let j = g[n];
                indegree[j] -= 1;
                if indegree[j] == 0 {
                    ready.insert(j);
                }
            }
        }
        if order.len() != resources.len() {
            let stuck: Vec<Address> = (0..resources.len())
                .filter(|i| indegree[*i] > 0)
                .map(|i| resources[i].address.clone())
                .collect();
            return Err(stuck);
        }
        let mut new_pos = vec![0; resources.len()];
        for (new, &old) in order.iter().enumerate() {
            new_pos[old] = new;
        }
        let mut needs = vec![Vec::new(); resources.len()];
        for e in g.raw_edges() {
            let (needed, needer) = (g[e.source()], g[e.target()]);
            needs[new_pos[needer]].push(new_pos[needed]);
        }
        let mut slots: Vec<Option<Resource>> = resources.into_iter().map(Some).collect();
        let resources: Vec<Resource> = order.iter().filter_map(|&i| slots[i].take()).collect();
        for n in &mut needs {
            n.sort_by(|a, b| resources[*a].address.cmp(&resources[*b].address));
        }
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

fn visit_refs(v: &serde_json::Value, f: &mut impl FnMut(&Address)) {
    if let Some((addr, _)) = as_reference(v) {
        f(&addr);
        return;
    }
    match v {
        serde_json::Value::Array(items) => items.iter().for_each(|i| visit_refs(i, f)),
        serde_json::Value::Object(map) => map.values().for_each(|i| visit_refs(i, f)),
        _ => {}
    }
}
