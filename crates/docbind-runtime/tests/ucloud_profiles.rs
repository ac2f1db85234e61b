//! UCloud's shared configuration (`~/.ucloud/config.json`, `credential.json`), its precedence against the
//! environment and code, and temporary credentials: `SecurityToken` sent and signed like every parameter.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns may unwrap

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::decode_image;
use docbind_runtime::__private::ucloud::{Form, Operation};
use docbind_runtime::ucloud::Config;
use docbind_runtime::{ucloud, Error};
use sha1::{Digest as _, Sha1};

static GET_IMAGE: Operation = Operation::new("GetUvodnImage");

const CONFIG: &str = r#"[
  {"profile": "default", "active": false, "project_id": "org-default", "region": "cn-bj2", "zone": "cn-bj2-02",
   "base_url": "https://api.ucloud.cn", "timeout_sec": 15},
  {"profile": "work", "active": true, "project_id": "org-work", "region": "cn-sh2", "zone": "cn-sh2-02",
   "base_url": "http://127.0.0.1:9", "timeout_sec": 7, "agree_upload_log": true}
]"#;
const CREDENTIAL: &str = r#"[
  {"profile": "default", "public_key": "pub-default", "private_key": "priv-default"},
  {"profile": "work", "public_key": "pub-work", "private_key": "priv-work", "security_token": "sts-work"},
  {"profile": "ci", "public_key": "pub-ci", "private_key": "priv-ci"}
]"#;

