//! Seat changes: one user (`POST`/`DELETE .../Seats/{username}`), or many
//! in chunks (`POST .../Seats` with `userNames` and `seatAction`), each
//! user's outcome reported. A refusal names the app and the user. Also
//! an offline app's offline license (a POST too).

use std::collections::HashMap;

use reqwest::{Method, Url};
use serde_json::{Value, json};

use super::StoreClient;
use super::failure::{failure, reason_of};
use super::read::{malformed, parse_object};
use super::wire::{self, items, text};
use crate::connectors::error::{ConnectorError, Target};
use crate::domain::store_business::{
    OfflineLicense, ProductKey, SeatAction, SeatOutcome, SeatRefusal, StoreSeat,
};

impl StoreClient {
    /// Gives `upn` a seat of an online app (one already held is returned
    /// as it is).
    pub async fn assign(
        &self,
        product_id: &str,
        sku_id: &str,
        upn: &str,
    ) -> Result<StoreSeat, ConnectorError> {
        self.change(Method::POST, product_id, sku_id, upn).await
    }

    /// Takes back the seat `upn` holds; the store answers it Revoked.
    pub async fn reclaim(
        &self,
        product_id: &str,
        sku_id: &str,
        upn: &str,
    ) -> Result<StoreSeat, ConnectorError> {
        self.change(Method::DELETE, product_id, sku_id, upn).await
    }

    async fn change(
        &self,
        method: Method,
        product_id: &str,
        sku_id: &str,
        upn: &str,
    ) -> Result<StoreSeat, ConnectorError> {
        let key = ProductKey::new(product_id, sku_id);
        let url = self.url(&["Inventory", product_id, sku_id, "Seats", upn], &[])?;
        let value = self.send_json(method, &url, None, &key, Some(upn)).await?;
        wire::seat(&value, Some(&key)).ok_or_else(|| malformed(&url, "SeatDetails without assignedTo"))
    }

    /// Assigns or reclaims the seats of `upns`, `bulk_chunk` users a call;
    /// one outcome per user, in the order given. A call the store refuses
    /// as a whole (an unknown app) is an error.
    pub async fn bulk(
        &self,
        product_id: &str,
        sku_id: &str,
        upns: &[String],
        action: SeatAction,
    ) -> Result<Vec<SeatOutcome>, ConnectorError> {
        let key = ProductKey::new(product_id, sku_id);
        let url = self.url(&["Inventory", product_id, sku_id, "Seats"], &[])?;
        let mut out = Vec::with_capacity(upns.len());
        for chunk in upns.chunks(self.inner.bulk_chunk) {
            let body = json!({"userNames": chunk, "seatAction": action.as_str()});
            let value = self
                .send_json(Method::POST, &url, Some(&body), &key, None)
                .await?;
            out.extend(outcomes(&url, &value, chunk, &key, action)?);
        }
        Ok(out)
    }

    /// The offline license of an offline app's content (`contentId` from
    /// its packages). An online app answers 409 "Not offline".
    pub async fn offline_license(
        &self,
        product_id: &str,
        sku_id: &str,
        content_id: &str,
    ) -> Result<OfflineLicense, ConnectorError> {
        let key = ProductKey::new(product_id, sku_id);
        let url = self.url(
            &["Products", product_id, sku_id, "OfflineLicense", content_id],
            &[],
        )?;
        let value = self.send_json(Method::POST, &url, None, &key, None).await?;
        wire::offline_license(&value, &key, content_id)
            .ok_or_else(|| malformed(&url, "an OfflineLicense without licenseBlob"))
    }

    async fn send_json(
        &self,
        method: Method,
        url: &Url,
        body: Option<&Value>,
        key: &ProductKey,
        user: Option<&str>,
    ) -> Result<Value, ConnectorError> {
        let reply = self.call(method.clone(), url, body).await?;
        if !reply.status.is_success() {
            return Err(failure(
                Target::new(&method, url),
                &reply,
                self.app_label(key),
                user,
            ));
        }
        parse_object(url, &reply.body)
    }
}

/// A BulkSeatOperationResultSet as one outcome per user of `chunk`.
fn outcomes(
    url: &Url,
    value: &Value,
    chunk: &[String],
    key: &ProductKey,
    action: SeatAction,
) -> Result<Vec<SeatOutcome>, ConnectorError> {
    let done = items(value, "seatDetails").ok_or_else(|| malformed(url, "seatDetails that is not a list"))?;
    let failed = items(value, "failedSeatOperations")
        .ok_or_else(|| malformed(url, "failedSeatOperations that is not a list"))?;
    let mut by_user: HashMap<String, SeatOutcome> = HashMap::new();
    for seat in done.iter().filter_map(|v| wire::seat(v, Some(key))) {
        let outcome = match action {
            SeatAction::Assign => SeatOutcome::Assigned(seat),
            SeatAction::Reclaim => SeatOutcome::Reclaimed(seat),
        };
        by_user.insert(outcome.user().to_lowercase(), outcome);
    }
    for failure in failed {
        let Some(user) = text(failure, "userName") else {
            continue;
        };
        let why = text(failure, "failureReason").unwrap_or_else(|| "no reason given".to_owned());
        by_user.insert(
            user.to_lowercase(),
            SeatOutcome::refused(user, reason_of(&why), why),
        );
    }
    Ok(chunk
        .iter()
        .map(|user| {
            by_user
                .remove(&user.to_lowercase())
                .unwrap_or_else(|| SeatOutcome::Failed {
                    user: user.clone(),
                    reason: SeatRefusal::Other,
                    message: "the store did not report on this user".to_owned(),
                })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_user_gets_an_outcome_in_order() {
        let url = Url::parse("http://127.0.0.1/V1/Inventory/9/1/Seats").unwrap();
        let key = ProductKey::new("9", "1");
        let value = json!({
            "seatDetails": [{"assignedTo": "B@x", "state": "Active"}],
            "failedSeatOperations": [{"failureReason": "Not online", "userName": "a@x"}],
        });
        let chunk = ["a@x".to_owned(), "b@x".to_owned(), "c@x".to_owned()];
        let got = outcomes(&url, &value, &chunk, &key, SeatAction::Assign).unwrap();
        assert_eq!(got[0], SeatOutcome::NotOnline { user: "a@x".into() });
        assert!(matches!(&got[1], SeatOutcome::Assigned(seat) if seat.assigned_to == "B@x"));
        assert!(matches!(
            &got[2],
            SeatOutcome::Failed {
                reason: SeatRefusal::Other,
                ..
            }
        ));
    }
}
