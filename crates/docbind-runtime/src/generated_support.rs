//! Boilerplate every generated operation module would otherwise repeat, as macros generated code invokes with the
//! few things that differ (names, wire names, a vendor's wording). Emitting one invocation instead of the impls
//! keeps the generator fast (fewer tokens to build, parse and print per operation) and the generated crates short;
//! what the macros expand to is exactly what was written out before, docs included.
//!
//! Not part of the public API, like [`__private`](crate::__private): it changes with the generator.

/// A response's `request_id()` and `call_info()` (inherent, so callers need no trait in scope), with the two
/// methods' docs as the generator wrote them (they name the vendor's request id and link the `Client` method;
/// literals, because a `concat!` per doc is two more expansions per operation on every build). The response keeps
/// the call's info in its private `_call` field, which its `Decode` impl (`__decode! { response ... }`) hands to
/// the client.
#[doc(hidden)]
#[macro_export]
macro_rules! __response_methods {
    ($ty:ident, $request_id_doc:literal, $call_info_doc:literal) => {
        impl $ty {
            #[doc = $request_id_doc]
            pub fn request_id(&self) -> ::core::option::Option<&str> {
                self._call.info().request_id.as_deref()
            }
            #[doc = $call_info_doc]
            pub fn call_info(&self) -> &$crate::CallInfo {
                self._call.info()
            }
        }
    };
}

/// The [`Decode`](crate::__private::Decode) impl of a generated response or model: each declared wire name with
/// the [`Slot`](crate::__private::Slot) variant and field it decodes into; any other key goes to the struct's
/// `extra`. A response (`response` first) also hands over its `_call` field, which makes it a
/// [`Response`](crate::__private::Response) the client stores the call's info in. The two arms differ in that one
/// line and are written out: sharing a body through an inner invocation would be one more expansion per generated
/// type on every build.
#[doc(hidden)]
#[macro_export]
macro_rules! __decode {
    (response $ty:ident { $($wire:literal => $slot:ident($field:ident),)* }) => {
        impl $crate::__private::Decode for $ty {
            fn fields(&mut self, key: ::core::option::Option<&str>) -> $crate::__private::ObjectFields<'_> {
                $crate::__private::ObjectFields {
                    slot: match key {
                        $(::core::option::Option::Some($wire) => {
                            ::core::option::Option::Some($crate::__private::Slot::$slot(&mut self.$field))
                        })*
                        _ => ::core::option::Option::None,
                    },
                    extra: &mut self.extra,
                    names: &[$($wire),*],
                    call: ::core::option::Option::Some(&mut self._call),
                }
            }
        }
    };
    ($ty:ident { $($wire:literal => $slot:ident($field:ident),)* }) => {
        impl $crate::__private::Decode for $ty {
            fn fields(&mut self, key: ::core::option::Option<&str>) -> $crate::__private::ObjectFields<'_> {
                $crate::__private::ObjectFields {
                    slot: match key {
                        $(::core::option::Option::Some($wire) => {
                            ::core::option::Option::Some($crate::__private::Slot::$slot(&mut self.$field))
                        })*
                        _ => ::core::option::Option::None,
                    },
                    extra: &mut self.extra,
                    names: &[$($wire),*],
                    call: ::core::option::Option::None,
                }
            }
        }
    };
}

/// The body of a UCloud operation's `Client` method: writes `$request` into a form and returns the client's pending
/// call of it. The operation is described in place (a constant the compiler promotes to a static): its `Action`,
/// whether it is idempotent (retried on any transient failure), and the common parameters the client fills from
/// its configuration when the request leaves them unset (wire name, the
/// [`ConfigDefault`](crate::__private::ucloud::ConfigDefault) setting, whether the docs require it). The response
/// is decoded by [`decode_response`](crate::__private::ucloud::decode_response), its type taken from the method's.
#[doc(hidden)]
#[macro_export]
macro_rules! __ucloud_call {
    (
        $client:expr, $request:expr, $action:literal,
        idempotent = $idempotent:literal,
        common = [$($wire:literal => $default:ident(required = $required:literal)),* $(,)?] $(,)?
    ) => {{
        let mut form = $crate::__private::ucloud::Form::new();
        $request.encode(&mut form);
        $client.runtime().pending(
            &$crate::__private::ucloud::Operation {
                action: $action,
                idempotent: $idempotent,
                common: &[$(
                    $crate::__private::ucloud::CommonParameter {
                        wire: $wire,
                        default: $crate::__private::ucloud::ConfigDefault::$default,
                        required: $required,
                    },
                )*],
            },
            form,
            $crate::__private::ucloud::decode_response,
        )
    }};
}

