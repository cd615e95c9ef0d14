//! Loss and latency on a component's links, made by rules in the host's firewall: our images
//! hold no `tc`, and the kernel may lack `sch_netem`, but traffic between containers on one
//! bridge crosses the host's `FORWARD` hook (with `net.bridge.bridge-nf-call-iptables=1`, which
//! Docker sets).
//!
//! A faulty component gets two rules, one matching what it sends and one what it receives:
//! - loss: `DROP` at random with the `statistic` match, in the `filter` table's `DOCKER-USER`
//!   chain, which Docker leaves for rules like these;
//! - latency: `NFQUEUE` to a queue whose packets the orchestrator holds for the delay
//!   ([`super::delay`]), in the `mangle` table's `FORWARD` chain. `mangle` runs before `filter`,
//!   so a delayed packet still meets the loss rules and Docker's own afterwards. With
//!   `--queue-bypass`, packets pass undelayed when nobody holds the queue (an orchestrator
//!   that died).
//!
//! Each rule carries a comment naming the devnet, the component and the orchestrator (pid and
//! start time), so the sweep can remove the rules of an orchestrator that died. Only traffic
//! between containers crosses `FORWARD`: the orchestrator's own calls from the host do not.

use crate::runtime::manifest::ProcessId;
use std::net::Ipv4Addr;
use std::path::Path;

/// Where each kind of rule goes: (table, chain).
const LOSS_CHAIN: (&str, &str) = ("filter", "DOCKER-USER");
const DELAY_CHAIN: (&str, &str) = ("mangle", "FORWARD");

/// The first word of every comment localtensor writes.
const TAG: &str = "localtensor";

/// Whether bridged traffic passes iptables at all.
const BRIDGE_NF: &str = "/proc/sys/net/bridge/bridge-nf-call-iptables";

/// What a pair of rules does to a component's packets.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum HostFault {
    /// Drop this share of them, in percent (0 < percent <= 100).
    Loss {
        /// The share, in percent.
        percent: f64,
    },
    /// Hold them for this long, in the given queue.
    Delay {
        /// The delay in milliseconds.
        ms: u32,
        /// The NFQUEUE number the orchestrator holds.
        queue: u16,
    },
}

/// The pair of rules that make one component lossy or slow.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HostRules {
    /// The devnet id.
    pub devnet: String,
    /// The component.
    pub component: String,
    /// The orchestrator that made them.
    pub owner: ProcessId,
    /// The component's address on the devnet network.
    pub ip: Ipv4Addr,
    /// What they do.
    pub fault: HostFault,
}

impl HostRules {
    fn comment(&self) -> String {
        format!(
            "{TAG} devnet={} component={} owner={}.{}",
            self.devnet, self.component, self.owner.pid, self.owner.start_time
        )
    }

    fn chain(&self) -> (&'static str, &'static str) {
        match self.fault {
            HostFault::Loss { .. } => LOSS_CHAIN,
            HostFault::Delay { .. } => DELAY_CHAIN,
        }
    }

    /// The two rule specifications (what follows `-I CHAIN` or `-D CHAIN`).
    fn specs(&self) -> [Vec<String>; 2] {
        let action: Vec<String> = match &self.fault {
            // The probability with 6 decimals: iptables keeps it as a 32-bit fraction.
            HostFault::Loss { percent } => [
                "-m",
                "statistic",
                "--mode",
                "random",
                "--probability",
                &format!("{:.6}", percent / 100.0),
                "-m",
                "comment",
                "--comment",
                &self.comment(),
                "-j",
                "DROP",
            ]
            .map(str::to_owned)
            .to_vec(),
            HostFault::Delay { queue, .. } => [
                "-m",
                "comment",
                "--comment",
                &self.comment(),
                "-j",
                "NFQUEUE",
                "--queue-num",
                &queue.to_string(),
                "--queue-bypass",
            ]
            .map(str::to_owned)
            .to_vec(),
        };
        ["-s", "-d"].map(|direction| {
            let mut spec = vec![direction.to_owned(), self.ip.to_string()];
            spec.extend(action.iter().cloned());
            spec
        })
    }
}

/// A localtensor rule found in the firewall.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ListedRule {
    /// The devnet named in its comment.
    pub devnet: String,
    /// The orchestrator named in its comment, if it parses.
    pub owner: Option<ProcessId>,
    /// Its table and chain.
    chain: (&'static str, &'static str),
    /// Its specification as listed, to delete it with.
    spec: Vec<String>,
}

/// Why the host cannot change a container's traffic, if it cannot: it needs root, an
/// `iptables` that manages Docker's chains, and bridged traffic passing iptables.
pub(crate) async fn unavailable() -> Option<String> {
    unavailable_with(Path::new(BRIDGE_NF)).await
}

