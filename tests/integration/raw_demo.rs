//! The demo's raw records read back in plain Rust, for expectations computed without the
//! app's import or SQL: the insured register and the checkup files as the generator wrote
//! them (CP932, report lines above the header, a 合計 row, dates in five styles, sex as a
//! digit or a kanji), and the 法定報告 target and attendance rules restated here.

use std::collections::HashMap;
use std::path::Path;

use chrono::{Datelike, NaiveDate};

use super::common::demo;

/// One insured person of the register.
#[derive(Debug, Clone)]
pub struct Person {
    pub sex: i8,
    pub birth: NaiveDate,
    pub acquired: NaiveDate,
    pub lost: Option<NaiveDate>,
    pub municipality: String,
}

/// The data rows of a demo CSV as column → value maps (the header is the row starting
/// with `first_column`; rows above it and the 合計 row are not data).
pub fn rows(path: &Path, first_column: &str) -> Vec<HashMap<String, String>> {
    let bytes = std::fs::read(path).unwrap();
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!bad, "{} is CP932", path.display());
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut header: Option<Vec<String>> = None;
    let mut out = Vec::new();
    for rec in reader.records() {
        let rec = rec.unwrap();
        match &header {
            None if rec.get(0) == Some(first_column) => {
                header = Some(rec.iter().map(str::to_string).collect());
            }
            None => {}
            Some(_) if rec.get(0) == Some("合計") => {}
            Some(h) => out.push(
                h.iter()
                    .cloned()
                    .zip(rec.iter().map(str::to_string))
                    .collect(),
            ),
        }
    }
    assert!(header.is_some(), "no header in {}", path.display());
    out
}

/// A date as the generator writes them: `2021/04/01`, `20210401`, `R03.04.01`, `R3.4.1`,
/// `令和3年4月1日` (元年 for the first year).
pub fn date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    const ERAS: [(&str, &str, i32); 5] = [
        ("M", "明治", 1868),
        ("T", "大正", 1912),
        ("S", "昭和", 1926),
        ("H", "平成", 1989),
        ("R", "令和", 2019),
    ];
    for (letter, kanji, first_year) in ERAS {
        if let Some(rest) = t.strip_prefix(letter).or_else(|| t.strip_prefix(kanji)) {
            let parts: Vec<&str> = rest
                .split(['.', '年', '月', '日'])
                .filter(|p| !p.is_empty())
                .collect();
            let n: i32 = if parts[0] == "元" {
                1
            } else {
                parts[0].parse().unwrap()
            };
            return NaiveDate::from_ymd_opt(
                first_year + n - 1,
                parts[1].parse().unwrap(),
                parts[2].parse().unwrap(),
            );
        }
    }
    if t.contains('/') {
        let p: Vec<&str> = t.split('/').collect();
        return NaiveDate::from_ymd_opt(
            p[0].parse().unwrap(),
            p[1].parse().unwrap(),
            p[2].parse().unwrap(),
        );
    }
    assert_eq!(t.len(), 8, "a date: {t}");
    NaiveDate::from_ymd_opt(
        t[..4].parse().unwrap(),
        t[4..6].parse().unwrap(),
        t[6..].parse().unwrap(),
    )
}

/// The insured register, by insured ID.
pub fn insured() -> HashMap<String, Person> {
    rows(&demo().file("被保険者台帳.csv"), "被保険者ID")
        .into_iter()
        .map(|r| {
            let sex = match r["性別"].as_str() {
                "1" | "男" => 1,
                "2" | "女" => 2,
                s => panic!("sex {s}"),
            };
            (
                r["被保険者ID"].clone(),
                Person {
                    sex,
                    birth: date(&r["生年月日"]).unwrap(),
                    acquired: date(&r["資格取得日"]).unwrap(),
                    lost: date(&r["資格喪失日"]),
                    municipality: r["市町村コード"].clone(),
                },
            )
        })
        .collect()
}

/// Every checkup date of every person, from all checkup files.
pub fn checkup_dates() -> HashMap<String, Vec<NaiveDate>> {
    let mut out: HashMap<String, Vec<NaiveDate>> = HashMap::new();
    for f in demo().summary.files.iter().filter(|f| {
        f.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("健診結果_"))
    }) {
        for r in rows(f, "被保険者ID") {
            out.entry(r["被保険者ID"].clone())
                .or_default()
                .push(date(&r["健診受診日"]).unwrap());
        }
    }
    out
}

fn fy_bounds(fy: i32) -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(fy, 4, 1).unwrap(),
        NaiveDate::from_ymd_opt(fy + 1, 3, 31).unwrap(),
    )
}

impl Person {
    /// Age on 31 March at the end of fiscal year `fy` (a 29 February birthday has passed).
    pub fn age(&self, fy: i32) -> i32 {
        let (_, end) = fy_bounds(fy);
        let had_birthday = (self.birth.month(), self.birth.day()) <= (3, 31);
        end.year() - self.birth.year() - if had_birthday { 0 } else { 1 }
    }

    /// A target of `fy`: aged 40–74 on 31 March, insured from 1 April and not lost
    /// before the year ended.
    pub fn target(&self, fy: i32) -> bool {
        let (start, end) = fy_bounds(fy);
        (40..=74).contains(&self.age(fy))
            && self.acquired <= start
            && self.lost.is_none_or(|l| l > end)
    }
}

/// Whether `dates` has a checkup within fiscal year `fy`.
pub fn attended(dates: Option<&Vec<NaiveDate>>, fy: i32) -> bool {
    let (start, end) = fy_bounds(fy);
    dates.is_some_and(|d| d.iter().any(|d| (start..=end).contains(d)))
}

#[test]
fn dates_in_every_style_the_generator_writes() {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
    assert_eq!(date("2021/04/01"), d(2021, 4, 1));
    assert_eq!(date("20210401"), d(2021, 4, 1));
    assert_eq!(date("R03.04.01"), d(2021, 4, 1));
    assert_eq!(date("H29.4.1"), d(2017, 4, 1));
    assert_eq!(date("昭和35年12月31日"), d(1960, 12, 31));
    assert_eq!(date("令和元年5月1日"), d(2019, 5, 1));
    assert_eq!(date(""), None);
}
