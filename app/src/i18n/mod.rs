//! Every visible string, in English and Korean: one table (a struct of `&'static str`) per
//! part of the page, each in its own file with its English and Korean constant, so a language
//! that lacks a string does not compile. Placeholders are named (`{total}`), and one test checks
//! every field of every table for the same placeholders in both languages.

mod comparison;
mod cost;
mod experiments;
mod lab;
mod negotiate;
mod page;
mod panel;
mod path;
mod token;

pub use comparison::ComparisonTexts;
use comparison::{COMPARISON_EN, COMPARISON_KO};
pub use cost::CostTexts;
use cost::{COST_EN, COST_KO};
pub use experiments::ExperimentTexts;
use experiments::{EXPERIMENTS_EN, EXPERIMENTS_KO};
pub use lab::LabTexts;
use lab::{LAB_EN, LAB_KO};
pub use negotiate::{LANG_COOKIE, LANG_PARAM, from_accept_language, lang_cookie, lang_in_query};
pub use page::{EN, KO, Texts};
pub use panel::PanelTexts;
use panel::{PANEL_EN, PANEL_KO};
pub use path::PathTexts;
use path::{PATH_EN, PATH_KO};
use serde::{Deserialize, Serialize};
use token::{TOKEN_EN, TOKEN_KO};
pub use token::{TokenTexts, claim_meaning};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    En,
    Ko,
}

impl Lang {
    /// The value of the `lang` cookie and of `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "en" => Some(Lang::En),
            "ko" => Some(Lang::Ko),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Ko,
            Lang::Ko => Lang::En,
        }
    }
}

