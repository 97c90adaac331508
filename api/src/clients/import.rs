//! Reading a client list from a spreadsheet: `.xlsx`, `.xls`, `.xlsb`, `.ods` or CSV.
//!
//! This module is pure: bytes in, rows out. Validation against the database and
//! normalisation of phones and emails are the caller's job.

use std::io::Cursor;

use calamine::{Data, Reader, SheetType, SheetVisible, open_workbook_auto_from_rs};
use chrono::NaiveDate;

use crate::error::Msg;

/// One data row as found in the file; every cell trimmed, empty cells are None.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawClientRow {
    /// 1-based row number in the sheet as a person sees it (the header is row 1, so the first data row is 2).
    pub row: usize,
    /// Фамилия.
    pub last_name: Option<String>,
    /// Имя.
    pub first_name: Option<String>,
    /// Отчество.
    pub patronymic: Option<String>,
    /// Main phone, as written.
    pub phone: Option<String>,
    /// Second phone, as written.
    pub phone2: Option<String>,
    /// Email, as written.
    pub email: Option<String>,
    /// Telegram username or link, as written.
    pub telegram: Option<String>,
    /// As written in the file; the caller parses it (see `parse_date`).
    pub birth_date: Option<String>,
    /// How the client heard about the venue.
    pub source: Option<String>,
    /// Free-text notes.
    pub notes: Option<String>,
    /// Comma/semicolon separated in the file, split and trimmed here.
    pub tags: Vec<String>,
}

/// A column of the client list that the importer recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    /// Фамилия / Last name.
    LastName,
    /// Имя / First name.
    FirstName,
    /// Отчество / Patronymic.
    Patronymic,
    /// ФИО in one cell, split with [`split_full_name`].
    FullName,
    /// Телефон / Phone.
    Phone,
    /// Телефон 2 / Second phone.
    Phone2,
    /// Email.
    Email,
    /// Telegram.
    Telegram,
    /// Дата рождения / Birth date.
    BirthDate,
    /// Источник / Source.
    Source,
    /// Заметки / Notes.
    Notes,
    /// Теги / Tags.
    Tags,
}

/// Why a file could not be read as a client list at all.
impl ImportFileError {
    /// The refusal in both languages, each whole.
    pub fn msg(&self) -> Msg {
        match self {
            ImportFileError::NotASpreadsheet => Msg::new(
                "Файл не похож на таблицу .xlsx или .csv",
                "The file is not an .xlsx or .csv spreadsheet",
            ),
            ImportFileError::Empty => Msg::new(
                "В файле нет строк с клиентами",
                "The file has no client rows",
            ),
            ImportFileError::NoKnownColumns { found } => Msg::new(
                format!(
                    "В первых {HEADER_SEARCH_ROWS} строках не найдено ни одного знакомого столбца \
                     (например, ФИО, Телефон, Email); в первой заполненной строке: {}",
                    found.join(", ")
                ),
                format!(
                    "The file has no known columns (such as Full name, Phone, Email) in its \
                     first {HEADER_SEARCH_ROWS} rows; the first filled row has: {}",
                    found.join(", ")
                ),
            ),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImportFileError {
    /// Neither a workbook nor delimited text.
    #[error(
        "Файл не похож на таблицу .xlsx или .csv (the file is not an .xlsx or .csv spreadsheet)"
    )]
    NotASpreadsheet,
    /// No rows, or a header and no data rows.
    #[error("В файле нет строк с клиентами (the file has no client rows)")]
    Empty,
    /// Header cells were found but none of them is a known column.
    #[error(
        "Не найдено ни одного знакомого столбца (например, ФИО, Телефон, Email); в заголовке: {} \
         (no known columns such as Full name, Phone, Email; the header has: {})",
        .found.join(", "),
        .found.join(", ")
    )]
    NoKnownColumns {
        /// The non-empty header cells, as written.
        found: Vec<String>,
    },
}

/// The recognised columns and the data rows of a client list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedSheet {
    /// Each recognised column: the header as written and what it was taken for, in file order.
    pub columns: Vec<(String, Column)>,
    /// Data rows that have at least one recognised non-empty cell.
    pub rows: Vec<RawClientRow>,
}

/// Reads a client list from the bytes of an uploaded file.
///
/// The format is detected from the content: workbooks (`.xlsx`, `.xls`, `.xlsb`,
/// `.ods`, first visible worksheet) or delimited text (`;`, `,` or tab; UTF-8 with
/// or without BOM, UTF-16 with BOM, or Windows-1251). `filename` is only a hint.
/// The header is the first non-empty row.
pub fn read_clients(bytes: &[u8], filename: &str) -> Result<ParsedSheet, ImportFileError> {
    if is_workbook(bytes) {
        read_workbook(bytes)
    } else {
        read_delimited(bytes, filename)
    }
}

/// Splits "Фамилия Имя Отчество" into (last, first, patronymic).
///
/// One word is taken as the first name; two words as last and first name; from
/// three words on, the rest after the first name is the patronymic (e.g. "Мамедов
/// Али Гусейн оглы").
pub fn split_full_name(full: &str) -> (Option<String>, Option<String>, Option<String>) {
    let words: Vec<&str> = full
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    match words.as_slice() {
        [] => (None, None, None),
        [first] => (None, Some((*first).to_owned()), None),
        [last, first] => (Some((*last).to_owned()), Some((*first).to_owned()), None),
        [last, first, rest @ ..] => (
            Some((*last).to_owned()),
            Some((*first).to_owned()),
            Some(rest.join(" ")),
        ),
    }
}

