//! The control socket of a running devnet: `localtensor fault ACTION TARGET` asks the
//! orchestrator that owns the devnet (`localtensor up`) to apply a fault, and gets one answer.
//!
//! The socket is a Unix stream socket in the run directory (so teardown removes it); each
//! connection carries one JSON request line and one JSON answer line. Requests are queued and
//! applied by the devnet between two blocks, so a lock-step devnet never seals a block while a
//! fault is half applied.

use crate::topology::{FaultAction, FaultArgs};
use serde::{Deserialize, Serialize};
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _};
use tokio::sync::{mpsc, oneshot};

/// The socket's file name inside the run directory.
pub const CONTROL_SOCKET: &str = "control.sock";

/// Longest request line accepted (a fault request is a few dozen bytes).
const MAX_REQUEST: usize = 4096;

/// Fault actions the control socket takes: all but `gpu_fault`, whose fault set belongs in a
/// topology (or the GPU mock's own API).
pub const CONTROL_ACTIONS: &[FaultAction] = &[
    FaultAction::Kill,
    FaultAction::Restart,
    FaultAction::Pause,
    FaultAction::Resume,
    FaultAction::Partition,
    FaultAction::Loss,
    FaultAction::Latency,
    FaultAction::Heal,
    FaultAction::GpuClear,
];

/// One request: apply `action` to `target`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlRequest {
    /// The action as a topology writes it (`partition`, `heal`, ...).
    pub action: String,
    /// A component, or a neuron group (every instance).
    pub target: String,
    /// For `loss` (and only there): the share of packets dropped each way, in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    /// For `latency` (and only there): the delay added to every packet each way, in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u32>,
}

impl ControlRequest {
    /// The request's action, once its fields fit it (see [`FaultArgs::check`]).
    pub fn checked_action(&self) -> Result<FaultAction, String> {
        let action = parse_action(&self.action)?;
        self.args().check(action)?;
        Ok(action)
    }

    /// The loss rate and the delay, as a fault's arguments.
    pub fn args(&self) -> FaultArgs {
        FaultArgs {
            percent: self.percent,
            delay_ms: self.delay_ms,
            ..FaultArgs::default()
        }
    }
}

/// The answer to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlReply {
    /// Whether the fault was applied.
    pub ok: bool,
    /// What was done, or why not.
    pub message: String,
    /// The block the devnet was at when the fault was applied (it fires before the next).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<u64>,
}

impl ControlReply {
    /// A refusal.
    pub fn refused(message: impl Into<String>) -> Self {
        Self {
            ok: false,
            message: message.into(),
            block: None,
        }
    }
}

/// A request waiting for the devnet, with the way back to its client.
#[derive(Debug)]
pub struct PendingRequest {
    /// The action, already checked to be one the socket takes.
    pub action: FaultAction,
    /// Its target.
    pub target: String,
    /// Its arguments (the rate of a `loss`, the delay of a `latency`), checked.
    pub args: FaultArgs,
    reply: oneshot::Sender<ControlReply>,
}

impl PendingRequest {
    /// Sends the answer (a client that went away is not an error).
    pub fn answer(self, reply: ControlReply) {
        let _ = self.reply.send(reply);
    }
}

/// Errors of the control socket, on either side.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// The socket could not be created or reached.
    #[error("control socket {}: {source}", path.display())]
    Io {
        /// The socket.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The other side answered something that is not a control message.
    #[error("control socket {}: unreadable answer {answer:?}", path.display())]
    Protocol {
        /// The socket.
        path: PathBuf,
        /// What came back.
        answer: String,
    },
}

/// Parses an action name the control socket takes.
pub fn parse_action(name: &str) -> Result<FaultAction, String> {
    CONTROL_ACTIONS
        .iter()
        .copied()
        .find(|a| a.as_str() == name)
        .ok_or_else(|| {
            let names: Vec<&str> = CONTROL_ACTIONS.iter().map(|a| a.as_str()).collect();
            format!(
                "unknown action {name:?}; the control socket takes: {}",
                names.join(", ")
            )
        })
}

/// Listens on `path` and queues every well-formed request; malformed ones are answered at once.
/// The listener task ends when the receiver is dropped.
pub fn listen(path: &Path) -> Result<mpsc::Receiver<PendingRequest>, ControlError> {
    let io = |source| ControlError::Io {
        path: path.to_owned(),
        source,
    };
    // A socket file left by an orchestrator that was killed would refuse the bind.
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
        _ => {}
    }
    let listener = tokio::net::UnixListener::bind(path).map_err(io)?;
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                // The devnet is gone: stop listening.
                () = tx.closed() => break,
            };
            match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(serve_one(stream, tx.clone()));
                }
                Err(_) => {
                    // Out of file descriptors, say: the client sees its connection refused;
                    // back off instead of spinning.
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
        }
    });
    Ok(rx)
}

