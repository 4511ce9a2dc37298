//! Checking the catalog against the clouds (`meridian catalog verify`).
//!
//! [`read`] asks each provider block's own account, in every region of its scope, what the
//! provider offers there. It runs on the refresh's request engine (credentials, bounded
//! concurrency, retries with backoff, pagination, timeouts, the deadline, secrets scrubbed
//! from errors):
//!
//! - **Amazon Bedrock**, per region: `ListFoundationModels` (`GET /foundation-models`: each
//!   model's `inferenceTypesSupported` and `modelLifecycle.status`), `ListInferenceProfiles`
//!   with `type=SYSTEM_DEFINED` (`nextToken` pages) and, for every geographic profile of a
//!   catalog model, `GetInferenceProfile` (`GET /inference-profiles/{id}`), whose
//!   `models[].modelArn` name the regions a call from this source region may be processed in.
//! - **Azure**, per location: `GET /subscriptions/{sub}/providers/Microsoft.CognitiveServices/
//!   locations/{location}/models` (`nextLink` pages): per model version its
//!   `lifecycleStatus`, `deprecation.inference` and deployment types (`skus[].name`, each
//!   with its `deprecationDate`).
//! - **Vertex AI**, per location and catalog model: `GET /v1beta1/publishers/{publisher}/
//!   models/{model}` at the location's endpoint; Google's `404 NOT_FOUND` means the model is
//!   not offered there.
//!
//! [`compare`] lays what was read over the catalog and lists every [`Difference`], an error
//! when it changes a footprint or what can be deployed (and so a verdict), a warning
//! otherwise; [`overlay`] turns the differences into a catalog overlay file.
//!
//! # The fields read, as the references give them
//!
//! - Bedrock `ListFoundationModels` (docs.aws.amazon.com/bedrock/latest/APIReference/
//!   API_ListFoundationModels.html, `FoundationModelSummary`): `modelSummaries[].modelId`,
//!   `inferenceTypesSupported` (`ON_DEMAND` | `PROVISIONED`; `INFERENCE_PROFILE`, which
//!   accounts also answer, is taken as "callable through a profile" and changes no offer),
//!   `modelLifecycle.status` (`ACTIVE` | `LEGACY`); not paged. Context-length variants
//!   (`amazon.nova-pro-v1:0:300k`) count for their model's provisioned offer.
//! - Bedrock `ListInferenceProfiles` (URI parameter `type` for `typeEquals`, `maxResults`,
//!   `nextToken`; `inferenceProfileSummaries[].inferenceProfileId`, `type`) and
//!   `GetInferenceProfile` (`GET /inference-profiles/{inferenceProfileIdentifier}`:
//!   `models[].modelArn`, whose fourth field is the region). Global profiles are taken as
//!   present in the region; their destinations are not compared (the catalog holds them as
//!   every commercial region).
//! - Azure `Models - List` (learn.microsoft.com/rest/api/aiservices/accountmanagement/models/
//!   list, `api-version=2024-10-01`): `value[].model{format, name, version, lifecycleStatus,
//!   deprecation{inference}, skus[]{name, deprecationDate}}` and `nextLink`.
//!   `lifecycleStatus` values: `GenerallyAvailable`, `Stable`, `Preview`, `Legacy`,
//!   `Deprecating`, `Deprecated` (the SDKs' `ModelLifecycleStatus`).
//! - Vertex AI `publishers.models.get` (`v1beta1`, `PublisherModel`): `name`,
//!   `launchStage` (`EXPERIMENTAL`, `PRIVATE_PREVIEW`, `PUBLIC_PREVIEW`, `GA`). Regions are
//!   asked at `{location}-aiplatform.googleapis.com`, the multi-regions at
//!   `aiplatform.{eu,us}.rep.googleapis.com`, `global` at `aiplatform.googleapis.com`.

mod azure;
mod bedrock;
mod compare;
mod overlay;
mod vertex;

pub use compare::{compare, Difference, DifferenceKind, OfferKey, Severity};
pub use overlay::{overlay, Overlay};

use crate::http::{self, Ctx};
use crate::{Credentials, Options, Progress, ProviderScope, RefreshFailure};
use meridian_catalog::{azure_sku, Billing, Catalog, Cloud, Processing};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// One model a Bedrock region lists (`ListFoundationModels`).
#[derive(Debug, Clone)]
pub(crate) struct BedrockModel {
    pub(crate) id: String,
    pub(crate) inference_types: Vec<String>,
    pub(crate) status: Option<String>,
}

