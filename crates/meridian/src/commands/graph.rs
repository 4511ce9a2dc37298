use crate::cli::GraphFormat;
use crate::driver;
use crate::exit;
use crate::output::Output;
use meridian_diag::{render_human, RenderOptions};
use meridian_graph::Graph;
use meridian_model::Date;
use meridian_spec::Inputs;
use std::path::Path;

/// `meridian graph`: the resource dependency graph as DOT or Mermaid. Refuses an invalid spec.
pub fn graph(path: &Path, inputs: &Inputs, format: GraphFormat, out: &mut Output<'_>) -> i32 {
    let checked = driver::check(path, inputs, Date::today());
    let Some(project) = checked.project.as_ref().filter(|_| checked.is_valid()) else {
        let text = render_human(
            &checked.diagnostics,
            &checked.sources,
            RenderOptions { color: out.color },
        );
        let _ = write!(out.err, "{text}");
        let _ = writeln!(
            out.err,
            "The spec is invalid; run `meridian validate` for details."
        );
        return exit::ERROR;
    };
    match Graph::build(project) {
        Ok(g) => {
            let text = match format {
                GraphFormat::Dot => g.to_dot(),
                GraphFormat::Mermaid => g.to_mermaid(),
            };
            let _ = write!(out.out, "{text}");
            exit::OK
        }
        Err(cycle) => {
            let names: Vec<String> = cycle.iter().map(ToString::to_string).collect();
            let _ = writeln!(
                out.err,
                "error: the resource graph has a cycle among: {}",
                names.join(", ")
            );
            exit::ERROR
        }
    }
}
