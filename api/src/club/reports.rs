//! The club's reports, by the location's local days: income by day and method, sessions and
//! active clients by day, shift performance per operator, PC utilisation by zone and hour.
//!
//! Days are cut at local midnight. The database groups rows by day with a CASE over the
//! day boundaries in UTC, which is exact on both engines and across DST changes.

use std::collections::{BTreeMap, HashMap, HashSet};

use async_graphql::{ID, SimpleObject};
use base64::Engine;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;
use entity::{
    cash_shift,
    enums::{PaymentMethod, SessionStatus},
    location, play_session, play_session_part, resource, user, zone,
};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, Statement, Value,
};

use crate::{
    billing::shifts,
    domain::{Money, timezone},
    error::{AppError, AppResult},
    state::AppState,
};

/// The longest range a report covers.
const MAX_DAYS: i64 = 366;

#[derive(SimpleObject, Clone)]
pub struct MethodAmount {
    pub method: PaymentMethod,
    pub amount: Money,
}

/// One local day.
#[derive(SimpleObject, Clone)]
pub struct ReportDay {
    pub date: NaiveDate,
    /// Payments taken, by method (wallet and debt included: they pay for things too).
    pub payments: Vec<MethodAmount>,
    /// Money into wallets (top-ups), net of money paid back out.
    pub wallet_net: Money,
    /// Money that changed hands: payments by cash, card, Kaspi and transfer, plus wallet net.
    pub received: Money,
    /// `received` by how it came in: payments and wallet top-ups (net of money paid back
    /// out of wallets) in cash, card, Kaspi and transfer. A drawer's cash is the cash line.
    pub received_by_method: Vec<MethodAmount>,
    /// Sessions started that day.
    pub sessions: i64,
    /// Minutes played in sessions started that day (finished ones).
    pub played_minutes: i64,
    /// Clients with a session started that day.
    pub active_clients: i64,
}

/// One operator's shifts in the range.
#[derive(SimpleObject, Clone)]
pub struct ShiftPerformance {
    pub operator_id: ID,
    pub operator_name: String,
    pub shifts: i64,
    /// Payments taken in their shifts.
    pub revenue: Money,
    /// Sessions they started.
    pub sessions: i64,
    /// Counted minus expected cash (with coins), over their closed shifts.
    pub cash_difference: Money,
}

/// How busy a zone's PCs were in one local hour of the day, over the range.
#[derive(SimpleObject, Clone)]
pub struct ZoneHourUtilisation {
    pub zone_id: ID,
    pub zone_name: String,
    /// 0–23, local.
    pub hour: i32,
    pub busy_minutes: i64,
    /// PCs in the zone × days × 60.
    pub available_minutes: i64,
    /// Busy share, 0–100, one decimal.
    pub percent: f64,
}

#[derive(SimpleObject, Clone)]
pub struct ClubReport {
    pub location_id: ID,
    pub timezone: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: Vec<ReportDay>,
    /// The days summed; active clients counted once over the range.
    pub total: ReportDay,
    pub shifts: Vec<ShiftPerformance>,
    pub utilisation: Vec<ZoneHourUtilisation>,
}

/// A file to download.
#[derive(SimpleObject)]
pub struct ReportFile {
    pub filename: String,
    pub content_type: String,
    pub content_base64: String,
}

/// UTC instants of local midnights from `from` to the day after `to`.
fn boundaries(tz: Tz, from: NaiveDate, to: NaiveDate) -> Vec<DateTime<Utc>> {
    from.iter_days()
        .take_while(|d| *d <= to.succ_opt().unwrap_or(*d))
        .map(|d| timezone::instant(tz, d.and_time(NaiveTime::MIN)))
        .collect()
}

