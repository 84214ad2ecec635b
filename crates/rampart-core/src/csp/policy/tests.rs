use super::*;
use crate::csp::directives::KNOWN_DIRECTIVES;
use proptest::prelude::*;

pub(crate) fn seed_policy() -> Policy {
    let script = vec![
        " 'self'",
        "*.fontawesome.com",
        "*.herokuapp.com",
        "*.jquery.com",
        "*.jsdelivr.net",
    ];
    Policy::from_pairs([
        ("base-uri", Sources::from(vec![" 'self'"])),
        (
            "default-src",
            Sources::from(vec![
                " 'self'",
                "*.fontawesome.com",
                "*.herokuapp.com",
                "*.jsdelivr.net",
            ]),
        ),
        ("img-src", Sources::from("*")),
        ("script-src", Sources::from(script.clone())),
        ("script-src-elem", Sources::from(script)),
    ])
    .unwrap()
}

#[test]
fn seed_serializes_canonically() {
    assert_eq!(
        seed_policy().to_string(),
        "base-uri 'self'; default-src 'self' *.fontawesome.com *.herokuapp.com *.jsdelivr.net; img-src *; \
         script-src 'self' *.fontawesome.com *.herokuapp.com *.jquery.com *.jsdelivr.net; \
         script-src-elem 'self' *.fontawesome.com *.herokuapp.com *.jquery.com *.jsdelivr.net"
    );
}

#[test]
fn talisman_string_forms() {
    // a string policy round-trips unchanged (with valid sources).
    let p = Policy::parse("default-src 'self' spam.eggs").unwrap();
    assert_eq!(p.to_string(), "default-src 'self' spam.eggs");
    // trailing `;` is ignored instead of producing an empty directive.
    assert_eq!(
        Policy::parse("img-src *;").unwrap().to_string(),
        "img-src *"
    );
    assert_eq!(
        Policy::parse(" ; ;img-src  * ; ").unwrap().to_string(),
        "img-src *"
    );
    // duplicates are an error, not "last wins".
    let e = Policy::parse("default-src 'self'; default-src b.com").unwrap_err();
    assert!(e.message().contains("ignore the second"), "{e}");
}

#[test]
fn validation_errors() {
    for (input, needle) in [
        ("image-src *", "did you mean img-src?"),
        ("scirpt-src 'self'", "did you mean script-src?"),
        ("totally-unknown-thing x", "unknown CSP directive"),
        ("default-src self", "write 'self' with single quotes"),
        ("default-src none", "'none'"),
        ("script-src strict-dynamic", "'strict-dynamic'"),
        ("script-src nonce-abc", "single quotes"),
        ("script-src 'nonce-abc'", "nonce_in"),
        ("script-src 'none' 'self'", "cannot be combined"),
        ("script-src 'sha256-abcd'", "bytes"),
        ("script-src a.com, b.com", "`,`"),
        ("script-src a.com\r\nX-Injected: 1", "printable ASCII"),
        (
            "script-src 'self' object-src 'none'",
            "end the previous directive",
        ),
        ("upgrade-insecure-requests 1", "takes no value"),
        ("report-to", "exactly 1"),
        ("report-to a b", "exactly 1"),
        ("report-uri javascript:alert(1)", "report URL"),
        ("sandbox scripts", "sandbox flag"),
        ("sandbox allow-scriptz", "sandbox flag"),
        ("require-trusted-types-for script", "'script'"),
        ("img-src", "no sources"),
    ] {
        let e = Policy::parse(input).unwrap_err();
        assert!(e.message().contains(needle), "{input:?}: {e}");
    }
    let e = Policy::from_pairs([("script-src", vec!["a.com\nb.com"])]).unwrap_err();
    assert!(e.message().contains("line breaks"), "{e}");
    let e = Policy::from_pairs([("script-src", vec!["a;b"])]).unwrap_err();
    assert!(e.message().contains("`;`"), "{e}");
}

