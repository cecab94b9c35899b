//! Text normalisation for Japanese office files: full-width ASCII and digits, half-width
//! katakana, the many ways of writing "no value", quoted numbers with thousands separators
//! and accounting negatives (`△123`), and fixed-width codes that lost their leading zeros.

/// Folds full-width ASCII (`１２３`, `ＡＢＣ`, `－`) and the ideographic space to ASCII.
/// Other characters are kept. Returns the input unchanged (borrowed) when nothing changes.
pub fn fold_width(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() || !s.chars().any(needs_fold) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{FF01}'..='\u{FF5E}' => out.push(char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)),
            '\u{3000}' => out.push(' '),
            '\u{2212}' | '\u{2010}' | '\u{2011}' | '\u{2013}' => out.push('-'),
            '\u{FF61}'..='\u{FF9F}' => {
                let next = chars.peek().copied();
                let (full, used_mark) = halfwidth_kana(c, next);
                out.push(full);
                if used_mark {
                    chars.next();
                }
            }
            _ => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

fn needs_fold(c: char) -> bool {
    matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}' | '\u{2212}' | '\u{2010}' | '\u{2011}' | '\u{2013}' | '\u{FF61}'..='\u{FF9F}')
}

/// Half-width katakana (ｱ..ﾝ, with ﾞ/ﾟ marks) to full-width. Returns the character and
/// whether the following voicing mark was merged into it.
fn halfwidth_kana(c: char, next: Option<char>) -> (char, bool) {
    const BASE: &str = "。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン゛゜";
    let idx = (c as u32 - 0xFF61) as usize;
    let full = BASE.chars().nth(idx).unwrap_or(c);
    match next {
        Some('\u{FF9E}') => {
            if full == 'ウ' {
                return ('ヴ', true);
            }
            if "カキクケコサシスセソタチツテトハヒフヘホ".contains(full) {
                return (char::from_u32(full as u32 + 1).unwrap_or(full), true);
            }
            (full, false)
        }
        Some('\u{FF9F}') if "ハヒフヘホ".contains(full) => {
            (char::from_u32(full as u32 + 2).unwrap_or(full), true)
        }
        _ => (full, false),
    }
}

/// Folds text for a search that ignores width and kana: [`fold_width`], hiragana to
/// katakana, ASCII lower case, and every space removed. `ｻｸﾗｲ`, `さくらい` and `サクライ`
/// fold alike, as do `ＡＢＣ` and `abc`.
pub fn fold_for_search(s: &str) -> String {
    fold_width(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            _ => c.to_ascii_lowercase(),
        })
        .collect()
}

/// What [`fold_symbol`] drops after [`fold_width`]: spaces (ASCII, no-break, ideographic),
/// tabs and line ends, and hyphen-like marks. One list, so that SQL can fold alike.
pub const SYMBOL_DROPPED: &[char] = &[
    ' ', '\t', '\n', '\r', '\u{00A0}', '\u{3000}', '-', '_', 'ー', '―', '‐', '－', '＿',
    '\u{2011}', '\u{2013}', '\u{2212}',
];

/// 記号・番号 as a matching key: [`fold_width`], then every space and hyphen-like mark
/// ([`SYMBOL_DROPPED`]) removed, so `奈０１－０００１２３`, `奈01 000123` and `奈01-000123`
/// fold alike.
pub fn fold_symbol(s: &str) -> String {
    fold_width(s)
        .chars()
        .filter(|c| !SYMBOL_DROPPED.contains(c))
        .collect()
}

