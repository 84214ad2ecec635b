//! Each engine renders the same page from a real token handle and nonce; the
//! markup is checked to the byte where it can be, and every token it carries
//! verifies.

use super::*;
#[cfg(any(
    feature = "minijinja",
    feature = "tera",
    feature = "askama",
    feature = "maud"
))]
use crate::csrf::{Csrf, Decision};
#[cfg(any(
    feature = "minijinja",
    feature = "tera",
    feature = "askama",
    feature = "maud"
))]
use crate::{RequestFacts, Scheme};

#[cfg(any(
    feature = "minijinja",
    feature = "tera",
    feature = "askama",
    feature = "maud"
))]
fn csrf() -> Csrf {
    Csrf::builder().key(&[4; 32]).build().unwrap()
}

#[cfg(any(
    feature = "minijinja",
    feature = "tera",
    feature = "askama",
    feature = "maud"
))]
/// A GET's token handle, plus a way to learn the cookie it owes.
fn token(c: &Csrf) -> (crate::csrf::CsrfRequest, CsrfToken) {
    let facts = RequestFacts::new(Scheme::Https, Some("a.example"));
    let (parts, _) = http::Request::get("/").body(()).unwrap().into_parts();
    let Decision::Pass(req) = c.check(&parts, &facts, None) else {
        panic!("a GET passes")
    };
    let t = req.token();
    (req, t)
}

#[cfg(any(
    feature = "minijinja",
    feature = "tera",
    feature = "askama",
    feature = "maud"
))]
/// The cookie the response to this request sets.
fn cookie(c: &Csrf, req: &crate::csrf::CsrfRequest) -> String {
    let mut h = http::HeaderMap::new();
    c.finish(req, &mut h);
    let set = h["set-cookie"].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

#[cfg(any(
    feature = "minijinja",
    feature = "tera",
    feature = "askama",
    feature = "maud"
))]
/// Whether `masked` verifies in a POST with this cookie.
fn verifies(c: &Csrf, cookie: &str, masked: &str) -> bool {
    let facts = RequestFacts::new(Scheme::Https, Some("a.example"));
    let (post, _) = http::Request::post("/")
        .header("cookie", cookie)
        .header("sec-fetch-site", "same-origin")
        .header("x-csrftoken", masked)
        .body(())
        .unwrap()
        .into_parts();
    matches!(c.check(&post, &facts, None), Decision::Pass(_))
}