/// One model version an Azure location lists.
#[derive(Debug, Clone)]
pub(crate) struct AzureModel {
    pub(crate) format: Option<String>,
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) status: Option<String>,
    /// `deprecation.inference`, as YYYY-MM-DD.
    pub(crate) retirement: Option<String>,
    /// `skus[]`: name and `deprecationDate` (YYYY-MM-DD).
    pub(crate) skus: Vec<(String, Option<String>)>,
}

/// What one request told about the catalog's subject, as the request handlers record it.
#[derive(Debug, Clone)]
pub(crate) enum Fact {
    /// `ListFoundationModels` of a region.
    BedrockModels {
        provider: String,
        region: String,
        source: String,
        models: Vec<BedrockModel>,
    },
    /// A system-defined inference profile callable from a region; its destinations when
    /// they were read (`GetInferenceProfile`).
    BedrockProfile {
        provider: String,
        region: String,
        source: String,
        id: String,
        destinations: Option<BTreeSet<String>>,
    },
    /// One page of an Azure location's model list.
    AzureModels {
        provider: String,
        region: String,
        source: String,
        models: Vec<AzureModel>,
    },
    /// A Vertex AI publisher model asked for at a location: found (with its launch stage)
    /// or not.
    VertexModel {
        provider: String,
        region: String,
        source: String,
        model: String,
        found: bool,
        launch_stage: Option<String>,
    },
}

/// A model, and for Azure one of its versions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModelKey {
    /// The provider's model id (Azure: the model name).
    pub id: String,
    /// Azure: the model version; `None` elsewhere.
    pub version: Option<String>,
}

/// What a region offers of one model, as its provider's API says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveModel {
    /// The lifecycle status as the API writes it (`ACTIVE`, `GenerallyAvailable`, `GA`).
    pub status: Option<String>,
    /// Azure: the model format (`OpenAI`, ...).
    pub format: Option<String>,
    /// In-region, data-zone and global offers: (processing, billing). Bedrock: in-region
    /// on-demand and provisioned, and `global.` (global, on-demand); Azure: the deployment
    /// types; Vertex AI: the location's processing (a region, a multi-region or `global`).
    pub offers: BTreeSet<(Processing, Billing)>,
    /// Bedrock: the geographic profiles callable from the region, by prefix, with the
    /// regions they may process in.
    pub profiles: BTreeMap<String, BTreeSet<String>>,
    /// Azure: the date inference ends (`deprecation.inference`), YYYY-MM-DD.
    pub retirement: Option<String>,
    /// Azure: deployment type → its deprecation date (YYYY-MM-DD).
    pub sku_dates: BTreeMap<String, String>,
    /// The URL of the request that told about each offer.
    pub offer_sources: BTreeMap<(Processing, Billing), String>,
    /// The URL of the request that told about each profile's destinations, by prefix.
    pub profile_sources: BTreeMap<String, String>,
    /// The URL of the request that listed the model.
    pub source: String,
}

impl LiveModel {
    /// Whether the two say the same about the model (the URLs they were read from aside).
    fn same_facts(&self, other: &LiveModel) -> bool {
        self.status == other.status
            && self.offers == other.offers
            && self.profiles == other.profiles
            && self.retirement == other.retirement
            && self.sku_dates == other.sku_dates
    }
}

/// What one region (or Google location) of one provider block offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveRegion {
    /// The provider block's address, e.g. `aws.corp`.
    pub provider: String,
    pub cloud: Cloud,
    /// The AWS account, Azure subscription or Google Cloud project it was read with.
    pub account: String,
    pub region: String,
    pub models: BTreeMap<ModelKey, LiveModel>,
    /// The URL read for each list of the region (`foundation-models`,
    /// `inference-profiles`, `models`) and, for Vertex AI, for each model asked for.
    pub sources: BTreeMap<String, String>,
}

impl LiveRegion {
    /// "AWS account 123456789012 (aws.corp)".
    pub fn account_label(&self) -> String {
        account_label(self.cloud, &self.account, &self.provider)
    }
}

