//! `[design] kind = "table"`: design points read from a CSV file whose header names the
//! parameters (one column per `[[parameter]]` key) and whose rows are the design points, so that
//! designs made by other tools (SALib, pyDOE, R) run unchanged.

/// A design table: the column names and, per column, the values of every row.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DesignTable {
    /// Header names, in file order.
    pub columns: Vec<String>,
    /// `values[c][r]`: column `c` of data row `r`.
    pub values: Vec<Vec<f64>>,
}

impl DesignTable {
    /// Number of design points (data rows).
    pub fn rows(&self) -> usize {
        self.values.first().map_or(0, Vec::len)
    }

    /// The values of the column named `key`.
    pub fn column(&self, key: &str) -> Option<&[f64]> {
        self.columns.iter().position(|c| c == key).map(|i| self.values[i].as_slice())
    }
}

/// Strips spaces and one pair of double quotes around a CSV field.
fn field(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(s)
}

/// Parses the CSV text of a design table. Errors say where in the CSV (`line N`, 1-based) and
/// what; the caller places them at the sweep file's `file` key. Blank lines are skipped; fields
/// are separated by commas (no embedded commas); every value must be a finite number.
pub(crate) fn parse(text: &str) -> Result<DesignTable, String> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err("the design table is empty; expected a header of parameter keys".into());
    };
    let columns: Vec<String> =
        header.trim_start_matches('\u{feff}').split(',').map(|c| field(c).to_string()).collect();
    for (i, c) in columns.iter().enumerate() {
        if c.is_empty() {
            return Err(format!("line 1: column {} has an empty name", i + 1));
        }
        if columns[..i].contains(c) {
            return Err(format!("line 1: column `{c}` appears twice"));
        }
    }
    let mut values = vec![Vec::new(); columns.len()];
    for (n, line) in lines {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() != columns.len() {
            return Err(format!("line {}: expected {} values, found {}", n + 1, columns.len(), cells.len()));
        }
        for (c, cell) in cells.iter().enumerate() {
            let x: f64 = field(cell)
                .parse()
                .map_err(|_| format!("line {}: `{}` is not a number ({})", n + 1, field(cell), columns[c]))?;
            if !x.is_finite() {
                return Err(format!(
                    "line {}: expected a finite number for `{}`, found {x}",
                    n + 1,
                    columns[c]
                ));
            }
            values[c].push(x);
        }
    }
    if values.first().is_none_or(Vec::is_empty) {
        return Err("the design table has a header but no rows; expected one row per design point".into());
    }
    Ok(DesignTable { columns, values })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_salib_style_table_is_read_column_by_column() {
        let t = parse("\u{feff}\"a.b\",c\n0.5, 1\n\n0.25,2e-1\n").unwrap();
        assert_eq!(t.columns, vec!["a.b", "c"]);
        assert_eq!(t.rows(), 2);
        assert_eq!(t.column("a.b"), Some(&[0.5, 0.25][..]));
        assert_eq!(t.column("c"), Some(&[1.0, 0.2][..]));
        assert_eq!(t.column("d"), None);
    }

    #[test]
    fn bad_tables_say_which_line() {
        assert!(parse("").unwrap_err().contains("empty"));
        assert!(parse("a,b\n").unwrap_err().contains("no rows"));
        assert!(parse("a,a\n1,2\n").unwrap_err().contains("twice"));
        assert_eq!(parse("a,b\n1,2\n3\n").unwrap_err(), "line 3: expected 2 values, found 1");
        assert!(parse("a\n1\nx\n").unwrap_err().starts_with("line 3: `x` is not a number"));
        assert!(parse("a\nNaN\n").unwrap_err().contains("finite"));
    }
}
