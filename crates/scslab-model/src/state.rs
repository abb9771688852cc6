//! Saving and restoring the dynamic state of a [`Simulation`] (checkpoints).
//!
//! The format is plain little-endian binary, written by hand so that the model keeps its
//! invariant of deriving no `Serialize`. A saved state is one *frame*:
//!
//! ```text
//! magic "SCSLABCK" | format version u32 | body length u64 | body | FNV-1a 64 of all before it
//! ```
//!
//! The body holds the crate version, the caller's scenario key (a hash of the scenario text and
//! parameters, computed by the runner), the population's dimensions, the day, and then every
//! piece of state that `step` reads after an earlier day wrote it: person and firm columns,
//! list entries and spells, late records, messages waiting for tomorrow, authorities' on/off
//! state, detection scales and list periods (both changed by policy changes), peers' rate
//! averages and group sanction rates, and the replay log (`crate::replay`). Everything else (static traits, tables, counter
//! layouts, outboxes) is rebuilt from the parameters by [`Simulation::new`] or each day.
//!
//! Restoring refuses, never loads, a frame that is truncated, fails its checksum, comes from
//! another format or crate version, or from another scenario. Every length is checked against
//! the bytes that remain before anything is allocated, so a corrupt length cannot make it
//! allocate more than the file holds.
//!
//! [`Encoder`], [`Decoder`], [`write_frame`] and [`read_frame`] are public so that the runner
//! can frame its own state the same way.

use std::io::{Read, Write};

use crate::params::{AuthorityKind, Params};
use crate::population::N_PEER_GROUPS;
use crate::replay::ReplayLog;
use crate::sim::Simulation;
use crate::vocab::N_PERSON_EVENTS;
use crate::world::{Addressed, ListEntry, ListState, Message, Pending, SPELL_BINS};

/// Magic bytes at the start of a saved simulation state.
pub const STATE_MAGIC: [u8; 8] = *b"SCSLABCK";

/// Version of the binary layout; bumped whenever the layout changes.
pub const FORMAT_VERSION: u32 = 2;

/// Why a saved state was refused.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Reading or writing failed.
    #[error("cannot read or write the state: {0}")]
    Io(#[from] std::io::Error),
    /// The data does not start with the expected magic bytes.
    #[error("not a scslab checkpoint (bad magic bytes)")]
    NotACheckpoint,
    /// The data ends before the frame does.
    #[error("the checkpoint is truncated")]
    Truncated,
    /// The checksum does not match, or the content is inconsistent.
    #[error("the checkpoint is corrupt: {0}")]
    Corrupt(String),
    /// Written by another format or crate version.
    #[error("the checkpoint was written by {found}, this is {expected}")]
    Version {
        /// Version that wrote it.
        found: String,
        /// Version reading it.
        expected: String,
    },
    /// Written by a run of another scenario (or other people, seed, days).
    #[error("the checkpoint belongs to another scenario (key {found:016x}, expected {expected:016x})")]
    ScenarioMismatch {
        /// Key in the checkpoint.
        found: u64,
        /// Key of the scenario being resumed.
        expected: u64,
    },
}

/// FNV-1a 64 over `bytes`, continuing from `hash` (start with [`FNV_OFFSET`]).
pub fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= b as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Start value of [`fnv1a`].
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// Writes `body` as one frame: magic, format version, length, body, checksum.
pub fn write_frame(magic: [u8; 8], body: &[u8], w: &mut impl Write) -> Result<(), StateError> {
    let mut head = Vec::with_capacity(20);
    head.extend_from_slice(&magic);
    head.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    head.extend_from_slice(&(body.len() as u64).to_le_bytes());
    let sum = fnv1a(fnv1a(FNV_OFFSET, &head), body);
    w.write_all(&head)?;
    w.write_all(body)?;
    w.write_all(&sum.to_le_bytes())?;
    Ok(())
}

