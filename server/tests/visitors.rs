//! Many visitors at once: each visitor's listings, bulk runs, lab cluster and probe log are
//! their own; the server-wide ceilings answer 503 with `Retry-After`; nobody reaches another
//! visitor's cluster, nor plants sessions through a node's replication port.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{StatusCode, header};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use app::api::{
    BulkResponse, ErrorCode, ProbeNonce, RefreshListing, SessionListing, SessionResponse,
};
use common::*;
use server::Config;

fn decode<T: serde::de::DeserializeOwned>(reply: &Reply) -> T {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_value(reply.body.clone()).expect("the documented shape")
}

fn assert_busy(reply: &Reply, code: ErrorCode) {
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.body
    );
    assert_eq!(reply.error_code(), code, "{}", reply.body);
    assert!(
        reply.header(header::RETRY_AFTER).parse::<u64>().unwrap() > 0,
        "Retry-After says when"
    );
}

/// The configuration of the tests, with the login limit off (they log in many times).
fn unlimited() -> Config {
    let mut config = test_config();
    config.login_burst = 0;
    config
}

#[tokio::test]
async fn the_first_answer_gives_a_visitor_cookie_of_its_own() {
    let app = start_default().await;
    // A request that keeps no demo state (a health check, curl) is made no visitor.
    let health = app
        .send(request("GET", "/api/health", Body::empty(), &[]))
        .await;
    assert_eq!(health.headers.get(header::SET_COOKIE), None);
    // The page, and any answer that used a visitor, offer the cookie.
    let page = app.send(request("GET", "/", Body::empty(), &[])).await;
    assert!(
        page.header(header::SET_COOKIE)
            .starts_with("authlens_visitor=")
    );
    let first = app
        .send(request("GET", "/api/session/store", Body::empty(), &[]))
        .await;
    let set = first.header(header::SET_COOKIE);
    assert!(set.starts_with("authlens_visitor="), "{set}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(attribute), "{set} lacks {attribute}");
    }
    let id = set.split(';').next().unwrap().split('=').nth(1).unwrap();
    assert!(id.len() >= 22, "at least 128 bits, base64url: {id}");
    // A browser that has one keeps it: nothing is set again.
    let again = app.get("/api/session/store", &[]).await;
    assert_eq!(again.headers.get(header::SET_COOKIE), None);
    // A session login sets the session cookie, never the visitor's.
    let login = app.post("/api/session/login", alice(), &[]).await;
    assert!(login.cookie_pair().starts_with("authlens_sid="));
}

async fn listings_are_the_visitors_own_rows_and_the_servers_totals(backend: Backend) {
    let app = start_with(unlimited(), backend).await;
    let (a, b) = (
        app.as_visitor(&new_visitor()),
        app.as_visitor(&new_visitor()),
    );
    let mut a_sessions = Vec::new();
    for _ in 0..2 {
        let login = a.post("/api/session/login", alice(), &[]).await;
        a_sessions.push(login.json::<SessionResponse>().session.id);
    }
    let b_session = b.post("/api/session/login", alice(), &[]).await;
    a.post("/api/jwt/login", alice(), &[]).await;
    b.post("/api/jwt/login", alice(), &[]).await;
    b.post("/api/jwt/login", alice(), &[]).await;

    let a_listing: SessionListing = decode(&a.get("/api/session/store", &[]).await);
    let mut listed: Vec<String> = a_listing
        .sessions
        .iter()
        .map(|row| row.id.clone())
        .collect();
    listed.sort();
    a_sessions.sort();
    assert_eq!(listed, a_sessions, "A sees exactly A's rows");
    assert_eq!((a_listing.counts.yours, a_listing.counts.total), (2, 3));
    let b_listing: SessionListing = decode(&b.get("/api/session/store", &[]).await);
    assert_eq!(
        b_listing
            .sessions
            .iter()
            .map(|row| &row.id)
            .collect::<Vec<_>>(),
        [&b_session.json::<SessionResponse>().session.id]
    );
    assert_eq!((b_listing.counts.yours, b_listing.counts.total), (1, 3));

    let a_families: RefreshListing = decode(&a.get("/api/jwt/refresh-store", &[]).await);
    let b_families: RefreshListing = decode(&b.get("/api/jwt/refresh-store", &[]).await);
    assert_eq!(
        (
            a_families.families.len(),
            a_families.counts.yours,
            a_families.counts.total
        ),
        (1, 1, 3)
    );
    assert_eq!(
        (
            b_families.families.len(),
            b_families.counts.yours,
            b_families.counts.total
        ),
        (2, 2, 3)
    );

    // Logging out deletes the row from its visitor's listing too.
    let cookie = b_session.cookie_pair();
    b.post("/api/session/logout", json!({}), &[("cookie", &cookie)])
        .await;
    let b_listing: SessionListing = decode(&b.get("/api/session/store", &[]).await);
    assert_eq!(
        (
            b_listing.sessions.len(),
            b_listing.counts.yours,
            b_listing.counts.total
        ),
        (0, 0, 2)
    );

    // curl without a cookie jar is a visitor of its own: no rows, the same totals.
    let stranger = app
        .send(request("GET", "/api/session/store", Body::empty(), &[]))
        .await;
    let stranger: SessionListing = decode(&stranger);
    assert_eq!(
        (
            stranger.sessions.len(),
            stranger.counts.yours,
            stranger.counts.total
        ),
        (0, 0, 2)
    );
}

