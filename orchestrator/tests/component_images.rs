//! Each component image on its own, started with testcontainers from the image `ensure_image`
//! builds out of the test's `localtensor` binary (`localtensor __component KIND ...`): the chain,
//! the GPU mock, a miner and a validator. For each: the container runs that image (found
//! locally, nothing pulled), it becomes ready (its JSON ready line on stdout, the only thing on
//! stdout), answers its health check from the host through a published port with the expected
//! content, refuses a wrong request with a precise error, and stops cleanly on SIGTERM as pid 1. The miner and the validator follow a chain container over
//! a per-test network (a block sealed through the chain's `devnet_mine` reaches them). After each
//! test the engine is asked, by label and by name, whether a container or the network is left.
//!
//! Without a reachable Docker engine the tests print why and pass; with one they must pass.
#![allow(clippy::expect_used)]

use localtensor::runtime::docker::{self, DockerError, ImageRef};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;
use testcontainers::core::{IntoContainerPort, WaitFor};
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, ContainerRequest, GenericImage, ImageExt};

/// Label on every container of this file (for `docker ps --filter label=...` by hand).
const LABEL_TEST: &str = "io.localtensor.test";
/// Label with the test run's id: what the leftover check asks the engine for.
const LABEL_RUN: &str = "io.localtensor.test.run";
/// The port each component listens on inside its container (one network namespace each).
const PORT: u16 = 9944;
/// The ready line's marker; serde_json writes no spaces, keys in any order.
const READY: &str = r#""event":"ready""#;
/// Topology seed the neurons get, as the orchestrator would pass it.
const SEED: u64 = 7;
/// Subnet the neurons are told to work on (it does not exist on the bare dev chain).
const NETUID: u16 = 1;

/// One test's engine connection, image and run id.
struct Fixture {
    docker: docker::Docker,
    image: ImageRef,
    run: String,
    http: reqwest::Client,
}

/// Connects to the engine and builds (or finds) the image of this test's `localtensor` binary;
/// `None`, after saying so, when no engine is reachable. `kind` names the component under test.
async fn fixture(kind: &str) -> Option<Fixture> {
    let docker = match docker::connect(None).await {
        Ok(docker) => docker,
        Err(DockerError::Unavailable { socket, reason }) => {
            eprintln!(
                "skipping the {kind} image test: no Docker engine reachable at {socket} ({reason})"
            );
            return None;
        }
        Err(e) => panic!("connecting to the Docker engine: {e}"),
    };
    let image = docker::ensure_image(&docker, Path::new(env!("CARGO_BIN_EXE_localtensor")))
        .await
        .expect("building the localtensor image");
    assert_eq!(image.binary, "localtensor", "{image:?}");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .subsec_nanos();
    let run = format!("{kind}-{}-{nanos:08x}", std::process::id());
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("HTTP client");
    Some(Fixture {
        docker,
        image,
        run,
        http,
    })
}

