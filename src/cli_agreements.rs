//! `seats import agreements FILE [--group NAME | --new-group NAME]
//! [--dry-run]` and `seats license-groups list|add|rename|remove`
//! (issue 9; R-AGR-1..7, R-AGR-12). `seats agreements` lists them
//! (cli_agreements_list.rs).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::cli::{Failure, print};
use crate::domain::agreement_csv;
use crate::output::{self, Format};
use crate::store::agreement_validation::{Scope, validate_agreements};
use crate::store::agreements_import::{self, ImportPlan, Target};
use crate::store::changes::Actor;
use crate::store::license_groups::{self, AgreementError, GroupRow};
use crate::store::{self, OpenMode};

/// What `seats import` reads.
#[derive(Debug, Subcommand)]
pub enum ImportWhat {
    /// Volume-licensing agreements from a CSV file: one number pair per
    /// line, and the agreement's name as a third column if you like.
    Agreements(ImportAgreementsArgs),
    /// Volume-licensing entitlements: the licensing-summary CSV export of
    /// the volume-licensing portal; validates every agreement against it.
    Entitlements(crate::cli_entitlements::ImportEntitlementsArgs),
    /// Detected software from a CSV file with a header row (computer,
    /// user, publisher, product, version, last seen; see README).
    Inventory(crate::cli_inventory::ImportInventoryArgs),
    /// Install states the device management reports, from a CSV file with
    /// a header row (app, user, device, state, when, error; see README).
    Installs(crate::cli_installs::ImportInstallsArgs),
    /// SaaS and ISV purchases from a CSV file with a header row (name,
    /// publisher, kind, channel, region, …; see README).
    Subscriptions(crate::cli_subscriptions_import::ImportSubscriptionsArgs),
}

/// `seats import agreements` options.
#[derive(Debug, Args)]
pub struct ImportAgreementsArgs {
    /// The CSV file (2 or 3 columns, 1 to 5,000 lines; see README).
    pub file: PathBuf,
    /// Add the agreements to this existing license group (default:
    /// "Unassigned agreements").
    #[arg(long, value_name = "NAME", conflicts_with = "new_group")]
    pub group: Option<String>,
    /// Make this license group and add the agreements to it.
    #[arg(long, value_name = "NAME")]
    pub new_group: Option<String>,
    /// Show what would be added; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `seats license-groups …`.
#[derive(Debug, Subcommand)]
pub enum LicenseGroupsCommand {
    /// Every license group with its agreements.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Make a license group (at most 500).
    Add { name: String },
    /// Rename a license group.
    Rename { old: String, new: String },
    /// Remove a license group; its agreements move to "Unassigned agreements".
    Remove { name: String },
}

impl From<AgreementError> for Failure {
    fn from(err: AgreementError) -> Failure {
        Failure {
            code: err.exit_code(),
            message: err.to_string(),
        }
    }
}

/// An agreement file larger than this is not one: 5,000 lines of at most
/// 16 characters of numbers and 256 of name fit in well under 2 MiB.
const MAX_FILE_BYTES: u64 = 8 << 20;

/// Whether `command` is one of these that changes the cache (dry runs and
/// lists only read it).
pub fn changes_cache(command: &crate::cli::Commands) -> bool {
    use crate::cli::Commands;
    match command {
        Commands::Import {
            what: ImportWhat::Agreements(args),
        } => !args.dry_run,
        Commands::Import {
            what: ImportWhat::Entitlements(_),
        } => true,
        Commands::LicenseGroups { action } => !matches!(action, LicenseGroupsCommand::List { .. }),
        _ => false,
    }
}

/// Runs `seats import …`.
pub fn import(db: &Path, actor: &Actor, what: ImportWhat) -> Result<(), Failure> {
    let args = match what {
        ImportWhat::Agreements(args) => args,
        ImportWhat::Entitlements(args) => return crate::cli_entitlements::import(db, actor, &args),
        ImportWhat::Inventory(args) => return crate::cli_inventory::import(db, actor, args),
        ImportWhat::Installs(args) => return crate::cli_installs::import(db, actor, &args),
        ImportWhat::Subscriptions(args) => return crate::cli_subscriptions_import::import(db, actor, &args),
    };
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = read_file(&args.file)?;
    let shown = args.file.display();
    let conn = store::open(db, OpenMode::MustExist)?;
    let (file, mut problems) = agreement_csv::read(&file_name, &bytes);
    if !problems.is_empty() {
        // The good lines may clash with the cache too: list those as well,
        // so one round of fixes is enough.
        problems.extend(agreements_import::clashes(&conn, &file.sets)?);
        problems.sort_by_key(|p| p.line);
        return Err(bad_file(&shown.to_string(), AgreementError::BadFile(problems)));
    }
    let target = match (&args.group, &args.new_group) {
        (Some(group), _) => Target::Group(group),
        (None, Some(group)) => Target::NewGroup(group),
        (None, None) => Target::Unassigned,
    };
    let mut out = String::new();
    if let Some((line, text)) = &file.header {
        out.push_str(&format!(
            "{shown}: line {line} read as a header ({text:?}) and skipped\n"
        ));
    }
    let outcome = if args.dry_run {
        agreements_import::plan(&conn, &file, target)
    } else {
        agreements_import::import(&conn, actor, &file_name, &file, target)
    };
    let plan = outcome.map_err(|err| bad_file(&shown.to_string(), err))?;
    out.push_str(&summary(&plan, &shown.to_string(), args.dry_run));
    if !args.dry_run {
        // The new sets are judged against the last imported export (R-AGR-8).
        let validated = validate_agreements(&conn, Scope::Pending, chrono::Utc::now())?;
        out.push_str(&validated.summary());
        out.push('\n');
    }
    print(&out)
}

fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    let cant = |err: std::io::Error| Failure::usage(format!("can't read {}: {err}", path.display()));
    let size = std::fs::metadata(path).map_err(cant)?.len();
    if size > MAX_FILE_BYTES {
        return Err(Failure::usage(format!(
            "{} is {size} bytes, too large for an agreement file of at most 5,000 lines (R-AGR-5); \
             nothing was imported",
            path.display()
        )));
    }
    std::fs::read(path).map_err(cant)
}

