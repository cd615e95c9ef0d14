//! Packet loss on a component's links, made on the host: our images hold no `tc`, and the
//! kernel may lack `sch_netem`, but traffic between containers on one bridge crosses the host's
//! `FORWARD` chain (with `net.bridge.bridge-nf-call-iptables=1`, which Docker sets), where
//! Docker leaves the `DOCKER-USER` chain for rules like ours.
//!
//! A lossy component gets two rules there, one for what it sends and one for what it
//! receives, each dropping packets at random with the `statistic` match. Each rule carries a
//! comment naming the devnet, the component and the orchestrator (pid and start time), so the
//! sweep can remove the rules of an orchestrator that died. Only traffic between containers
//! crosses `FORWARD`: the orchestrator's own calls from the host to a container do not.

use crate::runtime::manifest::ProcessId;
use std::net::Ipv4Addr;
use std::path::Path;

/// Docker's chain for user rules, consulted first in `FORWARD`.
const CHAIN: &str = "DOCKER-USER";

/// The first word of every comment localtensor writes.
const TAG: &str = "localtensor";

/// Whether bridged traffic passes iptables at all.
const BRIDGE_NF: &str = "/proc/sys/net/bridge/bridge-nf-call-iptables";

/// The pair of rules that make one component lossy.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LossRules {
    /// The devnet id.
    pub devnet: String,
    /// The component.
    pub component: String,
    /// The orchestrator that made them.
    pub owner: ProcessId,
    /// The component's address on the devnet network.
    pub ip: Ipv4Addr,
    /// The share of packets dropped each way, in percent.
    pub percent: f64,
    /// The `statistic` match's probability, as given to iptables.
    pub probability: String,
}

impl LossRules {
    /// The rules dropping `percent` % (0 < percent <= 100) of a component's packets each way.
    pub fn new(
        devnet: &str,
        component: &str,
        owner: ProcessId,
        ip: Ipv4Addr,
        percent: f64,
    ) -> Self {
        Self {
            devnet: devnet.to_owned(),
            component: component.to_owned(),
            owner,
            ip,
            percent,
            probability: format!("{:.6}", percent / 100.0),
        }
    }

    fn comment(&self) -> String {
        format!(
            "{TAG} devnet={} component={} owner={}.{}",
            self.devnet, self.component, self.owner.pid, self.owner.start_time
        )
    }

    /// The two rule specifications (what follows `-I CHAIN` or `-D CHAIN`).
    fn specs(&self) -> [Vec<String>; 2] {
        ["-s", "-d"].map(|direction| {
            [
                direction,
                &self.ip.to_string(),
                "-m",
                "statistic",
                "--mode",
                "random",
                "--probability",
                &self.probability,
                "-m",
                "comment",
                "--comment",
                &self.comment(),
                "-j",
                "DROP",
            ]
            .map(str::to_owned)
            .to_vec()
        })
    }
}

/// A localtensor rule found in the chain.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ListedRule {
    /// The devnet named in its comment.
    pub devnet: String,
    /// The orchestrator named in its comment, if it parses.
    pub owner: Option<ProcessId>,
    /// Its specification as listed, to delete it with.
    spec: Vec<String>,
}

/// Why the host cannot drop a container's packets, if it cannot: it needs root, an `iptables`
/// that manages Docker's chains, and bridged traffic passing iptables.
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
    iptables(&["-S", CHAIN]).await.err()
}

/// Inserts both rules at the head of the chain. On failure none of them stays.
pub(crate) async fn insert(rules: &LossRules) -> Result<(), String> {
    let [send, receive] = rules.specs();
    run_spec("-I", &send).await?;
    if let Err(e) = run_spec("-I", &receive).await {
        let _ = run_spec("-D", &send).await;
        return Err(e);
    }
    Ok(())
}

/// Deletes both rules; a rule already gone is not an error.
pub(crate) async fn remove(rules: &LossRules) -> Result<(), String> {
    let mut result = Ok(());
    for spec in rules.specs() {
        if let Err(e) = run_spec("-D", &spec).await
            && !is_missing_rule(&e)
        {
            result = Err(e);
        }
    }
    result
}

