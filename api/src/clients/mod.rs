//! One client record for every vertical: finding, editing, merging, importing and exporting.

pub mod export;
pub mod fields;
pub mod identity;
pub mod import;
pub mod importer;
pub mod loaders;
pub mod merge;
pub mod search;
pub mod service;
pub mod types;

use async_graphql::{Context, ID, MaybeUndefined, Object, Upload};

use crate::{
    auth::policy::policy,
    context::ContextExt,
    domain::parse_id,
    error::{AppResult, IntoGql},
    pagination::{Page, PageInput},
};
use fields::{ClientFields, RawFields};
use search::{ClientSort, Criteria};
use types::{
    Client, ClientFilter, ClientPage, ClientSource, CreateClientInput, FileDownload, ImportReport,
    UpdateClientInput,
};

fn optional_id(field: &str, id: Option<&ID>) -> AppResult<Option<i64>> {
    id.map(|id| parse_id(field, id)).transpose()
}

fn criteria(filter: ClientFilter) -> AppResult<Criteria> {
    Ok(Criteria {
        search: filter.search,
        tag: filter.tag,
        source_id: optional_id("filter.sourceId", filter.source_id.as_ref())?,
        stage_id: optional_id("filter.stageId", filter.stage_id.as_ref())?,
        birthday_month: filter.birthday_month,
        last_visit_before: filter.last_visit_before,
        last_visit_after: filter.last_visit_after,
        created_from: filter.created_from,
        created_to: filter.created_to,
        include_inactive: filter.include_inactive.unwrap_or(false),
        has_debt: filter.has_debt,
    })
}

fn raw_from_create(input: CreateClientInput) -> AppResult<RawFields> {
    Ok(RawFields {
        last_name: input.last_name,
        first_name: input.first_name,
        patronymic: input.patronymic,
        phone: input.phone,
        phone2: input.phone2,
        email: input.email,
        telegram_id: input.telegram_id,
        telegram_username: input.telegram_username,
        birth_date: input.birth_date,
        source_id: optional_id("input.sourceId", input.source_id.as_ref())?,
        notes: input.notes,
        discount_percent: input.discount_percent,
        tags: input.tags.unwrap_or_default(),
    })
}

/// The stored fields with the changes of `input` on top, ready to be checked again.
fn raw_from_update(current: ClientFields, input: UpdateClientInput) -> AppResult<RawFields> {
    fn pick<T>(change: MaybeUndefined<T>, current: Option<T>) -> Option<T> {
        match change {
            MaybeUndefined::Undefined => current,
            MaybeUndefined::Null => None,
            MaybeUndefined::Value(v) => Some(v),
        }
    }
    let source_id = match input.source_id {
        MaybeUndefined::Undefined => current.source_id,
        MaybeUndefined::Null => None,
        MaybeUndefined::Value(id) => Some(parse_id("input.sourceId", &id)?),
    };
    Ok(RawFields {
        last_name: Some(input.last_name.unwrap_or(current.last_name)),
        first_name: Some(input.first_name.unwrap_or(current.first_name)),
        patronymic: pick(input.patronymic, current.patronymic),
        phone: pick(input.phone, current.phone.map(|p| p.into_string())),
        phone2: pick(input.phone2, current.phone2.map(|p| p.into_string())),
        email: pick(input.email, current.email),
        telegram_id: pick(
            input.telegram_id,
            current.telegram_id.map(|id| id.to_string()),
        ),
        telegram_username: pick(input.telegram_username, current.telegram_username),
        birth_date: pick(input.birth_date, current.birth_date),
        source_id,
        notes: pick(input.notes, current.notes),
        discount_percent: Some(input.discount_percent.unwrap_or(current.discount_percent)),
        tags: input.tags.unwrap_or(current.tags),
    })
}

#[derive(Default)]
pub struct ClientsQuery;

#[Object]
impl ClientsQuery {
    /// Clients matching the filter, sorted and paged.
    #[graphql(guard = "policy(\"Query.clients\")")]
    async fn clients(
        &self,
        ctx: &Context<'_>,
        filter: Option<ClientFilter>,
        sort: Option<ClientSort>,
        page: Option<PageInput>,
    ) -> async_graphql::Result<ClientPage> {
        let state = ctx.state()?;
        let criteria = criteria(filter.unwrap_or_default()).gql()?;
        let page = Page::asked(ctx, page).gql()?;
        let (rows, page_info) = search::list(state, &criteria, sort.unwrap_or_default(), page)
            .await
            .gql()?;
        Ok(ClientPage {
            items: rows.into_iter().map(Client).collect(),
            page_info,
        })
    }

