//! The demo accounts, with passwords kept only as argon2id hashes.
//! Hashing is deliberately slow, so it runs on the low-priority hashing threads
//! ([`hashing`]), never on the async workers.

pub mod hashing;

use std::collections::HashMap;
use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use app::api::{DEMO_ACCOUNTS, LoginRequest, UserView};

use crate::http::trace::TraceRecorder;
use crate::users::hashing::HashingPool;

#[derive(Clone, Debug)]
struct StoredUser {
    view: UserView,
    password_hash: String,
}

pub struct UserDirectory {
    users: HashMap<String, StoredUser>,
    /// Verified against when the username is unknown, so that a wrong username
    /// costs the same time as a wrong password and does not reveal which names exist.
    decoy_hash: String,
    params: Params,
    /// The idle-priority threads argon2 runs on; experiment 10's bulk signing runs there too.
    pub(crate) hashing: HashingPool,
}

impl UserDirectory {
    /// Hashes the demo accounts' passwords with the given argon2id cost.
    pub async fn seeded(memory_kib: u32, iterations: u32) -> anyhow::Result<Arc<Self>> {
        let params = Params::new(memory_kib, iterations, 1, None).map_err(anyhow::Error::msg)?;
        let hashing = HashingPool::new()?;
        let hashing_params = params.clone();
        let (users, decoy_hash) = hashing
            .run(move || -> anyhow::Result<_> {
                let hash = |password: &str| hash_password(&hashing_params, password);
                let mut users = HashMap::new();
                for account in DEMO_ACCOUNTS {
                    let stored = StoredUser {
                        view: UserView {
                            username: account.username.to_owned(),
                            display_name: account.display_name.to_owned(),
                        },
                        password_hash: hash(account.password)?,
                    };
                    users.insert(account.username.to_owned(), stored);
                }
                let decoy_hash = hash("decoy password that matches no account")?;
                Ok((users, decoy_hash))
            })
            .await
            .ok_or_else(|| anyhow::anyhow!("hashing the demo passwords failed"))??;
        Ok(Arc::new(UserDirectory {
            users,
            decoy_hash,
            params,
            hashing,
        }))
    }

    /// The user, if the password is theirs. Unknown user and wrong password are one answer.
    pub async fn verify(self: &Arc<Self>, username: &str, password: &str) -> Option<UserView> {
        let directory = Arc::clone(self);
        let (username, password) = (username.to_owned(), password.to_owned());
        self.hashing
            .run(move || {
                let user = directory.users.get(&username);
                let hash = user.map_or(directory.decoy_hash.as_str(), |user| {
                    user.password_hash.as_str()
                });
                let matches = directory.check(hash, &password);
                user.filter(|_| matches).map(|user| user.view.clone())
            })
            .await
            .flatten()
    }

    /// The password check of a login request, recorded in the trace. One answer,
    /// `None`, for an unknown username and for a wrong password.
    pub async fn check_login(
        self: &Arc<Self>,
        request: &LoginRequest,
        trace: &mut TraceRecorder,
    ) -> Option<UserView> {
        trace
            .verify("password", async {
                let user = self.verify(&request.username, &request.password).await;
                let detail = match &user {
                    Some(_) => "argon2id hash matches",
                    None => "no account with this username and password",
                };
                let ok = user.is_some();
                (user, ok, detail.to_owned())
            })
            .await
    }

    /// The public view of a user, for requests that are already authenticated.
    pub fn find(&self, username: &str) -> Option<UserView> {
        self.users.get(username).map(|user| user.view.clone())
    }

    fn check(&self, hash: &str, password: &str) -> bool {
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone());
        PasswordHash::new(hash)
            .map(|parsed| argon2.verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    }
}

fn hash_password(params: &Params, password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(anyhow::Error::msg)?;
    let salt = SaltString::encode_b64(&salt).map_err(anyhow::Error::msg)?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    Ok(argon2
        .hash_password(password.as_bytes(), &salt)
        .map_err(anyhow::Error::msg)?
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn directory() -> Arc<UserDirectory> {
        // The smallest cost argon2 allows keeps the tests quick; the logic is the same.
        UserDirectory::seeded(8, 1).await.unwrap()
    }

    #[tokio::test]
    async fn demo_accounts_log_in_with_their_passwords() {
        let users = directory().await;
        for account in DEMO_ACCOUNTS {
            let user = users.verify(account.username, account.password).await;
            assert_eq!(user.map(|u| u.username), Some(account.username.to_owned()));
        }
    }

    #[tokio::test]
    async fn wrong_password_and_unknown_user_are_refused() {
        let users = directory().await;
        assert_eq!(users.verify("alice", "builder").await, None);
        assert_eq!(users.verify("mallory", "wonderland").await, None);
        assert_eq!(users.verify("", "").await, None);
    }

    #[tokio::test]
    async fn passwords_are_stored_as_argon2id_hashes() {
        let users = directory().await;
        let alice = &users.users["alice"];
        assert!(
            alice.password_hash.starts_with("$argon2id$"),
            "{}",
            alice.password_hash
        );
        assert!(!alice.password_hash.contains("wonderland"));
    }
}
