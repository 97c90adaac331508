//! Locations, hours, holidays, zones and resources through the API; the live map
//! subscription; and the statement count of the nested venue query.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use clubgrid_api::{
    auth::actor::Caller,
    venue::{locations, resources, types, zones},
};
use clubgrid_tests::{
    Backend, TestApp, audit_filter, both_backends,
    clubgrid_client::{Client, ops},
};
use entity::enums::{ResourceKind, Role};
use futures_util::StreamExt;

both_backends!(
    venue_lifecycle,
    live_map_subscription,
    nested_venue_query_costs_the_same_at_any_size,
    a_page_counts_its_total_only_when_asked,
    a_page_of_locations_reads_ahead_what_its_zones_would_read,
    rows_read_by_position_are_the_models
);

async fn audit_actions(owner: &Client, entity: &str) -> Vec<String> {
    let log = owner
        .run::<ops::AuditLog>(ops::audit_log::Variables {
            filter: Some(ops::audit_log::AuditFilter {
                entity: Some(entity.into()),
                ..audit_filter()
            }),
            page: Some(ops::audit_log::PageInput {
                limit: Some(100),
                offset: None,
            }),
        })
        .await
        .unwrap();
    log.audit_log.items.into_iter().map(|e| e.action).collect()
}

fn hours(weekday: i64, opens: &str, closes: &str) -> ops::set_opening_hours::OpeningHoursInput {
    ops::set_opening_hours::OpeningHoursInput {
        weekday,
        opens_at: opens.into(),
        closes_at: closes.into(),
    }
}

