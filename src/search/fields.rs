//! The fields a search can test, per subject: key, Japanese label, the kind of value, the
//! operators allowed and where the screen's choices come from (so that nothing has to be
//! typed as a code). Validation of a condition's value against its field is here too.

use serde_json::Value;

use super::SearchError;
use super::query::{FieldCond, Op, Subject};

/// The kind of value a field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Bool,
    Int,
    Float,
    /// `YYYY-MM-DD`.
    Date,
    /// Text (one value, or a list with `in`).
    Text,
}

/// Where the screen takes a field's choices from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choices {
    None,
    Sex,
    AgeBands,
    Municipalities,
    SmallAreas,
    MatchLevels,
    CheckupInstitutions,
    MedicalInstitutions,
    IcdGroups,
    Marks,
    TestItems,
    ExtractionLists,
}

/// One field.
#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    pub key: &'static str,
    pub label: &'static str,
    pub kind: ValueKind,
    pub ops: &'static [Op],
    pub choices: Choices,
    /// A note the screen shows under the field.
    pub note: &'static str,
}

const CMP: &[Op] = &[Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge, Op::Between];
const BOOL: &[Op] = &[Op::Eq];
const UT: &[Op] = &[Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge, Op::Contains];
const LIST: &[Op] = &[Op::Eq, Op::In];

const fn fd(
    key: &'static str,
    label: &'static str,
    kind: ValueKind,
    ops: &'static [Op],
    choices: Choices,
    note: &'static str,
) -> FieldDef {
    FieldDef {
        key,
        label,
        kind,
        ops,
        choices,
        note,
    }
}

use Choices as C;
use ValueKind as K;

/// The insured's fields (`checkup.<item>` fields come from [`CHECKUP_ITEMS`]).
pub const INSURED: &[FieldDef] = &[
    fd(
        "target",
        "特定健診の対象者",
        K::Bool,
        BOOL,
        C::None,
        "40〜74歳で年度を通じて加入（法定報告の定義）",
    ),
    fd("attended", "年度内の健診受診", K::Bool, BOOL, C::None, ""),
    fd("age", "年齢（年度末 3月31日）", K::Int, CMP, C::None, ""),
    fd(
        "age_band",
        "年齢階級（5歳）",
        K::Text,
        LIST,
        C::AgeBands,
        "",
    ),
    fd("sex", "性別", K::Int, BOOL, C::Sex, "1 = 男性、2 = 女性"),
    fd(
        "checkup_count",
        "過去N年の健診受診回数",
        K::Int,
        CMP,
        C::None,
        "years で年数（検索年度を含む）",
    ),
    fd(
        "past_institution",
        "過去の健診機関",
        K::Text,
        LIST,
        C::CheckupInstitutions,
        "年度末までに受診した健診機関",
    ),
    fd(
        "visited",
        "年度内の医療機関受診（レセプトあり）",
        K::Bool,
        BOOL,
        C::None,
        "",
    ),
    fd(
        "disease_group",
        "生活習慣病の受療（傷病グループ）",
        K::Text,
        LIST,
        C::IcdGroups,
        "年度内のレセプトの傷病名",
    ),
    fd(
        "icd10",
        "傷病名（ICD-10 コード・前方一致）",
        K::Text,
        LIST,
        C::None,
        "例 E11、I1",
    ),
    fd(
        "treated_at",
        "受療した医療機関",
        K::Text,
        LIST,
        C::MedicalInstitutions,
        "年度内のレセプト",
    ),
    fd(
        "acquired_date",
        "資格取得日",
        K::Date,
        CMP,
        C::None,
        "YYYY-MM-DD",
    ),
    fd(
        "recommended",
        "受診勧奨対象者リストに掲載",
        K::Bool,
        BOOL,
        C::None,
        "保険者ごとの最新のリスト",
    ),
    fd("mark", "印", K::Text, LIST, C::Marks, "除外・勧奨対象"),
    fd(
        "in_list",
        "抽出リストに含まれる",
        K::Text,
        LIST,
        C::ExtractionLists,
        "保存した抽出リスト（その時点の写し）",
    ),
    fd(
        "municipality",
        "住所地の市町村",
        K::Text,
        LIST,
        C::Municipalities,
        "",
    ),
    fd(
        "small_area",
        "住所地の町丁・字",
        K::Text,
        LIST,
        C::SmallAreas,
        "",
    ),
    fd(
        "match_level",
        "住所照合の一致レベル",
        K::Int,
        LIST,
        C::MatchLevels,
        "1 街区、2 町丁・字、3 曖昧、0 不明",
    ),
    fd(
        "user_table",
        "独自データの列（勤務地など）",
        K::Text,
        UT,
        C::None,
        "KDB に勤務地はありません。被保険者IDで結びつけた独自データの列で絞ります",
    ),
];

