//! The real binary in a real terminal (tmux, 80x24): visit the four panes,
//! filter, open help, quit, and check that the terminal is restored.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of its own (its own socket), killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn available() -> bool {
        Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    fn start(name: &str, home: &Path) -> Tmux {
        let tmux = Tmux {
            socket: format!("seats-{name}-{}", std::process::id()),
        };
        let status = Command::new("tmux")
            .args([
                "-L",
                &tmux.socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "t",
                "-x",
                "80",
                "-y",
                "24",
            ])
            .args(["env", "-i"])
            .arg(format!("HOME={}", home.display()))
            .arg(format!("PATH={}", std::env::var("PATH").unwrap_or_default()))
            .args([
                "TERM=xterm-256color",
                "USER=tester",
                "PS1=$ ",
                "bash",
                "--norc",
                "--noprofile",
            ])
            .status()
            .unwrap();
        assert!(status.success(), "tmux could not start");
        tmux
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    fn literal(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "t", "-l", text]);
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t"])
    }

    /// Waits (bounded) until the screen shows `text`.
    fn wait_for(&self, text: &str, limit: Duration) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < limit,
                "waited {limit:?} for {text:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits (bounded) until the console has left the alternate screen, so
    /// what is typed next goes to the shell.
    fn wait_for_shell(&self, limit: Duration) {
        let start = Instant::now();
        // Typing before the console has exited would feed its input thread.
        while self.alternate_screen_on() || self.foreground() != "bash" {
            assert!(
                start.elapsed() < limit,
                "still in the console after {limit:?}:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The program in the foreground of the pane.
    fn foreground(&self) -> String {
        self.tmux(&["display-message", "-p", "-t", "t", "#{pane_current_command}"])
            .trim()
            .to_owned()
    }

    fn alternate_screen_on(&self) -> bool {
        self.tmux(&["display-message", "-p", "-t", "t", "#{alternate_on}"])
            .trim()
            == "1"
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

fn tmux_or_skip() -> bool {
    if Tmux::available() {
        return true;
    }
    // CI installs tmux (.ci/run); a bare machine with only Rust skips this test.
    assert!(std::env::var_os("CI").is_none(), "tmux is required on CI");
    eprintln!("tmux not found: skipping the terminal end-to-end test");
    false
}

#[test]
fn console_in_tmux_visits_panes_filters_helps_quits_and_restores_the_terminal() {
    if !tmux_or_skip() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("demo.db");
    let tmux = Tmux::start("e2e", home.path());
    tmux.literal(&format!(
        "{} demo --users 400 --db {}",
        env!("CARGO_BIN_EXE_seats"),
        db.display()
    ));
    tmux.keys(&["Enter"]);
    let long = Duration::from_secs(30);
    tmux.wait_for("1 Licenses", long);
    let screen = tmux.wait_for("Adobe Acrobat", long);
    assert!(
        tmux.alternate_screen_on(),
        "the console uses the alternate screen"
    );
    assert!(screen.contains("Detail"), "{screen}");

    for (key, title) in [
        ("2", " Apps "),
        ("3", " Connectors "),
        ("4", " Agreements "),
        ("1", " Licenses "),
    ] {
        tmux.keys(&[key]);
        let screen = tmux.wait_for(&format!("┌{title}"), long);
        assert!(!screen.contains("loading…") || screen.contains(title), "{screen}");
    }
    tmux.keys(&["Tab"]);
    tmux.wait_for("┌ Apps ", long);
    tmux.keys(&["BTab"]);
    tmux.wait_for("┌ Licenses ", long);

    tmux.keys(&["/"]);
    tmux.literal("keynote");
    tmux.wait_for("/keynote", long);
    let filtered = tmux.wait_for("Keynote", long);
    assert!(
        !filtered.contains("Adobe Acrobat"),
        "filter hides other pools:\n{filtered}"
    );
    // Esc clears the filter; the selection stays on the pool it was on.
    tmux.keys(&["Escape"]);
    let all = tmux.wait_for("/46 · sort", long);
    assert!(all.contains("Pool       Keynote"), "{all}");

    tmux.keys(&["?"]);
    let help = tmux.wait_for("Keys · Licenses", long);
    assert!(help.contains("quit"), "{help}");
    for _ in 0..12 {
        tmux.keys(&["j"]);
    }
    tmux.wait_for("filter rows", long);
    tmux.keys(&["Escape"]);

    // Esc Esc in one burst is two Escapes: the first closes the help, the
    // second clears the filter (a parser that reads ESC ESC as one key
    // leaves the filter on).
    tmux.keys(&["/"]);
    tmux.literal("keynote");
    tmux.keys(&["Enter"]);
    tmux.wait_for("/keynote", long);
    tmux.keys(&["?"]);
    tmux.wait_for("Keys · Licenses", long);
    tmux.keys(&["Escape", "Escape"]);
    let cleared = tmux.wait_for("/46 · sort", long);
    assert!(!cleared.contains("/keynote"), "{cleared}");
    // Esc then `:` in one burst (the bytes of Alt-:) opens the palette.
    tmux.keys(&["?"]);
    tmux.wait_for("Keys · Licenses", long);
    tmux.keys(&["Escape", ":"]);
    tmux.wait_for("Tab completes · Enter runs", long);
    tmux.keys(&["Escape"]);

    tmux.keys(&["q"]);
    tmux.wait_for_shell(long);

    tmux.literal("echo restored-$((40+2))");
    tmux.keys(&["Enter"]);
    tmux.wait_for("restored-42", long);
    assert!(
        !tmux.alternate_screen_on(),
        "the alternate screen is off after quitting"
    );
    tmux.literal("stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo | tr '\\n' ' '; echo");
    tmux.keys(&["Enter"]);
    tmux.wait_for("icanon echo", long);
}

#[test]
fn ctrl_c_quits_and_restores_the_terminal() {
    if !tmux_or_skip() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("demo.db");
    let tmux = Tmux::start("ctrlc", home.path());
    tmux.literal(&format!(
        "{} demo --users 100 --db {}",
        env!("CARGO_BIN_EXE_seats"),
        db.display()
    ));
    tmux.keys(&["Enter"]);
    tmux.wait_for("1 Licenses", Duration::from_secs(30));
    tmux.keys(&["C-c"]);
    tmux.wait_for_shell(Duration::from_secs(10));
    tmux.literal("echo back-$((1+1))");
    tmux.keys(&["Enter"]);
    tmux.wait_for("back-2", Duration::from_secs(10));
    assert!(!tmux.alternate_screen_on());
}

/// Runs a headless seats command and parses its JSON output.
fn seats_json(db: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_seats"))
        .args(args)
        .arg("--db")
        .arg(db)
        .args(["--format", "json"])
        .env("USER", "tester")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn assigning_by_keyboard_changes_the_figures_here_and_in_a_second_console() {
    if !tmux_or_skip() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("demo.db");
    let built = Command::new(env!("CARGO_BIN_EXE_seats"))
        .args(["demo", "--users", "300", "--no-open", "--db"])
        .arg(&db)
        .env("USER", "tester")
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let pools = seats_json(&db, &["pools"]);
    let pool = pools
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "m365" && p["available"].as_i64().is_some_and(|a| a > 2))
        .unwrap();
    let (pool_id, name, used) = (
        pool["id"].as_i64().unwrap(),
        pool["name"].as_str().unwrap(),
        pool["consumed"].as_i64().unwrap(),
    );
    let users = seats_json(&db, &["users"]);
    let upn = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| {
            u["enabled"] == true
                && !u["pools"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p.as_i64() == Some(pool_id))
        })
        .map(|u| u["upn"].as_str().unwrap().to_owned())
        .unwrap();

    let long = Duration::from_secs(30);
    let watcher = Tmux::start("watch", home.path());
    let admin = Tmux::start("admin", home.path());
    for console in [&watcher, &admin] {
        console.literal(&format!("{} --db {}", env!("CARGO_BIN_EXE_seats"), db.display()));
        console.keys(&["Enter"]);
        console.wait_for("1 Licenses", long);
        console.keys(&["/"]);
        console.literal(name);
        console.keys(&["Enter"]);
        console.wait_for("1/1 · sort", long);
    }
    // The detail panel of the one row the filter leaves: "N total / U used".
    let figures = |used: i64| format!("/ {used} used /");
    assert!(watcher.screen().contains(&figures(used)), "{}", watcher.screen());

    admin.keys(&["a"]);
    admin.wait_for(&format!("Assign {name} to"), long);
    // Pasted with a line break after it (as copied from a list): the paste
    // is search text only, the line break does not open the preview.
    admin.tmux(&["set-buffer", &format!("{upn}\n")]);
    admin.tmux(&["paste-buffer", "-p", "-t", "t"]);
    let found = admin.wait_for("1 match ·", long);
    assert!(!found.contains("+1 seat"), "the paste pressed no Enter:\n{found}");
    admin.keys(&["Tab"]);
    admin.wait_for("1 marked", long);
    admin.keys(&["Enter"]);
    admin.wait_for("+1 seat", long);
    admin.keys(&["Enter"]);
    admin.wait_for(&format!("consumed {used} → {}", used + 1), long);
    let after = figures(used + 1);
    admin.wait_for(&after, long);
    // The other console notices the change through the cache within a second
    // or so; the bound here is generous for a loaded machine.
    let seen = watcher.wait_for(&after, Duration::from_secs(10));
    assert!(!seen.contains(&figures(used)), "{seen}");
    admin.keys(&["q"]);
    watcher.keys(&["q"]);
}

#[test]
fn a_panic_restores_the_terminal_and_says_what_happened() {
    if !tmux_or_skip() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("demo.db");
    let tmux = Tmux::start("panic", home.path());
    tmux.literal(&format!(
        "SEATS_TEST_PANIC_KEY=% {} demo --users 100 --db {}",
        env!("CARGO_BIN_EXE_seats"),
        db.display()
    ));
    tmux.keys(&["Enter"]);
    tmux.wait_for("1 Licenses", Duration::from_secs(30));
    tmux.literal("%");
    tmux.wait_for_shell(Duration::from_secs(10));
    let screen = tmux.wait_for("panicked", Duration::from_secs(10));
    assert!(screen.contains("SEATS_TEST_PANIC_KEY"), "{screen}");
    tmux.literal("stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo | tr '\\n' ' '; echo");
    tmux.keys(&["Enter"]);
    tmux.wait_for("icanon echo", Duration::from_secs(10));
}

#[path = "console_sync/world.rs"]
mod world;

/// The OS user running the tests: the console's actor.
fn os_user() -> String {
    let out = Command::new("id").arg("-un").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn r_in_connectors_syncs_from_the_simulator_with_a_gauge_and_the_new_figures_show() {
    if !tmux_or_skip() {
        return;
    }
    // The demo's Graph connector points at a simulator this test runs; the
    // source sold 7 more seats of a pool since the cache last looked.
    let world = world::World::start(&os_user(), chrono::Utc::now());
    let (_, name, part, total) = world.roomy_graph_pool();
    let bought = world.buy_at_source(&part, 7);
    assert_eq!(bought, total + 7);
    // Slow enough to watch the sync go by.
    world.slow(250);
    let home = tempfile::tempdir().unwrap();
    let tmux = Tmux::start("sync", home.path());
    tmux.literal(&format!(
        "{} --db {}",
        env!("CARGO_BIN_EXE_seats"),
        world.path.display()
    ));
    tmux.keys(&["Enter"]);
    let long = Duration::from_secs(60);
    tmux.wait_for("1 Licenses", long);
    tmux.keys(&["3"]);
    tmux.wait_for("┌ Connectors ", long);
    tmux.keys(&["/"]);
    tmux.literal("microsoft graph");
    tmux.keys(&["Enter"]);
    let before = tmux.wait_for("1/1 · sort", long);
    assert!(
        before.contains("? never"),
        "the demo's Graph connector has not synced yet:\n{before}"
    );

    tmux.keys(&["r"]);
    tmux.wait_for("syncing Microsoft Graph", long);
    // The detail's gauge, then the stage it is on (users page by page,
    // then each group's members).
    tmux.wait_for("↻ syncing [", long);
    let members = tmux.wait_for("members of", long);
    assert!(members.contains("syncing Microsoft Graph"), "{members}");
    let done = tmux.wait_for("full sync done", long);
    assert!(!done.contains("syncing Microsoft Graph"), "{done}");
    let fresh = tmux.wait_for("✓ ok", long);
    assert!(
        fresh
            .lines()
            .any(|l| l.starts_with("│Last sync ") && l.contains("s ago")),
        "a last sync seconds ago:\n{fresh}"
    );

    // Licenses shows the seats the source now has.
    tmux.keys(&["1"]);
    tmux.wait_for("┌ Licenses ", long);
    tmux.keys(&["/"]);
    tmux.literal(&name);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("/{name}"), long);
    let wanted = format!("{bought} total");
    for _ in 0..10 {
        if tmux.screen().contains(&wanted) {
            break;
        }
        // Several pools may match the name: move to the next one.
        tmux.keys(&["j"]);
        std::thread::sleep(Duration::from_millis(200));
    }
    let licenses = tmux.wait_for(&wanted, long);
    assert!(!licenses.contains(&format!("{total} total /")), "{licenses}");
    tmux.keys(&["q"]);
    tmux.wait_for_shell(long);
}

/// The issue: "a tmux test links a token with the acknowledgement step".
/// `n` in Connectors, the form, Enter, the permanent-link warning that
/// refuses Enter until its box is ticked, then the link checked at the
/// simulator's Apple and the new connector listed.
#[test]
fn n_in_connectors_links_an_apple_token_only_once_the_permanent_link_is_acknowledged() {
    if !tmux_or_skip() {
        return;
    }
    let world = world::World::start(&os_user(), chrono::Utc::now());
    let token = world.dir.path().join("contoso.vpptoken");
    std::fs::write(&token, world.sim.apple_token_file().unwrap()).unwrap();
    std::fs::set_permissions(&token, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let home = tempfile::tempdir().unwrap();
    let tmux = Tmux::start("link", home.path());
    tmux.literal(&format!(
        "{} --db {}",
        env!("CARGO_BIN_EXE_seats"),
        world.path.display()
    ));
    tmux.keys(&["Enter"]);
    let long = Duration::from_secs(60);
    tmux.wait_for("1 Licenses", long);
    tmux.keys(&["3"]);
    tmux.wait_for("┌ Connectors ", long);
    tmux.keys(&["n"]);
    tmux.wait_for("Link an Apple Apps and Books token", long);
    // Name (above the focused Apple ID), then the Apple ID, the token
    // file and the simulator's Apple address.
    tmux.keys(&["BTab", "C-u"]);
    tmux.literal("Contoso VPP");
    tmux.keys(&["Tab"]);
    tmux.literal("vpp-admin@contoso-demo.example");
    tmux.keys(&["Tab"]);
    tmux.literal(token.to_str().unwrap());
    tmux.keys(&["Tab", "C-u"]);
    tmux.literal(&world.sim.apple_api_url());
    tmux.keys(&["Enter"]);
    let warning = tmux.wait_for("I understand", long);
    assert!(warning.contains("for good"), "{warning}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("tick the box", long);
    let linked_before: i64 = world.count("SELECT count(*) FROM connectors WHERE name = 'Contoso VPP'");
    assert_eq!(linked_before, 0, "nothing is stored before the box is ticked");
    tmux.keys(&["Space"]);
    tmux.wait_for("[x]", long);
    tmux.keys(&["Enter"]);
    let done = tmux.wait_for("Apple location", long);
    assert!(!done.contains("Link an Apple Apps"), "the dialog closed: {done}");
    tmux.wait_for("Contoso VPP", long);
    let stored: String = world
        .conn
        .query_row(
            "SELECT secret_ref FROM connectors WHERE name = 'Contoso VPP' AND kind = 'apple_vpp'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        stored,
        token.to_str().unwrap(),
        "the token's path, never the token"
    );
    tmux.keys(&["q"]);
    tmux.wait_for_shell(long);
}
