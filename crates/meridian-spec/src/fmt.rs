//! Canonical formatting of spec files (`meridian fmt`).
//!
//! [`format_source`] parses a spec with `hcl-edit` and lays it out again the way
//! `terraform fmt` would, using the parser's spans to copy every expression's text from the
//! input. Only whitespace and line layout change; what the spec means never does.
//!
//! # Layout
//!
//! - Two spaces of indentation per nesting level: block bodies, the elements of multi-line
//!   arrays and objects, and the continuation lines of any other expression written over
//!   several lines (function calls, `for` expressions, parentheses, operators). A line that
//!   starts with a closing bracket goes back to the level of the line that opened it.
//! - One space around `=`; `name "label" label {` with single spaces; a closing brace on its
//!   own line at the block's level. An empty block is written `name "label" {}`; a one-line
//!   block holding a single one-line attribute (`aws { region = "eu-central-1" }`) stays on
//!   one line, like in Terraform; it is expanded when its content spans several lines.
//! - Alignment follows `terraform fmt`: on consecutive lines that each carry a
//!   `key = value` attribute or object entry, the `=` signs line up (keys padded to the
//!   longest one). Any other line ends such a run: a blank line, a comment-only line, a block
//!   header or closing brace, the continuation lines of a multi-line value. A multi-line value
//!   takes part in the run above it only when its first line leaves no bracket open
//!   (`x = <<EOT`); `tags = {` does not. Trailing comments on consecutive lines are aligned
//!   the same way, one space after the longest line. Object entries written with `:` keep it
//!   (`key: value`) and are not aligned.
//! - Expressions keep their text byte for byte: quoting, escapes, number spelling, heredocs,
//!   templates, and the spacing inside one-line expressions. The exceptions are one-line
//!   arrays and objects, which are re-spaced around their elements (`[ "a","b" ]` becomes
//!   `["a", "b"]`, `{a=1}` becomes `{ a = 1 }`), and multi-line arrays and objects, which
//!   are re-indented with one element per line. Commas stay as written: a trailing comma is
//!   kept when present and never added, object entries keep their comma or newline
//!   separators. Line breaks inside other expressions are kept where the user put them;
//!   lines are never joined, and an expression written on one line stays on one line. A
//!   comma after a heredoc goes on the line after its closing marker, which HCL wants alone
//!   on its line.
//! - Every comment is kept, at the indentation of what follows it. A comment that followed an
//!   element's comma on the same line stays a trailing comment; block comments between an
//!   element and its comma stay there, a line comment there moves after the comma.
//! - Blank lines between items are kept, runs of them collapsed to one; blank lines at the
//!   start and end of the file, of a block body and of a multi-line array or object are
//!   removed. No line ends in whitespace (except inside heredocs and strings, where it is
//!   content) and a non-empty result ends with exactly one line break.
//! - Line breaks: a file whose first line break outside strings and heredocs is CRLF is
//!   written with CRLF, any other with LF. Line breaks inside heredocs and strings are copied
//!   as they are, so the strings mean exactly what they meant (`terraform fmt` always writes
//!   LF, which changes the text of a heredoc in a CRLF file).
//!
//! The result is a fixed point: formatting it again returns it unchanged.

use std::ops::Range;

use crate::syntax::{parse_body, SyntaxError};
use hcl_edit::expr::{
    Array, Expression, Object, ObjectKey, ObjectValueAssignment, ObjectValueTerminator,
    TraversalOperator,
};
use hcl_edit::structure::{Attribute, Block, BlockLabel, Body, Structure};
use hcl_edit::{Decor, Decorate, Decorated, RawString, Span};

/// Returns the canonical form of an HCL source text, or the parse error.
///
/// See the [module documentation](self) for the layout rules. Text that does not parse as an
/// HCL body is reported as a [`SyntaxError`] located at its cause; formatting a parsed body
/// cannot fail.
pub fn format_source(src: &str) -> Result<String, SyntaxError> {
    // A UTF-8 byte-order mark is not part of the spec (the loader skips it too); keep it in
    // the output so formatting never changes a file's encoding marker.
    if let Some(rest) = src.strip_prefix('\u{feff}') {
        return format_source(rest).map(|out| format!("\u{feff}{out}"));
    }
    let body = parse_body(src)?;
    let mut formatter = Formatter {
        src,
        out: Out::new(),
        verbatim: Vec::new(),
        ctx: 1,
        heredoc_end: None,
    };
    formatter.body_items(&body, 0);
    let line_break = formatter.line_break();
    Ok(formatter.out.render(line_break))
}

// ---------------------------------------------------------------------------------------------
// Output lines
// ---------------------------------------------------------------------------------------------

/// One output line. Its text lives in [`Out::buf`] from `start` to `end`; `assign` and
/// `comment` mark where the alignable `= value` cell and the trailing-comment cell begin.
#[derive(Clone, Copy, Debug)]
struct Line {
    /// Indentation level (two spaces each); not applied to raw lines.
    level: usize,
    /// A continuation line of a multi-line string, heredoc or block comment: written as is.
    raw: bool,
    start: usize,
    assign: Option<usize>,
    comment: Option<usize>,
    end: usize,
    /// The line break ending this line lies inside a string or heredoc: it is written as it
    /// was in the input (any `\r` is part of the text), and the line is not trimmed.
    verbatim_break: bool,
}

