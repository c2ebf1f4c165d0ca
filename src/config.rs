//! Settings: the embedded defaults, then the config file. A bad file is
//! refused with its path, line and the field, never half-applied.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::app::Action;
use crate::app::keymap::Keymap;

/// The commented default config, shipped in the binary.
pub const DEFAULT_CONFIG: &str = include_str!("../assets/config.toml");

/// All settings.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub ui: UiConfig,
    pub sync: SyncConfig,
    pub reclaim: ReclaimConfig,
    /// Action -> keys overrides.
    pub keys: HashMap<Action, Vec<String>>,
}

/// Screen settings.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    /// Draw with colours (NO_COLOR wins).
    pub colour: bool,
}

/// Background sync settings.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SyncConfig {
    /// Minutes between automatic syncs of each connector.
    pub interval_minutes: u32,
}

/// What happens to the seats of users the source disabled (R-LIC-5).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ReclaimConfig {
    pub disabled: DisabledUsers,
}

/// `[reclaim] disabled`.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DisabledUsers {
    /// Keep their seats; the Reclaim view lists them.
    #[default]
    Keep,
    /// Release their seats at the next sync, through the outbox.
    Release,
}

impl ReclaimConfig {
    /// Whether a sync releases the seats of users disabled at the source.
    pub fn release_disabled(&self) -> bool {
        self.disabled == DisabledUsers::Release
    }
}

impl Default for UiConfig {
    fn default() -> Self {
        Self { colour: true }
    }
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            interval_minutes: 720,
        }
    }
}

/// A config file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config {path}: {message}fix the file, or start with --config pointing at another one")]
    Parse { path: PathBuf, message: String },
}

impl Config {
    /// Parses config text; `path` names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|err| ConfigError::Parse {
            path: path.to_owned(),
            message: err.to_string(),
        })?;
        config.keymap().map_err(|message| ConfigError::Parse {
            path: path.to_owned(),
            message: format!("{message}\n"),
        })?;
        if config.sync.interval_minutes == 0 {
            return Err(ConfigError::Parse {
                path: path.to_owned(),
                message: "[sync] interval_minutes must be at least 1\n".to_owned(),
            });
        }
        Ok(config)
    }

    /// Loads `path`; a missing file at the default location means defaults.
    pub fn load(path: &Path, must_exist: bool) -> Result<Config, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&text, path),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound && !must_exist => Ok(Config::default()),
            Err(source) => Err(ConfigError::Read {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// The keymap with this config's overrides.
    pub fn keymap(&self) -> Result<Keymap, String> {
        Keymap::with_overrides(&self.keys)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn reclaim_of_disabled_users_is_kept_unless_the_config_says_release() {
        let path = Path::new("config.toml");
        assert!(!Config::parse("", path).unwrap().reclaim.release_disabled());
        let release = Config::parse("[reclaim]\ndisabled = \"release\"\n", path).unwrap();
        assert!(release.reclaim.release_disabled());
        let err = Config::parse("[reclaim]\ndisabled = \"burn\"\n", path).unwrap_err();
        assert!(err.to_string().contains("burn"), "{err}");
    }
    use super::*;

    #[test]
    fn the_shipped_default_config_parses_to_the_defaults() {
        let config = Config::parse(DEFAULT_CONFIG, Path::new("assets/config.toml")).unwrap();
        assert_eq!(config, Config::default());
    }

    #[test]
    fn keys_can_be_rebound() {
        let config = Config::parse("[keys]\nquit = [\"x\"]\n", Path::new("c.toml")).unwrap();
        let keymap = config.keymap().unwrap();
        let found = keymap.lookup(crate::app::PaneId::Apps, crate::app::keymap::Key::char('x'));
        assert_eq!(found, Some(Action::Quit));
    }

    #[test]
    fn unknown_action_names_file_line_and_value() {
        let err = Config::parse("[keys]\nquitt = [\"x\"]\n", Path::new("/etc/seats.toml")).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("/etc/seats.toml"), "{text}");
        assert!(text.contains("line 2"), "{text}");
        assert!(text.contains("quitt"), "{text}");
    }

    #[test]
    fn unknown_section_is_refused() {
        let err = Config::parse("[colours]\nred = 1\n", Path::new("c.toml")).unwrap_err();
        assert!(err.to_string().contains("colours"), "{err}");
    }

    #[test]
    fn bad_key_is_refused() {
        let err = Config::parse("[keys]\nhelp = [\"hyper-h\"]\n", Path::new("c.toml")).unwrap_err();
        assert!(err.to_string().contains("hyper-h"), "{err}");
    }
}
