//! Small file-system helpers shared by the state file, the lock and the commit.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// `path` with `suffix` appended to its file name (`state.json` → `state.json.backup`).
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s: OsString = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// The directory holding `path` (`.` for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Flushes a directory's entries (created, renamed and removed files) to disk. Platforms
/// that cannot open a directory as a file (Windows) have nothing to do here.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Whether something exists at `path` (a dangling symlink counts); errors other than "not
/// found" are returned.
pub(crate) fn exists(path: &Path) -> io::Result<bool> {
    match fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Removes a file; `Ok(false)` if there was none.
pub(crate) fn remove_if_exists(path: &Path) -> io::Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Creates `dir` and its missing ancestors, syncing the parent of each directory created so
/// the new entries survive a crash.
pub(crate) fn create_dir_all_synced(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut missing = Vec::new();
    let mut cur = Some(dir);
    while let Some(d) = cur {
        if d.as_os_str().is_empty() || d.is_dir() {
            break;
        }
        missing.push(d.to_path_buf());
        cur = d.parent();
    }
    fs::create_dir_all(dir)?;
    for d in missing.iter().rev() {
        sync_dir(&parent_dir(d))?;
    }
    Ok(())
}

/// Creates (or truncates) `path`, writes `bytes` and syncs the file.
pub(crate) fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Makes `target` a copy of `src` atomically: a hard link (or, where links are not
/// supported, a synced copy) under a temporary name, renamed over `target`. `target` is at
/// every instant either its previous content or the complete copy.
pub(crate) fn replace_with_copy_of(src: &Path, target: &Path) -> io::Result<()> {
    let tmp = with_suffix(target, ".meridian-tmp");
    remove_if_exists(&tmp)?;
    if fs::hard_link(src, &tmp).is_err() {
        let result = fs::copy(src, &tmp).and_then(|_| File::open(&tmp)?.sync_all());
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
    }
    if let Err(e) = fs::rename(&tmp, target) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(())
}

/// Makes `link` a second name of `src` (a hard link), or, where links are not supported, a
/// synced copy. Any file at `link` is replaced.
pub(crate) fn link_or_copy(src: &Path, link: &Path) -> io::Result<()> {
    remove_if_exists(link)?;
    if fs::hard_link(src, link).is_ok() {
        return Ok(());
    }
    let result = fs::copy(src, link).and_then(|_| File::open(link)?.sync_all());
    if result.is_err() {
        let _ = fs::remove_file(link);
    }
    result
}

/// Writes `bytes` to `path` atomically: a synced temporary file in the same directory,
/// renamed over `path`, then the directory synced.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = parent_dir(path);
    create_dir_all_synced(&dir)?;
    let tmp = with_suffix(path, ".tmp");
    if let Err(e) = write_synced(&tmp, bytes).and_then(|()| fs::rename(&tmp, path)) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    sync_dir(&dir)
}
