//! Images built from the workspace's binaries without a registry.
//!
//! The binaries are dynamically linked against glibc, so an image is `FROM scratch` plus the
//! binary plus every shared library `ldd` reports (the dynamic loader at the path the binary
//! names), plus an empty `/tmp`. The build context is a tar assembled in memory and built by the
//! engine's classic builder (no BuildKit session, no frontend image to pull). Images are tagged
//! `localtensor/<binary>:<content hash>`, so an unchanged binary is never rebuilt.

use super::DockerError;
use super::error::is_not_found;
use super::naming::{LABEL_BINARY, LABEL_CONTENT_HASH, LABEL_MANAGED, label_filter};
use bollard::Docker;
use bollard::query_parameters::{
    BuildImageOptionsBuilder, BuilderVersion, ListImagesOptionsBuilder,
};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// Where the binary lives inside the image.
const BIN_DIR: &str = "/usr/local/bin";

/// Bump when the image layout changes, so that old tags are not reused.
const LAYOUT_VERSION: &str = "localtensor-image-v1";

/// A built (or found) image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// `localtensor/<binary>:<hash>`.
    pub tag: String,
    /// The engine's image id (`sha256:...`).
    pub id: String,
    /// The binary's file name (the `io.localtensor.binary` label).
    pub binary: String,
    /// The SHA-256 of the image's files (the `io.localtensor.content-hash` label).
    pub content_hash: String,
    /// When the engine created the image (RFC 3339), if it said.
    pub created: Option<String>,
    /// Whether this call built it (false: it was already there).
    pub built: bool,
}

/// One file of the image: where it goes and where its bytes come from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ImageFile {
    image_path: String,
    source: PathBuf,
}

/// Identity of the files on disk; while it is unchanged the content hash is reused instead of
/// reading and hashing a few hundred MB again.
type FilesKey = Vec<(ImageFile, u64, i64, i64, u64)>;

static HASHES: Mutex<Vec<(FilesKey, String)>> = Mutex::new(Vec::new());

/// One build at a time per process: two devnets asking for the same new image build it once.
static BUILD: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Makes sure the image for `binary` exists: builds it unless an image with the same content
/// hash is already in the engine.
pub async fn ensure_image(docker: &Docker, binary: &Path) -> Result<ImageRef, DockerError> {
    let package = {
        let path = binary.to_owned();
        tokio::task::spawn_blocking(move || Package::scan(&path))
            .await
            .map_err(|e| DockerError::Package {
                binary: binary.to_owned(),
                reason: e.to_string(),
            })??
    };
    if let Some(found) = find(docker, &package).await? {
        return Ok(found);
    }
    let _one_build = BUILD.lock().await;
    // Other processes (parallel test binaries, two `localtensor run`s) build it once too.
    let _one_build_anywhere = build_lock(&package.tag).await?;
    if let Some(found) = find(docker, &package).await? {
        return Ok(found);
    }
    build(docker, &package).await?;
    let mut image = find(docker, &package)
        .await?
        .ok_or_else(|| DockerError::Build {
            tag: package.tag.clone(),
            reason: "the build finished but the image is missing".to_owned(),
        })?;
    image.built = true;
    Ok(image)
}

/// An exclusive lock, across processes, on building images (building `tag` now): one lock
/// file in the temp directory, shared by every build and reused, so nothing piles up. Held
/// until the returned file is dropped; the kernel releases it if the process dies.
async fn build_lock(tag: &str) -> Result<std::fs::File, DockerError> {
    let path = std::env::temp_dir().join("localtensor-image-build.lock");
    let failed = |reason: String| DockerError::Build {
        tag: tag.to_owned(),
        reason,
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| failed(format!("opening the build lock {}: {e}", path.display())))?;
    tokio::task::spawn_blocking(move || file.lock().map(|()| file))
        .await
        .map_err(|e| failed(format!("waiting for the build lock: {e}")))?
        .map_err(|e| failed(format!("locking {}: {e}", path.display())))
}

