//! Command-line flags shared by both neurons (every flag also reads `LOCALTENSOR_<FLAG>`).

use std::net::SocketAddr;
use std::str::FromStr;

use clap::{Args, ValueEnum};
use localtensor_client::{AccountId, keypair_from_uri};

/// Log format on stderr.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Flags common to the miner and the validator.
#[derive(Clone, Debug, Args)]
pub struct CommonArgs {
    /// WebSocket URL of the chain, e.g. ws://127.0.0.1:9944.
    #[arg(long, env = "LOCALTENSOR_CHAIN_ENDPOINT")]
    pub chain_endpoint: String,
    /// Subnet the neuron works on.
    #[arg(long, env = "LOCALTENSOR_NETUID")]
    pub netuid: u16,
    /// Secret derivation URI of the hotkey, e.g. //localtensor//42//sn1//m-0//hot.
    #[arg(long, env = "LOCALTENSOR_HOTKEY_URI", hide_env_values = true, value_parser = parse_secret_uri)]
    pub hotkey_uri: String,
    /// Instance name, for logs and the ready line (default: the role).
    #[arg(long, env = "LOCALTENSOR_NAME")]
    pub name: Option<String>,
    /// Topology seed: every challenge, sample and seeded behaviour derives from it.
    #[arg(long, env = "LOCALTENSOR_SEED", default_value_t = 0)]
    pub seed: u64,
    /// HTTP address to listen on (port 0 picks a free port; the ready line reports it).
    #[arg(long, env = "LOCALTENSOR_LISTEN", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Log format on stderr (RUST_LOG filters).
    #[arg(long, env = "LOCALTENSOR_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Lock-step mode (manual sealing): finish each finalized block's work, then report it done
    /// on /v1/status; the orchestrator seals the next block only then.
    #[arg(long, env = "LOCALTENSOR_LOCKSTEP", value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::SetTrue)]
    pub lockstep: bool,
}

/// Accepts a secret URI the chain's key derivation understands (the value is kept as text).
pub fn parse_secret_uri(text: &str) -> Result<String, String> {
    keypair_from_uri(text)
        .map(|_| text.to_string())
        .map_err(|_| {
            "not a valid secret URI (e.g. //Alice, //seed//path, a mnemonic or a 0x-hex seed)"
                .to_string()
        })
}

/// Parses an SS58 address.
pub fn parse_ss58(text: &str) -> Result<AccountId, String> {
    AccountId::from_str(text.trim()).map_err(|_| format!("{text:?} is not an SS58 address"))
}

/// Parses a decimal ratio in `[0, 1]` into parts per million (`0.25` → 250000).
pub fn parse_rate_ppm(text: &str) -> Result<u32, String> {
    let ppm = parse_decimal_ppm(text)?;
    if ppm > 1_000_000 {
        return Err(format!("{text} is not between 0 and 1"));
    }
    u32::try_from(ppm).map_err(|_| format!("{text} is not between 0 and 1"))
}

/// Parses a decimal factor strictly above 1 into parts per million (`2.5` → 2500000).
pub fn parse_slowdown_ppm(text: &str) -> Result<u64, String> {
    let ppm = parse_decimal_ppm(text)?;
    if ppm <= 1_000_000 {
        return Err(format!("{text} must be greater than 1"));
    }
    if ppm > 1_000_000_000_000 {
        return Err(format!("{text} is too large (at most 1000000)"));
    }
    Ok(ppm)
}

/// A non-negative decimal with at most 6 fractional digits, exactly, in millionths.
pub fn parse_decimal_ppm(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let err = || format!("{text:?} is not a decimal number with at most 6 decimals");
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if (int.is_empty() && frac.is_empty())
        || frac.len() > 6
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(err());
    }
    let int: u64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| err())?
    };
    let mut frac_value: u64 = 0;
    for (i, b) in frac.bytes().enumerate() {
        frac_value += u64::from(b - b'0') * 10u64.pow(5 - i as u32);
    }
    int.checked_mul(1_000_000)
        .and_then(|v| v.checked_add(frac_value))
        .ok_or_else(err)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn decimals_parse_exactly() {
        assert_eq!(parse_decimal_ppm("0.25"), Ok(250_000));
        assert_eq!(parse_decimal_ppm("2"), Ok(2_000_000));
        assert_eq!(parse_decimal_ppm(".5"), Ok(500_000));
        assert_eq!(parse_decimal_ppm("1.000001"), Ok(1_000_001));
        assert!(parse_decimal_ppm("1.0000001").is_err());
        assert!(parse_decimal_ppm("-1").is_err());
        assert!(parse_decimal_ppm("abc").is_err());
        assert!(parse_decimal_ppm(".").is_err());
        assert_eq!(parse_rate_ppm("1"), Ok(1_000_000));
        assert!(parse_rate_ppm("1.1").is_err());
        assert_eq!(parse_slowdown_ppm("1.5"), Ok(1_500_000));
        assert!(parse_slowdown_ppm("1").is_err());
        assert!(parse_slowdown_ppm("0.5").is_err());
    }

    #[test]
    fn uris_and_addresses() {
        assert!(parse_secret_uri("//Alice//hot").is_ok());
        assert!(parse_secret_uri("not a uri //").is_err());
        assert!(parse_ss58("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY").is_ok());
        assert!(parse_ss58("5Grwva").is_err());
    }
}
