//! Dates as Japanese files write them: western (`2021/4/1`, `20210401`), wareki with era
//! letters or kanji (`R3.4.1`, `R030401`, `令和元年5月1日`, `H31.4.30`), era number codes
//! (`4310401` = H31.04.01), and Excel serial numbers (`44287`). Also year-months for
//! service months and fiscal years (`令和3年度`), and the reverse: writing wareki.

use chrono::{Datelike, NaiveDate};

/// A Japanese era: its kanji, its letter, its number code and its first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Era {
    pub kanji: &'static str,
    pub letter: char,
    pub code: u32,
    pub start: (i32, u32, u32),
}

pub const ERAS: [Era; 5] = [
    Era {
        kanji: "明治",
        letter: 'M',
        code: 1,
        start: (1868, 1, 25),
    },
    Era {
        kanji: "大正",
        letter: 'T',
        code: 2,
        start: (1912, 7, 30),
    },
    Era {
        kanji: "昭和",
        letter: 'S',
        code: 3,
        start: (1926, 12, 25),
    },
    Era {
        kanji: "平成",
        letter: 'H',
        code: 4,
        start: (1989, 1, 8),
    },
    Era {
        kanji: "令和",
        letter: 'R',
        code: 5,
        start: (2019, 5, 1),
    },
];

impl Era {
    /// The western year of this era's year `n` (元年 = 1).
    pub fn western_year(&self, n: i32) -> i32 {
        self.start.0 + n - 1
    }
    fn by_letter(c: char) -> Option<&'static Era> {
        let c = c.to_ascii_uppercase();
        ERAS.iter().find(|e| e.letter == c)
    }
    fn by_code(code: u32) -> Option<&'static Era> {
        ERAS.iter().find(|e| e.code == code)
    }
    /// The era a date falls in.
    pub fn of(date: NaiveDate) -> &'static Era {
        ERAS.iter()
            .rev()
            .find(|e| {
                date >= NaiveDate::from_ymd_opt(e.start.0, e.start.1, e.start.2)
                    .unwrap_or(NaiveDate::MIN)
            })
            .unwrap_or(&ERAS[0])
    }
}

/// A date (or year-month) taken apart but not yet validated as a calendar date.
struct Parts {
    year: i32,
    month: u32,
    day: Option<u32>,
}

/// Parses a full date in any of the forms above. Returns `None` for anything else,
/// including impossible dates (`2021/2/30`).
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let s = super::normalize::fold_width(raw.trim());
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let parts = if s.bytes().all(|b| b.is_ascii_digit()) {
        digits_only(s)?
    } else {
        with_separators(s)?
    };
    NaiveDate::from_ymd_opt(parts.year, parts.month, parts.day?)
}

/// Parses a year-month (`202104`, `2021/04`, `R03.04`, `令和3年4月`, or a full date) and
/// returns the first day of that month.
pub fn parse_month(raw: &str) -> Option<NaiveDate> {
    let s = super::normalize::fold_width(raw.trim());
    let s = s.trim();
    let parts = if s.bytes().all(|b| b.is_ascii_digit()) {
        match s.len() {
            6 => Parts {
                year: s[..4].parse().ok()?,
                month: s[4..].parse().ok()?,
                day: None,
            },
            5 => {
                // era code + yy + mm: 50304 = R03.04
                let era = Era::by_code(s[..1].parse().ok()?)?;
                Parts {
                    year: era.western_year(s[1..3].parse().ok()?),
                    month: s[3..].parse().ok()?,
                    day: None,
                }
            }
            _ => digits_only(s)?,
        }
    } else {
        with_separators(s)?
    };
    NaiveDate::from_ymd_opt(parts.year, parts.month, 1)
}

/// Parses a fiscal year: `2021`, `2021年度`, `R3`, `令和3年度`, `令和元年度`.
pub fn parse_fiscal_year(raw: &str) -> Option<i32> {
    let s = super::normalize::fold_width(raw.trim());
    let s = s.trim().trim_end_matches("年度").trim_end_matches('年');
    if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let (era, rest) = split_era(s)?;
    Some(era.western_year(era_year(rest)?))
}

