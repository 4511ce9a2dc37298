//! A stand-in for `terraform apply` then `terraform show -json`, for tests without Terraform
//! or clouds: it parses the generated `.tf` files with hcl-edit, evaluates every resource and
//! data block (literals, nested blocks, references between blocks), adds the attributes the
//! providers compute (ARM ids, ARNs, principal ids, `tags_all`, the policy document's JSON as
//! the AWS provider writes it) and prints the `values` representation of the state.
//!
//! It reads only the Terraform files: nothing of Meridian's graph.

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::template::Element;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::path::Path;

/// A provider configuration: its type and literal arguments.
struct ProviderConfig {
    kind: String,
    args: Map<String, Value>,
}

/// A resource or data block to evaluate.
struct Pending {
    mode: &'static str,
    ty: String,
    name: String,
    provider: Option<String>,
    body: Body,
}

impl Pending {
    fn key(&self) -> String {
        if self.mode == "data" {
            format!("data.{}.{}", self.ty, self.name)
        } else {
            format!("{}.{}", self.ty, self.name)
        }
    }
}

/// A reference to a block not evaluated yet.
struct Missing;

/// The `terraform show -json` document of the Terraform files in `dir`, as if applied. With
/// `module`, the resources sit in that child module (`module.ai`), as when the generated
/// directory is called as a module.
pub fn show_json(dir: &Path, module: Option<&str>) -> Value {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("terraform dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort();
    let mut providers: HashMap<String, ProviderConfig> = HashMap::new();
    let mut pending: Vec<Pending> = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read tf");
        let body = hcl_edit::parser::parse_body(&text).expect("generated Terraform parses");
        for structure in body.iter() {
            let Structure::Block(block) = structure else {
                continue;
            };
            let labels: Vec<String> = block
                .labels
                .iter()
                .map(|l| l.as_str().to_string())
                .collect();
            match block.ident.value().as_str() {
                "provider" => {
                    let args = literal_args(block);
                    let alias = args
                        .get("alias")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    providers.insert(
                        format!("{}.{alias}", labels[0]),
                        ProviderConfig {
                            kind: labels[0].clone(),
                            args,
                        },
                    );
                }
                kind @ ("resource" | "data") => pending.push(Pending {
                    mode: if kind == "data" { "data" } else { "managed" },
                    ty: labels[0].clone(),
                    name: labels[1].clone(),
                    provider: provider_of(block),
                    body: block.body.clone(),
                }),
                _ => {}
            }
        }
    }
    let mut known: HashMap<String, Value> = HashMap::new();
    let mut done: Vec<(usize, Value)> = Vec::new();
    let mut left: Vec<usize> = (0..pending.len()).collect();
    while !left.is_empty() {
        let before = left.len();
        left.retain(|&i| {
            let p = &pending[i];
            let Ok(mut values) = body_values(&p.body, &known) else {
                return true;
            };
            let config = p.provider.as_ref().and_then(|a| providers.get(a));
            compute(p, config, &mut values);
            let values = Value::Object(values);
            known.insert(p.key(), values.clone());
            done.push((i, values));
            false
        });
        assert!(
            left.len() < before,
            "references that never resolve: {:?}",
            left.iter().map(|&i| pending[i].key()).collect::<Vec<_>>()
        );
    }
    done.sort_by_key(|(i, _)| *i);
    let prefix = module.map(|m| format!("{m}.")).unwrap_or_default();
    let resources: Vec<Value> = done
        .into_iter()
        .map(|(i, values)| {
            let p = &pending[i];
            let provider = p
                .provider
                .as_ref()
                .and_then(|a| providers.get(a))
                .map_or("terraform", |c| c.kind.as_str());
            let mut sensitive = Map::new();
            if p.ty == "azurerm_cognitive_account" {
                sensitive.insert("primary_access_key".into(), Value::Bool(true));
                sensitive.insert("secondary_access_key".into(), Value::Bool(true));
            }
            json!({
                "address": format!("{prefix}{}", p.key()),
                "mode": p.mode,
                "type": p.ty,
                "name": p.name,
                "provider_name": format!("registry.terraform.io/hashicorp/{provider}"),
                "schema_version": 0,
                "values": values,
                "sensitive_values": sensitive,
            })
        })
        .collect();
    let root = match module {
        None => json!({ "resources": resources }),
        Some(m) => json!({ "child_modules": [{ "address": m, "resources": resources }] }),
    };
    json!({
        "format_version": "1.0",
        "terraform_version": "1.9.8",
        "values": { "outputs": {}, "root_module": root },
    })
}

