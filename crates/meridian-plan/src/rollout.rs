//! Written against live: which records the clouds do not hold yet (pending rollout), which
//! they held and then changed (drift), and what the next state records about both.
//!
//! A record is what the generated files describe; Meridian never deploys it. When apply
//! writes a new or changed record, the record becomes *pending*: until a refresh finds the
//! cloud as written, the rollout (running the generated IaC) is still to come. For an
//! update the pending record keeps, per changed path, the value the cloud held before, so
//! a refresh can tell a cloud that still holds the old value (pending rollout) from one
//! that holds a third value (drift). [`classify`] makes that call for the plan; [`next`]
//! decides what the next state records.

use crate::{Drift, DriftKind};
use meridian_state::{
    differing_paths, is_observed_kind, Observed, Pending, PendingAction, StateResource,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// What a refresh found for one record.
#[derive(Debug, Clone, Copy)]
pub enum Live<'a> {
    /// Not read: no refresh ran, or the refresh does not read this kind or place.
    NotRead,
    /// Read, and the cloud does not have it.
    Missing,
    /// Read: the record with the values the cloud reports laid over it.
    Found(&'a StateResource),
}

/// What a refresh read, by address: the live record (the values the cloud reports laid
/// over the record, or the object as read when state has no record), or `None` when the
/// cloud does not have it. An address not listed was not read. Without a refresh: empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observations {
    pub read: HashMap<String, Option<StateResource>>,
}

impl Observations {
    /// What was read at `address`.
    pub fn live(&self, address: &str) -> Live<'_> {
        match self.read.get(address) {
            None => Live::NotRead,
            Some(None) => Live::Missing,
            Some(Some(r)) => Live::Found(r),
        }
    }
}

/// One path of a pending rollout: the value written and the value the cloud holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PendingPath {
    /// `name`, `region`, an attribute, or `tags.<key>`.
    pub path: String,
    /// What the generated files say (`null`: nothing).
    pub written: Value,
    /// What the cloud holds (`null`: nothing).
    pub live: Value,
}

/// A record written into the generated files that the clouds do not hold yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PendingRollout {
    pub address: String,
    /// The resource kind, snake_case.
    pub kind: String,
    /// `create`: the cloud does not have it; `update`: it has old values of `paths`.
    pub action: PendingAction,
    /// The serial of the state that recorded the change (the apply that wrote it).
    pub since_serial: u64,
    /// For an update, each path the cloud does not hold yet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<PendingPath>,
}

/// For a record and what a refresh found: its pending rollout and its drift, either of which
/// may be absent (both absent: the cloud holds what was written, or it was not read).
///
/// - Not found: a record pending creation is still to be created; any other was deleted
///   outside Meridian (drift).
/// - Found: each path that differs from the record is pending when the record is pending
///   an update of that path and the cloud still holds the value from before; otherwise the
///   cloud was changed after the rollout (drift). A record pending creation that the cloud
///   has was created by the rollout, so its differences are drift.
pub fn classify(record: &StateResource, live: Live<'_>) -> (Option<PendingRollout>, Option<Drift>) {
    if !is_observed_kind(&record.kind) {
        return (None, None);
    }
    let pending = record.pending.as_ref();
    match live {
        Live::NotRead => (None, None),
        Live::Missing => match pending {
            Some(p) if p.action == PendingAction::Create => (
                Some(PendingRollout {
                    address: record.address.clone(),
                    kind: record.kind.clone(),
                    action: PendingAction::Create,
                    since_serial: p.serial,
                    paths: Vec::new(),
                }),
                None,
            ),
            _ => (
                None,
                Some(Drift {
                    address: record.address.clone(),
                    kind: record.kind.clone(),
                    drift: DriftKind::Deleted,
                    before: Some(bare(record)),
                    after: None,
                    paths: Vec::new(),
                }),
            ),
        },
        Live::Found(now) => {
            let (waiting, drifted) = split(record, now);
            let rollout = pending
                .filter(|_| !waiting.is_empty())
                .map(|p| PendingRollout {
                    address: record.address.clone(),
                    kind: record.kind.clone(),
                    action: PendingAction::Update,
                    since_serial: p.serial,
                    paths: waiting
                        .iter()
                        .map(|path| PendingPath {
                            path: path.clone(),
                            written: record.value_at(path).unwrap_or(Value::Null),
                            live: now.value_at(path).unwrap_or(Value::Null),
                        })
                        .collect(),
                });
            let drift = (!drifted.is_empty()).then(|| Drift {
                address: record.address.clone(),
                kind: record.kind.clone(),
                drift: DriftKind::Changed,
                before: Some(bare(record)),
                after: Some(bare(now)),
                paths: drifted,
            });
            (rollout, drift)
        }
    }
}