/// The institutions' fields.
pub const INSTITUTIONS: &[FieldDef] = &[
    fd(
        "name",
        "名称",
        K::Text,
        &[Op::Contains],
        C::None,
        "全角・半角、ひらがな・カタカナを区別しません",
    ),
    fd("code", "機関コード", K::Text, LIST, C::None, ""),
    fd("checkup", "特定健診を実施", K::Bool, BOOL, C::None, ""),
    fd(
        "cancer_screening",
        "がん検診を実施",
        K::Bool,
        BOOL,
        C::None,
        "",
    ),
    fd(
        "medical",
        "医療機関マスタにある",
        K::Bool,
        BOOL,
        C::None,
        "",
    ),
    fd(
        "test_item",
        "検査項目",
        K::Text,
        &[Op::Has],
        C::TestItems,
        "選んだ項目をすべて実施",
    ),
    fd(
        "users",
        "年度内の利用者数",
        K::Int,
        CMP,
        C::None,
        "レセプトまたは健診のあった被保険者",
    ),
];

/// A user table's fields: its columns, by header, as `column`.
pub const USER_TABLE: &[FieldDef] = &[fd("column", "列", K::Text, UT, C::None, "")];

/// The checkup items a value condition can test (`checkup.<key>`): column, label.
pub const CHECKUP_ITEMS: &[(&str, &str)] = &[
    ("hba1c", "HbA1c"),
    ("fasting_glucose", "空腹時血糖"),
    ("sbp", "収縮期血圧"),
    ("dbp", "拡張期血圧"),
    ("tg", "中性脂肪"),
    ("hdl", "HDLコレステロール"),
    ("ldl", "LDLコレステロール"),
    ("ast", "AST(GOT)"),
    ("alt", "ALT(GPT)"),
    ("ggt", "γ-GT"),
    ("bmi", "BMI"),
    ("waist", "腹囲"),
    ("height", "身長"),
    ("weight", "体重"),
];

/// The test items of the checkup master: column, label.
pub const TEST_ITEMS: &[(&str, &str)] = &[
    ("cancer_stomach", "胃がん検診"),
    ("cancer_lung", "肺がん検診"),
    ("cancer_colon", "大腸がん検診"),
    ("cancer_breast", "乳がん検診"),
    ("cancer_cervix", "子宮がん検診"),
    ("dock", "人間ドック"),
    ("ecg", "心電図"),
    ("fundus", "眼底検査"),
    ("anemia", "貧血検査"),
    ("creatinine", "血清クレアチニン"),
];

/// The marks: key, label.
pub const MARKS: &[(&str, &str)] = &[("excluded", "除外"), ("recommend", "勧奨対象")];

/// A checkup value field (`checkup.hba1c`).
pub fn checkup_field(key: &str) -> FieldDef {
    let label = CHECKUP_ITEMS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("健診値", |(_, l)| l);
    fd("checkup", label, K::Float, CMP, C::None, "年度内の健診の値")
}

/// The fields of `subject` (the checkup value fields of the insured come first as one
/// entry per item).
pub fn for_subject(subject: &Subject) -> Vec<(String, FieldDef)> {
    match subject {
        Subject::Insured => {
            let mut v: Vec<(String, FieldDef)> =
                INSURED.iter().map(|f| (f.key.to_string(), *f)).collect();
            for (k, _) in CHECKUP_ITEMS {
                v.push((format!("checkup.{k}"), checkup_field(k)));
            }
            v
        }
        Subject::Institutions => INSTITUTIONS
            .iter()
            .map(|f| (f.key.to_string(), *f))
            .collect(),
        Subject::UserTable(_) => USER_TABLE.iter().map(|f| (f.key.to_string(), *f)).collect(),
    }
}

