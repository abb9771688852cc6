//! The targets of a calibration: a CSV of dated facts, one a line (`id, date, quantity, value,
//! sd, role, source`), checked against the scenario before any run: every quantity is one of
//! [`QUANTITIES`], every date falls inside the run, every value is a finite count and every
//! standard error a positive number. Errors are `ScenarioError::Invalid` values with the file,
//! line and column of the offending field, like the scenario reader's.
//!
//! The built-in `china-2020` targets are [`CHINA_2020_TARGETS`], a file kept in the repository
//! (`china-2020-targets.csv` beside this module).

use scslab_scenario::ScenarioError;

use super::{Date, QUANTITIES, Quantity};

/// The built-in targets: FACTS.md section 2, rows B9-B20, with their standard errors and roles.
pub const CHINA_2020_TARGETS: &str = include_str!("china-2020-targets.csv");

/// The name the built-in targets go by in messages and files.
pub const CHINA_2020_TARGETS_FILE: &str = "builtin:china-2020-targets.csv";

/// The columns of a targets file, in any order, each exactly once.
pub const COLUMNS: [&str; 7] = ["id", "date", "quantity", "value", "sd", "role", "source"];

/// What a target is used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// In the distance of the fit.
    Fit,
    /// Compared only: a check of the fit on facts it did not use.
    Holdout,
}

impl Role {
    /// The role's name in files.
    pub fn key(self) -> &'static str {
        match self {
            Role::Fit => "fit",
            Role::Holdout => "holdout",
        }
    }
}

/// A dated fact of the real population.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The fact's id in its source (e.g. FACTS.md's `B13`); several targets may share one.
    pub id: String,
    /// The date the figure refers to.
    pub date: Date,
    /// What is compared.
    pub quantity: Quantity,
    /// The sourced value, in persons or trips of the real population.
    pub value: f64,
    /// Its standard error, in the same unit: the scale of the distance and the widening of the
    /// band.
    pub sd: f64,
    /// Whether the fit uses it.
    pub role: Role,
    /// How the source words it.
    pub source: String,
}

/// Reads the targets of `text` (named `file` in errors) for a run whose day 0 is `start` and that
/// lasts `days` days.
pub fn parse(text: &str, file: &str, start: Date, days: u32) -> Result<Vec<Target>, ScenarioError> {
    let error = |line: usize, column: usize, message: String| ScenarioError::Invalid {
        file: file.to_string(),
        line,
        column,
        message,
    };
    let end = Date::of_day(start, days.saturating_sub(1));
    let mut header: Option<Vec<usize>> = None;
    let mut out = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        let fields = split(raw).map_err(|(column, why)| error(line, column, why))?;
        let Some(order) = &header else {
            header = Some(columns(&fields).map_err(|(column, why)| error(line, column, why))?);
            continue;
        };
        if fields.len() != COLUMNS.len() {
            let column = fields.last().map_or(1, |f| f.column);
            return Err(error(
                line,
                column,
                format!("expected {} fields ({}), found {}", COLUMNS.len(), COLUMNS.join(", "), fields.len()),
            ));
        }
        let field = |name: &str| &fields[order[COLUMNS.iter().position(|c| *c == name).unwrap_or(0)]];
        let id = field("id");
        if id.text.is_empty() {
            return Err(error(
                line,
                id.column,
                "expected a fact id (e.g. `B13`), found an empty field".into(),
            ));
        }
        let d = field("date");
        let Some(date) = Date::parse(&d.text) else {
            return Err(error(line, d.column, format!("expected a date as YYYY-MM-DD, found `{}`", d.text)));
        };
        if date.days_from(start) < 0 || date.days_from(start) >= days as i64 {
            return Err(error(
                line,
                d.column,
                format!(
                    "date {} is outside the run ({} to {}, {days} days); targets must fall inside it",
                    date.iso(),
                    start.iso(),
                    end.iso()
                ),
            ));
        }
        let q = field("quantity");
        let Some(quantity) = QUANTITIES.iter().copied().find(|x| x.key() == q.text) else {
            let valid = QUANTITIES.iter().map(|x| format!("`{}`", x.key())).collect::<Vec<_>>().join(", ");
            return Err(error(
                line,
                q.column,
                format!("unknown quantity `{}`; expected one of {valid}", q.text),
            ));
        };
        let number = |name: &str, positive: bool| -> Result<f64, ScenarioError> {
            let f = field(name);
            match f.text.parse::<f64>() {
                Ok(x) if x.is_finite() && (x > 0.0 || (!positive && x == 0.0)) => Ok(x),
                _ => Err(error(
                    line,
                    f.column,
                    format!(
                        "`{name}`: expected a finite number {}, found `{}`",
                        if positive { "> 0" } else { ">= 0" },
                        f.text
                    ),
                )),
            }
        };
        let value = number("value", false)?;
        let sd = number("sd", true)?;
        let r = field("role");
        let role = match r.text.as_str() {
            "fit" => Role::Fit,
            "holdout" => Role::Holdout,
            other => {
                return Err(error(
                    line,
                    r.column,
                    format!("unknown role `{other}`; expected `fit` or `holdout`"),
                ));
            }
        };
        out.push(Target {
            id: id.text.clone(),
            date,
            quantity,
            value,
            sd,
            role,
            source: field("source").text.clone(),
        });
    }
    if header.is_none() {
        return Err(error(1, 1, format!("expected a header line ({})", COLUMNS.join(","))));
    }
    if out.is_empty() {
        return Err(error(1, 1, "expected at least one target after the header".into()));
    }
    Ok(out)
}

