//! The one vocabulary of things a user can ask for. Keys map to actions
//! through the keymap; help and hints read the same table.

use serde::{Deserialize, Serialize};

/// Something the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Leave the console.
    Quit,
    /// Go to the next workspace.
    NextPane,
    /// Go to the previous workspace.
    PrevPane,
    /// Show the Licenses workspace.
    ShowLicenses,
    /// Show the Apps workspace.
    ShowApps,
    /// Show the Connectors workspace.
    ShowConnectors,
    /// Show the Agreements workspace.
    ShowAgreements,
    /// Show the Users view.
    ShowUsers,
    /// Move the selection up one row.
    Up,
    /// Move the selection down one row.
    Down,
    /// Move the selection up one screen.
    PageUp,
    /// Move the selection down one screen.
    PageDown,
    /// Jump to the first row.
    Top,
    /// Jump to the last row.
    Bottom,
    /// Sort by the next column.
    SortNext,
    /// Sort by the previous column.
    SortPrev,
    /// Reverse the sort direction.
    SortReverse,
    /// Type a filter for the table.
    Filter,
    /// Close the open dialog or clear the filter.
    Back,
    /// Show every key of this pane.
    Help,
    /// Open the command palette.
    Palette,
    /// Re-read the visible rows from the cache.
    Refresh,
    /// Open the selected row: a pool's seats, or its details elsewhere.
    Open,
    /// Show every detail of the selected row.
    Detail,
    /// Assign seats: of this pool to users and groups, or pools to this user.
    Assign,
    /// Release the selected or marked seats (asks first).
    Release,
    /// Release every seat the view lists (asks first).
    ReleaseAll,
    /// Mark or unmark the selected row.
    Mark,
    /// The selected user leaves: release all their seats (asks first).
    RemoveUser,
    /// Undo the last change applied from this console.
    Undo,
    /// Sync the selected connector now.
    SyncNow,
    /// Sync every connector now.
    SyncAll,
    /// Link a new connector (an Apple Apps and Books token).
    New,
    /// Add or delete an app: store apps only come and go by sync (R-APP-1).
    AddOrDeleteApp,
    /// List the installs of the selected app (R-APP-9).
    ShowInstalls,
    /// Change the intent of the selected or marked app seats (R-APP-7).
    Intent,
    /// Install the selected offline app per user or per device (R-APP-4).
    InstallScope,
    /// Validate the volume agreements again, now (R-AGR-8).
    Validate,
    /// Delete the selected agreement (asks first).
    DeleteAgreement,
    /// Record that the selected subscription was activated at the publisher.
    ActivateSubscription,
    /// Cancel the selected subscription and release its seats (asks first).
    CancelSubscription,
    /// The selected subscription's billing profile and invoices.
    Billing,
    /// Where the selected ISV product installs (copied where the terminal allows).
    InstallProduct,
    /// Copy the selected seat's VPP invitation link (OSC 52).
    CopyInvitation,
    /// Record bought subscriptions from a CSV file (asks for it).
    RecordPurchase,
    /// Add an agreement: volume licensing (a file or by hand) or other
    /// software (R-AGR-1, R-AGR-6, R-AGR-10).
    NewAgreement,
    /// Edit the selected other-software agreement (R-AGR-10).
    EditAgreement,
    /// `e` in Subscriptions: the selected one in the form.
    EditSubscription,
    /// In the Reports view: the purchase report (R-RPT-1).
    ShowPurchaseReport,
    /// In the Reports view: the installation report (R-RPT-2).
    ShowInstallationReport,
    /// In the Reports view: the inventory of every license (R-RPT-3).
    ShowInventoryReport,
    /// In the Reports view: seat utilization per pool (R-RPT-5).
    ShowUtilizationReport,
}

