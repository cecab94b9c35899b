//! Writes every demo file from the in-memory population and computes `truth.json` on the
//! way. Claims are streamed month by month, person by person, so memory stays flat however
//! many months are written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Duration, NaiveDate};

use super::csv_out::CsvOut;
use super::facilities::Institution;
use super::population::{self, Area, DIABETES, DYSLIPIDAEMIA, HYPERTENSION, Municipality, Person};
use super::rng::Rng;
use super::truth::{Truth, UptakeTruth};
use super::{DemoError, DemoOptions, DemoSummary, model, names};
use crate::import::wareki::{DateStyle, format_date};
use crate::job::Progress;

pub struct Context<'a> {
    pub out: &'a Path,
    pub opts: &'a DemoOptions,
    pub munis: &'a [Municipality],
    pub areas: &'a [Area],
    pub insts: &'a [Institution],
    pub people: &'a [Person],
    pub progress: &'a Progress,
}

const FYS: [i32; 5] = [2017, 2018, 2019, 2020, 2021];
pub(super) const DATE_STYLES: [DateStyle; 5] = [
    DateStyle::Slash,
    DateStyle::Compact,
    DateStyle::LetterPadded,
    DateStyle::LetterShort,
    DateStyle::Kanji,
];

pub(super) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The claims file of a kind for a month: `医療レセプト管理_202104.csv`.
pub fn claim_file_name(label: &str, month: NaiveDate) -> String {
    format!("{label}_{:04}{:02}.csv", month.year(), month.month())
}

fn report_meta(title: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("帳票名", title),
        ("作成日", "R04.04.05"),
        ("抽出条件", "保険者：全保険者　（デモ用の合成データ）"),
    ]
}

