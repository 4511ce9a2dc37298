//! The generated Terraform, checked by the tools its users run: HashiCorp's HCL parser (npm
//! `@cdktf/hcl2json`) reads every file, every reference names a block that exists, and
//! checkov reports no failed check, for every example under `examples/`. Hostile strings in
//! the spec's free-text fields read back from the parsed files exactly as written.
//!
//! Part of the interop suite: `cargo test -p meridian --features interop`. The tools are
//! installed by `bash tests/interop/setup.sh`; without them these tests fail rather than
//! skip, since a skipped check would hide problems.
#![cfg(feature = "interop")]

#[path = "support/common.rs"]
mod common;

use common::{canonical_repo as repo, example_dirs, files_with_extension, meridian, MISSING};
use proptest::prelude::*;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

struct Tools {
    hcl2json: PathBuf,
    checkov: PathBuf,
}

/// The interop tools, or a failure naming what is missing.
fn tools() -> Tools {
    let interop = repo().join("tests/interop");
    let t = Tools {
        hcl2json: interop.join("hcl2json.mjs"),
        checkov: interop.join(".venv-checkov/bin/checkov"),
    };
    let mut missing = Vec::new();
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        missing.push("node".to_string());
    }
    for path in [
        &t.hcl2json,
        &interop.join("node_modules/@cdktf/hcl2json/package.json"),
        &t.checkov,
    ] {
        if !path.is_file() {
            missing.push(path.display().to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "{MISSING} (not found: {})",
        missing.join(", ")
    );
    t
}

/// `meridian generate --out OUT SPEC`; returns the directories holding `.tf` files.
fn generate(spec: &Path, out: &Path) -> Vec<PathBuf> {
    let o = meridian()
        .arg("generate")
        .arg("--out")
        .arg(out)
        .arg(spec)
        .output()
        .expect("run meridian");
    assert!(
        o.status.success(),
        "meridian generate {} failed:\n{}{}",
        spec.display(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let mut dirs = BTreeSet::new();
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)
            .expect("read dir")
            .filter_map(Result::ok)
        {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "tf") {
                dirs.insert(dir.clone());
            }
        }
    }
    assert!(!dirs.is_empty(), "{} generated no .tf file", spec.display());
    dirs.into_iter().collect()
}

/// Every `.tf` file of `dir` parsed by HashiCorp's parser: file name → its JSON.
fn hcl2json(t: &Tools, dir: &Path) -> BTreeMap<String, Value> {
    let files = files_with_extension(dir, "tf");
    let o = std::process::Command::new("node")
        .arg(&t.hcl2json)
        .args(&files)
        .output()
        .expect("run node");
    assert!(
        o.status.success(),
        "hcl2json rejected {}:\n{}",
        dir.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    let parsed: Value = serde_json::from_slice(&o.stdout).expect("hcl2json prints JSON");
    let by_file = if files.len() == 1 {
        let mut m = Map::new();
        m.insert(files[0].display().to_string(), parsed);
        m
    } else {
        parsed.as_object().cloned().expect("an object per file")
    };
    by_file
        .into_iter()
        .map(|(path, v)| {
            (
                Path::new(&path)
                    .file_name()
                    .map_or(path.clone(), |n| n.to_string_lossy().into_owned()),
                v,
            )
        })
        .collect()
}

/// What a configuration declares: `type.name` of resources, `data.type.name`, variables,
/// locals, modules, outputs and `type.alias` of provider configurations.
#[derive(Default)]
struct Declared {
    resources: BTreeSet<String>,
    data: BTreeSet<String>,
    variables: BTreeSet<String>,
    locals: BTreeSet<String>,
    modules: BTreeSet<String>,
    outputs: BTreeSet<String>,
    providers: BTreeSet<String>,
}

fn declared(files: &BTreeMap<String, Value>) -> Declared {
    let mut d = Declared::default();
    let keys = |v: Option<&Value>| {
        v.and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    for json in files.values() {
        for (section, prefix, set) in [
            ("resource", "", &mut d.resources),
            ("data", "data.", &mut d.data),
        ] {
            if let Some(types) = json.get(section).and_then(Value::as_object) {
                for (ty, names) in types {
                    for name in keys(Some(names)) {
                        set.insert(format!("{prefix}{ty}.{name}"));
                    }
                }
            }
        }
        d.variables.extend(keys(json.get("variable")));
        d.modules.extend(keys(json.get("module")));
        d.outputs.extend(keys(json.get("output")));
        for block in json
            .get("locals")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            d.locals.extend(keys(Some(block)));
        }
        if let Some(providers) = json.get("provider").and_then(Value::as_object) {
            for (ty, blocks) in providers {
                for block in blocks.as_array().into_iter().flatten() {
                    let alias = block
                        .get("alias")
                        .and_then(Value::as_str)
                        .map_or_else(|| ty.clone(), |a| format!("{ty}.{a}"));
                    d.providers.insert(alias);
                }
            }
        }
    }
    d
}

/// The `${...}` expressions of a string as hcl2json prints it: in Terraform's JSON syntax,
/// where a string is a template and `$${` stands for a literal `${`.
fn expressions(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find('$') {
        rest = &rest[start..];
        if rest.starts_with("$${") {
            rest = &rest[3..];
            continue;
        }
        if !rest.starts_with("${") {
            rest = &rest[1..];
            continue;
        }
        let body = &rest[2..];
        let mut depth = 1;
        let mut end = None;
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    // Skip a string literal inside the expression.
                    let mut escaped = false;
                    for (_, c) in chars.by_ref() {
                        match c {
                            _ if escaped => escaped = false,
                            '\\' => escaped = true,
                            '"' => break,
                            _ => {}
                        }
                    }
                }
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(end) = end else { break };
        out.push(&body[..end]);
        rest = &body[end + 1..];
    }
    out
}

