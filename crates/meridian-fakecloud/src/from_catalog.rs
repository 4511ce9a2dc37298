//! The fixture of a cloud that agrees with a catalog: what `meridian catalog verify` reads
//! back as no difference, for tests to start from and then change.

use crate::fixture::Fixture;
use meridian_catalog::{
    azure_sku, vertex_publisher, Capability, Catalog, Cloud, Lifecycle, Model, Processing,
};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Whether the catalog holds the model (or version) retired: a cloud no longer offers it.
fn retired(catalog: &Catalog, lifecycle: Lifecycle, retirement: Option<&String>) -> bool {
    lifecycle == Lifecycle::Retired || retirement.is_some_and(|d| d.as_str() <= catalog.as_of())
}

/// A date as the APIs write timestamps.
fn timestamp(date: &str) -> String {
    format!("{date}T00:00:00Z")
}

impl Fixture {
    /// This fixture with every fact of `catalog` served as the providers' APIs state them,
    /// for the Azure subscription `subscription` (models the catalog holds retired are not
    /// served):
    ///
    /// - Bedrock, per region: `ListFoundationModels` lists each model callable there, with
    ///   `ON_DEMAND` / `PROVISIONED` for the catalog's in-region offers and
    ///   `INFERENCE_PROFILE` where a profile can be called, and `modelLifecycle.status`
    ///   `ACTIVE` (`LEGACY` for legacy and deprecated models); each geographic profile route
    ///   is a `SYSTEM_DEFINED` profile in its source region whose `models[].modelArn` name the
    ///   destinations; each source region of a global offer has a `global.` profile.
    /// - Azure, per region: the model list has one item per model version offered there,
    ///   with a SKU per deployment type, `lifecycleStatus`, and the retirement dates as
    ///   `deprecation.inference` and `skus[].deprecationDate`.
    /// - Vertex AI, per location of an offer: the publisher model, `launchStage` `GA`
    ///   (`PUBLIC_PREVIEW` for preview models).
    #[must_use]
    pub fn with_catalog(mut self, catalog: &Catalog, subscription: &str) -> Fixture {
        let account = self.auth.aws.account_id.clone();
        for model in catalog.models(Some(Cloud::Aws)) {
            if !retired(catalog, model.lifecycle, model.retirement_date.as_ref()) {
                self.add_bedrock_model(model, &account);
            }
        }
        for model in catalog.models(Some(Cloud::Azure)) {
            if !retired(catalog, model.lifecycle, model.retirement_date.as_ref()) {
                self.add_azure_model(catalog, model, subscription);
            }
        }
        for model in catalog.models(Some(Cloud::Gcp)) {
            if !retired(catalog, model.lifecycle, model.retirement_date.as_ref()) {
                self.add_vertex_model(model);
            }
        }
        self
    }

    fn add_bedrock_model(&mut self, model: &Model, account: &str) {
        // Region → inference types.
        let mut types: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
        for o in &model.offers {
            match o.processing {
                Processing::Region => {
                    for r in &o.regions {
                        for b in &o.billing {
                            let t = match b {
                                meridian_catalog::Billing::OnDemand => "ON_DEMAND",
                                meridian_catalog::Billing::Provisioned => "PROVISIONED",
                            };
                            types.entry(r.clone()).or_default().insert(t);
                        }
                    }
                }
                Processing::Geography => {
                    for p in &o.profiles {
                        for (source, destinations) in &p.routes {
                            types
                                .entry(source.clone())
                                .or_default()
                                .insert("INFERENCE_PROFILE");
                            let id = format!("{}.{}", p.prefix, model.id);
                            let models: Vec<Value> = destinations
                                .iter()
                                .map(|d| {
                                    json!({"modelArn": format!("arn:aws:bedrock:{d}::foundation-model/{}", model.id)})
                                })
                                .collect();
                            self.aws_region_mut(source).inference_profiles.push(json!({
                                "inferenceProfileName": format!("{} {}", p.prefix.to_uppercase(), model.name),
                                "description": format!("Routes requests to {} in {} regions.", model.name, p.prefix),
                                "inferenceProfileArn": format!("arn:aws:bedrock:{source}:{account}:inference-profile/{id}"),
                                "inferenceProfileId": id,
                                "models": models,
                                "status": "ACTIVE",
                                "type": "SYSTEM_DEFINED",
                            }));
                        }
                    }
                }
                Processing::Global => {
                    for source in &o.regions {
                        types
                            .entry(source.clone())
                            .or_default()
                            .insert("INFERENCE_PROFILE");
                        let id = format!("global.{}", model.id);
                        self.aws_region_mut(source).inference_profiles.push(json!({
                            "inferenceProfileName": format!("GLOBAL {}", model.name),
                            "description": format!("Routes requests to {} globally.", model.name),
                            "inferenceProfileArn": format!("arn:aws:bedrock:{source}:{account}:inference-profile/{id}"),
                            "inferenceProfileId": id,
                            "models": [{"modelArn": format!("arn:aws:bedrock:::foundation-model/{}", model.id)}],
                            "status": "ACTIVE",
                            "type": "SYSTEM_DEFINED",
                        }));
                    }
                }
            }
        }
        let status = match model.lifecycle {
            Lifecycle::Legacy | Lifecycle::Deprecated => "LEGACY",
            _ => "ACTIVE",
        };
        let input: &[&str] = if model.has_capability(Capability::Vision) {
            &["TEXT", "IMAGE"]
        } else {
            &["TEXT"]
        };
        let output: &[&str] = if model.has_capability(Capability::Embeddings) {
            &["EMBEDDING"]
        } else {
            &["TEXT"]
        };
        let provider = model.id.split('.').next().unwrap_or_default();
        for (region, types) in types {
            self.aws_region_mut(&region).foundation_models.push(json!({
                "modelArn": format!("arn:aws:bedrock:{region}::foundation-model/{}", model.id),
                "modelId": model.id,
                "modelName": model.name,
                "providerName": provider,
                "inputModalities": input,
                "outputModalities": output,
                "responseStreamingSupported": true,
                "customizationsSupported": [],
                "inferenceTypesSupported": types,
                "modelLifecycle": {"status": status},
            }));
        }
    }

