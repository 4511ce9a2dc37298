//! Escaping for every output format. Every value from a spec reaches a generated file through
//! one of these functions (called by the template filters); nothing is pasted in raw.

use serde_json::Value;
use std::fmt::Write as _;

/// Whether `s` has a character some format escapes or replaces: `"`, `\`, a control
/// character (C0, DEL or C1), U+2028, U+2029, U+FFFE or U+FFFF. A string without one is
/// written as is between quotes in every format (templates aside, see [`hcl_string`]).
fn has_special(s: &str) -> bool {
    let b = s.as_bytes();
    // The common case, printable ASCII only, in a loop the compiler vectorises.
    if b.iter()
        .all(|&c| (0x20..0x7F).contains(&c) && c != b'"' && c != b'\\')
    {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        let special = match b[i] {
            b'"' | b'\\' | 0..=0x1F | 0x7F => true,
            // U+0080..U+009F
            0xC2 => matches!(b.get(i + 1), Some(0x80..=0x9F)),
            // U+2028, U+2029
            0xE2 => b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0xA8 | 0xA9)),
            // U+FFFE, U+FFFF
            0xEF => b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF)),
            _ => false,
        };
        if special {
            return true;
        }
        i += 1;
    }
    false
}

/// An HCL quoted string literal whose value is exactly `s`: quotes, backslashes and control
/// characters escaped, and template sequences `${` / `%{` doubled so they stay literal.
pub fn hcl_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_hcl_string(&mut out, s);
    out
}

/// Appends [`hcl_string`] of `s` to `out`.
fn push_hcl_string(out: &mut String, s: &str) {
    out.push('"');
    if !has_special(s) && !s.contains("${") && !s.contains("%{") {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A string usable inside a one-line comment of any format: line breaks and other control
/// characters become spaces, so the text cannot end the comment.
pub fn comment_text(s: &str) -> String {
    if !has_special(s) && !s.contains("*/") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        // Controls and line separators would end the comment's line; U+FFFE and U+FFFF are
        // not allowed anywhere in a YAML file, comments included.
        let c = if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}')
        {
            ' '
        } else {
            c
        };
        // `*/` would end a block comment: `* /`.
        if c == '/' && out.ends_with('*') {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// A JSON-encoded string: valid as a YAML double-quoted scalar and a TypeScript string
/// literal. Beyond JSON's own escapes, every character YAML does not accept raw in a file
/// (DEL, the C1 controls including NEL, U+FFFE, U+FFFF) and U+2028/U+2029 (line ends to older
/// JavaScript parsers) are written as `\uXXXX`, so parsers read back exactly `s`.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_json_string(&mut out, s);
    out
}

/// Appends [`json_string`] of `s` to `out`.
fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    if !has_special(s) {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        let code = u32::from(c);
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // JSON's own escape of the other C0 controls (lower-case hex, as serde_json).
            _ if code < 0x20 => {
                let _ = write!(out, "\\u{code:04x}");
            }
            _ if code == 0x7F
                || (0x80..=0x9F).contains(&code)
                || matches!(code, 0x2028 | 0x2029 | 0xFFFE | 0xFFFF) =>
            {
                let _ = write!(out, "\\u{code:04X}");
            }
            _ => out.push(c),
        }
    }
    out.push('"');
}

/// Whether `s` is an identifier in HCL and TypeScript (letters, digits, `_`, not leading digit).
pub fn is_identifier(s: &str) -> bool {
    // Every allowed character is ASCII, so bytes do.
    let mut bytes = s.bytes();
    bytes
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && bytes.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// Whether `s` is a traversal `a.b.c` of identifiers (a reference emitters may print raw).
pub fn is_traversal(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|p| is_identifier(p) || p.parse::<u64>().is_ok())
}

/// Renders a JSON value as an HCL expression. A `{"$expr": "a.b.c"}` object is a reference
/// that was resolved to a traversal by the emitter and is printed as is (after checking it is
/// one). Object keys are always quoted.
pub fn hcl_value(v: &Value, indent: usize) -> Result<String, String> {
    let mut out = String::with_capacity(capacity_for(v));
    push_hcl_value(&mut out, v, indent)?;
    Ok(out)
}