/// The provider alias a block names: `provider = aws.corp_eu_west_1` → `aws.corp_eu_west_1`.
fn provider_of(block: &Block) -> Option<String> {
    block.body.iter().find_map(|s| match s {
        Structure::Attribute(a) if a.key.value().as_str() == "provider" => match &a.value {
            Expression::Traversal(t) => {
                let Expression::Variable(root) = &t.expr else {
                    return None;
                };
                let alias = t.operators.iter().find_map(|o| match o.value() {
                    TraversalOperator::GetAttr(id) => Some(id.value().as_str().to_string()),
                    _ => None,
                })?;
                Some(format!("{}.{alias}", root.value().as_str()))
            }
            _ => None,
        },
        _ => None,
    })
}

fn literal_args(block: &Block) -> Map<String, Value> {
    let known = HashMap::new();
    let mut out = Map::new();
    for s in block.body.iter() {
        if let Structure::Attribute(a) = s {
            if let Ok(v) = eval(&a.value, &known) {
                out.insert(a.key.value().as_str().to_string(), v);
            }
        }
    }
    out
}

const META: [&str; 4] = ["provider", "depends_on", "count", "for_each"];

/// A block body as Terraform holds it: arguments by name, nested blocks as arrays of objects.
fn body_values(body: &Body, known: &HashMap<String, Value>) -> Result<Map<String, Value>, Missing> {
    let mut out = Map::new();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                let key = a.key.value().as_str();
                if !META.contains(&key) {
                    out.insert(key.to_string(), eval(&a.value, known)?);
                }
            }
            Structure::Block(b) => {
                let ident = b.ident.value().as_str();
                if ident == "lifecycle" {
                    continue;
                }
                let value = Value::Object(body_values(&b.body, known)?);
                match out
                    .entry(ident.to_string())
                    .or_insert_with(|| Value::Array(Vec::new()))
                {
                    Value::Array(items) => items.push(value),
                    _ => unreachable!("a block name is also an argument"),
                }
            }
        }
    }
    Ok(out)
}

fn eval(expr: &Expression, known: &HashMap<String, Value>) -> Result<Value, Missing> {
    Ok(match expr {
        Expression::Null(_) => Value::Null,
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::Number(n) => {
            let n = n.value();
            if let Some(u) = n.as_u64() {
                json!(u)
            } else if let Some(i) = n.as_i64() {
                json!(i)
            } else {
                json!(n.as_f64().expect("number"))
            }
        }
        Expression::String(s) => Value::String(s.value().clone()),
        Expression::StringTemplate(t) => {
            let mut s = String::new();
            for e in t.iter() {
                match e {
                    Element::Literal(l) => s.push_str(l.value()),
                    Element::Interpolation(i) => match eval(&i.expr, known)? {
                        Value::String(v) => s.push_str(&v),
                        other => s.push_str(&other.to_string()),
                    },
                    Element::Directive(_) => panic!("template directives are not generated"),
                }
            }
            Value::String(s)
        }
        Expression::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| eval(i, known))
                .collect::<Result<_, _>>()?,
        ),
        Expression::Object(obj) => {
            let mut out = Map::new();
            for (k, v) in obj.iter() {
                let key = match k {
                    ObjectKey::Ident(id) => id.value().as_str().to_string(),
                    ObjectKey::Expression(e) => match eval(e, known)? {
                        Value::String(s) => s,
                        other => panic!("object key {other}"),
                    },
                };
                out.insert(key, eval(v.expr(), known)?);
            }
            Value::Object(out)
        }
        Expression::Parenthesis(p) => eval(p.inner(), known)?,
        Expression::Traversal(t) => {
            let Expression::Variable(root) = &t.expr else {
                panic!("unsupported traversal");
            };
            let names: Vec<Option<String>> = t
                .operators
                .iter()
                .map(|o| match o.value() {
                    TraversalOperator::GetAttr(id) => Some(id.value().as_str().to_string()),
                    _ => None,
                })
                .collect();
            let root = root.value().as_str();
            let (key, skip) = if root == "data" {
                (
                    format!(
                        "data.{}.{}",
                        names[0].clone().expect("type"),
                        names[1].clone().expect("name")
                    ),
                    2,
                )
            } else {
                (format!("{root}.{}", names[0].clone().expect("name")), 1)
            };
            let mut v = known.get(&key).ok_or(Missing)?.clone();
            for op in t.operators.iter().skip(skip) {
                v = match op.value() {
                    TraversalOperator::GetAttr(id) => v
                        .get(id.value().as_str())
                        .cloned()
                        .unwrap_or_else(|| panic!("{key} has no {}", id.value().as_str())),
                    TraversalOperator::Index(e) => {
                        let i = eval(e, known)?.as_u64().expect("index") as usize;
                        v.get(i).cloned().expect("index in range")
                    }
                    TraversalOperator::LegacyIndex(i) => {
                        v.get(*i.value() as usize).cloned().expect("index in range")
                    }
                    _ => panic!("splat operators are not generated"),
                };
            }
            v
        }
        other => panic!("unsupported expression in generated Terraform: {other:?}"),
    })
}

