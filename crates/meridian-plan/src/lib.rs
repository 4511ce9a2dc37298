//! The plan: what applying the spec would change, in the clouds and in the generated files.
//!
//! [`diff_resources`] compares the desired resources of the graph (in graph order) with the
//! resources of the state and gives one [`ResourceChange`] per address: create, update in
//! place, replace (an attribute that cannot change in place differs), delete (only what
//! carries Meridian's management tag) or no-op. Resources in state without the tag are
//! [`Unmanaged`]: reported, never deleted. [`diff_artifacts`] compares the rendered artifacts
//! with the files on disk and those the state recorded. A [`Plan`] holds both, the hashes it
//! was made from and the state to write after apply; [`file`] saves and loads it, and
//! [`render`] shows it for people (terminal, Markdown) and machines (JSON shaped like
//! `terraform show -json`).
//!
//! A plan keeps three things apart: **changes** (what the spec asks for against the records
//! last written: what apply writes), **pending rollout** (records written but not yet live,
//! [`rollout`]) and **drift** (live objects changed after they matched). Only a refresh
//! tells the last two. [`target`] limits a plan to some resources (`-target`), and
//! [`outputs`] are the values a pipeline reads after apply.

pub mod applied;
pub mod file;
pub mod import;
pub mod outputs;
pub mod render;
pub mod rollout;
pub mod target;

pub use rollout::{Live, Observations, PendingPath, PendingRollout};

use meridian_graph::{Kind, Resource};
use meridian_model::cost::format_usd as usd;
use meridian_state::{
    next_serial, safe_fs, ArtifactRecord, EmitRecord, SerialExhausted, State, StateResource,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The value of the `managed-by` tag on every resource Meridian creates.
pub const MANAGED_BY: &str = "meridian";

/// Every resource kind.
pub const KINDS: [Kind; 17] = [
    Kind::AzureAccount,
    Kind::AzureDeployment,
    Kind::AzureRoleAssignment,
    Kind::AzureDiagnosticSetting,
    Kind::AzurePrivateEndpoint,
    Kind::AzurePrivateDnsZone,
    Kind::AwsInferenceProfile,
    Kind::AwsProvisionedThroughput,
    Kind::AwsIamPolicy,
    Kind::AwsInvocationLogging,
    Kind::AwsLogLifecycle,
    Kind::AwsVpcEndpoint,
    Kind::GcpService,
    Kind::GcpIamMember,
    Kind::GcpLogDataset,
    Kind::GcpRequestLogging,
    Kind::RouterDeployment,
];

/// What happens to one resource.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Create,
    Update,
    Replace,
    Delete,
    NoOp,
}

impl Action {
    /// Terraform's `change.actions` for this action (a replace creates the new object before
    /// destroying the old one).
    pub fn terraform_actions(self) -> &'static [&'static str] {
        match self {
            Action::Create => &["create"],
            Action::Update => &["update"],
            Action::Replace => &["create", "delete"],
            Action::Delete => &["delete"],
            Action::NoOp => &["no-op"],
        }
    }

    /// The plan symbol: `+`, `~`, `-/+`, `-`, or a space.
    pub fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
            Action::NoOp => " ",
        }
    }
}

/// One resource's change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ResourceChange {
    pub address: String,
    /// The resource kind, snake_case (`azure_deployment`).
    pub kind: String,
    pub action: Action,
    /// The resource as the state holds it (`None` for a create, and for a no-op, where it
    /// equals `after`; [`ResourceChange::prior`] answers for both).
    pub before: Option<StateResource>,
    /// The resource as the spec wants it (`None` for a delete).
    pub after: Option<StateResource>,
    /// Why: `replace_because_cannot_update`, `delete_because_no_resource_config`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_reason: Option<String>,
    /// For a replace, the attributes that force it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replace_paths: Vec<String>,
    /// In a plan limited by `-target`: the change is not targeted, but the emit block at
    /// this path describes it and is written whole for a target, so it is written too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_with: Option<String>,
}

impl ResourceChange {
    /// The resource as the state holds it, for every action (a no-op's is its `after`).
    pub fn prior(&self) -> Option<&StateResource> {
        match self.action {
            Action::NoOp => self.after.as_ref(),
            _ => self.before.as_ref(),
        }
    }
}

