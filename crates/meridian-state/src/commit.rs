//! The journaled commit: a set of files and, last, the state, written all-or-nothing, also
//! across a crash. The protocol is described in the crate documentation.

use crate::file::StateError;
use crate::safe_fs::{
    create_dirs, exists, link_or_copy, own_dir, parent_dir, read_if_exists, remove_if_exists,
    sync_dir, with_suffix, write_atomic_via, write_new_synced, Root, BACKUP_SUFFIX, STAGED_SUFFIX,
};
use crate::State;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// The journal format this build writes and reads.
const JOURNAL_FORMAT: u32 = 1;

/// One file to write or delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// The destination: relative to the commit's root, or absolute inside it.
    pub path: PathBuf,
    /// The new content; `None` deletes the file.
    pub content: Option<Vec<u8>>,
}

impl FileChange {
    /// Write `content` to `path`.
    pub fn write(path: impl Into<PathBuf>, content: impl Into<Vec<u8>>) -> FileChange {
        FileChange {
            path: path.into(),
            content: Some(content.into()),
        }
    }

    /// Delete the file at `path`.
    pub fn delete(path: impl Into<PathBuf>) -> FileChange {
        FileChange {
            path: path.into(),
            content: None,
        }
    }
}

/// How [`commit`] runs.
#[derive(Debug, Default)]
pub struct CommitOptions<'a> {
    /// The journal (`.meridian/apply.journal`; absolute, or relative to the current
    /// directory) that makes the commit recoverable after a crash; `None` only rolls back
    /// failures within the process.
    pub journal: Option<&'a Path>,
    /// The state file (absolute, or relative to the current directory, like the journal) and
    /// the state to write there, after every file. Its resources are
    /// sorted and its checksum set (its serial is not changed); the previous file becomes
    /// `<path>.backup`.
    pub state: Option<(&'a Path, &'a mut State)>,
    /// A fault to inject, for tests.
    pub fault: Option<Fault>,
}

/// A fault injected into [`commit`], for tests. "Swaps" count the destinations (files, then
/// the state) already switched to their new content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Fail with an injected IO error once this many swaps are done (before the next one,
    /// or, after the last, before the cleanup); the commit must roll back. Never fires if
    /// there are fewer swaps.
    FailAfterSwaps(usize),
    /// `std::process::abort()` once this many swaps are done: a crash, for tests that run
    /// the commit in a child process. Never fires if there are fewer swaps.
    AbortAfterSwaps(usize),
    /// `std::process::abort()` once every file is staged, before the commit point.
    AbortAfterStaging,
    /// Stop once every file is staged, before the commit point, leaving everything as a
    /// crash would, and return [`CommitError::Halted`].
    HaltAfterStaging,
    /// Stop once this many swaps are done, leaving everything as a crash would, and return
    /// [`CommitError::Halted`]. Never fires if there are fewer swaps.
    HaltAfterSwaps(usize),
}

/// What a commit did. Paths are as given in the [`FileChange`]s.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CommitReport {
    /// Files created or changed.
    pub written: Vec<PathBuf>,
    /// Files deleted.
    pub deleted: Vec<PathBuf>,
    /// Files already as asked (same bytes, or a delete of a missing file): left untouched.
    pub unchanged: Vec<PathBuf>,
    /// Whether the state file was written (false if it was not given or already identical).
    pub state_written: bool,
    /// Staged files and backups an interrupted run without a journal left beside these
    /// destinations (`<file>.meridian-new`, `<file>.meridian-old`), removed before staging.
    pub stale_removed: Vec<PathBuf>,
}

/// How [`recover`] finished an interrupted commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoveryOutcome {
    /// The crash came before the commit point: every file (and the state) is as before the
    /// commit.
    RolledBack,
    /// The crash came after the commit point: every file (and the state) is as the commit
    /// meant to leave it.
    RolledForward,
}

/// The result of [`recover`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    pub outcome: RecoveryOutcome,
    /// Every destination the interrupted commit covered (absolute paths).
    pub files: Vec<PathBuf>,
}

