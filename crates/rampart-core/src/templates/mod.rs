//! The CSP nonce and the CSRF token inside templates, the way each engine
//! prefers them.
//!
//! A [`TemplateContext`] holds one request's nonce and token handles. Every
//! engine gets the same names, and everything it renders is escaped for HTML:
//!
//! | in the template | renders |
//! |---|---|
//! | `csp_nonce` | the script nonce, for `nonce="…"` |
//! | `csp_style_nonce` | the style nonce (the script nonce unless styles have their own) |
//! | `csrf_token` | a masked token |
//! | `csrf_input` | `<input type="hidden" name="_csrf_token" value="…">` |
//! | `csrf_meta` | `<meta name="csrf-token" content="…">` |
//! | `csrf_hx_headers` | `hx-headers='{"X-CSRFToken":"…"}'` (htmx) |
//!
//! - **minijinja** (feature `minijinja`): functions, `{{ csrf_input() }}`,
//!   `<script nonce="{{ csp_nonce() }}">`, from [`TemplateContext::minijinja`]
//!   merged into the page's context. A nonce or token is made only when the
//!   template calls for it, so a page that renders none sends none.
//! - **tera** (feature `tera`, Rust 1.85): values, `{{ csrf_input | safe }}`,
//!   `nonce="{{ csp_nonce }}"`, from [`TemplateContext::tera`]. Tera takes
//!   values, not per-render functions, so the nonce and a token are made when
//!   the context is built: build it for the pages that use them.
//! - **askama** (feature `askama`, askama 0.16, Rust 1.88): methods on a field,
//!   `{{ rampart.csrf_input() }}` and `nonce="{{ rampart.csp_nonce() }}"`. The
//!   markup comes back as [`SafeHtml`], which askama does not escape again.
//! - **maud** (feature `maud`): the same methods, `(rampart.csrf_input())`;
//!   [`SafeHtml`] implements `maud::Render`.
//!
//! A handle the context lacks: in minijinja and tera its names are absent, so a
//! template that uses them fails to render; the askama and maud methods
//! render nothing and log an error. Either way the page fails closed.
//! `csrf_hx_headers` is a whole attribute, for engines that splice markup;
//! in maud write `hx-headers=(format!(r#"{{"X-CSRFToken":"{}"}}"#, rampart.csrf_token()))`.
//!
//! The integrations are built against minijinja 3, tera 1, askama 0.16 and
//! maud 0.27. With another askama minor the markup compiles but is escaped
//! again (the form then posts no token and is refused), so match the version.
//!
//! Leptos and Loco run on axum: see the README's recipes.
//!
//! ```
//! use rampart_core::csp::CspNonce;
//! use rampart_core::templates::TemplateContext;
//!
//! let nonce = CspNonce::default();
//! let page = TemplateContext::new().nonce(&nonce);
//! let html = format!(r#"<script nonce="{}" src="/app.js"></script>"#, page.csp_nonce());
//! assert_eq!(html, format!(r#"<script nonce="{}" src="/app.js"></script>"#, nonce.value()));
//! ```

use std::fmt;

use crate::csp::CspNonce;
use crate::csrf::CsrfToken;

/// One request's nonce and token handles, for a template. Cheap to clone;
/// rendering through it has the same effects as rendering the handles
/// themselves (the response's CSP gets the nonce, the client its cookie).
///
/// ```
/// # use rampart_core::csrf::{Csrf, Decision};
/// # use rampart_core::{RequestFacts, Scheme};
/// use rampart_core::templates::TemplateContext;
/// # let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
/// # let facts = RequestFacts::new(Scheme::Https, None);
/// # let (parts, _) = http::Request::get("/").body(()).unwrap().into_parts();
/// # let Decision::Pass(req) = csrf.check(&parts, &facts, None) else { panic!() };
/// let token = req.token(); // in a handler: the adapter's `CsrfToken` extractor
/// let page = TemplateContext::new().csrf(&token);
/// let input = page.csrf_input().to_string();
/// assert!(input.starts_with(r#"<input type="hidden" name="_csrf_token" value=""#));
/// ```
#[derive(Clone, Debug, Default)]
pub struct TemplateContext {
    nonce: Option<CspNonce>,
    style_nonce: Option<CspNonce>,
    csrf: Option<CsrfToken>,
}

/// Markup that is already escaped: templates insert it as it is.
///
/// ```
/// # use rampart_core::templates::TemplateContext;
/// // Without a token handle there is nothing to render (and an error is logged).
/// assert_eq!(TemplateContext::new().csrf_meta().to_string(), "");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SafeHtml(String);

impl fmt::Display for SafeHtml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(feature = "askama")]
impl askama::filters::HtmlSafe for SafeHtml {}

#[cfg(feature = "maud")]
impl maud::Render for SafeHtml {
    fn render_to(&self, buffer: &mut String) {
        buffer.push_str(&self.0);
    }
}

impl TemplateContext {
    /// An empty context; add the handles the page uses.
    pub fn new() -> Self {
        Self::default()
    }

