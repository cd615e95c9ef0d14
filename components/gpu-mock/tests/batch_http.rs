//! `POST /v1/devices/{id}/jobs/batch` over a real socket: the same answers as the single-job
//! route, and its rejections change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use localtensor_gpu_mock::{Faults, GpuMock, MAX_BATCH_UNITS, MockConfig, http};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn config() -> MockConfig {
    MockConfig::from_yaml_str("seed: 3\ndevices:\n  - {profile: H100-80GB}\n  - {profile: L4}\n")
        .unwrap()
}

struct Server {
    base: String,
    client: reqwest::Client,
    _handle: http::ServerHandle,
}

impl Server {
    async fn start(mock: GpuMock) -> Self {
        let handle = http::ServerHandle::start(Arc::new(mock), "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        Self {
            base: handle.url(),
            client: reqwest::Client::new(),
            _handle: handle,
        }
    }

    async fn get(&self, path: &str) -> Value {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
        response.json().await.unwrap()
    }

    async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }
}

fn lane(budget_ns: u64) -> Value {
    json!({"kind": "matmul", "size": 16384, "seed": 77, "block": 5, "first_index": 1,
           "stride": 2, "max_units": 512, "budget_ns": budget_ns})
}

/// What a job-by-job caller gets: the listed units and the stop, over the single-job route.
async fn by_single_jobs(server: &Server, id: u64, batch: &Value) -> (Vec<Value>, Value) {
    let (first, stride) = (
        batch["first_index"].as_u64().unwrap(),
        batch["stride"].as_u64().unwrap(),
    );
    let budget = batch["budget_ns"].as_u64().unwrap();
    let mut used = 0u64;
    let mut units = Vec::new();
    for k in 0..batch["max_units"].as_u64().unwrap() {
        let index = first + k * stride;
        let seed = batch["seed"].as_u64().unwrap() ^ index;
        let job = json!({"kind": batch["kind"], "size": batch["size"], "seed": seed,
                         "block": batch["block"]});
        let (status, answer) = server.post(&format!("/v1/devices/{id}/jobs"), &job).await;
        if !status.is_success() {
            let stop = json!({"reason": "error", "index": index, "error": answer["error"]});
            return (units, stop);
        }
        let duration = answer["duration_ns"].as_u64().unwrap();
        if used + duration > budget {
            let stop = json!({"reason": "budget", "index": index, "duration_ns": duration});
            return (units, stop);
        }
        used += duration;
        units.push(
            json!({"index": index, "seed": seed, "result": answer["result"],
                          "duration_ns": duration}),
        );
    }
    (units, json!({"reason": "max_units"}))
}

#[tokio::test]
async fn a_batch_answers_what_single_jobs_answer() {
    let lost = Faults {
        lost_from_block: Some(5),
        ..Faults::default()
    };
    let make = || {
        let mock = GpuMock::new(&config()).unwrap();
        mock.set_faults(1, lost).unwrap();
        mock
    };
    let (batched, single) = (Server::start(make()).await, Server::start(make()).await);
    for (id, budget_ns) in [(0, 250_000_000u64), (0, 1), (1, 250_000_000)] {
        let request = lane(budget_ns);
        let (status, answer) = batched
            .post(&format!("/v1/devices/{id}/jobs/batch"), &request)
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let (units, stop) = by_single_jobs(&single, id, &request).await;
        assert_eq!(answer["units"], Value::Array(units.clone()), "device {id}");
        assert_eq!(answer["stop"], stop, "device {id}");
        assert_eq!(answer["device"], id);
        let used: u64 = units
            .iter()
            .map(|u| u["duration_ns"].as_u64().unwrap())
            .sum();
        assert_eq!(answer["used_ns"], used);
    }
    assert!(
        batched.get("/v1/devices/0/telemetry").await["jobs_done"]
            .as_u64()
            .unwrap()
            > 20
    );
    assert_eq!(
        batched.get("/v1/telemetry").await,
        single.get("/v1/telemetry").await
    );
}

#[tokio::test]
async fn bad_batches_are_rejected_and_change_nothing() {
    let server = Server::start(GpuMock::new(&config()).unwrap()).await;
    let before = server.get("/v1/telemetry").await;
    let with = |field: &str, value: Value| {
        let mut body = lane(1_000_000);
        body[field] = value;
        body
    };
    let cases = [
        (
            "/v1/devices/0/jobs/batch",
            with("max_units", json!(MAX_BATCH_UNITS + 1)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_batch",
        ),
        (
            "/v1/devices/0/jobs/batch",
            with("max_units", json!(0)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_batch",
        ),
        (
            "/v1/devices/0/jobs/batch",
            with("first_index", json!(u64::MAX)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_batch",
        ),
        (
            "/v1/devices/0/jobs/batch",
            with("size", json!(0)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_size",
        ),
        (
            "/v1/devices/0/jobs/batch",
            with("budget_ns", json!(-1)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            "/v1/devices/0/jobs/batch",
            with("extra", json!(true)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            "/v1/devices/9/jobs/batch",
            lane(1_000_000),
            StatusCode::NOT_FOUND,
            "unknown_device",
        ),
        (
            "/v1/devices/x/jobs/batch",
            lane(1_000_000),
            StatusCode::BAD_REQUEST,
            "invalid_device_id",
        ),
    ];
    for (path, body, status, code) in cases {
        let answer = server.post(path, &body).await;
        assert_eq!(answer.0, status, "{path} {body}: {answer:?}");
        assert_eq!(answer.1["error"]["code"], code, "{path} {body}: {answer:?}");
    }
    let mut missing = lane(1_000_000);
    missing.as_object_mut().unwrap().remove("stride");
    let answer = server.post("/v1/devices/0/jobs/batch", &missing).await;
    assert_eq!(answer.1["error"]["code"], "invalid_request", "{answer:?}");
    // Nothing ran, and the clock did not move to the batches' block.
    assert_eq!(server.get("/v1/telemetry").await, before);
    assert_eq!(server.get("/v1/clock").await["block"], 0);
}
