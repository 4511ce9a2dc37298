//! Loading, evaluation and decoding: behaviour users rely on, including the diagnostics for
//! bad input.

use meridian_diag::Diagnostics;
use meridian_spec::{load, load_text, Inputs, Value};
use std::io::Write as _;

const BASE: &str = r#"
meridian {
  name         = "ebk-assistants"
  default_tags = { cost_center = "cc-4711", owner = local.owner }
}

variable "primary_region" {
  type    = string
  default = "swedencentral"
}

variable "capacity" {
  type    = number
  default = 100
}

locals {
  owner  = "ml-${lower("PLATFORM")}"
  label  = local.suffix
  suffix = format("%s-%d", var.primary_region, var.capacity)
}

provider "azure" "corp" {
  subscription_id = "11111111-2222-3333-4444-555555555555"
  resource_group  = "rg-ai"
}

residency "eu" {
  geographies = ["eu"]
  processing  = "geography"
}

model "assistant" {
  capabilities = ["chat", "tools"]
  context      = 128000
  residency    = residency.eu
  tier "primary" {
    target "aoai-sweden" {
      provider   = provider.azure.corp
      model      = "gpt-4.1"
      version    = "2025-04-14"
      region     = var.primary_region
      processing = "geography"
      capacity   = var.capacity
    }
  }
}

access "portal" {
  models = [model.assistant]
  azure  = ["11111111-2222-3333-4444-555555555555"]
}
"#;

fn codes(d: &Diagnostics) -> Vec<&'static str> {
    d.iter().map(|d| d.code.id).collect()
}

fn text_at(loaded: &meridian_spec::Loaded, i: usize) -> String {
    let d = loaded.diagnostics.iter().nth(i).expect("diagnostic");
    let span = d.primary.expect("a range");
    let file = loaded.sources.get(span.file).expect("file");
    file.text[span.start..span.end].to_string()
}

#[test]
fn evaluates_variables_locals_templates_and_references() {
    let l = load_text("main.hcl", BASE, &Inputs::default());
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let m = l.spec.meridian.as_ref().expect("meridian");
    assert_eq!(
        m.name.as_ref().map(|n| n.value.as_str()),
        Some("ebk-assistants")
    );
    assert_eq!(m.default_tags[1].1.value, "ml-platform");
    let model = &l.spec.models[0];
    assert_eq!(
        model.residency.as_ref().map(|r| r.value.as_str()),
        Some("eu")
    );
    let target = &model.tiers[0].targets[0];
    assert_eq!(target.name.value, "aoai-sweden");
    assert_eq!(
        target.region.as_ref().map(|r| r.value.as_str()),
        Some("swedencentral")
    );
    assert_eq!(target.capacity.as_ref().map(|c| c.value), Some(100));
    let p = target.provider.as_ref().expect("provider");
    assert_eq!(
        (p.value.cloud.as_str(), p.value.name.as_str()),
        ("azure", "corp")
    );
    assert_eq!(l.spec.access[0].models[0].value, "assistant");
    // The region came from a variable default: its span is the reference site.
    let span = target.region.as_ref().expect("region").span;
    let file = l.sources.get(span.file).expect("file");
    assert_eq!(&file.text[span.start..span.end], "var.primary_region");
}

#[test]
fn cli_env_and_file_inputs_override_defaults_in_terraform_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let vf = dir.path().join("prod.mvars");
    std::fs::File::create(&vf)
        .and_then(|mut f| f.write_all(b"capacity = 300\nprimary_region = \"francecentral\"\n"))
        .expect("write");
    let inputs = Inputs {
        vars: vec!["primary_region=germanywestcentral".into()],
        var_files: vec![vf],
        env: vec![
            ("capacity".into(), "50".into()),
            ("primary_region".into(), "westeurope".into()),
        ],
        ..Inputs::default()
    };
    let l = load_text("main.hcl", BASE, &inputs);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let t = &l.spec.models[0].tiers[0].targets[0];
    // -var beats the var file, which beats the environment.
    assert_eq!(
        t.region.as_ref().map(|r| r.value.as_str()),
        Some("germanywestcentral")
    );
    assert_eq!(t.capacity.as_ref().map(|c| c.value), Some(300));
}

