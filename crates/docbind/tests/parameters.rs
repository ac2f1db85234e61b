//! Request parameters a vendor cannot receive are refused before anything is sent (a real HTTP server on
//! 127.0.0.1 counts what arrives): NaN and ±∞ have no decimal rendering (Go's `FormatFloat(v, 'f', -1, 64)` gives
//! `NaN`/`+Inf`, Rust's `{}` gives `NaN`/`inf`), and JSON has no such numbers at all.

mod common;

use common::serve_body;
use docbind::runtime::__private::finovy::{Call, Method, Operation as FinovyOperation};
use docbind::runtime::__private::ucloud::{decode_body, Form, Operation as UcloudOperation};
use docbind::runtime::finovy::Credentials;
use docbind::runtime::{finovy, ucloud, Error, RetryPolicy};
use wiremock::MockServer;

static CREATE_WIDGET: UcloudOperation = UcloudOperation::new("CreateWidget");
static CREATE_QUANTITY: FinovyOperation = FinovyOperation { name: "createQuantity", idempotent: false };

/// Writes a float parameter into a request, as a generated `encode` would.
type Writer<R> = fn(&mut R, f64);

async fn received(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}

/// The response of a call that needs no typed fields.
#[derive(Debug, Default)]
struct Nothing {
    extra: docbind::runtime::Extra,
}

impl docbind::runtime::__private::Decode for Nothing {
    fn fields(&mut self, _: Option<&str>) -> docbind::runtime::__private::ObjectFields<'_> {
        docbind::runtime::__private::ObjectFields { slot: None, extra: &mut self.extra, names: &[], call: None }
    }
}

async fn ucloud_send(form: Form) -> (Result<Nothing, Error>, usize) {
    let server = serve_body(r#"{"RetCode": 0}"#).await;
    let config =
        ucloud::Config::new("public", "private").with_base_url(server.uri()).with_retry(RetryPolicy::disabled());
    let client = ucloud::Client::new(config).expect("a client");
    let result = client
        .call(&CREATE_WIDGET, form, |body: &[u8]| {
            let mut out = Nothing::default();
            let status = decode_body(body, &mut out)?;
            Ok((out, status))
        })
        .await
        .map(|(out, _)| out);
    (result, received(&server).await)
}

async fn finovy_send(call: Call) -> (Result<(), Error>, usize) {
    let server = serve_body(r#"{"code": 0, "success": true, "data": null}"#).await;
    let config = finovy::Config::new(Credentials::Token("t".into()))
        .with_base_url(server.uri())
        .with_retry(RetryPolicy::disabled());
    let client = finovy::Client::new(config).expect("a client");
    let result = client
        .call(&CREATE_QUANTITY, call, |body: &[u8]| {
            let mut data: Option<bool> = None;
            let status = docbind::runtime::__private::finovy::decode_envelope(
                body,
                docbind::runtime::__private::Slot::Bool(&mut data),
            )?;
            Ok(((), status))
        })
        .await
        .map(|(out, _)| out);
    (result, received(&server).await)
}

#[tokio::test]
async fn ucloud_non_finite_floats_are_refused_before_sending() {
    for (what, value) in [("NaN", f64::NAN), ("inf", f64::INFINITY), ("-inf", f64::NEG_INFINITY)] {
        let writers: [(&str, Writer<Form>); 4] = [
            ("Ratio", |f, v| f.float("Ratio", v)),
            ("Weight", |f, v| f.opt_float("Weight", Some(v))),
            ("Weights.1", |f, v| f.float_list("Weights", &[1.5, v])),
            ("Group.0.Ratio", |f, v| {
                f.enter_index("Group", 0);
                f.float("Ratio", v);
                f.leave();
            }),
        ];
        for (key, write) in writers {
            let mut form = Form::new();
            form.str("Name", "w");
            write(&mut form, value);
            let (result, sent) = ucloud_send(form).await;
            assert_eq!(sent, 0, "{key} = {what} was sent");
            let error = result.expect_err("a non-finite float is refused");
            assert!(error.to_string().contains(key), "{key} = {what}: {error}");
        }
    }
    // Finite values still go out.
    let mut form = Form::new();
    form.float("Ratio", 1e-7);
    let (result, sent) = ucloud_send(form).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(sent, 1);
}

#[tokio::test]
async fn finovy_non_finite_floats_are_refused_before_sending() {
    for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let writers: [(&str, Writer<Call>); 4] = [
            ("ratio", |c, v| c.query_float("ratio", v)),
            ("discount", |c, v| c.opt_query_float("discount", Some(v))),
            ("price", |c, v| c.body_float("price", v)),
            ("weight", |c, v| c.opt_body_float("weight", Some(v))),
        ];
        for (key, write) in writers {
            let mut call = Call::new(Method::Post, "v1/quantity");
            write(&mut call, value);
            let (result, sent) = finovy_send(call).await;
            assert_eq!(sent, 0, "{key} = {value} was sent");
            let error = result.expect_err("a non-finite float is refused");
            assert!(error.to_string().contains(key), "{key} = {value}: {error}");
        }
    }
    let mut call = Call::new(Method::Post, "v1/quantity");
    call.body_float("price", 2.5);
    let (result, sent) = finovy_send(call).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(sent, 1);
}
