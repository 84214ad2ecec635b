use super::*;
use proptest::prelude::*;

/// The findings of each policy (by `policy_index`) of one header value.
fn by_policy(v: &str) -> Vec<Vec<Finding>> {
    let mut out: Vec<Vec<Finding>> = Vec::new();
    for f in lint_headers(&[v], &[]).remove(0) {
        if out.len() <= f.policy_index {
            out.resize(f.policy_index + 1, Vec::new());
        }
        out[f.policy_index].push(f);
    }
    out
}

fn find<'a>(fs: &'a [Finding], check: &str) -> Option<&'a Finding> {
    fs.iter().find(|f| f.check == check)
}

/// The rest of the policy is still linted: its 'unsafe-inline' is high.
const REST: &str = "script-src 'unsafe-inline'; object-src 'none'; base-uri 'none'";

#[test]
fn a_comma_starts_a_second_policy_and_both_are_linted() {
    let p = by_policy("img-src *; object-src 'none', script-src 'unsafe-inline'");
    assert_eq!(p.len(), 2);
    // img-src * in policy 0; 'unsafe-inline' in policy 1, which policy 0
    // (no script-src, no default-src) does not restrict: still high.
    assert_eq!(
        find(&p[0], "wildcard").map(|f| f.directive.as_str()),
        Some("img-src")
    );
    let ui = find(&p[1], "unsafe-inline").expect("unsafe-inline");
    assert_eq!((ui.severity, ui.policy_index), (Severity::High, 1));
}

#[test]
fn a_repeated_directive_is_ignored_after_the_first() {
    let p = by_policy(&format!("{REST}; script-src 'self'"));
    let dup = find(&p[0], "duplicate-directive").expect("duplicate");
    assert_eq!(
        (dup.severity, dup.directive.as_str()),
        (Severity::Syntax, "script-src")
    );
    assert_eq!(
        find(&p[0], "unsafe-inline").map(|f| f.severity),
        Some(Severity::High)
    );
}

#[test]
fn an_invalid_source_is_ignored_and_named() {
    for bad in [
        "'sefl'",
        "'nonce-a$b'",
        "'sha256-nothex!'",
        "self",
        "nonce-abc",
        "'unsafe-inline",
    ] {
        let p = by_policy(&format!("{REST} {bad}"));
        let f = find(&p[0], "invalid-source").unwrap_or_else(|| panic!("{bad}: {:?}", p[0]));
        assert_eq!(
            (f.severity, f.source.as_deref()),
            (Severity::Syntax, Some(bad))
        );
        assert_eq!(
            find(&p[0], "unsafe-inline").map(|f| f.severity),
            Some(Severity::High),
            "{bad}"
        );
    }
}

#[test]
fn an_empty_source_list_means_none() {
    let p = by_policy("object-src; script-src 'unsafe-inline'; base-uri 'none'");
    assert_eq!(
        find(&p[0], "empty-source-list").map(|f| f.severity),
        Some(Severity::Syntax)
    );
    // object-src is 'none', so no plugin finding; the script one stays.
    assert!(find(&p[0], "missing-object-src").is_none());
    assert!(find(&p[0], "object-src-not-none").is_none());
    assert_eq!(
        find(&p[0], "unsafe-inline").map(|f| f.severity),
        Some(Severity::High)
    );
}

#[test]
fn an_unknown_directive_is_ignored_and_named() {
    let p = by_policy(&format!("scirpt-src 'self'; {REST}"));
    let f = find(&p[0], "unknown-directive").expect("unknown");
    assert_eq!(
        (f.severity, f.directive.as_str()),
        (Severity::Syntax, "scirpt-src")
    );
    assert_eq!(
        find(&p[0], "unsafe-inline").map(|f| f.severity),
        Some(Severity::High)
    );
}

#[test]
fn a_value_on_a_valueless_directive_is_ignored() {
    let p = by_policy(&format!("upgrade-insecure-requests 1; {REST}"));
    let f = find(&p[0], "ignored-value").expect("ignored-value");
    assert_eq!(
        (f.severity, f.source.as_deref()),
        (Severity::Syntax, Some("1"))
    );
    assert_eq!(
        find(&p[0], "unsafe-inline").map(|f| f.severity),
        Some(Severity::High)
    );
}

#[test]
fn none_beside_other_sources_is_ignored() {
    let p = by_policy("script-src 'none' 'unsafe-inline'; object-src 'none'; base-uri 'none'");
    assert_eq!(
        find(&p[0], "none-with-sources").map(|f| f.severity),
        Some(Severity::Syntax)
    );
    assert_eq!(
        find(&p[0], "unsafe-inline").map(|f| f.severity),
        Some(Severity::High)
    );
}

#[test]
fn a_missing_semicolon_turns_a_directive_into_sources() {
    let p = by_policy("script-src 'unsafe-inline' object-src 'none'; base-uri 'none'");
    let f = find(&p[0], "missing-semicolon").expect("missing-semicolon");
    assert_eq!(
        (f.severity, f.source.as_deref()),
        (Severity::Syntax, Some("object-src"))
    );
    // object-src was never set: plugins are open, and inline scripts run.
    assert_eq!(
        find(&p[0], "missing-object-src").map(|f| f.severity),
        Some(Severity::High)
    );
    assert_eq!(
        find(&p[0], "unsafe-inline").map(|f| f.severity),
        Some(Severity::High)
    );
}

