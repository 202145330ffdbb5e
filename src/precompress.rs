//! `todo precompress DIR` (run by `make build`): the brotli and gzip copies of the site's
//! static files, made once at the highest levels, that the server sends as they are.

use std::{
    fs, io,
    path::{Path, PathBuf},
    time::SystemTime,
};

/// What is worth compressing: text and wasm (images and fonts are compressed already).
const COMPRESSIBLE: &[&str] = &[
    "js", "mjs", "wasm", "css", "svg", "html", "json", "txt", "map",
];

/// What [`precompress`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Precompressed {
    /// Files compressed now (new or changed since their copies were made).
    pub compressed: usize,
    /// Files whose copies were already up to date.
    pub unchanged: usize,
    /// Bytes of the compressed files, and of their brotli copies.
    pub bytes: u64,
    pub brotli_bytes: u64,
}

/// Writes `FILE.br` (brotli, quality 11, 16 MiB window) and `FILE.gz` (gzip, level 9) beside
/// every compressible file under `dir`, unless both are newer than the file. A copy that
/// would not be smaller than the file is not kept, so the file itself is served.
pub fn precompress(dir: &Path) -> io::Result<Precompressed> {
    let mut done = Precompressed::default();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let compressible = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| COMPRESSIBLE.contains(&e));
            if !compressible {
                continue;
            }
            let br = with_suffix(&path, "br");
            let gz = with_suffix(&path, "gz");
            let changed = modified(&path)?;
            if [&br, &gz]
                .iter()
                .all(|copy| modified(copy).is_ok_and(|m| m >= changed))
            {
                done.unchanged += 1;
                continue;
            }
            let content = fs::read(&path)?;
            let brotli = brotli_of(&content)?;
            let gzip = gzip_of(&content)?;
            done.compressed += 1;
            done.bytes += content.len() as u64;
            done.brotli_bytes += brotli.len().min(content.len()) as u64;
            for (copy, bytes) in [(&br, brotli), (&gz, gzip)] {
                if bytes.len() < content.len() {
                    write_atomically(copy, &bytes)?;
                } else if copy.exists() {
                    fs::remove_file(copy)?;
                }
            }
        }
    }
    Ok(done)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn modified(path: &Path) -> io::Result<SystemTime> {
    fs::metadata(path)?.modified()
}

fn brotli_of(content: &[u8]) -> io::Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 24,
        size_hint: content.len(),
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &content[..], &mut out, &params)?;
    Ok(out)
}

fn gzip_of(content: &[u8]) -> io::Result<Vec<u8>> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(content)?;
    encoder.finish()
}

/// Writes through a temporary file and a rename, so a server reading the copy meanwhile never
/// sees half of it.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    fs::write(&temporary, bytes)?;
    fs::rename(&temporary, path)
}
