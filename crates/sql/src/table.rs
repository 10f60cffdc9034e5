//! The one check of `--sql-table`, for the query and for `--sql-ddl`: the
//! name is written into the statement as it is, so it must be a plain
//! identifier.

/// A `--sql-table` that is not a plain (optionally qualified) name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--sql-table {0:?}: not a table name (letters, digits and '_', optionally DATABASE.TABLE)")]
pub struct TableNameError(pub String);

/// ASCII letters, digits and `_`, in one or more dot-separated parts.
pub fn check_table_name(table: &str) -> Result<(), TableNameError> {
    let plain = |part: &str| {
        !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if table.split('.').all(plain) {
        Ok(())
    } else {
        Err(TableNameError(table.to_owned()))
    }
}
