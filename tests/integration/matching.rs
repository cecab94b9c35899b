//! Extraction, matching and marks (issue 14) against the demo's `truth.json` and its raw
//! files. The spec's example end to end: FY2021 non-attenders ∩ the recommendation list,
//! by 記号・番号 and by kana name + birth date. The expected counts come from the truth
//! (who the generator put on the list and why) and from a recomputation over the raw CSVs
//! with this file's own folding (NFKC from `unicode-normalization`, not the app's
//! `normalize`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use kenshin_atlas::app::domain::extract::{ExtractCmd, ExtractReply, Keep};
use kenshin_atlas::app::domain::marks::{MarkCmd, MarkReply};
use kenshin_atlas::app::{Command, Engine, Outcome};
use kenshin_atlas::audit::Action;
use kenshin_atlas::auth::Right;
use kenshin_atlas::demo::truth::{ListMember, ListStatus};
use kenshin_atlas::import::{ImportOptions, import_file};
use kenshin_atlas::job::Progress;
use kenshin_atlas::search::Query;
use kenshin_atlas::search::match_sides::Partner;
use kenshin_atlas::search::matching::{MatchKey, MatchOutcome};
use kenshin_atlas::store::marks::{MarkKind, NewMark, Reason};
use serde_json::json;
use unicode_normalization::UnicodeNormalization;

use super::common::demo;
use super::raw_demo::{self, attended, checkup_dates, date, insured};
use super::search::{as_admin, world};

const FY: i32 = 2021;

fn exec(e: &mut Engine, c: impl Into<Command>) -> Outcome {
    e.execute(c.into(), &Progress::new())
}

fn non_attender_query() -> Query {
    Query::from_json(&json!({"version": 1, "subject": "insured", "fy": FY,
        "where": {"and": [{"field": "target", "op": "=", "value": true},
                          {"field": "attended", "op": "=", "value": false}]}}))
    .unwrap()
}

/// Makes list `name` of the FY2021 non-attenders (again, if a test ran before).
fn non_attenders(e: &mut Engine, name: &str) -> BTreeSet<String> {
    let _ = exec(e, ExtractCmd::Delete { name: name.into() });
    match exec(
        e,
        ExtractCmd::Extract {
            name: name.into(),
            query: non_attender_query(),
        },
    ) {
        Outcome::Extract(ExtractReply::Made { keys, .. }) => keys.into_iter().collect(),
        o => panic!("{o:?}"),
    }
}

fn matched(
    e: &mut Engine,
    name: &str,
    keys: &[MatchKey],
    keep: Keep,
    result: &str,
) -> (BTreeSet<String>, MatchOutcome) {
    let _ = exec(
        e,
        ExtractCmd::Delete {
            name: result.into(),
        },
    );
    match exec(
        e,
        ExtractCmd::Match {
            name: name.into(),
            with: Partner::Recommendation,
            keys: keys.to_vec(),
            keep,
            result: result.into(),
        },
    ) {
        Outcome::Extract(ExtractReply::Matched { keys, report, .. }) => {
            (keys.into_iter().collect(), report)
        }
        o => panic!("{o:?}"),
    }
}

/// This test's folding: NFKC, no spaces, no hyphens; small kana written large.
fn fold(s: &str) -> String {
    s.nfkc()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '・'))
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
            c => c,
        })
        .collect()
}

fn list_rows() -> Vec<HashMap<String, String>> {
    raw_demo::rows(
        &demo().file("受診勧奨対象者リスト_20220401.csv"),
        "保険者番号",
    )
}

fn truth() -> &'static [ListMember] {
    &demo().summary.truth.recommendation
}

fn ids_where(f: impl Fn(&ListMember) -> bool) -> BTreeSet<String> {
    truth()
        .iter()
        .filter(|m| f(m))
        .map(|m| m.insured_id.clone())
        .collect()
}

