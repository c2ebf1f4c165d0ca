//! `GET /Inventory`: every page through `continuationToken`, online and
//! offline apps, free ones too, with the store's seat counts.

use seats::domain::store_business::{DistributionPolicy, InventoryStatus, StoreLicenseType};

use crate::support::{Env, bounded, number, strings};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inventory_is_read_through_every_continuation_token() {
    let env = Env::start().await;
    let client = env.client_with(|c| c.inventory_page = 2);
    let entries = bounded(client.inventory()).await.unwrap();

    let tenant = env.tenant();
    let expected = number(&tenant, "SELECT count(*) FROM sim_store_products", []);
    assert!(
        expected >= 7,
        "the demo has at least 7 store apps, got {expected}"
    );
    assert_eq!(entries.len() as i64, expected, "every entry, once");
    let pages = env.requests_like("GET /V1/Inventory");
    assert_eq!(pages.len() as i64, (expected + 1) / 2, "{pages:?}");
    assert!(
        pages[0].contains("licenseTypes=online&licenseTypes=offline&maxResults=2"),
        "{pages:?}"
    );
    assert!(!pages[0].contains("continuationToken"), "{pages:?}");
    assert!(
        pages[1..].iter().all(|p| p.contains("continuationToken=")),
        "{pages:?}"
    );

    let has = |license, policy| {
        entries
            .iter()
            .any(|e| e.license_type == license && e.distribution == policy)
    };
    assert!(
        has(StoreLicenseType::Online, DistributionPolicy::Open),
        "a free online app"
    );
    assert!(
        has(StoreLicenseType::Online, DistributionPolicy::Restricted),
        "a paid online app"
    );
    assert!(
        has(StoreLicenseType::Offline, DistributionPolicy::Open),
        "a free offline app"
    );
    assert!(
        has(StoreLicenseType::Offline, DistributionPolicy::Restricted),
        "a paid offline app"
    );
    assert!(entries.iter().all(|e| e.status == InventoryStatus::Active));

    // Online seats are counted by the store; offline ones are not.
    let to_do = env.app("Microsoft To Do (Online)");
    let entry = entries
        .iter()
        .find(|e| e.key.product_id == to_do.product)
        .unwrap();
    let held = env.holders(&to_do).len() as i64;
    assert!(held > 0);
    assert_eq!(entry.seat_capacity - entry.available_seats, held);
    let portal = env.app("Company Portal (Offline)");
    let entry = entries
        .iter()
        .find(|e| e.key.product_id == portal.product)
        .unwrap();
    assert_eq!(entry.available_seats, entry.seat_capacity);
    assert!(entry.last_modified.as_deref().is_some_and(|t| t.ends_with('Z')));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn modified_since_and_removed_entries_and_an_empty_inventory() {
    let env = Env::start().await;
    let client = env.client();
    let tenant = env.tenant();
    let stamps = strings(
        &tenant,
        "SELECT last_modified FROM sim_store_products ORDER BY last_modified DESC",
        [],
    );
    let since = &stamps[2];
    let changed = bounded(client.inventory_since(Some(since))).await.unwrap();
    assert_eq!(changed.len(), 3, "the three entries modified at or after {since}");
    assert!(
        changed
            .iter()
            .all(|e| e.last_modified.as_deref() >= Some(since.as_str()))
    );

    // A refund and a purchase in the portal, of the two oldest entries:
    // both show as changed.
    let mut tenant = tenant;
    let apps = tenant.store_apps().unwrap();
    let (refunded, bought) = (&apps[apps.len() - 1], &apps[apps.len() - 2]);
    tenant.remove_store_app(&refunded.0, &refunded.1).unwrap();
    tenant.set_store_capacity(&bought.0, &bought.1, 500).unwrap();
    let now_changed = bounded(client.inventory_since(Some(since))).await.unwrap();
    assert_eq!(now_changed.len(), 5, "three changed before, two now");
    let removed: Vec<_> = now_changed
        .iter()
        .filter(|e| e.status == InventoryStatus::Removed)
        .collect();
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].key.product_id, refunded.0);
    let grown = now_changed.iter().find(|e| e.key.product_id == bought.0).unwrap();
    assert_eq!(grown.seat_capacity, 500);
    assert!(tenant.remove_store_app("9NOSUCHAPP00", "0010").is_err());

    tenant
        .connection()
        .execute("DELETE FROM sim_store_products", [])
        .unwrap();
    assert!(bounded(client.inventory()).await.unwrap().is_empty());
}
