//! Escaping for every output format. Every value from a spec reaches a generated file through
//! one of these functions (called by the template filters); nothing is pasted in raw.

use serde_json::Value;
use std::fmt::Write as _;

/// An HCL quoted string literal whose value is exactly `s`: quotes, backslashes and control
/// characters escaped, and template sequences `${` / `%{` doubled so they stay literal.
pub fn hcl_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
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

/// A string usable inside a one-line comment of any format: line breaks and other control
/// characters become spaces, so the text cannot end the comment.
pub fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .replace("*/", "* /")
}

/// A JSON-encoded string: valid as a YAML double-quoted scalar and a TypeScript string
/// literal. Beyond JSON's own escapes, every character YAML does not accept raw in a file
/// (DEL, the C1 controls including NEL, U+FFFE, U+FFFF) and U+2028/U+2029 (line ends to older
/// JavaScript parsers) are written as `\uXXXX`, so parsers read back exactly `s`.
pub fn json_string(s: &str) -> String {
    let encoded = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let mut out = String::with_capacity(encoded.len());
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

/// Whether `s` is an identifier in HCL and TypeScript (letters, digits, `_`, not leading digit).
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
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

/// Renders a JSON value as YAML in JSON-compatible flow style (strings double-quoted).
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

/// Renders a JSON value as a TypeScript expression. A `{"$ts": "a.b"}` object is a resolved
/// reference printed as is (after checking it is a traversal).
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

/// Lays out a collection one entry per line, indented one level deeper than `indent`;
/// an empty collection stays `[]` / `{}`.
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

/// A resolved reference object `{"<marker>": "a.b.c"}`: its traversal, checked.
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
    }
}
