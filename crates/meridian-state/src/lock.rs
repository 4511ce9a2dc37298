//! The state lock: an exclusive OS advisory lock on `.meridian/state.lock`, with a
//! [`LockInfo`] written into the file for whoever finds it held.
//!
//! The OS lock (`flock` on Unix, `LockFileEx` on Windows) belongs to the open file and is
//! released by the OS when the process dies, so a lock file left behind by a crash never
//! blocks anyone: the next [`Lock::acquire`] takes it and overwrites the information.

// `LockError::Held` carries the holder's `LockInfo` unboxed, so callers can match on it
// plainly; the error is built once per command, so its size does not matter.
#![allow(clippy::result_large_err)]

use crate::safe_fs::{open_existing, open_lock_file, own_dir, parent_dir, read, remove_if_exists};
use crate::{new_uuid_v4, rfc3339_utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::fs::{self, File, TryLockError};
use std::io::{self, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

/// Who holds the lock, as written into the lock file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    /// A UUID v4 naming this lock; `meridian force-unlock` takes it.
    pub id: String,
    /// The command holding the lock (`apply`, `plan`, `refresh`, …).
    pub operation: String,
    /// `user@hostname`, best effort.
    pub who: String,
    /// The process ID of the holder.
    pub pid: u32,
    /// The Meridian version of the holder.
    pub version: String,
    /// When the lock was taken, RFC 3339 UTC (`2026-11-25T13:51:38Z`).
    pub created: String,
}

impl LockInfo {
    /// Information for a lock taken now by this process for `operation`: a fresh ID,
    /// `user@host`, the process ID and the current time.
    pub fn new(operation: &str, version: &str) -> LockInfo {
        LockInfo {
            id: new_uuid_v4(),
            operation: operation.to_owned(),
            who: who(),
            pid: std::process::id(),
            version: version.to_owned(),
            created: rfc3339_utc(SystemTime::now()),
        }
    }
}

/// `user@host` from `$USER`/`$LOGNAME` and the host name (kernel, `/etc/hostname`,
/// `$HOSTNAME`); `unknown` for a part that cannot be found.
fn who() -> String {
    let user = ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "unknown".to_owned());
    let host = ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| {
            fs::read_to_string(p)
                .ok()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        })
        .or_else(|| {
            ["HOSTNAME", "COMPUTERNAME"]
                .iter()
                .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        })
        .unwrap_or_else(|| "unknown".to_owned());
    format!("{}@{}", user.trim(), host.trim())
}

/// A held state lock. Dropping it (or [`Lock::release`]) removes the lock file and releases
/// the OS lock.
#[derive(Debug)]
pub struct Lock {
    file: Option<File>,
    path: PathBuf,
    info: LockInfo,
}

/// What went wrong taking or releasing the lock.
#[derive(Debug)]
pub enum LockError {
    /// Another process holds the lock (until the timeout elapsed). `info` is what it wrote
    /// into the lock file, if anything could be read yet.
    Held {
        info: Option<LockInfo>,
        path: PathBuf,
    },
    /// `force-unlock` found no lock file, or an empty one: there is nothing to release.
    NoLock { path: PathBuf },
    /// `force-unlock` was given an ID that is not the ID of the lock in the file.
    IdMismatch {
        path: PathBuf,
        given: String,
        actual: String,
    },
    /// `force-unlock` was refused because a live process still holds the OS lock.
    HeldByRunning { path: PathBuf, info: LockInfo },
    /// `force-unlock` found a lock file that does not hold lock information.
    Corrupt { path: PathBuf, message: String },
    /// The lock file could not be created, read, written or removed.
    Io {
        path: PathBuf,
        action: &'static str,
        source: io::Error,
    },
}

impl fmt::Display for LockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LockError::Held { info: Some(i), .. } => write!(
                f,
                "Error acquiring the state lock: the state is locked by ID {} (operation {}, by {}, pid {}) since {}. Wait for it to finish, retry with -lock-timeout=DURATION, or if no Meridian process holds it, run `meridian force-unlock {}`.",
                i.id, i.operation, i.who, i.pid, i.created, i.id
            ),
            LockError::Held { info: None, path } => write!(
                f,
                "Error acquiring the state lock: the state is locked by another process (it has not yet written its details to {}). Wait for it to finish, or retry with -lock-timeout=DURATION.",
                path.display()
            ),
            LockError::NoLock { path } => write!(
                f,
                "no lock to release: {} does not exist or is empty",
                path.display()
            ),
            LockError::IdMismatch {
                path,
                given,
                actual,
            } => write!(
                f,
                "the lock in {} has ID {actual}, not {given}: check the ID and run `meridian force-unlock {actual}` if that is the lock to release",
                path.display()
            ),
            LockError::HeldByRunning { path, info } => write!(
                f,
                "the lock is held by a running process (pid {}, operation {}, by {}); stop it first (lock file {})",
                info.pid,
                info.operation,
                info.who,
                path.display()
            ),
            LockError::Corrupt { path, message } => write!(
                f,
                "the lock file {} does not hold lock information ({message}); if no Meridian process is running, delete it",
                path.display()
            ),
            LockError::Io {
                path,
                action,
                source,
            } => write!(f, "cannot {action} the lock file {}: {source}", path.display()),
        }
    }
}

