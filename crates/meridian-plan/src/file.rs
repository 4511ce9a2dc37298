//! Saved plans (`meridian plan -out FILE`): versioned JSON holding the plan (desired
//! resources, actions, the content of every file to write) and the hashes it was made from,
//! so `meridian apply FILE` can refuse a plan that no longer matches the spec, the catalog,
//! the state or the files on disk.
//!
//! A plan file travels between CI jobs and can be edited by whoever can touch it; its
//! checksum only detects damage (anyone can recompute it). So `apply` trusts nothing in it
//! that it cannot check: [`PlanFile::problems`] re-validates it like a spec (every path a
//! plain path inside the spec directory, kinds and actions known and consistent, hashes well
//! formed), [`staleness`] binds it to the spec digest, the catalog, the state's lineage and
//! serial and the files on disk, and [`mismatch`] compares what it would write with what the
//! current spec and state produce, re-derived at apply time.

use crate::{sha256, Action, ArtifactAction, Plan, KINDS};
use meridian_state::{is_uuid_v4, safe_fs, Root, State, StateResource};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// The plan file format this build writes; it reads this one and format 1. Format 2 added
/// the pending rollout, the emit blocks, and the targets of a partial plan: a build that
/// reads only format 1 refuses such a plan instead of applying a partial plan whole.
pub const PLAN_FORMAT_VERSION: u32 = 2;

/// What a plan file says it is.
pub const PLAN_KIND: &str = "meridian-plan";

/// A saved plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "Meridian saved plan")]
pub struct PlanFile {
    /// Always `meridian-plan`.
    pub kind: String,
    /// [`PLAN_FORMAT_VERSION`] when written.
    pub format_version: u32,
    /// When the plan was made (RFC 3339, UTC).
    pub created: String,
    /// The spec path the plan was made from, as given on the command line.
    pub spec_path: String,
    pub plan: Plan,
    /// `sha256:<hex>` over the JSON of this object with this field empty.
    pub checksum: String,
}

/// Why a plan file cannot be used.
#[derive(Debug)]
pub enum PlanFileError {
    Io(PathBuf, std::io::Error),
    /// Not JSON, or not a Meridian plan.
    NotAPlan(PathBuf, String),
    /// Written by a newer Meridian.
    Version(PathBuf, u32),
    /// The content does not match the checksum.
    Checksum(PathBuf),
}

impl fmt::Display for PlanFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanFileError::Io(p, e) => write!(f, "cannot read the plan file {}: {e}", p.display()),
            PlanFileError::NotAPlan(p, why) => write!(
                f,
                "{} is not a Meridian plan file ({why}); make one with `meridian plan -out FILE`",
                p.display()
            ),
            PlanFileError::Version(p, v) => write!(
                f,
                "the plan file {} has format version {v}, but this Meridian reads version {PLAN_FORMAT_VERSION}: it was written by a newer Meridian",
                p.display()
            ),
            PlanFileError::Checksum(p) => write!(
                f,
                "the plan file {} does not match its checksum: it was edited or damaged; make a new plan",
                p.display()
            ),
        }
    }
}

impl std::error::Error for PlanFileError {}

impl PlanFile {
    pub fn new(plan: Plan, spec_path: &str, created: String) -> PlanFile {
        let mut file = PlanFile {
            kind: PLAN_KIND.to_string(),
            format_version: PLAN_FORMAT_VERSION,
            created,
            spec_path: spec_path.to_string(),
            plan,
            checksum: String::new(),
        };
        file.checksum = file.compute_checksum();
        file
    }

    fn compute_checksum(&self) -> String {
        let mut copy = self.clone();
        copy.checksum = String::new();
        sha256(&serde_json::to_vec(&copy).unwrap_or_default())
    }

    /// Writes the plan file atomically (a new file beside it, never written through a link,
    /// renamed into place), after checking `path` against `root`'s protections: never one of
    /// Meridian's own files or a spec file ([`Root::user_file`]).
    pub fn save(&self, root: &Root, path: &Path) -> std::io::Result<()> {
        let mut text = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        text.push(b'\n');
        safe_fs::write_user_file(root, path, &text)
    }

