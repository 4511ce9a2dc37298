//! Renderers: a human view with code frames, and a JSON view shaped like Terraform's
//! `validate -json`.

use crate::{Diagnostic, Diagnostics, Position, Severity, SourceMap, Span};
use serde::Serialize;
use std::fmt::Write as _;

/// How to render for people.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// ANSI colour. Callers decide (TTY and no `NO_COLOR`).
    pub color: bool,
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn severity(&self, s: Severity, text: &str) -> String {
        match s {
            Severity::Error => self.wrap("1;31", text),
            Severity::Warning => self.wrap("1;33", text),
        }
    }
    fn blue(&self, text: &str) -> String {
        self.wrap("1;34", text)
    }
    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
}

/// Renders every diagnostic with a code frame, followed by a one-line count.
pub fn render_human(diags: &Diagnostics, sources: &SourceMap, options: RenderOptions) -> String {
    let paint = Paint { on: options.color };
    let mut out = String::new();
    for d in diags {
        render_one(&mut out, d, sources, &paint);
        out.push('\n');
    }
    out
}

fn render_one(out: &mut String, d: &Diagnostic, sources: &SourceMap, paint: &Paint) {
    let _ = writeln!(
        out,
        "{}{} {}",
        paint.severity(
            d.severity,
            &format!("{}[{}]", d.severity.as_str(), d.code.id)
        ),
        paint.bold(":"),
        paint.bold(&d.summary)
    );
    let gutter = frame_gutter(d, sources);
    if let Some(span) = d.primary {
        frame(
            out, sources, span, None, gutter, paint, d.severity, "-->", d.redact,
        );
    }
    for label in &d.secondary {
        frame(
            out,
            sources,
            label.span,
            Some(&label.message),
            gutter,
            paint,
            d.severity,
            ":::",
            false,
        );
    }
    if !d.detail.is_empty() {
        let pad = " ".repeat(gutter);
        for (i, line) in d.detail.lines().enumerate() {
            if i == 0 {
                let _ = writeln!(out, "{pad} {} {line}", paint.blue("="));
            } else {
                let _ = writeln!(out, "{pad}   {line}");
            }
        }
    }
}

fn frame_gutter(d: &Diagnostic, sources: &SourceMap) -> usize {
    d.primary
        .iter()
        .chain(d.secondary.iter().map(|l| &l.span))
        .filter_map(|s| sources.resolve(*s))
        .map(|(_, start, _)| start.line.to_string().len())
        .max()
        .unwrap_or(1)
}

#[allow(clippy::too_many_arguments)]
fn frame(
    out: &mut String,
    sources: &SourceMap,
    span: Span,
    message: Option<&str>,
    gutter: usize,
    paint: &Paint,
    severity: Severity,
    arrow: &str,
    redact: bool,
) {
    let pad = " ".repeat(gutter);
    let Some((file, start, end)) = sources.resolve(span) else {
        return;
    };
    let _ = writeln!(
        out,
        "{pad}{} {}:{}:{}",
        paint.blue(arrow),
        file.name,
        start.line,
        start.column
    );
    let raw_text = file.line_text(start.line);
    let masked;
    let text = if redact {
        masked = mask(
            raw_text,
            start.column,
            if end.line == start.line {
                end.column
            } else {
                usize::MAX
            },
        );
        masked.as_str()
    } else {
        raw_text
    };
    let _ = writeln!(out, "{pad} {}", paint.blue("|"));
    let _ = writeln!(
        out,
        "{} {} {}",
        paint.blue(&format!("{:>gutter$}", start.line)),
        paint.blue("|"),
        text
    );
    // Underline from the start column to the end column on the first line, or to the end of
    // the line when the span continues.
    let line_chars = text.chars().count();
    let from = start.column.saturating_sub(1).min(line_chars);
    let to = if end.line == start.line {
        end.column.saturating_sub(1).min(line_chars)
    } else {
        line_chars
    };
    let width = to.saturating_sub(from).max(1);
    let marker = if message.is_some() { "-" } else { "^" };
    let underline = marker.repeat(width);
    let underline = match message {
        Some(m) => format!("{} {m}", paint.blue(&underline)),
        None => paint.severity(severity, &underline),
    };
    let _ = writeln!(
        out,
        "{pad} {} {}{}",
        paint.blue("|"),
        " ".repeat(from),
        underline
    );
}

/// Replaces the characters from column `from` (1-based) up to column `to` (exclusive) with
/// `*`, keeping the first four so the value can still be recognised.
fn mask(line: &str, from: usize, to: usize) -> String {
    line.chars()
        .enumerate()
        .map(|(i, c)| {
            let col = i + 1;
            if col >= from + 5 && col < to && !c.is_whitespace() && c != '"' {
                '*'
            } else {
                c
            }
        })
        .collect()
}

