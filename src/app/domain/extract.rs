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
use crate::search::match_sides::{self, Partner};
use crate::search::matching::{self, MatchKey, MatchOutcome};
use crate::search::{Query, SearchError, Subject};
use crate::store::StoreError;
use crate::store::extractions::{self, Excluded, Extraction, NewExtraction};

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
    /// Matches list `name` with `with` on `keys` (AND) and keeps the matched members, or
    /// the unmatched ones, as new list `result`.
    Match {
        name: String,
        with: Partner,
        keys: Vec<MatchKey>,
        keep: Keep,
        result: String,
    },
    /// The user tables (and their headers) a list can be matched with.
    Partners,
    /// The members of list `name` inside `place` (a shape drawn on the map): how rows
    /// are picked on the map.
    Within {
        name: String,
        place: crate::search::Place,
    },
    /// Takes `keys` out of list `name`, with `reason` (除外した行).
    Exclude {
        name: String,
        keys: Vec<String>,
        reason: String,
    },
}

/// Which members a match keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// The members matched on the other side (A ∩ B).
    Match,
    /// The members with no partner (A − B). Ambiguous members are in neither list.
    NonMatch,
}

impl Keep {
    pub fn label(self) -> &'static str {
        match self {
            Keep::Match => "一致",
            Keep::NonMatch => "不一致",
        }
    }
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
        /// The rows taken out, with their reasons.
        excluded: Vec<Excluded>,
        /// The members as the search lists them (names, address, mark), for the screen.
        frame: Option<std::sync::Arc<crate::analysis::frame::DataFrame>>,
    },
    /// The user tables a list can be matched with: name and column headers.
    Partners(Vec<(String, Vec<String>)>),
    /// The members of a list inside a place.
    Within {
        name: String,
        keys: Vec<String>,
    },
    Renamed(String),
    Deleted(String),
    /// A list made by a match, with the report.
    Matched {
        /// The list matched.
        from: String,
        list: Extraction,
        keys: Vec<String>,
        report: MatchOutcome,
    },
    /// Rows taken out of a list.
    Excluded {
        list: Extraction,
        taken: usize,
    },
}

fn subject_key(q: &Query) -> String {
    match &q.subject {
        Subject::Insured => "insured".into(),
        Subject::Institutions => "institutions".into(),
        Subject::UserTable(n) => format!("user_table:{n}"),
    }
}

/// Stores a new list and answers with it as stored.
fn store(conn: &duckdb::Connection, new: &NewExtraction) -> Result<Extraction, AppError> {
    extractions::create(conn, new)?;
    Ok(extractions::find(conn, new.name)?
        .ok_or_else(|| StoreError::NotFound(format!("抽出リスト「{}」", new.name)))?)
}

fn made(conn: &duckdb::Connection, new: &NewExtraction) -> Result<ExtractReply, AppError> {
    Ok(ExtractReply::Made {
        list: store(conn, new)?,
        keys: new.keys.to_vec(),
    })
}

