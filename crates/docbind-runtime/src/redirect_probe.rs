//! Whether the application's `reqwest::Client` follows redirects, found by trying it: a Finovy client sends its
//! access token as a header, which a client following a redirect would repeat to the redirect target.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How long the redirect probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether `client` (the application's) follows redirects, found by trying rather than by reading its
/// configuration (reqwest does not show its policy but in its `Debug` text, which a default header can imitate):
/// one GET, carrying nothing of docbind's, to a listener on 127.0.0.1 that answers with a 302 to a second listener
/// on another port (another origin). `Ok` when the client returns the 302; an error, for the call to fail with,
/// when it follows it or the probe cannot tell (the client could not reach 127.0.0.1, e.g. through a proxy).
pub(crate) async fn probe(client: &reqwest::Client) -> Result<(), String> {
    let refused = |why: String| {
        format!(
            "the HTTP client given with with_http_client {why}; a client that follows redirects would send the \
             access token header to another host: build it with .redirect(reqwest::redirect::Policy::none()) (and \
             without a proxy for 127.0.0.1, where the client is tried)"
        )
    };
    let bind = || async {
        tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| refused(format!("cannot be tried ({e})")))
    };
    let (first, second) = (bind().await?, bind().await?);
    let port = |listener: &tokio::net::TcpListener| listener.local_addr().map(|a| a.port()).unwrap_or_default();
    let (first_port, second_port) = (port(&first), port(&second));
    let redirect = format!(
        "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{second_port}/followed\r\nContent-Length: 0\r\n\
         Connection: close\r\n\r\n"
    );
    let followed = Arc::new(AtomicBool::new(false));
    let seen = followed.clone();
    let servers = [
        tokio::spawn(answer_once(first, redirect)),
        tokio::spawn(async move {
            let ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned();
            if let Ok((stream, _)) = second.accept().await {
                seen.store(true, Ordering::SeqCst);
                let _ = answer(stream, ok).await;
            }
        }),
    ];
    let probe = client.get(format!("http://127.0.0.1:{first_port}/probe")).timeout(PROBE_TIMEOUT).send().await;
    for server in &servers {
        server.abort();
    }
    let reached_second = followed.load(Ordering::SeqCst);
    match probe {
        Ok(response) if response.status() == reqwest::StatusCode::FOUND && !reached_second => Ok(()),
        Ok(_) => Err(refused("follows redirects".to_owned())),
        Err(_) if reached_second => Err(refused("follows redirects".to_owned())),
        Err(e) => Err(refused(format!("could not be tried: {}", crate::ErrorChain(&e)))),
    }
}

/// Answers the first request `listener` accepts with `reply`.
async fn answer_once(listener: tokio::net::TcpListener, reply: String) {
    if let Ok((stream, _)) = listener.accept().await {
        let _ = answer(stream, reply).await;
    }
}

/// Reads a request head from `stream` and writes `reply`.
async fn answer(mut stream: tokio::net::TcpStream, reply: String) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    stream.write_all(reply.as_bytes()).await?;
    stream.shutdown().await
}