/// Parses a date as people write it in client lists.
///
/// Accepts `31.12.1990`, `31/12/1990`, `31-12-1990`, `1990-12-31`, `1990.12.31`,
/// `31.12.90` (two-digit years: 00–29 → 2000s, else 1900s), a trailing time or
/// "г.", and Excel serial day numbers written as text (`33238` → 1990-12-31).
/// A bare number between 1000 and 2999 is read as a year alone and rejected.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let text = text
        .strip_suffix("г.")
        .or_else(|| text.strip_suffix('г'))
        .unwrap_or(text)
        .trim();
    let token = text.split_whitespace().next()?;
    // "1990-12-31T10:00:00"
    let token = match token.split_once('T') {
        Some((date, _)) if date.len() == 10 => date,
        _ => token,
    };

    if token.bytes().all(|b| b.is_ascii_digit()) {
        return excel_serial_date(token);
    }

    let sep = token.chars().find(|c| matches!(c, '.' | '/' | '-'))?;
    let parts: Vec<&str> = token.split(sep).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    if ![a, b, c]
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    if a.len() == 4 {
        if b.len() > 2 || c.len() > 2 {
            return None;
        }
        return NaiveDate::from_ymd_opt(a.parse().ok()?, b.parse().ok()?, c.parse().ok()?);
    }
    if a.len() > 2 || b.len() > 2 {
        return None;
    }
    let year: i32 = match c.len() {
        4 => c.parse().ok()?,
        2 => {
            let yy: i32 = c.parse().ok()?;
            if yy <= 29 { 2000 + yy } else { 1900 + yy }
        }
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year, b.parse().ok()?, a.parse().ok()?)
}

fn excel_serial_date(digits: &str) -> Option<NaiveDate> {
    let serial: i64 = digits.parse().ok()?;
    if (1000..=2999).contains(&serial) || !(1..=2_958_465).contains(&serial) {
        return None;
    }
    // Excel counts 1900-02-29, which never existed, as day 60.
    let epoch = match serial {
        60 => return None,
        ..60 => NaiveDate::from_ymd_opt(1899, 12, 31)?,
        _ => NaiveDate::from_ymd_opt(1899, 12, 30)?,
    };
    epoch.checked_add_days(chrono::Days::new(u64::try_from(serial).ok()?))
}

// ---------------------------------------------------------------------------
// Header recognition

const ALIASES: &[(&str, Column)] = &[
    ("ФИО", Column::FullName),
    ("Клиент", Column::FullName),
    ("ФИО клиента", Column::FullName),
    ("Имя клиента", Column::FullName),
    ("Фамилия Имя Отчество", Column::FullName),
    ("Фамилия Имя", Column::FullName),
    ("Full name", Column::FullName),
    ("Name", Column::FullName),
    ("Client", Column::FullName),
    ("Client name", Column::FullName),
    ("Customer", Column::FullName),
    ("Customer name", Column::FullName),
    ("Фамилия", Column::LastName),
    ("Last name", Column::LastName),
    ("Surname", Column::LastName),
    ("Family name", Column::LastName),
    ("Имя", Column::FirstName),
    ("First name", Column::FirstName),
    ("Given name", Column::FirstName),
    ("Отчество", Column::Patronymic),
    ("Patronymic", Column::Patronymic),
    ("Middle name", Column::Patronymic),
    ("Телефон", Column::Phone),
    ("Тел", Column::Phone),
    ("Телефон 1", Column::Phone),
    ("Номер телефона", Column::Phone),
    ("Мобильный", Column::Phone),
    ("Мобильный телефон", Column::Phone),
    ("Моб. телефон", Column::Phone),
    ("Сотовый", Column::Phone),
    ("Phone", Column::Phone),
    ("Phone 1", Column::Phone),
    ("Phone number", Column::Phone),
    ("Mobile", Column::Phone),
    ("Mobile phone", Column::Phone),
    ("Tel", Column::Phone),
    ("Telephone", Column::Phone),
    ("Телефон 2", Column::Phone2),
    ("Тел. 2", Column::Phone2),
    ("Доп. телефон", Column::Phone2),
    ("Дополнительный телефон", Column::Phone2),
    ("Второй телефон", Column::Phone2),
    ("Другой телефон", Column::Phone2),
    ("Phone 2", Column::Phone2),
    ("Second phone", Column::Phone2),
    ("Additional phone", Column::Phone2),
    ("Other phone", Column::Phone2),
    ("Email", Column::Email),
    ("E-mail", Column::Email),
    ("Email address", Column::Email),
    ("Mail", Column::Email),
    ("Почта", Column::Email),
    ("Эл. почта", Column::Email),
    ("Электронная почта", Column::Email),
    ("Емейл", Column::Email),
    ("Имейл", Column::Email),
    ("Telegram", Column::Telegram),
    ("Телеграм", Column::Telegram),
    ("Телеграмм", Column::Telegram),
    ("TG", Column::Telegram),
    ("ТГ", Column::Telegram),
    ("Дата рождения", Column::BirthDate),
    ("День рождения", Column::BirthDate),
    ("ДР", Column::BirthDate),
    ("Birth date", Column::BirthDate),
    ("Birthday", Column::BirthDate),
    ("Date of birth", Column::BirthDate),
    ("DOB", Column::BirthDate),
    ("Источник", Column::Source),
    ("Откуда узнал", Column::Source),
    ("Откуда узнала", Column::Source),
    ("Откуда узнали", Column::Source),
    ("Откуда узнали о нас", Column::Source),
    ("Source", Column::Source),
    ("Lead source", Column::Source),
    ("How did you hear", Column::Source),
    ("How did you hear about us", Column::Source),
    ("Заметки", Column::Notes),
    ("Заметка", Column::Notes),
    ("Примечание", Column::Notes),
    ("Примечания", Column::Notes),
    ("Комментарий", Column::Notes),
    ("Комментарии", Column::Notes),
    ("Notes", Column::Notes),
    ("Note", Column::Notes),
    ("Comment", Column::Notes),
    ("Comments", Column::Notes),
    ("Теги", Column::Tags),
    ("Тег", Column::Tags),
    ("Метки", Column::Tags),
    ("Метка", Column::Tags),
    ("Tags", Column::Tags),
    ("Tag", Column::Tags),
];