    /// The request's script nonce (the adapter's `CspNonce` extractor).
    pub fn nonce(mut self, nonce: &CspNonce) -> Self {
        self.nonce = Some(nonce.clone());
        self
    }

    /// The request's style nonce, when styles have their own
    /// (`CspBuilder::style_nonce_in`; the adapter's `CspStyleNonce`).
    pub fn style_nonce(mut self, nonce: &CspNonce) -> Self {
        self.style_nonce = Some(nonce.clone());
        self
    }

    /// The request's CSRF token handle (the adapter's `CsrfToken` extractor).
    pub fn csrf(mut self, token: &CsrfToken) -> Self {
        self.csrf = Some(token.clone());
        self
    }

    /// The script nonce, made on first use. Empty (and an error logged) when
    /// the context has no nonce: the page's scripts are then blocked, which
    /// shows the mistake at once.
    pub fn csp_nonce(&self) -> &str {
        match &self.nonce {
            Some(n) => n.value(),
            None => missing("a CSP nonce", "nonce"),
        }
    }

    /// The style nonce: the one given by [`style_nonce`](Self::style_nonce),
    /// else the script nonce.
    pub fn csp_style_nonce(&self) -> &str {
        match &self.style_nonce {
            Some(n) => n.value(),
            None => self.csp_nonce(),
        }
    }

    /// A freshly masked token (each render differs; all verify).
    pub fn csrf_token(&self) -> String {
        self.with_token(CsrfToken::masked)
    }

    /// The hidden form field carrying a masked token.
    pub fn csrf_input(&self) -> SafeHtml {
        SafeHtml(self.with_token(CsrfToken::hidden_input))
    }

    /// `<meta name="csrf-token" content="…">`, for scripts to read.
    pub fn csrf_meta(&self) -> SafeHtml {
        SafeHtml(self.with_token(CsrfToken::meta_tag))
    }

    /// htmx's `hx-headers` attribute sending a masked token with every request.
    pub fn csrf_hx_headers(&self) -> SafeHtml {
        SafeHtml(self.with_token(CsrfToken::hx_headers))
    }

    fn with_token(&self, render: impl FnOnce(&CsrfToken) -> String) -> String {
        match &self.csrf {
            Some(t) => render(t),
            None => missing("a CSRF token", "csrf").to_owned(),
        }
    }

    /// The context's functions for minijinja, to merge into a page's own
    /// context: `context! { title => "Log in", ..rampart.minijinja() }`.
    /// Only the functions whose handle was given are present.
    ///
    /// ```
    /// # use rampart_core::csp::CspNonce;
    /// use minijinja::{context, Environment};
    /// use rampart_core::templates::TemplateContext;
    ///
    /// let nonce = CspNonce::default();
    /// let rampart = TemplateContext::new().nonce(&nonce);
    /// let env = Environment::new();
    /// let html = env
    ///     .render_str(r#"<script nonce="{{ csp_nonce() }}">{{ title }}</script>"#,
    ///                 context! { title => "hi", ..rampart.minijinja() })
    ///     .unwrap();
    /// assert_eq!(html, format!(r#"<script nonce="{}">hi</script>"#, nonce.value()));
    /// ```
    #[cfg(feature = "minijinja")]
    pub fn minijinja(&self) -> minijinja::Value {
        // One object whose functions are made when a template looks them up,
        // so a page pays only for the functions it calls.
        minijinja::Value::from_object(MinijinjaFunctions {
            context: self.clone(),
            made: Default::default(),
        })
    }

    /// The context's values for tera, to extend a page's own context with:
    /// `ctx.extend(rampart.tera())`. Strings: write the markup ones with
    /// `| safe` (`{{ csrf_input | safe }}`). Building it makes the nonce
    /// and one masked token.
    ///
    /// ```
    /// # use rampart_core::csp::CspNonce;
    /// use rampart_core::templates::TemplateContext;
    ///
    /// let nonce = CspNonce::default();
    /// let mut ctx = tera::Context::new();
    /// ctx.insert("title", "hi");
    /// ctx.extend(TemplateContext::new().nonce(&nonce).tera());
    /// let html = tera::Tera::one_off(r#"<script nonce="{{ csp_nonce }}">{{ title }}</script>"#, &ctx, true).unwrap();
    /// assert_eq!(html, format!(r#"<script nonce="{}">hi</script>"#, nonce.value()));
    /// ```
    #[cfg(feature = "tera")]
    pub fn tera(&self) -> tera::Context {
        let mut ctx = tera::Context::new();
        if self.nonce.is_some() {
            ctx.insert("csp_nonce", self.csp_nonce());
        }
        if self.nonce.is_some() || self.style_nonce.is_some() {
            ctx.insert("csp_style_nonce", self.csp_style_nonce());
        }
        if self.csrf.is_some() {
            // Each is masked afresh (as every render is); all verify.
            ctx.insert("csrf_token", &self.csrf_token());
            ctx.insert("csrf_input", &self.csrf_input().0);
            ctx.insert("csrf_meta", &self.csrf_meta().0);
            ctx.insert("csrf_hx_headers", &self.csrf_hx_headers().0);
        }
        ctx
    }
}

