//! Why a request was refused, and the default refusal response.

use bytes::Bytes;
use http::{HeaderValue, StatusCode};

/// The reason a request failed the CSRF checks.
///
/// Every reason has a stable machine-readable [`code`](RejectReason::code), a
/// human-readable [`message`](RejectReason::message) and an HTTP
/// [`status`](RejectReason::status).
///
/// ```
/// use rampart_core::csrf::RejectReason;
/// assert_eq!(RejectReason::BadToken.code(), "bad-token");
/// assert_eq!(RejectReason::TooLarge.status(), http::StatusCode::PAYLOAD_TOO_LARGE);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RejectReason {
    /// The browser reported the request as cross-site (or same-site while
    /// same-site requests are not allowed) through `Sec-Fetch-Site`.
    CrossOrigin,
    /// The `Origin` header names another origin, is `null`, or cannot be parsed.
    OriginMismatch,
    /// A secure request carried neither `Origin` nor `Referer`.
    RefererMissing,
    /// The `Referer` of a secure request names another origin or cannot be parsed.
    RefererMismatch,
    /// The client has no (valid) CSRF secret cookie.
    MissingCookie,
    /// No token was found in the header or the body.
    MissingToken,
    /// A token was found but does not verify.
    BadToken,
    /// The token was submitted more than once (header repeated or form field repeated).
    DuplicateToken,
    /// The body could not be parsed to look for the token.
    MalformedBody,
    /// The body is larger than the configured limit.
    TooLarge,
    /// The body did not arrive within the configured deadline (a stalled or
    /// trickling client holding a connection open).
    BodyTimeout,
}

impl RejectReason {
    /// Stable kebab-case code, used in logs and in the JSON error body.
    ///
    /// ```
    /// # use rampart_core::csrf::RejectReason;
    /// assert_eq!(RejectReason::CrossOrigin.code(), "cross-origin");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            RejectReason::CrossOrigin => "cross-origin",
            RejectReason::OriginMismatch => "origin-mismatch",
            RejectReason::RefererMissing => "referer-missing",
            RejectReason::RefererMismatch => "referer-mismatch",
            RejectReason::MissingCookie => "missing-cookie",
            RejectReason::MissingToken => "missing-token",
            RejectReason::BadToken => "bad-token",
            RejectReason::DuplicateToken => "duplicate-token",
            RejectReason::MalformedBody => "malformed-body",
            RejectReason::TooLarge => "too-large",
            RejectReason::BodyTimeout => "body-timeout",
        }
    }

    /// A sentence for humans; never contains request data.
    ///
    /// ```
    /// # use rampart_core::csrf::RejectReason;
    /// assert!(RejectReason::MissingToken.message().contains("missing"));
    /// ```
    pub fn message(&self) -> &'static str {
        match self {
            RejectReason::CrossOrigin => {
                "Cross-site request refused: the browser reported that this request comes from another site."
            }
            RejectReason::OriginMismatch => "Cross-origin request refused: the Origin header does not match this site.",
            RejectReason::RefererMissing => {
                "Referer checking failed: a secure request arrived with neither an Origin nor a Referer header."
            }
            RejectReason::RefererMismatch => "Referer checking failed: the Referer does not match this site.",
            RejectReason::MissingCookie => {
                "CSRF cookie missing or invalid: reload the page (with cookies enabled) and try again."
            }
            RejectReason::MissingToken => "CSRF token missing.",
            RejectReason::BadToken => "CSRF token incorrect or expired: reload the page and try again.",
            RejectReason::DuplicateToken => "CSRF token submitted more than once.",
            RejectReason::MalformedBody => "The request body could not be parsed to look for the CSRF token.",
            RejectReason::TooLarge => "The request body is too large to look for the CSRF token.",
            RejectReason::BodyTimeout => "The request body did not arrive in time to look for the CSRF token.",
        }
    }

    /// HTTP status: 403, except `MalformedBody` (400), `TooLarge` (413) and
    /// `BodyTimeout` (408).
    ///
    /// ```
    /// # use rampart_core::csrf::RejectReason;
    /// assert_eq!(RejectReason::MalformedBody.status(), http::StatusCode::BAD_REQUEST);
    /// assert_eq!(RejectReason::BodyTimeout.status(), http::StatusCode::REQUEST_TIMEOUT);
    /// assert_eq!(RejectReason::BadToken.status(), http::StatusCode::FORBIDDEN);
    /// ```
    pub fn status(&self) -> StatusCode {
        match self {
            RejectReason::MalformedBody => StatusCode::BAD_REQUEST,
            RejectReason::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            RejectReason::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            _ => StatusCode::FORBIDDEN,
        }
    }
}

impl std::fmt::Display for RejectReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A refused request: the [`RejectReason`] plus the cookies the refusal
/// response should carry (a fresh secret when the client had none).
///
/// Build the response with [`Csrf::render_rejection`](crate::csrf::Csrf::render_rejection),
/// which also adds those cookies.
///
/// ```
/// use rampart_core::csrf::{Rejection, RejectReason};
/// let r = Rejection::too_large();
/// assert_eq!(r.reason, RejectReason::TooLarge);
/// assert_eq!(r.status(), http::StatusCode::PAYLOAD_TOO_LARGE);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Why the request was refused.
    pub reason: RejectReason,
    pub(crate) set_cookies: Vec<HeaderValue>,
}

