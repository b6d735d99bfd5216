//! The authlens server: the session flow and the JWT flow side by side, the stores
//! behind them, and the Leptos page. [`app`] builds the router that `main` serves
//! and the tests call directly.

// The page's route and view types nest deeply; the default limit of 128 is not enough.
#![recursion_limit = "256"]

pub mod assets;
pub mod attacker;
pub mod bench_results;
pub mod client;
pub mod clock;
pub mod cluster;
pub mod config;
pub mod cookies;
pub mod cross_site;
pub mod edge;
pub mod error;
pub mod hashing;
pub mod ids;
pub mod jwt;
pub mod lab;
pub mod openapi;
pub mod page_language;
pub mod per_client;
pub mod probe_log;
pub mod random;
pub mod rate_limit;
pub mod request_limits;
pub mod same_origin;
pub mod samesite;
pub mod security_headers;
pub mod serve;
pub mod session;
pub mod storage;
pub mod store;
pub mod sync;
pub mod trace;
pub mod users;
pub mod visitor;

use std::sync::Arc;

use axum::extract::FromRef;
use axum::routing::any;
use axum::{Json, Router};
use leptos::prelude::LeptosOptions;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use app::{App, shell};

use client::{Client, TrustedProxies};
use clock::Clock;
pub use config::Config;
use config::SecureCookie;
use jwt::JwtService;
use jwt::refresh::{MemoryRefreshStore, RedisRefreshStore, RefreshStore};
use rate_limit::LoginLimiter;
use storage::redis::RedisLink;
use store::redis::RedisSessionStore;
use store::{MemoryStore, SessionStore};
use users::UserDirectory;

/// What every handler may use. axum gives each request its own copy of the state, so the
/// copy is one pointer: the parts live behind an `Arc`.
#[derive(Clone)]
pub struct AppState(Arc<AppParts>);

#[derive(Clone)]
pub struct AppParts {
    pub config: Arc<Config>,
    pub clock: Clock,
    pub users: Arc<UserDirectory>,
    pub sessions: Arc<dyn SessionStore>,
    /// A lab node's own session cookie name (so it never collides with the app's); `None` on
    /// the main server, whose name follows the cookie's secure-ness.
    pub lab_session_cookie: Option<&'static str>,
    pub jwt: Arc<JwtService>,
    /// `None` when the login rate limit is turned off.
    pub login_limiter: Option<Arc<LoginLimiter>>,
    /// Where the demo's attacker site is: its public origin, and its loopback port once `main`
    /// has bound it.
    pub attacker: attacker::AttackerSite,
    pub probes: probe_log::ProbeLog,
    /// The proxies whose `X-Forwarded-*` headers are believed (`--trusted-proxy`).
    pub trusted_proxies: Arc<TrustedProxies>,
    /// Requests in flight per client that a trusted proxy forwarded.
    pub forwarded_in_flight: Arc<per_client::PerAddress>,
    /// Experiment 10's bulk runs going on now.
    pub bulk_runs: Arc<lab::BulkRuns>,
    /// The scaling lab: each visitor's cluster of nodes.
    pub lab: Arc<cluster::Lab>,
    pub leptos_options: LeptosOptions,
    /// The built front end: whether its file names carry hashes.
    pub front_end: assets::FrontEnd,
}

impl std::ops::Deref for AppState {
    type Target = AppParts;

    fn deref(&self) -> &AppParts {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    /// Everything the server holds, from the configuration: hashes the demo passwords,
    /// makes the signing key and opens the stores.
    pub async fn new(config: Config) -> anyhow::Result<Self> {
        // First: a front end that could not hydrate stops the start before any other work.
        let front_end = assets::FrontEnd::find(&config.site_root)?;
        let clock = Clock::new();
        let users =
            UserDirectory::seeded(config.argon2_memory_kib, config.argon2_iterations).await?;
        let keys = jwt::SigningKeys::new(
            config.jwt_alg,
            config.jwt_secret_file.as_deref(),
            config.jwt_key_file.as_deref(),
        )?;
        let stores = open_stores(&config, &clock)?;
        let jwt = JwtService::new(
            keys,
            stores.refresh,
            config.access_ttl,
            config.refresh_ttl,
            clock.clone(),
        );
        let leptos_options = LeptosOptions::builder()
            .output_name(assets::FRONT_END_NAME)
            .hash_files(front_end.hashed)
            .site_root(config.site_root.to_string_lossy().as_ref())
            .site_pkg_dir("pkg")
            .site_addr(config.addr)
            .build();
        Ok(AppState(Arc::new(AppParts {
            sessions: stores.sessions,
            lab_session_cookie: None,
            login_limiter: LoginLimiter::new(config.login_burst, config.login_per_minute),
            attacker: attacker::AttackerSite {
                public: config.attacker_origin.clone(),
                ..Default::default()
            },
            probes: stores.probes,
            trusted_proxies: Arc::new(TrustedProxies::new(config.trusted_proxy.clone())),
            forwarded_in_flight: Arc::default(),
            bulk_runs: Arc::new(lab::BulkRuns::new(config.max_bulk_runs)),
            lab: cluster::Lab::new(
                config.max_clusters,
                config.max_lab_nodes,
                config.lab_idle,
                stores.redis,
            ),
            users,
            jwt: Arc::new(jwt),
            clock,
            leptos_options,
            front_end,
            config: Arc::new(config),
        })))
    }

    /// A copy with some parts replaced: a lab node's own store and cookie, the attacker
    /// site's port once it is bound.
    pub fn with(&self, change: impl FnOnce(&mut AppParts)) -> AppState {
        let mut parts = AppParts::clone(&self.0);
        change(&mut parts);
        AppState(Arc::new(parts))
    }

    /// When a session touched at `now` ends: after the idle timeout, but never past
    /// the absolute timeout counted from login.
    pub fn session_deadline(&self, created_at: i64, now: i64) -> i64 {
        let idle = now + self.config.session_idle.as_millis() as i64;
        let absolute = created_at + self.config.session_absolute.as_millis() as i64;
        idle.min(absolute)
    }

    /// The session cookie's name for this client: `__Host-authlens_sid` wherever it is
    /// `Secure`, `authlens_sid` on plain http (where a browser would drop a `__Host-` cookie).
    /// A lab node's cookie keeps its own name: it has `Path=/lb`, which `__Host-` forbids.
    pub fn session_cookie_name(&self, client: &Client) -> &'static str {
        self.lab_session_cookie
            .unwrap_or_else(|| app::api::session_cookie_name(self.cookie_secure(client)))
    }

