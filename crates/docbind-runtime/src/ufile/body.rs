//! UFile's streamed bodies: what an upload sends (bytes, a file's range, or a stream of a known length; never a
//! whole file in memory) and what a download returns (a stream of chunks, read as the caller asks).

use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use futures::stream::{BoxStream, Stream, StreamExt as _};
use tokio::io::{AsyncReadExt as _, AsyncSeekExt as _};

use crate::{BoxError, Error};

/// How much of a file one read takes (and so the largest chunk an upload holds at once).
const FILE_CHUNK: usize = 64 * 1024;

/// A request body of a known length, as UFile requires (`Content-Length`; chunked uploads are not supported).
///
/// Bytes and files can be sent again, so a call that may be retried is; a stream is sent once, and its call is
/// not retried.
pub struct UploadBody {
    source: Source,
    len: u64,
}

enum Source {
    Bytes(Bytes),
    File {
        path: PathBuf,
        offset: u64,
    },
    /// Taken by the first attempt.
    Stream(Mutex<Option<BoxStream<'static, Result<Bytes, BoxError>>>>),
}

impl UploadBody {
    /// No body (`Content-Length: 0`).
    pub fn empty() -> UploadBody {
        UploadBody::bytes(Bytes::new())
    }

    /// `data`, held in memory.
    pub fn bytes(data: impl Into<Bytes>) -> UploadBody {
        let data = data.into();
        UploadBody { len: data.len() as u64, source: Source::Bytes(data) }
    }

    /// The whole file at `path`, read as it is sent (its length is taken now).
    pub async fn file(path: impl AsRef<Path>) -> std::io::Result<UploadBody> {
        let path = path.as_ref();
        let len = tokio::fs::metadata(path).await?.len();
        Ok(UploadBody::file_range(path, 0, len))
    }

    /// `len` bytes of the file at `path` from `offset` (a part of a multipart upload), read as they are sent. A
    /// file shorter than that fails the upload rather than sending less.
    pub fn file_range(path: impl Into<PathBuf>, offset: u64, len: u64) -> UploadBody {
        UploadBody { source: Source::File { path: path.into(), offset }, len }
    }

    /// Exactly `len` bytes from `stream`. A stream that ends early or yields more fails the upload. Sent once:
    /// its call is not retried.
    pub fn stream<S, E>(len: u64, stream: S) -> UploadBody
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError> + 'static,
    {
        let stream = stream.map(|item| item.map_err(Into::into)).boxed();
        UploadBody { source: Source::Stream(Mutex::new(Some(stream))), len }
    }

    /// The length sent as `Content-Length`.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the body can be sent again (bytes and files can; a stream cannot).
    pub fn is_replayable(&self) -> bool {
        !matches!(self.source, Source::Stream(_))
    }

    /// Lowercase hex MD5 of the body, for `Content-Md5`: computed from the bytes, or by reading the file once
    /// more (chunk by chunk). A stream's cannot be known before it is sent: `None`.
    pub async fn md5_hex(&self) -> Result<Option<String>, Error> {
        use md5::Digest as _;
        match &self.source {
            Source::Bytes(data) => Ok(Some(super::sign::md5_hex(data))),
            Source::File { path, offset } => {
                let mut hasher = md5::Md5::new();
                let mut chunks = file_chunks(path.clone(), *offset, self.len);
                while let Some(chunk) = chunks.next().await {
                    hasher.update(chunk.map_err(|e| Error::InvalidRequest(format!("cannot read the body: {e}")))?);
                }
                Ok(Some(super::sign::hex(&hasher.finalize())))
            }
            Source::Stream(_) => Ok(None),
        }
    }

    /// The body of one attempt; `None` when a stream was taken by an earlier one.
    pub(crate) fn for_attempt(&self) -> Option<reqwest::Body> {
        let len = self.len;
        match &self.source {
            Source::Bytes(data) => Some(reqwest::Body::from(data.clone())),
            Source::File { path, offset } => Some(reqwest::Body::wrap_stream(file_chunks(path.clone(), *offset, len))),
            Source::Stream(stream) => {
                let stream = stream.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take()?;
                Some(reqwest::Body::wrap_stream(exactly(len, stream)))
            }
        }
    }
}

impl fmt::Debug for UploadBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.source {
            Source::Bytes(_) => "bytes".to_owned(),
            Source::File { path, offset } => format!("file {} from {offset}", path.display()),
            Source::Stream(_) => "stream".to_owned(),
        };
        f.debug_struct("UploadBody").field("source", &source).field("len", &self.len).finish()
    }
}

