use crate::cli::{CatalogArgs, Provider};
use crate::exit;
use crate::output::Output;
use meridian_catalog::{Catalog, Cloud, Processing};
use std::borrow::Cow;

fn cloud(p: Option<Provider>) -> Option<Cloud> {
    p.map(|p| match p {
        Provider::Aws => Cloud::Aws,
        Provider::Azure => Cloud::Azure,
        Provider::Gcp => Cloud::Gcp,
    })
}

fn catalog<'a>(args: &CatalogArgs, out: &mut Output<'_>) -> Option<Cow<'a, Catalog>> {
    let builtin = Catalog::builtin();
    let Some(path) = &args.overlay else {
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
