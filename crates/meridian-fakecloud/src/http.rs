//! The request and reply types the cloud handlers work on, and what they share: query
//! parsing, percent-encoding and pagination.

use hyper::header::HeaderMap;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// A request as received, body read.
#[derive(Debug, Clone)]
pub(crate) struct Incoming {
    pub method: String,
    /// The path as received (still percent-encoded), prefix included: `/aws/inference-profiles`.
    pub path: String,
    /// The query as received, without `?`.
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Incoming {
    /// The first value of a header, if it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The decoded query parameters, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query.as_deref().map(parse_query).unwrap_or_default()
    }

    /// The first value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// The path and query as received.
    pub fn target(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }
}

/// A reply: status, extra headers and a JSON body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(status: u16, body: &Value) -> Reply {
        Reply {
            status,
            content_type: "application/json; charset=utf-8",
            headers: Vec::new(),
            body: serde_json::to_vec(body).unwrap_or_default(),
        }
    }

    /// Plain text (the metadata services' replies).
    pub fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            content_type: "text/plain",
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    /// An XML document (the AWS Query protocol's replies).
    pub fn xml(status: u16, body: String) -> Reply {
        Reply {
            status,
            content_type: "text/xml",
            headers: Vec::new(),
            body: body.into_bytes(),
        }
    }

    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// The decoded segments of a path (`/a/b%20c` → `a`, `b c`).
pub(crate) fn path_segments(path: &str) -> Vec<String> {
    path.trim_start_matches('/')
        .split('/')
        .map(percent_decode)
        .collect()
}

/// Splits a query into decoded pairs (`+` is a space, as form encoding has it).
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
}

fn form_decode(s: &str) -> String {
    percent_decode(&s.replace('+', " "))
}

/// Decodes `%XX` escapes; malformed escapes are kept as they are.
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex_val(bytes[i + 1]), hex_val(bytes[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-encodes every byte except the unreserved characters (`A-Z a-z 0-9 - . _ ~`), and
/// `/` when `keep_slash`.
pub(crate) fn percent_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Lower-case hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Why a page could not be served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PageError {
    BadToken,
}

/// One page of `items`: from the offset `token` names (the start without one), at most
/// `size` items, and the token of the next page when there is one. Tokens are
/// `<list tag>.<offset>`, the tag a hash of `list` so a token only works for its list.
pub(crate) fn page<'a, T>(
    items: &'a [T],
    list: &str,
    token: Option<&str>,
    size: usize,
) -> Result<(&'a [T], Option<String>), PageError> {
    let tag = &sha256_hex(list.as_bytes())[..10];
    let start = match token {
        None => 0,
        Some(t) => {
            let (t_tag, offset) = t.split_once('.').ok_or(PageError::BadToken)?;
            let offset: usize = offset.parse().map_err(|_| PageError::BadToken)?;
            if t_tag != tag || offset == 0 || offset > items.len() {
                return Err(PageError::BadToken);
            }
            offset
        }
    };
    let end = start.saturating_add(size.max(1)).min(items.len());
    let next = (end < items.len()).then(|| format!("{tag}.{end}"));
    Ok((&items[start..end], next))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding() {
        assert_eq!(
            parse_query("a=1&b=x%20y+z&c&%24skipToken=t.2"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y z".into()),
                ("c".into(), String::new()),
                ("$skipToken".into(), "t.2".into()),
            ]
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_encode("a b/c~", true), "a%20b/c~");
        assert_eq!(percent_encode("a:b/c", false), "a%3Ab%2Fc");
    }

    #[test]
    fn pages_and_tokens() {
        let items = [1, 2, 3, 4, 5];
        let (p, next) = page(&items, "l", None, 2).unwrap();
        assert_eq!(p, &[1, 2]);
        let t = next.unwrap();
        let (p, next) = page(&items, "l", Some(&t), 2).unwrap();
        assert_eq!(p, &[3, 4]);
        let (p, next) = page(&items, "l", next.as_deref(), 2).unwrap();
        assert_eq!(p, &[5]);
        assert_eq!(next, None);
        assert_eq!(page(&items, "other", Some(&t), 2), Err(PageError::BadToken));
        assert_eq!(
            page(&items, "l", Some("garbage"), 2),
            Err(PageError::BadToken)
        );
        let far = format!("{}.9", t.split_once('.').unwrap().0);
        assert_eq!(page(&items, "l", Some(&far), 2), Err(PageError::BadToken));
        let (p, next) = page::<u8>(&[], "l", None, 2).unwrap();
        assert!(p.is_empty() && next.is_none());
    }
}