impl Line {
    fn new(level: usize, raw: bool, start: usize) -> Self {
        Line {
            level,
            raw,
            start,
            assign: None,
            comment: None,
            end: start,
            verbatim_break: false,
        }
    }
}

/// The output under construction: finished lines plus the line being written. All text goes
/// into one buffer, so building the output is linear in its size.
struct Out {
    buf: String,
    lines: Vec<Line>,
    cur: Line,
}

impl Out {
    fn new() -> Self {
        Out {
            buf: String::new(),
            lines: Vec::new(),
            cur: Line::new(0, false, 0),
        }
    }

    /// Appends text to the current line. The text holds no line break.
    fn text(&mut self, s: &str) {
        self.buf.push_str(s);
    }

    fn level(&self) -> usize {
        self.cur.level
    }

    fn is_line_empty(&self) -> bool {
        self.buf.len() == self.cur.start
    }

    /// Sets the level of the current line (used while it is still empty).
    fn set_level(&mut self, level: usize) {
        self.cur.level = level;
    }

    fn finish_line(&mut self) {
        self.cur.end = self.buf.len();
        self.lines.push(self.cur);
    }

    /// Ends the current line and starts an indented one at `level`.
    fn newline(&mut self, level: usize) {
        self.finish_line();
        self.cur = Line::new(level, false, self.buf.len());
    }

    /// Ends the current line inside a string, heredoc (`verbatim`) or block comment and
    /// starts a raw continuation line.
    fn break_raw(&mut self, verbatim: bool) {
        self.cur.verbatim_break = verbatim;
        let level = self.cur.level;
        self.finish_line();
        self.cur = Line::new(level, true, self.buf.len());
    }

    /// Marks the start of the alignable `= value` cell of the current line.
    fn mark_assign(&mut self) {
        if self.cur.assign.is_none() && self.cur.comment.is_none() {
            self.cur.assign = Some(self.buf.len());
        }
    }

    /// Marks the start of the trailing-comment cell; false when the line already has one.
    fn mark_comment(&mut self) -> bool {
        if self.cur.comment.is_none() {
            self.cur.comment = Some(self.buf.len());
            true
        } else {
            false
        }
    }

    fn render(mut self, line_break: &str) -> String {
        if !self.is_line_empty() {
            self.finish_line();
        }
        let Out { buf, lines, .. } = self;
        let n = lines.len();

        let indent_width = |l: &Line| if l.raw { 0 } else { 2 * l.level };
        let lead_end = |l: &Line| l.assign.or(l.comment).unwrap_or(l.end);
        let lead_width =
            |l: &Line| indent_width(l) + buf[l.start..lead_end(l)].trim_end().chars().count();

        // `=` alignment over runs of consecutive lines with an assign cell, then
        // trailing-comment alignment over runs of consecutive lines with a comment cell.
        let assign_pad = run_pads(n, |k| lines[k].assign.is_some(), |k| lead_width(&lines[k]));
        let width_before_comment = |k: usize| {
            let l = &lines[k];
            match l.assign {
                Some(a) => {
                    lead_width(l)
                        + assign_pad[k]
                        + buf[a..l.comment.unwrap_or(l.end)]
                            .trim_end()
                            .chars()
                            .count()
                }
                None => lead_width(l),
            }
        };
        let comment_pad = run_pads(n, |k| lines[k].comment.is_some(), width_before_comment);

        let mut s = String::with_capacity(buf.len() + buf.len() / 4 + n * line_break.len());
        for (k, l) in lines.iter().enumerate() {
            let line_start = s.len();
            if !l.raw {
                for _ in 0..l.level {
                    s.push_str("  ");
                }
            }
            let lead = &buf[l.start..lead_end(l)];
            if l.assign.is_some() || l.comment.is_some() {
                s.push_str(lead.trim_end());
            } else {
                s.push_str(lead);
            }
            if let Some(a) = l.assign {
                push_spaces(&mut s, assign_pad[k]);
                let cell = &buf[a..l.comment.unwrap_or(l.end)];
                if l.comment.is_some() {
                    s.push_str(cell.trim_end());
                } else {
                    s.push_str(cell);
                }
            }
            if let Some(c) = l.comment {
                push_spaces(&mut s, comment_pad[k]);
                s.push_str(&buf[c..l.end]);
            }
            if l.verbatim_break {
                s.push('\n');
            } else {
                let kept = s[line_start..].trim_end().len();
                s.truncate(line_start + kept);
                s.push_str(line_break);
            }
        }
        s
    }
}

/// For each run of consecutive lines `k` with `in_run(k)`, the spaces to put before the
/// aligned cell so that every line of the run reaches the run's widest `width(k)` plus one.
fn run_pads(
    n: usize,
    in_run: impl Fn(usize) -> bool,
    width: impl Fn(usize) -> usize,
) -> Vec<usize> {
    let mut pads = vec![1usize; n];
    let mut i = 0;
    while i < n {
        if !in_run(i) {
            i += 1;
            continue;
        }
        let mut j = i;
        let mut widest = 0;
        while j < n && in_run(j) {
            widest = widest.max(width(j));
            j += 1;
        }
        for (offset, pad) in pads[i..j].iter_mut().enumerate() {
            *pad = widest - width(i + offset) + 1;
        }
        i = j;
    }
    pads
}

