//! Reading live provider state: the refresh that `plan` and `apply` run first, and
//! `meridian refresh`, which records what it read in state.

use super::plan::{lock_and_load_printing, write_root, StatePaths};
use super::{build_graph, plural, print_json, valid_project};
use crate::driver;
use crate::exit;
use crate::output::Output;
use meridian_plan::{Drift, DriftKind, PendingRollout, Unmanaged};
use meridian_refresh::{
    reconcile, Cloud, Credentials, Observation, Options, Progress, ProviderScope, Reconciled,
};
use meridian_spec::Inputs;
use meridian_state::State;
use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// How a refresh runs: from the command line, and the environment for the rest.
#[derive(Debug, Clone)]
pub struct RefreshSettings {
    pub parallelism: usize,
    /// Print the source of each cloud's credentials (`-v`).
    pub verbose: bool,
}

/// The refresh options: `--parallelism`, and from the environment `MERIDIAN_REQUEST_TIMEOUT`
/// (each request, default 30s), `MERIDIAN_REFRESH_DEADLINE` (the whole refresh, default
/// 10m), `MERIDIAN_REFRESH_ATTEMPTS` (tries per request, default 5) and
/// `MERIDIAN_RETRY_BACKOFF` (the first retry's backoff, doubled per retry, default 500ms).
pub fn options(settings: &RefreshSettings) -> Result<Options, String> {
    let mut o = Options {
        parallelism: settings.parallelism.max(1),
        ..Options::default()
    };
    let duration = |name: &str| -> Result<Option<Duration>, String> {
        match std::env::var(name) {
            Ok(v) if !v.trim().is_empty() => meridian_state::parse_duration(v.trim())
                .map(Some)
                .map_err(|e| format!("{name}: {e}")),
            _ => Ok(None),
        }
    };
    if let Some(d) = duration("MERIDIAN_REQUEST_TIMEOUT")? {
        o.request_timeout = d;
    }
    if let Some(d) = duration("MERIDIAN_REFRESH_DEADLINE")? {
        o.deadline = d;
    }
    if let Some(d) = duration("MERIDIAN_RETRY_BACKOFF")? {
        o.backoff_base = d;
    }
    if let Ok(v) = std::env::var("MERIDIAN_REFRESH_ATTEMPTS") {
        o.max_attempts = v
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                format!(
                    "MERIDIAN_REFRESH_ATTEMPTS: expected a whole number of at least 1, got \"{v}\""
                )
            })?;
    }
    Ok(o)
}

/// Per-provider progress, kept by the refresh's threads and drawn by the command's.
#[derive(Default)]
struct Board {
    rows: Mutex<BTreeMap<String, Row>>,
}

#[derive(Default, Clone)]
struct Row {
    total: usize,
    done: usize,
    what: String,
    finished: Option<bool>,
}

impl Board {
    fn with<F: FnOnce(&mut Row)>(&self, provider: &str, f: F) {
        if let Ok(mut rows) = self.rows.lock() {
            f(rows.entry(provider.to_string()).or_default());
        }
    }

