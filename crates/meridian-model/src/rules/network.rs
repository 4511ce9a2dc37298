//! Network settings the generated IaC must be able to carry out: an Azure account that neither
//! allows public access from some address nor has a private endpoint is unreachable; a private
//! endpoint can only be created where the provider's credentials reach (its subscription on
//! Azure, the one region of its targets on AWS).

use crate::ir::{self, EmitFormat};
use meridian_catalog::Cloud;
use meridian_diag::{codes, Diagnostic, Diagnostics};
use meridian_spec as raw;
use std::collections::BTreeSet;

/// The subscription id of an Azure resource id (`/subscriptions/SUB/...`), lower-cased.
pub(crate) fn azure_subscription_of(resource_id: &str) -> Option<String> {
    let mut parts = resource_id.trim_start_matches('/').split('/');
    match (parts.next(), parts.next()) {
        (Some(k), Some(sub)) if k.eq_ignore_ascii_case("subscriptions") && !sub.is_empty() => {
            Some(sub.to_ascii_lowercase())
        }
        _ => None,
    }
}

pub(crate) fn check(diags: &mut Diagnostics, spec: &raw::Spec, project: &ir::Project) {
    let generates_iac = project
        .emits
        .iter()
        .any(|e| matches!(e.format, EmitFormat::Terraform | EmitFormat::Pulumi));
    for p in &project.providers {
        let targets: Vec<&ir::Target> = project
            .models
            .iter()
            .flat_map(|m| m.tiers.iter().flat_map(|t| &t.targets))
            .filter(|t| t.provider == p.address)
            .collect();
        if targets.is_empty() {
            continue;
        }
        let Some(raw_p) = spec.providers.iter().find(|r| r.key() == p.address) else {
            continue;
        };
        match p.cloud {
            Cloud::Azure => {
                if generates_iac {
                    unreachable_accounts(diags, p, raw_p);
                }
                subnet_subscription(diags, p, raw_p);
            }
            Cloud::Aws => {
                if generates_iac {
                    closed_bedrock(diags, p, raw_p);
                }
                endpoint_region(diags, p, raw_p, &targets);
            }
            Cloud::Gcp => psc_not_generated(diags, p, raw_p),
        }
    }
}

/// An Azure provider whose accounts would have neither a private endpoint nor public access
/// from any address.
fn unreachable_accounts(diags: &mut Diagnostics, p: &ir::Provider, raw_p: &raw::Provider) {
    let net = &p.network;
    if net.private_endpoint_subnet_id.is_some()
        || (net.public_access && !net.allowed_ips.is_empty())
    {
        return;
    }
    let network = raw_p.network.as_ref();
    let (summary, detail) = if net.public_access {
        (
            format!(
                "The Azure accounts of provider.{} would be unreachable: public access admits no address and there is no private endpoint",
                p.address
            ),
            "With public_access = true, the account's network ACL denies every address but the \
             ones in allowed_ips, and the list is empty. List the callers' addresses or CIDR \
             ranges in allowed_ips, or give private_endpoint_subnet_id to reach the accounts \
             through a private endpoint."
                .to_string(),
        )
    } else {
        (
            format!(
                "The Azure accounts of provider.{} would be unreachable: public network access is off and there is no private endpoint",
                p.address
            ),
            format!(
                "Without public access (the default), callers reach an account only through a \
                 private endpoint. Add to provider.{} a network block with \
                 private_endpoint_subnet_id = the Azure resource id of the subnet for the \
                 endpoints (Meridian creates an endpoint per account there, and the private DNS \
                 zones that resolve it in that virtual network), or public_access = true with \
                 allowed_ips = the callers' addresses.",
                p.address
            ),
        )
    };
    let mut d = Diagnostic::error(codes::NET_UNREACHABLE, summary).detail(detail);
    d = match network {
        Some(n) => {
            let d = d.at(n.span);
            match &n.public_access {
                Some(pa) => d.label(pa.span, "public access is set here"),
                None => d,
            }
        }
        None => d.at(raw_p.span),
    };
    diags.push(d);
}