fn push_spaces(s: &mut String, n: usize) {
    for _ in 0..n {
        s.push(' ');
    }
}

// ---------------------------------------------------------------------------------------------
// Comments and whitespace ("decor")
// ---------------------------------------------------------------------------------------------

/// The comments of a whitespace-and-comments run, split at the line breaks outside comments:
/// `segments[i]` holds the comments of the i-th physical line, so there is one more segment
/// than line breaks. Line comments are trimmed and exclude their line break.
type Segments<'a> = Vec<Vec<&'a str>>;

fn segments(s: &str) -> Segments<'_> {
    let b = s.as_bytes();
    let mut segs = Vec::new();
    let mut cur = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                segs.push(std::mem::take(&mut cur));
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'#' => {
                let end = line_end(b, i);
                cur.push(s[i..end].trim_end());
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = line_end(b, i);
                cur.push(s[i..end].trim_end());
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = block_comment_end(s, i);
                cur.push(&s[i..end]);
                i = end;
            }
            _ => {
                // Decor holds only whitespace and comments; keep anything else as it is.
                let start = i;
                while i < b.len() && !matches!(b[i], b'\n' | b' ' | b'\t' | b'\r') {
                    i += 1;
                }
                cur.push(&s[start..i]);
            }
        }
    }
    segs.push(cur);
    segs
}

/// Index of the line break at or after `i`, or the end of the text.
fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

/// End (exclusive) of the block comment starting at `i`.
fn block_comment_end(s: &str, i: usize) -> usize {
    s.get(i + 2..)
        .and_then(|rest| rest.find("*/"))
        .map_or(s.len(), |p| i + 2 + p + 2)
}

fn is_closer(c: u8) -> bool {
    matches!(c, b')' | b']' | b'}')
}

fn is_line_comment(c: &str) -> bool {
    c.starts_with('#') || c.starts_with("//")
}

fn raw_str(raw: Option<&RawString>) -> &str {
    raw.map_or("", |r| &**r)
}

fn prefix_of(decor: &Decor) -> &str {
    raw_str(decor.prefix())
}

fn suffix_of(decor: &Decor) -> &str {
    raw_str(decor.suffix())
}

/// All comments of a run, in order.
fn comments_in(s: &str) -> Vec<&str> {
    segments(s).into_iter().flatten().collect()
}

/// Splits the segments of a run that starts on the line of the previous token (after `[`,
/// `{` or a comma) into the comments staying on that line, own-line comments (and blank
/// lines), and the comments on the line of the next item before it. Without any line break
/// everything stays on the previous line.
fn split_after_token<'s, 'a>(
    segs: &'s [Vec<&'a str>],
) -> (&'s [&'a str], &'s [Vec<&'a str>], &'s [&'a str]) {
    match segs {
        [] => (&[], &[], &[]),
        [only] => (only, &[], &[]),
        [first, middle @ .., last] => (first, middle, last),
    }
}

/// Splits the segments of a run that starts at the beginning of a line into own-line
/// comments (and blank lines) and the comments on the line of the next item before it.
fn split_at_line_start<'s, 'a>(segs: &'s [Vec<&'a str>]) -> (&'s [Vec<&'a str>], &'s [&'a str]) {
    match segs.split_last() {
        Some((last, own)) => (own, last),
        None => (&[], &[]),
    }
}

// ---------------------------------------------------------------------------------------------
// The formatter
// ---------------------------------------------------------------------------------------------

struct Formatter<'a> {
    src: &'a str,
    out: Out,
    /// Spans of multi-line strings, heredocs and labels copied with their own line breaks.
    verbatim: Vec<Range<usize>>,
    /// Indentation level of a continuation line inside an expression, outside any bracket
    /// the expression opens itself.
    ctx: usize,
    /// Index of the output line holding the closing marker of the last heredoc written.
    heredoc_end: Option<usize>,
}

