//! Which cache file a command works on, and when one may be created.
//!
//! The default cache is created silently on first run, in a folder only its
//! owner may enter. A path the user named (`--db`, `SEATS_DB`) must be in a
//! folder that exists, and it becomes a new cache only for the commands that
//! create caches (`seats demo`, `seats connect`, `seats --init`): a mistyped path is refused
//! instead of becoming an empty cache with a new global administrator.

use std::path::{Path, PathBuf};

use crate::cli::Failure;
use crate::paths;
use crate::store::{self, OpenMode, StoreError};

/// Where the cache path came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The data directory's default file.
    Default,
    /// `--db PATH`.
    Flag,
    /// The `SEATS_DB` variable.
    Env,
}

/// The cache file a command uses.
#[derive(Debug, Clone)]
pub struct CachePath {
    pub path: PathBuf,
    pub origin: Origin,
}

impl CachePath {
    /// The named path, or the default one.
    pub fn choose(named: Option<PathBuf>, origin: Origin, default: impl FnOnce() -> PathBuf) -> CachePath {
        match named {
            Some(path) => CachePath { path, origin },
            None => CachePath {
                path: default(),
                origin: Origin::Default,
            },
        }
    }

    /// The checks every command makes before anything else: a folder is
    /// refused (with the same words everywhere), and so is a named path in a
    /// folder that does not exist.
    pub fn check(&self) -> Result<(), Failure> {
        if self.path.is_dir() {
            return Err(StoreError::Folder {
                path: self.path.clone(),
            }
            .into());
        }
        if self.origin != Origin::Default
            && let Some(folder) = self.folder()
            && !folder.is_dir()
        {
            return Err(Failure::usage(format!(
                "{}: {}",
                self.origin_name(),
                StoreError::NoFolder {
                    path: self.path.clone(),
                    folder: folder.to_owned(),
                }
            )));
        }
        Ok(())
    }

    /// Whether the file exists.
    pub fn exists(&self) -> bool {
        self.path.exists()
    }

    /// For the commands that never create a cache: the file must exist.
    pub fn must_exist(&self) -> Result<(), Failure> {
        match (self.exists(), self.origin) {
            (true, _) => Ok(()),
            (false, Origin::Default) => Err(Failure::usage(format!(
                "no cache yet at {}: open `seats` on a terminal to start an empty one, \
                 or run `seats demo` to build the demo tenant",
                self.path.display()
            ))),
            (false, _) => Err(StoreError::Missing {
                path: self.path.clone(),
            }
            .into()),
        }
    }

    /// Creates the cache when it is missing: the default location's folders
    /// first (0700), then the file (0600) with its schema. Returns whether it
    /// was created.
    pub fn create_if_missing(&self) -> Result<bool, Failure> {
        if self.exists() {
            return Ok(false);
        }
        if self.origin == Origin::Default
            && let Some(folder) = self.folder()
        {
            paths::ensure_private_dir(folder).map_err(|err| {
                Failure::usage(format!(
                    "cannot create the folder {} for the cache: {err}",
                    folder.display()
                ))
            })?;
        }
        store::open(&self.path, OpenMode::Create)?;
        Ok(true)
    }

    /// Refuses a change when the file is read-only for this user (exit 4).
    pub fn must_be_writable(&self) -> Result<(), Failure> {
        if !self.exists() || store::db::writable(&self.path) {
            return Ok(());
        }
        Err(Failure {
            code: 4,
            message: format!(
                "the cache {} is read-only for you (the permissions of the file or its folder): you can browse it, \
                 but not change it; ask its owner for write access",
                self.path.display()
            ),
        })
    }

    /// A warning when others may read the file this user owns, with the
    /// command that fixes it; the file stays usable.
    pub fn exposure_warning(&self) -> Option<String> {
        let mode = paths::exposed_mode(&self.path)?;
        let who = if mode & 0o007 != 0 {
            "every user of this machine"
        } else {
            "the members of its group"
        };
        Some(format!(
            "warning: the cache {path} can be read by {who} (mode {mode:04o}); \
             to keep it to yourself: chmod 600 {path}",
            path = self.path.display()
        ))
    }

    /// The same warning, short enough for the console's hint line.
    pub fn exposure_notice(&self) -> Option<String> {
        let mode = paths::exposed_mode(&self.path)?;
        Some(format!(
            "others can read this cache (mode {mode:04o}); fix: chmod 600 {}",
            self.path.display()
        ))
    }

    fn folder(&self) -> Option<&Path> {
        self.path.parent().filter(|dir| !dir.as_os_str().is_empty())
    }

    fn origin_name(&self) -> &'static str {
        match self.origin {
            Origin::Env => "SEATS_DB",
            Origin::Flag | Origin::Default => "--db",
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn named(path: PathBuf) -> CachePath {
        CachePath::choose(Some(path), Origin::Flag, PathBuf::new)
    }

    #[test]
    fn a_named_path_in_a_missing_folder_is_refused_and_nothing_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let cache = named(dir.path().join("nonexistent/dir/x.db"));
        let err = cache.check().unwrap_err();
        assert_eq!(err.code, 2);
        assert!(
            err.message
                .contains(&dir.path().join("nonexistent/dir").display().to_string()),
            "{}",
            err.message
        );
        assert!(err.message.contains("mkdir -p"), "{}", err.message);
        assert!(!dir.path().join("nonexistent").exists());
    }

    #[test]
    fn the_default_location_gets_private_folders_and_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/seats/seats.db");
        let cache = CachePath::choose(None, Origin::Flag, || path.clone());
        cache.check().unwrap();
        assert!(cache.create_if_missing().unwrap());
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.path().join("data/seats")), 0o700);
        assert!(!cache.create_if_missing().unwrap(), "created once");
    }

    #[test]
    fn a_cache_others_may_read_gets_a_warning_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let cache = named(dir.path().join("c.db"));
        cache.create_if_missing().unwrap();
        assert_eq!(cache.exposure_warning(), None);
        std::fs::set_permissions(&cache.path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let warning = cache.exposure_warning().unwrap();
        assert!(
            warning.contains("members of its group") && warning.contains("0640"),
            "{warning}"
        );
        assert!(
            warning.contains(&format!("chmod 600 {}", cache.path.display())),
            "{warning}"
        );
    }
}
