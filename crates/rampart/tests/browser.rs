//! The seed app in a real browser (headless Chromium through chromedriver): each
//! test asserts what the browser did, and what the server saw.
//!
//! Without `chromium` and `chromedriver` on PATH the tests print a SKIP line and
//! pass, unless `RAMPART_REQUIRE_BROWSER` is set (CI sets it), which makes them fail.

use rampart_seed::axum_app as app;
mod browser_support;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;

use axum::response::Html;
use axum::routing::get;
use axum::Router;
use browser_support::{poll, serve, Browser};
use fantoccini::Locator;
use serde_json::Value;

/// A test CSRF key, so no test depends on the environment.
const KEY: &[u8] = b"browser-test-key-browser-test-key-0123456789";

async fn seed(cfg: app::SeedConfig) -> (app::SeedState, SocketAddr) {
    let seed = app::build(app::SeedConfig {
        csrf_key: Some(KEY.to_vec()),
        ..cfg
    })
    .expect("the seed app builds");
    let addr = serve(seed.router).await;
    (seed.state, addr)
}

/// Waits for the index page's nonce'd script to have run.
async fn wait_for_script_ran(b: &Browser) {
    b.wait_js(
        "the nonce'd /static/js/script.js to run",
        "return document.body && document.body.dataset.scriptRan === 'yes';",
    )
    .await;
}

#[tokio::test]
async fn nonce_script_runs_inline_script_is_blocked() {
    let Some(b) = Browser::start("nonce_script_runs_inline_script_is_blocked").await else {
        return;
    };
    let (_state, addr) = seed(app::SeedConfig::default()).await;
    let url = format!("http://{addr}/");
    b.goto(&url).await;
    b.wait_for_page(&url).await;
    wait_for_script_ran(&b).await;

    // The inline script sits in the body, before the deferred scripts run: by now
    // it has run or been refused.
    let inline = b.js("return document.body.dataset.inlineRan;").await;
    assert_eq!(inline, Value::Null, "the inline script without a nonce ran");

    // ... and refused by the CSP, not by accident: Chromium logs the violation.
    let mut seen = Vec::new();
    let refusal = poll_console(&b, &mut seen, |m| {
        m.contains("Content Security Policy") && m.contains("inline script")
    })
    .await;
    assert!(
        refusal.contains("script-src-elem"),
        "unexpected CSP message: {refusal}"
    );
    b.close().await;
}

