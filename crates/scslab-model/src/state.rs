//! Saving and restoring the dynamic state of a [`Simulation`] (checkpoints).
//!
//! The format is plain little-endian binary, written by hand so that the model keeps its
//! invariant of deriving no `Serialize`. A saved state is one frame of `scslab-codec` (magic
//! [`STATE_MAGIC`], layout version [`FORMAT_VERSION`], body length, body, CRC-32 checksum).
//!
//! The body holds the crate version, the caller's scenario key (a hash of the scenario text and
//! parameters, computed by the runner), the population's dimensions, the day, and then every
//! piece of state that `step` reads after an earlier day wrote it: person and firm columns,
//! list entries and spells, late records, messages waiting for tomorrow, authorities' on/off
//! state, detection scales and list periods (both changed by policy changes), peers' rate
//! averages and group sanction rates, and the replay log (`crate::replay`). Everything else (static traits, tables, counter
//! layouts, outboxes) is rebuilt from the parameters by [`Simulation::new`] or each day.
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

use scslab_codec::{Decoder, Encoder, FrameReader, FrameWriter, STREAM_CHUNK};

use crate::params::{AuthorityKind, Params};
use crate::population::Layout;
use crate::population::N_PEER_GROUPS;
use crate::replay::ReplayLog;
pub use crate::saved::StateError;
use crate::saved::{agent, get_message, put_message};
use crate::sim::Simulation;
use crate::tables::Plan;
use crate::vocab::N_PERSON_EVENTS;
use crate::world::{FirmSet, ListEntry, ListState, Pending, SPELL_BINS};

/// Magic bytes at the start of a saved simulation state.
pub const STATE_MAGIC: [u8; 8] = *b"SCSLABCK";

/// Version of the body's layout; bumped whenever the layout changes. (The checksum and head are
/// the frame's, versioned by `scslab_codec::FRAME_FORMAT`.)
pub const FORMAT_VERSION: u32 = 3;

