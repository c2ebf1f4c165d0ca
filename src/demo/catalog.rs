//! What the organization bought: Microsoft 365 SKUs (real part numbers and
//! sku ids), store and VPP apps, SaaS subscriptions and ISV apps, each with
//! who holds its seats and how its total relates to what is consumed.

use super::people::Os;

/// A group that a pool is assigned to, named by its role in the demo.
#[derive(Debug, Clone, Copy)]
pub(crate) enum GroupRole {
    AllStaff,
    Dept(&'static str),
    EngProduct,
    Phoenix,
    AppleMobile,
    WindowsDevices,
}

/// Who holds a pool's seats.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Audience {
    /// No seats (for example a subscription not activated yet).
    Nobody,
    /// Users whose base Microsoft 365 plan is this index of `BASE_PLANS`.
    Base(usize),
    /// Each user with this probability, directly.
    Random(f64),
    /// Users of these departments with this probability, directly.
    Depts(&'static [&'static str], f64),
    /// Every member of the groups (R-LIC-7: one seat however many groups
    /// reach a user), some others directly; `errors` adds CountViolation rows.
    Groups {
        groups: &'static [GroupRole],
        direct: f64,
        errors: bool,
    },
    /// Every device of a device group.
    Devices(GroupRole),
    /// Owners of devices with these systems, with this probability.
    OsOwners(&'static [Os], f64),
    /// Owners of computers where this catalog product was detected, up to the
    /// pool's total (agreement pools).
    Detected(usize),
}

/// How a pool's total relates to its consumed seats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Sizing {
    /// Some spare seats.
    Headroom,
    /// Only this many seats left.
    NearlyFull(i64),
    /// Fewer seats than consumed (the renewal bought fewer).
    Over,
    /// Flat-rate: no total.
    Unlimited,
    /// A fixed share of the user count (nothing assigned yet).
    PerUser(f64),
    /// Exactly this total.
    Fixed(i64),
}

/// A Microsoft 365 subscription.
pub(crate) struct Sku {
    pub part: &'static str,
    pub name: &'static str,
    pub guid: &'static str,
    pub audience: Audience,
    pub sizing: Sizing,
    /// Days until the subscription term ends.
    pub expires_in: i64,
}

const fn sku(
    part: &'static str,
    name: &'static str,
    guid: &'static str,
    audience: Audience,
    expires_in: i64,
) -> Sku {
    Sku {
        part,
        name,
        guid,
        audience,
        sizing: Sizing::Headroom,
        expires_in,
    }
}

/// Base plans a user holds exactly one of (or none, the last weight).
pub(crate) const BASE_PLANS: usize = 6;
/// Office workers lean to E3/E5, frontline staff to F3.
pub(crate) const OFFICE_WEIGHTS: [u32; BASE_PLANS + 1] = [20, 52, 12, 4, 5, 5, 2];
pub(crate) const FRONTLINE_WEIGHTS: [u32; BASE_PLANS + 1] = [2, 20, 6, 1, 15, 54, 2];
/// Departments whose staff mostly work on the shop floor or the phone.
pub(crate) const FRONTLINE: &[&str] = &["Retail", "Operations", "Customer Support"];

/// The part number of the drifting pool (the source reports a different count).
pub(crate) const DRIFTING_SKU: &str = "ENTERPRISEPACK";
/// The part number of the expired subscription (Graph keeps it in "warning").
pub(crate) const EXPIRED_SKU: &str = "PROJECTPROFESSIONAL";