/// The value of a string hcl2json printed for a literal: Terraform's JSON syntax reads every
/// string as a template, so `$${` and `%%{` stand for `${` and `%{`; an unescaped `${` or `%{`
/// would be an interpolation or directive, not a literal.
fn json_literal(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("$${") || rest.starts_with("%%{") {
            out.push(c);
            out.push('{');
            rest = &rest[3..];
        } else if rest.starts_with("${") || rest.starts_with("%{") {
            return Err(format!("{s:?} holds a template sequence, not a literal"));
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    Ok(out)
}

/// The traversals (`a.b[0].c` as `["a", "b", "c"]`) of an expression, outside string
/// literals and function names.
fn traversals(expr: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let is_start = |c: char| c.is_ascii_alphabetic() || c == '_';
    let is_part = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    while i < chars.len() {
        let c = chars[i];
        if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            continue;
        }
        if !is_start(c) || (i > 0 && (is_part(chars[i - 1]) || chars[i - 1] == '.')) {
            i += 1;
            continue;
        }
        let mut parts = Vec::new();
        loop {
            let start = i;
            while i < chars.len() && is_part(chars[i]) {
                i += 1;
            }
            parts.push(chars[start..i].iter().collect::<String>());
            // Index steps ([0], .0) do not name anything.
            loop {
                if chars.get(i) == Some(&'[') {
                    while i < chars.len() && chars[i] != ']' {
                        i += 1;
                    }
                    i += 1;
                } else if chars.get(i) == Some(&'.')
                    && chars.get(i + 1).is_some_and(char::is_ascii_digit)
                {
                    i += 1;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                } else {
                    break;
                }
            }
            if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(|c| is_start(*c)) {
                i += 1;
            } else {
                break;
            }
        }
        let mut j = i;
        while j < chars.len() && chars[j].is_whitespace() {
            j += 1;
        }
        if chars.get(j) != Some(&'(') {
            out.push(parts);
        }
    }
    out
}

/// Calls `f(string, key, path)` for every string of `v`.
fn walk(v: &Value, key: &str, at: &str, f: &mut dyn FnMut(&str, &str, &str)) {
    match v {
        Value::String(s) => f(s, key, at),
        Value::Array(items) => items.iter().for_each(|i| walk(i, key, at, f)),
        Value::Object(m) => m
            .iter()
            .for_each(|(k, i)| walk(i, k, &format!("{at}.{k}"), f)),
        _ => {}
    }
}