/// 8 digits = yyyymmdd; 7 digits = era code + yymmdd; 4–5 digits = Excel serial.
fn digits_only(s: &str) -> Option<Parts> {
    match s.len() {
        8 => Some(Parts {
            year: s[..4].parse().ok()?,
            month: s[4..6].parse().ok()?,
            day: Some(s[6..].parse().ok()?),
        }),
        7 => {
            let era = Era::by_code(s[..1].parse().ok()?)?;
            Some(Parts {
                year: era.western_year(s[1..3].parse().ok()?),
                month: s[3..5].parse().ok()?,
                day: Some(s[5..].parse().ok()?),
            })
        }
        4 | 5 => {
            let serial: i64 = s.parse().ok()?;
            // Excel's day 60 is the fictitious 1900-02-29; serials past it are off by one.
            let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
            if serial < 61 {
                return None;
            }
            let d = base.checked_add_signed(chrono::Duration::days(serial))?;
            Some(Parts {
                year: d.year(),
                month: d.month(),
                day: Some(d.day()),
            })
        }
        _ => None,
    }
}

/// Splits an era prefix (`R`, `令和`) from the rest.
fn split_era(s: &str) -> Option<(&'static Era, &str)> {
    for era in &ERAS {
        if let Some(rest) = s.strip_prefix(era.kanji) {
            return Some((era, rest));
        }
    }
    let first = s.chars().next()?;
    if first.is_ascii_alphabetic() {
        return Some((Era::by_letter(first)?, &s[1..]));
    }
    None
}

fn era_year(s: &str) -> Option<i32> {
    let s = s.trim();
    if s == "元" {
        return Some(1);
    }
    let n: i32 = s.parse().ok()?;
    (1..=99).contains(&n).then_some(n)
}

/// Forms with separators: `2021/4/1`, `2021-04-01`, `2021年4月1日`, `R3.4.1`, `令和元年5月1日`,
/// `R030401`, `H31/4/30`, and year-months (`2021/04`, `R03.04`).
fn with_separators(s: &str) -> Option<Parts> {
    let (era, rest) = match split_era(s) {
        Some((e, r)) => (Some(e), r.trim_start_matches(['.', ' '])),
        None => (None, s),
    };
    // Compact wareki: R030401 / R0304
    if let Some(era) = era
        && rest.bytes().all(|b| b.is_ascii_digit())
        && (rest.len() == 6 || rest.len() == 4)
    {
        return Some(Parts {
            year: era.western_year(rest[..2].parse().ok()?),
            month: rest[2..4].parse().ok()?,
            day: if rest.len() == 6 {
                Some(rest[4..6].parse().ok()?)
            } else {
                None
            },
        });
    }
    let mut fields: Vec<&str> = rest
        .split(['/', '-', '.', '年', '月', '日', ' '])
        .filter(|p| !p.is_empty())
        .collect();
    if fields.len() < 2 || fields.len() > 3 {
        return None;
    }
    let year = match era {
        Some(e) => e.western_year(era_year(fields[0])?),
        None => {
            if fields[0].len() != 4 {
                return None;
            }
            fields[0].parse().ok()?
        }
    };
    let month: u32 = fields[1].parse().ok()?;
    let day = if fields.len() == 3 {
        Some(fields.remove(2).parse().ok()?)
    } else {
        None
    };
    Some(Parts { year, month, day })
}

/// How the demo writer spells a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    /// `2021/04/01`
    Slash,
    /// `20210401`
    Compact,
    /// `R03.04.01`
    LetterPadded,
    /// `H29.4.1`
    LetterShort,
    /// `令和3年4月1日`, `令和元年5月1日`
    Kanji,
}

