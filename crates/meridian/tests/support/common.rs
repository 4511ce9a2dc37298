//! Helpers shared by the integration tests of the `meridian` binary: the command as the tests
//! run it, its exit code and output, the repository root, and copies of the bundled examples.
//!
//! Each test file includes this module with `#[path = "support/common.rs"] mod common;`, and
//! not every file uses every helper.
#![allow(dead_code)]

use assert_cmd::Command;
use meridian_model::Date;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// What the interop tests say when a tool they need is not installed.
pub const MISSING: &str = "interop tools missing: run bash tests/interop/setup.sh";

/// The workspace root, as `CARGO_MANIFEST_DIR/../..`.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The workspace root without `..` components (as given when it cannot be canonicalized).
pub fn canonical_repo() -> PathBuf {
    let root = repo();
    root.canonicalize().unwrap_or(root)
}

/// The binary with `CI=true` and otherwise the test's own environment.
pub fn binary() -> Command {
    let mut c = Command::cargo_bin("meridian").expect("binary");
    c.env("CI", "true");
    c
}

/// Removes from `c` every variable of the test's environment whose name matches.
pub fn remove_vars(c: &mut Command, matches: impl Fn(&str) -> bool) -> &mut Command {
    for (k, _) in std::env::vars() {
        if matches(&k) {
            c.env_remove(k);
        }
    }
    c
}

/// Removes every `MERIDIAN_*` variable and cloud credential (`AWS_*`, `AZURE_*`, `GOOGLE_*`) of
/// the test's environment from `c`, so only what a test sets reaches the clouds.
pub fn without_cloud_env(c: &mut Command) -> &mut Command {
    remove_vars(c, |k| {
        ["MERIDIAN_", "AWS_", "AZURE_", "GOOGLE_"]
            .iter()
            .any(|p| k.starts_with(p))
    })
}

/// `meridian` as the tests run it: `CI=true`, no `NO_COLOR` and no `MERIDIAN_VAR_*` variables
/// from the test's environment, and dates judged as of [`fixture_day`] (`MERIDIAN_TODAY`), so
/// that retirement, deprecation and catalog-age findings do not drift with the clock.
pub fn meridian() -> Command {
    let mut c = binary();
    c.env_remove("NO_COLOR");
    remove_vars(&mut c, |k| k.starts_with("MERIDIAN_VAR_"));
    c.env("MERIDIAN_TODAY", fixture_day().to_string());
    c
}

/// [`meridian`], also without an inherited `MERIDIAN_TEST_FAULT`.
pub fn meridian_without_fault() -> Command {
    let mut c = meridian();
    c.env_remove("MERIDIAN_TEST_FAULT");
    c
}

/// Runs the command: (exit code, or -1 when killed by a signal; stdout; stderr).
pub fn run(c: &mut Command) -> (i32, String, String) {
    let o = c.output().expect("run");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A copy of a bundled example's spec files (`examples/NAME/*.hcl`) in a temporary directory.
pub fn example(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(repo().join("examples").join(name)).expect("example") {
        let entry = entry.expect("entry");
        if entry.path().extension().is_some_and(|e| e == "hcl") {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copy");
        }
    }
    dir
}

/// The spec directories under `ROOT/examples` (those holding `*.hcl` files), sorted; never
/// empty.
pub fn example_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("examples"))
        .expect("examples/")
        .filter_map(Result::ok)
        .map(|e| e.path())
        // A spec directory holds *.hcl files (examples/ci/ holds CI pipelines).
        .filter(|p| {
            std::fs::read_dir(p).is_ok_and(|entries| {
                entries
                    .filter_map(Result::ok)
                    .any(|e| e.path().extension().is_some_and(|x| x == "hcl"))
            })
        })
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no examples");
    dirs
}

/// The files directly in `dir` whose name ends in `.EXT`, sorted.
pub fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    files.sort();
    files
}

/// The `*.hcl` files directly in `dir`, sorted.
pub fn hcl_files(dir: &Path) -> Vec<PathBuf> {
    files_with_extension(dir, "hcl")
}

/// Replaces the one occurrence of `from` in `DIR/FILE` with `to`.
pub fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("read");
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} must occur once in {file}"
    );
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

/// The state file of a spec directory, parsed.
pub fn state(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join(".meridian/state.json")).expect("state");
    serde_json::from_str(&text).expect("state json")
}

/// The day specs are validated on, so retirement findings do not drift with the clock.
pub fn fixture_day() -> Date {
    Date::parse("2026-11-25").expect("date")
}

/// Whether two amounts are equal to within 1e-6.
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}
