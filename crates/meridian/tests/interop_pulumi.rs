//! The generated Pulumi programs, checked by the real TypeScript toolchain.
//!
//! * Every example under `examples/` is generated with `meridian generate --out` and its
//!   `index.ts` type-checks with `tsc --noEmit` under the generated strict `tsconfig.json`,
//!   against the `@pulumi/*` packages `tests/interop/setup.sh` installs (linked into the
//!   output directory as `node_modules`; nothing is installed here).
//! * Hostile strings in every free-text field of a spec reach `index.ts` as string literals
//!   that the TypeScript compiler reads back exactly (`support/ts_literals.mjs`), and the
//!   program still type-checks.
//!
//! Without the tools these tests fail, saying how to install them.
#![cfg(feature = "interop")]

#[path = "support/common.rs"]
mod common;

use common::{example_dirs, meridian, repo, MISSING};
use meridian_emit::escape::hcl_string;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// `tests/interop/node_modules`, after checking it holds tsc and the Pulumi packages and that
/// node runs.
fn node_modules() -> PathBuf {
    let dir = repo().join("tests/interop/node_modules");
    let mut missing: Vec<String> = [
        "@pulumi/pulumi",
        "@pulumi/aws",
        "@pulumi/azure-native",
        "@pulumi/gcp",
        "typescript",
    ]
    .iter()
    .filter(|p| !dir.join(p).join("package.json").is_file())
    .map(|p| (*p).to_string())
    .collect();
    if !dir.join(".bin/tsc").exists() {
        missing.push("tsc".into());
    }
    if !std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        missing.push("node".into());
    }
    assert!(
        missing.is_empty(),
        "{MISSING} (not found: {})",
        missing.join(", ")
    );
    dir
}

/// Runs `meridian generate --out OUT SPEC_DIR` and returns the directories holding a
/// generated `Pulumi.yaml`.
fn generate(spec_dir: &Path, out: &Path) -> Vec<PathBuf> {
    let o = meridian()
        .arg("generate")
        .arg("--out")
        .arg(out)
        .arg(spec_dir)
        .output()
        .expect("run meridian");
    assert!(
        o.status.success(),
        "meridian generate {} failed:\n{}{}",
        spec_dir.display(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let mut found = Vec::new();
    pulumi_dirs(out, &mut found);
    found.sort();
    found
}

fn pulumi_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() {
            pulumi_dirs(&p, out);
        } else if p.file_name().is_some_and(|n| n == "Pulumi.yaml") {
            out.extend(p.parent().map(Path::to_path_buf));
        }
    }
}

/// Makes the installed packages resolvable from a generated program.
fn link_node_modules(program: &Path, node_modules: &Path) {
    let link = program.join("node_modules");
    if !link.exists() {
        #[cfg(unix)]
        std::os::unix::fs::symlink(node_modules, &link).expect("symlink node_modules");
        #[cfg(windows)]
        std::os::windows::fs::symlink_dir(node_modules, &link).expect("symlink node_modules");
    }
}

/// A copy of a spec directory's `*.hcl` files, with an `emit "pulumi"` block added when the
/// spec has none (the examples that only emit Terraform and LiteLLM).
fn spec_with_pulumi(example: &Path, into: &Path) {
    let mut has_pulumi = false;
    for e in std::fs::read_dir(example)
        .expect("read example")
        .filter_map(Result::ok)
    {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "hcl") {
            let text = std::fs::read_to_string(&p).expect("read spec file");
            has_pulumi |= text.contains("emit \"pulumi\"");
            std::fs::write(into.join(e.file_name()), text).expect("copy spec file");
        }
    }
    if !has_pulumi {
        std::fs::write(
            into.join("zz-emit-pulumi.hcl"),
            "emit \"pulumi\" {\n  path     = \"generated/pulumi\"\n  language = \"typescript\"\n}\n",
        )
        .expect("write emit block");
    }
}

