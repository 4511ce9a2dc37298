//! DOT and Mermaid views of the graph. Edges point from a resource to what it needs, as in
//! `terraform graph`.

use crate::Graph;
use std::fmt::Write as _;

/// A DOT string literal: `"` and `\` escaped, newlines as `\n`.
fn dot_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Mermaid label: quoted, with `"` as `#quot;` and angle brackets as entities.
fn mermaid_quote(s: &str) -> String {
    let escaped = s
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
        .replace('\n', " ");
    format!("\"{escaped}\"")
}

impl Graph {
    /// The graph in Graphviz DOT.
    pub fn to_dot(&self) -> String {
        let mut out =
            String::from("digraph meridian {\n  rankdir = \"RL\";\n  node [shape = box];\n");
        for r in self.resources() {
            let _ = writeln!(
                out,
                "  {} [label = {}];",
                dot_quote(&r.address.to_string()),
                dot_quote(&format!("{}\n{}", r.address, r.name))
            );
        }
        for r in self.resources() {
            for needed in self.needs(&r.address) {
                let _ = writeln!(
                    out,
                    "  {} -> {};",
                    dot_quote(&r.address.to_string()),
                    dot_quote(&needed.address.to_string())
                );
            }
        }
        out.push_str("}\n");
        out
    }

    /// The graph as a Mermaid flowchart.
    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("flowchart RL\n");
        for (i, r) in self.resources().iter().enumerate() {
            let _ = writeln!(out, "  n{i}[{}]", mermaid_quote(&r.address.to_string()));
        }
        let ids: std::collections::HashMap<String, usize> = self
            .resources()
            .iter()
            .enumerate()
            .map(|(i, r)| (r.address.to_string(), i))
            .collect();
        for (i, r) in self.resources().iter().enumerate() {
            for needed in self.needs(&r.address) {
                if let Some(j) = ids.get(&needed.address.to_string()) {
                    let _ = writeln!(out, "  n{i} --> n{j}");
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(dot_quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(mermaid_quote("a\"<b>"), "\"a#quot;#lt;b#gt;\"");
    }
}