impl Fixture {
    /// A container of `kind` running `localtensor __component KIND ARGS`, labelled with the run
    /// id, ready once its ready line is on stdout.
    fn component<'a>(
        &self,
        kind: &str,
        args: impl IntoIterator<Item = &'a str>,
    ) -> ContainerRequest<GenericImage> {
        let (name, tag) = self
            .image
            .tag
            .rsplit_once(':')
            .expect("an image tag is name:tag");
        let cmd: Vec<String> = ["__component".to_owned(), kind.to_owned()]
            .into_iter()
            .chain(args.into_iter().map(str::to_owned))
            .collect();
        GenericImage::new(name, tag)
            .with_exposed_port(PORT.tcp())
            .with_wait_for(WaitFor::message_on_stdout(READY))
            .with_cmd(cmd)
            .with_container_name(format!("lt-imgtest-{}-{kind}", self.run))
            .with_label(LABEL_TEST, "component_images")
            .with_label(LABEL_RUN, &self.run)
            // A cold start of the debug binary under load can take a few seconds.
            .with_startup_timeout(Duration::from_secs(90))
    }

    /// The per-test network the miner and validator tests share with their chain.
    fn network(&self) -> String {
        format!("lt-imgtest-{}", self.run)
    }

    /// The chain with manual sealing, listening on every interface of its container.
    async fn chain(&self, network: Option<&str>) -> ContainerAsync<GenericImage> {
        let port = PORT.to_string();
        let args = ["--dev", "--sealing", "manual", "--rpc-host", "0.0.0.0"];
        let request = self.component("chain", args.into_iter().chain(["--rpc-port", &port]));
        let request = match network {
            Some(n) => request.with_network(n),
            None => request,
        };
        self.start(request, "chain").await
    }

    /// Starts `request` (waiting for its ready line) and checks that the container runs the
    /// image `ensure_image` returned: testcontainers found it locally and pulled nothing.
    async fn start(
        &self,
        request: ContainerRequest<GenericImage>,
        kind: &str,
    ) -> ContainerAsync<GenericImage> {
        let container = request
            .start()
            .await
            .unwrap_or_else(|e| panic!("the {kind} container starts: {e}"));
        let inspect = self
            .docker
            .inspect_container(container.id(), None)
            .await
            .expect("inspect the container");
        assert_eq!(
            inspect.image.as_deref(),
            Some(self.image.id.as_str()),
            "the {kind} container's image"
        );
        container
    }

    /// The base URL of `container`'s published port, from the host.
    async fn url(&self, container: &ContainerAsync<GenericImage>) -> String {
        let port = container
            .get_host_port_ipv4(PORT.tcp())
            .await
            .expect("the component's port is published");
        format!("http://127.0.0.1:{port}")
    }

    /// `GET url`: status and JSON body.
    async fn get(&self, url: &str) -> (u16, Value) {
        let response = self.http.get(url).send().await.expect("GET from the host");
        status_and_json(response).await
    }

    /// A JSON-RPC call over HTTP POST; the whole answer (`result` or `error`).
    async fn rpc(&self, url: &str, method: &str, params: Value) -> Value {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let response = self
            .http
            .post(url)
            .json(&body)
            .send()
            .await
            .expect("JSON-RPC POST from the host");
        let (status, answer) = status_and_json(response).await;
        assert_eq!(status, 200, "{method}: {answer}");
        assert_eq!(answer["id"], 1, "{method}: {answer}");
        answer
    }

    /// Asserts that nothing of this run is left in the engine: no container with its label
    /// (running or not) and no network of its name.
    async fn assert_nothing_left(&self) {
        use bollard::query_parameters::{ListContainersOptionsBuilder, ListNetworksOptionsBuilder};
        let by_run = HashMap::from([("label", vec![format!("{LABEL_RUN}={}", self.run)])]);
        let containers: Vec<String> = self
            .docker
            .list_containers(Some(
                ListContainersOptionsBuilder::default()
                    .all(true)
                    .filters(&by_run)
                    .build(),
            ))
            .await
            .expect("list containers")
            .into_iter()
            .flat_map(|c| c.names.unwrap_or_default())
            .collect();
        assert!(containers.is_empty(), "containers left: {containers:?}");
        let by_name = HashMap::from([("name", vec![self.network()])]);
        let networks: Vec<String> = self
            .docker
            .list_networks(Some(
                ListNetworksOptionsBuilder::default()
                    .filters(&by_name)
                    .build(),
            ))
            .await
            .expect("list networks")
            .into_iter()
            .filter_map(|n| n.name)
            .filter(|n| *n == self.network())
            .collect();
        assert!(networks.is_empty(), "networks left: {networks:?}");
    }
}

async fn status_and_json(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("the answer's body");
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("not JSON ({e}), status {status}: {text:?}"));
    (status, body)
}

/// The container's stdout, which must be exactly its ready line (logs go to stderr), parsed.
async fn ready_line(container: &ContainerAsync<GenericImage>) -> Value {
    let stdout = container
        .stdout_to_vec()
        .await
        .expect("the container's stdout");
    let stdout = String::from_utf8(stdout).expect("stdout is UTF-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "stdout should hold only the ready line: {stdout:?}"
    );
    let ready: Value = serde_json::from_str(lines[0]).expect("the ready line is JSON");
    assert_eq!(ready["event"], "ready", "{ready}");
    ready
}

