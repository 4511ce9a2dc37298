//! The report as JSON: the [`Report`](crate::Report) data model, pretty-printed, with
//! `format_version` for consumers.

/// The report as pretty-printed JSON.
pub fn render(report: &crate::Report) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}