pub(crate) const SKUS: &[Sku] = &[
    sku(
        "SPE_E5",
        "Microsoft 365 E5",
        "06ebc4ee-1bb5-47dd-8120-11324bc54e06",
        Audience::Base(0),
        210,
    ),
    sku(
        "SPE_E3",
        "Microsoft 365 E3",
        "05e9a617-0261-4cee-bb44-138d3ef5d965",
        Audience::Base(1),
        210,
    ),
    sku(
        "ENTERPRISEPACK",
        "Office 365 E3",
        "6fd2c87f-b296-42f0-b197-1e91e994b900",
        Audience::Base(2),
        95,
    ),
    sku(
        "ENTERPRISEPREMIUM",
        "Office 365 E5",
        "c7df2760-2c81-4ef7-b578-5b5392b571df",
        Audience::Base(3),
        95,
    ),
    sku(
        "STANDARDPACK",
        "Office 365 E1",
        "18181a46-0d4e-45cd-891e-60aabd171b4e",
        Audience::Base(4),
        300,
    ),
    sku(
        "SPE_F1",
        "Microsoft 365 F3",
        "66b55226-6b4f-492c-910c-a3b7a3c9d993",
        Audience::Base(5),
        300,
    ),
    sku(
        "EMS",
        "Enterprise Mobility + Security E3",
        "efccb6f7-5641-4e0e-bd10-b4976e1bf68e",
        Audience::Groups {
            groups: &[GroupRole::AllStaff],
            direct: 0.0,
            errors: false,
        },
        210,
    ),
    sku(
        "EMSPREMIUM",
        "Enterprise Mobility + Security E5",
        "b05e124f-c7cc-45a0-a6aa-8cf78c946968",
        Audience::Random(0.08),
        210,
    ),
    sku(
        "AAD_PREMIUM",
        "Microsoft Entra ID P1",
        "078d2b04-f1bd-4111-bbd5-b4b2c7e4cf4a",
        Audience::Random(0.25),
        210,
    ),
    sku(
        "AAD_PREMIUM_P2",
        "Microsoft Entra ID P2",
        "84a661c4-e949-4bd2-a560-ed7766fcaf2b",
        Audience::Random(0.12),
        210,
    ),
    // Nearly exhausted: Finance gets it through its group, and the last
    // members found no free seat (CountViolation).
    Sku {
        sizing: Sizing::NearlyFull(1),
        ..sku(
            "POWER_BI_PRO",
            "Power BI Pro",
            "f8a1db68-be16-40ed-86d5-cb42ce701560",
            Audience::Groups {
                groups: &[GroupRole::Dept("Finance")],
                direct: 0.08,
                errors: true,
            },
            150,
        )
    },
    sku(
        "POWER_BI_STANDARD",
        "Power BI (free)",
        "a403ebcc-fae0-4ca2-8c8c-7a907fd6c235",
        Audience::Random(0.7),
        365,
    ),
    sku(
        "FLOW_FREE",
        "Microsoft Power Automate Free",
        "f30db892-07e9-47e9-837c-80727f46fd3d",
        Audience::Random(0.6),
        365,
    ),
    sku(
        "TEAMS_EXPLORATORY",
        "Microsoft Teams Exploratory",
        "710779e8-3d4a-4c88-adb9-386c958d1fdf",
        Audience::Random(0.25),
        12,
    ),
    sku(
        "VISIOCLIENT",
        "Visio Plan 2",
        "c5928f49-12ba-48f7-ada3-0d743a3601d5",
        Audience::Groups {
            groups: &[GroupRole::Dept("Engineering"), GroupRole::Dept("Design")],
            direct: 0.02,
            errors: false,
        },
        26,
    ),
    // Over-allocated: two overlapping groups, and the renewal bought fewer seats.
    Sku {
        sizing: Sizing::Over,
        ..sku(
            "PROJECTPREMIUM",
            "Project Plan 5",
            "09015f9f-377f-4538-bbb5-f75ceb09358a",
            Audience::Groups {
                groups: &[GroupRole::EngProduct, GroupRole::Phoenix],
                direct: 0.0,
                errors: false,
            },
            120,
        )
    },
    sku(
        "PROJECTPROFESSIONAL",
        "Project Plan 3",
        "53818b1b-4a27-454b-8896-0dba576410e6",
        Audience::Random(0.05),
        -4,
    ),
    sku(
        "MCOEV",
        "Microsoft Teams Phone Standard",
        "e43b5b99-8dfb-405f-9987-dc307f34bcbd",
        Audience::Random(0.35),
        210,
    ),
    sku(
        "WIN10_VDA_E3",
        "Windows 10/11 Enterprise E3",
        "6a0f6da5-0b87-4190-a6ae-9bb5a2b9546a",
        Audience::Random(0.55),
        210,
    ),
    sku(
        "Microsoft_365_Copilot",
        "Microsoft 365 Copilot",
        "639dec6b-bb19-468b-871c-c5c441c4b0cb",
        Audience::Random(0.08),
        330,
    ),
    sku(
        "ATP_ENTERPRISE",
        "Microsoft Defender for Office 365 (Plan 1)",
        "4ef96642-f096-40de-a3e9-d83fb2f90211",
        Audience::Random(0.45),
        210,
    ),
    sku(
        "INTUNE_A",
        "Microsoft Intune Plan 1",
        "061f9ace-7d42-4136-88ac-31dc755f143f",
        Audience::Random(0.3),
        210,
    ),
    sku(
        "RIGHTSMANAGEMENT",
        "Azure Information Protection Premium P1",
        "c52ea49f-fe5d-4e95-93ba-1de91d380f89",
        Audience::Random(0.3),
        210,
    ),
    sku(
        "EXCHANGESTANDARD",
        "Exchange Online (Plan 1)",
        "4b9405b0-7788-4568-add1-99614e613b69",
        Audience::Random(0.04),
        45,
    ),
];

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
    }
}

