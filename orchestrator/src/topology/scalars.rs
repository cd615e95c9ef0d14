//! Decoders for scalar types specific to topologies: names and TAO amounts.

use super::decode::{Cx, Fields, FromNode, scalar_width};
use super::diagnostics::Diagnostic;
use super::model::{At, RAO_PER_TAO, Tao};
use super::yaml::{Kind, Node};

/// Longest name (a DNS label, so names work as container and host names).
pub const MAX_NAME_LEN: usize = 63;

/// A component name: lowercase letters, digits and `-`, starting and ending with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Name(pub String);

/// Why `s` is not a valid name, if it is not.
pub(crate) fn name_problem(s: &str) -> Option<&'static str> {
    if s.is_empty() {
        return Some("a name cannot be empty");
    }
    if s.len() > MAX_NAME_LEN {
        return Some("a name has at most 63 characters");
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Some("a name uses only lowercase letters, digits and `-`");
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Some("a name starts and ends with a letter or digit");
    }
    None
}

impl FromNode for Name {
    fn from_node(node: &Node, path: &str, cx: &mut Cx) -> Option<Self> {
        let s = String::from_node(node, path, cx)?;
        if let Some(problem) = name_problem(&s) {
            cx.report(
                Diagnostic::new(node.loc, path, format!("invalid name `{s}`"))
                    .with_help(format!("{problem} (for example `miner-fast`)"))
                    .with_width(scalar_width(node)),
            );
            return None;
        }
        Some(Name(s))
    }
}

/// Decodes a name field into `At<String>`.
pub(crate) fn name_at(node: &Node, path: &str, cx: &mut Cx) -> Option<At<String>> {
    At::<Name>::from_node(node, path, cx).map(|a| At {
        value: a.value.0,
        loc: a.loc,
        width: a.width,
    })
}

/// Decodes the required `name` field of a mapping (an empty name when missing or invalid; that
/// was reported, and later checks skip empty names).
pub(crate) fn required_name(cx: &mut Cx, f: &Fields<'_>, what: &str) -> At<String> {
    let name = match f.node("name") {
        Some(n) => name_at(n, &f.path_of("name"), cx),
        None => {
            f.missing(cx, "name", what);
            None
        }
    };
    name.unwrap_or_else(|| At::new(String::new(), f.loc))
}

/// Parses a decimal amount of TAO (`"1.5"`) exactly into rao.
pub(crate) fn parse_tao(text: &str) -> Result<Tao, &'static str> {
    let text = text.trim();
    let (number, unit_rao) = if let Some(n) = text.strip_suffix("rao") {
        (n.trim(), true)
    } else if let Some(n) = text
        .strip_suffix("TAO")
        .or_else(|| text.strip_suffix("tao"))
    {
        (n.trim(), false)
    } else {
        (text, false)
    };
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !(frac.is_empty() || digits(frac)) {
        return Err("expected an amount such as `1000`, `0.5`, `\"2.5 TAO\"` or `\"500 rao\"`");
    }
    if unit_rao {
        if !frac.is_empty() {
            return Err("rao amounts are whole numbers");
        }
        return whole
            .parse::<u64>()
            .map(|rao| Tao { rao })
            .map_err(|_| "amount too large");
    }
    if frac.len() > 9 {
        return Err("TAO has at most 9 decimal places");
    }
    let whole: u64 = whole.parse().map_err(|_| "amount too large")?;
    let frac_rao: u64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}")
            .parse()
            .map_err(|_| "invalid fraction")?
    };
    whole
        .checked_mul(RAO_PER_TAO)
        .and_then(|r| r.checked_add(frac_rao))
        .map(|rao| Tao { rao })
        .ok_or("amount too large")
}

impl FromNode for Tao {
    fn from_node(node: &Node, path: &str, cx: &mut Cx) -> Option<Self> {
        // Floats go through their shortest decimal form, so `0.0005` is exactly 500000 rao.
        let text = match &node.kind {
            Kind::Int(i) if *i >= 0 => i.to_string(),
            Kind::Float(f) if f.is_finite() && *f >= 0.0 => format!("{f}"),
            Kind::Str(s) => s.clone(),
            Kind::Int(_) | Kind::Float(_) => {
                cx.report(
                    Diagnostic::new(node.loc, path, "an amount cannot be negative")
                        .with_help("amounts are in TAO, 0 or more")
                        .with_width(scalar_width(node)),
                );
                return None;
            }
            _ => {
                cx.wrong_type(node, path, "an amount of TAO");
                return None;
            }
        };
        match parse_tao(&text) {
            Ok(t) => Some(t),
            Err(why) => {
                cx.report(
                    Diagnostic::new(node.loc, path, format!("invalid amount `{text}`"))
                        .with_help(why)
                        .with_width(scalar_width(node)),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tao_amounts_are_exact() {
        assert_eq!(parse_tao("1000").unwrap().rao, 1_000_000_000_000);
        assert_eq!(parse_tao("0.0005").unwrap().rao, 500_000);
        assert_eq!(parse_tao("2.5 TAO").unwrap().rao, 2_500_000_000);
        assert_eq!(parse_tao("500 rao").unwrap().rao, 500);
        assert!(parse_tao("1.0000000001").is_err());
        assert!(parse_tao("-1").is_err());
        assert!(parse_tao("99999999999999999999").is_err());
        assert!(parse_tao("abc").is_err());
    }

    #[test]
    fn names_are_dns_labels() {
        assert_eq!(name_problem("miner-fast-0"), None);
        assert!(name_problem("Miner").is_some());
        assert!(name_problem("-m").is_some());
        assert!(name_problem("").is_some());
        assert!(name_problem(&"a".repeat(64)).is_some());
    }
}
