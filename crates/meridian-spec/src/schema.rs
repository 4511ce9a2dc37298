//! The schema of the spec language: every block, where it may stand, its labels, attributes
//! and nested blocks. The decoders check each body against these tables (an attribute or
//! block not listed is an error with a "did you mean"), and the language reference
//! (`docs/language.md`) is tested against them, so neither can list what the other lacks.

/// One kind of block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockSchema {
    /// The block's type, after the types of the blocks it stands in: `["model", "tier"]`.
    pub path: &'static [&'static str],
    /// For a block whose attributes depend on its first label, that label: `provider "azure"`.
    pub variant: Option<&'static str>,
    /// The names of its labels, in order.
    pub labels: &'static [&'static str],
    /// Its attributes.
    pub attributes: &'static [&'static str],
    /// Whether it takes attributes of any name instead (`locals`).
    pub any_attributes: bool,
    /// The types of the blocks it holds.
    pub blocks: &'static [&'static str],
}

impl BlockSchema {
    /// How the reference names the block: `model > tier > target`, `provider "azure"`.
    pub fn name(&self) -> String {
        let mut name = self.path.join(" > ");
        if let Some(v) = self.variant {
            name.push_str(&format!(" \"{v}\""));
        }
        name
    }
}

const fn block(
    path: &'static [&'static str],
    labels: &'static [&'static str],
    attributes: &'static [&'static str],
    blocks: &'static [&'static str],
) -> BlockSchema {
    BlockSchema {
        path,
        variant: None,
        labels,
        attributes,
        any_attributes: false,
        blocks,
    }
}

