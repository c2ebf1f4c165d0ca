//! The headless twins of seat changes (architecture §5): `assign`,
//! `unassign`, `users remove`, `admins`, `audit`. Results go to stdout,
//! questions and refusals to stderr; exit codes follow the contract.

use std::io::{BufRead as _, Write as _};
use std::path::PathBuf;

use clap::{Args, Subcommand};
use rusqlite::Connection;

use crate::cli::{Failure, print};
use crate::domain::{Principal, Role};
use crate::output::{self, Format};
use crate::paths::Paths;
use crate::store::changes::{self, Actor, ChangeError, ChangeOutcome, SeatPlan};
use crate::store::{self, OpenMode};
use push::Delivery;

mod audit;
mod push;
mod release;

pub use audit::{AuditArgs, audit};
pub use release::unassign;

/// Names shown before "…and N more" in messages.
const SHOWN: usize = 20;

/// `seats assign`: give seats of a pool to users and groups.
#[derive(Debug, Args)]
pub struct AssignArgs {
    /// The pool: its id, exact name, or SKU part number.
    #[arg(long, value_name = "POOL")]
    pub pool: String,
    /// A user to give a seat, by UPN (repeatable).
    #[arg(long = "user", value_name = "UPN")]
    pub users: Vec<String>,
    /// A group whose members each get one seat (repeatable).
    #[arg(long = "group", value_name = "NAME")]
    pub groups: Vec<String>,
    /// Show the seat delta and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Only queue a change to a connector's pool (`seats sync` sends it);
    /// without it, a Microsoft Graph change is sent before seats exits.
    #[arg(long)]
    pub no_push: bool,
}

/// `seats unassign`: release seats of a pool.
#[derive(Debug, Args)]
pub struct UnassignArgs {
    /// The pool: its id, exact name, or SKU part number.
    #[arg(long, value_name = "POOL")]
    pub pool: String,
    /// A user whose direct assignment goes (repeatable).
    #[arg(long = "user", value_name = "UPN")]
    pub users: Vec<String>,
    /// A group whose assignment goes (repeatable).
    #[arg(long = "group", value_name = "NAME")]
    pub groups: Vec<String>,
    /// Confirm without asking.
    #[arg(long)]
    pub yes: bool,
    /// Show what would be released, what stays and why, and who moves up;
    /// change nothing.
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,
    /// Only queue a change to a connector's pool (`seats sync` sends it);
    /// without it, a Microsoft Graph change is sent before seats exits.
    #[arg(long)]
    pub no_push: bool,
}

/// `seats users …` subcommands.
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// The user leaves: release every seat they hold and drop their group memberships.
    Remove {
        /// The user's UPN.
        upn: String,
        /// Release their devices' seats and memberships too.
        #[arg(long)]
        with_devices: bool,
        /// Only queue the releases of connectors' pools (`seats sync` sends
        /// them); without it, Microsoft Graph releases are sent before seats exits.
        #[arg(long)]
        no_push: bool,
    },
}

/// `seats admins …` subcommands.
#[derive(Debug, Subcommand)]
pub enum AdminsCommand {
    /// Who may change what on this cache.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Add an admin, or change their role (global, license, user, reader).
    Add {
        os_user: String,
        #[arg(long)]
        role: String,
    },
    /// Remove an admin (never the last global administrator).
    Remove { os_user: String },
}

/// The cache and the actor a change command works with.
pub struct Session {
    pub db: PathBuf,
    pub actor: Actor,
}

impl Session {
    /// The cache named by `--db` (or the default one) and the OS user.
    pub fn new(db: Option<PathBuf>, paths: &Paths, actor: String, read_only: bool) -> Session {
        Session {
            db: db.unwrap_or_else(|| paths.existing_db()),
            actor: Actor {
                name: actor,
                read_only,
            },
        }
    }

    fn open(&self) -> Result<Connection, Failure> {
        Ok(store::open(&self.db, OpenMode::MustExist)?)
    }
}

