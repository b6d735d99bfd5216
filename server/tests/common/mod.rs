//! Drives the real router in-process with `tower::ServiceExt::oneshot`: no port, no sleeping.
//! Keep the store-parametrised macros (`for_each_store!`, `for_each_alg!`): one suite runs over
//! every store and every signing algorithm, so a new store gets the whole suite by one line.
//! Store-dependent tests run once per store: in memory, and in a real `redis-server` that the
//! test starts on a free loopback port and stops by its PID when it ends.
#![allow(dead_code)]

mod redis_server;

pub use redis_server::TestRedis;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use server::http::edge::Server;
use tower::ServiceExt;

use app::api::TokenResponse;
use server::config::JwtAlg;
use server::{AppState, Config, app};

pub struct TestApp {
    pub router: Server,
    pub state: AppState,
    /// The Redis this app's stores live in, stopped when the test ends.
    pub redis: Option<TestRedis>,
    /// `authlens_visitor=<id>`: the visitor `get` and `post` send as (a browser's own cookie).
    pub visitor: String,
}

/// A `Cookie` pair naming a new visitor.
pub fn new_visitor() -> String {
    format!(
        "{}={}",
        server::http::visitor::VISITOR_COOKIE,
        server::http::visitor::VisitorId::generate()
    )
}

/// Requests as one visitor of a [`TestApp`] (a second browser, for two-visitor tests).
pub struct AsVisitor<'a> {
    pub app: &'a TestApp,
    pub visitor: String,
    /// The TCP peer the requests come from (`None`: in-process, no address).
    pub peer: Option<std::net::SocketAddr>,
}

impl AsVisitor<'_> {
    /// The same visitor, its requests coming over TCP from `ip` (for per-address shares).
    pub fn from(mut self, ip: &str) -> Self {
        self.peer = Some(format!("{ip}:40000").parse().expect("an IP address"));
        self
    }

    fn send(&self, mut request: Request<Body>) -> impl Future<Output = Reply> + '_ {
        if let Some(peer) = self.peer {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
        }
        self.app.send(request)
    }

    pub async fn post(&self, path: &str, body: Value, extra: &[(&str, &str)]) -> Reply {
        self.send(as_visitor(
            &self.visitor,
            "POST",
            path,
            Body::from(body.to_string()),
            extra,
        ))
        .await
    }

    pub async fn get(&self, path: &str, extra: &[(&str, &str)]) -> Reply {
        self.send(as_visitor(&self.visitor, "GET", path, Body::empty(), extra))
            .await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(as_visitor(
            &self.visitor,
            "DELETE",
            path,
            Body::empty(),
            &[],
        ))
        .await
    }
}

fn as_visitor(
    visitor: &str,
    method: &str,
    path: &str,
    body: Body,
    extra: &[(&str, &str)],
) -> Request<Body> {
    with_visitor(visitor, request(method, path, body, extra))
}

/// `request` sent as `visitor`: its own `Cookie` header line beside any the test sends, as
/// HTTP allows.
pub fn with_visitor(visitor: &str, mut request: Request<Body>) -> Request<Body> {
    request.headers_mut().append(
        header::COOKIE,
        visitor.parse().expect("a valid cookie header"),
    );
    request
}

/// Where the session and refresh stores live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Memory,
    Redis,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Memory => "memory",
            Backend::Redis => "redis",
        }
    }
}

