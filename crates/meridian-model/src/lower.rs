//! Lowering: raw decoded blocks → validated IR. Values with a closed set of choices are parsed
//! here, defaults applied, and every target looked up in the catalog; the residency and
//! capability rules run on each target as it is lowered, because that is where the
//! footprint is known.

use crate::ir::{self, FailoverOn, Strategy};
use crate::rules::{capability, catalog_facts, residency};
use crate::Options;
use meridian_catalog::{Billing, Capability, CatalogError, Cloud, Processing, TargetQuery};
use meridian_diag::{codes, did_you_mean, Code, Diagnostic, Diagnostics, Span};
use meridian_spec::{self as raw, Spanned};
use std::collections::BTreeMap;

pub(crate) struct Lowerer<'a> {
    pub opts: &'a Options<'a>,
    pub spec: &'a raw::Spec,
    pub diags: &'a mut Diagnostics,
}

/// Parses a closed-set string value, reporting an invalid one with the choices.
pub(crate) fn parse_choice<T>(
    diags: &mut Diagnostics,
    value: &Spanned<String>,
    attr: &str,
    names: &[&str],
    code: Code,
    parse: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    let parsed = parse(&value.value);
    if parsed.is_none() {
        diags.push(
            Diagnostic::error(code, format!("Invalid {attr} \"{}\"", value.value))
                .detail(format!(
                    "{attr} is one of: {}.{}",
                    names.join(", "),
                    did_you_mean(&value.value, names.iter().copied())
                ))
                .at(value.span),
        );
    }
    parsed
}

pub(crate) const PROCESSING_NAMES: &[&str] = &["region", "geography", "global"];
pub(crate) const BILLING_NAMES: &[&str] = &["on_demand", "provisioned"];
pub(crate) const CAPABILITY_NAMES: &[&str] =
    &["chat", "tools", "vision", "json", "embeddings", "reasoning"];

pub(crate) fn parse_processing(diags: &mut Diagnostics, v: &Spanned<String>) -> Option<Processing> {
    parse_choice(
        diags,
        v,
        "processing",
        PROCESSING_NAMES,
        codes::SPEC_INVALID_VALUE,
        Processing::parse,
    )
}

/// Parses a duration like `30s`, `1.5m`, `500ms`, `2h` into seconds.
pub(crate) fn parse_duration(s: &str) -> Option<f64> {
    let s = s.trim();
    let (num, factor) = if let Some(n) = s.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = s.strip_suffix('h') {
        (n, 3600.0)
    } else {
        return None;
    };
    let n: f64 = num.trim().parse().ok()?;
    (n.is_finite() && n >= 0.0).then_some(n * factor)
}

