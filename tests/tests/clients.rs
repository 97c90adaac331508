//! The client record end to end: phones and duplicates, search, merge, Excel import and
//! export, and the statement count of a client list with its interactions.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::{Engine, engine::general_purpose::STANDARD};
use calamine::{Data, Reader, Xlsx};
use clubgrid_api::{
    auth::actor::Caller,
    clients::{fields::RawFields, service},
    pipeline::interactions::{self, NewInteraction},
};
use clubgrid_tests::{
    Backend, TestApp, audit_filter, both_backends, client_filter,
    clubgrid_client::{Client, ops},
};
use entity::enums::{InteractionKind, Role};

both_backends!(
    phones_are_normalised_and_never_shared,
    one_search_box_finds_any_part,
    merge_moves_everything_to_the_kept_record,
    import_reports_every_row_and_a_dry_run_writes_nothing,
    malformed_files_are_refused_whole,
    import_finds_the_header_below_titles_and_names_every_problem,
    export_opens_back_with_the_filtered_clients,
    client_list_with_interactions_costs_the_same_at_any_size,
    an_archived_client_leaves_searches_and_the_audit_says_who,
);

fn create_input() -> ops::create_client::CreateClientInput {
    ops::create_client::CreateClientInput {
        last_name: None,
        first_name: None,
        patronymic: None,
        phone: None,
        phone2: None,
        email: None,
        telegram_id: None,
        telegram_username: None,
        birth_date: None,
        source_id: None,
        notes: None,
        discount_percent: None,
        tags: None,
    }
}

fn update_input() -> ops::update_client::UpdateClientInput {
    ops::update_client::UpdateClientInput {
        last_name: None,
        first_name: None,
        patronymic: None,
        phone: None,
        phone2: None,
        email: None,
        telegram_id: None,
        telegram_username: None,
        birth_date: None,
        source_id: None,
        notes: None,
        discount_percent: None,
        tags: None,
    }
}

fn new_client(first: &str, last: &str, phone: Option<&str>) -> ops::create_client::Variables {
    ops::create_client::Variables {
        input: ops::create_client::CreateClientInput {
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            phone: phone.map(Into::into),
            ..create_input()
        },
    }
}

async fn search(client: &Client, text: &str) -> Vec<String> {
    let vars = ops::clients::Variables {
        filter: Some(ops::clients::ClientFilter {
            search: Some(text.into()),
            ..client_filter()
        }),
        sort: None,
        page: None,
    };
    let page = client.run::<ops::Clients>(vars).await.unwrap().clients;
    page.items.into_iter().map(|c| c.display_name).collect()
}

async fn total_clients(client: &Client) -> i64 {
    let vars = ops::clients::Variables {
        filter: Some(ops::clients::ClientFilter {
            include_inactive: Some(true),
            has_debt: None,
            ..client_filter()
        }),
        sort: None,
        page: None,
    };
    client
        .run::<ops::Clients>(vars)
        .await
        .unwrap()
        .clients
        .page_info
        .total
}