fn push_hcl_value(out: &mut String, v: &Value, indent: usize) -> Result<(), String> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => push_hcl_string(out, s),
        Value::Array(items) => multiline(out, items, ('[', ']'), indent, |out, item| {
            push_hcl_value(out, item, indent + 1)?;
            out.push(',');
            Ok(())
        })?,
        Value::Object(map) => {
            if let Some(expr) = raw_expr(v, "$expr")? {
                out.push_str(expr);
                return Ok(());
            }
            multiline(out, map, ('{', '}'), indent, |out, (k, item)| {
                push_hcl_string(out, k);
                out.push_str(" = ");
                push_hcl_value(out, item, indent + 1)
            })?;
        }
    }
    Ok(())
}

/// Renders a JSON value as YAML in JSON-compatible flow style (strings double-quoted).
pub fn yaml_value(v: &Value) -> Result<String, String> {
    let mut out = String::with_capacity(capacity_for(v));
    push_yaml_value(&mut out, v);
    Ok(out)
}

fn push_yaml_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => push_json_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_yaml_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_json_string(out, k);
                out.push_str(": ");
                push_yaml_value(out, item);
            }
            out.push('}');
        }
    }
}

/// Renders a JSON value as a TypeScript expression. A `{"$ts": "a.b"}` object is a resolved
/// reference printed as is (after checking it is a traversal).
pub fn ts_value(v: &Value, indent: usize) -> Result<String, String> {
    let mut out = String::with_capacity(capacity_for(v));
    push_ts_value(&mut out, v, indent)?;
    Ok(out)
}

