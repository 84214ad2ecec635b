//! The actix-web CSRF middleware's newer answers: WebSocket handshakes from
//! another site, the refusal's reason in the response extensions, and the
//! markup helpers and logging out.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

mod common;
use common::{header, local};

use actix_web::test::{call_service, init_service, read_body, TestRequest};
use actix_web::{web, App, HttpResponse};
use rampart_actix::core::csrf::Csrf;
use rampart_actix::{CsrfMiddleware, CsrfToken};

/// Cross-site WebSocket hijacking, as with the Tower layer: a handshake whose
/// Origin is another site's gets 403 before the handler; the app's own passes.
#[actix_web::test]
async fn websocket_handshakes_from_another_site_are_refused() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let app = init_service(
        App::new()
            .route(
                "/ws",
                web::get().to(move || {
                    let h = h.clone();
                    async move {
                        h.fetch_add(1, Ordering::SeqCst);
                        HttpResponse::Ok().body("handshake reached the handler")
                    }
                }),
            )
            .wrap(CsrfMiddleware::new(
                Csrf::builder().key(&[5; 32]).build().unwrap(),
            )),
    )
    .await;
    let handshake = |origin: &str| {
        local(
            TestRequest::get()
                .uri("/ws")
                .insert_header(("upgrade", "websocket"))
                .insert_header(("connection", "Upgrade"))
                .insert_header(("origin", origin.to_string())),
        )
        .to_request()
    };
    let res = call_service(&app, handshake("https://evil.example")).await;
    assert_eq!(res.status(), 403);
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    // `local` serves it as http://localhost:8000.
    let res = call_service(&app, handshake("http://localhost:8000")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

/// As with the Tower layer: the refusal's `RejectReason` is in actix's
/// response extensions, for outer middleware and custom error pages.
#[actix_web::test]
async fn the_reason_travels_with_the_refusal() {
    use rampart_actix::core::csrf::RejectReason;
    let app = init_service(
        App::new()
            .route(
                "/submit",
                web::post().to(|| async { HttpResponse::Ok().finish() }),
            )
            .wrap(CsrfMiddleware::new(
                Csrf::builder().key(&[5; 32]).build().unwrap(),
            )),
    )
    .await;
    let req = local(
        TestRequest::post()
            .uri("/submit")
            .insert_header(("sec-fetch-site", "cross-site")),
    )
    .to_request();
    let res = call_service(&app, req).await;
    assert_eq!(res.status(), 403);
    assert_eq!(
        res.response().extensions().get::<RejectReason>(),
        Some(&RejectReason::CrossOrigin)
    );
}

/// As with the axum extractor: the markup helpers render escaped markup
/// whose token verifies, and logging out clears the site's data.
#[actix_web::test]
async fn markup_helpers_and_log_out() {
    let app = init_service(
        App::new()
            .route(
                "/page",
                web::get().to(|t: CsrfToken| async move {
                    HttpResponse::Ok().body(format!("{}\n{}", t.meta_tag(), t.hx_headers()))
                }),
            )
            .route(
                "/logout",
                web::post().to(|t: CsrfToken| async move {
                    t.log_out(true);
                    HttpResponse::Ok().body("bye")
                }),
            )
            .wrap(CsrfMiddleware::new(
                Csrf::builder().key(&[5; 32]).build().unwrap(),
            )),
    )
    .await;
    let res = call_service(&app, local(TestRequest::get().uri("/page")).to_request()).await;
    let cookie = header(&res, "set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = String::from_utf8(read_body(res).await.to_vec()).unwrap();
    assert!(page.contains(r#"hx-headers='{"X-CSRFToken":""#), "{page}");
    let token = page
        .split(r#"<meta name="csrf-token" content=""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let req = local(
        TestRequest::post()
            .uri("/logout")
            .insert_header(("cookie", cookie))
            .insert_header(("x-csrftoken", token)),
    )
    .to_request();
    let res = call_service(&app, req).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "clear-site-data").as_deref(),
        Some("\"cookies\", \"storage\"")
    );
    assert!(header(&res, "set-cookie").unwrap().starts_with("csrf="));
}

/// A handshake on a route protected by pattern (include-only mode) is
/// checked on actix too: the middleware asks for the matched route of a
/// handshake, not only of unsafe methods.
#[actix_web::test]
async fn a_handshake_on_an_included_route_is_checked() {
    let csrf = Csrf::builder()
        .key(&[5; 32])
        .include_only()
        .include_route("/ws")
        .build()
        .unwrap();
    let app = init_service(
        App::new()
            .route(
                "/ws",
                web::get().to(|| async { HttpResponse::Ok().body("reached") }),
            )
            .wrap(CsrfMiddleware::new(csrf)),
    )
    .await;
    let req = local(
        TestRequest::get()
            .uri("/ws")
            .insert_header(("upgrade", "websocket"))
            .insert_header(("origin", "https://evil.example")),
    )
    .to_request();
    assert_eq!(call_service(&app, req).await.status(), 403);
}

/// As with the Tower layers: a renamed JS-readable cookie listed as
/// script-readable gets no `HttpOnly` from the secure headers middleware.
#[actix_web::test]
async fn a_renamed_js_cookie_stays_readable_by_script() {
    use rampart_actix::core::headers::{CookieHardening, SecureHeaders};
    use rampart_actix::SecureHeadersMiddleware;
    let csrf = Csrf::builder()
        .key(&[5; 32])
        .js_readable_cookie(true)
        .js_cookie_name("XSRF-TOKEN")
        .build()
        .unwrap();
    let headers = SecureHeaders::builder()
        .cookies(CookieHardening::default().script_readable("XSRF-TOKEN"))
        .build()
        .unwrap();
    let app = init_service(
        App::new()
            .route(
                "/page",
                web::get().to(|t: CsrfToken| async move { HttpResponse::Ok().body(t.masked()) }),
            )
            .wrap(CsrfMiddleware::new(csrf))
            .wrap(SecureHeadersMiddleware::new(headers)),
    )
    .await;
    let res = call_service(&app, local(TestRequest::get().uri("/page")).to_request()).await;
    let cookies: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let js = cookies
        .iter()
        .find(|c| c.starts_with("XSRF-TOKEN="))
        .expect("the JS cookie");
    assert!(!js.contains("HttpOnly"), "{js}");
}
