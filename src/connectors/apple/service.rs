//! `/service/config` (limits, the invitation link; cached a few minutes)
//! and `/client/config` (the location, who manages it; registration).

use std::time::Instant;

use reqwest::Method;
use serde_json::{Value, json};

use super::{AppleClient, wire};
use crate::connectors::error::ConnectorError;
use crate::domain::apple::{AppleLocation, SEATS_MDM_ID};

/// What `/service/config` says that seats uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceConfig {
    pub max_assets: usize,
    pub max_client_user_ids: usize,
    pub max_serial_numbers: usize,
    pub max_users: usize,
    /// `urls.invitationEmail`, with `%25inviteCode%25` in it.
    pub invitation_template: Option<String>,
}

impl ServiceConfig {
    /// Apple's documented limits, for what the answer leaves out.
    fn from_json(json: &Value) -> ServiceConfig {
        let limit = |name: &str, default: usize| {
            json["limits"][name]
                .as_u64()
                .map_or(default, |n| (n as usize).max(1))
        };
        ServiceConfig {
            max_assets: limit("maxAssets", 25),
            max_client_user_ids: limit("maxClientUserIds", 1000),
            max_serial_numbers: limit("maxSerialNumbers", 1000),
            max_users: limit("maxUsers", 100),
            invitation_template: json["urls"]["invitationEmail"].as_str().map(str::to_owned),
        }
    }

    /// The invitation link for `invite_code`.
    pub fn invitation_url(&self, invite_code: &str) -> Option<String> {
        let template = self.invitation_template.as_deref()?;
        let code: String = form_urlencoded::byte_serialize(invite_code.as_bytes()).collect();
        Some(
            template
                .replace("%25inviteCode%25", &code)
                .replace("%inviteCode%", &code),
        )
    }
}

impl AppleClient {
    /// The service configuration, re-read at most every few minutes.
    pub async fn service_config(&self) -> Result<ServiceConfig, ConnectorError> {
        if let Ok(cached) = self.inner.service.lock()
            && let Some((at, config)) = cached.as_ref()
            && at.elapsed() < self.inner.service_ttl
        {
            return Ok(config.clone());
        }
        let url = self.url("/service/config")?;
        let json = self.call(Method::GET, &url, None).await?;
        let config = ServiceConfig::from_json(&json);
        if let Ok(mut cached) = self.inner.service.lock() {
            *cached = Some((Instant::now(), config.clone()));
        }
        Ok(config)
    }

    /// The location the token opens and who manages it.
    pub async fn client_config(&self) -> Result<AppleLocation, ConnectorError> {
        let url = self.url("/client/config")?;
        let json = self.call(Method::GET, &url, None).await?;
        Ok(wire::location(&json))
    }

    /// Registers seats as the location's manager (R-CON-6): whatever
    /// another product assigned stays, but that product no longer manages
    /// the location. Call only with the admin's consent.
    pub async fn register(&self) -> Result<AppleLocation, ConnectorError> {
        let url = self.url("/client/config")?;
        let body = json!({
            "mdmInfo": {"id": SEATS_MDM_ID, "name": "seats", "metadata": env!("CARGO_PKG_VERSION")},
        });
        let json = self.call(Method::POST, &url, Some(&body)).await?;
        Ok(wire::location(&json))
    }

    /// The invitation link of a Registered user's invite code.
    pub async fn invitation_url(&self, invite_code: &str) -> Result<Option<String>, ConnectorError> {
        Ok(self.service_config().await?.invitation_url(invite_code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invitation_link_replaces_the_code() {
        let config = ServiceConfig::from_json(&json!({"urls": {"invitationEmail":
            "https://buy.example/associate?inviteCode=%25inviteCode%25&mt=8"}, "limits": {"maxAssets": 10}}));
        assert_eq!(config.max_assets, 10);
        assert_eq!(config.max_client_user_ids, 1000);
        assert_eq!(
            config.invitation_url("ab c").as_deref(),
            Some("https://buy.example/associate?inviteCode=ab+c&mt=8")
        );
    }
}
