//! A stand-in for UFile on 127.0.0.1 (cargo feature `test-util`): it checks each request's signature the way the
//! service does (header or pre-signed URL, against its own key pair and bucket), and keeps objects and multipart
//! uploads in a temporary folder, so bodies of any size cost it no memory. It answers PutFile, GetFile (with
//! `Range`), HeadFile, DeleteFile, Copy, Restore, ClassSwitch, the multipart upload (initiate, parts, list,
//! finish, abort) and PrefixFileList.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use docbind_runtime::test_util::ufile::StandIn;
//!
//! let stand_in = StandIn::start("public-key", "private-key", "demobucket").await?;
//! let config = docbind_runtime::ufile::Config::new("public-key", "private-key", "demobucket", "cn-bj")
//!     .with_base_url(stand_in.base_url());
//! # let _ = config;
//! # Ok(()) }
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine as _;
use sha1::Digest as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::ufile::sign;

/// The largest request head read.
const MAX_HEAD: usize = 64 * 1024;
/// The largest body kept in memory (a finish's ETag list, OpMeta's JSON).
const MAX_SMALL_BODY: u64 = 1024 * 1024;
/// The block of UFile's file ETag.
const ETAG_BLOCK: u64 = 4 * 1024 * 1024;
/// How much of a body is held at once.
const CHUNK: usize = 64 * 1024;

/// A request the stand-in received (its body is not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method.
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// How many body bytes arrived.
    pub body_len: u64,
    /// The status answered.
    pub status: u16,
}

