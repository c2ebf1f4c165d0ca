//! Secrets never leave through errors (issue 7, "Shared HTTP layer"): every
//! kind of error the faults produce is formatted (Display and Debug) and
//! searched for the client secret and every access token handed out.

use std::time::Duration;

use seats::connectors::graph::GraphClient;
use seats::connectors::{ConnectorError, Secret};
use seats::domain::source::{ChangeTarget, LicenseChange};

use super::support::{Env, bounded, issued_tokens};

async fn failure<T: std::fmt::Debug>(
    work: impl std::future::Future<Output = Result<T, ConnectorError>>,
) -> ConnectorError {
    bounded(work).await.unwrap_err()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_error_carries_the_secret_or_a_token() {
    let env = Env::start().await;
    let creds = env.sim.credentials().clone();
    let client = env.client_with(|c| c.http.request_timeout = Duration::from_millis(300));
    let mut errors = Vec::new();

    let wrong = "wrong-secret-value-1234";
    let bad_secret = env.client_with(|c| c.secret = Secret::new(wrong));
    errors.push(failure(bad_secret.check_credentials()).await);
    let bad_tenant = env.client_with(|c| c.tenant = "nobody.example".to_owned());
    errors.push(failure(bad_tenant.check_credentials()).await);
    let bad_client = env.client_with(|c| c.client_id = "nobody".to_owned());
    errors.push(failure(bad_client.check_credentials()).await);

    for spec in [
        "401=1",
        "429=1,retry-after=0.01",
        "429=1,retry-after=60",
        "500=1",
        "503=1,retry-after=0.01",
        "reset=1",
        "truncate=1",
        "hang=1",
        "malformed=1",
        "badjson=1",
        "empty=1",
    ] {
        env.faults(spec);
        errors.push(failure(client.users().all()).await);
    }
    env.faults("");
    let (_, link) = {
        let mut pages = client.users_delta(None);
        while bounded(pages.next_page()).await.unwrap().is_some() {}
        ((), pages.delta_link().unwrap().to_owned())
    };
    env.tenant().expire_delta_tokens().unwrap();
    errors.push(failure(client.users_delta(Some(&link)).all()).await);

    let mut tenant = env.tenant();
    let sku = tenant.sku_id("EMSPREMIUM").unwrap();
    let held = tenant.held_seats("EMSPREMIUM").unwrap();
    tenant.set_prepaid_units("EMSPREMIUM", held).unwrap();
    let user = super::support::users_without(&tenant, &sku, 1).remove(0);
    let change = LicenseChange {
        target: ChangeTarget::User(user),
        add: vec![sku],
        remove: vec![],
    };
    errors.push(failure(client.assign_license(&change)).await);
    let batch = bounded(client.push_batch(vec![change.clone(), change])).await;
    errors.extend(batch.into_iter().filter_map(Result::err));

    let tokens = issued_tokens(&env.tenant());
    assert!(!tokens.is_empty());
    assert!(errors.len() >= 18, "{}", errors.len());
    for err in &errors {
        let shown = format!("{err}\n{err:?}");
        eprintln!("{err}");
        assert!(!shown.contains(&creds.client_secret), "the secret in {shown}");
        assert!(!shown.contains(wrong), "the wrong secret in {shown}");
        for token in &tokens {
            assert!(!shown.contains(token.as_str()), "a token in {shown}");
        }
        assert!(!shown.to_ascii_lowercase().contains("authorization"), "{shown}");
        assert!(
            !shown.contains("$skiptoken") && !shown.contains("$deltatoken"),
            "{shown}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configuration_and_the_client_print_without_the_secret() {
    let env = Env::start().await;
    let config = env.config();
    let secret = env.sim.credentials().client_secret.clone();
    let shown = format!("{config:?}");
    assert!(
        shown.contains("[redacted]") && !shown.contains(&secret),
        "{shown}"
    );
    let client = GraphClient::new(config).unwrap();
    bounded(client.check_credentials()).await.unwrap();
    let shown = format!("{client:?}");
    assert!(!shown.contains(&secret), "{shown}");
    for token in issued_tokens(&env.tenant()) {
        assert!(!shown.contains(&token), "{shown}");
    }
}