impl Lowerer<'_> {
    fn duration(&mut self, v: Option<&Spanned<String>>, attr: &str) -> Option<f64> {
        let v = v?;
        let parsed = parse_duration(&v.value);
        if parsed.is_none() {
            self.diags.push(
                Diagnostic::error(
                    codes::SPEC_INVALID_VALUE,
                    format!("Invalid {attr} \"{}\"", v.value),
                )
                .detail("Durations are a number and a unit: ms, s, m or h, e.g. \"30s\".")
                .at(v.span),
            );
        }
        parsed
    }

    pub fn providers(&mut self) -> Vec<ir::Provider> {
        self.spec
            .providers
            .iter()
            .filter_map(|p| {
                let cloud = Cloud::parse(&p.cloud.value)?;
                let s = |v: &Option<Spanned<String>>| v.as_ref().map(|x| x.value.clone());
                Some(ir::Provider {
                    cloud,
                    name: p.name.value.clone(),
                    address: p.key(),
                    subscription_id: s(&p.subscription_id),
                    resource_group: s(&p.resource_group),
                    tenant_id: s(&p.tenant_id),
                    account_id: s(&p.account_id),
                    partition: s(&p.partition),
                    project: s(&p.project),
                    endpoint: s(&p.endpoint),
                    network: ir::Network {
                        public_access: p
                            .network
                            .as_ref()
                            .and_then(|n| n.public_access.as_ref())
                            .is_some_and(|b| b.value),
                        private_endpoint_subnet_id: p
                            .network
                            .as_ref()
                            .and_then(|n| s(&n.private_endpoint_subnet_id)),
                        allowed_ips: p
                            .network
                            .as_ref()
                            .map(|n| n.allowed_ips.iter().map(|i| i.value.clone()).collect())
                            .unwrap_or_default(),
                    },
                    encryption_key_id: p.encryption.as_ref().and_then(|e| s(&e.key_id)),
                    waivers: p
                        .waivers
                        .iter()
                        .map(|w| ir::Waiver {
                            check: w.check.value.clone(),
                            reason: w
                                .reason
                                .as_ref()
                                .map(|r| r.value.clone())
                                .unwrap_or_default(),
                        })
                        .collect(),
                })
            })
            .collect()
    }

    pub fn residencies(&mut self) -> Vec<ir::Residency> {
        let catalog = self.opts.catalog;
        let mut out = Vec::new();
        for r in &self.spec.residencies {
            let reported = self.diags.len();
            let mut allowed: Vec<String> = Vec::new();
            for g in &r.geographies {
                match catalog.geography(&g.value) {
                    Some(geo) => allowed.extend(geo.countries.iter().cloned()),
                    None => {
                        let codes_known: Vec<&str> =
                            catalog.geographies().map(|g| g.code.as_str()).collect();
                        let lower = g.value.to_lowercase();
                        let hint = if catalog.geography(&lower).is_some() {
                            format!(" Geography codes are lower-case: \"{lower}\".")
                        } else {
                            did_you_mean(&g.value, codes_known.iter().copied())
                        };
                        self.diags.push(
                            Diagnostic::error(
                                codes::RES_UNKNOWN_GEOGRAPHY,
                                format!("Unknown geography \"{}\"", g.value),
                            )
                            .detail(format!(
                                "Geographies are: {}.{hint}",
                                codes_known.join(", ")
                            ))
                            .at(g.span),
                        );
                    }
                }
            }
            for c in &r.countries {
                if catalog.is_country(&c.value) {
                    allowed.push(c.value.clone());
                } else {
                    let upper = c.value.to_uppercase();
                    let hint = if upper == "UK" {
                        " The ISO code of the United Kingdom is \"GB\".".to_string()
                    } else if upper == "EL" {
                        " The ISO code of Greece is \"GR\".".to_string()
                    } else if catalog.is_country(&upper) {
                        format!(" Country codes are upper-case: \"{upper}\".")
                    } else {
                        String::new()
                    };
                    self.diags.push(
                        Diagnostic::error(
                            codes::RES_UNKNOWN_GEOGRAPHY,
                            format!("Unknown country code \"{}\"", c.value),
                        )
                        .detail(format!(
                            "Countries are ISO 3166-1 alpha-2 codes such as DE, FR or SE.{hint}"
                        ))
                        .at(c.span),
                    );
                }
            }
            for d in &r.deny_regions {
                if !Cloud::ALL
                    .iter()
                    .any(|c| catalog.region(*c, &d.value).is_some())
                {
                    let all: Vec<&str> = catalog.regions(None).map(|r| r.id.as_str()).collect();
                    self.diags.push(
                        Diagnostic::error(codes::CAT_UNKNOWN_REGION, format!("Unknown region \"{}\" in deny_regions", d.value))
                            .detail(format!(
                                "deny_regions lists region ids of any cloud, as in `meridian catalog regions`.{}",
                                did_you_mean(&d.value, all.iter().copied())
                            ))
                            .at(d.span),
                    );
                }
            }
            allowed.sort();
            allowed.dedup();
            let processing = r
                .processing
                .as_ref()
                .and_then(|p| parse_processing(self.diags, p))
                .unwrap_or(Processing::Global);
            if r.incomplete || self.diags.len() > reported {
                // A rule with an unknown code or a failed value would judge targets against
                // the wrong set of countries; it is reported and left out of the model.
                continue;
            }
            out.push(ir::Residency {
                name: r.name.value.clone(),
                geographies: r.geographies.iter().map(|g| g.value.clone()).collect(),
                countries: r.countries.iter().map(|c| c.value.clone()).collect(),
                allowed_countries: allowed,
                deny_regions: r.deny_regions.iter().map(|d| d.value.clone()).collect(),
                processing,
            });
        }
        out
    }

    fn capabilities(
        &mut self,
        list: &[Spanned<String>],
        attr: &str,
        allow_context: bool,
    ) -> (Vec<Capability>, bool) {
        let mut caps = Vec::new();
        let mut context = false;
        for c in list {
            if allow_context && c.value == "context" {
                context = true;
                continue;
            }
            let names: Vec<&str> = if allow_context {
                CAPABILITY_NAMES
                    .iter()
                    .copied()
                    .chain(std::iter::once("context"))
                    .collect()
            } else {
                CAPABILITY_NAMES.to_vec()
            };
            let code = if allow_context {
                codes::MOD_DEGRADE
            } else {
                codes::SPEC_INVALID_VALUE
            };
            if let Some(cap) = parse_choice(self.diags, c, attr, &names, code, Capability::parse) {
                if caps.contains(&cap) {
                    self.diags.push(
                        Diagnostic::warning(
                            codes::SPEC_DUPLICATE,
                            format!("\"{}\" is listed twice in {attr}", c.value),
                        )
                        .detail("Remove the repeated entry.")
                        .at(c.span),
                    );
                } else {
                    caps.push(cap);
                }
            }
        }
        (caps, context)
    }

    pub fn models(&mut self, residencies: &[ir::Residency]) -> Vec<ir::Model> {
        let mut out = Vec::with_capacity(self.spec.models.len());
        for m in &self.spec.models {
            let (capabilities, _) = self.capabilities(&m.capabilities, "capability", false);
            let (degrade, degrade_context) = self.capabilities(&m.degrade, "degrade entry", true);
            let strategy = m
                .strategy
                .as_ref()
                .and_then(|s| {
                    parse_choice(
                        self.diags,
                        s,
                        "strategy",
                        Strategy::NAMES,
                        codes::SPEC_INVALID_VALUE,
                        Strategy::parse,
                    )
                })
                .unwrap_or(Strategy::Priority);
            let rule = m.residency.as_ref().and_then(|r| {
                let ir = residencies.iter().find(|x| x.name == r.value)?;
                let raw = self
                    .spec
                    .residencies
                    .iter()
                    .find(|x| x.name.value == r.value)?;
                Some((ir, raw, r.span))
            });
            if m.tiers.iter().all(|t| t.targets.is_empty()) {
                self.diags.push(
                    Diagnostic::error(codes::MOD_NO_TIERS, format!("Model \"{}\" has no targets", m.name.value))
                        .detail("Add a tier with at least one target: tier \"primary\" { target \"NAME\" { ... } }.")
                        .at(m.span),
                );
            }
            let model_ctx = ModelCtx {
                raw: m,
                capabilities: &capabilities,
                degrade: &degrade,
                degrade_context,
                rule,
            };
            let mut tiers = Vec::with_capacity(m.tiers.len());
            for (i, t) in m.tiers.iter().enumerate() {
                let position = u32::try_from(i + 1).unwrap_or(u32::MAX);
                if t.targets.is_empty() {
                    self.diags.push(
                        Diagnostic::error(
                            codes::MOD_NO_TIERS,
                            format!("Tier \"{}\" has no targets", t.name.value),
                        )
                        .detail("Add at least one target to the tier, or remove it.")
                        .at(t.span),
                    );
                }
                let weighted = t.targets.iter().filter(|x| x.weight.is_some()).count();
                if weighted > 0 && weighted < t.targets.len() {
                    if let Some(unweighted) = t.targets.iter().find(|x| x.weight.is_none()) {
                        self.diags.push(
                            Diagnostic::error(
                                codes::MOD_CAPACITY,
                                format!("Target \"{}\" has no weight while others in tier \"{}\" do", unweighted.name.value, t.name.value),
                            )
                            .detail("Give every target of the tier a weight, or none (equal shares). A router gives a deployment without a weight no traffic when its peers have one.")
                            .at(unweighted.span),
                        );
                    }
                }
                let targets = t
                    .targets
                    .iter()
                    .filter_map(|target| self.target(&model_ctx, t, position, target))
                    .collect();
                tiers.push(ir::Tier {
                    name: t.name.value.clone(),
                    position,
                    targets,
                });
            }
            let failover = m.failover.as_ref().map(|f| ir::Failover {
                on: f
                    .on
                    .iter()
                    .filter_map(|o| {
                        parse_choice(
                            self.diags,
                            o,
                            "failover condition",
                            FailoverOn::NAMES,
                            codes::SPEC_INVALID_VALUE,
                            FailoverOn::parse,
                        )
                    })
                    .collect(),
                retries: f.retries.as_ref().map(|r| r.value),
                timeout_seconds: self.duration(f.timeout.as_ref(), "timeout"),
                cooldown_seconds: self.duration(f.cooldown.as_ref(), "cooldown"),
            });
            let usage = m.usage.as_ref().map(|u| ir::Usage {
                input_tokens_per_month: u.input_tokens_per_month.as_ref().map_or(0, |v| v.value),
                output_tokens_per_month: u.output_tokens_per_month.as_ref().map_or(0, |v| v.value),
            });
            out.push(ir::Model {
                name: m.name.value.clone(),
                description: m.description.as_ref().map(|d| d.value.clone()),
                task: m.task.as_ref().map(|d| d.value.clone()),
                capabilities,
                context: m.context.as_ref().map(|c| c.value),
                residency: m.residency.as_ref().map(|r| r.value.clone()),
                strategy,
                degrade,
                degrade_context,
                tiers,
                failover,
                usage,
                azure_rai_policy: m
                    .azure
                    .as_ref()
                    .and_then(|a| a.rai_policy.as_ref())
                    .map(|r| r.value.clone()),
                aws_guardrail: m
                    .aws
                    .as_ref()
                    .and_then(|a| a.guardrail.as_ref())
                    .map(|r| r.value.clone()),
            });
        }
        out
    }

    fn target(
        &mut self,
        mc: &ModelCtx<'_>,
        tier: &raw::Tier,
        position: u32,
        t: &raw::Target,
    ) -> Option<ir::Target> {
        if t.incomplete {
            // An attribute failed to evaluate and was reported; checking the rest against
            // defaults would only produce false findings.
            return None;
        }
        let processing = match &t.processing {
            Some(p) => parse_processing(self.diags, p)?,
            None => Processing::Region,
        };
        let billing = match &t.billing {
            Some(b) => parse_choice(
                self.diags,
                b,
                "billing",
                BILLING_NAMES,
                codes::SPEC_INVALID_VALUE,
                Billing::parse,
            )?,
            None => Billing::OnDemand,
        };
        if let Some(w) = t.weight.as_ref().filter(|w| w.value == 0) {
            self.diags.push(
                Diagnostic::error(codes::MOD_CAPACITY, "Weight must be at least 1")
                    .detail("A target with no share of traffic serves nothing; remove it or give it a weight ≥ 1.")
                    .at(w.span),
            );
        }
        if let Some(c) = t.capacity.as_ref().filter(|c| c.value == 0) {
            self.diags.push(
                Diagnostic::error(codes::MOD_CAPACITY, "Capacity must be at least 1")
                    .detail("Capacity is thousands of tokens per minute on Azure and model units for provisioned AWS throughput.")
                    .at(c.span),
            );
        }
        if billing == Billing::Provisioned && t.capacity.is_none() {
            self.diags.push(
                Diagnostic::error(codes::MOD_CAPACITY, format!("Provisioned target \"{}\" needs a capacity", t.name.value))
                    .detail("Provisioned billing reserves capacity: give capacity (Azure PTUs, AWS model units).")
                    .at(t.billing.as_ref().map_or(t.span, |b| b.span)),
            );
        }
        let provider = t.provider.as_ref()?;
        let cloud = Cloud::parse(&provider.value.cloud)?;
        let model = t.model.as_ref()?;
        let region = t.region.as_ref()?;
        let query = TargetQuery {
            cloud,
            model: &model.value,
            version: t.version.as_ref().map(|v| v.value.as_str()),
            region: &region.value,
            processing,
            billing,
        };
        let catalog = self.opts.catalog;
        let footprint = match catalog.footprint(&query) {
            Ok(f) => f,
            Err(e) => {
                self.catalog_error(&e, cloud, t, processing, billing);
                return None;
            }
        };
        let address = format!(
            "model.{}.tier.{}.target.{}",
            mc.raw.name.value, tier.name.value, t.name.value
        );
        let ir_target = ir::Target {
            name: t.name.value.clone(),
            address,
            provider: format!("{}.{}", provider.value.cloud, provider.value.name),
            cloud,
            model: model.value.clone(),
            version: t.version.as_ref().map(|v| v.value.clone()),
            region: region.value.clone(),
            processing,
            billing,
            capacity: t.capacity.as_ref().map(|c| c.value),
            weight: t.weight.as_ref().map_or(1, |w| w.value),
            footprint: ir::Footprint::from_catalog(&footprint),
        };
        if let Some((rule, raw_rule, ref_span)) = mc.rule {
            residency::check_target(self.diags, rule, raw_rule, ref_span, t, &ir_target);
        }
        catalog_facts::check_unverified(self.diags, t, &ir_target, &footprint);
        if let Some(entry) = catalog.model(cloud, &model.value) {
            catalog_facts::check_deprecated(self.diags, t, &ir_target, entry, self.opts.today);
            capability::check_target(self.diags, mc, position, t, entry);
        }
        Some(ir_target)
    }

    fn catalog_error(
        &mut self,
        e: &CatalogError,
        cloud: Cloud,
        t: &raw::Target,
        processing: Processing,
        billing: Billing,
    ) {
        let model = t.model.as_ref().map_or("", |m| m.value.as_str());
        let region = t.region.as_ref().map_or("", |r| r.value.as_str());
        let at = |v: &Option<Spanned<String>>| v.as_ref().map_or(t.span, |x| x.span);
        let cloud_name = cloud.as_str();
        let d = match e {
            CatalogError::UnknownModel { suggestion } => Diagnostic::error(
                codes::CAT_UNKNOWN_MODEL,
                format!("Unknown {cloud_name} model \"{model}\""),
            )
            .detail(format!(
                "The catalog has no {cloud_name} model with this id.{} List them with `meridian catalog models --provider {cloud_name}`, or add one with a catalog overlay.",
                suggestion.as_ref().map(|s| format!(" Did you mean \"{s}\"?")).unwrap_or_default()
            ))
            .at(at(&t.model)),
            CatalogError::UnknownRegion { suggestion } => Diagnostic::error(
                codes::CAT_UNKNOWN_REGION,
                format!("Unknown {cloud_name} region \"{region}\""),
            )
            .detail(format!(
                "The catalog has no {cloud_name} region with this id.{} List them with `meridian catalog regions --provider {cloud_name}`.",
                suggestion.as_ref().map(|s| format!(" Did you mean \"{s}\"?")).unwrap_or_default()
            ))
            .at(at(&t.region)),
            CatalogError::UnknownVersion { known } => Diagnostic::error(
                codes::CAT_UNKNOWN_VERSION,
                format!(
                    "Unknown version \"{}\" of {model}",
                    t.version.as_ref().map_or("", |v| v.value.as_str())
                ),
            )
            .detail(format!("Known versions: {}.", known.join(", ")))
            .at(at(&t.version)),
            CatalogError::VersionRequired { known } => Diagnostic::error(
                codes::CAT_VERSION_REQUIRED,
                format!("Target \"{}\" must pin a version of {model}", t.name.value),
            )
            .detail(format!(
                "Azure deployments pin a model version (and never auto-upgrade). Add version = \"{}\"{}.",
                known.last().map_or("VERSION", String::as_str),
                if known.len() > 1 { format!("; known versions: {}", known.join(", ")) } else { String::new() }
            ))
            .at(t.span),
            CatalogError::VersionNotApplicable => Diagnostic::error(
                codes::CAT_UNKNOWN_VERSION,
                format!("{model} has no separate versions"),
            )
            .detail("On this cloud the version is part of the model id; remove `version`.")
            .at(at(&t.version)),
            CatalogError::Retired { version, date, replacement } => Diagnostic::error(
                codes::CAT_RETIRED,
                format!(
                    "{model}{} is retired",
                    version.as_ref().map(|v| format!(" version {v}")).unwrap_or_default()
                ),
            )
            .detail(format!(
                "The provider retired it{}; calls fail. {}",
                date.as_ref().map(|d| format!(" on {d}")).unwrap_or_default(),
                match replacement {
                    Some(r) => format!("The provider names {r} as its replacement (`meridian catalog show {r}`)."),
                    None => format!("Move to a current version (`meridian catalog show {model}`)."),
                }
            ))
            .at(if t.version.is_some() { at(&t.version) } else { at(&t.model) }),
            CatalogError::NotOffered { processing: p, offered_regions, offered_processing } => {
                let mut detail = if offered_regions.is_empty() {
                    format!("{model} is not offered with processing = \"{}\" anywhere.", p.as_str())
                } else {
                    format!(
                        "With processing = \"{}\", {model} is offered in: {}.",
                        p.as_str(),
                        offered_regions.join(", ")
                    )
                };
                if !offered_processing.is_empty() {
                    let modes: Vec<&str> = offered_processing.iter().map(|p| p.as_str()).collect();
                    detail.push_str(&format!(" Processing modes it has: {}.", modes.join(", ")));
                }
                Diagnostic::error(
                    codes::CAT_NOT_OFFERED,
                    format!("{model} is not offered in {region} with processing = \"{}\"", p.as_str()),
                )
                .detail(detail)
                .at(at(&t.region))
            }
            CatalogError::NotInRegion { geography_profiles } => Diagnostic::error(
                codes::CAT_NOT_IN_REGION,
                format!("{model} cannot be called in-region"),
            )
            .detail(format!(
                "The model has no in-region (bare model id) access on {cloud_name}; it is served only through inference profiles{}. Use processing = \"geography\" and check the profile's footprint against your residency rule.",
                if geography_profiles.is_empty() { String::new() } else { format!(" ({})", geography_profiles.join(", ")) }
            ))
            .at(at(&t.processing)),
            CatalogError::BillingNotOffered { offered } => {
                let names: Vec<&str> = offered.iter().map(|b| b.as_str()).collect();
                Diagnostic::error(
                    codes::CAT_BILLING,
                    format!("{model} is not offered with billing = \"{}\" in {region} ({} processing)", billing.as_str(), processing.as_str()),
                )
                .detail(format!("Billing modes offered there: {}.", names.join(", ")))
                .at(at(&t.billing))
            }
        };
        self.diags.push(d);
    }

    pub fn access(&mut self) -> Vec<ir::Access> {
        let list = |v: &[Spanned<String>]| v.iter().map(|x| x.value.clone()).collect();
        self.spec
            .access
            .iter()
            .map(|a| ir::Access {
                name: a.name.value.clone(),
                models: list(&a.models),
                aws: list(&a.aws),
                azure: list(&a.azure),
                gcp: list(&a.gcp),
            })
            .collect()
    }

    pub fn logging(&mut self) -> Vec<ir::Logging> {
        let s = |v: &Option<Spanned<String>>| v.as_ref().map(|x| x.value.clone());
        self.spec
            .logging
            .iter()
            .map(|l| ir::Logging {
                name: l.name.value.clone(),
                retention_days: l.retention_days.as_ref().map(|r| r.value),
                aws: l.aws.as_ref().and_then(|x| {
                    Some(ir::AwsSink {
                        bucket: s(&x.bucket)?,
                        region: s(&x.region)?,
                    })
                }),
                azure: l.azure.as_ref().and_then(|x| {
                    Some(ir::AzureSink {
                        workspace_id: s(&x.workspace_id)?,
                        region: s(&x.region)?,
                    })
                }),
                gcp: l.gcp.as_ref().and_then(|x| {
                    Some(ir::GcpSink {
                        bigquery_dataset: s(&x.bigquery_dataset)?,
                        location: s(&x.location)?,
                    })
                }),
            })
            .collect()
    }

    pub fn policy(&mut self) -> ir::Policy {
        let Some(p) = &self.spec.policy else {
            return ir::Policy::default();
        };
        let flag = |b: &Option<Spanned<bool>>| b.as_ref().is_some_and(|x| x.value);
        let allowed_processing = p.allowed_processing.as_ref().map(|list| {
            list.value
                .iter()
                .filter_map(|v| parse_processing(self.diags, v))
                .collect()
        });
        ir::Policy {
            require_residency: flag(&p.require_residency),
            required_tags: p.required_tags.iter().map(|t| t.value.clone()).collect(),
            min_tiers: p.min_tiers.as_ref().map(|v| v.value),
            failover_across_providers: flag(&p.failover_across_providers),
            max_monthly_cost_usd: p.max_monthly_cost_usd.as_ref().map(|v| v.value),
            retirement_warning_days: p.retirement_warning_days.as_ref().map(|v| v.value),
            allowed_processing,
            survive_single_failure: flag(&p.survive_single_failure),
        }
    }

    pub fn emits(&mut self) -> Vec<ir::Emit> {
        self.spec
            .emits
            .iter()
            .filter_map(|e| {
                Some(ir::Emit {
                    format: ir::EmitFormat::parse(&e.format.value)?,
                    path: e.path.as_ref()?.value.clone(),
                    language: e.language.as_ref().map(|l| l.value.clone()),
                })
            })
            .collect()
    }

    pub fn project_header(&mut self) -> (String, BTreeMap<String, String>) {
        match &self.spec.meridian {
            Some(m) => (
                m.name.as_ref().map(|n| n.value.clone()).unwrap_or_default(),
                m.default_tags
                    .iter()
                    .map(|(k, v)| (k.value.clone(), v.value.clone()))
                    .collect(),
            ),
            None => {
                let span = self.spec.files.first().map(|f| Span::new(*f, 0, 0));
                self.diags.push(
                    Diagnostic::error(codes::SPEC_MISSING_BLOCK, "The spec has no meridian block")
                        .detail("Add meridian { name = \"my-project\" } to one spec file: its name prefixes every generated resource.")
                        .at_opt(span),
                );
                (String::new(), BTreeMap::new())
            }
        }
    }
}

/// What the per-target rules need to know about the model being lowered.
pub(crate) struct ModelCtx<'a> {
    pub raw: &'a raw::Model,
    pub capabilities: &'a [Capability],
    pub degrade: &'a [Capability],
    pub degrade_context: bool,
    pub rule: Option<(&'a ir::Residency, &'a raw::Residency, Span)>,
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Some(30.0));
        assert_eq!(parse_duration("500ms"), Some(0.5));
        assert_eq!(parse_duration("2m"), Some(120.0));
        assert_eq!(parse_duration("1h"), Some(3600.0));
        assert_eq!(parse_duration("30"), None);
        assert_eq!(parse_duration("-1s"), None);
        assert_eq!(parse_duration("s"), None);
    }
}
