//! The client-credentials token (apis.md 1.1): a good secret, and each
//! wrong setting named in the error with the option that fixes it.

use std::time::Duration;

use seats::connectors::graph::GraphClient;
use seats::connectors::{ErrorClass, ErrorKind, Secret};

use super::support::{Env, bounded};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn good_credentials_get_a_token_and_the_organization() {
    let env = Env::start().await;
    let client = env.client();
    bounded(client.check_credentials()).await.unwrap();
    let org = bounded(client.organization()).await.unwrap();
    let creds = env.sim.credentials();
    assert_eq!(org.source_id, creds.tenant_id);
    assert_eq!(org.name, creds.tenant_name);
    assert_eq!(org.default_domain.as_deref(), Some(creds.domain.as_str()));
    // One token served both calls.
    assert_eq!(env.token_requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_tenant_says_check_tenant_id() {
    let env = Env::start().await;
    let tenant = "00000000-0000-0000-0000-00000000dead";
    let client = env.client_with(|c| c.tenant = tenant.to_owned());
    let err = bounded(client.check_credentials()).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::TenantNotFound { .. }), "{err:?}");
    let text = err.to_string();
    let expected = format!(
        "tenant {tenant} not found at {}: check --tenant-id",
        env.sim.login_url()
    );
    assert!(text.starts_with(&expected), "{text}");
    assert!(text.contains("AADSTS90002"), "{text}");
    assert_eq!(err.class(), ErrorClass::Fatal);
    env.assert_clean(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_named_by_its_domain_is_accepted() {
    let env = Env::start().await;
    let domain = env.sim.credentials().domain.clone();
    let client = env.client_with(|c| c.tenant = domain);
    bounded(client.check_credentials()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_client_id_says_check_client_id() {
    let env = Env::start().await;
    let client = env.client_with(|c| c.client_id = "11111111-2222-3333-4444-555555555555".to_owned());
    let err = bounded(client.check_credentials()).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::UnknownClient { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("11111111-2222-3333-4444-555555555555") && text.contains("check --client-id"),
        "{text}"
    );
    env.assert_clean(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_says_check_the_secret_file_and_never_shows_it() {
    let env = Env::start().await;
    let wrong = "not-the-secret~with%odd&chars=";
    let client = env.client_with(|c| c.secret = Secret::new(wrong));
    let err = bounded(client.check_credentials()).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::SecretRefused { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("the client secret was refused: check the secret file"),
        "{text}"
    );
    assert!(text.contains("AADSTS7000215"), "{text}");
    let shown = format!("{err}{err:?}");
    assert!(!shown.contains(wrong), "{shown}");
    env.assert_clean(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_with_form_characters_reaches_the_endpoint_intact() {
    // A tenant whose secret holds '&', '=', '+' and '%': unencoded, the
    // endpoint would read another secret (or more fields) and refuse it.
    let first = Env::start().await;
    let secret = "s3cr&t=a+b%2Fc d~";
    first
        .tenant()
        .connection()
        .execute(
            "UPDATE sim_meta SET value = ?1 WHERE key = 'client_secret'",
            [secret],
        )
        .unwrap();
    let state = first.dir.path().join("sim.db");
    let config = seats::sim::SimConfig::new(&state, super::support::USERS);
    let runtime = tokio::runtime::Handle::current();
    let again = tokio::task::block_in_place(|| seats::sim::Simulator::start(config, &runtime)).unwrap();
    assert_eq!(again.credentials().client_secret, secret);
    let mut config = first.config();
    config.graph_url = again.graph_url().to_owned();
    config.login_url = again.login_url().to_owned();
    config.secret = Secret::new(secret);
    let client = GraphClient::new(config).unwrap();
    bounded(client.organization()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scope_for_another_graph_names_the_scope() {
    let env = Env::start().await;
    let client = env.client_with(|c| c.graph_url = "http://127.0.0.1:9".to_owned());
    let err = bounded(client.check_credentials()).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::ScopeRefused { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("refused the scope http://127.0.0.1:9/.default") && text.contains("--graph-url"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_login_host_is_named_and_the_wait_is_bounded() {
    let env = Env::start().await;
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = env.client_with(|c| c.login_url = format!("http://127.0.0.1:{port}"));
    let err = bounded(client.check_credentials()).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Unreachable { .. }), "{err:?}");
    assert_eq!(err.class(), ErrorClass::Transient);
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("cannot reach 127.0.0.1:{port} (POST /")),
        "{text}"
    );
    assert!(text.contains("after 4 attempts"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_kept_and_renewed_before_it_expires() {
    let env = Env::start_with(|c| c.token_lifetime = Duration::from_secs(1)).await;
    let client = env.client();
    bounded(client.organization()).await.unwrap();
    bounded(client.organization()).await.unwrap();
    assert_eq!(env.token_requests(), 1, "the token was not kept");
    // Past 80 % of its second of life the token is renewed before use,
    // so Graph never sees it expired.
    tokio::time::sleep(Duration::from_millis(850)).await;
    bounded(client.organization()).await.unwrap();
    assert_eq!(env.token_requests(), 2, "the token was not renewed");
    let refused = env.requests_like("GET /v1.0/organization");
    assert_eq!(refused, 3, "{:?}", env.sim.request_log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_urls_are_refused_before_anything_is_sent() {
    let env = Env::start().await;
    let mut config = env.config();
    config.graph_url = "http://graph.example".to_owned();
    let err = GraphClient::new(config).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("--graph-url \"http://graph.example\" cannot be used")
    );
    let mut config = env.config();
    config.login_url = "login.example".to_owned();
    let err = GraphClient::new(config).unwrap_err();
    assert!(err.to_string().contains("--login-url"), "{err}");
}
