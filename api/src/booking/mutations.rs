//! Booking's mutations: thin resolvers over the services of this feature.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::enums::{AppointmentStatus, PartyStatus};

use super::{
    appointments::{self, Booker, ConfirmSpec},
    catalog, hold, lifecycle, optional_id, packages, party, public, schedules,
    types::{
        Appointment, BookingRules, BookingRulesInput, BreakInput, ClientPackage,
        ConfirmBookingInput, HoldSlotInput, PartyGift, PartyGiftInput, PartyOrder, PartyOrderInput,
        PublicBooking, PublicBookingInput, PushSubscription, PushSubscriptionInput,
        SellPackageInput, Service, ServiceInput, ServicePackage, ServicePackageInput, SlotHold,
        Specialist, SpecialistBreak, SpecialistDay, SpecialistDayInput, SpecialistHoursInput,
        SpecialistInput, WorkingHours,
    },
};
use crate::auth::actor::Reach;
use crate::{
    auth::policy::policy,
    context::ContextExt,
    domain::parse_id,
    error::{AppError, AppResult, IntoGql},
};

fn ids(field: &str, list: &[ID]) -> AppResult<Vec<i64>> {
    list.iter().map(|id| parse_id(field, id)).collect()
}

fn service_spec(input: ServiceInput) -> catalog::ServiceSpec {
    catalog::ServiceSpec {
        name: input.name,
        category: input.category,
        description: input.description,
        duration_minutes: input.duration_minutes,
        price: input.price.minor(),
        buffer_before: input.buffer_before.unwrap_or(0),
        buffer_after: input.buffer_after.unwrap_or(0),
        active: input.active.unwrap_or(true),
    }
}

fn specialist_spec(input: SpecialistInput) -> AppResult<catalog::SpecialistSpec> {
    Ok(catalog::SpecialistSpec {
        first_name: input.first_name,
        last_name: input.last_name.unwrap_or_default(),
        title: input.title,
        bio: input.bio,
        user_id: optional_id("input.userId", input.user_id.as_ref())?,
        active: input.active.unwrap_or(true),
    })
}

#[derive(Default)]
pub struct BookingMutation;

