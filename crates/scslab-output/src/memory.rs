//! Memory figures read from `/proc`: peak resident memory of this process and machine memory.

/// Total and available physical memory of the machine, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MachineMemory {
    /// Total physical memory (`MemTotal`).
    pub total_bytes: u64,
    /// Memory available for new work without swapping (`MemAvailable`).
    pub available_bytes: u64,
}

/// Peak resident memory of this process in bytes (`VmHWM` from `/proc/self/status`), `None` where
/// unavailable.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    kib_field(&status, "VmHWM")
}

/// Total physical memory (`MemTotal`) and available memory (`MemAvailable`) from `/proc/meminfo`,
/// in bytes, `None` where unavailable.
pub fn machine_memory() -> Option<MachineMemory> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    Some(MachineMemory {
        total_bytes: kib_field(&meminfo, "MemTotal")?,
        available_bytes: kib_field(&meminfo, "MemAvailable")?,
    })
}

/// Finds a `Key:   123 kB` line and returns the value in bytes.
pub(crate) fn kib_field(text: &str, key: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(key)?.strip_prefix(':')?;
        let mut parts = rest.split_whitespace();
        let value: u64 = parts.next()?.parse().ok()?;
        match parts.next() {
            Some("kB") => value.checked_mul(1024),
            None => Some(value),
            Some(_) => None,
        }
    })
}
