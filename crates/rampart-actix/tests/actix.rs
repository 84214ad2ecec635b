//! actix-specific behaviour: overrides in actix's idiom, the report endpoint,
//! extractors, and the body reaching the handler byte for byte.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

mod common;
use common::{header, local};

use actix_web::test::{call_service, init_service, read_body, TestRequest};
use actix_web::{web, App, HttpMessage, HttpResponse};
use rampart_actix::core::csp::{Csp, CspReport, Policy, ReportCollector};
use rampart_actix::core::csrf::Csrf;
use rampart_actix::core::headers::{FrameOptions, Overrides, SecureHeaders};
use rampart_actix::{
    CspNonce, CspReportService, CsrfMiddleware, CsrfToken, OverrideMiddleware,
    SecureHeadersMiddleware, WithOverrides,
};

const KEY: [u8; 32] = [3; 32];

#[actix_web::test]
async fn overrides_on_resource_scope_and_handler() {
    let app = init_service(
        App::new()
            .service(
                web::resource("/deny")
                    .wrap(OverrideMiddleware::new(
                        Overrides::new().frame_options(FrameOptions::Deny),
                    ))
                    .route(web::get().to(|| async { "deny" })),
            )
            .service(
                web::scope("/legacy")
                    .wrap(OverrideMiddleware::new(Overrides::new().csp_off()))
                    .route("/page", web::get().to(|| async { "legacy" }))
                    .route(
                        "/handler",
                        web::get().to(|| async {
                            // The handler's own override comes after the scope's.
                            WithOverrides::new(
                                "x",
                                Overrides::new()
                                    .header("x-frame-options", "SAMEORIGIN")
                                    .unwrap(),
                            )
                        }),
                    ),
            )
            .service(
                web::resource("/own")
                    .wrap(OverrideMiddleware::new(
                        Overrides::new().frame_options(FrameOptions::Deny),
                    ))
                    .route(web::get().to(|| async {
                        WithOverrides::new("own", Overrides::new().frame_options(FrameOptions::Off))
                    })),
            )
            .route("/plain", web::get().to(|| async { "plain" }))
            .wrap(SecureHeadersMiddleware::default()),
    )
    .await;
    let res = call_service(&app, local(TestRequest::get().uri("/deny")).to_request()).await;
    assert_eq!(header(&res, "x-frame-options").as_deref(), Some("DENY"));
    assert!(header(&res, "content-security-policy").is_some());

    let res = call_service(
        &app,
        local(TestRequest::get().uri("/legacy/page")).to_request(),
    )
    .await;
    assert_eq!(header(&res, "content-security-policy"), None);
    assert_eq!(
        header(&res, "x-frame-options").as_deref(),
        Some("SAMEORIGIN")
    );

    let res = call_service(
        &app,
        local(TestRequest::get().uri("/legacy/handler")).to_request(),
    )
    .await;
    assert_eq!(header(&res, "content-security-policy"), None);

    let res = call_service(&app, local(TestRequest::get().uri("/own")).to_request()).await;
    assert_eq!(
        header(&res, "x-frame-options"),
        None,
        "handler has the last word"
    );

    let res = call_service(&app, local(TestRequest::get().uri("/plain")).to_request()).await;
    assert_eq!(
        header(&res, "x-frame-options").as_deref(),
        Some("SAMEORIGIN")
    );
}

#[actix_web::test]
async fn replacement_policy_with_nonce_on_app_without_nonces() {
    let strict = Csp::builder(Policy::strict())
        .nonce_in(["script-src"])
        .build()
        .unwrap();
    let app = init_service(
        App::new()
            .service(
                web::resource("/strict")
                    .wrap(OverrideMiddleware::new(Overrides::new().csp(strict)))
                    .route(web::get().to(|n: CspNonce| async move { format!("{n}") })),
            )
            .wrap(SecureHeadersMiddleware::default()),
    )
    .await;
    let res = call_service(&app, local(TestRequest::get().uri("/strict")).to_request()).await;
    let csp = header(&res, "content-security-policy").unwrap();
    let body = read_body(res).await;
    let nonce = std::str::from_utf8(&body).unwrap();
    assert_eq!(nonce.len(), 24);
    assert!(csp.contains(&format!("'nonce-{nonce}'")), "{csp}");
}

