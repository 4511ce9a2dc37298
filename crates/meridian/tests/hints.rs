//! Every flag a message or a document suggests is one the command it is suggested for
//! accepts: the `meridian ...` command lines written in the sources, help texts and documents,
//! and the hints printed by commands that fail (a held lock, missing credentials).

#[path = "support/common.rs"]
mod common;

use clap::CommandFactory;
use common::{binary, example, meridian, repo, run, without_cloud_env};
use meridian::cli::{Cli, SINGLE_DASH};
use meridian_fakecloud::{FakeCloud, Fixture};
use std::path::{Path, PathBuf};

/// The command tree with every subcommand's arguments (globals included) in place.
fn tree() -> clap::Command {
    let mut cmd = Cli::command();
    cmd.build();
    cmd
}

/// The flag a command-line word spells, as clap knows it (`--out=F`, `-out`, `-v` → `out`,
/// `out`, `v`); `None` for words that are not flags.
fn flag_of(word: &str) -> Option<String> {
    let word = word.trim_end_matches([',', '.', ';', ':', ')']);
    let (dashes, rest) = if let Some(r) = word.strip_prefix("--") {
        (2, r)
    } else {
        (1, word.strip_prefix('-')?)
    };
    let name = rest.split('=').next().unwrap_or(rest);
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit());
    if !valid {
        return None;
    }
    // One dash and several letters is a Terraform spelling only for the listed flags.
    if dashes == 1 && name.len() > 1 && !SINGLE_DASH.contains(&name) {
        return Some(format!("-{name}"));
    }
    Some(name.to_string())
}

/// Whether `cmd` takes the flag (a long name, alias or short letter).
fn accepts(cmd: &clap::Command, flag: &str) -> bool {
    cmd.get_arguments().any(|a| {
        a.get_long() == Some(flag)
            || a.get_all_aliases()
                .is_some_and(|aliases| aliases.contains(&flag))
            || (flag.len() == 1 && a.get_short().map(String::from).as_deref() == Some(flag))
    }) || matches!(flag, "help" | "h")
}

/// The subcommand a command line names and the words after it; `None` when the words after
/// `meridian` do not start with a subcommand.
fn command_of<'t>(
    root: &'t clap::Command,
    words: &[String],
) -> Option<(&'t clap::Command, String, Vec<String>)> {
    let mut cmd = root;
    let mut name = String::from("meridian");
    let mut rest = words;
    while let Some((first, tail)) = rest.split_first() {
        match cmd.find_subcommand(first) {
            Some(sub) => {
                cmd = sub;
                name.push(' ');
                name.push_str(first);
                rest = tail;
            }
            None => break,
        }
    }
    (!std::ptr::eq(cmd, root)).then(|| (cmd, name, rest.to_vec()))
}

/// The `meridian SUBCOMMAND ...` command lines of a text, cut where a shell or a document
/// ends one (a quote, a pipe, a redirection, a comment, the end of the line).
fn command_lines(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut from = 0;
        while let Some(i) = line[from..].find("meridian ") {
            let at = from + i;
            from = at + "meridian ".len();
            let before = line[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || "-_/.$".contains(c)) {
                continue;
            }
            let rest = &line[from..];
            let end = rest
                .find(['`', '"', '\'', '|', '>', '<', ';', '#', '&', '\\', ')'])
                .unwrap_or(rest.len());
            out.push(rest[..end].split_whitespace().map(String::from).collect());
        }
    }
    out
}

fn files_under(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let p = e.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if p.is_dir() && !matches!(name, "target" | "node_modules" | ".git" | "interop") {
            files_under(&p, exts, out);
        } else if exts.iter().any(|x| name.ends_with(x)) {
            out.push(p);
        }
    }
}

