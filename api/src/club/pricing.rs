//! What play time costs: tariff windows crossed, the billing step, packages and promotions.
//! Pure functions over loaded rules, so a quote, a live map and a final bill agree.
//!
//! The rules, as a venue reads them:
//! - Billed time is the time played, rounded to the tariff's step (up, to the nearest, or down).
//!   Minutes rounded on past the end are priced as if played on the last PC.
//! - Each minute costs the hourly price of the window covering its start, in the location's
//!   local time; where windows overlap the one with the lower position wins; outside every
//!   window the tariff's own price applies. Consecutive minutes at one price form a line, and
//!   a line costs `price per hour × minutes / 60`, rounded half up to a minor unit.
//! - A package covers its time at its price; time beyond it is billed as above.
//! - Promotions and the client's personal discount do not stack. Each one that applies is
//!   priced, and the one that leaves the lowest total wins; on a tie the older promotion wins,
//!   and a promotion wins over the personal discount. The breakdown names the winner.

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc};
use chrono_tz::Tz;
use entity::{
    enums::{PromotionKind, Rounding},
    promotion, tariff, tariff_package, tariff_window,
};
use serde::{Deserialize, Serialize};

/// A tariff with its windows, as the pricing reads it.
#[derive(Debug, Clone)]
pub struct TariffRules {
    pub tariff: tariff::Model,
    /// Sorted by position, then id.
    pub windows: Vec<tariff_window::Model>,
}

impl TariffRules {
    pub fn new(tariff: tariff::Model, mut windows: Vec<tariff_window::Model>) -> TariffRules {
        windows.sort_by_key(|w| (w.position, w.id));
        TariffRules { tariff, windows }
    }

    /// The price and the window name at a local moment.
    fn price_at(&self, at: DateTime<Tz>) -> (i64, Option<&tariff_window::Model>) {
        match self.windows.iter().find(|w| window_covers(w, at)) {
            Some(w) => (w.price_per_hour, Some(w)),
            None => (self.tariff.price_per_hour, None),
        }
    }
}

/// Bit for ISO weekday `d` (1 = Monday).
pub fn weekday_bit(weekday: u32) -> i16 {
    1 << (weekday.clamp(1, 7) - 1)
}

/// Does a local interval `starts..ends` on the weekdays in `mask` cover `at`? An interval that
/// ends at or before it starts runs past midnight and belongs to the day it starts on.
pub fn interval_covers(mask: i16, starts: NaiveTime, ends: NaiveTime, at: DateTime<Tz>) -> bool {
    let time = at.time();
    let today = weekday_bit(at.weekday().number_from_monday());
    let yesterday = weekday_bit(at.weekday().pred().number_from_monday());
    if starts < ends {
        mask & today != 0 && starts <= time && time < ends
    } else {
        (mask & today != 0 && time >= starts) || (mask & yesterday != 0 && time < ends)
    }
}

fn window_covers(w: &tariff_window::Model, at: DateTime<Tz>) -> bool {
    interval_covers(w.weekdays, w.starts_at, w.ends_at, at)
}

/// A stretch played on one PC under one tariff.
#[derive(Debug, Clone)]
pub struct Stretch<'a> {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub rules: &'a TariffRules,
}

/// One line of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub label: String,
    pub minutes: i64,
    /// Minor units per hour; none for a package.
    pub price_per_hour: Option<i64>,
    pub amount: i64,
}

/// The discount that won, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discount {
    /// None for the client's personal discount.
    pub promotion_id: Option<i64>,
    pub label: String,
    pub amount: i64,
}

/// What a session costs, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// Seconds played (or bought, for prepaid time).
    pub seconds: i64,
    /// Minutes billed by the tariff, after rounding to the step.
    pub billed_minutes: i64,
    pub lines: Vec<Line>,
    /// Sum of the lines.
    pub subtotal: i64,
    pub discount: Option<Discount>,
    pub total: i64,
}

