//! From what the clouds hold to the state a plan diffs against.
//!
//! [`reconcile`] lays the objects a refresh found over the last applied state:
//!
//! - a state resource that was read (its provider, and for AWS its region, is in the scopes)
//!   takes the live values of the attributes the cloud reports and, where the cloud has tags,
//!   the live tags; attributes the cloud does not report (an inference profile's `copy_from`,
//!   references to other resources) keep their recorded values. A difference is
//!   [`DriftKind::Changed`]; a resource the cloud no longer has is [`DriftKind::Deleted`] and
//!   leaves the refreshed state, so the plan creates it again;
//! - a live object carrying this project's management tags (or, for objects that cannot be
//!   tagged, matching a desired resource by what identifies it) that state did not record is
//!   [`DriftKind::Appeared`] and joins the refreshed state under its address;
//! - every other live object is [`Unmanaged`]: reported, never planned for deletion, not
//!   recorded;
//! - state resources that were not read (a provider no longer in the spec, a kind the clouds
//!   are not asked about, such as IAM policies and router entries) are kept as recorded.

use crate::{LiveObject, Observation, ProviderScope};
use meridian_graph::Resource;
use meridian_plan::{to_state, Drift, DriftKind, Unmanaged, MANAGED_BY};
use meridian_state::{State, StateResource};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The refreshed resources, what changed outside Meridian, and what is not Meridian's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reconciled {
    /// The state's resources as the clouds have them now, sorted by address.
    pub resources: Vec<StateResource>,
    /// Differences from the last applied state, sorted by address.
    pub drift: Vec<Drift>,
    /// Live objects that are not Meridian's (or not this project's), sorted by address.
    pub unmanaged: Vec<Unmanaged>,
}

impl Reconciled {
    /// `prior` with the refreshed resources in place of its own (a new state when there was
    /// none); the resources move out of `self`.
    pub fn take_state(&mut self, prior: Option<&State>, meridian_version: &str) -> State {
        let resources = std::mem::take(&mut self.resources);
        match prior {
            Some(p) => p.with_resources(resources),
            None => State {
                resources,
                ..State::new(meridian_version)
            },
        }
    }
}

/// The kinds a refresh reads.
pub const REFRESHED_KINDS: &[&str] = &[
    "azure_account",
    "azure_deployment",
    "aws_inference_profile",
    "aws_provisioned_throughput",
    "aws_invocation_logging",
    "gcp_service",
    "gcp_iam_member",
];

/// Kinds whose live objects carry names and tags of their own (the others, identified by
/// what they are, keep the name and tags state recorded).
const TAGGED_KINDS: &[&str] = &[
    "azure_account",
    "azure_deployment",
    "aws_inference_profile",
    "aws_provisioned_throughput",
];

/// Whether a refresh in `scopes` read the place `r` lives in.
fn was_read(r: &StateResource, scopes: &[ProviderScope]) -> bool {
    if !REFRESHED_KINDS.contains(&r.kind.as_str()) {
        return false;
    }
    let Some(scope) = scopes.iter().find(|s| s.address == r.provider) else {
        return false;
    };
    if r.kind.starts_with("aws_") {
        r.region
            .as_ref()
            .is_some_and(|region| scope.regions.iter().any(|x| x == region))
    } else {
        true
    }
}

