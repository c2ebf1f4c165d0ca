//! Third-party SaaS and ISV subscriptions (R-SUB-1..9, R-LIC-8): their
//! lifecycle as a state machine, the quantity rules and the regions they
//! are sold in. Plain rules; the store applies them inside its write
//! transactions and the console and command line show their refusals.

use std::fmt;

/// Where a subscription is in its life (R-SUB-3, R-SUB-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubStatus {
    /// Bought, not yet activated at the publisher: no seat can be assigned.
    PendingActivation,
    Active,
    /// Final: cancelled, expired or payment lapsed.
    Disabled(DisabledReason),
}

/// Why a subscription was disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisabledReason {
    Cancelled,
    Expired,
    PaymentLapsed,
}

impl DisabledReason {
    pub const ALL: [DisabledReason; 3] = [
        DisabledReason::Cancelled,
        DisabledReason::Expired,
        DisabledReason::PaymentLapsed,
    ];

    /// The cache's and the contract's word.
    pub fn as_str(self) -> &'static str {
        match self {
            DisabledReason::Cancelled => "cancelled",
            DisabledReason::Expired => "expired",
            DisabledReason::PaymentLapsed => "payment_lapsed",
        }
    }

    pub fn parse(text: &str) -> Option<DisabledReason> {
        DisabledReason::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

impl SubStatus {
    /// Every status, for tables of transitions.
    pub const ALL: [SubStatus; 5] = [
        SubStatus::PendingActivation,
        SubStatus::Active,
        SubStatus::Disabled(DisabledReason::Cancelled),
        SubStatus::Disabled(DisabledReason::Expired),
        SubStatus::Disabled(DisabledReason::PaymentLapsed),
    ];

    /// The contract's word (`status`).
    pub fn as_str(self) -> &'static str {
        match self {
            SubStatus::PendingActivation => "pending_activation",
            SubStatus::Active => "active",
            SubStatus::Disabled(_) => "disabled",
        }
    }

    /// From the cache's status and reason; anything the source calls
    /// suspended or warning is still active for the lifecycle.
    pub fn from_cache(status: &str, reason: Option<&str>) -> SubStatus {
        match status {
            "pending_activation" => SubStatus::PendingActivation,
            "disabled" => SubStatus::Disabled(
                reason
                    .and_then(DisabledReason::parse)
                    .unwrap_or(DisabledReason::Cancelled),
            ),
            _ => SubStatus::Active,
        }
    }

    pub fn reason(self) -> Option<DisabledReason> {
        match self {
            SubStatus::Disabled(reason) => Some(reason),
            _ => None,
        }
    }
}

/// What moves a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubAction {
    /// The admin activated it at the publisher and records it (R-SUB-3).
    Activate,
    /// The admin cancels it (R-SUB-7).
    Cancel,
    /// Its term ended without renewal.
    Expire,
    /// The payment lapsed.
    LapsePayment,
}

impl SubAction {
    pub const ALL: [SubAction; 4] = [
        SubAction::Activate,
        SubAction::Cancel,
        SubAction::Expire,
        SubAction::LapsePayment,
    ];
}

/// Why a transition is refused; the text says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionRefused {
    AlreadyActive,
    /// Disabled is final (R-SUB-4).
    Final(DisabledReason),
    /// Only an active subscription expires or lapses.
    NotActive,
}

impl fmt::Display for TransitionRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransitionRefused::AlreadyActive => f.write_str("it is active already"),
            TransitionRefused::Final(reason) => write!(
                f,
                "it is disabled ({}) and a disabled subscription can never be active again: \
                 buy another copy and record the new purchase (`seats import subscriptions FILE`)",
                reason.as_str().replace('_', " ")
            ),
            TransitionRefused::NotActive => {
                f.write_str("it is not active yet: only an active subscription expires or lapses")
            }
        }
    }
}

/// The status `action` leads to from `status`, or why it can't.
pub fn transition(status: SubStatus, action: SubAction) -> Result<SubStatus, TransitionRefused> {
    use SubAction::*;
    use SubStatus::*;
    match (status, action) {
        (Disabled(reason), _) => Err(TransitionRefused::Final(reason)),
        (PendingActivation, Activate) => Ok(Active),
        (Active, Activate) => Err(TransitionRefused::AlreadyActive),
        // A purchase never activated can still be cancelled.
        (PendingActivation | Active, Cancel) => Ok(Disabled(DisabledReason::Cancelled)),
        (PendingActivation, Expire | LapsePayment) => Err(TransitionRefused::NotActive),
        (Active, Expire) => Ok(Disabled(DisabledReason::Expired)),
        (Active, LapsePayment) => Ok(Disabled(DisabledReason::PaymentLapsed)),
    }
}

/// How a subscription is priced (R-SUB-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pricing {
    /// Site-based: unlimited seats for a monthly or annual price.
    Flat,
    PerSeat,
}

