//! Saving and restoring the dynamic state of a [`Simulation`] (checkpoints).
//!
//! The format is plain little-endian binary, written by hand so that the model keeps its
//! invariant of deriving no `Serialize`. A saved state is one frame of `scslab-codec` (magic
//! [`STATE_MAGIC`], layout version [`FORMAT_VERSION`], body length, body, CRC-32 checksum).
//!
//! The body holds the crate version, the caller's scenario key (a hash of the scenario text and
//! parameters, computed by the runner), the population's dimensions, the day, and then every
//! piece of state that `step` reads after an earlier day wrote it: person and firm columns,
//! list entries and spells, late records, messages waiting for tomorrow, peers' rate averages
//! and group sanction rates, and the replay log (`crate::replay`). Everything else (static
//! traits, tables, counter layouts, outboxes) is rebuilt from the parameters by
//! [`Simulation::new`] or each day; what policy changes changed (authorities' switches,
//! detection scales, list rules, memoranda) is rebuilt by applying again the changes of the days
//! before the saved day (`day::replay_policy_changes`), so a checkpoint holds none of it.
//!
//! The agents' columns are streamed ([`FrameWriter`], [`FrameReader`]): saving or restoring
//! a state needs no memory in proportion to the population beyond the simulation itself (at
//! full scale a state is 20 GB).
//!
//! Restoring refuses, never returns, a frame that is truncated, fails its checksum, comes from
//! another frame format (an older scslab's checkpoint is refused from its head alone), layout or
//! crate version, or from another scenario. A mismatch of layout, version, scenario or size in
//! the body's head is reported as such only once the checksum shows that the frame is intact,
//! and before the population is built. Every length is checked against the bytes that remain
//! before anything is allocated, so a corrupt length cannot make it allocate more than the file
//! holds.

use std::io::{Read, Write};

use crate::theory::expression::Authority;
use crate::theory::reputation::Game;
use crate::theory::{Theory, TheoryState};
use scslab_codec::{Decoder, Encoder, FrameReader, FrameWriter, STREAM_CHUNK};

use crate::day::replay_policy_changes;
use crate::params::Params;
use crate::population::Layout;
use crate::population::N_PEER_GROUPS;
use crate::replay::ReplayLog;
pub use crate::saved::StateError;
use crate::saved::{agent, get_message, put_message};
use crate::sim::Simulation;
use crate::tables::Plan;
use crate::vocab::N_PERSON_EVENTS;
use crate::world::{
    ColumnVisitor, ColumnVisitorMut, FirmSet, Firms, ListEntry, ListState, Pending, Persons, Plain,
    SPELL_BINS,
};

/// Magic bytes at the start of a saved simulation state.
pub const STATE_MAGIC: [u8; 8] = *b"SCSLABCK";

/// Version of the body's layout; bumped whenever the layout changes. (The checksum and head are
/// the frame's, versioned by `scslab_codec::FRAME_FORMAT`.) The dense columns are not counted
/// here: the head names them (`columns_layout`), and a state of other columns is refused.
pub const FORMAT_VERSION: u32 = 7;

/// Adds up the bytes the dense columns take in the frame: each its length, then its values.
struct SavedLen(u64);

impl ColumnVisitor for SavedLen {
    type Error = std::convert::Infallible;
    fn visit<T: Plain>(&mut self, _: &'static str, column: &[T]) -> Result<(), Self::Error> {
        self.0 += 8 + (column.len() * T::BYTES) as u64;
        Ok(())
    }
}

/// Streams each dense column into a frame through a buffer, [`STREAM_CHUNK`] bytes at a time:
/// its length, then its values, little-endian.
struct PutColumns<'f, W> {
    frame: &'f mut FrameWriter<W>,
    buf: Vec<u8>,
}

impl<W: Write> ColumnVisitor for PutColumns<'_, W> {
    type Error = StateError;
    fn visit<T: Plain>(&mut self, _: &'static str, column: &[T]) -> Result<(), StateError> {
        self.frame.write(&(column.len() as u64).to_le_bytes())?;
        for chunk in column.chunks(STREAM_CHUNK / T::BYTES) {
            self.buf.clear();
            chunk.iter().for_each(|&x| x.put_le(&mut self.buf));
            self.frame.write(&self.buf)?;
        }
        Ok(())
    }
}

