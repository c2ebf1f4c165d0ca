//! `/service/config` (limits, invitation link, cached) and
//! `/client/config` (the location, who manages it, registration).

use seats::domain::apple::SEATS_MDM_ID;

use crate::support::Env;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_config_gives_limits_and_is_reused() {
    let env = Env::start().await;
    let client = env.client();
    let config = client.service_config().await.unwrap();
    assert_eq!(
        (config.max_assets, config.max_client_user_ids, config.max_users),
        (25, 1000, 100)
    );
    let link = config.invitation_url("abc123").unwrap();
    assert!(
        link.starts_with(env.sim.base_url()) && link.contains("inviteCode=abc123"),
        "{link}"
    );
    client.service_config().await.unwrap();
    assert_eq!(
        env.requests_like("GET /mdm/v2/service/config").len(),
        1,
        "read once, then reused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_config_names_the_location_and_its_manager() {
    let env = Env::start().await;
    let client = env.client();
    let location = client.client_config().await.unwrap();
    assert!(!location.uid.is_empty());
    assert!(location.name.contains("Simulated"), "{location:?}");
    assert_eq!(location.country.as_deref(), Some("US"));
    let expires = location.token_expires.clone().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(&expires).is_ok(),
        "{expires}"
    );
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(&expires).unwrap(),
        client.token().expires()
    );
    assert!(location.manager.as_ref().unwrap().is_seats());
    assert!(client.token_expiry_seen().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_claimed_by_another_mdm_shows_and_register_takes_it() {
    let env = Env::start().await;
    let client = env.client();
    env.sim.apple_claim("com.jamf.pro", "Jamf Pro").unwrap();
    let location = client.client_config().await.unwrap();
    let manager = location.manager.unwrap();
    assert_eq!(
        (manager.id.as_str(), manager.name.as_str()),
        ("com.jamf.pro", "Jamf Pro")
    );
    assert!(!manager.is_seats());
    let registered = client.register().await.unwrap();
    assert_eq!(registered.manager.unwrap().id, SEATS_MDM_ID);
    assert!(client.client_config().await.unwrap().manager.unwrap().is_seats());
    // The fault shows another product whatever the file says.
    env.faults("apple-claimed");
    let claimed = client.client_config().await.unwrap().manager.unwrap();
    assert!(!claimed.is_seats(), "{claimed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_location_is_the_same_for_the_same_seed() {
    let (a, b) = (Env::start().await, Env::start().await);
    let (ca, cb) = (a.client(), b.client());
    assert_eq!(ca.assets().await.unwrap(), cb.assets().await.unwrap());
    assert_eq!(
        ca.users(None).await.unwrap().items,
        cb.users(None).await.unwrap().items
    );
    assert_eq!(
        ca.assignments(None).await.unwrap().items,
        cb.assignments(None).await.unwrap().items
    );
    assert_eq!(
        ca.client_config().await.unwrap().uid,
        cb.client_config().await.unwrap().uid
    );
    assert_ne!(a.token_text(), b.token_text(), "the token itself is random");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewed_token_replaces_the_old_one_and_keeps_assignments() {
    use seats::connectors::ErrorKind;
    use seats::connectors::apple::{AppleClient, AppleToken};

    let env = Env::start().await;
    let old = env.client();
    let before = old.assignments(None).await.unwrap().items;
    let soon = chrono::Utc::now() + chrono::Duration::days(20);
    let text = env.sim.apple_renew_token(soon).unwrap();
    let renewed = AppleToken::from_file_text(&text).unwrap();
    assert_eq!(renewed.org_name(), old.token().org_name());
    assert!(!renewed.same_file(old.token()));
    let err = old.client_config().await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::AppleTokenRevoked { .. }),
        "{err:?}"
    );
    let client = AppleClient::new(env.config(), renewed).unwrap();
    let location = client.client_config().await.unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(&location.token_expires.unwrap()).unwrap();
    assert_eq!(
        expires.timestamp(),
        soon.timestamp(),
        "within the 30-day warning window"
    );
    assert_eq!(client.assignments(None).await.unwrap().items, before);
    // A token past its date: 9621.
    let text = env
        .sim
        .apple_renew_token(chrono::Utc::now() - chrono::Duration::days(1))
        .unwrap();
    let expired = AppleClient::new(env.config(), AppleToken::from_file_text(&text).unwrap()).unwrap();
    let err = expired.assets().await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::AppleTokenExpired { .. }),
        "{err:?}"
    );
}
