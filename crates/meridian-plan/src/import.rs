//! Importing what Terraform manages into Meridian's state.
//!
//! [`parse_show_json`] reads the document `terraform show -json` prints for a state (the
//! `values` representation: `root_module` with `resources` and nested `child_modules`) and
//! [`import`] records each resource Meridian generates under Meridian's address, in Meridian's
//! attribute vocabulary, so that a plan against the result compares like with like.
//!
//! - A resource's address comes from its `meridian-address` tag (`tags`, else `tags_all`).
//!   Resources that take no tags (deployments, role assignments, diagnostic settings,
//!   invocation-logging configurations, GCP services and IAM members), and tagged types whose
//!   tag was removed, are matched against the spec's desired resources by what identifies
//!   them (an Azure deployment by its account and name, a role assignment by scope, role and
//!   principal, ...).
//! - Values are converted back: nested blocks (`sku`, `model`, `network_acls`, `identity`,
//!   `logging_config`, ...) become Meridian's flat attributes, and an id or ARN of another
//!   imported resource becomes the same reference (`{"$ref": address, "attr": name}`) the
//!   graph holds. Sets (IP rules, log categories, the lists of an IAM policy) equal to the
//!   desired ones are recorded in the desired order; a policy document is compared as a
//!   document, not as text.
//! - What Terraform does not hold is taken from the desired resource of the same address: the
//!   tags of resources that take none, an Azure role assignment's name, the log retention,
//!   the IP rules of an account without public access (Terraform writes none there).
//! - Helper resources Meridian writes beside a resource (an account's private endpoint and
//!   customer-managed key with its key-vault role assignment, a policy's attachment) are read
//!   into that resource and reported as merged.
//! - Router entries are not Terraform resources: the desired entries whose serving resource
//!   is in the resulting state are recorded too.
//!
//! An address that the state already holds, or that two Terraform resources claim, is an
//! error: nothing is imported.

use crate::to_state;
use meridian_graph::{as_reference, azure_subnet_network, reference, Address, Kind, Resource};
use meridian_state::{SerialExhausted, State, StateResource};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

/// The management tag that names a resource's Meridian address.
pub const ADDRESS_TAG: &str = "meridian-address";
/// The management tag that names a resource's Meridian project.
pub const PROJECT_TAG: &str = "meridian-project";

/// One resource instance of a `terraform show -json` document.
#[derive(Debug, Clone, PartialEq)]
pub struct TfResource {
    /// The full address, with module path and index: `module.ai.azurerm_cognitive_account.x`.
    pub address: String,
    /// `managed` or `data`.
    pub mode: String,
    /// The resource type: `azurerm_cognitive_account`.
    pub resource_type: String,
    /// The attribute values.
    pub values: Map<String, Value>,
}

/// The resources of a `terraform show -json` document and the Terraform version that wrote
/// it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShowDocument {
    pub terraform_version: Option<String>,
    pub resources: Vec<TfResource>,
}

/// Why nothing was imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// The document is not JSON.
    NotJson {
        line: usize,
        column: usize,
        message: String,
    },
    /// `format_version` names a major version this build does not read.
    FormatVersion { found: String },
    /// The document is JSON, but not shaped like `terraform show -json` of a state.
    Shape { at: String, message: String },
    /// The document is a plan (`terraform show -json PLANFILE`), not a state.
    Plan,
    /// The state already holds an address the document has a resource for.
    InState {
        address: String,
        terraform_address: String,
    },
    /// Two resources of the document claim the same address.
    Duplicate {
        address: String,
        first: String,
        second: String,
    },
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::NotJson { line, column, message } => write!(
                f,
                "not JSON at line {line} column {column}: {message}; give the output of `terraform show -json`"
            ),
            ImportError::FormatVersion { found } => write!(
                f,
                "format_version \"{found}\" is not supported: Meridian reads the JSON output format 0.x and 1.x of `terraform show -json`"
            ),
            ImportError::Shape { at, message } => write!(
                f,
                "not the output of `terraform show -json`: {at}: {message}"
            ),
            ImportError::Plan => write!(
                f,
                "this is a plan (`terraform show -json PLANFILE`), not a state: run `terraform show -json` without a plan file"
            ),
            ImportError::InState { address, terraform_address } => write!(
                f,
                "{address} is already in the state; {terraform_address} would overwrite it. Nothing was imported: remove that resource from the Terraform document, or import into a spec directory whose state does not hold it"
            ),
            ImportError::Duplicate { address, first, second } => write!(
                f,
                "{first} and {second} both map to {address}; nothing was imported: one Meridian address is one cloud resource"
            ),
        }
    }
}

impl std::error::Error for ImportError {}

fn shape(at: &str, message: impl Into<String>) -> ImportError {
    ImportError::Shape {
        at: at.to_string(),
        message: message.into(),
    }
}

/// Reads the output of `terraform show -json` for a state. A document without `values` (an
/// empty state) has no resources.
pub fn parse_show_json(text: &str) -> Result<ShowDocument, ImportError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| ImportError::NotJson {
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })?;
    let Value::Object(doc) = doc else {
        return Err(shape("the document", "it is not a JSON object"));
    };
    let version = match doc.get("format_version") {
        Some(Value::String(v)) => v.clone(),
        Some(_) => return Err(shape("format_version", "it is not a string")),
        None => return Err(shape("the document", "it has no format_version")),
    };
    let major = version.split('.').next().unwrap_or_default();
    if major != "0" && major != "1" {
        return Err(ImportError::FormatVersion { found: version });
    }
    let terraform_version = doc
        .get("terraform_version")
        .and_then(Value::as_str)
        .map(str::to_string);
    let Some(values) = doc.get("values") else {
        if doc.contains_key("planned_values") || doc.contains_key("resource_changes") {
            return Err(ImportError::Plan);
        }
        return Ok(ShowDocument {
            terraform_version,
            resources: Vec::new(),
        });
    };
    let Value::Object(values) = values else {
        return Err(shape("values", "it is not an object"));
    };
    let mut resources = Vec::new();
    match values.get("root_module") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => module(m, "values.root_module", &mut resources)?,
        Some(_) => return Err(shape("values.root_module", "it is not an object")),
    }
    Ok(ShowDocument {
        terraform_version,
        resources,
    })
}

/// serde_json's message without its " at line L column C" suffix.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn module(m: &Map<String, Value>, at: &str, out: &mut Vec<TfResource>) -> Result<(), ImportError> {
    match m.get("resources") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, r) in items.iter().enumerate() {
                let at = format!("{at}.resources[{i}]");
                out.push(resource(r, &at)?);
            }
        }
        Some(_) => return Err(shape(&format!("{at}.resources"), "it is not an array")),
    }
    match m.get("child_modules") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, c) in items.iter().enumerate() {
                let at = format!("{at}.child_modules[{i}]");
                let Value::Object(c) = c else {
                    return Err(shape(&at, "it is not an object"));
                };
                module(c, &at, out)?;
            }
        }
        Some(_) => return Err(shape(&format!("{at}.child_modules"), "it is not an array")),
    }
    Ok(())
}

