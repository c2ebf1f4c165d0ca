//! Pushing license changes (apis.md 1.4, 1.7): assignLicense on users and
//! groups, Graph's refusals with its exact message, and `$batch`.

use std::time::Duration;

use seats::connectors::graph::{GraphClient, PushOutcome};
use seats::connectors::{ErrorClass, ErrorKind, RetryPolicy};
use seats::domain::source::{ChangeTarget, LicenseChange};
use seats::sim::NewUser;

use super::support::{Env, bounded, strings, users_without};

fn add(user: &str, sku: &str) -> LicenseChange {
    LicenseChange {
        target: ChangeTarget::User(user.to_owned()),
        add: vec![sku.to_owned()],
        remove: vec![],
    }
}

/// `consumedUnits` of a SKU as Graph reports it.
async fn consumed(client: &GraphClient, sku_id: &str) -> i64 {
    let skus = bounded(client.subscribed_skus()).await.unwrap();
    skus.iter().find(|s| s.sku_id == sku_id).unwrap().consumed_units
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assigning_and_removing_a_user_license_moves_consumed_units() {
    let env = Env::start().await;
    let tenant = env.tenant();
    let client = env.client();
    let sku = tenant.sku_id("EMSPREMIUM").unwrap();
    let user = users_without(&tenant, &sku, 1).remove(0);
    let before = consumed(&client, &sku).await;

    let outcome = bounded(client.assign_license(&add(&user, &sku))).await.unwrap();
    assert_eq!(outcome, PushOutcome::Applied);
    assert_eq!(consumed(&client, &sku).await, before + 1);
    // Again: harmless, nothing moves.
    bounded(client.assign_license(&add(&user, &sku))).await.unwrap();
    assert_eq!(consumed(&client, &sku).await, before + 1);

    let remove = LicenseChange {
        target: ChangeTarget::User(user.clone()),
        add: vec![],
        remove: vec![sku.clone()],
    };
    assert_eq!(
        bounded(client.assign_license(&remove)).await.unwrap(),
        PushOutcome::Applied
    );
    assert_eq!(consumed(&client, &sku).await, before);
    // Both keys are always sent: Graph refuses a body without either.
    assert_eq!(
        env.requests_like(&format!("POST /v1.0/users/{user}/assignLicense")),
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seat_exhaustion_is_refused_with_graphs_exact_message() {
    let env = Env::start().await;
    let mut tenant = env.tenant();
    let client = env.client();
    let sku = tenant.sku_id("EMSPREMIUM").unwrap();
    let held = tenant.held_seats("EMSPREMIUM").unwrap();
    tenant.set_prepaid_units("EMSPREMIUM", held).unwrap();
    let user = users_without(&tenant, &sku, 1).remove(0);

    let err = bounded(client.assign_license(&add(&user, &sku)))
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Refused { .. }), "{err:?}");
    assert_eq!(err.class(), ErrorClass::Refused);
    let exact = format!("Subscription with SKU {sku} does not have any available licenses.");
    assert_eq!(err.source_message(), Some(exact.as_str()));
    let text = err.to_string();
    assert!(
        text.contains(&format!("refused the license change for {user}: {exact}")),
        "{text}"
    );
    assert!(err.request_id().is_some());
    assert_eq!(tenant.held_seats("EMSPREMIUM").unwrap(), held);
    env.assert_clean(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_without_usage_location_is_refused() {
    let env = Env::start().await;
    let mut tenant = env.tenant();
    let nowhere = tenant
        .add_user(&NewUser {
            user_principal_name: "nowhere@contoso.example".to_owned(),
            display_name: "No Where".to_owned(),
            usage_location: None,
            account_enabled: true,
        })
        .unwrap();
    let sku = tenant.sku_id("EMS").unwrap();
    let err = bounded(
        env.client()
            .assign_license(&add(&nowhere.user_principal_name, &sku)),
    )
    .await
    .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Refused, "{err}");
    assert_eq!(
        err.source_message(),
        Some("License assignment cannot be done for user with invalid usage location.")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_failures_are_not_refusals() {
    let env = Env::start().await;
    let client = env.client();
    let sku = env.tenant().sku_id("EMS").unwrap();
    let err = bounded(client.assign_license(&add("nobody@contoso.example", &sku)))
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Rejected { .. }), "{err:?}");
    assert_eq!(err.class(), ErrorClass::Fatal);
    assert_eq!(err.detail().unwrap().status, 404);

    env.faults("503=1,retry-after=0.01");
    let err = bounded(client.assign_license(&add("nobody@contoso.example", &sku)))
        .await
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Transient, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_assignment_is_accepted_and_processed_later() {
    let env = Env::start().await;
    let tenant = env.tenant();
    let client = env.client();
    let sku = tenant.sku_id("TEAMS_EXPLORATORY").unwrap();
    let group = strings(
        &tenant,
        "SELECT g.source_id FROM groups g WHERE NOT EXISTS (SELECT 1 FROM group_assignments ga \
         JOIN pools p ON p.id = ga.pool_id WHERE ga.group_id = g.id AND p.sku_id = ?1) ORDER BY g.id",
        [&sku],
    )
    .remove(0);
    let change = LicenseChange {
        target: ChangeTarget::Group(group.clone()),
        add: vec![sku.clone()],
        remove: vec![],
    };
    assert_eq!(
        bounded(client.assign_license(&change)).await.unwrap(),
        PushOutcome::Accepted
    );
    let groups = bounded(client.groups().all()).await.unwrap();
    let read = groups.iter().find(|g| g.source_id == group).unwrap();
    assert!(read.licenses.contains(&sku), "{read:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_45_goes_in_3_requests_with_one_outcome_per_change() {
    let env = Env::start().await;
    let mut tenant = env.tenant();
    let client = env.client();
    let sku = tenant.sku_id("AAD_PREMIUM_P2").unwrap();
    let users = users_without(&tenant, &sku, 45);
    assert_eq!(users.len(), 45);
    let held = tenant.held_seats("AAD_PREMIUM_P2").unwrap();
    // Seats for 40 of them: 5 are refused, whichever batch they are in.
    tenant.set_prepaid_units("AAD_PREMIUM_P2", held + 40).unwrap();

    let changes: Vec<LicenseChange> = users.iter().map(|u| add(u, &sku)).collect();
    let outcomes = bounded(client.push_batch(changes)).await;
    assert_eq!(outcomes.len(), 45);
    let applied = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(PushOutcome::Applied)))
        .count();
    let exact = format!("Subscription with SKU {sku} does not have any available licenses.");
    let refused: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    assert_eq!((applied, refused.len()), (40, 5), "{outcomes:?}");
    for err in &refused {
        assert_eq!(err.class(), ErrorClass::Refused);
        assert_eq!(err.source_message(), Some(exact.as_str()));
        env.assert_clean(err);
    }
    // Each outcome is the change's own: refused users hold no seat.
    for (user, outcome) in users.iter().zip(&outcomes) {
        let holds = !users_without(&tenant, &sku, 1000).contains(user);
        assert_eq!(holds, outcome.is_ok(), "{user}");
    }
    assert_eq!(tenant.held_seats("AAD_PREMIUM_P2").unwrap(), held + 40);
    assert_eq!(env.requests_like("POST /v1.0/$batch"), 3);
    assert_eq!(env.requests_like("batch POST /v1.0/users/"), 45);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_parts_of_a_batch_are_sent_again() {
    let env = Env::start().await;
    let mut tenant = env.tenant();
    let client = env.client_with(|c| {
        c.http.retry = RetryPolicy {
            max_retries: 20,
            max_total_wait: Duration::from_secs(10),
            backoff_base: Duration::from_millis(5),
            backoff_max: Duration::from_millis(20),
        }
    });
    let sku = tenant.sku_id("ATP_ENTERPRISE").unwrap();
    let users = users_without(&tenant, &sku, 25);
    assert_eq!(users.len(), 25);
    let before = tenant.held_seats("ATP_ENTERPRISE").unwrap();
    tenant.set_prepaid_units("ATP_ENTERPRISE", before + 100).unwrap();
    let mut changes: Vec<LicenseChange> = users.iter().map(|u| add(u, &sku)).collect();
    // An empty change needs no request and is applied as it is.
    changes.push(LicenseChange {
        target: ChangeTarget::User(users[0].clone()),
        add: vec![],
        remove: vec![],
    });
    env.faults("429=0.4,retry-after=0.01,seed=9");
    let outcomes = bounded(client.push_batch(changes)).await;
    env.faults("");
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    assert_eq!(tenant.held_seats("ATP_ENTERPRISE").unwrap(), before + 25);
    // With 26 draws at 0.4 some parts were throttled (the simulator logs
    // only the parts it served); they succeeded only by being sent again,
    // in more batches than the 2 the changes need.
    assert_eq!(env.requests_like("batch POST /v1.0/users/"), 25);
    assert!(env.requests_like("POST /v1.0/$batch") > 2);
}
