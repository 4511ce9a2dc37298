//! Tests of `meridian fmt`'s canonical layout (`meridian_spec::fmt::format_source`).
//!
//! Fixtures live in `tests/fmt/NAME.in.hcl` with the exact expected output in
//! `tests/fmt/NAME.out.hcl`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use hcl_edit::expr::{Array, FuncArgs, Object, ObjectValueTerminator};
use hcl_edit::parser::parse_body;
use hcl_edit::structure::Body;
use hcl_edit::visit_mut::{self, VisitMut};
use meridian_spec::fmt::format_source;
use proptest::prelude::*;

const FIXTURES: &[&str] = &[
    "misaligned",
    "indentation",
    "comments",
    "nested_blocks",
    "collections",
    "heredoc",
    "blank_lines",
    "expressions",
    "formatted",
];

fn fixture_path(name: &str, kind: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fmt")
        .join(format!("{name}.{kind}.hcl"))
}

fn read_fixture(name: &str, kind: &str) -> String {
    let path = fixture_path(name, kind);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fmt(src: &str) -> String {
    format_source(src).unwrap_or_else(|e| panic!("format failed: {e}\n--- input ---\n{src}"))
}

/// Clears the few syntax-only fields that hcl-edit's `PartialEq` still compares although they
/// are pure layout: the whitespace/comments before the closing bracket of arrays, objects and
/// function calls, and whether an object entry ended with a comma, a line break or the closing
/// brace. Everything else (keys, values, string and heredoc contents, trailing commas of
/// arrays and calls, `=` versus `:`) is compared as parsed.
struct LayoutOnly;

impl VisitMut for LayoutOnly {
    fn visit_array_mut(&mut self, node: &mut Array) {
        node.set_trailing("");
        visit_mut::visit_array_mut(self, node);
    }

    fn visit_object_mut(&mut self, node: &mut Object) {
        node.set_trailing("");
        for (_, value) in node.iter_mut() {
            value.set_terminator(ObjectValueTerminator::Comma);
        }
        visit_mut::visit_object_mut(self, node);
    }

    fn visit_func_args_mut(&mut self, node: &mut FuncArgs) {
        node.set_trailing("");
        visit_mut::visit_func_args_mut(self, node);
    }
}

fn meaning(src: &str) -> Body {
    let mut body = parse_body(src).unwrap_or_else(|e| panic!("parse failed: {e}\n{src}"));
    LayoutOnly.visit_body_mut(&mut body);
    body
}

/// The invariants every formatting result must meet.
fn assert_canonical(input: &str, output: &str) {
    let again = fmt(output);
    assert_eq!(
        again, output,
        "formatting is not idempotent\n--- input ---\n{input}\n--- first ---\n{output}"
    );
    assert!(
        meaning(input) == meaning(output),
        "formatting changed the meaning\n--- input ---\n{input}\n--- output ---\n{output}"
    );
    assert_eq!(
        comment_markers(input),
        comment_markers(output),
        "comments lost or reordered\n--- input ---\n{input}\n--- output ---\n{output}"
    );
}

/// Every `cNNN` marker in the text, in order (the generated comments carry one each).
fn comment_markers(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'<' && b.get(i + 1) == Some(&b'c') {
            let start = i + 1;
            let mut j = start + 1;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            if j > start + 1 && b.get(j) == Some(&b'>') {
                out.push(&s[start..j]);
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

fn check_fixture(name: &str) {
    let input = read_fixture(name, "in");
    let expected = read_fixture(name, "out");
    let output = fmt(&input);
    assert_eq!(output, expected, "fixture {name}");
    assert_canonical(&input, &output);
}

#[test]
fn fixture_misaligned_equals_signs() {
    check_fixture("misaligned");
}

#[test]
fn fixture_bad_indentation_and_tabs() {
    check_fixture("indentation");
}

#[test]
fn fixture_comments_in_every_position() {
    check_fixture("comments");
}

#[test]
fn fixture_nested_model_tier_target_blocks() {
    check_fixture("nested_blocks");
}

#[test]
fn fixture_lists_and_objects() {
    check_fixture("collections");
}

#[test]
fn fixture_heredocs_and_strings_kept_byte_for_byte() {
    check_fixture("heredoc");
}

#[test]
fn fixture_blank_line_runs() {
    check_fixture("blank_lines");
}

#[test]
fn fixture_multi_line_expressions() {
    check_fixture("expressions");
}

#[test]
fn already_formatted_file_is_unchanged() {
    let input = read_fixture("formatted", "in");
    assert_eq!(read_fixture("formatted", "out"), input);
    assert_eq!(fmt(&input), input);
}

#[test]
fn every_expected_output_is_a_fixed_point() {
    for name in FIXTURES {
        let expected = read_fixture(name, "out");
        assert_eq!(fmt(&expected), expected, "fixture {name}");
    }
}

#[test]
fn idempotent_and_meaning_preserving_over_all_fixtures() {
    for name in FIXTURES {
        let input = read_fixture(name, "in");
        let output = fmt(&input);
        assert_canonical(&input, &output);
        // Comparing with hcl-edit's own equality needs the layout-only fields cleared; make
        // sure the comparison is not vacuous.
        assert!(meaning(&input) != meaning("unrelated = true\n"));
    }
}

#[test]
fn crlf_input_is_formatted_with_crlf() {
    for name in FIXTURES {
        let input = read_fixture(name, "in").replace('\n', "\r\n");
        let expected = read_fixture(name, "out").replace('\n', "\r\n");
        let output = fmt(&input);
        assert_eq!(output, expected, "fixture {name} with CRLF line breaks");
        assert_canonical(&input, &output);
    }
}

#[test]
fn crlf_heredoc_text_is_unchanged() {
    let input = "a=1\r\nprompt = <<EOT\r\n  line one  \r\nline two\r\nEOT\r\nb = \"x\"\r\n";
    let output = fmt(input);
    assert_eq!(
        output,
        "a      = 1\r\nprompt = <<EOT\r\n  line one  \r\nline two\r\nEOT\r\nb = \"x\"\r\n"
    );
    assert!(parse_body(input).ok() == parse_body(&output).ok());
}

#[test]
fn mixed_line_breaks_follow_the_first_one_outside_heredocs() {
    // The first line break belongs to the heredoc and is kept; the file's style comes from
    // the first break after it.
    let input = "x = <<EOT\r\nfoo\r\nEOT\nb = 1\r\nc {\r\n}\n";
    let output = fmt(input);
    assert_eq!(output, "x = <<EOT\r\nfoo\r\nEOT\nb = 1\nc {}\n");
    assert!(parse_body(input).ok() == parse_body(&output).ok());
    assert_canonical(input, &output);

    let input = "\r\na = 1\nb = 2\n";
    assert_eq!(fmt(input), "a = 1\r\nb = 2\r\n");
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("\n\n  \t\n"), "");
    assert_eq!(fmt("# only a comment"), "# only a comment\n");
    assert_eq!(fmt("\n\n# one\n\n\n\n// two   \n\n"), "# one\n\n// two\n");
    assert_eq!(fmt("a = 1"), "a = 1\n");
    assert_eq!(fmt("a = 1\n\n\n"), "a = 1\n");
}

#[test]
fn alignment_runs_follow_terraform() {
    let input = "\
a = 1
bbb = 2
# comment-only line ends the run
cc = 3
d = 4

eeeee = 5
f = {
  x = 1
}
gg = 6
heredoc = <<EOT
text
EOT
i = 7
blk { k = 1 }
jjjjjjjj = 8
";
    let expected = "\
a   = 1
bbb = 2
# comment-only line ends the run
cc = 3
d  = 4

eeeee = 5
f = {
  x = 1
}
gg      = 6
heredoc = <<EOT
text
EOT
i = 7
blk { k = 1 }
jjjjjjjj = 8
";
    assert_eq!(fmt(input), expected);
}

#[test]
fn trailing_comments_are_aligned_on_consecutive_lines() {
    let input = "a = 1 # one\nbbbb = \"two\" # two\nc = 3\nd = 4 # four\n";
    let expected = "a    = 1     # one\nbbbb = \"two\" # two\nc    = 3\nd    = 4 # four\n";
    assert_eq!(fmt(input), expected);
}

#[test]
fn one_line_arrays_and_objects_are_respaced_without_touching_elements() {
    assert_eq!(fmt("x = [ \"a\",\"b\" ]\n"), "x = [\"a\", \"b\"]\n");
    assert_eq!(fmt("x = {a=1,b=\"2\"}\n"), "x = { a = 1, b = \"2\" }\n");
    assert_eq!(
        fmt("x = [ \"a\\\"b\" , \"${ var.x }\" ,1.50, -1 ]\n"),
        "x = [\"a\\\"b\", \"${ var.x }\", 1.50, -1]\n"
    );
    assert_eq!(fmt("x = concat([ 1 ],[2])\n"), "x = concat([1],[2])\n");
}

#[test]
fn multi_line_values_in_one_line_blocks_expand_the_block() {
    let input = "aws { regions = [\n\"eu-central-1\",\n\"eu-west-1\"] }\n";
    let expected = "aws {\n  regions = [\n    \"eu-central-1\",\n    \"eu-west-1\"\n  ]\n}\n";
    assert_eq!(fmt(input), expected);
    assert_canonical(input, expected);
}

#[test]
fn heredoc_followed_by_a_comma_keeps_its_marker_alone() {
    let input = "x = [<<EOT\nhello\nEOT\n, \"b\"]\n";
    let expected = "x = [\n  <<EOT\nhello\nEOT\n  ,\n  \"b\"\n]\n";
    let output = fmt(input);
    assert_eq!(output, expected);
    assert_canonical(input, &output);
}

#[test]
fn invalid_input_is_an_error() {
    let cases = [
        "a = ",
        "a = 1 b = 2",
        "block {",
        "block }",
        "a = [1, 2",
        "a = {b = 1",
        "a = \"unterminated",
        "a = 1\na = 2\n",
        "x = <<EOT\nno end marker\n",
        "a = 1 +",
        "\"label\" {}",
        "a = (1))",
        "a = /* open comment",
        "a = \"${ }\"",
        "block { x = 1 y = 2 }",
        "outer { inner {} }",
    ];
    for case in cases {
        assert!(format_source(case).is_err(), "accepted: {case:?}");
    }
}

#[test]
fn deep_nesting_and_long_operator_chains_format() {
    let open = "[".repeat(60);
    let close = "]".repeat(60);
    let inline = format!("a = {open}1{close}\n");
    assert_eq!(fmt(&inline), inline);
    let multi = format!("a = {}\n1{}\n", "[\n".repeat(60), "\n]".repeat(60));
    let output = fmt(&multi);
    assert!(output.contains(&format!("\n{}1\n", "  ".repeat(60))));
    assert_canonical(&multi, &output);
    let chain = format!("a = 1{}\n", " + 1".repeat(120));
    assert_eq!(fmt(&chain), chain);
    let chain = format!("a = (1{})\n", " +\n1".repeat(120));
    assert_canonical(&chain, &fmt(&chain));
}

#[test]
fn every_prefix_of_every_fixture_formats_or_errors_without_panicking() {
    for name in FIXTURES {
        let input = read_fixture(name, "in");
        let mut cuts: Vec<usize> = input.char_indices().map(|(i, _)| i).collect();
        cuts.push(input.len());
        for cut in cuts {
            let prefix = &input[..cut];
            if let Ok(output) = format_source(prefix) {
                assert_canonical(prefix, &output);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Property test: random nested bodies with random whitespace and comments.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Val {
    Lit(&'static str),
    Array {
        items: Vec<Val>,
        multi: bool,
        trailing_comma: bool,
    },
    Object {
        entries: Vec<(bool, Val)>,
        multi: bool,
    },
    Call {
        items: Vec<Val>,
        multi: bool,
    },
    Cond(Box<Val>, Box<Val>),
    Paren(bool),
    For(bool),
    Heredoc(bool),
}

#[derive(Debug, Clone)]
enum Item {
    Attr(usize, Val),
    Block {
        ident: usize,
        labels: Vec<bool>,
        body: Vec<Item>,
        one_line: bool,
    },
}

const LITERALS: &[&str] = &[
    "1",
    "42",
    "3.50",
    "-7",
    "1e3",
    "true",
    "null",
    "\"eu-central-1\"",
    "\"with \\\"escapes\\\" \\\\ \\n\"",
    "\"ünïcödé\"",
    "\"${var.prefix}-x\"",
    "\"%{ if var.x }a%{ endif }\"",
    "\"$${literal}\"",
    "var.name",
    "local.tags.owner",
    "provider.azure.corp",
    "var.list[0]",
    "var.items[*].id",
    "upper(\"x\")",
    "var.a + 1",
    "!var.flag",
];

const KEYS: &[&str] = &[
    "a",
    "name",
    "region",
    "subscription_id",
    "x",
    "capacity",
    "ümlaut",
];
const IDENTS: &[&str] = &["model", "tier", "target", "network", "usage", "aws"];

fn leaf() -> impl Strategy<Value = Val> {
    prop::sample::select(LITERALS).prop_map(Val::Lit)
}

fn value() -> impl Strategy<Value = Val> {
    let inner = leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            4 => leaf(),
            2 => (prop::collection::vec(inner.clone(), 0..4), any::<bool>(), any::<bool>())
                .prop_map(|(items, multi, trailing_comma)| Val::Array { items, multi, trailing_comma }),
            2 => (prop::collection::vec((any::<bool>(), inner.clone()), 0..4), any::<bool>())
                .prop_map(|(entries, multi)| Val::Object { entries, multi }),
            1 => (prop::collection::vec(inner.clone(), 1..3), any::<bool>())
                .prop_map(|(items, multi)| Val::Call { items, multi }),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| Val::Cond(Box::new(a), Box::new(b))),
            1 => any::<bool>().prop_map(Val::Paren),
            1 => any::<bool>().prop_map(Val::For),
        ]
    });
    prop_oneof![
        8 => inner,
        1 => any::<bool>().prop_map(Val::Heredoc),
    ]
}

fn body(depth: u32) -> BoxedStrategy<Vec<Item>> {
    let attr = (0..KEYS.len(), value()).prop_map(|(k, v)| Item::Attr(k, v));
    if depth == 0 {
        return prop::collection::vec(attr, 0..5).boxed();
    }
    let block = (
        0..IDENTS.len(),
        prop::collection::vec(any::<bool>(), 0..3),
        body(depth - 1),
        any::<bool>(),
    )
        .prop_map(|(ident, labels, body, one_line)| Item::Block {
            ident,
            labels,
            body,
            one_line,
        });
    prop::collection::vec(prop_oneof![3 => attr, 2 => block], 0..5).boxed()
}

/// Renders a generated tree as HCL source, drawing layout noise (indentation, spacing,
/// blank lines, comments) from `dice`.
struct Render<'a> {
    dice: &'a [u8],
    at: usize,
    out: String,
    nl: &'static str,
    next_comment: usize,
}

impl Render<'_> {
    fn roll(&mut self, n: u8) -> u8 {
        let d = self.dice.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        d % n
    }

    fn push(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// Optional horizontal whitespace.
    fn sp(&mut self) {
        let s = [" ", "", " ", "  ", "\t", " \t "][usize::from(self.roll(6))];
        self.push(s);
    }

    fn indent(&mut self, depth: usize) {
        match self.roll(5) {
            0 => {}
            1 => self.push(&"\t".repeat(depth)),
            2 => self.push(&" ".repeat(depth * 4 + 1)),
            _ => self.push(&"  ".repeat(depth)),
        }
    }

    fn newline(&mut self) {
        if self.roll(6) == 0 {
            self.push(" \t");
        }
        let nl = self.nl;
        self.push(nl);
    }

    fn marker(&mut self) -> String {
        self.next_comment += 1;
        format!("<c{}>", self.next_comment)
    }

    fn inline_comment(&mut self) -> String {
        let m = self.marker();
        format!("/* {m} */")
    }

    /// A comment that ends its line (the caller writes the line break).
    fn line_comment(&mut self) -> String {
        let m = self.marker();
        match self.roll(4) {
            0 => format!("# {m}"),
            1 => format!("//{m}"),
            2 => format!("/* {m} */"),
            _ => format!("/* {m}{}   more */", self.nl),
        }
    }

    fn maybe_inline_comment(&mut self) {
        if self.roll(6) == 0 {
            let c = self.inline_comment();
            self.push(&c);
            self.sp();
        }
    }

    fn maybe_trailing_comment(&mut self) {
        if self.roll(4) == 0 {
            self.push(" ");
            let c = self.line_comment();
            self.push(&c);
        }
    }

    /// Blank lines and own-line comments before an item.
    fn gap_lines(&mut self, depth: usize) {
        for _ in 0..self.roll(3) {
            if self.roll(2) == 0 {
                self.newline();
            } else {
                self.indent(depth);
                let c = self.line_comment();
                self.push(&c);
                self.newline();
            }
        }
    }

    fn body(&mut self, items: &[Item], depth: usize) {
        for (i, item) in items.iter().enumerate() {
            self.gap_lines(depth);
            self.indent(depth);
            self.maybe_inline_comment();
            match item {
                Item::Attr(k, v) => {
                    self.push(&format!("{}{i}", KEYS[*k]));
                    self.sp();
                    self.maybe_inline_comment();
                    self.push("=");
                    self.sp();
                    self.maybe_inline_comment();
                    self.value(v, depth, true);
                    self.maybe_trailing_comment();
                }
                Item::Block {
                    ident,
                    labels,
                    body,
                    one_line,
                } => self.block(IDENTS[*ident], labels, body, *one_line, depth),
            }
            self.newline();
        }
        if self.roll(4) == 0 {
            self.indent(depth);
            let c = self.line_comment();
            self.push(&c);
            self.newline();
        }
    }

    fn block(&mut self, ident: &str, labels: &[bool], body: &[Item], one_line: bool, depth: usize) {
        self.push(ident);
        for (i, quoted) in labels.iter().enumerate() {
            if *quoted {
                self.sp();
                self.push(&format!("\"label {i}\""));
            } else {
                self.push(" ");
                self.push(&format!("l{i}"));
            }
        }
        self.sp();
        self.push("{");
        match body {
            [] if one_line => {
                self.sp();
                self.push("}");
            }
            [Item::Attr(k, v)] if one_line => {
                self.sp();
                self.push(&format!("{} = ", KEYS[*k]));
                self.value(v, depth, false);
                self.sp();
                self.push("}");
            }
            _ => {
                self.maybe_trailing_comment();
                self.newline();
                self.body(body, depth + 1);
                self.indent(depth);
                self.push("}");
            }
        }
        self.maybe_trailing_comment();
    }

    /// Writes a value; `multi` allows line breaks (only where HCL allows them).
    fn value(&mut self, v: &Val, depth: usize, multi: bool) {
        match v {
            Val::Lit(s) => self.push(s),
            Val::Heredoc(indented) => {
                if multi {
                    let nl = self.nl;
                    if *indented {
                        self.push(&format!(
                            "<<-EOT{nl}    indented{nl}      more  {nl}    EOT"
                        ));
                    } else {
                        self.push(&format!("<<EOT{nl}  keep \"this\" ${{var.x}}{nl}EOT"));
                    }
                } else {
                    self.push("\"heredoc\"");
                }
            }
            Val::Array {
                items,
                multi: m,
                trailing_comma,
            } => {
                if multi && *m {
                    self.push("[");
                    self.maybe_trailing_comment();
                    self.newline();
                    for (i, item) in items.iter().enumerate() {
                        self.gap_lines(depth + 1);
                        self.indent(depth + 1);
                        self.value(item, depth + 1, true);
                        if matches!(item, Val::Heredoc(_)) {
                            self.newline();
                        }
                        self.sp();
                        if i + 1 < items.len() || *trailing_comma {
                            self.push(",");
                        }
                        self.maybe_trailing_comment();
                        self.newline();
                    }
                    self.gap_lines(depth + 1);
                    self.indent(depth);
                    self.push("]");
                } else {
                    self.push("[");
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            self.push(",");
                        }
                        self.sp();
                        self.maybe_inline_comment();
                        self.value(item, depth, false);
                        self.sp();
                    }
                    if *trailing_comma && !items.is_empty() {
                        self.push(",");
                        self.sp();
                    }
                    self.push("]");
                }
            }
            Val::Object { entries, multi: m } => {
                if multi && *m {
                    self.push("{");
                    self.maybe_trailing_comment();
                    self.newline();
                    for (i, (quoted, item)) in entries.iter().enumerate() {
                        self.gap_lines(depth + 1);
                        self.indent(depth + 1);
                        self.object_key(*quoted, i);
                        self.value(item, depth + 1, true);
                        if matches!(item, Val::Heredoc(_)) {
                            self.newline();
                        } else if self.roll(3) == 0 {
                            self.push(",");
                        }
                        self.maybe_trailing_comment();
                        self.newline();
                    }
                    self.gap_lines(depth + 1);
                    self.indent(depth);
                    self.push("}");
                } else {
                    self.push("{");
                    for (i, (quoted, item)) in entries.iter().enumerate() {
                        if i > 0 {
                            self.push(",");
                        }
                        self.sp();
                        self.object_key(*quoted, i);
                        self.value(item, depth, false);
                        self.sp();
                    }
                    self.push("}");
                }
            }
            Val::Call { items, multi: m } => {
                self.push("concat(");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.push(",");
                        self.sp();
                    }
                    if multi && *m {
                        self.maybe_trailing_comment();
                        self.newline();
                        self.indent(depth + 1);
                    }
                    self.value(item, depth + 1, multi && *m);
                }
                if multi && *m {
                    self.push(",");
                    self.newline();
                    self.indent(depth);
                }
                self.push(")");
            }
            Val::Cond(a, b) => {
                self.push("var.flag ?");
                self.sp();
                self.value(a, depth, multi);
                self.push(" : ");
                self.value(b, depth, multi);
            }
            Val::Paren(m) => {
                if multi && *m {
                    let nl = self.nl;
                    self.push(&format!("({nl}    var.a +{nl}  var.b{nl})"));
                } else {
                    self.push("(var.a+  var.b)");
                }
            }
            Val::For(m) => {
                if multi && *m {
                    let nl = self.nl;
                    self.push(&format!(
                        "{{{nl}for k, v in var.map :{nl}      k => upper(v){nl}  if v != \"\"{nl}}}"
                    ));
                } else {
                    self.push("[for s in var.list : lower(s)]");
                }
            }
        }
    }

    fn object_key(&mut self, quoted: bool, i: usize) {
        if quoted {
            self.push(&format!("\"key {i}\""));
        } else {
            self.push(&format!("{}{i}", KEYS[i % KEYS.len()]));
        }
        self.sp();
        self.push("=");
        self.sp();
    }
}

