//! Full reads (apis.md 1.2, 1.3, 1.6, 1.7) against what the simulator's
//! tenant holds: users with their seats, groups, members, SKUs.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use seats::connectors::graph::{PageGuard, SIGN_IN_WARNING};
use seats::connectors::{ErrorClass, ErrorKind};
use seats::domain::friendly_name;
use seats::domain::source::{LicenseState, SourceMember, SourceUser};
use seats::sim::NewUser;

use super::support::{Env, USERS, bounded, held_by_user, strings};

/// Every user, page by page, and the page sizes seen.
async fn read_users(client: &seats::connectors::graph::GraphClient) -> (Vec<SourceUser>, Vec<usize>) {
    let mut pages = client.users();
    let (mut users, mut sizes) = (Vec::new(), Vec::new());
    while let Some(page) = bounded(pages.next_page()).await.unwrap() {
        assert_eq!(page.number as usize, sizes.len() + 1);
        sizes.push(page.items.len());
        users.extend(page.items);
        let progress = pages.progress();
        assert_eq!(
            (progress.pages, progress.items),
            (page.number, users.len() as u64)
        );
        assert_eq!(progress.done, page.last);
    }
    assert!(pages.progress().done);
    (users, sizes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_read_of_users_matches_the_tenant() {
    let env = Env::start().await;
    let tenant = env.tenant();
    let (users, sizes) = read_users(&env.client()).await;
    assert_eq!(users.len() as u64, tenant.user_count().unwrap());
    assert!(users.len() >= USERS as usize - 10, "{}", users.len());
    // With signInActivity Graph pages users by 120, not the 999 asked.
    assert!(sizes.len() >= 3 && sizes[0] == 120, "{sizes:?}");

    let held = held_by_user(&tenant);
    let read: BTreeMap<String, BTreeSet<String>> = users
        .iter()
        .map(|u| {
            let skus = u
                .licenses
                .iter()
                .filter(|l| l.state != LicenseState::Error)
                .map(|l| l.sku_id.clone())
                .collect();
            (u.source_id.clone(), skus)
        })
        .collect();
    assert_eq!(read, held, "seats read differ from the tenant's");

    for n in [0, 77, 150] {
        let expected = tenant.nth_user(n).unwrap();
        let user = users.iter().find(|u| u.source_id == expected.id).unwrap();
        assert_eq!(user.upn, expected.user_principal_name);
        assert_eq!(user.display_name, expected.display_name);
        assert_eq!(user.enabled, expected.account_enabled);
        assert_eq!(user.usage_location, expected.usage_location);
    }
    let signed_in = strings(
        &tenant,
        "SELECT source_id FROM users WHERE deleted = 0 AND last_sign_in IS NOT NULL",
        [],
    );
    assert!(!signed_in.is_empty());
    for id in &signed_in {
        let user = users.iter().find(|u| &u.source_id == id).unwrap();
        assert!(user.last_sign_in.is_some(), "{id} has no sign-in");
    }
    // Group seats and their errors come through.
    let via_group = users
        .iter()
        .flat_map(|u| &u.licenses)
        .filter(|l| l.via_group.is_some())
        .count();
    assert!(via_group > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_runs_in_a_spawned_task_as_a_sync_worker_would() {
    let env = Env::start().await;
    let client = env.client();
    let task = tokio::spawn(async move {
        let mut pages = client.users();
        let mut seen = Vec::new();
        while let Some(page) = pages.next_page().await? {
            seen.push(pages.progress());
            drop(page);
        }
        Ok::<_, seats::connectors::ConnectorError>(seen)
    });
    let progress = bounded(task).await.unwrap().unwrap();
    let last = progress.last().unwrap();
    assert!(last.done && last.pages as usize == progress.len());
    assert_eq!(last.items, env.tenant().user_count().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_seat_errors_are_read_as_graph_reports_them() {
    let env = Env::start().await;
    let tenant = env.tenant();
    let (users, _) = read_users(&env.client()).await;
    let errors: BTreeSet<(String, String)> = users
        .iter()
        .flat_map(|u| {
            u.licenses
                .iter()
                .filter(|l| l.state == LicenseState::Error)
                .map(move |l| (u.source_id.clone(), l.error.clone().unwrap_or_default()))
        })
        .collect();
    let expected: BTreeSet<(String, String)> = strings(
        &tenant,
        "SELECT u.source_id || '|' || coalesce(a.error, 'Other') FROM assignments a \
         JOIN users u ON u.id = a.user_id JOIN pools p ON p.id = a.pool_id \
         WHERE a.state = 'error' AND u.deleted = 0 AND p.source = 'graph'",
        [],
    )
    .into_iter()
    .map(|s| {
        let (u, e) = s.split_once('|').unwrap();
        (u.to_owned(), e.to_owned())
    })
    .collect();
    assert_eq!(errors, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_and_their_members_match_the_tenant() {
    let env = Env::start().await;
    let tenant = env.tenant();
    let client = env.client();
    let groups = bounded(client.groups().all()).await.unwrap();
    let ids = strings(&tenant, "SELECT source_id FROM groups ORDER BY id", []);
    assert_eq!(
        groups.iter().map(|g| g.source_id.clone()).collect::<Vec<_>>(),
        ids
    );
    let mut licensed = 0;
    for group in &groups {
        let skus = strings(
            &tenant,
            "SELECT p.sku_id FROM group_assignments ga JOIN pools p ON p.id = ga.pool_id \
             JOIN groups g ON g.id = ga.group_id WHERE g.source_id = ?1 AND p.source = 'graph' \
             AND p.sku_id IS NOT NULL ORDER BY p.id",
            [&group.source_id],
        );
        assert_eq!(group.licenses, skus, "{}", group.name);
        licensed += usize::from(!skus.is_empty());

        let members: HashSet<SourceMember> = bounded(client.members(&group.source_id).all())
            .await
            .unwrap()
            .into_iter()
            .collect();
        let sql = |kind: &str| {
            format!(
                "SELECT x.source_id FROM group_members gm JOIN groups g ON g.id = gm.group_id \
                 JOIN {kind} WHERE g.source_id = ?1"
            )
        };
        let mut expected = HashSet::new();
        for id in strings(
            &tenant,
            &sql("users x ON x.id = gm.user_id AND x.deleted = 0"),
            [&group.source_id],
        ) {
            expected.insert(SourceMember::User(id));
        }
        for id in strings(
            &tenant,
            &sql("groups x ON x.id = gm.child_group_id"),
            [&group.source_id],
        ) {
            expected.insert(SourceMember::Group(id));
        }
        for id in strings(
            &tenant,
            &sql("devices x ON x.id = gm.device_id"),
            [&group.source_id],
        ) {
            expected.insert(SourceMember::Device(id));
        }
        assert_eq!(members, expected, "members of {}", group.name);
    }
    assert!(licensed > 0, "no group carries a license");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skus_match_the_tenant_and_each_has_a_friendly_name() {
    let env = Env::start().await;
    let tenant = env.tenant();
    let skus = bounded(env.client().subscribed_skus()).await.unwrap();
    let pools = strings(
        &tenant,
        "SELECT p.sku_part_number || '|' || p.name FROM pools p JOIN sim_skus s ON s.pool_id = p.id",
        [],
    );
    assert_eq!(skus.iter().filter(|s| s.assignable).count(), pools.len());
    for pool in pools {
        let (part, name) = pool.split_once('|').unwrap();
        let sku = skus.iter().find(|s| s.part_number == part).unwrap();
        assert_eq!(sku.sku_id, tenant.sku_id(part).unwrap());
        assert_eq!(sku.consumed_units, tenant.held_seats(part).unwrap(), "{part}");
        assert_eq!(sku.enabled_units, tenant.prepaid_units(part).unwrap(), "{part}");
        // The bundled table names every SKU of the demo tenant as the demo does.
        assert_eq!(friendly_name(part), Some(name), "{part}");
    }
    // Company SKUs come too, not assignable; the caller leaves them out.
    let company: Vec<_> = skus.iter().filter(|s| !s.assignable).collect();
    assert_eq!(company.len(), 1);
    assert!(friendly_name(&company[0].part_number).is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_audit_log_permission_users_are_read_with_a_warning() {
    let env = Env::start_with(|c| c.sign_in_activity_allowed = false).await;
    let client = env.client();
    let mut pages = client.users();
    let mut users = Vec::new();
    while let Some(page) = bounded(pages.next_page()).await.unwrap() {
        users.extend(page.items);
    }
    assert_eq!(users.len() as u64, env.tenant().user_count().unwrap());
    assert_eq!(
        pages.warnings(),
        [format!(
            "{SIGN_IN_WARNING} (permission AuditLog.Read.All missing)"
        )]
    );
    assert_eq!(
        pages.warnings()[0],
        "sign-in activity not readable (permission AuditLog.Read.All missing)"
    );
    assert!(!pages.sign_in_read());
    assert!(users.iter().all(|u| u.last_sign_in.is_none()));
    // Asked once with signInActivity (403), then without.
    assert_eq!(
        env.requests_like("GET /v1.0/users?$select=id"),
        pages.progress().pages as usize + 1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_unicode_upns_are_read_and_assigned_by_upn() {
    let env = Env::start().await;
    let mut tenant = env.tenant();
    let upns = [
        "zoë.ñúñez@contoso.example",
        "o'brien@contoso.example",
        "李雷@contoso.example",
        "jane_fabrikam.example#EXT#@contoso.onmicrosoft.com",
        "a+b%c@contoso.example",
    ];
    for upn in upns {
        tenant
            .add_user(&NewUser {
                user_principal_name: upn.to_owned(),
                display_name: format!("Ünïcödé {upn}"),
                usage_location: Some("FR".to_owned()),
                account_enabled: true,
            })
            .unwrap();
    }
    let client = env.client();
    let (users, _) = read_users(&client).await;
    for upn in upns {
        let user = users
            .iter()
            .find(|u| u.upn == upn)
            .unwrap_or_else(|| panic!("{upn} not read"));
        assert_eq!(user.display_name, format!("Ünïcödé {upn}"));
    }
    let sku = tenant.sku_id("EMS").unwrap();
    let before = tenant.held_seats("EMS").unwrap();
    for upn in upns {
        let change = seats::domain::source::LicenseChange {
            target: seats::domain::source::ChangeTarget::User(upn.to_owned()),
            add: vec![sku.clone()],
            remove: vec![],
        };
        bounded(client.assign_license(&change)).await.unwrap();
    }
    assert_eq!(tenant.held_seats("EMS").unwrap(), before + upns.len() as i64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_that_loops_is_stopped_by_the_page_guard() {
    let env = Env::start().await;
    env.faults("empty=1");
    let client = env.client();
    let err = bounded(client.users().all()).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::PagingLoop { .. }), "{err:?}");
    assert_eq!(err.class(), ErrorClass::Fatal);
    let text = err.to_string();
    assert!(
        text.contains("keeps paging GET /v1.0/users") && text.contains("points back to a page already read"),
        "{text}"
    );
    // The first page and three empty repeats, then it stopped.
    assert_eq!(env.requests_like("GET /v1.0/users"), 4);
    env.assert_clean(&err);

    // More pages than the bound: stopped too.
    env.faults("");
    let client = env.client_with(|c| {
        c.guard = PageGuard {
            max_pages: 2,
            max_repeats: 3,
        }
    });
    let err = bounded(client.users().all()).await.unwrap_err();
    assert!(err.to_string().contains("more than 2 pages"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_pages_now_and_then_are_normal() {
    let env = Env::start().await;
    env.faults("empty=0.3,seed=5");
    let client = env.client();
    let (users, sizes) = read_users(&client).await;
    env.faults("");
    assert_eq!(users.len() as u64, env.tenant().user_count().unwrap());
    assert!(sizes.contains(&0), "no empty page was served: {sizes:?}");
    let ids: BTreeSet<&str> = users.iter().map(|u| u.source_id.as_str()).collect();
    assert_eq!(ids.len(), users.len(), "a user was read twice");
}
