//! Files written whole or not at all: the bytes go to a hidden temporary file beside the
//! destination, which is then renamed over it. A failure removes the temporary file, so a
//! destination holds either its old content or the complete new one.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::ExportError;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The temporary name of `path` (same folder, so the rename stays on one drive).
fn temp_of(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.part", std::process::id()))
}

/// Writes `bytes` to `path` atomically.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    write_with(path, |f| f.write_all(bytes))
}

/// Writes through `fill` into a temporary file, then renames it to `path`.
pub fn write_with(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<(), ExportError> {
    let tmp = temp_of(path);
    let result = (|| {
        let f = std::fs::File::create(&tmp)?;
        let mut w = std::io::BufWriter::new(f);
        fill(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io(path))
}

/// Several files that belong together (a shapefile's parts, a bundle): each is written
/// and synced under its temporary name first; only when all are complete are they renamed,
/// the first file (a `.shp`, the main file) last. On a failure the temporaries are removed
/// and the files already renamed are taken back, so nothing of the export is left.
pub fn write_all(files: &[(PathBuf, Vec<u8>)]) -> Result<(), ExportError> {
    let cleanup = |upto: usize| {
        for (p, _) in &files[..upto] {
            let _ = std::fs::remove_file(temp_of(p));
        }
    };
    for (k, (path, bytes)) in files.iter().enumerate() {
        let r = (|| {
            let mut f = std::fs::File::create(temp_of(path))?;
            f.write_all(bytes)?;
            f.sync_all()
        })();
        if let Err(source) = r {
            cleanup(k + 1);
            return Err(ExportError::Io {
                path: path.clone(),
                source,
            });
        }
    }
    let order: Vec<usize> = (1..files.len()).chain(std::iter::once(0)).collect();
    for (n, &k) in order.iter().enumerate() {
        let path = &files[k].0;
        if let Err(source) = std::fs::rename(temp_of(path), path) {
            // Take back what was renamed, remove what was not.
            for &done in &order[..n] {
                let _ = std::fs::remove_file(&files[done].0);
            }
            cleanup(files.len());
            return Err(ExportError::Io {
                path: path.clone(),
                source,
            });
        }
    }
    Ok(())
}

/// The sha256 of a file's bytes, in hex (for the audit entry).
pub fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_is_written_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let ok = vec![
            (dir.path().join("a.shp"), b"shp".to_vec()),
            (dir.path().join("a.dbf"), b"dbf".to_vec()),
        ];
        write_all(&ok).unwrap();
        assert_eq!(std::fs::read(dir.path().join("a.dbf")).unwrap(), b"dbf");
        // A part that cannot be written (its folder does not exist): nothing new is left.
        let bad = vec![
            (dir.path().join("b.shp"), b"shp".to_vec()),
            (dir.path().join("missing/b.dbf"), b"dbf".to_vec()),
        ];
        assert!(write_all(&bad).is_err());
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["a.dbf", "a.shp"]);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file_and_leaves_no_part() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        write(&p, b"old").unwrap();
        let e = write_with(&p, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(e.is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left");
    }
}
