//! The worked examples of the documentation run as written: `docs/catalog.md`,
//! `docs/generated-iac.md` and `docs/language.md`.
//!
//! A fenced block whose info string carries `file=NAME` is written to the example's directory
//! (a later block of the same name replaces it). A ` ```console ` block holds `$ meridian ...`
//! commands, each followed by its expected output (standard error, then standard output): a
//! line `...` stands for any number of lines, a line ending in `...` for one line starting
//! with what precedes it, any other line must match exactly; trailing blank lines are
//! ignored. Commands run in order, in the example's directory.

#[path = "support/common.rs"]
mod common;

use common::{meridian, repo, run};
use std::path::Path;

enum Step {
    File {
        name: String,
        text: String,
    },
    Command {
        args: Vec<String>,
        expected: Vec<String>,
    },
}

/// The files and commands of a Markdown document, in order.
fn steps(doc: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        if let Some(name) = info
            .split_whitespace()
            .find_map(|w| w.strip_prefix("file="))
        {
            let mut text = body.join("\n");
            text.push('\n');
            steps.push(Step::File {
                name: name.to_string(),
                text,
            });
        } else if info.trim() == "console" {
            for chunk in body
                .join("\n")
                .split("\n$ ")
                .map(|c| c.trim_start_matches("$ "))
            {
                let mut chunk_lines = chunk.lines();
                let Some(command) = chunk_lines.next() else {
                    continue;
                };
                let args: Vec<String> = command.split_whitespace().map(String::from).collect();
                assert_eq!(
                    args.first().map(String::as_str),
                    Some("meridian"),
                    "{command}"
                );
                steps.push(Step::Command {
                    args: args[1..].to_vec(),
                    expected: chunk_lines.map(String::from).collect(),
                });
            }
        }
    }
    steps
}

/// Whether `actual` matches the `expected` lines (see the module documentation).
fn matches(expected: &[String], actual: &[&str]) -> bool {
    let Some((first, rest)) = expected.split_first() else {
        return actual.iter().all(|l| l.trim().is_empty());
    };
    if first == "..." {
        return (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]));
    }
    let Some((line, others)) = actual.split_first() else {
        return expected.iter().all(|l| l.trim().is_empty());
    };
    let ok = match first.strip_suffix("...") {
        Some(prefix) => line.starts_with(prefix),
        None => line.trim_end() == first.trim_end(),
    };
    ok && matches(rest, others)
}

fn run_document(path: &Path) {
    let doc = std::fs::read_to_string(path).expect("read the document");
    let steps = steps(&doc);
    let commands = steps
        .iter()
        .filter(|s| matches!(s, Step::Command { .. }))
        .count();
    assert!(
        commands >= 3,
        "{}: only {commands} commands",
        path.display()
    );
    let dir = tempfile::tempdir().expect("tempdir");
    for step in steps {
        match step {
            Step::File { name, text } => {
                std::fs::write(dir.path().join(name), text).expect("write");
            }
            Step::Command { args, expected } => {
                let (_, out, err) = run(meridian()
                    .current_dir(dir.path())
                    .env("MERIDIAN_TODAY", "2026-12-10")
                    .args(&args));
                let actual = format!("{err}{out}");
                let lines: Vec<&str> = actual.lines().collect();
                assert!(
                    matches(&expected, &lines),
                    "{}: `meridian {}` printed:\n{actual}\nexpected:\n{}",
                    path.display(),
                    args.join(" "),
                    expected.join("\n")
                );
            }
        }
    }
}

#[test]
fn the_catalog_guide_worked_example_runs_as_written() {
    run_document(&repo().join("docs/catalog.md"));
}

#[test]
fn the_generated_iac_guide_worked_example_runs_as_written() {
    run_document(&repo().join("docs/generated-iac.md"));
}

#[test]
fn the_language_reference_worked_example_runs_as_written() {
    run_document(&repo().join("docs/language.md"));
}

#[test]
fn the_matcher_skips_and_prefixes_only_where_told() {
    let e = |lines: &[&str]| lines.iter().map(|l| (*l).to_string()).collect::<Vec<_>>();
    assert!(matches(&e(&["a", "...", "d"]), &["a", "b", "c", "d"]));
    assert!(matches(&e(&["a", "b..."]), &["a", "bcd", ""]));
    assert!(!matches(&e(&["a", "b"]), &["a", "c"]));
    assert!(!matches(&e(&["a"]), &["a", "b"]));
    assert!(!matches(&e(&["a", "...", "z"]), &["a", "b"]));
    assert!(matches(&e(&["..."]), &[]));
}