fn resource(r: &Value, at: &str) -> Result<TfResource, ImportError> {
    let Value::Object(r) = r else {
        return Err(shape(at, "it is not an object"));
    };
    let text = |key: &str| -> Result<String, ImportError> {
        r.get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| shape(at, format!("it has no string \"{key}\"")))
    };
    let values = match r.get("values") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(v)) => v.clone(),
        Some(_) => return Err(shape(&format!("{at}.values"), "it is not an object")),
    };
    Ok(TfResource {
        address: text("address")?,
        mode: text("mode")?,
        resource_type: text("type")?,
        values,
    })
}

/// How a resource's Meridian address was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchedBy {
    /// Its `meridian-address` tag.
    Tag,
    /// Its identifying attributes equal those of a resource the spec wants.
    Attributes,
}

/// One resource recorded under a Meridian address.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Imported {
    pub address: String,
    pub terraform_address: String,
    pub terraform_type: String,
    pub matched_by: MatchedBy,
    /// Whether the spec wants a resource at this address (a tagged resource it no longer
    /// wants is imported too, and the next plan deletes it).
    pub desired: bool,
}

/// A helper resource read into the resource it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Merged {
    pub terraform_address: String,
    pub terraform_type: String,
    /// The Meridian address it was recorded with.
    pub into: String,
}

/// A resource left out, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Left {
    pub terraform_address: String,
    pub terraform_type: String,
    pub reason: String,
}

/// What [`import`] found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    /// Resources recorded, in the order of the document.
    pub imported: Vec<Imported>,
    /// Helper resources read into an imported resource.
    pub merged: Vec<Merged>,
    /// Router entries of the spec recorded because their serving resource is in state.
    pub router_entries: Vec<String>,
    /// Resources of types Meridian does not manage, and data sources.
    pub skipped: Vec<Left>,
    /// Resources of types Meridian manages that could not be given an address.
    pub not_imported: Vec<Left>,
    /// The state records to add, sorted by address.
    #[serde(skip)]
    pub records: Vec<StateResource>,
}

impl ImportReport {
    /// `prior` (or a new state with a new lineage) with the records added and the serial one
    /// higher; an error when the serial cannot go higher.
    pub fn next_state(
        &self,
        prior: Option<&State>,
        meridian_version: &str,
    ) -> Result<State, SerialExhausted> {
        let mut state = prior
            .cloned()
            .unwrap_or_else(|| State::new(meridian_version));
        state.meridian_version = meridian_version.to_string();
        state.resources.extend(self.records.iter().cloned());
        state.normalize();
        state.bump()?;
        Ok(state)
    }
}

/// The Meridian kind of a Terraform resource type.
pub fn kind_of_type(resource_type: &str) -> Option<Kind> {
    crate::KINDS
        .iter()
        .copied()
        .find(|k| k.terraform_type() == Some(resource_type))
}

/// Helper types Meridian writes beside a resource, read into it.
const HELPER_TYPES: [&str; 4] = [
    "azurerm_private_dns_zone_virtual_network_link",
    "azurerm_cognitive_account_customer_managed_key",
    "aws_iam_role_policy_attachment",
    "aws_iam_user_policy_attachment",
];

/// Whether the Terraform type takes tags (and so carries `meridian-address`).
fn taggable(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::AzureAccount
            | Kind::AzurePrivateEndpoint
            | Kind::AzurePrivateDnsZone
            | Kind::AwsInferenceProfile
            | Kind::AwsProvisionedThroughput
            | Kind::AwsIamPolicy
            | Kind::AwsVpcEndpoint
    )
}

/// The kinds whose ids other resources refer to: imported first.
fn is_referenced(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::AzureAccount
            | Kind::AzurePrivateDnsZone
            | Kind::AwsInferenceProfile
            | Kind::AwsProvisionedThroughput
            | Kind::AwsVpcEndpoint
    )
}

/// Ids and ARNs of imported resources, to the reference they stand for.
#[derive(Default)]
struct Ids {
    map: HashMap<String, (Address, &'static str)>,
    /// Imported Azure accounts by id: (region, identity principal id).
    accounts: HashMap<String, (Option<String>, Option<String>)>,
}

/// The key of an id: ARM ids compare without case.
fn id_key(s: &str) -> String {
    if s.starts_with('/') {
        s.to_ascii_lowercase()
    } else {
        s.to_string()
    }
}

impl Ids {
    fn add(&mut self, id: Option<&str>, address: &Address, attr: &'static str) {
        if let Some(id) = id.filter(|s| !s.is_empty()) {
            self.map.insert(id_key(id), (address.clone(), attr));
        }
    }

    /// `v` as a reference, when it is the id of an imported resource.
    fn resolve(&self, v: &Value) -> Value {
        match v.as_str().and_then(|s| self.map.get(&id_key(s))) {
            Some((a, attr)) => reference(a, attr),
            None => v.clone(),
        }
    }
}

fn get<'a>(v: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| !x.is_null())
}

fn text<'a>(v: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// The first object of a nested block list (`sku`, `model`, ...).
fn block<'a>(v: &'a Map<String, Value>, key: &str) -> Option<&'a Map<String, Value>> {
    match v.get(key)? {
        Value::Array(items) => items.first().and_then(Value::as_object),
        Value::Object(o) => Some(o),
        _ => None,
    }
}

fn tags_of(v: &Map<String, Value>, key: &str) -> Option<BTreeMap<String, String>> {
    let Value::Object(m) = v.get(key)? else {
        return None;
    };
    Some(
        m.iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
            .collect(),
    )
}

/// The region of an ARN (`arn:PARTITION:SERVICE:REGION:...`).
fn arn_region(arn: &str) -> Option<String> {
    let region = arn.split(':').nth(3)?;
    (arn.starts_with("arn:") && !region.is_empty()).then(|| region.to_string())
}

/// The key a private DNS zone and its network links share: resource group and zone name.
fn zone_key(resource_group: &str, zone: &str) -> String {
    format!(
        "zone:{}/{}",
        resource_group.to_ascii_lowercase(),
        zone.to_ascii_lowercase()
    )
}

/// The subscription of an ARM id.
fn arm_subscription(id: &str) -> Option<String> {
    let mut parts = id.split('/');
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case("subscriptions") {
            return parts.next().map(str::to_string);
        }
    }
    None
}

/// `observed` in the order of `desired` when both hold the same elements.
fn same_set_as(observed: Value, desired: Option<&Value>) -> Value {
    if let (Value::Array(o), Some(Value::Array(d))) = (&observed, desired) {
        let key = |items: &[Value]| {
            let mut k: Vec<String> = items.iter().map(Value::to_string).collect();
            k.sort();
            k
        };
        if key(o) == key(d) {
            return Value::Array(d.clone());
        }
    }
    observed
}

/// What a converter needs besides the resource itself.
struct Context<'a> {
    ids: &'a Ids,
    /// Helper resources by the id of what they belong to.
    helpers: &'a HashMap<String, Vec<&'a TfResource>>,
}

