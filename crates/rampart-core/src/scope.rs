//! The state one request carries through rampart's layers to the handler.

use std::sync::Arc;

use crate::csp::{Csp, NonceCells, RequestNonces};
use crate::{RequestFacts, Scheme};

/// What rampart knows about one request, shared by the secure headers layer,
/// the CSRF layer, route overrides and the handler's extractors.
///
/// One allocation holds the [`RequestFacts`] and the (ungenerated) nonce cells,
/// so an adapter puts a single extension on the request and keeps a clone for
/// the response; clones only bump a reference count. A nonce drawn by the
/// handler shows up in the header because both hold the same cells.
///
/// ```
/// use rampart_core::csp::{Csp, Policy};
/// use rampart_core::{ConnectionInfo, ProxyTrust, RequestScope};
///
/// let req = http::Request::get("/").header("host", "localhost:8000").body(()).unwrap();
/// let facts = ProxyTrust::nobody().facts(ConnectionInfo::default(), req.uri(), req.headers());
/// let csp = Csp::builder(Policy::strict()).nonce_in(["script-src"]).build().unwrap();
/// let scope = RequestScope::new(facts, Some(&csp));
/// assert_eq!(scope.facts().host(), Some("localhost:8000"));
/// let handler_side = scope.clone();
/// let n = handler_side.nonces().unwrap().script().value().to_string();
/// assert_eq!(scope.nonces().unwrap().script().generated(), Some(n.as_str()));
/// ```
///
/// A header set whose policy takes no nonce and that trusts no proxy makes a
/// [`local`](Self::local) scope instead: nothing downstream could read it (an
/// extractor's nonce would be in no header either way, and a CSRF layer works
/// out the same facts under its own trust), so it is not put on the request
/// and is never put on the request.
#[derive(Clone, Debug)]
pub struct RequestScope {
    repr: Repr,
}

#[derive(Clone, Debug)]
enum Repr {
    /// Put on the request: facts and nonce cells shared with the handler side.
    Shared {
        cells: Arc<NonceCells>,
        /// Handles into `cells` shaped by the app-wide policy, when it uses nonces.
        nonces: Option<RequestNonces>,
    },
    /// Kept by the adapter alone, for the response side.
    Local(RequestFacts),
}

/// Facts of a scope made without any (never the case for [`RequestScope::new`]).
static NO_FACTS: RequestFacts = RequestFacts::from_parts(Scheme::Http, None, false);

impl RequestScope {
    /// The scope of a request with these facts; it hands out nonces when `csp`
    /// puts nonces in any directive.
    ///
    /// ```
    /// use rampart_core::{RequestFacts, RequestScope, Scheme};
    /// let facts = RequestFacts::new(Scheme::Https, None);
    /// let scope = RequestScope::new(facts, None);
    /// assert!(scope.facts().secure() && scope.nonces().is_none());
    /// ```
    pub fn new(facts: RequestFacts, csp: Option<&Csp>) -> Self {
        let cells = Arc::new(NonceCells::for_request(facts));
        let nonces = csp.and_then(|c| c.nonces_on(&cells));
        Self {
            repr: Repr::Shared { cells, nonces },
        }
    }

    /// A scope only the adapter keeps (see the type's docs): no nonces, no
    /// allocation. Its facts may lack the host, which only the HTTPS redirect
    /// needs on this side.
    ///
    /// ```
    /// use rampart_core::{RequestFacts, RequestScope, Scheme};
    /// let facts = RequestFacts::new(Scheme::Https, None);
    /// let scope = RequestScope::local(facts);
    /// assert!(!scope.is_shared() && scope.facts().secure() && scope.nonces().is_none());
    /// ```
    pub fn local(facts: RequestFacts) -> Self {
        Self {
            repr: Repr::Local(facts),
        }
    }

    /// Whether an adapter puts (a clone of) this scope into the request
    /// extensions, where the CSRF layer, route overrides and extractors look.
    ///
    /// ```
    /// # use rampart_core::{RequestFacts, RequestScope, Scheme};
    /// # let facts = RequestFacts::new(Scheme::Https, None);
    /// assert!(RequestScope::new(facts.clone(), None).is_shared());
    /// assert!(!RequestScope::local(facts).is_shared());
    /// ```
    pub fn is_shared(&self) -> bool {
        matches!(self.repr, Repr::Shared { .. })
    }

