//! Names that become parts of cloud resource names and addresses: the project name, target
//! names, and the names of models, tiers, residency rules, access and logging blocks.

use meridian_diag::{codes, Diagnostic, Diagnostics};
use meridian_spec::{Spanned, Spec};

/// The shape a kind of name must have.
struct Rule {
    /// How the name is called in messages.
    what: &'static str,
    /// The pattern, as shown to users.
    pattern: &'static str,
    min: usize,
    max: usize,
    underscore: bool,
    why: &'static str,
}

const PROJECT: Rule = Rule {
    what: "meridian.name",
    pattern: "[a-z][a-z0-9-]{1,30}",
    min: 2,
    max: 31,
    underscore: false,
    why: "It prefixes every generated resource name",
};

const TARGET: Rule = Rule {
    what: "Target name",
    pattern: "[a-z][a-z0-9-]*",
    min: 1,
    max: 40,
    underscore: false,
    why: "Target names become parts of cloud resource names",
};

/// Models, tiers, residency rules, access and logging blocks.
const BLOCK: Rule = Rule {
    what: "name",
    pattern: "[a-z][a-z0-9_-]*",
    min: 1,
    max: 40,
    underscore: true,
    why: "Names appear in addresses and generated identifiers",
};

/// Checks every name the spec gives.
pub(crate) fn check(spec: &Spec, diags: &mut Diagnostics) {
    if let Some(name) = spec.meridian.as_ref().and_then(|m| m.name.as_ref()) {
        check_name(&PROJECT, "meridian.name", name, diags);
    }
    for model in &spec.models {
        check_name(&BLOCK, "Model name", &model.name, diags);
        for tier in &model.tiers {
            check_name(&BLOCK, "Tier name", &tier.name, diags);
            for target in &tier.targets {
                check_name(&TARGET, TARGET.what, &target.name, diags);
            }
        }
    }
    for r in &spec.residencies {
        check_name(&BLOCK, "Residency name", &r.name, diags);
    }
    for a in &spec.access {
        check_name(&BLOCK, "Access name", &a.name, diags);
    }
    for l in &spec.logging {
        check_name(&BLOCK, "Logging name", &l.name, diags);
    }
}

fn check_name(rule: &Rule, what: &str, name: &Spanned<String>, diags: &mut Diagnostics) {
    if matches(rule, &name.value) {
        return;
    }
    let length = name.value.chars().count();
    let problem = if length > rule.max {
        format!("is {length} characters long (at most {})", rule.max)
    } else {
        format!("does not match {}", rule.pattern)
    };
    let allowed = if rule.underscore {
        "lowercase letters, digits, underscores and hyphens"
    } else {
        "lowercase letters, digits and hyphens"
    };
    let suggestion = match fixed(rule, &name.value) {
        Some(f) => format!(" Rename it, e.g. to \"{f}\" (and update references to it)."),
        None => String::new(),
    };
    diags.push(
        Diagnostic::error(
            codes::SPEC_NAME,
            format!("{what} \"{}\" {problem}", name.value),
        )
        .detail(format!(
            "{}: start with a lowercase letter, then use {allowed}; {} to {} characters \
             ({}).{suggestion}",
            rule.why, rule.min, rule.max, rule.pattern
        ))
        .at(name.span),
    );
}

fn allowed_char(rule: &Rule, c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || (rule.underscore && c == '_')
}

fn matches(rule: &Rule, name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.chars().all(|c| allowed_char(rule, c))
        && (rule.min..=rule.max).contains(&name.len())
}

