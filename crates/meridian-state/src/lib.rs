//! Meridian's state: the resources last applied and the artifacts last written, kept in
//! `.meridian/state.json` with a lineage, a serial and a checksum; the lock that guards it;
//! and the journaled commit that writes artifacts and state all-or-nothing.
//!
//! # The state file
//!
//! `.meridian/state.json` is one JSON object, pretty-printed with a trailing newline, whose
//! shape is [`State`] (its JSON Schema is committed as `schema/state.schema.json`):
//!
//! - `format_version` — [`FORMAT_VERSION`]; a file with a newer format is refused rather
//!   than misread, an older one is migrated when it is read ([`load`]) and written in the
//!   current format by the next write.
//! - `lineage` — a UUID v4 fixed when the state is created ([`State::new`]); `serial` — a
//!   counter the caller increments ([`State::bump`]) before every write, so a saved plan can
//!   tell that the state moved on.
//! - `resources` — sorted by address (every save sorts them); `artifacts` — keyed by path;
//!   `emits` — the emit blocks whose files were written, keyed by path.
//!
//! The state keeps three things apart. What the spec implies (*desired*) is computed anew by
//! every plan and never stored. What was *written* is each resource's record (the values the
//! generated files describe for it), each artifact's digest, and per emit block the kinds of
//! resources its files describe. What the clouds were *observed* to hold is each record's
//! [`Pending`] rollout (written, not yet seen live, with the values the clouds held before)
//! and its [`Observed`] values from the last refresh recorded in state. Meridian never
//! deploys: a record is what the generated files say, and the rollout is the IaC's.
//! - `checksum` — `sha256:<hex>` over `serde_json::to_vec` of the state with `checksum` set to
//!   the empty string ([`State::compute_checksum`]). [`load`] refuses a file whose checksum
//!   does not match: an edited or damaged state is reported, never repaired or replaced.
//!
//! [`save`] writes a temporary file in the same directory, syncs it, keeps the previous file
//! as `state.json.backup` (a hard link, or a copy where links are not supported), renames the
//! temporary file over `state.json` and syncs the directory, so `state.json` is at every
//! instant either the complete old file or the complete new one.
//!
//! # The lock
//!
//! [`Lock`] holds an exclusive OS advisory lock on `.meridian/state.lock` (released by the
//! OS when its process dies, so a stale lock never blocks) and writes a [`LockInfo`] into
//! it that tells other invocations who holds it.
//!
//! # The commit protocol
//!
//! [`commit`] writes a set of files and, last, the state, all-or-nothing, also across a
//! crash, with a journal (`.meridian/apply.journal`):
//!
//! 1. Files whose content is already on disk (and deletes of missing files) are skipped.
//! 2. The journal is written (phase `staging`) listing every entry: destination, staged
//!    file (`<dest>.meridian-new`), backup (`<dest>.meridian-old`), kind.
//! 3. Every new content is staged and synced; the state is staged last.
//! 4. The journal switches to phase `commit` — the commit point.
//! 5. Each destination is swapped, the state last: its old file is kept as the backup (a
//!    hard link, so the destination stays complete; a rename for a delete), then the staged
//!    file is renamed over it.
//! 6. The directories are synced; the backups are removed, except the state's, which
//!    becomes `state.json.backup`; then the journal is removed.
//!
//! If a step fails, the swaps done are undone (the journal first switches to phase
//! `rollback`) and the error is returned: every file, the state and `state.json.backup` are
//! byte-for-byte as before (directories created for new files stay, empty). After a crash,
//! [`recover`] reads the journal and rolls back (phase `staging` or `rollback`) or forward
//! (phase `commit`); recovery is idempotent, so a crash during recovery is recovered by
//! running it again. Without a journal a commit is still all-or-nothing within the
//! process, but not across a crash.

mod commit;
mod file;
mod id;
mod lock;
pub mod safe_fs;
mod status;
mod time;

pub use commit::{
    commit, recover, CommitError, CommitOptions, CommitReport, Fault, FileChange, Recovery,
    RecoveryOutcome,
};
pub use file::{load, save, StateError};
pub use id::{is_uuid_v4, new_uuid_v4};
pub use lock::{force_unlock, parse_duration, ForceUnlock, Lock, LockError, LockInfo};
pub use safe_fs::{PathError, Root, StatePaths};
pub use status::{differing_paths, Status};
pub use time::rfc3339_utc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The state file format this build writes. It reads this one and every older one
/// ([`OLDEST_FORMAT`] up), migrating them when read.
///
/// Format 2 added what keeps written and live apart: `pending` and `observed` on each
/// resource, `emit` on each artifact and `emits`. A format 1 file is read as format 2 whose
/// resources of the kinds a refresh reads are all pending creation (format 1 did not record
/// whether the clouds had them: the first refresh tells).
pub const FORMAT_VERSION: u32 = 2;

/// The oldest state file format this build reads.
pub const OLDEST_FORMAT: u32 = 1;

