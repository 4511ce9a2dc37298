//! Wording the HTML and Markdown reports share; each renderer escapes it and adds its own
//! markup.

use crate::{percent, ChainTier, Location, ProviderEntry};

/// `"s"` unless `n` is one.
pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `file:line:column` of where a location starts.
pub(crate) fn location_text(l: &Location) -> String {
    format!("{}:{}:{}", l.file, l.start_line, l.start_column)
}

/// What a tier reserves, one `amount unit` per kind of capacity.
pub(crate) fn reserved_capacity(t: &ChainTier) -> Vec<String> {
    t.capacity
        .iter()
        .map(|c| format!("{} {}", c.amount, c.unit))
        .collect()
}

/// `part` as a percentage of `total`, or `—` when the total is nothing.
pub(crate) fn share_of(part: f64, total: f64) -> String {
    if total > 0.0 {
        percent(part / total)
    } else {
        "—".into()
    }
}

/// How long a log sink keeps records (`—` when the spec does not say).
pub(crate) fn retention(days: Option<u64>) -> String {
    days.map_or_else(|| "—".into(), |d| format!("{d} days"))
}

/// How a provider's accounts are reached, with `public` as the label for public access.
pub(crate) fn network<'a>(p: &ProviderEntry, public: &'a str) -> &'a str {
    if p.public_access {
        public
    } else if p.private_endpoint {
        "private endpoint"
    } else {
        "no public access"
    }
}

/// Who manages a provider's encryption key.
pub(crate) fn key_management(p: &ProviderEntry) -> &'static str {
    if p.customer_managed_key {
        "customer-managed key"
    } else {
        "provider-managed key"
    }
}

/// The items joined by `sep`, or `—` when there are none.
pub(crate) fn joined_or_dash(items: &[String], sep: &str) -> String {
    if items.is_empty() {
        "—".to_string()
    } else {
        items.join(sep)
    }
}
