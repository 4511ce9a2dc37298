//! Secret scan: no string in a spec may hold a credential.
//!
//! Specs are committed and read by reviewers, so a credential in one has leaked. The scan runs
//! over every evaluated string long enough to be a credential ([`Spec::strings`]) and looks
//! for two kinds of evidence:
//!
//! * well-known token formats, anywhere in the string: AWS access key ids, PEM blocks,
//!   OpenAI-style `sk-` keys, GitHub tokens, Slack tokens and Google API keys;
//! * a long random-looking hex or base64 value held by an attribute whose name says it is a
//!   key, secret, token or password — unless the value is clearly a reference to a key (an
//!   ARN, a URL, an Azure resource id, a GCP resource name, a UUID).
//!
//! Messages never repeat a secret: they show at most its first four characters.

use meridian_diag::{codes, Diagnostic, Diagnostics};
use meridian_spec::{Spec, StringSite};

/// Shortest value the generic "random key in a key-named attribute" check considers.
const GENERIC_MIN_LEN: usize = 32;

/// Checks every long string of the spec for credentials.
pub(crate) fn check(spec: &Spec, diags: &mut Diagnostics) {
    for site in &spec.strings {
        if let Some(found) = scan(site) {
            diags.push(report(site, &found));
        }
    }
}

/// A credential found in a string: what it looks like and where it starts in the value.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Finding {
    kind: &'static str,
    start: usize,
}

fn report(site: &StringSite, found: &Finding) -> Diagnostic {
    let preview = redact(site.value.get(found.start..).unwrap_or_default());
    Diagnostic::error(
        codes::SEC_SECRET,
        format!(
            "\"{}\" holds what looks like {} (\"{preview}\")",
            site.key, found.kind
        ),
    )
    .detail(
        "A spec is committed and reviewed, so it must never hold a credential. Remove the value \
         and rotate the credential: treat it as leaked once it has been in a file under version \
         control. Meridian and the generated IaC take credentials from the environment or a \
         secret manager (AWS profiles, `az login`, `gcloud auth`); refer to keys by id instead, \
         e.g. a KMS key ARN or a Key Vault key URL.",
    )
    .at(site.span)
    .redacted()
}

/// The first four characters of a secret, then an ellipsis.
fn redact(secret: &str) -> String {
    let head: String = secret.chars().take(4).collect();
    format!("{head}…")
}

fn scan(site: &StringSite) -> Option<Finding> {
    known_format(&site.value).or_else(|| generic(&site.key, &site.value))
}

/// Well-known credential formats, found anywhere in the value.
fn known_format(value: &str) -> Option<Finding> {
    let bytes = value.as_bytes();
    for start in 0..bytes.len() {
        let rest = &bytes[start..];
        if rest.starts_with(b"-----BEGIN ") {
            let kind = if value[start..].contains("PRIVATE KEY") {
                "a private key (PEM block)"
            } else {
                "a PEM block"
            };
            return Some(Finding { kind, start });
        }
        // Every other format starts a word.
        if start > 0 && bytes[start - 1].is_ascii_alphanumeric() {
            continue;
        }
        if let Some(kind) = token_at(rest) {
            return Some(Finding { kind, start });
        }
    }
    None
}

