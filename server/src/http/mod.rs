//! The front door: what every request meets and what a handler reads and answers with.
//! [`serve`] accepts connections, [`edge`] is the service around the routes (client, limits,
//! refusals, visitor cookie, headers); the extractors ([`client`], [`visitor`], the JSON body in
//! [`error`]), the answers ([`error`], [`trace`]), and the page's files and language
//! ([`assets`], [`page_language`]) and the documents about the API ([`openapi`]). It names no
//! flow, experiment or lab: those are built on it.

pub mod assets;
pub mod attacker;
pub mod client;
pub mod cookies;
pub mod edge;
pub mod error;
pub mod openapi;
pub mod page_language;
pub mod per_client;
pub mod rate_limit;
pub mod request_limits;
pub mod same_origin;
pub mod security_headers;
pub mod serve;
pub mod trace;
pub mod visitor;