#[test]
fn a_short_served_nonce_is_named() {
    let p = by_policy("script-src 'nonce-abc123'; object-src 'none'; base-uri 'none'");
    let f = find(&p[0], "short-nonce").expect("short-nonce");
    assert_eq!(
        (f.severity, f.source.as_deref()),
        (Severity::Medium, Some("'nonce-abc123'"))
    );
    let p = by_policy(
        "script-src 'nonce-r4nd0mr4nd0mr4nd0mr4nd0m'; object-src 'none'; base-uri 'none'",
    );
    assert!(find(&p[0], "short-nonce").is_none());
}

#[test]
fn a_served_nonce_gates_inline_scripts() {
    let p = by_policy("script-src 'nonce-r4nd0mr4nd0mr4nd0m' 'unsafe-inline' 'strict-dynamic'; object-src 'none'; base-uri 'none'");
    assert!(find(&p[0], "unsafe-inline").is_none(), "{:?}", p[0]);
}

#[test]
fn an_any_host_wildcard_is_named_as_such() {
    for w in ["*", "https://*", "http://*:*", "*:*", "https://*:443"] {
        let p = by_policy(&format!("script-src {w}; object-src 'none'"));
        let f = find(&p[0], "wildcard").unwrap_or_else(|| panic!("{w}: {:?}", p[0]));
        assert_eq!((f.severity, f.source.as_deref()), (Severity::High, Some(w)));
        assert!(find(&p[0], "allowlist-bypass").is_none(), "{w}");
    }
}

#[test]
fn a_second_enforced_policy_blocks_what_it_does_not_allow() {
    // Inline scripts need both policies' leave; the nonce policy refuses.
    let lint = lint_headers(
        &[
            "script-src 'unsafe-inline' https:; object-src 'none'",
            "script-src 'nonce-r4nd0mr4nd0mr4nd0mr4nd0m'; object-src 'none'; base-uri 'none'",
        ],
        &[],
    );
    let ui = find(&lint[0], "unsafe-inline").expect("unsafe-inline");
    assert_eq!((ui.policy_index, ui.severity), (0, Severity::Info));
    assert!(
        ui.message.contains("policy 1 blocks this"),
        "{}",
        ui.message
    );
    // https: is blocked too: policy 1 allows no URL.
    assert_eq!(
        find(&lint[0], "plain-scheme").map(|f| f.severity),
        Some(Severity::Info)
    );
    // A missing base-uri in policy 0 is covered by policy 1's.
    assert_eq!(
        find(&lint[0], "missing-base-uri").map(|f| f.severity),
        Some(Severity::Info)
    );
    assert!(
        lint.iter().flatten().all(|f| f.severity != Severity::High),
        "{lint:#?}"
    );
}

#[test]
fn a_policy_that_restricts_nothing_there_covers_nothing() {
    // Policy 1 says nothing about scripts: the inline hole stays high.
    let lint = lint_headers(&["script-src 'unsafe-inline'", "img-src 'self'"], &[]);
    assert_eq!(
        find(&lint[0], "unsafe-inline").map(|f| f.severity),
        Some(Severity::High)
    );
}

#[test]
fn two_host_lists_are_no_better_than_the_narrower() {
    // Both allow a URL-based bypass; the combination keeps the bypass high
    // (https: allows every host the other one lists).
    let lint = lint_headers(
        &[
            "script-src https://cdnjs.cloudflare.com; object-src 'none'",
            "script-src https:; object-src 'none'",
        ],
        &[],
    );
    assert_eq!(
        find(&lint[0], "allowlist-bypass").map(|f| f.severity),
        Some(Severity::High)
    );
    assert_eq!(
        find(&lint[1], "plain-scheme").map(|f| f.severity),
        Some(Severity::High)
    );
    // A host list beside 'self': the bypass is narrowed to what 'self' risks.
    let lint = lint_headers(
        &[
            "script-src https://cdnjs.cloudflare.com; object-src 'none'",
            "script-src 'self'; object-src 'none'",
        ],
        &[],
    );
    let f = find(&lint[0], "allowlist-bypass").expect("bypass");
    assert_eq!(f.severity, Severity::Possible, "{}", f.message);
}

#[test]
fn a_directive_with_a_non_ascii_character_is_dropped_whole() {
    let p = by_policy("script-src 'self' \u{2019}unsafe-inline\u{2019}; object-src 'none'");
    assert_eq!(
        find(&p[0], "non-ascii").map(|f| f.severity),
        Some(Severity::Syntax)
    );
    // No script-src is left: any script may run.
    assert_eq!(
        find(&p[0], "missing-script-src").map(|f| f.severity),
        Some(Severity::High)
    );
}

