//! Unit tests of proxy trust, forwarded headers and hosts on plain `http` types.

use http::{HeaderMap, Uri};

use super::forwarded::parse_node;
use super::host::valid_host;
use super::*;

fn facts(trust: &ProxyTrust, peer: &str, hdrs: &[(&str, &str)]) -> RequestFacts {
    let mut b = http::Request::get("/");
    for (k, v) in hdrs {
        b = b.header(*k, *v);
    }
    let r = b.body(()).unwrap();
    trust.facts(
        ConnectionInfo::peer(peer.parse().unwrap()),
        r.uri(),
        r.headers(),
    )
}

#[test]
fn forwarded_proto_only_from_trusted_peer() {
    let t = ProxyTrust::peers(["10.0.0.0/8"], ProxyHeaders::X_FORWARDED);
    let h = [("host", "a.example"), ("x-forwarded-proto", "https")];
    assert!(facts(&t, "10.2.3.4", &h).secure());
    assert!(!facts(&t, "11.2.3.4", &h).secure());
    assert!(!facts(&ProxyTrust::nobody(), "10.2.3.4", &h).secure());
}

#[test]
fn last_hop_wins_and_case_is_ignored() {
    let t = ProxyTrust::loopback(ProxyHeaders::X_FORWARDED);
    let f = facts(&t, "127.0.0.1", &[("x-forwarded-proto", "http, HTTPS")]);
    assert!(f.secure());
    let f = facts(&t, "127.0.0.1", &[("x-forwarded-proto", "https, http")]);
    assert!(!f.secure());
}

#[test]
fn rfc7239_forwarded() {
    let t = ProxyTrust::loopback(ProxyHeaders::FORWARDED);
    let f = facts(
        &t,
        "::1",
        &[
            ("host", "internal:8080"),
            ("forwarded", "for=1.2.3.4;proto=https;host=\"Shop.example\""),
        ],
    );
    assert!(f.secure());
    assert_eq!(f.host(), Some("shop.example"));
    assert_eq!(f.origin().unwrap().to_string(), "https://shop.example");
}

#[test]
fn unreadable_forwarded_header_does_not_fall_back_to_x_forwarded() {
    let t = ProxyTrust::loopback(ProxyHeaders::FORWARDED);
    let mut h = HeaderMap::new();
    h.insert("host", "shop.example".parse().unwrap());
    h.insert(
        "forwarded",
        http::HeaderValue::from_bytes(b"for=1.2.3.4;host=\xff").unwrap(),
    );
    h.insert("x-forwarded-proto", "https".parse().unwrap());
    h.insert("x-forwarded-host", "evil.example".parse().unwrap());
    let uri: Uri = "/".parse().unwrap();
    let f = t.facts(ConnectionInfo::peer("127.0.0.1".parse().unwrap()), &uri, &h);
    assert!(!f.secure() && f.from_trusted_proxy());
    assert_eq!(f.host(), Some("shop.example"));
}

#[test]
fn empty_peer_list_trusts_nobody() {
    let t = ProxyTrust::peers(Vec::<&str>::new(), ProxyHeaders::X_FORWARDED);
    assert!(t.trusts_nobody() && !t.trusts(Some("127.0.0.1".parse().unwrap())));
}

/// The attack probe's three requests: nginx sets X-Forwarded-Proto and
/// passes the client's own `Forwarded` header through. Only the headers the
/// proxy is said to write are read.
#[test]
fn a_client_forwarded_header_is_ignored_when_the_proxy_writes_x_forwarded() {
    let t = ProxyTrust::loopback(ProxyHeaders::X_FORWARDED);
    for client in [
        "for=198.51.100.7",
        "proto=http;host=evil.example",
        "host=localhost;proto=http",
    ] {
        let f = facts(
            &t,
            "127.0.0.1",
            &[
                ("host", "shop.example"),
                ("forwarded", client),
                ("x-forwarded-proto", "https"),
            ],
        );
        assert!(f.secure(), "{client}");
        assert_eq!(f.host(), Some("shop.example"), "{client}");
    }
}