impl std::error::Error for LockError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LockError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// How often a waiting [`Lock::acquire`] tries again.
const POLL: Duration = Duration::from_millis(50);

impl Lock {
    /// Takes the lock at `path` (creating the file and its directory if missing) and writes
    /// `info` into it.
    ///
    /// While another process (or another open handle) holds it, tries again every 50 ms until
    /// `timeout` has elapsed (`Duration::ZERO`: try once), then fails with
    /// [`LockError::Held`] carrying the holder's information. A lock file whose holder died is
    /// taken over at once.
    pub fn acquire(path: &Path, info: LockInfo, timeout: Duration) -> Result<Lock, LockError> {
        let io_err = |action: &'static str| {
            move |source: io::Error| LockError::Io {
                path: path.to_path_buf(),
                action,
                source,
            }
        };
        // The lock lives in Meridian's own directory, which must be a real one; the file is
        // never opened through a link (a link there is refused, not written through).
        own_dir(&parent_dir(path)).map_err(io_err("use the directory of"))?;
        let start = Instant::now();
        let mut replaced = 0u32;
        loop {
            // Not truncated: the holder's information must survive until we hold the lock.
            let file = open_lock_file(path).map_err(io_err("open"))?;
            match file.try_lock() {
                Ok(()) => {
                    // The previous holder removes the file while it holds the lock; if it did
                    // so after we opened it, we hold a lock on a file nobody else will see.
                    if !still_at_path(&file, path).map_err(io_err("inspect"))? {
                        replaced += 1;
                        if replaced >= 100 {
                            return Err(io_err("lock")(io::Error::other(
                                "the lock file was removed or replaced 100 times while it was being locked",
                            )));
                        }
                        continue;
                    }
                    let mut lock = Lock {
                        file: Some(file),
                        path: path.to_path_buf(),
                        info,
                    };
                    lock.write_info().map_err(io_err("write"))?;
                    return Ok(lock);
                }
                Err(TryLockError::WouldBlock) => {
                    let elapsed = start.elapsed();
                    if elapsed >= timeout {
                        return Err(LockError::Held {
                            info: read_info(path),
                            path: path.to_path_buf(),
                        });
                    }
                    drop(file);
                    thread::sleep(POLL.min(timeout.saturating_sub(elapsed)));
                }
                Err(TryLockError::Error(e)) => return Err(io_err("lock")(e)),
            }
        }
    }

    fn write_info(&mut self) -> io::Result<()> {
        let Some(file) = self.file.as_mut() else {
            return Ok(());
        };
        let mut text = serde_json::to_string_pretty(&self.info).map_err(io::Error::other)?;
        text.push('\n');
        file.set_len(0)?;
        file.seek(SeekFrom::Start(0))?;
        file.write_all(text.as_bytes())?;
        file.sync_all()
    }

    /// The information written into the lock file.
    pub fn info(&self) -> &LockInfo {
        &self.info
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the lock file (while still holding the lock) and releases the lock. Dropping
    /// the `Lock` does the same but ignores errors.
    pub fn release(mut self) -> Result<(), LockError> {
        self.release_inner()
    }

    fn release_inner(&mut self) -> Result<(), LockError> {
        let Some(file) = self.file.take() else {
            return Ok(());
        };
        let removed = remove_if_exists(&self.path);
        let unlocked = file.unlock();
        drop(file);
        let io_err = |action, source| LockError::Io {
            path: self.path.clone(),
            action,
            source,
        };
        removed.map_err(|e| io_err("remove", e))?;
        unlocked.map_err(|e| io_err("unlock", e))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = self.release_inner();
    }
}

/// Whether `path` still names the file `file` was opened from.
fn still_at_path(file: &File, path: &Path) -> io::Result<bool> {
    let on_disk = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let open = file.metadata()?;
        Ok(open.dev() == on_disk.dev() && open.ino() == on_disk.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = (file, on_disk);
        Ok(true)
    }
}

