//! The content-token file: parsed for its org and expiry, refused with
//! the reason when it is not one, and never shown.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use seats::connectors::ErrorKind;
use seats::connectors::apple::{AppleClient, AppleToken};

use crate::support::{Env, assert_clean_text};

fn file_of(json: serde_json::Value) -> String {
    STANDARD.encode(json.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_token_file_gives_its_org_and_expiry_and_hides_the_token() {
    let env = Env::start().await;
    let text = env.token_text();
    // As downloaded: possibly with a trailing newline.
    let token = AppleToken::from_file_text(&format!("{text}\n")).unwrap();
    let name: String = env
        .sim
        .tenant()
        .unwrap()
        .connection()
        .query_row("SELECT name FROM tenant", [], |r| r.get(0))
        .unwrap();
    assert_eq!(token.org_name(), name);
    // The location is the demo tenant's: its token is the demo's Apple
    // connector's, due within the 30-day warning window (issue 8).
    let demo: String = env
        .sim
        .tenant()
        .unwrap()
        .connection()
        .query_row(
            "SELECT token_expires_at FROM connectors WHERE kind = 'apple_vpp' AND enabled = 1 ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        token.expires(),
        chrono::DateTime::parse_from_rfc3339(&demo).unwrap()
    );
    let days = (token.expires() - chrono::Utc::now()).num_days();
    assert!((1..30).contains(&days), "expires in {days} days");
    assert_clean_text(&text, &format!("{token:?}"));
    let client = env.client();
    assert_clean_text(&text, &format!("{client:?}"));
}

#[test]
fn apple_style_offsets_are_read() {
    let file = file_of(
        serde_json::json!({"token": "abc", "expDate": "2030-11-08T15:33:22-0700", "orgName": "ORG1"}),
    );
    let token = AppleToken::from_file_text(&file).unwrap();
    assert_eq!(token.expires().to_rfc3339(), "2030-11-08T22:33:22+00:00");
    assert_eq!(token.org_name(), "ORG1");
}

#[test]
fn bad_base64_is_refused_without_quoting_it() {
    let text = "this is not a token file!!";
    let err = AppleToken::from_file_text(text).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::AppleTokenFile { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(
        shown.contains("not base64") && shown.contains("Apps and Books"),
        "{shown}"
    );
    assert!(!shown.contains(text));
    let err = AppleToken::from_file_text("   ").unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");
}

#[test]
fn a_file_without_its_expiry_or_org_is_refused() {
    let secret = "s3cr3t-opaque-token-value";
    let no_date = file_of(serde_json::json!({"token": secret, "orgName": "ORG1"}));
    let err = AppleToken::from_file_text(&no_date).unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("expDate"), "{shown}");
    assert!(!shown.contains(secret) && !shown.contains(&no_date), "{shown}");
    let bad_date = file_of(serde_json::json!({"token": secret, "orgName": "O", "expDate": "soon"}));
    assert!(
        AppleToken::from_file_text(&bad_date)
            .unwrap_err()
            .to_string()
            .contains("not a date")
    );
    let no_org = file_of(serde_json::json!({"token": secret, "expDate": "2030-11-08T22:33:22+0000"}));
    assert!(
        AppleToken::from_file_text(&no_org)
            .unwrap_err()
            .to_string()
            .contains("orgName")
    );
    let not_json = STANDARD.encode("hello");
    assert!(
        AppleToken::from_file_text(&not_json)
            .unwrap_err()
            .to_string()
            .contains("JSON")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_token_is_refused_with_9722() {
    let env = Env::start().await;
    let other = file_of(
        serde_json::json!({"token": "not-this-location", "orgName": "ORG1",
        "expDate": "2030-11-08T22:33:22+0000"}),
    );
    let client = AppleClient::new(env.config(), AppleToken::from_file_text(&other).unwrap()).unwrap();
    let err = client.client_config().await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::AppleTokenRefused { .. }),
        "{err:?}"
    );
    assert_eq!(err.detail().unwrap().apple_number(), Some(9722));
    assert_eq!(err.detail().unwrap().status, 401);
    assert_clean_text(&other, &format!("{err} {err:?}"));
}
