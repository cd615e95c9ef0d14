//! The small expression language of expectations: `incentive(m-fast) > incentive(m-slow)`.
//!
//! Grammar: `operand op operand`, where an operand is a number or `metric(name)` and `op` is one
//! of `>`, `>=`, `<`, `<=`, `==`, `!=`.

use super::model::{Comparison, Metric, Operand};

/// Metric names, as written.
pub const METRICS: &[&str] = &[
    "incentive",
    "dividends",
    "emission",
    "consensus",
    "trust",
    "validator_trust",
    "rank",
    "stake",
];

/// A parse error: message, help and the character offset it refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// What is wrong.
    pub message: String,
    /// What would be valid.
    pub help: String,
    /// Character offset in the expression.
    pub offset: usize,
}

fn metric(name: &str) -> Option<Metric> {
    Some(match name {
        "incentive" => Metric::Incentive,
        "dividends" => Metric::Dividends,
        "emission" => Metric::Emission,
        "consensus" => Metric::Consensus,
        "trust" => Metric::Trust,
        "validator_trust" => Metric::ValidatorTrust,
        "rank" => Metric::Rank,
        "stake" => Metric::Stake,
        _ => return None,
    })
}

/// An operand whose subject is a plain name with its character offset (locations are added later).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawOperand {
    Number(f64),
    Metric {
        metric: Metric,
        name: String,
        offset: usize,
    },
}

struct Lexer<'a> {
    chars: Vec<(usize, char)>,
    pos: usize,
    text: &'a str,
}

impl Lexer<'_> {
    fn skip_ws(&mut self) {
        while self
            .chars
            .get(self.pos)
            .is_some_and(|(_, c)| c.is_whitespace())
        {
            self.pos += 1;
        }
    }
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).map(|(_, c)| *c)
    }
    fn take_while(&mut self, f: impl Fn(char) -> bool) -> String {
        let mut s = String::new();
        while let Some(c) = self.peek().filter(|c| f(*c)) {
            s.push(c);
            self.pos += 1;
        }
        s
    }
    fn err(&self, offset: usize, message: impl Into<String>, help: impl Into<String>) -> ExprError {
        ExprError {
            message: message.into(),
            help: help.into(),
            offset,
        }
    }

    fn operand(&mut self) -> Result<RawOperand, ExprError> {
        self.skip_ws();
        let start = self.pos;
        match self.peek() {
            Some(c) if c.is_ascii_digit() || c == '-' || c == '.' => {
                let s = self
                    .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | 'e' | 'E' | '_'));
                s.replace('_', "")
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .map(RawOperand::Number)
                    .ok_or_else(|| {
                        self.err(
                            start,
                            format!("invalid number `{s}`"),
                            "write a number such as `0` or `0.25`",
                        )
                    })
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let word = self.take_while(|c| c.is_ascii_alphanumeric() || c == '_');
                let Some(m) = metric(&word) else {
                    let mut help = format!("metrics: {}", METRICS.join(", "));
                    if let Some(dym) = super::suggest::did_you_mean(&word, METRICS.iter().copied())
                    {
                        help = format!("{dym} {help}");
                    }
                    return Err(self.err(start, format!("unknown metric `{word}`"), help));
                };
                self.skip_ws();
                if self.peek() != Some('(') {
                    return Err(self.err(
                        self.pos,
                        format!("expected `(` after `{word}`"),
                        format!("write `{word}(name)`"),
                    ));
                }
                self.pos += 1;
                self.skip_ws();
                let name_at = self.pos;
                let name = self.take_while(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if name.is_empty() {
                    return Err(self.err(
                        name_at,
                        "expected a neuron or subnet name",
                        format!("write `{word}(name)`"),
                    ));
                }
                self.skip_ws();
                if self.peek() != Some(')') {
                    return Err(self.err(
                        self.pos,
                        "expected `)`",
                        format!("write `{word}({name})`"),
                    ));
                }
                self.pos += 1;
                Ok(RawOperand::Metric {
                    metric: m,
                    name,
                    offset: name_at,
                })
            }
            _ => Err(self.err(
                start,
                "expected a metric or a number",
                format!(
                    "for example `incentive(m-fast) > 0`; metrics: {}",
                    METRICS.join(", ")
                ),
            )),
        }
    }

    fn comparison(&mut self) -> Result<Comparison, ExprError> {
        self.skip_ws();
        let start = self.pos;
        let op = self.take_while(|c| matches!(c, '<' | '>' | '=' | '!'));
        Ok(match op.as_str() {
            ">" => Comparison::Gt,
            ">=" => Comparison::Ge,
            "<" => Comparison::Lt,
            "<=" => Comparison::Le,
            "==" => Comparison::Eq,
            "!=" => Comparison::Ne,
            _ => {
                let found = if op.is_empty() {
                    self.text.chars().skip(start).take(8).collect()
                } else {
                    op
                };
                return Err(self.err(
                    start,
                    format!("expected a comparison, found `{found}`"),
                    "comparisons: >, >=, <, <=, ==, !=",
                ));
            }
        })
    }
}

/// Parses `operand op operand`.
pub(crate) fn parse(text: &str) -> Result<(RawOperand, Comparison, RawOperand), ExprError> {
    let mut lx = Lexer {
        chars: text.char_indices().collect(),
        pos: 0,
        text,
    };
    let lhs = lx.operand()?;
    let op = lx.comparison()?;
    let rhs = lx.operand()?;
    lx.skip_ws();
    if lx.pos < lx.chars.len() {
        return Err(lx.err(
            lx.pos,
            "unexpected text after the expectation",
            "one comparison per expectation; add another list item",
        ));
    }
    if matches!((&lhs, &rhs), (RawOperand::Number(_), RawOperand::Number(_))) {
        return Err(lx.err(
            0,
            "an expectation compares two numbers",
            "compare a metric, e.g. `emission(sn1) > 0`",
        ));
    }
    Ok((lhs, op, rhs))
}

/// Converts a raw operand, locating its subject with `locate(offset)`.
pub(crate) fn to_operand(
    raw: RawOperand,
    locate: impl Fn(usize, usize) -> super::model::At<String>,
) -> Operand {
    match raw {
        RawOperand::Number(n) => Operand::Number(n),
        RawOperand::Metric {
            metric,
            name,
            offset,
        } => Operand::Metric {
            metric,
            subject: {
                let mut at = locate(offset, name.chars().count());
                at.value = name;
                at
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_comparisons() {
        let (l, op, r) = parse("incentive(m-fast) > incentive( m-slow )").unwrap();
        assert_eq!(op, Comparison::Gt);
        assert!(
            matches!(l, RawOperand::Metric { metric: Metric::Incentive, ref name, offset: 10 } if name == "m-fast")
        );
        assert!(matches!(r, RawOperand::Metric { ref name, .. } if name == "m-slow"));
        let (_, op, r) = parse("emission(sn1)>=0.5").unwrap();
        assert_eq!(op, Comparison::Ge);
        assert_eq!(r, RawOperand::Number(0.5));
    }

    #[test]
    fn reports_where_it_fails() {
        assert_eq!(parse("incentiv(m) > 0").unwrap_err().offset, 0);
        assert!(
            parse("incentiv(m) > 0")
                .unwrap_err()
                .help
                .contains("did you mean `incentive`")
        );
        assert_eq!(parse("incentive(m) => 0").unwrap_err().offset, 13);
        assert_eq!(parse("incentive(m) > 0 extra").unwrap_err().offset, 17);
        assert!(parse("1 > 0").is_err());
        assert!(parse("incentive() > 0").is_err());
    }
}
