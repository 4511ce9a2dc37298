//! The functions a spec may call: lower, upper, format, join, concat, merge.

use crate::eval::call_error;
use crate::value::{format_number, SValue, Value};
use meridian_diag::{Diagnostics, Span};

pub(crate) fn call(
    name: &str,
    args: Vec<SValue>,
    span: Span,
    diags: &mut Diagnostics,
) -> Option<SValue> {
    let value = match name {
        "lower" | "upper" => {
            let [arg] = exact::<1>(name, args, span, diags)?;
            let Value::String(s) = arg.value else {
                return call_error(diags, arg.span, name, "The argument must be a string.");
            };
            Value::String(if name == "lower" {
                s.to_lowercase()
            } else {
                s.to_uppercase()
            })
        }
        "join" => {
            let [sep, list] = exact::<2>(name, args, span, diags)?;
            let Value::String(sep) = sep.value else {
                return call_error(diags, sep.span, name, "The separator must be a string.");
            };
            let Value::List(items) = list.value else {
                return call_error(
                    diags,
                    list.span,
                    name,
                    "The second argument must be a list of strings.",
                );
            };
            let mut parts = Vec::with_capacity(items.len());
            for item in items {
                match item.value.to_template_string() {
                    Some(s) => parts.push(s),
                    None => {
                        return call_error(
                            diags,
                            item.span,
                            name,
                            "Every element must be a string, number or bool.",
                        )
                    }
                }
            }
            Value::String(parts.join(&sep))
        }
        "concat" => {
            let mut out = Vec::new();
            for arg in args {
                match arg.value {
                    Value::List(items) => out.extend(items),
                    other => {
                        return call_error(
                            diags,
                            arg.span,
                            name,
                            &format!(
                                "Every argument must be a list, not a {}.",
                                other.type_name()
                            ),
                        )
                    }
                }
            }
            Value::List(out)
        }
        "merge" => {
            let mut out: Vec<(String, SValue)> = Vec::new();
            for arg in args {
                match arg.value {
                    Value::Object(entries) => {
                        for (k, v) in entries {
                            if let Some(slot) = out.iter_mut().find(|(ek, _)| *ek == k) {
                                slot.1 = v;
                            } else {
                                out.push((k, v));
                            }
                        }
                    }
                    Value::Null => {}
                    other => {
                        return call_error(
                            diags,
                            arg.span,
                            name,
                            &format!(
                                "Every argument must be an object, not a {}.",
                                other.type_name()
                            ),
                        )
                    }
                }
            }
            Value::Object(out)
        }
        "format" => {
            let mut args = args.into_iter();
            let Some(fmt) = args.next() else {
                return call_error(diags, span, name, "format needs a format string.");
            };
            let Value::String(fmt) = fmt.value else {
                return call_error(
                    diags,
                    fmt.span,
                    name,
                    "The first argument must be a format string.",
                );
            };
            let rest: Vec<SValue> = args.collect();
            match format(&fmt, &rest) {
                Ok(s) => Value::String(s),
                Err(msg) => return call_error(diags, span, name, &msg),
            }
        }
        _ => return call_error(diags, span, name, "Unknown function."),
    };
    Some(SValue::new(value, span))
}

fn exact<const N: usize>(
    name: &str,
    args: Vec<SValue>,
    span: Span,
    diags: &mut Diagnostics,
) -> Option<[SValue; N]> {
    let n = args.len();
    match <[SValue; N]>::try_from(args) {
        Ok(a) => Some(a),
        Err(_) => call_error(
            diags,
            span,
            name,
            &format!(
                "{name} takes {N} argument{}, not {n}.",
                if N == 1 { "" } else { "s" }
            ),
        ),
    }
}

/// A subset of Terraform's `format` verbs: %s %d %f %v %q and %%.
fn format(fmt: &str, args: &[SValue]) -> Result<String, String> {
    let mut out = String::with_capacity(fmt.len());
    let mut chars = fmt.chars();
    let mut next_arg = 0usize;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let verb = chars
            .next()
            .ok_or("The format string ends with a lone %.")?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let arg = args.get(next_arg).ok_or_else(|| {
            format!(
                "Not enough arguments: the format string needs more than {}.",
                args.len()
            )
        })?;
        next_arg += 1;
        match (verb, &arg.value) {
            ('s' | 'v', v) => out.push_str(
                &v.to_template_string()
                    .ok_or_else(|| format!("%{verb} cannot format a {}.", v.type_name()))?,
            ),
            ('d', Value::Number(n)) if n.fract() == 0.0 => out.push_str(&format_number(*n)),
            ('f', Value::Number(n)) => out.push_str(&format!("{n:.6}")),
            ('q', Value::String(s)) => out.push_str(&format!("{s:?}")),
            (v, val) => return Err(format!("%{v} cannot format a {}.", val.type_name())),
        }
    }
    if next_arg < args.len() {
        return Err(format!(
            "Too many arguments: the format string uses {next_arg}, {} given.",
            args.len()
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use meridian_diag::FileId;

    fn s(v: &str) -> SValue {
        SValue::new(Value::String(v.into()), Span::new(FileId(0), 0, 0))
    }
    fn n(v: f64) -> SValue {
        SValue::new(Value::Number(v), Span::new(FileId(0), 0, 0))
    }

    #[test]
    fn format_verbs() {
        assert_eq!(
            format("%s-%d-%%", &[s("a"), n(3.0)]).as_deref(),
            Ok("a-3-%")
        );
        assert!(format("%d", &[s("x")]).is_err());
        assert!(format("%s", &[]).is_err());
        assert!(format("x", &[s("extra")]).is_err());
        assert!(format("%", &[]).is_err());
    }

    #[test]
    fn functions_check_arity_and_types() {
        let mut d = Diagnostics::new();
        let sp = Span::new(FileId(0), 0, 0);
        assert_eq!(
            call("upper", vec![s("eu")], sp, &mut d).map(|v| v.value),
            Some(Value::String("EU".into()))
        );
        assert!(call("upper", vec![], sp, &mut d).is_none());
        assert!(call("lower", vec![n(1.0)], sp, &mut d).is_none());
        let list = SValue::new(Value::List(vec![s("a"), s("b")]), sp);
        assert_eq!(
            call("join", vec![s(","), list], sp, &mut d).map(|v| v.value),
            Some(Value::String("a,b".into()))
        );
        assert_eq!(d.error_count(), 2);
    }
}