async fn bulk_rows_are_the_visitors_and_gone_once_measured(backend: Backend) {
    let app = start_with(unlimited(), backend).await;
    let other = app.as_visitor(&new_visitor());
    other.post("/api/session/login", alice(), &[]).await;
    app.post("/api/session/login", alice(), &[]).await;
    let run: BulkResponse = decode(
        &app.post(
            "/api/lab/bulk",
            json!({"kind": "sessions", "count": 1200}),
            &[],
        )
        .await,
    );
    assert_eq!(run.your_session_rows_before, 1);
    assert_eq!(
        run.your_session_rows_held, 1201,
        "the batch is yours while held"
    );
    assert_eq!(run.server_session_rows_held, 1202);
    assert_eq!(run.your_session_rows_after, 1, "and gone once measured");
    let listing: SessionListing = decode(&app.get("/api/session/store", &[]).await);
    assert_eq!((listing.counts.yours, listing.counts.total), (1, 2));

    let tokens: BulkResponse = decode(
        &app.post(
            "/api/lab/bulk",
            json!({"kind": "tokens", "count": 600}),
            &[],
        )
        .await,
    );
    assert_eq!(
        tokens.your_session_rows_held,
        tokens.your_session_rows_before
    );
    assert_eq!(
        tokens.your_refresh_rows_held,
        tokens.your_refresh_rows_before
    );
    assert!(
        tokens.token_bytes_total > 600 * 100,
        "600 real tokens were signed"
    );
}

#[tokio::test]
async fn a_long_listing_says_where_it_is_cut() {
    let app = start(unlimited()).await;
    for _ in 0..101 {
        app.post("/api/session/login", alice(), &[]).await;
    }
    let listing: SessionListing = decode(&app.get("/api/session/store", &[]).await);
    assert_eq!(
        (
            listing.sessions.len(),
            listing.counts.limit,
            listing.counts.yours
        ),
        (100, 100, 101)
    );
}

#[tokio::test]
async fn no_bulk_run_past_the_servers_ceilings() {
    let mut config = unlimited();
    config.max_bulk_runs = 0;
    let app = start(config).await;
    let busy = app
        .post(
            "/api/lab/bulk",
            json!({"kind": "sessions", "count": 10}),
            &[],
        )
        .await;
    assert_busy(&busy, ErrorCode::ServerBusy);

    // Bulk rows are bounded apart from logins: a full server still measures, and a bulk run
    // leaves the logins' allowance as it was.
    let mut config = unlimited();
    config.max_sessions = 1;
    let app = start(config).await;
    app.post("/api/session/login", alice(), &[]).await;
    let run: BulkResponse = decode(
        &app.post(
            "/api/lab/bulk",
            json!({"kind": "sessions", "count": 50}),
            &[],
        )
        .await,
    );
    assert_eq!(run.your_session_rows_held, 51);
    assert_eq!(app.state.bulk.runs.rows_held.get(), 0, "all released");
    assert_busy(
        &app.post("/api/session/login", alice(), &[]).await,
        ErrorCode::ServerBusy,
    );
}

#[tokio::test]
async fn logins_past_max_sessions_get_server_busy() {
    let mut config = unlimited();
    config.max_sessions = 2;
    let app = start(config).await;
    for _ in 0..2 {
        assert_eq!(
            app.post("/api/session/login", alice(), &[]).await.status,
            StatusCode::OK
        );
        assert_eq!(
            app.post("/api/jwt/login", alice(), &[]).await.status,
            StatusCode::OK
        );
    }
    assert_busy(
        &app.post("/api/session/login", alice(), &[]).await,
        ErrorCode::ServerBusy,
    );
    assert_busy(
        &app.post("/api/jwt/login", alice(), &[]).await,
        ErrorCode::ServerBusy,
    );
}

