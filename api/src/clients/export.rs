//! Writing a client list to an `.xlsx` file that opens cleanly in Excel and
//! imports back with [`read_clients`](super::import::read_clients).

use chrono::{DateTime, NaiveDate, Utc};
use rust_xlsxwriter::{ColNum, Format, FormatBorder, IgnoreError, RowNum, Workbook, XlsxError};

/// One client as exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    /// Client id.
    pub id: i64,
    /// Фамилия.
    pub last_name: String,
    /// Имя.
    pub first_name: String,
    /// Отчество.
    pub patronymic: String,
    /// Main phone.
    pub phone: String,
    /// Second phone.
    pub phone2: String,
    /// Email.
    pub email: String,
    /// Telegram username.
    pub telegram: String,
    /// Birth date, if known.
    pub birth_date: Option<NaiveDate>,
    /// How the client heard about the venue.
    pub source: String,
    /// Tags, already joined (e.g. "vip, постоянный").
    pub tags: String,
    /// Free-text notes.
    pub notes: String,
    /// When the client was created; written as UTC.
    pub created_at: DateTime<Utc>,
}

/// Header cells and column widths, in column order.
const COLUMNS: [(&str, f64); 13] = [
    ("ID", 8.0),
    ("Фамилия", 18.0),
    ("Имя", 16.0),
    ("Отчество", 18.0),
    ("Телефон", 17.0),
    ("Телефон 2", 17.0),
    ("Email", 28.0),
    ("Telegram", 18.0),
    ("Дата рождения", 15.0),
    ("Источник", 18.0),
    ("Теги", 24.0),
    ("Заметки", 45.0),
    ("Создан", 17.0),
];

const PHONE_COLUMNS: [ColNum; 2] = [4, 5];

/// Excel refuses cells longer than this many UTF-16 units.
const MAX_CELL_UTF16: usize = 32_767;

