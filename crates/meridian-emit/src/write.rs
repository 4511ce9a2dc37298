//! Writing a set of artifacts all-or-nothing: every file is staged next to its destination
//! and synced, then swapped in; if any step fails, the files already replaced are restored
//! and the staged ones removed.

use crate::Artifact;
use std::fs::{self, File};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// What a write did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    /// Files created or changed, relative to the base directory.
    pub written: Vec<PathBuf>,
    /// Files whose content was already identical (left untouched).
    pub unchanged: Vec<PathBuf>,
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// Writes `artifacts` (paths relative to `base`) all-or-nothing. `fail_after` is a fault
/// point for tests: the swap fails after that many files have been replaced.
pub fn write_all(
    base: &Path,
    artifacts: &[Artifact],
    fail_after: Option<usize>,
) -> io::Result<WriteReport> {
    let mut report = WriteReport::default();
    let mut pending: Vec<(PathBuf, PathBuf, PathBuf)> = Vec::new(); // (dest, staged, relative)
    let cleanup = |pending: &[(PathBuf, PathBuf, PathBuf)]| {
        for (_, staged, _) in pending {
            let _ = fs::remove_file(staged);
        }
    };
    for a in artifacts {
        let dest = base.join(&a.path);
        if fs::read(&dest).is_ok_and(|old| old == a.content.as_bytes()) {
            report.unchanged.push(a.path.clone());
            continue;
        }
        let staged = with_suffix(&dest, ".meridian-new");
        let result = (|| {
            if let Some(parent) = dest.parent() {
                fs::create_dir_all(parent)?;
            }
            let mut f = File::create(&staged)?;
            f.write_all(a.content.as_bytes())?;
            f.sync_all()
        })();
        if let Err(e) = result {
            let _ = fs::remove_file(&staged);
            cleanup(&pending);
            return Err(io::Error::new(e.kind(), format!("{}: {e}", dest.display())));
        }
        pending.push((dest, staged, a.path.clone()));
    }
    // Swap in, keeping backups until every file is in place.
    let mut swapped: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    for (i, (dest, staged, _)) in pending.iter().enumerate() {
        let step = (|| {
            if fail_after == Some(i) {
                return Err(io::Error::other("injected failure"));
            }
            let backup = if dest.exists() {
                let b = with_suffix(dest, ".meridian-old");
                fs::rename(dest, &b)?;
                Some(b)
            } else {
                None
            };
            swapped.push((dest.clone(), backup));
            fs::rename(staged, dest)
        })();
        if let Err(e) = step {
            for (dest, backup) in swapped.iter().rev() {
                match backup {
                    Some(b) => {
                        let _ = fs::rename(b, dest);
                    }
                    None => {
                        let _ = fs::remove_file(dest);
                    }
                }
            }
            cleanup(&pending);
            return Err(io::Error::new(e.kind(), format!("{}: {e}", dest.display())));
        }
    }
    for (_, backup) in swapped {
        if let Some(b) = backup {
            let _ = fs::remove_file(b);
        }
    }
    report.written = pending.into_iter().map(|(_, _, rel)| rel).collect();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(path: &str, content: &str) -> Artifact {
        Artifact {
            path: PathBuf::from(path),
            content: content.to_string(),
        }
    }

    #[test]
    fn writes_new_and_changed_files_and_skips_identical_ones() {
        let dir = tempfile::tempdir().expect("tempdir");
        let r =
            write_all(dir.path(), &[art("a/x.tf", "1"), art("y.yaml", "2")], None).expect("write");
        assert_eq!(r.written.len(), 2);
        let r =
            write_all(dir.path(), &[art("a/x.tf", "1"), art("y.yaml", "3")], None).expect("write");
        assert_eq!(r.unchanged, vec![PathBuf::from("a/x.tf")]);
        assert_eq!(
            fs::read_to_string(dir.path().join("y.yaml")).expect("read"),
            "3"
        );
    }

    #[test]
    fn a_failure_midway_restores_every_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        write_all(
            dir.path(),
            &[art("a.tf", "old-a"), art("b.tf", "old-b")],
            None,
        )
        .expect("write");
        let err = write_all(
            dir.path(),
            &[
                art("a.tf", "new-a"),
                art("b.tf", "new-b"),
                art("c.tf", "new-c"),
            ],
            Some(2),
        );
        assert!(err.is_err());
        assert_eq!(
            fs::read_to_string(dir.path().join("a.tf")).expect("read"),
            "old-a"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("b.tf")).expect("read"),
            "old-b"
        );
        assert!(!dir.path().join("c.tf").exists());
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .expect("dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}");
    }
}