impl From<ChangeError> for Failure {
    fn from(err: ChangeError) -> Failure {
        Failure {
            code: err.exit_code(),
            message: err.to_string(),
        }
    }
}

/// Runs `seats assign`.
pub fn assign(session: &Session, args: AssignArgs) -> Result<(), Failure> {
    let conn = session.open()?;
    let pool = pool_id(&conn, &args.pool)?;
    let principals = principals(&conn, &args.users, &args.groups)?;
    if args.dry_run {
        let plan = changes::plan_assign(&conn, pool, &principals)?;
        // A refused assignment has no delta to show: only why (exit 3).
        if let Some(refusal) = plan.refusal {
            return Err(ChangeError::Refused(refusal).into());
        }
        return print(&describe_plan(&plan));
    }
    let outcome = changes::assign(&conn, &session.actor, pool, &principals)?;
    report(session, &conn, &[outcome], true, !args.no_push, None)
}

/// Pushes what the change queued (unless `push` is false) and prints each
/// outcome with what became of it; a refusal at the source goes to stderr
/// and exits 3 (its local change was rolled back). `tail` ends stdout.
pub(crate) fn report(
    session: &Session,
    conn: &Connection,
    outcomes: &[ChangeOutcome],
    adding: bool,
    push: bool,
    tail: Option<String>,
) -> Result<(), Failure> {
    let deliveries = push::deliver(session, conn, outcomes, push)?;
    let mut text = String::new();
    let mut refused = Vec::new();
    for (outcome, delivery) in outcomes.iter().zip(&deliveries) {
        match delivery {
            Delivery::Refused(why) => refused.push(format!("{}: {why}", outcome.pool_name)),
            _ => text.push_str(&outcome_line(outcome, adding, delivery)),
        }
    }
    if let Some(tail) = tail {
        text.push_str(&tail);
    }
    print(&text)?;
    if refused.is_empty() {
        return Ok(());
    }
    Err(Failure {
        code: 3,
        message: format!("{} (`seats audit` shows it)", refused.join("\nseats: ")),
    })
}

/// Runs `seats users remove`.
pub fn users(session: &Session, command: UsersCommand) -> Result<(), Failure> {
    let UsersCommand::Remove {
        upn,
        with_devices,
        no_push,
    } = command;
    let conn = session.open()?;
    let user = changes::find_user(&conn, &upn)?.ok_or_else(|| unknown_user(&upn))?;
    let outcomes = changes::remove_user(&conn, &session.actor, user, with_devices)?;
    let released: i64 = outcomes.iter().map(|o| o.released).sum();
    let tail = format!(
        "{upn} removed: {released} seat{} released in {} pool{}\n",
        plural(released),
        outcomes.len(),
        plural(outcomes.len() as i64)
    );
    report(session, &conn, &outcomes, false, !no_push, Some(tail))
}

/// Runs `seats admins …`.
pub fn admins(session: &Session, command: AdminsCommand) -> Result<(), Failure> {
    let conn = session.open()?;
    match command {
        AdminsCommand::List { format } => {
            let rows = changes::list_admins(&conn)?;
            let headers = ["os_user", "role", "added_at", "added_by"];
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|a| {
                    vec![
                        a.os_user.clone(),
                        a.role.to_string(),
                        a.added_at.clone(),
                        a.added_by.clone(),
                    ]
                })
                .collect();
            print(&output::render(format, &headers, &cells, &rows))
        }
        AdminsCommand::Add { os_user, role } => {
            let role: Role = role.parse().map_err(|e| Failure::usage(format!("--role: {e}")))?;
            changes::add_admin(&conn, &session.actor, &os_user, role)?;
            print(&format!("{os_user} is now a {}\n", role.label()))
        }
        AdminsCommand::Remove { os_user } => {
            changes::remove_admin(&conn, &session.actor, &os_user)?;
            print(&format!("{os_user} is no longer an admin of this cache\n"))
        }
    }
}