    /// Whether the session and visitor cookies get `Secure`: over https (as a trusted proxy
    /// says), and for a browser on http://localhost, which keeps `Secure` cookies there.
    pub fn cookie_secure(&self, client: &Client) -> bool {
        match self.config.secure_cookie {
            SecureCookie::Always => true,
            SecureCookie::Never => false,
            SecureCookie::Auto => client.https || client.loopback,
        }
    }
}

/// What the server keeps about visitors, in one place: in Redis when a URL is given (shared by
/// every authlens pointing at it), otherwise in this process's memory.
struct Stores {
    sessions: Arc<dyn SessionStore>,
    refresh: Arc<dyn RefreshStore>,
    /// Experiments 9 and 15's probe logs: their cross-site forms may reach any process.
    probes: probe_log::ProbeLog,
    /// The Redis, for the lab's record of which process runs each visitor's cluster.
    redis: Option<Arc<RedisLink>>,
}

fn open_stores(config: &Config, clock: &Clock) -> anyhow::Result<Stores> {
    Ok(match &config.redis_url {
        Some(url) => {
            let link = Arc::new(RedisLink::new(
                url,
                &config.redis_prefix,
                config.redis_timeout,
            )?);
            Stores {
                sessions: RedisSessionStore::new(link.clone(), clock.clone()),
                refresh: RedisRefreshStore::new(link.clone(), clock.clone()),
                probes: probe_log::ProbeLog::Redis(Arc::new(probe_log::RedisProbeLog::new(
                    link.clone(),
                    clock.clone(),
                    config.max_probe_logs,
                ))),
                redis: Some(link),
            }
        }
        None => Stores {
            sessions: MemoryStore::new(clock.clone()),
            refresh: MemoryRefreshStore::new(clock.clone()),
            probes: probe_log::ProbeLog::Memory(probe_log::MemoryProbeLog::new(
                config.max_probe_logs,
            )),
            redis: None,
        },
    })
}

/// The whole server: the JSON API under `/api`, then the server-rendered page and static files.
pub fn app(state: AppState) -> edge::Server {
    // Each route is declared once, in its flow, with its documentation; the router and the
    // OpenAPI document are both made from them. Full paths, merged rather than nested: each
    // nesting level costs every request in it one more prefix strip and service call.
    let (api, document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(session::routes(&state))
        .merge(jwt::routes(&state))
        .merge(jwt::key_routes())
        .merge(lab::routes())
        .merge(cross_site::routes())
        .merge(samesite::routes())
        .merge(cluster::routes())
        .routes(routes!(health))
        .routes(routes!(bench_results::latest))
        .routes(routes!(openapi::document))
        .split_for_parts();
    openapi::publish(document);
    let api = api
        .route("/api", any(error::api_not_found))
        .route("/api/{*rest}", any(error::api_not_found))
        .method_not_allowed_fallback(error::api_method_not_allowed);
    let page_routes = generate_route_list(App);
    let attacker = state.attacker.clone();
    let not_found_attacker = attacker.clone();
    let shell_options = state.leptos_options.clone();
    let page_state = state.clone();
    let page = move || {
        security_headers::set_page_policy(&attacker);
        page_language::provide(&page_state);
        shell(shell_options.clone())
    };
    let not_found_state = state.clone();
    let not_found_page = move |options| {
        security_headers::set_page_policy(&not_found_attacker);
        page_language::provide(&not_found_state);
        shell(options)
    };
    let api = api.with_state(state.clone());
    // The page and its files: HTML compressed on the fly, /pkg precompressed and cached.
    let site = Router::new()
        .leptos_routes(&state, page_routes, page)
        .nest_service("/pkg", state.front_end.pkg_service(&state.config.site_root))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            not_found_page,
        ))
        .with_state(state.clone())
        .layer(assets::html_compression());
    let routes = api.merge(site);
    // Request spans and lines only when someone reads them (RUST_LOG=debug): at the default
    // level they would cost every request a span and a wrapped body for nothing. Faults are
    // logged apart (error::log_fault).
    let routes = if tracing::enabled!(tracing::Level::DEBUG) {
        routes.layer(TraceLayer::new_for_http())
    } else {
        routes
    };
    let attacker_site = cross_site::attacker_site(state.attacker.clone());
    edge::Server::new(state, routes, attacker_site)
}

/// The cheapest possible answer: the baseline the benchmarks compare the flows against.
#[utoipa::path(get, path = "/api/health", tag = "meta",
    responses((status = 200, body = Object, description = "`{\"status\": \"ok\"}`")))]
pub(crate) async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}