/// What identifies a resource of `kind` when its tags do not: its name, or for objects
/// without a name of their own, the attributes that make them unique.
fn identity(
    kind: &str,
    name: &str,
    region: Option<&str>,
    attrs: &BTreeMap<String, serde_json::Value>,
) -> String {
    let attr = |k: &str| {
        attrs
            .get(k)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    match kind {
        "aws_invocation_logging" => region.unwrap_or_default().to_string(),
        "gcp_service" => attr("service"),
        "gcp_iam_member" => format!("{}\u{1f}{}", attr("role"), attr("member")),
        _ => name.to_string(),
    }
}

type Key = (String, String, Option<String>, String);

fn key_of_state(r: &StateResource) -> Key {
    (
        r.provider.clone(),
        r.kind.clone(),
        r.region.clone(),
        identity(&r.kind, &r.name, r.region.as_deref(), &r.attributes),
    )
}

fn key_of_live(o: &LiveObject) -> Key {
    (
        o.provider.clone(),
        o.kind.clone(),
        o.region.clone(),
        identity(&o.kind, &o.name, o.region.as_deref(), &o.attributes),
    )
}

/// The address a live object carries in its tags, when they say it is this project's.
fn tagged_address<'o>(o: &'o LiveObject, project_name: &str) -> Option<&'o str> {
    (o.tags.get("managed-by").map(String::as_str) == Some(MANAGED_BY)
        && o.tags.get("meridian-project").map(String::as_str) == Some(project_name))
    .then(|| o.tags.get("meridian-address").map(String::as_str))
    .flatten()
}

/// `base` with the live object's reported values laid over it.
fn overlay(base: &StateResource, live: &LiveObject) -> StateResource {
    let mut r = base.clone();
    let named = TAGGED_KINDS.contains(&live.kind.as_str());
    if named {
        r.name.clone_from(&live.name);
    }
    if live.region.is_some() {
        r.region.clone_from(&live.region);
    }
    for (k, v) in &live.attributes {
        if let Some(slot) = r.attributes.get_mut(k) {
            slot.clone_from(v);
        }
    }
    if named {
        r.tags.clone_from(&live.tags);
    }
    r
}

/// A live object with nothing to lay it over: recorded as the cloud reports it.
fn from_live(address: &str, live: &LiveObject) -> StateResource {
    StateResource {
        address: address.to_string(),
        kind: live.kind.clone(),
        provider: live.provider.clone(),
        region: live.region.clone(),
        name: live.name.clone(),
        attributes: live.attributes.clone(),
        tags: live.tags.clone(),
    }
}

/// The attributes (and `tags.<key>`, `name`, `region`) in which two records differ.
pub fn differing_paths(a: &StateResource, b: &StateResource) -> Vec<String> {
    let mut paths = Vec::new();
    if a.name != b.name {
        paths.push("name".to_string());
    }
    if a.region != b.region {
        paths.push("region".to_string());
    }
    let keys: BTreeSet<&String> = a.attributes.keys().chain(b.attributes.keys()).collect();
    for k in keys {
        if a.attributes.get(k) != b.attributes.get(k) {
            paths.push(k.clone());
        }
    }
    let tag_keys: BTreeSet<&String> = a.tags.keys().chain(b.tags.keys()).collect();
    for k in tag_keys {
        if a.tags.get(k) != b.tags.get(k) {
            paths.push(format!("tags.{k}"));
        }
    }
    paths
}

/// The segment of a display address for a live object's kind.
fn address_segment(kind: &str) -> &str {
    match kind {
        "azure_account" => "account",
        "azure_deployment" => "deployment",
        "aws_inference_profile" => "inference-profile",
        "aws_provisioned_throughput" => "provisioned-throughput",
        "aws_invocation_logging" => "invocation-logging",
        "gcp_service" => "service",
        "gcp_iam_member" => "iam-member",
        "gcp_endpoint" => "endpoint",
        other => other,
    }
}

fn unmanaged_of(o: &LiveObject) -> Unmanaged {
    Unmanaged {
        address: format!("{}.{}.{}", o.provider, address_segment(&o.kind), o.name),
        kind: o.kind.clone(),
        name: o.name.clone(),
        managed_by: o.tags.get("managed-by").cloned(),
        region: o.region.clone(),
        id: Some(o.id.clone()),
    }
}

