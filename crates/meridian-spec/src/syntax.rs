//! Parsing with syntax errors located at their cause.
//!
//! hcl-edit reports where its parser gave up. After backtracking out of a construct that
//! never ends, that is often the start of the statement, the end of the file or the next
//! line, rather than the token at fault. When a file does not parse, a scan of HCL's lexical
//! structure (strings, heredocs, template sequences, comments and brackets) looks for a
//! construct that is never closed, a closing bracket that matches nothing, or an invalid
//! escape, and points at it — at the opening of what is not closed. When the scan finds
//! nothing, the parser's position is kept, moved back to the start of the token it falls
//! inside, or to the end of a line that ends in an operator or `.` when the parser only
//! noticed on the next line. The scan only runs on files the parser refused, so it can never
//! reject a valid file.

use hcl_edit::structure::Body;

/// A syntax error: a byte range of the text and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset where the range starts.
    pub start: usize,
    /// Byte offset where the range ends (at most the length of the text).
    pub end: usize,
    /// One line: what is wrong.
    pub summary: String,
    /// How to fix it.
    pub detail: String,
    /// A second place the error refers to, e.g. the bracket a closing one fails to match.
    pub related: Option<(usize, usize, String)>,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.summary, self.detail)
    }
}

impl std::error::Error for SyntaxError {}

/// Parses `text` as an HCL body. On failure, the error points at its cause (module docs).
pub fn parse_body(text: &str) -> Result<Body, SyntaxError> {
    hcl_edit::parser::parse_body(text).map_err(|e| locate(text, &e))
}

/// Locates the cause of the parser's error `err` in `text`.
///
/// What the scan finds wins, unless the parser stopped on an earlier line than the one where
/// that construct opens (a separate, earlier error) without having backtracked there.
pub fn locate(text: &str, err: &hcl_edit::parser::Error) -> SyntaxError {
    let scan = Scanner::new(text).run();
    let mut offset = err.location().offset().min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let parser = refine(text, &scan.tokens, offset, err.message());
    let Some(found) = scan.error else {
        return parser;
    };
    let opened = found
        .related
        .as_ref()
        .map_or(found.start, |r| r.0.min(found.start));
    let line_start = text[..opened].rfind('\n').map_or(0, |i| i + 1);
    if parser.start < line_start && !backtracked(text, offset, err.message()) {
        parser
    } else {
        found
    }
}

/// Whether the parser's error is where it backtracked to, not where it failed: it says it
/// expected a block body's identifier right where one stands (the start of an attribute or
/// block whose value it could not read).
fn backtracked(text: &str, offset: usize, message: &str) -> bool {
    message.starts_with("invalid block body")
        && text[offset..].chars().next().is_some_and(is_ident_start)
}

/// The range of the character at `at` (empty at the end of the text).
fn char_at(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    (at, end)
}

fn refine(text: &str, tokens: &[Token], offset: usize, message: &str) -> SyntaxError {
    let parser_says = format!("{}.", message.trim_end_matches('.'));
    // Inside a token: point at the token.
    if let Some(t) = tokens.iter().find(|t| t.start < offset && offset < t.end) {
        let word = &text[t.start..t.end];
        if t.kind == Kind::Number && word.parse::<f64>().is_ok_and(f64::is_infinite) {
            return SyntaxError {
                start: t.start,
                end: t.end,
                summary: "Number out of range".into(),
                detail: format!(
                    "{word} is larger than the largest number a spec can hold (about 1.8e308)."
                ),
                related: None,
            };
        }
        return SyntaxError {
            start: t.start,
            end: t.end,
            summary: "Invalid HCL syntax".into(),
            detail: parser_says,
            related: None,
        };
    }
    // The parser noticed on a later line that the previous one ends in an operator or `.`:
    // point at the end of that line, where the operand is missing.
    let next = tokens.partition_point(|t| t.start < offset);
    let before: Vec<&Token> = tokens[..next].iter().rev().take(64).collect();
    let newlines = before
        .iter()
        .take_while(|t| t.kind == Kind::Newline)
        .count();
    if newlines > 0 {
        if let Some(prev) = before.get(newlines).filter(|t| t.kind == Kind::Dangling) {
            let (start, end) = char_at(text, prev.end);
            let op = &text[prev.start..prev.end];
            return SyntaxError {
                start,
                end,
                summary: "Invalid HCL syntax".into(),
                detail: format!(
                    "The line ends after `{op}`, which needs something after it on the same line ({}).",
                    parser_says.trim_end_matches('.')
                ),
                related: None,
            };
        }
    }
    let (start, end) = char_at(text, offset);
    let detail = if nested_block_on_one_line(text, offset) {
        format!(
            "{parser_says} A block written on one line holds at most one attribute; write the nested block on lines of its own."
        )
    } else {
        parser_says
    };
    SyntaxError {
        start,
        end,
        summary: "Invalid HCL syntax".into(),
        detail,
        related: None,
    }
}

