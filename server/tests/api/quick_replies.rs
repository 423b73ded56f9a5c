//! Quick replies (G4, G5) through the API: supervisors write them, agents find them.

use crate::support::*;
use eventlog::testing::Backend;
use reqwest::Method;
use serde_json::json;

eventlog::on_both_backends!(
    supervisors_write_quick_replies_and_agents_find_them_by_shortcut_title_or_text_within_a_category,
);

async fn supervisors_write_quick_replies_and_agents_find_them_by_shortcut_title_or_text_within_a_category(
    backend: Backend,
) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let write = |body: serde_json::Value| app.send(&app.client, Method::POST, "/api/v1/quick-replies", body);
    let mut ids = Vec::new();
    for (shortcut, title, text, category) in [
        ("saludo", "Greeting", "¡Hola! ¿En qué te ayudo?", Some("Greetings")),
        ("despedida", "Goodbye", "Gracias por escribirnos. ¡Hasta pronto!", Some("greetings")),
        ("factura", "Where is my invoice", "Tu factura llega por e-mail el día 5 de cada mes.", Some("Billing")),
        ("horario", "Opening hours", "Abrimos de 9 a 18 h.", None),
    ] {
        let created = write(json!({ "shortcut": shortcut, "title": title, "text": text, "category": category })).await;
        assert_eq!(created.status(), 201, "{shortcut}");
        ids.push(created.json::<serde_json::Value>().await.unwrap()["quick_reply_id"].as_str().unwrap().to_string());
    }
    let find = |query: &str| {
        let (client, url) = (ana.client.clone(), format!("{}/api/v1/quick-replies{query}", app.address));
        async move {
            let found: Vec<serde_json::Value> = client.get(url).send().await.unwrap().json().await.unwrap();
            found.iter().map(|r| r["shortcut"].as_str().unwrap().to_string()).collect::<Vec<_>>()
        }
    };
    let all = eventually("the four replies", || find(""), |found| found.len() == 4).await;
    assert_eq!(all, ["despedida", "factura", "horario", "saludo"]);
    // By shortcut (the `/` an agent types is the shortcut's sign), by title, by text, any case.
    assert_eq!(find("?q=/sal").await, ["saludo"]);
    assert_eq!(find("?q=INVOICE").await, ["factura"]);
    assert_eq!(find("?q=pronto").await, ["despedida"]);
    // A shortcut that starts with the words comes before one that only holds them.
    assert_eq!(find("?q=d").await.first().map(String::as_str), Some("despedida"));
    // A category, whatever its case; `%` and `_` are words, not patterns.
    assert_eq!(find("?category=GREETINGS").await, ["despedida", "saludo"]);
    assert_eq!(find("?q=invoice&category=billing").await, ["factura"]);
    assert_eq!(find("?q=hola&category=billing").await, Vec::<String>::new());
    assert_eq!(find("?q=%25").await, Vec::<String>::new());
    let categories = app.get_json(&ana.client, "/api/v1/quick-replies/categories").await;
    assert_eq!(categories, json!(["Billing", "Greetings"]));

    // Rewritten and retired by a supervisor; agents only read.
    let one = format!("/api/v1/quick-replies/{}", ids[0]);
    let rewrite = json!({ "shortcut": "hola", "title": "Greeting", "text": "¡Buenas!", "category": "Greetings" });
    assert_eq!(app.send(&ana.client, Method::PUT, &one, rewrite.clone()).await.status(), 403);
    assert_eq!(app.send(&app.client, Method::PUT, &one, rewrite).await.status(), 204);
    eventually("the rewrite", || find("?q=buenas"), |found| found == &["hola"]).await;
    assert_eq!(
        app.send(&app.client, Method::DELETE, &format!("/api/v1/quick-replies/{}", ids[3]), json!(null)).await.status(),
        204
    );
    eventually("the retirement", || find(""), |found| found.len() == 3).await;
    assert_eq!(
        app.send(&app.client, Method::DELETE, &format!("/api/v1/quick-replies/{}", ids[3]), json!(null)).await.status(),
        404
    );
    let agents_own = json!({ "shortcut": "mine", "title": "Mine", "text": "x" });
    assert_eq!(app.send(&ana.client, Method::POST, "/api/v1/quick-replies", agents_own).await.status(), 403);
    // What would not work is refused with the reason.
    for bad in [
        json!({ "shortcut": "two words", "title": "t", "text": "x" }),
        json!({ "shortcut": "ok", "title": "", "text": "x" }),
        json!({ "shortcut": "ok", "title": "t", "text": "x", "category": "c".repeat(41) }),
    ] {
        assert_eq!(write(bad.clone()).await.status(), 422, "{bad}");
    }
    // Another company's supervisor neither sees nor changes them.
    let other = app.other_company().await;
    let theirs: Vec<serde_json::Value> =
        other.get(format!("{}/api/v1/quick-replies", app.address)).send().await.unwrap().json().await.unwrap();
    assert!(theirs.is_empty());
    let taken = other
        .put(format!("{}{one}", app.address))
        .json(&json!({ "shortcut": "x", "title": "x", "text": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(taken.status(), 404);
}
