//! The console in a real terminal: one command in a tmux session of its own
//! (its own socket, 80x24), killed on drop. Waits are bounded.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server running one command.
pub struct Tmux {
    socket: String,
}

/// What the command prints once it has ended, with its exit code.
pub const EXITED: &str = "command-exited-";

impl Tmux {
    /// Runs `command` (program and arguments) with seats' home, config, data
    /// and log under `home` and nothing else from this environment. `None`
    /// when tmux is missing (never on CI, which installs it).
    pub fn run(name: &str, home: &Path, command: &[&str]) -> Option<Tmux> {
        let available = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        if !available {
            assert!(std::env::var_os("CI").is_none(), "tmux is required on CI");
            eprintln!("skipped: tmux is not installed");
            return None;
        }
        let tmux = Tmux {
            socket: format!("seats-cli-{name}-{}", std::process::id()),
        };
        let script = format!("\"$@\"; echo {EXITED}$?; sleep 60");
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
            ])
            .args(["-x", "80", "-y", "24", "env", "-i"])
            .arg(format!("HOME={}", home.display()))
            .arg(format!("XDG_CONFIG_HOME={}", home.join("config").display()))
            .arg(format!("XDG_DATA_HOME={}", home.join("data").display()))
            .arg(format!("XDG_STATE_HOME={}", home.join("state").display()))
            .arg(format!("PATH={}", std::env::var("PATH").unwrap_or_default()))
            .args(["TERM=xterm-256color", "sh", "-c", &script, "sh"])
            .args(command)
            .status()
            .unwrap();
        assert!(status.success(), "tmux could not start");
        Some(tmux)
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Sends keys (tmux names: "q", "Enter", "C-c").
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// The visible screen.
    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t"])
    }

    /// Waits (bounded) until the screen shows `text`, and returns the screen.
    pub fn wait_for(&self, text: &str, limit: Duration) -> String {
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

    /// Quits the console with `q` and waits (bounded) until the command has
    /// ended; returns the screen then (what it printed after the console).
    pub fn quit(&self, limit: Duration) -> String {
        self.keys(&["q"]);
        self.wait_for(EXITED, limit)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}
