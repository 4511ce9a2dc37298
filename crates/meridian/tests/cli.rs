//! The command line as users run it: exit codes, output shapes, help text, files written.

#[path = "support/common.rs"]
mod common;

use common::{meridian, run};
use std::path::Path;

const SPEC: &str = r#"meridian {
  name = "cli-test"
}

variable "region" {
  type    = string
  default = "swedencentral"
}

provider "azure" "corp" {
  subscription_id = "11111111-2222-3333-4444-555555555555"
  resource_group  = "rg-ai"
}

model "chat" {
  capabilities = ["chat"]
  tier "primary" {
    target "aoai" {
      provider   = provider.azure.corp
      model      = "gpt-4.1"
      version    = "2025-04-14"
      region     = var.region
      processing = "region"
    }
  }
}
"#;

fn spec_dir(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.hcl"), text).expect("write");
    dir
}

#[test]
fn version_and_help_with_examples_on_every_command() {
    let (code, out, _) = run(meridian().arg("--version"));
    assert_eq!(code, 0);
    assert!(out.starts_with("meridian "), "{out}");
    for cmd in [
        vec!["--help"],
        vec!["init", "--help"],
        vec!["validate", "--help"],
        vec!["inspect", "--help"],
        vec!["fmt", "--help"],
        vec!["graph", "--help"],
        vec!["catalog", "models", "--help"],
        vec!["catalog", "regions", "--help"],
        vec!["catalog", "show", "--help"],
        vec!["catalog", "where", "--help"],
        vec!["completions", "--help"],
        vec!["refresh", "--help"],
        vec!["import", "--help"],
        vec!["simulate", "--help"],
        vec!["report", "--help"],
    ] {
        let (code, out, _) = run(meridian().args(&cmd));
        assert_eq!(code, 0, "{cmd:?}");
        assert!(
            out.contains("Examples:"),
            "{cmd:?} help has no example:\n{out}"
        );
    }
}

