//! UFile's request signature (`Authorization: UCloud <public key>:<signature>`) and its query-string form, the
//! pre-signed URL. The rules and test vectors are those of `shared/reference/ufile-protocol.md` §1–2.

use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use sha1::Sha1;

/// What one request signs: `VERB\nContent-MD5\nContent-Type\nDate\n<headers>/<bucket>/<key>`. The query string
/// is never signed; the key is the raw UTF-8 key, not the encoded path (`""` for bucket-level calls).
#[derive(Debug, Clone, Copy)]
pub struct StringToSign<'a> {
    /// The method, upper case (`PUT`).
    pub method: &'a str,
    /// The `Content-MD5` header sent (lowercase hex), or empty.
    pub content_md5: &'a str,
    /// The `Content-Type` header sent, or empty.
    pub content_type: &'a str,
    /// The `Date` header sent, or for a pre-signed URL its `Expires` (Unix seconds); else empty.
    pub date: &'a str,
    /// Extra headers signed, already canonical (`x-ufile-copy-source:<v>\n…`), or empty: none by default.
    pub canonical_headers: &'a str,
    /// The bucket (also when a custom endpoint is configured).
    pub bucket: &'a str,
    /// The object key, raw; `""` for bucket-level calls.
    pub key: &'a str,
}

impl StringToSign<'_> {
    /// The text that is signed.
    pub fn text(&self) -> String {
        let StringToSign { method, content_md5, content_type, date, canonical_headers, bucket, key } = *self;
        format!("{method}\n{content_md5}\n{content_type}\n{date}\n{canonical_headers}/{bucket}/{key}")
    }

    /// The signature: standard, padded Base64 of HMAC-SHA1 keyed by the private key.
    pub fn sign(&self, private_key: &str) -> String {
        signature(private_key, &self.text())
    }
}

/// Base64 (standard alphabet, padded) of HMAC-SHA1(`private_key`, `text`).
pub fn signature(private_key: &str, text: &str) -> String {
    // HMAC accepts a key of any length, so this cannot fail.
    let mut mac = Hmac::<Sha1>::new_from_slice(private_key.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(text.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The `Authorization` header value: `UCloud <public key>:<signature>`.
pub fn authorization(public_key: &str, signature: &str) -> String {
    format!("UCloud {public_key}:{signature}")
}

/// The canonical form of the extra headers UploadPartCopy signs in Java's form: each `name:value\n`, names lower
/// case, sorted by name.
pub fn canonical_headers<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut lines: Vec<(String, &str)> =
        headers.into_iter().map(|(name, value)| (name.to_ascii_lowercase(), value.trim())).collect();
    lines.sort();
    lines.into_iter().map(|(name, value)| format!("{name}:{value}\n")).collect()
}

/// Lowercase hex MD5 of `data`: UFile's `Content-MD5` (not RFC 1864's Base64).
pub fn md5_hex(data: &[u8]) -> String {
    hex(&<md5::Md5 as md5::Digest>::digest(data))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRIVATE: &str = "TOKEN_PRIVATE_EXAMPLE";

    fn plain<'a>(method: &'a str, md5: &'a str, ty: &'a str, date: &'a str, key: &'a str) -> StringToSign<'a> {
        StringToSign {
            method,
            content_md5: md5,
            content_type: ty,
            date,
            canonical_headers: "",
            bucket: "demobucket",
            key,
        }
    }

    #[test]
    fn the_reference_test_vectors() {
        // V1: PutFile, minimal.
        let v1 = plain("PUT", "", "image/jpeg", "", "demokey");
        assert_eq!(v1.text(), "PUT\n\nimage/jpeg\n\n/demobucket/demokey");
        assert_eq!(v1.sign(PRIVATE), "9ZE97yjhdiBll5PeiOncpQu5usk=");
        assert_eq!(
            authorization("TOKEN_PUBLIC_EXAMPLE", &v1.sign(PRIVATE)),
            "UCloud TOKEN_PUBLIC_EXAMPLE:9ZE97yjhdiBll5PeiOncpQu5usk="
        );
        // V2: hex MD5, a Java-style Date, a raw UTF-8 key with `/` and a space.
        let v2 = plain(
            "PUT",
            "5d41402abc4b2a76b9719d911017c592",
            "application/octet-stream",
            "20240101120000",
            "photos/2024/中文 file.jpg",
        );
        assert_eq!(v2.sign(PRIVATE), "Y0ODLIn6ASUaCQ/xNwtHPBksoWk=");
        assert_eq!(md5_hex(b"hello"), "5d41402abc4b2a76b9719d911017c592");
        // V3: a signed GET URL's string, Expires in the Date slot.
        assert_eq!(plain("GET", "", "", "1700000000", "photos/cat.jpg").sign(PRIVATE), "t59hjTXPZt/PIyAX6ICRDcoHd6Q=");
        // V4: bucket level, key "".
        let v4 = plain("GET", "", "", "", "");
        assert_eq!(v4.text(), "GET\n\n\n\n/demobucket/");
        assert_eq!(v4.sign(PRIVATE), "/h8bX6vjpr0uzoOp9C1NSEcNk/w=");
        // V5: UploadPartCopy in Java's form, the copy headers signed.
        let headers = canonical_headers([
            ("X-Ufile-Copy-Source-Range", "bytes=0-4194303"),
            ("X-Ufile-Copy-Source", "/srcbucket/src.bin"),
        ]);
        assert_eq!(headers, "x-ufile-copy-source:/srcbucket/src.bin\nx-ufile-copy-source-range:bytes=0-4194303\n");
        let v5 = StringToSign { canonical_headers: &headers, ..plain("PUT", "", "", "", "dst.bin") };
        assert_eq!(v5.sign(PRIVATE), "00skOibue2b2otiIi5yOeog5tcc=");
        // V6: the Python SDK's ListObjects variant (a suffix after the resource).
        let v6 = format!("{}\nlistobjects\ndelimiter:/\nmarker:\nmax-keys:100\nprefix:photos/", v4.text());
        assert_eq!(signature(PRIVATE, &v6), "0SgQGqqxgjTwznU9Ghib5WlGyNc=");
        // V7: a put policy appended to V1's string.
        let policy = "eyJjYWxsYmFja1VybCI6Imh0dHA6Ly9leGFtcGxlLmNvbS9jYiIsImNhbGxiYWNrQm9keSI6ImtleT1kZW1va2V5In0=";
        assert_eq!(signature(PRIVATE, &format!("{}{policy}", v1.text())), "IBz1dUwaE8cGLur73plGDrma5aE=");
    }
}
