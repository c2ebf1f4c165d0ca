//! The panes and the rows they show.

use crate::store::agreements::{self, AgreementRow};
use crate::store::apps::{self, AppRow};
use crate::store::connectors::{self, ConnectorRow};
use crate::store::pools::{self, PoolRow};
use crate::store::users::{self, UserRow};

/// A pane: the four workspaces and the views that grow out of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PaneId {
    /// License pools of every kind.
    Licenses,
    /// Store, VPP and vendor apps.
    Apps,
    /// Links to the sources.
    Connectors,
    /// Volume and other software agreements.
    Agreements,
    /// Users and the seats they hold.
    Users,
}

impl PaneId {
    /// Every pane, in tab order.
    pub const ALL: [PaneId; 5] = [
        PaneId::Licenses,
        PaneId::Apps,
        PaneId::Connectors,
        PaneId::Agreements,
        PaneId::Users,
    ];

    /// Position in `ALL`.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The title on the tab.
    pub fn title(self) -> &'static str {
        match self {
            PaneId::Licenses => "Licenses",
            PaneId::Apps => "Apps",
            PaneId::Connectors => "Connectors",
            PaneId::Agreements => "Agreements",
            PaneId::Users => "Users",
        }
    }

    /// The name used by `:` commands and `seats snapshot`.
    pub fn command(self) -> &'static str {
        match self {
            PaneId::Licenses => "licenses",
            PaneId::Apps => "apps",
            PaneId::Connectors => "connectors",
            PaneId::Agreements => "agreements",
            PaneId::Users => "users",
        }
    }

    /// Finds a pane by its command name or a unique prefix of it.
    pub fn parse(text: &str) -> Option<PaneId> {
        let text = text.trim().to_ascii_lowercase();
        if text.is_empty() {
            return None;
        }
        let mut found = PaneId::ALL.into_iter().filter(|p| p.command().starts_with(&text));
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }

    /// The column titles of this pane's table.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            PaneId::Licenses => pools::COLUMNS,
            PaneId::Apps => apps::COLUMNS,
            PaneId::Connectors => connectors::COLUMNS,
            PaneId::Agreements => agreements::COLUMNS,
            PaneId::Users => users::COLUMNS,
        }
    }

    /// The pane after this one (wrapping).
    pub fn next(self) -> PaneId {
        PaneId::ALL[(self.index() + 1) % PaneId::ALL.len()]
    }

    /// The pane before this one (wrapping).
    pub fn prev(self) -> PaneId {
        PaneId::ALL[(self.index() + PaneId::ALL.len() - 1) % PaneId::ALL.len()]
    }
}

/// One row of any pane.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Pool(PoolRow),
    App(AppRow),
    Connector(ConnectorRow),
    Agreement(AgreementRow),
    User(UserRow),
}

impl Row {
    /// The row's id in its table.
    pub fn id(&self) -> i64 {
        match self {
            Row::Pool(r) => r.id,
            Row::App(r) => r.id,
            Row::Connector(r) => r.id,
            Row::Agreement(r) => r.id,
            Row::User(r) => r.id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panes_parse_by_unique_prefix() {
        assert_eq!(PaneId::parse("lic"), Some(PaneId::Licenses));
        assert_eq!(PaneId::parse("AG"), Some(PaneId::Agreements));
        assert_eq!(PaneId::parse("a"), None, "apps and agreements share 'a'");
        assert_eq!(PaneId::parse("nope"), None);
    }

    #[test]
    fn tab_order_wraps() {
        assert_eq!(PaneId::Users.next(), PaneId::Licenses);
        assert_eq!(PaneId::Licenses.prev(), PaneId::Users);
    }
}