impl Rejection {
    pub(crate) fn new(reason: RejectReason) -> Self {
        Self {
            reason,
            set_cookies: Vec::new(),
        }
    }

    #[doc(hidden)]
    /// The rejection adapters report when the body exceeds the limit of
    /// [`Decision::ReadBody`](crate::csrf::Decision::ReadBody).
    ///
    /// ```
    /// # use rampart_core::csrf::{Rejection, RejectReason};
    /// assert_eq!(Rejection::too_large().reason.code(), "too-large");
    /// ```
    pub fn too_large() -> Self {
        Self::new(RejectReason::TooLarge)
    }

    #[doc(hidden)]
    /// The rejection adapters report when the body could not be read.
    ///
    /// ```
    /// # use rampart_core::csrf::Rejection;
    /// assert_eq!(Rejection::malformed_body().status().as_u16(), 400);
    /// ```
    pub fn malformed_body() -> Self {
        Self::new(RejectReason::MalformedBody)
    }

    /// HTTP status of the refusal (see [`RejectReason::status`]).
    ///
    /// ```
    /// # use rampart_core::csrf::Rejection;
    /// assert_eq!(Rejection::too_large().status().as_u16(), 413);
    /// ```
    pub fn status(&self) -> StatusCode {
        self.reason.status()
    }

    #[doc(hidden)]
    /// `Set-Cookie` values that the refusal response should carry (a new
    /// secret cookie when the client had none, so a retry can succeed).
    ///
    /// ```
    /// # use rampart_core::csrf::Rejection;
    /// assert!(Rejection::too_large().set_cookies().is_empty());
    /// ```
    pub fn set_cookies(&self) -> &[HeaderValue] {
        &self.set_cookies
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CSRF check failed ({}): {}",
            self.reason.code(),
            self.reason.message()
        )
    }
}

impl std::error::Error for Rejection {}

/// Whether the client prefers JSON: the `Accept` header names a JSON type and
/// does not name HTML.
pub(crate) fn wants_json(accept: Option<&HeaderValue>) -> bool {
    let Some(accept) = accept.and_then(|a| a.to_str().ok()) else {
        return false;
    };
    let accept = accept.to_ascii_lowercase();
    (accept.contains("application/json") || accept.contains("+json"))
        && !accept.contains("text/html")
}

/// The default refusal: status, content type and body.
pub(crate) fn default_parts(
    rejection: &Rejection,
    accept: Option<&HeaderValue>,
) -> (StatusCode, HeaderValue, Bytes) {
    let reason = rejection.reason;
    let status = reason.status();
    if wants_json(accept) {
        let body = serde_json::json!({
            "error": "csrf",
            "reason": reason.code(),
            "message": reason.message(),
        });
        (
            status,
            HeaderValue::from_static("application/json"),
            Bytes::from(body.to_string()),
        )
    } else {
        let code = status.as_u16();
        let title = status.canonical_reason().unwrap_or("Error");
        // Messages are static strings without markup characters.
        let body = format!(
            "<!doctype html>\n<html lang=en>\n<title>{code} {title}</title>\n<h1>{title}</h1>\n<p>{}</p>\n",
            reason.message()
        );
        (
            status,
            HeaderValue::from_static("text/html; charset=utf-8"),
            Bytes::from(body),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_statuses_right() {
        let all = [
            RejectReason::CrossOrigin,
            RejectReason::OriginMismatch,
            RejectReason::RefererMissing,
            RejectReason::RefererMismatch,
            RejectReason::MissingCookie,
            RejectReason::MissingToken,
            RejectReason::BadToken,
            RejectReason::DuplicateToken,
            RejectReason::MalformedBody,
            RejectReason::TooLarge,
        ];
        let codes: std::collections::HashSet<_> = all.iter().map(|r| r.code()).collect();
        assert_eq!(codes.len(), all.len());
        for r in all {
            assert!(!r.message().contains(['<', '>', '&']));
            let expected = match r {
                RejectReason::MalformedBody => 400,
                RejectReason::TooLarge => 413,
                _ => 403,
            };
            assert_eq!(r.status().as_u16(), expected);
        }
    }

    #[test]
    fn html_by_default_json_on_request() {
        let r = Rejection::new(RejectReason::BadToken);
        let (s, ct, body) = default_parts(&r, None);
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert!(ct.to_str().unwrap().starts_with("text/html"));
        assert!(std::str::from_utf8(&body)
            .unwrap()
            .contains("403 Forbidden"));

        let accept = HeaderValue::from_static("application/json");
        let (_, ct, body) = default_parts(&r, Some(&accept));
        assert_eq!(ct, "application/json");
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"], "csrf");
        assert_eq!(v["reason"], "bad-token");
        assert!(v["message"].as_str().unwrap().contains("incorrect"));

        let browser =
            HeaderValue::from_static("text/html,application/xhtml+xml,application/json;q=0.9");
        assert!(!wants_json(Some(&browser)));
        assert!(wants_json(Some(&HeaderValue::from_static(
            "application/problem+json"
        ))));
    }
}
