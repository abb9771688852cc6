//! Daily outcome counters: the declaration of the per-cell counter columns (name, kind, unit,
//! label), the per-chunk accumulators, and the reduction into one [`DayMetrics`].
//!
//! Every counter is an integer (money in whole yuan, shares of probability in fixed point), so
//! sums do not depend on how agents were split into chunks or threads.
//!
//! Each column is declared once, in [`PersonCols::new`] or [`FirmCols::new`], with its
//! [`Kind`] (how its stored `u64` is read back), its [`CounterUnit`] and a label. Readers decode
//! a column by its declared kind ([`Columns::decode`]) and find it through the typed handles
//! (the fields of [`PersonCols`] and [`FirmCols`]), never through its name: the names of
//! list, scheme and measure columns contain user-chosen names, so a suffix means nothing.

use crate::params::{AuthorityKind, Params, Subject};
use crate::population::N_CELLS;
use crate::vocab::{FIRM_EVENTS, N_FIRM_EVENTS, N_PERSON_EVENTS, N_PROVINCES, PERSON_EVENTS};

/// Fixed-point scale of probability sums (expected criticism).
pub const FIXED_POINT: f64 = (1u64 << 24) as f64;

/// Number of wealth histogram bins (4 per doubling, from 1 yuan).
pub const WEALTH_BINS: usize = 128;

/// How a counter's stored `u64` is read back as a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A non-negative count or amount: the stored value itself.
    Count,
    /// A sum of signed quantities (wealth, score offsets), stored wrapping: read back as `i64`.
    Signed,
    /// A sum of probabilities, scaled by [`FIXED_POINT`]: an expected number of events.
    FixedPoint,
}

impl Kind {
    /// The number a stored counter value stands for.
    #[inline]
    pub fn decode(self, value: u64) -> f64 {
        match self {
            Kind::Count => value as f64,
            Kind::Signed => value as i64 as f64,
            Kind::FixedPoint => value as f64 / FIXED_POINT,
        }
    }
}

/// What a counter counts, once decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CounterUnit {
    /// Persons (a stock on the day, or person-days when summed over days).
    Persons,
    /// Firms (a stock on the day).
    Firms,
    /// Events, records, trips, sanctions, list entries or exits on the day.
    Events,
    /// Yuan.
    Yuan,
    /// A sum of levels on the 0-255 scale of an attitude (trust, resentment, fear).
    Level,
    /// A sum of score offsets, in points of a scheme.
    Points,
    /// A sum of dissent levels on the 0-1 scale of the expression theory.
    Dissent,
    /// A sum of punishments in the expression theory's units of severity.
    Punishment,
}

/// Which declared family a column belongs to: a single counter, or one of a family of columns
/// with one column per event, list, scheme or measure (the `item`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// A counter on its own.
    Single,
    /// True events, one per event type.
    TrueEvents,
    /// Recorded true events, one per event type.
    Recorded,
    /// False records, one per event type.
    FalseRecords,
    /// Stock of each list.
    ListStock,
    /// Entries into each list.
    ListEntries,
    /// Exits from each list.
    ListExits,
    /// Entries on a false basis into each list.
    ListFalseEntries,
    /// Sum of score offsets of each points scheme.
    ScoreSum,
    /// Agents scored by each points scheme.
    Scored,
    /// Impositions of each measure.
    MeasureApplied,
    /// False impositions of each measure.
    MeasureFalse,
    /// Spillover impositions of each measure.
    MeasureSpillover,
    /// Firms given each grade of a rated firm points scheme at a year end (item
    /// `{scheme}_{grade}`).
    Rated,
}

/// The declaration of one counter column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// How its stored value is read back.
    pub kind: Kind,
    /// What it counts.
    pub unit: CounterUnit,
    /// What it means, in words (with the item's name for a family's column).
    pub label: String,
    /// The family it belongs to.
    pub family: Family,
    /// The event, list, scheme or measure of a family's column; the name for a single counter.
    pub item: String,
}

/// Names and declarations of the counters kept per cell, in column order.
#[derive(Clone, Debug, Default)]
pub struct Columns {
    /// Column names, in order: the column headers of the series tables.
    pub names: Vec<String>,
    /// Declarations, one per name.
    decls: Vec<Column>,
}