#[actix_web::test]
async fn nonce_is_lazy_and_handler_headers_win() {
    let headers = SecureHeaders::builder()
        .csp(Some(
            Csp::builder(Policy::strict()).nonce_in(["script-src"]),
        ))
        .build()
        .unwrap();
    let app = init_service(
        App::new()
            .route(
                "/json",
                web::get().to(|| async { HttpResponse::Ok().json(1) }),
            )
            .route(
                "/page",
                web::get().to(|n: CspNonce| async move {
                    HttpResponse::Ok()
                        .insert_header(("x-frame-options", "DENY"))
                        .body(format!("<script nonce=\"{n}\"></script>"))
                }),
            )
            .wrap(SecureHeadersMiddleware::new(headers)),
    )
    .await;
    let res = call_service(&app, local(TestRequest::get().uri("/json")).to_request()).await;
    assert!(!header(&res, "content-security-policy")
        .unwrap()
        .contains("'nonce-"));
    let res = call_service(&app, local(TestRequest::get().uri("/page")).to_request()).await;
    assert!(header(&res, "content-security-policy")
        .unwrap()
        .contains("'nonce-"));
    assert_eq!(header(&res, "x-frame-options").as_deref(), Some("DENY"));
}

#[actix_web::test]
async fn body_reaches_handler_intact_and_rejections_skip_it() {
    let runs = Arc::new(AtomicUsize::new(0));
    let seen = runs.clone();
    let csrf = Csrf::builder().key(&KEY).build().unwrap();
    let app = init_service(
        App::new()
            .route(
                "/form",
                web::get().to(|t: CsrfToken| async move { t.masked() }),
            )
            .route(
                "/form",
                web::post().to(move |body: web::Bytes| {
                    let seen = seen.clone();
                    async move {
                        seen.fetch_add(1, Ordering::SeqCst);
                        HttpResponse::Ok().body(body)
                    }
                }),
            )
            .wrap(CsrfMiddleware::new(csrf))
            .wrap(SecureHeadersMiddleware::default()),
    )
    .await;
    let res = call_service(&app, local(TestRequest::get().uri("/form")).to_request()).await;
    let cookie = header(&res, "set-cookie").unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    assert!(header(&res, "vary").unwrap().contains("Cookie"));
    let token = String::from_utf8(read_body(res).await.to_vec()).unwrap();

    let body = format!("a=%E2%9C%93&_csrf_token={token}&b=+x+");
    let res = call_service(
        &app,
        local(TestRequest::post().uri("/form"))
            .insert_header(("cookie", cookie.as_str()))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(body.clone())
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(read_body(res).await, body.as_bytes());
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    let res = call_service(
        &app,
        local(TestRequest::post().uri("/form"))
            .insert_header(("cookie", cookie.as_str()))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .insert_header(("accept", "application/json"))
            .set_payload("_csrf_token=wrong")
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 403);
    assert_eq!(
        header(&res, "content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(header(&res, "cache-control").as_deref(), Some("no-store"));
    assert_eq!(
        header(&res, "x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1, "the handler did not run");
}

#[actix_web::test]
async fn csrf_token_without_middleware_is_a_500() {
    let app = init_service(
        App::new().route("/", web::get().to(|t: CsrfToken| async move { t.masked() })),
    )
    .await;
    let res = call_service(&app, TestRequest::get().uri("/").to_request()).await;
    assert_eq!(res.status(), 500);
}

#[actix_web::test]
async fn report_endpoint_answers_like_the_tower_one() {
    let got = Arc::new(Mutex::new(Vec::<CspReport>::new()));
    let sink = got.clone();
    let collector =
        ReportCollector::builder(move |r: &CspReport| sink.lock().unwrap().push(r.clone()))
            .max_body(512)
            .build()
            .unwrap();
    let app = init_service(
        App::new()
            .service(CspReportService::new(collector).resource("/csp-report"))
            .wrap(SecureHeadersMiddleware::default()),
    )
    .await;
    let res = call_service(
        &app,
        local(TestRequest::get().uri("/csp-report")).to_request(),
    )
    .await;
    assert_eq!(res.status(), 405);
    let body = r#"{"csp-report":{"document-uri":"http://localhost/","blocked-uri":"inline","violated-directive":"script-src-elem"}}"#;
    let post = |ct: &str, body: Vec<u8>| {
        local(TestRequest::post().uri("/csp-report"))
            .insert_header(("content-type", ct))
            .set_payload(body)
            .to_request()
    };
    let res = call_service(&app, post("application/csp-report", body.into())).await;
    assert_eq!(res.status(), 204);
    assert_eq!(got.lock().unwrap().len(), 1);
    let res = call_service(&app, post("text/plain", body.into())).await;
    assert_eq!(res.status(), 415);
    let res = call_service(&app, post("application/csp-report", vec![b' '; 600])).await;
    assert_eq!(res.status(), 413);
    let res = call_service(&app, post("application/csp-report", b"{nope".to_vec())).await;
    assert_eq!(res.status(), 400);
    assert_eq!(
        header(&res, "x-frame-options").as_deref(),
        Some("SAMEORIGIN")
    );
}

#[actix_web::test]
async fn tls_listener_counts_as_secure_and_redirects_otherwise() {
    let app = init_service(
        App::new()
            .route("/", web::get().to(|| async { "home" }))
            .wrap(SecureHeadersMiddleware::default()),
    )
    .await;
    let res = call_service(
        &app,
        TestRequest::get()
            .uri("/a?b=1")
            .insert_header(("host", "shop.example"))
            .peer_addr("198.51.100.7:1000".parse().unwrap())
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 301);
    assert_eq!(
        header(&res, "location").as_deref(),
        Some("https://shop.example/a?b=1")
    );
    assert_eq!(header(&res, "strict-transport-security"), None);

    // A connection the server marks as TLS (e.g. from a TLS acceptor).
    let req = TestRequest::get()
        .uri("/")
        .insert_header(("host", "shop.example"))
        .to_request();
    req.extensions_mut()
        .insert(rampart_actix::core::ConnectionInfo::default().with_tls(true));
    let res = call_service(&app, req).await;
    assert_eq!(res.status(), 200);
    assert!(header(&res, "strict-transport-security").is_some());
}

// actix routes on the decoded path: `/%61pi/transfer` reaches `/api/transfer`.
// Include-only protection must still cover it (the core fails closed on
// percent-encoded ASCII), and the handler must not run.
#[actix_web::test]
async fn include_only_covers_percent_encoded_paths() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let csrf = Csrf::builder()
        .key(&KEY)
        .include_only()
        .include_path_prefix("/api")
        .build()
        .unwrap();
    let app = init_service(
        App::new()
            .route(
                "/api/transfer",
                web::post().to(move || {
                    let h = h.clone();
                    async move {
                        h.fetch_add(1, Ordering::SeqCst);
                        HttpResponse::Ok().body("moved money")
                    }
                }),
            )
            .wrap(CsrfMiddleware::new(csrf)),
    )
    .await;
    for path in ["/api/transfer", "/%61pi/transfer"] {
        let req = local(TestRequest::post().uri(path))
            .insert_header(("sec-fetch-site", "cross-site"))
            .to_request();
        let res = call_service(&app, req).await;
        assert_eq!(res.status(), 403, "{path}");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

/// As with the Tower layer: the request carries a `RequestScope` only when a
/// policy takes nonces or a proxy is trusted; the header set is the same.
#[actix_web::test]
async fn scope_on_the_request_only_when_needed() {
    use rampart_actix::core::{ProxyHeaders, ProxyTrust, RequestScope};
    let cases = [
        (SecureHeaders::builder(), "none"),
        (
            SecureHeaders::builder().csp(Some(
                Csp::builder(Policy::strict()).nonce_in(["script-src"]),
            )),
            "shared",
        ),
        (
            SecureHeaders::builder().proxy_trust(ProxyTrust::loopback(ProxyHeaders::X_FORWARDED)),
            "shared",
        ),
    ];
    for (builder, expected) in cases {
        let app = init_service(
            App::new()
                .route(
                    "/",
                    web::get().to(|req: actix_web::HttpRequest| async move {
                        match req.extensions().get::<RequestScope>() {
                            Some(_) => "shared",
                            None => "none",
                        }
                    }),
                )
                .wrap(SecureHeadersMiddleware::new(builder.build().unwrap())),
        )
        .await;
        let res = call_service(&app, local(TestRequest::get().uri("/")).to_request()).await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            header(&res, "x-frame-options").as_deref(),
            Some("SAMEORIGIN")
        );
        assert_eq!(read_body(res).await, expected);
    }
}

/// The CSRF middleware's response side: a response that used no token gets
/// nothing (no cookie, no `Vary`, the handler's own headers untouched); with
/// the JavaScript-readable cookie on, every response owes the client its
/// cookies, token used or not. No header middleware here: only the CSRF
/// middleware can add these.
#[actix_web::test]
async fn csrf_response_side_adds_only_what_is_owed() {
    for js in [false, true] {
        let csrf = Csrf::builder()
            .key(&KEY)
            .js_readable_cookie(js)
            .build()
            .unwrap();
        let app = init_service(
            App::new()
                .route(
                    "/plain",
                    web::get().to(|| async {
                        HttpResponse::Ok()
                            .insert_header(("x-handler", "kept"))
                            .insert_header(("vary", "Accept"))
                            .body("plain")
                    }),
                )
                .wrap(CsrfMiddleware::new(csrf)),
        )
        .await;
        let res = call_service(&app, local(TestRequest::get().uri("/plain")).to_request()).await;
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "x-handler").as_deref(), Some("kept"));
        let cookies: Vec<String> = res
            .headers()
            .get_all("set-cookie")
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        let vary: Vec<String> = res
            .headers()
            .get_all("vary")
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        if js {
            assert!(
                cookies.iter().any(|c| c.starts_with("csrf-token=")),
                "{cookies:?}"
            );
            assert!(
                cookies.iter().any(|c| c.starts_with("csrf=")),
                "{cookies:?}"
            );
            // The handler's own Vary survives the round trip, Cookie joins it.
            assert_eq!(vary, ["Accept", "Cookie"]);
            // A client that holds both cookies is owed nothing.
            let pairs: Vec<&str> = cookies
                .iter()
                .map(|c| c.split(';').next().unwrap())
                .collect();
            let res = call_service(
                &app,
                local(TestRequest::get().uri("/plain"))
                    .insert_header(("cookie", pairs.join("; ")))
                    .to_request(),
            )
            .await;
            assert_eq!(res.status(), 200);
            assert!(res.headers().get("set-cookie").is_none());
            let vary: Vec<_> = res.headers().get_all("vary").collect();
            assert_eq!(vary, ["Accept"]);
        } else {
            assert!(cookies.is_empty(), "{cookies:?}");
            assert_eq!(vary, ["Accept"]);
        }
    }
}

/// `Exemptions::route` names actix's matched pattern (`/items/{id}`): the middleware
/// looks the pattern up for the methods it checks, and only for them.
#[actix_web::test]
async fn exempt_route_by_matched_pattern() {
    let csrf = Csrf::builder()
        .key(&KEY)
        .exempt(rampart_actix::core::Exemptions::new().route("/items/{id}"))
        .build()
        .unwrap();
    let app = init_service(
        App::new()
            .route("/items/{id}", web::post().to(|| async { "exempt" }))
            .route("/other/{id}", web::post().to(|| async { "checked" }))
            .wrap(CsrfMiddleware::new(csrf)),
    )
    .await;
    for (uri, status) in [("/items/7", 200), ("/other/7", 403)] {
        let req = local(TestRequest::post().uri(uri))
            .insert_header(("sec-fetch-site", "cross-site"))
            .to_request();
        assert_eq!(call_service(&app, req).await.status(), status, "{uri}");
    }
}

/// The report-only variants of COOP and COEP reach actix responses too.
#[actix_web::test]
async fn report_only_isolation_headers_are_sent() {
    use rampart_actix::core::headers::{CrossOriginEmbedderPolicy, CrossOriginOpenerPolicy};
    let headers = SecureHeaders::builder()
        .cross_origin_opener_policy_report_only(
            Some(CrossOriginOpenerPolicy::SameOrigin),
            Some("coop"),
        )
        .cross_origin_embedder_policy_report_only(
            Some(CrossOriginEmbedderPolicy::RequireCorp),
            None,
        )
        .build()
        .unwrap();
    let app = init_service(
        App::new()
            .route(
                "/",
                web::get().to(|| async { HttpResponse::Ok().body("ok") }),
            )
            .wrap(SecureHeadersMiddleware::new(headers)),
    )
    .await;
    let res = call_service(&app, local(TestRequest::get().uri("/")).to_request()).await;
    assert_eq!(
        header(&res, "cross-origin-opener-policy-report-only").as_deref(),
        Some(r#"same-origin; report-to="coop""#)
    );
    assert_eq!(
        header(&res, "cross-origin-embedder-policy-report-only").as_deref(),
        Some("require-corp")
    );
}

/// A directive rampart does not know yet keeps the policy and its nonce on
/// actix too (issue 16, item 7).
#[actix_web::test]
async fn an_unknown_directive_keeps_the_policy_and_its_nonce() {
    let policy = Policy::strict()
        .with_unknown_directive("future-feature-src", "'self'")
        .unwrap();
    let headers = SecureHeaders::builder()
        .csp(Some(Csp::builder(policy).nonce_in(["script-src"])))
        .build()
        .unwrap();
    let app = init_service(
        App::new()
            .route(
                "/",
                web::get().to(|n: CspNonce| async move { HttpResponse::Ok().body(n.to_string()) }),
            )
            .wrap(SecureHeadersMiddleware::new(headers)),
    )
    .await;
    let res = call_service(&app, local(TestRequest::get().uri("/")).to_request()).await;
    let csp = header(&res, "content-security-policy").unwrap();
    let nonce = String::from_utf8(read_body(res).await.to_vec()).unwrap();
    assert!(csp.contains("future-feature-src 'self'"), "{csp}");
    assert!(csp.contains(&format!("'nonce-{nonce}'")), "{csp}");
}
