//! A load generator that behaves like users: each connection loops through whole journeys of
//! one flow (session: login, /me, cart, /me, logout, /me → 401; JWT: login, /me, cart, refresh,
//! /me, logout), checks every answer against what that step must answer, and reports counts,
//! latencies and a per-second timeline as JSON. Used by scripts/soak.sh and scripts/faults.sh.
//!
//!   cargo run --release -p server --example loadgen -- --url http://127.0.0.1:3000 \
//!       --connections 64 --duration 60s --out soak.json

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Serialize;
use serde_json::{Value, json};

#[derive(Parser)]
struct Args {
    /// Base URL of the authlens under load.
    #[arg(long)]
    url: String,
    /// Concurrent connections, each running journeys one after another.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    duration: Duration,
    /// A request with no answer within this long counts as a timeout (a hang).
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    timeout: Duration,
    /// Which journeys to run, spread over the connections: `session`, `jwt`, and the
    /// log-in-once-then-call-/me loops `session-me` (a store read per call) and `jwt-me` (a
    /// signature check per call, no store).
    #[arg(long, value_delimiter = ',', default_value = "session,jwt")]
    flows: Vec<String>,
    /// Pause after each request, like a user's think time (0: none).
    #[arg(long, default_value = "0s", value_parser = humantime::parse_duration)]
    think: Duration,
    /// Where to write the JSON report (it is also printed).
    #[arg(long)]
    out: Option<std::path::PathBuf>,
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Flow {
    Session,
    Jwt,
    SessionMe,
    JwtMe,
}

/// One request's outcome.
struct Sample {
    flow: Flow,
    step: &'static str,
    /// Milliseconds since the run started, when the request was sent.
    at_ms: u64,
    latency: Duration,
    outcome: Outcome,
    expected: bool,
    /// An answer other than the expected one came without a JSON `{error, message}` body.
    bare_error: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Status(u16),
    /// The connection failed or was closed without an answer.
    Dropped,
    TimedOut,
}

struct Worker {
    client: HttpClient,
    base: String,
    started: Instant,
    timeout: Duration,
    think: Duration,
    samples: Vec<Sample>,
}

struct Answer {
    status: u16,
    headers: hyper::HeaderMap,
    body: Value,
}

impl Worker {
    /// Sends one request, records it, and returns the answer if there was one.
    async fn call(
        &mut self,
        flow: Flow,
        step: &'static str,
        expected: u16,
        request: Request<Full<Bytes>>,
    ) -> Option<Answer> {
        let sent = Instant::now();
        let at_ms = sent.duration_since(self.started).as_millis() as u64;
        let exchange = async {
            let response = self.client.request(request).await.ok()?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let bytes = response.into_body().collect().await.ok()?.to_bytes();
            Some(Answer {
                status,
                headers,
                body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            })
        };
        let (outcome, answer) = match tokio::time::timeout(self.timeout, exchange).await {
            Ok(Some(answer)) => (Outcome::Status(answer.status), Some(answer)),
            Ok(None) => (Outcome::Dropped, None),
            Err(_) => (Outcome::TimedOut, None),
        };
        let as_expected = outcome == Outcome::Status(expected);
        let bare_error = !as_expected
            && answer.as_ref().is_some_and(|answer| {
                !(answer.body["error"].is_string() && answer.body["message"].is_string())
            });
        self.samples.push(Sample {
            flow,
            step,
            at_ms,
            latency: sent.elapsed(),
            outcome,
            expected: as_expected,
            bare_error,
        });
        if !self.think.is_zero() {
            tokio::time::sleep(self.think).await;
        }
        answer.filter(|answer| answer.status == expected)
    }

    fn request(&self, method: Method, path: &str, body: Option<Value>) -> RequestBuilder {
        RequestBuilder {
            builder: Request::builder()
                .method(method)
                .uri(format!("{}{path}", self.base))
                .header(header::CONTENT_TYPE, "application/json"),
            body: body.map(|body| body.to_string()).unwrap_or_default(),
        }
    }

