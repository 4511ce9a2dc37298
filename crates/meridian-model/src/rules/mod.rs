//! Validation rules. Each module checks one concern and pushes diagnostics.

pub(crate) mod access;
pub(crate) mod capability;
pub(crate) mod catalog_facts;
pub(crate) mod emit;
pub(crate) mod logging;
pub(crate) mod names;
pub(crate) mod network;
pub(crate) mod policy;
pub(crate) mod providers;
pub(crate) mod residency;
pub(crate) mod secrets;

/// What rule tests need: a spec loaded from text, one rule run on it, and each finding with
/// the source text of its primary range.
#[cfg(test)]
pub(crate) mod testing {
    use meridian_diag::Diagnostics;
    use meridian_spec::{load_text, Inputs, Spec};

    pub(crate) struct Found {
        pub code: &'static str,
        pub error: bool,
        pub summary: String,
        pub detail: String,
        /// The source text of the primary range.
        pub text: String,
    }

    /// Loads `src` as `main.hcl` (it must load without findings), runs `rule`, returns its
    /// findings.
    pub(crate) fn run_rule(src: &str, rule: impl Fn(&Spec, &mut Diagnostics)) -> Vec<Found> {
        run_rule_in("main.hcl", src, rule)
    }

    /// [`run_rule`] with the spec file at `path` (its directory is the spec directory).
    pub(crate) fn run_rule_in(
        path: &str,
        src: &str,
        rule: impl Fn(&Spec, &mut Diagnostics),
    ) -> Vec<Found> {
        let loaded = load_text(path, src, &Inputs::default());
        assert!(
            loaded.diagnostics.is_empty(),
            "loader: {:?}",
            loaded.diagnostics
        );
        let mut diags = Diagnostics::new();
        rule(&loaded.spec, &mut diags);
        diags
            .iter()
            .map(|d| {
                let span = d.primary.expect("a primary span");
                let file = loaded.sources.get(span.file).expect("file");
                Found {
                    code: d.code.id,
                    error: d.is_error(),
                    summary: d.summary.clone(),
                    detail: d.detail.clone(),
                    text: file.text[span.start..span.end].to_string(),
                }
            })
            .collect()
    }
}