/// What went wrong in [`commit`] or [`recover`].
///
/// From [`commit`], every error except [`CommitError::Incomplete`] and
/// [`CommitError::Halted`] means that nothing was changed: every file and the state are as
/// they were before the call.
#[derive(Debug)]
pub enum CommitError {
    /// A file-system operation failed on `path` (`action` says which).
    Io {
        path: PathBuf,
        action: &'static str,
        source: io::Error,
    },
    /// A change cannot be made as asked (a directory, a duplicate, a reserved name).
    InvalidChange { path: PathBuf, reason: String },
    /// A journal is already there: an earlier commit was interrupted and must be recovered
    /// ([`recover`]) before another one starts.
    PendingJournal { journal: PathBuf },
    /// The journal cannot be understood (damaged, or written by a newer Meridian).
    Journal { path: PathBuf, message: String },
    /// The state cannot be written (two resources share an address).
    State(StateError),
    /// The commit failed and could not be entirely undone. If a journal is named, it was
    /// kept: running [`recover`] finishes the job; otherwise the problems name the files to
    /// check by hand.
    Incomplete {
        cause: Box<CommitError>,
        problems: Vec<String>,
        journal: Option<PathBuf>,
    },
    /// A [`Fault`] stopped the commit (or recovery) where a crash would: files are left as
    /// they are and the journal is kept. Only tests see this.
    Halted { at: String },
}

impl fmt::Display for CommitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommitError::Io {
                path,
                action,
                source,
            } => write!(f, "cannot {action} {}: {source}", path.display()),
            CommitError::InvalidChange { path, reason } => {
                write!(f, "cannot write {}: {reason}", path.display())
            }
            CommitError::PendingJournal { journal } => write!(
                f,
                "an earlier apply was interrupted ({} exists): it must be recovered before another one starts",
                journal.display()
            ),
            CommitError::Journal { path, message } => write!(
                f,
                "the journal {} cannot be read ({message}): inspect the files it lists (their .meridian-new and .meridian-old versions) by hand, then delete it",
                path.display()
            ),
            CommitError::State(e) => e.fmt(f),
            CommitError::Incomplete {
                cause,
                problems,
                journal,
            } => {
                write!(f, "{cause}; undoing the changes also failed: {}", problems.join("; "))?;
                match journal {
                    Some(j) => write!(
                        f,
                        ". The journal {} was kept: recovery will finish the job",
                        j.display()
                    ),
                    None => write!(f, ". Check these files by hand"),
                }
            }
            CommitError::Halted { at } => write!(f, "commit halted by an injected fault {at}"),
        }
    }
}

impl std::error::Error for CommitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CommitError::Io { source, .. } => Some(source),
            CommitError::State(e) => Some(e),
            CommitError::Incomplete { cause, .. } => Some(cause.as_ref()),
            _ => None,
        }
    }
}

fn io_error<'p>(
    path: &'p Path,
    action: &'static str,
) -> impl FnOnce(io::Error) -> CommitError + 'p {
    move |source| CommitError::Io {
        path: path.to_path_buf(),
        action,
        source,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Phase {
    /// Staging: nothing was swapped; recovery removes the staged files.
    Staging,
    /// After the commit point: recovery finishes every swap.
    Commit,
    /// A failed commit is being undone: recovery restores every backup.
    Rollback,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Write,
    Delete,
    State,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    kind: Kind,
    dest: PathBuf,
    staged: PathBuf,
    backup: PathBuf,
    /// Whether `dest` existed before the commit.
    existed: bool,
    /// For the state: where its previous version is kept (`state.json.backup`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    state_backup: Option<PathBuf>,
}

impl Entry {
    fn new(kind: Kind, dest: PathBuf, existed: bool) -> Entry {
        Entry {
            kind,
            staged: with_suffix(&dest, STAGED_SUFFIX),
            backup: with_suffix(&dest, BACKUP_SUFFIX),
            state_backup: (kind == Kind::State).then(|| with_suffix(&dest, ".backup")),
            dest,
            existed,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Journal {
    format: u32,
    phase: Phase,
    entries: Vec<Entry>,
}

fn write_journal(path: &Path, phase: Phase, entries: &[Entry]) -> Result<(), CommitError> {
    let journal = Journal {
        format: JOURNAL_FORMAT,
        phase,
        entries: entries.to_vec(),
    };
    let mut bytes = serde_json::to_vec_pretty(&journal).map_err(|e| CommitError::Io {
        path: path.to_path_buf(),
        action: "write the journal",
        source: io::Error::new(io::ErrorKind::InvalidData, e),
    })?;
    bytes.push(b'\n');
    write_atomic_via(path, &with_suffix(path, ".tmp"), &bytes)
        .map_err(io_error(path, "write the journal"))
}

fn read_journal(path: &Path) -> Result<Option<Journal>, CommitError> {
    let bytes = match read_if_exists(path) {
        Ok(Some(b)) => b,
        Ok(None) => return Ok(None),
        Err(e) => return Err(io_error(path, "read the journal")(e)),
    };
    let journal: Journal = serde_json::from_slice(&bytes).map_err(|e| CommitError::Journal {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if journal.format != JOURNAL_FORMAT {
        return Err(CommitError::Journal {
            path: path.to_path_buf(),
            message: format!(
                "journal format {} (this build reads format {JOURNAL_FORMAT})",
                journal.format
            ),
        });
    }
    Ok(Some(journal))
}

/// A planned entry with what the commit needs beyond the journal.
struct Planned<'c> {
    entry: Entry,
    content: Option<&'c [u8]>,
    shown: PathBuf,
}

fn absolute(path: &Path) -> Result<PathBuf, CommitError> {
    std::path::absolute(path).map_err(io_error(path, "resolve"))
}

/// `path` with `.` dropped and `..` applied lexically: the key under which two spellings of
/// one destination are recognised as the same (symbolic links aside).
fn lexical_key(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c.as_os_str());
                }
            }
            _ => out.push(c.as_os_str()),
        }
    }
    out
}

