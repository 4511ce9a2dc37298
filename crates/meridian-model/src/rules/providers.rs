//! Provider blocks: the shape of account identifiers, endpoints, network and encryption
//! settings, security-check waivers, and providers nothing uses.

use meridian_diag::{codes, Diagnostic, Diagnostics};
use meridian_spec::{Provider, Spanned, Spec};
use std::collections::HashSet;
use std::net::IpAddr;

/// AWS partitions.
pub(crate) const AWS_PARTITIONS: &[&str] = &["aws", "aws-us-gov", "aws-cn"];

/// Checks every provider block.
pub(crate) fn check(spec: &Spec, diags: &mut Diagnostics) {
    let used: HashSet<(&str, &str)> = spec
        .models
        .iter()
        .flat_map(|m| m.tiers.iter())
        .flat_map(|t| t.targets.iter())
        .filter_map(|t| t.provider.as_ref())
        .map(|p| (p.value.cloud.as_str(), p.value.name.as_str()))
        .collect();
    // A target whose provider reference failed leaves usage unknown: no "unused" guesses.
    let usage_known = spec
        .models
        .iter()
        .flat_map(|m| m.tiers.iter())
        .flat_map(|t| t.targets.iter())
        .all(|t| t.provider.is_some());
    for provider in &spec.providers {
        match provider.cloud.value.as_str() {
            "azure" => azure(provider, diags),
            "aws" => aws(provider, diags),
            "gcp" => gcp(provider, diags),
            // Unknown provider types are reported when the spec is loaded.
            _ => continue,
        }
        endpoint(provider, diags);
        network(provider, diags);
        encryption(provider, diags);
        waivers(provider, diags);
        if usage_known
            && !used.contains(&(provider.cloud.value.as_str(), provider.name.value.as_str()))
        {
            diags.push(
                Diagnostic::warning(
                    codes::PRV_UNUSED,
                    format!("provider.{} is not used by any target", provider.key()),
                )
                .detail(format!(
                    "No target has provider = provider.{}. Remove the provider block, or add a \
                     target that uses it.",
                    provider.key()
                ))
                .at(provider.span),
            );
        }
    }
}

fn bad_attribute(
    provider: &Provider,
    attr: &str,
    value: &Spanned<String>,
    expected: &str,
    fix: &str,
) -> Diagnostic {
    Diagnostic::error(
        codes::PRV_ATTRIBUTE,
        format!(
            "{attr} \"{}\" of provider.{} is not {expected}",
            value.value,
            provider.key()
        ),
    )
    .detail(fix.to_string())
    .at(value.span)
}

fn azure(provider: &Provider, diags: &mut Diagnostics) {
    if let Some(v) = &provider.subscription_id {
        if !is_uuid(v.value.trim()) {
            diags.push(bad_attribute(
                provider,
                "subscription_id",
                v,
                "a UUID",
                "An Azure subscription id is a UUID such as 00000000-0000-0000-0000-000000000000, \
                 not the subscription's display name. Find it with `az account show --query id`.",
            ));
        }
    }
    if let Some(v) = &provider.tenant_id {
        if !is_uuid(v.value.trim()) {
            diags.push(bad_attribute(
                provider,
                "tenant_id",
                v,
                "a UUID",
                "An Entra tenant id is a UUID, not a domain name. Find it with \
                 `az account show --query tenantId`.",
            ));
        }
    }
}

fn aws(provider: &Provider, diags: &mut Diagnostics) {
    if let Some(v) = &provider.account_id {
        if !is_aws_account(&v.value) {
            diags.push(bad_attribute(
                provider,
                "account_id",
                v,
                "a 12-digit AWS account id",
                "An AWS account id is exactly 12 digits, leading zeros included (write it as a \
                 string, e.g. \"012345678901\"). Find it with \
                 `aws sts get-caller-identity --query Account`.",
            ));
        }
    }
    if let Some(v) = &provider.partition {
        if !AWS_PARTITIONS.contains(&v.value.as_str()) {
            let hint = meridian_diag::did_you_mean(&v.value, AWS_PARTITIONS.iter().copied());
            diags.push(bad_attribute(
                provider,
                "partition",
                v,
                "an AWS partition",
                &format!("partition is one of aws (the default), aws-us-gov or aws-cn.{hint}"),
            ));
        }
    }
}

