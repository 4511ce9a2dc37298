//! The generated LiteLLM router configuration, checked with LiteLLM itself (litellm 1.108.7,
//! installed by `bash tests/interop/setup.sh` into `tests/interop/.venv`):
//!
//! - every example's config loads offline in the proxy's own loader and in `litellm.Router`,
//!   with every group, deployment, order and weight the spec implies;
//! - end to end, against OpenAI-compatible mock servers on 127.0.0.1: the primary tier serves,
//!   the next tier serves when the primary answers 503, and weights split traffic; and the
//!   Azure and Bedrock parameters, as generated, make LiteLLM call the right deployment,
//!   profile ARN and signing region (endpoint moved to a recording mock);
//! - free text from the spec survives YAML escaping, read back by PyYAML (LiteLLM's parser).
//!
//! Part of the interop suite: `cargo test -p meridian --features interop`. The Python side
//! lives in `tests/support/litellm/`. Without the tools the tests fail (they do not skip): run
//! `bash tests/interop/setup.sh` first.
#![cfg(feature = "interop")]

#[path = "support/common.rs"]
mod common;

use common::{example_dirs, meridian, repo};
use meridian_emit::escape::hcl_string;
use proptest::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

const LITELLM_VERSION: &str = "1.108.7";

fn support() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/litellm")
}

/// The interop venv's Python, with LiteLLM in it.
fn python() -> PathBuf {
    let venv = repo().join("tests/interop/.venv");
    let python = venv.join("bin/python");
    let has_litellm = std::fs::read_dir(venv.join("lib"))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .any(|d| d.path().join("site-packages/litellm/__init__.py").is_file());
    assert!(
        python.is_file() && has_litellm,
        "interop tools missing: run bash tests/interop/setup.sh (no LiteLLM in {})",
        venv.display()
    );
    python
}

/// Runs a support script with the venv's Python; its stdout is JSON. Fails on a non-zero exit
/// or when it runs longer than `timeout` (the process is killed).
fn run_python(script: &str, args: &[PathBuf], extra: &[&str], timeout: Duration) -> Value {
    let mut cmd = std::process::Command::new(python());
    cmd.arg(support().join(script))
        .args(extra)
        .args(args)
        .current_dir(support())
        .env("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        .env("LITELLM_TELEMETRY", "False")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, _) in std::env::vars() {
        if k.starts_with("MERIDIAN_") || k.ends_with("_PROXY") || k.ends_with("_proxy") {
            cmd.env_remove(&k);
        }
    }
    let started = Instant::now();
    let mut child = cmd.spawn().expect("start python");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for python") {
            break Some(status);
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = out.join().expect("stdout reader");
    let stderr = err.join().expect("stderr reader");
    let tail: String = {
        let lines: Vec<&str> = stderr.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    };
    match status {
        None => panic!("{script} did not finish within {timeout:?}; last stderr lines:\n{tail}"),
        Some(s) if !s.success() => panic!("{script} failed ({s}); last stderr lines:\n{tail}"),
        Some(_) => {}
    }
    eprintln!("{script}: {:.1}s", started.elapsed().as_secs_f64());
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{script} printed no JSON ({e}):\n{stdout}\n{tail}"))
}

