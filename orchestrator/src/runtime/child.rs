//! One supervised child process.
//!
//! Each child is forked by its own supervisor thread, which then waits for it. Linux delivers
//! the parent-death signal when the *thread* that forked a child exits, so a thread that lives
//! exactly as long as its child keeps `PR_SET_PDEATHSIG` meaningful whatever thread (or tokio
//! worker) asked for the start. The supervisor waits with `WNOWAIT` first and reaps only while
//! holding the child's lock; signals are sent under the same lock and only to unreaped children,
//! so a recycled pid is never signalled.

use super::procfs::{self, DEVNET_ENV};
use super::{ExitInfo, RuntimeError};
use nix::sys::signal::{Signal, killpg};
use nix::sys::wait::{Id, WaitPidFlag, waitid};
use nix::unistd::Pid;
use std::fs::File;
use std::io::{BufRead, BufReader, PipeReader, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, watch};

/// What to start.
pub(crate) struct Launch {
    pub name: String,
    pub program: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub devnet_id: String,
    pub log: PathBuf,
}

/// A started child: its process and the lines it prints (also copied to its log).
pub(crate) struct Spawned {
    pub process: Arc<ChildProcess>,
    pub output_lines: mpsc::UnboundedReceiver<String>,
}

#[derive(Default)]
struct Shared {
    exited: Option<ExitInfo>,
    output_closed: bool,
}

/// A child process leading its own process group.
pub(crate) struct ChildProcess {
    /// Its pid, which is also its process group id.
    pub pid: i32,
    /// Its start time (`/proc/<pid>/stat` field 22).
    pub start_time: u64,
    shared: Mutex<Shared>,
    changed: Condvar,
    exit_tx: watch::Sender<Option<ExitInfo>>,
}

impl ChildProcess {
    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How it exited, if it has.
    pub fn exit_info(&self) -> Option<ExitInfo> {
        self.lock().exited
    }

