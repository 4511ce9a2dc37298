use super::{build_graph, valid_project, RUN_VALIDATE};
use crate::cli::GraphFormat;
use crate::driver;
use crate::exit;
use crate::output::Output;
use meridian_spec::Inputs;
use std::path::Path;

/// `meridian graph`: the resource dependency graph as DOT or Mermaid. Refuses an invalid spec.
pub fn graph(path: &Path, inputs: &Inputs, format: GraphFormat, out: &mut Output<'_>) -> i32 {
    let checked = driver::check(path, inputs, driver::today());
    let Some(project) = valid_project(&checked, out, RUN_VALIDATE) else {
        return exit::ERROR;
    };
    let Some(g) = build_graph(project, out) else {
        return exit::ERROR;
    };
    let text = match format {
        GraphFormat::Dot => g.to_dot(),
        GraphFormat::Mermaid => g.to_mermaid(),
    };
    let _ = write!(out.out, "{text}");
    exit::OK
}