async fn phones_are_normalised_and_never_shared(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let operator = app.as_role(Role::Operator).await;
    let anna = operator
        .run::<ops::CreateClient>(new_client("Анна", "Ким", Some("8 (701) 123-45-67")))
        .await
        .unwrap()
        .create_client;
    assert_eq!(anna.phone.as_deref(), Some("+77011234567"));
    assert_eq!(anna.display_name, "Ким Анна");

    // The same number in another spelling belongs to Anna: refused, naming her.
    for spelling in ["7011234567", "+7 701 123 45 67"] {
        let err = operator
            .run::<ops::CreateClient>(new_client("Другая", "Анна", Some(spelling)))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("CONFLICT"));
        let message = &err.errors()[0].message;
        assert!(
            message.contains("Ким Анна") && message.contains(&anna.id),
            "{message}"
        );
    }
    // Nor may it be someone's second phone.
    let boris = operator
        .run::<ops::CreateClient>(new_client("Борис", "Ли", Some("+77029998877")))
        .await
        .unwrap()
        .create_client;
    let err = operator
        .run::<ops::UpdateClient>(ops::update_client::Variables {
            id: boris.id.clone(),
            input: ops::update_client::UpdateClientInput {
                phone2: Some("87011234567".into()),
                ..update_input()
            },
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("CONFLICT"));

    // Bad input names the field.
    let err = operator
        .run::<ops::CreateClient>(new_client("Вера", "Цой", Some("12-34")))
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.errors()[0].field()),
        (Some("VALIDATION"), Some("input.phone"))
    );
    let mut bad_email = new_client("Вера", "Цой", None);
    bad_email.input.email = Some("vera@".into());
    let err = operator
        .run::<ops::CreateClient>(bad_email)
        .await
        .unwrap_err();
    assert_eq!(err.errors()[0].field(), Some("input.email"));

    // Tags are folded and deduplicated; a tech may not create clients.
    let updated = operator
        .run::<ops::UpdateClient>(ops::update_client::Variables {
            id: boris.id.clone(),
            input: ops::update_client::UpdateClientInput {
                tags: Some(vec!["VIP".into(), " vip ".into(), "Студент".into()]),
                patronymic: Some("Сергеевич".into()),
                ..update_input()
            },
        })
        .await
        .unwrap()
        .update_client;
    assert_eq!(updated.tags, vec!["vip", "студент"]);
    assert_eq!(updated.display_name, "Ли Борис Сергеевич");
    let tech = app.as_role(Role::Tech).await;
    let err = tech
        .run::<ops::CreateClient>(new_client("Х", "Y", None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("FORBIDDEN"));
    app.stop().await;
}

async fn one_search_box_finds_any_part(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let manager = app.as_role(Role::Manager).await;
    let mut anna = new_client("Анна", "Ёлкина", Some("+77011234567"));
    anna.input.patronymic = Some("Петровна".into());
    anna.input.email = Some("Anna.Elkina@Mail.kz".into());
    anna.input.birth_date = Some("1990-03-08".into());
    anna.input.tags = Some(vec!["абонемент".into()]);
    manager.run::<ops::CreateClient>(anna).await.unwrap();
    let mut ivan = new_client("Иван", "Петров", Some("+77021112233"));
    ivan.input.telegram_username = Some("@Ivan_Petrov".into());
    manager.run::<ops::CreateClient>(ivan).await.unwrap();
    manager
        .run::<ops::CreateClient>(new_client("John", "Smith", Some("+998901234567")))
        .await
        .unwrap();

    let anna = vec!["Ёлкина Анна Петровна".to_owned()];
    for query in [
        "ёлкина",
        "ЕЛКИНА",
        "лкин",
        "анна петр",
        "mail.kz",
        "701 123",
        "8 (701) 123-45-67",
        "8701",
    ] {
        assert_eq!(search(&manager, query).await, anna, "{query}");
    }
    assert_eq!(search(&manager, "ivan_pet").await, vec!["Петров Иван"]);
    assert_eq!(search(&manager, "SMITH").await, vec!["Smith John"]);
    assert_eq!(search(&manager, "99890").await, vec!["Smith John"]);
    // "петр" is in Anna's patronymic and Ivan's surname.
    assert_eq!(search(&manager, "петр").await.len(), 2);
    assert!(search(&manager, "nobody").await.is_empty());
    // Wildcards are literal.
    assert!(search(&manager, "%").await.is_empty());

    let filtered = |filter: ops::clients::ClientFilter| {
        let manager = manager.clone();
        async move {
            let vars = ops::clients::Variables {
                filter: Some(filter),
                sort: Some(ops::clients::ClientSort::NAME),
                page: None,
            };
            manager
                .run::<ops::Clients>(vars)
                .await
                .unwrap()
                .clients
                .items
                .len()
        }
    };
    assert_eq!(
        filtered(ops::clients::ClientFilter {
            tag: Some("Абонемент".into()),
            ..client_filter()
        })
        .await,
        1
    );
    assert_eq!(
        filtered(ops::clients::ClientFilter {
            birthday_month: Some(3),
            ..client_filter()
        })
        .await,
        1
    );
    assert_eq!(
        filtered(ops::clients::ClientFilter {
            birthday_month: Some(4),
            ..client_filter()
        })
        .await,
        0
    );
    let vars = ops::clients::Variables {
        filter: Some(ops::clients::ClientFilter {
            birthday_month: Some(13),
            ..client_filter()
        }),
        sort: None,
        page: None,
    };
    let err = manager.run::<ops::Clients>(vars).await.unwrap_err();
    assert_eq!(err.errors()[0].field(), Some("filter.birthdayMonth"));

    // Paging keeps the total.
    let vars = ops::clients::Variables {
        filter: None,
        sort: Some(ops::clients::ClientSort::NAME),
        page: Some(ops::clients::PageInput {
            limit: Some(2),
            offset: Some(2),
        }),
    };
    let page = manager.run::<ops::Clients>(vars).await.unwrap().clients;
    assert_eq!(
        (
            page.items.len(),
            page.page_info.total,
            page.page_info.has_more
        ),
        (1, 3, false)
    );
    app.stop().await;
}

