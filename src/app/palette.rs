//! The `:` command palette: what can be typed, completion, and parsing.

use super::pane::PaneId;

/// A command the palette understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaletteCommand {
    /// Show a pane.
    Show(PaneId),
    /// Sort by a column of the current pane.
    Sort { column: usize, descending: bool },
    /// Set the filter of the current pane.
    Filter(String),
    /// Show the keys.
    Help,
    /// Reload from the cache.
    Refresh,
    /// Sync every connector now.
    Sync,
    /// Leave the console.
    Quit,
    /// The selected Store connector's app names in this language (R-CON-1).
    Language(String),
    /// Take the selected Apple connector's token over (R-CON-6).
    TakeOver,
    /// Turn the selected connector on (true) or off (R-CON-1).
    Enable(bool),
    /// Move the selected agreement to this license group (R-AGR-12).
    Move(String),
    /// Import a volume-licensing agreement file (R-AGR-2..5).
    Import(String),
    /// Make, rename or remove a license group (R-AGR-12).
    Group(super::dialogs::GroupOp),
    /// Count the selected detection's name as this title (None: unmap).
    Map(Option<String>),
    /// The selected subscription's seat count (R-SUB-5).
    Quantity(i64),
    /// Bill the selected subscription to this profile (R-SUB-6).
    Profile(String),
    /// Write the selected subscription's invoices to this CSV file.
    ExportInvoices(String),
    /// Record the subscriptions bought in this CSV file.
    ImportSubscriptions(String),
    /// The Reports view (R-RPT-1..5).
    Reports,
    /// Write the report on screen to this file as CSV or JSON (R-RPT-4).
    ExportReport {
        format: crate::output::Format,
        path: String,
    },
}

/// The first words the palette knows, with what they do.
pub const COMMANDS: &[(&str, &str)] = &[
    ("licenses", "Licenses workspace"),
    ("apps", "Apps workspace"),
    ("connectors", "Connectors workspace"),
    ("agreements", "Agreements workspace"),
    ("users", "Users view"),
    ("reclaim", "seats of departed and inactive users"),
    ("audit", "who changed what"),
    ("groups", "groups, their pools, members in error"),
    ("installs", "installs of every app, by state"),
    ("inventory", "detected software titles and their names"),
    ("detections", "every computer each title was seen on"),
    ("subscriptions", "SaaS and ISV subscriptions: status, billing"),
    ("reports", "purchase, installation, inventory, utilization (1-4)"),
    ("sort", "sort COLUMN [desc]"),
    ("filter", "filter FILTER (as /; ? lists the fields)"),
    ("help", "show the keys"),
    ("refresh", "reload from the cache"),
    ("sync", "sync every connector now"),
    ("language", "language TAG: store app names in TAG (Connectors)"),
    (
        "take-over",
        "take the selected Apple token over from the product holding it",
    ),
    // Not "it syncs": a connector this version doesn't sync stays as recorded.
    (
        "enable",
        "turn the selected connector on again (Connectors; the preview says what follows)",
    ),
    ("disable", "turn the selected connector off: no sync, no push"),
    ("move", "move GROUP: the selected agreement to that license group"),
    (
        "import",
        "import FILE: volume-licensing agreements (CSV); import subscriptions FILE: purchases",
    ),
    (
        "group",
        "group add NAME | rename OLD = NEW | remove NAME: license groups",
    ),
    ("map", "map TITLE: count the selected detection's name as TITLE"),
    ("unmap", "count the selected detection's name as detected"),
    ("quantity", "quantity N: the selected subscription's seats"),
    ("profile", "profile NAME: bill the selected subscription to it"),
    (
        "export",
        "export csv|json FILE: the report; export invoices FILE: invoices",
    ),
    ("quit", "leave seats"),
];

/// The first words whose commands change the cache (or queue a change for a
/// source): read-only sessions refuse them when run and the help leaves
/// them out, as it does for the keys that write.
pub const WRITING: &[&str] = &[
    "sync",
    "language",
    "take-over",
    "enable",
    "disable",
    "move",
    "import",
    "group",
    "map",
    "unmap",
    "quantity",
    "profile",
];

impl PaletteCommand {
    /// Whether running it changes the cache: `WRITING`'s commands.
    pub fn writes(&self) -> bool {
        matches!(
            self,
            PaletteCommand::Sync
                | PaletteCommand::Language(_)
                | PaletteCommand::TakeOver
                | PaletteCommand::Enable(_)
                | PaletteCommand::Move(_)
                | PaletteCommand::Import(_)
                | PaletteCommand::ImportSubscriptions(_)
                | PaletteCommand::Group(_)
                | PaletteCommand::Map(_)
                | PaletteCommand::Quantity(_)
                | PaletteCommand::Profile(_)
        )
    }
}

