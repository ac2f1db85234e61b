//! Finovy's envelope around every response (`code`, `success`, `msg`, `traceId`, `data`), as generated code
//! decodes it and the client judges it. Its requests are the neutral REST wire's (`crate::rest`).

use crate::decode::{self, Decode, Extra, ObjectFields, Slot};
use crate::{Error, Vendor};

/// The Finovy envelope: `code`, `success`, `msg`, `traceId` are consumed, `data` goes to the
/// caller's slot, anything else (and a misfit `data`) to `extra`.
///
/// The status keys `code` and `success` are read under their exact spelling only (`Code` is kept in `extra`): a
/// status must not come from a key the vendor does not send. A status key that appears twice makes the status
/// unreadable (parsers disagree on which one counts).
struct Envelope<'a> {
    data: Slot<'a>,
    code: Option<i64>,
    code_seen: bool,
    success: Option<bool>,
    success_seen: bool,
    /// The first status key received twice in this pass.
    repeated: Option<&'static str>,
    msg: Option<String>,
    trace_id: Option<String>,
    extra: Extra,
}

/// The envelope fields of a Finovy response body, besides `data`.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct EnvelopeStatus {
    /// `code` (an integer, or a string or float holding one); `None` when absent or not an integer.
    pub code: Option<i64>,
    /// A `code` that is present but not an integer, as JSON text: `null`, or a value also kept in `extra`.
    pub unparseable_code: Option<String>,
    /// `success` (a boolean, `0`/`1` or their strings); `None` when absent or not a boolean.
    pub success: Option<bool>,
    /// A `success` that is present but not a boolean, as JSON text: `null`, or a value also kept in `extra`.
    pub unparseable_success: Option<String>,
    /// `msg`.
    pub msg: Option<String>,
    /// `traceId`, the request id.
    pub trace_id: Option<String>,
    /// Undeclared envelope keys, and a `data` value that did not fit its slot (under `"data"`).
    pub extra: Extra,
    /// The status key (`code` or `success`) the body holds more than once, if any: then the status cannot be read.
    pub repeated: Option<&'static str>,
}

impl EnvelopeStatus {
    /// Moves [`EnvelopeStatus::extra`] to the end of `extra` (the response's), as every generated
    /// `decode_response` does: the envelope's leftovers are kept with the response they came with.
    pub fn move_extra_into(&mut self, extra: &mut Extra) {
        extra.append(&mut self.extra);
    }

    /// Whether the call succeeded: `Ok` for `code` 0 (with `success` absent or true), [`Error::Service`] for another
    /// code, and [`Error::MalformedStatus`] (with an excerpt of `body`) when `code` is missing or not an integer,
    /// or `code` 0 comes with a `success` that is false or not a boolean, or `code` or `success` appears twice.
    pub(crate) fn judge(&self, operation: &str, body: &[u8]) -> Result<(), Error> {
        if let Some(key) = self.repeated {
            let problem = format!("{key} appears more than once");
            return Err(Error::malformed_status(Vendor::Finovy, operation, problem, body, self.trace_id.as_deref()));
        }
        let problem = match (self.code, &self.unparseable_code) {
            (Some(0), _) => match (self.success, &self.unparseable_success) {
                (Some(true), _) | (None, None) => return Ok(()),
                (Some(false), _) => "code 0 contradicts success false".to_owned(),
                (None, Some(raw)) => format!("success {raw} is not a boolean"),
            },
            (Some(code), _) => {
                return Err(Error::Service {
                    vendor: Vendor::Finovy,
                    code,
                    message: self.msg.clone().unwrap_or_default(),
                    operation: operation.to_owned(),
                    request_id: self.trace_id.clone(),
                })
            }
            (None, Some(raw)) => format!("code {raw} is not an integer"),
            (None, None) => "the body has no code".to_owned(),
        };
        Err(Error::malformed_status(Vendor::Finovy, operation, problem, body, self.trace_id.as_deref()))
    }
}

