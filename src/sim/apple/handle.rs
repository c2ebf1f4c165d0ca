//! What tests and the demo may do to the simulated Apple location: get
//! its URLs and content token, have another product claim it, change its
//! assets while a client pages, expire versions, accept invitations.

use rusqlite::{Connection, params};

use super::{API_PREFIX, meta};
use crate::sim::{SimError, SimHandle};
use crate::store::{self, OpenMode};

impl SimHandle {
    /// The value for `--api-url`: Apple calls go to `{apple_api_url}/assets`…
    pub fn apple_api_url(&self) -> String {
        format!("{}{API_PREFIX}", self.base_url)
    }

    /// The value for `--lookup-url` (Apple's public lookup service).
    pub fn apple_lookup_url(&self) -> String {
        format!("{}/lookup", self.base_url)
    }

    /// The text of the content-token file the simulator accepts (base64 of
    /// `{token, expDate, orgName}`), as Apple Business Manager hands it out.
    pub fn apple_token_file(&self) -> Result<String, SimError> {
        let conn = self.apple_conn()?;
        meta(&conn, "apple_token_file")?.ok_or_else(|| SimError::Unknown {
            what: "setting",
            key: "apple_token_file".to_owned(),
        })
    }

    /// Another device-management product takes the token (`POST
    /// /client/config` from it): `/client/config` names it from now on.
    pub fn apple_claim(&self, id: &str, name: &str) -> Result<(), SimError> {
        let conn = self.apple_conn()?;
        for (key, value) in [
            ("apple_mdm_id", id),
            ("apple_mdm_name", name),
            ("apple_mdm_metadata", ""),
        ] {
            set(&conn, key, value)?;
        }
        Ok(())
    }

    /// Right after the next `GET /assets` page 0, `change` assets are
    /// bought (positive) or removed (negative), so `totalPages` changes
    /// while the client pages.
    pub fn apple_change_assets_mid_read(&self, change: i64) -> Result<(), SimError> {
        set(&self.apple_conn()?, "apple_asset_change", &change.to_string())
    }

    /// Every `versionId` handed out so far becomes invalid (9721).
    pub fn apple_expire_versions(&self) -> Result<(), SimError> {
        let conn = self.apple_conn()?;
        let current = super::current_version(&conn)?;
        set(&conn, "apple_version_epoch", &(current + 1).to_string())?;
        super::next_version(&conn)?;
        Ok(())
    }

    /// A Registered user accepts the invitation with an Apple Account.
    pub fn apple_accept_invitation(&self, client_user_id: &str) -> Result<bool, SimError> {
        let conn = self.apple_conn()?;
        let version = super::next_version(&conn)?;
        let changed = conn.execute(
            "UPDATE sim_apple_users SET status = 'Associated', invite_code = NULL, id_hash = ?2, version = ?3 \
             WHERE client_user_id = ?1 AND status = 'Registered'",
            params![client_user_id, super::build::id_hash(version + 5_000_000), version],
        )?;
        Ok(changed > 0)
    }

    /// A new content token for the same location, as downloading it again
    /// from Apple Business Manager gives: a new file expiring at
    /// `expires` (in the past: Apple answers 9621), returned as text. The
    /// previous file is revoked (9625); assignments stay.
    pub fn apple_renew_token(&self, expires: chrono::DateTime<chrono::Utc>) -> Result<String, SimError> {
        let conn = self.apple_conn()?;
        let old = meta(&conn, "apple_token_file")?.unwrap_or_default();
        let org: String = conn.query_row("SELECT name FROM tenant WHERE id = 1", [], |r| r.get(0))?;
        let date = expires.format("%Y-%m-%dT%H:%M:%S%z").to_string();
        let file = super::token::token_file(&crate::sim::rng::random_text(64), &date, &org);
        set(&conn, "apple_token_previous", &old)?;
        set(&conn, "apple_token_file", &file)?;
        set(&conn, "apple_token_expires", &date)?;
        Ok(file)
    }

    /// Sets how many licenses of an asset were bought (to make one short).
    pub fn apple_set_total(&self, adam_id: &str, total: i64) -> Result<(), SimError> {
        let changed = self.apple_conn()?.execute(
            "UPDATE sim_apple_assets SET total = ?2 WHERE adam_id = ?1",
            params![adam_id, total],
        )?;
        if changed == 0 {
            return Err(SimError::Unknown {
                what: "Apple asset",
                key: adam_id.to_owned(),
            });
        }
        Ok(())
    }

    fn apple_conn(&self) -> Result<Connection, SimError> {
        Ok(store::open(&self.shared.config.state, OpenMode::MustExist)?)
    }
}

fn set(conn: &Connection, key: &str, value: &str) -> Result<(), SimError> {
    conn.execute(
        "INSERT OR REPLACE INTO sim_meta (key, value) VALUES (?1, ?2)",
        params![key, value],
    )?;
    Ok(())
}
