//! The authlens server: the session flow and the JWT flow side by side, the stores
//! behind them, and the Leptos page. [`app`] builds the router that `main` serves
//! and the tests call directly.

// The page's route and view types nest deeply; the default limit of 128 is not enough.
#![recursion_limit = "256"]

pub mod clock;
pub mod config;
pub mod experiments;
pub mod http;
pub mod ids;
pub mod jwt;
pub mod lab;
pub mod random;
pub mod session;
pub mod storage;
pub mod sync;
pub mod users;

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

use clock::Clock;
pub use config::Config;
use experiments::bench_results::{self, BenchFile};
use experiments::bulk::{self, BulkRuns, BulkState};
use experiments::cross_site::{self, CrossSiteState};
use experiments::{probe_log, samesite};
use http::attacker::AttackerSite;
use http::client::TrustedProxies;
use http::rate_limit::LoginLimiter;
use http::{assets, edge, error, openapi, page_language, security_headers};
use jwt::refresh::{MemoryRefreshStore, RedisRefreshStore, RefreshStore};
use jwt::{JwtService, JwtState};
use session::{HeldApart, SessionCookie, SessionState};
use storage::redis::RedisLink;
use storage::sessions::redis::RedisSessionStore;
use storage::sessions::{MemoryStore, SessionStore};
use users::UserDirectory;

/// The whole server's parts, assembled here and nowhere else: each part's routes ask it for
/// their own state (axum's `FromRef`), never for this. axum gives each request its own copy of
/// the state, so the copy is one pointer: the parts live behind an `Arc`.
#[derive(Clone)]
pub struct AppState(Arc<AppParts>);

#[derive(Clone)]
pub struct AppParts {
    pub config: Arc<Config>,
    pub clock: Clock,
    /// The two flows.
    pub session: Arc<SessionState>,
    pub jwt: Arc<JwtState>,
    /// The experiments: 10 (bulk runs), 9 and 15 (cross-site), the scaling lab (11-14, 16),
    /// the benchmark results /cost draws.
    pub bulk: Arc<BulkState>,
    pub cross_site: Arc<CrossSiteState>,
    pub lab: Arc<lab::Lab>,
    pub bench: BenchFile,
    /// The proxies whose `X-Forwarded-*` headers are believed (`--trusted-proxy`): the edge
    /// and `main`'s accept loop both ask.
    pub trusted_proxies: Arc<TrustedProxies>,
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

/// Each part's own state, handed out of the whole.
macro_rules! part_of_app_state {
    ($($part:ty => $field:ident),* $(,)?) => {$(
        impl FromRef<AppState> for $part {
            fn from_ref(state: &AppState) -> Self {
                state.$field.clone()
            }
        }
    )*};
}

part_of_app_state! {
    Arc<SessionState> => session,
    Arc<JwtState> => jwt,
    Arc<BulkState> => bulk,
    Arc<CrossSiteState> => cross_site,
    Arc<lab::Lab> => lab,
    BenchFile => bench,
    LeptosOptions => leptos_options,
}

impl AppState {
    /// Everything the server holds, from the configuration: hashes the demo passwords,
    /// makes the signing key and opens the stores. Its loopback attacker site is not bound
    /// (the tests; `main` uses [`AppState::listening`]).
    pub async fn new(config: Config) -> anyhow::Result<Self> {
        let attacker = AttackerSite {
            public: config.attacker_origin.clone(),
            ..Default::default()
        };
        Self::assemble(config, attacker).await
    }

    /// The state of a server listening on `authlens_port`, its loopback attacker site on
    /// `attacker_port`.
    pub async fn listening(
        config: Config,
        attacker_port: u16,
        authlens_port: u16,
    ) -> anyhow::Result<Self> {
        let attacker = AttackerSite {
            loopback_port: Some(attacker_port),
            authlens_port,
            public: config.attacker_origin.clone(),
        };
        Self::assemble(config, attacker).await
    }

