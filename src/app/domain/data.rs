//! Data management (データの検索・追加・削除): the tables a user may browse, a page of
//! rows filtered and sorted, rows added through a typed form (validated as an import
//! validates), edited or deleted with the values the user saw as a guard, and the history
//! of hand changes beside the table's imports. Browsing and the history show personal
//! data: 個人情報の閲覧, logged with the row count. Changes need 編集 and are audited.

use super::{Audited, Cx, Domain};
use crate::app::error::AppError;
use crate::app::spec::Spec;
use crate::audit::Action;
use crate::auth::Right;
use crate::import::hand_entry;
use crate::store::data_rows::{self, Browse, Column, DataTable, EditRecord, Page};

#[derive(Debug, Clone)]
pub enum DataCmd {
    /// The tables: every data table and user table, with labels and row counts.
    Tables,
    Browse {
        table: DataTable,
        browse: Browse,
    },
    /// A row typed by hand, one text per column.
    Add {
        table: DataTable,
        values: Vec<String>,
    },
    /// Row `rowid`, which showed `expected`, gets `values`.
    Edit {
        table: DataTable,
        rowid: i64,
        expected: Vec<Option<String>>,
        values: Vec<String>,
    },
    Delete {
        table: DataTable,
        rowid: i64,
        expected: Vec<Option<String>>,
    },
    /// The hand changes of a table and its imports.
    History {
        table: DataTable,
    },
}

/// A table as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct TableInfo {
    pub table: DataTable,
    pub label: String,
    pub rows: i64,
}

#[derive(Debug)]
pub enum DataReply {
    Tables(Vec<TableInfo>),
    Page {
        table: DataTable,
        browse: Browse,
        columns: Vec<Column>,
        page: Page,
    },
    /// A change made (added, edited, deleted): what, and the table.
    Changed {
        table: DataTable,
        what: String,
    },
    History {
        table: DataTable,
        edits: Vec<EditRecord>,
        imports: Vec<crate::store::ImportRecord>,
    },
}

fn target(t: &DataTable) -> String {
    format!("data:{}", t.key())
}

impl Domain for DataCmd {
    type Reply = DataReply;

    fn spec(&self) -> Spec {
        let view = |label, t: &DataTable| {
            Spec::login(label)
                .right(Right::ViewPersonal, Action::ViewPersonal, target(t))
                .logged()
        };
        let edit = |label, t: &DataTable| {
            Spec::login(label)
                .right(Right::Edit, Action::Edit, target(t))
                .logged()
        };
        match self {
            DataCmd::Tables => Spec::login("データの一覧"),
            DataCmd::Browse { table, .. } => view("データの表示", table),
            DataCmd::History { table } => view("データの変更履歴", table),
            DataCmd::Add { table, .. } => edit("データの追加", table),
            DataCmd::Edit { table, .. } => edit("データの修正", table),
            DataCmd::Delete { table, .. } => edit("データの削除", table),
        }
    }

    fn run(self, cx: &mut Cx<'_>) -> Result<DataReply, AppError> {
        if matches!(
            self,
            DataCmd::Add { .. } | DataCmd::Edit { .. } | DataCmd::Delete { .. }
        ) {
            // The guard of an edit confirms the values guessed: personal data.
            cx.also(Right::ViewPersonal)?;
        }
        let conn = cx.store.conn();
        let user = cx.user();
        Ok(match self {
            DataCmd::Tables => {
                let mut out = Vec::new();
                for (def, rows) in crate::store::data_table_counts(conn)? {
                    out.push(TableInfo {
                        table: DataTable::Kind(def.kind),
                        label: def.label.to_string(),
                        rows,
                    });
                }
                for t in crate::store::user_tables::list(conn)? {
                    out.push(TableInfo {
                        table: DataTable::User(t.id),
                        label: format!("独自データ「{}」", t.name),
                        rows: t.rows,
                    });
                }
                DataReply::Tables(out)
            }
            DataCmd::Browse { table, browse } => DataReply::Page {
                columns: data_rows::columns(conn, table)?,
                page: data_rows::page(conn, table, &browse)?,
                table,
                browse,
            },
            DataCmd::Add { table, values } => {
                let cols = data_rows::columns(conn, table)?;
                let typed = hand_entry::typed(table, &cols, &values)?;
                data_rows::insert(conn, table, &typed, &user)?;
                DataReply::Changed {
                    table,
                    what: "1 行を追加しました（手入力）".into(),
                }
            }
            DataCmd::Edit {
                table,
                rowid,
                expected,
                values,
            } => {
                let cols = data_rows::columns(conn, table)?;
                let typed = hand_entry::typed(table, &cols, &values)?;
                data_rows::update(conn, table, rowid, &expected, &typed, &user)?;
                DataReply::Changed {
                    table,
                    what: "1 行を修正しました".into(),
                }
            }
            DataCmd::Delete {
                table,
                rowid,
                expected,
            } => {
                data_rows::delete(conn, table, rowid, &expected, &user)?;
                DataReply::Changed {
                    table,
                    what: "1 行を削除しました".into(),
                }
            }
            DataCmd::History { table } => {
                let kind = match table {
                    DataTable::Kind(k) => Some(k.def().id),
                    DataTable::User(_) => None,
                };
                let imports = cx
                    .store
                    .imports()?
                    .into_iter()
                    .filter(|r| kind.is_some() && r.kind.as_deref() == kind)
                    .collect();
                DataReply::History {
                    edits: data_rows::edits(conn, table)?,
                    imports,
                    table,
                }
            }
        })
    }

    fn audited(reply: &DataReply) -> Option<Audited> {
        Some(match reply {
            DataReply::Page { page, .. } => Audited::rows(page.rows.len() as u64),
            DataReply::History { edits, .. } => Audited::rows(edits.len() as u64),
            DataReply::Changed { what, .. } => Audited {
                rows: Some(1),
                detail: what.clone(),
                ..Default::default()
            },
            DataReply::Tables(_) => Audited::default(),
        })
    }
}
