use super::print_json;
use crate::cli::{CatalogArgs, CatalogShowArgs, CatalogWhereArgs, ProcessingArg, Provider};
use crate::driver;
use crate::exit;
use crate::output::Output;
use meridian_catalog::{Catalog, Cloud, Model, ModelSheet, OfferSheet, Processing};
use meridian_model::choices::{self, Choice, Choices};
use meridian_spec::Inputs;
use std::borrow::Cow;
use std::path::Path;

fn cloud(p: Option<Provider>) -> Option<Cloud> {
    p.map(|p| match p {
        Provider::Aws => Cloud::Aws,
        Provider::Azure => Cloud::Azure,
        Provider::Gcp => Cloud::Gcp,
    })
}

fn catalog<'a>(args: &CatalogArgs, out: &mut Output<'_>) -> Option<Cow<'a, Catalog>> {
    catalog_with(args.overlay.as_deref(), out)
}

/// The built-in catalog, with the overlay at `overlay` merged over it; `None` after printing
/// why the overlay cannot be used.
fn catalog_with<'a>(overlay: Option<&Path>, out: &mut Output<'_>) -> Option<Cow<'a, Catalog>> {
    let builtin = Catalog::builtin();
    let Some(path) = overlay else {
        return Some(Cow::Borrowed(builtin));
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(out.err, "error: cannot read {}: {e}", path.display());
            return None;
        }
    };
    match builtin.with_overlay(&text) {
        Ok(c) => Some(Cow::Owned(c)),
        Err(e) => {
            let _ = writeln!(
                out.err,
                "error[MRD-CAT-008]: {}:{}:{}: {}",
                path.display(),
                e.line,
                e.column,
                e.message
            );
            None
        }
    }
}

