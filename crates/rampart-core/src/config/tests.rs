//! Each preset, the round trip, the environment, and each kind of bad file
//! with its message.

use super::*;
use crate::csp::{Csp, Policy};
use crate::csrf::Decision;
use crate::headers::SecureHeaders;
use crate::{RequestFacts, Scheme};

fn values(h: &SecureHeaders) -> Vec<(String, String)> {
    h.header_values()
        .into_iter()
        .map(|(n, v)| (n.as_str().to_owned(), v))
        .collect()
}

fn err(text: &str) -> ConfigError {
    Config::from_toml(text).unwrap_err()
}

#[test]
fn strict_is_ramparts_defaults_with_the_strict_policy() {
    let from_file = Config::from_toml("preset = \"strict\"\n").unwrap();
    let in_code = SecureHeaders::builder()
        .csp(Some(
            Csp::builder(Policy::strict()).nonce_in(["script-src"]),
        ))
        .build()
        .unwrap();
    assert_eq!(
        values(&from_file.secure_headers().unwrap()),
        values(&in_code)
    );
    // No preset named: strict.
    assert_eq!(Config::from_toml("").unwrap(), from_file);
}

#[test]
fn talisman_sends_exactly_flask_talismans_default_headers() {
    let h = Config::preset("talisman")
        .unwrap()
        .secure_headers()
        .unwrap();
    for (n, v) in [
        (
            "strict-transport-security",
            "max-age=31556926; includeSubDomains",
        ),
        ("x-frame-options", "SAMEORIGIN"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "strict-origin-when-cross-origin"),
        ("permissions-policy", "browsing-topics=()"),
        (
            "content-security-policy",
            "default-src 'self'; object-src 'none'",
        ),
    ] {
        assert!(
            values(&h).contains(&(n.into(), v.into())),
            "{n}: {:?}",
            values(&h)
        );
    }
    let names: std::collections::BTreeSet<String> =
        values(&h).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        [
            "content-security-policy",
            "permissions-policy",
            "referrer-policy",
            "strict-transport-security",
            "x-content-type-options",
            "x-frame-options",
        ]
    );
}

#[test]
fn api_drops_document_headers_and_checks_csrf_without_tokens() {
    let cfg = Config::preset("api").unwrap();
    let h = values(&cfg.secure_headers().unwrap());
    for gone in [
        "x-frame-options",
        "permissions-policy",
        "cross-origin-opener-policy",
        "x-permitted-cross-domain-policies",
        "x-dns-prefetch-control",
        "origin-agent-cluster",
        "x-xss-protection",
    ] {
        assert!(h.iter().all(|(n, _)| n != gone), "{gone} in {h:?}");
    }
    assert!(h.contains(&(
        "content-security-policy".into(),
        "default-src 'none'; frame-ancestors 'none'".into()
    )));
    let csrf = cfg.csrf_with(|b| b.key(&[3; 32])).unwrap().unwrap();
    let facts = RequestFacts::new(Scheme::Https, Some("api.example"));
    let post = |site: &str| {
        http::Request::post("/v1/items")
            .header("sec-fetch-site", site)
            .body(())
            .unwrap()
            .into_parts()
            .0
    };
    assert!(matches!(
        csrf.check(&post("same-origin"), &facts, None),
        Decision::Pass(_)
    ));
    assert!(matches!(
        csrf.check(&post("cross-site"), &facts, None),
        Decision::Reject(_)
    ));
}

#[test]
fn every_preset_and_a_custom_file_round_trip() {
    for name in ["strict", "talisman", "api"] {
        let cfg = Config::preset(name).unwrap();
        let again = Config::from_toml(&cfg.to_toml()).unwrap();
        assert_eq!(again, cfg, "{name}");
        assert_eq!(again.to_toml(), cfg.to_toml());
    }
    let custom = Config::from_toml(
        "preset = \"talisman\"\n[csp]\npolicy = \"\"\n\n[csp.directives]\n\"default-src\" = [\"'self'\"]\n\"img-src\" = \"*\"\n[csrf]\ntrusted_origins = [\"https://*.example.com\"]\n",
    )
    .unwrap();
    assert_eq!(Config::from_toml(&custom.to_toml()).unwrap(), custom);
}

#[test]
fn the_dict_form_keeps_directive_order_and_takes_talismans_stray_spaces() {
    let cfg = Config::from_toml(
        "[csp]\npolicy = \"\"\nnonce_in = []\n[csp.directives]\n\"img-src\" = [\"*\"]\n\"base-uri\" = [\" 'self'\"]\n",
    )
    .unwrap();
    let h = values(&cfg.secure_headers().unwrap());
    let csp = &h
        .iter()
        .find(|(n, _)| n == "content-security-policy")
        .unwrap()
        .1;
    assert_eq!(csp, "img-src *; base-uri 'self'");
}

