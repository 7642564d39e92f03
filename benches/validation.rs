//! Criterion benchmarks of the FHIR validation engine (see benches/README.md).

use criterion::{criterion_group, criterion_main, Criterion};
use gpc_assure::fhir::{self, xml, ProfileSet, Validator};
use serde_json::{json, Value};

/// The allocator the `gpc-assure` binary runs the validator with (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn patient() -> Value {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fhir/patient-valid.json"
    );
    let mut v: Value = serde_json::from_slice(&std::fs::read(p).expect("fixture")).expect("json");
    // complex extensions (sub-extensions checked against their definitions) and a Period (per-1)
    let c = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/validator/valid-patient-complex-extensions.json"
    );
    let with_ext: Value =
        serde_json::from_slice(&std::fs::read(c).expect("fixture")).expect("json");
    v["extension"] = with_ext["extension"].clone();
    v["name"][0]["period"] = json!({"start": "1934-09-22"});
    // a narrative, so every entry also goes through the XHTML rules (txt-1, txt-2)
    v["text"] = json!({
        "status": "generated",
        "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\"><table class=\"patient\"><tbody>\
                <tr><th>Name</th><td>Ada <b>FENWICK</b></td></tr>\
                <tr><th>Born</th><td>14 March 1951</td></tr>\
                <tr><th>NHS number</th><td><span style=\"white-space: nowrap\">969 093 7286</span></td></tr>\
                </tbody></table></div>"
    });
    v
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

/// A Patient with `n` elements of distinct names the definitions do not know, as FHIR XML
/// (100,000 names: ~1.9 MB) and as FHIR JSON: the payload that once took minutes.
fn distinct_names(n: usize) -> (String, String) {
    let mut xml = String::from("<Patient xmlns=\"http://hl7.org/fhir\">");
    let mut json = String::from("{\"resourceType\":\"Patient\"");
    for i in 0..n {
        xml.push_str(&format!("<unknown{i} value=\"x\"/>"));
        json.push_str(&format!(",\"unknown{i}\":\"x\""));
    }
    xml.push_str("</Patient>");
    json.push('}');
    (xml, json)
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
        g.bench_function("JSON parse only", |b| {
            b.iter(|| fhir::parse_body(&text, Some("application/fhir+json")).expect("json"))
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
    let (wide_xml, wide_json) = distinct_names(100_000);
    let mut g = c.benchmark_group("100,000 distinct unknown elements");
    g.sample_size(10);
    g.bench_function("XML bytes -> issues", |b| {
        b.iter(|| {
            v.validate_body(
                wide_xml.as_bytes(),
                Some("application/fhir+xml"),
                None,
                ProfileSet::Latest,
            )
        })
    });
    g.bench_function("JSON bytes -> issues", |b| {
        b.iter(|| {
            v.validate_body(
                wide_json.as_bytes(),
                Some("application/fhir+json"),
                None,
                ProfileSet::Latest,
            )
        })
    });
    g.finish();
}

criterion_group!(name = group; config = Criterion::default().warm_up_time(std::time::Duration::from_secs(1)).measurement_time(std::time::Duration::from_secs(3)); targets = benches);
criterion_main!(group);