fn gcp(provider: &Provider, diags: &mut Diagnostics) {
    if let Some(v) = &provider.project {
        if !is_gcp_project(&v.value) {
            diags.push(bad_attribute(
                provider,
                "project",
                v,
                "a valid GCP project id",
                "A project id has 6 to 30 characters: lowercase letters, digits and hyphens, \
                 starting with a letter and not ending with a hyphen. Use the project id, not \
                 the project's display name or number (`gcloud projects list`).",
            ));
        }
    }
}

fn endpoint(provider: &Provider, diags: &mut Diagnostics) {
    if let Some(v) = &provider.endpoint {
        if !is_endpoint(&v.value) {
            diags.push(bad_attribute(
                provider,
                "endpoint",
                v,
                "an https:// URL",
                "endpoint must be an https:// URL, e.g. https://management.usgovcloudapi.net \
                 for a sovereign cloud. Plain http is allowed only for a local test server \
                 (http://127.0.0.1:PORT or http://localhost:PORT).",
            ));
        }
    }
}

fn network(provider: &Provider, diags: &mut Diagnostics) {
    let Some(net) = &provider.network else { return };
    for ip in &net.allowed_ips {
        if !is_ip_or_cidr(&ip.value) {
            diags.push(bad_attribute(
                provider,
                "allowed_ips entry",
                ip,
                "an IP address or CIDR range",
                "List IPv4 or IPv6 addresses or CIDR ranges, e.g. \"203.0.113.7\" or \
                 \"203.0.113.0/24\"; host names are not allowed.",
            ));
        }
    }
    if let (Some(first), false) = (
        net.allowed_ips.first(),
        net.public_access.as_ref().is_some_and(|p| p.value),
    ) {
        let mut d = Diagnostic::warning(
            codes::PRV_ATTRIBUTE,
            format!(
                "allowed_ips of provider.{} has no effect without public access",
                provider.key()
            ),
        )
        .detail(
            "allowed_ips is used only when public_access = true; with private endpoints only, \
             the list is ignored. Remove it, or set public_access = true if the accounts must \
             be reachable from those addresses.",
        )
        .at(first.span);
        if let Some(p) = &net.public_access {
            d = d.label(p.span, "public access is off here");
        }
        diags.push(d);
    }
    if let Some(subnet) = &net.private_endpoint_subnet_id {
        let (ok, fix) = match provider.cloud.value.as_str() {
            "azure" => (
                is_azure_subnet_id(&subnet.value),
                "Give the subnet's Azure resource id, \
                 /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/VNET/subnets/NAME \
                 (`az network vnet subnet show ... --query id`).",
            ),
            "aws" => (
                is_aws_subnet_id(&subnet.value),
                "Give the id of the VPC subnet, e.g. subnet-0123456789abcdef0.",
            ),
            _ => (
                is_gcp_subnetwork(&subnet.value),
                "Give the subnetwork's resource name, \
                 projects/PROJECT/regions/REGION/subnetworks/NAME.",
            ),
        };
        if !ok {
            diags.push(bad_attribute(
                provider,
                "private_endpoint_subnet_id",
                subnet,
                "a subnet id",
                fix,
            ));
        }
    }
}

fn encryption(provider: &Provider, diags: &mut Diagnostics) {
    let Some(key) = provider.encryption.as_ref().and_then(|e| e.key_id.as_ref()) else {
        return;
    };
    let (ok, expected, fix) = match provider.cloud.value.as_str() {
        "aws" => (
            is_kms_arn(&key.value),
            "a KMS key ARN",
            "On aws, key_id is the ARN of a KMS key or alias, e.g. \
             arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab.",
        ),
        "azure" => (
            is_key_vault_key(&key.value),
            "a Key Vault key URL",
            "On azure, key_id is the URL of a Key Vault key, e.g. \
             https://kv-ebk.vault.azure.net/keys/ai/0123 (`az keyvault key show ... --query key.kid`).",
        ),
        _ => (
            is_gcp_crypto_key(&key.value),
            "a Cloud KMS key name",
            "On gcp, key_id is the resource name of a Cloud KMS key, \
             projects/PROJECT/locations/LOCATION/keyRings/RING/cryptoKeys/KEY.",
        ),
    };
    if !ok {
        diags.push(bad_attribute(
            provider,
            "encryption key_id",
            key,
            expected,
            fix,
        ));
    }
}