/// A method of a generated crate's `blocking::Client` (in its `impl`): the async client's `$method` taking
/// `$module::$request` alone and returning `$module::$response`, run to completion on the client's runtime.
#[doc(hidden)]
#[macro_export]
// `crate::` on purpose: the generated crate's own modules, `Client` and `Error`.
#[allow(clippy::crate_in_macro_def)]
macro_rules! __blocking_method {
    ($method:ident($module:ident::$request:ident) -> $response:ident) => {
        #[doc = concat!(
                                    " [`Client::", stringify!($method), "`](crate::Client::", stringify!($method),
                                    "), blocking until the call is done."
                                )]
        pub fn $method(
            &self,
            request: &crate::$module::$request,
        ) -> ::core::result::Result<crate::$module::$response, crate::Error> {
            self.runtime.run(self.inner.$method(request))
        }
    };
}

/// A page stream of a generated crate's `blocking::Client` (in its `impl`): the async client's `$stream` as an
/// iterator of `$module::$item`s.
#[doc(hidden)]
#[macro_export]
// `crate::` on purpose: the generated crate's own modules, `Client` and `Error`.
#[allow(clippy::crate_in_macro_def)]
macro_rules! __blocking_stream {
    ($stream:ident($module:ident::$request:ident) -> $item:ident) => {
        #[doc = concat!(
                                    " [`Client::", stringify!($stream), "`](crate::Client::", stringify!($stream),
                                    ") as an iterator: each item, fetching a page when it needs one; an error ends it."
                                )]
        pub fn $stream(
            &self,
            request: &crate::$module::$request,
        ) -> impl ::core::iter::Iterator<Item = ::core::result::Result<crate::$module::$item, crate::Error>>
               + ::core::marker::Send
               + 'static {
            self.runtime.iter(self.inner.$stream(request))
        }
    };
}

/// A Finovy operation module's decode entry, `decode_response`: the envelope's `data` goes to the response `$ty`
/// (`data = Self`: `data` is the response's own object; `data = Slot(field)`: one field of it), `code`,
/// `success`, `msg` and `traceId` are Finovy's, and any other envelope key is kept in the response's `extra`.
/// `$name` names the operation in its doc.
#[doc(hidden)]
#[macro_export]
macro_rules! __finovy_decode_response {
    ($ty:ident, $name:literal, data = Self) => {
        $crate::__finovy_decode_response!(@entry $ty, $name, body => {
            let mut data: ::core::option::Option<$ty> = ::core::option::Option::None;
            let status = $crate::__private::finovy::decode_envelope(body, $crate::__private::Slot::Model(&mut data))?;
            (data.unwrap_or_default(), status)
        });
    };
    ($ty:ident, $name:literal, data = $slot:ident($field:ident)) => {
        $crate::__finovy_decode_response!(@entry $ty, $name, body => {
            let mut response = <$ty as ::core::default::Default>::default();
            let status =
                $crate::__private::finovy::decode_envelope(body, $crate::__private::Slot::$slot(&mut response.$field))?;
            (response, status)
        });
    };
    (@entry $ty:ident, $name:literal, $body:ident => $decode:block) => {
        #[doc = concat!(
            " Decodes a `", $name, "` response body as the client does: `data` goes to the response, `code`, \
             `success`, `msg` and `traceId` are Finovy's, and any other envelope key is kept in the response's \
             `extra`."
        )]
        #[doc(hidden)]
        pub fn decode_response(
            $body: &[u8],
        ) -> ::core::result::Result<($ty, $crate::__private::finovy::EnvelopeStatus), $crate::DecodeError> {
            let (mut response, mut status) = $decode;
            status.move_extra_into(&mut response.extra);
            ::core::result::Result::Ok((response, status))
        }
    };
}

/// A `with_*` setter of a generated request (in its `impl`), for a field `new` does not take, with its doc line. By
/// kind: `into` (an optional string, from anything `Into<String>`), `entries` (an optional map of text, from
/// `(key, value)` pairs), `some(T)` (an optional `T`), `list(T)` (a `Vec<T>`, set as given), `set(T)` (a `T`, set
/// as given).
#[doc(hidden)]
#[macro_export]
macro_rules! __setter {
    (into $setter:ident($field:ident), $doc:literal) => {
        #[doc = $doc]
        #[must_use]
        pub fn $setter(mut self, value: impl ::core::convert::Into<::std::string::String>) -> Self {
            self.$field = ::core::option::Option::Some(value.into());
            self
        }
    };
    (entries $setter:ident($field:ident), $doc:literal) => {
        #[doc = $doc]
        #[must_use]
        pub fn $setter<
            K: ::core::convert::Into<::std::string::String>,
            V: ::core::convert::Into<::std::string::String>,
        >(
            mut self,
            entries: impl ::core::iter::IntoIterator<Item = (K, V)>,
        ) -> Self {
            self.$field =
                ::core::option::Option::Some(entries.into_iter().map(|(k, v)| (k.into(), v.into())).collect());
            self
        }
    };
    (some($value:ty) $setter:ident($field:ident), $doc:literal) => {
        #[doc = $doc]
        #[must_use]
        pub fn $setter(mut self, value: $value) -> Self {
            self.$field = ::core::option::Option::Some(value);
            self
        }
    };
    (list($value:ty) $setter:ident($field:ident), $doc:literal) => {
        #[doc = $doc]
        #[must_use]
        pub fn $setter(mut self, value: ::std::vec::Vec<$value>) -> Self {
            self.$field = value;
            self
        }
    };
    (set($value:ty) $setter:ident($field:ident), $doc:literal) => {
        #[doc = $doc]
        #[must_use]
        pub fn $setter(mut self, value: $value) -> Self {
            self.$field = value;
            self
        }
    };
}

