//! Faults of the source (apis.md 1.2): throttling with Retry-After, 5xx,
//! broken connections, hangs, bodies that cannot be read, and an access
//! token that expires mid-read. Each ends in success or in a clear error,
//! within the configured limits.

use std::time::Duration;

use seats::connectors::{ErrorClass, ErrorKind, RetryPolicy};

use super::support::{Env, bounded, quick_http};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_storm_is_waited_out_with_retry_after() {
    let env = Env::start().await;
    // Backoff alone would wait 2.5 s or more per retry and overrun the 3 s
    // budget by the second: only honouring Retry-After (50 ms) gets through.
    let client = env.client_with(|c| {
        c.http.retry = RetryPolicy {
            max_retries: 10,
            max_total_wait: Duration::from_secs(3),
            backoff_base: Duration::from_secs(5),
            backoff_max: Duration::from_secs(5),
        }
    });
    env.faults("429=1,retry-after=0.05");
    let storm_over = env.clear_faults_after(5);
    let skus = bounded(client.subscribed_skus()).await.unwrap();
    storm_over.await.unwrap();
    assert!(!skus.is_empty());
    // The storm ends once the 5th request has arrived; that request may or
    // may not be throttled itself (the simulator counts a request before it
    // rolls the fault), so at least 4 throttled answers were waited out.
    assert!(env.requests_like("GET /v1.0/subscribedSkus") >= 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_beyond_the_budget_fails_at_once() {
    let env = Env::start().await;
    let client = env.client();
    env.faults("429=1,retry-after=30");
    let started = std::time::Instant::now();
    let err = bounded(client.subscribed_skus()).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(matches!(err.kind(), ErrorKind::Throttled { .. }), "{err:?}");
    assert_eq!(err.class(), ErrorClass::Transient);
    let text = err.to_string();
    assert!(
        text.contains(
            "is throttling GET /v1.0/subscribedSkus (429 TooManyRequests: Please retry again later."
        ) && text.contains("it asked to wait 30 s, more than the time left"),
        "{text}"
    );
    assert!(err.request_id().is_some(), "{err:?}");
    assert_eq!(env.requests_like("GET /v1.0/subscribedSkus"), 1);
    env.assert_clean(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_are_retried_then_succeed() {
    let env = Env::start().await;
    let client = env.client();
    for spec in ["500=1", "502=1", "503=1,retry-after=0.01", "504=1"] {
        env.faults(spec);
        let over = env.clear_faults_after(2);
        let org = bounded(client.organization()).await;
        over.await.unwrap();
        assert!(org.is_ok(), "{spec}: {org:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_past_the_retries_keep_the_code_and_request_id() {
    let env = Env::start().await;
    let client = env.client();
    env.faults("500=1");
    let err = bounded(client.organization()).await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::ServerFailed { attempts: 4, .. }),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::Transient);
    // max_retries = 3: four attempts in all.
    assert_eq!(env.requests_like("GET /v1.0/organization"), 4);
    let detail = err.detail().unwrap();
    assert_eq!(detail.code.as_deref(), Some("generalException"));
    let text = err.to_string();
    let id = err.request_id().unwrap();
    assert!(
        text.contains(
            "failed GET /v1.0/organization with 500 generalException: An unexpected error occurred."
        ) && text.contains(&format!("(request id {id})"))
            && text.contains("after 4 attempts"),
        "{text}"
    );
    env.assert_clean(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_connection_is_retried_and_reported() {
    let env = Env::start().await;
    let client = env.client();
    env.faults("reset=1");
    let over = env.clear_faults_after(2);
    bounded(client.organization()).await.unwrap();
    over.await.unwrap();

    env.faults("reset=1");
    let err = bounded(client.organization()).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Broken { .. }), "{err:?}");
    assert_eq!(err.class(), ErrorClass::Transient);
    let host = env.sim.base_url().trim_start_matches("http://").to_owned();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "the connection to {host} broke during GET /v1.0/organization"
        )),
        "{text}"
    );
    env.assert_clean(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hang_times_out_within_the_bound() {
    let env = Env::start().await;
    let client = env.client_with(|c| {
        c.http.request_timeout = Duration::from_millis(300);
        c.http.retry.max_retries = 1;
    });
    env.faults("hang=1");
    let err = bounded(client.users().all()).await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Timeout { attempts: 2, .. }),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::Transient);
    let text = err.to_string();
    assert!(
        text.contains("did not answer GET /v1.0/users within 0.3 s after 2 attempts"),
        "{text}"
    );
    env.assert_clean(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_page_is_retried_then_reported() {
    let env = Env::start().await;
    let client = env.client();
    env.faults("truncate=1");
    let over = env.clear_faults_after(1);
    let users = bounded(client.users().all()).await.unwrap();
    over.await.unwrap();
    assert_eq!(users.len() as u64, env.tenant().user_count().unwrap());

    env.faults("truncate=1");
    let err = bounded(client.users().all()).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Broken { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("broke during GET /v1.0/users"), "{text}");
    assert!(!text.contains("$skiptoken") && !text.contains('?'), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_that_cannot_be_read_name_the_path_and_the_problem() {
    let env = Env::start().await;
    let client = env.client();
    env.faults("malformed=1");
    let err = bounded(client.users().all()).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Malformed { .. }), "{err:?}");
    assert_eq!(err.class(), ErrorClass::Fatal);
    let text = err.to_string();
    assert!(
        text.contains("answered GET /v1.0/users with a page whose \"value\" is an object, not a list"),
        "{text}"
    );
    assert!(!text.contains('?'), "the query in {text}");

    env.faults("badjson=1");
    let err = bounded(client.groups().all()).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("answered GET /v1.0/groups with JSON that ends early"),
        "{text}"
    );
    env.faults("malformed=1");
    let err = bounded(client.organization()).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("answered GET /v1.0/organization with a page whose \"value\" is an object"),
        "{err}"
    );
    env.assert_clean(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_token_expired_mid_read_is_renewed_once_and_the_read_goes_on() {
    let env = Env::start().await;
    let client = env.client();
    let mut pages = client.users();
    let first = bounded(pages.next_page()).await.unwrap().unwrap();
    env.tenant().expire_access_tokens().unwrap();
    let mut count = first.items.len();
    while let Some(page) = bounded(pages.next_page()).await.unwrap() {
        count += page.items.len();
    }
    assert_eq!(count as u64, env.tenant().user_count().unwrap());
    assert_eq!(env.token_requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_refused_again_after_renewal_fails() {
    let env = Env::start().await;
    let client = env.client();
    env.faults("401=1");
    let err = bounded(client.subscribed_skus()).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Unauthorized { .. }), "{err:?}");
    assert_eq!(err.class(), ErrorClass::Fatal);
    assert_eq!(env.token_requests(), 2, "renewed more than once");
    assert_eq!(env.requests_like("GET /v1.0/subscribedSkus"), 2);
    let text = err.to_string();
    assert!(
        text.contains(
            "refused the access token for GET /v1.0/subscribedSkus even after a new one was fetched"
        ) && text.contains("InvalidAuthenticationToken"),
        "{text}"
    );
    env.assert_clean(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mix_of_faults_is_survived_by_a_full_read() {
    let env = Env::start().await;
    let client = env.client_with(|c| {
        c.http = quick_http();
        c.http.retry.max_retries = 8;
        c.http.retry.max_total_wait = Duration::from_secs(10);
    });
    env.faults("429=0.15,500=0.05,503=0.05,reset=0.05,truncate=0.05,retry-after=0.01,seed=3");
    let users = bounded(client.users().all()).await.unwrap();
    let groups = bounded(client.groups().all()).await.unwrap();
    env.faults("");
    assert_eq!(users.len() as u64, env.tenant().user_count().unwrap());
    assert!(!groups.is_empty());
}
