//! `meridian catalog verify`: the catalog the spec plans with, checked against the spec's own
//! cloud accounts; the differences reported and, on request, written as a catalog overlay.

use super::plural;
use super::refresh::{options, print_read_errors, with_progress, RefreshSettings};
use crate::cli::VerifyArgs;
use crate::driver::{self, Checked};
use crate::exit;
use crate::output::Output;
use meridian_catalog::{Catalog, CatalogFile, Cloud};
use meridian_diag::{codes, render_human, RenderOptions};
use meridian_model::Date;
use meridian_refresh::verify::{self, Difference, DifferenceKind, LiveRegion, Severity};
use meridian_refresh::{Credentials, ProviderScope, RefreshFailure};
use meridian_spec::{Inputs, Spec};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::time::Instant;

/// The version of `meridian catalog verify --json`.
pub const JSON_FORMAT_VERSION: &str = "1.0";

/// A provider block left out, and why.
struct Skipped {
    provider: String,
    reason: String,
}

/// The provider blocks of the spec with the regions its targets use there (regions the
/// catalog does not know are left out, with a note). A Vertex AI target also uses the
/// location its processing calls: the region's multi-region (`eu`, `us`) for `geography`,
/// `global` for `global`. Built from the decoded blocks, so a spec whose targets the catalog
/// rejects can still be verified.
fn spec_scopes(spec: &Spec, catalog: &Catalog, notes: &mut Vec<String>) -> Vec<ProviderScope> {
    let mut regions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for target in spec
        .models
        .iter()
        .flat_map(|m| m.tiers.iter().flat_map(|t| t.targets.iter()))
    {
        let (Some(p), Some(r)) = (&target.provider, &target.region) else {
            continue;
        };
        let used = regions
            .entry(format!("{}.{}", p.value.cloud, p.value.name))
            .or_default();
        used.insert(r.value.clone());
        if p.value.cloud == Cloud::Gcp.as_str() {
            match target.processing.as_ref().map(|x| x.value.as_str()) {
                Some("geography") => {
                    if let Some(m) = catalog
                        .region(Cloud::Gcp, &r.value)
                        .and_then(|region| region.multi_region.clone())
                    {
                        used.insert(m);
                    }
                }
                Some("global") => {
                    used.insert("global".into());
                }
                _ => {}
            }
        }
    }
    let text = |v: &Option<meridian_spec::Spanned<String>>| v.as_ref().map(|s| s.value.clone());
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for p in &spec.providers {
        let Some(cloud) = Cloud::parse(&p.cloud.value) else {
            continue;
        };
        let address = format!("{}.{}", p.cloud.value, p.name.value);
        if !seen.insert(address.clone()) {
            continue;
        }
        let mut known = Vec::new();
        for r in regions.remove(&address).unwrap_or_default() {
            if is_location(catalog, cloud, &r) {
                known.push(r);
            } else {
                notes.push(format!(
                    "{address}: region {r:?} of a target is not a {cloud} region in the catalog; not read"
                ));
            }
        }
        out.push(ProviderScope {
            cloud,
            address,
            regions: known,
            subscription_id: text(&p.subscription_id),
            resource_group: text(&p.resource_group),
            account_id: text(&p.account_id),
            partition: text(&p.partition),
            project: text(&p.project),
            endpoint: text(&p.endpoint),
        });
    }
    out
}

/// Whether `id` is a region of `cloud` in the catalog (for Google also a multi-region or
/// `global`).
fn is_location(catalog: &Catalog, cloud: Cloud, id: &str) -> bool {
    catalog.region(cloud, id).is_some()
        || (cloud == Cloud::Gcp && (id == "global" || catalog.multi_regions().any(|m| m == id)))
}

/// The regions `--all-regions` reads for a scope: every catalog region of its cloud (AWS: of
/// its partition; Google: with the multi-regions and `global`).
fn all_regions(catalog: &Catalog, scope: &ProviderScope) -> Vec<String> {
    let partition = scope.partition.as_deref().unwrap_or("aws");
    let mut out: Vec<String> = catalog
        .regions(Some(scope.cloud))
        .filter(|r| scope.cloud != Cloud::Aws || r.partition.as_deref() == Some(partition))
        .map(|r| r.id.clone())
        .collect();
    if scope.cloud == Cloud::Gcp {
        out.extend(catalog.multi_regions().map(str::to_owned));
        out.push("global".into());
    }
    out
}

