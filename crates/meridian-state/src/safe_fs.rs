//! Every file Meridian writes goes through this module: generated artifacts (staged and
//! swapped in by [`crate::commit`]), the state file and its backup, the lock, the journal,
//! saved plans, reports, `init` and `fmt`.
//!
//! Meridian runs on pull requests, so the tree it writes into is input too: a symbolic link
//! committed in a branch must not make it write elsewhere, and a spec must not make it
//! overwrite its own state or the spec itself. The rules:
//!
//! - **Writes stay inside a [`Root`].** A target is given relative to its root (the spec
//!   directory, or the directory `generate --out` names). [`Root::target`] refuses paths that
//!   are empty, absolute, hold a NUL, climb with `..`, end in a separator, pass through a
//!   `.meridian` directory, or end in one of Meridian's temporary suffixes; it then walks the
//!   path one component at a time with `symlink_metadata`: a directory that is a symbolic
//!   link must resolve inside the root, and the file itself must not be a link (a link there
//!   would be replaced, or read through when the plan compares it).
//! - **Meridian's own files are never targets.** Every root protects its `.meridian/`
//!   directory; callers add the spec files, the plan file being written or applied, and,
//!   under `generate --out`, the spec directory's `.meridian/` ([`Root::protect`]).
//! - **No write follows a link.** New files (staged artifacts, temporary files, copies) are
//!   created with `O_CREAT | O_EXCL | O_NOFOLLOW`, so a link, or any file, already at the name
//!   makes the open fail instead of being written through; the lock file is opened with
//!   `O_NOFOLLOW`; the state, the journal and the lock must sit in a real `.meridian`
//!   directory ([`own_dir`]), never a link. Reads of files Meridian compares or recovers use
//!   `O_NOFOLLOW` too ([`read`]).
//! - **Replacing is a rename.** A file's new content goes to a new file beside it, is synced,
//!   and renamed over the destination (`rename` replaces a link at the destination rather
//!   than following it); the directory is synced after.
//!
//! The checks defend against what a branch can commit (links, odd names, files of any
//! content), with the state lock held so no other Meridian changes the tree meanwhile. They
//! do not make Meridian safe against another local process racing it to swap a directory for
//! a link between the check and the write: that needs `openat`-style calls std does not
//! offer, and such a process could write those files itself.

use std::ffi::OsStr;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};

/// The directory of a spec directory's state, lock and journal.
pub const OWN_DIR: &str = ".meridian";
/// Suffix of a staged file, next to its destination.
pub const STAGED_SUFFIX: &str = ".meridian-new";
/// Suffix of the previous version of a destination while a commit swaps it.
pub const BACKUP_SUFFIX: &str = ".meridian-old";
/// Suffix of Meridian's other temporary files.
pub const TEMP_SUFFIX: &str = ".meridian-tmp";
/// Names ending in these are Meridian's temporary files: never a target.
pub const RESERVED_SUFFIXES: [&str; 3] = [STAGED_SUFFIX, BACKUP_SUFFIX, TEMP_SUFFIX];

/// The state files of a spec directory, all in its `.meridian/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatePaths {
    /// `.meridian/`.
    pub dir: PathBuf,
    /// `.meridian/state.json`.
    pub state: PathBuf,
    /// `.meridian/state.json.backup`: the previous state.
    pub backup: PathBuf,
    /// `.meridian/state.lock`.
    pub lock: PathBuf,
    /// `.meridian/apply.journal`.
    pub journal: PathBuf,
}

impl StatePaths {
    /// The state files of the spec directory `spec_dir`.
    pub fn of(spec_dir: &Path) -> StatePaths {
        let dir = spec_dir.join(OWN_DIR);
        StatePaths {
            state: dir.join("state.json"),
            backup: dir.join("state.json.backup"),
            lock: dir.join("state.lock"),
            journal: dir.join("apply.journal"),
            dir,
        }
    }
}

