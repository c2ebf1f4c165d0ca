//! Asynchronous changes: associate PENDING → COMPLETE with counts that
//! change, FAILED 9709 beyond the licenses left, users created with an
//! invitation link, retired, chunked to the service's limits.

use seats::connectors::apple::{AppleClient, NewAppleUser};
use seats::domain::apple::{AppleAsset, AppleEventStatus, AppleHolder, AppleUserStatus};

use crate::support::{Env, settle};

async fn asset(client: &AppleClient, adam: &str) -> AppleAsset {
    client
        .assets()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.adam_id == adam)
        .unwrap()
}

/// Creates `n` users in seats' namespace and waits for them.
async fn new_users(client: &AppleClient, prefix: &str, n: usize) -> Vec<AppleHolder> {
    let users: Vec<NewAppleUser> = (0..n)
        .map(|i| NewAppleUser {
            client_user_id: format!("seats:{prefix}{i}@example.com"),
            email: None,
        })
        .collect();
    for event in client.create_users(&users).await.unwrap() {
        assert_eq!(settle(client, &event).await, AppleEventStatus::Complete);
    }
    users
        .into_iter()
        .map(|u| AppleHolder::User(u.client_user_id))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn associate_is_pending_then_complete_and_the_counts_change() {
    let env = Env::start().await;
    let client = env.client();
    let limited = client
        .assets()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.total.is_some() && a.available >= 2 && a.kind == seats::domain::apple::AssetKind::App)
        .unwrap();
    let holders = new_users(&client, "assoc", 2).await;
    let events = client
        .associate(&[(&limited.adam_id, &limited.pricing)], &holders)
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        client.event_status(&events[0]).await.unwrap(),
        AppleEventStatus::Pending
    );
    assert_eq!(
        asset(&client, &limited.adam_id).await.assigned,
        limited.assigned,
        "not before COMPLETE"
    );
    assert_eq!(settle(&client, &events[0]).await, AppleEventStatus::Complete);
    let after = asset(&client, &limited.adam_id).await;
    assert_eq!(
        (after.assigned, after.available),
        (limited.assigned + 2, limited.available - 2)
    );

    let events = client
        .disassociate(&[(&limited.adam_id, &limited.pricing)], &holders)
        .await
        .unwrap();
    assert_eq!(settle(&client, &events[0]).await, AppleEventStatus::Complete);
    let back = asset(&client, &limited.adam_id).await;
    assert_eq!(
        (back.assigned, back.available),
        (limited.assigned, limited.available)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn associate_beyond_the_licenses_left_fails_with_9709() {
    let env = Env::start().await;
    let client = env.client();
    let scarce = client
        .assets()
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.total.is_some())
        .min_by_key(|a| a.available)
        .unwrap();
    let holders = new_users(&client, "short", scarce.available as usize + 1).await;
    let events = client
        .associate(&[(&scarce.adam_id, &scarce.pricing)], &holders)
        .await
        .unwrap();
    match settle(&client, &events[0]).await {
        AppleEventStatus::Failed(failures) => {
            assert!(
                failures
                    .iter()
                    .any(|(n, m)| *n == 9709 && m.contains("Not enough")),
                "{failures:?}"
            );
        }
        other => panic!("expected FAILED, got {other:?}"),
    }
    let after = asset(&client, &scarce.adam_id).await;
    assert_eq!(
        (after.assigned, after.available),
        (scarce.assigned, scarce.available),
        "nothing applied"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn created_users_are_registered_with_an_invitation_link() {
    let env = Env::start().await;
    let client = env.client();
    let holders = new_users(&client, "invitee", 2).await;
    let AppleHolder::User(id) = &holders[0] else {
        unreachable!()
    };
    let users = client.users(None).await.unwrap().items;
    let user = users.iter().find(|u| &u.client_user_id == id).unwrap();
    assert_eq!(user.status, AppleUserStatus::Registered);
    let code = user.invite_code.clone().unwrap();
    let link = client.invitation_url(&code).await.unwrap().unwrap();
    assert!(
        link.contains(&format!("inviteCode={code}")) && !link.contains("%25"),
        "{link}"
    );

    // Creating it again fails (9716); accepting makes it Associated.
    let again = client
        .create_users(&[NewAppleUser {
            client_user_id: id.clone(),
            email: None,
        }])
        .await
        .unwrap();
    match settle(&client, &again[0]).await {
        AppleEventStatus::Failed(f) => assert_eq!(f[0].0, 9716),
        other => panic!("{other:?}"),
    }
    assert!(env.sim.apple_accept_invitation(id).unwrap());
    let users = client.users(None).await.unwrap().items;
    let user = users.iter().find(|u| &u.client_user_id == id).unwrap();
    assert_eq!(
        (user.status, user.invite_code.as_ref()),
        (AppleUserStatus::Associated, None)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retiring_a_user_takes_back_its_assets() {
    let env = Env::start().await;
    let client = env.client();
    let assignments = client.assignments(None).await.unwrap().items;
    let own = assignments
        .iter()
        .find_map(|a| match &a.holder {
            AppleHolder::User(u) if u.starts_with("seats:") => Some(u.clone()),
            _ => None,
        })
        .unwrap();
    let events = client.retire_users(&[&own]).await.unwrap();
    assert_eq!(settle(&client, &events[0]).await, AppleEventStatus::Complete);
    let users = client.users(None).await.unwrap().items;
    assert!(
        users
            .iter()
            .any(|u| u.client_user_id == own && u.status == AppleUserStatus::Retired)
    );
    assert!(
        !users
            .iter()
            .any(|u| u.client_user_id == own && u.status != AppleUserStatus::Retired)
    );
    let left = client.assignments(None).await.unwrap().items;
    assert!(!left.iter().any(|a| a.holder == AppleHolder::User(own.clone())));
    assert_eq!(
        left.len(),
        assignments
            .iter()
            .filter(|a| a.holder != AppleHolder::User(own.clone()))
            .count()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_are_chunked_to_the_service_limits() {
    let env = Env::start().await;
    let client = env.client();
    // maxUsers is 100: 101 users take two requests.
    let users: Vec<NewAppleUser> = (0..101)
        .map(|i| NewAppleUser {
            client_user_id: format!("seats:bulk{i}@example.com"),
            email: None,
        })
        .collect();
    let events = client.create_users(&users).await.unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(env.requests_like("POST /mdm/v2/users/create").len(), 2);
    for event in &events {
        assert_eq!(settle(&client, event).await, AppleEventStatus::Complete);
    }
    // Users and devices go in requests of their own.
    let assets = client.assets().await.unwrap();
    let app = assets
        .iter()
        .find(|a| a.device_assignable && a.total.is_none())
        .unwrap();
    let holders = [
        AppleHolder::User("seats:bulk0@example.com".into()),
        AppleHolder::Device("F00000000001".into()),
    ];
    let events = client
        .associate(&[(&app.adam_id, &app.pricing)], &holders)
        .await
        .unwrap();
    assert_eq!(events.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_event_is_9708() {
    let env = Env::start().await;
    let err = env.client().event_status("12345").await.unwrap_err();
    assert_eq!(err.detail().unwrap().apple_number(), Some(9708));
    env.assert_clean(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_products_users_are_never_changed() {
    let env = Env::start().await;
    let client = env.client();
    let foreign = client
        .users(None)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|u| !u.is_own())
        .unwrap();
    let before = env.sim.request_log().len();
    let asset = client.assets().await.unwrap().remove(0);
    let id = foreign.client_user_id.clone();
    let holder = [AppleHolder::User(id.clone())];
    let pair = [(asset.adam_id.as_str(), asset.pricing.as_str())];
    let errors = [
        client.retire_users(&[&id]).await.unwrap_err(),
        client.disassociate(&pair, &holder).await.unwrap_err(),
        client.associate(&pair, &holder).await.unwrap_err(),
        client
            .create_users(&[NewAppleUser {
                client_user_id: id.clone(),
                email: None,
            }])
            .await
            .unwrap_err(),
    ];
    for err in &errors {
        assert!(
            matches!(err.kind(), seats::connectors::ErrorKind::AppleNotOwn { .. }),
            "{err:?}"
        );
        assert!(
            err.to_string().contains("another device-management product"),
            "{err}"
        );
    }
    let posts = env.sim.request_log()[before..]
        .iter()
        .filter(|l| l.starts_with("POST"))
        .count();
    assert_eq!(posts, 0, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_asset_set_by_the_handle_fails_the_next_association() {
    let env = Env::start().await;
    let client = env.client();
    let app = client
        .assets()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.total.is_some() && a.assigned > 0)
        .unwrap();
    env.sim.apple_set_total(&app.adam_id, app.assigned).unwrap();
    assert_eq!(asset(&client, &app.adam_id).await.available, 0);
    let holders = new_users(&client, "late", 1).await;
    let events = client
        .associate(&[(&app.adam_id, &app.pricing)], &holders)
        .await
        .unwrap();
    assert!(matches!(settle(&client, &events[0]).await, AppleEventStatus::Failed(f) if f[0].0 == 9709));
    assert!(env.sim.apple_set_total("0", 1).is_err());
}