/// A Terraform resource in Meridian's vocabulary.
fn convert(
    kind: Kind,
    tf: &TfResource,
    desired: Option<&Resource>,
    cx: &Context<'_>,
) -> StateResource {
    let v = &tf.values;
    let want = |key: &str| desired.and_then(|d| d.attrs.get(key));
    let mut attrs: BTreeMap<String, Value> = BTreeMap::new();
    let put = |attrs: &mut BTreeMap<String, Value>, key: &str, value: Option<&Value>| {
        if let Some(value) = value.filter(|x| !x.is_null()) {
            attrs.insert(key.to_string(), value.clone());
        }
    };
    let mut name = desired.map(|d| d.name.clone()).unwrap_or_default();
    let mut region = desired.and_then(|d| d.region.clone());
    let mut tags = desired.map(|d| d.tags.clone()).unwrap_or_default();
    let id = text(v, "id").unwrap_or_default();
    match kind {
        Kind::AzureAccount => {
            name = text(v, "name").unwrap_or_default().to_string();
            region = text(v, "location").map(str::to_string);
            for key in [
                "location",
                "resource_group_name",
                "kind",
                "sku_name",
                "custom_subdomain_name",
                "local_auth_enabled",
                "public_network_access_enabled",
            ] {
                put(&mut attrs, key, get(v, key));
            }
            match arm_subscription(id) {
                Some(s) => {
                    attrs.insert("subscription_id".into(), Value::String(s));
                }
                None => put(&mut attrs, "subscription_id", want("subscription_id")),
            }
            put(
                &mut attrs,
                "identity_type",
                block(v, "identity").and_then(|i| get(i, "type")),
            );
            let public = get(v, "public_network_access_enabled").and_then(Value::as_bool);
            let rules = block(v, "network_acls")
                .and_then(|n| get(n, "ip_rules"))
                .cloned()
                .unwrap_or_else(|| Value::Array(Vec::new()));
            let empty = rules.as_array().is_none_or(Vec::is_empty);
            let allowed = if public != Some(true) && empty {
                want("allowed_ips").cloned().unwrap_or(rules)
            } else {
                same_set_as(rules, want("allowed_ips"))
            };
            attrs.insert("allowed_ips".into(), allowed);
            let helpers = cx.helpers.get(&id_key(id)).map_or(&[][..], Vec::as_slice);
            for h in helpers {
                match h.resource_type.as_str() {
                    "azurerm_private_endpoint" => put(
                        &mut attrs,
                        "private_endpoint_subnet_id",
                        get(&h.values, "subnet_id"),
                    ),
                    "azurerm_cognitive_account_customer_managed_key" => put(
                        &mut attrs,
                        "customer_managed_key_id",
                        get(&h.values, "key_vault_key_id"),
                    ),
                    _ => {}
                }
            }
            if !attrs.contains_key("customer_managed_key_id") {
                put(
                    &mut attrs,
                    "customer_managed_key_id",
                    block(v, "customer_managed_key").and_then(|k| get(k, "key_vault_key_id")),
                );
            }
            tags = tags_of(v, "tags").unwrap_or_default();
        }
        Kind::AzureDeployment => {
            name = text(v, "name").unwrap_or_default().to_string();
            let account = get(v, "cognitive_account_id");
            if let Some((Some(r), _)) = account
                .and_then(Value::as_str)
                .and_then(|a| cx.ids.accounts.get(&id_key(a)))
            {
                region = Some(r.clone());
            }
            if let Some(a) = account {
                attrs.insert("cognitive_account_id".into(), cx.ids.resolve(a));
            }
            let model = block(v, "model");
            put(
                &mut attrs,
                "model_format",
                model.and_then(|m| get(m, "format")),
            );
            put(&mut attrs, "model_name", model.and_then(|m| get(m, "name")));
            put(
                &mut attrs,
                "model_version",
                model.and_then(|m| get(m, "version")),
            );
            let sku = block(v, "sku");
            put(&mut attrs, "sku_name", sku.and_then(|s| get(s, "name")));
            put(
                &mut attrs,
                "sku_capacity",
                sku.and_then(|s| get(s, "capacity")),
            );
            put(
                &mut attrs,
                "version_upgrade_option",
                get(v, "version_upgrade_option"),
            );
            put(&mut attrs, "rai_policy_name", get(v, "rai_policy_name"));
        }
        Kind::AzureRoleAssignment => {
            if let Some(scope) = get(v, "scope") {
                attrs.insert("scope".into(), cx.ids.resolve(scope));
            }
            put(
                &mut attrs,
                "role_definition_name",
                get(v, "role_definition_name"),
            );
            put(&mut attrs, "principal_id", get(v, "principal_id"));
        }
        Kind::AzureDiagnosticSetting => {
            name = text(v, "name").unwrap_or_default().to_string();
            if let Some(target) = get(v, "target_resource_id") {
                attrs.insert("target_resource_id".into(), cx.ids.resolve(target));
            }
            put(
                &mut attrs,
                "log_analytics_workspace_id",
                get(v, "log_analytics_workspace_id"),
            );
            let mut categories = Vec::new();
            for key in ["enabled_log", "log"] {
                if let Some(Value::Array(logs)) = v.get(key) {
                    for l in logs.iter().filter_map(Value::as_object) {
                        let enabled = l.get("enabled").and_then(Value::as_bool).unwrap_or(true);
                        if let (Some(c), true) = (get(l, "category"), enabled) {
                            categories.push(c.clone());
                        }
                    }
                }
            }
            attrs.insert(
                "log_categories".into(),
                same_set_as(Value::Array(categories), want("log_categories")),
            );
        }
        Kind::AwsInferenceProfile => {
            name = text(v, "name").unwrap_or_default().to_string();
            region = text(v, "arn").and_then(arn_region).or(region);
            put(&mut attrs, "name", get(v, "name"));
            put(
                &mut attrs,
                "copy_from",
                block(v, "model_source").and_then(|m| get(m, "copy_from")),
            );
            put(&mut attrs, "description", get(v, "description"));
            tags = tags_of(v, "tags").unwrap_or_default();
        }
        Kind::AwsProvisionedThroughput => {
            name = text(v, "provisioned_model_name")
                .unwrap_or_default()
                .to_string();
            region = text(v, "provisioned_model_arn")
                .or(Some(id))
                .and_then(arn_region)
                .or(region);
            for key in ["model_arn", "model_units", "provisioned_model_name"] {
                put(&mut attrs, key, get(v, key));
            }
            tags = tags_of(v, "tags").unwrap_or_default();
        }
        Kind::AwsIamPolicy => {
            name = text(v, "name").unwrap_or_default().to_string();
            region = None;
            let arn = text(v, "arn").unwrap_or(id);
            let helpers = cx.helpers.get(&id_key(arn)).map_or(&[][..], Vec::as_slice);
            if let Some(p) = principal(arn, helpers, want("principal")) {
                attrs.insert("principal".into(), p);
            }
            if let Some(policy) = get(v, "policy") {
                attrs.insert(
                    "policy".into(),
                    policy_document(policy, cx.ids, want("policy")),
                );
            }
            tags = tags_of(v, "tags").unwrap_or_default();
        }
        Kind::AwsInvocationLogging => {
            let r = text(v, "region")
                .or_else(|| (!id.is_empty()).then_some(id))
                .map(str::to_string);
            if let Some(r) = &r {
                attrs.insert("region".into(), Value::String(r.clone()));
            }
            region = r.or(region);
            let config = block(v, "logging_config");
            let s3 = config.and_then(|c| block(c, "s3_config"));
            put(
                &mut attrs,
                "s3_bucket_name",
                s3.and_then(|s| get(s, "bucket_name")),
            );
            put(
                &mut attrs,
                "s3_key_prefix",
                s3.and_then(|s| get(s, "key_prefix")),
            );
            put(
                &mut attrs,
                "text_data_delivery_enabled",
                config.and_then(|c| get(c, "text_data_delivery_enabled")),
            );
            put(&mut attrs, "retention_days", want("retention_days"));
        }
        Kind::GcpService => {
            name = text(v, "service").unwrap_or_default().to_string();
            for key in ["project", "service", "disable_on_destroy"] {
                put(&mut attrs, key, get(v, key));
            }
        }
        Kind::GcpIamMember => {
            name = text(v, "member").unwrap_or_default().to_string();
            for key in ["project", "role", "member"] {
                put(&mut attrs, key, get(v, key));
            }
        }
        Kind::AzurePrivateEndpoint => {
            name = text(v, "name").unwrap_or_default().to_string();
            region = None;
            for key in ["resource_group_name", "subnet_id"] {
                put(&mut attrs, key, get(v, key));
            }
            if let Some((_, rg, vnet)) = text(v, "subnet_id").and_then(azure_subnet_network) {
                attrs.insert("virtual_network_name".into(), Value::String(vnet));
                attrs.insert(
                    "virtual_network_resource_group_name".into(),
                    Value::String(rg),
                );
            }
            let connection = block(v, "private_service_connection");
            if let Some(target) = connection.and_then(|c| get(c, "private_connection_resource_id"))
            {
                attrs.insert(
                    "private_connection_resource_id".into(),
                    cx.ids.resolve(target),
                );
            }
            put(
                &mut attrs,
                "subresource_names",
                connection.and_then(|c| get(c, "subresource_names")),
            );
            if let Some(Value::Array(zones)) =
                block(v, "private_dns_zone_group").and_then(|g| get(g, "private_dns_zone_ids"))
            {
                let zones = Value::Array(zones.iter().map(|z| cx.ids.resolve(z)).collect());
                attrs.insert(
                    "private_dns_zone_ids".into(),
                    same_set_as(zones, want("private_dns_zone_ids")),
                );
            }
            tags = tags_of(v, "tags").unwrap_or_default();
        }
        Kind::AzurePrivateDnsZone => {
            name = text(v, "name").unwrap_or_default().to_string();
            region = None;
            put(
                &mut attrs,
                "resource_group_name",
                get(v, "resource_group_name"),
            );
            let link_key = zone_key(text(v, "resource_group_name").unwrap_or_default(), &name);
            let links = cx.helpers.get(&link_key).map_or(&[][..], Vec::as_slice);
            if let Some(link) = links.first() {
                put(
                    &mut attrs,
                    "virtual_network_id",
                    get(&link.values, "virtual_network_id"),
                );
                put(&mut attrs, "link_name", get(&link.values, "name"));
            }
            tags = tags_of(v, "tags").unwrap_or_default();
        }
        Kind::AwsLogLifecycle => {
            put(&mut attrs, "bucket", get(v, "bucket"));
            let rule = block(v, "rule");
            if let Some(r) = rule {
                name = text(r, "id").unwrap_or_default().to_string();
            }
            put(
                &mut attrs,
                "prefix",
                rule.and_then(|r| block(r, "filter"))
                    .and_then(|f| get(f, "prefix")),
            );
            put(
                &mut attrs,
                "expiration_days",
                rule.and_then(|r| block(r, "expiration"))
                    .and_then(|e| get(e, "days")),
            );
        }
        Kind::AwsVpcEndpoint => {
            for key in [
                "service_name",
                "vpc_endpoint_type",
                "subnet_ids",
                "private_dns_enabled",
            ] {
                put(&mut attrs, key, get(v, key));
            }
            region = text(v, "service_name")
                .and_then(|s| s.split('.').rev().nth(1))
                .map(str::to_string)
                .or(region);
            if let Some(policy) = get(v, "policy") {
                attrs.insert(
                    "policy".into(),
                    policy_document(policy, cx.ids, want("policy")),
                );
            }
            tags = tags_of(v, "tags").unwrap_or_default();
        }
        Kind::GcpLogDataset => {
            name = text(v, "dataset_id").unwrap_or_default().to_string();
            region = None;
            for key in [
                "project",
                "dataset_id",
                "location",
                "default_partition_expiration_ms",
                "delete_contents_on_destroy",
            ] {
                put(&mut attrs, key, get(v, key));
            }
        }
        Kind::GcpRequestLogging => {
            let triggers = block(v, "triggers_replace");
            let model = triggers.and_then(|t| text(t, "model")).unwrap_or_default();
            // projects/P/locations/L/publishers/PUB/models/M
            let parts: Vec<&str> = model.split('/').collect();
            if let ["projects", p, "locations", l, "publishers", publisher, "models", m] =
                parts.as_slice()
            {
                attrs.insert("project".into(), Value::from(*p));
                attrs.insert("location".into(), Value::from(*l));
                attrs.insert("publisher".into(), Value::from(*publisher));
                attrs.insert("model".into(), Value::from(*m));
                name = format!("{publisher}/{m}@{l}");
                region = Some((*l).to_string());
            }
            put(
                &mut attrs,
                "bigquery_destination",
                triggers.and_then(|t| get(t, "destination")),
            );
            put(
                &mut attrs,
                "sampling_rate",
                triggers.and_then(|t| get(t, "sampling_rate")),
            );
        }
        Kind::RouterDeployment => {}
    }
    // An argument the spec leaves null is recorded as null: Terraform shows nothing for it.
    if let Some(d) = desired {
        for (k, value) in &d.attrs {
            if value.is_null() && !attrs.contains_key(k) {
                attrs.insert(k.clone(), Value::Null);
            }
        }
    }
    let (address, provider) = desired.map_or_else(
        || (String::new(), String::new()),
        |d| (d.address.to_string(), d.address.owner.clone()),
    );
    StateResource {
        address,
        kind: crate::kind_name(kind),
        provider,
        region,
        name,
        attributes: attrs,
        tags,
        pending: None,
        observed: None,
    }
}