/// The kinds of resources a refresh reads from the clouds: only these can be pending
/// rollout, be observed live, or drift. (IAM grants, diagnostic settings and router entries
/// are not read: what the files say of them is all Meridian knows.)
pub const OBSERVED_KINDS: &[&str] = &[
    "azure_account",
    "azure_deployment",
    "aws_inference_profile",
    "aws_provisioned_throughput",
    "aws_invocation_logging",
    "gcp_service",
    "gcp_iam_member",
];

/// Whether a refresh reads resources of `kind` ([`OBSERVED_KINDS`]).
pub fn is_observed_kind(kind: &str) -> bool {
    OBSERVED_KINDS.contains(&kind)
}

/// The state of one spec directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// The state file format: [`FORMAT_VERSION`] (2) when written by this build. A file with
    /// a newer format is refused; format 1 is migrated when read.
    pub format_version: u32,
    /// The Meridian version that wrote the file.
    pub meridian_version: String,
    /// A UUID (v4, lower-case) fixed when the state is created; a saved plan names the
    /// lineage it was made against.
    #[schemars(regex(
        pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    ))]
    pub lineage: String,
    /// Incremented by every write (by the writer, before it writes).
    pub serial: u64,
    /// The spec hash (`sha256:<hex>`) of the last apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^sha256:[0-9a-f]{64}$"))]
    pub spec_hash: Option<String>,
    /// The resources last known, sorted by address.
    pub resources: Vec<StateResource>,
    /// The artifacts last written: path relative to the spec directory, `/`-separated.
    pub artifacts: BTreeMap<String, ArtifactRecord>,
    /// The emit blocks whose files were last written, by their path (relative to the spec
    /// directory): each block's format and the kinds of resources its files describe.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub emits: BTreeMap<String, EmitRecord>,
    /// The normal-case monthly cost estimate (USD) of the last apply, from catalog list prices
    /// and each model's `usage`; the next plan shows the change against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_estimate_usd: Option<f64>,
    /// `sha256:<hex>` over the state's compact JSON (`serde_json::to_vec`) with this field
    /// set to the empty string.
    #[schemars(regex(pattern = r"^sha256:[0-9a-f]{64}$"))]
    pub checksum: String,
}

/// One resource as last known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StateResource {
    /// `azure.corp.deployment.assistant-aoai-sweden`.
    pub address: String,
    /// The resource kind, snake_case (`azure_deployment`, `aws_inference_profile`, …).
    #[serde(rename = "type")]
    pub kind: String,
    /// The owning provider: the address's first two segments (`azure.corp`, `router.litellm`).
    pub provider: String,
    /// The cloud region, for regional resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The name in its cloud.
    pub name: String,
    /// Arguments by name.
    pub attributes: BTreeMap<String, serde_json::Value>,
    /// Tags (labels on GCP), including the management tags.
    pub tags: BTreeMap<String, String>,
    /// Written into the generated files but not yet seen live: the rollout (running the
    /// generated IaC) is still to come, as far as the last refresh recorded in state knew.
    /// Only for [`OBSERVED_KINDS`]; absent once a refresh found the cloud as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Pending>,
    /// What the last refresh recorded in state found in the cloud. Absent: no refresh has
    /// been recorded since the record was written (or the kind is not read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<Observed>,
}

/// A record written but not yet rolled out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pending {
    /// The serial of the state that first recorded the change.
    pub serial: u64,
    /// What the rollout has to do.
    pub action: PendingAction,
    /// For an update, each changed path (`name`, `region`, an attribute, `tags.<key>`) with
    /// the value the cloud holds until the rollout (`null`: none). Empty for a creation.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub before: BTreeMap<String, serde_json::Value>,
}

/// What a rollout still has to do to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PendingAction {
    /// Create it: the cloud does not have it yet.
    Create,
    /// Change the paths in `before`: the cloud has the old values.
    Update,
}

/// What a refresh found in the cloud for a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Observed {
    /// The serial of the state that recorded the refresh.
    pub serial: u64,
    /// Whether the cloud had the object.
    pub exists: bool,
    /// Each path whose live value differs from the record, with the live value (`null`:
    /// none). Empty: the cloud had it as recorded.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub differences: BTreeMap<String, serde_json::Value>,
}

/// An emit block whose files were written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmitRecord {
    /// `terraform`, `pulumi` or `litellm`.
    pub format: String,
    /// The kinds of resources (`type`) the block's files describe, sorted: every record of
    /// these kinds is described by the block's files as last written.
    pub describes: Vec<String>,
}

/// A written artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArtifactRecord {
    /// `sha256:<hex>` of the content.
    #[schemars(regex(pattern = r"^sha256:[0-9a-f]{64}$"))]
    pub sha256: String,
    /// The length of the content in bytes.
    pub bytes: u64,
    /// The path of the emit block that generated it (a key of `emits`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emit: Option<String>,
}

