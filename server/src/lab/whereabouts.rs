//! Which server process runs each visitor's lab cluster, when several share one Redis.
//!
//! A cluster's nodes are listeners of one process, so a balancer in front of several keeps
//! each visitor's requests on one (claim 12, applied to authlens itself). When that process is
//! gone, the visitor's next lab call lands on another one, which finds no cluster: this record
//! lets it say that the cluster ran on a process that stopped, with the cluster's settings to
//! set it up again, rather than a bare "no cluster". Without Redis there is one process and no
//! record.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use app::api::cluster::Settings;
use redis::Script;
use serde::{Deserialize, Serialize};

use crate::ids::VisitorId;
use crate::storage::redis::RedisLink;

pub struct Whereabouts {
    link: Arc<RedisLink>,
    /// This process, among every authlens sharing the Redis.
    process: String,
    /// A record outlives its cluster's last use by at most this: the idle timeout, and the
    /// reaper's period to notice it.
    lasts: Duration,
}

#[derive(Serialize, Deserialize)]
struct Record {
    process: String,
    settings: Settings,
}

impl Whereabouts {
    pub fn new(link: Arc<RedisLink>, idle: Duration) -> Self {
        Whereabouts {
            link,
            process: crate::random::hex::<8>(),
            lasts: idle + Duration::from_secs(60),
        }
    }

    fn key(&self, visitor: &VisitorId) -> String {
        format!("{}lab-runs-on:{visitor}", self.link.prefix())
    }

    /// Records that `visitor`'s cluster with `settings` runs in this process. Errors are only
    /// logged: a missing record costs a plainer message later, never the cluster.
    pub async fn here(&self, visitor: &VisitorId, settings: Settings) {
        let record = Record {
            process: self.process.clone(),
            settings,
        };
        let Ok(json) = serde_json::to_string(&record) else {
            return;
        };
        let set = redis::cmd("SET")
            .arg(self.key(visitor))
            .arg(json)
            .arg("PX")
            .arg(self.lasts.as_millis() as u64)
            .to_owned();
        if let Err(err) = self.link.command::<()>(&set).await {
            tracing::warn!("could not record where a lab cluster runs: {err}");
        }
    }

    /// Keeps the records of the clusters still running here from expiring.
    pub async fn still_here(&self, visitors: &[VisitorId]) {
        if visitors.is_empty() {
            return;
        }
        let mut pipeline = redis::pipe();
        for visitor in visitors {
            pipeline
                .cmd("PEXPIRE")
                .arg(self.key(visitor))
                .arg(self.lasts.as_millis() as u64)
                .ignore();
        }
        if let Err(err) = self.link.pipeline::<()>(&pipeline).await {
            tracing::warn!("could not renew where lab clusters run: {err}");
        }
    }

    /// Forgets `visitor`'s record if it is this process's (another may have set up a cluster
    /// for them since).
    pub async fn gone(&self, visitor: &VisitorId) {
        let forgotten = self
            .link
            .script::<u32>(
                forget_own_script()
                    .key(self.key(visitor))
                    .arg(format!("\"process\":\"{}\"", self.process)),
            )
            .await;
        if let Err(err) = forgotten {
            tracing::warn!("could not forget where a lab cluster ran: {err}");
        }
    }

    /// The settings of `visitor`'s cluster if it runs, or ran, on another process.
    pub async fn elsewhere(&self, visitor: &VisitorId) -> Option<Settings> {
        let json: Option<String> = self
            .link
            .command(redis::cmd("GET").arg(self.key(visitor)))
            .await
            .ok()?;
        let record: Record = serde_json::from_str(&json?).ok()?;
        (record.process != self.process).then_some(record.settings)
    }
}

/// Deletes `KEYS[1]` only if its JSON holds `ARGV[1]` (this process's `"process":"…"`).
fn forget_own_script() -> &'static Script {
    static SCRIPT: OnceLock<Script> = OnceLock::new();
    SCRIPT.get_or_init(|| {
        Script::new(
            r#"
            local record = redis.call('GET', KEYS[1])
            if record and string.find(record, ARGV[1], 1, true) then
                return redis.call('DEL', KEYS[1])
            end
            return 0
            "#,
        )
    })
}