async fn merge_moves_everything_to_the_kept_record(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let manager = app.as_role(Role::Manager).await;
    let mut keep = new_client("Дана", "Оспанова", Some("+77010000001"));
    keep.input.tags = Some(vec!["vip".into()]);
    let keep = manager
        .run::<ops::CreateClient>(keep)
        .await
        .unwrap()
        .create_client;
    let mut dup = new_client("Дана", "Оспанова", Some("+77010000002"));
    dup.input.email = Some("dana@example.kz".into());
    dup.input.tags = Some(vec!["студент".into(), "vip".into()]);
    let dup = manager
        .run::<ops::CreateClient>(dup)
        .await
        .unwrap()
        .create_client;
    for text in ["Звонок 1", "Звонок 2"] {
        manager
            .run::<ops::LogInteraction>(ops::log_interaction::Variables {
                input: ops::log_interaction::LogInteractionInput {
                    client_id: dup.id.clone(),
                    kind: ops::log_interaction::InteractionKind::CALL,
                    channel: None,
                    direction: None,
                    text: text.into(),
                    at: None,
                    next_contact_at: None,
                    next_contact_user_id: None,
                },
            })
            .await
            .unwrap();
    }
    let vars = |d: &str, k: &str| ops::merge_clients::Variables {
        duplicate_id: d.into(),
        keep_id: k.into(),
    };
    let err = manager
        .run::<ops::MergeClients>(vars(&keep.id, &keep.id))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("VALIDATION"));
    let merged = manager
        .run::<ops::MergeClients>(vars(&dup.id, &keep.id))
        .await
        .unwrap()
        .merge_clients;
    assert_eq!(merged.phone2.as_deref(), Some("+77010000002"));
    assert_eq!(merged.email.as_deref(), Some("dana@example.kz"));
    assert_eq!(merged.tags, vec!["vip", "студент"]);

    let read = manager
        .run::<ops::Client>(ops::client::Variables {
            id: keep.id.clone(),
        })
        .await
        .unwrap()
        .client;
    assert_eq!(read.recent_interactions.len(), 2);
    let gone = manager
        .run::<ops::Client>(ops::client::Variables { id: dup.id.clone() })
        .await
        .unwrap()
        .client;
    assert!(!gone.client_fields.active);
    assert_eq!(
        gone.client_fields.merged_into_id.as_deref(),
        Some(keep.id.as_str())
    );
    assert_eq!(gone.client_fields.phone, None);
    // The duplicate's number now finds the kept record, and merging twice is refused.
    assert_eq!(search(&manager, "0000002").await, vec!["Оспанова Дана"]);
    let err = manager
        .run::<ops::MergeClients>(vars(&dup.id, &keep.id))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("CONFLICT"));
    // Operators may not merge.
    let operator = app.as_role(Role::Operator).await;
    assert_eq!(
        operator
            .run::<ops::MergeClients>(vars(&dup.id, &keep.id))
            .await
            .unwrap_err()
            .code(),
        Some("FORBIDDEN")
    );
    app.stop().await;
}

