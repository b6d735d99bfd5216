//! Experiment 8. One changed payload character breaks the signature

use super::*;
use crate::api::AccessClaims;

#[lazy]
pub(super) async fn tamper() -> Vec<Line> {
    let (_, access, _) = token_login().await;
    let Some(tampered) = token::tamper_payload(&access) else {
        return vec![line(false, |t| t.e8_original, "—")];
    };
    let sub = |token: &str| {
        token::decode(token)
            .ok()
            .and_then(|decoded| decoded.claims::<AccessClaims>())
            .map(|claims| claims.sub)
            .unwrap_or_default()
    };
    let original = get("/api/jwt/me", Some(&access)).await;
    let forged = get("/api/jwt/me", Some(&tampered)).await;
    let reason = forged.message();
    vec![
        line(
            original.ok(),
            |t| t.e8_original,
            format!("sub = {:?} · {}", sub(&access), status(&original)),
        ),
        line(
            forged.status == Some(401),
            |t| t.e8_tampered,
            // The API answers in English; the Korean page says whose words they are.
            Detail::Worded(
                |t| t.e8_tampered_detail,
                vec![
                    ("sub", format!("{:?}", sub(&tampered))),
                    ("status", status(&forged)),
                    ("reason", reason),
                ],
            ),
        ),
    ]
}
