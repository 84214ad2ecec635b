//! The cross-origin isolation headers: `Cross-Origin-Opener-Policy`,
//! `Cross-Origin-Resource-Policy` and `Cross-Origin-Embedder-Policy`, each its
//! keywords and default.

use super::keyword::keyword_header;

keyword_header! {
    /// `Cross-Origin-Opener-Policy` (default `same-origin`): a cross-origin
    /// window that opens this page, or that it opens, gets no handle to it
    /// (stops XS-Leaks through `window.opener`).
    ///
    /// ```
    /// use rampart_core::headers::CrossOriginOpenerPolicy as Coop;
    /// assert_eq!(Coop::default(), Coop::SameOrigin);
    /// assert_eq!("same-origin-allow-popups".parse::<Coop>().unwrap().to_string(), "same-origin-allow-popups");
    /// ```
    CrossOriginOpenerPolicy, setting = "cross_origin_opener_policy", default = SameOrigin, {
        /// `same-origin` (default).
        SameOrigin => "same-origin",
        /// `same-origin-allow-popups`: popups this page opens keep their opener.
        SameOriginAllowPopups => "same-origin-allow-popups",
        /// `noopener-allow-popups`.
        NoopenerAllowPopups => "noopener-allow-popups",
        /// `unsafe-none`: no isolation.
        UnsafeNone => "unsafe-none",
    }
}

keyword_header! {
    /// `Cross-Origin-Resource-Policy` (default `same-origin`): which sites may
    /// embed this response (stops Spectre-style reads of it by other sites).
    ///
    /// ```
    /// use rampart_core::headers::CrossOriginResourcePolicy as Corp;
    /// assert_eq!("cross-origin".parse::<Corp>().unwrap(), Corp::CrossOrigin);
    /// ```
    CrossOriginResourcePolicy, setting = "cross_origin_resource_policy", default = SameOrigin, {
        /// `same-origin` (default).
        SameOrigin => "same-origin",
        /// `same-site`.
        SameSite => "same-site",
        /// `cross-origin`: any site (public assets, CDNs).
        CrossOrigin => "cross-origin",
    }
}

keyword_header! {
    /// `Cross-Origin-Embedder-Policy`: not sent by default, because it blocks
    /// every cross-origin resource that does not opt in.
    ///
    /// ```
    /// use rampart_core::headers::CrossOriginEmbedderPolicy as Coep;
    /// assert!("require_corp".parse::<Coep>().is_err());
    /// assert_eq!("require-corp".parse::<Coep>().unwrap(), Coep::RequireCorp);
    /// ```
    CrossOriginEmbedderPolicy, setting = "cross_origin_embedder_policy", default = RequireCorp, {
        /// `require-corp`: embedded resources must opt in (CORP or CORS).
        RequireCorp => "require-corp",
        /// `credentialless`: cross-origin resources load without credentials.
        Credentialless => "credentialless",
        /// `unsafe-none`.
        UnsafeNone => "unsafe-none",
    }
}
