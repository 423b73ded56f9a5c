//! Tables written as files people open in spreadsheets, CSV or Excel: a cell a spreadsheet would run
//! as a formula is written as text, and read back as it was. Every export writes through here.

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

/// A table to give as a file: its header and its rows.
pub struct Sheet {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The kinds of file a table is given as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    /// Office Open XML, as Excel and every spreadsheet since opens it.
    Xlsx,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// The longest text one cell of a workbook holds.
const CELL_MAX_CHARS: usize = 32_767;

impl Sheet {
    pub fn new(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Self {
        Self { header: header.iter().map(|h| h.to_string()).collect(), rows: rows.collect() }
    }

    /// The file's bytes in `format`.
    pub fn written(self, format: Format) -> Result<Vec<u8>, AppError> {
        match format {
            Format::Csv => csv(self.header, self.rows.into_iter()).map(String::into_bytes),
            Format::Xlsx => self.xlsx(),
        }
    }

    /// A workbook of one sheet: whole numbers as numbers, everything else as text — a workbook's
    /// text cell is never run as a formula, so nothing needs neutralising there.
    fn xlsx(self) -> Result<Vec<u8>, AppError> {
        let broken = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("writing a workbook: {e}"));
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (column, title) in (0u16..).zip(&self.header) {
            sheet.write_string_with_format(0, column, title, &bold).map_err(broken)?;
        }
        for (row, cells) in (1u32..).zip(&self.rows) {
            for (column, cell) in (0u16..).zip(cells) {
                match whole_number(cell) {
                    Some(number) => sheet.write_number(row, column, number as f64).map_err(broken)?,
                    None => {
                        let text: String = cell.chars().take(CELL_MAX_CHARS).collect();
                        sheet.write_string(row, column, text).map_err(broken)?
                    }
                };
            }
        }
        workbook.save_to_buffer().map_err(broken)
    }
}

/// A cell that is a whole number as people write one (no sign, no leading zero: a phone number or
/// a code stays text), small enough to stay exact in a spreadsheet.
fn whole_number(cell: &str) -> Option<i64> {
    let plain = !cell.is_empty() && cell.len() <= 15 && cell.chars().all(|c| c.is_ascii_digit());
    (plain && (cell == "0" || !cell.starts_with('0'))).then(|| cell.parse().ok()).flatten()
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
    fn only_whole_numbers_as_people_write_them_become_numbers_in_a_workbook() {
        assert_eq!(whole_number("42"), Some(42));
        assert_eq!(whole_number("0"), Some(0));
        for text in ["+34612345678", "007", "-3", "1.5", "", "Ana", "1234567890123456"] {
            assert_eq!(whole_number(text), None, "{text}");
        }
    }

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
