//! The licensing-summary export (issue 9, R-AGR-8): the corpus of good and
//! bad files, and the validation of number sets against an import (each
//! outcome, re-imports, all or nothing).
#![allow(clippy::unwrap_used)]

#[path = "entitlements_import/corpus.rs"]
mod corpus;
#[path = "agreements_import/fixture.rs"]
mod fixture;
#[path = "entitlements_import/validate.rs"]
mod validate;