fn push_ts_value(out: &mut String, v: &Value, indent: usize) -> Result<(), String> {
    match v {
        Value::Null => out.push_str("undefined"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => push_json_string(out, s),
        Value::Array(items) => multiline(out, items, ('[', ']'), indent, |out, item| {
            push_ts_value(out, item, indent + 1)?;
            out.push(',');
            Ok(())
        })?,
        Value::Object(map) => {
            if let Some(expr) = raw_expr(v, "$ts")? {
                out.push_str(expr);
                return Ok(());
            }
            multiline(out, map, ('{', '}'), indent, |out, (k, item)| {
                if is_identifier(k) {
                    out.push_str(k);
                } else {
                    push_json_string(out, k);
                }
                out.push_str(": ");
                push_ts_value(out, item, indent + 1)?;
                out.push(',');
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// A first guess at the length of a rendered value (a string needs its quotes).
fn capacity_for(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len() + 2,
        Value::Array(_) | Value::Object(_) => 256,
        _ => 8,
    }
}

/// Appends `2 * n` spaces.
fn pad(out: &mut String, n: usize) {
    const SPACES: &str = "                                ";
    let mut n = 2 * n;
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

/// Lays out a collection one entry per line, indented one level deeper than `indent`;
/// an empty collection stays `[]` / `{}`.
fn multiline<I: IntoIterator>(
    out: &mut String,
    entries: I,
    (open, close): (char, char),
    indent: usize,
    line: impl Fn(&mut String, I::Item) -> Result<(), String>,
) -> Result<(), String> {
    out.push(open);
    let mut empty = true;
    for entry in entries {
        if empty {
            out.push('\n');
            empty = false;
        }
        pad(out, indent + 1);
        line(out, entry)?;
        out.push('\n');
    }
    if !empty {
        pad(out, indent);
    }
    out.push(close);
    Ok(())
}

/// A resolved reference object `{"<marker>": "a.b.c"}`: its traversal, checked.
fn raw_expr<'v>(v: &'v Value, marker: &str) -> Result<Option<&'v str>, String> {
    let Some(map) = v.as_object() else {
        return Ok(None);
    };
    let Some(expr) = map.get(marker) else {
        return Ok(None);
    };
    match expr.as_str() {
        Some(e) if map.len() == 1 && is_traversal(e) => Ok(Some(e)),
        _ => Err(format!("invalid reference expression {expr}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hcl_strings_keep_templates_literal() {
        assert_eq!(hcl_string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(hcl_string("${x} %{if}"), r#""$${x} %%{if}""#);
        assert_eq!(hcl_string("$ % {"), r#""$ % {""#);
        assert_eq!(hcl_string("l1\nl2\t\u{1}"), r#""l1\nl2\t\u0001""#);
        assert_eq!(hcl_string("ünï ☃"), "\"ünï ☃\"");
    }

    #[test]
    fn values_render_in_each_format() {
        let v = json!({"b": [1, "x"], "a": {"$expr": "azurerm_cognitive_account.main.id"}});
        assert_eq!(hcl_value(&v, 0).expect("hcl"), "{\n  \"a\" = azurerm_cognitive_account.main.id\n  \"b\" = [\n    1,\n    \"x\",\n  ]\n}");
        assert!(hcl_value(&json!({"$expr": "x}; evil"}), 0).is_err());
        assert_eq!(
            yaml_value(&json!({"k: v": ["#", "&a"]})).expect("yaml"),
            r##"{"k: v": ["#", "&a"]}"##
        );
        assert_eq!(
            ts_value(&json!({"a-b": "`${x}`*/", "c": {"$ts": "acct.id"}}), 0).expect("ts"),
            "{\n  \"a-b\": \"`${x}`*/\",\n  c: acct.id,\n}"
        );
        assert_eq!(json_string("\u{2028}"), "\"\\u2028\"");
        assert_eq!(
            json_string("a\u{7f}\u{85}\u{9f}\u{fffe}\u{ffff}é"),
            "\"a\\u007F\\u0085\\u009F\\uFFFE\\uFFFFé\""
        );
    }

    #[test]
    fn comments_cannot_be_broken_out_of() {
        assert_eq!(comment_text("a\nb\r*/c"), "a b * /c");
        assert_eq!(comment_text("a\u{fffe}b\u{ffff}\u{85}c"), "a b  c");
    }

    /// The straightforward definitions the functions above must agree with.
    mod oracle {
        use super::super::is_traversal;
        use serde_json::Value;
        use std::fmt::Write as _;

        fn multiline<I: IntoIterator>(
            entries: I,
            (open, close): (char, char),
            indent: usize,
            line: impl Fn(I::Item) -> Result<String, String>,
        ) -> Result<String, String> {
            let pad = "  ".repeat(indent + 1);
            let mut out = String::from(open);
            let mut empty = true;
            for entry in entries {
                if empty {
                    out.push('\n');
                    empty = false;
                }
                let _ = writeln!(out, "{pad}{}", line(entry)?);
            }
            if !empty {
                out.push_str(&"  ".repeat(indent));
            }
            out.push(close);
            Ok(out)
        }

        fn raw_expr(v: &Value, marker: &str) -> Result<Option<String>, String> {
            let Some(map) = v.as_object() else {
                return Ok(None);
            };
            let Some(expr) = map.get(marker) else {
                return Ok(None);
            };
            match expr.as_str() {
                Some(e) if map.len() == 1 && is_traversal(e) => Ok(Some(e.to_string())),
                _ => Err(format!("invalid reference expression {expr}")),
            }
        }

        pub fn hcl_value(v: &Value, indent: usize) -> Result<String, String> {
            Ok(match v {
                Value::Null => "null".into(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                Value::String(s) => hcl_string(s),
                Value::Array(items) => multiline(items, ('[', ']'), indent, |item| {
                    Ok(format!("{},", hcl_value(item, indent + 1)?))
                })?,
                Value::Object(map) => {
                    if let Some(expr) = raw_expr(v, "$expr")? {
                        return Ok(expr);
                    }
                    multiline(map, ('{', '}'), indent, |(k, item)| {
                        Ok(format!(
                            "{} = {}",
                            hcl_string(k),
                            hcl_value(item, indent + 1)?
                        ))
                    })?
                }
            })
        }

        pub fn yaml_value(v: &Value) -> Result<String, String> {
            Ok(match v {
                Value::Null => "null".into(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                Value::String(s) => json_string(s),
                Value::Array(items) => {
                    let parts: Result<Vec<String>, String> = items.iter().map(yaml_value).collect();
                    format!("[{}]", parts?.join(", "))
                }
                Value::Object(map) => {
                    let parts: Result<Vec<String>, String> = map
                        .iter()
                        .map(|(k, item)| Ok(format!("{}: {}", json_string(k), yaml_value(item)?)))
                        .collect();
                    format!("{{{}}}", parts?.join(", "))
                }
            })
        }

        pub fn ts_value(v: &Value, indent: usize) -> Result<String, String> {
            Ok(match v {
                Value::Null => "undefined".into(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                Value::String(s) => json_string(s),
                Value::Array(items) => multiline(items, ('[', ']'), indent, |item| {
                    Ok(format!("{},", ts_value(item, indent + 1)?))
                })?,
                Value::Object(map) => {
                    if let Some(expr) = raw_expr(v, "$ts")? {
                        return Ok(expr);
                    }
                    multiline(map, ('{', '}'), indent, |(k, item)| {
                        let key = if is_identifier(k) {
                            k.clone()
                        } else {
                            json_string(k)
                        };
                        Ok(format!("{key}: {},", ts_value(item, indent + 1)?))
                    })?
                }
            })
        }

        pub fn hcl_string(s: &str) -> String {
            let mut out = String::from('"');
            let mut chars = s.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    '$' | '%' if chars.peek() == Some(&'{') => {
                        out.push(c);
                        out.push(c);
                    }
                    c if c.is_control() => {
                        let _ = write!(out, "\\u{:04X}", u32::from(c));
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }

        pub fn json_string(s: &str) -> String {
            let encoded = serde_json::to_string(s).expect("encode");
            let mut out = String::new();
            for c in encoded.chars() {
                let code = u32::from(c);
                if code == 0x7F
                    || (0x80..=0x9F).contains(&code)
                    || matches!(code, 0x2028 | 0x2029 | 0xFFFE | 0xFFFF)
                {
                    let _ = write!(out, "\\u{code:04X}");
                } else {
                    out.push(c);
                }
            }
            out
        }

        pub fn is_identifier(s: &str) -> bool {
            let mut chars = s.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        }

        pub fn comment_text(s: &str) -> String {
            s.chars()
                .map(|c| {
                    if c.is_control()
                        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}')
                    {
                        ' '
                    } else {
                        c
                    }
                })
                .collect::<String>()
                .replace("*/", "* /")
        }
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "[a-z$%{}\"\n\u{85}]{0,6}".prop_map(Value::String),
            prop_oneof![Just("$expr"), Just("$ts")]
                .prop_flat_map(|marker| (
                    Just(marker),
                    prop_oneof![Just("a.b_c.0"), Just("x"), Just("a b"), Just("")]
                ))
                .prop_map(|(marker, expr)| json!({ marker: expr })),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map("[a-z_$-]{0,5}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn values_render_as_defined(v in json_value(), indent in 0usize..3) {
            proptest::prop_assert_eq!(hcl_value(&v, indent), oracle::hcl_value(&v, indent));
            proptest::prop_assert_eq!(ts_value(&v, indent), oracle::ts_value(&v, indent));
            proptest::prop_assert_eq!(yaml_value(&v), oracle::yaml_value(&v));
        }

        #[test]
        fn strings_escape_as_defined(s in "(?s).{0,40}") {
            proptest::prop_assert_eq!(hcl_string(&s), oracle::hcl_string(&s));
            proptest::prop_assert_eq!(json_string(&s), oracle::json_string(&s));
            proptest::prop_assert_eq!(comment_text(&s), oracle::comment_text(&s));
        }

        #[test]
        fn special_characters_escape_as_defined(s in "[\u{0}-\u{1f}\u{7f}-\u{a0}\u{2027}-\u{202a}\u{fffd}-\u{ffff}a_1$%{}*/\"\\\\é·]{0,24}") {
            proptest::prop_assert_eq!(is_identifier(&s), oracle::is_identifier(&s));
            proptest::prop_assert_eq!(hcl_string(&s), oracle::hcl_string(&s));
            proptest::prop_assert_eq!(json_string(&s), oracle::json_string(&s));
            proptest::prop_assert_eq!(comment_text(&s), oracle::comment_text(&s));
        }

        #[test]
        fn ascii_strings_escape_as_defined(s in "[ -~\t\n\r\u{0}-\u{1f}\u{7f}]{0,40}") {
            proptest::prop_assert_eq!(hcl_string(&s), oracle::hcl_string(&s));
            proptest::prop_assert_eq!(json_string(&s), oracle::json_string(&s));
            proptest::prop_assert_eq!(comment_text(&s), oracle::comment_text(&s));
        }
    }
}