/// An AWS provider whose network block turns public access off without a VPC endpoint
/// subnet: the generated policies would deny every call. (Without a network block, Bedrock is
/// called over its public endpoints, with IAM.)
fn closed_bedrock(diags: &mut Diagnostics, p: &ir::Provider, raw_p: &raw::Provider) {
    let Some(n) = raw_p.network.as_ref() else {
        return;
    };
    if p.network.public_access || p.network.private_endpoint_subnet_id.is_some() {
        return;
    }
    let mut d = Diagnostic::error(
        codes::NET_UNREACHABLE,
        format!(
            "Bedrock would be unreachable for the callers of provider.{}: public access is off and there is no VPC endpoint",
            p.address
        ),
    )
    .detail(
        "With a network block, public_access = false (the default) makes the generated IAM \
         policies deny calls that do not come through the provider's bedrock-runtime VPC \
         endpoint. Give private_endpoint_subnet_id (a subnet id, subnet-...) for the endpoint, \
         or set public_access = true (with allowed_ips to admit only those addresses), or remove \
         the network block.",
    )
    .at(n.span);
    if let Some(pa) = &n.public_access {
        d = d.label(pa.span, "public access is set here");
    }
    diags.push(d);
}

/// A gcp provider with a network block: Meridian creates no Private Service Connect endpoint.
/// A PSC endpoint for Google APIs belongs to a VPC network and its DNS (every workload of the
/// network reaches the APIs through it), so it is the network's, not one project's.
fn psc_not_generated(diags: &mut Diagnostics, p: &ir::Provider, raw_p: &raw::Provider) {
    let Some(n) = raw_p.network.as_ref() else {
        return;
    };
    diags.push(
        Diagnostic::warning(
            codes::NET_SUBNET,
            format!(
                "The network block of provider.{} has no effect: Meridian generates no Private Service Connect endpoint for Vertex AI",
                p.address
            ),
        )
        .detail(
            "A Private Service Connect endpoint for Google APIs is one per VPC network, with DNS \
             zones for googleapis.com that every workload of the network resolves through; it \
             belongs to the network's configuration, not to one project's models. Callers reach \
             Vertex AI through the network's PSC endpoint where there is one, else over the \
             public endpoints with IAM. Remove the network block to silence this warning.",
        )
        .at(n.span),
    );
}

/// A private endpoint subnet in another subscription than the provider's: Azure creates a
/// private endpoint in its virtual network's subscription.
fn subnet_subscription(diags: &mut Diagnostics, p: &ir::Provider, raw_p: &raw::Provider) {
    let (Some(subnet), Some(sub)) = (
        raw_p
            .network
            .as_ref()
            .and_then(|n| n.private_endpoint_subnet_id.as_ref()),
        p.subscription_id.as_deref(),
    ) else {
        return;
    };
    let Some(of_subnet) = azure_subscription_of(&subnet.value) else {
        return;
    };
    if of_subnet == sub.trim().to_ascii_lowercase() {
        return;
    }
    let mut d = Diagnostic::error(
        codes::NET_SUBNET,
        format!(
            "The private endpoint subnet of provider.{} is in subscription {of_subnet}, not in the provider's subscription {sub}",
            p.address
        ),
    )
    .detail(
        "Azure creates a private endpoint in the subscription of its virtual network, and \
         Meridian creates it with the provider's credentials. Use a subnet of a virtual network \
         in the provider's subscription (peered to the hub if needed), or a provider block for \
         the network's subscription.",
    )
    .at(subnet.span);
    if let Some(s) = &raw_p.subscription_id {
        d = d.label(s.span, "the provider's subscription");
    }
    diags.push(d);
}

/// An AWS provider with a VPC endpoint subnet whose targets span several regions: a subnet,
/// and so a VPC endpoint for bedrock-runtime, is in one region.
fn endpoint_region(
    diags: &mut Diagnostics,
    p: &ir::Provider,
    raw_p: &raw::Provider,
    targets: &[&ir::Target],
) {
    let Some(subnet) = raw_p
        .network
        .as_ref()
        .and_then(|n| n.private_endpoint_subnet_id.as_ref())
    else {
        return;
    };
    let regions: BTreeSet<&str> = targets.iter().map(|t| t.region.as_str()).collect();
    if regions.len() < 2 {
        return;
    }
    diags.push(
        Diagnostic::error(
            codes::NET_SUBNET,
            format!(
                "provider.{} has targets in {} regions ({}), but its VPC endpoint subnet is in one",
                p.address,
                regions.len(),
                regions.iter().copied().collect::<Vec<_>>().join(", ")
            ),
        )
        .detail(
            "A VPC endpoint for bedrock-runtime serves the region of its subnet only. Give each \
             region its own provider block (the same account_id) with a subnet in that region, \
             or move the targets into the subnet's region.",
        )
        .at(subnet.span),
    );
}