/// One module of tests, each calling `super::test(value)`.
#[macro_export]
macro_rules! tests_with {
    ($module:ident, $value:expr, $($test:ident),+) => {
        $crate::tests_with!(#[tokio::test] $module, $value, $($test),+);
    };
    (#[$runtime:meta] $module:ident, $value:expr, $($test:ident),+) => {
        mod $module {
            $(
                #[$runtime]
                async fn $test() {
                    super::$test($value).await
                }
            )+
        }
    };
}

/// Turns each `async fn name(backend: Backend)` listed into one test per store:
/// `memory_store::name` and `redis_store::name`.
#[macro_export]
macro_rules! for_each_store {
    ($($test:ident),+ $(,)?) => {
        $crate::tests_with!(memory_store, $crate::common::Backend::Memory, $($test),+);
        $crate::tests_with!(redis_store, $crate::common::Backend::Redis, $($test),+);
    };
}

/// As [`for_each_store!`], on a multi-threaded runtime: for requests that race on real threads.
#[macro_export]
macro_rules! for_each_store_on_threads {
    ($($test:ident),+ $(,)?) => {
        $crate::tests_with!(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            memory_store, $crate::common::Backend::Memory, $($test),+
        );
        $crate::tests_with!(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            redis_store, $crate::common::Backend::Redis, $($test),+
        );
    };
}

/// Turns each `async fn name(alg: JwtAlg)` listed into one test per signing algorithm:
/// `hs256::name` and `eddsa::name`.
#[macro_export]
macro_rules! for_each_alg {
    ($($test:ident),+ $(,)?) => {
        $crate::tests_with!(hs256, server::config::JwtAlg::Hs256, $($test),+);
        $crate::tests_with!(eddsa, server::config::JwtAlg::Eddsa, $($test),+);
    };
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: impl header::AsHeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// `name=value` of the session cookie this reply set.
    pub fn cookie_pair(&self) -> String {
        self.header(header::SET_COOKIE)
            .split(';')
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    /// The body as the API type the server sends (the same one the page decodes).
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_value(self.body.clone())
            .unwrap_or_else(|err| panic!("not the documented shape ({err}): {}", self.body))
    }

    /// An error answer's code.
    pub fn error_code(&self) -> app::api::ErrorCode {
        self.json::<app::api::ErrorBody>().error
    }
}

/// The default configuration with the cheapest argon2 cost, so tests stay quick.
pub fn test_config() -> Config {
    let mut config = Config::defaults();
    config.argon2_memory_kib = 8;
    config.argon2_iterations = 1;
    config
}

pub async fn start(config: Config) -> TestApp {
    start_with(config, Backend::Memory).await
}

pub async fn start_default() -> TestApp {
    start(test_config()).await
}

pub async fn start_on(backend: Backend) -> TestApp {
    start_with(test_config(), backend).await
}

pub async fn start_signing_with(alg: JwtAlg) -> TestApp {
    let mut config = test_config();
    config.jwt_alg = alg;
    start(config).await
}

/// An app whose stores live in `backend`; for Redis, in a `redis-server` of its own.
pub async fn start_with(mut config: Config, backend: Backend) -> TestApp {
    let redis = (backend == Backend::Redis).then(TestRedis::start);
    if let Some(redis) = &redis {
        config.redis_url = Some(redis.url());
    }
    let state = AppState::new(config).await.expect("the app starts");
    TestApp {
        router: app(state.clone()),
        state,
        redis,
        visitor: new_visitor(),
    }
}

/// A cross-site form's post to the CSRF probe with `nonce`: as a browser sends it from another
/// site, with no visitor cookie and no session.
pub async fn cross_site_probe(app: &TestApp, nonce: &str) -> Reply {
    app.send(request(
        "POST",
        &format!("/api/lab/csrf-probe?flow=session&nonce={nonce}"),
        Body::empty(),
        &[("sec-fetch-site", "cross-site")],
    ))
    .await
}

/// A store that is down: `503 store_unavailable` with a message for people.
pub fn assert_unavailable(reply: &Reply) {
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.body
    );
    assert_eq!(reply.error_code(), app::api::ErrorCode::StoreUnavailable);
    assert!(!reply.json::<app::api::ErrorBody>().message.is_empty());
}

/// A second authlens process beside `first`: the same settings, the same Redis (as several
/// processes behind a balancer share one), its own memory.
pub async fn another_process(first: &TestApp) -> TestApp {
    let config = Config::clone(&first.state.config);
    let state = AppState::new(config).await.expect("the app starts");
    TestApp {
        router: app(state.clone()),
        state,
        redis: None,
        visitor: new_visitor(),
    }
}

impl TestApp {
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        Reply {
            status,
            headers,
            body,
        }
    }

    /// POST as this app's own visitor.
    pub async fn post(&self, path: &str, body: Value, extra: &[(&str, &str)]) -> Reply {
        self.as_visitor(&self.visitor).post(path, body, extra).await
    }

    /// GET as this app's own visitor.
    pub async fn get(&self, path: &str, extra: &[(&str, &str)]) -> Reply {
        self.as_visitor(&self.visitor).get(path, extra).await
    }

    /// DELETE as this app's own visitor.
    pub async fn delete(&self, path: &str) -> Reply {
        self.as_visitor(&self.visitor).delete(path).await
    }

    /// Requests as `visitor` (a `Cookie` pair from [`new_visitor`]).
    pub fn as_visitor(&self, visitor: &str) -> AsVisitor<'_> {
        AsVisitor {
            app: self,
            visitor: visitor.to_owned(),
            peer: None,
        }
    }
}

pub fn request(method: &str, path: &str, body: Body, extra: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json");
    for (name, value) in extra {
        builder = builder.header(*name, *value);
    }
    builder.body(body).expect("a valid request")
}

/// Alice, logged in on both flows.
pub struct LoggedIn {
    /// `authlens_sid=<id>`, for a `Cookie` header.
    pub cookie: String,
    /// `Bearer <access token>`, for an `Authorization` header.
    pub bearer: String,
    pub refresh: String,
}

pub async fn log_in_both(app: &TestApp) -> LoggedIn {
    let cookie = app
        .post("/api/session/login", alice(), &[])
        .await
        .cookie_pair();
    let tokens = app.post("/api/jwt/login", alice(), &[]).await;
    LoggedIn {
        cookie,
        bearer: format!("Bearer {}", tokens.json::<TokenResponse>().access_token),
        refresh: tokens.json::<TokenResponse>().refresh_token,
    }
}

/// An app that believes its loopback attacker site (claim 9) listens on `port`, and itself on 3000.
pub async fn start_with_attacker_port(port: u16) -> TestApp {
    let test_app = start_default().await;
    let config = Config::clone(&test_app.state.config);
    let state = AppState::listening(config, port, 3000)
        .await
        .expect("the app starts");
    TestApp {
        router: app(state.clone()),
        state,
        ..test_app
    }
}

pub fn alice() -> Value {
    app::api::DEMO_ACCOUNTS[0].login_json()
}
