//! The kinds of customer data and their fields: one definition that drives validation,
//! the Arrow batches appended to DuckDB, how a re-import replaces earlier rows, and the
//! Japanese names shown to users. It is the store's schema of the data tables (the
//! importer fills them, the store counts and checks them): the table layouts in
//! `store/migrations` must match, and `store::migrations` tests that they do.

/// How a raw field is read and typed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldType {
    /// Free text, width-folded.
    Text,
    /// A numeric code padded back to its fixed width (leading zeros restored).
    Code(usize),
    /// A code kept as written (ICD-10, 記号・番号), width-folded, spaces removed.
    Id,
    /// A whole number.
    Int,
    /// A real number.
    Float,
    /// A calendar date (western or wareki).
    Date,
    /// A year-month, stored as the first day of the month.
    Month,
    /// A fiscal year (2021, 令和3年度).
    FiscalYear,
    /// A yes/no flag: 1/0, あり/なし, 有/無, ○/×, true/false.
    Flag,
    /// Sex: 1 男 / 2 女.
    Sex,
}

/// One field of a kind.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Column name in DuckDB (English).
    pub name: &'static str,
    /// Japanese name, shown to users and used as the DuckDB column comment.
    pub label: &'static str,
    pub ty: FieldType,
    pub required: bool,
    /// Inclusive valid range for numbers (and for dates, as years).
    pub range: Option<(f64, f64)>,
}

const fn f(
    name: &'static str,
    label: &'static str,
    ty: FieldType,
    required: bool,
    range: Option<(f64, f64)>,
) -> Field {
    Field {
        name,
        label,
        ty,
        required,
        range,
    }
}
use FieldType::*;

/// How a new import of a kind replaces what is already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Rows are replaced per (insurer number, period): re-importing a month or a fiscal
    /// year replaces that period for that insurer and never duplicates it.
    Period {
        insurer: &'static str,
        period: &'static str,
    },
    /// Rows are replaced per key (masters upsert by code).
    Key(&'static [&'static str]),
}

/// A kind of data the customer provides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Insured,
    Insurers,
    Checkups,
    Claims,
    ClaimDiseases,
    ClaimProcedures,
    ClaimIcdPoints,
    MedicalInstitutions,
    CheckupInstitutions,
    RecommendationTargets,
    AddressPoints,
}

pub struct KindDef {
    pub kind: Kind,
    /// Identifier used on the command line and in profiles.
    pub id: &'static str,
    pub table: &'static str,
    pub label: &'static str,
    pub fields: &'static [Field],
    pub replace: Replace,
}