    async fn session_journey(&mut self, user: &Value, n: usize) {
        let flow = Flow::Session;
        let login = self.request(Method::POST, "/api/session/login", Some(user.clone()));
        let Some(answer) = self.call(flow, "login", 200, login.build()).await else {
            return;
        };
        let Some(cookie) = answer
            .headers
            .get(header::SET_COOKIE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .map(str::to_owned)
        else {
            return;
        };
        let with_cookie = |builder: RequestBuilder| builder.header(header::COOKIE, &cookie);
        for _ in 0..3 {
            let me = with_cookie(self.request(Method::GET, "/api/session/me", None));
            self.call(flow, "me", 200, me.build()).await;
        }
        let item = json!({"item": format!("soak item {n}")});
        let cart = with_cookie(self.request(Method::POST, "/api/session/cart", Some(item)));
        self.call(flow, "cart", 200, cart.build()).await;
        let me = with_cookie(self.request(Method::GET, "/api/session/me", None));
        self.call(flow, "me", 200, me.build()).await;
        let logout = with_cookie(self.request(Method::POST, "/api/session/logout", None));
        self.call(flow, "logout", 200, logout.build()).await;
        // The cookie is worthless after logout: 401 is the right answer here.
        let me = with_cookie(self.request(Method::GET, "/api/session/me", None));
        self.call(flow, "me after logout", 401, me.build()).await;
    }

    /// Logs in once, then calls /me over and over with the credential; logs in again when
    /// the credential is refused (a session lost with a restarted store, say).
    async fn me_journey(&mut self, flow: Flow, user: &Value, credential: &mut Option<String>) {
        let (login_path, me_path, credential_header) = match flow {
            Flow::SessionMe => ("/api/session/login", "/api/session/me", header::COOKIE),
            _ => ("/api/jwt/login", "/api/jwt/me", header::AUTHORIZATION),
        };
        let Some(value) = credential.clone() else {
            let login = self.request(Method::POST, login_path, Some(user.clone()));
            if let Some(answer) = self.call(flow, "login", 200, login.build()).await {
                *credential = match flow {
                    Flow::SessionMe => answer
                        .headers
                        .get(header::SET_COOKIE)
                        .and_then(|value| value.to_str().ok())
                        .and_then(|value| value.split(';').next())
                        .map(str::to_owned),
                    _ => answer.body["access_token"]
                        .as_str()
                        .map(|token| format!("Bearer {token}")),
                };
            }
            return;
        };
        let me = self
            .request(Method::GET, me_path, None)
            .header(credential_header, &value);
        self.call(flow, "me", 200, me.build()).await;
        if matches!(self.samples.last(), Some(sample) if sample.outcome == Outcome::Status(401)) {
            *credential = None;
        }
    }

    async fn jwt_journey(&mut self, user: &Value, n: usize) {
        let flow = Flow::Jwt;
        let login = self.request(Method::POST, "/api/jwt/login", Some(user.clone()));
        let Some(tokens) = self.call(flow, "login", 200, login.build()).await else {
            return;
        };
        let text = |answer: &Answer, field: &str| {
            answer.body[field].as_str().unwrap_or_default().to_owned()
        };
        let mut access = text(&tokens, "access_token");
        let refresh = text(&tokens, "refresh_token");
        let bearer = |access: &str| format!("Bearer {access}");
        for _ in 0..3 {
            let me = self
                .request(Method::GET, "/api/jwt/me", None)
                .header(header::AUTHORIZATION, &bearer(&access));
            self.call(flow, "me", 200, me.build()).await;
        }
        let item = json!({"item": format!("soak item {n}")});
        let cart = self
            .request(Method::POST, "/api/jwt/cart", Some(item))
            .header(header::AUTHORIZATION, &bearer(&access));
        if let Some(answer) = self.call(flow, "cart", 200, cart.build()).await {
            access = text(&answer, "access_token");
        }
        let rotate = self.request(
            Method::POST,
            "/api/jwt/refresh",
            Some(json!({"refresh_token": refresh})),
        );
        let Some(pair) = self.call(flow, "refresh", 200, rotate.build()).await else {
            return;
        };
        let me = self
            .request(Method::GET, "/api/jwt/me", None)
            .header(header::AUTHORIZATION, &bearer(&access));
        self.call(flow, "me", 200, me.build()).await;
        let logout = self.request(
            Method::POST,
            "/api/jwt/logout",
            Some(json!({"refresh_token": text(&pair, "refresh_token")})),
        );
        self.call(flow, "logout", 200, logout.build()).await;
    }
}

struct RequestBuilder {
    builder: hyper::http::request::Builder,
    body: String,
}

impl RequestBuilder {
    fn header(mut self, name: header::HeaderName, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    fn build(self) -> Request<Full<Bytes>> {
        self.builder
            .body(Full::new(Bytes::from(self.body)))
            .expect("a valid request")
    }
}

#[derive(Serialize, Default)]
struct StepReport {
    count: usize,
    statuses: BTreeMap<String, usize>,
    unexpected: usize,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

#[derive(Serialize, Default, Clone)]
struct SecondReport {
    second: u64,
    session_ok: usize,
    session_503: usize,
    /// Refused credentials: a session the store no longer has.
    session_401: usize,
    session_other: usize,
    session_max_ms: f64,
    jwt_ok: usize,
    jwt_other: usize,
    jwt_max_ms: f64,
}

fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1e5).round() / 100.0
}

fn percentile(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    millis(sorted[index])
}

fn outcome_name(outcome: Outcome) -> String {
    match outcome {
        Outcome::Status(status) => status.to_string(),
        Outcome::Dropped => "dropped".into(),
        Outcome::TimedOut => "timed_out".into(),
    }
}

fn report(samples: &[Sample], args: &Args, elapsed: Duration) -> Value {
    let mut steps: BTreeMap<String, (StepReport, Vec<Duration>)> = BTreeMap::new();
    let mut seconds: BTreeMap<u64, SecondReport> = BTreeMap::new();
    for sample in samples {
        let flow = match sample.flow {
            Flow::Session => "session",
            Flow::Jwt => "jwt",
            Flow::SessionMe => "session-me",
            Flow::JwtMe => "jwt-me",
        };
        let (step, latencies) = steps.entry(format!("{flow} {}", sample.step)).or_default();
        step.count += 1;
        *step
            .statuses
            .entry(outcome_name(sample.outcome))
            .or_default() += 1;
        step.unexpected += usize::from(!sample.expected);
        latencies.push(sample.latency);

        let second = sample.at_ms / 1000;
        let bucket = seconds.entry(second).or_insert_with(|| SecondReport {
            second,
            ..SecondReport::default()
        });
        let latency = millis(sample.latency);
        match sample.flow {
            Flow::Session | Flow::SessionMe => {
                match sample.outcome {
                    _ if sample.expected => bucket.session_ok += 1,
                    Outcome::Status(503) => bucket.session_503 += 1,
                    Outcome::Status(401) => bucket.session_401 += 1,
                    _ => bucket.session_other += 1,
                }
                bucket.session_max_ms = bucket.session_max_ms.max(latency);
            }
            Flow::Jwt | Flow::JwtMe => {
                if sample.expected {
                    bucket.jwt_ok += 1;
                } else {
                    bucket.jwt_other += 1;
                }
                bucket.jwt_max_ms = bucket.jwt_max_ms.max(latency);
            }
        }
    }
    let mut by_step = serde_json::Map::new();
    for (name, (mut step, mut latencies)) in steps {
        latencies.sort();
        step.p50_ms = percentile(&latencies, 0.5);
        step.p99_ms = percentile(&latencies, 0.99);
        step.max_ms = percentile(&latencies, 1.0);
        by_step.insert(name, serde_json::to_value(step).unwrap_or_default());
    }
    let count =
        |predicate: &dyn Fn(&Sample) -> bool| samples.iter().filter(|s| predicate(s)).count();
    json!({
        "url": args.url,
        "connections": args.connections,
        "seconds": elapsed.as_secs_f64(),
        "requests": samples.len(),
        "requests_per_second": (samples.len() as f64 / elapsed.as_secs_f64()).round(),
        "server_errors_5xx": count(&|s| matches!(s.outcome, Outcome::Status(500..=599))),
        "dropped": count(&|s| s.outcome == Outcome::Dropped),
        "timed_out": count(&|s| s.outcome == Outcome::TimedOut),
        "unexpected": count(&|s| !s.expected),
        "errors_without_json_body": count(&|s| s.bare_error),
        "steps": by_step,
        "timeline": seconds.into_values().collect::<Vec<_>>(),
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let flows = args
        .flows
        .iter()
        .map(|name| match name.as_str() {
            "session" => Ok(Flow::Session),
            "jwt" => Ok(Flow::Jwt),
            "session-me" => Ok(Flow::SessionMe),
            "jwt-me" => Ok(Flow::JwtMe),
            other => {
                anyhow::bail!("--flows takes session, jwt, session-me and jwt-me, not {other}")
            }
        })
        .collect::<anyhow::Result<Vec<Flow>>>()?;
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(args.connections)
        .build(connector);
    let started = Instant::now();
    let deadline = started + args.duration;
    let users = [
        json!({"username": "alice", "password": "wonderland"}),
        json!({"username": "bob", "password": "builder"}),
    ];
    let workers = (0..args.connections).map(|index| {
        let flow = flows[index % flows.len()];
        let user = users[index % users.len()].clone();
        let mut worker = Worker {
            client: client.clone(),
            base: args.url.trim_end_matches('/').to_owned(),
            started,
            timeout: args.timeout,
            think: args.think,
            samples: Vec::new(),
        };
        tokio::spawn(async move {
            let mut journey = 0;
            let mut credential = None;
            while Instant::now() < deadline {
                journey += 1;
                match flow {
                    Flow::Session => worker.session_journey(&user, journey).await,
                    Flow::Jwt => worker.jwt_journey(&user, journey).await,
                    Flow::SessionMe | Flow::JwtMe => {
                        worker.me_journey(flow, &user, &mut credential).await
                    }
                }
            }
            worker.samples
        })
    });
    let mut samples = Vec::new();
    for worker in futures::future::join_all(workers).await {
        samples.extend(worker?);
    }
    let report = report(&samples, &args, started.elapsed());
    let text = serde_json::to_string_pretty(&report)?;
    if let Some(path) = &args.out {
        std::fs::write(path, &text)?;
    }
    println!("{text}");
    Ok(())
}
