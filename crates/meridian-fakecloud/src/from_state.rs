//! The fixture whose objects Meridian's refresh maps back to a state's resources.

use crate::fixture::{Fixture, IamBinding};
use crate::http::sha256_hex;
use meridian_state::{State, StateResource};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The AWS account id of ARNs when neither the caller nor the state names one.
pub const DEFAULT_AWS_ACCOUNT_ID: &str = "123456789012";

const DEFAULT_SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";
const DEFAULT_RESOURCE_GROUP: &str = "meridian";
const CREATED: &str = "2026-01-01T00:00:00Z";

fn text<'a>(r: &'a StateResource, attr: &str) -> Option<&'a str> {
    r.attributes.get(attr).and_then(Value::as_str)
}

fn tags_value(r: &StateResource) -> Value {
    json!(r.tags)
}

/// A short stable id derived from `seed` (lower-case hex).
fn stable_id(seed: &str, len: usize) -> String {
    sha256_hex(seed.as_bytes())[..len].to_owned()
}

/// `(partition, account)` of an ARN; the account is `None` when empty.
fn arn_parts(arn: &str) -> Option<(&str, Option<&str>)> {
    let mut it = arn.split(':');
    if it.next()? != "arn" {
        return None;
    }
    let partition = it.next()?;
    let _service = it.next()?;
    let _region = it.next()?;
    let account = it.next()?;
    Some((partition, (!account.is_empty()).then_some(account)))
}

/// The partition and account id an AWS resource's ARN-valued attributes name.
fn aws_identity(r: &StateResource) -> (Option<String>, Option<String>) {
    let mut partition = None;
    let mut account = None;
    for attr in [
        "arn",
        "provisioned_model_arn",
        "copy_from",
        "model_arn",
        "principal",
    ] {
        if let Some((p, a)) = text(r, attr).and_then(arn_parts) {
            partition.get_or_insert_with(|| p.to_owned());
            if let Some(a) = a {
                account.get_or_insert_with(|| a.to_owned());
            }
        }
    }
    (partition, account)
}