/// Polls the console until a message matches; panics listing what was seen.
async fn poll_console(
    b: &Browser,
    seen: &mut Vec<String>,
    matches: impl Fn(&str) -> bool,
) -> String {
    let start = std::time::Instant::now();
    loop {
        seen.extend(b.console().await);
        if let Some(m) = seen.iter().find(|m| matches(m)) {
            return m.clone();
        }
        assert!(
            start.elapsed() < browser_support::TIMEOUT,
            "no matching console message; the console said: {seen:#?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn login_form_submits_with_token() {
    let Some(b) = Browser::start("login_form_submits_with_token").await else {
        return;
    };
    let (state, addr) = seed(app::SeedConfig::default()).await;
    let url = format!("http://{addr}/login");
    b.goto(&url).await;
    b.wait_for_page(&url).await;

    let wait = || b.client.wait().at_most(browser_support::TIMEOUT);
    wait()
        .for_element(Locator::Id("username"))
        .await
        .expect("username field")
        .send_keys("alice")
        .await
        .expect("typing the username");
    b.client
        .find(Locator::Id("password"))
        .await
        .expect("password field")
        .send_keys("correct horse")
        .await
        .expect("typing the password");
    b.client
        .find(Locator::Id("submit"))
        .await
        .expect("submit button")
        .click()
        .await
        .expect("clicking submit");

    let welcome = wait()
        .for_element(Locator::Id("welcome"))
        .await
        .unwrap_or_else(|e| panic!("no welcome page: {e}"));
    assert_eq!(welcome.text().await.expect("welcome text"), "welcome alice");
    assert_eq!(state.logins.load(Ordering::SeqCst), 1);
    b.close().await;
}

/// An app on another port that serves `page` at `/` and `extra` at `/control`.
async fn other_origin(page: String, extra: &'static str) -> SocketAddr {
    serve(
        Router::new()
            .route("/", get(move || async move { Html(page) }))
            .route("/control", get(move || async move { Html(extra) }))
            .route(
                "/favicon.ico",
                get(|| async { axum::http::StatusCode::NO_CONTENT }),
            ),
    )
    .await
}

#[tokio::test]
async fn cross_site_form_post_is_rejected() {
    let Some(b) = Browser::start("cross_site_form_post_is_rejected").await else {
        return;
    };
    let (state, addr) = seed(app::SeedConfig::default()).await;
    // The seed app is 127.0.0.1:A, the attacker localhost:B: another site, so the
    // browser sends `Sec-Fetch-Site: cross-site`.
    let attacker = other_origin(
        format!(
            r#"<!doctype html><title>attacker</title>
<form id="f" method="POST" action="http://{addr}/login">
  <input name="username" value="mallory"><input name="password" value="x">
  <input name="_csrf_token" value="bogus">
</form>
<script>document.getElementById('f').submit();</script>"#
        ),
        "",
    )
    .await;
    b.goto(&format!("http://localhost:{}/", attacker.port()))
        .await;

    let target = format!("http://{addr}/login");
    b.wait_for_page(&target).await;
    let title = b
        .wait_js(
            "the response to the forged POST",
            "return document.title || null;",
        )
        .await;
    let text = b.js("return document.body.innerText;").await;
    assert_eq!(title, "403 Forbidden", "page text: {text}");
    let text = text.as_str().unwrap_or_default();
    assert!(
        text.contains("Cross-site request refused"),
        "not rampart's cross-site rejection: {text}"
    );
    assert!(!text.contains("welcome"), "{text}");
    assert_eq!(state.logins.load(Ordering::SeqCst), 0);
    b.close().await;
}

#[tokio::test]
async fn framing_from_another_origin_is_blocked() {
    let Some(b) = Browser::start("framing_from_another_origin_is_blocked").await else {
        return;
    };
    let (_state, addr) = seed(app::SeedConfig::default()).await;
    // #victim: the seed app's login form; #control: an unprotected page on the
    // framing origin that messages its parent, to show frames work at all.
    let framer = other_origin(
        format!(
            r#"<!doctype html><title>framer</title>
<script>
  window.messages = [];
  addEventListener('message', e => window.messages.push(String(e.data)));
</script>
<iframe id="victim" src="http://{addr}/login"></iframe>
<iframe id="control" src="/control"></iframe>"#
        ),
        "<!doctype html><title>control</title>\
         <script>parent.postMessage('control-loaded', '*');</script>",
    )
    .await;
    let framer_url = format!("http://localhost:{}/", framer.port());
    b.goto(&framer_url).await;
    b.wait_for_page(&framer_url).await;
    b.wait_js(
        "the control frame's message",
        "return window.messages && window.messages.includes('control-loaded');",
    )
    .await;

    let control = frame_location(&b, "control").await;
    assert_eq!(control, format!("{framer_url}control"));

    // A refused frame ends up on Chromium's error page; an allowed one would be
    // at the login URL.
    let victim = frame_location(&b, "victim").await;
    assert!(
        victim.starts_with("chrome-error://"),
        "the login page was framed by another origin (frame at {victim})"
    );
    b.close().await;
}

/// The location of the iframe with id `id`, once it left `about:blank`.
///
/// While a frame navigates (a cross-site frame moves to another process),
/// chromedriver can run a script meant for the frame in the top document: only
/// answers from inside a frame (`self !== top`) count.
async fn frame_location(b: &Browser, id: &str) -> String {
    poll_async(&format!("frame #{id} to navigate"), || async {
        let frame = b.client.find(Locator::Id(id)).await.ok()?;
        frame.enter_frame().await.ok()?;
        let probe = b
            .client
            .execute("return [location.href, self !== top];", vec![])
            .await;
        b.client
            .enter_parent_frame()
            .await
            .expect("back to the top document");
        match probe.ok()? {
            Value::Array(v) if v.get(1) == Some(&Value::Bool(true)) => match v.first() {
                Some(Value::String(h)) if !h.is_empty() && h != "about:blank" => Some(h.clone()),
                _ => None,
            },
            _ => None,
        }
    })
    .await
}

async fn poll_async<T, F: std::future::Future<Output = Option<T>>>(
    what: &str,
    mut check: impl FnMut() -> F,
) -> T {
    let start = std::time::Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            start.elapsed() < browser_support::TIMEOUT,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn fetch_put_with_meta_token() {
    let Some(b) = Browser::start("fetch_put_with_meta_token").await else {
        return;
    };
    let (state, addr) = seed(app::SeedConfig::default()).await;
    let url = format!("http://{addr}/");
    b.goto(&url).await;
    b.wait_for_page(&url).await;
    wait_for_script_ran(&b).await;

    let result = b
        .client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
(async () => {
  const token = document.querySelector('meta[name=csrf-token]').content;
  const put = (headers) => fetch('/items/1', { method: 'PUT', headers })
    .then(async r => ({ status: r.status, body: await r.text() }));
  const withToken = await put({ 'X-CSRFToken': token });
  const without = await put({});
  return { token, withToken, without };
})().then(done, e => done({ error: String(e) }));"#,
            vec![],
        )
        .await
        .expect("the fetch script");
    assert_eq!(result["error"], Value::Null, "{result}");
    assert!(
        result["token"].as_str().is_some_and(|t| !t.is_empty()),
        "{result}"
    );
    assert_eq!(result["withToken"]["status"], 200, "{result}");
    let body: Value =
        serde_json::from_str(result["withToken"]["body"].as_str().unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}: {result}"));
    assert_eq!(body["updated"], true);
    assert_eq!(result["without"]["status"], 403, "{result}");
    assert_eq!(state.item_writes.load(Ordering::SeqCst), 1);
    b.close().await;
}

#[tokio::test]
async fn csp_violation_is_reported() {
    let Some(b) = Browser::start("csp_violation_is_reported").await else {
        return;
    };
    let (state, addr) = seed(app::SeedConfig {
        csp_report_uri: Some("/csp-report".into()),
        ..Default::default()
    })
    .await;
    let url = format!("http://{addr}/");
    b.goto(&url).await;
    b.wait_for_page(&url).await;

    let report = poll("a script-src violation report", || {
        let reports = state.reports.lock().expect("reports lock");
        reports
            .iter()
            .find(|r| r.violated_directive.starts_with("script-src"))
            .cloned()
    })
    .await;
    assert_eq!(report.document_uri, url, "{report:?}");
    assert_eq!(report.blocked_uri, "inline", "{report:?}");
    assert_eq!(report.disposition, "enforce", "{report:?}");
    b.close().await;
}

/// Issue 16, item 1: a page served from another origin opening a WebSocket to
/// the seed app's `/ws` is refused; the app's own page connects and gets its
/// message echoed.
#[tokio::test]
async fn websocket_from_another_origin_is_refused_own_page_echoes() {
    let Some(b) = Browser::start("websocket_from_another_origin_is_refused_own_page_echoes").await
    else {
        return;
    };
    let (_state, addr) = seed(app::SeedConfig::default()).await;
    let attacker = other_origin(
        format!(
            r#"<!doctype html><title>attacker</title>
<script>
window.outcome = null;
const ws = new WebSocket("ws://{addr}/ws");
ws.onopen = () => {{ window.outcome = "open"; }};
ws.onerror = () => {{ if (!window.outcome) window.outcome = "error"; }};
ws.onclose = (e) => {{ if (!window.outcome) window.outcome = "closed " + e.code; }};
</script>"#
        ),
        "",
    )
    .await;
    b.goto(&format!("http://localhost:{}/", attacker.port()))
        .await;
    let outcome = b
        .wait_js(
            "the other origin's WebSocket to settle",
            "return window.outcome;",
        )
        .await;
    assert_eq!(
        outcome, "error",
        "the handshake from another origin was not refused"
    );

    let own = format!("http://{addr}/");
    b.goto(&own).await;
    b.wait_for_page(&own).await;
    b.js(&format!(
        r#"window.echo = null;
const ws = new WebSocket("ws://{addr}/ws");
ws.onopen = () => ws.send("hello from the app's own page");
ws.onmessage = (m) => {{ window.echo = m.data; }};
ws.onerror = () => {{ window.echo = window.echo || "error"; }};
return true;"#
    ))
    .await;
    let echo = b
        .wait_js("the echo on the app's own page", "return window.echo;")
        .await;
    assert_eq!(echo, "hello from the app's own page");
    b.close().await;
}
