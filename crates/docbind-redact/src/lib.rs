#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// What a redacted value is shown as.
pub const REDACTED: &str = "<redacted>";

/// Parts of a name, in lowercase and without separators, that mark its value as secret wherever they occur in it.
pub const SECRET_NAME_PARTS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "privatekey",
    "accesskey",
    "apikey",
    "signature",
    "credential",
    "authorization",
    "cookie",
];

/// Whether a parameter, header or field called `name` may carry a secret: with ASCII case ignored and the
/// separators `_`, `-`, `.` and spaces left out (`private_key`, `X-Api-Key`), it contains one of
/// [`SECRET_NAME_PARTS`], or it ends in `pw` (`RootPw`, `adminpw`).
pub fn is_secret_name(name: &str) -> bool {
    let folded: String =
        name.chars().filter(|c| !matches!(c, '_' | '-' | '.' | ' ')).map(|c| c.to_ascii_lowercase()).collect();
    SECRET_NAME_PARTS.iter().any(|part| folded.contains(part)) || folded.ends_with("pw")
}

/// A secret (a private key, a token): its `Debug` shows [`REDACTED`], it has no `Display`, and its text is read
/// only by asking for it ([`Secret::expose`]), so printing a configuration or an error cannot leak it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret's text, for the code that signs or sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_shows_nothing_of_itself() {
        let secret = Secret::from("hunter2");
        assert_eq!(format!("{secret:?}"), REDACTED);
        assert_eq!(format!("{:?}", Some(secret.clone())), format!("Some({REDACTED})"));
        assert_eq!(secret.expose(), "hunter2");
        assert!(!secret.is_empty() && Secret::new("").is_empty());
    }

    #[test]
    fn secret_looking_names() {
        for name in [
            "Password",
            "UserPasswd",
            "DBPwd",
            "secret",
            "SecurityToken",
            "Finovy-Access-Token",
            "PrivateKey",
            "Signature",
            "CredentialId",
            "RootPw",
            "private_key",
            "private-key",
            "access_key",
            "AccessKey",
            "AccessKeySecret",
            "Authorization",
            "Proxy-Authorization",
            "Cookie",
            "Set-Cookie",
            "api_key",
            "apiKey",
            "X-Api-Key",
            "passphrase",
            "key_passphrase",
            "root_pw",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["PublicKey", "public_key", "Action", "Region", "ImageId", "Pwm", "Power", "KeyPairId", "Api"] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}
