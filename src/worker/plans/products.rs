//! The preview of `:map TITLE` and `:unmap` in Detections (R-APP-10): which
//! names and how many detections would count as another title.

use rusqlite::Connection;

use super::line;
use crate::app::dialogs::Preview;
use crate::store::changes::ChangeError;
use crate::store::products;

pub fn map(conn: &Connection, raw: &str, title: Option<&str>) -> Result<Preview, ChangeError> {
    let moved = products::would_move(conn, raw, title)?;
    let (heading, target) = match title {
        Some(title) => ("Map a detected name (confirm)", format!("as {title:?}")),
        None => (
            "Unmap a detected name (confirm)",
            "as the normaliser names it again".to_owned(),
        ),
    };
    let s = if moved.rows == 1 { "" } else { "s" };
    let mut lines = vec![line(format!("{raw:?}, from every publisher, counts {target}"))];
    lines.push(line(if moved.rows == 0 && moved.raw_names == 0 {
        "no detection moves now; names detected later take the mapping".to_owned()
    } else {
        format!("{} detection{s} move to that title in the reports", moved.rows)
    }));
    if title.is_some() {
        lines.push(line(
            "`:unmap` on a detection of that name undoes it; the audit log keeps both",
        ));
    }
    Ok(Preview {
        title: heading.into(),
        lines,
        refusal: None,
    })
}
