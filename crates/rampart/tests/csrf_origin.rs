//! The CSRF layer and the request's own origin over a real axum Router: Referer
//! on https, facts behind a trusted proxy, the layer alone, and where proxy
//! trust is set.

mod common;

use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::routing::get;
use axum::Router;
use common::csrf_app::*;
use common::*;
use http::Request;
use rampart::core::csrf::Csrf;
use rampart::core::headers::SecureHeaders;
use rampart::core::{ProxyHeaders, ProxyTrust};
use rampart::{CsrfLayer, CsrfToken, SecureHeadersLayer};

#[tokio::test]
async fn https_needs_same_origin_referer_without_origin_headers() {
    let a = default_app();
    let (cookie, tok) = token(&a.router, "shop.example", true).await;
    let mk = |referer: Option<&str>| {
        let mut b = post_req("/submit", "shop.example")
            .header("cookie", &cookie)
            .header("x-csrftoken", &tok);
        if let Some(r) = referer {
            b = b.header("referer", r);
        }
        b.body(Body::empty()).unwrap()
    };
    assert_eq!(send(&a.router, mk(None), CLIENT, true).await.status(), 403);
    assert_eq!(
        send(&a.router, mk(Some("https://evil.example/x")), CLIENT, true)
            .await
            .status(),
        403
    );
    assert_eq!(
        send(
            &a.router,
            mk(Some("https://shop.example:8443/")),
            CLIENT,
            true
        )
        .await
        .status(),
        403
    );
    assert_eq!(
        send(&a.router, mk(Some("https://foobar:abc")), CLIENT, true)
            .await
            .status(),
        403
    );
    assert_eq!(
        send(
            &a.router,
            mk(Some("https://SHOP.example:443/form")),
            CLIENT,
            true
        )
        .await
        .status(),
        200
    );
}

#[tokio::test]
async fn behind_trusted_proxy_origin_uses_forwarded_scheme() {
    let a = default_app();
    let (cookie, tok) = token(&a.router, "shop.example", true).await;
    let req = post_req("/submit", "shop.example")
        .header("x-forwarded-proto", "https")
        .header("origin", "https://shop.example")
        .header("cookie", &cookie)
        .header("x-csrftoken", &tok)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&a.router, req, "127.0.0.1", false).await.status(), 200);
}

