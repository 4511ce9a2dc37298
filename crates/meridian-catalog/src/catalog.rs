//! The merged catalog: built-in data plus an optional overlay, indexed for fast look-ups.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::OnceLock;

use crate::format::{CatalogFile, Country, Geography, Model, Region};
use crate::kinds::{Cloud, Processing};

/// The built-in catalog files, in load order: `(file name, JSON text)`.
const BUILTIN_FILES: &[(&str, &str)] = &[
    (
        "countries.json",
        include_str!("../../../schema/catalog/countries.json"),
    ),
    (
        "geographies.json",
        include_str!("../../../schema/catalog/geographies.json"),
    ),
    (
        "regions-aws.json",
        include_str!("../../../schema/catalog/regions-aws.json"),
    ),
    (
        "regions-azure.json",
        include_str!("../../../schema/catalog/regions-azure.json"),
    ),
    (
        "regions-gcp.json",
        include_str!("../../../schema/catalog/regions-gcp.json"),
    ),
    (
        "models-aws.json",
        include_str!("../../../schema/catalog/models-aws.json"),
    ),
    (
        "models-azure.json",
        include_str!("../../../schema/catalog/models-azure.json"),
    ),
    (
        "models-gcp.json",
        include_str!("../../../schema/catalog/models-gcp.json"),
    ),
];

/// The built-in catalog files as `(file name, JSON text)`, e.g. for `meridian catalog dump`.
pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
    BUILTIN_FILES
}

/// AWS partitions a region may belong to.
const AWS_PARTITIONS: [&str; 3] = ["aws", "aws-us-gov", "aws-cn"];

/// The Google endpoint location that is not a region.
pub(crate) const GCP_GLOBAL: &str = "global";

/// A catalog overlay that could not be used: its JSON is malformed, does not match the
/// catalog format, or refers to things the catalog does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlayError {
    /// What is wrong.
    pub message: String,
    /// 1-based line of the problem in the overlay text (0 when it cannot be located).
    pub line: usize,
    /// 1-based column of the problem (0 when it cannot be located).
    pub column: usize,
}

impl OverlayError {
    /// The diagnostic code for an invalid overlay.
    pub fn code(&self) -> meridian_diag::Code {
        meridian_diag::codes::CAT_OVERLAY
    }
}

impl fmt::Display for OverlayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "invalid catalog overlay: {}", self.message)
        } else {
            write!(
                f,
                "invalid catalog overlay at line {}, column {}: {}",
                self.line, self.column, self.message
            )
        }
    }
}

impl std::error::Error for OverlayError {}

/// A problem found while checking catalog data, with the text that locates it in the file.
#[derive(Debug)]
struct Problem {
    message: String,
    /// A JSON string value near the problem (e.g. a model id), used to find a line/column.
    anchor: Option<String>,
}

fn problem(message: impl Into<String>, anchor: Option<&str>) -> Problem {
    Problem {
        message: message.into(),
        anchor: anchor.map(str::to_owned),
    }
}

/// The catalog: countries, geographies, regions and models, merged from the built-in files
/// and an optional overlay. It is the single source of truth for where prompts may be
/// processed; see [`Catalog::footprint`](crate::Catalog::footprint).
#[derive(Debug, Clone)]
pub struct Catalog {
    pub(crate) as_of: String,
    pub(crate) countries: Vec<Country>,
    pub(crate) geographies: Vec<Geography>,
    pub(crate) regions: Vec<Region>,
    pub(crate) models: Vec<Model>,
    pub(crate) index: Index,
}

/// Look-up tables derived from the data. Region index lists are sorted by region id.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    countries: HashMap<String, usize>,
    geographies: HashMap<String, usize>,
    regions: [HashMap<String, usize>; 3],
    models: [HashMap<String, usize>; 3],
    pub(crate) cloud_regions: [Vec<usize>; 3],
    pub(crate) aws_commercial: Vec<usize>,
    pub(crate) azure_geographies: HashMap<String, Vec<usize>>,
    pub(crate) data_zones: HashMap<String, Vec<usize>>,
    pub(crate) multi_regions: HashMap<String, Vec<usize>>,
}