/// The scopes to read: the spec's, narrowed by `--provider` and widened by `--region` and
/// `--all-regions`; those without a region are skipped.
fn select(
    args: &VerifyArgs,
    catalog: &Catalog,
    mut scopes: Vec<ProviderScope>,
) -> Result<(Vec<ProviderScope>, Vec<Skipped>), String> {
    for wanted in &args.provider {
        let matches = |s: &ProviderScope| s.address == *wanted || s.cloud.as_str() == wanted;
        if !scopes.iter().any(matches) {
            let known: Vec<&str> = scopes.iter().map(|s| s.address.as_str()).collect();
            return Err(format!(
                "--provider {wanted:?} names no provider block of the spec (it has: {})",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            ));
        }
    }
    if !args.provider.is_empty() {
        scopes.retain(|s| {
            args.provider
                .iter()
                .any(|w| s.address == *w || s.cloud.as_str() == w)
        });
    }
    for region in &args.regions {
        let mut used = false;
        for s in &mut scopes {
            let of_partition = s.cloud != Cloud::Aws
                || catalog.region(Cloud::Aws, region).is_none_or(|r| {
                    r.partition.as_deref() == Some(s.partition.as_deref().unwrap_or("aws"))
                });
            if is_location(catalog, s.cloud, region) && of_partition {
                s.regions.push(region.clone());
                used = true;
            }
        }
        if !used {
            let clouds: BTreeSet<Cloud> = scopes.iter().map(|s| s.cloud).collect();
            let mut candidates: Vec<&str> = Vec::new();
            for c in &clouds {
                candidates.extend(catalog.regions(Some(*c)).map(|r| r.id.as_str()));
            }
            let hint = meridian_diag::suggest(region, candidates)
                .map(|s| format!(" Did you mean {s:?}?"))
                .unwrap_or_default();
            return Err(format!(
                "--region {region:?} is not a region of the selected providers' clouds in the catalog.{hint}"
            ));
        }
    }
    if args.all_regions {
        for s in &mut scopes {
            let all = all_regions(catalog, s);
            s.regions.extend(all);
        }
    }
    let mut skipped = Vec::new();
    scopes.retain_mut(|s| {
        s.regions.sort();
        s.regions.dedup();
        if s.regions.is_empty() {
            skipped.push(Skipped {
                provider: s.address.clone(),
                reason: "no target uses it; name a region with --region or use --all-regions"
                    .into(),
            });
            false
        } else {
            true
        }
    });
    Ok((scopes, skipped))
}

/// Where `--write-overlay FILE` goes: FILE (relative to the current directory) resolved, and
/// its path relative to the spec directory with `/` separators (what `catalog = "..."`
/// takes). Refused unless it lies inside the spec directory (after following symlinks).
fn overlay_path(spec_dir: &Path, file: &Path) -> Result<(PathBuf, String), String> {
    let dir = spec_dir.canonicalize().map_err(|e| {
        format!(
            "cannot resolve the spec directory {}: {e}",
            spec_dir.display()
        )
    })?;
    let absolute = if file.is_absolute() {
        file.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| format!("cannot read the current directory: {e}"))?
            .join(file)
    };
    let resolved = driver::resolve_existing(&absolute)
        .ok_or_else(|| format!("cannot resolve {}", file.display()))?;
    let outside = || {
        format!(
            "--write-overlay {} is outside the spec directory {}; the overlay must live with the spec that names it",
            file.display(),
            dir.display()
        )
    };
    if resolved
        .components()
        .any(|c| matches!(c, Component::ParentDir))
    {
        return Err(outside());
    }
    let relative = resolved.strip_prefix(&dir).map_err(|_| outside())?;
    if relative.as_os_str().is_empty() || resolved.is_dir() {
        return Err(format!(
            "--write-overlay {} is a directory; name a file",
            file.display()
        ));
    }
    let own = relative
        .components()
        .next()
        .is_some_and(|c| c.as_os_str() == meridian_state::safe_fs::OWN_DIR);
    if own || resolved.extension().is_some_and(|e| e == "hcl") {
        return Err(format!(
            "--write-overlay {} would overwrite {}; name a .json file of its own",
            file.display(),
            if own {
                "Meridian's state directory"
            } else {
                "a spec file"
            }
        ));
    }
    let relative = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    Ok((resolved, relative))
}

