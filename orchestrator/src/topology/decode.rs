//! Decoding the located YAML tree into typed values while collecting every error.
//!
//! Each decoder reports what it finds wrong into [`Cx`] and returns `None`, so decoding carries on
//! with the rest of the file. Paths of fields that failed are remembered, so later cross-field
//! checks can skip them instead of reporting a confusing follow-up error.

use std::collections::BTreeSet;
use std::fmt::Display;

use super::diagnostics::{Diagnostic, Loc};
use super::model::At;
use super::suggest::did_you_mean;
use super::yaml::{Kind, Node};

/// Collects diagnostics while decoding and validating.
#[derive(Debug, Default)]
pub(crate) struct Cx {
    pub diags: Vec<Diagnostic>,
    failed: BTreeSet<String>,
    /// The source text, to locate positions inside string values.
    pub source: String,
}

impl Cx {
    /// A context for decoding `source`.
    pub fn new(source: &str) -> Self {
        Self {
            source: source.to_owned(),
            ..Self::default()
        }
    }

    /// The location `offset` characters into the string value starting at `loc`
    /// (skipping an opening quote; exact for single-line strings without escapes).
    pub fn inside(&self, loc: Loc, offset: usize) -> Loc {
        let line = self
            .source
            .lines()
            .nth(loc.line.saturating_sub(1) as usize)
            .unwrap_or("");
        let first = line.chars().nth(loc.column.saturating_sub(1) as usize);
        let quote = usize::from(matches!(first, Some('"' | '\'')));
        let column = loc.column as usize + quote + offset;
        Loc::new(loc.line, u32::try_from(column).unwrap_or(loc.column))
    }

    /// Records a problem with the field at `path`.
    pub fn report(&mut self, d: Diagnostic) {
        self.failed.insert(d.path.clone());
        self.diags.push(d);
    }

    /// Shorthand for a diagnostic with help text.
    pub fn error(
        &mut self,
        loc: Loc,
        path: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let mut d = Diagnostic::new(loc, path, message);
        d.help = help;
        self.report(d);
    }

    /// Whether the field at `path` (or anything under it) failed to decode.
    pub fn failed(&self, path: &str) -> bool {
        self.failed
            .range(path.to_owned()..)
            .take_while(|p| p.starts_with(path))
            .any(|p| matches!(p[path.len()..].chars().next(), None | Some('.' | '[')))
    }

    /// Reports `node` as having the wrong type.
    pub fn wrong_type(&mut self, node: &Node, path: &str, expected: &str) {
        self.report(
            Diagnostic::new(
                node.loc,
                path,
                format!("expected {expected}, found {}", node.kind.describe()),
            )
            .with_width(scalar_width(node)),
        );
    }
}

/// How wide a caret under this node should be.
pub(crate) fn scalar_width(node: &Node) -> usize {
    match &node.kind {
        Kind::Str(s) => s.chars().count(),
        Kind::Int(i) => i.to_string().len(),
        Kind::Bool(b) => b.to_string().len(),
        _ => 1,
    }
}

/// `a.b` or `b` at the top level.
pub(crate) fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

/// `a[i]`.
pub(crate) fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// A value that can be decoded from a YAML node.
pub(crate) trait FromNode: Sized {
    /// Decodes `node`, reporting problems at `path`; `None` when it was reported invalid.
    fn from_node(node: &Node, path: &str, cx: &mut Cx) -> Option<Self>;
}

impl FromNode for bool {
    fn from_node(node: &Node, path: &str, cx: &mut Cx) -> Option<Self> {
        match node.kind {
            Kind::Bool(b) => Some(b),
            _ => {
                cx.wrong_type(node, path, "`true` or `false`");
                None
            }
        }
    }
}

impl FromNode for String {
    fn from_node(node: &Node, path: &str, cx: &mut Cx) -> Option<Self> {
        match &node.kind {
            Kind::Str(s) => Some(s.clone()),
            Kind::Bool(_) | Kind::Int(_) | Kind::Float(_) => {
                // YAML reads `no`, `on` or `1e3` as non-strings.
                cx.report(
                    Diagnostic::new(
                        node.loc,
                        path,
                        format!("expected a string, found {}", node.kind.describe()),
                    )
                    .with_help("quote the value to make it a string")
                    .with_width(scalar_width(node)),
                );
                None
            }
            _ => {
                cx.wrong_type(node, path, "a string");
                None
            }
        }
    }
}

