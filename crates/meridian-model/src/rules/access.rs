//! Access blocks: well-formed principals per cloud, principals that would get no grant, and
//! repeated model references.

use super::providers::{is_aws_account, is_uuid, AWS_PARTITIONS};
use meridian_diag::{codes, Diagnostic, Diagnostics};
use meridian_spec::{Access, Spanned, Spec};
use std::collections::{HashMap, HashSet};

/// Checks every access block.
pub(crate) fn check(spec: &Spec, diags: &mut Diagnostics) {
    for access in &spec.access {
        principals(access, diags);
        duplicate_models(access, diags);
        unused_clouds(spec, access, diags);
    }
}

fn principals(access: &Access, diags: &mut Diagnostics) {
    if access.aws.is_empty() && access.azure.is_empty() && access.gcp.is_empty() {
        diags.push(
            Diagnostic::error(
                codes::SPEC_INVALID_VALUE,
                format!("access \"{}\" lists no principals", access.name.value),
            )
            .detail(
                "An access block grants its models to principals; give at least one list, e.g. \
                 aws = [\"arn:aws:iam::123456789012:role/NAME\"], \
                 azure = [\"ENTRA-OBJECT-ID\"] or gcp = [\"serviceAccount:NAME@PROJECT.iam.gserviceaccount.com\"]. \
                 Remove the block if nobody needs the grant.",
            )
            .at(access.span),
        );
    }
    let checks: [(&str, &[Spanned<String>], Validator); 3] = [
        ("aws", &access.aws, aws_principal),
        ("azure", &access.azure, azure_principal),
        ("gcp", &access.gcp, gcp_principal),
    ];
    for (cloud, list, validate) in checks {
        for p in list {
            if let Err(fix) = validate(&p.value) {
                diags.push(
                    Diagnostic::error(
                        codes::ACC_PRINCIPAL,
                        format!(
                            "Malformed {cloud} principal \"{}\" in access \"{}\"",
                            p.value, access.name.value
                        ),
                    )
                    .detail(fix)
                    .at(p.span),
                );
            }
        }
    }
}

/// Checks one principal; the error says how to fix it.
type Validator = fn(&str) -> Result<(), String>;

fn duplicate_models(access: &Access, diags: &mut Diagnostics) {
    let mut first: HashMap<&str, &Spanned<String>> = HashMap::new();
    for m in &access.models {
        if let Some(earlier) = first.get(m.value.as_str()) {
            diags.push(
                Diagnostic::error(
                    codes::SPEC_DUPLICATE,
                    format!(
                        "model.{} is listed twice in access \"{}\"",
                        m.value, access.name.value
                    ),
                )
                .detail("List each model once in `models`; remove the repeated reference.")
                .at(m.span)
                .label(earlier.span, "first listed here"),
            );
        } else {
            first.insert(&m.value, m);
        }
    }
}

fn unused_clouds(spec: &Spec, access: &Access, diags: &mut Diagnostics) {
    if access.models.is_empty() {
        return;
    }
    let mut used: HashSet<&str> = HashSet::new();
    for name in &access.models {
        let Some(model) = spec.models.iter().find(|m| m.name.value == name.value) else {
            // An unknown model has been reported already; the clouds are unknown.
            return;
        };
        for target in model.tiers.iter().flat_map(|t| t.targets.iter()) {
            match &target.provider {
                Some(p) => {
                    used.insert(p.value.cloud.as_str());
                }
                // A target without a (valid) provider has been reported; don't guess.
                None => return,
            }
        }
    }
    let models = access
        .models
        .iter()
        .map(|m| format!("model.{}", m.value))
        .collect::<Vec<_>>()
        .join(", ");
    for (cloud, list) in [
        ("aws", &access.aws),
        ("azure", &access.azure),
        ("gcp", &access.gcp),
    ] {
        let Some(first) = list.first() else { continue };
        if used.contains(cloud) {
            continue;
        }
        diags.push(
            Diagnostic::warning(
                codes::ACC_UNUSED_CLOUD,
                format!(
                    "access \"{}\" lists {cloud} principals, but none of its models has a target on {cloud}",
                    access.name.value
                ),
            )
            .detail(format!(
                "These principals would get no grant. Remove the {cloud} list, or add a target on \
                 {cloud} to one of {models}."
            ))
            .at(first.span),
        );
    }
}

