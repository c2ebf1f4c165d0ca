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

/// The OS user running seats: the actor of every change. The login
/// variables first; without them (cron, some containers) the name of the
/// process's user id from the password file.
pub fn os_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .or_else(user_from_uid)
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(unix)]
fn user_from_uid() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the user the process runs as.
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    let name = passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id = fields.nth(1)?.parse::<u32>().ok()?;
        (id == uid).then(|| name.to_owned())
    });
    Some(name.unwrap_or_else(|| format!("uid-{uid}")))
}

#[cfg(not(unix))]
fn user_from_uid() -> Option<String> {
    None
}

#[cfg(all(test, unix))]
mod tests {
    #[test]
    fn the_uid_fallback_names_the_same_user_as_id() {
        let id = std::process::Command::new("id").arg("-un").output().unwrap();
        let expected = String::from_utf8_lossy(&id.stdout).trim().to_owned();
        assert_eq!(super::user_from_uid(), Some(expected));
    }
}
