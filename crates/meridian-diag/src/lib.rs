//! Diagnostics for Meridian: one data model for every finding, and its renderers.
//!
//! A [`Diagnostic`] carries a stable code from [`codes`], a severity, a one-line summary, a
//! detail that says how to fix the problem, a primary source [`Span`] and optional secondary
//! labelled spans. Spans are byte ranges into files registered in a [`SourceMap`]; lines and
//! columns are computed only when a diagnostic is rendered.
//!
//! Every stage of Meridian returns its result *and* a [`Diagnostics`] list, so that
//! `meridian validate` reports every problem at once.

pub mod codes;
mod render;
mod source;

pub use codes::Code;
pub use render::{render_human, render_json, JsonReport, RenderOptions};
pub use source::{FileId, Position, SourceFile, SourceMap, Span};

use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A secondary source location with a message, e.g. "the residency rule is defined here".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub primary: Option<Span>,
    pub secondary: Vec<Label>,
    /// The primary range holds a secret: renderers mask it instead of quoting it.
    pub redact: bool,
}

impl Diagnostic {
    /// An error with the code's default severity overridden to `Error`.
    pub fn error(code: Code, summary: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, summary)
    }

    pub fn warning(code: Code, summary: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, summary)
    }

    pub fn new(code: Code, severity: Severity, summary: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity,
            summary: summary.into(),
            detail: String::new(),
            primary: None,
            secondary: Vec::new(),
            redact: false,
        }
    }

    /// Marks the primary range as secret: code frames show it masked.
    #[must_use]
    pub fn redacted(mut self) -> Self {
        self.redact = true;
        self
    }

    #[must_use]
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    #[must_use]
    pub fn at(mut self, span: Span) -> Self {
        self.primary = Some(span);
        self
    }

    #[must_use]
    pub fn at_opt(mut self, span: Option<Span>) -> Self {
        self.primary = span;
        self
    }

    #[must_use]
    pub fn label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// An ordered list of findings. Stages push into it; renderers read it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.items.iter()
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }

    /// Sort by file, then position, then code, so output is deterministic however the
    /// stages that produced the findings were ordered. Findings without a location come first.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            let key = |d: &Diagnostic| d.primary.map(|s| (s.file, s.start, s.end));
            key(a)
                .cmp(&key(b))
                .then_with(|| a.code.id.cmp(b.code.id))
                .then_with(|| a.summary.cmp(&b.summary))
        });
        self.items.dedup();
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(items: Vec<Diagnostic>) -> Self {
        Diagnostics { items }
    }
}

/// The closest candidate to `name` among `candidates`, for "did you mean" hints.
pub fn suggest<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut best: Option<(f64, &'a str)> = None;
    for candidate in candidates {
        let score = similarity(name, candidate);
        if score >= 0.7 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Jaro-Winkler similarity on lower-cased input, in 0.0..=1.0.
fn similarity(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_match = vec![false; a.len()];
    let mut b_match = vec![false; b.len()];
    let mut matches = 0usize;
    for (i, ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_match[j] && b[j] == *ca {
                a_match[i] = true;
                b_match[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut k = 0usize;
    for (i, ca) in a.iter().enumerate() {
        if a_match[i] {
            while !b_match[k] {
                k += 1;
            }
            if *ca != b[k] {
                transpositions += 1;
            }
            k += 1;
        }
    }
    let m = matches as f64;
    let jaro =
        (m / a.len() as f64 + m / b.len() as f64 + (m - transpositions as f64 / 2.0) / m) / 3.0;
    let prefix = a
        .iter()
        .zip(b.iter())
        .take(4)
        .take_while(|(x, y)| x == y)
        .count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

/// Formats a "did you mean" sentence, or nothing.
pub fn did_you_mean<'a, I>(name: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    match suggest(name, candidates) {
        Some(s) => format!(" Did you mean \"{s}\"?"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let known = ["residency", "model", "provider", "logging"];
        assert_eq!(suggest("modle", known), Some("model"));
        assert_eq!(suggest("residencey", known), Some("residency"));
        assert_eq!(suggest("zzzz", known), None);
    }

    #[test]
    fn sort_orders_by_position_and_dedups() {
        let f = FileId(0);
        let mut d = Diagnostics::new();
        let late = Diagnostic::error(codes::SPEC_UNKNOWN_ATTRIBUTE, "b").at(Span::new(f, 10, 12));
        let early = Diagnostic::error(codes::SPEC_UNKNOWN_ATTRIBUTE, "a").at(Span::new(f, 1, 2));
        d.push(late.clone());
        d.push(early.clone());
        d.push(late.clone());
        d.sort();
        assert_eq!(d.into_vec(), vec![early, late]);
    }
}