/// Whether the line up to `offset` ends in `{ NAME`: a block opened on one line that goes on
/// with a nested block (`tier "p" { target "t" {`), which HCL does not allow.
fn nested_block_on_one_line(text: &str, offset: usize) -> bool {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..offset].trim_end();
    let without_name = before.trim_end_matches(is_ident_continue);
    without_name.len() < before.len()
        && before[without_name.len()..]
            .chars()
            .next()
            .is_some_and(is_ident_start)
        && without_name.trim_end().ends_with('{')
        && matches!(text[offset..].chars().next(), Some('"' | '{'))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ident,
    Number,
    Newline,
    /// An operator or `.` that cannot end an expression.
    Dangling,
    /// Any other token: brackets, `,`, the quotes of strings, unknown characters.
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    start: usize,
    end: usize,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Directive {
    If,
    For,
}

impl Directive {
    fn open(self) -> &'static str {
        match self {
            Directive::If => "%{ if }",
            Directive::For => "%{ for }",
        }
    }

    fn close(self) -> &'static str {
        match self {
            Directive::If => "%{ endif }",
            Directive::For => "%{ endfor }",
        }
    }
}

/// What the scanner is inside of.
#[derive(Debug)]
enum Frame {
    /// `(`, `[` or `{` at a byte offset, with the indentation of its line.
    Bracket {
        open: char,
        at: usize,
        indent: usize,
    },
    /// `${` or `%{` at a byte offset: an expression up to the matching `}`.
    Sequence { at: usize, directive: bool },
    /// A quoted template string opened at a byte offset, with its open directives.
    Quoted {
        at: usize,
        directives: Vec<(Directive, usize)>,
    },
    /// A heredoc opened at a byte offset (`<<EOT` spans `at..at + len`).
    Heredoc {
        at: usize,
        len: usize,
        marker: String,
        directives: Vec<(Directive, usize)>,
        line_start: bool,
    },
}

struct Scan {
    tokens: Vec<Token>,
    error: Option<SyntaxError>,
}

struct Scanner<'t> {
    text: &'t str,
    pos: usize,
    stack: Vec<Frame>,
    tokens: Vec<Token>,
    /// The first bracket closed by a bracket indented differently from its own line: where a
    /// closing bracket is probably missing.
    suspect: Option<(usize, usize)>,
}

type Step = Result<(), SyntaxError>;

fn err(start: usize, end: usize, summary: &str, detail: String) -> SyntaxError {
    SyntaxError {
        start,
        end,
        summary: summary.to_string(),
        detail,
        related: None,
    }
}

