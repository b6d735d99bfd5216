//! The scaling lab, claims 11-14, through the real router: real nodes on loopback ports,
//! the balancer forwarding real HTTP to them, each storage strategy behind the same seam.

mod common;

use app::api::{ErrorCode, TokenResponse};

use std::net::TcpStream;

use axum::http::{StatusCode, header};
use common::{Backend, Reply, TestApp, alice, start_default, start_with, test_config};
use serde_json::{Value, json};

/// Starts a cluster and returns its view.
async fn cluster(app: &TestApp, nodes: usize, strategy: &str, storage: &str) -> Value {
    let reply = app
        .post(
            "/api/lab/cluster",
            json!({"nodes": nodes, "strategy": strategy, "storage": storage}),
            &[],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

/// Every `name=value` the reply set, joined as a `Cookie` header would carry them.
fn cookies_set(reply: &Reply) -> Vec<String> {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|value| value.split(';').next())
        .map(str::to_owned)
        .collect()
}

/// A browser's cookie jar, enough for these tests: later cookies replace earlier ones by name.
#[derive(Default)]
struct Jar(Vec<String>);

impl Jar {
    fn take(&mut self, reply: &Reply) {
        for pair in cookies_set(reply) {
            let name = pair.split('=').next().unwrap_or_default().to_owned();
            self.0.retain(|kept| !kept.starts_with(&format!("{name}=")));
            self.0.push(pair);
        }
    }

    fn header(&self) -> String {
        self.0.join("; ")
    }
}

fn node_of(reply: &Reply) -> usize {
    reply.header("x-authlens-node").parse().unwrap_or(0)
}

/// Logs in through the balancer on the session side; returns the node that did it.
async fn session_login(app: &TestApp, jar: &mut Jar) -> usize {
    let reply = app
        .post(
            "/lb/api/session/login",
            alice(),
            &[("cookie", &jar.header())],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    jar.take(&reply);
    node_of(&reply)
}

/// `/me` through the balancer `times` times: (node, status) of each.
async fn session_me(app: &TestApp, jar: &mut Jar, times: usize) -> Vec<(usize, u16)> {
    let mut seen = Vec::new();
    for _ in 0..times {
        let reply = app
            .get("/lb/api/session/me", &[("cookie", &jar.header())])
            .await;
        jar.take(&reply);
        seen.push((node_of(&reply), reply.status.as_u16()));
    }
    seen
}

async fn jwt_me(app: &TestApp, times: usize) -> Vec<(usize, u16)> {
    let login = app.post("/lb/api/jwt/login", alice(), &[]).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let bearer = format!("Bearer {}", login.json::<TokenResponse>().access_token);
    let mut seen = Vec::new();
    for _ in 0..times {
        let reply = app
            .get("/lb/api/jwt/me", &[("authorization", &bearer)])
            .await;
        seen.push((node_of(&reply), reply.status.as_u16()));
    }
    seen
}

fn statuses(seen: &[(usize, u16)]) -> Vec<u16> {
    seen.iter().map(|(_, status)| *status).collect()
}

fn nodes(seen: &[(usize, u16)]) -> Vec<usize> {
    seen.iter().map(|(node, _)| *node).collect()
}

#[tokio::test]
async fn claim_11_round_robin_forgets_node_local_sessions_but_not_jwts() {
    let app = start_default().await;
    cluster(&app, 3, "round_robin", "local").await;
    let mut jar = Jar::default();
    let home = session_login(&app, &mut jar).await;
    let seen = session_me(&app, &mut jar, 6).await;
    // Each /me goes to the next node; only the node that created the session knows it.
    for (node, status) in &seen {
        let expected = if *node == home { 200 } else { 401 };
        assert_eq!(*status, expected, "node {node}: {seen:?}");
    }
    let mut served: Vec<usize> = nodes(&seen);
    served.sort();
    served.dedup();
    assert_eq!(served, vec![1, 2, 3], "round-robin reaches every node");

    let tokens = jwt_me(&app, 6).await;
    assert_eq!(
        statuses(&tokens),
        vec![200; 6],
        "any node verifies a token: {tokens:?}"
    );

    // The view shows the session in one node's table only.
    let view = app.get("/api/lab/cluster", &[]).await.body;
    let counts: Vec<u64> = view["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["sessions"]["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts.iter().sum::<u64>(), 1, "{counts:?}");
    assert_eq!(counts[home - 1], 1);
}

#[tokio::test]
async fn claim_12_sticky_works_until_the_node_dies() {
    let app = start_default().await;
    cluster(&app, 3, "sticky", "local").await;
    let mut jar = Jar::default();
    let home = session_login(&app, &mut jar).await;
    assert!(
        jar.header().contains(&format!("authlens_lb={home}")),
        "{}",
        jar.header()
    );
    let seen = session_me(&app, &mut jar, 5).await;
    assert_eq!(
        seen,
        vec![(home, 200); 5],
        "pinned to the node that holds the session"
    );

    let killed = app
        .post(
            &format!("/api/lab/cluster/nodes/{home}/kill"),
            json!({}),
            &[],
        )
        .await;
    assert_eq!(killed.status, StatusCode::OK);
    let after = session_me(&app, &mut jar, 3).await;
    let moved_to = after[0].0;
    assert_ne!(moved_to, home);
    assert_eq!(
        after,
        vec![(moved_to, 401); 3],
        "re-pinned to a node that never saw the session"
    );
    assert!(jar.header().contains(&format!("authlens_lb={moved_to}")));

    // The load is uneven: this visitor's requests all went to two nodes, in two runs.
    let view = app.get("/api/lab/cluster", &[]).await.body;
    let requests: Vec<u64> = view["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["requests"].as_u64().unwrap())
        .collect();
    assert_eq!(requests[home - 1], 6);
    assert_eq!(requests[moved_to - 1], 3);
    assert_eq!(requests.iter().sum::<u64>(), 9);
    assert_eq!(view["nodes"][home - 1]["up"], false);
}

#[tokio::test]
async fn claim_13_replication_survives_a_node_death_at_n_minus_1_messages_a_write() {
    for n in [3usize, 5] {
        let app = start_default().await;
        cluster(&app, n, "round_robin", "replicated").await;
        let mut jar = Jar::default();
        let home = session_login(&app, &mut jar).await;
        let seen = session_me(&app, &mut jar, n).await;
        assert_eq!(
            statuses(&seen),
            vec![200; n],
            "every node has a copy: {seen:?}"
        );

        // One login and n calls to /me (each refreshes the idle deadline): n + 1 writes.
        let view = app.get("/api/lab/cluster", &[]).await.body;
        let writes = n as u64 + 1;
        assert_eq!(
            view["replication"]["messages"],
            writes * (n as u64 - 1),
            "n = {n}"
        );
        assert!(view["replication"]["bytes"].as_u64().unwrap() > 100 * writes);
        assert_eq!(view["replication"]["failed"], 0);

        app.post(
            &format!("/api/lab/cluster/nodes/{home}/kill"),
            json!({}),
            &[],
        )
        .await;
        let after = session_me(&app, &mut jar, n).await;
        assert_eq!(statuses(&after), vec![200; n], "still logged in: {after:?}");
        assert!(!nodes(&after).contains(&home));
        let view = app.get("/api/lab/cluster", &[]).await.body;
        assert_eq!(
            view["replication"]["failed"], n as u64,
            "the dead node missed each write"
        );
    }
}

/// Claim 16, once: log in, cut off the node that answered (the balancer's next request goes
/// elsewhere), log out there, replay the old cookie, heal, replay again. The nodes that still
/// accepted the logged-out session while cut off, and after healing.
async fn logout_during_a_partition(
    resync: bool,
) -> (usize, Vec<(usize, u16)>, Vec<(usize, u16)>, Value) {
    let app = start_default().await;
    let reply = app
        .post(
            "/api/lab/cluster",
            json!({"nodes": 3, "strategy": "round_robin", "storage": "replicated", "resync": resync}),
            &[],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let mut jar = Jar::default();
    let cut = session_login(&app, &mut jar).await;
    let view = app
        .post(&format!("/api/lab/cluster/nodes/{cut}/cut"), json!({}), &[])
        .await
        .body;
    assert_eq!(view["nodes"][cut - 1]["cut_off"], true, "{view}");
    // The old cookie, as a copy taken before logout would keep it.
    let old_cookie = jar.header();
    let logout = app
        .post(
            "/lb/api/session/logout",
            json!({}),
            &[("cookie", &old_cookie)],
        )
        .await;
    assert_eq!(logout.status, StatusCode::OK, "{}", logout.body);
    assert_ne!(node_of(&logout), cut, "the logout went to a connected node");
    let mut replay = Jar(vec![old_cookie.clone()]);
    let while_cut = session_me(&app, &mut replay, 3).await;
    app.post(
        &format!("/api/lab/cluster/nodes/{cut}/heal"),
        json!({}),
        &[],
    )
    .await;
    let mut replay = Jar(vec![old_cookie]);
    let after_heal = session_me(&app, &mut replay, 6).await;
    let view = app.get("/api/lab/cluster", &[]).await.body;
    (cut, while_cut, after_heal, view)
}

#[tokio::test]
async fn claim_16_a_node_cut_off_during_logout_accepts_the_old_cookie_until_a_resync() {
    // Without the resync (the textbook's replication): the cut-off node still accepts the
    // logged-out session, and healing changes nothing: the lost delete is never sent again.
    let (cut, while_cut, after_heal, view) = logout_during_a_partition(false).await;
    for (node, status) in &while_cut {
        let expected = if *node == cut { 200 } else { 401 };
        assert_eq!(*status, expected, "node {node} while cut: {while_cut:?}");
    }
    assert!(
        after_heal.iter().any(|(_, status)| *status == 200),
        "healing alone does not converge: {after_heal:?}"
    );
    assert_eq!(view["replication"]["resyncs"], 0);
    assert!(
        view["replication"]["failed"].as_u64().unwrap() >= 1,
        "the delete was lost"
    );

    // With the fix: the healed node copies a peer's sessions first, and the old cookie is
    // refused everywhere.
    let (cut, while_cut, after_heal, view) = logout_during_a_partition(true).await;
    assert!(while_cut.contains(&(cut, 200)), "{while_cut:?}");
    assert_eq!(statuses(&after_heal), vec![401; 6], "{after_heal:?}");
    assert_eq!(view["replication"]["resyncs"], 1);
    assert_eq!(view["nodes"][cut - 1]["cut_off"], false);
    assert_eq!(view["nodes"][cut - 1]["sessions"]["count"], 0);
}

#[tokio::test]
async fn cut_and_heal_need_replication_and_a_revived_node_resyncs() {
    let app = start_default().await;
    cluster(&app, 3, "round_robin", "local").await;
    let refused = app
        .post("/api/lab/cluster/nodes/1/cut", json!({}), &[])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);

    cluster(&app, 3, "round_robin", "replicated").await;
    let mut jar = Jar::default();
    session_login(&app, &mut jar).await;
    app.post("/api/lab/cluster/nodes/2/kill", json!({}), &[])
        .await;
    let view = app
        .post("/api/lab/cluster/nodes/2/revive", json!({}), &[])
        .await
        .body;
    // Back with a copy of its peers' sessions, not empty.
    assert_eq!(view["nodes"][1]["sessions"]["count"], 1, "{view}");
    assert_eq!(view["replication"]["resyncs"], 1);
}

#[tokio::test]
async fn claim_14_a_central_stand_in_survives_nodes_but_not_its_own_death() {
    let app = start_default().await;
    let view = cluster(&app, 3, "round_robin", "central").await;
    assert_eq!(view["central"]["kind"], "stand-in");
    let mut jar = Jar::default();
    session_login(&app, &mut jar).await;
    app.post("/api/lab/cluster/nodes/1/kill", json!({}), &[])
        .await;
    assert_eq!(statuses(&session_me(&app, &mut jar, 4).await), vec![200; 4]);

    let tokens_before = app.post("/lb/api/jwt/login", alice(), &[]).await;
    let bearer = format!(
        "Bearer {}",
        tokens_before.json::<TokenResponse>().access_token
    );
    app.post("/api/lab/cluster/central/kill", json!({}), &[])
        .await;
    let me = app
        .get("/lb/api/session/me", &[("cookie", &jar.header())])
        .await;
    assert_eq!(me.status, StatusCode::SERVICE_UNAVAILABLE, "{}", me.body);
    assert_eq!(me.error_code(), ErrorCode::StoreUnavailable);
    let login = app.post("/lb/api/session/login", alice(), &[]).await;
    assert_eq!(login.status, StatusCode::SERVICE_UNAVAILABLE);
    let token_me = app
        .get("/lb/api/jwt/me", &[("authorization", &bearer)])
        .await;
    assert_eq!(token_me.status, StatusCode::OK, "a token needs no store");

    app.post("/api/lab/cluster/central/revive", json!({}), &[])
        .await;
    assert_eq!(statuses(&session_me(&app, &mut jar, 2).await), vec![200; 2]);
}

#[tokio::test]
async fn claim_14_central_redis_answers_503_while_down_and_serves_again_after() {
    let mut app = start_with(test_config(), Backend::Redis).await;
    let view = cluster(&app, 3, "round_robin", "central").await;
    assert_eq!(view["central"]["kind"], "redis");
    let mut jar = Jar::default();
    session_login(&app, &mut jar).await;
    app.post("/api/lab/cluster/nodes/2/kill", json!({}), &[])
        .await;
    assert_eq!(statuses(&session_me(&app, &mut jar, 3).await), vec![200; 3]);
    let tokens = app.post("/lb/api/jwt/login", alice(), &[]).await;
    let bearer = format!("Bearer {}", tokens.json::<TokenResponse>().access_token);

    app.redis.as_mut().unwrap().kill();
    let started = std::time::Instant::now();
    let me = app
        .get("/lb/api/session/me", &[("cookie", &jar.header())])
        .await;
    assert_eq!(me.status, StatusCode::SERVICE_UNAVAILABLE, "{}", me.body);
    assert!(
        started.elapsed().as_secs() < 3,
        "no hang: {:?}",
        started.elapsed()
    );
    let token_me = app
        .get("/lb/api/jwt/me", &[("authorization", &bearer)])
        .await;
    assert_eq!(token_me.status, StatusCode::OK);
    let view = app.get("/api/lab/cluster", &[]).await.body;
    assert_eq!(view["central"]["up"], false, "{}", view["central"]);

    // Redis returns (empty: no persistence here); logins work again without restarting anything.
    app.redis.as_mut().unwrap().revive();
    let mut fresh = Jar::default();
    session_login(&app, &mut fresh).await;
    assert_eq!(
        statuses(&session_me(&app, &mut fresh, 3).await),
        vec![200; 3]
    );
}

#[tokio::test]
async fn stopping_the_cluster_closes_every_node_port() {
    let app = start_default().await;
    let view = cluster(&app, 4, "round_robin", "replicated").await;
    let ports: Vec<u16> = view["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["port"].as_u64().unwrap() as u16)
        .collect();
    assert!(
        ports
            .iter()
            .all(|port| TcpStream::connect(("127.0.0.1", *port)).is_ok())
    );
    let stopped = app.delete("/api/lab/cluster").await;
    assert_eq!(stopped.status, StatusCode::NO_CONTENT);
    for port in ports {
        assert!(
            TcpStream::connect(("127.0.0.1", port)).is_err(),
            "port {port} still open"
        );
    }
    let view = app.get("/api/lab/cluster", &[]).await.body;
    assert_eq!(view["running"], false);
}

#[tokio::test]
async fn a_revived_node_comes_back_on_its_port_with_an_empty_memory() {
    let app = start_default().await;
    cluster(&app, 2, "sticky", "local").await;
    let mut jar = Jar::default();
    let home = session_login(&app, &mut jar).await;
    app.post(
        &format!("/api/lab/cluster/nodes/{home}/kill"),
        json!({}),
        &[],
    )
    .await;
    let revived = app
        .post(
            &format!("/api/lab/cluster/nodes/{home}/revive"),
            json!({}),
            &[],
        )
        .await;
    assert_eq!(revived.status, StatusCode::OK);
    assert_eq!(revived.body["nodes"][home - 1]["up"], true);
    assert_eq!(revived.body["nodes"][home - 1]["sessions"]["count"], 0);
}

#[tokio::test]
async fn bad_lab_requests_get_clean_json_errors() {
    let app = start_default().await;
    let no_cluster = app.get("/lb/api/session/me", &[]).await;
    assert_eq!(no_cluster.status, StatusCode::NOT_FOUND);
    assert_eq!(no_cluster.error_code(), ErrorCode::NoCluster);

    for (body, code) in [
        (
            json!({"nodes": 9, "strategy": "sticky", "storage": "local"}),
            ErrorCode::BadRequest,
        ),
        (
            json!({"nodes": 1, "strategy": "sticky", "storage": "local"}),
            ErrorCode::BadRequest,
        ),
        (
            json!({"nodes": 3, "strategy": "random", "storage": "local"}),
            ErrorCode::BadRequest,
        ),
        (
            json!({"nodes": 3, "strategy": "sticky"}),
            ErrorCode::BadRequest,
        ),
    ] {
        let reply = app.post("/api/lab/cluster", body.clone(), &[]).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            reply.body
        );
        assert_eq!(reply.error_code(), code);
    }

    cluster(&app, 2, "round_robin", "local").await;
    let checks = [
        (
            "/api/lab/cluster/nodes/7/kill",
            StatusCode::NOT_FOUND,
            ErrorCode::NoSuchNode,
        ),
        (
            "/api/lab/cluster/nodes/0/kill",
            StatusCode::NOT_FOUND,
            ErrorCode::NoSuchNode,
        ),
        (
            "/api/lab/cluster/nodes/1/explode",
            StatusCode::NOT_FOUND,
            ErrorCode::UnknownAction,
        ),
        (
            "/api/lab/cluster/central/kill",
            StatusCode::CONFLICT,
            ErrorCode::NoCentralStore,
        ),
        (
            "/lb/internal/replicate",
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
        ),
    ];
    for (path, status, code) in checks {
        let reply = app.post(path, json!({}), &[]).await;
        assert_eq!(reply.status, status, "{path}: {}", reply.body);
        assert_eq!(reply.error_code(), code, "{path}");
    }

    // Every node down: the balancer says so instead of hanging.
    for node in 1..=2 {
        app.post(
            &format!("/api/lab/cluster/nodes/{node}/kill"),
            json!({}),
            &[],
        )
        .await;
    }
    let nowhere = app.get("/lb/api/session/me", &[]).await;
    assert_eq!(nowhere.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(nowhere.error_code(), ErrorCode::NoNodeUp);
}