    /// What in this plan Meridian cannot have written: paths that are not plain paths inside
    /// the spec directory (absolute, `..`, `.meridian/`, a temporary name), unknown resource
    /// kinds, actions inconsistent with their content, malformed hashes. Empty when it passes.
    /// At most [`MAX_PROBLEMS`] are listed.
    pub fn problems(&self) -> Vec<String> {
        let mut why = Vec::new();
        let plan = &self.plan;
        if self.spec_path.is_empty() || self.spec_path.contains('\0') {
            why.push("its spec path is empty or holds a NUL character".to_string());
        }
        for (what, hash) in [
            ("spec hash", &plan.spec_hash),
            ("catalog hash", &plan.catalog_hash),
        ] {
            if !is_sha256(hash) {
                why.push(format!("its {what} {hash:?} is not sha256:<64 hex digits>"));
            }
        }
        if let Some(p) = &plan.prior {
            if !is_uuid_v4(&p.lineage) {
                why.push(format!("its state lineage {:?} is not a UUID", p.lineage));
            }
        }
        for t in &plan.targets {
            if t.parse::<meridian_graph::Address>().is_err() {
                why.push(format!("its target {t:?} is not a resource address"));
            }
        }
        let mut blocks = HashSet::new();
        for e in &plan.emits {
            if let Err(problem) = safe_fs::check_recorded(&e.path) {
                why.push(format!(
                    "the emit block {:?} is not a path inside the spec directory: {problem}",
                    e.path
                ));
            }
            if !blocks.insert(e.path.as_str()) {
                why.push(format!("the emit block {} is listed twice", e.path));
            }
            if e.describes != crate::describes(&e.format) {
                why.push(format!(
                    "the emit block {} does not describe what a {:?} block describes",
                    e.path, e.format
                ));
            }
        }
        for c in &plan.resource_changes {
            if let Some(block) = &c.written_with {
                if !blocks.contains(block.as_str()) || plan.targets.is_empty() {
                    why.push(format!(
                        "the resource {} is written with an emit block {block:?} the plan does not write",
                        c.address
                    ));
                }
            }
        }
        let mut paths = HashSet::new();
        for a in &plan.artifact_changes {
            if let Some(block) = &a.emit {
                if !plan.emits.is_empty()
                    && !blocks.contains(block.as_str())
                    && a.action != ArtifactAction::Delete
                {
                    why.push(format!(
                        "the file {} belongs to an emit block {block:?} the plan does not list",
                        a.path
                    ));
                }
            }
            if let Err(problem) = safe_fs::check_recorded(&a.path) {
                why.push(format!(
                    "the file {:?} is not a path inside the spec directory: {problem}",
                    a.path
                ));
                continue;
            }
            if !paths.insert(a.path.as_str()) {
                why.push(format!("the file {} is listed twice", a.path));
            }
            for hash in [&a.before_sha256, &a.after_sha256].into_iter().flatten() {
                if !is_sha256(hash) {
                    why.push(format!("the file {} has a malformed hash {hash:?}", a.path));
                }
            }
            let consistent = match (a.action, &a.content) {
                (ArtifactAction::Create | ArtifactAction::Update, Some(c)) => {
                    a.after_sha256.as_deref() == Some(sha256(c.as_bytes()).as_str())
                }
                (ArtifactAction::Delete, None) => a.after_sha256.is_none(),
                (ArtifactAction::NoOp, None) => true,
                // A write without content, or content for a delete or a no-op.
                (ArtifactAction::Create | ArtifactAction::Update, None)
                | (ArtifactAction::Delete | ArtifactAction::NoOp, Some(_)) => false,
            };
            if !consistent {
                why.push(format!(
                    "the file {}: its content does not match its action and after_sha256",
                    a.path
                ));
            }
        }
        for c in &plan.resource_changes {
            if !KINDS.iter().any(|k| crate::kind_name(*k) == c.kind) {
                why.push(format!(
                    "the resource {} has an unknown kind {:?}",
                    c.address, c.kind
                ));
            }
            for r in [&c.before, &c.after].into_iter().flatten() {
                if r.address != c.address || r.kind != c.kind {
                    why.push(format!(
                        "the resource {} holds a record of {} ({})",
                        c.address, r.address, r.kind
                    ));
                }
            }
            let shape = match c.action {
                Action::Create | Action::NoOp => c.after.is_some() && c.before.is_none(),
                Action::Update | Action::Replace => c.after.is_some() && c.before.is_some(),
                Action::Delete => c.after.is_none() && c.before.is_some(),
            };
            if !shape {
                why.push(format!(
                    "the resource {}: its before and after do not fit the action {:?}",
                    c.address, c.action
                ));
            }
        }
        why.truncate(MAX_PROBLEMS);
        why
    }

