//! `users/delta` (apis.md 1.8): the first round, changes since, removals,
//! and expired delta links.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::StatusCode;
use seats::sim::{Faults, NewUser};
use serde_json::Value;

use super::support::{Sim, code, listed_ids, message};

const EXPIRED: &str =
    "The sync state generation is not found. The delta token is expired and data must be synchronized again.";

/// Follows a delta round to its deltaLink: the items and the deltaLink.
async fn round(sim: &Sim, first: &str) -> (Vec<Value>, String) {
    let mut items = Vec::new();
    let mut url = if first.starts_with("http") {
        first.to_owned()
    } else {
        sim.url(first)
    };
    for _ in 0..10_000 {
        let (status, _, body) = sim.get_with(&url, &[("prefer", "odata.maxpagesize=50")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        items.extend(body["value"].as_array().unwrap().iter().cloned());
        let next = body["@odata.nextLink"].as_str();
        let delta = body["@odata.deltaLink"].as_str();
        assert!(
            next.is_none() || delta.is_none(),
            "a page carries both links: {body}"
        );
        match (next, delta) {
            (Some(next), None) => url = next.to_owned(),
            (None, Some(delta)) => return (items, delta.to_owned()),
            _ => panic!("a page without either link: {body}"),
        }
    }
    panic!("the delta round does not end");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delta_reports_only_what_changed_since_the_last_round() {
    let sim = Sim::start().await;
    let (first, link) = round(
        &sim,
        "/v1.0/users/delta?$select=displayName,accountEnabled,assignedLicenses",
    )
    .await;
    let seen: HashSet<String> = first
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seen, listed_ids(&sim.tenant()).into_iter().collect());
    assert!(link.contains("$deltatoken="), "{link}");

    // Nothing changed: an empty round.
    let (same, link) = round(&sim, &link).await;
    assert!(same.is_empty(), "{same:?}");

    let mut tenant = sim.tenant();
    let renamed = tenant.nth_user(3).unwrap();
    let deleted = tenant.nth_user(4).unwrap();
    let binned = tenant.nth_user(5).unwrap();
    tenant
        .rename_user(&renamed.user_principal_name, "Renamed Person")
        .unwrap();
    tenant.delete_user(&deleted.user_principal_name).unwrap();
    tenant.soft_delete_user(&binned.user_principal_name).unwrap();
    let added = tenant
        .add_user(&NewUser {
            user_principal_name: "zoë.ñandú@contoso-demo.example".into(),
            display_name: "Zoë Ñandú".into(),
            usage_location: Some("NL".into()),
            account_enabled: true,
        })
        .unwrap();

    let (changes, link) = round(&sim, &link).await;
    assert_eq!(changes.len(), 4, "{changes:?}");
    let by_id = |id: &str| changes.iter().find(|c| c["id"] == id).unwrap().clone();
    assert_eq!(by_id(&renamed.id)["displayName"], "Renamed Person");
    assert_eq!(by_id(&deleted.id)["@removed"]["reason"], "deleted");
    assert_eq!(by_id(&binned.id)["@removed"]["reason"], "changed");
    assert_eq!(by_id(&added.id)["displayName"], "Zoë Ñandú");

    // A change to a property the round does not track is not reported.
    let other = tenant.nth_user(10).unwrap();
    tenant
        .set_account_enabled(&other.user_principal_name, false)
        .unwrap();
    let (tracked, narrow) = round(&sim, "/v1.0/users/delta?$select=displayName").await;
    assert!(!tracked.is_empty());
    tenant
        .set_account_enabled(&other.user_principal_name, true)
        .unwrap();
    let (none, _) = round(&sim, &narrow).await;
    assert!(none.is_empty(), "{none:?}");
    let (one, _) = round(&sim, &link).await;
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["accountEnabled"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_delta_links_answer_sync_state_not_found() {
    let sim = Sim::start().await;
    let (_, link) = round(&sim, "/v1.0/users/delta?$select=displayName").await;
    sim.tenant().expire_delta_tokens().unwrap();
    let (status, _, body) = sim.get(&link).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&body), "syncStateNotFound");
    assert_eq!(message(&body), EXPIRED);

    // A new round gives a link that works again; the fault expires it.
    let (_, link) = round(&sim, "/v1.0/users/delta?$select=displayName").await;
    assert_eq!(sim.get(&link).await.0, StatusCode::OK);
    sim.handle.set_faults("expire-delta".parse::<Faults>().unwrap());
    let (status, _, body) = sim.get(&link).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "syncStateNotFound")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delta_links_expire_after_their_lifetime() {
    let sim = Sim::start_with(|c| c.delta_lifetime = Duration::from_millis(1)).await;
    let (_, link) = round(&sim, "/v1.0/users/delta?$select=displayName").await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let (status, _, body) = sim.get(&link).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "syncStateNotFound")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deltatoken_latest_starts_from_now() {
    let sim = Sim::start().await;
    let (items, link) = round(&sim, "/v1.0/users/delta?$deltatoken=latest&$select=displayName").await;
    assert!(items.is_empty());
    let mut tenant = sim.tenant();
    let user = tenant.nth_user(0).unwrap();
    tenant.rename_user(&user.id, "Someone Else").unwrap();
    let (changes, _) = round(&sim, &link).await;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["id"], user.id.as_str());
}
