//! The figures of a run or comparison report: what is plotted, from which columns, and what to
//! say when a column is missing. Columns are looked up by the names the runner writes; a chart
//! whose columns are all missing is replaced by a note, never by an error.

use crate::ReportError;
use crate::csv::CsvTable;
use crate::folder::RunFolder;
use crate::svg::{self, BarChart, Bars, Line, LineChart};

/// A chart, or a note saying why it could not be drawn.
#[derive(Debug, Clone)]
pub(crate) struct Figure {
    /// Element id of the chart's `<svg>`.
    pub id: String,
    /// Title.
    pub title: String,
    /// The SVG, or `None` when the chart was skipped.
    pub svg: Option<String>,
    /// What the chart shows, in a sentence.
    pub caption: String,
    /// Missing columns and other remarks.
    pub notes: Vec<String>,
}

/// A titled group of figures.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    /// Element id of the section.
    pub id: String,
    /// Heading.
    pub title: String,
    /// A paragraph under the heading, if any.
    pub lede: Option<String>,
    /// The figures.
    pub figures: Vec<Figure>,
}

impl Section {
    /// A section without a lede.
    pub(crate) fn new(id: &str, title: &str, figures: Vec<Figure>) -> Section {
        Section { id: id.to_string(), title: title.to_string(), lede: None, figures }
    }
}

/// The counterfactual of a comparison: its folder and its name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Against<'a> {
    pub run: &'a RunFolder,
    pub name: &'a str,
}

/// Person violations (breaches of law or contract), as in `scslab-runner`'s headline outcomes:
/// the person events of valence `Violation` (the report depends on no model crate; a test of the
/// CLI, which sees both, keeps the two lists equal).
pub const PERSON_VIOLATIONS: [&str; 5] =
    ["tax_evasion", "traffic_violation", "loan_default", "judgment_default", "littering"];

/// Builds every section of a run report (with the counterfactual drawn dashed, if any).
pub(crate) fn sections(run: &RunFolder, against: Option<Against<'_>>) -> Result<Vec<Section>, ReportError> {
    let m = &run.manifest;
    let x_end = (m.days > 0).then_some(m.days as f64 - 1.0);
    let start = crate::outcomes::start_date(m.scenario_text.as_deref()).map(crate::outcomes::days_from_civil);
    let plot = Plotter { run, against, x: run.days()?, x_end, start };
    Ok(vec![
        Section::new("over-time", "Outcomes over time", over_time(&plot)?),
        Section::new("groups", "Disparities between groups", groups(run, against)?),
        Section::new("provinces", "By province", provinces(run, against)?),
    ])
}

/// Which daily table a series comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Table {
    Persons,
    Firms,
}

impl Table {
    fn of(self, run: &RunFolder) -> &CsvTable {
        match self {
            Table::Persons => &run.persons,
            Table::Firms => &run.firms,
        }
    }

    fn file(self) -> &'static str {
        match self {
            Table::Persons => "series_persons.csv",
            Table::Firms => "series_firms.csv",
        }
    }
}

/// How a line's values are computed from a run's daily tables.
#[derive(Debug, Clone)]
enum Source {
    /// A column as written.
    Column(Table, String),
    /// The sum of the columns present (missing only when none is present).
    Sum(Vec<(Table, String)>),
    /// A source, summed from day 0.
    Cumulative(Box<Source>),
    /// A source per 1,000 adults of the same day.
    PerThousandAdults(Box<Source>),
    /// A source times a constant (a share in percent).
    Times(Box<Source>, f64),
    /// A column of criticism amounts (`*_fp`): in real units as the runner writes them now, or
    /// fixed point (2^-24 per unit, whole numbers) in older folders, converted to real units.
    FixedPoint(Table, String),
}

/// One unit in the fixed-point columns of older folders.
const FIXED_POINT: f64 = (1u64 << 24) as f64;

/// Whether a `*_fp` column holds fixed-point whole numbers rather than reals: every value is
/// whole and the largest is beyond what a real amount of criticism per day reaches.
fn is_fixed_point(values: &[f64]) -> bool {
    let finite = || values.iter().filter(|v| v.is_finite());
    finite().all(|v| v.fract() == 0.0) && finite().any(|v| v.abs() >= FIXED_POINT / 16.0)
}

impl Source {
    fn column(table: Table, name: &str) -> Source {
        Source::Column(table, name.to_string())
    }