fn waivers(provider: &Provider, diags: &mut Diagnostics) {
    for waiver in &provider.waivers {
        let check = &waiver.check;
        if !is_checkov_id(&check.value) {
            diags.push(
                Diagnostic::error(
                    codes::SPEC_INVALID_VALUE,
                    format!(
                        "Waiver \"{}\" of provider.{} does not name a checkov check",
                        check.value,
                        provider.key()
                    ),
                )
                .detail(
                    "A waiver names the id of a checkov check, CKV_ or CKV2_, the framework, an \
                     underscore and the number, e.g. waiver \"CKV2_AZURE_22\" or \
                     waiver \"CKV_AWS_158\".",
                )
                .at(check.span),
            );
        }
        let has_reason = waiver
            .reason
            .as_ref()
            .is_some_and(|r| !r.value.trim().is_empty());
        if !has_reason {
            let mut d = Diagnostic::error(
                codes::SEC_WAIVER,
                format!(
                    "Waiver \"{}\" of provider.{} gives no reason",
                    check.value,
                    provider.key()
                ),
            )
            .detail(
                "Say why the check does not apply or who accepted the risk, e.g. \
                 reason = \"Microsoft-managed keys accepted by risk review R-42\". The reason \
                 appears in reports and as the skip comment in the generated IaC.",
            )
            .at(waiver.span);
            if let Some(r) = &waiver.reason {
                d = d.label(r.span, "the reason is empty");
            }
            diags.push(d);
        }
    }
}

// --- matchers --------------------------------------------------------------------------------

