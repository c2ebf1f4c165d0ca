//! The reports of issue 9 (R-RPT-1..5): each a plain SQL query with a short
//! mapper. The figures are informational (R-AGR-13): nothing here writes.

pub mod installation;
pub mod inventory;
pub mod purchase;
pub mod utilization;

/// What every report says about its figures (R-AGR-13).
pub const NOTE: &str = "The figures are informational, not a compliance statement; \
                        they change no real entitlement.";

/// The license counts each agreement grants per product, as a CTE named
/// `licensed` (product_id, qty, agreement_id, agreement, group_id): the
/// entitlements of validated volume agreements (R-AGR-8) and the count of
/// other-software agreements whose term has not ended by `:today`. Only
/// agreements of license group `:group` when it is not NULL.
pub const LICENSED_CTE: &str = "licensed AS ( \
       SELECT e.product_id, e.quantity AS qty, a.id AS agreement_id, a.name AS agreement, \
              a.license_group_id AS group_id \
       FROM entitlements e JOIN agreements a ON a.id = e.agreement_id \
       WHERE a.kind = 'volume' AND a.validation = 'valid' \
         AND (:group IS NULL OR a.license_group_id = :group) \
       UNION ALL \
       SELECT a.product_id, a.license_count, a.id, a.name, a.license_group_id \
       FROM agreements a \
       WHERE a.kind = 'other' AND a.product_id IS NOT NULL AND a.license_count IS NOT NULL \
         AND (a.ends_on IS NULL OR a.ends_on >= :today) \
         AND (:group IS NULL OR a.license_group_id = :group))";

/// What a report is asked for: an optional license group id and the moment
/// that decides which terms have ended and who is inactive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub group: Option<i64>,
    pub now: chrono::DateTime<chrono::Utc>,
}

impl Scope {
    /// The day of `now`, as agreements store their terms (YYYY-MM-DD).
    pub fn today(&self) -> String {
        self.now.date_naive().to_string()
    }
}
