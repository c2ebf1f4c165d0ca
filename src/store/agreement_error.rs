//! Why an agreement or license-group change was not made, with the exit
//! code the command line gives it (architecture §5).

/// Why an agreement or group change was not made. Display is the message.
#[derive(Debug, thiserror::Error)]
pub enum AgreementError {
    /// The file breaks the rules: every problem, one per line of the message.
    #[error("{}", crate::domain::agreement_rules::describe(.0))]
    BadFile(Vec<crate::domain::agreement_rules::Problem>),
    /// Unknown group, or input that can never work (exit 2).
    #[error("{0}")]
    Invalid(String),
    /// Refused by a rule such as the 501st group (exit 3).
    #[error("{0}")]
    Refused(String),
    /// The role or read-only mode does not allow it (exit 4).
    #[error("{0}")]
    NotPermitted(String),
    #[error("cache error: {0}; nothing was changed")]
    Store(#[from] rusqlite::Error),
}

impl AgreementError {
    /// The exit code of the architecture's contract (§5).
    pub fn exit_code(&self) -> u8 {
        match self {
            AgreementError::BadFile(_) | AgreementError::Invalid(_) => 2,
            AgreementError::Refused(_) => 3,
            AgreementError::NotPermitted(_) => 4,
            AgreementError::Store(_) => 1,
        }
    }
}

impl From<super::changes::ChangeError> for AgreementError {
    fn from(err: super::changes::ChangeError) -> Self {
        match err {
            super::changes::ChangeError::Store(err) => AgreementError::Store(err),
            super::changes::ChangeError::NotPermitted(why) => AgreementError::NotPermitted(why),
            other => AgreementError::Invalid(other.to_string()),
        }
    }
}
