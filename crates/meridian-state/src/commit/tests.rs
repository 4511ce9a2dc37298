use super::*;
use crate::{load, ArtifactRecord};
use std::collections::BTreeMap;

type Snap = BTreeMap<PathBuf, Vec<u8>>;

fn root(dir: &Path) -> Root {
    Root::new(dir).expect("root")
}

/// Every file under `dir`, by relative path.
fn snapshot(dir: &Path) -> Snap {
    fn walk(root: &Path, dir: &Path, out: &mut Snap) {
        for entry in fs::read_dir(dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            if fs::symlink_metadata(&path).expect("meta").is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("prefix").to_path_buf();
                out.insert(rel, fs::read(&path).expect("read"));
            }
        }
    }
    let mut out = Snap::new();
    walk(dir, dir, &mut out);
    out
}

fn names(snap: &Snap) -> Vec<String> {
    snap.keys().map(|p| p.display().to_string()).collect()
}

/// A deterministic commit scenario rooted at `base` (the child process of the crash test
/// rebuilds it from the path alone).
struct Layout {
    base: PathBuf,
    state_path: PathBuf,
    journal: PathBuf,
    changes: Vec<FileChange>,
    old_state: State,
    new_state: State,
}

fn state_with(serial: u64, artifacts: &[(&str, &[u8])]) -> State {
    let mut s = State::new("0.1.0");
    s.lineage = "0f8fad5b-d9cb-469f-a165-70867728950e".to_owned();
    s.serial = serial;
    for (p, c) in artifacts {
        s.artifacts.insert((*p).to_owned(), ArtifactRecord::of(c));
    }
    s
}

fn layout(base: &Path) -> Layout {
    Layout {
        base: base.to_path_buf(),
        state_path: base.join(".meridian/state.json"),
        journal: base.join(".meridian/apply.journal"),
        changes: vec![
            FileChange::write("keep.txt", "keep\n"),
            FileChange::write("a.txt", "new a\n"),
            FileChange::write("b.txt", "new b\n"),
            FileChange::delete("c.txt"),
            FileChange::write(base.join("sub/deep/d.txt"), "new d\n"),
            FileChange::delete("gone.txt"),
            FileChange::write("out/e.txt", "new e\n"),
        ],
        old_state: state_with(1, &[("a.txt", b"old a\n")]),
        new_state: state_with(2, &[("a.txt", b"new a\n"), ("b.txt", b"new b\n")]),
    }
}

/// The number of swaps `layout` makes: a, b, c, d, e and the state.
const SWAPS: usize = 6;

/// Writes the old files of `layout` and returns (before, expected after).
fn populate(l: &Layout) -> (Snap, Snap) {
    fs::create_dir_all(l.base.join("out")).expect("mkdir");
    fs::write(l.base.join("keep.txt"), "keep\n").expect("write");
    fs::write(l.base.join("a.txt"), "old a\n").expect("write");
    fs::write(l.base.join("c.txt"), "old c\n").expect("write");
    fs::write(l.base.join("out/e.txt"), "old e\n").expect("write");
    fs::write(l.base.join("unrelated.txt"), "other\n").expect("write");
    let mut older = l.old_state.clone();
    older.serial = 0;
    crate::save(&l.state_path, &mut older).expect("save 0");
    crate::save(&l.state_path, &mut l.old_state.clone()).expect("save 1");
    let before = snapshot(&l.base);
    let mut after = before.clone();
    for (p, c) in [
        ("a.txt", "new a\n"),
        ("b.txt", "new b\n"),
        ("sub/deep/d.txt", "new d\n"),
        ("out/e.txt", "new e\n"),
    ] {
        after.insert(PathBuf::from(p), c.as_bytes().to_vec());
    }
    after.remove(Path::new("c.txt"));
    let old_state_bytes = fs::read(&l.state_path).expect("read");
    after.insert(
        PathBuf::from(".meridian/state.json.backup"),
        old_state_bytes,
    );
    after.insert(
        PathBuf::from(".meridian/state.json"),
        l.new_state.clone().to_file_bytes(),
    );
    (before, after)
}

fn run(l: &Layout, fault: Option<Fault>, journal: bool) -> Result<CommitReport, CommitError> {
    let mut st = l.new_state.clone();
    commit(
        &root(&l.base),
        &l.changes,
        CommitOptions {
            journal: journal.then_some(l.journal.as_path()),
            state: Some((&l.state_path, &mut st)),
            fault,
        },
    )
}