/// A family's declaration: the name prefix of its columns and how to read, count and say them.
struct FamilyDecl {
    family: Family,
    prefix: &'static str,
    kind: Kind,
    unit: CounterUnit,
    /// Label with `{}` where the item's name goes.
    label: &'static str,
}

impl Columns {
    fn add(&mut self, name: &str, kind: Kind, unit: CounterUnit, label: &str) -> usize {
        self.names.push(name.to_string());
        self.decls.push(Column {
            kind,
            unit,
            label: label.to_string(),
            family: Family::Single,
            item: name.to_string(),
        });
        self.names.len() - 1
    }

    fn add_each<'a>(&mut self, decl: FamilyDecl, items: impl IntoIterator<Item = &'a str>) -> usize {
        let first = self.names.len();
        for item in items {
            self.names.push(format!("{}{item}", decl.prefix));
            self.decls.push(Column {
                kind: decl.kind,
                unit: decl.unit,
                label: decl.label.replace("{}", item),
                family: decl.family,
                item: item.to_string(),
            });
        }
        first
    }

    /// Number of counters.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when there are no counters.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The declaration of column `col`.
    pub fn column(&self, col: usize) -> &Column {
        &self.decls[col]
    }

    /// How column `col` is read back.
    pub fn kind(&self, col: usize) -> Kind {
        self.decls[col].kind
    }

    /// What column `col` counts.
    pub fn unit(&self, col: usize) -> CounterUnit {
        self.decls[col].unit
    }

    /// What column `col` means, in words.
    pub fn label(&self, col: usize) -> &str {
        &self.decls[col].label
    }

    /// The event, list, scheme or measure of column `col` (its name for a single counter):
    /// what a trace row names, without the family's prefix.
    pub fn item(&self, col: usize) -> &str {
        &self.decls[col].item
    }

    /// The value a stored counter of column `col` stands for, decoded by its declared kind.
    #[inline]
    pub fn decode(&self, col: usize, value: u64) -> f64 {
        self.decls[col].kind.decode(value)
    }

    /// The column of a family for `item` (an event, list, scheme or measure name), if declared.
    pub fn find(&self, family: Family, item: &str) -> Option<usize> {
        self.decls.iter().position(|d| d.family == family && d.item == item)
    }

    /// The column named `name` (a series table's header), if there is one.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
}

use CounterUnit::{Dissent, Events, Firms, Level, Persons, Points, Punishment, Yuan};
use Kind::{Count, FixedPoint, Signed};

impl Family {
    /// The declaration of this family's columns among `subject`'s counters: the name prefix, how
    /// they read back, what they count and their label (`{}` stands for the item's name). One
    /// place for persons and firms alike.
    const fn decl(self, subject: Subject) -> FamilyDecl {
        let (agents, on_list) = match subject {
            Subject::Person => (Persons, "Persons on list {}"),
            Subject::Firm => (Firms, "Firms on list {}"),
        };
        let (prefix, kind, unit, label) = match self {
            Family::Single => ("", Count, Events, "{}"),
            Family::TrueEvents => ("true_", Count, Events, "True events: {}"),
            Family::Recorded => ("recorded_", Count, Events, "True events recorded: {}"),
            Family::FalseRecords => ("false_records_", Count, Events, "False records: {}"),
            Family::ListStock => ("stock_", Count, agents, on_list),
            Family::ListEntries => ("entries_", Count, Events, "Entries into list {}"),
            Family::ListExits => ("exits_", Count, Events, "Exits from list {}"),
            Family::ListFalseEntries => {
                ("false_entries_", Count, Events, "Entries on a false basis into list {}")
            }
            Family::ScoreSum => ("score_offset_sum_", Signed, Points, "Sum of score offsets of scheme {}"),
            Family::Scored => ("scored_", Count, agents, "Persons scored by scheme {}"),
            Family::MeasureApplied => ("applied_", Count, Events, "Impositions of measure {}"),
            Family::MeasureFalse => ("false_applied_", Count, Events, "False impositions of measure {}"),
            Family::MeasureSpillover => {
                ("spillover_applied_", Count, Events, "Spillover impositions of measure {}")
            }
            Family::Rated => ("rated_", Count, agents, "Firms rated {} at a year end"),
        };
        FamilyDecl { family: self, prefix, kind, unit, label }
    }
}