    async fn assemble(config: Config, attacker: AttackerSite) -> anyhow::Result<Self> {
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
        let login_limiter = LoginLimiter::new(config.login_burst, config.login_per_minute);
        let bulk_rows = Arc::new(HeldApart::default());
        let session = Arc::new(SessionState {
            store: stores.sessions,
            users: Arc::clone(&users),
            clock: clock.clone(),
            cookie: SessionCookie {
                secure: config.secure_cookie,
                fixed_name: None,
            },
            idle: config.session_idle,
            absolute: config.session_absolute,
            max_sessions: config.max_sessions,
            held_apart: Arc::clone(&bulk_rows),
            login_limiter: login_limiter.clone(),
        });
        let jwt = Arc::new(JwtState {
            service: Arc::new(JwtService::new(
                keys,
                stores.refresh,
                config.access_ttl,
                config.refresh_ttl,
                clock.clone(),
            )),
            users,
            max_families: config.max_sessions,
            login_limiter,
        });
        let lab = lab::Lab::new(
            config.max_clusters,
            config.max_lab_nodes,
            config.lab_idle,
            stores.redis,
            lab::NodeTemplate {
                sessions: Arc::clone(&session),
                tokens: Arc::clone(&jwt),
                header_read_timeout: config.header_read_timeout,
                idle_timeout: config.idle_timeout,
                body_limit: config.body_limit,
                redis_url: config.redis_url.clone(),
                redis_prefix: config.redis_prefix.clone(),
                redis_timeout: config.redis_timeout,
            },
        );
        let leptos_options = LeptosOptions::builder()
            .output_name(assets::FRONT_END_NAME)
            .hash_files(front_end.hashed)
            .site_root(config.site_root.to_string_lossy().as_ref())
            .site_pkg_dir("pkg")
            .site_addr(config.addr)
            .build();
        Ok(AppState(Arc::new(AppParts {
            bulk: Arc::new(BulkState {
                runs: Arc::new(BulkRuns::new(config.max_bulk_runs, bulk_rows)),
                sessions: Arc::clone(&session),
                tokens: Arc::clone(&jwt),
            }),
            cross_site: Arc::new(CrossSiteState {
                attacker,
                probes: stores.probes,
                sessions: Arc::clone(&session),
            }),
            session,
            jwt,
            lab,
            bench: BenchFile(config.bench_results.as_path().into()),
            trusted_proxies: Arc::new(TrustedProxies::new(config.trusted_proxy.clone())),
            clock,
            leptos_options,
            front_end,
            config: Arc::new(config),
        })))
    }

    /// The same server with `front_end` as its built front end (the tests of its files).
    pub fn with_front_end(&self, front_end: assets::FrontEnd) -> AppState {
        AppState(Arc::new(AppParts {
            front_end,
            ..AppParts::clone(&self.0)
        }))
    }

    /// Where the demo's attacker site is: its public origin, and its loopback port.
    pub fn attacker(&self) -> &AttackerSite {
        &self.cross_site.attacker
    }

    /// The edge's state: the proxies, the visitor cookie's policy, the body and time limits.
    fn edge(&self) -> edge::EdgeState {
        edge::EdgeState {
            trusted_proxies: Arc::clone(&self.trusted_proxies),
            forwarded_in_flight: Arc::default(),
            max_in_flight_per_client: self.config.max_connections_per_client,
            attacker: self.attacker().clone(),
            secure_cookie: self.config.secure_cookie,
            body_limit: self.config.body_limit,
            request_timeout: self.config.request_timeout,
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
        .merge(session::routes(&state.session))
        .merge(jwt::routes(&state.jwt))
        .merge(jwt::key_routes())
        .merge(bulk::routes())
        .merge(cross_site::routes())
        .merge(samesite::routes())
        .merge(lab::routes())
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
    let attacker = state.attacker().clone();
    let not_found_attacker = attacker.clone();
    let shell_options = state.leptos_options.clone();
    let secure_cookie = state.config.secure_cookie;
    let page = move || {
        security_headers::set_page_policy(&attacker);
        page_language::provide(secure_cookie);
        shell(shell_options.clone())
    };
    let not_found_page = move |options| {
        security_headers::set_page_policy(&not_found_attacker);
        page_language::provide(secure_cookie);
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
    let attacker_site = cross_site::attacker_site(state.attacker().clone());
    edge::Server::new(state.edge(), routes, attacker_site)
}

/// The cheapest possible answer: the baseline the benchmarks compare the flows against.
#[utoipa::path(get, path = "/api/health", tag = "meta",
    responses((status = 200, body = Object, description = "`{\"status\": \"ok\"}`")))]
pub(crate) async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}
