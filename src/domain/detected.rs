//! Software a device-management source detected on its devices (issue 9,
//! R-APP-10): Intune's detected apps (Graph `detectedApp`) and the managed
//! devices each was found on (`managedDevice`). The Graph connector turns
//! the wire format into these; the store writes them into the inventory.

use chrono::{DateTime, Utc};

/// The publisher of a detected app whose source names none (Intune often
/// leaves `publisher` empty, on macOS most of all).
pub const UNKNOWN_PUBLISHER: &str = "Unknown publisher";

/// One detected app: a product name and version as the devices report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectedApp {
    /// The source's id (Graph `detectedApp.id`), to list its devices.
    pub source_id: String,
    /// The name as detected ("Adobe Acrobat Pro 2024 (64-bit)"); the
    /// catalog normalises it to a title.
    pub name: String,
    pub version: Option<String>,
    pub publisher: Option<String>,
    /// `windows`, `macOS`, … as the source says it.
    pub platform: Option<String>,
    /// Devices the source counts it on (`deviceCount`).
    pub device_count: Option<u64>,
}

impl DetectedApp {
    /// The publisher to file it under: the source's, else [`UNKNOWN_PUBLISHER`].
    pub fn publisher_or_unknown(&self) -> &str {
        self.publisher
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .unwrap_or(UNKNOWN_PUBLISHER)
    }
}

/// A managed device a detected app was found on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectedDevice {
    /// The source's id (Graph `managedDevice.id`).
    pub source_id: String,
    /// The computer's name (`deviceName`).
    pub name: String,
    /// Its primary user (`userPrincipalName`), when it has one.
    pub user_upn: Option<String>,
    /// When the device last reported (`lastSyncDateTime`): the last time
    /// its software was seen.
    pub last_seen: Option<DateTime<Utc>>,
    pub serial_number: Option<String>,
    /// `Windows`, `macOS`, … as the source says it.
    pub operating_system: Option<String>,
}

impl DetectedDevice {
    /// The cache's `devices.os` for the source's operating system name.
    pub fn os(&self) -> &'static str {
        let os = self
            .operating_system
            .as_deref()
            .unwrap_or("")
            .to_ascii_lowercase();
        if os.starts_with("windows") {
            "windows"
        } else if os.starts_with("mac") {
            "mac"
        } else if os.starts_with("ios") || os.starts_with("ipados") {
            "ios"
        } else if os.starts_with("android") {
            "android"
        } else {
            "unknown"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(os: Option<&str>) -> DetectedDevice {
        DetectedDevice {
            source_id: "d".to_owned(),
            name: "PC-1".to_owned(),
            user_upn: None,
            last_seen: None,
            serial_number: None,
            operating_system: os.map(str::to_owned),
        }
    }

    #[test]
    fn operating_systems_map_to_the_cache_words() {
        assert_eq!(device(Some("Windows")).os(), "windows");
        assert_eq!(device(Some("macOS")).os(), "mac");
        assert_eq!(device(Some("iPadOS")).os(), "ios");
        assert_eq!(device(Some("Linux")).os(), "unknown");
        assert_eq!(device(None).os(), "unknown");
    }

    #[test]
    fn a_missing_or_blank_publisher_is_filed_as_unknown() {
        let mut app = DetectedApp {
            source_id: "a".to_owned(),
            name: "Tool".to_owned(),
            version: None,
            publisher: Some("  ".to_owned()),
            platform: None,
            device_count: None,
        };
        assert_eq!(app.publisher_or_unknown(), UNKNOWN_PUBLISHER);
        app.publisher = Some("Adobe".to_owned());
        assert_eq!(app.publisher_or_unknown(), "Adobe");
    }
}