/// Reads one frame written by [`write_frame`] with the same magic and returns its body, after
/// checking the format version and the checksum. Reads exactly the frame's bytes.
pub fn read_frame(magic: [u8; 8], r: &mut impl Read) -> Result<Vec<u8>, StateError> {
    let mut head = [0u8; 20];
    read_exact(r, &mut head)?;
    if head[..8] != magic {
        return Err(StateError::NotACheckpoint);
    }
    let version = u32::from_le_bytes(head[8..12].try_into().expect("4 bytes"));
    let len = u64::from_le_bytes(head[12..20].try_into().expect("8 bytes"));
    // `take` + `read_to_end` grows the buffer only as bytes arrive: a corrupt length on a
    // short file gives a short read, not a huge allocation.
    let mut body = Vec::new();
    r.take(len).read_to_end(&mut body)?;
    if (body.len() as u64) < len {
        return Err(StateError::Truncated);
    }
    let mut sum = [0u8; 8];
    read_exact(r, &mut sum)?;
    if u64::from_le_bytes(sum) != fnv1a(fnv1a(FNV_OFFSET, &head), &body) {
        return Err(StateError::Corrupt("checksum mismatch".into()));
    }
    if version != FORMAT_VERSION {
        return Err(StateError::Version {
            found: format!("format {version}"),
            expected: format!("format {FORMAT_VERSION}"),
        });
    }
    Ok(body)
}

fn read_exact(r: &mut impl Read, buf: &mut [u8]) -> Result<(), StateError> {
    r.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => StateError::Truncated,
        _ => StateError::Io(e),
    })
}

/// Appends little-endian values to a byte buffer.
#[derive(Debug, Default)]
pub struct Encoder {
    /// The bytes so far.
    pub bytes: Vec<u8>,
}

impl Encoder {
    /// Appends a `u8`.
    pub fn u8(&mut self, x: u8) {
        self.bytes.push(x);
    }
    /// Appends a `u16`.
    pub fn u16(&mut self, x: u16) {
        self.bytes.extend_from_slice(&x.to_le_bytes());
    }
    /// Appends a `u32`.
    pub fn u32(&mut self, x: u32) {
        self.bytes.extend_from_slice(&x.to_le_bytes());
    }
    /// Appends a `u64`.
    pub fn u64(&mut self, x: u64) {
        self.bytes.extend_from_slice(&x.to_le_bytes());
    }
    /// Appends an `f64` by its bits (exact).
    pub fn f64(&mut self, x: f64) {
        self.u64(x.to_bits());
    }
    /// Appends a length.
    pub fn length(&mut self, n: usize) {
        self.u64(n as u64);
    }
    /// Appends a string (length, then UTF-8 bytes).
    pub fn str(&mut self, s: &str) {
        self.length(s.len());
        self.bytes.extend_from_slice(s.as_bytes());
    }
    /// Appends a slice of `f64` (length, then values).
    pub fn f64s(&mut self, xs: &[f64]) {
        self.length(xs.len());
        xs.iter().for_each(|&x| self.f64(x));
    }
}

/// Reads values written by [`Encoder`], refusing to read past the end.
#[derive(Debug)]
pub struct Decoder<'a> {
    bytes: &'a [u8],
}

impl<'a> Decoder<'a> {
    /// A decoder over a frame body.
    pub fn new(bytes: &'a [u8]) -> Decoder<'a> {
        Decoder { bytes }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], StateError> {
        if n > self.bytes.len() {
            return Err(StateError::Corrupt("a field runs past the end".into()));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], StateError> {
        Ok(self.take(N)?.try_into().expect("N bytes"))
    }

    /// Reads a `u8`.
    pub fn u8(&mut self) -> Result<u8, StateError> {
        Ok(self.array::<1>()?[0])
    }
    /// Reads a `u16`.
    pub fn u16(&mut self) -> Result<u16, StateError> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    /// Reads a `u32`.
    pub fn u32(&mut self) -> Result<u32, StateError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    /// Reads a `u64`.
    pub fn u64(&mut self) -> Result<u64, StateError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    /// Reads an `f64`.
    pub fn f64(&mut self) -> Result<f64, StateError> {
        Ok(f64::from_bits(self.u64()?))
    }
    /// Reads a bool written as a `u8` (0 or 1).
    pub fn bool(&mut self) -> Result<bool, StateError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            x => Err(StateError::Corrupt(format!("expected 0 or 1, found {x}"))),
        }
    }