fn setup() -> (tempfile::TempDir, Layout, Snap, Snap) {
    let dir = tempfile::tempdir().expect("tempdir");
    let l = layout(dir.path());
    let (before, after) = populate(&l);
    (dir, l, before, after)
}

#[test]
fn commit_writes_deletes_and_skips_unchanged() {
    for journal in [true, false] {
        let (_dir, l, before, after) = setup();
        let report = run(&l, None, journal).expect("commit");
        assert_eq!(
            report.written,
            [
                PathBuf::from("a.txt"),
                PathBuf::from("b.txt"),
                l.base.join("sub/deep/d.txt"),
                PathBuf::from("out/e.txt"),
            ]
        );
        assert_eq!(report.deleted, [PathBuf::from("c.txt")]);
        assert_eq!(
            report.unchanged,
            [PathBuf::from("keep.txt"), PathBuf::from("gone.txt")]
        );
        assert!(report.state_written);
        let now = snapshot(&l.base);
        assert_eq!(names(&now), names(&after), "no leftovers");
        assert_eq!(now, after);
        assert_ne!(now, before);
        let st = load(&l.state_path).expect("load").expect("state");
        assert_eq!(st.serial, 2);
        let backup = load(&l.state_path.with_file_name("state.json.backup"))
            .expect("load backup")
            .expect("backup");
        assert_eq!(backup.serial, 1);
    }
}

#[test]
fn an_unchanged_file_is_not_touched() {
    let (_dir, l, _, _) = setup();
    let keep = l.base.join("keep.txt");
    let before = fs::metadata(&keep)
        .expect("meta")
        .modified()
        .expect("mtime");
    std::thread::sleep(std::time::Duration::from_millis(20));
    run(&l, None, true).expect("commit");
    let after = fs::metadata(&keep)
        .expect("meta")
        .modified()
        .expect("mtime");
    assert_eq!(before, after);
}

#[test]
fn nothing_to_do_writes_no_journal() {
    let (_dir, l, _, after) = setup();
    run(&l, None, true).expect("commit");
    // The same commit again: every file and the state are already as asked.
    let report = run(&l, None, true).expect("commit again");
    assert!(report.written.is_empty() && report.deleted.is_empty());
    assert_eq!(report.unchanged.len(), l.changes.len());
    assert!(!report.state_written);
    assert_eq!(snapshot(&l.base), after);
}

#[test]
fn a_first_state_has_no_backup() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state_path = dir.path().join(".meridian/state.json");
    let journal = dir.path().join(".meridian/apply.journal");
    let mut st = state_with(1, &[]);
    let report = commit(
        &root(dir.path()),
        &[FileChange::write("x/y.txt", "y")],
        CommitOptions {
            journal: Some(&journal),
            state: Some((&state_path, &mut st)),
            fault: None,
        },
    )
    .expect("commit");
    assert!(report.state_written);
    assert!(st.checksum_is_valid());
    assert_eq!(
        names(&snapshot(dir.path())),
        [".meridian/state.json", "x/y.txt"]
    );
    assert_eq!(load(&state_path).expect("load"), Some(st));
}

#[test]
fn commit_sorts_the_state_and_keeps_its_serial() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state_path = dir.path().join("state.json");
    let mut st = state_with(5, &[]);
    for a in ["z.z.z", "a.a.a"] {
        st.resources.push(crate::StateResource {
            address: a.to_owned(),
            kind: "k".to_owned(),
            provider: "p".to_owned(),
            region: None,
            name: a.to_owned(),
            attributes: BTreeMap::new(),
            tags: BTreeMap::new(),
            pending: None,
            observed: None,
        });
    }
    commit(
        &root(dir.path()),
        &[],
        CommitOptions {
            state: Some((&state_path, &mut st)),
            ..CommitOptions::default()
        },
    )
    .expect("commit");
    let loaded = load(&state_path).expect("load").expect("state");
    assert_eq!(loaded.serial, 5);
    assert_eq!(loaded.resources[0].address, "a.a.a");

    // Duplicate addresses are refused before anything is written.
    let mut dup = loaded.clone();
    dup.resources.push(dup.resources[0].clone());
    dup.serial = 6;
    let e = commit(
        &root(dir.path()),
        &[FileChange::write("f", "f")],
        CommitOptions {
            state: Some((&state_path, &mut dup)),
            ..CommitOptions::default()
        },
    )
    .expect_err("duplicate");
    assert!(
        matches!(e, CommitError::State(StateError::Invalid { .. })),
        "{e:?}"
    );
    assert!(!dir.path().join("f").exists());
    assert_eq!(load(&state_path).expect("load"), Some(loaded));
}

