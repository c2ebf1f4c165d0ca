//! What Microsoft Store for Business (its REST API, apis.md §4) reports, in
//! the cache's terms: the inventory of apps the organization acquired with
//! their seat counts, the details needed to show an app, the seats users
//! hold, and the outcome of a seat change. `connectors::store_business`
//! turns the wire format into these; the store writes them; neither knows
//! the other.

use serde::{Deserialize, Serialize};

/// The reason a sync gives for skipping an app whose packages are
/// encrypted (R-APP-3).
pub const ENCRYPTED_SKIP_REASON: &str = "package is encrypted; encrypted apps are not synced";

/// A loose RFC 4646 check of the language app names are shown in
/// (R-CON-1): letters and digits in parts of 1 to 8 (en-US, de-DE, zh-Hant-TW).
pub fn valid_language(tag: &str) -> bool {
    !tag.is_empty()
        && tag
            .split('-')
            .all(|part| (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// An app of the store: its product and the SKU bought (`productKey`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ProductKey {
    pub product_id: String,
    pub sku_id: String,
}

impl ProductKey {
    pub fn new(product_id: impl Into<String>, sku_id: impl Into<String>) -> ProductKey {
        ProductKey {
            product_id: product_id.into(),
            sku_id: sku_id.into(),
        }
    }
}

impl std::fmt::Display for ProductKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.product_id, self.sku_id)
    }
}

/// How an app's seats are licensed (`licenseType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StoreLicenseType {
    /// The store installs it and counts its seats per user.
    Online,
    /// The console deploys it with an offline license; the store does not
    /// track who holds its seats ("Not online" for seat calls).
    Offline,
}

impl StoreLicenseType {
    /// What the app's name carries in the console (R-APP-2).
    pub fn name_suffix(self) -> &'static str {
        match self {
            StoreLicenseType::Online => " (Online)",
            StoreLicenseType::Offline => " (Offline)",
        }
    }
}

/// `distributionPolicy`: whether seats are bounded by the count bought.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DistributionPolicy {
    /// Seats may be assigned without limit (free apps).
    Open,
    /// No more seats than available.
    Restricted,
}

/// `status` of an inventory entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InventoryStatus {
    Active,
    /// Removed from the organization's inventory (refunded): the pool goes.
    Removed,
}

/// One app of the inventory (`inventoryEntries[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryEntry {
    pub key: ProductKey,
    pub license_type: StoreLicenseType,
    pub distribution: DistributionPolicy,
    pub status: InventoryStatus,
    /// Seats bought (`seatCapacity`).
    pub seat_capacity: i64,
    /// Seats left (`availableSeats`).
    pub available_seats: i64,
    /// RFC 3339 (`lastModified`); None when the store sent none.
    pub last_modified: Option<String>,
}

impl InventoryEntry {
    /// Seats the store counts as held.
    pub fn used_seats(&self) -> i64 {
        (self.seat_capacity - self.available_seats).max(0)
    }
}

/// What is needed to show an app: from `/Products/{p}/{s}`, its
/// `LocalizedDetails` and its `Packages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreProduct {
    pub key: ProductKey,
    /// The name in `language` (`displayName`).
    pub name: String,
    /// The language the name is in: the one asked for, or the store's
    /// fallback when the app is not localized in it.
    pub language: String,
    pub publisher: Option<String>,
    /// `supportedPlatforms[].platformName` (`Windows.Desktop`, …).
    pub platforms: Vec<String>,
    pub supported_languages: Vec<String>,
    pub package_family_name: Option<String>,
    pub category: Option<String>,
    /// Why a sync skips it (encrypted packages), None when it is synced.
    pub skip_reason: Option<String>,
}

/// Localized details of an app (`LocalizedProductDetail`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalizedDetails {
    pub language: String,
    pub name: String,
    pub description: Option<String>,
    pub publisher: Option<String>,
    pub publisher_website: Option<String>,
}

/// What an app's packages say about syncing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageInfo {
    /// `packageFormat` of each package, as sent.
    pub formats: Vec<String>,
    /// `contentId` of each package (once each): what an offline license
    /// is asked for.
    pub content_ids: Vec<String>,
    /// Whether any package is encrypted (`EAppx`, `EAppxBundle`, `EMsix`,
    /// `EMsixBundle`): such apps are skipped (R-APP-3).
    pub encrypted: bool,
}

