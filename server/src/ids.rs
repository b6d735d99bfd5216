//! The visitor id, a leaf: the stores file rows under it and the visitor extractor reads it from
//! its cookie (`crate::http::visitor`), so neither reaches the other for it.

crate::random::random_id!(
    /// 128 random bits: unguessable, so nobody can act as another visitor by naming their id.
    VisitorId,
    16,
    "visitor id"
);
