//! What a source of truth says, in the cache's terms: the records a pull
//! brings from a connector (Microsoft Graph first) and the changes a push
//! sends back. The connectors turn wire formats into these; the store
//! writes them into the cache; neither knows the other.

use serde::{Deserialize, Serialize};

/// The start of the warning a pull records when the source would not give
/// users' sign-in activity (Graph: AuditLog.Read.All not granted); the
/// Connectors pane looks for it in the last run's message.
pub const SIGN_IN_WARNING: &str = "sign-in activity not readable";

/// The directory a connector reads (Graph: the `organization`), as the
/// source names it: what `seats connect` reports and the connector shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceOrganization {
    /// The tenant id (Graph `organization.id`, a GUID).
    pub source_id: String,
    pub name: String,
    /// The default verified domain, when the source lists one.
    pub default_domain: Option<String>,
}

/// A subscription (Graph: a subscribedSku) as the source reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceSku {
    /// The source's id of the product (Graph `skuId`, a GUID).
    pub sku_id: String,
    /// The product's code (Graph `skuPartNumber`, e.g. `ENTERPRISEPREMIUM`).
    pub part_number: String,
    /// Whether seats go to users (Graph `appliesTo: User`); company-wide
    /// products are not pools.
    pub assignable: bool,
    pub capability: SkuCapability,
    /// Seats bought and usable (Graph `prepaidUnits.enabled`).
    pub enabled_units: i64,
    /// Seats in their grace period after expiry (`prepaidUnits.warning`).
    pub warning_units: i64,
    /// Seats the source counts as used (Graph `consumedUnits`), kept beside
    /// the cache's own count to show drift.
    pub consumed_units: i64,
}

/// Graph's `capabilityStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SkuCapability {
    Enabled,
    /// Expired, in its grace period.
    Warning,
    Suspended,
    /// Cancelled.
    LockedOut,
    Deleted,
}

/// A user as the source reports it, with every license it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceUser {
    /// The source's object id (Graph `id`), stable across renames.
    pub source_id: String,
    pub upn: String,
    pub display_name: String,
    pub enabled: bool,
    pub department: Option<String>,
    /// ISO country code; Graph refuses licenses without one.
    pub usage_location: Option<String>,
    /// RFC 3339; None when never signed in or not readable (permission).
    pub last_sign_in: Option<String>,
    pub licenses: Vec<SourceLicense>,
}

/// One license a user holds (Graph `licenseAssignmentStates`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLicense {
    pub sku_id: String,
    /// The source id of the group it comes through; None when direct.
    pub via_group: Option<String>,
    pub state: LicenseState,
    /// Graph's error (`CountViolation`, `MutuallyExclusiveViolation`, …);
    /// None when fine (Graph may say null or "None").
    pub error: Option<String>,
}

/// Graph's `licenseAssignmentState.state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LicenseState {
    Active,
    ActiveWithError,
    Disabled,
    Error,
}

impl LicenseState {
    /// Whether the license holds a seat (an `Error` one waits for one).
    pub fn holds_seat(self) -> bool {
        !matches!(self, LicenseState::Error)
    }
}

/// A group as the source reports it, with the licenses given to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceGroup {
    pub source_id: String,
    pub name: String,
    /// `skuId`s assigned to the group (Graph `assignedLicenses`).
    pub licenses: Vec<String>,
}

/// A direct member of a group.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceMember {
    /// A user's source id.
    User(String),
    /// A nested group's source id.
    Group(String),
    /// A device's source id.
    Device(String),
}

/// One entry of an incremental read of users (Graph `users/delta`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserChange {
    /// New or changed: the whole user as it is now.
    Upsert(SourceUser),
    /// Gone from the source: `permanent` when deleted for good (Graph
    /// `@removed.reason = deleted`), else soft-deleted (`changed`).
    Removed { source_id: String, permanent: bool },
}

/// A seat change to send to the source (one outbox row, or part of one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseChange {
    /// Who: a user (by UPN or source id) or a group (by source id).
    pub target: ChangeTarget,
    pub add: Vec<String>,
    pub remove: Vec<String>,
}

/// The principal a [`LicenseChange`] is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeTarget {
    /// A user by UPN or source id (Graph accepts either in the path).
    User(String),
    /// A group by source id.
    Group(String),
}