    /// Sends `signal` to the whole process group unless the leader has already been reaped.
    /// Returns whether it was sent.
    pub fn signal(&self, signal: Signal) -> nix::Result<bool> {
        let shared = self.lock();
        if shared.exited.is_some() {
            return Ok(false);
        }
        match killpg(Pid::from_raw(self.pid), signal) {
            Ok(()) => Ok(true),
            Err(nix::errno::Errno::ESRCH) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Blocks until the child exits or `timeout` passes.
    pub fn wait_exit_blocking(&self, timeout: Duration) -> Option<ExitInfo> {
        let guard = self.lock();
        let (guard, _) = self
            .changed
            .wait_timeout_while(guard, timeout, |s| s.exited.is_none())
            .unwrap_or_else(PoisonError::into_inner);
        guard.exited
    }

    /// Waits until the child exits or `timeout` passes.
    pub async fn wait_exit(&self, timeout: Duration) -> Option<ExitInfo> {
        let mut rx = self.exit_tx.subscribe();
        let waited = tokio::time::timeout(timeout, rx.wait_for(Option::is_some)).await;
        match waited {
            Ok(Ok(info)) => *info,
            _ => self.exit_info(),
        }
    }

    /// A receiver that sees the exit.
    pub fn exit_watch(&self) -> watch::Receiver<Option<ExitInfo>> {
        self.exit_tx.subscribe()
    }

    /// Waits (bounded) until everything the child printed is in its log.
    pub fn wait_log_flushed_blocking(&self, timeout: Duration) {
        let guard = self.lock();
        let _ = self
            .changed
            .wait_timeout_while(guard, timeout, |s| !s.output_closed);
    }

    /// SIGTERM (and SIGCONT, in case it is paused) to the group; SIGKILL after `grace`
    /// (at once if `grace` is zero). Returns how it exited, or `None` if it survived SIGKILL.
    pub async fn terminate(&self, grace: Duration) -> Option<ExitInfo> {
        if grace > Duration::ZERO {
            let _ = self.signal(Signal::SIGTERM);
            let _ = self.signal(Signal::SIGCONT);
            if let Some(info) = self.wait_exit(grace).await {
                return Some(info);
            }
        }
        let _ = self.signal(Signal::SIGKILL);
        self.wait_exit(KILL_WAIT).await
    }
}

/// How long to wait for a SIGKILLed process to be reaped.
pub(crate) const KILL_WAIT: Duration = Duration::from_secs(5);

/// Starts a child in its own process group, with the parent-death signal set, stdin closed,
/// and its output (stdout and stderr, in the order written) copied line by line to its log and
/// to the returned receiver.
pub(crate) async fn spawn(launch: Launch) -> Result<Spawned, RuntimeError> {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&launch.log)
        .map_err(|source| RuntimeError::Io {
            action: "open the log file",
            path: launch.log.clone(),
            source,
        })?;
    // stdout and stderr share one pipe, so the log keeps the order in which lines were written.
    let pipe_err = |source| RuntimeError::Spawn {
        name: launch.name.clone(),
        program: launch.program.clone(),
        source,
    };
    let (output, stdout) = std::io::pipe().map_err(pipe_err)?;
    let stderr = stdout.try_clone().map_err(pipe_err)?;

    let mut cmd = Command::new(&launch.program);
    cmd.args(&launch.args)
        .envs(launch.env.iter().map(|(k, v)| (k, v)))
        .env(DEVNET_ENV, &launch.devnet_id)
        .env("LOCALTENSOR_COMPONENT", &launch.name)
        .stdin(Stdio::null())
        .stdout(Stdio::from(stdout))
        .stderr(Stdio::from(stderr))
        .process_group(0);
    die_with_parent(&mut cmd);

    let (reply_tx, reply_rx) = oneshot::channel();
    let thread_name = format!("lt-{}", launch.name);
    std::thread::Builder::new()
        .name(thread_name)
        .spawn(move || supervise(cmd, output, log, reply_tx))
        .map_err(|source| RuntimeError::Spawn {
            name: launch.name.clone(),
            program: launch.program.clone(),
            source,
        })?;
    match reply_rx.await {
        Ok(Ok(spawned)) => Ok(spawned),
        Ok(Err(source)) => Err(RuntimeError::Spawn {
            name: launch.name,
            program: launch.program,
            source,
        }),
        Err(_) => Err(RuntimeError::Spawn {
            name: launch.name,
            program: launch.program,
            source: std::io::Error::other("the supervisor thread ended unexpectedly"),
        }),
    }
}

/// Sets `PR_SET_PDEATHSIG = SIGKILL` in the child, between fork and exec.
#[allow(unsafe_code)]
fn die_with_parent(cmd: &mut Command) {
    let parent = nix::unistd::getpid();
    // SAFETY: the hook runs in the forked child before exec, where only async-signal-safe
    // operations are allowed. It makes two raw system calls (prctl, getppid) through nix's thin
    // wrappers and builds an `io::Error` from a raw errno: no allocation, no locks, no access to
    // state shared with other threads. The getppid check covers the race where the orchestrator
    // died between fork and prctl (the child would otherwise never get the signal).
    unsafe {
        cmd.pre_exec(move || {
            nix::sys::prctl::set_pdeathsig(Signal::SIGKILL)
                .map_err(|e| std::io::Error::from_raw_os_error(e as i32))?;
            if nix::unistd::getppid() != parent {
                return Err(std::io::Error::from_raw_os_error(
                    nix::errno::Errno::ESRCH as i32,
                ));
            }
            Ok(())
        });
    }
}

type Reply = oneshot::Sender<std::io::Result<Spawned>>;

/// The supervisor thread: forks the child, hands it over, waits for it and reaps it.
fn supervise(mut cmd: Command, output: PipeReader, log: File, reply: Reply) {
    let spawned = cmd.spawn();
    // The command holds the pipe's write ends: close them here so that the copier sees EOF
    // once the child (and its descendants) closed theirs.
    drop(cmd);
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            let _ = reply.send(Err(e));
            return;
        }
    };
    let pid = i32::try_from(child.id()).unwrap_or(i32::MAX);
    // The child cannot be reaped before we wait, so its stat is readable even if it exited.
    let start_time = procfs::stat(pid).map_or(0, |s| s.start_time);
    let (exit_tx, _) = watch::channel(None);
    let process = Arc::new(ChildProcess {
        pid,
        start_time,
        shared: Mutex::new(Shared::default()),
        changed: Condvar::new(),
        exit_tx,
    });
    let (line_tx, stdout_lines) = mpsc::unbounded_channel();
    let copier = {
        let process = Arc::clone(&process);
        std::thread::Builder::new()
            .name(format!("lt-out-{pid}"))
            .spawn(move || copy_output(output, log, line_tx, &process))
            .ok()
    };
    if copier.is_none() {
        process.lock().output_closed = true;
    }
    let handed_over = reply
        .send(Ok(Spawned {
            process: Arc::clone(&process),
            output_lines: stdout_lines,
        }))
        .is_ok();
    if !handed_over {
        // Nobody owns it any more (the start was cancelled): do not leave it running.
        let _ = process.signal(Signal::SIGKILL);
    }

    // Wait for the exit without reaping, so that signals sent meanwhile reach the right process.
    loop {
        let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT;
        match waitid(Id::Pid(Pid::from_raw(pid)), flags) {
            Err(nix::errno::Errno::EINTR) => continue,
            _ => break,
        }
    }
    let mut shared = process.lock();
    let info = match child.wait() {
        Ok(status) => ExitInfo {
            code: status.code(),
            signal: status.signal(),
        },
        Err(_) => ExitInfo {
            code: None,
            signal: None,
        },
    };
    shared.exited = Some(info);
    drop(shared);
    process.changed.notify_all();
    process.exit_tx.send_replace(Some(info));
}

/// Copies the output to the log, forwarding each line until the receiver is dropped.
fn copy_output(
    output: PipeReader,
    mut log: File,
    lines: mpsc::UnboundedSender<String>,
    process: &ChildProcess,
) {
    let mut reader = BufReader::new(output);
    let mut buf = Vec::new();
    let mut forward = true;
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                if !buf.ends_with(b"\n") {
                    buf.push(b'\n');
                }
                let _ = log.write_all(&buf);
                if forward {
                    let line = String::from_utf8_lossy(&buf).trim_end().to_owned();
                    forward = lines.send(line).is_ok();
                }
            }
        }
    }
    process.lock().output_closed = true;
    process.changed.notify_all();
}

/// Waits for `process` to exit up to `deadline` (used by teardown of many processes at once).
pub(crate) fn wait_all_blocking(processes: &[Arc<ChildProcess>], deadline: Instant) {
    for p in processes {
        let left = deadline.saturating_duration_since(Instant::now());
        p.wait_exit_blocking(left);
    }
}