#[test]
fn an_injected_failure_after_any_number_of_swaps_rolls_everything_back() {
    for journal in [true, false] {
        for k in 0..=SWAPS {
            let (_dir, l, before, _) = setup();
            let e = run(&l, Some(Fault::FailAfterSwaps(k)), journal).expect_err("fault");
            let CommitError::Io { path, action, .. } = &e else {
                panic!("k={k}: expected Io, got {e:?}");
            };
            assert_eq!(*action, "swap in");
            assert!(path.starts_with(&l.base), "{}", path.display());
            assert!(e.to_string().contains("injected failure"), "{e}");
            let now = snapshot(&l.base);
            assert_eq!(names(&now), names(&before), "k={k} journal={journal}");
            assert_eq!(now, before, "k={k} journal={journal}");
        }
        // Past the last swap the fault never fires.
        let (_dir, l, _, after) = setup();
        run(&l, Some(Fault::FailAfterSwaps(SWAPS + 1)), journal).expect("commit");
        assert_eq!(snapshot(&l.base), after);
    }
}

#[test]
fn the_failing_swap_is_named() {
    let (_dir, l, _, _) = setup();
    let e = run(&l, Some(Fault::FailAfterSwaps(2)), true).expect_err("fault");
    // Swaps: a, b, c, …: the third is c.txt.
    assert!(
        e.to_string().starts_with(&format!(
            "cannot swap in {}",
            l.base.join("c.txt").display()
        )),
        "{e}"
    );
}

#[test]
fn deletes_roll_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    for n in ["one", "two", "three"] {
        fs::write(dir.path().join(n), n).expect("write");
    }
    let before = snapshot(dir.path());
    let changes: Vec<FileChange> = ["one", "two", "three"]
        .into_iter()
        .map(FileChange::delete)
        .collect();
    let journal = dir.path().join("j");
    for k in 0..3 {
        commit(
            &root(dir.path()),
            &changes,
            CommitOptions {
                journal: Some(&journal),
                fault: Some(Fault::FailAfterSwaps(k)),
                ..CommitOptions::default()
            },
        )
        .expect_err("fault");
        assert_eq!(snapshot(dir.path()), before, "k={k}");
    }
    let report = commit(&root(dir.path()), &changes, CommitOptions::default()).expect("commit");
    assert_eq!(report.deleted.len(), 3);
    assert!(snapshot(dir.path()).is_empty());
}

#[test]
fn a_failure_while_staging_leaves_nothing_behind() {
    let (_dir, mut l, before, _) = setup();
    // A name of 250 bytes passes the checks, but its staged name (13 bytes longer) is longer
    // than file systems allow; it comes after entries that are already staged.
    let long = "n".repeat(250);
    l.changes.push(FileChange::write(long.as_str(), "x"));
    let e = run(&l, None, true).expect_err("staging fails");
    let CommitError::Io { path, .. } = &e else {
        panic!("expected Io, got {e:?}");
    };
    assert_eq!(path, &l.base.join(&long));
    assert_eq!(snapshot(&l.base), before);
}

#[test]
fn invalid_changes_are_refused_before_anything_is_written() {
    let (_dir, l, before, _) = setup();
    fs::create_dir(l.base.join("adir")).expect("mkdir");
    for (change, why) in [
        (FileChange::write("adir", "x"), "it is a directory"),
        (FileChange::delete("adir"), "it is a directory"),
        (FileChange::write("a.txt.meridian-new", "x"), "reserved"),
        (FileChange::write("a.txt.meridian-old", "x"), "reserved"),
        (
            FileChange::write(".meridian/state.json", "x"),
            "where Meridian keeps its state",
        ),
        (
            FileChange::write(".meridian/state.json.backup", "x"),
            "where Meridian keeps its state",
        ),
        (
            FileChange::delete(".meridian/apply.journal"),
            "where Meridian keeps its state",
        ),
        (FileChange::write("a.txt", "again"), "changed twice"),
        (FileChange::write("out/../a.txt", "again"), "\"..\""),
        (FileChange::write("./out/./e.txt", "again"), "changed twice"),
        (
            FileChange::write(".meridian/x/../state.json", "x"),
            "where Meridian keeps its state",
        ),
        (FileChange::write("../outside.txt", "x"), "\"..\""),
        (FileChange::write("/etc/outside.txt", "x"), "not inside"),
        (FileChange::write("out/", "x"), "ends in a separator"),
        (FileChange::write("out/a\0b", "x"), "NUL"),
    ] {
        let mut changes = l.changes.clone();
        changes.push(change);
        let e = run_with(&l, &changes).expect_err("invalid");
        assert!(matches!(e, CommitError::InvalidChange { .. }), "{e:?}");
        assert!(e.to_string().contains(why), "{e}");
        assert_eq!(snapshot(&l.base), before);
    }
}