#[test]
fn the_environment_supplies_hosts_proxies_and_the_report_uri() {
    let vars = |k: &str| match k {
        "RAMPART_ALLOWED_HOSTS" => Some("shop.example, www.shop.example".to_owned()),
        "RAMPART_TRUSTED_PROXIES" => Some("10.0.0.0/8".to_owned()),
        "RAMPART_CSP_REPORT_URI" => Some("/csp-report".to_owned()),
        _ => None,
    };
    let behind_proxy = "[proxy]\nheaders = [\"x-forwarded-proto\", \"x-forwarded-for\"]\n";
    let cfg = Config::from_toml(behind_proxy)
        .unwrap()
        .with_vars(vars)
        .unwrap();
    let text = cfg.to_toml();
    assert!(
        text.contains("allowed_hosts = [\n    \"shop.example\",\n    \"www.shop.example\",\n]"),
        "{text}"
    );
    assert!(text.contains("trust = \"peers\""), "{text}");
    assert_eq!(cfg.csp_report_uri(), Some("/csp-report"));
    assert!(cfg.report_collector(|_| {}).unwrap().is_some());
    let bad = Config::from_toml(behind_proxy)
        .unwrap()
        .with_vars(|k| (k == "RAMPART_TRUSTED_PROXIES").then(|| "10.0.0.0/99".to_owned()))
        .unwrap_err();
    assert!(bad.setting().contains("proxy"), "{bad}");
    assert_eq!(bad.problems().count(), 1, "reported once: {bad}");
    // Proxies without the headers they write: said in the file's terms.
    let e = Config::preset("strict")
        .unwrap()
        .with_vars(|k| (k == "RAMPART_TRUSTED_PROXIES").then(|| "10.0.0.1".to_owned()))
        .unwrap_err();
    assert!(e.setting().ends_with("proxy.headers"), "{e}");
    assert!(e.message().contains("x-forwarded-proto"), "{e}");
}

#[test]
fn a_toml_syntax_error_names_the_file_and_line() {
    let e = err("[headers]\nframe_options = \"DENY\n");
    assert_eq!(e.setting(), "<string>:2");
    assert!(e.message().contains("string"), "{e}");
}

#[test]
fn an_unknown_key_is_named_with_its_line_and_the_keys_allowed() {
    let e = err("[headers]\nframe_option = \"DENY\"\n");
    assert_eq!(e.setting(), "<string>:2");
    assert!(e.message().contains("unknown field `frame_option`"), "{e}");
    assert!(e.message().contains("frame_options"), "{e}");
}

#[test]
fn a_value_of_the_wrong_type_is_refused_at_its_line() {
    let e = err("[csrf]\nbody_limit = \"1 MiB\"\n");
    assert_eq!(e.setting(), "<string>:2");
    assert!(e.message().contains("invalid type"), "{e}");
}

#[test]
fn a_bad_keyword_lists_every_accepted_value() {
    let e = err("\n[headers]\nreferrer_policy = \"sometimes\"\n");
    assert_eq!(e.setting(), "<string>:3: headers.referrer_policy");
    assert!(
        e.message().contains("strict-origin-when-cross-origin"),
        "{e}"
    );
}

#[test]
fn every_problem_is_reported_at_once_each_at_its_key() {
    let e = err(
        "[proxy]\ntrust = \"everyone\"\n[headers]\ndns_prefetch_control = \"maybe\"\n[csp]\npolicy = \"script-src 'nonce-abc'\"\n[csrf]\nsame_site = \"lenient\"\n",
    );
    let at: Vec<&str> = e.problems().map(|p| p.setting()).collect();
    assert!(
        at.contains(&"<string>:2: proxy.trust") || at.contains(&"<string>: proxy"),
        "{e}"
    );
    assert!(
        at.contains(&"<string>:4: headers.dns_prefetch_control"),
        "{e}"
    );
    assert!(at.contains(&"<string>:6: csp.policy"), "{e}");
    assert!(at.contains(&"<string>:8: csrf.same_site"), "{e}");
    assert!(e.to_string().contains("use lax, strict or none"), "{e}");
}

#[test]
fn an_unknown_preset_and_a_policy_given_twice_are_refused() {
    let e = err("preset = \"paranoid\"\n");
    assert_eq!(e.setting(), "<string>:1: preset");
    assert!(e.message().contains("strict, talisman, api"));
    let e = err("[csp]\npolicy = \"default-src 'self'\"\n[csp.directives]\n\"default-src\" = [\"'self'\"]\n");
    assert!(e.setting().ends_with("csp.directives"), "{e}");
    assert!(e.message().contains("give the policy once"));
}

#[test]
fn a_file_that_cannot_be_read_says_so() {
    let e = Config::from_file("/nonexistent/rampart.toml").unwrap_err();
    assert_eq!(e.setting(), "/nonexistent/rampart.toml");
    assert!(e.message().contains("cannot read"));
}

#[test]
fn an_overlay_changes_only_its_keys() {
    let base = Config::preset("talisman").unwrap();
    let over = base
        .overlay("[https]\nallowed_hosts = [\"a.example\"]\n")
        .unwrap();
    assert_eq!(
        values(&over.secure_headers().unwrap()),
        values(&base.secure_headers().unwrap())
    );
    assert!(over.to_toml().contains("\"a.example\""));
    assert!(base.overlay("preset = \"api\"\n").is_err());
}

#[test]
fn the_same_shape_reads_from_json_through_serde() {
    let json = r#"{"preset": "api", "https": {"allowed_hosts": ["api.example"]}, "csrf": {"trusted_origins": ["https://app.example"]}}"#;
    let value: toml::Value = serde_json::from_str(json).unwrap();
    let cfg = Config::from_value(value).unwrap();
    assert_eq!(
        cfg,
        Config::from_toml("preset = \"api\"\n[https]\nallowed_hosts = [\"api.example\"]\n[csrf]\ntrusted_origins = [\"https://app.example\"]\n").unwrap()
    );
    let bad: toml::Value =
        serde_json::from_str(r#"{"headers": {"hsts": {"max_age": "long"}}}"#).unwrap();
    let e = Config::from_value(bad).unwrap_err();
    assert!(e.setting().starts_with("<value>"), "{e}");
}
