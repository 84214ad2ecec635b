//! Issue 16, item 6: the seed apps' `/engines/{engine}` page, rendered by
//! minijinja, tera, askama and maud through `rampart_core::templates`, over
//! real TCP on 127.0.0.1 on both adapters. The script nonce in the markup is
//! the one the response's CSP allows, and every token the page carries (the
//! hidden input, the meta tag, htmx's `hx-headers`) logs in.

use std::net::SocketAddr;

use regex::Regex;

use rampart_seed::axum_app;
use rampart_seed::engines::ENGINES;
use rampart_seed::testing::{cookie_pair, spawn_both};

const KEY: [u8; 32] = [0x6b; 32];

fn one(re: &str, text: &str) -> Vec<String> {
    Regex::new(re)
        .unwrap()
        .captures_iter(text)
        .map(|c| c[1].to_string())
        .collect()
}

async fn check_engine(client: &reqwest::Client, app: &str, addr: SocketAddr, engine: &str) {
    let res = client
        .get(format!("http://{addr}/engines/{engine}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{app} {engine}");
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let cookie = cookie_pair(res.headers()["set-cookie"].to_str().unwrap());
    let html = res.text().await.unwrap();

    let nonces = one(r#"<script nonce="([A-Za-z0-9_-]{24})""#, &html);
    assert_eq!(nonces.len(), 1, "{app} {engine}: {html}");
    assert!(
        csp.contains(&format!("'nonce-{}'", nonces[0])),
        "{app} {engine}: the page's nonce is not the header's: {csp}"
    );

    let mut tokens = one(
        r#"<input type="hidden" name="_csrf_token" value="([^"]+)">"#,
        &html,
    );
    tokens.extend(one(r#"<meta name="csrf-token" content="([^"]+)">"#, &html));
    tokens.extend(one(r#"hx-headers='\{"X-CSRFToken":"([^"]+)"\}'"#, &html));
    let expected = if engine == "maud" { 2 } else { 3 };
    assert_eq!(tokens.len(), expected, "{app} {engine}: {html}");
    for token in tokens {
        let res = client
            .post(format!("http://{addr}/login"))
            .header("cookie", &cookie)
            .header("sec-fetch-site", "same-origin")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("username=ada&password=pw&_csrf_token={token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{app} {engine}: token {token} refused");
        assert!(res.text().await.unwrap().contains("ada"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_engine_renders_the_nonce_and_tokens_the_layers_accept() {
    let cfg = || axum_app::SeedConfig {
        csrf_key: Some(KEY.to_vec()),
        csp_report_uri: None,
        allowed_hosts: vec![],
        config_file: None,
    };
    let (apps, _handle) = spawn_both(cfg).await.unwrap();
    let client = reqwest::Client::new();
    for (app, addr) in apps {
        for engine in ENGINES {
            check_engine(&client, app, addr, engine).await;
        }
        let res = client
            .get(format!("http://{addr}/engines/handlebars"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{app}");
    }
}
