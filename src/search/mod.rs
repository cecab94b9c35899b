//! Search (検索): find the insured, the institutions or a user table's rows by attributes
//! and by place, and the checkup institutions nearest a point. Plain Rust over the store;
//! the engine's search domain runs it behind its gates (persons are listed only with
//! 個人情報の閲覧, and every listing is logged).
//!
//! - [`query`]: the typed, serialisable query (JSON version 1);
//! - [`fields`]: what each subject can be searched by;
//! - [`place`] and [`region`]: places as polygons or geodesic circles;
//! - [`sql`]: one parameterised statement per query, places prefiltered by the R-tree;
//! - [`run`]: count, keys, listing (a polars frame); [`describe`]: the query in Japanese;
//! - [`nearest`], [`jump`] (場所移動), [`cache`] (what stays in memory between searches),
//!   [`index`] (the claims per fiscal year, as searches read them).

pub mod cache;
pub mod describe;
pub mod fields;
pub mod index;
pub mod jump;
pub mod match_sides;
pub mod matching;
pub mod nearest;
pub mod place;
pub mod query;
pub mod recommended;
pub mod region;
pub mod run;
pub mod sql;

pub use cache::SearchCache;
pub use query::{Cond, FieldCond, Op, Place, Query, Subject};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("検索条件の JSON が読めません（{line}行 {column}列）: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("検索条件の版 {0} には対応していません（version は 1 にしてください）")]
    Version(u64),
    #[error("検索条件の {path} には {want} を書いてください")]
    Shape { path: String, want: String },
    #[error("検索条件の {path}: {what}はありません。README の「検索条件」の一覧から選んでください")]
    Unknown { path: String, what: String },
    #[error("検索条件の {path}: 「{field}」には演算子 {op} を使えません")]
    Op {
        path: String,
        field: String,
        op: String,
    },
    #[error("レイヤ「{0}」がありません。地図レイヤの管理で確かめてください")]
    NoLayer(String),
    #[error(
        "レイヤ「{0}」は面のレイヤではありません。範囲には面（ポリゴン）のレイヤを選んでください"
    )]
    NotAreaLayer(String),
    #[error("レイヤ「{layer}」にコード・番号 {code} の地物がありません")]
    NoArea { layer: String, code: String },
    #[error("レイヤを読めません: {0}")]
    Layer(String),
    #[error("{0}")]
    Wkt(#[from] crate::geo::wkt::WktError),
    #[error("独自データ「{0}」がありません")]
    NoUserTable(String),
    #[error(
        "独自データ「{0}」は被保険者IDで結びつけられていません。取込のときにキー列と結びつけ先（被保険者）を指定してください"
    )]
    NotLinked(String),
    #[error("独自データに列「{0}」がありません")]
    NoColumn(String),
    #[error(
        "この独自データには位置がありません（被保険者または医療機関に結びつけたものだけが場所で絞れます）"
    )]
    UnplacedTable,
    #[error("傷病グループ「{0}」がありません")]
    NoIcdGroup(String),
    #[error("よく使う検索「{0}」がありません")]
    NoSaved(String),
    #[error(
        "利用者数が {0} 人未満の条件は「個人情報の閲覧」の権限がある利用者だけが使えます（{0} 以上にしてください）"
    )]
    SmallUsers(i64),
    #[error("医療機関の利用者数で絞るには年度（fy）を指定してください")]
    UsersNeedYear,
    #[error("円の半径は 0〜200,000 m、経度・緯度は日本の範囲にしてください")]
    BadCircle,
    #[error("{0}")]
    Match(String),
    #[error(
        "「{table}」に{field}の列が見つかりません。突合の画面で列を選ぶか、--column {key}=列名 で指定してください"
    )]
    NoMatchColumn {
        table: String,
        field: &'static str,
        key: &'static str,
    },
    #[error("検索に失敗しました: {0}")]
    Sql(#[from] duckdb::Error),
    #[error("検索に失敗しました: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("検索結果の表を作れません: {0}")]
    Frame(String),
}