/// Expected (matched left ids, ambiguous groups, unmatched right rows) of a match by
/// `key_of` over the raw register (every person: a value two persons hold is ambiguous,
/// on the list or not) and the raw list.
fn recompute(
    left: &BTreeSet<String>,
    register: &HashMap<String, HashMap<String, String>>,
    key_of: impl Fn(&HashMap<String, String>) -> Option<String>,
) -> (BTreeSet<String>, usize, usize) {
    let mut l: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, row) in register {
        if let Some(k) = key_of(row) {
            l.entry(k).or_default().push(id.clone());
        }
    }
    let mut r: BTreeMap<String, usize> = BTreeMap::new();
    let mut right_without_key = 0;
    for row in list_rows() {
        match key_of(&row) {
            Some(k) => *r.entry(k).or_default() += 1,
            None => right_without_key += 1,
        }
    }
    let (mut matched, mut ambiguous, mut unmatched_right) = (BTreeSet::new(), 0, right_without_key);
    for (k, n) in &r {
        match l.get(k) {
            None => unmatched_right += n,
            Some(ids) if !ids.iter().any(|id| left.contains(id)) => unmatched_right += n,
            Some(ids) if ids.len() == 1 && *n == 1 => {
                matched.insert(ids[0].clone());
            }
            Some(_) => ambiguous += 1,
        }
    }
    (matched, ambiguous, unmatched_right)
}

#[test]
fn the_spec_example_non_attenders_and_the_list_by_symbol_and_by_kana() {
    let mut w = world().lock().unwrap_or_else(|p| p.into_inner());
    let e = as_admin(&mut w);
    let left = non_attenders(e, "突合元_未受診");
    let people = insured();
    let dates = checkup_dates();
    let raw_left: BTreeSet<String> = people
        .iter()
        .filter(|(id, p)| p.target(FY) && !attended(dates.get(*id), FY))
        .map(|(id, _)| id.clone())
        .collect();
    assert_eq!(left, raw_left, "the list of non-attenders");

    // The truth, checked against the raw files, and shaped as the issue asks.
    let t = truth();
    let rows: u32 = t.iter().map(|m| m.rows).sum();
    assert_eq!(rows as usize, list_rows().len());
    for m in t {
        let p = &people[&m.insured_id];
        match m.status {
            ListStatus::NonAttender => assert!(left.contains(&m.insured_id)),
            ListStatus::Attended => {
                assert!(p.target(FY) && attended(dates.get(&m.insured_id), FY))
            }
            ListStatus::NoLongerInsured => {
                assert!(
                    !p.target(FY)
                        && p.lost.is_some_and(
                            |l| l <= chrono::NaiveDate::from_ymd_opt(2022, 3, 31).unwrap()
                        ),
                    "{m:?}"
                )
            }
        }
    }
    let count = |s: ListStatus| t.iter().filter(|m| m.status == s).count();
    let share = count(ListStatus::Attended) as f64 / t.len() as f64;
    assert!((0.12..=0.18).contains(&share), "attended anyway: {share}");
    assert!(count(ListStatus::NoLongerInsured) >= 3);
    let twice = ids_where(|m| m.rows == 2);
    assert!(!twice.is_empty());
    assert!(t.iter().any(|m| m.kanji_variant));
    assert!(t.iter().any(|m| m.without_id > 0));
    assert!(t.iter().any(|m| m.symbol_reformatted > 0));

    // By 記号・番号: every non-attender listed once matches; those listed twice are
    // reported as ambiguous with both rows, never picked.
    let want = ids_where(|m| m.status == ListStatus::NonAttender && m.rows == 1);
    let (got, report) = matched(
        e,
        "突合元_未受診",
        &[MatchKey::KigoBango],
        Keep::Match,
        "記号一致",
    );
    assert_eq!(got, want);
    assert_eq!(report.matched.len(), want.len());
    let ambiguous: BTreeSet<String> = report
        .ambiguous
        .iter()
        .inspect(|a| assert_eq!((a.candidates, a.left.len(), a.right.len()), (2, 1, 2)))
        .map(|a| a.left[0].id.clone())
        .collect();
    assert_eq!(ambiguous, twice);
    let others: u32 = t
        .iter()
        .filter(|m| m.status != ListStatus::NonAttender)
        .map(|m| m.rows)
        .sum();
    assert_eq!(report.unmatched_right.len(), others as usize);
    assert_eq!(
        report.unmatched_left.len(),
        left.len() - want.len() - twice.len()
    );

    // By kana + birth date: the raw files recomputed with this test's folding.
    let register: HashMap<String, HashMap<String, String>> =
        raw_demo::rows(&demo().file("被保険者台帳.csv"), "被保険者ID")
            .into_iter()
            .map(|r| (r["被保険者ID"].clone(), r))
            .collect();
    let kana_key = |r: &HashMap<String, String>| {
        let k = fold(&r["カナ氏名"]);
        let b = date(&r["生年月日"])?;
        (!k.is_empty()).then(|| format!("{k}|{b}"))
    };
    let (want_kana, ambiguous_kana, unmatched_right_kana) = recompute(&left, &register, kana_key);
    let (got, report) = matched(
        e,
        "突合元_未受診",
        &[MatchKey::KanaBirth],
        Keep::Match,
        "カナ一致",
    );
    assert_eq!(got, want_kana);
    assert_eq!(report.ambiguous.len(), ambiguous_kana);
    assert_eq!(report.unmatched_right.len(), unmatched_right_kana);
    assert!(
        want_kana.len() * 100 >= want.len() * 95,
        "kana finds nearly all"
    );
    // The names the list writes in standard kanji (高橋 for 髙橋) match by kana, not by
    // name + birth date.
    let variants =
        ids_where(|m| m.kanji_variant && m.status == ListStatus::NonAttender && m.rows == 1);
    assert!(!variants.is_empty());
    let (by_name, _) = matched(
        e,
        "突合元_未受診",
        &[MatchKey::NameBirth],
        Keep::Match,
        "氏名一致",
    );
    assert!(variants.iter().all(|id| !by_name.contains(id)));
    assert!(variants.iter().filter(|id| got.contains(*id)).count() * 10 >= variants.len() * 9);

    // Non-matches: the non-attenders not on the list (A − B); the ambiguous are in
    // neither list.
    let (rest, report) = matched(
        e,
        "突合元_未受診",
        &[MatchKey::KigoBango],
        Keep::NonMatch,
        "記号不一致",
    );
    let listed = ids_where(|m| m.status == ListStatus::NonAttender);
    assert_eq!(rest, left.difference(&listed).cloned().collect());
    assert_eq!(report.ambiguous.len(), twice.len());
}

