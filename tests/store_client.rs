//! The Microsoft Store for Business client (issue 8, apis.md §4) against
//! the in-process simulator: inventory paging, localized names, encrypted
//! packages, seats read and changed with their bookkeeping, refusals
//! (409 "Not online", no seats left, 404s), bulk calls, throttling, and
//! errors that never carry a secret.
#![allow(clippy::unwrap_used)]

#[path = "sim_client/mod.rs"]
mod sim_client;
#[path = "store_client/support.rs"]
mod support;

#[path = "store_client/faults.rs"]
mod faults;
#[path = "store_client/inventory.rs"]
mod inventory;
#[path = "store_client/products.rs"]
mod products;
#[path = "store_client/seats.rs"]
mod seats;
#[path = "store_client/stub.rs"]
mod stub;