/// Decodes a Finovy response body in one pass, as every generated `decode_response` does for `Client::call`:
/// `data` streams into `data`, the other envelope fields are returned.
pub fn decode_envelope(body: &[u8], data: Slot<'_>) -> Result<EnvelopeStatus, decode::DecodeError> {
    let mut env = Envelope {
        data,
        code: None,
        code_seen: false,
        success: None,
        success_seen: false,
        repeated: None,
        msg: None,
        trace_id: None,
        extra: Extra::new(),
    };
    decode::decode_object(body, &mut env)?;
    // A value that did not fit its slot went to `extra` like any misfit; `null` left the slot empty.
    let unparseable = |read: bool, seen: bool, key: &str| match (read, seen) {
        (false, true) => Some(env.extra.json_text(key).unwrap_or_else(|| "null".to_owned())),
        _ => None,
    };
    let unparseable_code = unparseable(env.code.is_some(), env.code_seen, "code");
    let unparseable_success = unparseable(env.success.is_some(), env.success_seen, "success");
    Ok(EnvelopeStatus {
        code: env.code,
        unparseable_code,
        success: env.success,
        unparseable_success,
        msg: env.msg,
        trace_id: env.trace_id,
        extra: env.extra,
        repeated: env.repeated,
    })
}

/// The `traceId` of a body that is a Finovy envelope (an HTTP error's, or one whose `data` does not decode), else
/// `None`: errors keep the request id whenever the body has one.
pub(crate) fn trace_id_of(body: &[u8]) -> Option<String> {
    let mut data = None;
    decode_envelope(body, Slot::Json(&mut data)).ok()?.trace_id
}

impl Decode for Envelope<'_> {
    fn fields(&mut self, key: Option<&str>) -> ObjectFields<'_> {
        let slot = key.and_then(|key| {
            Some(match key {
                "data" => self.data.reborrow(),
                // The slot keeps the last value, also when it does not fit (then it is in `extra`); a repeat makes
                // the status unreadable whatever the values.
                "code" => {
                    if self.code_seen {
                        self.repeated.get_or_insert("code");
                    }
                    self.code_seen = true;
                    self.code = None;
                    Slot::Int(&mut self.code)
                }
                "success" => {
                    if self.success_seen {
                        self.repeated.get_or_insert("success");
                    }
                    self.success_seen = true;
                    self.success = None;
                    Slot::Bool(&mut self.success)
                }
                "msg" => Slot::Str(&mut self.msg),
                "traceId" => Slot::Str(&mut self.trace_id),
                _ => return None,
            })
        });
        // Without the status keys, whose case variants are not read (see [`Envelope`]).
        ObjectFields { slot, extra: &mut self.extra, names: &["data", "msg", "traceId"], call: None }
    }

    fn begin_pass(&mut self) {
        (self.code_seen, self.success_seen, self.repeated) = (false, false, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_of(body: &str) -> EnvelopeStatus {
        let mut data: Option<String> = None;
        decode_envelope(body.as_bytes(), Slot::Str(&mut data)).unwrap()
    }

    #[test]
    fn the_status_tells_absent_null_and_misfit_keys_apart() {
        let status = status_of(r#"{"Code": 0, "SUCCESS": true, "Data": "d"}"#);
        assert_eq!((status.code, status.unparseable_code.as_deref()), (None, None));
        assert_eq!(status.extra.get("Code"), Some(&serde_json::json!(0)), "status keys are read exactly");
        assert_eq!(status.extra.get("SUCCESS"), Some(&serde_json::json!(true)));
        assert!(status.extra.get("Data").is_none(), "`data` still takes a case variant");
        let status = status_of(r#"{"code": null, "success": "maybe"}"#);
        assert_eq!(status.unparseable_code.as_deref(), Some("null"));
        assert_eq!(status.unparseable_success.as_deref(), Some(r#""maybe""#));
        assert_eq!(status.extra.get("success"), Some(&serde_json::json!("maybe")));
        let status = status_of(r#"{"code": "0", "success": 1}"#);
        assert_eq!((status.code, status.success), (Some(0), Some(true)));
        assert!(status.judge("op", b"{}").is_ok());
        // A repeated status key cannot be read, whichever value comes last.
        for (body, key) in [
            (r#"{"code": 0, "code": "E1", "success": true}"#, "code"),
            (r#"{"code": 401, "code": 0, "success": true}"#, "code"),
            (r#"{"code": 0, "success": false, "success": true}"#, "success"),
            (r#"{"code": 0, "success": true, "data": 123456789012345678901234567890, "success": true}"#, "success"),
        ] {
            let status = status_of(body);
            assert_eq!(status.repeated, Some(key), "{body}");
            let error = status.judge("op", b"{}").unwrap_err();
            assert!(
                matches!(&error, Error::MalformedStatus { problem, .. } if problem == &format!("{key} appears more than once")),
                "{error:?}"
            );
        }
        // The second pass over a body with a wide integer is no repeat.
        let status = status_of(r#"{"code": 0, "success": true, "data": 123456789012345678901234567890}"#);
        assert_eq!(status.repeated, None);
        assert!(status.judge("op", b"{}").is_ok());
    }
}
