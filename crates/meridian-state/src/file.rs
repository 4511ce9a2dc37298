//! Reading and writing `.meridian/state.json`.

use crate::safe_fs::{
    check_recorded, exists, own_dir, parent_dir, read_if_exists, replace_with_copy_of, sync_dir,
    with_suffix, write_new_synced,
};
use crate::{
    is_observed_kind, sha256_hex, Pending, PendingAction, State, FORMAT_VERSION, OLDEST_FORMAT,
};
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// What went wrong reading or writing a state file. Every message names the file and says
/// what to do; Meridian never replaces or repairs a damaged state file on its own.
#[derive(Debug)]
pub enum StateError {
    /// The file exists but could not be read (permissions, an IO error).
    Unreadable { path: PathBuf, source: io::Error },
    /// The file is not JSON at all, or ends early: it was truncated (a full disk, a copy
    /// interrupted) or overwritten with something else.
    NotJson {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// The file is JSON but not a state: a field is missing, unknown or of the wrong type,
    /// or two resources share an address.
    NotState { path: PathBuf, message: String },
    /// The file was written by a Meridian with a newer (or unknown) state format.
    UnsupportedVersion { path: PathBuf, found: u64 },
    /// The file's recorded checksum does not match its content: it was edited by hand or
    /// damaged.
    ChecksumMismatch {
        path: PathBuf,
        recorded: String,
        computed: String,
    },
    /// The state to save is not valid (two resources share an address); nothing was written.
    Invalid { path: PathBuf, message: String },
    /// Writing the file failed; the file on disk is unchanged.
    Write {
        path: PathBuf,
        action: &'static str,
        source: io::Error,
    },
}

fn restore_hint(path: &Path) -> String {
    let backup = with_suffix(path, ".backup");
    let name = backup.file_name().map_or_else(
        || backup.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    format!("restore it from {name} or from version control; Meridian never replaces a damaged state file")
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateError::Unreadable { path, source } => write!(
                f,
                "cannot read the state file {}: {source}; check its permissions and try again",
                path.display()
            ),
            StateError::NotJson {
                path,
                line,
                column,
                message,
            } => write!(
                f,
                "the state file {} is truncated or not JSON at line {line} column {column} ({message}): {}",
                path.display(),
                restore_hint(path)
            ),
            StateError::NotState { path, message } => write!(
                f,
                "the state file {} is JSON but not a Meridian state ({message}): {}",
                path.display(),
                restore_hint(path)
            ),
            StateError::UnsupportedVersion { path, found } => {
                if *found > u64::from(FORMAT_VERSION) {
                    write!(
                        f,
                        "the state file {} was written by a newer Meridian (state format {found}; this build reads formats {OLDEST_FORMAT} to {FORMAT_VERSION}): upgrade Meridian to use it",
                        path.display()
                    )
                } else {
                    write!(
                        f,
                        "the state file {} has an unsupported state format {found} (this build reads formats {OLDEST_FORMAT} to {FORMAT_VERSION}): {}",
                        path.display(),
                        restore_hint(path)
                    )
                }
            }
            StateError::ChecksumMismatch {
                path,
                recorded,
                computed,
            } => write!(
                f,
                "the state file {}: the checksum does not match its content: the file was edited or damaged (recorded {recorded}, computed {computed}); {}",
                path.display(),
                restore_hint(path)
            ),
            StateError::Invalid { path, message } => write!(
                f,
                "refusing to write the state file {}: {message}; this is a bug in Meridian, please report it",
                path.display()
            ),
            StateError::Write {
                path,
                action,
                source,
            } => write!(
                f,
                "cannot write the state file {} ({action}): {source}; the previous state file is unchanged",
                path.display()
            ),
        }
    }
}

impl std::error::Error for StateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StateError::Unreadable { source, .. } | StateError::Write { source, .. } => {
                Some(source)
            }
            _ => None,
        }
    }
}

