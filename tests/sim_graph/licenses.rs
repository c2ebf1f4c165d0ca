//! assignLicense for users (apis.md 1.4) and groups (1.7).

use std::time::Duration;

use reqwest::StatusCode;
use seats::sim::{CapabilityStatus, Member, NewUser, SimTenant};
use serde_json::{Value, json};

use super::support::{Sim, code, message};

/// A listed user who does not hold `sku` at all.
fn user_without(tenant: &SimTenant, sku: &str) -> String {
    tenant
        .connection()
        .query_row(
            "SELECT u.source_id FROM users u WHERE u.deleted = 0 AND u.usage_location IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM assignments a JOIN pools p ON p.id = a.pool_id WHERE a.user_id = u.id AND p.sku_part_number = ?1) \
             ORDER BY u.id LIMIT 1",
            [sku],
            |row| row.get(0),
        )
        .unwrap()
}

fn skus_of(user: &Value) -> Vec<String> {
    user["assignedLicenses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["skuId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assigning_past_the_last_seat_is_refused_with_graphs_message_and_changes_nothing() {
    let sim = Sim::start().await;
    let mut tenant = sim.tenant();
    let sku = "SPE_E5";
    let sku_id = tenant.sku_id(sku).unwrap();
    let held = tenant.held_seats(sku).unwrap();
    tenant.set_prepaid_units(sku, held).unwrap();
    let user = user_without(&tenant, sku);
    let body = json!({"addLicenses": [{"skuId": sku_id, "disabledPlans": []}], "removeLicenses": []});

    let (status, refused) = sim
        .post(&format!("/v1.0/users/{user}/assignLicense"), &body)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&refused), "Request_BadRequest");
    assert_eq!(
        message(&refused),
        format!("Subscription with SKU {sku_id} does not have any available licenses.")
    );
    assert_eq!(tenant.held_seats(sku).unwrap(), held);
    let (_, _, after) = sim
        .get(&format!("/v1.0/users/{user}?$select=assignedLicenses"))
        .await;
    assert!(!skus_of(&after).contains(&sku_id));

    // One more seat bought: the same call succeeds and returns the user.
    tenant.set_prepaid_units(sku, held + 1).unwrap();
    let (status, assigned) = sim
        .post(&format!("/v1.0/users/{user}/assignLicense"), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{assigned}");
    assert_eq!(assigned["id"], user.as_str());
    assert!(skus_of(&assigned).contains(&sku_id));
    assert_eq!(tenant.held_seats(sku).unwrap(), held + 1);
    // Assigning again is harmless; removing frees the seat.
    let (status, _) = sim
        .post(&format!("/v1.0/users/{user}/assignLicense"), &body)
        .await;
    assert_eq!(status, StatusCode::OK);
    let remove = json!({"addLicenses": [], "removeLicenses": [sku_id]});
    let (status, removed) = sim
        .post(&format!("/v1.0/users/{user}/assignLicense"), &remove)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!skus_of(&removed).contains(&sku_id));
    assert_eq!(tenant.held_seats(sku).unwrap(), held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assign_license_needs_both_keys_a_usage_location_and_a_live_sku() {
    let sim = Sim::start().await;
    let mut tenant = sim.tenant();
    let sku_id = tenant.sku_id("EMSPREMIUM").unwrap();
    let user = user_without(&tenant, "EMSPREMIUM");

    let (status, body) = sim
        .post(
            &format!("/v1.0/users/{user}/assignLicense"),
            &json!({"addLicenses": [{"skuId": sku_id}]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("removeLicenses"), "{body}");

    let nowhere = tenant
        .add_user(&NewUser {
            user_principal_name: "no.location@contoso-demo.example".into(),
            display_name: "No Location".into(),
            usage_location: None,
            account_enabled: true,
        })
        .unwrap();
    let add = json!({"addLicenses": [{"skuId": sku_id}], "removeLicenses": []});
    let (status, body) = sim
        .post(
            &format!("/v1.0/users/{}/assignLicense", nowhere.user_principal_name),
            &add,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        message(&body),
        "License assignment cannot be done for user with invalid usage location."
    );

    tenant
        .set_capability_status("EMSPREMIUM", CapabilityStatus::Suspended)
        .unwrap();
    let (status, body) = sim.post(&format!("/v1.0/users/{user}/assignLicense"), &add).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        message(&body).contains("does not have any available licenses"),
        "{body}"
    );

    let (status, body) = sim
        .post("/v1.0/users/nobody@contoso-demo.example/assignLicense", &add)
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "Request_ResourceNotFound")
    );
}

/// The group with the most members that hold no seat of `sku`, and their count.
fn roomy_group(tenant: &SimTenant, sku: &str) -> (String, i64) {
    tenant
        .connection()
        .query_row(
            "SELECT g.source_id, count(DISTINCT gm.user_id) AS n FROM groups g JOIN group_members gm ON gm.group_id = g.id \
             JOIN users u ON u.id = gm.user_id AND u.deleted = 0 \
             WHERE NOT EXISTS (SELECT 1 FROM assignments a JOIN pools p ON p.id = a.pool_id \
                               WHERE a.user_id = gm.user_id AND p.sku_part_number = ?1) \
             AND NOT EXISTS (SELECT 1 FROM group_members c WHERE c.group_id = g.id AND c.user_id IS NULL) \
             GROUP BY g.id ORDER BY n DESC LIMIT 1",
            [sku],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_assignment_answers_202_then_members_past_the_seats_get_count_violation() {
    let sim = Sim::start().await;
    let mut tenant = sim.tenant();
    let sku = "AAD_PREMIUM_P2";
    let sku_id = tenant.sku_id(sku).unwrap();
    let (group, newcomers) = roomy_group(&tenant, sku);
    assert!(newcomers > 3, "{newcomers}");
    let held = tenant.held_seats(sku).unwrap();
    tenant.set_prepaid_units(sku, held + 2).unwrap();

    let body = json!({"addLicenses": [{"skuId": sku_id, "disabledPlans": []}], "removeLicenses": []});
    let (status, answer) = sim
        .post(&format!("/v1.0/groups/{group}/assignLicense"), &body)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    assert_eq!(answer["id"], group.as_str());
    assert!(
        answer["assignedLicenses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["skuId"] == sku_id.as_str())
    );

    // Processed by the next request: two members got the last seats, the rest CountViolation.
    let (members, _) = sim.walk(&format!("/v1.0/groups/{group}/members?$top=999")).await;
    assert_eq!(tenant.held_seats(sku).unwrap(), held + 2);
    let mut active = 0;
    let mut violations = 0;
    for member in &members {
        let id = member["id"].as_str().unwrap();
        let (_, _, user) = sim
            .get(&format!("/v1.0/users/{id}?$select=licenseAssignmentStates"))
            .await;
        for state in user["licenseAssignmentStates"].as_array().unwrap() {
            if state["skuId"] == sku_id.as_str() && state["assignedByGroup"] == group.as_str() {
                match (state["state"].as_str(), state["error"].as_str()) {
                    (Some("Active"), _) => active += 1,
                    (Some("Error"), Some("CountViolation")) => violations += 1,
                    other => panic!("unexpected state {other:?}"),
                }
            }
        }
    }
    // Members who already held a seat directly now also show the group.
    assert!(active >= 2, "{active}");
    assert_eq!(violations, newcomers - 2);
    let (_, _, skus) = sim.get("/v1.0/subscribedSkus").await;
    let p2 = skus["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["skuId"] == sku_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(p2["consumedUnits"], p2["prepaidUnits"]["enabled"]);

    // Removing the group's license releases what it gave.
    let remove = json!({"addLicenses": [], "removeLicenses": [sku_id]});
    let (status, _) = sim
        .post(&format!("/v1.0/groups/{group}/assignLicense"), &remove)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(sim.get("/v1.0/organization").await.0, StatusCode::OK);
    assert_eq!(tenant.held_seats(sku).unwrap(), held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_processing_waits_for_its_delay() {
    let sim = Sim::start_with(|c| c.group_processing_delay = Duration::from_secs(3600)).await;
    let tenant = sim.tenant();
    let sku = "AAD_PREMIUM_P2";
    let sku_id = tenant.sku_id(sku).unwrap();
    let (group, _) = roomy_group(&tenant, sku);
    let held = tenant.held_seats(sku).unwrap();
    let body = json!({"addLicenses": [{"skuId": sku_id}], "removeLicenses": []});
    let (status, _) = sim
        .post(&format!("/v1.0/groups/{group}/assignLicense"), &body)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(sim.get("/v1.0/organization").await.0, StatusCode::OK);
    assert_eq!(tenant.held_seats(sku).unwrap(), held, "processed before its time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joining_a_licensed_group_brings_its_license_and_leaving_takes_it() {
    let sim = Sim::start().await;
    let mut tenant = sim.tenant();
    let sku = "POWER_BI_PRO";
    let sku_id = tenant.sku_id(sku).unwrap();
    let group = "Dept - Finance";
    let group_id: String = tenant
        .connection()
        .query_row("SELECT source_id FROM groups WHERE name = ?1", [group], |r| {
            r.get(0)
        })
        .unwrap();
    // The demo leaves this SKU one seat short of full.
    let held = tenant.held_seats(sku).unwrap();
    tenant.set_prepaid_units(sku, held + 1).unwrap();
    let first = user_without(&tenant, sku);
    tenant
        .add_group_member(group, &Member::User(first.clone()))
        .unwrap();
    let state_of = |user: Value| {
        user["licenseAssignmentStates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["skuId"] == sku_id.as_str())
            .cloned()
    };
    let (_, _, user) = sim
        .get(&format!("/v1.0/users/{first}?$select=licenseAssignmentStates"))
        .await;
    let state = state_of(user).expect("the new member got nothing");
    assert_eq!(
        (state["state"].as_str(), state["assignedByGroup"].as_str()),
        (Some("Active"), Some(group_id.as_str()))
    );
    assert_eq!(tenant.held_seats(sku).unwrap(), held + 1);

    let second = user_without(&tenant, sku);
    tenant
        .add_group_member(group, &Member::User(second.clone()))
        .unwrap();
    let (_, _, user) = sim
        .get(&format!("/v1.0/users/{second}?$select=licenseAssignmentStates"))
        .await;
    let state = state_of(user).expect("the second member got no state");
    assert_eq!(
        (state["state"].as_str(), state["error"].as_str()),
        (Some("Error"), Some("CountViolation"))
    );

    tenant
        .remove_group_member(group, &Member::User(first.clone()))
        .unwrap();
    let (_, _, user) = sim
        .get(&format!("/v1.0/users/{first}?$select=licenseAssignmentStates"))
        .await;
    assert!(state_of(user).is_none(), "the leaver kept the group's seat");
    assert_eq!(tenant.held_seats(sku).unwrap(), held);
    // The freed seat waits for the group to be processed again (Entra does
    // not retry members in error by itself); assignLicense on the group does.
    let (_, _, user) = sim
        .get(&format!("/v1.0/users/{second}?$select=licenseAssignmentStates"))
        .await;
    assert_eq!(state_of(user).unwrap()["state"], "Error");
    let body = json!({"addLicenses": [{"skuId": sku_id}], "removeLicenses": []});
    let (status, _) = sim
        .post(&format!("/v1.0/groups/{group_id}/assignLicense"), &body)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, _, user) = sim
        .get(&format!("/v1.0/users/{second}?$select=licenseAssignmentStates"))
        .await;
    assert_eq!(state_of(user).unwrap()["state"], "Active");
    assert_eq!(tenant.held_seats(sku).unwrap(), held + 1);
}