/// The principal an IAM policy is attached to: the desired one when an attachment names it,
/// else the only attachment's role or user, as an ARN in the policy's account.
fn principal(policy_arn: &str, helpers: &[&TfResource], desired: Option<&Value>) -> Option<Value> {
    let attached: Vec<(&str, &str)> = helpers
        .iter()
        .filter_map(|h| match h.resource_type.as_str() {
            "aws_iam_role_policy_attachment" => text(&h.values, "role").map(|r| ("role", r)),
            "aws_iam_user_policy_attachment" => text(&h.values, "user").map(|u| ("user", u)),
            _ => None,
        })
        .collect();
    if let Some(d) = desired.and_then(Value::as_str) {
        let resource = d.splitn(6, ':').nth(5).unwrap_or_default();
        let wanted = resource
            .split_once('/')
            .map(|(k, path)| (k, path.rsplit('/').next().unwrap_or(path)));
        if wanted.is_some_and(|w| attached.contains(&w)) {
            return Some(Value::String(d.to_string()));
        }
    }
    let [(kind, name)] = attached.as_slice() else {
        return None;
    };
    let parts: Vec<&str> = policy_arn.splitn(6, ':').collect();
    let (partition, account) = match parts.as_slice() {
        ["arn", partition, "iam", _, account, _] => (*partition, *account),
        _ => return None,
    };
    Some(Value::String(format!(
        "arn:{partition}:iam::{account}:{kind}/{name}"
    )))
}

