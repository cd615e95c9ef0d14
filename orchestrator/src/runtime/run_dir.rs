//! The run directory of one devnet: `<root>/<devnet-id>/` holding `manifest.json` and
//! `logs/<component>.log`.

use super::RuntimeError;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// The manifest's file name inside a run directory.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The default root of run directories: `$XDG_RUNTIME_DIR/localtensor`, or
/// `<system temp dir>/localtensor` when that variable is unset or empty.
pub fn default_root() -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir).join("localtensor"),
        _ => std::env::temp_dir().join("localtensor"),
    }
}

/// Checks that `value` can be used as one file name: ASCII letters, digits, `-`, `_`, `.`, not
/// starting with `.`, at most 64 bytes.
pub fn validate_name(what: &'static str, value: &str) -> Result<(), RuntimeError> {
    let reason = if value.is_empty() {
        Some("it is empty")
    } else if value.len() > 64 {
        Some("it is longer than 64 characters")
    } else if value.starts_with('.') {
        Some("it starts with `.`")
    } else if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        Some("only ASCII letters, digits, `-`, `_` and `.` are allowed")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(RuntimeError::InvalidName {
            what,
            value: value.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// A fresh devnet id: `devnet-<pid>-<time>-<counter>`, unique within this host.
pub fn generate_id() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "devnet-{}-{:x}-{}",
        std::process::id(),
        nanos & 0xffff_ffff,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// One devnet's run directory (created by [`RunDir::create`]).
#[derive(Debug, Clone)]
pub struct RunDir {
    path: PathBuf,
}

impl RunDir {
    /// Creates `<root>/<id>/logs`; fails if `<root>/<id>` exists already.
    pub fn create(root: &Path, id: &str) -> Result<Self, RuntimeError> {
        validate_name("devnet id", id)?;
        std::fs::create_dir_all(root).map_err(|source| RuntimeError::Io {
            action: "create the run root",
            path: root.to_owned(),
            source,
        })?;
        let path = root.join(id);
        match std::fs::create_dir(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(RuntimeError::RunDirExists {
                    id: id.to_owned(),
                    path,
                });
            }
            Err(source) => {
                return Err(RuntimeError::Io {
                    action: "create the run directory",
                    path,
                    source,
                });
            }
        }
        let logs = path.join("logs");
        std::fs::create_dir(&logs).map_err(|source| RuntimeError::Io {
            action: "create the log directory",
            path: logs,
            source,
        })?;
        Ok(Self { path })
    }

    /// The directory itself.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `manifest.json` in this directory.
    pub fn manifest_path(&self) -> PathBuf {
        self.path.join(MANIFEST_FILE)
    }

    /// The log file of a component.
    pub fn log_path(&self, component: &str) -> PathBuf {
        self.path.join("logs").join(format!("{component}.log"))
    }
}

/// The last `n` lines of a log file (reading at most its last 64 KiB); empty if it is missing.
pub fn log_tail(path: &Path, n: usize) -> Vec<String> {
    const MAX: u64 = 64 * 1024;
    let Ok(mut file) = std::fs::File::open(path) else {
        return Vec::new();
    };
    let len = file.metadata().map_or(0, |m| m.len());
    let skipped = len.saturating_sub(MAX);
    if file.seek(SeekFrom::Start(skipped)).is_err() {
        return Vec::new();
    }
    let mut bytes = Vec::new();
    if file.read_to_end(&mut bytes).is_err() {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(&bytes);
    let mut lines: Vec<&str> = text.lines().collect();
    if skipped > 0 && !lines.is_empty() {
        lines.remove(0); // probably cut in the middle
    }
    let start = lines.len().saturating_sub(n);
    lines[start..].iter().map(|l| (*l).to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(validate_name("component name", "chain-1_a.b").is_ok());
        for bad in ["", ".hidden", "a/b", "..", "a b", &"x".repeat(65)] {
            assert!(validate_name("component name", bad).is_err(), "{bad:?}");
        }
        assert!(validate_name("devnet id", &generate_id()).is_ok());
        assert_ne!(generate_id(), generate_id());
    }

    #[test]
    fn tail_takes_the_last_lines() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("x.log");
        let text: String = (1..=30).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&log, text).expect("write");
        let tail = log_tail(&log, 20);
        assert_eq!(tail.len(), 20);
        assert_eq!(tail[0], "line 11");
        assert_eq!(tail[19], "line 30");
        assert!(log_tail(&dir.path().join("missing"), 20).is_empty());
    }
}