impl Fixture {
    /// A fixture holding exactly the objects Meridian's refresh maps back to the state's
    /// resources (the inverse of the mapping in the live-API contract), with the default
    /// test credentials and page size:
    ///
    /// - `azure_account` → an account in its `subscription_id` / `resource_group_name`
    ///   (defaults `00000000-0000-0000-0000-000000000000` / `meridian`), and every
    ///   `azure_deployment` whose `cognitive_account_id` refers to it (or, without such a
    ///   reference, that has its provider and region) → one of its deployments;
    /// - `aws_inference_profile` / `aws_provisioned_throughput` → an `APPLICATION`
    ///   inference profile / a provisioned model in the resource's region, with the
    ///   resource's tags under its ARN. The ARN is the `arn` / `provisioned_model_arn`
    ///   attribute when the state has one; otherwise it is built from the partition and
    ///   account: `aws_account_id` when given, else the account any ARN attribute of the
    ///   same provider names, else [`DEFAULT_AWS_ACCOUNT_ID`]. The test AWS credentials
    ///   belong to `aws_account_id`, else to the first account the state's ARNs name (STS
    ///   `GetCallerIdentity` answers with it);
    /// - `aws_invocation_logging` → the region's logging configuration;
    /// - `gcp_service` → the service `ENABLED` in its project; `gcp_iam_member` → a member
    ///   of its role's binding.
    ///
    /// Other kinds are ignored.
    pub fn from_state(state: &State, aws_account_id: Option<&str>) -> Fixture {
        let mut fixture = Fixture::default();
        let accounts_by_provider = aws_accounts(state);
        // The test credentials belong to the account the ARNs are in (one credential set
        // serves one account, as on AWS).
        if let Some(account) = aws_account_id
            .map(str::to_owned)
            .or_else(|| accounts_by_provider.values().next().cloned())
        {
            fixture.auth.aws.account_id = account;
        }
        for r in state.resources.iter().filter(|r| r.kind == "azure_account") {
            azure_account(&mut fixture, r);
        }
        for r in state
            .resources
            .iter()
            .filter(|r| r.kind == "azure_deployment")
        {
            azure_deployment(&mut fixture, state, r);
        }
        for r in &state.resources {
            let identity = || {
                let (partition, own) = aws_identity(r);
                let account = aws_account_id
                    .map(str::to_owned)
                    .or(own)
                    .or_else(|| accounts_by_provider.get(r.provider.as_str()).cloned())
                    .unwrap_or_else(|| DEFAULT_AWS_ACCOUNT_ID.to_owned());
                (partition.unwrap_or_else(|| "aws".to_owned()), account)
            };
            match r.kind.as_str() {
                "aws_inference_profile" => {
                    let (partition, account) = identity();
                    inference_profile(&mut fixture, r, &partition, &account);
                }
                "aws_provisioned_throughput" => {
                    let (partition, account) = identity();
                    provisioned_throughput(&mut fixture, r, &partition, &account);
                }
                "aws_invocation_logging" => logging(&mut fixture, r),
                "gcp_service" => {
                    let service = text(r, "service").unwrap_or(&r.name).to_owned();
                    let project = gcp_project(&mut fixture, r);
                    project.services.insert(service, "ENABLED".into());
                }
                "gcp_iam_member" => {
                    let role = text(r, "role")
                        .unwrap_or("roles/aiplatform.user")
                        .to_owned();
                    let member = text(r, "member").unwrap_or(&r.name).to_owned();
                    let project = gcp_project(&mut fixture, r);
                    match project.iam_bindings.iter_mut().find(|b| b.role == role) {
                        Some(b) => {
                            if !b.members.contains(&member) {
                                b.members.push(member);
                            }
                        }
                        None => project.iam_bindings.push(IamBinding {
                            role,
                            members: vec![member],
                        }),
                    }
                }
                _ => {}
            }
        }
        fixture
    }
}

/// The account id each AWS provider's resources name in an ARN attribute.
fn aws_accounts(state: &State) -> BTreeMap<&str, String> {
    let mut out = BTreeMap::new();
    for r in state
        .resources
        .iter()
        .filter(|r| r.kind.starts_with("aws_"))
    {
        if let (_, Some(account)) = aws_identity(r) {
            out.entry(r.provider.as_str()).or_insert(account);
        }
    }
    out
}

fn azure_location(r: &StateResource) -> String {
    text(r, "location")
        .map(str::to_owned)
        .or_else(|| r.region.clone())
        .unwrap_or_default()
}

fn azure_placement(r: &StateResource) -> (String, String) {
    (
        text(r, "subscription_id")
            .unwrap_or(DEFAULT_SUBSCRIPTION)
            .to_owned(),
        text(r, "resource_group_name")
            .unwrap_or(DEFAULT_RESOURCE_GROUP)
            .to_owned(),
    )
}

fn azure_account_id(sub: &str, rg: &str, name: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.CognitiveServices/accounts/{name}")
}

fn azure_account(fixture: &mut Fixture, r: &StateResource) {
    let (sub, rg) = azure_placement(r);
    let id = azure_account_id(&sub, &rg, &r.name);
    let subdomain = text(r, "custom_subdomain_name").unwrap_or(&r.name);
    let bool_attr = |a: &str, default: bool| {
        r.attributes
            .get(a)
            .and_then(Value::as_bool)
            .unwrap_or(default)
    };
    let ips: Vec<Value> = r
        .attributes
        .get("allowed_ips")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(|ip| json!({ "value": ip }))
                .collect()
        })
        .unwrap_or_default();
    let public = bool_attr("public_network_access_enabled", true);
    let default_action = if ips.is_empty() && public {
        "Allow"
    } else {
        "Deny"
    };
    let account = json!({
        "id": id,
        "name": r.name,
        "type": "Microsoft.CognitiveServices/accounts",
        "location": azure_location(r),
        "kind": text(r, "kind").unwrap_or("AIServices"),
        "sku": {"name": text(r, "sku_name").unwrap_or("S0")},
        "identity": {"type": text(r, "identity_type").unwrap_or("SystemAssigned")},
        "tags": tags_value(r),
        "properties": {
            "endpoint": format!("https://{subdomain}.cognitiveservices.azure.com/"),
            "customSubDomainName": subdomain,
            "publicNetworkAccess": if public { "Enabled" } else { "Disabled" },
            "disableLocalAuth": !bool_attr("local_auth_enabled", false),
            "networkAcls": {"defaultAction": default_action, "ipRules": ips},
            "provisioningState": "Succeeded",
        },
        "deployments": [],
    });
    fixture
        .azure_resource_group_mut(&sub, &rg)
        .accounts
        .push(account);
}