/// One accessor per table (`lang.panel_texts()`: that table in `lang`), and the list of every
/// table the placeholder test reads, both from one declaration: a table added here is checked.
macro_rules! tables {
    ($($(#[$doc:meta])* $accessor:ident: $table:ident = $en:ident, $ko:ident;)*) => {
        impl Lang {
            $(
                $(#[$doc])*
                pub fn $accessor(self) -> &'static $table {
                    match self {
                        Lang::En => &$en,
                        Lang::Ko => &$ko,
                    }
                }
            )*
        }

        /// Every table's texts by field name, English beside Korean.
        #[cfg(test)]
        fn every_table() -> Vec<(&'static str, serde_json::Value, serde_json::Value)> {
            let json = |texts: serde_json::Result<serde_json::Value>| texts.expect("texts serialize");
            vec![$((
                stringify!($table),
                json(serde_json::to_value(&$en)),
                json(serde_json::to_value(&$ko)),
            )),*]
        }
    };
}

tables! {
    /// The page's own texts.
    texts: Texts = EN, KO;
    /// The wire's and the "server holds" panels' texts.
    panel_texts: PanelTexts = PANEL_EN, PANEL_KO;
    /// The experiments' texts.
    experiment_texts: ExperimentTexts = EXPERIMENTS_EN, EXPERIMENTS_KO;
    /// The comparison table's texts.
    comparison_texts: ComparisonTexts = COMPARISON_EN, COMPARISON_KO;
    /// The scaling lab's texts.
    lab_texts: LabTexts = LAB_EN, LAB_KO;
    /// The cost page's texts.
    cost_texts: CostTexts = COST_EN, COST_KO;
    /// The token view's and the inspector's texts.
    token_texts: TokenTexts = TOKEN_EN, TOKEN_KO;
    /// The student's path's texts.
    path_texts: PathTexts = PATH_EN, PATH_KO;
}

/// `template` with each `{name}` replaced by its value: the translation decides the order.
pub fn fill_named(template: &str, values: &[(&str, String)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

/// The page's language signal, as `App` provides it: the one way a component reads (or, for
/// the switch, sets) the language.
pub fn use_lang() -> leptos::prelude::RwSignal<Lang> {
    leptos::prelude::expect_context::<leptos::prelude::RwSignal<Lang>>()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The named placeholders (`{total}`) in a text.
    fn placeholders(text: &str) -> std::collections::BTreeSet<&str> {
        text.split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .filter(|name| {
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            })
            .collect()
    }

    #[test]
    fn every_translation_has_the_same_named_placeholders_and_none_is_positional() {
        let mut checked = 0;
        for (table, en, ko) in every_table() {
            let (en, ko) = (en.as_object().unwrap(), ko.as_object().unwrap());
            assert_eq!(en.len(), ko.len(), "{table}");
            for (field, english) in en {
                let english = english.as_str().unwrap();
                let korean = ko[field].as_str().unwrap();
                assert_eq!(
                    placeholders(english),
                    placeholders(korean),
                    "{table}.{field}: {english:?} / {korean:?}"
                );
                for text in [english, korean] {
                    assert!(
                        !text.contains("{}"),
                        "{table}.{field}: a positional placeholder in {text:?}"
                    );
                }
                checked += 1;
            }
        }
        // The check has teeth: it read every table, placeholders included.
        assert!(checked > 300, "{checked} texts");
        assert_eq!(
            placeholders(PANEL_EN.yours_of_total),
            ["backend", "total", "yours"].into_iter().collect()
        );
    }

    #[test]
    fn no_korean_text_leaves_a_particle_to_the_reader() {
        // "{name}(으)로" makes the reader pick the particle: a sentence is written so that
        // one particle fits whatever fills it.
        const TEMPLATE_PARTICLES: [&str; 9] = [
            "(으)", "(이)", "(을)", "(를)", "(은)", "(는)", "(가)", "(와)", "(과)",
        ];
        for (table, _, ko) in every_table() {
            for (field, korean) in ko.as_object().unwrap() {
                let korean = korean.as_str().unwrap();
                assert!(
                    !TEMPLATE_PARTICLES
                        .iter()
                        .any(|particle| korean.contains(particle)),
                    "{table}.{field}: {korean:?}"
                );
            }
        }
    }

    #[test]
    fn named_placeholders_are_in_both_languages_and_filled() {
        for panel in [&PANEL_EN, &PANEL_KO] {
            for name in ["{yours}", "{total}", "{backend}"] {
                assert!(panel.yours_of_total.contains(name), "{name}");
            }
            for name in ["{shown}", "{yours}"] {
                assert!(panel.listing_cut.contains(name), "{name}");
            }
        }
        let filled = fill_named(
            PANEL_KO.listing_cut,
            &[("shown", "100".into()), ("yours", "250".into())],
        );
        assert_eq!(
            filled,
            "내 것 250개 중 만료가 가장 이른 100개만 보여 줍니다."
        );
    }

    #[test]
    fn language_codes_round_trip() {
        for lang in [Lang::En, Lang::Ko] {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
        assert_eq!(Lang::from_code("fr"), None);
    }

    #[test]
    fn korean_texts_differ_from_english() {
        // A copy-pasted English string in the Korean table is a missing translation.
        assert_ne!(EN.session_title, KO.session_title);
        assert_ne!(EN.log_in, KO.log_in);
        assert_ne!(EN.cookie_hidden, KO.cookie_hidden);
        assert_ne!(TOKEN_EN.stays_here, TOKEN_KO.stays_here);
        assert_ne!(
            TOKEN_EN.check_signature_invalid,
            TOKEN_KO.check_signature_invalid
        );
    }

    #[test]
    fn every_claim_authlens_issues_is_explained_in_both_languages() {
        for claim in [
            "iss", "sub", "aud", "exp", "iat", "jti", "name", "cart", "fid", "alg", "typ", "kid",
        ] {
            let (en, ko) = (
                claim_meaning(Lang::En, claim),
                claim_meaning(Lang::Ko, claim),
            );
            assert!(en.is_some() && ko.is_some() && en != ko, "{claim}");
        }
        assert_eq!(claim_meaning(Lang::En, "made-up"), None);
    }
}
