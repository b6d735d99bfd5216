//! The benchmark results file (`bench/results.json`, written by `scripts/bench.sh`), as the server
//! hands it to the /cost page. Every number comes from one run; ids are translated by the page.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BenchResults {
    /// UTC, ISO 8601.
    pub measured_at: String,
    pub commit: String,
    pub machine: Machine,
    pub load: LoadSettings,
    pub throughput: Vec<Throughput>,
    pub login_flood: LoginFlood,
    pub memory: Memory,
    pub front_end: FrontEnd,
    pub errors: u64,
    pub budgets: Vec<Budget>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Machine {
    pub cpu: String,
    pub cores: u32,
    pub memory_gib: f64,
    pub os: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LoadSettings {
    pub tool: String,
    pub connections: u32,
    pub seconds: u32,
    pub server_cpus: u32,
    pub client_cpus: u32,
    /// Each endpoint is run this many times, interleaved; the figures are the median round's.
    #[serde(default = "one_round")]
    pub rounds: u32,
}

fn one_round() -> u32 {
    1
}

/// One endpoint under load. `id`: health, session_memory_me, session_redis_me, jwt_hs256_me, jwt_eddsa_me.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Throughput {
    pub id: String,
    pub requests: u64,
    pub rps: f64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub errors: u64,
    /// Requests per second as a fraction of the bare handler's.
    pub ratio: f64,
    /// The server's CPU time per request in microseconds: with the server alone on one
    /// core, what its throughput is the inverse of.
    #[serde(default)]
    pub server_cpu_us: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LoginFlood {
    pub me_p99_us_without: u64,
    pub me_p99_us_with: u64,
    pub me_rps_with: f64,
    pub logins_per_s: f64,
    pub errors: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Memory {
    pub sessions: u64,
    pub session_rows_after: u64,
    pub session_rss_before: u64,
    pub session_rss_after: u64,
    pub bytes_per_session: f64,
    pub tokens: u64,
    pub token_rows_after: u64,
    pub token_rss_before: u64,
    pub token_rss_after: u64,
    pub bytes_per_token: f64,
    pub token_wire_bytes: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FrontEnd {
    /// The wasm every page loads first (the main module).
    pub wasm_raw: u64,
    pub wasm_gzip: u64,
    /// Every wasm file, the pages' lazily loaded chunks included (absent in older runs).
    #[serde(default)]
    pub wasm_all_raw: u64,
    #[serde(default)]
    pub wasm_all_gzip: u64,
    #[serde(default)]
    pub wasm_files: u64,
    pub interactive_ms: u64,
    pub interactive_runs_ms: Vec<u64>,
    /// Bytes the home page moved until the network went quiet, as Chromium counted them
    /// (compressed, headers included), on a cold load (absent in older runs).
    #[serde(default)]
    pub home_wire_bytes: u64,
    /// Time until interactive on an emulated 10 Mbit/s link with 40 ms latency.
    #[serde(default)]
    pub interactive_10mbit_ms: u64,
    #[serde(default)]
    pub interactive_10mbit_runs_ms: Vec<u64>,
}

/// One budget from the performance issue, and whether this run held it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Budget {
    pub id: String,
    pub measured: f64,
    pub limit: f64,
    pub held: bool,
}
