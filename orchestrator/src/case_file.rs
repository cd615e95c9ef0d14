//! Epoch case documents (YAML or JSON) as users write them, read with errors that name the
//! file, the position and the field.
//!
//! A document is either a bare case (`block`, `tempo`, `neurons`, ...) or the vector form
//! `{name, case, expected}` used by `shared/vectors/epoch-cases.jsonl`.

use localtensor_consensus::{CaseError, EpochCase, EpochResult};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::fmt;

/// A parsed case document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseDocument {
    /// Optional name (vector form only).
    pub name: Option<String>,
    /// The subnet state to run.
    pub case: EpochCase,
    /// The expected outputs, when the document carries them.
    pub expected: Option<EpochResult>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Wrapped {
    #[serde(default)]
    name: Option<String>,
    case: EpochCase,
    #[serde(default)]
    expected: Option<EpochResult>,
}

/// Why a case document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseFileError {
    /// The text is not a well-formed case: syntax, unknown field, wrong type or range.
    #[error("{source_name}{location}: {path}{message}")]
    Parse {
        /// File name (or `<stdin>`).
        source_name: String,
        /// `:line:column`, when known.
        location: String,
        /// `field.path: `, when known.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Well-formed, but it cannot describe a subnet.
    #[error("{source_name}: {source}")]
    Invalid {
        /// File name.
        source_name: String,
        /// The problem.
        source: CaseError,
    },
}

/// Which syntax a document uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// JSON (also accepted by the YAML reader, but JSON errors are clearer from serde_json).
    Json,
    /// YAML.
    Yaml,
}

impl Syntax {
    /// JSON when the first non-blank character opens an object, else YAML.
    pub fn sniff(text: &str) -> Self {
        match text.trim_start().chars().next() {
            Some('{') => Self::Json,
            _ => Self::Yaml,
        }
    }
}

impl fmt::Display for Syntax {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Json => "JSON",
            Self::Yaml => "YAML",
        })
    }
}

/// Parses and validates a case document; `source_name` labels errors.
pub fn parse(text: &str, source_name: &str) -> Result<CaseDocument, CaseFileError> {
    let syntax = Syntax::sniff(text);
    let wrapped = match syntax {
        Syntax::Json => serde_json::from_str::<serde_json::Value>(text)
            .map(|v| v.get("case").is_some())
            .unwrap_or(false),
        // A vector-form YAML document has `case:` as a top-level key.
        Syntax::Yaml => text.lines().any(|l| l.starts_with("case:")),
    };
    let doc = if wrapped {
        let w: Wrapped = deserialize(text, syntax, source_name)?;
        CaseDocument {
            name: w.name,
            case: w.case,
            expected: w.expected,
        }
    } else {
        CaseDocument {
            name: None,
            case: deserialize(text, syntax, source_name)?,
            expected: None,
        }
    };
    doc.case
        .validate()
        .map_err(|source| CaseFileError::Invalid {
            source_name: source_name.to_owned(),
            source,
        })?;
    Ok(doc)
}

fn path_prefix(path: &serde_path_to_error::Path) -> String {
    let p = path.to_string();
    if p.is_empty() || p == "." {
        String::new()
    } else {
        format!("{p}: ")
    }
}

fn deserialize<T: DeserializeOwned>(
    text: &str,
    syntax: Syntax,
    source_name: &str,
) -> Result<T, CaseFileError> {
    let parse_error = |location: String, path: String, message: String| CaseFileError::Parse {
        source_name: source_name.to_owned(),
        location,
        path,
        message,
    };
    match syntax {
        Syntax::Json => {
            let mut de = serde_json::Deserializer::from_str(text);
            let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                let inner = e.inner();
                parse_error(
                    format!(":{}:{}", inner.line(), inner.column()),
                    path_prefix(e.path()),
                    strip_json_position(&inner.to_string()),
                )
            })?;
            de.end().map_err(|e| {
                parse_error(
                    format!(":{}:{}", e.line(), e.column()),
                    String::new(),
                    strip_json_position(&e.to_string()),
                )
            })?;
            Ok(value)
        }
        Syntax::Yaml => {
            let yaml_error = |e: &serde_saphyr::Error, path: String| {
                let location = e
                    .location()
                    .map(|l| format!(":{}:{}", l.line(), l.column()))
                    .unwrap_or_default();
                parse_error(location, path, yaml_message(e))
            };
            // The closure hands back the deserializer's own error (so serde-saphyr stops there
            // and locates it) and keeps the field path on the side.
            let mut path = String::new();
            serde_saphyr::with_deserializer_from_str(text, |de| {
                serde_path_to_error::deserialize::<_, T>(de).map_err(|e| {
                    path = path_prefix(e.path());
                    e.into_inner()
                })
            })
            .map_err(|e| yaml_error(&e, path))
        }
    }
}

