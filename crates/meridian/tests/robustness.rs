//! Malformed input never panics and always yields diagnostics with a source range: a corpus of
//! broken files, and a property test that mutates valid specs.

#[path = "support/common.rs"]
mod common;

use common::{fixture_day as day, hcl_files, repo};
use meridian::driver::{check, check_text, Checked};
use meridian_spec::Inputs;
use proptest::prelude::*;

/// Every finding has a range that resolves inside its file.
fn assert_ranged(c: &Checked, what: &str) {
    for d in &c.diagnostics {
        let span = d
            .primary
            .unwrap_or_else(|| panic!("{what}: {} has no range: {}", d.code.id, d.summary));
        let file = c
            .sources
            .get(span.file)
            .unwrap_or_else(|| panic!("{what}: range in unknown file"));
        assert!(
            span.start <= span.end && span.end <= file.text.len(),
            "{what}: range {span:?} outside file"
        );
        for l in &d.secondary {
            assert!(
                c.sources.resolve(l.span).is_some(),
                "{what}: secondary range does not resolve"
            );
        }
    }
}

#[test]
fn malformed_corpus_yields_ranged_errors() {
    let files = hcl_files(&repo().join("tests/fixtures/malformed"));
    assert!(files.len() >= 20, "corpus too small: {}", files.len());
    for file in files {
        let c = check(&file, &Inputs::default(), day());
        let name = file.display().to_string();
        assert!(
            c.diagnostics.has_errors(),
            "{name}: malformed input accepted"
        );
        assert_ranged(&c, &name);
    }
}

/// Each malformed file's first finding is where `tests/fixtures/malformed/expected.txt` says,
/// with its code and summary; a syntax error is the only finding of its file.
#[test]
fn malformed_corpus_errors_are_located_at_their_cause() {
    let dir = repo().join("tests/fixtures/malformed");
    let manifest = std::fs::read_to_string(dir.join("expected.txt")).expect("expected.txt");
    let expected: Vec<(&str, &str, &str, String)> = manifest
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut words = l.split_whitespace();
            let mut next = || words.next().unwrap_or_default();
            let (file, code, at) = (next(), next(), next());
            (file, code, at, words.collect::<Vec<_>>().join(" "))
        })
        .collect();
    let files = hcl_files(&dir);
    for f in &files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        assert!(
            expected.iter().any(|e| e.0 == name),
            "{name} has no line in expected.txt"
        );
    }
    for (file, code, at, summary) in &expected {
        let path = dir.join(file);
        assert!(
            path.is_file(),
            "expected.txt names {file}, which does not exist"
        );
        let c = check(&path, &Inputs::default(), day());
        let first = c
            .diagnostics
            .iter()
            .next()
            .unwrap_or_else(|| panic!("{file}: no finding"));
        let span = first.primary.unwrap_or_else(|| panic!("{file}: no range"));
        let (_, start, _) = c.sources.resolve(span).expect("range resolves");
        assert_eq!(
            (first.code.id, format!("{}:{}", start.line, start.column)),
            (*code, (*at).to_string()),
            "{file}: {} {}",
            first.summary,
            first.detail
        );
        assert!(
            first.summary.contains(summary.as_str()),
            "{file}: {}",
            first.summary
        );
        if *code == "MRD-SYN-001" {
            let all: Vec<&str> = c.diagnostics.iter().map(|d| d.code.id).collect();
            assert_eq!(all, ["MRD-SYN-001"], "{file}: follow-on findings");
        }
    }
}

fn seeds() -> Vec<String> {
    let mut out = vec![meridian::commands::STARTER_SPEC.to_string()];
    for dir in ["tests/fixtures/valid", "tests/fixtures/invalid"] {
        for f in hcl_files(&repo().join(dir)) {
            if let Ok(t) = std::fs::read_to_string(f) {
                out.push(t);
            }
        }
    }
    out
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, token: &'static str },
    Duplicate { at: usize, len: usize },
    Truncate { at: usize },
    SwapLines { a: usize, b: usize },
}

const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "=",
    ",",
    ".",
    "${",
    "%{",
    "\n",
    "#",
    "/*",
    "*/",
    "<<EOT\n",
    "var.",
    "local.",
    "model.",
    "provider.",
    "residency.",
    "null",
    "true",
    "-1",
    "1e308",
    "0.5",
    "\\",
    "ü",
    "\u{0}",
    "env(",
    "lower(",
    "tier \"t\" {",
    "target \"x\" {",
    "? :",
    "...",
    "[*]",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), proptest::sample::select(TOKENS))
            .prop_map(|(at, token)| Mutation::Insert { at, token }),
        (any::<usize>(), 1usize..80).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
    ]
}

fn apply(text: &str, m: &Mutation) -> String {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len().max(1);
    let s = |from: usize, to: usize| {
        chars[from.min(chars.len())..to.min(chars.len())]
            .iter()
            .collect::<String>()
    };
    match *m {
        Mutation::Delete { at, len } => {
            let at = at % n;
            s(0, at) + &s(at + len, chars.len())
        }
        Mutation::Insert { at, token } => {
            let at = at % n;
            s(0, at) + token + &s(at, chars.len())
        }
        Mutation::Duplicate { at, len } => {
            let at = at % n;
            s(0, at + len) + &s(at, chars.len())
        }
        Mutation::Truncate { at } => s(0, at % n),
        Mutation::SwapLines { a, b } => {
            let mut lines: Vec<&str> = text.split('\n').collect();
            let len = lines.len();
            lines.swap(a % len, b % len);
            lines.join("\n")
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn mutated_specs_never_panic_and_every_finding_has_a_range(
        seed in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let seeds = seeds();
        let mut text = seeds[seed.index(seeds.len())].clone();
        for m in &mutations {
            text = apply(&text, m);
        }
        let c = check_text("mutated.hcl", &text, &Inputs::default(), day());
        assert_ranged(&c, &format!("mutated input {text:?}"));
        // `fmt` must not panic either, and must keep meaning when it succeeds.
        if let Ok(formatted) = meridian_spec::fmt::format_source(&text) {
            let again = meridian_spec::fmt::format_source(&formatted).expect("formatted output parses");
            prop_assert_eq!(again, formatted);
        }
    }
}