fn closer_of(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

impl<'t> Scanner<'t> {
    fn new(text: &'t str) -> Self {
        Scanner {
            text,
            pos: 0,
            stack: Vec::new(),
            tokens: Vec::new(),
            suspect: None,
        }
    }

    fn run(mut self) -> Scan {
        let error = loop {
            let step = match self.stack.last() {
                Some(Frame::Quoted { .. }) => self.quoted(),
                Some(Frame::Heredoc { .. }) => self.heredoc(),
                _ => self.code(),
            };
            match step {
                Err(e) => break Some(e),
                Ok(()) if self.pos >= self.text.len() => break self.at_end(),
                Ok(()) => {}
            }
        };
        Scan {
            tokens: self.tokens,
            error,
        }
    }

    fn rest(&self) -> &'t str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn token(&mut self, start: usize, end: usize, kind: Kind) {
        self.tokens.push(Token { start, end, kind });
    }

    fn indent_of_line(&self, at: usize) -> usize {
        let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
        self.text[line_start..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .count()
    }

    /// Whether only spaces and tabs precede `at` on its line.
    fn starts_line(&self, at: usize) -> bool {
        let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
        self.text[line_start..at]
            .chars()
            .all(|c| c == ' ' || c == '\t')
    }

    /// One token of an expression or body.
    fn code(&mut self) -> Step {
        let Some(c) = self.peek() else {
            return Ok(());
        };
        let start = self.pos;
        let rest = self.rest();
        match c {
            '\n' => {
                self.pos += 1;
                self.token(start, self.pos, Kind::Newline);
                if let Some(e) = self.heredoc_ends_inside_sequence() {
                    return Err(e);
                }
            }
            ' ' | '\t' | '\r' => self.pos += 1,
            '#' => self.skip_line(),
            '/' if rest.starts_with("//") => self.skip_line(),
            '/' if rest.starts_with("/*") => match rest[2..].find("*/") {
                Some(i) => self.pos += 2 + i + 2,
                None => {
                    return Err(err(
                        start,
                        start + 2,
                        "Unterminated comment",
                        "This /* comment has no closing */ before the end of the file.".into(),
                    ))
                }
            },
            '"' => {
                self.pos += 1;
                self.token(start, self.pos, Kind::Other);
                self.stack.push(Frame::Quoted {
                    at: start,
                    directives: Vec::new(),
                });
            }
            '<' if rest.starts_with("<<") => {
                if let Some((len, marker)) = heredoc_start(rest) {
                    self.token(start, start + len, Kind::Other);
                    let opener = rest[..len].trim_end().len();
                    self.pos += len;
                    self.stack.push(Frame::Heredoc {
                        at: start,
                        len: opener,
                        marker,
                        directives: Vec::new(),
                        line_start: true,
                    });
                } else {
                    self.pos += 1;
                    self.token(start, self.pos, Kind::Dangling);
                }
            }
            '(' | '[' | '{' => {
                self.pos += 1;
                self.token(start, self.pos, Kind::Other);
                let indent = self.indent_of_line(start);
                self.stack.push(Frame::Bracket {
                    open: c,
                    at: start,
                    indent,
                });
            }
            ')' | ']' | '}' => {
                self.pos += 1;
                self.token(start, self.pos, Kind::Other);
                return self.close(c, start);
            }
            c if is_ident_start(c) => {
                let len = rest
                    .char_indices()
                    .find(|(_, ch)| !is_ident_continue(*ch))
                    .map_or(rest.len(), |(i, _)| i);
                self.pos += len;
                self.token(start, self.pos, Kind::Ident);
            }
            c if c.is_ascii_digit() => {
                self.pos += number_len(rest);
                self.token(start, self.pos, Kind::Number);
            }
            _ => {
                let ops = [
                    "...", "==", "!=", "<=", ">=", "&&", "||", "=>", "=", "<", ">", "!", "+", "-",
                    "*", "/", "%", "?", ":", ".",
                ];
                if let Some(op) = ops.iter().find(|op| rest.starts_with(**op)) {
                    self.pos += op.len();
                    let kind = if *op == "..." {
                        Kind::Other
                    } else {
                        Kind::Dangling
                    };
                    self.token(start, self.pos, kind);
                } else {
                    self.pos += c.len_utf8();
                    self.token(start, self.pos, Kind::Other);
                }
            }
        }
        Ok(())
    }

    fn skip_line(&mut self) {
        self.pos += self.rest().find('\n').unwrap_or(self.rest().len());
    }

    fn close(&mut self, c: char, at: usize) -> Step {
        match self.stack.last() {
            Some(&Frame::Bracket {
                open,
                at: opened,
                indent,
            }) if closer_of(open) == c => {
                if self.suspect.is_none()
                    && self.starts_line(at)
                    && self.indent_of_line(at) != indent
                {
                    self.suspect = Some((opened, at));
                }
                self.stack.pop();
                Ok(())
            }
            Some(&Frame::Bracket {
                open, at: opened, ..
            }) => {
                // A closer that matches a bracket opened earlier: this one lacks its closer.
                // One that matches nothing open is extra.
                let matches_outer = self
                    .stack
                    .iter()
                    .rev()
                    .take_while(|f| matches!(f, Frame::Bracket { .. }))
                    .any(|f| matches!(f, Frame::Bracket { open: o, .. } if closer_of(*o) == c));
                if !matches_outer {
                    return Err(Self::extra_closer(c, at));
                }
                let close = closer_of(open);
                let same_line = !self.text[opened..at].contains('\n');
                let (primary, related, label) = if same_line {
                    (
                        (at, at + 1),
                        (opened, opened + 1),
                        format!("the `{open}` opened here"),
                    )
                } else {
                    (
                        (opened, opened + 1),
                        (at, at + 1),
                        format!("this `{c}` closes an outer bracket"),
                    )
                };
                Err(SyntaxError {
                    related: Some((related.0, related.1, label)),
                    ..err(
                        primary.0,
                        primary.1,
                        &format!("Unclosed `{open}`"),
                        format!(
                            "This `{open}` needs its `{close}` before the `{c}` that closes the bracket around it."
                        ),
                    )
                })
            }
            Some(&Frame::Sequence { .. }) if c == '}' => {
                self.stack.pop();
                Ok(())
            }
            _ => Err(Self::extra_closer(c, at)),
        }
    }

    fn extra_closer(c: char, at: usize) -> SyntaxError {
        err(
            at,
            at + 1,
            &format!("Unexpected `{c}`"),
            format!(
                "Nothing is open here for this `{c}` to close: remove it, or add the opening bracket missing before it."
            ),
        )
    }

    /// At a newline inside `${ ... }` of a heredoc: whether the next line is the heredoc's
    /// closing marker, which means the sequence was never closed.
    fn heredoc_ends_inside_sequence(&self) -> Option<SyntaxError> {
        let mut sequence = None;
        for frame in self.stack.iter().rev() {
            match frame {
                Frame::Sequence { at, directive } if sequence.is_none() => {
                    sequence = Some((*at, *directive));
                }
                Frame::Heredoc { marker, .. } => {
                    let (at, directive) = sequence?;
                    let line = self.rest().trim_start_matches([' ', '\t']);
                    let tail = line.strip_prefix(marker.as_str())?;
                    if tail.chars().next().is_some_and(is_ident_continue) {
                        return None;
                    }
                    let what = if directive { "%{" } else { "${" };
                    return Some(err(
                        at,
                        at + 2,
                        &format!("Unclosed `{what}`"),
                        format!(
                            "The heredoc ends (line `{marker}`) inside this `{what}`: close it with `}}` first."
                        ),
                    ));
                }
                Frame::Quoted { .. } => return None,
                _ => {}
            }
        }
        None
    }

    /// One piece of a quoted string.
    fn quoted(&mut self) -> Step {
        let rest = self.rest();
        let start = self.pos;
        let Some(c) = rest.chars().next() else {
            return Ok(());
        };
        match c {
            '"' => {
                self.pos += 1;
                self.token(start, self.pos, Kind::Other);
                if let Some(Frame::Quoted { directives, .. }) = self.stack.pop() {
                    if let Some(&(d, at)) = directives.last() {
                        return Err(unclosed_directive(d, at));
                    }
                }
                Ok(())
            }
            '\n' => Err(self.unterminated_string()),
            '\\' => {
                let mut chars = rest[1..].chars();
                let next = chars.next();
                let ok = match next {
                    Some('n' | 'r' | 't' | '"' | '\\') => Some(2),
                    Some('u') => hex_escape(&rest[2..], 4).then_some(6),
                    Some('U') => hex_escape(&rest[2..], 8).then_some(10),
                    _ => None,
                };
                match ok {
                    Some(len) => {
                        self.pos += len;
                        Ok(())
                    }
                    None => {
                        let end = start + 1 + next.map_or(0, char::len_utf8);
                        let shown = &self.text[start..end];
                        Err(err(
                            start,
                            end,
                            "Invalid escape sequence",
                            format!(
                                "`{shown}` is not an escape: strings know \\n, \\r, \\t, \\\", \\\\, \\uNNNN and \\UNNNNNNNN. Write a backslash as \\\\."
                            ),
                        ))
                    }
                }
            }
            _ => self.template_char(),
        }
    }

    fn unterminated_string(&mut self) -> SyntaxError {
        let Some(Frame::Quoted { at, .. }) = self.stack.pop() else {
            return err(self.pos, self.pos, "Invalid HCL syntax", String::new());
        };
        // A string opened inside `${ ... }` of another string: the sequence was not closed.
        if let Some(&Frame::Sequence { at: seq, directive }) = self.stack.last() {
            let what = if directive { "%{" } else { "${" };
            return err(
                seq,
                seq + 2,
                &format!("Unclosed `{what}`"),
                format!(
                    "This `{what}` has no closing `}}` before the string's end: write `{what} ... }}` inside the quotes."
                ),
            );
        }
        err(
            at,
            at + 1,
            "Unterminated string",
            "The string opened here is not closed on its line: end it with `\"`. Text of several lines is written as a heredoc (<<EOT ... EOT).".into(),
        )
    }

    /// `${`, `%{`, their escapes, or one literal character of a template.
    fn template_char(&mut self) -> Step {
        let rest = self.rest();
        let start = self.pos;
        if rest.starts_with("$${") || rest.starts_with("%%{") {
            self.pos += 3;
            return Ok(());
        }
        if rest.starts_with("${") {
            self.pos += 2;
            self.stack.push(Frame::Sequence {
                at: start,
                directive: false,
            });
            return Ok(());
        }
        if let Some(directive) = rest.strip_prefix("%{") {
            self.pos += 2;
            let word: String = directive
                .trim_start_matches('~')
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            let Some(Frame::Quoted { directives, .. } | Frame::Heredoc { directives, .. }) =
                self.stack.last_mut()
            else {
                return Ok(());
            };
            match word.as_str() {
                "if" => directives.push((Directive::If, start)),
                "for" => directives.push((Directive::For, start)),
                "else" | "endif" | "endfor" => {
                    let want = if word == "endfor" {
                        Directive::For
                    } else {
                        Directive::If
                    };
                    match directives.last() {
                        Some(&(d, _)) if d == want => {
                            if word != "else" {
                                directives.pop();
                            }
                        }
                        Some(&(d, at)) => return Err(unclosed_directive(d, at)),
                        None => {
                            return Err(err(
                                start,
                                start + 2,
                                &format!("`%{{ {word} }}` without `{}`", want.open()),
                                format!(
                                    "This directive closes a `{}` that is not open in this template.",
                                    want.open()
                                ),
                            ))
                        }
                    }
                }
                other => {
                    return Err(err(
                        start,
                        start + 2,
                        "Unknown template directive",
                        format!(
                            "`%{{` starts a directive: if, else, endif, for or endfor{}. Write a literal %{{ as %%{{.",
                            if other.is_empty() {
                                String::new()
                            } else {
                                format!(", not \"{other}\"")
                            }
                        ),
                    ))
                }
            }
            self.stack.push(Frame::Sequence {
                at: start,
                directive: true,
            });
            return Ok(());
        }
        self.pos += rest.chars().next().map_or(1, char::len_utf8);
        Ok(())
    }

    /// One piece of a heredoc.
    fn heredoc(&mut self) -> Step {
        let Some(Frame::Heredoc {
            marker, line_start, ..
        }) = self.stack.last_mut()
        else {
            return Ok(());
        };
        if std::mem::replace(line_start, false) {
            let marker = marker.clone();
            let rest = &self.text[self.pos..];
            let indent = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            let after = &rest[indent..];
            if let Some(tail) = after.strip_prefix(marker.as_str()) {
                if !tail.chars().next().is_some_and(is_ident_continue) {
                    self.pos += indent + marker.len();
                    if let Some(Frame::Heredoc { directives, .. }) = self.stack.pop() {
                        if let Some(&(d, at)) = directives.last() {
                            return Err(unclosed_directive(d, at));
                        }
                    }
                    return Ok(());
                }
            }
        }
        if self.rest().starts_with('\n') {
            self.pos += 1;
            if let Some(Frame::Heredoc { line_start, .. }) = self.stack.last_mut() {
                *line_start = true;
            }
            return Ok(());
        }
        self.template_char()
    }

    /// The error for what is still open at the end of the text.
    fn at_end(&mut self) -> Option<SyntaxError> {
        if matches!(self.stack.last()?, Frame::Quoted { .. }) {
            return Some(self.unterminated_string());
        }
        let frame = self.stack.last()?;
        Some(match *frame {
            Frame::Quoted { .. } => return None,
            Frame::Heredoc { at, len, ref marker, .. } => err(
                at,
                at + len,
                "Unterminated heredoc",
                format!(
                    "The file ends before the line `{marker}` that closes this heredoc: end it with a line holding only {marker}."
                ),
            ),
            Frame::Sequence { at, directive } => {
                let what = if directive { "%{" } else { "${" };
                err(
                    at,
                    at + 2,
                    &format!("Unclosed `{what}`"),
                    format!("The file ends inside this `{what}`: close it with `}}`."),
                )
            }
            Frame::Bracket { open, at, .. } => {
                let close = closer_of(open);
                let open_count = self
                    .stack
                    .iter()
                    .filter(|f| matches!(f, Frame::Bracket { .. }))
                    .count();
                let more = if open_count > 1 {
                    format!(" ({open_count} brackets are open at the end of the file.)")
                } else {
                    String::new()
                };
                match self.suspect {
                    Some((suspect, closed_at)) => {
                        let s = self.text[suspect..].chars().next().unwrap_or('{');
                        SyntaxError {
                            related: Some((
                                closed_at,
                                closed_at + 1,
                                format!("this `{}` is indented like an outer block", closer_of(s)),
                            )),
                            ..err(
                                suspect,
                                suspect + 1,
                                &format!("Unclosed `{s}`"),
                                format!(
                                    "The file ends with a bracket still open, and judging by indentation the `{}` of this `{s}` is missing: the one that closes it by count is indented like an outer block.{more}",
                                    closer_of(s)
                                ),
                            )
                        }
                    }
                    None => err(
                        at,
                        at + 1,
                        &format!("Unclosed `{open}`"),
                        format!(
                            "The file ends before the `{close}` that closes this `{open}`.{more}"
                        ),
                    ),
                }
            }
        })
    }
}

fn unclosed_directive(d: Directive, at: usize) -> SyntaxError {
    err(
        at,
        at + 2,
        &format!("`{}` without `{}`", d.open(), d.close()),
        format!(
            "The template ends before the `{}` that closes this directive.",
            d.close()
        ),
    )
}

/// `<<EOT\n` or `<<-EOT\n` at the start of `s`: its length (with the line ending) and marker.
fn heredoc_start(s: &str) -> Option<(usize, String)> {
    let after = s.strip_prefix("<<")?;
    let after_dash = after.strip_prefix('-').unwrap_or(after);
    let dash = after.len() - after_dash.len();
    after_dash.chars().next().filter(|c| is_ident_start(*c))?;
    let len = after_dash
        .char_indices()
        .find(|(_, c)| !is_ident_continue(*c))
        .map_or(after_dash.len(), |(i, _)| i);
    let marker = &after_dash[..len];
    let tail = &after_dash[len..];
    let newline = if tail.starts_with("\r\n") {
        2
    } else if tail.starts_with('\n') {
        1
    } else {
        return None;
    };
    Some((2 + dash + len + newline, marker.to_string()))
}

fn hex_escape(s: &str, digits: usize) -> bool {
    s.len() >= digits && s.as_bytes()[..digits].iter().all(u8::is_ascii_hexdigit)
}

/// The length of the number at the start of `s` (digits, a fraction, an exponent).
fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let digits = |from: usize| from + b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = digits(0);
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i = digits(i + 1);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if b.get(j).is_some_and(u8::is_ascii_digit) {
            i = digits(j);
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (line:col of the start, summary) of the located error.
    fn at(text: &str) -> (String, String) {
        let e = parse_body(text).expect_err("does not parse");
        let before = &text[..e.start];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        (format!("{line}:{col}"), e.summary)
    }

    #[test]
    fn unclosed_constructs_point_at_their_opening() {
        assert_eq!(at("a {\n  b = 1\n").0, "1:3");
        assert_eq!(
            at("a = \"abc\nb = 1\n"),
            ("1:5".into(), "Unterminated string".into())
        );
        assert_eq!(at("a = <<EOT\nx\n").1, "Unterminated heredoc");
        assert_eq!(at("a = <<EOT\nx\n").0, "1:5");
        assert_eq!(at("a = \"${b\"\n").0, "1:6");
        assert_eq!(at("a = \"%{ if b }x\"\n").0, "1:6");
        assert_eq!(at("a = \"%{ for x in b }x%{ endif }\"\n").0, "1:6");
        assert_eq!(at("a = 1 /* x\n").0, "1:7");
        assert_eq!(at("a = [1, 2}\n"), ("1:10".into(), "Unexpected `}`".into()));
        assert_eq!(
            at("a {\n  b = [1, 2}\n"),
            ("2:12".into(), "Unclosed `[`".into())
        );
        assert_eq!(
            at("a {\n  b = f(1\n}\n"),
            ("2:8".into(), "Unclosed `(`".into())
        );
        assert_eq!(
            at("a {\n  b = f(1))\n}\n"),
            ("2:11".into(), "Unexpected `)`".into())
        );
        assert_eq!(at("a = <<EOT\n${b\nEOT\n").0, "2:1");
        assert_eq!(at("}\n").0, "1:1");
    }

    #[test]
    fn an_earlier_error_on_another_line_is_reported_first() {
        // The parser's error comes first; the unterminated string is a second problem.
        assert_eq!(at("a = = 1\nb = \"x\n").0, "1:5");
        assert_eq!(at("l {\n a = = 1\n}\nm {\n d = \"x\n}\n").0, "2:6");
        // On the same line, or where the parser backtracked to, the scan's finding wins.
        assert_eq!(at("a = 1 2 \"x\n").0, "1:9");
        assert_eq!(at("l {\n  a = {\n    b = \"x\n  }\n}\n").0, "3:9");
    }

    #[test]
    fn a_missing_brace_is_found_by_indentation() {
        let text = "a {\n  b {\n    c = 1\n\n}\nd {\n}\n";
        assert_eq!(at(text), ("2:5".into(), "Unclosed `{`".into()));
    }

    #[test]
    fn escapes_and_numbers() {
        assert_eq!(
            at("a = \"x\\qy\"\n"),
            ("1:7".into(), "Invalid escape sequence".into())
        );
        assert_eq!(
            at("a = 1e999999\n"),
            ("1:5".into(), "Number out of range".into())
        );
        // Valid escapes and markers are not errors: the error is elsewhere.
        assert_eq!(at("a = \"\\u00e9 \\\" $${x} %%{y}\"\nb = = 2\n").0, "2:5");
    }

    #[test]
    fn a_dangling_operator_is_reported_on_its_line() {
        assert_eq!(at("a {\n  b = c.\n}\n").0, "2:9");
        assert_eq!(at("a {\n  b = 1 +\n}\n").0, "2:10");
    }

    #[test]
    fn heredoc_and_templates_that_close_are_skipped() {
        let text = "a = <<-EOT\n  ${x} %{ if y }z%{ endif }\n  EOT\nb = [1,, 2]\n";
        assert_eq!(at(text).0, "4:8");
    }
}