/// Offsets of the person counters. Cells are (province, urban, income).
#[derive(Clone, Debug)]
pub struct PersonCols {
    /// Names.
    pub columns: Columns,
    /// Persons aged 15+ alive in the model (all are).
    pub adults: usize,
    /// True events, one per event type.
    pub true_events: usize,
    /// True events recorded by at least one authority.
    pub recorded: usize,
    /// False records.
    pub false_records: usize,
    /// Adult-days without a violation.
    pub compliant: usize,
    /// Expected criticism without fear (fixed point).
    pub desired_criticism: usize,
    /// Expected criticism with fear (fixed point).
    pub expressed_criticism: usize,
    /// Persons whose private dissent exceeds one half.
    pub private_dissenters: usize,
    /// Private dissenters who express less than half of what they would without fear.
    pub silent_dissenters: usize,
    /// Flights taken.
    pub flights: usize,
    /// Flights refused.
    pub flights_blocked: usize,
    /// High-speed trains taken.
    pub trains: usize,
    /// High-speed trains refused.
    pub trains_blocked: usize,
    /// Persons in detention.
    pub detained: usize,
    /// Working-age persons without a job.
    pub unemployed: usize,
    /// Jobs lost because the employer closed.
    pub job_loss_closure: usize,
    /// Jobs lost through job exclusion.
    pub job_loss_measure: usize,
    /// Sanctions imposed (blacklist measures at entry).
    pub sanctions: usize,
    /// Sanctions imposed on a false basis.
    pub false_sanctions: usize,
    /// Sanctions in a context unrelated to the record.
    pub spillover_sanctions: usize,
    /// Rewards granted (redlist measures at entry).
    pub rewards: usize,
    /// Fines paid, yuan.
    pub fines_yuan: usize,
    /// Rewards paid (one-off and daily), yuan.
    pub rewards_yuan: usize,
    /// Persons on at least one blacklist.
    pub blacklisted: usize,
    /// Persons on at least one redlist.
    pub redlisted: usize,
    /// Sum of wealth (wrapping i64).
    pub wealth: usize,
    /// Sum of trust (0..255 each).
    pub trust: usize,
    /// Sum of resentment.
    pub resentment: usize,
    /// Sum of fear.
    pub fear: usize,
    /// Stock of each person list.
    pub list_stock: usize,
    /// Entries into each person list.
    pub list_entries: usize,
    /// Exits from each person list.
    pub list_exits: usize,
    /// Entries on a false basis.
    pub list_false_entries: usize,
    /// Sum of score offsets of each person scheme (wrapping i64).
    pub score_sum: usize,
    /// Persons scored by each person scheme.
    pub scored: usize,
    /// Impositions of each measure.
    pub measure_applied: usize,
    /// False impositions of each measure.
    pub measure_false: usize,
    /// Spillover impositions of each measure.
    pub measure_spillover: usize,
    /// The expression theory's counters (only under that theory).
    pub expression: Option<ExpressionCols>,
}

/// The expression theory's person counters: adults who chose how much to express today (not
/// detained), by stance, and what they desired, expressed and received.
#[derive(Clone, Copy, Debug)]
pub struct ExpressionCols {
    /// Compliant adults (desired dissent within the tolerance).
    pub compliant: usize,
    /// Self-censoring adults (expressing less than desired).
    pub self_censoring: usize,
    /// Defiant adults (expressing all of a desired dissent above the tolerance).
    pub defiant: usize,
    /// Sum of desired dissent (fixed point).
    pub desired: usize,
    /// Sum of expressed dissent (fixed point).
    pub expressed: usize,
    /// Adults punished (seen above the tolerance).
    pub punished: usize,
    /// Sum of punishments received (fixed point).
    pub punishment: usize,
}

impl ExpressionCols {
    fn declare(c: &mut Columns) -> ExpressionCols {
        ExpressionCols {
            compliant: c.add("expr_compliant", Count, Persons, "Adults whose desired dissent is tolerated"),
            self_censoring: c.add(
                "expr_self_censoring",
                Count,
                Persons,
                "Adults expressing less than desired",
            ),
            defiant: c.add("expr_defiant", Count, Persons, "Adults expressing all of an untolerated dissent"),
            desired: c.add("expr_desired", FixedPoint, Dissent, "Sum of desired dissent"),
            expressed: c.add("expr_expressed", FixedPoint, Dissent, "Sum of expressed dissent"),
            punished: c.add("expr_punished", Count, Persons, "Adults punished for their dissent"),
            punishment: c.add("expr_punishment", FixedPoint, Punishment, "Sum of punishments received"),
        }
    }
}

