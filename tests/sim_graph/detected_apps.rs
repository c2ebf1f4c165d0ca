//! Intune's detected apps on the simulator (issue 9, R-APP-10): pages the
//! simulator sizes with `$top` as a hint, each app's managed devices
//! agreeing with its `deviceCount`, and 403 with Graph's error body when
//! the app registration lacks DeviceManagementManagedDevices.Read.All.

use std::collections::HashSet;

use reqwest::StatusCode;
use seats::sim::DetectedAppsAccess;

use super::support::{Sim, code};

const APPS: &str = "/v1.0/deviceManagement/detectedApps";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detected_apps_page_by_the_servers_size_and_a_smaller_top() {
    let sim = Sim::start_with(|config| config.intune_page_size = 10).await;
    let (apps, pages) = sim.walk(APPS).await;
    assert!(apps.len() > 20, "{} apps", apps.len());
    assert_eq!(pages, apps.len().div_ceil(10));
    // A larger $top is not honoured; a smaller one is.
    let (_, _, first) = sim.get(&format!("{APPS}?$top=500")).await;
    assert_eq!(first["value"].as_array().unwrap().len(), 10);
    let (by_three, pages) = sim.walk(&format!("{APPS}?$top=3")).await;
    assert_eq!(by_three, apps);
    assert_eq!(pages, apps.len().div_ceil(3));
    let (status, _, body) = sim.get(&format!("{APPS}?$top=0")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    for app in apps.iter().take(8) {
        for key in [
            "id",
            "displayName",
            "version",
            "publisher",
            "platform",
            "sizeInByte",
            "deviceCount",
        ] {
            assert!(app.get(key).is_some(), "{key} missing in {app}");
        }
        let id = app["id"].as_str().unwrap();
        let (devices, _) = sim.walk(&format!("{APPS}/{id}/managedDevices?$top=4")).await;
        let unique: HashSet<&str> = devices.iter().map(|d| d["id"].as_str().unwrap()).collect();
        assert_eq!(unique.len() as u64, app["deviceCount"].as_u64().unwrap(), "{app}");
        for device in &devices {
            for key in [
                "deviceName",
                "userPrincipalName",
                "lastSyncDateTime",
                "operatingSystem",
                "serialNumber",
            ] {
                assert!(device.get(key).is_some(), "{key} missing in {device}");
            }
        }
    }
    let (status, _, body) = sim.get(&format!("{APPS}/nope/managedDevices")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_permission_both_reads_answer_403_with_graphs_body() {
    let sim = Sim::start_with(|config| config.detected_apps_allowed = false).await;
    let (status, headers, body) = sim.get(APPS).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(code(&body), "Forbidden");
    assert!(body["error"]["innerError"]["request-id"].is_string(), "{body}");
    assert!(headers.contains_key("request-id"));
    sim.tenant()
        .set_detected_apps_access(DetectedAppsAccess::Granted)
        .unwrap();
    let (status, _, body) = sim.get(APPS).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Intune pages managed devices by 1,000 (issue 11; see
/// `SimConfig::intune_page_size`): without `$top`, an app found on more
/// devices than the old page of 50 comes in one page, and a `$top` below
/// 1,000 is still honoured.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managed_devices_come_by_a_thousand_without_top() {
    let sim = Sim::start().await;
    let (apps, _) = sim.walk(APPS).await;
    let widest = apps
        .iter()
        .max_by_key(|app| app["deviceCount"].as_u64().unwrap())
        .unwrap();
    let count = widest["deviceCount"].as_u64().unwrap();
    assert!(count > 50 && count <= 1000, "{count} devices");
    let id = widest["id"].as_str().unwrap();
    let (devices, pages) = sim.walk(&format!("{APPS}/{id}/managedDevices")).await;
    assert_eq!((devices.len() as u64, pages), (count, 1));
    let (_, pages) = sim.walk(&format!("{APPS}/{id}/managedDevices?$top=20")).await;
    assert_eq!(pages as u64, count.div_ceil(20));
}