#[test]
fn variable_errors_are_reported() {
    let src = "variable \"n\" {\n  type = number\n}\nvariable \"tags\" {\n  type    = list(string)\n  default = [\"a\", [\"b\"]]\n}\n";
    let l = load_text("main.hcl", src, &Inputs::default());
    assert_eq!(codes(&l.diagnostics), vec!["MRD-VAR-001", "MRD-VAR-002"]);
    let d: Vec<_> = l.diagnostics.iter().collect();
    assert!(d[1].detail.contains("element [1]"), "{}", d[1].detail);
    assert_eq!(text_at(&l, 1), "[\"b\"]");

    let bad = Inputs {
        vars: vec!["n=abc".into(), "nope=1".into(), "oops".into()],
        ..Inputs::default()
    };
    let l = load_text("main.hcl", "variable \"n\" {\n  type = number\n}\n", &bad);
    let mut c = codes(&l.diagnostics);
    c.sort_unstable();
    assert_eq!(c, vec!["MRD-VAR-003", "MRD-VAR-004", "MRD-VAR-004"]);
}

#[test]
fn unknown_names_get_did_you_mean_hints() {
    let src = "modle \"x\" {}\nmodel \"m\" {\n  contxt = 5\n  residency = residency.euu\n  tier \"p\" {\n    targett \"t\" {}\n  }\n}\nresidency \"eu\" {\n  geographies = [\"eu\"]\n}\n";
    let l = load_text("main.hcl", src, &Inputs::default());
    let details: Vec<String> = l
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.code.id, d.detail))
        .collect();
    assert!(
        details
            .iter()
            .any(|d| d.starts_with("MRD-SPEC-001") && d.contains("Did you mean \"model\"?")),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .any(|d| d.starts_with("MRD-SPEC-002") && d.contains("Did you mean \"context\"?")),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .any(|d| d.starts_with("MRD-EXPR-001") && d.contains("Did you mean \"eu\"?")),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .any(|d| d.starts_with("MRD-SPEC-001") && d.contains("Did you mean \"target\"?")),
        "{details:?}"
    );
    // every diagnostic has a range
    assert!(l.diagnostics.iter().all(|d| d.primary.is_some()));
}

#[test]
fn locals_cycle_names_the_cycle() {
    let src = "locals {\n  a = local.b\n  b = \"${local.c}x\"\n  c = local.a\n  d = 1\n}\n";
    let l = load_text("main.hcl", src, &Inputs::default());
    assert_eq!(codes(&l.diagnostics), vec!["MRD-EXPR-005"]);
    let d = l.diagnostics.iter().next().expect("one");
    assert!(
        d.summary
            .contains("local.a -> local.b -> local.c -> local.a"),
        "{}",
        d.summary
    );
}

#[test]
fn env_function_is_refused_with_reason() {
    let src = "locals {\n  k = env(\"AWS_SECRET_ACCESS_KEY\")\n}\n";
    let l = load_text("main.hcl", src, &Inputs::default());
    assert_eq!(codes(&l.diagnostics), vec!["MRD-EXPR-002"]);
    assert!(l
        .diagnostics
        .iter()
        .next()
        .is_some_and(|d| d.detail.contains("secrets")));
    assert_eq!(text_at(&l, 0), "env(\"AWS_SECRET_ACCESS_KEY\")");
}

#[test]
fn syntax_errors_have_a_range() {
    let l = load_text(
        "main.hcl",
        "model \"a\" {\n  context = \n}\n",
        &Inputs::default(),
    );
    assert_eq!(codes(&l.diagnostics), vec!["MRD-SYN-001"]);
    let span = l
        .diagnostics
        .iter()
        .next()
        .and_then(|d| d.primary)
        .expect("range");
    let (_, start, _) = l.sources.resolve(span).expect("resolves");
    assert_eq!(start.line, 2);
}