/// An IAM policy document (a JSON string, as Terraform holds it) in Meridian's form: lists
/// of actions and resources as arrays, a single condition value as a string, ids of imported
/// resources as references. When it means the same as the desired document, the desired
/// one is returned.
fn policy_document(policy: &Value, ids: &Ids, desired: Option<&Value>) -> Value {
    let parsed = match policy {
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(v) => v,
            Err(_) => return policy.clone(),
        },
        other => other.clone(),
    };
    let Value::Object(mut doc) = parsed else {
        return policy.clone();
    };
    if let Some(statements) = doc.get_mut("Statement") {
        if let Value::Object(single) = statements {
            *statements = Value::Array(vec![Value::Object(std::mem::take(single))]);
        }
        if let Value::Array(items) = statements {
            for s in items.iter_mut() {
                if let Value::Object(s) = s {
                    statement(s, ids);
                }
            }
        }
    }
    let observed = Value::Object(doc);
    match desired {
        Some(d) if canonical(d) == canonical(&observed) => d.clone(),
        _ => observed,
    }
}

fn statement(s: &mut Map<String, Value>, ids: &Ids) {
    for key in ["Action", "NotAction", "Resource", "NotResource"] {
        if let Some(v) = s.get_mut(key) {
            let list = match std::mem::take(v) {
                Value::Array(items) => items,
                other => vec![other],
            };
            *v = Value::Array(list.iter().map(|x| ids.resolve(x)).collect());
        }
    }
    if let Some(Value::Object(tests)) = s.get_mut("Condition") {
        for vars in tests.values_mut() {
            if let Value::Object(vars) = vars {
                for values in vars.values_mut() {
                    *values = match std::mem::take(values) {
                        Value::Array(items) if items.len() == 1 => ids.resolve(&items[0]),
                        Value::Array(items) => {
                            Value::Array(items.iter().map(|x| ids.resolve(x)).collect())
                        }
                        other => ids.resolve(&other),
                    };
                }
            }
        }
    }
}

