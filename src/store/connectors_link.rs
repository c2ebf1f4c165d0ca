//! Linking an app-store connector for good (issue 8; R-CON-2, R-CON-3):
//! while a connector of the kind is bound to an account (enabled or not),
//! the same
//! account's new credentials renew it and any other account is refused;
//! with none bound, a new connector is made under a free name. Audited as
//! `connector_add` in the same transaction. Each kind says what its
//! account is and what it stores (`Account`).

use rusqlite::{Connection, OptionalExtension as _, params};

use super::connectors_admin::{AdminError, stamp};

/// What linking did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linked {
    Created(i64),
    /// The same account's new credentials replaced the old ones.
    Renewed(i64),
}

impl Linked {
    /// The connector's id, created or renewed.
    pub fn id(self) -> i64 {
        match self {
            Linked::Created(id) | Linked::Renewed(id) => id,
        }
    }
}

/// One kind of linked account.
pub(crate) trait Account {
    /// The connectors' `kind`.
    const KIND: &'static str;
    /// The connector's name.
    fn name(&self) -> &str;
    /// Whether the account a connector is bound to (its `tenant_id`) is
    /// this one.
    fn is_bound_to(&self, tenant: &str) -> bool;
    /// The refusal of this account while connector `existing` is bound to
    /// `tenant` (shown as `account` when it has one).
    fn refusal(&self, existing: &str, tenant: &str, account: Option<String>) -> AdminError;
    fn insert(&self, tx: &Connection) -> rusqlite::Result<i64>;
    fn renew(&self, tx: &Connection, id: i64) -> rusqlite::Result<()>;
    /// The audit row's detail.
    fn detail(&self, renewed: bool) -> serde_json::Value;
}

/// Links (or renews) the connector of `account`, audited by `actor`.
pub(crate) fn link<A: Account>(conn: &Connection, account: &A, actor: &str) -> Result<Linked, AdminError> {
    super::db::begin_write_on(conn, |tx| {
        let linked: Option<(i64, String, String, Option<String>)> = tx
            .query_row(
                // A disabled connector binds too: turning it off never frees
                // the organization to link another account.
                "SELECT id, name, tenant_id, account FROM connectors WHERE kind = ?1 \
                 AND tenant_id IS NOT NULL ORDER BY enabled DESC, id LIMIT 1",
                [A::KIND],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        // A renewal keeps the connector's name: the audit row names it.
        let mut name = account.name().to_owned();
        let outcome = match linked {
            Some((id, existing, tenant, _)) if account.is_bound_to(&tenant) => {
                account.renew(tx, id)?;
                name = existing;
                Linked::Renewed(id)
            }
            Some((_, name, tenant, bound)) => return Ok(Err(account.refusal(&name, &tenant, bound))),
            None => {
                let taken: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM connectors WHERE name = ?1)",
                    [account.name()],
                    |r| r.get(0),
                )?;
                if taken {
                    return Ok(Err(AdminError::NameTaken {
                        name: account.name().to_owned(),
                    }));
                }
                Linked::Created(account.insert(tx)?)
            }
        };
        let mut detail = account.detail(matches!(outcome, Linked::Renewed(_)));
        detail["connector"] = serde_json::json!(name);
        audit_add(tx, actor, &name, &detail)?;
        Ok(Ok(outcome))
    })?
}

/// The `connector_add` audit row of connector `name`.
pub(crate) fn audit_add(
    tx: &Connection,
    actor: &str,
    name: &str,
    detail: &serde_json::Value,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO audit (at, actor, action, principals, result, detail) \
         VALUES (?1, ?2, 'connector_add', json_array(?3), 'ok', ?4)",
        params![stamp(chrono::Utc::now()), actor, name, detail.to_string()],
    )?;
    Ok(())
}
