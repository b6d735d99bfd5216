//! Several authlens processes sharing one Redis, as behind a round-robin balancer: a probe
//! nonce handed out by one process files the probes that reach another, and a visitor whose
//! lab cluster ran on another process is told so, with its settings to set it up again.

mod common;

use axum::http::StatusCode;
use serde_json::json;

use app::api::cluster::ClusterView;
use app::api::{ErrorCode, ProbeNonce, ProbeRecord};
use common::*;

#[tokio::test]
async fn a_probe_that_reaches_another_process_is_filed_for_its_visitor() {
    let first = start_on(Backend::Redis).await;
    let second = another_process(&first).await;
    let visitor = new_visitor();
    let nonce = first
        .as_visitor(&visitor)
        .post("/api/lab/csrf-probes", json!({}), &[])
        .await
        .json::<ProbeNonce>()
        .nonce;
    assert_eq!(
        cross_site_probe(&second, &nonce).await.status,
        StatusCode::OK
    );
    assert_eq!(
        cross_site_probe(&first, &nonce).await.status,
        StatusCode::OK
    );

    // Either process shows the visitor both probes, and another visitor none.
    for process in [&first, &second] {
        let probes = process
            .as_visitor(&visitor)
            .get("/api/lab/csrf-probes", &[])
            .await;
        let probes: Vec<ProbeRecord> = probes.json();
        assert_eq!(probes.len(), 2, "{probes:?}");
        assert!(probes.iter().all(|probe| probe.nonce == nonce
            && probe.sec_fetch_site.as_deref() == Some("cross-site")
            && probe.status == 401));
        let other = process
            .as_visitor(&new_visitor())
            .get("/api/lab/csrf-probes", &[])
            .await;
        assert_eq!(other.json::<Vec<ProbeRecord>>(), Vec::new());
    }
    // The cap per nonce holds across processes: four probes in all, whichever takes them.
    for _ in 0..5 {
        cross_site_probe(&first, &nonce).await;
        cross_site_probe(&second, &nonce).await;
    }
    let probes: Vec<ProbeRecord> = second
        .as_visitor(&visitor)
        .get("/api/lab/csrf-probes", &[])
        .await
        .json();
    assert_eq!(probes.len(), 4);
}

#[tokio::test]
async fn with_its_redis_gone_the_probe_log_answers_503_and_the_form_its_page() {
    let mut app = start_on(Backend::Redis).await;
    let nonce = app
        .post("/api/lab/csrf-probes", json!({}), &[])
        .await
        .json::<ProbeNonce>()
        .nonce;
    app.redis.as_mut().expect("a Redis").kill();
    for reply in [
        app.post("/api/lab/csrf-probes", json!({}), &[]).await,
        app.get("/api/lab/csrf-probes", &[]).await,
        app.post("/api/lab/samesite/cookies", json!({}), &[]).await,
    ] {
        assert_unavailable(&reply);
        assert!(
            reply.body["message"]
                .as_str()
                .unwrap()
                .contains("probe log")
        );
    }
    // The attacker's form still gets its one line of HTML (nothing hangs in its frame).
    let probe = cross_site_probe(&app, &nonce).await;
    assert_eq!(probe.status, StatusCode::OK);
    assert!(probe.body.as_str().unwrap().contains("<p>"));
}

fn lab_settings() -> serde_json::Value {
    json!({"nodes": 2, "strategy": "round_robin", "storage": "local", "resync": true})
}

#[tokio::test]
async fn a_cluster_on_a_process_that_is_gone_is_said_to_be_gone_and_can_be_set_up_again() {
    let first = start_on(Backend::Redis).await;
    let second = another_process(&first).await;
    let visitor = new_visitor();
    let started = first
        .as_visitor(&visitor)
        .post("/api/lab/cluster", lab_settings(), &[])
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);

    // The balancer now sends this visitor to the second process (the first stopped).
    let view: ClusterView = second
        .as_visitor(&visitor)
        .get("/api/lab/cluster", &[])
        .await
        .json();
    assert!(!view.running && view.elsewhere, "{view:?}");
    assert_eq!(view.settings.map(|settings| settings.nodes), Some(2));
    let call = second
        .as_visitor(&visitor)
        .get("/lb/api/session/me", &[])
        .await;
    assert_eq!(call.status, StatusCode::GONE, "{}", call.body);
    assert_eq!(call.error_code(), ErrorCode::LabGone);
    assert!(
        call.body["message"]
            .as_str()
            .unwrap()
            .contains("Set it up again")
    );
    // Another visitor, who never had a cluster, gets the plain answer.
    let other = second
        .as_visitor(&new_visitor())
        .get("/lb/api/session/me", &[])
        .await;
    assert_eq!(other.error_code(), ErrorCode::NoCluster);
    // The first process still runs it and says nothing of "elsewhere".
    let own: ClusterView = first
        .as_visitor(&visitor)
        .get("/api/lab/cluster", &[])
        .await
        .json();
    assert!(own.running && !own.elsewhere);

    // Set up again on the second process: it runs there, and is no longer "elsewhere".
    let again = second
        .as_visitor(&visitor)
        .post("/api/lab/cluster", lab_settings(), &[])
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let view: ClusterView = second
        .as_visitor(&visitor)
        .get("/api/lab/cluster", &[])
        .await
        .json();
    assert!(view.running && !view.elsewhere);
    // Stopping it forgets where it ran: neither process calls it "elsewhere" afterwards.
    assert_eq!(
        second
            .as_visitor(&visitor)
            .delete("/api/lab/cluster")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let view: ClusterView = second
        .as_visitor(&visitor)
        .get("/api/lab/cluster", &[])
        .await
        .json();
    assert!(!view.running && !view.elsewhere, "{view:?}");
}