/// Every reference of the parsed files that names nothing declared; returns the number of
/// references checked.
fn check_references(files: &BTreeMap<String, Value>) -> Result<usize, Vec<String>> {
    let d = declared(files);
    let mut checked = 0;
    let mut bad = Vec::new();
    for (file, json) in files {
        let Some(top) = json.as_object() else {
            continue;
        };
        for (section, body) in top {
            if section == "terraform" {
                continue;
            }
            walk(
                body,
                section,
                &format!("{file}:{section}"),
                &mut |s, key, at| {
                    for expr in expressions(s) {
                        for parts in traversals(expr) {
                            if parts.len() < 2 {
                                continue;
                            }
                            let name = |n: usize| parts[..n].join(".");
                            let ok = match parts[0].as_str() {
                                "var" => d.variables.contains(&parts[1]),
                                "local" => d.locals.contains(&parts[1]),
                                "module" => d.modules.contains(&parts[1]),
                                "data" => parts.len() >= 3 && d.data.contains(&name(3)),
                                "path" | "terraform" | "self" | "count" | "each" => true,
                                _ if key == "provider" => d.providers.contains(&name(2)),
                                _ => d.resources.contains(&name(2)),
                            };
                            checked += 1;
                            if !ok {
                                bad.push(format!(
                                    "{at}: {} names nothing declared",
                                    parts.join(".")
                                ));
                            }
                        }
                    }
                },
            );
        }
    }
    // Outputs are declared even when nothing refers to them; a configuration with none would
    // hide the values the router needs.
    if d.outputs.is_empty() {
        bad.push("no outputs".into());
    }
    if bad.is_empty() {
        Ok(checked)
    } else {
        Err(bad)
    }
}

/// checkov's JSON report of `dir`.
fn checkov(t: &Tools, dir: &Path) -> Value {
    let o = std::process::Command::new(&t.checkov)
        .args(["-d"])
        .arg(dir)
        .args([
            "--framework",
            "terraform",
            "--quiet",
            "--compact",
            "-o",
            "json",
            "--skip-download",
        ])
        .env("BC_SKIP_MAPPING", "TRUE")
        .env("CKV_SKIP_PACKAGE_UPDATE_CHECK", "true")
        .env_remove("BC_API_KEY")
        .output()
        .expect("run checkov");
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "checkov failed on {} ({}):\n{}",
        dir.display(),
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    let report: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&o.stdout)
        )
    });
    // One framework gives one report; a list would mean more than one ran.
    match report {
        Value::Array(mut reports) => {
            assert_eq!(
                reports.len(),
                1,
                "checkov ran more than the terraform framework"
            );
            reports.remove(0)
        }
        other => other,
    }
}

fn failed_checks(report: &Value) -> Vec<String> {
    report
        .pointer("/results/failed_checks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            let s = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("?").to_string();
            format!(
                "{} {} ({}:{}) {}",
                s("check_id"),
                s("resource"),
                s("file_path"),
                c.get("file_line_range")
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                s("check_name")
            )
        })
        .collect()
}

fn examples() -> Vec<PathBuf> {
    example_dirs(&repo())
}

#[test]
fn every_example_parses_references_declared_blocks_and_passes_checkov() {
    let t = tools();
    for example in examples() {
        let name = example
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let out = tempfile::tempdir().expect("tempdir");
        let started = Instant::now();
        let dirs = generate(&example, out.path());
        let generated = started.elapsed();
        for dir in dirs {
            let started = Instant::now();
            let parsed = hcl2json(&t, &dir);
            let parse_time = started.elapsed();
            let names: Vec<&str> = parsed.keys().map(String::as_str).collect();
            for file in ["versions.tf", "providers.tf", "outputs.tf"] {
                assert!(names.contains(&file), "{name}: no {file} among {names:?}");
            }
            let refs = check_references(&parsed).unwrap_or_else(|bad| {
                panic!("{name}: dangling references:\n  {}", bad.join("\n  "))
            });
            assert!(refs > 0, "{name}: no references at all");
            let started = Instant::now();
            let report = checkov(&t, &dir);
            let checkov_time = started.elapsed();
            let failed = failed_checks(&report);
            assert!(
                failed.is_empty(),
                "{name}: checkov failed {} check(s):\n  {}",
                failed.len(),
                failed.join("\n  ")
            );
            let summary = report.get("summary").cloned().unwrap_or_default();
            assert_eq!(
                summary.get("parsing_errors").and_then(Value::as_u64),
                Some(0),
                "{name}: {summary}"
            );
            assert!(
                summary
                    .get("resource_count")
                    .and_then(Value::as_u64)
                    .is_some_and(|n| n > 0),
                "{name}: {summary}"
            );
            eprintln!(
                "{name}: generate {generated:.2?}, hcl2json {parse_time:.2?} ({} files, {refs} references), checkov {checkov_time:.2?} ({summary})",
                parsed.len()
            );
        }
    }
}

