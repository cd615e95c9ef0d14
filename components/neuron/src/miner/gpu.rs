//! The miner's GPUs: one *lane* per device of each GPU mock, and running a challenge's units
//! on a lane until its budget is used up.

use std::time::Duration;

use localtensor_gpu_mock::{BatchRequest, Digest};
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

/// The parts of a GPU mock's `POST /v1/devices/{id}/jobs/batch` answer the miner uses.
#[derive(Deserialize)]
struct BatchAnswer {
    units: Vec<BatchUnitAnswer>,
    stop: BatchStopAnswer,
}

#[derive(Deserialize)]
struct BatchUnitAnswer {
    index: u64,
    result: Digest,
    duration_ns: u64,
}

#[derive(Deserialize)]
struct BatchStopAnswer {
    reason: String,
    #[serde(default)]
    error: Option<serde_json::Value>,
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
///
/// One batch request does the whole lane: the GPU mock runs the units one after another exactly
/// as single jobs, keeps those whose cumulative duration fits the budget and stops at the first
/// error, so the units are those a job-by-job loop would get.
pub async fn run_lane(
    http: &reqwest::Client,
    device: &Lane,
    lane: u32,
    lanes: u32,
    challenge: &Challenge,
) -> Vec<UnitResult> {
    let stride = u64::from(lanes.max(1));
    let request = BatchRequest {
        kind: challenge.kind,
        size: challenge.size,
        seed: challenge.seed,
        block: Some(challenge.block),
        first_index: u64::from(lane),
        stride,
        max_units: MAX_UNITS_PER_LANE,
        budget_ns: challenge.budget_ns(),
    };
    let answer = http
        .post(format!(
            "{}/v1/devices/{}/jobs/batch",
            device.url, device.device
        ))
        .timeout(GPU_REQUEST_TIMEOUT)
        .json(&request)
        .send()
        .await;
    let batch: BatchAnswer = match answer {
        Ok(resp) if resp.status().is_success() => match resp.json().await {
            Ok(batch) => batch,
            Err(e) => {
                tracing::warn!(url = %device.url, device = device.device, error = %e, "GPU answer unreadable; lane stops");
                return Vec::new();
            }
        },
        Ok(resp) => {
            tracing::info!(url = %device.url, device = device.device, status = %resp.status(), "GPU refused the batch; lane stops");
            return Vec::new();
        }
        Err(e) => {
            tracing::warn!(url = %device.url, device = device.device, error = %e, "GPU unreachable; lane stops");
            return Vec::new();
        }
    };
    if let Some(error) = &batch.stop.error {
        tracing::info!(url = %device.url, device = device.device, reason = %batch.stop.reason, %error, "GPU refused a job; lane stops");
    }
    // Re-applies the lane's rules to what the mock listed: its own indices in order, at most
    // MAX_UNITS_PER_LANE, within the budget. A conforming mock passes all of them unchanged.
    let budget = challenge.budget_ns();
    let mut used: u64 = 0;
    let mut units = Vec::with_capacity(batch.units.len());
    for (k, unit) in (0..u64::from(MAX_UNITS_PER_LANE)).zip(batch.units) {
        let index = u64::from(lane) + k * stride;
        if unit.index != index {
            tracing::warn!(url = %device.url, device = device.device, expected = index, got = unit.index, "GPU batch lists an unexpected unit; lane stops");
            break;
        }
        match used.checked_add(unit.duration_ns) {
            Some(total) if total <= budget => used = total,
            _ => break,
        }
        units.push(UnitResult {
            index,
            lane,
            result: unit.result,
            duration_ns: unit.duration_ns,
        });
    }
    units
}
