//! `seats check`: verifies every invariant of the cache (architecture §5)
//! and exits 0, or 1 listing each violation.

use std::path::Path;

use clap::Args;

use crate::cli::{Failure, print};
use crate::output::{self, Format};
use crate::store::check::{self, Finding};
use crate::store::{self, OpenMode};

/// `seats check`: verify every invariant of the cache.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// table: one line per violation; json or csv: one object per invariant.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Runs `seats check` on the cache named by `--db` (or the default one).
pub fn run(path: &Path, args: &CheckArgs) -> Result<(), Failure> {
    let conn = store::open(path, OpenMode::MustExist)?;
    let findings = check::check(&conn)?;
    print(&render(args.format, &findings))?;
    let violated = findings.iter().filter(|f| !f.ok).count();
    if violated == 0 {
        return Ok(());
    }
    Err(Failure::unexpected(format!(
        "{violated} of {} invariants of {} violated",
        findings.len(),
        path.display()
    )))
}

/// "cache ok: N invariants checked", or one line per violation; JSON and
/// CSV list every invariant with its outcome.
fn render(format: Format, findings: &[Finding]) -> String {
    if format == Format::Table {
        let violations: Vec<String> = findings
            .iter()
            .filter(|f| !f.ok)
            .map(|f| format!("{}\n", f.line()))
            .collect();
        if violations.is_empty() {
            return format!("cache ok: {} invariants checked\n", findings.len());
        }
        return violations.concat();
    }
    let headers = ["invariant", "ok", "rule", "rows", "fix"];
    let cells: Vec<Vec<String>> = findings
        .iter()
        .map(|f| {
            vec![
                f.invariant.to_owned(),
                f.ok.to_string(),
                f.rule.clone(),
                f.rows.join("; "),
                f.fix.clone(),
            ]
        })
        .collect();
    output::render(format, &headers, &cells, findings)
}