async fn unavailable_with(bridge_nf: &Path) -> Option<String> {
    match std::fs::read_to_string(bridge_nf) {
        Ok(v) if v.trim() == "1" => {}
        Ok(v) => {
            return Some(format!(
                "traffic between containers bypasses iptables ({} is {}; set it to 1)",
                bridge_nf.display(),
                v.trim()
            ));
        }
        Err(e) => {
            return Some(format!(
                "cannot read {} ({e}): is the br_netfilter module loaded?",
                bridge_nf.display()
            ));
        }
    }
    iptables(&["-t", LOSS_CHAIN.0, "-S", LOSS_CHAIN.1])
        .await
        .err()
}

/// Inserts both rules at the head of their chain. On failure none of them stays.
pub(crate) async fn insert(rules: &HostRules) -> Result<(), String> {
    let chain = rules.chain();
    let [send, receive] = rules.specs();
    run_spec("-I", chain, &send).await?;
    if let Err(e) = run_spec("-I", chain, &receive).await {
        let _ = run_spec("-D", chain, &send).await;
        return Err(e);
    }
    Ok(())
}

/// Deletes both rules; a rule already gone is not an error.
pub(crate) async fn remove(rules: &HostRules) -> Result<(), String> {
    let mut result = Ok(());
    for spec in rules.specs() {
        if let Err(e) = run_spec("-D", rules.chain(), &spec).await
            && !is_missing_rule(&e)
        {
            result = Err(e);
        }
    }
    result
}

/// Every localtensor rule in the firewall; none when iptables cannot be used.
pub(crate) async fn listed() -> Vec<ListedRule> {
    let mut rules = Vec::new();
    for chain in [LOSS_CHAIN, DELAY_CHAIN] {
        if let Ok(out) = iptables(&["-t", chain.0, "-S", chain.1]).await {
            rules.extend(out.lines().filter_map(|l| parse_listed(chain, l)));
        }
    }
    rules
}

/// Deletes a listed rule; a rule already gone is not an error.
pub(crate) async fn delete_listed(rule: &ListedRule) -> Result<(), String> {
    match run_spec("-D", rule.chain, &rule.spec).await {
        Err(e) if !is_missing_rule(&e) => Err(e),
        _ => Ok(()),
    }
}

async fn run_spec(op: &str, (table, chain): (&str, &str), spec: &[String]) -> Result<(), String> {
    let mut args: Vec<&str> = vec!["-t", table, op, chain];
    args.extend(spec.iter().map(String::as_str));
    iptables(&args).await.map(drop)
}

/// What iptables answers when the rule to delete is not there.
fn is_missing_rule(message: &str) -> bool {
    message.contains("does a matching rule exist") || message.contains("No chain/target/match")
}

/// Runs `iptables -w ARGS` (waiting for the xtables lock); its stdout, or why it failed.
async fn iptables(args: &[&str]) -> Result<String, String> {
    let output = tokio::process::Command::new("iptables")
        .arg("-w")
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .map_err(|e| format!("cannot run iptables: {e}"))?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
    }
    // iptables-nft warns about legacy tables on stderr; keep only the lines that say why.
    let stderr = String::from_utf8_lossy(&output.stderr);
    let reason: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.starts_with("# Warning"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    Err(format!(
        "iptables {} failed ({}): {}",
        args.join(" "),
        output.status,
        reason.join("; ")
    ))
}

/// Parses one line of `iptables -S` of `chain` if it is a localtensor rule.
fn parse_listed(chain: (&'static str, &'static str), line: &str) -> Option<ListedRule> {
    let words = split_words(line);
    let (append, rest) = words.split_first()?;
    let (name, spec) = rest.split_first()?;
    if append != "-A" || name != chain.1 {
        return None;
    }
    let at = spec.iter().position(|w| w == "--comment")?;
    let comment = spec.get(at + 1)?;
    let mut fields = comment.split_whitespace();
    if fields.next()? != TAG {
        return None;
    }
    let mut devnet = None;
    let mut owner = None;
    for field in fields {
        match field.split_once('=') {
            Some(("devnet", v)) => devnet = Some(v.to_owned()),
            Some(("owner", v)) => {
                owner = v.split_once('.').and_then(|(pid, start)| {
                    Some(ProcessId {
                        pid: pid.parse().ok()?,
                        start_time: start.parse().ok()?,
                    })
                });
            }
            _ => {}
        }
    }
    Some(ListedRule {
        devnet: devnet?,
        owner,
        chain,
        spec: spec.to_vec(),
    })
}