/// A resource in state that Meridian did not create: reported, left alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Unmanaged {
    pub address: String,
    pub kind: String,
    pub name: String,
    /// The resource's `managed-by` tag, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<String>,
    /// The region, for a regional resource found by refresh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The cloud's id of a resource found by refresh (ARM id, ARN, resource name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// How a refreshed resource differs from the last applied state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DriftKind {
    /// It exists, with different attributes or tags.
    Changed,
    /// State records it, the cloud no longer has it.
    Deleted,
    /// The cloud has it with Meridian's tags for this project, state did not record it.
    Appeared,
}

/// A difference between the live object and the last applied state: a change made outside
/// Meridian.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Drift {
    pub address: String,
    pub kind: String,
    pub drift: DriftKind,
    /// As the last applied state recorded it (`None` when it appeared).
    pub before: Option<StateResource>,
    /// As the cloud has it now (`None` when it was deleted).
    pub after: Option<StateResource>,
    /// The attributes (and `tags.<key>`) that differ, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
}

/// What happens to one generated file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactAction {
    Create,
    Update,
    Delete,
    NoOp,
}

/// One generated file's change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ArtifactChange {
    /// Relative to the spec directory, `/`-separated.
    pub path: String,
    pub action: ArtifactAction,
    /// `sha256:<hex>` of the file on disk, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_sha256: Option<String>,
    /// `sha256:<hex>` of the content to write (`None` for a delete).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_sha256: Option<String>,
    /// Lines removed and added.
    pub lines_removed: usize,
    pub lines_added: usize,
    /// A unified diff of disk → new content, for an update.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub diff: String,
    /// The content to write (create and update).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Set when the plan leaves the file alone although the spec no longer produces it (it
    /// was changed after Meridian wrote it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The path of the emit block that generates (or generated) the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emit: Option<String>,
}

/// One emit block of the spec, as a plan sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EmitBlock {
    /// Its path, relative to the spec directory, as written in the spec.
    pub path: String,
    /// `terraform`, `pulumi` or `litellm`.
    pub format: String,
    /// The kinds of resources its files describe ([`describes`]), sorted.
    pub describes: Vec<String>,
    /// Whether this plan covers its files: always, except in a plan limited by `-target`
    /// that has no change for the block to describe.
    pub written: bool,
}

/// The kinds of resources the files of an emit block of `format` describe: a Terraform or
/// Pulumi program describes every cloud resource, a router configuration every router
/// entry. A block's files are written together (they form one program or configuration),
/// so a change to any resource a block describes rewrites the block.
pub fn describes(format: &str) -> Vec<String> {
    let router = kind_name(Kind::RouterDeployment);
    let mut kinds: Vec<String> = KINDS
        .iter()
        .map(|k| kind_name(*k))
        .filter(|k| match format {
            "terraform" | "pulumi" => *k != router,
            "litellm" => *k == router,
            _ => false,
        })
        .collect();
    kinds.sort();
    kinds
}

/// Without a refresh: what the state last recorded of the rollout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LastKnown {
    /// Records written but not seen live by a refresh recorded in state.
    pub pending: usize,
    /// Records a refresh recorded in state found changed outside Meridian.
    pub drifted: usize,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub replace: usize,
    pub destroy: usize,
}

/// A plan: every change, what it was made from, and what state will hold after apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    pub meridian_version: String,
    /// `sha256:<hex>` of the spec files.
    pub spec_hash: String,
    /// `sha256:<hex>` of the catalog (built-in files and overlay).
    pub catalog_hash: String,
    /// The state the plan was made against (`None`: there was none yet).
    pub prior: Option<PriorState>,
    /// Whether live provider state was read (false: the last known state was used).
    pub refreshed: bool,
    /// The addresses given with `-target`, sorted: the plan covers them, what they need,
    /// and what shares an emit block with them. Empty: the whole spec.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
    /// Records written into the generated files that the clouds do not hold yet, found by
    /// refresh (empty without refresh).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<PendingRollout>,
    /// Changes made outside Meridian after the clouds held what was written, found by
    /// refresh (empty without refresh).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<Drift>,
    /// Without refresh: the rollout as the state last recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_known: Option<LastKnown>,
    /// The spec's emit blocks and whether this plan writes them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emits: Vec<EmitBlock>,
    /// Every desired resource in graph order, then deletions; no-ops included.
    pub resource_changes: Vec<ResourceChange>,
    pub unmanaged: Vec<Unmanaged>,
    pub artifact_changes: Vec<ArtifactChange>,
    /// The normal-case monthly cost estimate against the state's last one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostChange>,
}