async fn start_cluster(visitor: &AsVisitor<'_>, nodes: usize, storage: &str) -> Reply {
    visitor
        .post(
            "/api/lab/cluster",
            json!({"nodes": nodes, "strategy": "round_robin", "storage": storage}),
            &[],
        )
        .await
}

fn ports(view: &Value) -> Vec<u16> {
    view["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["port"].as_u64().unwrap() as u16)
        .collect()
}

#[tokio::test]
async fn another_visitors_cluster_and_nodes_answer_404() {
    let app = start_default().await;
    let (a, b) = (
        app.as_visitor(&new_visitor()),
        app.as_visitor(&new_visitor()),
    );
    let started = start_cluster(&a, 2, "central").await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);

    let b_view = b.get("/api/lab/cluster", &[]).await;
    assert_eq!(b_view.body["running"], false, "B sees no cluster of B's");
    for path in [
        "/api/lab/cluster/nodes/1/kill",
        "/api/lab/cluster/central/kill",
    ] {
        let reply = b.post(path, json!({}), &[]).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            reply.body
        );
        assert_eq!(reply.error_code(), ErrorCode::NoCluster);
    }
    assert_eq!(
        b.get("/lb/api/session/me", &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.delete("/api/lab/cluster").await.status,
        StatusCode::NO_CONTENT
    );

    let a_view = a.get("/api/lab/cluster", &[]).await.body;
    assert_eq!(a_view["running"], true);
    assert_eq!(a_view["nodes"][0]["up"], true, "A's node 1 stays up");
    assert_eq!(a_view["central"]["up"], true, "A's central store stays up");
    let login = a.post("/lb/api/session/login", alice(), &[]).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
}

#[tokio::test]
async fn the_lab_answers_lab_busy_past_its_ceilings() {
    let mut config = test_config();
    config.max_clusters = 2;
    config.max_lab_nodes = 5;
    let app = start(config).await;
    // Three addresses, so that only the server-wide ceilings decide here.
    let (a, b, c) = (
        app.as_visitor(&new_visitor()).from("10.0.0.1"),
        app.as_visitor(&new_visitor()).from("10.0.0.2"),
        app.as_visitor(&new_visitor()).from("10.0.0.3"),
    );
    assert_eq!(start_cluster(&a, 3, "local").await.status, StatusCode::OK);
    assert_busy(&start_cluster(&b, 3, "local").await, ErrorCode::LabBusy);
    assert_eq!(start_cluster(&b, 2, "local").await.status, StatusCode::OK);
    assert_busy(&start_cluster(&c, 2, "local").await, ErrorCode::LabBusy);
    // Replacing one's own cluster counts only the others'.
    assert_eq!(
        start_cluster(&a, 3, "replicated").await.status,
        StatusCode::OK
    );
    assert_eq!(app.state.lab.running(), (2, 5));
    // A stopped cluster frees its place.
    b.delete("/api/lab/cluster").await;
    assert_eq!(start_cluster(&c, 2, "local").await.status, StatusCode::OK);
}

#[tokio::test]
async fn one_address_runs_only_its_share_of_the_lab() {
    let mut config = test_config();
    config.max_clusters = 8;
    config.max_lab_nodes = 20;
    let app = start(config).await;
    let here = |_| app.as_visitor(&new_visitor()).from("10.0.0.1");
    let (first, second, third) = (here(1), here(2), here(3));
    assert_eq!(
        start_cluster(&first, 6, "local").await.status,
        StatusCode::OK
    );
    // Half of the 20 nodes per address: 6 + 5 is past it, 6 + 4 is not.
    assert_busy(
        &start_cluster(&second, 5, "local").await,
        ErrorCode::LabBusy,
    );
    assert_eq!(
        start_cluster(&second, 4, "local").await.status,
        StatusCode::OK
    );
    // A quarter of the 8 clusters per address: a third one waits.
    let refused = start_cluster(&third, 2, "local").await;
    assert_busy(&refused, ErrorCode::LabBusy);
    assert!(
        refused.body["message"]
            .as_str()
            .unwrap()
            .contains("your address"),
        "{}",
        refused.body
    );
    // Another address still has its whole share.
    let elsewhere = app.as_visitor(&new_visitor()).from("10.0.0.2");
    assert_eq!(
        start_cluster(&elsewhere, 3, "local").await.status,
        StatusCode::OK
    );
    // Replacing one's own cluster counts only the others'.
    assert_eq!(
        start_cluster(&second, 4, "replicated").await.status,
        StatusCode::OK
    );
}

