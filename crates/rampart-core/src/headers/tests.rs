//! Unit tests of the header set on plain `http` types.

use super::*;
use crate::csp::{Csp, Policy};
use crate::RequestFacts;

fn facts(secure: bool) -> RequestFacts {
    RequestFacts::test(secure, "shop.example")
}

/// Every (name, value) in map order, values of one name in their order.
fn listed(h: &HeaderMap) -> Vec<(String, String)> {
    let mut names: Vec<&HeaderName> = h.keys().collect();
    names.sort_by_key(|n| n.as_str());
    names
        .into_iter()
        .flat_map(|n| {
            h.get_all(n)
                .iter()
                .map(move |v| (n.to_string(), v.to_str().unwrap().to_string()))
        })
        .collect()
}

/// The template path must give exactly what inserting one by one gives
/// (forced here with empty overrides, which change nothing).
#[test]
fn template_path_equals_insert_path() {
    let nonce_csp = Csp::builder(Policy::strict())
        .nonce_in(["script-src"])
        .build()
        .unwrap();
    // Enforced and report-only policies, both with the nonce.
    let two_csp = Csp::builder(Policy::strict())
        .nonce_in(["script-src"])
        .report_only(Policy::strict())
        .report_uri("https://reports.example/csp")
        .build()
        .unwrap();
    let sets = [
        SecureHeaders::default(),
        SecureHeaders::builder()
            .override_existing(true)
            .build()
            .unwrap(),
        SecureHeaders::builder()
            .compiled_csp(nonce_csp.clone())
            .build()
            .unwrap(),
        SecureHeaders::builder()
            .compiled_csp(two_csp.clone())
            .build()
            .unwrap(),
        // An extra header given twice: which value wins must not depend
        // on the path.
        SecureHeaders::builder()
            .compiled_csp(two_csp.clone())
            .header("x-extra", "1")
            .header("x-extra", "2")
            .build()
            .unwrap(),
        SecureHeaders::builder()
            .compiled_csp(two_csp.clone())
            .override_existing(true)
            .header("x-extra", "1")
            .header("x-extra", "2")
            .build()
            .unwrap(),
    ];
    let handler_maps: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("content-type", "text/html")],
        vec![
            ("content-type", "application/json"),
            ("x-frame-options", "DENY"),
            ("set-cookie", "a=1; Path=/"),
            ("set-cookie", "b=2"),
            ("content-security-policy", "default-src 'none'"),
            ("vary", "accept"),
            ("vary", "origin"),
        ],
    ];
    for sh in &sets {
        for secure in [false, true] {
            for hm in &handler_maps {
                let mut base = HeaderMap::new();
                for (k, v) in hm {
                    base.append(
                        HeaderName::from_static(k),
                        HeaderValue::from_str(v).unwrap(),
                    );
                }
                let nonces = sh.csp().and_then(|c| c.new_request_nonces());
                if let Some(n) = &nonces {
                    let _ = n.script().value();
                }
                let (mut fast, mut slow) = (base.clone(), base.clone());
                sh.apply(&facts(secure), nonces.as_ref(), None, &mut fast);
                let none = Overrides::new();
                sh.apply(&facts(secure), nonces.as_ref(), Some(&none), &mut slow);
                assert_eq!(
                    listed(&fast),
                    listed(&slow),
                    "secure={secure} handler={hm:?}"
                );
                // A handler's own enforced CSP leaves the report-only one ours,
                // nonce included.
                if let Some(ro) = fast.get("content-security-policy-report-only") {
                    assert!(ro.to_str().unwrap().contains("'nonce-"), "{ro:?}");
                }
                // Handler values win by default, ours with override_existing.
                if hm.len() > 2 {
                    let xfo = if sh.inner.override_existing {
                        "SAMEORIGIN"
                    } else {
                        "DENY"
                    };
                    assert_eq!(fast["x-frame-options"], xfo);
                    assert_eq!(fast.get_all("set-cookie").iter().count(), 2);
                }
                if let Some(x) = fast.get("x-extra") {
                    let last = if sh.inner.override_existing { "2" } else { "1" };
                    assert_eq!(x, last);
                }
            }
        }
    }
}

/// An extra header may not name one the set writes itself (one of the two
/// values would vanish, which one depending on `override_existing`); it may
/// once that setting is off.
#[test]
fn extra_headers_cannot_shadow_the_set() {
    use crate::csp::{Csp, Policy};
    let with_ro = || {
        Csp::builder(Policy::strict())
            .report_only(Policy::strict())
            .report_uri("https://reports.example/csp")
    };
    let refused = [
        SecureHeaders::builder().header("X-Frame-Options", "DENY"),
        SecureHeaders::builder().header("strict-transport-security", "max-age=1"),
        SecureHeaders::builder().header("content-security-policy", "default-src 'self'"),
        SecureHeaders::builder()
            .csp(Some(with_ro()))
            .header("content-security-policy-report-only", "default-src 'self'"),
    ];
    for b in refused {
        let e = b.build().unwrap_err();
        assert_eq!(e.setting(), "header");
        assert!(
            e.to_string().contains("already written by this header set"),
            "{e}"
        );
    }
    let sh = SecureHeaders::builder()
        .frame_options(FrameOptions::Off)
        .hsts(None)
        .csp(None)
        .header("x-frame-options", "DENY")
        .header("strict-transport-security", "max-age=60")
        .header("content-security-policy", "default-src 'self'")
        .build()
        .unwrap();
    let mut h = HeaderMap::new();
    sh.apply(&facts(true), None, None, &mut h);
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["strict-transport-security"], "max-age=60");
    assert_eq!(h["content-security-policy"], "default-src 'self'");
}

/// Behind a proxy that passes nginx's default `Host` (its upstream address,
/// a loopback one) and reports only the scheme, plain-http requests are still
/// redirected: the loopback exemption is for local development, not proxies.
#[test]
fn a_loopback_host_through_a_proxy_is_still_redirected() {
    use crate::adapter::Inbound;
    use crate::{ConnectionInfo, ProxyHeaders, ProxyTrust};
    let trust =
        ProxyTrust::loopback(ProxyHeaders::X_FORWARDED_PROTO | ProxyHeaders::X_FORWARDED_FOR);
    let sh = SecureHeaders::builder().proxy_trust(trust).build().unwrap();
    let proxy = ConnectionInfo::peer("127.0.0.1".parse().unwrap());
    let via_proxy = http::Request::get("/login")
        .header("host", "127.0.0.1:8000")
        .header("x-forwarded-proto", "http")
        .body(())
        .unwrap()
        .into_parts()
        .0;
    let Inbound::Respond(res) = sh.inbound(proxy, &via_proxy) else {
        panic!("a plain-http request through the proxy is not served")
    };
    assert_eq!(res.status(), 301);
    // Local development, no proxy in between: served over http.
    let local = http::Request::get("/login")
        .header("host", "127.0.0.1:8000")
        .body(())
        .unwrap()
        .into_parts()
        .0;
    assert!(matches!(sh.inbound(proxy, &local), Inbound::Continue(_)));
}
