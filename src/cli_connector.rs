//! `seats connector enable|disable NAME|ID`: turn a connector on or off
//! (issue 8 review; R-CON-1). The store's rules decide (one enabled
//! connector per Apple location and store account, R-CON-2/R-CON-3) and
//! audit it; the answer names what follows, such as an Apple token that
//! fails every sync until a renewed one is linked.
//!
//! Exit 0 done (or nothing to do), 2 an unknown connector, 3 refused by a
//! rule, 4 not permitted (a reader's role, or `--read-only`).

use std::path::Path;

use clap::Subcommand;

use crate::cli::{Failure, print};
use crate::cli_changes::Session;
use crate::store::changes::{self, Permission};
use crate::store::connectors_admin::AdminError;
use crate::store::connectors_enable;
use crate::store::{self, OpenMode};

/// `seats connector …`.
#[derive(Debug, Subcommand)]
pub enum ConnectorCommand {
    /// Turn a connector on: the schedule, `seats sync` and `r` sync it again.
    Enable {
        /// Its name or id (`seats connectors` lists them).
        connector: String,
    },
    /// Turn a connector off: no sync or push runs for it; what it brought
    /// stays in the cache as last synced.
    Disable {
        /// Its name or id (`seats connectors` lists them).
        connector: String,
    },
}

/// Runs `seats connector …`.
pub fn run(session: &Session, command: ConnectorCommand) -> Result<(), Failure> {
    let (key, enabled) = match &command {
        ConnectorCommand::Enable { connector } => (connector.as_str(), true),
        ConnectorCommand::Disable { connector } => (connector.as_str(), false),
    };
    let conn = open(&session.db)?;
    let Some(id) = connectors_enable::lookup(&conn, key)? else {
        return Err(Failure::usage(format!(
            "no connector named {key:?} or with that id; `seats connectors` lists them"
        )));
    };
    changes::authorize(&conn, &session.actor, Permission::Assign).map_err(Failure::from)?;
    let toggle =
        connectors_enable::set_enabled(&conn, id, enabled, &session.actor.name).map_err(|err| match err {
            AdminError::Store(_) => Failure::unexpected(err),
            AdminError::Refused(why) => Failure {
                code: 3,
                message: format!("{why}; nothing was changed"),
            },
            other => Failure::usage(other.to_string()),
        })?;
    print(&format!("{}\n", toggle.summary()))
}

fn open(db: &Path) -> Result<rusqlite::Connection, Failure> {
    Ok(store::open(db, OpenMode::MustExist)?)
}