fn run_with(l: &Layout, changes: &[FileChange]) -> Result<CommitReport, CommitError> {
    let mut st = l.new_state.clone();
    commit(
        &root(&l.base),
        changes,
        CommitOptions {
            journal: Some(&l.journal),
            state: Some((&l.state_path, &mut st)),
            fault: None,
        },
    )
}

#[test]
fn a_pending_journal_blocks_a_new_commit() {
    let (_dir, l, _, _) = setup();
    let e = run(&l, Some(Fault::HaltAfterSwaps(3)), true).expect_err("halt");
    assert!(matches!(e, CommitError::Halted { .. }), "{e:?}");
    let mid = snapshot(&l.base);
    let e = run(&l, None, true).expect_err("pending");
    assert!(matches!(e, CommitError::PendingJournal { .. }), "{e:?}");
    assert!(e.to_string().contains("interrupted"), "{e}");
    assert_eq!(snapshot(&l.base), mid, "nothing touched");
}

#[test]
fn recover_without_a_journal_is_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(
        recover(&dir.path().join("apply.journal"), &root(dir.path())).expect("recover"),
        None
    );
}

#[test]
fn a_crash_before_the_commit_point_rolls_back() {
    let (_dir, l, before, _) = setup();
    run(&l, Some(Fault::HaltAfterStaging), true).expect_err("halt");
    let staged = snapshot(&l.base);
    assert!(staged.contains_key(Path::new("a.txt.meridian-new")));
    assert!(staged.contains_key(Path::new(".meridian/state.json.meridian-new")));
    assert!(staged.contains_key(Path::new(".meridian/apply.journal")));
    let r = recover(&l.journal, &root(&l.base))
        .expect("recover")
        .expect("journal");
    assert_eq!(r.outcome, RecoveryOutcome::RolledBack);
    assert_eq!(r.files.len(), SWAPS);
    assert!(r.files.contains(&l.state_path));
    assert_eq!(snapshot(&l.base), before);
    assert_eq!(recover(&l.journal, &root(&l.base)).expect("again"), None);
    assert_eq!(snapshot(&l.base), before);
}

#[test]
fn a_crash_after_the_commit_point_rolls_forward() {
    for k in 0..=SWAPS {
        let (_dir, l, _, after) = setup();
        run(&l, Some(Fault::HaltAfterSwaps(k)), true).expect_err("halt");
        let r = recover(&l.journal, &root(&l.base))
            .expect("recover")
            .expect("journal");
        assert_eq!(r.outcome, RecoveryOutcome::RolledForward, "k={k}");
        let now = snapshot(&l.base);
        assert_eq!(names(&now), names(&after), "k={k}");
        assert_eq!(now, after, "k={k}");
        assert_eq!(
            recover(&l.journal, &root(&l.base)).expect("again"),
            None,
            "k={k}"
        );
        assert_eq!(snapshot(&l.base), after);
    }
}

#[test]
fn a_crash_inside_a_swap_rolls_forward() {
    // Between keeping the backup (a link) and renaming the staged file in.
    for k in 0..SWAPS {
        let (_dir, l, _, after) = setup();
        run(&l, Some(Fault::HaltAfterSwaps(k)), true).expect_err("halt");
        let j = read_journal(&l.journal).expect("read").expect("journal");
        let e = &j.entries[k];
        if e.kind != Kind::Delete && e.existed {
            link_or_copy(&e.dest, &e.backup).expect("half swap");
        }
        recover(&l.journal, &root(&l.base))
            .expect("recover")
            .expect("journal");
        assert_eq!(snapshot(&l.base), after, "k={k}");
    }
}