/// "AWS account 123456789012 (aws.corp)", "Azure subscription … (azure.corp)", "Google
/// Cloud project … (gcp.corp)".
pub fn account_label(cloud: Cloud, account: &str, provider: &str) -> String {
    let kind = match cloud {
        Cloud::Aws => "AWS account",
        Cloud::Azure => "Azure subscription",
        Cloud::Gcp => "Google Cloud project",
    };
    if account.is_empty() {
        format!("{kind} of {provider}")
    } else {
        format!("{kind} {account} ({provider})")
    }
}

/// What [`read`] found.
#[derive(Debug, Clone, Default)]
pub struct Reading {
    /// One per provider block and region read, in scope order.
    pub regions: Vec<LiveRegion>,
    /// HTTP requests made, retries included.
    pub requests: usize,
}

/// The account a scope reads with: AWS account id, Azure subscription, Google project.
pub fn account_of(scope: &ProviderScope) -> String {
    match scope.cloud {
        Cloud::Aws => scope.account_id.clone(),
        Cloud::Azure => scope.subscription_id.clone(),
        Cloud::Gcp => scope.project.clone(),
    }
    .unwrap_or_default()
}

/// What the readers need to know of the catalog: which Bedrock profiles to read in full,
/// which Vertex AI models to ask for.
pub(crate) struct Plan {
    pub(crate) aws_models: BTreeSet<String>,
    pub(crate) gcp_models: Vec<String>,
}

impl Plan {
    fn of(catalog: &Catalog) -> Plan {
        Plan {
            aws_models: catalog
                .models(Some(Cloud::Aws))
                .map(|m| m.id.clone())
                .collect(),
            gcp_models: catalog
                .models(Some(Cloud::Gcp))
                .map(|m| m.id.clone())
                .collect(),
        }
    }
}

