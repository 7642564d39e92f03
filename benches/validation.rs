//! Criterion benchmarks of the FHIR validation engine (see benches/README.md).

use criterion::{criterion_group, criterion_main, Criterion};
use gpc_assure::fhir::{self, xml, ProfileSet, Validator};
use serde_json::{json, Value};

fn patient() -> Value {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fhir/patient-valid.json"
    );
    serde_json::from_slice(&std::fs::read(p).expect("fixture")).expect("json")
}

/// A structured-record style collection Bundle of `n` profiled entries.
pub fn bundle(n: usize) -> Value {
    let mut entries = Vec::with_capacity(n);
    for i in 0..n {
        let mut r = patient();
        r["id"] = json!(format!("p{i}"));
        entries
            .push(json!({"fullUrl": format!("https://example.org/Patient/p{i}"), "resource": r}));
    }
    json!({
        "resourceType": "Bundle",
        "meta": {"profile": ["https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-StructuredRecord-Bundle-1"]},
        "type": "collection",
        "entry": entries
    })
}

fn benches(c: &mut Criterion) {
    c.bench_function("load schemas/ (Validator::load_default)", |b| {
        b.iter(|| Validator::load_default().expect("load"))
    });
    let v = fhir::validator().expect("load");
    let p = patient();
    v.validate(&p, None, ProfileSet::Latest);
    c.bench_function("validate Patient (JSON)", |b| {
        b.iter(|| v.validate(&p, None, ProfileSet::Latest))
    });
    for n in [50usize, 2000] {
        let bj = bundle(n);
        let text = serde_json::to_vec(&bj).unwrap();
        let bx = xml::to_xml(&bj);
        v.validate(&bj, None, ProfileSet::Latest);
        let mut g = c.benchmark_group(format!("bundle {n} entries"));
        if n > 100 {
            g.sample_size(10);
        }
        g.bench_function("JSON parse + validate", |b| {
            b.iter(|| {
                v.validate_body(
                    &text,
                    Some("application/fhir+json"),
                    None,
                    ProfileSet::Latest,
                )
            })
        });
        g.bench_function("XML parse + validate", |b| {
            b.iter(|| {
                v.validate_body(
                    bx.as_bytes(),
                    Some("application/fhir+xml"),
                    None,
                    ProfileSet::Latest,
                )
            })
        });
        g.finish();
    }
}

criterion_group!(name = group; config = Criterion::default().warm_up_time(std::time::Duration::from_secs(1)).measurement_time(std::time::Duration::from_secs(3)); targets = benches);
criterion_main!(group);
