//! The CSRF layer and request bodies over a real axum Router: tokens in form,
//! JSON and multipart bodies, bodies reaching the handler intact, limits and
//! deadlines, and what token pages carry.
mod common;

use std::sync::atomic::Ordering;

use axum::body::{Body, Bytes};
use axum::routing::get;
use axum::Router;
use common::csrf_app::*;
use common::*;
use http::StatusCode;
use rampart::core::csrf::Csrf;
use rampart::{CsrfLayer, CsrfToken};

#[tokio::test]
async fn form_body_token_and_body_reaches_handler_intact() {
    let a = default_app();
    let (cookie, tok) = token(&a.router, "localhost", false).await;
    let body = format!("username=al%C3%AFce&_csrf_token={tok}&note=a+b%26c");
    let req = post_req("/submit", "localhost")
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.clone()))
        .unwrap();
    let res = send(&a.router, req, CLIENT, false).await;
    assert_eq!(res.status(), 200);
    assert_eq!(body_string(res).await, body);
}

#[tokio::test]
async fn json_body_token_and_passthrough() {
    let a = default_app();
    let (cookie, tok) = token(&a.router, "localhost", false).await;
    let body = format!(r#"{{"_csrf_token":"{tok}","amount":12.5,"nested":{{"k":[1,2]}}}}"#);
    let req = post_req("/submit", "localhost")
        .header("cookie", &cookie)
        .header("content-type", "application/json")
        .body(Body::from(body.clone()))
        .unwrap();
    let res = send(&a.router, req, CLIENT, false).await;
    assert_eq!(res.status(), 200);
    assert_eq!(body_string(res).await, body);
    // the same body as text/plain cannot carry a token (SeaSurf reads any form body)
    let req = post_req("/submit", "localhost")
        .header("cookie", &cookie)
        .header("content-type", "text/plain")
        .body(Body::from(body))
        .unwrap();
    assert_eq!(send(&a.router, req, CLIENT, false).await.status(), 403);
}

#[tokio::test]
async fn multipart_body_token_and_passthrough() {
    let a = default_app();
    let (cookie, tok) = token(&a.router, "localhost", false).await;
    let body = format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"_csrf_token\"\r\n\r\n{tok}\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\x02binary\r\n--XyZ--\r\n"
    );
    let req = post_req("/submit", "localhost")
        .header("cookie", &cookie)
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body(Body::from(body.clone()))
        .unwrap();
    let res = send(&a.router, req, CLIENT, false).await;
    assert_eq!(res.status(), 200);
    assert_eq!(body_string(res).await, body);
}

#[tokio::test]
async fn bad_bodies_get_4xx_not_500() {
    let a = default_app();
    let (cookie, tok) = token(&a.router, "localhost", false).await;
    let cases = [
        (
            "application/x-www-form-urlencoded",
            format!("_csrf_token={tok}&_csrf_token={tok}"),
            403u16,
        ),
        (
            "application/x-www-form-urlencoded",
            "_csrf_token=%ZZ%".to_string(),
            400,
        ),
        (
            "application/x-www-form-urlencoded",
            "_csrf_token=%FF%FE".to_string(),
            400,
        ),
        ("application/json", "{]]{".to_string(), 400),
        ("application/json", "[1,2]".to_string(), 403),
        ("multipart/form-data", "--x\r\n".to_string(), 400),
        (
            "multipart/form-data; boundary=x",
            "garbage".to_string(),
            400,
        ),
        (
            "application/x-www-form-urlencoded",
            "_csrf_token=%F0%9F%A5%B3".to_string(),
            403,
        ),
    ];
    for (ct, body, want) in cases {
        let req = post_req("/submit", "localhost")
            .header("cookie", &cookie)
            .header("content-type", ct)
            .body(Body::from(body.clone()))
            .unwrap();
        let res = send(&a.router, req, CLIENT, false).await;
        assert_eq!(res.status().as_u16(), want, "{ct} {body}");
    }
    assert_eq!(a.hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn five_mib_body_gets_413() {
    let a = default_app();
    let (cookie, _) = token(&a.router, "localhost", false).await;
    let big = vec![b'a'; 5 * 1024 * 1024];
    let req = post_req("/submit", "localhost")
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(big.clone()))
        .unwrap();
    assert_eq!(send(&a.router, req, CLIENT, false).await.status(), 413);
    // streamed without Content-Length
    let stream = futures_util::stream::iter(
        big.chunks(64 * 1024)
            .map(|c| Ok::<_, std::io::Error>(Bytes::copy_from_slice(c)))
            .collect::<Vec<_>>(),
    );
    let req = post_req("/submit", "localhost")
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from_stream(stream))
        .unwrap();
    assert_eq!(send(&a.router, req, CLIENT, false).await.status(), 413);
    assert_eq!(a.hits.load(Ordering::SeqCst), 0);
}