#[test]
fn marks_survive_a_reimport_drop_out_of_searches_keep_history_and_are_audited() {
    let mut w = world().lock().unwrap_or_else(|p| p.into_inner());
    let e = as_admin(&mut w);
    let left = non_attenders(e, "印_未受診");
    let some: Vec<String> = left.iter().skip(10).take(3).cloned().collect();
    let set = |e: &mut Engine, ids: &[String], mark: Option<NewMark>| match exec(
        e,
        MarkCmd::Set {
            ids: ids.to_vec(),
            mark,
        },
    ) {
        Outcome::Mark(MarkReply::Set { changed, .. }) => changed,
        o => panic!("{o:?}"),
    };
    let exclude = |reason, note: &str| {
        Some(NewMark {
            mark: MarkKind::Excluded,
            reason,
            note: Some(note.into()),
        })
    };
    // In bulk, one reason for two persons.
    assert_eq!(
        set(e, &some[..2], exclude(Reason::Hospital, "長期入院")).len(),
        2
    );
    let q = |e: &mut Engine| {
        let mut q = non_attender_query();
        q.cond = kenshin_atlas::search::Cond::And(vec![
            q.cond.clone(),
            kenshin_atlas::search::Cond::Not(Box::new(kenshin_atlas::search::Cond::Field(
                kenshin_atlas::search::FieldCond::new(
                    "mark",
                    kenshin_atlas::search::Op::Eq,
                    json!("excluded"),
                ),
            ))),
        ]);
        match exec(
            e,
            kenshin_atlas::app::domain::search::SearchCmd::Keys { query: q },
        ) {
            Outcome::Search(kenshin_atlas::app::domain::search::SearchReply::Keys {
                keys, ..
            }) => keys.into_iter().collect::<BTreeSet<String>>(),
            o => panic!("{o:?}"),
        }
    };
    let mut want = left.clone();
    want.remove(&some[0]);
    want.remove(&some[1]);
    assert_eq!(q(e), want, "not excluded");

    // A re-import of the register (another export of it: one more empty line, so not
    // skipped as the same file) leaves the marks alone.
    let dir = tempfile::tempdir().unwrap();
    let again = dir.path().join("被保険者台帳.csv");
    let mut bytes = std::fs::read(demo().file("被保険者台帳.csv")).unwrap();
    bytes.extend_from_slice(b"\r\n");
    std::fs::write(&again, bytes).unwrap();
    let r = import_file(
        &e.store,
        &again,
        &ImportOptions::default(),
        &Progress::new(),
    )
    .unwrap();
    assert_eq!(r.result, kenshin_atlas::store::ImportResult::Ok);
    assert_eq!(q(e), want, "after the re-import");

    // A change and a clear keep their history: who, when, old and new.
    set(e, &some[..1], exclude(Reason::Facility, "施設に入所"));
    set(e, &some[1..2], None);
    assert!(
        set(e, &some[1..2], None).is_empty(),
        "nothing to clear twice"
    );
    let Outcome::Mark(MarkReply::Shown { marks, history }) = exec(
        e,
        MarkCmd::Show {
            ids: some[..2].to_vec(),
        },
    ) else {
        panic!()
    };
    assert_eq!(marks.len(), 1);
    assert_eq!(
        (marks[0].reason.as_str(), marks[0].note.as_deref()),
        ("facility", Some("施設に入所"))
    );
    let first: Vec<_> = history.iter().filter(|h| h.insured_id == some[0]).collect();
    assert_eq!(first.len(), 2);
    assert_eq!(first[1].old_reason.as_deref(), Some("hospital"));
    assert_eq!(first[1].new_reason.as_deref(), Some("facility"));
    assert_eq!(first[1].by, super::common::ADMIN);
    let second: Vec<_> = history.iter().filter(|h| h.insured_id == some[1]).collect();
    assert_eq!(second.len(), 2);
    assert_eq!(second[1].new_mark, None);

    // An unknown id refuses the whole batch: nobody is marked by a typing error.
    let bad = vec![some[2].clone(), "2999999999".to_string()];
    match exec(
        e,
        MarkCmd::Set {
            ids: bad,
            mark: exclude(Reason::Other, ""),
        },
    ) {
        Outcome::Failed(err) => assert!(err.to_string().contains("2999999999"), "{err}"),
        o => panic!("{o:?}"),
    }
    let Outcome::Mark(MarkReply::Shown { marks, .. }) = exec(
        e,
        MarkCmd::Show {
            ids: vec![some[2].clone()],
        },
    ) else {
        panic!()
    };
    assert!(marks.is_empty());

    // Every change is in the audit log with its count and reason category, and no
    // insured id (who has which reason is personal data: it stays in the history).
    let entries = e.audit.entries().unwrap();
    let marks: Vec<_> = entries
        .iter()
        .filter(|x| x.action == Action::Edit && x.target.starts_with("insured_marks:"))
        .collect();
    assert!(
        marks
            .iter()
            .any(|x| x.rows == Some(2) && x.detail.contains("除外（入院中）: 2 人"))
    );
    assert!(
        marks
            .iter()
            .any(|x| x.detail.contains("除外（施設入所）: 1 人"))
    );
    assert!(marks.iter().any(|x| x.detail.contains("印の解除: 1 人")));
    for x in &marks {
        assert!(
            some.iter()
                .all(|id| !x.detail.contains(id.as_str()) && !x.target.contains(id.as_str())),
            "{x:?}"
        );
    }

    // Without 編集, refused and logged.
    super::security::user_with(e, "mark_viewer", [Right::ViewPersonal].into());
    super::security::login(e, "mark_viewer", super::security::USER_PASSWORD);
    assert!(matches!(
        exec(
            e,
            MarkCmd::Set {
                ids: some[2..].to_vec(),
                mark: exclude(Reason::Refused, "")
            }
        ),
        Outcome::Denied(_)
    ));
    // With 編集 but without 個人情報の閲覧: refused too (the answer says who had a mark).
    super::security::user_with(e, "mark_editor", [Right::Edit].into());
    super::security::login(e, "mark_editor", super::security::USER_PASSWORD);
    match exec(
        e,
        MarkCmd::Set {
            ids: some[2..].to_vec(),
            mark: exclude(Reason::Refused, ""),
        },
    ) {
        Outcome::Failed(err) => assert!(err.to_string().contains("個人情報の閲覧"), "{err}"),
        o => panic!("{o:?}"),
    }
    let e = as_admin(&mut w);
    set(e, &some[..1], None);
}

