//! UCloud's wire protocol, as generated code speaks it: the flattened form and its signature, the static
//! description of an action, and the envelope around every response (`RetCode`, `Action`, `Message`).
//!
//! Wire format: `POST {base_url}?Action=<Action>` with an `application/x-www-form-urlencoded`
//! body holding every parameter flattened to dotted keys with 0-based indices
//! (`UHostIds.0`, `Disks.0.Size`), plus `Action`, `PublicKey` and `Signature`.
//! See [`sign`] for the signature.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use docbind_redact::{is_secret_name, REDACTED};
use sha1::{Digest, Sha1};

use crate::client::Wire;
use crate::decode::{self, Decode, ObjectFields, Slot};
use crate::float_param::{self, Refused};
use crate::redact;
use crate::transport::{percent_encode, Transport};
use crate::{Error, Vendor};

/// Computes the UCloud signature of `params`.
///
/// Keys are sorted bytewise, each `key + value` is concatenated without separators or escaping,
/// the private key is appended, and the SHA-1 digest is returned as lowercase hex. A
/// `Signature` parameter, if present, is not signed.
pub fn sign(params: &[(String, String)], private_key: &str) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().filter(|(k, _)| k != "Signature").collect();
    sorted.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut hasher = Sha1::new();
    for (k, v) in sorted {
        hasher.update(k.as_bytes());
        hasher.update(v.as_bytes());
    }
    hasher.update(private_key.as_bytes());
    let digest = hasher.finalize();
    let mut hex = String::with_capacity(40);
    for b in digest {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        hex.push(char::from(HEX[usize::from(b >> 4)]));
        hex.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    hex
}

/// A non-generic writer of UCloud's flattened request parameters.
///
/// Generated `encode` functions call it field by field. Nested groups use [`Form::enter`] /
/// [`Form::enter_index`] / [`Form::leave`], so `form.enter_index("A", 0); form.enter("B");
/// form.int("C", 1)` writes `A.0.B.C=1`. Writing a key twice replaces the earlier value.
/// Empty strings are sent as-is (like the Python SDK); `None` is not sent. A float that is NaN or infinite is not
/// written: the form remembers it, and the client returns [`Error::InvalidParameter`] instead of sending.
#[derive(Clone, Default)]
pub struct Form {
    pairs: Vec<(String, String)>,
    prefix: String,
    stack: Vec<usize>,
    refused: Option<Refused>,
}

