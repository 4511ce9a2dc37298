//! The command reference (`docs/cli.md` and `docs/man/*.1`) is what this build generates from
//! its command definitions, `meridian docs cli` writes it, and the JSON keys it documents for
//! each `--json` are the keys the commands print.
//!
//! Regenerate the committed files with `cargo run -p meridian -- docs cli --out-dir docs`, or
//! `MERIDIAN_BLESS=1 cargo test -p meridian --test cli_reference`.

#[path = "support/common.rs"]
mod common;

use clap::CommandFactory;
use common::{binary, example, meridian, repo, run, without_cloud_env};
use meridian::cli::Cli;
use meridian_fakecloud::{FakeCloud, Fixture};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

#[test]
fn the_committed_reference_and_man_pages_are_current() {
    let docs = repo().join("docs");
    if std::env::var_os("MERIDIAN_BLESS").is_some() {
        let (code, _, err) = run(meridian().args(["docs", "cli", "--out-dir"]).arg(&docs));
        assert_eq!(code, 0, "{err}");
    }
    let files = meridian::docs::files().expect("the reference renders");
    assert!(files.len() > 20, "{} files", files.len());
    let mut stale: Vec<String> = files
        .iter()
        .filter(|(rel, text)| std::fs::read(docs.join(rel)).ok().as_ref() != Some(text))
        .map(|(rel, _)| rel.display().to_string())
        .collect();
    stale.extend(
        meridian::docs::stale_man_pages(&docs, &files)
            .iter()
            .map(|p| format!("{} (a command that no longer exists)", p.display())),
    );
    assert!(
        stale.is_empty(),
        "docs/ is out of date: {}. Regenerate with `cargo run -p meridian -- docs cli --out-dir docs` \
         or `MERIDIAN_BLESS=1 cargo test -p meridian --test cli_reference`.",
        stale.join(", ")
    );
}

#[test]
fn docs_cli_prints_the_markdown_and_writes_every_page_removing_stale_ones() {
    let (code, out, _) = run(meridian().args(["docs", "cli"]));
    assert_eq!(code, 0);
    assert_eq!(out, meridian::docs::markdown());
    for heading in [
        "## meridian plan",
        "## meridian catalog verify",
        "## Conventions",
    ] {
        assert!(out.contains(heading), "{heading}");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("man")).expect("mkdir");
    std::fs::write(dir.path().join("man/meridian-gone.1"), "old").expect("write");
    std::fs::write(dir.path().join("man/other.1"), "not ours").expect("write");
    let (code, out, err) = run(meridian()
        .args(["docs", "cli", "--out-dir"])
        .arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("removed"), "{out}");
    assert!(!dir.path().join("man/meridian-gone.1").exists());
    assert!(dir.path().join("man/other.1").exists());
    let page = std::fs::read_to_string(dir.path().join("man/meridian-plan.1")).expect("page");
    assert!(page.contains(".TH meridian-plan 1"), "{page}");
    assert!(page.contains("detailed\\-exitcode"), "{page}");
    // A second run changes nothing.
    let (_, out, _) = run(meridian()
        .args(["docs", "cli", "--out-dir"])
        .arg(dir.path()));
    assert!(out.contains("0 files written, 0 removed"), "{out}");
}

/// The keys a command's `--json` help lists after `label` (parenthesised details left out).
fn documented(path: &[&str], label: &str) -> BTreeSet<String> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut cmd = &cmd;
    for name in path {
        cmd = cmd.find_subcommand(name).expect("subcommand");
    }
    let arg = cmd
        .get_arguments()
        .find(|a| a.get_id() == "json")
        .expect("--json");
    let help = arg.get_long_help().expect("long help").to_string();
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    let (_, after) = help
        .split_once(label)
        .unwrap_or_else(|| panic!("{path:?}: no \"{label}\" in {help}"));
    let mut text = after;
    for end in [" Keys ", " When "] {
        if let Some((before, _)) = text.split_once(end) {
            text = before;
        }
    }
    let mut depth = 0usize;
    let plain: String = text
        .chars()
        .filter(|c| {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ => return depth == 0,
            }
            false
        })
        .collect();
    plain
        .split('`')
        .skip(1)
        .step_by(2)
        .map(ToString::to_string)
        .collect()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().expect("an object").keys().cloned().collect()
}