/// Writes `changes` (paths relative to `root`, or absolute inside it) and then the state, if
/// given, all-or-nothing.
///
/// Every destination must pass [`Root::target`]: inside the root, no link on the way out of
/// it, not a link itself, not one of Meridian's own files; the journal and the state must sit
/// in a real directory. Files already as asked are skipped. Staged files and backups left
/// beside the destinations by an interrupted run are removed first (and reported). With a
/// journal, a crash at any instant leaves a journal from which [`recover`] restores either
/// every old file or every new one. On any error (other than [`CommitError::Incomplete`]
/// and [`CommitError::Halted`]) every file and the state are as before the call and no
/// staged file or journal is left behind.
///
/// A journal left by an interrupted commit must be recovered first
/// ([`CommitError::PendingJournal`]). The caller holds the state lock throughout.
pub fn commit(
    root: &Root,
    changes: &[FileChange],
    opts: CommitOptions<'_>,
) -> Result<CommitReport, CommitError> {
    let CommitOptions {
        journal,
        state,
        fault,
    } = opts;
    let journal = journal.map(absolute).transpose()?;
    if let Some(j) = &journal {
        own_dir(&parent_dir(j)).map_err(io_error(j, "use the directory of the journal"))?;
        if exists(j).map_err(io_error(j, "inspect the journal"))? {
            return Err(CommitError::PendingJournal { journal: j.clone() });
        }
    }
    let mut report = CommitReport::default();
    let mut reserved: HashSet<PathBuf> = HashSet::new();
    if let Some(j) = &journal {
        reserved.insert(lexical_key(j));
        reserved.insert(lexical_key(&with_suffix(j, ".tmp")));
    }
    let state_dest = match &state {
        Some((p, _)) => {
            let p = absolute(p)?;
            own_dir(&parent_dir(&p)).map_err(io_error(&p, "use the directory of"))?;
            reserved.insert(lexical_key(&p));
            reserved.insert(lexical_key(&with_suffix(&p, ".backup")));
            Some(p)
        }
        None => None,
    };

    let mut planned: Vec<Planned<'_>> = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut dests = Vec::with_capacity(changes.len());
    for change in changes {
        let dest = root
            .target(&change.path)
            .map_err(|e| CommitError::InvalidChange {
                path: root.dir().join(&change.path),
                reason: e.problem.to_string(),
            })?;
        let invalid = |reason: &str| CommitError::InvalidChange {
            path: dest.clone(),
            reason: reason.to_owned(),
        };
        let key = lexical_key(&dest);
        if reserved.contains(&key) {
            return Err(invalid(
                "the state and the journal are written by Meridian itself",
            ));
        }
        if !seen.insert(key) {
            return Err(invalid("the same file is changed twice in one commit"));
        }
        dests.push((dest, change));
    }
    // Holding the lock with no journal pending, anything at a destination's staged or backup
    // name was left by a run killed without a journal (or planted): it goes before staging,
    // which creates those names anew and never writes through what is there.
    for (dest, _) in &dests {
        report.stale_removed.extend(remove_stale(dest)?);
    }
    if let Some(dest) = &state_dest {
        report.stale_removed.extend(remove_stale(dest)?);
    }
    for (dest, change) in dests {
        let meta = match fs::symlink_metadata(&dest) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_error(&dest, "inspect")(e)),
        };
        match (&change.content, meta.is_some()) {
            (None, false) => report.unchanged.push(change.path.clone()),
            (None, true) => planned.push(Planned {
                entry: Entry::new(Kind::Delete, dest, true),
                content: None,
                shown: change.path.clone(),
            }),
            (Some(bytes), existed) => {
                if existed
                    && read_if_exists(&dest)
                        .map_err(io_error(&dest, "read"))?
                        .as_deref()
                        == Some(bytes.as_slice())
                {
                    report.unchanged.push(change.path.clone());
                } else {
                    planned.push(Planned {
                        entry: Entry::new(Kind::Write, dest, existed),
                        content: Some(bytes),
                        shown: change.path.clone(),
                    });
                }
            }
        }
    }

    let state_bytes;
    if let (Some((shown, st)), Some(dest)) = (state, state_dest) {
        st.normalize();
        if let Some(dup) = st.duplicate_address() {
            return Err(CommitError::State(StateError::Invalid {
                path: dest,
                message: format!("the resource {dup} appears twice"),
            }));
        }
        state_bytes = st.to_file_bytes();
        let existing = read_if_exists(&dest).map_err(io_error(&dest, "read the state file"))?;
        if existing.as_deref() != Some(state_bytes.as_slice()) {
            planned.push(Planned {
                entry: Entry::new(Kind::State, dest, existing.is_some()),
                content: Some(&state_bytes),
                shown: shown.to_path_buf(),
            });
        }
    }

    if planned.is_empty() {
        return Ok(report);
    }
    let entries: Vec<Entry> = planned.iter().map(|p| p.entry.clone()).collect();
    let mut tx = Tx {
        journal: journal.as_deref(),
        entries: &entries,
        phase: Phase::Staging,
    };
    tx.run(&planned, fault)?;

    for p in planned {
        match p.entry.kind {
            Kind::Write => report.written.push(p.shown),
            Kind::Delete => report.deleted.push(p.shown),
            Kind::State => report.state_written = true,
        }
    }
    Ok(report)
}

