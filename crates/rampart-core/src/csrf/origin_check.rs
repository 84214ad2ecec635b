//! Token-less cross-origin check: Fetch Metadata, then `Origin`, then (on
//! secure requests) a strict `Referer` check.
//!
//! This is Go 1.25's `CrossOriginProtection` algorithm with three changes:
//! origins are compared normalised (scheme, lower-cased host, explicit port)
//! against the request's own origin, including its scheme, instead of
//! byte-comparing the host; `same-site` can be allowed explicitly; and a secure
//! request carrying neither `Sec-Fetch-Site` nor `Origin` must carry a
//! same-origin `Referer` (Django's rule), which closes the old-browser gap.

use http::HeaderMap;

use super::reject::RejectReason;
use crate::origin::OriginPattern;
use crate::request::Facts;
use crate::telemetry::Via;
use crate::Origin;

/// The header name, prebuilt once.
const SEC_FETCH_SITE: http::HeaderName = http::HeaderName::from_static("sec-fetch-site");

#[derive(Debug, Clone, Default)]
pub(crate) struct OriginPolicy {
    pub(crate) trusted: Vec<Origin>,
    pub(crate) trusted_patterns: Vec<OriginPattern>,
    pub(crate) allow_same_site: bool,
    pub(crate) check_referer: bool,
}

/// What vouched for the request, or why it is refused with a loggable detail
/// (origins only, never full URLs).
pub(crate) type OriginResult = Result<Via, (RejectReason, Option<String>)>;

impl OriginPolicy {
    fn is_trusted(&self, origin: &Origin, own: Option<&Origin>) -> bool {
        own == Some(origin) || self.trusts_configured(origin)
    }

    fn trusts_configured(&self, origin: &Origin) -> bool {
        self.trusted.contains(origin) || self.trusted_patterns.iter().any(|p| p.matches(origin))
    }

    fn trusted_origin_header(&self, headers: &HeaderMap) -> bool {
        single(headers, http::header::ORIGIN)
            .and_then(|o| Origin::parse(o).ok())
            .is_some_and(|o| self.trusts_configured(&o))
    }

    pub(crate) fn check(&self, headers: &HeaderMap, facts: &Facts<'_>) -> OriginResult {
        self.check_with(headers, facts, self.check_referer)
    }

    /// The check of a cross-origin WebSocket or event-stream request: Fetch
    /// Metadata, then `Origin` (browsers send it on every handshake); no
    /// `Referer` rule, and a request with neither is no browser's.
    pub(crate) fn check_handshake(&self, headers: &HeaderMap, facts: &Facts<'_>) -> OriginResult {
        self.check_with(headers, facts, false)
    }

    fn check_with(&self, headers: &HeaderMap, facts: &Facts<'_>, referer: bool) -> OriginResult {
        // The request's own origin (copying and parsing its host) is worked out
        // only when an Origin or Referer must be compared with it: a browser's
        // Sec-Fetch-Site answers alone.
        let own = || facts.get().origin();
        if let Some(site) = headers.get(SEC_FETCH_SITE) {
            let site = site.to_str().unwrap_or("").trim();
            let ok = site.eq_ignore_ascii_case("same-origin")
                || site.eq_ignore_ascii_case("none")
                || (self.allow_same_site && site.eq_ignore_ascii_case("same-site"));
            if ok || self.trusted_origin_header(headers) {
                return Ok(Via::FetchMetadata);
            }
            return Err((
                RejectReason::CrossOrigin,
                Some(format!("Sec-Fetch-Site: {}", printable(site))),
            ));
        }
        if headers.contains_key(http::header::ORIGIN) {
            let Some(raw) = single(headers, http::header::ORIGIN) else {
                return Err((
                    RejectReason::OriginMismatch,
                    Some("several or unreadable Origin headers".into()),
                ));
            };
            return match Origin::parse(raw) {
                Ok(o) if self.is_trusted(&o, own().as_ref()) => Ok(Via::Origin),
                Ok(o) => Err((RejectReason::OriginMismatch, Some(format!("Origin {o}")))),
                Err(_) => Err((
                    RejectReason::OriginMismatch,
                    Some("Origin is null or not an origin".into()),
                )),
            };
        }
        if facts.secure() && referer {
            let Some(referer) = headers.get(http::header::REFERER) else {
                return Err((RejectReason::RefererMissing, None));
            };
            let parsed = referer.to_str().ok().and_then(Origin::from_url);
            return match parsed {
                Some(o) if self.is_trusted(&o, own().as_ref()) => Ok(Via::Referer),
                Some(o) => Err((
                    RejectReason::RefererMismatch,
                    Some(format!("Referer origin {o}")),
                )),
                None => Err((
                    RejectReason::RefererMismatch,
                    Some("Referer is not an http(s) URL".into()),
                )),
            };
        }
        // Plain http without Origin: a non-browser client or an old browser;
        // the token (when required) still protects.
        Ok(Via::Nothing)
    }
}

