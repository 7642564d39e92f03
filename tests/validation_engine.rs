//! FHIR validation engine: wire formats, base structure, profile conformance, generator.
//!
//! The corpus: valid resources per profile, and for each check a minimal broken variant that
//! must produce exactly the expected error at the expected location.

use gpc_assure::fhir::{self, parse_body, xml, Issue, ProfileSet, Severity, WireError};
use serde_json::{json, Value};

fn fixture(name: &str) -> Value {
    let p = format!("{}/tests/fixtures/fhir/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(p).expect("fixture")).expect("json")
}

fn errors(issues: &[Issue]) -> Vec<&Issue> {
    issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .collect()
}

fn validate(v: &Value) -> Vec<Issue> {
    fhir::validator()
        .expect("embedded schemas load")
        .validate(v, None, ProfileSet::Latest)
}

#[test]
fn valid_fixtures_have_no_errors_in_both_sets() {
    let v = fhir::validator().expect("load");
    for f in ["patient-valid.json", "operationoutcome-valid.json"] {
        for set in [ProfileSet::V1_2, ProfileSet::Latest] {
            let issues = v.validate(&fixture(f), None, set);
            assert!(errors(&issues).is_empty(), "{f} {set:?}: {issues:#?}");
        }
    }
}

/// (name, JSON pointer to change, new value or null to remove, expected location, message part)
const PATIENT_CASES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "required binding",
        "/gender",
        r#""boy""#,
        "Patient.gender",
        "not in value set",
    ),
    (
        "date format",
        "/birthDate",
        r#""23/11/1977""#,
        "Patient.birthDate",
        "not a valid FHIR date",
    ),
    (
        "unknown element",
        "/favouriteColour",
        r#""blue""#,
        "Patient.favouriteColour",
        "Unknown element",
    ),
    (
        "JSON type",
        "/active",
        r#""true""#,
        "Patient.active",
        "JSON boolean",
    ),
    (
        "max 0",
        "/photo",
        r#"[{"url": "http://example.org/p.png"}]"#,
        "Patient.photo[0]",
        "must not be present",
    ),
    (
        "max 1",
        "/generalPractitioner",
        r#"[{"reference": "Practitioner/1"}, {"reference": "Practitioner/2"}]"#,
        "Patient.generalPractitioner[1]",
        "at most 1",
    ),
    (
        "reference target",
        "/managingOrganization",
        r#"{"reference": "Patient/7"}"#,
        "Patient.managingOrganization.reference",
        "only allows Organization",
    ),
    (
        "min 1 inside datatype",
        "/telecom/0/system",
        "null",
        "Patient.telecom[0]",
        "Missing 'system'",
    ),
    (
        "slice min (name:official)",
        "/name/0/use",
        r#""usual""#,
        "Patient",
        "slice 'official'",
    ),
    (
        // `name` itself may be absent (0..*), its slice may not: an element the resource does not
        // hold still answers for the minimums of its slices
        "slice min with the element absent",
        "/name",
        "null",
        "Patient",
        "slice 'official'",
    ),
    (
        "binding in extension",
        "/identifier/0/extension/0/valueCodeableConcept/coding/0/code",
        r#""99""#,
        "Patient.identifier[0].extension[0].valueCodeableConcept",
        "not in value set",
    ),
    (
        "fixed value in slice",
        "/identifier/0/extension/0/url",
        r#""https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-NHSNumberVerificationStatus-2""#,
        "Patient.identifier[0]",
        "nhsNumberVerificationStatus",
    ),
    (
        "empty string",
        "/name/0/family",
        r#""""#,
        "Patient.name[0].family",
        "Empty or blank",
    ),
    (
        "empty array",
        "/telecom",
        "[]",
        "Patient.telecom",
        "Empty arrays",
    ),
    (
        "choice type not allowed",
        "/deceasedString",
        r#""yes""#,
        "Patient.deceasedString",
        "",
    ),
    (
        "state forbidden in address",
        "/address/0/state",
        r#""West Yorkshire""#,
        "Patient.address[0].state",
        "must not be present",
    ),
];

fn set_pointer(v: &mut Value, ptr: &str, new: Value) {
    let (parent, last) = ptr.rsplit_once('/').unwrap();
    let target = if parent.is_empty() {
        &mut *v
    } else {
        v.pointer_mut(parent).expect("pointer")
    };
    match target {
        Value::Object(o) => {
            if new.is_null() {
                o.remove(last);
            } else {
                o.insert(last.to_string(), new);
            }
        }
        Value::Array(a) => a[last.parse::<usize>().unwrap()] = new,
        _ => panic!("bad pointer {ptr}"),
    }
}

