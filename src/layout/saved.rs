//! Layouts kept in the database (印刷レイアウトの保存): a layout's JSON under its name in
//! the `layouts` table, beside the shipped templates. Opening a name finds a saved layout
//! first, then a template; a saved layout may not take a template's name.

use duckdb::Connection;

use super::model::{Layout, LayoutError};
use super::templates;
use crate::store::saved_maps::{self, Shelf};

#[derive(Debug, thiserror::Error)]
pub enum SavedError {
    #[error("レイアウトの名前を入力してください。")]
    EmptyName,
    #[error("「{0}」は用意された型の名前です。別の名前で保存してください。")]
    TemplateName(String),
    #[error("レイアウト「{0}」はありません（layout list で確認できます）。")]
    NotFound(String),
    #[error("保存したレイアウト「{name}」を読めません: {source}")]
    Corrupt { name: String, source: LayoutError },
    #[error(transparent)]
    Layout(#[from] LayoutError),
    #[error("レイアウトの保存に失敗しました: {0}")]
    Store(#[from] crate::store::StoreError),
}

/// A layout's name in the list, and when it was saved (`None`: a shipped template).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Listed {
    pub name: String,
    pub saved_at: Option<String>,
}

/// Saves `layout` under its name (replacing a saved layout of that name).
pub fn save(conn: &Connection, layout: &Layout) -> Result<(), SavedError> {
    let name = layout.name.trim();
    if name.is_empty() {
        return Err(SavedError::EmptyName);
    }
    if templates::named(name).is_some() {
        return Err(SavedError::TemplateName(name.to_string()));
    }
    layout.check()?;
    let mut l = layout.clone();
    l.name = name.to_string();
    saved_maps::put(conn, Shelf::Layouts, name, &l.to_json())?;
    Ok(())
}

/// The templates, then the saved layouts (newest first).
pub fn list(conn: &Connection) -> Result<Vec<Listed>, SavedError> {
    let mut out: Vec<Listed> = templates::all()
        .into_iter()
        .map(|t| Listed {
            name: t.name,
            saved_at: None,
        })
        .collect();
    for s in saved_maps::list(conn, Shelf::Layouts)? {
        out.push(Listed {
            name: s.name,
            saved_at: Some(s.saved_at),
        });
    }
    Ok(out)
}

/// The layout named `name`: saved, or a template.
pub fn open(conn: &Connection, name: &str) -> Result<Layout, SavedError> {
    match saved_maps::get(conn, Shelf::Layouts, name)? {
        Some(body) => Layout::from_json(&body).map_err(|source| SavedError::Corrupt {
            name: name.to_string(),
            source,
        }),
        None => templates::named(name).ok_or_else(|| SavedError::NotFound(name.to_string())),
    }
}

/// Deletes a saved layout (templates stay).
pub fn delete(conn: &Connection, name: &str) -> Result<(), SavedError> {
    if !saved_maps::remove(conn, Shelf::Layouts, name)? {
        return Err(SavedError::NotFound(name.to_string()));
    }
    Ok(())
}
