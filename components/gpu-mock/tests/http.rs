//! The HTTP API over a real socket: shapes, status codes, and that bad requests change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use localtensor_gpu_mock::{GpuMock, JobKind, JobSpec, MockConfig, expected_result, http};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A server on 127.0.0.1:0 with a client; the handle stops the server when dropped.
struct Server {
    base: String,
    client: reqwest::Client,
    handle: http::ServerHandle,
}

impl Server {
    async fn start(config: &MockConfig) -> Self {
        let mock = Arc::new(GpuMock::new(config).unwrap());
        let handle = http::ServerHandle::start(mock, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        assert_ne!(handle.addr().port(), 0);
        Self {
            base: handle.url(),
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .unwrap(),
            handle,
        }
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        decode(response).await
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        decode(request.send().await.unwrap()).await
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    async fn raw_post(
        &self,
        path: &str,
        content_type: &str,
        body: &'static str,
    ) -> (StatusCode, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        decode(response).await
    }

    async fn shutdown(self) {
        self.handle.shutdown().await.unwrap();
    }
}

async fn decode(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let is_json = response
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap().starts_with("application/json"));
    let text = response.text().await.unwrap();
    assert!(is_json, "every answer is JSON, got {status} {text:?}");
    (status, serde_json::from_str(&text).unwrap())
}

fn config() -> MockConfig {
    MockConfig::from_yaml_str("seed: 3\ndevices:\n  - {profile: H100-80GB}\n  - {profile: L4}\n")
        .unwrap()
}

fn assert_error(answer: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(answer.0, status, "{answer:?}");
    assert_eq!(answer.1["error"]["code"], code, "{answer:?}");
    assert!(
        answer.1["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{answer:?}"
    );
}

#[tokio::test]
async fn health_devices_and_telemetry_shapes() {
    let server = Server::start(&config()).await;
    let (status, health) = server.get("/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health, json!({"status": "ok", "devices": 2, "block": 0}));

    let (status, devices) = server.get("/v1/devices").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(devices["devices"][1]["profile"]["name"], "L4");
    assert_eq!(devices["devices"][1]["profile"]["bandwidth_gb_s"], 300);
    let (_, one) = server.get("/v1/devices/0").await;
    assert_eq!(one["profile"]["name"], "H100-80GB");
    assert_eq!(one["id"], 0);

    let (status, telemetry) = server.get("/v1/telemetry").await;
    assert_eq!(status, StatusCode::OK);
    let keys: Vec<&String> = telemetry["devices"][0]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    let mut expected = vec![
        "id",
        "profile",
        "status",
        "utilization_pct",
        "memory_used_mib",
        "memory_total_mib",
        "temperature_c",
        "power_w",
        "power_limit_w",
        "jobs_done",
        "busy_ns",
        "errors",
        "faults",
        "active_faults",
    ];
    expected.sort_unstable();
    let mut keys: Vec<&str> = keys.iter().map(|k| k.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(telemetry["devices"][1]["power_w"], 7);
    assert_eq!(
        telemetry["devices"][1]["errors"],
        json!({"out_of_memory": 0, "device_lost": 0, "corrupted_results": 0})
    );
    server.shutdown().await;
}

#[tokio::test]
async fn jobs_return_verifiable_results() {
    let server = Server::start(&config()).await;
    let (status, outcome) = server
        .post(
            "/v1/devices/1/jobs",
            json!({"kind": "hashchain", "size": 200, "seed": 9, "block": 4}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{outcome:?}");
    let spec = JobSpec {
        kind: JobKind::Hashchain,
        size: 200,
        seed: 9,
    };
    assert_eq!(
        outcome["result"],
        expected_result(&spec).unwrap().to_string()
    );
    assert_eq!(outcome["block"], 4);
    assert_eq!(outcome["device"], 1);
    assert!(outcome["duration_ns"].as_u64().unwrap() > 0);

    let (status, verdict) = server
        .post(
            "/v1/verify",
            json!({"kind": "hashchain", "size": 200, "seed": 9, "result": outcome["result"]}),
        )
        .await;
    assert_eq!((status, verdict), (StatusCode::OK, json!({"valid": true})));
    let (_, verdict) = server
        .post(
            "/v1/verify",
            json!({"kind": "hashchain", "size": 200, "seed": 10, "result": outcome["result"]}),
        )
        .await;
    assert_eq!(verdict, json!({"valid": false}));

    let (_, clock) = server.get("/v1/clock").await;
    assert_eq!(clock, json!({"block": 4}));
    let (_, telemetry) = server.get("/v1/devices/1/telemetry").await;
    assert_eq!(telemetry["jobs_done"], 1);
    server.shutdown().await;
}

#[tokio::test]
async fn bad_requests_get_precise_errors_and_change_nothing() {
    let server = Server::start(&config()).await;
    let (_, before) = server.get("/v1/telemetry").await;

    let job = |body: Value| server.post("/v1/devices/0/jobs", body);
    assert_error(
        &job(json!({"kind": "matmul", "size": 0, "seed": 1, "block": 9})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_size",
    );
    assert_error(
        &job(json!({"kind": "matmul", "size": 1_000_000, "seed": 1})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_size",
    );
    assert_error(
        &job(json!({"kind": "fft", "size": 8, "seed": 1})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    assert_error(
        &job(json!({"kind": "matmul", "size": 8})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    assert_error(
        &job(json!({"kind": "matmul", "size": -8, "seed": 1})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    assert_error(
        &job(json!({"kind": "matmul", "size": 8, "seed": 1, "extra": true})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    let (_, wrong_type) = job(json!({"kind": "matmul", "size": "8", "seed": 1})).await;
    assert!(
        wrong_type["error"]["message"]
            .as_str()
            .unwrap()
            .contains("size"),
        "{wrong_type}"
    );
    assert_error(
        &server
            .raw_post("/v1/devices/0/jobs", "application/json", "{\"kind\":")
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_json",
    );
    assert_error(
        &server
            .raw_post("/v1/devices/0/jobs", "text/plain", "{}")
            .await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    assert_error(
        &server
            .post(
                "/v1/devices/7/jobs",
                json!({"kind": "matmul", "size": 8, "seed": 1, "block": 9}),
            )
            .await,
        StatusCode::NOT_FOUND,
        "unknown_device",
    );
    assert_error(
        &server
            .post(
                "/v1/devices/x/jobs",
                json!({"kind": "matmul", "size": 8, "seed": 1}),
            )
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_device_id",
    );
    assert_error(
        &server.get("/v1/devices/-1").await,
        StatusCode::BAD_REQUEST,
        "invalid_device_id",
    );
    assert_error(
        &server.get("/v1/devices/2/telemetry").await,
        StatusCode::NOT_FOUND,
        "unknown_device",
    );

    let put = |body: Value| server.send(reqwest::Method::PUT, "/v1/devices/0/faults", Some(body));
    assert_error(
        &put(json!({"throttle": 0.5})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_fault",
    );
    assert_error(
        &put(json!({"wrong_result_rate": 1.5})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_fault",
    );
    assert_error(
        &put(json!({"throttle": -2})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    assert_error(
        &put(json!({"throttle": 2.0000001})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    assert_error(
        &put(json!({"melt": true})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    assert_error(
        &server
            .send(
                reqwest::Method::PUT,
                "/v1/devices/5/faults",
                Some(json!({})),
            )
            .await,
        StatusCode::NOT_FOUND,
        "unknown_device",
    );

    assert_error(
        &server.post("/v1/clock", json!({"block": -1})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    assert_error(
        &server.post("/v1/clock", json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    assert_error(
        &server
            .post(
                "/v1/verify",
                json!({"kind": "matmul", "size": 8, "seed": 1, "result": "00"}),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    assert_error(
        &server.get("/v2/nothing").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &server
            .send(reqwest::Method::DELETE, "/v1/telemetry", None)
            .await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );

    let (_, after) = server.get("/v1/telemetry").await;
    assert_eq!(before, after, "bad requests must not change state");
    server.shutdown().await;
}

#[tokio::test]
async fn faults_by_api_and_device_failures() {
    let server = Server::start(&config()).await;
    let (status, set) = server
        .send(
            reqwest::Method::PUT,
            "/v1/devices/0/faults",
            Some(json!({"oom_above_size": 100, "throttle": 2.5})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        set,
        json!({"oom_above_size": 100, "throttle": 2.5, "wrong_result_rate": null, "lost_from_block": null})
    );
    let (_, read) = server.get("/v1/devices/0/faults").await;
    assert_eq!(read, set);

    let oom = server
        .post(
            "/v1/devices/0/jobs",
            json!({"kind": "matmul", "size": 101, "seed": 1}),
        )
        .await;
    assert_error(&oom, StatusCode::INSUFFICIENT_STORAGE, "out_of_memory");

    let (status, _) = server
        .send(
            reqwest::Method::PUT,
            "/v1/devices/1/faults",
            Some(json!({"lost_from_block": 3})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = server
        .post(
            "/v1/devices/1/jobs",
            json!({"kind": "matmul", "size": 8, "seed": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, clock) = server.post("/v1/clock", json!({"block": 3})).await;
    assert_eq!(clock, json!({"block": 3}));
    let lost = server
        .post(
            "/v1/devices/1/jobs",
            json!({"kind": "matmul", "size": 8, "seed": 1}),
        )
        .await;
    assert_error(&lost, StatusCode::SERVICE_UNAVAILABLE, "device_lost");

    let (_, telemetry) = server.get("/v1/telemetry").await;
    assert_eq!(telemetry["devices"][0]["errors"]["out_of_memory"], 1);
    assert_eq!(
        telemetry["devices"][0]["active_faults"],
        json!(["oom_above_size", "throttle"])
    );
    assert_eq!(telemetry["devices"][1]["status"], "lost");
    assert_eq!(telemetry["devices"][1]["temperature_c"], Value::Null);
    assert_eq!(telemetry["devices"][1]["errors"]["device_lost"], 1);

    let (status, cleared) = server
        .send(reqwest::Method::DELETE, "/v1/devices/0/faults", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cleared["oom_above_size"], Value::Null);
    let (_, all) = server
        .send(reqwest::Method::DELETE, "/v1/faults", None)
        .await;
    assert_eq!(all, json!({"cleared": 2}));
    let (status, _) = server
        .post(
            "/v1/devices/1/jobs",
            json!({"kind": "matmul", "size": 8, "seed": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    server.shutdown().await;
}

#[tokio::test]
async fn http_and_in_process_answers_agree() {
    let server = Server::start(&config()).await;
    let local = GpuMock::new(&config()).unwrap();
    let request = localtensor_gpu_mock::JobRequest::new(JobKind::Matmul, 4096, 21);
    let expected = serde_json::to_value(local.submit(0, &request).unwrap()).unwrap();
    let (_, remote) = server
        .post(
            "/v1/devices/0/jobs",
            json!({"kind": "matmul", "size": 4096, "seed": 21}),
        )
        .await;
    assert_eq!(remote, expected);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_end_in_the_same_state_as_sequential_ones() {
    let config = MockConfig::uniform("A100-80GB", 3, 12);
    let server = Arc::new(Server::start(&config).await);
    let jobs: Vec<(u64, &str, u64, u64)> = (0..24u64)
        .map(|i| {
            (
                i % 3,
                if i % 2 == 0 { "matmul" } else { "hashchain" },
                100 + i * 7,
                i,
            )
        })
        .collect();
    let mut tasks = tokio::task::JoinSet::new();
    for (device, kind, size, seed) in jobs.clone() {
        let server = Arc::clone(&server);
        tasks.spawn(async move {
            let path = format!("/v1/devices/{device}/jobs");
            server
                .post(&path, json!({"kind": kind, "size": size, "seed": seed}))
                .await
        });
    }
    let mut remote = Vec::new();
    while let Some(answer) = tasks.join_next().await {
        let (status, outcome) = answer.unwrap();
        assert_eq!(status, StatusCode::OK, "{outcome}");
        remote.push(outcome);
    }
    remote.sort_by_key(|o| o["seed"].as_u64().unwrap());

    let local = GpuMock::new(&config).unwrap();
    let sequential: Vec<Value> = jobs
        .iter()
        .map(|&(device, kind, size, seed)| {
            let kind = if kind == "matmul" {
                JobKind::Matmul
            } else {
                JobKind::Hashchain
            };
            let request = localtensor_gpu_mock::JobRequest::new(kind, size, seed);
            serde_json::to_value(local.submit(device, &request).unwrap()).unwrap()
        })
        .collect();
    assert_eq!(remote, sequential);
    let (_, telemetry) = server.get("/v1/telemetry").await;
    assert_eq!(telemetry, serde_json::to_value(local.telemetry()).unwrap());

    let (_, profiles) = server.get("/v1/profiles").await;
    assert_eq!(profiles["profiles"].as_array().unwrap().len(), 5);
    assert_eq!(profiles["profiles"][4]["name"], "L4");
    Arc::try_unwrap(server).ok().unwrap().shutdown().await;
}

#[tokio::test]
async fn shutdown_releases_the_port() {
    let mock = Arc::new(GpuMock::new(&config()).unwrap());
    let handle = http::ServerHandle::start(mock, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = handle.addr();
    tokio::net::TcpStream::connect(addr).await.unwrap();
    handle.shutdown().await.unwrap();
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "listener still open after shutdown"
    );
}