/// Removes what an interrupted run without a journal left at `dest`'s staged and backup
/// names, and returns what it removed. A staged file is only ever a new version, so it goes;
/// a backup goes when the destination exists (the destination is then complete, old or
/// new). A backup without its destination may be the only copy of a file: the commit is
/// refused and the user decides.
fn remove_stale(dest: &Path) -> Result<Vec<PathBuf>, CommitError> {
    let mut removed = Vec::new();
    let staged = with_suffix(dest, STAGED_SUFFIX);
    if remove_if_exists(&staged).map_err(io_error(&staged, "remove the stale file"))? {
        removed.push(staged);
    }
    let backup = with_suffix(dest, BACKUP_SUFFIX);
    if exists(&backup).map_err(io_error(&backup, "inspect"))? {
        if !exists(dest).map_err(io_error(dest, "inspect"))? {
            return Err(CommitError::InvalidChange {
                path: dest.to_path_buf(),
                reason: format!(
                    "{} is left from an interrupted run and the file itself is missing, so it may be the only copy of it; move it back or delete it, then run again",
                    backup.display()
                ),
            });
        }
        remove_if_exists(&backup).map_err(io_error(&backup, "remove the stale file"))?;
        removed.push(backup);
    }
    Ok(removed)
}

struct Tx<'a> {
    journal: Option<&'a Path>,
    entries: &'a [Entry],
    /// The phase on disk (or that would be, without a journal).
    phase: Phase,
}

enum Stop {
    Fail(CommitError),
    Halt(CommitError),
}

