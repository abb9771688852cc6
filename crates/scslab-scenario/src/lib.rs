//! The scenario format: TOML files and the embedded presets, read in two stages (a raw serde
//! mirror that checks keys and types, then a resolution that checks values and names) into
//! `scslab_model::params::Params`.
//!
//! Every error names the file, line and column, what was expected and the valid choices. This
//! crate reads scenario files but writes nothing and prints nothing; [`render_error`] turns an
//! error into the text a front end shows (message, source excerpt, caret).
//!
//! A key applies to the kinds declared in [`keys`]: a key of an authority or a measure that its
//! kind does not use (a points scheme's `base` on a list, a `factor` on a fine) is refused at the
//! key, with the keys that kind accepts, instead of being dropped unseen.
//!
//! Every value is bounded before any work starts (issue 12):
//! - `scenario.name` becomes the output folder, so it is a short slug ([`NAME_RULE`]); other
//!   names have 1 to [`MAX_NAME_CHARS`] characters without control characters.
//! - Shares, probabilities and trait parameters lie in [0, 1], and an element of an array is
//!   located at itself (`age_shares = [-0.2, 1.0, 0.2]` points at the `-0.2`).
//! - Money is finite and non-negative (a measure's `daily` may be negative: a discount), at most
//!   [`MAX_PERSON_YUAN`] for what concerns one person or measure and [`MAX_VALUE_YUAN`] for firm
//!   values and fines; counts of days are at most [`MAX_DAYS`].
//! - Dated events (interventions, policy changes) fall on a day of the run, also after
//!   [`apply_overrides`] shortens it; a policy change gives its `day` or its `date` (with
//!   `[scenario] start_date`), never both.
//! - Duplicates are refused, because their effects would add up unseen: two interventions with
//!   one name or against one platform on one day; two policy changes of one kind and target on
//!   one day (and a policy change that changes nothing); a name listed twice in one list
//!   (measures, grounds, provinces, contexts, platform provinces); two grades with one name.
//! - Grades are listed from the highest to the lowest, each `min` strictly below the one before
//!   and within the scheme's `min` and `max`.
//! - Quotations of the file in messages are cut to a short excerpt, and a key nested deeper than
//!   the TOML reader accepts is located at that key.
//!
//! ```
//! let s = scslab_scenario::preset("china-2020").unwrap();
//! assert_eq!(s.params.days, 366);
//! ```

mod error;
pub mod keys;
mod raw;
mod render;
mod resolve;
mod theory;

pub use error::{ScenarioError, line_column};
pub use render::{EXCERPT_CHARS, render_error, render_error_in};
pub use resolve::{MAX_DAYS, MAX_NAME_CHARS, MAX_PEOPLE, MAX_PERSON_YUAN, MAX_VALUE_YUAN};
pub use resolve::{NAME_RULE, is_safe_name};

use scslab_model::params::{Change, Params};

/// A checked scenario: its text and the parameters built from it.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Name from `[scenario] name`: a short slug, safe as a folder name (see [`is_safe_name`]).
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Where it came from: `preset:NAME` or the file path.
    pub origin: String,
    /// The TOML text, exactly as read.
    pub text: String,
    /// The model parameters.
    pub params: Params,
}

/// The embedded presets: (name, one-line summary, TOML text).
pub const PRESETS: [(&str, &str); 8] = [
    ("none", include_str!("presets/none.toml")),
    ("china-2020", include_str!("presets/china-2020.toml")),
    ("china-2013-2025", include_str!("presets/china-2013-2025.toml")),
    ("rongcheng", include_str!("presets/rongcheng.toml")),
    ("integrated", include_str!("presets/integrated.toml")),
    ("ant-group-2020", include_str!("presets/ant-group-2020.toml")),
    ("daymude-2025", include_str!("presets/daymude-2025.toml")),
    ("radzvilavicius-2021", include_str!("presets/radzvilavicius-2021.toml")),
];

/// Parses and checks scenario text. `file` is used in error messages.
pub fn parse(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    let src = error::Source { file, text };
    let raw: raw::RawScenario = toml::from_str(text).map_err(|e| match e.span() {
        Some(span) => src.error(span, e.message().trim_end().to_string()),
        None => unspanned_error(&src, e.message().trim_end()),
    })?;
    // The same text again, for the spans of the keys of the tables whose keys depend on a kind.
    let keys: raw::RawKeys =
        toml::from_str(text).map_err(|e| src.error(e.span().unwrap_or(0..0), e.message().trim_end()))?;
    let params = resolve::resolve(&src, &raw, &keys)?;
    Ok(Scenario {
        name: raw.scenario.name.get_ref().clone(),
        description: raw.scenario.description.clone(),
        origin: file.to_string(),
        text: text.to_string(),
        params,
    })
}

/// Levels of a dotted key or table header that the TOML reader accepts (its recursion limit is
/// 80 parts).
const MAX_KEY_PARTS: usize = 79;

