//! The multipart upload of a file: initiate, upload its parts (of the server's `BlkSize`, several at once),
//! finish with their ETags in part order; abort on error, or resume later from the saved upload id, sending only
//! the parts the service does not have yet (it lists them).

use std::path::Path;

use futures::{StreamExt as _, TryStreamExt as _};
use reqwest::Method;

use super::{Client, Operation, Request, UploadBody};
use crate::{CallOptions, Error};

const INITIATE: Operation = Operation { name: "InitiateMultipartUpload", idempotent: false };
// A part is sent again only when it provably did not arrive: resuming (which lists the parts) is the way on.
const UPLOAD_PART: Operation = Operation { name: "UploadPart", idempotent: false };
const LIST_PARTS: Operation = Operation { name: "GetMultiUploadPart", idempotent: true };
const FINISH: Operation = Operation { name: "FinishMultipartUpload", idempotent: false };
const ABORT: Operation = Operation { name: "AbortMultipartUpload", idempotent: false };

/// What to keep to resume an upload: its id and the part size the service asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadState {
    /// The service's `UploadId`.
    pub upload_id: String,
    /// The service's `BlkSize`: every part but the last is exactly this long.
    pub block_size: u64,
}

impl UploadState {
    /// A saved state, to resume with.
    pub fn new(upload_id: impl Into<String>, block_size: u64) -> UploadState {
        UploadState { upload_id: upload_id.into(), block_size }
    }
}

/// A finished upload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finished {
    /// The object's ETag (quotes removed).
    pub etag: Option<String>,
    /// How many parts were sent by this call (the others were there already).
    pub parts_sent: usize,
    /// How many parts the object has.
    pub parts: usize,
}

/// A multipart upload of one object; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct Multipart<'c> {
    client: &'c Client,
    key: String,
    content_type: String,
    headers: Vec<(String, String)>,
    concurrency: usize,
    options: CallOptions,
}

impl<'c> Multipart<'c> {
    /// An upload of `key` as `application/octet-stream`, 4 parts at a time.
    pub fn new(client: &'c Client, key: impl Into<String>) -> Multipart<'c> {
        Multipart {
            client,
            key: key.into(),
            content_type: "application/octet-stream".into(),
            headers: Vec::new(),
            concurrency: 4,
            options: CallOptions::new(),
        }
    }

    /// Sets the object's `Content-Type` (signed on every request of the upload).
    #[must_use]
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = content_type.into();
        self
    }

    /// Sends a header with the initiation (`X-Ufile-Storage-Class`, `X-Ufile-Meta-<name>`).
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets how many parts are sent at once (at least 1).
    #[must_use]
    pub fn with_concurrency(mut self, parts: usize) -> Self {
        self.concurrency = parts.max(1);
        self
    }

    /// Sets the options of each call of the upload.
    #[must_use]
    pub fn with_call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Initiates the upload; save the state to resume it.
    pub async fn initiate(&self) -> Result<UploadState, Error> {
        let mut request = Request::new(Method::POST, Some(&self.key));
        request.flag("uploads").header("Content-Type", &self.content_type);
        for (name, value) in &self.headers {
            request.header(name, value);
        }
        let reply = self.client.call(INITIATE, request, &self.options).await?;
        let body: serde_json::Value = serde_json::from_slice(&reply.body)
            .map_err(|e| Error::InvalidRequest(format!("InitiateMultipartUpload answered no JSON: {e}")))?;
        let upload_id = body.get("UploadId").and_then(|v| v.as_str()).filter(|s| !s.is_empty());
        let block_size = body.get("BlkSize").and_then(json_u64).filter(|n| *n > 0);
        match (upload_id, block_size) {
            (Some(upload_id), Some(block_size)) => Ok(UploadState::new(upload_id, block_size)),
            _ => Err(Error::InvalidRequest(format!(
                "InitiateMultipartUpload answered no UploadId or BlkSize: {}",
                crate::redact::excerpt(&reply.body)
            ))),
        }
    }

    /// Initiates, uploads the file at `path` and finishes; on any failure the upload is aborted (best effort)
    /// and the failure returned.
    pub async fn upload_file(&self, path: impl AsRef<Path>) -> Result<Finished, Error> {
        let state = self.initiate().await?;
        match self.resume_file(&state, path).await {
            Ok(finished) => Ok(finished),
            Err(error) => {
                if let Err(abort) = self.abort(&state).await {
                    tracing::debug!(error = %abort, "aborting the multipart upload failed");
                }
                Err(error)
            }
        }
    }

