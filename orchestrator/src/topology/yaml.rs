//! A located YAML tree, read with serde-saphyr.
//!
//! Typed deserialization stops at the first error. To report every mistake at once, the file is
//! first read into this untyped tree (every node keeps its line and column), and the typed model is
//! then decoded from the tree by hand, collecting diagnostics as it goes.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{DuplicateKeyPolicy, Spanned};

use super::diagnostics::{Diagnostic, Loc};

/// A YAML node and where it starts.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub kind: Kind,
    pub loc: Loc,
}

/// The shape of a YAML node.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in source order; duplicates are kept so they can be reported.
    Map(Vec<(Node, Node)>),
}

impl Kind {
    /// How this kind is named in "expected X, found Y" messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Kind::Null => "nothing (null)",
            Kind::Bool(_) => "a boolean",
            Kind::Int(_) => "an integer",
            Kind::Float(_) => "a number with a fraction",
            Kind::Str(_) => "a string",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Kind>::deserialize(d)?;
        let at = spanned.referenced;
        Ok(Node {
            kind: spanned.value,
            loc: Loc::new(to_u32(at.line()), to_u32(at.column())),
        })
    }
}

fn to_u32(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KindVisitor)
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = Kind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Kind, E> {
        Ok(Kind::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Kind, E> {
        Ok(Kind::Int(i128::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Kind, E> {
        Ok(Kind::Int(i128::from(v)))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Kind, E> {
        Ok(Kind::Int(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Kind, E> {
        Ok(i128::try_from(v).map_or(Kind::Float(v as f64), Kind::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Kind, E> {
        Ok(Kind::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Kind, E> {
        Ok(Kind::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Kind, E> {
        Ok(Kind::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Kind, D::Error> {
        Kind::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Kind::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(Kind::Map(entries))
    }
}

/// Parses YAML text into a located tree, or one diagnostic for a syntax error.
pub(crate) fn parse(src: &str) -> Result<Node, Diagnostic> {
    // Duplicates pass through to the tree so the decoder can report them with the other errors.
    let options = serde_saphyr::options! { duplicate_keys: DuplicateKeyPolicy::PassThrough };
    serde_saphyr::from_str_with_options::<Node>(src, options).map_err(|e| {
        let loc = e
            .location()
            .map(|l| Loc::new(to_u32(l.line()), to_u32(l.column())))
            .unwrap_or_default();
        Diagnostic::new(loc, "", format!("invalid YAML: {}", first_line(&e)))
    })
}

/// serde-saphyr's message without its own snippet (we render our own).
fn first_line(e: &serde_saphyr::Error) -> String {
    let text = e.without_snippet().to_string();
    let line = text.lines().next().unwrap_or("").trim();
    // Drop a leading "line X column Y:" since the diagnostic carries the location.
    let trimmed = match line.find(": ") {
        Some(i) if line.starts_with("line ") => &line[i + 2..],
        _ => line,
    };
    // And a trailing " at line X, column Y" for the same reason.
    match trimmed.rfind(" at line ") {
        Some(i) if trimmed[i..].contains(", column ") => trimmed[..i].to_owned(),
        _ => trimmed.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_nodes_keep_their_locations() {
        let src = "a: 1\nb:\n  - x\n  - {c: true}\n";
        let root = parse(src).unwrap();
        let Kind::Map(entries) = &root.kind else {
            panic!("not a map")
        };
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].1.loc, Loc::new(1, 4));
        let Kind::Seq(items) = &entries[1].1.kind else {
            panic!("not a seq")
        };
        assert_eq!(items[0].loc, Loc::new(3, 5));
        let Kind::Map(inner) = &items[1].kind else {
            panic!("not a map")
        };
        assert_eq!(inner[0].0.loc, Loc::new(4, 6));
        assert!(matches!(inner[0].1.kind, Kind::Bool(true)));
    }

    #[test]
    fn duplicates_are_kept_and_quoted_numbers_stay_strings() {
        let root = parse("a: 1\na: '2'\n").unwrap();
        let Kind::Map(entries) = &root.kind else {
            panic!("not a map")
        };
        assert_eq!(entries.len(), 2);
        assert!(matches!(&entries[1].1.kind, Kind::Str(s) if s == "2"));
    }

    #[test]
    fn syntax_errors_have_a_location() {
        let d = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(d.loc.line >= 1, "{d:?}");
        assert!(d.message.starts_with("invalid YAML"), "{d:?}");
    }
}
