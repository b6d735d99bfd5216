//! What every request meets around its route, as one service rather than a stack of layers
//! (each `from_fn` layer boxes and clones a service per request, each `Router::fallback_service`
//! one more): who the client is, a declared body over the limit (413), a state-changing
//! request from another site (403), the visitor, the body limit, the request timeout (408);
//! after the route, the visitor cookie, HSTS, the security headers and the fault log.
//!
//! It is on every request's path, so it keeps that path cheap: the connection's peer is given
//! once per connection ([`Server::for_peer`]) rather than as an extension per request, and the
//! body limit is set only on requests that have a body, with no service wrapped around the
//! routes per request.

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::HttpBody;
use axum::extract::{DefaultBodyLimit, Request};
use axum::response::Response;
use axum::routing::future::RouteFuture;
use pin_project_lite::pin_project;
use tokio::time::Sleep;
use tower::Service;

use crate::config::SecureCookie;
use crate::http::attacker::AttackerSite;
use crate::http::client::{Client, TrustedProxies};
use crate::http::per_client::{Held, PerAddress};
use crate::http::{error, request_limits, same_origin, security_headers, visitor};

/// What the edge holds and decides with.
pub struct EdgeState {
    /// The proxies whose `X-Forwarded-*` headers are believed (`--trusted-proxy`).
    pub trusted_proxies: Arc<TrustedProxies>,
    /// Requests in flight per client that a trusted proxy forwarded, and their ceiling.
    pub forwarded_in_flight: Arc<PerAddress>,
    pub max_in_flight_per_client: usize,
    /// The attacker site's public name, whose requests go to the attacker site.
    pub attacker: AttackerSite,
    /// When the visitor cookie gets `Secure`.
    pub secure_cookie: SecureCookie,
    pub body_limit: usize,
    pub request_timeout: Duration,
}

/// The whole server: [`crate::app`]'s routes behind the edge. `main` serves it; the tests call
/// it with `tower::ServiceExt::oneshot`.
#[derive(Clone)]
pub struct Server {
    state: Arc<EdgeState>,
    routes: Router,
    /// The attacker site, for requests whose `Host` is its public name (`--attacker-origin`).
    attacker_site: Router,
    /// The TCP peer of the connection this copy serves; `None` in-process, where a caller may
    /// name one with a `ConnectInfo` extension instead (the tests do).
    peer: Option<IpAddr>,
    body_limit: DefaultBodyLimit,
    timeout: Duration,
}

impl Server {
    pub fn new(state: EdgeState, routes: Router, attacker_site: Router) -> Self {
        Server {
            attacker_site,
            body_limit: DefaultBodyLimit::max(state.body_limit),
            timeout: state.request_timeout,
            peer: None,
            state: Arc::new(state),
            routes,
        }
    }

    /// This server for one connection from `peer` ([`crate::http::serve`] makes one per connection).
    pub fn for_peer(&self, peer: SocketAddr) -> Self {
        Server {
            peer: Some(peer.ip()),
            ..self.clone()
        }
    }
}