/// Why a path is not written (or, recorded in a plan or state file, not accepted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// It names nothing.
    Empty,
    /// It holds a NUL character, which no file name can.
    Nul,
    /// It is absolute where a path relative to the root is needed, or lies outside the root.
    Absolute,
    /// A `..` component.
    Climbs,
    /// It ends in a separator, so it names a directory where a file is needed.
    TrailingSeparator,
    /// A `.` or empty component in a path recorded by Meridian, which never writes one.
    NotNormal,
    /// The file name ends in a suffix of Meridian's temporary files.
    Reserved(&'static str),
    /// A component is `.meridian`: Meridian's state directory.
    OwnDir,
    /// A directory on the way is a symbolic link that leads out of the root.
    LinkOut { link: PathBuf, to: PathBuf },
    /// The file itself is a symbolic link.
    Link,
    /// A component on the way exists and is not a directory.
    NotADirectory(PathBuf),
    /// The path names a directory.
    IsADirectory,
    /// The path is one of Meridian's own files (`what` says which).
    Own { what: String, path: PathBuf },
    /// Checking the path failed.
    Io(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Empty => f.write_str("the path is empty"),
            Problem::Nul => f.write_str("the path holds a NUL character"),
            Problem::Absolute => f.write_str("the path is not inside the directory written to"),
            Problem::Climbs => f.write_str("the path leaves its directory with \"..\""),
            Problem::TrailingSeparator => {
                f.write_str("the path ends in a separator, so it does not name a file")
            }
            Problem::NotNormal => f.write_str(
                "the path has an empty or \".\" component, which Meridian never records",
            ),
            Problem::Reserved(suffix) => write!(
                f,
                "names ending in {suffix} are reserved for Meridian's own temporary files"
            ),
            Problem::OwnDir => write!(
                f,
                "the path is inside {OWN_DIR}/, where Meridian keeps its state"
            ),
            Problem::LinkOut { link, to } => write!(
                f,
                "{} is a symbolic link to {}, outside the directory written to; Meridian never writes through a link out of it",
                link.display(),
                to.display()
            ),
            Problem::Link => {
                f.write_str("it is a symbolic link; Meridian never writes or compares through a link")
            }
            Problem::NotADirectory(p) => write!(f, "{} is not a directory", p.display()),
            Problem::IsADirectory => f.write_str("it is a directory"),
            Problem::Own { what, path } => write!(f, "it is {what} ({})", path.display()),
            Problem::Io(m) => f.write_str(m),
        }
    }
}

/// A path Meridian refuses to write, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    pub path: PathBuf,
    pub problem: Problem,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refusing to write {}: {}",
            self.path.display(),
            self.problem
        )
    }
}

impl std::error::Error for PathError {}

impl From<PathError> for io::Error {
    fn from(e: PathError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidInput, e.to_string())
    }
}

/// Absolute in the spelling of any platform: `/x`, `\x`, `\\server\share`, `C:\x`, `C:x`.
pub fn is_absolute_text(p: &str) -> bool {
    let b = p.as_bytes();
    p.starts_with(['/', '\\']) || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

/// Checks a path as a plan or state file records it: relative to the spec directory,
/// `/`-separated, every component a plain name (a `\` counts as a separator too, as a spec
/// written on Windows may use it). Returns the first problem.
pub fn check_recorded(path: &str) -> Result<(), Problem> {
    if path.is_empty() {
        return Err(Problem::Empty);
    }
    if path.contains('\0') {
        return Err(Problem::Nul);
    }
    if is_absolute_text(path) {
        return Err(Problem::Absolute);
    }
    let parts: Vec<&str> = path.split(['/', '\\']).collect();
    for (i, part) in parts.iter().enumerate() {
        match *part {
            "" if i + 1 == parts.len() => return Err(Problem::TrailingSeparator),
            "" | "." => return Err(Problem::NotNormal),
            ".." => return Err(Problem::Climbs),
            p if p.eq_ignore_ascii_case(OWN_DIR) => return Err(Problem::OwnDir),
            _ => {}
        }
    }
    reserved_suffix(path).map_or(Ok(()), |s| Err(Problem::Reserved(s)))
}

/// The reserved suffix `name` ends in, if any.
pub fn reserved_suffix(name: &str) -> Option<&'static str> {
    RESERVED_SUFFIXES.into_iter().find(|s| name.ends_with(s))
}