impl Form {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    fn full_key(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_owned()
        } else {
            let mut k = String::with_capacity(self.prefix.len() + 1 + key.len());
            k.push_str(&self.prefix);
            k.push('.');
            k.push_str(key);
            k
        }
    }

    fn put(&mut self, key: &str, value: String) {
        let key = self.full_key(key);
        match self.pairs.iter_mut().find(|(k, _)| *k == key) {
            Some(pair) => pair.1 = value,
            None => self.pairs.push((key, value)),
        }
    }

    /// Writes a string.
    pub fn str(&mut self, key: &str, v: &str) {
        self.put(key, v.to_owned());
    }

    /// Writes an integer.
    pub fn int(&mut self, key: &str, v: i64) {
        self.put(key, v.to_string());
    }

    /// Writes a finite float with Rust `{}` formatting: `42.0` → `42`, `1e-7` → `0.0000001`, never an
    /// exponent (this matches Go's `FormatFloat(v, 'f', -1, 64)`). NaN and ±∞ are refused (see [`Form`]).
    pub fn float(&mut self, key: &str, v: f64) {
        match float_param::decimal(v) {
            Some(text) => self.put(key, text),
            None => {
                let name = self.full_key(key);
                float_param::refuse(&mut self.refused, name, v);
            }
        }
    }

    /// Writes `true` or `false`.
    pub fn bool(&mut self, key: &str, v: bool) {
        self.put(key, if v { "true" } else { "false" }.to_owned());
    }

    /// Writes a string if present.
    pub fn opt_str(&mut self, key: &str, v: Option<&str>) {
        if let Some(v) = v {
            self.str(key, v);
        }
    }

    /// Writes an integer if present.
    pub fn opt_int(&mut self, key: &str, v: Option<i64>) {
        if let Some(v) = v {
            self.int(key, v);
        }
    }

    /// Writes a float if present.
    pub fn opt_float(&mut self, key: &str, v: Option<f64>) {
        if let Some(v) = v {
            self.float(key, v);
        }
    }

    /// Writes a bool if present.
    pub fn opt_bool(&mut self, key: &str, v: Option<bool>) {
        if let Some(v) = v {
            self.bool(key, v);
        }
    }

    /// Writes `key.0`, `key.1`, … for each string.
    pub fn str_list(&mut self, key: &str, v: &[String]) {
        for (i, s) in v.iter().enumerate() {
            self.put(&format!("{key}.{i}"), s.clone());
        }
    }

    /// Writes `key.0`, `key.1`, … for each integer.
    pub fn int_list(&mut self, key: &str, v: &[i64]) {
        for (i, n) in v.iter().enumerate() {
            self.put(&format!("{key}.{i}"), n.to_string());
        }
    }

    /// Writes `key.0`, `key.1`, … for each float (formatted, or refused, as in [`Form::float`]).
    pub fn float_list(&mut self, key: &str, v: &[f64]) {
        for (i, n) in v.iter().enumerate() {
            self.float(&format!("{key}.{i}"), *n);
        }
    }

    /// Writes `key.0`, `key.1`, … for each bool.
    pub fn bool_list(&mut self, key: &str, v: &[bool]) {
        for (i, b) in v.iter().enumerate() {
            self.put(&format!("{key}.{i}"), b.to_string());
        }
    }

    /// Starts a nested group: following keys are prefixed with `name.`.
    pub fn enter(&mut self, name: &str) {
        self.stack.push(self.prefix.len());
        if !self.prefix.is_empty() {
            self.prefix.push('.');
        }
        self.prefix.push_str(name);
    }

    /// Starts element `index` of a nested list: following keys are prefixed with `name.index.`.
    pub fn enter_index(&mut self, name: &str, index: usize) {
        self.enter(name);
        self.prefix.push('.');
        self.prefix.push_str(&index.to_string());
    }

    /// Ends the innermost group (no-op at the top level).
    pub fn leave(&mut self) {
        if let Some(len) = self.stack.pop() {
            self.prefix.truncate(len);
        }
    }

    /// [`Error::InvalidParameter`] for the first float that was refused, if any: the client checks this before
    /// sending.
    pub(crate) fn check(&self) -> Result<(), Error> {
        self.refused.as_ref().map_or(Ok(()), |refused| Err(refused.to_error()))
    }

    /// Whether the (fully qualified, top-level) `key` has been written.
    pub fn contains(&self, key: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == key)
    }

    /// The value written under the fully qualified `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// All parameters in the order they were first written.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether no parameter has been written.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Removes the fully qualified `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let pos = self.pairs.iter().position(|(k, _)| k == key)?;
        Some(self.pairs.remove(pos).1)
    }

    /// The request body the client sends: every parameter (keys sorted bytewise, percent-encoded as
    /// `application/x-www-form-urlencoded`) followed by `Signature=`[`sign`]`(pairs, private_key)`.
    /// A `Signature` already in the form is neither signed nor sent twice.
    pub fn signed_body(&self, private_key: &str) -> String {
        let signature = sign(&self.pairs, private_key);
        let mut body = self.encode_sorted();
        if !body.is_empty() {
            body.push('&');
        }
        body.push_str("Signature=");
        body.push_str(&signature);
        body
    }

    /// `application/x-www-form-urlencoded` body with keys sorted bytewise (a `Signature` key is skipped).
    fn encode_sorted(&self) -> String {
        let mut sorted: Vec<&(String, String)> = self.pairs.iter().filter(|(k, _)| k != "Signature").collect();
        sorted.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let mut out = String::with_capacity(self.pairs.len() * 24);
        for (i, (k, v)) in sorted.into_iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            percent_encode(k, true, &mut out);
            out.push('=');
            percent_encode(v, true, &mut out);
        }
        out
    }
}