#[test]
fn duplicates_point_at_both_definitions() {
    let src = "residency \"eu\" {\n  geographies = [\"eu\"]\n}\nresidency \"eu\" {\n  countries = [\"DE\"]\n}\npolicy {}\npolicy {}\n";
    let l = load_text("main.hcl", src, &Inputs::default());
    assert_eq!(codes(&l.diagnostics), vec!["MRD-SPEC-005", "MRD-SPEC-005"]);
    assert!(l.diagnostics.iter().all(|d| d.secondary.len() == 1));
}

#[test]
fn directory_specs_merge_files_and_references_cross_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("a.hcl"),
        "residency \"eu\" {\n  geographies = [\"eu\"]\n}\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("b.hcl"),
        "model \"m\" {\n  residency = residency.eu\n}\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("notes.txt"), "ignored").expect("write");
    let l = load(dir.path(), &Inputs::default());
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    assert_eq!(l.spec.files.len(), 2);
    assert_eq!(
        l.spec.models[0]
            .residency
            .as_ref()
            .map(|r| r.value.as_str()),
        Some("eu")
    );

    let empty = tempfile::tempdir().expect("tempdir");
    let l = load(empty.path(), &Inputs::default());
    assert_eq!(codes(&l.diagnostics), vec!["MRD-IO-002"]);
}

#[test]
fn strings_instead_of_references_are_explained() {
    let src =
        "residency \"eu\" {\n  geographies = [\"eu\"]\n}\nmodel \"m\" {\n  residency = \"eu\"\n}\n";
    let l = load_text("main.hcl", src, &Inputs::default());
    assert_eq!(codes(&l.diagnostics), vec!["MRD-SPEC-006"]);
    assert!(l
        .diagnostics
        .iter()
        .next()
        .is_some_and(|d| d.detail.contains("residency = residency.eu")));
}

#[test]
fn long_strings_are_kept_for_the_secret_scan() {
    let src =
        "meridian {\n  name = \"x\"\n  default_tags = { api_key = \"AKIAABCDEFGHIJKLMNOP\" }\n}\n";
    let l = load_text("main.hcl", src, &Inputs::default());
    assert_eq!(l.spec.strings.len(), 1);
    assert_eq!(l.spec.strings[0].key, "api_key");
    assert!(
        matches!(Value::String(l.spec.strings[0].value.clone()), Value::String(s) if s.starts_with("AKIA"))
    );
}

#[test]
fn unused_locals_are_scanned_for_secrets_too() {
    let src = "locals {\n  unused_token = \"ghp_abcdefghijklmnopqrstuvwxyz0123456789\"\n}\n";
    let l = load_text("main.hcl", src, &Inputs::default());
    assert_eq!(l.spec.strings.len(), 1);
    assert_eq!(l.spec.strings[0].key, "unused_token");
}

