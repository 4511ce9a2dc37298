//! The data the fake cloud serves.

use crate::faults::Fault;
use crate::identity::Identity;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// The default bearer token Azure requests must carry.
pub const TEST_AZURE_TOKEN: &str = "fake-azure-token";
/// The default bearer token GCP requests must carry.
pub const TEST_GCP_TOKEN: &str = "fake-gcp-token";
/// The default AWS access key id.
pub const TEST_AWS_ACCESS_KEY_ID: &str = "AKIAFAKECLOUD0000001";
/// The default AWS secret access key.
pub const TEST_AWS_SECRET_ACCESS_KEY: &str = "fakecloud/secret/0123456789abcdefghijklmn";
/// Items a page when the fixture does not say.
pub const DEFAULT_PAGE_SIZE: usize = 2;

/// Everything the fake cloud serves, and the faults it injects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// The credentials requests must carry.
    #[serde(default)]
    pub auth: Auth,
    /// Items a page of every list (at least 1).
    #[serde(default = "default_page_size")]
    pub page_size: usize,
    /// Azure Resource Manager data.
    #[serde(default)]
    pub azure: AzureFixture,
    /// AWS Bedrock data.
    #[serde(default)]
    pub aws: AwsFixture,
    /// GCP data.
    #[serde(default)]
    pub gcp: GcpFixture,
    /// The identities the token endpoints recognise.
    #[serde(default, skip_serializing_if = "Identity::is_empty")]
    pub identity: Identity,
    /// Faults to inject (see the crate documentation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<Fault>,
}

fn default_page_size() -> usize {
    DEFAULT_PAGE_SIZE
}

impl Default for Fixture {
    fn default() -> Self {
        Fixture {
            auth: Auth::default(),
            page_size: DEFAULT_PAGE_SIZE,
            azure: AzureFixture::default(),
            aws: AwsFixture::default(),
            gcp: GcpFixture::default(),
            identity: Identity::default(),
            faults: Vec::new(),
        }
    }
}

/// Credentials the fake cloud accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    /// The bearer token Azure requests must carry.
    pub azure_token: String,
    /// The bearer token GCP requests must carry.
    pub gcp_token: String,
    /// The AWS credentials requests must be signed with.
    pub aws: AwsCredentials,
}

impl Default for Auth {
    fn default() -> Self {
        Auth {
            azure_token: TEST_AZURE_TOKEN.to_owned(),
            gcp_token: TEST_GCP_TOKEN.to_owned(),
            aws: AwsCredentials::default(),
        }
    }
}

/// An AWS credential set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsCredentials {
    /// The access key id (`Credential=<id>/…`).
    pub access_key_id: String,
    /// The secret the signature is derived from.
    pub secret_access_key: String,
    /// When set, requests must carry it as a signed `x-amz-security-token`; when unset,
    /// requests must not carry one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_token: Option<String>,
    /// The account the credentials belong to: what STS `GetCallerIdentity` answers.
    #[serde(default = "default_account_id")]
    pub account_id: String,
}

fn default_account_id() -> String {
    crate::DEFAULT_AWS_ACCOUNT_ID.to_owned()
}

impl Default for AwsCredentials {
    fn default() -> Self {
        AwsCredentials {
            access_key_id: TEST_AWS_ACCESS_KEY_ID.to_owned(),
            secret_access_key: TEST_AWS_SECRET_ACCESS_KEY.to_owned(),
            session_token: None,
            account_id: default_account_id(),
        }
    }
}

/// Azure data: subscriptions by id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AzureFixture {
    /// Subscriptions by id.
    #[serde(default)]
    pub subscriptions: BTreeMap<String, Subscription>,
}

/// One Azure subscription.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    /// Resource groups by name (matched case-insensitively, as ARM does).
    #[serde(default)]
    pub resource_groups: BTreeMap<String, ResourceGroup>,
    /// What `Models - List` answers per location (matched case-insensitively): items as ARM
    /// returns them, `{"kind", "skuName", "model": {"format", "name", "version",
    /// "lifecycleStatus", "deprecation", "skus": [{"name", "deprecationDate", ...}]}}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub models: BTreeMap<String, Vec<Value>>,
}

/// One Azure resource group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceGroup {
    /// Cognitive Services accounts as ARM returns them, each with an optional `deployments`
    /// array of deployment objects.
    #[serde(default)]
    pub accounts: Vec<Value>,
}

/// AWS data: regions by name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsFixture {
    /// Regions by name (`eu-central-1`).
    #[serde(default)]
    pub regions: BTreeMap<String, AwsRegion>,
}

/// What one AWS region holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsRegion {
    /// Inference-profile summaries as `ListInferenceProfiles` returns them.
    #[serde(default)]
    pub inference_profiles: Vec<Value>,
    /// Provisioned-model summaries as `ListProvisionedModelThroughputs` returns them.
    #[serde(default)]
    pub provisioned_throughputs: Vec<Value>,
    /// The `loggingConfig` object, or none.
    #[serde(default)]
    pub logging: Option<Value>,
    /// Tags by resource ARN.
    #[serde(default)]
    pub tags: BTreeMap<String, BTreeMap<String, String>>,
    /// Foundation-model summaries as `ListFoundationModels` returns them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foundation_models: Vec<Value>,
}

