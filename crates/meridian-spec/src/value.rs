//! Evaluated values. Every value keeps the source span it came from, so later stages can point
//! at the exact list element or object entry that is wrong.

use meridian_diag::Span;
use std::fmt;

/// A reference to a named top-level block, the value of `provider.azure.corp`,
/// `residency.eu` or `model.chat`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BlockRef {
    Provider { cloud: String, name: String },
    Residency(String),
    Model(String),
}

impl fmt::Display for BlockRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlockRef::Provider { cloud, name } => write!(f, "provider.{cloud}.{name}"),
            BlockRef::Residency(n) => write!(f, "residency.{n}"),
            BlockRef::Model(n) => write!(f, "model.{n}"),
        }
    }
}

/// The data of a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<SValue>),
    /// Entries in source order; keys are unique (a later duplicate replaces the earlier one).
    Object(Vec<(String, SValue)>),
    Ref(BlockRef),
}

/// A value with the span of the expression that produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct SValue {
    pub value: Value,
    pub span: Span,
}

impl SValue {
    pub fn new(value: Value, span: Span) -> Self {
        SValue { value, span }
    }

    /// The same value with this span on it and, recursively, on everything inside.
    #[must_use]
    pub fn respanned(mut self, span: Span) -> Self {
        fn walk(v: &mut SValue, span: Span) {
            v.span = span;
            match &mut v.value {
                Value::List(items) => items.iter_mut().for_each(|i| walk(i, span)),
                Value::Object(entries) => entries.iter_mut().for_each(|(_, i)| walk(i, span)),
                _ => {}
            }
        }
        walk(&mut self, span);
        self
    }
}

impl Value {
    /// The type name used in messages: string, number, bool, list, object, null, reference.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Object(_) => "object",
            Value::Ref(_) => "reference",
        }
    }

    /// Converts a primitive to the string a template would interpolate.
    pub fn to_template_string(&self) -> Option<String> {
        match self {
            Value::String(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(format_number(*n)),
            _ => None,
        }
    }
}

/// Formats a number the way HCL prints it: integers without a fraction.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A variable's declared type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarType {
    Any,
    String,
    Number,
    Bool,
    List(Box<VarType>),
    Map(Box<VarType>),
}

impl fmt::Display for VarType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VarType::Any => write!(f, "any"),
            VarType::String => write!(f, "string"),
            VarType::Number => write!(f, "number"),
            VarType::Bool => write!(f, "bool"),
            VarType::List(t) => write!(f, "list({t})"),
            VarType::Map(t) => write!(f, "map({t})"),
        }
    }
}

impl VarType {
    /// Checks (and, like Terraform, converts primitives between string, number and bool where
    /// the conversion is exact) a value against the type. Returns the path of the first
    /// mismatch on failure, e.g. `[2]` or `.owner`.
    pub fn conform(&self, v: SValue) -> Result<SValue, (String, SValue)> {
        let span = v.span;
        match (self, v.value) {
            (VarType::Any, value) => Ok(SValue::new(value, span)),
            (_, Value::Null) => Ok(SValue::new(Value::Null, span)),
            (VarType::String, Value::String(s)) => Ok(SValue::new(Value::String(s), span)),
            (VarType::String, Value::Number(n)) => {
                Ok(SValue::new(Value::String(format_number(n)), span))
            }
            (VarType::String, Value::Bool(b)) => {
                Ok(SValue::new(Value::String(b.to_string()), span))
            }
            (VarType::Number, Value::Number(n)) => Ok(SValue::new(Value::Number(n), span)),
            (VarType::Number, Value::String(s)) => match s.trim().parse::<f64>() {
                Ok(n) if n.is_finite() => Ok(SValue::new(Value::Number(n), span)),
                _ => Err((String::new(), SValue::new(Value::String(s), span))),
            },
            (VarType::Bool, Value::Bool(b)) => Ok(SValue::new(Value::Bool(b), span)),
            (VarType::Bool, Value::String(s)) if s == "true" || s == "false" => {
                Ok(SValue::new(Value::Bool(s == "true"), span))
            }
            (VarType::List(t), Value::List(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    match t.conform(item) {
                        Ok(v) => out.push(v),
                        Err((path, bad)) => return Err((format!("[{i}]{path}"), bad)),
                    }
                }
                Ok(SValue::new(Value::List(out), span))
            }
            (VarType::Map(t), Value::Object(entries)) => {
                let mut out = Vec::with_capacity(entries.len());
                for (k, item) in entries {
                    match t.conform(item) {
                        Ok(v) => out.push((k, v)),
                        Err((path, bad)) => return Err((format!(".{k}{path}"), bad)),
                    }
                }
                Ok(SValue::new(Value::Object(out), span))
            }
            (_, value) => Err((String::new(), SValue::new(value, span))),
        }
    }
}