#[test]
fn a_fallback_in_another_policy_is_what_it_is_judged_by() {
    // Policy 1's default-src * governs images there too: img-src * stays.
    let lint = lint_headers(&["img-src *", "default-src *; script-src 'none'"], &[]);
    assert_eq!(
        find(&lint[0], "wildcard").map(|f| f.severity),
        Some(Severity::Possible)
    );
    // Policy 1's default-src 'none' blocks images: lowered.
    let lint = lint_headers(&["img-src *", "default-src 'none'"], &[]);
    assert_eq!(
        find(&lint[0], "wildcard").map(|f| f.severity),
        Some(Severity::Info)
    );
}

#[test]
fn a_guessable_nonce_does_not_block_inline_scripts() {
    let lint = lint_headers(
        &["script-src 'unsafe-inline'", "script-src 'nonce-abc'"],
        &[],
    );
    assert_eq!(
        find(&lint[0], "unsafe-inline").map(|f| f.severity),
        Some(Severity::Medium)
    );
}

#[test]
fn wildcards_over_a_top_level_domain_or_open_hosting_are_any_host() {
    for w in [
        "https://*.xyz",
        "*.com",
        "https://*.vercel.app",
        "*.github.io",
    ] {
        let p = by_policy(&format!(
            "script-src {w}; object-src 'none'; base-uri 'none'"
        ));
        let f = find(&p[0], "wildcard").unwrap_or_else(|| panic!("{w}: {:?}", p[0]));
        assert_eq!(f.severity, Severity::High, "{w}");
        assert!(find(&p[0], "host-allowlist").is_none(), "{w}");
    }
    // In base-uri too, where a <base> there re-points nonced relative scripts.
    let p = by_policy(
        "script-src 'nonce-r4nd0mr4nd0mr4nd0m'; object-src 'none'; base-uri https://*.com",
    );
    assert_eq!(
        find(&p[0], "wildcard").map(|f| (f.severity, f.directive.as_str())),
        Some((Severity::High, "base-uri"))
    );
    let p = by_policy("script-src 'nonce-r4nd0mr4nd0mr4nd0m'; object-src 'none'; base-uri https://cdn.jsdelivr.net");
    assert_eq!(
        find(&p[0], "arbitrary-code-host").map(|f| f.severity),
        Some(Severity::High)
    );
    // Named once, whichever directive it stands in (script directives name it
    // in their own pass, the others in the host pass).
    for policy in [
        "script-src 'self' cdn.jsdelivr.net; object-src 'none'",
        "default-src 'self' cdn.jsdelivr.net; object-src 'none'",
        "script-src 'nonce-r4nd0mr4nd0mr4nd0m'; object-src 'none'; base-uri https://cdn.jsdelivr.net",
    ] {
        let p = by_policy(policy);
        let n = p[0].iter().filter(|f| f.check == "arbitrary-code-host").count();
        assert_eq!(n, 1, "{policy}: {:?}", p[0]);
    }
    // A named site under such a domain is the app's own.
    let p = by_policy("script-src https://myapp.vercel.app; object-src 'none'");
    assert!(find(&p[0], "wildcard").is_none());
}

#[test]
fn many_policies_are_judged_alone_and_say_so() {
    // 17 policies, the first with the hole, the others blocking it: beyond
    // the cap nothing is lowered (only ever more serious than combined).
    let mut v = vec!["script-src 'unsafe-inline'"];
    v.extend(std::iter::repeat_n("script-src 'self'", 16));
    let lint = lint_headers(&[&v.join(",")], &[]).remove(0);
    assert_eq!(find(&lint, "not-combined").map(|f| f.policy_index), Some(0));
    assert_eq!(
        find(&lint, "unsafe-inline").map(|f| f.severity),
        Some(Severity::High)
    );
    // At the cap they are still combined.
    let lint = lint_headers(&[&v[..16].join(",")], &[]).remove(0);
    assert!(find(&lint, "not-combined").is_none());
    assert_eq!(
        find(&lint, "unsafe-inline").map(|f| f.severity),
        Some(Severity::Info)
    );
}

proptest! {
    #[test]
    fn any_text_is_read_without_panicking(s in ".{0,200}", t in ".{0,80}") {
        let lint = lint_headers(&[&s, &t], &["script-src"]);
        prop_assert_eq!(lint.len(), 2);
    }

    #[test]
    fn enforced_unsafe_inline_without_nonce_is_always_found(
        junk in "[a-z\\-' ;,]{0,30}",
        dup in proptest::bool::ANY,
    ) {
        let mut v = format!("script-src 'self' 'unsafe-inline' {junk}");
        if dup { v.push_str("; script-src 'self'"); }
        v.push_str(", img-src *");
        let f = &lint_headers(&[&v], &[])[0];
        // Junk that adds a nonce, hash or 'strict-dynamic' to script-src disarms it.
        let first = junk.split([';', ',']).next().unwrap_or("");
        let disarmed = first.contains("'nonce-") || first.contains("'sha") || first.contains("'strict-dynamic'");
        let found = f.iter().find(|x| x.check == "unsafe-inline" && x.policy_index == 0);
        prop_assert!(disarmed || found.is_some());
        // Only another enforced policy (after a comma) can lower it.
        prop_assert!(disarmed || junk.contains(',') || found.is_some_and(|x| x.severity == Severity::High));
    }
}
