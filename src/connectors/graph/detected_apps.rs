//! Intune's detected apps (issue 9, R-APP-10): `GET
//! /deviceManagement/detectedApps` and each app's `managedDevices`, read
//! page by page like every Graph collection (the whole nextLink followed,
//! any page size, empty pages, 429 retried by the HTTP client). Both need
//! DeviceManagementManagedDevices.Read.All; a 403 comes back as
//! `Forbidden` naming it. The reader is tolerant: fields it does not know
//! are ignored, and only an id and a name are required.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::GraphClient;
use super::paging::Pages;
use super::token::path_segment;
use super::whole::{ItemError, ParsedPage, typed_page};
use crate::domain::detected::{DetectedApp, DetectedDevice};

/// The permission both reads need (least privilege).
pub const DETECTED_APPS_PERMISSION: &str = "DeviceManagementManagedDevices.Read.All";

impl GraphClient {
    /// `GET /deviceManagement/detectedApps`: every detected app, in the
    /// page size Graph chooses.
    pub fn detected_apps(&self) -> Pages<DetectedApp> {
        let first = self.v1("/deviceManagement/detectedApps");
        Pages::new(self.clone(), "detectedApps", first, detected_app)
    }

    /// `GET /deviceManagement/detectedApps/{id}/managedDevices`: the
    /// devices one detected app was found on.
    pub fn detected_app_devices(&self, app_id: &str) -> Pages<DetectedDevice> {
        let first = self.v1(&format!(
            "/deviceManagement/detectedApps/{}/managedDevices",
            path_segment(app_id)
        ));
        Pages::new(self.clone(), "detectedApps/managedDevices", first, managed_device)
            .read_whole(managed_device_page)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DetectedAppWire {
    id: String,
    display_name: Option<String>,
    version: Option<String>,
    publisher: Option<String>,
    platform: Option<String>,
    device_count: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ManagedDeviceWire {
    id: String,
    device_name: Option<String>,
    user_principal_name: Option<String>,
    last_sync_date_time: Option<String>,
    serial_number: Option<String>,
    operating_system: Option<String>,
}

/// Text that says something: trimmed, not empty.
fn text(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A detectedApp; one without a name is skipped (nothing to count it as).
fn detected_app(item: Value) -> Result<Option<DetectedApp>, String> {
    let wire: DetectedAppWire = serde_json::from_value(item).map_err(|err| err.to_string())?;
    let Some(name) = text(wire.display_name) else {
        return Ok(None);
    };
    Ok(Some(DetectedApp {
        source_id: wire.id,
        name,
        version: text(wire.version),
        publisher: text(wire.publisher),
        platform: text(wire.platform),
        device_count: wire.device_count.and_then(|n| u64::try_from(n).ok()),
    }))
}

/// A managedDevice; one without a name is named by its id.
fn managed_device(item: Value) -> Result<Option<DetectedDevice>, String> {
    device_record(serde_json::from_value(item).map_err(|err| err.to_string())?)
}

/// A page of managed devices, read whole (see [`super::whole::ParsePage`]).
fn managed_device_page(body: &[u8]) -> Option<Result<ParsedPage<DetectedDevice>, ItemError>> {
    typed_page(body, device_record)
}

fn device_record(wire: ManagedDeviceWire) -> Result<Option<DetectedDevice>, String> {
    // Intune reports "0001-01-01T00:00:00Z" for a device that never synced.
    let last_seen = wire
        .last_sync_date_time
        .as_deref()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
        .filter(|d| d.timestamp() > 0);
    Ok(Some(DetectedDevice {
        name: text(wire.device_name).unwrap_or_else(|| wire.id.clone()),
        source_id: wire.id,
        user_upn: text(wire.user_principal_name),
        last_seen,
        serial_number: text(wire.serial_number),
        operating_system: text(wire.operating_system),
    }))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn apps_are_read_tolerantly() {
        let app = detected_app(json!({
            "id": "0a1b", "displayName": " Zoom Workplace (64-bit) ", "version": "",
            "sizeInByte": 123, "deviceCount": 4, "publisher": null, "platform": "windows",
            "someFutureField": {"x": 1}
        }))
        .unwrap()
        .unwrap();
        assert_eq!(app.name, "Zoom Workplace (64-bit)");
        assert_eq!((app.version, app.publisher), (None, None));
        assert_eq!(app.device_count, Some(4));
        assert_eq!(detected_app(json!({"id": "x", "displayName": ""})).unwrap(), None);
        assert!(detected_app(json!({"displayName": "no id"})).is_err());
    }

    #[test]
    fn devices_are_read_tolerantly() {
        let device = managed_device(json!({
            "id": "m1", "deviceName": "PC-7", "userPrincipalName": "",
            "lastSyncDateTime": "2026-05-01T10:00:00Z", "serialNumber": "ABC",
            "operatingSystem": "Windows", "complianceState": "compliant"
        }))
        .unwrap()
        .unwrap();
        assert_eq!(device.name, "PC-7");
        assert_eq!(device.user_upn, None);
        assert_eq!(
            device.last_seen.map(|d| d.to_rfc3339()).as_deref(),
            Some("2026-05-01T10:00:00+00:00")
        );
        let never = managed_device(json!({"id": "m2", "lastSyncDateTime": "0001-01-01T00:00:00Z"}))
            .unwrap()
            .unwrap();
        assert_eq!((never.name.as_str(), never.last_seen), ("m2", None));
    }
}