/// Splits a line as iptables writes it: words separated by spaces, a word with spaces in
/// double quotes (with `\"` and `\\` escaped).
fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            '\\' if quoted => {
                if let Some(next) = chars.next() {
                    word.push(next);
                }
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(fault: HostFault) -> HostRules {
        HostRules {
            devnet: "devnet-7-ab-0".to_owned(),
            component: "v-cut".to_owned(),
            owner: ProcessId {
                pid: 4242,
                start_time: 99,
            },
            ip: Ipv4Addr::new(10, 213, 4, 3),
            fault,
        }
    }

    const COMMENT: &str = "localtensor devnet=devnet-7-ab-0 component=v-cut owner=4242.99";

    #[test]
    fn one_rule_each_way_with_the_owner_in_the_comment() {
        let loss = rules(HostFault::Loss { percent: 30.0 });
        assert_eq!(loss.chain(), ("filter", "DOCKER-USER"));
        let [send, receive] = loss.specs();
        assert_eq!(&send[..2], ["-s", "10.213.4.3"]);
        assert_eq!(&receive[..2], ["-d", "10.213.4.3"]);
        for spec in [&send, &receive] {
            let p = spec.iter().position(|w| w == "--probability").unwrap();
            assert_eq!(spec[p + 1], "0.300000");
            let c = spec.iter().position(|w| w == "--comment").unwrap();
            assert_eq!(spec[c + 1], COMMENT);
            assert_eq!(spec[spec.len() - 2..], ["-j", "DROP"]);
        }
        let all = rules(HostFault::Loss { percent: 100.0 });
        assert!(all.specs()[0].contains(&"1.000000".to_owned()));

        let delay = rules(HostFault::Delay { ms: 50, queue: 7 });
        assert_eq!(delay.chain(), ("mangle", "FORWARD"));
        let [send, _] = delay.specs();
        assert_eq!(
            send[send.len() - 5..],
            ["-j", "NFQUEUE", "--queue-num", "7", "--queue-bypass"]
        );
    }

    /// The lines below have the shape `iptables -S` printed for the rules above (iptables
    /// 1.8.9, nft backend): the address gains `/32`, the probability is printed with 11
    /// decimals, the comment is quoted.
    #[test]
    fn listed_rules_are_recognised_by_their_comment() {
        let line = format!(
            "-A DOCKER-USER -s 10.213.4.3/32 -m statistic --mode random --probability \
             0.29999999981 -m comment --comment \"{COMMENT}\" -j DROP"
        );
        let rule = parse_listed(LOSS_CHAIN, &line).unwrap();
        assert_eq!(rule.devnet, "devnet-7-ab-0");
        assert_eq!(
            rule.owner,
            Some(rules(HostFault::Loss { percent: 1.0 }).owner)
        );
        assert_eq!(rule.spec.len(), 14);
        assert_eq!(rule.spec[0], "-s");
        assert_eq!(rule.spec[11], COMMENT);
        let queued = format!(
            "-A FORWARD -d 10.213.4.3/32 -m comment --comment \"{COMMENT}\" -j NFQUEUE \
             --queue-num 7 --queue-bypass"
        );
        let rule = parse_listed(DELAY_CHAIN, &queued).unwrap();
        assert_eq!(rule.chain, ("mangle", "FORWARD"));
        assert_eq!(rule.spec.last().map(String::as_str), Some("--queue-bypass"));
        let others = [
            "-N DOCKER-USER",
            "-A DOCKER-USER -j RETURN",
            "-A DOCKER-USER -s 10.0.0.1/32 -m comment --comment \"someone else\" -j DROP",
            "-A FORWARD -m comment --comment \"localtensor devnet=x owner=1.2\" -j DROP",
        ];
        for line in others {
            assert_eq!(parse_listed(LOSS_CHAIN, line), None, "{line}");
        }
        let unowned = "-A DOCKER-USER -d 10.0.0.1/32 -m comment --comment \
                       \"localtensor devnet=x owner=garbage\" -j DROP";
        assert_eq!(parse_listed(LOSS_CHAIN, unowned).unwrap().owner, None);
    }

    #[test]
    fn words_split_like_iptables_quotes_them() {
        assert_eq!(
            split_words(r#"-A X --comment "a \"b\" c"  -j DROP"#),
            ["-A", "X", "--comment", r#"a "b" c"#, "-j", "DROP"]
        );
        assert_eq!(split_words(r#"--comment """#), ["--comment", ""]);
    }

    #[tokio::test]
    async fn bridged_traffic_must_pass_iptables() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bridge-nf-call-iptables");
        std::fs::write(&file, "0\n").unwrap();
        let reason = unavailable_with(&file).await.unwrap();
        assert!(reason.contains("bypasses iptables"), "{reason}");
        let reason = unavailable_with(&dir.path().join("missing")).await.unwrap();
        assert!(reason.contains("br_netfilter"), "{reason}");
    }
}