/// A fresh home directory holding `.ucloud/config.json` and `credential.json` (when given).
fn home(name: &str, config: Option<&str>, credential: Option<&str>) -> PathBuf {
    let home = std::env::temp_dir().join(format!("docbind-profiles-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(home.join(".ucloud")).unwrap();
    if let Some(text) = config {
        std::fs::write(home.join(".ucloud/config.json"), text).unwrap();
    }
    if let Some(text) = credential {
        std::fs::write(home.join(".ucloud/credential.json"), text).unwrap();
    }
    home
}

fn vars(home: &Path, pairs: &[(&str, &str)]) -> HashMap<String, String> {
    let mut vars: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    vars.insert("HOME".into(), home.display().to_string());
    vars
}

fn config_error(result: Result<Config, Error>) -> String {
    match result {
        Err(Error::Config(message)) => message,
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[test]
fn the_active_profile_else_default_else_the_named_one() {
    let home = home("choice", Some(CONFIG), Some(CREDENTIAL));
    let cfg = Config::from_env_map(&vars(&home, &[])).unwrap();
    assert_eq!((cfg.public_key.as_str(), cfg.private_key.expose()), ("pub-work", "priv-work"), "the active one");
    assert_eq!(cfg.project_id.as_deref(), Some("org-work"));
    assert_eq!((cfg.region.as_deref(), cfg.zone.as_deref()), (Some("cn-sh2"), Some("cn-sh2-02")));
    assert_eq!(cfg.http.base_url, "http://127.0.0.1:9");
    assert_eq!(cfg.http.timeout, Duration::from_secs(7));
    assert_eq!(cfg.security_token.as_ref().map(|t| t.expose()), Some("sts-work"));
    assert!(!format!("{cfg:?}").contains("sts-work") && !format!("{cfg:?}").contains("priv-work"));

    let cfg = Config::from_env_map(&vars(&home, &[("UCLOUD_PROFILE", "default")])).unwrap();
    assert_eq!((cfg.public_key.as_str(), cfg.project_id.as_deref()), ("pub-default", Some("org-default")));
    assert_eq!(cfg.security_token, None);
    let cfg = Config::from_env_map(&vars(&home, &[("UCLOUD_PROFILE", "ci")])).unwrap();
    assert_eq!((cfg.public_key.as_str(), cfg.project_id.as_deref()), ("pub-ci", None), "credential only");

    let no_active = CONFIG.replace("\"active\": true", "\"active\": false");
    let home = self::home("no-active", Some(&no_active), Some(CREDENTIAL));
    let cfg = Config::from_env_map(&vars(&home, &[])).unwrap();
    assert_eq!(cfg.public_key, "pub-default", "no active profile: `default`");

    let message = config_error(Config::from_env_map(&vars(&home, &[("UCLOUD_PROFILE", "nope")])));
    assert!(message.contains("\"nope\""), "{message}");
}

#[test]
fn code_then_environment_then_profile() {
    let home = home("precedence", Some(CONFIG), Some(CREDENTIAL));
    let env = [
        ("UCLOUD_PUBLIC_KEY", "pub-env"),
        ("UCLOUD_REGION", "cn-gd"),
        ("UCLOUD_SECURITY_TOKEN", "sts-env"),
        ("UCLOUD_TIMEOUT_SECOND", "9"),
        ("UCLOUD_ZONE", ""),
    ];
    let cfg = Config::from_env_map(&vars(&home, &env)).unwrap();
    assert_eq!(cfg.public_key, "pub-env", "the environment wins over the profile");
    assert_eq!(cfg.private_key.expose(), "priv-work", "the profile fills what the environment leaves out");
    assert_eq!(cfg.region.as_deref(), Some("cn-gd"));
    assert_eq!(cfg.zone.as_deref(), Some("cn-sh2-02"), "an empty variable counts as unset");
    assert_eq!(cfg.security_token.as_ref().map(|t| t.expose()), Some("sts-env"));
    assert_eq!(cfg.http.timeout, Duration::from_secs(9));
    let cfg = cfg.with_region("cn-wlcb").with_security_token("sts-code");
    assert_eq!(
        (cfg.region.as_deref(), cfg.security_token.as_ref().map(|t| t.expose())),
        (Some("cn-wlcb"), Some("sts-code"))
    );
}

#[test]
fn missing_and_malformed_files() {
    // No files at all: the environment alone, as before.
    let empty = home("none", None, None);
    let cfg = Config::from_env_map(&vars(&empty, &[("UCLOUD_PUBLIC_KEY", "p"), ("UCLOUD_PRIVATE_KEY", "s")]));
    assert_eq!(cfg.unwrap().project_id, None);
    let message = config_error(Config::from_env_map(&vars(&empty, &[])));
    assert!(message.contains("UCLOUD_PUBLIC_KEY") && message.contains("\"default\""), "{message}");

    // A named file that does not exist.
    let missing = empty.join("elsewhere/credential.json");
    let named = vars(&empty, &[("UCLOUD_SHARED_CREDENTIAL_FILE", missing.to_str().unwrap())]);
    let message = config_error(Config::from_env_map(&named));
    assert!(
        message.contains(missing.to_str().unwrap()) && message.contains("UCLOUD_SHARED_CREDENTIAL_FILE"),
        "{message}"
    );

    // A named file in place of the default one, with `~/`.
    let other = home("named", None, None);
    std::fs::write(other.join("creds.json"), CREDENTIAL).unwrap();
    let named = vars(&other, &[("UCLOUD_SHARED_CREDENTIAL_FILE", "~/creds.json"), ("UCLOUD_PROFILE", "ci")]);
    assert_eq!(Config::from_env_map(&named).unwrap().public_key, "pub-ci");

    // Malformed: not JSON, or not an array of profiles. The message names the file and the line.
    for (name, text) in [("not-json", "[{\"profile\": \"default\",\n oops}]"), ("object", "{\"profile\": \"x\"}")] {
        let home = home(name, Some(text), Some(CREDENTIAL));
        let message = config_error(Config::from_env_map(&vars(&home, &[])));
        let path = home.join(".ucloud/config.json");
        assert!(message.contains(path.to_str().unwrap()) && message.contains("line"), "{message}");
    }
    let bad_timeout = home("bad-timeout", Some(r#"[{"profile": "default", "timeout_sec": "soon"}]"#), Some(CREDENTIAL));
    let message = config_error(Config::from_env_map(&vars(&bad_timeout, &[])));
    assert!(message.contains("config.json"), "{message}");

    // A key of the wrong type is not quoted back.
    let numeric = r#"[{"profile": "default", "public_key": "p", "private_key": 987654321987}]"#;
    let numeric_home = home("numeric-key", None, Some(numeric));
    let message = config_error(Config::from_env_map(&vars(&numeric_home, &[])));
    assert!(message.contains("credential.json") && message.contains("line 1 column"), "{message}");
    assert!(!message.contains("987654321987"), "the key is echoed: {message}");
}

#[test]
fn profile_files_named_by_the_environment_are_read_within_a_limit() {
    let home = home("huge", None, None);
    let huge = home.join("huge.json");
    std::fs::write(&huge, format!("[{}{{}}]", "{},".repeat(600_000))).unwrap();
    let mut named: Vec<PathBuf> = vec![huge.clone()];
    if Path::new("/dev/zero").exists() {
        named.push(PathBuf::from("/dev/zero")); // endless: reading it whole would never finish
    }
    for file in named {
        for variable in ["UCLOUD_SHARED_CONFIG_FILE", "UCLOUD_SHARED_CREDENTIAL_FILE"] {
            let started = std::time::Instant::now();
            let message = config_error(Config::from_env_map(&vars(&home, &[(variable, file.to_str().unwrap())])));
            assert!(
                message.contains(file.to_str().unwrap()) && message.contains("larger than 1048576 bytes"),
                "{message}"
            );
            assert!(message.contains(variable), "{message}");
            assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        }
    }
}

/// The UCloud signature, per the reference: SHA1 of the sorted `key + value` pairs and the private key.
fn signature(pairs: &[(String, String)], private_key: &str) -> String {
    let mut sorted: Vec<&(String, String)> = pairs.iter().filter(|(k, _)| k != "Signature").collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut hasher = Sha1::new();
    for (k, v) in sorted {
        hasher.update(k.as_bytes());
        hasher.update(v.as_bytes());
    }
    hasher.update(private_key.as_bytes());
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn a_security_token_is_sent_and_signed() {
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let seen = bodies.clone();
    let base = common::scripted_server(move |_, body| {
        seen.lock().unwrap().push(body);
        async { (200, r#"{"RetCode":0,"Action":"GetUvodnImageResponse"}"#.to_owned()) }
    })
    .await;
    let home = home("sts", Some(CONFIG), Some(CREDENTIAL));
    let cfg = Config::from_env_map(&vars(&home, &[("UCLOUD_API_BASE_URL", &base)])).unwrap();
    ucloud::Client::new(cfg).unwrap().call(&GET_IMAGE, Form::new(), decode_image).await.unwrap();
    let body = bodies.lock().unwrap().pop().unwrap();
    let url = reqwest::Url::parse(&format!("http://x/?{}", String::from_utf8(body).unwrap())).unwrap();
    let pairs: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    assert_eq!(get("SecurityToken").as_deref(), Some("sts-work"));
    assert_eq!(get("PublicKey").as_deref(), Some("pub-work"));
    assert_eq!(get("Signature"), Some(signature(&pairs, "priv-work")), "{pairs:?}");
    let unsigned: Vec<(String, String)> = pairs.iter().filter(|(k, _)| k != "SecurityToken").cloned().collect();
    assert_ne!(get("Signature"), Some(signature(&unsigned, "priv-work")), "the token is part of the signature");
}

#[test]
fn the_reference_sts_vector() {
    // V3 of the UCloud protocol brief: the V2 parameters, PublicKey and SecurityToken "some_stoken".
    let public = "ucloudsomeone@example.com1296235120854146120";
    let private = "46f09bb9fab4f12dfc160dae12273d5332b5debe";
    let pairs: Vec<(String, String)> = [
        ("Action", "CreateUHostInstance"),
        ("CPU", "2"),
        ("ChargeType", "Month"),
        ("DiskSpace", "10"),
        ("ImageId", "f43736e1-65a5-4bea-ad2e-8a46e18883c2"),
        ("LoginMode", "Password"),
        ("Memory", "2048"),
        ("Name", "Host01"),
        ("Password", "VUNsb3VkLmNu"),
        ("PublicKey", public),
        ("Quantity", "1"),
        ("Region", "cn-bj2"),
        ("Zone", "cn-bj2-04"),
        ("SecurityToken", "some_stoken"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    assert_eq!(signature(&pairs, private), "170c480ad176a247b324eb92a2cfe536aacfbd04");
}
