//! Claim 15: `SameSite` as browsers really do it, correcting source note 003. The server sets
//! four test cookies (`Lax`, `None`, `None; Secure`, no attribute); a same-origin read shows
//! which this browser stored, and the attacker site posts a form from a frame and from a tab
//! of its own to show which cross sites. Every verdict is this browser's, measured.

use leptos::lazy;
use leptos::prelude::*;

use super::cross_site::{
    AttackerSite, FramedExperiment, probes_with, same_site_attacker, wait_for_probes,
};
use super::{Detail, Line, get, line, post};
use crate::api::{
    NoFields, ProbeRecord, SAMESITE_TEST_COOKIES, SameSiteCookiesSet, SameSiteCookiesStored,
};
use crate::i18n::ExperimentTexts;

const LAX: &str = "authlens_test_lax";
const NONE: &str = "authlens_test_none";
const NONE_SECURE: &str = "authlens_test_none_secure";
const UNSET: &str = "authlens_test_unset";

#[component]
pub fn SameSiteTruth() -> impl IntoView {
    view! {
        <FramedExperiment
            number=15
            title=|t| t.e15_title
            claim=|t| t.e15_claim
            frame_title=|t| t.e15_frame_title
            note=|t| t.e15_opens_tab
            run=|frame| Box::pin(run(frame))
        />
    }
}

/// The names in `names`, as a line shows them.
fn listed(names: &[&str]) -> String {
    if names.is_empty() {
        "—".to_owned()
    } else {
        names.join(", ")
    }
}

/// The verdicts, from what was measured: which test cookies were stored, and which arrived
/// from the frame and the tab (`None`: that post never arrived).
fn verdicts(
    set_cookie: &[String],
    stored: &[&str],
    from_frame: Option<&[&str]>,
    from_top: Option<&[&str]>,
    tab_opened: bool,
) -> Vec<Line> {
    let refused: Vec<&str> = SAMESITE_TEST_COOKIES
        .iter()
        .map(|cookie| cookie.name)
        .filter(|name| !stored.contains(name))
        .collect();
    let mut lines = vec![
        line(None, |t| t.e15_set, set_cookie.join(" | ")),
        line(
            stored.contains(&LAX) && stored.contains(&NONE_SECURE) && stored.contains(&UNSET),
            |t| t.e15_stored,
            listed(stored),
        ),
        line(refused == [NONE], |t| t.e15_refused, listed(&refused)),
    ];
    // Nothing from the frame, yet SameSite=None; Secure crossed top-level: what kept it out of
    // the frame is this browser's third-party cookie blocking, not SameSite. The line says so.
    let blocked_as_third_party = from_frame.is_some_and(<[&str]>::is_empty)
        && from_top.is_some_and(|names| names.contains(&NONE_SECURE));
    let frame_label: fn(&ExperimentTexts) -> &'static str = if blocked_as_third_party {
        |t| t.e15_frame_third_party
    } else {
        |t| t.e15_frame
    };
    lines.push(match from_frame {
        Some(names) => line(
            !names.contains(&LAX) && !names.contains(&UNSET) && !names.contains(&NONE),
            frame_label,
            listed(names),
        ),
        None => line(false, |t| t.e15_frame, "—"),
    });
    match from_top {
        Some(names) => {
            lines.push(line(
                names.contains(&NONE_SECURE) && !names.contains(&LAX),
                |t| t.e15_top,
                listed(names),
            ));
            let lax_post: fn(&ExperimentTexts) -> &'static str = if names.contains(&UNSET) {
                |t| t.e15_lax_post_sent
            } else {
                |t| t.e15_lax_post_not_sent
            };
            lines.push(line(
                None,
                |t| t.e15_lax_post,
                Detail::Worded(lax_post, Vec::new()),
            ));
        }
        None if !tab_opened => lines.push(line(false, |t| t.e15_popup_blocked, "—")),
        None => lines.push(line(false, |t| t.e15_top, "—")),
    }
    let corrected = stored.contains(&LAX)
        && from_top.is_some_and(|names| names.contains(&NONE_SECURE) && !names.contains(&LAX));
    lines.push(line(
        corrected,
        |t| t.e15_note_003,
        Detail::Worded(|t| t.e15_note_003_detail, Vec::new()),
    ));
    lines
}