/// `CASE WHEN col < b1 THEN 0 … END`: the index of the day a timestamp falls in.
fn day_case(column: &str, bounds: &[DateTime<Utc>], values: &mut Vec<Value>, pg: bool) -> String {
    let mut sql = String::from("CAST(CASE");
    for (i, b) in bounds.iter().skip(1).enumerate() {
        values.push((*b).into());
        let n = values.len();
        let param = if pg { format!("${n}") } else { "?".into() };
        sql.push_str(&format!(" WHEN {column} < {param} THEN {i}"));
    }
    sql.push_str(" END AS BIGINT)");
    sql
}

fn param(values: &mut Vec<Value>, v: impl Into<Value>, pg: bool) -> String {
    values.push(v.into());
    if pg {
        format!("${}", values.len())
    } else {
        "?".into()
    }
}

#[derive(FromQueryResult)]
struct DayMethod {
    day: i64,
    method: Option<String>,
    total: Option<i64>,
}

fn method_of(s: &str) -> Option<PaymentMethod> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

async fn by_day_and_method<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    location_id: i64,
    bounds: &[DateTime<Utc>],
) -> AppResult<Vec<DayMethod>> {
    let backend = conn.get_database_backend();
    let pg = backend == sea_orm::DatabaseBackend::Postgres;
    let mut values = Vec::new();
    let day = day_case("t.created_at", bounds, &mut values, pg);
    let start = param(&mut values, bounds[0], pg);
    let end = param(&mut values, bounds[bounds.len() - 1], pg);
    let loc = param(&mut values, location_id, pg);
    // A payment belongs to the location of the shift whose drawer took it; one taken outside a
    // shift, to the location of the session it paid for. The shift test is a hash of the
    // location's few shifts; the session test runs only for shiftless rows, by primary key.
    let session_link = if table == "payment" {
        let loc2 = param(&mut values, location_id, pg);
        format!(
            " OR (t.shift_id IS NULL AND EXISTS (SELECT 1 FROM play_session s \
             WHERE s.id = t.play_session_id AND s.location_id = {loc2}))"
        )
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT {day} AS day, t.method AS method, CAST(SUM(t.amount) AS BIGINT) AS total \
         FROM {table} t WHERE t.created_at >= {start} AND t.created_at < {end} \
         AND (t.shift_id IN (SELECT id FROM cash_shift WHERE location_id = {loc}){session_link}) \
         GROUP BY 1, 2"
    );
    Ok(
        DayMethod::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
            .all(conn)
            .await?,
    )
}

