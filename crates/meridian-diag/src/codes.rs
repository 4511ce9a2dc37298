//! The registry of diagnostic codes. A code is stable once released: reports, SARIF rule ids
//! and users' suppressions refer to it. Add new codes; never renumber.

use serde::Serialize;

/// A stable diagnostic code with a short title and general help text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Code {
    /// `MRD-<AREA>-<NNN>`.
    pub id: &'static str,
    /// A short name for the rule.
    pub title: &'static str,
    /// What the rule checks and how to satisfy it.
    pub help: &'static str,
}

macro_rules! codes {
    ($($name:ident = $id:literal, $title:literal, $help:literal;)*) => {
        $(
            #[doc = $title]
            pub const $name: Code = Code { id: $id, title: $title, help: $help };
        )*
        /// Every code, in registry order.
        pub const ALL: &[Code] = &[$($name),*];
    };
}

codes! {
    // --- loading and syntax ---------------------------------------------------------------
    IO_READ = "MRD-IO-001", "Cannot read input",
        "A spec file, variable file or catalog overlay could not be read. Check the path and permissions.";
    IO_NO_SPEC = "MRD-IO-002", "No spec files",
        "The directory holds no *.hcl files. Run `meridian init` to write a starter spec, or pass a file.";
    SYN_PARSE = "MRD-SYN-001", "HCL syntax error",
        "The file is not valid HCL. Fix the syntax at the marked position.";
    // --- structure ------------------------------------------------------------------------
    SPEC_UNKNOWN_BLOCK = "MRD-SPEC-001", "Unknown block type",
        "Only the blocks of the spec language are allowed here. Check the spelling against the language reference.";
    SPEC_UNKNOWN_ATTRIBUTE = "MRD-SPEC-002", "Unknown attribute",
        "This attribute is not part of the block's schema. Check the spelling against the language reference.";
    SPEC_MISSING_ATTRIBUTE = "MRD-SPEC-003", "Missing required attribute",
        "The block needs this attribute. Add it.";
    SPEC_LABELS = "MRD-SPEC-004", "Wrong block labels",
        "The block has the wrong number of labels, e.g. `model \"name\" { ... }` needs exactly one.";
    SPEC_DUPLICATE = "MRD-SPEC-005", "Duplicate definition",
        "A block, name or attribute is defined twice. Names must be unique within their scope.";
    SPEC_TYPE = "MRD-SPEC-006", "Wrong value type",
        "The value has the wrong type for this attribute (e.g. a number where a string is expected).";
    SPEC_INVALID_VALUE = "MRD-SPEC-007", "Invalid value",
        "The value is not one of those the attribute accepts.";
    SPEC_NAME = "MRD-SPEC-008", "Malformed name",
        "Names become parts of resource names and addresses; they must match the documented pattern.";
    SPEC_MISSING_BLOCK = "MRD-SPEC-009", "Missing required block",
        "The spec or block needs this nested block. Add it.";
    // --- expressions ----------------------------------------------------------------------
    EXPR_UNKNOWN_REFERENCE = "MRD-EXPR-001", "Unknown reference",
        "The reference names nothing declared in the spec. Declare it, or fix the name.";
    EXPR_UNKNOWN_FUNCTION = "MRD-EXPR-002", "Unknown function",
        "Only lower, upper, format, join, concat and merge are available. `env` is deliberately absent: secrets never pass through a spec.";
    EXPR_FUNCTION_CALL = "MRD-EXPR-003", "Invalid function call",
        "The function was called with the wrong number or types of arguments.";
    EXPR_UNSUPPORTED = "MRD-EXPR-004", "Unsupported expression",
        "Specs use literals, lists, objects, string templates, references and the listed functions only.";
    EXPR_CYCLE = "MRD-EXPR-005", "Cycle among locals",
        "Locals refer to each other in a cycle. Break the cycle.";
    // --- variables ------------------------------------------------------------------------
    VAR_MISSING = "MRD-VAR-001", "Missing variable value",
        "The variable has no default and no value was given. Set it with -var NAME=VALUE, -var-file FILE or MERIDIAN_VAR_NAME.";
    VAR_TYPE = "MRD-VAR-002", "Variable value of the wrong type",
        "The value given for the variable does not match its declared type.";
    VAR_UNDECLARED = "MRD-VAR-003", "Value for undeclared variable",
        "A value was given for a variable that no `variable` block declares. Declare it or remove the value.";
    VAR_SYNTAX = "MRD-VAR-004", "Malformed variable assignment",
        "Variables are set as -var NAME=VALUE; variable files hold NAME = value attributes.";
    // --- catalog --------------------------------------------------------------------------
    CAT_UNKNOWN_PROVIDER = "MRD-CAT-001", "Unknown provider type",
        "Provider types are aws, azure and gcp.";
    CAT_UNKNOWN_MODEL = "MRD-CAT-002", "Unknown model",
        "The model id is not in the catalog for this provider. Use `meridian catalog models --provider P`, or add it with a catalog overlay.";
    CAT_UNKNOWN_VERSION = "MRD-CAT-003", "Unknown model version",
        "The catalog does not list this version of the model. Pick a listed version.";
    CAT_UNKNOWN_REGION = "MRD-CAT-004", "Unknown region",
        "The region is not a region of this cloud in the catalog. Use `meridian catalog regions --provider P`.";
    CAT_NOT_OFFERED = "MRD-CAT-005", "Model not offered there",
        "The catalog does not offer this model in this region with this processing mode. Pick a region or processing mode the catalog lists for the model.";
    CAT_BILLING = "MRD-CAT-006", "Billing mode not offered",
        "The model is not offered with this billing mode in this region and processing mode.";
    CAT_NOT_IN_REGION = "MRD-CAT-007", "Model not callable in-region",
        "Some models can only be called through a geographic or global inference profile. Use processing = \"geography\" (and check residency) or pick another model.";
    CAT_OVERLAY = "MRD-CAT-008", "Invalid catalog overlay",
        "The catalog overlay file is not valid catalog JSON. Check it against schema/catalog.schema.json.";
    CAT_RETIRED = "MRD-CAT-009", "Model version retired",
        "The catalog lists this model version as retired. Move to a current version.";
    CAT_VERSION_REQUIRED = "MRD-CAT-010", "Model version required",
        "Azure deployments pin a model version; give `version`.";
    CAT_UNVERIFIED = "MRD-CAT-011", "Verdict rests on unverified catalog facts",
        "The catalog marks a fact this target relies on (an offer, inference profile routes, a region) as `verified: false`: it could not be confirmed against the provider's own pages. Confirm it with `meridian catalog verify`, or record what you know in a catalog overlay.";
    CAT_STALE = "MRD-CAT-012", "Catalog out of date",
        "The catalog in use (built-in merged with the overlay) was last checked more than 120 days ago. Run `meridian catalog verify` and write the differences with `--write-overlay FILE`, or update Meridian.";
    CAT_DEPRECATED = "MRD-CAT-013", "Model version deprecated",
        "The provider has deprecated this model or version: it keeps working until its retirement date, but new deployments may be refused. Move to the replacement the provider names (`meridian catalog show MODEL`).";
    // --- residency ------------------------------------------------------------------------
    RES_COUNTRY = "MRD-RES-001", "Processing outside allowed countries",
        "Every region where the target may process prompts must lie in a country the residency rule allows. Use a narrower processing mode, another region, or another model; `meridian catalog where MODEL --residency RULE` lists the choices that satisfy the rule.";
    RES_DENIED_REGION = "MRD-RES-002", "Processing in a denied region",
        "The target's footprint includes a region the residency rule denies. `meridian catalog where MODEL --residency RULE` lists the choices that satisfy the rule.";
    RES_SCOPE = "MRD-RES-003", "Processing scope wider than allowed",
        "The target's processing mode is wider than the residency rule's `processing`. A Google location without the in-location processing guarantee for the model counts as `global`. `meridian catalog where MODEL --residency RULE` lists the choices that satisfy the rule.";
    RES_LOG_SINK = "MRD-RES-004", "Log sink outside residency",
        "Logs hold prompts: a sink's location must satisfy the residency of every model whose traffic it records.";
    RES_UNKNOWN_GEOGRAPHY = "MRD-RES-005", "Unknown geography or country",
        "Geographies are catalog codes (eu, eea, europe, us, ...); countries are ISO 3166-1 alpha-2 codes.";
    // --- models, tiers, targets -----------------------------------------------------------
    MOD_CAPABILITY = "MRD-MOD-001", "Capability shortfall",
        "Every target must offer the model's capabilities; a failover tier may lack one only when `degrade` lists it.";
    MOD_CONTEXT = "MRD-MOD-002", "Context window shortfall",
        "Every target must offer the model's minimum context; a failover tier may fall short only when `degrade` lists \"context\".";
    MOD_NO_TIERS = "MRD-MOD-003", "Model without targets",
        "A model needs at least one tier with at least one target.";
    MOD_CAPACITY = "MRD-MOD-005", "Invalid capacity or weight",
        "Capacity and weight are positive whole numbers; provisioned billing needs a capacity.";
    MOD_DEGRADE = "MRD-MOD-006", "Invalid degrade entry",
        "`degrade` lists capabilities (chat, tools, vision, json, embeddings, reasoning) or \"context\".";
    // --- access, providers, secrets -------------------------------------------------------
    ACC_PRINCIPAL = "MRD-ACC-001", "Malformed principal",
        "aws principals are IAM role or user ARNs, azure principals Entra object ids (UUIDs), gcp principals IAM members such as serviceAccount:NAME@PROJECT.iam.gserviceaccount.com.";
    ACC_UNUSED_CLOUD = "MRD-ACC-002", "Principals for a cloud the models do not use",
        "The access block lists principals for a cloud none of its models has a target on; they would get no grant.";
    PRV_ATTRIBUTE = "MRD-PRV-001", "Malformed provider attribute",
        "azure subscription_id and tenant_id are UUIDs; aws account_id is 12 digits and partition one of aws, aws-us-gov, aws-cn.";
    PRV_UNUSED = "MRD-PRV-002", "Unused provider",
        "No target uses this provider.";
    SEC_SECRET = "MRD-SEC-001", "Secret in spec",
        "Specs must never hold credentials: they are committed and read by reviewers. Take secrets from the environment or a secret manager.";
    SEC_WAIVER = "MRD-SEC-002", "Waiver without a reason",
        "A waiver of a security check must give a reason, which appears in reports and as the skip comment in generated IaC.";
    // --- network --------------------------------------------------------------------------
    NET_UNREACHABLE = "MRD-NET-001", "Account nothing can reach",
        "Generated Azure accounts have public network access off unless network.public_access = true, and are reached through a private endpoint in network.private_endpoint_subnet_id. Give the subnet, or allow public access from the callers' addresses (allowed_ips).";
    NET_SUBNET = "MRD-NET-002", "Private endpoint subnet Meridian cannot use",
        "A private endpoint is created in its subnet's network, with the provider's credentials: the subnet must be in the provider's Azure subscription, and an AWS provider with a VPC endpoint subnet must have its targets in one region (the subnet's).";
    // --- logging --------------------------------------------------------------------------
    LOG_SINK = "MRD-LOG-001", "Invalid log sink",
        "A logging block needs at least one sink, and each sink its location.";
    LOG_UNRECORDED = "MRD-LOG-002", "Traffic the log sinks cannot record",
        "Bedrock writes invocation logs only to a bucket of the same account and region, one configuration per region; Vertex AI logs requests of Gemini and Anthropic Claude models only, Claude only on regional endpoints. Add a sink for every region, or move the target.";
    // --- policy ---------------------------------------------------------------------------
    POL_REQUIRE_RESIDENCY = "MRD-POL-001", "Model without residency",
        "policy.require_residency is set: every model must name a residency rule.";
    POL_REQUIRED_TAGS = "MRD-POL-002", "Required tag missing",
        "policy.required_tags lists tags that meridian.default_tags must define.";
    POL_MIN_TIERS = "MRD-POL-003", "Too few tiers",
        "policy.min_tiers sets the fewest tiers a model may have.";
    POL_ACROSS_PROVIDERS = "MRD-POL-004", "Failover stays on one cloud",
        "policy.failover_across_providers requires some failover tier on another cloud than the primary tier.";
    POL_MAX_COST = "MRD-POL-005", "Monthly cost over budget",
        "The monthly estimate from each model's usage exceeds policy.max_monthly_cost_usd.";
    POL_RETIREMENT = "MRD-POL-006", "Model version retiring soon",
        "A model version retires within policy.retirement_warning_days. Plan the move to a current version.";
    POL_PROCESSING = "MRD-POL-007", "Processing mode not allowed",
        "policy.allowed_processing lists the processing modes targets may use.";
    POL_SINGLE_FAILURE = "MRD-POL-008", "Single point of failure",
        "policy.survive_single_failure requires every model to keep a compliant target when any one provider or region fails.";
    // --- emit -----------------------------------------------------------------------------
    EMIT_PATH = "MRD-EMIT-001", "Output path escapes the spec directory",
        "emit paths are relative to the spec directory and may not leave it (no .., absolute paths or symlinks out).";
    EMIT_FORMAT = "MRD-EMIT-002", "Unknown output format",
        "Formats are terraform, pulumi and litellm.";
    EMIT_OWN_FILE = "MRD-EMIT-003", "Output path names Meridian's own files",
        "Generated files may never replace Meridian's state directory (.meridian/), a spec file or the plan file being written, nor take the names Meridian keeps for its temporary files (*.meridian-new, *.meridian-old, *.meridian-tmp). Give the emit block a directory of its own, e.g. generated/terraform.";
    EMIT_PATH_INVALID = "MRD-EMIT-004", "Output path is not a file name",
        "An emit path may not hold a NUL character, and a format that writes one file (litellm) needs a file name, not a path ending in a separator.";
}

/// Look a code up by its id.
pub fn by_id(id: &str) -> Option<Code> {
    ALL.iter().copied().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for code in ALL {
            assert!(seen.insert(code.id), "duplicate code {}", code.id);
            let parts: Vec<&str> = code.id.split('-').collect();
            assert_eq!(parts.len(), 3, "{}", code.id);
            assert_eq!(parts[0], "MRD");
            assert!(parts[1].chars().all(|c| c.is_ascii_uppercase()));
            assert_eq!(parts[2].len(), 3);
            assert!(!code.help.is_empty() && !code.title.is_empty());
        }
        assert_eq!(by_id("MRD-RES-001"), Some(RES_COUNTRY));
    }
}
