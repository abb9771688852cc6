//! Turns each day's per-cell counters into rows of time series: overall and by group
//! (province, urban/rural, income quintile) for persons; overall and by province for firms.

use scslab_codec::{Decoder, Encoder};
use scslab_model::metrics::{DayMetrics, FIXED_POINT};
use scslab_model::population::N_CELLS;
use scslab_model::sim::Simulation;
use scslab_model::state::StateError;
use scslab_model::vocab::{N_INCOME, N_PROVINCES, PROVINCES};
use scslab_output::{ColumnData, Table};

/// Columns derived from the raw counters, appended to every person row.
pub const PERSON_DERIVED: [&str; 7] = [
    "compliance_rate",
    "chilling_effect",
    "silent_share_of_dissenters",
    "mean_trust",
    "mean_resentment",
    "mean_fear",
    "false_sanction_share",
];

/// Daily series being collected, column by column.
pub struct SeriesBuilder {
    person_names: Vec<String>,
    firm_names: Vec<String>,
    /// Overall person rows: one Vec per column (raw then derived).
    person_all: Vec<Vec<f64>>,
    person_group_key: Vec<(u32, &'static str, String)>,
    person_group: Vec<Vec<f64>>,
    firm_all: Vec<Vec<f64>>,
    firm_group_key: Vec<(u32, String)>,
    firm_group: Vec<Vec<f64>>,
    days: Vec<u32>,
    gini: Vec<f64>,
    false_stock: Vec<Vec<f64>>,
    false_stock_names: Vec<String>,
}

fn derived(names: &[String], raw: &[f64]) -> [f64; PERSON_DERIVED.len()] {
    let col = |n: &str| names.iter().position(|x| x == n).map_or(0.0, |i| raw[i]);
    // An undefined ratio (zero denominator) is NaN: an empty CSV field, "n/a" to a reader.
    let ratio = crate::summary::ratio;
    let adults = col("adults");
    [
        ratio(col("compliant"), adults),
        crate::summary::shortfall(col("expressed_criticism_fp"), col("desired_criticism_fp")),
        ratio(col("silent_dissenters"), col("private_dissenters")),
        ratio(col("trust_sum"), adults * 255.0),
        ratio(col("resentment_sum"), adults * 255.0),
        ratio(col("fear_sum"), adults * 255.0),
        ratio(col("false_sanctions"), col("sanctions")),
    ]
}

impl SeriesBuilder {
    /// An empty builder for a simulation's counter layout.
    pub fn new(sim: &Simulation) -> SeriesBuilder {
        let person_names = sim.person_cols.columns.names.clone();
        let firm_names = sim.firm_cols.columns.names.clone();
        let np = person_names.len() + PERSON_DERIVED.len();
        let nf = firm_names.len();
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
            person_names,
            firm_names,
        }
    }