/// Offsets of the firm counters. Cells are provinces.
#[derive(Clone, Debug)]
pub struct FirmCols {
    /// Names.
    pub columns: Columns,
    /// Operating firms.
    pub alive: usize,
    /// Closures today.
    pub closures: usize,
    /// Firms founded in closed firms' slots.
    pub foundings: usize,
    /// True events.
    pub true_events: usize,
    /// Recorded true events.
    pub recorded: usize,
    /// False records.
    pub false_records: usize,
    /// Firm-days without a violation.
    pub compliant: usize,
    /// Fines collected, yuan.
    pub fines_yuan: usize,
    /// Value lost to measures, fines and interventions, yuan.
    pub value_lost_yuan: usize,
    /// Total value, yuan.
    pub value_yuan: usize,
    /// Operating large firms (excluding an intervention's target).
    pub large_alive: usize,
    /// Executive criticism by large firms other than a target.
    pub large_criticism: usize,
    /// Suppliers dropped for being blacklisted.
    pub partner_drops: usize,
    /// Penalties for dealing with blacklisted partners.
    pub partner_penalties: usize,
    /// Sanctions imposed.
    pub sanctions: usize,
    /// False sanctions.
    pub false_sanctions: usize,
    /// Spillover sanctions.
    pub spillover_sanctions: usize,
    /// Funds extracted by targeted enforcement, yuan.
    pub funds_extracted_yuan: usize,
    /// Firms on at least one blacklist.
    pub blacklisted: usize,
    /// Stock of each firm list.
    pub list_stock: usize,
    /// Entries into each firm list.
    pub list_entries: usize,
    /// Exits from each firm list.
    pub list_exits: usize,
    /// Sum of score offsets of each firm scheme.
    pub score_sum: usize,
    /// Impositions of each measure.
    pub measure_applied: usize,
    /// False impositions.
    pub measure_false: usize,
    /// Spillover impositions.
    pub measure_spillover: usize,
    /// Per firm points scheme, the first of its rating columns (one per grade of
    /// `PointsScheme::rating_grades`, firms rated at a year end); `usize::MAX` for a scheme
    /// without grades.
    pub rated: Vec<usize>,
}