/// A refusal names the file first.
fn bad_file(file: &str, err: AgreementError) -> Failure {
    match err {
        AgreementError::BadFile(_) => Failure {
            code: 2,
            message: format!("{file}: {err}"),
        },
        other => other.into(),
    }
}

/// What was (or would be) added.
fn summary(plan: &ImportPlan, file: &str, dry_run: bool) -> String {
    let n = plan.sets.len();
    let s = if n == 1 { "" } else { "s" };
    let group = if plan.new_group {
        format!("new license group {:?}", plan.group)
    } else {
        format!("license group {:?}", plan.group)
    };
    if !dry_run {
        return format!("imported {n} volume agreement{s} ({n} number set{s}) from {file} into {group}\n");
    }
    let mut out = format!("dry run: would add {n} volume agreement{s} ({n} number set{s}) to {group}\n");
    let rows: Vec<Vec<String>> = plan
        .sets
        .iter()
        .map(|set| {
            vec![
                set.line.to_string(),
                set.name.clone(),
                set.first.clone(),
                set.second.clone(),
            ]
        })
        .collect();
    out.push_str(&output::table(&["line", "name", "first", "second"], &rows));
    out.push_str("nothing was changed\n");
    out
}

/// Runs `seats license-groups …`.
pub fn license_groups(db: &Path, actor: &Actor, command: LicenseGroupsCommand) -> Result<(), Failure> {
    let conn = store::open(db, OpenMode::MustExist)?;
    match command {
        LicenseGroupsCommand::List { format } => {
            let groups = license_groups::list(&conn)?;
            let cells = |g: &GroupRow| {
                vec![
                    g.id.to_string(),
                    g.name.clone(),
                    g.builtin.to_string(),
                    g.agreements.to_string(),
                ]
            };
            let table: Vec<Vec<String>> = groups.iter().map(cells).collect();
            let headers = ["id", "name", "builtin", "agreements"];
            print(&output::render(format, &headers, &table, &groups))
        }
        LicenseGroupsCommand::Add { name } => {
            license_groups::add(&conn, actor, &name)?;
            print(&format!("license group {:?} made\n", name.trim()))
        }
        LicenseGroupsCommand::Rename { old, new } => {
            license_groups::rename(&conn, actor, &old, &new)?;
            print(&format!("license group {old:?} is now {:?}\n", new.trim()))
        }
        LicenseGroupsCommand::Remove { name } => {
            let moved = license_groups::remove(&conn, actor, &name)?;
            let s = if moved == 1 { "" } else { "s" };
            print(&format!(
                "license group {name:?} removed; {moved} agreement{s} moved to \"Unassigned agreements\"\n"
            ))
        }
    }
}