/// `len` bytes of `path` from `offset`, [`FILE_CHUNK`] at a time; a file that ends early is an error.
fn file_chunks(path: PathBuf, offset: u64, len: u64) -> BoxStream<'static, Result<Bytes, BoxError>> {
    let state = (None::<tokio::fs::File>, path, offset, len);
    futures::stream::try_unfold(state, |(file, path, offset, left)| async move {
        if left == 0 {
            return Ok(None);
        }
        let mut file = match file {
            Some(file) => file,
            None => {
                let mut file = tokio::fs::File::open(&path).await?;
                file.seek(std::io::SeekFrom::Start(offset)).await?;
                file
            }
        };
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(FILE_CHUNK);
        let mut buf = vec![0u8; want];
        let read = file.read(&mut buf).await?;
        if read == 0 {
            let message = format!("{} ended {left} bytes before the length being sent", path.display());
            return Err(BoxError::from(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, message)));
        }
        buf.truncate(read);
        Ok(Some((Bytes::from(buf), (Some(file), path, offset, left - read as u64))))
    })
    .boxed()
}

/// `stream`, checked to yield exactly `len` bytes.
fn exactly(
    len: u64,
    stream: BoxStream<'static, Result<Bytes, BoxError>>,
) -> impl Stream<Item = Result<Bytes, BoxError>> + Send + 'static {
    futures::stream::try_unfold((stream, 0u64), move |(mut stream, sent)| async move {
        match stream.next().await.transpose()? {
            Some(chunk) => {
                let sent = sent + chunk.len() as u64;
                if sent > len {
                    return Err(BoxError::from(format!("the body stream yields more than its length of {len} bytes")));
                }
                Ok(Some((chunk, (stream, sent))))
            }
            None if sent < len => Err(BoxError::from(format!("the body stream ended after {sent} of its {len} bytes"))),
            None => Ok(None),
        }
    })
}

/// A downloaded body, chunk by chunk as it arrives: memory stays bounded whatever its size (the response-size
/// limit does not apply). Each chunk must arrive within the client's timeout of the previous one.
pub struct ByteStream {
    inner: BoxStream<'static, Result<Bytes, Error>>,
}

impl ByteStream {
    pub(crate) fn new(response: reqwest::Response, idle_timeout: Duration) -> ByteStream {
        // After an error nothing more is read: the state becomes `None`.
        let inner = futures::stream::unfold(Some(response), move |response| async move {
            let mut response = response?;
            match tokio::time::timeout(idle_timeout, response.chunk()).await {
                Err(_) => Some((Err(Error::Timeout { after: idle_timeout }), None)),
                Ok(Err(e)) => Some((Err(Error::transport("cannot read the response body", e)), None)),
                Ok(Ok(Some(chunk))) => Some((Ok(chunk), Some(response))),
                Ok(Ok(None)) => None,
            }
        })
        .boxed();
        ByteStream { inner }
    }

    /// Reads the rest of the body into memory (for small objects).
    pub async fn collect(mut self) -> Result<Bytes, Error> {
        let mut out = bytes::BytesMut::new();
        while let Some(chunk) = self.inner.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out.freeze())
    }

    /// Writes the rest of the body to `file` (created or truncated), chunk by chunk; returns how many bytes.
    pub async fn write_to_file(mut self, path: impl AsRef<Path>) -> Result<u64, Error> {
        use tokio::io::AsyncWriteExt as _;
        let path = path.as_ref();
        let io = |e: std::io::Error| Error::Config(format!("cannot write {}: {e}", path.display()));
        let mut file = tokio::fs::File::create(path).await.map_err(io)?;
        let mut written = 0u64;
        while let Some(chunk) = self.inner.next().await {
            let chunk = chunk?;
            file.write_all(&chunk).await.map_err(io)?;
            written += chunk.len() as u64;
        }
        file.flush().await.map_err(io)?;
        Ok(written)
    }
}

impl Stream for ByteStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ByteStream { .. }")
    }
}
