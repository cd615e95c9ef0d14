//! `localtensor images`: the Docker images localtensor built (they stay cached between runs),
//! and `--prune` to remove all but the newest of each binary.

use super::{Outcome, UserError};
use anyhow::Context as _;
use localtensor::runtime::docker;

/// Arguments of `localtensor images`.
#[derive(Debug, clap::Args)]
pub(crate) struct ImagesArgs {
    /// Remove older images, keeping the `--keep` newest per binary (images in use stay).
    #[arg(long)]
    prune: bool,
    /// How many images per binary `--prune` keeps.
    #[arg(long, default_value_t = 1, requires = "prune")]
    keep: usize,
}

pub(crate) fn run(args: ImagesArgs) -> Result<Outcome, UserError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async {
        let engine = docker::connect(None).await.map_err(UserError::bad_input)?;
        if args.prune {
            let removed = docker::prune_images(&engine, None, args.keep)
                .await
                .map_err(anyhow::Error::new)?;
            for tag in &removed {
                println!("removed {tag}");
            }
            eprintln!(
                "{} image(s) removed; the newest {} per binary kept",
                removed.len(),
                args.keep
            );
            return Ok(Outcome::Ok);
        }
        let images = docker::list_images(&engine)
            .await
            .map_err(anyhow::Error::new)?;
        if images.is_empty() {
            eprintln!("no localtensor images (they are built on the first Docker run)");
        } else {
            println!("{:<40} {:<12} {:<12} CREATED", "TAG", "BINARY", "ID");
        }
        for image in images {
            println!(
                "{:<40} {:<12} {:<20} {}",
                image.tag,
                image.binary,
                image
                    .id
                    .trim_start_matches("sha256:")
                    .get(..12)
                    .unwrap_or(""),
                image.created.as_deref().unwrap_or("-")
            );
        }
        Ok(Outcome::Ok)
    })
}