/// Reads and checks the state file at `path`; `Ok(None)` when there is none yet.
///
/// A file that exists is accepted only if it is complete JSON of the right shape, in
/// [`FORMAT_VERSION`] or an older format (migrated in memory; the file is rewritten in the
/// current format only by the next write), with a matching checksum; anything else is an
/// error and the file is left exactly as it is.
pub fn load(path: &Path) -> Result<Option<State>, StateError> {
    // Never through a link: a state file that is one is refused (`Unreadable`).
    let bytes = match read_if_exists(path) {
        Ok(Some(b)) => b,
        Ok(None) => return Ok(None),
        Err(source) => {
            return Err(StateError::Unreadable {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    parse(path, &bytes).map(Some)
}

/// Parses and checks the content of a state file; `path` is only used in errors.
pub(crate) fn parse(path: &Path, bytes: &[u8]) -> Result<State, StateError> {
    // The common case in one pass: a well-formed state of this format. Anything else takes
    // the slow path, which tells truncation and garbage from a wrong shape or a newer format.
    let Ok(mut state) = serde_json::from_slice::<State>(bytes) else {
        return Err(classify(path, bytes));
    };
    if !(OLDEST_FORMAT..=FORMAT_VERSION).contains(&state.format_version) {
        return Err(StateError::UnsupportedVersion {
            path: path.to_path_buf(),
            found: u64::from(state.format_version),
        });
    }
    let mut addresses: Vec<&str> = state.resources.iter().map(|r| r.address.as_str()).collect();
    addresses.sort_unstable();
    if let Some(dup) = addresses.windows(2).find(|w| w[0] == w[1]).map(|w| w[0]) {
        return Err(StateError::NotState {
            path: path.to_path_buf(),
            message: format!("the resource {dup} appears twice"),
        });
    }
    // Artifact paths are what a plan may delete: each must be a plain path inside the spec
    // directory, whatever the checksum says (anyone can recompute it).
    for artifact in state.artifacts.keys() {
        if let Err(problem) = check_recorded(artifact) {
            return Err(StateError::NotState {
                path: path.to_path_buf(),
                message: format!(
                    "the artifact path {artifact:?} is not a file inside the spec directory: {problem}"
                ),
            });
        }
    }
    // The checksum covers the content with the checksum field empty: compute it in place
    // rather than on a copy (the state can be large).
    let recorded = std::mem::take(&mut state.checksum);
    let computed = sha256_hex(&serde_json::to_vec(&state).unwrap_or_default());
    if recorded != computed {
        return Err(StateError::ChecksumMismatch {
            path: path.to_path_buf(),
            recorded,
            computed,
        });
    }
    state.checksum = recorded;
    migrate(&mut state);
    Ok(state)
}

/// Brings a state read in an older format to [`FORMAT_VERSION`] (its checksum, of the file
/// as read, is kept; the next write computes the new one).
fn migrate(state: &mut State) {
    if state.format_version < 2 {
        // Format 1 recorded the desired objects without knowing whether the clouds had them:
        // each is pending creation until a refresh finds it.
        for r in &mut state.resources {
            if is_observed_kind(&r.kind) && r.pending.is_none() && r.observed.is_none() {
                r.pending = Some(Pending {
                    serial: state.serial,
                    action: PendingAction::Create,
                    before: std::collections::BTreeMap::new(),
                });
            }
        }
    }
    state.format_version = FORMAT_VERSION;
}

/// Why `bytes` are not a state of this format (they failed to parse as one).
fn classify(path: &Path, bytes: &[u8]) -> StateError {
    // First as any JSON, so truncation and garbage are told apart from a wrong shape, and the
    // format version is checked before the fields (a newer format may have new fields).
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            return StateError::NotJson {
                path: path.to_path_buf(),
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            }
        }
    };
    if !value.is_object() {
        let kind = match value {
            serde_json::Value::Null => "null",
            serde_json::Value::Bool(_) => "a boolean",
            serde_json::Value::Number(_) => "a number",
            serde_json::Value::String(_) => "a string",
            serde_json::Value::Array(_) => "an array",
            serde_json::Value::Object(_) => "an object",
        };
        return StateError::NotState {
            path: path.to_path_buf(),
            message: format!("it holds {kind}, not an object"),
        };
    }
    if let Some(found) = value
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
    {
        if !(u64::from(OLDEST_FORMAT)..=u64::from(FORMAT_VERSION)).contains(&found) {
            return StateError::UnsupportedVersion {
                path: path.to_path_buf(),
                found,
            };
        }
    }
    match serde_json::from_value::<State>(value) {
        Err(e) => StateError::NotState {
            path: path.to_path_buf(),
            message: e.to_string(),
        },
        Ok(_) => StateError::NotState {
            path: path.to_path_buf(),
            message: "it does not match the state format".to_string(),
        },
    }
}

/// Writes `state` to `path` atomically, keeping the previous file as `<path>.backup`.
///
/// Sorts the resources by address and sets `format_version` and `checksum`; it does **not**
/// change `serial` (call [`State::bump`] first). Creates the parent directory if missing; it
/// must be a real directory, not a link, and no file is written through a link.
/// The content goes to a synced temporary file in the same directory; the previous file
/// becomes `<path>.backup` (replacing the last one) by hard link or copy; then the temporary
/// file is renamed over `path` and the directory synced. At every instant `path` is either
/// the complete old file or the complete new one; on error it is unchanged.
pub fn save(path: &Path, state: &mut State) -> Result<(), StateError> {
    state.normalize();
    if let Some(dup) = state.duplicate_address() {
        return Err(StateError::Invalid {
            path: path.to_path_buf(),
            message: format!("the resource {dup} appears twice"),
        });
    }
    let bytes = state.to_file_bytes();
    let write_err = |action: &'static str| {
        move |source: io::Error| StateError::Write {
            path: path.to_path_buf(),
            action,
            source,
        }
    };
    let dir = parent_dir(path);
    own_dir(&dir).map_err(write_err("use its directory"))?;
    let tmp = temp_path(path);
    let result = (|| {
        write_new_synced(&tmp, &bytes).map_err(write_err("write a temporary file"))?;
        if exists(path).map_err(write_err("inspect the previous file"))? {
            replace_with_copy_of(path, &with_suffix(path, ".backup"))
                .map_err(write_err("keep the previous file as .backup"))?;
        }
        fs::rename(&tmp, path).map_err(write_err("rename the temporary file"))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result?;
    sync_dir(&dir).map_err(write_err("sync its directory"))
}

fn temp_path(path: &Path) -> PathBuf {
    let id = crate::new_uuid_v4();
    let name = path
        .file_name()
        .map_or_else(|| "state".into(), |n| n.to_string_lossy().into_owned());
    parent_dir(path).join(format!(
        ".{name}.{}{}",
        &id[..8],
        crate::safe_fs::TEMP_SUFFIX
    ))
}