    /// The same column of persons and firms, added.
    fn persons_and_firms(name: &str) -> Source {
        Source::Sum(vec![(Table::Persons, name.to_string()), (Table::Firms, name.to_string())])
    }

    fn cumulative(self) -> Source {
        Source::Cumulative(Box::new(self))
    }

    /// The values, or `None` when the columns are missing.
    fn values(&self, run: &RunFolder) -> Result<Option<Vec<f64>>, ReportError> {
        Ok(match self {
            Source::Column(table, name) => table.of(run).numbers(name)?,
            Source::Sum(parts) => {
                let mut total: Option<Vec<f64>> = None;
                for (table, name) in parts {
                    let Some(values) = table.of(run).numbers(name)? else { continue };
                    total = Some(match total {
                        None => values,
                        Some(t) => t.iter().zip(&values).map(|(a, b)| a + b).collect(),
                    });
                }
                total
            }
            Source::Cumulative(inner) => inner.values(run)?.map(|v| {
                v.iter()
                    .scan(0.0, |acc, x| {
                        *acc += x;
                        Some(*acc)
                    })
                    .collect()
            }),
            Source::Times(inner, k) => inner.values(run)?.map(|v| v.iter().map(|x| x * k).collect()),
            Source::FixedPoint(table, name) => table
                .of(run)
                .numbers(name)?
                .map(|v| if is_fixed_point(&v) { v.iter().map(|x| x / FIXED_POINT).collect() } else { v }),
            Source::PerThousandAdults(inner) => {
                let adults = run.persons.numbers("adults")?;
                match (inner.values(run)?, adults) {
                    (Some(v), Some(a)) => Some(
                        v.iter()
                            .zip(&a)
                            .map(|(x, n)| if *n > 0.0 { x / n * 1000.0 } else { f64::NAN })
                            .collect(),
                    ),
                    _ => None,
                }
            }
        })
    }

    /// Which columns it needs, for notes.
    fn describe(&self) -> String {
        match self {
            Source::Column(table, name) => format!("`{name}` in {}", table.file()),
            Source::Sum(parts) => {
                let names: Vec<String> =
                    parts.iter().map(|(t, n)| format!("`{n}` in {}", t.file())).collect();
                names.join(" or ")
            }
            Source::Cumulative(inner) => inner.describe(),
            Source::Times(inner, _) => inner.describe(),
            Source::FixedPoint(table, name) => format!("`{name}` in {}", table.file()),
            Source::PerThousandAdults(inner) => format!("{} and `adults`", inner.describe()),
        }
    }
}

/// A line to draw: its legend text and where its values come from.
struct LineSpec {
    label: String,
    source: Source,
}

fn line(label: &str, source: Source) -> LineSpec {
    LineSpec { label: label.to_string(), source }
}

/// Draws lines over days for a run and, dashed in the same colour, its counterfactual.
struct Plotter<'a> {
    run: &'a RunFolder,
    against: Option<Against<'a>>,
    x: Vec<f64>,
    /// The last day of the run: the x axes end there.
    x_end: Option<f64>,
    /// Day 0 as days since 1970-01-01, when the scenario has a start date.
    start: Option<i64>,
}

/// How the lines of a chart are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// All lines on one pair of axes.
    Together,
    /// Small multiples: one short chart per line (with its counterfactual), each with its own
    /// y axis, for lines of very different sizes (lists of thousands beside lists of a few).
    Multiples,
}