/// Reads each dense column saved by [`PutColumns`] into the column, whose length it must have.
/// A value is written only where it differs from the one there: pages of a fresh column that
/// stay zero (most scores) are never touched, so restoring takes no more memory than the run did.
struct GetColumns<'f, R> {
    frame: &'f mut FrameReader<R>,
    /// `person` or `firm`, for errors.
    kind: &'static str,
    buf: Vec<u8>,
}

impl<R: Read> ColumnVisitorMut for GetColumns<'_, R> {
    type Error = StateError;
    fn visit<T: Plain>(&mut self, name: &'static str, column: &mut [T]) -> Result<(), StateError> {
        let n = self.frame.u64()?;
        if n != column.len() as u64 {
            let what = format!("{} {name}: {n} values, expected {}", self.kind, column.len());
            return Err(StateError::Corrupt(what));
        }
        let mut bytes = Vec::with_capacity(T::BYTES);
        for chunk in column.chunks_mut(STREAM_CHUNK / T::BYTES) {
            let raw = &mut self.buf[..chunk.len() * T::BYTES];
            self.frame.read(raw)?;
            for (x, b) in chunk.iter_mut().zip(raw.chunks_exact(T::BYTES)) {
                bytes.clear();
                x.put_le(&mut bytes);
                if bytes != b {
                    *x = T::from_le(b);
                }
            }
        }
        Ok(())
    }
}

/// The start of a saved state: who wrote it, for which run, of what size, at which day.
struct StateHead {
    version: String,
    /// The dense columns as declared ([`columns_layout`]).
    columns: String,
    scenario_key: u64,
    dims: [u64; 9],
    day: u32,
}

impl StateHead {
    fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::default();
        e.str(&self.version);
        e.str(&self.columns);
        e.u64(self.scenario_key);
        self.dims.iter().for_each(|&n| e.u64(n));
        e.u32(self.day);
        e.bytes
    }

    fn read<R: Read>(f: &mut FrameReader<R>) -> Result<StateHead, StateError> {
        let version = read_str(f, 256)?;
        let columns = read_str(f, 4096)?;
        let scenario_key = f.u64()?;
        let mut dims = [0u64; 9];
        for x in &mut dims {
            *x = f.u64()?;
        }
        let mut day = [0u8; 4];
        f.read(&mut day)?;
        Ok(StateHead { version, columns, scenario_key, dims, day: u32::from_le_bytes(day) })
    }

    /// Why a state with this head cannot be restored for `scenario_key` and `dims`, if it cannot.
    fn mismatch(&self, scenario_key: u64, dims: [u64; 9]) -> Option<StateError> {
        if self.version != env!("CARGO_PKG_VERSION") {
            return Some(StateError::Version {
                found: format!("scslab {}", self.version),
                expected: format!("scslab {}", env!("CARGO_PKG_VERSION")),
            });
        }
        if self.columns != columns_layout() {
            return Some(StateError::Version {
                found: format!("dense columns {}", self.columns),
                expected: format!("dense columns {}", columns_layout()),
            });
        }
        if self.scenario_key != scenario_key {
            return Some(StateError::ScenarioMismatch { found: self.scenario_key, expected: scenario_key });
        }
        let (i, (found, n)) = self.dims.iter().zip(dims).enumerate().find(|(_, (found, n))| *found != n)?;
        Some(StateError::Corrupt(format!("dimension {i} is {found}, expected {n}")))
    }
}