/// Stops `container` with SIGTERM (no init in the container: the component is pid 1 and must
/// handle the signal itself) and checks that it exited 0 well before the SIGKILL deadline.
async fn assert_stops_cleanly(container: &ContainerAsync<GenericImage>, what: &str) {
    let started = std::time::Instant::now();
    container
        .stop_with_timeout(Some(20))
        .await
        .expect("docker stop");
    let elapsed = started.elapsed();
    let code = container.exit_code().await.expect("the exit code");
    assert_eq!(code, Some(0), "{what} after SIGTERM");
    assert!(
        elapsed < Duration::from_secs(10),
        "{what} took {elapsed:?} to stop on SIGTERM"
    );
}

/// An object's keys, sorted.
fn keys(object: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = object
        .as_object()
        .expect("a JSON object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

/// The SS58 address of a secret URI's key.
fn ss58(uri: &str) -> String {
    let pair = localtensor_client::keypair_from_uri(uri).expect("a valid test URI");
    localtensor_client::account_id(&pair).to_string()
}

/// The `{"error":{"code","message"}}` body of the neurons and the GPU mock.
fn api_error(code: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_image_is_ready_and_answers_json_rpc() {
    let Some(fx) = fixture("chain").await else {
        return;
    };
    {
        let chain = fx.chain(None).await;
        let ready = ready_line(&chain).await;
        assert_eq!(ready["rpc"], "0.0.0.0:9944", "{ready}");
        assert_eq!(ready["ws"], "ws://0.0.0.0:9944", "{ready}");
        assert_eq!(ready["http"], "http://0.0.0.0:9944", "{ready}");
        assert_eq!(ready["sealing"], "manual", "{ready}");
        assert_eq!(ready["best"], 0, "{ready}");
        assert_eq!(
            ready["pid"], 1,
            "no init: the chain is the container's pid 1"
        );
        let genesis = ready["genesis"].as_str().expect("genesis hash").to_owned();
        assert!(
            genesis.len() == 66
                && genesis.starts_with("0x")
                && genesis[2..].bytes().all(|b| b.is_ascii_hexdigit()),
            "{genesis}"
        );

        let url = fx.url(&chain).await;
        let health = fx.rpc(&url, "system_health", json!([])).await;
        assert_eq!(
            health["result"],
            json!({"peers": 0, "isSyncing": false, "shouldHavePeers": false}),
            "{health}"
        );
        let header = fx.rpc(&url, "chain_getHeader", json!([])).await;
        assert_eq!(header["result"]["number"], "0x0", "{header}");
        let hash0 = fx.rpc(&url, "chain_getBlockHash", json!([0])).await;
        assert_eq!(hash0["result"], genesis.as_str(), "{hash0}");

        // Manual sealing: a block exists only once asked for.
        let mined = fx.rpc(&url, "devnet_mine", json!([1])).await;
        assert_eq!(mined["result"]["first"], 1, "{mined}");
        assert_eq!(mined["result"]["last"], 1, "{mined}");
        let header = fx.rpc(&url, "chain_getHeader", json!([])).await;
        assert_eq!(header["result"]["number"], "0x1", "{header}");
        assert_eq!(header["result"]["parentHash"], genesis.as_str(), "{header}");
        let hash1 = fx.rpc(&url, "chain_getBlockHash", json!([1])).await;
        assert_eq!(hash1["result"], mined["result"]["head"], "{hash1}");

        let unknown = fx.rpc(&url, "devnet_noSuchMethod", json!([])).await;
        assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
        assert_eq!(unknown["error"]["message"], "Method not found", "{unknown}");
        assert!(unknown.get("result").is_none(), "{unknown}");
        let zero = fx.rpc(&url, "devnet_mine", json!([0])).await;
        assert_eq!(zero["error"]["code"], -32602, "{zero}");
        let message = zero["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("n must be between 1 and 100000"), "{zero}");
        let header = fx.rpc(&url, "chain_getHeader", json!([])).await;
        assert_eq!(
            header["result"]["number"], "0x1",
            "a refused mine made a block"
        );

        assert_stops_cleanly(&chain, "the chain").await;
    }
    fx.assert_nothing_left().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gpu_mock_image_is_ready_and_healthy() {
    let Some(fx) = fixture("gpu-mock").await else {
        return;
    };
    {
        // The configuration the orchestrator passes (`gpu_spec`): inline JSON, no file.
        let config = json!({
            "seed": 11,
            "devices": [{"profile": "A100-80GB", "count": 2, "faults": {}}],
        })
        .to_string();
        let listen = format!("0.0.0.0:{PORT}");
        let request = fx.component("gpu-mock", ["--listen", &listen, "--config-json", &config]);
        let mock = fx.start(request, "gpu-mock").await;
        let ready = ready_line(&mock).await;
        assert_eq!(
            ready,
            json!({"event": "ready", "http": "0.0.0.0:9944", "devices": 2})
        );

        let url = fx.url(&mock).await;
        let (status, health) = fx.get(&format!("{url}/health")).await;
        assert_eq!(status, 200, "{health}");
        assert_eq!(
            health,
            json!({"status": "ok", "devices": 2, "block": 0}),
            "{health}"
        );
        let (status, devices) = fx.get(&format!("{url}/v1/devices")).await;
        assert_eq!(status, 200, "{devices}");
        let devices = devices["devices"].as_array().expect("a device list");
        assert_eq!(devices.len(), 2, "{devices:?}");
        for (i, device) in devices.iter().enumerate() {
            assert_eq!(device["id"], i, "{device}");
            assert_eq!(device["profile"]["name"], "A100-80GB", "{device}");
        }

        let (status, body) = fx.get(&format!("{url}/v1/devices/2")).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(
            body,
            api_error(
                "unknown_device",
                "unknown device 2: this mock has 2 device(s), ids 0 to 1"
            )
        );
        let (status, body) = fx.get(&format!("{url}/no/such/path")).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(
            body,
            api_error("not_found", "no route for GET /no/such/path")
        );
        let response = fx
            .http
            .delete(format!("{url}/health"))
            .send()
            .await
            .expect("DELETE from the host");
        let (status, body) = status_and_json(response).await;
        assert_eq!(status, 405, "{body}");
        assert_eq!(
            body,
            api_error("method_not_allowed", "DELETE is not allowed on /health")
        );

        assert_stops_cleanly(&mock, "the GPU mock").await;
    }
    fx.assert_nothing_left().await;
}

/// A neuron (`miner` or `validator`) container following `chain_ws`, with the arguments and
/// environment the orchestrator's `neuron_spec` gives it.
async fn neuron(
    fx: &Fixture,
    role: &str,
    name: &str,
    chain_ws: &str,
    hotkey_uri: &str,
) -> ContainerAsync<GenericImage> {
    let seed = SEED.to_string();
    let netuid = NETUID.to_string();
    let listen = format!("0.0.0.0:{PORT}");
    let args = [
        "--chain-endpoint",
        chain_ws,
        "--netuid",
        &netuid,
        "--name",
        name,
        "--seed",
        &seed,
        "--listen",
        &listen,
        "--behaviour",
        "honest",
        "--lockstep",
    ];
    let request = fx
        .component(role, args)
        .with_network(fx.network())
        // The secret stays out of the command line, as the orchestrator does it.
        .with_env_var("LOCALTENSOR_HOTKEY_URI", hotkey_uri);
    fx.start(request, role).await
}

/// The checks both neurons share: the ready line, `/health` before and after a block sealed on
/// the chain, the long-poll `/v1/status`, and precise errors for bad queries and paths.
async fn check_neuron(
    fx: &Fixture,
    chain: &ContainerAsync<GenericImage>,
    neuron: &ContainerAsync<GenericImage>,
    role: &str,
    name: &str,
    hotkey_uri: &str,
) -> Value {
    let ready = ready_line(neuron).await;
    assert_eq!(ready["name"], name, "{ready}");
    assert_eq!(ready["http"], "0.0.0.0:9944", "{ready}");
    assert_eq!(ready["hotkey"], ss58(hotkey_uri), "{ready}");

    let url = fx.url(neuron).await;
    let (status, health) = fx.get(&format!("{url}/health")).await;
    assert_eq!(status, 200, "{health}");
    // Ready means the block that was current (genesis) is done.
    assert_eq!(
        health,
        json!({"status": "ok", "name": name, "role": role, "block": 0}),
        "{health}"
    );

    // A block sealed on the chain reaches the neuron over the test network.
    let chain_url = fx.url(chain).await;
    let mined = fx.rpc(&chain_url, "devnet_mine", json!([1])).await;
    assert_eq!(mined["result"]["last"], 1, "{mined}");
    let (status, done) = fx
        .get(&format!("{url}/v1/status?after=1&timeout_ms=15000"))
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done, json!({"block_done": 1}));
    let (status, health) = fx.get(&format!("{url}/health")).await;
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["block"], 1, "{health}");

    let (status, body) = fx
        .get(&format!("{url}/v1/status?after=5&timeout_ms=100"))
        .await;
    assert_eq!(status, 504, "{body}");
    assert_eq!(
        body,
        api_error(
            "timeout",
            "block 5 not done within 100 ms (last done: Some(1))"
        )
    );
    let (status, body) = fx.get(&format!("{url}/v1/status?after=x")).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body,
        api_error(
            "invalid_query",
            r#"after must be a non-negative integer, got "x""#
        )
    );
    let (status, body) = fx.get(&format!("{url}/no/such/path")).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body, api_error("not_found", "no such route"));
    ready
}

/// The chain's address on the test network, as a neuron's `--chain-endpoint`.
async fn chain_ws(chain: &ContainerAsync<GenericImage>) -> String {
    let ip = chain
        .get_bridge_ip_address()
        .await
        .expect("the chain's address on the test network");
    format!("ws://{ip}:{PORT}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn miner_image_is_ready_and_healthy_against_a_chain_container() {
    let Some(fx) = fixture("miner").await else {
        return;
    };
    {
        let chain = fx.chain(Some(&fx.network())).await;
        let ws = chain_ws(&chain).await;
        let uri = format!("//localtensor//{SEED}//sn{NETUID}//m-0//hot");
        let miner = neuron(&fx, "miner", "m-0", &ws, &uri).await;
        let ready = check_neuron(&fx, &chain, &miner, "miner", "m-0", &uri).await;
        let expected = ["axon_submitted", "event", "hotkey", "http", "name"];
        assert_eq!(keys(&ready), expected, "{ready}");
        // The pool accepts serve_axon before the first block (inclusion fails later: the
        // subnet does not exist on the bare dev chain).
        assert_eq!(ready["axon_submitted"], true, "{ready}");

        // A challenge without the signature headers is refused before anything else.
        let url = fx.url(&miner).await;
        let response = fx
            .http
            .post(format!("{url}/v1/challenge"))
            .json(&json!({}))
            .send()
            .await
            .expect("POST from the host");
        let (status, body) = status_and_json(response).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["error"]["code"], "unsigned", "{body}");

        assert_stops_cleanly(&miner, "the miner").await;
    }
    fx.assert_nothing_left().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validator_image_is_ready_and_healthy_against_a_chain_container() {
    let Some(fx) = fixture("validator").await else {
        return;
    };
    {
        let chain = fx.chain(Some(&fx.network())).await;
        let ws = chain_ws(&chain).await;
        let uri = format!("//localtensor//{SEED}//sn{NETUID}//v-0//hot");
        let validator = neuron(&fx, "validator", "v-0", &ws, &uri).await;
        let ready = check_neuron(&fx, &chain, &validator, "validator", "v-0", &uri).await;
        assert_eq!(keys(&ready), ["event", "hotkey", "http", "name"], "{ready}");

        // The validator serves no axon.
        let response = fx
            .http
            .post(format!(
                "{url}/v1/challenge",
                url = fx.url(&validator).await
            ))
            .json(&json!({}))
            .send()
            .await
            .expect("POST from the host");
        let (status, body) = status_and_json(response).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body, api_error("not_found", "no such route"));

        assert_stops_cleanly(&validator, "the validator").await;
    }
    fx.assert_nothing_left().await;
}