/// A body that outgrows the limit while it streams has lost its beginning, so
/// not even report-only mode can let it through: it gets 413, and the log says
/// it was rejected (not "allowed").
#[tokio::test]
async fn report_only_still_refuses_a_body_it_could_not_keep() {
    let logs = capture_logs();
    let a = app(Csrf::builder().key(&KEY).report_only(true).build().unwrap());
    let (cookie, _) = token(&a.router, "localhost", false).await;
    let chunks: Vec<Result<Bytes, std::io::Error>> = (0..40)
        .map(|_| Ok(Bytes::from(vec![b'a'; 64 * 1024])))
        .collect();
    let req = post_req("/submit", "localhost")
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap();
    assert_eq!(send(&a.router, req, CLIENT, false).await.status(), 413);
    assert_eq!(a.hits.load(Ordering::SeqCst), 0);
    let refusals = logs.lines_containing("CSRF check failed");
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert!(refusals[0].contains("reason=\"too-large\""), "{refusals:?}");
    assert!(refusals[0].contains("request rejected"), "{refusals:?}");
    assert!(refusals[0].contains("path=\"/submit\""), "{refusals:?}");
}

/// A body that stalls gets 408 when the configured deadline passes, logged
/// with its reason; the handler never runs.
#[tokio::test]
async fn a_stalled_body_times_out_with_408() {
    let app = app(Csrf::builder()
        .key(&KEY)
        .body_timeout(std::time::Duration::from_millis(300))
        .build()
        .unwrap());
    let (cookie, _) = token(&app.router, "localhost", false).await;
    let (_tx, rx) =
        tokio::sync::mpsc::channel::<Result<http_body::Frame<Bytes>, std::io::Error>>(1);
    let stalled = Body::new(http_body_util::StreamBody::new(tokio_stream_like(rx)));
    let req = post_req("/submit", "localhost")
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(stalled)
        .unwrap();
    let logs = capture_logs();
    let started = std::time::Instant::now();
    let res = send(&app.router, req, CLIENT, false).await;
    assert_eq!(res.status(), StatusCode::REQUEST_TIMEOUT);
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
    assert_eq!(app.hits.load(Ordering::SeqCst), 0);
    assert_eq!(
        logs.lines_containing("body-timeout").len(),
        1,
        "{}",
        logs.text()
    );
}

/// The receiving half of a channel as a stream of body frames, never ending
/// while the sender lives: a client that stopped sending.
fn tokio_stream_like<T>(
    mut rx: tokio::sync::mpsc::Receiver<T>,
) -> impl futures_util::Stream<Item = T> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

/// A page that rendered a token is `private, no-store` unless its handler chose
/// a `Cache-Control`; the setting changes or removes the value; a page without
/// a token keeps what it had.
#[tokio::test]
async fn token_pages_are_kept_out_of_shared_caches() {
    let default = default_app();
    let res = send(
        &default.router,
        get_req("/form", "localhost"),
        CLIENT,
        false,
    )
    .await;
    assert_eq!(header(&res, "cache-control"), Some("private, no-store"));
    let res = send(
        &default.router,
        get_req("/plain", "localhost"),
        CLIENT,
        false,
    )
    .await;
    assert_eq!(header(&res, "cache-control"), None);

    let own = Router::new()
        .route(
            "/form",
            get(|t: CsrfToken| async move {
                ([("cache-control", "private, max-age=5")], format!("{t}"))
            }),
        )
        .layer(CsrfLayer::new(Csrf::builder().key(&KEY).build().unwrap()));
    let res = send(&own, get_req("/form", "localhost"), CLIENT, false).await;
    assert_eq!(header(&res, "cache-control"), Some("private, max-age=5"));

    for (setting, expected) in [(Some("no-cache"), Some("no-cache")), (None, None)] {
        let app = app(Csrf::builder()
            .key(&KEY)
            .token_cache_control(setting)
            .build()
            .unwrap());
        let res = send(&app.router, get_req("/form", "localhost"), CLIENT, false).await;
        assert_eq!(header(&res, "cache-control"), expected, "{setting:?}");
        assert_eq!(header(&res, "vary"), Some("Cookie"));
    }
}
