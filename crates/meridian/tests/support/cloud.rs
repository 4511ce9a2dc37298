//! `meridian` against the fake cloud: the command without any cloud variable of the test's
//! environment, or pointed at a [`FakeCloud`] with its credentials. Include it beside
//! `common.rs` (`#[path = "support/cloud.rs"] mod cloud;`).
#![allow(dead_code)]

use crate::common::{binary, example, run, without_cloud_env};
use assert_cmd::Command;
use meridian_fakecloud::{FakeCloud, Fixture};
use std::path::Path;

/// `meridian` without any `MERIDIAN_*` or cloud credential variable of the test's environment.
pub fn bare() -> Command {
    let mut c = binary();
    without_cloud_env(&mut c);
    c
}

/// `meridian` pointed at `cloud` (its APIs, token endpoints and metadata services) with its
/// credentials and quick retries, and a home directory without cloud files.
pub fn against(cloud: &FakeCloud) -> Command {
    let mut c = bare();
    c.envs(cloud.env_vars())
        .env("HOME", "/nonexistent")
        .env("MERIDIAN_RETRY_BACKOFF", "10ms")
        .env("MERIDIAN_REQUEST_TIMEOUT", "3s");
    c
}

/// Applies `dir` without reading the clouds (nothing exists yet); panics on failure.
pub fn apply_offline(dir: &Path) -> String {
    let (code, out, err) = run(bare()
        .args(["apply", "--auto-approve", "--refresh=false"])
        .arg(dir));
    assert_eq!(code, 0, "{out}\n{err}");
    out
}

/// The state of a spec directory, loaded and checked.
pub fn load_state(dir: &Path) -> meridian_state::State {
    meridian_state::load(&dir.join(".meridian/state.json"))
        .expect("state loads")
        .expect("there is a state")
}

/// A copy of the example `name`, applied offline, and a fake cloud holding exactly what
/// that apply wrote (as if the generated IaC had run), with the AWS account `aws_account`
/// and pages of `page_size` items.
pub fn applied_and_rolled_out(
    name: &str,
    aws_account: &str,
    page_size: usize,
) -> (tempfile::TempDir, FakeCloud) {
    let dir = example(name);
    apply_offline(dir.path());
    let fixture =
        Fixture::from_state(&load_state(dir.path()), Some(aws_account)).with_page_size(page_size);
    let cloud = FakeCloud::start(fixture).expect("fake cloud");
    (dir, cloud)
}
