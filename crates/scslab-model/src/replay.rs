//! The replay log: everything a day step hands from some agents to others, kept small enough to
//! store with a run, so that any one agent can later be re-simulated alone ([`crate::trace`]).
//!
//! An agent's day depends on its own state, on draws keyed by (seed, stream, agent, day), on the
//! parameters, and on a few inputs that other agents produce. The log holds exactly those
//! inputs, and nothing per agent:
//!
//! - per person list with a warm start, its factor over the whole population;
//! - per day, per peer group: peers' average rates and yesterday's sanction rate (the only
//!   aggregates the person kernel reads);
//! - firm closures and foundings (persons read their employer's closure, and look for work at
//!   operating firms);
//! - messages from one agent to another: legal representatives put on a list because of their
//!   firm, founders silenced by an intervention, suppliers dropped by their customers;
//! - employees' recorded violations counted by their employer;
//! - firms' list memberships, whenever they change (customers read their suppliers').
//!
//! Entries are appended in day order and, within a day, in agent-id order (outboxes are merged
//! in chunk order), so the log does not depend on the number of threads.

use crate::population::N_PEER_GROUPS;
use scslab_codec::{Decoder, Encoder, read_frame, write_frame};

use crate::saved::{StateError, agent, get_message, put_message};
use crate::theory::expression::Policy;
use crate::vocab::N_PERSON_EVENTS;
use crate::world::Addressed;

/// Magic bytes of a saved replay log.
pub const REPLAY_MAGIC: [u8; 8] = *b"SCSLABRP";

/// Version of the replay log's layout (the layout version of its frame).
pub const REPLAY_VERSION: u32 = 4;

/// A message from another agent, with the day it is delivered.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Logged {
    /// Day of delivery.
    pub day: u32,
    /// Delivered before the day's late records (interventions), not after them (firm phase).
    pub early: bool,
    /// Addressee and message.
    pub to: Addressed,
}

/// The cross-agent inputs of a run, day by day. See the module docs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReplayLog {
    /// Per person list slot: the warm start's factor (`crate::lists::initial_scales`), an
    /// aggregate over the whole population.
    pub initial_scales: Vec<f64>,
    /// Peers' rates read by each day's tables: `N_PEER_GROUPS * N_PERSON_EVENTS` per day.
    pub peer_rates: Vec<f64>,
    /// Yesterday's sanctions per adult read by each day's person phase: `N_PEER_GROUPS` per day.
    pub group_sanction_rate: Vec<f64>,
    /// (day, firm): a firm closed in the day's firm phase.
    pub closures: Vec<(u32, u32)>,
    /// (day, firm): a firm was founded in the slot in the day's firm phase.
    pub foundings: Vec<(u32, u32)>,
    /// Messages to persons from other agents.
    pub person_messages: Vec<Logged>,
    /// Messages to firms from other firms.
    pub firm_messages: Vec<Logged>,
    /// (day read, firm): one recorded violation of an employee, read by the firm that day.
    pub employee_records: Vec<(u32, u32)>,
    /// (day, firm, list bits): a firm's list bits at the start of the day's firm phase, logged
    /// when they differ from the day before (all firms start on no list).
    pub firm_lists: Vec<(u32, u32, u8)>,
    /// Under the expression theory, the authority's own policy of each day (tolerance,
    /// severity, surveillance: 3 per day); empty under the other theories.
    pub expression_policy: Vec<f64>,
}

impl ReplayLog {
    /// Days whose aggregates are in the log.
    pub fn days(&self) -> u32 {
        (self.group_sanction_rate.len() / N_PEER_GROUPS) as u32
    }

    /// Records the aggregates that a day's step reads (called at the start of the day).
    pub(crate) fn start_day(
        &mut self,
        peer_rates: &[[f64; N_PERSON_EVENTS]],
        sanction: &[f64; N_PEER_GROUPS],
        expression: Option<Policy>,
    ) {
        for rates in peer_rates {
            self.peer_rates.extend_from_slice(rates);
        }
        self.group_sanction_rate.extend_from_slice(sanction);
        if let Some(p) = expression {
            self.expression_policy.extend_from_slice(&[p.tolerance, p.severity, p.surveillance]);
        }
    }

    /// The expression authority's own policy of `day`, its punishment taken from `params`
    /// (the theory's; the log holds the three numbers a day can change).
    pub fn expression_policy_of(&self, day: u32, params: &crate::params::Params) -> Option<Policy> {
        let crate::theory::Theory::Expression(x) = &params.theory else { return None };
        let d = day as usize * 3;
        let v = self.expression_policy.get(d..d + 3)?;
        Some(Policy { tolerance: v[0], severity: v[1], surveillance: v[2], punishment: x.policy.punishment })
    }

    /// Peers' rates of `day`, one row per peer group.
    pub fn peer_rates_of(&self, day: u32) -> Vec<[f64; N_PERSON_EVENTS]> {
        let width = N_PEER_GROUPS * N_PERSON_EVENTS;
        self.peer_rates[day as usize * width..(day as usize + 1) * width]
            .chunks_exact(N_PERSON_EVENTS)
            .map(|c| c.try_into().expect("row width"))
            .collect()
    }

    /// Sanction rates of `day`, by peer group.
    pub fn sanction_rate_of(&self, day: u32) -> [f64; N_PEER_GROUPS] {
        let d = day as usize * N_PEER_GROUPS;
        self.group_sanction_rate[d..d + N_PEER_GROUPS].try_into().expect("row width")
    }