#[test]
fn x_forwarded_headers_are_read_only_when_named() {
    let proto_only = ProxyTrust::loopback(ProxyHeaders::X_FORWARDED_PROTO);
    let h = [
        ("host", "shop.example"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "evil.example"),
        ("x-forwarded-for", "198.51.100.7"),
    ];
    let f = facts(&proto_only, "127.0.0.1", &h);
    assert!(f.secure());
    assert_eq!(f.host(), Some("shop.example"));
    let mut headers = HeaderMap::new();
    headers.insert("x-forwarded-for", "198.51.100.7".parse().unwrap());
    let proxy = ConnectionInfo::peer("127.0.0.1".parse().unwrap());
    assert_eq!(
        proto_only.client_addr(proxy, &headers),
        Some("127.0.0.1".parse().unwrap())
    );
    let all = ProxyTrust::loopback(ProxyHeaders::X_FORWARDED);
    assert_eq!(facts(&all, "127.0.0.1", &h).host(), Some("evil.example"));
    assert_eq!(
        all.client_addr(proxy, &headers),
        Some("198.51.100.7".parse().unwrap())
    );
    // A proxy said to write `Forwarded` has none of X-Forwarded-* read.
    let rfc = ProxyTrust::loopback(ProxyHeaders::FORWARDED);
    let f = facts(&rfc, "127.0.0.1", &h);
    assert!(!f.secure() && !f.from_trusted_proxy());
    assert_eq!(
        rfc.client_addr(proxy, &headers),
        Some("127.0.0.1".parse().unwrap())
    );
}

#[test]
fn header_sets_must_be_named_and_not_mixed() {
    let none = ProxyTrust::loopback(ProxyHeaders::default());
    assert_eq!(none.problems().count(), 1);
    // A trust made with a mistake believes nobody until its layer refuses it.
    assert!(!none.trusts(Some("127.0.0.1".parse().unwrap())));
    let mixed = ProxyTrust::all_traffic_via_proxy(
        ProxyHeaders::FORWARDED | ProxyHeaders::X_FORWARDED_PROTO,
    );
    let e = mixed.problems().next().unwrap();
    assert!(e.to_string().contains("not both"), "{e}");
    assert!(!mixed.trusts(None));
    let bad = ProxyTrust::peers(["10.0.0.0/8", "nope"], ProxyHeaders::X_FORWARDED);
    assert_eq!(
        bad.problems().map(|p| p.setting()).collect::<Vec<_>>(),
        ["trusted_proxies"]
    );
}

#[test]
fn client_nodes() {
    for (v, ip) in [
        ("203.0.113.9", Some("203.0.113.9")),
        ("203.0.113.9:5678", Some("203.0.113.9")),
        ("\"[2001:db8::1]:4711\"", Some("2001:db8::1")),
        ("2001:db8::1", Some("2001:db8::1")),
        ("::ffff:192.0.2.1", Some("192.0.2.1")),
        ("unknown", None),
        ("_hidden", None),
    ] {
        assert_eq!(parse_node(v), ip.map(|i| i.parse().unwrap()), "{v}");
    }
    let rfc = ProxyTrust::loopback(ProxyHeaders::FORWARDED);
    let mut h = HeaderMap::new();
    h.insert(
        "forwarded",
        "for=1.1.1.1, for=\"[2001:db8::7]:99\";proto=https"
            .parse()
            .unwrap(),
    );
    let proxy = ConnectionInfo::peer("::1".parse().unwrap());
    assert_eq!(
        rfc.client_addr(proxy, &h),
        Some("2001:db8::7".parse().unwrap())
    );
}

