//! Expression evaluation: literals, collections, templates, references, operators and the
//! language's functions. Errors become diagnostics; evaluation returns `None` for a value
//! that could not be computed (its problem has been reported).

use crate::value::{format_number, BlockRef, SValue, Value};
use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Element, Template};
use meridian_diag::{codes, did_you_mean, Diagnostic, Diagnostics, FileId, Span};
use std::collections::{HashMap, HashSet};

/// The functions a spec may call.
pub const FUNCTIONS: &[&str] = &["concat", "format", "join", "lower", "merge", "upper"];

/// The roots a reference may start with.
pub const ROOTS: &[&str] = &["local", "model", "provider", "residency", "var"];

pub(crate) enum LocalState {
    Pending,
    Active,
    Done(Option<SValue>),
}

pub(crate) struct LocalSlot<'a> {
    pub expr: &'a Expression,
    pub file: FileId,
    pub key_span: Span,
    pub state: LocalState,
}

/// Everything a reference can name.
#[derive(Default)]
pub(crate) struct Scope<'a> {
    pub vars: HashMap<String, Option<SValue>>,
    pub cli_vars: HashSet<String>,
    pub locals: HashMap<String, LocalSlot<'a>>,
    pub providers: HashMap<String, Vec<String>>,
    pub residencies: HashSet<String>,
    pub models: HashSet<String>,
    /// Evaluations that failed because of a problem reported elsewhere (a variable with no
    /// valid value, a local that failed): decoders count these like diagnostics to know a
    /// block is incomplete.
    pub silent_failures: usize,
    stack: Vec<String>,
}

pub(crate) fn span_of(file: FileId, node: &impl hcl_edit::Span) -> Span {
    node.span()
        .map_or(Span::new(file, 0, 0), |r| Span::new(file, r.start, r.end))
}