/// A raw HTTP/1.1 POST to a node's port; the status code of its answer.
async fn post_to_port(port: u16, path: &str, headers: &str, body: &str) -> u16 {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("the node listens");
    let request = format!(
        "POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
        .split(' ')
        .nth(1)
        .unwrap_or_default()
        .parse()
        .unwrap_or(0)
}

#[tokio::test]
async fn replication_without_the_clusters_secret_is_refused() {
    let app = start_default().await;
    let view = start_cluster(&app.as_visitor(&app.visitor), 2, "replicated")
        .await
        .body;
    let port = ports(&view)[0];
    let planted = "A".repeat(43);
    let record = json!({"op": "save", "record": {
        "id": planted, "visitor": "AAAAAAAAAAAAAAAAAAAAAA", "username": "alice", "cart": [],
        "created_at": 0, "last_seen_at": 0, "expires_at": i64::MAX,
    }})
    .to_string();
    assert_eq!(
        post_to_port(port, "/internal/replicate", "", &record).await,
        403
    );
    assert_eq!(
        post_to_port(
            port,
            "/internal/replicate",
            "x-authlens-lab-secret: guess\r\n",
            &record
        )
        .await,
        403
    );
    let me = app
        .get(
            "/lb/api/session/me",
            &[("cookie", &format!("lab_authlens_sid={planted}"))],
        )
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "nothing was planted");
    // The nodes' own replication still works: a login on one node is known on the other.
    let login = app.post("/lb/api/session/login", alice(), &[]).await;
    let cookie = login.cookie_pair();
    for _ in 0..2 {
        let me = app.get("/lb/api/session/me", &[("cookie", &cookie)]).await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    }
}