    /// Adds one day.
    pub fn push(&mut self, m: &DayMetrics) {
        let width = self.person_names.len();
        // Person groups: province (31), urban/rural (2), income (5), from the cells.
        let mut groups: Vec<(&'static str, String, Vec<f64>)> = Vec::new();
        for name in PROVINCES {
            groups.push(("province", name.to_string(), vec![0.0; width]));
        }
        groups.push(("urban_rural", "rural".into(), vec![0.0; width]));
        groups.push(("urban_rural", "urban".into(), vec![0.0; width]));
        for q in 0..N_INCOME {
            groups.push(("income", format!("q{}", q + 1), vec![0.0; width]));
        }
        let mut all = vec![0.0; width];
        for cell in 0..N_CELLS {
            let province = cell / (2 * N_INCOME);
            let urban = (cell / N_INCOME) % 2;
            let income = cell % N_INCOME;
            let values = m.persons.cell(cell);
            for (c, &v) in values.iter().enumerate() {
                // Sums of signed quantities are stored wrapping: read them back as i64.
                let x = signed(&self.person_names[c], v);
                all[c] += x;
                groups[province].2[c] += x;
                groups[N_PROVINCES + urban].2[c] += x;
                groups[N_PROVINCES + 2 + income].2[c] += x;
            }
        }
        for (c, v) in all.iter().enumerate() {
            self.person_all[c].push(*v);
        }
        for (i, d) in derived(&self.person_names, &all).iter().enumerate() {
            self.person_all[width + i].push(*d);
        }
        for (dim, name, values) in groups {
            self.person_group_key.push((m.day, dim, name));
            let d = derived(&self.person_names, &values);
            for (c, v) in values.into_iter().enumerate() {
                self.person_group[c].push(v);
            }
            for (i, v) in d.iter().enumerate() {
                self.person_group[width + i].push(*v);
            }
        }
        let fw = self.firm_names.len();
        let mut fall = vec![0.0; fw];
        for (p, name) in PROVINCES.iter().enumerate() {
            self.firm_group_key.push((m.day, name.to_string()));
            for (c, &v) in m.firms.cell(p).iter().enumerate() {
                let x = signed(&self.firm_names[c], v);
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
    }

    /// Appends the rows collected so far to a checkpoint. Column names are not saved: they
    /// follow from the simulation, and [`SeriesBuilder::restore`] starts from the same layout.
    pub(crate) fn save(&self, e: &mut Encoder) {
        let columns =
            [&self.person_all, &self.person_group, &self.firm_all, &self.firm_group, &self.false_stock];
        for cols in columns {
            e.length(cols.len());
            cols.iter().for_each(|c| e.f64s(c));
        }
        e.length(self.person_group_key.len());
        for (day, dim, group) in &self.person_group_key {
            e.u32(*day);
            e.str(dim);
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
            let dim = match d.str()?.as_str() {
                "province" => "province",
                "urban_rural" => "urban_rural",
                "income" => "income",
                other => return Err(StateError::Corrupt(format!("unknown series dimension `{other}`"))),
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

    /// Value of a person column (raw or derived) on each day, overall.
    pub fn person(&self, name: &str) -> Option<&[f64]> {
        self.person_names
            .iter()
            .map(String::as_str)
            .chain(PERSON_DERIVED)
            .position(|n| n == name)
            .map(|i| self.person_all[i].as_slice())
    }

    /// Value of a firm column on each day, overall.
    pub fn firm(&self, name: &str) -> Option<&[f64]> {
        self.firm_names.iter().position(|n| n == name).map(|i| self.firm_all[i].as_slice())
    }

    /// Daily wealth Gini.
    pub fn gini(&self) -> &[f64] {
        &self.gini
    }

    /// A person column summed over days, by group of one dimension: (group, total).
    pub fn person_by_group(&self, dimension: &str, name: &str) -> Vec<(String, f64)> {
        let Some(c) = self.person_names.iter().position(|n| n == name) else { return Vec::new() };
        let mut out: Vec<(String, f64)> = Vec::new();
        for (i, (_, dim, group)) in self.person_group_key.iter().enumerate() {
            if *dim != dimension {
                continue;
            }
            match out.iter_mut().find(|(g, _)| g == group) {
                Some(e) => e.1 += self.person_group[c][i],
                None => out.push((group.clone(), self.person_group[c][i])),
            }
        }
        out
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
        let names: Vec<&str> = self.person_names.iter().map(String::as_str).chain(PERSON_DERIVED).collect();
        let mut persons = Table::new("series_persons");
        persons.push("day", ColumnData::U32(self.days[from..].to_vec()));
        for (n, v) in names.iter().zip(&self.person_all) {
            persons.push(*n, f64s(v, from));
        }
        persons.push("wealth_gini", f64s(&self.gini, from));
        for (n, v) in self.false_stock_names.iter().zip(&self.false_stock) {
            persons.push(n.as_str(), f64s(v, from));
        }
        let keys = &self.person_group_key[pg..];
        let mut by_group = Table::new("series_persons_by_group");
        by_group.push("day", ColumnData::U32(keys.iter().map(|k| k.0).collect()));
        by_group.push("dimension", ColumnData::Str(keys.iter().map(|k| k.1.to_string()).collect()));
        by_group.push("group", ColumnData::Str(keys.iter().map(|k| k.2.clone()).collect()));
        for (n, v) in names.iter().zip(&self.person_group) {
            by_group.push(*n, f64s(v, pg));
        }
        let mut firms = Table::new("series_firms");
        firms.push("day", ColumnData::U32(self.days[from..].to_vec()));
        for (n, v) in self.firm_names.iter().zip(&self.firm_all) {
            firms.push(n.as_str(), f64s(v, from));
        }
        let keys = &self.firm_group_key[fg..];
        let mut firms_p = Table::new("series_firms_by_province");
        firms_p.push("day", ColumnData::U32(keys.iter().map(|k| k.0).collect()));
        firms_p.push("province", ColumnData::Str(keys.iter().map(|k| k.1.clone()).collect()));
        for (n, v) in self.firm_names.iter().zip(&self.firm_group) {
            firms_p.push(n.as_str(), f64s(v, fg));
        }
        vec![persons, by_group, firms, firms_p]
    }
}

/// Counters whose sums are of signed quantities (wealth, score offsets) are stored wrapping.
fn signed(name: &str, v: u64) -> f64 {
    if name.starts_with("wealth_sum") || name.starts_with("score_offset_sum") {
        v as i64 as f64
    } else if name.ends_with("_fp") {
        v as f64 / FIXED_POINT
    } else {
        v as f64
    }
}