#[test]
fn rows_taken_out_of_a_list_keep_their_reason() {
    let mut w = world().lock().unwrap_or_else(|p| p.into_inner());
    let e = as_admin(&mut w);
    let left = non_attenders(e, "除外_未受診");
    let two: Vec<String> = left.iter().take(2).cloned().collect();
    match exec(
        e,
        ExtractCmd::Exclude {
            name: "除外_未受診".into(),
            keys: two.clone(),
            reason: "  ".into(),
        },
    ) {
        Outcome::Failed(err) => assert!(err.to_string().contains("理由"), "{err}"),
        o => panic!("{o:?}"),
    }
    let Outcome::Extract(ExtractReply::Excluded { taken, list }) = exec(
        e,
        ExtractCmd::Exclude {
            name: "除外_未受診".into(),
            keys: two.clone(),
            reason: "入院中のため".into(),
        },
    ) else {
        panic!()
    };
    assert_eq!((taken, list.count as usize), (2, left.len() - 2));
    let Outcome::Extract(ExtractReply::Shown { keys, excluded, .. }) = exec(
        e,
        ExtractCmd::Show {
            name: "除外_未受診".into(),
        },
    ) else {
        panic!()
    };
    let keys: BTreeSet<String> = keys.into_iter().collect();
    assert!(two.iter().all(|k| !keys.contains(k)));
    assert_eq!(keys.len(), left.len() - 2);
    assert_eq!(
        excluded
            .iter()
            .map(|x| (x.key.clone(), x.reason.as_str()))
            .collect::<Vec<_>>(),
        two.iter()
            .map(|k| (k.clone(), "入院中のため"))
            .collect::<Vec<_>>()
    );
}

