//! Reading `/proc`: a process's start time, group and state, and the devnet marker in its
//! environment. Start times let us tell a live process from a recycled pid.

use std::path::Path;

/// The environment variable set on every component: the devnet id. Grandchildren inherit it, so
/// stragglers of a devnet can be found by scanning `/proc/<pid>/environ`.
pub const DEVNET_ENV: &str = "LOCALTENSOR_DEVNET_ID";

/// The parts of `/proc/<pid>/stat` we use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcStat {
    /// Field 3: `R`, `S`, `T`, `Z`, ...
    pub state: char,
    /// Field 5: the process group id.
    pub pgrp: i32,
    /// Field 22: start time in clock ticks after boot.
    pub start_time: u64,
}

impl ProcStat {
    /// A zombie has exited; only its parent's `wait` is missing.
    pub fn is_zombie(&self) -> bool {
        matches!(self.state, 'Z' | 'X' | 'x')
    }
}

/// Reads `/proc/<pid>/stat`; `None` if the process does not exist (or the file is malformed).
pub fn stat(pid: i32) -> Option<ProcStat> {
    if pid <= 0 {
        return None;
    }
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&text)
}

/// Parses a stat line. The command name (field 2) is in parentheses and may itself contain
/// spaces and parentheses, so fields are counted from the last `)`.
fn parse_stat(text: &str) -> Option<ProcStat> {
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // fields[0] is field 3 of the line.
    let state = fields.first()?.chars().next()?;
    let pgrp = fields.get(5 - 3)?.parse().ok()?;
    let start_time = fields.get(22 - 3)?.parse().ok()?;
    Some(ProcStat {
        state,
        pgrp,
        start_time,
    })
}

/// Whether `pid` is a live (non-zombie) process that started at `start_time`.
pub fn is_same_live_process(pid: i32, start_time: u64) -> bool {
    stat(pid).is_some_and(|s| s.start_time == start_time && !s.is_zombie())
}

/// The start time of the calling process.
pub fn own_start_time() -> u64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|t| parse_stat(&t))
        .map_or(0, |s| s.start_time)
}

/// Live processes whose environment marks them as part of devnet `devnet_id`.
/// Processes whose environment we may not read (other users) are skipped.
pub fn processes_of_devnet(devnet_id: &str) -> Vec<i32> {
    let marker = format!("{DEVNET_ENV}={devnet_id}");
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let own = std::process::id();
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| u32::try_from(pid).is_ok_and(|p| p != own))
        .filter(|&pid| has_env_entry(&Path::new("/proc").join(pid.to_string()), &marker))
        .filter(|&pid| stat(pid).is_some_and(|s| !s.is_zombie()))
        .collect()
}

fn has_env_entry(proc_dir: &Path, entry: &str) -> bool {
    std::fs::read(proc_dir.join("environ"))
        .is_ok_and(|env| env.split(|&b| b == 0).any(|e| e == entry.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_stat_line_with_parentheses_in_the_name() {
        let line =
            "1234 (a) b (c)) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";
        let s = parse_stat(line).expect("parses");
        assert_eq!(s.state, 'S');
        assert_eq!(s.pgrp, 1234);
        assert_eq!(s.start_time, 987654);
    }

    #[test]
    fn own_process_is_alive() {
        let pid = i32::try_from(std::process::id()).expect("pid fits");
        let s = stat(pid).expect("own stat");
        assert_eq!(s.start_time, own_start_time());
        assert!(is_same_live_process(pid, s.start_time));
        assert!(!is_same_live_process(pid, s.start_time + 1));
    }
}
