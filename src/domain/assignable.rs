//! Whether a pool takes new seats at all, whatever their number (R-SUB-3,
//! R-SUB-4). The console asks before it opens a picker, and the store asks
//! again inside the write transaction, so both refuse for the same reason.

use std::fmt;

use super::PoolKind;

/// Why a pool takes no new seats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    /// Agreement pools count detected installs; nobody is assigned.
    CountedFromInventory,
    /// Cancelled, expired or payment lapsed: final (R-SUB-4).
    Disabled { reason: String },
    /// Not yet activated at the publisher (R-SUB-3).
    PendingActivation,
    /// Suspended at the source.
    Suspended,
}

/// The blocker of a pool of `kind` in `status`, if any.
pub fn blocker(kind: PoolKind, status: &str, disabled_reason: Option<&str>) -> Option<Blocker> {
    if kind == PoolKind::Agreement {
        return Some(Blocker::CountedFromInventory);
    }
    match status {
        "disabled" => Some(Blocker::Disabled {
            reason: disabled_reason.unwrap_or("no reason recorded").replace('_', " "),
        }),
        "pending_activation" => Some(Blocker::PendingActivation),
        "suspended" => Some(Blocker::Suspended),
        _ => None,
    }
}

impl Blocker {
    /// A few words for a list: "can't assign: disabled (cancelled)".
    pub fn short(&self) -> String {
        let why = match self {
            Blocker::CountedFromInventory => "counted from inventory".to_owned(),
            Blocker::Disabled { reason } => format!("disabled ({reason})"),
            Blocker::PendingActivation => "pending activation".to_owned(),
            Blocker::Suspended => "suspended".to_owned(),
        };
        format!("can't assign: {why}")
    }

    /// The refusal for `pool`: why, and what to do instead.
    pub fn explain(&self, pool: &str) -> String {
        Explained { blocker: self, pool }.to_string()
    }
}

struct Explained<'a> {
    blocker: &'a Blocker,
    pool: &'a str,
}

impl fmt::Display for Explained<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pool = self.pool;
        match self.blocker {
            Blocker::CountedFromInventory => write!(
                f,
                "{pool}: agreement pools are counted from detected inventory, not assigned; \
                 change the agreement's license count or the inventory instead"
            ),
            Blocker::Disabled { reason } => write!(
                f,
                "{pool} is disabled ({reason}): a disabled subscription can never be reactivated; \
                 buy another copy to assign seats again (seats can still be released)"
            ),
            Blocker::PendingActivation => write!(
                f,
                "{pool} is not activated yet: activate it on the publisher's site, record that \
                 with A in Subscriptions (or seats subscription activate ID), and assign again"
            ),
            Blocker::Suspended => write!(
                f,
                "{pool}: the subscription is suspended at the source; settle it there, sync, and \
                 assign again"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_active_non_agreement_pools_take_seats() {
        assert_eq!(blocker(PoolKind::M365, "active", None), None);
        assert_eq!(blocker(PoolKind::Saas, "warning", None), None);
        assert_eq!(
            blocker(PoolKind::Agreement, "active", None),
            Some(Blocker::CountedFromInventory)
        );
        assert_eq!(
            blocker(PoolKind::Saas, "pending_activation", None),
            Some(Blocker::PendingActivation)
        );
        let disabled = blocker(PoolKind::Saas, "disabled", Some("payment_lapsed")).unwrap();
        assert!(
            disabled
                .explain("Fabrikam CRM")
                .starts_with("Fabrikam CRM is disabled (payment lapsed)")
        );
    }
}
