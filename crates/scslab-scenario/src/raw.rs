//! The scenario file as written: a serde mirror of the TOML that only checks types and keys.
//! Values are checked and resolved into model parameters in `resolve.rs`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// A value with its byte span in the file.
pub type S<T> = Spanned<T>;
/// A table keyed by event (or province) name.
pub type NameTable = BTreeMap<S<String>, S<f64>>;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub scenario: RawMeta,
    pub population: RawPopulation,
    pub behaviour: RawBehaviour,
    pub rollout: RawRollout,
    #[serde(default)]
    pub authority: Vec<RawAuthority>,
    #[serde(default)]
    pub measure: Vec<RawMeasure>,
    #[serde(default)]
    pub memorandum: Vec<RawMemorandum>,
    pub network: RawNetwork,
    #[serde(default)]
    pub intervention: Vec<RawIntervention>,
    #[serde(default)]
    pub policy_change: Vec<RawPolicyChange>,
    /// The expression theory's table, read when `behaviour.theory = "expression"`.
    pub expression: Option<S<RawExpression>>,
    /// The reputation theory's table, read when `behaviour.theory = "reputation"`.
    pub reputation: Option<S<RawReputation>>,
    /// How the day is simulated (optional: the theory's default engine, `DayEngine::default_for`).
    pub engine: Option<RawEngine>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEngine {
    /// "daily" or "event" (the default under the deterrence theory).
    pub day: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    pub name: S<String>,
    pub description: String,
    pub seed: u64,
    pub people: S<u64>,
    pub days: S<u32>,
    /// The calendar date of day 0 (`YYYY-MM-DD`), if the run stands for dated history; reports
    /// then show days as dates. It changes nothing in the model.
    pub start_date: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPopulation {
    /// "census_2020" or a table of weights by province name.
    pub province_weights: ProvinceWeights,
    pub urban_share: S<f64>,
    pub age_shares: S<Vec<S<f64>>>,
    pub employment_rate: S<f64>,
    pub daily_income: S<Vec<S<f64>>>,
    pub rural_income_factor: S<f64>,
    pub consumption_share: S<f64>,
    pub initial_wealth_days: S<f64>,
    pub firms_per_person: S<f64>,
    pub firm_size_shares: S<Vec<S<f64>>>,
    pub sector_shares: S<Vec<S<f64>>>,
    pub employer_concentration: S<u32>,
    pub platform_provinces: Vec<S<String>>,
    pub firm_value: S<Vec<S<f64>>>,
    pub platform_value: S<f64>,
    pub firm_daily_return: S<f64>,
    pub firm_base_closure: S<f64>,
    pub firm_founding: Option<S<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum ProvinceWeights {
    Named(String),
    Table(BTreeMap<String, f64>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTrait {
    pub mean: S<f64>,
    pub spread: S<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBehaviour {
    pub person_rate: NameTable,
    pub firm_rate: NameTable,
    pub law_abidance: S<RawTrait>,
    pub prosociality: S<RawTrait>,
    pub outspokenness: S<RawTrait>,
    pub fear_sensitivity: S<RawTrait>,
    pub conformity: S<RawTrait>,
    pub dissent: S<RawTrait>,
    pub firm_compliance: S<RawTrait>,
    pub deterrence_weight: S<f64>,
    pub reward_pull: S<f64>,
    pub crowding_out: NameTable,
    pub conformity_weight: S<f64>,
    pub fear_perception: S<f64>,
    pub fear_decay: S<f64>,
    pub fear_own_sanction: S<f64>,
    pub fear_group_sanction: S<f64>,
    pub resentment_sanction: S<f64>,
    pub resentment_false_sanction: S<f64>,
    pub resentment_decay: S<f64>,
    pub dissent_from_resentment: S<f64>,
    pub initial_trust: S<f64>,
    pub trust_reward: S<f64>,
    pub trust_sanction: S<f64>,
    pub trust_false_sanction: S<f64>,
    pub trust_recovery: S<f64>,
    pub flight_rate: S<f64>,
    pub train_rate: S<f64>,
    pub banned_flight_rate: Option<S<f64>>,
    pub banned_train_rate: Option<S<f64>>,
    pub reemployment_rate: S<f64>,
    pub repayment_pressure: S<f64>,
    pub platform_outspokenness: S<f64>,
    pub leader_fear_decay: S<f64>,
    pub leader_silencing: S<f64>,
    pub point_value: S<f64>,
    /// The behaviour theory: "deterrence" (the default), "expression" or "reputation".
    pub theory: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRollout {
    pub schedule: S<Vec<S<(u32, f64)>>>,
    pub province_spread: S<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGrade {
    pub name: S<String>,
    pub min: S<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDirectGrade {
    pub grade: S<String>,
    pub grounds: Vec<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScoreRule {
    pub authority: S<String>,
    pub below: Option<S<f64>>,
    pub at_least: Option<S<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAuthority {
    pub name: S<String>,
    pub subject: S<String>,
    pub kind: S<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub detect: NameTable,
    #[serde(default)]
    pub false_rate: NameTable,
    #[serde(default)]
    pub delay_mean_days: Option<S<f64>>,
    #[serde(default)]
    pub provinces: Vec<S<String>>,
    #[serde(default)]
    pub area_share: Option<S<f64>>,
    #[serde(default)]
    pub consent_share: Option<S<f64>>,
    // Points schemes.
    pub base: Option<S<f64>>,
    pub min: Option<S<f64>>,
    pub max: Option<S<f64>>,
    #[serde(default)]
    pub points: NameTable,
    pub decay_per_day: Option<S<f64>>,
    #[serde(default)]
    pub grades: Vec<RawGrade>,
    pub employee_points: Option<S<f64>>,
    pub partner_points: Option<S<f64>>,
    pub new_grade: Option<RawGrade>,
    pub direct_grade: Option<RawDirectGrade>,
    pub warm_start: Option<S<bool>>,
    // Lists.
    #[serde(default)]
    pub grounds: Vec<S<String>>,
    pub score_rule: Option<S<RawScoreRule>>,
    pub duration_days: Option<S<u32>>,
    #[serde(default)]
    pub exit_on_repayment: bool,
    pub repair_rate: Option<S<f64>>,
    pub repair_after_days: Option<S<u32>>,
    pub appeal_rate: Option<S<f64>>,
    pub appeal_days: Option<S<u32>>,
    pub appeal_success_false: Option<S<f64>>,
    pub appeal_success_true: Option<S<f64>>,
    #[serde(default)]
    pub measures: Vec<S<String>>,
    pub legal_rep_list: Option<S<String>>,
    pub related_contexts: Option<Vec<S<String>>>,
    pub initial_share: Option<S<f64>>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeasure {
    pub name: S<String>,
    pub authority: S<String>,
    pub subject: S<String>,
    pub kind: S<String>,
    pub context: S<String>,
    #[serde(default)]
    pub amount: Option<S<f64>>,
    #[serde(default)]
    pub daily: Option<S<f64>>,
    #[serde(default)]
    pub factor: Option<S<f64>>,
    #[serde(default)]
    pub prob: Option<S<f64>>,
    #[serde(default)]
    pub days: Option<S<u32>>,
    #[serde(default)]
    pub share: Option<S<f64>>,
    pub perceived_yuan: S<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMemorandum {
    pub name: S<String>,
    pub list: S<String>,
    pub measures: Vec<S<String>>,
    /// In force from day 0 (the default); a policy change of kind `memorandum` switches it.
    #[serde(default = "yes")]
    pub enabled: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    pub suppliers_per_firm: S<u32>,
    pub drop_listed_partner: S<f64>,
    pub partner_penalty_rate: S<f64>,
    pub partner_penalty_yuan: S<f64>,
    pub dropped_revenue_share: S<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIntervention {
    pub name: S<String>,
    pub day: S<u32>,
    pub platform: S<usize>,
    pub ipo_halt_value_share: S<f64>,
    pub fine_yuan: S<f64>,
    pub restructure_value_share: S<f64>,
    pub founder_withdraws: bool,
    pub leaders_fear: S<f64>,
}

/// `[[policy_change]]`: a dated change of one kind (`keys::POLICY_CHANGE_KINDS`); which keys
/// each kind takes is declared in `keys::POLICY_CHANGE_KEYS`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicyChange {
    /// `authority` (the default), `credit_repair`, `memorandum` or `representatives`.
    pub kind: Option<S<String>>,
    /// A day of the run, or
    pub day: Option<S<u32>>,
    /// a calendar date (`YYYY-MM-DD`, with `[scenario] start_date`).
    pub date: Option<S<String>>,
    pub authority: Option<S<String>>,
    pub memorandum: Option<S<String>>,
    pub enabled: Option<S<bool>>,
    pub detection_scale: Option<S<f64>>,
    /// 0 removes the fixed listing period.
    pub duration_days: Option<S<u32>>,
    pub grounds: Option<S<Vec<S<String>>>>,
    pub score_below: Option<S<f64>>,
    pub score_at_least: Option<S<f64>>,
    pub repair_rate: Option<S<f64>>,
    pub repair_after_days: Option<S<u32>>,
}

/// `[expression]`: Daymude, Axelrod & Forrest (2025).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpression {
    pub boldness: S<f64>,
    pub tolerance: S<f64>,
    pub severity: S<f64>,
    pub surveillance: S<f64>,
    pub punishment: S<String>,
    /// "own" (the table's policy, the default) or "regime" (surveillance and severity from the
    /// regime's speech authorities each day).
    pub authority: Option<S<String>>,
    #[serde(default)]
    pub adaptive: Option<S<bool>>,
    /// The adaptive authority's adamancy `alpha` (with `adaptive = true`).
    pub adamancy: Option<S<f64>>,
    /// The adaptive authority's step `epsilon` (with `adaptive = true`).
    pub adaptive_step: Option<S<f64>>,
    /// "trait" (the dissent trait, the default) or "exponential" (the paper's population).
    pub desired: Option<S<String>>,
}

/// `[reputation]`: Radzvilavicius, Kessinger & Plotkin (2021).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReputation {
    pub norm: S<String>,
    pub assessment: S<String>,
    pub empathy: S<f64>,
    pub benefit: S<f64>,
    pub cost: S<f64>,
    pub execution_error: S<f64>,
    pub assessment_error: S<f64>,
    pub strategy_mutation: S<f64>,
    pub selection_strength: S<f64>,
    pub institution_size: Option<S<u32>>,
    pub institution_quorum: Option<S<u32>>,
    pub adherence: Option<S<f64>>,
    /// A person list whose members the institution holds in bad standing.
    pub institution_list: Option<S<String>>,
    /// How many adults play (the first in id order); default all.
    pub players: Option<S<u32>>,
}

/// The keys present in a table, each with its span (the key itself, not its value).
pub type KeyTable = BTreeMap<S<String>, serde::de::IgnoredAny>;

/// The keys of the tables whose keys depend on something else in the table (an authority's
/// kind and subject, a measure's kind) or whose value is read without a span, read from the
/// same text as [`RawScenario`] so that an error can point at the key of the one table in
/// question. Other tables are not read here.
#[derive(Debug, Deserialize)]
pub struct RawKeys {
    pub population: KeyTable,
    #[serde(default)]
    pub authority: Vec<KeyTable>,
    #[serde(default)]
    pub measure: Vec<KeyTable>,
    #[serde(default)]
    pub policy_change: Vec<KeyTable>,
}
