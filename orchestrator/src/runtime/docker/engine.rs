//! Connecting to the Docker engine.

use super::DockerError;
use bollard::Docker;
use std::time::Duration;

/// The socket used when neither the caller nor `DOCKER_HOST` names one.
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// Timeout of one API request (up to the response headers).
const REQUEST_TIMEOUT_SECS: u64 = 120;

/// Long-lived streams (followed logs, waits for an exit) answer only when something happens;
/// they get a client whose request timeout is effectively unbounded.
const STREAM_TIMEOUT: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// The socket to use: `socket`, else `DOCKER_HOST` if it is a `unix://` URL, else
/// [`DEFAULT_SOCKET`].
pub fn socket_path(socket: Option<&str>) -> Result<String, DockerError> {
    if let Some(socket) = socket {
        return Ok(socket.trim_start_matches("unix://").to_owned());
    }
    match std::env::var("DOCKER_HOST") {
        Ok(host) if !host.is_empty() => match host.strip_prefix("unix://") {
            Some(path) => Ok(path.to_owned()),
            None => Err(DockerError::Unavailable {
                socket: host,
                reason: "only unix:// DOCKER_HOST values are supported".to_owned(),
            }),
        },
        _ => Ok(DEFAULT_SOCKET.to_owned()),
    }
}

/// Connects to the engine at `socket` (see [`socket_path`]), agrees on the API version (the
/// engine may be older than bollard's models) and checks that it answers.
pub async fn connect(socket: Option<&str>) -> Result<Docker, DockerError> {
    let socket = socket_path(socket)?;
    let unavailable = |reason: String| DockerError::Unavailable {
        socket: socket.clone(),
        reason,
    };
    if !std::path::Path::new(&socket).exists() {
        return Err(unavailable("the socket does not exist".to_owned()));
    }
    let docker =
        Docker::connect_with_unix(&socket, REQUEST_TIMEOUT_SECS, bollard::API_DEFAULT_VERSION)
            .map_err(|e| unavailable(e.to_string()))?;
    let docker = docker
        .negotiate_version()
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    docker
        .ping()
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    Ok(docker)
}

/// A client for long-lived streams (see [`STREAM_TIMEOUT`]).
pub(crate) fn streaming(docker: &Docker) -> Docker {
    docker.clone().with_timeout(STREAM_TIMEOUT)
}
