//! `seats billing-profile add|edit` (issue 10, R-SUB-6): the headless twin
//! of the billing dialog's profile form, checked by the same domain rules
//! and saved by the same audited store function. A card is given as its
//! last four digits only; a longer number is refused (exit 2) and never
//! stored.

use clap::{Args, Subcommand};

use crate::cli::{Failure, print};
use crate::cli_changes::Session;
use crate::domain::subscription_billing::{ProfileTexts, check_profile};
use crate::store::{self, OpenMode, billing, billing_edit};

/// What the profile says; on `edit`, what is left out stays as it is.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// Paid by card: its last four digits (never the full number).
    #[arg(long, value_name = "LAST4", conflicts_with = "wire")]
    pub card: Option<String>,
    /// Paid by check or wire transfer.
    #[arg(long)]
    pub wire: bool,
    /// The billing contact's name.
    #[arg(long)]
    pub contact: Option<String>,
    /// The billing contact's e-mail address.
    #[arg(long)]
    pub email: Option<String>,
    /// The billing address.
    #[arg(long)]
    pub address: Option<String>,
    /// The roles that may change it or bill to it, comma separated
    /// (global, license, user); a new profile defaults to global,license.
    #[arg(long)]
    pub roles: Option<String>,
}

/// `seats billing-profile …`.
#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Add a billing profile.
    Add {
        name: String,
        #[command(flatten)]
        args: ProfileArgs,
    },
    /// Change a billing profile (by id or name).
    Edit {
        profile: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        args: ProfileArgs,
    },
}

/// Runs `seats billing-profile add|edit`.
pub fn run(session: &Session, command: ProfileCommand) -> Result<(), Failure> {
    let conn = store::open(&session.db, OpenMode::MustExist)?;
    let (id, name, args, old) = match command {
        ProfileCommand::Add { name, args } => (None, name, args, None),
        ProfileCommand::Edit { profile, name, args } => {
            let found = billing::profiles(&conn)?
                .into_iter()
                .find(|p| p.id.to_string() == profile.trim() || p.name.eq_ignore_ascii_case(profile.trim()))
                .ok_or_else(|| {
                    Failure::usage(format!(
                        "no billing profile {profile:?}; `seats billing-profiles` lists them"
                    ))
                })?;
            (
                Some(found.id),
                name.unwrap_or_else(|| found.name.clone()),
                args,
                Some(found),
            )
        }
    };
    let card = match (&args.card, args.wire, &old) {
        (Some(_), _, _) => true,
        (None, true, _) => false,
        (None, false, Some(old)) => old.payment_method == "credit_card",
        (None, false, None) => {
            return Err(Failure::usage("say how it pays: --card LAST4 or --wire"));
        }
    };
    let keep = |given: &Option<String>, was: Option<&str>| {
        given.clone().or(was.map(str::to_owned)).unwrap_or_default()
    };
    let last4 = keep(&args.card, old.as_ref().and_then(|o| o.card_last4.as_deref()));
    let contact = keep(&args.contact, old.as_ref().map(|o| o.contact_name.as_str()));
    let email = keep(&args.email, old.as_ref().map(|o| o.contact_email.as_str()));
    let address = keep(&args.address, old.as_ref().map(|o| o.address.as_str()));
    let was_roles = old.as_ref().map(|o| o.editable_by.join(","));
    let roles = keep(
        &args.roles,
        Some(was_roles.as_deref().unwrap_or("global,license")),
    );
    let entry = check_profile(&ProfileTexts {
        id,
        name: &name,
        method: if card { "card" } else { "check/wire" },
        last4: &last4,
        contact_name: &contact,
        contact_email: &email,
        address: &address,
        roles: &roles,
    })
    .map_err(|problems| {
        let lines: Vec<String> = problems
            .iter()
            .map(|(field, why)| format!("{}: {why}", flag(field)))
            .collect();
        Failure::usage(lines.join("\n"))
    })?;
    let said = billing_edit::save_profile(&conn, &session.actor, &entry)?;
    print(&format!("{said}\n"))
}

/// The option a problem is about.
fn flag(field: &str) -> &'static str {
    match field {
        "name" => "name",
        "card" => "--card",
        "contact" => "--contact",
        "email" => "--email",
        "address" => "--address",
        _ => "--roles",
    }
}