impl FromNode for f64 {
    fn from_node(node: &Node, path: &str, cx: &mut Cx) -> Option<Self> {
        match node.kind {
            Kind::Float(f) if f.is_finite() => Some(f),
            Kind::Int(i) => Some(i as f64),
            _ => {
                cx.wrong_type(node, path, "a number");
                None
            }
        }
    }
}

macro_rules! int_from_node {
    ($($t:ty),*) => {$(
        impl FromNode for $t {
            fn from_node(node: &Node, path: &str, cx: &mut Cx) -> Option<Self> {
                match node.kind {
                    Kind::Int(i) => match <$t>::try_from(i) {
                        Ok(v) => Some(v),
                        Err(_) => {
                            cx.report(Diagnostic::new(node.loc, path, format!("{i} is out of range"))
                                .with_help(format!("allowed: {} to {}", <$t>::MIN, <$t>::MAX))
                                .with_width(scalar_width(node)));
                            None
                        }
                    },
                    _ => {
                        cx.wrong_type(node, path, concat!("a whole number (", stringify!($t), ")"));
                        None
                    }
                }
            }
        }
    )*};
}
int_from_node!(u16, u32, u64);

impl<T: FromNode> FromNode for Vec<T> {
    fn from_node(node: &Node, path: &str, cx: &mut Cx) -> Option<Self> {
        match &node.kind {
            Kind::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    match T::from_node(item, &index(path, i), cx) {
                        Some(v) => out.push(v),
                        None => ok = false,
                    }
                }
                ok.then_some(out)
            }
            _ => {
                cx.wrong_type(node, path, "a list");
                None
            }
        }
    }
}

impl<T: FromNode> FromNode for At<T> {
    fn from_node(node: &Node, path: &str, cx: &mut Cx) -> Option<Self> {
        T::from_node(node, path, cx).map(|value| At {
            value,
            loc: node.loc,
            width: scalar_width(node),
        })
    }
}

/// Checks `lo <= v <= hi`, reporting otherwise.
pub(crate) fn in_range<T: PartialOrd + Display + Copy>(
    cx: &mut Cx,
    v: Option<At<T>>,
    path: &str,
    lo: T,
    hi: T,
) -> Option<At<T>> {
    let at = v?;
    if at.value < lo || at.value > hi {
        cx.report(
            Diagnostic::new(at.loc, path, format!("{} is out of range", at.value))
                .with_help(format!("allowed: {lo} to {hi}"))
                .with_width(at.width),
        );
        return None;
    }
    Some(at)
}

/// Decodes a string that must be one of `allowed`.
pub(crate) fn one_of(
    cx: &mut Cx,
    node: &Node,
    path: &str,
    what: &str,
    allowed: &[&str],
) -> Option<At<String>> {
    let s = At::<String>::from_node(node, path, cx)?;
    if allowed.contains(&s.value.as_str()) {
        return Some(s);
    }
    let mut help = format!("allowed: {}", allowed.join(", "));
    if let Some(dym) = did_you_mean(&s.value, allowed.iter().copied()) {
        help = format!("{dym} {help}");
    }
    cx.report(
        Diagnostic::new(s.loc, path, format!("unknown {what} `{}`", s.value))
            .with_help(help)
            .with_width(s.width),
    );
    None
}

/// The fields of a YAML mapping being decoded into a struct.
pub(crate) struct Fields<'a> {
    pub path: String,
    pub loc: Loc,
    entries: Vec<(&'a str, &'a Node, &'a Node)>,
}