/// What the examples do not show: public network access, an IAM user as principal,
/// provisioned throughput, a waiver for a check Meridian does not know, a bedrock-runtime VPC
/// endpoint with its endpoint policy and the IAM deny of calls from elsewhere, and a BigQuery
/// log dataset with a customer-managed key and Vertex AI request-response logging.
const DEPARTURES: &str = r#"meridian {
  name         = "departures"
  default_tags = { cost_center = "cc-1", owner = "qa" }
}

provider "azure" "lab" {
  subscription_id = "6f1c2b7e-93a4-4d2e-9b0f-2c5e8a71d4b3"
  resource_group  = "rg-lab"

  network {
    public_access = true
    allowed_ips   = ["203.0.113.7", "198.51.100.0/24"]
  }

  waiver "CKV_AZURE_999" {
    reason = "Not a check Meridian knows: the skip goes on every resource of the provider"
  }
}

provider "aws" "lab" {
  account_id = "018295730641"

  network {
    private_endpoint_subnet_id = "subnet-0123456789abcdef0"
  }
}

provider "gcp" "lab" {
  project = "departures-lab"

  encryption {
    key_id = "projects/departures-lab/locations/europe-west4/keyRings/ai/cryptoKeys/logs"
  }
}

model "chat" {
  capabilities = ["chat"]

  tier "primary" {
    target "aoai" {
      provider   = provider.azure.lab
      model      = "gpt-5.1"
      version    = "2025-11-13"
      region     = "swedencentral"
      processing = "region"
    }
  }

  tier "secondary" {
    target "bedrock-ptu" {
      provider   = provider.aws.lab
      model      = "amazon.nova-pro-v1:0"
      region     = "us-east-1"
      processing = "region"
      billing    = "provisioned"
      capacity   = 2
    }
  }

  tier "tertiary" {
    target "vertex-gemini" {
      provider   = provider.gcp.lab
      model      = "gemini-3.5-flash"
      region     = "europe-west4"
      processing = "geography"
    }
    target "vertex-claude" {
      provider   = provider.gcp.lab
      model      = "claude-sonnet-4-5@20250929"
      region     = "europe-west1"
      processing = "region"
    }
  }
}

logging "vertex" {
  retention_days = 30

  gcp {
    bigquery_dataset = "departures_vertex_logs"
    location         = "EU"
  }
}

access "ops" {
  models = [model.chat]
  aws    = ["arn:aws:iam::018295730641:user/ops/alice", "arn:aws:iam::018295730641:role/path/to/chat-runner"]
  azure  = ["11111111-2222-3333-4444-555555555555"]
}

emit "terraform" {
  path = "tf"
}
"#;

#[test]
fn spec_departures_pass_the_tools_as_reasoned_skips() {
    let t = tools();
    let work = tempfile::tempdir().expect("tempdir");
    let spec = work.path().join("spec");
    std::fs::create_dir_all(&spec).expect("mkdir");
    std::fs::write(spec.join("main.hcl"), DEPARTURES).expect("write");
    let dirs = generate(&spec, &work.path().join("out"));
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let parsed = hcl2json(&t, &dirs[0]);
    check_references(&parsed)
        .unwrap_or_else(|bad| panic!("dangling references:\n  {}", bad.join("\n  ")));
    let report = checkov(&t, &dirs[0]);
    let failed = failed_checks(&report);
    assert!(
        failed.is_empty(),
        "checkov failed:\n  {}",
        failed.join("\n  ")
    );
    let summary = report.get("summary").cloned().unwrap_or_default();
    // Public access (CKV_AZURE_134), Microsoft-managed keys (CKV2_AZURE_22) and the policy
    // attached to an IAM user (CKV_AWS_40), each with its reason in the file.
    assert_eq!(
        summary.get("skipped").and_then(Value::as_u64),
        Some(3),
        "{summary}"
    );
    assert_eq!(
        summary.get("parsing_errors").and_then(Value::as_u64),
        Some(0),
        "{summary}"
    );
}

