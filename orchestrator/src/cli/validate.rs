//! `localtensor validate`: check a topology file and show what it resolves to.

use std::io::{Read as _, Write as _};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use localtensor::topology;

use super::{Outcome, UserError};

/// Arguments of `localtensor validate`.
#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// The topology file (YAML); `-` reads standard input.
    topology: PathBuf,
    /// What to print on success: a short summary, or the resolved topology (defaults filled in,
    /// replicas expanded) as YAML or JSON.
    #[arg(long, value_enum, default_value_t = Format::Summary)]
    format: Format,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Summary,
    Yaml,
    Json,
}

/// Validates; on failure every diagnostic goes to stderr and nothing to stdout (exit 2).
pub(crate) fn run(args: ValidateArgs) -> Result<Outcome, UserError> {
    let (bytes, file) = if args.topology.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(topology::MAX_FILE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| UserError::bad_input(format!("cannot read standard input: {e}")))?;
        (bytes, "<stdin>".to_owned())
    } else {
        let bytes = topology::read_file(&args.topology).map_err(UserError::bad_input)?;
        (bytes, args.topology.display().to_string())
    };
    let topology = match topology::parse_bytes(&bytes, &file) {
        Ok(t) => t,
        Err(e) => {
            eprint!("{}", e.render_diagnostics());
            return Err(UserError::bad_input(e));
        }
    };
    // Valid input is UTF-8, so the lossy conversion only matters for snippets.
    let source = String::from_utf8_lossy(&bytes);
    eprint!(
        "{}",
        topology::render_warnings(&file, &source, &topology.lints())
    );
    let text = match args.format {
        Format::Summary => topology.summary(),
        Format::Yaml => serde_saphyr::to_string(&topology.resolved())
            .map_err(|e| UserError::from(anyhow::anyhow!("rendering YAML: {e}")))?,
        Format::Json => serde_json::to_string_pretty(&topology.resolved())
            .map(|s| s + "\n")
            .map_err(|e| UserError::from(anyhow::anyhow!("rendering JSON: {e}")))?,
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| UserError::from(anyhow::anyhow!("writing to stdout: {e}")))?;
    Ok(Outcome::Ok)
}