/// Debug redacts sensitive values (signatures, passwords, tokens, secrets).
impl fmt::Debug for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.pairs.iter().map(|(k, v)| {
                let shown = if is_secret_name(k) { REDACTED } else { v.as_str() };
                (k.as_str(), shown)
            }))
            .finish()
    }
}

/// Static description of one UCloud action, emitted by the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The `Action` parameter, e.g. `"GetUvodnImage"`.
    pub action: &'static str,
    /// Whether the operation may be repeated after any transient failure: generated from its read-only class (a
    /// read verb such as `Describe…`, or the overlay). Otherwise it is repeated only when the request provably did
    /// not reach the service.
    pub idempotent: bool,
    /// The common parameters it takes (`ProjectId`, `Region`, `Zone`), filled from the client's [`Config`](super::Config)
    /// when the request leaves them unset.
    pub common: &'static [super::common_parameters::CommonParameter],
}

impl Operation {
    /// An idempotent operation declaring no common parameters.
    pub const fn new(action: &'static str) -> Self {
        Operation { action, idempotent: true, common: &[] }
    }
}

/// The UCloud envelope around a generated response type: consumes `RetCode`, `Action` and
/// `Message`, forwards every other key to the response, in the same single pass.
///
/// The protocol keys are read under their exact spelling only: the status must not come from a key the
/// official SDKs would not read (`retcode`, `Retcode` are the response's, kept in its `extra`). A `RetCode` that
/// appears twice makes the status unreadable: parsers disagree on which one counts (Go's and Python's take the
/// last, others the first), so `{"RetCode":160,"RetCode":0}` is neither a failure nor a success.
struct Envelope<'a> {
    inner: &'a mut dyn Decode,
    ret_code: Option<i64>,
    /// Whether a `RetCode` key was received (its value may be `null` or a misfit).
    ret_code_seen: bool,
    /// Whether a second `RetCode` key was received in this pass.
    ret_code_repeated: bool,
    action: Option<String>,
    message: Option<String>,
}

impl Decode for Envelope<'_> {
    fn fields(&mut self, key: Option<&str>) -> ObjectFields<'_> {
        let slot = match key {
            Some("RetCode") => {
                self.ret_code_repeated |= self.ret_code_seen;
                self.ret_code_seen = true;
                // The slot keeps the last value, also when it does not fit (then it is in `extra`); a repeat makes
                // the status unreadable whatever the values.
                self.ret_code = None;
                Slot::Int(&mut self.ret_code)
            }
            Some("Action") => Slot::Str(&mut self.action),
            Some("Message") => Slot::Str(&mut self.message),
            // The response's own fields, its `extra`, and its names (without the envelope's: their case variants
            // are the response's to keep).
            _ => return self.inner.fields(key),
        };
        ObjectFields { slot: Some(slot), ..self.inner.fields(None) }
    }

    fn begin_pass(&mut self) {
        (self.ret_code_seen, self.ret_code_repeated) = (false, false);
        self.inner.begin_pass();
    }
}

/// The protocol fields of a UCloud response body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseStatus {
    /// `RetCode` (an integer, or a string or float holding one); `None` when absent or not an integer.
    pub ret_code: Option<i64>,
    /// A `RetCode` that is present but not an integer, as JSON text: `null`, or a value that is also kept in the
    /// response's `extra`.
    pub unparseable_ret_code: Option<String>,
    /// `Action`, e.g. `GetUvodnImageResponse`.
    pub action: Option<String>,
    /// `Message`, present when `RetCode` is not 0.
    pub message: Option<String>,
    /// Whether the body holds `RetCode` more than once (then the status cannot be read, whatever the values).
    pub ret_code_repeated: bool,
}