/// Why a quantity change is refused (R-SUB-5, R-LIC-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuantityRefused {
    /// Flat-rate: the quantity is Unlimited.
    FlatRate,
    /// The vendor manages the quantity of an ISV app.
    VendorManaged,
    Disabled(DisabledReason),
    /// Fewer than the seats in use: release `release` seats first.
    BelowInUse {
        in_use: i64,
        release: i64,
    },
    NotPositive,
    /// More than [`MAX_QUANTITY`]: a slip of the keyboard, not a purchase.
    TooMany(i64),
    Unchanged,
}

/// The most seats a subscription may name: ten million, more than any
/// tenant buys of one product, so `:quantity 4000000000` is a typo refused.
pub const MAX_QUANTITY: i64 = 10_000_000;

impl fmt::Display for QuantityRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuantityRefused::FlatRate => f.write_str(
                "it is flat-rate (site-based): its quantity is Unlimited, so there is nothing to change",
            ),
            QuantityRefused::VendorManaged => {
                f.write_str("the vendor manages its quantity: change it with the vendor, then sync")
            }
            QuantityRefused::Disabled(reason) => write!(
                f,
                "it is disabled ({}): buy another copy instead",
                reason.as_str().replace('_', " ")
            ),
            QuantityRefused::BelowInUse { in_use, release } => write!(
                f,
                "{in_use} seats are in use: release {release} first, then lower the quantity"
            ),
            QuantityRefused::NotPositive => f.write_str("the quantity must be at least 1"),
            QuantityRefused::TooMany(wanted) => write!(
                f,
                "{wanted} seats is more than the 10,000,000 a subscription may name; check the figure"
            ),
            QuantityRefused::Unchanged => f.write_str("it has that quantity already"),
        }
    }
}

/// Whether a subscription's quantity may become `wanted`.
pub fn check_quantity(
    pricing: Pricing,
    vendor_managed: bool,
    status: SubStatus,
    current: Option<i64>,
    in_use: i64,
    wanted: i64,
) -> Result<(), QuantityRefused> {
    if vendor_managed {
        return Err(QuantityRefused::VendorManaged);
    }
    if pricing == Pricing::Flat {
        return Err(QuantityRefused::FlatRate);
    }
    if let SubStatus::Disabled(reason) = status {
        return Err(QuantityRefused::Disabled(reason));
    }
    if wanted < 1 {
        return Err(QuantityRefused::NotPositive);
    }
    if wanted > MAX_QUANTITY {
        return Err(QuantityRefused::TooMany(wanted));
    }
    if wanted < in_use {
        return Err(QuantityRefused::BelowInUse {
            in_use,
            release: in_use - wanted,
        });
    }
    if current == Some(wanted) {
        return Err(QuantityRefused::Unchanged);
    }
    Ok(())
}

/// The regions third-party apps are sold in (R-SUB-8), as the seeds name them.
pub const REGIONS: &[&str] = &[
    "Argentina",
    "Australia",
    "Canada",
    "Chile",
    "France",
    "Germany",
    "Greece",
    "Puerto Rico",
    "South Africa",
    "United Kingdom",
    "United States",
    "Western Europe",
];

/// Country codes (ISO 3166-1 alpha-2) of those regions. Western Europe is
/// the UN geoscheme's: Austria, Belgium, France, Germany, Liechtenstein,
/// Luxembourg, Monaco, the Netherlands and Switzerland.
const COUNTRIES: &[(&str, &str)] = &[
    ("AR", "Argentina"),
    ("AU", "Australia"),
    ("CA", "Canada"),
    ("CL", "Chile"),
    ("FR", "France"),
    ("DE", "Germany"),
    ("GR", "Greece"),
    ("PR", "Puerto Rico"),
    ("ZA", "South Africa"),
    ("GB", "United Kingdom"),
    ("US", "United States"),
    ("AT", "Western Europe"),
    ("BE", "Western Europe"),
    ("CH", "Western Europe"),
    ("LI", "Western Europe"),
    ("LU", "Western Europe"),
    ("MC", "Western Europe"),
    ("NL", "Western Europe"),
];

/// The supported region a tenant in `country` (a code or a region's name,
/// any case) buys in, or the refusal with the list.
pub fn region_of(country: &str) -> Result<&'static str, String> {
    let wanted = country.trim();
    COUNTRIES
        .iter()
        .find(|(code, name)| code.eq_ignore_ascii_case(wanted) || name.eq_ignore_ascii_case(wanted))
        .map(|(_, region)| *region)
        .or_else(|| REGIONS.iter().find(|r| r.eq_ignore_ascii_case(wanted)).copied())
        .ok_or_else(|| {
            format!(
                "third-party apps are not sold in {wanted:?}: they are offered only in {} \
                 (Western Europe: AT, BE, CH, DE, FR, LI, LU, MC, NL)",
                REGIONS.join(", ")
            )
        })
}

#[cfg(test)]
#[path = "subscription_tests.rs"]
mod tests;