impl Scope<'_> {
    /// Evaluates every local once, in declaration order, so cycles are reported even for
    /// locals nobody references.
    pub fn eval_all_locals(&mut self, order: &[String], diags: &mut Diagnostics) {
        for name in order {
            self.local(name, None, diags);
        }
    }

    fn local(&mut self, name: &str, at: Option<Span>, diags: &mut Diagnostics) -> Option<SValue> {
        let slot = self.locals.get_mut(name)?;
        match &slot.state {
            LocalState::Done(v) => {
                if v.is_none() {
                    // Reported where the local is defined.
                    self.silent_failures += 1;
                }
                return v.clone();
            }
            LocalState::Active => {
                let start = self.stack.iter().position(|n| n == name).unwrap_or(0);
                let mut cycle: Vec<String> = self.stack[start..]
                    .iter()
                    .map(|n| format!("local.{n}"))
                    .collect();
                cycle.push(format!("local.{name}"));
                let key_span = slot.key_span;
                let mut d = Diagnostic::error(
                    codes::EXPR_CYCLE,
                    format!("Cycle among locals: {}", cycle.join(" -> ")),
                )
                .detail("Each of these locals depends on the next; one of them must not.")
                .at(key_span);
                if let Some(at) = at {
                    d = d.label(at, "the cycle closes here");
                }
                diags.push(d);
                // Mark every member so the cycle is reported once.
                for n in &self.stack[start..] {
                    if let Some(s) = self.locals.get_mut(n) {
                        s.state = LocalState::Done(None);
                    }
                }
                return None;
            }
            LocalState::Pending => {}
        }
        let (expr, file) = (slot.expr, slot.file);
        slot.state = LocalState::Active;
        self.stack.push(name.to_string());
        let value = self.eval(expr, file, diags);
        self.stack.pop();
        let slot = self.locals.get_mut(name)?;
        if matches!(slot.state, LocalState::Active) {
            slot.state = LocalState::Done(value.clone());
            value
        } else {
            // A cycle through this local was found while evaluating it.
            None
        }
    }

    /// Evaluates an expression.
    pub fn eval(
        &mut self,
        expr: &Expression,
        file: FileId,
        diags: &mut Diagnostics,
    ) -> Option<SValue> {
        let span = span_of(file, expr);
        let value = match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => match n.value().as_f64() {
                Some(f) => Value::Number(f),
                None => return type_error(diags, span, "This number cannot be represented."),
            },
            Expression::String(s) => Value::String(s.value().clone()),
            Expression::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for item in items.iter() {
                    match self.eval(item, file, diags) {
                        Some(v) => out.push(v),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                Value::List(out)
            }
            Expression::Object(obj) => {
                let mut out: Vec<(String, SValue)> = Vec::with_capacity(obj.len());
                let mut ok = true;
                for (key, value) in obj.iter() {
                    let key = match key {
                        ObjectKey::Ident(id) => Some(id.value().as_str().to_string()),
                        ObjectKey::Expression(e) => match self.eval(e, file, diags) {
                            Some(SValue {
                                value: Value::String(s),
                                ..
                            }) => Some(s),
                            Some(other) => {
                                diags.push(
                                    Diagnostic::error(
                                        codes::SPEC_TYPE,
                                        "Object key must be a string",
                                    )
                                    .detail(format!("This key is a {}.", other.value.type_name()))
                                    .at(other.span),
                                );
                                None
                            }
                            None => None,
                        },
                    };
                    let value = self.eval(value.expr(), file, diags);
                    match (key, value) {
                        (Some(k), Some(v)) => {
                            if let Some(slot) = out.iter_mut().find(|(ek, _)| *ek == k) {
                                slot.1 = v;
                            } else {
                                out.push((k, v));
                            }
                        }
                        _ => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                Value::Object(out)
            }
            Expression::StringTemplate(t) => Value::String(self.template(t, file, diags)?),
            Expression::HeredocTemplate(h) => {
                Value::String(self.template(&h.template, file, diags)?)
            }
            Expression::Parenthesis(p) => {
                return self
                    .eval(p.inner(), file, diags)
                    .map(|v| SValue { span, ..v })
            }
            Expression::Variable(ident) => {
                let name = ident.value().as_str();
                let hint = did_you_mean(name, ROOTS.iter().copied());
                diags.push(
                    Diagnostic::error(codes::EXPR_UNKNOWN_REFERENCE, format!("Unknown reference \"{name}\""))
                        .detail(format!(
                            "References start with var., local., provider., residency. or model.; a bare word is not a value (quote it to make a string).{hint}"
                        ))
                        .at(span),
                );
                return None;
            }
            Expression::Traversal(t) => return self.traversal(t, file, span, diags),
            Expression::FuncCall(call) => return self.call(call, file, span, diags),
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr, file, diags)?;
                let Value::Bool(b) = cond.value else {
                    return type_error(
                        diags,
                        cond.span,
                        &format!(
                            "The condition must be a bool, not a {}.",
                            cond.value.type_name()
                        ),
                    );
                };
                let chosen = if b { &c.true_expr } else { &c.false_expr };
                return self.eval(chosen, file, diags).map(|v| SValue { span, ..v });
            }
            Expression::UnaryOp(op) => {
                let v = self.eval(&op.expr, file, diags)?;
                match (op.operator.value(), v.value) {
                    (UnaryOperator::Neg, Value::Number(n)) => Value::Number(-n),
                    (UnaryOperator::Not, Value::Bool(b)) => Value::Bool(!b),
                    (o, other) => {
                        return type_error(
                            diags,
                            span,
                            &format!("Operator {o:?} cannot apply to a {}.", other.type_name()),
                        )
                    }
                }
            }
            Expression::BinaryOp(op) => {
                let l = self.eval(&op.lhs_expr, file, diags)?;
                let r = self.eval(&op.rhs_expr, file, diags)?;
                binary(*op.operator.value(), &l.value, &r.value, span, diags)?
            }
            Expression::ForExpr(_) => {
                return unsupported(diags, span, "for expressions");
            }
        };
        Some(SValue::new(value, span))
    }

    fn template(&mut self, t: &Template, file: FileId, diags: &mut Diagnostics) -> Option<String> {
        let mut out = String::new();
        let mut ok = true;
        for element in t.iter() {
            match element {
                Element::Literal(s) => out.push_str(s.value()),
                Element::Interpolation(i) => match self.eval(&i.expr, file, diags) {
                    Some(v) => match v.value.to_template_string() {
                        Some(s) => out.push_str(&s),
                        None => {
                            diags.push(
                                Diagnostic::error(codes::SPEC_TYPE, "Cannot interpolate this value")
                                    .detail(format!(
                                        "Only strings, numbers and bools can be interpolated into a string; this is a {}.",
                                        v.value.type_name()
                                    ))
                                    .at(v.span),
                            );
                            ok = false;
                        }
                    },
                    None => ok = false,
                },
                Element::Directive(d) => {
                    let span = span_of(file, d.as_ref());
                    unsupported::<()>(diags, span, "template directives (%{if} / %{for})");
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    fn traversal(
        &mut self,
        t: &hcl_edit::expr::Traversal,
        file: FileId,
        span: Span,
        diags: &mut Diagnostics,
    ) -> Option<SValue> {
        let Expression::Variable(root) = &t.expr else {
            // e.g. `[1, 2][0]` or `func()[0]`: evaluate the inner value, then apply the operators.
            let base = self.eval(&t.expr, file, diags)?;
            return self.apply_ops(base, &t.operators, 0, file, span, diags);
        };
        let root = root.value().as_str();
        let ops = &t.operators;
        let attr = |i: usize| -> Option<&str> {
            match ops.get(i).map(|o| o.value()) {
                Some(TraversalOperator::GetAttr(id)) => Some(id.value().as_str()),
                _ => None,
            }
        };
        let (value, used) = match root {
            "var" => {
                let Some(name) = attr(0) else {
                    return bad_ref(diags, span, "var", "Write var.NAME.");
                };
                match self.vars.get(name) {
                    Some(Some(v)) => {
                        let v = if self.cli_vars.contains(name) {
                            v.clone().respanned(span)
                        } else {
                            SValue { span, ..v.clone() }
                        };
                        (v, 1)
                    }
                    Some(None) => {
                        // Missing or invalid: reported on the variable.
                        self.silent_failures += 1;
                        return None;
                    }
                    None => {
                        let hint = did_you_mean(name, self.vars.keys().map(String::as_str));
                        diags.push(
                            Diagnostic::error(
                                codes::EXPR_UNKNOWN_REFERENCE,
                                format!("Reference to undeclared variable \"{name}\""),
                            )
                            .detail(format!(
                                "Declare it with a variable \"{name}\" {{ ... }} block.{hint}"
                            ))
                            .at(span),
                        );
                        return None;
                    }
                }
            }
            "local" => {
                let Some(name) = attr(0) else {
                    return bad_ref(diags, span, "local", "Write local.NAME.");
                };
                if !self.locals.contains_key(name) {
                    let hint = did_you_mean(name, self.locals.keys().map(String::as_str));
                    diags.push(
                        Diagnostic::error(
                            codes::EXPR_UNKNOWN_REFERENCE,
                            format!("Reference to undeclared local \"{name}\""),
                        )
                        .detail(format!("Declare it in a locals {{ ... }} block.{hint}"))
                        .at(span),
                    );
                    return None;
                }
                let v = self.local(name, Some(span), diags)?;
                (SValue { span, ..v }, 1)
            }
            "provider" => {
                let (Some(cloud), Some(name)) = (attr(0), attr(1)) else {
                    return bad_ref(
                        diags,
                        span,
                        "provider",
                        "Write provider.TYPE.NAME, e.g. provider.azure.corp.",
                    );
                };
                if !self
                    .providers
                    .get(cloud)
                    .is_some_and(|names| names.iter().any(|n| n == name))
                {
                    let all: Vec<String> = self
                        .providers
                        .iter()
                        .flat_map(|(c, ns)| ns.iter().map(move |n| format!("{c}.{n}")))
                        .collect();
                    let wanted = format!("{cloud}.{name}");
                    let hint = meridian_diag::suggest(&wanted, all.iter().map(String::as_str))
                        .map(|s| format!(" Did you mean \"provider.{s}\"?"))
                        .unwrap_or_default();
                    diags.push(
                        Diagnostic::error(
                            codes::EXPR_UNKNOWN_REFERENCE,
                            format!("Reference to undeclared provider \"{wanted}\""),
                        )
                        .detail(format!(
                            "Declare it with provider \"{cloud}\" \"{name}\" {{ ... }}.{hint}"
                        ))
                        .at(span),
                    );
                    return None;
                }
                (
                    SValue::new(
                        Value::Ref(BlockRef::Provider {
                            cloud: cloud.to_string(),
                            name: name.to_string(),
                        }),
                        span,
                    ),
                    2,
                )
            }
            "residency" | "model" => {
                let Some(name) = attr(0) else {
                    return bad_ref(diags, span, root, &format!("Write {root}.NAME."));
                };
                let set = if root == "model" {
                    &self.models
                } else {
                    &self.residencies
                };
                if !set.contains(name) {
                    let hint = did_you_mean(name, set.iter().map(String::as_str));
                    diags.push(
                        Diagnostic::error(
                            codes::EXPR_UNKNOWN_REFERENCE,
                            format!("Reference to undeclared {root} \"{name}\""),
                        )
                        .detail(format!(
                            "Declare it with {root} \"{name}\" {{ ... }}.{hint}"
                        ))
                        .at(span),
                    );
                    return None;
                }
                let r = if root == "model" {
                    BlockRef::Model(name.to_string())
                } else {
                    BlockRef::Residency(name.to_string())
                };
                (SValue::new(Value::Ref(r), span), 1)
            }
            other => {
                let hint = did_you_mean(other, ROOTS.iter().copied());
                diags.push(
                    Diagnostic::error(
                        codes::EXPR_UNKNOWN_REFERENCE,
                        format!("Unknown reference \"{other}\""),
                    )
                    .detail(format!(
                        "References start with var., local., provider., residency. or model.{hint}"
                    ))
                    .at(span),
                );
                return None;
            }
        };
        self.apply_ops(value, ops, used, file, span, diags)
    }

    fn apply_ops(
        &mut self,
        mut value: SValue,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        from: usize,
        file: FileId,
        span: Span,
        diags: &mut Diagnostics,
    ) -> Option<SValue> {
        for op in ops.iter().skip(from) {
            let op_span = span_of(file, op);
            value = match op.value() {
                TraversalOperator::GetAttr(id) => {
                    let key = id.value().as_str();
                    match value.value {
                        Value::Object(entries) => {
                            let keys: Vec<String> =
                                entries.iter().map(|(k, _)| k.clone()).collect();
                            if let Some((_, v)) = entries.into_iter().find(|(k, _)| k == key) {
                                v
                            } else {
                                let hint = did_you_mean(key, keys.iter().map(String::as_str));
                                diags.push(
                                    Diagnostic::error(
                                        codes::EXPR_UNKNOWN_REFERENCE,
                                        format!("The object has no attribute \"{key}\""),
                                    )
                                    .detail(format!(
                                        "Its attributes are: {}.{hint}",
                                        keys.join(", ")
                                    ))
                                    .at(op_span),
                                );
                                return None;
                            }
                        }
                        Value::Ref(r) => {
                            diags.push(
                                Diagnostic::error(
                                    codes::EXPR_UNKNOWN_REFERENCE,
                                    format!("{r} has no attribute \"{key}\""),
                                )
                                .detail(format!(
                                    "Use {r} itself: block references name a whole block."
                                ))
                                .at(op_span),
                            );
                            return None;
                        }
                        other => {
                            return type_error(
                                diags,
                                op_span,
                                &format!(
                                    "Cannot read attribute \"{key}\" of a {}.",
                                    other.type_name()
                                ),
                            )
                        }
                    }
                }
                TraversalOperator::Index(e) => {
                    let idx = self.eval(e, file, diags)?;
                    index(value, &idx, op_span, diags)?
                }
                TraversalOperator::LegacyIndex(i) => {
                    let idx = SValue::new(Value::Number(*i.value() as f64), op_span);
                    index(value, &idx, op_span, diags)?
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    return unsupported(diags, op_span, "splat expressions");
                }
            };
        }
        Some(SValue { span, ..value })
    }

    fn call(
        &mut self,
        call: &hcl_edit::expr::FuncCall,
        file: FileId,
        span: Span,
        diags: &mut Diagnostics,
    ) -> Option<SValue> {
        let name = call.name.name.value().as_str();
        if call.name.is_namespaced() || !FUNCTIONS.contains(&name) {
            let detail = if name == "env" {
                "`env` is deliberately not available: secrets and environment-dependent values never pass through a spec. Use a variable (set with MERIDIAN_VAR_NAME) for values that differ per environment.".to_string()
            } else {
                format!(
                    "The functions are {}.{}",
                    FUNCTIONS.join(", "),
                    did_you_mean(name, FUNCTIONS.iter().copied())
                )
            };
            diags.push(
                Diagnostic::error(
                    codes::EXPR_UNKNOWN_FUNCTION,
                    format!("Unknown function \"{name}\""),
                )
                .detail(detail)
                .at(span),
            );
            return None;
        }
        let mut args = Vec::with_capacity(call.args.len());
        for a in call.args.iter() {
            args.push(self.eval(a, file, diags)?);
        }
        if call.args.expand_final() {
            match args.pop() {
                Some(SValue {
                    value: Value::List(items),
                    ..
                }) => args.extend(items),
                Some(other) => {
                    return call_error(
                        diags,
                        other.span,
                        name,
                        "Only a list can be expanded with `...`.",
                    )
                }
                None => {}
            }
        }
        crate::functions::call(name, args, span, diags)
    }
}

fn index(value: SValue, idx: &SValue, span: Span, diags: &mut Diagnostics) -> Option<SValue> {
    match (value.value, &idx.value) {
        (Value::List(items), Value::Number(n)) => {
            let len = items.len();
            if n.fract() == 0.0 && *n >= 0.0 && (*n as usize) < len {
                items.into_iter().nth(*n as usize)
            } else {
                type_error(
                    diags,
                    span,
                    &format!(
                        "Index {} is out of range for a list of {len}.",
                        format_number(*n)
                    ),
                )
            }
        }
        (Value::Object(entries), Value::String(k)) => {
            if let Some((_, v)) = entries.into_iter().find(|(ek, _)| ek == k) {
                Some(v)
            } else {
                diags.push(
                    Diagnostic::error(
                        codes::EXPR_UNKNOWN_REFERENCE,
                        format!("The object has no key \"{k}\""),
                    )
                    .at(span),
                );
                None
            }
        }
        (v, i) => type_error(
            diags,
            span,
            &format!("Cannot index a {} with a {}.", v.type_name(), i.type_name()),
        ),
    }
}

fn binary(
    op: BinaryOperator,
    l: &Value,
    r: &Value,
    span: Span,
    diags: &mut Diagnostics,
) -> Option<Value> {
    use BinaryOperator as B;
    let v = match (op, l, r) {
        (B::Eq, a, b) => Value::Bool(values_equal(a, b)),
        (B::NotEq, a, b) => Value::Bool(!values_equal(a, b)),
        (B::And, Value::Bool(a), Value::Bool(b)) => Value::Bool(*a && *b),
        (B::Or, Value::Bool(a), Value::Bool(b)) => Value::Bool(*a || *b),
        (B::Plus, Value::Number(a), Value::Number(b)) => Value::Number(a + b),
        (B::Minus, Value::Number(a), Value::Number(b)) => Value::Number(a - b),
        (B::Mul, Value::Number(a), Value::Number(b)) => Value::Number(a * b),
        (B::Div, Value::Number(a), Value::Number(b)) if *b != 0.0 => Value::Number(a / b),
        (B::Mod, Value::Number(a), Value::Number(b)) if *b != 0.0 => Value::Number(a % b),
        (B::Less, Value::Number(a), Value::Number(b)) => Value::Bool(a < b),
        (B::LessEq, Value::Number(a), Value::Number(b)) => Value::Bool(a <= b),
        (B::Greater, Value::Number(a), Value::Number(b)) => Value::Bool(a > b),
        (B::GreaterEq, Value::Number(a), Value::Number(b)) => Value::Bool(a >= b),
        (op, a, b) => {
            return type_error(
                diags,
                span,
                &format!(
                    "Operator {} cannot apply to a {} and a {}{}.",
                    op.as_str(),
                    a.type_name(),
                    b.type_name(),
                    if matches!(op, B::Div | B::Mod) {
                        " (or divides by zero)"
                    } else {
                        ""
                    }
                ),
            )
        }
    };
    Some(v)
}

fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| values_equal(&p.value, &q.value))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.iter()
                        .any(|(k2, v2)| k == k2 && values_equal(&v.value, &v2.value))
                })
        }
        _ => a == b,
    }
}

