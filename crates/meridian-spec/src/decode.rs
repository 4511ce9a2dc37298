//! Schema-checked decoding of block bodies into the raw types of [`crate::types`].

use crate::eval::{span_of, Scope};
use crate::types::{ProviderRef, Spanned, StringSite};
use crate::value::{BlockRef, SValue, Value};
use hcl_edit::structure::{Attribute, Block, Body, Structure};
use meridian_diag::{codes, did_you_mean, Diagnostic, Diagnostics, FileId, Span};

/// Strings at least this long are kept for the secret scan; every credential pattern the
/// scan knows is longer.
pub const SECRET_SCAN_MIN_LEN: usize = 20;

/// One block body whose attribute and block names have been checked against a schema.
/// Key/value pairs of an object of strings, e.g. `default_tags`.
pub(crate) type StringPairs = Vec<(Spanned<String>, Spanned<String>)>;

pub(crate) struct BodyR<'b> {
    pub file: FileId,
    /// The block header (identifier and labels), where "missing attribute" errors point.
    pub header: Span,
    /// How the block is named in messages, e.g. `model "assistant"`.
    pub what: String,
    attrs: Vec<&'b Attribute>,
    pub blocks: Vec<&'b Block>,
}

impl<'b> BodyR<'b> {
    pub fn attr(&self, name: &str) -> Option<&'b Attribute> {
        self.attrs
            .iter()
            .copied()
            .find(|a| a.key.value().as_str() == name)
    }

    pub fn blocks_named(&self, name: &'b str) -> impl Iterator<Item = &'b Block> + '_ {
        self.blocks
            .iter()
            .copied()
            .filter(move |b| b.ident.value().as_str() == name)
    }
}

/// The span of a block's header: from its identifier to its last label.
pub(crate) fn header_span(file: FileId, block: &Block) -> Span {
    let start = span_of(file, &block.ident);
    let end = block.labels.last().map_or(start, |l| span_of(file, l));
    start.to(end)
}

pub(crate) struct Decoder<'s, 'a> {
    pub scope: &'s mut Scope<'a>,
    pub diags: &'s mut Diagnostics,
    pub strings: &'s mut Vec<StringSite>,
}

