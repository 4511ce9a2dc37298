//! What to read: the provider blocks of a project and their regions.

use meridian_catalog::Cloud;
use meridian_model::ir::Project;
use meridian_state::State;
use std::collections::{BTreeMap, BTreeSet};

/// One provider block to read, and the regions to read it in.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderScope {
    pub cloud: Cloud,
    /// The provider block's address, e.g. `azure.corp`.
    pub address: String,
    /// Sorted, deduplicated.
    pub regions: Vec<String>,
    pub subscription_id: Option<String>,
    pub resource_group: Option<String>,
    pub account_id: Option<String>,
    /// `aws` when not set.
    pub partition: Option<String>,
    pub project: Option<String>,
    /// From the spec; the environment and the default are applied by the client.
    pub endpoint: Option<String>,
}

/// The scopes of a project, in the order of its provider blocks: every provider block, with
/// every region its targets use (AWS invocation logging and Azure diagnostic settings live in
/// the targets' regions), plus every region the prior state holds resources of that provider
/// in.
///
/// What is read per scope: Azure reads the whole resource group (accounts of every location,
/// so an account in another region is still seen); AWS reads each region; GCP reads the
/// project's API state and IAM policy, and the endpoints of each region (location).
pub fn scopes(project: &Project, prior: Option<&State>) -> Vec<ProviderScope> {
    let mut regions: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for t in project
        .models
        .iter()
        .flat_map(|m| m.tiers.iter().flat_map(|t| t.targets.iter()))
    {
        regions
            .entry(t.provider.as_str())
            .or_default()
            .insert(t.region.clone());
    }
    if let Some(state) = prior {
        for r in &state.resources {
            if let Some(region) = &r.region {
                regions
                    .entry(r.provider.as_str())
                    .or_default()
                    .insert(region.clone());
            }
        }
    }
    project
        .providers
        .iter()
        .map(|p| ProviderScope {
            cloud: p.cloud,
            address: p.address.clone(),
            regions: regions
                .get(p.address.as_str())
                .map(|r| r.iter().cloned().collect())
                .unwrap_or_default(),
            subscription_id: p.subscription_id.clone(),
            resource_group: p.resource_group.clone(),
            account_id: p.account_id.clone(),
            partition: p.partition.clone(),
            project: p.project.clone(),
            endpoint: p.endpoint.clone(),
        })
        .collect()
}