/// Lower case, `ё` → `е`, letters and digits only ("Ф.И.О." → "фио", "E-mail" → "email").
fn normalize_header(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect()
}

fn recognise(header: &str) -> Option<Column> {
    let key = normalize_header(header);
    if key.is_empty() {
        return None;
    }
    ALIASES
        .iter()
        .find(|(alias, _)| normalize_header(alias) == key)
        .map(|&(_, column)| column)
}

// ---------------------------------------------------------------------------
// Turning a grid of cells into client rows

/// How many rows from the top are searched for the header.
pub const HEADER_SEARCH_ROWS: usize = 20;

/// Builds the sheet from rows of trimmed cells, each with its 1-based row number.
fn build_sheet<I>(mut grid: I) -> Result<ParsedSheet, ImportFileError>
where
    I: Iterator<Item = (usize, Vec<Option<String>>)>,
{
    // The header is the first of the first rows that names a known column: title rows
    // ("Список клиентов на 01.11.2026") and blank rows above it are skipped.
    let mut top: Vec<(usize, Vec<Option<String>>)> =
        grid.by_ref().take(HEADER_SEARCH_ROWS).collect();
    let first_filled = top
        .iter()
        .position(|(_, cells)| cells.iter().any(Option::is_some))
        .ok_or(ImportFileError::Empty)?;
    let at = top
        .iter()
        .position(|(_, cells)| cells.iter().flatten().any(|c| recognise(c).is_some()))
        .unwrap_or(first_filled);
    let below: Vec<(usize, Vec<Option<String>>)> = top.split_off(at + 1);
    let header = top.pop().map(|(_, cells)| cells).unwrap_or_default();
    let mut grid = below.into_iter().chain(grid);

    let mut columns = Vec::new();
    let mut mapping: Vec<Option<Column>> = Vec::with_capacity(header.len());
    for cell in &header {
        let column = cell.as_deref().and_then(recognise).map(|column| {
            // A second "Телефон" column is taken as the second phone.
            let taken = |c: Column| columns.iter().any(|(_, seen)| *seen == c);
            if column == Column::Phone && taken(Column::Phone) && !taken(Column::Phone2) {
                Column::Phone2
            } else {
                column
            }
        });
        if let (Some(text), Some(column)) = (cell, column) {
            columns.push((text.clone(), column));
        }
        mapping.push(column);
    }
    if columns.is_empty() {
        return Err(ImportFileError::NoKnownColumns {
            found: header.into_iter().flatten().collect(),
        });
    }

    let mut rows = Vec::new();
    for (row_number, cells) in grid.by_ref() {
        if let Some(row) = client_row(row_number, cells, &mapping) {
            rows.push(row);
        }
    }
    if rows.is_empty() {
        return Err(ImportFileError::Empty);
    }
    Ok(ParsedSheet { columns, rows })
}

fn client_row(
    row_number: usize,
    cells: Vec<Option<String>>,
    mapping: &[Option<Column>],
) -> Option<RawClientRow> {
    fn keep_first(slot: &mut Option<String>, value: String) {
        if slot.is_none() {
            *slot = Some(value);
        }
    }

    let mut row = RawClientRow {
        row: row_number,
        ..RawClientRow::default()
    };
    let mut full_name = None;
    for (cell, column) in cells.into_iter().zip(mapping) {
        let (Some(value), Some(column)) = (cell, column) else {
            continue;
        };
        match column {
            Column::LastName => keep_first(&mut row.last_name, value),
            Column::FirstName => keep_first(&mut row.first_name, value),
            Column::Patronymic => keep_first(&mut row.patronymic, value),
            Column::FullName => keep_first(&mut full_name, value),
            Column::Phone => keep_first(&mut row.phone, value),
            Column::Phone2 => keep_first(&mut row.phone2, value),
            Column::Email => keep_first(&mut row.email, value),
            Column::Telegram => keep_first(&mut row.telegram, value),
            Column::BirthDate => keep_first(&mut row.birth_date, value),
            Column::Source => keep_first(&mut row.source, value),
            Column::Notes => match &mut row.notes {
                Some(notes) => {
                    notes.push_str("; ");
                    notes.push_str(&value);
                }
                None => row.notes = Some(value),
            },
            Column::Tags => {
                for tag in value.split([',', ';']).map(str::trim) {
                    if !tag.is_empty() && !row.tags.iter().any(|t| t == tag) {
                        row.tags.push(tag.to_owned());
                    }
                }
            }
        }
    }
    if let Some(full) = full_name {
        let (last, first, patronymic) = split_full_name(&full);
        row.last_name = row.last_name.or(last);
        row.first_name = row.first_name.or(first);
        row.patronymic = row.patronymic.or(patronymic);
    }

    let empty = RawClientRow {
        row: row_number,
        ..RawClientRow::default()
    };
    (row != empty).then_some(row)
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

// ---------------------------------------------------------------------------
// Workbooks

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const CFB_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(CFB_MAGIC)
}