/// A deterministic hex string of `len` digits for `seed` (FNV-1a, chained).
fn hex(seed: &str, len: usize) -> String {
    let mut out = String::new();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut round = 0u8;
    while out.len() < len {
        for b in seed.bytes().chain([round]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        out.push_str(&format!("{h:016x}"));
        round += 1;
    }
    out.truncate(len);
    out
}

fn uuid(seed: &str) -> String {
    let h = hex(seed, 32);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

fn s<'a>(v: &'a Map<String, Value>, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The attributes a provider computes on apply.
fn compute(p: &Pending, config: Option<&ProviderConfig>, v: &mut Map<String, Value>) {
    let arg = |k: &str| {
        config
            .and_then(|c| c.args.get(k))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let subscription = arg("subscription_id")
        .as_str()
        .unwrap_or_default()
        .to_string();
    let region = arg("region").as_str().unwrap_or_default().to_string();
    let account = arg("allowed_account_ids")
        .get(0)
        .and_then(Value::as_str)
        .unwrap_or("123456789012")
        .to_string();
    let partition = if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("cn-") {
        "aws-cn"
    } else {
        "aws"
    };
    let seed = p.key();
    let tags_all = |v: &mut Map<String, Value>| {
        let tags = v.get("tags").cloned().unwrap_or_else(|| json!({}));
        v.insert("tags_all".into(), tags);
    };
    match (p.mode, p.ty.as_str()) {
        ("managed", "azurerm_cognitive_account") => {
            let id = format!(
                "/subscriptions/{subscription}/resourceGroups/{}/providers/Microsoft.CognitiveServices/accounts/{}",
                s(v, "resource_group_name"),
                s(v, "name")
            );
            let endpoint = format!(
                "https://{}.cognitiveservices.azure.com/",
                s(v, "custom_subdomain_name")
            );
            if let Some(Value::Array(ids)) = v.get_mut("identity") {
                for i in ids.iter_mut().filter_map(Value::as_object_mut) {
                    i.insert(
                        "principal_id".into(),
                        json!(uuid(&format!("{seed}/principal"))),
                    );
                    i.insert("tenant_id".into(), json!(uuid("tenant")));
                    i.insert("identity_ids".into(), json!([]));
                }
            }
            if let Some(Value::Array(acls)) = v.get_mut("network_acls") {
                for a in acls.iter_mut().filter_map(Value::as_object_mut) {
                    a.insert("bypass".into(), json!("AzureServices"));
                    a.insert("virtual_network_rules".into(), json!([]));
                }
            }
            v.insert("id".into(), json!(id));
            v.insert("endpoint".into(), json!(endpoint));
            v.insert("customer_managed_key".into(), json!([]));
            v.insert("dynamic_throttling_enabled".into(), json!(false));
            v.insert("fqdns".into(), json!([]));
            v.insert("primary_access_key".into(), json!(""));
            v.insert("secondary_access_key".into(), json!(""));
        }
        ("managed", "azurerm_private_endpoint") => {
            let id = format!(
                "/subscriptions/{subscription}/resourceGroups/{}/providers/Microsoft.Network/privateEndpoints/{}",
                s(v, "resource_group_name"),
                s(v, "name")
            );
            v.insert("id".into(), json!(id));
            v.insert("custom_dns_configs".into(), json!([]));
        }
        ("managed", "azurerm_cognitive_account_customer_managed_key") => {
            let id = s(v, "cognitive_account_id").to_string();
            v.insert("id".into(), json!(id));
            v.insert("identity_client_id".into(), Value::Null);
        }
        ("managed", "azurerm_cognitive_deployment") => {
            let id = format!(
                "{}/deployments/{}",
                s(v, "cognitive_account_id"),
                s(v, "name")
            );
            v.insert("id".into(), json!(id));
            if let Some(Value::Array(skus)) = v.get_mut("sku") {
                for sku in skus.iter_mut().filter_map(Value::as_object_mut) {
                    sku.insert("family".into(), json!(""));
                    sku.insert("size".into(), json!(""));
                    sku.insert("tier".into(), json!(""));
                }
            }
        }
        ("managed", "azurerm_role_assignment") => {
            let name = uuid(&seed);
            let id = format!(
                "{}/providers/Microsoft.Authorization/roleAssignments/{name}",
                s(v, "scope")
            );
            v.insert("id".into(), json!(id));
            v.insert("name".into(), json!(name));
            v.insert(
                "role_definition_id".into(),
                json!(format!(
                    "/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{}",
                    uuid(s(v, "role_definition_name"))
                )),
            );
            v.insert("principal_type".into(), json!("ServicePrincipal"));
            v.entry("description").or_insert(Value::Null);
        }
        ("managed", "azurerm_monitor_diagnostic_setting") => {
            let id = format!("{}|{}", s(v, "target_resource_id"), s(v, "name"));
            v.insert("id".into(), json!(id));
            v.insert("log_analytics_destination_type".into(), json!("Dedicated"));
        }
        ("managed", "aws_bedrock_inference_profile") => {
            let short = hex(&seed, 12);
            v.insert("id".into(), json!(short));
            v.insert(
                "arn".into(),
                json!(format!(
                    "arn:{partition}:bedrock:{region}:{account}:application-inference-profile/{short}"
                )),
            );
            v.insert("status".into(), json!("ACTIVE"));
            v.insert("type".into(), json!("APPLICATION"));
            v.insert("created_at".into(), json!("2026-01-01T00:00:00Z"));
            v.insert("updated_at".into(), json!("2026-01-01T00:00:00Z"));
            tags_all(v);
        }
        ("managed", "aws_bedrock_provisioned_model_throughput") => {
            let arn = format!(
                "arn:{partition}:bedrock:{region}:{account}:provisioned-model/{}",
                hex(&seed, 12)
            );
            v.insert("id".into(), json!(arn));
            v.insert("provisioned_model_arn".into(), json!(arn));
            v.insert("commitment_duration".into(), Value::Null);
            tags_all(v);
        }
        ("managed", "aws_iam_policy") => {
            let arn = format!("arn:{partition}:iam::{account}:policy/{}", s(v, "name"));
            v.insert("id".into(), json!(arn));
            v.insert("arn".into(), json!(arn));
            v.insert("path".into(), json!("/"));
            v.insert(
                "policy_id".into(),
                json!(format!("ANPA{}", hex(&seed, 17).to_uppercase())),
            );
            v.insert("attachment_count".into(), json!(1));
            tags_all(v);
        }
        ("managed", "aws_iam_role_policy_attachment" | "aws_iam_user_policy_attachment") => {
            let who = if p.ty.contains("_role_") {
                s(v, "role")
            } else {
                s(v, "user")
            };
            v.insert("id".into(), json!(format!("{who}-{}", hex(&seed, 26))));
        }
        ("managed", "aws_bedrock_model_invocation_logging_configuration") => {
            v.insert("id".into(), json!(region));
        }
        ("managed", "google_project_service") => {
            let id = format!("{}/{}", s(v, "project"), s(v, "service"));
            v.insert("id".into(), json!(id));
            v.entry("disable_dependent_services").or_insert(Value::Null);
        }
        ("managed", "google_project_iam_member") => {
            let id = format!("{}/{}/{}", s(v, "project"), s(v, "role"), s(v, "member"));
            v.insert("id".into(), json!(id));
            v.insert("etag".into(), json!(format!("BwY{}=", hex(&seed, 9))));
            v.insert("condition".into(), json!([]));
        }
        ("data", "aws_iam_policy_document") => {
            let document = policy_json(v);
            v.insert("id".into(), json!(hex(&document, 10)));
            v.insert("json".into(), json!(document));
        }
        ("data", "azurerm_virtual_network") => {
            let id = format!(
                "/subscriptions/{subscription}/resourceGroups/{}/providers/Microsoft.Network/virtualNetworks/{}",
                s(v, "resource_group_name"),
                s(v, "name")
            );
            v.insert("id".into(), json!(id));
            v.insert("location".into(), json!("westeurope"));
            v.insert("address_space".into(), json!(["10.20.0.0/16"]));
        }
        ("data", "aws_subnet") => {
            v.insert("vpc_id".into(), json!(format!("vpc-{}", hex(&seed, 17))));
            v.insert("availability_zone".into(), json!(format!("{region}a")));
        }
        ("data", "google_client_config") => {
            v.insert("id".into(), json!(hex(&seed, 16)));
            v.insert("access_token".into(), json!("test-access-token"));
        }
        ("data", "google_bigquery_default_service_account") => {
            let email = format!(
                "bq-{}@bigquery-encryption.iam.gserviceaccount.com",
                hex(&seed, 12)
            );
            v.insert("email".into(), json!(email));
            v.insert("member".into(), json!(format!("serviceAccount:{email}")));
        }
        ("managed", "azurerm_private_dns_zone") => {
            let id = format!(
                "/subscriptions/{subscription}/resourceGroups/{}/providers/Microsoft.Network/privateDnsZones/{}",
                s(v, "resource_group_name"),
                s(v, "name")
            );
            v.insert("id".into(), json!(id));
        }
        ("managed", "aws_vpc_endpoint") => {
            v.insert("id".into(), json!(format!("vpce-{}", hex(&seed, 17))));
            tags_all(v);
        }
        ("data", "azurerm_resources") => {
            let name = s(v, "name").to_string();
            let ty = s(v, "type").to_string();
            v.insert("id".into(), json!(hex(&seed, 16)));
            v.insert(
                "resources".into(),
                json!([{
                    "id": format!("/subscriptions/{subscription}/resourceGroups/rg-keys/providers/{ty}/{name}"),
                    "name": name,
                    "type": ty,
                    "location": "westeurope",
                    "tags": {},
                }]),
            );
        }
        _ => {
            v.entry("id").or_insert_with(|| json!(hex(&seed, 16)));
        }
    }
}

/// A list the way the AWS provider's policy document writes it: one element as a string,
/// several sorted in reverse.
fn aws_list(v: Option<&Value>) -> Option<Value> {
    let items: Vec<String> = v?
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    Some(match items.as_slice() {
        [one] => json!(one),
        _ => {
            let mut items = items;
            items.sort_by(|a, b| b.cmp(a));
            json!(items)
        }
    })
}

/// The `json` of an `aws_iam_policy_document`, from its statement blocks.
fn policy_json(v: &Map<String, Value>) -> String {
    let mut statements = Vec::new();
    for st in v
        .get("statement")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
    {
        let mut out = Map::new();
        if let Some(sid) = st.get("sid") {
            out.insert("Sid".into(), sid.clone());
        }
        out.insert(
            "Effect".into(),
            st.get("effect").cloned().unwrap_or_else(|| json!("Allow")),
        );
        if st
            .get("principals")
            .and_then(Value::as_array)
            .is_some_and(|p| !p.is_empty())
        {
            out.insert("Principal".into(), json!("*"));
        }
        for (block, key) in [
            ("actions", "Action"),
            ("not_actions", "NotAction"),
            ("resources", "Resource"),
            ("not_resources", "NotResource"),
        ] {
            if let Some(list) = aws_list(st.get(block)) {
                out.insert(key.into(), list);
            }
        }
        let mut conditions: Map<String, Value> = Map::new();
        for c in st
            .get("condition")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
        {
            let test = s(c, "test").to_string();
            let entry = conditions
                .entry(test)
                .or_insert_with(|| Value::Object(Map::new()));
            if let (Value::Object(vars), Some(values)) = (entry, aws_list(c.get("values"))) {
                vars.insert(s(c, "variable").to_string(), values);
            }
        }
        if !conditions.is_empty() {
            out.insert("Condition".into(), Value::Object(conditions));
        }
        statements.push(Value::Object(out));
    }
    serde_json::to_string_pretty(&json!({ "Version": "2012-10-17", "Statement": statements }))
        .expect("policy json")
}