/// The lexical checks of [`Root::target`] on a relative path: no NUL, no trailing separator,
/// no root or prefix, no `..`, no `.meridian` component, no reserved suffix, something named.
fn check_relative(path: &Path) -> Result<(), Problem> {
    let bytes = path.as_os_str().as_encoded_bytes();
    if bytes.contains(&0) {
        return Err(Problem::Nul);
    }
    if bytes.ends_with(b"/") || (cfg!(windows) && bytes.ends_with(b"\\")) {
        return Err(Problem::TrailingSeparator);
    }
    let mut named = false;
    for c in path.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => return Err(Problem::Absolute),
            Component::ParentDir => return Err(Problem::Climbs),
            Component::CurDir => {}
            Component::Normal(n) => {
                if n.to_string_lossy().eq_ignore_ascii_case(OWN_DIR) {
                    return Err(Problem::OwnDir);
                }
                named = true;
            }
        }
    }
    if !named {
        return Err(Problem::Empty);
    }
    match path.file_name().map(OsStr::to_string_lossy) {
        Some(name) => reserved_suffix(&name).map_or(Ok(()), |s| Err(Problem::Reserved(s))),
        None => Err(Problem::Empty),
    }
}

/// A directory Meridian writes into, and the files in and around it it must never write.
#[derive(Debug, Clone)]
pub struct Root {
    /// As given, made absolute.
    dir: PathBuf,
    /// Canonical (links resolved).
    real: PathBuf,
    /// Meridian's own files and directories (resolved), each with what it is.
    own: Vec<(PathBuf, String)>,
}