#[test]
fn every_example_type_checks_with_tsc_against_the_real_pulumi_packages() {
    let node_modules = node_modules();
    let tsc = node_modules.join(".bin/tsc");
    let examples = example_dirs(&repo());
    let mut failures = Vec::new();
    for example in &examples {
        let name = example
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = tempfile::tempdir().expect("tempdir");
        let spec = tmp.path().join("spec");
        std::fs::create_dir(&spec).expect("mkdir");
        spec_with_pulumi(example, &spec);
        let programs = generate(&spec, &tmp.path().join("out"));
        assert_eq!(
            programs.len(),
            1,
            "{name}: expected one Pulumi program, found {programs:?}"
        );
        // Generating again gives the same bytes.
        let again = generate(&spec, &tmp.path().join("again"));
        for file in ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts"] {
            let a = std::fs::read(programs[0].join(file)).expect("read");
            let b = std::fs::read(again[0].join(file)).expect("read");
            assert!(a == b, "{name}: {file} differs between two runs");
        }
        let program = &programs[0];
        link_node_modules(program, &node_modules);
        let start = Instant::now();
        let o = std::process::Command::new(&tsc)
            .args(["--noEmit", "--pretty", "false", "-p"])
            .arg(program.join("tsconfig.json"))
            .current_dir(program)
            .output()
            .expect("run tsc");
        let took = start.elapsed();
        println!(
            "{name}: tsc --noEmit took {:.1}s, exit {:?}",
            took.as_secs_f64(),
            o.status.code()
        );
        if !o.status.success() {
            failures.push(format!(
                "{name}: tsc --noEmit failed ({:?}):\n{}{}",
                o.status.code(),
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The free-text values of a hostile spec.
#[derive(Debug, Clone)]
struct Hostile {
    tags: BTreeMap<String, String>,
    description: String,
    resource_group: String,
    rai_policy: String,
    bucket: String,
    workspace_id: String,
}

impl Hostile {
    fn spec(&self) -> String {
        let tags: Vec<String> = self
            .tags
            .iter()
            .map(|(k, v)| format!("    {} = {}", hcl_string(k), hcl_string(v)))
            .collect();
        format!(
            r#"meridian {{
  name = "hostile"
  default_tags = {{
{tags}
  }}
}}

provider "azure" "corp" {{
  subscription_id = "11111111-2222-3333-4444-555555555555"
  resource_group  = {rg}

  network {{
    private_endpoint_subnet_id = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/ai"
  }}
}}

provider "aws" "corp" {{
  account_id = "123456789012"
}}

provider "gcp" "corp" {{
  project = "hostile-project"
}}

model "chat" {{
  description  = {description}
  capabilities = ["chat"]
  azure {{
    rai_policy = {rai}
  }}
  tier "primary" {{
    target "aoai" {{
      provider   = provider.azure.corp
      model      = "gpt-5.1"
      version    = "2025-11-13"
      region     = "swedencentral"
      processing = "region"
    }}
  }}
  tier "secondary" {{
    target "bedrock" {{
      provider   = provider.aws.corp
      model      = "anthropic.claude-haiku-4-5-20251001-v1:0"
      region     = "eu-west-1"
      processing = "region"
    }}
    target "vertex" {{
      provider   = provider.gcp.corp
      model      = "gemini-3.5-flash"
      region     = "us-central1"
      processing = "geography"
    }}
  }}
}}

access "app" {{
  models = [model.chat]
  aws    = ["arn:aws:iam::123456789012:role/app"]
  azure  = ["3b9f6d1e-2c47-4a85-b0e3-7d12c9f4a6b8"]
  gcp    = ["serviceAccount:app@hostile-project.iam.gserviceaccount.com"]
}}

logging "audit" {{
  aws {{
    bucket = {bucket}
    region = "eu-west-1"
  }}
  azure {{
    workspace_id = {workspace}
    region       = "swedencentral"
  }}
  gcp {{
    bigquery_dataset = "hostile_logs"
    location         = "US"
  }}
}}

emit "pulumi" {{
  path     = "generated/pulumi"
  language = "typescript"
}}
"#,
            tags = tags.join("\n"),
            rg = hcl_string(&self.resource_group),
            description = hcl_string(&self.description),
            rai = hcl_string(&self.rai_policy),
            bucket = hcl_string(&self.bucket),
            workspace = hcl_string(&self.workspace_id),
        )
    }
}

/// What `support/ts_literals.mjs` read from a program.
#[derive(Debug, serde::Deserialize)]
struct Literals {
    strings: Vec<String>,
    tags: Vec<BTreeMap<String, String>>,
    descriptions: Vec<String>,
    diagnostics: Vec<String>,
    compiler: String,
}

/// Generates the hostile spec, reads `index.ts` back with the TypeScript compiler (one node
/// run) and checks every value arrived exactly.
fn round_trip(h: &Hostile) -> Result<(), String> {
    let node_modules = node_modules();
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let spec = tmp.path().join("spec");
    std::fs::create_dir(&spec).map_err(|e| e.to_string())?;
    let text = h.spec();
    std::fs::write(spec.join("main.hcl"), &text).map_err(|e| e.to_string())?;
    let o = meridian()
        .arg("generate")
        .arg("--out")
        .arg(tmp.path().join("out"))
        .arg(&spec)
        .output()
        .map_err(|e| e.to_string())?;
    if !o.status.success() {
        return Err(format!(
            "meridian generate failed:\n{}\nspec:\n{text}",
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    let program = tmp.path().join("out/generated/pulumi");
    link_node_modules(&program, &node_modules);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/ts_literals.mjs");
    let start = Instant::now();
    let o = std::process::Command::new("node")
        .arg(&script)
        .arg(&node_modules)
        .arg(&program)
        .output()
        .map_err(|e| e.to_string())?;
    if !o.status.success() {
        return Err(format!(
            "ts_literals.mjs failed:\n{}",
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    let lit: Literals =
        serde_json::from_slice(&o.stdout).map_err(|e| format!("ts_literals.mjs output: {e}"))?;
    println!(
        "read back with {} in {:.1}s",
        lit.compiler,
        start.elapsed().as_secs_f64()
    );
    let index = std::fs::read_to_string(program.join("index.ts")).unwrap_or_default();
    let context = || format!("\nindex.ts:\n{index}");
    if !lit.diagnostics.is_empty() {
        return Err(format!(
            "index.ts does not type-check:\n{}{}",
            lit.diagnostics.join("\n"),
            context()
        ));
    }
    if !lit.descriptions.contains(&h.description) {
        return Err(format!(
            "description {:?} not read back; descriptions: {:?}{}",
            h.description,
            lit.descriptions,
            context()
        ));
    }
    // The inference profile, IAM policy, Azure account, private endpoint... every taggable
    // resource carries the hostile default tags.
    if lit.tags.len() < 4 {
        return Err(format!(
            "expected tags on at least 4 resources, found {}{}",
            lit.tags.len(),
            context()
        ));
    }
    for tags in &lit.tags {
        for (k, v) in &h.tags {
            if tags.get(k) != Some(v) {
                return Err(format!(
                    "tag {k:?} = {v:?} not read back; tags: {tags:?}{}",
                    context()
                ));
            }
        }
    }
    for (what, s) in [
        ("resource_group", &h.resource_group),
        ("rai_policy", &h.rai_policy),
        ("bucket", &h.bucket),
        ("workspace_id", &h.workspace_id),
    ] {
        if !lit.strings.contains(s) {
            return Err(format!(
                "{what} {s:?} not read back as a string literal{}",
                context()
            ));
        }
    }
    Ok(())
}

#[test]
fn fixed_hostile_strings_survive_into_typescript() {
    let nasty = [
        "quote \" and 'single' and `back${tick}`",
        "back\\slash \\n \\u2028 \\\\",
        "${interpolation} %{directive} $${escaped} {{ tera }} {% tag %}",
        "*/ closes a comment /* opens one // line",
        "</script><script>alert(1)</script>",
        "line\nbreak\r\ncarriage\ttab",
        "separators \u{2028} and \u{2029}",
        "unicode ünïcødé 日本語 🎉 \u{202e}rtl \u{feff}bom",
        "\u{feff}leading byte order mark",
        "- leading dash",
        ": yaml # indicators & * ! | > % @",
        "control \u{1} \u{7f} \u{1b}[31m",
    ];
    let tags: BTreeMap<String, String> = nasty
        .iter()
        .enumerate()
        .map(|(i, s)| ((*s).to_string(), nasty[(i + 3) % nasty.len()].to_string()))
        .collect();
    let h = Hostile {
        tags,
        description: nasty.join(" | "),
        resource_group: "rg-\"ai\"-${x}-`y`".into(),
        rai_policy: "Policy */ \" \\ \n".into(),
        bucket: "bucket-\"x\"-</script>".into(),
        workspace_id: "/subscriptions/x/resourceGroups/\"rg\"/workspaces/${ws}\u{2028}".into(),
    };
    if let Err(e) = round_trip(&h) {
        panic!("{e}");
    }
}

const FRAGMENTS: &[&str] = &[
    "\"",
    "'",
    "\\",
    "`",
    "${",
    "%{",
    "$${",
    "}",
    "{{",
    "}}",
    "{%",
    "*/",
    "/*",
    "//",
    "</script>",
    "<!--",
    "\n",
    "\r\n",
    "\t",
    "\u{2028}",
    "\u{2029}",
    ": ",
    "#",
    "&",
    "*",
    "!",
    "|",
    ">",
    "@",
    "\u{0}",
    "\u{7f}",
    "\u{feff}",
    "\u{202e}",
    "ü",
    "日本",
    "🎉",
    "\\u2028",
    "\\n",
    " ",
    "a",
    "Z",
    "0",
];

fn hostile_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => prop::sample::select(FRAGMENTS).prop_map(String::from),
        1 => any::<char>().prop_map(String::from),
    ];
    (prop::collection::vec(piece, 1..8), any::<bool>()).prop_map(|(parts, dash)| {
        let s = parts.concat();
        if dash {
            format!("-{s}")
        } else {
            s
        }
    })
}

fn hostile() -> impl Strategy<Value = Hostile> {
    let reserved = |k: &String| {
        ![
            "managed-by",
            "meridian-address",
            "meridian-project",
            "__proto__",
        ]
        .contains(&k.as_str())
    };
    (
        prop::collection::btree_map(
            hostile_string().prop_filter("reserved tag", reserved),
            hostile_string(),
            1..6,
        ),
        hostile_string(),
        hostile_string(),
        hostile_string(),
        hostile_string(),
        hostile_string(),
    )
        .prop_map(
            |(tags, description, resource_group, rai_policy, bucket, workspace_id)| Hostile {
                tags,
                description,
                resource_group,
                rai_policy,
                bucket,
                workspace_id,
            },
        )
}

proptest! {
    // Each case is one `meridian generate` and one TypeScript compiler run (several seconds).
    #![proptest_config(ProptestConfig { cases: 3, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_hostile_strings_survive_into_typescript(h in hostile()) {
        if let Err(e) = round_trip(&h) {
            prop_assert!(false, "{}", e);
        }
    }
}