impl<'a> Formatter<'a> {
    /// The line break used outside strings and heredocs: CRLF when the input's first line
    /// break outside them is CRLF, LF otherwise.
    fn line_break(&mut self) -> &'static str {
        self.verbatim.sort_by_key(|r| r.start);
        let bytes = self.src.as_bytes();
        let mut spans = self.verbatim.iter().peekable();
        for (pos, _) in self.src.match_indices('\n') {
            while spans.peek().is_some_and(|r| r.end <= pos) {
                spans.next();
            }
            if spans.peek().is_some_and(|r| r.start <= pos) {
                continue;
            }
            return if pos > 0 && bytes[pos - 1] == b'\r' {
                "\r\n"
            } else {
                "\n"
            };
        }
        "\n"
    }

    // ----- comments ---------------------------------------------------------------------------

    /// Writes one comment; continuation lines of a block comment are kept as written.
    fn comment(&mut self, c: &str) {
        let mut lines = c.split('\n');
        if let Some(first) = lines.next() {
            self.out.text(first.trim_end());
        }
        for line in lines {
            self.out.break_raw(false);
            self.out.text(line.trim_end());
        }
    }

    /// Writes the comments of an inline run, each preceded by a space.
    fn comments_after(&mut self, raw: &str) {
        for c in comments_in(raw) {
            self.out.text(" ");
            self.comment(c);
            self.guard_line_comment(c);
        }
    }

    /// Writes the comments of an inline run, each followed by a space.
    fn comments_before(&mut self, comments: &[&str]) {
        for c in comments {
            self.comment(c);
            if is_line_comment(c) {
                self.guard_line_comment(c);
            } else {
                self.out.text(" ");
            }
        }
    }

    /// A line comment runs to the end of its line, so nothing may follow it there.
    fn guard_line_comment(&mut self, c: &str) {
        if is_line_comment(c) {
            let level = self.out.level() + 1;
            self.out.newline(level);
        }
    }

    /// Writes comments at the end of the current line (the trailing-comment cell). After a
    /// line comment any further ones go on their own lines at `level`.
    fn trailing(&mut self, comments: &[&str], level: usize) {
        let mut after_line_comment = false;
        for (i, c) in comments.iter().enumerate() {
            if i == 0 {
                if !self.out.mark_comment() {
                    self.out.text(" ");
                }
            } else if after_line_comment {
                self.out.newline(level);
            } else {
                self.out.text(" ");
            }
            self.comment(c);
            after_line_comment = is_line_comment(c);
        }
    }

    /// Writes own-line comments and records blank lines, starting on an empty line at
    /// `level` and leaving an empty line at `level`. Blank lines are written only between
    /// content (`seen`) and only one per run.
    fn own_lines(&mut self, segs: &[Vec<&str>], level: usize, blank: &mut bool, seen: &mut bool) {
        for seg in segs {
            if seg.is_empty() {
                if *seen {
                    *blank = true;
                }
                continue;
            }
            self.flush_blank(level, blank);
            for (j, c) in seg.iter().enumerate() {
                if j > 0 {
                    self.out.text(" ");
                }
                self.comment(c);
            }
            self.out.newline(level);
            *seen = true;
        }
    }

    fn flush_blank(&mut self, level: usize, blank: &mut bool) {
        if *blank {
            self.out.set_level(level);
            self.out.newline(level);
            *blank = false;
        }
    }

    // ----- structures -------------------------------------------------------------------------

    /// Writes the items of a body at `level`, starting on an empty line and leaving an empty
    /// line at `level`.
    fn body_items(&mut self, body: &Body, level: usize) {
        let mut blank = false;
        let mut seen = false;
        for structure in body.iter() {
            let prefix = segments(prefix_of(structure.decor()));
            let (own, inline) = split_at_line_start(&prefix);
            self.own_lines(own, level, &mut blank, &mut seen);
            self.flush_blank(level, &mut blank);
            self.out.set_level(level);
            self.comments_before(inline);
            match structure {
                Structure::Attribute(attr) => self.attribute(attr, level, true),
                Structure::Block(block) => self.block(block, level),
            }
            let suffix = comments_in(suffix_of(structure.decor()));
            self.trailing(&suffix, level);
            self.out.newline(level);
            seen = true;
        }
        let suffix = segments(suffix_of(body.decor()));
        self.own_lines(&suffix, level, &mut blank, &mut seen);
    }

    /// Writes `key = value` on the current line; `align` makes the `= value` part an
    /// alignment cell.
    fn attribute(&mut self, attr: &Attribute, level: usize, align: bool) {
        self.out.text(attr.key.as_str());
        self.comments_after(suffix_of(attr.key.decor()));
        let value = &attr.value;
        self.assign_sign(value, align);
        self.comments_after(prefix_of(value.decor()));
        self.out.text(" ");
        self.ctx = level + 1;
        self.expr(value);
        self.comments_after(suffix_of(value.decor()));
    }

    /// Writes the ` =` of an attribute or object entry, as an alignment cell when the value
    /// is on one line or its first line leaves no bracket open.
    fn assign_sign(&mut self, value: &Expression, align: bool) {
        if align && (!self.is_multiline(value) || self.first_line_net(value) <= 0) {
            self.out.mark_assign();
        } else {
            self.out.text(" ");
        }
        self.out.text("=");
    }

    fn block(&mut self, block: &Block, level: usize) {
        self.out.text(block.ident.as_str());
        self.comments_after(suffix_of(block.ident.decor()));
        for label in &block.labels {
            self.out.text(" ");
            self.label(label);
            self.comments_after(suffix_of(label.decor()));
        }
        self.out.text(" {");
        let body = &block.body;

        if body.is_empty() {
            let head = prefix_of(body.decor());
            let tail = suffix_of(body.decor());
            let head_comments = comments_in(head);
            let tail_comments = comments_in(tail);
            if head_comments.is_empty() && tail_comments.is_empty() {
                self.out.text("}");
                return;
            }
            if body.prefer_oneline() && !tail.contains('\n') && head_comments.is_empty() {
                self.comments_after(tail);
                self.out.text(" }");
                return;
            }
        } else if let Some(attr) = self.one_line_attribute(body) {
            self.out.text(" ");
            self.comments_before(&comments_in(prefix_of(attr.decor())));
            self.attribute(attr, level, false);
            self.comments_after(suffix_of(attr.decor()));
            self.comments_after(suffix_of(body.decor()));
            self.out.text(" }");
            return;
        }

        let head = comments_in(prefix_of(body.decor()));
        self.trailing(&head, level + 1);
        self.out.newline(level + 1);
        self.body_items(body, level + 1);
        self.out.set_level(level);
        self.out.text("}");
    }

    /// The attribute of a one-line block (`name { key = value }`) that can stay on one line.
    fn one_line_attribute<'b>(&self, body: &'b Body) -> Option<&'b Attribute> {
        if !body.prefer_oneline() || body.len() != 1 {
            return None;
        }
        let Some(Structure::Attribute(attr)) = body.iter().next() else {
            return None;
        };
        let decors = [
            prefix_of(attr.decor()),
            suffix_of(attr.decor()),
            suffix_of(attr.key.decor()),
            prefix_of(attr.value.decor()),
            suffix_of(attr.value.decor()),
            suffix_of(body.decor()),
        ];
        if decors.iter().any(|d| d.contains('\n')) || self.is_multiline(&attr.value) {
            return None;
        }
        Some(attr)
    }

    fn label(&mut self, label: &BlockLabel) {
        if let Some(span) = label.span() {
            if let Some(text) = self.src.get(span.clone()) {
                self.verbatim(text, span);
                return;
            }
        }
        match label {
            BlockLabel::Ident(ident) => self.out.text(ident.as_str()),
            BlockLabel::String(s) => {
                self.fallback(&Expression::String(Decorated::new(s.value().clone())));
            }
        }
    }

    // ----- expressions ------------------------------------------------------------------------

    fn source(&self, e: &Expression) -> Option<(&'a str, Range<usize>)> {
        let span = e.span()?;
        let text = self.src.get(span.clone())?;
        Some((text, span))
    }

    /// Whether the expression spans several lines; it then does so in the output as well.
    fn is_multiline(&self, e: &Expression) -> bool {
        self.source(e).is_some_and(|(text, _)| text.contains('\n'))
    }

    /// Writes an expression starting on the current line.
    fn expr(&mut self, e: &Expression) {
        let Some((text, span)) = self.source(e) else {
            self.fallback(e);
            return;
        };
        match e {
            Expression::Array(array) => {
                if text.contains('\n') {
                    self.array_multi(array);
                } else {
                    self.array_inline(array);
                }
            }
            Expression::Object(object) => {
                if text.contains('\n') {
                    self.object_multi(object);
                } else {
                    self.object_inline(object);
                }
            }
            Expression::Null(_)
            | Expression::Bool(_)
            | Expression::Number(_)
            | Expression::String(_)
            | Expression::StringTemplate(_)
            | Expression::HeredocTemplate(_)
            | Expression::Variable(_) => self.verbatim(text, span),
            _ => self.generic(e, text, span),
        }
        if matches!(e, Expression::HeredocTemplate(_)) {
            self.heredoc_end = Some(self.out.lines.len());
        }
    }

    /// Writes the comma after an element. HCL wants a heredoc's closing marker alone on its
    /// line, so after one the comma goes on the next line.
    fn element_comma(&mut self, level: usize) {
        if self.heredoc_end == Some(self.out.lines.len()) {
            self.out.newline(level);
        }
        self.out.text(",");
    }

    /// Copies text from the input; its line breaks (inside a string or heredoc) stay as
    /// they are.
    fn verbatim(&mut self, text: &str, span: Range<usize>) {
        if !text.contains('\n') {
            self.out.text(text);
            return;
        }
        self.verbatim.push(span);
        for (i, piece) in text.split('\n').enumerate() {
            if i > 0 {
                self.out.break_raw(true);
            }
            self.out.text(piece);
        }
    }

    /// Writes an expression without a usable span through `hcl-edit`'s own encoder. The
    /// parser gives every expression a span, so this is only a safety net.
    fn fallback(&mut self, e: &Expression) {
        let mut e = e.clone();
        e.decor_mut().clear();
        let text = e.to_string();
        for (i, piece) in text.split('\n').enumerate() {
            if i > 0 {
                self.out.break_raw(true);
            }
            self.out.text(piece);
        }
    }

    /// Any expression other than a literal, array or object: its own text (operators,
    /// brackets, keywords, comments) is copied and its sub-expressions are formatted. Lines it
    /// continues onto are indented by bracket nesting, as `terraform fmt` does: one level
    /// deeper than the line holding the innermost open bracket, or at that line's level when
    /// they start with the closing bracket.
    fn generic(&mut self, e: &Expression, text: &'a str, span: Range<usize>) {
        let kids = children(e);
        let mut ranges = Vec::with_capacity(kids.len());
        let mut pos = span.start;
        for kid in &kids {
            match kid.span() {
                Some(r) if pos <= r.start && r.start <= r.end && r.end <= span.end => {
                    pos = r.end;
                    ranges.push(r);
                }
                _ => {
                    self.verbatim(text, span);
                    return;
                }
            }
        }
        let src = self.src;
        let outer = self.ctx;
        let mut open = Vec::new();
        let mut pos = span.start;
        for (kid, r) in kids.iter().zip(ranges) {
            self.gap(src.get(pos..r.start).unwrap_or_default(), &mut open, outer);
            self.expr(kid);
            pos = r.end;
        }
        self.gap(src.get(pos..span.end).unwrap_or_default(), &mut open, outer);
        self.ctx = outer;
    }

    /// Writes the text between two sub-expressions of a generic expression. `open` holds the
    /// levels of the lines where this expression's still-open brackets were opened; `outer`
    /// is the continuation level outside them.
    fn gap(&mut self, g: &str, open: &mut Vec<usize>, outer: usize) {
        let b = g.as_bytes();
        let mut i = 0;
        let mut breaks = 0usize;
        while i < b.len() {
            let c = b[i];
            match c {
                b'\n' => {
                    breaks += 1;
                    i += 1;
                    continue;
                }
                b' ' | b'\t' | b'\r' => {
                    let start = i;
                    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r') {
                        i += 1;
                    }
                    if breaks == 0 {
                        self.out.text(&g[start..i]);
                    }
                    continue;
                }
                _ => {}
            }
            if breaks > 0 {
                let level = if is_closer(c) {
                    open.last().copied().unwrap_or(outer)
                } else {
                    self.ctx
                };
                self.line_breaks(breaks, level);
                breaks = 0;
            }
            if c == b'#' || (c == b'/' && b.get(i + 1) == Some(&b'/')) {
                let end = line_end(b, i);
                self.comment(g[i..end].trim_end());
                i = end;
            } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
                let end = block_comment_end(g, i);
                self.comment(&g[i..end]);
                i = end;
            } else {
                let start = i;
                while i < b.len()
                    && (i == start || !matches!(b[i], b'\n' | b' ' | b'\t' | b'\r' | b'#' | b'/'))
                {
                    if matches!(b[i], b'(' | b'[' | b'{') {
                        let level = self.out.level();
                        open.push(level);
                        self.ctx = level + 1;
                    } else if is_closer(b[i]) {
                        open.pop();
                        self.ctx = open.last().map_or(outer, |l| l + 1);
                    }
                    i += 1;
                }
                self.out.text(&g[start..i]);
            }
        }
        if breaks > 0 {
            let level = self.ctx;
            self.line_breaks(breaks, level);
        }
    }

    /// Ends the current line inside a generic expression; two or more breaks leave one blank
    /// line.
    fn line_breaks(&mut self, breaks: usize, level: usize) {
        if self.out.is_line_empty() {
            self.out.set_level(level);
            return;
        }
        self.out.newline(level);
        if breaks > 1 {
            self.out.newline(level);
        }
    }

    /// The net number of brackets the first output line of a multi-line expression leaves
    /// open (mirrors what [`Self::expr`] writes).
    fn first_line_net(&self, e: &Expression) -> i32 {
        match e {
            Expression::Array(_) | Expression::Object(_) => 1,
            Expression::Null(_)
            | Expression::Bool(_)
            | Expression::Number(_)
            | Expression::String(_)
            | Expression::StringTemplate(_)
            | Expression::HeredocTemplate(_)
            | Expression::Variable(_) => 0,
            _ => {
                let Some((_, span)) = self.source(e) else {
                    return 0;
                };
                let src = self.src;
                let mut net = 0;
                let mut pos = span.start;
                for kid in children(e) {
                    let Some(r) = kid.span() else {
                        return net;
                    };
                    let (n, stopped) = scan_first_line(src.get(pos..r.start).unwrap_or_default());
                    net = net.saturating_add(n);
                    if stopped {
                        return net;
                    }
                    if self.is_multiline(kid) {
                        return net.saturating_add(self.first_line_net(kid));
                    }
                    pos = r.end.max(pos);
                }
                net.saturating_add(scan_first_line(src.get(pos..span.end).unwrap_or_default()).0)
            }
        }
    }

    fn array_inline(&mut self, array: &Array) {
        self.out.text("[");
        for (i, value) in array.iter().enumerate() {
            if i > 0 {
                self.out.text(", ");
            }
            self.comments_before(&comments_in(prefix_of(value.decor())));
            self.expr(value);
            self.comments_after(suffix_of(value.decor()));
        }
        if array.trailing_comma() {
            self.out.text(",");
        }
        let trailing = comments_in(array.trailing());
        for (i, c) in trailing.iter().enumerate() {
            if i > 0 || !array.is_empty() {
                self.out.text(" ");
            }
            self.comment(c);
        }
        self.out.text("]");
    }

    fn array_multi(&mut self, array: &Array) {
        let base = self.out.level();
        let inner = base + 1;
        let saved_ctx = self.ctx;
        self.out.text("[");
        let n = array.len();
        let mut pending: Vec<&str> = Vec::new();
        let (mut blank, mut seen) = (false, false);
        for (i, value) in array.iter().enumerate() {
            let prefix = segments(prefix_of(value.decor()));
            let (same_line, own, inline) = split_after_token(&prefix);
            pending.extend_from_slice(same_line);
            self.trailing(&pending, inner);
            pending.clear();
            self.out.newline(inner);
            self.own_lines(own, inner, &mut blank, &mut seen);
            self.flush_blank(inner, &mut blank);
            self.comments_before(inline);
            self.ctx = inner;
            self.expr(value);
            seen = true;
            let comma = i + 1 < n || array.trailing_comma();
            self.element_suffix(suffix_of(value.decor()), comma, &mut pending);
            if comma {
                self.element_comma(inner);
            }
        }
        let trailing = segments(array.trailing());
        let own = match trailing.split_first() {
            Some((first, rest)) => {
                pending.extend_from_slice(first);
                rest
            }
            None => &[],
        };
        self.trailing(&pending, inner);
        self.out.newline(inner);
        self.own_lines(own, inner, &mut blank, &mut seen);
        self.out.set_level(base);
        self.out.text("]");
        self.ctx = saved_ctx;
    }

    /// Comments between an element and its comma (`comma`): block comments on the element's
    /// line stay there, before the comma; when a line comment or a comment on a later line is
    /// among them, they all move after the comma, to the end of the line. Without a comma
    /// they always end the line. (Whether the closing bracket followed on the same line must
    /// not matter: it never does in the output.)
    fn element_suffix<'s>(&mut self, suffix: &'s str, comma: bool, pending: &mut Vec<&'s str>) {
        let segs = segments(suffix);
        let Some((first, rest)) = segs.split_first() else {
            return;
        };
        if comma && rest.iter().all(Vec::is_empty) && !first.iter().any(|c| is_line_comment(c)) {
            for c in first {
                self.out.text(" ");
                self.comment(c);
            }
        } else {
            pending.extend(segs.iter().flatten());
        }
    }

    fn object_key(&mut self, key: &ObjectKey) {
        match key {
            ObjectKey::Ident(ident) => self.out.text(ident.as_str()),
            ObjectKey::Expression(e) => self.expr(e),
        }
    }

    fn object_inline(&mut self, object: &Object) {
        let trailing = comments_in(object.trailing());
        self.out.text("{");
        for (key, value) in object.iter() {
            self.out.text(" ");
            self.comments_before(&comments_in(prefix_of(key.decor())));
            self.object_key(key);
            self.comments_after(suffix_of(key.decor()));
            let expr = value.expr();
            match value.assignment() {
                ObjectValueAssignment::Equals => self.out.text(" ="),
                ObjectValueAssignment::Colon => self.out.text(":"),
            }
            self.comments_after(prefix_of(expr.decor()));
            self.out.text(" ");
            self.expr(expr);
            self.comments_after(suffix_of(expr.decor()));
            if value.terminator() == ObjectValueTerminator::Comma {
                self.out.text(",");
            }
        }
        for c in &trailing {
            self.out.text(" ");
            self.comment(c);
        }
        if object.is_empty() && trailing.is_empty() {
            self.out.text("}");
        } else {
            self.out.text(" }");
        }
    }

    fn object_multi(&mut self, object: &Object) {
        let base = self.out.level();
        let inner = base + 1;
        let saved_ctx = self.ctx;
        self.out.text("{");
        let mut pending: Vec<&str> = Vec::new();
        let mut after_token = true;
        let (mut blank, mut seen) = (false, false);
        for (key, value) in object.iter() {
            let prefix = segments(prefix_of(key.decor()));
            let (own, inline) = if after_token {
                let (same_line, own, inline) = split_after_token(&prefix);
                pending.extend_from_slice(same_line);
                (own, inline)
            } else {
                split_at_line_start(&prefix)
            };
            self.trailing(&pending, inner);
            pending.clear();
            self.out.newline(inner);
            self.own_lines(own, inner, &mut blank, &mut seen);
            self.flush_blank(inner, &mut blank);
            self.comments_before(inline);
            self.object_key(key);
            self.comments_after(suffix_of(key.decor()));
            let expr = value.expr();
            match value.assignment() {
                ObjectValueAssignment::Equals => self.assign_sign(expr, true),
                ObjectValueAssignment::Colon => self.out.text(":"),
            }
            self.comments_after(prefix_of(expr.decor()));
            self.out.text(" ");
            self.ctx = inner;
            self.expr(expr);
            seen = true;
            self.element_suffix(suffix_of(expr.decor()), true, &mut pending);
            match value.terminator() {
                ObjectValueTerminator::Comma => {
                    self.element_comma(inner);
                    after_token = true;
                }
                ObjectValueTerminator::Newline => after_token = false,
                ObjectValueTerminator::None => after_token = true,
            }
        }
        let trailing = segments(object.trailing());
        let own: &[Vec<&str>] = if after_token {
            match trailing.split_first() {
                Some((first, rest)) => {
                    pending.extend_from_slice(first);
                    rest
                }
                None => &[],
            }
        } else {
            &trailing
        };
        self.trailing(&pending, inner);
        self.out.newline(inner);
        self.own_lines(own, inner, &mut blank, &mut seen);
        self.out.set_level(base);
        self.out.text("}");
        self.ctx = saved_ctx;
    }
}

