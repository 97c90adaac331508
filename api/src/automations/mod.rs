//! Automations: rules owners and admins set up, each a trigger (an outbox event, or no
//! contact for some days), conditions and actions (move to a stage, plan the next contact,
//! record an interaction, add or remove a tag, send a message). The defaults of seed 001 move
//! the funnel with the money and the programs. [`engine`] runs them; [`preview`] dry-runs one.

pub mod engine;
pub mod loaders;
pub mod preview;
pub mod rules;
pub mod types;

use async_graphql::{Context, ID, Object};
use entity::automation_run;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    auth::policy::policy,
    context::ContextExt,
    domain::parse_id,
    error::{AppError, IntoGql},
    pagination::{Page, PageInput, fetch_page},
};
use types::{
    AutomationPreview, AutomationPreviewItem, AutomationRule, AutomationRuleInput, AutomationRun,
    AutomationRunPage,
};

/// The notification kind of a rule's message to a client.
pub const MESSAGE_KIND: &str = "automation.message";

#[derive(Default)]
pub struct AutomationsQuery;

#[Object]
impl AutomationsQuery {
    /// Every automation rule, the defaults first.
    #[graphql(guard = "policy(\"Query.automationRules\")")]
    async fn automation_rules(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<AutomationRule>> {
        let state = ctx.state()?;
        Ok(rules::all(&state.db)
            .await
            .gql()?
            .into_iter()
            .map(AutomationRule)
            .collect())
    }

    /// What rules did, newest first: of one rule, or of all; `status` is `done`, `skipped`
    /// or `failed`.
    #[graphql(guard = "policy(\"Query.automationRuns\")")]
    async fn automation_runs(
        &self,
        ctx: &Context<'_>,
        rule_id: Option<ID>,
        status: Option<String>,
        page: Option<PageInput>,
    ) -> async_graphql::Result<AutomationRunPage> {
        let state = ctx.state()?;
        let mut select = automation_run::Entity::find().order_by_desc(automation_run::Column::Id);
        if let Some(id) = rule_id {
            let id = parse_id("ruleId", &id).gql()?;
            select = select.filter(automation_run::Column::RuleId.eq(id));
        }
        if let Some(status) = status {
            if ![engine::DONE, engine::SKIPPED, engine::FAILED].contains(&status.as_str()) {
                return Err(AppError::validation(
                    "status",
                    "статус — done, skipped или failed",
                    "the status is done, skipped or failed",
                ))
                .gql();
            }
            select = select.filter(automation_run::Column::Status.eq(status));
        }
        let (rows, page_info) = fetch_page(&state.db, select, Page::asked(ctx, page).gql()?)
            .await
            .gql()?;
        Ok(AutomationRunPage {
            items: rows.into_iter().map(AutomationRun).collect(),
            page_info,
        })
    }

    /// A dry run: what a saved rule (`id`) or a rule being written (`input`) would have done
    /// over the last `days` days (1–30, default 30), writing nothing.
    #[graphql(guard = "policy(\"Query.previewAutomationRule\")")]
    async fn preview_automation_rule(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        input: Option<AutomationRuleInput>,
        days: Option<i32>,
    ) -> async_graphql::Result<AutomationPreview> {
        let state = ctx.state()?;
        let (rule_id, draft) = match (id, input) {
            (_, Some(input)) => (
                None,
                rules::checked(state, input.into_draft().gql()?)
                    .await
                    .gql()?,
            ),
            (Some(id), None) => {
                let rule = rules::get(&state.db, parse_id("id", &id).gql()?)
                    .await
                    .gql()?;
                let draft = rules::Draft {
                    name: rule.name,
                    trigger: rule.trigger,
                    conditions: rule.conditions,
                    actions: rule.actions,
                    enabled: rule.enabled,
                };
                (Some(rule.id), draft)
            }
            (None, None) => {
                return Err(AppError::validation(
                    "id",
                    "укажите правило или его черновик",
                    "give a rule or its draft",
                ))
                .gql();
            }
        };
        let p = preview::preview(state, rule_id, &draft, days.unwrap_or(30))
            .await
            .gql()?;
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        Ok(AutomationPreview {
            from: p.from,
            to: p.to,
            considered: count(p.considered),
            matched: count(p.items.len()),
            would_act: count(p.items.iter().filter(|i| i.acts).count()),
            items: p.items.into_iter().map(AutomationPreviewItem).collect(),
        })
    }
}

#[derive(Default)]
pub struct AutomationsMutation;

#[Object]
impl AutomationsMutation {
    /// Adds a rule; a rule whose actions would set off a cycle of rules is refused.
    #[graphql(guard = "policy(\"Mutation.createAutomationRule\")")]
    async fn create_automation_rule(
        &self,
        ctx: &Context<'_>,
        input: AutomationRuleInput,
    ) -> async_graphql::Result<AutomationRule> {
        let state = ctx.state()?;
        let draft = input.into_draft().gql()?;
        rules::save(state, &ctx.caller(), None, draft)
            .await
            .map(AutomationRule)
            .gql()
    }

    /// Rewrites a rule (a default one too: its stage, its days, whether it is on).
    #[graphql(guard = "policy(\"Mutation.updateAutomationRule\")")]
    async fn update_automation_rule(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: AutomationRuleInput,
    ) -> async_graphql::Result<AutomationRule> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let draft = input.into_draft().gql()?;
        rules::save(state, &ctx.caller(), Some(id), draft)
            .await
            .map(AutomationRule)
            .gql()
    }

    /// Deletes a rule staff made, with its runs; a default rule is switched off instead.
    #[graphql(guard = "policy(\"Mutation.deleteAutomationRule\")")]
    async fn delete_automation_rule(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<bool> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        rules::delete(state, &ctx.caller(), id).await.gql()?;
        Ok(true)
    }
}
