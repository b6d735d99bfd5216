//! Micro benchmarks: what one request's auth work costs, piece by piece.
//!   cargo bench -p server --bench micro            (Redis parts need redis-server on PATH)
//! Each store benchmark runs against memory and against a real redis-server that this bench
//! starts on a free loopback port and stops by its PID.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, header};
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::BodyExt;
use tokio::runtime::Runtime;
use tower::ServiceExt;

use server::clock::Clock;
use server::http::trace::TraceRecorder;
use server::jwt::refresh::MemoryRefreshStore;
use server::jwt::{ACCESS_TYP, AUDIENCE, AccessClaims, ISSUER, JwtService, SigningKeys};
use server::storage::redis::RedisLink;
use server::storage::sessions::redis::RedisSessionStore;
use server::storage::sessions::{MemoryStore, SessionId, SessionRecord, SessionStore, VisitorId};
use server::users::UserDirectory;
use server::{AppState, Config};

#[path = "../tests/common/redis_server.rs"]
#[allow(dead_code)] // shared with the tests, which use more of it
mod redis_server;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn jwt_service(keys: SigningKeys, clock: &Clock) -> JwtService {
    JwtService::new(
        keys,
        MemoryRefreshStore::new(clock.clone()),
        Duration::from_secs(30),
        Duration::from_secs(600),
        clock.clone(),
    )
}

fn claims(clock: &Clock) -> AccessClaims {
    let now = clock.now_secs();
    AccessClaims {
        iss: ISSUER.into(),
        sub: "alice".into(),
        aud: AUDIENCE.into(),
        iat: now,
        exp: now + 3600,
        jti: "bench-token-id".into(),
        name: "Alice".into(),
        cart: Vec::new(),
    }
}

fn tokens(c: &mut Criterion) {
    let rt = runtime();
    let _guard = rt.enter();
    let clock = Clock::new();
    let services = [
        ("hs256", SigningKeys::hs256(None).expect("HS256 key")),
        ("eddsa", SigningKeys::eddsa(None).expect("Ed25519 key")),
    ];
    let mut group = c.benchmark_group("jwt");
    for (name, keys) in services {
        let jwt = jwt_service(keys, &clock);
        let claims = claims(&clock);
        group.bench_function(format!("{name}/sign"), |b| {
            b.iter(|| jwt.sign(ACCESS_TYP, &claims).expect("signs"))
        });
        let token = jwt.sign(ACCESS_TYP, &claims).expect("signs");
        group.bench_function(format!("{name}/verify"), |b| {
            b.to_async(&rt).iter(|| async {
                let mut trace = TraceRecorder::default();
                let verified: AccessClaims = jwt
                    .verify(&token, ACCESS_TYP, &mut trace)
                    .await
                    .expect("verifies");
                verified
            })
        });
    }
    group.finish();
}

fn record(clock: &Clock) -> SessionRecord {
    let now = clock.now_ms();
    SessionRecord {
        id: SessionId::generate(),
        visitor: VisitorId::generate(),
        username: "alice".into(),
        cart: Vec::new(),
        created_at: now,
        last_seen_at: now,
        expires_at: now + 15 * 60 * 1000,
    }
}

/// get and put on one store, with `rows` other live sessions already in it.
fn bench_store(c: &mut Criterion, rt: &Runtime, name: &str, store: Arc<dyn SessionStore>) {
    let clock = Clock::new();
    let rows = 10_000;
    rt.block_on(async {
        for _ in 0..rows {
            store.save(&record(&clock)).await.expect("save");
        }
    });
    let known = record(&clock);
    rt.block_on(store.save(&known)).expect("save");
    let mut group = c.benchmark_group(format!("session-store/{name}"));
    group.bench_function(format!("get (of {rows} rows)"), |b| {
        b.to_async(rt)
            .iter(|| async { store.load(&known.id).await.expect("load") })
    });
    group.bench_function("put", |b| {
        b.to_async(rt)
            .iter(|| async { store.save(&known).await.expect("save") })
    });
    group.finish();
}

fn stores(c: &mut Criterion) {
    let rt = runtime();
    let memory: Arc<dyn SessionStore> = rt.block_on(async { MemoryStore::new(Clock::new()) });
    bench_store(c, &rt, "memory", memory);

    let redis = redis_server::TestRedis::start();
    let link = Arc::new(
        RedisLink::new(&redis.url(), "bench:", Duration::from_secs(1)).expect("a Redis URL"),
    );
    // The store starts its read-batching task on the runtime.
    let store: Arc<dyn SessionStore> =
        rt.block_on(async { RedisSessionStore::new(link, Clock::new()) });
    bench_store(c, &rt, "redis", store);
}

fn passwords(c: &mut Criterion) {
    let rt = runtime();
    // The server's defaults: argon2id, 19 MiB, 2 passes (OWASP's first recommendation).
    let users = rt
        .block_on(UserDirectory::seeded(19_456, 2))
        .expect("seeded users");
    let mut group = c.benchmark_group("argon2id");
    group.sample_size(20);
    group.bench_function("verify (19 MiB, 2 passes)", |b| {
        b.to_async(&rt)
            .iter(|| async { users.verify("alice", "wonderland").await.expect("verifies") })
    });
    group.finish();
}

/// One whole request through the router in process (no socket, no hyper): what the server's
/// own code costs for each endpoint of the load test, so the difference to `/api/health` is
/// the price of the auth work and its trace alone.
fn requests(c: &mut Criterion) {
    let rt = runtime();
    let mut config = Config::defaults();
    config.argon2_memory_kib = 8;
    config.argon2_iterations = 1;
    config.access_ttl = Duration::from_secs(3600);
    let router =
        rt.block_on(async { server::app(AppState::new(config).await.expect("the app starts")) });
    let call = |request: Request<Body>| {
        let router = router.clone();
        async move {
            let response = router.oneshot(request).await.expect("an answer");
            assert!(response.status().is_success(), "{}", response.status());
            response
                .into_body()
                .collect()
                .await
                .expect("a body")
                .to_bytes()
        }
    };
    let login = |path: &str| {
        Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                r#"{"username":"alice","password":"wonderland"}"#,
            ))
            .expect("a request")
    };
    let (cookie, token) = rt.block_on(async {
        let response = router
            .clone()
            .oneshot(login("/api/session/login"))
            .await
            .expect("an answer");
        let set_cookie = response.headers()[header::SET_COOKIE]
            .to_str()
            .expect("text");
        let cookie = set_cookie.split(';').next().expect("name=value").to_owned();
        let body = call(login("/api/jwt/login")).await;
        let body: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        (
            cookie,
            body["access_token"].as_str().expect("a token").to_owned(),
        )
    });
    let get = |path: &str, header: Option<(header::HeaderName, String)>| {
        let mut request = Request::get(path);
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        request.body(Body::empty()).expect("a request")
    };
    let mut group = c.benchmark_group("request (in process)");
    group.bench_function("/api/health", |b| {
        b.to_async(&rt).iter(|| call(get("/api/health", None)))
    });
    group.bench_function("session /me (memory)", |b| {
        b.to_async(&rt).iter(|| {
            call(get(
                "/api/session/me",
                Some((header::COOKIE, cookie.clone())),
            ))
        })
    });
    group.bench_function("jwt /me (HS256)", |b| {
        b.to_async(&rt).iter(|| {
            let bearer = format!("Bearer {token}");
            call(get("/api/jwt/me", Some((header::AUTHORIZATION, bearer))))
        })
    });
    group.finish();
}

criterion_group!(benches, requests, tokens, stores, passwords);
criterion_main!(benches);