/// `8-4-4-4-12` hexadecimal digits.
pub(crate) fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Exactly 12 ASCII digits.
pub(crate) fn is_aws_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_gcp_project(s: &str) -> bool {
    let b = s.as_bytes();
    (6..=30).contains(&b.len())
        && b[0].is_ascii_lowercase()
        && b[b.len() - 1] != b'-'
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

fn is_endpoint(s: &str) -> bool {
    if s.chars().any(char::is_whitespace) {
        return false;
    }
    if let Some(rest) = strip_prefix_ci(s, "https://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        return !host.is_empty() && !host.starts_with(':');
    }
    if let Some(rest) = strip_prefix_ci(s, "http://") {
        return ["127.0.0.1", "localhost", "[::1]"].iter().any(|h| {
            strip_prefix_ci(rest, h)
                .is_some_and(|after| after.is_empty() || after.starts_with([':', '/']))
        });
    }
    false
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// An IPv4/IPv6 address, or an address with a `/prefix` no longer than the address.
pub(crate) fn is_ip_or_cidr(s: &str) -> bool {
    match s.split_once('/') {
        None => s.parse::<IpAddr>().is_ok(),
        Some((addr, len)) => {
            let Ok(addr) = addr.parse::<IpAddr>() else {
                return false;
            };
            let max = if addr.is_ipv4() { 32 } else { 128 };
            !len.is_empty()
                && len.bytes().all(|b| b.is_ascii_digit())
                && len.parse::<u8>().is_ok_and(|n| n <= max)
        }
    }
}

/// The segments of a `/`-separated resource name, compared case-insensitively against
/// `shape`: literal segments must match, `*` stands for any non-empty name.
fn matches_shape(segments: &[&str], shape: &[&str]) -> bool {
    segments.len() == shape.len()
        && segments
            .iter()
            .zip(shape)
            .all(|(seg, want)| !seg.is_empty() && (*want == "*" || seg.eq_ignore_ascii_case(want)))
}

fn is_azure_subnet_id(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('/') else {
        return false;
    };
    let segments: Vec<&str> = rest.split('/').collect();
    matches_shape(
        &segments,
        &[
            "subscriptions",
            "*",
            "resourceGroups",
            "*",
            "providers",
            "Microsoft.Network",
            "virtualNetworks",
            "*",
            "subnets",
            "*",
        ],
    ) && is_uuid(segments[1])
}

fn is_aws_subnet_id(s: &str) -> bool {
    s.strip_prefix("subnet-").is_some_and(|id| {
        (id.len() == 8 || id.len() == 17)
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

fn is_gcp_subnetwork(s: &str) -> bool {
    let s = s
        .strip_prefix("https://www.googleapis.com/compute/v1/")
        .unwrap_or(s);
    let segments: Vec<&str> = s.split('/').collect();
    matches_shape(
        &segments,
        &["projects", "*", "regions", "*", "subnetworks", "*"],
    )
}

/// `arn:PARTITION:kms:REGION:ACCOUNT:key/ID` or `...:alias/NAME`.
fn is_kms_arn(s: &str) -> bool {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    let [arn, partition, service, region, account, resource] = parts[..] else {
        return false;
    };
    arn == "arn"
        && AWS_PARTITIONS.contains(&partition)
        && service == "kms"
        && !region.is_empty()
        && is_aws_account(account)
        && ["key/", "alias/"].iter().any(|p| {
            resource
                .strip_prefix(p)
                .is_some_and(|name| !name.is_empty())
        })
}

/// `https://VAULT.vault.azure.net/keys/NAME[/VERSION]` (or a sovereign cloud's vault domain,
/// or a managed HSM).
fn is_key_vault_key(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("https://") else {
        return false;
    };
    let Some((host, path)) = rest.split_once('/') else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    let host = host.split(':').next().unwrap_or_default();
    let vault_domain = [
        ".vault.azure.net",
        ".vault.azure.cn",
        ".vault.usgovcloudapi.net",
        ".managedhsm.azure.net",
    ]
    .iter()
    .any(|d| host.strip_suffix(d).is_some_and(|name| !name.is_empty()));
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    vault_domain
        && (matches_shape(&segments, &["keys", "*"])
            || matches_shape(&segments, &["keys", "*", "*"]))
}

/// `projects/P/locations/L/keyRings/R/cryptoKeys/K[/cryptoKeyVersions/V]`.
fn is_gcp_crypto_key(s: &str) -> bool {
    let segments: Vec<&str> = s.split('/').collect();
    let key = [
        "projects",
        "*",
        "locations",
        "*",
        "keyRings",
        "*",
        "cryptoKeys",
        "*",
    ];
    matches_shape(&segments, &key)
        || (segments.len() == 10
            && matches_shape(&segments[..8], &key)
            && matches_shape(&segments[8..], &["cryptoKeyVersions", "*"]))
}

/// `CKV_` or `CKV2_`, upper-case letters, `_`, digits: `CKV2_AZURE_22`, `CKV_AWS_158`.
fn is_checkov_id(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("CKV_").or_else(|| s.strip_prefix("CKV2_")) else {
        return false;
    };
    let Some((framework, number)) = rest.split_once('_') else {
        return false;
    };
    !framework.is_empty()
        && framework.bytes().all(|b| b.is_ascii_uppercase())
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::run_rule;

    const AZURE_OK: &str = r#"provider "azure" "corp" {
  subscription_id = "11111111-2222-3333-4444-555555555555"
  resource_group  = "rg-ai"
}
"#;

    const MODEL: &str = r#"
meridian {
  name = "ebk-assistants"
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
"#;

    /// Runs the rule on `providers` plus a model using provider.azure.corp; returns
    /// (code, severity is error, summary, primary text).
    fn run_check(providers: &str) -> Vec<(&'static str, bool, String, String)> {
        let src = format!("{providers}{MODEL}");
        run_rule(&src, check)
            .into_iter()
            .map(|f| (f.code, f.error, f.summary, f.text))
            .collect()
    }

    fn one(providers: &str) -> (&'static str, bool, String, String) {
        let mut found = run_check(providers);
        assert_eq!(found.len(), 1, "{found:?}");
        found.remove(0)
    }

    fn azure_with(body: &str) -> String {
        format!(
            "provider \"azure\" \"corp\" {{\n  subscription_id = \"11111111-2222-3333-4444-555555555555\"\n  resource_group  = \"rg-ai\"\n{body}\n}}\n"
        )
    }

    /// An aws provider nobody uses would warn; give it a model of its own.
    fn with_aws(body: &str) -> String {
        format!(
            "{AZURE_OK}provider \"aws\" \"main\" {{\n{body}\n}}\nmodel \"claude\" {{\n  tier \"primary\" {{\n    target \"bedrock\" {{\n      provider   = provider.aws.main\n      model      = \"anthropic.claude-sonnet-4-5-20250929-v1:0\"\n      region     = \"eu-central-1\"\n      processing = \"geography\"\n    }}\n  }}\n}}\n"
        )
    }

    fn with_gcp(body: &str) -> String {
        format!(
            "{AZURE_OK}provider \"gcp\" \"ml\" {{\n{body}\n}}\nmodel \"gemini\" {{\n  tier \"primary\" {{\n    target \"vertex\" {{\n      provider = provider.gcp.ml\n      model    = \"gemini-2.5-pro\"\n      region   = \"europe-west4\"\n    }}\n  }}\n}}\n"
        )
    }

    #[test]
    fn valid_providers_are_clean() {
        assert!(run_check(AZURE_OK).is_empty());
        assert!(run_check(&with_aws(
            "  account_id = \"012345678901\"\n  partition = \"aws-us-gov\"\n  endpoint = \"http://127.0.0.1:4566\"\n  encryption {\n    key_id = \"arn:aws-us-gov:kms:us-gov-west-1:012345678901:alias/ai\"\n  }"
        ))
        .is_empty());
        assert!(run_check(&with_gcp(
            "  project = \"ebk-ml-prod\"\n  endpoint = \"https://europe-west4-aiplatform.googleapis.com\"\n  encryption {\n    key_id = \"projects/ebk-ml-prod/locations/europe-west4/keyRings/ai/cryptoKeys/cmk\"\n  }"
        ))
        .is_empty());
        assert!(run_check(&azure_with(
            "  tenant_id = \"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\"\n  endpoint = \"https://management.usgovcloudapi.net/\"\n  network {\n    public_access = true\n    allowed_ips = [\"203.0.113.7\", \"203.0.113.0/24\", \"2001:db8::/32\"]\n    private_endpoint_subnet_id = \"/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/ai\"\n  }\n  encryption {\n    key_id = \"https://kv-ebk.vault.azure.net/keys/ai/0123\"\n  }\n  waiver \"CKV2_AZURE_22\" {\n    reason = \"Accepted by risk review R-42\"\n  }"
        ))
        .is_empty());
    }

    #[test]
    fn azure_ids_must_be_uuids() {
        let src = "provider \"azure\" \"corp\" {\n  subscription_id = \"ebk-production\"\n  resource_group  = \"rg-ai\"\n  tenant_id = \"ebk.onmicrosoft.com\"\n}\n";
        let found = run_check(src);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, "MRD-PRV-001");
        assert!(found[0].2.contains("subscription_id \"ebk-production\""));
        assert_eq!(found[0].3, "\"ebk-production\"");
        assert_eq!(found[1].3, "\"ebk.onmicrosoft.com\"");
        // a UUID with a missing digit
        let (code, _, _, text) = one(&azure_with(
            "  tenant_id = \"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeee\"",
        ));
        assert_eq!(code, "MRD-PRV-001");
        assert_eq!(text, "\"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeee\"");
    }

    #[test]
    fn aws_account_and_partition() {
        let (code, error, summary, text) = one(&with_aws("  account_id = \"12345678901\""));
        assert_eq!((code, error), ("MRD-PRV-001", true));
        assert!(summary.contains("\"12345678901\""), "{summary}");
        assert_eq!(text, "\"12345678901\"");
        let found = run_check(&with_aws(
            "  account_id = \"123456789012\"\n  partition = \"aws-gov\"",
        ));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].3, "\"aws-gov\"");
        assert!(run_check(&with_aws(
            "  account_id = \"123456789012\"\n  partition = \"aws-cn\""
        ))
        .is_empty());
    }

    #[test]
    fn gcp_project_ids() {
        for bad in [
            "ebk",
            "EBK-ml-prod",
            "1ebk-ml-prod",
            "ebk-ml-prod-",
            "ebk_ml_prod",
            "a-very-long-project-id-over-thirty",
        ] {
            let (code, _, _, text) = one(&with_gcp(&format!("  project = \"{bad}\"")));
            assert_eq!(code, "MRD-PRV-001");
            assert_eq!(text, format!("\"{bad}\""));
        }
        for good in ["ebkml1", "ebk-ml-prod", "a23456789012345678901234567890"] {
            assert!(
                run_check(&with_gcp(&format!("  project = \"{good}\""))).is_empty(),
                "{good}"
            );
        }
    }

    #[test]
    fn endpoints_must_be_https_or_local() {
        for bad in [
            "http://management.azure.com",
            "management.azure.com",
            "https://",
            "http://127.0.0.1.evil.example",
            "http://localhostevil.example",
            "ftp://localhost",
        ] {
            let (code, _, summary, text) = one(&azure_with(&format!("  endpoint = \"{bad}\"")));
            assert_eq!(code, "MRD-PRV-001");
            assert!(summary.contains("endpoint"), "{summary}");
            assert_eq!(text, format!("\"{bad}\""));
        }
        for good in [
            "https://management.azure.com",
            "http://localhost:8080/arm",
            "http://127.0.0.1",
            "http://[::1]:9000",
        ] {
            assert!(
                run_check(&azure_with(&format!("  endpoint = \"{good}\""))).is_empty(),
                "{good}"
            );
        }
    }

    #[test]
    fn allowed_ips_are_addresses_or_cidrs() {
        let src = azure_with(
            "  network {\n    public_access = true\n    allowed_ips = [\"10.0.0.0/8\", \"office.example.com\", \"10.0.0.0/33\", \"::1/129\", \"10.0.0.1/\"]\n  }",
        );
        let found = run_check(&src);
        let texts: Vec<&str> = found.iter().map(|f| f.3.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "\"office.example.com\"",
                "\"10.0.0.0/33\"",
                "\"::1/129\"",
                "\"10.0.0.1/\""
            ]
        );
        assert!(found.iter().all(|f| f.0 == "MRD-PRV-001" && f.1));
    }

    #[test]
    fn allowed_ips_without_public_access_warn() {
        let (code, error, _, text) = one(&azure_with(
            "  network {\n    public_access = false\n    allowed_ips = [\"203.0.113.7\"]\n  }",
        ));
        assert_eq!((code, error), ("MRD-PRV-001", false));
        assert_eq!(text, "\"203.0.113.7\"");
        assert!(run_check(&azure_with("  network {\n    public_access = false\n  }")).is_empty());
    }

    #[test]
    fn subnet_ids() {
        for bad in [
            "ai-subnet",
            "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet",
            "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/ai",
            "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/",
        ] {
            let (code, _, _, text) = one(&azure_with(&format!(
                "  network {{\n    private_endpoint_subnet_id = \"{bad}\"\n  }}"
            )));
            assert_eq!(code, "MRD-PRV-001");
            assert_eq!(text, format!("\"{bad}\""));
        }
        let ok = "/subscriptions/11111111-2222-3333-4444-555555555555/resourcegroups/rg/providers/microsoft.network/virtualNetworks/vnet/subnets/ai";
        assert!(run_check(&azure_with(&format!(
            "  network {{\n    private_endpoint_subnet_id = \"{ok}\"\n  }}"
        )))
        .is_empty());
        assert!(is_aws_subnet_id("subnet-0123456789abcdef0"));
        assert!(!is_aws_subnet_id("subnet-xyz"));
        assert!(is_gcp_subnetwork(
            "projects/p/regions/europe-west4/subnetworks/ai"
        ));
        assert!(!is_gcp_subnetwork("projects/p/subnetworks/ai"));
    }

    #[test]
    fn encryption_keys_per_cloud() {
        let (code, _, summary, text) = one(&azure_with(
            "  encryption {\n    key_id = \"arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\"\n  }",
        ));
        assert_eq!(code, "MRD-PRV-001");
        assert!(summary.contains("Key Vault"), "{summary}");
        assert!(text.starts_with("\"arn:aws:kms"));
        let (code, _, _, text) = one(&with_aws(
            "  account_id = \"123456789012\"\n  encryption {\n    key_id = \"https://kv-ebk.vault.azure.net/keys/ai/0123\"\n  }",
        ));
        assert_eq!(code, "MRD-PRV-001");
        assert_eq!(text, "\"https://kv-ebk.vault.azure.net/keys/ai/0123\"");
        let (code, _, _, _) = one(&with_gcp(
            "  project = \"ebk-ml-prod\"\n  encryption {\n    key_id = \"projects/ebk-ml-prod/keyRings/ai\"\n  }",
        ));
        assert_eq!(code, "MRD-PRV-001");
        assert!(is_key_vault_key("https://kv.vault.azure.net/keys/ai"));
        assert!(!is_key_vault_key("https://vault.azure.net/keys/ai"));
        assert!(!is_key_vault_key(
            "https://kv.vault.azure.net.evil.example/keys/ai"
        ));
        assert!(!is_key_vault_key("https://kv.vault.azure.net/secrets/ai"));
        assert!(!is_kms_arn("arn:aws:kms:eu-central-1:123:key/x"));
        assert!(!is_kms_arn("arn:aws:s3:::bucket"));
        assert!(is_gcp_crypto_key(
            "projects/p/locations/eu/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1"
        ));
    }

    #[test]
    fn waivers_need_reasons_and_checkov_ids() {
        let (code, error, summary, text) = one(&azure_with(
            "  waiver \"CKV2_AZURE_22\" {\n    reason = \"   \"\n  }",
        ));
        assert_eq!((code, error), ("MRD-SEC-002", true));
        assert!(summary.contains("CKV2_AZURE_22"), "{summary}");
        assert_eq!(text, "waiver \"CKV2_AZURE_22\"");
        let (code, _, _, text) = one(&azure_with("  waiver \"CKV_AZURE_134\" {\n  }"));
        assert_eq!(code, "MRD-SEC-002");
        assert_eq!(text, "waiver \"CKV_AZURE_134\"");
        let (code, _, summary, text) = one(&azure_with(
            "  waiver \"AZURE_22\" {\n    reason = \"accepted\"\n  }",
        ));
        assert_eq!(code, "MRD-SPEC-007");
        assert!(summary.contains("\"AZURE_22\""), "{summary}");
        assert_eq!(text, "\"AZURE_22\"");
        for bad in [
            "CKV_azure_1",
            "CKV_AZURE_",
            "CKV__1",
            "CKV3_AWS_1",
            "CKV_AWS_1a",
        ] {
            assert!(!is_checkov_id(bad), "{bad}");
        }
    }

    #[test]
    fn unused_providers_warn() {
        let src = format!("{AZURE_OK}provider \"azure\" \"spare\" {{\n  subscription_id = \"11111111-2222-3333-4444-555555555555\"\n  resource_group  = \"rg-ai\"\n}}\n");
        let (code, error, summary, text) = one(&src);
        assert_eq!((code, error), ("MRD-PRV-002", false));
        assert!(summary.contains("azure.spare"), "{summary}");
        assert_eq!(text, "provider \"azure\" \"spare\"");
    }

    #[test]
    fn matchers_do_not_panic_on_odd_input() {
        for s in [
            "",
            "/",
            "ß",
            "arn:",
            "https://ß/ß",
            "::/",
            "/subscriptions//",
            "CKV2_",
        ] {
            let _ = (
                is_uuid(s),
                is_gcp_project(s),
                is_endpoint(s),
                is_ip_or_cidr(s),
                is_azure_subnet_id(s),
                is_kms_arn(s),
                is_key_vault_key(s),
                is_gcp_crypto_key(s),
                is_checkov_id(s),
            );
        }
    }
}
