//! Paged reads: assets across pages (also while `totalPages` changes), the
//! page guard, users and assignments in full and since a version, and the
//! full read again when Apple no longer knows the version (9721).

use std::collections::HashSet;

use seats::connectors::ErrorKind;
use seats::connectors::apple::NewAppleUser;
use seats::domain::apple::{AppleHolder, AppleUserStatus, AssetKind};

use crate::support::{Env, PAGE, settle, with_status};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_come_from_every_page_with_their_kinds_and_counts() {
    let env = Env::start().await;
    let assets = env.client().assets().await.unwrap();
    assert!(assets.len() >= 7, "{assets:?}");
    assert!(
        env.requests_like("GET /mdm/v2/assets?pageIndex=1").len() == 1,
        "a second page was read"
    );
    let ids: HashSet<_> = assets.iter().map(|a| &a.adam_id).collect();
    assert_eq!(ids.len(), assets.len(), "no asset twice");
    assert!(
        assets
            .iter()
            .all(|a| a.adam_id.chars().all(|c| c.is_ascii_digit()))
    );
    let book = assets.iter().find(|a| a.kind == AssetKind::Book).unwrap();
    assert!(!book.device_assignable && book.total.is_some());
    assert!(assets.iter().any(|a| a.total.is_none()), "a free, unlimited app");
    assert!(
        assets
            .iter()
            .any(|a| a.kind == AssetKind::App && a.device_assignable)
    );
    for a in assets.iter().filter(|a| a.total.is_some()) {
        assert_eq!(a.total.unwrap(), a.assigned + a.available, "{a:?}");
    }
    let keynote = assets.iter().find(|a| a.adam_id == "361285480").unwrap();
    assert!(keynote.total.is_none() && keynote.assigned > 0, "{keynote:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_survive_total_pages_changing_mid_read() {
    let env = Env::start().await;
    let client = env.client();
    let before = client.assets().await.unwrap().len();
    env.sim.apple_change_assets_mid_read(6).unwrap();
    let grown = client.assets().await.unwrap();
    assert_eq!(
        grown.len(),
        before + 6,
        "the pages added during the read were followed"
    );
    env.sim.apple_change_assets_mid_read(-6).unwrap();
    let shrunk = client.assets().await.unwrap();
    let ids: HashSet<_> = shrunk.iter().map(|a| &a.adam_id).collect();
    assert_eq!(ids.len(), shrunk.len());
    assert!(
        shrunk.len() <= before + 6 && shrunk.len() >= before - 2,
        "{} of {before}",
        shrunk.len()
    );
    assert_eq!(client.assets().await.unwrap().len(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_guard_stops_a_read_that_does_not_end() {
    let env = Env::start().await;
    let err = env.client_with(|c| c.max_pages = 1).assets().await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::PagingLoop { .. }), "{err:?}");
    env.assert_clean(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_and_assignments_read_in_full_then_since_a_version() {
    let env = Env::start().await;
    let client = env.client();
    let users = client.users(None).await.unwrap();
    assert!(users.full && users.version_id.is_some());
    assert!(users.items.len() > PAGE, "several pages: {}", users.items.len());
    let registered = with_status(&users.items, AppleUserStatus::Registered);
    assert!(!registered.is_empty() && registered.iter().all(|u| u.invite_code.is_some()));
    let associated = with_status(&users.items, AppleUserStatus::Associated);
    assert!(associated.iter().all(|u| u.invite_code.is_none()));
    assert_eq!(with_status(&users.items, AppleUserStatus::Retired).len(), 1);
    assert!(users.items.iter().any(|u| u.is_own()) && users.items.iter().any(|u| !u.is_own()));
    let assignments = client.assignments(None).await.unwrap();
    assert!(assignments.full && assignments.items.len() > PAGE);
    let foreign = assignments
        .items
        .iter()
        .filter(|a| matches!(&a.holder, AppleHolder::User(u) if !u.starts_with("seats:")))
        .count();
    assert!(foreign >= 3, "another MDM's assignments are listed ({foreign})");
    assert!(
        assignments
            .items
            .iter()
            .any(|a| matches!(a.holder, AppleHolder::Device(_)))
    );

    // Nothing changed: an empty delta (not an end signal), same version.
    let since = users.version_id.clone().unwrap();
    let none = client.users(Some(&since)).await.unwrap();
    assert!(!none.full && none.items.is_empty());
    assert_eq!(none.version_id.as_deref(), Some(since.as_str()));

    // One new user, one new assignment: only they come back.
    let new = NewAppleUser {
        client_user_id: "seats:new.hire@example.com".into(),
        email: Some("new.hire@example.com".into()),
    };
    let events = client.create_users(&[new]).await.unwrap();
    settle(&client, &events[0]).await;
    let asset = client
        .assets()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.total.is_none())
        .unwrap();
    let holder = AppleHolder::User("seats:new.hire@example.com".into());
    let events = client
        .associate(&[(&asset.adam_id, &asset.pricing)], std::slice::from_ref(&holder))
        .await
        .unwrap();
    settle(&client, &events[0]).await;
    let delta = client.users(Some(&since)).await.unwrap();
    assert!(!delta.full);
    assert_eq!(delta.items.len(), 1, "{:?}", delta.items);
    assert_eq!(delta.items[0].status, AppleUserStatus::Registered);
    assert_ne!(delta.version_id.as_deref(), Some(since.as_str()));
    let delta = client
        .assignments(assignments.version_id.as_deref())
        .await
        .unwrap();
    assert_eq!(delta.items.len(), 1, "{:?}", delta.items);
    assert_eq!(delta.items[0].holder, holder);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_version_reads_everything_again() {
    let env = Env::start().await;
    let client = env.client();
    let first = client.users(None).await.unwrap();
    env.sim.apple_expire_versions().unwrap();
    let again = client.users(first.version_id.as_deref()).await.unwrap();
    assert!(again.full, "9721 falls back to a full read");
    assert_eq!(again.items.len(), first.items.len());
    assert_ne!(again.version_id, first.version_id);
    let assignments = client.assignments(Some("garbage-version")).await.unwrap();
    assert!(assignments.full && !assignments.items.is_empty());
    assert!(
        !env.requests_like("GET /mdm/v2/assignments?sinceVersionId=garbage-version")
            .is_empty()
    );
}

/// Page `index` of `/users` as the wire has it.
async fn users_page(env: &Env, index: i64) -> serde_json::Value {
    reqwest::Client::new()
        .get(format!("{}/users?pageIndex={index}", env.sim.apple_api_url()))
        .header("Authorization", format!("Bearer {}", env.token_text()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Issue 8: the simulator pages by keyset from page starts computed once
/// per version; a change between two pages still shows, as Apple's
/// `totalPages` does, and the next full read has everyone once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_pages_follow_a_change_made_mid_read() {
    let env = Env::start().await;
    let client = env.client();
    let before = client.users(None).await.unwrap().items.len();
    let first = users_page(&env, 0).await;
    let total = first["totalPages"].as_i64().unwrap();
    assert_eq!(users_page(&env, total).await["errorNumber"], 9650);
    let hires: Vec<NewAppleUser> = (0..=PAGE)
        .map(|n| NewAppleUser {
            client_user_id: format!("seats:hire{n}@example.com"),
            email: Some(format!("hire{n}@example.com")),
        })
        .collect();
    let events = client.create_users(&hires).await.unwrap();
    settle(&client, &events[0]).await;
    let last = users_page(&env, total - 1).await;
    assert!(last["totalPages"].as_i64().unwrap() > total, "{last}");
    assert_eq!(last["nextPageIndex"], total);
    assert_ne!(last["versionId"], first["versionId"]);
    let page = users_page(&env, total).await;
    assert_eq!(page["currentPageIndex"], total);
    assert!(!page["users"].as_array().unwrap().is_empty());
    let after = client.users(None).await.unwrap().items;
    assert_eq!(after.len(), before + hires.len());
    for hire in &hires {
        let found = after
            .iter()
            .filter(|u| u.client_user_id == hire.client_user_id)
            .count();
        assert_eq!(found, 1, "{}", hire.client_user_id);
    }
}
