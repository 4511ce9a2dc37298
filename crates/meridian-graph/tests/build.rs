//! The resources and edges derived from the bundled examples.

use meridian_graph::{as_reference, Graph, Kind};
use meridian_model::{ir::Project, Date, Options};
use meridian_spec::Inputs;
use std::path::Path;

fn project(example: &str) -> Project {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(example);
    let loaded = meridian_spec::load(&dir, &Inputs::default());
    assert!(
        !loaded.diagnostics.has_errors(),
        "{example}: {:?}",
        loaded.diagnostics
    );
    let resolve = |p: &Path| Some(p.to_path_buf());
    let v = meridian_model::validate(
        &loaded.spec,
        &Options {
            catalog: meridian_catalog::Catalog::builtin(),
            today: Date::parse("2026-11-25").expect("date"),
            resolve_path: &resolve,
            own_files: &[],
        },
    );
    assert!(
        !v.diagnostics.has_errors(),
        "{example}: {:?}",
        v.diagnostics
    );
    v.project
}

fn graph(example: &str) -> Graph {
    Graph::build(&project(example)).expect("no cycle")
}

#[test]
fn every_resource_comes_after_what_it_needs() {
    for example in ["eu-bank", "global-product", "eu-us-split"] {
        let g = graph(example);
        assert!(!g.is_empty());
        let pos = |a: &meridian_graph::Address| {
            g.resources()
                .iter()
                .position(|r| &r.address == a)
                .expect("present")
        };
        for (i, r) in g.resources().iter().enumerate() {
            for needed in g.needs(&r.address) {
                assert!(
                    pos(&needed.address) < i,
                    "{example}: {} before {}",
                    r.address,
                    needed.address
                );
            }
            // Every reference in the attributes names an existing resource.
            for v in r.attrs.values() {
                let mut refs = Vec::new();
                collect_refs(v, &mut refs);
                for a in refs {
                    assert!(
                        g.get(&a).is_some(),
                        "{example}: {} references missing {a}",
                        r.address
                    );
                }
            }
        }
    }
}

fn collect_refs(v: &serde_json::Value, out: &mut Vec<meridian_graph::Address>) {
    if let Some((a, _)) = as_reference(v) {
        out.push(a);
    } else if let Some(items) = v.as_array() {
        for i in items {
            collect_refs(i, out);
        }
    } else if let Some(map) = v.as_object() {
        for i in map.values() {
            collect_refs(i, out);
        }
    }
}

#[test]
fn eu_bank_resources_are_secure_and_tagged() {
    let g = graph("eu-bank");
    let of = |k: Kind| g.resources().iter().filter(move |r| r.kind == k);
    // One account per (provider, region), with keyless auth.
    let accounts: Vec<_> = of(Kind::AzureAccount).collect();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].attrs["local_auth_enabled"], false);
    assert_eq!(accounts[0].attrs["location"], "swedencentral");
    for d in of(Kind::AzureDeployment) {
        assert_eq!(d.attrs["version_upgrade_option"], "NoAutoUpgrade");
        assert_eq!(d.attrs["sku_name"], "Standard");
        assert_eq!(g.needs(&d.address)[0].kind, Kind::AzureAccount);
    }
    for r in g.resources() {
        assert_eq!(
            r.tags.get("managed-by").map(String::as_str),
            Some("meridian")
        );
        assert_eq!(r.tags.get("meridian-address"), Some(&r.address.to_string()));
        assert_eq!(
            r.tags.get("cost_center").map(String::is_empty),
            Some(false),
            "default tags on {}",
            r.address
        );
    }
    // The eu. profile from Frankfurt: grants name the destination regions and deny global.
    let policies: Vec<_> = of(Kind::AwsIamPolicy).collect();
    assert!(!policies.is_empty());
    let text = serde_json::to_string(&policies[0].attrs["policy"]).expect("json");
    assert!(
        text.contains(
            "arn:aws:bedrock:eu-west-3::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0"
        ),
        "{text}"
    );
    assert!(
        !text.contains("eu-west-2::"),
        "London is not a destination from Frankfurt: {text}"
    );
    assert!(text.contains("DenyGlobalRouting"), "{text}");
    assert!(text.contains("bedrock:InferenceProfileArn"), "{text}");
    // Router entries depend on what serves them.
    for r in of(Kind::RouterDeployment) {
        assert_eq!(g.needs(&r.address).len(), 1, "{}", r.address);
    }
}

#[test]
fn builds_are_deterministic() {
    let p = project("global-product");
    let a = Graph::build(&p).expect("graph");
    let b = Graph::build(&p).expect("graph");
    assert_eq!(a.to_dot(), b.to_dot());
    assert_eq!(a.to_mermaid(), b.to_mermaid());
    assert!(a.to_dot().starts_with("digraph meridian {"));
}

#[test]
fn global_routing_is_denied_exactly_where_residency_forbids_it() {
    let g = graph("global-product");
    let policy = |access: &str| {
        let p = g
            .resources()
            .iter()
            .find(|r| r.kind == Kind::AwsIamPolicy && r.origin == format!("access.{access}"))
            .unwrap_or_else(|| panic!("policy for {access}"));
        serde_json::to_string(&p.attrs["policy"]).expect("json")
    };
    // lumen-api serves models without residency on `global.` profiles: they must stay callable.
    let open = policy("lumen-api");
    assert!(
        open.contains("arn:aws:bedrock:::foundation-model/"),
        "{open}"
    );
    assert!(!open.contains("DenyGlobalRouting"), "{open}");
    // people-portal serves hr-assistant, held to a US rule with processing up to geography.
    let held = policy("people-portal");
    assert!(held.contains("DenyGlobalRouting"), "{held}");
    assert!(held.contains("inference-profile/global.*"), "{held}");
    assert!(g
        .resources()
        .iter()
        .any(|r| r.kind == Kind::AzureDeployment && r.attrs["sku_name"] == "GlobalStandard"));
}