/// Reads one request from a connection, queues it and writes the answer.
async fn serve_one(stream: tokio::net::UnixStream, queue: mpsc::Sender<PendingRequest>) {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    // At most MAX_REQUEST bytes: a client cannot make the orchestrator buffer without end.
    let mut reader = tokio::io::BufReader::new(read.take(MAX_REQUEST as u64));
    let reply = match reader.read_line(&mut line).await {
        Ok(_) if line.len() >= MAX_REQUEST => ControlReply::refused("request too long"),
        Ok(_) => match serde_json::from_str::<ControlRequest>(line.trim()) {
            Err(e) => ControlReply::refused(format!("malformed request: {e}")),
            Ok(request) => match request.checked_action() {
                Err(message) => ControlReply::refused(message),
                Ok(action) => {
                    let (reply, answer) = oneshot::channel();
                    let pending = PendingRequest {
                        action,
                        args: request.args(),
                        target: request.target,
                        reply,
                    };
                    if queue.send(pending).await.is_err() {
                        ControlReply::refused("the devnet is shutting down")
                    } else {
                        answer.await.unwrap_or_else(|_| {
                            ControlReply::refused("the devnet stopped before applying it")
                        })
                    }
                }
            },
        },
        Err(e) => ControlReply::refused(format!("reading the request: {e}")),
    };
    if let Ok(mut text) = serde_json::to_string(&reply) {
        text.push('\n');
        let _ = write.write_all(text.as_bytes()).await;
    }
}

/// Sends one request to the devnet whose socket is `path` and waits for the answer (which
/// comes after the devnet's current block is done, however long it takes).
pub fn send(path: &Path, request: &ControlRequest) -> Result<ControlReply, ControlError> {
    let io = |source| ControlError::Io {
        path: path.to_owned(),
        source,
    };
    let mut stream = std::os::unix::net::UnixStream::connect(path).map_err(io)?;
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .map_err(io)?;
    let mut text = serde_json::to_string(request).map_err(|e| io(std::io::Error::other(e)))?;
    text.push('\n');
    stream.write_all(text.as_bytes()).map_err(io)?;
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer).map_err(io)?;
    serde_json::from_str(answer.trim()).map_err(|_| ControlError::Protocol {
        path: path.to_owned(),
        answer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::defaults::MAX_DELAY_MS;

    #[test]
    fn every_control_action_parses_back_and_others_are_refused() {
        for action in CONTROL_ACTIONS {
            assert_eq!(parse_action(action.as_str()), Ok(*action));
        }
        let err = parse_action("gpu_fault").unwrap_err();
        assert!(err.contains("partition, loss, latency, heal"), "{err}");
        assert!(parse_action("Partition").is_err());
    }

    #[tokio::test]
    async fn a_request_is_queued_and_answered_and_garbage_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONTROL_SOCKET);
        let mut queue = listen(&path).unwrap();
        let client_path = path.clone();
        let client = tokio::task::spawn_blocking(move || {
            send(
                &client_path,
                &ControlRequest {
                    action: "partition".into(),
                    target: "v-1".into(),
                    percent: None,
                    delay_ms: None,
                },
            )
        });
        let pending = queue.recv().await.unwrap();
        assert_eq!(pending.action, FaultAction::Partition);
        assert_eq!(pending.target, "v-1");
        pending.answer(ControlReply {
            ok: true,
            message: "done".into(),
            block: Some(7),
        });
        let reply = client.await.unwrap().unwrap();
        assert_eq!(
            reply,
            ControlReply {
                ok: true,
                message: "done".into(),
                block: Some(7)
            }
        );

        // A malformed request is answered without reaching the devnet.
        let raw = tokio::task::spawn_blocking(move || {
            let mut s = std::os::unix::net::UnixStream::connect(&path).unwrap();
            s.write_all(b"{\"action\":\"partition\"}\n").unwrap();
            let mut answer = String::new();
            BufReader::new(s).read_line(&mut answer).unwrap();
            answer
        })
        .await
        .unwrap();
        let reply: ControlReply = serde_json::from_str(raw.trim()).unwrap();
        assert!(!reply.ok);
        assert!(
            queue.try_recv().is_err(),
            "a malformed request reached the devnet"
        );
        assert!(
            reply.message.contains("missing field `target`"),
            "{}",
            reply.message
        );
    }

    #[test]
    fn loss_needs_a_percent_in_range_and_nothing_else_takes_one() {
        let request = |action: &str, percent: Option<f64>| ControlRequest {
            action: action.into(),
            target: "v-1".into(),
            percent,
            delay_ms: None,
        };
        assert_eq!(
            request("loss", Some(30.0)).checked_action(),
            Ok(FaultAction::Loss)
        );
        assert_eq!(
            request("loss", Some(100.0)).checked_action(),
            Ok(FaultAction::Loss)
        );
        for bad in [0.0, -5.0, 100.5, f64::NAN] {
            let err = request("loss", Some(bad)).checked_action().unwrap_err();
            assert!(err.contains("out of range"), "{bad}: {err}");
        }
        let err = request("loss", None).checked_action().unwrap_err();
        assert!(err.contains("needs a percent"), "{err}");
        let err = request("heal", Some(5.0)).checked_action().unwrap_err();
        assert!(err.contains("only to `loss`"), "{err}");
        assert_eq!(
            request("heal", None).checked_action(),
            Ok(FaultAction::Heal)
        );
    }

    #[test]
    fn latency_needs_a_delay_in_range_and_nothing_else_takes_one() {
        let request = |action: &str, delay_ms: Option<u32>| ControlRequest {
            action: action.into(),
            target: "v-1".into(),
            percent: None,
            delay_ms,
        };
        assert_eq!(
            request("latency", Some(50)).checked_action(),
            Ok(FaultAction::Latency)
        );
        for bad in [0, MAX_DELAY_MS + 1] {
            let err = request("latency", Some(bad)).checked_action().unwrap_err();
            assert!(err.contains("out of range"), "{bad}: {err}");
        }
        let err = request("latency", None).checked_action().unwrap_err();
        assert!(err.contains("needs a delay"), "{err}");
        let err = request("kill", Some(5)).checked_action().unwrap_err();
        assert!(err.contains("only to `latency`"), "{err}");
    }
}
