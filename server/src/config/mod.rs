//! Every setting has a command-line flag and an `AUTHLENS_*` environment variable.

mod origin;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use ipnet::IpNet;

pub use origin::Origin;

#[derive(Parser, Clone, Debug)]
#[command(
    name = "authlens",
    version,
    about = "See how login works: a cookie session and a JWT side by side"
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "AUTHLENS_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Folder holding the built site (`pkg/` with the wasm, js and css).
    #[arg(long, env = "AUTHLENS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Idle timeout of a session: it ends when unused this long.
    #[arg(long, env = "AUTHLENS_SESSION_IDLE", default_value = "15m", value_parser = humantime::parse_duration)]
    pub session_idle: Duration,

    /// Absolute timeout of a session: it ends this long after login, used or not.
    #[arg(long, env = "AUTHLENS_SESSION_ABSOLUTE", default_value = "8h", value_parser = humantime::parse_duration)]
    pub session_absolute: Duration,

    /// A proxy (or network of them, CIDR) in front of authlens whose `X-Forwarded-For` and
    /// `X-Forwarded-Proto` are believed: for the client's address (login limit, connection
    /// ceiling) and for https (`Secure` cookies, HSTS). Repeat the flag, or separate with commas.
    /// Without it those headers from anyone decide nothing.
    #[arg(long, env = "AUTHLENS_TRUSTED_PROXY", value_delimiter = ',', value_parser = parse_network)]
    pub trusted_proxy: Vec<ipnet::IpNet>,

    /// When the session cookie gets the `Secure` attribute.
    #[arg(long, env = "AUTHLENS_SECURE_COOKIE", value_enum, default_value_t = SecureCookie::Auto)]
    pub secure_cookie: SecureCookie,

    /// Lifetime of an access token (kept short for the demo).
    #[arg(long, env = "AUTHLENS_ACCESS_TTL", default_value = "30s", value_parser = humantime::parse_duration)]
    pub access_ttl: Duration,

    /// Lifetime of a refresh token.
    #[arg(long, env = "AUTHLENS_REFRESH_TTL", default_value = "10m", value_parser = humantime::parse_duration)]
    pub refresh_ttl: Duration,

    /// The one algorithm tokens are signed and accepted with.
    #[arg(long, env = "AUTHLENS_JWT_ALG", value_enum, default_value_t = JwtAlg::Hs256)]
    pub jwt_alg: JwtAlg,

    /// HS256: file holding the secret (at least 32 bytes). Without it a random secret is made at start.
    #[arg(long, env = "AUTHLENS_JWT_SECRET_FILE")]
    pub jwt_secret_file: Option<PathBuf>,

    /// EdDSA: PEM file holding the Ed25519 private key (PKCS#8). Without it a key pair is made at start.
    #[arg(long, env = "AUTHLENS_JWT_KEY_FILE")]
    pub jwt_key_file: Option<PathBuf>,

    /// Redis URL (e.g. redis://127.0.0.1:6379) for the session and refresh-token stores.
    /// Without it both live in this process's memory.
    #[arg(long, env = "AUTHLENS_REDIS_URL")]
    pub redis_url: Option<String>,

    /// Prefix of every Redis key authlens writes.
    #[arg(long, env = "AUTHLENS_REDIS_PREFIX", default_value = "authlens:")]
    pub redis_prefix: String,

    /// Longest wait for Redis on one store call before answering 503.
    #[arg(long, env = "AUTHLENS_REDIS_TIMEOUT", default_value = "1s", value_parser = humantime::parse_duration)]
    pub redis_timeout: Duration,

    /// Login attempts one client (IP address) may make in a burst; 0 turns the limit off.
    #[arg(long, env = "AUTHLENS_LOGIN_BURST", default_value_t = 30)]
    pub login_burst: u32,

    /// Login attempts per minute one client regains after a burst.
    #[arg(long, env = "AUTHLENS_LOGIN_PER_MINUTE", default_value_t = 30)]
    pub login_per_minute: u32,

    /// Argon2 memory cost in KiB (OWASP's minimum for argon2id is 19456).
    #[arg(long, env = "AUTHLENS_ARGON2_MEMORY_KIB", default_value_t = 19_456)]
    pub argon2_memory_kib: u32,

    /// Argon2 passes over memory.
    #[arg(long, env = "AUTHLENS_ARGON2_ITERATIONS", default_value_t = 2)]
    pub argon2_iterations: u32,

    /// Where the demo's loopback "attacker site" listens (claims 9 and 15: cross-site forms),
    /// for a browser on this machine. Port 0 picks a free one; the page learns it from
    /// /api/lab/attacker. Loopback only (a hosted demo uses --attacker-origin).
    #[arg(long, env = "AUTHLENS_ATTACKER_ADDR", default_value = "127.0.0.1:0")]
    pub attacker_addr: SocketAddr,

    /// The attacker site's public origin for a hosted demo (claims 9 and 15), e.g.
    /// `https://authlens-attacker.example`: a different site (registrable domain) whose name
    /// points at the same proxy. Requests whose `Host` is its host get the attacker page, on
    /// the main listener. Without it only a browser on this machine can run claims 9 and 15.
    #[arg(long, env = "AUTHLENS_ATTACKER_ORIGIN", value_parser = Origin::parse)]
    pub attacker_origin: Option<Origin>,

    /// The benchmark results the /cost page shows (written by scripts/bench.sh).
    #[arg(
        long,
        env = "AUTHLENS_BENCH_RESULTS",
        default_value = "bench/results.json"
    )]
    pub bench_results: PathBuf,

    /// Longest a request may take, body upload included, before it gets a 408.
    #[arg(long, env = "AUTHLENS_REQUEST_TIMEOUT", default_value = "30s", value_parser = humantime::parse_duration)]
    pub request_timeout: Duration,

    /// A request head (request line and headers) must arrive within this of its first byte;
    /// a connection trickling one is closed.
    #[arg(long, env = "AUTHLENS_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    pub header_read_timeout: Duration,

    /// A kept-alive connection with no request going on and no byte moving for this long is closed.
    #[arg(long, env = "AUTHLENS_IDLE_TIMEOUT", default_value = "20s", value_parser = humantime::parse_duration)]
    pub idle_timeout: Duration,

    /// Open connections, server-wide (capped to what the open-file limit allows); past it a new
    /// connection is answered 503 server_busy with Retry-After and closed.
    #[arg(long, env = "AUTHLENS_MAX_CONNECTIONS", default_value_t = 8192)]
    pub max_connections: usize,

    /// Open connections from one client address (a trusted proxy is exempt), so one host cannot
    /// take every connection from everyone else (a class of 40 behind one NAT opens about 240).
    #[arg(
        long,
        env = "AUTHLENS_MAX_CONNECTIONS_PER_CLIENT",
        default_value_t = 512
    )]
    pub max_connections_per_client: usize,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "AUTHLENS_BODY_LIMIT", default_value_t = 16 * 1024)]
    pub body_limit: usize,

    /// Most live sessions (and, apart, refresh families) the logins of all visitors together
    /// may make the server hold; past it new logins answer 503 server_busy. About 300 B each in
    /// memory. Experiment 10's bulk rows are bounded apart (--max-bulk-runs × 100 000, for the
    /// length of a run).
    #[arg(long, env = "AUTHLENS_MAX_SESSIONS", default_value_t = 200_000)]
    pub max_sessions: usize,

    /// Experiment 10 runs (bulk sessions or tokens) at once, server-wide; each visitor runs one
    /// at a time. More answer 503 server_busy.
    #[arg(long, env = "AUTHLENS_MAX_BULK_RUNS", default_value_t = 2)]
    pub max_bulk_runs: usize,

    /// Lab clusters running at once (one per visitor at most); more answer 503 lab_busy.
    #[arg(long, env = "AUTHLENS_MAX_CLUSTERS", default_value_t = 8)]
    pub max_clusters: usize,

    /// Lab nodes (listeners) running at once over every cluster; more answer 503 lab_busy.
    #[arg(long, env = "AUTHLENS_MAX_LAB_NODES", default_value_t = 24)]
    pub max_lab_nodes: usize,

    /// A lab cluster nobody has used for this long is stopped and its ports freed.
    #[arg(long, env = "AUTHLENS_LAB_IDLE", default_value = "10m", value_parser = humantime::parse_duration)]
    pub lab_idle: Duration,

    /// Visitors whose experiment-9 probe log the server keeps at once; past it, a new probe
    /// answers 503 server_busy (old logs are forgotten after 30 minutes).
    #[arg(long, env = "AUTHLENS_MAX_PROBE_LOGS", default_value_t = 10_000)]
    pub max_probe_logs: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum JwtAlg {
    /// HMAC-SHA256 with a shared secret: whoever can verify can also sign.
    Hs256,
    /// Ed25519 signatures: verifiers need only the public key, published as a JWKS.
    Eddsa,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SecureCookie {
    /// `Secure` when the request came over https or to localhost / 127.0.0.1 / ::1,
    /// which browsers treat as secure contexts.
    Auto,
    Always,
    Never,
}

impl Config {
    /// The defaults, as if started with no flags and no environment.
    pub fn defaults() -> Self {
        Config::parse_from(["authlens"])
    }
}

/// One `--trusted-proxy` value: a network (`10.0.0.0/8`) or one address (`127.0.0.1`).
pub fn parse_network(text: &str) -> Result<IpNet, String> {
    IpNet::from_str(text)
        .or_else(|_| IpAddr::from_str(text).map(IpNet::from))
        .map_err(|_| format!("{text:?} is neither an address nor a network (CIDR)"))
}