/// A name in kanji as a matching key: [`fold_width`] with every space removed. Old and new
/// kanji forms (髙/高, 﨑/崎) stay apart: deciding that two spellings are one person is
/// not this function's call (match on the kana name for that).
pub fn fold_name(s: &str) -> String {
    fold_width(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// A kana name as a matching key: [`fold_for_search`] (width, hiragana, spaces) with the
/// small kana written large, as old systems print them: `ｷｮｳｺ`, `きょうこ` and `キヨウコ`
/// fold alike. A middle dot between family and given name is dropped too.
pub fn fold_kana(s: &str) -> String {
    const SMALL: &str = "ァィゥェォッャュョヮヵヶ";
    const LARGE: &str = "アイウエオツヤユヨワカケ";
    fold_for_search(s)
        .chars()
        .filter(|&c| c != '・')
        .map(|c| {
            SMALL
                .chars()
                .position(|x| x == c)
                .and_then(|i| LARGE.chars().nth(i))
                .unwrap_or(c)
        })
        .collect()
}

/// True for the spellings of "no value" found in KDB and office exports.
pub fn is_null(s: &str) -> bool {
    // No spelling of "no value" starts with a digit: most fields are decided here.
    if s.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    let t = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    matches!(
        t,
        "" | "-" | "－" | "―" | "ー" | "*" | "＊" | "該当なし" | "NULL" | "null"
    )
}

/// Parses a number as offices write it: `"1,234"`, `△123` / `▲123` (negative), `１２３`.
pub fn parse_number(s: &str) -> Option<f64> {
    if let Some(v) = plain_integer(s.as_bytes()) {
        return Some(v as f64);
    }
    let folded = fold_width(s.trim());
    let mut t: &str = folded.trim();
    let mut negative = false;
    for mark in ["△", "▲"] {
        if let Some(rest) = t.strip_prefix(mark) {
            negative = true;
            t = rest.trim();
        }
    }
    let cleaned: String = if t.contains(',') {
        t.chars().filter(|&c| c != ',').collect()
    } else {
        t.to_string()
    };
    let v: f64 = cleaned.parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    Some(if negative { -v } else { v })
}

/// Parses a whole number; a value with a fractional part is refused.
pub fn parse_integer(s: &str) -> Option<i64> {
    if let Some(v) = plain_integer(s.as_bytes()) {
        return Some(v);
    }
    let v = parse_number(s)?;
    if v.fract() != 0.0 || v.abs() > 9.0e15 {
        return None;
    }
    Some(v as i64)
}

/// ASCII digits with an optional leading `-`, at most 15 digits (exact in an `f64`): the
/// common case, read without folding or allocating. `None` means "use the general path".
fn plain_integer(b: &[u8]) -> Option<i64> {
    let (negative, digits) = match b {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    let mut v: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(d - b'0');
    }
    Some(if negative { -v } else { v })
}

/// Normalises a fixed-width numeric code: folds width, drops spaces and hyphens, and pads
/// leading zeros back to `width` (Excel strips them: `0291234567` → `291234567`).
/// Returns `None` if the code has non-digits or is longer than `width`. A code already
/// written as `width` ASCII digits is returned borrowed.
pub fn normalize_code(s: &str, width: usize) -> Option<std::borrow::Cow<'_, str>> {
    if s.len() == width && s.bytes().all(|b| b.is_ascii_digit()) {
        return Some(std::borrow::Cow::Borrowed(s));
    }
    let folded = fold_width(s.trim());
    let digits: String = folded.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > width {
        return None;
    }
    Some(std::borrow::Cow::Owned(format!("{digits:0>width$}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_folding_ignores_width_kana_case_and_spaces() {
        let want = fold_for_search("サクライ");
        for s in ["ｻｸﾗｲ", "さくらい", "サ クライ", "サクライ"] {
            assert_eq!(fold_for_search(s), want, "{s}");
        }
        assert_eq!(fold_for_search("ＡＢＣ　ｄ"), "abcd");
        assert_eq!(fold_for_search("ガッコウ"), fold_for_search("ｶﾞｯｺｳ"));
        assert_ne!(fold_for_search("サクライ"), fold_for_search("サクラ"));
    }

    #[test]
    fn matching_keys_fold_what_registers_vary_and_nothing_more() {
        for s in [
            "奈０１－０００１２３",
            "奈01 000123",
            "奈01-000123",
            "奈01000123",
            "奈01　ー000123",
        ] {
            assert_eq!(fold_symbol(s), "奈01000123", "{s}");
        }
        assert_ne!(fold_symbol("奈01-000123"), fold_symbol("奈01-000124"));
        for s in ["ｷｮｳｺ", "きょうこ", "キヨウコ", "キョウ コ", "ｷﾖｳｺ"] {
            assert_eq!(fold_kana(s), "キヨウコ", "{s}");
        }
        assert_eq!(fold_kana("ヤマダ・タロウ"), fold_kana("ﾔﾏﾀﾞ ﾀﾛｳ"));
        assert_ne!(fold_kana("ヤマダ"), fold_kana("ヤマタ"));
        assert_eq!(fold_name("山田　太郎"), fold_name("山田 太郎"));
        assert_ne!(fold_name("髙橋 一郎"), fold_name("高橋 一郎"));
    }

    #[test]
    fn folds_full_width_digits_and_letters() {
        assert_eq!(fold_width("奈良市登大路町３０－１"), "奈良市登大路町30-1");
        assert_eq!(fold_width("ＡＢＣ　１"), "ABC 1");
        assert_eq!(fold_width("plain"), "plain");
    }

    #[test]
    fn folds_half_width_katakana_with_marks() {
        assert_eq!(fold_width("ﾔﾏﾀﾞ ﾀﾛｳ"), "ヤマダ タロウ");
        assert_eq!(fold_width("ﾎﾟﾝ"), "ポン");
        assert_eq!(fold_width("ｳﾞ"), "ヴ");
    }

    #[test]
    fn nulls() {
        for s in ["", " ", "-", "＊", "*", "該当なし", "　"] {
            assert!(is_null(s), "{s:?}");
        }
        assert!(!is_null("0"));
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("\"1,234\"".trim_matches('"')), Some(1234.0));
        assert_eq!(parse_number("△123"), Some(-123.0));
        assert_eq!(parse_number("▲1,000.5"), Some(-1000.5));
        assert_eq!(parse_number("１２３"), Some(123.0));
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_integer("12.5"), None);
    }

    #[test]
    fn codes_get_their_zeros_back() {
        assert_eq!(
            normalize_code("291234567", 10).as_deref(),
            Some("0291234567")
        );
        assert_eq!(
            normalize_code("２９１２３４５６７８", 10).as_deref(),
            Some("2912345678")
        );
        assert_eq!(normalize_code("29X", 10), None);
        assert_eq!(normalize_code("12345678901", 10), None);
    }
}
