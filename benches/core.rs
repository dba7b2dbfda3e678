//! Core throughput: parse + validate + render of typical requests (no host, no I/O).
//!
//! Run: `cargo bench --bench core -- --warm-up-time 1 --measurement-time 3` (native only).

use criterion::{criterion_group, criterion_main, Criterion};
use groupgate::limits::Limits;
use groupgate::GroupRequest;
use std::hint::black_box;

const ADD_PATH: &str = "/api/default/groups/120363298657503778@g.us/participants/add";
const ADD_BODY: &str = r#"{"participants":[{"id":"15551234567@c.us"},{"id":"4915112345678@s.whatsapp.net"},{"id":"447911123456@c.us"},{"id":"123456789012345@lid"},{"id":"33612345678@s.whatsapp.net"}]}"#;
const LIST_PATH: &str = "/api/default/groups";
const LIST_QUERY: &str = "limit=50&offset=100&sortBy=subject&sortOrder=desc&exclude=participants";

fn parse_render(c: &mut Criterion) {
    let limits = Limits::default();
    // Both inputs must be valid, or the benchmark would measure the error path.
    for (method, path, query, body) in [("POST", ADD_PATH, "", ADD_BODY), ("GET", LIST_PATH, LIST_QUERY, "")] {
        if let Err(e) = GroupRequest::parse(method, path, query, body.as_bytes(), &limits) {
            panic!("benchmark input refused: {e}");
        }
    }
    c.bench_function("add_participants_5", |b| {
        b.iter(|| {
            let request = GroupRequest::parse("POST", black_box(ADD_PATH), "", black_box(ADD_BODY.as_bytes()), &limits);
            black_box(request.map(|r| r.render()))
        })
    });
    c.bench_function("list_groups_query", |b| {
        b.iter(|| {
            let request = GroupRequest::parse("GET", black_box(LIST_PATH), black_box(LIST_QUERY), b"", &limits);
            black_box(request.map(|r| r.render()))
        })
    });
}

criterion_group!(benches, parse_render);
criterion_main!(benches);
