//! The panes and the rows they show.

use crate::store::agreements::{self, AgreementRow};
use crate::store::apps::{self, AppRow};
use crate::store::assignees::{self, AssigneeRow};
use crate::store::audit::{self, AuditEntry};
use crate::store::connectors::{self, ConnectorRow};
use crate::store::groups::{self, GroupRow};
use crate::store::installs::{self, InstallRow};
use crate::store::inventory::{self, DetectionRow, TitleRow};
use crate::store::pools::{self, PoolRow};
use crate::store::reclaim::{self, ReclaimRow};
use crate::store::reports::Kind;
use crate::store::reports::installation::{self as installation_report, InstallationRow};
use crate::store::reports::inventory::{self as inventory_report, LicenseRow};
use crate::store::reports::purchase::{self as purchase_report, PurchaseRow};
use crate::store::reports::utilization::{self as utilization_report, UtilizationRow};
use crate::store::subscriptions::{self, SubscriptionRow};
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
    /// The seats of one pool (opened from Licenses with Enter).
    Assignees,
    /// Seats held by deleted, disabled or long-inactive users.
    Reclaim,
    /// Who changed what.
    Audit,
    /// Groups, the pools they are given, members in error.
    Groups,
    /// Installs of one app (opened from Apps with `I`) or of every app.
    Installs,
    /// The software catalog: detected titles and the names that count as them.
    Inventory,
    /// The computers one title was detected on (Enter in Inventory).
    Detections,
    /// SaaS and ISV subscriptions (`:subscriptions`, Enter on such a pool).
    Subscriptions,
    /// Reports (`:reports`, keys 1–4 inside): licensed per group (R-RPT-1).
    ReportPurchase,
    /// Installed against licensed, per product (R-RPT-2).
    ReportInstallation,
    /// Every license, pools and agreements (R-RPT-3).
    ReportInventory,
    /// Per pool total / consumed / available, reclaimable (R-RPT-5).
    ReportUtilization,
}

impl PaneId {
    /// Every pane; `index` is the position here.
    pub const ALL: [PaneId; 17] = [
        PaneId::Licenses,
        PaneId::Apps,
        PaneId::Connectors,
        PaneId::Agreements,
        PaneId::Users,
        PaneId::Assignees,
        PaneId::Reclaim,
        PaneId::Audit,
        PaneId::Groups,
        PaneId::Installs,
        PaneId::Inventory,
        PaneId::Detections,
        PaneId::Subscriptions,
        PaneId::ReportPurchase,
        PaneId::ReportInstallation,
        PaneId::ReportInventory,
        PaneId::ReportUtilization,
    ];

    /// The four reports, in the order of keys 1–4 in the Reports view.
    pub const REPORTS: [PaneId; 4] = [
        PaneId::ReportPurchase,
        PaneId::ReportInstallation,
        PaneId::ReportInventory,
        PaneId::ReportUtilization,
    ];

    /// Which report this pane shows, if it is one.
    pub fn report(self) -> Option<Kind> {
        match self {
            PaneId::ReportPurchase => Some(Kind::Purchase),
            PaneId::ReportInstallation => Some(Kind::Installation),
            PaneId::ReportInventory => Some(Kind::Inventory),
            PaneId::ReportUtilization => Some(Kind::Utilization),
            _ => None,
        }
    }