#[test]
fn the_reference_check_catches_dangling_references() {
    let json: Value = serde_json::json!({
        "resource": {"aws_iam_policy": {"p": [{"provider": "${aws.main}", "policy": "${data.aws_iam_policy_document.gone.json}"}]}},
        "data": {"aws_iam_policy_document": {"d": [{"provider": "${aws.other}"}]}},
        "provider": {"aws": [{"alias": "main"}]},
        "output": {"o": [{"value": "${jsonencode({\"k\" = \"aws_x.not_a_ref\", v = aws_iam_policy.p.arn, w = aws_role.missing[0].id})}"}]},
    });
    let files: BTreeMap<String, Value> = [("main.tf".to_string(), json)].into();
    let bad = check_references(&files).expect_err("dangling");
    let mut names: Vec<&str> = bad
        .iter()
        .filter_map(|b| b.rsplit(": ").next())
        .map(|b| b.trim_end_matches(" names nothing declared"))
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "aws.other",
            "aws_role.missing.id",
            "data.aws_iam_policy_document.gone.json"
        ],
        "{bad:?}"
    );
}

#[test]
fn json_strings_decode_as_terraform_json_templates() {
    assert_eq!(
        json_literal("a $${b} %%{c} $$${d}").as_deref(),
        Ok("a ${b} %{c} $${d}")
    );
    assert!(json_literal("${var.x}").is_err() && json_literal("%{ if x }").is_err());
    assert_eq!(expressions("$${no} ${a.b} $$${c.d} $$$${e.f}"), ["a.b"]);
}

// ---- escaping ------------------------------------------------------------------------------

/// An HCL string literal for the spec file, written independently of the emitter's escaper:
/// quotes, backslashes and control characters escaped, `${` and `%{` doubled.
fn spec_string(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::from("\"");
    for (i, c) in chars.iter().enumerate() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.get(i + 1) == Some(&'{') => {
                out.push(*c);
                out.push(*c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(*c))),
            c => out.push(*c),
        }
    }
    out.push('"');
    out
}

/// What a string becomes in a one-line comment.
fn as_comment(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .replace("*/", "* /")
}

/// Hostile strings in every free-text field of a spec.
#[derive(Debug, Clone)]
struct Hostile {
    /// One model (with a Bedrock target, whose inference profile carries the description) per entry.
    descriptions: Vec<String>,
    tags: BTreeMap<String, String>,
    /// Reasons of waivers on the Azure provider.
    reasons: Vec<String>,
    /// A target name: `[a-z][a-z0-9-]*`, the most the pattern allows.
    target: String,
}

const RESERVED_TAGS: &[&str] = &["managed-by", "meridian-address", "meridian-project"];

fn spec_text(h: &Hostile) -> String {
    let tags: Vec<String> = h
        .tags
        .iter()
        .map(|(k, v)| format!("    {} = {}", spec_string(k), spec_string(v)))
        .collect();
    let waivers: String = h
        .reasons
        .iter()
        .enumerate()
        .map(|(i, r)| {
            format!(
                "  waiver \"CKV_AZURE_{}\" {{\n    reason = {}\n  }}\n",
                900 + i,
                spec_string(r)
            )
        })
        .collect();
    let mut text = format!(
        "meridian {{\n  name = \"hostile\"\n  default_tags = {{\n{}\n  }}\n}}\n\n\
         provider \"azure\" \"corp\" {{\n  subscription_id = \"11111111-2222-3333-4444-555555555555\"\n  resource_group  = \"rg-ai\"\n  network {{\n    private_endpoint_subnet_id = \"/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/ai\"\n  }}\n{waivers}}}\n\n\
         provider \"aws\" \"corp\" {{\n  account_id = \"123456789012\"\n}}\n\n\
         emit \"terraform\" {{\n  path = \"tf\"\n}}\n",
        tags.join("\n")
    );
    for (i, d) in h.descriptions.iter().enumerate() {
        let azure = if i == 0 {
            "  tier \"secondary\" {\n    target \"aoai\" {\n      provider   = provider.azure.corp\n      model      = \"gpt-5.1\"\n      version    = \"2025-11-13\"\n      region     = \"swedencentral\"\n      processing = \"region\"\n    }\n  }\n"
        } else {
            ""
        };
        text.push_str(&format!(
            "\nmodel \"m{i}\" {{\n  description  = {}\n  capabilities = [\"chat\"]\n  tier \"primary\" {{\n    target \"{}\" {{\n      provider   = provider.aws.corp\n      model      = \"anthropic.claude-haiku-4-5-20251001-v1:0\"\n      region     = \"eu-west-1\"\n      processing = \"region\"\n    }}\n  }}\n{azure}}}\n",
            spec_string(d),
            h.target
        ));
    }
    text
}

