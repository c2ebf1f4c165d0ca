//! Changes to the store an admin makes in the Store for Business portal
//! between syncs (more seats bought, an app refunded), for tests and
//! benches. Each bumps the entry's `lastModified`, as the store does for
//! "updates to the quantity of an application".

use rusqlite::params;

use super::build::stamp;
use crate::sim::error::SimError;
use crate::sim::tenant::SimTenant;

impl SimTenant {
    /// The store's apps as `(productId, skuId)`, in inventory order.
    pub fn store_apps(&self) -> Result<Vec<(String, String)>, SimError> {
        let mut stmt = self
            .connection()
            .prepare("SELECT product_id, sku_id FROM sim_store_products ORDER BY seq")?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sets the seats bought of an app.
    pub fn set_store_capacity(
        &mut self,
        product_id: &str,
        sku_id: &str,
        capacity: i64,
    ) -> Result<(), SimError> {
        let changed = self.connection().execute(
            "UPDATE sim_store_products SET seat_capacity = ?3, last_modified = ?4 \
             WHERE product_id = ?1 AND sku_id = ?2",
            params![product_id, sku_id, capacity.max(0), stamp(chrono::Utc::now())],
        )?;
        found(changed, product_id, sku_id)
    }

    /// Removes an app from the inventory (refunded): listed as Removed,
    /// its seats refused.
    pub fn remove_store_app(&mut self, product_id: &str, sku_id: &str) -> Result<(), SimError> {
        let changed = self.connection().execute(
            "UPDATE sim_store_products SET status = 'Removed', last_modified = ?3 \
             WHERE product_id = ?1 AND sku_id = ?2",
            params![product_id, sku_id, stamp(chrono::Utc::now())],
        )?;
        found(changed, product_id, sku_id)
    }
}

fn found(changed: usize, product_id: &str, sku_id: &str) -> Result<(), SimError> {
    if changed == 0 {
        return Err(SimError::Unknown {
            what: "store app",
            key: format!("{product_id}/{sku_id}"),
        });
    }
    Ok(())
}