/// The state's account a deployment belongs to: its `cognitive_account_id` reference, else
/// the account of its provider and region.
fn owning_account<'a>(state: &'a State, d: &StateResource) -> Option<&'a StateResource> {
    let referenced = d
        .attributes
        .get("cognitive_account_id")
        .and_then(|v| v.get("$ref"))
        .and_then(Value::as_str);
    let accounts = || state.resources.iter().filter(|r| r.kind == "azure_account");
    if let Some(address) = referenced {
        if let Some(a) = accounts().find(|a| a.address == address) {
            return Some(a);
        }
    }
    if let Some(id) = text(d, "cognitive_account_id") {
        if let Some(a) = accounts().find(|a| {
            let (sub, rg) = azure_placement(a);
            azure_account_id(&sub, &rg, &a.name).eq_ignore_ascii_case(id)
        }) {
            return Some(a);
        }
    }
    let fallback = format!(
        "{}.account.{}",
        d.provider,
        d.region.as_deref().unwrap_or_default()
    );
    accounts().find(|a| a.address == fallback)
}

fn azure_deployment(fixture: &mut Fixture, state: &State, r: &StateResource) {
    let Some(account) = owning_account(state, r) else {
        return;
    };
    let (sub, rg) = azure_placement(account);
    let id = format!(
        "{}/deployments/{}",
        azure_account_id(&sub, &rg, &account.name),
        r.name
    );
    let capacity = r
        .attributes
        .get("sku_capacity")
        .cloned()
        .unwrap_or(json!(1));
    let mut properties = Map::new();
    properties.insert(
        "model".into(),
        json!({
            "format": text(r, "model_format").unwrap_or("OpenAI"),
            "name": text(r, "model_name").unwrap_or_default(),
            "version": text(r, "model_version").unwrap_or_default(),
        }),
    );
    properties.insert("provisioningState".into(), json!("Succeeded"));
    if let Some(p) = text(r, "rai_policy_name") {
        properties.insert("raiPolicyName".into(), json!(p));
    }
    if let Some(v) = text(r, "version_upgrade_option") {
        properties.insert("versionUpgradeOption".into(), json!(v));
    }
    let deployment = json!({
        "id": id,
        "name": r.name,
        "type": "Microsoft.CognitiveServices/accounts/deployments",
        "sku": {"name": text(r, "sku_name").unwrap_or("Standard"), "capacity": capacity},
        "tags": tags_value(r),
        "properties": Value::Object(properties),
    });
    if let Some(Value::Array(ds)) = fixture
        .azure_account_mut(&sub, &rg, &account.name)
        .and_then(|a| a.get_mut("deployments"))
    {
        ds.push(deployment);
    }
}

fn aws_region(r: &StateResource) -> String {
    r.region
        .clone()
        .or_else(|| text(r, "region").map(str::to_owned))
        .unwrap_or_else(|| "us-east-1".to_owned())
}