impl RecordedRequest {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// A query parameter, decoded (`Some("")` for a bare flag).
    pub fn query(&self, name: &str) -> Option<String> {
        query_pairs(&self.target).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

#[derive(Debug, Clone)]
struct Object {
    path: PathBuf,
    len: u64,
    etag: String,
    content_type: String,
    /// `X-Ufile-Meta-*` and `X-Ufile-Storage-Class`, as received.
    kept_headers: Vec<(String, String)>,
}

#[derive(Debug)]
struct Upload {
    key: String,
    /// Part number → (file, length, ETag).
    parts: BTreeMap<u64, (PathBuf, u64, String)>,
    kept_headers: Vec<(String, String)>,
    content_type: String,
}

#[derive(Debug, Default)]
struct State {
    objects: HashMap<String, Object>,
    uploads: HashMap<String, Upload>,
    requests: Vec<RecordedRequest>,
    /// Part number → status: the next upload of that part is answered so (once), after its body was read.
    fail_part: HashMap<u64, u16>,
}

#[derive(Debug)]
struct Shared {
    public_key: String,
    private_key: String,
    bucket: String,
    block_size: u64,
    dir: tempfile::TempDir,
    next_id: AtomicU64,
    state: Mutex<State>,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn new_file(&self) -> PathBuf {
        self.dir.path().join(format!("f{}", self.next_id.fetch_add(1, Ordering::Relaxed)))
    }
}

/// A local stand-in for one UFile bucket; see the [module docs](self). Stops when dropped.
#[derive(Debug)]
pub struct StandIn {
    base_url: String,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl StandIn {
    /// Starts a stand-in for `bucket` that accepts requests signed with `private_key` for `public_key`, with
    /// the service's multipart block size (4 MiB).
    pub async fn start(public_key: &str, private_key: &str, bucket: &str) -> std::io::Result<StandIn> {
        StandIn::start_with_block_size(public_key, private_key, bucket, 4 * 1024 * 1024).await
    }

    /// Like [`StandIn::start`], with multipart parts of `block_size` bytes (the `BlkSize` it answers).
    pub async fn start_with_block_size(
        public_key: &str,
        private_key: &str,
        bucket: &str,
        block_size: u64,
    ) -> std::io::Result<StandIn> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared {
            public_key: public_key.to_owned(),
            private_key: private_key.to_owned(),
            bucket: bucket.to_owned(),
            block_size,
            dir: tempfile::tempdir()?,
            next_id: AtomicU64::new(1),
            state: Mutex::new(State::default()),
        });
        let serving = shared.clone();
        let server = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, serving.clone()));
            }
        });
        Ok(StandIn { base_url, shared, server })
    }

    /// The URL to give the client's `with_base_url` (the bucket then appears only in the signed resource).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// The content of object `key`, if it exists (read from disk: for tests with small objects).
    pub fn object(&self, key: &str) -> Option<Vec<u8>> {
        let path = self.shared.lock().objects.get(key)?.path.clone();
        std::fs::read(path).ok()
    }

    /// The ids of the multipart uploads neither finished nor aborted.
    pub fn open_uploads(&self) -> Vec<String> {
        self.shared.lock().uploads.keys().cloned().collect()
    }

    /// Answers the next upload of part `part_number` (of any upload) with `status` instead of storing it, once.
    pub fn fail_part_once(&self, part_number: u64, status: u16) {
        self.shared.lock().fail_part.insert(part_number, status);
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The decoded query pairs of `target` (a bare flag has the value `""`).
fn query_pairs(target: &str) -> Vec<(String, String)> {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    let Ok(url) = reqwest::Url::parse(&format!("http://stand-in/?{query}")) else { return Vec::new() };
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// The raw key of a request path: percent-decoded, without the leading `/`.
fn key_of(target: &str) -> Option<String> {
    let path = target.split('?').next().unwrap_or_default();
    let bytes = path.strip_prefix('/')?.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A parsed request head.
struct Head {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// An answer: status, headers, and a body from memory or from a file's range.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: AnswerBody,
}

enum AnswerBody {
    Bytes(Vec<u8>),
    File {
        path: PathBuf,
        offset: u64,
        len: u64,
    },
    /// HEAD: the length is announced, nothing is sent.
    Announced(u64),
}

impl Answer {
    fn json(status: u16, body: serde_json::Value) -> Answer {
        Answer {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: AnswerBody::Bytes(body.to_string().into_bytes()),
        }
    }

    fn error(status: u16, code: i64, message: &str) -> Answer {
        Answer::json(status, serde_json::json!({ "RetCode": code, "ErrMsg": message }))
    }

    fn empty(status: u16) -> Answer {
        Answer { status, headers: Vec::new(), body: AnswerBody::Bytes(Vec::new()) }
    }

    fn with_header(mut self, name: &str, value: impl Into<String>) -> Answer {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}

/// Serves one keep-alive connection.
async fn serve(mut socket: tokio::net::TcpStream, shared: Arc<Shared>) {
    let mut buf = Vec::new();
    loop {
        let Some(head) = read_head(&mut socket, &mut buf).await else { return };
        let (answer, body_len, keep_alive) = handle(&head, &mut socket, &mut buf, &shared).await;
        let Some(answer) = answer else { return };
        shared.lock().requests.push(RecordedRequest {
            method: head.method.clone(),
            target: head.target.clone(),
            headers: head.headers.clone(),
            body_len,
            status: answer.status,
        });
        let session = shared.next_id.fetch_add(1, Ordering::Relaxed);
        if write_answer(&mut socket, answer, &format!("stand-in-{session}"), keep_alive).await.is_err() || !keep_alive {
            return;
        }
    }
}

async fn read_head(socket: &mut tokio::net::TcpStream, buf: &mut Vec<u8>) -> Option<Head> {
    let mut chunk = [0u8; 8192];
    let end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let text = String::from_utf8_lossy(&buf[..end]).into_owned();
    buf.drain(..end + 4);
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().unwrap_or_default().to_owned();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Some(Head { method, target, headers })
}

/// Reads `len` body bytes into `sink` chunk by chunk (`buf` holds what was read past the head).
async fn read_body(
    socket: &mut tokio::net::TcpStream,
    buf: &mut Vec<u8>,
    len: u64,
    mut sink: impl FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut left = len;
    let take = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
    sink(&buf[..take])?;
    buf.drain(..take);
    left -= take as u64;
    let mut chunk = vec![0u8; CHUNK];
    while left > 0 {
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(CHUNK);
        let n = socket.read(&mut chunk[..want]).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        sink(&chunk[..n])?;
        left -= n as u64;
    }
    Ok(())
}

/// What a stored body's digests are: MD5 (to check `Content-MD5`), the part ETag and the file ETag.
#[derive(Default)]
struct Digests {
    md5: md5::Md5,
    whole: sha1::Sha1,
    block: sha1::Sha1,
    in_block: u64,
    blocks: Vec<u8>,
    block_count: u32,
}

impl Digests {
    fn update(&mut self, mut data: &[u8]) {
        md5::Digest::update(&mut self.md5, data);
        self.whole.update(data);
        while !data.is_empty() {
            let room = usize::try_from(ETAG_BLOCK - self.in_block).unwrap_or(usize::MAX).min(data.len());
            self.block.update(&data[..room]);
            self.in_block += room as u64;
            data = &data[room..];
            if self.in_block == ETAG_BLOCK {
                self.blocks.extend_from_slice(&std::mem::take(&mut self.block).finalize());
                self.block_count += 1;
                self.in_block = 0;
            }
        }
    }

    /// (hex MD5, part ETag, file ETag).
    fn finish(mut self) -> (String, String, String) {
        let urlsafe = base64::engine::general_purpose::URL_SAFE;
        let md5 = sign::hex(&md5::Digest::finalize(self.md5));
        let whole = self.whole.finalize();
        let part_etag = urlsafe.encode(whole);
        if self.in_block > 0 {
            self.blocks.extend_from_slice(&self.block.finalize());
            self.block_count += 1;
        }
        // Up to one block: SHA-1 of the file; more: SHA-1 of the blocks' digests. An empty file has no block.
        let hash = if self.block_count <= 1 { whole.to_vec() } else { sha1::Sha1::digest(&self.blocks).to_vec() };
        let mut etag = self.block_count.to_le_bytes().to_vec();
        etag.extend_from_slice(&hash);
        (md5, part_etag, urlsafe.encode(etag))
    }
}

/// Reads the body into a new file, with its digests.
async fn store_body(
    socket: &mut tokio::net::TcpStream,
    buf: &mut Vec<u8>,
    len: u64,
    shared: &Shared,
) -> std::io::Result<(PathBuf, (String, String, String))> {
    let path = shared.new_file();
    let mut file = std::io::BufWriter::with_capacity(CHUNK, std::fs::File::create(&path)?);
    let mut digests = Digests::default();
    read_body(socket, buf, len, |data| {
        digests.update(data);
        std::io::Write::write_all(&mut file, data)
    })
    .await?;
    std::io::Write::flush(&mut file)?;
    Ok((path, digests.finish()))
}

/// The request's signature, checked as the service does: header `UCloud <public>:<signature>` over method,
/// `Content-MD5`, `Content-Type`, `Date`, (the copy headers, if signed) and `/<bucket>/<raw key>`; or a
/// pre-signed URL's `Signature` with `Expires` in the Date slot, not past.
fn authenticate(head: &Head, key: &str, shared: &Shared) -> Result<(), Answer> {
    let query = query_pairs(&head.target);
    let param = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let expect = |date: &str, canonical: &str| {
        sign::StringToSign {
            method: &head.method,
            content_md5: head.header("content-md5").unwrap_or_default(),
            content_type: head.header("content-type").unwrap_or_default(),
            date,
            canonical_headers: canonical,
            bucket: &shared.bucket,
            key,
        }
        .sign(&shared.private_key)
    };
    if let Some(signature) = param("Signature") {
        let expires = param("Expires").unwrap_or_default();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        if param("UCloudPublicKey") != Some(shared.public_key.as_str()) {
            return Err(Answer::error(403, -148643, "public key not found"));
        }
        if expires.parse::<u64>().map_or(true, |e| e < now) {
            return Err(Answer::error(403, -148651, "signed URL expired"));
        }
        return match signature == expect(expires, "") {
            true => Ok(()),
            false => Err(Answer::error(403, -148653, "signature mismatch")),
        };
    }
    let Some((public_key, signature)) =
        head.header("authorization").and_then(|v| v.strip_prefix("UCloud ")).and_then(|v| v.rsplit_once(':'))
    else {
        return Err(Answer::error(401, -148600, "no Authorization"));
    };
    if public_key != shared.public_key {
        return Err(Answer::error(403, -148643, "public key not found"));
    }
    let date = head.header("date").unwrap_or_default();
    let copy: Vec<(&str, &str)> = head
        .headers
        .iter()
        .filter(|(k, _)| k == "x-ufile-copy-source" || k == "x-ufile-copy-source-range")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if signature == expect(date, "") || (!copy.is_empty() && signature == expect(date, &sign::canonical_headers(copy)))
    {
        return Ok(());
    }
    Err(Answer::error(403, -148653, "signature mismatch"))
}

/// Answers one request; returns the answer (none: drop the connection), how many body bytes arrived, and whether
/// the connection can serve another request.
async fn handle(
    head: &Head,
    socket: &mut tokio::net::TcpStream,
    buf: &mut Vec<u8>,
    shared: &Shared,
) -> (Option<Answer>, u64, bool) {
    if head.header("transfer-encoding").is_some() {
        return (Some(Answer::error(411, -1, "a Content-Length is required")), 0, false);
    }
    let len = head.header("content-length").and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let Some(key) = key_of(&head.target) else {
        return (Some(Answer::error(400, -1, "the path is not a key")), 0, false);
    };
    if let Err(refused) = authenticate(head, &key, shared) {
        // The body is not read: the connection closes after the answer.
        return (Some(refused), 0, false);
    }
    let query = query_pairs(&head.target);
    let param = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let has = |name: &str| param(name).is_some();
    let stores_body = head.method == "PUT" && !has("restore") && !has("storageClass");
    let (answer, read) = if stores_body && head.header("x-ufile-copy-source").is_none() {
        match store_body(socket, buf, len, shared).await {
            Ok((path, digests)) => (put(head, &key, path, len, digests, &param, shared), len),
            Err(_) => return (None, 0, false),
        }
    } else {
        if len > MAX_SMALL_BODY {
            return (Some(Answer::error(400, -1, "body too large")), 0, false);
        }
        let mut body = Vec::new();
        if read_body(socket, buf, len, |d| {
            body.extend_from_slice(d);
            Ok(())
        })
        .await
        .is_err()
        {
            return (None, 0, false);
        }
        (small(head, &key, &body, &param, &has, shared).await, len)
    };
    (Some(answer), read, true)
}

/// PutFile or UploadPart, their body stored.
fn put(
    head: &Head,
    key: &str,
    path: PathBuf,
    len: u64,
    (md5, part_etag, file_etag): (String, String, String),
    param: &(dyn Fn(&str) -> Option<String> + Sync),
    shared: &Shared,
) -> Answer {
    if head.header("content-md5").is_some_and(|sent| sent != md5) {
        let _ = std::fs::remove_file(&path);
        return Answer::error(400, -1, "Content-MD5 does not match the body");
    }
    let mut state = shared.lock();
    if let Some(upload_id) = param("uploadId") {
        let Some(part) = param("partNumber").and_then(|n| n.parse::<u64>().ok()) else {
            return Answer::error(400, -1, "partNumber is not a number");
        };
        if let Some(status) = state.fail_part.remove(&part) {
            let _ = std::fs::remove_file(&path);
            return Answer::error(status, -1, "injected failure");
        }
        let Some(upload) = state.uploads.get_mut(&upload_id).filter(|u| u.key == key) else {
            return Answer::error(404, -1, "no such upload");
        };
        upload.parts.insert(part, (path, len, part_etag.clone()));
        return Answer::json(200, serde_json::json!({ "PartNumber": part }))
            .with_header("ETag", format!("\"{part_etag}\""));
    }
    let object = Object {
        path,
        len,
        etag: file_etag.clone(),
        content_type: head.header("content-type").unwrap_or("application/octet-stream").to_owned(),
        kept_headers: kept_headers(head),
    };
    state.objects.insert(key.to_owned(), object);
    Answer::empty(200).with_header("ETag", format!("\"{file_etag}\""))
}

/// `X-Ufile-Meta-*` and `X-Ufile-Storage-Class` of a request, kept with the object.
fn kept_headers(head: &Head) -> Vec<(String, String)> {
    head.headers
        .iter()
        .filter(|(k, _)| k.starts_with("x-ufile-meta-") || k == "x-ufile-storage-class")
        .cloned()
        .collect()
}

/// Everything without a stored body.
async fn small(
    head: &Head,
    key: &str,
    body: &[u8],
    param: &(dyn Fn(&str) -> Option<String> + Sync),
    has: &(dyn Fn(&str) -> bool + Sync),
    shared: &Shared,
) -> Answer {
    let not_found = || Answer::error(404, -1, "file not exist");
    match (head.method.as_str(), key.is_empty()) {
        ("GET", true) if has("muploadpart") => {
            let state = shared.lock();
            let upload_id = param("uploadId").unwrap_or_default();
            let Some(upload) = state.uploads.get(&upload_id) else { return Answer::error(404, -1, "no such upload") };
            let parts: Vec<_> = upload
                .parts
                .iter()
                .map(|(n, (_, size, etag))| serde_json::json!({ "PartNum": n, "Etag": etag, "Size": size, "LastModified": 0 }))
                .collect();
            Answer::json(
                200,
                serde_json::json!({ "UploadId": upload_id, "Bucket": shared.bucket, "Key": upload.key, "Parts": parts,
                    "MaxParts": 1000, "IsTruncated": false, "NextPartNumberMarker": 0 }),
            )
        }
        ("GET", true) if has("list") => {
            let state = shared.lock();
            let prefix = param("prefix").unwrap_or_default();
            let marker = param("marker").unwrap_or_default();
            let limit = param("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(20);
            let mut keys: Vec<&String> =
                state.objects.keys().filter(|k| k.starts_with(&prefix) && k.as_str() > marker.as_str()).collect();
            keys.sort();
            let next = if keys.len() > limit { keys[limit - 1].clone() } else { String::new() };
            let data: Vec<_> = keys
                .into_iter()
                .take(limit)
                .map(|k| {
                    let o = &state.objects[k];
                    serde_json::json!({ "FileName": k, "Size": o.len, "MimeType": o.content_type, "Hash": o.etag,
                        "ModifyTime": 0, "CreateTime": 0 })
                })
                .collect();
            Answer::json(200, serde_json::json!({ "BucketName": shared.bucket, "DataSet": data, "NextMarker": next }))
        }
        ("GET" | "HEAD", false) => {
            let Some(object) = shared.lock().objects.get(key).cloned() else { return not_found() };
            download(head, object)
        }
        ("DELETE", false) if has("uploadId") => {
            let upload = shared.lock().uploads.remove(&param("uploadId").unwrap_or_default());
            match upload {
                Some(upload) => {
                    for (path, _, _) in upload.parts.values() {
                        let _ = std::fs::remove_file(path);
                    }
                    Answer::empty(200)
                }
                None => Answer::error(404, -1, "no such upload"),
            }
        }
        ("DELETE", false) => match shared.lock().objects.remove(key) {
            Some(object) => {
                let _ = std::fs::remove_file(object.path);
                Answer::empty(204)
            }
            None => not_found(),
        },
        ("POST", false) if has("uploads") => {
            let upload_id = format!("upload-{}", shared.next_id.fetch_add(1, Ordering::Relaxed));
            let upload = Upload {
                key: key.to_owned(),
                parts: BTreeMap::new(),
                kept_headers: kept_headers(head),
                content_type: head.header("content-type").unwrap_or("application/octet-stream").to_owned(),
            };
            shared.lock().uploads.insert(upload_id.clone(), upload);
            Answer::json(
                200,
                serde_json::json!({ "UploadId": upload_id, "BlkSize": shared.block_size, "Bucket": shared.bucket,
                    "Key": key }),
            )
        }
        ("POST", false) if has("uploadId") => finish(key, body, param, shared).await,
        ("PUT", false) if has("restore") || has("storageClass") => match shared.lock().objects.contains_key(key) {
            true => Answer::empty(200),
            false => not_found(),
        },
        ("PUT", false) => {
            // Copy: `X-Ufile-Copy-Source: /<bucket>/<key>` within this bucket.
            let source = head.header("x-ufile-copy-source").unwrap_or_default();
            let source_key = source
                .strip_prefix('/')
                .and_then(|s| s.split_once('/'))
                .filter(|(bucket, _)| *bucket == shared.bucket)
                .and_then(|(_, k)| key_of(&format!("/{k}")));
            let mut state = shared.lock();
            let Some(object) = source_key.and_then(|k| state.objects.get(&k).cloned()) else { return not_found() };
            let path = shared.new_file();
            if std::fs::copy(&object.path, &path).is_err() {
                return Answer::error(500, -1, "cannot copy");
            }
            let etag = object.etag.clone();
            state.objects.insert(key.to_owned(), Object { path, ..object });
            Answer::empty(200).with_header("ETag", format!("\"{etag}\""))
        }
        _ => Answer::error(400, -1, "the stand-in does not know this request"),
    }
}

/// GetFile/HeadFile: the object, or its `Range` (`bytes=a-b`, `bytes=a-`) as 206.
fn download(head: &Head, object: Object) -> Answer {
    let mut headers = vec![
        ("Content-Type".to_owned(), object.content_type.clone()),
        ("ETag".to_owned(), format!("\"{}\"", object.etag)),
        ("Accept-Ranges".to_owned(), "bytes".to_owned()),
    ];
    headers.extend(object.kept_headers.iter().cloned());
    let (status, offset, len) = match head.header("range").and_then(|r| r.strip_prefix("bytes=")) {
        None => (200, 0, object.len),
        Some(range) => {
            let (a, b) = range.split_once('-').unwrap_or((range, ""));
            let start = a.parse::<u64>().ok();
            let end = if b.is_empty() { Some(object.len.saturating_sub(1)) } else { b.parse::<u64>().ok() };
            match (start, end) {
                (Some(start), Some(end)) if start <= end && start < object.len => {
                    let end = end.min(object.len - 1);
                    headers.push(("Content-Range".into(), format!("bytes {start}-{end}/{}", object.len)));
                    (206, start, end - start + 1)
                }
                _ => return Answer::error(416, -1, "invalid range"),
            }
        }
    };
    let body = match head.method.as_str() {
        "HEAD" => AnswerBody::Announced(len),
        _ => AnswerBody::File { path: object.path, offset, len },
    };
    Answer { status, headers, body }
}

/// FinishMultipartUpload: the ETags, in part order, must be those of parts 0..n, every part but the last of the
/// block size; the parts become the object (`newKey` renames it).
async fn finish(key: &str, body: &[u8], param: &(dyn Fn(&str) -> Option<String> + Sync), shared: &Shared) -> Answer {
    let upload_id = param("uploadId").unwrap_or_default();
    let Some(upload) = shared.lock().uploads.remove(&upload_id) else {
        return Answer::error(404, -1, "no such upload");
    };
    let refuse = |upload: Upload, message: &str| {
        shared.lock().uploads.insert(upload_id.clone(), upload);
        Answer::error(400, -1, message)
    };
    let etags: Vec<&str> = std::str::from_utf8(body).unwrap_or_default().split(',').filter(|e| !e.is_empty()).collect();
    if upload.key != key || etags.len() != upload.parts.len() {
        return refuse(upload, "the ETag list does not match the uploaded parts");
    }
    for (i, ((number, (_, size, etag)), sent)) in upload.parts.iter().zip(&etags).enumerate() {
        let last = i + 1 == etags.len();
        if *number != i as u64 || etag != sent || (!last && *size != shared.block_size) {
            return refuse(upload, "the parts are not numbered from 0, sized by the block or listed in order");
        }
    }
    let path = shared.new_file();
    let mut digests = Digests::default();
    let mut len = 0u64;
    let result: std::io::Result<()> = async {
        let mut out = tokio::fs::File::create(&path).await?;
        let mut chunk = vec![0u8; CHUNK];
        for (part, _, _) in upload.parts.values() {
            let mut file = tokio::fs::File::open(part).await?;
            loop {
                let n = file.read(&mut chunk).await?;
                if n == 0 {
                    break;
                }
                digests.update(&chunk[..n]);
                out.write_all(&chunk[..n]).await?;
                len += n as u64;
            }
        }
        out.flush().await
    }
    .await;
    for (part, _, _) in upload.parts.values() {
        let _ = std::fs::remove_file(part);
    }
    if result.is_err() {
        return Answer::error(500, -1, "cannot assemble the parts");
    }
    let final_key = param("newKey").filter(|k| !k.is_empty()).unwrap_or_else(|| key.to_owned());
    let (_, _, etag) = digests.finish();
    let object =
        Object { path, len, etag: etag.clone(), content_type: upload.content_type, kept_headers: upload.kept_headers };
    shared.lock().objects.insert(final_key.clone(), object);
    Answer::json(200, serde_json::json!({ "Bucket": shared.bucket, "Key": final_key, "FileSize": len }))
        .with_header("ETag", format!("\"{etag}\""))
}

async fn write_answer(
    socket: &mut tokio::net::TcpStream,
    answer: Answer,
    session: &str,
    keep_alive: bool,
) -> std::io::Result<()> {
    let len = match &answer.body {
        AnswerBody::Bytes(b) => b.len() as u64,
        AnswerBody::File { len, .. } | AnswerBody::Announced(len) => *len,
    };
    let mut head = format!("HTTP/1.1 {} StandIn\r\nContent-Length: {len}\r\nX-SessionId: {session}\r\n", answer.status);
    if !keep_alive {
        head.push_str("Connection: close\r\n");
    }
    for (name, value) in &answer.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    socket.write_all(head.as_bytes()).await?;
    match answer.body {
        AnswerBody::Bytes(b) => socket.write_all(&b).await?,
        AnswerBody::Announced(_) => {}
        AnswerBody::File { path, offset, len } => {
            let mut file = tokio::fs::File::open(path).await?;
            tokio::io::AsyncSeekExt::seek(&mut file, std::io::SeekFrom::Start(offset)).await?;
            let mut left = len;
            let mut chunk = vec![0u8; CHUNK];
            while left > 0 {
                let want = usize::try_from(left).unwrap_or(usize::MAX).min(CHUNK);
                let n = file.read(&mut chunk[..want]).await?;
                if n == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                socket.write_all(&chunk[..n]).await?;
                left -= n as u64;
            }
        }
    }
    socket.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn etag(data: &[u8]) -> (String, String) {
        let mut d = Digests::default();
        // Fed in odd pieces: the blocks must not depend on how the body arrived.
        for piece in data.chunks(1_000_003) {
            d.update(piece);
        }
        let (_, part, file) = d.finish();
        (part, file)
    }

    #[test]
    fn the_reference_etag_vectors() {
        assert_eq!(etag(b"hello world").1, "AQAAACqubDXJT8-0FdvpX0CLnOke6Ebt");
        assert_eq!(etag(&vec![0u8; 4 * 1024 * 1024 + 1]).1, "AgAAABCFgki5yzon0rjN9uJusf6qtsF6");
        assert_eq!(etag(b"").1, "AAAAANo5o-5ea0sNMlW_75VgGJCv2AcJ");
        assert_eq!(etag(&vec![0u8; 4 * 1024 * 1024]).0, "K8y9LzjxXBPrfVqJ_Z2F9ZXiO8M=");
    }

    #[test]
    fn keys_are_decoded_from_the_path() {
        assert_eq!(
            key_of("/photos/2024/%E4%B8%AD%E6%96%87%20file.jpg?x").as_deref(),
            Some("photos/2024/中文 file.jpg")
        );
        assert_eq!(key_of("/?list").as_deref(), Some(""));
        assert_eq!(key_of("/%zz"), None);
    }
}
