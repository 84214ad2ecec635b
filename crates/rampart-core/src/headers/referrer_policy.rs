//! `Referrer-Policy`: how much of the page's URL other sites see.

use super::keyword::keyword_header;

keyword_header! {
    /// `Referrer-Policy`. The default, `strict-origin-when-cross-origin`, sends
    /// other sites the origin only, and nothing over a downgrade to http.
    ///
    /// ```
    /// use rampart_core::headers::{ReferrerPolicy, SecureHeaders};
    /// assert_eq!(ReferrerPolicy::default().to_string(), "strict-origin-when-cross-origin");
    /// assert_eq!("No-Referrer".parse::<ReferrerPolicy>().unwrap(), ReferrerPolicy::NoReferrer);
    /// let e = "None".parse::<ReferrerPolicy>().unwrap_err();
    /// assert_eq!(e.setting(), "referrer_policy");
    /// ```
    ReferrerPolicy, setting = "referrer_policy", default = StrictOriginWhenCrossOrigin, {
        /// `no-referrer`: never send a `Referer`.
        NoReferrer => "no-referrer",
        /// `no-referrer-when-downgrade`: the full URL, except over a downgrade to http.
        NoReferrerWhenDowngrade => "no-referrer-when-downgrade",
        /// `origin`: the origin only, always.
        Origin => "origin",
        /// `origin-when-cross-origin`: the full URL to this origin, the origin elsewhere.
        OriginWhenCrossOrigin => "origin-when-cross-origin",
        /// `same-origin`: the full URL to this origin, nothing elsewhere.
        SameOrigin => "same-origin",
        /// `strict-origin`: the origin, nothing over a downgrade.
        StrictOrigin => "strict-origin",
        /// `strict-origin-when-cross-origin` (default).
        StrictOriginWhenCrossOrigin => "strict-origin-when-cross-origin",
        /// `unsafe-url`: the full URL everywhere (leaks paths and queries).
        UnsafeUrl => "unsafe-url",
    }
}
