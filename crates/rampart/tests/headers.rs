//! The secure headers layer, driven through a real axum Router: Flask-Talisman's
//! tested behaviours, and where rampart differs from them.

mod common;

use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use axum::{Extension, Router};
use common::*;
use http::{Request, StatusCode};
use rampart::core::csp::{Csp, Policy};
use rampart::core::headers::{
    Allow, CookieHardening, CrossOriginEmbedderPolicy, FrameOptions, Hsts, HttpsRedirect,
    Overrides, PermissionsPolicy, ReferrerPolicy, SecureHeaders, SecureHeadersBuilder,
};
use rampart::core::{Exemptions, ProxyHeaders, ProxyTrust};
use rampart::{CspNonce, OverrideLayer, SecureHeadersLayer};

fn app_with(builder: SecureHeadersBuilder) -> Router {
    Router::new()
        .route("/", get(|| async { "Hello, world" }))
        .route(
            "/with_nonce",
            get(|n: CspNonce| async move { Html(format!("<script nonce=\"{n}\"></script>")) }),
        )
        .route(
            "/json",
            get(|| async { axum::Json(serde_json::json!({"ok": true})) }),
        )
        .route(
            "/static/app.css",
            get(|| async { ([("content-type", "text/css")], "body{}") }),
        )
        .route("/health", get(|| async { "ok" }))
        .route("/echo", post(|body: String| async move { body }))
        .route(
            "/cookie",
            get(|| async { ([("set-cookie", "sid=abc; Path=/")], "c") }),
        )
        .route(
            "/own-headers",
            get(|| async {
                (
                    [
                        ("x-frame-options", "DENY"),
                        ("content-security-policy", "default-src 'none'"),
                    ],
                    "own",
                )
            }),
        )
        .route(
            "/legacy",
            get(|| async { "legacy" }).layer(OverrideLayer::new(Overrides::new().csp_off())),
        )
        .route(
            "/partner",
            get(|| async { "framable" }).layer(OverrideLayer::new(
                Overrides::new().frame_options(FrameOptions::Off).csp(
                    Csp::builder(Policy::default())
                        .build()
                        .unwrap()
                        .with_sources("frame-ancestors", "https://partner.example")
                        .unwrap(),
                ),
            )),
        )
        .route(
            "/handler-override",
            get(|| async {
                (
                    Extension(Overrides::new().frame_options(FrameOptions::Deny)),
                    "x",
                )
                    .into_response()
            })
            .layer(OverrideLayer::new(
                Overrides::new().frame_options(FrameOptions::Off),
            )),
        )
        .layer(SecureHeadersLayer::new(builder.build().unwrap()))
}

fn default_app() -> Router {
    app_with(SecureHeaders::builder().proxy_trust(ProxyTrust::loopback(ProxyHeaders::X_FORWARDED)))
}

const HTTPS: bool = true;
const HTTP: bool = false;
const CLIENT: &str = "203.0.113.7";
const PROXY: &str = "127.0.0.1";

// Every default, exact values, on a secure request.
#[tokio::test]
async fn every_default_header_with_its_exact_value_over_https() {
    let res = send(&default_app(), get_req("/", "shop.example"), CLIENT, HTTPS).await;
    assert_eq!(res.status(), 200);
    let expected = [
        ("strict-transport-security", "max-age=31536000; includeSubDomains"),
        ("x-frame-options", "SAMEORIGIN"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "strict-origin-when-cross-origin"),
        ("permissions-policy", "browsing-topics=()"),
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-resource-policy", "same-origin"),
        ("origin-agent-cluster", "?1"),
        ("x-permitted-cross-domain-policies", "none"),
        ("x-dns-prefetch-control", "off"),
        ("x-xss-protection", "0"),
        (
            "content-security-policy",
            "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'; form-action 'self'",
        ),
    ];
    for (name, value) in expected {
        assert_eq!(header(&res, name), Some(value), "{name}");
    }
    assert_eq!(
        header(&res, "cross-origin-embedder-policy"),
        None,
        "COEP is off by default"
    );
    assert_eq!(header(&res, "x-download-options"), None);
}

