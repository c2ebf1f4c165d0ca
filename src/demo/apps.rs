//! Apps (store, VPP, ISV) and third-party SaaS subscriptions: what the
//! organization bought besides Microsoft 365, and who holds the seats.

use super::catalog::{Audience, GroupRole, Sizing};
use super::people::Os;

/// A store, VPP or ISV app and the pool of its licenses.
pub(crate) struct AppSpec {
    pub name: &'static str,
    pub publisher: &'static str,
    pub platform: &'static str,
    pub source: &'static str,
    pub license_type: &'static str,
    pub price_cents: i64,
    pub install_scope: Option<&'static str>,
    pub install_url: Option<&'static str>,
    pub external_id: &'static str,
    /// Encrypted packages are skipped by sync (R-APP-3) and get no pool.
    pub encrypted: bool,
    pub audience: Audience,
    /// Every seat used and this many of its group's members waiting for
    /// one: a deployment short of seats (R-APP-6).
    pub waiting: usize,
}

const fn app(
    name: &'static str,
    publisher: &'static str,
    (platform, source, license_type): (&'static str, &'static str, &'static str),
    price_cents: i64,
    external_id: &'static str,
    audience: Audience,
) -> AppSpec {
    AppSpec {
        name,
        publisher,
        platform,
        source,
        license_type,
        price_cents,
        install_scope: None,
        install_url: None,
        external_id,
        encrypted: false,
        audience,
        waiting: 0,
    }
}

const ONLINE: (&str, &str, &str) = ("windows", "store_business", "online");
const OFFLINE: (&str, &str, &str) = ("windows", "store_business", "offline");
const VPP_IOS: (&str, &str, &str) = ("ios", "apple_vpp", "vpp");
const VPP_MAC: (&str, &str, &str) = ("macos", "apple_vpp", "vpp");
const ISV: (&str, &str, &str) = ("web", "isv", "vendor");
const IOS_OWNERS: &[Os] = &[Os::Ios];
const APPLE_OWNERS: &[Os] = &[Os::Ios, Os::Mac];
const MAC_OWNERS: &[Os] = &[Os::Mac];

/// The reason sync gives for skipping an encrypted package (R-APP-3).
pub(crate) const ENCRYPTED_REASON: &str = "package is encrypted; encrypted apps are not synced";

// One line per app reads better than rustfmt's one line per field.
#[rustfmt::skip]
pub(crate) const APPS: &[AppSpec] = &[
    app("Microsoft To Do (Online)", "Microsoft Corporation", ONLINE, 0, "9NBLGGH5R558", Audience::Random(0.35)),
    app("Power BI Desktop (Online)", "Microsoft Corporation", ONLINE, 0, "9NTXR16HNW1T", Audience::Random(0.25)),
    app("Drawboard PDF (Online)", "Drawboard", ONLINE, 1099, "9WZDNCRFHWQT", Audience::Random(0.04)),
    // Deployed to every Windows device, and short of seats: the last three
    // devices wait for one (R-APP-6).
    app("Company Portal (Offline)", "Microsoft Corporation", OFFLINE, 0, "9WZDNCRFJ3PZ", WINDOWS)
        .scope("device")
        .short_by(3),
    app("Microsoft Whiteboard (Offline)", "Microsoft Corporation", OFFLINE, 0, "9MSPC6MP8FM4", Audience::Random(0.2))
        .scope("user"),
    app("Drawboard PDF (Offline)", "Drawboard", OFFLINE, 1099, "9WZDNCRFHWQU", DESIGN).scope("user"),
    // Skipped by sync (R-APP-3): an app row with the reason, and no pool.
    app("Contoso Secure Viewer (Offline)", "Contoso Ltd.", OFFLINE, 2500, "9PC0NT0S0V1W", Audience::Nobody)
        .scope("device")
        .encrypted(),
    app("Keynote", "Apple", VPP_IOS, 0, "361285480", Audience::OsOwners(APPLE_OWNERS, 0.6)),
    app("Pages", "Apple", VPP_IOS, 0, "361309726", Audience::OsOwners(APPLE_OWNERS, 0.7)),
    app("Numbers", "Apple", VPP_IOS, 0, "361304891", Audience::OsOwners(APPLE_OWNERS, 0.5)),
    app("GoodNotes 5", "Time Base Technology Limited", VPP_IOS, 799, "1444383602", APPLE_MOBILE),
    app("Procreate", "Savage Interactive Pty Ltd", VPP_IOS, 1299, "425073498", Audience::OsOwners(IOS_OWNERS, 0.1)),
    app("Final Cut Pro", "Apple", VPP_MAC, 29999, "424389933", Audience::OsOwners(MAC_OWNERS, 0.04)),
    app("Proseware Field Maps", "Proseware, Inc.", ISV, 0, "PW-FIELDMAPS", FIELD_STAFF)
        .url("https://install.proseware.example/fieldmaps"),
    app("Relecloud Backup", "Relecloud", ISV, 0, "RC-BACKUP-ENT", Audience::Random(0.08))
        .url("https://relecloud.example/backup/install"),
];

const WINDOWS: Audience = Audience::Devices(GroupRole::WindowsDevices);
const DESIGN: Audience = Audience::Depts(&["Design"], 0.5);
const FIELD_STAFF: Audience = Audience::Depts(&["Operations", "Retail"], 0.3);
const APPLE_MOBILE: Audience = Audience::Groups {
    groups: &[GroupRole::AppleMobile],
    direct: 0.0,
    errors: false,
};

impl AppSpec {
    /// Installs for one user, or for every user of a device (R-APP-4).
    const fn scope(self, scope: &'static str) -> Self {
        AppSpec {
            install_scope: Some(scope),
            ..self
        }
    }

    /// Where the vendor installs it (R-SUB-9).
    const fn url(self, url: &'static str) -> Self {
        AppSpec {
            install_url: Some(url),
            ..self
        }
    }

    /// Every seat used, `waiting` deployments waiting for one.
    const fn short_by(self, waiting: usize) -> Self {
        AppSpec { waiting, ..self }
    }

    const fn encrypted(self) -> Self {
        AppSpec {
            encrypted: true,
            ..self
        }
    }
}

/// A third-party SaaS subscription (R-SUB-*).
pub(crate) struct Saas {
    pub name: &'static str,
    pub publisher: &'static str,
    pub pricing: &'static str,
    pub channel: &'static str,
    pub billing: &'static str,
    pub price_cents: i64,
    pub status: &'static str,
    pub disabled_reason: Option<&'static str>,
    pub expires_in: i64,
    pub audience: Audience,
    pub sizing: Sizing,
}

pub(crate) const SAAS: &[Saas] = &[
    Saas {
        name: "Litware Whiteboard",
        publisher: "Litware, Inc.",
        pricing: "flat_rate",
        channel: "direct",
        billing: "monthly",
        price_cents: 49_900,
        status: "active",
        disabled_reason: None,
        expires_in: 24,
        audience: Audience::Random(0.25),
        sizing: Sizing::Unlimited,
    },
    Saas {
        name: "Fabrikam CRM",
        publisher: "Fabrikam, Inc.",
        pricing: "per_seat",
        channel: "partner",
        billing: "annual",
        price_cents: 57_600,
        status: "active",
        disabled_reason: None,
        expires_in: 160,
        audience: Audience::Depts(&["Sales", "Customer Support"], 0.6),
        sizing: Sizing::Headroom,
    },
    Saas {
        name: "Tailspin Survey",
        publisher: "Tailspin Toys",
        pricing: "per_seat",
        channel: "direct",
        billing: "monthly",
        price_cents: 1_200,
        status: "disabled",
        disabled_reason: Some("payment_lapsed"),
        expires_in: 17,
        audience: Audience::Random(0.02),
        sizing: Sizing::Headroom,
    },
    Saas {
        name: "Adatum Sign",
        publisher: "Adatum Corporation",
        pricing: "per_seat",
        channel: "vendor_proposal",
        billing: "annual",
        price_cents: 9_900,
        status: "pending_activation",
        disabled_reason: None,
        expires_in: 365,
        audience: Audience::Nobody,
        sizing: Sizing::PerUser(0.025),
    },
    Saas {
        name: "Wingtip Analytics",
        publisher: "Wingtip Toys",
        pricing: "per_seat",
        channel: "partner",
        billing: "annual",
        price_cents: 30_000,
        status: "active",
        disabled_reason: None,
        expires_in: 9,
        audience: Audience::Random(0.04),
        sizing: Sizing::Headroom,
    },
    Saas {
        name: "Woodgrove Expenses",
        publisher: "Woodgrove Bank",
        pricing: "flat_rate",
        channel: "direct",
        billing: "annual",
        price_cents: 240_000,
        status: "disabled",
        disabled_reason: Some("expired"),
        expires_in: -15,
        audience: Audience::Random(0.01),
        sizing: Sizing::Unlimited,
    },
];