/// Completions for what is typed so far, given the current pane's columns.
pub fn candidates(typed: &str, columns: &[&str]) -> Vec<String> {
    let typed_lower = typed.to_ascii_lowercase();
    match typed_lower.split_once(' ') {
        Some(("sort", rest)) => columns
            .iter()
            .map(|c| c.to_ascii_lowercase().replace(' ', "-"))
            .filter(|c| c.starts_with(rest.trim()))
            .map(|c| format!("sort {c}"))
            .collect(),
        Some(_) => Vec::new(),
        None => COMMANDS
            .iter()
            .filter(|(name, _)| name.starts_with(&typed_lower))
            .map(|(name, _)| (*name).to_owned())
            .collect(),
    }
}

/// Completes `typed` to the longest common prefix of its candidates.
pub fn complete(typed: &str, columns: &[&str]) -> Option<String> {
    let found = candidates(typed, columns);
    let first = found.first()?;
    let common = found.iter().fold(first.len(), |len, c| {
        first
            .chars()
            .zip(c.chars())
            .take(len)
            .take_while(|(a, b)| a == b)
            .count()
    });
    let mut completed: String = first.chars().take(common).collect();
    if found.len() == 1 {
        completed.push(' ');
    }
    Some(completed)
}

/// Parses a palette line; the error says what was wrong and what is known.
pub fn parse(line: &str, columns: &[&str]) -> Result<PaletteCommand, String> {
    let line = line.trim();
    let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
    let word = word.to_ascii_lowercase();
    let rest = rest.trim();
    match word.as_str() {
        "" => Err("type a command; Tab completes".to_owned()),
        "q" | "quit" => Ok(PaletteCommand::Quit),
        "help" => Ok(PaletteCommand::Help),
        "refresh" => Ok(PaletteCommand::Refresh),
        "sync" => Ok(PaletteCommand::Sync),
        "language" if rest.is_empty() => Err("language TAG: give one like en-US or de-DE".to_owned()),
        "language" => Ok(PaletteCommand::Language(rest.to_owned())),
        "take-over" => Ok(PaletteCommand::TakeOver),
        "enable" => Ok(PaletteCommand::Enable(true)),
        "disable" => Ok(PaletteCommand::Enable(false)),
        "move" if rest.is_empty() => Err("move GROUP: name the license group".to_owned()),
        "move" => Ok(PaletteCommand::Move(rest.to_owned())),
        "import" if rest.is_empty() => Err("import FILE: the path of the agreements CSV".to_owned()),
        "import" => match rest.strip_prefix("subscriptions ") {
            Some(path) if !path.trim().is_empty() => {
                Ok(PaletteCommand::ImportSubscriptions(path.trim().to_owned()))
            }
            _ => Ok(PaletteCommand::Import(rest.to_owned())),
        },
        "group" => parse_group(rest),
        "map" if rest.is_empty() => Err("map TITLE: name the title the detected name counts as".to_owned()),
        "map" => Ok(PaletteCommand::Map(Some(rest.to_owned()))),
        "unmap" => Ok(PaletteCommand::Map(None)),
        "quantity" => rest
            .parse::<i64>()
            .map(PaletteCommand::Quantity)
            .map_err(|_| format!("quantity N: give the number of seats, not {rest:?}")),
        "profile" if rest.is_empty() => {
            Err("profile NAME: name the billing profile (`seats billing-profiles` lists them)".to_owned())
        }
        "profile" => Ok(PaletteCommand::Profile(rest.to_owned())),
        "export" => parse_export(rest),
        "reports" => Ok(PaletteCommand::Reports),
        "filter" => Ok(PaletteCommand::Filter(rest.to_owned())),
        "sort" => parse_sort(rest, columns),
        other => PaneId::parse(other).map(PaletteCommand::Show).ok_or_else(|| {
            let known: Vec<&str> = COMMANDS.iter().map(|(n, _)| *n).collect();
            format!("unknown command {other:?}; known: {}", known.join(", "))
        }),
    }
}