impl Catalog {
    /// The built-in catalog, parsed once. The built-in data is checked by the crate's tests,
    /// so a failure here is a bug in the shipped data.
    pub fn builtin() -> &'static Catalog {
        static BUILTIN: OnceLock<Catalog> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            let mut files = Vec::with_capacity(BUILTIN_FILES.len());
            for (name, text) in BUILTIN_FILES {
                let file: CatalogFile = serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("built-in catalog file {name} does not parse: {e}"));
                files.push((*name, file));
            }
            Catalog::from_files(files, false).unwrap_or_else(|(name, p)| {
                panic!("built-in catalog file {name} is invalid: {}", p.message)
            })
        })
    }

    /// This catalog with an overlay merged over it. Overlay entries replace entries with the
    /// same key (cloud + id for regions and models, code for geographies and countries) and
    /// add new ones. The overlay has the shape of one catalog file (see
    /// `schema/catalog.schema.json`).
    pub fn with_overlay(&self, json: &str) -> Result<Catalog, OverlayError> {
        let file: CatalogFile = serde_json::from_str(json).map_err(|e| {
            let full = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
            OverlayError {
                message,
                line: e.line(),
                column: e.column(),
            }
        })?;
        let base = CatalogFile {
            schema: None,
            as_of: Some(self.as_of.clone()),
            description: None,
            countries: self.countries.clone(),
            geographies: self.geographies.clone(),
            regions: self.regions.clone(),
            models: self.models.clone(),
        };
        Catalog::from_files(vec![("built-in", base), ("overlay", file)], true).map_err(|(_, p)| {
            let (line, column) = p
                .anchor
                .as_deref()
                .and_then(|a| locate(json, a))
                .unwrap_or((0, 0));
            OverlayError {
                message: p.message,
                line,
                column,
            }
        })
    }

    /// The date of the newest file merged into this catalog (YYYY-MM-DD). Retirement dates on
    /// or before it count as past.
    pub fn as_of(&self) -> &str {
        &self.as_of
    }

    /// Whether `code` is an ISO 3166-1 alpha-2 country code (upper case) the catalog knows.
    /// The built-in catalog knows all 249 officially assigned codes.
    pub fn is_country(&self, code: &str) -> bool {
        self.index.countries.contains_key(code)
    }

    /// The English short name of a country.
    pub fn country_name(&self, code: &str) -> Option<&str> {
        self.index
            .countries
            .get(code)
            .map(|&i| self.countries[i].name.as_str())
    }

    /// Every known country, sorted by code.
    pub fn countries(&self) -> impl Iterator<Item = &Country> {
        self.countries.iter()
    }

    /// A geography by code (`eu`, `eea`, `europe`, `us`, `apac`, ...).
    pub fn geography(&self, code: &str) -> Option<&Geography> {
        self.index
            .geographies
            .get(code)
            .map(|&i| &self.geographies[i])
    }

    /// Every geography, sorted by code.
    pub fn geographies(&self) -> impl Iterator<Item = &Geography> {
        self.geographies.iter()
    }

    /// A region of a cloud by its id.
    pub fn region(&self, cloud: Cloud, id: &str) -> Option<&Region> {
        self.index.regions[cloud.index()]
            .get(id)
            .map(|&i| &self.regions[i])
    }

    /// Regions, of one cloud or all, sorted by cloud then id.
    pub fn regions(&self, cloud: Option<Cloud>) -> impl Iterator<Item = &Region> {
        self.regions
            .iter()
            .filter(move |r| cloud.is_none_or(|c| r.cloud == c))
    }

    /// A model of a cloud by the provider's model id.
    pub fn model(&self, cloud: Cloud, id: &str) -> Option<&Model> {
        self.index.models[cloud.index()]
            .get(id)
            .map(|&i| &self.models[i])
    }

    /// Models, of one cloud or all, sorted by cloud then id.
    pub fn models(&self, cloud: Option<Cloud>) -> impl Iterator<Item = &Model> {
        self.models
            .iter()
            .filter(move |m| cloud.is_none_or(|c| m.cloud == c))
    }

    /// The Google multi-region codes (`eu`, `us`) the catalog's regions belong to.
    pub fn multi_regions(&self) -> impl Iterator<Item = &str> {
        let mut codes: Vec<&str> = self
            .index
            .multi_regions
            .keys()
            .map(String::as_str)
            .collect();
        codes.sort_unstable();
        codes.into_iter()
    }

    pub(crate) fn region_at(&self, index: usize) -> &Region {
        &self.regions[index]
    }

    pub(crate) fn region_index(&self, cloud: Cloud, id: &str) -> Option<usize> {
        self.index.regions[cloud.index()].get(id).copied()
    }

    /// Merges files in order (later entries replace earlier ones when `replace` is set,
    /// otherwise a repeated key is an error), then checks and indexes the result.
    fn from_files(
        files: Vec<(&str, CatalogFile)>,
        replace: bool,
    ) -> Result<Catalog, (String, Problem)> {
        let mut as_of = String::new();
        let mut countries: Vec<Country> = Vec::new();
        let mut geographies: Vec<Geography> = Vec::new();
        let mut regions: Vec<Region> = Vec::new();
        let mut models: Vec<Model> = Vec::new();
        let mut country_keys: HashMap<String, usize> = HashMap::new();
        let mut geography_keys: HashMap<String, usize> = HashMap::new();
        let mut region_keys: HashMap<(Cloud, String), usize> = HashMap::new();
        let mut model_keys: HashMap<(Cloud, String), usize> = HashMap::new();

        for (name, file) in files {
            let fail = |p: Problem| (name.to_owned(), p);
            if let Some(date) = &file.as_of {
                check_date(date, "the file's as_of").map_err(fail)?;
                if *date > as_of {
                    as_of.clone_from(date);
                }
            }
            for c in file.countries {
                upsert(
                    &mut countries,
                    &mut country_keys,
                    c.code.clone(),
                    c,
                    replace,
                )
                .map_err(|k| fail(problem(format!("country {k} is listed twice"), Some(&k))))?;
            }
            for g in file.geographies {
                upsert(
                    &mut geographies,
                    &mut geography_keys,
                    g.code.clone(),
                    g,
                    replace,
                )
                .map_err(|k| fail(problem(format!("geography {k} is listed twice"), Some(&k))))?;
            }
            for r in file.regions {
                let key = (r.cloud, r.id.clone());
                upsert(&mut regions, &mut region_keys, key, r, replace).map_err(|(c, id)| {
                    fail(problem(
                        format!("{c} region {id} is listed twice"),
                        Some(&id),
                    ))
                })?;
            }
            for m in file.models {
                let key = (m.cloud, m.id.clone());
                upsert(&mut models, &mut model_keys, key, m, replace).map_err(|(c, id)| {
                    fail(problem(
                        format!("{c} model {id} is listed twice"),
                        Some(&id),
                    ))
                })?;
            }
        }
        if as_of.is_empty() {
            return Err((
                "catalog".to_owned(),
                problem("no file gives an as_of date", None),
            ));
        }

        countries.sort_by(|a, b| a.code.cmp(&b.code));
        geographies.sort_by(|a, b| a.code.cmp(&b.code));
        regions.sort_by(|a, b| (a.cloud, &a.id).cmp(&(b.cloud, &b.id)));
        models.sort_by(|a, b| (a.cloud, &a.id).cmp(&(b.cloud, &b.id)));

        let mut catalog = Catalog {
            as_of,
            countries,
            geographies,
            regions,
            models,
            index: Index::default(),
        };
        catalog.build_index();
        catalog
            .normalize_and_check()
            .map_err(|p| ("catalog".to_owned(), p))?;
        Ok(catalog)
    }

    fn build_index(&mut self) {
        let mut index = Index::default();
        for (i, c) in self.countries.iter().enumerate() {
            index.countries.insert(c.code.clone(), i);
        }
        for (i, g) in self.geographies.iter().enumerate() {
            index.geographies.insert(g.code.clone(), i);
        }
        for (i, r) in self.regions.iter().enumerate() {
            let cloud = r.cloud.index();
            index.regions[cloud].insert(r.id.clone(), i);
            index.cloud_regions[cloud].push(i);
            match r.cloud {
                Cloud::Aws => {
                    if r.partition.as_deref() == Some("aws") {
                        index.aws_commercial.push(i);
                    }
                }
                Cloud::Azure => {
                    if let Some(g) = &r.azure_geography {
                        index
                            .azure_geographies
                            .entry(g.clone())
                            .or_default()
                            .push(i);
                    }
                    if let Some(z) = &r.data_zone {
                        index.data_zones.entry(z.clone()).or_default().push(i);
                    }
                }
                Cloud::Gcp => {
                    if let Some(m) = &r.multi_region {
                        index.multi_regions.entry(m.clone()).or_default().push(i);
                    }
                }
            }
        }
        for (i, m) in self.models.iter().enumerate() {
            index.models[m.cloud.index()].insert(m.id.clone(), i);
        }
        self.index = index;
    }

    /// Fills derived fields (AWS geography offers' callable regions) and checks every
    /// reference and value.
    fn normalize_and_check(&mut self) -> Result<(), Problem> {
        for c in &self.countries {
            if c.code.len() != 2 || !c.code.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(problem(
                    format!(
                        "country code {:?} is not two upper-case letters (ISO 3166-1 alpha-2)",
                        c.code
                    ),
                    Some(&c.code),
                ));
            }
        }
        for g in &self.geographies {
            check_date(&g.as_of, &format!("geography {}: as_of", g.code))?;
            if g.countries.is_empty() {
                return Err(problem(
                    format!("geography {} has no countries", g.code),
                    Some(&g.code),
                ));
            }
            for c in &g.countries {
                if !self.is_country(c) {
                    return Err(problem(
                        format!(
                            "geography {}: {c:?} is not an ISO 3166-1 alpha-2 country code",
                            g.code
                        ),
                        Some(c),
                    ));
                }
            }
        }
        for r in &self.regions {
            self.check_region(r)?;
        }
        let models = std::mem::take(&mut self.models);
        let mut checked = Vec::with_capacity(models.len());
        let mut result = Ok(());
        for mut m in models {
            if result.is_ok() {
                result = self.normalize_model(&mut m);
            }
            checked.push(m);
        }
        self.models = checked;
        result
    }

    fn check_region(&self, r: &Region) -> Result<(), Problem> {
        let what = format!("{} region {}", r.cloud, r.id);
        let anchor = Some(r.id.as_str());
        check_date(&r.as_of, &format!("{what}: as_of"))?;
        if !self.is_country(&r.country) {
            return Err(problem(
                format!(
                    "{what}: country {:?} is not an ISO 3166-1 alpha-2 code",
                    r.country
                ),
                anchor,
            ));
        }
        let only = |field: &str, present: bool, cloud: Cloud| -> Result<(), Problem> {
            if present && r.cloud != cloud {
                Err(problem(
                    format!("{what}: {field} applies to {cloud} regions only"),
                    anchor,
                ))
            } else {
                Ok(())
            }
        };
        only("partition", r.partition.is_some(), Cloud::Aws)?;
        only("azure_geography", r.azure_geography.is_some(), Cloud::Azure)?;
        only("data_zone", r.data_zone.is_some(), Cloud::Azure)?;
        only("multi_region", r.multi_region.is_some(), Cloud::Gcp)?;
        match r.cloud {
            Cloud::Aws => match r.partition.as_deref() {
                Some(p) if AWS_PARTITIONS.contains(&p) => Ok(()),
                Some(p) => Err(problem(
                    format!("{what}: unknown partition {p:?} (aws, aws-us-gov, aws-cn)"),
                    anchor,
                )),
                None => Err(problem(
                    format!("{what}: partition is required for AWS regions"),
                    anchor,
                )),
            },
            Cloud::Azure if r.azure_geography.is_none() => Err(problem(
                format!("{what}: azure_geography is required for Azure regions"),
                anchor,
            )),
            Cloud::Gcp if r.id == GCP_GLOBAL || self.index.multi_regions.contains_key(&r.id) => {
                Err(problem(
                    format!("{what}: {:?} is an endpoint location, not a region", r.id),
                    anchor,
                ))
            }
            _ => Ok(()),
        }
    }

    fn normalize_model(&self, m: &mut Model) -> Result<(), Problem> {
        let what = format!("{} model {}", m.cloud, m.id);
        let anchor = Some(m.id.as_str());
        let fail = |message: String| Err(problem(format!("{what}: {message}"), anchor));
        check_date(&m.as_of, &format!("{what}: as_of"))?;
        if let Some(d) = &m.retirement_date {
            check_date(d, &format!("{what}: retirement_date"))?;
        }
        if let Some(d) = &m.deprecation_date {
            check_date(d, &format!("{what}: deprecation_date"))?;
        }
        if let Some(n) = &m.no_price {
            check_date(&n.as_of, &format!("{what}: no_price as_of"))?;
        }
        if m.id.trim().is_empty() {
            return fail("the id is empty".to_owned());
        }
        if m.context_window == 0 {
            return fail("context_window must be positive".to_owned());
        }
        if m.capabilities.is_empty() {
            return fail("no capabilities".to_owned());
        }
        let mut seen = BTreeSet::new();
        for v in &m.versions {
            check_date(&v.as_of, &format!("{what}: version {} as_of", v.version))?;
            if let Some(d) = &v.retirement_date {
                check_date(d, &format!("{what}: version {} retirement_date", v.version))?;
            }
            if let Some(d) = &v.deprecation_date {
                check_date(
                    d,
                    &format!("{what}: version {} deprecation_date", v.version),
                )?;
            }
            if !seen.insert(v.version.as_str()) {
                return fail(format!("version {} is listed twice", v.version));
            }
        }
        if m.offers.is_empty() {
            return fail("no offers".to_owned());
        }
        let mut priced = BTreeSet::new();
        for p in &m.prices {
            check_date(&p.as_of, &format!("{what}: price as_of"))?;
            if !priced.insert(p.processing) {
                return fail(format!("two prices for processing {}", p.processing));
            }
            let ok = |x: f64| x.is_finite() && x >= 0.0;
            if !ok(p.input_per_1m) || !ok(p.output_per_1m) {
                return fail(format!(
                    "the {} price must be a non-negative number",
                    p.processing
                ));
            }
        }
        let cloud = m.cloud;
        for offer in &mut m.offers {
            let label = format!("{} offer", offer.processing);
            check_date(&offer.as_of, &format!("{what}: {label} as_of"))?;
            if let Some(d) = &offer.retirement_date {
                check_date(d, &format!("{what}: {label} retirement_date"))?;
            }
            if offer.billing.is_empty() {
                return fail(format!("{label} has no billing modes"));
            }
            for v in &offer.versions {
                if !seen.contains(v.as_str()) {
                    return fail(format!("{label} names version {v}, which is not listed"));
                }
            }
            if let Some(guaranteed) = &offer.processing_guarantee {
                if cloud != Cloud::Gcp {
                    return fail(format!(
                        "{label}: processing_guarantee applies to Google offers only"
                    ));
                }
                if offer.processing == Processing::Global {
                    return fail(format!(
                        "{label}: the global endpoint carries no processing guarantee; remove processing_guarantee"
                    ));
                }
                if let Some(l) = guaranteed.iter().find(|l| !offer.regions.contains(l)) {
                    return fail(format!(
                        "{label}: processing_guarantee names {l:?}, which is not among the offer's regions"
                    ));
                }
            }
            let aws_geography = cloud == Cloud::Aws && offer.processing == Processing::Geography;
            if !offer.profiles.is_empty() && !aws_geography {
                return fail(format!(
                    "{label}: profiles belong to AWS geography offers only"
                ));
            }
            if aws_geography {
                if offer.profiles.is_empty() {
                    return fail(format!("{label} has no inference profiles"));
                }
                let mut sources = BTreeSet::new();
                for p in &offer.profiles {
                    check_date(&p.as_of, &format!("{what}: profile {} as_of", p.prefix))?;
                    if p.routes.is_empty() {
                        return fail(format!("profile {} has no routes", p.prefix));
                    }
                    for (source, destinations) in &p.routes {
                        self.check_reference(cloud, source, &what)?;
                        if destinations.is_empty() {
                            return fail(format!(
                                "profile {} has no destinations for source {source}",
                                p.prefix
                            ));
                        }
                        for d in destinations {
                            self.check_reference(cloud, d, &what)?;
                        }
                        sources.insert(source.clone());
                    }
                }
                if offer.regions.is_empty() {
                    offer.regions = sources.into_iter().collect();
                } else {
                    let declared: BTreeSet<String> = offer.regions.iter().cloned().collect();
                    if declared != sources {
                        return fail(format!(
                            "{label}: regions must equal the profiles' source regions (or be left out)"
                        ));
                    }
                }
                continue;
            }
            if offer.regions.is_empty() {
                return fail(format!("{label} lists no regions"));
            }
            for r in &offer.regions {
                match (cloud, offer.processing) {
                    (Cloud::Gcp, Processing::Geography) => {
                        if !self.index.multi_regions.contains_key(r) {
                            return fail(format!(
                                "{label}: {r:?} is not a multi-region of any catalog region"
                            ));
                        }
                    }
                    (Cloud::Gcp, Processing::Global) => {
                        if r != GCP_GLOBAL {
                            return fail(format!("{label}: regions must be [\"global\"]"));
                        }
                    }
                    (Cloud::Azure, Processing::Geography) => {
                        self.check_reference(cloud, r, &what)?;
                        if self.region(cloud, r).is_some_and(|x| x.data_zone.is_none()) {
                            return fail(format!("{label}: region {r} is in no data zone"));
                        }
                    }
                    _ => self.check_reference(cloud, r, &what)?,
                }
            }
        }
        Ok(())
    }

    fn check_reference(&self, cloud: Cloud, id: &str, what: &str) -> Result<(), Problem> {
        if self.region(cloud, id).is_some() {
            Ok(())
        } else {
            Err(problem(
                format!("{what}: {id:?} is not a {cloud} region in the catalog"),
                Some(id),
            ))
        }
    }
}