/// The direct sub-expressions of an expression, in source order.
fn children(e: &Expression) -> Vec<&Expression> {
    match e {
        Expression::Array(array) => array.iter().collect(),
        Expression::Object(object) => object
            .iter()
            .flat_map(|(key, value)| key.as_expr().into_iter().chain([value.expr()]))
            .collect(),
        Expression::Parenthesis(p) => vec![p.inner()],
        Expression::Conditional(c) => vec![&c.cond_expr, &c.true_expr, &c.false_expr],
        Expression::FuncCall(call) => call.args.iter().collect(),
        Expression::Traversal(t) => std::iter::once(&t.expr)
            .chain(t.operators.iter().filter_map(|op| match op.value() {
                TraversalOperator::Index(index) => Some(index),
                _ => None,
            }))
            .collect(),
        Expression::UnaryOp(op) => vec![&op.expr],
        Expression::BinaryOp(op) => vec![&op.lhs_expr, &op.rhs_expr],
        Expression::ForExpr(f) => {
            let mut kids = vec![&f.intro.collection_expr];
            kids.extend(f.key_expr.as_ref());
            kids.push(&f.value_expr);
            kids.extend(f.cond.as_ref().map(|c| &c.expr));
            kids
        }
        Expression::Null(_)
        | Expression::Bool(_)
        | Expression::Number(_)
        | Expression::String(_)
        | Expression::StringTemplate(_)
        | Expression::HeredocTemplate(_)
        | Expression::Variable(_) => Vec::new(),
    }
}