/// One column of the dynamic state, saved as its length and then its values, little-endian.
enum Column<'a> {
    U8(&'a [u8]),
    U16(&'a [u16]),
    I16(&'a [i16]),
    I32(&'a [i32]),
    F64(&'a [f64]),
}

/// A column being restored, with its name for errors.
enum ColumnMut<'a> {
    U8(&'a mut [u8]),
    U16(&'a mut [u16]),
    I16(&'a mut [i16]),
    I32(&'a mut [i32]),
    F64(&'a mut [f64]),
}

impl Column<'_> {
    /// Bytes the column takes in the frame.
    fn saved_len(&self) -> u64 {
        let (n, width) = match self {
            Column::U8(x) => (x.len(), 1),
            Column::U16(x) => (x.len(), 2),
            Column::I16(x) => (x.len(), 2),
            Column::I32(x) => (x.len(), 4),
            Column::F64(x) => (x.len(), 8),
        };
        8 + (n * width) as u64
    }

    fn save<W: Write>(&self, f: &mut FrameWriter<W>, buf: &mut Vec<u8>) -> Result<(), StateError> {
        match self {
            Column::U8(x) => put_column(f, x, u8::to_le_bytes, buf),
            Column::U16(x) => put_column(f, x, u16::to_le_bytes, buf),
            Column::I16(x) => put_column(f, x, i16::to_le_bytes, buf),
            Column::I32(x) => put_column(f, x, i32::to_le_bytes, buf),
            Column::F64(x) => put_column(f, x, f64::to_le_bytes, buf),
        }
    }
}

impl ColumnMut<'_> {
    fn restore<R: Read>(self, f: &mut FrameReader<R>, what: &str, buf: &mut [u8]) -> Result<(), StateError> {
        match self {
            ColumnMut::U8(x) => get_column(f, x, u8::from_le_bytes, u8::to_le_bytes, what, buf),
            ColumnMut::U16(x) => get_column(f, x, u16::from_le_bytes, u16::to_le_bytes, what, buf),
            ColumnMut::I16(x) => get_column(f, x, i16::from_le_bytes, i16::to_le_bytes, what, buf),
            ColumnMut::I32(x) => get_column(f, x, i32::from_le_bytes, i32::to_le_bytes, what, buf),
            ColumnMut::F64(x) => get_column(f, x, f64::from_le_bytes, f64::to_le_bytes, what, buf),
        }
    }
}

/// Streams a column through `buf`, [`STREAM_CHUNK`] bytes at a time.
fn put_column<W: Write, T: Copy, const N: usize>(
    f: &mut FrameWriter<W>,
    xs: &[T],
    to_le: fn(T) -> [u8; N],
    buf: &mut Vec<u8>,
) -> Result<(), StateError> {
    f.write(&(xs.len() as u64).to_le_bytes())?;
    for chunk in xs.chunks(STREAM_CHUNK / N) {
        buf.clear();
        chunk.iter().for_each(|&x| buf.extend_from_slice(&to_le(x)));
        f.write(buf)?;
    }
    Ok(())
}

/// Reads a column saved by [`put_column`] into `into`, whose length it must have. A value is
/// written only where it differs from the one there: pages of a fresh column that stay zero
/// (most scores) are never touched, so restoring takes no more memory than the run did.
fn get_column<R: Read, T: Copy, const N: usize>(
    f: &mut FrameReader<R>,
    into: &mut [T],
    from_le: fn([u8; N]) -> T,
    to_le: fn(T) -> [u8; N],
    what: &str,
    buf: &mut [u8],
) -> Result<(), StateError> {
    let n = f.u64()?;
    if n != into.len() as u64 {
        return Err(StateError::Corrupt(format!("{what}: {n} values, expected {}", into.len())));
    }
    for chunk in into.chunks_mut(STREAM_CHUNK / N) {
        let raw = &mut buf[..chunk.len() * N];
        f.read(raw)?;
        for (x, b) in chunk.iter_mut().zip(raw.chunks_exact(N)) {
            let b: [u8; N] = b.try_into().expect("N bytes");
            if to_le(*x) != b {
                *x = from_le(b);
            }
        }
    }
    Ok(())
}

/// The start of a saved state: who wrote it, for which run, of what size, at which day.
struct StateHead {
    version: String,
    scenario_key: u64,
    dims: [u64; 9],
    day: u32,
}

impl StateHead {
    fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::default();
        e.str(&self.version);
        e.u64(self.scenario_key);
        self.dims.iter().for_each(|&n| e.u64(n));
        e.u32(self.day);
        e.bytes
    }

    fn read<R: Read>(f: &mut FrameReader<R>) -> Result<StateHead, StateError> {
        let n = f.u64()?;
        if n > 256 {
            return Err(StateError::Corrupt(format!("a version string of {n} bytes")));
        }
        let mut version = vec![0u8; n as usize];
        f.read(&mut version)?;
        let version = String::from_utf8(version).map_err(|_| StateError::Corrupt("invalid UTF-8".into()))?;
        let scenario_key = f.u64()?;
        let mut dims = [0u64; 9];
        for x in &mut dims {
            *x = f.u64()?;
        }
        let mut day = [0u8; 4];
        f.read(&mut day)?;
        Ok(StateHead { version, scenario_key, dims, day: u32::from_le_bytes(day) })
    }

    /// Why a state with this head cannot be restored for `scenario_key` and `dims`, if it cannot.
    fn mismatch(&self, scenario_key: u64, dims: [u64; 9]) -> Option<StateError> {
        if self.version != env!("CARGO_PKG_VERSION") {
            return Some(StateError::Version {
                found: format!("scslab {}", self.version),
                expected: format!("scslab {}", env!("CARGO_PKG_VERSION")),
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
            scenario_key,
            dims: dims(&self.params, &self.plan, &self.layout),
            day: self.day,
        }
        .encode();
        let (p, f) = (&self.persons, &self.firms);
        let mut columns = vec![
            Column::I32(&p.wealth),
            Column::U16(&p.flags),
            Column::U8(&p.fear),
            Column::U8(&p.resentment),
            Column::U8(&p.trust),
            Column::U8(&p.lists),
        ];
        columns.extend(p.scores.iter().map(|column| Column::I16(column)));
        columns.extend([
            Column::F64(&f.value),
            Column::U16(&f.flags),
            Column::U8(&f.lists),
            Column::U8(&f.leader_fear),
            Column::U8(&f.dropped),
            Column::U16(&f.employee_records),
            Column::I16(&f.scores),
        ]);
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
        for (a, auth) in self.params.authorities.iter().enumerate() {
            e.u8(self.enabled[a] as u8);
            e.f64(self.tables.detection_scale[a]);
            let duration = match &auth.kind {
                AuthorityKind::List(rule) => rule.duration_days,
                AuthorityKind::Points(_) => None,
            };
            e.u8(duration.is_some() as u8);
            e.u32(duration.unwrap_or(0));
        }
        for rates in &self.peer_rates {
            rates.iter().for_each(|&x| e.f64(x));
        }
        self.group_sanction_rate.iter().for_each(|&x| e.f64(x));
        self.replay.encode(&mut e);
        let body_len =
            head.len() as u64 + columns.iter().map(Column::saved_len).sum::<u64>() + e.bytes.len() as u64;
        let mut frame = FrameWriter::start(STATE_MAGIC, FORMAT_VERSION, body_len, w)?;
        frame.write(&head)?;
        let mut buf = Vec::with_capacity(STREAM_CHUNK);
        for column in &columns {
            column.save(&mut frame, &mut buf)?;
        }
        frame.write(&e.bytes)?;
        Ok(frame.finish()?)
    }

    /// Builds the simulation of `params` and restores the state saved by
    /// [`Simulation::save_state`], refusing it if it is truncated, corrupt, of another version,
    /// or saved under another `scenario_key`. `params` are the run's parameters as at its start
    /// (policy changes are part of the saved state).
    ///
    /// The columns are streamed from `r` into the new simulation; the checksum is checked at the
    /// end, and on any failure the simulation is dropped, never returned. A state of another
    /// version, scenario or size is refused before the population is built, once its checksum
    /// shows that the mismatch is not a corruption.
    pub fn restore(params: Params, scenario_key: u64, r: &mut impl Read) -> Result<Simulation, StateError> {
        let mut frame = FrameReader::start(STATE_MAGIC, FORMAT_VERSION, r)?;
        let head = StateHead::read(&mut frame)?;
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
        let (p, f) = (&mut sim.persons, &mut sim.firms);
        let mut columns = vec![
            (ColumnMut::I32(&mut p.wealth), "person wealth"),
            (ColumnMut::U16(&mut p.flags), "person flags"),
            (ColumnMut::U8(&mut p.fear), "person fear"),
            (ColumnMut::U8(&mut p.resentment), "person resentment"),
            (ColumnMut::U8(&mut p.trust), "person trust"),
            (ColumnMut::U8(&mut p.lists), "person lists"),
        ];
        columns.extend(p.scores.iter_mut().map(|column| (ColumnMut::I16(column), "person scores")));
        columns.extend([
            (ColumnMut::F64(&mut f.value), "firm value"),
            (ColumnMut::U16(&mut f.flags), "firm flags"),
            (ColumnMut::U8(&mut f.lists), "firm lists"),
            (ColumnMut::U8(&mut f.leader_fear), "firm leader fear"),
            (ColumnMut::U8(&mut f.dropped), "firm suppliers"),
            (ColumnMut::U16(&mut f.employee_records), "firm employee records"),
            (ColumnMut::I16(&mut f.scores), "firm scores"),
        ]);
        let mut buf = vec![0u8; STREAM_CHUNK];
        for (column, what) in columns {
            column.restore(&mut frame, what, &mut buf)?;
        }
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
        for a in 0..sim.params.authorities.len() {
            sim.enabled[a] = d.bool()?;
            sim.tables.detection_scale[a] = d.f64()?;
            let has = d.bool()?;
            let days = d.u32()?;
            if let AuthorityKind::List(rule) = &mut sim.params.authorities[a].kind {
                rule.duration_days = has.then_some(days);
            }
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