/// The header's value when it appears exactly once and is visible ASCII.
fn single(headers: &HeaderMap, name: http::header::HeaderName) -> Option<&str> {
    let mut it = headers.get_all(name).iter();
    let first = it.next()?;
    if it.next().is_some() {
        return None;
    }
    first.to_str().ok().map(str::trim)
}

fn printable(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(40)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RequestFacts, Scheme};

    fn facts(secure: bool, host: &str) -> RequestFacts {
        RequestFacts::test(secure, host)
    }

    fn run(policy: &OriginPolicy, secure: bool, hdrs: &[(&str, &str)]) -> Result<(), RejectReason> {
        let mut h = HeaderMap::new();
        for (k, v) in hdrs {
            h.append(
                http::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        policy
            .check(&h, &(&facts(secure, "example.com")).into())
            .map(|_| ())
            .map_err(|e| e.0)
    }

    fn trusted() -> OriginPolicy {
        OriginPolicy {
            trusted: vec![Origin::parse("https://trusted.example").unwrap()],
            allow_same_site: false,
            check_referer: true,
            ..OriginPolicy::default()
        }
    }

    #[test]
    fn sec_fetch_site_needs_no_host_work() {
        let req = http::Request::post("/x")
            .header("host", "example.com")
            .header("sec-fetch-site", "same-origin")
            .body(())
            .unwrap();
        let trust = crate::ProxyTrust::nobody();
        let conn = crate::ConnectionInfo::default();
        let facts = trust.lazy_facts(None, conn, req.uri(), req.headers());
        assert_eq!(
            trust_all().check(req.headers(), &facts),
            Ok(Via::FetchMetadata)
        );
        let Facts::Lazy { full, .. } = &facts else {
            panic!("lazy facts expected")
        };
        assert!(
            full.get().is_none(),
            "the own origin was worked out needlessly"
        );
        // An Origin header does need it, and gets it.
        let req = http::Request::post("/x")
            .header("host", "example.com")
            .header("origin", "http://example.com")
            .body(())
            .unwrap();
        let facts = trust.lazy_facts(None, conn, req.uri(), req.headers());
        assert_eq!(trust_all().check(req.headers(), &facts), Ok(Via::Origin));
    }

    #[test]
    fn each_pass_names_what_vouched_for_it() {
        let via = |secure: bool, hdrs: &[(&str, &str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in hdrs {
                h.append(
                    http::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    v.parse().unwrap(),
                );
            }
            trust_all()
                .check(&h, &(&facts(secure, "example.com")).into())
                .unwrap()
        };
        assert_eq!(
            via(true, &[("sec-fetch-site", "same-origin")]),
            Via::FetchMetadata
        );
        assert_eq!(via(true, &[("origin", "https://example.com")]), Via::Origin);
        assert_eq!(
            via(true, &[("referer", "https://example.com/form")]),
            Via::Referer
        );
        assert_eq!(via(false, &[]), Via::Nothing);
    }

    fn trust_all() -> OriginPolicy {
        OriginPolicy {
            trusted: vec![],
            allow_same_site: false,
            check_referer: true,
            ..OriginPolicy::default()
        }
    }

    // Go 1.25 net/http CrossOriginProtection test matrix, adapted.
    #[test]
    fn go_matrix_sec_fetch_site() {
        let p = trusted();
        assert_eq!(run(&p, true, &[("sec-fetch-site", "same-origin")]), Ok(()));
        assert_eq!(run(&p, true, &[("sec-fetch-site", "none")]), Ok(()));
        assert_eq!(
            run(&p, true, &[("sec-fetch-site", "cross-site")]),
            Err(RejectReason::CrossOrigin)
        );
        assert_eq!(
            run(&p, true, &[("sec-fetch-site", "same-site")]),
            Err(RejectReason::CrossOrigin)
        );
        assert_eq!(
            run(&p, true, &[("sec-fetch-site", "bogus")]),
            Err(RejectReason::CrossOrigin)
        );
        // Sec-Fetch-Site wins over a matching Origin.
        assert_eq!(
            run(
                &p,
                true,
                &[
                    ("sec-fetch-site", "cross-site"),
                    ("origin", "https://example.com")
                ]
            ),
            Err(RejectReason::CrossOrigin)
        );
        // Trusted origin exempts a cross-site request.
        assert_eq!(
            run(
                &p,
                true,
                &[
                    ("sec-fetch-site", "cross-site"),
                    ("origin", "https://trusted.example")
                ]
            ),
            Ok(())
        );
        assert_eq!(
            run(
                &p,
                true,
                &[
                    ("sec-fetch-site", "cross-site"),
                    ("origin", "https://untrusted.example")
                ]
            ),
            Err(RejectReason::CrossOrigin)
        );
        let same_site = OriginPolicy {
            allow_same_site: true,
            ..trusted()
        };
        assert_eq!(
            run(&same_site, true, &[("sec-fetch-site", "same-site")]),
            Ok(())
        );
        assert_eq!(
            run(&same_site, true, &[("sec-fetch-site", "cross-site")]),
            Err(RejectReason::CrossOrigin)
        );
    }

    #[test]
    fn go_matrix_origin_fallback() {
        let p = trusted();
        assert_eq!(run(&p, true, &[("origin", "https://example.com")]), Ok(()));
        assert_eq!(
            run(&p, true, &[("origin", "https://EXAMPLE.com:443")]),
            Ok(())
        );
        assert_eq!(run(&p, true, &[("origin", "https://example.com/")]), Ok(()));
        assert_eq!(
            run(&p, true, &[("origin", "https://attacker.example")]),
            Err(RejectReason::OriginMismatch)
        );
        assert_eq!(
            run(&p, true, &[("origin", "https://example.com:8443")]),
            Err(RejectReason::OriginMismatch)
        );
        assert_eq!(
            run(&p, true, &[("origin", "null")]),
            Err(RejectReason::OriginMismatch)
        );
        assert_eq!(
            run(&p, true, &[("origin", "garbage")]),
            Err(RejectReason::OriginMismatch)
        );
        // Go compares hosts only and lets http://example.com through on an
        // https request; comparing full origins refuses it.
        assert_eq!(
            run(&p, true, &[("origin", "http://example.com")]),
            Err(RejectReason::OriginMismatch)
        );
        assert_eq!(
            run(&p, false, &[("origin", "http://example.com:80")]),
            Ok(())
        );
        assert_eq!(
            run(&p, true, &[("origin", "https://trusted.example")]),
            Ok(())
        );
        assert_eq!(
            run(&p, true, &[("origin", "http://trusted.example")]),
            Err(RejectReason::OriginMismatch)
        );
        assert_eq!(
            run(
                &p,
                true,
                &[
                    ("origin", "https://example.com"),
                    ("origin", "https://example.com")
                ]
            ),
            Err(RejectReason::OriginMismatch)
        );
    }

    #[test]
    fn no_headers_and_referer_rules() {
        let p = trusted();
        // Plain http, no headers: a non-browser client (Go allows too).
        assert_eq!(run(&p, false, &[]), Ok(()));
        // Secure, no headers: Django's strict Referer check.
        assert_eq!(run(&p, true, &[]), Err(RejectReason::RefererMissing));
        assert_eq!(
            run(&p, true, &[("referer", "https://example.com/form?x=1")]),
            Ok(())
        );
        assert_eq!(
            run(&p, true, &[("referer", "https://EXAMPLE.com:443/")]),
            Ok(())
        );
        assert_eq!(
            run(&p, true, &[("referer", "https://www.evil.com/foobar")]),
            Err(RejectReason::RefererMismatch)
        );
        assert_eq!(
            run(&p, true, &[("referer", "http://example.com/")]),
            Err(RejectReason::RefererMismatch)
        );
        assert_eq!(
            run(&p, true, &[("referer", "https://foobar:abc")]),
            Err(RejectReason::RefererMismatch)
        );
        assert_eq!(
            run(&p, true, &[("referer", "https://trusted.example/a")]),
            Ok(())
        );
        let off = OriginPolicy {
            check_referer: false,
            ..trusted()
        };
        assert_eq!(
            run(&off, true, &[("referer", "https://www.evil.com/foobar")]),
            Ok(())
        );
        assert_eq!(run(&off, true, &[]), Ok(()));
    }

    #[test]
    fn unknown_own_origin_only_trusts_configured() {
        let p = trusted();
        let f = RequestFacts::new(Scheme::Https, None);
        let mut h = HeaderMap::new();
        h.insert("origin", "https://example.com".parse().unwrap());
        assert!(p.check(&h, &(&f).into()).is_err());
        h.insert("origin", "https://trusted.example".parse().unwrap());
        assert!(p.check(&h, &(&f).into()).is_ok());
    }
}
