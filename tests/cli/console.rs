//! The console in a real terminal (tmux) where the cache file matters: the
//! first run, `--init`, a file read-only for the user, a file others may
//! read, and where the demo went.

use std::time::Duration;

use rusqlite::Connection;

use crate::common::tmux::{EXITED, Tmux};
use crate::common::{me, text};
use crate::{build_demo, mode, seats};

const LIMIT: Duration = Duration::from_secs(20);

/// The last row of the screen.
fn status_bar(screen: &str) -> &str {
    screen.lines().nth(23).unwrap_or("")
}

#[test]
fn the_first_run_creates_the_default_cache_privately_and_its_creator_is_global_admin() {
    let home = tempfile::tempdir().unwrap();
    let Some(tmux) = Tmux::run("first", home.path(), &[env!("CARGO_BIN_EXE_seats")]) else {
        return;
    };
    let screen = tmux.wait_for("│ global", LIMIT);
    assert!(status_bar(&screen).starts_with(" no tenant │"), "{screen}");
    let data = home.path().join("data/seats");
    assert_eq!(mode(&data), 0o700);
    // The console holds it open: the -wal and -shm exist, as private as the cache.
    for name in ["seats.db", "seats.db-wal", "seats.db-shm"] {
        assert_eq!(mode(&data.join(name)), 0o600, "{name}");
    }
    let after = tmux.quit(LIMIT);
    assert!(after.contains(&format!("{EXITED}0")), "{after}");
    let admins = seats(home.path(), &["admins", "list"]);
    assert!(
        text(&admins.stdout)
            .lines()
            .nth(1)
            .unwrap()
            .starts_with(&format!("{} ", me()))
    );
}

#[test]
fn init_creates_a_named_cache_and_opens_the_console_on_it() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("new.db");
    let args = [
        env!("CARGO_BIN_EXE_seats"),
        "--db",
        db.to_str().unwrap(),
        "--init",
    ];
    let Some(tmux) = Tmux::run("init", home.path(), &args) else {
        return;
    };
    tmux.wait_for("│ global", LIMIT);
    assert_eq!(mode(&db), 0o600);
    assert!(tmux.quit(LIMIT).contains(&format!("{EXITED}0")));
}

#[test]
fn the_demo_says_where_its_cache_is_once_the_console_has_closed() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("d.db");
    build_demo(home.path(), &db);
    let args = [env!("CARGO_BIN_EXE_seats"), "demo", "--db", db.to_str().unwrap()];
    let Some(tmux) = Tmux::run("demo", home.path(), &args) else {
        return;
    };
    let screen = tmux.wait_for("Adatum Sign", LIMIT);
    assert!(
        !screen.contains("the demo tenant is in"),
        "not over the console:\n{screen}"
    );
    let after = tmux.quit(LIMIT);
    assert!(
        after.contains(&format!("the demo tenant is in {}", db.display())),
        "{after}"
    );
}

#[test]
fn a_warning_about_a_readable_cache_shows_in_the_hint_line_and_after_the_console() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("d.db");
    build_demo(home.path(), &db);
    std::fs::set_permissions(&db, std::os::unix::fs::PermissionsExt::from_mode(0o640)).unwrap();
    let args = [env!("CARGO_BIN_EXE_seats"), "--db", db.to_str().unwrap()];
    let Some(tmux) = Tmux::run("warn", home.path(), &args) else {
        return;
    };
    let screen = tmux.wait_for("(mode 0640); fix: chmod 600", LIMIT);
    let hint = screen.lines().nth(22).unwrap_or("");
    assert!(
        hint.contains("others can read this cache"),
        "in the hint line:\n{screen}"
    );
    let after = tmux.quit(LIMIT);
    assert!(
        after.contains(&format!("to keep it to yourself: chmod 600 {}", db.display())),
        "{after}"
    );
}

#[test]
fn a_cache_read_only_for_the_user_is_browsed_and_shows_a_writers_changes() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("shared");
    std::fs::create_dir(&dir).unwrap();
    let db = dir.join("d.db");
    build_demo(home.path(), &db);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    if !can_switch_user() {
        return;
    }
    let own = home.path().join("nobody");
    std::fs::create_dir(&own).unwrap();
    std::fs::set_permissions(&own, std::fs::Permissions::from_mode(0o777)).unwrap();
    let args = [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        env!("CARGO_BIN_EXE_seats"),
        "--db",
        db.to_str().unwrap(),
    ];
    let Some(tmux) = Tmux::run("readonly", &own, &args) else {
        return;
    };
    let screen = tmux.wait_for("Adatum Sign", LIMIT);
    assert!(
        status_bar(&screen).contains("│ READ-ONLY (file read-only for you)"),
        "{screen}"
    );
    tmux.keys(&["a"]);
    tmux.wait_for("the cache file is read-only for you", LIMIT);
    // The owner changes the file in a short write (like `seats assign`,
    // which leaves no -wal behind): the reader sees it.
    let rename = "UPDATE pools SET name = ?1 WHERE id = (SELECT id FROM pools ORDER BY name LIMIT 1)";
    Connection::open(&db)
        .unwrap()
        .execute(rename, ["AAA Renamed Pool"])
        .unwrap();
    tmux.wait_for("AAA Renamed Pool", LIMIT);
    // The owner opens the cache and keeps it open (like a console), with a
    // commit still in the -wal: the reader sees that too.
    let owner = Connection::open(&db).unwrap();
    owner.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    owner.execute(rename, ["AAA Renamed Again"]).unwrap();
    tmux.wait_for("AAA Renamed Again", LIMIT);
    assert!(tmux.quit(LIMIT).contains(&format!("{EXITED}0")));
}

/// Whether this test may run a command as another user (root and setpriv).
fn can_switch_user() -> bool {
    let possible = me() == "root"
        && std::process::Command::new("setpriv")
            .arg("--version")
            .output()
            .is_ok();
    if !possible {
        eprintln!("skipped: running the console as another user needs root and setpriv");
    }
    possible
}
