//! `seats import inventory FILE [--dry-run]` and `seats products [map RAW
//! TITLE | unmap RAW]` (issue 9, R-APP-10): detected software from a CSV
//! file, and the titles its product names count as.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::cli::{Failure, print};
use crate::domain::inventory_csv::{self, InventoryFile};
use crate::output::{self, Format};
use crate::store::changes::Actor;
use crate::store::inventory_import::{self, Outcome};
use crate::store::products::{self, Moved, ProductRow};
use crate::store::{self, OpenMode};

/// `seats import inventory` options.
#[derive(Debug, Args)]
pub struct ImportInventoryArgs {
    /// The CSV file: a header row naming computer, user, publisher, product,
    /// version, last seen (any order; see README).
    pub file: PathBuf,
    /// Show what would be added and updated; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `seats products` options.
#[derive(Debug, Args)]
pub struct ProductsArgs {
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(subcommand)]
    pub action: Option<ProductsCommand>,
}

/// `seats products map|unmap`.
#[derive(Debug, Subcommand)]
pub enum ProductsCommand {
    /// Count the detected name RAW (any publisher, ignoring case) as TITLE.
    Map { raw: String, title: String },
    /// Drop the mapping of RAW: it counts as its normalised name again.
    Unmap { raw: String },
}

/// An inventory file larger than this is not read into memory; 100k
/// computers × 40 titles is about 400 MB.
const MAX_FILE_BYTES: u64 = 2 << 30;

/// Whether `command` is one of these that changes the cache.
pub fn changes_cache(command: &crate::cli::Commands) -> bool {
    use crate::cli::Commands;
    use crate::cli_agreements::ImportWhat;
    match command {
        Commands::Import {
            what: ImportWhat::Inventory(args),
        } => !args.dry_run,
        Commands::Products(args) => args.action.is_some(),
        _ => false,
    }
}

/// Runs `seats import inventory`.
pub fn import(db: &Path, actor: &Actor, args: ImportInventoryArgs) -> Result<(), Failure> {
    let shown = args.file.display().to_string();
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = read_file(&args.file)?;
    let now = chrono::Utc::now();
    let file = inventory_csv::parse(&bytes, now).map_err(|problems| Failure {
        code: 2,
        message: format!("{shown}: {}", inventory_csv::describe(&problems)),
    })?;
    drop(bytes);
    let conn = store::open(db, OpenMode::MustExist)?;
    let outcome = if args.dry_run {
        inventory_import::dry_run(&conn, &file_name, &file, now)?
    } else {
        inventory_import::import(&conn, actor, &file_name, &file, now)?
    };
    print(&summary(&shown, &file, &outcome, args.dry_run))
}

fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    let cant = |err: std::io::Error| Failure::usage(format!("can't read {}: {err}", path.display()));
    let size = std::fs::metadata(path).map_err(cant)?.len();
    if size > MAX_FILE_BYTES {
        return Err(Failure::usage(format!(
            "{} is {size} bytes; import at most {MAX_FILE_BYTES} bytes at a time (split the file by computer); \
             nothing was imported",
            path.display()
        )));
    }
    std::fs::read(path).map_err(cant)
}

/// What was (or would be) imported.
fn summary(file: &str, read: &InventoryFile, o: &Outcome, dry_run: bool) -> String {
    let verb = if dry_run {
        "dry run: would import"
    } else {
        "imported"
    };
    let mut out = format!(
        "{verb} {} row{} from {file} ({} line{} read): {} added, {} updated, {} unchanged\n",
        o.rows,
        plural(o.rows),
        read.lines,
        plural(read.lines),
        o.added,
        o.updated,
        o.unchanged
    );
    out.push_str(&format!(
        "  {} computer{} new to the cache (created unmanaged), {} publisher{}, {} title{} and {} product name{} new\n",
        o.computers_created,
        plural(o.computers_created),
        o.made.publishers,
        plural(o.made.publishers),
        o.made.products,
        plural(o.made.products),
        o.made.raw_names,
        plural(o.made.raw_names)
    ));
    if !read.ignored.is_empty() {
        out.push_str(&format!("  columns ignored: {}\n", read.ignored.join(", ")));
    }
    if dry_run {
        out.push_str("nothing was changed\n");
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Runs `seats products …`.
pub fn products(db: &Path, actor: &Actor, args: ProductsArgs) -> Result<(), Failure> {
    let conn = store::open(db, OpenMode::MustExist)?;
    match args.action {
        None => {
            let rows = products::list(&conn)?;
            let cells = |p: &ProductRow| {
                let raws: Vec<String> = p
                    .raw_names
                    .iter()
                    .map(|r| {
                        if p.overridden.contains(r) {
                            format!("{r} (mapped)")
                        } else {
                            r.clone()
                        }
                    })
                    .collect();
                vec![
                    p.title.clone(),
                    p.publisher.clone(),
                    raws.join("; "),
                    p.computers.to_string(),
                ]
            };
            let table: Vec<Vec<String>> = rows.iter().map(cells).collect();
            let headers = ["title", "publisher", "raw_names", "computers"];
            print(&output::render(args.format, &headers, &table, &rows))
        }
        Some(ProductsCommand::Map { raw, title }) => {
            let moved = products::map(&conn, actor, &raw, &title)?;
            print(&format!(
                "{raw:?} now counts as {:?}; {}\n",
                title.trim(),
                moved_text(moved)
            ))
        }
        Some(ProductsCommand::Unmap { raw }) => {
            let moved = products::unmap(&conn, actor, &raw)?;
            print(&format!(
                "{raw:?} counts as its normalised name again; {}\n",
                moved_text(moved)
            ))
        }
    }
}

fn moved_text(moved: Moved) -> String {
    format!(
        "{} detected name{} and {} inventory row{} moved",
        moved.raw_names,
        plural(moved.raw_names),
        moved.rows,
        plural(moved.rows)
    )
}
