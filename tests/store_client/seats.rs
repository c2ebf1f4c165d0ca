//! Seats: read page by page, assigned and reclaimed with the store's
//! counts following, refused as the store refuses (409 "Not online", no
//! seat left, 404s), and changed in bulk with a partial failure.

use seats::connectors::{ErrorClass, ErrorKind};
use seats::domain::store_business::{SeatAction, SeatOutcome, SeatRefusal, SeatState};

use crate::support::{App, Env, bounded};

async fn available(env: &Env, app: &App) -> i64 {
    let entries = bounded(env.client().inventory()).await.unwrap();
    entries
        .iter()
        .find(|e| e.key.product_id == app.product)
        .unwrap()
        .available_seats
}

fn refusal(err: &seats::connectors::ConnectorError) -> (SeatRefusal, Option<String>) {
    match err.kind() {
        ErrorKind::StoreRefused { reason, user, .. } => (*reason, user.clone()),
        other => panic!("not a store refusal: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seats_are_read_page_by_page() {
    let env = Env::start().await;
    let to_do = env.app("Microsoft To Do (Online)");
    let held = env.holders(&to_do);
    assert!(held.len() > 20, "enough seats for pages: {}", held.len());
    let client = env.client_with(|c| c.seats_page = 10);
    let seats = bounded(client.seats(&to_do.product, &to_do.sku)).await.unwrap();
    let mut read: Vec<String> = seats.iter().map(|s| s.assigned_to.to_lowercase()).collect();
    let mut expected: Vec<String> = held.iter().map(|u| u.to_lowercase()).collect();
    read.sort();
    expected.sort();
    assert_eq!(read, expected);
    assert!(
        seats
            .iter()
            .all(|s| s.state == SeatState::Active && s.date_assigned.is_some())
    );
    let pages = env.requests_like(&format!(
        "GET /V1/Inventory/{}/{}/Seats",
        to_do.product, to_do.sku
    ));
    assert_eq!(pages.len(), held.len() / 10 + 1, "{pages:?}");

    let user = &held[0];
    let mine = bounded(client.user_seats(user)).await.unwrap();
    assert!(mine.iter().any(|s| s.key.product_id == to_do.product), "{mine:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assign_and_reclaim_change_the_available_seats() {
    let env = Env::start().await;
    let client = env.client();
    let to_do = env.app("Microsoft To Do (Online)");
    let user = env.users_without(&to_do, 1).remove(0);
    let before = available(&env, &to_do).await;

    let seat = bounded(client.assign(&to_do.product, &to_do.sku, &user))
        .await
        .unwrap();
    assert_eq!(
        (seat.assigned_to.as_str(), seat.state),
        (user.as_str(), SeatState::Active)
    );
    assert_eq!(available(&env, &to_do).await, before - 1);
    // Assigning again changes nothing.
    bounded(client.assign(&to_do.product, &to_do.sku, &user))
        .await
        .unwrap();
    assert_eq!(available(&env, &to_do).await, before - 1);
    assert!(env.holders(&to_do).contains(&user));

    let seat = bounded(client.reclaim(&to_do.product, &to_do.sku, &user))
        .await
        .unwrap();
    assert_eq!(seat.state, SeatState::Revoked);
    assert_eq!(available(&env, &to_do).await, before);
    let listed = bounded(client.seats(&to_do.product, &to_do.sku)).await.unwrap();
    assert!(listed.iter().all(|s| !s.assigned_to.eq_ignore_ascii_case(&user)));

    // A second reclaim: the user holds no seat any more.
    let err = bounded(client.reclaim(&to_do.product, &to_do.sku, &user))
        .await
        .unwrap_err();
    assert_eq!(refusal(&err), (SeatRefusal::NoSeat, Some(user.clone())));
    assert!(err.to_string().contains(&user), "{err}");
    env.assert_clean(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_app_answers_not_online() {
    let env = Env::start().await;
    let client = env.client();
    let portal = env.app("Company Portal (Offline)");
    // The name is learnt from a read, then named in the error.
    bounded(client.localized(&portal.product, &portal.sku, "en-US"))
        .await
        .unwrap();
    let user = env.users_without(&portal, 1).remove(0);
    let err = bounded(client.assign(&portal.product, &portal.sku, &user))
        .await
        .unwrap_err();
    assert_eq!(refusal(&err), (SeatRefusal::NotOnline, Some(user.clone())));
    assert_eq!(err.class(), ErrorClass::Refused);
    let text = err.to_string();
    assert!(
        text.contains("Company Portal (") && text.contains(&user),
        "{text}"
    );
    assert!(text.contains("Not online") && text.contains("offline"), "{text}");
    assert_eq!(err.detail().map(|d| d.status), Some(409));
    env.assert_clean(&err);

    let err = bounded(client.seats(&portal.product, &portal.sku))
        .await
        .unwrap_err();
    assert_eq!(refusal(&err).0, SeatRefusal::NotOnline);
    let err = bounded(client.reclaim(&portal.product, &portal.sku, &user))
        .await
        .unwrap_err();
    assert_eq!(refusal(&err).0, SeatRefusal::NotOnline);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restricted_app_refuses_past_its_last_seat() {
    let env = Env::start().await;
    let client = env.client_with(|c| c.bulk_chunk = 7);
    let drawboard = env.app("Drawboard PDF (Online)");
    let left = available(&env, &drawboard).await;
    assert!(left > 0, "the demo leaves spare seats");
    let users = env.users_without(&drawboard, left as usize + 2);
    let (fill, extra) = users.split_at(left as usize);

    let outcomes = bounded(client.bulk(&drawboard.product, &drawboard.sku, fill, SeatAction::Assign))
        .await
        .unwrap();
    assert!(outcomes.iter().all(SeatOutcome::succeeded), "{outcomes:?}");
    assert_eq!(available(&env, &drawboard).await, 0);

    let err = bounded(client.assign(&drawboard.product, &drawboard.sku, &extra[0]))
        .await
        .unwrap_err();
    assert_eq!(refusal(&err), (SeatRefusal::NoSeatsLeft, Some(extra[0].clone())));
    assert_eq!(err.class(), ErrorClass::Refused);
    assert!(err.to_string().contains(&extra[0]), "{err}");
    env.assert_clean(&err);

    // Freeing one seat lets the next user in.
    bounded(client.reclaim(&drawboard.product, &drawboard.sku, &fill[0]))
        .await
        .unwrap();
    bounded(client.assign(&drawboard.product, &drawboard.sku, &extra[0]))
        .await
        .unwrap();
    assert_eq!(available(&env, &drawboard).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_reports_each_user_with_a_partial_failure() {
    let env = Env::start().await;
    let client = env.client_with(|c| c.bulk_chunk = 2);
    let to_do = env.app("Microsoft To Do (Online)");
    let mut users = env.users_without(&to_do, 3);
    users.insert(1, "nobody@nowhere.example".to_owned());
    let before = available(&env, &to_do).await;

    let outcomes = bounded(client.bulk(&to_do.product, &to_do.sku, &users, SeatAction::Assign))
        .await
        .unwrap();
    assert_eq!(outcomes.len(), 4);
    assert!(matches!(&outcomes[0], SeatOutcome::Assigned(s) if s.assigned_to == users[0]));
    assert!(
        matches!(&outcomes[1], SeatOutcome::Failed { user, reason: SeatRefusal::UnknownUser, .. } if user == &users[1]),
        "{:?}",
        outcomes[1]
    );
    assert!(outcomes[2].succeeded() && outcomes[3].succeeded(), "{outcomes:?}");
    assert_eq!(available(&env, &to_do).await, before - 3);
    let posts = env.requests_like(&format!(
        "POST /V1/Inventory/{}/{}/Seats",
        to_do.product, to_do.sku
    ));
    assert_eq!(posts.len(), 2, "chunks of 2: {posts:?}");

    let back = bounded(client.bulk(&to_do.product, &to_do.sku, &users[..1], SeatAction::Reclaim))
        .await
        .unwrap();
    assert!(matches!(&back[0], SeatOutcome::Reclaimed(s) if s.state == SeatState::Revoked));

    // An offline app: every user "Not online", as its own outcome.
    let portal = env.app("Company Portal (Offline)");
    let outcomes = bounded(client.bulk(&portal.product, &portal.sku, &users[..2], SeatAction::Assign))
        .await
        .unwrap();
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, SeatOutcome::NotOnline { .. })),
        "{outcomes:?}"
    );

    // An unknown app refuses the call as a whole.
    let err = bounded(client.bulk("9NOSUCHAPP00", "0010", &users, SeatAction::Assign))
        .await
        .unwrap_err();
    assert_eq!(refusal(&err).0, SeatRefusal::UnknownApp);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_users_apps_and_seats_are_404s_naming_them() {
    let env = Env::start().await;
    let client = env.client();
    let to_do = env.app("Microsoft To Do (Online)");
    let ghost = "ghost@nowhere.example";

    let err = bounded(client.assign(&to_do.product, &to_do.sku, ghost))
        .await
        .unwrap_err();
    assert_eq!(refusal(&err), (SeatRefusal::UnknownUser, Some(ghost.to_owned())));
    assert!(err.to_string().contains(ghost), "{err}");
    assert_eq!(err.detail().map(|d| d.status), Some(404));

    let err = bounded(client.user_seats(ghost)).await.unwrap_err();
    assert_eq!(refusal(&err).0, SeatRefusal::UnknownUser);

    let user = env.users_without(&to_do, 1).remove(0);
    let err = bounded(client.assign("9NOSUCHAPP00", "0010", &user))
        .await
        .unwrap_err();
    assert_eq!(refusal(&err), (SeatRefusal::UnknownApp, Some(user)));
    let err = bounded(client.seats("9NOSUCHAPP00", "0010")).await.unwrap_err();
    assert_eq!(refusal(&err).0, SeatRefusal::UnknownApp);
    env.assert_clean(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_for_the_last_seat_only_one_wins() {
    let env = Env::start().await;
    let client = env.client();
    let drawboard = env.app("Drawboard PDF (Online)");
    let held = env.holders(&drawboard).len() as i64;
    env.tenant()
        .set_store_capacity(&drawboard.product, &drawboard.sku, held + 1)
        .unwrap();
    let users = env.users_without(&drawboard, 5);
    let tries = users.iter().map(|user| {
        let (client, app, user) = (client.clone(), drawboard.clone(), user.clone());
        tokio::spawn(async move { client.assign(&app.product, &app.sku, &user).await })
    });
    let mut results = Vec::new();
    for task in tries.collect::<Vec<_>>() {
        results.push(bounded(task).await.unwrap());
    }
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    for err in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(refusal(err).0, SeatRefusal::NoSeatsLeft);
    }
    assert_eq!(available(&env, &drawboard).await, 0);
    assert_eq!(env.holders(&drawboard).len() as i64, held + 1);
}
