//! Diagnostics: what went wrong in a topology file, where, and how to render it.

use std::fmt;
use std::path::PathBuf;

/// A position in the topology source (1-based line and column, in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Loc {
    /// 1-based line; 0 when unknown.
    pub line: u32,
    /// 1-based column (characters); 0 when unknown.
    pub column: u32,
}

impl Loc {
    /// A location from a line and a column.
    pub const fn new(line: u32, column: u32) -> Self {
        Self { line, column }
    }
}

/// One problem found in a topology, with its location and field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where the problem is.
    pub loc: Loc,
    /// Path of the offending field, such as `subnets[0].validators[1].stake` (empty for the document).
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What would be valid, or a did-you-mean suggestion.
    pub help: Option<String>,
    /// How many characters the caret underlines (at least 1).
    pub width: u32,
}

impl Diagnostic {
    /// A diagnostic without help text.
    pub fn new(loc: Loc, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            loc,
            path: path.into(),
            message: message.into(),
            help: None,
            width: 1,
        }
    }

    /// Adds help text (what is allowed, or a suggestion).
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets how many characters the caret underlines.
    #[must_use]
    pub fn with_width(mut self, width: usize) -> Self {
        self.width = u32::try_from(width.max(1)).unwrap_or(1);
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.loc.line, self.loc.column)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, " ({help})")?;
        }
        Ok(())
    }
}

/// Why a topology could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TopologyError {
    /// The file could not be read.
    #[error("cannot read topology {}: {source}", path.display())]
    Read {
        /// The file that was asked for.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file was read but is not a valid topology; every problem found is listed.
    #[error("{file} is not a valid topology: {} error{}; nothing was started", diagnostics.len(), if diagnostics.len() == 1 { "" } else { "s" })]
    Invalid {
        /// The file name used in messages.
        file: String,
        /// The source text (for rendering snippets); lossy if the file was not UTF-8.
        source_text: String,
        /// Every problem, in source order.
        diagnostics: Vec<Diagnostic>,
    },
}

impl TopologyError {
    /// The diagnostics of an invalid topology (empty for read errors).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Self::Read { .. } => &[],
            Self::Invalid { diagnostics, .. } => diagnostics,
        }
    }

    /// Renders the error for a terminal, rustc style: every diagnostic with its source line and a
    /// caret, then a one-line summary.
    pub fn render(&self) -> String {
        format!("{}error: {self}\n", self.render_diagnostics())
    }

    /// Renders only the diagnostics (empty for read errors), each with its source line and a caret.
    pub fn render_diagnostics(&self) -> String {
        let mut out = String::new();
        if let Self::Invalid {
            file,
            source_text,
            diagnostics,
        } = self
        {
            for d in diagnostics {
                render_one(&mut out, "error", file, source_text, d);
            }
        }
        out
    }
}

/// Renders warnings (such as [`crate::topology::Topology::lints`]) like errors, labelled `warning`.
pub fn render_warnings(file: &str, source_text: &str, warnings: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in warnings {
        render_one(&mut out, "warning", file, source_text, d);
    }
    out
}

/// Longest part of a source line shown in a snippet (characters).
const MAX_SHOWN: usize = 120;

fn render_one(out: &mut String, label: &str, file: &str, src: &str, d: &Diagnostic) {
    use std::fmt::Write as _;
    let _ = writeln!(out, "{label}: {}", d.message);
    let _ = writeln!(out, "  --> {file}:{}:{}", d.loc.line, d.loc.column);
    if !d.path.is_empty() {
        let _ = writeln!(out, "   = field: {}", d.path);
    }
    let line_text = (d.loc.line >= 1)
        .then(|| src.lines().nth((d.loc.line - 1) as usize))
        .flatten();
    if let Some(text) = line_text {
        let number = d.loc.line.to_string();
        let pad = " ".repeat(number.len());
        let chars: Vec<char> = text
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        let col = (d.loc.column.max(1) as usize).min(chars.len() + 1);
        // Long lines (minified or machine-written YAML) show a window around the column.
        let start = col.saturating_sub(MAX_SHOWN / 2 + 1).min(chars.len());
        let end = (start + MAX_SHOWN).min(chars.len());
        let prefix = if start > 0 { "..." } else { "" };
        let suffix = if end < chars.len() { "..." } else { "" };
        let shown: String = chars[start..end].iter().collect();
        let _ = writeln!(out, " {pad} |");
        let _ = writeln!(out, " {number} | {prefix}{shown}{suffix}");
        let offset = col - 1 - start + prefix.len();
        let available = (end + 1).saturating_sub(col).max(1);
        let width = (d.width as usize).clamp(1, available);
        let _ = writeln!(out, " {pad} | {}{}", " ".repeat(offset), "^".repeat(width));
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "   = help: {help}");
    }
    out.push('\n');
}
