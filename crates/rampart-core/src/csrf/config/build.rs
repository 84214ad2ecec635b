//! [`CsrfBuilder::build`]: every check, all problems reported, then the compiled settings.

use super::*;

impl CsrfBuilder {
    /// Validates the settings and compiles them.
    ///
    /// Without any key (none given, `RAMPART_CSRF_KEY` unset) a random key is
    /// generated and a warning is logged: tokens then do not survive a restart
    /// or work across replicas.
    ///
    /// ```
    /// # use rampart_core::csrf::Csrf;
    /// # use rampart_core::Exemptions;
    /// let e = Csrf::builder().key(&[1; 32]).exempt(Exemptions::new().path_prefix("api")).build().unwrap_err();
    /// assert_eq!(e.setting(), "exempt.path_prefix");
    /// ```
    pub fn build(mut self) -> Result<Csrf, ConfigError> {
        let mut problems = Problems::default();
        for e in self.errors.drain(..) {
            problems.push(e);
        }
        for e in self.proxy_trust.problems() {
            problems.push(e.clone());
        }
        for e in self.exempt.problems(true, "csrf.exempt") {
            problems.push(e);
        }
        let keys = problems.check(self.resolve_keys());

        let mut trusted = Vec::new();
        let mut trusted_patterns = Vec::new();
        for t in &self.trusted {
            if let Some(pattern) = crate::origin::OriginPattern::parse(t) {
                trusted_patterns.extend(problems.check(pattern));
                continue;
            }
            let o = problems.check(Origin::parse(t).map_err(|_| {
                let hint = if t.contains("://") {
                    format!("`{t}` is not an origin; write scheme://host[:port] with nothing after the port")
                } else {
                    format!(
                        "`{t}` lacks a scheme; write the full origin, e.g. https://{}",
                        t.trim_end_matches('/')
                    )
                };
                ConfigError::new("csrf.trusted_origin", hint)
            }));
            trusted.extend(o);
        }

        let header_name = problems.check(
            HeaderName::from_bytes(self.header_name.as_bytes()).map_err(|_| {
                ConfigError::new(
                    "csrf.header_name",
                    format!("`{}` is not a valid HTTP header name", self.header_name),
                )
            }),
        );
        for (setting, v) in [
            ("csrf.field_name", &self.field_name),
            ("csrf.json_key", &self.json_key),
        ] {
            if v.is_empty() {
                problems.push(ConfigError::new(setting, "must not be empty"));
            }
        }
        if !valid_cookie_name(&self.cookie_name) {
            problems.push(ConfigError::new(
                "csrf.cookie_name",
                format!(
                    "`{}` is not a valid cookie name (use letters, digits, '-' and '_')",
                    self.cookie_name
                ),
            ));
        }
        if !valid_cookie_name(&self.js_cookie_name) || self.js_cookie_name.starts_with("__") {
            problems.push(ConfigError::new(
                "csrf.js_cookie_name",
                format!(
                    "`{}` is not a cookie name for script (letters, digits, '-' and '_', no __ prefix)",
                    self.js_cookie_name
                ),
            ));
        }
        if self.cookie_name.starts_with("__") {
            problems.push(ConfigError::new(
                "csrf.cookie_name",
                "give the base name only; rampart adds __Host-/__Secure- itself on secure requests",
            ));
        }
        if let Some(s) = &self.session_cookie {
            if !valid_cookie_name(s) {
                problems.push(ConfigError::new(
                    "csrf.session_cookie",
                    format!("`{s}` is not a valid cookie name"),
                ));
            }
        }
        if !self.cookie_path.starts_with('/') || self.cookie_path.contains([';', ' ', ',']) {
            problems.push(ConfigError::new(
                "csrf.cookie_path",
                format!(
                    "`{}` must be a path starting with '/', e.g. \"/\"",
                    self.cookie_path
                ),
            ));
        }
        if let Some(d) = &self.cookie_domain {
            if d.is_empty() || d.contains([';', ' ', ',', '/', ':']) {
                problems.push(ConfigError::new(
                    "csrf.cookie_domain",
                    format!("`{d}` must be a bare domain such as example.com"),
                ));
            }
        }
        if self.body_limit == 0 {
            problems.push(ConfigError::new(
                "csrf.body_limit",
                "must be at least 1 byte (1 MiB is the default)",
            ));
        }
        if self.body_timeout.is_zero() {
            problems.push(ConfigError::new(
                "csrf.body_timeout",
                "must be longer than zero (10 s is the default)",
            ));
        }
        let cache_control = problems.check(crate::headers::cache_control_value(
            "csrf.token_cache_control",
            self.cache_control.as_deref(),
        ));
        if self.include_only && self.include_prefixes.is_empty() && self.include_routes.is_empty() {
            tracing::warn!("rampart csrf: include_only() without include_path_prefix/include_route protects nothing");
        }
        problems.finish()?;
        let (Some(keys), Some(header_name), Some(cache_control)) =
            (keys, header_name, cache_control)
        else {
            // Each `None` above noted a problem, so `finish` returned it.
            return Err(ConfigError::new("csrf", "invalid configuration"));
        };
        let max_age_secs = i64::try_from(self.cookie_max_age.as_secs()).unwrap_or(i64::MAX);
        let mut cookie = CookieSettings {
            name: self.cookie_name,
            path: self.cookie_path,
            domain: self.cookie_domain,
            max_age_secs,
            same_site: self.same_site,
            js_readable: self.js_readable,
            js_name: self.js_cookie_name.clone(),
            secret_parts: Default::default(),
        };
        // The secret's `Set-Cookie` is the same text but for the secret: split once here.
        cookie.secret_parts = cookie.split_secret_cookie();

        Ok(Csrf::from_inner(Inner {
            keys,
            origin: OriginPolicy {
                trusted,
                trusted_patterns,
                allow_same_site: self.allow_same_site,
                check_referer: self.check_referer,
            },
            tokens: self.tokens,
            session_cookie: self.session_cookie,
            header_name,
            header_name_str: self.header_name,
            field_name: self.field_name,
            json_key: self.json_key,
            cookie,
            body_limit: self.body_limit,
            body_timeout: self.body_timeout,
            cache_control,
            exempt: self.exempt,
            include_only: self.include_only,
            include_prefixes: self.include_prefixes,
            include_routes: self.include_routes,
            report_only: self.report_only,
            on_reject: self.on_reject,
            proxy_trust: self.proxy_trust,
            websockets: self.websockets,
            event_streams: self.event_streams,
        }))
    }

