//! The words of each error: which host, what happened, what to do.

use std::fmt;
use std::time::Duration;

use super::{ErrorDetail, ErrorKind, Target};
use crate::domain::apple::{TOKEN_EXPIRED, TOKEN_REVOKED};
use crate::domain::store_business::SeatRefusal;

/// " after N attempts" when there was more than one.
fn tries(attempts: u32) -> String {
    if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    }
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 10.0 {
        return format!("{s:.0} s");
    }
    let text = format!("{s:.2}");
    format!("{} s", text.trim_end_matches('0').trim_end_matches('.'))
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ErrorKind::*;
        match self {
            BadUrl { option, url, why } => write!(f, "{option} {url:?} cannot be used: {why}"),
            ClientSetup { detail } => write!(
                f,
                "the HTTP client could not be set up ({detail}); this is a fault of seats: please report it"
            ),
            Unreachable {
                target,
                detail,
                attempts,
            } => write!(
                f,
                "cannot reach {} ({target}){}: {detail}; check the URL, the network and any proxy, then try again",
                target.host,
                tries(*attempts)
            ),
            Timeout {
                target,
                after,
                attempts,
            } => write!(
                f,
                "{} did not answer {target} within {}{}; the source is slow or unreachable: try again later",
                target.host,
                secs(*after),
                tries(*attempts)
            ),
            Broken {
                target,
                detail,
                attempts,
            } => write!(
                f,
                "the connection to {} broke during {target} ({detail}){}; try again later",
                target.host,
                tries(*attempts)
            ),
            Throttled {
                target,
                detail,
                attempts,
                waited,
                asked,
            } => {
                write!(f, "{} is throttling {target} ({detail}); ", target.host)?;
                match asked {
                    Some(asked) => write!(
                        f,
                        "it asked to wait {}, more than the time left for retries ({} waited{})",
                        secs(*asked),
                        secs(*waited),
                        tries(*attempts)
                    )?,
                    None => write!(
                        f,
                        "gave up after {attempts} attempts and {} of waiting",
                        secs(*waited)
                    )?,
                }
                write!(f, "; try again later")
            }
            ServerFailed {
                target,
                detail,
                attempts,
            } => write!(
                f,
                "{} failed {target} with {detail}{}; the source has a problem: try again later",
                target.host,
                tries(*attempts)
            ),
            TenantNotFound {
                tenant,
                login,
                detail,
            } => write!(
                f,
                "tenant {tenant} not found at {login}: check --tenant-id ({detail})"
            ),
            UnknownClient {
                client_id,
                tenant,
                detail,
            } => write!(
                f,
                "no application with client id {client_id} in tenant {tenant}: check --client-id ({detail})"
            ),
            SecretRefused {
                client_id,
                tenant,
                login,
                detail,
            } => write!(
                f,
                "{login} refused the sign-in of client {client_id} in tenant {tenant}: the client secret was \
                 refused: check the secret file (the secret's value, not its id; it may have expired) ({detail})"
            ),
            ScopeRefused { scope, login, detail } => write!(
                f,
                "{login} refused the scope {scope}: check --graph-url (it must be the Graph of the same cloud \
                 as --login-url) ({detail})"
            ),
            TokenRefused {
                tenant,
                login,
                detail,
            } => {
                write!(f, "{login} refused a token for tenant {tenant}: {detail}")
            }
            Unauthorized { target, detail } => write!(
                f,
                "{} refused the access token for {target} even after a new one was fetched ({detail}); check \
                 that --graph-url and --login-url belong to the same cloud and the app to this tenant",
                target.host
            ),
            Forbidden {
                target,
                detail,
                permission,
            } => write!(
                f,
                "{} denied {target} ({detail}): the application lacks the permission {permission}; grant it \
                 (application permission, with admin consent) in Entra ID",
                target.host
            ),
            Rejected { target, detail } => write!(f, "{} rejected {target}: {detail}", target.host),
            Refused {
                target,
                principal,
                detail,
            } => {
                let message = detail.message.as_deref().unwrap_or("no reason given");
                write!(
                    f,
                    "{} refused the license change for {principal}: {message}",
                    target.host
                )?;
                if let Some(id) = &detail.request_id {
                    write!(f, " (request id {id})")?;
                }
                Ok(())
            }
            StoreRefused {
                target,
                app,
                user,
                reason,
                detail,
            } => store_refusal(f, target, app, user.as_deref(), *reason, detail),
            DeltaExpired { target, detail } => write!(
                f,
                "the delta link of {} expired ({detail}); everything must be read again (a full sync)",
                target.host
            ),
            Malformed { target, problem } => write!(
                f,
                "{} answered {target} with {problem}; seats cannot read it: try again, and report it if it \
                 persists",
                target.host
            ),
            PagingLoop {
                target,
                pages,
                reason,
            } => write!(
                f,
                "{} keeps paging {target}: {reason} after {pages} pages; stopped so the read cannot loop forever",
                target.host
            ),
            AppleTokenFile { problem } => write!(
                f,
                "the Apple content-token file cannot be read: {problem}; give the file exactly as downloaded \
                 from Apple Business Manager → Settings → Apps and Books"
            ),
            AppleTokenRefused { target, detail } => write!(
                f,
                "{} refused the content token for {target} ({detail}); give the whole token file as downloaded \
                 from Apple Business Manager → Settings → Apps and Books",
                target.host
            ),
            AppleTokenExpired { target, detail } => write!(
                f,
                "{TOKEN_EXPIRED} ({} said {detail} for {target}); download a new token from \
                 Apple Business Manager → Settings → Apps and Books and replace it in seats; assignments are kept",
                target.host
            ),
            AppleTokenRevoked { target, detail } => write!(
                f,
                "{TOKEN_REVOKED} ({} said {detail} for {target}): a newer token of this \
                 location was downloaded, or the location was removed; download the current token from Apple \
                 Business Manager → Settings → Apps and Books and replace it in seats",
                target.host
            ),
            AppleNotOwn { client_user_id } => write!(
                f,
                "the Apple user {client_user_id:?} was created by another device-management product (its id \
                 is not in seats' \"seats:\" namespace); seats reads such users and their assignments for \
                 counting but never changes or retires them"
            ),
        }
    }
}