    /// One client.
    #[graphql(guard = "policy(\"Query.client\")")]
    async fn client(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Client> {
        let state = ctx.state()?;
        service::get(&state.db, parse_id("id", &id).gql()?)
            .await
            .map(Client)
            .gql()
    }

    /// The managed list of "how did you hear about us".
    #[graphql(guard = "policy(\"Query.clientSources\")")]
    async fn client_sources(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ClientSource>> {
        let state = ctx.state()?;
        Ok(service::sources(state)
            .await
            .gql()?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

#[derive(Default)]
pub struct ClientsMutation;

#[Object]
impl ClientsMutation {
    /// Adds a client; a phone number already on file is refused with CONFLICT naming its owner.
    #[graphql(guard = "policy(\"Mutation.createClient\")")]
    async fn create_client(
        &self,
        ctx: &Context<'_>,
        input: CreateClientInput,
    ) -> async_graphql::Result<Client> {
        let state = ctx.state()?;
        let fields = raw_from_create(input)
            .and_then(|raw| raw.check("input."))
            .gql()?;
        service::create(state, &ctx.caller(), fields)
            .await
            .map(Client)
            .gql()
    }

    /// Changes a client.
    #[graphql(guard = "policy(\"Mutation.updateClient\")")]
    async fn update_client(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateClientInput,
    ) -> async_graphql::Result<Client> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let current = service::get(&state.db, id).await.gql()?;
        let current = service::current_fields(&state.db, &current).await.gql()?;
        let fields = raw_from_update(current, input)
            .and_then(|raw| raw.check("input."))
            .gql()?;
        service::update(state, &ctx.caller(), id, fields)
            .await
            .map(Client)
            .gql()
    }

    /// Archives a client: the record and its history stay, inactive, out of searches.
    #[graphql(guard = "policy(\"Mutation.archiveClient\")")]
    async fn archive_client(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Client> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        service::archive(state, &ctx.caller(), id)
            .await
            .map(Client)
            .gql()
    }

    /// Folds `duplicateId` into `keepId`: interactions, funnel history, tags and missing fields
    /// move over; the duplicate stays, inactive, pointing at the kept record.
    #[graphql(guard = "policy(\"Mutation.mergeClients\")")]
    async fn merge_clients(
        &self,
        ctx: &Context<'_>,
        duplicate_id: ID,
        keep_id: ID,
    ) -> async_graphql::Result<Client> {
        let state = ctx.state()?;
        let duplicate = parse_id("duplicateId", &duplicate_id).gql()?;
        let keep = parse_id("keepId", &keep_id).gql()?;
        merge::merge(state, &ctx.caller(), duplicate, keep)
            .await
            .map(Client)
            .gql()
    }

    /// Adds a "how did you hear about us" answer (or returns the one with that name).
    #[graphql(guard = "policy(\"Mutation.createClientSource\")")]
    async fn create_client_source(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> async_graphql::Result<ClientSource> {
        let state = ctx.state()?;
        service::create_source(state, &ctx.caller(), &name)
            .await
            .map(Into::into)
            .gql()
    }

    /// Imports clients from an .xlsx or .csv file (Russian or English headers). Each row is
    /// reported as created, updated, skipped (duplicate) or error. A dry run writes nothing.
    #[graphql(guard = "policy(\"Mutation.importClients\")")]
    async fn import_clients(
        &self,
        ctx: &Context<'_>,
        file: Upload,
        #[graphql(desc = "Check the file and report, writing nothing (default false).")]
        dry_run: Option<bool>,
    ) -> async_graphql::Result<ImportReport> {
        let state = ctx.state()?;
        let upload = file.value(ctx)?;
        let filename = upload.filename.clone();
        let bytes = {
            use std::io::Read;
            let mut content = upload.into_read();
            let mut bytes = Vec::new();
            content.read_to_end(&mut bytes)?;
            bytes
        };
        importer::import(
            state,
            &ctx.caller(),
            &bytes,
            &filename,
            dry_run.unwrap_or(false),
        )
        .await
        .gql()
    }

    /// The clients matching the filter as an .xlsx file.
    #[graphql(guard = "policy(\"Mutation.exportClients\")")]
    async fn export_clients(
        &self,
        ctx: &Context<'_>,
        filter: Option<ClientFilter>,
        sort: Option<ClientSort>,
    ) -> async_graphql::Result<FileDownload> {
        let state = ctx.state()?;
        let criteria = criteria(filter.unwrap_or_default()).gql()?;
        importer::export(state, &ctx.caller(), &criteria, sort.unwrap_or_default())
            .await
            .gql()
    }
}
