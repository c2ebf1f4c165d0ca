//! License changes sent to Graph (apis.md 1.4, 1.7): `assignLicense` on a
//! user or a group, with `addLicenses` and `removeLicenses` both present.
//! Graph's refusals of a change (no seats left, usage location, conflicting
//! or missing plans) become `Refused` with Graph's exact message, so the
//! store can roll the local change back.

use reqwest::{Method, StatusCode, Url};
use serde_json::{Value, json};

use super::GraphClient;
use super::token::path_segment;
use crate::connectors::error::{ConnectorError, ErrorDetail, ErrorKind, Target};
use crate::domain::source::{ChangeTarget, LicenseChange};

/// What Graph did with a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    /// Applied (a user's change: 200 with the user).
    Applied,
    /// Accepted for processing (a group's change: 202); the members get
    /// their seats later, or a `CountViolation` where seats run out.
    Accepted,
}

/// Parts of Graph's 400 messages that refuse a change for a reason of the
/// tenant's (apis.md 1.4), lower-cased.
const REFUSALS: &[&str] = &[
    "does not have any available licenses",
    "usage location",
    "mutually exclusive",
    "depends on the service plan",
    "inherited from a group",
    "does not correspond to a valid company license",
];

impl GraphClient {
    /// Sends one change. A change with nothing to add or remove is applied
    /// without a request (Graph would refuse it as empty).
    pub async fn assign_license(&self, change: &LicenseChange) -> Result<PushOutcome, ConnectorError> {
        if is_empty(change) {
            return Ok(PushOutcome::Applied);
        }
        let link = self.v1(&assign_path(change));
        let url = Url::parse(&link).map_err(|err| ErrorKind::BadUrl {
            option: "--graph-url",
            url: link.clone(),
            why: err.to_string(),
        })?;
        let target = Target::new(&Method::POST, &url);
        let reply = self.call(Method::POST, &url, Some(&assign_body(change))).await?;
        if reply.status.is_success() {
            return Ok(outcome(reply.status));
        }
        match refusal(change, &target, reply.status, &reply.detail()) {
            Some(refused) => Err(refused),
            None => Err(self.failure(target, &reply)),
        }
    }
}

pub(crate) fn is_empty(change: &LicenseChange) -> bool {
    change.add.is_empty() && change.remove.is_empty()
}

pub(crate) fn outcome(status: StatusCode) -> PushOutcome {
    if status == StatusCode::ACCEPTED {
        PushOutcome::Accepted
    } else {
        PushOutcome::Applied
    }
}

/// `/users/{id|upn}/assignLicense` or `/groups/{id}/assignLicense`.
pub(crate) fn assign_path(change: &LicenseChange) -> String {
    match &change.target {
        ChangeTarget::User(key) => format!("/users/{}/assignLicense", path_segment(key)),
        ChangeTarget::Group(id) => format!("/groups/{}/assignLicense", path_segment(id)),
    }
}

/// `{"addLicenses":[{"skuId","disabledPlans":[]}],"removeLicenses":[…]}`.
pub(crate) fn assign_body(change: &LicenseChange) -> Value {
    let add: Vec<Value> = change
        .add
        .iter()
        .map(|sku| json!({"skuId": sku, "disabledPlans": []}))
        .collect();
    json!({"addLicenses": add, "removeLicenses": change.remove})
}

pub(crate) fn principal(change: &LicenseChange) -> String {
    match &change.target {
        ChangeTarget::User(key) => key.clone(),
        ChangeTarget::Group(id) => format!("group {id}"),
    }
}

/// `Refused` when Graph's 400 refuses the change itself.
pub(crate) fn refusal(
    change: &LicenseChange,
    target: &Target,
    status: StatusCode,
    detail: &ErrorDetail,
) -> Option<ConnectorError> {
    let message = detail.message.as_deref()?.to_ascii_lowercase();
    let refused = status == StatusCode::BAD_REQUEST && REFUSALS.iter().any(|r| message.contains(r));
    refused.then(|| {
        ErrorKind::Refused {
            target: target.clone(),
            principal: principal(change),
            detail: detail.clone(),
        }
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(target: ChangeTarget) -> LicenseChange {
        LicenseChange {
            target,
            add: vec!["sku-a".into()],
            remove: vec![],
        }
    }

    #[test]
    fn the_body_always_has_both_keys() {
        let body = assign_body(&change(ChangeTarget::User("u".into())));
        assert_eq!(
            body,
            json!({"addLicenses": [{"skuId": "sku-a", "disabledPlans": []}], "removeLicenses": []})
        );
    }

    #[test]
    fn paths_encode_the_principal() {
        let user = change(ChangeTarget::User("ann#EXT#@t.example".into()));
        assert_eq!(assign_path(&user), "/users/ann%23EXT%23@t.example/assignLicense");
        let group = change(ChangeTarget::Group("g-1".into()));
        assert_eq!(assign_path(&group), "/groups/g-1/assignLicense");
    }

    #[test]
    fn only_the_tenants_reasons_are_refusals() {
        let target = Target {
            method: "POST".into(),
            host: "h".into(),
            path: "/v1.0/users/u/assignLicense".into(),
        };
        let detail = |message: &str| ErrorDetail {
            status: 400,
            code: Some("Request_BadRequest".into()),
            message: Some(message.into()),
            request_id: None,
        };
        let c = change(ChangeTarget::User("u".into()));
        let seats = detail("Subscription with SKU x does not have any available licenses.");
        let refused = refusal(&c, &target, StatusCode::BAD_REQUEST, &seats).unwrap();
        assert_eq!(
            refused.source_message(),
            Some("Subscription with SKU x does not have any available licenses.")
        );
        let location = detail("License assignment cannot be done for user with invalid usage location.");
        assert!(refusal(&c, &target, StatusCode::BAD_REQUEST, &location).is_some());
        let empty =
            detail("No license changes provided. At least one license to add or remove must be specified.");
        assert!(refusal(&c, &target, StatusCode::BAD_REQUEST, &empty).is_none());
        assert!(refusal(&c, &target, StatusCode::INTERNAL_SERVER_ERROR, &seats).is_none());
    }
}