/// Every image localtensor built (label `io.localtensor.managed=true`), newest first.
pub async fn list_images(docker: &Docker) -> Result<Vec<ImageRef>, DockerError> {
    let options = ListImagesOptionsBuilder::default()
        .filters(&label_filter(LABEL_MANAGED, "true"))
        .build();
    let summaries = docker
        .list_images(Some(options))
        .await
        .map_err(DockerError::api("list images"))?;
    let mut images = Vec::new();
    for s in summaries {
        // The list gives whole seconds; the inspect gives the creation time to the nanosecond,
        // in the same form `ensure_image` returns, and orders images built in the same second.
        let created = match docker.inspect_image(&s.id).await {
            Ok(inspect) => inspect.created.and_then(rfc3339),
            Err(e) if is_not_found(&e) => continue,
            Err(e) => return Err(DockerError::api(format!("inspect image {}", s.id))(e)),
        };
        let binary = s.labels.get(LABEL_BINARY).cloned().unwrap_or_default();
        let content_hash = s
            .labels
            .get(LABEL_CONTENT_HASH)
            .cloned()
            .unwrap_or_default();
        for tag in s
            .repo_tags
            .into_iter()
            .filter(|t| t.starts_with("localtensor/"))
        {
            images.push(ImageRef {
                tag,
                id: s.id.clone(),
                binary: binary.clone(),
                content_hash: content_hash.clone(),
                created: created.clone(),
                built: false,
            });
        }
    }
    images.sort_by_key(|i| std::cmp::Reverse(created_key(i.created.as_deref())));
    Ok(images)
}

/// An engine timestamp as RFC 3339 (`2026-12-01T19:53:01.12345Z`).
fn rfc3339(time: time::OffsetDateTime) -> Option<String> {
    time.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// A sort key for the engine's RFC 3339 UTC times (`2026-12-01T19:53:01.12345Z`): the part
/// up to the seconds (fixed width) and the fraction in nanoseconds.
fn created_key(created: Option<&str>) -> (String, u32) {
    let Some(created) = created else {
        return (String::new(), 0);
    };
    let created = created.trim_end_matches('Z');
    let (seconds, fraction) = created.split_once('.').unwrap_or((created, ""));
    let digits: String = fraction
        .chars()
        .take_while(char::is_ascii_digit)
        .chain(std::iter::repeat('0'))
        .take(9)
        .collect();
    (seconds.to_owned(), digits.parse().unwrap_or(0))
}

/// Removes older images of each binary (all of them, or only `binary`'s), keeping the `keep`
/// newest per binary: every rebuilt binary gets a new image, so a development loop piles them
/// up. Images a container still uses are kept. Returns the removed tags.
pub async fn prune_images(
    docker: &Docker,
    binary: Option<&str>,
    keep: usize,
) -> Result<Vec<String>, DockerError> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut removed = Vec::new();
    // Newest first, so the first `keep` of each binary survive.
    for image in list_images(docker).await? {
        if binary.is_some_and(|b| b != image.binary) {
            continue;
        }
        let count = seen.entry(image.binary.clone()).or_default();
        *count += 1;
        if *count <= keep {
            continue;
        }
        let options: Option<bollard::query_parameters::RemoveImageOptions> = None;
        match docker.remove_image(&image.tag, options, None).await {
            Ok(_) => removed.push(image.tag),
            // In use by a container (409), or gone meanwhile.
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404 | 409,
                ..
            }) => {}
            Err(e) => return Err(DockerError::api(format!("remove image {}", image.tag))(e)),
        }
    }
    Ok(removed)
}

/// The image of `package` if the engine has it.
async fn find(docker: &Docker, package: &Package) -> Result<Option<ImageRef>, DockerError> {
    match docker.inspect_image(&package.tag).await {
        Ok(inspect) => Ok(Some(ImageRef {
            tag: package.tag.clone(),
            id: inspect.id.unwrap_or_default(),
            binary: package.name.clone(),
            content_hash: package.content_hash.clone(),
            created: inspect.created.and_then(rfc3339),
            built: false,
        })),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(DockerError::api(format!("inspect image {}", package.tag))(
            e,
        )),
    }
}

/// What goes into one image.
#[derive(Debug, Clone)]
struct Package {
    binary: PathBuf,
    name: String,
    files: Vec<ImageFile>,
    dockerfile: String,
    content_hash: String,
    tag: String,
}