/// (case, message part): a second error some PATIENT_CASES also produce, rightly.
const ALSO_EXPECTED: &[(&str, &str)] = &[
    // a ContactPoint value without its system breaks cpt-2 too
    ("min 1 inside datatype", "Invariant cpt-2 does not hold"),
    // the changed url is in the NHS space and no definition has it
    (
        "fixed value in slice",
        "Unknown extension https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-NHSNumberVerificationStatus-2",
    ),
];

#[test]
fn each_patient_check_catches_its_broken_variant() {
    let base = fixture("patient-valid.json");
    let mut failures = Vec::new();
    for (name, ptr, new, loc, msg) in PATIENT_CASES {
        let mut v = base.clone();
        set_pointer(&mut v, ptr, serde_json::from_str(new).unwrap());
        let issues = validate(&v);
        // a few breaks also break an invariant or name an unknown extension: those errors are
        // expected beside the one the case is about
        let errs: Vec<&Issue> = errors(&issues)
            .into_iter()
            .filter(|e| {
                !ALSO_EXPECTED
                    .iter()
                    .any(|(case, part)| case == name && e.message.contains(part))
            })
            .collect();
        let ok = errs.len() == 1 && errs[0].location == *loc && errs[0].message.contains(msg);
        if !ok {
            failures.push(format!(
                "{name}: expected 1 error at {loc} containing {msg:?}, got {errs:#?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn operation_outcome_checks() {
    let base = fixture("operationoutcome-valid.json");
    let cases: &[(&str, Value, &str, &str)] = &[
        (
            "/issue/0/details/coding/0/system",
            json!("https://fhir.nhs.uk/STU3/ValueSet/Spine-ErrorOrWarningCode-1"),
            "OperationOutcome.issue[0].details.coding[0].system",
            "fixed",
        ),
        (
            "/issue/0/details/coding/0/code",
            json!("NOT_A_CODE"),
            "OperationOutcome.issue[0].details",
            "not in value set",
        ),
        (
            "/issue/0/details",
            Value::Null,
            "OperationOutcome.issue[0]",
            "Missing 'details'",
        ),
        (
            "/issue/0/severity",
            json!("fatalish"),
            "OperationOutcome.issue[0].severity",
            "not in value set",
        ),
    ];
    for (ptr, new, loc, msg) in cases {
        let mut v = base.clone();
        set_pointer(&mut v, ptr, new.clone());
        let issues = validate(&v);
        let errs = errors(&issues);
        // a wrong fixed system also makes the code unknown in the bound value set: both
        // are reported, all inside issue[0]
        assert!(
            errs.iter()
                .any(|e| e.location == *loc && e.message.contains(msg))
                && errs
                    .iter()
                    .all(|e| e.location.starts_with("OperationOutcome.issue[0]"))
                && (errs.len() == 1 || ptr.ends_with("/system")),
            "{ptr}: {errs:#?}"
        );
    }
}

#[test]
fn expected_profile_must_match_meta_profile() {
    let v = fhir::validator().unwrap();
    let issues = v.validate(
        &fixture("patient-valid.json"),
        Some("https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Practitioner-1"),
        ProfileSet::Latest,
    );
    assert!(
        errors(&issues)
            .iter()
            .any(|i| i.location == "Patient.meta.profile"),
        "{issues:#?}"
    );
}

#[test]
fn bundle_entries_are_validated_against_their_own_profile_with_locations() {
    let mut bad = fixture("patient-valid.json");
    bad["gender"] = json!("boy");
    let bundle = json!({
        "resourceType": "Bundle",
        "meta": {"profile": ["https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Searchset-Bundle-1"]},
        "type": "searchset",
        "entry": [
            {"fullUrl": "https://example.org/Patient/1", "resource": fixture("patient-valid.json")},
            {"fullUrl": "https://example.org/Patient/2", "resource": bad}
        ]
    });
    let issues = validate(&bundle);
    let errs = errors(&issues);
    assert_eq!(errs.len(), 1, "{issues:#?}");
    assert_eq!(
        errs[0].location,
        "Bundle.entry[1].resource.ofType(Patient).gender"
    );
}

#[test]
fn xml_round_trip_is_identical_and_validates_identically() {
    for f in ["patient-valid.json", "operationoutcome-valid.json"] {
        let j = fixture(f);
        let x = xml::to_xml(&j);
        assert!(x.contains("xmlns=\"http://hl7.org/fhir\""));
        let back = xml::from_xml(&x).expect("parse back");
        assert_eq!(back, j, "{f}\n{x}");
    }
    let mut j = fixture("patient-valid.json");
    j["gender"] = json!("boy");
    let from_xml = xml::from_xml(&xml::to_xml(&j)).unwrap();
    assert_eq!(validate(&from_xml), validate(&j));
}

#[test]
fn xml_primitive_extensions_narrative_and_types() {
    let x = r#"<?xml version="1.0" encoding="UTF-8"?>
<Patient xmlns="http://hl7.org/fhir">
  <id value="1"/>
  <text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi &amp; bye</p></div></text>
  <active value="true"/>
  <name><given value="A"/><given id="g2"><extension url="http://example.org/e"><valueBoolean value="false"/></extension></given></name>
  <multipleBirthInteger value="2"/>
</Patient>"#;
    let v = xml::from_xml(x).unwrap();
    assert_eq!(v["active"], json!(true));
    assert_eq!(v["multipleBirthInteger"], json!(2));
    assert_eq!(v["name"][0]["given"], json!(["A", null]));
    assert_eq!(v["name"][0]["_given"][1]["id"], json!("g2"));
    assert_eq!(
        v["name"][0]["_given"][1]["extension"][0]["valueBoolean"],
        json!(false)
    );
    assert_eq!(
        v["text"]["div"],
        json!("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Hi &amp; bye</p></div>")
    );
    let again = xml::from_xml(&xml::to_xml(&v)).unwrap();
    assert_eq!(again, v);
}

#[test]
fn malformed_bodies_are_clear_errors_not_crashes() {
    assert!(matches!(parse_body(b"", None), Err(WireError::Empty)));
    assert!(matches!(
        parse_body(b"{\"resourceType\": ", None),
        Err(WireError::Json(_))
    ));
    assert!(matches!(
        parse_body(b"[1,2]", None),
        Err(WireError::WrongRoot(_))
    ));
    assert!(matches!(
        parse_body(b"<Patient><id value='1'/></Patient>", None),
        Err(WireError::WrongNamespace(_))
    ));
    assert!(matches!(
        parse_body(b"<Foo xmlns=\"http://hl7.org/fhir\"/>", None),
        Err(WireError::WrongRoot(_))
    ));
    assert!(matches!(
        parse_body(
            b"<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"1\"></Patient>",
            Some("application/fhir+xml")
        ),
        Err(WireError::Xml(_))
    ));
    assert!(parse_body(&[0xff, 0xfe, 0x00], None).is_err());
    let v = fhir::validator().unwrap();
    let issues = v.validate_body(
        b"<<<",
        Some("application/fhir+xml"),
        None,
        ProfileSet::Latest,
    );
    assert_eq!(errors(&issues).len(), 1);
    // arbitrary JSON shapes never panic
    for body in [
        json!({"resourceType": "Nope"}),
        json!({"resourceType": 3}),
        json!({"resourceType": "Bundle", "entry": [1, {"resource": 2}, {"resource": {}}]}),
    ] {
        let issues = v.validate(&body, None, ProfileSet::Latest);
        assert!(!errors(&issues).is_empty(), "{body}");
    }
}

#[cfg(feature = "generator")]
fn generator_fixtures() -> (String, Vec<std::path::PathBuf>, fhir::generator::Sources) {
    let fx = format!("{}/tests/fixtures/fhir/gen", env!("CARGO_MANIFEST_DIR"));
    let from = vec![format!("{fx}/core").into(), format!("{fx}/profiles").into()];
    let sources =
        fhir::generator::Sources::load(std::path::Path::new(&format!("{fx}/sources.toml")))
            .expect("fixture sources");
    (fx, from, sources)
}

#[cfg(feature = "generator")]
#[test]
fn generator_records_provenance_not_local_paths() {
    let dir = tempfile::tempdir().unwrap();
    let (fx, from, sources) = generator_fixtures();
    fhir::generator::build(&from, &sources, dir.path()).expect("build");
    let manifest = std::fs::read_to_string(dir.path().join("manifest.json")).unwrap();
    assert!(!manifest.contains(&fx), "{manifest}");
    let m: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(m["base"]["npm"], "fhir@3.3.1");
    assert_eq!(m["base"]["folder"], "core");
    let first = &m["sets"][0]["sources"][0];
    assert_eq!(first["github"], "example/profiles");
    assert_eq!(first["commit"], "0000000000000000000000000000000000000000");
    assert_eq!(first["paths"], json!(["StructureDefinitions"]));
    for f in ["base.json.gz", "gpc-latest.json.gz"] {
        let bytes = std::fs::read(dir.path().join(f)).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
            .unwrap();
        assert!(!text.contains(&fx), "{f} records a local path");
    }
}

#[cfg(feature = "generator")]
#[test]
fn generator_refuses_an_input_folder_without_provenance() {
    let dir = tempfile::tempdir().unwrap();
    let (_, from, mut sources) = generator_fixtures();
    sources.0.remove("profiles");
    let err = fhir::generator::build(&from, &sources, dir.path()).unwrap_err();
    assert!(
        err.contains("no provenance for input folder profiles"),
        "{err}"
    );
    for bad in [
        "[core]\npaths = [\"x\"]\n",
        "[core]\nnpm = \"fhir@3.3.1\"\ngithub = \"a/b\"\ncommit = \"c\"\npaths = [\"x\"]\n",
        "[core]\ngithub = \"a/b\"\npaths = [\"x\"]\n",
        "[core]\nnpm = \"fhir@3.3.1\"\npaths = []\n",
        "[core]\nnpm = \"fhir@3.3.1\"\npaths = [\"/abs/path\"]\n",
        "[core]\nnpm = \"fhir@3.3.1\"\npaths = [\"x\"]\nlocal = \"y\"\n",
    ] {
        assert!(fhir::generator::Sources::parse(bad).is_err(), "{bad}");
    }
}

#[cfg(feature = "generator")]
#[test]
fn generator_builds_and_the_result_validates() {
    let dir = tempfile::tempdir().unwrap();
    let (_, from, sources) = generator_fixtures();
    let report = fhir::generator::build(&from, &sources, dir.path()).expect("build");
    assert!(report.files.iter().any(|(f, _)| f == "gpc-latest.json.gz"));
    let v = fhir::Validator::load_dir(dir.path()).expect("load");
    let prof = Some("http://example.org/StructureDefinition/MyPatient");
    let ok = json!({"resourceType": "Patient", "active": true, "gender": "female-sub", "contact": [{"name": "X"}]});
    assert!(errors(&v.validate(&ok, prof, ProfileSet::Latest)).is_empty());
    let cases = [
        (
            json!({"resourceType": "Patient"}),
            "Patient",
            "Missing 'active'",
        ),
        (
            json!({"resourceType": "Patient", "active": false}),
            "Patient.active",
            "fixed",
        ),
        (
            json!({"resourceType": "Patient", "active": true, "gender": "boy"}),
            "Patient.gender",
            "not in value set",
        ),
        (
            json!({"resourceType": "Patient", "active": true, "birthDate": "2001"}),
            "Patient.birthDate",
            "must not be present",
        ),
        (
            json!({"resourceType": "Patient", "active": true, "contact": [{}, {}]}),
            "Patient.contact[1]",
            "at most 1",
        ),
        (
            json!({"resourceType": "Patient", "active": true, "contact": [{"text": "x"}]}),
            "Patient.contact[0].text",
            "Unknown element",
        ),
        (
            json!({"resourceType": "Patient", "active": "yes"}),
            "Patient.active",
            "JSON boolean",
        ),
    ];
    for (res, loc, msg) in cases {
        let issues = v.validate(&res, prof, ProfileSet::Latest);
        assert!(
            errors(&issues)
                .iter()
                .any(|i| i.location == loc && i.message.contains(msg)),
            "{res}: {issues:#?}"
        );
    }
}

#[test]
fn large_bundles_report_entry_issues_in_entry_order_in_both_formats() {
    // enough entries for the entries to be validated in parallel
    let mut entries = Vec::new();
    for i in 0..40 {
        let mut r = fixture("patient-valid.json");
        r["id"] = json!(format!("p{i}"));
        if i % 7 == 3 {
            r["gender"] = json!("boy");
        }
        entries
            .push(json!({"fullUrl": format!("https://example.org/Patient/p{i}"), "resource": r}));
    }
    let bundle = json!({
        "resourceType": "Bundle",
        "meta": {"profile": ["https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Searchset-Bundle-1"]},
        "type": "searchset",
        "entry": entries
    });
    let issues = validate(&bundle);
    let got: Vec<&str> = errors(&issues)
        .iter()
        .map(|i| i.location.as_str())
        .collect();
    let want: Vec<String> = (0..40)
        .filter(|i| i % 7 == 3)
        .map(|i| format!("Bundle.entry[{i}].resource.ofType(Patient).gender"))
        .collect();
    assert_eq!(got, want, "{issues:#?}");
    let x = xml::to_xml(&bundle);
    let from_xml = fhir::validator().expect("load").validate_body(
        x.as_bytes(),
        Some("application/fhir+xml"),
        None,
        ProfileSet::Latest,
    );
    assert_eq!(from_xml, issues);
}

/// A coding that a profile slices is walked as the element and as its slice: an extension url no
/// definition has is still one finding, not one per walk.
#[test]
fn an_unknown_extension_inside_a_sliced_coding_is_reported_once() {
    let obs = json!({
        "resourceType": "Observation",
        "meta": {"profile": ["https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Observation-1"]},
        "status": "final",
        "code": {"coding": [{
            "system": "http://snomed.info/sct",
            "code": "703421000",
            "display": "Temperature",
            "extension": [{
                "url": "http://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-coding-sctdescid",
                "extension": [{"url": "descriptionId", "valueId": "3008650016"}]
            }]
        }]},
        "subject": {"reference": "Patient/1"}
    });
    let issues = validate(&obs);
    let found: Vec<&Issue> = issues
        .iter()
        .filter(|i| i.location == "Observation.code.coding[0].extension[0]")
        .collect();
    assert_eq!(found.len(), 1, "{issues:#?}");
    assert_eq!(found[0].severity, Severity::Error);
    assert!(
        found[0].message.starts_with(
            "Unknown extension http://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-coding-sctdescid:"
        ),
        "{found:#?}"
    );
}

// ---- FHIR DSTU2 (Access Record HTML 0.5.x / 0.7.x)

fn dstu2(v: &Value) -> Vec<Issue> {
    fhir::validator()
        .expect("validator")
        .validate(v, None, ProfileSet::Dstu2)
}

fn dstu2_composition() -> Value {
    json!({"resourceType": "Composition", "id": "c",
        "meta": {"profile": ["http://fhir.nhs.net/StructureDefinition/gpconnect-carerecord-composition-1"]},
        "date": "2026-01-01T10:00:00+00:00",
        "type": {"coding": [{"system": "http://snomed.info/sct", "code": "425173008", "display": "record extract (record artifact)"}], "text": "record extract (record artifact)"},
        "class": {"coding": [{"system": "http://snomed.info/sct", "code": "700232004", "display": "general medical service (qualifier value)"}], "text": "general medical service (qualifier value)"},
        "title": "Patient Care Record", "status": "final",
        "subject": {"reference": "Patient/1"}, "author": [{"reference": "Device/1"}],
        "section": [{"title": "Medications",
            "code": {"coding": [{"system": "http://fhir.nhs.net/ValueSet/gpconnect-record-section-1", "code": "MED", "display": "Medications"}], "text": "Medications"},
            "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\"><h1>Medications</h1></div>"}}]})
}

fn dstu2_patient() -> Value {
    json!({"resourceType": "Patient", "id": "1",
        "meta": {"profile": ["http://fhir.nhs.net/StructureDefinition/gpconnect-patient-1"]},
        "identifier": [{"system": "http://fhir.nhs.net/Id/nhs-number", "value": "9476719931"}],
        "name": [{"family": ["Jackson"], "given": ["Jane"]}],
        "gender": "female", "birthDate": "1952-05-31",
        "maritalStatus": {"coding": [{"system": "http://hl7.org/fhir/ValueSet/marital-status", "code": "M", "display": "Married"}]}})
}

/// The error issue at `location` whose message holds `says`, or a failure listing all issues.
fn dstu2_error_at(issues: &[Issue], location: &str, says: &str) {
    assert!(
        issues.iter().any(|i| i.severity == Severity::Error
            && i.location == location
            && i.message.contains(says)),
        "no error at {location} saying {says:?}: {issues:#?}"
    );
}

#[test]
fn valid_dstu2_composition_and_patient_have_no_errors() {
    for v in [dstu2_composition(), dstu2_patient()] {
        let issues = dstu2(&v);
        assert!(errors(&issues).is_empty(), "{issues:#?}");
    }
    // the STU3 validator does not take DSTU2 for STU3: HumanName.family repeats only in DSTU2
    assert!(!errors(&validate(&dstu2_patient())).is_empty());
}

#[test]
fn broken_dstu2_compositions_are_errors_at_the_element() {
    // cardinality: the profile requires Composition.type
    let mut c = dstu2_composition();
    c.as_object_mut().unwrap().remove("type");
    dstu2_error_at(&dstu2(&c), "Composition", "Missing 'type'");
    // wrong type: title is a string
    let mut c = dstu2_composition();
    c["title"] = json!(["Patient Care Record"]);
    dstu2_error_at(
        &dstu2(&c),
        "Composition.title",
        "does not repeat in FHIR DSTU2",
    );
    // bad binding: a status outside composition-status
    let mut c = dstu2_composition();
    c["status"] = json!("done");
    dstu2_error_at(&dstu2(&c), "Composition.status", "not in value set");
    // unknown element: STU3's Composition.category has no place in DSTU2
    let mut c = dstu2_composition();
    c["category"] = json!([{"text": "x"}]);
    dstu2_error_at(
        &dstu2(&c),
        "Composition.category",
        "Unknown element 'category'",
    );
    // a section code outside the closed slicing, and a section element the profile forbids
    let mut c = dstu2_composition();
    c["section"][0]["code"]["coding"][0]["code"] = json!("XYZ");
    dstu2_error_at(
        &dstu2(&c),
        "Composition.section[0]",
        "does not match any of the slices",
    );
    let mut c = dstu2_composition();
    c["section"][0]["entry"] = json!([{"reference": "MedicationOrder/1"}]);
    dstu2_error_at(
        &dstu2(&c),
        "Composition.section[0].entry[0]",
        "must not be present",
    );
}

#[test]
fn broken_dstu2_patients_are_errors_at_the_element() {
    // cardinality: the NHSNumber identifier slice is 1..1
    let mut p = dstu2_patient();
    p.as_object_mut().unwrap().remove("identifier");
    dstu2_error_at(&dstu2(&p), "Patient", "Missing 'identifier'");
    // wrong type: birthDate is a date
    let mut p = dstu2_patient();
    p["birthDate"] = json!("31/05/1952");
    dstu2_error_at(&dstu2(&p), "Patient.birthDate", "not a valid FHIR date");
    // bad binding: gender in administrative-gender-1
    let mut p = dstu2_patient();
    p["gender"] = json!("F");
    dstu2_error_at(&dstu2(&p), "Patient.gender", "not in value set");
    // bad binding through the fixed system: a marital status the value set lacks
    let mut p = dstu2_patient();
    p["maritalStatus"]["coding"][0]["code"] = json!("Q");
    dstu2_error_at(&dstu2(&p), "Patient.maritalStatus", "not in value set");
    // unknown element: the STU3 name of careProvider
    let mut p = dstu2_patient();
    p["generalPractitioner"] = json!([{"reference": "Practitioner/1"}]);
    dstu2_error_at(
        &dstu2(&p),
        "Patient.generalPractitioner",
        "Unknown element 'generalPractitioner'",
    );
}

#[test]
fn dstu2_xml_is_read_with_the_dstu2_wire_model() {
    let v = fhir::validator().expect("validator");
    // DSTU2 HumanName.family repeats: two <family> elements are one array, not an error
    let xml = r#"<Patient xmlns="http://hl7.org/fhir"><id value="1"/><name><family value="van"/><family value="Dyke"/></name><gender value="male"/></Patient>"#;
    let issues = v.validate_body(
        xml.as_bytes(),
        Some("application/xml+fhir"),
        None,
        ProfileSet::Dstu2,
    );
    assert!(errors(&issues).is_empty(), "{issues:#?}");
    let parsed = fhir::parse_body_with(
        v.wire_for(ProfileSet::Dstu2),
        xml.as_bytes(),
        Some("application/xml+fhir"),
    )
    .unwrap();
    assert_eq!(parsed["name"][0]["family"], json!(["van", "Dyke"]));
}

#[test]
fn dstu2_profile_defects_the_specification_settles_are_warnings_only_for_its_value() {
    // the allergies section's display: the section title the specification and NHS Digital's
    // suite use is a warning; any other display an error
    let mut c = dstu2_composition();
    c["section"][0]["title"] = json!("Allergies and Adverse Reactions");
    c["section"][0]["code"] = json!({"coding": [{"system": "http://fhir.nhs.net/ValueSet/gpconnect-record-section-1", "code": "ALL", "display": "Allergies and Adverse Reactions"}], "text": "Allergies and Adverse Reactions"});
    let issues = dstu2(&c);
    assert!(errors(&issues).is_empty(), "{issues:#?}");
    assert!(
        issues.iter().any(|i| i.severity == Severity::Warning
            && i.location == "Composition.section[0].code.coding[0].display"),
        "{issues:#?}"
    );
    c["section"][0]["code"]["coding"][0]["display"] = json!("Allergies");
    dstu2_error_at(
        &dstu2(&c),
        "Composition.section[0].code.coding[0].display",
        "Value must be exactly",
    );
    // Bundle.type is fixed "searchset " upstream: "searchset" is right, anything else is not
    let bundle = |ty: &str| {
        json!({"resourceType": "Bundle", "meta": {"profile": ["http://fhir.nhs.net/StructureDefinition/gpconnect-searchset-bundle-1"]}, "type": ty,
            "entry": [{"resource": {"resourceType": "Device", "id": "1", "type": {"text": "x"}}}]})
    };
    assert!(errors(&dstu2(&bundle("searchset"))).is_empty());
    dstu2_error_at(&dstu2(&bundle("collection")), "Bundle.type", "searchset");
    // the error codes are those of the Error handling guidance, not the obsolete GPC-00x
    let outcome = |code: &str| {
        json!({"resourceType": "OperationOutcome", "meta": {"profile": ["http://fhir.nhs.net/StructureDefinition/gpconnect-operationoutcome-1"]},
            "issue": [{"severity": "error", "code": "not-found", "details": {"coding": [{"system": "http://fhir.nhs.net/ValueSet/gpconnect-error-or-warning-code-1", "code": code, "display": code}]}}]})
    };
    assert!(errors(&dstu2(&outcome("PATIENT_NOT_FOUND"))).is_empty());
    dstu2_error_at(
        &dstu2(&outcome("GPC-002")),
        "OperationOutcome.issue[0].details",
        "not in value set",
    );
}

#[cfg(feature = "generator")]
#[test]
fn generator_builds_the_dstu2_set_alone_in_the_stu3_shape() {
    let fx = format!(
        "{}/tests/fixtures/fhir/gen-dstu2",
        env!("CARGO_MANIFEST_DIR")
    );
    let sources =
        fhir::generator::Sources::load(std::path::Path::new(&format!("{fx}/sources.toml")))
            .expect("fixture sources");
    let dir = tempfile::tempdir().unwrap();
    let from = vec![std::path::PathBuf::from(format!("{fx}/gpconnect-dstu2"))];
    let report = fhir::generator::build(&from, &sources, dir.path()).expect("build");
    let files: Vec<&str> = report.files.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(files, ["gpc-dstu2.json.gz", "manifest.json"]);
    let manifest = std::fs::read_to_string(dir.path().join("manifest.json")).unwrap();
    assert!(!manifest.contains(&fx), "{manifest}");
    let m: Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(m["dstu2"]["fhirVersion"], "1.0.2");
    assert_eq!(m["dstu2"]["sources"][0]["github"], "example/dstu2-profiles");
    assert_eq!(m["dstu2"]["sources"][1]["folder"], "hl7-dstu2-base");
    let bytes = std::fs::read(dir.path().join("gpc-dstu2.json.gz")).unwrap();
    let set: fhir::model::Dstu2Definitions = fhir::store::decode_gz_json(&bytes).unwrap();
    // `code` is a DSTU2 constraint on string, and still a primitive of its own
    assert!(set.wire.primitive("code").is_some());
    assert!(set.wire.is_resource("Patient"));
    // nameReference: the nested contact has the contact's own structure
    let nested = set
        .wire
        .child("Patient.contact", "contact")
        .expect("nested");
    assert_eq!(nested.ty, "Patient.contact");
    let p = &set.gpc.profiles["http://example.org/StructureDefinition/my-patient-1"];
    assert!(!p.core);
    assert_eq!(p.ty, "Patient");
    // a fixed code with a trailing space is the trimmed code
    let gender = p
        .nodes
        .iter()
        .find(|n| n.id == "Patient.contact.gender")
        .expect("contact gender");
    assert_eq!(gender.fixed, Some(json!("female")));
    // compose.import of a set whose inline code system nests its concepts
    let vs = &set.gpc.valuesets["http://example.org/ValueSet/my-gender-1"];
    assert_eq!(
        vs.contains(Some("http://hl7.org/fhir/administrative-gender"), "unknown"),
        Some(true)
    );
    assert_eq!(
        vs.contains(Some("http://hl7.org/fhir/administrative-gender"), "boy"),
        Some(false)
    );
    // an input folder without provenance is refused
    let mut partial = sources.clone();
    partial.0.remove("hl7-dstu2-base");
    let err = fhir::generator::build(&from, &partial, dir.path()).unwrap_err();
    assert!(
        err.contains("no provenance for input folder hl7-dstu2-base"),
        "{err}"
    );
}

/// A run remembers clean walks of Bundle entries: meeting the same resource again gives the issues a
/// walk gives, in another Bundle where its reference resolves to something else too, and a broken
/// entry is never taken for a remembered clean one.
#[test]
fn remembered_clean_entries_give_the_findings_a_walk_gives() {
    let v = fhir::validator().expect("load");
    let bundle = |extra: Option<Value>, broken: bool| {
        let mut entries = Vec::new();
        for i in 0..10 {
            let mut r = fixture("patient-valid.json");
            if broken && i == 4 {
                r["gender"] = json!("boy");
            }
            entries.push(
                json!({"fullUrl": format!("https://example.org/Patient/{i}"), "resource": r}),
            );
        }
        entries.extend(extra);
        json!({
            "resourceType": "Bundle",
            "meta": {"profile": ["https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Searchset-Bundle-1"]},
            "type": "searchset",
            "entry": entries
        })
    };
    // in this Bundle the Patients' `managingOrganization` (Organization/7) names a Location
    let location = json!({"fullUrl": "Organization/7", "resource": {"resourceType": "Location", "id": "7", "name": "Ward 7"}});
    let cases = [
        bundle(None, false),
        bundle(Some(location.clone()), false),
        bundle(None, true),
        bundle(None, true),
        bundle(None, false),
    ];
    let memo = fhir::CleanResources::new();
    for (n, b) in cases.iter().enumerate() {
        let walked = v.validate(b, None, ProfileSet::Latest);
        let remembered = v.validate_remembering(b, None, ProfileSet::Latest, &memo);
        assert_eq!(remembered, walked, "case {n}");
    }
    assert!(!memo.is_empty(), "clean entries were remembered");
    let with_location = v.validate_remembering(&cases[1], None, ProfileSet::Latest, &memo);
    assert!(
        with_location.iter().any(|i| i.severity == Severity::Error
            && i.location
                == "Bundle.entry[3].resource.ofType(Patient).managingOrganization.reference"
            && i.message.contains("points at a Location")),
        "{with_location:#?}"
    );
    let broken = v.validate_remembering(&cases[2], None, ProfileSet::Latest, &memo);
    let got: Vec<&str> = errors(&broken)
        .iter()
        .map(|i| i.location.as_str())
        .collect();
    assert_eq!(got, ["Bundle.entry[4].resource.ofType(Patient).gender"]);
}

/// A resource answered on its own is remembered too, and a broken one is never taken for it.
#[test]
fn a_remembered_resource_answered_on_its_own_gives_the_findings_a_walk_gives() {
    let v = fhir::validator().expect("load");
    let memo = fhir::CleanResources::new();
    let good = fixture("patient-valid.json");
    let mut bad = good.clone();
    bad["gender"] = json!("boy");
    let profile = Some("https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Patient-1");
    for (n, (p, profile)) in [
        (&good, None),
        (&good, None),
        (&bad, None),
        (&good, profile),
        (&bad, profile),
        (&good, profile),
    ]
    .into_iter()
    .enumerate()
    {
        let walked = v.validate(p, profile, ProfileSet::Latest);
        let remembered = v.validate_remembering(p, profile, ProfileSet::Latest, &memo);
        assert_eq!(remembered, walked, "case {n}");
    }
    assert_eq!(
        memo.len(),
        2,
        "the clean Patient, with and without the expected profile"
    );
    assert!(!errors(&v.validate_remembering(&bad, None, ProfileSet::Latest, &memo)).is_empty());
}
