//! Decoders for each block of the language.

use crate::decode::{attr_key_span, header_span, BodyR, Decoder};
use crate::eval::span_of;
use crate::schema::{self, BlockSchema};
use crate::types::{
    Access, AwsOverride, AwsSink, AzureOverride, AzureSink, Emit, Encryption, Failover, GcpSink,
    Logging, MeridianBlock, Model, Network, Policy, Provider, Residency, Spanned, Target, Tier,
    Usage, Waiver,
};
use hcl_edit::structure::Block;
use meridian_diag::{codes, Diagnostic, FileId};
use std::collections::HashMap;

impl Decoder<'_, '_> {
    fn body<'b>(
        &mut self,
        block: &'b Block,
        file: FileId,
        what: String,
        schema: &BlockSchema,
    ) -> BodyR<'b> {
        self.open(
            &block.body,
            file,
            header_span(file, block),
            what,
            schema.attributes,
            schema.blocks,
        )
    }

    pub fn meridian(&mut self, block: &Block, file: FileId) -> MeridianBlock {
        let b = self.body(block, file, "meridian".into(), &schema::MERIDIAN);
        let name = self.req_string(&b, "name", "\"my-project\"");
        let catalog = self.string(&b, "catalog");
        let (default_tags_span, default_tags) = match self.string_map(&b, "default_tags") {
            Some((span, tags)) => (Some(span), tags),
            None => (None, Vec::new()),
        };
        MeridianBlock {
            span: b.header,
            name,
            catalog,
            default_tags,
            default_tags_span,
        }
    }

    pub fn provider(
        &mut self,
        block: &Block,
        file: FileId,
        cloud: Spanned<String>,
        name: Spanned<String>,
    ) -> Provider {
        let what = format!("provider \"{}\" \"{}\"", cloud.value, name.value);
        let (table, required): (&BlockSchema, &[(&str, &str)]) = match cloud.value.as_str() {
            "azure" => (
                &schema::PROVIDER_AZURE,
                &[
                    (
                        "subscription_id",
                        "\"00000000-0000-0000-0000-000000000000\"",
                    ),
                    ("resource_group", "\"rg-ai\""),
                ],
            ),
            "aws" => (&schema::PROVIDER_AWS, &[("account_id", "\"123456789012\"")]),
            _ => (&schema::PROVIDER_GCP, &[("project", "\"my-project\"")]),
        };
        let b = self.body(block, file, what, table);
        for (attr, example) in required {
            if b.attr(attr).is_none() {
                self.missing(&b, attr, example);
            }
        }
        let network = self.single(&b, "network").map(|nb| {
            let nb_body = self.body(nb, file, "network".into(), &schema::NETWORK);
            Network {
                span: nb_body.header,
                public_access: self.bool(&nb_body, "public_access"),
                private_endpoint_subnet_id: self.string(&nb_body, "private_endpoint_subnet_id"),
                allowed_ips: self.string_list(&nb_body, "allowed_ips"),
            }
        });
        let encryption = self.single(&b, "encryption").map(|eb| {
            let eb_body = self.body(eb, file, "encryption".into(), &schema::ENCRYPTION);
            let key_id = self.req_string(
                &eb_body,
                "key_id",
                "\"https://VAULT.vault.azure.net/keys/NAME/VERSION\"",
            );
            Encryption {
                span: eb_body.header,
                key_id,
            }
        });
        let mut waivers: Vec<Waiver> = Vec::new();
        for wb in b.blocks_named("waiver") {
            let Some(labels) = self.labels(wb, file, schema::WAIVER.labels) else {
                continue;
            };
            let Some(check) = labels.into_iter().next() else {
                continue;
            };
            let w_body = self.body(
                wb,
                file,
                format!("waiver \"{}\"", check.value),
                &schema::WAIVER,
            );
            if let Some(first) = waivers.iter().find(|w| w.check.value == check.value) {
                self.diags.push(
                    Diagnostic::error(
                        codes::SPEC_DUPLICATE,
                        format!("Check \"{}\" is waived twice", check.value),
                    )
                    .detail("Keep one waiver per check id.")
                    .at(check.span)
                    .label(first.check.span, "first waived here"),
                );
                continue;
            }
            let reason = self.string(&w_body, "reason");
            waivers.push(Waiver {
                span: w_body.header,
                check,
                reason,
            });
        }
        Provider {
            span: b.header,
            subscription_id: self.string(&b, "subscription_id"),
            resource_group: self.string(&b, "resource_group"),
            tenant_id: self.string(&b, "tenant_id"),
            account_id: self.string(&b, "account_id"),
            partition: self.string(&b, "partition"),
            project: self.string(&b, "project"),
            endpoint: self.string(&b, "endpoint"),
            cloud,
            name,
            network,
            encryption,
            waivers,
        }
    }

    pub fn residency(&mut self, block: &Block, file: FileId, name: Spanned<String>) -> Residency {
        let before = self.failures();
        let b = self.body(
            block,
            file,
            format!("residency \"{}\"", name.value),
            &schema::RESIDENCY,
        );
        let geographies = self.string_list(&b, "geographies");
        let countries = self.string_list(&b, "countries");
        if b.attr("geographies").is_none() && b.attr("countries").is_none() {
            self.diags.push(
                Diagnostic::error(
                    codes::SPEC_MISSING_ATTRIBUTE,
                    format!("{} allows no countries", b.what),
                )
                .detail("Give geographies = [\"eu\"] and/or countries = [\"DE\", \"FR\"]; the allowed set is their union.")
                .at(b.header),
            );
        }
        let deny_regions = self.string_list(&b, "deny_regions");
        let processing = self.string(&b, "processing");
        Residency {
            span: b.header,
            incomplete: self.failures() > before,
            deny_regions,
            processing,
            geographies,
            countries,
            name,
        }
    }

    pub fn model(&mut self, block: &Block, file: FileId, name: Spanned<String>) -> Model {
        let b = self.body(
            block,
            file,
            format!("model \"{}\"", name.value),
            &schema::MODEL,
        );
        let before = self.failures();
        let description = self.string(&b, "description");
        let task = self.string(&b, "task");
        let capabilities = self.string_list(&b, "capabilities");
        let context = self.uint(&b, "context");
        let residency = self.residency_ref(&b, "residency");
        let residency_attr = b.attr("residency").map(|a| key_span(file, a));
        let strategy = self.string(&b, "strategy");
        let degrade = self.string_list(&b, "degrade");
        let incomplete = self.failures() > before;
        let mut tiers: Vec<Tier> = Vec::new();
        for tb in b.blocks_named("tier") {
            let Some(labels) = self.labels(tb, file, schema::TIER.labels) else {
                continue;
            };
            let Some(tier_name) = labels.into_iter().next() else {
                continue;
            };
            if let Some(first) = tiers.iter().find(|t| t.name.value == tier_name.value) {
                self.diags.push(
                    Diagnostic::error(
                        codes::SPEC_DUPLICATE,
                        format!(
                            "Tier \"{}\" is defined twice in model \"{}\"",
                            tier_name.value, name.value
                        ),
                    )
                    .detail("Tier names are unique within their model.")
                    .at(tier_name.span)
                    .label(first.name.span, "first defined here"),
                );
                continue;
            }
            tiers.push(self.tier(tb, file, &name.value, tier_name, &tiers));
        }
        let failover = self.single(&b, "failover").map(|fb| {
            let f = self.body(fb, file, "failover".into(), &schema::FAILOVER);
            Failover {
                span: f.header,
                on: self.string_list(&f, "on"),
                retries: self.uint(&f, "retries"),
                timeout: self.string(&f, "timeout"),
                cooldown: self.string(&f, "cooldown"),
            }
        });
        let usage = self.single(&b, "usage").map(|ub| {
            let u = self.body(ub, file, "usage".into(), &schema::USAGE);
            Usage {
                span: u.header,
                input_tokens_per_month: self.uint(&u, "input_tokens_per_month"),
                output_tokens_per_month: self.uint(&u, "output_tokens_per_month"),
            }
        });
        let azure = self.single(&b, "azure").map(|ab| {
            let a = self.body(ab, file, "azure".into(), &schema::MODEL_AZURE);
            AzureOverride {
                span: a.header,
                rai_policy: self.string(&a, "rai_policy"),
            }
        });
        let aws = self.single(&b, "aws").map(|ab| {
            let a = self.body(ab, file, "aws".into(), &schema::MODEL_AWS);
            AwsOverride {
                span: a.header,
                guardrail: self.string(&a, "guardrail"),
            }
        });
        Model {
            span: b.header,
            description,
            task,
            capabilities,
            context,
            residency,
            residency_attr,
            strategy,
            degrade,
            incomplete,
            name,
            tiers,
            failover,
            usage,
            azure,
            aws,
        }
    }

    fn tier(
        &mut self,
        block: &Block,
        file: FileId,
        model: &str,
        name: Spanned<String>,
        earlier: &[Tier],
    ) -> Tier {
        let b = self.body(
            block,
            file,
            format!("tier \"{}\"", name.value),
            &schema::TIER,
        );
        let mut targets: Vec<Target> = Vec::new();
        for tb in b.blocks_named("target") {
            let Some(labels) = self.labels(tb, file, schema::TARGET.labels) else {
                continue;
            };
            let Some(target_name) = labels.into_iter().next() else {
                continue;
            };
            let previous = targets
                .iter()
                .chain(earlier.iter().flat_map(|t| t.targets.iter()))
                .find(|t| t.name.value == target_name.value)
                .map(|t| t.name.span);
            if let Some(first) = previous {
                self.diags.push(
                    Diagnostic::error(
                        codes::SPEC_DUPLICATE,
                        format!("Target \"{}\" is defined twice in model \"{model}\"", target_name.value),
                    )
                    .detail("Target names are unique within their model: they become parts of resource names.")
                    .at(target_name.span)
                    .label(first, "first defined here"),
                );
                continue;
            }
            targets.push(self.target(tb, file, target_name));
        }
        Tier {
            span: b.header,
            name,
            targets,
        }
    }

    fn target(&mut self, block: &Block, file: FileId, name: Spanned<String>) -> Target {
        let before = self.failures();
        let b = self.body(
            block,
            file,
            format!("target \"{}\"", name.value),
            &schema::TARGET,
        );
        for (attr, example) in [
            ("provider", "provider.azure.corp"),
            ("model", "\"gpt-4.1\""),
            ("region", "\"swedencentral\""),
        ] {
            if b.attr(attr).is_none() {
                self.missing(&b, attr, example);
            }
        }
        let provider = self.provider_ref(&b, "provider");
        let model = self.string(&b, "model");
        let version = self.string(&b, "version");
        let region = self.string(&b, "region");
        let processing = self.string(&b, "processing");
        let billing = self.string(&b, "billing");
        let capacity = self.uint(&b, "capacity");
        let weight = self.uint(&b, "weight");
        Target {
            span: b.header,
            incomplete: self.failures() > before,
            provider,
            model,
            version,
            region,
            processing,
            billing,
            capacity,
            weight,
            name,
        }
    }

    pub fn access(&mut self, block: &Block, file: FileId, name: Spanned<String>) -> Access {
        let b = self.body(
            block,
            file,
            format!("access \"{}\"", name.value),
            &schema::ACCESS,
        );
        if b.attr("models").is_none() {
            self.missing(&b, "models", "[model.assistant]");
        }
        Access {
            span: b.header,
            models: self.model_refs(&b, "models"),
            aws: self.string_list(&b, "aws"),
            azure: self.string_list(&b, "azure"),
            gcp: self.string_list(&b, "gcp"),
            name,
        }
    }

    pub fn logging(&mut self, block: &Block, file: FileId, name: Spanned<String>) -> Logging {
        let before = self.failures();
        let b = self.body(
            block,
            file,
            format!("logging \"{}\"", name.value),
            &schema::LOGGING,
        );
        let aws = self.single(&b, "aws").map(|sb| {
            let s = self.body(sb, file, "aws".into(), &schema::LOGGING_AWS);
            AwsSink {
                span: s.header,
                bucket: self.req_string(&s, "bucket", "\"my-bedrock-logs\""),
                region: self.req_string(&s, "region", "\"eu-central-1\""),
            }
        });
        let azure = self.single(&b, "azure").map(|sb| {
            let s = self.body(sb, file, "azure".into(), &schema::LOGGING_AZURE);
            AzureSink {
                span: s.header,
                workspace_id: self.req_string(
                    &s,
                    "workspace_id",
                    "\"/subscriptions/.../workspaces/NAME\"",
                ),
                region: self.req_string(&s, "region", "\"westeurope\""),
            }
        });
        let gcp = self.single(&b, "gcp").map(|sb| {
            let s = self.body(sb, file, "gcp".into(), &schema::LOGGING_GCP);
            GcpSink {
                span: s.header,
                bigquery_dataset: self.req_string(&s, "bigquery_dataset", "\"vertex_logs\""),
                location: self.req_string(&s, "location", "\"EU\""),
            }
        });
        let retention_days = self.uint(&b, "retention_days");
        Logging {
            span: b.header,
            incomplete: self.failures() > before,
            retention_days,
            name,
            aws,
            azure,
            gcp,
        }
    }

    pub fn policy(&mut self, block: &Block, file: FileId) -> Policy {
        let b = self.body(block, file, "policy".into(), &schema::POLICY);
        Policy {
            span: b.header,
            require_residency: self.bool(&b, "require_residency"),
            required_tags: self.string_list(&b, "required_tags"),
            min_tiers: self.uint(&b, "min_tiers"),
            failover_across_providers: self.bool(&b, "failover_across_providers"),
            max_monthly_cost_usd: self.number(&b, "max_monthly_cost_usd"),
            retirement_warning_days: self.uint(&b, "retirement_warning_days"),
            allowed_processing: self.string_list_spanned(&b, "allowed_processing"),
            survive_single_failure: self.bool(&b, "survive_single_failure"),
        }
    }

    pub fn emit(&mut self, block: &Block, file: FileId, format: Spanned<String>) -> Emit {
        let b = self.body(
            block,
            file,
            format!("emit \"{}\"", format.value),
            &schema::EMIT,
        );
        Emit {
            span: b.header,
            path: self.req_string(&b, "path", "\"generated/terraform\""),
            language: self.string(&b, "language"),
            format,
        }
    }
}

/// Reports a second definition of a named top-level block.
pub(crate) fn check_unique(
    diags: &mut meridian_diag::Diagnostics,
    seen: &mut HashMap<String, meridian_diag::Span>,
    kind: &str,
    name: &Spanned<String>,
) -> bool {
    if let Some(first) = seen.get(&name.value) {
        diags.push(
            Diagnostic::error(
                codes::SPEC_DUPLICATE,
                format!("{kind} \"{}\" is defined twice", name.value),
            )
            .detail(format!(
                "Names of {kind} blocks are unique across all spec files; rename or remove one."
            ))
            .at(name.span)
            .label(*first, "first defined here"),
        );
        return false;
    }
    seen.insert(name.value.clone(), name.span);
    true
}

pub(crate) fn key_span(file: FileId, attr: &hcl_edit::structure::Attribute) -> meridian_diag::Span {
    attr_key_span(file, attr)
}

pub(crate) fn ident_span(file: FileId, block: &Block) -> meridian_diag::Span {
    span_of(file, &block.ident)
}
