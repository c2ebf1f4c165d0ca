//! Changes to the tenant's subscriptions (SKUs).

use rusqlite::{Connection, OptionalExtension, params};

use super::SimTenant;
use crate::sim::error::SimError;

/// `capabilityStatus` of a subscribed SKU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapabilityStatus {
    Enabled,
    Warning,
    Suspended,
    Deleted,
    LockedOut,
}

impl CapabilityStatus {
    /// Graph's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CapabilityStatus::Enabled => "Enabled",
            CapabilityStatus::Warning => "Warning",
            CapabilityStatus::Suspended => "Suspended",
            CapabilityStatus::Deleted => "Deleted",
            CapabilityStatus::LockedOut => "LockedOut",
        }
    }
}

/// The pool id of a Graph SKU named by part number or skuId.
pub(crate) fn find_sku(conn: &Connection, key: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT id FROM pools WHERE source = 'graph' AND id IN (SELECT pool_id FROM sim_skus) \
         AND (sku_id = ?1 COLLATE NOCASE OR sku_part_number = ?1 COLLATE NOCASE)",
    )?
    .query_row([key], |row| row.get(0))
    .optional()
}

impl SimTenant {
    fn existing_sku(&self, key: &str) -> Result<i64, SimError> {
        find_sku(&self.conn, key)?.ok_or_else(|| SimError::Unknown {
            what: "SKU",
            key: key.to_owned(),
        })
    }

    /// Sets `prepaidUnits.enabled` (the seats bought) of a SKU named by part
    /// number or skuId. Seats already held stay, even above the new count.
    pub fn set_prepaid_units(&mut self, sku: &str, enabled: i64) -> Result<(), SimError> {
        let pool = self.existing_sku(sku)?;
        self.conn.execute(
            "UPDATE pools SET total = ?2 WHERE id = ?1",
            params![pool, enabled.max(0)],
        )?;
        Ok(())
    }

    /// Sets the `suspended`, `warning` and `lockedOut` prepaid units.
    pub fn set_other_units(
        &mut self,
        sku: &str,
        suspended: i64,
        warning: i64,
        locked_out: i64,
    ) -> Result<(), SimError> {
        let pool = self.existing_sku(sku)?;
        self.conn.execute(
            "UPDATE sim_skus SET suspended = ?2, warning = ?3, locked_out = ?4 WHERE pool_id = ?1",
            params![pool, suspended, warning, locked_out],
        )?;
        Ok(())
    }

    /// Sets `capabilityStatus`; a Suspended, Deleted or LockedOut SKU
    /// refuses new seats whatever its units say.
    pub fn set_capability_status(&mut self, sku: &str, status: CapabilityStatus) -> Result<(), SimError> {
        let pool = self.existing_sku(sku)?;
        self.conn.execute(
            "UPDATE sim_skus SET capability_status = ?2 WHERE pool_id = ?1",
            params![pool, status.as_str()],
        )?;
        Ok(())
    }

    /// The skuId of a SKU named by part number.
    pub fn sku_id(&self, sku: &str) -> Result<String, SimError> {
        let pool = self.existing_sku(sku)?;
        Ok(self
            .conn
            .query_row("SELECT sku_id FROM pools WHERE id = ?1", [pool], |row| row.get(0))?)
    }

    /// Seats of a SKU held now (what `consumedUnits` reports).
    pub fn held_seats(&self, sku: &str) -> Result<i64, SimError> {
        let pool = self.existing_sku(sku)?;
        Ok(crate::sim::licenses::held(&self.conn, pool)?)
    }

    /// `prepaidUnits.enabled` of a SKU.
    pub fn prepaid_units(&self, sku: &str) -> Result<i64, SimError> {
        let pool = self.existing_sku(sku)?;
        Ok(self.conn.query_row(
            "SELECT coalesce(total, 0) FROM pools WHERE id = ?1",
            [pool],
            |row| row.get(0),
        )?)
    }
}