/// The blocks of one resource type, across files: name → first block.
fn blocks<'v>(files: &'v BTreeMap<String, Value>, ty: &str) -> Vec<&'v Map<String, Value>> {
    files
        .values()
        .filter_map(|j| {
            j.pointer(&format!("/resource/{ty}"))
                .and_then(Value::as_object)
        })
        .flat_map(|m| m.values())
        .filter_map(|v| v.get(0).and_then(Value::as_object))
        .collect()
}

/// Generates Terraform from the hostile spec and checks the parsed values; returns the
/// Terraform directory (inside `out`).
fn round_trip(t: &Tools, h: &Hostile, out: &Path) -> Result<PathBuf, String> {
    let spec_dir = out.join("spec");
    std::fs::create_dir_all(&spec_dir).map_err(|e| e.to_string())?;
    let text = spec_text(h);
    std::fs::write(spec_dir.join("main.hcl"), &text).map_err(|e| e.to_string())?;
    let gen = out.join("gen");
    let o = meridian()
        .arg("generate")
        .arg("--out")
        .arg(&gen)
        .arg(&spec_dir)
        .output()
        .map_err(|e| e.to_string())?;
    if !o.status.success() {
        return Err(format!(
            "generate failed:\n{}\nspec:\n{text}",
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    let dir = gen.join("tf");
    let parsed = hcl2json(t, &dir);
    check_references(&parsed).map_err(|bad| bad.join("\n"))?;

    // Descriptions: on the inference profile of each model's Bedrock target.
    let profiles = blocks(&parsed, "aws_bedrock_inference_profile");
    if profiles.len() != h.descriptions.len() {
        return Err(format!(
            "{} profiles for {} models",
            profiles.len(),
            h.descriptions.len()
        ));
    }
    for (i, want) in h.descriptions.iter().enumerate() {
        let address = format!("aws.corp.inference-profile.m{i}-{}", h.target);
        let p = profiles
            .iter()
            .find(|p| {
                p.get("tags")
                    .and_then(|t| t.get("meridian-address"))
                    .and_then(Value::as_str)
                    == Some(address.as_str())
            })
            .ok_or_else(|| format!("no profile tagged {address}"))?;
        let got = p
            .get("description")
            .and_then(Value::as_str)
            .map(json_literal)
            .transpose()?;
        if got.as_deref() != Some(want.as_str()) {
            return Err(format!(
                "description of {address}: got {got:?}, wrote {want:?}"
            ));
        }
    }
    // Tags: every key and value on every tagged resource.
    let mut tagged = 0;
    for ty in [
        "aws_bedrock_inference_profile",
        "azurerm_cognitive_account",
        "aws_iam_policy",
    ] {
        for b in blocks(&parsed, ty) {
            let tags = b
                .get("tags")
                .and_then(Value::as_object)
                .ok_or_else(|| format!("{ty} has no tags"))?;
            let mut read = BTreeMap::new();
            for (k, v) in tags {
                let v = v
                    .as_str()
                    .ok_or_else(|| format!("{ty}: tag {k:?} is not a string"))?;
                read.insert(json_literal(k)?, json_literal(v)?);
            }
            for (k, v) in &h.tags {
                if read.get(k) != Some(v) {
                    return Err(format!(
                        "{ty}: tag {k:?} reads back as {:?}, wrote {v:?}",
                        read.get(k)
                    ));
                }
            }
            tagged += 1;
        }
    }
    if tagged < h.descriptions.len() + 1 {
        return Err(format!("only {tagged} tagged resources"));
    }
    // Waiver reasons: one comment line each, inside the Azure account.
    let azure = std::fs::read_to_string(dir.join("azure.tf")).map_err(|e| e.to_string())?;
    for (i, r) in h.reasons.iter().enumerate() {
        let line = format!("  #checkov:skip=CKV_AZURE_{}:{}", 900 + i, as_comment(r));
        if !azure.lines().any(|l| l == line) {
            return Err(format!("no line {line:?} in azure.tf"));
        }
    }
    Ok(dir)
}

/// Pieces hostile to HCL, YAML, TypeScript and comments.
const PIECES: &[&str] = &[
    "\"",
    "\\",
    "${",
    "%{",
    "$${",
    "%%{",
    "}",
    "{",
    "$",
    "%",
    "\n",
    "\r\n",
    "\t",
    "ü",
    "☃",
    "日本",
    "😀",
    "*/",
    "/*",
    "#",
    "//",
    "-",
    "- ",
    ": ",
    "&",
    "*",
    "!",
    "'",
    "`",
    "${x}",
    "%{ if true }",
    "\\n",
    "\\\"",
    " ",
    "a",
    "Z",
    "0",
    "\u{2028}",
    "\u{85}",
    "\u{0}",
    "\u{7f}",
    "=",
    "<<EOT",
    "\"\"\"",
];

fn hostile_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![4 => prop::sample::select(PIECES).prop_map(str::to_string), 1 => any::<char>().prop_map(String::from)];
    prop::collection::vec(piece, 1..10).prop_map(|p| p.concat())
}

fn hostile() -> impl Strategy<Value = Hostile> {
    (
        prop::collection::vec(hostile_string(), 1..4),
        prop::collection::btree_map(
            hostile_string().prop_filter("reserved tag", |k| !RESERVED_TAGS.contains(&k.as_str())),
            hostile_string(),
            1..6,
        ),
        // A waiver needs a reason with something other than white space in it.
        prop::collection::vec(
            hostile_string().prop_map(|r| {
                if r.trim().is_empty() {
                    format!("{r}.")
                } else {
                    r
                }
            }),
            1..4,
        ),
        "[a-z][a-z0-9-]{0,20}",
    )
        .prop_map(|(descriptions, tags, reasons, target)| Hostile {
            descriptions,
            tags,
            reasons,
            target,
        })
}

/// Fixed hostile strings: every piece at once, leading `-`, template sequences at the ends.
fn fixed_hostile() -> Hostile {
    let all: String = PIECES.concat();
    Hostile {
        descriptions: vec![
            all.clone(),
            "- leading dash: a \"quoted\" ${var.x} and %{ if x }y%{ endif }".into(),
            "$${already escaped} %%{too}\\".into(),
        ],
        tags: [
            (
                "cost \"center\"".to_string(),
                "${jsonencode(var.x)}".to_string(),
            ),
            (
                "-leading".to_string(),
                "line one\nline two\ttab".to_string(),
            ),
            ("ünïcödé ☃".to_string(), "*/ # not a comment //".to_string()),
            ("a${b}".to_string(), all.clone()),
            ("\\".to_string(), "\\".to_string()),
        ]
        .into(),
        reasons: vec![
            all,
            "multi\nline reason */ with \"quotes\"".into(),
            "- starts with a dash #".into(),
        ],
        target: "a-0--b-".into(),
    }
}

#[test]
fn fixed_hostile_strings_read_back_exactly_and_keep_checkov_parsing() {
    let t = tools();
    let out = tempfile::tempdir().expect("tempdir");
    let dir = round_trip(&t, &fixed_hostile(), out.path()).unwrap_or_else(|e| panic!("{e}"));
    let report = checkov(&t, &dir);
    let summary = report.get("summary").cloned().unwrap_or_default();
    assert_eq!(
        summary.get("parsing_errors").and_then(Value::as_u64),
        Some(0),
        "{summary}"
    );
    let failed = failed_checks(&report);
    assert!(
        failed.is_empty(),
        "checkov failed:\n  {}",
        failed.join("\n  ")
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn hostile_strings_read_back_exactly(h in hostile()) {
        let t = tools();
        let out = tempfile::tempdir().expect("tempdir");
        if let Err(e) = round_trip(&t, &h, out.path()) {
            prop_assert!(false, "{}", e);
        }
    }
}
