//! Errors that come with HTTP 200, expired and revoked tokens that say
//! what to do, throttling (9646 with Retry-After) and 5xx waited out, and
//! the lookup service in batches; no error shows the token.

use seats::connectors::{ErrorClass, ErrorKind};

use crate::support::Env;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_with_http_200_are_read_from_the_body() {
    let env = Env::start().await;
    env.faults("apple-http200,apple-expired");
    // The wire: 200 with an errorNumber.
    let raw = reqwest::Client::new()
        .get(format!("{}/client/config", env.sim.apple_api_url()))
        .header("Authorization", format!("Bearer {}", env.token_text()))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 200);
    let body: serde_json::Value = raw.json().await.unwrap();
    assert_eq!(body["errorNumber"], 9621);
    let err = env.client().client_config().await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::AppleTokenExpired { .. }),
        "{err:?}"
    );
    assert_eq!(err.detail().unwrap().status, 200);
    env.assert_clean(&err);
    // An unknown event, also with 200.
    env.faults("apple-http200");
    let err = env.client().event_status("1").await.unwrap_err();
    assert_eq!(err.detail().unwrap().apple_number(), Some(9708));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_and_revoked_tokens_are_told_apart_and_say_what_to_do() {
    let env = Env::start().await;
    let client = env.client();
    env.faults("apple-expired");
    let expired = client.assets().await.unwrap_err();
    env.faults("apple-revoked");
    let revoked = client.users(None).await.unwrap_err();
    assert!(
        matches!(expired.kind(), ErrorKind::AppleTokenExpired { .. }),
        "{expired:?}"
    );
    assert!(
        matches!(revoked.kind(), ErrorKind::AppleTokenRevoked { .. }),
        "{revoked:?}"
    );
    for err in [&expired, &revoked] {
        assert_eq!(err.class(), ErrorClass::Fatal);
        let text = err.to_string();
        assert!(
            text.contains("Apple Business Manager → Settings → Apps and Books"),
            "{text}"
        );
        env.assert_clean(err);
    }
    assert!(expired.to_string().contains("expired") && revoked.to_string().contains("revoked"));
    assert_eq!(expired.detail().unwrap().status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_9646_storm_is_waited_out() {
    let env = Env::start().await;
    let client = env.client();
    let expected = client.assets().await.unwrap();
    env.faults("429=1,retry-after=0.05");
    let clearing = env.clear_faults_after(3);
    let assets = client.assets().await.unwrap();
    clearing.await.unwrap();
    assert_eq!(assets, expected);
    assert!(env.requests_like("GET /mdm/v2/assets").len() >= expected.len() / 4 + 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_failures_with_retry_after_are_waited_out() {
    let env = Env::start().await;
    let client = env.client();
    for status in [503, 500] {
        env.faults(&format!("{status}=1,retry-after=0.05"));
        let clearing = env.clear_faults_after(2);
        let location = client.client_config().await.unwrap();
        clearing.await.unwrap();
        assert!(!location.uid.is_empty());
    }
    // A wait longer than the client's budget is not waited for.
    env.faults("500=1,retry-after=30");
    let started = std::time::Instant::now();
    let err = client.client_config().await.unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    assert_eq!(err.class(), ErrorClass::Transient);
    assert_eq!(err.detail().unwrap().apple_number(), Some(9603));
    env.assert_clean(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_throttling_ends_as_a_transient_error_without_the_token() {
    let env = Env::start().await;
    env.faults("429=1,retry-after=0.05");
    let err = env.client().assets().await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Throttled { .. }), "{err:?}");
    assert_eq!(err.class(), ErrorClass::Transient);
    assert_eq!(err.detail().unwrap().apple_number(), Some(9646));
    env.assert_clean(&err);
    env.faults("500=1");
    let err = env.client().users(None).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Transient);
    env.assert_clean(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookup_names_the_apps_in_batches() {
    let env = Env::start().await;
    let client = env.client_with(|c| c.lookup_batch = 3);
    let assets = client.assets().await.unwrap();
    let mut ids: Vec<&str> = assets.iter().map(|a| a.adam_id.as_str()).collect();
    ids.push("1");
    let found = client.lookup(&ids).await.unwrap();
    assert_eq!(found.len(), assets.len(), "the unknown id is left out");
    assert_eq!(env.requests_like("GET /lookup").len(), ids.len().div_ceil(3));
    let keynote = found.iter().find(|m| m.adam_id == "361285480").unwrap();
    assert_eq!(
        (keynote.name.as_str(), keynote.publisher.as_deref()),
        ("Keynote", Some("Apple"))
    );
    assert!(keynote.bundle_id.is_some());
    let book = found.iter().find(|m| m.adam_id == "881256329").unwrap();
    assert!(book.bundle_id.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wire_refuses_wrong_methods_and_content_types() {
    let env = Env::start().await;
    let http = reqwest::Client::new();
    let bearer = format!("Bearer {}", env.token_text());
    let url = format!("{}/users/create", env.sim.apple_api_url());
    let wrong = http
        .post(&url)
        .header("Authorization", &bearer)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 415);
    assert_eq!(
        wrong.json::<serde_json::Value>().await.unwrap()["errorNumber"],
        9727
    );
    let deleted = http
        .delete(&url)
        .header("Authorization", &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 405);
    assert_eq!(
        deleted.json::<serde_json::Value>().await.unwrap()["errorNumber"],
        9726
    );
    let nobody = http
        .get(format!("{}/assets", env.sim.apple_api_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(nobody.status(), 401);
    let body: serde_json::Value = nobody.json().await.unwrap();
    assert_eq!(body["errorNumber"], 9722);
    // Every good body carries uId and tokenExpirationDate.
    let ok: serde_json::Value = http
        .get(format!("{}/users", env.sim.apple_api_url()))
        .header("Authorization", &bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        ok["uId"].is_string() && ok["tokenExpirationDate"].as_str().unwrap().ends_with("+0000"),
        "{ok}"
    );
    assert_eq!(ok["currentPageIndex"], 0);
    assert!(ok["versionId"].is_string() && ok["totalPages"].as_i64().unwrap() > 1);
}
