//! What can go wrong talking to a source, in words an admin can act on:
//! which host, what happened, what to do. Errors carry the source's request
//! id, error code and message, and never a secret: no bearer token, no
//! client secret, no Authorization header, no query string (paths only).

use std::time::Duration;

mod detail;
mod messages;

pub use detail::{ErrorDetail, Target, host_of};

use crate::domain::store_business::SeatRefusal;

/// How the caller should treat an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The source or the network failed for now: retry later (a push stays
    /// pending, a sync is retried on schedule).
    Transient,
    /// The source refused the change for a reason of its own (no seats left,
    /// usage location, conflicting plans): roll the local change back.
    Refused,
    /// Retrying will not help until someone changes something (credentials,
    /// permissions, the request itself, a source that answers nonsense).
    Fatal,
    /// The stored delta link is no longer valid: read everything again.
    DeltaExpired,
}

/// A failure of a connector's conversation with its source (boxed: errors
/// are rare, results are many).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct ConnectorError(Box<ErrorKind>);

impl From<ErrorKind> for ConnectorError {
    fn from(kind: ErrorKind) -> ConnectorError {
        ConnectorError(Box::new(kind))
    }
}

/// What went wrong, with what the source said.
#[derive(Debug, Clone)]
pub enum ErrorKind {
    /// A configured URL cannot be used.
    BadUrl {
        /// The option that gave it (`--graph-url`).
        option: &'static str,
        url: String,
        why: String,
    },
    /// The HTTP client could not be built (its TLS setup).
    ClientSetup { detail: String },
    /// No connection could be made (refused, DNS, TLS).
    Unreachable {
        target: Target,
        detail: String,
        attempts: u32,
    },
    /// No answer within the request timeout.
    Timeout {
        target: Target,
        after: Duration,
        attempts: u32,
    },
    /// The connection broke (reset, or closed before the whole answer came).
    Broken {
        target: Target,
        detail: String,
        attempts: u32,
    },
    /// Throttled (429, or 503 with Retry-After) past the retries or the
    /// allowed wait.
    Throttled {
        target: Target,
        detail: ErrorDetail,
        attempts: u32,
        waited: Duration,
        /// A wait the source asked for that exceeded what was left.
        asked: Option<Duration>,
    },
    /// A 5xx past the retries.
    ServerFailed {
        target: Target,
        detail: ErrorDetail,
        attempts: u32,
    },
    /// The token endpoint does not know the tenant (AADSTS90002).
    TenantNotFound {
        tenant: String,
        login: String,
        detail: ErrorDetail,
    },
    /// The tenant has no application with this client id (AADSTS700016).
    UnknownClient {
        client_id: String,
        tenant: String,
        detail: ErrorDetail,
    },
    /// The client secret was refused (AADSTS7000215, 401 invalid_client).
    SecretRefused {
        client_id: String,
        tenant: String,
        login: String,
        detail: ErrorDetail,
    },
    /// The scope was refused (invalid_scope).
    ScopeRefused {
        scope: String,
        login: String,
        detail: ErrorDetail,
    },
    /// Any other refusal of the token endpoint.
    TokenRefused {
        tenant: String,
        login: String,
        detail: ErrorDetail,
    },
    /// 401 again with a token fetched just before.
    Unauthorized { target: Target, detail: ErrorDetail },
    /// 403: the application lacks a permission.
    Forbidden {
        target: Target,
        detail: ErrorDetail,
        /// The least application permission that allows the call.
        permission: &'static str,
    },
    /// Another 4xx: the request was wrong for this source.
    Rejected { target: Target, detail: ErrorDetail },
    /// The source refused a license change (seats, usage location,
    /// conflicting or missing plans); `detail.message` is its exact text.
    Refused {
        target: Target,
        /// Who the change was for (a UPN or an object id).
        principal: String,
        detail: ErrorDetail,
    },
    /// The Store for Business refused a seat call or does not know the
    /// app, the user or the seat (409 "Not online", no seat left, 404).
    StoreRefused {
        target: Target,
        /// "Name (productId/skuId)", or the ids alone when no name is known.
        app: String,
        user: Option<String>,
        reason: SeatRefusal,
        detail: ErrorDetail,
    },
    /// The delta link expired (`syncStateNotFound`, 410 Gone).
    DeltaExpired { target: Target, detail: ErrorDetail },
    /// A 2xx answer that cannot be read.
    Malformed { target: Target, problem: String },
    /// A collection that does not end.
    PagingLoop {
        target: Target,
        pages: u32,
        reason: String,
    },
    /// An Apple content-token file that cannot be read (never quoted).
    AppleTokenFile { problem: String },
    /// Apple refused the content token itself (9722, 9601, 9622): not the
    /// whole downloaded file, or not a token at all.
    AppleTokenRefused { target: Target, detail: ErrorDetail },
    /// The Apple content token expired (9621).
    AppleTokenExpired { target: Target, detail: ErrorDetail },
    /// The Apple content token was revoked (9625): a newer one was
    /// downloaded, or the location was removed.
    AppleTokenRevoked { target: Target, detail: ErrorDetail },
    /// A change asked for a location user outside seats' namespace: it
    /// belongs to another device-management product (R-CON-7). Nothing
    /// was sent.
    AppleNotOwn { client_user_id: String },
}