/// Writes a date in the given style.
pub fn format_date(d: NaiveDate, style: DateStyle) -> String {
    let era = Era::of(d);
    let n = d.year() - era.start.0 + 1;
    match style {
        DateStyle::Slash => format!("{:04}/{:02}/{:02}", d.year(), d.month(), d.day()),
        DateStyle::Compact => format!("{:04}{:02}{:02}", d.year(), d.month(), d.day()),
        DateStyle::LetterPadded => {
            format!("{}{:02}.{:02}.{:02}", era.letter, n, d.month(), d.day())
        }
        DateStyle::LetterShort => format!("{}{}.{}.{}", era.letter, n, d.month(), d.day()),
        DateStyle::Kanji => {
            let y = if n == 1 {
                "元".to_string()
            } else {
                n.to_string()
            };
            format!("{}{}年{}月{}日", era.kanji, y, d.month(), d.day())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_documented_form() {
        let cases = [
            ("2021/04/01", d(2021, 4, 1)),
            ("2021-04-01", d(2021, 4, 1)),
            ("20210401", d(2021, 4, 1)),
            ("2021/4/1", d(2021, 4, 1)),
            ("2021年4月1日", d(2021, 4, 1)),
            ("R3.4.1", d(2021, 4, 1)),
            ("R03.04.01", d(2021, 4, 1)),
            ("R030401", d(2021, 4, 1)),
            ("令和3年4月1日", d(2021, 4, 1)),
            ("令和元年5月1日", d(2019, 5, 1)),
            ("H31.4.30", d(2019, 4, 30)),
            ("平成31年4月30日", d(2019, 4, 30)),
            ("S45.3.3", d(1970, 3, 3)),
            ("昭和45年3月3日", d(1970, 3, 3)),
            ("T15.1.1", d(1926, 1, 1)),
            ("M45.7.29", d(1912, 7, 29)),
            ("4310401", d(2019, 4, 1)),
            ("44287", d(2021, 4, 1)),
            ("Ｒ０３．０４．０１", d(2021, 4, 1)),
            ("h29.4.1", d(2017, 4, 1)),
        ];
        for (s, want) in cases {
            assert_eq!(parse_date(s), Some(want), "{s}");
        }
    }

    #[test]
    fn impossible_and_partial_dates_are_refused() {
        for s in [
            "2021/2/30",
            "R3.13.1",
            "T15",
            "M45",
            "abc",
            "2021/04",
            "R3.4.1.5",
            "12345678",
        ] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }

    #[test]
    fn leap_day_birth() {
        assert_eq!(parse_date("H12.2.29"), Some(d(2000, 2, 29)));
        assert_eq!(parse_date("H13.2.29"), None);
    }

    #[test]
    fn months_and_fiscal_years() {
        assert_eq!(parse_month("202104"), Some(d(2021, 4, 1)));
        assert_eq!(parse_month("2021/04"), Some(d(2021, 4, 1)));
        assert_eq!(parse_month("R03.04"), Some(d(2021, 4, 1)));
        assert_eq!(parse_month("令和3年4月"), Some(d(2021, 4, 1)));
        assert_eq!(parse_month("50304"), Some(d(2021, 4, 1)));
        assert_eq!(parse_fiscal_year("令和3年度"), Some(2021));
        assert_eq!(parse_fiscal_year("令和元年度"), Some(2019));
        assert_eq!(parse_fiscal_year("H29"), Some(2017));
        assert_eq!(parse_fiscal_year("2020年度"), Some(2020));
    }

    #[test]
    fn writing_round_trips() {
        for day in [
            d(2017, 4, 1),
            d(2019, 4, 30),
            d(2019, 5, 1),
            d(1947, 2, 28),
            d(2000, 2, 29),
        ] {
            for style in [
                DateStyle::Slash,
                DateStyle::Compact,
                DateStyle::LetterPadded,
                DateStyle::LetterShort,
                DateStyle::Kanji,
            ] {
                let s = format_date(day, style);
                assert_eq!(parse_date(&s), Some(day), "{s}");
            }
        }
        assert_eq!(
            format_date(d(2019, 5, 1), DateStyle::Kanji),
            "令和元年5月1日"
        );
        assert_eq!(
            format_date(d(2021, 4, 1), DateStyle::LetterPadded),
            "R03.04.01"
        );
    }
}