impl<'a> Fields<'a> {
    /// Reads a mapping, reporting a non-mapping, non-string keys, duplicate keys and unknown keys
    /// (with a did-you-mean among `allowed`).
    pub fn of(
        cx: &mut Cx,
        node: &'a Node,
        path: &str,
        what: &str,
        allowed: &[&str],
    ) -> Option<Self> {
        let Kind::Map(map) = &node.kind else {
            cx.wrong_type(node, path, &format!("a mapping ({what})"));
            return None;
        };
        let mut entries: Vec<(&'a str, &'a Node, &'a Node)> = Vec::with_capacity(map.len());
        for (key, value) in map {
            let Kind::Str(name) = &key.kind else {
                cx.wrong_type(key, path, "a field name");
                continue;
            };
            let field_path = join(path, name);
            if entries.iter().any(|(k, _, _)| *k == name.as_str()) {
                cx.report(
                    Diagnostic::new(key.loc, field_path, format!("duplicate field `{name}`"))
                        .with_help("each field may appear once")
                        .with_width(name.chars().count()),
                );
                continue;
            }
            // `x-*` keys are extension fields (for YAML anchors) where `allowed` says so.
            if name.starts_with("x-") && allowed.contains(&"x-*") {
                continue;
            }
            if !allowed.contains(&name.as_str()) {
                let mut help = format!("allowed fields of {what}: {}", allowed.join(", "));
                if let Some(dym) = did_you_mean(name, allowed.iter().copied()) {
                    help = format!("{dym} {help}");
                }
                cx.report(
                    Diagnostic::new(
                        key.loc,
                        field_path,
                        format!("unknown field `{name}` in {what}"),
                    )
                    .with_help(help)
                    .with_width(name.chars().count()),
                );
                continue;
            }
            entries.push((name.as_str(), key, value));
        }
        Some(Self {
            path: path.to_owned(),
            loc: node.loc,
            entries,
        })
    }

    /// The raw node of a field, if present.
    pub fn node(&self, name: &str) -> Option<&'a Node> {
        self.entries
            .iter()
            .find(|(k, _, _)| *k == name)
            .map(|(_, _, v)| *v)
    }

    /// Whether a field is present.
    pub fn has(&self, name: &str) -> bool {
        self.node(name).is_some()
    }

    /// Path of a field of this mapping.
    pub fn path_of(&self, name: &str) -> String {
        join(&self.path, name)
    }

    /// Decodes an optional field (`None` when absent or invalid).
    pub fn opt<T: FromNode>(&self, cx: &mut Cx, name: &str) -> Option<T> {
        let node = self.node(name)?;
        T::from_node(node, &self.path_of(name), cx)
    }

    /// Decodes an optional field with its location.
    pub fn at<T: FromNode>(&self, cx: &mut Cx, name: &str) -> Option<At<T>> {
        self.opt::<At<T>>(cx, name)
    }

    /// Decodes an optional field and checks `lo <= value <= hi`.
    pub fn ranged<T: FromNode + PartialOrd + Display + Copy>(
        &self,
        cx: &mut Cx,
        name: &str,
        lo: T,
        hi: T,
    ) -> Option<At<T>> {
        let v = self.at::<T>(cx, name);
        in_range(cx, v, &self.path_of(name), lo, hi)
    }

    /// Decodes a required field, reporting it when missing.
    pub fn req<T: FromNode>(&self, cx: &mut Cx, name: &str, what: &str) -> Option<T> {
        if !self.has(name) {
            self.missing(cx, name, what);
            return None;
        }
        self.opt(cx, name)
    }

    /// Reports a missing required field at the mapping's location.
    pub fn missing(&self, cx: &mut Cx, name: &str, what: &str) {
        cx.report(
            Diagnostic::new(
                self.loc,
                self.path_of(name),
                format!("missing field `{name}` in {what}"),
            )
            .with_help(format!("`{name}` is required")),
        );
    }

    /// Reports a field that is present but not allowed in this combination.
    pub fn forbid(&self, cx: &mut Cx, name: &str, why: &str) {
        if let Some(node) = self.node(name) {
            let key_loc = self.key_loc(name).unwrap_or(node.loc);
            cx.report(
                Diagnostic::new(
                    key_loc,
                    self.path_of(name),
                    format!("field `{name}` is not allowed here"),
                )
                .with_help(why.to_owned())
                .with_width(name.chars().count()),
            );
        }
    }

    /// Location of a field's value, or of the mapping when absent.
    pub fn loc_of(&self, name: &str) -> Loc {
        self.node(name).map_or(self.loc, |n| n.loc)
    }

    /// Location of a field's key.
    pub fn key_loc(&self, name: &str) -> Option<Loc> {
        self.entries
            .iter()
            .find(|(k, _, _)| *k == name)
            .map(|(_, key, _)| key.loc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_matches_the_path_and_what_is_under_it() {
        let mut cx = Cx::default();
        cx.report(Diagnostic::new(Loc::default(), "a.b-x", "m"));
        cx.report(Diagnostic::new(Loc::default(), "a.b.c", "m"));
        cx.report(Diagnostic::new(Loc::default(), "l[3]", "m"));
        assert!(cx.failed("a.b"));
        assert!(cx.failed("a.b.c"));
        assert!(cx.failed("l"));
        assert!(!cx.failed("a.bc"));
        assert!(!cx.failed("a.b.d"));
        assert!(!cx.failed("l[3]x"));
    }
}
