//! Turns each day's per-cell counters into rows of time series: overall and by group
//! (province, urban/rural, income quintile) for persons; overall and by province for firms.
//!
//! Each counter is decoded by the kind its column declares (`scslab_model::metrics::Kind`),
//! never by its name: list, scheme and measure columns carry user-chosen names.

use scslab_codec::{Decoder, Encoder};
use scslab_model::metrics::{DayMetrics, FirmCols, PersonCols};
use scslab_model::params::{AuthorityKind, Params};
use scslab_model::population::N_CELLS;
use scslab_model::sim::Simulation;
use scslab_model::state::StateError;
use scslab_model::vocab::{N_INCOME, N_PROVINCES, PROVINCES};
use scslab_output::{ColumnData, Table};

/// A column derived from the raw person counters, appended to every person row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Derived {
    /// Adult-days without a violation, as a share of adult-days.
    ComplianceRate,
    /// 1 - expressed / desired criticism.
    ChillingEffect,
    /// Silent dissenters as a share of private dissenters.
    SilentShare,
    /// Mean trust, 0-1.
    MeanTrust,
    /// Mean resentment, 0-1.
    MeanResentment,
    /// Mean fear, 0-1.
    MeanFear,
    /// False sanctions as a share of sanctions.
    FalseSanctionShare,
}

impl Derived {
    /// Every derived column, in column order.
    pub const ALL: [Derived; 7] = [
        Derived::ComplianceRate,
        Derived::ChillingEffect,
        Derived::SilentShare,
        Derived::MeanTrust,
        Derived::MeanResentment,
        Derived::MeanFear,
        Derived::FalseSanctionShare,
    ];

    /// Its column name in the person series tables.
    pub const fn name(self) -> &'static str {
        match self {
            Derived::ComplianceRate => "compliance_rate",
            Derived::ChillingEffect => "chilling_effect",
            Derived::SilentShare => "silent_share_of_dissenters",
            Derived::MeanTrust => "mean_trust",
            Derived::MeanResentment => "mean_resentment",
            Derived::MeanFear => "mean_fear",
            Derived::FalseSanctionShare => "false_sanction_share",
        }
    }

    /// Its value from one row of decoded person counters. An undefined ratio (zero
    /// denominator) is NaN: an empty CSV field, "n/a" to a reader.
    fn of(self, c: &PersonCols, raw: &[f64]) -> f64 {
        let adults = raw[c.adults];
        match self {
            Derived::ComplianceRate => ratio(raw[c.compliant], adults),
            Derived::ChillingEffect => shortfall(raw[c.expressed_criticism], raw[c.desired_criticism]),
            Derived::SilentShare => ratio(raw[c.silent_dissenters], raw[c.private_dissenters]),
            Derived::MeanTrust => ratio(raw[c.trust], adults * 255.0),
            Derived::MeanResentment => ratio(raw[c.resentment], adults * 255.0),
            Derived::MeanFear => ratio(raw[c.fear], adults * 255.0),
            Derived::FalseSanctionShare => ratio(raw[c.false_sanctions], raw[c.sanctions]),
        }
    }
}

/// Names of the columns derived from the raw counters, appended to every person row (the names
/// of [`Derived::ALL`]).
pub const PERSON_DERIVED: [&str; Derived::ALL.len()] = {
    let mut names = [""; Derived::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = Derived::ALL[i].name();
        i += 1;
    }
    names
};

/// A dimension of the person group series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dimension {
    /// The 31 provinces.
    Province,
    /// Rural and urban.
    UrbanRural,
    /// Income quintiles `q1` (poorest) to `q5`.
    Income,
}

impl Dimension {
    /// Its name in the `dimension` column of `series_persons_by_group`.
    pub const fn key(self) -> &'static str {
        match self {
            Dimension::Province => "province",
            Dimension::UrbanRural => "urban_rural",
            Dimension::Income => "income",
        }
    }
}

