//! A small reader for the CSV files `scslab-output` writes: a header line, `\n` line ends, and
//! RFC 4180 quoting (fields holding `,`, `"` or line breaks are quoted, quotes doubled).
//! Numbers are parsed on demand, column by column; an empty field is a missing number (NaN).

use std::path::{Path, PathBuf};

use crate::ReportError;

/// A CSV file read into memory: its header and its rows as strings.
#[derive(Debug, Clone)]
pub(crate) struct CsvTable {
    path: PathBuf,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// The 1-based line on which each row starts (the header is line 1).
    row_lines: Vec<usize>,
}

impl CsvTable {
    /// Reads and parses `path`.
    pub(crate) fn read(path: &Path) -> Result<CsvTable, ReportError> {
        let text = crate::read_text(path)?;
        CsvTable::parse(&text, path)
    }

    /// Parses CSV text; `path` names the file in errors.
    pub(crate) fn parse(text: &str, path: &Path) -> Result<CsvTable, ReportError> {
        let mut records = parse_records(text, path)?.into_iter();
        let Some((_, header)) = records.next() else {
            return Err(csv_error(path, 1, "the file is empty; expected a header line"));
        };
        let mut rows = Vec::new();
        let mut row_lines = Vec::new();
        for (line, fields) in records {
            if fields.len() != header.len() {
                return Err(csv_error(
                    path,
                    line,
                    &format!("expected {} fields as in the header, found {}", header.len(), fields.len()),
                ));
            }
            rows.push(fields);
            row_lines.push(line);
        }
        Ok(CsvTable { path: path.to_path_buf(), header, rows, row_lines })
    }

    /// The file this table was read from.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Number of data rows.
    pub(crate) fn n_rows(&self) -> usize {
        self.rows.len()
    }

    /// Column names in file order.
    pub(crate) fn columns(&self) -> &[String] {
        &self.header
    }

    /// A text column, or `None` if the file has no such column.
    pub(crate) fn strings(&self, column: &str) -> Option<Vec<&str>> {
        let c = self.index(column)?;
        Some(self.rows.iter().map(|r| r[c].as_str()).collect())
    }

    /// A numeric column (empty fields are NaN), `Ok(None)` if the file has no such column, or an
    /// error naming the line of the first field that is not a number.
    pub(crate) fn numbers(&self, column: &str) -> Result<Option<Vec<f64>>, ReportError> {
        let Some(c) = self.index(column) else { return Ok(None) };
        let mut out = Vec::with_capacity(self.rows.len());
        for (row, line) in self.rows.iter().zip(&self.row_lines) {
            let field = row[c].trim();
            if field.is_empty() {
                out.push(f64::NAN);
                continue;
            }
            match field.parse::<f64>() {
                Ok(x) => out.push(x),
                Err(_) => {
                    return Err(csv_error(
                        &self.path,
                        *line,
                        &format!("column `{column}`: expected a number, found `{field}`"),
                    ));
                }
            }
        }
        Ok(Some(out))
    }

    fn index(&self, column: &str) -> Option<usize> {
        self.header.iter().position(|h| h == column)
    }
}

fn csv_error(path: &Path, line: usize, message: &str) -> ReportError {
    ReportError::Csv { path: path.to_path_buf(), line, message: message.to_string() }
}

/// Splits text into records of fields, each with the line it starts on.
fn parse_records(text: &str, path: &Path) -> Result<Vec<(usize, Vec<String>)>, ReportError> {
    let mut records = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut record_line = 1;
    let mut chars = text.chars().peekable();
    // True right after a closing quote: only a separator or a line end may follow.
    let mut after_quote = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if field.is_empty() && !after_quote => {
                let quote_line = line;
                loop {
                    match chars.next() {
                        None => return Err(csv_error(path, quote_line, "a quoted field is never closed")),
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some(ch) => {
                            if ch == '\n' {
                                line += 1;
                            }
                            field.push(ch);
                        }
                    }
                }
                after_quote = true;
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                after_quote = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                records.push((record_line, std::mem::take(&mut fields)));
                after_quote = false;
                line += 1;
                record_line = line;
            }
            '"' => return Err(csv_error(path, line, "a quote inside an unquoted field")),
            _ if after_quote => {
                return Err(csv_error(path, line, "text after a closing quote; expected `,` or a line end"));
            }
            _ => field.push(c),
        }
    }
    // A last record without a line end.
    if !field.is_empty() || !fields.is_empty() || after_quote {
        fields.push(field);
        records.push((record_line, fields));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<CsvTable, ReportError> {
        CsvTable::parse(text, Path::new("t.csv"))
    }

    fn line_of(e: ReportError) -> usize {
        match e {
            ReportError::Csv { line, .. } => line,
            other => panic!("expected a CSV error, got {other:?}"),
        }
    }

    #[test]
    fn quoted_fields_keep_commas_quotes_and_line_breaks() {
        let t = parse("outcome,label,value\na,\"sanctions, per 1,000\",1.5\nb,\"say \"\"hi\"\"\",2\nc,\"two\nlines\",3\n")
            .unwrap();
        assert_eq!(t.n_rows(), 3);
        assert_eq!(t.strings("label").unwrap(), ["sanctions, per 1,000", "say \"hi\"", "two\nlines"]);
        assert_eq!(t.numbers("value").unwrap().unwrap(), [1.5, 2.0, 3.0]);
    }

    #[test]
    fn empty_fields_are_nan_and_missing_columns_are_none() {
        let t = parse("day,x\n0,\n1,inf\n2,-3e-2").unwrap();
        let x = t.numbers("x").unwrap().unwrap();
        assert!(x[0].is_nan());
        assert_eq!(x[1], f64::INFINITY);
        assert_eq!(x[2], -0.03);
        assert!(t.numbers("y").unwrap().is_none());
        assert!(t.strings("y").is_none());
    }

    #[test]
    fn crlf_line_ends_are_accepted() {
        let t = parse("a,b\r\n1,2\r\n").unwrap();
        assert_eq!(t.numbers("b").unwrap().unwrap(), [2.0]);
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(line_of(parse("a,b\n1,2\n3\n").unwrap_err()), 3);
        assert_eq!(line_of(parse("a,b\n1,2\n\"x,2\n").unwrap_err()), 3);
        assert_eq!(line_of(parse("a,b\n1,2\n\"x\"y,2\n").unwrap_err()), 3);
        assert_eq!(line_of(parse("a,b\nx\"y,2\n").unwrap_err()), 2);
        assert_eq!(line_of(parse("").unwrap_err()), 1);
        // A quoted line break moves the line count on.
        let t = parse("a,b\n\"one\ntwo\",1\n3,zz\n").unwrap();
        let e = t.numbers("b").unwrap_err();
        assert_eq!(line_of(e), 4);
        assert!(t.numbers("b").unwrap_err().to_string().contains("t.csv:4: column `b`"));
    }
}