/// Column `start + event` of a family kept one per event of `n` events; panics on an event out
/// of range (a bug: event indices are constants of `vocab.rs`).
fn event_column(start: usize, event: usize, n: usize) -> usize {
    assert!(event < n, "event {event} out of range ({n} events)");
    start + event
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn names_of(params: &Params, idx: &[usize]) -> Vec<String> {
    idx.iter().map(|&i| params.authorities[i].name.clone()).collect()
}

fn measure_names(params: &Params, subject: Subject) -> Vec<String> {
    params
        .measures
        .iter()
        .filter(|m| match m.effect {
            crate::params::MeasureEffect::Person(_) => subject == Subject::Person,
            crate::params::MeasureEffect::Firm(_) => subject == Subject::Firm,
        })
        .map(|m| m.name.clone())
        .collect()
}

impl PersonCols {
    /// The layout for a scenario: every person counter, declared once.
    pub fn new(params: &Params) -> PersonCols {
        let mut c = Columns::default();
        let ev = || PERSON_EVENTS.iter().map(|e| e.name);
        let lists = names_of(params, &params.person_lists());
        let schemes = names_of(params, &params.person_points());
        let measures = measure_names(params, Subject::Person);
        use Family as F;
        const S: Subject = Subject::Person;
        PersonCols {
            adults: c.add("adults", Count, Persons, "Adults in the model"),
            true_events: c.add_each(F::TrueEvents.decl(S), ev()),
            recorded: c.add_each(F::Recorded.decl(S), ev()),
            false_records: c.add_each(F::FalseRecords.decl(S), ev()),
            compliant: c.add("compliant", Count, Persons, "Adults without a violation"),
            desired_criticism: c.add(
                "desired_criticism_fp",
                FixedPoint,
                Events,
                "Expected criticism without fear",
            ),
            expressed_criticism: c.add(
                "expressed_criticism_fp",
                FixedPoint,
                Events,
                "Expected criticism with fear",
            ),
            private_dissenters: c.add(
                "private_dissenters",
                Count,
                Persons,
                "Persons whose private dissent exceeds one half",
            ),
            silent_dissenters: c.add(
                "silent_dissenters",
                Count,
                Persons,
                "Private dissenters expressing less than half of what they would without fear",
            ),
            flights: c.add("flights", Count, Events, "Flights taken"),
            flights_blocked: c.add("flights_blocked", Count, Events, "Flights refused"),
            trains: c.add("trains", Count, Events, "High-speed trains taken"),
            trains_blocked: c.add("trains_blocked", Count, Events, "High-speed trains refused"),
            detained: c.add("detained", Count, Persons, "Persons in detention"),
            unemployed: c.add("unemployed", Count, Persons, "Working-age persons without a job"),
            job_loss_closure: c.add(
                "job_losses_closure",
                Count,
                Events,
                "Jobs lost because the employer closed",
            ),
            job_loss_measure: c.add("job_losses_measure", Count, Events, "Jobs lost through job exclusion"),
            sanctions: c.add("sanctions", Count, Events, "Sanctions imposed"),
            false_sanctions: c.add("false_sanctions", Count, Events, "Sanctions imposed on a false basis"),
            spillover_sanctions: c.add(
                "spillover_sanctions",
                Count,
                Events,
                "Sanctions in a context unrelated to the record",
            ),
            rewards: c.add("rewards", Count, Events, "Rewards granted"),
            fines_yuan: c.add("fines_yuan", Count, Yuan, "Fines paid"),
            rewards_yuan: c.add("rewards_yuan", Count, Yuan, "Rewards paid"),
            blacklisted: c.add("blacklisted", Count, Persons, "Persons on at least one blacklist"),
            redlisted: c.add("redlisted", Count, Persons, "Persons on at least one redlist"),
            wealth: c.add("wealth_sum", Signed, Yuan, "Sum of wealth"),
            trust: c.add("trust_sum", Count, Level, "Sum of trust"),
            resentment: c.add("resentment_sum", Count, Level, "Sum of resentment"),
            fear: c.add("fear_sum", Count, Level, "Sum of fear"),
            list_stock: c.add_each(F::ListStock.decl(S), strs(&lists)),
            list_entries: c.add_each(F::ListEntries.decl(S), strs(&lists)),
            list_exits: c.add_each(F::ListExits.decl(S), strs(&lists)),
            list_false_entries: c.add_each(F::ListFalseEntries.decl(S), strs(&lists)),
            score_sum: c.add_each(F::ScoreSum.decl(S), strs(&schemes)),
            scored: c.add_each(F::Scored.decl(S), strs(&schemes)),
            measure_applied: c.add_each(F::MeasureApplied.decl(S), strs(&measures)),
            measure_false: c.add_each(F::MeasureFalse.decl(S), strs(&measures)),
            measure_spillover: c.add_each(F::MeasureSpillover.decl(S), strs(&measures)),
            // Declared last, so that the columns of every theory keep their places.
            expression: matches!(params.theory, crate::theory::Theory::Expression(_))
                .then(|| ExpressionCols::declare(&mut c)),
            columns: c,
        }
    }

    /// The column of true events of person event `event` (an index of [`PERSON_EVENTS`]).
    pub fn true_event(&self, event: usize) -> usize {
        event_column(self.true_events, event, N_PERSON_EVENTS)
    }

    /// The column of recorded true events of person event `event`.
    pub fn recorded_event(&self, event: usize) -> usize {
        event_column(self.recorded, event, N_PERSON_EVENTS)
    }

    /// The column of false records of person event `event`.
    pub fn false_record_event(&self, event: usize) -> usize {
        event_column(self.false_records, event, N_PERSON_EVENTS)
    }
}

impl FirmCols {
    /// The layout for a scenario: every firm counter, declared once.
    pub fn new(params: &Params) -> FirmCols {
        let mut c = Columns::default();
        let ev = || FIRM_EVENTS.iter().map(|e| e.name);
        let lists = names_of(params, &params.firm_lists());
        let schemes = names_of(params, &params.firm_points());
        let measures = measure_names(params, Subject::Firm);
        use Family as F;
        const S: Subject = Subject::Firm;
        FirmCols {
            alive: c.add("firms_alive", Count, Firms, "Operating firms"),
            closures: c.add("closures", Count, Events, "Firm closures"),
            foundings: c.add("foundings", Count, Events, "Firms founded in closed firms' slots"),
            true_events: c.add_each(F::TrueEvents.decl(S), ev()),
            recorded: c.add_each(F::Recorded.decl(S), ev()),
            false_records: c.add_each(F::FalseRecords.decl(S), ev()),
            compliant: c.add("compliant", Count, Firms, "Firms without a violation"),
            fines_yuan: c.add("fines_yuan", Count, Yuan, "Fines collected"),
            value_lost_yuan: c.add(
                "value_lost_yuan",
                Count,
                Yuan,
                "Value lost to measures, fines and interventions",
            ),
            value_yuan: c.add("value_yuan", Count, Yuan, "Total value of firms"),
            large_alive: c.add(
                "large_firms_alive",
                Count,
                Firms,
                "Operating large firms (excluding an intervention's target)",
            ),
            large_criticism: c.add(
                "large_firm_criticism",
                Count,
                Events,
                "Executive criticism by large firms other than a target",
            ),
            partner_drops: c.add("partner_drops", Count, Events, "Suppliers dropped for being blacklisted"),
            partner_penalties: c.add(
                "partner_penalties",
                Count,
                Events,
                "Penalties for dealing with blacklisted partners",
            ),
            sanctions: c.add("sanctions", Count, Events, "Sanctions imposed"),
            false_sanctions: c.add("false_sanctions", Count, Events, "Sanctions imposed on a false basis"),
            spillover_sanctions: c.add(
                "spillover_sanctions",
                Count,
                Events,
                "Sanctions in a context unrelated to the record",
            ),
            funds_extracted_yuan: c.add(
                "funds_extracted_yuan",
                Count,
                Yuan,
                "Funds extracted by targeted enforcement",
            ),
            blacklisted: c.add("blacklisted", Count, Firms, "Firms on at least one blacklist"),
            list_stock: c.add_each(F::ListStock.decl(S), strs(&lists)),
            list_entries: c.add_each(F::ListEntries.decl(S), strs(&lists)),
            list_exits: c.add_each(F::ListExits.decl(S), strs(&lists)),
            score_sum: c.add_each(F::ScoreSum.decl(S), strs(&schemes)),
            measure_applied: c.add_each(F::MeasureApplied.decl(S), strs(&measures)),
            measure_false: c.add_each(F::MeasureFalse.decl(S), strs(&measures)),
            measure_spillover: c.add_each(F::MeasureSpillover.decl(S), strs(&measures)),
            rated: params
                .firm_points()
                .iter()
                .map(|&a| match &params.authorities[a].kind {
                    AuthorityKind::Points(s) if s.rated() => {
                        let name = &params.authorities[a].name;
                        let items: Vec<String> =
                            s.rating_grades().map(|g| format!("{name}_{}", g.name)).collect();
                        c.add_each(F::Rated.decl(S), strs(&items))
                    }
                    _ => usize::MAX,
                })
                .collect(),
            columns: c,
        }
    }

    /// The column of firms that scheme `k` (a position among the firm points schemes) rated
    /// `grade` (a position among its `rating_grades`), if the scheme is rated.
    pub fn rated_column(&self, k: usize, grade: usize) -> Option<usize> {
        self.rated.get(k).filter(|&&first| first != usize::MAX).map(|first| first + grade)
    }

    /// The column of true events of firm event `event` (an index of [`FIRM_EVENTS`]).
    pub fn true_event(&self, event: usize) -> usize {
        event_column(self.true_events, event, N_FIRM_EVENTS)
    }

    /// The column of recorded true events of firm event `event`.
    pub fn recorded_event(&self, event: usize) -> usize {
        event_column(self.recorded, event, N_FIRM_EVENTS)
    }

    /// The column of false records of firm event `event`.
    pub fn false_record_event(&self, event: usize) -> usize {
        event_column(self.false_records, event, N_FIRM_EVENTS)
    }
}

/// Counters of one chunk (or of a whole day after reduction).
#[derive(Clone, Debug)]
pub struct Counters {
    /// `cells * width` counters, cell-major.
    pub values: Vec<u64>,
    /// Counters per cell.
    pub width: usize,
    /// Wealth histogram (persons) by [`wealth_bin`].
    pub wealth_hist: Vec<u64>,
    /// Wealth sum per histogram bin.
    pub wealth_hist_sum: Vec<u64>,
}

impl Counters {
    /// Zeroed counters for `cells` cells of `width`.
    pub fn new(cells: usize, width: usize) -> Counters {
        Counters {
            values: vec![0; cells * width],
            width,
            wealth_hist: vec![0; WEALTH_BINS],
            wealth_hist_sum: vec![0; WEALTH_BINS],
        }
    }

    /// Sets every counter to zero, keeping the allocation.
    pub fn clear(&mut self) {
        self.values.fill(0);
        self.wealth_hist.fill(0);
        self.wealth_hist_sum.fill(0);
    }

    /// Adds `x` to counter `col` of `cell`.
    #[inline(always)]
    pub fn add(&mut self, cell: usize, col: usize, x: u64) {
        let i = cell * self.width + col;
        self.values[i] = self.values[i].wrapping_add(x);
    }

    /// The counters of one cell, for a run of additions to the same cell.
    #[inline(always)]
    pub fn row_mut(&mut self, cell: usize) -> &mut [u64] {
        &mut self.values[cell * self.width..(cell + 1) * self.width]
    }

    /// Adds a signed amount (stored wrapping).
    #[inline(always)]
    pub fn add_signed(&mut self, cell: usize, col: usize, x: i64) {
        self.add(cell, col, x as u64);
    }

    /// Adds another set of counters (wrapping, so order does not matter).
    pub fn merge(&mut self, other: &Counters) {
        for (a, b) in self.values.iter_mut().zip(&other.values) {
            *a = a.wrapping_add(*b);
        }
        for (a, b) in self.wealth_hist.iter_mut().zip(&other.wealth_hist) {
            *a += b;
        }
        for (a, b) in self.wealth_hist_sum.iter_mut().zip(&other.wealth_hist_sum) {
            *a += b;
        }
    }

    /// Counter `col` of `cell`.
    pub fn get(&self, cell: usize, col: usize) -> u64 {
        self.values[cell * self.width + col]
    }

    /// Counters of one cell.
    pub fn cell(&self, cell: usize) -> &[u64] {
        &self.values[cell * self.width..(cell + 1) * self.width]
    }
}

/// Histogram bin of a wealth value: 0 for wealth below 1 yuan, then 4 bins per doubling.
#[inline]
pub fn wealth_bin(wealth: i32) -> usize {
    if wealth < 1 {
        return 0;
    }
    let w = wealth as u32;
    let octave = 31 - w.leading_zeros(); // floor(log2 w)
    // The two bits below the leading one (shifted in as zeros when there are fewer).
    let frac = ((w as u64) << 2 >> octave) as u32 & 0b11;
    (1 + octave * 4 + frac) as usize
}

/// Gini coefficient of wealth (floored at zero) from a histogram of counts and sums, taking
/// wealth as equal within a bin. Exact to within the bin width (a quarter octave).
pub fn gini_from_hist(counts: &[u64], sums: &[u64]) -> f64 {
    let n: u64 = counts.iter().sum();
    let total: f64 = sums.iter().map(|&s| s as f64).sum();
    if n == 0 || total <= 0.0 {
        return 0.0;
    }
    // Lorenz curve area by trapezoids over bins in increasing order of wealth.
    let mut cum_pop = 0.0;
    let mut cum_wealth = 0.0;
    let mut area = 0.0;
    for (&c, &s) in counts.iter().zip(sums) {
        let dp = c as f64 / n as f64;
        let dw = s as f64 / total;
        area += dp * (2.0 * cum_wealth + dw) / 2.0;
        cum_pop += dp;
        cum_wealth += dw;
    }
    let _ = cum_pop;
    1.0 - 2.0 * area
}

/// What one day produced, as integer counters per cell.
#[derive(Clone, Debug)]
pub struct DayMetrics {
    /// The day.
    pub day: u32,
    /// Person counters, [`N_CELLS`] cells of `PersonCols` width.
    pub persons: Counters,
    /// Firm counters, one cell per province.
    pub firms: Counters,
    /// Persons on some list whose listing rests on a false basis, per person list.
    pub false_list_stock: Vec<u64>,
    /// Gini of wealth (floored at zero), from the histogram.
    pub wealth_gini: f64,
    /// The theory's values of the day, named by `crate::theory::day_value_names` (none under
    /// deterrence).
    pub theory: Vec<f64>,
    /// Event engine: the events among the person counters' true events that belong to no
    /// agent (the quiet adults' unrecorded aggregated events, counted per cell; they appear in
    /// no trace). Always 0 under the daily engine.
    pub aggregated_events: u64,
}

impl DayMetrics {
    /// Zeroed metrics for a scenario.
    pub fn new(params: &Params, person: &PersonCols, firm: &FirmCols) -> DayMetrics {
        DayMetrics {
            day: 0,
            persons: Counters::new(N_CELLS, person.columns.len()),
            firms: Counters::new(N_PROVINCES, firm.columns.len()),
            false_list_stock: vec![0; params.person_lists().len()],
            wealth_gini: 0.0,
            theory: vec![f64::NAN; crate::theory::day_value_names(&params.theory).len()],
            aggregated_events: 0,
        }
    }
}

/// Whether a list is a blacklist.
pub fn is_black(params: &Params, authority: usize) -> bool {
    matches!(&params.authorities[authority].kind, AuthorityKind::List(l) if l.color.sanctions())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_decode_their_stored_values() {
        assert_eq!(Kind::Count.decode(5), 5.0);
        assert_eq!(Kind::Signed.decode((-7i64) as u64), -7.0);
        assert_eq!(Kind::FixedPoint.decode(3 << 24), 3.0);
        assert_eq!(Kind::FixedPoint.decode(1 << 23), 0.5);
    }

    #[test]
    fn a_family_column_takes_its_kind_from_the_declaration_not_from_its_name() {
        let mut c = Columns::default();
        let fp = c.add("expressed_criticism_fp", FixedPoint, Events, "Expected criticism");
        let stock = c.add_each(Family::ListStock.decl(Subject::Person), ["zz", "zz_fp", "wealth_sum"]);
        let score = c.add_each(Family::ScoreSum.decl(Subject::Person), ["plain_fp"]);
        assert_eq!(c.len(), 5);
        assert_eq!(c.kind(fp), FixedPoint);
        for col in stock..stock + 3 {
            assert_eq!(c.kind(col), Count, "{}", c.names[col]);
            assert_eq!(c.decode(col, 1 << 24), (1u64 << 24) as f64);
            assert_eq!(c.unit(col), Persons);
        }
        assert_eq!(c.names[stock + 1], "stock_zz_fp");
        assert_eq!(c.item(stock + 1), "zz_fp");
        assert_eq!(c.label(stock + 1), "Persons on list zz_fp");
        assert_eq!(c.kind(score), Signed);
        assert_eq!(c.decode(score, u64::MAX), -1.0);
        assert_eq!(c.find(Family::ListStock, "zz_fp"), Some(stock + 1));
        assert_eq!(c.find(Family::ListEntries, "zz_fp"), None);
        assert_eq!(c.find(Family::ListStock, "missing"), None);
        assert_eq!(c.position("stock_wealth_sum"), Some(stock + 2));
        assert_eq!(c.column(fp).family, Family::Single);
    }

    #[test]
    fn wealth_bins_increase_with_wealth() {
        let mut last = 0;
        for w in [0, 1, 2, 3, 4, 5, 7, 8, 100, 1000, 1_000_000, i32::MAX] {
            let b = wealth_bin(w);
            assert!(b >= last, "{w}");
            assert!(b < WEALTH_BINS);
            last = b;
        }
        assert_eq!(wealth_bin(-5), 0);
    }

    #[test]
    fn gini_of_equal_wealth_is_zero_and_of_concentrated_is_high() {
        let mut counts = vec![0u64; WEALTH_BINS];
        let mut sums = vec![0u64; WEALTH_BINS];
        counts[40] = 100;
        sums[40] = 100 * 5000;
        assert!(gini_from_hist(&counts, &sums).abs() < 1e-12);
        counts[0] = 9_900;
        assert!(gini_from_hist(&counts, &sums) > 0.98);
    }
}
