//! The command reference, generated from the clap definitions of [`crate::cli`]: Markdown
//! (`docs/cli.md`) and one man page per command (`docs/man/meridian*.1`, by `clap_mangen`).
//! `meridian docs cli --out-dir docs` writes them; a test fails when the committed files differ
//! from what this build generates.

use crate::cli::{Cli, SINGLE_DASH};
use crate::exit;
use clap::{Arg, ArgAction, Command, CommandFactory};
use std::fmt::Write as _;
use std::path::PathBuf;

/// The Markdown reference's file name, in the docs directory.
pub const MARKDOWN_FILE: &str = "cli.md";
/// The man pages' directory, in the docs directory.
pub const MAN_DIR: &str = "man";

/// The command tree, built (so every subcommand knows its full name), without the `help`
/// subcommand.
fn tree() -> Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// Every visible command, depth first, with its full name (`meridian catalog show`).
fn commands(cmd: &Command, prefix: &str, out: &mut Vec<(String, Command)>) {
    let name = if prefix.is_empty() {
        cmd.get_name().to_string()
    } else {
        format!("{prefix} {}", cmd.get_name())
    };
    out.push((name.clone(), cmd.clone()));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        commands(sub, &name, out);
    }
}

/// A heading's anchor as GitHub makes it: lower case, spaces to `-`, other punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// Help text as Markdown paragraphs: lines of one paragraph are joined, paragraphs kept.
fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

fn about(cmd: &Command) -> String {
    let mut text = cmd
        .get_long_about()
        .or_else(|| cmd.get_about())
        .map(ToString::to_string)
        .unwrap_or_default();
    if !text.is_empty() && !text.ends_with(['.', '!', '?']) {
        text.push('.');
    }
    text
}

/// How an argument is written: `--out <FILE>`, `-v, --verbose`, `[PATH]`.
fn spelling(arg: &Arg) -> String {
    let values = arg.get_value_names().map_or_else(
        || format!("<{}>", arg.get_id().as_str().to_uppercase()),
        |names| {
            names
                .iter()
                .map(|n| format!("<{n}>"))
                .collect::<Vec<_>>()
                .join(" ")
        },
    );
    if arg.is_positional() {
        let v = values.trim_start_matches('<').trim_end_matches('>');
        let repeat = if matches!(arg.get_action(), ArgAction::Append) {
            "..."
        } else {
            ""
        };
        return if arg.is_required_set() {
            format!("<{v}>{repeat}")
        } else {
            format!("[{v}]{repeat}")
        };
    }
    let mut names = Vec::new();
    if let Some(short) = arg.get_short() {
        names.push(format!("-{short}"));
    }
    if let Some(long) = arg.get_long() {
        names.push(format!("--{long}"));
    }
    let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values())
        && !matches!(
            arg.get_action(),
            ArgAction::SetTrue | ArgAction::SetFalse | ArgAction::Count
        );
    if takes_value {
        format!("{} {values}", names.join(", "))
    } else {
        names.join(", ")
    }
}

/// One argument as a list item: its spelling, help, default, choices and other spellings.
fn argument(arg: &Arg) -> String {
    let help = arg
        .get_long_help()
        .or_else(|| arg.get_help())
        .map(ToString::to_string)
        .unwrap_or_default();
    let mut paras = paragraphs(&help);
    let mut notes = Vec::new();
    if let Some(long) = arg.get_long() {
        let lower = help.to_lowercase();
        let said = lower.contains(&format!("also written -{long}"))
            || lower.contains(&format!("also -{long}"));
        if SINGLE_DASH.contains(&long) && !said {
            notes.push(format!("Also written `-{long}`."));
        }
        let aliases: Vec<String> = arg
            .get_visible_aliases()
            .unwrap_or_default()
            .iter()
            .map(|a| format!("`--{a}`"))
            .collect();
        if !aliases.is_empty() {
            notes.push(format!("Alias: {}.", aliases.join(", ")));
        }
    }
    let choices: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| format!("`{}`", v.get_name()))
        .collect();
    if !choices.is_empty() && !matches!(arg.get_action(), ArgAction::SetTrue) {
        notes.push(format!("One of {}.", choices.join(", ")));
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| format!("`{}`", v.to_string_lossy()))
        .collect();
    let flag = matches!(arg.get_action(), ArgAction::SetTrue | ArgAction::SetFalse);
    if !defaults.is_empty()
        && !flag
        && !arg.is_hide_default_value_set()
        && !help.to_lowercase().contains("default")
    {
        notes.push(format!("Default: {}.", defaults.join(", ")));
    }
    if let Some(first) = paras.first_mut() {
        // clap drops the full stop of a one-line help text.
        if !first.ends_with(['.', '!', '?']) {
            first.push('.');
        }
    }
    if !notes.is_empty() {
        match paras.first_mut() {
            Some(first) => {
                first.push(' ');
                first.push_str(&notes.join(" "));
            }
            None => paras.push(notes.join(" ")),
        }
    }
    let mut item = format!("- `{}`", spelling(arg));
    for (i, p) in paras.iter().enumerate() {
        if i == 0 {
            let _ = write!(item, ": {p}");
        } else {
            let _ = write!(item, "\n\n  {p}");
        }
    }
    item.push('\n');
    item
}

/// The arguments of a command that its reference lists: not help, version, or globals
/// (those are listed once, for `meridian`).
fn listed(cmd: &Command, top: bool) -> Vec<&Arg> {
    cmd.get_arguments()
        .filter(|a| !a.is_hide_set())
        .filter(|a| !matches!(a.get_id().as_str(), "help" | "version"))
        .filter(|a| top || !a.is_global_set())
        .collect()
}