impl Tx<'_> {
    fn run(&mut self, planned: &[Planned<'_>], fault: Option<Fault>) -> Result<(), CommitError> {
        if let Some(j) = self.journal {
            // Nothing is staged yet: if this fails there is nothing to undo but the journal's
            // temporary file, which `write_atomic_via` removes.
            write_journal(j, Phase::Staging, self.entries)?;
        }
        match self.steps(planned, fault) {
            Ok(()) => {
                self.cleanup();
                Ok(())
            }
            Err(Stop::Halt(e)) => Err(e),
            Err(Stop::Fail(cause)) => Err(self.rollback(cause)),
        }
    }

    fn steps(&mut self, planned: &[Planned<'_>], fault: Option<Fault>) -> Result<(), Stop> {
        // Stage.
        for p in planned {
            let Some(content) = p.content else { continue };
            let e = &p.entry;
            create_dirs(&parent_dir(&e.dest))
                .map_err(|err| Stop::Fail(io_error(&e.dest, "create the directory of")(err)))?;
            write_new_synced(&e.staged, content)
                .map_err(|err| Stop::Fail(io_error(&e.dest, "stage")(err)))?;
            if e.existed {
                // The new file keeps the old one's permissions (an executable script stays
                // executable).
                fs::symlink_metadata(&e.dest)
                    .and_then(|m| fs::set_permissions(&e.staged, m.permissions()))
                    .map_err(|err| Stop::Fail(io_error(&e.dest, "stage")(err)))?;
            }
        }
        self.sync_dirs().map_err(Stop::Fail)?;
        match fault {
            Some(Fault::AbortAfterStaging) => std::process::abort(),
            Some(Fault::HaltAfterStaging) => {
                return Err(Stop::Halt(CommitError::Halted {
                    at: "after staging".to_owned(),
                }))
            }
            _ => {}
        }
        // The commit point.
        if let Some(j) = self.journal {
            self.phase = Phase::Commit;
            write_journal(j, Phase::Commit, self.entries).map_err(Stop::Fail)?;
        } else {
            self.phase = Phase::Commit;
        }
        // Swap.
        for (done, e) in self.entries.iter().enumerate() {
            check_fault(fault, done, &e.dest)?;
            swap(e).map_err(|err| Stop::Fail(io_error(&e.dest, "swap in")(err)))?;
        }
        if let Some(last) = self.entries.last() {
            check_fault(fault, self.entries.len(), &last.dest)?;
        }
        self.sync_dirs().map_err(Stop::Fail)
    }

    /// Syncs the directory of every destination. A directory that does not exist (staging
    /// failed before creating it) holds nothing to flush.
    fn sync_dirs(&self) -> Result<(), CommitError> {
        let dirs: BTreeSet<PathBuf> = self.entries.iter().map(|e| parent_dir(&e.dest)).collect();
        for d in dirs {
            if let Err(e) = sync_dir(&d) {
                if exists(&d).unwrap_or(true) {
                    return Err(io_error(&d, "sync the directory")(e));
                }
            }
        }
        Ok(())
    }

    /// After every swap: drops the backups (the state's becomes `state.json.backup`) and
    /// the journal. The commit is complete; a failure here leaves only harmless files, and
    /// a journal left behind is finished by [`recover`] without changing anything.
    fn cleanup(&self) {
        for e in self.entries {
            let _ = finish_backup(e);
        }
        let _ = self.sync_dirs();
        if let Some(j) = self.journal {
            if remove_if_exists(j).is_ok() {
                let _ = sync_dir(&parent_dir(j));
            }
        }
    }

    /// Undoes everything after a failure and returns the error to report.
    fn rollback(&mut self, cause: CommitError) -> CommitError {
        let mut problems: Vec<String> = Vec::new();
        let swapped = self.phase != Phase::Staging;
        if swapped {
            if let Some(j) = self.journal {
                if let Err(e) = write_journal(j, Phase::Rollback, self.entries) {
                    // Without a rollback journal, an interrupted undo could not be recovered
                    // consistently: leave the journal as it is for recovery to finish.
                    return CommitError::Incomplete {
                        cause: Box::new(cause),
                        problems: vec![e.to_string()],
                        journal: Some(j.to_path_buf()),
                    };
                }
            }
            self.phase = Phase::Rollback;
        }
        for e in self.entries.iter().rev() {
            if let Err(err) = rollback_entry(e, swapped) {
                problems.push(format!("{}: {err}", e.dest.display()));
            }
        }
        if let Err(e) = self.sync_dirs() {
            problems.push(e.to_string());
        }
        if problems.is_empty() {
            if let Some(j) = self.journal {
                match remove_if_exists(j) {
                    Ok(_) => {
                        let _ = sync_dir(&parent_dir(j));
                    }
                    Err(e) => problems.push(format!("{}: {e}", j.display())),
                }
            }
        }
        if problems.is_empty() {
            cause
        } else {
            CommitError::Incomplete {
                cause: Box::new(cause),
                problems,
                journal: self.journal.map(Path::to_path_buf),
            }
        }
    }
}

fn check_fault(fault: Option<Fault>, done: usize, next: &Path) -> Result<(), Stop> {
    match fault {
        Some(Fault::FailAfterSwaps(n)) if n == done => Err(Stop::Fail(CommitError::Io {
            path: next.to_path_buf(),
            action: "swap in",
            source: io::Error::other(format!("injected failure after {done} swaps")),
        })),
        Some(Fault::AbortAfterSwaps(n)) if n == done => std::process::abort(),
        Some(Fault::HaltAfterSwaps(n)) if n == done => Err(Stop::Halt(CommitError::Halted {
            at: format!("after {done} swaps"),
        })),
        _ => Ok(()),
    }
}

/// Switches one destination to its new content, keeping the old one as the backup. Every
/// step leaves the destination complete (old or new), except a delete, whose destination
/// moves to the backup in one rename.
fn swap(e: &Entry) -> io::Result<()> {
    match e.kind {
        Kind::Write | Kind::State => {
            if e.existed {
                link_or_copy(&e.dest, &e.backup)?;
            }
            fs::rename(&e.staged, &e.dest)
        }
        Kind::Delete => fs::rename(&e.dest, &e.backup),
    }
}

/// Removes the backup of a swapped destination; the state's becomes `state.json.backup`.
fn finish_backup(e: &Entry) -> io::Result<()> {
    match &e.state_backup {
        Some(sb) if exists(&e.backup)? => {
            fs::rename(&e.backup, sb)?;
            remove_if_exists(&e.backup).map(|_| ())
        }
        _ => remove_if_exists(&e.backup).map(|_| ()),
    }
}

/// Brings one destination back to its old content, from whatever point of the commit (or
/// of an earlier rollback) it is at; idempotent. `swapped` is false while no swap can have
/// happened (phase `staging`): then only the staged file is removed.
fn rollback_entry(e: &Entry, swapped: bool) -> io::Result<()> {
    if swapped {
        if exists(&e.backup)? {
            // A write's backup is a second link to the old file; a delete's is the old
            // file itself. Renaming restores it whether or not the swap happened.
            fs::rename(&e.backup, &e.dest)?;
            // Renaming onto another link to the same file does nothing.
            remove_if_exists(&e.backup)?;
        } else if e.kind != Kind::Delete && !e.existed && !exists(&e.staged)? {
            // Created by the swap (its staged file is gone): remove it.
            remove_if_exists(&e.dest)?;
        }
    }
    remove_if_exists(&e.staged)?;
    Ok(())
}

/// Finishes one destination's swap and drops its backup, from whatever point of the commit
/// it is at; idempotent. A staged file still present means the swap has not happened.
fn roll_forward_entry(e: &Entry) -> io::Result<()> {
    match e.kind {
        Kind::Write | Kind::State => {
            if exists(&e.staged)? {
                if e.existed && !exists(&e.backup)? && exists(&e.dest)? {
                    link_or_copy(&e.dest, &e.backup)?;
                }
                fs::rename(&e.staged, &e.dest)?;
            }
        }
        Kind::Delete => {
            remove_if_exists(&e.dest)?;
        }
    }
    Ok(())
}

/// Finishes a commit interrupted by a crash, from its journal; `Ok(None)` when there is no
/// journal (nothing was interrupted).
///
/// A journal in phase `staging` or `rollback` is rolled back (every destination and the
/// state get their old content), one in phase `commit` is rolled forward (every destination
/// and the state get their new content); then the staged files, backups and the journal are
/// removed. Recovery is idempotent: if it is interrupted in turn, running it again finishes
/// the job. The caller holds the state lock.
///
/// The journal is a file in the tree, so it is checked before anything is done: every file
/// it lists must be a target of `root` ([`Root::target`]), its staged and backup names must be
/// the ones a commit gives it, and the state must sit beside the journal. A journal that
/// lists anything else was not written by a commit into this root and is refused
/// ([`CommitError::Journal`]), with nothing changed.
pub fn recover(journal: &Path, root: &Root) -> Result<Option<Recovery>, CommitError> {
    recover_with(journal, root, None)
}

/// Why the journal at `path` cannot have been written by a commit into `root`, if it cannot.
fn check_journal(path: &Path, j: &Journal, root: &Root) -> Result<(), CommitError> {
    let journal = absolute(path)?;
    let refuse = |dest: &Path, why: String| CommitError::Journal {
        path: path.to_path_buf(),
        message: format!(
            "it lists {}, which {why}: it was not written by a Meridian commit into {}",
            dest.display(),
            root.dir().display()
        ),
    };
    for e in &j.entries {
        let expected = Entry::new(e.kind, e.dest.clone(), e.existed);
        if e.staged != expected.staged
            || e.backup != expected.backup
            || e.state_backup != expected.state_backup
        {
            return Err(refuse(
                &e.dest,
                "has staged or backup names a commit never gives".to_owned(),
            ));
        }
        match e.kind {
            Kind::State => {
                if parent_dir(&e.dest) != parent_dir(&journal) || e.dest == journal {
                    return Err(refuse(
                        &e.dest,
                        "is not a state file beside the journal".to_owned(),
                    ));
                }
            }
            Kind::Write | Kind::Delete => match root.target(&e.dest) {
                Ok(real) if real == e.dest => {}
                Ok(real) => return Err(refuse(&e.dest, format!("is really {}", real.display()))),
                Err(err) => return Err(refuse(&e.dest, format!("is refused ({})", err.problem))),
            },
        }
    }
    Ok(())
}

/// [`recover`], stopping (as a crash would) after `halt_after` entries, for tests.
pub(crate) fn recover_with(
    journal: &Path,
    root: &Root,
    halt_after: Option<usize>,
) -> Result<Option<Recovery>, CommitError> {
    // A crash while the journal itself was being written leaves its temporary file; the
    // journal on disk (if any) is still the previous, complete one.
    let tmp = with_suffix(journal, ".tmp");
    remove_if_exists(&tmp).map_err(io_error(&tmp, "remove"))?;
    let Some(j) = read_journal(journal)? else {
        return Ok(None);
    };
    check_journal(journal, &j, root)?;
    let halt = |done: usize| -> Result<(), CommitError> {
        if halt_after == Some(done) {
            return Err(CommitError::Halted {
                at: format!("after recovering {done} entries"),
            });
        }
        Ok(())
    };
    let outcome = match j.phase {
        Phase::Staging | Phase::Rollback => {
            let swapped = j.phase == Phase::Rollback;
            for (done, e) in j.entries.iter().rev().enumerate() {
                halt(done)?;
                rollback_entry(e, swapped).map_err(io_error(&e.dest, "restore"))?;
            }
            RecoveryOutcome::RolledBack
        }
        Phase::Commit => {
            for (done, e) in j.entries.iter().enumerate() {
                halt(done)?;
                roll_forward_entry(e).map_err(io_error(&e.dest, "finish writing"))?;
            }
            let dirs: BTreeSet<PathBuf> = j.entries.iter().map(|e| parent_dir(&e.dest)).collect();
            for d in &dirs {
                sync_dir(d).map_err(io_error(d, "sync the directory"))?;
            }
            for e in &j.entries {
                finish_backup(e).map_err(io_error(&e.backup, "remove"))?;
            }
            RecoveryOutcome::RolledForward
        }
    };
    halt(j.entries.len())?;
    let dirs: BTreeSet<PathBuf> = j.entries.iter().map(|e| parent_dir(&e.dest)).collect();
    for d in &dirs {
        sync_dir(d).map_err(io_error(d, "sync the directory"))?;
    }
    remove_if_exists(journal).map_err(io_error(journal, "remove the journal"))?;
    sync_dir(&parent_dir(journal)).map_err(io_error(journal, "sync the directory of"))?;
    Ok(Some(Recovery {
        outcome,
        files: j.entries.into_iter().map(|e| e.dest).collect(),
    }))
}

#[cfg(test)]
mod tests;
