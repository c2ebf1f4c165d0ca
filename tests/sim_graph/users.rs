//! `/users` paging and `$select`, `/subscribedSkus`, groups and members.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::Value;

use super::support::{Sim, code, listed_ids, message};

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_paging_sees_every_user_exactly_once() {
    let sim = Sim::start().await;
    let expected: HashSet<String> = listed_ids(&sim.tenant()).into_iter().collect();
    assert!(
        expected.len() > 200,
        "the tenant should span several default pages"
    );

    for (query, pages_at_least) in [
        ("/v1.0/users?$select=id,displayName&$top=999", 1),
        ("/v1.0/users?$select=id,userPrincipalName", 3),
        ("/v1.0/users?$top=7&$select=id", expected.len() / 7),
    ] {
        let (items, pages) = sim.walk(query).await;
        let seen = ids(&items);
        let unique: HashSet<String> = seen.iter().cloned().collect();
        assert_eq!(seen.len(), unique.len(), "{query}: a user came twice");
        assert_eq!(unique, expected, "{query}");
        assert!(pages >= pages_at_least, "{query}: {pages} pages");
    }
    // The default page is 100 users, and the link carries the query on.
    let (_, _, first) = sim.get("/v1.0/users?$select=id").await;
    assert_eq!(first["value"].as_array().unwrap().len(), 100);
    let next = first["@odata.nextLink"].as_str().unwrap();
    assert!(
        next.starts_with(&sim.url("/v1.0/users?"))
            && next.contains("$select=id")
            && next.contains("$skiptoken="),
        "{next}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn top_above_999_and_unknown_properties_are_refused() {
    let sim = Sim::start().await;
    let (status, _, body) = sim.get("/v1.0/users?$top=1000").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("'1000'"), "{body}");
    let (status, _, body) = sim.get("/v1.0/users?$select=id,shoeSize").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&body), "Request_BadRequest");
    assert!(message(&body).contains("shoeSize"), "{body}");
    let (status, _, _) = sim.get("/v1.0/users?$skiptoken=garbage!").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn select_is_honoured_and_licenses_come_only_when_selected() {
    let sim = Sim::start().await;
    let (_, _, plain) = sim.get("/v1.0/users?$top=3").await;
    let user = &plain["value"][0];
    assert!(user.get("userPrincipalName").is_some() && user.get("id").is_some());
    assert!(
        user.get("assignedLicenses").is_none() && user.get("accountEnabled").is_none(),
        "{user}"
    );

    let select = "id,accountEnabled,assignedLicenses,licenseAssignmentStates";
    let (items, _) = sim.walk(&format!("/v1.0/users?$top=999&$select={select}")).await;
    for user in &items {
        let keys: HashSet<&str> = user.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, select.split(',').collect(), "{user}");
    }
    // Group-inherited seats name their group; direct ones have null.
    let states: Vec<&Value> = items
        .iter()
        .flat_map(|u| u["licenseAssignmentStates"].as_array().unwrap())
        .collect();
    assert!(states.iter().any(|s| s["assignedByGroup"].is_string()));
    assert!(
        states
            .iter()
            .any(|s| s["assignedByGroup"].is_null() && s["state"] == "Active")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_activity_is_forbidden_without_the_permission() {
    let sim = Sim::start_with(|c| c.sign_in_activity_allowed = false).await;
    let (status, _, body) = sim.get("/v1.0/users?$select=id,signInActivity").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(code(&body), "Authorization_RequestDenied");
    let allowed = Sim::start().await;
    let (status, _, body) = allowed
        .get("/v1.0/users?$select=id,signInActivity&$top=999")
        .await;
    assert_eq!(status, StatusCode::OK);
    // Graph pages signInActivity by 120 at most.
    assert_eq!(body["value"].as_array().unwrap().len(), 120);
    assert!(
        body["value"][0]["signInActivity"]
            .get("lastSignInDateTime")
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribed_skus_refuse_filter_honour_select_and_count_live_seats() {
    let sim = Sim::start().await;
    let (status, _, body) = sim
        .get("/v1.0/subscribedSkus?$filter=skuPartNumber eq 'SPE_E5'")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&body), "Request_BadRequest");

    let (status, _, body) = sim
        .get("/v1.0/subscribedSkus?$select=skuPartNumber,consumedUnits,appliesTo")
        .await;
    assert_eq!(status, StatusCode::OK);
    let skus = body["value"].as_array().unwrap();
    for sku in skus {
        assert_eq!(sku.as_object().unwrap().len(), 3, "{sku}");
    }
    assert!(skus.iter().any(|s| s["appliesTo"] == "Company"));
    let tenant = sim.tenant();
    for sku in skus.iter().filter(|s| s["appliesTo"] == "User") {
        let part = sku["skuPartNumber"].as_str().unwrap();
        let rows: i64 = tenant
            .connection()
            .query_row(
                "SELECT count(*) FROM assignments a JOIN pools p ON p.id = a.pool_id \
                 WHERE p.sku_part_number = ?1 AND a.state <> 'error'",
                [part],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(sku["consumedUnits"], rows, "{part}");
    }

    let (_, _, full) = sim.get("/v1.0/subscribedSkus").await;
    let e5 = full["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["skuPartNumber"] == "SPE_E5")
        .unwrap();
    for key in [
        "accountId",
        "accountName",
        "capabilityStatus",
        "id",
        "servicePlans",
        "skuId",
        "subscriptionIds",
    ] {
        assert!(e5.get(key).is_some(), "{key} missing: {e5}");
    }
    for key in ["enabled", "suspended", "warning", "lockedOut"] {
        assert!(e5["prepaidUnits"][key].is_i64(), "{key}: {e5}");
    }
    let (status, _, one) = sim
        .get(&format!("/v1.0/subscribedSkus/{}", e5["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["skuPartNumber"], "SPE_E5");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_and_their_members_page_with_their_types() {
    let sim = Sim::start().await;
    let (groups, _) = sim.walk("/v1.0/groups?$top=5").await;
    let count: i64 = sim
        .tenant()
        .connection()
        .query_row("SELECT count(*) FROM groups", [], |r| r.get(0))
        .unwrap();
    assert_eq!(groups.len() as i64, count);
    let id_of = |name: &str| {
        groups.iter().find(|g| g["displayName"] == name).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };

    // All Staff holds the department groups; its transitive members are their people too.
    let all_staff = id_of("All Staff");
    let (direct, _) = sim
        .walk(&format!("/v1.0/groups/{all_staff}/members?$top=3"))
        .await;
    assert!(
        direct
            .iter()
            .all(|m| m["@odata.type"] == "#microsoft.graph.group"),
        "{direct:?}"
    );
    let (transitive, _) = sim
        .walk(&format!("/v1.0/groups/{all_staff}/transitiveMembers?$top=50"))
        .await;
    let users: Vec<&Value> = transitive
        .iter()
        .filter(|m| m["@odata.type"] == "#microsoft.graph.user")
        .collect();
    assert_eq!(users.len(), listed_ids(&sim.tenant()).len());
    assert_eq!(transitive.len() - users.len(), direct.len());

    // Small pages give every member once, in id order, as the table holds them.
    let (people, _) = sim
        .walk(&format!("/v1.0/groups/{all_staff}/transitiveMembers?$top=7"))
        .await;
    let paged: Vec<&str> = people
        .iter()
        .filter(|m| m["@odata.type"] == "#microsoft.graph.user")
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(paged, listed_ids(&sim.tenant()));

    let (devices, _) = sim
        .walk(&format!("/v1.0/groups/{}/members", id_of("Windows Devices")))
        .await;
    assert!(!devices.is_empty());
    assert!(
        devices
            .iter()
            .all(|m| m["@odata.type"] == "#microsoft.graph.device" && m["operatingSystem"] == "Windows")
    );

    let (status, _, body) = sim
        .get("/v1.0/groups/00000000-0000-0000-0000-000000000000/members")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(code(&body), "Request_ResourceNotFound");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_segments_and_methods_get_graph_errors() {
    let sim = Sim::start().await;
    let (status, _, body) = sim.get("/v1.0/shoes").await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "BadRequest"));
    assert!(message(&body).contains("'shoes'"), "{body}");
    let response = sim
        .http
        .delete(sim.url("/v1.0/users"))
        .bearer_auth(&sim.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["innerError"]["request-id"].is_string(), "{body}");
}