    fn snapshot(&self) -> Vec<(String, Row)> {
        self.rows
            .lock()
            .map(|rows| rows.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    }
}

impl Progress for Board {
    fn add(&self, provider: &str, n: usize) {
        self.with(provider, |r| r.total += n);
    }
    fn done(&self, provider: &str, what: &str) {
        self.with(provider, |r| {
            r.done += 1;
            what.clone_into(&mut r.what);
        });
    }
    fn finished(&self, provider: &str, ok: bool) {
        self.with(provider, |r| r.finished = Some(ok));
    }
}

/// One bar per provider, redrawn in place.
fn draw(rows: &[(String, Row)], drawn: usize) -> String {
    const WIDTH: usize = 24;
    let mut s = String::new();
    if drawn > 0 {
        s.push_str(&format!("\x1b[{drawn}F"));
    }
    let name_width = rows.iter().map(|(p, _)| p.len()).max().unwrap_or(0);
    for (provider, r) in rows {
        let total = r.total.max(r.done).max(1);
        let filled = (r.done * WIDTH) / total;
        let state = match r.finished {
            Some(true) => "done".to_string(),
            Some(false) => "failed".to_string(),
            None => r.what.chars().take(60).collect(),
        };
        s.push_str(&format!(
            "\x1b[2K  {provider:<name_width$} [{}{}] {:>4}/{:<4} {state}\n",
            "#".repeat(filled),
            "-".repeat(WIDTH - filled),
            r.done,
            r.total.max(r.done),
        ));
    }
    s
}

/// Whether progress bars are drawn: stderr is a terminal and this is not CI.
fn bars_enabled() -> bool {
    std::io::stderr().is_terminal() && std::env::var("CI").map_or(true, |v| v != "true")
}

/// Runs `work` on another thread; on a terminal (and not in CI), meanwhile draws a bar per
/// provider on stderr under `heading`, from the progress `work` reports.
pub(super) fn with_progress<T: Send>(
    out: &mut Output<'_>,
    heading: &str,
    work: impl FnOnce(&dyn Progress) -> T + Send,
) -> T {
    let board = Board::default();
    let bars = bars_enabled();
    let finished = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let r = work(&board);
            finished.store(true, Ordering::Release);
            r
        });
        let mut drawn = 0;
        if bars {
            let _ = writeln!(out.err, "{heading}");
            while !finished.load(Ordering::Acquire) {
                std::thread::sleep(Duration::from_millis(80));
                let rows = board.snapshot();
                let _ = write!(out.err, "{}", draw(&rows, drawn));
                let _ = out.err.flush();
                drawn = rows.len();
            }
            let _ = write!(out.err, "{}", draw(&board.snapshot(), drawn));
        }
        worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// "error: WHAT could not be read (N errors):" and each error (provider, region, request,
/// reason), on stderr.
pub(super) fn print_read_errors(
    out: &mut Output<'_>,
    what: &str,
    failure: &meridian_refresh::RefreshFailure,
) {
    let _ = writeln!(
        out.err,
        "error: {what} could not be read ({} error{}):",
        failure.errors.len(),
        plural(failure.errors.len())
    );
    for e in &failure.errors {
        let _ = writeln!(out.err, "  - {e}");
    }
}

/// What a refresh read, laid over the state.
pub struct Refreshed {
    pub reconciled: Reconciled,
    pub observation: Observation,
    pub scopes: Vec<ProviderScope>,
    /// Which source supplied each cloud's credentials.
    pub credential_sources: Vec<(Cloud, String)>,
}

/// `Credentials for the refresh:` and one line per cloud, e.g.
/// `  aws: web identity (AWS_ROLE_ARN=…, token file …)`.
fn describe_sources(sources: &[(Cloud, String)]) -> String {
    let mut s = String::from("Credentials for the refresh:\n");
    for (cloud, source) in sources {
        s.push_str(&format!("  {}: {source}\n", cloud.as_str()));
    }
    s
}

/// Why the clouds are read: it decides what a failure says was left undone, and which way
/// on it suggests (only flags of the command that prints it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `plan` and `apply`, which take `--refresh=false`.
    Plan,
    /// `meridian refresh`.
    Refresh,
}

impl Purpose {
    /// After credentials could not be found.
    fn no_credentials(self) -> &'static str {
        match self {
            Purpose::Plan => "No plan was made. To plan against the last known state instead, run with --refresh=false.",
            Purpose::Refresh => "Nothing was refreshed: the state is unchanged.",
        }
    }

    /// After a provider or region could not be read.
    fn unread(self) -> &'static str {
        match self {
            Purpose::Plan => "No plan was made: without the live state, Meridian cannot tell what exists, and it never guesses a create or a delete. Fix the access and run again, or run with --refresh=false to plan against the last known state.",
            Purpose::Refresh => "Nothing was refreshed: the state is unchanged. Meridian records live values only when every provider and region was read. Fix the access and run again.",
        }
    }
}