/// Lays the observation over the last applied state; see the module documentation.
pub fn reconcile(
    project_name: &str,
    desired: &[Resource],
    prior: Option<&State>,
    scopes: &[ProviderScope],
    obs: &Observation,
) -> Reconciled {
    let prior_resources: &[StateResource] = prior.map_or(&[], |s| s.resources.as_slice());
    let desired_states: Vec<StateResource> = desired
        .iter()
        .filter(|r| {
            REFRESHED_KINDS.contains(&crate_kind(r).as_str())
                && scopes.iter().any(|s| s.address == r.address.owner)
        })
        .map(to_state)
        .collect();

    // Where each live object belongs: an address from its tags, else one found by identity
    // among the recorded and the desired resources.
    let mut by_key: HashMap<Key, &str> = HashMap::new();
    for r in desired_states.iter().chain(prior_resources) {
        if REFRESHED_KINDS.contains(&r.kind.as_str()) {
            by_key.entry(key_of_state(r)).or_insert(r.address.as_str());
        }
    }
    let mut live_at: HashMap<String, &LiveObject> = HashMap::new();
    let mut unmanaged: Vec<Unmanaged> = Vec::new();
    for o in &obs.objects {
        let address = tagged_address(o, project_name)
            .map(str::to_string)
            .or_else(|| {
                let tagged_elsewhere = o.tags.get("managed-by").map(String::as_str)
                    == Some(MANAGED_BY)
                    && o.tags.get("meridian-project").map(String::as_str) != Some(project_name);
                (!tagged_elsewhere)
                    .then(|| by_key.get(&key_of_live(o)).map(|a| (*a).to_string()))
                    .flatten()
            });
        match address {
            Some(a) if !live_at.contains_key(&a) => {
                live_at.insert(a, o);
            }
            _ => unmanaged.push(unmanaged_of(o)),
        }
    }

    let mut resources = Vec::with_capacity(prior_resources.len() + live_at.len());
    let mut drift = Vec::new();
    let mut recorded: BTreeSet<&str> = BTreeSet::new();
    for r in prior_resources {
        recorded.insert(r.address.as_str());
        if !was_read(r, scopes) {
            resources.push(r.clone());
            continue;
        }
        match live_at.get(&r.address) {
            Some(live) => {
                let now = overlay(r, live);
                let paths = differing_paths(r, &now);
                if !paths.is_empty() {
                    drift.push(Drift {
                        address: r.address.clone(),
                        kind: r.kind.clone(),
                        drift: DriftKind::Changed,
                        before: Some(r.clone()),
                        after: Some(now.clone()),
                        paths,
                    });
                }
                resources.push(now);
            }
            None => drift.push(Drift {
                address: r.address.clone(),
                kind: r.kind.clone(),
                drift: DriftKind::Deleted,
                before: Some(r.clone()),
                after: None,
                paths: Vec::new(),
            }),
        }
    }
    let desired_at: HashMap<&str, &StateResource> = desired_states
        .iter()
        .map(|r| (r.address.as_str(), r))
        .collect();
    let mut appeared: Vec<(&String, &&LiveObject)> = live_at
        .iter()
        .filter(|(a, _)| !recorded.contains(a.as_str()))
        .collect();
    appeared.sort_by(|a, b| a.0.cmp(b.0));
    for (address, live) in appeared {
        let now = match desired_at.get(address.as_str()) {
            Some(want) if want.kind == live.kind => overlay(want, live),
            Some(_) => {
                unmanaged.push(unmanaged_of(live));
                continue;
            }
            None => from_live(address, live),
        };
        drift.push(Drift {
            address: address.clone(),
            kind: now.kind.clone(),
            drift: DriftKind::Appeared,
            before: None,
            after: Some(now.clone()),
            paths: Vec::new(),
        });
        resources.push(now);
    }
    resources.sort_by(|a, b| a.address.cmp(&b.address));
    drift.sort_by(|a, b| a.address.cmp(&b.address));
    unmanaged.sort_by(|a, b| a.address.cmp(&b.address));
    Reconciled {
        resources,
        drift,
        unmanaged,
    }
}

fn crate_kind(r: &Resource) -> String {
    meridian_plan::kind_name(r.kind)
}