const fn provider(cloud: &'static str, attributes: &'static [&'static str]) -> BlockSchema {
    BlockSchema {
        variant: Some(cloud),
        ..block(
            &["provider"],
            &["type", "name"],
            attributes,
            &["network", "encryption", "waiver"],
        )
    }
}

pub const MERIDIAN: BlockSchema = block(
    &["meridian"],
    &[],
    &["name", "catalog", "default_tags"],
    &[],
);
pub const VARIABLE: BlockSchema = block(
    &["variable"],
    &["name"],
    &["type", "default", "description", "sensitive"],
    &[],
);
pub const LOCALS: BlockSchema = BlockSchema {
    any_attributes: true,
    ..block(&["locals"], &[], &[], &[])
};
pub const PROVIDER_AZURE: BlockSchema = provider(
    "azure",
    &["subscription_id", "resource_group", "tenant_id", "endpoint"],
);
pub const PROVIDER_AWS: BlockSchema = provider("aws", &["account_id", "partition", "endpoint"]);
pub const PROVIDER_GCP: BlockSchema = provider("gcp", &["project", "endpoint"]);
pub const NETWORK: BlockSchema = block(
    &["provider", "network"],
    &[],
    &["public_access", "private_endpoint_subnet_id", "allowed_ips"],
    &[],
);
pub const ENCRYPTION: BlockSchema = block(&["provider", "encryption"], &[], &["key_id"], &[]);
pub const WAIVER: BlockSchema = block(&["provider", "waiver"], &["check_id"], &["reason"], &[]);
pub const RESIDENCY: BlockSchema = block(
    &["residency"],
    &["name"],
    &["geographies", "countries", "deny_regions", "processing"],
    &[],
);
pub const MODEL: BlockSchema = block(
    &["model"],
    &["name"],
    &[
        "description",
        "task",
        "capabilities",
        "context",
        "residency",
        "strategy",
        "degrade",
    ],
    &["tier", "failover", "usage", "azure", "aws"],
);
pub const TIER: BlockSchema = block(&["model", "tier"], &["name"], &[], &["target"]);
pub const TARGET: BlockSchema = block(
    &["model", "tier", "target"],
    &["name"],
    &[
        "provider",
        "model",
        "version",
        "region",
        "processing",
        "billing",
        "capacity",
        "weight",
    ],
    &[],
);
pub const FAILOVER: BlockSchema = block(
    &["model", "failover"],
    &[],
    &["on", "retries", "timeout", "cooldown"],
    &[],
);
pub const USAGE: BlockSchema = block(
    &["model", "usage"],
    &[],
    &["input_tokens_per_month", "output_tokens_per_month"],
    &[],
);
pub const MODEL_AZURE: BlockSchema = block(&["model", "azure"], &[], &["rai_policy"], &[]);
pub const MODEL_AWS: BlockSchema = block(&["model", "aws"], &[], &["guardrail"], &[]);
pub const ACCESS: BlockSchema = block(
    &["access"],
    &["name"],
    &["models", "aws", "azure", "gcp"],
    &[],
);
pub const LOGGING: BlockSchema = block(
    &["logging"],
    &["name"],
    &["retention_days"],
    &["aws", "azure", "gcp"],
);
pub const LOGGING_AWS: BlockSchema = block(&["logging", "aws"], &[], &["bucket", "region"], &[]);
pub const LOGGING_AZURE: BlockSchema =
    block(&["logging", "azure"], &[], &["workspace_id", "region"], &[]);
pub const LOGGING_GCP: BlockSchema = block(
    &["logging", "gcp"],
    &[],
    &["bigquery_dataset", "location"],
    &[],
);
pub const POLICY: BlockSchema = block(
    &["policy"],
    &[],
    &[
        "require_residency",
        "required_tags",
        "min_tiers",
        "failover_across_providers",
        "max_monthly_cost_usd",
        "retirement_warning_days",
        "allowed_processing",
        "survive_single_failure",
    ],
    &[],
);
pub const EMIT: BlockSchema = block(&["emit"], &["format"], &["path", "language"], &[]);

/// Every block of the language, top-level blocks in documentation order, each followed by the
/// blocks it holds.
pub const SCHEMA: &[BlockSchema] = &[
    MERIDIAN,
    VARIABLE,
    LOCALS,
    PROVIDER_AZURE,
    PROVIDER_AWS,
    PROVIDER_GCP,
    NETWORK,
    ENCRYPTION,
    WAIVER,
    RESIDENCY,
    MODEL,
    TIER,
    TARGET,
    FAILOVER,
    USAGE,
    MODEL_AZURE,
    MODEL_AWS,
    ACCESS,
    LOGGING,
    LOGGING_AWS,
    LOGGING_AZURE,
    LOGGING_GCP,
    POLICY,
    EMIT,
];

/// The schema of a top-level block type (for `provider`, the Azure variant: the labels are the
/// same for every cloud).
pub fn top_level(ident: &str) -> Option<&'static BlockSchema> {
    SCHEMA.iter().find(|b| b.path == [ident])
}

/// The schema of a provider block of `cloud` (`aws`, `azure` or `gcp`).
pub fn provider_of(cloud: &str) -> Option<&'static BlockSchema> {
    SCHEMA
        .iter()
        .find(|b| b.path == ["provider"] && b.variant == Some(cloud))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_nested_block_has_a_schema_and_every_schema_a_parent() {
        for b in SCHEMA {
            for nested in b.blocks {
                let mut path = b.path.to_vec();
                path.push(nested);
                assert!(
                    SCHEMA.iter().any(|s| s.path == path.as_slice()),
                    "{} holds {nested}, which has no schema",
                    b.name()
                );
            }
            if let Some((last, parent)) = b.path.split_last() {
                if !parent.is_empty() {
                    assert!(
                        SCHEMA
                            .iter()
                            .any(|s| s.path == parent && s.blocks.contains(last)),
                        "{} stands in no block",
                        b.name()
                    );
                }
            }
        }
    }

    #[test]
    fn top_level_blocks_are_the_documented_list() {
        let mut top: Vec<&str> = SCHEMA
            .iter()
            .filter(|b| b.path.len() == 1)
            .map(|b| b.path[0])
            .collect();
        top.dedup();
        assert_eq!(top, crate::TOP_LEVEL_BLOCKS);
        for cloud in crate::PROVIDER_TYPES {
            assert!(provider_of(cloud).is_some(), "{cloud}");
        }
    }
}