/// Reads every provider of the project and reconciles with `prior`. Errors are printed;
/// the error value is the exit code.
pub fn run(
    project: &meridian_model::ir::Project,
    desired: &[meridian_graph::Resource],
    prior: Option<&State>,
    settings: &RefreshSettings,
    purpose: Purpose,
    out: &mut Output<'_>,
) -> Result<Refreshed, i32> {
    let scopes = meridian_refresh::scopes(project, prior);
    let opts = match options(settings) {
        Ok(o) => o,
        Err(e) => {
            let _ = writeln!(out.err, "error: {e}");
            return Err(exit::ERROR);
        }
    };
    let creds = match Credentials::from_env(&scopes) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(
                out.err,
                "error: cannot read live provider state: {e}\n\n{}",
                purpose.no_credentials()
            );
            return Err(exit::ERROR);
        }
    };
    let credential_sources = creds.sources();
    if settings.verbose {
        let _ = write!(out.err, "{}", describe_sources(&credential_sources));
    }
    let started = Instant::now();
    let result = with_progress(out, "Reading live provider state...", |progress| {
        meridian_refresh::refresh(&scopes, &creds, &opts, progress)
    });
    let elapsed = started.elapsed();
    match result {
        Ok(observation) => {
            let _ = writeln!(
                out.err,
                "Read live state of {} provider{}: {} object{} in {} request{} ({:.1}s).",
                scopes.len(),
                plural(scopes.len()),
                observation.objects.len(),
                plural(observation.objects.len()),
                observation.requests,
                plural(observation.requests),
                elapsed.as_secs_f64()
            );
            let reconciled = reconcile(&project.name, desired, prior, &scopes, &observation);
            Ok(Refreshed {
                reconciled,
                observation,
                scopes,
                credential_sources,
            })
        }
        Err(failure) => {
            print_read_errors(out, "live provider state", &failure);
            let _ = writeln!(out.err, "\n{}", purpose.unread());
            Err(exit::ERROR)
        }
    }
}

/// `meridian refresh`: reads the clouds, shows what changed outside Meridian and what is
/// not Meridian's, and records the live values in state (serial + 1) when they differ.
pub fn refresh(
    path: &Path,
    inputs: &Inputs,
    lock_timeout: Duration,
    settings: &RefreshSettings,
    json: bool,
    out: &mut Output<'_>,
) -> i32 {
    let checked = driver::check(path, inputs, driver::today());
    let Some(project) = valid_project(&checked, out, "nothing was refreshed") else {
        return exit::ERROR;
    };
    let Some(graph) = build_graph(project, out) else {
        return exit::ERROR;
    };
    let paths = StatePaths::of(&checked.spec.dir);
    let root = match write_root(&checked, None) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(out.err, "{e}");
            return exit::ERROR;
        }
    };
    let (lock, prior) = match lock_and_load_printing(&paths, &root, "refresh", lock_timeout, out) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let refreshed = match run(
        project,
        graph.resources(),
        prior.as_ref(),
        settings,
        Purpose::Refresh,
        out,
    ) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let next_serial = prior
        .as_ref()
        .map_or(Ok(1), |p| meridian_state::next_serial(p.serial));
    let next_serial = match next_serial {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(out.err, "error: {e}");
            return exit::ERROR;
        }
    };
    // Only what the records say of the clouds changes; the serial of an observation is
    // not a change in itself.
    let next = prior
        .as_ref()
        .map(|p| refreshed.reconciled.observed_state(p, next_serial));
    let changed = match (&prior, &next) {
        (Some(p), Some(n)) => !same_observations(p, n),
        _ => false,
    };
    let mut serial = prior.as_ref().map(|p| p.serial);
    if let (true, Some(mut next)) = (changed, next) {
        next.meridian_version = VERSION.to_string();
        next.serial = next_serial;
        if let Err(e) = meridian_state::save(&paths.state, &mut next) {
            let _ = writeln!(out.err, "error: cannot write the state: {e}");
            return exit::ERROR;
        }
        serial = Some(next.serial);
    }
    drop(lock);
    let r = &refreshed.reconciled;
    if json {
        let doc = serde_json::json!({
            "format_version": meridian_plan::render::JSON_FORMAT_VERSION,
            "providers": refreshed.scopes.iter().map(|s| serde_json::json!({
                "provider": s.address,
                "regions": s.regions,
            })).collect::<Vec<_>>(),
            "credentials": refreshed
                .credential_sources
                .iter()
                .map(|(c, s)| (c.as_str().to_string(), serde_json::Value::from(s.as_str())))
                .collect::<serde_json::Map<_, _>>(),
            "objects": refreshed.observation.objects.len(),
            "requests": refreshed.observation.requests,
            "pending_rollout": r.pending,
            "resource_drift": r.drift,
            "unmanaged": r.unmanaged,
            "state_written": changed,
            "serial": serial,
        });
        print_json(&doc, out);
        return exit::OK;
    }
    let _ = write!(out.out, "{}", describe(&r.pending, &r.drift, &r.unmanaged));
    if changed {
        let _ = writeln!(
            out.out,
            "State updated with what the clouds hold: {} (serial {}). The records themselves (what the generated files say) are unchanged.",
            paths.state.display(),
            serial.unwrap_or_default()
        );
    } else {
        let _ = writeln!(
            out.out,
            "The state already records what the clouds hold; it was not rewritten."
        );
    }
    exit::OK
}