#[test]
fn a_crash_while_rolling_back_in_process_still_rolls_back() {
    // The in-process rollback switches the journal to `rollback` and then undoes entries
    // from the last; a crash after any number of them is finished by recovery.
    for k in 0..=SWAPS {
        for undone in 0..=SWAPS {
            let (_dir, l, before, _) = setup();
            run(&l, Some(Fault::HaltAfterSwaps(k)), true).expect_err("halt");
            let j = read_journal(&l.journal).expect("read").expect("journal");
            write_journal(&l.journal, Phase::Rollback, &j.entries).expect("rollback phase");
            for e in j.entries.iter().rev().take(undone) {
                rollback_entry(e, true).expect("undo");
            }
            let r = recover(&l.journal, &root(&l.base))
                .expect("recover")
                .expect("journal");
            assert_eq!(r.outcome, RecoveryOutcome::RolledBack);
            assert_eq!(snapshot(&l.base), before, "k={k} undone={undone}");
        }
    }
}

#[test]
fn a_crash_during_recovery_is_recovered_by_recovering_again() {
    // Roll forward, interrupted after any number of entries.
    for k in [0, 2, SWAPS] {
        for m in 0..=SWAPS {
            let (_dir, l, _, after) = setup();
            run(&l, Some(Fault::HaltAfterSwaps(k)), true).expect_err("halt");
            let e = recover_with(&l.journal, &root(&l.base), Some(m)).expect_err("halted recovery");
            assert!(matches!(e, CommitError::Halted { .. }), "{e:?}");
            let r = recover(&l.journal, &root(&l.base))
                .expect("recover")
                .expect("journal");
            assert_eq!(r.outcome, RecoveryOutcome::RolledForward);
            assert_eq!(snapshot(&l.base), after, "k={k} m={m}");
        }
    }
    // Roll back, interrupted after any number of entries.
    for m in 0..=SWAPS {
        let (_dir, l, before, _) = setup();
        run(&l, Some(Fault::HaltAfterStaging), true).expect_err("halt");
        recover_with(&l.journal, &root(&l.base), Some(m)).expect_err("halted recovery");
        let r = recover(&l.journal, &root(&l.base))
            .expect("recover")
            .expect("journal");
        assert_eq!(r.outcome, RecoveryOutcome::RolledBack);
        assert_eq!(snapshot(&l.base), before, "m={m}");
    }
}

#[test]
fn a_crash_while_writing_the_journal_leaves_only_its_temporary_file() {
    let (_dir, l, before, _) = setup();
    fs::write(with_suffix(&l.journal, ".tmp"), b"{\"format\": 1, \"pha").expect("write");
    assert_eq!(recover(&l.journal, &root(&l.base)).expect("recover"), None);
    assert_eq!(snapshot(&l.base), before);
}

#[test]
fn a_damaged_journal_is_reported_and_kept() {
    let (_dir, l, _, _) = setup();
    for (content, needle) in [
        (&b"{\"format\": 1, \"phase\": \"comm"[..], "EOF"),
        (
            b"{\"format\": 2, \"phase\": \"commit\", \"entries\": []}",
            "journal format 2",
        ),
        (
            b"{\"format\": 1, \"phase\": \"later\", \"entries\": []}",
            "unknown variant",
        ),
    ] {
        fs::write(&l.journal, content).expect("write");
        let e = recover(&l.journal, &root(&l.base)).expect_err("damaged");
        assert!(matches!(e, CommitError::Journal { .. }), "{e:?}");
        assert!(e.to_string().contains(needle), "{e}");
        assert!(e.to_string().contains("by hand"), "{e}");
        assert_eq!(fs::read(&l.journal).expect("kept"), content);
    }
}

#[test]
fn the_journal_lists_every_entry_with_its_paths() {
    let (_dir, l, _, _) = setup();
    run(&l, Some(Fault::HaltAfterStaging), true).expect_err("halt");
    let text = fs::read_to_string(&l.journal).expect("journal");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["phase"], "staging");
    let entries = v["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), SWAPS);
    let a = &entries[0];
    assert_eq!(a["kind"], "write");
    let dest = l.base.join("a.txt");
    assert_eq!(a["dest"], dest.display().to_string());
    assert_eq!(a["staged"], format!("{}.meridian-new", dest.display()));
    assert_eq!(a["backup"], format!("{}.meridian-old", dest.display()));
    assert_eq!(entries[2]["kind"], "delete");
    assert_eq!(entries[SWAPS - 1]["kind"], "state");
    assert_eq!(
        entries[SWAPS - 1]["state_backup"],
        format!("{}.backup", l.state_path.display())
    );
    run_recover_and_check_phase(&l);
}