// Differing from Talisman: X-Forwarded-Proto counts only from a trusted proxy.
#[tokio::test]
async fn forwarded_proto_counts_only_from_a_trusted_proxy() {
    let mk = || {
        Request::get("/")
            .header("host", "shop.example")
            .header("x-forwarded-proto", "https")
            .body(Body::empty())
            .unwrap()
    };
    let res = send(&default_app(), mk(), PROXY, HTTP).await;
    assert_eq!(res.status(), 200);
    assert!(header(&res, "strict-transport-security").is_some());
    // Talisman trusts any client here; rampart redirects and sends no HSTS.
    let res = send(&default_app(), mk(), CLIENT, HTTP).await;
    assert_eq!(res.status(), 301);
    assert_eq!(header(&res, "strict-transport-security"), None);
}

// Plain http is redirected permanently, host/path/query kept.
#[tokio::test]
async fn plain_http_redirects_get_with_301_and_other_methods_with_308() {
    let res = send(
        &default_app(),
        get_req("/a/b?q=1", "shop.example"),
        CLIENT,
        HTTP,
    )
    .await;
    assert_eq!(res.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        header(&res, "location"),
        Some("https://shop.example/a/b?q=1")
    );
    let res = send(
        &default_app(),
        Request::head("/")
            .header("host", "shop.example")
            .body(Body::empty())
            .unwrap(),
        CLIENT,
        HTTP,
    )
    .await;
    assert_eq!(res.status(), 301);
}

// Differing from Talisman (302 loses POST bodies): 308 keeps method and body.
#[tokio::test]
async fn post_redirects_with_308_and_handler_never_runs() {
    let (handler, hits) = counting_post("ran");
    let app = Router::new()
        .route("/submit", handler)
        .layer(SecureHeadersLayer::default());
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let req = Request::builder()
            .method(method)
            .uri("/submit")
            .header("host", "shop.example")
            .body(Body::from("a=1"))
            .unwrap();
        let res = send(&app, req, CLIENT, HTTP).await;
        assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT, "{method}");
        assert_eq!(
            header(&res, "location"),
            Some("https://shop.example/submit")
        );
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

// Differing from Talisman: the http port is not carried over to https; the configured https port is used.
#[tokio::test]
async fn redirect_uses_the_configured_https_port() {
    let app = app_with(
        SecureHeaders::builder().https_redirect(HttpsRedirect::default().https_port(8443)),
    );
    let res = send(&app, get_req("/a?q=1", "shop.example:8080"), CLIENT, HTTP).await;
    assert_eq!(
        header(&res, "location"),
        Some("https://shop.example:8443/a?q=1")
    );
    let res = send(
        &default_app(),
        get_req("/a?q=1", "shop.example:8080"),
        CLIENT,
        HTTP,
    )
    .await;
    assert_eq!(header(&res, "location"), Some("https://shop.example/a?q=1"));
}

// Redirect off.
#[tokio::test]
async fn a_disabled_redirect_serves_plain_http() {
    let app = app_with(SecureHeaders::builder().https_redirect(HttpsRedirect::disabled()));
    let res = send(&app, get_req("/", "shop.example"), CLIENT, HTTP).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "strict-transport-security"), None);
}

// Per-route skip of the redirect, as exempt paths (the redirect runs before routing).
#[tokio::test]
async fn exempt_paths_and_predicate_skip_the_redirect() {
    let app = app_with(
        SecureHeaders::builder().https_redirect(
            HttpsRedirect::default().exempt(
                Exemptions::new()
                    .path_prefix("/health")
                    .when(|p| p.headers.contains_key("x-internal-probe")),
            ),
        ),
    );
    let res = send(&app, get_req("/health", "shop.example"), CLIENT, HTTP).await;
    assert_eq!(res.status(), 200);
    assert_eq!(body_string(res).await, "ok");
    // segment boundary: /healthz is not exempt
    assert_eq!(
        send(&app, get_req("/healthz", "shop.example"), CLIENT, HTTP)
            .await
            .status(),
        301
    );
    let probe = Request::get("/")
        .header("host", "shop.example")
        .header("x-internal-probe", "1")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, probe, CLIENT, HTTP).await.status(), 200);
}

