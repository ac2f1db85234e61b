//! Floats as request parameters. A finite value renders with Rust's `{}`, which matches Go's
//! `FormatFloat(v, 'f', -1, 64)` (shortest round trip, never an exponent: `42.0` → `42`, `1e-7` → `0.0000001`). NaN and
//! ±∞ have no such form (Go writes `NaN`/`+Inf`, Rust `NaN`/`inf`, JSON has none), so a request writer refuses them:
//! it remembers the first one ([`refuse`]), and the client returns it as [`Error::InvalidParameter`] before sending anything.

use crate::Error;

/// A float parameter that cannot be sent: its wire name (with its group prefix, e.g. `Disks.0.Ratio`) and value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Refused {
    name: String,
    value: f64,
}

impl Refused {
    /// The error the client returns instead of sending the request.
    pub(crate) fn to_error(&self) -> Error {
        Error::InvalidParameter {
            name: self.name.clone(),
            problem: format!("{} is not a finite number, and only finite numbers can be sent", self.value),
        }
    }
}

/// The decimal text of `value` when it is finite.
pub(crate) fn decimal(value: f64) -> Option<String> {
    value.is_finite().then(|| format!("{value}"))
}

/// Records that the parameter `name` with the non-finite `value` was not written, unless an earlier one was
/// recorded already (the first is reported).
pub(crate) fn refuse(refused: &mut Option<Refused>, name: String, value: f64) {
    if refused.is_none() {
        *refused = Some(Refused { name, value });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finite_values_render_like_go_and_the_first_refusal_is_reported() {
        assert_eq!(decimal(42.0).as_deref(), Some("42"));
        assert_eq!(decimal(1e21).as_deref(), Some("1000000000000000000000"));
        assert_eq!(decimal(-0.5).as_deref(), Some("-0.5"));
        assert_eq!(decimal(f64::NAN), None);
        assert_eq!(decimal(f64::INFINITY), None);
        let mut refused = None;
        refuse(&mut refused, "First".into(), f64::NEG_INFINITY);
        refuse(&mut refused, "Second".into(), f64::NAN);
        let error = refused.expect("recorded").to_error();
        assert_eq!(
            error.to_string(),
            "invalid parameter First: -inf is not a finite number, and only finite numbers can be sent"
        );
    }
}