/// Recognises a token that starts at the beginning of `rest`.
fn token_at(rest: &[u8]) -> Option<&'static str> {
    let upper_alnum = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    if rest.starts_with(b"AKIA") || rest.starts_with(b"ASIA") {
        let body = run(&rest[4..], upper_alnum);
        let next = rest.get(4 + body);
        if body == 16 && !next.is_some_and(u8::is_ascii_alphanumeric) {
            return Some("an AWS access key id");
        }
    }
    if let Some(tail) = rest.strip_prefix(b"sk-") {
        let n = run(tail, word);
        let body = &tail[..n];
        // Real keys are random: a digit or capital letter shows up in any 20 characters,
        // while a kebab-case name (`sk-learn-...`) has neither.
        if n >= 20
            && body
                .iter()
                .any(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        {
            return Some("an API key (sk-...)");
        }
    }
    for prefix in [&b"ghp_"[..], b"gho_", b"ghu_", b"ghs_", b"ghr_"] {
        if let Some(tail) = rest.strip_prefix(prefix) {
            if run(tail, |b| b.is_ascii_alphanumeric()) >= 30 {
                return Some("a GitHub token");
            }
        }
    }
    if let Some(tail) = rest.strip_prefix(b"github_pat_") {
        if run(tail, |b| b.is_ascii_alphanumeric() || b == b'_') >= 22 {
            return Some("a GitHub token");
        }
    }
    if rest.len() > 4
        && rest.starts_with(b"xox")
        && matches!(rest[3], b'a' | b'b' | b'p' | b'r' | b's')
        && rest[4] == b'-'
    {
        let tail = &rest[5..];
        let n = run(tail, |b| b.is_ascii_alphanumeric() || b == b'-');
        if n >= 10 && tail[..n].iter().any(u8::is_ascii_digit) {
            return Some("a Slack token");
        }
    }
    if let Some(tail) = rest.strip_prefix(b"AIza") {
        if run(tail, word) >= 35 {
            return Some("a Google API key");
        }
    }
    None
}

/// How many leading bytes satisfy `pred`.
fn run(bytes: &[u8], pred: impl Fn(u8) -> bool) -> usize {
    bytes.iter().take_while(|b| pred(**b)).count()
}

/// A long random hex or base64 value in an attribute named like a credential.
fn generic(key: &str, value: &str) -> Option<Finding> {
    let key = key.to_ascii_lowercase();
    let named_secret = ["key", "secret", "token", "password", "passwd"]
        .iter()
        .any(|w| key.contains(w));
    if !named_secret || value.len() < GENERIC_MIN_LEN || is_reference(value) {
        return None;
    }
    if is_hex_token(value) {
        return Some(Finding {
            kind: "a hex-encoded key",
            start: 0,
        });
    }
    if is_base64_token(value) {
        return Some(Finding {
            kind: "a base64-encoded key",
            start: 0,
        });
    }
    None
}

