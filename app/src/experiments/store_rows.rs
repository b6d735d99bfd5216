//! Experiment 1. A session login creates a store row; a token login does not

use super::*;

/// A store listing, decoded: this visitor's rows and the server's total.
async fn listing<T: serde::de::DeserializeOwned>(path: &str) -> Option<T> {
    serde_json::from_value(get(path, None).await.body).ok()
}

/// The store operations a response's trace reports, as `(op, key)`.
fn store_ops(exchange: &Exchange) -> Vec<(String, String)> {
    exchange
        .trace
        .iter()
        .flat_map(|trace| &trace.store)
        .map(|op| (op.op.clone(), op.key.clone()))
        .collect()
}

#[lazy]
pub(super) async fn store_rows() -> Vec<Line> {
    // Matched by id rather than by counting, so other visitors' logins cannot blur it.
    let session_login = post("/api/session/login", &alice()).await;
    let session_id = session_login
        .json::<SessionResponse>()
        .map(|answer| answer.session.id)
        .unwrap_or_default();
    let sessions = listing::<SessionListing>("/api/session/store").await;
    let (token_login, _, _) = token_login().await;
    let writes = store_ops(&token_login);
    let families = listing::<RefreshListing>("/api/jwt/refresh-store").await;
    let family = writes
        .first()
        .map(|(_, key)| key.clone())
        .unwrap_or_default();
    let session_listed = sessions
        .as_ref()
        .is_some_and(|listing| listing.sessions.iter().any(|row| row.id == session_id));
    let family_listed = families
        .as_ref()
        .is_some_and(|listing| listing.families.iter().any(|row| row.family == family));
    let held = |yours: Option<usize>, total: Option<usize>| {
        let figure = |n: Option<usize>| n.map_or_else(|| "?".to_owned(), |n| n.to_string());
        format!("{} ({})", figure(yours), figure(total))
    };
    vec![
        line(
            !session_id.is_empty() && session_listed,
            |t| t.e1_session_rows,
            session_id.clone(),
        ),
        line(
            writes.len() == 1 && family_listed,
            |t| t.e1_token_rows,
            format!("{} · {family}", writes.len()),
        ),
        line(
            None,
            |t| t.e1_refresh_rows,
            format!(
                "{} / {}",
                held(
                    families.as_ref().map(|l| l.counts.yours),
                    families.as_ref().map(|l| l.counts.total)
                ),
                held(
                    sessions.as_ref().map(|l| l.counts.yours),
                    sessions.as_ref().map(|l| l.counts.total)
                ),
            ),
        ),
    ]
}