/// `export invoices FILE`, `export csv FILE`, `export json FILE`.
fn parse_export(rest: &str) -> Result<PaletteCommand, String> {
    use crate::output::Format;
    let (what, path) = rest.split_once(' ').unwrap_or((rest, ""));
    let path = path.trim().to_owned();
    match what.to_ascii_lowercase().as_str() {
        _ if path.is_empty() => {
            Err("export csv|json FILE (a report) or export invoices FILE: give the file to write".to_owned())
        }
        "invoices" => Ok(PaletteCommand::ExportInvoices(path)),
        "csv" => Ok(PaletteCommand::ExportReport {
            format: Format::Csv,
            path,
        }),
        "json" => Ok(PaletteCommand::ExportReport {
            format: Format::Json,
            path,
        }),
        _ => Err("export csv|json FILE (a report) or export invoices FILE".to_owned()),
    }
}

/// `group add NAME`, `group rename OLD = NEW`, `group remove NAME`.
fn parse_group(rest: &str) -> Result<PaletteCommand, String> {
    use super::dialogs::GroupOp;
    let usage = || "group add NAME | group rename OLD = NEW | group remove NAME".to_owned();
    let (verb, name) = rest.split_once(' ').ok_or_else(usage)?;
    let name = name.trim();
    let op = match verb.to_ascii_lowercase().as_str() {
        "add" => GroupOp::Add(name.to_owned()),
        "remove" => GroupOp::Remove(name.to_owned()),
        "rename" => match name.split_once('=') {
            Some((old, new)) if !old.trim().is_empty() && !new.trim().is_empty() => GroupOp::Rename {
                old: old.trim().to_owned(),
                new: new.trim().to_owned(),
            },
            _ => return Err(usage()),
        },
        _ => return Err(usage()),
    };
    Ok(PaletteCommand::Group(op))
}

fn parse_sort(rest: &str, columns: &[&str]) -> Result<PaletteCommand, String> {
    let mut words = rest.split_whitespace();
    let name = words.next().unwrap_or("").to_ascii_lowercase();
    let descending = matches!(words.next(), Some("desc" | "d" | "-"));
    let names: Vec<String> = columns
        .iter()
        .map(|c| c.to_ascii_lowercase().replace(' ', "-"))
        .collect();
    let column = names
        .iter()
        .position(|c| *c == name)
        .or_else(|| {
            let mut hits = names
                .iter()
                .enumerate()
                .filter(|(_, c)| !name.is_empty() && c.starts_with(&name));
            let first = hits.next()?;
            hits.next().is_none().then_some(first.0)
        })
        .ok_or_else(|| format!("sort by which column? one of: {}", names.join(", ")))?;
    Ok(PaletteCommand::Sort { column, descending })
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[&str] = &["Name", "Kind", "Last sync", "Free"];

    #[test]
    fn completes_commands_and_columns() {
        assert_eq!(complete("con", COLUMNS), Some("connectors ".to_owned()));
        assert_eq!(complete("sort la", COLUMNS), Some("sort last-sync ".to_owned()));
        assert_eq!(candidates("a", COLUMNS), vec!["apps", "agreements", "audit"]);
        assert_eq!(complete("a", COLUMNS), Some("a".to_owned()));
        assert_eq!(complete("zzz", COLUMNS), None);
    }

    #[test]
    fn parses_commands() {
        assert_eq!(parse("apps", COLUMNS), Ok(PaletteCommand::Show(PaneId::Apps)));
        assert_eq!(
            parse("sort free desc", COLUMNS),
            Ok(PaletteCommand::Sort {
                column: 3,
                descending: true
            })
        );
        assert_eq!(
            parse("filter !vpp", COLUMNS),
            Ok(PaletteCommand::Filter("!vpp".into()))
        );
        assert!(
            parse("sort size", COLUMNS)
                .unwrap_err()
                .contains("name, kind, last-sync, free")
        );
        assert!(parse("frobnicate", COLUMNS).unwrap_err().contains("known:"));
    }

    #[test]
    fn parses_reports_and_their_exports() {
        use crate::output::Format;
        assert_eq!(parse("reports", COLUMNS), Ok(PaletteCommand::Reports));
        assert_eq!(
            parse("export csv ~/a b.csv", COLUMNS),
            Ok(PaletteCommand::ExportReport {
                format: Format::Csv,
                path: "~/a b.csv".into()
            })
        );
        assert_eq!(
            parse("export JSON out.json", COLUMNS),
            Ok(PaletteCommand::ExportReport {
                format: Format::Json,
                path: "out.json".into()
            })
        );
        assert_eq!(
            parse("export invoices x.csv", COLUMNS),
            Ok(PaletteCommand::ExportInvoices("x.csv".into()))
        );
        assert!(parse("export csv", COLUMNS).unwrap_err().contains("FILE"));
        assert!(parse("export xml x", COLUMNS).unwrap_err().contains("csv|json"));
    }
}