    fn resolve_keys(&mut self) -> Result<KeyRing, ConfigError> {
        let mut ring = self.ring.take();
        if let Some(var) = self.key_env.take() {
            let value = std::env::var(&var).map_err(|_| {
                ConfigError::new(
                    "csrf.key_from_env",
                    format!(
                        "environment variable {var} is not set (or not UTF-8); set it to a base64 or hex key of at \
                         least 32 bytes, e.g. the output of `openssl rand -base64 32`"
                    ),
                )
            })?;
            let from_env = KeyRing::parse_list(&value, "csrf.key_from_env")?;
            match &mut ring {
                Some(r) => r.extend(from_env),
                None => ring = Some(from_env),
            }
        }
        if let Some(r) = ring {
            if let Some(e) = ConfigError::all(r.problems().to_vec()) {
                return Err(e);
            }
            return Ok(r);
        }
        if let Ok(value) = std::env::var(DEFAULT_KEY_ENV) {
            if !value.trim().is_empty() {
                return KeyRing::parse_list(&value, DEFAULT_KEY_ENV);
            }
        }
        tracing::warn!(
            "no CSRF key configured: generated a random one; tokens will not survive a restart or work across \
             replicas; set RAMPART_CSRF_KEY (e.g. `openssl rand -base64 32`) or call CsrfBuilder::key"
        );
        Ok(KeyRing::generate())
    }
}