/// GCP data: projects by id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GcpFixture {
    /// Projects by id.
    #[serde(default)]
    pub projects: BTreeMap<String, GcpProject>,
    /// The publisher models (`PublisherModel` objects, `name` =
    /// `publishers/{publisher}/models/{model}`) each location's endpoint serves, by location
    /// (a region, `eu`, `us` or `global`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub publisher_models: BTreeMap<String, Vec<Value>>,
}

/// One GCP project.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GcpProject {
    /// The project number; requests may name the project by id or by number.
    #[serde(default)]
    pub number: String,
    /// Service states by service name (`"ENABLED"`); services not listed are `DISABLED`.
    #[serde(default)]
    pub services: BTreeMap<String, String>,
    /// The project's IAM policy bindings.
    #[serde(default)]
    pub iam_bindings: Vec<IamBinding>,
    /// Vertex AI endpoint objects by location.
    #[serde(default)]
    pub endpoints: BTreeMap<String, Vec<Value>>,
}

/// One IAM policy binding.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IamBinding {
    /// `roles/aiplatform.user`.
    pub role: String,
    /// `user:a@example.com`, …
    pub members: Vec<String>,
}

/// A fixture that cannot be served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixtureError {
    /// The JSON is not a fixture.
    Parse(String),
    /// The fixture is JSON of the right shape but not usable.
    Invalid(String),
}

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FixtureError::Parse(m) => write!(f, "the fixture is not valid: {m}"),
            FixtureError::Invalid(m) => write!(f, "the fixture cannot be served: {m}"),
        }
    }
}

impl std::error::Error for FixtureError {}

impl Fixture {
    /// Parses and checks a fixture.
    pub fn from_json(text: &str) -> Result<Fixture, FixtureError> {
        let fixture: Fixture =
            serde_json::from_str(text).map_err(|e| FixtureError::Parse(e.to_string()))?;
        fixture.validate()?;
        Ok(fixture)
    }

    /// The fixture as pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// This fixture with other credentials.
    #[must_use]
    pub fn with_credentials(mut self, auth: Auth) -> Fixture {
        self.auth = auth;
        self
    }

    /// This fixture with another page size.
    #[must_use]
    pub fn with_page_size(mut self, page_size: usize) -> Fixture {
        self.page_size = page_size;
        self
    }

    /// Checks what serde cannot: a page size of at least 1, accounts and deployments that
    /// are objects with a string `name`, and faults with a valid HTTP status.
    pub fn validate(&self) -> Result<(), FixtureError> {
        if self.page_size == 0 {
            return Err(FixtureError::Invalid("page_size must be at least 1".into()));
        }
        for (sub, s) in &self.azure.subscriptions {
            for (rg, g) in &s.resource_groups {
                for (i, account) in g.accounts.iter().enumerate() {
                    let at =
                        format!("azure.subscriptions.{sub}.resource_groups.{rg}.accounts[{i}]");
                    if account.get("name").and_then(Value::as_str).is_none() {
                        return Err(FixtureError::Invalid(format!(
                            "{at} must be an object with a string \"name\""
                        )));
                    }
                    match account.get("deployments") {
                        None => {}
                        Some(Value::Array(ds)) => {
                            if let Some(j) = ds
                                .iter()
                                .position(|d| d.get("name").and_then(Value::as_str).is_none())
                            {
                                return Err(FixtureError::Invalid(format!(
                                    "{at}.deployments[{j}] must be an object with a string \"name\""
                                )));
                            }
                        }
                        Some(_) => {
                            return Err(FixtureError::Invalid(format!(
                                "{at}.deployments must be an array"
                            )))
                        }
                    }
                }
            }
        }
        for (sub, s) in &self.azure.subscriptions {
            for (location, items) in &s.models {
                if let Some(i) = items
                    .iter()
                    .position(|m| m.pointer("/model/name").and_then(Value::as_str).is_none())
                {
                    return Err(FixtureError::Invalid(format!(
                        "azure.subscriptions.{sub}.models.{location}[{i}] must be an object with a string \"model.name\""
                    )));
                }
            }
        }
        for (region, r) in &self.aws.regions {
            if let Some(i) = r
                .foundation_models
                .iter()
                .position(|m| m.get("modelId").and_then(Value::as_str).is_none())
            {
                return Err(FixtureError::Invalid(format!(
                    "aws.regions.{region}.foundation_models[{i}] must be an object with a string \"modelId\""
                )));
            }
        }
        for (location, models) in &self.gcp.publisher_models {
            if let Some(i) = models
                .iter()
                .position(|m| m.get("name").and_then(Value::as_str).is_none())
            {
                return Err(FixtureError::Invalid(format!(
                    "gcp.publisher_models.{location}[{i}] must be an object with a string \"name\""
                )));
            }
        }
        for (i, fault) in self.faults.iter().enumerate() {
            if let crate::FaultKind::Status { status, .. } = fault.kind {
                if !(200..=599).contains(&status) {
                    return Err(FixtureError::Invalid(format!(
                        "faults[{i}]: status {status} is not an HTTP status from 200 to 599"
                    )));
                }
            }
        }
        Ok(())
    }