async fn venue_lifecycle(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let manager = app.as_role(Role::Manager).await;
    let operator = app.as_role(Role::Operator).await;
    let owner = app.as_role(Role::Owner).await;

    let new_location = |tz: Option<&str>| ops::create_location::Variables {
        input: ops::create_location::CreateLocationInput {
            name: "Клуб на Абая".into(),
            address: "Алматы, Абая 1".into(),
            timezone: tz.map(Into::into),
        },
    };
    // A wrong timezone is refused naming the field; operators may not create locations.
    let err = manager
        .run::<ops::CreateLocation>(new_location(Some("Mars/Base")))
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.errors()[0].field()),
        (Some("VALIDATION"), Some("input.timezone"))
    );
    let err = operator
        .run::<ops::CreateLocation>(new_location(None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("FORBIDDEN"));
    // Without a timezone the organisation's default applies.
    let location = manager
        .run::<ops::CreateLocation>(new_location(None))
        .await
        .unwrap()
        .create_location;
    assert_eq!(location.timezone, "Asia/Almaty");

    // Weekly hours: overlaps are refused naming the interval; a night shift past midnight is fine.
    let err = manager
        .run::<ops::SetOpeningHours>(ops::set_opening_hours::Variables {
            location_id: location.id.clone(),
            hours: vec![
                hours(1, "10:00:00", "18:00:00"),
                hours(1, "17:00:00", "23:00:00"),
            ],
        })
        .await
        .unwrap_err();
    assert_eq!(err.errors()[0].field(), Some("hours[1]"));
    let week: Vec<_> = (1..=7).map(|d| hours(d, "10:00:00", "02:00:00")).collect();
    let saved = manager
        .run::<ops::SetOpeningHours>(ops::set_opening_hours::Variables {
            location_id: location.id.clone(),
            hours: week,
        })
        .await
        .unwrap();
    assert_eq!(saved.set_opening_hours.len(), 7);

    // A holiday, then the same date again replaces it.
    for name in ["Наурыз", "Наурыз мейрамы"] {
        manager
            .run::<ops::SetHoliday>(ops::set_holiday::Variables {
                location_id: location.id.clone(),
                input: ops::set_holiday::HolidayInput {
                    date: "2027-03-22".into(),
                    name: name.into(),
                    opens_at: None,
                    closes_at: None,
                },
            })
            .await
            .unwrap();
    }
    let read = operator
        .run::<ops::Location>(ops::location::Variables {
            id: location.id.clone(),
        })
        .await
        .unwrap()
        .location;
    assert_eq!(read.opening_hours.len(), 7);
    assert_eq!(read.opening_hours[0].closes_at, "02:00:00");
    assert_eq!(read.holidays.len(), 1);
    assert_eq!(read.holidays[0].name, "Наурыз мейрамы");
    assert!(read.holidays[0].closed);

    // Zones: names are unique per location, colours are checked.
    let zone = |name: &str, color: Option<&str>| ops::create_zone::Variables {
        input: ops::create_zone::CreateZoneInput {
            location_id: location.id.clone(),
            name: name.into(),
            description: None,
            color: color.map(Into::into),
            sort_order: None,
        },
    };
    let vip = manager
        .run::<ops::CreateZone>(zone("VIP", Some("#AA00FF")))
        .await
        .unwrap()
        .create_zone;
    assert_eq!(vip.color.as_deref(), Some("#aa00ff"));
    let err = manager
        .run::<ops::CreateZone>(zone("VIP", None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("CONFLICT"));
    let err = manager
        .run::<ops::CreateZone>(zone("PS5", Some("orange")))
        .await
        .unwrap_err();
    assert_eq!(err.errors()[0].field(), Some("input.color"));

    // Resources: a zone from another location is refused.
    let other = manager
        .run::<ops::CreateLocation>(ops::create_location::Variables {
            input: ops::create_location::CreateLocationInput {
                name: "Другая".into(),
                address: "Астана".into(),
                timezone: Some("Asia/Almaty".into()),
            },
        })
        .await
        .unwrap()
        .create_location;
    let pc =
        |location_id: &str, zone_id: Option<&str>, name: &str| ops::create_resource::Variables {
            input: ops::create_resource::CreateResourceInput {
                location_id: location_id.into(),
                zone_id: zone_id.map(Into::into),
                kind: ops::create_resource::ResourceKind::PC,
                name: name.into(),
                capacity: None,
                notes: None,
                sort_order: None,
            },
        };
    let err = manager
        .run::<ops::CreateResource>(pc(&other.id, Some(&vip.id), "PC-1"))
        .await
        .unwrap_err();
    assert_eq!(err.errors()[0].field(), Some("input.zoneId"));
    let pc1 = manager
        .run::<ops::CreateResource>(pc(&location.id, Some(&vip.id), "PC-1"))
        .await
        .unwrap()
        .create_resource;
    assert!(matches!(
        pc1.status,
        ops::create_resource::ResourceStatus::FREE
    ));
    assert_eq!(pc1.capacity, 1);

    // A zone with resources cannot be deleted; an empty one can.
    let err = manager
        .run::<ops::DeleteZone>(ops::delete_zone::Variables { id: vip.id.clone() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("CONFLICT"));
    manager
        .run::<ops::DeleteResource>(ops::delete_resource::Variables { id: pc1.id.clone() })
        .await
        .unwrap();
    manager
        .run::<ops::DeleteZone>(ops::delete_zone::Variables { id: vip.id.clone() })
        .await
        .unwrap();
    let err = operator
        .run::<ops::Resource>(ops::resource::Variables { id: pc1.id.clone() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NOT_FOUND"));

    // Deactivated locations leave the default list but stay readable.
    manager
        .run::<ops::UpdateLocation>(ops::update_location::Variables {
            id: other.id.clone(),
            input: ops::update_location::UpdateLocationInput {
                active: Some(false),
                name: None,
                address: None,
                timezone: None,
                slug: None,
            },
        })
        .await
        .unwrap();
    let listed = operator
        .run::<ops::Locations>(ops::locations::Variables {
            include_inactive: None,
            page: None,
        })
        .await
        .unwrap();
    assert_eq!(listed.locations.page_info.total, 1);

    // Every change is in the audit log, written by whoever made it.
    let actions = audit_actions(&owner, "location").await;
    for expected in [
        "location.create",
        "location.set_hours",
        "location.set_holiday",
        "location.update",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} not in {actions:?}"
        );
    }
    assert_eq!(
        audit_actions(&owner, "zone").await.len(),
        2,
        "zone.create and zone.delete"
    );
    assert_eq!(
        audit_actions(&owner, "resource").await.len(),
        2,
        "resource.create and resource.delete"
    );
    app.stop().await;
}

async fn next_update(
    stream: &mut clubgrid_tests::clubgrid_client::Subscription<
        ops::resource_status_changed::ResponseData,
    >,
) -> ops::resource_status_changed::ResourceStatusChangedResourceStatusChanged {
    tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("an update within 10 s")
        .expect("the stream is open")
        .expect("no error")
        .resource_status_changed
}

async fn live_map_subscription(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let system = Caller::system();
    let location = locations::create(
        &app.state,
        &system,
        types::CreateLocationInput {
            name: "Live".into(),
            address: "Алматы".into(),
            timezone: None,
        },
    )
    .await
    .unwrap();
    for n in 1..=3 {
        resources::create(
            &app.state,
            &system,
            types::CreateResourceInput {
                location_id: location.id.into(),
                zone_id: None,
                kind: ResourceKind::Pc,
                name: format!("PC-{n}"),
                capacity: None,
                notes: None,
                sort_order: Some(n),
            },
        )
        .await
        .unwrap();
    }
    let vars = || ops::resource_status_changed::Variables {
        location_id: location.id.to_string(),
    };

    // Signed-out and client callers are refused.
    let mut anonymous = app
        .client()
        .subscribe::<ops::ResourceStatusChanged>(vars())
        .await
        .unwrap();
    let err = anonymous.next().await.unwrap().unwrap_err();
    assert_eq!(err.code(), Some("UNAUTHENTICATED"));
    let client_role = app.as_role(Role::Client).await;
    let mut refused = client_role
        .subscribe::<ops::ResourceStatusChanged>(vars())
        .await
        .unwrap();
    assert_eq!(
        refused.next().await.unwrap().unwrap_err().code(),
        Some("FORBIDDEN")
    );

    let operator = app.as_role(Role::Operator).await;
    let mut live = operator
        .subscribe::<ops::ResourceStatusChanged>(vars())
        .await
        .unwrap();
    let first = next_update(&mut live).await;
    assert!(first.snapshot);
    assert_eq!(first.resources.len(), 3);

    // A change made by another user, through another request, reaches the subscriber.
    let tech = app.as_role(Role::Tech).await;
    let target = first.resources[1].id.clone();
    tech.run::<ops::SetResourceStatus>(ops::set_resource_status::Variables {
        id: target.clone(),
        status: ops::set_resource_status::ResourceStatus::OUT_OF_ORDER,
        note: Some("Сломан блок питания".into()),
    })
    .await
    .unwrap();
    let change = next_update(&mut live).await;
    assert!(!change.snapshot);
    assert_eq!(change.resources.len(), 1);
    assert_eq!(change.resources[0].id, target);
    assert!(matches!(
        change.resources[0].status,
        ops::resource_status_changed::ResourceStatus::OUT_OF_ORDER
    ));

    // Deletion is announced by id.
    let manager = app.as_role(Role::Manager).await;
    let gone = first.resources[2].id.clone();
    manager
        .run::<ops::DeleteResource>(ops::delete_resource::Variables { id: gone.clone() })
        .await
        .unwrap();
    let change = next_update(&mut live).await;
    assert_eq!(change.removed_ids, vec![gone]);

    // Events of another location do not leak in.
    let elsewhere = locations::create(
        &app.state,
        &system,
        types::CreateLocationInput {
            name: "Elsewhere".into(),
            address: "Астана".into(),
            timezone: None,
        },
    )
    .await
    .unwrap();
    zones::create(
        &app.state,
        &system,
        types::CreateZoneInput {
            location_id: elsewhere.id.into(),
            name: "Z".into(),
            description: None,
            color: None,
            sort_order: None,
        },
    )
    .await
    .unwrap();
    resources::create(
        &app.state,
        &system,
        types::CreateResourceInput {
            location_id: elsewhere.id.into(),
            zone_id: None,
            kind: ResourceKind::Console,
            name: "PS5-1".into(),
            capacity: Some(4),
            notes: None,
            sort_order: None,
        },
    )
    .await
    .unwrap();
    let quiet = tokio::time::timeout(Duration::from_millis(500), live.next()).await;
    assert!(quiet.is_err(), "an event of another location arrived");
    app.stop().await;
}

async fn nested_venue_query_costs_the_same_at_any_size(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let viewer = app.as_role(Role::ReadOnly).await;
    let system = Caller::system();
    let mut made = 0;
    let mut costs = Vec::new();
    for size in [1, 10, 100] {
        while made < size {
            made += 1;
            let location = locations::create(
                &app.state,
                &system,
                types::CreateLocationInput {
                    name: format!("L{made:03}"),
                    address: "—".into(),
                    timezone: None,
                },
            )
            .await
            .unwrap();
            let zone = zones::create(
                &app.state,
                &system,
                types::CreateZoneInput {
                    location_id: location.id.into(),
                    name: "Standard".into(),
                    description: None,
                    color: None,
                    sort_order: None,
                },
            )
            .await
            .unwrap();
            resources::create(
                &app.state,
                &system,
                types::CreateResourceInput {
                    location_id: location.id.into(),
                    zone_id: Some(zone.id.into()),
                    kind: ResourceKind::Pc,
                    name: "PC-1".into(),
                    capacity: None,
                    notes: None,
                    sort_order: None,
                },
            )
            .await
            .unwrap();
        }
        // A busy two-core host can split a batch now and then; the least of three runs is
        // the cost (an N+1 would grow with the size in every run).
        let mut cost = u64::MAX;
        let mut map = None;
        for _ in 0..3 {
            let before = app.statements();
            let got = viewer
                .run::<ops::VenueMap>(ops::venue_map::Variables {
                    page: Some(ops::venue_map::PageInput {
                        limit: Some(100),
                        offset: None,
                    }),
                })
                .await
                .unwrap();
            cost = cost.min(app.statements() - before);
            map = Some(got);
        }
        costs.push(cost);
        let map = map.unwrap();
        let resources: usize = map
            .locations
            .items
            .iter()
            .flat_map(|l| &l.zones)
            .map(|z| z.resources.len())
            .sum();
        assert_eq!(resources, size);
    }
    let least = clubgrid_tests::flat_statements("nested venue tree", &costs);
    // A checked token costs nothing (the test's sign-in made its first request): page count
    // and slice (2) + zones (1) + resources (1).
    assert_eq!(least, 4, "statements per request: {costs:?}");
    app.stop().await;
}

/// A list's total costs a statement of its own, spent only when `pageInfo { total }` is
/// selected; `hasMore` is right either way (one row is read past the page).
async fn a_page_counts_its_total_only_when_asked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let viewer = app.as_role(Role::ReadOnly).await;
    let system = Caller::system();
    for n in 1..=3 {
        locations::create(
            &app.state,
            &system,
            types::CreateLocationInput {
                name: format!("Страница {n}"),
                address: "—".into(),
                timezone: None,
            },
        )
        .await
        .unwrap();
    }
    let ask = |selection: &'static str, limit: i64, offset: i64| {
        let viewer = viewer.clone();
        let app = &app;
        async move {
            let query = format!(
                "query($limit: Int, $offset: Int) {{ locations(page: {{limit: $limit, offset: $offset}}) {{ items {{ name }} pageInfo {{ {selection} }} }} }}"
            );
            let before = app.statements();
            let answer = viewer
                .raw(
                    &query,
                    serde_json::json!({ "limit": limit, "offset": offset }),
                )
                .await
                .unwrap();
            assert!(answer.errors.is_empty(), "{:?}", answer.errors);
            let page = answer.data.unwrap()["locations"].clone();
            (app.statements() - before, page)
        }
    };
    // The first request checks the token; the rest find it cached.
    let (_, whole) = ask("total", 100, 0).await;
    let total = whole["pageInfo"]["total"].as_i64().unwrap();
    assert!(total >= 3, "{whole}");
    let names = |page: &serde_json::Value| page["items"].as_array().unwrap().len() as i64;
    assert_eq!(names(&whole), total);

    let (cost, page) = ask("total hasMore", 2, 0).await;
    assert_eq!(cost, 2, "a count and a slice");
    assert_eq!(page["pageInfo"]["total"].as_i64(), Some(total));
    assert_eq!(page["pageInfo"]["hasMore"], true);

    for (limit, offset, more) in [(2, 0, true), (total - 1, 1, false), (total, 0, false)] {
        let (cost, page) = ask("hasMore limit offset", limit, offset).await;
        assert_eq!(cost, 1, "a slice alone at limit {limit}, offset {offset}");
        assert_eq!(names(&page), limit.min(total - offset));
        assert_eq!(
            page["pageInfo"]["hasMore"], more,
            "limit {limit}, offset {offset}"
        );
        assert_eq!(page["pageInfo"]["limit"].as_i64(), Some(limit));
        assert_eq!(page["pageInfo"]["offset"].as_i64(), Some(offset));
    }
    let (cost, page) = ask("hasMore", 100, total).await;
    assert_eq!((cost, names(&page)), (1, 0));
    assert_eq!(page["pageInfo"]["hasMore"], false);
    app.stop().await;
}