/// The overlay the spec names, as a file, when it has one.
fn current_overlay(spec: &Spec) -> Result<Option<(String, CatalogFile)>, String> {
    let Some(name) = spec.meridian.as_ref().and_then(|m| m.catalog.as_ref()) else {
        return Ok(None);
    };
    let path = spec.dir.join(&name.value);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read the catalog overlay {}: {e}", path.display()))?;
    let file: CatalogFile = serde_json::from_str(&text)
        .map_err(|e| format!("the catalog overlay {} does not parse: {e}", path.display()))?;
    Ok(Some((name.value.clone(), file)))
}

/// Whether the spec could not be read far enough to know its providers and catalog.
fn unreadable(checked: &Checked) -> bool {
    checked.diagnostics.iter().any(|d| {
        [
            codes::SYN_PARSE,
            codes::IO_READ,
            codes::IO_NO_SPEC,
            codes::CAT_OVERLAY,
        ]
        .contains(&d.code)
    })
}

/// What a written overlay is, for the output.
struct Written {
    relative: String,
    models: usize,
    recorded: usize,
    left_out: Vec<String>,
    named_by_spec: bool,
}

/// `meridian catalog verify`.
pub fn catalog_verify(args: &VerifyArgs, inputs: &Inputs, out: &mut Output<'_>) -> i32 {
    let today = Date::today();
    let checked = driver::check(&args.spec.path, inputs, today);
    if unreadable(&checked) {
        let text = render_human(
            &checked.diagnostics,
            &checked.sources,
            RenderOptions { color: out.color },
        );
        let _ = write!(out.err, "{text}");
        let _ = writeln!(
            out.err,
            "The spec could not be read far enough to know its providers and catalog; nothing was verified."
        );
        return exit::ERROR;
    }
    let catalog: &Catalog = &checked.catalog;
    let mut notes = Vec::new();
    let (scopes, skipped) = match select(
        args,
        catalog,
        spec_scopes(&checked.spec, catalog, &mut notes),
    ) {
        Ok(x) => x,
        Err(e) => {
            let _ = writeln!(out.err, "error: {e}");
            return exit::ERROR;
        }
    };
    if scopes.is_empty() {
        let _ = writeln!(
            out.err,
            "error: nothing to verify: no provider block has a region to read. Targets name the regions; add more with --region or --all-regions."
        );
        return exit::ERROR;
    }
    let target = match &args.write_overlay {
        Some(file) => match overlay_path(&checked.spec.dir, file) {
            Ok(t) => Some(t),
            Err(e) => {
                let _ = writeln!(out.err, "error: {e}; nothing was read or written.");
                return exit::ERROR;
            }
        },
        None => None,
    };
    let current = match current_overlay(&checked.spec) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(out.err, "error: {e}");
            return exit::ERROR;
        }
    };
    let opts = match options(&RefreshSettings {
        parallelism: args.parallelism,
        verbose: false,
    }) {
        Ok(o) => o,
        Err(e) => {
            let _ = writeln!(out.err, "error: {e}");
            return exit::ERROR;
        }
    };
    let creds = match Credentials::from_env(&scopes) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(out.err, "error: cannot read the clouds: {e}");
            return exit::ERROR;
        }
    };
    let started = Instant::now();
    let result = with_progress(out, "Reading what the clouds offer...", |progress| {
        verify::read(&scopes, catalog, &creds, &opts, progress)
    });
    let elapsed = started.elapsed();
    let reading = match result {
        Ok(r) => r,
        Err(failure) => return read_failed(args, &scopes, &failure, out),
    };
    let differences = verify::compare(catalog, &reading.regions);
    let written = match &target {
        Some((path, relative)) => match write_overlay(
            catalog,
            &differences,
            &reading.regions,
            &today.to_string(),
            current.as_ref(),
            (path, relative),
        ) {
            Ok(w) => Some(w),
            Err(e) => {
                let _ = writeln!(out.err, "error: {e}; the overlay was not written.");
                return exit::ERROR;
            }
        },
        None => None,
    };
    let errors = differences
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = differences.len() - errors;
    if args.json {
        let doc = json!({
            "format_version": JSON_FORMAT_VERSION,
            "catalog": {
                "as_of": catalog.as_of(),
                "overlay": current.as_ref().map(|(name, _)| name),
            },
            "providers": providers_json(&scopes),
            "skipped": skipped.iter().map(|s| json!({
                "provider": s.provider,
                "reason": s.reason,
            })).collect::<Vec<_>>(),
            "notes": notes,
            "requests": reading.requests,
            "differences": differences,
            "errors": errors,
            "warnings": warnings,
            "overlay": written.as_ref().map(|w| json!({
                "path": w.relative,
                "models": w.models,
                "recorded": w.recorded,
                "left_out": w.left_out,
                "named_by_spec": w.named_by_spec,
            })),
        });
        let _ = writeln!(
            out.out,
            "{}",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        );
    } else {
        let _ = writeln!(
            out.err,
            "Read {} region{} of {} provider{} in {} request{} ({:.1}s).",
            reading.regions.len(),
            plural(reading.regions.len()),
            scopes.len(),
            plural(scopes.len()),
            reading.requests,
            plural(reading.requests),
            elapsed.as_secs_f64()
        );
        let _ = write!(
            out.out,
            "{}",
            describe(
                catalog,
                current.as_ref().map(|(n, _)| n.as_str()),
                &reading.regions,
                &differences,
                &skipped,
                &notes
            )
        );
        if let Some(w) = &written {
            let _ = write!(out.out, "{}", describe_written(w));
        } else if errors > 0 {
            let _ = writeln!(
                out.out,
                "To plan with what the clouds say, write it as an overlay (--write-overlay FILE) and name the file in the meridian block: catalog = \"FILE\"."
            );
        }
    }
    if errors > 0 {
        exit::ERROR
    } else {
        exit::OK
    }
}