/// Daily series being collected, column by column.
pub struct SeriesBuilder {
    person_cols: PersonCols,
    firm_cols: FirmCols,
    /// Overall person rows: one Vec per column (raw then derived).
    person_all: Vec<Vec<f64>>,
    person_group_key: Vec<(u32, Dimension, String)>,
    person_group: Vec<Vec<f64>>,
    firm_all: Vec<Vec<f64>>,
    firm_group_key: Vec<(u32, String)>,
    firm_group: Vec<Vec<f64>>,
    days: Vec<u32>,
    gini: Vec<f64>,
    false_stock: Vec<Vec<f64>>,
    false_stock_names: Vec<String>,
    /// The behaviour theory's day values (`DayMetrics::theory`), one Vec per value.
    theory: Vec<Vec<f64>>,
    theory_names: &'static [&'static str],
}

fn derived(c: &PersonCols, raw: &[f64]) -> [f64; Derived::ALL.len()] {
    Derived::ALL.map(|d| d.of(c, raw))
}

impl SeriesBuilder {
    /// An empty builder for a simulation's counter layout.
    pub fn new(sim: &Simulation) -> SeriesBuilder {
        let np = sim.person_cols.columns.len() + PERSON_DERIVED.len();
        let nf = sim.firm_cols.columns.len();
        let false_stock_names: Vec<String> = sim
            .plan
            .person_lists
            .iter()
            .map(|&a| format!("false_stock_{}", sim.params.authorities[a].name))
            .collect();
        SeriesBuilder {
            person_all: vec![Vec::new(); np],
            person_group: vec![Vec::new(); np],
            person_group_key: Vec::new(),
            firm_all: vec![Vec::new(); nf],
            firm_group: vec![Vec::new(); nf],
            firm_group_key: Vec::new(),
            days: Vec::new(),
            gini: Vec::new(),
            false_stock: vec![Vec::new(); false_stock_names.len()],
            false_stock_names,
            theory: vec![Vec::new(); scslab_model::theory::day_value_names(&sim.params.theory).len()],
            theory_names: scslab_model::theory::day_value_names(&sim.params.theory),
            person_cols: sim.person_cols.clone(),
            firm_cols: sim.firm_cols.clone(),
        }
    }

    /// Adds one day.
    pub fn push(&mut self, m: &DayMetrics) {
        let columns = &self.person_cols.columns;
        let width = columns.len();
        // Person groups: province (31), urban/rural (2), income (5), from the cells.
        let mut groups: Vec<(Dimension, String, Vec<f64>)> = Vec::new();
        for name in PROVINCES {
            groups.push((Dimension::Province, name.to_string(), vec![0.0; width]));
        }
        groups.push((Dimension::UrbanRural, "rural".into(), vec![0.0; width]));
        groups.push((Dimension::UrbanRural, "urban".into(), vec![0.0; width]));
        for q in 0..N_INCOME {
            groups.push((Dimension::Income, format!("q{}", q + 1), vec![0.0; width]));
        }
        let mut all = vec![0.0; width];
        for cell in 0..N_CELLS {
            let province = cell / (2 * N_INCOME);
            let urban = (cell / N_INCOME) % 2;
            let income = cell % N_INCOME;
            let values = m.persons.cell(cell);
            for (c, &v) in values.iter().enumerate() {
                let x = columns.decode(c, v);
                all[c] += x;
                groups[province].2[c] += x;
                groups[N_PROVINCES + urban].2[c] += x;
                groups[N_PROVINCES + 2 + income].2[c] += x;
            }
        }
        for (c, v) in all.iter().enumerate() {
            self.person_all[c].push(*v);
        }
        for (i, d) in derived(&self.person_cols, &all).iter().enumerate() {
            self.person_all[width + i].push(*d);
        }
        for (dim, name, values) in groups {
            self.person_group_key.push((m.day, dim, name));
            let d = derived(&self.person_cols, &values);
            for (c, v) in values.into_iter().enumerate() {
                self.person_group[c].push(v);
            }
            for (i, v) in d.iter().enumerate() {
                self.person_group[width + i].push(*v);
            }
        }
        let firm_columns = &self.firm_cols.columns;
        let fw = firm_columns.len();
        let mut fall = vec![0.0; fw];
        for (p, name) in PROVINCES.iter().enumerate() {
            self.firm_group_key.push((m.day, name.to_string()));
            for (c, &v) in m.firms.cell(p).iter().enumerate() {
                let x = firm_columns.decode(c, v);
                fall[c] += x;
                self.firm_group[c].push(x);
            }
        }
        for (c, v) in fall.into_iter().enumerate() {
            self.firm_all[c].push(v);
        }
        self.days.push(m.day);
        self.gini.push(m.wealth_gini);
        for (i, &x) in m.false_list_stock.iter().enumerate() {
            self.false_stock[i].push(x as f64);
        }
        for (column, &x) in self.theory.iter_mut().zip(&m.theory) {
            column.push(x);
        }
    }

