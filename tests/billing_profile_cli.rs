//! `seats billing-profile add|edit` as other tools see it (issue 10,
//! R-SUB-6): the built binary, what it stores and its exit codes — a card
//! number longer than four digits is refused (2) and never stored.
#![allow(clippy::unwrap_used)]

mod common;

use common::cache::Cache;

fn stored(cache: &Cache, name: &str) -> i64 {
    cache.count(&format!(
        "SELECT count(*) FROM billing_profiles WHERE name = '{name}'"
    ))
}

#[test]
fn a_full_card_number_is_refused_and_nothing_stored() {
    let cache = Cache::new();
    let (_, err) = cache.expect(
        &[
            "billing-profile",
            "add",
            "Ops",
            "--card",
            "4242424242424242",
            "--contact",
            "Ana",
            "--email",
            "ana@example.com",
            "--address",
            "1 Main St",
        ],
        2,
    );
    assert!(err.contains("has 16 digits"), "{err}");
    assert_eq!(stored(&cache, "Ops"), 0);
    assert_eq!(
        cache.count("SELECT count(*) FROM audit WHERE detail LIKE '%4242424242%'"),
        0
    );
}

#[test]
fn a_profile_is_added_then_edited() {
    let cache = Cache::new();
    let (out, _) = cache.expect(
        &[
            "billing-profile",
            "add",
            "Ops",
            "--card",
            "1234",
            "--contact",
            "Ana",
            "--email",
            "ana@example.com",
            "--address",
            "1 Main St",
        ],
        0,
    );
    assert!(out.contains("billing profile Ops is added"), "{out}");
    let (out, _) = cache.expect(
        &["billing-profile", "edit", "ops", "--wire", "--roles", "global"],
        0,
    );
    assert!(out.contains("Ops is changed"), "{out}");
    let wire = cache.count(
        "SELECT count(*) FROM billing_profiles WHERE name = 'Ops' AND payment_method = 'check_wire' \
         AND card_last4 IS NULL AND editable_by = 'global' AND contact_name = 'Ana'",
    );
    assert_eq!(wire, 1, "what was left out stays");
    let (_, err) = cache.expect(&["billing-profile", "edit", "Nope", "--wire"], 2);
    assert!(err.contains("no billing profile \"Nope\""), "{err}");
    let (_, err) = cache.expect(
        &["--read-only", "billing-profile", "edit", "Ops", "--card", "9999"],
        4,
    );
    assert!(!err.is_empty());
}