/// The `Debug` impl of a generated struct holding a credential-like field: every field under its label, in
/// declaration order, a field marked `redacted` shown as `"<redacted>"` whatever it holds.
#[doc(hidden)]
#[macro_export]
macro_rules! __redacted_debug {
    ($ty:ident { $($label:literal $field:ident $($redacted:ident)?,)* }) => {
        impl ::core::fmt::Debug for $ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(::core::stringify!($ty))
                    $(.field($label, $crate::__debug_shown!($($redacted)? self.$field)))*
                    .finish()
            }
        }
    };
}

/// What [`__redacted_debug!`](crate::__redacted_debug) shows of one field.
#[doc(hidden)]
#[macro_export]
macro_rules! __debug_shown {
    (redacted $value:expr) => {
        &$crate::__private::REDACTED
    };
    ($value:expr) => {
        &$value
    };
}

/// The impls of a generated enumeration (declared beside the invocation, with an `Unknown(String)` variant for any
/// value its docs do not list): `as_str` (its wire value), [`Enumeration`](crate::Enumeration) (from a wire value)
/// and `Display` (the wire value), from each documented variant and its wire value.
#[doc(hidden)]
#[macro_export]
macro_rules! __enumeration {
    ($ty:ident { $($variant:ident => $wire:literal,)* }) => {
        impl $ty {
            /// The value on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Unknown(value) => value,
                }
            }
        }
        impl $crate::__private::Sealed for $ty {}
        impl $crate::Enumeration for $ty {
            fn from_wire(raw: &str) -> Self {
                match raw {
                    $($wire => Self::$variant,)*
                    other => Self::Unknown(::std::borrow::ToOwned::to_owned(other)),
                }
            }
        }
        impl ::core::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    #[derive(Clone, PartialEq, Default)]
    struct Request {
        name: Option<String>,
        size: Option<i64>,
        tags: Vec<String>,
        meta: Option<BTreeMap<String, String>>,
        r#type: i64,
        pass_word: Option<String>,
    }

    impl Request {
        crate::__setter!(into with_name(name), " Sets `name`.");
        crate::__setter!(some(i64) with_size(size), " Sets `size`.");
        crate::__setter!(list(String) with_tags(tags), " Sets `tags`.");
        crate::__setter!(entries with_meta(meta), " Sets `meta`.");
        crate::__setter!(set(i64) with_type(r#type), " Sets `type`.");
        crate::__setter!(into with_pass_word(pass_word), " Sets `pass_word`.");
    }

    crate::__redacted_debug! {
        Request { "name" name, "size" size, "tags" tags, "meta" meta, "type" r#type, "pass_word" pass_word redacted, }
    }

    #[derive(Debug, Clone, PartialEq)]
    enum Kind {
        Standard,
        Custom,
        Unknown(String),
    }
    crate::__enumeration! { Kind { Standard => "1", Custom => "3", } }

    #[test]
    fn an_enumeration_is_its_wire_value_both_ways() {
        use crate::Enumeration as _;
        for (kind, wire) in [(Kind::Standard, "1"), (Kind::Custom, "3"), (Kind::Unknown("07".into()), "07")] {
            assert_eq!((kind.as_str(), kind.to_string()), (wire, wire.to_owned()));
            assert_eq!(Kind::from_wire(wire), kind);
        }
    }

    #[test]
    fn setters_set_their_fields() {
        let request = Request::default()
            .with_name("n")
            .with_size(3)
            .with_tags(vec!["a".into()])
            .with_meta([("k", "v")])
            .with_type(7)
            .with_pass_word(String::from("hunter2"));
        let expected = Request {
            name: Some("n".into()),
            size: Some(3),
            tags: vec!["a".into()],
            meta: Some(BTreeMap::from([("k".into(), "v".into())])),
            r#type: 7,
            pass_word: Some("hunter2".into()),
        };
        assert!(request == expected);
    }

    #[test]
    fn debug_shows_every_field_under_its_label_and_redacts_the_marked_ones() {
        let request = Request::default().with_name("n").with_pass_word("hunter2");
        assert_eq!(
            format!("{request:?}"),
            r#"Request { name: Some("n"), size: None, tags: [], meta: None, type: 0, pass_word: "<redacted>" }"#
        );
        assert_eq!(format!("{:?}", Request::default()).matches("<redacted>").count(), 1, "redacted even when unset");
    }
}
