//! Marks on insured persons (属性編集・備考): 除外 (not to be reminded) or 勧奨対象, with a
//! reason category and a free comment. One mark per person, keyed by the insured id only,
//! so re-importing the register leaves marks alone. Every change writes a row of
//! `insured_mark_history` (who, when, the old and the new value) in the same transaction.

use duckdb::{Connection, params};

use super::{Result, StoreError};

/// What a mark says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkKind {
    /// 除外: leave out of reminders.
    Excluded,
    /// 勧奨対象: remind.
    Recommend,
}

impl MarkKind {
    pub fn id(self) -> &'static str {
        match self {
            MarkKind::Excluded => "excluded",
            MarkKind::Recommend => "recommend",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            MarkKind::Excluded => "除外",
            MarkKind::Recommend => "勧奨対象",
        }
    }
    pub fn from_id(s: &str) -> Option<MarkKind> {
        [MarkKind::Excluded, MarkKind::Recommend]
            .into_iter()
            .find(|m| m.id() == s)
    }
}

/// Why a person is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Hospital,
    Facility,
    Moving,
    Elsewhere,
    Refused,
    Other,
}

impl Reason {
    pub const ALL: [Reason; 6] = [
        Reason::Hospital,
        Reason::Facility,
        Reason::Moving,
        Reason::Elsewhere,
        Reason::Refused,
        Reason::Other,
    ];
    pub fn id(self) -> &'static str {
        match self {
            Reason::Hospital => "hospital",
            Reason::Facility => "facility",
            Reason::Moving => "moving",
            Reason::Elsewhere => "elsewhere",
            Reason::Refused => "refused",
            Reason::Other => "other",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Reason::Hospital => "入院中",
            Reason::Facility => "施設入所",
            Reason::Moving => "転出予定",
            Reason::Elsewhere => "職場等で受診",
            Reason::Refused => "本人の希望",
            Reason::Other => "その他",
        }
    }
    pub fn from_id(s: &str) -> Option<Reason> {
        Self::ALL.into_iter().find(|r| r.id() == s.trim())
    }
}

/// A person's mark.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Mark {
    pub insured_id: String,
    pub mark: String,
    pub reason: String,
    pub note: Option<String>,
    pub set_by: String,
    pub set_at: String,
}

/// One change of a mark.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MarkChange {
    pub insured_id: String,
    pub old_mark: Option<String>,
    pub old_reason: Option<String>,
    pub old_note: Option<String>,
    pub new_mark: Option<String>,
    pub new_reason: Option<String>,
    pub new_note: Option<String>,
    pub by: String,
    pub at: String,
}

/// A mark to set: `None` clears.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMark {
    pub mark: MarkKind,
    pub reason: Reason,
    pub note: Option<String>,
}

fn now() -> String {
    chrono::Local::now()
        .naive_local()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

const MARK_COLUMNS: &str =
    "insured_id, mark, reason, note, set_by, strftime(set_at, '%Y-%m-%d %H:%M')";

fn mark_of(r: &duckdb::Row) -> duckdb::Result<Mark> {
    Ok(Mark {
        insured_id: r.get(0)?,
        mark: r.get(1)?,
        reason: r.get(2)?,
        note: r.get(3)?,
        set_by: r.get(4)?,
        set_at: r.get(5)?,
    })
}

/// The marks of `ids` (those that have one).
pub fn get(conn: &Connection, ids: &[String]) -> Result<Vec<Mark>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {MARK_COLUMNS} FROM insured_marks WHERE insured_id = ?"
    ))?;
    let mut out = Vec::new();
    for id in ids {
        let mut rows = stmt.query(params![id])?;
        if let Some(r) = rows.next()? {
            out.push(mark_of(r)?);
        }
    }
    Ok(out)
}

/// Sets (or with `None` clears) the mark of every id in `ids`, in one transaction, with a
/// history row per person whose mark changes. Ids not in the register are refused, so a
/// typing error cannot mark nobody. Returns the persons whose mark changed.
pub fn set(
    conn: &Connection,
    ids: &[String],
    new: Option<&NewMark>,
    by: &str,
) -> Result<Vec<String>> {
    let at = now();
    super::in_transaction(conn, || -> Result<Vec<String>> {
        let mut changed = Vec::new();
        for id in ids {
            let known: i64 = conn.query_row(
                "SELECT count(*) FROM insured WHERE insured_id = ?",
                params![id],
                |r| r.get(0),
            )?;
            if known == 0 {
                return Err(StoreError::NotFound(format!("被保険者ID {id}")));
            }
            let old = get(conn, std::slice::from_ref(id))?.pop();
            let same = match (&old, new) {
                (None, None) => true,
                (Some(o), Some(w)) => {
                    o.mark == w.mark.id() && o.reason == w.reason.id() && o.note == w.note
                }
                _ => false,
            };
            if same {
                continue;
            }
            conn.execute(
                "INSERT INTO insured_mark_history (insured_id, old_mark, old_reason, old_note,
                     new_mark, new_reason, new_note, changed_by, changed_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TIMESTAMP))",
                params![
                    id,
                    old.as_ref().map(|o| o.mark.clone()),
                    old.as_ref().map(|o| o.reason.clone()),
                    old.as_ref().and_then(|o| o.note.clone()),
                    new.map(|w| w.mark.id()),
                    new.map(|w| w.reason.id()),
                    new.and_then(|w| w.note.clone()),
                    by,
                    at
                ],
            )?;
            conn.execute(
                "DELETE FROM insured_marks WHERE insured_id = ?",
                params![id],
            )?;
            if let Some(w) = new {
                conn.execute(
                    "INSERT INTO insured_marks VALUES (?, ?, ?, ?, ?, CAST(? AS TIMESTAMP))",
                    params![id, w.mark.id(), w.reason.id(), w.note, by, at],
                )?;
            }
            changed.push(id.clone());
        }
        Ok(changed)
    })
}

/// The changes of a person's mark, oldest first.
pub fn history(conn: &Connection, id: &str) -> Result<Vec<MarkChange>> {
    let mut stmt = conn.prepare(
        "SELECT insured_id, old_mark, old_reason, old_note, new_mark, new_reason, new_note,
                changed_by, strftime(changed_at, '%Y-%m-%d %H:%M:%S')
         FROM insured_mark_history WHERE insured_id = ? ORDER BY id",
    )?;
    let rows = stmt.query_map(params![id], |r| {
        Ok(MarkChange {
            insured_id: r.get(0)?,
            old_mark: r.get(1)?,
            old_reason: r.get(2)?,
            old_note: r.get(3)?,
            new_mark: r.get(4)?,
            new_reason: r.get(5)?,
            new_note: r.get(6)?,
            by: r.get(7)?,
            at: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}
