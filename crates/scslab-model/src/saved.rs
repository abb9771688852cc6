//! What the model's saved files (checkpoints, `state.rs`; replay logs, `replay.rs`) share: why
//! one was refused, and the encoding of agent ids and messages. The frame and the values are
//! `scslab-codec`'s.

use scslab_codec::{CodecError, Decoder, Encoder};

use crate::world::{Addressed, Message};

/// Why a saved state (a checkpoint, a replay log) was refused.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The frame, or a value in its body, was refused: reading or writing failed, it is
    /// truncated, fails its checksum, or is of another kind, frame format or layout.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// The frame is intact but its content does not fit the model (an agent out of range, a
    /// column of the wrong length, ...).
    #[error("the file is corrupt: {0}")]
    Corrupt(String),
    /// Written by another crate version.
    #[error("written by {found}, this is {expected}")]
    Version {
        /// Version that wrote it.
        found: String,
        /// Version reading it.
        expected: String,
    },
    /// Written by a run of another scenario (or other people, seed, days).
    #[error("it belongs to another scenario (key {found:016x}, expected {expected:016x})")]
    ScenarioMismatch {
        /// Key in the file.
        found: u64,
        /// Key of the scenario being resumed or traced.
        expected: u64,
    },
}

/// Reads an agent id, refusing one that is not below `n_agents`.
pub(crate) fn agent(d: &mut Decoder<'_>, n_agents: u32) -> Result<u32, StateError> {
    let a = d.u32()?;
    if a >= n_agents {
        return Err(StateError::Corrupt(format!("agent {a} out of range ({n_agents} agents)")));
    }
    Ok(a)
}

/// Appends a message and its addressee.
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

/// Reads a message written by [`put_message`] to one of `n_agents`.
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
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        let messages = [
            Message::Record { authority: 3, event: 2, false_record: true },
            Message::EnterList { authority: 1, false_basis: false },
            Message::Silence,
            Message::Dropped,
        ];
        let mut e = Encoder::default();
        for (agent, &message) in messages.iter().enumerate() {
            put_message(&mut e, &Addressed { agent: agent as u32, message });
        }
        let mut d = Decoder::new(&e.bytes);
        for (agent, &message) in messages.iter().enumerate() {
            let m = get_message(&mut d, 4).unwrap();
            assert_eq!((m.agent, m.message), (agent as u32, message));
        }
        d.finish().unwrap();
    }

    #[test]
    fn impossible_messages_and_agents_are_refused() {
        let mut e = Encoder::default();
        put_message(&mut e, &Addressed { agent: 4, message: Message::Silence });
        let err = get_message(&mut Decoder::new(&e.bytes), 4).unwrap_err();
        assert!(matches!(&err, StateError::Corrupt(m) if m == "agent 4 out of range (4 agents)"), "{err:?}");
        let mut e = Encoder::default();
        e.u32(0);
        e.u8(9);
        let err = get_message(&mut Decoder::new(&e.bytes), 4).unwrap_err();
        assert!(matches!(&err, StateError::Corrupt(m) if m == "unknown message kind 9"), "{err:?}");
        // A value cut short is the codec's refusal, passed through.
        let err = get_message(&mut Decoder::new(&[0, 0]), 4).unwrap_err();
        assert!(matches!(err, StateError::Codec(CodecError::Malformed(_))), "{err:?}");
    }
}