impl PackageInfo {
    /// The skip reason for an encrypted app, None otherwise.
    pub fn skip_reason(&self) -> Option<&'static str> {
        self.encrypted.then_some(ENCRYPTED_SKIP_REASON)
    }
}

/// The offline license of an offline app's content (`OfflineLicense`),
/// installed on devices through a CSP by the console's deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineLicense {
    pub key: ProductKey,
    pub content_id: String,
    /// Base64, as sent (`licenseBlob`).
    pub license_blob: String,
    pub license_instance_id: Option<String>,
    /// The organization that asked (`requestorId`).
    pub requestor_id: Option<String>,
}

/// Whether a `packageFormat` is an encrypted one (an `E` before the plain
/// format's name).
pub fn is_encrypted_format(format: &str) -> bool {
    let lower = format.trim().to_ascii_lowercase();
    lower
        .strip_prefix('e')
        .is_some_and(|plain| plain.starts_with("appx") || plain.starts_with("msix"))
}

/// `state` of a seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SeatState {
    Active,
    Revoked,
}

/// A seat of an online app held by a user (`SeatDetails`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreSeat {
    pub key: ProductKey,
    /// The user's UPN (`assignedTo`).
    pub assigned_to: String,
    /// RFC 3339 (`dateAssigned`).
    pub date_assigned: Option<String>,
    pub state: SeatState,
}

/// What to do with seats (`SeatAction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SeatAction {
    Assign,
    Reclaim,
}

impl SeatAction {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SeatAction::Assign => "Assign",
            SeatAction::Reclaim => "Reclaim",
        }
    }
}

/// Why the store refused a seat change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SeatRefusal {
    /// 409 "Not online": the app is licensed offline; its seats are not
    /// assigned through the store.
    NotOnline,
    /// A Restricted app with no seat available.
    NoSeatsLeft,
    /// 404 for the product/SKU: not (or no longer) in the inventory.
    UnknownApp,
    /// 404 for the user: not in the organization's directory.
    UnknownUser,
    /// 404 for the seat: the user holds no seat of the app.
    NoSeat,
    /// Anything else the store said.
    Other,
}

/// The outcome of a seat change for one user (a single call or one
/// user of a bulk call).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SeatOutcome {
    Assigned(StoreSeat),
    Reclaimed(StoreSeat),
    /// 409 "Not online": offline apps' seats are not managed by the store.
    NotOnline {
        user: String,
    },
    /// Refused for another reason; `message` is the store's own text.
    Failed {
        user: String,
        reason: SeatRefusal,
        message: String,
    },
}

impl SeatOutcome {
    /// A refusal, as its own variant when it is "Not online".
    pub fn refused(user: impl Into<String>, reason: SeatRefusal, message: impl Into<String>) -> SeatOutcome {
        let user = user.into();
        match reason {
            SeatRefusal::NotOnline => SeatOutcome::NotOnline { user },
            reason => SeatOutcome::Failed {
                user,
                reason,
                message: message.into(),
            },
        }
    }

    /// The user the outcome is for.
    pub fn user(&self) -> &str {
        match self {
            SeatOutcome::Assigned(seat) | SeatOutcome::Reclaimed(seat) => &seat.assigned_to,
            SeatOutcome::NotOnline { user } | SeatOutcome::Failed { user, .. } => user,
        }
    }

    /// Whether the change was made.
    pub fn succeeded(&self) -> bool {
        matches!(self, SeatOutcome::Assigned(_) | SeatOutcome::Reclaimed(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypted_formats_are_told_from_plain_ones() {
        for format in ["EAppx", "EAppxBundle", "eappxbundle", "EMsix", "EMsixBundle"] {
            assert!(is_encrypted_format(format), "{format}");
        }
        for format in ["Appx", "appxBundle", "Xap", "Msix", "", "Exe"] {
            assert!(!is_encrypted_format(format), "{format}");
        }
    }

    #[test]
    fn not_online_is_its_own_outcome() {
        let outcome = SeatOutcome::refused("ada@contoso.com", SeatRefusal::NotOnline, "Not online");
        assert_eq!(
            outcome,
            SeatOutcome::NotOnline {
                user: "ada@contoso.com".into()
            }
        );
        assert_eq!(outcome.user(), "ada@contoso.com");
        assert!(!outcome.succeeded());
        let full = SeatOutcome::refused("bo@contoso.com", SeatRefusal::NoSeatsLeft, "No seats available");
        assert!(matches!(
            full,
            SeatOutcome::Failed {
                reason: SeatRefusal::NoSeatsLeft,
                ..
            }
        ));
    }
}