/// One field of a line and the column (1-based, in characters) where it starts.
struct Field {
    text: String,
    column: usize,
}

/// The header's columns: for each of [`COLUMNS`], its position in the line.
fn columns(fields: &[Field]) -> Result<Vec<usize>, (usize, String)> {
    for f in fields {
        if !COLUMNS.contains(&f.text.as_str()) {
            return Err((f.column, format!("unknown column `{}`; expected {}", f.text, COLUMNS.join(", "))));
        }
        if fields.iter().filter(|g| g.text == f.text).count() > 1 {
            return Err((f.column, format!("column `{}` appears twice", f.text)));
        }
    }
    COLUMNS
        .iter()
        .map(|c| {
            fields.iter().position(|f| f.text == *c).ok_or_else(|| {
                (1, format!("the header has no column `{c}`; expected {}", COLUMNS.join(", ")))
            })
        })
        .collect()
}

/// Splits a CSV line: fields separated by commas, a field in double quotes may hold commas and
/// doubled quotes (`""`). Unquoted fields are trimmed.
fn split(line: &str) -> Result<Vec<Field>, (usize, String)> {
    let chars: Vec<char> = line.chars().collect();
    let mut fields = Vec::new();
    let mut i = 0;
    loop {
        while i < chars.len() && chars[i] == ' ' {
            i += 1;
        }
        let column = i + 1;
        let mut text = String::new();
        if i < chars.len() && chars[i] == '"' {
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err((column, "a quoted field is not closed (a `\"` is missing)".into())),
                    Some('"') if chars.get(i + 1) == Some(&'"') => {
                        text.push('"');
                        i += 2;
                    }
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some(&c) => {
                        text.push(c);
                        i += 1;
                    }
                }
            }
            while i < chars.len() && chars[i] == ' ' {
                i += 1;
            }
            if i < chars.len() && chars[i] != ',' {
                return Err((i + 1, "expected `,` after a quoted field".into()));
            }
        } else {
            while i < chars.len() && chars[i] != ',' {
                text.push(chars[i]);
                i += 1;
            }
            text = text.trim().to_string();
        }
        fields.push(Field { text, column });
        if i >= chars.len() {
            return Ok(fields);
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: Date = Date { year: 2013, month: 10, day: 1 };

    #[test]
    fn the_builtin_targets_read() {
        let t = parse(CHINA_2020_TARGETS, CHINA_2020_TARGETS_FILE, START, super::super::horizon()).unwrap();
        assert_eq!(t.len(), 20);
        assert_eq!(t[0].id, "B9");
        assert_eq!(t[0].source, "87,079 persons on the list on 2014-03-10");
        assert!(t.iter().any(|x| x.role == Role::Holdout) && t.iter().any(|x| x.role == Role::Fit));
    }

    #[test]
    fn quoted_fields_keep_commas_and_quotes() {
        let f = split("a, \"b, \"\"c\"\"\" ,d").unwrap();
        let texts: Vec<&str> = f.iter().map(|x| x.text.as_str()).collect();
        assert_eq!(texts, ["a", "b, \"c\"", "d"]);
        assert_eq!(f.iter().map(|x| x.column).collect::<Vec<_>>(), [1, 4, 16]);
    }
}