// --- principal formats -----------------------------------------------------------------------

/// `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME` or `...:user/PATH/NAME`.
fn aws_principal(p: &str) -> Result<(), String> {
    const EXAMPLE: &str = "aws principals are IAM role or user ARNs, e.g. \
                           arn:aws:iam::123456789012:role/support-portal.";
    if is_aws_account(p) {
        return Err(format!(
            "{EXAMPLE} A bare account id would grant every identity in the account; name the role instead."
        ));
    }
    let parts: Vec<&str> = p.splitn(6, ':').collect();
    let [arn, partition, service, region, account, resource] = parts[..] else {
        return Err(EXAMPLE.to_string());
    };
    if arn != "arn" || !AWS_PARTITIONS.contains(&partition) {
        return Err(format!(
            "{EXAMPLE} The partition is aws, aws-us-gov or aws-cn."
        ));
    }
    if service == "sts" {
        return Err(format!(
            "{EXAMPLE} An assumed-role session ARN (sts) changes with every session; use the role's IAM ARN."
        ));
    }
    if service != "iam" || !region.is_empty() {
        return Err(format!(
            "{EXAMPLE} IAM ARNs have the service iam and an empty region (arn:aws:iam::)."
        ));
    }
    if !is_aws_account(account) {
        return Err(format!("{EXAMPLE} The account id is exactly 12 digits."));
    }
    let Some(name) = resource
        .strip_prefix("role/")
        .or_else(|| resource.strip_prefix("user/"))
    else {
        return Err(format!(
            "{EXAMPLE} Only roles (role/NAME) and users (user/NAME) can be granted model access."
        ));
    };
    let valid_chars = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_/-".contains(&b));
    if name.is_empty()
        || !valid_chars
        || name.starts_with('/')
        || name.ends_with('/')
        || name.contains("//")
    {
        return Err(format!(
            "{EXAMPLE} The role or user name (with an optional path) uses letters, digits and + = , . @ _ - /."
        ));
    }
    Ok(())
}

/// An Entra object id.
fn azure_principal(p: &str) -> Result<(), String> {
    if is_uuid(p) {
        return Ok(());
    }
    let example =
        "azure principals are Entra object ids (UUIDs), e.g. 11111111-2222-3333-4444-555555555555.";
    if p.contains('@') {
        return Err(format!(
            "{example} Look up the object id of a user with `az ad user show --id {p} --query id`."
        ));
    }
    Err(format!(
        "{example} Find it with `az ad sp show --id APP-ID --query id` (service principal), \
             `az identity show ... --query principalId` (managed identity) or \
             `az ad group show --group NAME --query id`."
    ))
}

/// A GCP IAM member.
fn gcp_principal(p: &str) -> Result<(), String> {
    const EXAMPLE: &str = "gcp principals are IAM members: serviceAccount:EMAIL, user:EMAIL, \
                           group:EMAIL, domain:DOMAIN, principal://... or principalSet://...";
    if p == "allUsers" || p == "allAuthenticatedUsers" {
        return Err(format!(
            "{EXAMPLE} {p} would make the models callable by anyone; name the callers."
        ));
    }
    for prefix in ["principal://", "principalSet://"] {
        if let Some(rest) = p.strip_prefix(prefix) {
            if rest.contains('/') && !rest.chars().any(char::is_whitespace) {
                return Ok(());
            }
            return Err(format!(
                "{EXAMPLE} A principal identifier looks like \
                 principal://iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/subject/SUBJECT."
            ));
        }
    }
    if let Some((kind, rest)) = p.split_once(':') {
        let ok = match kind {
            "serviceAccount" | "user" | "group" => is_email(rest),
            "domain" => is_domain(rest),
            _ => {
                return Err(format!(
                    "{EXAMPLE} \"{kind}:\" is not a member type{}",
                    meridian_diag::did_you_mean(
                        kind,
                        ["serviceAccount", "user", "group", "domain"]
                    )
                ))
            }
        };
        return if ok {
            Ok(())
        } else {
            Err(format!("{EXAMPLE} \"{rest}\" is not a valid address."))
        };
    }
    if is_email(p) {
        let kind = if p.ends_with(".gserviceaccount.com") {
            "serviceAccount"
        } else {
            "user"
        };
        return Err(format!(
            "{EXAMPLE} Prefix the address with its member type, e.g. \"{kind}:{p}\"."
        ));
    }
    Err(EXAMPLE.to_string())
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._%+-'".contains(&b))
        && is_domain(domain)
}

