//! The computer club's month: a shift a day, sessions paid in cash, Kaspi, card, from wallets
//! and on credit; today an open shift, PCs in play now, bookings for tonight and a promotion.

use chrono::{DateTime, Duration, Utc};
use entity::{
    enums::{PaymentMethod, PromotionKind, ResourceKind, ResourceStatus},
    resource,
};

use super::life::{self, Calendar, Clock, Rng};
use crate::{
    auth::actor::Caller,
    billing::{
        ledger::{self, Operation},
        shifts::{self, Counted},
    },
    club::{
        bookings::{self, BookingSpec},
        catalog::{self as club_catalog, PromotionSpec},
        sessions::{self, StartSpec},
    },
    error::{AppError, AppResult},
    state::AppState,
    venue::{resources, zones},
};

/// Clients of the club, and which of them keep money in their wallet or play on credit.
const CLIENTS: u32 = 40;
const WALLETS: usize = 15;
const CREDIT: std::ops::Range<usize> = 15..21;

struct Play {
    starts: DateTime<Utc>,
    ends: Option<DateTime<Utc>>,
    pc: i64,
    client: Option<usize>,
    prepaid: Option<i32>,
}

pub async fn seed(
    state: &AppState,
    clock: &Clock<'_>,
    cal: Calendar,
    location_id: i64,
    rng: &mut Rng,
) -> AppResult<()> {
    let operator = life::staff(state, "operator").await?;
    let pcs: Vec<resource::Model> = resources::snapshot(state, location_id)
        .await?
        .into_iter()
        .filter(|r| {
            matches!(r.kind, ResourceKind::Pc | ResourceKind::Console)
                && r.status != ResourceStatus::OutOfOrder
        })
        .collect();
    if pcs.is_empty() {
        return Ok(());
    }

    clock.at(cal.at(-31, 12, 0));
    let mut clients = Vec::new();
    for n in 0..CLIENTS {
        let person = life::person(rng, 1, n, false);
        clients.push(life::client(state, &person, None, None, None).await?.id);
    }
    for (i, id) in clients
        .iter()
        .enumerate()
        .take(CREDIT.end)
        .skip(CREDIT.start)
    {
        let limit = 300_000 + 100_000 * (i as i64 % 3);
        ledger::set_credit_limit(state, &Caller::system(), *id, limit).await?;
    }

    let mut key = 0u64;
    for day in -30..=-1 {
        let opened = cal.at(day, 9, 55);
        let closes = cal.at(day, 23, 30);
        clock.at(opened);
        let shift = shifts::open(state, &operator, location_id, 2_000_000).await?;
        if day == -30 {
            for (i, id) in clients.iter().take(WALLETS).enumerate() {
                clock.at(opened + Duration::minutes(i as i64 + 1));
                let op = Operation::Deposit {
                    client_id: *id,
                    amount: 100_000 * rng.between(20, 100),
                    method: method(rng),
                };
                key += 1;
                ledger::apply(state, &operator, op, &format!("demo-club-{key}")).await?;
            }
        }
        let weekend = matches!(
            chrono::Datelike::weekday(&cal.day(day)),
            chrono::Weekday::Fri | chrono::Weekday::Sat | chrono::Weekday::Sun
        );
        let count = if weekend {
            rng.between(14, 20)
        } else {
            rng.between(8, 14)
        };
        let mut plays = Vec::new();
        let mut busy = vec![cal.at(day, 0, 0); pcs.len()];
        let mut starts: Vec<i64> = (0..count).map(|_| rng.between(600, 1260)).collect();
        starts.sort_unstable();
        for minute in starts {
            let at = cal.minutes(day, minute);
            let length = rng.between(4, 16) * 15;
            let ends = (at + Duration::minutes(length)).min(closes - Duration::minutes(20));
            let free: Vec<usize> = (0..pcs.len()).filter(|&i| busy[i] <= at).collect();
            if free.is_empty() || ends <= at {
                continue;
            }
            let slot = *rng.pick(&free);
            busy[slot] = ends + Duration::minutes(5);
            plays.push(Play {
                starts: at,
                ends: Some(ends),
                pc: pcs[slot].id,
                client: rng.chance(70).then(|| rng.below(CLIENTS as u64) as usize),
                prepaid: None,
            });
        }
        play(state, clock, &operator, &clients, &plays, rng, &mut key).await?;
        clock.at(closes);
        close(state, &operator, shift.id).await?;
    }

    // Today: a shift open since the morning (or since late last night), some sessions over,
    // several on now.
    let now = clock.now;
    let opened = (now - Duration::hours(6)).max(cal.at(-1, 23, 40));
    clock.at(opened);
    shifts::open(state, &operator, location_id, 2_000_000).await?;
    let mut plays = Vec::new();
    let mut busy = vec![opened; pcs.len()];
    let mut free_pcs: Vec<usize> = (0..pcs.len()).collect();
    let window = (now - opened).num_minutes();
    if window > 90 {
        for _ in 0..rng.between(4, 7) {
            let at = opened + Duration::minutes(rng.between(5, window - 80));
            let ends =
                (at + Duration::minutes(rng.between(2, 6) * 15)).min(now - Duration::minutes(5));
            let free: Vec<usize> = (0..pcs.len()).filter(|&i| busy[i] <= at).collect();
            if free.is_empty() || ends <= at {
                continue;
            }
            let slot = *rng.pick(&free);
            busy[slot] = ends + Duration::minutes(1);
            plays.push(Play {
                starts: at,
                ends: Some(ends),
                pc: pcs[slot].id,
                client: rng.chance(70).then(|| rng.below(CLIENTS as u64) as usize),
                prepaid: None,
            });
        }
    }
    for n in 0..7 {
        let back = rng.between(10, 170).min(window.max(1));
        let at = now - Duration::minutes(back);
        free_pcs.retain(|&i| busy[i] <= at);
        if free_pcs.is_empty() {
            break;
        }
        let slot = free_pcs.remove(rng.below(free_pcs.len() as u64) as usize);
        busy[slot] = now + Duration::hours(12);
        plays.push(Play {
            starts: at,
            ends: None,
            pc: pcs[slot].id,
            client: Some(n * 3),
            prepaid: (n == 0).then_some(180),
        });
    }
    plays.sort_by_key(|p| p.starts);
    play(state, clock, &operator, &clients, &plays, rng, &mut key).await?;

    // Tonight's bookings, made now.
    clock.present();
    let zones = zones::list(state, location_id).await?;
    let start = now + Duration::minutes(150 - i64::from(chrono::Timelike::minute(&now)) % 30);
    for (i, zone) in zones.iter().take(3).enumerate() {
        bookings::create(
            state,
            &operator,
            BookingSpec {
                zone_id: zone.id,
                client_id: clients[20 + i],
                starts_at: start + Duration::hours(i as i64),
                minutes: 120,
                pc_count: if i == 0 { 2 } else { 1 },
                resource_ids: vec![],
                note: (i == 0).then(|| "Придут вдвоём, посадить рядом".into()),
            },
        )
        .await?;
    }

    // This week's promotion, in the VIP zone all day.
    if let Some(vip) = zones.iter().find(|z| z.name == "VIP") {
        club_catalog::save_promotion(
            state,
            &Caller::system(),
            None,
            location_id,
            PromotionSpec {
                name: "Неделя VIP: −20%".into(),
                kind: PromotionKind::Percent,
                pay_minutes: None,
                free_minutes: None,
                percent: Some(20),
                price_per_hour: None,
                weekdays: (1..=7).collect(),
                starts_at: None,
                ends_at: None,
                valid_from: Some(cal.day(-3)),
                valid_to: Some(cal.day(4)),
                zone_ids: vec![vip.id],
                active: true,
            },
        )
        .await?;
    }
    Ok(())
}