/// Everything a quote needs besides the stretches.
pub struct Terms<'a> {
    pub tz: Tz,
    /// Step and rounding come from the tariff the session started on.
    pub step_minutes: i64,
    pub rounding: Rounding,
    pub package: Option<&'a tariff_package::Model>,
    /// Promotions already known to apply to this session (see [`promotion_applies`]).
    pub promotions: &'a [promotion::Model],
    pub client_discount_percent: i32,
}

/// Rounds played seconds to whole billed minutes.
pub fn billed_minutes(seconds: i64, step_minutes: i64, rounding: Rounding) -> i64 {
    let step = step_minutes.max(1) * 60;
    let steps = match rounding {
        Rounding::Up => (seconds + step - 1) / step,
        Rounding::Nearest => (seconds + step / 2) / step,
        Rounding::Down => seconds / step,
    };
    steps.max(0) * step_minutes.max(1)
}

fn per_minutes(price_per_hour: i64, minutes: i64) -> i64 {
    // Half up, in integers: (p·m + 30) / 60.
    (price_per_hour * minutes + 30).div_euclid(60)
}

/// One billed minute: its price and the line it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Minute {
    price_per_hour: i64,
    tariff_id: i64,
    window_id: Option<i64>,
}

/// Prices `stretches` (in time order) under `terms`.
pub fn quote(stretches: &[Stretch<'_>], terms: &Terms<'_>) -> Quote {
    let mut lines = Vec::new();
    let mut seconds = 0;
    let mut stretches: Vec<Stretch<'_>> = stretches.to_vec();
    if let (Some(package), Some(first)) = (terms.package, stretches.first()) {
        let covered_until = package_end(package, first.from, terms.tz);
        seconds += (covered_until.min(stretches.last().map_or(first.to, |s| s.to)) - first.from)
            .num_seconds()
            .max(0);
        lines.push(Line {
            label: format!("Пакет «{}»", package.name),
            minutes: (covered_until - first.from).num_minutes(),
            price_per_hour: None,
            amount: package.price,
        });
        stretches = stretches
            .into_iter()
            .filter(|s| s.to > covered_until)
            .map(|mut s| {
                s.from = s.from.max(covered_until);
                s
            })
            .collect();
    }
    let played: i64 = stretches
        .iter()
        .map(|s| (s.to - s.from).num_seconds().max(0))
        .sum();
    seconds += played;
    let billed = if stretches.is_empty() {
        0
    } else {
        billed_minutes(played, terms.step_minutes, terms.rounding)
    };
    let minutes = minute_prices(&stretches, billed, terms.tz);
    let mut run_start = 0;
    for i in 1..=minutes.len() {
        if i == minutes.len() || minutes[i] != minutes[run_start] {
            let m = minutes[run_start];
            let count = (i - run_start) as i64;
            let rules = stretches
                .iter()
                .find(|s| s.rules.tariff.id == m.tariff_id)
                .map(|s| s.rules);
            let label = match (rules, m.window_id) {
                (Some(r), Some(w)) => r.windows.iter().find(|x| x.id == w).map_or_else(
                    || r.tariff.name.clone(),
                    |x| format!("{}: {}", r.tariff.name, x.name),
                ),
                (Some(r), None) => r.tariff.name.clone(),
                (None, _) => String::new(),
            };
            lines.push(Line {
                label,
                minutes: count,
                price_per_hour: Some(m.price_per_hour),
                amount: per_minutes(m.price_per_hour, count),
            });
            run_start = i;
        }
    }
    let subtotal: i64 = lines.iter().map(|l| l.amount).sum();
    let time_cost: i64 = lines
        .iter()
        .filter(|l| l.price_per_hour.is_some())
        .map(|l| l.amount)
        .sum();
    let discount = best_discount(&minutes, time_cost, terms);
    let total = subtotal - discount.as_ref().map_or(0, |d| d.amount);
    Quote {
        seconds,
        billed_minutes: billed,
        lines,
        subtotal,
        discount,
        total,
    }
}

/// When a package bought at `start` runs out.
pub fn package_end(package: &tariff_package::Model, start: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    if let Some(minutes) = package.minutes {
        return start + Duration::minutes(i64::from(minutes));
    }
    let (Some(_), Some(ends)) = (package.window_start, package.window_end) else {
        return start;
    };
    // The next local `ends` after the start.
    let local = start.with_timezone(&tz);
    let mut day = local.date_naive();
    for _ in 0..3 {
        if let Some(end) = day.and_time(ends).and_local_timezone(tz).earliest()
            && end > local
        {
            return end.with_timezone(&Utc);
        }
        day = day.succ_opt().unwrap_or(day);
    }
    start
}

/// May a window package be started at `at`? Duration packages may start any time.
pub fn package_open_at(package: &tariff_package::Model, at: DateTime<Tz>) -> bool {
    match (package.window_start, package.window_end) {
        (Some(starts), Some(ends)) => interval_covers(0x7f, starts, ends, at),
        _ => true,
    }
}

fn minute_prices(stretches: &[Stretch<'_>], billed: i64, tz: Tz) -> Vec<Minute> {
    let mut out = Vec::with_capacity(usize::try_from(billed).unwrap_or(0));
    let Some(last) = stretches.last() else {
        return out;
    };
    let mut index = 0;
    let mut offset = 0;
    for i in 0..billed {
        // Find the stretch that holds minute `i`; past the end, keep pricing on the last one.
        let at = loop {
            match stretches.get(index) {
                Some(s) => {
                    let length = (s.to - s.from).num_seconds().max(0);
                    let into = i * 60 - offset;
                    if into < length {
                        break (s.from + Duration::seconds(into), s.rules);
                    }
                    offset += length;
                    index += 1;
                }
                None => break (last.to + Duration::seconds(i * 60 - offset), last.rules),
            }
        };
        let (when, rules) = at;
        let (price, window) = rules.price_at(when.with_timezone(&tz));
        out.push(Minute {
            price_per_hour: price,
            tariff_id: rules.tariff.id,
            window_id: window.map(|w| w.id),
        });
    }
    out
}

fn best_discount(minutes: &[Minute], time_cost: i64, terms: &Terms<'_>) -> Option<Discount> {
    let mut best: Option<Discount> = None;
    let mut consider = |candidate: Discount| {
        let amount = candidate.amount.min(time_cost);
        if amount > 0 && best.as_ref().is_none_or(|b| amount > b.amount) {
            best = Some(Discount {
                amount,
                ..candidate
            });
        }
    };
    let mut promotions: Vec<&promotion::Model> = terms.promotions.iter().collect();
    promotions.sort_by_key(|p| p.id);
    for p in promotions {
        let amount = match p.kind {
            PromotionKind::BonusTime => {
                let pay = i64::from(p.pay_minutes.unwrap_or(0));
                let free = i64::from(p.free_minutes.unwrap_or(0));
                if pay <= 0 || free <= 0 {
                    0
                } else {
                    let block = pay + free;
                    let free_sum: i64 = minutes
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| (*i as i64) % block >= pay)
                        .map(|(_, m)| m.price_per_hour)
                        .sum();
                    (free_sum + 30).div_euclid(60)
                }
            }
            PromotionKind::Percent => percent_of(time_cost, p.percent.unwrap_or(0)),
            PromotionKind::FixedPrice => match p.price_per_hour {
                Some(price) => time_cost - per_minutes(price, minutes.len() as i64),
                None => 0,
            },
        };
        consider(Discount {
            promotion_id: Some(p.id),
            label: p.name.clone(),
            amount,
        });
    }
    if terms.client_discount_percent > 0 {
        consider(Discount {
            promotion_id: None,
            label: format!("Персональная скидка {}%", terms.client_discount_percent),
            amount: percent_of(time_cost, terms.client_discount_percent),
        });
    }
    best
}

fn percent_of(amount: i64, percent: i32) -> i64 {
    (amount * i64::from(percent.clamp(0, 100)) + 50).div_euclid(100)
}

/// Does a promotion apply to a session starting at `at` in `zone_id`?
pub fn promotion_applies(p: &promotion::Model, zone_id: i64, at: DateTime<Tz>) -> bool {
    if !p.active {
        return false;
    }
    let date = at.date_naive();
    if p.valid_from.is_some_and(|from| date < from) || p.valid_to.is_some_and(|to| date > to) {
        return false;
    }
    let zones: Vec<i64> = serde_json::from_value(p.zone_ids.clone()).unwrap_or_default();
    if !zones.is_empty() && !zones.contains(&zone_id) {
        return false;
    }
    match (p.starts_at, p.ends_at) {
        (Some(starts), Some(ends)) => interval_covers(p.weekdays, starts, ends, at),
        _ => p.weekdays & weekday_bit(at.weekday().number_from_monday()) != 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const ALMATY: Tz = chrono_tz::Asia::Almaty;

    /// When the test rows were made: any fixed moment, the rules never read it.
    fn created() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
    }

    fn tariff(id: i64, price: i64, step: i32, rounding: Rounding) -> tariff::Model {
        let now = created();
        tariff::Model {
            id,
            location_id: 1,
            zone_id: 1,
            name: format!("T{id}"),
            price_per_hour: price,
            step_minutes: step,
            rounding,
            active: true,
            created_at: now,
            updated_at: now,
        }
    }

    fn night(id: i64, tariff_id: i64, price: i64) -> tariff_window::Model {
        tariff_window::Model {
            id,
            tariff_id,
            name: "Ночь".into(),
            weekdays: 0x7f,
            starts_at: NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
            ends_at: NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
            price_per_hour: price,
            position: 0,
        }
    }

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        ALMATY
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn terms<'a>(promotions: &'a [promotion::Model], discount: i32) -> Terms<'a> {
        Terms {
            tz: ALMATY,
            step_minutes: 1,
            rounding: Rounding::Up,
            package: None,
            promotions,
            client_discount_percent: discount,
        }
    }

    fn promo(id: i64, kind: PromotionKind) -> promotion::Model {
        let now = created();
        promotion::Model {
            id,
            location_id: 1,
            name: format!("P{id}"),
            kind,
            pay_minutes: Some(120),
            free_minutes: Some(60),
            percent: Some(10),
            price_per_hour: Some(300),
            weekdays: 0x7f,
            starts_at: None,
            ends_at: None,
            valid_from: None,
            valid_to: None,
            zone_ids: serde_json::json!([]),
            active: true,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn steps_round_as_configured() {
        assert_eq!(billed_minutes(61, 1, Rounding::Up), 2);
        assert_eq!(billed_minutes(61 * 60, 15, Rounding::Up), 75);
        assert_eq!(billed_minutes(67 * 60, 15, Rounding::Nearest), 60);
        assert_eq!(billed_minutes(68 * 60, 15, Rounding::Nearest), 75);
        assert_eq!(billed_minutes(74 * 60, 15, Rounding::Down), 60);
        assert_eq!(billed_minutes(0, 5, Rounding::Up), 0);
    }

    #[test]
    fn a_session_across_the_night_window_is_priced_per_window() {
        let rules = TariffRules::new(tariff(1, 600, 1, Rounding::Up), vec![night(7, 1, 300)]);
        // 21:00 → 23:30: one hour at 600, 90 minutes at 300.
        let q = quote(
            &[Stretch {
                from: local(2026, 11, 23, 21, 0),
                to: local(2026, 11, 23, 23, 30),
                rules: &rules,
            }],
            &terms(&[], 0),
        );
        assert_eq!(q.billed_minutes, 150);
        assert_eq!(q.lines.len(), 2);
        assert_eq!((q.lines[0].minutes, q.lines[0].amount), (60, 600));
        assert_eq!((q.lines[1].minutes, q.lines[1].amount), (90, 450));
        assert_eq!(q.lines[1].label, "T1: Ночь");
        assert_eq!(q.total, 1050);
    }

    #[test]
    fn the_cheapest_promotion_wins_and_is_named() {
        let rules = TariffRules::new(tariff(1, 600, 1, Rounding::Up), vec![]);
        let from = local(2026, 11, 23, 12, 0);
        let stretch = [Stretch {
            from,
            to: from + Duration::hours(3),
            rules: &rules,
        }];
        // 3 h at 600 = 1800. 2+1 frees 600; 10 % frees 180; fixed 300/h frees 900.
        let promos = [
            promo(1, PromotionKind::BonusTime),
            promo(2, PromotionKind::Percent),
            promo(3, PromotionKind::FixedPrice),
        ];
        let q = quote(&stretch, &terms(&promos, 20));
        let d = q.discount.unwrap();
        assert_eq!((d.promotion_id, d.amount), (Some(3), 900));
        assert_eq!(q.total, 900);
        // Without the fixed price, 2+1 beats 10 % and the 20 % personal discount (360).
        let q = quote(&stretch, &terms(&promos[..2], 20));
        assert_eq!(q.discount.unwrap().promotion_id, Some(1));
        assert_eq!(q.total, 1200);
        // A tie goes to the older promotion.
        let mut twin = promo(9, PromotionKind::BonusTime);
        twin.name = "twin".into();
        let q = quote(
            &stretch,
            &terms(&[twin, promo(4, PromotionKind::BonusTime)], 0),
        );
        assert_eq!(q.discount.unwrap().promotion_id, Some(4));
    }

    #[test]
    fn a_package_covers_its_time_and_the_rest_is_billed() {
        let rules = TariffRules::new(tariff(1, 600, 1, Rounding::Up), vec![]);
        let package = tariff_package::Model {
            id: 1,
            tariff_id: 1,
            name: "3 часа".into(),
            price: 1500,
            minutes: Some(180),
            window_start: None,
            window_end: None,
            active: true,
        };
        let from = local(2026, 11, 23, 12, 0);
        let mut t = terms(&[], 0);
        t.package = Some(&package);
        let q = quote(
            &[Stretch {
                from,
                to: from + Duration::minutes(200),
                rules: &rules,
            }],
            &t,
        );
        assert_eq!(q.billed_minutes, 20);
        assert_eq!(q.total, 1500 + 200);
    }

    #[test]
    fn a_night_package_ends_at_the_window_end() {
        let package = tariff_package::Model {
            id: 1,
            tariff_id: 1,
            name: "Ночь".into(),
            price: 2000,
            minutes: None,
            window_start: NaiveTime::from_hms_opt(22, 0, 0),
            window_end: NaiveTime::from_hms_opt(8, 0, 0),
            active: true,
        };
        let start = local(2026, 11, 23, 23, 10);
        assert_eq!(
            package_end(&package, start, ALMATY),
            local(2026, 11, 24, 8, 0)
        );
        assert!(package_open_at(&package, start.with_timezone(&ALMATY)));
        assert!(!package_open_at(
            &package,
            local(2026, 11, 23, 12, 0).with_timezone(&ALMATY)
        ));
    }

    #[test]
    fn promotions_respect_days_hours_dates_and_zones() {
        let mut p = promo(1, PromotionKind::Percent);
        p.weekdays = weekday_bit(1) | weekday_bit(2); // Monday, Tuesday
        p.starts_at = NaiveTime::from_hms_opt(10, 0, 0);
        p.ends_at = NaiveTime::from_hms_opt(16, 0, 0);
        p.zone_ids = serde_json::json!([5]);
        let monday_noon = local(2026, 11, 23, 12, 0).with_timezone(&ALMATY);
        assert!(promotion_applies(&p, 5, monday_noon));
        assert!(!promotion_applies(&p, 6, monday_noon));
        assert!(!promotion_applies(
            &p,
            5,
            local(2026, 11, 23, 17, 0).with_timezone(&ALMATY)
        ));
        assert!(!promotion_applies(
            &p,
            5,
            local(2026, 11, 25, 12, 0).with_timezone(&ALMATY)
        ));
        p.valid_to = chrono::NaiveDate::from_ymd_opt(2026, 11, 22);
        assert!(!promotion_applies(&p, 5, monday_noon));
    }
}
