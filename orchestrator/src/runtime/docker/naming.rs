//! Names, labels and addresses of a devnet's Docker objects.
//!
//! Labels are the source of truth: every container and network carries the devnet id and the
//! orchestrator's pid and start time, so a sweep can tell a dead orchestrator's leftovers from a
//! live devnet without reading any run directory.

use crate::runtime::ComponentKind;
use crate::runtime::manifest::ProcessId;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

/// Every object created by localtensor: `io.localtensor.managed=true`.
pub const LABEL_MANAGED: &str = "io.localtensor.managed";
/// The devnet id of a container or network.
pub const LABEL_DEVNET: &str = "io.localtensor.devnet";
/// The component name of a container.
pub const LABEL_COMPONENT: &str = "io.localtensor.component";
/// The component kind of a container (`chain`, `gpu-mock`, ...).
pub const LABEL_KIND: &str = "io.localtensor.kind";
/// The pid of the orchestrator that owns the devnet.
pub const LABEL_ORCHESTRATOR_PID: &str = "io.localtensor.orchestrator.pid";
/// The start time (clock ticks after boot) of the orchestrator that owns the devnet.
pub const LABEL_ORCHESTRATOR_START: &str = "io.localtensor.orchestrator.start-time";
/// The binary an image was built from.
pub const LABEL_BINARY: &str = "io.localtensor.binary";
/// The content hash of an image's files.
pub const LABEL_CONTENT_HASH: &str = "io.localtensor.content-hash";

/// The devnet's network: `localtensor-<devnet id>`.
pub fn network_name(devnet_id: &str) -> String {
    format!("localtensor-{devnet_id}")
}

/// A component's container: `localtensor-<devnet id>-<component>`.
pub fn container_name(devnet_id: &str, component: &str) -> String {
    format!("localtensor-{devnet_id}-{component}")
}

/// The labels of the devnet's network (and the base of its containers' labels).
pub(crate) fn devnet_labels(devnet_id: &str, orchestrator: ProcessId) -> HashMap<String, String> {
    HashMap::from([
        (LABEL_MANAGED.to_owned(), "true".to_owned()),
        (LABEL_DEVNET.to_owned(), devnet_id.to_owned()),
        (
            LABEL_ORCHESTRATOR_PID.to_owned(),
            orchestrator.pid.to_string(),
        ),
        (
            LABEL_ORCHESTRATOR_START.to_owned(),
            orchestrator.start_time.to_string(),
        ),
    ])
}

/// The labels of one component's container.
pub(crate) fn container_labels(
    devnet_id: &str,
    orchestrator: ProcessId,
    component: &str,
    kind: ComponentKind,
) -> HashMap<String, String> {
    let mut labels = devnet_labels(devnet_id, orchestrator);
    labels.insert(LABEL_COMPONENT.to_owned(), component.to_owned());
    labels.insert(LABEL_KIND.to_owned(), kind_label(kind).to_owned());
    labels
}

fn kind_label(kind: ComponentKind) -> &'static str {
    match kind {
        ComponentKind::Chain => "chain",
        ComponentKind::GpuMock => "gpu-mock",
        ComponentKind::Miner => "miner",
        ComponentKind::Validator => "validator",
        ComponentKind::Command => "command",
    }
}

/// The orchestrator recorded in a label set, if both labels parse.
pub(crate) fn orchestrator_of(labels: &HashMap<String, String>) -> Option<ProcessId> {
    Some(ProcessId {
        pid: labels.get(LABEL_ORCHESTRATOR_PID)?.parse().ok()?,
        start_time: labels.get(LABEL_ORCHESTRATOR_START)?.parse().ok()?,
    })
}

/// A label filter (`label=key=value`) for list calls.
pub(crate) fn label_filter(key: &str, value: &str) -> HashMap<String, Vec<String>> {
    HashMap::from([("label".to_owned(), vec![format!("{key}={value}")])])
}

/// Prefix length of a devnet's network: a `/22` has room for [`MAX_COMPONENTS`] containers, so
/// even `large` (322 components) fits.
pub(crate) const SUBNET_PREFIX: u8 = 22;

/// Containers one devnet network holds: the `/22`'s 1024 addresses less the network address,
/// the gateway (the first host) and the broadcast address.
pub const MAX_COMPONENTS: usize = 1021;

/// The candidate subnets for a devnet's network (their base addresses), in the order to try
/// them: the 64 `/22`s of 10.213.0.0/16 starting at one derived from the devnet id, so
/// concurrent devnets rarely collide and a collision just moves on to the next. A
/// user-configured subnet is what lets containers get fixed addresses ([`host_address`]).
pub(crate) fn subnet_candidates(devnet_id: &str) -> impl Iterator<Item = Ipv4Addr> {
    // FNV-1a: a stable, dependency-free spread of ids over the 64 candidates.
    let start = devnet_id.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    (0..64u32).map(move |i| {
        let block = start.wrapping_add(i) % 64;
        let third = u8::try_from(block * 4).unwrap_or(0);
        Ipv4Addr::new(10, 213, third, 0)
    })
}