/// Every localtensor rule in the chain; none when iptables cannot be used.
pub(crate) async fn listed() -> Vec<ListedRule> {
    match iptables(&["-S", CHAIN]).await {
        Ok(out) => out.lines().filter_map(parse_listed).collect(),
        Err(_) => Vec::new(),
    }
}

/// Deletes a listed rule; a rule already gone is not an error.
pub(crate) async fn delete_listed(rule: &ListedRule) -> Result<(), String> {
    match run_spec("-D", &rule.spec).await {
        Err(e) if !is_missing_rule(&e) => Err(e),
        _ => Ok(()),
    }
}

async fn run_spec(op: &str, spec: &[String]) -> Result<String, String> {
    let mut args: Vec<&str> = vec![op, CHAIN];
    args.extend(spec.iter().map(String::as_str));
    iptables(&args).await
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

/// Parses one line of `iptables -S` if it is a localtensor rule.
fn parse_listed(line: &str) -> Option<ListedRule> {
    let words = split_words(line);
    let (append, rest) = words.split_first()?;
    let (chain, spec) = rest.split_first()?;
    if append != "-A" || chain != CHAIN {
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

    fn rules() -> LossRules {
        LossRules::new(
            "devnet-7-ab-0",
            "v-cut",
            ProcessId {
                pid: 4242,
                start_time: 99,
            },
            Ipv4Addr::new(10, 213, 4, 3),
            30.0,
        )
    }

    #[test]
    fn one_rule_each_way_with_the_owner_in_the_comment() {
        let [send, receive] = rules().specs();
        assert_eq!(&send[..2], ["-s", "10.213.4.3"]);
        assert_eq!(&receive[..2], ["-d", "10.213.4.3"]);
        for spec in [&send, &receive] {
            let p = spec.iter().position(|w| w == "--probability").unwrap();
            assert_eq!(spec[p + 1], "0.300000");
            let c = spec.iter().position(|w| w == "--comment").unwrap();
            assert_eq!(
                spec[c + 1],
                "localtensor devnet=devnet-7-ab-0 component=v-cut owner=4242.99"
            );
            assert_eq!(spec[spec.len() - 2..], ["-j", "DROP"]);
        }
        let all = LossRules::new("d", "c", rules().owner, rules().ip, 100.0);
        assert_eq!(all.probability, "1.000000");
    }

    /// The line below is the shape `iptables -S DOCKER-USER` printed for the rules of
    /// [`rules`] (iptables 1.8.9, nft backend): the address gains `/32`, the probability is
    /// printed with 11 decimals, the comment is quoted.
    #[test]
    fn listed_rules_are_recognised_by_their_comment() {
        let line = "-A DOCKER-USER -s 10.213.4.3/32 -m statistic --mode random --probability \
                    0.29999999981 -m comment --comment \"localtensor devnet=devnet-7-ab-0 \
                    component=v-cut owner=4242.99\" -j DROP";
        let rule = parse_listed(line).unwrap();
        assert_eq!(rule.devnet, "devnet-7-ab-0");
        assert_eq!(rule.owner, Some(rules().owner));
        assert_eq!(rule.spec.len(), 14);
        assert_eq!(rule.spec[0], "-s");
        assert_eq!(
            rule.spec[11],
            "localtensor devnet=devnet-7-ab-0 component=v-cut owner=4242.99"
        );
        let others = [
            "-N DOCKER-USER",
            "-A DOCKER-USER -j RETURN",
            "-A DOCKER-USER -s 10.0.0.1/32 -m comment --comment \"someone else\" -j DROP",
            "-A FORWARD -m comment --comment \"localtensor devnet=x owner=1.2\" -j DROP",
        ];
        for line in others {
            assert_eq!(parse_listed(line), None, "{line}");
        }
        let unowned = "-A DOCKER-USER -d 10.0.0.1/32 -m comment --comment \
                       \"localtensor devnet=x owner=garbage\" -j DROP";
        assert_eq!(parse_listed(unowned).unwrap().owner, None);
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