/// Prints rows as aligned columns.
fn table(out: &mut Output<'_>, header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let last = cells.len().saturating_sub(1);
        cells
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                if i == last {
                    c
                } else {
                    format!("{c:<w$}", w = widths[i])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    let _ = writeln!(
        out.out,
        "{}",
        line(header.iter().map(|h| (*h).to_string()).collect())
    );
    for row in rows {
        let _ = writeln!(out.out, "{}", line(row.clone()));
    }
}

/// `meridian catalog models`.
pub fn catalog_models(args: &CatalogArgs, out: &mut Output<'_>) -> i32 {
    let Some(cat) = catalog(args, out) else {
        return exit::ERROR;
    };
    let models: Vec<_> = cat.models(cloud(args.provider)).collect();
    if args.json {
        let text = serde_json::to_string_pretty(&models).unwrap_or_else(|_| "[]".into());
        let _ = writeln!(out.out, "{text}");
        return exit::OK;
    }
    let rows: Vec<Vec<String>> = models
        .iter()
        .map(|m| {
            let caps: Vec<&str> = m.capabilities.iter().map(|c| c.as_str()).collect();
            let modes: Vec<&str> = m.offered_processing().iter().map(|p| p.as_str()).collect();
            let price = [
                Processing::Region,
                Processing::Geography,
                Processing::Global,
            ]
            .iter()
            .find_map(|p| {
                m.price(*p)
                    .map(|pr| format!("${}/${}", pr.input_per_1m, pr.output_per_1m))
            })
            .unwrap_or_else(|| "-".into());
            let versions: Vec<String> = m
                .versions
                .iter()
                .map(|v| match &v.retirement_date {
                    Some(d) => format!("{} (retires {d})", v.version),
                    None => v.version.clone(),
                })
                .collect();
            vec![
                m.cloud.as_str().to_string(),
                m.id.clone(),
                if versions.is_empty() {
                    "-".into()
                } else {
                    versions.join(",")
                },
                m.context_window.to_string(),
                caps.join(","),
                modes.join(","),
                price,
                m.retirement_date.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    table(
        out,
        &[
            "CLOUD",
            "MODEL",
            "VERSIONS",
            "CONTEXT",
            "CAPABILITIES",
            "PROCESSING",
            "PRICE IN/OUT PER 1M",
            "RETIRES",
        ],
        &rows,
    );
    let _ = writeln!(
        out.out,
        "\n{} models, catalog as of {}.",
        models.len(),
        cat.as_of()
    );
    exit::OK
}

/// `meridian catalog regions`.
pub fn catalog_regions(args: &CatalogArgs, out: &mut Output<'_>) -> i32 {
    let Some(cat) = catalog(args, out) else {
        return exit::ERROR;
    };
    let regions: Vec<_> = cat.regions(cloud(args.provider)).collect();
    if args.json {
        let text = serde_json::to_string_pretty(&regions).unwrap_or_else(|_| "[]".into());
        let _ = writeln!(out.out, "{text}");
        return exit::OK;
    }
    let rows: Vec<Vec<String>> = regions
        .iter()
        .map(|r| {
            let grouping = match r.cloud {
                Cloud::Aws => r.partition.clone().map(|p| format!("partition {p}")),
                Cloud::Azure => Some(format!(
                    "geography {}{}",
                    r.azure_geography.clone().unwrap_or_else(|| "-".into()),
                    r.data_zone
                        .as_ref()
                        .map(|z| format!(", data zone {z}"))
                        .unwrap_or_default()
                )),
                Cloud::Gcp => r.multi_region.as_ref().map(|m| format!("multi-region {m}")),
            };
            vec![
                r.cloud.as_str().to_string(),
                r.id.clone(),
                r.country.clone(),
                r.name.clone(),
                grouping.unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    table(
        out,
        &["CLOUD", "REGION", "COUNTRY", "NAME", "RESIDENCY GROUPING"],
        &rows,
    );
    let _ = writeln!(
        out.out,
        "\n{} regions, catalog as of {}.",
        regions.len(),
        cat.as_of()
    );
    exit::OK
}

/// The model `id` names (on `provider`), or `None` after printing why there is none.
fn find_model<'c>(
    cat: &'c Catalog,
    id: &str,
    provider: Option<Provider>,
    out: &mut Output<'_>,
) -> Option<&'c Model> {
    match cat.find_model(id, cloud(provider)) {
        Ok(m) => Some(m),
        Err(e) => {
            let message = e.to_string();
            let end = if message.ends_with('?') { "" } else { "." };
            let _ = writeln!(out.err, "error: model \"{id}\": {message}{end}");
            let _ = writeln!(
                out.err,
                "List the models with `meridian catalog models{}`.",
                cloud(provider)
                    .map(|c| format!(" --provider {c}"))
                    .unwrap_or_default()
            );
            None
        }
    }
}

/// `-` for a missing value.
fn or_dash(value: Option<&str>) -> String {
    value.map_or_else(|| "-".to_string(), str::to_string)
}

/// `meridian catalog show MODEL`.
pub fn catalog_show(args: &CatalogShowArgs, out: &mut Output<'_>) -> i32 {
    let Some(cat) = catalog_with(args.overlay.as_deref(), out) else {
        return exit::ERROR;
    };
    let Some(model) = find_model(&cat, &args.model, args.provider, out) else {
        return exit::ERROR;
    };
    let sheet = cat.sheet(model);
    if args.json {
        print_json(&sheet, out);
    } else {
        render_sheet(&sheet, out);
    }
    exit::OK
}

fn unverified_mark(verified: bool) -> &'static str {
    if verified {
        ""
    } else {
        "  [unverified]"
    }
}

fn render_sheet(s: &ModelSheet, out: &mut Output<'_>) {
    let w = &mut out.out;
    let caps: Vec<&str> = s.capabilities.iter().map(|c| c.as_str()).collect();
    let _ = writeln!(w, "{} ({}): {}", s.id, s.cloud, s.name);
    let _ = writeln!(
        w,
        "  context {} tokens; capabilities: {}",
        s.context_window,
        caps.join(", ")
    );
    let _ = writeln!(
        w,
        "  lifecycle {}; deprecation {}; retirement {}; replacement {}",
        s.lifecycle,
        or_dash(s.deprecation_date.as_deref()),
        or_dash(s.retirement_date.as_deref()),
        or_dash(s.replacement.as_deref())
    );
    let _ = writeln!(w, "  source {} (as of {})", s.source, s.as_of);
    if let Some(n) = &s.note {
        let _ = writeln!(w, "  note: {n}");
    }
    if !s.versions.is_empty() {
        let _ = writeln!(w, "\nVersions:");
        let rows: Vec<Vec<String>> = s
            .versions
            .iter()
            .map(|v| {
                vec![
                    v.version.clone(),
                    v.lifecycle.to_string(),
                    or_dash(v.deprecation_date.as_deref()),
                    or_dash(v.retirement_date.as_deref()),
                    or_dash(v.replacement.as_deref()),
                    v.as_of.clone(),
                    v.source.clone(),
                ]
            })
            .collect();
        indented_table(
            out,
            &[
                "VERSION",
                "LIFECYCLE",
                "DEPRECATED",
                "RETIRES",
                "REPLACEMENT",
                "AS OF",
                "SOURCE",
            ],
            &rows,
        );
    }
    let _ = writeln!(out.out, "\nOffers:");
    for o in &s.offers {
        render_offer(o, out);
    }
    let w = &mut out.out;
    let _ = writeln!(w, "\nPrices (USD per 1M tokens):");
    for p in &s.prices {
        let _ = writeln!(
            w,
            "  {:<10} in {}  out {}  {} (as of {}){}",
            p.processing.as_str(),
            p.input_per_1m,
            p.output_per_1m,
            p.source,
            p.as_of,
            unverified_mark(p.verified)
        );
    }
    match &s.no_price {
        Some(n) => {
            let _ = writeln!(
                w,
                "  no catalog price: {} (checked {} on {})",
                n.reason, n.source, n.as_of
            );
        }
        None if s.prices.is_empty() => {
            let _ = writeln!(
                w,
                "  no catalog price (the catalog does not say why); cost estimates count it as $0"
            );
        }
        None => {}
    }
    let _ = writeln!(w, "\nCatalog as of {}.", s.catalog_as_of);
}

fn render_offer(o: &OfferSheet, out: &mut Output<'_>) {
    let w = &mut out.out;
    let billing: Vec<&str> = o.billing.iter().map(|b| b.as_str()).collect();
    let _ = writeln!(
        w,
        "  {} processing, billing {}{}{}{}",
        o.processing.as_str(),
        billing.join(", "),
        if o.versions.is_empty() {
            String::new()
        } else {
            format!(", versions {}", o.versions.join(", "))
        },
        o.retirement_date
            .as_ref()
            .map(|d| format!(", retires {d}"))
            .unwrap_or_default(),
        unverified_mark(o.verified)
    );
    let _ = writeln!(w, "    source {} (as of {})", o.source, o.as_of);
    if let Some(n) = &o.note {
        let _ = writeln!(w, "    note: {n}");
    }
    let place = |id: &str| {
        o.locations.iter().find(|l| l.id == id).map_or_else(
            || id.to_string(),
            |l| match l.countries.as_slice() {
                [one] => format!(
                    "{} ({one}){}",
                    l.id,
                    if l.verified { "" } else { " [unverified]" }
                ),
                _ => l.id.clone(),
            },
        )
    };
    match (&o.guaranteed_locations, &o.unguaranteed_locations) {
        (Some(yes), Some(no)) => {
            let list = |ids: &[String]| {
                if ids.is_empty() {
                    "none".to_string()
                } else {
                    ids.iter().map(|i| place(i)).collect::<Vec<_>>().join(", ")
                }
            };
            let _ = writeln!(
                w,
                "    with the in-location processing guarantee: {}",
                list(yes)
            );
            let _ = writeln!(
                w,
                "    without it (served there, but may process in any Google region): {}",
                list(no)
            );
            if let Some(g) = &o.guarantee_source {
                let _ = writeln!(w, "    guarantee source {g}");
            }
        }
        _ if o.profiles.is_empty() => {
            let places: Vec<String> = o.locations.iter().map(|l| place(&l.id)).collect();
            let _ = writeln!(w, "    locations: {}", places.join(", "));
        }
        _ => {}
    }
    for p in &o.profiles {
        let _ = writeln!(
            w,
            "    profile {}: source {} (as of {}){}",
            p.id,
            p.source,
            p.as_of,
            unverified_mark(p.verified)
        );
        if let Some(n) = &p.note {
            let _ = writeln!(w, "      note: {n}");
        }
        for r in &p.routes {
            let _ = writeln!(
                w,
                "      from {} -> {} ({})",
                r.source,
                r.destinations.join(", "),
                r.countries.join(", ")
            );
        }
    }
}

/// Prints rows as aligned columns, indented by two spaces.
fn indented_table(out: &mut Output<'_>, header: &[&str], rows: &[Vec<String>]) {
    let mut buf: Vec<u8> = Vec::new();
    {
        let mut sink = std::io::sink();
        let mut inner = Output {
            out: &mut buf,
            err: &mut sink,
            color: false,
        };
        table(&mut inner, header, rows);
    }
    for line in String::from_utf8_lossy(&buf).lines() {
        let _ = writeln!(out.out, "  {line}");
    }
}

fn processing_of(p: ProcessingArg) -> Processing {
    match p {
        ProcessingArg::Region => Processing::Region,
        ProcessingArg::Geography => Processing::Geography,
        ProcessingArg::Global => Processing::Global,
    }
}

/// The residency block `name` of the spec at `path`, with the catalog the spec uses.
fn spec_rule(
    args: &CatalogWhereArgs,
    inputs: &Inputs,
    name: &str,
    out: &mut Output<'_>,
) -> Option<(meridian_model::ir::Residency, Cow<'static, Catalog>)> {
    let path = args.spec.clone().unwrap_or_else(|| ".".into());
    let checked = driver::check(&path, inputs, driver::today());
    let Some(project) = &checked.project else {
        let _ = writeln!(
            out.err,
            "error: the spec at {} cannot be read; run `meridian validate {}` for details.",
            path.display(),
            path.display()
        );
        return None;
    };
    let Some(rule) = project.residencies.iter().find(|r| r.name == name) else {
        let names: Vec<&str> = project
            .residencies
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        let declared = checked
            .spec
            .residencies
            .iter()
            .any(|r| r.name.value == name);
        let _ = if declared {
            writeln!(
                out.err,
                "error: residency \"{name}\" in {} has errors; run `meridian validate {}` for details.",
                path.display(),
                path.display()
            )
        } else {
            writeln!(
                out.err,
                "error: the spec at {} has no residency \"{name}\"; its residency blocks: {}.{}",
                path.display(),
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                },
                meridian_diag::did_you_mean(name, names.iter().copied())
            )
        };
        return None;
    };
    Some((rule.clone(), checked.catalog.clone()))
}

/// `meridian catalog where MODEL`.
pub fn catalog_where(args: &CatalogWhereArgs, inputs: &Inputs, out: &mut Output<'_>) -> i32 {
    let (mut rule, spec_catalog) = match &args.residency {
        Some(name) => match spec_rule(args, inputs, name, out) {
            Some((rule, cat)) => (Some(rule), Some(cat)),
            None => return exit::ERROR,
        },
        None => (None, None),
    };
    let cat = match (&args.overlay, spec_catalog) {
        (None, Some(cat)) => cat,
        (overlay, _) => match catalog_with(overlay.as_deref(), out) {
            Some(c) => c,
            None => return exit::ERROR,
        },
    };
    let rule = match rule.take() {
        Some(mut r) => {
            if let Some(p) = args.processing {
                r.processing = processing_of(p);
            }
            r
        }
        None => {
            let processing = args.processing.map_or(Processing::Global, processing_of);
            match choices::adhoc_rule(&cat, &args.geography, &args.countries, processing) {
                Ok(r) => r,
                Err(e) => {
                    let _ = writeln!(out.err, "error: {e}");
                    return exit::ERROR;
                }
            }
        }
    };
    let Some(model) = find_model(&cat, &args.model, args.provider, out) else {
        return exit::ERROR;
    };
    let version = match &args.version {
        Some(v) if model.version(v).is_none() => {
            let known: Vec<&str> = model.versions.iter().map(|v| v.version.as_str()).collect();
            let _ = writeln!(
                out.err,
                "error: {} has no version \"{v}\"; {}",
                model.id,
                if known.is_empty() {
                    "its versions are part of the model id".to_string()
                } else {
                    format!("known versions: {}", known.join(", "))
                }
            );
            return exit::ERROR;
        }
        Some(v) => Some(v.as_str()),
        None => choices::default_version(model),
    };
    let found = choices::choices(&cat, model, version, &rule);
    if args.json {
        print_json(&found, out);
    } else {
        render_choices(&found, args.all, out);
    }
    exit::OK
}

fn footprint_cell(c: &Choice) -> String {
    let n = c.footprint_regions.len();
    format!(
        "{} ({n} region{}){}",
        c.footprint_countries.join(", "),
        if n == 1 { "" } else { "s" },
        if c.verified { "" } else { " [unverified]" }
    )
}

/// Why a choice fails, in a line: the widening, the processing scope, how many countries lie
/// outside the rule, the denied regions (the JSON output has the full sentences).
fn short_reasons(f: &Choice, c: &Choices) -> String {
    if f.footprint_regions.is_empty() {
        // The catalog refused the choice (retired, say): its one reason says why.
        return f.reasons.join("; ");
    }
    let mut parts = Vec::new();
    if let Some(w) = &f.widened {
        parts.push(w.short());
    }
    if f.judged_processing > c.rule.processing {
        parts.push(format!(
            "processing \"{}\" is wider than \"{}\"",
            f.judged_processing.as_str(),
            c.rule.processing.as_str()
        ));
    }
    let outside: Vec<&str> = f
        .footprint_countries
        .iter()
        .filter(|x| c.rule.allowed_countries.binary_search(x).is_err())
        .map(String::as_str)
        .collect();
    if !outside.is_empty() {
        let listed = if outside.len() > 8 {
            format!("{} and {} more", outside[..8].join(", "), outside.len() - 8)
        } else {
            outside.join(", ")
        };
        parts.push(format!("processes in {listed}"));
    }
    let denied: Vec<&str> = f
        .footprint_regions
        .iter()
        .filter(|r| c.rule.deny_regions.contains(r))
        .map(String::as_str)
        .collect();
    if !denied.is_empty() {
        parts.push(format!("reaches denied {}", denied.join(", ")));
    }
    parts.join("; ")
}

fn render_choices(c: &Choices, all: bool, out: &mut Output<'_>) {
    let total = c.passing.len() + c.failing.len();
    let countries = if c.rule.allowed_countries.len() > 12 {
        format!(
            "{} and {} more",
            c.rule.allowed_countries[..12].join(", "),
            c.rule.allowed_countries.len() - 12
        )
    } else {
        c.rule.allowed_countries.join(", ")
    };
    let _ = writeln!(
        out.out,
        "{} ({}{}) under residency \"{}\": countries {countries}{}; processing up to \"{}\".",
        c.model,
        c.cloud,
        c.version
            .as_ref()
            .map(|v| format!(", version {v}"))
            .unwrap_or_default(),
        c.rule.name,
        if c.rule.deny_regions.is_empty() {
            String::new()
        } else {
            format!("; denied regions {}", c.rule.deny_regions.join(", "))
        },
        c.rule.processing.as_str()
    );
    if c.passing.is_empty() {
        let _ = writeln!(
            out.out,
            "\nNo choice satisfies the rule ({total} tried){}",
            if all || total == 0 {
                "."
            } else {
                "; --all lists why each fails."
            }
        );
    } else {
        let _ = writeln!(
            out.out,
            "\n{} of {total} choices {} the rule:",
            c.passing.len(),
            if c.passing.len() == 1 {
                "satisfies"
            } else {
                "satisfy"
            }
        );
        let rows: Vec<Vec<String>> = c
            .passing
            .iter()
            .map(|p| {
                vec![
                    p.region.clone(),
                    p.processing.as_str().to_string(),
                    p.billing
                        .iter()
                        .map(|b| b.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                    or_dash(p.via.as_deref()),
                    footprint_cell(p),
                ]
            })
            .collect();
        indented_table(
            out,
            &["REGION", "PROCESSING", "BILLING", "VIA", "FOOTPRINT"],
            &rows,
        );
    }
    if c.failing.is_empty() || (c.passing.is_empty() && !all) {
        // Nothing more to say, or said above.
    } else if all {
        let n = c.failing.len();
        let _ = if c.passing.is_empty() {
            writeln!(out.out, "\nWhy each fails:")
        } else {
            writeln!(
                out.out,
                "\n{n} choice{} not:",
                if n == 1 { " does" } else { "s do" }
            )
        };
        for f in &c.failing {
            let _ = writeln!(
                out.out,
                "  {} ({}): {}",
                f.region,
                f.processing.as_str(),
                short_reasons(f, c)
            );
        }
    } else {
        let _ = writeln!(
            out.out,
            "\n{} other choice{} do{} not; --all lists {} with the reason.",
            c.failing.len(),
            if c.failing.len() == 1 { "" } else { "s" },
            if c.failing.len() == 1 { "es" } else { "" },
            if c.failing.len() == 1 { "it" } else { "them" }
        );
    }
    let _ = writeln!(out.out, "\nCatalog as of {}.", c.catalog_as_of);
}
