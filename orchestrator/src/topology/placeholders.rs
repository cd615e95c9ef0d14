//! Placeholders and environment variables injected into bring-your-own neuron commands.

use std::collections::BTreeMap;

/// Every placeholder: its name (`{name}` in commands and env values), the environment variable
/// that carries the same value, and what it holds.
pub const PLACEHOLDERS: &[(&str, &str, &str)] = &[
    (
        "chain_endpoint",
        "LOCALTENSOR_CHAIN_ENDPOINT",
        "WebSocket URL of the chain RPC (ws://127.0.0.1:PORT)",
    ),
    (
        "netuid",
        "LOCALTENSOR_NETUID",
        "netuid of the neuron's subnet",
    ),
    (
        "name",
        "LOCALTENSOR_NAME",
        "instance name, such as `my-miner-0`",
    ),
    ("role", "LOCALTENSOR_ROLE", "`validator` or `miner`"),
    ("hotkey", "LOCALTENSOR_HOTKEY", "hotkey SS58 address"),
    (
        "hotkey_uri",
        "LOCALTENSOR_HOTKEY_URI",
        "hotkey secret URI (sr25519)",
    ),
    ("coldkey", "LOCALTENSOR_COLDKEY", "coldkey SS58 address"),
    (
        "coldkey_uri",
        "LOCALTENSOR_COLDKEY_URI",
        "coldkey secret URI (sr25519)",
    ),
    (
        "wallet_path",
        "LOCALTENSOR_WALLET_PATH",
        "an empty directory reserved for the neuron's bittensor wallet (build it from the key URIs)",
    ),
    (
        "wallet_name",
        "LOCALTENSOR_WALLET_NAME",
        "wallet (coldkey) name inside `wallet_path`",
    ),
    (
        "hotkey_name",
        "LOCALTENSOR_HOTKEY_NAME",
        "hotkey name inside the wallet",
    ),
    (
        "axon_port",
        "LOCALTENSOR_AXON_PORT",
        "a free TCP port reserved for the neuron's axon",
    ),
    (
        "gpu_endpoints",
        "LOCALTENSOR_GPU_ENDPOINTS",
        "comma-separated URLs of the neuron's GPU mocks",
    ),
    (
        "run_dir",
        "LOCALTENSOR_RUN_DIR",
        "the devnet's run directory",
    ),
    (
        "seed",
        "LOCALTENSOR_SEED",
        "the neuron's seed, derived from the topology seed and its name",
    ),
];

/// Names of every placeholder.
pub fn names() -> impl Iterator<Item = &'static str> {
    PLACEHOLDERS.iter().map(|(n, _, _)| *n)
}

/// A problem in a template string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// `{name}` where `name` is not a placeholder; the byte offset of `{`.
    Unknown(String, usize),
    /// A `{` without its `}`; the byte offset of `{`.
    Unclosed(usize),
}

/// The placeholders used in `template` (`{{` and `}}` are literal braces).
pub fn scan(template: &str) -> Result<Vec<&str>, TemplateError> {
    let mut used = Vec::new();
    let mut rest = template;
    let mut offset = 0;
    while let Some(i) = rest.find(['{', '}']) {
        let after = &rest[i + 1..];
        if rest[i..].starts_with("{{") || rest[i..].starts_with("}}") {
            offset += i + 2;
            rest = &rest[i + 2..];
            continue;
        }
        if rest.as_bytes()[i] == b'}' {
            // A lone `}` is kept literally.
            offset += i + 1;
            rest = after;
            continue;
        }
        let Some(end) = after.find('}') else {
            return Err(TemplateError::Unclosed(offset + i));
        };
        let name = &after[..end];
        if !names().any(|n| n == name) {
            return Err(TemplateError::Unknown(name.to_owned(), offset + i));
        }
        used.push(name);
        offset += i + end + 2;
        rest = &after[end + 1..];
    }
    Ok(used)
}

/// Substitutes placeholders in `template` from `values` (missing values become empty strings).
pub fn render(template: &str, values: &BTreeMap<&str, String>) -> Result<String, TemplateError> {
    scan(template)?;
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
        } else if let Some(after) = tail.strip_prefix('}') {
            out.push('}');
            rest = after;
        } else {
            let end = tail.find('}').unwrap_or(tail.len() - 1);
            let name = &tail[1..end];
            out.push_str(values.get(name).map_or("", String::as_str));
            rest = &tail[end + 1..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_and_renders() {
        assert_eq!(
            scan("--chain {chain_endpoint} --k {hotkey}").unwrap(),
            ["chain_endpoint", "hotkey"]
        );
        assert_eq!(scan("{{literal}}").unwrap(), Vec::<&str>::new());
        assert_eq!(
            scan("x {hotky}"),
            Err(TemplateError::Unknown("hotky".into(), 2))
        );
        assert_eq!(scan("x {netuid"), Err(TemplateError::Unclosed(2)));
        let mut v = BTreeMap::new();
        v.insert("netuid", "3".to_owned());
        assert_eq!(render("n={netuid} {{x}}", &v).unwrap(), "n=3 {x}");
    }
}
