//! Editing a subscription and its billing profiles by hand, in the store
//! (issue 10, R-SUB-4..6): what was bought and a disabled subscription
//! never change, an edit is one batch undo inverts, a profile is changed
//! only by the roles it names, and a card is four digits in the cache.
#![allow(clippy::unwrap_used)]

mod common;

use seats::domain::subscription_billing::ProfileEntry;
use seats::domain::subscription_csv::Purchase;
use seats::store::changes::{self, Actor, ChangeError};
use seats::store::subscriptions::{self, SubscriptionRow};
use seats::store::{billing_edit, subscriptions_edit};

fn find(conn: &rusqlite::Connection, name: &str) -> SubscriptionRow {
    let request = seats::store::PageRequest {
        limit: 100,
        ..Default::default()
    };
    let all = subscriptions::page(conn, &request).unwrap();
    all.rows.into_iter().find(|r| r.name == name).unwrap()
}

/// The purchase a form shows for `row`, unchanged.
fn as_is(row: &SubscriptionRow) -> Purchase {
    Purchase {
        line: 0,
        name: row.name.clone(),
        publisher: row.publisher.clone().unwrap_or_default(),
        kind: row.kind.clone(),
        channel: row
            .channel
            .clone()
            .unwrap_or_default()
            .replace("proposal", "vendor_proposal"),
        pricing: row.pricing.as_deref().map(|p| p.replace("flat", "flat_rate")),
        quantity: row.quantity,
        price_cents: row.price.map(|p| (p * 100.0).round() as i64),
        currency: row.currency.clone(),
        period: row.period.clone(),
        starts: None,
        ends: row.term_end.as_deref().map(|d| d.parse().unwrap()),
        region: row.region.clone().unwrap_or_default(),
        billing_profile: row.billing_profile.clone(),
        activation_url: row.activation_url.clone(),
        install_url: row.install_url.clone(),
        status: row.status.clone(),
        disabled_reason: row.disabled_reason.clone(),
        vendor_managed: row.vendor_managed,
    }
}

#[test]
fn a_rename_is_one_batch_undo_puts_back() {
    let (_dir, _path, conn) = common::demo_db(300);
    let actor = Actor::new(common::ACTOR);
    let row = find(&conn, "Adatum Sign");
    let mut wanted = as_is(&row);
    wanted.name = "Adatum Sign Pro".to_owned();
    wanted.activation_url = Some("https://adatum.example/new".to_owned());
    let done = subscriptions_edit::edit(&conn, &actor, row.id, &wanted).unwrap();
    assert!(
        done.message.contains("name Adatum Sign → Adatum Sign Pro"),
        "{}",
        done.message
    );
    let edited = subscriptions::get(&conn, row.id).unwrap().unwrap();
    assert_eq!(edited.name, "Adatum Sign Pro");
    assert_eq!(edited.status, row.status, "the status is not the form's");
    changes::undo(&conn, &actor, &done.batch).unwrap();
    let back = subscriptions::get(&conn, row.id).unwrap().unwrap();
    assert_eq!((back.name, back.activation_url), (row.name, row.activation_url));
}

#[test]
fn what_was_bought_and_a_disabled_subscription_stay() {
    let (_dir, _path, conn) = common::demo_db(300);
    let actor = Actor::new(common::ACTOR);
    let row = find(&conn, "Adatum Sign");
    let mut moved = as_is(&row);
    moved.region = "Canada".to_owned();
    let err = subscriptions_edit::edit(&conn, &actor, row.id, &moved).unwrap_err();
    assert!(err.to_string().contains("record another purchase"), "{err}");

    let mut ended = as_is(&row);
    ended.ends = Some("2020-01-31".parse().unwrap());
    let err = subscriptions_edit::edit(&conn, &actor, row.id, &ended).unwrap_err();
    assert!(err.to_string().contains("that would expire it"), "{err}");

    let disabled = find(&conn, "Tailspin Survey");
    assert_eq!(disabled.status, "disabled");
    let mut renamed = as_is(&disabled);
    renamed.name = "Tailspin Survey 2".to_owned();
    let err = subscriptions_edit::edit(&conn, &actor, disabled.id, &renamed).unwrap_err();
    assert!(err.to_string().contains("buy another copy"), "{err}");
    assert!(matches!(err, ChangeError::Refused(_)), "exit 3: {err:?}");
}

fn entry(id: Option<i64>, name: &str) -> ProfileEntry {
    ProfileEntry {
        id,
        name: name.to_owned(),
        payment_method: "credit_card".to_owned(),
        card_last4: Some("1111".to_owned()),
        contact_name: "Ana".to_owned(),
        contact_email: "ana@example.com".to_owned(),
        address: "1 Main St".to_owned(),
        editable_by: vec!["global".to_owned()],
    }
}

#[test]
fn a_profile_is_changed_only_by_the_roles_it_names() {
    let (_dir, _path, conn) = common::demo_db(300);
    let tester = Actor::new(common::ACTOR);
    let said = billing_edit::save_profile(&conn, &tester, &entry(None, "Ops")).unwrap();
    assert!(said.contains("Ops is added"), "{said}");
    let err = billing_edit::save_profile(&conn, &tester, &entry(None, "ops")).unwrap_err();
    assert!(err.to_string().contains("named \"ops\" already"), "{err}");

    changes::add_admin(&conn, &tester, "bob", seats::domain::Role::License).unwrap();
    let id: i64 = conn
        .query_row("SELECT id FROM billing_profiles WHERE name = 'Ops'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let err = billing_edit::save_profile(&conn, &Actor::new("bob"), &entry(Some(id), "Ops 2")).unwrap_err();
    assert!(
        err.to_string().contains("global roles only; you are license"),
        "{err}"
    );
    let audited: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'billing_profile_edit' AND result LIKE 'refused%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1, "the refusal is audited");
}

/// The cache itself refuses more of a card than four digits.
#[test]
fn the_cache_holds_four_digits_of_a_card_at_most() {
    let (_dir, _path, conn) = common::demo_db(300);
    let mut full = entry(None, "Leaky");
    full.card_last4 = Some("4242424242424242".to_owned());
    let err = billing_edit::save_profile(&conn, &Actor::new(common::ACTOR), &full).unwrap_err();
    assert!(err.to_string().contains("CHECK"), "{err}");
    let stored: i64 = conn
        .query_row(
            "SELECT count(*) FROM billing_profiles WHERE name = 'Leaky'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, 0);
}