fn method(rng: &mut Rng) -> PaymentMethod {
    *rng.pick(&[
        PaymentMethod::Cash,
        PaymentMethod::Kaspi,
        PaymentMethod::Kaspi,
        PaymentMethod::Card,
    ])
}

/// Plays `plays` in time order: each starts at its time and, when it has an end, stops then.
async fn play(
    state: &AppState,
    clock: &Clock<'_>,
    operator: &Caller,
    clients: &[i64],
    plays: &[Play],
    rng: &mut Rng,
    key: &mut u64,
) -> AppResult<()> {
    enum Step {
        Start(usize),
        Stop(usize),
    }
    let mut steps: Vec<(DateTime<Utc>, Step)> = Vec::new();
    for (i, p) in plays.iter().enumerate() {
        steps.push((p.starts, Step::Start(i)));
        if let Some(ends) = p.ends {
            steps.push((ends, Step::Stop(i)));
        }
    }
    steps.sort_by_key(|(at, step)| (*at, matches!(step, Step::Start(_))));
    let mut ids = vec![None; plays.len()];
    for (at, step) in steps {
        clock.at(at);
        *key += 1;
        match step {
            Step::Start(i) => {
                let p = &plays[i];
                let client_id = p.client.and_then(|c| clients.get(c).copied());
                let session = sessions::start(
                    state,
                    operator,
                    StartSpec {
                        resource_id: p.pc,
                        client_id,
                        guest_name: client_id.is_none().then(|| "Гость".into()),
                        tariff_id: None,
                        prepaid_minutes: p.prepaid,
                        package_id: None,
                        method: p.prepaid.map(|_| PaymentMethod::Kaspi),
                    },
                    &format!("demo-club-{key}"),
                )
                .await?;
                ids[i] = Some(session.id);
            }
            Step::Stop(i) => {
                let Some(id) = ids[i] else { continue };
                let client = plays[i].client;
                let pay = match client {
                    Some(c) if c < WALLETS && rng.chance(60) => PaymentMethod::Wallet,
                    Some(c) if CREDIT.contains(&c) && rng.chance(70) => PaymentMethod::Debt,
                    _ => method(rng),
                };
                let stopped =
                    sessions::stop(state, operator, id, Some(pay), &format!("demo-club-{key}"))
                        .await;
                match stopped {
                    Ok(_) => {}
                    // An empty wallet or a used-up credit line: the client pays at the desk.
                    Err(AppError::InsufficientFunds(_)) => {
                        *key += 1;
                        sessions::stop(
                            state,
                            operator,
                            id,
                            Some(PaymentMethod::Cash),
                            &format!("demo-club-{key}"),
                        )
                        .await?;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
    }
    Ok(())
}

/// Closes a shift with the drawer and terminals holding exactly what they should.
async fn close(state: &AppState, operator: &Caller, shift_id: i64) -> AppResult<()> {
    let shift = shifts::get(&state.db, shift_id).await?;
    let figures = shifts::figures(&state.db, &shift).await?;
    let counted = Counted {
        cash: figures.expected_cash,
        coins: 0,
        kaspi: figures.expected_kaspi,
        card: figures.expected_card,
        debt: figures.expected_debt,
    };
    shifts::close(state, operator, shift_id, counted, None).await?;
    Ok(())
}
