//! A branch controls the tree Meridian runs in: links, odd names, `.meridian/` contents, saved
//! plans. Each test here commits what an attacker would, runs the commands CI runs, and
//! checks the attack is refused: nothing outside the spec directory changes, and nothing of
//! Meridian's own (state, spec) is overwritten.
#![cfg(unix)]

#[path = "support/common.rs"]
mod common;

use common::{meridian_without_fault as meridian, repo, run};
use meridian_plan::file::PlanFile;
use std::collections::BTreeMap;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

/// A checkout: `spec/` (a copy of the eu-us-split example) and, beside it, `outside/` holding
/// `victim`, which no command may touch.
struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    fn new() -> Tree {
        let dir = tempfile::tempdir().expect("tempdir");
        let spec = dir.path().join("spec");
        std::fs::create_dir_all(&spec).expect("mkdir");
        for entry in std::fs::read_dir(repo().join("examples/eu-us-split")).expect("example") {
            let entry = entry.expect("entry");
            if entry.path().extension().is_some_and(|e| e == "hcl") {
                std::fs::copy(entry.path(), spec.join(entry.file_name())).expect("copy");
            }
        }
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(&outside).expect("mkdir");
        std::fs::write(outside.join("victim"), "precious\n").expect("write");
        Tree { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn spec(&self) -> PathBuf {
        self.root().join("spec")
    }

    fn outside(&self) -> PathBuf {
        self.root().join("outside")
    }

    fn victim(&self) -> PathBuf {
        self.outside().join("victim")
    }

    /// Every file under `outside/` and its content: must never change.
    fn outside_files(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        snapshot(&self.outside())
    }

    fn assert_outside_untouched(&self) {
        let files = self.outside_files();
        assert_eq!(
            files.keys().cloned().collect::<Vec<_>>(),
            [self.victim()],
            "only the victim lives outside"
        );
        assert_eq!(files[&self.victim()], b"precious\n");
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        run(meridian().current_dir(self.root()).args(args))
    }

    /// Runs each command line, checks it fails (exit 1) saying every one of `says`, and that
    /// nothing outside changed.
    fn refused(&self, commands: &[&[&str]], says: &[&str]) {
        for args in commands {
            let (code, out, err) = self.run(args);
            assert_eq!(code, 1, "{args:?}: {out}\n{err}");
            for s in says {
                assert!(err.contains(s), "{args:?}: expected {s:?} in: {err}");
            }
            self.assert_outside_untouched();
        }
    }
}

/// The commands that write artifacts.
const WRITERS: [&[&str]; 2] = [
    &["generate", "spec"],
    &["apply", "--auto-approve", "--refresh=false", "spec"],
];

fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let path = entry.expect("entry").path();
        let meta = std::fs::symlink_metadata(&path).expect("meta");
        if meta.is_dir() {
            out.extend(snapshot(&path));
        } else if meta.file_type().is_symlink() {
            out.insert(path.clone(), b"<link>".to_vec());
        } else {
            out.insert(path.clone(), std::fs::read(&path).expect("read"));
        }
    }
    out
}

fn apply(t: &Tree) {
    let (code, out, err) = t.run(&["apply", "--auto-approve", "--refresh=false", "spec"]);
    assert_eq!(code, 0, "{out}\n{err}");
}

#[test]
fn a_committed_link_out_of_the_spec_directory_is_never_written_through() {
    let t = Tree::new();
    symlink("../outside", t.spec().join("generated")).expect("symlink");
    t.refused(
        &[WRITERS[0], &["plan", "--refresh=false", "spec"], WRITERS[1]],
        &["MRD-EMIT-001", "outside the spec directory"],
    );
}