impl Package {
    /// Finds the binary's libraries and the content hash (blocking: runs `ldd`, reads files).
    fn scan(binary: &Path) -> Result<Self, DockerError> {
        let fail = |reason: String| DockerError::Package {
            binary: binary.to_owned(),
            reason,
        };
        let meta = std::fs::metadata(binary).map_err(|e| fail(e.to_string()))?;
        if !meta.is_file() {
            return Err(fail("not a file".to_owned()));
        }
        let name = binary
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| fail("the file name is not UTF-8".to_owned()))?
            .to_owned();
        let mut files = vec![ImageFile {
            image_path: format!("{BIN_DIR}/{name}"),
            source: binary.to_owned(),
        }];
        for lib in shared_libraries(binary).map_err(fail)? {
            files.push(ImageFile {
                image_path: lib.to_string_lossy().into_owned(),
                source: lib,
            });
        }
        files.sort_by(|a, b| a.image_path.cmp(&b.image_path));
        files.dedup_by(|a, b| a.image_path == b.image_path);
        let dockerfile =
            format!("FROM scratch\nCOPY rootfs/ /\nENTRYPOINT [\"{BIN_DIR}/{name}\"]\n");
        let content_hash = content_hash(&files, &dockerfile).map_err(fail)?;
        let tag = format!(
            "localtensor/{}:{}",
            repository_name(&name),
            &content_hash[..16]
        );
        Ok(Self {
            binary: binary.to_owned(),
            name,
            files,
            dockerfile,
            content_hash,
            tag,
        })
    }

    /// The build context: `Dockerfile` and `rootfs/...` (blocking: reads the files).
    fn context(&self) -> Result<Vec<u8>, DockerError> {
        let fail = |reason: String| DockerError::Package {
            binary: self.binary.clone(),
            reason,
        };
        let mut tar = tar::Builder::new(Vec::new());
        let mut append = |path: &str, mode: u32, bytes: &[u8]| {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(mode);
            header.set_entry_type(tar::EntryType::Regular);
            tar.append_data(&mut header, path, bytes)
                .map_err(|e| fail(format!("cannot add {path} to the build context: {e}")))
        };
        append("Dockerfile", 0o644, self.dockerfile.as_bytes())?;
        for file in &self.files {
            let bytes = std::fs::read(&file.source)
                .map_err(|e| fail(format!("cannot read {}: {e}", file.source.display())))?;
            append(&format!("rootfs{}", file.image_path), 0o755, &bytes)?;
        }
        let mut header = tar::Header::new_gnu();
        header.set_size(0);
        header.set_mode(0o1777);
        header.set_entry_type(tar::EntryType::Directory);
        tar.append_data(&mut header, "rootfs/tmp/", std::io::empty())
            .map_err(|e| fail(format!("cannot add /tmp to the build context: {e}")))?;
        tar.into_inner()
            .map_err(|e| fail(format!("cannot finish the build context: {e}")))
    }
}

/// Docker repository names are lower case `[a-z0-9._-]`.
fn repository_name(binary: &str) -> String {
    binary
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '.' | '_' | '-') => c,
            _ => '-',
        })
        .collect()
}