    /// Appends the rows collected so far to a checkpoint. Column names are not saved: they
    /// follow from the simulation, and [`SeriesBuilder::restore`] starts from the same layout.
    pub(crate) fn save(&self, e: &mut Encoder) {
        let columns = [
            &self.person_all,
            &self.person_group,
            &self.firm_all,
            &self.firm_group,
            &self.false_stock,
            &self.theory,
        ];
        for cols in columns {
            e.length(cols.len());
            cols.iter().for_each(|c| e.f64s(c));
        }
        e.length(self.person_group_key.len());
        for (day, dim, group) in &self.person_group_key {
            e.u32(*day);
            e.str(dim.key());
            e.str(group);
        }
        e.length(self.firm_group_key.len());
        for (day, province) in &self.firm_group_key {
            e.u32(*day);
            e.str(province);
        }
        e.length(self.days.len());
        self.days.iter().for_each(|&d| e.u32(d));
        e.f64s(&self.gini);
    }

    /// Restores rows saved by [`SeriesBuilder::save`] into an empty builder of the same layout.
    pub(crate) fn restore(&mut self, d: &mut Decoder<'_>) -> Result<(), StateError> {
        let columns = [
            &mut self.person_all,
            &mut self.person_group,
            &mut self.firm_all,
            &mut self.firm_group,
            &mut self.false_stock,
            &mut self.theory,
        ];
        for cols in columns {
            d.exact_len(cols.len(), "series columns")?;
            for c in cols.iter_mut() {
                *c = d.f64s()?;
            }
        }
        let n = d.length(4 + 8 + 8)?;
        for _ in 0..n {
            let day = d.u32()?;
            let key = d.str()?;
            let Some(dim) = [Dimension::Province, Dimension::UrbanRural, Dimension::Income]
                .into_iter()
                .find(|dim| dim.key() == key)
            else {
                return Err(StateError::Corrupt(format!("unknown series dimension `{key}`")));
            };
            self.person_group_key.push((day, dim, d.str()?));
        }
        let n = d.length(4 + 8)?;
        for _ in 0..n {
            let day = d.u32()?;
            self.firm_group_key.push((day, d.str()?));
        }
        let n = d.length(4)?;
        for _ in 0..n {
            self.days.push(d.u32()?);
        }
        self.gini = d.f64s()?;
        Ok(())
    }

    /// Days collected so far.
    pub fn n_days(&self) -> usize {
        self.days.len()
    }

    /// The person counters' declaration: the typed handles to read with
    /// [`person_at`](SeriesBuilder::person_at).
    pub fn person_cols(&self) -> &PersonCols {
        &self.person_cols
    }

    /// The firm counters' declaration: the typed handles to read with
    /// [`firm_at`](SeriesBuilder::firm_at).
    pub fn firm_cols(&self) -> &FirmCols {
        &self.firm_cols
    }

