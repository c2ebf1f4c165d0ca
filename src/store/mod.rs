//! The SQLite cache: one file per tenant, opened in WAL mode.

pub mod admins;
mod agreement_error;
pub mod agreements;
pub mod agreements_import;
pub mod app_pull;
pub mod app_settings;
pub mod apps;
pub mod assignees;
pub mod audit;
pub mod changes;
pub mod check;
mod columns;
pub mod connectors;
pub mod connectors_admin;
pub mod connectors_apple;
pub mod connectors_language;
mod connectors_link;
pub mod connectors_store;
pub mod db;
pub mod filter_sql;
pub mod groups;
pub mod installs;
pub mod license_groups;
pub mod list;
pub mod outbox_push;
pub mod pools;
pub mod reclaim;
pub mod status;
pub mod sync;
pub mod sync_apple;
pub mod sync_lease;
pub mod sync_state;
pub mod sync_store_business;
pub mod users;

pub use db::{OpenMode, SCHEMA_VERSION, StoreError, begin_write, data_version, open};
pub use list::{Page, PageRequest};
