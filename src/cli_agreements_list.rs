//! `seats agreements [--group NAME] [--filter F] [--format table|csv|json]`
//! (issue 9): volume and other software agreements with their license
//! group, number sets and validation. JSON keys are the contract.

use std::collections::HashMap;
use std::path::Path;

use clap::Args;
use serde::Serialize;

use crate::app::PaneId;
use crate::cli::{Failure, print};
use crate::output::{self, Format};
use crate::store::agreement_validation::{SetState, overall, set_states};
use crate::store::agreements::{self, AgreementRow};
use crate::store::license_groups;
use crate::store::{self, OpenMode, PageRequest};

/// `seats agreements` options.
#[derive(Debug, Args)]
pub struct AgreementsArgs {
    /// Only the agreements of this license group.
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    /// Keep agreements that pass the console's filter (`kind:volume`,
    /// `valid:pending`, `sets>1`).
    #[arg(long, value_name = "FILTER")]
    pub filter: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// One agreement as `seats agreements` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgreementLine {
    pub id: i64,
    pub name: String,
    /// `volume` or `other`.
    pub kind: String,
    pub group: String,
    /// Each set as [first number, second number].
    pub number_sets: Vec<[String; 2]>,
    pub publisher: Option<String>,
    /// Null for volume agreements: they carry no single product (R-AGR-9).
    pub product: Option<String>,
    /// The license count, or what validation found; null until known.
    pub licenses: Option<i64>,
    pub starts: Option<String>,
    pub ends: Option<String>,
    /// The agreement's overall state: `pending`, `valid`, `not_found` or
    /// `mismatched` (R-AGR-8; see store::agreement_validation).
    pub validation: String,
    /// Each set's state, in the order of `number_sets`.
    pub sets_validation: Vec<String>,
    /// Why sets are not valid ("first second: why"); table output only.
    #[serde(skip)]
    pub notes: Vec<String>,
}

/// Runs `seats agreements`.
pub fn run(db: &Path, args: &AgreementsArgs) -> Result<(), Failure> {
    let filter = crate::headless::parse_filter(PaneId::Agreements, args.filter.as_deref())
        .map_err(|err| Failure::usage(format!("--filter {err}")))?;
    let conn = store::open(db, OpenMode::MustExist)?;
    let group = match &args.group {
        Some(name) => Some(license_groups::find(&conn, name)?.2),
        None => None,
    };
    let request = PageRequest {
        filter,
        limit: usize::MAX >> 1,
        ..PageRequest::default()
    };
    let mut sets = set_states(&conn)?;
    let lines: Vec<AgreementLine> = agreements::page(&conn, &request)?
        .rows
        .into_iter()
        .filter(|row| group.as_ref().is_none_or(|g| *g == row.license_group))
        .map(|row| line(row, &mut sets))
        .collect();
    print(&render(args.format, &lines))
}

fn line(row: AgreementRow, sets: &mut HashMap<i64, Vec<SetState>>) -> AgreementLine {
    let sets = sets.remove(&row.id).unwrap_or_default();
    let notes = sets
        .iter()
        .filter_map(|s| {
            s.note
                .as_ref()
                .filter(|_| s.validation != "valid")
                .map(|n| (s, n))
        })
        .map(|(s, note)| format!("{} {} {}: {note}", s.first, s.second, s.validation))
        .collect();
    AgreementLine {
        validation: overall(&sets, &row.validation),
        number_sets: sets.iter().map(|s| [s.first.clone(), s.second.clone()]).collect(),
        sets_validation: sets.into_iter().map(|s| s.validation).collect(),
        notes,
        id: row.id,
        name: row.name,
        kind: row.kind,
        group: row.license_group,
        publisher: row.publisher,
        product: row.product,
        licenses: row.licensed,
        starts: row.starts_on,
        ends: row.ends_on,
    }
}

fn render(format: Format, lines: &[AgreementLine]) -> String {
    let headers = [
        "id",
        "name",
        "kind",
        "group",
        "number_sets",
        "publisher",
        "product",
        "licenses",
        "starts",
        "ends",
        "validation",
    ];
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let cells: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            let sets: Vec<String> = l
                .number_sets
                .iter()
                .zip(&l.sets_validation)
                .map(|([a, b], state)| format!("{a} {b} ({state})"))
                .collect();
            let licenses = l.licenses.map(|n| n.to_string()).unwrap_or_default();
            // Until validated a volume agreement's figures are not the
            // portal's (R-AGR-8).
            let licenses = match (l.kind.as_str(), l.validation.as_str()) {
                ("volume", state) if state != "valid" => format!("{licenses} (may differ until validated)")
                    .trim_start()
                    .to_owned(),
                _ => licenses,
            };
            let product = match (&l.product, l.kind.as_str()) {
                (None, "volume") => "not available".to_owned(),
                (product, _) => text(product),
            };
            vec![
                l.id.to_string(),
                l.name.clone(),
                l.kind.clone(),
                l.group.clone(),
                sets.join("; "),
                text(&l.publisher),
                product,
                licenses,
                text(&l.starts),
                text(&l.ends),
                l.validation.clone(),
            ]
        })
        .collect();
    let mut out = output::render(format, &headers, &cells, lines);
    if format == Format::Table {
        for l in lines.iter().filter(|l| !l.notes.is_empty()) {
            out.push_str(&format!("{}: {}\n", l.name, l.notes.join("; ")));
        }
    }
    out
}