/// A name that follows the rule, derived from `name`: lower-cased, other characters replaced
/// by `-`, leading non-letters dropped, runs of `-` collapsed, cut to the maximum length.
fn fixed(rule: &Rule, name: &str) -> Option<String> {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = if allowed_char(rule, c) { c } else { '-' };
        if out.is_empty() && !c.is_ascii_lowercase() {
            continue;
        }
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    out.truncate(rule.max);
    let out = out.trim_end_matches(['-', '_']).to_string();
    matches(rule, &out).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::run_rule;

    fn spec(project: &str, model: &str, tier: &str, target: &str, residency: &str) -> String {
        format!(
            r#"meridian {{
  name = "{project}"
}}

provider "azure" "corp" {{
  subscription_id = "11111111-2222-3333-4444-555555555555"
  resource_group  = "rg-ai"
}}

residency "{residency}" {{
  geographies = ["eu"]
  processing  = "geography"
}}

model "{model}" {{
  residency = residency.{residency}
  tier "{tier}" {{
    target "{target}" {{
      provider   = provider.azure.corp
      model      = "gpt-4.1"
      version    = "2025-04-14"
      region     = "swedencentral"
      processing = "geography"
    }}
  }}
}}
"#
        )
    }

    /// (summary, detail, primary text) of each finding.
    fn run_check(src: &str) -> Vec<(String, String, String)> {
        run_rule(src, check)
            .into_iter()
            .map(|f| {
                assert_eq!(f.code, codes::SPEC_NAME.id);
                assert!(f.error);
                (f.summary, f.detail, f.text)
            })
            .collect()
    }

    #[test]
    fn good_names_are_clean() {
        let found = run_check(&spec(
            "ebk-assistants",
            "chat_v2",
            "primary-1",
            "aoai-sweden",
            "eu_strict",
        ));
        assert!(found.is_empty(), "{found:?}");
        // exactly 31 characters for the project, 40 for a target
        let found = run_check(&spec(
            &format!("e{}", "b".repeat(30)),
            "m",
            "t",
            &format!("a{}", "1".repeat(39)),
            "eu",
        ));
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn project_name() {
        for (bad, fix) in [
            ("EBK Assistants", Some("ebk-assistants")),
            ("e", None),
            ("ebk_assistants", Some("ebk-assistants")),
            ("1ebk", Some("ebk")),
        ] {
            let found = run_check(&spec(bad, "chat", "primary", "aoai", "eu"));
            assert_eq!(found.len(), 1, "{bad}: {found:?}");
            let (summary, detail, text) = &found[0];
            assert!(summary.contains(&format!("\"{bad}\"")), "{summary}");
            assert!(detail.contains("[a-z][a-z0-9-]{1,30}"), "{detail}");
            assert_eq!(text, &format!("\"{bad}\""));
            match fix {
                Some(f) => assert!(detail.contains(&format!("e.g. to \"{f}\"")), "{detail}"),
                None => assert!(!detail.contains("e.g. to"), "{detail}"),
            }
        }
        let long = format!("e{}", "b".repeat(31));
        let found = run_check(&spec(&long, "chat", "primary", "aoai", "eu"));
        assert!(found[0].0.contains("32 characters long"), "{}", found[0].0);
        assert!(found[0].1.contains(&format!("\"e{}\"", "b".repeat(30))));
    }

    #[test]
    fn target_names_take_no_underscores() {
        let found = run_check(&spec("ebk", "chat", "primary", "AOAI_Sweden", "eu"));
        assert_eq!(found.len(), 1, "{found:?}");
        let (summary, detail, text) = &found[0];
        assert_eq!(
            summary,
            "Target name \"AOAI_Sweden\" does not match [a-z][a-z0-9-]*"
        );
        assert!(detail.contains("e.g. to \"aoai-sweden\""), "{detail}");
        assert_eq!(text, "\"AOAI_Sweden\"");
        let long = format!("a{}", "b".repeat(40));
        let found = run_check(&spec("ebk", "chat", "primary", &long, "eu"));
        assert!(found[0].0.contains("41 characters long"), "{}", found[0].0);
    }

    #[test]
    fn block_names_allow_underscores() {
        let found = run_check(&spec("ebk", "Chat Model", "Primary", "aoai", "EU-strict"));
        let got: Vec<(&str, &str)> = found
            .iter()
            .map(|(s, _, t)| (s.split(' ').next().unwrap_or_default(), t.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Model", "\"Chat Model\""),
                ("Tier", "\"Primary\""),
                ("Residency", "\"EU-strict\""),
            ]
        );
        assert!(
            found[0].1.contains("e.g. to \"chat-model\""),
            "{}",
            found[0].1
        );
        assert!(found[0].1.contains("[a-z][a-z0-9_-]*"));
    }

    #[test]
    fn access_and_logging_names() {
        let src = format!(
            "{}\naccess \"Support Portal\" {{\n  models = [model.chat]\n  azure = [\"11111111-2222-3333-4444-555555555555\"]\n}}\nlogging \"audit_log\" {{\n  azure {{\n    workspace_id = \"/subscriptions/x/workspaces/w\"\n    region = \"westeurope\"\n  }}\n}}\n",
            spec("ebk", "chat", "primary", "aoai", "eu")
        );
        let found = run_check(&src);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].2, "\"Support Portal\"");
        assert!(found[0].1.contains("\"support-portal\""));
    }

    #[test]
    fn fixes_follow_the_rule() {
        assert_eq!(
            fixed(&TARGET, "--Ünïcode--Name__"),
            Some("n-code-name".into())
        );
        assert_eq!(fixed(&BLOCK, "My_Model!"), Some("my_model".into()));
        assert_eq!(fixed(&PROJECT, "123"), None);
        assert_eq!(fixed(&TARGET, ""), None);
        assert_eq!(
            fixed(&TARGET, &format!("a{}-b", "x".repeat(38))),
            Some(format!("a{}", "x".repeat(38)))
        );
    }
}
