//! The load pipeline: files → parsed bodies → declarations → variables → locals → blocks.

use crate::blocks::{check_unique, ident_span, key_span};
use crate::decode::{header_span, Decoder};
use crate::eval::{span_of, LocalSlot, LocalState, Scope};
use crate::types::{Spanned, Spec, Variable};
use crate::value::{SValue, Value, VarType};
use crate::{PROVIDER_TYPES, TOP_LEVEL_BLOCKS};
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Block, Body, Structure};
use meridian_diag::{codes, did_you_mean, Diagnostic, Diagnostics, FileId, SourceMap, Span};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Values for variables from outside the spec.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// `-var NAME=VALUE` arguments, in command-line order.
    pub vars: Vec<String>,
    /// `-var-file FILE` arguments, in command-line order.
    pub var_files: Vec<PathBuf>,
    /// `MERIDIAN_VAR_NAME=VALUE` pairs from the environment (name without the prefix).
    pub env: Vec<(String, String)>,
    /// How `vars` and `var_files` were interleaved on the command line: the kind of each
    /// argument, in order (the n-th [`InputKind::Var`] is `vars[n]`). Arguments it does not
    /// account for come after it, var files first.
    pub order: Vec<InputKind>,
}

/// The kind of a variable argument on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// `-var NAME=VALUE`.
    Var,
    /// `-var-file FILE`.
    VarFile,
}

/// One command-line variable argument, in the order the values apply.
enum CliInput<'a> {
    /// `-var`: the index into [`Inputs::vars`].
    Var(usize),
    VarFile(&'a Path),
}

impl Inputs {
    /// Collects `MERIDIAN_VAR_*` from the process environment.
    #[must_use]
    pub fn with_process_env(mut self) -> Self {
        let mut env: Vec<(String, String)> = std::env::vars()
            .filter_map(|(k, v)| k.strip_prefix("MERIDIAN_VAR_").map(|n| (n.to_string(), v)))
            .collect();
        env.sort();
        self.env = env;
        self
    }

    /// The `-var` and `-var-file` arguments in the order they apply: command-line order.
    fn command_line(&self) -> Vec<CliInput<'_>> {
        let mut out = Vec::with_capacity(self.vars.len() + self.var_files.len());
        let (mut v, mut f) = (0, 0);
        for kind in &self.order {
            match kind {
                InputKind::Var if v < self.vars.len() => {
                    out.push(CliInput::Var(v));
                    v += 1;
                }
                InputKind::VarFile if f < self.var_files.len() => {
                    out.push(CliInput::VarFile(&self.var_files[f]));
                    f += 1;
                }
                _ => {}
            }
        }
        out.extend(self.var_files[f..].iter().map(|p| CliInput::VarFile(p)));
        out.extend((v..self.vars.len()).map(CliInput::Var));
        out
    }
}

/// The name of the variable file read first without being named.
pub const DEFAULT_VAR_FILE: &str = "meridian.mvars";
/// The ending of the names of the other variable files read without being named.
pub const AUTO_VAR_FILE_SUFFIX: &str = ".auto.mvars";

/// The variable files of a spec directory that are read without being named, in the order
/// they apply: `meridian.mvars`, then every `*.auto.mvars` in lexical order of their names
/// (as Terraform reads `terraform.tfvars` and `*.auto.tfvars`).
pub fn auto_var_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut auto: Vec<PathBuf> = Vec::new();
    let mut default = None;
    for path in entries.filter_map(Result::ok).map(|e| e.path()) {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !path.is_file() {
            continue;
        }
        if name == DEFAULT_VAR_FILE {
            default = Some(path);
        } else if name.len() > AUTO_VAR_FILE_SUFFIX.len() && name.ends_with(AUTO_VAR_FILE_SUFFIX) {
            auto.push(path);
        }
    }
    auto.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    default.into_iter().chain(auto).collect()
}

/// The result of loading: every file read, the decoded spec and every finding.
#[derive(Debug)]
pub struct Loaded {
    pub sources: SourceMap,
    pub spec: Spec,
    pub diagnostics: Diagnostics,
}