fn run_recover_and_check_phase(l: &Layout) {
    // Switching to the commit phase is the only change at the commit point.
    let j = read_journal(&l.journal).expect("read").expect("journal");
    write_journal(&l.journal, Phase::Commit, &j.entries).expect("commit phase");
    let v: serde_json::Value =
        serde_json::from_slice(&fs::read(&l.journal).expect("journal")).expect("json");
    assert_eq!(v["phase"], "commit");
    let r = recover(&l.journal, &root(&l.base))
        .expect("recover")
        .expect("journal");
    assert_eq!(r.outcome, RecoveryOutcome::RolledForward);
}

const CHILD_ENV: &str = "MERIDIAN_STATE_ABORT_CHILD";
const CRASH_TEST: &str = "commit::tests::a_real_abort_is_recovered";

/// Runs in a child process: the commit of `layout(base)` with the fault named by the
/// environment, which aborts the process.
fn crash_child(spec: &str) {
    let (base, fault) = spec.split_once('\n').expect("spec");
    let fault = match fault {
        "staging" => Fault::AbortAfterStaging,
        k => Fault::AbortAfterSwaps(k.parse().expect("k")),
    };
    let l = layout(Path::new(base));
    let _ = run(&l, Some(fault), true);
}

#[test]
fn a_real_abort_is_recovered() {
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        crash_child(&spec);
        return;
    }
    let exe = std::env::current_exe().expect("current exe");
    let faults: Vec<String> = std::iter::once("staging".to_owned())
        .chain((0..=SWAPS).map(|k| k.to_string()))
        .collect();
    for fault in faults {
        let (_dir, l, before, after) = setup();
        let status = std::process::Command::new(&exe)
            .args(["--exact", CRASH_TEST, "--nocapture", "--test-threads", "1"])
            .env(CHILD_ENV, format!("{}\n{fault}", l.base.display()))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("spawn child");
        assert!(!status.success(), "{fault}: the child did not crash");
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt as _;
            assert_eq!(status.signal(), Some(6), "{fault}: not SIGABRT: {status:?}");
        }
        assert!(l.journal.exists(), "{fault}: the crash left no journal");
        let r = recover(&l.journal, &root(&l.base))
            .expect("recover")
            .expect("journal");
        let now = snapshot(&l.base);
        if fault == "staging" {
            assert_eq!(r.outcome, RecoveryOutcome::RolledBack);
            assert_eq!(now, before, "{fault}");
        } else {
            assert_eq!(r.outcome, RecoveryOutcome::RolledForward);
            assert_eq!(now, after, "{fault}");
        }
        assert_eq!(recover(&l.journal, &root(&l.base)).expect("again"), None);
        assert_eq!(snapshot(&l.base), now);
    }
}

#[test]
fn errors_explain_themselves() {
    let io = CommitError::Io {
        path: PathBuf::from("out/main.tf"),
        action: "stage",
        source: io::Error::other("disk full"),
    };
    assert_eq!(io.to_string(), "cannot stage out/main.tf: disk full");
    let inc = CommitError::Incomplete {
        cause: Box::new(io),
        problems: vec!["out/a.tf: permission denied".to_owned()],
        journal: Some(PathBuf::from(".meridian/apply.journal")),
    };
    let msg = inc.to_string();
    assert!(msg.starts_with("cannot stage out/main.tf: disk full; undoing the changes also failed: out/a.tf: permission denied"), "{msg}");
    assert!(msg.contains("recovery will finish the job"), "{msg}");
    assert!(std::error::Error::source(&inc).is_some());
}

#[cfg(unix)]
#[test]
fn a_replaced_file_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("run.sh");
    fs::write(&script, "#!/bin/sh\n").expect("write");
    fs::set_permissions(&script, fs::Permissions::from_mode(0o750)).expect("chmod");
    commit(
        &root(dir.path()),
        &[FileChange::write("run.sh", "#!/bin/sh\necho hi\n")],
        CommitOptions::default(),
    )
    .expect("commit");
    let mode = fs::metadata(&script).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o750);
    assert_eq!(
        fs::read_to_string(&script).expect("read"),
        "#!/bin/sh\necho hi\n"
    );
}

