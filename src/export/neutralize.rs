//! Formula injection (OWASP "CSV injection"): a text cell a spreadsheet would evaluate is
//! made inert. In CSV, text starting with `=`, `+`, `-`, `@`, a tab or a carriage return
//! gets a leading apostrophe. Numbers are numbers in the table and are never touched
//! (`-3` stays a number); the apostrophe applies to text only. In Excel every text cell
//! is written as a string, which no spreadsheet evaluates, so nothing is added there.

/// Whether a text cell would be read as a formula.
pub fn is_risky(text: &str) -> bool {
    matches!(
        text.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    )
}

/// The text as written to CSV.
pub fn csv_text(text: &str) -> std::borrow::Cow<'_, str> {
    if is_risky(text) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_get_an_apostrophe_and_plain_text_does_not() {
        assert_eq!(csv_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_text("+81"), "'+81");
        assert_eq!(csv_text("-1+1"), "'-1+1");
        assert_eq!(csv_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_text("\tx"), "'\tx");
        assert_eq!(csv_text("奈良市"), "奈良市");
        assert_eq!(csv_text("0001"), "0001");
        assert_eq!(csv_text(""), "");
    }
}