/// Net bracket count of a generic expression's own text up to the first line break, and
/// whether a line break (or a line comment, or a multi-line block comment) was reached.
fn scan_first_line(g: &str) -> (i32, bool) {
    let b = g.as_bytes();
    let mut net = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' | b'#' => return (net, true),
            b'/' if b.get(i + 1) == Some(&b'/') => return (net, true),
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = block_comment_end(g, i);
                if g.get(i..end).is_some_and(|c| c.contains('\n')) {
                    return (net, true);
                }
                i = end;
                continue;
            }
            b'(' | b'[' | b'{' => net = net.saturating_add(1),
            b')' | b']' | b'}' => net = net.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    (net, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_split_at_line_breaks_outside_comments() {
        assert_eq!(segments(""), vec![Vec::<&str>::new()]);
        assert_eq!(segments("  \t"), vec![Vec::<&str>::new()]);
        assert_eq!(
            segments(" # a  \r\n\n  /* b\n c */ // d\n  "),
            vec![vec!["# a"], vec![], vec!["/* b\n c */", "// d"], vec![]]
        );
        assert_eq!(
            segments("/* x */ /* y */"),
            vec![vec!["/* x */", "/* y */"]]
        );
        // An unterminated block comment (never produced by the parser) runs to the end.
        assert_eq!(segments("/* open"), vec![vec!["/* open"]]);
    }

    #[test]
    fn split_helpers_place_comments() {
        let segs = segments(" # same\n\n  # own\n  /* before */ ");
        let (same, own, inline) = split_after_token(&segs);
        assert_eq!(same, ["# same"]);
        assert_eq!(own, [vec![], vec!["# own"]]);
        assert_eq!(inline, ["/* before */"]);

        let segs = segments(" /* only */ ");
        let (same, own, inline) = split_after_token(&segs);
        assert_eq!((same, own.len(), inline.len()), (&["/* only */"][..], 0, 0));

        let segs = segments("\n# own\n  ");
        let (own, inline) = split_at_line_start(&segs);
        assert_eq!(own, [vec![], vec!["# own"]]);
        assert!(inline.is_empty());
    }

    #[test]
    fn first_line_bracket_count_stops_at_the_line_end() {
        assert_eq!(scan_first_line("foo("), (1, false));
        assert_eq!(scan_first_line("(a, [\n"), (2, true));
        assert_eq!(scan_first_line(") + ("), (0, false));
        assert_eq!(scan_first_line("( # (((\n"), (1, true));
        assert_eq!(scan_first_line("( /* ( */ ["), (2, false));
        assert_eq!(scan_first_line("( /* \n */"), (1, true));
    }

    #[test]
    fn run_pads_align_each_run_separately() {
        let widths = [3, 5, 0, 1, 4];
        let in_run = [true, true, false, true, true];
        let pads = run_pads(5, |k| in_run[k], |k| widths[k]);
        assert_eq!(pads, vec![3, 1, 1, 4, 1]);
    }

    #[test]
    fn rendering_aligns_cells_and_trims_line_ends() {
        let mut out = Out::new();
        out.text("a");
        out.mark_assign();
        out.text("= 1   ");
        out.mark_comment();
        out.text("# x");
        out.newline(0);
        out.text("bbb");
        out.mark_assign();
        out.text("= 22");
        out.mark_comment();
        out.text("# y");
        out.newline(1);
        out.text("x = \"keep   ");
        out.break_raw(true);
        out.text("  end\"   ");
        out.newline(0);
        assert_eq!(
            out.render("\n"),
            "a   = 1  # x\nbbb = 22 # y\n  x = \"keep   \n  end\"\n"
        );
    }

    #[test]
    fn line_break_style_comes_from_outside_strings() {
        let src = "a = \"x\r\ny\"\nb = 1\r\n";
        let mut f = Formatter {
            src,
            out: Out::new(),
            verbatim: Vec::new(),
            ctx: 1,
            heredoc_end: None,
        };
        assert_eq!(f.line_break(), "\r\n");
        // The string `"x\r\ny"` spans bytes 4..10; its line break does not count.
        f.verbatim.push(4..10);
        assert_eq!(f.line_break(), "\n");
        f.verbatim.clear();
        assert_eq!(f.line_break(), "\r\n");
    }

    #[test]
    fn format_source_reports_parse_errors() {
        assert!(format_source("a = [").is_err());
        assert_eq!(
            format_source("a=[ 1,2 ]").ok().as_deref(),
            Some("a = [1, 2]\n")
        );
    }
}
