//! The studio's days around today: yesterday's appointments done or missed, today's and
//! tomorrow's booked (with room left to book more), and packages bought by regulars.

use entity::enums::{AppointmentPayment, AppointmentStatus, PaymentMethod};

use super::life::{self, Calendar, Clock, Rng};
use crate::{
    booking::{
        appointments::{self, Booker, ConfirmSpec},
        availability::{self, SlotQuery},
        catalog, hold,
        hold::HoldSpec,
        lifecycle, packages,
    },
    error::{AppError, AppResult},
    state::AppState,
};

const CLIENTS: u32 = 20;

pub async fn seed(
    state: &AppState,
    clock: &Clock<'_>,
    cal: Calendar,
    location_id: i64,
    rng: &mut Rng,
) -> AppResult<()> {
    let admin = life::staff(state, "admin").await?;
    let services = catalog::services(state, location_id, false).await?;
    if services.is_empty() {
        return Ok(());
    }
    clock.at(cal.at(-30, 12, 0));
    let mut clients = Vec::new();
    for n in 0..CLIENTS {
        let person = life::person(rng, 4, n, false);
        clients.push(life::client(state, &person, None, None, None).await?.id);
    }
    // Two regulars bought five massages for the price of four.
    let mut package_of = Vec::new();
    if let Some(package) = catalog::packages(state, services[0].id).await?.first() {
        for (i, client_id) in clients.iter().take(2).enumerate() {
            clock.at(cal.at(-20 + i as i64 * 3, 15, 0));
            let bought = packages::sell(
                state,
                &admin,
                *client_id,
                package.id,
                PaymentMethod::Kaspi,
                &format!("demo-studio-package-{client_id}"),
            )
            .await?;
            package_of.push((*client_id, bought.id));
        }
    }

    // Yesterday, booked the day before; then done, or missed.
    let mut n = 0usize;
    clock.at(cal.at(-2, 20, 0));
    let yesterday = book_day(
        state,
        &admin,
        location_id,
        &services,
        cal,
        -1,
        5,
        &clients,
        &package_of,
        &mut n,
        rng,
    )
    .await?;
    clock.at(cal.at(-1, 21, 30));
    for (i, id) in yesterday.iter().enumerate() {
        let status = if i == 1 {
            AppointmentStatus::NoShow
        } else {
            AppointmentStatus::Completed
        };
        lifecycle::finish(state, &admin, *id, status).await?;
    }

    // Today's, booked last night; those already over are marked done.
    clock.at(cal.at(-1, 22, 0));
    let today = book_day(
        state,
        &admin,
        location_id,
        &services,
        cal,
        0,
        5,
        &clients,
        &package_of,
        &mut n,
        rng,
    )
    .await?;
    clock.present();
    for id in today {
        let row = appointments::get(&state.db, id).await?;
        if row.ends_at <= cal.now {
            lifecycle::finish(state, &admin, id, AppointmentStatus::Completed).await?;
        }
    }
    // Tomorrow's, booked now.
    book_day(
        state,
        &admin,
        location_id,
        &services,
        cal,
        1,
        4,
        &clients,
        &package_of,
        &mut n,
        rng,
    )
    .await?;
    Ok(())
}

/// Books up to `count` appointments on the day `offset` days from today, at free times.
#[allow(clippy::too_many_arguments)]
async fn book_day(
    state: &AppState,
    caller: &crate::auth::actor::Caller,
    location_id: i64,
    services: &[entity::service::Model],
    cal: Calendar,
    offset: i64,
    count: usize,
    clients: &[i64],
    package_of: &[(i64, i64)],
    n: &mut usize,
    rng: &mut Rng,
) -> AppResult<Vec<i64>> {
    let mut made = Vec::new();
    for _ in 0..count {
        let service = &services[rng.below(services.len() as u64) as usize];
        let slots = availability::find(
            state,
            &SlotQuery {
                location_id,
                service_id: service.id,
                specialist_id: None,
                from: cal.day(offset),
                to: cal.day(offset),
                ignore_appointment: None,
            },
        )
        .await?;
        let now = state.clock.now();
        let slots: Vec<_> = slots.into_iter().filter(|s| s.starts_at > now).collect();
        if slots.is_empty() {
            break;
        }
        let slot = &slots[rng.below(slots.len() as u64) as usize];
        let held = match hold::hold_slot(
            state,
            caller,
            HoldSpec {
                location_id,
                service_id: service.id,
                specialist_id: slot.specialist_id,
                starts_at: slot.starts_at,
            },
        )
        .await
        {
            Ok(held) => held,
            Err(AppError::SlotTaken(_) | AppError::Taken(_)) => continue,
            Err(e) => return Err(e),
        };
        *n += 1;
        let client_id = clients[(*n * 7) % clients.len()];
        let package = package_of
            .iter()
            .find(|(c, _)| *c == client_id)
            .filter(|_| service.id == services[0].id)
            .map(|(_, p)| *p);
        let spec = ConfirmSpec {
            client: Booker::Client(client_id),
            payment: if package.is_some() {
                AppointmentPayment::Package
            } else {
                AppointmentPayment::AtVenue
            },
            client_package_id: package,
            discount_percent: 0,
            note: n
                .is_multiple_of(4)
                .then(|| "Просит мастера потише, без музыки".into()),
            consent: false,
        };
        let row = appointments::confirm(state, caller, &held.token, spec, None).await?;
        made.push(row.id);
    }
    Ok(made)
}
