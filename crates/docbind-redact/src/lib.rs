#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// What a redacted value is shown as.
pub const REDACTED: &str = "<redacted>";

/// Parts of a name, in lowercase, that mark its value as secret wherever they occur in it.
pub const SECRET_NAME_PARTS: &[&str] =
    &["password", "passwd", "pwd", "secret", "token", "privatekey", "signature", "credential"];

/// Whether a parameter, header or field called `name` may carry a secret: it contains one of
/// [`SECRET_NAME_PARTS`] (ASCII case ignored), or it ends in `pw` (`RootPw`, `adminpw`).
pub fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_NAME_PARTS.iter().any(|part| lower.contains(part)) || lower.ends_with("pw")
}

#[cfg(test)]
mod tests {
    use super::*;

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
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["PublicKey", "Action", "Region", "ImageId", "Pwm", "Power"] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}