    /// Uploads the parts of the file at `path` the service does not have yet (it lists those it has; one of the
    /// expected length is kept), then finishes. On failure the upload stays open: call it again with the same
    /// state to go on, or [`Multipart::abort`].
    pub async fn resume_file(&self, state: &UploadState, path: impl AsRef<Path>) -> Result<Finished, Error> {
        let path = path.as_ref();
        let len = tokio::fs::metadata(path)
            .await
            .map_err(|e| Error::InvalidRequest(format!("cannot read {}: {e}", path.display())))?
            .len();
        let block = state.block_size;
        let count =
            usize::try_from(len.div_ceil(block).max(1)).map_err(|_| Error::InvalidRequest("too many parts".into()))?;
        let size_of = |n: usize| (len - n as u64 * block).min(block);
        let mut etags: Vec<Option<String>> = vec![None; count];
        for (number, etag, size) in self.list_parts(state).await? {
            if let Some(slot) = usize::try_from(number).ok().and_then(|n| etags.get_mut(n)) {
                if size == size_of(number as usize) {
                    *slot = Some(etag);
                }
            }
        }
        let missing: Vec<usize> = (0..count).filter(|n| etags[*n].is_none()).collect();
        let parts_sent = missing.len();
        let sent: Vec<(usize, String)> = futures::stream::iter(missing)
            .map(|n| self.upload_part(state, UploadBody::file_range(path, n as u64 * block, size_of(n)), n))
            .buffer_unordered(self.concurrency)
            .try_collect()
            .await?;
        for (n, etag) in sent {
            etags[n] = Some(etag);
        }
        let etags: Vec<String> = etags.into_iter().flatten().collect();
        let etag = self.finish(state, &etags).await?;
        Ok(Finished { etag, parts_sent, parts: count })
    }

    /// Aborts the upload: the service drops its parts.
    pub async fn abort(&self, state: &UploadState) -> Result<(), Error> {
        let mut request = Request::new(Method::DELETE, Some(&self.key));
        request.query("uploadId", state.upload_id.as_str());
        self.client.call(ABORT, request, &self.options).await.map(drop)
    }

    async fn upload_part(
        &self,
        state: &UploadState,
        body: UploadBody,
        number: usize,
    ) -> Result<(usize, String), Error> {
        let mut request = Request::new(Method::PUT, Some(&self.key));
        request
            .query("uploadId", state.upload_id.as_str())
            .query("partNumber", number.to_string())
            .header("Content-Type", &self.content_type)
            .body(body);
        let reply = self.client.call(UPLOAD_PART, request, &self.options).await?;
        let etag = header_etag(&reply.headers)
            .ok_or_else(|| Error::InvalidRequest(format!("UploadPart {number} answered no ETag")))?;
        Ok((number, etag))
    }

    /// The parts the service has: (number, ETag, size), every page of them.
    async fn list_parts(&self, state: &UploadState) -> Result<Vec<(u64, String, u64)>, Error> {
        let mut parts = Vec::new();
        let mut marker: Option<u64> = None;
        loop {
            let mut request = Request::new(Method::GET, None);
            request.flag("muploadpart").query("uploadId", state.upload_id.as_str());
            if let Some(marker) = marker {
                request.query("part-number-marker", marker.to_string());
            }
            let reply = self.client.call(LIST_PARTS, request, &self.options).await?;
            let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap_or_default();
            let page = body.get("Parts").and_then(|p| p.as_array()).cloned().unwrap_or_default();
            for part in &page {
                let number = part.get("PartNum").and_then(json_u64);
                let etag = part.get("Etag").and_then(|e| e.as_str());
                let size = part.get("Size").and_then(json_u64);
                if let (Some(number), Some(etag), Some(size)) = (number, etag, size) {
                    parts.push((number, etag.to_owned(), size));
                }
            }
            let truncated = body.get("IsTruncated").and_then(|t| t.as_bool()).unwrap_or(false);
            let next = body.get("NextPartNumberMarker").and_then(json_u64);
            match (truncated, next) {
                // A marker that does not move would list the same page forever.
                (true, Some(next)) if Some(next) != marker && !page.is_empty() => marker = Some(next),
                _ => return Ok(parts),
            }
        }
    }

    async fn finish(&self, state: &UploadState, etags: &[String]) -> Result<Option<String>, Error> {
        let mut request = Request::new(Method::POST, Some(&self.key));
        request
            .query("uploadId", state.upload_id.as_str())
            .header("Content-Type", &self.content_type)
            .body(UploadBody::bytes(etags.join(",")));
        let reply = self.client.call(FINISH, request, &self.options).await?;
        Ok(header_etag(&reply.headers))
    }
}

/// The `ETag` header without its quotes.
fn header_etag(headers: &reqwest::header::HeaderMap) -> Option<String> {
    let value = headers.get(reqwest::header::ETAG)?.to_str().ok()?.trim();
    Some(value.trim_matches('"').to_owned()).filter(|v| !v.is_empty())
}

/// A JSON number, or a string of digits (the service sends both).
fn json_u64(value: &serde_json::Value) -> Option<u64> {
    value.as_u64().or_else(|| value.as_str()?.trim().parse().ok())
}