/// The validated model of a spec (`meridian inspect --json`).
fn inspect(spec: &Path) -> Value {
    let out = meridian()
        .arg("inspect")
        .arg("--json")
        .arg(spec)
        .output()
        .expect("run inspect");
    assert!(
        out.status.success(),
        "inspect {}: {}",
        spec.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("inspect JSON")
}

/// Generates every artifact of a spec under a temporary directory; returns it and the path of
/// the LiteLLM config.
fn generate(spec: &Path, ir: &Value) -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().expect("tempdir");
    let run = meridian()
        .arg("generate")
        .arg("--out")
        .arg(out.path())
        .arg(spec)
        .output()
        .expect("run generate");
    assert!(
        run.status.success(),
        "meridian generate {}: {}{}",
        spec.display(),
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let rel = ir["emits"]
        .as_array()
        .expect("emits")
        .iter()
        .find(|e| e["format"] == "litellm")
        .and_then(|e| e["path"].as_str())
        .unwrap_or_else(|| panic!("{} has no emit \"litellm\" block", spec.display()));
    let config = out.path().join(rel);
    assert!(config.is_file(), "{} was not written", config.display());
    (out, config)
}

fn examples() -> Vec<PathBuf> {
    example_dirs(&repo())
}

/// A target as the spec defines it.
struct Expected {
    model: String,
    strategy: String,
    order: u64,
    weight: u64,
}

/// Every target of a validated model, by address.
fn expected(ir: &Value) -> BTreeMap<String, Expected> {
    let mut out = BTreeMap::new();
    for m in ir["models"].as_array().expect("models") {
        let strategy = m["strategy"].as_str().expect("strategy").to_string();
        for tier in m["tiers"].as_array().expect("tiers") {
            for t in tier["targets"].as_array().expect("targets") {
                let order = if strategy == "weighted" {
                    1
                } else {
                    tier["position"].as_u64().expect("position")
                };
                out.insert(
                    t["address"].as_str().expect("address").to_string(),
                    Expected {
                        model: m["name"].as_str().expect("name").to_string(),
                        strategy: strategy.clone(),
                        order,
                        weight: t["weight"].as_u64().expect("weight"),
                    },
                );
            }
        }
    }
    out
}

/// Whether the model `group` fails over on server errors with a retry count: its allowed-fails
/// policy then cools a deployment down after more failures than that.
fn cools_down(ir: &Value, group: &str) -> bool {
    ir["models"]
        .as_array()
        .expect("models")
        .iter()
        .find(|m| m["name"] == group)
        .and_then(|m| m.get("failover"))
        .is_some_and(|f| {
            f["retries"].is_u64()
                && f["on"]
                    .as_array()
                    .is_some_and(|on| on.iter().any(|x| x == "server_error"))
        })
}

fn litellm_strategy(spec_strategy: &str) -> &'static str {
    match spec_strategy {
        "cost" => "cost-based-routing",
        "latency" => "latency-based-routing",
        _ => "simple-shuffle",
    }
}

struct Generated {
    name: String,
    ir: Value,
    dir: tempfile::TempDir,
    config: PathBuf,
}

fn generate_examples() -> Vec<Generated> {
    examples()
        .into_iter()
        .map(|spec| {
            let ir = inspect(&spec);
            let (dir, config) = generate(&spec, &ir);
            Generated {
                name: spec
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
                ir,
                dir,
                config,
            }
        })
        .collect()
}

