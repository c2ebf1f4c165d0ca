//! `users/delta` (apis.md 1.8): a first round through every user, then only
//! what changed; removals soft and permanent; expired links as their own
//! error so the caller reads everything again.

use std::collections::HashMap;

use seats::connectors::graph::GraphClient;
use seats::connectors::{ErrorClass, ErrorKind};
use seats::domain::source::UserChange;
use seats::sim::NewUser;

use super::support::{Env, bounded};

/// A whole delta round: the changes and the deltaLink to store.
async fn round(client: &GraphClient, link: Option<&str>) -> (Vec<UserChange>, String) {
    let mut pages = client.users_delta(link);
    let mut changes = Vec::new();
    while let Some(page) = bounded(pages.next_page()).await.unwrap() {
        changes.extend(page.items);
    }
    let next = pages
        .delta_link()
        .expect("a round ends with a deltaLink")
        .to_owned();
    (changes, next)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_round_then_exactly_the_changes() {
    let env = Env::start().await;
    let mut tenant = env.tenant();
    let client = env.client();
    let (first, link) = round(&client, None).await;
    assert_eq!(first.len() as u64, tenant.user_count().unwrap());
    assert!(first.iter().all(|c| matches!(c, UserChange::Upsert(_))));
    assert!(link.contains("$deltatoken="), "{link}");

    let renamed = tenant.nth_user(3).unwrap();
    let soft = tenant.nth_user(4).unwrap();
    let gone = tenant.nth_user(5).unwrap();
    let disabled = tenant.nth_user(6).unwrap();
    tenant.rename_user(&renamed.id, "Renée Renamed").unwrap();
    tenant.soft_delete_user(&soft.id).unwrap();
    tenant.delete_user(&gone.id).unwrap();
    tenant.disable_user(&disabled.id).unwrap();
    let added = tenant
        .add_user(&NewUser {
            user_principal_name: "new.hire@contoso.example".to_owned(),
            display_name: "New Hire".to_owned(),
            usage_location: Some("DE".to_owned()),
            account_enabled: true,
        })
        .unwrap();

    let (changes, next) = round(&client, Some(&link)).await;
    assert_ne!(next, link);
    let by_id: HashMap<String, UserChange> = changes
        .into_iter()
        .map(|c| match &c {
            UserChange::Upsert(u) => (u.source_id.clone(), c),
            UserChange::Removed { source_id, .. } => (source_id.clone(), c),
        })
        .collect();
    assert_eq!(by_id.len(), 5, "{by_id:#?}");
    match &by_id[&renamed.id] {
        UserChange::Upsert(u) => {
            assert_eq!(u.display_name, "Renée Renamed");
            assert_eq!(u.upn, renamed.user_principal_name);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        by_id[&soft.id],
        UserChange::Removed {
            source_id: soft.id.clone(),
            permanent: false
        }
    );
    assert_eq!(
        by_id[&gone.id],
        UserChange::Removed {
            source_id: gone.id.clone(),
            permanent: true
        }
    );
    assert!(matches!(&by_id[&disabled.id], UserChange::Upsert(u) if !u.enabled));
    assert!(matches!(&by_id[&added.id], UserChange::Upsert(u) if u.upn == "new.hire@contoso.example"));

    // Nothing changed since: an empty page with a new deltaLink.
    let (none, _) = round(&client, Some(&next)).await;
    assert!(none.is_empty(), "{none:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_delta_link_is_its_own_error() {
    let env = Env::start().await;
    let client = env.client();
    let (_, link) = round(&client, None).await;
    env.tenant().expire_delta_tokens().unwrap();
    let err = bounded(client.users_delta(Some(&link)).all()).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::DeltaExpired { .. }), "{err:?}");
    assert_eq!(err.class(), ErrorClass::DeltaExpired);
    assert_eq!(err.detail().unwrap().code.as_deref(), Some("syncStateNotFound"));
    let text = err.to_string();
    assert!(
        text.contains("the delta link of") && text.contains("a full sync"),
        "{text}"
    );
    assert!(!text.contains("$deltatoken"), "{text}");
    env.assert_clean(&err);

    // The `expire-delta` fault, and a link stored for another --graph-url.
    let (_, link) = round(&client, None).await;
    env.faults("expire-delta");
    let err = bounded(client.users_delta(Some(&link)).all()).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::DeltaExpired, "{err}");
    env.faults("");
    let elsewhere = link.replace("127.0.0.1", "localhost");
    let err = bounded(client.users_delta(Some(&elsewhere)).all())
        .await
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::DeltaExpired, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delta_without_the_audit_log_permission_goes_on_with_a_warning() {
    let env = Env::start_with(|c| c.sign_in_activity_allowed = false).await;
    let client = env.client();
    let mut pages = client.users_delta(None);
    let mut count = 0;
    while let Some(page) = bounded(pages.next_page()).await.unwrap() {
        count += page.items.len();
    }
    assert_eq!(count as u64, env.tenant().user_count().unwrap());
    assert!(!pages.sign_in_read());
    assert!(pages.delta_link().is_some());
}