impl Root {
    /// The existing directory `dir` as a root. Its `.meridian/` is protected.
    pub fn new(dir: &Path) -> io::Result<Root> {
        let real = fs::canonicalize(dir)?;
        if !real.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} is not a directory", dir.display()),
            ));
        }
        let mut root = Root {
            dir: std::path::absolute(dir)?,
            real,
            own: Vec::new(),
        };
        let own = root.real.join(OWN_DIR);
        root.protect(&own, "Meridian's state directory");
        Ok(root)
    }

    /// Protects `path` (a file, or a directory and everything in it): it is never a target.
    /// `what` names it in errors ("a spec file", "the plan file being written").
    pub fn protect(&mut self, path: &Path, what: &str) {
        let resolved = resolve(path)
            .or_else(|| std::path::absolute(path).ok())
            .unwrap_or_else(|| path.to_path_buf());
        self.own.push((resolved, what.to_owned()));
    }

    /// The root as given (absolute).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The root with links resolved.
    pub fn real(&self) -> &Path {
        &self.real
    }

    /// What `resolved` (a path with links resolved) is of Meridian's own, if anything.
    pub fn own(&self, resolved: &Path) -> Option<(&Path, &str)> {
        self.own
            .iter()
            .find(|(p, _)| resolved == p || resolved.starts_with(p))
            .map(|(p, w)| (p.as_path(), w.as_str()))
    }

    /// Checks that `path` (relative to the root, or absolute inside it) may be written, and
    /// returns where it really is: the root and every existing directory resolved, so no link
    /// is left on the way. See the module documentation for the rules.
    pub fn target(&self, path: &Path) -> Result<PathBuf, PathError> {
        let err = |problem| PathError {
            path: path.to_path_buf(),
            problem,
        };
        let rel = if path.is_absolute() {
            path.strip_prefix(&self.dir)
                .or_else(|_| path.strip_prefix(&self.real))
                .map_err(|_| err(Problem::Absolute))?
        } else {
            path
        };
        if rel.as_os_str().is_empty() {
            return Err(err(Problem::Empty));
        }
        check_relative(rel).map_err(err)?;
        let names: Vec<&OsStr> = rel
            .components()
            .filter_map(|c| match c {
                Component::Normal(n) => Some(n),
                _ => None,
            })
            .collect();
        let Some((last, dirs)) = names.split_last() else {
            return Err(err(Problem::Empty));
        };
        let mut cur = self.real.clone();
        let mut existing = true;
        for name in dirs {
            cur.push(name);
            if !existing {
                continue;
            }
            match fs::symlink_metadata(&cur) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => existing = false,
                Err(e) => return Err(err(Problem::Io(format!("{}: {e}", cur.display())))),
                Ok(m) if m.file_type().is_symlink() => {
                    let Ok(to) = fs::canonicalize(&cur) else {
                        let to = fs::read_link(&cur).unwrap_or_default();
                        return Err(err(Problem::LinkOut { link: cur, to }));
                    };
                    if !to.starts_with(&self.real) {
                        return Err(err(Problem::LinkOut { link: cur, to }));
                    }
                    if !to.is_dir() {
                        return Err(err(Problem::NotADirectory(cur)));
                    }
                    cur = to;
                }
                Ok(m) if m.is_dir() => {}
                Ok(_) => return Err(err(Problem::NotADirectory(cur))),
            }
        }
        cur.push(last);
        if existing {
            match fs::symlink_metadata(&cur) {
                Ok(m) if m.file_type().is_symlink() => return Err(err(Problem::Link)),
                Ok(m) if m.is_dir() => return Err(err(Problem::IsADirectory)),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(err(Problem::Io(format!("{}: {e}", cur.display())))),
            }
        }
        if let Some((p, what)) = self.own(&cur) {
            return Err(err(Problem::Own {
                what: what.to_owned(),
                path: p.to_path_buf(),
            }));
        }
        Ok(cur)
    }

    /// This root's protections applied to a file a user named on the command line (`plan
    /// -out`, `report --out`): a relative path is checked like a target under the current
    /// directory (so a link on the way must stay inside it); the directory of an absolute
    /// path, or of one that climbs with `..`, is the user's choice and only the file in it is
    /// checked. Returns the path to write.
    pub fn user_file(&self, path: &Path) -> Result<PathBuf, PathError> {
        let err = |problem| PathError {
            path: path.to_path_buf(),
            problem,
        };
        let chosen_dir = path.is_absolute()
            || path
                .parent()
                .is_some_and(|p| p.components().any(|c| c == Component::ParentDir));
        let (base, rel) = if chosen_dir {
            let name = path.file_name().ok_or_else(|| err(Problem::Empty))?;
            (parent_dir(path), PathBuf::from(name))
        } else {
            (PathBuf::from("."), path.to_path_buf())
        };
        if path.as_os_str().as_encoded_bytes().ends_with(b"/") {
            return Err(err(Problem::TrailingSeparator));
        }
        let mut user = Root::new(&base).map_err(|e| {
            err(Problem::Io(format!(
                "cannot use the directory {}: {e}",
                base.display()
            )))
        })?;
        user.own.clone_from(&self.own);
        user.target(&rel).map_err(|e| PathError {
            path: path.to_path_buf(),
            problem: e.problem,
        })
    }
}

/// Writes `bytes` to the file a user named on the command line, atomically, after checking it
/// against `root`'s protections ([`Root::user_file`]). The directory must exist.
pub fn write_user_file(root: &Root, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = root.user_file(path)?;
    write_atomic(&target, bytes)
}

/// The canonical form of `path`: its longest existing ancestor canonicalised (following
/// links), joined with the rest. `..` components that remain are kept, so callers can still
/// see them. `None` when no ancestor can be resolved.
pub fn resolve(path: &Path) -> Option<PathBuf> {
    let mut existing = path.to_path_buf();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    loop {
        if let Ok(c) = existing.canonicalize() {
            let mut out = c;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return Some(out);
        }
        let name = existing.file_name().map(OsStr::to_os_string);
        match (name, existing.parent()) {
            (Some(n), Some(parent)) => {
                rest.push(n);
                existing = if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                };
            }
            _ => return None,
        }
    }
}

