//! The HTTP/JSON API over a [`GpuMock`] (axum).
//!
//! Every error is a JSON body `{"error": {"code": "...", "message": "..."}}` with a status that
//! says whose fault it is: 4xx for requests that are wrong (they change nothing), 503/507 for
//! device failures (lost, out of memory), 500 only for bugs.

use std::future::Future;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::batch::{BatchRequest, BatchStop};
use crate::error::GpuError;
use crate::fault::Faults;
use crate::job::{Digest, JobKind, JobSpec, expected_result};
use crate::mock::{ClockState, GpuMock, JobRequest};

/// The API routes, sharing one mock.
///
/// | method | path | body | answer |
/// |---|---|---|---|
/// | GET | `/health` | | `{"status":"ok","devices":N,"block":B}` |
/// | GET | `/v1/profiles` | | `{"profiles":[DeviceProfile]}` (built-in) |
/// | GET | `/v1/devices` | | `{"devices":[DeviceInfo]}` |
/// | GET | `/v1/devices/{id}` | | `DeviceInfo` |
/// | POST | `/v1/devices/{id}/jobs` | `JobRequest` | `JobOutcome` |
/// | POST | `/v1/devices/{id}/jobs/batch` | `BatchRequest` | `BatchOutcome` |
/// | GET | `/v1/telemetry` | | `Telemetry` |
/// | GET | `/v1/devices/{id}/telemetry` | | `DeviceTelemetry` |
/// | GET, PUT, DELETE | `/v1/devices/{id}/faults` | `Faults` (PUT) | `Faults` |
/// | DELETE | `/v1/faults` | | `{"cleared": N}` |
/// | GET, POST | `/v1/clock` | `{"block":B}` (POST) | `{"block":B}` |
/// | POST | `/v1/verify` | `{kind,size,seed,result}` | `{"valid":bool}` |
pub fn router(mock: Arc<GpuMock>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/v1/profiles", get(list_profiles))
        .route("/v1/devices", get(list_devices))
        .route("/v1/devices/{id}", get(get_device))
        .route("/v1/devices/{id}/jobs", post(submit_job))
        .route("/v1/devices/{id}/jobs/batch", post(submit_batch))
        .route("/v1/devices/{id}/telemetry", get(device_telemetry))
        .route(
            "/v1/devices/{id}/faults",
            get(get_faults).put(put_faults).delete(delete_faults),
        )
        .route("/v1/faults", axum::routing::delete(delete_all_faults))
        .route("/v1/telemetry", get(telemetry))
        .route("/v1/clock", get(get_clock).post(post_clock))
        .route("/v1/verify", post(verify_result))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(mock)
}

/// Serves the API on `listener` until `shutdown` completes, then finishes in-flight requests.
pub async fn serve<F>(
    listener: tokio::net::TcpListener,
    mock: Arc<GpuMock>,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    axum::serve(listener, router(mock))
        .with_graceful_shutdown(shutdown)
        .await
}

/// An API server running in the current tokio runtime, for tests and embedding: dropping the
/// handle stops it (in-flight requests finish first).
#[derive(Debug)]
pub struct ServerHandle {
    addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl ServerHandle {
    /// Binds `listen` (port 0 picks a free port) and serves `mock` on it.
    pub async fn start(mock: Arc<GpuMock>, listen: std::net::SocketAddr) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, mock, async {
            // A dropped sender also means "stop".
            let _ = stopped.await;
        }));
        Ok(Self {
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    /// `http://ADDR`, the base of every route.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server and waits until it has finished.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(std::io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// An API error: status, stable code and a human message.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable error code.
    pub fn code(&self) -> &'static str {
        self.code
    }
}

impl From<GpuError> for ApiError {
    fn from(error: GpuError) -> Self {
        let status = match &error {
            GpuError::UnknownDevice { .. } => StatusCode::NOT_FOUND,
            GpuError::InvalidSize { .. }
            | GpuError::InvalidBatch { .. }
            | GpuError::InvalidFault { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            GpuError::OutOfMemory { .. } => StatusCode::INSUFFICIENT_STORAGE,
            GpuError::DeviceLost { .. } => StatusCode::SERVICE_UNAVAILABLE,
        };
        Self::new(status, error.code(), error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        (self.status, Json(body)).into_response()
    }
}

/// A JSON body extractor whose rejections are [`ApiError`]s naming the offending field.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "the body must be JSON with `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::new(e.status(), "invalid_body", e.body_text()))?;
        parse_json(&bytes).map(ApiJson)
    }
}

fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        let message = if e.path().iter().next().is_some() {
            format!("at {}: {inner}", e.path())
        } else {
            inner.to_string()
        };
        match inner.classify() {
            serde_json::error::Category::Data => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", message)
            }
            _ => ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", message),
        }
    })?;
    de.end()
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", e.to_string()))?;
    Ok(value)
}

fn parse_id(raw: &str) -> Result<u64, ApiError> {
    // Plain decimal only: no sign, no whitespace, no leading "+".
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_device_id",
            format!("device id must be a non-negative integer, got {raw:?}"),
        ));
    }
    // All digits, so the only failure is overflow: no such device either way.
    Ok(raw.parse().unwrap_or(u64::MAX))
}

fn internal(error: tokio::task::JoinError) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        format!("job execution failed: {error}"),
    )
}

type Shared = State<Arc<GpuMock>>;

async fn health(State(mock): Shared) -> Json<serde_json::Value> {
    Json(json!({"status": "ok", "devices": mock.device_count(), "block": mock.block()}))
}