/// A policy document as a value whose arrays are sorted: documents that differ only in the
/// order of statements, actions, resources or condition values compare equal.
fn canonical(v: &Value) -> Value {
    match v {
        Value::Array(items) => {
            let mut items: Vec<Value> = items.iter().map(canonical).collect();
            items.sort_by_cached_key(Value::to_string);
            Value::Array(items)
        }
        Value::Object(m) if as_reference(v).is_none() => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    let x = canonical(x);
                    let x = match x {
                        Value::Array(items) if items.len() == 1 && k != "Statement" => {
                            items.into_iter().next().unwrap_or(Value::Null)
                        }
                        other => other,
                    };
                    (k.clone(), x)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The attributes that identify a resource of a kind, besides what every match compares
/// (the kind): a resource without Meridian's tag is matched to the desired resource whose
/// identity is the same.
fn identity(r: &StateResource, kind: Kind) -> Vec<Value> {
    let attr = |k: &str| r.attributes.get(k).cloned().unwrap_or(Value::Null);
    let name = || Value::String(r.name.clone());
    let region = || r.region.clone().map_or(Value::Null, Value::String);
    match kind {
        Kind::AzureAccount => vec![attr("custom_subdomain_name"), region()],
        Kind::AzureDeployment => vec![attr("cognitive_account_id"), name()],
        Kind::AzureRoleAssignment => vec![
            attr("scope"),
            attr("role_definition_name"),
            attr("principal_id"),
        ],
        Kind::AzureDiagnosticSetting => vec![attr("target_resource_id"), name()],
        Kind::AwsInferenceProfile => vec![attr("name"), region()],
        Kind::AwsProvisionedThroughput => vec![attr("provisioned_model_name"), region()],
        Kind::AwsIamPolicy | Kind::RouterDeployment => vec![name()],
        Kind::AzurePrivateEndpoint => vec![attr("subnet_id"), name()],
        Kind::AzurePrivateDnsZone => vec![attr("resource_group_name"), name()],
        Kind::AwsLogLifecycle => vec![attr("bucket")],
        Kind::AwsVpcEndpoint => vec![attr("service_name"), attr("subnet_ids")],
        Kind::GcpLogDataset => vec![attr("project"), attr("dataset_id")],
        Kind::GcpRequestLogging => vec![attr("project"), attr("location"), attr("model")],
        Kind::AwsInvocationLogging => vec![attr("region")],
        Kind::GcpService => vec![attr("project"), attr("service")],
        Kind::GcpIamMember => vec![attr("project"), attr("role"), attr("member")],
    }
}

/// What identifies a kind, for messages.
fn identity_words(kind: Kind) -> &'static str {
    match kind {
        Kind::AzureAccount => "custom subdomain and location",
        Kind::AzureDeployment => "account and name",
        Kind::AzureRoleAssignment => "scope, role and principal",
        Kind::AzureDiagnosticSetting => "target resource and name",
        Kind::AwsInferenceProfile => "name and region",
        Kind::AwsProvisionedThroughput => "provisioned model name and region",
        Kind::AwsIamPolicy | Kind::RouterDeployment => "name",
        Kind::AzurePrivateEndpoint => "subnet and name",
        Kind::AzurePrivateDnsZone => "resource group and zone name",
        Kind::AwsLogLifecycle => "bucket",
        Kind::AwsVpcEndpoint => "service and subnets",
        Kind::GcpLogDataset => "project and dataset id",
        Kind::GcpRequestLogging => "project, location and model",
        Kind::AwsInvocationLogging => "region",
        Kind::GcpService => "project and service",
        Kind::GcpIamMember => "project, role and member",
    }
}

/// Records the resources of `doc` that Meridian generates under Meridian's addresses.
///
/// `desired` are the spec's resources (the graph, in any order); `project` is the spec's
/// project name (a resource tagged for another Meridian project is not imported); `prior`
/// is the current state, whose addresses must not be claimed again.
pub fn import(
    doc: &ShowDocument,
    desired: &[Resource],
    project: &str,
    prior: Option<&State>,
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport {
        imported: Vec::new(),
        merged: Vec::new(),
        router_entries: Vec::new(),
        skipped: Vec::new(),
        not_imported: Vec::new(),
        records: Vec::new(),
    };
    let wanted: HashMap<&Address, &Resource> = desired.iter().map(|r| (&r.address, r)).collect();
    let mut primary: Vec<(Kind, &TfResource)> = Vec::new();
    let mut helpers: Vec<&TfResource> = Vec::new();
    for tf in &doc.resources {
        if tf.mode != "managed" {
            report.skipped.push(left(
                tf,
                "a data source: Terraform reads it, Meridian records only managed resources",
            ));
            continue;
        }
        if let Some(kind) = kind_of_type(&tf.resource_type) {
            primary.push((kind, tf));
        } else if HELPER_TYPES.contains(&tf.resource_type.as_str()) {
            helpers.push(tf);
        } else {
            report.skipped.push(left(
                tf,
                &format!("Meridian does not manage {} resources", tf.resource_type),
            ));
        }
    }
    // Helper resources by the id of what they belong to.
    let mut by_owner: HashMap<String, Vec<&TfResource>> = HashMap::new();
    let mut helper_owner: Vec<(&TfResource, Option<String>)> = Vec::new();
    for h in &helpers {
        let zone;
        let owner = match h.resource_type.as_str() {
            "azurerm_private_dns_zone_virtual_network_link" => {
                zone = zone_key(
                    text(&h.values, "resource_group_name").unwrap_or_default(),
                    text(&h.values, "private_dns_zone_name").unwrap_or_default(),
                );
                Some(zone.as_str())
            }
            "azurerm_cognitive_account_customer_managed_key" => {
                text(&h.values, "cognitive_account_id")
            }
            _ => text(&h.values, "policy_arn"),
        };
        if let Some(o) = owner {
            by_owner.entry(id_key(o)).or_default().push(h);
        }
        helper_owner.push((h, owner.map(id_key)));
    }
    // An account's private endpoint also says which subnet the account is reached from.
    for (_, tf) in primary
        .iter()
        .filter(|(k, _)| *k == Kind::AzurePrivateEndpoint)
    {
        if let Some(o) = block(&tf.values, "private_service_connection")
            .and_then(|c| text(c, "private_connection_resource_id"))
        {
            by_owner.entry(id_key(o)).or_default().push(tf);
        }
    }
    // Account identities, to recognise the role assignment that lets an account use its key.
    let identities: HashMap<String, String> = primary
        .iter()
        .filter(|(k, _)| *k == Kind::AzureAccount)
        .filter_map(|(_, tf)| {
            let p = block(&tf.values, "identity").and_then(|i| text(i, "principal_id"))?;
            Some((
                p.to_ascii_lowercase(),
                text(&tf.values, "id").unwrap_or_default().to_string(),
            ))
        })
        .collect();
    let in_state: HashSet<&str> = prior
        .map(|s| s.resources.iter().map(|r| r.address.as_str()).collect())
        .unwrap_or_default();
    let mut ids = Ids::default();
    let mut claimed: HashMap<String, String> = HashMap::new();
    // Owner id (lower-cased for ARM ids) → the address it was imported at.
    let mut owners: HashMap<String, String> = HashMap::new();
    let mut key_access: Vec<(&TfResource, String)> = Vec::new();
    let order = primary
        .iter()
        .filter(|(k, _)| is_referenced(*k))
        .chain(primary.iter().filter(|(k, _)| !is_referenced(*k)));
    for &(kind, tf) in order {
        if kind == Kind::AzureRoleAssignment {
            let principal = text(&tf.values, "principal_id").map(str::to_ascii_lowercase);
            if let Some(account) = principal.and_then(|p| identities.get(&p)) {
                key_access.push((tf, id_key(account)));
                continue;
            }
        }
        let empty = HashMap::new();
        let cx = Context {
            ids: &ids,
            helpers: if matches!(
                kind,
                Kind::AzureAccount | Kind::AwsIamPolicy | Kind::AzurePrivateDnsZone
            ) {
                &by_owner
            } else {
                &empty
            },
        };
        let found = match locate(kind, tf, desired, &wanted, project, &cx) {
            Ok(found) => found,
            Err(reason) => {
                report.not_imported.push(left(tf, &reason));
                continue;
            }
        };
        let (address, matched_by) = found;
        let target = wanted.get(&address).copied().filter(|d| d.kind == kind);
        let mut record = convert(kind, tf, target, &cx);
        record.address = address.to_string();
        record.provider.clone_from(&address.owner);
        if let Some(first) = claimed.get(&record.address) {
            return Err(ImportError::Duplicate {
                address: record.address,
                first: first.clone(),
                second: tf.address.clone(),
            });
        }
        if in_state.contains(record.address.as_str()) {
            return Err(ImportError::InState {
                address: record.address,
                terraform_address: tf.address.clone(),
            });
        }
        claimed.insert(record.address.clone(), tf.address.clone());
        let v = &tf.values;
        match kind {
            Kind::AzureAccount => {
                ids.add(text(v, "id"), &address, "id");
                if let Some(id) = text(v, "id") {
                    ids.accounts.insert(
                        id_key(id),
                        (
                            record.region.clone(),
                            block(v, "identity")
                                .and_then(|i| text(i, "principal_id"))
                                .map(str::to_string),
                        ),
                    );
                    owners.insert(id_key(id), record.address.clone());
                }
            }
            Kind::AwsInferenceProfile => ids.add(text(v, "arn"), &address, "arn"),
            Kind::AzurePrivateDnsZone => {
                ids.add(text(v, "id"), &address, "id");
                if let Some(rg) = text(v, "resource_group_name") {
                    owners.insert(
                        zone_key(rg, text(v, "name").unwrap_or_default()),
                        record.address.clone(),
                    );
                }
            }
            Kind::AwsVpcEndpoint => ids.add(text(v, "id"), &address, "id"),
            Kind::AwsProvisionedThroughput => {
                ids.add(
                    text(v, "provisioned_model_arn"),
                    &address,
                    "provisioned_model_arn",
                );
                ids.add(text(v, "id"), &address, "provisioned_model_arn");
            }
            Kind::AwsIamPolicy => {
                if let Some(arn) = text(v, "arn").or_else(|| text(v, "id")) {
                    owners.insert(id_key(arn), record.address.clone());
                }
            }
            _ => {}
        }
        report.imported.push(Imported {
            address: record.address.clone(),
            terraform_address: tf.address.clone(),
            terraform_type: tf.resource_type.clone(),
            matched_by,
            desired: target.is_some(),
        });
        report.records.push(record);
    }
    for (h, owner) in helper_owner {
        match owner.as_ref().and_then(|o| owners.get(o)) {
            Some(into) => report.merged.push(Merged {
                terraform_address: h.address.clone(),
                terraform_type: h.resource_type.clone(),
                into: into.clone(),
            }),
            None => report.not_imported.push(left(
                h,
                "it belongs to no imported resource (it is read into the account or policy it serves)",
            )),
        }
    }
    for (tf, account) in key_access {
        match owners.get(&account) {
            Some(into) => report.merged.push(Merged {
                terraform_address: tf.address.clone(),
                terraform_type: tf.resource_type.clone(),
                into: into.clone(),
            }),
            None => report.not_imported.push(left(
                tf,
                "it grants an AI account's identity access to its key, and that account was not imported",
            )),
        }
    }
    // Router entries: part of the generated router configuration, not of Terraform.
    let served: HashSet<&str> = claimed
        .keys()
        .map(String::as_str)
        .chain(in_state.iter().copied())
        .collect();
    for r in desired.iter().filter(|r| r.kind == Kind::RouterDeployment) {
        let address = r.address.to_string();
        let serves = r.attrs.get("serves_with").and_then(Value::as_str);
        if serves.is_some_and(|s| served.contains(s)) && !in_state.contains(address.as_str()) {
            report.records.push(to_state(r));
            report.router_entries.push(address);
        }
    }
    report.records.sort_by(|a, b| a.address.cmp(&b.address));
    Ok(report)
}

fn left(tf: &TfResource, reason: &str) -> Left {
    Left {
        terraform_address: tf.address.clone(),
        terraform_type: tf.resource_type.clone(),
        reason: reason.to_string(),
    }
}

/// The address of a resource: its tag, or the desired resource with the same identity. The
/// error is why it cannot be imported.
fn locate(
    kind: Kind,
    tf: &TfResource,
    desired: &[Resource],
    wanted: &HashMap<&Address, &Resource>,
    project: &str,
    cx: &Context<'_>,
) -> Result<(Address, MatchedBy), String> {
    let v = &tf.values;
    if taggable(kind) {
        let tags = [tags_of(v, "tags"), tags_of(v, "tags_all")];
        let tag = |key: &str| tags.iter().flatten().find_map(|t| t.get(key).cloned());
        if let Some(raw) = tag(ADDRESS_TAG) {
            let address: Address = raw.parse().map_err(|_| {
                format!("its {ADDRESS_TAG} tag \"{raw}\" is not a Meridian address")
            })?;
            if address.kind != kind.address_kind() {
                return Err(format!(
                    "its {ADDRESS_TAG} tag names {address}, which is not a {} address",
                    kind.address_kind()
                ));
            }
            if let Some(other) = tag(PROJECT_TAG).filter(|p| p != project) {
                return Err(format!(
                    "it belongs to the Meridian project \"{other}\", not \"{project}\""
                ));
            }
            if let Some(d) = wanted.get(&address) {
                if d.kind != kind {
                    return Err(format!(
                        "its {ADDRESS_TAG} tag names {address}, which the spec wants as a {}",
                        d.kind.terraform_type().unwrap_or("router entry")
                    ));
                }
            }
            return Ok((address, MatchedBy::Tag));
        }
    }
    let observed = convert(kind, tf, None, cx);
    let me = identity(&observed, kind);
    let candidates: Vec<&Resource> = desired
        .iter()
        .filter(|d| d.kind == kind && identity(&to_state(d), kind) == me)
        .collect();
    let chosen = match candidates.as_slice() {
        [one] => Some(*one),
        [] => None,
        many => {
            let exact: Vec<&&Resource> = many
                .iter()
                .filter(|d| {
                    let mut expected = to_state(d);
                    expected.tags.clear();
                    let mut seen = convert(kind, tf, Some(d), cx);
                    seen.tags.clear();
                    seen.attributes == expected.attributes
                })
                .collect();
            match exact.as_slice() {
                [one] => Some(**one),
                _ => {
                    let names: BTreeSet<String> =
                        many.iter().map(|d| d.address.to_string()).collect();
                    return Err(format!(
                        "its {} match several resources of the spec ({}); tag it with {ADDRESS_TAG}",
                        identity_words(kind),
                        names.into_iter().collect::<Vec<_>>().join(", ")
                    ));
                }
            }
        }
    };
    if let Some(d) = chosen {
        return Ok((d.address.clone(), MatchedBy::Attributes));
    }
    let unresolved = ["cognitive_account_id", "scope", "target_resource_id"]
        .iter()
        .find_map(|k| observed.attributes.get(*k).and_then(Value::as_str));
    Err(match unresolved {
        Some(id) => format!("it belongs to {id}, which is not an imported Meridian resource"),
        None if taggable(kind) => format!(
            "it has no {ADDRESS_TAG} tag, and no resource of the spec has the same {}",
            identity_words(kind)
        ),
        None => format!(
            "{} takes no tags, and no resource of the spec has the same {}",
            tf.resource_type,
            identity_words(kind)
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(resources: &Value) -> String {
        json!({
            "format_version": "1.0",
            "terraform_version": "1.9.8",
            "values": {"root_module": {"resources": resources}}
        })
        .to_string()
    }

    fn tf(address: &str, ty: &str, values: &Value) -> Value {
        json!({
            "address": address, "mode": "managed", "type": ty, "name": "x",
            "provider_name": "registry.terraform.io/hashicorp/azurerm",
            "schema_version": 0, "values": values, "sensitive_values": {}
        })
    }

    fn account() -> Resource {
        let address: Address = "azure.corp.account.swedencentral".parse().expect("address");
        let mut attrs = BTreeMap::new();
        for (k, v) in [
            ("location", json!("swedencentral")),
            ("resource_group_name", json!("rg")),
            ("subscription_id", json!("sub-1")),
            ("kind", json!("AIServices")),
            ("sku_name", json!("S0")),
            ("custom_subdomain_name", json!("acct")),
            ("local_auth_enabled", json!(false)),
            ("public_network_access_enabled", json!(false)),
            ("identity_type", json!("SystemAssigned")),
            ("allowed_ips", json!(["10.0.0.1"])),
        ] {
            attrs.insert(k.to_string(), v);
        }
        let mut tags = BTreeMap::new();
        tags.insert("managed-by".to_string(), "meridian".to_string());
        tags.insert("meridian-project".to_string(), "p".to_string());
        tags.insert(ADDRESS_TAG.to_string(), address.to_string());
        Resource {
            address,
            kind: Kind::AzureAccount,
            region: Some("swedencentral".into()),
            name: "acct".into(),
            attrs,
            tags,
            origin: "x".into(),
        }
    }

    fn deployment(account: &Resource) -> Resource {
        let mut attrs = BTreeMap::new();
        attrs.insert(
            "cognitive_account_id".to_string(),
            reference(&account.address, "id"),
        );
        for (k, v) in [
            ("model_format", json!("OpenAI")),
            ("model_name", json!("gpt")),
            ("model_version", json!("1")),
            ("sku_name", json!("Standard")),
            ("sku_capacity", json!(10)),
            ("version_upgrade_option", json!("NoAutoUpgrade")),
            ("rai_policy_name", json!("Microsoft.DefaultV2")),
        ] {
            attrs.insert(k.to_string(), v);
        }
        Resource {
            address: "azure.corp.deployment.m-t".parse().expect("address"),
            kind: Kind::AzureDeployment,
            region: Some("swedencentral".into()),
            name: "m-t".into(),
            attrs,
            tags: account.tags.clone(),
            origin: "y".into(),
        }
    }

    const ACCOUNT_ID: &str =
        "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/acct";

    fn account_values(address_tag: &str) -> Value {
        json!({
            "id": ACCOUNT_ID,
            "name": "acct", "location": "swedencentral", "resource_group_name": "rg",
            "kind": "AIServices", "sku_name": "S0", "custom_subdomain_name": "acct",
            "local_auth_enabled": false, "public_network_access_enabled": false,
            "identity": [{"type": "SystemAssigned", "principal_id": "pid-1"}],
            "network_acls": [{"default_action": "Deny", "ip_rules": []}],
            "tags": {"managed-by": "meridian", "meridian-project": "p", ADDRESS_TAG: address_tag}
        })
    }

    fn deployment_values(account_id: &str) -> Value {
        json!({
            "id": format!("{account_id}/deployments/m-t"),
            "name": "m-t", "cognitive_account_id": account_id,
            "version_upgrade_option": "NoAutoUpgrade", "rai_policy_name": "Microsoft.DefaultV2",
            "model": [{"format": "OpenAI", "name": "gpt", "version": "1"}],
            "sku": [{"name": "Standard", "capacity": 10}]
        })
    }

    #[test]
    fn converts_blocks_and_references_back_to_the_desired_form() {
        let a = account();
        let d = deployment(&a);
        let text = doc(&json!([
            tf(
                "azurerm_cognitive_deployment.d",
                "azurerm_cognitive_deployment",
                &deployment_values(&ACCOUNT_ID.to_uppercase())
            ),
            tf(
                "azurerm_cognitive_account.a",
                "azurerm_cognitive_account",
                &account_values("azure.corp.account.swedencentral")
            ),
        ]));
        let parsed = parse_show_json(&text).expect("parse");
        let report = import(&parsed, &[a.clone(), d.clone()], "p", None).expect("import");
        assert_eq!(report.records, vec![to_state(&a), to_state(&d)]);
        assert_eq!(report.imported[0].matched_by, MatchedBy::Tag);
        assert_eq!(report.imported[1].matched_by, MatchedBy::Attributes);
        let state = report.next_state(None, "0.1.0").expect("serial");
        assert_eq!(state.serial, 1);
        assert_eq!(state.resources.len(), 2);
    }

    #[test]
    fn refuses_addresses_already_in_state_and_claimed_twice() {
        let a = account();
        let text = doc(&json!([tf(
            "azurerm_cognitive_account.a",
            "azurerm_cognitive_account",
            &account_values("azure.corp.account.swedencentral")
        )]));
        let parsed = parse_show_json(&text).expect("parse");
        let mut prior = State::new("0.1.0");
        prior.resources.push(to_state(&a));
        let err =
            import(&parsed, std::slice::from_ref(&a), "p", Some(&prior)).expect_err("conflict");
        assert_eq!(
            err,
            ImportError::InState {
                address: "azure.corp.account.swedencentral".into(),
                terraform_address: "azurerm_cognitive_account.a".into()
            }
        );
        let text = doc(&json!([
            tf(
                "azurerm_cognitive_account.a",
                "azurerm_cognitive_account",
                &account_values("azure.corp.account.swedencentral")
            ),
            tf(
                "azurerm_cognitive_account.b",
                "azurerm_cognitive_account",
                &account_values("azure.corp.account.swedencentral")
            ),
        ]));
        let err = import(&parse_show_json(&text).expect("parse"), &[a], "p", None)
            .expect_err("duplicate");
        assert!(err.to_string().contains(
            "azurerm_cognitive_account.a and azurerm_cognitive_account.b both map to azure.corp.account.swedencentral"
        ), "{err}");
    }

    #[test]
    fn leaves_out_what_it_cannot_place_and_says_why() {
        let a = account();
        let d = deployment(&a);
        let text = doc(&json!([
            tf("azurerm_cognitive_deployment.d", "azurerm_cognitive_deployment",
               &deployment_values("/subscriptions/other/x")),
            tf("azurerm_cognitive_account.other", "azurerm_cognitive_account",
               &account_values("azure.corp.account.swedencentral")
                   .as_object().map(|o| {
                       let mut o = o.clone();
                       o.insert("tags".into(), json!({"meridian-project": "q", ADDRESS_TAG: "azure.corp.account.x"}));
                       Value::Object(o)
                   }).unwrap_or_default()),
            tf("azurerm_key_vault.k", "azurerm_key_vault", &json!({})),
            {"address": "data.azurerm_client_config.c", "mode": "data", "type": "azurerm_client_config", "name": "c", "values": {}},
        ]));
        let report =
            import(&parse_show_json(&text).expect("parse"), &[a, d], "p", None).expect("import");
        assert!(report.records.is_empty());
        let reasons: Vec<(&str, &str)> = report
            .not_imported
            .iter()
            .map(|l| (l.terraform_address.as_str(), l.reason.as_str()))
            .collect();
        assert_eq!(reasons, vec![
            ("azurerm_cognitive_account.other", "it belongs to the Meridian project \"q\", not \"p\""),
            ("azurerm_cognitive_deployment.d", "it belongs to /subscriptions/other/x, which is not an imported Meridian resource"),
        ]);
        let skipped: Vec<&str> = report.skipped.iter().map(|l| l.reason.as_str()).collect();
        assert_eq!(
            skipped,
            vec![
                "Meridian does not manage azurerm_key_vault resources",
                "a data source: Terraform reads it, Meridian records only managed resources",
            ]
        );
    }

    #[test]
    fn reads_child_modules_and_rejects_bad_documents() {
        let text = json!({
            "format_version": "1.2",
            "values": {"root_module": {"child_modules": [{"address": "module.m", "resources": [
                {"address": "module.m.google_project_service.s[0]", "mode": "managed",
                 "type": "google_project_service", "index": 0, "values": {"project": "p", "service": "s"}}
            ]}]}}
        })
        .to_string();
        let parsed = parse_show_json(&text).expect("parse");
        assert_eq!(
            parsed.resources[0].address,
            "module.m.google_project_service.s[0]"
        );
        assert!(parse_show_json("{\"format_version\":\"1.0\"}")
            .expect("empty")
            .resources
            .is_empty());
        assert_eq!(
            parse_show_json("{\"format_version\": \"2.0\", \"values\": {}}"),
            Err(ImportError::FormatVersion {
                found: "2.0".into()
            })
        );
        match parse_show_json("{\n  \"format_version\": \"1.0\",\n  \"values\": [}\n") {
            Err(ImportError::NotJson { line, column, .. }) => assert_eq!((line, column), (3, 14)),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse_show_json("{\"format_version\":\"1.0\",\"planned_values\":{}}"),
            Err(ImportError::Plan)
        );
        let err = parse_show_json(
            "{\"format_version\":\"1.0\",\"values\":{\"root_module\":{\"resources\":[{\"mode\":\"managed\"}]}}}",
        )
        .expect_err("shape");
        assert_eq!(
            err.to_string(),
            "not the output of `terraform show -json`: values.root_module.resources[0]: it has no string \"address\""
        );
    }

    #[test]
    fn policy_documents_compare_as_documents() {
        let profile: Address = "aws.main.inference-profile.m-t".parse().expect("address");
        let mut ids = Ids::default();
        ids.add(
            Some("arn:aws:bedrock:eu-west-1:1:application-inference-profile/abc"),
            &profile,
            "arn",
        );
        let desired = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "P", "Effect": "Allow", "Action": ["b:A", "b:B"], "Resource": [reference(&profile, "arn")],
             "Condition": {"StringEquals": {"k": reference(&profile, "arn")}}}
        ]});
        let observed = Value::String(json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "P", "Effect": "Allow", "Action": ["b:B", "b:A"],
             "Resource": "arn:aws:bedrock:eu-west-1:1:application-inference-profile/abc",
             "Condition": {"StringEquals": {"k": "arn:aws:bedrock:eu-west-1:1:application-inference-profile/abc"}}}
        ]}).to_string());
        assert_eq!(policy_document(&observed, &ids, Some(&desired)), desired);
        let changed = Value::String(
            json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "P", "Effect": "Allow", "Action": "b:A", "Resource": "*"}
            ]})
            .to_string(),
        );
        assert_eq!(
            policy_document(&changed, &ids, Some(&desired)),
            json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "P", "Effect": "Allow", "Action": ["b:A"], "Resource": ["*"]}
            ]})
        );
    }
}
