//! Product details: names in the chosen language (with the store's and
//! the client's fallback), publisher and platforms, encrypted packages.

use seats::connectors::ErrorKind;
use seats::domain::store_business::{ENCRYPTED_SKIP_REASON, SeatRefusal};

use crate::support::{Env, bounded};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_come_in_the_chosen_language() {
    let env = Env::start().await;
    let portal = env.app("Company Portal (Offline)");

    let german = env.client_with(|c| c.language = "de-DE".to_owned());
    let app = bounded(german.product(&portal.product, &portal.sku))
        .await
        .unwrap();
    assert_eq!(
        (app.name.as_str(), app.language.as_str()),
        ("Unternehmensportal", "de-DE")
    );
    assert_eq!(app.publisher.as_deref(), Some("Microsoft Corporation"));
    assert_eq!(app.platforms, ["Windows.Desktop"]);
    assert_eq!(app.supported_languages, ["en-US", "de-DE", "fr-FR"]);
    assert!(
        app.package_family_name
            .is_some_and(|f| f.starts_with("Microsoft.CompanyPortal_"))
    );
    assert_eq!(app.skip_reason, None);

    let english = env.client();
    let app = bounded(english.product(&portal.product, &portal.sku))
        .await
        .unwrap();
    assert_eq!(app.name, "Company Portal");
    let french = bounded(english.localized(&portal.product, &portal.sku, "fr-FR"))
        .await
        .unwrap();
    assert_eq!(
        (french.name.as_str(), french.language.as_str()),
        ("Portail d'entreprise", "fr-FR")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_language_the_app_lacks_falls_back_to_its_first() {
    let env = Env::start().await;
    let drawboard = env.app("Drawboard PDF (Online)");
    let client = env.client_with(|c| c.language = "ja-JP".to_owned());
    let app = bounded(client.product(&drawboard.product, &drawboard.sku))
        .await
        .unwrap();
    assert_eq!(
        (app.name.as_str(), app.language.as_str()),
        ("Drawboard PDF", "en-US")
    );
    assert_eq!(app.publisher.as_deref(), Some("Drawboard"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypted_packages_are_detected_and_skipped_with_the_reason() {
    let env = Env::start().await;
    let client = env.client();
    let secure = env.app("Contoso Secure Viewer (Offline)");
    let packages = bounded(client.packages(&secure.product, &secure.sku))
        .await
        .unwrap();
    assert!(packages.encrypted, "{packages:?}");
    assert!(
        packages.formats.iter().all(|f| f == "EAppxBundle"),
        "{packages:?}"
    );
    let app = bounded(client.product(&secure.product, &secure.sku))
        .await
        .unwrap();
    assert_eq!(app.skip_reason.as_deref(), Some(ENCRYPTED_SKIP_REASON));
    // Its first language is German: an English client still gets English.
    assert_eq!(app.language, "en-US");

    let portal = env.app("Company Portal (Offline)");
    let plain = bounded(client.packages(&portal.product, &portal.sku))
        .await
        .unwrap();
    assert!(!plain.encrypted && !plain.formats.is_empty(), "{plain:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_product_is_a_404_naming_it() {
    let env = Env::start().await;
    let client = env.client();
    let err = bounded(client.product("9NOSUCHAPP00", "0010")).await.unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::StoreRefused {
                reason: SeatRefusal::UnknownApp,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("9NOSUCHAPP00/0010") && text.contains("inventory"),
        "{text}"
    );
    assert!(err.request_id().is_some(), "{err:?}");
    env.assert_clean(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_app_gives_its_offline_license_and_an_online_one_refuses() {
    use base64::Engine as _;
    let env = Env::start().await;
    let client = env.client();
    let portal = env.app("Company Portal (Offline)");
    let packages = bounded(client.packages(&portal.product, &portal.sku))
        .await
        .unwrap();
    assert_eq!(packages.content_ids.len(), 1, "{packages:?}");
    let content = &packages.content_ids[0];
    let license = bounded(client.offline_license(&portal.product, &portal.sku, content))
        .await
        .unwrap();
    assert_eq!(&license.content_id, content);
    assert_eq!(
        license.requestor_id.as_deref(),
        Some(env.sim.credentials().tenant_id.as_str())
    );
    let blob = base64::engine::general_purpose::STANDARD
        .decode(&license.license_blob)
        .unwrap();
    assert!(String::from_utf8(blob).unwrap().contains(&portal.product));

    let to_do = env.app("Microsoft To Do (Online)");
    let online = bounded(client.packages(&to_do.product, &to_do.sku))
        .await
        .unwrap();
    let err = bounded(client.offline_license(&to_do.product, &to_do.sku, &online.content_ids[0]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Not offline"), "{err}");
    assert_eq!(err.detail().map(|d| d.status), Some(409));
    env.assert_clean(&err);
}
