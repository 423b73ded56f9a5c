//! Tables written as files people open in spreadsheets (CSV): a cell a spreadsheet would run as a
//! formula is written as text, and read back as it was. Every export writes through here.

use crate::error::AppError;

/// What makes a spreadsheet read a cell as a formula (OWASP's list).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// How several values share one cell, the way Google Contacts writes them: `+34612345678 ::: +34699112233`.
pub const MANY: &str = " ::: ";

/// A cell a spreadsheet would run as a formula (`=HYPERLINK(…)`, `@SUM(…)`, `+cmd|…`) starts
/// with `'`, which makes it text; plain numbers such as `+34612345678 ::: +34699112233` or `-3`
/// stay as they are.
pub fn neutralised(cell: String) -> String {
    let number = |value: &str| {
        let value = value.trim();
        value.len() > 1 && value[1..].chars().all(|c| c.is_ascii_digit() || c == '.')
    };
    if cell.starts_with(FORMULA_STARTS) && !cell.split(MANY.trim()).all(number) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// A cell as we wrote it, without the `'` that kept it from being a formula.
pub fn as_written(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

/// `header` and `rows` as a CSV file, every cell neutralised.
pub fn csv(header: Vec<String>, rows: impl Iterator<Item = Vec<String>>) -> Result<String, AppError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let broken = |e: csv::Error| AppError::Internal(format!("writing a CSV: {e}"));
    writer.write_record(&header).map_err(broken)?;
    for row in rows {
        writer.write_record(row.into_iter().map(neutralised)).map_err(broken)?;
    }
    let bytes = writer.into_inner().map_err(|e| AppError::Internal(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| AppError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_are_written_as_text_and_read_back_as_they_were() {
        for (cell, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("\tx", "'\tx"),
            ("+34612345678", "+34612345678"),
            ("+34612345678 ::: +34699112233", "+34612345678 ::: +34699112233"),
            ("+34612345678 ::: =1+1", "'+34612345678 ::: =1+1"),
            ("-5", "-5"),
            ("Ana", "Ana"),
            ("'quoted'", "'quoted'"),
        ] {
            assert_eq!(neutralised(cell.to_string()), written, "{cell}");
            assert_eq!(as_written(written), cell, "{written}");
        }
    }
}