/// Reads, for every scope and region, what the provider offers there (see the module
/// documentation). Blocking: runs its own tokio runtime. Any request that fails after
/// retries fails the whole read with every error (provider, region, request, reason): a
/// region that could not be read is never taken for one without differences.
pub fn read(
    scopes: &[ProviderScope],
    catalog: &Catalog,
    creds: &Credentials,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<Reading, RefreshFailure> {
    let plan = Arc::new(Plan::of(catalog));
    let start = |ctx: &Arc<Ctx>, scope: &ProviderScope| match scope.cloud {
        Cloud::Aws => bedrock::start(ctx, scope, &plan),
        Cloud::Azure => azure::start(ctx, scope),
        Cloud::Gcp => vertex::start(ctx, scope, &plan),
    };
    let collected = http::run_with(scopes, creds, opts, progress, &start)?;
    Ok(Reading {
        regions: assemble(catalog, scopes, collected.facts),
        requests: collected.requests,
    })
}

/// The processing of a Vertex AI location: a region, a multi-region (`eu`, `us`) or
/// `global`.
pub(crate) fn gcp_processing(catalog: &Catalog, location: &str) -> Processing {
    if location == "global" {
        Processing::Global
    } else if catalog.multi_regions().any(|m| m == location) {
        Processing::Geography
    } else {
        Processing::Region
    }
}

/// The (processing, billing) of an Azure deployment type the catalog models.
pub(crate) fn azure_offer(sku: &str) -> Option<(Processing, Billing)> {
    Processing::ALL
        .into_iter()
        .flat_map(|p| Billing::ALL.into_iter().map(move |b| (p, b)))
        .find(|(p, b)| azure_sku(*p, *b) == sku)
}

/// The facts recorded, gathered per provider block and region (every region of the scopes,
/// also those that offer nothing).
fn assemble(catalog: &Catalog, scopes: &[ProviderScope], facts: Vec<Fact>) -> Vec<LiveRegion> {
    let mut regions: Vec<LiveRegion> = Vec::new();
    let mut index: BTreeMap<(String, String), usize> = BTreeMap::new();
    for scope in scopes {
        for region in &scope.regions {
            index.insert((scope.address.clone(), region.clone()), regions.len());
            regions.push(LiveRegion {
                provider: scope.address.clone(),
                cloud: scope.cloud,
                account: account_of(scope),
                region: region.clone(),
                models: BTreeMap::new(),
                sources: BTreeMap::new(),
            });
        }
    }
    let key = |id: &str, version: Option<&str>| ModelKey {
        id: id.to_owned(),
        version: version.map(str::to_owned),
    };
    for fact in facts {
        let (provider, region) = match &fact {
            Fact::BedrockModels {
                provider, region, ..
            }
            | Fact::BedrockProfile {
                provider, region, ..
            }
            | Fact::AzureModels {
                provider, region, ..
            }
            | Fact::VertexModel {
                provider, region, ..
            } => (provider.clone(), region.clone()),
        };
        let Some(&at) = index.get(&(provider, region)) else {
            continue;
        };
        let live = &mut regions[at];
        match fact {
            Fact::BedrockModels { source, models, .. } => {
                live.sources
                    .insert("foundation-models".into(), source.clone());
                let ids: BTreeSet<&str> = models.iter().map(|m| m.id.as_str()).collect();
                for m in &models {
                    // `amazon.nova-pro-v1:0:300k`: a context-length variant of a listed model,
                    // offered for provisioned throughput.
                    let variant_of = (m.id.matches(':').count() >= 2)
                        .then(|| m.id.rsplit_once(':').map(|(base, _)| base))
                        .flatten()
                        .filter(|base| ids.contains(base));
                    let entry = live
                        .models
                        .entry(key(variant_of.unwrap_or(&m.id), None))
                        .or_default();
                    if variant_of.is_none() {
                        entry.status.clone_from(&m.status);
                        entry.source.clone_from(&source);
                    }
                    for t in &m.inference_types {
                        let offer = match t.as_str() {
                            "ON_DEMAND" if variant_of.is_none() => {
                                (Processing::Region, Billing::OnDemand)
                            }
                            "PROVISIONED" => (Processing::Region, Billing::Provisioned),
                            _ => continue,
                        };
                        entry.offers.insert(offer);
                        entry.offer_sources.insert(offer, source.clone());
                    }
                }
            }
            Fact::BedrockProfile {
                source,
                id,
                destinations,
                ..
            } => {
                if destinations.is_none() {
                    live.sources
                        .insert("inference-profiles".into(), source.clone());
                }
                let Some((prefix, model)) = id.split_once('.') else {
                    continue;
                };
                let entry = live.models.entry(key(model, None)).or_default();
                if entry.source.is_empty() {
                    entry.source.clone_from(&source);
                }
                if prefix == "global" {
                    let offer = (Processing::Global, Billing::OnDemand);
                    entry.offers.insert(offer);
                    entry.offer_sources.insert(offer, source);
                } else {
                    entry
                        .profiles
                        .insert(prefix.to_owned(), destinations.unwrap_or_default());
                    entry.profile_sources.insert(prefix.to_owned(), source);
                }
            }
            Fact::AzureModels { source, models, .. } => {
                live.sources.insert("models".into(), source.clone());
                for m in models {
                    let entry = live
                        .models
                        .entry(key(&m.name, Some(&m.version)))
                        .or_default();
                    entry.source.clone_from(&source);
                    if m.status.is_some() {
                        entry.status = m.status;
                    }
                    if m.format.is_some() {
                        entry.format = m.format;
                    }
                    if m.retirement.is_some() {
                        entry.retirement = m.retirement;
                    }
                    for (sku, date) in m.skus {
                        if let Some(offer) = azure_offer(&sku) {
                            entry.offers.insert(offer);
                            entry.offer_sources.insert(offer, source.clone());
                        }
                        if let Some(date) = date {
                            entry.sku_dates.insert(sku, date);
                        }
                    }
                }
            }
            Fact::VertexModel {
                source,
                model,
                found,
                launch_stage,
                ..
            } => {
                live.sources.insert(model.clone(), source.clone());
                if !found {
                    continue;
                }
                let offer = (gcp_processing(catalog, &live.region), Billing::OnDemand);
                let entry = live.models.entry(key(&model, None)).or_default();
                entry.status = launch_stage;
                entry.offers.insert(offer);
                entry.offer_sources.insert(offer, source.clone());
                entry.source = source;
            }
        }
    }
    regions
}

/// A URL as a source: without user information and without paging parameters.
pub(crate) fn source_of(url: &reqwest::Url) -> String {
    let mut url = url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| {
            !matches!(
                k.as_ref(),
                "nextToken" | "maxResults" | "$skipToken" | "pageToken" | "pageSize"
            )
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.set_query(None);
    if !kept.is_empty() {
        url.query_pairs_mut().extend_pairs(kept);
    }
    url.to_string()
}

/// The date of an RFC 3339 timestamp (`2026-03-31T00:00:00Z` → `2026-03-31`), if it starts
/// with one.
pub(crate) fn date_of(timestamp: &str) -> Option<String> {
    let date = timestamp.get(..10)?;
    let b = date.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    (b[4] == b'-' && b[7] == b'-' && digits(0..4) && digits(5..7) && digits(8..10))
        .then(|| date.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_lose_credentials_and_paging() {
        let url = reqwest::Url::parse(
            "https://user:pw@bedrock.eu-west-1.amazonaws.com/inference-profiles?maxResults=100&type=SYSTEM_DEFINED&nextToken=abc",
        )
        .expect("url");
        assert_eq!(
            source_of(&url),
            "https://bedrock.eu-west-1.amazonaws.com/inference-profiles?type=SYSTEM_DEFINED"
        );
        let url =
            reqwest::Url::parse("https://h/a?api-version=2024-10-01&%24skipToken=x").expect("url");
        assert_eq!(source_of(&url), "https://h/a?api-version=2024-10-01");
    }

    #[test]
    fn dates_of_timestamps() {
        assert_eq!(
            date_of("2026-03-31T00:00:00Z").as_deref(),
            Some("2026-03-31")
        );
        assert_eq!(date_of("2026-03-31").as_deref(), Some("2026-03-31"));
        assert_eq!(date_of("soon"), None);
        assert_eq!(date_of("20260331T000000"), None);
    }

    #[test]
    fn azure_skus_map_to_offers() {
        assert_eq!(
            azure_offer("DataZoneStandard"),
            Some((Processing::Geography, Billing::OnDemand))
        );
        assert_eq!(
            azure_offer("GlobalProvisionedManaged"),
            Some((Processing::Global, Billing::Provisioned))
        );
        assert_eq!(azure_offer("GlobalBatch"), None);
    }

    #[test]
    fn bedrock_variants_fold_into_their_model() {
        let scope = ProviderScope {
            cloud: Cloud::Aws,
            address: "aws.corp".into(),
            regions: vec!["eu-central-1".into()],
            subscription_id: None,
            resource_group: None,
            account_id: Some("123456789012".into()),
            partition: None,
            project: None,
            endpoint: None,
        };
        let model = |id: &str, types: &[&str]| BedrockModel {
            id: id.into(),
            inference_types: types.iter().map(|t| (*t).to_string()).collect(),
            status: Some("ACTIVE".into()),
        };
        let facts = vec![
            Fact::BedrockModels {
                provider: "aws.corp".into(),
                region: "eu-central-1".into(),
                source: "u".into(),
                models: vec![
                    model("amazon.nova-pro-v1:0", &["ON_DEMAND", "INFERENCE_PROFILE"]),
                    model("amazon.nova-pro-v1:0:300k", &["PROVISIONED"]),
                    model("anthropic.claude-v2:1", &["ON_DEMAND"]),
                ],
            },
            Fact::BedrockProfile {
                provider: "aws.corp".into(),
                region: "eu-central-1".into(),
                source: "p".into(),
                id: "eu.amazon.nova-pro-v1:0".into(),
                destinations: Some(["eu-central-1".to_string()].into()),
            },
            Fact::BedrockProfile {
                provider: "aws.corp".into(),
                region: "eu-central-1".into(),
                source: "l".into(),
                id: "global.amazon.nova-pro-v1:0".into(),
                destinations: None,
            },
        ];
        let regions = assemble(Catalog::builtin(), &[scope], facts);
        assert_eq!(regions.len(), 1);
        let nova = &regions[0].models[&ModelKey {
            id: "amazon.nova-pro-v1:0".into(),
            version: None,
        }];
        assert_eq!(
            nova.offers,
            [
                (Processing::Region, Billing::OnDemand),
                (Processing::Region, Billing::Provisioned),
                (Processing::Global, Billing::OnDemand),
            ]
            .into()
        );
        assert_eq!(nova.profiles["eu"], ["eu-central-1".to_string()].into());
        assert_eq!(nova.status.as_deref(), Some("ACTIVE"));
        // One colon is a model of its own, not a variant.
        assert!(regions[0].models.contains_key(&ModelKey {
            id: "anthropic.claude-v2:1".into(),
            version: None
        }));
        assert_eq!(regions[0].models.len(), 2);
    }
}