    /// The panes on the tab line, in the order Tab visits them.
    pub const TABS: [PaneId; 5] = [
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
            PaneId::Assignees => "Assignees",
            PaneId::Reclaim => "Reclaim",
            PaneId::Audit => "Audit",
            PaneId::Groups => "Groups",
            PaneId::Installs => "Installs",
            PaneId::Inventory => "Inventory",
            PaneId::Detections => "Detections",
            PaneId::Subscriptions => "Subscriptions",
            PaneId::ReportPurchase => "Report 1/4: purchase",
            PaneId::ReportInstallation => "Report 2/4: installation",
            PaneId::ReportInventory => "Report 3/4: inventory",
            PaneId::ReportUtilization => "Report 4/4: utilization",
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
            PaneId::Assignees => "assignees",
            PaneId::Reclaim => "reclaim",
            PaneId::Audit => "audit",
            PaneId::Groups => "groups",
            PaneId::Installs => "installs",
            PaneId::Inventory => "inventory",
            PaneId::Detections => "detections",
            PaneId::Subscriptions => "subscriptions",
            PaneId::ReportPurchase => "report-purchase",
            PaneId::ReportInstallation => "report-installation",
            PaneId::ReportInventory => "report-inventory",
            PaneId::ReportUtilization => "report-utilization",
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
            PaneId::Assignees => assignees::COLUMNS,
            PaneId::Reclaim => reclaim::COLUMNS,
            PaneId::Audit => audit::COLUMNS,
            PaneId::Groups => groups::COLUMNS,
            PaneId::Installs => installs::COLUMNS,
            PaneId::Inventory => inventory::TITLE_COLUMNS,
            PaneId::Detections => inventory::DETECTION_COLUMNS,
            PaneId::Subscriptions => subscriptions::COLUMNS,
            PaneId::ReportPurchase => purchase_report::COLUMNS,
            PaneId::ReportInstallation => installation_report::COLUMNS,
            PaneId::ReportInventory => inventory_report::COLUMNS,
            PaneId::ReportUtilization => utilization_report::COLUMNS,
        }
    }

    /// The fields this pane's filter conditions may name (`free<10`).
    pub fn filter_fields(self) -> Vec<crate::domain::Field> {
        let columns = match self {
            PaneId::Licenses => pools::FIELDS,
            PaneId::Apps => apps::FIELDS,
            PaneId::Connectors => connectors::FIELDS,
            PaneId::Agreements => agreements::FIELDS,
            PaneId::Users => users::FIELDS,
            PaneId::Assignees => assignees::FIELDS,
            PaneId::Reclaim => reclaim::FIELDS,
            PaneId::Audit => audit::FIELDS,
            PaneId::Groups => groups::FIELDS,
            PaneId::Installs => installs::FIELDS,
            PaneId::Inventory => inventory::TITLE_FIELDS,
            PaneId::Detections => inventory::DETECTION_FIELDS,
            PaneId::Subscriptions => subscriptions::FIELDS,
            PaneId::ReportPurchase => purchase_report::FIELDS,
            PaneId::ReportInstallation => installation_report::FIELDS,
            PaneId::ReportInventory => inventory_report::FIELDS,
            PaneId::ReportUtilization => utilization_report::FIELDS,
        };
        columns.iter().map(|c| c.field).collect()
    }

    /// Reads `typed` as this pane's filter; the error names the term.
    pub fn parse_filter(
        self,
        typed: &str,
    ) -> Result<Option<crate::domain::Filter>, crate::domain::FilterError> {
        crate::domain::Filter::parse(typed, &self.filter_fields())
    }

    /// The tab after this one (wrapping); views outside the tabs go to the first.
    pub fn next(self) -> PaneId {
        let tabs = PaneId::TABS;
        tabs.iter()
            .position(|p| *p == self)
            .map_or(tabs[0], |i| tabs[(i + 1) % tabs.len()])
    }

    /// The tab before this one (wrapping).
    pub fn prev(self) -> PaneId {
        let tabs = PaneId::TABS;
        tabs.iter()
            .position(|p| *p == self)
            .map_or(tabs[0], |i| tabs[(i + tabs.len() - 1) % tabs.len()])
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
    Assignee(AssigneeRow),
    Reclaim(ReclaimRow),
    Audit(AuditEntry),
    Group(GroupRow),
    Install(InstallRow),
    Title(TitleRow),
    Detection(DetectionRow),
    Subscription(SubscriptionRow),
    Purchase(PurchaseRow),
    Installation(InstallationRow),
    License(LicenseRow),
    Utilization(UtilizationRow),
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
            Row::Assignee(r) => r.id,
            Row::Reclaim(r) => r.id,
            Row::Audit(r) => r.id,
            Row::Group(r) => r.id,
            Row::Install(r) => r.id,
            Row::Title(r) => r.id,
            Row::Detection(r) => r.id,
            Row::Subscription(r) => r.id,
            Row::Purchase(r) => r.id,
            Row::Installation(r) => r.id,
            Row::License(r) => r.id,
            Row::Utilization(r) => r.id,
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
        assert_eq!(
            PaneId::parse("a"),
            None,
            "apps, agreements, assignees, audit share 'a'"
        );
        assert_eq!(PaneId::parse("rec"), Some(PaneId::Reclaim));
        assert_eq!(PaneId::parse("aud"), Some(PaneId::Audit));
        assert_eq!(PaneId::parse("nope"), None);
    }

    #[test]
    fn tab_order_wraps() {
        assert_eq!(PaneId::Users.next(), PaneId::Licenses);
        assert_eq!(PaneId::Licenses.prev(), PaneId::Users);
    }
}