#[test]
fn init_writes_a_spec_that_validates_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, _, err) = run(meridian().arg("init").arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert!(dir.path().join(".meridian").is_dir());
    let (code, out, err) = run(meridian().arg("validate").arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Success! The spec is valid."), "{out}");
    let (code, _, err) = run(meridian().arg("init").arg(dir.path()));
    assert_eq!(code, 1);
    assert!(err.contains("--force"), "{err}");
    let (code, _, _) = run(meridian().arg("init").arg("--force").arg(dir.path()));
    assert_eq!(code, 0);
}

#[test]
fn validate_json_is_one_object_shaped_like_terraform() {
    let dir = spec_dir(&SPEC.replace("\"chat\"]", "\"chat\"]\n  contxt = 5"));
    let (code, out, _) = run(meridian().args(["validate", "--json"]).arg(dir.path()));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("exactly one JSON object");
    assert_eq!(v["valid"], false);
    assert_eq!(v["error_count"], 1);
    assert_eq!(v["warning_count"], 0);
    let d = &v["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "MRD-SPEC-002");
    assert!(d["summary"].as_str().is_some_and(|s| s.contains("contxt")));
    assert!(d["detail"]
        .as_str()
        .is_some_and(|s| s.contains("Did you mean \"context\"?")));
    assert!(d["range"]["filename"]
        .as_str()
        .is_some_and(|f| f.ends_with("main.hcl")));
    assert_eq!(d["range"]["start"]["line"], 17);
    assert_eq!(d["range"]["start"]["column"], 3);
    assert_eq!(d["range"]["end"]["column"], 9);

    let dir = spec_dir(SPEC);
    let (code, out, _) = run(meridian().args(["validate", "--json"]).arg(dir.path()));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["valid"], true);
    assert_eq!(v["diagnostics"].as_array().map(Vec::len), Some(0));
}

#[test]
fn human_output_has_a_code_frame_and_no_colour_off_a_terminal() {
    let dir = spec_dir(&SPEC.replace("gpt-4.1", "gpt-4.1x"));
    let (code, _, err) = run(meridian().arg("validate").arg(dir.path()));
    assert_eq!(code, 1);
    assert!(
        err.contains("error[MRD-CAT-002]: Unknown azure model \"gpt-4.1x\""),
        "{err}"
    );
    assert!(err.contains("main.hcl:20:20"), "{err}");
    assert!(err.contains("^^^^^^^^^^"), "{err}");
    assert!(err.contains("Did you mean \"gpt-4.1\"?"), "{err}");
    assert!(!err.contains('\x1b'), "colour off a terminal");
}

#[test]
fn variables_from_flags_files_and_environment() {
    let dir = spec_dir(SPEC);
    // Terraform's one-dash spelling; a region where gpt-4.1 Standard is not offered.
    let (code, out, _) = run(meridian()
        .args(["validate", "--json", "-var", "region=southafricanorth"])
        .arg(dir.path()));
    assert_eq!(code, 1);
    assert!(out.contains("MRD-CAT-005"), "{out}");
    let (code, _, _) = run(meridian()
        .args(["validate"])
        .arg(dir.path())
        .env("MERIDIAN_VAR_region", "eastus2"));
    assert_eq!(code, 0);
    let (code, out, _) = run(meridian()
        .args(["validate", "--json", "--var", "nope=1", "--var", "oops"])
        .arg(dir.path()));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(codes, ["MRD-VAR-003", "MRD-VAR-004"]);
    assert_eq!(v["diagnostics"][0]["range"]["filename"], "<command line>");

    let vars = dir.path().join("prod.mvars");
    std::fs::write(&vars, "region = \"westus3\"\nunused = 1\nblock {}\n").expect("write");
    let (code, out, _) = run(meridian()
        .args(["validate", "--json", "-var-file"])
        .arg(&vars)
        .arg(dir.path()));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let found: Vec<(String, String)> = v["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["severity"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        found.contains(&("MRD-VAR-003".into(), "warning".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("MRD-VAR-004".into(), "error".into())),
        "{found:?}"
    );
}

#[test]
fn reading_problems_are_reported() {
    let (code, _, err) = run(meridian().args(["validate", "/nonexistent/spec"]));
    assert_eq!(code, 1);
    assert!(err.contains("MRD-IO-001"), "{err}");
    let empty = tempfile::tempdir().expect("tempdir");
    let (code, _, err) = run(meridian().arg("validate").arg(empty.path()));
    assert_eq!(code, 1);
    assert!(
        err.contains("MRD-IO-002") && err.contains("meridian init"),
        "{err}"
    );
}

#[test]
fn fmt_check_diff_and_rewrite() {
    let messy = "model \"a\" {\n      description = \"x\"\n  context = 5 # keep me\n}\n";
    let dir = spec_dir(messy);
    let file = dir.path().join("main.hcl");
    let (code, out, _) = run(meridian()
        .args(["fmt", "--check", "--diff"])
        .arg(dir.path()));
    assert_eq!(code, 3);
    assert!(
        out.contains("main.hcl")
            && out.contains("-      description")
            && out.contains("+  description"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        messy,
        "--check changes nothing"
    );
    let (code, _, _) = run(meridian().arg("fmt").arg(dir.path()));
    assert_eq!(code, 0);
    let formatted = std::fs::read_to_string(&file).expect("read");
    assert!(
        formatted.contains("  description = \"x\"\n  context     = 5 # keep me"),
        "{formatted}"
    );
    let (code, out, _) = run(meridian().args(["fmt", "--check"]).arg(dir.path()));
    assert_eq!((code, out.as_str()), (0, ""));
    std::fs::write(&file, "model {").expect("write");
    let (code, _, err) = run(meridian().arg("fmt").arg(&file));
    assert_eq!(code, 1);
    assert!(err.contains("main.hcl:1:"), "{err}");
}

#[test]
fn catalog_listings() {
    let (code, out, _) = run(meridian().args(["catalog", "models", "--provider", "aws"]));
    assert_eq!(code, 0);
    assert!(out.contains("anthropic.claude-sonnet-4-5-20250929-v1:0"));
    assert!(
        !out.lines()
            .skip(1)
            .any(|l| l.starts_with("azure") || l.starts_with("gcp")),
        "{out}"
    );
    let (code, out, _) = run(meridian().args(["catalog", "regions", "--json"]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert!(v.as_array().map_or(0, Vec::len) >= 60);
    let overlay = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(overlay.path(), "{ \"models\": [ }").expect("write");
    let (code, _, err) = run(meridian()
        .args(["catalog", "models", "--overlay"])
        .arg(overlay.path()));
    assert_eq!(code, 1);
    assert!(err.contains("MRD-CAT-008"), "{err}");
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let (code, out, _) = run(meridian().args(["completions", shell]));
        assert_eq!(code, 0);
        assert!(out.contains("validate"), "{shell}");
    }
}

#[test]
fn inspect_shows_footprints_and_refuses_invalid_specs() {
    let dir = spec_dir(SPEC);
    let (code, out, _) = run(meridian().arg("inspect").arg(dir.path()));
    assert_eq!(code, 0);
    assert!(
        out.contains("processes in swedencentral (SE), swedensouth (SE) via Standard"),
        "{out}"
    );
    let (code, out, _) = run(meridian().args(["inspect", "--json"]).arg(dir.path()));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        v["models"][0]["tiers"][0]["targets"][0]["footprint"]["countries"][0],
        "SE"
    );
    let bad = spec_dir("model {");
    let (code, _, _) = run(meridian().arg("inspect").arg(bad.path()));
    assert_eq!(code, 1);
}

/// Warnings the bundled examples may carry: catalog facts the built-in data marks unverified
/// (whether they appear follows the data, and each names its fact), and the deprecation of
/// gpt-5.1 2025-11-13, which examples use on purpose: in Sweden, Azure offers in-region
/// (Standard) deployments only of deprecated or legacy versions.
const ALLOWED_IN_EXAMPLES: [&str; 2] = ["MRD-CAT-011", "MRD-CAT-013"];

#[test]
fn bundled_examples_validate_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut seen = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&root)
        .expect("examples")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for dir in entries
        .into_iter()
        .filter(|p| p.is_dir() && p.join("README.md").exists())
    {
        seen += 1;
        let (code, out, err) = run(meridian().args(["validate", "--json"]).arg(&dir));
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert_eq!(code, 0, "{} is invalid:\n{out}\n{err}", dir.display());
        // The only warnings allowed are about catalog facts the built-in data marks
        // unverified: whether they appear follows the data, and each names its fact.
        let warnings: Vec<&serde_json::Value> = v["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter(|d| !ALLOWED_IN_EXAMPLES.contains(&d["code"].as_str().unwrap_or_default()))
            .collect();
        assert!(
            warnings.is_empty(),
            "{} has warnings:\n{out}",
            dir.display()
        );
        for d in v["diagnostics"].as_array().expect("diagnostics") {
            let detail = d["detail"].as_str().unwrap_or_default();
            if d["code"] == "MRD-CAT-011" {
                assert!(detail.contains("verified: false: "), "{d}");
            } else {
                assert!(
                    d["summary"] == "gpt-5.1 version 2025-11-13 is deprecated since 2026-11-13",
                    "{d}"
                );
            }
        }
    }
    assert!(seen >= 3, "expected at least three examples, found {seen}");
}

#[test]
fn graph_prints_dot_and_mermaid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/eu-bank");
    let (code, out, err) = run(meridian().arg("graph").arg(&root));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("digraph meridian {"), "{out}");
    assert!(out.contains("\"azure.corp.deployment.assistant-aoai-sweden\" -> \"azure.corp.account.swedencentral\";"), "{out}");
    let (code, out, _) = run(meridian().args(["graph", "--format", "mermaid"]).arg(&root));
    assert_eq!(code, 0);
    assert!(
        out.starts_with("flowchart RL\n") && out.contains(" --> "),
        "{out}"
    );
    let bad = spec_dir("model {");
    let (code, _, _) = run(meridian().arg("graph").arg(bad.path()));
    assert_eq!(code, 1);
}