/// The monthly cost estimate (USD, catalog list prices and each model's `usage`) before and
/// after the plan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CostChange {
    /// The estimate recorded by the last apply (`None`: none recorded yet).
    pub before_usd: Option<f64>,
    pub after_usd: f64,
}

impl CostChange {
    /// "Monthly estimate rises by $1,234.00 (+12.5%), to $11,106.00", "… falls by …",
    /// "Monthly estimate unchanged: $9,872.00", or the first "Monthly estimate: $9,872.00".
    pub fn line(&self) -> String {
        let after = usd(self.after_usd);
        let Some(before) = self.before_usd else {
            return format!("Monthly estimate: {after}");
        };
        let diff = self.after_usd - before;
        if diff.abs() < 0.005 {
            return format!("Monthly estimate unchanged: {after}");
        }
        let verb = if diff > 0.0 { "rises" } else { "falls" };
        let pct = if before.abs() >= 0.005 {
            format!(" ({:+.1}%)", diff / before * 100.0)
        } else {
            String::new()
        };
        format!(
            "Monthly estimate {verb} by {}{pct}, to {after}",
            usd(diff.abs())
        )
    }
}

/// The lineage and serial of the state a plan was made against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PriorState {
    pub lineage: String,
    pub serial: u64,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.resource_changes {
            match c.action {
                Action::Create => s.add += 1,
                Action::Update => s.change += 1,
                Action::Replace => s.replace += 1,
                Action::Delete => s.destroy += 1,
                Action::NoOp => {}
            }
        }
        s
    }

    /// Whether anything differs: a change to write, a rollout still to run, or drift.
    /// `-detailed-exitcode` exits 2 when this holds.
    pub fn has_differences(&self) -> bool {
        self.has_changes() || !self.pending.is_empty() || !self.drift.is_empty()
    }

    /// Whether applying would change anything: a resource or a file.
    pub fn has_changes(&self) -> bool {
        self.resource_changes
            .iter()
            .any(|c| c.action != Action::NoOp)
            || self
                .artifact_changes
                .iter()
                .any(|a| a.action != ArtifactAction::NoOp)
    }

    /// The state after applying this plan onto `prior`, one serial higher (an error when
    /// the serial cannot go higher): the records of the changes (with their rollout as
    /// [`rollout::next`] decides from what `live` says the clouds hold), every other record
    /// of `prior` as it was (unmanaged resources, and in a plan limited by `-target`
    /// everything it does not cover), the files written and the emit blocks.
    pub fn next_state(
        &self,
        prior: Option<&State>,
        meridian_version: &str,
        live: &Observations,
    ) -> Result<State, SerialExhausted> {
        let serial = next_serial(prior.map_or(0, |p| p.serial))?;
        let covered: std::collections::HashSet<&str> = self
            .resource_changes
            .iter()
            .map(|c| c.address.as_str())
            .collect();
        let mut resources: Vec<StateResource> = prior
            .map(|p| p.resources.as_slice())
            .unwrap_or_default()
            .iter()
            .filter(|r| !covered.contains(r.address.as_str()))
            .cloned()
            .collect();
        for c in &self.resource_changes {
            if let Some(after) = &c.after {
                let before = prior.and_then(|p| p.resource(&c.address));
                resources.push(rollout::next(
                    before,
                    after.clone(),
                    live.live(&c.address),
                    serial,
                ));
            }
        }
        resources.sort_by(|a, b| a.address.cmp(&b.address));
        let mut state = match prior {
            Some(p) => p.with_resources(resources),
            None => State {
                resources,
                ..State::new(meridian_version)
            },
        };
        state.meridian_version = meridian_version.to_string();
        state.serial = serial;
        state.spec_hash = Some(self.spec_hash.clone());
        let partial = !self.targets.is_empty();
        let listed: std::collections::HashSet<&str> = self
            .artifact_changes
            .iter()
            .map(|a| a.path.as_str())
            .collect();
        let mut artifacts = BTreeMap::new();
        if partial {
            // Files of the blocks this plan does not write stay as recorded.
            for (path, record) in &state.artifacts {
                if !listed.contains(path.as_str()) {
                    artifacts.insert(path.clone(), record.clone());
                }
            }
        }
        for a in &self.artifact_changes {
            let kept = match a.action {
                ArtifactAction::Delete => None,
                _ => a.after_sha256.clone(),
            };
            if let (Some(sha), Some(bytes)) =
                (kept, artifact_bytes(a, state.artifacts.get(&a.path)))
            {
                artifacts.insert(
                    a.path.clone(),
                    ArtifactRecord {
                        sha256: sha,
                        bytes,
                        emit: a.emit.clone(),
                    },
                );
            }
        }
        state.artifacts = artifacts;
        if !partial {
            state.emits.clear();
        }
        for e in self.emits.iter().filter(|e| e.written) {
            state.emits.insert(
                e.path.clone(),
                EmitRecord {
                    format: e.format.clone(),
                    describes: e.describes.clone(),
                },
            );
        }
        if let Some(cost) = self.cost {
            state.monthly_estimate_usd = Some(cost.after_usd);
        }
        Ok(state)
    }
}