/// Writes the clients to an `.xlsx` file with one sheet "Клиенты".
///
/// The header row is bold, frozen and carries an autofilter; phones are text,
/// birth dates use `dd.mm.yyyy` and the creation time `dd.mm.yyyy hh:mm` (UTC).
/// The sheet is written in constant-memory mode, so large lists stay cheap.
/// Text longer than an Excel cell can hold is cut to fit.
///
/// # Errors
///
/// Whatever `rust_xlsxwriter` reports: no writable temporary directory, or more
/// rows than a worksheet can hold.
pub fn write_clients_xlsx(rows: &[ExportRow]) -> Result<Vec<u8>, XlsxError> {
    let header = Format::new()
        .set_bold()
        .set_background_color(0xDDEBF7)
        .set_border_bottom(FormatBorder::Thin);
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format("dd.mm.yyyy");
    let datetime = Format::new().set_num_format("dd.mm.yyyy hh:mm");

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name("Клиенты")?;

    let last_row = RowNum::try_from(rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    let last_col =
        ColNum::try_from(COLUMNS.len() - 1).map_err(|_| XlsxError::RowColumnLimitError)?;

    // Layout goes first: in constant-memory mode rows are flushed as they are written.
    for (col, (_, width)) in (0..).zip(COLUMNS) {
        sheet.set_column_width(col, width)?;
    }
    for col in PHONE_COLUMNS {
        sheet.set_column_format(col, &text)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last_row, last_col)?;
    if last_row > 0 {
        sheet.ignore_error_range(
            1,
            PHONE_COLUMNS[0],
            last_row,
            PHONE_COLUMNS[1],
            IgnoreError::NumberStoredAsText,
        )?;
    }

    for (col, (title, _)) in (0..).zip(COLUMNS) {
        sheet.write_string_with_format(0, col, title, &header)?;
    }

    for (row, client) in (1..).zip(rows) {
        #[allow(clippy::cast_precision_loss)] // ids stay far below 2^53
        sheet.write_number(row, 0, client.id as f64)?;
        let texts = [
            (1, &client.last_name),
            (2, &client.first_name),
            (3, &client.patronymic),
            (4, &client.phone),
            (5, &client.phone2),
            (6, &client.email),
            (7, &client.telegram),
        ];
        for (col, value) in texts {
            write_text(sheet, row, col, value, &text)?;
        }
        if let Some(birth_date) = &client.birth_date {
            sheet.write_date_with_format(row, 8, birth_date, &date)?;
        }
        for (col, value) in [(9, &client.source), (10, &client.tags), (11, &client.notes)] {
            write_text(sheet, row, col, value, &text)?;
        }
        sheet.write_datetime_with_format(row, 12, client.created_at.naive_utc(), &datetime)?;
    }

    workbook.save_to_buffer()
}

/// Writes a string cell as text (never a formula), leaving empty values blank.
fn write_text(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: RowNum,
    col: ColNum,
    value: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if !value.is_empty() {
        sheet.write_string_with_format(row, col, fit_cell(value), format)?;
    }
    Ok(())
}

fn fit_cell(value: &str) -> &str {
    let mut units = 0;
    for (i, c) in value.char_indices() {
        units += c.len_utf16();
        if units > MAX_CELL_UTF16 {
            return &value[..i];
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::super::import::{Column, parse_date, read_clients};
    use super::*;
    use calamine::{Data, DataType, Reader, Xlsx, open_workbook_from_rs};
    use chrono::TimeZone;
    use std::io::Cursor;

    fn client(id: i64) -> ExportRow {
        ExportRow {
            id,
            last_name: "Иванов".to_owned(),
            first_name: "Иван".to_owned(),
            patronymic: "Иванович".to_owned(),
            phone: "77011234567".to_owned(),
            phone2: "+7 702 765 43 21".to_owned(),
            email: "ivan@example.com".to_owned(),
            telegram: "@ivan".to_owned(),
            birth_date: NaiveDate::from_ymd_opt(1990, 12, 31),
            source: "Instagram".to_owned(),
            tags: "vip, постоянный".to_owned(),
            notes: "=1+1; любит \"тихие\" места\nвторая строка".to_owned(),
            created_at: Utc.with_ymd_and_hms(2025, 3, 4, 15, 6, 0).unwrap(),
        }
    }

    #[test]
    fn sheet_layout() {
        let mut second = client(2);
        second.birth_date = None;
        second.patronymic = String::new();
        let bytes = write_clients_xlsx(&[client(1), second]).unwrap();

        let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        assert_eq!(workbook.sheet_names(), ["Клиенты"]);
        let range = workbook.worksheet_range("Клиенты").unwrap();
        let header: Vec<String> = range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let expected: Vec<&str> = COLUMNS.iter().map(|(t, _)| *t).collect();
        assert_eq!(header, expected);
        assert_eq!(range.get((1, 0)), Some(&Data::Float(1.0)));
        assert_eq!(
            range.get((1, 4)),
            Some(&Data::String("77011234567".to_owned()))
        );
        assert!(matches!(range.get((1, 8)), Some(Data::DateTime(_))));
        let created = range
            .get((1, 12))
            .and_then(DataType::get_datetime)
            .map(|dt| dt.to_ymd_hms_milli());
        assert_eq!(created, Some((2025, 3, 4, 15, 6, 0, 0)));
        assert_eq!(range.get((1, 11)), Some(&Data::String(client(1).notes)));
        assert_eq!(range.get((2, 3)), Some(&Data::Empty));
        assert_eq!(range.get((2, 8)), Some(&Data::Empty));
    }

    #[test]
    fn export_imports_back() {
        let mut second = client(2);
        second.last_name = String::new();
        second.birth_date = None;
        second.tags = String::new();
        let rows = [client(1), second];
        let bytes = write_clients_xlsx(&rows).unwrap();

        let sheet = read_clients(&bytes, "clients.xlsx").unwrap();
        let columns: Vec<(&str, Column)> = sheet
            .columns
            .iter()
            .map(|(h, c)| (h.as_str(), *c))
            .collect();
        assert_eq!(
            columns,
            [
                ("Фамилия", Column::LastName),
                ("Имя", Column::FirstName),
                ("Отчество", Column::Patronymic),
                ("Телефон", Column::Phone),
                ("Телефон 2", Column::Phone2),
                ("Email", Column::Email),
                ("Telegram", Column::Telegram),
                ("Дата рождения", Column::BirthDate),
                ("Источник", Column::Source),
                ("Теги", Column::Tags),
                ("Заметки", Column::Notes),
            ]
        );
        assert_eq!(sheet.rows.len(), 2);
        for (exported, imported) in rows.iter().zip(&sheet.rows) {
            let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
            assert_eq!(imported.last_name, text(&exported.last_name));
            assert_eq!(imported.first_name, text(&exported.first_name));
            assert_eq!(imported.patronymic, text(&exported.patronymic));
            assert_eq!(imported.phone, text(&exported.phone));
            assert_eq!(imported.phone2, text(&exported.phone2));
            assert_eq!(imported.email, text(&exported.email));
            assert_eq!(imported.telegram, text(&exported.telegram));
            assert_eq!(
                imported.birth_date.as_deref().and_then(parse_date),
                exported.birth_date
            );
            assert_eq!(imported.source, text(&exported.source));
            assert_eq!(imported.notes, text(&exported.notes));
            assert_eq!(imported.tags.join(", "), exported.tags);
        }
        assert_eq!(sheet.rows[0].row, 2);
        assert_eq!(sheet.rows[1].row, 3);
    }

    #[test]
    fn empty_list_and_long_text() {
        let bytes = write_clients_xlsx(&[]).unwrap();
        let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        assert_eq!(workbook.worksheet_range("Клиенты").unwrap().height(), 1);

        let mut long = client(1);
        long.notes = "я".repeat(40_000);
        let bytes = write_clients_xlsx(&[long]).unwrap();
        let sheet = read_clients(&bytes, "x.xlsx").unwrap();
        assert_eq!(
            sheet.rows[0].notes.as_ref().map(|n| n.chars().count()),
            Some(MAX_CELL_UTF16)
        );
        assert_eq!(fit_cell("😀😀"), "😀😀");
        assert_eq!(fit_cell(&"😀".repeat(20_000)).chars().count(), 16_383);
    }

    #[test]
    fn many_rows() {
        let rows: Vec<ExportRow> = (1..=10_000).map(client).collect();
        let bytes = write_clients_xlsx(&rows).unwrap();
        assert_eq!(read_clients(&bytes, "x.xlsx").unwrap().rows.len(), 10_000);
    }
}
