//! Keys from a `~/.ucloud` profile chosen by `UCLOUD_PROFILE`, through `Client::from_env()` and the process
//! environment. Alone in its test binary: it sets `HOME` and `UCLOUD_*` for the whole process.

use std::time::Duration;

use docbind::runtime::test_util::{Reply, StandIn};

#[tokio::test]
async fn keys_come_from_the_profile_ucloud_profile_names() {
    let stand_in = StandIn::start().await.expect("a local port");
    stand_in.on("GetUvodnImage", Reply::json(r#"{"RetCode": 0, "ImageList": []}"#));

    let home = std::env::temp_dir().join(format!("docbind-adopter-home-{}", std::process::id()));
    let dot_ucloud = home.join(".ucloud");
    std::fs::create_dir_all(&dot_ucloud).expect("a temporary home");
    // Two profiles; `default` is active and points nowhere useful, `team` at the stand-in.
    let config = serde_json::json!([
        {"profile": "default", "active": true, "project_id": "org-default", "region": "cn-bj2",
         "base_url": "http://127.0.0.1:9", "timeout_sec": 5},
        {"profile": "team", "active": false, "project_id": "org-team", "region": "hk",
         "base_url": stand_in.base_url(), "timeout_sec": 5},
    ]);
    let credentials = serde_json::json!([
        {"profile": "default", "public_key": "pk-default", "private_key": "sk-default"},
        {"profile": "team", "public_key": "pk-team", "private_key": "sk-team"},
    ]);
    std::fs::write(dot_ucloud.join("config.json"), config.to_string()).expect("written");
    std::fs::write(dot_ucloud.join("credential.json"), credentials.to_string()).expect("written");

    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("UCLOUD_")) {
        std::env::remove_var(name);
    }
    std::env::set_var("HOME", &home);
    std::env::set_var("UCLOUD_PROFILE", "team");

    let client = docbind_adopter::client_from_env(docbind_adopter::http_client("profiles").expect("a client"))
        .expect("the profile loads");
    let response = docbind_adopter::list_images(&client, Duration::from_secs(5)).await.expect("the call succeeds");
    assert!(response.image_list.is_empty());

    let requests = stand_in.requests();
    assert_eq!(requests.len(), 1, "the team profile's base_url is the stand-in");
    assert_eq!(requests[0].param("PublicKey").as_deref(), Some("pk-team"));
    assert_eq!(requests[0].param("ProjectId").as_deref(), Some("org-team"));
    std::fs::remove_dir_all(&home).ok();
}