fn json_of(c: &mut assert_cmd::Command) -> Value {
    let (code, out, err) = run(c);
    assert!(code == 0 || code == 1, "{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"))
}

#[test]
fn the_json_keys_the_reference_documents_are_the_keys_printed() {
    let dir = example("eu-bank");
    let d = dir.path();
    let spec = |args: &[&str]| {
        let mut c = meridian();
        c.args(args).arg(d);
        c
    };
    let out_dir = tempfile::tempdir().expect("tempdir");
    let plan_file = d.join("plan.json");
    let (code, _, err) =
        run(spec(&["plan", "--refresh=false", "-out", "plan.json"]).current_dir(d));
    assert_eq!(code, 0, "{err}");
    let out_path = out_dir.path().display().to_string();
    let tf_state = d.join("tf.json");
    let tf_path = tf_state.display().to_string();
    std::fs::write(
        &tf_state,
        r#"{"format_version":"1.0","terraform_version":"1.9.0","values":{"root_module":{}}}"#,
    )
    .expect("write");

    let cases: Vec<(&[&str], Value)> = vec![
        (&["validate"], json_of(&mut spec(&["validate", "--json"]))),
        (&["inspect"], json_of(&mut spec(&["inspect", "--json"]))),
        (
            &["generate"],
            json_of(&mut spec(&["generate", "--json", "--out", &out_path])),
        ),
        (
            &["plan"],
            json_of(&mut spec(&["plan", "--json", "--refresh=false"])),
        ),
        (
            &["simulate"],
            json_of(&mut spec(&["simulate", "--json", "--fail", "azure"])),
        ),
        (
            &["import"],
            json_of(&mut spec(&[
                "import",
                "--json",
                "--terraform-state",
                &tf_path,
            ])),
        ),
        (
            &["catalog", "show"],
            json_of(meridian().args(["catalog", "show", "gpt-5.1", "--json"])),
        ),
        (
            &["catalog", "where"],
            json_of(meridian().args([
                "catalog",
                "where",
                "gpt-5.1",
                "--geography",
                "eu",
                "--json",
            ])),
        ),
    ];
    for (path, value) in &cases {
        assert_eq!(
            keys(value),
            documented(path, "Keys:"),
            "meridian {}",
            path.join(" ")
        );
    }
    // `show` prints what `plan` does.
    let shown = json_of(meridian().args(["show", "--json"]).arg(&plan_file));
    assert_eq!(keys(&shown), documented(&["plan"], "Keys:"));
    // With --all-single-failures, the same document.
    let all = json_of(&mut spec(&["simulate", "--json", "--all-single-failures"]));
    assert_eq!(keys(&all), documented(&["simulate"], "Keys:"));
    // Listings: every element has only documented keys, and together all of them.
    for (list, label) in [
        ("models", "Keys of a model:"),
        ("regions", "Keys of a region:"),
    ] {
        let v = json_of(meridian().args(["catalog", list, "--json"]));
        let want = documented(&["catalog", list], label);
        let mut union = BTreeSet::new();
        for item in v.as_array().expect("an array") {
            let k = keys(item);
            assert!(k.is_subset(&want), "catalog {list}: {k:?} not in {want:?}");
            union.extend(k);
        }
        assert_eq!(union, want, "catalog {list}");
    }
    refresh_keys(d);
}

/// `meridian refresh --json` against the fake cloud holding what an apply recorded.
fn refresh_keys(dir: &Path) {
    let mut c = binary();
    without_cloud_env(&mut c);
    let (code, _, err) = run(c
        .args(["apply", "--auto-approve", "--refresh=false"])
        .arg(dir));
    assert_eq!(code, 0, "{err}");
    let state = meridian_state::load(&dir.join(".meridian/state.json"))
        .expect("state loads")
        .expect("state");
    let cloud = FakeCloud::start(Fixture::from_state(&state, Some("418295730641"))).expect("cloud");
    let mut c = binary();
    without_cloud_env(&mut c);
    let v = json_of(
        c.envs(cloud.env_vars())
            .env("HOME", "/nonexistent")
            .args(["refresh", "--json"])
            .arg(dir),
    );
    assert_eq!(keys(&v), documented(&["refresh"], "Keys:"));
}