impl Action {
    /// One line for the help overlay.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::NextPane => "next workspace",
            Action::PrevPane => "previous workspace",
            Action::ShowLicenses => "Licenses workspace",
            Action::ShowApps => "Apps workspace",
            Action::ShowConnectors => "Connectors workspace",
            Action::ShowAgreements => "Agreements workspace",
            Action::ShowUsers => "Users view",
            Action::Up => "move up",
            Action::Down => "move down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "first row",
            Action::Bottom => "last row",
            Action::SortNext => "sort by next column",
            Action::SortPrev => "sort by previous column",
            Action::SortReverse => "reverse sort order",
            Action::Filter => "filter rows: words, !not, field:text, free<10 (see Filter)",
            Action::Back => "close / clear filter",
            Action::Help => "this help",
            Action::Palette => "command palette",
            Action::Refresh => "reload from the cache",
            Action::Open => "open: a pool's seats (a SaaS or ISV pool: its subscription), else its details",
            Action::Detail => "all details of the selected row",
            Action::Assign => "assign seats (picker, preview, Enter applies)",
            Action::Release => "release selected or marked seats",
            Action::ReleaseAll => "release every listed seat",
            Action::Mark => "mark / unmark row",
            Action::RemoveUser => "user leaves: release all their seats",
            Action::Undo => "undo the last change from this console",
            Action::SyncNow => "sync the selected connector now (push, then pull)",
            Action::SyncAll => "sync every connector now",
            Action::New => {
                "link an Apple Apps and Books token (asks you to acknowledge) or, on the Store row, a Store \
                 for Business account (Ctrl-t in the form switches)"
            }
            Action::AddOrDeleteApp => "add or delete an app: why store apps come only by sync",
            Action::ShowInstalls => "installs of the selected app (/state=failed keeps failures)",
            // In Apps t only says where: the intent is each seat's.
            Action::Intent => {
                "intent of an app's seats (in Apps, Enter opens them first): required, available, \
                 uninstall; t again cycles"
            }
            Action::InstallScope => "offline app: install per user or per device",
            Action::Validate => "validate every volume agreement against the imported entitlements now",
            Action::DeleteAgreement => "delete the selected agreement (asks first); :move GROUP moves it",
            Action::ActivateSubscription => {
                "record the activation done at the publisher (then seats can be assigned)"
            }
            Action::CancelSubscription => {
                "cancel for good, releasing its seats (asks first); :quantity N, :profile NAME"
            }
            Action::Billing => "billing profile and invoices (Enter: document, e: export CSV)",
            Action::InstallProduct => "ISV: where this product installs (sent to the clipboard if allowed)",
            Action::CopyInvitation => "copy the Apple invitation link to the clipboard (OSC 52); i shows it",
            Action::RecordPurchase => {
                "record a purchase: by hand (a form) or from a CSV file (as seats import)"
            }
            Action::NewAgreement => "new agreement: volume licensing (a file or by hand) or other software",
            Action::EditAgreement => "edit the selected other-software agreement",
            Action::EditSubscription => {
                "edit the selected subscription (name, price, term, billing, addresses)"
            }
            Action::ShowPurchaseReport => "purchase report: licensed per license group",
            Action::ShowInstallationReport => "installation report: installed vs licensed",
            Action::ShowInventoryReport => "inventory report: every license, pools and agreements",
            Action::ShowUtilizationReport => "utilization report: seats per pool, reclaimable",
        }
    }

    /// Whether the action changes the cache (hidden in read-only mode; a
    /// sync writes what it pulls).
    pub fn writes(self) -> bool {
        matches!(
            self,
            Action::Assign
                | Action::Release
                | Action::ReleaseAll
                | Action::RemoveUser
                | Action::Undo
                | Action::SyncNow
                | Action::SyncAll
                | Action::New
                | Action::Intent
                | Action::InstallScope
                | Action::Validate
                | Action::DeleteAgreement
                | Action::ActivateSubscription
                | Action::CancelSubscription
                | Action::RecordPurchase
                | Action::NewAgreement
                | Action::EditAgreement
                | Action::EditSubscription
        )
    }

    /// A short word for the hint line.
    pub fn hint(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Filter => "filter",
            Action::SortNext => "sort",
            Action::SortReverse => "reverse",
            Action::Help => "help",
            Action::Palette => "command",
            Action::NextPane => "next",
            Action::Assign => "assign",
            Action::Release => "release",
            Action::ReleaseAll => "release all",
            Action::Mark => "mark",
            Action::RemoveUser => "user leaves",
            Action::Undo => "undo",
            Action::Open => "open",
            Action::SyncNow => "sync",
            Action::SyncAll => "sync all",
            Action::New => "link token",
            Action::ShowInstalls => "installs",
            Action::Intent => "intent",
            Action::InstallScope => "per user/device",
            Action::Validate => "validate",
            Action::DeleteAgreement => "delete",
            Action::ActivateSubscription => "activate",
            Action::CancelSubscription => "cancel",
            Action::Billing => "billing",
            Action::InstallProduct => "install",
            Action::CopyInvitation => "copy link",
            Action::RecordPurchase => "record purchase",
            Action::NewAgreement => "new",
            Action::EditAgreement => "edit",
            Action::EditSubscription => "edit",
            Action::ShowPurchaseReport => "purchase",
            Action::ShowInstallationReport => "installation",
            Action::ShowInventoryReport => "inventory",
            Action::ShowUtilizationReport => "utilization",
            _ => self.describe(),
        }
    }
}
