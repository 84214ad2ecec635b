//! The secure headers layer, driven through a real axum Router: Flask-Talisman's
//! tested behaviours, and where rampart differs from them.

mod common;

use axum::body::Body;
use axum::routing::get;
use axum::{Extension, Router};
use common::headers_app::*;
use common::*;
use http::Request;
use rampart::core::csp::{Csp, Policy};
use rampart::core::headers::{
    Allow, CookieHardening, CrossOriginEmbedderPolicy, FrameOptions, Hsts, PermissionsPolicy,
    ReferrerPolicy, SecureHeaders,
};
use rampart::core::{ProxyHeaders, ProxyTrust};
use rampart::SecureHeadersLayer;

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

/// The report-only variants of COOP and COEP reach responses (issue 16, item 7).
#[tokio::test]
async fn report_only_isolation_headers_are_sent() {
    use rampart::core::headers::{CrossOriginEmbedderPolicy, CrossOriginOpenerPolicy};
    let app = app_with(
        SecureHeaders::builder()
            .cross_origin_opener_policy_report_only(
                Some(CrossOriginOpenerPolicy::SameOrigin),
                Some("coop"),
            )
            .cross_origin_embedder_policy_report_only(
                Some(CrossOriginEmbedderPolicy::RequireCorp),
                None,
            ),
    );
    let res = send(&app, get_req("/", "localhost"), CLIENT, HTTP).await;
    assert_eq!(
        header(&res, "cross-origin-opener-policy-report-only"),
        Some(r#"same-origin; report-to="coop""#)
    );
    assert_eq!(
        header(&res, "cross-origin-embedder-policy-report-only"),
        Some("require-corp")
    );
    assert_eq!(
        header(&res, "cross-origin-opener-policy"),
        Some("same-origin")
    );
}