fn render(items: &[Item], dice: &[u8], crlf: bool) -> String {
    let mut r = Render {
        dice,
        at: 0,
        out: String::new(),
        nl: if crlf { "\r\n" } else { "\n" },
        next_comment: 0,
    };
    r.body(items, 0);
    r.out
}

/// Line-level layout rules of the output, outside heredocs.
fn assert_layout(output: &str) {
    if output.is_empty() {
        return;
    }
    let text = output.replace("\r\n", "\n");
    assert!(text.ends_with('\n') && !text.ends_with("\n\n"), "{output}");
    assert!(!text.starts_with('\n'), "{output}");
    assert!(!text.contains("\n\n\n"), "{output}");
    let mut in_heredoc = None;
    for line in text.lines() {
        if let Some(marker) = in_heredoc {
            let closes = line
                .trim_start()
                .strip_prefix(marker)
                .is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_'));
            if closes {
                in_heredoc = None;
            }
            continue;
        }
        assert!(
            !line.ends_with([' ', '\t']),
            "trailing whitespace: {line:?}\n{output}"
        );
        let indent = line.len() - line.trim_start_matches(' ').len();
        if !line.trim_start().starts_with("more */") {
            assert!(
                !line.starts_with('\t'),
                "tab indentation: {line:?}\n{output}"
            );
            assert_eq!(indent % 2, 0, "odd indentation: {line:?}\n{output}");
        }
        if let Some(pos) = line.find("<<") {
            let marker = line[pos + 2..].trim_start_matches('-');
            in_heredoc = Some(if marker == "EOT" { "EOT" } else { marker });
        }
    }
}

