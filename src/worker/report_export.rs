//! `:export csv|json PATH` in the Reports view (R-RPT-4): every row of the
//! report that passes the view's filter, in its order, rendered by the same
//! function as `seats report --format csv|json`. The file appears whole or
//! not at all: the rows go to a temporary file beside it, linked to PATH
//! only once they are all written. An existing file is never overwritten,
//! as with the invoices' export.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::app::WorkerEvent;
use crate::app::reports::ReportExport;
use crate::output::Format;
use crate::store::{self, OpenMode, reports::render::render};

/// Writes the export; the answer is a finished job whose message says how
/// many rows went where, or why nothing was written.
pub fn run(db: &Path, export: &ReportExport) -> WorkerEvent {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    WorkerEvent::JobFinished {
        id: 0,
        label: format!("export of the {} report", export.kind.name()),
        outcome: write(db, export, home.as_deref()),
    }
}

/// The path as typed, a leading `~/` standing for `home` as in a shell,
/// and quotes around it (as a shell takes them) removed.
fn expand(typed: &str, home: Option<&Path>) -> PathBuf {
    let typed = typed.trim();
    let typed = ['"', '\'']
        .iter()
        .find_map(|q| typed.strip_prefix(*q).and_then(|t| t.strip_suffix(*q)))
        .unwrap_or(typed);
    match (typed.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(typed),
    }
}

fn write(db: &Path, export: &ReportExport, home: Option<&Path>) -> Result<String, String> {
    let path = expand(&export.path, home);
    let shown = path.display().to_string();
    if path.exists() {
        return Err(format!(
            "{shown} exists: choose a new file name (nothing is overwritten)"
        ));
    }
    let conn =
        store::open(db, OpenMode::MustExist).map_err(|err| format!("reading the cache failed: {err}"))?;
    let (count, mut text) = render(&conn, export.kind, export.format, &export.request)
        .map_err(|err| format!("reading the report failed: {err}; nothing written to {shown}"))?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    write_whole(&path, text.as_bytes()).map_err(|err| {
        format!("can't write {shown}: {err}; nothing written, choose a folder you may write")
    })?;
    let format = match export.format {
        Format::Json => "JSON",
        _ => "CSV",
    };
    Ok(format!(
        "{count} row{} written to {shown} ({format})",
        if count == 1 { "" } else { "s" }
    ))
}

/// Writes `bytes` to a temporary file beside `path`, then links it as
/// `path`, which fails if `path` appeared meanwhile; the temporary file is
/// removed either way and, on an error, `path` is as it was.
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"))?;
    let mut temporary = PathBuf::from(path);
    temporary.set_file_name(format!(
        ".{}.seats-{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::hard_link(&temporary, path)
    })();
    let _ = std::fs::remove_file(&temporary);
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::reports::{Kind, Scope};

    fn export(path: &str) -> ReportExport {
        let scope = Scope {
            group: None,
            now: chrono::Utc::now(),
        };
        ReportExport {
            kind: Kind::Utilization,
            format: Format::Csv,
            path: path.to_owned(),
            request: scope.request(None, 0, false),
        }
    }

    #[test]
    fn a_leading_tilde_is_the_home_folder_and_the_message_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("seats.db");
        drop(store::open(&db, OpenMode::Create).unwrap());
        let said = write(&db, &export("~/out.csv"), Some(dir.path())).unwrap();
        let file = dir.path().join("out.csv");
        assert!(
            said.contains(&format!("0 rows written to {}", file.display())),
            "{said}"
        );
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("pool,kind,source,total"), "{text}");
    }

    #[test]
    fn an_unwritable_path_is_named_and_nothing_is_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("seats.db");
        drop(store::open(&db, OpenMode::Create).unwrap());
        let folder = dir.path().join("missing");
        let err = write(&db, &export(&folder.join("out.csv").display().to_string()), None).unwrap_err();
        assert!(
            err.contains(&folder.join("out.csv").display().to_string()),
            "{err}"
        );
        assert!(err.contains("nothing written"), "{err}");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 1, "only the cache: {left:?}");
    }

    #[test]
    fn an_existing_file_is_kept_and_a_quoted_path_with_spaces_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("seats.db");
        drop(store::open(&db, OpenMode::Create).unwrap());
        let kept = dir.path().join("kept.csv");
        std::fs::write(&kept, "mine\n").unwrap();
        let err = write(&db, &export(&kept.display().to_string()), None).unwrap_err();
        assert!(
            err.contains("exists") && err.contains("nothing is overwritten"),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&kept).unwrap(), "mine\n");
        let spaced = dir.path().join("with space.csv");
        write(&db, &export(&format!("\"{}\"", spaced.display())), None).unwrap();
        assert!(std::fs::read_to_string(&spaced).unwrap().starts_with("pool,"));
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(names.is_empty(), "no temporary file left: {names:?}");
    }
}