    /// Reads and checks a plan file.
    pub fn load(path: &Path) -> Result<PlanFile, PlanFileError> {
        let bytes = std::fs::read(path).map_err(|e| PlanFileError::Io(path.to_path_buf(), e))?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            PlanFileError::NotAPlan(
                path.to_path_buf(),
                if e.is_eof() {
                    "the JSON ends early: the file is truncated".to_string()
                } else {
                    format!("not JSON: {e}")
                },
            )
        })?;
        if value.get("kind").and_then(|k| k.as_str()) != Some(PLAN_KIND) {
            return Err(PlanFileError::NotAPlan(
                path.to_path_buf(),
                format!("it has no \"kind\": \"{PLAN_KIND}\""),
            ));
        }
        let version = value
            .get("format_version")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        if version > u64::from(PLAN_FORMAT_VERSION) {
            return Err(PlanFileError::Version(
                path.to_path_buf(),
                u32::try_from(version).unwrap_or(u32::MAX),
            ));
        }
        let file: PlanFile = serde_json::from_value(value)
            .map_err(|e| PlanFileError::NotAPlan(path.to_path_buf(), e.to_string()))?;
        if file.compute_checksum() != file.checksum {
            return Err(PlanFileError::Checksum(path.to_path_buf()));
        }
        Ok(file)
    }
}

/// The most problems [`PlanFile::problems`] and [`mismatch`] list.
pub const MAX_PROBLEMS: usize = 20;