pub async fn build(
    state: &AppState,
    location_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<ClubReport> {
    if to < from || (to - from).num_days() >= MAX_DAYS {
        return Err(AppError::validation(
            "to",
            "период — от одного дня до 366 дней, конец не раньше начала",
            "the range is one to 366 days, ending no earlier than it starts",
        ));
    }
    let db = &state.db;
    let location = location::Entity::find_by_id(location_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Локация", "Location", location_id))?;
    let tz: Tz = location.timezone.parse().unwrap_or(Tz::UTC);
    let bounds = boundaries(tz, from, to);
    let (start, end) = (bounds[0], bounds[bounds.len() - 1]);
    let dates: Vec<NaiveDate> = from.iter_days().take(bounds.len() - 1).collect();
    let day_of = |t: DateTime<Utc>| bounds.iter().skip(1).position(|b| t < *b);

    let mut method_totals: HashMap<usize, HashMap<PaymentMethod, i64>> = HashMap::new();
    for row in by_day_and_method(db, "payment", location_id, &bounds).await? {
        if let (Ok(i), Some(m)) = (
            usize::try_from(row.day),
            row.method.as_deref().and_then(method_of),
        ) {
            *method_totals.entry(i).or_default().entry(m).or_default() += row.total.unwrap_or(0);
        }
    }
    let mut wallet_net = vec![0i64; dates.len()];
    let mut wallet_by_method: Vec<HashMap<PaymentMethod, i64>> = vec![HashMap::new(); dates.len()];
    for row in by_day_and_method(db, "wallet_entry", location_id, &bounds).await? {
        let method = row
            .method
            .as_deref()
            .and_then(method_of)
            .filter(|m| is_money(*m));
        if let (Ok(i), Some(method)) = (usize::try_from(row.day), method)
            && let Some(slot) = wallet_net.get_mut(i)
        {
            *slot += row.total.unwrap_or(0);
            if let Some(by) = wallet_by_method.get_mut(i) {
                *by.entry(method).or_default() += row.total.unwrap_or(0);
            }
        }
    }

    let sessions = play_session::Entity::find()
        .filter(play_session::Column::LocationId.eq(location_id))
        .filter(play_session::Column::StartedAt.gte(start))
        .filter(play_session::Column::StartedAt.lt(end))
        .all(db)
        .await?;
    let mut count = vec![0i64; dates.len()];
    let mut minutes = vec![0i64; dates.len()];
    let mut clients: Vec<HashSet<i64>> = vec![HashSet::new(); dates.len()];
    for s in &sessions {
        if let Some(i) = day_of(s.started_at) {
            count[i] += 1;
            if let (SessionStatus::Finished, Some(ended)) = (s.status, s.ended_at) {
                minutes[i] += (ended - s.started_at).num_minutes();
            }
            if let Some(c) = s.client_id {
                clients[i].insert(c);
            }
        }
    }
    let mut days = Vec::new();
    for (i, date) in dates.iter().enumerate() {
        let by_method = method_totals.remove(&i).unwrap_or_default();
        days.push(day(
            *date,
            by_method,
            &wallet_by_method[i],
            wallet_net[i],
            count[i],
            minutes[i],
            clients[i].len() as i64,
        ));
    }
    let mut all_methods: HashMap<PaymentMethod, i64> = HashMap::new();
    for d in &days {
        for m in &d.payments {
            *all_methods.entry(m.method).or_default() += m.amount.minor();
        }
    }
    let everyone: HashSet<i64> = clients.iter().flatten().copied().collect();
    let mut all_wallet: HashMap<PaymentMethod, i64> = HashMap::new();
    for (m, a) in wallet_by_method.iter().flatten() {
        *all_wallet.entry(*m).or_default() += a;
    }
    let total = day(
        from,
        all_methods,
        &all_wallet,
        wallet_net.iter().sum(),
        count.iter().sum(),
        minutes.iter().sum(),
        everyone.len() as i64,
    );
    Ok(ClubReport {
        location_id: location_id.into(),
        timezone: tz.name().to_owned(),
        from,
        to,
        days,
        total,
        shifts: shift_performance(state, location_id, start, end, &sessions).await?,
        utilisation: utilisation(state, location_id, tz, start, end, dates.len() as i64).await?,
    })
}

fn is_money(m: PaymentMethod) -> bool {
    !matches!(m, PaymentMethod::Wallet | PaymentMethod::Debt)
}

/// The methods by which money comes in, in the order reports show them.
const MONEY_METHODS: [PaymentMethod; 4] = [
    PaymentMethod::Cash,
    PaymentMethod::Card,
    PaymentMethod::Kaspi,
    PaymentMethod::Transfer,
];

fn day(
    date: NaiveDate,
    by_method: HashMap<PaymentMethod, i64>,
    wallet_by_method: &HashMap<PaymentMethod, i64>,
    wallet_net: i64,
    sessions: i64,
    played_minutes: i64,
    active_clients: i64,
) -> ReportDay {
    let received = by_method
        .iter()
        .filter(|(m, _)| is_money(**m))
        .map(|(_, a)| a)
        .sum::<i64>()
        + wallet_net;
    let received_by_method = MONEY_METHODS
        .iter()
        .map(|m| MethodAmount {
            method: *m,
            amount: Money(
                by_method.get(m).copied().unwrap_or(0)
                    + wallet_by_method.get(m).copied().unwrap_or(0),
            ),
        })
        .collect();
    let mut payments: Vec<MethodAmount> = by_method
        .into_iter()
        .map(|(method, amount)| MethodAmount {
            method,
            amount: Money(amount),
        })
        .collect();
    payments.sort_by_key(|m| format!("{:?}", m.method));
    ReportDay {
        date,
        payments,
        wallet_net: Money(wallet_net),
        received: Money(received),
        received_by_method,
        sessions,
        played_minutes,
        active_clients,
    }
}

async fn shift_performance(
    state: &AppState,
    location_id: i64,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    sessions: &[play_session::Model],
) -> AppResult<Vec<ShiftPerformance>> {
    let rows = cash_shift::Entity::find()
        .filter(cash_shift::Column::LocationId.eq(location_id))
        .filter(cash_shift::Column::OpenedAt.gte(start))
        .filter(cash_shift::Column::OpenedAt.lt(end))
        .all(&state.db)
        .await?;
    let operators = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|s| s.operator_id)))
        .all(&state.db)
        .await?;
    let mut figures_of = shifts::figures_of(&state.db, &rows).await?;
    let mut out: BTreeMap<i64, ShiftPerformance> = BTreeMap::new();
    for shift in &rows {
        let figures = figures_of.remove(&shift.id).unwrap_or_default();
        let entry = out
            .entry(shift.operator_id)
            .or_insert_with(|| ShiftPerformance {
                operator_id: shift.operator_id.into(),
                operator_name: operators
                    .iter()
                    .find(|u| u.id == shift.operator_id)
                    .map_or_else(String::new, |u| u.display_name.clone()),
                shifts: 0,
                revenue: Money(0),
                sessions: sessions
                    .iter()
                    .filter(|s| s.started_by == Some(shift.operator_id))
                    .count() as i64,
                cash_difference: Money(0),
            });
        entry.shifts += 1;
        entry.revenue = Money(entry.revenue.minor() + figures.payments.values().sum::<i64>());
        if let Some(counted) = shift.counted_cash {
            let diff = counted + shift.counted_coins.unwrap_or(0) - figures.expected_cash;
            entry.cash_difference = Money(entry.cash_difference.minor() + diff);
        }
    }
    Ok(out.into_values().collect())
}