impl ResponseStatus {
    /// Whether the call succeeded: `Ok` for a `RetCode` of 0, [`Error::Service`] for another integer, and
    /// [`Error::MalformedStatus`] (with an excerpt of `body`) when there is no `RetCode` or one that is not an
    /// integer, or more than one `RetCode`. Like the official Python SDK, a missing `RetCode` is not taken for
    /// success.
    pub(crate) fn judge(&self, action: &str, body: &[u8], request_id: Option<&str>) -> Result<(), Error> {
        if self.ret_code_repeated {
            let problem = "RetCode appears more than once".to_owned();
            return Err(Error::malformed_status(Vendor::UCloud, action, problem, body, request_id));
        }
        let problem = match (self.ret_code, &self.unparseable_ret_code) {
            (Some(0), _) => return Ok(()),
            (Some(code), _) => {
                return Err(Error::Service {
                    vendor: Vendor::UCloud,
                    code,
                    message: self.message.clone().unwrap_or_default(),
                    operation: action.to_owned(),
                    request_id: request_id.map(str::to_owned),
                })
            }
            (None, Some(raw)) => format!("RetCode {raw} is not an integer"),
            (None, None) => "the body has no RetCode".to_owned(),
        };
        Err(Error::malformed_status(Vendor::UCloud, action, problem, body, request_id))
    }
}

/// Decodes a UCloud response body into the response `R`, as the client does for every generated operation: one
/// function for all of them, since UCloud's envelope is the same for every Action. Tests and tools decode a body
/// the same way: `decode_response::<module::XResponse>(body)`.
pub fn decode_response<R: Decode + Default>(body: &[u8]) -> Result<(R, ResponseStatus), decode::DecodeError> {
    let mut response = R::default();
    let status = decode_body(body, &mut response)?;
    Ok((response, status))
}

/// Decodes a UCloud response body in one pass, as [`decode_response`] does for `Client::call`:
/// `RetCode`, `Action` and `Message` are returned, every other key goes to `out`.
pub fn decode_body(body: &[u8], out: &mut dyn Decode) -> Result<ResponseStatus, decode::DecodeError> {
    let mut env = Envelope {
        inner: out,
        ret_code: None,
        ret_code_seen: false,
        ret_code_repeated: false,
        action: None,
        message: None,
    };
    decode::decode_object(body, &mut env)?;
    // A RetCode that did not fit the integer slot went to `extra` like any misfit; `null` left the slot empty.
    let unparseable_ret_code = match (env.ret_code, env.ret_code_seen) {
        (None, true) => Some(env.inner.extra_mut().json_text("RetCode").unwrap_or_else(|| "null".to_owned())),
        _ => None,
    };
    Ok(ResponseStatus {
        ret_code: env.ret_code,
        unparseable_ret_code,
        action: env.action,
        message: env.message,
        ret_code_repeated: env.ret_code_repeated,
    })
}

/// UCloud's wire: every request is a `POST` of the signed form to `?Action=<action>`.
pub(crate) struct FormWire;

/// One call's form, as every attempt sends it: the URL, the form and its signed body (written by UCloud's
/// `FormSignature`).
pub(crate) struct FormRequest {
    pub(crate) url: reqwest::Url,
    pub(crate) form: Form,
    pub(crate) signed: String,
}

impl Wire for FormWire {
    type Request = FormRequest;