fn is_domain(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_alphabetic()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::run_rule;
    use meridian_spec::{load_text, Inputs};

    const BASE: &str = r#"meridian {
  name = "ebk-assistants"
}

provider "azure" "corp" {
  subscription_id = "11111111-2222-3333-4444-555555555555"
  resource_group  = "rg-ai"
}

provider "aws" "main" {
  account_id = "123456789012"
}

residency "eu" {
  geographies = ["eu"]
  processing  = "geography"
}

model "assistant" {
  residency = residency.eu
  tier "primary" {
    target "aoai-sweden" {
      provider   = provider.azure.corp
      model      = "gpt-4.1"
      version    = "2025-04-14"
      region     = "swedencentral"
      processing = "geography"
    }
  }
}

model "claude" {
  residency = residency.eu
  tier "primary" {
    target "bedrock-frankfurt" {
      provider   = provider.aws.main
      model      = "anthropic.claude-sonnet-4-5-20250929-v1:0"
      region     = "eu-central-1"
      processing = "geography"
    }
  }
}
"#;

    /// Runs the rule on BASE plus one access block; returns (code, is error, summary, text).
    fn run_check(access: &str) -> Vec<(&'static str, bool, String, String)> {
        let src = format!("{BASE}\naccess \"portal\" {{\n{access}\n}}\n");
        run_rule(&src, check)
            .into_iter()
            .map(|f| (f.code, f.error, f.summary, f.text))
            .collect()
    }

    fn texts(found: &[(&'static str, bool, String, String)]) -> Vec<String> {
        found.iter().map(|f| f.3.clone()).collect()
    }

    #[test]
    fn valid_access_is_clean() {
        let found = run_check(
            "  models = [model.assistant, model.claude]\n  aws = [\"arn:aws:iam::123456789012:role/support-portal\", \"arn:aws-us-gov:iam::012345678901:user/ops/alice@ebk.example\"]\n  azure = [\"11111111-2222-3333-4444-555555555555\"]",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn aws_principals_must_be_role_or_user_arns() {
        let bad = [
            "123456789012",
            "arn:aws:iam::123456789012:group/devs",
            "arn:aws:sts::123456789012:assumed-role/portal/session",
            "arn:aws:iam::12345678901:role/portal",
            "arn:aws:iam:eu-central-1:123456789012:role/portal",
            "arn:aws-eu:iam::123456789012:role/portal",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role/por tal",
            "portal-role",
        ];
        let list = bad
            .iter()
            .map(|b| format!("\"{b}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let found = run_check(&format!("  models = [model.claude]\n  aws = [{list}]"));
        assert!(
            found.iter().all(|f| f.0 == "MRD-ACC-001" && f.1),
            "{found:?}"
        );
        let want: Vec<String> = bad.iter().map(|b| format!("\"{b}\"")).collect();
        assert_eq!(texts(&found), want);
        assert!(found[0].2.contains("\"123456789012\""), "{}", found[0].2);
    }

    #[test]
    fn azure_principals_must_be_object_ids() {
        let found = run_check(
            "  models = [model.assistant]\n  azure = [\"alice@ebk.example\", \"11111111-2222-3333-4444-55555555555g\", \"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\"]",
        );
        assert_eq!(
            texts(&found),
            vec![
                "\"alice@ebk.example\"",
                "\"11111111-2222-3333-4444-55555555555g\""
            ]
        );
        assert!(found.iter().all(|f| f.0 == "MRD-ACC-001"));
    }

    #[test]
    fn gcp_principals_must_be_iam_members() {
        // The gcp list is also unused (no model on gcp): filter to ACC-001.
        let good = [
            "serviceAccount:portal@ebk-ml-prod.iam.gserviceaccount.com",
            "user:alice@ebk.example",
            "group:ml-team@ebk.example",
            "domain:ebk.example",
            "principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/p/subject/s",
            "principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/p/*",
        ];
        let bad = [
            "portal@ebk-ml-prod.iam.gserviceaccount.com",
            "serviceaccount:portal@ebk-ml-prod.iam.gserviceaccount.com",
            "user:alice",
            "domain:ebk",
            "allUsers",
            "principal://",
        ];
        let list = good
            .iter()
            .chain(bad.iter())
            .map(|b| format!("\"{b}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let found: Vec<_> = run_check(&format!("  models = [model.assistant]\n  gcp = [{list}]"))
            .into_iter()
            .filter(|f| f.0 == "MRD-ACC-001")
            .collect();
        let want: Vec<String> = bad.iter().map(|b| format!("\"{b}\"")).collect();
        assert_eq!(texts(&found), want);
    }

    #[test]
    fn gcp_hint_suggests_the_member_prefix() {
        assert!(gcp_principal("portal@p.iam.gserviceaccount.com")
            .expect_err("invalid")
            .contains("\"serviceAccount:portal@p.iam.gserviceaccount.com\""));
        assert!(gcp_principal("serviceaccount:a@b.example")
            .expect_err("invalid")
            .contains("Did you mean \"serviceAccount\"?"));
    }

    #[test]
    fn principals_for_an_unused_cloud_warn() {
        let found = run_check(
            "  models = [model.assistant]\n  aws = [\"arn:aws:iam::123456789012:role/support-portal\", \"arn:aws:iam::123456789012:role/other\"]\n  azure = [\"11111111-2222-3333-4444-555555555555\"]",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        let (code, error, summary, text) = &found[0];
        assert_eq!((*code, *error), ("MRD-ACC-002", false));
        assert!(summary.contains("aws"), "{summary}");
        assert_eq!(text, "\"arn:aws:iam::123456789012:role/support-portal\"");
        // the same list is fine once a model on aws is granted too
        let found = run_check(
            "  models = [model.assistant, model.claude]\n  aws = [\"arn:aws:iam::123456789012:role/support-portal\"]\n  azure = [\"11111111-2222-3333-4444-555555555555\"]",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn an_access_block_needs_principals() {
        let found = run_check("  models = [model.assistant]\n  aws = []");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].0, found[0].1), ("MRD-SPEC-007", true));
        assert_eq!(found[0].3, "access \"portal\"");
    }

    #[test]
    fn repeated_models_are_duplicates() {
        let found = run_check(
            "  models = [model.assistant, model.assistant]\n  azure = [\"11111111-2222-3333-4444-555555555555\"]",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "MRD-SPEC-005");
        assert_eq!(found[0].3, "model.assistant");
        let src = format!("{BASE}\naccess \"portal\" {{\n  models = [model.assistant, model.assistant]\n  azure = [\"11111111-2222-3333-4444-555555555555\"]\n}}\n");
        let loaded = load_text("main.hcl", &src, &Inputs::default());
        let mut diags = Diagnostics::new();
        check(&loaded.spec, &mut diags);
        let d = diags.iter().next().expect("one");
        let (primary, label) = (d.primary.expect("primary"), d.secondary[0].span);
        assert!(
            label.start < primary.start,
            "the label marks the first reference"
        );
    }

    #[test]
    fn matchers_do_not_panic_on_odd_input() {
        for s in [
            "",
            ":",
            "@",
            "ß@ß.ß",
            "arn:::::",
            "principal://ß",
            "domain:",
            "user:@",
        ] {
            let _ = (aws_principal(s), azure_principal(s), gcp_principal(s));
        }
    }
}