/// The absolute paths of the libraries `ldd` reports for `binary` (the loader included; the
/// vDSO has no file). A static binary has none.
fn shared_libraries(binary: &Path) -> Result<Vec<PathBuf>, String> {
    let output = std::process::Command::new("ldd")
        .arg(binary)
        .env("LC_ALL", "C")
        .output()
        .map_err(|e| format!("cannot run ldd: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        if stdout.contains("not a dynamic executable")
            || stderr.contains("not a dynamic executable")
        {
            return Ok(Vec::new());
        }
        return Err(format!("ldd failed: {}", stderr.trim()));
    }
    parse_ldd(&stdout)
}

/// Parses `ldd` output lines such as `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)`
/// and `/lib64/ld-linux-x86-64.so.2 (0x...)`.
fn parse_ldd(output: &str) -> Result<Vec<PathBuf>, String> {
    let mut libs = Vec::new();
    for line in output.lines().map(str::trim) {
        if line.contains("statically linked") {
            continue;
        }
        let target = match line.split_once("=>") {
            Some((lib, target)) => {
                let target = target.trim();
                if target.starts_with("not found") {
                    return Err(format!("ldd cannot find {}", lib.trim()));
                }
                target
            }
            None => line,
        };
        let path = target.split(" (").next().unwrap_or("").trim();
        if path.starts_with('/') {
            libs.push(PathBuf::from(path));
        }
    }
    Ok(libs)
}

/// SHA-256 over the layout version, the Dockerfile and every file's image path, length and
/// bytes. Reuses the hash while the files' size, mtime and inode are unchanged.
fn content_hash(files: &[ImageFile], dockerfile: &str) -> Result<String, String> {
    let mut key: FilesKey = Vec::with_capacity(files.len());
    for file in files {
        let meta = std::fs::metadata(&file.source)
            .map_err(|e| format!("cannot read {}: {e}", file.source.display()))?;
        key.push((
            file.clone(),
            meta.len(),
            meta.mtime(),
            meta.mtime_nsec(),
            meta.ino(),
        ));
    }
    if let Some((_, hash)) = HASHES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .find(|(k, _)| *k == key)
    {
        return Ok(hash.clone());
    }
    let mut hasher = Sha256::new();
    hasher.update(LAYOUT_VERSION.as_bytes());
    hasher.update([0]);
    hasher.update(dockerfile.as_bytes());
    hasher.update([0]);
    for file in files {
        let bytes = std::fs::read(&file.source)
            .map_err(|e| format!("cannot read {}: {e}", file.source.display()))?;
        hasher.update(file.image_path.as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    let hash: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut cache = HASHES.lock().unwrap_or_else(PoisonError::into_inner);
    if cache.len() >= 64 {
        cache.remove(0);
    }
    cache.push((key, hash.clone()));
    Ok(hash)
}

/// Builds `package` with the classic builder, labelled and tagged.
async fn build(docker: &Docker, package: &Package) -> Result<(), DockerError> {
    let context = {
        let copy = package.clone();
        tokio::task::spawn_blocking(move || copy.context())
            .await
            .map_err(|e| DockerError::Build {
                tag: package.tag.clone(),
                reason: e.to_string(),
            })??
    };
    let labels = HashMap::from([
        (LABEL_MANAGED, "true"),
        (LABEL_BINARY, package.name.as_str()),
        (LABEL_CONTENT_HASH, package.content_hash.as_str()),
    ]);
    let options = BuildImageOptionsBuilder::default()
        .dockerfile("Dockerfile")
        .t(&package.tag)
        .labels(&labels)
        .rm(true)
        .forcerm(true)
        .version(BuilderVersion::BuilderV1)
        .build();
    let build_error = |reason: String| DockerError::Build {
        tag: package.tag.clone(),
        reason,
    };
    let mut stream = docker.build_image(options, None, Some(bollard::body_full(context.into())));
    while let Some(item) = stream.next().await {
        let info = item.map_err(|e| build_error(e.to_string()))?;
        if let Some(detail) = info.error_detail {
            return Err(build_error(detail.message.unwrap_or_default()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldd_output_is_parsed() {
        let out = "\tlinux-vdso.so.1 (0x00007ffc2a5f1000)\n\
                   \tlibgcc_s.so.1 => /lib/x86_64-linux-gnu/libgcc_s.so.1 (0x00007f0000000000)\n\
                   \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0000100000)\n\
                   \t/lib64/ld-linux-x86-64.so.2 (0x00007f0000200000)\n";
        assert_eq!(
            parse_ldd(out).expect("parsed"),
            [
                "/lib/x86_64-linux-gnu/libgcc_s.so.1",
                "/lib/x86_64-linux-gnu/libc.so.6",
                "/lib64/ld-linux-x86-64.so.2"
            ]
            .map(PathBuf::from)
        );
        assert!(
            parse_ldd("\tstatically linked\n")
                .expect("static")
                .is_empty()
        );
        let missing = parse_ldd("\tlibfoo.so.1 => not found\n").expect_err("missing");
        assert!(missing.contains("libfoo.so.1"), "{missing}");
    }

    #[test]
    fn creation_times_order_within_a_second() {
        let mut times = [
            "2026-12-01T19:53:01Z",
            "2026-12-01T19:53:01.5Z",
            "2026-12-01T19:53:01.45Z",
            "2026-12-01T19:53:00.999999999Z",
        ];
        times.sort_by_key(|t| created_key(Some(t)));
        assert_eq!(
            times,
            [
                "2026-12-01T19:53:00.999999999Z",
                "2026-12-01T19:53:01Z",
                "2026-12-01T19:53:01.45Z",
                "2026-12-01T19:53:01.5Z"
            ]
        );
    }

    #[test]
    fn repository_names_are_valid() {
        assert_eq!(repository_name("localtensor-chain"), "localtensor-chain");
        assert_eq!(repository_name("My Tool+1"), "my-tool-1");
    }
}
