//! Search: counts (live, while a query is edited), listings and keys of the matching rows,
//! saved searches, the nearest checkup institutions, 場所移動, the choices the query
//! builder offers, and the ICD-10 groups.
//!
//! Persons are personal data: listing them or their keys needs 個人情報の閲覧 and is logged
//! with the query's description and the row count; a refusal is logged by the gate. A
//! count of insured persons under the suppression threshold reaches a user without that
//! right as 「10人未満」 (`count: None`). Text typed to find a person is logged masked.

use std::sync::Arc;

use super::{Audited, Cx, Domain};
use crate::analysis::frame::DataFrame;
use crate::app::error::AppError;
use crate::app::spec::Spec;
use crate::audit::Action;
use crate::auth::Right;
use crate::search::describe::{self, Names};
use crate::search::jump::{self, JumpHit};
use crate::search::nearest::Nearest;
use crate::search::{Query, SearchError, Subject};
use crate::store::saved_searches::{self, SavedSearch};

#[derive(Debug, Clone)]
pub enum SearchCmd {
    /// How many rows match (not logged: the builder asks on every edit).
    Count {
        query: Query,
    },
    /// The matching rows as a table (persons: 個人情報の閲覧, logged).
    List {
        query: Query,
    },
    /// The keys of the matching rows only (persons: 個人情報の閲覧, logged).
    Keys {
        query: Query,
    },
    /// Save a query under a name (own searches; `shared` lets everyone run it).
    Save {
        name: String,
        query: Query,
        shared: bool,
    },
    /// One's own and the shared saved searches.
    Saved,
    /// A saved search's query, to run or edit.
    Open {
        name: String,
    },
    Rename {
        name: String,
        to: String,
    },
    Delete {
        name: String,
    },
    /// The `n` checkup institutions nearest (lon, lat).
    Nearest {
        lon: f64,
        lat: f64,
        n: usize,
    },
    /// 場所移動: an address, a person (with the right) or an institution.
    Jump {
        text: String,
    },
    /// The lists the query builder picks from.
    Choices,
    /// Add or change an ICD-10 group (属性・コメントの編集).
    SetIcdGroup {
        name: String,
        prefixes: String,
    },
}

/// What the builder picks from: (code, name) pairs.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    pub municipalities: Vec<(String, String)>,
    pub medical_areas: Vec<(String, String)>,
    pub small_areas: Vec<(String, String)>,
    pub checkup_institutions: Vec<(String, String)>,
    pub medical_institutions: Vec<(String, String)>,
    /// Group name and its prefixes.
    pub icd_groups: Vec<(String, Vec<String>)>,
    /// User tables linked to the insured: name and column headers.
    pub user_tables: Vec<(String, Vec<String>)>,
    /// The extraction lists of persons: name and a label with the count.
    pub extraction_lists: Vec<(String, String)>,
}

#[derive(Debug)]
pub enum SearchReply {
    /// `count: None` is a count withheld (under the threshold, without the right).
    Count {
        query: Query,
        description: String,
        count: Option<u64>,
    },
    List {
        query: Query,
        description: String,
        count: u64,
        frame: Arc<DataFrame>,
    },
    Keys {
        description: String,
        keys: Vec<String>,
    },
    Saved(Vec<SavedSearch>),
    Opened {
        name: String,
        query: Query,
    },
    Nearest {
        lon: f64,
        lat: f64,
        list: Vec<Nearest>,
    },
    Jump {
        /// The text as the log has it (masked when it may name a person).
        logged_as: String,
        hits: Vec<JumpHit>,
    },
    Choices(Box<Choices>),
    IcdGroupSet(String),
}

/// Whether a query's rows may be persons: the insured, and any user table (独自データ may
/// be linked to the insured, or hold people of its own).
pub(crate) fn persons(q: &Query) -> bool {
    q.subject != Subject::Institutions
}

/// An institutions' query that would single out institutions by a user count under the
/// threshold (a count the listing withholds from a user without 個人情報の閲覧).
fn small_users(c: &crate::search::Cond, threshold: i64) -> bool {
    use crate::search::Cond;
    match c {
        Cond::And(v) | Cond::Or(v) => v.iter().any(|c| small_users(c, threshold)),
        Cond::Not(c) => small_users(c, threshold),
        Cond::Place(_) => false,
        Cond::Field(f) => {
            f.field == "users"
                && crate::search::fields::values_of(&f.value)
                    .iter()
                    .filter_map(|v| v.as_i64())
                    .any(|n| n > 0 && n < threshold)
        }
    }
}