/// An .xlsx with Russian headers and one row per import outcome.
fn sample_xlsx() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows: &[[&str; 6]] = &[
        [
            "ФИО",
            "Телефон",
            "Email",
            "Дата рождения",
            "Откуда узнал",
            "Теги",
        ],
        [
            "Сидорова Мария Ивановна",
            "8 701 777 66 55",
            "maria@mail.kz",
            "12.05.1992",
            "Instagram",
            "йога",
        ],
        ["Ким Анна", "+77011234567", "anna@mail.kz", "", "", ""],
        ["Ким Анна", "87011234567", "", "", "", ""],
        ["Сидорова Мария", "+77017776655", "", "", "", ""],
        ["Без Телефона", "12", "", "", "", ""],
        ["Плохая Дата", "+77019990000", "", "32.13.2001", "", ""],
        ["Новый Клиент", "", "new@mail.kz", "", "Друзья", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

async fn import(
    client: &Client,
    bytes: Vec<u8>,
    name: &str,
    dry_run: bool,
) -> Result<
    ops::import_clients::ImportClientsImportClients,
    clubgrid_tests::clubgrid_client::ClientError,
> {
    let vars = ops::import_clients::Variables {
        file: serde_json::Value::Null,
        dry_run: Some(dry_run),
    };
    client
        .upload::<ops::ImportClients>(vars, "file", name, bytes)
        .await
        .map(|r| r.import_clients)
}

async fn import_reports_every_row_and_a_dry_run_writes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let manager = app.as_role(Role::Manager).await;
    // Already on file, without an e-mail: the import adds it.
    manager
        .run::<ops::CreateClient>(new_client("Анна", "Ким", Some("+77011234567")))
        .await
        .unwrap();

    let dry = import(&manager, sample_xlsx(), "clients.xlsx", true)
        .await
        .unwrap();
    assert!(dry.dry_run);
    assert_eq!(
        (dry.total, dry.created, dry.updated, dry.skipped, dry.failed),
        (7, 2, 1, 2, 2)
    );
    assert_eq!(total_clients(&manager).await, 1, "a dry run wrote nothing");

    let report = import(&manager, sample_xlsx(), "clients.xlsx", false)
        .await
        .unwrap();
    assert_eq!(
        (
            report.created,
            report.updated,
            report.skipped,
            report.failed
        ),
        (2, 1, 2, 2)
    );
    assert!(report.columns.contains(&"ФИО".to_owned()));
    let by_row = |n: i64| report.rows.iter().find(|r| r.row == n).unwrap();
    use ops::import_clients::ImportOutcome::*;
    assert!(matches!(by_row(2).outcome, CREATED));
    assert!(matches!(by_row(3).outcome, UPDATED));
    assert!(matches!(by_row(4).outcome, SKIPPED));
    assert!(matches!(by_row(5).outcome, SKIPPED));
    assert!(by_row(5).message.as_deref().unwrap().contains("строки 2"));
    assert!(matches!(by_row(6).outcome, ERROR));
    assert_eq!(by_row(6).column.as_deref(), Some("Телефон"));
    assert_eq!(by_row(7).column.as_deref(), Some("Дата рождения"));
    assert!(matches!(by_row(8).outcome, CREATED));
    assert_eq!(total_clients(&manager).await, 3);

    // What was imported is as the file said.
    let maria = search(&manager, "сидорова").await;
    assert_eq!(maria, vec!["Сидорова Мария Ивановна"]);
    let vars = ops::clients::Variables {
        filter: Some(ops::clients::ClientFilter {
            search: Some("сидорова".into()),
            ..client_filter()
        }),
        sort: None,
        page: None,
    };
    let maria = manager
        .run::<ops::Clients>(vars)
        .await
        .unwrap()
        .clients
        .items
        .remove(0);
    assert_eq!(maria.phone.as_deref(), Some("+77017776655"));
    assert_eq!(maria.birth_date.as_deref(), Some("1992-05-12"));
    assert_eq!(maria.source.map(|s| s.name).as_deref(), Some("Instagram"));
    assert_eq!(maria.tags, vec!["йога"]);
    let anna = search(&manager, "anna@mail.kz").await;
    assert_eq!(anna, vec!["Ким Анна"]);

    // The same file again changes nothing.
    let again = import(&manager, sample_xlsx(), "clients.xlsx", false)
        .await
        .unwrap();
    assert_eq!((again.created, again.updated), (0, 0), "{:?}", again.rows);

    // CSV with English headers works too.
    let csv = "Last name,First name,Phone\nBrown,Alice,+77015550001\n"
        .as_bytes()
        .to_vec();
    let csv_report = import(&manager, csv, "clients.csv", false).await.unwrap();
    assert_eq!(csv_report.created, 1);
    app.stop().await;
}

async fn import_finds_the_header_below_titles_and_names_every_problem(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let manager = app.as_role(Role::Manager).await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write(0, 0, "Список клиентов на 01.11.2026").unwrap();
    for (c, h) in ["ФИО", "Телефон", "Email", "Дата рождения"]
        .iter()
        .enumerate()
    {
        ws.write(2, c as u16, *h).unwrap();
    }
    for (c, v) in ["Петров Пётр", "+77011230001", "", ""].iter().enumerate() {
        ws.write(3, c as u16, *v).unwrap();
    }
    // Three problems in one row: a phone, an e-mail and a date.
    for (c, v) in ["Козлов Олег", "+7 701 123", "oleg@", "31.02.1990"]
        .iter()
        .enumerate()
    {
        ws.write(4, c as u16, *v).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let report = import(&manager, bytes, "clients.xlsx", false)
        .await
        .unwrap();
    assert_eq!((report.created, report.failed), (1, 1));
    let bad = report.rows.iter().find(|r| r.row == 5).unwrap();
    let message = bad.message.as_deref().unwrap();
    for column in ["Телефон", "Email", "Дата рождения"] {
        assert!(message.contains(column), "{column} missing from {message}");
    }
    app.stop().await;
}

async fn malformed_files_are_refused_whole(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let manager = app.as_role(Role::Manager).await;
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01".to_vec();
    let cases: [(Vec<u8>, &str, &str); 3] = [
        (png, "photo.xlsx", "not an .xlsx or .csv"),
        (b"\xef\xbb\xbf".to_vec(), "empty.csv", "no client rows"),
        (b"Foo;Bar\n1;2\n".to_vec(), "odd.csv", "no known columns"),
    ];
    for (bytes, name, says) in cases {
        let err = import(&manager, bytes, name, false).await.unwrap_err();
        assert_eq!(
            (err.code(), err.errors()[0].field()),
            (Some("VALIDATION"), Some("file")),
            "{name}"
        );
        assert!(
            err.errors()[0].message_en().unwrap().contains(says),
            "{name}: {err}"
        );
    }
    assert_eq!(total_clients(&manager).await, 0);
    // An operator may not import at all.
    let operator = app.as_role(Role::Operator).await;
    let err = import(&operator, sample_xlsx(), "clients.xlsx", false)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("FORBIDDEN"));
    app.stop().await;
}

async fn export_opens_back_with_the_filtered_clients(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let manager = app.as_role(Role::Manager).await;
    for (i, name) in ["Алия", "Бахыт", "Гульнара"].iter().enumerate() {
        let mut vars = new_client(name, "Тест", Some(&format!("+7701000100{i}")));
        vars.input.birth_date = Some("1995-01-31".into());
        vars.input.tags = Some(if i < 2 {
            vec!["экспорт".into()]
        } else {
            vec![]
        });
        manager.run::<ops::CreateClient>(vars).await.unwrap();
    }
    let file = manager
        .run::<ops::ExportClients>(ops::export_clients::Variables {
            filter: Some(ops::export_clients::ClientFilter {
                search: None,
                tag: Some("экспорт".into()),
                source_id: None,
                stage_id: None,
                birthday_month: None,
                last_visit_before: None,
                last_visit_after: None,
                created_from: None,
                created_to: None,
                include_inactive: None,
                has_debt: None,
            }),
            sort: Some(ops::export_clients::ClientSort::NAME),
        })
        .await
        .unwrap()
        .export_clients;
    assert_eq!(file.rows, 2);
    assert!(file.filename.ends_with(".xlsx"));
    let bytes = STANDARD.decode(file.data_base64).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 3, "a header and two clients: {rows:?}");
    assert_eq!(&rows[0][1..5], ["Фамилия", "Имя", "Отчество", "Телефон"]);
    assert_eq!(rows[1][2], "Алия");
    assert_eq!(rows[2][2], "Бахыт");
    assert_eq!(rows[1][4], "+77010001000");
    assert!(rows[1].iter().any(|c| c == "экспорт"));

    // The export is in the audit log; operators may not export.
    let owner = app.as_role(Role::Owner).await;
    let log = owner
        .run::<ops::AuditLog>(ops::audit_log::Variables {
            filter: Some(ops::audit_log::AuditFilter {
                action: Some("client.export".into()),
                ..audit_filter()
            }),
            page: None,
        })
        .await
        .unwrap();
    assert_eq!(log.audit_log.page_info.total, 1);
    let operator = app.as_role(Role::Operator).await;
    let err = operator
        .run::<ops::ExportClients>(ops::export_clients::Variables {
            filter: None,
            sort: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("FORBIDDEN"));
    app.stop().await;
}

async fn client_list_with_interactions_costs_the_same_at_any_size(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let viewer = app.as_role(Role::ReadOnly).await;
    let system = Caller::system();
    let source = service::source_named(&app.state.db, "Instagram")
        .await
        .unwrap();
    let mut made = 0;
    let mut costs = Vec::new();
    for size in [1, 10, 100] {
        while made < size {
            made += 1;
            let fields = RawFields {
                first_name: Some(format!("Клиент {made}")),
                phone: Some(format!("+7702{made:07}")),
                source_id: Some(source.id),
                tags: vec!["a".into(), "b".into()],
                ..RawFields::default()
            }
            .check("input.")
            .unwrap();
            let client = service::create(&app.state, &system, fields).await.unwrap();
            for text in ["звонок", "сообщение"] {
                let new = NewInteraction {
                    client_id: client.id,
                    kind: InteractionKind::Call,
                    channel: None,
                    direction: None,
                    text: text.into(),
                    at: None,
                    next_contact_at: None,
                    next_contact_user_id: None,
                };
                interactions::record(&app.state, &system, new)
                    .await
                    .unwrap();
            }
        }
        let before = app.statements();
        let page = viewer
            .run::<ops::ClientsWithInteractions>(ops::clients_with_interactions::Variables {
                filter: None,
                page: Some(ops::clients_with_interactions::PageInput {
                    limit: Some(100),
                    offset: None,
                }),
            })
            .await
            .unwrap()
            .clients;
        costs.push(app.statements() - before);
        assert_eq!(page.items.len(), size);
        assert!(
            page.items
                .iter()
                .all(|c| c.recent_interactions.len() == 2 && c.tags.len() == 2)
        );
    }
    clubgrid_tests::flat_statements("client list with interactions and tags", &costs);
    app.stop().await;
}

async fn an_archived_client_leaves_searches_and_the_audit_says_who(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let manager = app.as_role(Role::Manager).await;
    let client = manager
        .run::<ops::CreateClient>(new_client("Пётр", "Удалов", Some("+77010000099")))
        .await
        .unwrap()
        .create_client;
    let archive = "mutation($id: ID!) { archiveClient(id: $id) { id active } }";
    let vars = serde_json::json!({ "id": client.id });
    // Read-only staff may not; a manager may, and twice changes nothing.
    let read_only = app.as_role(Role::ReadOnly).await;
    let refused = read_only.raw(archive, vars.clone()).await.unwrap();
    assert_eq!(refused.errors[0].code(), Some("FORBIDDEN"));
    for _ in 0..2 {
        let done = manager.raw(archive, vars.clone()).await.unwrap();
        assert!(done.errors.is_empty(), "{:?}", done.errors);
        assert_eq!(done.data.unwrap()["archiveClient"]["active"], false);
    }
    let found = manager
        .run::<ops::Clients>(ops::clients::Variables {
            filter: Some(ops::clients::ClientFilter {
                search: Some("0000099".into()),
                ..client_filter()
            }),
            sort: None,
            page: None,
        })
        .await
        .unwrap()
        .clients;
    assert_eq!(found.page_info.total, 0);
    let owner = app.as_role(Role::Owner).await;
    let log = owner
        .run::<ops::AuditLog>(ops::audit_log::Variables {
            filter: Some(ops::audit_log::AuditFilter {
                action: Some("client.archive".into()),
                ..audit_filter()
            }),
            page: None,
        })
        .await
        .unwrap();
    assert_eq!(log.audit_log.page_info.total, 1);
    app.stop().await;
}