#[test]
fn the_command_line_matches_marks_and_says_what_is_wrong_in_japanese() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    {
        let store = kenshin_atlas::store::Store::open(&data).unwrap();
        for name in [
            "被保険者台帳.csv",
            "健診結果_2021.csv",
            "受診勧奨対象者リスト_20220401.csv",
        ] {
            let r = import_file(
                &store,
                &demo().file(name),
                &ImportOptions::default(),
                &Progress::new(),
            )
            .unwrap();
            assert_eq!(
                r.result,
                kenshin_atlas::store::ImportResult::Ok,
                "{}",
                r.message
            );
        }
        super::common::admin_engine(store, Box::new(kenshin_atlas::auth::SystemClock));
    }
    let cli = |args: &[&str]| {
        super::security::cli(
            &data,
            Some(super::common::ADMIN),
            super::common::ADMIN_PASSWORD,
            args,
        )
    };
    let ok = |out: &std::process::Output| {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout.clone()).unwrap()
    };
    let q = dir.path().join("q.json");
    std::fs::write(&q, non_attender_query().to_json_string()).unwrap();
    ok(&cli(&[
        "extract",
        "--query",
        q.to_str().unwrap(),
        "--name",
        "未受診",
    ]));
    let out = ok(&cli(&[
        "extract",
        "match",
        "未受診",
        "--with",
        "recommendation",
        "--keys",
        "kigo_bango",
        "--name",
        "未受診かつ勧奨",
        "--json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let want = ids_where(|m| m.status == ListStatus::NonAttender && m.rows == 1);
    let twice = ids_where(|m| m.rows == 2);
    assert_eq!(v["matched"].as_u64(), Some(want.len() as u64));
    assert_eq!(v["count"].as_u64(), Some(want.len() as u64));
    assert_eq!(v["ambiguous"].as_array().unwrap().len(), twice.len());
    for a in v["ambiguous"].as_array().unwrap() {
        assert_eq!(a["candidates"].as_u64(), Some(2));
        assert!(a["key"].as_str().unwrap().starts_with("記号・番号="), "{a}");
    }
    let shown: serde_json::Value =
        serde_json::from_str(&ok(&cli(&["extract", "show", "未受診かつ勧奨"]))).unwrap();
    let keys: BTreeSet<String> = shown["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys, want);

    // Marks: set, show with history; a bad reason and an unknown key are refused in
    // Japanese with nothing changed.
    let id = want.iter().next().unwrap().clone();
    ok(&cli(&[
        "mark",
        "insured",
        &id,
        "--exclude",
        "--reason",
        "elsewhere",
        "--comment",
        "職場で受診済み",
    ]));
    let shown: serde_json::Value = serde_json::from_str(&ok(&cli(&["mark", "show", &id]))).unwrap();
    assert_eq!(shown["marks"][0]["reason"], "elsewhere");
    assert_eq!(shown["marks"][0]["note"], "職場で受診済み");
    assert_eq!(shown["history"].as_array().unwrap().len(), 1);
    let out = cli(&["mark", "insured", &id, "--target", "--reason", "busy"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("理由「busy」はありません"));
    let out = cli(&[
        "extract",
        "match",
        "未受診",
        "--with",
        "recommendation",
        "--keys",
        "name",
        "--name",
        "x",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("突合のキー「name」はありません"));
    let out = cli(&[
        "extract",
        "match",
        "未受診",
        "--with",
        "table:ない表",
        "--keys",
        "kana_birth",
        "--name",
        "x",
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("独自データ「ない表」がありません"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown: serde_json::Value = serde_json::from_str(&ok(&cli(&["mark", "show", &id]))).unwrap();
    assert_eq!(shown["marks"][0]["mark"], "excluded", "unchanged");
}

#[test]
fn rows_picked_on_the_map_are_the_members_inside_the_shape() {
    let mut w = world().lock().unwrap_or_else(|p| p.into_inner());
    let e = as_admin(&mut w);
    let left = non_attenders(e, "地図_未受診");
    let bbox = [135.78, 34.66, 135.84, 34.70];
    let Outcome::Extract(ExtractReply::Within { keys, .. }) = exec(
        e,
        ExtractCmd::Within {
            name: "地図_未受診".into(),
            place: kenshin_atlas::search::Place::Rect(bbox),
        },
    ) else {
        panic!()
    };
    // By hand: the located members whose point lies in the box.
    let mut stmt = e
        .store
        .conn()
        .prepare("SELECT insured_id, lon, lat FROM insured_locations WHERE lon IS NOT NULL")
        .unwrap();
    let want: BTreeSet<String> = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, f64>(1)?,
                r.get::<_, f64>(2)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .filter(|(id, lon, lat)| {
            left.contains(id)
                && (bbox[0]..=bbox[2]).contains(lon)
                && (bbox[1]..=bbox[3]).contains(lat)
        })
        .map(|(id, _, _)| id)
        .collect();
    assert!(!want.is_empty());
    assert_eq!(keys.into_iter().collect::<BTreeSet<_>>(), want);
}

#[test]
fn the_recommended_field_folds_symbols_and_never_guesses_between_two_persons() {
    let dir = tempfile::tempdir().unwrap();
    let store = kenshin_atlas::store::Store::open(&dir.path().join("data")).unwrap();
    let register = dir.path().join("被保険者台帳.csv");
    std::fs::write(
        &register,
        "被保険者ID,保険者番号,記号番号,氏名,カナ氏名,性別,生年月日,郵便番号,住所,市町村コード,資格取得日,資格喪失日\n\
         2900000001,290012,奈01-000001,山田 太郎,ヤマダ タロウ,1,1950/01/02,630-0001,奈良市,29201,2000/04/01,\n\
         2900000002,290012,奈01-000002,鈴木 花子,スズキ ハナコ,2,1951/03/04,630-0001,奈良市,29201,2000/04/01,\n\
         2900000003,290012,奈01 000002,佐藤 一郎,サトウ イチロウ,1,1952/05/06,630-0001,奈良市,29201,2000/04/01,\n\
         2900000004,290012,奈01-000004,田中 次郎,タナカ ジロウ,1,1953/07/08,630-0001,奈良市,29201,2000/04/01,\n",
    )
    .unwrap();
    let list = dir.path().join("受診勧奨対象者リスト.csv");
    std::fs::write(
        &list,
        "保険者番号,記号番号,被保険者ID,氏名,カナ氏名,生年月日,住所,勧奨区分,作成日\n\
         290012,奈０１－００００01,,山田 太郎,ﾔﾏﾀﾞ ﾀﾛｳ,1950/01/02,奈良市,3年連続未受診,2022/04/01\n\
         290012,奈01000002,,鈴木 花子,スズキ ハナコ,1951/03/04,奈良市,3年連続未受診,2022/04/01\n\
         290012,奈01-000004,2900000004,田中 次郎,タナカ ジロウ,1953/07/08,奈良市,3年連続未受診,2022/04/01\n",
    )
    .unwrap();
    for f in [&register, &list] {
        let r = import_file(&store, f, &ImportOptions::default(), &Progress::new()).unwrap();
        assert_eq!(
            r.result,
            kenshin_atlas::store::ImportResult::Ok,
            "{}",
            r.message
        );
    }
    let mut e = super::common::admin_engine(store, Box::new(kenshin_atlas::auth::SystemClock));
    let q = Query::from_json(&json!({"version": 1, "subject": "insured", "fy": FY,
        "where": {"field": "recommended", "op": "=", "value": true}}))
    .unwrap();
    let keys = match exec(
        &mut e,
        kenshin_atlas::app::domain::search::SearchCmd::Keys { query: q },
    ) {
        Outcome::Search(kenshin_atlas::app::domain::search::SearchReply::Keys { keys, .. }) => keys,
        o => panic!("{o:?}"),
    };
    // 000001 by its folded 記号・番号; 000004 by its ID; 000002 is written alike for two
    // persons (奈01-000002 and 奈01 000002): neither is taken.
    assert_eq!(
        keys,
        vec!["2900000001".to_string(), "2900000004".to_string()]
    );
}
