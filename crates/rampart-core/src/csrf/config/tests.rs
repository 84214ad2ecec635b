use super::*;

#[test]
fn config_errors() {
    let e = Csrf::builder().key(&[1; 31]).build().unwrap_err();
    assert_eq!(e.setting(), "csrf.key");
    let e = Csrf::builder()
        .key(&[1; 32])
        .trusted_origin("example.com")
        .build()
        .unwrap_err();
    assert_eq!(e.setting(), "csrf.trusted_origin");
    assert!(e.message().contains("https://example.com"), "{e}");
    let e = Csrf::builder()
        .key(&[1; 32])
        .trusted_origin("https://example.com/path")
        .build()
        .unwrap_err();
    assert_eq!(e.setting(), "csrf.trusted_origin");
    let e = Csrf::builder()
        .key(&[1; 32])
        .exempt(crate::Exemptions::new().path_prefix("api"))
        .build()
        .unwrap_err();
    assert!(e.message().contains("\"/api\""), "{e}");
    assert!(Csrf::builder()
        .key(&[1; 32])
        .header_name("bad header")
        .build()
        .is_err());
    assert!(Csrf::builder()
        .key(&[1; 32])
        .cookie_name("__Host-csrf")
        .build()
        .is_err());
    assert!(Csrf::builder()
        .key(&[1; 32])
        .cookie_domain("a.example; x")
        .build()
        .is_err());
    assert!(Csrf::builder().key(&[1; 32]).body_limit(0).build().is_err());
    assert!(Csrf::builder()
        .key(&[1; 32])
        .field_name("")
        .build()
        .is_err());
}

#[test]
fn env_keys() {
    let var = "RAMPART_CSRF_TEST_KEY_ENV_7f3a";
    std::env::set_var(var, format!("{}, {}", "ab".repeat(32), "cd".repeat(32)));
    assert!(Csrf::builder().key_from_env(var).build().is_ok());
    std::env::set_var(var, "abcd");
    assert_eq!(
        Csrf::builder()
            .key_from_env(var)
            .build()
            .unwrap_err()
            .setting(),
        "csrf.key_from_env"
    );
    std::env::remove_var(var);
    assert!(Csrf::builder().key_from_env(var).build().is_err());
}

#[test]
fn no_key_generates_one() {
    // RAMPART_CSRF_KEY is not set in the test environment (or, if it is, must be valid).
    let ok = std::env::var(DEFAULT_KEY_ENV).is_err();
    if ok {
        assert!(Csrf::builder().build().is_ok());
    }
}
