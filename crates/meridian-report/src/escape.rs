//! Escaping of spec strings for the report formats. Every string that comes from a spec
//! (names, descriptions, principals, reasons, messages) reaches HTML and Markdown through
//! these functions.

/// Whether a character is an invisible bidirectional control: it could make a string display
/// differently from what it is ("Trojan Source").
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Characters HTML forbids or that make text lie about itself: C0 and C1 controls (except
/// tab, line feed and carriage return), DEL, noncharacters, and bidirectional controls.
fn is_unsafe(c: char) -> bool {
    let u = u32::from(c);
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || (0xFDD0..=0xFDEF).contains(&u)
        || (u & 0xFFFE) == 0xFFFE
        || is_bidi_control(c)
}

/// `[U+202E]`, the visible stand-in for an unsafe character.
fn stand_in(out: &mut String, c: char) {
    out.push_str(&format!("[U+{:04X}]", u32::from(c)));
}

/// Escapes text for HTML element content and quoted attribute values (either quote): `&`,
/// `<`, `>`, `"` and `'` become character references; control, noncharacter and
/// bidirectional-control characters are shown as `[U+XXXX]`. Line breaks are kept.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\r' => {}
            c if is_unsafe(c) => stand_in(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for one Markdown table cell or inline run (GitHub Flavored Markdown):
/// Markdown punctuation and HTML-significant characters are backslash-escaped or written as
/// character references, line breaks become spaces, unsafe characters become `[U+XXXX]`.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '|' | '@' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if is_unsafe(c) => stand_in(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Text inside a Markdown code span: the fence is one backtick longer than the longest run of
/// backticks inside; line breaks become spaces; `|` is escaped for table cells.
pub fn markdown_code(s: &str) -> String {
    let mut clean = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => clean.push(' '),
            '|' => clean.push_str("\\|"),
            c if is_unsafe(c) => stand_in(&mut clean, c),
            c => clean.push(c),
        }
    }
    let mut longest = 0;
    let mut run = 0;
    for c in clean.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if clean.starts_with('`') || clean.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{clean}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(
            html("\" onmouseover=\"alert(1)"),
            "&quot; onmouseover=&quot;alert(1)"
        );
        assert_eq!(html("a&amp;b"), "a&amp;amp;b");
        assert_eq!(
            html("</style><img src=x>"),
            "&lt;/style&gt;&lt;img src=x&gt;"
        );
        assert_eq!(html("]]><!--"), "]]&gt;&lt;!--");
    }

    #[test]
    fn html_shows_invisible_characters() {
        assert_eq!(html("a\u{0}b\u{7}c\u{7f}"), "a[U+0000]b[U+0007]c[U+007F]");
        assert_eq!(html("admin\u{202E}gpj.exe"), "admin[U+202E]gpj.exe");
        assert_eq!(html("x\u{FFFE}\u{FDD0}"), "x[U+FFFE][U+FDD0]");
        assert_eq!(html("tab\there\nline\r\n"), "tab\there\nline\n");
        assert_eq!(html("ünïcødé 日本 🚀"), "ünïcødé 日本 🚀");
    }

    #[test]
    fn markdown_neutralises_formatting_links_and_mentions() {
        assert_eq!(markdown("a|b"), "a\\|b");
        assert_eq!(
            markdown("[click](https://evil.example)"),
            "\\[click\\](https://evil.example)"
        );
        assert_eq!(markdown("@org/team"), "\\@org/team");
        assert_eq!(
            markdown("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(markdown("**bold**\n# h"), "\\*\\*bold\\*\\* \\# h");
        assert_eq!(markdown("&lt;"), "&amp;lt;");
        assert_eq!(markdown("x\u{202E}y"), "x[U+202E]y");
    }

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(markdown_code("gpt-5.1"), "`gpt-5.1`");
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("`x`"), "`` `x` ``");
        assert_eq!(markdown_code("a|b\nc"), "`a\\|b c`");
    }

    proptest::proptest! {
        #[test]
        fn html_output_never_holds_markup(s in "\\PC*|[<>&\"'\u{0}-\u{1f}\u{202a}-\u{202e}a]*") {
            let e = html(&s);
            proptest::prop_assert!(!e.contains(['<', '>', '"', '\'']));
            // Every '&' starts one of the references written here.
            for (i, _) in e.match_indices('&') {
                let rest = &e[i..];
                proptest::prop_assert!(
                    ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].iter().any(|r| rest.starts_with(r)),
                    "{}", rest
                );
            }
            proptest::prop_assert!(!e.chars().any(is_unsafe));
        }

        #[test]
        fn markdown_output_has_no_raw_markup(s in "\\PC*|[<>&|`*_\\[\\]()\n@a]*") {
            let e = markdown(&s);
            proptest::prop_assert!(!e.contains(['<', '>', '\n']));
            let bytes = e.as_bytes();
            for (i, b) in bytes.iter().enumerate() {
                if matches!(b, b'|' | b'`' | b'*' | b'[' | b']' | b'@') {
                    // preceded by an odd number of backslashes: escaped
                    let slashes = bytes[..i].iter().rev().take_while(|c| **c == b'\\').count();
                    proptest::prop_assert!(slashes % 2 == 1, "{}", e);
                }
            }
        }
    }
}