// Loopback hosts are never redirected, so local development works over http.
#[tokio::test]
async fn loopback_hosts_are_served_over_http() {
    for host in [
        "localhost:8000",
        "127.0.0.1:8000",
        "127.1.2.3",
        "[::1]:8000",
        "LOCALHOST",
    ] {
        let res = send(&default_app(), get_req("/", host), "127.0.0.1", HTTP).await;
        assert_eq!(res.status(), 200, "{host}");
        assert_eq!(header(&res, "strict-transport-security"), None, "{host}");
        assert!(header(&res, "content-security-policy").is_some());
    }
}

// Unknown URL: redirect over http, 404 with every header over https.
#[tokio::test]
async fn unknown_routes_still_get_the_headers() {
    let res = send(
        &default_app(),
        get_req("/bad_endpoint", "shop.example"),
        CLIENT,
        HTTP,
    )
    .await;
    assert_eq!(res.status(), 301);
    let res = send(
        &default_app(),
        get_req("/bad_endpoint", "shop.example"),
        CLIENT,
        HTTPS,
    )
    .await;
    assert_eq!(res.status(), 404);
    assert_eq!(header(&res, "x-frame-options"), Some("SAMEORIGIN"));
    assert!(header(&res, "strict-transport-security").is_some());
    assert!(header(&res, "content-security-policy").is_some());
}

// 405 responses carry the headers too.
#[tokio::test]
async fn method_not_allowed_gets_headers() {
    let req = Request::delete("/")
        .header("host", "shop.example")
        .body(Body::empty())
        .unwrap();
    let res = send(&default_app(), req, CLIENT, HTTPS).await;
    assert_eq!(res.status(), 405);
    assert_eq!(header(&res, "x-content-type-options"), Some("nosniff"));
}

// HSTS options.
#[tokio::test]
async fn hsts_options_and_only_on_secure_requests() {
    let res = send(&default_app(), get_req("/", "localhost"), CLIENT, HTTP).await;
    assert_eq!(
        header(&res, "strict-transport-security"),
        None,
        "never on plain http"
    );
    let app = app_with(SecureHeaders::builder().hsts(None));
    assert_eq!(
        header(
            &send(&app, get_req("/", "a.example"), CLIENT, HTTPS).await,
            "strict-transport-security"
        ),
        None
    );
    let app =
        app_with(SecureHeaders::builder().hsts(Some(Hsts::default().include_subdomains(false))));
    assert_eq!(
        header(
            &send(&app, get_req("/", "a.example"), CLIENT, HTTPS).await,
            "strict-transport-security"
        ),
        Some("max-age=31536000")
    );
    let app = app_with(SecureHeaders::builder().hsts(Some(Hsts::default().preload(true))));
    assert_eq!(
        header(
            &send(&app, get_req("/", "a.example"), CLIENT, HTTPS).await,
            "strict-transport-security"
        ),
        Some("max-age=31536000; includeSubDomains; preload")
    );
    let err = SecureHeaders::builder()
        .hsts(Some(Hsts::default().max_age(86400).preload(true)))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("at least 31536000"), "{err}");
}

// Frame options; ALLOW-FROM refused at build time.
#[tokio::test]
async fn frame_options_values() {
    let app = app_with(SecureHeaders::builder().frame_options(FrameOptions::Deny));
    assert_eq!(
        header(
            &send(&app, get_req("/", "localhost"), CLIENT, HTTP).await,
            "x-frame-options"
        ),
        Some("DENY")
    );
    let app = app_with(SecureHeaders::builder().frame_options(FrameOptions::Off));
    assert_eq!(
        header(
            &send(&app, get_req("/", "localhost"), CLIENT, HTTP).await,
            "x-frame-options"
        ),
        None
    );
    let err = FrameOptions::parse("ALLOW-FROM example.com").unwrap_err();
    assert!(err.message().contains("frame-ancestors"));
}