/// The subnet of a base address, as the engine wants it.
pub(crate) fn subnet_cidr(base: Ipv4Addr) -> String {
    format!("{base}/{SUBNET_PREFIX}")
}

/// The `n`th address of the subnet at `base` (1 is the gateway; containers use 2 to
/// `MAX_COMPONENTS + 1`).
pub(crate) fn host_address(base: Ipv4Addr, n: u16) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(base) + u32::from(n))
}

/// Replaces a wildcard or loopback host in an endpoint (`host:port` or `scheme://host:port/...`)
/// with `ip`: a component inside a container reports the address it bound (`0.0.0.0:9944`), but
/// the host and its peers reach it at the container's address on the devnet network. Other
/// values are returned unchanged.
pub fn rewrite_endpoint(endpoint: &str, ip: IpAddr) -> String {
    let (scheme, rest) = match endpoint.find("://") {
        Some(i) => endpoint.split_at(i + 3),
        None => ("", endpoint),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let Some((host, port)) = authority.rsplit_once(':') else {
        return endpoint.to_owned();
    };
    if port.parse::<u16>().is_err() {
        return endpoint.to_owned();
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let replace = match bare.parse::<IpAddr>() {
        Ok(addr) => addr.is_unspecified() || addr.is_loopback(),
        Err(_) => bare == "localhost",
    };
    if !replace {
        return endpoint.to_owned();
    }
    let host = match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    };
    format!("{scheme}{host}:{port}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_point_at_the_container() {
        let ip: IpAddr = "10.213.4.2".parse().expect("ip");
        assert_eq!(rewrite_endpoint("0.0.0.0:9944", ip), "10.213.4.2:9944");
        assert_eq!(rewrite_endpoint("127.0.0.1:80", ip), "10.213.4.2:80");
        assert_eq!(
            rewrite_endpoint("ws://0.0.0.0:9944", ip),
            "ws://10.213.4.2:9944"
        );
        assert_eq!(
            rewrite_endpoint("http://[::]:8080/health", ip),
            "http://10.213.4.2:8080/health"
        );
        assert_eq!(
            rewrite_endpoint("http://localhost:1/x", ip),
            "http://10.213.4.2:1/x"
        );
        // Addresses that already name a host stay.
        assert_eq!(rewrite_endpoint("192.0.2.7:9944", ip), "192.0.2.7:9944");
        assert_eq!(rewrite_endpoint("ws://chain:9944", ip), "ws://chain:9944");
        assert_eq!(rewrite_endpoint("not an endpoint", ip), "not an endpoint");
    }

    #[test]
    fn names_and_subnets() {
        assert_eq!(network_name("d1"), "localtensor-d1");
        assert_eq!(container_name("d1", "chain"), "localtensor-d1-chain");
        let a: Vec<_> = subnet_candidates("d1").collect();
        assert_eq!(a.len(), 64);
        let distinct: std::collections::BTreeSet<_> = a.iter().collect();
        assert_eq!(distinct.len(), 64);
        assert_eq!(a, subnet_candidates("d1").collect::<Vec<_>>());
        assert!(
            a.iter()
                .all(|b| b.octets()[2] % 4 == 0 && b.octets()[3] == 0)
        );
        assert_eq!(subnet_cidr(a[0]), format!("{}/22", a[0]));
        assert!(subnet_cidr(a[0]).starts_with("10.213.") && subnet_cidr(a[0]).ends_with(".0/22"));
        let base = Ipv4Addr::new(10, 213, 8, 0);
        assert_eq!(host_address(base, 2), Ipv4Addr::new(10, 213, 8, 2));
        assert_eq!(host_address(base, 300), Ipv4Addr::new(10, 213, 9, 44));
        // The last container address is the one before the /22's broadcast address.
        let last = u16::try_from(MAX_COMPONENTS + 1).unwrap();
        assert_eq!(host_address(base, last), Ipv4Addr::new(10, 213, 11, 254));
        let labels = container_labels(
            "d1",
            ProcessId {
                pid: 7,
                start_time: 9,
            },
            "chain",
            ComponentKind::GpuMock,
        );
        assert_eq!(labels[LABEL_KIND], "gpu-mock");
        assert_eq!(
            orchestrator_of(&labels),
            Some(ProcessId {
                pid: 7,
                start_time: 9
            })
        );
    }
}
