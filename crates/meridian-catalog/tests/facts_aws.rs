//! Facts of the built-in AWS catalog, pinned to AWS's own pages.
//!
//! Each test quotes rows of one AWS page, as checked on [`CHECKED`]. The Bedrock pages were
//! read from the AWS-authored Markdown copy of the Bedrock user guide (the `.md` form AWS
//! serves for every page) as archived weekly in the public `crowecawcaw/aws-docs-history`
//! repository; the commit of each copy is named next to its rows. A careless edit of
//! `schema/catalog/models-aws.json` or `regions-aws.json` that contradicts one of these rows
//! fails here.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use meridian_catalog::{
    Billing, Capability, Catalog, CatalogError, Cloud, Footprint, Lifecycle, Model, Processing,
    TargetQuery,
};

/// When the rows below were checked against the pages.
const CHECKED: &str = "2026-12-06";

/// "Supported Regions and models for inference profiles": since 2026 it sends readers to each
/// model card's "Geo inference details" for the source → destination routes
/// (aws-docs-history commit 0182ae780cd66eef2a8a5b5b4a47670ea04be38c).
const PROFILES_PAGE: &str =
    "https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html";
/// Model cards (Regional availability table: In-Region / Geo / Global per Region, and the Geo
/// inference details), aws-docs-history commit 0182ae780cd66eef2a8a5b5b4a47670ea04be38c.
const CARD_SONNET_45: &str =
    "https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-anthropic-claude-sonnet-4-5.html";
const CARD_NOVA_PRO: &str =
    "https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-amazon-nova-pro.html";
/// "Regional availability" page (models-region-compatibility), same snapshot.
const COMPAT_PAGE: &str =
    "https://docs.aws.amazon.com/bedrock/latest/userguide/models-region-compatibility.html";
/// "Model lifecycle (Legacy)": Legacy and EOL dates of models launched before 2026-09-07
/// (aws-docs-history commit ad952023c6069b7906390fecc5c3c66ea322dc94).
const LIFECYCLE_PAGE: &str =
    "https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle-legacy.html";
/// Where every model card lives: `<CARDS>model-card-<slug>.html`.
const CARDS: &str = "https://docs.aws.amazon.com/bedrock/latest/userguide/";
/// AWS Regions page, aws-docs-history commit 29cf4237b1e25bcb167794c4f19ce837c4422cee
/// ("There are currently 34 Regions").
const REGIONS_PAGE: &str =
    "https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html";

const SONNET_45: &str = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU_45: &str = "anthropic.claude-haiku-4-5-20251001-v1:0";
const SONNET_46: &str = "anthropic.claude-sonnet-4-6";
const OPUS_46: &str = "anthropic.claude-opus-4-6-v1";
const OPUS_47: &str = "anthropic.claude-opus-4-7";
const SONNET_55: &str = "anthropic.claude-sonnet-5-5";
const NOVA_PRO: &str = "amazon.nova-pro-v1:0";
const NOVA_2_LITE: &str = "amazon.nova-2-lite-v1:0";
const TITAN_V2: &str = "amazon.titan-embed-text-v2:0";
const LLAMA_33: &str = "meta.llama3-3-70b-instruct-v1:0";
const OPUS_41: &str = "anthropic.claude-opus-4-1-20250805-v1:0";
const SONNET_4: &str = "anthropic.claude-sonnet-4-20250514-v1:0";
const OPUS_5: &str = "anthropic.claude-opus-5";
const SONNET_5: &str = "anthropic.claude-sonnet-5";
const NOVA_PREMIER: &str = "amazon.nova-premier-v1:0";
const NOVA_MME: &str = "amazon.nova-2-multimodal-embeddings-v1:0";
const TITAN_G1: &str = "amazon.titan-embed-text-v1";
const MAVERICK: &str = "meta.llama4-maverick-17b-instruct-v1:0";
const SCOUT: &str = "meta.llama4-scout-17b-instruct-v1:0";
const LLAMA_405B: &str = "meta.llama3-1-405b-instruct-v1:0";
const PIXTRAL: &str = "mistral.pixtral-large-2502-v1:0";
const MISTRAL_LARGE_3: &str = "mistral.mistral-large-3-675b-instruct";
const MINISTRAL_14B: &str = "mistral.ministral-3-14b-instruct";
const DEEPSEEK_R1: &str = "deepseek.r1-v1:0";
const DEEPSEEK_V31: &str = "deepseek.v3-v1:0";
const DEEPSEEK_V32: &str = "deepseek.v3.2";
const EMBED_V4: &str = "cohere.embed-v4:0";
const EMBED_EN: &str = "cohere.embed-english-v3";
const GPT_OSS_120B: &str = "openai.gpt-oss-120b-1:0";

const EU6: [&str; 6] = [
    "eu-central-1",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-3",
];

fn query<'a>(model: &'a str, region: &'a str, processing: Processing) -> TargetQuery<'a> {
    TargetQuery {
        cloud: Cloud::Aws,
        model,
        version: None,
        region,
        processing,
        billing: Billing::OnDemand,
    }
}

fn footprint(model: &str, region: &str, processing: Processing) -> Footprint {
    let q = query(model, region, processing);
    Catalog::builtin()
        .footprint(&q)
        .unwrap_or_else(|e| panic!("{model} {region} {processing}: {}", e.describe(&q)))
}

fn refused(model: &str, region: &str, processing: Processing) -> CatalogError {
    match Catalog::builtin().footprint(&query(model, region, processing)) {
        Ok(f) => panic!("{model} {region} {processing} should not be offered, got {f:?}"),
        Err(e) => e,
    }
}

/// Asserts that the target is refused because the model is not offered there that way.
fn not_offered(model: &str, region: &str, processing: Processing) {
    let e = refused(model, region, processing);
    assert!(
        matches!(e, CatalogError::NotOffered { .. }),
        "{model} {region} {processing}: {e:?}"
    );
}

fn ids(f: &Footprint) -> Vec<&str> {
    f.regions.iter().map(|r| r.id.as_str()).collect()
}