impl Plotter<'_> {
    fn chart(
        &self,
        id: &str,
        title: &str,
        caption: &str,
        y_label: &str,
        specs: Vec<LineSpec>,
    ) -> Result<Figure, ReportError> {
        self.chart_laid_out(id, title, caption, y_label, specs, Layout::Together)
    }

    fn chart_laid_out(
        &self,
        id: &str,
        title: &str,
        caption: &str,
        y_label: &str,
        specs: Vec<LineSpec>,
        layout: Layout,
    ) -> Result<Figure, ReportError> {
        let scenario = &self.run.manifest.scenario;
        let mut lines = Vec::new();
        let mut notes = Vec::new();
        let mut missing_in_against = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            let Some(values) = spec.source.values(self.run)? else {
                notes.push(format!("Not drawn: {} ({} is missing).", spec.label, spec.source.describe()));
                continue;
            };
            match self.against {
                None => lines.push(Line { label: spec.label.clone(), values, color: i, dashed: false }),
                Some(against) => {
                    lines.push(Line {
                        label: format!("{}: {scenario}", spec.label),
                        values,
                        color: i,
                        dashed: false,
                    });
                    match spec.source.values(against.run)? {
                        Some(values) => lines.push(Line {
                            label: format!("{}: {}", spec.label, against.name),
                            values,
                            color: i,
                            dashed: true,
                        }),
                        None => missing_in_against.push(spec.label.clone()),
                    }
                }
            }
        }
        if let (Some(against), false) = (self.against, missing_in_against.is_empty()) {
            notes.push(format!(
                "No counterfactual line for {}: the counterfactual ({}) has no such column.",
                missing_in_against.join(", "),
                against.name
            ));
        }
        let chart = |id: String, title: String, lines: Vec<Line>, small: bool| {
            svg::line_chart(&LineChart {
                id,
                title,
                y_label: y_label.to_string(),
                x: self.x.clone(),
                lines,
                x_end: self.x_end,
                start: self.start,
                small,
            })
        };
        let svg = if lines.is_empty() {
            None
        } else if layout == Layout::Multiples {
            // One chart per spec: its line and, dashed, the counterfactual's.
            let mut groups: Vec<Vec<Line>> = Vec::new();
            for line in lines {
                match groups.last_mut() {
                    Some(g) if g[0].color == line.color => g.push(line),
                    _ => groups.push(vec![line]),
                }
            }
            let mut html = format!("<div class=\"multiples\" id=\"{id}\">");
            for (k, group) in groups.into_iter().enumerate() {
                let name = crate::outcomes::words(&specs[group[0].color].label);
                html.push_str(&chart(format!("{id}-{k}"), name, group, true));
            }
            html.push_str("</div>");
            Some(html)
        } else {
            Some(chart(id.to_string(), title.to_string(), lines, false))
        };
        Ok(Figure { id: id.to_string(), title: title.to_string(), svg, caption: caption.to_string(), notes })
    }
}

/// Lines for every column of a table whose name starts with `prefix` (list stocks, false stocks).
fn prefixed(run: &RunFolder, table: Table, prefix: &str, label_suffix: &str) -> Vec<LineSpec> {
    table
        .of(run)
        .columns()
        .iter()
        .filter_map(|c| c.strip_prefix(prefix).map(|rest| (c, rest)))
        .map(|(c, rest)| {
            line(&format!("{} list{label_suffix}", rest.replace('_', " ")), Source::column(table, c))
        })
        .collect()
}