impl Decoder<'_, '_> {
    /// Checks a body against the allowed attribute and block names.
    pub fn open<'b>(
        &mut self,
        body: &'b Body,
        file: FileId,
        header: Span,
        what: String,
        attrs: &[&str],
        blocks: &[&str],
    ) -> BodyR<'b> {
        let mut out = BodyR {
            file,
            header,
            what,
            attrs: Vec::new(),
            blocks: Vec::new(),
        };
        for structure in body.iter() {
            match structure {
                Structure::Attribute(a) => {
                    let key = a.key.value().as_str();
                    let key_span = span_of(file, &a.key);
                    if !attrs.contains(&key) {
                        let detail = if blocks.contains(&key) {
                            format!("\"{key}\" is a block here: write {key} {{ ... }}.")
                        } else if attrs.is_empty() {
                            format!("{} takes no attributes.", out.what)
                        } else {
                            format!(
                                "{} takes: {}.{}",
                                out.what,
                                attrs.join(", "),
                                did_you_mean(key, attrs.iter().copied())
                            )
                        };
                        self.diags.push(
                            Diagnostic::error(
                                codes::SPEC_UNKNOWN_ATTRIBUTE,
                                format!("Unsupported attribute \"{key}\" in {}", out.what),
                            )
                            .detail(detail)
                            .at(key_span),
                        );
                        continue;
                    }
                    out.attrs.push(a);
                }
                Structure::Block(b) => {
                    let ident = b.ident.value().as_str();
                    if !blocks.contains(&ident) {
                        let detail = if attrs.contains(&ident) {
                            format!("\"{ident}\" is an attribute here: write {ident} = ...")
                        } else if blocks.is_empty() {
                            format!("{} takes no nested blocks.", out.what)
                        } else {
                            format!(
                                "Blocks allowed in {}: {}.{}",
                                out.what,
                                blocks.join(", "),
                                did_you_mean(ident, blocks.iter().copied())
                            )
                        };
                        self.diags.push(
                            Diagnostic::error(
                                codes::SPEC_UNKNOWN_BLOCK,
                                format!("Unsupported block type \"{ident}\" in {}", out.what),
                            )
                            .detail(detail)
                            .at(header_span(file, b)),
                        );
                        continue;
                    }
                    out.blocks.push(b);
                }
            }
        }
        out
    }

    /// Checks a block has exactly `names.len()` labels and returns them.
    pub fn labels(
        &mut self,
        block: &Block,
        file: FileId,
        names: &[&str],
    ) -> Option<Vec<Spanned<String>>> {
        if block.labels.len() != names.len() {
            let ident = block.ident.value().as_str();
            let shape = std::iter::once(ident.to_string())
                .chain(names.iter().map(|n| format!("\"{n}\"")))
                .collect::<Vec<_>>()
                .join(" ");
            self.diags.push(
                Diagnostic::error(
                    codes::SPEC_LABELS,
                    format!(
                        "Block \"{ident}\" needs {} label{}, found {}",
                        names.len(),
                        if names.len() == 1 { "" } else { "s" },
                        block.labels.len()
                    ),
                )
                .detail(format!("Write it as {shape} {{ ... }}."))
                .at(header_span(file, block)),
            );
            return None;
        }
        Some(
            block
                .labels
                .iter()
                .map(|l| Spanned::new(l.as_str().to_string(), span_of(file, l)))
                .collect(),
        )
    }

    /// At most one nested block of this name; a second is reported.
    pub fn single<'b>(&mut self, body: &BodyR<'b>, name: &'b str) -> Option<&'b Block> {
        let mut found = body.blocks_named(name);
        let first = found.next()?;
        for extra in found {
            self.diags.push(
                Diagnostic::error(
                    codes::SPEC_DUPLICATE,
                    format!("Only one \"{name}\" block is allowed in {}", body.what),
                )
                .detail("Merge the two blocks into one.")
                .at(header_span(body.file, extra))
                .label(header_span(body.file, first), "the first one is here"),
            );
        }
        Some(first)
    }

    /// Evaluates an attribute (if present) and records its long strings for the secret scan.
    pub fn value(&mut self, body: &BodyR<'_>, name: &str) -> Option<SValue> {
        let attr = body.attr(name)?;
        let v = self.scope.eval(&attr.value, body.file, self.diags)?;
        self.record_strings(name, &v);
        Some(v)
    }

    pub fn record_strings(&mut self, key: &str, v: &SValue) {
        match &v.value {
            Value::String(s) if s.len() >= SECRET_SCAN_MIN_LEN => self.strings.push(StringSite {
                key: key.to_string(),
                value: s.clone(),
                span: v.span,
            }),
            Value::List(items) => items.iter().for_each(|i| self.record_strings(key, i)),
            Value::Object(entries) => entries.iter().for_each(|(k, i)| self.record_strings(k, i)),
            _ => {}
        }
    }

    /// A counter that rises whenever something in a block fails to decode; compare before and
    /// after decoding a block to know whether it is complete.
    pub fn failures(&self) -> usize {
        self.diags.len() + self.scope.silent_failures
    }

    pub fn missing(&mut self, body: &BodyR<'_>, name: &str, example: &str) {
        self.diags.push(
            Diagnostic::error(
                codes::SPEC_MISSING_ATTRIBUTE,
                format!("Missing required attribute \"{name}\" in {}", body.what),
            )
            .detail(format!("Add it, e.g. {name} = {example}"))
            .at(body.header),
        );
    }

    fn wrong_type(&mut self, v: &SValue, attr: &str, expected: &str) {
        let hint = match &v.value {
            Value::Ref(r) if expected == "string" => {
                format!(" {r} is a reference to a block; this attribute takes a string.")
            }
            _ => String::new(),
        };
        self.diags.push(
            Diagnostic::error(
                codes::SPEC_TYPE,
                format!(
                    "\"{attr}\" must be {expected}, not a {}",
                    v.value.type_name()
                ),
            )
            .detail(format!("Give \"{attr}\" {expected} value.{hint}"))
            .at(v.span),
        );
    }

    pub fn string_value(&mut self, v: SValue, attr: &str) -> Option<Spanned<String>> {
        match v.value {
            Value::String(s) => Some(Spanned::new(s, v.span)),
            Value::Number(_) | Value::Bool(_) => {
                let s = v.value.to_template_string()?;
                Some(Spanned::new(s, v.span))
            }
            _ => {
                self.wrong_type(&v, attr, "a string");
                None
            }
        }
    }

    pub fn string(&mut self, body: &BodyR<'_>, name: &str) -> Option<Spanned<String>> {
        let v = self.value(body, name)?;
        if v.value == Value::Null {
            return None;
        }
        self.string_value(v, name)
    }

    pub fn req_string(
        &mut self,
        body: &BodyR<'_>,
        name: &str,
        example: &str,
    ) -> Option<Spanned<String>> {
        if body.attr(name).is_none() {
            self.missing(body, name, example);
            return None;
        }
        self.string(body, name)
    }

    pub fn bool(&mut self, body: &BodyR<'_>, name: &str) -> Option<Spanned<bool>> {
        let v = self.value(body, name)?;
        match v.value {
            Value::Bool(b) => Some(Spanned::new(b, v.span)),
            Value::String(ref s) if s == "true" || s == "false" => {
                Some(Spanned::new(s == "true", v.span))
            }
            Value::Null => None,
            _ => {
                self.wrong_type(&v, name, "a bool (true or false)");
                None
            }
        }
    }

    pub fn number(&mut self, body: &BodyR<'_>, name: &str) -> Option<Spanned<f64>> {
        let v = self.value(body, name)?;
        match v.value {
            Value::Number(n) => Some(Spanned::new(n, v.span)),
            Value::String(ref s) if s.trim().parse::<f64>().is_ok_and(f64::is_finite) => {
                Some(Spanned::new(s.trim().parse().ok()?, v.span))
            }
            Value::Null => None,
            _ => {
                self.wrong_type(&v, name, "a number");
                None
            }
        }
    }

    /// A whole number ≥ 0.
    pub fn uint(&mut self, body: &BodyR<'_>, name: &str) -> Option<Spanned<u64>> {
        let n = self.number(body, name)?;
        if n.value.fract() != 0.0 || n.value < 0.0 || n.value > 9.007_199_254_740_992e15 {
            self.diags.push(
                Diagnostic::error(
                    codes::SPEC_TYPE,
                    format!("\"{name}\" must be a whole number of zero or more"),
                )
                .detail(format!(
                    "{} is not; give a whole number such as 1000.",
                    n.value
                ))
                .at(n.span),
            );
            return None;
        }
        Some(Spanned::new(n.value as u64, n.span))
    }

    pub fn string_list(&mut self, body: &BodyR<'_>, name: &str) -> Vec<Spanned<String>> {
        self.string_list_spanned(body, name)
            .map(|l| l.value)
            .unwrap_or_default()
    }

    pub fn string_list_spanned(
        &mut self,
        body: &BodyR<'_>,
        name: &str,
    ) -> Option<Spanned<Vec<Spanned<String>>>> {
        let v = self.value(body, name)?;
        let span = v.span;
        match v.value {
            Value::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    if let Some(s) = self.string_value(item, name) {
                        out.push(s);
                    }
                }
                Some(Spanned::new(out, span))
            }
            Value::Null => None,
            other => {
                self.wrong_type(&SValue::new(other, span), name, "a list of strings");
                None
            }
        }
    }

    pub fn string_map(&mut self, body: &BodyR<'_>, name: &str) -> Option<(Span, StringPairs)> {
        let v = self.value(body, name)?;
        let span = v.span;
        match v.value {
            Value::Object(entries) => {
                let mut out = Vec::with_capacity(entries.len());
                for (k, item) in entries {
                    let key = Spanned::new(k, item.span);
                    if let Some(s) = self.string_value(item, name) {
                        out.push((key, s));
                    }
                }
                Some((span, out))
            }
            Value::Null => None,
            other => {
                self.wrong_type(
                    &SValue::new(other, span),
                    name,
                    "an object of strings, e.g. { owner = \"team\" }",
                );
                None
            }
        }
    }

    fn want_ref(&mut self, v: SValue, attr: &str, kind: &str) -> Option<(BlockRef, Span)> {
        match v.value {
            Value::Ref(r) => Some((r, v.span)),
            Value::String(s) => {
                let example = match kind {
                    "provider" => "provider.TYPE.NAME".to_string(),
                    _ => format!("{kind}.{s}"),
                };
                self.diags.push(
                    Diagnostic::error(
                        codes::SPEC_TYPE,
                        format!("\"{attr}\" must be a reference to a {kind} block"),
                    )
                    .detail(format!(
                        "Write a reference, not a string: {attr} = {example}"
                    ))
                    .at(v.span),
                );
                None
            }
            other => {
                self.wrong_type(
                    &SValue::new(other, v.span),
                    attr,
                    &format!("a reference to a {kind} block"),
                );
                None
            }
        }
    }

    fn mismatched_ref(&mut self, r: &BlockRef, span: Span, attr: &str, kind: &str) {
        self.diags.push(
            Diagnostic::error(
                codes::SPEC_TYPE,
                format!("\"{attr}\" must reference a {kind}, not {r}"),
            )
            .detail(format!("Give a {kind} reference here."))
            .at(span),
        );
    }

    pub fn provider_ref(&mut self, body: &BodyR<'_>, name: &str) -> Option<Spanned<ProviderRef>> {
        let v = self.value(body, name)?;
        let (r, span) = self.want_ref(v, name, "provider")?;
        match r {
            BlockRef::Provider { cloud, name } => {
                Some(Spanned::new(ProviderRef { cloud, name }, span))
            }
            other => {
                self.mismatched_ref(&other, span, name, "provider");
                None
            }
        }
    }

    pub fn residency_ref(&mut self, body: &BodyR<'_>, name: &str) -> Option<Spanned<String>> {
        let v = self.value(body, name)?;
        if v.value == Value::Null {
            return None;
        }
        let (r, span) = self.want_ref(v, name, "residency")?;
        match r {
            BlockRef::Residency(n) => Some(Spanned::new(n, span)),
            other => {
                self.mismatched_ref(&other, span, name, "residency");
                None
            }
        }
    }

    pub fn model_refs(&mut self, body: &BodyR<'_>, name: &str) -> Vec<Spanned<String>> {
        let Some(v) = self.value(body, name) else {
            return Vec::new();
        };
        let span = v.span;
        let items = match v.value {
            Value::List(items) => items,
            other => {
                self.wrong_type(
                    &SValue::new(other, span),
                    name,
                    "a list of model references",
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for item in items {
            if let Some((r, span)) = self.want_ref(item, name, "model") {
                match r {
                    BlockRef::Model(n) => out.push(Spanned::new(n, span)),
                    other => self.mismatched_ref(&other, span, name, "model"),
                }
            }
        }
        out
    }
}

/// The span of an attribute's key, for "this attribute" pointers.
pub(crate) fn attr_key_span(file: FileId, attr: &Attribute) -> Span {
    span_of(file, &attr.key)
}