impl ArtifactRecord {
    /// The record of `content`: its `sha256:<hex>` and its length (no emit block).
    pub fn of(content: &[u8]) -> ArtifactRecord {
        ArtifactRecord {
            sha256: sha256_hex(content),
            bytes: content.len() as u64,
            emit: None,
        }
    }
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest as _, Sha256};
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl State {
    /// A fresh state: [`FORMAT_VERSION`], a new lineage, serial 0, no spec hash, no
    /// resources or artifacts, and an empty checksum (set by [`save`]).
    pub fn new(meridian_version: &str) -> State {
        State {
            format_version: FORMAT_VERSION,
            meridian_version: meridian_version.to_owned(),
            lineage: new_uuid_v4(),
            serial: 0,
            spec_hash: None,
            resources: Vec::new(),
            artifacts: BTreeMap::new(),
            emits: BTreeMap::new(),
            monthly_estimate_usd: None,
            checksum: String::new(),
        }
    }

    /// This state with `resources` in place of its own (its own are not copied).
    #[must_use]
    pub fn with_resources(&self, resources: Vec<StateResource>) -> State {
        State {
            format_version: self.format_version,
            meridian_version: self.meridian_version.clone(),
            lineage: self.lineage.clone(),
            serial: self.serial,
            spec_hash: self.spec_hash.clone(),
            resources,
            artifacts: self.artifacts.clone(),
            emits: self.emits.clone(),
            monthly_estimate_usd: self.monthly_estimate_usd,
            checksum: self.checksum.clone(),
        }
    }

    /// `sha256:<hex>` over `serde_json::to_vec` of this state with `checksum` set to the
    /// empty string. The current value of `checksum` does not matter.
    pub fn compute_checksum(&self) -> String {
        sha256_hex(&self.checksum_input())
    }

    fn checksum_input(&self) -> Vec<u8> {
        let unsummed = State {
            checksum: String::new(),
            ..self.clone()
        };
        // Serialising a `State` cannot fail: every map has string keys.
        serde_json::to_vec(&unsummed).unwrap_or_default()
    }

    /// Whether `checksum` is the checksum of the content.
    pub fn checksum_is_valid(&self) -> bool {
        self.checksum == self.compute_checksum()
    }

    /// The resource recorded at `address` (the resources are sorted by address, as every
    /// loaded or saved state's are; an unsorted state is searched from end to end).
    pub fn resource(&self, address: &str) -> Option<&StateResource> {
        match self
            .resources
            .binary_search_by(|r| r.address.as_str().cmp(address))
        {
            Ok(i) => self.resources.get(i),
            Err(_) => self.resources.iter().find(|r| r.address == address),
        }
    }

    /// Sorts the resources by address (stable, so resources with equal addresses keep their
    /// order). [`save`] and [`commit`] call it.
    pub fn normalize(&mut self) {
        self.resources.sort_by(|a, b| a.address.cmp(&b.address));
    }

    /// Increments `serial`. Neither [`save`] nor [`commit`] changes the serial: a caller
    /// that writes a new version of the state calls this once before writing it. At
    /// `u64::MAX` the serial cannot go on: the state is left as it is and the error says so.
    pub fn bump(&mut self) -> Result<(), SerialExhausted> {
        self.serial = next_serial(self.serial)?;
        Ok(())
    }

    /// A copy of this state with the serial incremented: the starting point of the next
    /// version.
    pub fn next(&self) -> Result<State, SerialExhausted> {
        let mut next = self.clone();
        next.bump()?;
        Ok(next)
    }

    /// The address of the first resource that appears more than once, if any (after
    /// [`State::normalize`]; on an unsorted list it finds only adjacent duplicates).
    pub fn duplicate_address(&self) -> Option<&str> {
        self.resources
            .windows(2)
            .find(|w| w[0].address == w[1].address)
            .map(|w| w[0].address.as_str())
    }

    /// Normalizes, sets the checksum and returns the file content: pretty JSON and a
    /// trailing newline.
    pub fn to_file_bytes(&mut self) -> Vec<u8> {
        self.normalize();
        self.format_version = FORMAT_VERSION;
        self.checksum = self.compute_checksum();
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }
}

/// `serial + 1`, or the error when `serial` is already the largest a state can hold.
pub fn next_serial(serial: u64) -> Result<u64, SerialExhausted> {
    serial.checked_add(1).ok_or(SerialExhausted)
}

/// The state's serial is `u64::MAX`: another write would wrap it to 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SerialExhausted;

impl std::fmt::Display for SerialExhausted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the state's serial is {}, the largest a state can hold: another write would wrap it to 0, and a plan saved against an old serial could then look current. Meridian raises the serial by one per write, so this state was edited; restore it from state.json.backup or version control. Nothing was written",
            u64::MAX
        )
    }
}

impl std::error::Error for SerialExhausted {}

/// The JSON Schema of the state file, as committed in `schema/state.schema.json`.
pub fn state_schema_json() -> String {
    let schema = schemars::schema_for!(State);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests;
