//! Following one container: its output into the component's log file (and, until readiness
//! is decided, to the runtime line by line), and its exit.

use super::engine;
use crate::runtime::{ExitInfo, RuntimeError};
use bollard::Docker;
use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptionsBuilder;
use futures_util::StreamExt;
use std::io::Write;
use std::path::Path;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// What the runtime keeps of a followed container.
#[derive(Debug, Clone)]
pub(crate) struct Followed {
    /// Becomes `Some` when the container has exited.
    pub exit: watch::Receiver<Option<ExitInfo>>,
    /// Becomes `true` once all of its output is in the log file.
    pub log_closed: watch::Receiver<bool>,
}

impl Followed {
    /// How it exited, if it has.
    pub fn exit_info(&self) -> Option<ExitInfo> {
        *self.exit.borrow()
    }

    /// Waits until it exits or `timeout` passes.
    pub async fn wait_exit(&self, timeout: Duration) -> Option<ExitInfo> {
        let mut rx = self.exit.clone();
        match tokio::time::timeout(timeout, rx.wait_for(Option::is_some)).await {
            Ok(Ok(exit)) => *exit,
            _ => self.exit_info(),
        }
    }

    /// Waits (bounded) until the log file has everything the container printed.
    pub async fn wait_log_closed(&self, timeout: Duration) {
        let mut rx = self.log_closed.clone();
        let _ = tokio::time::timeout(timeout, rx.wait_for(|closed| *closed)).await;
    }
}

/// Starts following a started container: appends stdout and stderr (as the engine's log
/// driver ordered them) to `log`, sends each line to the returned receiver while it is held,
/// and notices the exit. Both tasks run on the current tokio runtime.
pub(crate) fn follow(
    docker: &Docker,
    container_id: &str,
    log: &Path,
) -> Result<(Followed, mpsc::UnboundedReceiver<String>), RuntimeError> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|source| RuntimeError::Io {
            action: "open the log file",
            path: log.to_owned(),
            source,
        })?;
    let streaming = engine::streaming(docker);
    let (lines_tx, lines_rx) = mpsc::unbounded_channel();
    let (closed_tx, log_closed) = watch::channel(false);
    let (exit_tx, exit) = watch::channel(None);
    tokio::spawn(copy_logs(
        streaming.clone(),
        container_id.to_owned(),
        file,
        lines_tx,
        closed_tx,
    ));
    tokio::spawn(wait_exit(streaming, container_id.to_owned(), exit_tx));
    Ok((Followed { exit, log_closed }, lines_rx))
}

async fn copy_logs(
    docker: Docker,
    id: String,
    mut file: std::fs::File,
    lines: mpsc::UnboundedSender<String>,
    closed: watch::Sender<bool>,
) {
    let options = LogsOptionsBuilder::default()
        .follow(true)
        .stdout(true)
        .stderr(true)
        .build();
    let mut stream = docker.logs(&id, Some(options));
    // The engine may split long lines into several frames: keep a partial line per stream.
    let mut partial: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
    let mut forward = true;
    let emit = |file: &mut std::fs::File, line: &[u8], forward: &mut bool| {
        let _ = file.write_all(line).and_then(|()| file.write_all(b"\n"));
        if *forward {
            let text = String::from_utf8_lossy(line).trim_end().to_owned();
            *forward = lines.send(text).is_ok();
        }
    };
    while let Some(item) = stream.next().await {
        let Ok(output) = item else { break };
        let (slot, message) = match output {
            LogOutput::StdErr { message } => (1, message),
            LogOutput::StdOut { message }
            | LogOutput::Console { message }
            | LogOutput::StdIn { message } => (0, message),
        };
        let buffer = &mut partial[slot];
        buffer.extend_from_slice(&message);
        while let Some(end) = buffer.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = buffer.drain(..=end).collect();
            emit(&mut file, &line[..end], &mut forward);
        }
    }
    for buffer in &partial {
        if !buffer.is_empty() {
            emit(&mut file, buffer, &mut forward);
        }
    }
    let _ = file.flush();
    let _ = closed.send(true);
}

async fn wait_exit(docker: Docker, id: String, exit: watch::Sender<Option<ExitInfo>>) {
    // The wait answers when the container stops (or at once if it already has); non-zero exit
    // codes come back as errors, so the code is read from the container afterwards.
    let _ = docker.wait_container(&id, None).next().await;
    let code = match docker.inspect_container(&id, None).await {
        Ok(inspect) => inspect.state.and_then(|s| s.exit_code),
        Err(_) => None,
    };
    exit.send_replace(Some(exit_info(code)));
}

/// The container's init (`docker-init`, tini) exits with 128 + n when its child was killed by
/// signal n, as the engine does for a killed init, so such codes are reported as signals.
pub(crate) fn exit_info(code: Option<i64>) -> ExitInfo {
    match code {
        Some(code) if (129..=128 + 64).contains(&code) => ExitInfo {
            code: None,
            signal: i32::try_from(code - 128).ok(),
        },
        Some(code) => ExitInfo {
            code: i32::try_from(code).ok(),
            signal: None,
        },
        None => ExitInfo {
            code: None,
            signal: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_and_signals() {
        assert_eq!(
            exit_info(Some(0)),
            ExitInfo {
                code: Some(0),
                signal: None
            }
        );
        assert_eq!(
            exit_info(Some(137)),
            ExitInfo {
                code: None,
                signal: Some(9)
            }
        );
        assert_eq!(exit_info(Some(2)).code, Some(2));
        assert_eq!(exit_info(None).to_string(), "unknown exit status");
    }
}