const ONLINE: (&str, &str, &str) = ("windows", "store_business", "online");
const OFFLINE: (&str, &str, &str) = ("windows", "store_business", "offline");
const VPP_IOS: (&str, &str, &str) = ("ios", "apple_vpp", "vpp");
const VPP_MAC: (&str, &str, &str) = ("macos", "apple_vpp", "vpp");
const ISV: (&str, &str, &str) = ("web", "isv", "vendor");
const IOS_OWNERS: &[Os] = &[Os::Ios];
const APPLE_OWNERS: &[Os] = &[Os::Ios, Os::MacOs];
const MAC_OWNERS: &[Os] = &[Os::MacOs];

/// The reason sync gives for skipping an encrypted package (R-APP-3).
pub(crate) const ENCRYPTED_REASON: &str = "package is encrypted; encrypted apps are not synced";

pub(crate) const APPS: &[AppSpec] = &[
    app(
        "Microsoft To Do (Online)",
        "Microsoft Corporation",
        ONLINE,
        0,
        "9NBLGGH5R558",
        Audience::Random(0.35),
    ),
    app(
        "Power BI Desktop (Online)",
        "Microsoft Corporation",
        ONLINE,
        0,
        "9NTXR16HNW1T",
        Audience::Random(0.25),
    ),
    app(
        "Drawboard PDF (Online)",
        "Drawboard",
        ONLINE,
        1099,
        "9WZDNCRFHWQT",
        Audience::Random(0.04),
    ),
    AppSpec {
        install_scope: Some("device"),
        ..app(
            "Company Portal (Offline)",
            "Microsoft Corporation",
            OFFLINE,
            0,
            "9WZDNCRFJ3PZ",
            Audience::Devices(GroupRole::WindowsDevices),
        )
    },
    AppSpec {
        install_scope: Some("user"),
        ..app(
            "Microsoft Whiteboard (Offline)",
            "Microsoft Corporation",
            OFFLINE,
            0,
            "9MSPC6MP8FM4",
            Audience::Random(0.2),
        )
    },
    AppSpec {
        install_scope: Some("user"),
        ..app(
            "Drawboard PDF (Offline)",
            "Drawboard",
            OFFLINE,
            1099,
            "9WZDNCRFHWQU",
            Audience::Depts(&["Design"], 0.5),
        )
    },
    AppSpec {
        encrypted: true,
        install_scope: Some("device"),
        ..app(
            "Contoso Secure Viewer (Offline)",
            "Contoso Ltd.",
            OFFLINE,
            2500,
            "9PC0NT0S0V1W",
            Audience::Nobody,
        )
    },
    app(
        "Keynote",
        "Apple",
        VPP_IOS,
        0,
        "361285480",
        Audience::OsOwners(APPLE_OWNERS, 0.6),
    ),
    app(
        "Pages",
        "Apple",
        VPP_IOS,
        0,
        "361309726",
        Audience::OsOwners(APPLE_OWNERS, 0.7),
    ),
    app(
        "Numbers",
        "Apple",
        VPP_IOS,
        0,
        "361304891",
        Audience::OsOwners(APPLE_OWNERS, 0.5),
    ),
    app(
        "GoodNotes 5",
        "Time Base Technology Limited",
        VPP_IOS,
        799,
        "1444383602",
        Audience::Groups {
            groups: &[GroupRole::AppleMobile],
            direct: 0.0,
            errors: false,
        },
    ),
    app(
        "Procreate",
        "Savage Interactive Pty Ltd",
        VPP_IOS,
        1299,
        "425073498",
        Audience::OsOwners(IOS_OWNERS, 0.1),
    ),
    app(
        "Final Cut Pro",
        "Apple",
        VPP_MAC,
        29999,
        "424389933",
        Audience::OsOwners(MAC_OWNERS, 0.04),
    ),
    AppSpec {
        install_url: Some("https://install.proseware.example/fieldmaps"),
        ..app(
            "Proseware Field Maps",
            "Proseware, Inc.",
            ISV,
            0,
            "PW-FIELDMAPS",
            Audience::Depts(&["Operations", "Retail"], 0.3),
        )
    },
    AppSpec {
        install_url: Some("https://relecloud.example/backup/install"),
        ..app(
            "Relecloud Backup",
            "Relecloud",
            ISV,
            0,
            "RC-BACKUP-ENT",
            Audience::Random(0.08),
        )
    },
];

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
