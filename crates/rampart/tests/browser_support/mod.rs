//! Headless Chromium driven through chromedriver (WebDriver) for the browser tests.
//!
//! Every [`Browser`] owns its chromedriver, started with `--port=0` in its own
//! process group, and a fresh Chromium profile directory. Dropping it (also when a
//! test panics) kills the whole process group, Chromium included, and removes the
//! profile directory.
//!
//! What is known to work on the CI machines, and why the flags are what they are:
//! `../shared/reference/browser-testing.md` (outside this repository).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use axum::Router;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

/// How long any wait for the browser may take. One page load took 10 s under
/// full CPU load on a 2-core machine, so stay well above that.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Set to make a missing browser fail the test instead of skipping it (`.ci/run` sets it).
pub const REQUIRE_VAR: &str = "RAMPART_REQUIRE_BROWSER";

/// Chromium's flags: root needs `--no-sandbox`; the networking flags stop it from
/// reaching for hosts the machine cannot reach.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// Only a few browsers at a time: the machines have 2 cores, and a test's waits
/// should measure the browser, not a queue of six Chromiums.
static SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// A headless Chromium session. Use [`Browser::start`]; call [`Browser::close`] at
/// the end of a test (dropping it also cleans up, just less politely).
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    // Dropped after `client`: kills chromedriver and Chromium, removes the profile.
    _driver: Driver,
    _slot: tokio::sync::SemaphorePermit<'static>,
}

