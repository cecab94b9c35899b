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

/// A hidden name beside `path` (same folder, so a rename stays on one drive), ending in
/// `what`.
fn beside(path: &Path, what: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.{what}", std::process::id()))
}

/// The temporary name of `path`.
fn temp_of(path: &Path) -> PathBuf {
    beside(path, "part")
}

/// Where a file being replaced waits until its replacement is in place.
fn old_of(path: &Path) -> PathBuf {
    beside(path, "old")
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

/// Several files that belong together (a shapefile's parts, a bundle, an atlas and its
/// pages): each is written and synced under its temporary name as it comes (so a large
/// set is never all in memory); only when all are complete are they renamed, the first
/// file (a `.shp`, the main file) last. On a failure, or when the staging is dropped
/// without [`Staging::commit`], the temporaries are removed and the files already renamed
/// are taken back, so nothing of the export is left.
#[derive(Default)]
pub struct Staging {
    paths: Vec<PathBuf>,
    committed: bool,
}

impl Staging {
    pub fn new() -> Staging {
        Staging::default()
    }

    /// Writes `bytes` as `path`'s temporary file.
    pub fn add(&mut self, path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
        // Listed first: a half-written temporary is removed too.
        self.paths.push(path.to_path_buf());
        let r = (|| {
            let mut f = std::fs::File::create(temp_of(path))?;
            f.write_all(bytes)?;
            f.sync_all()
        })();
        r.map_err(io(path))
    }

    /// Renames every temporary to its file, the first file last. A file it replaces is
    /// moved aside first and put back if anything fails (a PDF still open in a viewer on
    /// Windows cannot be replaced), so a failed export keeps the previous one whole.
    pub fn commit(mut self) -> Result<(), ExportError> {
        let n = self.paths.len();
        let order: Vec<usize> = (1..n).chain((n > 0).then_some(0)).collect();
        let mut aside: Vec<PathBuf> = Vec::new();
        let mut placed: Vec<PathBuf> = Vec::new();
        let undo = |aside: &[PathBuf], placed: &[PathBuf]| {
            for p in placed {
                let _ = std::fs::remove_file(p);
            }
            for p in aside {
                let _ = std::fs::rename(old_of(p), p);
            }
        };
        for &k in &order {
            let path = self.paths[k].clone();
            if path.exists() {
                if let Err(source) = std::fs::rename(&path, old_of(&path)) {
                    undo(&aside, &placed);
                    return Err(ExportError::Io { path, source });
                }
                aside.push(path.clone());
            }
            if let Err(source) = std::fs::rename(temp_of(&path), &path) {
                undo(&aside, &placed);
                return Err(ExportError::Io { path, source });
            }
            placed.push(path);
        }
        for p in &aside {
            let _ = std::fs::remove_file(old_of(p));
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            for p in &self.paths {
                let _ = std::fs::remove_file(temp_of(p));
            }
        }
    }
}

/// The sha256 of a file's bytes, in hex (for the audit entry).
pub fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A group already in memory, staged and committed.
    fn write_all(files: &[(PathBuf, Vec<u8>)]) -> Result<(), ExportError> {
        let mut s = Staging::new();
        for (path, bytes) in files {
            s.add(path, bytes)?;
        }
        s.commit()
    }

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
    fn a_staging_dropped_before_its_commit_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let listing = || {
            let mut v: Vec<String> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        {
            let mut s = Staging::new();
            s.add(&dir.path().join("atlas.pdf"), b"pdf").unwrap();
            s.add(&dir.path().join("01.png"), b"png").unwrap();
            // The temporaries are on disk while the rest is made.
            assert_eq!(listing().len(), 2);
            // A cancel: dropped uncommitted.
        }
        assert!(listing().is_empty(), "{:?}", listing());
        let mut s = Staging::new();
        s.add(&dir.path().join("atlas.pdf"), b"pdf").unwrap();
        s.add(&dir.path().join("01.png"), b"png").unwrap();
        s.commit().unwrap();
        assert_eq!(listing(), ["01.png", "atlas.pdf"]);
    }

    #[test]
    fn a_failed_commit_keeps_the_previous_export_whole() {
        let dir = tempfile::tempdir().unwrap();
        let (pdf, png) = (dir.path().join("atlas.pdf"), dir.path().join("01.png"));
        std::fs::write(&pdf, b"old pdf").unwrap();
        std::fs::write(&png, b"old png").unwrap();
        let mut s = Staging::new();
        s.add(&pdf, b"new pdf").unwrap();
        s.add(&png, b"new png").unwrap();
        // The PDF, renamed last, cannot be put in place (its temporary is gone).
        std::fs::remove_file(temp_of(&pdf)).unwrap();
        assert!(s.commit().is_err());
        assert_eq!(std::fs::read(&pdf).unwrap(), b"old pdf");
        assert_eq!(std::fs::read(&png).unwrap(), b"old png", "the PNG put back");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 2, "no temporary or set-aside file is left");
        // Replaced whole when all goes well.
        let mut s = Staging::new();
        s.add(&pdf, b"new pdf").unwrap();
        s.add(&png, b"new png").unwrap();
        s.commit().unwrap();
        assert_eq!(std::fs::read(&png).unwrap(), b"new png");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
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