/// A spec directory and a directory beside it that nothing may touch, holding `victim`.
#[cfg(unix)]
fn hostile_tree() -> (tempfile::TempDir, PathBuf, PathBuf, Snap) {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("spec");
    let outside = dir.path().join("outside");
    fs::create_dir_all(spec.join(".meridian")).expect("mkdir");
    fs::create_dir_all(&outside).expect("mkdir");
    fs::write(outside.join("victim"), "precious\n").expect("write");
    let before = snapshot(&outside);
    (dir, spec, outside, before)
}

#[cfg(unix)]
fn symlink(to: &Path, at: &Path) {
    std::os::unix::fs::symlink(to, at).expect("symlink");
}

#[cfg(unix)]
fn journaled(spec: &Path, changes: &[FileChange]) -> Result<CommitReport, CommitError> {
    let mut st = state_with(1, &[]);
    commit(
        &root(spec),
        changes,
        CommitOptions {
            journal: Some(&spec.join(".meridian/apply.journal")),
            state: Some((&spec.join(".meridian/state.json"), &mut st)),
            fault: None,
        },
    )
}

#[cfg(unix)]
#[test]
fn a_planted_link_at_a_staged_name_is_removed_not_written_through() {
    let (_d, spec, outside, before) = hostile_tree();
    symlink(&outside.join("victim"), &spec.join("main.tf.meridian-new"));
    symlink(
        &outside.join("victim"),
        &spec.join(".meridian/state.json.meridian-new"),
    );
    let report = journaled(&spec, &[FileChange::write("main.tf", "new\n")]).expect("commit");
    assert_eq!(snapshot(&outside), before, "nothing outside changed");
    assert_eq!(
        fs::read_to_string(spec.join("main.tf")).expect("read"),
        "new\n"
    );
    assert_eq!(report.stale_removed.len(), 2, "{:?}", report.stale_removed);
    assert!(!spec.join("main.tf.meridian-new").exists());
}

#[cfg(unix)]
#[test]
fn links_out_of_the_root_and_links_as_destinations_are_refused() {
    let (_d, spec, outside, before) = hostile_tree();
    symlink(&outside, &spec.join("generated"));
    symlink(&outside.join("victim"), &spec.join("main.tf"));
    for (change, why) in [
        (
            FileChange::write("generated/main.tf", "x"),
            "outside the directory written to",
        ),
        (FileChange::delete("generated/victim"), "outside"),
        (FileChange::write("main.tf", "x"), "symbolic link"),
        (FileChange::delete("main.tf"), "symbolic link"),
    ] {
        let e = journaled(&spec, &[change]).expect_err("refused");
        assert!(matches!(e, CommitError::InvalidChange { .. }), "{e:?}");
        assert!(e.to_string().contains(why), "{e}");
        assert_eq!(snapshot(&outside), before);
        assert!(!spec.join(".meridian/apply.journal").exists());
        assert!(!spec.join(".meridian/state.json").exists());
    }
}

#[cfg(unix)]
#[test]
fn a_linked_state_directory_is_refused() {
    let (_d, spec, outside, before) = hostile_tree();
    fs::remove_dir(spec.join(".meridian")).expect("rmdir");
    symlink(&outside, &spec.join(".meridian"));
    let e = journaled(&spec, &[FileChange::write("a.tf", "x")]).expect_err("refused");
    assert!(e.to_string().contains("is a symbolic link"), "{e}");
    assert_eq!(snapshot(&outside), before);
    assert!(!spec.join("a.tf").exists());
}

#[cfg(unix)]
#[test]
fn a_linked_state_file_is_never_read_or_written_through() {
    let (_d, spec, outside, before) = hostile_tree();
    symlink(&outside.join("victim"), &spec.join(".meridian/state.json"));
    let e = journaled(&spec, &[FileChange::write("a.tf", "x")]).expect_err("refused");
    assert!(e.to_string().contains("is a symbolic link"), "{e}");
    assert_eq!(snapshot(&outside), before);
    assert!(!spec.join("a.tf").exists());
}

#[cfg(unix)]
#[test]
fn a_planted_journal_temporary_file_is_not_written_through() {
    let (_d, spec, outside, before) = hostile_tree();
    symlink(
        &outside.join("victim"),
        &spec.join(".meridian/apply.journal.tmp"),
    );
    journaled(&spec, &[FileChange::write("a.tf", "x")]).expect("commit");
    assert_eq!(snapshot(&outside), before);
    assert_eq!(fs::read_to_string(spec.join("a.tf")).expect("read"), "x");
}