/// Inserts or replaces an entry by key. Returns the key back when it repeats and replacing
/// is not allowed.
fn upsert<K, T>(
    items: &mut Vec<T>,
    keys: &mut HashMap<K, usize>,
    key: K,
    item: T,
    replace: bool,
) -> Result<(), K>
where
    K: std::hash::Hash + Eq,
{
    if let Some(&i) = keys.get(&key) {
        if !replace {
            return Err(key);
        }
        items[i] = item;
    } else {
        keys.insert(key, items.len());
        items.push(item);
    }
    Ok(())
}

/// Checks a YYYY-MM-DD date.
fn check_date(date: &str, what: &str) -> Result<(), Problem> {
    if is_date(date) {
        Ok(())
    } else {
        Err(problem(
            format!("{what}: {date:?} is not a date (YYYY-MM-DD)"),
            Some(date),
        ))
    }
}

pub(crate) fn is_date(date: &str) -> bool {
    let b = date.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !digits(0..4) || !digits(5..7) || !digits(8..10) {
        return false;
    }
    let month = u32::from(b[5] - b'0') * 10 + u32::from(b[6] - b'0');
    let day = u32::from(b[8] - b'0') * 10 + u32::from(b[9] - b'0');
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// The 1-based line and column of the first occurrence of `"value"` in a JSON text.
fn locate(json: &str, value: &str) -> Option<(usize, usize)> {
    let quoted = serde_json::to_string(value).ok()?;
    let offset = json.find(&quoted)?;
    let before = &json[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.chars().count(), |nl| {
        before[nl + 1..].chars().count()
    }) + 1;
    Some((line, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(is_date("2026-11-25"));
        assert!(!is_date("2026-13-01"));
        assert!(!is_date("2026-1-01"));
        assert!(!is_date("26-11-2025"));
    }

    #[test]
    fn locates_values() {
        let text = "{\n  \"models\": [\n    {\"id\": \"x\"}\n  ]\n}";
        assert_eq!(locate(text, "x"), Some((3, 12)));
        assert_eq!(locate(text, "y"), None);
    }
}