// X-XSS-Protection: rampart sends 0 (differing: Talisman's opt-in sends "1; mode=block").
#[tokio::test]
async fn xss_protection_and_nosniff_switch_off() {
    let res = send(&default_app(), get_req("/", "shop.example"), CLIENT, HTTP).await;
    assert_eq!(res.status(), 301);
    assert_eq!(
        header(&res, "x-xss-protection"),
        Some("0"),
        "present even on the redirect"
    );
    let app = app_with(
        SecureHeaders::builder()
            .xss_protection(false)
            .content_type_options(false),
    );
    let res = send(&app, get_req("/", "localhost"), CLIENT, HTTP).await;
    assert_eq!(header(&res, "x-xss-protection"), None);
    assert_eq!(header(&res, "x-content-type-options"), None);
}

// force_file_save.
#[tokio::test]
async fn force_file_save_sends_x_download_options() {
    let app = app_with(SecureHeaders::builder().force_file_save(true));
    assert_eq!(
        header(
            &send(&app, get_req("/", "localhost"), CLIENT, HTTP).await,
            "x-download-options"
        ),
        Some("noopen")
    );
}

// CSP from pairs and from a string; None turns it off.
#[tokio::test]
async fn csp_from_string_dict_and_typed_forms_serialise_alike() {
    let policy = Policy::from_pairs([
        ("default-src", vec!["'self'"]),
        ("object-src", vec!["'none'"]),
        ("img-src", vec!["*"]),
    ])
    .unwrap();
    let app = app_with(SecureHeaders::builder().csp(Some(Csp::builder(policy))));
    let res = send(&app, get_req("/", "localhost"), CLIENT, HTTP).await;
    assert_eq!(
        header(&res, "content-security-policy"),
        Some("default-src 'self'; object-src 'none'; img-src *")
    );
    let app = app_with(SecureHeaders::builder().csp(Some(Csp::builder(
        Policy::parse("default-src 'self' spam.eggs").unwrap(),
    ))));
    assert_eq!(
        header(
            &send(&app, get_req("/", "localhost"), CLIENT, HTTP).await,
            "content-security-policy"
        ),
        Some("default-src 'self' spam.eggs")
    );
    let app = app_with(SecureHeaders::builder().csp(None));
    assert_eq!(
        header(
            &send(&app, get_req("/", "localhost"), CLIENT, HTTP).await,
            "content-security-policy"
        ),
        None
    );
    // Talisman's own test used `image-src`, a typo browsers ignore: rampart refuses it.
    let err = Policy::from_pairs([("image-src", "*")]).unwrap_err();
    assert!(err.to_string().contains("img-src"), "{err}");
}

// Report-only with a report URI; without one it is a build error.
#[tokio::test]
async fn report_only_csp_uses_its_own_header() {
    let csp = Csp::builder(Policy::default())
        .report_only_mode()
        .report_uri("https://example.com/csp");
    let app = app_with(SecureHeaders::builder().csp(Some(csp)));
    let res = send(&app, get_req("/", "localhost"), CLIENT, HTTP).await;
    assert_eq!(header(&res, "content-security-policy"), None);
    assert!(header(&res, "content-security-policy-report-only")
        .unwrap()
        .contains("report-uri https://example.com/csp"));
    let err = SecureHeaders::builder()
        .csp(Some(Csp::builder(Policy::default()).report_only_mode()))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("report"), "{err}");
}