// Without a SecureHeadersLayer the CSRF layer works out the request's facts
// itself: the cookie's name follows TLS, and an Origin is compared with the
// request's own host.
#[tokio::test]
async fn csrf_layer_alone_works_out_the_facts() {
    let (handler, hits) = counting_post("ok");
    let router = Router::new()
        .route("/form", get(|t: CsrfToken| async move { t.masked() }))
        .route("/submit", handler)
        .layer(CsrfLayer::new(Csrf::builder().key(&KEY).build().unwrap()));
    let (cookie, tok) = token(&router, "shop.example", false).await;
    assert!(cookie.starts_with("csrf="), "{cookie}");
    let (tls_cookie, _) = token(&router, "shop.example", true).await;
    assert!(tls_cookie.starts_with("__Host-csrf="), "{tls_cookie}");

    let post = |origin: &str| {
        post_req("/submit", "Shop.Example")
            .header("origin", origin)
            .header("cookie", &cookie)
            .header("x-csrftoken", &tok)
            .body(Body::empty())
            .unwrap()
    };
    let res = send(&router, post("http://shop.example"), CLIENT, false).await;
    assert_eq!(res.status(), 200);
    let res = send(&router, post("http://evil.example"), CLIENT, false).await;
    assert_eq!(res.status(), 403);
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

/// Proxy trust is set in one place. A CSRF layer used alone believes the
/// proxy it was built to trust: the cookie is the `__Host-` one and an `https`
/// Origin is same-origin. Under a header layer that trusts the proxy, the
/// header set's facts give the same answers. Under a header layer that trusts
/// nobody and shares a scope, the header set decides (the request looks like
/// plain http), and the CSRF builder's unused trust is named in a warning.
#[tokio::test]
async fn proxy_trust_is_set_in_one_place() {
    use rampart::core::csp::{Csp, Policy};
    use rampart::core::headers::HttpsRedirect;
    let nginx = || ProxyTrust::loopback(ProxyHeaders::X_FORWARDED);
    let no_redirect = || SecureHeaders::builder().https_redirect(HttpsRedirect::disabled());
    let nonce_policy = || Some(Csp::builder(Policy::strict()).nonce_in(["script-src"]));
    // (header layer, CSRF builder's trust, the request is secure)
    let cases = [
        (None, true, true),
        (Some(no_redirect().proxy_trust(nginx())), false, true),
        (
            Some(no_redirect().proxy_trust(nginx()).csp(nonce_policy())),
            false,
            true,
        ),
        (Some(no_redirect().csp(nonce_policy())), true, false),
    ];
    for (i, (headers, own_trust, secure)) in cases.into_iter().enumerate() {
        let logs = capture_logs();
        let (handler, hits) = counting_post("ok");
        let mut csrf = Csrf::builder().key(&KEY);
        if own_trust {
            csrf = csrf.proxy_trust(nginx());
        }
        let mut router = Router::new()
            .route("/form", get(|t: CsrfToken| async move { t.masked() }))
            .route("/submit", handler)
            .layer(CsrfLayer::new(csrf.build().unwrap()));
        if let Some(h) = headers {
            router = router.layer(SecureHeadersLayer::new(h.build().unwrap()));
        }
        let form = Request::get("/form")
            .header("host", "shop.example")
            .header("x-forwarded-proto", "https")
            .body(Body::empty())
            .unwrap();
        let res = send(&router, form, "127.0.0.1", false).await;
        assert_eq!(res.status(), 200, "case {i}");
        let cookie = header(&res, "set-cookie").unwrap().to_string();
        assert_eq!(
            cookie.starts_with("__Host-csrf="),
            secure,
            "case {i}: {cookie}"
        );
        let pair = cookie.split(';').next().unwrap().to_string();
        let tok = body_string(res).await;
        let req = post_req("/submit", "shop.example")
            .header("x-forwarded-proto", "https")
            .header("origin", "https://shop.example")
            .header("cookie", &pair)
            .header("x-csrftoken", &tok)
            .body(Body::empty())
            .unwrap();
        let status = send(&router, req, "127.0.0.1", false).await.status();
        assert_eq!(status == 200, secure, "case {i}: {status}");
        assert_eq!(hits.load(Ordering::SeqCst), usize::from(secure), "case {i}");
        if i == 3 {
            // The warning is once per process: this binary's other tests never
            // set a CSRF trust under a header layer, so it is this case's.
            let warned = logs.lines_containing("SecureHeadersBuilder::proxy_trust");
            assert_eq!(warned.len(), 1, "{}", logs.text());
        }
    }
}

/// Cross-site WebSocket hijacking: a handshake is a GET, so another site's
/// page could open a socket with the visitor's cookies. Over a real server,
/// a handshake whose Origin is another site's gets 403 and the handler never
/// runs; the app's own page's handshake reaches the handler.
#[tokio::test]
async fn websocket_handshakes_from_another_site_are_refused() {
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let router = Router::new()
        .route(
            "/ws",
            get(move || {
                let h = h.clone();
                async move {
                    h.fetch_add(1, Ordering::SeqCst);
                    "handshake reached the handler"
                }
            }),
        )
        .layer(CsrfLayer::new(Csrf::builder().key(&KEY).build().unwrap()));
    let addr = serve(router).await;
    let handshake = |origin: &str| {
        format!(
            "GET /ws HTTP/1.1\r\nhost: {addr}\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\
             sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\
             origin: {origin}\r\n\r\n"
        )
    };
    let status = |req: String| async move {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(req.as_bytes()).await.unwrap();
        let mut buf = vec![0u8; 1024];
        let n = s.read(&mut buf).await.unwrap();
        let head = String::from_utf8_lossy(&buf[..n]).to_string();
        head.split(' ')
            .nth(1)
            .unwrap_or("")
            .parse::<u16>()
            .unwrap_or(0)
    };
    assert_eq!(status(handshake("https://evil.example")).await, 403);
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    assert_eq!(status(handshake(&format!("http://{addr}"))).await, 200);
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}
