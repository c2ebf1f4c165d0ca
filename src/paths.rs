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

/// Creates `dir` and any missing parent as folders only their owner may
/// enter (0700); a folder that exists already is left as it is.
pub fn ensure_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// The permission bits of a file the current user owns that others (group
/// or anyone) may read or write, for a warning; `None` when it is private,
/// missing, or someone else's (only its owner could fix it).
#[cfg(unix)]
pub fn exposed_mode(file: &Path) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(file).ok()?;
    let mode = meta.mode() & 0o777;
    (meta.uid() == real_uid() && mode & 0o077 != 0).then_some(mode)
}

#[cfg(not(unix))]
pub fn exposed_mode(_file: &Path) -> Option<u32> {
    None
}

/// The OS user running seats: the actor of every change. It is the name of
/// the process's real user id, so no environment variable ($USER, $LOGNAME)
/// can make one admin act as another; `uid-N` when the id has no name.
#[cfg(unix)]
pub fn os_user() -> String {
    let uid = real_uid();
    user_name(uid).unwrap_or_else(|| format!("uid-{uid}"))
}

#[cfg(not(unix))]
pub fn os_user() -> String {
    "unknown".to_owned()
}

/// The real user id (who started seats, not a set-uid owner).
#[cfg(unix)]
fn real_uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

/// The name the password database (files, LDAP, … as nsswitch says) gives
/// `uid`.
#[cfg(unix)]
fn user_name(uid: u32) -> Option<String> {
    let mut buffer = vec![0 as libc::c_char; 4096];
    loop {
        // SAFETY: an all-zero passwd is a valid value (null pointers, zero ids).
        let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the call and `buffer.len()` is
        // the length of the buffer the strings are written into.
        let code =
            unsafe { libc::getpwuid_r(uid, &mut entry, buffer.as_mut_ptr(), buffer.len(), &mut found) };
        if code == libc::ERANGE && buffer.len() < 1 << 20 {
            buffer.resize(buffer.len() * 4, 0);
            continue;
        }
        if code != 0 || found.is_null() || entry.pw_name.is_null() {
            return None;
        }
        // SAFETY: on success pw_name points to a NUL-terminated string inside `buffer`.
        let name = unsafe { std::ffi::CStr::from_ptr(entry.pw_name) };
        return Some(name.to_string_lossy().into_owned()).filter(|n| !n.is_empty());
    }
}

#[cfg(all(test, unix))]
mod tests {
    #[test]
    fn the_actor_is_the_real_user_whatever_user_says() {
        let id = std::process::Command::new("id").arg("-un").output().unwrap();
        let expected = String::from_utf8_lossy(&id.stdout).trim().to_owned();
        assert_eq!(super::os_user(), expected);
    }

    #[test]
    fn an_id_without_a_name_is_named_by_its_number() {
        // Ids this high are never handed out by useradd.
        assert_eq!(super::user_name(3_999_999_999), None);
    }

    #[test]
    fn new_private_folders_are_0700_and_existing_ones_are_left_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let nested = dir.path().join("a/b");
        super::ensure_private_dir(&nested).unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&nested), 0o700);
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        assert_eq!(mode(dir.path()), 0o755, "an existing folder keeps its mode");
    }
}