fn artifact_bytes(a: &ArtifactChange, prior: Option<&ArtifactRecord>) -> Option<u64> {
    match &a.content {
        Some(c) => Some(c.len() as u64),
        None => prior
            .filter(|p| Some(&p.sha256) == a.after_sha256.as_ref())
            .map(|p| p.bytes)
            .or(Some(0)),
    }
}

/// `sha256:<hex>` of bytes.
pub fn sha256(bytes: &[u8]) -> String {
    meridian_state::sha256_hex(bytes)
}

/// The snake_case name of a kind (`azure_deployment`).
pub fn kind_name(kind: Kind) -> String {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{kind:?}"),
    }
}

/// A desired resource as the state records it.
pub fn to_state(r: &Resource) -> StateResource {
    StateResource {
        address: r.address.to_string(),
        kind: kind_name(r.kind),
        provider: r.address.owner.clone(),
        region: r.region.clone(),
        name: r.name.clone(),
        attributes: r.attrs.clone(),
        tags: r.tags.clone(),
        pending: None,
        observed: None,
    }
}

/// The attributes of a kind that cannot change in place: a different value replaces the
/// resource (as the Terraform providers force a new resource). The name and the region
/// always do.
pub fn forces_replacement(kind: &str, attribute: &str) -> bool {
    let fixed: &[&str] = match kind {
        "azure_account" => &[
            "kind",
            "location",
            "resource_group_name",
            "subscription_id",
            "custom_subdomain_name",
        ],
        "azure_deployment" => &[
            "cognitive_account_id",
            "model_format",
            "model_name",
            "sku_name",
        ],
        "azure_role_assignment" => &["scope", "role_definition_name", "principal_id"],
        "azure_diagnostic_setting" => &["target_resource_id"],
        "aws_inference_profile" => &["name", "copy_from"],
        "aws_provisioned_throughput" => &["model_arn", "model_units", "provisioned_model_name"],
        "aws_iam_policy" => &["name", "path"],
        "aws_invocation_logging" => &["region"],
        "gcp_service" => &["project", "service"],
        "gcp_iam_member" => &["project", "role", "member"],
        "azure_private_endpoint" => &[
            "subnet_id",
            "resource_group_name",
            "private_connection_resource_id",
            "subresource_names",
        ],
        "azure_private_dns_zone" => &["resource_group_name"],
        "aws_vpc_endpoint" => &["service_name", "vpc_endpoint_type"],
        "aws_log_lifecycle" => &["bucket"],
        "gcp_log_dataset" => &["project", "dataset_id", "location"],
        // A terraform_data resource is replaced whenever its triggers change.
        "gcp_request_logging" => &[
            "project",
            "location",
            "publisher",
            "model",
            "bigquery_destination",
            "sampling_rate",
        ],
        _ => &[],
    };
    fixed.contains(&attribute)
}