#[test]
fn every_example_loads_offline_in_litellm_with_every_tier() {
    let started = Instant::now();
    let generated = generate_examples();
    let paths: Vec<PathBuf> = generated.iter().map(|g| g.config.clone()).collect();
    let report = run_python("check_config.py", &paths, &[], Duration::from_secs(300));
    for g in &generated {
        let r = &report[g.config.to_string_lossy().as_ref()];
        let name = &g.name;
        assert_eq!(r["litellm_version"], LITELLM_VERSION, "{name}");
        assert_eq!(
            r["blocked_network"],
            Value::Array(Vec::new()),
            "{name}: network access"
        );
        assert_eq!(
            r["listed_vars"], r["used_vars"],
            "{name}: the header lists every variable the file reads"
        );
        assert_eq!(r["master_key_set"], true, "{name}");
        let want = expected(&g.ir);
        let models: BTreeSet<&str> = want.values().map(|e| e.model.as_str()).collect();
        for list in ["proxy", "direct"] {
            let deployments = r[list].as_array().expect("deployments");
            // The proxy drops invalid deployments without an error: count them.
            let copies = deployments
                .iter()
                .filter(|d| d["model_name"].as_str().is_some_and(|n| n.contains('@')))
                .count();
            assert_eq!(
                deployments.len(),
                want.len() + copies,
                "{name} ({list}): deployments kept"
            );
            for d in deployments {
                assert_eq!(
                    d["none_params"],
                    Value::Array(Vec::new()),
                    "{name} ({list}): {d}"
                );
                assert_eq!(
                    d["unresolved"],
                    Value::Array(Vec::new()),
                    "{name} ({list}): {d}"
                );
                let id = d["id"].as_str().expect("id");
                let group = d["model_name"].as_str().expect("group");
                let (address, copy) = match id.strip_suffix("@failover") {
                    Some(a) => (a, true),
                    None => (id, false),
                };
                let e = want
                    .get(address)
                    .unwrap_or_else(|| panic!("{name} ({list}): unknown deployment {id}"));
                if copy {
                    let (model, _tier) = group.split_once('@').expect("failover group");
                    assert_eq!(model, e.model, "{name}: {id}");
                } else {
                    assert_eq!(group, e.model, "{name}: {id}");
                }
                assert_eq!(
                    d["order"].as_u64(),
                    Some(e.order),
                    "{name} ({list}): order of {id}"
                );
                assert_eq!(
                    d["weight"].as_u64(),
                    Some(e.weight),
                    "{name} ({list}): weight of {id}"
                );
            }
            let ids: BTreeSet<&str> = deployments
                .iter()
                .filter_map(|d| d["id"].as_str())
                .collect();
            for address in want.keys() {
                assert!(
                    ids.contains(address.as_str()),
                    "{name} ({list}): {address} is missing"
                );
            }
        }
        let groups: BTreeSet<&str> = r["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        for model in &models {
            assert!(groups.contains(model), "{name}: group {model}");
            let strategy = want
                .values()
                .find(|e| e.model == *model)
                .map(|e| e.strategy.as_str())
                .expect("strategy");
            assert_eq!(
                r["strategies"][*model],
                litellm_strategy(strategy),
                "{name}: strategy of {model}"
            );
        }
        // Fallbacks only name groups that exist, and never leave the model (its residency).
        for (kind, entries) in r["fallbacks"].as_object().expect("fallbacks") {
            for entry in entries.as_array().expect("entries") {
                for (from, to) in entry.as_object().expect("entry") {
                    assert!(
                        groups.contains(from.as_str()),
                        "{name}: {kind} from unknown {from}"
                    );
                    for target in to.as_array().expect("targets") {
                        let target = target.as_str().expect("group");
                        assert!(
                            groups.contains(target),
                            "{name}: {kind} to unknown {target}"
                        );
                        assert!(
                            target.starts_with(&format!("{from}@")),
                            "{name}: {kind} {from} -> {target} leaves the model"
                        );
                    }
                }
            }
        }
        assert_eq!(r["router"]["enable_pre_call_checks"], true, "{name}");
        // Each ARN variable names the output of the generated Terraform/Pulumi program that
        // holds its value: those outputs exist.
        let text = std::fs::read_to_string(&g.config).expect("config");
        let outputs: Vec<&str> = text
            .lines()
            .take_while(|l| l.starts_with('#'))
            .filter(|l| l.contains("_ARN "))
            .filter_map(|l| l.rsplit_once(" output ").map(|(_, o)| o.trim()))
            .collect();
        for emit in g.ir["emits"].as_array().expect("emits") {
            let base = g.dir.path().join(emit["path"].as_str().expect("path"));
            let (file, declaration) = match emit["format"].as_str() {
                Some("terraform") => (base.join("outputs.tf"), "output \"{}\" {"),
                Some("pulumi") => (base.join("index.ts"), "export const {} ="),
                _ => continue,
            };
            let program = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{name}: {}: {e}", file.display()));
            let arn_vars = r["listed_vars"]
                .as_array()
                .expect("vars")
                .iter()
                .filter(|v| v.as_str().is_some_and(|v| v.ends_with("_ARN")))
                .count();
            assert_eq!(
                outputs.len(),
                arn_vars,
                "{name}: one output per ARN variable"
            );
            for output in &outputs {
                let wanted = declaration.replace("{}", output);
                assert!(
                    program.contains(&wanted),
                    "{name}: {} has no `{wanted}`",
                    file.display()
                );
            }
        }
    }
    eprintln!(
        "offline load of {} examples: {:.1}s",
        generated.len(),
        started.elapsed().as_secs_f64()
    );
}

/// A model whose failover covers content-policy and context-window errors, on three tiers: no
/// example has content filtering in its failover.
const FILTER_FAILOVER_SPEC: &str = r#"meridian {
  name = "filter-failover"
}

provider "gcp" "g" {
  project = "filter-failover-test"
}

model "moderated" {
  capabilities = ["chat"]
  tier "first" {
    target "flash" {
      provider   = provider.gcp.g
      model      = "gemini-3.5-flash"
      region     = "global"
      processing = "global"
    }
  }
  tier "second" {
    target "lite" {
      provider   = provider.gcp.g
      model      = "gemini-3.1-flash-lite"
      region     = "global"
      processing = "global"
    }
  }
  tier "third" {
    target "claude" {
      provider   = provider.gcp.g
      model      = "claude-sonnet-4-5@20250929"
      region     = "global"
      processing = "global"
    }
  }
  failover {
    on      = ["server_error", "content_filter", "context_window"]
    retries = 1
    timeout = "10s"
  }
}

