//! Where a record stands between written and live, from what the state recorded, and the
//! path vocabulary (`name`, `region`, an attribute, `tags.<key>`) that pending rollouts,
//! observations and drift share.

use crate::{is_observed_kind, PendingAction, StateResource};
use serde_json::Value;
use std::collections::BTreeSet;

/// The rollout status of a record, as the state last recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// The last refresh recorded found the cloud otherwise than written, outside a pending
    /// rollout (or did not find it at all).
    Drifted,
    /// Written, not yet created in the cloud.
    PendingCreate,
    /// Written; the cloud still had old values of some paths.
    PendingUpdate,
    /// The last refresh recorded found it as written.
    Live,
    /// No refresh has been recorded since the record was written (an import, an older state).
    NotRead,
    /// A kind no refresh reads.
    NotObservable,
}

impl Status {
    /// `drifted`, `pending-create`, `pending-update`, `live`, `not-read`, `not-observable`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Drifted => "drifted",
            Status::PendingCreate => "pending-create",
            Status::PendingUpdate => "pending-update",
            Status::Live => "live",
            Status::NotRead => "not-read",
            Status::NotObservable => "not-observable",
        }
    }
}

impl StateResource {
    /// The value of `path` in this record: `name`, `region`, `tags.<key>` or an attribute.
    pub fn value_at(&self, path: &str) -> Option<Value> {
        if let Some(tag) = path.strip_prefix("tags.") {
            return self.tags.get(tag).map(|v| Value::String(v.clone()));
        }
        match path {
            "name" => Some(Value::String(self.name.clone())),
            "region" => self.region.as_ref().map(|r| Value::String(r.clone())),
            _ => self.attributes.get(path).cloned(),
        }
    }

    /// The observed paths that differ from the record outside a pending rollout: where the
    /// cloud was changed after it matched, sorted.
    pub fn drifted_paths(&self) -> Vec<String> {
        let Some(o) = &self.observed else {
            return Vec::new();
        };
        o.differences
            .iter()
            .filter(|(path, live)| {
                !self
                    .pending
                    .as_ref()
                    .is_some_and(|p| p.before.get(path.as_str()) == Some(live))
            })
            .map(|(path, _)| path.clone())
            .collect()
    }

    /// Where this record stands, from its `pending` and `observed` fields.
    pub fn status(&self) -> Status {
        if !is_observed_kind(&self.kind) {
            return Status::NotObservable;
        }
        let pending = self.pending.as_ref().map(|p| p.action);
        match &self.observed {
            Some(o) if !o.exists => {
                if pending == Some(PendingAction::Create) {
                    Status::PendingCreate
                } else {
                    Status::Drifted
                }
            }
            Some(_) if !self.drifted_paths().is_empty() => Status::Drifted,
            _ => match pending {
                Some(PendingAction::Create) => Status::PendingCreate,
                Some(PendingAction::Update) => Status::PendingUpdate,
                None if self.observed.is_some() => Status::Live,
                None => Status::NotRead,
            },
        }
    }
}

/// The paths in which two records differ (`name`, `region`, each attribute, `tags.<key>`),
/// sorted within each group.
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