/// Waits for the attacker's post of `flow` to arrive; the test cookies it carried.
async fn arrived(nonce: &str, flow: &str) -> Option<Vec<String>> {
    let came = |probes: &[ProbeRecord]| probes.iter().any(|probe| probe.flow == flow);
    wait_for_probes(nonce, came)
        .await
        .into_iter()
        .find(|probe| probe.flow == flow)
        .map(|probe| probe.test_cookies)
}

#[lazy]
async fn run(frame: RwSignal<Option<String>>) -> Vec<Line> {
    let site = match AttackerSite::find().await {
        Ok(site) => site,
        Err(lines) => return lines,
    };
    let set = post("/api/lab/samesite/cookies", &NoFields {}).await;
    let Some(SameSiteCookiesSet { nonce, set_cookie }) = set.json() else {
        return vec![line(false, |t| t.e15_set, super::status(&set))];
    };
    let stored_answer = get("/api/lab/samesite/cookies", None).await;
    let stored: Vec<String> = stored_answer
        .json::<SameSiteCookiesStored>()
        .map(|answer| {
            answer
                .received
                .into_iter()
                .filter(|seen| seen.nonce == nonce)
                .map(|seen| seen.name)
                .collect()
        })
        .unwrap_or_default();

    let attacker_page = |via: &str| site.page(&nonce, &format!("&test=samesite&via={via}"));
    // The top-level post first: its tab is opened while the click still counts as the
    // visitor's (browsers block pop-ups that come later).
    let tab_opened = crate::browser::open_tab(&attacker_page("top"));
    frame.set(Some(attacker_page("frame")));
    let from_frame = arrived(&nonce, "samesite-frame").await;
    let from_top = if tab_opened {
        arrived(&nonce, "samesite-top").await
    } else {
        None
    };
    fn names(list: &Option<Vec<String>>) -> Option<Vec<&str>> {
        list.as_ref()
            .map(|names| names.iter().map(String::as_str).collect())
    }
    if let Some(lines) = same_site_attacker(&probes_with(&nonce).await) {
        frame.set(None);
        return lines;
    }
    let stored: Vec<&str> = stored.iter().map(String::as_str).collect();
    verdicts(
        &set_cookie,
        &stored,
        names(&from_frame).as_deref(),
        names(&from_top).as_deref(),
        tab_opened,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict_of(lines: &[Line]) -> Vec<Option<bool>> {
        lines.iter().map(|line| line.ok).collect()
    }

    #[test]
    fn a_browser_that_does_samesite_right_passes_every_check() {
        let lines = verdicts(
            &["…".to_owned()],
            &[LAX, NONE_SECURE, UNSET],
            Some(&[NONE_SECURE]),
            Some(&[NONE_SECURE, UNSET]),
            true,
        );
        assert_eq!(
            verdict_of(&lines),
            [
                None,
                Some(true),
                Some(true),
                Some(true),
                Some(true),
                None,
                Some(true)
            ]
        );
    }

    #[test]
    fn a_browser_that_followed_note_003_would_fail() {
        // As the note has it: Lax dropped without Secure, and Lax sent across sites.
        let lines = verdicts(
            &["…".to_owned()],
            &[NONE_SECURE, UNSET],
            Some(&[]),
            Some(&[LAX, NONE_SECURE]),
            true,
        );
        assert_eq!(lines[1].ok, Some(false));
        assert_eq!(lines[4].ok, Some(false));
        assert_eq!(lines.last().unwrap().ok, Some(false));
    }

    #[test]
    fn a_frame_that_carried_nothing_while_the_tab_carried_none_secure_is_called_third_party_blocking()
     {
        let texts = crate::i18n::Lang::En.experiment_texts();
        let blocked = verdicts(
            &[],
            &[LAX, NONE_SECURE, UNSET],
            Some(&[]),
            Some(&[NONE_SECURE]),
            true,
        );
        assert_eq!((blocked[3].label)(texts), texts.e15_frame_third_party);
        let carried = verdicts(
            &[],
            &[LAX, NONE_SECURE, UNSET],
            Some(&[NONE_SECURE]),
            Some(&[NONE_SECURE]),
            true,
        );
        assert_eq!((carried[3].label)(texts), texts.e15_frame);
    }

    #[test]
    fn a_blocked_tab_says_so() {
        let lines = verdicts(&[], &[LAX, NONE_SECURE, UNSET], Some(&[]), None, false);
        assert!(lines.iter().any(|line| line.ok == Some(false)));
    }
}
