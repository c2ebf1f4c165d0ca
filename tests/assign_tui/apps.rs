//! The Apps workspace by keyboard: an app's seats (Enter), their intent
//! (`t`, R-APP-7), its installs (`I`, R-APP-9) and deployments short of
//! seats (R-APP-6).

use super::*;

/// An app with a pool holding at least `seats` seats, of `license` type.
fn app_with_seats(conn: &Connection, license: &str, seats: i64) -> (i64, i64, String) {
    conn.query_row(
        "SELECT a.id, p.id, a.name FROM apps a JOIN pools p ON p.app_id = a.id \
         WHERE a.license_type = ?1 AND p.consumed >= ?2 AND EXISTS (SELECT 1 FROM assignments s \
           WHERE s.pool_id = p.id AND s.via_group_id IS NULL AND s.state = 'active' AND s.user_id IS NOT NULL) \
         ORDER BY a.id LIMIT 1",
        rusqlite::params![license, seats],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

/// A seat of `pool` held directly by a user (no group reaches it): its UPN.
fn direct_seat(conn: &Connection, pool: i64) -> String {
    conn.query_row(
        "SELECT u.upn FROM assignments s JOIN users u ON u.id = s.user_id WHERE s.pool_id = ?1 \
         AND s.via_group_id IS NULL AND s.state = 'active' ORDER BY s.id LIMIT 1",
        [pool],
        |r| r.get(0),
    )
    .unwrap()
}

/// Presses `t` until the preview offers `wanted` (at most a full cycle).
fn intent_preview(c: &mut Console, wanted: impl Fn(&str) -> bool) -> String {
    for _ in 0..4 {
        c.key(KeyCode::Char('t'));
        if let Overlay::Preview(p) = &c.state.overlay
            && let seats::app::dialogs::Change::SetIntent { intent, .. } = &p.change
            && wanted(intent)
        {
            return intent.clone();
        }
    }
    panic!("no intent wanted in a full cycle: {}", c.screen());
}

fn intent_of(conn: &Connection, seat: i64) -> String {
    conn.query_row("SELECT intent FROM assignments WHERE id = ?1", [seat], |r| {
        r.get(0)
    })
    .unwrap()
}

impl Console {
    /// Apps, filtered to the app `id` (named `name`), selected.
    fn select_app(&mut self, id: i64, name: &str) {
        self.key(KeyCode::Char('2'));
        assert_eq!(self.state.pane, PaneId::Apps);
        self.filter(name);
        while self.state.table().selected_row().map(Row::id) != Some(id) {
            let before = self.state.table().selected;
            self.key(KeyCode::Down);
            assert_ne!(self.state.table().selected, before, "app {name} not listed");
        }
    }

    fn selected_seat(&self) -> (i64, String) {
        match self.state.table().selected_row() {
            Some(Row::Assignee(a)) => (a.id, a.intent.clone()),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn enter_on_an_app_opens_its_seats_and_t_changes_the_intent_with_undo() {
    let mut c = Console::new();
    let (app, pool, name) = app_with_seats(&c.conn, "offline", 2);
    c.select_app(app, &name);
    c.key(KeyCode::Enter);
    assert_eq!(c.state.pane, PaneId::Assignees);
    assert_eq!(c.state.assignees_of.as_ref().map(|p| p.0), Some(pool));
    assert!(c.screen().contains(&format!("Seats of {name}")), "{}", c.screen());
    let (seat, before) = c.selected_seat();
    c.key(KeyCode::Char('t'));
    let first = seats::app::apps::next_intent(&before);
    let screen = c.screen();
    assert!(screen.contains("Change intent"), "{screen}");
    assert!(screen.contains(&format!("sets 1 seat to {first}")), "{screen}");
    assert_eq!(intent_of(&c.conn, seat), before, "the preview changes nothing");
    insta::assert_snapshot!("intent_preview_80x24", screen);
    c.key(KeyCode::Esc);
    // Keep the seat: an intent other than uninstall and than the one it has.
    let chosen = intent_preview(&mut c, |i| i != before && i != "uninstall");
    c.key(KeyCode::Enter);
    assert_eq!(c.state.overlay, Overlay::None, "{}", c.flash());
    assert_eq!(intent_of(&c.conn, seat), chosen);
    assert!(c.flash().contains("intent changed"), "{}", c.flash());
    let audited: i64 = c
        .conn
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'set_intent' AND pool_id = ?1 AND result = 'ok'",
            [pool],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
    c.key(KeyCode::Char('z'));
    c.key(KeyCode::Char('y'));
    assert_eq!(intent_of(&c.conn, seat), before, "undo puts the intent back");
    c.key(KeyCode::Esc);
    assert_eq!(c.state.pane, PaneId::Apps, "Esc goes back to Apps");
}

#[test]
fn uninstall_frees_the_seat_once_no_install_is_reported() {
    let mut c = Console::new();
    let (app, pool, name) = app_with_seats(&c.conn, "offline", 2);
    c.select_app(app, &name);
    c.key(KeyCode::Enter);
    c.filter(&direct_seat(&c.conn, pool));
    let (seat, _) = c.selected_seat();
    let (user, device): (Option<i64>, Option<i64>) = c
        .conn
        .query_row(
            "SELECT user_id, device_id FROM assignments WHERE id = ?1",
            [seat],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // The app is still on the user's device: the seat stays.
    c.conn
        .execute(
            "INSERT INTO installs (app_id, user_id, device_id, state, updated_at) \
             VALUES (?1, ?2, ?3, 'installed', '2026-11-30T00:00:00Z')",
            rusqlite::params![app, user, device],
        )
        .unwrap();
    let consumed = c.pool(&name).consumed;
    intent_preview(&mut c, |i| i == "uninstall");
    assert!(c.screen().contains("frees 0 seats now"), "{}", c.screen());
    c.key(KeyCode::Enter);
    assert_eq!(intent_of(&c.conn, seat), "uninstall");
    assert_eq!(c.pool(&name).consumed, consumed, "installed: the seat is kept");
    // Once the install reports the app removed, the seat can be freed.
    c.conn
        .execute(
            "UPDATE installs SET state = 'not_installed' WHERE app_id = ?1 AND (user_id IS ?2 AND device_id IS ?3)",
            rusqlite::params![app, user, device],
        )
        .unwrap();
    let gone = seats::store::changes::uninstalled_seats(&c.conn, Some(pool)).unwrap();
    assert!(gone.contains(&seat), "{gone:?}");
}

#[test]
fn uninstall_of_an_app_never_installed_frees_the_seat_at_once() {
    let mut c = Console::new();
    let (app, pool, name) = app_with_seats(&c.conn, "offline", 2);
    c.select_app(app, &name);
    c.key(KeyCode::Enter);
    c.filter(&direct_seat(&c.conn, pool));
    let (seat, _) = c.selected_seat();
    c.conn
        .execute("DELETE FROM installs WHERE app_id = ?1", [app])
        .unwrap();
    let consumed = c.pool(&name).consumed;
    intent_preview(&mut c, |i| i == "uninstall");
    assert!(c.screen().contains("frees 1 seat now"), "{}", c.screen());
    c.key(KeyCode::Enter);
    assert_eq!(c.pool(&name).consumed, consumed - 1, "{}", c.flash());
    let left: i64 = c
        .conn
        .query_row("SELECT count(*) FROM assignments WHERE id = ?1", [seat], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(left, 0, "the seat was released");
    // Undo takes back both batches: the release and the intent.
    c.key(KeyCode::Char('z'));
    c.key(KeyCode::Char('y'));
    assert_eq!(c.pool(&name).consumed, consumed, "{}", c.flash());
}

#[test]
fn installs_of_an_app_list_and_filter_by_state() {
    let mut c = Console::new();
    let (app, name, failed, all): (i64, String, i64, i64) = c
        .conn
        .query_row(
            "SELECT a.id, a.name, sum(i.state = 'failed'), count(*) FROM apps a JOIN installs i ON i.app_id = a.id \
             GROUP BY a.id HAVING sum(i.state = 'failed') > 0 ORDER BY a.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    c.select_app(app, &name);
    c.key(KeyCode::Char('I'));
    assert_eq!(c.state.pane, PaneId::Installs);
    assert_eq!(c.state.table().count, Some(all as usize));
    assert!(
        c.screen().contains(&format!("Installs of {name}")),
        "{}",
        c.screen()
    );
    c.filter("state:failed");
    assert_eq!(c.state.table().count, Some(failed as usize));
    assert!(c.screen().contains("✗ failed"), "{}", c.screen());
    c.key(KeyCode::Esc);
    c.key(KeyCode::Esc);
    assert_eq!(c.state.pane, PaneId::Apps);
    // `:installs` lists every app's.
    c.key(KeyCode::Char(':'));
    c.chars("installs");
    c.key(KeyCode::Enter);
    let every: i64 = c
        .conn
        .query_row("SELECT count(*) FROM installs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(c.state.table().count, Some(every as usize));
}

#[test]
fn an_app_short_of_seats_shows_its_failed_deployments_r_app_6() {
    let mut c = Console::new();
    let (app, pool, name) = app_with_seats(&c.conn, "offline", 2);
    // A group member that joined when every seat was used waits without
    // one (the store's CountViolation row, as `add_group_member` writes it).
    c.conn
        .execute(
            "UPDATE assignments SET state_code = 2, error = 'CountViolation' WHERE id = \
             (SELECT id FROM assignments WHERE pool_id = ?1 AND state <> 'error' ORDER BY id LIMIT 1)",
            [pool],
        )
        .unwrap();
    let waiting: i64 = c
        .conn
        .query_row(
            "SELECT count(*) FROM assignments WHERE pool_id = ?1 AND state = 'error'",
            [pool],
            |r| r.get(0),
        )
        .unwrap();
    c.select_app(app, &name);
    let screen = c.screen();
    assert!(screen.contains(&format!("{waiting} no seat")), "{screen}");
    c.key(KeyCode::Char('i'));
    let detail = c.screen();
    assert!(detail.contains("no seat left"), "{detail}");
}

#[test]
fn language_in_connectors_changes_the_store_app_names_language_r_con_1() {
    let mut c = Console::new();
    c.key(KeyCode::Char('3'));
    let (id, name): (i64, String) = c
        .conn
        .query_row(
            "SELECT id, name FROM connectors WHERE kind = 'store_business'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    c.filter("kind:graph");
    c.key(KeyCode::Char(':'));
    c.chars("language de-DE");
    c.key(KeyCode::Enter);
    assert!(
        c.flash().contains("select a Store for Business connector"),
        "{}",
        c.flash()
    );
    c.key(KeyCode::Esc);
    c.filter("kind:store");
    assert_eq!(c.state.table().selected_row().map(Row::id), Some(id));
    c.key(KeyCode::Char(':'));
    c.chars("language de_DE!");
    c.key(KeyCode::Enter);
    assert!(c.screen().contains("is not a language tag"), "{}", c.screen());
    c.key(KeyCode::Enter);
    c.key(KeyCode::Esc);
    c.key(KeyCode::Char(':'));
    c.chars("language de-DE");
    c.key(KeyCode::Enter);
    let screen = c.screen();
    assert!(screen.contains("→ de-DE"), "{screen}");
    assert!(screen.contains("each user's own"), "{screen}");
    c.key(KeyCode::Enter);
    let language: String = c
        .conn
        .query_row("SELECT language FROM connectors WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(language, "de-DE");
    assert!(
        c.flash().contains(&format!("{name}: app names in de-DE")),
        "{}",
        c.flash()
    );
    let audited: i64 = c
        .conn
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'connector_language' AND detail LIKE '%de-DE%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
}

#[test]
fn p_switches_an_offline_app_between_per_user_and_per_device_install_r_app_4() {
    let mut c = Console::new();
    let (app, _, name) = app_with_seats(&c.conn, "offline", 1);
    let scope = |c: &Console| -> Option<String> {
        c.conn
            .query_row("SELECT install_scope FROM apps WHERE id = ?1", [app], |r| {
                r.get(0)
            })
            .unwrap()
    };
    let before = scope(&c).unwrap_or_else(|| "user".into());
    let after = if before == "device" { "user" } else { "device" };
    c.select_app(app, &name);
    c.key(KeyCode::Char('p'));
    let screen = c.screen();
    assert!(
        screen.contains(&format!("installs per {before} → per {after}")),
        "{screen}"
    );
    c.key(KeyCode::Enter);
    assert_eq!(scope(&c).as_deref(), Some(after));
    assert!(
        c.flash().contains(&format!("installs per {after}")),
        "{}",
        c.flash()
    );
    // The console's reader notices the write (it polls the cache's version).
    c.send(Msg::Worker(seats::app::WorkerEvent::DataChanged));
    c.key(KeyCode::Char('i'));
    assert!(
        c.screen()
            .contains(&format!("deployed by your device management, per {after}")),
        "{}",
        c.screen()
    );
    c.key(KeyCode::Esc);
    // An online app has no such choice: refused at the key, saying why.
    let (online, _, online_name) = app_with_seats(&c.conn, "online", 1);
    c.key(KeyCode::Esc);
    c.select_app(online, &online_name);
    c.key(KeyCode::Char('p'));
    assert_eq!(c.state.overlay, Overlay::None);
    assert!(c.flash().contains("only offline apps"), "{}", c.flash());
    let audited: i64 = c
        .conn
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'app_install_scope' AND result = 'ok'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
}

#[test]
fn the_seats_of_an_apple_app_filter_those_who_have_not_accepted_r_app_8() {
    let mut c = Console::new();
    let (app, pool, name) = app_with_seats(&c.conn, "vpp", 2);
    let not_accepted: i64 = c
        .conn
        .query_row(
            "SELECT count(*) FROM assignments WHERE pool_id = ?1 AND coalesce(invitation, '') <> 'accepted'",
            [pool],
            |r| r.get(0),
        )
        .unwrap();
    assert!(not_accepted > 0, "the demo has invitations waiting");
    c.select_app(app, &name);
    c.key(KeyCode::Enter);
    assert!(c.screen().contains("Invite"), "{}", c.screen());
    c.filter("!invite:accepted");
    assert_eq!(c.state.table().count, Some(not_accepted as usize));
}

#[test]
fn n_in_connectors_fills_in_the_linked_apple_connector_for_a_renewal() {
    let mut c = Console::new();
    // As after its first sync: bound to the organization's location.
    c.conn
        .execute(
            "UPDATE connectors SET account = 'Contoso', apple_id = coalesce(apple_id, 'vpp@contoso.example') \
             WHERE kind = 'apple_vpp' AND enabled = 1",
            [],
        )
        .unwrap();
    c.key(KeyCode::Char('3'));
    let (name, apple_id): (String, Option<String>) = c
        .conn
        .query_row(
            "SELECT name, apple_id FROM connectors WHERE kind = 'apple_vpp' AND enabled = 1 AND account IS NOT NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    c.key(KeyCode::Char('n'));
    match &c.state.overlay {
        Overlay::Link(link) => {
            let values = link.values();
            assert_eq!(values[0], name);
            assert_eq!(values[1], apple_id.unwrap_or_default());
            assert_eq!(link.focus, 2, "the token file is what a renewal needs");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn t_and_a_in_apps_say_where_seats_and_their_intent_are_changed() {
    let mut c = Console::new();
    let (app, _, name) = app_with_seats(&c.conn, "offline", 1);
    c.select_app(app, &name);
    c.key(KeyCode::Char('t'));
    assert!(
        c.flash().contains("Enter opens the app's seats, then t"),
        "{}",
        c.flash()
    );
    c.key(KeyCode::Char('a'));
    assert!(
        c.flash().contains("store apps arrive only by sync"),
        "{}",
        c.flash()
    );
    assert!(
        c.flash().contains("Enter opens the app's seats, then a assigns"),
        "{}",
        c.flash()
    );
}

/// `y` on an invited user's seat copies the Apple invitation link with OSC 52
/// and says so without the link; a terminal without OSC 52 is told, and so
/// is a seat with no open invitation (issue 8 polish, R-APP-8).
#[test]
fn y_copies_an_invited_users_link_with_osc_52_r_app_8() {
    let mut c = Console::new();
    let (app, pool, name) = app_with_seats(&c.conn, "vpp", 2);
    let (user, upn): (i64, String) = c
        .conn
        .query_row(
            "SELECT u.id, u.upn FROM assignments s JOIN users u ON u.id = s.user_id \
             WHERE s.pool_id = ?1 AND s.invitation = 'invited' ORDER BY s.id LIMIT 1",
            [pool],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let url = "https://vpp.itunes.apple.com/invitation/0123456789abcdef";
    c.conn
        .execute(
            "INSERT INTO apple_users (connector_id, user_id, client_user_id, status, invite_url) \
             SELECT connector_id, ?1, 'seats:' || ?2, 'Registered', ?3 FROM pools WHERE id = ?4",
            rusqlite::params![user, upn, url, pool],
        )
        .unwrap();
    c.select_app(app, &name);
    c.key(KeyCode::Enter);
    c.filter(&format!("\"{upn}\""));
    assert!(matches!(c.state.table().selected_row(), Some(Row::Assignee(a)) if a.principal == upn));
    let y = || Msg::Key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE));
    c.state.clipboard = true;
    let commands = update(&mut c.state, y());
    assert!(
        matches!(commands.as_slice(), [seats::app::Command::Copy(sent)] if sent == url),
        "{commands:?}"
    );
    assert_eq!(c.flash(), "sent the invitation link to the clipboard with OSC 52");
    c.state.clipboard = false;
    let commands = update(&mut c.state, y());
    assert!(commands.is_empty(), "{commands:?}");
    assert!(c.flash().contains("takes no OSC 52"), "{}", c.flash());
    assert!(c.flash().contains("i shows"), "{}", c.flash());
    c.state.end_burst();
    c.key(KeyCode::Esc);
    c.filter("invite:accepted");
    c.state.clipboard = true;
    assert!(update(&mut c.state, y()).is_empty());
    assert!(c.flash().contains("no link to copy"), "{}", c.flash());
}

/// `p` is an undoable batch like the seat changes: the message offers z,
/// z previews the scope going back, and y puts it back, audited (issue 8
/// polish, R-APP-4).
#[test]
fn z_undoes_p_and_its_preview_names_the_scope_r_app_4() {
    let mut c = Console::new();
    let (app, _, name) = app_with_seats(&c.conn, "offline", 1);
    let scope = |c: &Console| -> Option<String> {
        c.conn
            .query_row("SELECT install_scope FROM apps WHERE id = ?1", [app], |r| {
                r.get(0)
            })
            .unwrap()
    };
    let before = scope(&c);
    let was = before.clone().unwrap_or_else(|| "user".into());
    let after = if was == "device" { "user" } else { "device" };
    c.select_app(app, &name);
    c.key(KeyCode::Char('p'));
    c.key(KeyCode::Enter);
    assert_eq!(scope(&c).as_deref(), Some(after));
    assert!(c.flash().contains("(z undoes)"), "{}", c.flash());
    c.key(KeyCode::Char('z'));
    let preview = c.screen();
    assert!(
        preview.contains(&format!("installs per {after} → back to per {was}")),
        "{preview}"
    );
    assert_eq!(scope(&c).as_deref(), Some(after), "the preview changes nothing");
    c.key(KeyCode::Char('y'));
    assert_eq!(scope(&c), before, "{}", c.flash());
    assert!(c.flash().contains(&format!("back to per {was}")), "{}", c.flash());
    let undone: i64 = c
        .conn
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'undo' AND json_extract(detail, '$.install_scope') \
             IS ?1",
            [before.as_deref()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(undone, 1);
    // One audit row for the undo, naming the app's pool, as p's row does.
    let rows: Vec<(String, Option<String>)> = c
        .conn
        .prepare(
            "SELECT action, pool_name FROM audit WHERE batch_id IN (SELECT id FROM batches \
             WHERE action IN ('app_install_scope', 'undo')) ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let pool: String = c
        .conn
        .query_row("SELECT name FROM pools WHERE app_id = ?1", [app], |r| r.get(0))
        .unwrap();
    assert_eq!(
        rows,
        vec![
            ("app_install_scope".to_owned(), Some(pool.clone())),
            ("undo".to_owned(), Some(pool))
        ]
    );
    c.key(KeyCode::Char('z'));
    assert!(c.flash().contains("nothing to undo"), "{}", c.flash());
}

/// `i` on an invited user's seat shows the Apple link on one line, cut in
/// the middle when wider than the dialog (a mouse selection over SSH copies
/// a wrapped link with its line breaks), and says that y copies it whole
/// (review polish, R-APP-8).
#[test]
fn i_shows_the_invitation_link_on_one_line_r_app_8() {
    let mut c = Console::new();
    let (app, pool, name) = app_with_seats(&c.conn, "vpp", 2);
    let (user, upn): (i64, String) = c
        .conn
        .query_row(
            "SELECT u.id, u.upn FROM assignments s JOIN users u ON u.id = s.user_id \
             WHERE s.pool_id = ?1 AND s.invitation = 'invited' ORDER BY s.id LIMIT 1",
            [pool],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // As long as Apple's: wider than the dialog at 80 columns.
    let url = "https://buy.itunes.apple.com/WebObjects/MZFinance.woa/wa/associateVPPUserWithITSAccount\
               ?cc=us&inviteCode=0123456789abcdef0123456789abcdef&mt=8";
    c.conn
        .execute(
            "INSERT INTO apple_users (connector_id, user_id, client_user_id, status, invite_url) \
             SELECT connector_id, ?1, 'seats:' || ?2, 'Registered', ?3 FROM pools WHERE id = ?4",
            rusqlite::params![user, upn, url, pool],
        )
        .unwrap();
    c.select_app(app, &name);
    c.key(KeyCode::Enter);
    c.filter(&format!("\"{upn}\""));
    c.key(KeyCode::Char('i'));
    assert!(matches!(c.state.overlay, Overlay::Detail { .. }));
    let screen = c.screen();
    let link: Vec<&str> = screen.lines().filter(|l| l.contains("https://")).collect();
    assert_eq!(link.len(), 1, "{screen}");
    assert!(
        link[0].contains('…') && link[0].contains("&mt=8"),
        "cut in the middle: {screen}"
    );
    assert!(
        !screen.contains("inviteCode=0123456789abcdef0123456789abcdef"),
        "{screen}"
    );
    assert!(screen.contains("y copies the link"), "{screen}");

    // The width it names shows the whole link on its line, one less does not.
    let needed: u16 = screen
        .split("(cut to fit: a terminal ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("says the width that shows it whole: {screen}"));
    c.send(Msg::Resize(needed, 30));
    let screen = c.screen();
    assert!(screen.lines().any(|l| l.contains(url)), "{screen}");
    assert!(!screen.contains("cut to fit"), "{screen}");
    c.send(Msg::Resize(needed - 1, 30));
    assert!(!c.screen().lines().any(|l| l.contains(url)));

    // y there does what the dialog says: the link goes, and it closes.
    c.state.clipboard = true;
    let y = Msg::Key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE));
    let commands = update(&mut c.state, y);
    assert!(
        matches!(commands.as_slice(), [seats::app::Command::Copy(sent)] if sent == url),
        "{commands:?}"
    );
    assert_eq!(c.state.overlay, Overlay::None);
    assert_eq!(c.flash(), "sent the invitation link to the clipboard with OSC 52");
}