/// The page of locations reads its zones and their resources ahead, side by side: what it
/// answers is what the zones' own batchers answer one location at a time (`location(id)`
/// does not read ahead), empty zones, zoneless resources and display order included, and it
/// costs no more statements.
async fn a_page_of_locations_reads_ahead_what_its_zones_would_read(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let viewer = app.as_role(Role::ReadOnly).await;
    let system = Caller::system();
    for (l, zone_count) in [("Альфа", 3), ("Бета", 0), ("Гамма", 1)] {
        let location = locations::create(
            &app.state,
            &system,
            types::CreateLocationInput {
                name: l.into(),
                address: "—".into(),
                timezone: None,
            },
        )
        .await
        .unwrap();
        let resource = |zone_id: Option<i64>, name: &str, sort_order: i32| {
            resources::create(
                &app.state,
                &system,
                types::CreateResourceInput {
                    location_id: location.id.into(),
                    zone_id: zone_id.map(Into::into),
                    kind: ResourceKind::Pc,
                    name: name.into(),
                    capacity: None,
                    notes: zone_id.is_none().then(|| "у окна".into()),
                    sort_order: Some(sort_order),
                },
            )
        };
        resource(None, &format!("{l} без зоны"), 1).await.unwrap();
        for z in 0..zone_count {
            let zone = zones::create(
                &app.state,
                &system,
                types::CreateZoneInput {
                    location_id: location.id.into(),
                    name: format!("{l} {z}"),
                    description: None,
                    color: None,
                    sort_order: Some(zone_count - z),
                },
            )
            .await
            .unwrap();
            // Zone 1 stays empty; the others get PCs out of display order.
            if z != 1 {
                for (name, order) in [("PC-3", 3), ("PC-1", 1), ("PC-2", 2), ("PC-0", 2)] {
                    resource(Some(zone.id), &format!("{z}-{name}"), order)
                        .await
                        .unwrap();
                }
            }
        }
    }
    const TREE: &str = "zones { name sortOrder resources { name sortOrder zoneId } }";
    let ask = |query: String| {
        let viewer = viewer.clone();
        async move {
            let answer = viewer.raw(&query, serde_json::json!({})).await.unwrap();
            assert!(answer.errors.is_empty(), "{:?}", answer.errors);
            answer.data.unwrap()
        }
    };
    ask("{ me { id } }".into()).await;
    let before = app.statements();
    let page = ask(format!(
        "{{ locations(page: {{limit: 100}}) {{ items {{ id {TREE} }} }} }}"
    ))
    .await;
    assert_eq!(
        app.statements() - before,
        3,
        "locations, zones and resources"
    );
    let items = page["locations"]["items"].as_array().unwrap();
    assert!(items.len() >= 3);
    for item in items {
        let one = ask(format!(
            "{{ location(id: \"{}\") {{ id {TREE} }} }}",
            item["id"].as_str().unwrap()
        ))
        .await;
        assert_eq!(&one["location"], item);
    }
    let alpha = items
        .iter()
        .find(|i| i["zones"].as_array().unwrap().len() == 3)
        .unwrap();
    let names = |zone: &serde_json::Value| -> Vec<String> {
        zone["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let zones = alpha["zones"].as_array().unwrap();
    assert_eq!(zones[0]["name"], "Альфа 2");
    assert_eq!(names(&zones[0]), ["2-PC-1", "2-PC-0", "2-PC-2", "2-PC-3"]);
    assert_eq!(names(&zones[1]), Vec::<String>::new());

    // Lists of resources whose selection is plain are built without the engine's per-field
    // futures (`plain::tests` shows which way a selection goes). The answer is the same as the
    // one to the same selection spelled with a directive, key order, aliases, fragments and
    // `__typename` included.
    let plain = "__typename id locationId zoneId kind name status capacity notes sortOrder \
                 createdAt updatedAt label: name ...Seat ... on Resource { status } ... { id }";
    let engine = plain.replace("capacity", "capacity @include(if: true)");
    let both = |selection: &str| {
        format!(
            "{{ locations(page: {{limit: 100}}) {{ items {{ resources {{ {selection} }} \
             zones {{ resources {{ {selection} }} }} }} }} }} fragment Seat on Resource {{ notes kind }}"
        )
    };
    // Compared as text: the same bytes, key order included.
    let text = |query: String| {
        let viewer = viewer.clone();
        async move {
            reqwest::Client::new()
                .post(format!("{}/graphql", viewer.base_url()))
                .bearer_auth(viewer.token().unwrap())
                .json(&serde_json::json!({ "query": query }))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let answer = text(both(plain)).await;
    assert_eq!(answer, text(both(&engine)).await);
    assert!(
        answer.contains(r#"{"__typename":"Resource","id":""#),
        "{answer}"
    );
    let fast: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert!(fast.get("errors").is_none(), "{answer}");
    let first = &fast["data"]["locations"]["items"][0]["resources"][0];
    assert_eq!(first["label"], first["name"]);
    assert!(
        fast.to_string().contains("у окна") && fast.to_string().contains("\"zoneId\":null"),
        "{fast}"
    );
    app.stop().await;
}

/// The long lists read zones and resources by position (`zone::Row`, `resource::Row`): every
/// field lands where reading by name puts it, nulls and enums included.
async fn rows_read_by_position_are_the_models(backend: Backend) {
    use entity::{resource, zone};

    let app = TestApp::spawn(backend).await;
    let system = Caller::system();
    let location = locations::create(
        &app.state,
        &system,
        types::CreateLocationInput {
            name: "Позиции".into(),
            address: "Алматы".into(),
            timezone: None,
        },
    )
    .await
    .unwrap();
    let mut zone_ids = Vec::new();
    for (name, description, color, sort_order) in [
        ("VIP", Some("Тихий зал"), Some("#112233"), Some(4)),
        ("Standart", None, None, None),
    ] {
        let zone = zones::create(
            &app.state,
            &system,
            types::CreateZoneInput {
                location_id: location.id.into(),
                name: name.into(),
                description: description.map(Into::into),
                color: color.map(Into::into),
                sort_order,
            },
        )
        .await
        .unwrap();
        zone_ids.push(zone.id);
    }
    for (zone_id, kind, name, capacity, notes, sort_order) in [
        (
            Some(zone_ids[0]),
            ResourceKind::Pc,
            "PC-01",
            None,
            Some("Новая мышь"),
            Some(9),
        ),
        (
            Some(zone_ids[1]),
            ResourceKind::Console,
            "PS5",
            Some(2),
            None,
            Some(3),
        ),
        (
            None,
            ResourceKind::Arena,
            "Арена",
            Some(20),
            Some("Лес"),
            None,
        ),
    ] {
        resources::create(
            &app.state,
            &system,
            types::CreateResourceInput {
                location_id: location.id.into(),
                zone_id: zone_id.map(Into::into),
                kind,
                name: name.into(),
                capacity,
                notes: notes.map(Into::into),
                sort_order,
            },
        )
        .await
        .unwrap();
    }
    let db = &app.state.db;
    let (by_name, by_position) =
        read_both_ways::<resource::Entity, resource::Row>(db, resource::Column::Id).await;
    assert_eq!(by_name.len(), 3);
    assert_eq!(by_position, by_name);
    let (by_name, by_position) =
        read_both_ways::<zone::Entity, zone::Row>(db, zone::Column::Id).await;
    assert_eq!(by_name.len(), 2);
    assert_eq!(by_position, by_name);
    app.stop().await;
}

/// Every row of `E` in `id` order, read by name and read by position as `R`.
async fn read_both_ways<E, R>(
    db: &sea_orm::DatabaseConnection,
    id: E::Column,
) -> (Vec<E::Model>, Vec<E::Model>)
where
    E: sea_orm::EntityTrait,
    R: sea_orm::TryGetableMany + Into<E::Model>,
{
    use sea_orm::QueryOrder;
    let by_name = E::find().order_by_asc(id).all(db).await.unwrap();
    let by_position = E::find()
        .order_by_asc(id)
        .into_tuple::<R>()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(Into::into)
        .collect();
    (by_name, by_position)
}