/// An error the TOML reader gave without a location. The one known case is a dotted key or table
/// header of more than [`MAX_KEY_PARTS`] parts (`[a.a.a...]`), refused as "recursion limit": it is
/// located at the first such key, found here, rather than at 1:1.
fn unspanned_error(src: &error::Source<'_>, message: &str) -> ScenarioError {
    let mut offset = 0;
    for line in src.text.split_inclusive('\n') {
        let body = line.trim_start();
        let key = match body.strip_prefix('[') {
            Some(header) => header.split(']').next().unwrap_or(header),
            None => body.split('=').next().unwrap_or(body),
        };
        let parts = key.matches('.').count() + 1;
        if !body.starts_with('#') && parts > MAX_KEY_PARTS {
            let at = offset + (line.len() - body.len());
            return src.error(
                at..at,
                format!(
                    "{message}: a key or table header of {parts} dotted parts; expected at most \
                     {MAX_KEY_PARTS} levels of nesting"
                ),
            );
        }
        offset += line.len();
    }
    src.error(0..0, message.to_string())
}

/// Reads and checks a scenario file.
pub fn load(path: &std::path::Path) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|source| ScenarioError::Read { file: file.clone(), source })?;
    parse(&text, &file)
}

/// The text of a preset.
pub fn preset_text(name: &str) -> Result<&'static str, ScenarioError> {
    PRESETS.iter().find(|p| p.0 == name).map(|p| p.1).ok_or_else(|| ScenarioError::UnknownPreset {
        name: name.to_string(),
        choices: PRESETS.iter().map(|p| format!("`{}`", p.0)).collect::<Vec<_>>().join(", "),
    })
}

/// A preset, checked.
pub fn preset(name: &str) -> Result<Scenario, ScenarioError> {
    let text = preset_text(name)?;
    let mut s = parse(text, &format!("preset:{name}"))?;
    s.origin = format!("preset:{name}");
    Ok(s)
}

/// Overrides of a scenario's size, seed and horizon from the command line.
#[derive(Clone, Copy, Debug, Default)]
pub struct Overrides {
    /// Number of persons.
    pub people: Option<u64>,
    /// Number of days.
    pub days: Option<u32>,
    /// Seed.
    pub seed: Option<u64>,
}

/// Applies overrides, checking their ranges.
pub fn apply_overrides(params: &mut Params, o: Overrides) -> Result<(), ScenarioError> {
    // Check everything first, so that a refused call changes nothing.
    if let Some(n) = o.people {
        if n == 0 || n > MAX_PEOPLE {
            return Err(ScenarioError::Override {
                what: "--people",
                message: format!("expected between 1 and {MAX_PEOPLE}, found {n}"),
            });
        }
        let firms = (n as f64 * params.population.firms_per_person).round();
        if firms > MAX_PEOPLE as f64 {
            return Err(ScenarioError::Override {
                what: "--people",
                message: format!("{firms} firms do not fit in 32-bit ids (at most {MAX_PEOPLE})"),
            });
        }
    }
    if let Some(d) = o.days
        && (d == 0 || d > MAX_DAYS)
    {
        return Err(ScenarioError::Override {
            what: "--days",
            message: format!("expected between 1 and {MAX_DAYS}, found {d}"),
        });
    }
    if let Some(d) = o.days {
        check_events_before(params, d)?;
    }
    if let (Some(n), scslab_model::theory::Theory::Reputation(r)) = (o.people, &params.theory)
        && r.players.is_none()
        && n > scslab_model::theory::reputation::MAX_PLAYERS as u64
    {
        return Err(ScenarioError::Override { what: "--people", message: theory::players_message(n) });
    }
    if let Some(n) = o.people {
        params.n_persons = n;
    }
    if let Some(d) = o.days {
        params.days = d;
    }
    if let Some(s) = o.seed {
        params.seed = s;
    }
    Ok(())
}

/// Refuses a horizon of `days` that ends the run before one of the scenario's dated events: an
/// intervention or a policy change on day `days` or later would silently never happen, and the
/// run would be reported as if the regime had it.
fn check_events_before(params: &Params, days: u32) -> Result<(), ScenarioError> {
    let last = days - 1;
    let late = |day: u32, what: String, key: &str| ScenarioError::Override {
        what: "--days",
        message: format!(
            "expected at least {}, found {days}: {what} is on day {day} ({key} = {day}), and a run of \
             {days} days ends on day {last} without it; run longer or remove it from the scenario",
            u64::from(day) + 1
        ),
    };
    if let Some(iv) = params.interventions.iter().filter(|iv| iv.day >= days).min_by_key(|iv| iv.day) {
        return Err(late(iv.day, format!("intervention `{}`", iv.name), "intervention.day"));
    }
    if let Some(pc) = params.policy_changes.iter().filter(|pc| pc.day >= days).min_by_key(|pc| pc.day) {
        let what = match &pc.change {
            Change::Memorandum { memorandum, .. } => {
                let name = params.memoranda.get(*memorandum).map_or("?", |m| m.name.as_str());
                format!("the policy change of memorandum `{name}`")
            }
            change => {
                let a = change.authority().and_then(|a| params.authorities.get(a));
                format!("the policy change of authority `{}`", a.map_or("?", |a| a.name.as_str()))
            }
        };
        return Err(late(pc.day, what, "policy_change.day"));
    }
    Ok(())
}