fn over_time(p: &Plotter<'_>) -> Result<Vec<Figure>, ReportError> {
    let run = p.run;
    let violations =
        Source::Sum(PERSON_VIOLATIONS.iter().map(|v| (Table::Persons, format!("true_{v}"))).collect());
    let recorded =
        Source::Sum(PERSON_VIOLATIONS.iter().map(|v| (Table::Persons, format!("recorded_{v}"))).collect());
    let false_records_persons = false_records(run, Table::Persons);
    let false_records_firms = false_records(run, Table::Firms);

    let mut person_lists = vec![
        line("blacklisted (any list)", Source::column(Table::Persons, "blacklisted")),
        line("redlisted (any list)", Source::column(Table::Persons, "redlisted")),
    ];
    person_lists.extend(prefixed(run, Table::Persons, "stock_", ""));
    let mut firm_lists =
        vec![line("firms blacklisted (any list)", Source::column(Table::Firms, "blacklisted"))];
    firm_lists.extend(prefixed(run, Table::Firms, "stock_", ""));

    Ok(vec![
        p.chart(
            "chart-compliance",
            "Compliance",
            "Share of adults who committed no violation that day.",
            "% of adults",
            vec![line(
                "adults without a violation",
                Source::Times(Box::new(Source::column(Table::Persons, "compliance_rate")), 100.0),
            )],
        )?,
        p.chart(
            "chart-violations",
            "Violations",
            "True and recorded person violations (tax evasion, traffic, loan and judgment default, \
             littering) per 1,000 adults, each day.",
            "per 1,000 adults a day",
            vec![
                line("true violations", Source::PerThousandAdults(Box::new(violations))),
                line("recorded violations", Source::PerThousandAdults(Box::new(recorded))),
            ],
        )?,
        p.chart_laid_out(
            "chart-lists-persons",
            "Persons on lists",
            "Persons on any blacklist, on any redlist, and on each list (stock at the end of each day), \
             in the synthetic sample. Lists differ in size by orders of magnitude, so each has its own \
             small chart with its own vertical scale: compare shapes across charts, and sizes by the \
             numbers on each axis.",
            "persons",
            person_lists,
            Layout::Multiples,
        )?,
        p.chart_laid_out(
            "chart-lists-firms",
            "Firms on lists",
            "Firms on any blacklist and on each firm list (stock at the end of each day), in the \
             synthetic sample; one small chart per list, each with its own vertical scale.",
            "firms",
            firm_lists,
            Layout::Multiples,
        )?,
        p.chart(
            "chart-chilling-criticism",
            "Chilling effect: criticism",
            "Public criticism adults wanted to voice and criticism they did voice (expected acts per \
             1,000 adults each day); the gap between the two lines is the chilling effect.",
            "acts per 1,000 adults a day",
            vec![
                line(
                    "criticism wanted",
                    Source::PerThousandAdults(Box::new(Source::FixedPoint(
                        Table::Persons,
                        "desired_criticism_fp".into(),
                    ))),
                ),
                line(
                    "criticism voiced",
                    Source::PerThousandAdults(Box::new(Source::FixedPoint(
                        Table::Persons,
                        "expressed_criticism_fp".into(),
                    ))),
                ),
            ],
        )?,
        p.chart(
            "chart-chilling-dissenters",
            "Chilling effect: dissenters",
            "Adults who disagree in private, and those of them who have fallen silent.",
            "adults",
            vec![
                line("private dissenters", Source::column(Table::Persons, "private_dissenters")),
                line("silent dissenters", Source::column(Table::Persons, "silent_dissenters")),
            ],
        )?,
        p.chart(
            "chart-false-sanctions",
            "Sanctions and false sanctions",
            "Sanctions imposed on persons and firms, and those with no true violation behind them, \
             summed from day 0.",
            "cumulative count",
            vec![
                line("sanctions", Source::persons_and_firms("sanctions").cumulative()),
                line("false sanctions", Source::persons_and_firms("false_sanctions").cumulative()),
            ],
        )?,
        p.chart(
            "chart-false-records",
            "False records",
            "Records of violations that did not happen, summed from day 0, and persons on a list \
             because of a false record (stock).",
            "count",
            {
                let mut specs = vec![
                    line("false records, persons (cumulative)", false_records_persons.cumulative()),
                    line("false records, firms (cumulative)", false_records_firms.cumulative()),
                ];
                specs.extend(prefixed(run, Table::Persons, "false_stock_", ", falsely listed"));
                specs
            },
        )?,
        p.chart(
            "chart-spillover",
            "Cross-context spillover",
            "Sanctions imposed in a context other than the one of the violation behind them \
             (joint punishment), persons and firms, summed from day 0.",
            "cumulative count",
            vec![
                line("all sanctions", Source::persons_and_firms("sanctions").cumulative()),
                line(
                    "cross-context sanctions",
                    Source::persons_and_firms("spillover_sanctions").cumulative(),
                ),
            ],
        )?,
    ])
}

/// The sum of a table's `false_records_*` columns (missing when there are none).
fn false_records(run: &RunFolder, table: Table) -> Source {
    let columns: Vec<(Table, String)> = table
        .of(run)
        .columns()
        .iter()
        .filter(|c| c.starts_with("false_records_"))
        .map(|c| (table, c.clone()))
        .collect();
    if columns.is_empty() { Source::column(table, "false_records_*") } else { Source::Sum(columns) }
}

/// How a group's rate is computed from the by-group rows.
#[derive(Debug, Clone, Copy)]
enum Rate {
    /// On the last day: numerator / denominator x scale.
    LastDay,
    /// Over the run: numerator summed over days / mean denominator x scale.
    RunTotal,
}

/// What a bar chart over groups shows.
struct GroupSpec<'s> {
    /// Column holding the group name (`group` or `province`).
    key: &'s str,
    /// For the by-group file: the dimension to keep (`income`, `urban_rural`, `province`).
    dimensions: &'s [&'s str],
    numerator: &'s str,
    denominator: &'s str,
    rate: Rate,
    scale: f64,
}

