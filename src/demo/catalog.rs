//! The Microsoft 365 subscriptions (real part numbers and sku ids), and the
//! terms every pool is described in: who holds its seats (`Audience`) and how
//! its total relates to what is consumed (`Sizing`).

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

// One line per subscription reads better than rustfmt's one line per field.
#[rustfmt::skip]
pub(crate) const SKUS: &[Sku] = &[
    sku("SPE_E5", "Microsoft 365 E5", "06ebc4ee-1bb5-47dd-8120-11324bc54e06", base(0), 210),
    sku("SPE_E3", "Microsoft 365 E3", "05e9a617-0261-4cee-bb44-138d3ef5d965", base(1), 210),
    sku("ENTERPRISEPACK", "Office 365 E3", "6fd2c87f-b296-42f0-b197-1e91e994b900", base(2), 95),
    sku("ENTERPRISEPREMIUM", "Office 365 E5", "c7df2760-2c81-4ef7-b578-5b5392b571df", base(3), 95),
    sku("STANDARDPACK", "Office 365 E1", "18181a46-0d4e-45cd-891e-60aabd171b4e", base(4), 300),
    sku("SPE_F1", "Microsoft 365 F3", "66b55226-6b4f-492c-910c-a3b7a3c9d993", base(5), 300),
    sku("EMS", "Enterprise Mobility + Security E3", "efccb6f7-5641-4e0e-bd10-b4976e1bf68e", ALL_STAFF, 210),
    sku("EMSPREMIUM", "Enterprise Mobility + Security E5", "b05e124f-c7cc-45a0-a6aa-8cf78c946968", random(0.08), 210),
    sku("AAD_PREMIUM", "Microsoft Entra ID P1", "078d2b04-f1bd-4111-bbd5-b4b2c7e4cf4a", random(0.25), 210),
    sku("AAD_PREMIUM_P2", "Microsoft Entra ID P2", "84a661c4-e949-4bd2-a560-ed7766fcaf2b", random(0.12), 210),
    // Nearly exhausted: Finance gets it through its group, and the last
    // members found no free seat (CountViolation).
    sku("POWER_BI_PRO", "Power BI Pro", "f8a1db68-be16-40ed-86d5-cb42ce701560", FINANCE, 150).sized(Sizing::NearlyFull(1)),
    sku("POWER_BI_STANDARD", "Power BI (free)", "a403ebcc-fae0-4ca2-8c8c-7a907fd6c235", random(0.7), 365),
    sku("FLOW_FREE", "Microsoft Power Automate Free", "f30db892-07e9-47e9-837c-80727f46fd3d", random(0.6), 365),
    sku("TEAMS_EXPLORATORY", "Microsoft Teams Exploratory", "710779e8-3d4a-4c88-adb9-386c958d1fdf", random(0.25), 12),
    sku("VISIOCLIENT", "Visio Plan 2", "c5928f49-12ba-48f7-ada3-0d743a3601d5", DRAWING_DEPTS, 26),
    // Over-allocated: two overlapping groups, and the renewal bought fewer seats.
    sku("PROJECTPREMIUM", "Project Plan 5", "09015f9f-377f-4538-bbb5-f75ceb09358a", PROJECTS, 120).sized(Sizing::Over),
    sku("PROJECTPROFESSIONAL", "Project Plan 3", "53818b1b-4a27-454b-8896-0dba576410e6", random(0.05), -4),
    sku("MCOEV", "Microsoft Teams Phone Standard", "e43b5b99-8dfb-405f-9987-dc307f34bcbd", random(0.35), 210),
    sku("WIN10_VDA_E3", "Windows 10/11 Enterprise E3", "6a0f6da5-0b87-4190-a6ae-9bb5a2b9546a", random(0.55), 210),
    sku("Microsoft_365_Copilot", "Microsoft 365 Copilot", "639dec6b-bb19-468b-871c-c5c441c4b0cb", random(0.08), 330),
    sku("ATP_ENTERPRISE", "Microsoft Defender for Office 365 (Plan 1)", "4ef96642-f096-40de-a3e9-d83fb2f90211", random(0.45), 210),
    sku("INTUNE_A", "Microsoft Intune Plan 1", "061f9ace-7d42-4136-88ac-31dc755f143f", random(0.3), 210),
    sku("RIGHTSMANAGEMENT", "Azure Information Protection Premium P1", "c52ea49f-fe5d-4e95-93ba-1de91d380f89", random(0.3), 210),
    sku("EXCHANGESTANDARD", "Exchange Online (Plan 1)", "4b9405b0-7788-4568-add1-99614e613b69", random(0.04), 45),
];

impl Sku {
    const fn sized(self, sizing: Sizing) -> Self {
        Sku { sizing, ..self }
    }
}

const fn random(chance: f64) -> Audience {
    Audience::Random(chance)
}

const fn base(plan: usize) -> Audience {
    Audience::Base(plan)
}

const fn groups(groups: &'static [GroupRole], direct: f64, errors: bool) -> Audience {
    Audience::Groups {
        groups,
        direct,
        errors,
    }
}

const ALL_STAFF: Audience = groups(&[GroupRole::AllStaff], 0.0, false);
const FINANCE: Audience = groups(&[GroupRole::Dept("Finance")], 0.08, true);
const DRAWING_DEPTS: Audience = groups(
    &[GroupRole::Dept("Engineering"), GroupRole::Dept("Design")],
    0.02,
    false,
);
const PROJECTS: Audience = groups(&[GroupRole::EngProduct, GroupRole::Phoenix], 0.0, false);
