//! Apple's paging (apis.md §3.3): zero-based `pageIndex`, a server-chosen
//! page size, `currentPageIndex`, `nextPageIndex` (absent on the last
//! page), `size`, `totalPages`; `sinceVersionId` for incremental reads.

use rusqlite::Connection;
use serde_json::{Map, Value, json};

use super::error::AppleError;
use super::{current_version, meta};
use crate::sim::paging::Query;

/// The requested page, checked: 9602 for a non-number.
pub(crate) fn page_index(query: &Query) -> Result<i64, AppleError> {
    match query.get("pageIndex") {
        None => Ok(0),
        Some(text) => match text.trim().parse::<i64>() {
            Ok(n) if n >= 0 => Ok(n),
            _ => Err(AppleError::new(9650, format!("Invalid pageIndex: {text}"))),
        },
    }
}

/// 9650 for a page past the end (page 0 always exists).
pub(crate) fn check_range(index: i64, total_pages: i64) -> Result<(), AppleError> {
    if index > 0 && index >= total_pages {
        return Err(AppleError::new(
            9650,
            format!("pageIndex {index} is out of range; there are {total_pages} pages."),
        ));
    }
    Ok(())
}

pub(crate) fn total_pages(records: i64, size: i64) -> i64 {
    (records + size - 1) / size.max(1)
}

/// The paging fields of a page, merged into `body`.
pub(crate) fn paged(mut body: Map<String, Value>, index: i64, total: i64, size: i64, version: &str) -> Value {
    body.insert("currentPageIndex".to_owned(), json!(index));
    if index + 1 < total {
        body.insert("nextPageIndex".to_owned(), json!(index + 1));
    }
    body.insert("size".to_owned(), json!(size));
    body.insert("totalPages".to_owned(), json!(total));
    body.insert("versionId".to_owned(), json!(version));
    Value::Object(body)
}

/// The `versionId` handed out for version `n`: opaque to clients.
pub(crate) fn version_id(n: i64) -> String {
    format!("{:x}-{n:08}", 0x0005_ea75_u32.wrapping_mul(n as u32 | 1))
}

/// The version a `sinceVersionId` names; 9721 when it is not one of ours,
/// lies ahead, or predates the versions kept.
pub(crate) fn since_version(conn: &Connection, query: &Query) -> Result<Option<i64>, AppleError> {
    let Some(text) = query.get("sinceVersionId") else {
        return Ok(None);
    };
    let invalid = || AppleError::new(9721, format!("Invalid versionId: {text}"));
    let n: i64 = text
        .split_once('-')
        .and_then(|(_, n)| n.parse().ok())
        .ok_or_else(invalid)?;
    if version_id(n) != text.trim() {
        return Err(invalid());
    }
    let epoch: i64 = meta(conn, "apple_version_epoch")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if n > current_version(conn)? || n < epoch {
        return Err(invalid());
    }
    Ok(Some(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_page_has_no_next_index() {
        let first = paged(Map::new(), 0, 3, 10, "v");
        assert_eq!(first["nextPageIndex"], 1);
        let last = paged(Map::new(), 2, 3, 10, "v");
        assert!(last.get("nextPageIndex").is_none());
        assert_eq!(last["totalPages"], 3);
        assert_eq!(total_pages(0, 10), 0);
        assert_eq!(total_pages(21, 10), 3);
        assert!(check_range(0, 0).is_ok());
        assert_eq!(check_range(3, 3).unwrap_err().number, 9650);
    }
}