impl Domain for SearchCmd {
    type Reply = SearchReply;

    fn spec(&self) -> Spec {
        let listing = |q: &Query, label| {
            if persons(q) {
                Spec::login(label)
                    .right(Right::ViewPersonal, Action::ViewPersonal, "search:insured")
                    .logged()
            } else {
                Spec::login(label)
                    .acts(Action::Search, format!("search:{}", q.subject.label()))
                    .logged()
            }
        };
        match self {
            SearchCmd::Count { .. } => Spec::login("検索（件数）"),
            SearchCmd::List { query } => listing(query, "検索（一覧）"),
            SearchCmd::Keys { query } => listing(query, "検索（キー）"),
            SearchCmd::Save { name, .. } => Spec::login("検索の保存")
                .acts(Action::Command, format!("saved_search:{name}"))
                .logged(),
            SearchCmd::Saved => Spec::login("よく使う検索の一覧"),
            SearchCmd::Open { .. } => Spec::login("よく使う検索を開く"),
            SearchCmd::Rename { name, .. } => Spec::login("よく使う検索の名前の変更")
                .acts(Action::Command, format!("saved_search:{name}"))
                .logged(),
            SearchCmd::Delete { name } => Spec::login("よく使う検索の削除")
                .acts(Action::Command, format!("saved_search:{name}"))
                .logged(),
            SearchCmd::Nearest { .. } => Spec::login("最寄りの健診機関"),
            SearchCmd::Jump { .. } => Spec::login("場所移動")
                .acts(Action::Search, "jump")
                .logged(),
            SearchCmd::Choices => Spec::login("検索条件の選択肢"),
            SearchCmd::SetIcdGroup { name, .. } => Spec::login("傷病グループの編集")
                .right(Right::Edit, Action::Edit, format!("icd_group:{name}"))
                .logged(),
        }
    }

    fn run(self, cx: &mut Cx<'_>) -> Result<SearchReply, AppError> {
        let conn = cx.store.conn();
        let user = cx.user();
        let personal = cx.has(Right::ViewPersonal);
        let threshold = cx.sec().suppression_threshold();
        let cache = &mut *cx.cache;
        if let SearchCmd::Count { query } | SearchCmd::List { query } | SearchCmd::Keys { query } =
            &self
            && !personal
            && query.subject == Subject::Institutions
            && small_users(&query.cond, threshold)
        {
            return Err(SearchError::SmallUsers(threshold).into());
        }
        Ok(match self {
            SearchCmd::Count { query } => {
                let n = crate::search::run::count(conn, cache, &query)?;
                // Zero too: "nobody with E11 in this 2 m circle" is as telling as "one".
                let withheld = persons(&query) && !personal && (n as i64) < threshold;
                let count = (!withheld).then_some(n);
                let names = Names::load(conn, cache);
                SearchReply::Count {
                    description: describe::with_count(&query, &names, count, threshold),
                    query,
                    count,
                }
            }
            SearchCmd::List { query } => {
                let frame = crate::search::run::list(conn, cache, &query, threshold, personal)?;
                let count = frame.height() as u64;
                let names = Names::load(conn, cache);
                SearchReply::List {
                    description: describe::with_count(&query, &names, Some(count), threshold),
                    query,
                    count,
                    frame: Arc::new(frame),
                }
            }
            SearchCmd::Keys { query } => {
                let keys = crate::search::run::keys(conn, cache, &query)?;
                let names = Names::load(conn, cache);
                SearchReply::Keys {
                    description: describe::with_count(
                        &query,
                        &names,
                        Some(keys.len() as u64),
                        threshold,
                    ),
                    keys,
                }
            }
            SearchCmd::Save {
                name,
                query,
                shared,
            } => {
                let name = check_name(&name)?;
                saved_searches::put(conn, &user, &name, &query.to_json_string(), shared)?;
                SearchReply::Saved(saved_searches::list(conn, &user)?)
            }
            SearchCmd::Saved => SearchReply::Saved(saved_searches::list(conn, &user)?),
            SearchCmd::Open { name } => {
                let s = saved_searches::get(conn, &user, &name)?
                    .ok_or_else(|| SearchError::NoSaved(name.clone()))?;
                SearchReply::Opened {
                    name,
                    query: Query::parse(&s.query)?,
                }
            }
            SearchCmd::Rename { name, to } => {
                let to = check_name(&to)?;
                if !saved_searches::rename(conn, &user, &name, &to)? {
                    return Err(SearchError::NoSaved(name).into());
                }
                SearchReply::Saved(saved_searches::list(conn, &user)?)
            }
            SearchCmd::Delete { name } => {
                if !saved_searches::remove(conn, &user, &name)? {
                    return Err(SearchError::NoSaved(name).into());
                }
                SearchReply::Saved(saved_searches::list(conn, &user)?)
            }
            SearchCmd::Nearest { lon, lat, n } => {
                let inst = cache.institutions(conn)?;
                SearchReply::Nearest {
                    lon,
                    lat,
                    list: crate::search::nearest::nearest(&inst, lon, lat, n.clamp(1, 100)),
                }
            }
            SearchCmd::Jump { text } => {
                let hits = jump::find(conn, cache, &text, personal)?;
                SearchReply::Jump {
                    logged_as: jump::logged_as(&text, &hits),
                    hits,
                }
            }
            SearchCmd::Choices => SearchReply::Choices(Box::new(choices(conn, cache)?)),
            SearchCmd::SetIcdGroup { name, prefixes } => {
                crate::search::sql::set_icd_group(conn, &name, &prefixes)?;
                SearchReply::IcdGroupSet(name)
            }
        })
    }