/// The value a variable of a loaded spec ended up with, as a string.
fn var_value(l: &meridian_spec::Loaded, name: &str) -> String {
    let v = l
        .spec
        .variables
        .iter()
        .find(|v| v.name.value == name)
        .unwrap_or_else(|| panic!("variable {name}"));
    match v.value.as_ref().map(|v| &v.value) {
        Some(Value::String(s)) => s.clone(),
        other => panic!("{name}: {other:?}"),
    }
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

/// (file name, line:col) of a finding's range.
fn place(l: &meridian_spec::Loaded, d: &meridian_diag::Diagnostic) -> (String, String) {
    let (file, start, _) = l
        .sources
        .resolve(d.primary.expect("a range"))
        .expect("resolves");
    let name = file
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (name, format!("{}:{}", start.line, start.column))
}

#[test]
fn variable_values_apply_in_terraform_precedence() {
    use meridian_spec::InputKind::{Var, VarFile};
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let decls: String = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .map(|n| format!("variable \"{n}\" {{\n  type    = string\n  default = \"default\"\n}}\n"))
        .collect();
    write(d, "main.hcl", &decls);
    write(d, "meridian.mvars", "c = \"mvars\"\nd = \"mvars\"\n");
    write(d, "1.auto.mvars", "d = \"auto1\"\ne = \"auto1\"\n");
    // Lexical order of names: 1, 10, 9.
    write(d, "10.auto.mvars", "e = \"auto10\"\n");
    write(d, "9.auto.mvars", "e = \"auto9\"\nf = \"auto9\"\n");
    // Neither is an auto-loaded variable file.
    write(d, "old.auto.mvars.bak", "a = \"backup\"\n");
    std::fs::create_dir(d.join("dir.auto.mvars")).expect("mkdir");
    let one = write(d, "one.mvars", "f = \"one\"\ng = \"one\"\ni = \"one\"\n");
    let two = write(d, "two.mvars", "h = \"two\"\ni = \"two\"\n");
    // -var-file one.mvars -var g=var -var h=var -var-file two.mvars
    let inputs = Inputs {
        vars: vec!["g=var".into(), "h=var".into()],
        var_files: vec![one.clone(), two.clone()],
        env: vec![("b".into(), "env".into()), ("c".into(), "env".into())],
        order: vec![VarFile, Var, Var, VarFile],
    };
    let l = load(d, &inputs);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let got: Vec<String> = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .map(|n| var_value(&l, n))
        .collect();
    assert_eq!(
        got,
        ["default", "env", "mvars", "auto1", "auto9", "one", "var", "two", "two"]
    );
    // Without the command-line order, var files come before every -var.
    let l = load(
        d,
        &Inputs {
            order: Vec::new(),
            ..inputs
        },
    );
    assert_eq!(var_value(&l, "h"), "var");
    // A spec given as text reads no variable file it is not given.
    let l = load_text(
        &d.join("main.hcl").display().to_string(),
        &decls,
        &Inputs::default(),
    );
    assert_eq!(var_value(&l, "c"), "default");
}

#[test]
fn problems_in_auto_loaded_variable_files_are_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "main.hcl",
        "variable \"n\" {\n  type = number\n}\nvariable \"s\" {\n  type = string\n}\n",
    );
    write(d, "meridian.mvars", "s = \"ok\"\nn = [\n");
    let l = load(d, &Inputs::default());
    // The file that does not parse is the only finding: no "missing value" for n or s.
    assert_eq!(codes(&l.diagnostics), ["MRD-SYN-001"]);
    let first = l.diagnostics.iter().next().expect("one");
    assert_eq!(place(&l, first), ("meridian.mvars".into(), "2:5".into()));

    write(d, "meridian.mvars", "s = \"ok\"\n");
    write(d, "b.auto.mvars", "\nn = \"many\"\nsize = 3\n");
    let l = load(d, &Inputs::default());
    let mut found: Vec<(&str, (String, String), String)> = l
        .diagnostics
        .iter()
        .enumerate()
        .map(|(i, d)| (d.code.id, place(&l, d), text_at(&l, i)))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (
                "MRD-VAR-002",
                ("b.auto.mvars".into(), "2:5".into()),
                "\"many\"".into()
            ),
            (
                "MRD-VAR-003",
                ("b.auto.mvars".into(), "3:1".into()),
                "size".into()
            ),
        ]
    );
}

#[test]
fn a_file_that_does_not_parse_has_no_follow_on_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "a.hcl",
        "meridian {\n  name = var.project\n}\nmodel \"m\" {\n  residency = residency.eu\n}\n",
    );
    // Declares what a.hcl refers to, but never closes its last block.
    write(
        d,
        "b.hcl",
        "variable \"project\" {\n  default = \"p\"\n}\nresidency \"eu\" {\n  geographies = [\"eu\"]\n",
    );
    let inputs = Inputs {
        vars: vec!["project=q".into()],
        ..Inputs::default()
    };
    let l = load(d, &inputs);
    assert_eq!(codes(&l.diagnostics), ["MRD-SYN-001"]);
    let first = l.diagnostics.iter().next().expect("one");
    assert_eq!(place(&l, first), ("b.hcl".into(), "4:16".into()));
    assert_eq!(first.summary, "Unclosed `{`");
}
