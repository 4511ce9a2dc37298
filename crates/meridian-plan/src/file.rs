//! Saved plans (`meridian plan -out FILE`): versioned JSON holding the plan (desired
//! resources, actions, the content of every file to write) and the hashes it was made from,
//! so `meridian apply FILE` can refuse a plan that no longer matches the spec, the catalog,
//! the state or the files on disk.

use crate::{sha256, Plan};
use meridian_state::State;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The plan file format this build reads and writes.
pub const PLAN_FORMAT_VERSION: u32 = 1;

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

    /// Writes the plan file (to a temporary file beside it, then renamed into place).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .map_or_else(|| "plan".into(), |n| n.to_string_lossy().into_owned());
        let tmp = dir.join(format!(".{name}.meridian-new"));
        let result = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&text)?;
            f.write_all(b"\n")?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
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
        let now = std::fs::read(base.join(&a.path)).ok().map(|b| sha256(&b));
        if now != a.before_sha256 {
            why.push(format!(
                "{} changed on disk after the plan was made",
                a.path
            ));
        }
    }
    why
}