fn sorted(list: &[&'static str]) -> Vec<&'static str> {
    let mut v = list.to_vec();
    v.sort_unstable();
    v
}

fn in_geography(f: &Footprint, code: &str) -> bool {
    let geo = Catalog::builtin().geography(code).unwrap();
    f.countries.iter().all(|c| geo.countries.contains(c))
}

#[test]
fn the_pages_are_the_sources_of_the_data() {
    let c = Catalog::builtin();
    assert_eq!(c.as_of(), CHECKED);
    let sonnet = c.model(Cloud::Aws, SONNET_45).unwrap();
    assert_eq!(sonnet.source, CARD_SONNET_45);
    assert_eq!(sonnet.as_of, CHECKED);
    let nova = c.model(Cloud::Aws, NOVA_PRO).unwrap();
    assert_eq!(nova.source, CARD_NOVA_PRO);
    for r in c.regions(Some(Cloud::Aws)) {
        assert_eq!(r.source, REGIONS_PAGE, "{}", r.id);
        assert_eq!(r.as_of, CHECKED, "{}", r.id);
    }
    // The routes of the one profile not on a current card cite the inference-profile page.
    let apac = nova
        .offers
        .iter()
        .flat_map(|o| &o.profiles)
        .find(|p| p.prefix == "apac")
        .unwrap();
    assert_eq!(apac.source, PROFILES_PAGE);
    assert!(!apac.verified);
    let provisioned = nova
        .offers
        .iter()
        .find(|o| o.billing.contains(&Billing::Provisioned))
        .unwrap();
    assert_eq!(provisioned.source, COMPAT_PAGE);
}

// ---- Geo inference details (per model, per source Region) ----

/// Claude Sonnet 4.5, Geo: EU, "eu-central-1 (Frankfurt) | eu-central-1 (Frankfurt),
/// eu-north-1 (Stockholm), eu-south-1 (Milan), eu-south-2 (Spain), eu-west-1 (Ireland),
/// eu-west-3 (Paris)".
#[test]
fn sonnet_45_eu_from_frankfurt_stays_in_member_states() {
    let f = footprint(SONNET_45, "eu-central-1", Processing::Geography);
    assert_eq!(
        f.profile.as_deref(),
        Some("eu.anthropic.claude-sonnet-4-5-20250929-v1:0")
    );
    assert_eq!(ids(&f), EU6);
    assert!(f.is_verified());
    assert!(in_geography(&f, "eu"));
}

/// Claude Sonnet 4.5, Geo: EU, "eu-west-2 (London) | ... eu-west-1 (Ireland), eu-west-2
/// (London), eu-west-3 (Paris)": the London trap.
#[test]
fn sonnet_45_eu_from_london_adds_london() {
    let f = footprint(SONNET_45, "eu-west-2", Processing::Geography);
    let mut expected = EU6.to_vec();
    expected.push("eu-west-2");
    assert_eq!(ids(&f), sorted(&expected));
    assert!(f.countries.contains(&"GB".to_owned()));
    assert!(!in_geography(&f, "eu"));
    assert!(in_geography(&f, "europe"));
}

/// Claude Sonnet 4.5, Geo: EU, "eu-central-2 (Zurich) | eu-central-1 (Frankfurt),
/// eu-central-2 (Zurich), eu-north-1 (Stockholm), ...": the Zurich trap.
#[test]
fn sonnet_45_eu_from_zurich_adds_zurich() {
    let f = footprint(SONNET_45, "eu-central-2", Processing::Geography);
    let mut expected = EU6.to_vec();
    expected.push("eu-central-2");
    assert_eq!(ids(&f), sorted(&expected));
    assert!(f.countries.contains(&"CH".to_owned()));
    assert!(!in_geography(&f, "eea"));
}

/// Claude Sonnet 4.5, Geo: US, "us-west-1 (N. California) | us-east-1, us-east-2, us-west-1,
/// us-west-2" and "ca-central-1 (Canada) | ca-central-1 (Canada), us-east-1 (N. Virginia),
/// us-east-2 (Ohio), us-west-2 (Oregon)": a us. call from Canada may leave Canada.
#[test]
fn sonnet_45_us_routes_depend_on_the_source() {
    let f = footprint(SONNET_45, "us-east-1", Processing::Geography);
    assert_eq!(ids(&f), ["us-east-1", "us-east-2", "us-west-2"]);
    let f = footprint(SONNET_45, "us-west-1", Processing::Geography);
    assert_eq!(
        ids(&f),
        ["us-east-1", "us-east-2", "us-west-1", "us-west-2"]
    );
    let f = footprint(SONNET_45, "ca-central-1", Processing::Geography);
    assert_eq!(f.profile.as_deref(), Some(&*format!("us.{SONNET_45}")));
    assert_eq!(
        ids(&f),
        ["ca-central-1", "us-east-1", "us-east-2", "us-west-2"]
    );
    assert_eq!(f.countries, ["CA", "US"]);
    assert!(!in_geography(&f, "ca"));
}

/// Claude Sonnet 4.5, Geo: AU, "ap-southeast-6 (New Zealand) | ap-southeast-2 (Sydney),
/// ap-southeast-4 (Melbourne), ap-southeast-6 (New Zealand)"; Geo: JP, "ap-northeast-3 (Osaka)
/// | ap-northeast-1 (Tokyo), ap-northeast-3 (Osaka)".
#[test]
fn sonnet_45_au_and_jp_profiles() {
    let f = footprint(SONNET_45, "ap-southeast-2", Processing::Geography);
    assert_eq!(f.countries, ["AU"]);
    let f = footprint(SONNET_45, "ap-southeast-6", Processing::Geography);
    assert_eq!(f.profile.as_deref(), Some(&*format!("au.{SONNET_45}")));
    assert_eq!(f.countries, ["AU", "NZ"]);
    let f = footprint(SONNET_45, "ap-northeast-3", Processing::Geography);
    assert_eq!(f.profile.as_deref(), Some(&*format!("jp.{SONNET_45}")));
    assert_eq!(ids(&f), ["ap-northeast-1", "ap-northeast-3"]);
    // Seoul is a Global-only Region for this model.
    not_offered(SONNET_45, "ap-northeast-2", Processing::Geography);
}

/// Claude Sonnet 4.5, "us-gov-east-1 (AWS GovCloud (US-East)) | us-gov-east-1, us-gov-west-1".
#[test]
fn sonnet_45_govcloud_stays_in_govcloud() {
    let f = footprint(SONNET_45, "us-gov-west-1", Processing::Geography);
    assert_eq!(f.profile.as_deref(), Some(&*format!("us-gov.{SONNET_45}")));
    assert_eq!(ids(&f), ["us-gov-east-1", "us-gov-west-1"]);
    assert!(f.is_verified());
    // "us-gov-west-1 (GovCloud) | Global: no".
    not_offered(SONNET_45, "us-gov-west-1", Processing::Global);
}

/// Nova Pro, Geo: EU, "eu-central-1 (Frankfurt) | eu-central-1 (Frankfurt), eu-north-1
/// (Stockholm), eu-west-1 (Ireland), eu-west-3 (Paris)" and "il-central-1 (Tel Aviv) | ...,
/// eu-south-1 (Milan), eu-west-1 (Ireland), eu-west-3 (Paris), il-central-1 (Tel Aviv)".
#[test]
fn nova_pro_eu_profile_reaches_israel_only_from_tel_aviv() {
    let f = footprint(NOVA_PRO, "eu-central-1", Processing::Geography);
    assert_eq!(
        ids(&f),
        ["eu-central-1", "eu-north-1", "eu-west-1", "eu-west-3"]
    );
    assert!(in_geography(&f, "eu"));
    let f = footprint(NOVA_PRO, "il-central-1", Processing::Geography);
    assert_eq!(f.profile.as_deref(), Some("eu.amazon.nova-pro-v1:0"));
    assert!(f.countries.contains(&"IL".to_owned()));
    assert!(ids(&f).contains(&"eu-south-1"));
    assert!(!in_geography(&f, "europe"));
}

/// apac.amazon.nova-pro-v1:0 from ap-southeast-1 reaches ap-south-1 (India): the India trap.
/// The profile is no longer on the Nova Pro card, so it is marked unverified.
#[test]
fn nova_pro_apac_from_singapore_reaches_india() {
    let f = footprint(NOVA_PRO, "ap-southeast-1", Processing::Geography);
    assert_eq!(f.profile.as_deref(), Some("apac.amazon.nova-pro-v1:0"));
    assert!(f.countries.contains(&"IN".to_owned()));
    assert!(!f.is_verified());
    // Unverified sources err wide: from Seoul every apac. destination counts, UAE included.
    let f = footprint(NOVA_PRO, "ap-northeast-2", Processing::Geography);
    assert!(f.countries.contains(&"AE".to_owned()));
    assert!(f.countries.contains(&"IN".to_owned()));
}

/// Claude Opus 4.7, Geo: AU lists ap-southeast-2 and ap-southeast-4 only (New Zealand: Geo no);
/// Claude Opus 4.6 has no Geo in Tokyo (the card lists no jp. profile).
#[test]
fn profiles_the_cards_do_not_list_are_refused() {
    not_offered(OPUS_47, "ap-southeast-6", Processing::Geography);
    let f = footprint(OPUS_47, "ap-southeast-4", Processing::Geography);
    assert_eq!(f.countries, ["AU"]);
    not_offered(OPUS_46, "ap-northeast-1", Processing::Geography);
    // Nova 2 Lite, Geo: JP lists only ap-northeast-1 as a source.
    not_offered(NOVA_2_LITE, "ap-northeast-3", Processing::Geography);
    let f = footprint(NOVA_2_LITE, "ap-northeast-1", Processing::Geography);
    assert_eq!(ids(&f), ["ap-northeast-1", "ap-northeast-3"]);
}

/// Claude Sonnet 5.5's card gives no route table, only "US geo keeps data within US and Canada
/// regions": recorded wide and unverified.
#[test]
fn sonnet_55_routes_are_unverified_and_wide() {
    let f = footprint(SONNET_55, "us-east-1", Processing::Geography);
    assert!(!f.is_verified());
    assert!(ids(&f).contains(&"ca-west-1"));
    assert_eq!(f.countries, ["CA", "US"]);
    let f = footprint(SONNET_55, "eu-central-1", Processing::Geography);
    assert!(!f.is_verified());
    assert!(f.countries.contains(&"GB".to_owned()));
    assert!(f.countries.contains(&"CH".to_owned()));
}

// ---- Regional availability (In-Region / Geo / Global per Region) ----

/// Claude Sonnet 4.5: In-Region "No" in every Region.
#[test]
fn sonnet_45_in_region_no() {
    for region in ["us-east-1", "eu-central-1", "eu-west-2", "ap-northeast-1"] {
        match refused(SONNET_45, region, Processing::Region) {
            CatalogError::NotInRegion { geography_profiles } => {
                assert!(geography_profiles.contains(&format!("eu.{SONNET_45}")));
                assert!(geography_profiles.contains(&format!("global.{SONNET_45}")));
            }
            other => panic!("{region}: {other:?}"),
        }
    }
}

/// Claude Haiku 4.5: In-Region yes in us-east-1, eu-north-1, eu-west-1, ap-northeast-1 and
/// ap-southeast-4; no in eu-central-1.
#[test]
fn haiku_45_in_region_rows() {
    for region in [
        "us-east-1",
        "eu-north-1",
        "eu-west-1",
        "ap-northeast-1",
        "ap-southeast-4",
    ] {
        let f = footprint(HAIKU_45, region, Processing::Region);
        assert_eq!(ids(&f), [region]);
        assert!(f.is_verified());
    }
    not_offered(HAIKU_45, "eu-central-1", Processing::Region);
}

/// Claude Sonnet 4.6: In-Region yes only in eu-west-2 (London).
#[test]
fn sonnet_46_in_region_only_in_london() {
    let f = footprint(SONNET_46, "eu-west-2", Processing::Region);
    assert_eq!(f.countries, ["GB"]);
    match refused(SONNET_46, "eu-central-1", Processing::Region) {
        CatalogError::NotOffered {
            offered_regions, ..
        } => assert_eq!(offered_regions, ["eu-west-2"]),
        other => panic!("{other:?}"),
    }
}

/// Nova Pro: In-Region yes in eu-west-2 and me-central-1, Geo no there; Global "Not supported".
#[test]
fn nova_pro_in_region_and_no_global() {
    assert_eq!(
        footprint(NOVA_PRO, "me-central-1", Processing::Region).countries,
        ["AE"]
    );
    assert_eq!(
        footprint(NOVA_PRO, "eu-west-2", Processing::Region).countries,
        ["GB"]
    );
    not_offered(NOVA_PRO, "eu-west-2", Processing::Geography);
    not_offered(NOVA_PRO, "us-east-1", Processing::Global);
}

/// Titan Text Embeddings V2: In-Region in 21 Regions including eu-central-2 (Zurich) and both
/// GovCloud Regions; Llama 3.3 70B: In-Region only in us-east-2.
#[test]
fn embeddings_and_llama_in_region_rows() {
    let titan = Catalog::builtin().model(Cloud::Aws, TITAN_V2).unwrap();
    assert_eq!(titan.offers.len(), 1);
    assert_eq!(titan.offers[0].regions.len(), 21);
    assert_eq!(
        footprint(TITAN_V2, "eu-central-2", Processing::Region).countries,
        ["CH"]
    );
    footprint(TITAN_V2, "us-gov-east-1", Processing::Region);
    not_offered(TITAN_V2, "ap-southeast-1", Processing::Region);
    footprint(LLAMA_33, "us-east-2", Processing::Region);
    not_offered(LLAMA_33, "us-east-1", Processing::Region);
}

/// Global column: the 33 commercial Regions of the card (Taipei, New Zealand, Mexico, ...), no
/// GovCloud; the footprint is every commercial Region, never GovCloud or China.
#[test]
fn global_sources_and_footprint() {
    let c = Catalog::builtin();
    let sonnet = c.model(Cloud::Aws, SONNET_45).unwrap();
    let global = sonnet
        .offers
        .iter()
        .find(|o| o.processing == Processing::Global)
        .unwrap();
    assert_eq!(global.regions.len(), 33);
    for r in ["ap-east-2", "ap-southeast-6", "mx-central-1", "af-south-1"] {
        assert!(global.regions.iter().any(|x| x == r), "{r}");
    }
    assert!(!global.regions.iter().any(|x| x == "ap-east-1"));
    let f = footprint(SONNET_45, "ap-southeast-6", Processing::Global);
    assert_eq!(f.profile.as_deref(), Some(&*format!("global.{SONNET_45}")));
    assert!(ids(&f).contains(&"ap-east-1"));
    assert!(!ids(&f)
        .iter()
        .any(|r| r.starts_with("us-gov-") || r.starts_with("cn-")));
    assert!(!f.countries.contains(&"CN".to_owned()));
}

// ---- Regions page ----

/// "| ap-east-1 | Asia Pacific (Hong Kong) | 3 | Hong Kong | Required |" and the other rows of the
/// table of 34 commercial Regions; GovCloud and China Regions in their own partitions.
#[test]
fn regions_page_rows() {
    let c = Catalog::builtin();
    let aws = |id: &str| {
        c.region(Cloud::Aws, id)
            .unwrap_or_else(|| panic!("missing {id}"))
    };
    for (id, name, country) in [
        ("ap-east-1", "Asia Pacific (Hong Kong)", "HK"),
        ("ap-southeast-6", "Asia Pacific (New Zealand)", "NZ"),
        ("ap-east-2", "Asia Pacific (Taipei)", "TW"),
        ("mx-central-1", "Mexico (Central)", "MX"),
        ("eu-central-2", "Europe (Zurich)", "CH"),
        ("eu-west-2", "Europe (London)", "GB"),
        ("il-central-1", "Israel (Tel Aviv)", "IL"),
        ("me-south-1", "Middle East (Bahrain)", "BH"),
        ("ca-west-1", "Canada West (Calgary)", "CA"),
    ] {
        let r = aws(id);
        assert_eq!(r.name, name);
        assert_eq!(r.country, country);
        assert_eq!(r.partition.as_deref(), Some("aws"));
        assert!(r.verified, "{id}");
    }
    assert_eq!(
        aws("us-gov-east-1").partition.as_deref(),
        Some("aws-us-gov")
    );
    assert_eq!(aws("cn-north-1").partition.as_deref(), Some("aws-cn"));
    assert_eq!(aws("cn-northwest-1").country, "CN");
    let mut per_partition: BTreeMap<&str, usize> = BTreeMap::new();
    for r in c.regions(Some(Cloud::Aws)) {
        *per_partition
            .entry(r.partition.as_deref().unwrap())
            .or_default() += 1;
    }
    assert_eq!(
        per_partition,
        BTreeMap::from([("aws", 34), ("aws-cn", 2), ("aws-us-gov", 2)])
    );
    // A real Region is no longer rejected as a typo: Hong Kong is known, and Sonnet 4.5 is
    // simply not offered there (it is absent from the card's Regional availability table).
    not_offered(SONNET_45, "ap-east-1", Processing::Global);
    assert!(matches!(
        refused(SONNET_45, "ap-east-9", Processing::Global),
        CatalogError::UnknownRegion { .. }
    ));
}

// ---- Completeness ----

fn is_url(s: &str) -> bool {
    s.starts_with("https://") && s.len() > "https://".len()
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    matches!(
        (num(0..4), num(5..7), num(8..10)),
        (Some(year), Some(month), Some(day))
            if year >= 2024 && (1..=12).contains(&month) && (1..=31).contains(&day)
    )
}

fn checked(what: &str, source: &str, as_of: &str) {
    assert!(is_url(source), "{what}: source {source:?}");
    assert!(is_date(as_of), "{what}: as_of {as_of:?}");
    assert!(
        as_of <= Catalog::builtin().as_of(),
        "{what}: as_of {as_of} is after the catalog's"
    );
}

#[test]
fn every_aws_model_has_prices_or_no_price() {
    for m in Catalog::builtin().models(Some(Cloud::Aws)) {
        assert!(
            m.prices.is_empty() != m.no_price.is_none(),
            "{}: needs exactly one of prices / no_price",
            m.id
        );
        for p in &m.prices {
            assert!(
                p.input_per_1m > 0.0,
                "{}: a {} price of $0 input",
                m.id,
                p.processing
            );
            assert!(
                m.offered_processing().contains(&p.processing),
                "{}: a {} price without such an offer",
                m.id,
                p.processing
            );
        }
    }
}

#[test]
fn every_aws_fact_has_a_source_and_a_date() {
    for m in Catalog::builtin().models(Some(Cloud::Aws)) {
        checked(&m.id, &m.source, &m.as_of);
        for o in &m.offers {
            checked(&format!("{} offer", m.id), &o.source, &o.as_of);
            for p in &o.profiles {
                checked(&format!("{} {}.", m.id, p.prefix), &p.source, &p.as_of);
                assert!(
                    p.verified || p.note.is_some(),
                    "{} {}.: unverified without a note",
                    m.id,
                    p.prefix
                );
            }
            assert!(
                o.verified || o.note.is_some(),
                "{}: unverified offer without a note",
                m.id
            );
        }
        for p in &m.prices {
            checked(&format!("{} price", m.id), &p.source, &p.as_of);
            assert!(
                p.verified || p.note.is_some(),
                "{}: unverified price without a note",
                m.id
            );
        }
        if let Some(n) = &m.no_price {
            checked(&format!("{} no_price", m.id), &n.source, &n.as_of);
            assert!(!n.reason.trim().is_empty());
        }
        for v in &m.versions {
            checked(&format!("{} {}", m.id, v.version), &v.source, &v.as_of);
        }
        for d in [&m.retirement_date, &m.deprecation_date]
            .into_iter()
            .flatten()
        {
            assert!(is_date(d), "{}: {d}", m.id);
        }
    }
    for r in Catalog::builtin().regions(Some(Cloud::Aws)) {
        checked(&r.id, &r.source, &r.as_of);
    }
}

#[test]
fn every_route_is_well_formed() {
    let c = Catalog::builtin();
    let partition = |id: &str| {
        c.region(Cloud::Aws, id)
            .unwrap_or_else(|| panic!("unknown region {id}"))
            .partition
            .clone()
            .unwrap()
    };
    for m in c.models(Some(Cloud::Aws)) {
        for o in &m.offers {
            match o.processing {
                Processing::Geography => assert!(!o.profiles.is_empty(), "{}", m.id),
                Processing::Global => {
                    for r in &o.regions {
                        assert_eq!(partition(r), "aws", "{}: global source {r}", m.id);
                    }
                }
                Processing::Region => {
                    for r in &o.regions {
                        partition(r);
                    }
                }
            }
            let mut seen: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
            for p in &o.profiles {
                assert!(
                    ["us", "eu", "apac", "jp", "au", "ca", "us-gov", "in"]
                        .contains(&p.prefix.as_str()),
                    "{}: prefix {}",
                    m.id,
                    p.prefix
                );
                for (source, destinations) in &p.routes {
                    assert!(
                        seen.entry(&p.prefix).or_default().insert(source),
                        "{}: source {source} appears under two {}. entries",
                        m.id,
                        p.prefix
                    );
                    assert!(
                        destinations.contains(source),
                        "{} {}. from {source}: the source is not a destination",
                        m.id,
                        p.prefix
                    );
                    let mut sorted_dest = destinations.clone();
                    sorted_dest.sort();
                    sorted_dest.dedup();
                    assert_eq!(&sorted_dest, destinations, "{}: unsorted", m.id);
                    for d in destinations {
                        assert_eq!(
                            partition(d),
                            partition(source),
                            "{} {}. from {source}: {d} is in another partition",
                            m.id,
                            p.prefix
                        );
                    }
                    let gov = p.prefix == "us-gov";
                    assert_eq!(
                        gov,
                        partition(source) == "aws-us-gov",
                        "{}: {source} under {}.",
                        m.id,
                        p.prefix
                    );
                }
            }
        }
    }
}

/// An unverified route errs wide: it is never narrower than a confirmed route of the same
/// prefix from the same source Region, for any model that is still served. (A retired model's
/// profile no longer exists: Claude Sonnet 4's `apac.` route from Singapore also reached
/// Hyderabad and Melbourne, while the route kept for Nova's `apac.` profile from an earlier
/// copy of the inference-profile page does not.)
#[test]
fn unverified_routes_are_never_narrower_than_confirmed_ones() {
    let c = Catalog::builtin();
    let mut confirmed: BTreeMap<(&str, &str), Vec<&Vec<String>>> = BTreeMap::new();
    let mut unverified = Vec::new();
    for m in c.models(Some(Cloud::Aws)).filter(|m| !is_retired(m)) {
        for p in m.offers.iter().flat_map(|o| &o.profiles) {
            for (source, destinations) in &p.routes {
                if p.verified {
                    confirmed
                        .entry((p.prefix.as_str(), source.as_str()))
                        .or_default()
                        .push(destinations);
                } else {
                    unverified.push((
                        m.id.as_str(),
                        p.prefix.as_str(),
                        source.as_str(),
                        destinations,
                    ));
                }
            }
        }
    }
    assert!(!unverified.is_empty());
    for (model, prefix, source, destinations) in unverified {
        for known in confirmed.get(&(prefix, source)).into_iter().flatten() {
            for d in *known {
                assert!(
                    destinations.contains(d),
                    "{model} {prefix}. from {source}: unverified route lacks {d}"
                );
            }
        }
    }
}

// ---- Lifecycle ----

/// Retired in the catalog: lifecycle `retired`, or a retirement date on or before its `as_of`.
fn is_retired(m: &Model) -> bool {
    m.lifecycle == Lifecycle::Retired
        || m.retirement_date
            .as_deref()
            .is_some_and(|d| d <= Catalog::builtin().as_of())
}

/// The retirement date `footprint()` reports, or a panic naming what it returned instead.
fn retired_on(model: &str, region: &str, processing: Processing) -> Option<String> {
    match refused(model, region, processing) {
        CatalogError::Retired { version, date, .. } => {
            assert_eq!(version, None);
            date
        }
        other => panic!("{model} {region} {processing}: expected Retired, got {other:?}"),
    }
}

/// [`LIFECYCLE_PAGE`], rows:
/// "Claude Opus 4.1 | anthropic.claude-opus-4-1-20250805-v1:0 | Legacy date: July 8, 2026 |
/// EOL date: January 8, 2027", "Claude Sonnet 4 | anthropic.claude-sonnet-4-20250514-v1:0 |
/// Legacy date: April 14, 2026 | EOL date: October 14, 2026", "Nova Premier |
/// amazon.nova-premier-v1:0 | Legacy date: March 13, 2026 | EOL date: September 14, 2026".
#[test]
fn lifecycle_page_rows() {
    let c = Catalog::builtin();
    let aws = |id: &str| c.model(Cloud::Aws, id).unwrap();
    for (id, lifecycle, legacy, eol) in [
        (OPUS_41, Lifecycle::Deprecated, "2026-07-08", "2027-01-08"),
        (SONNET_4, Lifecycle::Retired, "2026-04-14", "2026-10-14"),
        (NOVA_PREMIER, Lifecycle::Retired, "2026-03-13", "2026-09-14"),
    ] {
        let m = aws(id);
        assert_eq!(m.lifecycle, lifecycle, "{id}");
        assert_eq!(m.deprecation_date.as_deref(), Some(legacy), "{id}");
        assert_eq!(m.retirement_date.as_deref(), Some(eol), "{id}");
        assert!(m.no_price.is_some(), "{id}");
        let note = m.note.as_deref().unwrap_or_default();
        assert!(note.contains(LIFECYCLE_PAGE), "{id}: {note}");
    }
    // Opus 4.1 is Legacy but still served until 2027-01-08: its us. profile still resolves.
    let fp = footprint(OPUS_41, "us-east-2", Processing::Geography);
    assert_eq!(ids(&fp), ["us-east-1", "us-east-2", "us-west-2"]);
    // Past their end of life, specs naming them get the retirement date, not "unknown model".
    assert_eq!(
        retired_on(SONNET_4, "eu-central-1", Processing::Geography).as_deref(),
        Some("2026-10-14")
    );
    assert_eq!(
        retired_on(SONNET_4, "ap-south-1", Processing::Region).as_deref(),
        Some("2026-10-14")
    );
    assert_eq!(
        retired_on(SONNET_4, "us-east-1", Processing::Global).as_deref(),
        Some("2026-10-14")
    );
    assert_eq!(
        retired_on(NOVA_PREMIER, "us-east-1", Processing::Geography).as_deref(),
        Some("2026-09-14")
    );
    let target = query(SONNET_4, "eu-central-1", Processing::Geography);
    let err = c.footprint(&target).unwrap_err();
    assert_eq!(err.code(), meridian_diag::codes::CAT_RETIRED);
    assert!(
        err.describe(&target).contains("retirement date 2026-10-14"),
        "{}",
        err.describe(&target)
    );
    // Models the page does not list are Active, with no dates.
    for id in [
        SONNET_45, HAIKU_45, OPUS_47, NOVA_PRO, LLAMA_33, MAVERICK, OPUS_5,
    ] {
        let m = aws(id);
        assert_eq!(m.lifecycle, Lifecycle::Ga, "{id}");
        assert!(
            m.retirement_date.is_none() && m.deprecation_date.is_none(),
            "{id}"
        );
    }
}

/// Llama 3.2 cards: "Model EOL date: July 7, 2026", "Model lifecycle: Legacy"; Regional
/// availability page: "Legacy (EOL: 2026-07-07)". Llama 3.1 405B: "Model EOL date: Legacy: July
/// 7, 2026".
#[test]
fn llama_32_and_405b_are_retired() {
    for (id, region) in [
        ("meta.llama3-2-90b-instruct-v1:0", "us-east-2"),
        ("meta.llama3-2-11b-instruct-v1:0", "us-west-2"),
        ("meta.llama3-2-3b-instruct-v1:0", "eu-west-1"),
        ("meta.llama3-2-1b-instruct-v1:0", "eu-central-1"),
        (LLAMA_405B, "us-east-2"),
    ] {
        assert_eq!(
            retired_on(id, region, Processing::Geography).as_deref(),
            Some("2026-07-07"),
            "{id}"
        );
    }
    assert_eq!(
        retired_on(LLAMA_405B, "us-west-2", Processing::Region).as_deref(),
        Some("2026-07-07")
    );
}

#[test]
fn lifecycle_dates_are_consistent() {
    let as_of = Catalog::builtin().as_of();
    for m in Catalog::builtin().models(Some(Cloud::Aws)) {
        match m.lifecycle {
            Lifecycle::Retired => {
                let d = m
                    .retirement_date
                    .as_deref()
                    .unwrap_or_else(|| panic!("{}", m.id));
                assert!(d <= as_of, "{}: retired after the catalog date", m.id);
                assert!(
                    m.no_price.is_some(),
                    "{}: a retired model has a price",
                    m.id
                );
            }
            Lifecycle::Deprecated => {
                let d = m
                    .retirement_date
                    .as_deref()
                    .unwrap_or_else(|| panic!("{}", m.id));
                assert!(d > as_of, "{}: past its EOL but not retired", m.id);
            }
            _ => assert!(m.retirement_date.is_none(), "{}", m.id),
        }
        if let (Some(legacy), Some(eol)) = (&m.deprecation_date, &m.retirement_date) {
            assert!(legacy < eol, "{}: Legacy date after EOL", m.id);
        }
        // A retired model refuses every Region of every offer with its date.
        if is_retired(m) {
            for o in &m.offers {
                let sources: Vec<&String> = if o.processing == Processing::Geography {
                    o.profiles.iter().flat_map(|p| p.routes.keys()).collect()
                } else {
                    o.regions.iter().collect()
                };
                for r in sources {
                    assert_eq!(
                        retired_on(&m.id, r, o.processing),
                        m.retirement_date,
                        "{} {r}",
                        m.id
                    );
                }
            }
        }
    }
}

// ---- Models added from their cards (aws-docs-history commit 0182ae78…) ----

/// The catalog holds the chat, reasoning and embedding models of the "Models at a glance" page
/// (model-cards) that this catalog covers, each citing its own card.
#[test]
fn listed_models_are_in_the_catalog() {
    let c = Catalog::builtin();
    for (id, slug) in [
        (MAVERICK, "meta-llama-4-maverick-17b-instruct"),
        (SCOUT, "meta-llama-4-scout-17b-instruct"),
        (
            "meta.llama3-1-70b-instruct-v1:0",
            "meta-llama-3-1-70b-instruct",
        ),
        (
            "meta.llama3-1-8b-instruct-v1:0",
            "meta-llama-3-1-8b-instruct",
        ),
        ("meta.llama3-70b-instruct-v1:0", "meta-llama-3-70b-instruct"),
        ("meta.llama3-8b-instruct-v1:0", "meta-llama-3-8b-instruct"),
        (PIXTRAL, "mistral-ai-pixtral-large"),
        (
            "mistral.mistral-large-2402-v1:0",
            "mistral-ai-mistral-large",
        ),
        (MISTRAL_LARGE_3, "mistral-ai-mistral-large-3"),
        (MINISTRAL_14B, "mistral-ai-ministral-14b-3-0"),
        (
            "mistral.ministral-3-8b-instruct",
            "mistral-ai-ministral-3-8b",
        ),
        ("mistral.ministral-3-3b-instruct", "mistral-ai-ministral-3b"),
        (
            "mistral.magistral-small-2509",
            "mistral-ai-magistral-small-2509",
        ),
        ("mistral.devstral-2-123b", "mistral-ai-devstral-2-123b"),
        (DEEPSEEK_R1, "deepseek-deepseek-r1"),
        (DEEPSEEK_V31, "deepseek-deepseek-v3-1"),
        (DEEPSEEK_V32, "deepseek-deepseek-v3-2"),
        (EMBED_V4, "cohere-embed-v4"),
        (EMBED_EN, "cohere-embed-english"),
        ("cohere.embed-multilingual-v3", "cohere-embed-multilingual"),
        (TITAN_G1, "amazon-titan-embeddings-g1---text"),
        (
            "amazon.titan-embed-image-v1",
            "amazon-titan-multimodal-embeddings-g1",
        ),
        (NOVA_MME, "amazon-amazon-nova-multimodal-embeddings"),
        (GPT_OSS_120B, "openai-gpt-oss-120b"),
        ("openai.gpt-oss-20b-1:0", "openai-gpt-oss-20b"),
        (OPUS_41, "anthropic-claude-opus-4-1"),
        (SONNET_4, "anthropic-claude-sonnet-4"),
        (NOVA_PREMIER, "amazon-nova-premier"),
        (OPUS_5, "anthropic-claude-opus-5"),
        (SONNET_5, "anthropic-claude-sonnet-5"),
    ] {
        let m = c
            .model(Cloud::Aws, id)
            .unwrap_or_else(|| panic!("missing {id}"));
        let card = format!("{CARDS}model-card-{slug}.html");
        assert_eq!(m.source, card, "{id}");
        assert!(m.offers.iter().all(|o| o.source == card), "{id}");
        let embeds = m.has_capability(Capability::Embeddings);
        assert_eq!(embeds, !m.has_capability(Capability::Chat), "{id}");
    }
}

/// Llama 4 Maverick: "Context window: 1M tokens"; In-Region "no", Geo "yes" in us-east-1,
/// us-east-2, us-west-1, us-west-2; "us-west-1 (N. California) | us-east-1 (N. Virginia),
/// us-east-2 (Ohio), us-west-1 (N. California), us-west-2 (Oregon)"; Global "Not supported".
/// Scout: "Context window: 10M tokens", same routes.
#[test]
fn llama_4_rows() {
    let c = Catalog::builtin();
    assert_eq!(
        c.model(Cloud::Aws, MAVERICK).unwrap().context_window,
        1_000_000
    );
    assert_eq!(
        c.model(Cloud::Aws, SCOUT).unwrap().context_window,
        10_000_000
    );
    for id in [MAVERICK, SCOUT] {
        let f = footprint(id, "us-west-1", Processing::Geography);
        assert_eq!(f.profile, Some(format!("us.{id}")));
        assert_eq!(
            ids(&f),
            ["us-east-1", "us-east-2", "us-west-1", "us-west-2"]
        );
        assert!(f.is_verified());
        let f = footprint(id, "us-east-1", Processing::Geography);
        assert_eq!(ids(&f), ["us-east-1", "us-east-2", "us-west-2"]);
        match refused(id, "us-east-1", Processing::Region) {
            CatalogError::NotInRegion { geography_profiles } => {
                assert_eq!(geography_profiles, [format!("us.{id}")]);
            }
            other => panic!("{id}: {other:?}"),
        }
        not_offered(id, "us-east-1", Processing::Global);
        not_offered(id, "eu-central-1", Processing::Geography);
    }
    // Maverick lists client-side tool calling; Scout does not.
    assert!(c
        .model(Cloud::Aws, MAVERICK)
        .unwrap()
        .has_capability(Capability::Tools));
    assert!(!c
        .model(Cloud::Aws, SCOUT)
        .unwrap()
        .has_capability(Capability::Tools));
}

/// Pixtral Large, Geo: EU, "eu-central-1 (Frankfurt) | eu-central-1 (Frankfurt), eu-north-1
/// (Stockholm), eu-west-1 (Ireland), eu-west-3 (Paris)": no Milan or Spain, no London source.
#[test]
fn pixtral_large_eu_profile() {
    let f = footprint(PIXTRAL, "eu-central-1", Processing::Geography);
    assert_eq!(
        f.profile.as_deref(),
        Some("eu.mistral.pixtral-large-2502-v1:0")
    );
    assert_eq!(
        ids(&f),
        ["eu-central-1", "eu-north-1", "eu-west-1", "eu-west-3"]
    );
    assert!(in_geography(&f, "eu"));
    for (region, processing) in [
        ("eu-west-2", Processing::Geography),
        ("eu-south-1", Processing::Geography),
        ("us-east-1", Processing::Global),
    ] {
        not_offered(PIXTRAL, region, processing);
    }
    assert!(matches!(
        refused(PIXTRAL, "eu-west-1", Processing::Region),
        CatalogError::NotInRegion { .. }
    ));
}

/// Cohere Embed v4, Geo: EU, "eu-west-2 (London) | ... eu-west-1 (Ireland), eu-west-2
/// (London), eu-west-3 (Paris)" and "eu-central-2 (Zurich) | eu-central-1 (Frankfurt),
/// eu-central-2 (Zurich), ..."; In-Region yes only in us-east-1, eu-west-1, ap-northeast-1;
/// Global in 23 Regions (ca-central-1 and sa-east-1 among them, ca-west-1 not).
#[test]
fn embed_v4_rows() {
    let f = footprint(EMBED_V4, "eu-west-1", Processing::Geography);
    assert_eq!(ids(&f), EU6);
    let f = footprint(EMBED_V4, "eu-west-2", Processing::Geography);
    assert!(f.countries.contains(&"GB".to_owned()));
    assert!(!in_geography(&f, "eu"));
    let f = footprint(EMBED_V4, "eu-central-2", Processing::Geography);
    assert!(f.countries.contains(&"CH".to_owned()));
    assert_eq!(
        footprint(EMBED_V4, "eu-west-1", Processing::Region).countries,
        ["IE"]
    );
    match refused(EMBED_V4, "eu-central-1", Processing::Region) {
        CatalogError::NotOffered {
            offered_regions,
            offered_processing,
            ..
        } => {
            assert_eq!(
                offered_regions,
                ["ap-northeast-1", "eu-west-1", "us-east-1"]
            );
            assert_eq!(
                offered_processing,
                [Processing::Geography, Processing::Global]
            );
        }
        other => panic!("{other:?}"),
    }
    let m = Catalog::builtin().model(Cloud::Aws, EMBED_V4).unwrap();
    let global = m
        .offers
        .iter()
        .find(|o| o.processing == Processing::Global)
        .unwrap();
    assert_eq!(global.regions.len(), 23);
    assert!(global.regions.iter().any(|r| r == "sa-east-1"));
    assert!(!global.regions.iter().any(|r| r == "ca-west-1"));
    assert!(m.has_capability(Capability::Embeddings));
}

/// Embedding models with In-Region access only: Cohere Embed English ("In-Region" yes in 12
/// Regions, eu-central-1 among them, eu-north-1 not), Titan Embeddings G1 - Text (us-east-1,
/// us-west-2, eu-central-1, ap-northeast-1), Nova Multimodal Embeddings (us-east-1 only).
#[test]
fn embedding_in_region_rows() {
    let c = Catalog::builtin();
    assert_eq!(c.model(Cloud::Aws, EMBED_EN).unwrap().context_window, 512);
    assert_eq!(
        footprint(EMBED_EN, "eu-central-1", Processing::Region).countries,
        ["DE"]
    );
    not_offered(EMBED_EN, "eu-north-1", Processing::Region);
    not_offered(EMBED_EN, "eu-central-1", Processing::Geography);
    footprint(TITAN_G1, "ap-northeast-1", Processing::Region);
    not_offered(TITAN_G1, "eu-west-1", Processing::Region);
    footprint(NOVA_MME, "us-east-1", Processing::Region);
    match refused(NOVA_MME, "us-west-2", Processing::Region) {
        CatalogError::NotOffered {
            offered_regions, ..
        } => assert_eq!(offered_regions, ["us-east-1"]),
        other => panic!("{other:?}"),
    }
}

/// DeepSeek: R1 "Geo inference ID: us.deepseek.r1-v1:0", In-Region no, "Global inference ID:
/// Not supported"; V3.1 and V3.2 In-Region only ("Geo inference ID: Not supported"), V3.1 in
/// ap-southeast-4 (Melbourne) and sa-east-1 (São Paulo) on the card although the Regional
/// availability page omits them; V3.2 "Context window: 164K tokens".
#[test]
fn deepseek_rows() {
    let f = footprint(DEEPSEEK_R1, "us-east-2", Processing::Geography);
    assert_eq!(ids(&f), ["us-east-1", "us-east-2", "us-west-2"]);
    assert!(matches!(
        refused(DEEPSEEK_R1, "us-east-1", Processing::Region),
        CatalogError::NotInRegion { .. }
    ));
    for region in ["ap-southeast-4", "sa-east-1", "eu-north-1", "us-east-1"] {
        footprint(DEEPSEEK_V31, region, Processing::Region);
        footprint(DEEPSEEK_V32, region, Processing::Region);
    }
    for id in [DEEPSEEK_V31, DEEPSEEK_V32] {
        not_offered(id, "eu-central-1", Processing::Region);
        not_offered(id, "us-east-1", Processing::Geography);
    }
    let c = Catalog::builtin();
    assert_eq!(
        c.model(Cloud::Aws, DEEPSEEK_V32).unwrap().context_window,
        164_000
    );
    assert!(c
        .model(Cloud::Aws, DEEPSEEK_R1)
        .unwrap()
        .has_capability(Capability::Reasoning));
}

/// Mistral Large 3: In-Region yes in us-east-1, us-east-2, us-west-2, ap-northeast-1,
/// ap-south-1, ap-southeast-2, sa-east-1 and nowhere in Europe; Ministral 14B 3.0: 14 Regions
/// including eu-central-1 and ap-southeast-4.
#[test]
fn mistral_in_region_rows() {
    assert_eq!(
        footprint(MISTRAL_LARGE_3, "ap-south-1", Processing::Region).countries,
        ["IN"]
    );
    not_offered(MISTRAL_LARGE_3, "eu-west-1", Processing::Region);
    let m = Catalog::builtin().model(Cloud::Aws, MINISTRAL_14B).unwrap();
    assert_eq!(m.offers.len(), 1);
    assert_eq!(m.offers[0].regions.len(), 14);
    footprint(MINISTRAL_14B, "eu-central-1", Processing::Region);
    footprint(MINISTRAL_14B, "ap-southeast-4", Processing::Region);
    not_offered(MINISTRAL_14B, "eu-west-3", Processing::Region);
}

/// gpt-oss-120b: "US GovCloud CRIS Inference ID: us-gov.openai.gpt-oss-120b-1:0",
/// "us-gov-west-1 (GovCloud West) | us-gov-west-1 (GovCloud West), us-gov-east-1 (GovCloud
/// East)"; In-Region yes in eu-central-1 and us-gov-west-1; Global "Not supported".
#[test]
fn gpt_oss_rows() {
    let f = footprint(GPT_OSS_120B, "us-gov-west-1", Processing::Geography);
    assert_eq!(f.profile.as_deref(), Some("us-gov.openai.gpt-oss-120b-1:0"));
    assert_eq!(ids(&f), ["us-gov-east-1", "us-gov-west-1"]);
    assert_eq!(
        ids(&footprint(
            GPT_OSS_120B,
            "us-gov-west-1",
            Processing::Region
        )),
        ["us-gov-west-1"]
    );
    assert_eq!(
        footprint(GPT_OSS_120B, "eu-central-1", Processing::Region).countries,
        ["DE"]
    );
    not_offered(GPT_OSS_120B, "us-east-1", Processing::Geography);
    not_offered(GPT_OSS_120B, "us-east-1", Processing::Global);
}

/// Claude Opus 5 and Sonnet 5 cards: "US geo ... Keeps data within US and Canada regions",
/// "AU geo ... Keeps data within Australia regions" (no route tables: unverified, as wide as
/// the statement); In-Region (bedrock-mantle) yes only in us-east-1, eu-north-1, eu-west-1,
/// ap-southeast-4 (Sonnet 5 also us-gov-west-1); Geo no in Tokyo; Sonnet 5 Geo no in Sydney.
#[test]
fn claude_5_rows() {
    let f = footprint(OPUS_5, "us-east-1", Processing::Geography);
    assert!(!f.is_verified());
    assert_eq!(f.countries, ["CA", "US"]);
    let f = footprint(OPUS_5, "ap-southeast-2", Processing::Geography);
    assert_eq!(f.profile.as_deref(), Some("au.anthropic.claude-opus-5"));
    assert_eq!(f.countries, ["AU"]);
    match refused(OPUS_5, "eu-central-1", Processing::Region) {
        CatalogError::NotOffered {
            offered_regions, ..
        } => assert_eq!(
            offered_regions,
            ["ap-southeast-4", "eu-north-1", "eu-west-1", "us-east-1"]
        ),
        other => panic!("{other:?}"),
    }
    for id in [OPUS_5, SONNET_5] {
        not_offered(id, "ap-northeast-1", Processing::Geography);
        footprint(id, "ap-northeast-1", Processing::Global);
        footprint(id, "eu-north-1", Processing::Region);
    }
    not_offered(SONNET_5, "ap-southeast-2", Processing::Geography);
    assert_eq!(
        footprint(SONNET_5, "ap-southeast-4", Processing::Geography).countries,
        ["AU"]
    );
    footprint(SONNET_5, "us-gov-west-1", Processing::Region);
    let f = footprint(SONNET_5, "us-gov-east-1", Processing::Geography);
    assert_eq!(ids(&f), ["us-gov-east-1", "us-gov-west-1"]);
    assert!(!f.is_verified());
}

/// Llama 3.1 70B: In-Region yes only in us-west-2, Geo US from us-east-1, us-east-2, us-west-2;
/// Llama 3 70B: In-Region in six Regions including us-gov-west-1 (GovCloud), "Context window: 8K".
#[test]
fn llama_3_rows() {
    let id = "meta.llama3-1-70b-instruct-v1:0";
    footprint(id, "us-west-2", Processing::Region);
    match refused(id, "us-east-1", Processing::Region) {
        CatalogError::NotOffered {
            offered_regions,
            offered_processing,
            ..
        } => {
            assert_eq!(offered_regions, ["us-west-2"]);
            assert_eq!(offered_processing, [Processing::Geography]);
        }
        other => panic!("{other:?}"),
    }
    let id = "meta.llama3-70b-instruct-v1:0";
    assert_eq!(
        ids(&footprint(id, "us-gov-west-1", Processing::Region)),
        ["us-gov-west-1"]
    );
    not_offered(id, "us-east-2", Processing::Region);
}