fn is_sha256(s: &str) -> bool {
    s.strip_prefix("sha256:").is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// How the files and the state `saved` would write differ from those of `derived`, the plan
/// the current spec and state give (made at apply time, without refresh). Empty: they are the
/// same, and `saved` writes nothing the spec does not produce.
///
/// Compared: every file written or deleted (path, action, content hash); every resource the
/// next state records from the spec (its full record); the resources kept as unmanaged (each
/// must be in `prior` and not declared by the spec); the emit blocks and which of them are
/// written; the cost estimate recorded. The drift and
/// the `before` side of each change are not compared: they come from the clouds at plan time
/// and are only shown, never written.
pub fn mismatch(saved: &Plan, derived: &Plan, prior: Option<&State>) -> Vec<String> {
    let mut why = Vec::new();
    let writes = |p: &Plan| -> BTreeMap<String, (ArtifactAction, Option<String>)> {
        p.artifact_changes
            .iter()
            .filter(|a| a.action != ArtifactAction::NoOp)
            .map(|a| (a.path.clone(), (a.action, a.after_sha256.clone())))
            .collect()
    };
    let (s, d) = (writes(saved), writes(derived));
    for path in s.keys().chain(d.keys()).collect::<BTreeSet<_>>() {
        match (s.get(path), d.get(path)) {
            (Some((action, _)), None) => why.push(format!(
                "it would {} {path}, which the spec does not change",
                verb(*action)
            )),
            (None, Some((action, _))) => why.push(format!(
                "it leaves out {path}, which the spec would {}",
                verb(*action)
            )),
            (Some(a), Some(b)) if a != b => why.push(format!(
                "it would {} {path} with {}, the spec gives {}",
                verb(a.0),
                a.1.as_deref().unwrap_or("nothing"),
                b.1.as_deref().unwrap_or("nothing")
            )),
            _ => {}
        }
    }
    let afters = |p: &Plan| -> BTreeMap<String, StateResource> {
        p.resource_changes
            .iter()
            .filter_map(|c| c.after.clone())
            .map(|r| (r.address.clone(), r))
            .collect()
    };
    let (s, d) = (afters(saved), afters(derived));
    for address in s.keys().chain(d.keys()).collect::<BTreeSet<_>>() {
        match (s.get(address), d.get(address)) {
            (Some(_), None) => why.push(format!(
                "it records the resource {address}, which the spec does not declare"
            )),
            (None, Some(_)) => why.push(format!(
                "it leaves out the resource {address}, which the spec declares"
            )),
            (Some(a), Some(b)) if a != b => why.push(format!(
                "it records the resource {address} otherwise than the spec declares it"
            )),
            _ => {}
        }
    }
    let recorded: HashSet<&str> = prior
        .map(|p| p.resources.iter().map(|r| r.address.as_str()).collect())
        .unwrap_or_default();
    for u in &saved.unmanaged {
        if recorded.contains(u.address.as_str()) && d.contains_key(&u.address) {
            why.push(format!(
                "it keeps {} as unmanaged, but the spec declares it",
                u.address
            ));
        }
    }
    let blocks = |p: &Plan| -> Vec<(String, String, bool)> {
        p.emits
            .iter()
            .map(|e| (e.path.clone(), e.format.clone(), e.written))
            .collect()
    };
    if blocks(saved) != blocks(derived) {
        why.push("its emit blocks (or which of them it writes) are not the spec's".to_string());
    }
    let cost = |p: &Plan| p.cost.map(|c| c.after_usd);
    match (cost(saved), cost(derived)) {
        (Some(a), Some(b)) if (a - b).abs() < 1e-6 => {}
        (None, None) => {}
        _ => why.push("its monthly cost estimate is not the spec's".to_string()),
    }
    why.truncate(MAX_PROBLEMS);
    why
}

fn verb(action: ArtifactAction) -> &'static str {
    match action {
        ArtifactAction::Create => "create",
        ArtifactAction::Update => "update",
        ArtifactAction::Delete => "delete",
        ArtifactAction::NoOp => "keep",
    }
}

/// Why a saved plan can no longer be applied. Empty: it can.
pub fn staleness(
    plan: &Plan,
    spec_hash: &str,
    catalog_hash: &str,
    state: Option<&State>,
    base: &Path,
) -> Vec<String> {
    let mut why = Vec::new();
    if plan.spec_hash != spec_hash {
        why.push(format!(
            "the spec changed after the plan was made (it was {}, it is now {spec_hash})",
            plan.spec_hash
        ));
    }
    if plan.catalog_hash != catalog_hash {
        why.push(
            "the catalog (built-in data or the overlay the spec names) changed after the plan was made"
                .to_string(),
        );
    }
    match (&plan.prior, state) {
        (None, Some(s)) => why.push(format!(
            "the plan was made when there was no state, but there is now one (lineage {}, serial {})",
            s.lineage, s.serial
        )),
        (Some(p), None) => why.push(format!(
            "the plan was made against state serial {} (lineage {}), but there is no state now",
            p.serial, p.lineage
        )),
        (Some(p), Some(s)) if p.lineage != s.lineage => why.push(format!(
            "the state was replaced after the plan was made: lineage {} is now {}",
            p.lineage, s.lineage
        )),
        (Some(p), Some(s)) if p.serial != s.serial => why.push(format!(
            "the state was changed by another operation after the plan was made: serial {} is now {}",
            p.serial, s.serial
        )),
        _ => {}
    }
    // Every file the plan looked at, unchanged ones included: the plan promised what each
    // will hold afterwards.
    for a in &plan.artifact_changes {
        let now = safe_fs::read(&base.join(&a.path)).ok().map(|b| sha256(&b));
        if now != a.before_sha256 {
            why.push(format!(
                "{} changed on disk after the plan was made",
                a.path
            ));
        }
    }
    why
}