    fn add_azure_model(&mut self, catalog: &Catalog, model: &Model, subscription: &str) {
        for v in &model.versions {
            let retirement = v
                .retirement_date
                .as_ref()
                .or(model.retirement_date.as_ref());
            if retired(catalog, v.lifecycle, retirement) {
                continue;
            }
            // Region → SKU name → its deprecation date.
            let mut skus: BTreeMap<&str, BTreeMap<&str, Option<&String>>> = BTreeMap::new();
            for o in &model.offers {
                if !o.applies_to(Some(&v.version)) {
                    continue;
                }
                for r in &o.regions {
                    for b in &o.billing {
                        skus.entry(r.as_str()).or_default().insert(
                            azure_sku(o.processing, *b),
                            o.retirement_date.as_ref().or(retirement),
                        );
                    }
                }
            }
            let status = match v.lifecycle {
                Lifecycle::Preview => "Preview",
                Lifecycle::Legacy => "Legacy",
                Lifecycle::Deprecated => "Deprecating",
                _ => "GenerallyAvailable",
            };
            for (region, skus) in skus {
                let skus: Vec<Value> = skus
                    .into_iter()
                    .map(|(name, date)| {
                        let mut sku = json!({
                            "name": name,
                            "usageName": format!("OpenAI.{name}.{}", model.id),
                            "capacity": {"minimum": 1, "maximum": 1000, "step": 1, "default": 10},
                        });
                        if let Some(date) = date {
                            sku["deprecationDate"] = json!(timestamp(date));
                        }
                        sku
                    })
                    .collect();
                let mut m = json!({
                    "format": "OpenAI",
                    "name": model.id,
                    "version": v.version,
                    "lifecycleStatus": status,
                    "isDefaultVersion": model.versions.first().is_some_and(|f| f.version == v.version),
                    "capabilities": {"chatCompletion": "true"},
                    "skus": skus,
                });
                if let Some(date) = retirement {
                    m["deprecation"] = json!({"inference": timestamp(date)});
                }
                self.azure
                    .subscriptions
                    .entry(subscription.to_owned())
                    .or_default()
                    .models
                    .entry(region.to_owned())
                    .or_default()
                    .push(json!({"kind": "OpenAI", "skuName": "S0", "model": m}));
            }
        }
    }

    fn add_vertex_model(&mut self, model: &Model) {
        let stage = if model.lifecycle == Lifecycle::Preview {
            "PUBLIC_PREVIEW"
        } else {
            "GA"
        };
        let (base, version) = model.id.split_once('@').unwrap_or((&model.id, "001"));
        let mut locations: BTreeSet<&str> = BTreeSet::new();
        for o in &model.offers {
            locations.extend(o.regions.iter().map(String::as_str));
        }
        for location in locations {
            self.gcp
                .publisher_models
                .entry(location.to_owned())
                .or_default()
                .push(json!({
                    "name": format!("publishers/{}/models/{}", vertex_publisher(&model.id), model.id),
                    "versionId": version,
                    "openSourceCategory": "PROPRIETARY",
                    "launchStage": stage,
                    "publisherModelTemplate": format!("projects/{{project}}/locations/{{location}}/publishers/{}/models/{base}", vertex_publisher(&model.id)),
                }));
        }
    }
}