impl Browser {
    /// Starts chromedriver and a Chromium session, or returns `None` (after printing
    /// a SKIP line) when they are not installed. Panics instead of skipping when
    /// `RAMPART_REQUIRE_BROWSER` is set.
    pub async fn start(test: &str) -> Option<Browser> {
        let (Some(chromium), Some(chromedriver)) =
            (find_on_path("chromium"), find_on_path("chromedriver"))
        else {
            if std::env::var_os(REQUIRE_VAR).is_some() {
                panic!(
                    "{test}: chromium/chromedriver not found on PATH, and {REQUIRE_VAR} is set \
                     (install Debian's chromium and chromium-driver)"
                );
            }
            // Straight to stderr, past the test harness's capture, so the skip shows.
            let _ = writeln!(
                std::io::stderr(),
                "SKIP: {test}: chromium/chromedriver not installed \
                 (install Debian's chromium chromium-driver, or see .ci/run)"
            );
            return None;
        };
        let slot = SLOTS.acquire().await.expect("semaphore never closes");
        let driver = tokio::task::spawn_blocking(move || Driver::start(&chromedriver))
            .await
            .expect("chromedriver start task");

        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", driver.profile.display()));
        let caps = json!({
            "browserName": "chrome",
            // Return from navigation at once: the index page loads jQuery from a CDN
            // this machine cannot reach. Tests wait for what they need instead.
            "pageLoadStrategy": "none",
            "goog:chromeOptions": { "binary": chromium, "args": args },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        let caps: Capabilities = caps;
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}/", driver.port))
            .await
            .unwrap_or_else(|e| panic!("{test}: WebDriver session failed to start: {e}"));
        Some(Browser {
            client,
            _driver: driver,
            _slot: slot,
        })
    }

    /// Ends the WebDriver session (Chromium quits), then kills what is left.
    pub async fn close(self) {
        let Browser {
            client,
            _driver,
            _slot,
        } = self;
        let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
    }

    /// Navigates; returns at once (page load strategy `none`).
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("navigating to {url}: {e}"));
    }

    /// Runs `script` (a function body; use `return`) in the current frame.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Runs `script` until it returns something other than `null`, `undefined`
    /// or `false`, and returns that; panics with `what` after [`TIMEOUT`]. Script
    /// errors (the page is still loading, the element is not there yet) count as
    /// not ready.
    pub async fn wait_js(&self, what: &str, script: &str) -> Value {
        let start = Instant::now();
        let mut last = Value::Null;
        loop {
            match self.client.execute(script, vec![]).await {
                Ok(Value::Null | Value::Bool(false)) => {}
                Ok(v) => return v,
                Err(e) => last = Value::String(e.to_string()),
            }
            if start.elapsed() > TIMEOUT {
                panic!("timed out after {TIMEOUT:?} waiting for {what} (last error: {last})");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the current document is at `url` and has finished parsing
    /// (`readyState` is `interactive` or `complete`).
    pub async fn wait_for_page(&self, url: &str) {
        let script = format!(
            "return location.href === {} && document.readyState !== 'loading';",
            json!(url)
        );
        self.wait_js(&format!("{url} to load"), &script).await;
    }

    /// The browser's console messages since the last call (chromedriver's
    /// non-standard log endpoint, enabled by `goog:loggingPrefs`).
    pub async fn console(&self) -> Vec<String> {
        let v = self
            .client
            .issue_cmd(BrowserLog)
            .await
            .unwrap_or_else(|e| panic!("reading the browser log: {e}"));
        v.as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(|e| e["message"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// `POST /session/{id}/se/log {"type": "browser"}`: chromedriver's console log.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": "browser" }).to_string()),
        )
    }
}

/// A running chromedriver in its own process group, with the profile directory
/// of the Chromium it will start.
struct Driver {
    child: Child,
    port: u16,
    profile: PathBuf,
}

impl Driver {
    fn start(chromedriver: &Path) -> Driver {
        static N: AtomicUsize = AtomicUsize::new(0);
        let profile = std::env::temp_dir().join(format!(
            "rampart-browser-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).expect("creating the Chromium profile directory");

        // chromedriver now and then exits at start on a loaded machine (its
        // port probe races another process's): try again before giving up.
        for attempt in 1..=3 {
            let mut child = Command::new(chromedriver)
                .arg("--port=0")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                // Its own process group, so that Chromium dies with it on drop.
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("starting {}: {e}", chromedriver.display()));
            let stdout = child.stdout.take().expect("piped stdout");
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                // Keep draining stdout after the port is known, so chromedriver never
                // blocks on a full pipe.
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if let Some(port) = parse_port(&line) {
                        let _ = tx.send(port);
                    }
                }
            });
            match rx.recv_timeout(TIMEOUT) {
                Ok(port) => {
                    return Driver {
                        child,
                        port,
                        profile,
                    }
                }
                Err(e) if attempt < 3 => {
                    eprintln!("chromedriver did not start ({e:?}), attempt {attempt}; retrying");
                    let _ = child.kill();
                    let _ = child.wait();
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!("chromedriver did not report its port within {TIMEOUT:?}, three times")
                }
            }
        }
        unreachable!("the last attempt returns or panics")
    }
}

/// The port from chromedriver's "ChromeDriver was started successfully on port N." line.
fn parse_port(line: &str) -> Option<u16> {
    let rest = line.split("started successfully on port ").nth(1)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group id is chromedriver's pid (process_group(0)); Chromium inherits it.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Chromium's last writes may still land in the profile: retry.
        for _ in 0..50 {
            match std::fs::remove_dir_all(&self.profile) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    std::thread::sleep(Duration::from_millis(100))
                }
                _ => break,
            }
        }
    }
}

/// Serves `app` on 127.0.0.1 on a free port, with the peer address rampart needs.
pub async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binding 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("serving");
    });
    addr
}

/// Polls `check` until it returns `Some`, for at most [`TIMEOUT`].
pub async fn poll<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = check() {
            return v;
        }
        if start.elapsed() > TIMEOUT {
            panic!("timed out after {TIMEOUT:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[test]
fn parses_chromedriver_port_line() {
    assert_eq!(
        parse_port("ChromeDriver was started successfully on port 41235."),
        Some(41235)
    );
    assert_eq!(parse_port("Starting ChromeDriver 156.0 on port 0"), None);
}