const INSURED: &[Field] = &[
    f("insured_id", "被保険者ID", Id, true, None),
    f("insurer_no", "保険者番号", Code(6), true, None),
    f("symbol_no", "記号・番号", Text, false, None),
    f("name", "氏名", Text, true, None),
    f("kana_name", "カナ氏名", Text, false, None),
    f("sex", "性別", Sex, true, None),
    f("birth_date", "生年月日", Date, true, Some((1880.0, 2030.0))),
    f("postal_code", "郵便番号", Text, false, None),
    f("address", "住所", Text, false, None),
    f("municipality_code", "市町村コード", Code(5), true, None),
    f(
        "acquired_date",
        "資格取得日",
        Date,
        true,
        Some((1900.0, 2100.0)),
    ),
    f(
        "lost_date",
        "資格喪失日",
        Date,
        false,
        Some((1900.0, 2100.0)),
    ),
];
const INSURERS: &[Field] = &[
    f("insurer_no", "保険者番号", Code(6), true, None),
    f("insurer_name", "保険者名", Text, true, None),
    f("municipality_code", "市町村コード", Code(5), true, None),
];
const CHECKUPS: &[Field] = &[
    f("insured_id", "被保険者ID", Id, true, None),
    f("insurer_no", "保険者番号", Code(6), true, None),
    f(
        "checkup_date",
        "健診受診日",
        Date,
        true,
        Some((2000.0, 2100.0)),
    ),
    f("fy", "年度", FiscalYear, true, Some((2000.0, 2100.0))),
    f("institution_code", "健診機関コード", Code(10), false, None),
    f("height", "身長", Float, false, Some((80.0, 230.0))),
    f("weight", "体重", Float, false, Some((20.0, 250.0))),
    f("bmi", "BMI", Float, false, Some((10.0, 80.0))),
    f("waist", "腹囲", Float, false, Some((40.0, 200.0))),
    f("sbp", "収縮期血圧", Int, false, Some((50.0, 300.0))),
    f("dbp", "拡張期血圧", Int, false, Some((20.0, 200.0))),
    f("tg", "中性脂肪", Int, false, Some((10.0, 5000.0))),
    f("hdl", "HDLコレステロール", Int, false, Some((5.0, 300.0))),
    f("ldl", "LDLコレステロール", Int, false, Some((10.0, 600.0))),
    f("ast", "AST(GOT)", Int, false, Some((1.0, 5000.0))),
    f("alt", "ALT(GPT)", Int, false, Some((1.0, 5000.0))),
    f("ggt", "γ-GT", Int, false, Some((1.0, 5000.0))),
    f("hba1c", "HbA1c", Float, false, Some((3.0, 20.0))),
    f(
        "fasting_glucose",
        "空腹時血糖",
        Int,
        false,
        Some((30.0, 700.0)),
    ),
    f("urine_sugar", "尿糖", Text, false, None),
    f("urine_protein", "尿蛋白", Text, false, None),
    f("med_bp", "服薬（血圧）", Flag, false, None),
    f("med_glucose", "服薬（血糖）", Flag, false, None),
    f("med_lipid", "服薬（脂質）", Flag, false, None),
    f("smoking", "喫煙", Flag, false, None),
    f("guidance_level", "保健指導レベル", Text, false, None),
];
const CLAIMS: &[Field] = &[
    f("claim_id", "レセプト番号", Id, true, None),
    f("insured_id", "被保険者ID", Id, true, None),
    f("insurer_no", "保険者番号", Code(6), true, None),
    f(
        "service_month",
        "診療年月",
        Month,
        true,
        Some((2000.0, 2100.0)),
    ),
    f("institution_code", "医療機関コード", Code(10), true, None),
    f("inpatient", "入外区分", Flag, true, None),
    f("days", "診療実日数", Int, true, Some((0.0, 31.0))),
    f("points", "決定点数", Int, true, Some((0.0, 100_000_000.0))),
];
const CLAIM_DISEASES: &[Field] = &[
    f("claim_id", "レセプト番号", Id, true, None),
    f("insurer_no", "保険者番号", Code(6), true, None),
    f(
        "service_month",
        "診療年月",
        Month,
        true,
        Some((2000.0, 2100.0)),
    ),
    f("icd10", "ICD10コード", Id, true, None),
    f("disease_name", "傷病名", Text, true, None),
    f("is_main", "主傷病", Flag, false, None),
];
const CLAIM_PROCEDURES: &[Field] = &[
    f("claim_id", "レセプト番号", Id, true, None),
    f("insurer_no", "保険者番号", Code(6), true, None),
    f(
        "service_month",
        "診療年月",
        Month,
        true,
        Some((2000.0, 2100.0)),
    ),
    f("procedure_code", "診療行為コード", Id, true, None),
    f("procedure_name", "診療行為名称", Text, false, None),
    f("count", "回数", Int, true, Some((0.0, 10_000.0))),
    f(
        "points",
        "点数",
        Int,
        true,
        Some((-1_000_000.0, 100_000_000.0)),
    ),
];
const CLAIM_ICD_POINTS: &[Field] = &[
    f("claim_id", "レセプト番号", Id, true, None),
    f("insurer_no", "保険者番号", Code(6), true, None),
    f(
        "service_month",
        "診療年月",
        Month,
        true,
        Some((2000.0, 2100.0)),
    ),
    f("icd10", "最大医療資源ICD10", Id, true, None),
    f("points", "点数", Int, true, Some((0.0, 100_000_000.0))),
];
const MEDICAL_INSTITUTIONS: &[Field] = &[
    f("code", "医療機関コード", Code(10), true, None),
    f("name", "医療機関名", Text, true, None),
    f("address", "所在地", Text, false, None),
    f("phone", "電話番号", Text, false, None),
    f("lat", "緯度", Float, false, Some((20.0, 46.0))),
    f("lon", "経度", Float, false, Some((122.0, 154.0))),
];
const CHECKUP_INSTITUTIONS: &[Field] = &[
    f("code", "健診機関コード", Code(10), true, None),
    f("name", "健診機関名", Text, false, None),
    f("does_checkup", "特定健診実施", Flag, true, None),
    f("does_cancer_screening", "がん検診実施", Flag, false, None),
    f("cancer_stomach", "胃がん検診", Flag, false, None),
    f("cancer_lung", "肺がん検診", Flag, false, None),
    f("cancer_colon", "大腸がん検診", Flag, false, None),
    f("cancer_breast", "乳がん検診", Flag, false, None),
    f("cancer_cervix", "子宮がん検診", Flag, false, None),
    f("dock", "人間ドック", Flag, false, None),
    f("ecg", "心電図", Flag, false, None),
    f("fundus", "眼底検査", Flag, false, None),
    f("anemia", "貧血検査", Flag, false, None),
    f("creatinine", "血清クレアチニン", Flag, false, None),
];
const RECOMMENDATION_TARGETS: &[Field] = &[
    f("insurer_no", "保険者番号", Code(6), true, None),
    f("symbol_no", "記号・番号", Text, false, None),
    f("insured_id", "被保険者ID", Id, false, None),
    f("name", "氏名", Text, false, None),
    f("kana_name", "カナ氏名", Text, false, None),
    f(
        "birth_date",
        "生年月日",
        Date,
        false,
        Some((1880.0, 2030.0)),
    ),
    f("address", "住所", Text, false, None),
    f("category", "勧奨区分", Text, false, None),
    f("list_date", "作成日", Date, true, Some((2000.0, 2100.0))),
];
const ADDRESS_POINTS: &[Field] = &[
    f("pref_name", "都道府県名", Text, true, None),
    f("city_name", "市区町村名", Text, true, None),
    f("oaza", "大字・町丁目名", Text, true, None),
    f("koaza", "小字・通称名", Text, false, None),
    f("block", "街区符号・地番", Text, true, None),
    f("zone", "座標系番号", Int, false, Some((1.0, 19.0))),
    f("x", "X座標", Float, false, None),
    f("y", "Y座標", Float, false, None),
    f("lat", "緯度", Float, true, Some((20.0, 46.0))),
    f("lon", "経度", Float, true, Some((122.0, 154.0))),
    f("residential_flag", "住居表示フラグ", Int, false, None),
    f("representative_flag", "代表フラグ", Int, false, None),
];

