//! What Apple Apps and Books (the VPP API v2, apis.md §3) reports, in the
//! cache's terms: the location a content token opens, its assets (apps and
//! books with their counts), the users of the location and the assignments
//! of assets to users or devices. `connectors::apple` turns the wire format
//! into these; the store writes them; neither knows the other.

use serde::{Deserialize, Serialize};

/// The prefix of the `clientUserId`s seats creates. Users and assignments
/// in another namespace belong to another device-management product: read
/// for counting, never changed or retired (R-CON-7).
pub const SEATS_CLIENT_USER_PREFIX: &str = "seats:";

/// The `mdmInfo.id` seats registers with `POST /client/config` when it
/// takes a token (R-CON-6).
pub const SEATS_MDM_ID: &str = "seats";

/// How a connector's error begins when Apple refused the token as expired
/// (9621) or revoked (9625): the message is written with these words and
/// the Connectors pane tells the two apart by them (R-CON-4).
pub const TOKEN_EXPIRED: &str = "the Apple content token has expired";
pub const TOKEN_REVOKED: &str = "the Apple content token was revoked";

/// Why Apple no longer takes a connector's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    /// 9621: past its expiry date.
    Expired,
    /// 9625: a newer token of the location was downloaded, or the location removed.
    Revoked,
}

impl TokenProblem {
    /// The problem a connector's last error reports, if any.
    pub fn of_error(error: Option<&str>) -> Option<TokenProblem> {
        let error = error?;
        if error.starts_with(TOKEN_EXPIRED) {
            Some(TokenProblem::Expired)
        } else if error.starts_with(TOKEN_REVOKED) {
            Some(TokenProblem::Revoked)
        } else {
            None
        }
    }

    /// The short word for a table cell.
    pub fn word(self) -> &'static str {
        match self {
            TokenProblem::Expired => "expired",
            TokenProblem::Revoked => "revoked",
        }
    }

    /// What the admin does about it.
    pub fn remedy(self) -> &'static str {
        match self {
            TokenProblem::Expired => {
                "expired (Apple 9621): download a new token from Apple Business Manager → Settings → \
                 Apps and Books, then n in Connectors (same account: assignments are kept)"
            }
            TokenProblem::Revoked => {
                "revoked (Apple 9625): a newer token of this location was downloaded, or the location \
                 was removed; download the current token and link it with n in Connectors"
            }
        }
    }
}

/// The location (library) a content token opens, from `GET /client/config`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppleLocation {
    /// Apple's library id (`uId`): the same for every token of one location.
    pub uid: String,
    pub name: String,
    /// ISO 3166 alpha-2 (`countryISO2ACode`).
    pub country: Option<String>,
    /// RFC 3339 (`tokenExpirationDate`).
    pub token_expires: Option<String>,
    /// The device-management product that holds the token now
    /// (`mdmInfo`), None when unclaimed.
    pub manager: Option<AppleManager>,
}

/// A device-management product as `mdmInfo` names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppleManager {
    pub id: String,
    pub name: String,
}

impl AppleManager {
    /// Whether it is seats itself.
    pub fn is_seats(&self) -> bool {
        self.id == SEATS_MDM_ID
    }
}

/// `productType` of an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssetKind {
    App,
    Book,
}

/// One asset (`assets[]`) with its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppleAsset {
    /// Apple's store id (`adamId`), a string of digits.
    pub adam_id: String,
    /// `STDQ` (standard quality) or `PLUS` (books in high quality).
    pub pricing: String,
    pub kind: AssetKind,
    /// Licenses bought; None when unlimited (free apps:
    /// `totalCount` 2147483647 or listed as unlimited).
    pub total: Option<i64>,
    pub assigned: i64,
    pub available: i64,
    pub retired: i64,
    pub device_assignable: bool,
    pub revocable: bool,
    /// `supportedPlatforms` (`iOS`, `macOS`, …).
    pub platforms: Vec<String>,
}

/// Name, publisher and bundle id of an asset from Apple's public lookup
/// service (`results[]`); the assets API carries only `adamId`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppMetadata {
    pub adam_id: String,
    pub name: String,
    pub publisher: Option<String>,
    pub bundle_id: Option<String>,
}

/// `status` of a location user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppleUserStatus {
    /// Created, no Apple Account linked yet: invited (has an invite code).
    Registered,
    /// An Apple Account accepted the invitation (has an `idHash`).
    Associated,
    Retired,
    /// Legacy: retired and its Apple Account moved to a new user.
    Deleted,
}

/// One user of the location (`users[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppleUser {
    pub client_user_id: String,
    pub email: Option<String>,
    pub status: AppleUserStatus,
    /// Present while Registered: the invitation link is built from it.
    pub invite_code: Option<String>,
}

impl AppleUser {
    /// Whether seats created it (its namespace), so may change it (R-CON-7).
    pub fn is_own(&self) -> bool {
        self.client_user_id.starts_with(SEATS_CLIENT_USER_PREFIX)
    }
}

/// Who an asset is assigned to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AppleHolder {
    User(String),
    /// A device by serial number (device assignment, R-APP-8).
    Device(String),
}

/// One assignment (`assignments[]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AppleAssignment {
    pub adam_id: String,
    pub pricing: String,
    pub holder: AppleHolder,
}

/// The state of an asynchronous event (`GET /status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppleEventStatus {
    Pending,
    Complete,
    /// With the failures' error numbers and messages (9709: not enough
    /// licenses).
    Failed(Vec<(i64, String)>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_users_in_seats_namespace_are_its_own() {
        let user = |id: &str| AppleUser {
            client_user_id: id.to_owned(),
            email: None,
            status: AppleUserStatus::Associated,
            invite_code: None,
        };
        assert!(user("seats:ada@contoso.com").is_own());
        assert!(!user("9f0c1d2e-jamf").is_own());
        assert!(!user("SEATS:ada").is_own(), "the namespace is exact");
    }
}