fn is_managed(r: &StateResource) -> bool {
    r.tags.get("managed-by").map(String::as_str) == Some(MANAGED_BY)
}

/// Diffs the desired resources (in graph order) against the state. Changes come in graph
/// order, then the deletions (in reverse address order, dependents before what they need);
/// state resources without Meridian's management tag are returned as unmanaged.
pub fn diff_resources(
    desired: &[Resource],
    state: Option<&State>,
) -> (Vec<ResourceChange>, Vec<Unmanaged>) {
    let prior: HashMap<&str, &StateResource> = state
        .map(|s| {
            s.resources
                .iter()
                .map(|r| (r.address.as_str(), r))
                .collect()
        })
        .unwrap_or_default();
    let mut changes = Vec::with_capacity(desired.len());
    let mut seen = std::collections::HashSet::with_capacity(desired.len());
    for r in desired {
        let after = to_state(r);
        seen.insert(after.address.clone());
        let change = match prior.get(after.address.as_str()) {
            None => ResourceChange {
                address: after.address.clone(),
                kind: after.kind.clone(),
                action: Action::Create,
                before: None,
                after: Some(after),
                action_reason: None,
                replace_paths: Vec::new(),
                written_with: None,
            },
            Some(before) => compare(before, after),
        };
        changes.push(change);
    }
    let mut unmanaged = Vec::new();
    let mut deletes = Vec::new();
    if let Some(s) = state {
        for r in s.resources.iter().rev() {
            if seen.contains(&r.address) {
                continue;
            }
            if is_managed(r) {
                deletes.push(ResourceChange {
                    address: r.address.clone(),
                    kind: r.kind.clone(),
                    action: Action::Delete,
                    before: Some(r.clone()),
                    after: None,
                    action_reason: Some("delete_because_no_resource_config".into()),
                    replace_paths: Vec::new(),
                    written_with: None,
                });
            } else {
                unmanaged.push(Unmanaged {
                    address: r.address.clone(),
                    kind: r.kind.clone(),
                    name: r.name.clone(),
                    managed_by: r.tags.get("managed-by").cloned(),
                    region: r.region.clone(),
                    id: None,
                });
            }
        }
    }
    unmanaged.sort_by(|a, b| a.address.cmp(&b.address));
    changes.extend(deletes);
    (changes, unmanaged)
}

fn compare(before: &StateResource, after: StateResource) -> ResourceChange {
    let same = before.kind == after.kind
        && before.name == after.name
        && before.region == after.region
        && before.attributes == after.attributes
        && before.tags == after.tags;
    if same {
        return ResourceChange {
            address: after.address.clone(),
            kind: after.kind.clone(),
            action: Action::NoOp,
            // Equal to `after`: not stored twice (see [`ResourceChange::prior`]).
            before: None,
            after: Some(after),
            action_reason: None,
            replace_paths: Vec::new(),
            written_with: None,
        };
    }
    let mut replace_paths = Vec::new();
    if before.kind != after.kind {
        replace_paths.push("type".to_string());
    }
    if before.name != after.name {
        replace_paths.push("name".to_string());
    }
    if before.region != after.region {
        replace_paths.push("region".to_string());
    }
    let keys: std::collections::BTreeSet<&String> = before
        .attributes
        .keys()
        .chain(after.attributes.keys())
        .collect();
    for k in keys {
        if before.attributes.get(k) != after.attributes.get(k) && forces_replacement(&after.kind, k)
        {
            replace_paths.push(k.clone());
        }
    }
    let action = if replace_paths.is_empty() {
        Action::Update
    } else {
        Action::Replace
    };
    ResourceChange {
        address: after.address.clone(),
        kind: after.kind.clone(),
        action,
        before: Some(before.clone()),
        after: Some(after),
        action_reason: (action == Action::Replace)
            .then(|| "replace_because_cannot_update".to_string()),
        replace_paths,
        written_with: None,
    }
}