/// Makes, checks and writes the overlay (atomically).
fn write_overlay(
    catalog: &Catalog,
    differences: &[Difference],
    read: &[LiveRegion],
    today: &str,
    current: Option<&(String, CatalogFile)>,
    (path, relative): (&PathBuf, &String),
) -> Result<Written, String> {
    let overlay = verify::overlay(catalog, differences, read, today, current.map(|(_, f)| f))?;
    let text = overlay.to_json();
    // What `meridian { catalog = ... }` will load must load.
    Catalog::builtin()
        .with_overlay(&text)
        .map_err(|e| format!("the overlay would not load ({e})"))?;
    // The spec directory: the overlay's path without its spec-relative part.
    let depth = Path::new(relative).components().count();
    let spec_dir = path.ancestors().nth(depth).unwrap_or(path);
    let mut root = meridian_state::Root::new(spec_dir)
        .map_err(|e| format!("cannot use the spec directory {}: {e}", spec_dir.display()))?;
    root.protect(
        &spec_dir.join(meridian_state::safe_fs::OWN_DIR),
        "Meridian's state directory",
    );
    // Every `*.hcl` of the spec directory is (part of) the spec.
    for entry in std::fs::read_dir(spec_dir).into_iter().flatten().flatten() {
        let file = entry.path();
        if file.extension().is_some_and(|e| e == "hcl") {
            root.protect(&file, "a spec file");
        }
    }
    meridian_state::commit(
        &root,
        &[meridian_state::FileChange::write(path.clone(), text)],
        meridian_state::CommitOptions::default(),
    )
    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(Written {
        relative: relative.clone(),
        models: overlay.file.models.len(),
        recorded: overlay.written,
        left_out: overlay.left_out,
        named_by_spec: current.is_some_and(|(name, _)| {
            Path::new(name)
                .components()
                .eq(Path::new(relative).components())
        }),
    })
}

/// The provider blocks read, for `--json`.
fn providers_json(scopes: &[ProviderScope]) -> Vec<Value> {
    scopes
        .iter()
        .map(|s| {
            json!({
                "provider": s.address,
                "cloud": s.cloud,
                "account": verify::account_of(s),
                "regions": s.regions,
            })
        })
        .collect()
}

/// Every read error, on stderr (and as JSON on stdout with `--json`); exit 1.
fn read_failed(
    args: &VerifyArgs,
    scopes: &[ProviderScope],
    failure: &RefreshFailure,
    out: &mut Output<'_>,
) -> i32 {
    print_read_errors(out, "the clouds", failure);
    let _ = writeln!(
        out.err,
        "\nNothing was compared and no overlay was written: a region that cannot be read is never taken for one without differences."
    );
    if args.json {
        let doc = json!({
            "format_version": JSON_FORMAT_VERSION,
            "providers": providers_json(scopes),
            "read_errors": failure.errors.iter().map(|e| json!({
                "provider": e.provider,
                "region": e.region,
                "request": e.request,
                "reason": e.reason,
            })).collect::<Vec<_>>(),
        });
        let _ = writeln!(
            out.out,
            "{}",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        );
    }
    exit::ERROR
}

