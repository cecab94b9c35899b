//! Extraction (検索結果の抽出): a search's result kept as a named list, a snapshot of its
//! member keys; lists opened, renamed, deleted, and combined (A ∩ B, A − B, A ∪ B) into
//! new lists. A list of persons is personal data: making, opening or combining one needs
//! 個人情報の閲覧 and is logged with its row count; the list of lists (names and counts)
//! needs a login only.

use super::{Audited, Cx, Domain};
use crate::app::error::AppError;
use crate::app::spec::Spec;
use crate::audit::Action;
use crate::auth::Right;
use crate::search::{Query, Subject};
use crate::store::StoreError;
use crate::store::extractions::{self, Extraction, NewExtraction};

/// How two lists combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SetOp {
    /// A ∩ B
    And,
    /// A − B
    Minus,
    /// A ∪ B
    Or,
}

impl SetOp {
    pub fn sign(self) -> &'static str {
        match self {
            SetOp::And => "∩",
            SetOp::Minus => "−",
            SetOp::Or => "∪",
        }
    }
}

#[derive(Debug, Clone)]
pub enum ExtractCmd {
    /// Run `query` and keep its keys as list `name`.
    Extract {
        name: String,
        query: Query,
    },
    /// Every list (names, subjects, counts).
    Lists,
    /// A list with its member keys.
    Show {
        name: String,
    },
    Rename {
        name: String,
        to: String,
    },
    Delete {
        name: String,
    },
    /// `a` `op` `b` as a new list `name`.
    Combine {
        a: String,
        op: SetOp,
        b: String,
        name: String,
    },
}

#[derive(Debug)]
pub enum ExtractReply {
    /// A list made (by a search or a combination), with its members.
    Made {
        list: Extraction,
        keys: Vec<String>,
    },
    Lists(Vec<Extraction>),
    Shown {
        list: Extraction,
        keys: Vec<String>,
    },
    Renamed(String),
    Deleted(String),
}

fn subject_key(q: &Query) -> String {
    match &q.subject {
        Subject::Insured => "insured".into(),
        Subject::Institutions => "institutions".into(),
        Subject::UserTable(n) => format!("user_table:{n}"),
    }
}

/// Stores a new list and answers with it as stored.
fn made(conn: &duckdb::Connection, new: &NewExtraction) -> Result<ExtractReply, AppError> {
    extractions::create(conn, new)?;
    let list = extractions::find(conn, new.name)?
        .ok_or_else(|| StoreError::NotFound(format!("抽出リスト「{}」", new.name)))?;
    Ok(ExtractReply::Made {
        list,
        keys: new.keys.to_vec(),
    })
}

fn personal(label: &'static str, target: String) -> Spec {
    Spec::login(label)
        .right(Right::ViewPersonal, Action::ViewPersonal, target)
        .logged()
}

impl Domain for ExtractCmd {
    type Reply = ExtractReply;

    fn spec(&self) -> Spec {
        // Any list may hold persons (the insured, a user table): the same gate for all.
        match self {
            ExtractCmd::Extract { name, .. } => personal("抽出", format!("extraction:{name}")),
            ExtractCmd::Lists => Spec::login("抽出リストの一覧"),
            ExtractCmd::Show { name } => personal("抽出リストを開く", format!("extraction:{name}")),
            ExtractCmd::Rename { name, .. } => Spec::login("抽出リストの名前の変更")
                .right(Right::Edit, Action::Edit, format!("extraction:{name}"))
                .logged(),
            ExtractCmd::Delete { name } => Spec::login("抽出リストの削除")
                .right(Right::Edit, Action::Edit, format!("extraction:{name}"))
                .logged(),
            ExtractCmd::Combine { name, .. } => {
                personal("抽出リストの組合せ", format!("extraction:{name}"))
            }
        }
    }

    fn run(self, cx: &mut Cx<'_>) -> Result<ExtractReply, AppError> {
        let conn = cx.store.conn();
        let user = cx
            .session
            .as_ref()
            .map(|s| s.user_id.clone())
            .unwrap_or_default();
        let check = super::search::check_name;
        let get = |name: &str| -> Result<Extraction, AppError> {
            extractions::find(conn, name)?
                .ok_or_else(|| StoreError::NotFound(format!("抽出リスト「{name}」")).into())
        };
        Ok(match self {
            ExtractCmd::Extract { name, query } => {
                let name = check(&name)?;
                let keys = crate::search::run::keys(conn, cx.cache, &query)?;
                let names = crate::search::describe::Names::load(conn, cx.cache);
                let origin = crate::search::describe::describe(&query, &names);
                let json = query.to_json_string();
                let new = NewExtraction {
                    name: &name,
                    subject: &subject_key(&query),
                    fy: query.fy,
                    query: Some(&json),
                    made_by: &user,
                    origin: &origin,
                    keys: &keys,
                };
                made(conn, &new)?
            }
            ExtractCmd::Lists => ExtractReply::Lists(extractions::list(conn)?),
            ExtractCmd::Show { name } => {
                let list = get(&name)?;
                ExtractReply::Shown {
                    keys: extractions::members(conn, list.id)?,
                    list,
                }
            }
            ExtractCmd::Rename { name, to } => {
                let to = check(&to)?;
                if !extractions::rename(conn, &name, &to)? {
                    return Err(StoreError::NotFound(format!("抽出リスト「{name}」")).into());
                }
                ExtractReply::Renamed(to)
            }
            ExtractCmd::Delete { name } => {
                if !extractions::remove(conn, &name)? {
                    return Err(StoreError::NotFound(format!("抽出リスト「{name}」")).into());
                }
                ExtractReply::Deleted(name)
            }
            ExtractCmd::Combine { a, op, b, name } => {
                let name = check(&name)?;
                let (la, lb) = (get(&a)?, get(&b)?);
                if la.subject != lb.subject {
                    return Err(StoreError::Mismatch(format!(
                        "「{a}」と「{b}」は対象が違うため組み合わせられません"
                    ))
                    .into());
                }
                let ka = extractions::members(conn, la.id)?;
                let kb: std::collections::BTreeSet<String> =
                    extractions::members(conn, lb.id)?.into_iter().collect();
                let keys: Vec<String> = match op {
                    SetOp::And => ka.into_iter().filter(|k| kb.contains(k)).collect(),
                    SetOp::Minus => ka.into_iter().filter(|k| !kb.contains(k)).collect(),
                    SetOp::Or => {
                        let mut all: std::collections::BTreeSet<String> = ka.into_iter().collect();
                        all.extend(kb);
                        all.into_iter().collect()
                    }
                };
                let origin = format!("「{a}」{}「{b}」", op.sign());
                let new = NewExtraction {
                    name: &name,
                    subject: &la.subject,
                    fy: la.fy,
                    query: None,
                    made_by: &user,
                    origin: &origin,
                    keys: &keys,
                };
                made(conn, &new)?
            }
        })
    }

    fn audited(reply: &ExtractReply) -> Option<Audited> {
        Some(match reply {
            ExtractReply::Made { list, keys } | ExtractReply::Shown { list, keys } => Audited {
                rows: Some(keys.len() as u64),
                detail: list.origin.clone(),
                ..Default::default()
            },
            _ => Audited::default(),
        })
    }
}