    /// Reads a length of items of at least `item_bytes` bytes each, refusing one that the
    /// remaining bytes cannot hold (so nothing is allocated for a corrupt length).
    pub fn length(&mut self, item_bytes: usize) -> Result<usize, StateError> {
        let n = self.u64()?;
        if n.saturating_mul(item_bytes.max(1) as u64) > self.bytes.len() as u64 {
            return Err(StateError::Corrupt(format!("length {n} exceeds the data")));
        }
        Ok(n as usize)
    }

    /// Reads a length that must equal `expected`.
    pub fn exact_len(&mut self, expected: usize, what: &str) -> Result<(), StateError> {
        let n = self.u64()?;
        if n != expected as u64 {
            return Err(StateError::Corrupt(format!("{what}: {n} values, expected {expected}")));
        }
        Ok(())
    }

    /// Reads a string.
    pub fn str(&mut self) -> Result<String, StateError> {
        let n = self.length(1)?;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| StateError::Corrupt("invalid UTF-8".into()))
    }

    /// Reads a vector of `f64`.
    pub fn f64s(&mut self) -> Result<Vec<f64>, StateError> {
        let n = self.length(8)?;
        (0..n).map(|_| self.f64()).collect()
    }

    /// Fails unless every byte was read.
    pub fn finish(&self) -> Result<(), StateError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(StateError::Corrupt(format!("{} bytes left over", self.bytes.len())))
        }
    }
}

macro_rules! column_codec {
    ($put:ident, $get:ident, $t:ty, $n:expr) => {
        fn $put(e: &mut Encoder, xs: &[$t]) {
            e.length(xs.len());
            for x in xs {
                e.bytes.extend_from_slice(&x.to_le_bytes());
            }
        }
        fn $get(d: &mut Decoder<'_>, into: &mut [$t], what: &str) -> Result<(), StateError> {
            d.exact_len(into.len(), what)?;
            let raw = d.take(into.len() * $n)?;
            for (x, b) in into.iter_mut().zip(raw.chunks_exact($n)) {
                *x = <$t>::from_le_bytes(b.try_into().expect("width"));
            }
            Ok(())
        }
    };
}

column_codec!(put_u8s, get_u8s, u8, 1);
column_codec!(put_u16s, get_u16s, u16, 2);
column_codec!(put_i16s, get_i16s, i16, 2);
column_codec!(put_i32s, get_i32s, i32, 4);
column_codec!(put_f64s, get_f64s, f64, 8);

impl Simulation {
    /// Writes the dynamic state as one frame (see the module docs). `scenario_key` identifies
    /// the run (scenario text, parameters); [`Simulation::restore`] refuses a state whose key
    /// differs from the one it is given.
    pub fn save_state(&self, scenario_key: u64, w: &mut impl Write) -> Result<(), StateError> {
        let mut e = Encoder::default();
        e.str(env!("CARGO_PKG_VERSION"));
        e.u64(scenario_key);
        for n in self.dims() {
            e.u64(n);
        }
        e.u32(self.day);
        let p = &self.persons;
        put_i32s(&mut e, &p.wealth);
        put_u16s(&mut e, &p.flags);
        put_u8s(&mut e, &p.fear);
        put_u8s(&mut e, &p.resentment);
        put_u8s(&mut e, &p.trust);
        put_u8s(&mut e, &p.lists);
        put_i16s(&mut e, &p.scores);
        let f = &self.firms;
        put_f64s(&mut e, &f.value);
        put_u16s(&mut e, &f.flags);
        put_u8s(&mut e, &f.lists);
        put_u8s(&mut e, &f.leader_fear);
        put_u8s(&mut e, &f.dropped);
        put_u16s(&mut e, &f.employee_records);
        put_i16s(&mut e, &f.scores);
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
        write_frame(STATE_MAGIC, &e.bytes, w)
    }