impl Service<Request> for Server {
    type Response = Response;
    type Error = Infallible;
    type Future = Answer;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(())) // a Router is always ready
    }

    fn call(&mut self, mut request: Request) -> Answer {
        let state = &self.state;
        let peer = self
            .peer
            .or_else(|| crate::http::client::peer(request.extensions()));
        let client = Client::resolve(peer, request.headers(), &state.trusted_proxies);
        request.extensions_mut().insert(client);
        // The attacker site is another site that happens to share this listener: it gets no
        // visitor cookie and none of this site's refusals, only the headers every answer gets.
        if state.attacker.public.is_some()
            && request
                .headers()
                .get(axum::http::header::HOST)
                .and_then(|host| host.to_str().ok())
                .is_some_and(|host| state.attacker.serves_host(host))
        {
            return Answer {
                stage: Stage::Routing {
                    route: self.attacker_site.call(request),
                    deadline: None,
                    after: After {
                        client,
                        secure: false,
                        arrival: None,
                        timeout: self.timeout,
                        _in_flight: None,
                    },
                },
            };
        }
        // Behind a trusted proxy every connection is the proxy's, so the per-client ceiling
        // counts each forwarded client's requests in flight instead.
        let behind_proxy = peer.is_some_and(|ip| state.trusted_proxies.contains(ip));
        let mut in_flight = None;
        let mut refusal = None;
        if behind_proxy {
            let max = state.max_in_flight_per_client;
            in_flight = state.forwarded_in_flight.hold(client.ip, max);
            if in_flight.is_none() {
                refusal = Some(error::busy(
                    error::ErrorCode::ServerBusy,
                    format!(
                        "{max} requests from your address are in flight already. Try again in {PER_CLIENT_RETRY_AFTER} s."
                    ),
                    PER_CLIENT_RETRY_AFTER,
                ));
            }
        }
        let refusal = refusal
            .or_else(|| request_limits::declared_oversize(request.headers(), state.body_limit))
            .or_else(|| same_origin::refusal(&request, &client));
        if let Some(refusal) = refusal {
            return Answer {
                stage: Stage::Done {
                    response: Some(finish(refusal, &client)),
                },
            };
        }
        let secure = crate::http::cookies::secure_for(state.secure_cookie, &client);
        let arrival = visitor::arrive(&mut request, secure);
        // A request without a body (every GET) has nothing to limit.
        if !request.body().is_end_stream() {
            self.body_limit.apply(&mut request);
        }
        let route = self.routes.call(request);
        Answer {
            stage: Stage::Routing {
                route,
                deadline: None,
                after: After {
                    client,
                    secure,
                    arrival: Some(arrival),
                    timeout: self.timeout,
                    _in_flight: in_flight,
                },
            },
        }
    }
}

/// What the edge adds once the route has answered.
struct After {
    client: Client,
    secure: bool,
    arrival: Option<visitor::Arrival>,
    timeout: Duration,
    /// A forwarded client's place among its requests in flight, given back with the answer
    /// (or when the client hangs up and the answer is dropped).
    _in_flight: Option<Held>,
}

/// What a forwarded client past its share of requests in flight is told to wait, in seconds.
const PER_CLIENT_RETRY_AFTER: u64 = 5;

/// Headers every answer gets, refusals included, and the log line of a fault.
fn finish(mut response: Response, client: &Client) -> Response {
    client.add_hsts(&mut response);
    error::log_fault(security_headers::add(response))
}

pin_project! {
    /// The answer to one request.
    pub struct Answer {
        #[pin]
        stage: Stage,
    }
}

pin_project! {
    #[project = StageProjection]
    enum Stage {
        Done { response: Option<Response> },
        Routing {
            #[pin]
            route: RouteFuture<Infallible>,
            // Made when the route first has to wait: most answers are ready at once and
            // never touch the timer.
            #[pin]
            deadline: Option<Sleep>,
            after: After,
        },
    }
}

impl Future for Answer {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().stage.project() {
            StageProjection::Done { response } => Poll::Ready(Ok(response
                .take()
                .expect("an answer is polled after it is done"))),
            StageProjection::Routing {
                route,
                mut deadline,
                after,
            } => {
                let mut response = match route.poll(cx) {
                    Poll::Ready(Ok(response)) => response,
                    Poll::Pending => {
                        if deadline.is_none() {
                            deadline.set(Some(tokio::time::sleep(after.timeout)));
                        }
                        let Some(deadline) = deadline.as_pin_mut() else {
                            return Poll::Pending;
                        };
                        match deadline.poll(cx) {
                            Poll::Ready(()) => request_limits::timed_out(after.timeout),
                            Poll::Pending => return Poll::Pending,
                        }
                    }
                };
                if let Some(arrival) = after.arrival.take() {
                    visitor::leave(arrival, &mut response, after.secure);
                }
                Poll::Ready(Ok(finish(response, &after.client)))
            }
        }
    }
}
