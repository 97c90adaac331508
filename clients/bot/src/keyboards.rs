//! Inline keyboards: a month calendar, and rows of choices.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

const MONTHS_RU: [&str; 12] = [
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub fn button(text: impl Into<String>, data: impl Into<String>) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(text.into(), data.into())
}

/// A tap that does nothing (headers, blank cells).
fn blank(text: &str) -> InlineKeyboardButton {
    button(text, "cal:none")
}

pub fn month_name(month: NaiveDate, english: bool) -> String {
    let names = if english { MONTHS_EN } else { MONTHS_RU };
    format!("{} {}", names[month.month0() as usize], month.year())
}

/// The first day of the month of `day`.
pub fn first_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

pub fn next_month(first: NaiveDate) -> NaiveDate {
    first_of(first + Duration::days(32))
}

pub fn previous_month(first: NaiveDate) -> NaiveDate {
    first_of(first - Duration::days(1))
}

/// A month of days, Monday first. Each day taps `<day_prefix>YYYY-MM-DD`; the arrows tap
/// `<nav_prefix>YYYY-MM-01`. `marks` puts a count beside a day (orders on it); days before
/// `from` are shown but not offered.
pub fn month(
    first: NaiveDate,
    day_prefix: &str,
    nav_prefix: &str,
    marks: &HashMap<NaiveDate, usize>,
    from: Option<NaiveDate>,
    english: bool,
) -> InlineKeyboardMarkup {
    let mut rows = vec![vec![
        button("◀", format!("{nav_prefix}{}", previous_month(first))),
        blank(&month_name(first, english)),
        button("▶", format!("{nav_prefix}{}", next_month(first))),
    ]];
    let weekdays = if english {
        ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
    } else {
        ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"]
    };
    rows.push(weekdays.iter().map(|d| blank(d)).collect());
    let mut row: Vec<InlineKeyboardButton> = (0..first.weekday().num_days_from_monday())
        .map(|_| blank(" "))
        .collect();
    let mut day = first;
    while day.month() == first.month() {
        let cell = if from.is_some_and(|f| day < f) {
            blank("·")
        } else {
            let text = match marks.get(&day) {
                Some(n) => format!("{}•{n}", day.day()),
                None => day.day().to_string(),
            };
            button(text, format!("{day_prefix}{day}"))
        };
        row.push(cell);
        if row.len() == 7 {
            rows.push(std::mem::take(&mut row));
        }
        day += Duration::days(1);
    }
    if !row.is_empty() {
        while row.len() < 7 {
            row.push(blank(" "));
        }
        rows.push(row);
    }
    InlineKeyboardMarkup::new(rows)
}

/// Choices laid out `per_row` to a row.
pub fn grid(buttons: Vec<InlineKeyboardButton>, per_row: usize) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(
        buttons
            .chunks(per_row.max(1))
            .map(<[InlineKeyboardButton]>::to_vec)
            .collect::<Vec<_>>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_starts_on_its_weekday_and_marks_days() {
        let first = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let marks = HashMap::from([(NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(), 2)]);
        let kb = month(first, "d:", "n:", &marks, None, false);
        // Header, weekdays, then five weeks (1 December 2026 is a Tuesday).
        assert_eq!(kb.inline_keyboard.len(), 7);
        let week = &kb.inline_keyboard[2];
        assert_eq!(week[0].text, " ");
        assert_eq!(week[1].text, "1");
        assert_eq!(week[5].text, "5•2");
        assert_eq!(kb.inline_keyboard[0][1].text, "Декабрь 2026");
    }
}
