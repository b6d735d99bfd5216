//! What every request meets before its route, in one middleware (each `from_fn` layer costs a
//! boxed service per request): who the client is, a declared body over the limit (413), a
//! state-changing request from another site (403), and the visitor; after the route, the
//! visitor cookie and HSTS.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;
use crate::client::Client;
use crate::{request_limits, same_origin, visitor};

pub async fn every_request(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let client = Client::resolve(
        crate::client::peer(request.extensions()),
        request.headers(),
        &state.trusted_proxies,
    );
    request.extensions_mut().insert(client);
    let refusal = request_limits::declared_oversize(request.headers(), state.config.body_limit)
        .or_else(|| same_origin::refusal(&request, &client));
    let mut response = match refusal {
        Some(refusal) => refusal,
        None => {
            let secure = state.cookie_secure(&client);
            let arrival = visitor::arrive(&mut request, secure);
            let mut response = next.run(request).await;
            visitor::leave(arrival, &mut response, secure);
            response
        }
    };
    client.add_hsts(&mut response);
    response
}
