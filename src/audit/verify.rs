//! `audit verify`: walks the log files in order, recomputes every MAC from the key and the
//! previous MAC, checks that sequence numbers run without gaps, and compares the last entry
//! with the head kept outside the log. Reports the first broken entry.

use std::path::{Path, PathBuf};

use super::{AuditError, AuditPaths, Entry, mac_of, read_head, read_key};

#[derive(Debug, Clone, PartialEq)]
pub struct VerifyReport {
    pub entries: u64,
    /// `None` when the whole chain holds and ends at the head.
    pub broken: Option<Broken>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Broken {
    pub file: String,
    /// 1-based line in that file (0 when the problem is the missing tail).
    pub line: usize,
    /// The sequence number expected there.
    pub seq: u64,
    pub reason: String,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.broken.is_none()
    }

    pub fn message(&self) -> String {
        match &self.broken {
            None => format!("利用ログは改ざんされていません（{} 件）。", self.entries),
            Some(b) if b.line == 0 => format!(
                "利用ログの改ざんを検出しました: {}（{}、通番 {} 以降）。",
                b.reason, b.file, b.seq
            ),
            Some(b) => format!(
                "利用ログの改ざんを検出しました: {} の {} 行目（通番 {}）: {}。",
                b.file, b.line, b.seq, b.reason
            ),
        }
    }
}

/// The log files, oldest first (their names sort by month).
pub(crate) fn log_files(dir: &Path) -> Result<Vec<PathBuf>, AuditError> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("audit-") && n.ends_with(".jsonl"))
            })
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => vec![],
        Err(source) => {
            return Err(AuditError::Io {
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    files.sort();
    Ok(files)
}

/// Verifies the log of a data directory.
pub fn verify(data_dir: &Path) -> Result<VerifyReport, AuditError> {
    let paths = AuditPaths::in_data_dir(data_dir);
    let key = read_key(&paths.key)?;
    let head = read_head(&paths.head)?.unwrap_or_default();
    let mut prev = String::new();
    let mut seq = 0u64;
    let mut last_file = String::new();
    for file in log_files(&paths.log_dir)? {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(&file).map_err(|source| AuditError::Io {
            path: file.clone(),
            source,
        })?;
        let text = String::from_utf8_lossy(&bytes);
        for (i, line) in text.lines().enumerate() {
            let broken = |reason: &str| VerifyReport {
                entries: seq,
                broken: Some(Broken {
                    file: name.clone(),
                    line: i + 1,
                    seq: seq + 1,
                    reason: reason.to_string(),
                }),
            };
            let Ok(e) = serde_json::from_str::<Entry>(line) else {
                return Ok(broken("記録として読めません"));
            };
            if e.seq != seq + 1 {
                return Ok(broken(&format!(
                    "通番が {} です（記録の削除または並べ替え）",
                    e.seq
                )));
            }
            if e.prev != prev {
                return Ok(broken("直前の記録とつながっていません（記録の削除）"));
            }
            if mac_of(&key, &prev, &e.body()) != e.mac {
                return Ok(broken("内容が書き換えられています"));
            }
            prev = e.mac;
            seq = e.seq;
        }
        last_file = name;
    }
    if head.seq != seq || head.mac != prev {
        let reason = if head.seq > seq {
            format!(
                "末尾の記録が失われています（ログは通番 {seq} まで、ヘッドは通番 {}）",
                head.seq
            )
        } else {
            format!(
                "ヘッド（通番 {}）とログの末尾（通番 {seq}）が一致しません",
                head.seq
            )
        };
        return Ok(VerifyReport {
            entries: seq,
            broken: Some(Broken {
                file: last_file,
                line: 0,
                seq: seq + 1,
                reason,
            }),
        });
    }
    Ok(VerifyReport {
        entries: seq,
        broken: None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Action, AuditLog, Draft, Outcome};
    use super::*;

    fn log_with(n: usize) -> (tempfile::TempDir, AuditLog) {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::open(dir.path()).unwrap();
        for i in 0..n {
            log.append(Draft::new(
                "admin",
                Action::Search,
                &format!("t{i}"),
                Outcome::Ok,
            ))
            .unwrap();
        }
        (dir, log)
    }

    fn the_file(dir: &Path) -> PathBuf {
        log_files(&dir.join("audit")).unwrap().pop().unwrap()
    }

    #[test]
    fn an_intact_log_verifies() {
        let (dir, _log) = log_with(5);
        let r = verify(dir.path()).unwrap();
        assert!(r.ok(), "{}", r.message());
        assert_eq!(r.entries, 5);
    }

    #[test]
    fn an_edited_byte_is_found_at_its_entry() {
        let (dir, _log) = log_with(5);
        let f = the_file(dir.path());
        let text = std::fs::read_to_string(&f).unwrap();
        std::fs::write(&f, text.replacen("\"t2\"", "\"t9\"", 1)).unwrap();
        let r = verify(dir.path()).unwrap();
        let b = r.broken.unwrap();
        assert_eq!((b.line, b.seq), (3, 3));
        assert!(b.reason.contains("書き換え"));
    }

    #[test]
    fn a_deleted_entry_and_a_cut_tail_are_found() {
        let (dir, _log) = log_with(5);
        let f = the_file(dir.path());
        let text = std::fs::read_to_string(&f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let without_2: String = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 1)
            .map(|(_, l)| format!("{l}\n"))
            .collect();
        std::fs::write(&f, without_2).unwrap();
        let b = verify(dir.path()).unwrap().broken.unwrap();
        assert_eq!((b.line, b.seq), (2, 2), "{b:?}");
        // Restore, then cut the last entry: only the head outside the log can tell.
        let cut: String = lines[..4].iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(&f, cut).unwrap();
        let r = verify(dir.path()).unwrap();
        let b = r.broken.clone().unwrap();
        assert_eq!(b.line, 0);
        assert!(b.reason.contains("末尾"), "{}", r.message());
    }
}