emit "litellm" {
  path = "router/litellm.yaml"
}
"#;

#[test]
fn tiers_fail_over_and_weights_split_against_local_mocks() {
    let started = Instant::now();
    let mut generated = generate_examples();
    let filter_dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(filter_dir.path().join("main.hcl"), FILTER_FAILOVER_SPEC).expect("write spec");
    let ir = inspect(filter_dir.path());
    let (dir, config) = generate(filter_dir.path(), &ir);
    let filter = Generated {
        name: "filter-failover".into(),
        ir,
        dir,
        config,
    };
    // One Python process per example, side by side (importing LiteLLM dominates); the extra
    // spec rides along with the first.
    let mut jobs: Vec<Vec<PathBuf>> = generated.iter().map(|g| vec![g.config.clone()]).collect();
    jobs[0].push(filter.config.clone());
    let job_reports: Vec<Value> = std::thread::scope(|s| {
        let handles: Vec<_> = jobs
            .iter()
            .map(|configs| {
                s.spawn(move || {
                    run_python(
                        "e2e.py",
                        configs,
                        &["--requests", "200"],
                        Duration::from_secs(600),
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("e2e thread"))
            .collect()
    });
    let mut reports: Vec<Value> = job_reports.clone();
    reports.push(job_reports[0].clone());
    generated.push(filter);
    let mut filter_fallbacks = 0;
    let mut weight_checks = 0;
    let mut failovers = 0;
    let mut cooldowns = 0;
    for (g, report) in generated.iter().zip(&reports) {
        let name = &g.name;
        assert_eq!(
            report["blocked_network"],
            Value::Array(Vec::new()),
            "{name}: network access beyond 127.0.0.1"
        );
        let groups = report[g.config.to_string_lossy().as_ref()]
            .as_object()
            .expect("groups");
        let want = expected(&g.ir);
        let models: BTreeSet<&str> = want.values().map(|e| e.model.as_str()).collect();
        assert_eq!(
            groups.keys().map(String::as_str).collect::<BTreeSet<_>>(),
            models,
            "{name}"
        );
        for (group, r) in groups {
            let primary = &r["primary"];
            assert!(
                primary["expected"]
                    .as_array()
                    .expect("expected")
                    .contains(&primary["served"]),
                "{name}/{group}: a request was served by {} instead of the primary tier",
                primary["served"]
            );
            if r["strategy"] == "cost-based-routing" {
                // The cheapest priced deployment of the tier (catalog list prices).
                let costs = r["costs"].as_object().expect("costs");
                let cheapest = primary["expected"]
                    .as_array()
                    .expect("expected")
                    .iter()
                    .filter_map(|id| costs.get(id.as_str()?)?.as_f64().map(|c| (c, id)))
                    .min_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, id)| id);
                if let Some(cheapest) = cheapest {
                    assert_eq!(&primary["served"], cheapest, "{name}/{group}: cost routing");
                }
            }
            let orders = r["orders"].as_object().expect("orders");
            if orders.len() > 1 {
                let f = &r["failover"];
                assert!(
                    f["expected"].as_array().expect("expected").contains(&f["served"]),
                    "{name}/{group}: with the primary tier answering 503, {} served instead of the next tier",
                    f["served"]
                );
                assert!(
                    f["tried_failing"].as_u64().unwrap_or(0) >= 1,
                    "{name}/{group}: the primary tier was not tried"
                );
                for later in f["later_served"].as_array().expect("later") {
                    assert!(
                        f["expected"].as_array().expect("expected").contains(later),
                        "{name}/{group}: a later request was served by {later}"
                    );
                }
                // A model that fails over on server errors with a retry count: once each
                // primary deployment has failed more often than that, the allowed-fails policy
                // cools it down, and requests go straight to the next tier.
                if cools_down(&g.ir, group) {
                    assert!(
                        f["cooled_after"].as_u64().is_some(),
                        "{name}/{group}: the failing primary tier was still tried after 8 more requests"
                    );
                    cooldowns += 1;
                }
                failovers += 1;
            }
            for kind in ["context_window_fallbacks", "content_policy_fallbacks"] {
                let f = &r[kind];
                if f.is_null() {
                    continue;
                }
                assert!(
                    f["expected"]
                        .as_array()
                        .expect("expected")
                        .contains(&f["served"]),
                    "{name}/{group}: {kind}: {} served instead of the next tier's failover copy",
                    f["served"]
                );
                assert!(
                    f["tried_failing"].as_u64().unwrap_or(0) >= 1,
                    "{name}/{group}: the primary tier was not tried"
                );
                filter_fallbacks += 1;
            }
            for w in r["weights"].as_array().expect("weights") {
                assert_eq!(w["requests"], 200);
                let expected = w["expected"].as_object().expect("expected");
                for (id, share) in expected {
                    let want = share.as_f64().expect("share");
                    let got = w["observed"][id].as_f64().expect("observed");
                    assert!(
                        (got - want).abs() <= 0.10,
                        "{name}/{group}: {id} took {got:.3} of 200 requests, its weight asks for {want:.3} (±0.10)"
                    );
                }
                weight_checks += 1;
            }
        }
    }
    // The provider parameters as generated make LiteLLM call the right deployment, profile ARN
    // and region (only the endpoint was moved to a recording mock).
    let mut wired = 0;
    for (g, report) in generated.iter().zip(&reports) {
        let name = &g.name;
        let entries = report[format!("{}#wire", g.config.to_string_lossy())]
            .as_array()
            .expect("wire checks");
        let azure_or_aws = g.ir["models"]
            .as_array()
            .expect("models")
            .iter()
            .flat_map(|m| m["tiers"].as_array().expect("tiers"))
            .flat_map(|t| t["targets"].as_array().expect("targets"))
            .filter(|t| t["cloud"] == "azure" || t["cloud"] == "aws")
            .count();
        assert_eq!(
            entries.len(),
            azure_or_aws,
            "{name}: one wire check per Azure and Bedrock target"
        );
        for e in entries {
            let id = &e["id"];
            let requests = e["requests"].as_array().expect("requests");
            assert_eq!(
                requests.len(),
                1,
                "{name}: {id} made {} requests",
                requests.len()
            );
            let seen = &requests[0];
            assert_eq!(
                seen["path"], e["expected_path"],
                "{name}: {id} called the wrong path"
            );
            if e["model"].as_str().is_some_and(|m| m.starts_with("azure/")) {
                assert_eq!(
                    seen["model"], e["expected_model"],
                    "{name}: {id} called the wrong Azure deployment"
                );
            } else {
                assert_eq!(
                    seen["signed_region"], e["expected_region"],
                    "{name}: {id} signed for the wrong region"
                );
                assert_eq!(seen["signed_service"], "bedrock", "{name}: {id}");
            }
            wired += 1;
        }
    }
    assert!(failovers >= 3, "failover was exercised {failovers} times");
    assert!(
        cooldowns >= 2,
        "cooldown by the allowed-fails policy was checked {cooldowns} times"
    );
    // eu-bank's document-review (context window) and the extra spec (both kinds).
    assert!(
        filter_fallbacks >= 3,
        "context-window/content-policy failover was exercised {filter_fallbacks} times"
    );
    assert!(
        weight_checks >= 3,
        "weights were checked {weight_checks} times"
    );
    eprintln!(
        "end to end: {failovers} failovers, {weight_checks} weight splits, {wired} wire checks in {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

// ---- escaping ----------------------------------------------------------------------------------

/// A spec whose models carry the given strings as description and task (two per model).
fn hostile_spec(strings: &[String]) -> String {
    let mut spec = String::from(
        "meridian {\n  name = \"esc-test\"\n}\n\nprovider \"gcp\" \"g\" {\n  project = \"esc-test-project\"\n}\n\n",
    );
    for (i, pair) in strings.chunks(2).enumerate() {
        let task = pair
            .get(1)
            .map_or_else(|| "\"-\"".to_string(), |t| hcl_string(t));
        spec.push_str(&format!(
            "model \"m-{i}_x\" {{\n  description  = {}\n  task         = {task}\n  capabilities = [\"chat\"]\n  tier \"primary\" {{\n    target \"vertex\" {{\n      provider   = provider.gcp.g\n      model      = \"gemini-3.5-flash\"\n      region     = \"global\"\n      processing = \"global\"\n    }}\n  }}\n}}\n\n",
            hcl_string(&pair[0])
        ));
    }
    spec.push_str("emit \"litellm\" {\n  path = \"router/litellm.yaml\"\n}\n");
    spec
}

/// Generates the spec with `meridian generate`, reads the YAML back with PyYAML and checks
/// every description is exactly the string the spec holds, and that each task (a comment)
/// stayed one comment line.
fn assert_round_trip(strings: &[String]) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.hcl"), hostile_spec(strings)).expect("write spec");
    let ir = inspect(dir.path());
    let (_out, config) = generate(dir.path(), &ir);
    let report = run_python(
        "yaml_values.py",
        std::slice::from_ref(&config),
        &[],
        Duration::from_secs(60),
    );
    let read = &report[config.to_string_lossy().as_ref()];
    assert!(
        read.get("error").is_none(),
        "PyYAML rejects the file: {}",
        read["error"]
    );
    let deployments = read["value"]["model_list"].as_array().expect("model_list");
    for (i, pair) in strings.chunks(2).enumerate() {
        let group = format!("m-{i}_x");
        let d = deployments
            .iter()
            .find(|d| d["model_name"] == group.as_str())
            .unwrap_or_else(|| panic!("no deployment for {group}"));
        let info = &d["model_info"];
        assert_eq!(
            info["description"].as_str(),
            Some(pair[0].as_str()),
            "description of {group}: {:?}",
            pair[0]
        );
        // The task is a comment above the model's deployments: it must not have changed what
        // the file holds (PyYAML read every value back), and no Meridian key repeats there.
        let keys: BTreeSet<&str> = info
            .as_object()
            .expect("model_info")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            BTreeSet::from(["description", "id"]),
            "model_info of {group}"
        );
    }
    let text = std::fs::read_to_string(&config).expect("config");
    let about = text
        .lines()
        .filter(|l| l.starts_with("  # model m-"))
        .count();
    assert_eq!(
        about,
        strings.chunks(2).count(),
        "one comment line per model:\n{text}"
    );
}

const HOSTILE: &[&str] = &[
    "plain",
    "\"double\" and 'single' quotes",
    "back\\slash \\n \\u0041 \\",
    "key: value",
    "# not a comment",
    "trailing #",
    "&anchor *alias",
    "!tag !!str",
    "| literal",
    "> folded",
    "- leading dash",
    "-",
    "? question",
    "% directive",
    "@at `backticks` ``",
    "line one\nline two\n",
    "\r\n crlf \t tab",
    "${var.x} and $${escaped} and %{ if true }x%{ endif }",
    "*/ /* comment enders",
    "{flow: map}",
    "[flow, seq]",
    "---",
    "...",
    "null",
    "~",
    "true",
    "no",
    "0x1F",
    "1e3",
    "012",
    "",
    " ",
    "  leading and trailing spaces  ",
    "ünïcödé – “quotes” — ☃ 🚀 中文 العربية",
    "\u{2028}line separator\u{2029}paragraph separator",
    "\u{feff}byte order mark",
    "nul \u{0} bell \u{7} escape \u{1b}",
    "'",
    "\"",
    ": ",
    " #",
    "a: b # c",
    "=> <%= %> {{ jinja }} {% tera %}",
];

#[test]
fn hostile_strings_survive_yaml_round_trip() {
    let strings: Vec<String> = HOSTILE.iter().map(|s| (*s).to_string()).collect();
    assert_round_trip(&strings);
}

/// Characters YAML cannot hold raw (DEL, the C1 controls including NEL, U+FFFE/U+FFFF): the
/// `yaml` escaping filter must write them as `\u` escapes.
#[test]
fn c1_controls_and_noncharacters_survive_yaml_round_trip() {
    let strings: Vec<String> = [
        "del \u{7f}",
        "nel \u{85} next line",
        "c1 \u{80}\u{9f}",
        "\u{fffe}\u{ffff} non",
        "ok",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    assert_round_trip(&strings);
}

fn hostile_string() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        3 => prop::sample::select(HOSTILE).prop_map(str::to_string),
        3 => any::<char>().prop_map(String::from),
        1 => "[a-z0-9 ]{0,6}",
        1 => prop::sample::select(&[":", "#", "&", "*", "!", "|", ">", "-", "%", "@", "`", "\n", "${", "%{", "'", "\"", "\\", "\t", " "][..]).prop_map(str::to_string),
    ];
    prop::collection::vec(fragment, 0..10).prop_map(|parts| parts.concat())
}

proptest! {
    // Each case is one `meridian generate` and one Python run over 16 strings.
    #![proptest_config(ProptestConfig { cases: 10, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn arbitrary_strings_survive_yaml_round_trip(strings in prop::collection::vec(hostile_string(), 16)) {
        assert_round_trip(&strings);
    }
}