/// The session parts in `zones` that overlap `[start, end)`; an open part runs on.
async fn parts_overlapping<C: ConnectionTrait>(
    conn: &C,
    zones: &[zone::Model],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> AppResult<Vec<play_session_part::Model>> {
    if zones.is_empty() {
        return Ok(Vec::new());
    }
    let backend = conn.get_database_backend();
    let pg = backend == sea_orm::DatabaseBackend::Postgres;
    let mut values = Vec::new();
    let ids: Vec<String> = zones.iter().map(|z| param(&mut values, z.id, pg)).collect();
    let (s, e) = (param(&mut values, start, pg), param(&mut values, end, pg));
    // On PostgreSQL the range test is what the GiST index answers.
    let overlap = if pg {
        format!("tstzrange(started_at, ended_at) && tstzrange({s}, {e})")
    } else {
        // `?` binds in order of appearance.
        format!("(ended_at > {s} OR ended_at IS NULL) AND started_at < {e}")
    };
    let sql = format!(
        "SELECT * FROM play_session_part WHERE zone_id IN ({}) AND {overlap}",
        ids.join(", ")
    );
    Ok(play_session_part::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(backend, sql, values))
        .all(conn)
        .await?)
}

async fn utilisation(
    state: &AppState,
    location_id: i64,
    tz: Tz,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    days: i64,
) -> AppResult<Vec<ZoneHourUtilisation>> {
    let zones = zone::Entity::find()
        .filter(zone::Column::LocationId.eq(location_id))
        .all(&state.db)
        .await?;
    let pcs = resource::Entity::find()
        .filter(resource::Column::LocationId.eq(location_id))
        .all(&state.db)
        .await?;
    let parts = parts_overlapping(&state.db, &zones, start, end).await?;
    let now = state.clock.now();
    let mut busy: HashMap<(i64, u32), i64> = HashMap::new();
    for p in &parts {
        let mut t = p.started_at.max(start);
        let stop = p.ended_at.unwrap_or(now).min(end);
        while t < stop {
            let local = t.with_timezone(&tz);
            let next_hour = t + Duration::minutes(i64::from(60 - local.minute()))
                - Duration::seconds(i64::from(local.second()));
            let until = next_hour.min(stop);
            *busy.entry((p.zone_id, local.hour())).or_default() += (until - t).num_seconds();
            t = until;
        }
    }
    let mut out = Vec::new();
    for z in &zones {
        let count = pcs.iter().filter(|pc| pc.zone_id == Some(z.id)).count() as i64;
        let available = count * days * 60;
        for hour in 0..24u32 {
            let minutes = busy.get(&(z.id, hour)).copied().unwrap_or(0) / 60;
            let percent = if available > 0 {
                (minutes as f64 * 1000.0 / available as f64).round() / 10.0
            } else {
                0.0
            };
            out.push(ZoneHourUtilisation {
                zone_id: z.id.into(),
                zone_name: z.name.clone(),
                hour: hour as i32,
                busy_minutes: minutes,
                available_minutes: available,
                percent,
            });
        }
    }
    Ok(out)
}

