//! CSV encoding of a [`Table`]: header line, `\n` line ends, RFC 4180 quoting only where needed.

use std::io::{self, Write};

use crate::{ColumnData, Table};

/// Writes `table` (whose columns all have `n_rows` values) as CSV.
pub(crate) fn write_csv(out: &mut impl Write, table: &Table, n_rows: usize) -> io::Result<()> {
    write_header(out, table)?;
    write_rows(out, table, n_rows)
}

/// Writes the header line: the column names.
pub(crate) fn write_header(out: &mut impl Write, table: &Table) -> io::Result<()> {
    for (i, column) in table.columns.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write_str(out, &column.name)?;
    }
    out.write_all(b"\n")
}

/// Writes the rows of `table` (whose columns all have `n_rows` values), each ending in `\n`.
pub(crate) fn write_rows(out: &mut impl Write, table: &Table, n_rows: usize) -> io::Result<()> {
    for row in 0..n_rows {
        for (i, column) in table.columns.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            match &column.data {
                ColumnData::U32(v) => write!(out, "{}", v[row])?,
                ColumnData::U64(v) => write!(out, "{}", v[row])?,
                ColumnData::I64(v) => write!(out, "{}", v[row])?,
                ColumnData::F64(v) => write_f64(out, v[row])?,
                ColumnData::Str(v) => write_str(out, &v[row])?,
            }
        }
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Shortest round-trip `Display`; NaN is an empty field, infinities are `inf` / `-inf`.
fn write_f64(out: &mut impl Write, x: f64) -> io::Result<()> {
    if x.is_nan() { Ok(()) } else { write!(out, "{x}") }
}

/// Writes a string field, quoting it (with doubled quotes) only when it holds `,`, `"`, `\r` or `\n`.
fn write_str(out: &mut impl Write, s: &str) -> io::Result<()> {
    if s.contains([',', '"', '\n', '\r']) {
        out.write_all(b"\"")?;
        out.write_all(s.replace('"', "\"\"").as_bytes())?;
        out.write_all(b"\"")
    } else {
        out.write_all(s.as_bytes())
    }
}