/// The lock information in the file at `path`, if it holds any.
fn read_info(path: &Path) -> Option<LockInfo> {
    let bytes = read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// What `force_unlock` released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForceUnlock {
    /// The information of the lock removed.
    pub info: LockInfo,
}

/// Removes the lock at `path` if its ID is `id` and no live process holds it (its holder
/// died without releasing it and the file was left behind).
///
/// Fails with [`LockError::NoLock`] when there is no lock file (or an empty one),
/// [`LockError::IdMismatch`] when the lock has another ID, [`LockError::HeldByRunning`] when
/// a live process still holds the OS lock, and [`LockError::Corrupt`] when the file does not
/// hold lock information.
pub fn force_unlock(path: &Path, id: &str) -> Result<ForceUnlock, LockError> {
    let io_err = |action: &'static str| {
        move |source: io::Error| LockError::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    };
    let text = match read(path).and_then(|b| String::from_utf8(b).map_err(io::Error::other)) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(LockError::NoLock {
                path: path.to_path_buf(),
            })
        }
        Err(e) => return Err(io_err("read")(e)),
    };
    if text.trim().is_empty() {
        return Err(LockError::NoLock {
            path: path.to_path_buf(),
        });
    }
    let info: LockInfo = serde_json::from_str(&text).map_err(|e| LockError::Corrupt {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if info.id != id.trim() {
        return Err(LockError::IdMismatch {
            path: path.to_path_buf(),
            given: id.to_owned(),
            actual: info.id,
        });
    }
    let file = match open_existing(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(LockError::NoLock {
                path: path.to_path_buf(),
            })
        }
        Err(e) => return Err(io_err("open")(e)),
    };
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Err(LockError::HeldByRunning {
                path: path.to_path_buf(),
                info,
            })
        }
        Err(TryLockError::Error(e)) => return Err(io_err("lock")(e)),
    }
    // Holding the lock now, the file cannot change under us; check it is still the lock read
    // (another process may have taken and released it in between).
    if !still_at_path(&file, path).map_err(io_err("inspect"))? {
        return Err(LockError::NoLock {
            path: path.to_path_buf(),
        });
    }
    match read_info(path) {
        Some(now) if now == info => {}
        Some(now) => {
            return Err(LockError::IdMismatch {
                path: path.to_path_buf(),
                given: id.to_owned(),
                actual: now.id,
            })
        }
        None => {
            return Err(LockError::NoLock {
                path: path.to_path_buf(),
            })
        }
    }
    let removed = remove_if_exists(path);
    let _ = file.unlock();
    removed.map_err(io_err("remove"))?;
    Ok(ForceUnlock { info })
}

/// Parses a `-lock-timeout` value the way Terraform does: `0`, or a sequence of numbers
/// (decimals allowed) each followed by a unit `ms`, `s`, `m` or `h` (`500ms`, `10s`, `2m`,
/// `1m30s`, `1.5h`).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = |why: &str| {
        format!(
            "invalid duration {s:?}: {why}; write a number followed by a unit (ms, s, m, h), such as 0, 500ms, 10s, 2m or 1m30s"
        )
    };
    let text = s.trim();
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    if text.is_empty() {
        return Err(bad("it is empty"));
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut total: u128 = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let int_part = &text[start..i];
        let mut frac_part = "";
        if i < bytes.len() && bytes[i] == b'.' {
            i += 1;
            let fs = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            frac_part = &text[fs..i];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(bad("a number is missing"));
        }
        let us = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let unit_nanos: u128 = match &text[us..i] {
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60 * 1_000_000_000,
            "h" => 3600 * 1_000_000_000,
            "" => return Err(bad("a unit is missing")),
            other => return Err(bad(&format!("unknown unit {other:?}"))),
        };
        let int: u128 = if int_part.is_empty() {
            0
        } else {
            int_part
                .parse()
                .map_err(|_| bad("the number is too large"))?
        };
        let mut nanos = int
            .checked_mul(unit_nanos)
            .ok_or_else(|| bad("it is too long"))?;
        // The fraction, to the nanosecond.
        let mut scale = unit_nanos;
        for d in frac_part.bytes().take(30) {
            scale /= 10;
            nanos += u128::from(d - b'0') * scale;
        }
        total = total
            .checked_add(nanos)
            .ok_or_else(|| bad("it is too long"))?;
    }
    let secs = u64::try_from(total / 1_000_000_000).map_err(|_| bad("it is too long"))?;
    Ok(Duration::new(secs, (total % 1_000_000_000) as u32))
}

#[cfg(test)]
mod tests;
