//! The experiments the home page runs on the server: 10 (bulk runs, [`bulk`]), 9 and 15
//! (cross-site forms and SameSite test cookies, [`cross_site`], [`samesite`], their probe logs in
//! [`probe_log`]) and the last benchmark run the /cost page draws ([`bench_results`]). The scaling
//! lab (11-14, 16) is [`crate::lab`].

pub mod bench_results;
pub mod bulk;
pub mod cross_site;
pub mod probe_log;
pub mod samesite;