/// The error for a link where Meridian needs a real file or directory.
fn link_refused(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{} is a symbolic link; Meridian never reads or writes its own files through a link",
            path.display()
        ),
    )
}

/// `O_NOFOLLOW` on platforms that have it. Elsewhere callers check with `symlink_metadata`
/// first ([`refuse_link_first`]).
fn no_follow(opts: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    opts
}

/// Where `O_NOFOLLOW` does not exist: refuses a link at `path` before it is opened.
fn refuse_link_first(path: &Path) -> io::Result<()> {
    if cfg!(unix) {
        return Ok(());
    }
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(link_refused(path)),
        _ => Ok(()),
    }
}

/// An open that failed because `path` is a link (`ELOOP` under `O_NOFOLLOW`) says so.
fn explain(path: &Path, e: io::Error) -> io::Error {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return link_refused(path);
    }
    let _ = path;
    e
}

/// Creates a new file at `path` for writing: fails if anything (a file, a link) is already
/// there, never follows a link.
pub fn create_new(path: &Path) -> io::Result<File> {
    refuse_link_first(path)?;
    no_follow(OpenOptions::new().write(true).create_new(true))
        .open(path)
        .map_err(|e| explain(path, e))
}

/// Opens (creating if missing) the lock file at `path` for reading and writing, without
/// truncating it; refuses a link or anything but a regular file.
pub(crate) fn open_lock_file(path: &Path) -> io::Result<File> {
    refuse_link_first(path)?;
    let file = no_follow(
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false),
    )
    .open(path)
    .map_err(|e| explain(path, e))?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a regular file", path.display()),
        ));
    }
    Ok(file)
}

/// Opens an existing file for reading and writing without following a link.
pub(crate) fn open_existing(path: &Path) -> io::Result<File> {
    refuse_link_first(path)?;
    no_follow(OpenOptions::new().read(true).write(true))
        .open(path)
        .map_err(|e| explain(path, e))
}

/// Reads a whole file without following a link at `path`.
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read as _;
    refuse_link_first(path)?;
    let mut file = no_follow(OpenOptions::new().read(true))
        .open(path)
        .map_err(|e| explain(path, e))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// [`read`], with `None` for a missing file.
pub fn read_if_exists(path: &Path) -> io::Result<Option<Vec<u8>>> {
    match read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// `path` with `suffix` appended to its file name (`state.json` → `state.json.backup`).
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// The directory holding `path` (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Flushes a directory's entries (created, renamed and removed files) to disk. Platforms
/// that cannot open a directory as a file (Windows) have nothing to do here.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
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

/// Whether an error says there is nothing at the path: not found, or a name longer than the
/// file system can hold (which names nothing).
fn is_absent(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::InvalidFilename
    )
}

