//! From what the clouds hold to what a plan and the state say about it.
//!
//! [`reconcile`] lays the objects a refresh found over the records of the state (what the
//! generated files describe):
//!
//! - a record that was read (its provider, and for AWS its region, is in the scopes) is
//!   found or missing. Found, it takes the live values of the attributes the cloud reports
//!   and, where the cloud has tags, the live tags; attributes the cloud does not report (an
//!   inference profile's `copy_from`, references to other resources) keep their recorded
//!   values. [`meridian_plan::rollout::classify`] then tells a rollout still to come
//!   (pending: written, not yet live) from a change made outside Meridian after the cloud
//!   held what was written (drift);
//! - a live object carrying this project's management tags (or, for objects that cannot be
//!   tagged, matching a desired resource by what identifies it) that state does not record
//!   [`DriftKind::Appeared`]: it is reported, and a plan that wants it records it;
//! - every other live object is [`Unmanaged`]: reported, never planned for deletion, not
//!   recorded. An object without the tags is never taken for a resource the state does not
//!   record (after `meridian state rm`, say), unless its kind cannot carry tags;
//! - records that were not read (a provider no longer in the spec, a kind the clouds are
//!   not asked about, such as IAM policies and router entries) are left as they are.

use crate::{LiveObject, Observation, ProviderScope};
use meridian_graph::Resource;
use meridian_plan::rollout::{self, Live, Observations, PendingRollout};
use meridian_plan::{to_state, Drift, DriftKind, Unmanaged, MANAGED_BY};
use meridian_state::{State, StateResource, OBSERVED_KINDS};
use std::collections::{BTreeMap, HashMap, HashSet};

/// What a refresh found, laid over the state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reconciled {
    /// What was read per address: each record read (found or missing) and each object
    /// that appeared with this project's tags.
    pub observations: Observations,
    /// Records written, not yet live, sorted by address.
    pub pending: Vec<PendingRollout>,
    /// Changes made outside Meridian after the clouds held what was written, and objects
    /// with this project's tags the state does not record, sorted by address.
    pub drift: Vec<Drift>,
    /// Live objects that are not Meridian's (or not this project's), sorted by address.
    pub unmanaged: Vec<Unmanaged>,
}

impl Reconciled {
    /// `prior` with what the refresh found recorded in each record read
    /// ([`rollout::next`]: rollouts found complete are no longer pending, what the cloud
    /// holds is `observed`), for the state at `serial`. Objects that appeared are not
    /// recorded: a plan that wants them records them.
    pub fn observed_state(&self, prior: &State, serial: u64) -> State {
        let resources = prior
            .resources
            .iter()
            .map(|r| {
                rollout::next(
                    Some(r),
                    r.clone(),
                    self.observations.live(&r.address),
                    serial,
                )
            })
            .collect();
        prior.with_resources(resources)
    }
}

/// The kinds a refresh reads.
pub const REFRESHED_KINDS: &[&str] = OBSERVED_KINDS;

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
        pending: None,
        observed: None,
    }
}

pub use meridian_state::differing_paths;

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

/// Lays the observation over the state's records; see the module documentation.
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
    let recorded: HashSet<&str> = prior_resources.iter().map(|r| r.address.as_str()).collect();
    let wanted: HashSet<&str> = desired_states.iter().map(|r| r.address.as_str()).collect();

    // Where each live object belongs: the address its tags name, else one found by identity
    // among the records (an object whose tags were changed is still the recorded one) and,
    // for kinds that cannot carry tags, among the desired resources.
    let mut by_key: HashMap<Key, &str> = HashMap::new();
    for r in prior_resources {
        if REFRESHED_KINDS.contains(&r.kind.as_str()) {
            by_key.entry(key_of_state(r)).or_insert(r.address.as_str());
        }
    }
    for r in &desired_states {
        if !TAGGED_KINDS.contains(&r.kind.as_str()) {
            by_key.entry(key_of_state(r)).or_insert(r.address.as_str());
        }
    }
    let mut live_at: HashMap<String, &LiveObject> = HashMap::new();
    let mut unmanaged: Vec<Unmanaged> = Vec::new();
    for o in &obs.objects {
        let by_identity = || by_key.get(&key_of_live(o)).map(|a| (*a).to_string());
        let address = match tagged_address(o, project_name) {
            Some(a) if recorded.contains(a) || wanted.contains(a) => Some(a.to_string()),
            Some(a) => by_identity().or_else(|| Some(a.to_string())),
            None => {
                let tagged_elsewhere = o.tags.get("managed-by").map(String::as_str)
                    == Some(MANAGED_BY)
                    && o.tags.get("meridian-project").map(String::as_str) != Some(project_name);
                if tagged_elsewhere {
                    None
                } else {
                    by_identity()
                }
            }
        };
        match address {
            Some(a) if !live_at.contains_key(&a) => {
                live_at.insert(a, o);
            }
            _ => unmanaged.push(unmanaged_of(o)),
        }
    }

    let mut observations = Observations::default();
    let mut pending = Vec::new();
    let mut drift = Vec::new();
    for r in prior_resources {
        if !was_read(r, scopes) {
            continue;
        }
        let now = live_at.get(&r.address).map(|live| overlay(r, live));
        let (p, d) = rollout::classify(
            r,
            match &now {
                Some(now) => Live::Found(now),
                None => Live::Missing,
            },
        );
        pending.extend(p);
        drift.extend(d);
        observations.read.insert(r.address.clone(), now);
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
        observations.read.insert(address.clone(), Some(now));
    }
    pending.sort_by(|a, b| a.address.cmp(&b.address));
    drift.sort_by(|a, b| a.address.cmp(&b.address));
    unmanaged.sort_by(|a, b| a.address.cmp(&b.address));
    Reconciled {
        observations,
        pending,
        drift,
        unmanaged,
    }
}

fn crate_kind(r: &Resource) -> String {
    meridian_plan::kind_name(r.kind)
}