    fn audited(reply: &SearchReply) -> Option<Audited> {
        Some(match reply {
            SearchReply::List {
                description, count, ..
            } => Audited {
                rows: Some(*count),
                detail: description.clone(),
                ..Default::default()
            },
            SearchReply::Keys { description, keys } => Audited {
                rows: Some(keys.len() as u64),
                detail: description.clone(),
                ..Default::default()
            },
            SearchReply::Jump { logged_as, hits } => Audited {
                rows: Some(hits.len() as u64),
                detail: logged_as.clone(),
                ..Default::default()
            },
            _ => Audited::default(),
        })
    }
}

/// A saved search's or a list's name: 1 to 100 characters.
pub(super) fn check_name(name: &str) -> Result<String, AppError> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 100 {
        return Err(SearchError::Shape {
            path: "名前".into(),
            want: "1〜100 文字の名前".into(),
        }
        .into());
    }
    Ok(n.to_string())
}

fn pairs(conn: &duckdb::Connection, sql: &str) -> Result<Vec<(String, String)>, SearchError> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn choices(
    conn: &duckdb::Connection,
    cache: &mut crate::search::SearchCache,
) -> Result<Choices, SearchError> {
    let inst = cache.institutions(conn)?;
    let mut user_tables = Vec::new();
    for (name, id) in pairs(
        conn,
        "SELECT name, CAST(table_id AS VARCHAR) FROM user_tables WHERE link_to = 'insured' ORDER BY name",
    )? {
        let mut stmt = conn
            .prepare("SELECT name FROM user_table_columns WHERE table_id = CAST(? AS BIGINT) ORDER BY col_no")?;
        let cols = stmt
            .query_map(duckdb::params![id], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        user_tables.push((name, cols));
    }
    Ok(Choices {
        municipalities: pairs(conn, "SELECT code, name FROM ref_municipalities ORDER BY code")?,
        medical_areas: pairs(
            conn,
            "SELECT DISTINCT medical_area_code, medical_area_name FROM ref_municipalities ORDER BY 1",
        )?,
        small_areas: pairs(
            conn,
            "SELECT key_code, (SELECT name FROM ref_municipalities m WHERE m.code = s.municipality_code) || ' ' || s.name
             FROM ref_small_areas s ORDER BY key_code",
        )?,
        checkup_institutions: inst
            .list
            .iter()
            .filter(|i| i.checkup)
            .map(|i| (i.code.clone(), i.name.clone()))
            .collect(),
        medical_institutions: pairs(
            conn,
            "SELECT code, any_value(name) FROM medical_institutions GROUP BY code ORDER BY code",
        )?,
        icd_groups: crate::search::sql::icd_groups(conn)?,
        user_tables,
        extraction_lists: crate::store::extractions::list(conn)?
            .into_iter()
            .filter(|x| x.subject == "insured")
            .map(|x| {
                let label = format!("{}（{} 人）", x.name, x.count);
                (x.name, label)
            })
            .collect(),
    })
}
