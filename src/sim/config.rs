//! What a simulator serves and how it behaves.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::faults::Faults;

/// Intune's page of managed devices (see [`SimConfig::intune_page_size`]).
pub const INTUNE_PAGE: usize = 1000;

/// The simulator's settings. The tenant (users, seed) is built only when
/// `state` holds none yet; an existing tenant is reused as it is.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Users of a new tenant (the demo builds at least
    /// [`crate::demo::MIN_USERS`]).
    pub users: u32,
    /// Seed of the tenant's generator, its ids and of the fault generator
    /// (unless the faults carry their own `seed=`).
    pub seed: u64,
    /// Faults injected into Graph requests.
    pub faults: Faults,
    /// The simulator's SQLite file (created if missing).
    pub state: PathBuf,
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Lifetime of an access token (`expires_in`).
    pub token_lifetime: Duration,
    /// How long a delta link stays valid (Graph: 7 days for users).
    pub delta_lifetime: Duration,
    /// Whether the app may read `signInActivity` (AuditLog.Read.All and a
    /// premium tenant); without it `$select=signInActivity` answers 403.
    pub sign_in_activity_allowed: bool,
    /// Whether the app registration holds DeviceManagementManagedDevices.Read.All
    /// (Intune's detected apps); without it both reads answer 403.
    /// [`crate::sim::SimTenant::set_detected_apps_access`] changes it later.
    pub detected_apps_allowed: bool,
    /// Detected apps and devices per page of Intune's lists (a smaller
    /// `$top` is honoured, a larger one is not). Intune pages its managed
    /// devices by 1,000 ("a default limit of 1000 items in the response",
    /// a Microsoft engineer in microsoftgraph/powershell-intune-samples#2;
    /// Intune-PowerShell-SDK#53 and #78 saw the same); the default is that.
    pub intune_page_size: usize,
    /// How long after `POST /groups/{id}/assignLicense` the licenses reach
    /// the members (processed on the first request after that).
    pub group_processing_delay: Duration,
    /// The moment a new tenant's dates are measured from (default: when it
    /// is built). The demo's simulator takes the demo's build time, so it
    /// builds the very tenant the demo cache holds.
    pub built_at: Option<DateTime<Utc>>,
    /// Users and assignments per page of Apple's `/users` and
    /// `/assignments` (Apple chooses "several hundred").
    pub apple_page_size: usize,
    /// How long after an Apple change (associate, create users…) its event
    /// is carried out; `/status` says PENDING until then.
    pub apple_event_delay: Duration,
    /// Assignments added to a new Apple location on top of the demo's VPP
    /// seats (tenant users in seats' namespace across the assets, totals
    /// raised to hold them), so a benchmark can sync a location of a given
    /// size. 0 (the default) adds none.
    pub apple_extra_assignments: u32,
}

impl SimConfig {
    /// Defaults for a tenant of `users` users in `state`.
    pub fn new(state: impl Into<PathBuf>, users: u32) -> SimConfig {
        SimConfig {
            users,
            seed: 42,
            faults: Faults::default(),
            state: state.into(),
            port: 0,
            token_lifetime: Duration::from_secs(3599),
            delta_lifetime: Duration::from_secs(7 * 24 * 3600),
            sign_in_activity_allowed: true,
            detected_apps_allowed: true,
            intune_page_size: INTUNE_PAGE,
            group_processing_delay: Duration::ZERO,
            built_at: None,
            apple_page_size: 1000,
            apple_event_delay: Duration::from_millis(200),
            apple_extra_assignments: 0,
        }
    }
}