/// A rendered artifact: path relative to the spec directory, content, and the path of the
/// emit block that generated it.
pub struct Rendered<'a> {
    pub path: &'a Path,
    pub content: &'a str,
    pub emit: Option<&'a str>,
}

/// `/`-separated text of a relative path.
pub fn path_text(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Compares the rendered artifacts with the files under `base`; files the state recorded
/// that are no longer rendered are deleted when they still hold what Meridian wrote, and
/// left alone (with a note) when they were changed since.
pub fn diff_artifacts(
    base: &Path,
    rendered: &[Rendered<'_>],
    state: Option<&State>,
) -> Vec<ArtifactChange> {
    let mut out = Vec::with_capacity(rendered.len());
    let mut produced = std::collections::HashSet::new();
    for r in rendered {
        let path = path_text(r.path);
        produced.insert(path.clone());
        // Never through a link: what a link points to is not shown, and writing it is refused.
        let disk = safe_fs::read(&base.join(r.path)).ok();
        let after_sha = sha256(r.content.as_bytes());
        match disk {
            Some(bytes) if bytes == r.content.as_bytes() => out.push(ArtifactChange {
                path,
                action: ArtifactAction::NoOp,
                before_sha256: Some(after_sha.clone()),
                after_sha256: Some(after_sha),
                lines_removed: 0,
                lines_added: 0,
                diff: String::new(),
                content: None,
                note: None,
                emit: r.emit.map(str::to_string),
            }),
            Some(bytes) => {
                let old = String::from_utf8_lossy(&bytes);
                let (diff, removed, added) = unified(&old, r.content, &path);
                out.push(ArtifactChange {
                    before_sha256: Some(sha256(&bytes)),
                    path,
                    action: ArtifactAction::Update,
                    after_sha256: Some(after_sha),
                    lines_removed: removed,
                    lines_added: added,
                    diff,
                    content: Some(r.content.to_string()),
                    note: None,
                    emit: r.emit.map(str::to_string),
                });
            }
            None => out.push(ArtifactChange {
                path,
                action: ArtifactAction::Create,
                before_sha256: None,
                after_sha256: Some(after_sha),
                lines_removed: 0,
                lines_added: r.content.lines().count(),
                diff: String::new(),
                content: Some(r.content.to_string()),
                note: None,
                emit: r.emit.map(str::to_string),
            }),
        }
    }
    if let Some(state) = state {
        for (path, record) in &state.artifacts {
            if produced.contains(path) {
                continue;
            }
            let Ok(bytes) = safe_fs::read(&base.join(path)) else {
                continue;
            };
            let sha = sha256(&bytes);
            if sha == record.sha256 {
                out.push(ArtifactChange {
                    path: path.clone(),
                    action: ArtifactAction::Delete,
                    before_sha256: Some(sha),
                    after_sha256: None,
                    lines_removed: String::from_utf8_lossy(&bytes).lines().count(),
                    lines_added: 0,
                    diff: String::new(),
                    content: None,
                    note: None,
                    emit: record.emit.clone(),
                });
            } else {
                out.push(ArtifactChange {
                    path: path.clone(),
                    action: ArtifactAction::NoOp,
                    before_sha256: Some(sha),
                    after_sha256: None,
                    lines_removed: 0,
                    lines_added: 0,
                    diff: String::new(),
                    content: None,
                    note: Some(
                        "no longer generated, but changed since Meridian wrote it: left in place"
                            .into(),
                    ),
                    emit: record.emit.clone(),
                });
            }
        }
    }
    out
}

/// A unified diff of `old` → `new` with three lines of context, and the counts of lines
/// removed and added.
pub fn unified(old: &str, new: &str, path: &str) -> (String, usize, usize) {
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .timeout(std::time::Duration::from_secs(2))
        .diff_lines(old, new);
    let (mut removed, mut added) = (0, 0);
    for op in diff.ops() {
        for change in diff.iter_changes(op) {
            match change.tag() {
                similar::ChangeTag::Delete => removed += 1,
                similar::ChangeTag::Insert => added += 1,
                similar::ChangeTag::Equal => {}
            }
        }
    }
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string();
    (text, removed, added)
}

#[cfg(test)]
mod tests;