/// Logs a template's use of a handle the context lacks; renders nothing.
fn missing(what: &str, setter: &str) -> &'static str {
    tracing::error!(
        "rampart: a template asked for {what}, but its TemplateContext has none: add .{setter}(…)"
    );
    ""
}

/// The template functions, each with its name and the handle it renders from.
#[cfg(feature = "minijinja")]
#[derive(Debug, Clone, Copy)]
enum Func {
    CspNonce,
    CspStyleNonce,
    CsrfToken,
    CsrfInput,
    CsrfMeta,
    CsrfHxHeaders,
}

#[cfg(feature = "minijinja")]
impl Func {
    const ALL: [Func; 6] = [
        Func::CspNonce,
        Func::CspStyleNonce,
        Func::CsrfToken,
        Func::CsrfInput,
        Func::CsrfMeta,
        Func::CsrfHxHeaders,
    ];

    fn name(self) -> &'static str {
        match self {
            Func::CspNonce => "csp_nonce",
            Func::CspStyleNonce => "csp_style_nonce",
            Func::CsrfToken => "csrf_token",
            Func::CsrfInput => "csrf_input",
            Func::CsrfMeta => "csrf_meta",
            Func::CsrfHxHeaders => "csrf_hx_headers",
        }
    }

    /// Whether `c` has the handle this function renders from (else it is absent).
    fn available(self, c: &TemplateContext) -> bool {
        match self {
            Func::CspNonce => c.nonce.is_some(),
            Func::CspStyleNonce => c.nonce.is_some() || c.style_nonce.is_some(),
            _ => c.csrf.is_some(),
        }
    }

    fn render(self, c: &TemplateContext) -> minijinja::Value {
        use minijinja::Value;
        match self {
            Func::CspNonce => Value::from(c.csp_nonce()),
            Func::CspStyleNonce => Value::from(c.csp_style_nonce()),
            Func::CsrfToken => Value::from(c.csrf_token()),
            Func::CsrfInput => Value::from_safe_string(c.csrf_input().0),
            Func::CsrfMeta => Value::from_safe_string(c.csrf_meta().0),
            Func::CsrfHxHeaders => Value::from_safe_string(c.csrf_hx_headers().0),
        }
    }
}

/// [`TemplateContext::minijinja`]: the context as a map of functions.
#[cfg(feature = "minijinja")]
#[derive(Debug)]
struct MinijinjaFunctions {
    context: TemplateContext,
    /// Each function (in [`Func::ALL`]'s order), made on its first lookup and
    /// reused by later ones (a page writes `csp_nonce()` once per script).
    made: [std::sync::OnceLock<minijinja::Value>; Func::ALL.len()],
}

#[cfg(feature = "minijinja")]
impl MinijinjaFunctions {
    fn function(&self, name: &str) -> Option<minijinja::Value> {
        let index = Func::ALL.iter().position(|f| f.name() == name)?;
        let func = Func::ALL[index];
        if !func.available(&self.context) {
            return None;
        }
        let made = self.made[index].get_or_init(|| {
            minijinja::Value::from_object(Function {
                context: self.context.clone(),
                func,
            })
        });
        Some(made.clone())
    }
}

#[cfg(feature = "minijinja")]
impl minijinja::value::Object for MinijinjaFunctions {
    fn get_value(self: &std::sync::Arc<Self>, key: &minijinja::Value) -> Option<minijinja::Value> {
        self.function(key.as_str()?)
    }

    fn get_value_by_str(self: &std::sync::Arc<Self>, key: &str) -> Option<minijinja::Value> {
        self.function(key)
    }

    fn enumerate(self: &std::sync::Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Values(
            Func::ALL
                .iter()
                .filter(|f| f.available(&self.context))
                .map(|f| minijinja::Value::from(f.name()))
                .collect(),
        )
    }
}

/// One template function of a [`MinijinjaFunctions`], called without arguments.
#[cfg(feature = "minijinja")]
#[derive(Debug)]
struct Function {
    context: TemplateContext,
    func: Func,
}

#[cfg(feature = "minijinja")]
impl minijinja::value::Object for Function {
    fn repr(self: &std::sync::Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Plain
    }

    fn call(
        self: &std::sync::Arc<Self>,
        _: &mut minijinja::State<'_, '_>,
        args: &[minijinja::Value],
    ) -> Result<minijinja::Value, minijinja::Error> {
        if !args.is_empty() {
            return Err(minijinja::Error::new(
                minijinja::ErrorKind::TooManyArguments,
                format!("{}() takes no arguments", self.func.name()),
            ));
        }
        Ok(self.func.render(&self.context))
    }

    fn render(self: &std::sync::Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<function {}>", self.func.name())
    }
}

#[cfg(test)]
mod tests;
