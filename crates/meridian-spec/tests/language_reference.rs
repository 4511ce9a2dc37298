//! `docs/language.md` describes exactly the language the parser accepts: every block of the
//! schema the decoders check bodies against (`meridian_spec::schema::SCHEMA`) has a section
//! naming its labels, nested blocks and every attribute, and the page describes nothing the
//! schema lacks. Its functions are the evaluator's, and its HCL examples are accepted.

use meridian_spec::schema::{BlockSchema, SCHEMA};
use meridian_spec::{load_text, Inputs, FUNCTIONS, TOP_LEVEL_BLOCKS};
use std::collections::BTreeSet;
use std::path::Path;

fn page() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/language.md");
    std::fs::read_to_string(path).expect("docs/language.md")
}

/// A heading and the lines up to the next heading.
struct Section<'p> {
    heading: &'p str,
    body: Vec<&'p str>,
}

fn sections(page: &str) -> Vec<Section<'_>> {
    let mut out: Vec<Section<'_>> = Vec::new();
    let mut in_code = false;
    for line in page.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && line.starts_with('#') {
            out.push(Section {
                heading: line.trim_start_matches('#').trim(),
                body: Vec::new(),
            });
        } else if let Some(last) = out.last_mut() {
            last.body.push(line);
        }
    }
    out
}

/// The text without parenthesised parts (which may name other things in backticks).
fn without_parentheses(text: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The `code spans` of a text, in order.
fn code_spans(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(ToString::to_string)
        .collect()
}

/// The block a heading names: its first code span, when the heading starts with one.
fn heading_key(heading: &str) -> Option<String> {
    heading
        .starts_with('`')
        .then(|| code_spans(heading).into_iter().next())
        .flatten()
}

/// The first cells of the table rows of a section (`| \`name\` | ...`).
fn table_names(body: &[&str]) -> BTreeSet<String> {
    body.iter()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(ToString::to_string)
        .collect()
}

/// The names a `Labels:` or `Blocks:` line lists.
fn listed(body: &[&str], prefix: &str) -> Option<Vec<String>> {
    body.iter()
        .find_map(|l| l.strip_prefix(prefix))
        .map(|rest| code_spans(&without_parentheses(rest)))
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(ToString::to_string).collect()
}

fn check_block(block: &BlockSchema, section: &Section<'_>, problems: &mut Vec<String>) {
    let name = block.name();
    let rows = table_names(&section.body);
    if block.any_attributes {
        if !rows.is_empty() {
            problems.push(format!(
                "{name}: takes attributes of any name, but lists {rows:?}"
            ));
        }
    } else if rows != set(block.attributes) {
        problems.push(format!(
            "{name}: the attribute table lists {:?}; the parser accepts {:?} (missing: {:?}, unknown: {:?})",
            rows,
            block.attributes,
            set(block.attributes).difference(&rows).collect::<Vec<_>>(),
            rows.difference(&set(block.attributes)).collect::<Vec<_>>()
        ));
    }
    match listed(&section.body, "Labels:") {
        Some(labels) if labels == block.labels => {}
        other => problems.push(format!(
            "{name}: \"Labels:\" says {other:?}; the parser wants {:?}",
            block.labels
        )),
    }
    let blocks = listed(&section.body, "Blocks:").unwrap_or_default();
    if blocks != block.blocks {
        problems.push(format!(
            "{name}: \"Blocks:\" lists {blocks:?}; the parser accepts {:?}",
            block.blocks
        ));
    }
}

#[test]
fn every_block_and_attribute_the_parser_accepts_is_described_and_nothing_else() {
    let page = page();
    let sections = sections(&page);
    let mut problems = Vec::new();
    for block in SCHEMA {
        let name = block.name();
        match sections
            .iter()
            .find(|s| heading_key(s.heading).as_deref() == Some(name.as_str()))
        {
            Some(section) => check_block(block, section, &mut problems),
            None => problems.push(format!("no section with the heading `{name}`")),
        }
    }
    // A section about a block the parser does not know describes something that is not there.
    for s in &sections {
        let Some(key) = heading_key(s.heading) else {
            continue;
        };
        let first = key.split([' ', '"']).next().unwrap_or_default();
        if TOP_LEVEL_BLOCKS.contains(&first) && !SCHEMA.iter().any(|b| b.name() == key) {
            problems.push(format!("the section `{key}` names no block of the schema"));
        }
    }
    // The overview table lists the top-level blocks; the functions table the evaluator's.
    for (heading, names) in [("Blocks", TOP_LEVEL_BLOCKS), ("Functions", FUNCTIONS)] {
        let section = sections
            .iter()
            .find(|s| s.heading == heading)
            .unwrap_or_else(|| panic!("no {heading} section"));
        let rows = table_names(&section.body);
        if rows != set(names) {
            problems.push(format!(
                "the {heading} table lists {rows:?}, the language has {names:?}"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "docs/language.md:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_examples_use_only_what_the_parser_accepts() {
    let page = page();
    let mut examples = Vec::new();
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        // Variable files are not specs.
        if line.starts_with("```hcl") && !line.contains(".mvars") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            examples.push(body.join("\n"));
        }
    }
    assert!(examples.len() >= 10, "only {} examples", examples.len());
    for text in &examples {
        let l = load_text("example.hcl", text, &Inputs::default());
        let structural: Vec<String> = l
            .diagnostics
            .iter()
            .filter(|d| {
                matches!(
                    d.code.id,
                    "MRD-SYN-001" | "MRD-SPEC-001" | "MRD-SPEC-002" | "MRD-SPEC-004"
                )
            })
            .map(|d| format!("{}: {} {}", d.code.id, d.summary, d.detail))
            .collect();
        assert!(structural.is_empty(), "{text}\n{structural:?}");
    }
}

#[test]
fn the_checks_see_a_missing_attribute_and_an_extra_one() {
    let page = "## `emit`\n\nLabels: `format`.\n\n| attribute |\n|---|\n| `path` | x |\n| `colour` | y |\n";
    let sections = sections(page);
    let mut problems = Vec::new();
    check_block(&meridian_spec::schema::EMIT, &sections[0], &mut problems);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("missing: [\"language\"]")
            && problems[0].contains("unknown: [\"colour\"]"),
        "{problems:?}"
    );
}
