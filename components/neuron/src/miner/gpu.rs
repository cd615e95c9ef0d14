//! The miner's GPUs: one *lane* per device of each GPU mock, and running a challenge's units
//! on a lane until its budget is used up.

use std::time::Duration;

use localtensor_gpu_mock::Digest;
use serde::Deserialize;

use crate::NeuronError;
use crate::challenge::{Challenge, MAX_LANES, MAX_UNITS_PER_LANE, UnitResult};

/// How long one GPU-mock request may take (wall clock; a safety net only).
pub const GPU_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// One device of one GPU mock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lane {
    /// Base URL of the GPU mock (no trailing slash).
    pub url: String,
    /// Device id on it.
    pub device: u64,
}

#[derive(Deserialize)]
struct DeviceList {
    devices: Vec<DeviceEntry>,
}

#[derive(Deserialize)]
struct DeviceEntry {
    id: u64,
}

#[derive(Deserialize)]
struct JobAnswer {
    result: Digest,
    duration_ns: u64,
}

/// Lists the devices of every GPU mock, in flag order then device id, as lanes (at most
/// [`MAX_LANES`]).
pub async fn discover_lanes(
    http: &reqwest::Client,
    urls: &[String],
) -> Result<Vec<Lane>, NeuronError> {
    let mut lanes = Vec::new();
    for url in urls {
        let base = url.trim_end_matches('/').to_string();
        let err = |reason: String| NeuronError::Gpu {
            url: base.clone(),
            reason,
        };
        let resp = http
            .get(format!("{base}/v1/devices"))
            .timeout(GPU_REQUEST_TIMEOUT)
            .send()
            .await
            .map_err(|e| err(e.to_string()))?;
        if !resp.status().is_success() {
            return Err(err(format!("GET /v1/devices answered {}", resp.status())));
        }
        let list: DeviceList = resp
            .json()
            .await
            .map_err(|e| err(format!("GET /v1/devices: {e}")))?;
        let mut ids: Vec<u64> = list.devices.iter().map(|d| d.id).collect();
        ids.sort_unstable();
        for device in ids {
            lanes.push(Lane {
                url: base.clone(),
                device,
            });
        }
    }
    if lanes.len() > MAX_LANES as usize {
        tracing::warn!(
            devices = lanes.len(),
            max = MAX_LANES,
            "more GPU devices than lanes; using the first ones"
        );
        lanes.truncate(MAX_LANES as usize);
    }
    Ok(lanes)
}

/// Runs units `lane, lane + lanes, …` of `challenge` on `device` while their simulated
/// durations fit the budget. A GPU error (device lost, out of memory, unreachable) ends the lane.
pub async fn run_lane(
    http: &reqwest::Client,
    device: &Lane,
    lane: u32,
    lanes: u32,
    challenge: &Challenge,
) -> Vec<UnitResult> {
    let budget = challenge.budget_ns();
    let mut used: u64 = 0;
    let mut units = Vec::new();
    for k in 0..u64::from(MAX_UNITS_PER_LANE) {
        let index = u64::from(lane) + k * u64::from(lanes.max(1));
        let spec = challenge.unit_spec(index);
        let body = serde_json::json!({
            "kind": spec.kind,
            "size": spec.size,
            "seed": spec.seed,
            "block": challenge.block,
        });
        let answer = http
            .post(format!("{}/v1/devices/{}/jobs", device.url, device.device))
            .timeout(GPU_REQUEST_TIMEOUT)
            .json(&body)
            .send()
            .await;
        let job: JobAnswer = match answer {
            Ok(resp) if resp.status().is_success() => match resp.json().await {
                Ok(job) => job,
                Err(e) => {
                    tracing::warn!(url = %device.url, device = device.device, error = %e, "GPU answer unreadable; lane stops");
                    break;
                }
            },
            Ok(resp) => {
                tracing::info!(url = %device.url, device = device.device, status = %resp.status(), "GPU refused a job; lane stops");
                break;
            }
            Err(e) => {
                tracing::warn!(url = %device.url, device = device.device, error = %e, "GPU unreachable; lane stops");
                break;
            }
        };
        match used.checked_add(job.duration_ns) {
            Some(total) if total <= budget => used = total,
            _ => break,
        }
        units.push(UnitResult {
            index,
            lane,
            result: job.result,
            duration_ns: job.duration_ns,
        });
    }
    units
}
