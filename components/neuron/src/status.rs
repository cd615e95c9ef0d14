//! Block progress (the last block a neuron has finished) and the endpoints that report it:
//! `GET /health` and the long-poll `GET /v1/status?after=B&timeout_ms=T`.

use std::time::Duration;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::api_error::ApiError;

/// Default long-poll timeout of `/v1/status`, in milliseconds.
pub const DEFAULT_STATUS_TIMEOUT_MS: u64 = 30_000;
/// Longest long-poll timeout accepted, in milliseconds.
pub const MAX_STATUS_TIMEOUT_MS: u64 = 600_000;

/// The last block a neuron finished (shared between its loop and its HTTP server).
#[derive(Clone, Debug)]
pub struct Progress {
    tx: watch::Sender<Option<u64>>,
}

impl Default for Progress {
    fn default() -> Self {
        Progress::new()
    }
}

impl Progress {
    /// No block finished yet.
    pub fn new() -> Progress {
        Progress {
            tx: watch::Sender::new(None),
        }
    }

    /// Marks `block` done (never moves backwards).
    pub fn mark_done(&self, block: u64) {
        self.tx.send_if_modified(|cur| {
            if cur.is_none_or(|c| block > c) {
                *cur = Some(block);
                true
            } else {
                false
            }
        });
    }

    /// The last block done.
    pub fn last_done(&self) -> Option<u64> {
        *self.tx.borrow()
    }

    /// Waits until a block ≥ `after` is done; returns it.
    pub async fn wait_for(&self, after: u64) -> u64 {
        let mut rx = self.tx.subscribe();
        loop {
            if let Some(done) = *rx.borrow_and_update()
                && done >= after
            {
                return done;
            }
            if rx.changed().await.is_err() {
                // The sender lives in `self`, so this cannot happen; wait forever like a
                // block that never comes.
                std::future::pending::<()>().await;
            }
        }
    }
}

/// What the status endpoints need.
#[derive(Clone, Debug)]
pub struct StatusState {
    /// Instance name.
    pub name: String,
    /// `miner` or `validator`.
    pub role: &'static str,
    /// Block progress.
    pub progress: Progress,
}

/// `GET /health`.
pub async fn health(State(state): State<StatusState>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "name": state.name,
        "role": state.role,
        "block": state.progress.last_done(),
    }))
}

/// The parsed query of `/v1/status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusQuery {
    /// Answer once this block is done.
    pub after: Option<u64>,
    /// Give up after this many milliseconds.
    pub timeout_ms: u64,
}

/// Parses `after=B&timeout_ms=T` (both optional; unknown keys are errors).
pub fn parse_status_query(query: Option<&str>) -> Result<StatusQuery, ApiError> {
    let mut out = StatusQuery {
        after: None,
        timeout_ms: DEFAULT_STATUS_TIMEOUT_MS,
    };
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", m);
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let number: u64 = value.parse().map_err(|_| {
            bad(format!(
                "{key} must be a non-negative integer, got {value:?}"
            ))
        })?;
        match key {
            "after" => out.after = Some(number),
            "timeout_ms" => out.timeout_ms = number.min(MAX_STATUS_TIMEOUT_MS),
            other => return Err(bad(format!("unknown parameter {other:?}"))),
        }
    }
    Ok(out)
}

/// `GET /v1/status?after=B&timeout_ms=T`.
pub async fn status(
    State(state): State<StatusState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let q = parse_status_query(query.as_deref())?;
    let Some(after) = q.after else {
        return Ok(Json(json!({"block_done": state.progress.last_done()})));
    };
    match tokio::time::timeout(
        Duration::from_millis(q.timeout_ms),
        state.progress.wait_for(after),
    )
    .await
    {
        Ok(done) => Ok(Json(json!({"block_done": done}))),
        Err(_) => Err(ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "timeout",
            format!(
                "block {after} not done within {} ms (last done: {:?})",
                q.timeout_ms,
                state.progress.last_done()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn query_parsing() {
        assert_eq!(
            parse_status_query(None).unwrap(),
            StatusQuery {
                after: None,
                timeout_ms: DEFAULT_STATUS_TIMEOUT_MS
            }
        );
        assert_eq!(
            parse_status_query(Some("after=5&timeout_ms=10")).unwrap(),
            StatusQuery {
                after: Some(5),
                timeout_ms: 10
            }
        );
        assert_eq!(
            parse_status_query(Some("after=x")).unwrap_err().code,
            "invalid_query"
        );
        assert_eq!(
            parse_status_query(Some("befor=1")).unwrap_err().code,
            "invalid_query"
        );
    }

    #[tokio::test]
    async fn progress_waits_and_never_goes_back() {
        let p = Progress::new();
        assert_eq!(p.last_done(), None);
        let waiter = tokio::spawn({
            let p = p.clone();
            async move { p.wait_for(3).await }
        });
        p.mark_done(2);
        p.mark_done(4);
        assert_eq!(waiter.await.unwrap(), 4);
        p.mark_done(1);
        assert_eq!(p.last_done(), Some(4));
        assert_eq!(p.wait_for(0).await, 4);
    }
}