/// (group, rate) in file order, or `Err(missing column)` when a column is missing.
fn group_rates(
    table: &CsvTable,
    spec: &GroupSpec<'_>,
) -> Result<Result<Vec<(String, f64)>, String>, ReportError> {
    let missing = |c: &str| Ok(Err(format!("`{c}` is missing from {}", file_name(table))));
    let Some(keys) = table.strings(spec.key) else { return missing(spec.key) };
    let dimension = if spec.dimensions.is_empty() { None } else { table.strings("dimension") };
    if !spec.dimensions.is_empty() && dimension.is_none() {
        return missing("dimension");
    }
    let Some(days) = table.numbers("day")? else { return missing("day") };
    let Some(num) = table.numbers(spec.numerator)? else { return missing(spec.numerator) };
    let Some(den) = table.numbers(spec.denominator)? else { return missing(spec.denominator) };
    let last_day = days.iter().copied().filter(|d| d.is_finite()).fold(f64::NEG_INFINITY, f64::max);
    // Per group: (numerator sum, denominator sum, days), in order of first appearance.
    let mut groups: Vec<(String, f64, f64, f64)> = Vec::new();
    for dim in spec.dimensions.iter().map(|d| Some(*d)).chain(spec.dimensions.is_empty().then_some(None)) {
        for row in 0..keys.len() {
            if let (Some(dim), Some(dims)) = (dim, &dimension)
                && dims[row] != dim
            {
                continue;
            }
            if matches!(spec.rate, Rate::LastDay) && days[row] != last_day {
                continue;
            }
            let name = group_label(dim, keys[row]);
            let index = match groups.iter().position(|g| g.0 == name) {
                Some(i) => i,
                None => {
                    groups.push((name, 0.0, 0.0, 0.0));
                    groups.len() - 1
                }
            };
            let g = &mut groups[index];
            g.1 += num[row];
            g.2 += den[row];
            g.3 += 1.0;
        }
    }
    Ok(Ok(groups
        .into_iter()
        .map(|(name, n, d, count)| {
            let mean_den = d / count;
            let rate = if mean_den > 0.0 { n / mean_den * spec.scale } else { f64::NAN };
            (name, rate)
        })
        .collect()))
}

fn group_label(dimension: Option<&str>, group: &str) -> String {
    match (dimension, group) {
        (Some("income"), "q1") => "income q1 (poorest)".into(),
        (Some("income"), "q5") => "income q5 (richest)".into(),
        (Some("income"), g) => format!("income {g}"),
        (_, g) => g.to_string(),
    }
}

fn file_name(table: &CsvTable) -> String {
    table
        .path()
        .file_name()
        .map_or_else(|| table.path().display().to_string(), |n| n.to_string_lossy().into())
}

/// A bar chart of a rate by group, with the counterfactual's bars beside the scenario's.
fn group_chart(
    id: &str,
    title: &str,
    caption: &str,
    value_label: &str,
    run: &RunFolder,
    against: Option<Against<'_>>,
    table: fn(&RunFolder) -> &CsvTable,
    spec: &GroupSpec<'_>,
) -> Result<Figure, ReportError> {
    let mut figure = Figure {
        id: id.to_string(),
        title: title.to_string(),
        svg: None,
        caption: caption.to_string(),
        notes: Vec::new(),
    };
    let rates = match group_rates(table(run), spec)? {
        Ok(rates) => rates,
        Err(missing) => {
            figure.notes.push(format!("Not drawn: {missing}."));
            return Ok(figure);
        }
    };
    let categories: Vec<String> = rates.iter().map(|r| r.0.clone()).collect();
    let mut series = vec![Bars {
        label: run.manifest.scenario.clone(),
        values: rates.iter().map(|r| r.1).collect(),
        color: 0,
    }];
    if let Some(against) = against {
        match group_rates(table(against.run), spec)? {
            Ok(other) => series.push(Bars {
                label: against.name.to_string(),
                values: categories
                    .iter()
                    .map(|c| other.iter().find(|o| &o.0 == c).map_or(f64::NAN, |o| o.1))
                    .collect(),
                color: 1,
            }),
            Err(missing) => {
                figure.notes.push(format!("No counterfactual bars: {missing} in {}.", against.name))
            }
        }
    }
    figure.svg = Some(svg::bar_chart(&BarChart {
        id: id.to_string(),
        title: title.to_string(),
        value_label: value_label.to_string(),
        categories,
        series,
    }));
    Ok(figure)
}

fn persons_by_group(run: &RunFolder) -> &CsvTable {
    &run.by_group
}

fn firms_by_province(run: &RunFolder) -> &CsvTable {
    &run.firms_by_province
}

const GROUP_DIMENSIONS: &[&str] = &["income", "urban_rural"];