    /// The account named `account` in a resource group (names compared case-insensitively).
    pub fn azure_account_mut(
        &mut self,
        subscription: &str,
        resource_group: &str,
        account: &str,
    ) -> Option<&mut Value> {
        let sub = find_ci_mut(&mut self.azure.subscriptions, subscription)?;
        let rg = find_ci_mut(&mut sub.resource_groups, resource_group)?;
        rg.accounts.iter_mut().find(|a| {
            a.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(account))
        })
    }

    /// The deployment `deployment` of an account.
    pub fn azure_deployment_mut(
        &mut self,
        subscription: &str,
        resource_group: &str,
        account: &str,
        deployment: &str,
    ) -> Option<&mut Value> {
        let account = self.azure_account_mut(subscription, resource_group, account)?;
        account
            .get_mut("deployments")?
            .as_array_mut()?
            .iter_mut()
            .find(|d| d.get("name").and_then(Value::as_str) == Some(deployment))
    }

    /// The resource group, created if missing.
    pub fn azure_resource_group_mut(
        &mut self,
        subscription: &str,
        resource_group: &str,
    ) -> &mut ResourceGroup {
        self.azure
            .subscriptions
            .entry(subscription.to_owned())
            .or_default()
            .resource_groups
            .entry(resource_group.to_owned())
            .or_default()
    }

    /// An AWS region's data, created if missing.
    pub fn aws_region_mut(&mut self, region: &str) -> &mut AwsRegion {
        self.aws.regions.entry(region.to_owned()).or_default()
    }

    /// The system-defined inference profile `id` served in an AWS region.
    pub fn aws_profile_mut(&mut self, region: &str, id: &str) -> Option<&mut Value> {
        self.aws
            .regions
            .get_mut(region)?
            .inference_profiles
            .iter_mut()
            .find(|p| p.get("inferenceProfileId").and_then(Value::as_str) == Some(id))
    }

    /// The summary of foundation model `id` that `ListFoundationModels` answers in a region.
    pub fn aws_foundation_model_mut(&mut self, region: &str, id: &str) -> Option<&mut Value> {
        self.aws
            .regions
            .get_mut(region)?
            .foundation_models
            .iter_mut()
            .find(|m| m.get("modelId").and_then(Value::as_str) == Some(id))
    }

    /// The `model` object of the item for model `name` `version` in an Azure location's
    /// model list.
    pub fn azure_model_mut(
        &mut self,
        subscription: &str,
        location: &str,
        name: &str,
        version: &str,
    ) -> Option<&mut Value> {
        let sub = find_ci_mut(&mut self.azure.subscriptions, subscription)?;
        let items = find_ci_mut(&mut sub.models, location)?;
        items
            .iter_mut()
            .filter_map(|i| i.get_mut("model"))
            .find(|m| {
                m.get("name").and_then(Value::as_str) == Some(name)
                    && m.get("version").and_then(Value::as_str) == Some(version)
            })
    }

    /// Takes deployment type `sku` off model `name` `version` in an Azure location's model
    /// list; true if it was listed.
    pub fn azure_remove_sku(
        &mut self,
        subscription: &str,
        location: &str,
        name: &str,
        version: &str,
        sku: &str,
    ) -> bool {
        let Some(skus) = self
            .azure_model_mut(subscription, location, name, version)
            .and_then(|m| m.get_mut("skus"))
            .and_then(Value::as_array_mut)
        else {
            return false;
        };
        let before = skus.len();
        skus.retain(|s| s.get("name").and_then(Value::as_str) != Some(sku));
        skus.len() != before
    }

    /// Stops serving publisher model `model` (`publishers/{publisher}/models/{model}`) at a
    /// Vertex AI location; true if it was served.
    pub fn gcp_remove_publisher_model(&mut self, location: &str, model: &str) -> bool {
        let Some(models) = self.gcp.publisher_models.get_mut(location) else {
            return false;
        };
        let before = models.len();
        let suffix = format!("/models/{model}");
        models.retain(|m| {
            !m.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.ends_with(&suffix))
        });
        models.len() != before
    }

    /// A GCP project's data, created if missing.
    pub fn gcp_project_mut(&mut self, project: &str) -> &mut GcpProject {
        self.gcp.projects.entry(project.to_owned()).or_default()
    }
}

/// The value whose key equals `key` ignoring ASCII case (an exact match first).
pub(crate) fn find_ci<'a, V>(map: &'a BTreeMap<String, V>, key: &str) -> Option<&'a V> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

fn find_ci_mut<'a, V>(map: &'a mut BTreeMap<String, V>, key: &str) -> Option<&'a mut V> {
    let exact = map
        .keys()
        .find(|k| k.as_str() == key)
        .or_else(|| map.keys().find(|k| k.eq_ignore_ascii_case(key)))?
        .clone();
    map.get_mut(&exact)
}