fn read_workbook(bytes: &[u8]) -> Result<ParsedSheet, ImportFileError> {
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|_| ImportFileError::NotASpreadsheet)?;
    let sheets = workbook.sheets_metadata();
    let worksheets = || sheets.iter().filter(|s| s.typ == SheetType::WorkSheet);
    let name = worksheets()
        .find(|s| s.visible == SheetVisible::Visible)
        .or_else(|| worksheets().next())
        .map(|s| s.name.clone())
        .ok_or(ImportFileError::Empty)?;
    let range = workbook
        .worksheet_range(&name)
        .map_err(|_| ImportFileError::NotASpreadsheet)?;
    let Some((first_row, _)) = range.start() else {
        return Err(ImportFileError::Empty);
    };
    let first_row = usize::try_from(first_row).map_err(|_| ImportFileError::NotASpreadsheet)?;
    build_sheet(
        range
            .rows()
            .enumerate()
            .map(|(i, cells)| (first_row + i + 1, cells.iter().map(cell_text).collect())),
    )
}

fn cell_text(cell: &Data) -> Option<String> {
    match cell {
        Data::String(s) | Data::DurationIso(s) => non_empty(s),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) => Some(number_text(*f)),
        Data::Bool(b) => Some(b.to_string()),
        Data::DateTime(dt) if dt.is_duration() => Some(number_text(dt.as_f64())),
        Data::DateTime(dt) => {
            let (year, month, day, ..) = dt.to_ymd_hms_milli();
            Some(format!("{year:04}-{month:02}-{day:02}"))
        }
        Data::DateTimeIso(s) => {
            let s = s.trim();
            match s.get(..10) {
                Some(date) if NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok() => {
                    Some(date.to_owned())
                }
                _ => non_empty(s),
            }
        }
        Data::Error(_) | Data::Empty => None,
    }
}

/// `Display` for `f64` never uses an exponent and drops `.0`, so 77011234567.0
/// becomes "77011234567".
fn number_text(value: f64) -> String {
    if value == 0.0 {
        "0".to_owned()
    } else {
        value.to_string()
    }
}

// ---------------------------------------------------------------------------
// Delimited text

fn read_delimited(bytes: &[u8], filename: &str) -> Result<ParsedSheet, ImportFileError> {
    let text = decode_text(bytes).ok_or(ImportFileError::NotASpreadsheet)?;
    if text.trim().is_empty() {
        return Err(ImportFileError::Empty);
    }
    let lower = filename.to_lowercase();
    let delimiter = match detect_delimiter(&text, lower.ends_with(".tsv")) {
        Some(d) => Some(d),
        None => {
            // One column and no delimiter: accept it if it looks meant as a table.
            let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            let named_as_text = [".csv", ".tsv", ".txt"].iter().any(|e| lower.ends_with(e));
            if recognise(header.trim().trim_matches('"')).is_none() && !named_as_text {
                return Err(ImportFileError::NotASpreadsheet);
            }
            None
        }
    };
    let records = parse_delimited(&text, delimiter);
    build_sheet(records.into_iter().enumerate().map(|(i, fields)| {
        (
            i + 1,
            fields.iter().map(|f| non_empty(f)).collect::<Vec<_>>(),
        )
    }))
}

/// Decodes text files as saved by spreadsheet programs. `None` if the bytes are
/// not plausible text (binary control characters, invalid encoding).
fn decode_text(bytes: &[u8]) -> Option<String> {
    let text = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        String::from_utf8(rest.to_vec()).ok()?
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        decode_utf16(rest, u16::from_le_bytes)?
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        decode_utf16(rest, u16::from_be_bytes)?
    } else if bytes.starts_with(b"%PDF") {
        return None;
    } else {
        match std::str::from_utf8(bytes) {
            Ok(text) => text.to_owned(),
            // Russian Excel saves "CSV (разделители - запятые)" in Windows-1251.
            Err(_) => decode_windows_1251(bytes)?,
        }
    };
    let binary = text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'));
    (!binary).then_some(text)
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Option<String> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .ok()
}

/// Windows-1251 bytes 0x80..=0xBF; 0xC0..=0xFF are А..я in order. 0x98 is unassigned.
const CP1251_HIGH: [char; 64] = [
    'Ђ', 'Ѓ', '‚', 'ѓ', '„', '…', '†', '‡', '€', '‰', 'Љ', '‹', 'Њ', 'Ќ', 'Ћ', 'Џ', //
    'ђ', '‘', '’', '“', '”', '•', '–', '—', '\u{0}', '™', 'љ', '›', 'њ', 'ќ', 'ћ', 'џ', //
    '\u{a0}', 'Ў', 'ў', 'Ј', '¤', 'Ґ', '¦', '§', 'Ё', '©', 'Є', '«', '¬', '\u{ad}', '®',
    'Ї', //
    '°', '±', 'І', 'і', 'ґ', 'µ', '¶', '·', 'ё', '№', 'є', '»', 'ј', 'Ѕ', 'ѕ', 'ї', //
];

fn decode_windows_1251(bytes: &[u8]) -> Option<String> {
    bytes
        .iter()
        .map(|&b| match b {
            0x00..=0x7F => Some(char::from(b)),
            0x98 => None,
            0x80..=0xBF => CP1251_HIGH.get(usize::from(b - 0x80)).copied(),
            0xC0..=0xFF => char::from_u32(0x0410 + u32::from(b - 0xC0)),
        })
        .collect()
}

/// Picks `;`, tab or `,` by counting them, outside quotes, in the first non-empty line.
fn detect_delimiter(text: &str, prefer_tab: bool) -> Option<char> {
    // The first of the top lines that has a delimiter decides: a title line above the
    // header has none.
    text.lines()
        .take(HEADER_SEARCH_ROWS)
        .find_map(|line| line_delimiter(line, prefer_tab))
}

