//! Nothing is allocated from a server's word alone: a response announcing a 60 MB body (under the default
//! 64 MiB limit) that sends 1 KiB and hangs up must not make the client hold anything near 60 MB. Measured with
//! dhat's counting global allocator (no unsafe code here), in a test binary of its own so nothing else runs
//! while it counts.

use docbind::runtime::__private::ucloud::{decode_body, Form, Operation, ResponseStatus};
use docbind::runtime::__private::{Decode, ObjectFields};
use docbind::runtime::{ucloud, DecodeError, Error, Extra, RetryPolicy};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const ANNOUNCED: usize = 60_000_000;

#[derive(Default)]
struct Nothing {
    extra: Extra,
}

impl Decode for Nothing {
    fn fields(&mut self, _: Option<&str>) -> ObjectFields<'_> {
        ObjectFields { slot: None, extra: &mut self.extra, names: &[], call: None }
    }
}

fn decode_nothing(body: &[u8]) -> Result<(Nothing, ResponseStatus), DecodeError> {
    let mut nothing = Nothing::default();
    let status = decode_body(body, &mut nothing)?;
    Ok((nothing, status))
}

/// Answers one request with `Content-Length: ANNOUNCED`, 1 KiB of body, and a hang-up.
async fn announce_and_hang_up() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let base = format!("http://{}", listener.local_addr().expect("local address"));
    tokio::spawn(async move {
        let Ok((mut socket, _)) = listener.accept().await else { return };
        let mut request = [0u8; 8192];
        let _ = socket.read(&mut request).await;
        let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {ANNOUNCED}\r\n\r\n");
        let _ = socket.write_all(head.as_bytes()).await;
        let _ = socket.write_all(&[b' '; 1024]).await;
        let _ = socket.shutdown().await;
    });
    base
}

#[tokio::test]
async fn an_announced_length_is_not_allocated_before_the_bytes_arrive() {
    static OP: Operation = Operation::new("GetUvodnImage");
    let base = announce_and_hang_up().await;
    let config = ucloud::Config::new("pub", "priv").with_base_url(base).with_retry(RetryPolicy::disabled());
    assert!(config.http.max_response_bytes > ANNOUNCED, "the announced length is within the limit");
    let client = ucloud::Client::new(config).expect("a client");

    let profiler = dhat::Profiler::builder().testing().trim_backtraces(Some(1)).build();
    let result = client.call(&OP, Form::new(), decode_nothing).await;
    let peak = dhat::HeapStats::get().max_bytes;
    drop(profiler);

    assert!(matches!(result, Err(Error::Transport { .. })), "the body was cut short: {:?}", result.err());
    eprintln!("peak heap during the call: {peak} bytes");
    assert!(peak < 1024 * 1024, "{peak} bytes held at once for a 1 KiB body announced as {ANNOUNCED}");
}