    /// Decoded value of person counter `col` (a handle of [`person_cols`](Self::person_cols))
    /// on each day, overall.
    pub fn person_at(&self, col: usize) -> &[f64] {
        assert!(col < self.person_cols.columns.len(), "person counter {col} out of range");
        &self.person_all[col]
    }

    /// Decoded value of firm counter `col` (a handle of [`firm_cols`](Self::firm_cols)) on each
    /// day, overall.
    pub fn firm_at(&self, col: usize) -> &[f64] {
        &self.firm_all[col]
    }

    /// A derived person column on each day, overall.
    pub fn derived(&self, which: Derived) -> &[f64] {
        // Variants are declared in the order of `Derived::ALL` (a test checks it).
        &self.person_all[self.person_cols.columns.len() + which as usize]
    }

    /// Value of a person column (raw or derived), by its name in the series tables, on each day,
    /// overall; `None` if no column has that name. For readers of the tables' names (the sweep's
    /// chosen series, tests); code that knows which counter it wants uses
    /// [`person_at`](Self::person_at) with a typed handle.
    pub fn person(&self, name: &str) -> Option<&[f64]> {
        self.person_cols
            .columns
            .names
            .iter()
            .map(String::as_str)
            .chain(PERSON_DERIVED)
            .position(|n| n == name)
            .map(|i| self.person_all[i].as_slice())
    }

    /// Value of a firm column, by its name in the series tables, on each day, overall; `None` if
    /// no column has that name.
    pub fn firm(&self, name: &str) -> Option<&[f64]> {
        self.firm_cols.columns.position(name).map(|i| self.firm_all[i].as_slice())
    }

    /// Daily wealth Gini.
    pub fn gini(&self) -> &[f64] {
        &self.gini
    }

    /// The behaviour theory's day value `name` (one of `scslab_model::theory::day_value_names`
    /// of the run's theory) on each day; `None` if the run's theory has no such value.
    pub fn theory(&self, name: &str) -> Option<&[f64]> {
        self.theory_names.iter().position(|n| *n == name).map(|i| self.theory[i].as_slice())
    }

    /// Person counter `col` summed over days, by group of one dimension: (group, total), in the
    /// groups' order.
    pub fn person_by_group(&self, dimension: Dimension, col: usize) -> Vec<(String, f64)> {
        assert!(col < self.person_cols.columns.len(), "person counter {col} out of range");
        let mut out: Vec<(String, f64)> = Vec::new();
        for (i, (_, dim, group)) in self.person_group_key.iter().enumerate() {
            if *dim != dimension {
                continue;
            }
            match out.iter_mut().find(|(g, _)| g == group) {
                Some(e) => e.1 += self.person_group[col][i],
                None => out.push((group.clone(), self.person_group[col][i])),
            }
        }
        out
    }

    /// The annual ratings of the firm points schemes with grades (`firm_grades`): one row per
    /// year end collected, scheme and grade (in the scheme's order, the new firms' grade last),
    /// with the firms given the grade and their share of the firms the scheme rated that day.
    pub fn firm_grades(&self, params: &Params) -> Table {
        let (mut day, mut scheme, mut grade, mut firms, mut share) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for &end in &params.year_ends {
            let Ok(i) = self.days.binary_search(&end) else { continue };
            for (k, &a) in params.firm_points().iter().enumerate() {
                let AuthorityKind::Points(s) = &params.authorities[a].kind else { continue };
                let counts: Vec<f64> = (0..s.rating_grades().count())
                    .filter_map(|g| self.firm_cols.rated_column(k, g))
                    .map(|col| self.firm_all[col][i])
                    .collect();
                let total: f64 = counts.iter().sum();
                for (g, n) in s.rating_grades().zip(counts) {
                    day.push(end);
                    scheme.push(params.authorities[a].name.clone());
                    grade.push(g.name.clone());
                    firms.push(n as u64);
                    share.push(ratio(n, total));
                }
            }
        }
        let mut t = Table::new("firm_grades");
        t.push("day", ColumnData::U32(day));
        t.push("scheme", ColumnData::Str(scheme));
        t.push("grade", ColumnData::Str(grade));
        t.push("firms", ColumnData::U64(firms));
        t.push("share", ColumnData::F64(share));
        t
    }