#[test]
fn bundled_specs_are_in_canonical_layout() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let (code, out, err) = run(meridian()
        .args(["fmt", "--check", "--recursive"])
        .arg(root.join("examples"))
        .arg(root.join("tests/fixtures/valid")));
    assert_eq!(code, 0, "not formatted:\n{out}{err}");
}

/// `meridian generate --json` in `dir`: (files written, files left unchanged), each sorted.
fn generate_json(dir: &Path) -> (Vec<String>, Vec<String>) {
    let (code, out, err) = run(meridian().args(["generate", "--json"]).arg(dir));
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("generate --json");
    let list = |key: &str| {
        let mut l: Vec<String> = v[key]
            .as_array()
            .expect("list")
            .iter()
            .map(|p| p.as_str().expect("path").to_string())
            .collect();
        l.sort();
        l
    };
    (list("written"), list("unchanged"))
}

#[test]
fn a_change_to_one_model_rewrites_only_the_files_that_mention_it() {
    let dir = common::example("eu-bank");
    let (first, unchanged) = generate_json(dir.path());
    assert!(unchanged.is_empty() && first.len() == 11, "{first:?}");
    // The files that mention the triage model's description, before the change.
    let old = "Routes incoming customer e-mails and chat transcripts to the right team";
    let mentioning: Vec<String> = first
        .iter()
        .filter(|f| {
            std::fs::read_to_string(dir.path().join(f))
                .expect("generated file")
                .contains(old)
        })
        .cloned()
        .collect();
    assert_eq!(
        mentioning,
        [
            "generated/pulumi/index.ts",
            "generated/router/litellm.yaml",
            "generated/terraform/aws.tf",
        ],
        "the description reaches the Bedrock profiles and the router's model info"
    );
    common::edit(
        dir.path(),
        "models.hcl",
        old,
        "Routes customer e-mails, chat transcripts and call notes to the right team",
    );
    let (written, unchanged) = generate_json(dir.path());
    assert_eq!(
        written, mentioning,
        "only the files naming the model change"
    );
    assert_eq!(unchanged.len(), first.len() - mentioning.len());

    // A comment changes no generated file at all: no header carries a digest of the spec.
    common::edit(
        dir.path(),
        "models.hcl",
        "# Logical models.",
        "# The logical models.",
    );
    let (written, unchanged) = generate_json(dir.path());
    assert!(written.is_empty(), "{written:?}");
    assert_eq!(unchanged.len(), first.len());
    let header = std::fs::read_to_string(dir.path().join("generated/terraform/versions.tf"))
        .expect("versions.tf");
    assert!(
        header.starts_with(
            "# Generated by Meridian from access.hcl, main.hcl, models.hcl, providers.hcl. Do not edit"
        ),
        "{header}"
    );
}