    /// What rampart concluded about the request.
    ///
    /// ```
    /// # use rampart_core::{RequestFacts, RequestScope, Scheme};
    /// let facts = RequestFacts::new(Scheme::Http, Some("a.example"));
    /// assert_eq!(RequestScope::new(facts.clone(), None).facts(), &facts);
    /// ```
    pub fn facts(&self) -> &RequestFacts {
        match &self.repr {
            Repr::Shared { cells, .. } => cells.facts.as_ref().unwrap_or(&NO_FACTS),
            Repr::Local(facts) => facts,
        }
    }

    /// The request's nonces, when the app-wide policy uses them.
    ///
    /// ```
    /// # use rampart_core::{RequestFacts, RequestScope, Scheme};
    /// # let facts = RequestFacts::new(Scheme::Http, None);
    /// assert!(RequestScope::new(facts, None).nonces().is_none());
    /// ```
    pub fn nonces(&self) -> Option<&RequestNonces> {
        match &self.repr {
            Repr::Shared { nonces, .. } => nonces.as_ref(),
            Repr::Local(_) => None,
        }
    }

    /// This request's nonce cells shaped for another policy (a route's
    /// replacement CSP), or `None` when that policy takes no nonce.
    ///
    /// ```
    /// use rampart_core::csp::{Csp, Policy};
    /// # use rampart_core::{RequestFacts, RequestScope, Scheme};
    /// # let facts = RequestFacts::new(Scheme::Http, None);
    /// let scope = RequestScope::new(facts, None);
    /// let strict = Csp::builder(Policy::strict()).nonce_in(["script-src"]).build().unwrap();
    /// assert!(scope.nonces_for(&strict).is_some());
    /// ```
    pub fn nonces_for(&self, csp: &Csp) -> Option<RequestNonces> {
        match &self.repr {
            Repr::Shared { cells, .. } => csp.nonces_on(cells),
            Repr::Local(_) => csp.new_request_nonces(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csp::{Csp, Policy};
    use crate::headers::Overrides;
    use crate::request::Facts;
    use crate::{ConnectionInfo, ProxyHeaders, ProxyTrust};

    fn facts() -> RequestFacts {
        RequestFacts::test(false, "localhost")
    }

    #[test]
    fn clones_share_cells_and_shape_follows_policy() {
        let separate = Csp::builder(Policy::strict())
            .nonce_in(["script-src"])
            .style_nonce_in(["style-src"])
            .build()
            .unwrap();
        let scope = RequestScope::new(facts(), Some(&separate));
        let handler = scope.clone();
        let n = handler.nonces().unwrap();
        assert_ne!(n.script().value(), n.style().value());
        let mine = scope.nonces().unwrap();
        assert_eq!(mine.script().generated(), Some(n.script().value()));
        assert_eq!(mine.style().generated(), Some(n.style().value()));
        assert_eq!(scope.facts(), &facts());
    }

    #[test]
    fn route_override_uses_the_request_cells() {
        let scope = RequestScope::new(facts(), None);
        let strict = Csp::builder(Policy::strict())
            .nonce_in(["script-src"])
            .build()
            .unwrap();
        let (o, cells) = Overrides::new().csp(strict).for_route(Some(&scope));
        let cells = cells.unwrap();
        let v = cells.script().value().to_string();
        // The override carries handles to the same cell the handler rendered.
        assert_eq!(o.nonces().unwrap().script().generated(), Some(v.as_str()));
        assert!(scope
            .nonces_for(&Csp::builder(Policy::strict()).build().unwrap())
            .is_none());
    }

    #[test]
    fn lazy_facts_answer_secure_without_the_host() {
        let req = http::Request::get("/")
            .header("host", "Shop.Example")
            .header("x-forwarded-proto", "https")
            .body(())
            .unwrap();
        let proxy = ConnectionInfo::peer("127.0.0.1".parse().unwrap());
        let trust = ProxyTrust::loopback(ProxyHeaders::X_FORWARDED);
        let lazy = trust.lazy_facts(None, proxy, req.uri(), req.headers());
        assert!(lazy.secure());
        let Facts::Lazy { full, .. } = &lazy else {
            panic!("no scope: facts are lazy")
        };
        assert!(full.get().is_none(), "secure() must not work out the host");
        assert_eq!(lazy.get().host(), Some("shop.example"));
        assert!(lazy.get().from_trusted_proxy());
        // From a peer that is not trusted the header is ignored.
        let direct = ConnectionInfo::peer("203.0.113.7".parse().unwrap());
        let lazy = trust.lazy_facts(None, direct, req.uri(), req.headers());
        assert!(!lazy.secure() && !lazy.get().from_trusted_proxy());
    }
}
