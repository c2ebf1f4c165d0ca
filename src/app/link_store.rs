//! The Store for Business account form of the Connectors pane's link
//! dialog (issue 8 review, B6; R-CON-1, R-CON-2): the same fields and
//! defaults as `seats connect store`, checked and stored by the same code
//! (`worker::link_store`) on the worker. No acknowledgement step: the form
//! says the account is linked for good, and another account is refused
//! with the reason (the dialog stays open with it).

use super::link::{LinkKind, LinkState, connector_rows};
use super::message::Command;
use super::state::AppState;
use crate::connectors::store_business::{PUBLIC_LOGIN_URL, PUBLIC_STORE_URL};
use crate::domain::ConnectorKind;
use crate::worker::link_store::{DEFAULT_LANGUAGE, DEFAULT_NAME};

/// The form's fields, in order.
pub const FIELDS: [&str; 7] = [
    "Name",
    "Tenant ID",
    "Client ID",
    "Secret file",
    "Language",
    "Store API",
    "Login URL",
];

/// The field that may stay empty: the secret then comes from
/// SEATS_STORE_SECRET, at every sync too (as on the command line).
pub const SECRET_FILE: usize = 3;

/// The form with `seats connect store`'s defaults; with a Store connector
/// in the pane (a renewal), its name, language and address filled in.
pub fn form(state: &AppState) -> LinkState {
    let mut values = vec![
        DEFAULT_NAME.to_owned(),
        String::new(),
        String::new(),
        String::new(),
        DEFAULT_LANGUAGE.to_owned(),
        PUBLIC_STORE_URL.to_owned(),
        PUBLIC_LOGIN_URL.to_owned(),
    ];
    if let Some(c) = connector_rows(state).find(|c| c.kind == ConnectorKind::StoreBusiness && c.enabled) {
        values[0] = c.name.clone();
        if let Some(language) = &c.language {
            values[4] = language.clone();
        }
        // The demo's in-process simulator (`sim:`) has no address to show.
        if let Some(url) = c.endpoint.as_ref().filter(|u| u.starts_with("http")) {
            values[5] = url.clone();
        }
    }
    LinkState::with(LinkKind::Store, values, 1)
}

/// The worker's command for the form's values (in `FIELDS` order).
pub fn command(values: &[String]) -> Command {
    let value = |i: usize| values.get(i).cloned().unwrap_or_default();
    Command::LinkStore {
        name: value(0),
        tenant_id: value(1),
        client_id: value(2),
        secret_file: value(3),
        language: value(4),
        api_url: value(5),
        login_url: value(6),
    }
}
