//! A query in Japanese, for the screen, the audit log and the CLI:
//! 「2021年度 未受診 かつ 65〜74歳 かつ 桜井市」. Codes are written as names (municipalities,
//! small areas, institutions); a drawn shape is named by its kind.

use std::collections::HashMap;
use std::sync::Arc;

use duckdb::Connection;
use serde_json::Value;

use super::cache::SearchCache;
use super::fields::{self, CHECKUP_ITEMS, MARKS, TEST_ITEMS, text_of, values_of};
use super::query::{Cond, FieldCond, Op, Place, Query, Subject};

/// Names of codes (kept in the search cache between queries).
#[derive(Debug, Default)]
pub struct Names {
    pub areas: Arc<HashMap<String, String>>,
    pub institutions: HashMap<String, String>,
}

impl Names {
    /// The names from the cache (a name that cannot be read shows as its code).
    pub fn load(conn: &Connection, cache: &mut SearchCache) -> Names {
        Names {
            areas: cache.area_names(conn).unwrap_or_default(),
            institutions: cache
                .institutions(conn)
                .map(|i| {
                    i.list
                        .iter()
                        .map(|r| (r.code.clone(), r.name.clone()))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
    fn area(&self, code: &str) -> String {
        self.areas
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }
    fn institution(&self, code: &str) -> String {
        match self.institutions.get(code) {
            Some(n) if !n.is_empty() => n.clone(),
            _ => code.to_string(),
        }
    }
}

/// The whole query: 「2021年度 被保険者 未受診 かつ …」 (the subject is named unless it is
/// the insured).
pub fn describe(q: &Query, names: &Names) -> String {
    let mut head = String::new();
    if let Some(fy) = q.fy
        && q.subject == Subject::Insured
    {
        head.push_str(&format!("{fy}年度 "));
    }
    if q.subject != Subject::Insured {
        head.push_str(&q.subject.label());
        head.push(' ');
    }
    let body = cond(&q.cond, names, true);
    let body = if body.is_empty() {
        "すべて".to_string()
    } else {
        body
    };
    format!("{head}{body}")
}

/// With the count: 「…：1,234人」, or 「…：10人未満」 when suppressed.
pub fn with_count(q: &Query, names: &Names, count: Option<u64>, threshold: i64) -> String {
    let n = match count {
        Some(n) => format!("{}{}", thousands(n), q.subject.unit()),
        None => format!("{threshold}{}未満", q.subject.unit()),
    };
    format!("{}：{n}", describe(q, names))
}

pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn cond(c: &Cond, names: &Names, top: bool) -> String {
    match c {
        Cond::And(v) | Cond::Or(v) => {
            let word = if matches!(c, Cond::And(_)) {
                " かつ "
            } else {
                " または "
            };
            let parts: Vec<String> = v
                .iter()
                .map(|c| cond(c, names, false))
                .filter(|s| !s.is_empty())
                .collect();
            if parts.len() > 1 && !top {
                format!("（{}）", parts.join(word))
            } else {
                parts.join(word)
            }
        }
        Cond::Not(c) => format!("「{}」以外", cond(c, names, true)),
        Cond::Place(p) => place(p, names),
        Cond::Field(f) => field(f, names),
    }
}

fn place(p: &Place, names: &Names) -> String {
    let list = |codes: &[String]| {
        codes
            .iter()
            .map(|c| names.area(c))
            .collect::<Vec<_>>()
            .join("・")
    };
    match p {
        Place::Municipality(c) | Place::MedicalArea(c) | Place::SmallArea(c) => list(c),
        Place::Layer { layer, fids } => format!("{layer}の{}地物の範囲", fids.len()),
        Place::Rect(_) => "描いた矩形の範囲".into(),
        Place::Polygon(_) => "描いた多角形の範囲".into(),
        Place::Circle { radius_m, .. } => {
            format!(
                "指定地点から半径{}m以内",
                thousands(radius_m.round() as u64)
            )
        }
    }
}

fn num(v: &Value) -> String {
    text_of(v)
}

/// 「65〜74歳」「65歳以上」 and the like, with a unit.
fn compare(f: &FieldCond, label: &str, unit: &str) -> String {
    let v = values_of(&f.value);
    match f.op {
        Op::Between => format!(
            "{label}{}〜{}{unit}",
            num(v[0]),
            num(v.get(1).copied().unwrap_or(v[0]))
        ),
        Op::Eq if v.len() == 1 => format!("{label}{}{unit}", num(v[0])),
        Op::In | Op::Eq => format!(
            "{label}{}",
            v.iter()
                .map(|x| format!("{}{unit}", num(x)))
                .collect::<Vec<_>>()
                .join("・")
        ),
        Op::Ne => format!("{label}{}{unit}以外", num(v[0])),
        Op::Ge => format!("{label}{}{unit}以上", num(v[0])),
        Op::Gt => format!("{label}{}{unit}超", num(v[0])),
        Op::Le => format!("{label}{}{unit}以下", num(v[0])),
        Op::Lt => format!("{label}{}{unit}未満", num(v[0])),
        Op::Contains => format!("{label}に「{}」を含む", num(v[0])),
        Op::Has => format!(
            "{label}{}",
            v.iter().map(|x| num(x)).collect::<Vec<_>>().join("・")
        ),
    }
}

fn yes(f: &FieldCond) -> bool {
    f.value.as_bool().unwrap_or(true)
}

fn field(f: &FieldCond, names: &Names) -> String {
    let list_of = |to: &dyn Fn(&str) -> String| {
        values_of(&f.value)
            .into_iter()
            .map(|v| to(&text_of(v)))
            .collect::<Vec<_>>()
            .join("・")
    };
    match f.field.as_str() {
        "target" => if yes(f) {
            "特定健診対象者"
        } else {
            "特定健診対象外"
        }
        .into(),
        "attended" => if yes(f) { "受診" } else { "未受診" }.into(),
        "age" => compare(f, "", "歳"),
        "age_band" => list_of(&|t| format!("{t}歳")),
        "sex" => match f.value.as_i64() {
            Some(1) => "男性".into(),
            Some(2) => "女性".into(),
            _ => compare(f, "性別", ""),
        },
        "checkup_count" => compare(
            f,
            &format!("過去{}年の健診受診", f.years.unwrap_or(3)),
            "回",
        ),
        "past_institution" => format!(
            "健診機関 {} で受診歴あり",
            list_of(&|c| names.institution(c))
        ),
        "visited" => if yes(f) {
            "医療機関受診あり"
        } else {
            "医療機関受診なし"
        }
        .into(),
        "disease_group" => format!("{}の受療あり", list_of(&|t| t.to_string())),
        "icd10" => format!("傷病 {} の受療あり", list_of(&|t| format!("{t}*"))),
        "treated_at" => format!("{} で受療", list_of(&|c| names.institution(c))),
        "acquired_date" => compare(f, "資格取得日 ", ""),
        "recommended" => if yes(f) {
            "受診勧奨対象者リスト掲載"
        } else {
            "受診勧奨対象者リスト非掲載"
        }
        .into(),
        "mark" => format!(
            "印「{}」",
            list_of(&|k| MARKS
                .iter()
                .find(|(m, _)| *m == k)
                .map_or(k.to_string(), |(_, l)| l.to_string()))
        ),
        "in_list" => format!("抽出リスト「{}」", list_of(&|t| t.to_string())),
        "municipality" | "small_area" => {
            format!("住所地 {}", list_of(&|c| names.area(c)))
        }
        "match_level" => format!(
            "住所照合 {}",
            list_of(&|c| match c {
                "1" => "街区".into(),
                "2" => "町丁・字".into(),
                "3" => "曖昧".into(),
                _ => "不明".into(),
            })
        ),
        "user_table" => compare(
            f,
            &format!(
                "{}の{} ",
                f.table.as_deref().unwrap_or_default(),
                f.column.as_deref().unwrap_or_default()
            ),
            "",
        ),
        "column" => compare(
            f,
            &format!("{} ", f.column.as_deref().unwrap_or_default()),
            "",
        ),
        "name" => format!("名称に「{}」を含む", text_of(&f.value)),
        "code" => format!("機関コード {}", list_of(&|c| c.to_string())),
        "checkup" => if yes(f) {
            "特定健診実施"
        } else {
            "特定健診なし"
        }
        .into(),
        "cancer_screening" => if yes(f) {
            "がん検診実施"
        } else {
            "がん検診なし"
        }
        .into(),
        "medical" => if yes(f) {
            "医療機関"
        } else {
            "医療機関マスタ外"
        }
        .into(),
        "test_item" => format!(
            "{}を実施",
            list_of(&|k| TEST_ITEMS
                .iter()
                .find(|(t, _)| *t == k)
                .map_or(k.to_string(), |(_, l)| l.to_string()))
        ),
        "users" => compare(f, "利用者", "人"),
        other => match other.strip_prefix("checkup.") {
            Some(item) => {
                let label = CHECKUP_ITEMS
                    .iter()
                    .find(|(k, _)| *k == item)
                    .map_or(item, |(_, l)| l);
                let v = values_of(&f.value);
                match f.op {
                    Op::Between => format!(
                        "{label} {}〜{}",
                        num(v[0]),
                        num(v.get(1).copied().unwrap_or(v[0]))
                    ),
                    op => format!("{label} {} {}", sign(op), num(v[0])),
                }
            }
            None => fields::lookup(&Subject::Insured, other)
                .map_or_else(|| other.to_string(), |d| d.label.to_string()),
        },
    }
}

fn sign(op: Op) -> &'static str {
    match op {
        Op::Eq => "=",
        Op::Ne => "≠",
        Op::Lt => "<",
        Op::Le => "≦",
        Op::Gt => ">",
        Op::Ge => "≧",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_issue_example_reads_as_japanese() {
        let q = Query::insured(
            2021,
            Cond::And(vec![
                Cond::Field(FieldCond::new("attended", Op::Eq, json!(false))),
                Cond::Field(FieldCond::new("age", Op::Between, json!([65, 74]))),
                Cond::Place(Place::Municipality(vec!["29206".into()])),
            ]),
        );
        let names = Names {
            areas: Arc::new(HashMap::from([("29206".to_string(), "桜井市".to_string())])),
            ..Default::default()
        };
        assert_eq!(
            with_count(&q, &names, Some(1234), 10),
            "2021年度 未受診 かつ 65〜74歳 かつ 桜井市：1,234人"
        );
        assert_eq!(
            with_count(&q, &names, None, 10),
            "2021年度 未受診 かつ 65〜74歳 かつ 桜井市：10人未満"
        );
        let q = Query::insured(
            2021,
            Cond::And(vec![
                Cond::Field(FieldCond::new("checkup.hba1c", Op::Ge, json!(6.5))),
                Cond::Not(Box::new(Cond::Field(FieldCond::new(
                    "mark",
                    Op::Eq,
                    json!("excluded"),
                )))),
                Cond::Or(vec![
                    Cond::Field(FieldCond::new("sex", Op::Eq, json!(1))),
                    Cond::Field(FieldCond::new("age", Op::Ge, json!(70))),
                ]),
            ]),
        );
        assert_eq!(
            describe(&q, &names),
            "2021年度 HbA1c ≧ 6.5 かつ 「印「除外」」以外 かつ （男性 または 70歳以上）"
        );
    }
}