impl Simulation {
    /// Writes the dynamic state as one frame (see the module docs). `scenario_key` identifies
    /// the run (scenario text, parameters); [`Simulation::restore`] refuses a state whose key
    /// differs from the one it is given.
    ///
    /// The agents' columns are streamed to `w`: saving needs no memory in proportion to the
    /// population beyond the state itself.
    pub fn save_state(&self, scenario_key: u64, w: &mut impl Write) -> Result<(), StateError> {
        let head = StateHead {
            version: env!("CARGO_PKG_VERSION").to_string(),
            columns: columns_layout(),
            scenario_key,
            dims: dims(&self.params, &self.plan, &self.layout),
            day: self.day,
        }
        .encode();
        let mut e = Encoder::default();
        for state in self.person_list_states.iter().chain(&self.firm_list_states) {
            put_list(&mut e, state);
        }
        for pending in [&self.pending_persons, &self.pending_firms] {
            e.length(pending.len());
            for x in pending.iter() {
                e.u32(x.due);
                e.u32(x.agent);
                e.u16(x.authority);
                e.u8(x.event);
                e.u8(x.false_record as u8);
            }
        }
        for inbox in [&self.person_inbox, &self.firm_inbox] {
            e.length(inbox.len());
            inbox.iter().for_each(|m| put_message(&mut e, m));
        }
        for rates in &self.peer_rates {
            rates.iter().for_each(|&x| e.f64(x));
        }
        self.group_sanction_rate.iter().for_each(|&x| e.f64(x));
        self.replay.encode(&mut e);
        match &self.theory {
            TheoryState::Stateless => {}
            TheoryState::Expression(authority) => authority.encode(&mut e),
            TheoryState::Reputation { game, .. } => game.encode(&mut e),
        }
        // The event engine's attitude paths (its census is derived from the seed).
        if let Some(ev) = &self.event {
            ev.paths.fear.iter().for_each(|&x| e.f64(x));
            e.f64(ev.paths.trust);
        }
        let mut columns = SavedLen(0);
        let Ok(()) = self.persons.visit(&mut columns).and(self.firms.visit(&mut columns));
        let body_len = head.len() as u64 + columns.0 + e.bytes.len() as u64;
        let mut frame = FrameWriter::start(STATE_MAGIC, FORMAT_VERSION, body_len, w)?;
        frame.write(&head)?;
        let mut put = PutColumns { frame: &mut frame, buf: Vec::with_capacity(STREAM_CHUNK) };
        self.persons.visit(&mut put)?;
        self.firms.visit(&mut put)?;
        frame.write(&e.bytes)?;
        Ok(frame.finish()?)
    }

    /// Builds the simulation of `params` and restores the state saved by
    /// [`Simulation::save_state`], refusing it if it is truncated, corrupt, of another version,
    /// or saved under another `scenario_key`. `params` are the run's parameters as at its start
    /// (the policy changes of the days before the saved day are applied again).
    ///
    /// The columns are streamed from `r` into the new simulation; the checksum is checked at the
    /// end, and on any failure the simulation is dropped, never returned. A state of another
    /// version, scenario or size is refused before the population is built, once its checksum
    /// shows that the mismatch is not a corruption.
    pub fn restore(params: Params, scenario_key: u64, r: &mut impl Read) -> Result<Simulation, StateError> {
        let mut frame = FrameReader::start(STATE_MAGIC, FORMAT_VERSION, r)?;
        // A head that cannot be read is a damaged frame if the checksum says so.
        let head = match StateHead::read(&mut frame) {
            Ok(head) => head,
            Err(err) => {
                frame.skip_rest()?;
                return Err(err);
            }
        };
        let expected = dims(&params, &Plan::new(&params), &Layout::new(&params));
        let mismatch = frame
            .check_version()
            .err()
            .map(StateError::from)
            .or_else(|| head.mismatch(scenario_key, expected));
        if let Some(err) = mismatch {
            frame.skip_rest()?;
            return Err(err);
        }
        let mut sim = Simulation::new(params);
        sim.day = head.day;
        let buf = vec![0u8; STREAM_CHUNK];
        let mut get = GetColumns { frame: &mut frame, kind: "person", buf };
        sim.persons.visit_mut(&mut get)?;
        get.kind = "firm";
        sim.firms.visit_mut(&mut get)?;
        // The rest (lists, late records, messages, rates, the replay log) is decoded only
        // once the checksum has passed.
        let rest = frame.rest()?;
        frame.finish()?;
        sim.operating = FirmSet::from_flags(&sim.firms.flags);
        let mut d = Decoder::new(&rest);
        let n_persons = sim.persons.wealth.len() as u32;
        let n_firms = sim.firms.value.len() as u32;
        for state in &mut sim.person_list_states {
            *state = get_list(&mut d, n_persons)?;
        }
        for state in &mut sim.firm_list_states {
            *state = get_list(&mut d, n_firms)?;
        }
        for (pending, n_agents) in [(&mut sim.pending_persons, n_persons), (&mut sim.pending_firms, n_firms)]
        {
            let n = d.length(12)?;
            *pending = Vec::with_capacity(n);
            for _ in 0..n {
                let x = Pending {
                    due: d.u32()?,
                    agent: agent(&mut d, n_agents)?,
                    authority: d.u16()?,
                    event: d.u8()?,
                    false_record: d.bool()?,
                };
                pending.push(x);
            }
        }
        for (inbox, n_agents) in [(&mut sim.person_inbox, n_persons), (&mut sim.firm_inbox, n_firms)] {
            let n = d.length(5)?;
            *inbox = Vec::with_capacity(n);
            for _ in 0..n {
                inbox.push(get_message(&mut d, n_agents)?);
            }
        }
        // The regime as the run had it at the start of the saved day: the policy changes of the
        // days before, applied again (they are a function of the parameters and the day).
        if replay_policy_changes(&mut sim.params, &mut sim.enabled, &mut sim.tables.detection_scale, sim.day)
        {
            sim.plan.refresh(&sim.params);
        }
        for rates in &mut sim.peer_rates {
            for x in rates.iter_mut() {
                *x = d.f64()?;
            }
        }
        for x in &mut sim.group_sanction_rate {
            *x = d.f64()?;
        }
        sim.replay = ReplayLog::decode(&mut d, n_persons, n_firms)?;
        match (&mut sim.theory, &sim.params.theory) {
            (TheoryState::Expression(authority), _) => *authority = Authority::decode(&mut d)?,
            (TheoryState::Reputation { game, players }, Theory::Reputation(r)) => {
                let saved = Game::decode(r, &mut d)?;
                if saved.players() != players.len() {
                    return Err(StateError::Corrupt(format!(
                        "the reputation game has {} players, the population {} adults",
                        saved.players(),
                        players.len()
                    )));
                }
                **game = saved;
            }
            _ => {}
        }
        if let Some(ev) = &mut sim.event {
            for x in &mut ev.paths.fear {
                *x = d.f64()?;
            }
            ev.paths.trust = d.f64()?;
        }
        if sim.replay.days() != sim.day {
            return Err(StateError::Corrupt(format!(
                "the replay log holds {} days, the state is at day {}",
                sim.replay.days(),
                sim.day
            )));
        }
        d.finish()?;
        Ok(sim)
    }
}

