//! Changes (asynchronous at Apple): associate and disassociate assets,
//! create and retire users, each chunked to the service's limits and
//! answered with event ids to poll through [`AppleClient::event_status`].

use reqwest::{Method, Url};
use serde_json::{Value, json};

use super::call::malformed;
use super::{AppleClient, wire};
use crate::connectors::error::{ConnectorError, ErrorKind, Target};
use crate::domain::apple::{AppleEventStatus, AppleHolder, SEATS_CLIENT_USER_PREFIX};

/// Refuses, before anything is sent, a user of another product (R-CON-7).
fn only_own<'a>(ids: impl IntoIterator<Item = &'a str>) -> Result<(), ConnectorError> {
    match ids
        .into_iter()
        .find(|id| !id.starts_with(SEATS_CLIENT_USER_PREFIX))
    {
        Some(id) => Err(ErrorKind::AppleNotOwn {
            client_user_id: id.to_owned(),
        }
        .into()),
        None => Ok(()),
    }
}

/// A user to create at Apple.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAppleUser {
    /// In seats' namespace (`seats:<upn>`).
    pub client_user_id: String,
    pub email: Option<String>,
}

impl AppleClient {
    /// Assigns every asset (`(adamId, pricingParam)`) to every holder;
    /// users must be in seats' namespace (R-CON-7).
    pub async fn associate(
        &self,
        assets: &[(&str, &str)],
        holders: &[AppleHolder],
    ) -> Result<Vec<String>, ConnectorError> {
        self.assets_change("/assets/associate", assets, holders).await
    }

    /// Takes every asset back from every holder.
    pub async fn disassociate(
        &self,
        assets: &[(&str, &str)],
        holders: &[AppleHolder],
    ) -> Result<Vec<String>, ConnectorError> {
        self.assets_change("/assets/disassociate", assets, holders).await
    }

    async fn assets_change(
        &self,
        path: &str,
        assets: &[(&str, &str)],
        holders: &[AppleHolder],
    ) -> Result<Vec<String>, ConnectorError> {
        let users: Vec<&str> = holders
            .iter()
            .filter_map(|h| match h {
                AppleHolder::User(id) => Some(id.as_str()),
                AppleHolder::Device(_) => None,
            })
            .collect();
        let serials: Vec<&str> = holders
            .iter()
            .filter_map(|h| match h {
                AppleHolder::Device(serial) => Some(serial.as_str()),
                AppleHolder::User(_) => None,
            })
            .collect();
        only_own(users.iter().copied())?;
        let limits = self.service_config().await?;
        let url = self.url(path)?;
        let mut events = Vec::new();
        for chunk in assets.chunks(limits.max_assets) {
            let assets: Vec<Value> = chunk
                .iter()
                .map(|(adam, pricing)| json!({"adamId": adam, "pricingParam": pricing}))
                .collect();
            for ids in users.chunks(limits.max_client_user_ids) {
                let body = json!({"assets": assets, "clientUserIds": ids});
                events.push(self.submit(&url, &body).await?);
            }
            for serials in serials.chunks(limits.max_serial_numbers) {
                let body = json!({"assets": assets, "serialNumbers": serials});
                events.push(self.submit(&url, &body).await?);
            }
        }
        Ok(events)
    }

    /// Creates users (Registered, with an invite code, once the event
    /// completes).
    pub async fn create_users(&self, users: &[NewAppleUser]) -> Result<Vec<String>, ConnectorError> {
        only_own(users.iter().map(|u| u.client_user_id.as_str()))?;
        let limits = self.service_config().await?;
        let url = self.url("/users/create")?;
        let mut events = Vec::new();
        for chunk in users.chunks(limits.max_users) {
            let users: Vec<Value> = chunk
                .iter()
                .map(|u| match &u.email {
                    Some(email) => json!({"clientUserId": u.client_user_id, "email": email}),
                    None => json!({"clientUserId": u.client_user_id}),
                })
                .collect();
            events.push(self.submit(&url, &json!({"users": users})).await?);
        }
        Ok(events)
    }

    /// Retires users (their assets are taken back). Users outside seats'
    /// namespace are refused (R-CON-7).
    pub async fn retire_users(&self, client_user_ids: &[&str]) -> Result<Vec<String>, ConnectorError> {
        only_own(client_user_ids.iter().copied())?;
        let limits = self.service_config().await?;
        let url = self.url("/users/retire")?;
        let mut events = Vec::new();
        for chunk in client_user_ids.chunks(limits.max_users) {
            let users: Vec<Value> = chunk.iter().map(|id| json!({"clientUserId": id})).collect();
            events.push(self.submit(&url, &json!({"users": users})).await?);
        }
        Ok(events)
    }

    /// The state of an event.
    pub async fn event_status(&self, event_id: &str) -> Result<AppleEventStatus, ConnectorError> {
        let mut url = self.url("/status")?;
        url.query_pairs_mut().append_pair("eventId", event_id);
        let json = self.call(Method::GET, &url, None).await?;
        wire::event_status(&json).ok_or_else(|| {
            malformed(
                &Target::new(&Method::GET, &url),
                "an eventStatus that is not PENDING, COMPLETE or FAILED",
            )
        })
    }

    async fn submit(&self, url: &Url, body: &Value) -> Result<String, ConnectorError> {
        let json = self.call(Method::POST, url, Some(body)).await?;
        match &json["eventId"] {
            Value::String(id) if !id.is_empty() => Ok(id.clone()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(malformed(&Target::new(&Method::POST, url), "no eventId")),
        }
    }
}
