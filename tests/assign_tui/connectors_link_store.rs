//! `n` on the Store row of Connectors (issue 8 review, B6; R-CON-1,
//! R-CON-2): the Store for Business account form opens (Ctrl-t switches to
//! the Apple token's and back), with `seats connect store`'s defaults; its
//! values go to the worker's `link_store` — the code `seats connect store`
//! runs — here against a simulator served by the test process. A refusal
//! keeps the dialog open with the reason; another store account is refused
//! for good.

use std::os::unix::fs::PermissionsExt;

use seats::app::link::{LinkKind, LinkStep};
use seats::app::{Command, WorkerEvent};
use seats::sim::{SimConfig, SimHandle, Simulator};
use seats::worker::link_store::{StoreLink, link_store};

use super::*;

/// A simulator of seed `seed` and a private file with its secret.
fn simulator(runtime: &tokio::runtime::Runtime, dir: &std::path::Path, seed: u64) -> (SimHandle, String) {
    let mut config = SimConfig::new(dir.join(format!("sim{seed}.db")), 60);
    config.seed = seed;
    let sim = Simulator::start(config, runtime.handle()).unwrap();
    let secret = dir.join(format!("store{seed}.secret"));
    std::fs::write(&secret, &sim.credentials().client_secret).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    (sim, secret.to_str().unwrap().to_owned())
}

impl Console {
    fn link_kind(&self) -> Option<(LinkKind, LinkStep)> {
        match &self.state.overlay {
            Overlay::Link(link) => Some((link.kind, link.step)),
            _ => None,
        }
    }

    /// Replaces the focused field's text.
    fn retype(&mut self, text: &str) {
        self.ctrl('u');
        self.chars(text);
    }

    /// Fills the Store form (focus on Tenant ID) for `sim`.
    fn fill_store(&mut self, sim: &SimHandle, secret: &str) {
        self.retype(&sim.credentials().tenant_id);
        self.key(KeyCode::Tab);
        self.retype(&sim.credentials().client_id);
        self.key(KeyCode::Tab);
        self.retype(secret);
        self.key(KeyCode::Tab); // the language: en-US by default
        self.key(KeyCode::Tab);
        self.retype(&sim.store_url());
        self.key(KeyCode::Tab);
        self.retype(sim.login_url());
    }

    /// Enter on the form: the worker links what it sends, and its answer
    /// comes back as the console's worker would send it.
    fn link(&mut self) {
        let commands = update(
            &mut self.state,
            Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        );
        let Some(Command::LinkStore {
            name,
            tenant_id,
            client_id,
            secret_file,
            language,
            api_url,
            login_url,
        }) = commands
            .into_iter()
            .find(|c| matches!(c, Command::LinkStore { .. }))
        else {
            panic!("Enter asks the worker to link: {}", self.screen());
        };
        assert_eq!(self.link_kind(), Some((LinkKind::Store, LinkStep::Checking)));
        assert!(
            self.screen().contains("checking the credentials"),
            "{}",
            self.screen()
        );
        let link = StoreLink {
            name,
            tenant_id,
            client_id,
            secret_file: Some(secret_file.into()),
            language,
            api_url,
            login_url,
            interval_minutes: 720,
        };
        let outcome = link_store(&self.path, common::ACTOR, &link).map_err(|err| err.message);
        self.send(Msg::Worker(WorkerEvent::Linked(outcome)));
    }
}

#[test]
fn n_on_the_store_row_links_a_store_account_and_refuses_another_r_con_1_r_con_2() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (sim, secret) = simulator(&runtime, dir.path(), 7);
    let mut c = Console::new();
    c.key(KeyCode::Char('3'));
    c.filter("kind:store");
    c.key(KeyCode::Char('n'));
    assert_eq!(c.link_kind(), Some((LinkKind::Store, LinkStep::Form)));
    let form = c.screen();
    assert!(form.contains("Link a Store for Business account"), "{form}");
    for field in ["Tenant ID", "Client ID", "Secret file", "en-US", "Login URL"] {
        assert!(form.contains(field), "{field}: {form}");
    }
    c.ctrl('t');
    assert_eq!(c.link_kind(), Some((LinkKind::Apple, LinkStep::Form)));
    assert!(c.screen().contains("Link an Apple Apps and Books token"));
    c.ctrl('t');
    assert_eq!(c.link_kind(), Some((LinkKind::Store, LinkStep::Form)));

    c.key(KeyCode::Enter);
    assert!(c.screen().contains("Tenant ID is needed"), "{}", c.screen());
    c.fill_store(&sim, &secret);
    // The demo's store connector holds the prefilled name: refused, and the
    // dialog stays open with the reason, the values kept.
    c.link();
    assert_eq!(c.link_kind(), Some((LinkKind::Store, LinkStep::Form)));
    assert!(c.screen().contains("exists already"), "{}", c.screen());
    for _ in 0..6 {
        c.key(KeyCode::BackTab);
    }
    c.retype("Contoso Store");
    c.link();
    assert_eq!(c.state.overlay, Overlay::None, "{}", c.screen());
    assert!(
        c.flash().contains("\"Contoso Store\" linked") && c.flash().contains("r syncs it now"),
        "{}",
        c.flash()
    );
    let stored: (String, String, String) = c
        .conn
        .query_row(
            "SELECT tenant_id, language, secret_ref FROM connectors WHERE name = 'Contoso Store'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        stored,
        (
            sim.credentials().tenant_id.clone(),
            "en-US".into(),
            secret.clone()
        )
    );

    // Another store account: refused for good, nothing stored (R-CON-2).
    let (other, other_secret) = simulator(&runtime, dir.path(), 8);
    c.key(KeyCode::Char('n'));
    assert_eq!(c.link_kind(), Some((LinkKind::Store, LinkStep::Form)));
    c.fill_store(&other, &other_secret);
    for _ in 0..6 {
        c.key(KeyCode::BackTab);
    }
    c.retype("Fabrikam Store");
    c.link();
    assert_eq!(c.link_kind(), Some((LinkKind::Store, LinkStep::Form)));
    let Overlay::Link(link) = &c.state.overlay else {
        panic!("the dialog stays open")
    };
    let reason = link.error.clone().unwrap_or_default();
    assert!(
        reason.contains("can't be moved to another one (R-CON-2)"),
        "{reason}"
    );
    assert!(
        c.screen().contains("nothing was stored"),
        "the reason shows whole: {}",
        c.screen()
    );
    let stores: i64 = c
        .conn
        .query_row(
            "SELECT count(*) FROM connectors WHERE kind = 'store_business' AND tenant_id IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stores, 1);

    // Turning the linked one off does not free the organization either.
    c.key(KeyCode::Esc);
    c.key(KeyCode::Char('/'));
    c.ctrl('u');
    c.chars("Contoso");
    c.key(KeyCode::Enter);
    c.key(KeyCode::Char(':'));
    c.chars("disable");
    c.key(KeyCode::Enter);
    c.key(KeyCode::Enter);
    assert!(c.flash().contains("Contoso Store disabled"), "{}", c.flash());
    c.send(Msg::Worker(WorkerEvent::DataChanged));
    c.key(KeyCode::Char('n'));
    c.fill_store(&other, &other_secret);
    c.link();
    assert_eq!(
        c.link_kind(),
        Some((LinkKind::Store, LinkStep::Form)),
        "{}",
        c.screen()
    );
    assert!(c.screen().contains("nothing was stored"), "{}", c.screen());
}
