//! A pool's status in the vocabulary of the command-line contract
//! (architecture §5): active, pending_activation, disabled, suspended,
//! expired.
//!
//! The cache keeps what the source said (`pools.status`: active,
//! pending_activation, warning, suspended, disabled, with a
//! `disabled_reason` of cancelled, expired or payment_lapsed) and the end of
//! the term (`expires_on`). The contract's status is derived from them:
//!
//! - pending_activation and suspended are the source's own word;
//! - expired: the term has ended. R-SUB-4 makes expiry one of the three ways
//!   a subscription becomes disabled; the contract names it apart, so a
//!   disabled pool whose reason is `expired` is `expired` (what to do differs:
//!   renew or buy another copy, rather than settle a payment or a
//!   cancellation). Graph's `warning` is an expired subscription in its
//!   grace period, so it is `expired` too. A pool the source still calls
//!   active whose `expires_on` has come (that day or earlier, UTC) is
//!   `expired` as well: the cache must not call a pool active past its end;
//! - disabled: cancelled, payment lapsed, or no reason given;
//! - active: everything else.
//!
//! The store computes this in SQL (so filters and sorting see it); a store
//! test checks the SQL against `derive` for every combination.

use chrono::NaiveDate;

use super::kinds::UnknownValue;

/// A pool's status as `seats pools` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoolStatus {
    /// Seats can be used and assigned.
    Active,
    /// Bought but not yet activated at the publisher (R-SUB-3).
    PendingActivation,
    /// Cancelled or payment lapsed; never reactivated (R-SUB-4).
    Disabled,
    /// Suspended by the source.
    Suspended,
    /// The term has ended.
    Expired,
}

impl PoolStatus {
    /// Every status, in the contract's order.
    pub const ALL: [PoolStatus; 5] = [
        PoolStatus::Active,
        PoolStatus::PendingActivation,
        PoolStatus::Disabled,
        PoolStatus::Suspended,
        PoolStatus::Expired,
    ];

    /// The contract's text form.
    pub fn as_str(self) -> &'static str {
        match self {
            PoolStatus::Active => "active",
            PoolStatus::PendingActivation => "pending_activation",
            PoolStatus::Disabled => "disabled",
            PoolStatus::Suspended => "suspended",
            PoolStatus::Expired => "expired",
        }
    }

    /// A word short enough for a table column.
    pub fn short(self) -> &'static str {
        match self {
            PoolStatus::PendingActivation => "pending",
            other => other.as_str(),
        }
    }

    /// The status of a pool whose cache row says `status` and
    /// `disabled_reason`, whose term ends on `expires_on`, on day `today`.
    pub fn derive(
        status: &str,
        disabled_reason: Option<&str>,
        expires_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> PoolStatus {
        match (status, disabled_reason) {
            ("pending_activation", _) => PoolStatus::PendingActivation,
            ("suspended", _) => PoolStatus::Suspended,
            ("warning", _) | ("disabled", Some("expired")) => PoolStatus::Expired,
            ("disabled", _) => PoolStatus::Disabled,
            _ if expires_on.is_some_and(|end| end <= today) => PoolStatus::Expired,
            _ => PoolStatus::Active,
        }
    }
}

impl std::str::FromStr for PoolStatus {
    type Err = UnknownValue;

    fn from_str(text: &str) -> Result<Self, UnknownValue> {
        PoolStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| UnknownValue {
                kind: "PoolStatus",
                value: text.to_owned(),
                expected: PoolStatus::ALL.iter().map(|s| s.as_str()).collect(),
            })
    }
}

impl std::fmt::Display for PoolStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for PoolStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, d).unwrap()
    }

    #[test]
    fn the_source_words_and_the_reasons_r_sub_4() {
        let today = day(10);
        let derive = |status, reason| PoolStatus::derive(status, reason, None, today);
        assert_eq!(derive("active", None), PoolStatus::Active);
        assert_eq!(derive("pending_activation", None), PoolStatus::PendingActivation);
        assert_eq!(derive("suspended", None), PoolStatus::Suspended);
        assert_eq!(derive("warning", None), PoolStatus::Expired);
        assert_eq!(derive("disabled", Some("expired")), PoolStatus::Expired);
        assert_eq!(derive("disabled", Some("cancelled")), PoolStatus::Disabled);
        assert_eq!(derive("disabled", Some("payment_lapsed")), PoolStatus::Disabled);
        assert_eq!(derive("disabled", None), PoolStatus::Disabled);
    }

    #[test]
    fn an_active_pool_expires_on_its_end_date() {
        let derive = |end| PoolStatus::derive("active", None, Some(end), day(10));
        assert_eq!(derive(day(11)), PoolStatus::Active);
        assert_eq!(derive(day(10)), PoolStatus::Expired);
        assert_eq!(derive(day(9)), PoolStatus::Expired);
        assert_eq!(
            PoolStatus::derive("disabled", Some("cancelled"), Some(day(1)), day(10)),
            PoolStatus::Disabled,
            "a cancelled pool stays disabled after its end date"
        );
    }

    #[test]
    fn text_forms_round_trip() {
        for status in PoolStatus::ALL {
            assert_eq!(status.as_str().parse::<PoolStatus>(), Ok(status));
        }
        assert!("warning".parse::<PoolStatus>().is_err());
    }
}