/// The search of a list's members in its year (the field `in_list`): how a list is shown
/// and searched within.
pub(crate) fn members_query(list: &Extraction) -> Result<Query, SearchError> {
    Query::from_json(&serde_json::json!({
        "version": 1, "subject": "insured", "fy": list.fy,
        "where": {"field": "in_list", "op": "=", "value": list.name}}))
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
            ExtractCmd::Match { result, .. } => {
                personal("突合抽出", format!("extraction:{result}"))
            }
            ExtractCmd::Partners => Spec::login("突合の相手の一覧"),
            ExtractCmd::Within { name, .. } => {
                personal("地図でリストの行を選ぶ", format!("extraction:{name}"))
            }
            ExtractCmd::Exclude { name, .. } => Spec::login("抽出リストから除外")
                .right(Right::Edit, Action::Edit, format!("extraction:{name}"))
                .logged(),
        }
    }

    fn run(self, cx: &mut Cx<'_>) -> Result<ExtractReply, AppError> {
        let conn = cx.store.conn();
        let user = cx.user();
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
                // A list of persons is shown as the search lists them: the members of
                // the list in its year.
                let frame = if list.subject == "insured" {
                    let query = members_query(&list)?;
                    let threshold = cx.sec().suppression_threshold();
                    Some(std::sync::Arc::new(crate::search::run::list(
                        conn, cx.cache, &query, threshold, true,
                    )?))
                } else {
                    None
                };
                ExtractReply::Shown {
                    keys: extractions::members(conn, list.id)?,
                    excluded: extractions::excluded(conn, list.id)?,
                    list,
                    frame,
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
            ExtractCmd::Match {
                name,
                with,
                keys,
                keep,
                result,
            } => {
                let result = check(&result)?;
                let list = get(&name)?;
                if list.subject != "insured" {
                    return Err(SearchError::Match(format!(
                        "「{name}」は被保険者の抽出リストではありません。突合は被保険者のリストでできます"
                    ))
                    .into());
                }
                if keys.is_empty() {
                    return Err(
                        SearchError::Match("突合のキーを一つ以上選んでください".into()).into(),
                    );
                }
                let mut fields: Vec<_> = keys.iter().flat_map(|k| k.fields().to_vec()).collect();
                fields.sort();
                fields.dedup();
                let left = match_sides::register_rows(conn, list.id)?;
                let right = match_sides::partner_rows(conn, &with, &fields)?;
                let report = matching::match_rows(&left, &right, &keys);
                let members: Vec<String> = match keep {
                    Keep::Match => report.matched.iter().map(|(l, _)| l.clone()).collect(),
                    Keep::NonMatch => report.unmatched_left.iter().map(|r| r.id.clone()).collect(),
                };
                let key_names: Vec<&str> = keys.iter().map(|k| k.label()).collect();
                let origin = format!(
                    "「{name}」と{}の突合（{}）: {}",
                    with.label(),
                    key_names.join("・"),
                    keep.label()
                );
                let new = NewExtraction {
                    name: &result,
                    subject: &list.subject,
                    fy: list.fy,
                    query: None,
                    made_by: &user,
                    origin: &origin,
                    keys: &members,
                };
                ExtractReply::Matched {
                    list: store(conn, &new)?,
                    keys: members,
                    report,
                    from: name,
                }
            }
            ExtractCmd::Within { name, place } => {
                let list = get(&name)?;
                let mut query = members_query(&list)?;
                query.cond = crate::search::Cond::And(vec![
                    query.cond.clone(),
                    crate::search::Cond::Place(place),
                ]);
                ExtractReply::Within {
                    keys: crate::search::run::keys(conn, cx.cache, &query)?,
                    name,
                }
            }
            ExtractCmd::Partners => {
                let mut out = Vec::new();
                for t in crate::store::user_tables::list(conn)? {
                    let headers = match_sides::user_table_headers(conn, &t.name)?;
                    out.push((t.name, headers));
                }
                ExtractReply::Partners(out)
            }
            ExtractCmd::Exclude { name, keys, reason } => {
                // How many were taken out says who is on the list.
                cx.also(Right::ViewPersonal)?;
                let reason = reason.trim();
                if reason.is_empty() {
                    return Err(StoreError::Mismatch(
                        "除外の理由を書いてください（例: 入院中のため）".into(),
                    )
                    .into());
                }
                let list = get(&name)?;
                let taken = extractions::exclude(conn, list.id, &keys, reason, &user)?;
                ExtractReply::Excluded {
                    list: get(&name)?,
                    taken,
                }
            }
        })
    }

    fn audited(reply: &ExtractReply) -> Option<Audited> {
        Some(match reply {
            ExtractReply::Made { list, keys } | ExtractReply::Shown { list, keys, .. } => Audited {
                rows: Some(keys.len() as u64),
                detail: list.origin.clone(),
                ..Default::default()
            },
            // Every row the report shows: matched, unmatched on both sides, ambiguous.
            ExtractReply::Matched { list, report, .. } => Audited {
                rows: Some(
                    (report.matched.len()
                        + report.unmatched_left.len()
                        + report.unmatched_right.len()
                        + report.incomplete.len()
                        + report
                            .ambiguous
                            .iter()
                            .map(|a| a.left.len() + a.right.len())
                            .sum::<usize>()) as u64,
                ),
                detail: list.origin.clone(),
                ..Default::default()
            },
            ExtractReply::Excluded { taken, .. } => Audited::rows(*taken as u64),
            ExtractReply::Within { keys, .. } => Audited::rows(keys.len() as u64),
            _ => Audited::default(),
        })
    }
}