/// The report as a workbook: days, shifts, utilisation.
pub fn xlsx(report: &ClubReport) -> AppResult<ReportFile> {
    let bytes = workbook(report).map_err(AppError::internal)?;
    Ok(ReportFile {
        filename: format!("club-report-{}-{}.xlsx", report.from, report.to),
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into(),
        content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}

const METHODS: [PaymentMethod; 6] = [
    PaymentMethod::Cash,
    PaymentMethod::Card,
    PaymentMethod::Kaspi,
    PaymentMethod::Transfer,
    PaymentMethod::Wallet,
    PaymentMethod::Debt,
];

fn major(m: Money) -> f64 {
    m.minor() as f64 / 100.0
}

fn workbook(report: &ClubReport) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let days = book.add_worksheet_with_constant_memory()?;
    days.set_name("Дни")?;
    let headers = [
        "Дата",
        "Наличные",
        "Карта",
        "Kaspi",
        "Перевод",
        "С кошелька",
        "В долг",
        "Пополнения",
        "Получено",
        "Сеансы",
        "Минуты",
        "Активные клиенты",
        "Получено наличными",
        "Получено картой",
        "Получено Kaspi",
        "Получено переводом",
    ];
    for (c, h) in headers.iter().enumerate() {
        days.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, d) in report
        .days
        .iter()
        .chain(std::iter::once(&report.total))
        .enumerate()
    {
        let row = (r + 1) as u32;
        if r == report.days.len() {
            days.write_string_with_format(row, 0, "Итого", &bold)?;
        } else {
            days.write_date_with_format(row, 0, d.date, &date)?;
        }
        for (c, m) in METHODS.iter().enumerate() {
            let amount = d
                .payments
                .iter()
                .find(|x| x.method == *m)
                .map_or(Money(0), |x| x.amount);
            days.write_number_with_format(row, (c + 1) as u16, major(amount), &money)?;
        }
        days.write_number_with_format(row, 7, major(d.wallet_net), &money)?;
        days.write_number_with_format(row, 8, major(d.received), &money)?;
        days.write_number(row, 9, d.sessions as f64)?;
        days.write_number(row, 10, d.played_minutes as f64)?;
        days.write_number(row, 11, d.active_clients as f64)?;
        for (c, m) in d.received_by_method.iter().enumerate() {
            days.write_number_with_format(row, (12 + c) as u16, major(m.amount), &money)?;
        }
    }
    let shifts = book.add_worksheet_with_constant_memory()?;
    shifts.set_name("Смены")?;
    for (c, h) in ["Оператор", "Смен", "Выручка", "Сеансов", "Разница наличных"]
        .iter()
        .enumerate()
    {
        shifts.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, s) in report.shifts.iter().enumerate() {
        let row = (r + 1) as u32;
        shifts.write_string(row, 0, &s.operator_name)?;
        shifts.write_number(row, 1, s.shifts as f64)?;
        shifts.write_number_with_format(row, 2, major(s.revenue), &money)?;
        shifts.write_number(row, 3, s.sessions as f64)?;
        shifts.write_number_with_format(row, 4, major(s.cash_difference), &money)?;
    }
    let usage = book.add_worksheet_with_constant_memory()?;
    usage.set_name("Загрузка")?;
    for (c, h) in ["Зона", "Час", "Занято, мин", "Доступно, мин", "%"]
        .iter()
        .enumerate()
    {
        usage.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, u) in report.utilisation.iter().enumerate() {
        let row = (r + 1) as u32;
        usage.write_string(row, 0, &u.zone_name)?;
        usage.write_number(row, 1, f64::from(u.hour))?;
        usage.write_number(row, 2, u.busy_minutes as f64)?;
        usage.write_number(row, 3, u.available_minutes as f64)?;
        usage.write_number(row, 4, u.percent)?;
    }
    let notes = book.add_worksheet_with_constant_memory()?;
    notes.set_name("Пояснения")?;
    notes.write_string_with_format(0, 0, "Показатель", &bold)?;
    notes.write_string_with_format(0, 1, "Что он значит", &bold)?;
    for (r, (name, meaning)) in FIGURES.iter().enumerate() {
        notes.write_string((r + 1) as u32, 0, *name)?;
        notes.write_string((r + 1) as u32, 1, *meaning)?;
    }
    book.save_to_buffer()
}

/// What every figure of the workbook means, written into its last sheet.
const FIGURES: [(&str, &str); 19] = [
    (
        "Дни",
        "Местные сутки локации (её часовой пояс), с начала до конца дня",
    ),
    (
        "Наличные, Карта, Kaspi, Перевод",
        "Оплаты, принятые этим способом за день (сеансы, брони, услуги)",
    ),
    (
        "С кошелька",
        "Оплаты с баланса клиента: деньги пришли раньше, при пополнении",
    ),
    ("В долг", "Оплаты в долг: деньги ещё не получены"),
    (
        "Пополнения",
        "Пополнения кошельков живыми деньгами за вычетом выплат из кошельков",
    ),
    (
        "Получено",
        "Все деньги, пришедшие за день: оплаты наличными, картой, Kaspi и переводом плюс пополнения",
    ),
    (
        "Получено наличными",
        "Оплаты и пополнения наличными: столько наличных должно прибавиться в кассе",
    ),
    ("Получено картой", "Оплаты и пополнения картой"),
    ("Получено Kaspi", "Оплаты и пополнения через Kaspi"),
    ("Получено переводом", "Оплаты и пополнения переводом"),
    ("Сеансы", "Сеансы, начатые за день"),
    (
        "Минуты",
        "Минуты игры в завершённых сеансах, начатых за день",
    ),
    (
        "Активные клиенты",
        "Клиенты, у которых за день начался сеанс",
    ),
    (
        "Итого",
        "Сумма по всем дням периода; активные клиенты — без повторов",
    ),
    ("Смены: Выручка", "Оплаты, принятые в сменах оператора"),
    (
        "Смены: Разница наличных",
        "Пересчитанные наличные (с монетами) минус ожидаемые, по закрытым сменам",
    ),
    (
        "Загрузка: Занято, мин",
        "Минуты, когда компьютеры зоны были заняты в этот местный час",
    ),
    ("Загрузка: Доступно, мин", "Компьютеры зоны × дни × 60"),
    ("Загрузка: %", "Занято / Доступно × 100"),
];