    fn build(request: &FormRequest, transport: &Transport) -> Result<reqwest::RequestBuilder, Error> {
        tracing::debug!(params = ?redact::Bounded(&request.form), "sending request");
        let millis = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
        Ok(transport
            .request(reqwest::Method::POST, request.url.clone(), Some(request.signed.clone()))
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("U-Timestamp-Ms", millis.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Extra;

    const PUB: &str = "ucloudsomeone@example.com1296235120854146120";
    const PRIV: &str = "46f09bb9fab4f12dfc160dae12273d5332b5debe";

    fn params(kv: &[(&str, &str)]) -> Vec<(String, String)> {
        kv.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn v1_official_doc() {
        let p =
            params(&[("Action", "DescribeUHostInstance"), ("Region", "cn-bj2"), ("Limit", "10"), ("PublicKey", PUB)]);
        assert_eq!(sign(&p, PRIV), "cba5cf5ec4d4233d206b1b54951e3787350a642f");
    }

    #[test]
    fn v2_create_uhost() {
        let p = params(&[
            ("Action", "CreateUHostInstance"),
            ("CPU", "2"),
            ("ChargeType", "Month"),
            ("DiskSpace", "10"),
            ("ImageId", "f43736e1-65a5-4bea-ad2e-8a46e18883c2"),
            ("LoginMode", "Password"),
            ("Memory", "2048"),
            ("Name", "Host01"),
            ("Password", "VUNsb3VkLmNu"),
            ("PublicKey", PUB),
            ("Quantity", "1"),
            ("Region", "cn-bj2"),
            ("Zone", "cn-bj2-04"),
        ]);
        assert_eq!(sign(&p, PRIV), "4f9ef5df2abab2c6fccd1e9515cb7e2df8c6bb65");
        // Order of input does not matter; a Signature parameter is not signed.
        let mut rev = p.clone();
        rev.reverse();
        rev.push(("Signature".into(), "whatever".into()));
        assert_eq!(sign(&rev, PRIV), "4f9ef5df2abab2c6fccd1e9515cb7e2df8c6bb65");
    }

    #[test]
    fn v4_float_formatting() {
        let mut f = Form::new();
        f.str("Action", "DescribeUHostInstance");
        f.str("Region", "cn-bj2");
        f.float("Proportion", 35.0);
        f.str("PublicKey", PUB);
        assert_eq!(f.get("Proportion"), Some("35"));
        assert_eq!(sign(f.pairs(), PRIV), "da620b97de476947302291fc93a2d8b0710be328");
        f.float("Proportion", 65.722);
        assert_eq!(sign(f.pairs(), PRIV), "5e39dd48144d6a075328e56a6c5e9df6c39ae939");
    }

    #[test]
    fn v5_long_array_bytewise_sort() {
        let mut f = Form::new();
        f.str("Action", "AllocateBackendBatch");
        let vals: Vec<String> = ["foo", "bar", "42"].iter().cycle().take(12).map(|s| (*s).to_owned()).collect();
        f.str_list("Backends", &vals);
        f.str("PublicKey", PUB);
        assert_eq!(sign(f.pairs(), PRIV), "6bc32642779f8cb0bb3d3f128b1c0688abf9a1a3");
    }

    #[test]
    fn v8_python_doctests() {
        assert_eq!(sign(&params(&[("foo", "bar")]), "my_private_key"), "634edc1bb957c0d65e5ab5494cf3b7784fbc87af");
        assert_eq!(
            sign(&params(&[("foo", "bar"), ("PublicKey", "my_public_key")]), "my_private_key"),
            "d4411ab30953fb0bbcb1e7313081f05e4e91a394"
        );
    }

    #[test]
    fn v6_encoder_round_trip() {
        let mut f = Form::new();
        f.str("Action", "foo");
        f.str("Name", "foo");
        f.str("ProjectId", "bar");
        f.str("PublicKey", "foo");
        f.str("Region", "cn-bj2");
        f.str("SecurityToken", "42");
        f.str("Zone", "cn-bj2-02");
        assert_eq!(sign(f.pairs(), "bar"), "170de002e3ca3acdc3a790badc4d14b09d183e4b");
        assert_eq!(
            f.encode_sorted(),
            "Action=foo&Name=foo&ProjectId=bar&PublicKey=foo&Region=cn-bj2&SecurityToken=42&Zone=cn-bj2-02"
        );
    }

    fn map(f: &Form) -> Vec<(&str, &str)> {
        let mut v: Vec<_> = f.pairs().iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        v.sort();
        v
    }

    #[test]
    fn go_flattening_vectors() {
        // TestToQueryMap
        let mut f = Form::new();
        f.str("Id", "1");
        f.str("Name", "lilei");
        f.bool("IsValid", true);
        f.str_list("Ips", &["127.0.0.1".into(), "192.168.1.1".into()]);
        assert_eq!(
            map(&f),
            vec![("Id", "1"), ("Ips.0", "127.0.0.1"), ("Ips.1", "192.168.1.1"), ("IsValid", "true"), ("Name", "lilei"),]
        );
        let mut f = Form::new();
        f.enter("Composite");
        f.str("Region", "cn-bj2");
        f.leave();
        assert_eq!(map(&f), vec![("Composite.Region", "cn-bj2")]);
        let mut f = Form::new();
        for (i, r) in ["cn-bj2", "cn-sh1"].iter().enumerate() {
            f.enter_index("Arr", i);
            f.str("Region", r);
            f.leave();
        }
        assert_eq!(map(&f), vec![("Arr.0.Region", "cn-bj2"), ("Arr.1.Region", "cn-sh1")]);
        // TestToQueryMapForGeneric
        let mut f = Form::new();
        f.str("Str", "str");
        f.int("Int", 1);
        f.bool("Bool", true);
        f.enter_index("Nest", 0);
        f.enter("Nest2");
        f.int("Int", 1);
        f.str("Str", "str");
        f.leave();
        f.leave();
        f.leave(); // extra leave is a no-op
        f.str("Top", "t");
        assert_eq!(
            map(&f),
            vec![
                ("Bool", "true"),
                ("Int", "1"),
                ("Nest.0.Nest2.Int", "1"),
                ("Nest.0.Nest2.Str", "str"),
                ("Str", "str"),
                ("Top", "t"),
            ]
        );
    }

    #[test]
    fn python_flattening_vectors() {
        let mut f = Form::new();
        f.float("a", 42.42);
        f.float("b", 42.0);
        f.bool("c", true);
        f.bool("d", false);
        f.str_list("IP", &["foo".into(), "bar".into()]);
        f.str_list("TemplateParams", &["中文".into()]);
        f.enter_index("Obj", 0);
        f.str("foo", "bar");
        f.leave();
        assert_eq!(
            map(&f),
            vec![
                ("IP.0", "foo"),
                ("IP.1", "bar"),
                ("Obj.0.foo", "bar"),
                ("TemplateParams.0", "中文"),
                ("a", "42.42"),
                ("b", "42"),
                ("c", "true"),
                ("d", "false"),
            ]
        );
    }

    #[test]
    fn scalar_rendering_and_options() {
        let mut f = Form::new();
        f.float("a", 1e-7);
        f.float("b", 1e21);
        f.float("c", 0.1 + 0.2);
        f.float("d", -0.5);
        f.opt_str("e", None);
        f.opt_int("f", None);
        f.opt_float("g", None);
        f.opt_bool("h", None);
        f.opt_str("i", Some(""));
        f.opt_int("j", Some(-3));
        f.opt_float("k", Some(2.5));
        f.opt_bool("l", Some(false));
        f.int_list("m", &[1, 2]);
        f.float_list("n", &[1.0, 0.5]);
        f.bool_list("o", &[true]);
        f.str_list("p", &[]);
        assert_eq!(f.get("a"), Some("0.0000001"));
        assert_eq!(f.get("b"), Some("1000000000000000000000"));
        assert_eq!(f.get("c"), Some("0.30000000000000004"));
        assert_eq!(f.get("d"), Some("-0.5"));
        for k in ["e", "f", "g", "h", "p.0"] {
            assert!(!f.contains(k), "{k}");
        }
        assert_eq!(f.get("i"), Some(""));
        assert_eq!(f.get("j"), Some("-3"));
        assert_eq!(f.get("k"), Some("2.5"));
        assert_eq!(f.get("l"), Some("false"));
        assert_eq!(f.get("m.1"), Some("2"));
        assert_eq!(f.get("n.0"), Some("1"));
        assert_eq!(f.get("o.0"), Some("true"));
        f.int("j", 4);
        assert_eq!(f.get("j"), Some("4"));
        assert_eq!(f.len(), 13);
    }

    #[test]
    fn non_finite_floats_are_not_written_and_the_first_is_remembered() {
        let mut f = Form::new();
        f.float("A", 1.5);
        assert!(f.check().is_ok());
        f.enter_index("Disks", 2);
        f.opt_float("Ratio", Some(f64::NAN));
        f.leave();
        f.float_list("Weights", &[1.0, f64::INFINITY]);
        assert_eq!(map(&f), vec![("A", "1.5"), ("Weights.0", "1")]);
        let error = f.check().unwrap_err();
        assert!(matches!(&error, Error::InvalidParameter { name, .. } if name == "Disks.2.Ratio"), "{error:?}");
        assert!(f.clone().check().is_err(), "a clone remembers it too");
    }

    #[test]
    fn nested_lists_of_groups() {
        let mut f = Form::new();
        f.enter_index("A", 0);
        f.enter("B");
        f.int_list("C", &[7, 8]);
        f.leave();
        f.leave();
        assert_eq!(map(&f), vec![("A.0.B.C.0", "7"), ("A.0.B.C.1", "8")]);
    }

    #[test]
    fn debug_redacts() {
        let mut f = Form::new();
        f.str("Password", "hunter2");
        f.str("Signature", "abc");
        f.str("Name", "n");
        let s = format!("{f:?}");
        assert!(!s.contains("hunter2") && !s.contains("abc"), "{s}");
        assert!(s.contains("\"n\""));
    }

    /// A response type with no fields: every non-protocol key goes to its `extra`.
    #[derive(Default)]
    struct Empty(Extra);

    impl Decode for Empty {
        fn fields(&mut self, _: Option<&str>) -> ObjectFields<'_> {
            ObjectFields { slot: None, extra: &mut self.0, names: &[], call: None }
        }
    }

    fn status_of(body: &str) -> (ResponseStatus, Extra) {
        let mut out = Empty::default();
        let status = decode_body(body.as_bytes(), &mut out).unwrap();
        (status, out.0)
    }

    #[test]
    fn the_status_tells_absent_null_and_misfit_retcodes_apart() {
        let (status, extra) = status_of(r#"{"retcode": 0}"#);
        assert_eq!((status.ret_code, status.unparseable_ret_code), (None, None));
        assert_eq!(extra.get("retcode"), Some(&serde_json::json!(0)), "a case variant is the response's");
        let (status, extra) = status_of(r#"{"RetCode": null}"#);
        assert_eq!((status.ret_code, status.unparseable_ret_code.as_deref()), (None, Some("null")));
        assert!(extra.is_empty());
        let (status, extra) = status_of(r#"{"RetCode": "E1"}"#);
        assert_eq!(status.unparseable_ret_code.as_deref(), Some(r#""E1""#));
        assert_eq!(extra.get("RetCode"), Some(&serde_json::json!("E1")));
        // A repeated RetCode cannot be read, whichever value comes last.
        for body in [
            r#"{"RetCode": 0, "RetCode": "x"}"#,
            r#"{"RetCode": 160, "RetCode": 0}"#,
            r#"{"RetCode": 0, "RetCode": 0}"#,
        ] {
            let (status, _) = status_of(body);
            assert!(status.ret_code_repeated, "{body}");
            let error = status.judge("A", b"{}", None).unwrap_err();
            assert!(
                matches!(&error, Error::MalformedStatus { problem, .. } if problem == "RetCode appears more than once"),
                "{error:?}"
            );
        }
        // Also when the body is decoded twice for a wide integer (after or before the RetCode).
        for body in [
            r#"{"RetCode": 0, "Big": 123456789012345678901234567890}"#,
            r#"{"Big": 123456789012345678901234567890, "RetCode": 0}"#,
        ] {
            let (status, _) = status_of(body);
            assert!(!status.ret_code_repeated && status.judge("A", b"{}", None).is_ok(), "{body}");
        }
        let (status, _) = status_of(r#"{"RetCode": 0, "Big": 123456789012345678901234567890, "RetCode": 7}"#);
        assert!(status.ret_code_repeated);
        // A wide RetCode is read on the second pass; nothing of the first stays behind.
        let (status, extra) = status_of(r#"{"RetCode": 0, "Big": 123456789012345678901234567890}"#);
        assert!(status.judge("A", b"{}", None).is_ok());
        assert_eq!(extra.raw_json("Big"), Some("123456789012345678901234567890"));
        let (status, _) = status_of(r#"{"RetCode": "7", "Message": "m"}"#);
        let error = status.judge("A", b"{}", Some("id")).unwrap_err();
        assert_eq!((error.code(), error.request_id()), (Some(7), Some("id")));
    }

    #[test]
    fn a_new_operation_is_idempotent_and_declares_no_common_parameters() {
        // `const`: generated code writes its operations as statics.
        const NEW: Operation = Operation::new("GetThing");
        let expected = Operation { action: "GetThing", idempotent: true, common: &[] };
        assert_eq!(std::hint::black_box(NEW), expected);
    }
}
