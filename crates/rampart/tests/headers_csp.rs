//! The CSP part of the secure headers layer through a real axum Router: policy
//! forms, report-only, nonces only when a page asks, per-route policies, and
//! what nonce pages carry.

mod common;

use axum::response::Html;
use axum::routing::get;
use axum::Router;
use common::headers_app::*;
use common::*;
use rampart::core::csp::{Csp, Policy};
use rampart::core::headers::{FrameOptions, Overrides, SecureHeaders, SecureHeadersBuilder};
use rampart::{CspNonce, OverrideLayer, SecureHeadersLayer};

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

/// A directive rampart does not know yet keeps the rest of the CSP, nonce
/// included, instead of `csp(None)` plus a raw header (issue 16, item 7).
#[tokio::test]
async fn an_unknown_directive_keeps_the_policy_and_its_nonce() {
    let policy = Policy::strict()
        .with_unknown_directive("future-feature-src", "'self'")
        .unwrap();
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
        .unwrap();
    assert!(csp.contains("future-feature-src 'self'"), "{csp}");
    assert!(csp.contains(&format!("'nonce-{nonce}'")), "{csp}");
}
