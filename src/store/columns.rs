//! Reading the closed vocabularies out of rows.

use std::str::FromStr;

use rusqlite::Row;
use rusqlite::types::Type;

/// Reads a text column into one of the domain's enums; an unknown value is a
/// conversion error naming the column, not a panic.
pub fn parse_text<T>(row: &Row<'_>, column: &str) -> rusqlite::Result<T>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text: String = row.get(column)?;
    let index = row.as_ref().column_index(column)?;
    text.parse::<T>()
        .map_err(|err| rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(err)))
}

/// Reads a 0/1 column as a bool.
pub fn flag(row: &Row<'_>, column: &str) -> rusqlite::Result<bool> {
    Ok(row.get::<_, i64>(column)? != 0)
}
