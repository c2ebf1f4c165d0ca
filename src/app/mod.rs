//! The console's state machine: actions in, state changed, commands out.

pub mod action;
pub mod agreement_form;
pub mod agreement_form_keys;
pub mod agreement_form_other;
pub mod apps;
pub mod billing;
pub mod billing_form;
pub mod changes;
pub mod dialogs;
pub mod held;
pub mod inventory;
pub mod keymap;
pub mod link;
pub mod link_store;
pub mod message;
pub mod palette;
pub mod pane;
pub mod reports;
pub mod state;
pub mod subscription_form;
pub mod subscription_form_keys;
pub mod subscriptions;
pub mod sync;
pub mod table;
pub mod update;

pub use action::Action;
pub use message::{Command, Msg, WorkerEvent};
pub use pane::{PaneId, Row};
pub use state::AppState;
pub use update::update;