/// The spec files a path names: the file itself, or every `*.hcl` directly in the directory,
/// sorted by name. Returns the spec directory too.
pub fn discover(path: &Path) -> std::io::Result<(PathBuf, Vec<PathBuf>)> {
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "hcl") && p.is_file())
            .collect();
        files.sort();
        Ok((path.to_path_buf(), files))
    } else {
        let dir = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        Ok((dir, vec![path.to_path_buf()]))
    }
}

fn io_error(what: &str, path: &Path, err: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        codes::IO_READ,
        format!("Cannot read {what} {}", path.display()),
    )
    .detail(format!("{err}."))
}

fn read_into(
    sources: &mut SourceMap,
    path: &Path,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<FileId> {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(mut text) => {
                // A UTF-8 byte-order mark is not part of the spec.
                if text.starts_with('\u{feff}') {
                    text.drain(..'\u{feff}'.len_utf8());
                }
                Some(sources.add(path.display().to_string(), path, text))
            }
            Err(e) => {
                // Keep the file (lossily decoded) so the finding can point at the bad byte.
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let prefix_len = String::from_utf8_lossy(&bytes[..valid]).len();
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let id = sources.add(path.display().to_string(), path, text);
                diags.push(
                    Diagnostic::error(
                        codes::IO_READ,
                        format!("{} is not UTF-8 text", path.display()),
                    )
                    .detail(format!(
                        "The {what} must be UTF-8 encoded; the first invalid byte is marked."
                    ))
                    .at(Span::new(
                        id,
                        prefix_len,
                        prefix_len + '\u{FFFD}'.len_utf8(),
                    )),
                );
                None
            }
        },
        Err(e) => {
            diags.push(io_error(what, path, &e));
            None
        }
    }
}

/// Loads the spec at `path` (a file or a directory).
pub fn load(path: &Path, inputs: &Inputs) -> Loaded {
    let mut sources = SourceMap::new();
    let mut diags = Diagnostics::new();
    let (dir, files) = match discover(path) {
        Ok(found) => found,
        Err(e) => {
            diags.push(io_error("spec", path, &e));
            return Loaded {
                sources,
                spec: Spec::default(),
                diagnostics: diags,
            };
        }
    };
    if files.is_empty() {
        diags.push(
            Diagnostic::error(
                codes::IO_NO_SPEC,
                format!("No *.hcl files in {}", dir.display()),
            )
            .detail("Run `meridian init` to write a starter spec, or name a spec file."),
        );
    }
    let ids: Vec<FileId> = files
        .iter()
        .filter_map(|f| read_into(&mut sources, f, "spec file", &mut diags))
        .collect();
    let auto = auto_var_files(&dir);
    let spec = load_files(&mut sources, &ids, dir, inputs, &auto, &mut diags);
    Loaded {
        sources,
        spec,
        diagnostics: diags,
    }
}

/// Loads a spec given as text (tests, benchmarks, editors). No variable file is read
/// without being named in `inputs`.
pub fn load_text(name: &str, text: &str, inputs: &Inputs) -> Loaded {
    let mut sources = SourceMap::new();
    let mut diags = Diagnostics::new();
    let id = sources.add(name, Path::new(name), text.to_string());
    let dir = Path::new(name)
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let spec = load_files(&mut sources, &[id], dir, inputs, &[], &mut diags);
    Loaded {
        sources,
        spec,
        diagnostics: diags,
    }
}

fn parse(sources: &SourceMap, id: FileId, diags: &mut Diagnostics) -> Option<Body> {
    let file = sources.get(id)?;
    match crate::syntax::parse_body(&file.text) {
        Ok(body) => Some(body),
        Err(e) => {
            let mut d = Diagnostic::error(codes::SYN_PARSE, e.summary)
                .detail(e.detail)
                .at(Span::new(id, e.start, e.end));
            if let Some((start, end, label)) = e.related {
                d = d.label(Span::new(id, start, end), label);
            }
            diags.push(d);
            None
        }
    }
}

/// A variable file or `-var` argument, read and parsed, in the order the values apply.
enum Input {
    File(FileId, Body),
    /// `-var`: the index into [`Inputs::vars`].
    Var(usize),
}