proptest! {
    // 256 cases by default; set PROPTEST_CASES for a longer run.
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn prop_random_bodies_format_idempotently_and_keep_their_meaning(
        items in body(2),
        dice in prop::collection::vec(any::<u8>(), 0..400),
        crlf in any::<bool>(),
    ) {
        let src = render(&items, &dice, crlf);
        prop_assert!(parse_body(&src).is_ok(), "generator produced invalid HCL:\n{}", src);
        let output = format_source(&src);
        prop_assert!(output.is_ok());
        let output = output.unwrap_or_default();
        assert_canonical(&src, &output);
        assert_layout(&output);
        if crlf && !output.is_empty() {
            prop_assert!(!output.replace("\r\n", "").contains('\n'));
        }
    }

    #[test]
    fn prop_arbitrary_text_never_panics(src in "[ -~\t\n]{0,200}") {
        if let Ok(output) = format_source(&src) {
            assert_canonical(&src, &output);
        }
    }

    #[test]
    fn prop_hcl_like_text_never_panics(
        parts in prop::collection::vec(prop::sample::select(&[
            "a", " = ", "=", "1", "\"s\"", "[", "]", "{", "}", "(", ")", ",", "\n", " ", "\t",
            "# c\n", "/* c */", "b", "blk", "\"l\"", "<<EOT\n", "EOT\n", "var.x", "?", ":",
            "for", " in ", "=>", "...", "+", "\r\n", "//x\n", "${", "%{",
        ][..]), 0..60),
    ) {
        let src: String = parts.concat();
        if let Ok(output) = format_source(&src) {
            assert_canonical(&src, &output);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Performance: a 2.5 MB spec must format in linear time.
// ---------------------------------------------------------------------------------------------

/// A spec with `targets` target blocks, written with sloppy alignment and comments.
fn large_spec(targets: usize) -> String {
    let mut s = String::with_capacity(targets * 260);
    s.push_str("meridian {\n  name = \"big\"\n}\n\n");
    for model in 0..targets.div_ceil(100) {
        s.push_str(&format!(
            "model \"m{model}\" {{\ndescription = \"model {model}\"\n  capabilities = [ \"chat\",\"tools\" ]\n  tier \"primary\" {{\n"
        ));
        for t in 0..100.min(targets - model * 100) {
            s.push_str(&format!(
                "    target \"t-{model}-{t}\" {{ # target {t}\n\
                 provider = provider.azure.corp\n\
                 \tmodel = \"gpt-4.1\"\n\
                 region   =   \"swedencentral\"\n\
                 version = \"2025-04-14\"\n\
                 billing =\"on_demand\"\n\
                 processing = \"geography\" # data zone\n\
                 capacity = {t}\n\
                 tags = {{ team = \"ml\", cost_center = \"cc-{t:04}\" }}\n\
                 }}\n"
            ));
        }
        s.push_str("  }\n}\n");
    }
    s
}

/// Best-of-three times of parsing alone and of formatting (which parses too).
fn time_format(src: &str) -> (Duration, Duration, String) {
    let mut parse = Duration::MAX;
    let mut total = Duration::MAX;
    let mut output = String::new();
    for _ in 0..3 {
        let start = Instant::now();
        let parsed = parse_body(src);
        parse = parse.min(start.elapsed());
        assert!(parsed.is_ok());
        let start = Instant::now();
        output = fmt(src);
        total = total.min(start.elapsed());
    }
    (parse, total, output)
}

/// Formats a 2.5 MB spec correctly. Its speed is measured by the benchmark, not here:
/// wall-clock bounds in tests fail on loaded machines.
#[test]
fn large_spec_formats() {
    let big = large_spec(10_000);
    assert!(big.len() >= 2_500_000, "spec is only {} bytes", big.len());
    let (_, _, output) = time_format(&big);
    assert!(output.contains(
        "    target \"t-99-99\" { # target 99\n      provider   = provider.azure.corp\n"
    ));
    assert_eq!(fmt(&output), output);
}

#[test]
fn a_byte_order_mark_is_kept_and_does_not_break_formatting() {
    let out = format_source("\u{feff}meridian {\n    name = \"bom\"\n}\n").expect("formats");
    assert_eq!(out, "\u{feff}meridian {\n  name = \"bom\"\n}\n");
}