/// Whether two states record the same rollout and observations (the serials at which they
/// were recorded aside).
fn same_observations(a: &State, b: &State) -> bool {
    let strip = |r: &meridian_state::StateResource| {
        (
            r.address.clone(),
            r.pending.as_ref().map(|p| (p.action, p.before.clone())),
            r.observed
                .as_ref()
                .map(|o| (o.exists, o.differences.clone())),
        )
    };
    a.resources.len() == b.resources.len()
        && a.resources
            .iter()
            .zip(&b.resources)
            .all(|(x, y)| strip(x) == strip(y) && x.observed.is_some() == y.observed.is_some())
}

/// Pending rollouts, drift and unmanaged resources in words, for `meridian refresh`.
fn describe(pending: &[PendingRollout], drift: &[Drift], unmanaged: &[Unmanaged]) -> String {
    let mut s = String::new();
    if pending.is_empty() && drift.is_empty() {
        s.push_str(
            "No changes outside Meridian: the clouds hold what was written, and nothing is pending rollout.\n",
        );
    }
    if !pending.is_empty() {
        s.push_str("Pending rollout (written, not yet live; run the generated IaC):\n");
        for p in pending {
            let what = match p.action {
                meridian_state::PendingAction::Create => "not yet created".to_string(),
                meridian_state::PendingAction::Update => format!(
                    "not yet updated: {}",
                    p.paths
                        .iter()
                        .map(|x| x.path.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            s.push_str(&format!("  + {} ({}) {what}\n", p.address, p.kind));
        }
    }
    if !drift.is_empty() {
        s.push_str("Changed outside Meridian after the clouds held what was written:\n");
        for d in drift {
            let what = match d.drift {
                DriftKind::Changed => format!("changed: {}", d.paths.join(", ")),
                DriftKind::Deleted => "deleted".to_string(),
                DriftKind::Appeared => {
                    "exists with this project's tags, but the state has no record of it".to_string()
                }
            };
            s.push_str(&format!("  ~ {} ({}) {what}\n", d.address, d.kind));
        }
    }
    if !unmanaged.is_empty() {
        s.push_str(&format!(
            "{} resource{} without Meridian's management tag for this project (never changed or destroyed):\n",
            unmanaged.len(),
            plural(unmanaged.len())
        ));
        for u in unmanaged {
            s.push_str(&format!("  {} ({}, name {})\n", u.address, u.kind, u.name));
        }
    }
    s
}