const INTRO: &str = "# Command reference

This file is generated from the command definitions by `meridian docs cli --out-dir docs`,
which also writes a man page per command to `docs/man/` (`man docs/man/meridian-plan.1`). A
test fails when either is out of date. `meridian COMMAND --help` prints the same text. The
spec language is described in [language.md](language.md).
";

/// The conventions every command follows.
fn conventions() -> String {
    let one_dash: Vec<String> = SINGLE_DASH.iter().map(|f| format!("`-{f}`")).collect();
    format!(
        "## Conventions

- **Exit codes.** `{ok}` success; `{error}` error, also for a usage error (an unknown flag, a
  missing or malformed argument), while `--help` and `--version` exit `{ok}`; `{changes}` only
  from `plan --detailed-exitcode`, when the plan has changes; `{unformatted}` only from
  `fmt --check`, when a file is not in the canonical layout. Each command lists its own
  below.
- **JSON.** With `--json` (or `--format json`) a command prints exactly one JSON document on
  standard output and nothing else there; messages and progress go to standard error. The
  keys of each command's document are listed under its `--json` option; documents that carry
  a `format_version` change it when a key changes meaning or is removed.
- **Terraform spellings.** Long flags Terraform users know are also accepted with one dash:
  {one_dash}.
- **Variables.** `-var NAME=VALUE` and `-var-file FILE` apply in command-line order, after
  `MERIDIAN_VAR_NAME` environment variables, `meridian.mvars` and `*.auto.mvars` of the spec
  directory ([language.md](language.md#variable-values)).
- **Colour** appears only on a terminal, and never with `--no-color`, `NO_COLOR` or
  `CI=true`.
- **`MERIDIAN_TODAY=YYYY-MM-DD`** judges retirement and deprecation dates and the catalog's
  age as of that day instead of the system clock.
",
        ok = exit::OK,
        error = exit::ERROR,
        changes = exit::CHANGES,
        unformatted = exit::UNFORMATTED,
        one_dash = one_dash.join(", "),
    )
}

/// The Markdown reference (`docs/cli.md`).
pub fn markdown() -> String {
    let root = tree();
    let mut all = Vec::new();
    commands(&root, "", &mut all);
    let mut out = String::from(INTRO);
    out.push('\n');
    out.push_str(&conventions());
    out.push_str("\n## Commands\n\n");
    for (name, cmd) in all.iter().skip(1) {
        let _ = writeln!(
            out,
            "- [`{name}`](#{}): {}",
            anchor(name),
            cmd.get_about().map(ToString::to_string).unwrap_or_default()
        );
    }
    for (i, (name, cmd)) in all.iter().enumerate() {
        let _ = write!(out, "\n## {name}\n\n");
        for p in paragraphs(&about(cmd)) {
            let _ = write!(out, "{p}\n\n");
        }
        let usage = cmd.clone().render_usage().to_string();
        let _ = write!(out, "```text\n{}\n```\n", usage.trim_end());
        let subs: Vec<&Command> = cmd.get_subcommands().filter(|s| !s.is_hide_set()).collect();
        // The root's subcommands are the index above.
        if i > 0 && !subs.is_empty() {
            out.push_str("\nCommands:\n\n");
            for sub in subs {
                let full = format!("{name} {}", sub.get_name());
                let _ = writeln!(
                    out,
                    "- [`{full}`](#{}): {}",
                    anchor(&full),
                    sub.get_about().map(ToString::to_string).unwrap_or_default()
                );
            }
        }
        let args = listed(cmd, i == 0);
        let (positional, options): (Vec<&Arg>, Vec<&Arg>) =
            args.into_iter().partition(|a| a.is_positional());
        if !positional.is_empty() {
            out.push_str("\nArguments:\n\n");
            for a in positional {
                out.push_str(&argument(a));
            }
        }
        if !options.is_empty() {
            out.push_str("\nOptions:\n\n");
            for a in options {
                out.push_str(&argument(a));
            }
        }
        let after = cmd
            .get_after_long_help()
            .or_else(|| cmd.get_after_help())
            .map(ToString::to_string);
        if let Some(after) = after {
            let _ = write!(out, "\n```text\n{}\n```\n", after.trim_end());
        }
    }
    out
}

/// One man page per visible command: (file name, roff text).
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let root = tree();
    let mut all = Vec::new();
    commands(&root, "", &mut all);
    let mut pages = Vec::with_capacity(all.len());
    for (_, cmd) in all {
        let man = clap_mangen::Man::new(cmd)
            .source(format!("Meridian {}", env!("CARGO_PKG_VERSION")))
            .manual("Meridian Manual");
        let mut text = Vec::new();
        man.render(&mut text)?;
        pages.push((man.get_filename(), text));
    }
    Ok(pages)
}

/// Every file of the reference, relative to the docs directory.
pub fn files() -> std::io::Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut files = vec![(PathBuf::from(MARKDOWN_FILE), markdown().into_bytes())];
    for (name, text) in man_pages()? {
        files.push((PathBuf::from(MAN_DIR).join(name), text));
    }
    Ok(files)
}

/// Man pages in `dir/man` that the reference no longer has (a command was removed or renamed).
pub fn stale_man_pages(dir: &std::path::Path, current: &[(PathBuf, Vec<u8>)]) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir.join(MAN_DIR)) else {
        return Vec::new();
    };
    let mut stale: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            let ours = name.starts_with("meridian") && name.ends_with(".1");
            let rel = PathBuf::from(MAN_DIR).join(&name);
            (ours && !current.iter().any(|(p, _)| *p == rel)).then_some(rel)
        })
        .collect();
    stale.sort();
    stale
}
