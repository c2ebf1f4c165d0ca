//! Reading a connector's secret from where `secret_ref` points: a file the
//! way ssh treats a private key (refused when others may read it), or an
//! environment variable. The secret itself is never stored, logged or shown.

use std::path::Path;

use crate::connectors::Secret;

/// The environment variable that may carry a Graph secret instead of a file.
pub const GRAPH_SECRET_ENV: &str = "SEATS_GRAPH_SECRET";

/// Why a secret could not be read; the message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error(
        "the secret file {path} may be read by others (mode {mode:o}); seats refuses it as ssh refuses a \
         private key: run `chmod 600 {path}`"
    )]
    Exposed { path: String, mode: u32 },
    #[error(
        "cannot read the secret file {path}: {reason}; check the path (an absolute path) and that you own it"
    )]
    Unreadable { path: String, reason: String },
    #[error("the secret file {0} is empty: put the client secret in it (one line)")]
    Empty(String),
    #[error("the environment variable {0} is not set or empty; set it, or give a --secret-file")]
    MissingEnv(String),
    #[error("no secret is configured for this connector; reconnect it with --secret-file")]
    NotConfigured,
}

/// Reads the secret `reference` names: `env:NAME` or a file path.
pub fn read(reference: &str) -> Result<Secret, SecretError> {
    match reference.strip_prefix("env:") {
        Some(name) => from_env(name),
        None => from_file(Path::new(reference)),
    }
}

fn from_env(name: &str) -> Result<Secret, SecretError> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(Secret::new(value.trim().to_owned())),
        _ => Err(SecretError::MissingEnv(name.to_owned())),
    }
}

/// A secret file readable by its owner only; its first line is the secret.
pub fn from_file(path: &Path) -> Result<Secret, SecretError> {
    let shown = path.display().to_string();
    let unreadable = |err: std::io::Error| SecretError::Unreadable {
        path: shown.clone(),
        reason: err.to_string(),
    };
    let metadata = std::fs::metadata(path).map_err(unreadable)?;
    check_mode(&shown, &metadata)?;
    let text = std::fs::read_to_string(path).map_err(unreadable)?;
    let secret = text.lines().next().unwrap_or("").trim();
    if secret.is_empty() {
        return Err(SecretError::Empty(shown));
    }
    Ok(Secret::new(secret.to_owned()))
}

/// The whole text of a token file (an Apple content token, which may be
/// wrapped over several lines) or of the variable `env:NAME` names, with
/// the same checks as [`read`].
pub fn read_whole(reference: &str) -> Result<Secret, SecretError> {
    let Some(path) = reference.strip_prefix("env:").map_or(Some(reference), |_| None) else {
        return read(reference);
    };
    let shown = path.to_owned();
    let unreadable = |err: std::io::Error| SecretError::Unreadable {
        path: shown.clone(),
        reason: err.to_string(),
    };
    let metadata = std::fs::metadata(path).map_err(unreadable)?;
    check_mode(&shown, &metadata)?;
    let text = std::fs::read_to_string(path).map_err(unreadable)?;
    if text.trim().is_empty() {
        return Err(SecretError::Empty(shown));
    }
    Ok(Secret::new(text.trim().to_owned()))
}

#[cfg(unix)]
fn check_mode(path: &str, metadata: &std::fs::Metadata) -> Result<(), SecretError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(SecretError::Exposed {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_mode(_path: &str, _metadata: &std::fs::Metadata) -> Result<(), SecretError> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_file_others_may_read_is_refused_with_the_chmod_that_fixes_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(&path, "s3cr3t-value\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = from_file(&path).unwrap_err().to_string();
        assert!(err.contains("chmod 600"), "{err}");
        assert!(!err.contains("s3cr3t"), "{err}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(from_file(&path).unwrap().expose(), "s3cr3t-value");
    }

    #[test]
    fn an_empty_file_and_a_missing_variable_say_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(&path, "\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(matches!(from_file(&path), Err(SecretError::Empty(_))));
        assert!(matches!(
            read("env:SEATS_TEST_SURELY_UNSET_VARIABLE"),
            Err(SecretError::MissingEnv(_))
        ));
    }
}