    /// The four series tables.
    pub fn tables(&self) -> Vec<Table> {
        self.tables_since(0)
    }

    /// The four series tables, holding only the rows of the days collected from the `from`-th
    /// on (0-based; none if `from` is [`n_days`](SeriesBuilder::n_days) or more). What a run
    /// streams day by day: the rows of the days before `from` followed by these are the rows of
    /// [`tables`](SeriesBuilder::tables).
    pub fn tables_since(&self, from: usize) -> Vec<Table> {
        let from = from.min(self.days.len());
        // First rows of the group tables: group rows are pushed day by day, in the days' order.
        let (pg, fg) = match self.days.get(from) {
            Some(&day) => (
                self.person_group_key.partition_point(|k| k.0 < day),
                self.firm_group_key.partition_point(|k| k.0 < day),
            ),
            None => (self.person_group_key.len(), self.firm_group_key.len()),
        };
        let f64s = |v: &[f64], start: usize| ColumnData::F64(v[start..].to_vec());
        let person_names = &self.person_cols.columns.names;
        let names: Vec<&str> = person_names.iter().map(String::as_str).chain(PERSON_DERIVED).collect();
        let mut persons = Table::new("series_persons");
        persons.push("day", ColumnData::U32(self.days[from..].to_vec()));
        for (n, v) in names.iter().zip(&self.person_all) {
            persons.push(*n, f64s(v, from));
        }
        persons.push("wealth_gini", f64s(&self.gini, from));
        for (n, v) in self.false_stock_names.iter().zip(&self.false_stock) {
            persons.push(n.as_str(), f64s(v, from));
        }
        for (n, v) in self.theory_names.iter().zip(&self.theory) {
            persons.push(*n, f64s(v, from));
        }
        let keys = &self.person_group_key[pg..];
        let mut by_group = Table::new("series_persons_by_group");
        by_group.push("day", ColumnData::U32(keys.iter().map(|k| k.0).collect()));
        by_group.push("dimension", ColumnData::Str(keys.iter().map(|k| k.1.key().to_string()).collect()));
        by_group.push("group", ColumnData::Str(keys.iter().map(|k| k.2.clone()).collect()));
        for (n, v) in names.iter().zip(&self.person_group) {
            by_group.push(*n, f64s(v, pg));
        }
        let mut firms = Table::new("series_firms");
        firms.push("day", ColumnData::U32(self.days[from..].to_vec()));
        for (n, v) in self.firm_cols.columns.names.iter().zip(&self.firm_all) {
            firms.push(n.as_str(), f64s(v, from));
        }
        let keys = &self.firm_group_key[fg..];
        let mut firms_p = Table::new("series_firms_by_province");
        firms_p.push("day", ColumnData::U32(keys.iter().map(|k| k.0).collect()));
        firms_p.push("province", ColumnData::Str(keys.iter().map(|k| k.1.clone()).collect()));
        for (n, v) in self.firm_cols.columns.names.iter().zip(&self.firm_group) {
            firms_p.push(n.as_str(), f64s(v, fg));
        }
        vec![persons, by_group, firms, firms_p]
    }
}

/// `a / b`, or NaN (undefined, shown as "n/a") when `b` is not positive.
pub(crate) fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

/// `1 - min(1, a / b)`: the share of a quantity not realised; NaN when `b` is not positive.
pub(crate) fn shortfall(a: f64, b: f64) -> f64 {
    let r = ratio(a, b);
    if r.is_nan() { r } else { 1.0 - r.min(1.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_columns_are_numbered_in_their_order() {
        for (i, d) in Derived::ALL.into_iter().enumerate() {
            assert_eq!(d as usize, i);
            assert_eq!(PERSON_DERIVED[i], d.name());
        }
    }
}
