//! Plain types and rules: no I/O, no terminal, no SQL.

pub mod ago;
pub mod agreement_csv;
pub mod agreement_entry;
pub mod agreement_problem;
pub mod agreement_rules;
pub mod apple;
pub mod assignable;
pub mod csv_lines;
pub mod detected;
pub mod entitlement_csv;
pub mod entitlement_problem;
pub mod expiry;
pub mod filter;
pub mod inventory_csv;
pub mod kinds;
pub mod lifecycle;
pub mod principal;
pub mod product_names;
pub mod seats;
pub mod sku_names;
pub mod source;
pub mod store_business;
pub mod subscription;
pub mod subscription_billing;
pub mod subscription_csv;
pub mod subscription_entry;

pub use expiry::{Countdown, countdown};
pub use filter::{Field, FieldKind, Filter, FilterError};
pub use kinds::{ConnectorKind, PoolKind, Role, Source};
pub use lifecycle::PoolStatus;
pub use principal::Principal;
pub use seats::{SeatLevel, Seats, Shortfall};
pub use sku_names::friendly_name;
