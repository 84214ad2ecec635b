//! The seed app's router driven in-process (no sockets), for profiling one
//! endpoint under valgrind: `seed_profile get|get-new|post N` (`get-new`: a
//! first visit, without the cookie); `bare-get`, `bare-get-new`, `bare-post`
//! drive the bare app that sends the same bytes (`rampart_bench::bare`).
//! `THREADS=2` runs them on two threads sharing the app.
#![allow(dead_code)]

use rampart_seed::axum_app as app;

use axum::body::Body;
use axum::http::Request;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args[2].parse().unwrap();
    let seed = app::build(app::SeedConfig {
        csrf_key: Some(vec![7; 32]),
        ..Default::default()
    })
    .unwrap();
    let bare = args[1].starts_with("bare-");
    let kind = args[1].trim_start_matches("bare-").to_owned();
    let mut router = if bare {
        rampart_bench::bare::router(true)
    } else {
        seed.router
    };
    // A cookie + token pair, as a browser would hold after GET /login.
    let res = rampart_bench::run(
        &mut router,
        Request::get("/login")
            .header("host", "127.0.0.1:18000")
            .body(Body::empty())
            .unwrap(),
    );
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = rampart_bench::body_string(res);
    let token = page
        .split("name=\"_csrf_token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let body = format!("username=alice&password=correct+horse&_csrf_token={token}");
    let make = |kind: &str| -> Request<Body> {
        let b = Request::builder().header("host", "127.0.0.1:18000");
        if kind == "get-new" {
            return b.uri("/").body(Body::empty()).unwrap();
        }
        let b = b.header("cookie", &cookie);
        match kind {
            "get" => b.uri("/").body(Body::empty()).unwrap(),
            _ => b
                .method("POST")
                .uri("/login")
                .header("sec-fetch-site", "same-origin")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(body.clone()))
                .unwrap(),
        }
    };
    // THREADS=k: k threads share the app (each its clone of the router), as a
    // multi-threaded server's workers do; shows costs that only contention adds.
    let threads: usize = std::env::var("THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(1);
    let make = &make;
    let kind = &kind;
    std::thread::scope(|s| {
        for _ in 0..threads {
            let mut router = router.clone();
            s.spawn(move || {
                for _ in 0..n / threads {
                    let res = rampart_bench::run(&mut router, make(kind));
                    assert_eq!(res.status(), 200);
                    drop(rampart_bench::body_string(res));
                }
            });
        }
    });
}