#[test]
fn usage_errors_exit_1_and_help_and_version_exit_0() {
    // `-detailed-exitcode` reserves 2 for "changes": a typo in a pipeline must not read as one.
    for args in [
        vec!["plan", "--bogus"],
        vec!["plan", "-bogus"],
        vec!["bogus-command"],
        vec!["show"],
        vec!["plan", "--format", "xml"],
        vec!["plan", "--refresh=maybe"],
        vec!["refresh", "--parallelism", "0"],
        vec![],
    ] {
        let (code, out, err) = run(meridian().args(&args));
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: usage goes to stderr: {out}");
        assert!(
            err.starts_with("error:") || err.contains("Usage:"),
            "{args:?}: {err}"
        );
    }
    for args in [
        vec!["--help"],
        vec!["-h"],
        vec!["--version"],
        vec!["-V"],
        vec!["help", "plan"],
        vec!["plan", "--help"],
    ] {
        let (code, out, _) = run(meridian().args(&args));
        assert_eq!(code, 0, "{args:?}");
        assert!(!out.is_empty(), "{args:?}");
    }
}

#[test]
fn variable_files_and_flags_apply_in_terraform_precedence() {
    // gpt-4.1 Standard is not offered in southafricanorth (MRD-CAT-005); it is in eastus2.
    let dir = spec_dir(SPEC);
    let bad = dir.path().join("bad.mvars");
    std::fs::write(&bad, "region = \"southafricanorth\"\n").expect("write");
    let validate = |args: &[&str]| {
        let (code, out, _) = run(meridian()
            .arg("validate")
            .arg("--json")
            .args(args)
            .arg(dir.path()));
        (code, out.contains("MRD-CAT-005"))
    };
    let bad = bad.display().to_string();
    // -var-file and -var apply in command-line order: the last one wins.
    assert_eq!(
        validate(&["-var-file", &bad, "-var", "region=eastus2"]),
        (0, false)
    );
    assert_eq!(
        validate(&["-var", "region=eastus2", "-var-file", &bad]),
        (1, true)
    );
    assert_eq!(
        validate(&[&format!("--var-file={bad}"), "--var=region=eastus2"]),
        (0, false)
    );

    // meridian.mvars is read without being named, after the environment ...
    std::fs::write(
        dir.path().join("meridian.mvars"),
        "region = \"southafricanorth\"\n",
    )
    .expect("write");
    assert_eq!(validate(&[]), (1, true));
    let (code, _, _) = run(meridian()
        .args(["validate"])
        .arg(dir.path())
        .env("MERIDIAN_VAR_region", "eastus2"));
    assert_eq!(code, 1, "meridian.mvars beats MERIDIAN_VAR_region");
    // ... *.auto.mvars after it, and the command line last.
    std::fs::write(dir.path().join("z.auto.mvars"), "region = \"eastus2\"\n").expect("write");
    assert_eq!(validate(&[]), (0, false));
    assert_eq!(validate(&["-var-file", &bad]), (1, true));

    // A problem in an auto-loaded file is located in it.
    std::fs::write(dir.path().join("z.auto.mvars"), "region = \"eastus2\n").expect("write");
    let (code, out, _) = run(meridian().args(["validate", "--json"]).arg(dir.path()));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let d = &v["diagnostics"];
    assert_eq!(d.as_array().map(Vec::len), Some(1), "{out}");
    assert_eq!(d[0]["code"], "MRD-SYN-001");
    assert!(
        d[0]["range"]["filename"]
            .as_str()
            .is_some_and(|f| f.ends_with("z.auto.mvars")),
        "{out}"
    );
    assert_eq!(d[0]["range"]["start"]["line"], 1);
    assert_eq!(d[0]["range"]["start"]["column"], 10);
}

#[test]
fn fmt_locates_syntax_errors_like_validate() {
    let dir = spec_dir("model \"a\" {\n  description = \"no end\n}\n\nmodel \"b\" {\n}\n");
    let (code, _, err) = run(meridian().args(["fmt", "--check"]).arg(dir.path()));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("main.hcl:2:17: Unterminated string"), "{err}");
}
