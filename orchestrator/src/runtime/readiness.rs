//! Waiting until a started component is ready: its JSON ready line or a 2xx answer
//! from its health URL, always bounded by a deadline and cut short if the process exits.

use super::child::ChildProcess;
use super::{ExitInfo, Readiness};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// What readiness learned about the component.
#[derive(Debug, Default)]
pub(crate) struct Ready {
    /// The ready line, if one was awaited.
    pub line: Option<serde_json::Value>,
    /// Endpoints taken from the ready line.
    pub endpoints: BTreeMap<String, String>,
}

/// Why the component is not ready.
#[derive(Debug)]
pub(crate) enum NotReady {
    /// It exited first.
    Exited(ExitInfo),
    /// The deadline passed while waiting for the described condition.
    Timeout(Duration, String),
    /// The readiness settings are unusable.
    Invalid(String),
}

/// Waits until `process` is ready by `readiness`.
pub(crate) async fn wait_ready(
    readiness: &Readiness,
    process: &ChildProcess,
    lines: &mut mpsc::UnboundedReceiver<String>,
) -> Result<Ready, NotReady> {
    match readiness {
        Readiness::None => Ok(Ready::default()),
        Readiness::ReadyLine { timeout } => wait_ready_line(*timeout, process, lines).await,
        Readiness::Http { url, timeout } => {
            let target = HttpTarget::parse(url).map_err(NotReady::Invalid)?;
            wait_http(&target, *timeout, process).await?;
            Ok(Ready::default())
        }
    }
}

async fn wait_ready_line(
    timeout: Duration,
    process: &ChildProcess,
    lines: &mut mpsc::UnboundedReceiver<String>,
) -> Result<Ready, NotReady> {
    let deadline = Instant::now() + timeout;
    let mut exit = process.exit_watch();
    let mut stdout_open = true;
    loop {
        tokio::select! {
            line = lines.recv(), if stdout_open => match line {
                Some(line) => {
                    if let Some(ready) = parse_ready_line(&line) {
                        return Ok(ready);
                    }
                }
                None => stdout_open = false,
            },
            _ = exit.wait_for(Option::is_some) => {
                return Err(NotReady::Exited(exited(process)));
            }
            () = tokio::time::sleep_until(deadline) => {
                return Err(NotReady::Timeout(
                    timeout,
                    "a JSON line with \"event\":\"ready\" in its output".to_owned(),
                ));
            }
        }
    }
}

fn exited(process: &ChildProcess) -> ExitInfo {
    process.exit_info().unwrap_or(ExitInfo {
        code: None,
        signal: None,
    })
}

/// A JSON object with `"event":"ready"`; its string fields that are socket addresses or
/// http(s)/ws(s) URLs are the endpoints.
pub(crate) fn parse_ready_line(line: &str) -> Option<Ready> {
    let value: serde_json::Value = serde_json::from_str(line.trim()).ok()?;
    let object = value.as_object()?;
    if object.get("event")?.as_str()? != "ready" {
        return None;
    }
    let endpoints = object
        .iter()
        .filter(|(key, _)| key.as_str() != "event")
        .filter_map(|(key, v)| Some((key.clone(), v.as_str()?.to_owned())))
        .filter(|(_, v)| is_endpoint(v))
        .collect();
    Some(Ready {
        line: Some(value),
        endpoints,
    })
}

fn is_endpoint(value: &str) -> bool {
    value.parse::<std::net::SocketAddr>().is_ok()
        || ["http://", "https://", "ws://", "wss://"]
            .iter()
            .any(|scheme| value.starts_with(scheme))
}

/// A plain-HTTP health URL.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct HttpTarget {
    /// `host:port`.
    pub authority: String,
    /// The path, starting with `/`.
    pub path: String,
}

impl HttpTarget {
    /// Parses `http://host:port[/path]` (no TLS, no user info).
    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("health URL `{url}` must start with http://"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let has_port = authority
            .rsplit_once(':')
            .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
        if !has_port || authority.contains('@') {
            return Err(format!("health URL `{url}` needs a host and a port"));
        }
        Ok(Self {
            authority: authority.to_owned(),
            path: path.to_owned(),
        })
    }
}

async fn wait_http(
    target: &HttpTarget,
    timeout: Duration,
    process: &ChildProcess,
) -> Result<(), NotReady> {
    let deadline = Instant::now() + timeout;
    let mut exit = process.exit_watch();
    let mut pause = Duration::from_millis(10);
    loop {
        let attempt = tokio::time::timeout_at(deadline, http_ok(target));
        tokio::select! {
            ok = attempt => match ok {
                Ok(true) => return Ok(()),
                Ok(false) => {}
                Err(_) => break,
            },
            _ = exit.wait_for(Option::is_some) => return Err(NotReady::Exited(exited(process))),
        }
        // Back off between attempts, still watching the deadline and the process.
        tokio::select! {
            () = tokio::time::sleep_until((Instant::now() + pause).min(deadline)) => {}
            _ = exit.wait_for(Option::is_some) => return Err(NotReady::Exited(exited(process))),
        }
        if Instant::now() >= deadline {
            break;
        }
        pause = (pause * 2).min(Duration::from_millis(200));
    }
    Err(NotReady::Timeout(
        timeout,
        format!(
            "a 2xx answer from http://{}{}",
            target.authority, target.path
        ),
    ))
}

/// One `GET`; true on a 2xx status line.
pub(crate) async fn http_ok(target: &HttpTarget) -> bool {
    let Ok(mut stream) = tokio::net::TcpStream::connect(&target.authority).await else {
        return false;
    };
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        target.path, target.authority
    );
    if stream.write_all(request.as_bytes()).await.is_err() {
        return false;
    }
    let mut head = [0u8; 32];
    let mut len = 0;
    while len < 12 {
        match stream.read(&mut head[len..]).await {
            Ok(0) | Err(_) => break,
            Ok(n) => len += n,
        }
    }
    let status = String::from_utf8_lossy(&head[..len]);
    let mut parts = status.split_whitespace();
    parts.next().is_some_and(|v| v.starts_with("HTTP/1."))
        && parts.next().is_some_and(|code| code.starts_with('2'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_lines_give_endpoints() {
        let line = r#"{"event":"ready","rpc":"127.0.0.1:4000","ws":"ws://127.0.0.1:4000","http":"http://127.0.0.1:4000","genesis":"0xab","sealing":"manual","best":0,"pid":7}"#;
        let ready = parse_ready_line(line).expect("ready");
        let keys: Vec<_> = ready.endpoints.keys().map(String::as_str).collect();
        assert_eq!(keys, ["http", "rpc", "ws"]);
        let gpu = parse_ready_line(r#"{"devices":2,"event":"ready","http":"127.0.0.1:41234"}"#)
            .expect("ready");
        assert_eq!(gpu.endpoints["http"], "127.0.0.1:41234");
        assert!(parse_ready_line(r#"{"event":"started"}"#).is_none());
        assert!(parse_ready_line("ready").is_none());
    }

    #[test]
    fn health_urls_are_checked() {
        assert_eq!(
            HttpTarget::parse("http://127.0.0.1:80/health"),
            Ok(HttpTarget {
                authority: "127.0.0.1:80".into(),
                path: "/health".into()
            })
        );
        assert_eq!(
            HttpTarget::parse("http://localhost:9").map(|t| t.path),
            Ok("/".into())
        );
        for bad in ["https://a:1/", "http://a/", "http://:1/", "a:1"] {
            assert!(HttpTarget::parse(bad).is_err(), "{bad}");
        }
    }
}