/// Values that name a key rather than hold one.
fn is_reference(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    [
        "arn:",
        "https://",
        "http://",
        "/subscriptions/",
        "projects/",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
        || super::providers::is_uuid(value)
}

fn is_hex_token(value: &str) -> bool {
    value.bytes().all(|b| b.is_ascii_hexdigit())
        && value.bytes().any(|b| b.is_ascii_digit())
        && value.bytes().any(|b| b.is_ascii_alphabetic())
}

fn is_base64_token(value: &str) -> bool {
    let body = value.trim_end_matches('=');
    if value.len() - body.len() > 2 {
        return false;
    }
    let standard = body.bytes().any(|b| b == b'+' || b == b'/');
    let url_safe = body.bytes().any(|b| b == b'-' || b == b'_');
    let alphabet = body
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'));
    if !alphabet || (standard && url_safe) {
        return false;
    }
    let has = |pred: fn(&u8) -> bool| body.bytes().any(|b| pred(&b));
    if !(has(u8::is_ascii_digit) && has(u8::is_ascii_uppercase) && has(u8::is_ascii_lowercase)) {
        return false;
    }
    // Random text changes character class (lower, upper, digit, symbol) at about two of three
    // neighbouring positions; CamelCase names and paths made of words change far less often.
    class_change_ratio(body) >= 0.33
}

fn class_change_ratio(s: &str) -> f64 {
    fn class(b: u8) -> u8 {
        if b.is_ascii_lowercase() {
            0
        } else if b.is_ascii_uppercase() {
            1
        } else if b.is_ascii_digit() {
            2
        } else {
            3
        }
    }
    let bytes = s.as_bytes();
    if bytes.len() < 2 {
        return 0.0;
    }
    let changes = bytes
        .windows(2)
        .filter(|w| class(w[0]) != class(w[1]))
        .count();
    changes as f64 / (bytes.len() - 1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::run_rule;

    /// A small valid spec with `extra` appended.
    fn spec(extra: &str) -> String {
        format!(
            r#"meridian {{
  name = "ebk-assistants"
}}

provider "aws" "main" {{
  account_id = "123456789012"
}}

residency "eu" {{
  geographies = ["eu"]
  processing  = "geography"
}}

model "assistant" {{
  residency = residency.eu
  tier "primary" {{
    target "bedrock-frankfurt" {{
      provider   = provider.aws.main
      model      = "anthropic.claude-sonnet-4-5-20250929-v1:0"
      region     = "eu-central-1"
      processing = "geography"
    }}
  }}
}}
{extra}"#
        )
    }

    /// Runs the rule; returns each finding's summary and the source text of its primary span.
    fn run_check(src: &str) -> Vec<(String, String)> {
        run_rule(src, check)
            .into_iter()
            .map(|f| {
                assert_eq!(f.code, codes::SEC_SECRET.id);
                assert!(f.error);
                (f.summary, f.text)
            })
            .collect()
    }

    /// Puts `value` in a `key_id` attribute of an encryption block.
    fn in_key_id(value: &str) -> String {
        spec(&format!(
            "provider \"azure\" \"corp\" {{\n  subscription_id = \"11111111-2222-3333-4444-555555555555\"\n  resource_group  = \"rg-ai\"\n  encryption {{\n    key_id = \"{value}\"\n  }}\n}}\n"
        ))
    }

    fn in_tag(key: &str, value: &str) -> String {
        spec("").replacen(
            "name = \"ebk-assistants\"",
            &format!("name = \"ebk-assistants\"\n  default_tags = {{ {key} = \"{value}\" }}"),
            1,
        )
    }

    #[test]
    fn the_base_spec_is_clean() {
        assert!(run_check(&spec("")).is_empty());
    }

    #[test]
    fn finds_known_token_formats_anywhere() {
        let cases = [
            ("note", "AKIAIOSFODNN7EXAMPLE", "AWS access key id", "AKIA…"),
            (
                "note",
                "creds ASIAY34FZKBOKMUTVV7A here",
                "AWS access key id",
                "ASIA…",
            ),
            (
                "note",
                "sk-proj-abcdEFGH1234ijklMNOP5678qrst",
                "API key",
                "sk-p…",
            ),
            (
                "note",
                "ghp_aBcD1234eFgH5678iJkL9012mNoP3456qRsT",
                "GitHub token",
                "ghp_…",
            ),
            (
                "note",
                "gho_aBcD1234eFgH5678iJkL9012mNoP3456qRsT",
                "GitHub token",
                "gho_…",
            ),
            (
                "note",
                "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
                "GitHub token",
                "gith…",
            ),
            (
                "note",
                "xoxb-1234567890-0987654321-AbCdEfGh",
                "Slack token",
                "xoxb…",
            ),
            (
                "note",
                "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
                "Google API key",
                "AIza…",
            ),
        ];
        for (key, value, kind, preview) in cases {
            let found = run_check(&in_tag(key, value));
            assert_eq!(found.len(), 1, "{value}: {found:?}");
            let (summary, text) = &found[0];
            assert!(summary.contains(kind), "{summary}");
            assert!(summary.contains(preview), "{summary}");
            assert_eq!(text, &format!("\"{value}\""));
        }
    }

    #[test]
    fn finds_pem_blocks() {
        let src = in_tag(
            "note",
            "-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEA\\n-----END RSA PRIVATE KEY-----",
        );
        let found = run_check(&src);
        assert_eq!(found.len(), 1);
        assert!(found[0].0.contains("private key"), "{}", found[0].0);
        assert!(found[0].0.contains("\"----…\""), "{}", found[0].0);
        assert!(found[0].1.starts_with("\"-----BEGIN RSA"));
    }

    #[test]
    fn never_echoes_the_secret() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let found = run_check(&in_tag("aws_secret_access_key", secret));
        assert_eq!(found.len(), 1);
        assert!(!found[0].0.contains(secret));
        assert!(!found[0].0.contains("wJalr"), "{}", found[0].0);
        assert!(found[0].0.contains("\"wJal…\""), "{}", found[0].0);
    }

    #[test]
    fn finds_random_keys_in_attributes_named_like_secrets() {
        let hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let b64 = "Zm9vYmFyQmF6UXV4MTIzNDU2Nzg5MGFiY2RlZkdISUo=";
        for (key, value, kind) in [
            ("api_key", hex, "hex"),
            ("ClientSecret", b64, "base64"),
            (
                "auth_token",
                "dGhpc0lzTm90UmVhbGx5QVRva2VuX2J1dC1sb29rc0xpa2VPbmU",
                "base64",
            ),
            ("db_password", b64, "base64"),
        ] {
            let found = run_check(&in_tag(key, value));
            assert_eq!(found.len(), 1, "{key}: {found:?}");
            assert!(found[0].0.contains(kind), "{}", found[0].0);
            assert_eq!(found[0].1, format!("\"{value}\""));
        }
    }

    #[test]
    fn finds_keys_in_encryption_blocks() {
        let found = run_check(&in_key_id("0123456789abcdef0123456789abcdef"));
        assert_eq!(found.len(), 1);
        assert!(found[0].0.starts_with("\"key_id\""), "{}", found[0].0);
        assert_eq!(found[0].1, "\"0123456789abcdef0123456789abcdef\"");
    }

    #[test]
    fn references_and_ordinary_values_do_not_fire() {
        for value in [
            "https://kv-ebk.vault.azure.net/keys/ai/0123",
            "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "projects/ebk-ml-prod/locations/europe-west3/keyRings/ai/cryptoKeys/cmk",
            "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/keys/k",
            "11111111-2222-3333-4444-555555555555",
        ] {
            assert!(run_check(&in_key_id(value)).is_empty(), "{value}");
        }
        for (key, value) in [
            // a git commit is hex, but not held by a key-named attribute
            ("commit", "4b825dc642cb6eb9a060e54bf8d69288fbee4904"),
            // names written in words are not random
            ("key_vault_name", "CustomerSupportAssistantKey2025Prod"),
            ("api_key_name", "ebk-assistants-production-2025-west"),
            // `sk-` inside a word, and a kebab-case name starting with sk-
            ("note", "risk-assessment-pipeline-production"),
            ("note", "sk-learn-integration-pipeline-jobs"),
            // too short to be an access key id
            ("note", "AKIA-not-a-key-at-all-really"),
            ("secret_ref", "short-but-20-chars-ok"),
        ] {
            assert!(run_check(&in_tag(key, value)).is_empty(), "{key} = {value}");
        }
        // the model id of the base spec, and in an attribute named like a key
        assert!(run_check(&in_tag(
            "model_key",
            "anthropic.claude-sonnet-4-5-20250929-v1:0"
        ))
        .is_empty());
    }

    #[test]
    fn boundaries_are_respected() {
        // 17 characters after AKIA is not an access key id
        assert!(run_check(&in_tag("note", "AKIAIOSFODNN7EXAMPLEX")).is_empty());
        // a prefix glued to a word is not a token
        assert!(run_check(&in_tag(
            "note",
            "myghp_aBcD1234eFgH5678iJkL9012mNoP3456qRsT"
        ))
        .is_empty());
    }

    #[test]
    fn unicode_values_do_not_panic() {
        assert!(run_check(&in_tag("token", "ßßßßßßßßßßßßßßßßßßßßßßßßßßßßßßßßßßßß")).is_empty());
        let found = run_check(&in_tag("note", "ünïcödé AKIAIOSFODNN7EXAMPLE"));
        assert_eq!(found.len(), 1);
    }
}