fn groups(run: &RunFolder, against: Option<Against<'_>>) -> Result<Vec<Figure>, ReportError> {
    Ok(vec![
        group_chart(
            "chart-groups-sanctions",
            "Sanctions by income and urban/rural",
            "Sanctions imposed on persons over the whole run, per 1,000 adults of each group.",
            "sanctions per 1,000 adults, whole run",
            run,
            against,
            persons_by_group,
            &GroupSpec {
                key: "group",
                dimensions: GROUP_DIMENSIONS,
                numerator: "sanctions",
                denominator: "adults",
                rate: Rate::RunTotal,
                scale: 1000.0,
            },
        )?,
        group_chart(
            "chart-groups-blacklisted",
            "On a blacklist, by income and urban/rural",
            "Persons on any blacklist on the last day, per 100,000 adults of each group.",
            "blacklisted per 100,000 adults, last day",
            run,
            against,
            persons_by_group,
            &GroupSpec {
                key: "group",
                dimensions: GROUP_DIMENSIONS,
                numerator: "blacklisted",
                denominator: "adults",
                rate: Rate::LastDay,
                scale: 1e5,
            },
        )?,
    ])
}

fn provinces(run: &RunFolder, against: Option<Against<'_>>) -> Result<Vec<Figure>, ReportError> {
    Ok(vec![
        group_chart(
            "chart-province-blacklisted",
            "Persons on a blacklist, by province",
            "Persons on any blacklist on the last day, per 100,000 adults of each province.",
            "blacklisted per 100,000 adults, last day",
            run,
            against,
            persons_by_group,
            &GroupSpec {
                key: "group",
                dimensions: &["province"],
                numerator: "blacklisted",
                denominator: "adults",
                rate: Rate::LastDay,
                scale: 1e5,
            },
        )?,
        group_chart(
            "chart-province-sanctions",
            "Sanctions on persons, by province",
            "Sanctions imposed on persons over the whole run, per 1,000 adults of each province.",
            "sanctions per 1,000 adults, whole run",
            run,
            against,
            persons_by_group,
            &GroupSpec {
                key: "group",
                dimensions: &["province"],
                numerator: "sanctions",
                denominator: "adults",
                rate: Rate::RunTotal,
                scale: 1000.0,
            },
        )?,
        group_chart(
            "chart-province-firms",
            "Firms on a blacklist, by province",
            "Firms on any blacklist on the last day, per 1,000 firms alive in each province.",
            "blacklisted firms per 1,000 firms, last day",
            run,
            against,
            firms_by_province,
            &GroupSpec {
                key: "province",
                dimensions: &[],
                numerator: "blacklisted",
                denominator: "firms_alive",
                rate: Rate::LastDay,
                scale: 1000.0,
            },
        )?,
    ])
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn table(text: &str) -> CsvTable {
        CsvTable::parse(text, Path::new("series_persons_by_group.csv")).unwrap()
    }

    const BY_GROUP: &str = "day,dimension,group,adults,sanctions,blacklisted\n\
        0,income,q1,100,1,0\n0,income,q5,200,0,0\n0,urban_rural,rural,150,1,1\n\
        1,income,q1,100,3,2\n1,income,q5,200,2,1\n1,urban_rural,rural,150,4,3\n";

    fn spec(rate: Rate, numerator: &'static str) -> GroupSpec<'static> {
        GroupSpec {
            key: "group",
            dimensions: GROUP_DIMENSIONS,
            numerator,
            denominator: "adults",
            rate,
            scale: 1000.0,
        }
    }

    #[test]
    fn run_totals_divide_by_mean_adults() {
        let r = group_rates(&table(BY_GROUP), &spec(Rate::RunTotal, "sanctions")).unwrap().unwrap();
        assert_eq!(r[0], ("income q1 (poorest)".to_string(), 40.0));
        assert_eq!(r[1], ("income q5 (richest)".to_string(), 10.0));
        assert_eq!(r[2].0, "rural");
    }

    #[test]
    fn last_day_rates_use_only_the_last_day() {
        let r = group_rates(&table(BY_GROUP), &spec(Rate::LastDay, "blacklisted")).unwrap().unwrap();
        assert_eq!(r.iter().map(|x| x.1).collect::<Vec<_>>(), [20.0, 5.0, 20.0]);
    }

    #[test]
    fn a_missing_column_is_named_not_an_error() {
        let r = group_rates(&table(BY_GROUP), &spec(Rate::LastDay, "redlisted")).unwrap();
        assert_eq!(r.unwrap_err(), "`redlisted` is missing from series_persons_by_group.csv");
    }
}