/// The `--json` view: one object shaped like Terraform's `validate -json`.
#[derive(Debug, Serialize)]
pub struct JsonReport {
    pub format_version: &'static str,
    pub valid: bool,
    pub error_count: usize,
    pub warning_count: usize,
    pub diagnostics: Vec<JsonDiagnostic>,
}

#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    pub severity: &'static str,
    pub code: &'static str,
    pub summary: String,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<JsonRange>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<JsonRelated>,
}

#[derive(Debug, Serialize)]
pub struct JsonRange {
    pub filename: String,
    pub start: JsonPos,
    pub end: JsonPos,
}

#[derive(Debug, Serialize)]
pub struct JsonRelated {
    pub message: String,
    pub range: JsonRange,
}

#[derive(Debug, Serialize)]
pub struct JsonPos {
    pub line: usize,
    pub column: usize,
    pub byte: usize,
}

impl From<Position> for JsonPos {
    fn from(p: Position) -> Self {
        JsonPos {
            line: p.line,
            column: p.column,
            byte: p.byte,
        }
    }
}

fn json_range(sources: &SourceMap, span: Span) -> Option<JsonRange> {
    let (file, start, end) = sources.resolve(span)?;
    Some(JsonRange {
        filename: file.name.clone(),
        start: start.into(),
        end: end.into(),
    })
}

/// Builds the `--json` report.
pub fn render_json(diags: &Diagnostics, sources: &SourceMap) -> JsonReport {
    JsonReport {
        format_version: "1.0",
        valid: !diags.has_errors(),
        error_count: diags.error_count(),
        warning_count: diags.warning_count(),
        diagnostics: diags
            .iter()
            .map(|d| JsonDiagnostic {
                severity: d.severity.as_str(),
                code: d.code.id,
                summary: d.summary.clone(),
                detail: d.detail.clone(),
                range: d.primary.and_then(|s| json_range(sources, s)),
                related: d
                    .secondary
                    .iter()
                    .filter_map(|l| {
                        Some(JsonRelated {
                            message: l.message.clone(),
                            range: json_range(sources, l.span)?,
                        })
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{codes, FileId};
    use std::path::Path;

    fn sample() -> (Diagnostics, SourceMap) {
        let mut sm = SourceMap::new();
        let f = sm.add(
            "main.hcl",
            Path::new("main.hcl"),
            "model \"a\" {\n  contxt = 5\n}\n".into(),
        );
        assert_eq!(f, FileId(0));
        let mut d = Diagnostics::new();
        d.push(
            Diagnostic::error(
                codes::SPEC_UNKNOWN_ATTRIBUTE,
                "Unknown attribute \"contxt\"",
            )
            .detail("Did you mean \"context\"?")
            .at(Span::new(f, 14, 20))
            .label(Span::new(f, 0, 9), "in this model"),
        );
        (d, sm)
    }

    #[test]
    fn human_view_has_code_frame() {
        let (d, sm) = sample();
        let text = render_human(&d, &sm, RenderOptions { color: false });
        let expected = "error[MRD-SPEC-002]: Unknown attribute \"contxt\"\n \
--> main.hcl:2:3\n  |\n2 |   contxt = 5\n  |   ^^^^^^\n \
::: main.hcl:1:1\n  |\n1 | model \"a\" {\n  | --------- in this model\n  = Did you mean \"context\"?\n\n";
        assert_eq!(text, expected);
        assert!(!text.contains('\x1b'));
        let colored = render_human(&d, &sm, RenderOptions { color: true });
        assert!(colored.contains("\x1b[1;31m"));
    }

    #[test]
    fn redacted_ranges_are_masked_in_frames() {
        let mut sm = SourceMap::new();
        let f = sm.add(
            "s.hcl",
            Path::new("s.hcl"),
            "k = \"AKIAABCDEFGHIJKLMNOP\"\n".into(),
        );
        let mut d = Diagnostics::new();
        d.push(
            Diagnostic::error(codes::SEC_SECRET, "Secret")
                .at(Span::new(f, 4, 26))
                .redacted(),
        );
        let text = render_human(&d, &sm, RenderOptions { color: false });
        assert!(!text.contains("ABCDEFGHIJKLMNOP"), "{text}");
        assert!(text.contains("\"AKIA****************"), "{text}");
    }

    #[test]
    fn json_view_matches_terraform_shape() {
        let (d, sm) = sample();
        let v = serde_json::to_value(render_json(&d, &sm)).expect("serialize");
        assert_eq!(v["valid"], false);
        assert_eq!(v["error_count"], 1);
        assert_eq!(v["warning_count"], 0);
        let diag = &v["diagnostics"][0];
        assert_eq!(diag["severity"], "error");
        assert_eq!(diag["code"], "MRD-SPEC-002");
        assert_eq!(diag["range"]["filename"], "main.hcl");
        assert_eq!(diag["range"]["start"]["line"], 2);
        assert_eq!(diag["range"]["start"]["column"], 3);
        assert_eq!(diag["range"]["start"]["byte"], 14);
        assert_eq!(diag["range"]["end"]["column"], 9);
    }
}
