//! The audit log for the admin's viewer (利用ログ分析): filters by user, action, period and
//! result; counts per user, day and action; unusual patterns flagged (repeated failed
//! logins, large exports, use outside office hours); the filtered log written as CSV.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use super::{Action, AuditError, Entry, Outcome};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub user: Option<String>,
    pub action: Option<Action>,
    pub result: Option<Outcome>,
    /// Local dates, "YYYY-MM-DD", inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
}

impl Filter {
    pub fn matches(&self, e: &Entry) -> bool {
        let day = e.local_time();
        let day = day.get(..10).unwrap_or("");
        self.user
            .as_ref()
            .is_none_or(|u| u.is_empty() || &e.user == u)
            && self.action.is_none_or(|a| e.action == a)
            && self.result.is_none_or(|r| e.result == r)
            && self
                .from
                .as_deref()
                .is_none_or(|f| f.is_empty() || day >= f)
            && self.to.as_deref().is_none_or(|t| t.is_empty() || day <= t)
    }
}

/// Rows exported at once from this many on count as a large export.
pub const LARGE_EXPORT_ROWS: u64 = 10_000;
/// Office hours (local): 7:00 to 20:00 on weekdays.
pub const OFFICE_HOURS: (u32, u32) = (7, 20);

/// Why an entry stands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// The 3rd or later failed login of that user (or of unknown IDs) on one day.
    RepeatedFailures,
    LargeExport,
    OutOfHours,
    Denied,
}

impl Flag {
    pub fn label(self) -> &'static str {
        match self {
            Flag::RepeatedFailures => "ログイン失敗の繰り返し",
            Flag::LargeExport => "大量の外部出力",
            Flag::OutOfHours => "時間外の利用",
            Flag::Denied => "権限のない操作",
        }
    }
}

/// The flags of each entry (same order as `entries`).
pub fn flags(entries: &[Entry]) -> Vec<Vec<Flag>> {
    use chrono::{Datelike, Timelike};
    let mut failures: BTreeMap<(String, String), u32> = BTreeMap::new();
    entries
        .iter()
        .map(|e| {
            let mut f = Vec::new();
            let local = e.local_time();
            if e.action == Action::LoginFailed {
                let n = failures
                    .entry((e.user.clone(), local.get(..10).unwrap_or("").to_string()))
                    .or_default();
                *n += 1;
                if *n >= 3 {
                    f.push(Flag::RepeatedFailures);
                }
            }
            if e.action == Action::Export && e.rows.unwrap_or(0) >= LARGE_EXPORT_ROWS {
                f.push(Flag::LargeExport);
            }
            if let Ok(t) = chrono::NaiveDateTime::parse_from_str(&local, "%Y-%m-%d %H:%M:%S") {
                let weekend = t.weekday().number_from_monday() >= 6;
                if weekend || t.hour() < OFFICE_HOURS.0 || t.hour() >= OFFICE_HOURS.1 {
                    f.push(Flag::OutOfHours);
                }
            }
            if e.result == Outcome::Denied && e.action != Action::LoginFailed {
                f.push(Flag::Denied);
            }
            f
        })
        .collect()
}

/// Counts for the viewer's charts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    pub per_user: BTreeMap<String, u64>,
    pub per_day: BTreeMap<String, u64>,
    pub per_action: BTreeMap<&'static str, u64>,
}

pub fn counts(entries: &[Entry]) -> Counts {
    let mut c = Counts::default();
    for e in entries {
        let user = if e.user.is_empty() {
            "（不明な ID）".to_string()
        } else {
            e.user.clone()
        };
        *c.per_user.entry(user).or_default() += 1;
        *c.per_day
            .entry(e.local_time().get(..10).unwrap_or("").to_string())
            .or_default() += 1;
        *c.per_action.entry(e.action.label()).or_default() += 1;
    }
    c
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Writes entries as CSV (UTF-8 with BOM, for Excel), with their MACs so that a reader can
/// tell the copy came from the chained log.
pub fn write_csv(path: &Path, entries: &[Entry]) -> Result<(), AuditError> {
    let io = |source| AuditError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    w.write_all("\u{feff}通番,日時（現地）,UTC,利用者,操作,対象,件数,結果,詳細,MAC\r\n".as_bytes())
        .map_err(io)?;
    for e in entries {
        let line = [
            e.seq.to_string(),
            e.local_time(),
            e.time_utc.clone(),
            e.user.clone(),
            e.action.label().to_string(),
            e.target.clone(),
            e.rows.map(|r| r.to_string()).unwrap_or_default(),
            e.result.label().to_string(),
            e.detail.clone(),
            e.mac.clone(),
        ]
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
        w.write_all(line.as_bytes()).map_err(io)?;
        w.write_all(b"\r\n").map_err(io)?;
    }
    w.flush().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(
        seq: u64,
        local: &str,
        user: &str,
        action: Action,
        rows: Option<u64>,
        result: Outcome,
    ) -> Entry {
        // Local times in +09:00.
        let t = chrono::DateTime::parse_from_rfc3339(&format!("{local}+09:00")).unwrap();
        Entry {
            seq,
            time_utc: t
                .with_timezone(&chrono::Utc)
                .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string(),
            offset: "+09:00".into(),
            user: user.into(),
            action,
            target: String::new(),
            rows,
            result,
            detail: String::new(),
            prev: String::new(),
            mac: String::new(),
        }
    }

    #[test]
    fn unusual_patterns_are_flagged_and_filters_apply() {
        let es = vec![
            entry(
                1,
                "2026-11-20T10:00:00",
                "sato",
                Action::LoginFailed,
                None,
                Outcome::Denied,
            ),
            entry(
                2,
                "2026-11-20T10:01:00",
                "sato",
                Action::LoginFailed,
                None,
                Outcome::Denied,
            ),
            entry(
                3,
                "2026-11-20T10:02:00",
                "sato",
                Action::LoginFailed,
                None,
                Outcome::Denied,
            ),
            entry(
                4,
                "2026-11-20T11:00:00",
                "sato",
                Action::Export,
                Some(50_000),
                Outcome::Ok,
            ),
            entry(
                5,
                "2026-11-20T22:30:00",
                "ito",
                Action::Search,
                None,
                Outcome::Ok,
            ),
            entry(
                6,
                "2026-11-21T10:00:00",
                "ito",
                Action::Search,
                None,
                Outcome::Ok,
            ),
            entry(
                7,
                "2026-11-20T12:00:00",
                "ito",
                Action::Import,
                None,
                Outcome::Denied,
            ),
        ];
        let f = flags(&es);
        assert!(f[0].is_empty() && f[1].is_empty());
        assert_eq!(f[2], vec![Flag::RepeatedFailures]);
        assert_eq!(f[3], vec![Flag::LargeExport]);
        assert_eq!(f[4], vec![Flag::OutOfHours], "22:30");
        assert_eq!(f[5], vec![Flag::OutOfHours], "2026-11-21 is a Saturday");
        assert_eq!(f[6], vec![Flag::Denied]);
        let c = counts(&es);
        assert_eq!(c.per_user["sato"], 4);
        assert_eq!(c.per_day["2026-11-20"], 6);
        let only_ito_20th = Filter {
            user: Some("ito".into()),
            from: Some("2026-11-20".into()),
            to: Some("2026-11-20".into()),
            ..Default::default()
        };
        let seqs: Vec<u64> = es
            .iter()
            .filter(|e| only_ito_20th.matches(e))
            .map(|e| e.seq)
            .collect();
        assert_eq!(seqs, vec![5, 7]);
    }
}
