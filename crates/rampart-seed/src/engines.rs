//! `/engines/{engine}`: the same small login page in each template engine
//! rampart integrates with (`rampart_core::templates`), served by both seed
//! apps: the script nonce, the CSRF meta tag, htmx's `hx-headers` (not in
//! maud, which writes attributes itself) and the hidden input.

use std::sync::OnceLock;

use rampart_core::templates::TemplateContext;

/// The engines, as they appear in the path.
pub const ENGINES: [&str; 4] = ["minijinja", "tera", "askama", "maud"];

/// The page in jinja syntax, for minijinja (functions) and, with `| safe`, tera (values).
const MINIJINJA_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ engine }}</title>
{{ csrf_meta() }}
<script nonce="{{ csp_nonce() }}" src="/static/js/script.js" defer></script></head>
<body {{ csrf_hx_headers() }}><form method="POST" action="/login">{{ csrf_input() }}
<input name="username"><input name="password" type="password"><button>Log in</button></form></body></html>"#;

const TERA_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ engine }}</title>
{{ csrf_meta | safe }}
<script nonce="{{ csp_nonce }}" src="/static/js/script.js" defer></script></head>
<body {{ csrf_hx_headers | safe }}><form method="POST" action="/login">{{ csrf_input | safe }}
<input name="username"><input name="password" type="password"><button>Log in</button></form></body></html>"#;

#[derive(askama::Template)]
#[template(
    source = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>askama</title>
{{ rampart.csrf_meta() }}
<script nonce="{{ rampart.csp_nonce() }}" src="/static/js/script.js" defer></script></head>
<body {{ rampart.csrf_hx_headers() }}><form method="POST" action="/login">{{ rampart.csrf_input() }}
<input name="username"><input name="password" type="password"><button>Log in</button></form></body></html>"#,
    ext = "html"
)]
struct AskamaPage<'a> {
    rampart: &'a TemplateContext,
}

fn maud_page(rampart: &TemplateContext) -> String {
    maud::html! {
        (maud::DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "maud" }
                (rampart.csrf_meta())
                script nonce=(rampart.csp_nonce()) src="/static/js/script.js" defer {}
            }
            body {
                form method="POST" action="/login" {
                    (rampart.csrf_input())
                    input name="username";
                    input name="password" type="password";
                    button { "Log in" }
                }
            }
        }
    }
    .into_string()
}

/// The page in `engine`, or `None` for an engine not in [`ENGINES`]; `Err`
/// when the engine failed (logged by the caller, answered with a 500).
pub fn render(engine: &str, rampart: &TemplateContext) -> Option<Result<String, String>> {
    Some(match engine {
        "minijinja" => {
            static ENV: OnceLock<minijinja::Environment<'static>> = OnceLock::new();
            let env = ENV.get_or_init(|| {
                let mut env = minijinja::Environment::new();
                env.add_template("page.html", MINIJINJA_PAGE)
                    .expect("the minijinja page parses");
                env
            });
            env.get_template("page.html")
                .and_then(|t| {
                    t.render(minijinja::context! { engine => "minijinja", ..rampart.minijinja() })
                })
                .map_err(|e| e.to_string())
        }
        "tera" => {
            static TERA: OnceLock<tera::Tera> = OnceLock::new();
            let tera = TERA.get_or_init(|| {
                let mut t = tera::Tera::default();
                t.add_raw_template("page.html", TERA_PAGE)
                    .expect("the tera page parses");
                t
            });
            let mut ctx = rampart.tera();
            ctx.insert("engine", "tera");
            tera.render("page.html", &ctx).map_err(|e| e.to_string())
        }
        "askama" => askama::Template::render(&AskamaPage { rampart }).map_err(|e| e.to_string()),
        "maud" => Ok(maud_page(rampart)),
        _ => return None,
    })
}