/// serde_json appends " at line L column C"; the location is reported separately.
fn strip_json_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// The first line of a serde-saphyr message, without its own location prefix.
fn yaml_message(e: &serde_saphyr::Error) -> String {
    let full = e.to_string();
    let first = full.lines().next().unwrap_or_default();
    match first.strip_prefix("error: ") {
        Some(rest) => rest.to_owned(),
        None => first.to_owned(),
    }
    .split_once(": ")
    .filter(|(head, _)| head.starts_with("line "))
    .map(|(_, tail)| tail.to_owned())
    .unwrap_or_else(|| first.trim_start_matches("error: ").to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASE: &str = "block: 10\ntempo: 5\nemission: 100\nneurons:\n  - {stake: 1, registered_at: 0, last_update: 1}\n";

    #[test]
    fn reads_a_bare_yaml_case_with_defaults() {
        let doc = parse(CASE, "c.yaml").unwrap();
        assert_eq!(doc.case.neurons.len(), 1);
        assert_eq!(doc.case.params.kappa, 32767);
        assert!(doc.expected.is_none());
    }

    #[test]
    fn yaml_type_errors_name_the_field_and_line() {
        let text = CASE.replace("tempo: 5", "tempo: -5");
        let err = parse(&text, "c.yaml").unwrap_err().to_string();
        assert!(err.starts_with("c.yaml:2:"), "{err}");
        assert!(err.contains("tempo: "), "{err}");
        let text = CASE.replace("last_update: 1}", "last_update: 1, weights: [[1, 70000]]}");
        let err = parse(&text, "c.yaml").unwrap_err().to_string();
        assert!(err.contains("c.yaml:5:"), "{err}");
        assert!(err.contains("neurons[0].weights[0][1]: "), "{err}");
    }

    #[test]
    fn unknown_fields_are_named() {
        let text = CASE.replace("emission: 100", "emission: 100\nkapa: 3");
        let err = parse(&text, "c.yaml").unwrap_err().to_string();
        assert!(err.contains("kapa"), "{err}");
    }

    #[test]
    fn json_errors_carry_the_field_path() {
        let text = r#"{"block": 1, "tempo": 1, "emission": 1, "neurons": [{"stake": "x", "registered_at": 0, "last_update": 0}]}"#;
        let err = parse(text, "c.json").unwrap_err().to_string();
        assert!(err.starts_with("c.json:1:"), "{err}");
        assert!(err.contains("neurons[0].stake: invalid type"), "{err}");
    }

    #[test]
    fn semantic_errors_are_reported() {
        let text = CASE.replace("emission: 100", "emission: 100\nowner_uid: 4");
        let err = parse(&text, "c.yaml").unwrap_err();
        assert!(matches!(err, CaseFileError::Invalid { .. }), "{err}");
        assert!(err.to_string().contains("owner_uid: 4"), "{err}");
    }

    #[test]
    fn vector_form_keeps_the_expected_outputs() {
        let text = r#"{"name": "x", "case": {"block": 1, "tempo": 1, "emission": 1, "neurons": []}, "expected": {"neurons": []}}"#;
        let doc = parse(text, "v.json").unwrap();
        assert_eq!(doc.name.as_deref(), Some("x"));
        assert_eq!(doc.expected, Some(EpochResult { neurons: vec![] }));
    }
}
