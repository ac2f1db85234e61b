//! UCloud's shared configuration files, in the format ucloud-sdk-go's `external` package and the UCloud CLI
//! write: `~/.ucloud/config.json` (an array of `{profile, active, project_id, region, zone, base_url,
//! timeout_sec}`) and `~/.ucloud/credential.json` (an array of `{profile, public_key, private_key}`, plus
//! docbind's optional `security_token`). Other keys (the CLI writes more) are ignored.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::Error;

/// The largest profile file read (1 MiB; the CLI writes a few hundred bytes per profile). A file named by an
/// environment variable may be anything (`/dev/zero`, a log), so no more than this is read of it.
const MAX_PROFILE_FILE_BYTES: u64 = 1024 * 1024;

/// The profile used when `UCLOUD_PROFILE` names none and no entry of config.json is `active`.
pub(super) const DEFAULT_PROFILE: &str = "default";

/// What the chosen profile sets; `None` for what it leaves out.
#[derive(Default)]
pub(super) struct Profile {
    pub(super) name: String,
    pub(super) project_id: Option<String>,
    pub(super) region: Option<String>,
    pub(super) zone: Option<String>,
    pub(super) base_url: Option<String>,
    pub(super) timeout: Option<Duration>,
    pub(super) public_key: Option<String>,
    pub(super) private_key: Option<String>,
    pub(super) security_token: Option<String>,
    /// The credential file read, for messages.
    pub(super) credential_file: Option<PathBuf>,
}

#[derive(Deserialize)]
struct ConfigEntry {
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    active: Option<bool>,
    #[serde(default)]
    project_id: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    zone: Option<String>,
    #[serde(default)]
    base_url: Option<String>,
    #[serde(default)]
    timeout_sec: Option<i64>,
}

#[derive(Deserialize)]
struct CredentialEntry {
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    public_key: Option<String>,
    #[serde(default)]
    private_key: Option<String>,
    #[serde(default)]
    security_token: Option<String>,
}

/// Reads the profile that `get` (environment lookup, empty values already dropped) chooses from the files it
/// names (`UCLOUD_SHARED_CONFIG_FILE`, `UCLOUD_SHARED_CREDENTIAL_FILE`) or the default ones under `home`. A
/// missing default file is no error; a named file that is missing, a malformed file, or a `UCLOUD_PROFILE`
/// that neither file has is one, naming the file.
pub(super) fn load(get: &dyn Fn(&str) -> Option<String>, home: Option<&Path>) -> Result<Profile, Error> {
    let configs: Vec<ConfigEntry> =
        read_array(get("UCLOUD_SHARED_CONFIG_FILE"), "UCLOUD_SHARED_CONFIG_FILE", "config.json", home)?
            .unwrap_or_default()
            .1;
    let credentials = read_array::<CredentialEntry>(
        get("UCLOUD_SHARED_CREDENTIAL_FILE"),
        "UCLOUD_SHARED_CREDENTIAL_FILE",
        "credential.json",
        home,
    )?;
    let (credential_file, credentials) = match credentials {
        Some((path, entries)) => (Some(path), entries),
        None => (None, Vec::new()),
    };
    let named = get("UCLOUD_PROFILE");
    let name = named
        .clone()
        .or_else(|| configs.iter().rev().find(|c| c.active == Some(true)).and_then(|c| c.profile.clone()))
        .unwrap_or_else(|| DEFAULT_PROFILE.to_owned());
    let is_it = |profile: &Option<String>| profile.as_deref() == Some(name.as_str());
    // As in ucloud-sdk-go, the last entry of a profile wins.
    let config = configs.into_iter().rev().find(|c| is_it(&c.profile));
    let credential = credentials.into_iter().rev().find(|c| is_it(&c.profile));
    if named.is_some() && config.is_none() && credential.is_none() {
        return Err(Error::Config(format!(
            "UCLOUD_PROFILE names the profile {name:?}, which neither the shared config nor the credential file has"
        )));
    }
    let non_empty = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    let mut profile = Profile { name, credential_file, ..Profile::default() };
    if let Some(c) = config {
        profile.project_id = non_empty(c.project_id);
        profile.region = non_empty(c.region);
        profile.zone = non_empty(c.zone);
        profile.base_url = non_empty(c.base_url);
        profile.timeout = c.timeout_sec.and_then(|s| u64::try_from(s).ok()).filter(|s| *s > 0).map(Duration::from_secs);
    }
    if let Some(c) = credential {
        profile.public_key = non_empty(c.public_key);
        profile.private_key = non_empty(c.private_key);
        profile.security_token = non_empty(c.security_token);
    }
    Ok(profile)
}

/// Reads a JSON array from the file `named` by `variable`, or from `~/.ucloud/<default_name>` (`None` when that
/// default file does not exist, or there is no home directory).
fn read_array<T: serde::de::DeserializeOwned>(
    named: Option<String>,
    variable: &str,
    default_name: &str,
    home: Option<&Path>,
) -> Result<Option<(PathBuf, Vec<T>)>, Error> {
    let path = match (&named, home) {
        (Some(path), home) => expand_home(path, home),
        (None, Some(home)) => home.join(".ucloud").join(default_name),
        (None, None) => return Ok(None),
    };
    let origin = if named.is_some() { format!(" (named by {variable})") } else { String::new() };
    let text = match read_bounded(&path) {
        Ok(Some(text)) => text,
        Ok(None) => {
            return Err(Error::Config(format!(
                "{}{origin} is larger than {MAX_PROFILE_FILE_BYTES} bytes: not a UCloud profile file",
                path.display()
            )))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && named.is_none() => return Ok(None),
        Err(e) => return Err(Error::Config(format!("cannot read {}{origin}: {e}", path.display()))),
    };
    let entries = serde_json::from_slice(&text).map_err(|e| {
        Error::Config(format!("{}: not a JSON array of UCloud profiles: {}", path.display(), without_values(&e)))
    })?;
    Ok(Some((path, entries)))
}

/// The contents of `path`, or `None` when it holds more than [`MAX_PROFILE_FILE_BYTES`].
fn read_bounded(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read as _;
    let mut text = Vec::new();
    std::fs::File::open(path)?.take(MAX_PROFILE_FILE_BYTES + 1).read_to_end(&mut text)?;
    Ok((text.len() as u64 <= MAX_PROFILE_FILE_BYTES).then_some(text))
}

/// What is wrong with a profile file, and where, without the value serde_json would quote (`invalid type: integer
/// `12345``): the file holds keys.
fn without_values(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match error.classify() {
        Category::Data => "a value of the wrong type or shape (the keys are strings, timeout_sec an integer)",
        Category::Syntax => "invalid JSON",
        Category::Eof => "the file ends early",
        Category::Io => "it cannot be read",
    };
    format!("{what} at line {} column {}", error.line(), error.column())
}

/// `~/x` as `<home>/x`, like the UCloud tools.
fn expand_home(path: &str, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}