#[test]
fn accepted_forms() {
    let p = Policy::parse(
        "sandbox allow-scripts allow-forms; upgrade-insecure-requests; report-uri /csp https://r.example/x; \
         report-to csp-endpoint; require-trusted-types-for 'script'; trusted-types default 'allow-duplicates'; \
         block-all-mixed-content; referrer no-referrer; worker-src blob:",
    )
    .unwrap();
    assert_eq!(p.directives().len(), 9);
    assert_eq!(Policy::parse(&p.to_string()).unwrap(), p);
    assert_eq!(
        "img-src *".parse::<Policy>().unwrap().to_string(),
        "img-src *"
    );
}

#[test]
fn merging_and_editing() {
    let p = Policy::builder()
        .directive("script-src", ["'self'", "a.com"])
        .directive("SCRIPT-SRC", "a.com b.com")
        .build()
        .unwrap();
    assert_eq!(p.to_string(), "script-src 'self' a.com b.com");
    let p = Policy::default().with_sources("img-src", "data:").unwrap();
    assert_eq!(
        p.directive("img-src").unwrap().to_string(),
        "img-src 'self' data:"
    );
    // base-uri is not a fetch directive: nothing is inherited.
    let p = Policy::parse("default-src 'self'")
        .unwrap()
        .with_sources("form-action", "a.com")
        .unwrap();
    assert_eq!(
        p.directive("form-action").unwrap().to_string(),
        "form-action a.com"
    );
    // script-src-elem inherits from script-src first.
    let p = Policy::parse("default-src 'self'; script-src x.com").unwrap();
    let p = p.with_sources("script-src-elem", "y.com").unwrap();
    assert_eq!(
        p.directive("script-src-elem").unwrap().to_string(),
        "script-src-elem x.com y.com"
    );
    // 'none' is replaced by real sources.
    let p = Policy::default()
        .with_sources("object-src", "flash.example")
        .unwrap();
    assert_eq!(
        p.directive("object-src").unwrap().to_string(),
        "object-src flash.example"
    );
    assert!(Policy::default()
        .with_sources("script-src", "'nonce-abc'")
        .is_err());
    assert!(Policy::default().with_sources("image-src", "x").is_err());
    assert_eq!(
        Policy::default()
            .without_directive("OBJECT-SRC")
            .directives()
            .len(),
        4
    );
}

fn arb_source() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "'self'",
            "'unsafe-inline'",
            "'unsafe-eval'",
            "'strict-dynamic'",
            "'report-sample'",
            "'unsafe-hashes'",
            "'wasm-unsafe-eval'",
            "https:",
            "data:",
            "blob:",
            "*",
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
        ])
        .prop_map(str::to_string),
        "[a-z][a-z0-9-]{0,10}(\\.[a-z]{2,5}){1,2}",
        "(https://)?\\*\\.[a-z]{1,8}\\.com(:[0-9]{2,4})?(/[a-z]{0,6})?",
    ]
}

fn arb_policy() -> impl Strategy<Value = Policy> {
    let names: Vec<&str> = KNOWN_DIRECTIVES
        .iter()
        .filter(|i| i.kind == ValueKind::SourceList)
        .map(|i| i.name)
        .collect();
    (
        prop::collection::btree_map(
            prop::sample::select(names),
            prop::collection::vec(arb_source(), 1..5),
            0..8,
        ),
        any::<bool>(),
        prop::sample::select(vec!["allow-scripts", "allow-forms", "allow-popups"]),
    )
        .prop_map(|(map, with_extra, flag)| {
            let mut pairs: Vec<(String, Vec<String>)> =
                map.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            if with_extra {
                pairs.push(("sandbox".into(), vec![flag.into()]));
                pairs.push(("upgrade-insecure-requests".into(), vec![]));
                pairs.push(("report-uri".into(), vec!["/csp-report".into()]));
            }
            Policy::from_pairs(pairs).expect("generated policies are valid")
        })
}

proptest! {
    #[test]
    fn display_parse_round_trip(p in arb_policy()) {
        prop_assert_eq!(Policy::parse(&p.to_string()), Ok(p));
    }

    #[test]
    fn parse_never_panics(s in "\\PC{0,80}") {
        let _ = Policy::parse(&s);
    }
}
