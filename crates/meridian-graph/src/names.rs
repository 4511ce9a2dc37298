//! Deterministic cloud-side names that respect each cloud's length and character limits.

/// A 32-bit FNV-1a hash as 8 hex digits: a stable suffix that keeps truncated names unique.
pub fn short_hash(s: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("{h:08x}")
}

/// Joins parts with `-`, keeps only `allowed` characters (others become `-`), collapses
/// repeated dashes, trims them from the ends, and fits the result into `max` characters by
/// truncating and appending a hash of the full name.
pub fn fit(parts: &[&str], max: usize, allowed: impl Fn(char) -> bool, lowercase: bool) -> String {
    let joined = parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("-");
    let mut out = String::with_capacity(joined.len());
    for c in joined.chars() {
        let c = if lowercase { c.to_ascii_lowercase() } else { c };
        let c = if allowed(c) { c } else { '-' };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    let out = out.trim_matches('-').to_string();
    if out.len() <= max {
        return out;
    }
    let hash = short_hash(&out);
    let keep = max.saturating_sub(hash.len() + 1);
    let head: String = out.chars().take(keep).collect();
    format!("{}-{hash}", head.trim_end_matches('-'))
}

/// Azure Cognitive Services account name and custom subdomain: 2–64 lower-case letters,
/// digits and hyphens (the subdomain must be globally unique, so it carries the subscription).
pub fn azure_account(project: &str, provider: &str, region: &str) -> String {
    fit(
        &[project, provider, region],
        64,
        |c| c.is_ascii_lowercase() || c.is_ascii_digit(),
        true,
    )
}

/// Azure private endpoint name: up to 64 letters, digits, `-`, `_`, `.` (`pe-ACCOUNT`).
pub fn azure_private_endpoint(account: &str) -> String {
    fit(
        &["pe", account],
        64,
        |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.'),
        false,
    )
}

/// Name of a private DNS zone's link to a virtual network: up to 80 letters, digits, `-`,
/// `_`, `.`.
pub fn azure_dns_link(project: &str, vnet: &str) -> String {
    fit(
        &[project, vnet],
        80,
        |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.'),
        false,
    )
}

/// Name tag of an AWS VPC endpoint (`PROJECT-PROVIDER-bedrock-runtime`), up to 255 characters.
pub fn aws_vpc_endpoint(project: &str, provider: &str) -> String {
    fit(
        &[project, provider, "bedrock-runtime"],
        255,
        |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.'),
        false,
    )
}

/// Azure deployment name: up to 64 letters, digits, `-`, `_`, `.`.
pub fn azure_deployment(model: &str, target: &str) -> String {
    fit(
        &[model, target],
        64,
        |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.'),
        false,
    )
}

/// Bedrock application inference profile name: up to 64 of `[0-9a-zA-Z:._-]`.
pub fn aws_inference_profile(project: &str, model: &str, target: &str) -> String {
    fit(
        &[project, model, target],
        64,
        |c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.'),
        false,
    )
}

/// Bedrock provisioned model name: up to 63 of `[0-9a-zA-Z_-]`.
pub fn aws_provisioned(project: &str, model: &str, target: &str) -> String {
    fit(
        &[project, model, target],
        63,
        |c| c.is_ascii_alphanumeric() || c == '_',
        false,
    )
}

/// IAM policy name: up to 128 of `[\w+=,.@-]`.
pub fn aws_policy(project: &str, access: &str, principal: &str) -> String {
    fit(
        &[project, access, principal],
        128,
        |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '=' | ',' | '.' | '@'),
        false,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_limits_deterministically() {
        assert_eq!(
            azure_account("ebk", "corp", "swedencentral"),
            "ebk-corp-swedencentral"
        );
        assert_eq!(
            azure_deployment("assistant", "aoai_sweden.1"),
            "assistant-aoai_sweden.1"
        );
        let long = "x".repeat(100);
        let a = aws_provisioned("p", &long, "t");
        assert_eq!(a.len(), 63);
        assert_eq!(a, aws_provisioned("p", &long, "t"));
        assert_ne!(a, aws_provisioned("p", &long, "u"));
        assert_eq!(azure_account("Ebk", "c--x", "_r"), "ebk-c-x-r");
    }
}