#[test]
fn a_committed_link_at_a_staging_name_is_removed_and_never_written_through() {
    let t = Tree::new();
    let tf = t.spec().join("generated/terraform");
    std::fs::create_dir_all(&tf).expect("mkdir");
    // A file a link points out at, under the name the next write stages to.
    symlink(t.victim(), tf.join("aws.tf.meridian-new")).expect("symlink");
    let (code, _, err) = t.run(&["generate", "spec"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("note: removed 1 file an interrupted run left behind"),
        "{err}"
    );
    t.assert_outside_untouched();
    assert!(!tf.join("aws.tf.meridian-new").exists());
    assert!(std::fs::read_to_string(tf.join("aws.tf"))
        .expect("written")
        .contains("resource"));
    // The same for apply, and for the state file staged in .meridian/.
    symlink(t.victim(), tf.join("gcp.tf.meridian-new")).expect("symlink");
    symlink(
        t.victim(),
        t.spec().join(".meridian/state.json.meridian-new"),
    )
    .expect("symlink");
    apply(&t);
    t.assert_outside_untouched();
}

#[test]
fn an_artifact_that_is_a_link_is_refused_before_it_is_read() {
    let t = Tree::new();
    let tf = t.spec().join("generated/terraform");
    std::fs::create_dir_all(&tf).expect("mkdir");
    symlink(t.victim(), tf.join("aws.tf")).expect("symlink");
    for args in [
        &["generate", "spec"][..],
        &["plan", "--refresh=false", "spec"],
        &["apply", "--auto-approve", "--refresh=false", "spec"],
    ] {
        let (code, out, err) = t.run(args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(
            err.contains("the spec would write where Meridian never writes"),
            "{err}"
        );
        assert!(err.contains("aws.tf: it is a symbolic link"), "{err}");
        // The plan never shows what the link points to.
        assert!(!out.contains("precious") && !err.contains("precious"));
        t.assert_outside_untouched();
    }
}

#[test]
fn links_in_meridians_own_directory_are_refused() {
    let t = Tree::new();
    let own = t.spec().join(".meridian");
    std::fs::create_dir_all(&own).expect("mkdir");
    for name in ["state.lock", "state.json", "apply.journal"] {
        symlink(t.victim(), own.join(name)).expect("symlink");
        t.refused(&[WRITERS[1]], &["is a symbolic link"]);
        std::fs::remove_file(own.join(name)).expect("rm");
    }
    // The directory itself a link out.
    std::fs::remove_dir(&own).expect("rmdir");
    symlink("../outside", &own).expect("symlink");
    t.refused(&WRITERS, &[".meridian is a symbolic link"]);
}

#[test]
fn a_committed_journal_listing_files_outside_is_refused() {
    let t = Tree::new();
    apply(&t);
    std::fs::write(t.spec().join("payload"), "payload\n").expect("write");
    std::fs::write(t.outside().join("victim.meridian-new"), "payload\n").expect("write");
    let victim = t.victim();
    let journal = serde_json::json!({
        "format": 1,
        "phase": "commit",
        "entries": [{
            "kind": "write",
            "dest": victim,
            "staged": t.outside().join("victim.meridian-new"),
            "backup": t.outside().join("victim.meridian-old"),
            "existed": true,
        }],
    });
    std::fs::write(
        t.spec().join(".meridian/apply.journal"),
        serde_json::to_vec(&journal).expect("json"),
    )
    .expect("write");
    let state_before = std::fs::read(t.spec().join(".meridian/state.json")).expect("state");
    let (code, _, err) = t.run(&["plan", "--refresh=false", "spec"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("was not written by a Meridian commit into"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(t.victim()).expect("victim"),
        b"precious\n",
        "the journal was not rolled forward"
    );
    assert!(t.outside().join("victim.meridian-new").exists());
    assert_eq!(
        std::fs::read(t.spec().join(".meridian/state.json")).expect("state"),
        state_before
    );
}

/// Rewrites the state with `edit` applied and a recomputed checksum (anyone can).
fn edit_state(t: &Tree, edit: impl FnOnce(&mut meridian_state::State)) {
    let path = t.spec().join(".meridian/state.json");
    let mut s = meridian_state::load(&path).expect("load").expect("state");
    edit(&mut s);
    std::fs::write(&path, s.to_file_bytes()).expect("write");
}

#[test]
fn a_state_that_records_a_file_outside_is_refused_rather_than_deleting_it() {
    let t = Tree::new();
    apply(&t);
    edit_state(&t, |s| {
        s.artifacts.insert(
            "../outside/victim".to_owned(),
            meridian_state::ArtifactRecord::of(b"precious\n"),
        );
    });
    let (code, _, err) = t.run(&["apply", "--auto-approve", "--refresh=false", "spec"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            "the artifact path \"../outside/victim\" is not a file inside the spec directory"
        ),
        "{err}"
    );
    t.assert_outside_untouched();
}

#[test]
fn the_serial_never_wraps() {
    let t = Tree::new();
    apply(&t);
    edit_state(&t, |s| s.serial = u64::MAX);
    let state_before = std::fs::read(t.spec().join(".meridian/state.json")).expect("state");
    common::edit(
        &t.spec(),
        "main.hcl",
        "cost_center = \"cc-3100\"",
        "cost_center = \"cc-3200\"",
    );
    let files_before = snapshot(&t.spec().join("generated"));
    let (code, _, err) = t.run(&["apply", "--auto-approve", "--refresh=false", "spec"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("the state's serial is 18446744073709551615, the largest a state can hold"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(t.spec().join(".meridian/state.json")).expect("state"),
        state_before
    );
    assert_eq!(snapshot(&t.spec().join("generated")), files_before);
}

#[test]
fn emit_paths_onto_meridians_own_files_are_located_errors() {
    let t = Tree::new();
    apply(&t);
    let state_before = std::fs::read(t.spec().join(".meridian/state.json")).expect("state");
    for (from, to) in [
        ("path = \"generated/terraform\"", "path = \".meridian\""),
        (
            "path = \"generated/router/litellm.yaml\"",
            "path = \"main.hcl\"",
        ),
    ] {
        // The diagnostic points at the path's value: line and column of its opening quote.
        let text = std::fs::read_to_string(t.spec().join("main.hcl")).expect("spec");
        let (line, col) = text
            .lines()
            .enumerate()
            .find_map(|(i, l)| l.find(from).map(|c| (i + 1, c + "path = ".len() + 1)))
            .expect("emit path in the spec");
        let at = format!("main.hcl:{line}:{col}");
        let at = at.as_str();
        common::edit(&t.spec(), "main.hcl", from, to);
        for args in [
            &["generate", "spec"][..],
            &["apply", "--auto-approve", "--refresh=false", "spec"],
        ] {
            let (code, _, err) = t.run(args);
            assert_eq!(code, 1, "{err}");
            assert!(err.contains("error[MRD-EMIT-003]"), "{err}");
            assert!(err.contains(at), "{at}: {err}");
        }
        common::edit(&t.spec(), "main.hcl", to, from);
    }
    assert_eq!(
        std::fs::read(t.spec().join(".meridian/state.json")).expect("state"),
        state_before
    );
    // The plan file being written may not be an artifact either.
    let (code, _, err) = t.run(&[
        "plan",
        "--refresh=false",
        "-out",
        "spec/generated/router/litellm.yaml",
        "spec",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("is the plan file being written"), "{err}");
    let text = std::fs::read_to_string(t.spec().join("main.hcl")).expect("spec");
    let line = text
        .lines()
        .position(|l| l.contains("path = \"generated/router/litellm.yaml\""))
        .expect("litellm emit path")
        + 1;
    assert!(err.contains(&format!("main.hcl:{line}:10")), "{err}");
}

#[test]
fn a_plan_file_never_replaces_meridians_own_files_or_goes_through_a_link() {
    let t = Tree::new();
    apply(&t);
    let spec_before = snapshot(&t.spec());
    for target in [
        "spec/.meridian/state.json",
        "spec/.meridian/apply.journal",
        "spec/main.hcl",
    ] {
        let (code, _, err) = t.run(&["plan", "--refresh=false", "-out", target, "spec"]);
        assert_eq!(code, 1, "{target}: {err}");
        assert!(err.contains("refusing to write"), "{err}");
        assert_eq!(snapshot(&t.spec()), spec_before, "{target}");
    }
    // Run from the spec directory (as CI does from a checkout): a directory on the way that
    // links out of the working directory, and a link as the file itself.
    symlink("../outside", t.spec().join("out")).expect("symlink");
    symlink("../outside/victim", t.spec().join("plan.json")).expect("symlink");
    for target in ["out/plan.json", "plan.json"] {
        let (code, _, err) = run(meridian().current_dir(t.spec()).args([
            "plan",
            "--refresh=false",
            "-out",
            target,
            ".",
        ]));
        assert_eq!(code, 1, "{target}: {err}");
        assert!(err.contains("refusing to write"), "{target}: {err}");
        t.assert_outside_untouched();
    }
    // A directory the user chose by climbing out is the user's choice.
    let (code, _, err) = run(meridian().current_dir(t.spec()).args([
        "plan",
        "--refresh=false",
        "-out",
        "../plan.json",
        ".",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(PlanFile::load(&t.root().join("plan.json")).is_ok());
}

/// Makes a plan in `t` (after a change to the spec) and returns the path of the plan file.
fn saved_plan(t: &Tree) -> PathBuf {
    common::edit(
        &t.spec(),
        "main.hcl",
        "cost_center = \"cc-3100\"",
        "cost_center = \"cc-3200\"",
    );
    let (code, out, err) = t.run(&["plan", "--refresh=false", "-out", "plan.json", "spec"]);
    assert_eq!(code, 0, "{out}\n{err}");
    t.root().join("plan.json")
}

/// Rewrites the plan file with `edit` applied and its checksum recomputed, as anyone can.
fn edit_plan(path: &Path, edit: impl FnOnce(&mut meridian_plan::Plan)) {
    let file = PlanFile::load(path).expect("load");
    let mut plan = file.plan.clone();
    edit(&mut plan);
    let edited = PlanFile::new(plan, &file.spec_path, file.created.clone());
    std::fs::write(path, serde_json::to_vec(&edited).expect("json")).expect("write");
    assert!(PlanFile::load(path).is_ok(), "the checksum passes");
}

#[test]
fn a_hand_edited_plan_with_paths_out_of_the_spec_directory_is_refused() {
    let t = Tree::new();
    apply(&t);
    let plan = saved_plan(&t);
    edit_plan(&plan, |p| {
        let a = p
            .artifact_changes
            .iter_mut()
            .find(|a| a.content.is_some())
            .expect("a file to write");
        a.path = "../outside/victim".into();
    });
    let spec_before = snapshot(&t.spec());
    let (code, _, err) = t.run(&["apply", "plan.json"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("was not written by Meridian, or was edited after"),
        "{err}"
    );
    assert!(
        err.contains("the file \"../outside/victim\" is not a path inside the spec directory"),
        "{err}"
    );
    t.assert_outside_untouched();
    assert_eq!(snapshot(&t.spec()), spec_before);
}

#[test]
fn a_hand_edited_plan_that_is_well_formed_but_not_the_specs_is_refused() {
    let t = Tree::new();
    apply(&t);
    let plan = saved_plan(&t);
    // Other content for a file the plan writes, with its hashes recomputed; and a resource
    // recorded with a tag the spec does not give.
    edit_plan(&plan, |p| {
        let a = p
            .artifact_changes
            .iter_mut()
            .find(|a| a.content.is_some())
            .expect("a file to write");
        let content = "# replaced\n".to_string();
        a.after_sha256 = Some(meridian_plan::sha256(content.as_bytes()));
        a.content = Some(content);
        if let Some(after) = p.resource_changes[0].after.as_mut() {
            after.tags.insert("owner".into(), "mallory".into());
        }
    });
    let spec_before = snapshot(&t.spec());
    let (code, _, err) = t.run(&["apply", "plan.json"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("does not match the spec it names"), "{err}");
    assert!(err.contains("otherwise than the spec declares it"), "{err}");
    assert!(err.contains("the spec gives sha256:"), "{err}");
    assert_eq!(snapshot(&t.spec()), spec_before);
    // The plan as made applies.
    let plan = saved_plan_again(&t);
    let (code, out, err) = t.run(&["apply", plan.to_str().expect("utf-8")]);
    assert_eq!(code, 0, "{out}\n{err}");
}

/// A fresh plan of the spec as it is (after [`saved_plan`] changed it).
fn saved_plan_again(t: &Tree) -> PathBuf {
    let (code, out, err) = t.run(&["plan", "--refresh=false", "-out", "plan2.json", "spec"]);
    assert_eq!(code, 0, "{out}\n{err}");
    t.root().join("plan2.json")
}

#[test]
fn a_plan_applied_with_other_variables_is_refused() {
    let t = Tree::new();
    apply(&t);
    let _ = saved_plan(&t);
    let (code, _, err) = t.run(&["apply", "-var", "environment=staging", "plan.json"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("does not match the spec it names"), "{err}");
    assert!(err.contains("made with other variables"), "{err}");
}

/// Every generated file that mentions one of `tokens`, with the token it mentions.
fn tokens_in(dir: &Path, tokens: &[&str]) -> BTreeMap<PathBuf, Vec<String>> {
    snapshot(dir)
        .into_iter()
        .filter_map(|(p, bytes)| {
            let text = String::from_utf8_lossy(&bytes);
            let found: Vec<String> = tokens
                .iter()
                .filter(|t| text.contains(*t))
                .map(|t| (*t).to_string())
                .collect();
            (!found.is_empty()).then_some((p, found))
        })
        .collect()
}

#[test]
fn generate_waits_for_or_names_the_holder_of_the_state_lock() {
    let t = Tree::new();
    let lock_path = t.spec().join(".meridian/state.lock");
    std::fs::create_dir_all(lock_path.parent().expect("parent")).expect("mkdir");
    // This test process holds the lock, as a running apply would.
    let holder = meridian_state::Lock::acquire(
        &lock_path,
        meridian_state::LockInfo::new("apply", "test"),
        std::time::Duration::ZERO,
    )
    .expect("lock");
    let (code, _, err) = t.run(&["generate", "spec"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!(
            "the state is locked by ID {} (operation apply",
            holder.info().id
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("pid {})", std::process::id())),
        "{err}"
    );
    assert!(!t.spec().join("generated").exists(), "nothing written");
    // With a timeout it waits for the holder, then writes.
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(500));
        drop(holder);
    });
    let (code, _, err) = t.run(&["generate", "-lock-timeout=20s", "spec"]);
    release.join().expect("join");
    assert_eq!(code, 0, "{err}");
    assert!(t.spec().join("generated/terraform/aws.tf").exists());
}

#[test]
fn two_concurrent_generates_never_mix_their_files() {
    let t = Tree::new();
    let tokens = ["alphaenv", "betaenv"];
    for round in 0..4 {
        // Two processes at once, each writing its own variable into every file.
        let spawn = |env: &str, wait: bool| {
            let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_meridian"));
            c.current_dir(t.root())
                .env("CI", "true")
                .arg("generate")
                .args(["-var", &format!("environment={env}")]);
            if wait {
                c.arg("-lock-timeout=60s");
            }
            c.arg("spec")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        };
        let wait = round % 2 == 0;
        let a = spawn(tokens[0], wait);
        let b = spawn(tokens[1], wait);
        let outcomes: Vec<(i32, String)> = [a, b]
            .into_iter()
            .map(|child| {
                let o = child.wait_with_output().expect("wait");
                (
                    o.status.code().unwrap_or(-1),
                    String::from_utf8_lossy(&o.stderr).into_owned(),
                )
            })
            .collect();
        for (code, err) in &outcomes {
            if wait {
                assert_eq!(*code, 0, "round {round}: {err}");
            } else {
                // The loser may find the lock before its holder has written who it is.
                assert!(
                    *code == 0
                        || (*code == 1
                            && (err.contains("the state is locked by ID")
                                && err.contains("operation generate")
                                || err.contains("it has not yet written its details"))),
                    "round {round}: {code}: {err}"
                );
            }
        }
        assert!(outcomes.iter().any(|(c, _)| *c == 0), "one run wrote");
        // Every file that carries a variable carries the same one: one run's files, whole.
        let found = tokens_in(&t.spec().join("generated"), &tokens);
        let seen: std::collections::BTreeSet<&String> = found.values().flatten().collect();
        assert_eq!(seen.len(), 1, "round {round}: mixed files: {found:?}");
        assert_eq!(found.len(), 5, "round {round}: {found:?}");
        let leftovers: Vec<PathBuf> = snapshot(&t.spec())
            .into_keys()
            .filter(|p| p.to_string_lossy().contains(".meridian-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

#[test]
fn a_killed_generates_staging_files_are_cleaned_by_the_next_run() {
    let t = Tree::new();
    let (code, _, err) = t.run(&["generate", "spec"]);
    assert_eq!(code, 0, "{err}");
    // What a generate killed between staging and swapping leaves: staged files beside their
    // destinations, and a backup beside one already swapped.
    let tf = t.spec().join("generated/terraform");
    std::fs::write(tf.join("aws.tf.meridian-new"), "half").expect("write");
    std::fs::write(tf.join("gcp.tf.meridian-new"), "half").expect("write");
    std::fs::copy(tf.join("azure.tf"), tf.join("azure.tf.meridian-old")).expect("copy");
    let (code, out, err) = t.run(&["generate", "--json", "spec"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("note: removed 3 files an interrupted run left behind:"),
        "{err}"
    );
    let summary: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        summary["stale_removed"].as_array().map(Vec::len),
        Some(3),
        "{summary}"
    );
    assert!(err.contains("aws.tf.meridian-new"), "{err}");
    let left: Vec<PathBuf> = snapshot(&t.spec())
        .into_keys()
        .filter(|p| p.to_string_lossy().contains(".meridian-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn fmt_report_and_init_never_write_through_a_link_or_over_the_state() {
    let t = Tree::new();
    apply(&t);
    // A spec file that links out: fmt refuses to rewrite it.
    let elsewhere = t.root().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    let linked = elsewhere.join("linked.hcl");
    std::fs::write(&linked, "variable \"x\" {\ndefault=1\n}\n").expect("write");
    symlink(&linked, t.spec().join("extra.hcl")).expect("symlink");
    let (code, _, err) = t.run(&["fmt", "spec"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("extra.hcl: it is a symbolic link"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&linked).expect("read"),
        "variable \"x\" {\ndefault=1\n}\n"
    );
    std::fs::remove_file(t.spec().join("extra.hcl")).expect("rm");
    // report --out onto the state or a spec file.
    let state_before = std::fs::read(t.spec().join(".meridian/state.json")).expect("state");
    for target in ["spec/.meridian/state.json", "spec/main.hcl"] {
        let (code, _, err) = t.run(&["report", "--format", "json", "--out", target, "spec"]);
        assert_eq!(code, 1, "{target}: {err}");
        assert!(err.contains("refusing to write"), "{target}: {err}");
    }
    assert_eq!(
        std::fs::read(t.spec().join(".meridian/state.json")).expect("state"),
        state_before
    );
    // init over a main.hcl that is a link, even with --force.
    let fresh = t.root().join("fresh");
    std::fs::create_dir_all(&fresh).expect("mkdir");
    symlink(t.victim(), fresh.join("main.hcl")).expect("symlink");
    let (code, _, err) = t.run(&["init", "--force", "fresh"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("it is a symbolic link"), "{err}");
    t.assert_outside_untouched();
}

#[test]
fn generate_elsewhere_first_finishes_an_interrupted_apply_of_the_spec_directory() {
    let t = Tree::new();
    // An apply that crashes after swapping one file in leaves its journal.
    let (code, _, _) = run(meridian()
        .current_dir(t.root())
        .env("MERIDIAN_TEST_FAULT", "abort-after-swaps:1")
        .args(["apply", "--auto-approve", "--refresh=false", "spec"]));
    assert_ne!(code, 0);
    assert!(t.spec().join(".meridian/apply.journal").exists());
    let (code, _, err) = t.run(&["generate", "--out", "build", "spec"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("note: an earlier apply was interrupted"),
        "{err}"
    );
    assert!(!t.spec().join(".meridian/apply.journal").exists());
    assert!(t.root().join("build/generated/terraform/aws.tf").exists());
    t.assert_outside_untouched();
}
