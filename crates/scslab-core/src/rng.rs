//! Counter-based random streams keyed by (seed, stream, agent, day).
//!
//! A draw never depends on how many draws other agents made, on thread count or on chunking:
//! each (seed, stream, agent, day) key starts its own SplitMix64 sequence. SplitMix64 is the
//! generator rand_xoshiro itself uses to expand seeds; we use it directly because what we need
//! is a keyed, stateless start, not a long period (an agent draws a handful of numbers a day).

/// Independent purposes of randomness. Adding a stream never changes the draws of another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Stream {
    /// Static traits of persons (derived, never stored).
    PersonTraits = 1,
    /// Static traits of firms.
    FirmTraits = 2,
    /// Daily behaviour draws.
    Behaviour = 3,
    /// Detection, false and late records.
    Observation = 4,
    /// List exits, appeals, repair.
    Lists = 5,
    /// Consequences (trips, job loss, closures).
    Consequences = 6,
    /// Network links (legal representatives, suppliers).
    Network = 7,
    /// Per-province parameters (rollout spread).
    Province = 8,
    /// Firm behaviour draws.
    FirmBehaviour = 9,
    /// Authority coverage (pilot areas, consent).
    Coverage = 10,
    /// The expression theory's authority (its adaptive policy search).
    Expression = 11,
    /// The reputation theory's game (interactions, assessments, strategy updates).
    Reputation = 12,
    /// The event-driven person day's schedules: which quiet adults have a candidate day, a
    /// false record, a trip or a job offer (keyed by process, province and block of ids).
    Schedule = 13,
}

/// The SplitMix64 finaliser: a bijective 64-bit mixer with full avalanche.
#[inline(always)]
pub const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// A uniform number in [0, 1) from a 64-bit word (53 bits of precision).
#[inline(always)]
pub fn unit(x: u64) -> f64 {
    (x >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The key prefix of one (seed, stream, day): deriving an agent's generator from it costs one
/// mix. Kernels build it once a day and call [`DayStream::agent`] per agent.
#[derive(Clone, Copy, Debug)]
pub struct DayStream {
    prefix: u64,
}

impl DayStream {
    /// The prefix for (seed, stream, day).
    pub fn new(seed: u64, stream: Stream, day: u64) -> Self {
        let a = mix64(seed ^ GOLDEN);
        let b = mix64(a ^ (stream as u64).wrapping_mul(GOLDEN));
        DayStream { prefix: mix64(b ^ day.wrapping_mul(0xd6e8_feb8_6659_fd93)) }
    }

    /// The generator of one agent.
    #[inline(always)]
    pub fn agent(&self, agent: u64) -> AgentDayRng {
        AgentDayRng { state: mix64(self.prefix ^ agent.wrapping_mul(0xa076_1d64_78bd_642f)) }
    }
}

/// The random numbers of one agent on one day for one purpose.
#[derive(Clone, Debug)]
pub struct AgentDayRng {
    state: u64,
}

impl AgentDayRng {
    /// Starts the sequence for (seed, stream, agent, day); the same as
    /// `DayStream::new(seed, stream, day).agent(agent)`.
    #[inline(always)]
    pub fn new(seed: u64, stream: Stream, agent: u64, day: u64) -> Self {
        DayStream::new(seed, stream, day).agent(agent)
    }

    /// Four uniform numbers in [0, 1) with 16 bits of precision each, from one draw (for
    /// static traits, where 1/65,536 resolution is plenty).
    #[inline(always)]
    pub fn uniform4(&mut self) -> [f32; 4] {
        // Through `u16x4`'s lanes: the compiler converts the four at once, wherever it is
        // inlined (a closure per lane was vectorised in some callers and not in others).
        self.u16x4().map(|v| v as f32 * (1.0 / 65_536.0))
    }

    /// Four uniform 16-bit integers from one draw: the same bits as [`Self::uniform4`], for
    /// comparisons done in fixed point.
    #[inline(always)]
    pub fn u16x4(&mut self) -> [u16; 4] {
        let x = self.next_u64();
        [x as u16, (x >> 16) as u16, (x >> 32) as u16, (x >> 48) as u16]
    }

    /// A generator for another purpose of the same agent and day: the sequence `segment * 2^32`
    /// draws further on. Segments never overlap while fewer than 2^32 draws are taken from each,
    /// and cost one addition instead of a new key.
    #[inline(always)]
    pub fn segment(&self, segment: u64) -> AgentDayRng {
        let mut r = self.clone();
        r.skip(segment << 32);
        r
    }

    /// Skips `n` draws (the state is a counter, so this costs one addition).
    #[inline(always)]
    pub fn skip(&mut self, n: u64) {
        self.state = self.state.wrapping_add(GOLDEN.wrapping_mul(n));
    }

    /// The next 64 random bits.
    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix64(self.state)
    }

    /// A uniform number in [0, 1).
    #[inline(always)]
    pub fn uniform(&mut self) -> f64 {
        unit(self.next_u64())
    }

    /// True with probability `p` (p <= 0 never, p >= 1 always).
    #[inline(always)]
    pub fn bernoulli(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// A uniform integer in `0..n` (n > 0), by multiply-shift (bias below 2^-32 for n < 2^32).
    #[inline(always)]
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() >> 32) * n) >> 32
    }

    /// A standard normal deviate (Box-Muller, one of the pair).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_key_same_draws_other_key_other_draws() {
        let mut a = AgentDayRng::new(1, Stream::Behaviour, 5, 9);
        let mut b = AgentDayRng::new(1, Stream::Behaviour, 5, 9);
        let mut c = AgentDayRng::new(1, Stream::Behaviour, 5, 10);
        let xa: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let xb: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        let xc: Vec<u64> = (0..4).map(|_| c.next_u64()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
    }

    #[test]
    fn skip_equals_drawing() {
        let mut a = AgentDayRng::new(1, Stream::PersonTraits, 3, 0);
        let mut b = a.clone();
        for _ in 0..3 {
            a.next_u64();
        }
        b.skip(3);
        assert_eq!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn day_stream_matches_new() {
        let s = DayStream::new(9, Stream::Lists, 4);
        assert_eq!(s.agent(77).next_u64(), AgentDayRng::new(9, Stream::Lists, 77, 4).next_u64());
    }

    #[test]
    fn uniform_mean_and_range() {
        let mut sum = 0.0;
        let n = 200_000;
        for agent in 0..n {
            let u = AgentDayRng::new(3, Stream::Observation, agent, 0).uniform();
            assert!((0.0..1.0).contains(&u));
            sum += u;
        }
        let mean = sum / n as f64;
        assert!((mean - 0.5).abs() < 0.005, "mean {mean}");
    }

    #[test]
    fn below_stays_in_range() {
        let mut r = AgentDayRng::new(0, Stream::Network, 1, 1);
        for n in [1u64, 2, 3, 31, 1_000_003] {
            for _ in 0..1000 {
                assert!(r.below(n) < n);
            }
        }
    }
}