/// The dense columns of both agent kinds as declared in `world.rs` (names and types, in saved
/// order): a state saved with other columns is refused, so adding a column needs no version bump.
fn columns_layout() -> String {
    format!("persons: {}+ scores; firms: {}+ scores", Persons::LAYOUT, Firms::LAYOUT)
}

/// A string saved by [`Encoder::str`] (its length, then its bytes), of at most `max` bytes.
fn read_str<R: Read>(f: &mut FrameReader<R>, max: u64) -> Result<String, StateError> {
    let n = f.u64()?;
    if n > max {
        return Err(StateError::Corrupt(format!("a string of {n} bytes in the state's head")));
    }
    let mut bytes = vec![0u8; n as usize];
    f.read(&mut bytes)?;
    String::from_utf8(bytes).map_err(|_| StateError::Corrupt("invalid UTF-8".into()))
}

/// Sizes that must agree between a saved state and the simulation restoring it.
fn dims(params: &Params, plan: &Plan, layout: &Layout) -> [u64; 9] {
    let n = layout.n_persons() as u64;
    let nf = layout.n_firms() as u64;
    [
        n,
        nf,
        n * plan.person_points.len() as u64,
        nf * plan.firm_points.len().max(1) as u64,
        plan.person_lists.len() as u64,
        plan.firm_lists.len() as u64,
        params.authorities.len() as u64,
        N_PEER_GROUPS as u64,
        N_PERSON_EVENTS as u64,
    ]
}

fn put_list(e: &mut Encoder, state: &ListState) {
    e.length(state.entries.len());
    for x in &state.entries {
        e.u32(x.agent);
        e.u32(x.since);
        e.u32(x.until);
        e.u32(x.appeal_at);
        e.u8(x.false_basis as u8);
    }
    state.spells.iter().for_each(|&s| e.u64(s));
}

fn get_list(d: &mut Decoder<'_>, n_agents: u32) -> Result<ListState, StateError> {
    let n = d.length(17)?;
    let mut entries = Vec::with_capacity(n);
    for _ in 0..n {
        entries.push(ListEntry {
            agent: agent(d, n_agents)?,
            since: d.u32()?,
            until: d.u32()?,
            appeal_at: d.u32()?,
            false_basis: d.bool()?,
        });
    }
    let mut spells = [0u64; SPELL_BINS.len()];
    for s in &mut spells {
        *s = d.u64()?;
    }
    Ok(ListState { entries, spells })
}
