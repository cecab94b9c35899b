//! The demo's recommendation list (特定健康診査受診勧奨対象者リスト, made 2022-04-01 by the
//! medical-cost analysis system), written the way such a list differs from the register:
//! - mostly FY2021 non-attenders, but about 15% attended anyway and a few lost their
//!   insurance during the year (the list was drawn from older data);
//! - a few persons listed twice, which a match must report as ambiguous;
//! - some rows without 被保険者ID, some 記号・番号 with full-width digits, spaces or no
//!   hyphen;
//! - names in standard kanji where the register has the old form (髙→高, 﨑→崎), kana in
//!   half width, without the space, or with small kana written large (キヨウコ).
//!
//! `truth.json` records each listed person's status and variants ([`ListMember`]).

use super::DemoError;
use super::csv_out::CsvOut;
use super::names;
use super::population::{self, Person};
use super::records::{Context, DATE_STYLES, to_halfwidth_kana, ymd};
use super::rng::Rng;
use super::truth::{ListMember, ListStatus};
use crate::import::wareki::format_date;

/// The share of the list that attended anyway.
const ATTENDED_SHARE: f64 = 0.15;

impl Context<'_> {
    /// Writes the list; returns its row count and who is on it.
    pub(super) fn recommendations(
        &self,
        name: &str,
        attended: &[u8],
    ) -> Result<(u64, Vec<ListMember>), DemoError> {
        let mut rng = Rng::fork(self.opts.seed, 70);
        let (fy_start, fy_end) = (ymd(2021, 4, 1), ymd(2022, 3, 31));
        let mut chosen: Vec<(&Person, ListStatus, &'static str)> = Vec::new();
        let mut attended_pool = Vec::new();
        let mut lost_pool = Vec::new();
        for p in self.people {
            let age_ok = (40..=74).contains(&p.age_on(fy_end));
            let insured_all_year = p.acquired <= fy_start && p.lost.is_none_or(|l| l > fy_end);
            let mask = attended[p.id as usize - 1];
            let category = if mask & 0b01110 == 0 {
                "3年連続未受診"
            } else if p.conditions != 0 {
                "生活習慣病治療中・健診未受診"
            } else {
                continue;
            };
            let this_year = mask & (1 << 4) != 0;
            if age_ok && insured_all_year && !this_year {
                if rng.chance(0.6) {
                    chosen.push((p, ListStatus::NonAttender, category));
                }
            } else if age_ok && insured_all_year {
                attended_pool.push((p, ListStatus::Attended, category));
            } else if age_ok
                && p.acquired <= fy_start
                && p.lost.is_some_and(|l| l > fy_start && l <= fy_end)
                && !this_year
            {
                lost_pool.push((p, ListStatus::NoLongerInsured, category));
            }
        }
        let non_attenders = chosen.len();
        let want_attended =
            (non_attenders as f64 * ATTENDED_SHARE / (1.0 - ATTENDED_SHARE)).round() as usize;
        chosen.extend(sample(&mut rng, attended_pool, want_attended));
        chosen.extend(sample(&mut rng, lost_pool, (non_attenders / 100).max(3)));
        chosen.sort_by_key(|c| c.0.id);
        // Listed twice: every 150th non-attender.
        let twice = |p: &Person| p.id % 150 == 7;

        let header = [
            "保険者番号",
            "記号番号",
            "被保険者ID",
            "氏名",
            "カナ氏名",
            "生年月日",
            "住所",
            "勧奨区分",
            "作成日",
        ];
        let mut w = CsvOut::create(&self.path(name), &[], &header)?;
        let mut members = Vec::with_capacity(chosen.len());
        for (p, status, category) in chosen {
            let rows = if status == ListStatus::NonAttender && twice(p) {
                2
            } else {
                1
            };
            let mut m = ListMember {
                insured_id: p.insured_id(),
                status,
                rows,
                without_id: 0,
                symbol_reformatted: 0,
                kanji_variant: false,
            };
            for _ in 0..rows {
                let row = self.list_row(p, category, &mut rng, &mut m);
                w.row(&row.iter().map(String::as_str).collect::<Vec<_>>())?;
            }
            members.push(m);
        }
        Ok((w.finish()?, members))
    }

    fn list_row(
        &self,
        p: &Person,
        category: &str,
        rng: &mut Rng,
        m: &mut ListMember,
    ) -> Vec<String> {
        let area = &self.areas[p.area as usize];
        let muni = &self.munis[area.muni];
        let (sur, sur_kana, given, given_kana) = names::of(p.surname, p.given, p.sex);
        // The analysis system has no CP932 extension kanji: 髙 and 﨑 come out standard.
        let standard = sur.replace('髙', "高").replace('﨑', "崎");
        m.kanji_variant = standard != sur;
        let id = if rng.chance(0.08) {
            m.without_id += 1;
            String::new()
        } else {
            p.insured_id()
        };
        let (muni_no, person_no) = (format!("{:02}", area.muni + 1), format!("{:06}", p.id));
        let symbol = match rng.range(0, 10) {
            0 => format!("奈{}－{}", full_width(&muni_no), full_width(&person_no)),
            1 => format!("奈{muni_no}{person_no}"),
            2 => format!("奈{muni_no} {person_no}"),
            _ => format!("奈{muni_no}-{person_no}"),
        };
        if !symbol.contains('-') || symbol.contains(' ') {
            m.symbol_reformatted += 1;
        }
        let mut kana = format!("{sur_kana} {given_kana}");
        if rng.chance(0.3) {
            kana = large_kana(&kana);
        }
        if rng.chance(0.2) {
            kana = to_halfwidth_kana(&kana);
        }
        if rng.chance(0.3) {
            kana = kana.replace(' ', "");
        }
        vec![
            muni.insurer_no.clone(),
            symbol,
            id,
            format!("{standard} {given}"),
            kana,
            format_date(p.birth, *rng.pick(&DATE_STYLES)),
            population::address(muni, area, p, rng),
            category.to_string(),
            "R04.04.01".to_string(),
        ]
    }
}

/// Up to `n` items of `pool`, drawn without replacement.
fn sample<T>(rng: &mut Rng, mut pool: Vec<T>, n: usize) -> Vec<T> {
    let mut out = Vec::with_capacity(n.min(pool.len()));
    while out.len() < n && !pool.is_empty() {
        let i = rng.range(0, pool.len() as i64 - 1) as usize;
        out.push(pool.swap_remove(i));
    }
    out
}

fn full_width(digits: &str) -> String {
    digits
        .chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
        .collect()
}

/// Small kana written large, as old printers do (キョウコ → キヨウコ).
fn large_kana(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ャ' => 'ヤ',
            'ュ' => 'ユ',
            'ョ' => 'ヨ',
            'ッ' => 'ツ',
            'ァ' => 'ア',
            'ィ' => 'イ',
            'ゥ' => 'ウ',
            'ェ' => 'エ',
            'ォ' => 'オ',
            _ => c,
        })
        .collect()
}