fn pool_id(conn: &Connection, key: &str) -> Result<i64, Failure> {
    crate::cli::pool_by_key(conn, key).map(|pool| pool.id)
}

fn unknown_user(upn: &str) -> Failure {
    Failure::usage(format!(
        "unknown user {upn:?}: give the exact UPN (`seats users --filter TEXT` finds it)"
    ))
}

fn principals(conn: &Connection, users: &[String], groups: &[String]) -> Result<Vec<Principal>, Failure> {
    if users.is_empty() && groups.is_empty() {
        return Err(Failure::usage("name at least one --user UPN or --group NAME"));
    }
    let mut out = Vec::with_capacity(users.len() + groups.len());
    for upn in users {
        let id = changes::find_user(conn, upn)?.ok_or_else(|| unknown_user(upn))?;
        out.push(Principal::User(id));
    }
    for name in groups {
        let id = changes::find_group(conn, name)?
            .ok_or_else(|| Failure::usage(format!("unknown group {name:?}: give the group's exact name")))?;
        out.push(Principal::Group(id));
    }
    Ok(out)
}

fn describe_plan(plan: &SeatPlan) -> String {
    let after = plan.after();
    let total = plan
        .before
        .total
        .map_or("unlimited".to_owned(), |t| t.to_string());
    let mut text = format!(
        "{}: dry run, nothing changed\n  consumed {} → {} of {total} ({} after)\n  \
         new seats: {}, already held: {}\n",
        plan.pool_name,
        plan.before.consumed,
        after.consumed,
        match after.available() {
            Some(n) if n < 0 => format!("short by {}", -n),
            other => format!("{} available", available(other)),
        },
        plan.new_seats,
        plan.already_held
    );
    for group in &plan.groups {
        let (name, n) = (&group.name, group.members);
        text.push_str(&format!("  group {name}: {n} member{}\n", plural(n)));
    }
    text
}

/// `Office 365 E3: +3 seats (consumed 818 → 821, 124 available); applied at Microsoft Graph`
fn outcome_line(o: &ChangeOutcome, adding: bool, delivery: &Delivery) -> String {
    let delta = if adding {
        format!("+{} seat{}", o.added, plural(o.added))
    } else {
        format!("-{} seat{}", o.released, plural(o.released))
    };
    let mut line = format!(
        "{}: {delta} (consumed {} → {}, {} available)",
        o.pool_name,
        o.consumed_before,
        o.consumed_after,
        available(o.available_after())
    );
    if o.promoted > 0 {
        line.push_str(&format!(
            "; {} waiting member{} moved up{}",
            o.promoted,
            plural(o.promoted),
            listed(&o.promoted_names, ": ")
        ));
    }
    line.push_str(&delivery.suffix());
    line.push('\n');
    for (who, why) in o.kept.iter().take(SHOWN) {
        line.push_str(&format!("  kept {who}: {why}\n"));
    }
    if o.kept.len() > SHOWN {
        line.push_str(&format!("  …and {} more kept\n", o.kept.len() - SHOWN));
    }
    line
}

fn available(n: Option<i64>) -> String {
    n.map_or("unlimited".to_owned(), |n| n.to_string())
}

fn plural(n: i64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// "prefix a, b, c …and N more", or nothing for an empty list.
fn listed(names: &[String], prefix: &str) -> String {
    if names.is_empty() {
        return String::new();
    }
    let shown: Vec<&str> = names.iter().take(SHOWN).map(String::as_str).collect();
    let more = names.len().saturating_sub(SHOWN);
    let tail = if more > 0 {
        format!(" …and {more} more")
    } else {
        String::new()
    };
    format!("{prefix}{}{tail}", shown.join(", "))
}

/// Asks on the terminal; anything but y/yes is no.
pub(crate) fn confirm(what: &str, question: &str) -> Result<bool, Failure> {
    eprint!("{what}{question}");
    std::io::stderr().flush().map_err(Failure::unexpected)?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(Failure::unexpected)?;
    Ok(matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes"))
}