#[test]
fn forwarded_values_are_read_with_their_quotes() {
    let rfc = ProxyTrust::loopback(ProxyHeaders::FORWARDED);
    let proxy = ConnectionInfo::peer("127.0.0.1".parse().unwrap());
    let read = |v: &str| {
        let mut h = HeaderMap::new();
        h.insert("host", "shop.example".parse().unwrap());
        h.insert("forwarded", v.parse().unwrap());
        let uri: Uri = "/".parse().unwrap();
        (rfc.facts(proxy, &uri, &h), rfc.client_addr(proxy, &h))
    };
    // A client's `Host: x;for=1.2.3.4;proto=https` quoted by the proxy stays one value.
    let (f, client) = read(r#"for=203.0.113.9;host="x;for=1.2.3.4;proto=https";proto=http"#);
    assert!(!f.secure());
    assert_eq!(f.host(), None); // the proxy named no valid host: none at all
    assert_eq!(client, Some("203.0.113.9".parse().unwrap()));
    // A comma inside quotes does not start an element.
    let (f, _) = read(r#"for=1.1.1.1;proto=https, for="a,b";proto=http"#);
    assert!(!f.secure());
    // A repeated parameter or broken syntax makes the element unreadable.
    for bad in [
        "for=1.1.1.1;proto=http;proto=https",
        "proto=https;host=\"open",
        "proto",
    ] {
        let (f, client) = read(bad);
        assert!(!f.secure() && f.from_trusted_proxy(), "{bad}");
        assert_eq!(client, Some("127.0.0.1".parse().unwrap()), "{bad}");
    }
    let (f, _) = read(r#"For="[2001:db8::1]:4711" ; Proto=HTTPS ; Host=Shop.example"#);
    assert!(f.secure());
    assert_eq!(f.host(), Some("shop.example"));
}

#[test]
fn a_forwarded_loopback_host_is_not_believed() {
    // Nor replaced by the request's own Host: the request has no host (400).
    let t = ProxyTrust::loopback(ProxyHeaders::X_FORWARDED);
    for forwarded in ["localhost", "[::1]:80", "127.0.0.1:8000"] {
        let f = facts(
            &t,
            "127.0.0.1",
            &[("host", "shop.example"), ("x-forwarded-host", forwarded)],
        );
        assert_eq!(f.host(), None, "{forwarded}");
        assert!(!f.is_loopback_host(), "{forwarded}");
    }
}

#[test]
fn hosts() {
    for ok in [
        "shop.example",
        "shop.example:8443",
        "a-b_c.example",
        "127.0.0.1:80",
        "[::1]",
        "[2001:db8::1]:443",
        "localhost",
    ] {
        assert!(valid_host(ok), "{ok}");
    }
    for bad in [
        "",
        "evil.example;",
        "evil.example'",
        "a@b",
        "a b",
        "a%2eb",
        "shop.example:",
        "shop.example:99999",
        "shop.example:8x",
        "[::1",
        "[nope]",
        "[::1]x",
        "127.1",
        "2130706433",
        "0x7f.1",
        "a.0x7f",
        "1.2.3.4.5",
        ".shop",
        "-shop",
        "Shop.example",
    ] {
        assert!(!valid_host(bad), "{bad}");
    }
}

#[test]
fn ipv4_mapped_peer_is_canonicalised() {
    let t = ProxyTrust::loopback(ProxyHeaders::X_FORWARDED);
    assert!(t.trusts(Some("::ffff:127.0.0.1".parse().unwrap())));
}

#[test]
fn bad_host_header_gives_no_host() {
    let f = facts(
        &ProxyTrust::nobody(),
        "1.1.1.1",
        &[("host", "evil.example@good")],
    );
    assert_eq!(f.host(), None);
    let f = facts(&ProxyTrust::nobody(), "1.1.1.1", &[("host", "a b")]);
    assert_eq!(f.host(), None);
}

#[test]
fn loopback_hosts() {
    for h in [
        "localhost",
        "LOCALHOST:8000",
        "127.0.0.1:3000",
        "127.9.9.9",
        "[::1]:8000",
    ] {
        assert!(
            facts(&ProxyTrust::nobody(), "1.1.1.1", &[("host", h)]).is_loopback_host(),
            "{h}"
        );
    }
    for h in ["example.com", "localhost.evil.com", "10.0.0.1", "[::2]"] {
        assert!(
            !facts(&ProxyTrust::nobody(), "1.1.1.1", &[("host", h)]).is_loopback_host(),
            "{h}"
        );
    }
}
