//! Marks on insured persons (属性編集・備考): set, change or clear 除外 / 勧奨対象 with a
//! reason category and a comment, for one person or many at once; read a person's marks
//! and their history. Setting needs 編集 and is audited with the number of persons;
//! reading ties a person to a reason, so it needs 個人情報の閲覧 and is logged.

use super::{Audited, Cx, Domain};
use crate::app::error::AppError;
use crate::app::spec::Spec;
use crate::audit::Action;
use crate::auth::Right;
use crate::store::marks::{self, Mark, MarkChange, NewMark};

#[derive(Debug, Clone)]
pub enum MarkCmd {
    /// Sets (`Some`) or clears (`None`) the mark of every person in `ids`.
    Set {
        ids: Vec<String>,
        mark: Option<NewMark>,
    },
    /// The marks of `ids` and the history of each.
    Show { ids: Vec<String> },
}

#[derive(Debug)]
pub enum MarkReply {
    /// The persons whose mark changed (asked: how many were named).
    Set {
        what: String,
        changed: Vec<String>,
        asked: usize,
    },
    Shown {
        marks: Vec<Mark>,
        history: Vec<MarkChange>,
    },
}

fn what(mark: &Option<NewMark>) -> String {
    match mark {
        Some(m) => format!("{}（{}）", m.mark.label(), m.reason.label()),
        None => "印の解除".into(),
    }
}

impl Domain for MarkCmd {
    type Reply = MarkReply;

    fn spec(&self) -> Spec {
        match self {
            MarkCmd::Set { ids, mark } => {
                // Counts and the mark only: who has which reason stays in the history,
                // behind 個人情報の閲覧, not in the log (which other rights read).
                Spec::login("被保険者の印")
                    .right(
                        Right::Edit,
                        Action::Edit,
                        format!("insured_marks:{}人 {}", ids.len(), what(mark)),
                    )
                    .logged()
            }
            MarkCmd::Show { ids } => Spec::login("被保険者の印を見る")
                .right(
                    Right::ViewPersonal,
                    Action::ViewPersonal,
                    format!("insured_marks:{}人", ids.len()),
                )
                .logged(),
        }
    }

    fn run(self, cx: &mut Cx<'_>) -> Result<MarkReply, AppError> {
        let conn = cx.store.conn();
        Ok(match self {
            MarkCmd::Set { ids, mark } => {
                // The answer says who already had which mark: personal data.
                cx.also(Right::ViewPersonal)?;
                let user = cx.user();
                let mark = mark.map(|mut m| {
                    m.note = m
                        .note
                        .map(|n| n.trim().to_string())
                        .filter(|n| !n.is_empty());
                    m
                });
                let changed = marks::set(conn, &ids, mark.as_ref(), &user)?;
                MarkReply::Set {
                    what: what(&mark),
                    changed,
                    asked: ids.len(),
                }
            }
            MarkCmd::Show { ids } => {
                let mut history = Vec::new();
                for id in &ids {
                    history.extend(marks::history(conn, id)?);
                }
                MarkReply::Shown {
                    marks: marks::get(conn, &ids)?,
                    history,
                }
            }
        })
    }

    fn audited(reply: &MarkReply) -> Option<Audited> {
        Some(match reply {
            // Every change is an entry with its count; the persons are in the history.
            MarkReply::Set { what, changed, .. } => Audited {
                rows: Some(changed.len() as u64),
                detail: format!("{what}: {} 人", changed.len()),
                ..Default::default()
            },
            MarkReply::Shown { marks, .. } => Audited::rows(marks.len() as u64),
        })
    }
}
