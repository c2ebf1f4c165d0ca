//! A group member as Graph writes it in `/members` and
//! `/transitiveMembers`: a user, a group or a device, each with its
//! `@odata.type`.

use serde::Serialize;

/// A member as Graph writes it (serialized straight, without a tree of
/// JSON values: a million-user tenant has 3.4 million of them).
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum MemberOut {
    User {
        #[serde(rename = "@odata.type")]
        kind: &'static str,
        id: String,
        #[serde(rename = "displayName")]
        display_name: String,
        #[serde(rename = "userPrincipalName")]
        upn: String,
        mail: String,
    },
    Group {
        #[serde(rename = "@odata.type")]
        kind: &'static str,
        id: String,
        #[serde(rename = "displayName")]
        display_name: String,
        #[serde(rename = "securityEnabled")]
        security_enabled: bool,
        #[serde(rename = "mailEnabled")]
        mail_enabled: bool,
        #[serde(rename = "groupTypes")]
        group_types: [u8; 0],
    },
    Device {
        #[serde(rename = "@odata.type")]
        kind: &'static str,
        id: String,
        #[serde(rename = "displayName")]
        display_name: String,
        #[serde(rename = "operatingSystem")]
        operating_system: &'static str,
        #[serde(rename = "accountEnabled")]
        account_enabled: bool,
    },
}