/// A Store for Business refusal, naming the app and the user.
fn store_refusal(
    f: &mut fmt::Formatter<'_>,
    target: &Target,
    app: &str,
    user: Option<&str>,
    reason: SeatRefusal,
    detail: &ErrorDetail,
) -> fmt::Result {
    let host = &target.host;
    let who = user.unwrap_or("the user");
    match reason {
        SeatRefusal::NotOnline => write!(
            f,
            "{host} refused {target} for {who}: {app} is licensed offline (\"Not online\"); the store does \
             not assign its seats: deploy it with its offline license instead"
        )?,
        SeatRefusal::NoSeatsLeft => write!(
            f,
            "{host} has no seat of {app} left for {who}: its distribution is restricted to the seats \
             bought; reclaim one or buy more in the store"
        )?,
        SeatRefusal::UnknownApp => write!(
            f,
            "{host} does not know {app} ({target}): it is not (or no longer) in the organization's \
             inventory; sync the store again"
        )?,
        SeatRefusal::UnknownUser => write!(
            f,
            "{host} does not know the user {who} ({target} for {app}): check the UPN, and that the user is \
             in the store's directory"
        )?,
        SeatRefusal::NoSeat => write!(f, "{who} holds no seat of {app} at {host} ({target})")?,
        SeatRefusal::Other => write!(f, "{host} refused {target} for {who} and {app}")?,
    }
    write!(f, " ({detail})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(secs(Duration::from_millis(50)), "0.05 s");
        assert_eq!(secs(Duration::from_secs(2)), "2 s");
        assert_eq!(secs(Duration::from_millis(2500)), "2.5 s");
        assert_eq!(secs(Duration::from_secs(120)), "120 s");
        assert_eq!(secs(Duration::ZERO), "0 s");
    }
}
