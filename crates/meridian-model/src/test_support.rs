//! Helpers the unit tests of this crate share.

use crate::{ir, validate, Date, Options, Validated};
use meridian_catalog::Catalog;
use meridian_spec::{load_text, Inputs};

/// The validated project of a spec text that must load without diagnostics, checked against
/// the built-in catalog as of 2026-11-25.
pub(crate) fn project_of(spec: &str) -> ir::Project {
    validated(spec, Catalog::builtin(), "2026-11-25").project
}

/// A spec text (that must load without diagnostics) validated against `catalog` as of `today`
/// (YYYY-MM-DD).
pub(crate) fn validated(spec: &str, catalog: &Catalog, today: &str) -> Validated {
    let loaded = load_text("main.hcl", spec, &Inputs::default());
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let resolve = |p: &std::path::Path| Some(p.to_path_buf());
    validate(
        &loaded.spec,
        &Options {
            catalog,
            today: Date::parse(today).expect("date"),
            resolve_path: &resolve,
            own_files: &[],
        },
    )
}

/// Whether two amounts are equal but for rounding.
pub(crate) fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}