/// A lab login through the balancer as if from `client` over TCP.
async fn lab_login_from(app: &TestApp, client: &str) -> StatusCode {
    let body = json!({"username": "alice", "password": "guess"}).to_string();
    let mut request = request("POST", "/lb/api/session/login", Body::from(body), &[]);
    request
        .headers_mut()
        .append(header::COOKIE, app.visitor.parse().unwrap());
    let peer: SocketAddr = format!("{client}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    app.send(request).await.status
}

#[tokio::test]
async fn the_lab_nodes_limit_logins_per_real_client_address() {
    let mut config = test_config();
    config.login_burst = 3;
    config.login_per_minute = 1;
    let app = start(config).await;
    start_cluster(&app.as_visitor(&app.visitor), 2, "local").await;
    for _ in 0..3 {
        assert_eq!(
            lab_login_from(&app, "10.0.0.1").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        lab_login_from(&app, "10.0.0.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another client behind the same balancer has a bucket of its own.
    assert_eq!(
        lab_login_from(&app, "10.0.0.2").await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(start_paused = true)]
async fn an_idle_cluster_is_stopped_and_its_ports_freed() {
    let mut config = test_config();
    config.lab_idle = Duration::from_secs(600);
    let app = start(config).await;
    let view = start_cluster(&app.as_visitor(&app.visitor), 2, "local")
        .await
        .body;
    let ports = ports(&view);
    tokio::time::advance(Duration::from_secs(540)).await;
    settle().await;
    assert_eq!(
        app.state.lab.running(),
        (1, 2),
        "9 minutes idle: still running"
    );
    tokio::time::advance(Duration::from_secs(120)).await;
    settle().await;
    assert_eq!(app.state.lab.running(), (0, 0), "11 minutes idle: stopped");
    for port in ports {
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
            "port {port} is closed"
        );
    }
}

/// Lets the reaper task, woken by the advanced clock, run to its end.
async fn settle() {
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
}

async fn probes_are_filed_under_the_visitor_who_was_handed_the_nonce(backend: Backend) {
    let app = start_on(backend).await;
    let (a, b) = (
        app.as_visitor(&new_visitor()),
        app.as_visitor(&new_visitor()),
    );
    let nonce = a.post("/api/lab/csrf-probes", json!({}), &[]).await;
    let nonce = nonce.json::<ProbeNonce>().nonce;
    assert!(nonce.len() >= 22, "{nonce}");
    // The cross-site form carries no visitor cookie at all.
    cross_site_probe(&app, &nonce).await;
    let a_probes = a.get("/api/lab/csrf-probes", &[]).await.body;
    assert_eq!(a_probes.as_array().unwrap().len(), 1);
    assert_eq!(a_probes[0]["nonce"], nonce.as_str());
    assert_eq!(a_probes[0]["sec_fetch_site"], "cross-site");
    assert_eq!(b.get("/api/lab/csrf-probes", &[]).await.body, json!([]));

    // A nonce nobody was handed records nothing; A's own is capped, so it cannot be flooded.
    for _ in 0..50 {
        cross_site_probe(&app, "madeup").await;
        cross_site_probe(&app, &nonce).await;
    }
    let a_probes = a.get("/api/lab/csrf-probes", &[]).await.body;
    assert_eq!(a_probes.as_array().unwrap().len(), 4);
    assert_eq!(b.get("/api/lab/csrf-probes", &[]).await.body, json!([]));
}

async fn probe_logs_have_a_ceiling(backend: Backend) {
    let mut config = test_config();
    config.max_probe_logs = 1;
    let app = start_with(config, backend).await;
    let first = app.post("/api/lab/csrf-probes", json!({}), &[]).await;
    assert_eq!(first.status, StatusCode::OK);
    let again = app.post("/api/lab/csrf-probes", json!({}), &[]).await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "the same visitor gets another nonce"
    );
    let other = app.as_visitor(&new_visitor()).from("10.0.0.2");
    assert_busy(
        &other.post("/api/lab/csrf-probes", json!({}), &[]).await,
        ErrorCode::ServerBusy,
    );
}

async fn one_address_cannot_fill_the_probe_logs(backend: Backend) {
    let mut config = test_config();
    config.max_probe_logs = 20;
    let app = start_with(config, backend).await;
    // A client with no cookie is a new visitor on every request: 200 of them from one
    // address keep replacing that address's own oldest logs (a tenth of the ceiling).
    let first = app.as_visitor(&new_visitor()).from("10.0.0.9");
    let nonce = first.post("/api/lab/csrf-probes", json!({}), &[]).await;
    assert_eq!(nonce.status, StatusCode::OK);
    for _ in 0..200 {
        let flood = app.as_visitor(&new_visitor()).from("10.0.0.9");
        assert_eq!(
            flood
                .post("/api/lab/csrf-probes", json!({}), &[])
                .await
                .status,
            StatusCode::OK
        );
    }
    // Every other address still gets its logs: 18 visitors of 9 addresses, none refused.
    for n in 1..=18 {
        let visitor = app
            .as_visitor(&new_visitor())
            .from(&format!("10.0.1.{}", n % 9));
        let reply = visitor.post("/api/lab/csrf-probes", json!({}), &[]).await;
        assert_eq!(reply.status, StatusCode::OK, "visitor {n}: {}", reply.body);
    }
    // The flooding address's first log was one of those it gave up.
    assert_eq!(first.get("/api/lab/csrf-probes", &[]).await.body, json!([]));
}

async fn a_probe_record_keeps_a_few_hundred_bytes_per_header(backend: Backend) {
    let app = start_on(backend).await;
    let nonce = app.post("/api/lab/csrf-probes", json!({}), &[]).await;
    let nonce = nonce.json::<ProbeNonce>().nonce;
    let fat = format!("https://{}.example", "a".repeat(190_000));
    let reply = app
        .send(request(
            "POST",
            &format!("/api/lab/csrf-probe?flow=jwt&nonce={nonce}"),
            Body::empty(),
            &[("origin", &fat), ("sec-fetch-site", &fat)],
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let probes = app.get("/api/lab/csrf-probes", &[]).await;
    assert!(
        probes.body.to_string().len() < 2_000,
        "the record is small: {} bytes",
        probes.body.to_string().len()
    );
    let record = &probes.body[0];
    assert_eq!(record["origin"].as_str().unwrap().len(), 256);
    assert!(fat.starts_with(record["origin"].as_str().unwrap()));
    assert_eq!(
        record["cut"],
        json!(["sec_fetch_site", "origin", "refused_by"]),
        "the record says what it cut"
    );
}

for_each_store!(
    listings_are_the_visitors_own_rows_and_the_servers_totals,
    bulk_rows_are_the_visitors_and_gone_once_measured,
    probes_are_filed_under_the_visitor_who_was_handed_the_nonce,
    probe_logs_have_a_ceiling,
    one_address_cannot_fill_the_probe_logs,
    a_probe_record_keeps_a_few_hundred_bytes_per_header,
);