    /// Appends the log to a state body (checkpoints).
    pub(crate) fn encode(&self, e: &mut Encoder) {
        e.f64s(&self.initial_scales);
        e.f64s(&self.peer_rates);
        e.f64s(&self.group_sanction_rate);
        for pairs in [&self.closures, &self.foundings] {
            e.length(pairs.len());
            for &(d, f) in pairs {
                e.u32(d);
                e.u32(f);
            }
        }
        for msgs in [&self.person_messages, &self.firm_messages] {
            e.length(msgs.len());
            for m in msgs {
                e.u32(m.day);
                e.u8(m.early as u8);
                put_message(e, &m.to);
            }
        }
        e.length(self.employee_records.len());
        for &(d, f) in &self.employee_records {
            e.u32(d);
            e.u32(f);
        }
        e.length(self.firm_lists.len());
        for &(d, f, bits) in &self.firm_lists {
            e.u32(d);
            e.u32(f);
            e.u8(bits);
        }
        e.f64s(&self.expression_policy);
    }

    /// Reads a log written by [`ReplayLog::encode`] for a run of `n_persons` and `n_firms`.
    pub(crate) fn decode(d: &mut Decoder<'_>, n_persons: u32, n_firms: u32) -> Result<ReplayLog, StateError> {
        let initial_scales = d.f64s()?;
        let peer_rates = d.f64s()?;
        let group_sanction_rate = d.f64s()?;
        if peer_rates.len() != group_sanction_rate.len() * N_PERSON_EVENTS
            || !group_sanction_rate.len().is_multiple_of(N_PEER_GROUPS)
        {
            return Err(StateError::Corrupt("replay aggregates of unequal length".into()));
        }
        let pairs = |d: &mut Decoder<'_>, n_agents: u32| -> Result<Vec<(u32, u32)>, StateError> {
            let n = d.length(8)?;
            (0..n).map(|_| Ok((d.u32()?, agent(d, n_agents)?))).collect()
        };
        let closures = pairs(d, n_firms)?;
        let foundings = pairs(d, n_firms)?;
        let mut messages = [Vec::new(), Vec::new()];
        for (msgs, n_agents) in messages.iter_mut().zip([n_persons, n_firms]) {
            let n = d.length(10)?;
            for _ in 0..n {
                let day = d.u32()?;
                let early = d.bool()?;
                msgs.push(Logged { day, early, to: get_message(d, n_agents)? });
            }
        }
        let employee_records = pairs(d, n_firms)?;
        let n = d.length(9)?;
        let firm_lists =
            (0..n).map(|_| Ok((d.u32()?, agent(d, n_firms)?, d.u8()?))).collect::<Result<_, StateError>>()?;
        let expression_policy = d.f64s()?;
        if !expression_policy.is_empty()
            && expression_policy.len() * N_PEER_GROUPS != group_sanction_rate.len() * 3
        {
            return Err(StateError::Corrupt(
                "replay expression policies of another length than its days".into(),
            ));
        }
        let [person_messages, firm_messages] = messages;
        Ok(ReplayLog {
            expression_policy,
            initial_scales,
            peer_rates,
            group_sanction_rate,
            closures,
            foundings,
            person_messages,
            firm_messages,
            employee_records,
            firm_lists,
        })
    }

    /// Writes the log as one frame of `scslab-codec` (magic [`REPLAY_MAGIC`], layout version
    /// [`REPLAY_VERSION`]), keyed like a checkpoint by the caller's `scenario_key`.
    pub fn save(
        &self,
        scenario_key: u64,
        n_persons: u32,
        n_firms: u32,
        w: &mut impl std::io::Write,
    ) -> Result<(), StateError> {
        let mut e = Encoder::default();
        e.str(env!("CARGO_PKG_VERSION"));
        e.u64(scenario_key);
        e.u32(n_persons);
        e.u32(n_firms);
        self.encode(&mut e);
        Ok(write_frame(REPLAY_MAGIC, REPLAY_VERSION, &e.bytes, w)?)
    }

    /// Reads a log saved by [`ReplayLog::save`], refusing one that is truncated, corrupt, of
    /// another frame format, layout or crate version, or of another scenario.
    pub fn load(
        scenario_key: u64,
        n_persons: u32,
        n_firms: u32,
        r: &mut impl std::io::Read,
    ) -> Result<ReplayLog, StateError> {
        let body = read_frame(REPLAY_MAGIC, REPLAY_VERSION, r)?;
        let mut d = Decoder::new(&body);
        let version = d.str()?;
        if version != env!("CARGO_PKG_VERSION") {
            return Err(StateError::Version {
                found: format!("scslab {version}"),
                expected: format!("scslab {}", env!("CARGO_PKG_VERSION")),
            });
        }
        let found = d.u64()?;
        if found != scenario_key {
            return Err(StateError::ScenarioMismatch { found, expected: scenario_key });
        }
        let (np, nf) = (d.u32()?, d.u32()?);
        if (np, nf) != (n_persons, n_firms) {
            return Err(StateError::Corrupt(format!(
                "the log is of {np} persons and {nf} firms, the run of {n_persons} and {n_firms}"
            )));
        }
        let log = ReplayLog::decode(&mut d, n_persons, n_firms)?;
        d.finish()?;
        Ok(log)
    }
}