    /// Builds the simulation of `params` and restores the state saved by
    /// [`Simulation::save_state`], refusing it (without loading anything) if it is truncated,
    /// corrupt, of another version, or saved under another `scenario_key`. `params` are the
    /// run's parameters as at its start (policy changes are part of the saved state).
    pub fn restore(params: Params, scenario_key: u64, r: &mut impl Read) -> Result<Simulation, StateError> {
        let body = read_frame(STATE_MAGIC, r)?;
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
        let mut sim = Simulation::new(params);
        for (i, n) in sim.dims().into_iter().enumerate() {
            let found = d.u64()?;
            if found != n {
                return Err(StateError::Corrupt(format!("dimension {i} is {found}, expected {n}")));
            }
        }
        sim.day = d.u32()?;
        let p = &mut sim.persons;
        get_i32s(&mut d, &mut p.wealth, "person wealth")?;
        get_u16s(&mut d, &mut p.flags, "person flags")?;
        get_u8s(&mut d, &mut p.fear, "person fear")?;
        get_u8s(&mut d, &mut p.resentment, "person resentment")?;
        get_u8s(&mut d, &mut p.trust, "person trust")?;
        get_u8s(&mut d, &mut p.lists, "person lists")?;
        get_i16s(&mut d, &mut p.scores, "person scores")?;
        let f = &mut sim.firms;
        get_f64s(&mut d, &mut f.value, "firm value")?;
        get_u16s(&mut d, &mut f.flags, "firm flags")?;
        get_u8s(&mut d, &mut f.lists, "firm lists")?;
        get_u8s(&mut d, &mut f.leader_fear, "firm leader fear")?;
        get_u8s(&mut d, &mut f.dropped, "firm suppliers")?;
        get_u16s(&mut d, &mut f.employee_records, "firm employee records")?;
        get_i16s(&mut d, &mut f.scores, "firm scores")?;
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

    /// Sizes that must agree between a saved state and the simulation restoring it.
    fn dims(&self) -> [u64; 9] {
        [
            self.persons.wealth.len() as u64,
            self.firms.value.len() as u64,
            self.persons.scores.len() as u64,
            self.firms.scores.len() as u64,
            self.person_list_states.len() as u64,
            self.firm_list_states.len() as u64,
            self.params.authorities.len() as u64,
            N_PEER_GROUPS as u64,
            N_PERSON_EVENTS as u64,
        ]
    }
}

pub(crate) fn agent(d: &mut Decoder<'_>, n_agents: u32) -> Result<u32, StateError> {
    let a = d.u32()?;
    if a >= n_agents {
        return Err(StateError::Corrupt(format!("agent {a} out of range ({n_agents} agents)")));
    }
    Ok(a)
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

pub(crate) fn put_message(e: &mut Encoder, m: &Addressed) {
    e.u32(m.agent);
    match m.message {
        Message::Record { authority, event, false_record } => {
            e.u8(0);
            e.u16(authority);
            e.u8(event);
            e.u8(false_record as u8);
        }
        Message::EnterList { authority, false_basis } => {
            e.u8(1);
            e.u16(authority);
            e.u8(false_basis as u8);
        }
        Message::Silence => e.u8(2),
        Message::Dropped => e.u8(3),
    }
}

pub(crate) fn get_message(d: &mut Decoder<'_>, n_agents: u32) -> Result<Addressed, StateError> {
    let agent = agent(d, n_agents)?;
    let message = match d.u8()? {
        0 => Message::Record { authority: d.u16()?, event: d.u8()?, false_record: d.bool()? },
        1 => Message::EnterList { authority: d.u16()?, false_basis: d.bool()? },
        2 => Message::Silence,
        3 => Message::Dropped,
        x => return Err(StateError::Corrupt(format!("unknown message kind {x}"))),
    };
    Ok(Addressed { agent, message })
}

#[cfg(test)]
mod tests;