fn type_error<T>(diags: &mut Diagnostics, span: Span, detail: &str) -> Option<T> {
    diags.push(
        Diagnostic::error(codes::SPEC_TYPE, "Invalid operand or value type")
            .detail(detail)
            .at(span),
    );
    None
}

pub(crate) fn call_error<T>(
    diags: &mut Diagnostics,
    span: Span,
    func: &str,
    detail: &str,
) -> Option<T> {
    diags.push(
        Diagnostic::error(
            codes::EXPR_FUNCTION_CALL,
            format!("Invalid call to {func}()"),
        )
        .detail(detail)
        .at(span),
    );
    None
}

fn unsupported<T>(diags: &mut Diagnostics, span: Span, what: &str) -> Option<T> {
    diags.push(
        Diagnostic::error(codes::EXPR_UNSUPPORTED, format!("Unsupported expression: {what}"))
            .detail("Specs use literals, lists, objects, string templates, references, conditionals, operators and the functions lower, upper, format, join, concat and merge.")
            .at(span),
    );
    None
}

fn bad_ref<T>(diags: &mut Diagnostics, span: Span, root: &str, how: &str) -> Option<T> {
    diags.push(
        Diagnostic::error(
            codes::EXPR_UNKNOWN_REFERENCE,
            format!("Incomplete reference to {root}"),
        )
        .detail(how)
        .at(span),
    );
    None
}