#[test]
fn command_lines_in_sources_help_and_documents_use_flags_their_command_accepts() {
    let root = tree();
    let mut files = Vec::new();
    files_under(&repo().join("crates"), &[".rs"], &mut files);
    files_under(&repo().join("docs"), &[".md"], &mut files);
    files_under(
        &repo().join("examples"),
        &[".yml", ".yaml", ".md"],
        &mut files,
    );
    files.push(repo().join("README.md"));
    files.push(repo().join("ARCHITECTURE.md"));
    let mut checked = 0;
    let mut wrong = Vec::new();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        // Newlines inside Rust string literals end a command line too.
        let text = text.replace("\\n", "\n");
        for words in command_lines(&text) {
            let Some((cmd, name, rest)) = command_of(&root, &words) else {
                continue;
            };
            for flag in rest.iter().filter_map(|w| flag_of(w)) {
                checked += 1;
                if !accepts(cmd, &flag) {
                    wrong.push(format!(
                        "{}: `{name} {}`: {name} has no flag {flag}",
                        file.strip_prefix(repo()).unwrap_or(file).display(),
                        rest.join(" ")
                    ));
                }
            }
        }
    }
    assert!(
        checked > 100,
        "only {checked} flags found: the scan is broken"
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every flag-looking word of `text` that `command` does not accept.
fn foreign_flags(command: &str, text: &str) -> Vec<String> {
    let root = tree();
    let words: Vec<String> = command.split_whitespace().map(String::from).collect();
    let (cmd, _, _) = command_of(&root, &words).expect("a subcommand");
    text.split(|c: char| c.is_whitespace() || c == '`' || c == '(')
        .filter_map(flag_of)
        .filter(|f| !accepts(cmd, f))
        .collect()
}

#[test]
fn a_held_lock_suggests_only_flags_of_the_command_that_waits() {
    let dir = example("eu-bank");
    std::fs::create_dir_all(dir.path().join(".meridian")).expect("mkdir");
    let tf_state = dir.path().join("tf.json");
    std::fs::write(
        &tf_state,
        r#"{"format_version":"1.0","terraform_version":"1.9.0","values":{"root_module":{}}}"#,
    )
    .expect("write");
    let _lock = meridian_state::Lock::acquire(
        &dir.path().join(".meridian/state.lock"),
        meridian_state::LockInfo::new("apply", "test"),
        std::time::Duration::ZERO,
    )
    .expect("lock");
    let tf = tf_state.display().to_string();
    for (command, extra) in [
        ("plan", vec!["--refresh=false"]),
        ("apply", vec!["--refresh=false", "--auto-approve"]),
        ("refresh", vec![]),
        ("import", vec!["--terraform-state", tf.as_str()]),
    ] {
        let (code, _, err) = run(meridian().arg(command).args(&extra).arg(dir.path()));
        assert_eq!(code, 1, "{command}: {err}");
        assert!(err.contains("state is locked"), "{command}: {err}");
        assert!(err.contains("-lock-timeout"), "{command}: {err}");
        let foreign = foreign_flags(command, &err);
        assert!(foreign.is_empty(), "{command} suggests {foreign:?}:\n{err}");
    }
}

#[test]
fn missing_credentials_suggest_only_flags_of_the_command_that_reads() {
    let dir = example("eu-bank");
    let cloud = FakeCloud::start(Fixture::default()).expect("fake cloud");
    let mut printed = Vec::new();
    for command in ["plan", "refresh"] {
        let mut c = binary();
        without_cloud_env(&mut c);
        let (code, _, err) = run(c
            .envs(cloud.endpoint_env_vars())
            .env("HOME", "/nonexistent")
            .env("PATH", "/nonexistent")
            .env("MERIDIAN_TODAY", common::fixture_day().to_string())
            .arg(command)
            .arg(dir.path()));
        assert_eq!(code, 1, "{command}: {err}");
        assert!(
            err.contains("cannot read live provider state"),
            "{command}: {err}"
        );
        let foreign = foreign_flags(command, &err);
        assert!(foreign.is_empty(), "{command} suggests {foreign:?}:\n{err}");
        printed.push(err);
    }
    // plan offers to go on without the clouds; refresh cannot, and says nothing was written.
    assert!(printed[0].contains("--refresh=false"), "{}", printed[0]);
    assert!(
        printed[1].contains("Nothing was refreshed: the state is unchanged."),
        "{}",
        printed[1]
    );
}

#[test]
fn the_scan_finds_command_lines_and_flags() {
    let lines = command_lines(
        "run `meridian plan -out FILE` or meridian apply --auto-approve | tee x\ncargo run -p meridian -- validate; crates/meridian x",
    );
    assert_eq!(
        lines,
        [
            vec!["plan", "-out", "FILE"],
            vec!["apply", "--auto-approve"],
            vec!["--", "validate"]
        ]
    );
    assert_eq!(flag_of("-out=plan.json").as_deref(), Some("out"));
    assert_eq!(flag_of("-v").as_deref(), Some("v"));
    assert_eq!(flag_of("--refresh=false.").as_deref(), Some("refresh"));
    assert_eq!(flag_of("-bogus").as_deref(), Some("-bogus"));
    assert_eq!(flag_of("-1"), None);
    assert_eq!(flag_of("FILE"), None);
    let root = tree();
    let words = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
    let (cmd, name, _) = command_of(&root, &words("catalog where m --all")).expect("found");
    assert_eq!(name, "meridian catalog where");
    assert!(accepts(cmd, "all") && accepts(cmd, "catalog") && accepts(cmd, "no-color"));
    assert!(!accepts(cmd, "refresh"));
    let (cmd, _, _) = command_of(&root, &words("refresh .")).expect("found");
    assert!(!accepts(cmd, "refresh"), "refresh takes no --refresh");
}