/// Reads and parses the variable files (those read without being named, then the
/// command line's in order) before anything is evaluated.
fn read_inputs(
    sources: &mut SourceMap,
    inputs: &Inputs,
    auto: &[PathBuf],
    diags: &mut Diagnostics,
) -> Vec<Input> {
    let mut out = Vec::new();
    let file = |sources: &mut SourceMap, path: &Path, diags: &mut Diagnostics| {
        let id = read_into(sources, path, "variable file", diags)?;
        parse(sources, id, diags).map(|body| Input::File(id, body))
    };
    for path in auto {
        out.extend(file(sources, path, diags));
    }
    for arg in inputs.command_line() {
        match arg {
            CliInput::Var(i) => out.push(Input::Var(i)),
            CliInput::VarFile(path) => out.extend(file(sources, path, diags)),
        }
    }
    out
}

/// A named top-level block, remembered between the declaration pass and decoding.
enum Decl<'a> {
    Meridian(&'a Block),
    Provider(&'a Block, Spanned<String>, Spanned<String>),
    Residency(&'a Block, Spanned<String>),
    Model(&'a Block, Spanned<String>),
    Access(&'a Block, Spanned<String>),
    Logging(&'a Block, Spanned<String>),
    Policy(&'a Block),
    Emit(&'a Block, Spanned<String>),
}

#[allow(clippy::too_many_lines)]
fn load_files(
    sources: &mut SourceMap,
    ids: &[FileId],
    dir: PathBuf,
    inputs: &Inputs,
    auto: &[PathBuf],
    diags: &mut Diagnostics,
) -> Spec {
    let bodies: Vec<(FileId, Body)> = ids
        .iter()
        .filter_map(|&id| parse(sources, id, diags).map(|b| (id, b)))
        .collect();
    let var_inputs = read_inputs(sources, inputs, auto, diags);
    let mut spec = Spec {
        dir,
        files: ids.to_vec(),
        ..Spec::default()
    };
    // A file that cannot be read or parsed stops the load once every file has been tried:
    // whatever it declares is unknown, so any later finding could be a consequence of it.
    if diags.has_errors() {
        return spec;
    }
    let mut scope = Scope::default();
    let mut decls: Vec<(FileId, Decl<'_>)> = Vec::new();
    let mut var_blocks: Vec<(FileId, &Block, Spanned<String>)> = Vec::new();
    let mut local_order: Vec<String> = Vec::new();
    let mut seen: HashMap<&str, HashMap<String, Span>> = HashMap::new();
    let mut first_meridian: Option<Span> = None;
    let mut first_policy: Option<Span> = None;
    let mut strings = Vec::new();

    // Pass 1: declarations.
    {
        let mut dec = Decoder {
            scope: &mut scope,
            diags,
            strings: &mut strings,
        };
        for (file, body) in &bodies {
            let file = *file;
            for structure in body.iter() {
                let block = match structure {
                    Structure::Attribute(a) => {
                        let key = a.key.value().as_str();
                        dec.diags.push(
                            Diagnostic::error(codes::SPEC_UNKNOWN_ATTRIBUTE, format!("Unexpected top-level attribute \"{key}\""))
                                .detail("A spec holds blocks only (meridian, variable, locals, provider, residency, model, access, logging, policy, emit). Project settings go in meridian { ... }, named values in locals { ... }.")
                                .at(key_span(file, a)),
                        );
                        continue;
                    }
                    Structure::Block(b) => b,
                };
                let ident = block.ident.value().as_str();
                let label_names: &[&str] = match crate::schema::top_level(ident) {
                    Some(schema) => schema.labels,
                    None => {
                        dec.diags.push(
                            Diagnostic::error(
                                codes::SPEC_UNKNOWN_BLOCK,
                                format!("Unknown block type \"{ident}\""),
                            )
                            .detail(format!(
                                "The spec language has these blocks: {}.{}",
                                TOP_LEVEL_BLOCKS.join(", "),
                                did_you_mean(ident, TOP_LEVEL_BLOCKS.iter().copied())
                            ))
                            .at(ident_span(file, block)),
                        );
                        continue;
                    }
                };
                let labels = match dec.labels(block, file, label_names) {
                    Some(labels) => labels,
                    // Unlabelled blocks keep their meaning despite stray labels (reported),
                    // so one typo does not also make the spec "lack" its meridian block.
                    None if label_names.is_empty() => Vec::new(),
                    None => continue,
                };
                let mut labels = labels.into_iter();
                let header = header_span(file, block);
                match ident {
                    "meridian" | "policy" => {
                        let first = if ident == "meridian" {
                            &mut first_meridian
                        } else {
                            &mut first_policy
                        };
                        if let Some(f) = first {
                            dec.diags.push(
                                Diagnostic::error(codes::SPEC_DUPLICATE, format!("Only one {ident} block is allowed"))
                                    .detail(format!("Merge the {ident} blocks into one (all spec files of a directory form one spec)."))
                                    .at(header)
                                    .label(*f, "the first one is here"),
                            );
                            continue;
                        }
                        *first = Some(header);
                        decls.push((
                            file,
                            if ident == "meridian" {
                                Decl::Meridian(block)
                            } else {
                                Decl::Policy(block)
                            },
                        ));
                    }
                    "locals" => {
                        for s in block.body.iter() {
                            let a = match s {
                                Structure::Attribute(a) => a,
                                Structure::Block(inner) => {
                                    dec.diags.push(
                                        Diagnostic::error(
                                            codes::SPEC_UNKNOWN_BLOCK,
                                            "Blocks are not allowed in locals",
                                        )
                                        .detail("locals holds NAME = expression attributes only.")
                                        .at(header_span(file, inner)),
                                    );
                                    continue;
                                }
                            };
                            let name = a.key.value().as_str().to_string();
                            let span = key_span(file, a);
                            if let Some(first) = scope_local_span(dec.scope, &name) {
                                dec.diags.push(
                                    Diagnostic::error(
                                        codes::SPEC_DUPLICATE,
                                        format!("Local \"{name}\" is defined twice"),
                                    )
                                    .detail("Each local is defined once across all locals blocks.")
                                    .at(span)
                                    .label(first, "first defined here"),
                                );
                                continue;
                            }
                            local_order.push(name.clone());
                            dec.scope.locals.insert(
                                name,
                                LocalSlot {
                                    expr: &a.value,
                                    file,
                                    key_span: span,
                                    state: LocalState::Pending,
                                },
                            );
                        }
                    }
                    "variable" => {
                        let Some(name) = labels.next() else { continue };
                        if check_unique(
                            dec.diags,
                            seen.entry("variable").or_default(),
                            "variable",
                            &name,
                        ) {
                            var_blocks.push((file, block, name));
                        }
                    }
                    "provider" => {
                        let (Some(cloud), Some(name)) = (labels.next(), labels.next()) else {
                            continue;
                        };
                        if !PROVIDER_TYPES.contains(&cloud.value.as_str()) {
                            dec.diags.push(
                                Diagnostic::error(
                                    codes::CAT_UNKNOWN_PROVIDER,
                                    format!("Unknown provider type \"{}\"", cloud.value),
                                )
                                .detail(format!(
                                    "Provider types are aws, azure and gcp.{}",
                                    did_you_mean(&cloud.value, PROVIDER_TYPES.iter().copied())
                                ))
                                .at(cloud.span),
                            );
                            continue;
                        }
                        let key =
                            Spanned::new(format!("{}.{}", cloud.value, name.value), name.span);
                        if check_unique(
                            dec.diags,
                            seen.entry("provider").or_default(),
                            "provider",
                            &key,
                        ) {
                            dec.scope
                                .providers
                                .entry(cloud.value.clone())
                                .or_default()
                                .push(name.value.clone());
                            decls.push((file, Decl::Provider(block, cloud, name)));
                        }
                    }
                    "residency" | "model" | "access" | "logging" => {
                        let Some(name) = labels.next() else { continue };
                        if !check_unique(dec.diags, seen.entry(ident).or_default(), ident, &name) {
                            continue;
                        }
                        let decl = match ident {
                            "residency" => {
                                dec.scope.residencies.insert(name.value.clone());
                                Decl::Residency(block, name)
                            }
                            "model" => {
                                dec.scope.models.insert(name.value.clone());
                                Decl::Model(block, name)
                            }
                            "access" => Decl::Access(block, name),
                            _ => Decl::Logging(block, name),
                        };
                        decls.push((file, decl));
                    }
                    "emit" => {
                        let Some(format) = labels.next() else {
                            continue;
                        };
                        if check_unique(dec.diags, seen.entry("emit").or_default(), "emit", &format)
                        {
                            decls.push((file, Decl::Emit(block, format)));
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    // Pass 2: variables.
    let input_values = collect_inputs(sources, inputs, &var_inputs, &var_blocks, diags);
    {
        let mut dec = Decoder {
            scope: &mut scope,
            diags,
            strings: &mut strings,
        };
        for (file, block, name) in &var_blocks {
            let var = decode_variable(&mut dec, *file, block, name.clone(), &input_values);
            dec.scope.vars.insert(name.value.clone(), var.value.clone());
            if input_values.get(&name.value).is_some_and(|i| i.from_cli) {
                dec.scope.cli_vars.insert(name.value.clone());
            }
            spec.variables.push(var);
        }
    }

    // Pass 3: locals, then every other block.
    scope.eval_all_locals(&local_order, diags);
    let mut dec = Decoder {
        scope: &mut scope,
        diags,
        strings: &mut strings,
    };
    // Locals are scanned for secrets whether or not anything uses them.
    for name in &local_order {
        let value = match dec.scope.locals.get(name).map(|s| &s.state) {
            Some(LocalState::Done(Some(v))) => v.clone(),
            _ => continue,
        };
        dec.record_strings(name, &value);
    }
    for (file, decl) in decls {
        match decl {
            Decl::Meridian(b) => spec.meridian = Some(dec.meridian(b, file)),
            Decl::Policy(b) => spec.policy = Some(dec.policy(b, file)),
            Decl::Provider(b, cloud, name) => {
                spec.providers.push(dec.provider(b, file, cloud, name));
            }
            Decl::Residency(b, name) => spec.residencies.push(dec.residency(b, file, name)),
            Decl::Model(b, name) => spec.models.push(dec.model(b, file, name)),
            Decl::Access(b, name) => spec.access.push(dec.access(b, file, name)),
            Decl::Logging(b, name) => spec.logging.push(dec.logging(b, file, name)),
            Decl::Emit(b, format) => spec.emits.push(dec.emit(b, file, format)),
        }
    }
    spec.strings = strings;
    spec
}

fn scope_local_span(scope: &Scope<'_>, name: &str) -> Option<Span> {
    scope.locals.get(name).map(|s| s.key_span)
}

/// A value for a variable from outside the spec, already evaluated.
struct InputValue {
    value: SValue,
    /// From -var or the environment (no spec location): references get the use site's span.
    from_cli: bool,
    /// Raw text, for variables typed as strings.
    raw: Option<String>,
}

/// Evaluates the values given from outside the spec. Precedence, lowest first, as in
/// Terraform: `MERIDIAN_VAR_*` environment variables, `meridian.mvars`, `*.auto.mvars` in
/// lexical order, then `-var-file` and `-var` in command-line order (`inputs` is already in
/// that order after the environment); a later value for a variable replaces an earlier one.
fn collect_inputs(
    sources: &mut SourceMap,
    inputs: &Inputs,
    ordered: &[Input],
    declared: &[(FileId, &Block, Spanned<String>)],
    diags: &mut Diagnostics,
) -> HashMap<String, InputValue> {
    let mut out: HashMap<String, InputValue> = HashMap::new();
    let names: Vec<&str> = declared.iter().map(|(_, _, n)| n.value.as_str()).collect();
    let raw_value = |v: &str, span: Span| InputValue {
        value: SValue::new(Value::String(v.to_string()), span),
        from_cli: true,
        raw: Some(v.to_string()),
    };

    if !inputs.env.is_empty() {
        let text: String = inputs
            .env
            .iter()
            .map(|(k, v)| format!("MERIDIAN_VAR_{k}={v}\n"))
            .collect();
        let id = sources.add("<environment>", Path::new("<environment>"), text);
        let mut offset = 0;
        for (k, v) in &inputs.env {
            let line_len = "MERIDIAN_VAR_".len() + k.len() + 1 + v.len();
            let span = Span::new(id, offset, offset + line_len);
            offset += line_len + 1;
            // Undeclared environment variables are ignored, as Terraform does with TF_VAR_.
            if names.contains(&k.as_str()) {
                out.insert(k.clone(), raw_value(v, span));
            }
        }
    }
    // The -var arguments, as a pseudo-file for their ranges.
    let mut var_spans = Vec::with_capacity(inputs.vars.len());
    if !inputs.vars.is_empty() {
        let text: String = inputs.vars.iter().map(|a| format!("{a}\n")).collect();
        let id = sources.add("<command line>", Path::new("<command line>"), text);
        let mut offset = 0;
        for arg in &inputs.vars {
            var_spans.push(Span::new(id, offset, offset + arg.len()));
            offset += arg.len() + 1;
        }
    }
    for input in ordered {
        match input {
            Input::File(id, body) => read_var_file(*id, body, &names, &mut out, diags),
            Input::Var(i) => {
                let (Some(arg), Some(&span)) = (inputs.vars.get(*i), var_spans.get(*i)) else {
                    continue;
                };
                let Some((k, v)) = arg.split_once('=') else {
                    diags.push(
                        Diagnostic::error(codes::VAR_SYNTAX, format!("Malformed -var \"{arg}\""))
                            .detail("Write -var NAME=VALUE.")
                            .at(span),
                    );
                    continue;
                };
                let k = k.trim();
                if !names.contains(&k) {
                    diags.push(
                        Diagnostic::error(
                            codes::VAR_UNDECLARED,
                            format!("Value for undeclared variable \"{k}\""),
                        )
                        .detail(format!(
                            "No variable block declares \"{k}\"; declare it or drop the -var.{}",
                            did_you_mean(k, names.iter().copied())
                        ))
                        .at(span),
                    );
                    continue;
                }
                out.insert(k.to_string(), raw_value(v, span));
            }
        }
    }
    out
}

/// Evaluates the `NAME = value` lines of one variable file into `out`.
fn read_var_file(
    id: FileId,
    body: &Body,
    names: &[&str],
    out: &mut HashMap<String, InputValue>,
    diags: &mut Diagnostics,
) {
    let mut scope = Scope::default();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                let name = a.key.value().as_str();
                if !names.contains(&name) {
                    diags.push(
                        Diagnostic::warning(
                            codes::VAR_UNDECLARED,
                            format!("Value for undeclared variable \"{name}\""),
                        )
                        .detail(format!(
                            "No variable block declares \"{name}\", so this value is ignored.{}",
                            did_you_mean(name, names.iter().copied())
                        ))
                        .at(key_span(id, a)),
                    );
                    continue;
                }
                if let Some(v) = scope.eval(&a.value, id, diags) {
                    out.insert(
                        name.to_string(),
                        InputValue {
                            value: v,
                            from_cli: false,
                            raw: None,
                        },
                    );
                }
            }
            Structure::Block(b) => diags.push(
                Diagnostic::error(
                    codes::VAR_SYNTAX,
                    "Blocks are not allowed in a variable file",
                )
                .detail("A variable file holds NAME = value lines only.")
                .at(header_span(id, b)),
            ),
        }
    }
}

fn parse_type(expr: &Expression, file: FileId, diags: &mut Diagnostics) -> Option<VarType> {
    let span = span_of(file, expr);
    let bad = |diags: &mut Diagnostics| {
        diags.push(
            Diagnostic::error(codes::SPEC_INVALID_VALUE, "Invalid variable type")
                .detail("Types are string, number, bool, any, list(TYPE), set(TYPE) and map(TYPE).")
                .at(span),
        );
        None
    };
    match expr {
        Expression::Variable(v) => match v.value().as_str() {
            "string" => Some(VarType::String),
            "number" => Some(VarType::Number),
            "bool" => Some(VarType::Bool),
            "any" => Some(VarType::Any),
            _ => bad(diags),
        },
        Expression::FuncCall(call) if call.args.len() == 1 && !call.name.is_namespaced() => {
            let inner = call
                .args
                .iter()
                .next()
                .and_then(|a| parse_type(a, file, diags))?;
            match call.name.name.value().as_str() {
                "list" | "set" => Some(VarType::List(Box::new(inner))),
                "map" => Some(VarType::Map(Box::new(inner))),
                _ => bad(diags),
            }
        }
        Expression::Traversal(t)
            if matches!(
                t.operators.first().map(|o| o.value()),
                Some(TraversalOperator::GetAttr(_))
            ) =>
        {
            bad(diags)
        }
        _ => bad(diags),
    }
}

fn decode_variable(
    dec: &mut Decoder<'_, '_>,
    file: FileId,
    block: &Block,
    name: Spanned<String>,
    inputs: &HashMap<String, InputValue>,
) -> Variable {
    let b = dec.open(
        &block.body,
        file,
        header_span(file, block),
        format!("variable \"{}\"", name.value),
        crate::schema::VARIABLE.attributes,
        crate::schema::VARIABLE.blocks,
    );
    let ty = b
        .attr("type")
        .and_then(|a| parse_type(&a.value, file, dec.diags))
        .unwrap_or(VarType::Any);
    let description = dec.string(&b, "description");
    let sensitive = dec.bool(&b, "sensitive").is_some_and(|s| s.value);
    let default = dec.value(&b, "default");
    let given = inputs.get(&name.value);
    let candidate = match given {
        Some(input) => match (&ty, &input.raw) {
            (VarType::String | VarType::Any, Some(raw)) => {
                Some(SValue::new(Value::String(raw.clone()), input.value.span))
            }
            (_, Some(raw)) => parse_cli_value(raw, input.value.span, dec.diags),
            (_, None) => Some(input.value.clone()),
        },
        None => default,
    };
    let value = match candidate {
        None if given.is_none() && b.attr("default").is_none() => {
            dec.diags.push(
                Diagnostic::error(codes::VAR_MISSING, format!("No value for required variable \"{}\"", name.value))
                    .detail(format!(
                        "The variable has no default. Set it in meridian.mvars, with -var {0}=VALUE or -var-file FILE, or with the environment variable MERIDIAN_VAR_{0}.",
                        name.value
                    ))
                    .at(b.header),
            );
            None
        }
        None => None,
        Some(v) => match ty.conform(v) {
            Ok(v) => Some(v),
            Err((path, bad)) => {
                dec.diags.push(
                    Diagnostic::error(
                        codes::VAR_TYPE,
                        format!("Invalid value for variable \"{}\"", name.value),
                    )
                    .detail(format!(
                        "The variable's type is {ty}, but {} is a {}.",
                        if path.is_empty() {
                            "the value".to_string()
                        } else {
                            format!("element {path}")
                        },
                        bad.value.type_name()
                    ))
                    .at(bad.span)
                    .label(b.header, "the variable is declared here"),
                );
                None
            }
        },
    };
    Variable {
        span: b.header,
        name,
        description,
        ty,
        sensitive,
        value,
    }
}

/// A -var or environment value for a non-string variable is an HCL expression (a literal).
fn parse_cli_value(raw: &str, span: Span, diags: &mut Diagnostics) -> Option<SValue> {
    let Ok(expr) = hcl_edit::parser::parse_expr(raw) else {
        diags.push(
            Diagnostic::error(codes::VAR_SYNTAX, "Malformed variable value")
                .detail(format!("\"{raw}\" is not a valid HCL value; lists are written [\"a\", \"b\"], maps {{ k = \"v\" }}."))
                .at(span),
        );
        return None;
    };
    let mut scope = Scope::default();
    let mut local = Diagnostics::new();
    let v = scope.eval(&expr, FileId(u32::MAX), &mut local);
    if local.has_errors() {
        diags.push(
            Diagnostic::error(codes::VAR_SYNTAX, "Variable values must be literals")
                .detail(format!(
                    "\"{raw}\" holds references or function calls; give a literal value."
                ))
                .at(span),
        );
        return None;
    }
    v.map(|v| v.respanned(span))
}