/// The differences, grouped per provider and region, for people.
fn describe(
    catalog: &Catalog,
    overlay: Option<&str>,
    read: &[LiveRegion],
    differences: &[Difference],
    skipped: &[Skipped],
    notes: &[String],
) -> String {
    let mut s = format!(
        "Catalog as of {}{} checked against the clouds.\n",
        catalog.as_of(),
        overlay
            .map(|o| format!(" (with the overlay {o})"))
            .unwrap_or_default()
    );
    let mut by_place: BTreeMap<(&str, &str), Vec<&Difference>> = BTreeMap::new();
    for d in differences {
        by_place
            .entry((d.provider.as_str(), d.region.as_str()))
            .or_default()
            .push(d);
    }
    let mut provider = "";
    for r in read {
        if r.provider != provider {
            provider = &r.provider;
            s.push_str(&format!("\n{}\n", r.account_label()));
        }
        let Some(found) = by_place.get(&(r.provider.as_str(), r.region.as_str())) else {
            s.push_str(&format!("  {}: no differences\n", r.region));
            continue;
        };
        s.push_str(&format!("  {}\n", r.region));
        let (extra, rest): (Vec<&&Difference>, Vec<&&Difference>) = found.iter().partition(|d| {
            matches!(
                d.kind,
                DifferenceKind::ModelExtra | DifferenceKind::VersionExtra
            )
        });
        for d in rest {
            let label = match d.severity {
                Severity::Error => "error  ",
                Severity::Warning => "warning",
            };
            s.push_str(&format!("    {label} {}\n", d.message));
            s.push_str(&format!("            read from {}\n", d.source));
        }
        if !extra.is_empty() {
            let names: Vec<String> = extra
                .iter()
                .map(|d| match &d.version {
                    Some(v) => format!("{} {v}", d.model),
                    None => d.model.clone(),
                })
                .collect();
            s.push_str(&format!(
                "    warning {} model{} or version{} the catalog does not list: {}\n",
                names.len(),
                plural(names.len()),
                plural(names.len()),
                names.join(", ")
            ));
        }
    }
    for k in skipped {
        s.push_str(&format!("\n{}: not read: {}\n", k.provider, k.reason));
    }
    for n in notes {
        s.push_str(&format!("note: {n}\n"));
    }
    let errors = differences
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = differences.len() - errors;
    s.push_str(&format!(
        "\n{errors} error{}, {warnings} warning{}.",
        plural(errors),
        plural(warnings)
    ));
    if errors > 0 {
        s.push_str(
            " Errors change where prompts may be processed or what can be deployed where, and so residency verdicts.",
        );
    }
    s.push('\n');
    s
}

fn describe_written(w: &Written) -> String {
    let mut s = format!(
        "Wrote the overlay {}: {} model{}, {} difference{} recorded.\n",
        w.relative,
        w.models,
        plural(w.models),
        w.recorded,
        plural(w.recorded)
    );
    for l in &w.left_out {
        s.push_str(&format!("  not recorded: {l}\n"));
    }
    if w.named_by_spec {
        s.push_str(
            "The spec's meridian block already names it: validate and plan use it from now on.\n",
        );
    } else {
        s.push_str(&format!(
            "To plan with it, name it in the meridian block: catalog = {}\n",
            Value::String(w.relative.clone())
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_paths_stay_inside_the_spec_directory() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spec = dir.path().join("spec");
        std::fs::create_dir_all(spec.join("sub")).expect("dirs");
        let (path, relative) =
            overlay_path(&spec, &spec.join("sub/verified.json")).expect("inside");
        assert_eq!(relative, "sub/verified.json");
        assert!(path.ends_with("sub/verified.json"));
        assert!(overlay_path(&spec, &dir.path().join("elsewhere.json"))
            .expect_err("outside")
            .contains("outside the spec directory"));
        assert!(overlay_path(&spec, &spec.join("../spec/../x.json")).is_err());
        assert!(overlay_path(&spec, &spec.join("sub"))
            .expect_err("a directory")
            .contains("directory"));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path(), spec.join("out")).expect("symlink");
            assert!(overlay_path(&spec, &spec.join("out/x.json"))
                .expect_err("through a symlink")
                .contains("outside"));
        }
    }
}