#[Object]
impl BookingMutation {
    /// A service of a location.
    #[graphql(guard = "policy(\"Mutation.createService\")")]
    async fn create_service(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        input: ServiceInput,
    ) -> async_graphql::Result<Service> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        let row =
            catalog::save_service(state, &ctx.caller(), None, location_id, service_spec(input))
                .await
                .gql()?;
        Ok(row.into())
    }

    /// Replaces a service's terms; appointments already booked keep their price.
    #[graphql(guard = "policy(\"Mutation.updateService\")")]
    async fn update_service(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ServiceInput,
    ) -> async_graphql::Result<Service> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let row = catalog::save_service(state, &ctx.caller(), Some(id), 0, service_spec(input))
            .await
            .gql()?;
        Ok(row.into())
    }

    /// A package of visits of a service.
    #[graphql(guard = "policy(\"Mutation.createServicePackage\")")]
    async fn create_service_package(
        &self,
        ctx: &Context<'_>,
        input: ServicePackageInput,
    ) -> async_graphql::Result<ServicePackage> {
        let state = ctx.state()?;
        let service_id = parse_id("input.serviceId", &input.service_id).gql()?;
        let row = catalog::create_package(
            state,
            &ctx.caller(),
            service_id,
            &input.name,
            input.visits,
            input.validity_days,
            input.price.minor(),
        )
        .await
        .gql()?;
        Ok(row.into())
    }

    /// Takes a package off sale, or back on.
    #[graphql(guard = "policy(\"Mutation.setServicePackageActive\")")]
    async fn set_service_package_active(
        &self,
        ctx: &Context<'_>,
        id: ID,
        active: bool,
    ) -> async_graphql::Result<ServicePackage> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let row = catalog::set_package_active(state, &ctx.caller(), id, active)
            .await
            .gql()?;
        Ok(row.into())
    }

    #[graphql(guard = "policy(\"Mutation.createSpecialist\")")]
    async fn create_specialist(
        &self,
        ctx: &Context<'_>,
        input: SpecialistInput,
    ) -> async_graphql::Result<Specialist> {
        let state = ctx.state()?;
        let spec = specialist_spec(input).gql()?;
        let row = catalog::save_specialist(state, &ctx.caller(), None, spec)
            .await
            .gql()?;
        Ok(row.into())
    }

    #[graphql(guard = "policy(\"Mutation.updateSpecialist\")")]
    async fn update_specialist(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: SpecialistInput,
    ) -> async_graphql::Result<Specialist> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let spec = specialist_spec(input).gql()?;
        let row = catalog::save_specialist(state, &ctx.caller(), Some(id), spec)
            .await
            .gql()?;
        Ok(row.into())
    }

    /// Replaces the services a specialist performs; returns their ids.
    #[graphql(guard = "policy(\"Mutation.setSpecialistServices\")")]
    async fn set_specialist_services(
        &self,
        ctx: &Context<'_>,
        specialist_id: ID,
        service_ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<ID>> {
        let state = ctx.state()?;
        let specialist_id = parse_id("specialistId", &specialist_id).gql()?;
        let service_ids = ids("serviceIds", &service_ids).gql()?;
        let saved =
            catalog::set_specialist_services(state, &ctx.caller(), specialist_id, service_ids)
                .await
                .gql()?;
        Ok(saved.into_iter().map(Into::into).collect())
    }

    /// Replaces the rooms that suit a service; returns their ids.
    #[graphql(guard = "policy(\"Mutation.setServiceRooms\")")]
    async fn set_service_rooms(
        &self,
        ctx: &Context<'_>,
        service_id: ID,
        resource_ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<ID>> {
        let state = ctx.state()?;
        let service_id = parse_id("serviceId", &service_id).gql()?;
        let resource_ids = ids("resourceIds", &resource_ids).gql()?;
        let saved = catalog::set_service_rooms(state, &ctx.caller(), service_id, resource_ids)
            .await
            .gql()?;
        Ok(saved.into_iter().map(Into::into).collect())
    }

    /// Replaces a specialist's working week at a location.
    #[graphql(guard = "policy(\"Mutation.setSpecialistHours\")")]
    async fn set_specialist_hours(
        &self,
        ctx: &Context<'_>,
        input: SpecialistHoursInput,
    ) -> async_graphql::Result<Vec<WorkingHours>> {
        let state = ctx.state()?;
        let specialist_id = parse_id("input.specialistId", &input.specialist_id).gql()?;
        let location_id = parse_id("input.locationId", &input.location_id).gql()?;
        let rows = schedules::set_hours(
            state,
            &ctx.caller(),
            specialist_id,
            location_id,
            input.hours,
        )
        .await
        .gql()?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Replaces a specialist's breaks.
    #[graphql(guard = "policy(\"Mutation.setSpecialistBreaks\")")]
    async fn set_specialist_breaks(
        &self,
        ctx: &Context<'_>,
        specialist_id: ID,
        breaks: Vec<BreakInput>,
    ) -> async_graphql::Result<Vec<SpecialistBreak>> {
        let state = ctx.state()?;
        let specialist_id = parse_id("specialistId", &specialist_id).gql()?;
        let specs = breaks
            .into_iter()
            .map(|b| schedules::BreakSpec {
                weekday: b.weekday,
                date: b.date,
                starts_at: b.starts_at,
                ends_at: b.ends_at,
            })
            .collect();
        let rows = schedules::set_breaks(state, &ctx.caller(), specialist_id, specs)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// A one-off day: a day off (no times) or other hours.
    #[graphql(guard = "policy(\"Mutation.setSpecialistDay\")")]
    async fn set_specialist_day(
        &self,
        ctx: &Context<'_>,
        input: SpecialistDayInput,
    ) -> async_graphql::Result<SpecialistDay> {
        let state = ctx.state()?;
        let specialist_id = parse_id("input.specialistId", &input.specialist_id).gql()?;
        let location_id = parse_id("input.locationId", &input.location_id).gql()?;
        let hours = match (input.starts_at, input.ends_at) {
            (Some(a), Some(b)) => Some((a, b)),
            (None, None) => None,
            _ => {
                return Err(AppError::validation(
                    "input.endsAt",
                    "укажите и начало, и конец, или ни одно (выходной)",
                    "give both start and end, or neither for a day off",
                ))
                .gql();
            }
        };
        let row = schedules::set_day(
            state,
            &ctx.caller(),
            specialist_id,
            location_id,
            input.date,
            hours,
            input.note,
        )
        .await
        .gql()?;
        Ok(row.into())
    }

    #[graphql(guard = "policy(\"Mutation.deleteSpecialistDay\")")]
    async fn delete_specialist_day(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<bool> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        schedules::delete_day(state, &ctx.caller(), id)
            .await
            .gql()?;
        Ok(true)
    }

    #[graphql(guard = "policy(\"Mutation.setBookingRules\")")]
    async fn set_booking_rules(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        input: BookingRulesInput,
    ) -> async_graphql::Result<BookingRules> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        let row = schedules::set_rules(
            state,
            &ctx.caller(),
            location_id,
            input.slot_step_minutes,
            input.cancel_cutoff_minutes,
            input.min_lead_minutes,
        )
        .await
        .gql()?;
        Ok(row.into())
    }

    /// Holds a free slot for a short time (SLOT_TAKEN when someone holds or booked it).
    #[graphql(guard = "policy(\"Mutation.holdSlot\")")]
    async fn hold_slot(
        &self,
        ctx: &Context<'_>,
        input: HoldSlotInput,
    ) -> async_graphql::Result<SlotHold> {
        let state = ctx.state()?;
        let caller = ctx.caller();
        public::limit_write(state, &caller).gql()?;
        let spec = hold::HoldSpec {
            location_id: parse_id("input.locationId", &input.location_id).gql()?,
            service_id: parse_id("input.serviceId", &input.service_id).gql()?,
            specialist_id: parse_id("input.specialistId", &input.specialist_id).gql()?,
            starts_at: input.starts_at,
        };
        Ok(hold::hold_slot(state, &caller, spec).await.gql()?.into())
    }

    /// Lets a held slot go.
    #[graphql(guard = "policy(\"Mutation.releaseHold\")")]
    async fn release_hold(&self, ctx: &Context<'_>, token: String) -> async_graphql::Result<bool> {
        let state = ctx.state()?;
        let caller = ctx.caller();
        public::limit_write(state, &caller).gql()?;
        hold::release(state, &caller, &token).await.gql()?;
        Ok(true)
    }

    /// Turns a hold into an appointment and takes the payment.
    #[graphql(guard = "policy(\"Mutation.confirmBooking\")")]
    async fn confirm_booking(
        &self,
        ctx: &Context<'_>,
        input: ConfirmBookingInput,
    ) -> async_graphql::Result<Appointment> {
        let state = ctx.state()?;
        let caller = ctx.caller();
        let given = optional_id("input.clientId", input.client_id.as_ref()).gql()?;
        let client_id = match caller.actor.reach().gql()? {
            Reach::Client(own) => {
                Reach::Client(own).may_touch(given.unwrap_or(own)).gql()?;
                own
            }
            _ => given
                .ok_or_else(|| {
                    AppError::validation("input.clientId", "укажите клиента", "give the client")
                })
                .gql()?,
        };
        let spec = ConfirmSpec {
            client: Booker::Client(client_id),
            payment: input.payment,
            client_package_id: optional_id(
                "input.clientPackageId",
                input.client_package_id.as_ref(),
            )
            .gql()?,
            discount_percent: input.discount_percent.unwrap_or(0),
            note: input.note,
            consent: false,
        };
        let row = appointments::confirm(
            state,
            &caller,
            &input.hold_token,
            spec,
            input.idempotency_key.as_deref(),
        )
        .await
        .gql()?;
        Ok(row.into())
    }

    /// Confirms a hold from the public page with a name and a phone; paid at the venue.
    #[graphql(guard = "policy(\"Mutation.confirmPublicBooking\")")]
    async fn confirm_public_booking(
        &self,
        ctx: &Context<'_>,
        input: PublicBookingInput,
    ) -> async_graphql::Result<PublicBooking> {
        let state = ctx.state()?;
        let row = public::confirm(
            state,
            &ctx.caller(),
            &input.hold_token,
            public::VisitorDetails {
                name: &input.name,
                phone: &input.phone,
                note: input.note,
                consent: input.consent_to_contact.unwrap_or(false),
            },
            input.idempotency_key.as_deref(),
        )
        .await
        .gql()?;
        Ok(row.into())
    }

    /// Moves an appointment to a free start (and maybe another specialist).
    #[graphql(guard = "policy(\"Mutation.rescheduleAppointment\")")]
    async fn reschedule_appointment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        starts_at: DateTime<Utc>,
        specialist_id: Option<ID>,
    ) -> async_graphql::Result<Appointment> {
        let state = ctx.state()?;
        let caller = ctx.caller();
        let id = parse_id("id", &id).gql()?;
        let specialist_id = optional_id("specialistId", specialist_id.as_ref()).gql()?;
        let acting = caller.actor.reach().gql()?;
        let row = lifecycle::reschedule(state, &caller, acting, id, starts_at, specialist_id)
            .await
            .gql()?;
        Ok(row.into())
    }

    /// Cancels an appointment; inside the cut-off its payment goes back to the wallet.
    #[graphql(guard = "policy(\"Mutation.cancelAppointment\")")]
    async fn cancel_appointment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: Option<String>,
    ) -> async_graphql::Result<Appointment> {
        let state = ctx.state()?;
        let caller = ctx.caller();
        let id = parse_id("id", &id).gql()?;
        let acting = caller.actor.reach().gql()?;
        let row = lifecycle::cancel(state, &caller, acting, id, reason)
            .await
            .gql()?;
        Ok(row.into())
    }

    #[graphql(guard = "policy(\"Mutation.completeAppointment\")")]
    async fn complete_appointment(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Appointment> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let row = lifecycle::finish(state, &ctx.caller(), id, AppointmentStatus::Completed)
            .await
            .gql()?;
        Ok(row.into())
    }

    /// Marks an appointment nobody came to; its time is freed.
    #[graphql(guard = "policy(\"Mutation.markNoShow\")")]
    async fn mark_no_show(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Appointment> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let row = lifecycle::finish(state, &ctx.caller(), id, AppointmentStatus::NoShow)
            .await
            .gql()?;
        Ok(row.into())
    }

    /// Cancels a booking by its code, within the venue's cut-off.
    /// Moves a booking found by its code to another free start (from `availableSlots`),
    /// within the venue's cut-off; the specialist stays.
    #[graphql(guard = "policy(\"Mutation.reschedulePublicBooking\")")]
    async fn reschedule_public_booking(
        &self,
        ctx: &Context<'_>,
        code: String,
        starts_at: DateTime<Utc>,
    ) -> async_graphql::Result<PublicBooking> {
        let state = ctx.state()?;
        let row = public::reschedule(state, &ctx.caller(), &code, starts_at)
            .await
            .gql()?;
        Ok(row.into())
    }

    #[graphql(guard = "policy(\"Mutation.cancelPublicBooking\")")]
    async fn cancel_public_booking(
        &self,
        ctx: &Context<'_>,
        code: String,
        reason: Option<String>,
    ) -> async_graphql::Result<PublicBooking> {
        let state = ctx.state()?;
        let row = public::cancel(state, &ctx.caller(), &code, reason)
            .await
            .gql()?;
        Ok(row.into())
    }

    /// Sells a package of visits to a client.
    #[graphql(guard = "policy(\"Mutation.sellServicePackage\")")]
    async fn sell_service_package(
        &self,
        ctx: &Context<'_>,
        input: SellPackageInput,
    ) -> async_graphql::Result<ClientPackage> {
        let state = ctx.state()?;
        let client_id = parse_id("input.clientId", &input.client_id).gql()?;
        let package_id = parse_id("input.packageId", &input.package_id).gql()?;
        let row = packages::sell(
            state,
            &ctx.caller(),
            client_id,
            package_id,
            input.method,
            &input.idempotency_key,
        )
        .await
        .gql()?;
        Ok(row.into())
    }

    /// Links a user with the client role to the client record they act for.
    #[graphql(guard = "policy(\"Mutation.linkClientAccount\")")]
    async fn link_client_account(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
        client_id: ID,
    ) -> async_graphql::Result<bool> {
        let state = ctx.state()?;
        let user_id = parse_id("userId", &user_id).gql()?;
        let client_id = parse_id("clientId", &client_id).gql()?;
        crate::clients::identity::link(state, &ctx.caller(), user_id, client_id)
            .await
            .gql()?;
        Ok(true)
    }

    /// Stores a browser's Web Push subscription for reminders.
    #[graphql(guard = "policy(\"Mutation.savePushSubscription\")")]
    async fn save_push_subscription(
        &self,
        ctx: &Context<'_>,
        input: PushSubscriptionInput,
    ) -> async_graphql::Result<PushSubscription> {
        let state = ctx.state()?;
        let row = public::save_push(
            state,
            &ctx.caller(),
            input.booking_code.as_deref(),
            &input.endpoint,
            &input.p256dh,
            &input.auth,
        )
        .await
        .gql()?;
        Ok(row.into())
    }

    #[graphql(guard = "policy(\"Mutation.createPartyGift\")")]
    async fn create_party_gift(
        &self,
        ctx: &Context<'_>,
        input: PartyGiftInput,
    ) -> async_graphql::Result<PartyGift> {
        let state = ctx.state()?;
        let row = party::save_gift(
            state,
            &ctx.caller(),
            None,
            &input.name,
            input.active.unwrap_or(true),
            input.sort_order.unwrap_or(0),
        )
        .await
        .gql()?;
        Ok(row.into())
    }

    #[graphql(guard = "policy(\"Mutation.updatePartyGift\")")]
    async fn update_party_gift(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: PartyGiftInput,
    ) -> async_graphql::Result<PartyGift> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let row = party::save_gift(
            state,
            &ctx.caller(),
            Some(id),
            &input.name,
            input.active.unwrap_or(true),
            input.sort_order.unwrap_or(0),
        )
        .await
        .gql()?;
        Ok(row.into())
    }

    /// A party: the area for the game, then the rest room, both reserved.
    #[graphql(guard = "policy(\"Mutation.createPartyOrder\")")]
    async fn create_party_order(
        &self,
        ctx: &Context<'_>,
        input: PartyOrderInput,
    ) -> async_graphql::Result<PartyOrder> {
        let state = ctx.state()?;
        let spec = party_spec(input).gql()?;
        let row = party::create(state, &ctx.caller(), spec).await.gql()?;
        Ok(row.into())
    }

    /// Confirms a party asked for from the public page: REQUESTED becomes BOOKED.
    #[graphql(guard = "policy(\"Mutation.confirmPartyOrder\")")]
    async fn confirm_party_order(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<PartyOrder> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let row = party::confirm(state, &ctx.caller(), id).await.gql()?;
        Ok(row.into())
    }

    /// Edits a booked party order. The new time is reserved in the same step that frees the
    /// old one: when it is taken, the order stays as it was (SLOT_TAKEN). Without `clientId`
    /// the order keeps its client.
    #[graphql(guard = "policy(\"Mutation.updatePartyOrder\")")]
    async fn update_party_order(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: PartyOrderInput,
    ) -> async_graphql::Result<PartyOrder> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let spec = party_spec(input).gql()?;
        let row = party::update(state, &ctx.caller(), id, spec).await.gql()?;
        Ok(row.into())
    }

    #[graphql(guard = "policy(\"Mutation.cancelPartyOrder\")")]
    async fn cancel_party_order(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<PartyOrder> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let row = party::close(state, &ctx.caller(), id, PartyStatus::Cancelled)
            .await
            .gql()?;
        Ok(row.into())
    }

    #[graphql(guard = "policy(\"Mutation.completePartyOrder\")")]
    async fn complete_party_order(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<PartyOrder> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let row = party::close(state, &ctx.caller(), id, PartyStatus::Completed)
            .await
            .gql()?;
        Ok(row.into())
    }
}

fn party_spec(input: PartyOrderInput) -> AppResult<party::PartySpec> {
    Ok(party::PartySpec {
        location_id: parse_id("input.locationId", &input.location_id)?,
        client_id: optional_id("input.clientId", input.client_id.as_ref())?,
        contact_name: input.contact_name,
        contact_phone: input.contact_phone,
        game_type: input.game_type,
        players: input.players,
        area_id: parse_id("input.areaId", &input.area_id)?,
        starts_at: input.starts_at,
        game_minutes: input.game_minutes,
        rest_room_id: optional_id("input.restRoomId", input.rest_room_id.as_ref())?,
        rest_minutes: input.rest_minutes.unwrap_or(0),
        gift_ids: ids("input.giftIds", &input.gift_ids.unwrap_or_default())?,
        notes: input.notes,
    })
}
