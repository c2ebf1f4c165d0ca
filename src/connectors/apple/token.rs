//! The content-token file of Apple Business Manager (apis.md §3.1): base64
//! of `{"token", "expDate", "orgName"}`. The whole base64 text is the
//! bearer; it is kept as a [`Secret`] and never printed or quoted.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::Value;

use crate::connectors::error::{ConnectorError, ErrorKind};
use crate::connectors::secret::Secret;

/// A parsed content token.
#[derive(Clone)]
pub struct AppleToken {
    bearer: Secret,
    org_name: String,
    expires: DateTime<Utc>,
}

impl std::fmt::Debug for AppleToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppleToken")
            .field("org_name", &self.org_name)
            .field("expires", &self.expires)
            .field("token", &self.bearer)
            .finish()
    }
}

impl AppleToken {
    /// Reads the text of a downloaded `.vpptoken` file (surrounding
    /// whitespace and line breaks are ignored).
    pub fn from_file_text(text: &str) -> Result<AppleToken, ConnectorError> {
        let compact: String = text.split_whitespace().collect();
        if compact.is_empty() {
            return Err(problem("the file is empty"));
        }
        let bytes = STANDARD
            .decode(&compact)
            .or_else(|_| STANDARD_NO_PAD.decode(compact.trim_end_matches('=')))
            .map_err(|_| problem("it is not base64 text"))?;
        let json: Value = serde_json::from_slice(&bytes)
            .map_err(|_| problem("its content is not the JSON of a content token"))?;
        let field = |name: &str| json[name].as_str().map(str::trim).filter(|s| !s.is_empty());
        if field("token").is_none() {
            return Err(problem("it has no \"token\""));
        }
        let org_name = field("orgName")
            .ok_or_else(|| problem("it has no \"orgName\""))?
            .to_owned();
        let exp = field("expDate").ok_or_else(|| problem("it has no \"expDate\" (expiry date)"))?;
        let expires = parse_apple_date(exp)
            .ok_or_else(|| problem(&format!("its \"expDate\" {exp:?} is not a date")))?;
        Ok(AppleToken {
            bearer: Secret::new(compact),
            org_name,
            expires,
        })
    }

    /// The organization the token belongs to (`orgName`).
    pub fn org_name(&self) -> &str {
        &self.org_name
    }

    /// When the token expires (`expDate`).
    pub fn expires(&self) -> DateTime<Utc> {
        self.expires
    }

    /// The `Authorization` header value: the whole token file.
    pub(crate) fn bearer(&self) -> String {
        format!("Bearer {}", self.bearer.expose())
    }

    /// Whether two tokens are the same file (a renewed token differs).
    pub fn same_file(&self, other: &AppleToken) -> bool {
        self.bearer == other.bearer
    }
}

fn problem(what: &str) -> ConnectorError {
    ErrorKind::AppleTokenFile {
        problem: what.to_owned(),
    }
    .into()
}

/// Apple's dates: `2030-11-08T22:33:22+0000` (offset without a colon), or
/// RFC 3339.
pub fn parse_apple_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%z")
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .map(|d: DateTime<FixedOffset>| d.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apple_dates_with_and_without_a_colon() {
        let a = parse_apple_date("2030-11-08T22:33:22+0000").unwrap();
        assert_eq!(a.to_rfc3339(), "2030-11-08T22:33:22+00:00");
        let b = parse_apple_date("2030-11-08T15:33:22-0700").unwrap();
        assert_eq!(a, b);
        assert!(parse_apple_date("2030-11-08T22:33:22Z").is_some());
        assert!(parse_apple_date("next year").is_none());
    }
}