impl ConnectorError {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// How to treat the error (retry, roll back, give up, read in full).
    pub fn class(&self) -> ErrorClass {
        use ErrorKind::*;
        match self.kind() {
            Unreachable { .. } | Timeout { .. } | Broken { .. } | Throttled { .. } | ServerFailed { .. } => {
                ErrorClass::Transient
            }
            Refused { .. } | StoreRefused { .. } => ErrorClass::Refused,
            DeltaExpired { .. } => ErrorClass::DeltaExpired,
            BadUrl { .. }
            | ClientSetup { .. }
            | TenantNotFound { .. }
            | UnknownClient { .. }
            | SecretRefused { .. }
            | ScopeRefused { .. }
            | TokenRefused { .. }
            | Unauthorized { .. }
            | Forbidden { .. }
            | Rejected { .. }
            | Malformed { .. }
            | PagingLoop { .. }
            | AppleTokenFile { .. }
            | AppleTokenRefused { .. }
            | AppleTokenExpired { .. }
            | AppleTokenRevoked { .. }
            | AppleNotOwn { .. } => ErrorClass::Fatal,
        }
    }

    /// What the source said, when it answered.
    pub fn detail(&self) -> Option<&ErrorDetail> {
        use ErrorKind::*;
        match self.kind() {
            Throttled { detail, .. }
            | ServerFailed { detail, .. }
            | TenantNotFound { detail, .. }
            | UnknownClient { detail, .. }
            | SecretRefused { detail, .. }
            | ScopeRefused { detail, .. }
            | TokenRefused { detail, .. }
            | Unauthorized { detail, .. }
            | Forbidden { detail, .. }
            | Rejected { detail, .. }
            | Refused { detail, .. }
            | StoreRefused { detail, .. }
            | DeltaExpired { detail, .. }
            | AppleTokenRefused { detail, .. }
            | AppleTokenExpired { detail, .. }
            | AppleTokenRevoked { detail, .. } => Some(detail),
            BadUrl { .. }
            | ClientSetup { .. }
            | Unreachable { .. }
            | Timeout { .. }
            | Broken { .. }
            | Malformed { .. }
            | PagingLoop { .. }
            | AppleTokenFile { .. }
            | AppleNotOwn { .. } => None,
        }
    }

    /// The source's request id, to quote in a support case.
    pub fn request_id(&self) -> Option<&str> {
        self.detail().and_then(|d| d.request_id.as_deref())
    }

    /// The source's own message, exactly as sent (a refusal's reason).
    pub fn source_message(&self) -> Option<&str> {
        self.detail().and_then(|d| d.message.as_deref())
    }
}
