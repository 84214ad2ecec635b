//! What handlers render and what a refusal carries, over a real axum Router:
//! the SPA and htmx markup helpers, logging out, and the refusal's reason.

mod common;

use axum::body::Body;
use axum::routing::{get, post};
use axum::Router;
use common::csrf_app::*;
use common::*;
use http::StatusCode;
use rampart::core::csrf::Csrf;
use rampart::{CsrfLayer, CsrfToken};

/// SPA and htmx helpers through the axum extractor: the hidden input, the
/// `<meta name="csrf-token">` tag and htmx's `hx-headers` carry a token that
/// verifies in the header; logging out clears the site's data.
#[tokio::test]
async fn markup_helpers_and_log_out() {
    let (handler, hits) = counting_post("ok");
    let router = Router::new()
        .route(
            "/page",
            get(|t: CsrfToken| async move {
                format!(
                    "{}\n{}\n<div {}></div>",
                    t.hidden_input(),
                    t.meta_tag(),
                    t.hx_headers()
                )
            }),
        )
        .route(
            "/logout",
            post(|t: CsrfToken| async move {
                t.log_out(true);
                "bye"
            }),
        )
        .route("/submit", handler)
        .layer(CsrfLayer::new(Csrf::builder().key(&KEY).build().unwrap()));
    let res = send(&router, get_req("/page", "localhost"), CLIENT, false).await;
    let cookie = header(&res, "set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = body_string(res).await;
    let grab = |before: &str, after: &str| {
        page.split(before)
            .nth(1)
            .and_then(|r| r.split(after).next())
            .unwrap()
            .to_string()
    };
    let from_input = grab(r#"<input type="hidden" name="_csrf_token" value=""#, "\"");
    let from_meta = grab(r#"<meta name="csrf-token" content=""#, "\"");
    let from_htmx = grab(r#"hx-headers='{"X-CSRFToken":""#, "\"");
    for token in [&from_input, &from_meta, &from_htmx] {
        let req = post_req("/submit", "localhost")
            .header("cookie", &cookie)
            .header("x-csrftoken", token.as_str())
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            send(&router, req, CLIENT, false).await.status(),
            200,
            "{token}"
        );
    }
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 3);
    let req = post_req("/logout", "localhost")
        .header("cookie", &cookie)
        .header("x-csrftoken", from_meta.as_str())
        .body(Body::empty())
        .unwrap();
    let res = send(&router, req, CLIENT, false).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "clear-site-data"),
        Some("\"cookies\", \"storage\"")
    );
    // The new secret too, for a browser that keeps cookies (plain http here).
    assert!(header(&res, "set-cookie").unwrap().starts_with("csrf="));
}

/// The reason travels with the refusal: outer middleware and custom error
/// pages find the `RejectReason` in the response extensions, and a custom
/// deny handler (`on_reject`) shapes the response.
#[tokio::test]
async fn the_reason_travels_with_the_refusal() {
    use rampart::core::csrf::RejectReason;
    let a = default_app();
    let cross_site = || {
        post_req("/submit", "localhost")
            .header("sec-fetch-site", "cross-site")
            .body(Body::empty())
            .unwrap()
    };
    let res = send(&a.router, cross_site(), CLIENT, false).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        res.extensions().get::<RejectReason>(),
        Some(&RejectReason::CrossOrigin)
    );
    let custom = app(Csrf::builder()
        .key(&KEY)
        .on_reject(|r| {
            let mut res = http::Response::new(format!("custom: {}", r.reason.code()).into());
            *res.status_mut() = StatusCode::IM_A_TEAPOT;
            res
        })
        .build()
        .unwrap());
    let res = send(&custom.router, cross_site(), CLIENT, false).await;
    assert_eq!(res.status(), StatusCode::IM_A_TEAPOT);
    assert_eq!(
        res.extensions().get::<RejectReason>(),
        Some(&RejectReason::CrossOrigin)
    );
    assert_eq!(body_string(res).await, "custom: cross-origin");
    assert_eq!(custom.hits.load(std::sync::atomic::Ordering::SeqCst), 0);
}

/// A renamed JS-readable token cookie stays readable by script under the
/// secure headers layer once its name is listed as script-readable.
#[tokio::test]
async fn a_renamed_js_cookie_stays_readable_by_script() {
    use rampart::core::headers::{CookieHardening, SecureHeaders};
    use rampart::SecureHeadersLayer;
    let router = Router::new()
        .route("/page", get(|t: CsrfToken| async move { t.masked() }))
        .layer(CsrfLayer::new(
            Csrf::builder()
                .key(&KEY)
                .js_readable_cookie(true)
                .js_cookie_name("XSRF-TOKEN")
                .build()
                .unwrap(),
        ))
        .layer(SecureHeadersLayer::new(
            SecureHeaders::builder()
                .cookies(CookieHardening::default().script_readable("XSRF-TOKEN"))
                .build()
                .unwrap(),
        ));
    let res = send(&router, get_req("/page", "localhost"), CLIENT, false).await;
    let cookies: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let js = cookies
        .iter()
        .find(|c| c.starts_with("XSRF-TOKEN="))
        .expect("the JS cookie");
    assert!(!js.contains("HttpOnly"), "{js}");
    let secret = cookies
        .iter()
        .find(|c| c.starts_with("csrf="))
        .expect("the secret cookie");
    assert!(secret.contains("HttpOnly"), "{secret}");
}
