//! Claim 9: a form on another site does not carry the `SameSite=Lax` session cookie, and no
//! form can carry a bearer token. The server's attacker site (another site: a public name of
//! its own, or on this machine the other loopback name) is loaded in a frame, posts its forms, and the server's probe log says what arrived, and what
//! the second layer (the same-origin check on every state-changing route) made of it.

use leptos::lazy;
use leptos::prelude::*;

use crate::api::{AttackerAddress, ErrorCode, NoFields, ProbeNonce, ProbeRecord};

use super::{Card, Detail, Line, ResultLines, RunButton, get, line, post};
use crate::i18n::ExperimentTexts;
use crate::server_holds::ServerChanged;

/// How long to wait for the attacker's forms to arrive.
const PATIENCE_MS: u32 = 10_000;
const POLL_MS: u32 = 250;

#[component]
pub fn CrossSite() -> impl IntoView {
    view! {
        <FramedExperiment
            number=9
            title=|t| t.e9_title
            claim=|t| t.e9_claim
            frame_title=|t| t.e9_frame_title
            caption=|t| t.e9_frame_caption
            run=|frame| Box::pin(run(frame))
        />
    }
}

type Text = fn(&ExperimentTexts) -> &'static str;
type FramedRun = std::pin::Pin<Box<dyn std::future::Future<Output = Vec<Line>>>>;

/// An experiment whose run shows the attacker site in a frame (claims 9 and 15): the card,
/// its button, the frame once the run gives it an address, and the lines.
#[component]
pub(super) fn FramedExperiment(
    number: u8,
    title: Text,
    claim: Text,
    frame_title: Text,
    /// Under the frame: what it shows and why.
    #[prop(optional)]
    caption: Option<Text>,
    /// Above the button: what running it will do.
    #[prop(optional)]
    note: Option<Text>,
    run: fn(RwSignal<Option<String>>) -> FramedRun,
) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().experiment_texts();
    let server_changed = expect_context::<ServerChanged>();
    let lines = RwSignal::new(None::<Vec<Line>>);
    let running = RwSignal::new(false);
    let frame = RwSignal::new(None::<String>);
    let start = move || {
        running.set(true);
        super::spawn_experiment(number, async move {
            lines.set(Some(run(frame).await));
            running.set(false);
            server_changed.bump();
        });
    };
    view! {
        <Card number title claim wide=true>
            {note.map(|note| view! { <p class="muted">{move || note(texts())}</p> })}
            <RunButton number running on_run=start/>
            {move || frame.get().map(|src| view! {
                <figure class="attacker-figure">
                    <iframe class="attacker-frame" title=frame_title(texts()) src=src></iframe>
                    {caption.map(|caption| view! { <figcaption class="muted">{caption(texts())}</figcaption> })}
                </figure>
            })}
            <ResultLines lines claim=number test_id=format!("experiment-{number}-result")/>
        </Card>
    }
}

#[lazy]
async fn run(frame: RwSignal<Option<String>>) -> Vec<Line> {
    let site = match AttackerSite::find().await {
        Ok(site) => site,
        Err(lines) => return lines,
    };
    post("/api/session/login", &super::alice()).await;
    // The server hands out the nonces, so the probes they tag are filed under this visitor
    // (the attacker's cross-site forms carry no visitor cookie, which is the point).
    let (Some(nonce), Some(same_nonce)) = (new_nonce().await, new_nonce().await) else {
        return vec![line(
            false,
            |t| t.e9_no_attacker,
            "POST /api/lab/csrf-probes",
        )];
    };
    let url = site.page(&nonce, "");
    frame.set(Some(url.clone()));

    let probes = wait_for_probes(&nonce, |probes| probes.len() >= 2).await;
    if let Some(lines) = same_site_attacker(&probes) {
        // Its frame would speak of "another site": it is not one.
        frame.set(None);
        return lines;
    }
    let find = |flow: &str| probes.iter().find(|probe| probe.flow == flow).cloned();
    let describe = |probe: &ProbeRecord| {
        format!(
            "cookie: {} · authorization: {} · Sec-Fetch-Site: {} → {}",
            probe.cookie_sent,
            probe.authorization_sent,
            probe.sec_fetch_site.as_deref().unwrap_or("?"),
            probe.status
        )
    };
    let mut lines = vec![line(None, |t| t.e9_attacker_page, url)];
    match find("session") {
        Some(probe) => {
            lines.push(line(
                !probe.cookie_sent && probe.status == 401,
                |t| t.e9_session_form,
                describe(&probe),
            ));
            lines.push(line(
                probe.refused_by.is_some(),
                |t| t.e9_second_layer,
                probe.refused_by.clone().unwrap_or_else(|| "—".to_owned()),
            ));
        }
        None => lines.push(line(false, |t| t.e9_session_form, "—")),
    }
    match find("jwt") {
        Some(probe) => lines.push(line(
            !probe.authorization_sent && probe.status == 401,
            |t| t.e9_jwt_form,
            describe(&probe),
        )),
        None => lines.push(line(false, |t| t.e9_jwt_form, "—")),
    }
    // The control: the same request from this site does carry the cookie, and acts.
    post(
        &format!("/api/lab/csrf-probe?flow=session&nonce={same_nonce}"),
        &NoFields {},
    )
    .await;
    match probes_with(&same_nonce).await.first() {
        Some(probe) => {
            lines.push(line(
                probe.cookie_sent && probe.status == 200,
                |t| t.e9_same_site,
                describe(probe),
            ));
            lines.push(line(
                probe.refused_by.is_none(),
                |t| t.e9_second_layer_passes,
                probe.refused_by.clone().unwrap_or_else(|| {
                    format!(
                        "Sec-Fetch-Site: {}",
                        probe.sec_fetch_site.as_deref().unwrap_or("—")
                    )
                }),
            ));
        }
        None => lines.push(line(false, |t| t.e9_same_site, "—")),
    }
    lines
}