async fn list_profiles() -> Json<serde_json::Value> {
    Json(json!({"profiles": crate::profile::builtin_profiles()}))
}

async fn list_devices(State(mock): Shared) -> Json<serde_json::Value> {
    Json(json!({"devices": mock.devices()}))
}

async fn get_device(State(mock): Shared, Path(raw): Path<String>) -> Result<Response, ApiError> {
    let id = parse_id(&raw)?;
    Ok(Json(mock.device(id)?).into_response())
}

async fn submit_job(
    State(mock): Shared,
    Path(raw): Path<String>,
    ApiJson(request): ApiJson<JobRequest>,
) -> Result<Response, ApiError> {
    let id = parse_id(&raw)?;
    let outcome = tokio::task::spawn_blocking(move || mock.submit(id, &request))
        .await
        .map_err(internal)?;
    match &outcome {
        Ok(o) => tracing::debug!(device = o.device, kind = %o.kind, size = o.size, seed = o.seed,
            duration_ns = o.duration_ns, "job done"),
        Err(e) => tracing::debug!(device = id, error = %e, "job failed"),
    }
    Ok(Json(outcome?).into_response())
}

async fn submit_batch(
    State(mock): Shared,
    Path(raw): Path<String>,
    ApiJson(request): ApiJson<BatchRequest>,
) -> Result<Response, ApiError> {
    let id = parse_id(&raw)?;
    // Up to MAX_BATCH_UNITS real jobs: off the async workers, like a single job.
    let outcome = tokio::task::spawn_blocking(move || mock.submit_batch(id, &request))
        .await
        .map_err(internal)??;
    match &outcome.stop {
        BatchStop::Error { index, error } => {
            tracing::debug!(device = id, units = outcome.units.len(), index, error = %error, "batch ended by a device error");
        }
        stop => tracing::debug!(
            device = id,
            units = outcome.units.len(),
            used_ns = outcome.used_ns,
            ?stop,
            "batch done"
        ),
    }
    Ok(Json(outcome).into_response())
}

async fn telemetry(State(mock): Shared) -> Response {
    Json(mock.telemetry()).into_response()
}

async fn device_telemetry(
    State(mock): Shared,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&raw)?;
    Ok(Json(mock.device_telemetry(id)?).into_response())
}

async fn get_faults(State(mock): Shared, Path(raw): Path<String>) -> Result<Response, ApiError> {
    let id = parse_id(&raw)?;
    Ok(Json(mock.faults(id)?).into_response())
}

async fn put_faults(
    State(mock): Shared,
    Path(raw): Path<String>,
    ApiJson(faults): ApiJson<Faults>,
) -> Result<Response, ApiError> {
    let id = parse_id(&raw)?;
    let faults = mock.set_faults(id, faults)?;
    tracing::info!(device = id, ?faults, "faults set");
    Ok(Json(faults).into_response())
}

async fn delete_faults(State(mock): Shared, Path(raw): Path<String>) -> Result<Response, ApiError> {
    let id = parse_id(&raw)?;
    let faults = mock.clear_faults(id)?;
    tracing::info!(device = id, "faults cleared");
    Ok(Json(faults).into_response())
}

async fn delete_all_faults(State(mock): Shared) -> Json<serde_json::Value> {
    mock.clear_all_faults();
    tracing::info!("all faults cleared");
    Json(json!({"cleared": mock.device_count()}))
}

async fn get_clock(State(mock): Shared) -> Json<ClockState> {
    Json(ClockState {
        block: mock.block(),
    })
}

async fn post_clock(State(mock): Shared, ApiJson(clock): ApiJson<ClockState>) -> Json<ClockState> {
    Json(mock.set_block(clock.block))
}

/// Body of `POST /v1/verify`.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// The kind of work.
    pub kind: JobKind,
    /// Matrix dimension or chain length.
    pub size: u64,
    /// Job seed.
    pub seed: u64,
    /// The claimed result.
    pub result: Digest,
}

async fn verify_result(ApiJson(request): ApiJson<VerifyRequest>) -> Result<Response, ApiError> {
    let spec = JobSpec {
        kind: request.kind,
        size: request.size,
        seed: request.seed,
    };
    let expected = tokio::task::spawn_blocking(move || expected_result(&spec))
        .await
        .map_err(internal)??;
    Ok(Json(json!({"valid": expected == request.result})).into_response())
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no route for {method} {}", uri.path()),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_must_be_plain_decimal() {
        assert_eq!(parse_id("0").unwrap(), 0);
        assert_eq!(parse_id("99999999999999999999999").unwrap(), u64::MAX);
        for bad in ["", "-1", "+1", "1.0", "one", " 1"] {
            assert_eq!(
                parse_id(bad).unwrap_err().code(),
                "invalid_device_id",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn json_errors_are_classified() {
        let syntax = parse_json::<JobRequest>(b"{").unwrap_err();
        assert_eq!(
            (syntax.status(), syntax.code()),
            (StatusCode::BAD_REQUEST, "invalid_json")
        );
        let data = parse_json::<JobRequest>(br#"{"kind":"fft","size":1,"seed":1}"#).unwrap_err();
        assert_eq!(data.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(data.message.contains("kind"), "{}", data.message);
        let trailing = parse_json::<ClockState>(br#"{"block":1} x"#).unwrap_err();
        assert_eq!(trailing.code(), "invalid_json");
    }
}