#[cfg(any(
    feature = "minijinja",
    feature = "tera",
    feature = "askama",
    feature = "maud"
))]
/// The tokens in a page: hidden input, meta tag and htmx attribute, in that order.
fn tokens_in(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (start, end) in [
        (r#"<input type="hidden" name="_csrf_token" value=""#, "\""),
        (r#"<meta name="csrf-token" content=""#, "\""),
        (r#"hx-headers='{"X-CSRFToken":""#, "\""),
    ] {
        if let Some(i) = html.find(start) {
            let rest = &html[i + start.len()..];
            out.push(rest[..rest.find(end).unwrap()].to_string());
        }
    }
    out
}

#[cfg(any(
    feature = "minijinja",
    feature = "tera",
    feature = "askama",
    feature = "maud"
))]
fn check_page(html: &str, nonce: &CspNonce, c: &Csrf, req: &crate::csrf::CsrfRequest, n: usize) {
    assert!(
        html.contains(&format!(r#"<script nonce="{}""#, nonce.value())),
        "{html}"
    );
    let tokens = tokens_in(html);
    assert_eq!(tokens.len(), n, "{html}");
    let cookie = cookie(c, req);
    for t in tokens {
        assert_eq!(t.len(), 86, "{html}");
        assert!(verifies(c, &cookie, &t), "{t} does not verify");
    }
}

#[cfg(feature = "minijinja")]
#[test]
fn minijinja_functions_render_markup_unescaped_and_make_nothing_unasked() {
    let c = csrf();
    let (req, t) = token(&c);
    let nonce = CspNonce::default();
    let rampart = TemplateContext::new().nonce(&nonce).csrf(&t);
    let mut env = minijinja::Environment::new();
    env.add_template(
        "page.html",
        r#"{{ csrf_meta() }}<script nonce="{{ csp_nonce() }}"></script><body {{ csrf_hx_headers() }}>{{ csrf_input() }}{{ title }}"#,
    )
    .unwrap();
    let html = env
        .get_template("page.html")
        .unwrap()
        .render(minijinja::context! { title => "<b>", ..rampart.minijinja() })
        .unwrap();
    assert!(
        html.ends_with("&lt;b&gt;"),
        "the page's own values are still escaped: {html}"
    );
    check_page(&html, &nonce, &c, &req, 3);

    // A page that calls none of them makes no nonce and issues no token.
    let (req, t) = token(&c);
    let nonce = CspNonce::default();
    let rampart = TemplateContext::new().nonce(&nonce).csrf(&t);
    env.render_str("plain", rampart.minijinja()).unwrap();
    assert!(nonce.generated().is_none());
    assert!(!req.may_owe_headers());
}

#[cfg(feature = "minijinja")]
#[test]
fn minijinja_functions_called_twice_mask_twice_and_take_no_arguments() {
    let c = csrf();
    let (req, t) = token(&c);
    let nonce = CspNonce::default();
    let rampart = TemplateContext::new().nonce(&nonce).csrf(&t).minijinja();
    let env = minijinja::Environment::new();
    let html = env
        .render_str(
            r#"{{ csrf_input() }}{{ csrf_input() }}<script nonce="{{ csp_nonce() }}"></script><script nonce="{{ csp_nonce() }}"></script>"#,
            rampart.clone(),
        )
        .unwrap();
    // The same function looked up twice masks the token afresh each call; the
    // nonce is the response's one nonce both times.
    let values: Vec<&str> = html.split("value=\"").skip(1).map(|v| &v[..86]).collect();
    assert_eq!(values.len(), 2, "{html}");
    assert_ne!(values[0], values[1], "{html}");
    let cookie = cookie(&c, &req);
    for v in values {
        assert!(verifies(&c, &cookie, v), "{v} does not verify");
    }
    assert_eq!(html.matches(nonce.value()).count(), 2, "{html}");
    let err = env.render_str("{{ csp_nonce(1) }}", rampart).unwrap_err();
    assert_eq!(err.kind(), minijinja::ErrorKind::TooManyArguments);
}

#[cfg(feature = "tera")]
#[test]
fn tera_values_render_markup_with_the_safe_filter() {
    let c = csrf();
    let (req, t) = token(&c);
    let nonce = CspNonce::default();
    let mut ctx = tera::Context::new();
    ctx.insert("title", "<b>");
    ctx.extend(TemplateContext::new().nonce(&nonce).csrf(&t).tera());
    let html = tera::Tera::one_off(
        r#"{{ csrf_meta | safe }}<script nonce="{{ csp_nonce }}"></script><body {{ csrf_hx_headers | safe }}>{{ csrf_input | safe }}{{ title }}"#,
        &ctx,
        true,
    )
    .unwrap();
    assert!(html.ends_with("&lt;b&gt;"), "{html}");
    check_page(&html, &nonce, &c, &req, 3);
}

#[cfg(feature = "askama")]
#[test]
fn askama_methods_render_markup_without_a_safe_filter() {
    use askama::Template;
    #[derive(Template)]
    #[template(
        source = r#"{{ rampart.csrf_meta() }}<script nonce="{{ rampart.csp_nonce() }}"></script><body {{ rampart.csrf_hx_headers() }}>{{ rampart.csrf_input() }}{{ title }}"#,
        ext = "html"
    )]
    struct Page<'a> {
        rampart: &'a TemplateContext,
        title: &'a str,
    }
    let c = csrf();
    let (req, t) = token(&c);
    let nonce = CspNonce::default();
    let rampart = TemplateContext::new().nonce(&nonce).csrf(&t);
    let html = Page {
        rampart: &rampart,
        title: "<b>",
    }
    .render()
    .unwrap();
    assert!(html.ends_with("&#60;b&#62;"), "{html}");
    check_page(&html, &nonce, &c, &req, 3);
}

#[cfg(feature = "maud")]
#[test]
fn maud_renders_the_markup_as_is() {
    let c = csrf();
    let (req, t) = token(&c);
    let nonce = CspNonce::default();
    let rampart = TemplateContext::new().nonce(&nonce).csrf(&t);
    let html = maud::html! {
        (rampart.csrf_meta())
        script nonce=(rampart.csp_nonce()) {}
        (rampart.csrf_input())
        "<b>"
    }
    .into_string();
    assert!(html.ends_with("&lt;b&gt;"), "{html}");
    check_page(&html, &nonce, &c, &req, 2);
}

#[test]
fn a_missing_handle_renders_nothing() {
    let page = TemplateContext::new();
    assert_eq!(page.csp_nonce(), "");
    assert_eq!(page.csrf_input(), SafeHtml(String::new()));
    let nonce = CspNonce::default();
    let page = page.nonce(&nonce);
    assert_eq!(page.csp_style_nonce(), nonce.value());
}

#[cfg(feature = "minijinja")]
#[test]
fn minijinja_offers_only_the_functions_whose_handle_was_given() {
    let nonce = CspNonce::default();
    let rampart = TemplateContext::new().nonce(&nonce).minijinja();
    let names: Vec<String> = rampart.try_iter().unwrap().map(|v| v.to_string()).collect();
    assert_eq!(names, ["csp_nonce", "csp_style_nonce"]);
    let env = minijinja::Environment::new();
    assert_eq!(
        env.render_str("{{ csp_style_nonce() }}", rampart.clone())
            .unwrap(),
        nonce.value()
    );
    // No token handle: the page fails to render instead of posting no token.
    assert!(env.render_str("{{ csrf_input() }}", rampart).is_err());
}
