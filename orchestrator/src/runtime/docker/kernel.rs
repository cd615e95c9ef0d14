//! What the host kernel, shared by every container, allows: the neighbour table's size and
//! the TCP settings a devnet's containers get.

use std::collections::HashMap;
use std::path::Path;

/// The retransmission timeout's cap inside a devnet's containers, in ms. Linux caps it at
/// 120 s by default, so after a partition lasting a minute the chain would resend its block
/// notifications only a minute or two after the heal. At 2 s, a healed component hears from
/// its peers within two seconds.
const RTO_MAX_MS: u32 = 2000;

/// Retransmissions before a connection is given up, inside a devnet's containers: the
/// kernel's maximum. With [`RTO_MAX_MS`] the late retries come every 2 s, so a partitioned
/// connection survives about 8.5 minutes (Linux's default, 15 retries under its 120 s cap,
/// gives about 15).
const RETRIES: u32 = 255;

/// The kernel's hard limit on neighbour (ARP) entries, shared by every network namespace
/// (`net.ipv4.neigh.default.gc_thresh3`), when the engine is local and the file readable.
pub(super) fn neighbour_table_limit() -> Option<u64> {
    std::fs::read_to_string("/proc/sys/net/ipv4/neigh/default/gc_thresh3")
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The per-container sysctls that make TCP recover quickly after a heal, when the kernel has
/// `net.ipv4.tcp_rto_max_ms` (Linux 6.15 and later; it is per network namespace). On older
/// kernels it is `None` and a healed component waits out TCP's usual backoff.
pub(super) fn tcp_sysctls() -> Option<HashMap<String, String>> {
    sysctls_for(Path::new("/proc/sys/net/ipv4"))
}

fn sysctls_for(proc_ipv4: &Path) -> Option<HashMap<String, String>> {
    proc_ipv4.join("tcp_rto_max_ms").exists().then(|| {
        HashMap::from([
            ("net.ipv4.tcp_rto_max_ms".to_owned(), RTO_MAX_MS.to_string()),
            ("net.ipv4.tcp_retries2".to_owned(), RETRIES.to_string()),
        ])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sysctls_only_where_the_kernel_has_the_rto_cap() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(sysctls_for(dir.path()), None);
        std::fs::write(dir.path().join("tcp_rto_max_ms"), "120000\n").expect("write");
        let sysctls = sysctls_for(dir.path()).expect("the cap exists");
        assert_eq!(sysctls["net.ipv4.tcp_rto_max_ms"], "2000");
        assert_eq!(sysctls["net.ipv4.tcp_retries2"], "255");
    }
}