/// The definition of field `key` for `subject`.
pub fn lookup(subject: &Subject, key: &str) -> Option<FieldDef> {
    if *subject == Subject::Insured
        && let Some(item) = key.strip_prefix("checkup.")
    {
        return CHECKUP_ITEMS
            .iter()
            .any(|(k, _)| *k == item)
            .then(|| checkup_field(item));
    }
    for_subject(subject)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, f)| f)
}

/// Checks a condition against its field: the field exists for the subject, the operator
/// is one it takes, and the value has the right shape.
pub fn check(subject: &Subject, c: &FieldCond, path: &str) -> Result<FieldDef, SearchError> {
    let def = lookup(subject, &c.field).ok_or_else(|| SearchError::Unknown {
        path: format!("{path}.field"),
        what: format!("{}の項目「{}」", subject.label(), c.field),
    })?;
    if !def.ops.contains(&c.op) {
        return Err(SearchError::Op {
            path: format!("{path}.op"),
            field: def.label.into(),
            op: c.op.token().into(),
        });
    }
    let want = |w: &str| SearchError::Shape {
        path: format!("{path}.value"),
        want: w.into(),
    };
    let scalar_ok = |v: &Value| match def.kind {
        K::Bool => v.is_boolean(),
        K::Int => v.as_i64().is_some(),
        K::Float => v.as_f64().is_some_and(f64::is_finite),
        K::Date => v
            .as_str()
            .is_some_and(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()),
        K::Text => v.is_string() || v.is_number(),
    };
    let kind_text = match def.kind {
        K::Bool => "true / false",
        K::Int => "整数",
        K::Float => "数値",
        K::Date => "日付（YYYY-MM-DD）",
        K::Text => "文字列",
    };
    match c.op {
        Op::Between => match c.value.as_array() {
            Some(a) if a.len() == 2 && a.iter().all(scalar_ok) => {}
            _ => return Err(want(&format!("[下限, 上限] の{kind_text}"))),
        },
        Op::In | Op::Has => match c.value.as_array() {
            Some(a) if !a.is_empty() && a.iter().all(scalar_ok) => {}
            _ => return Err(want(&format!("{kind_text}の配列（1つ以上）"))),
        },
        _ => {
            if !scalar_ok(&c.value) {
                return Err(want(kind_text));
            }
        }
    }
    if c.field == "user_table" && (c.table.is_none() || c.column.is_none()) {
        return Err(want("table（独自データの名前）と column（列の見出し）"));
    }
    if c.field == "column" && c.column.is_none() {
        return Err(want("column（列の見出し）"));
    }
    if c.field == "checkup_count" && c.years.is_none() {
        return Err(SearchError::Shape {
            path: format!("{path}.years"),
            want: "年数（1〜10）".into(),
        });
    }
    if c.field == "test_item"
        && let Some(bad) = c
            .value
            .as_array()
            .into_iter()
            .flatten()
            .map(text_of)
            .find(|s| !TEST_ITEMS.iter().any(|(k, _)| k == s))
    {
        return Err(SearchError::Unknown {
            path: format!("{path}.value"),
            what: format!("検査項目「{bad}」"),
        });
    }
    if c.field == "mark"
        && let Some(bad) = c
            .value
            .as_array()
            .into_iter()
            .flatten()
            .chain(std::iter::once(&c.value))
            .filter_map(Value::as_str)
            .find(|s| !MARKS.iter().any(|(k, _)| k == s))
    {
        return Err(SearchError::Unknown {
            path: format!("{path}.value"),
            what: format!("印「{bad}」"),
        });
    }
    Ok(def)
}

/// A value as text (codes written as numbers included).
pub fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The list of a `in` / `has` value, or the one value.
pub fn values_of(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    }
}
