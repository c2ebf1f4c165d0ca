//! Names, publishers and bundle ids from Apple's public lookup service
//! (`?id=ID1,ID2`), in batches; ids it does not know are left out.

use reqwest::{Method, Url};

use super::call::{apple_error, malformed};
use super::{AppleClient, wire};
use crate::connectors::error::{ConnectorError, Target};
use crate::domain::apple::AppMetadata;

impl AppleClient {
    /// The metadata of `adam_ids` (in the service's order, batch by batch).
    pub async fn lookup(&self, adam_ids: &[&str]) -> Result<Vec<AppMetadata>, ConnectorError> {
        let mut out = Vec::new();
        for batch in adam_ids.chunks(self.inner.lookup_batch) {
            let mut url: Url = self.inner.lookup.clone();
            url.query_pairs_mut().append_pair("id", &batch.join(","));
            let target = Target::new(&Method::GET, &url);
            // No token: the lookup service is public.
            let reply = self.inner.http.send(Method::GET, &url, |r| r).await?;
            if !reply.status.is_success() {
                return Err(apple_error(target, reply.detail(), reply.attempts));
            }
            let json: serde_json::Value = serde_json::from_slice(&reply.body)
                .map_err(|_| malformed(&target, "a body that is not JSON"))?;
            let results = json["results"]
                .as_array()
                .ok_or_else(|| malformed(&target, "no \"results\" list"))?;
            out.extend(results.iter().filter_map(wire::metadata));
        }
        Ok(out)
    }
}
