//! The firm ratings of a run (`firm_grades.csv`): the share of operating firms given each grade
//! of a rated firm points scheme at each year end, one bar chart per scheme. A folder written
//! before ratings existed has no such file and gets a note instead.

use crate::ReportError;
use crate::charts::{Figure, Section};
use crate::csv::CsvTable;
use crate::folder::RunFolder;
use crate::svg::{self, BarChart, Bars};

/// The file the runner writes the ratings to.
pub(crate) const FILE: &str = "firm_grades.csv";

/// The section of the ratings, or `None` when the run rated no firm (no scheme with grades).
pub(crate) fn section(run: &RunFolder) -> Result<Option<Section>, ReportError> {
    let path = run.dir.join(FILE);
    let section = |figures| {
        let mut s = Section::new("firm-grades", "Firm ratings", figures);
        s.lede = Some(
            "Each year end, every operating firm gets a grade of each rated scheme: by its score's \
             band, the direct grade when it had a record of its grounds that year, the new firms' \
             grade when founded that year."
                .into(),
        );
        s
    };
    if !path.is_file() {
        let note = Figure {
            id: "chart-firm-grades".into(),
            title: "Firm ratings".into(),
            svg: None,
            caption: "Share of operating firms given each grade at each year end.".into(),
            notes: vec![format!("No {FILE} in the folder (written by an scslab without annual ratings).")],
        };
        return Ok(Some(section(vec![note])));
    }
    let table = CsvTable::read(&path)?;
    if table.n_rows() == 0 {
        return Ok(None);
    }
    let start = crate::outcomes::start_date(run.manifest.scenario_text.as_deref())
        .map(crate::outcomes::days_from_civil);
    Ok(Some(section(figures(&table, start)?)))
}

/// One bar chart per scheme: grades down the side, one bar per year end.
fn figures(table: &CsvTable, start: Option<i64>) -> Result<Vec<Figure>, ReportError> {
    let missing = |column: &str| ReportError::Csv {
        path: table.path().to_path_buf(),
        line: 1,
        message: format!("expected a column `{column}` (day, scheme, grade, firms, share)"),
    };
    let days = table.numbers("day")?.ok_or_else(|| missing("day"))?;
    let shares = table.numbers("share")?.ok_or_else(|| missing("share"))?;
    let schemes = table.strings("scheme").ok_or_else(|| missing("scheme"))?;
    let grades = table.strings("grade").ok_or_else(|| missing("grade"))?;
    let mut order: Vec<&str> = Vec::new();
    for &s in &schemes {
        if !order.contains(&s) {
            order.push(s);
        }
    }
    let mut out = Vec::new();
    for scheme in order {
        let rows: Vec<usize> = (0..schemes.len()).filter(|&i| schemes[i] == scheme).collect();
        let mut categories: Vec<String> = Vec::new();
        let mut year_ends: Vec<f64> = Vec::new();
        for &i in &rows {
            if !categories.iter().any(|c| c == grades[i]) {
                categories.push(grades[i].to_string());
            }
            if !year_ends.contains(&days[i]) {
                year_ends.push(days[i]);
            }
        }
        let series = year_ends
            .iter()
            .enumerate()
            .map(|(k, &day)| {
                let values = categories
                    .iter()
                    .map(|g| {
                        rows.iter()
                            .find(|&&i| days[i] == day && grades[i] == g)
                            .map_or(f64::NAN, |&i| shares[i] * 100.0)
                    })
                    .collect();
                Bars { label: year_label(day, start), values, color: k }
            })
            .collect();
        let id = format!("chart-firm-grades-{scheme}");
        let title = format!("Grades of {scheme}");
        let svg = svg::bar_chart(&BarChart {
            id: id.clone(),
            title: title.clone(),
            value_label: "% of operating firms".into(),
            categories,
            series,
        });
        out.push(Figure {
            id,
            title,
            svg: Some(svg),
            caption: format!(
                "Share of operating firms given each grade of {scheme} at each year end of the run, in percent."
            ),
            notes: Vec::new(),
        });
    }
    Ok(out)
}

/// A year end in words: its date's year when the run has a start date, else its day.
fn year_label(day: f64, start: Option<i64>) -> String {
    match start {
        Some(s) => {
            let (y, m, d) = crate::format::civil_from_days(s + day as i64);
            format!("{y}-{m:02}-{d:02}")
        }
        None => format!("day {day}"),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn one_chart_per_scheme_with_a_bar_per_year_end() {
        let text = "day,scheme,grade,firms,share\n\
                    365,tax_rating,A,5,0.05\n365,tax_rating,B,80,0.8\n365,tax_rating,D,15,0.15\n\
                    730,tax_rating,A,6,0.06\n730,tax_rating,B,84,0.84\n730,tax_rating,D,10,0.1\n";
        let table = CsvTable::parse(text, Path::new("firm_grades.csv")).unwrap();
        let figures = figures(&table, Some(crate::outcomes::days_from_civil((2020, 1, 1)))).unwrap();
        assert_eq!(figures.len(), 1);
        let svg = figures[0].svg.as_deref().unwrap();
        assert!(svg.contains("2020-12-31") && svg.contains("2021-12-31"), "{svg}");
        for grade in [">A<", ">B<", ">D<"] {
            assert!(svg.contains(grade), "{grade} in {svg}");
        }
        assert_eq!(year_label(364.0, None), "day 364");
    }
}