pub const KINDS: &[KindDef] = &[
    KindDef {
        kind: Kind::Insured,
        id: "insured",
        table: "insured",
        label: "被保険者台帳",
        fields: INSURED,
        replace: Replace::Key(&["insured_id"]),
    },
    KindDef {
        kind: Kind::Insurers,
        id: "insurers",
        table: "insurers",
        label: "保険者情報",
        fields: INSURERS,
        replace: Replace::Key(&["insurer_no"]),
    },
    KindDef {
        kind: Kind::Checkups,
        id: "checkups",
        table: "checkups",
        label: "健診結果",
        fields: CHECKUPS,
        replace: Replace::Period {
            insurer: "insurer_no",
            period: "fy",
        },
    },
    KindDef {
        kind: Kind::Claims,
        id: "claims",
        table: "claims",
        label: "医療レセプト管理",
        fields: CLAIMS,
        replace: Replace::Period {
            insurer: "insurer_no",
            period: "service_month",
        },
    },
    KindDef {
        kind: Kind::ClaimDiseases,
        id: "claim_diseases",
        table: "claim_diseases",
        label: "医療傷病名",
        fields: CLAIM_DISEASES,
        replace: Replace::Period {
            insurer: "insurer_no",
            period: "service_month",
        },
    },
    KindDef {
        kind: Kind::ClaimProcedures,
        id: "claim_procedures",
        table: "claim_procedures",
        label: "医療摘要",
        fields: CLAIM_PROCEDURES,
        replace: Replace::Period {
            insurer: "insurer_no",
            period: "service_month",
        },
    },
    KindDef {
        kind: Kind::ClaimIcdPoints,
        id: "claim_icd_points",
        table: "claim_icd_points",
        label: "医療最大医療資源ICD別点数",
        fields: CLAIM_ICD_POINTS,
        replace: Replace::Period {
            insurer: "insurer_no",
            period: "service_month",
        },
    },
    KindDef {
        kind: Kind::MedicalInstitutions,
        id: "medical_institutions",
        table: "medical_institutions",
        label: "医療機関マスタ",
        fields: MEDICAL_INSTITUTIONS,
        replace: Replace::Key(&["code"]),
    },
    KindDef {
        kind: Kind::CheckupInstitutions,
        id: "checkup_institutions",
        table: "checkup_institutions",
        label: "健診機関マスタ",
        fields: CHECKUP_INSTITUTIONS,
        replace: Replace::Key(&["code"]),
    },
    KindDef {
        kind: Kind::RecommendationTargets,
        id: "recommendation_targets",
        table: "recommendation_targets",
        label: "特定健康診査受診勧奨対象者リスト",
        fields: RECOMMENDATION_TARGETS,
        replace: Replace::Period {
            insurer: "insurer_no",
            period: "list_date",
        },
    },
    KindDef {
        kind: Kind::AddressPoints,
        id: "address_points",
        table: "address_points",
        label: "位置参照情報（街区レベル）",
        fields: ADDRESS_POINTS,
        replace: Replace::Key(&["city_name", "oaza", "koaza", "block"]),
    },
];

impl Kind {
    pub fn def(self) -> &'static KindDef {
        KINDS.iter().find(|k| k.kind == self).unwrap_or(&KINDS[0])
    }
    pub fn from_id(id: &str) -> Option<Kind> {
        KINDS
            .iter()
            .find(|k| k.id == id || k.table == id || k.label == id)
            .map(|k| k.kind)
    }
    pub fn all() -> impl Iterator<Item = Kind> {
        KINDS.iter().map(|k| k.kind)
    }
}

impl KindDef {
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}