/// Whether something exists at `path` (a dangling link counts); errors other than "not
/// found" are returned.
pub fn exists(path: &Path) -> io::Result<bool> {
    match fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if is_absent(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Removes a file (a link itself, never what it points to); `Ok(false)` if there was none.
pub fn remove_if_exists(path: &Path) -> io::Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if is_absent(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Creates `dir` and its missing ancestors one at a time (`mkdir` never follows a link at the
/// name it creates), syncing the parent of each directory created so the new entries survive
/// a crash. An existing ancestor that is not a directory is an error.
pub fn create_dirs(dir: &Path) -> io::Result<()> {
    let mut missing = Vec::new();
    let mut cur = Some(dir);
    while let Some(d) = cur {
        if d.as_os_str().is_empty() {
            break;
        }
        match fs::metadata(d) {
            Ok(m) if m.is_dir() => break,
            Ok(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{} is not a directory", d.display()),
                ))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if exists(d)? {
                    // A dangling link where a directory is needed.
                    return Err(link_refused(d));
                }
                missing.push(d.to_path_buf());
                cur = d.parent();
            }
            Err(e) => return Err(e),
        }
    }
    for d in missing.iter().rev() {
        match fs::create_dir(d) {
            Ok(()) => sync_dir(&parent_dir(d))?,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let m = fs::symlink_metadata(d)?;
                if !m.is_dir() {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("{} is not a directory", d.display()),
                    ));
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Makes sure `dir`, a directory of Meridian's own (`.meridian/`), is a real directory:
/// created (with its missing ancestors) when missing, refused when it is a link or a file.
pub fn own_dir(dir: &Path) -> io::Result<()> {
    match fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_symlink() => Err(link_refused(dir)),
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a directory", dir.display()),
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => create_dirs(dir),
        Err(e) => Err(e),
    }
}

/// Creates `path` (which must not exist: see [`create_new`]), writes `bytes` and syncs it.
pub fn write_new_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = create_new(path)?;
    let written = f.write_all(bytes).and_then(|()| f.sync_all());
    if written.is_err() {
        drop(f);
        let _ = fs::remove_file(path);
    }
    written
}

/// A copy of `src` (read without following a link) as the new file `dst`, synced.
pub fn copy_new(src: &Path, dst: &Path) -> io::Result<()> {
    let bytes = read(src)?;
    write_new_synced(dst, &bytes)?;
    #[cfg(unix)]
    {
        let perms = fs::symlink_metadata(src)?.permissions();
        fs::set_permissions(dst, perms)?;
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically: a new, synced file beside it (a fresh name), renamed
/// over `path`, then the directory synced. At every instant `path` is its old content or the
/// new; on error it is unchanged and no temporary file is left.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let id = crate::new_uuid_v4();
    let tmp = parent_dir(path).join(format!(".{name}.{}{TEMP_SUFFIX}", &id[..8]));
    write_atomic_via(path, &tmp, bytes)
}

/// [`write_atomic`] through the temporary file `tmp` (removed first if a crash left it).
pub(crate) fn write_atomic_via(path: &Path, tmp: &Path, bytes: &[u8]) -> io::Result<()> {
    remove_if_exists(tmp)?;
    if let Err(e) = write_new_synced(tmp, bytes).and_then(|()| fs::rename(tmp, path)) {
        let _ = fs::remove_file(tmp);
        return Err(e);
    }
    sync_dir(&parent_dir(path))
}

/// Makes `target` a copy of `src` atomically: a hard link (or, where links are not
/// supported, a synced copy) under a temporary name, renamed over `target`. `target` is at
/// every instant either its previous content or the complete copy.
pub(crate) fn replace_with_copy_of(src: &Path, target: &Path) -> io::Result<()> {
    let tmp = with_suffix(target, TEMP_SUFFIX);
    remove_if_exists(&tmp)?;
    link_or_copy_new(src, &tmp)?;
    if let Err(e) = fs::rename(&tmp, target) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(())
}

/// Makes `link` a second name of `src` (a hard link), or, where links are not supported, a
/// synced copy. Any file at `link` (a link included, not followed) is replaced.
pub(crate) fn link_or_copy(src: &Path, link: &Path) -> io::Result<()> {
    remove_if_exists(link)?;
    link_or_copy_new(src, link)
}

/// A hard link `link` to `src` (a link to a link is never made: `src` must be a regular
/// file), else a synced copy; `link` must not exist.
fn link_or_copy_new(src: &Path, link: &Path) -> io::Result<()> {
    let m = fs::symlink_metadata(src)?;
    if m.file_type().is_symlink() {
        return Err(link_refused(src));
    }
    if fs::hard_link(src, link).is_ok() {
        return Ok(());
    }
    let result = copy_new(src, link);
    if result.is_err() {
        let _ = fs::remove_file(link);
    }
    result
}

#[cfg(all(test, unix))]
mod tests;
