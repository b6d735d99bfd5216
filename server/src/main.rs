//! `authlens`: serves the page and the auth API.
//!
//! Run from the repository root after a build (`make run` does both):
//! `target/release/authlens --addr 127.0.0.1:3000`. `authlens --help` lists every setting;
//! each also reads an `AUTHLENS_*` environment variable.

use anyhow::Context;
use clap::Parser;
use tracing_subscriber::EnvFilter;

use server::http::serve::{ConnectionLimits, connections_that_fit, serve};
use server::{AppState, Config, app};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // glibc raises its mmap threshold after each big free (up to 32 MiB), and buffers below it
    // come from heaps that are seldom handed back. A fixed 4 MiB keeps the big short-lived
    // buffers (a bulk batch, a hung-up client's answer) in mappings freed straight back to the
    // operating system. (Measured with `make abuse`: see the README.)
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator tunable; it is called first, before serving.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = Config::parse();
    let addr = config.addr;
    let attacker_addr = config.attacker_addr;
    if !attacker_addr.ip().is_loopback() {
        anyhow::bail!("--attacker-addr must be a loopback address, not {attacker_addr}");
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    let attacker = tokio::net::TcpListener::bind(attacker_addr)
        .await
        .with_context(|| format!("binding the attacker site on {attacker_addr}"))?;
    let attacker_port = attacker.local_addr()?.port();
    let main_port = listener.local_addr()?.port();
    let state = AppState::listening(config, attacker_port, main_port).await?;
    let limits = ConnectionLimits {
        header_read_timeout: state.config.header_read_timeout,
        idle_timeout: state.config.idle_timeout,
        max_connections: connections_that_fit(state.config.max_connections),
        max_connections_per_client: state.config.max_connections_per_client,
        // The same trusted proxies the app believes forwarding headers from.
        trusted: state.trusted_proxies.clone(),
    };
    if limits.max_connections < state.config.max_connections {
        tracing::warn!(
            "the open-file limit allows {} connections, not the {} asked for",
            limits.max_connections,
            state.config.max_connections
        );
    }
    tracing::info!("authlens listening on http://{}", listener.local_addr()?);
    tracing::info!(
        "the demo's attacker site listens on http://{} for a browser on this machine (a different site: claims 9 and 15)",
        attacker.local_addr()?
    );
    if let Some(public) = &state.attacker().public {
        tracing::info!("and is served to requests for {public} (--attacker-origin)");
    }
    // Both stop on the same signal; each drains its in-flight requests.
    let shutdown = new_shutdown();
    // The attacker site gets the same timeouts and a small ceiling: it serves one page.
    let attacker_limits = ConnectionLimits {
        max_connections: 256,
        ..limits.clone()
    };
    let attacker_site = serve(
        attacker,
        server::experiments::cross_site::attacker_site(state.attacker().clone()),
        attacker_limits,
        shutdown.clone().wait(),
    );
    let main_site = serve(listener, app(state), limits, shutdown.clone().wait());
    let signal = async {
        shutdown_signal().await;
        shutdown.trigger();
    };
    tokio::join!(main_site, attacker_site, signal);
    tracing::info!("authlens stopped");
    Ok(())
}

/// One shutdown, observed by both servers.
#[derive(Clone)]
struct Shutdown(tokio::sync::watch::Sender<bool>);

fn new_shutdown() -> Shutdown {
    Shutdown(tokio::sync::watch::channel(false).0)
}

impl Shutdown {
    fn trigger(&self) {
        self.0.send_replace(true);
    }

    async fn wait(self) {
        let mut changes = self.0.subscribe();
        let _ = changes.wait_for(|stopped| *stopped).await;
    }
}

/// Ctrl-C or SIGTERM: stop accepting, let in-flight requests finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