#[cfg(unix)]
#[test]
fn a_backup_without_its_file_is_never_thrown_away() {
    let (_d, spec, _outside, _) = hostile_tree();
    fs::write(spec.join("a.tf.meridian-old"), "the only copy\n").expect("write");
    let e = journaled(&spec, &[FileChange::write("a.tf", "x")]).expect_err("refused");
    assert!(e.to_string().contains("may be the only copy"), "{e}");
    assert_eq!(
        fs::read_to_string(spec.join("a.tf.meridian-old")).expect("kept"),
        "the only copy\n"
    );
    assert!(!spec.join("a.tf").exists());
    // Beside an existing file it is stale and goes.
    fs::write(spec.join("a.tf"), "old\n").expect("write");
    let r = journaled(&spec, &[FileChange::write("a.tf", "x")]).expect("commit");
    assert_eq!(r.stale_removed, vec![spec.join("a.tf.meridian-old")]);
}

#[cfg(unix)]
#[test]
fn a_hostile_journal_is_refused_before_anything_is_done() {
    let (_d, spec, outside, before) = hostile_tree();
    fs::write(spec.join("payload"), "payload\n").expect("write");
    let journal = spec.join(".meridian/apply.journal");
    let victim = outside.join("victim");
    let entry = |dest: &Path, staged: &Path| {
        serde_json::json!({
            "kind": "write",
            "dest": dest,
            "staged": staged,
            "backup": with_suffix(dest, BACKUP_SUFFIX),
            "existed": true,
        })
    };
    let cases = [
        // A destination outside the spec directory.
        entry(&victim, &with_suffix(&victim, STAGED_SUFFIX)),
        // A staged file that is not the destination's staged name.
        entry(&spec.join("a.tf"), &spec.join("payload")),
        // A destination in Meridian's own directory.
        entry(
            &spec.join(".meridian/state.lock"),
            &spec.join(".meridian/state.lock.meridian-new"),
        ),
    ];
    for e in cases {
        let doc = serde_json::json!({"format": 1, "phase": "commit", "entries": [e]});
        fs::write(&journal, serde_json::to_vec(&doc).expect("json")).expect("write");
        fs::write(with_suffix(&victim, STAGED_SUFFIX), "payload\n").expect("write");
        let err = recover(&journal, &root(&spec)).expect_err("refused");
        assert!(matches!(err, CommitError::Journal { .. }), "{err:?}");
        assert!(
            err.to_string()
                .contains("was not written by a Meridian commit"),
            "{err}"
        );
        fs::remove_file(with_suffix(&victim, STAGED_SUFFIX)).expect("rm");
        assert_eq!(snapshot(&outside), before);
        assert!(journal.exists(), "kept for inspection");
        assert!(spec.join("payload").exists());
    }
    // A state entry elsewhere than beside the journal.
    let doc = serde_json::json!({"format": 1, "phase": "commit", "entries": [{
        "kind": "state",
        "dest": victim,
        "staged": with_suffix(&victim, STAGED_SUFFIX),
        "backup": with_suffix(&victim, BACKUP_SUFFIX),
        "state_backup": with_suffix(&victim, ".backup"),
        "existed": true,
    }]});
    fs::write(&journal, serde_json::to_vec(&doc).expect("json")).expect("write");
    let err = recover(&journal, &root(&spec)).expect_err("refused");
    assert!(
        err.to_string()
            .contains("not a state file beside the journal"),
        "{err}"
    );
    assert_eq!(snapshot(&outside), before);
}

#[test]
fn a_failure_before_a_new_directory_is_made_rolls_back_cleanly() {
    // Staging fails on the first file (its staged name is longer than file systems allow),
    // before the second file's directory is made; undoing must not trip over that missing
    // directory.
    let dir = tempfile::tempdir().expect("tempdir");
    let long = "n".repeat(250);
    let e = commit(
        &root(dir.path()),
        &[
            FileChange::write(long.as_str(), "a"),
            FileChange::write("new/dir/b.txt", "b"),
        ],
        CommitOptions::default(),
    )
    .expect_err("fails");
    assert!(matches!(e, CommitError::Io { .. }), "{e}");
    assert!(snapshot(dir.path()).is_empty());
    assert!(!dir.path().join("new").exists());
}