/// The attacker site as this page reaches it (under its public name, or on this machine the
/// other loopback name), aimed at this page's origin.
pub(super) struct AttackerSite {
    /// The attacker site's origin, as the server says this browser reaches it.
    address: String,
    /// This page's origin, where the attacker's forms post.
    target: String,
}

impl AttackerSite {
    /// Asks the server where its attacker site is for this browser. Without one it can reach,
    /// the experiment is not run and its one line says why (never a ✗ about SameSite); any
    /// other failure is the ✗ line of the answer.
    pub(super) async fn find() -> Result<AttackerSite, Vec<Line>> {
        let attacker = get("/api/lab/attacker", None).await;
        if let Some(AttackerAddress { origin, same_site }) = attacker.json() {
            if same_site {
                return Err(same_site_lines());
            }
            let (page_origin, _) = crate::browser::location();
            return Ok(AttackerSite {
                address: origin,
                target: page_origin,
            });
        }
        if attacker.error_code() == Some(ErrorCode::NoAttackerSite) {
            return Err(vec![line(
                None,
                |t| t.e9_no_attacker_reachable,
                Detail::Worded(|t| t.e9_no_attacker_reachable_detail, Vec::new()),
            )]);
        }
        Err(vec![line(
            false,
            |t| t.e9_no_attacker,
            super::status(&attacker),
        )])
    }

    /// The attacker page for the probes tagged `nonce`, in the page's language; `extra` is
    /// more of its query (`&test=samesite&via=top`).
    pub(super) fn page(&self, nonce: &str, extra: &str) -> String {
        let lang = crate::browser::document_lang().unwrap_or_default().code();
        format!(
            "{}/?target={}&nonce={nonce}&lang={lang}{extra}",
            self.address, self.target
        )
    }
}

/// When the browser called the attacker's requests `same-site`, the attacker origin shares this
/// page's registrable domain (a set-up mistake): nothing about SameSite can be measured, and the
/// one line says so instead of a ✗.
/// The server can tell from the names too (the browser sends `Sec-Fetch-Site` only to https and
/// loopback origins): [`AttackerSite::find`] asks it first.
pub(super) fn same_site_attacker(probes: &[ProbeRecord]) -> Option<Vec<Line>> {
    probes
        .iter()
        .any(|probe| probe.sec_fetch_site.as_deref() == Some("same-site"))
        .then(same_site_lines)
}

fn same_site_lines() -> Vec<Line> {
    vec![line(
        None,
        |t| t.e9_attacker_same_site,
        Detail::Worded(|t| t.e9_attacker_same_site_detail, Vec::new()),
    )]
}

/// This visitor's probes tagged `nonce`, read again every `POLL_MS` until `done` says they
/// are all there or `PATIENCE_MS` has passed; what arrived by then.
pub(super) async fn wait_for_probes(
    nonce: &str,
    done: impl Fn(&[ProbeRecord]) -> bool,
) -> Vec<ProbeRecord> {
    let mut waited = 0;
    loop {
        let probes = probes_with(nonce).await;
        if done(&probes) || waited >= PATIENCE_MS {
            return probes;
        }
        sleep(POLL_MS).await;
        waited += POLL_MS;
    }
}

pub(super) async fn probes_with(nonce: &str) -> Vec<ProbeRecord> {
    get("/api/lab/csrf-probes", None)
        .await
        .json::<Vec<ProbeRecord>>()
        .unwrap_or_default()
        .into_iter()
        .filter(|probe| probe.nonce == nonce)
        .collect()
}

/// A probe nonce from the server, filed under this visitor.
async fn new_nonce() -> Option<String> {
    post("/api/lab/csrf-probes", &NoFields {})
        .await
        .json::<ProbeNonce>()
        .map(|answer| answer.nonce)
}

async fn sleep(ms: u32) {
    let (done, wait) = futures::channel::oneshot::channel::<()>();
    set_timeout(
        move || {
            let _ = done.send(());
        },
        std::time::Duration::from_millis(u64::from(ms)),
    );
    let _ = wait.await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn probe(sec_fetch_site: &str) -> ProbeRecord {
        ProbeRecord {
            nonce: "n".to_owned(),
            flow: "session".to_owned(),
            cookie_sent: false,
            authorization_sent: false,
            sec_fetch_site: Some(sec_fetch_site.to_owned()),
            origin: None,
            refused_by: None,
            status: 401,
            test_cookies: Vec::new(),
            cut: Vec::new(),
        }
    }

    #[test]
    fn an_attacker_the_browser_calls_same_site_gets_no_verdict_but_the_reason() {
        assert!(same_site_attacker(&[probe("cross-site"), probe("cross-site")]).is_none());
        let lines = same_site_attacker(&[probe("cross-site"), probe("same-site")])
            .expect("the set-up is named");
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].ok, None, "neither ✓ nor ✗");
        for (lang, label) in [(Lang::En, "Not measured"), (Lang::Ko, "측정하지 않음")] {
            let texts = lang.experiment_texts();
            assert_eq!((lines[0].label)(texts), label);
            assert!(lines[0].detail.text(texts).contains("--attacker-origin"));
        }
    }
}
