//! `X-Permitted-Cross-Domain-Policies`: whether Adobe clients may read
//! `crossdomain.xml` policies from this site.

use super::keyword::keyword_header;

keyword_header! {
    /// `X-Permitted-Cross-Domain-Policies` (default `none`).
    ///
    /// ```
    /// use rampart_core::headers::PermittedCrossDomainPolicies as P;
    /// assert_eq!(P::default().to_string(), "none");
    /// assert_eq!("master-only".parse::<P>().unwrap(), P::MasterOnly);
    /// ```
    PermittedCrossDomainPolicies, setting = "permitted_cross_domain_policies", default = None, {
        /// `none` (default): no policy file is honoured.
        None => "none",
        /// `master-only`: only the root `crossdomain.xml`.
        MasterOnly => "master-only",
        /// `by-content-type`.
        ByContentType => "by-content-type",
        /// `all`.
        All => "all",
    }
}