fn line_delimiter(line: &str, prefer_tab: bool) -> Option<char> {
    let mut counts = [0usize; 3]; // ';', '\t', ','
    let mut in_quotes = false;
    for c in line.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            ';' if !in_quotes => counts[0] += 1,
            '\t' if !in_quotes => counts[1] += 1,
            ',' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let [semicolon, tab, comma] = counts;
    if prefer_tab && tab > 0 {
        return Some('\t');
    }
    let best = semicolon.max(tab).max(comma);
    if best == 0 {
        None
    } else if semicolon == best {
        Some(';')
    } else if tab == best {
        Some('\t')
    } else {
        Some(',')
    }
}

/// Splits delimited text into records: double-quoted fields may hold delimiters,
/// line breaks and doubled quotes. `None` as the delimiter reads one column.
/// A blank line is an empty record, so record numbers match spreadsheet rows.
fn parse_delimited(text: &str, delimiter: Option<char>) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut was_quoted = false;
    let mut chars = text.chars().peekable();

    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    in_quotes = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            c if Some(c) == delimiter => {
                record.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            '\n' | '\r' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                was_quoted = false;
            }
            '"' if !was_quoted && field.trim().is_empty() => {
                field.clear();
                in_quotes = true;
                was_quoted = true;
            }
            c => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() || was_quoted {
        record.push(field);
        records.push(record);
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;
    use rust_xlsxwriter::{Format, Workbook};

    fn xlsx(build: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        build(sheet);
        workbook.save_to_buffer().unwrap()
    }

    fn s(text: &str) -> Option<String> {
        Some(text.to_owned())
    }

    #[test]
    fn xlsx_with_russian_headers_numbers_dates_and_blank_rows() {
        let date = Format::new().set_num_format("dd.mm.yyyy");
        let bytes = xlsx(|ws| {
            // Header on row 2 (row 1 left empty), an unknown column in between.
            ws.write(1, 0, "Фамилия").unwrap();
            ws.write(1, 1, " имя ").unwrap();
            ws.write(1, 2, "Отчество").unwrap();
            ws.write(1, 3, "Возраст").unwrap();
            ws.write(1, 4, "Тел.").unwrap();
            ws.write(1, 5, "Доп. телефон").unwrap();
            ws.write(1, 6, "E-mail").unwrap();
            ws.write(1, 7, "Дата рождения").unwrap();
            ws.write(1, 8, "Метки").unwrap();
            ws.write(1, 9, "Откуда узнали").unwrap();
            ws.write(1, 10, "ТЕЛЕГРАМ").unwrap();
            ws.write(1, 11, "Примечание").unwrap();

            ws.write(2, 0, "  Иванов ").unwrap();
            ws.write(2, 1, "Иван").unwrap();
            ws.write(2, 2, "Иванович").unwrap();
            ws.write(2, 3, 33).unwrap();
            ws.write(2, 4, 77_011_234_567.0).unwrap();
            ws.write(2, 5, 87_021_234_567.0).unwrap();
            ws.write(2, 6, "ivan@example.com").unwrap();
            ws.write_date_with_format(2, 7, NaiveDate::from_ymd_opt(1990, 12, 31).unwrap(), &date)
                .unwrap();
            ws.write(2, 8, "vip; постоянный, vip ,").unwrap();
            ws.write(2, 9, "Instagram").unwrap();
            ws.write(2, 10, "@ivan").unwrap();
            ws.write(2, 11, true).unwrap();

            // Row 4 blank; row 5 has only the unknown column; row 6 only spaces.
            ws.write(4, 3, 40).unwrap();
            ws.write(5, 0, "   ").unwrap();

            ws.write(6, 1, "Мария").unwrap();
            ws.write(6, 4, "+7 (701) 765-43-21").unwrap();
            ws.write(6, 7, "01.02.1985").unwrap();
            ws.write(6, 11, 1.5).unwrap();
        });

        let sheet = read_clients(&bytes, "clients.xlsx").unwrap();
        let kinds: Vec<Column> = sheet.columns.iter().map(|(_, c)| *c).collect();
        assert_eq!(
            kinds,
            [
                Column::LastName,
                Column::FirstName,
                Column::Patronymic,
                Column::Phone,
                Column::Phone2,
                Column::Email,
                Column::BirthDate,
                Column::Tags,
                Column::Source,
                Column::Telegram,
                Column::Notes,
            ]
        );
        assert_eq!(sheet.columns[1].0, "имя");
        assert_eq!(sheet.columns[3].0, "Тел.");

        assert_eq!(sheet.rows.len(), 2);
        assert_eq!(
            sheet.rows[0],
            RawClientRow {
                row: 3,
                last_name: s("Иванов"),
                first_name: s("Иван"),
                patronymic: s("Иванович"),
                phone: s("77011234567"),
                phone2: s("87021234567"),
                email: s("ivan@example.com"),
                telegram: s("@ivan"),
                birth_date: s("1990-12-31"),
                source: s("Instagram"),
                notes: s("true"),
                tags: vec!["vip".to_owned(), "постоянный".to_owned()],
            }
        );
        let maria = &sheet.rows[1];
        assert_eq!(maria.row, 7);
        assert_eq!(maria.first_name, s("Мария"));
        assert_eq!(maria.last_name, None);
        assert_eq!(maria.phone, s("+7 (701) 765-43-21"));
        assert_eq!(maria.notes, s("1.5"));
        assert_eq!(
            parse_date(maria.birth_date.as_deref().unwrap()),
            NaiveDate::from_ymd_opt(1985, 2, 1)
        );
        assert_eq!(
            parse_date(sheet.rows[0].birth_date.as_deref().unwrap()),
            NaiveDate::from_ymd_opt(1990, 12, 31)
        );
    }

    #[test]
    fn xlsx_full_name_only() {
        let bytes = xlsx(|ws| {
            ws.write(0, 0, "Ф.И.О.").unwrap();
            ws.write(0, 1, "Phone").unwrap();
            ws.write(1, 0, "Петров Пётр Петрович").unwrap();
            ws.write(1, 1, 79_991_112_233.0).unwrap();
            ws.write(3, 0, "Анна").unwrap();
            ws.write(4, 0, "Сидорова Елена").unwrap();
            ws.write(5, 0, "Мамедов Али Гусейн оглы").unwrap();
        });
        let sheet = read_clients(&bytes, "").unwrap();
        assert_eq!(
            sheet.columns,
            [
                ("Ф.И.О.".to_owned(), Column::FullName),
                ("Phone".to_owned(), Column::Phone)
            ]
        );
        let names: Vec<_> = sheet
            .rows
            .iter()
            .map(|r| {
                (
                    r.row,
                    r.last_name.as_deref(),
                    r.first_name.as_deref(),
                    r.patronymic.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                (2, Some("Петров"), Some("Пётр"), Some("Петрович")),
                (4, None, Some("Анна"), None),
                (5, Some("Сидорова"), Some("Елена"), None),
                (6, Some("Мамедов"), Some("Али"), Some("Гусейн оглы")),
            ]
        );
        assert_eq!(sheet.rows[0].phone, s("79991112233"));
    }

    #[test]
    fn full_name_fills_only_missing_parts() {
        let csv = "ФИО;Имя;Телефон\nИванов Иван;Ванечка;1\n;Пётр;2\n";
        let sheet = read_clients(csv.as_bytes(), "a.csv").unwrap();
        assert_eq!(sheet.rows[0].last_name, s("Иванов"));
        assert_eq!(sheet.rows[0].first_name, s("Ванечка"));
        assert_eq!(sheet.rows[1].last_name, None);
        assert_eq!(sheet.rows[1].first_name, s("Пётр"));
    }

    #[test]
    fn csv_semicolon_with_quotes_and_bom() {
        let csv = "\u{feff}Фамилия;Имя;Телефон;Заметки;Теги\r\n\
                   Иванов;Иван;+77011234567;\"Любит; тишину\";\"a, b\"\r\n\
                   \r\n\
                   \"Петров\";Пётр;87001234567;\"Сказал \"\"привет\"\"\r\nи ушёл\";\r\n";
        let sheet = read_clients(csv.as_bytes(), "clients.csv").unwrap();
        assert_eq!(sheet.columns[0], ("Фамилия".to_owned(), Column::LastName));
        assert_eq!(sheet.rows.len(), 2);
        assert_eq!(sheet.rows[0].row, 2);
        assert_eq!(sheet.rows[0].notes, s("Любит; тишину"));
        assert_eq!(sheet.rows[0].tags, ["a", "b"]);
        assert_eq!(sheet.rows[1].row, 4);
        assert_eq!(sheet.rows[1].last_name, s("Петров"));
        assert_eq!(sheet.rows[1].notes, s("Сказал \"привет\"\r\nи ушёл"));
        assert!(sheet.rows[1].tags.is_empty());
    }

    #[test]
    fn csv_comma_with_quoted_commas_and_no_trailing_newline() {
        let csv = "Name,Phone,Email,Birthday,Comment\n\
                   \"Smith, John\",7701,\"j@x.io\",31/12/1990, \"a, b\"\n\
                   Doe Jane,,,,";
        let sheet = read_clients(csv.as_bytes(), "export").unwrap();
        assert_eq!(sheet.rows.len(), 2);
        assert_eq!(sheet.rows[0].last_name, s("Smith"));
        assert_eq!(sheet.rows[0].first_name, s("John"));
        assert_eq!(sheet.rows[0].phone, s("7701"));
        assert_eq!(sheet.rows[0].birth_date, s("31/12/1990"));
        assert_eq!(sheet.rows[0].notes, s("a, b"));
        assert_eq!(sheet.rows[1].row, 3);
        assert_eq!(sheet.rows[1].last_name, s("Doe"));
        assert_eq!(sheet.rows[1].phone, None);
    }

    #[test]
    fn csv_tab_and_header_after_blank_lines() {
        let csv = "\n\n  \nФамилия\tИмя\tE-mail\nИванов\tИван\ti@x.ru\n";
        let sheet = read_clients(csv.as_bytes(), "x.txt").unwrap();
        assert_eq!(sheet.rows.len(), 1);
        assert_eq!(sheet.rows[0].row, 5);
        assert_eq!(sheet.rows[0].email, s("i@x.ru"));
    }

    #[test]
    fn csv_in_windows_1251_and_utf16() {
        let utf8 = "Фамилия;Имя;Ёмкость\nЁлкин;Семён;1\n";
        let cp1251: Vec<u8> = utf8
            .chars()
            .map(|c| match c {
                'Ё' => 0xA8,
                'ё' => 0xB8,
                'А'..='я' => u8::try_from(u32::from(c) - 0x0410 + 0xC0).unwrap(),
                c => u8::try_from(u32::from(c)).unwrap(),
            })
            .collect();
        assert!(std::str::from_utf8(&cp1251).is_err());
        let sheet = read_clients(&cp1251, "clients.csv").unwrap();
        assert_eq!(sheet.rows[0].last_name, s("Ёлкин"));
        assert_eq!(sheet.rows[0].first_name, s("Семён"));

        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(
            utf8.replace(';', "\t")
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        let sheet = read_clients(&utf16, "clients.txt").unwrap();
        assert_eq!(sheet.rows[0].last_name, s("Ёлкин"));
    }

    #[test]
    fn single_column_csv() {
        let sheet = read_clients("ФИО\nИванов Иван\n".as_bytes(), "list").unwrap();
        assert_eq!(sheet.rows[0].last_name, s("Иванов"));
        assert_eq!(
            read_clients(b"Names\nJohn\n", "list.csv"),
            Err(ImportFileError::NoKnownColumns {
                found: vec!["Names".to_owned()]
            })
        );
        assert_eq!(
            read_clients(b"just some text\nmore text\n", "notes.md"),
            Err(ImportFileError::NotASpreadsheet)
        );
    }

    #[test]
    fn not_a_spreadsheet() {
        let png =
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
        assert_eq!(
            read_clients(png, "clients.xlsx"),
            Err(ImportFileError::NotASpreadsheet)
        );
        let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n";
        assert_eq!(
            read_clients(pdf, "clients.csv"),
            Err(ImportFileError::NotASpreadsheet)
        );
        let noise: Vec<u8> = (0u32..4096)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert_eq!(
            read_clients(&noise, "clients.csv"),
            Err(ImportFileError::NotASpreadsheet)
        );
        // A zip that is not a workbook.
        assert_eq!(
            read_clients(b"PK\x03\x04garbage;garbage\n", "clients.xlsx"),
            Err(ImportFileError::NotASpreadsheet)
        );
    }

    #[test]
    fn empty_files() {
        assert_eq!(read_clients(b"", "a.csv"), Err(ImportFileError::Empty));
        assert_eq!(
            read_clients(b"\xEF\xBB\xBF \r\n\r\n", "a.csv"),
            Err(ImportFileError::Empty)
        );
        assert_eq!(
            read_clients("ФИО;Телефон\r\n".as_bytes(), "a.csv"),
            Err(ImportFileError::Empty)
        );
        assert_eq!(
            read_clients("ФИО;Телефон\n;\n ; \n".as_bytes(), "a.csv"),
            Err(ImportFileError::Empty)
        );
        assert_eq!(
            read_clients(&xlsx(|_| {}), "a.xlsx"),
            Err(ImportFileError::Empty)
        );
        let header_only = xlsx(|ws| {
            ws.write(0, 0, "Телефон").unwrap();
        });
        assert_eq!(
            read_clients(&header_only, "a.xlsx"),
            Err(ImportFileError::Empty)
        );
    }

    #[test]
    fn header_below_title_rows_is_found() {
        let bytes = xlsx(|ws| {
            ws.write(0, 0, "Список клиентов на 01.11.2026").unwrap();
            // Row 2 blank, the header on row 3.
            ws.write(2, 0, "ФИО").unwrap();
            ws.write(2, 1, "Телефон").unwrap();
            ws.write(3, 0, "Иванов Иван").unwrap();
            ws.write(3, 1, "+77011234567").unwrap();
        });
        let sheet = read_clients(&bytes, "clients.xlsx").unwrap();
        assert_eq!(sheet.columns.len(), 2);
        assert_eq!(sheet.rows.len(), 1);
        assert_eq!(sheet.rows[0].row, 4);
        let csv = "Список клиентов на 01.11.2026\n\nФИО;Телефон\nИванов Иван;+77011234567\n";
        let sheet = read_clients(csv.as_bytes(), "clients.csv").unwrap();
        assert_eq!((sheet.rows.len(), sheet.rows[0].row), (1, 4));
    }

    #[test]
    fn refusals_are_whole_in_both_languages() {
        let msg = ImportFileError::NoKnownColumns {
            found: vec!["Foo".to_owned()],
        }
        .msg();
        assert!(
            msg.ru.contains("(например, ФИО, Телефон, Email)"),
            "{}",
            msg.ru
        );
        assert!(msg.ru.ends_with("Foo"), "{}", msg.ru);
        assert!(
            !msg.en.chars().any(|c| ('а'..='я').contains(&c)),
            "{}",
            msg.en
        );
        assert!(msg.en.contains("first 20 rows"), "{}", msg.en);
    }

    #[test]
    fn unknown_headers() {
        let err = read_clients("Foo;;Bar baz\n1;2;3\n".as_bytes(), "a.csv").unwrap_err();
        assert_eq!(
            err,
            ImportFileError::NoKnownColumns {
                found: vec!["Foo".to_owned(), "Bar baz".to_owned()]
            }
        );
        let message = err.to_string();
        assert!(message.starts_with("Не найдено"), "{message}");
        assert!(message.contains("Foo, Bar baz"), "{message}");
        assert!(
            ImportFileError::NotASpreadsheet
                .to_string()
                .contains("(the file is not an .xlsx or .csv spreadsheet)")
        );
    }

    #[test]
    fn header_matching() {
        let cases = [
            ("ФИО", Column::FullName),
            ("ф. и. о.", Column::FullName),
            ("Клиент", Column::FullName),
            ("Full Name", Column::FullName),
            ("name", Column::FullName),
            ("Фамилия", Column::LastName),
            ("Surname", Column::LastName),
            ("LAST NAME", Column::LastName),
            ("Имя", Column::FirstName),
            ("First name", Column::FirstName),
            ("Отчество", Column::Patronymic),
            ("Middle name", Column::Patronymic),
            ("Телефон", Column::Phone),
            ("Тел.", Column::Phone),
            ("Mobile", Column::Phone),
            ("Номер телефона:", Column::Phone),
            ("Телефон 2", Column::Phone2),
            ("Телефон2", Column::Phone2),
            ("Доп. телефон", Column::Phone2),
            ("Дополнительный телефон", Column::Phone2),
            ("Второй телефон", Column::Phone2),
            ("Phone 2", Column::Phone2),
            ("Second phone", Column::Phone2),
            ("Email", Column::Email),
            ("e-mail", Column::Email),
            ("Почта", Column::Email),
            ("Эл. почта", Column::Email),
            ("Telegram", Column::Telegram),
            ("Телеграм", Column::Telegram),
            ("TG", Column::Telegram),
            ("Дата рождения", Column::BirthDate),
            ("День рождения", Column::BirthDate),
            ("ДР", Column::BirthDate),
            ("Birth date", Column::BirthDate),
            ("Birthday", Column::BirthDate),
            ("Date of birth", Column::BirthDate),
            ("Источник", Column::Source),
            ("Откуда узнал?", Column::Source),
            ("Откуда узнали", Column::Source),
            ("Source", Column::Source),
            ("How did you hear?", Column::Source),
            ("Заметки", Column::Notes),
            ("Примечание", Column::Notes),
            ("Комментарий", Column::Notes),
            ("Notes", Column::Notes),
            ("Comment", Column::Notes),
            ("Теги", Column::Tags),
            ("Метки", Column::Tags),
            ("Tags", Column::Tags),
        ];
        for (header, column) in cases {
            assert_eq!(recognise(header), Some(column), "{header}");
        }
        assert_eq!(recognise("Ёмкость"), None);
        assert_eq!(recognise("№"), None);
        assert_eq!(recognise(""), None);
    }

    #[test]
    fn second_phone_column_becomes_phone2() {
        let sheet =
            read_clients("Телефон;Телефон;Notes;Comment\n1;2;a;b\n".as_bytes(), "").unwrap();
        assert_eq!(sheet.columns[1], ("Телефон".to_owned(), Column::Phone2));
        assert_eq!(sheet.rows[0].phone, s("1"));
        assert_eq!(sheet.rows[0].phone2, s("2"));
        assert_eq!(sheet.rows[0].notes, s("a; b"));
    }

    #[test]
    fn split_full_name_cases() {
        assert_eq!(split_full_name(""), (None, None, None));
        assert_eq!(split_full_name("   "), (None, None, None));
        assert_eq!(split_full_name("Иван"), (None, s("Иван"), None));
        assert_eq!(
            split_full_name(" Иванов   Иван "),
            (s("Иванов"), s("Иван"), None)
        );
        assert_eq!(
            split_full_name("Иванов Иван Иванович"),
            (s("Иванов"), s("Иван"), s("Иванович"))
        );
        assert_eq!(
            split_full_name("Алиев Тимур Рашид оглы"),
            (s("Алиев"), s("Тимур"), s("Рашид оглы"))
        );
        assert_eq!(
            split_full_name("Иванов, Иван"),
            (s("Иванов"), s("Иван"), None)
        );
    }

    #[test]
    fn parse_date_cases() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(parse_date("31.12.1990"), d(1990, 12, 31));
        assert_eq!(parse_date(" 31/12/1990 "), d(1990, 12, 31));
        assert_eq!(parse_date("31-12-1990"), d(1990, 12, 31));
        assert_eq!(parse_date("1990-12-31"), d(1990, 12, 31));
        assert_eq!(parse_date("1990-12-31 00:00:00"), d(1990, 12, 31));
        assert_eq!(parse_date("1990-12-31T08:30:00"), d(1990, 12, 31));
        assert_eq!(parse_date("1.2.1985"), d(1985, 2, 1));
        assert_eq!(parse_date("31.12.90"), d(1990, 12, 31));
        assert_eq!(parse_date("01.01.29"), d(2029, 1, 1));
        assert_eq!(parse_date("01.01.30"), d(1930, 1, 1));
        assert_eq!(parse_date("05.06.00"), d(2000, 6, 5));
        assert_eq!(parse_date("31.12.1990 г."), d(1990, 12, 31));
        assert_eq!(parse_date("33238"), d(1990, 12, 31));
        assert_eq!(parse_date("45658"), d(2025, 1, 1));
        assert_eq!(parse_date("1"), d(1900, 1, 1));
        assert_eq!(parse_date("61"), d(1900, 3, 1));
        assert_eq!(parse_date("60"), None);
        assert_eq!(parse_date("1990"), None);
        assert_eq!(parse_date("0"), None);
        assert_eq!(parse_date("31.02.1990"), None);
        assert_eq!(parse_date("31.12"), None);
        assert_eq!(parse_date("31.12.990"), None);
        assert_eq!(parse_date("31.12-1990"), None);
        assert_eq!(parse_date("вчера"), None);
        assert_eq!(parse_date(""), None);
        assert_eq!(parse_date("99999999999999999999"), None);
        assert_eq!(parse_date("1990-12-31").map(|d| d.year()), Some(1990));
    }

    #[test]
    fn windows_1251_table() {
        let decoded = decode_windows_1251(&[0xC0, 0xDF, 0xE0, 0xFF, 0xA8, 0xB8, 0xB9, 0x41]);
        assert_eq!(decoded.as_deref(), Some("АЯаяЁё№A"));
        assert_eq!(decode_windows_1251(&[0x98]), None);
    }

    #[test]
    fn ten_thousand_rows() {
        let mut workbook = Workbook::new();
        let ws = workbook.add_worksheet_with_constant_memory().unwrap();
        ws.write(0, 0, "ФИО").unwrap();
        ws.write(0, 1, "Телефон").unwrap();
        ws.write(0, 2, "Email").unwrap();
        for i in 1..=10_000u32 {
            ws.write(i, 0, format!("Клиентов Клиент {i}")).unwrap();
            ws.write(i, 1, 77_000_000_000.0 + f64::from(i)).unwrap();
            ws.write(i, 2, format!("c{i}@example.com")).unwrap();
        }
        let bytes = workbook.save_to_buffer().unwrap();
        let sheet = read_clients(&bytes, "big.xlsx").unwrap();
        assert_eq!(sheet.rows.len(), 10_000);
    }
}