impl Context<'_> {
    pub(super) fn path(&self, name: &str) -> PathBuf {
        self.out.join(name)
    }

    pub fn write_all(&self) -> Result<DemoSummary, DemoError> {
        let mut files = Vec::new();
        let mut truth = Truth::default();
        let count = |truth: &mut Truth, table: &str, n: u64| {
            *truth.counts.entry(table.to_string()).or_insert(0) += n
        };
        if !self.opts.claims_only {
            files.push(self.path("保険者情報.csv"));
            count(&mut truth, "insurers", self.insurers()?);
            files.push(self.path("位置参照情報_29_合成.csv"));
            count(&mut truth, "address_points", self.address_points()?);
            files.push(self.path("医療機関マスタ.csv"));
            files.push(self.path("医療機関マスタ.xlsx"));
            count(
                &mut truth,
                "medical_institutions",
                self.medical_institutions()?,
            );
            files.push(self.path("健診機関マスタ.csv"));
            count(
                &mut truth,
                "checkup_institutions",
                self.checkup_institutions()?,
            );
            self.progress
                .set(0.15, "デモデータ: 被保険者台帳を書いています");
            files.push(self.path("被保険者台帳.csv"));
            count(&mut truth, "insured", self.insured()?);
            let mut attended = vec![0u8; self.people.len()];
            for (i, fy) in FYS.iter().enumerate() {
                self.progress.set(
                    0.2 + 0.05 * i as f32,
                    format!("デモデータ: {fy}年度の健診結果を書いています"),
                );
                let name = format!("健診結果_{fy}.csv");
                let (rows, uptake, small) = self.checkups(*fy, &name, &mut attended)?;
                files.push(self.path(&name));
                count(&mut truth, "checkups", rows);
                truth.uptake.extend(uptake);
                truth.small_area_uptake.extend(small);
            }
            let name = "受診勧奨対象者リスト_20220401.csv";
            files.push(self.path(name));
            let (rows, list) = self.recommendations(name, &attended)?;
            count(&mut truth, "recommendation_targets", rows);
            truth.recommendation = list;
        }
        let months = self.opts.months.clamp(1, 60);
        for k in 0..months {
            let back = (months - 1 - k) as i32;
            let total = 2022 * 12 + 2 - back; // March 2022 = 2022*12 + 2 (0-based month)
            let month = ymd(total / 12, (total % 12) as u32 + 1, 1);
            self.progress.set(
                0.45 + 0.5 * k as f32 / months as f32,
                format!(
                    "デモデータ: {}年{}月の医療レセプトを書いています",
                    month.year(),
                    month.month()
                ),
            );
            let (names, counts) = self.claims(month)?;
            files.extend(names);
            for (t, n) in counts {
                count(&mut truth, t, n);
            }
        }
        let json = serde_json::to_vec_pretty(&truth)
            .map_err(|e| DemoError::Io(std::io::Error::other(e)))?;
        std::fs::write(self.path("truth.json"), json)?;
        self.progress.set(1.0, "デモデータを書き終えました");
        Ok(DemoSummary { files, truth })
    }

    fn insurers(&self) -> Result<u64, DemoError> {
        let mut w = CsvOut::create(
            &self.path("保険者情報.csv"),
            &[],
            &["保険者番号", "保険者名", "市町村コード"],
        )?;
        for m in self.munis {
            w.row(&[
                m.insurer_no.as_str(),
                &format!("{}国民健康保険", m.name),
                &m.code,
            ])?;
        }
        Ok(w.finish()?)
    }

    fn address_points(&self) -> Result<u64, DemoError> {
        let header = [
            "都道府県名",
            "市区町村名",
            "大字・町丁目名",
            "小字・通称名",
            "街区符号・地番",
            "座標系番号",
            "Ｘ座標",
            "Ｙ座標",
            "緯度",
            "経度",
            "住居表示フラグ",
            "代表フラグ",
            "更新前履歴フラグ",
            "更新後履歴フラグ",
        ];
        let mut w = CsvOut::create(&self.path("位置参照情報_29_合成.csv"), &[], &header)?;
        for area in self.areas.iter().filter(|a| !a.sa.name.is_empty()) {
            let muni = &self.munis[area.muni];
            let oaza = population::reference_name(&area.sa.name);
            let residential = if population::split_chome(&area.sa.name).is_some() {
                "1"
            } else {
                "0"
            };
            for (i, &(lon, lat)) in area.blocks.iter().enumerate() {
                let (x, y) = crate::geo::plane_rect::to_plane(lon, lat, 6).unwrap_or((0.0, 0.0));
                let block = (area.first_block + i as u32).to_string();
                w.row(&[
                    "奈良県",
                    &muni.name,
                    &oaza,
                    "",
                    &block,
                    "6",
                    &format!("{x:.1}"),
                    &format!("{y:.1}"),
                    &format!("{lat:.6}"),
                    &format!("{lon:.6}"),
                    residential,
                    if i == 0 { "1" } else { "0" },
                    "0",
                    "0",
                ])?;
            }
        }
        Ok(w.finish()?)
    }

    fn medical_institutions(&self) -> Result<u64, DemoError> {
        let header = [
            "医療機関コード",
            "医療機関名",
            "所在地",
            "電話番号",
            "緯度",
            "経度",
        ];
        let mut w = CsvOut::create(&self.path("医療機関マスタ.csv"), &[], &header)?;
        let mut wb = rust_xlsxwriter::Workbook::new();
        let xerr = |e: rust_xlsxwriter::XlsxError| DemoError::Xlsx(e.to_string());
        let ws = wb.add_worksheet();
        ws.set_name("医療機関").map_err(xerr)?;
        let bold = rust_xlsxwriter::Format::new().set_bold();
        ws.merge_range(0, 0, 0, 5, "医療機関マスタ（令和4年4月1日現在）", &bold)
            .map_err(xerr)?;
        for (c, h) in header.iter().enumerate() {
            ws.write_string(2, c as u16, *h).map_err(xerr)?;
        }
        let mut rng = Rng::fork(self.opts.seed, 40);
        let mut n = 0u64;
        for inst in self.insts.iter().filter(|i| i.kind != 0) {
            let known = rng.chance(0.9);
            let (lat, lon) = match (known, inst.point) {
                (true, Some((lon, lat))) => (format!("{lat:.6}"), format!("{lon:.6}")),
                _ => (String::new(), String::new()),
            };
            w.row(&[
                inst.code.as_str(),
                &inst.name,
                &inst.address,
                &inst.phone,
                &lat,
                &lon,
            ])?;
            let r = 3 + n as u32;
            // Codes as numbers, as they end up when a sheet passes through Excel.
            ws.write_number(r, 0, inst.code.parse::<f64>().unwrap_or(0.0))
                .map_err(xerr)?;
            ws.write_string(r, 1, &inst.name).map_err(xerr)?;
            ws.write_string(r, 2, &inst.address).map_err(xerr)?;
            ws.write_string(r, 3, &inst.phone).map_err(xerr)?;
            if let (Ok(la), Ok(lo)) = (lat.parse::<f64>(), lon.parse::<f64>()) {
                ws.write_number(r, 4, la).map_err(xerr)?;
                ws.write_number(r, 5, lo).map_err(xerr)?;
            }
            n += 1;
        }
        ws.write_string(3 + n as u32 + 1, 0, "※ 緯度経度が空欄の機関は未調査")
            .map_err(xerr)?;
        wb.save(self.path("医療機関マスタ.xlsx")).map_err(xerr)?;
        w.finish()?;
        Ok(n)
    }

    fn checkup_institutions(&self) -> Result<u64, DemoError> {
        let mut w = CsvOut::create(
            &self.path("健診機関マスタ.csv"),
            &[],
            &[
                "健診機関コード",
                "健診機関名",
                "特定健診実施",
                "がん検診実施",
                super::facilities::TEST_ITEMS[0],
                super::facilities::TEST_ITEMS[1],
                super::facilities::TEST_ITEMS[2],
                super::facilities::TEST_ITEMS[3],
                super::facilities::TEST_ITEMS[4],
                super::facilities::TEST_ITEMS[5],
                super::facilities::TEST_ITEMS[6],
                super::facilities::TEST_ITEMS[7],
                super::facilities::TEST_ITEMS[8],
                super::facilities::TEST_ITEMS[9],
            ],
        )?;
        let mark = |b: bool| if b { "○" } else { "×" };
        for inst in self.insts.iter().filter(|i| i.checkup) {
            let mut row = vec![
                inst.code.as_str(),
                &inst.name,
                "○",
                mark(inst.cancer_screening),
            ];
            row.extend(inst.items.iter().map(|&b| mark(b)));
            w.row(&row)?;
        }
        Ok(w.finish()?)
    }

    fn insured(&self) -> Result<u64, DemoError> {
        let header = [
            "被保険者ID",
            "保険者番号",
            "記号番号",
            "氏名",
            "カナ氏名",
            "性別",
            "生年月日",
            "郵便番号",
            "住所",
            "市町村コード",
            "資格取得日",
            "資格喪失日",
        ];
        let mut w = CsvOut::create(
            &self.path("被保険者台帳.csv"),
            &report_meta("被保険者台帳"),
            &header,
        )?;
        let mut rng = Rng::fork(self.opts.seed, 50);
        for p in self.people {
            let area = &self.areas[p.area as usize];
            let muni = &self.munis[area.muni];
            let (sur, sur_kana, given, given_kana) = names::of(p.surname, p.given, p.sex);
            let mut kana = format!("{sur_kana} {given_kana}");
            if rng.chance(0.1) {
                kana = to_halfwidth_kana(&kana);
            }
            let style = *rng.pick(&DATE_STYLES);
            let lost = p
                .lost
                .map(|d| format_date(d, *rng.pick(&DATE_STYLES)))
                .unwrap_or_default();
            w.row(&[
                p.insured_id().as_str(),
                &muni.insurer_no,
                &format!("奈{:02}-{:06}", area.muni + 1, p.id),
                &format!("{sur}　{given}"),
                &kana,
                if rng.chance(0.9) {
                    if p.sex == 1 { "1" } else { "2" }
                } else if p.sex == 1 {
                    "男"
                } else {
                    "女"
                },
                &format_date(p.birth, style),
                &format!("{}-{:04}", 630 + area.muni % 9 * 10, (p.area * 7) % 10_000),
                &population::address(muni, area, p, &mut rng),
                &muni.code,
                &format_date(p.acquired, *rng.pick(&DATE_STYLES)),
                &lost,
            ])?;
        }
        Ok(w.finish_with_total()?)
    }

    /// One fiscal year's checkups; returns the rows written and the uptake truth per
    /// municipality and per small area (KEY_CODE, areas with targets only).
    fn checkups(
        &self,
        fy: i32,
        name: &str,
        attended: &mut [u8],
    ) -> Result<(u64, Vec<UptakeTruth>, Vec<UptakeTruth>), DemoError> {
        let fy_start = ymd(fy, 4, 1);
        let fy_end = ymd(fy + 1, 3, 31);
        let is_target = |p: &Person| {
            (40..=74).contains(&p.age_on(fy_end))
                && p.acquired <= fy_start
                && p.lost.is_none_or(|l| l > fy_end)
        };
        // Calibrate each municipality's intercept on this year's targets.
        let mut preds: Vec<Vec<f64>> = vec![Vec::new(); self.munis.len()];
        for p in self.people.iter().filter(|p| is_target(p)) {
            preds[self.areas[p.area as usize].muni]
                .push(model::predictor(p, self.areas, fy) + model::year_shift(fy));
        }
        let intercepts: Vec<f64> = self
            .munis
            .iter()
            .zip(&preds)
            .map(|(m, x)| model::calibrate(x, m.base_rate))
            .collect();
        let header = [
            "被保険者ID",
            "保険者番号",
            "健診受診日",
            "年度",
            "健診機関コード",
            "身長",
            "体重",
            "BMI",
            "腹囲",
            "収縮期血圧",
            "拡張期血圧",
            "中性脂肪",
            "HDLコレステロール",
            "LDLコレステロール",
            "GOT(AST)",
            "GPT(ALT)",
            "γ-GT(γ-GTP)",
            "HbA1c",
            "空腹時血糖",
            "尿糖",
            "尿蛋白",
            "服薬1(血圧)",
            "服薬2(血糖)",
            "服薬3(脂質)",
            "喫煙",
            "保健指導レベル",
        ];
        let mut w = CsvOut::create(&self.path(name), &report_meta("健診結果一覧"), &header)?;
        let mut rng = Rng::fork(self.opts.seed, 60 + fy as u64);
        let mut area_tally: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        let mut tally: BTreeMap<String, (u64, u64)> = self
            .munis
            .iter()
            .map(|m| (m.code.clone(), (0, 0)))
            .collect();
        let fy_text = if fy % 2 == 0 {
            fy.to_string()
        } else {
            format!("令和{}年度", fy - 2018).replace("令和1年度", "令和元年度")
        };
        let fy_text = if fy < 2019 {
            format!("平成{}年度", fy - 1988)
        } else {
            fy_text
        };
        let checkup_insts: Vec<&Institution> = self.insts.iter().filter(|i| i.checkup).collect();
        let mass: Vec<&Institution> = checkup_insts
            .iter()
            .copied()
            .filter(|i| i.kind == 0)
            .collect();
        for p in self.people {
            let area = &self.areas[p.area as usize];
            let muni = &self.munis[area.muni];
            let target = is_target(p);
            let age = p.age_on(fy_end);
            let attend = if target {
                rng.chance(model::probability(intercepts[area.muni], p, self.areas, fy))
            } else {
                (40..=74).contains(&age) && rng.chance(0.12)
            };
            if target {
                for t in [
                    tally.entry(muni.code.clone()).or_default(),
                    area_tally.entry(area.sa.key_code.clone()).or_default(),
                ] {
                    t.0 += 1;
                    t.1 += attend as u64;
                }
            }
            if !attend {
                continue;
            }
            let from = (fy_start + Duration::days(45)).max(p.acquired);
            let to =
                (fy_end - Duration::days(30)).min(p.lost.map_or(fy_end, |l| l - Duration::days(1)));
            if to < from {
                if target {
                    // Cannot happen: targets are insured all year. Keep truth honest anyway.
                    for t in [
                        tally.get_mut(&muni.code),
                        area_tally.get_mut(&area.sa.key_code),
                    ]
                    .into_iter()
                    .flatten()
                    {
                        t.1 -= 1;
                    }
                }
                continue;
            }
            let date = from + Duration::days(rng.range(0, (to - from).num_days()));
            if target {
                attended[p.id as usize - 1] |= 1 << (fy - 2017);
            }
            let inst = if rng.chance(0.15) && !mass.is_empty() {
                rng.pick(&mass).code.clone()
            } else {
                area.near[0]
                    .iter()
                    .map(|&i| &self.insts[i as usize])
                    .find(|i| i.checkup)
                    .unwrap_or_else(|| *rng.pick(&checkup_insts))
                    .code
                    .clone()
            };
            let male = p.sex == 1;
            let height =
                if male { 166.0 } else { 153.0 } + rng.normal() * 6.0 - (age as f64 - 60.0) * 0.1;
            let bmi = (23.0
                + rng.normal() * 3.2
                + if p.conditions & DIABETES != 0 {
                    1.5
                } else {
                    0.0
                })
            .clamp(14.0, 45.0);
            let weight = bmi * (height / 100.0).powi(2);
            let ht = p.conditions & HYPERTENSION != 0;
            let dm = p.conditions & DIABETES != 0;
            let dl = p.conditions & DYSLIPIDAEMIA != 0;
            let sbp = (120.0
                + (age as f64 - 50.0) * 0.4
                + if ht { 14.0 } else { 0.0 }
                + rng.normal() * 13.0)
                .clamp(85.0, 220.0);
            let dbp = (sbp * 0.6 + rng.normal() * 7.0).clamp(45.0, 130.0);
            let hba1c = (5.5 + if dm { 1.4 } else { 0.0 } + rng.normal() * 0.35).clamp(4.2, 13.0);
            let risk = (bmi >= 25.0) as u8 + (sbp >= 130.0) as u8 + (hba1c >= 5.6) as u8 + dl as u8;
            let level = match (risk, age >= 65) {
                (0, _) => "情報提供",
                (1, _) | (_, true) => "動機付け支援",
                _ => "積極的支援",
            };
            let urine = ["-", "-", "-", "-", "±", "+"];
            w.row(&[
                p.insured_id().as_str(),
                &muni.insurer_no,
                &format_date(date, *rng.pick(&DATE_STYLES)),
                &fy_text,
                &inst,
                &format!("{height:.1}"),
                &format!("{weight:.1}"),
                &format!("{bmi:.1}"),
                &format!("{:.1}", 60.0 + bmi * 1.2 + rng.normal() * 4.0),
                &format!("{sbp:.0}"),
                &format!("{dbp:.0}"),
                &format!(
                    "{:.0}",
                    (110.0 * (rng.normal() * 0.45).exp()).clamp(20.0, 2000.0)
                ),
                &format!("{:.0}", (58.0 + rng.normal() * 14.0).clamp(15.0, 150.0)),
                &format!(
                    "{:.0}",
                    (122.0 + if dl { 25.0 } else { 0.0 } + rng.normal() * 28.0).clamp(30.0, 400.0)
                ),
                &format!(
                    "{:.0}",
                    (23.0 * (rng.normal() * 0.3).exp()).clamp(5.0, 500.0)
                ),
                &format!(
                    "{:.0}",
                    (21.0 * (rng.normal() * 0.4).exp()).clamp(3.0, 500.0)
                ),
                &format!(
                    "{:.0}",
                    (30.0 * (rng.normal() * 0.6).exp()).clamp(5.0, 1500.0)
                ),
                &format!("{hba1c:.1}"),
                &if rng.chance(0.3) {
                    "＊".to_string()
                } else {
                    format!(
                        "{:.0}",
                        (hba1c * 17.0 + rng.normal() * 8.0).clamp(60.0, 400.0)
                    )
                },
                urine[rng.range(0, 5) as usize],
                urine[rng.range(0, 5) as usize],
                if ht && rng.chance(0.85) { "1" } else { "0" },
                if dm && rng.chance(0.8) { "1" } else { "0" },
                if dl && rng.chance(0.75) { "1" } else { "0" },
                if rng.chance(if male { 0.25 } else { 0.07 }) {
                    "あり"
                } else {
                    "なし"
                },
                level,
            ])?;
        }
        let rows = w.finish()?;
        let truth = |tally: BTreeMap<String, (u64, u64)>| -> Vec<UptakeTruth> {
            tally
                .into_iter()
                .map(|(code, (t, a))| UptakeTruth {
                    code,
                    fy,
                    targets: t,
                    attendees: a,
                })
                .collect()
        };
        Ok((rows, truth(tally), truth(area_tally)))
    }

    /// One month of claims: the four claim files. Returns their paths and row counts.
    fn claims(
        &self,
        month: NaiveDate,
    ) -> Result<(Vec<PathBuf>, Vec<(&'static str, u64)>), DemoError> {
        let yyyymm = format!("{:04}{:02}", month.year(), month.month());
        let month_end =
            (month + Duration::days(32)).with_day(1).unwrap_or(month) - Duration::days(1);
        let mut rng = Rng::fork(
            self.opts.seed,
            1000 + month.year() as u64 * 12 + month.month() as u64,
        );
        let month_text = if rng.chance(0.5) {
            yyyymm.clone()
        } else {
            format!("R{:02}.{:02}", month.year() - 2018, month.month())
        };
        let month_text = if month.year() < 2019 || (month.year() == 2019 && month.month() < 5) {
            format!("H{:02}.{:02}", month.year() - 1988, month.month())
        } else {
            month_text
        };
        let labels = [
            "医療レセプト管理",
            "医療傷病名",
            "医療摘要",
            "医療最大医療資源ICD別点数",
        ];
        let paths: Vec<PathBuf> = labels
            .iter()
            .map(|l| self.path(&claim_file_name(l, month)))
            .collect();
        let mut claims = CsvOut::create(
            &paths[0],
            &[],
            &[
                "レセプト番号",
                "被保険者ID",
                "保険者番号",
                "診療年月",
                "医療機関コード",
                "入外区分",
                "診療実日数",
                "決定点数",
            ],
        )?;
        let mut dis = CsvOut::create(
            &paths[1],
            &[],
            &[
                "レセプト番号",
                "保険者番号",
                "診療年月",
                "ICD10コード",
                "傷病名",
                "主傷病フラグ",
            ],
        )?;
        let mut procs = CsvOut::create(
            &paths[2],
            &[],
            &[
                "レセプト番号",
                "保険者番号",
                "診療年月",
                "診療行為コード",
                "診療行為名称",
                "回数",
                "点数",
            ],
        )?;
        let mut icd = CsvOut::create(
            &paths[3],
            &[],
            &[
                "レセプト番号",
                "保険者番号",
                "診療年月",
                "最大医療資源ICD10",
                "点数",
            ],
        )?;
        const CHRONIC: [(u8, &str, &str); 3] = [
            (HYPERTENSION, "I10", "本態性高血圧症"),
            (DIABETES, "E11.9", "2型糖尿病"),
            (DYSLIPIDAEMIA, "E785", "脂質異常症"),
        ];
        const ACUTE: [(&str, &str); 8] = [
            ("J069", "急性上気道炎"),
            ("M54.5", "腰痛症"),
            ("K29.7", "胃炎"),
            ("H52.1", "近視"),
            ("L30.9", "湿疹"),
            ("M17.9", "変形性膝関節症"),
            ("J30.4", "アレルギー性鼻炎"),
            ("K59.0", "便秘症"),
        ];
        let mut seq: u64 = 0;
        for p in self.people {
            if !(p.acquired <= month_end && p.lost.is_none_or(|l| l > month)) {
                continue;
            }
            let age = p.age_on(month);
            // About 2 claims a month per insured on average (medical and pharmacy), more with
            // age and with each lifestyle disease.
            let lambda = 0.5 + 0.036 * age.max(0) as f64 + 1.15 * p.conditions.count_ones() as f64;
            let n = rng.poisson(lambda);
            let area = &self.areas[p.area as usize];
            let insurer = &self.munis[area.muni].insurer_no;
            for _ in 0..n {
                seq += 1;
                let kind = rng.weighted(&[0.55, 0.1, 0.35]);
                let near = &area.near[kind];
                let Some(&inst) = near
                    .get(rng.weighted(&[0.4, 0.2, 0.15, 0.1, 0.1, 0.05][..near.len().clamp(1, 6)]))
                else {
                    continue;
                };
                let inst = &self.insts[inst as usize];
                let claim_id = format!("{yyyymm}{seq:010}");
                let inpatient = kind == 0 && rng.chance(0.02);
                let (days, points) = if inpatient {
                    (rng.range(3, 30), rng.range(15_000, 120_000))
                } else {
                    (rng.range(1, 3), rng.range(90, 2500))
                };
                let points_text = if points >= 1000 && rng.chance(0.2) {
                    format!("{},{:03}", points / 1000, points % 1000)
                } else {
                    points.to_string()
                };
                claims.row(&[
                    claim_id.as_str(),
                    &p.insured_id(),
                    insurer,
                    &month_text,
                    &inst.code,
                    if inpatient { "入院" } else { "外来" },
                    &days.to_string(),
                    &points_text,
                ])?;
                if kind == 2 {
                    procs.row(&[
                        claim_id.as_str(),
                        insurer,
                        &month_text,
                        "120001210",
                        "調剤基本料",
                        "1",
                        "42",
                    ])?;
                    continue;
                }
                // The first disease written for a claim is its main disease.
                let mut main: Option<&str> = None;
                let mut disease = |code: &'static str, label: &str, main: &mut Option<&str>| {
                    let flag = if main.is_none() { "1" } else { "0" };
                    main.get_or_insert(code);
                    dis.row(&[claim_id.as_str(), insurer, &month_text, code, label, flag])
                };
                for (flag, code, label) in CHRONIC {
                    if kind == 0 && p.conditions & flag != 0 && rng.chance(0.85) {
                        disease(code, label, &mut main)?;
                    }
                }
                if main.is_none() || rng.chance(0.3) {
                    let (code, label) = if kind == 1 {
                        ("K02.9", "う蝕")
                    } else {
                        *rng.pick(&ACUTE)
                    };
                    disease(code, label, &mut main)?;
                }
                let visit = if rng.chance(0.2) {
                    ("111000110", "初診料", "288")
                } else {
                    ("112007410", "再診料", "73")
                };
                procs.row(&[
                    claim_id.as_str(),
                    insurer,
                    &month_text,
                    visit.0,
                    visit.1,
                    "1",
                    visit.2,
                ])?;
                if inpatient {
                    procs.row(&[
                        claim_id.as_str(),
                        insurer,
                        &month_text,
                        "190117710",
                        "急性期一般入院料",
                        &days.to_string(),
                        "1650",
                    ])?;
                } else if rng.chance(0.6) {
                    procs.row(&[
                        claim_id.as_str(),
                        insurer,
                        &month_text,
                        "120002910",
                        "処方箋料",
                        "1",
                        "68",
                    ])?;
                }
                icd.row(&[
                    claim_id.as_str(),
                    insurer,
                    &month_text,
                    main.unwrap_or("R69"),
                    &points.to_string(),
                ])?;
            }
        }
        let counts = vec![
            ("claims", claims.finish()?),
            ("claim_diseases", dis.finish()?),
            ("claim_procedures", procs.finish()?),
            ("claim_icd_points", icd.finish()?),
        ];
        Ok((paths, counts))
    }
}

/// Full-width katakana to half-width, as old systems write kana names (ﾔﾏﾀﾞ ﾀﾛｳ).
pub(super) fn to_halfwidth_kana(s: &str) -> String {
    const FULL: &str = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンァィゥェォャュョッー";
    const HALF: &str = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝｧｨｩｪｫｬｭｮｯｰ";
    const VOICED: &str = "ガギグゲゴザジズゼゾダヂヅデドバビブベボ";
    const SEMI: &str = "パピプペポ";
    let half: Vec<char> = HALF.chars().collect();
    let mut out = String::new();
    for c in s.chars() {
        if let Some(i) = FULL.chars().position(|f| f == c) {
            out.push(half[i]);
        } else if VOICED.contains(c) {
            let base = char::from_u32(c as u32 - 1).unwrap_or(c);
            out.push(FULL.chars().position(|f| f == base).map_or(c, |i| half[i]));
            out.push('ﾞ');
        } else if SEMI.contains(c) {
            let base = char::from_u32(c as u32 - 2).unwrap_or(c);
            out.push(FULL.chars().position(|f| f == base).map_or(c, |i| half[i]));
            out.push('ﾟ');
        } else if c == ' ' || c == '　' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}
