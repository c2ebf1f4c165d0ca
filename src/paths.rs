//! Where config, caches and the log live (architecture §5, Paths).

use std::path::{Path, PathBuf};

use directories::ProjectDirs;

/// The default locations on this machine.
#[derive(Debug, Clone)]
pub struct Paths {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
}

impl Paths {
    /// The platform's directories (XDG on Linux); `./.seats` when the home
    /// directory is unknown.
    pub fn discover() -> Paths {
        match ProjectDirs::from("", "", "seats") {
            Some(dirs) => Paths {
                config_file: dirs.config_dir().join("config.toml"),
                data_dir: dirs.data_dir().to_owned(),
                log_dir: dirs.state_dir().unwrap_or(dirs.cache_dir()).to_owned(),
            },
            None => {
                let base = PathBuf::from(".seats");
                Paths {
                    config_file: base.join("config.toml"),
                    data_dir: base.clone(),
                    log_dir: base,
                }
            }
        }
    }

    /// The tenant cache.
    pub fn default_db(&self) -> PathBuf {
        self.data_dir.join("seats.db")
    }

    /// The demo tenant's cache.
    pub fn demo_db(&self) -> PathBuf {
        self.data_dir.join("demo.db")
    }

    /// The cache to read when none was named: seats.db, else demo.db when
    /// only the demo exists, else seats.db (which the caller may create).
    pub fn existing_db(&self) -> PathBuf {
        let main = self.default_db();
        let demo = self.demo_db();
        if !main.exists() && demo.exists() {
            demo
        } else {
            main
        }
    }
}

/// Creates the directory that will hold `file`.
pub fn ensure_parent(file: &Path) -> std::io::Result<()> {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir),
        _ => Ok(()),
    }
}

/// The OS user running seats: the actor of every change.
pub fn os_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned())
}