fn inference_profile(fixture: &mut Fixture, r: &StateResource, partition: &str, account: &str) {
    let region = aws_region(r);
    let id = stable_id(&r.address, 12);
    let arn = text(r, "arn").map_or_else(
        || format!("arn:{partition}:bedrock:{region}:{account}:application-inference-profile/{id}"),
        str::to_owned,
    );
    let name = text(r, "name").unwrap_or(&r.name);
    let models: Vec<Value> = text(r, "copy_from")
        .map(|from| {
            let model = match from.split_once(":inference-profile/") {
                // A system profile (`eu.anthropic.…`) routes to its foundation model.
                Some((_, profile)) => format!(
                    "arn:{partition}:bedrock:{region}::foundation-model/{}",
                    profile.split_once('.').map_or(profile, |(_, m)| m)
                ),
                None => from.to_owned(),
            };
            vec![json!({ "modelArn": model })]
        })
        .unwrap_or_default();
    let mut summary = Map::new();
    summary.insert("inferenceProfileName".into(), json!(name));
    summary.insert("inferenceProfileId".into(), json!(id));
    summary.insert("inferenceProfileArn".into(), json!(arn));
    if let Some(d) = text(r, "description") {
        summary.insert("description".into(), json!(d));
    }
    summary.insert("models".into(), Value::Array(models));
    summary.insert("status".into(), json!("ACTIVE"));
    summary.insert("type".into(), json!("APPLICATION"));
    summary.insert("createdAt".into(), json!(CREATED));
    summary.insert("updatedAt".into(), json!(CREATED));
    let data = fixture.aws_region_mut(&region);
    data.inference_profiles.push(Value::Object(summary));
    data.tags.insert(arn, r.tags.clone());
}

fn provisioned_throughput(
    fixture: &mut Fixture,
    r: &StateResource,
    partition: &str,
    account: &str,
) {
    let region = aws_region(r);
    let id = stable_id(&r.address, 12);
    let arn = text(r, "provisioned_model_arn").map_or_else(
        || format!("arn:{partition}:bedrock:{region}:{account}:provisioned-model/{id}"),
        str::to_owned,
    );
    let name = text(r, "provisioned_model_name").unwrap_or(&r.name);
    let model_arn = text(r, "model_arn").unwrap_or_default();
    let units = r.attributes.get("model_units").cloned().unwrap_or(json!(1));
    let summary = json!({
        "provisionedModelName": name,
        "provisionedModelArn": arn,
        "modelArn": model_arn,
        "foundationModelArn": model_arn,
        "modelUnits": units,
        "desiredModelUnits": units,
        "desiredModelArn": model_arn,
        "status": "InService",
        "creationTime": CREATED,
        "lastModifiedTime": CREATED,
    });
    let data = fixture.aws_region_mut(&region);
    data.provisioned_throughputs.push(summary);
    data.tags.insert(arn, r.tags.clone());
}

fn logging(fixture: &mut Fixture, r: &StateResource) {
    let region = text(r, "region").map_or_else(|| aws_region(r), str::to_owned);
    let config = json!({
        "s3Config": {
            "bucketName": text(r, "s3_bucket_name").unwrap_or_default(),
            "keyPrefix": text(r, "s3_key_prefix").unwrap_or_default(),
        },
        "textDataDeliveryEnabled": r.attributes.get("text_data_delivery_enabled").and_then(Value::as_bool).unwrap_or(true),
        "imageDataDeliveryEnabled": false,
        "embeddingDataDeliveryEnabled": false,
    });
    fixture.aws_region_mut(&region).logging = Some(config);
}

fn gcp_project<'a>(fixture: &'a mut Fixture, r: &StateResource) -> &'a mut crate::GcpProject {
    let id = text(r, "project").unwrap_or("meridian-project").to_owned();
    let project = fixture.gcp_project_mut(&id);
    if project.number.is_empty() {
        // Twelve digits, the first not zero, stable for the project id.
        let digits: String = sha256_hex(id.as_bytes())
            .bytes()
            .map(|b| char::from(b'0' + b % 10))
            .take(11)
            .collect();
        project.number = format!("1{digits}");
    }
    project
}