// The nonce is in the header and the body, only when the handler asked for it.
#[tokio::test]
async fn nonce_appears_only_when_the_page_asked_for_one() {
    let policy =
        Policy::from_pairs([("script-src", "'self'"), ("style-src", "example.com")]).unwrap();
    let app =
        app_with(SecureHeaders::builder().csp(Some(Csp::builder(policy).nonce_in(["script-src"]))));
    let res = send(&app, get_req("/with_nonce", "localhost"), CLIENT, HTTP).await;
    let csp = header(&res, "content-security-policy").unwrap().to_string();
    let body = body_string(res).await;
    let nonce = body
        .split("nonce=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(nonce.len(), 24);
    assert_eq!(
        csp,
        format!("script-src 'self' 'nonce-{nonce}'; style-src example.com")
    );
    // fresh per response
    let res2 = send(&app, get_req("/with_nonce", "localhost"), CLIENT, HTTP).await;
    assert!(!header(&res2, "content-security-policy")
        .unwrap()
        .contains(&nonce));
    // JSON that never asked: no nonce at all
    let res = send(&app, get_req("/json", "localhost"), CLIENT, HTTP).await;
    assert_eq!(
        header(&res, "content-security-policy"),
        Some("script-src 'self'; style-src example.com")
    );
}

// Differing from Talisman: a nonce directive missing from the policy inherits default-src plus the nonce.
#[tokio::test]
async fn nonce_for_a_missing_directive_copies_default_src() {
    let policy = Policy::from_pairs([("default-src", "'self' cdn.example")]).unwrap();
    let app =
        app_with(SecureHeaders::builder().csp(Some(Csp::builder(policy).nonce_in(["script-src"]))));
    let res = send(&app, get_req("/with_nonce", "localhost"), CLIENT, HTTP).await;
    let csp = header(&res, "content-security-policy").unwrap().to_string();
    assert!(
        csp.starts_with("default-src 'self' cdn.example; script-src 'self' cdn.example 'nonce-"),
        "{csp}"
    );
}

// CSP off for one route; other headers stay.
#[tokio::test]
async fn a_route_can_drop_or_replace_the_csp() {
    let res = send(
        &default_app(),
        get_req("/legacy", "localhost"),
        CLIENT,
        HTTP,
    )
    .await;
    assert_eq!(header(&res, "content-security-policy"), None);
    assert_eq!(header(&res, "x-frame-options"), Some("SAMEORIGIN"));
}

// Per-route: let one partner frame a page.
#[tokio::test]
async fn route_override_allows_partner_framing() {
    let res = send(
        &default_app(),
        get_req("/partner", "localhost"),
        CLIENT,
        HTTP,
    )
    .await;
    assert_eq!(header(&res, "x-frame-options"), None);
    assert!(header(&res, "content-security-policy")
        .unwrap()
        .contains("frame-ancestors 'self' https://partner.example"));
    let res = send(&default_app(), get_req("/", "localhost"), CLIENT, HTTP).await;
    assert!(header(&res, "content-security-policy")
        .unwrap()
        .contains("frame-ancestors 'self';"));
}

// A handler-returned override applies after the route layer's.
#[tokio::test]
async fn handler_override_wins_over_route_layer() {
    let res = send(
        &default_app(),
        get_req("/handler-override", "localhost"),
        CLIENT,
        HTTP,
    )
    .await;
    assert_eq!(header(&res, "x-frame-options"), Some("DENY"));
}

// Feature-Policy (obsolete) by hand.
#[tokio::test]
async fn feature_policy_can_be_sent_as_an_extra_header() {
    let app = app_with(SecureHeaders::builder().header(
        "feature-policy",
        "geolocation 'none'; fullscreen 'self' example.com",
    ));
    assert_eq!(
        header(
            &send(&app, get_req("/", "localhost"), CLIENT, HTTP).await,
            "feature-policy"
        ),
        Some("geolocation 'none'; fullscreen 'self' example.com")
    );
}

// Differing from Talisman: structured-field serialization.
#[tokio::test]
async fn permissions_policy_forms() {
    let pp = PermissionsPolicy::recommended().deny("geolocation").allow(
        "fullscreen",
        [
            Allow::SelfOrigin,
            Allow::origin("https://example.com").unwrap(),
        ],
    );
    let app = app_with(SecureHeaders::builder().permissions_policy(pp));
    assert_eq!(
        header(
            &send(&app, get_req("/", "localhost"), CLIENT, HTTP).await,
            "permissions-policy"
        ),
        Some(r#"browsing-topics=(), geolocation=(), fullscreen=(self "https://example.com")"#)
    );
    let app = app_with(SecureHeaders::builder().permissions_policy(PermissionsPolicy::new()));
    assert_eq!(
        header(
            &send(&app, get_req("/", "localhost"), CLIENT, HTTP).await,
            "permissions-policy"
        ),
        None
    );
    let app = app_with(
        SecureHeaders::builder()
            .permissions_policy(PermissionsPolicy::parse("vibrate=(), geolocation=()").unwrap()),
    );
    assert_eq!(
        header(
            &send(&app, get_req("/", "localhost"), CLIENT, HTTP).await,
            "permissions-policy"
        ),
        Some("vibrate=(), geolocation=()")
    );
    assert!(PermissionsPolicy::parse("geolocation=['self', 'a']").is_err());
}

// Document-Policy.
#[tokio::test]
async fn document_policy_is_sent_when_set() {
    let app = app_with(
        SecureHeaders::builder().document_policy(Some("oversized-images=?0, document-write=?0")),
    );
    assert_eq!(
        header(
            &send(&app, get_req("/", "localhost"), CLIENT, HTTP).await,
            "document-policy"
        ),
        Some("oversized-images=?0, document-write=?0")
    );
}

// The redirect carries the headers, no HSTS, no nonce, no cookie.
#[tokio::test]
async fn redirect_responses_carry_the_header_set() {
    let policy = Policy::from_pairs([("script-src", "'self'")]).unwrap();
    let app =
        app_with(SecureHeaders::builder().csp(Some(Csp::builder(policy).nonce_in(["script-src"]))));
    let res = send(&app, get_req("/with_nonce", "shop.example"), CLIENT, HTTP).await;
    assert_eq!(res.status(), 301);
    assert_eq!(
        header(&res, "content-security-policy"),
        Some("script-src 'self'")
    );
    assert_eq!(header(&res, "strict-transport-security"), None);
    assert_eq!(header(&res, "set-cookie"), None);
}

// Differing from Talisman: headers the handler set win, unless override_existing.
#[tokio::test]
async fn handler_headers_win_unless_override_existing() {
    let res = send(
        &default_app(),
        get_req("/own-headers", "localhost"),
        CLIENT,
        HTTP,
    )
    .await;
    assert_eq!(header(&res, "x-frame-options"), Some("DENY"));
    assert_eq!(
        header(&res, "content-security-policy"),
        Some("default-src 'none'")
    );
    let app = app_with(SecureHeaders::builder().override_existing(true));
    let res = send(&app, get_req("/own-headers", "localhost"), CLIENT, HTTP).await;
    assert_eq!(header(&res, "x-frame-options"), Some("SAMEORIGIN"));
    assert!(header(&res, "content-security-policy")
        .unwrap()
        .starts_with("default-src 'self'"));
}

// Differing from Talisman: bad values fail at build time instead of being printed verbatim.
#[test]
fn invalid_values_fail_when_the_set_is_built() {
    // Keyword headers are typed; their text form (config files) is checked when parsed.
    let err = "None".parse::<ReferrerPolicy>().unwrap_err();
    assert_eq!(err.setting(), "referrer_policy");
    assert!(
        err.message().contains("strict-origin-when-cross-origin"),
        "{err}"
    );
    let app_none = SecureHeaders::builder()
        .referrer_policy(None)
        .build()
        .unwrap();
    assert!(!app_none
        .header_values()
        .iter()
        .any(|(n, _)| n == "referrer-policy"));
    let err = SecureHeaders::builder()
        .header("x-custom", "a\r\nset-cookie: x=1")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("injection"), "{err}");
    let err = "require_corp"
        .parse::<CrossOriginEmbedderPolicy>()
        .unwrap_err();
    assert!(err.to_string().contains("require-corp"), "{err}");
    assert!(Policy::parse("script-src self")
        .unwrap_err()
        .to_string()
        .contains("'self'"));
}

// Static files get the headers.
#[tokio::test]
async fn static_files_get_the_header_set() {
    let res = send(
        &default_app(),
        get_req("/static/app.css", "shop.example"),
        CLIENT,
        HTTPS,
    )
    .await;
    assert_eq!(header(&res, "content-type"), Some("text/css"));
    assert_eq!(header(&res, "x-content-type-options"), Some("nosniff"));
    assert!(header(&res, "content-security-policy").is_some());
}

// Cookie hardening: Secure only on secure requests.
#[tokio::test]
async fn cookies_are_hardened() {
    let res = send(
        &default_app(),
        get_req("/cookie", "shop.example"),
        CLIENT,
        HTTPS,
    )
    .await;
    assert_eq!(
        header(&res, "set-cookie"),
        Some("sid=abc; Path=/; HttpOnly; SameSite=Lax; Secure")
    );
    let res = send(
        &default_app(),
        get_req("/cookie", "localhost:8000"),
        CLIENT,
        HTTP,
    )
    .await;
    assert_eq!(
        header(&res, "set-cookie"),
        Some("sid=abc; Path=/; HttpOnly; SameSite=Lax")
    );
    let app = app_with(SecureHeaders::builder().cookies(CookieHardening::default().exclude("sid")));
    let res = send(&app, get_req("/cookie", "shop.example"), CLIENT, HTTPS).await;
    assert_eq!(header(&res, "set-cookie"), Some("sid=abc; Path=/"));
}

// A forged Host cannot choose the redirect target.
#[tokio::test]
async fn allowed_hosts_refuse_forged_host() {
    let app = app_with(
        SecureHeaders::builder()
            .https_redirect(HttpsRedirect::default().allowed_hosts(["shop.example"])),
    );
    let res = send(&app, get_req("/", "evil.example"), CLIENT, HTTP).await;
    assert_eq!(res.status(), 400);
    assert!(body_string(res).await.contains("Host"));
    let res = send(&app, get_req("/", "shop.example"), CLIENT, HTTP).await;
    assert_eq!(res.status(), 301);
    let no_host = Request::get("/").body(Body::empty()).unwrap();
    assert_eq!(send(&app, no_host, CLIENT, HTTP).await.status(), 400);
}

// A real server on 127.0.0.1 and a real HTTP client.
#[tokio::test]
async fn real_server_and_client() {
    let addr = serve(default_app()).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = client.get(format!("http://{addr}/")).send().await.unwrap();
    assert_eq!(res.status(), 200, "loopback host over http is served");
    assert_eq!(res.headers()["x-frame-options"], "SAMEORIGIN");
    assert!(res.headers().get("strict-transport-security").is_none());
    // The same server addressed by a public name is redirected...
    let res = client
        .get(format!("http://{addr}/x?y=1"))
        .header("host", "shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 301);
    assert_eq!(res.headers()["location"], "https://shop.example/x?y=1");
    // ...unless the trusted local proxy says the client used https.
    let res = client
        .get(format!("http://{addr}/"))
        .header("host", "shop.example")
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
}

// A route's replacement policy with nonces on an app whose own policy has none:
// the handler's nonce is the one in the header (the request's own cells).
#[tokio::test]
async fn route_replacement_policy_with_nonce() {
    let strict = Csp::builder(Policy::strict())
        .nonce_in(["script-src"])
        .build()
        .unwrap();
    let app = Router::new()
        .route(
            "/strict",
            get(|n: CspNonce| async move { format!("{n}") })
                .layer(OverrideLayer::new(Overrides::new().csp(strict))),
        )
        .layer(SecureHeadersLayer::default());
    let res = send(&app, get_req("/strict", "localhost"), CLIENT, HTTP).await;
    let csp = header(&res, "content-security-policy").unwrap().to_string();
    let nonce = body_string(res).await;
    assert_eq!(nonce.len(), 24);
    assert!(csp.contains(&format!("'nonce-{nonce}'")), "{csp}");
}

/// The request carries a `RequestScope` only when something downstream can use
/// it: a policy with nonces, or a trusted proxy whose facts a CSRF layer reuses.
/// Either way the response gets the same header set.
#[tokio::test]
async fn scope_on_the_request_only_when_needed() {
    use rampart::core::RequestScope;
    async fn scoped(scope: Option<Extension<RequestScope>>) -> String {
        match scope {
            Some(Extension(s)) => format!("shared secure={}", s.facts().secure()),
            None => "none".into(),
        }
    }
    let cases = [
        (SecureHeaders::builder(), "none"),
        (
            SecureHeaders::builder().csp(Some(
                Csp::builder(Policy::strict()).nonce_in(["script-src"]),
            )),
            "shared secure=true",
        ),
        (
            SecureHeaders::builder().proxy_trust(ProxyTrust::loopback(ProxyHeaders::X_FORWARDED)),
            "shared secure=true",
        ),
    ];
    for (builder, expected) in cases {
        let app = Router::new()
            .route("/", get(scoped))
            .layer(SecureHeadersLayer::new(builder.build().unwrap()));
        let res = send(&app, get_req("/", "shop.example"), "127.0.0.1", true).await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            header(&res, "strict-transport-security"),
            Some("max-age=31536000; includeSubDomains")
        );
        assert_eq!(header(&res, "x-frame-options"), Some("SAMEORIGIN"));
        assert_eq!(body_string(res).await, expected);
    }
}

/// A page that used its nonce is `private, no-store` unless the handler chose
/// a `Cache-Control`, on the prebuilt-map path and the overrides path alike;
/// the setting changes or removes it; pages without a nonce keep what they had.
#[tokio::test]
async fn nonce_pages_are_kept_out_of_shared_caches() {
    let nonce_csp = || Csp::builder(Policy::strict()).nonce_in(["script-src"]);
    let page = |n: CspNonce| async move { Html(format!("<script nonce=\"{n}\"></script>")) };
    let app = |b: SecureHeadersBuilder| {
        Router::new()
            .route("/with_nonce", get(page))
            .route(
                "/own",
                get(|n: CspNonce| async move {
                    ([("cache-control", "public, max-age=60")], format!("{n}"))
                }),
            )
            .route(
                "/overridden",
                get(page).layer(OverrideLayer::new(
                    Overrides::new().frame_options(FrameOptions::Deny),
                )),
            )
            .route("/plain", get(|| async { "no nonce" }))
            .layer(SecureHeadersLayer::new(b.build().unwrap()))
    };
    let default = app(SecureHeaders::builder().csp(Some(nonce_csp())));
    for (path, expected) in [
        ("/with_nonce", Some("private, no-store")),
        ("/overridden", Some("private, no-store")),
        ("/own", Some("public, max-age=60")),
        ("/plain", None),
    ] {
        let res = send(&default, get_req(path, "localhost"), CLIENT, HTTP).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(header(&res, "cache-control"), expected, "{path}");
    }
    // A Cache-Control the set adds as an extra header is not the handler's
    // choice: a nonce page still gets the private one.
    let extra = app(SecureHeaders::builder()
        .csp(Some(nonce_csp()))
        .header("cache-control", "public, max-age=3600"));
    let res = send(&extra, get_req("/with_nonce", "localhost"), CLIENT, HTTP).await;
    assert_eq!(header(&res, "cache-control"), Some("private, no-store"));
    let res = send(&extra, get_req("/plain", "localhost"), CLIENT, HTTP).await;
    assert_eq!(header(&res, "cache-control"), Some("public, max-age=3600"));
    for (setting, expected) in [(Some("no-store"), Some("no-store")), (None, None)] {
        let a = app(SecureHeaders::builder()
            .csp(Some(nonce_csp()))
            .nonce_cache_control(setting));
        let res = send(&a, get_req("/with_nonce", "localhost"), CLIENT, HTTP).await;
        assert_eq!(header(&res, "cache-control"), expected, "{setting:?}");
    }
}

/// A redirect that would go to any host the request names says so once, when
/// the set is built, naming the setting; a host list or no redirect is silent.
#[test]
fn an_open_redirect_is_named_at_build_time() {
    let logs = capture_logs();
    SecureHeaders::builder().build().unwrap();
    let warned = logs.lines_containing("no allowed hosts are set");
    assert_eq!(warned.len(), 1, "{}", logs.text());
    assert!(
        warned[0].contains("HttpsRedirect::allowed_hosts"),
        "{}",
        warned[0]
    );
    drop(logs);
    let logs = capture_logs();
    SecureHeaders::builder()
        .https_redirect(HttpsRedirect::default().allowed_hosts(["shop.example"]))
        .build()
        .unwrap();
    SecureHeaders::builder()
        .https_redirect(HttpsRedirect::disabled())
        .build()
        .unwrap();
    assert_eq!(
        logs.lines_containing("allowed hosts").len(),
        0,
        "{}",
        logs.text()
    );
}