/// `r` without its rollout fields: the values alone.
pub fn bare(r: &StateResource) -> StateResource {
    StateResource {
        pending: None,
        observed: None,
        ..r.clone()
    }
}

/// The paths in which the cloud differs from `record`: (still pending, drifted).
fn split(record: &StateResource, now: &StateResource) -> (Vec<String>, Vec<String>) {
    let before = record
        .pending
        .as_ref()
        .filter(|p| p.action == PendingAction::Update)
        .map(|p| &p.before);
    differing_paths(record, now).into_iter().partition(|path| {
        before.is_some_and(|b| b.get(path) == Some(&now.value_at(path).unwrap_or(Value::Null)))
    })
}

/// The values of `paths` in `r` (`null` where it has none).
fn values_at(r: &StateResource, paths: &[String]) -> BTreeMap<String, Value> {
    paths
        .iter()
        .map(|p| (p.clone(), r.value_at(p).unwrap_or(Value::Null)))
        .collect()
}

/// Whether two records hold the same values (their rollout fields aside).
pub fn same_values(a: &StateResource, b: &StateResource) -> bool {
    a.kind == b.kind
        && a.name == b.name
        && a.region == b.region
        && a.attributes == b.attributes
        && a.tags == b.tags
}

/// The record the next state (at `serial`) holds, from the one it holds now (`prior`), the
/// values to record (`record`, whose rollout fields are ignored) and what a refresh found.
///
/// With what a refresh found, the rollout fields say exactly what the cloud holds: a
/// changed record is pending where the cloud differs from it (with the cloud's values as
/// `before`); an unchanged one keeps the paths still pending and records the rest as
/// observed. Without a refresh, a new record is pending creation, a changed one pending an
/// update of the changed paths (the values before taken from `prior`, the oldest kept when a
/// rollout was already pending), an unchanged one keeps what the state recorded. Kinds no
/// refresh reads carry neither field.
pub fn next(
    prior: Option<&StateResource>,
    mut record: StateResource,
    live: Live<'_>,
    serial: u64,
) -> StateResource {
    record.pending = None;
    record.observed = None;
    if !is_observed_kind(&record.kind) {
        return record;
    }
    let changed = prior.is_none_or(|p| !same_values(p, &record));
    let prior_pending = prior.and_then(|p| p.pending.as_ref());
    match live {
        Live::Found(now) => {
            let differences = differing_paths(&record, now);
            let still = if changed {
                differences.clone()
            } else {
                split(
                    &StateResource {
                        pending: prior_pending.cloned(),
                        ..record.clone()
                    },
                    now,
                )
                .0
            };
            if !still.is_empty() {
                record.pending = Some(Pending {
                    serial: prior_pending.map_or(serial, |p| p.serial),
                    action: PendingAction::Update,
                    before: values_at(now, &still),
                });
            }
            record.observed = Some(Observed {
                serial,
                exists: true,
                differences: values_at(now, &differences),
            });
        }
        Live::Missing => {
            // Still to be created when it is new, changed (the rollout recreates it) or
            // was waiting to be created; otherwise it was deleted outside Meridian.
            let creating =
                changed || prior_pending.is_some_and(|p| p.action == PendingAction::Create);
            if creating {
                record.pending = Some(Pending {
                    serial: prior_pending.map_or(serial, |p| p.serial),
                    action: PendingAction::Create,
                    before: BTreeMap::new(),
                });
            }
            record.observed = Some(Observed {
                serial,
                exists: false,
                differences: BTreeMap::new(),
            });
        }
        Live::NotRead => match prior {
            None => {
                record.pending = Some(Pending {
                    serial,
                    action: PendingAction::Create,
                    before: BTreeMap::new(),
                });
            }
            Some(p) if !changed => {
                record.pending.clone_from(&p.pending);
                record.observed.clone_from(&p.observed);
            }
            Some(p) => {
                record.pending = Some(match &p.pending {
                    Some(old) if old.action == PendingAction::Create => old.clone(),
                    old => {
                        let mut before = old.as_ref().map(|o| o.before.clone()).unwrap_or_default();
                        for path in differing_paths(p, &record) {
                            before
                                .entry(path.clone())
                                .or_insert_with(|| p.value_at(&path).unwrap_or(Value::Null));
                        }
                        Pending {
                            serial: old.as_ref().map_or(serial, |o| o.serial),
                            action: PendingAction::Update,
                            before,
                        }
                    }
                });
            }
        },
    }
    record
}
