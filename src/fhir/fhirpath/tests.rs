use serde_json::{json, Value};

use super::{check_str, parse, Verdict};

/// `expr` on `focus` (its own resource) gives `want`.
fn verdict(expr: &str, focus: &Value) -> Verdict {
    check_str(expr, focus, focus)
}

fn holds(expr: &str, focus: Value) {
    assert_eq!(verdict(expr, &focus), Verdict::Holds, "{expr} on {focus}");
}

fn fails(expr: &str, focus: Value) {
    assert_eq!(verdict(expr, &focus), Verdict::Fails, "{expr} on {focus}");
}

#[test]
fn period_start_before_end() {
    let per1 = "start.empty() or end.empty() or (start <= end)";
    holds(per1, json!({"start": "2018-01-01", "end": "2018-02-01"}));
    holds(per1, json!({"start": "2018-01-01"}));
    holds(
        per1,
        json!({"start": "2018-01-01T10:00:00+01:00", "end": "2018-01-01T09:30:00Z"}),
    );
    // different precision, same day: not a failure
    holds(
        per1,
        json!({"start": "2018-01-01", "end": "2018-01-01T00:00:00Z"}),
    );
    fails(per1, json!({"start": "2018-02-01", "end": "2018-01-01"}));
    fails(
        per1,
        json!({"start": "2018-01-01T10:00:00Z", "end": "2018-01-01T10:30:00+01:00"}),
    );
}

#[test]
fn bundle_invariants() {
    let bdl1 = "total.empty() or (type = 'searchset') or (type = 'history')";
    holds(bdl1, json!({"type": "searchset", "total": 1}));
    holds(bdl1, json!({"type": "collection"}));
    fails(bdl1, json!({"type": "collection", "total": 1}));
    let bdl2 = "entry.search.empty() or (type = 'searchset')";
    fails(
        bdl2,
        json!({"type": "collection", "entry": [{"search": {"mode": "match"}}]}),
    );
    holds(
        bdl2,
        json!({"type": "searchset", "entry": [{"search": {"mode": "match"}}]}),
    );
    let bdl7 = "entry.where(fullUrl).select(fullUrl&resource.meta.versionId).isDistinct()";
    holds(
        bdl7,
        json!({"entry": [{"fullUrl": "urn:a"}, {"fullUrl": "urn:b"}, {"resource": {}}]}),
    );
    fails(
        bdl7,
        json!({"entry": [{"fullUrl": "urn:a"}, {"fullUrl": "urn:a"}]}),
    );
    let bdl8 = "fullUrl.contains('/_history/').not()";
    holds(bdl8, json!({"fullUrl": "https://x/Patient/1"}));
    fails(bdl8, json!({"fullUrl": "https://x/Patient/1/_history/2"}));
    let bdl5 = "resource.exists() or request.exists() or response.exists()";
    fails(bdl5, json!({"fullUrl": "urn:a"}));
}

#[test]
fn reference_to_contained() {
    let ref1 = "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %resource.contained.id.trace('ids'))";
    let res = json!({"resourceType": "Patient", "contained": [{"resourceType": "Organization", "id": "o1"}]});
    let ok = json!({"reference": "#o1"});
    let bad = json!({"reference": "#o2"});
    assert_eq!(check_str(ref1, &ok, &res), Verdict::Holds);
    assert_eq!(check_str(ref1, &bad, &res), Verdict::Fails);
    assert_eq!(
        check_str(ref1, &json!({"reference": "Organization/1"}), &res),
        Verdict::Holds
    );
    // display only: nothing to check
    assert_eq!(
        check_str(ref1, &json!({"display": "x"}), &res),
        Verdict::Holds
    );
}

#[test]
fn choice_types_and_as() {
    let con4 = "abatement.empty() or (abatement as boolean).not()  or clinicalStatus='resolved' or clinicalStatus='remission' or clinicalStatus='inactive'";
    holds(con4, json!({"clinicalStatus": "active"}));
    holds(
        con4,
        json!({"clinicalStatus": "active", "abatementBoolean": false}),
    );
    holds(
        con4,
        json!({"clinicalStatus": "resolved", "abatementDateTime": "2018"}),
    );
    fails(
        con4,
        json!({"clinicalStatus": "active", "abatementBoolean": true}),
    );
    let ras2 = "probability is decimal implies probability.as(decimal) <= 100";
    holds(ras2, json!({"probabilityDecimal": 50}));
    holds(
        ras2,
        json!({"probabilityCodeableConcept": {"text": "high"}}),
    );
    fails(ras2, json!({"probabilityDecimal": 150.5}));
    let obs6 = "dataAbsentReason.empty() or value.empty()";
    fails(
        obs6,
        json!({"dataAbsentReason": {"text": "x"}, "valueQuantity": {"value": 1}}),
    );
    holds(obs6, json!({"valueString": "x"}));
}

#[test]
fn resolve_by_type() {
    let rfr1 = "(agent.resolve() is Device) or (agent.resolve() is Practitioner) or onBehalfOf.exists().not()";
    holds(
        rfr1,
        json!({"agent": {"reference": "Practitioner/1"}, "onBehalfOf": {"reference": "Organization/1"}}),
    );
    fails(
        rfr1,
        json!({"agent": {"reference": "Organization/2"}, "onBehalfOf": {"reference": "Organization/1"}}),
    );
    holds(rfr1, json!({"agent": {"reference": "Organization/2"}}));
}

#[test]
fn appointment_and_coded_invariants() {
    let app3 = "(start.exists() and end.exists()) or (status in ('proposed' | 'cancelled'))";
    holds(app3, json!({"status": "proposed"}));
    holds(
        app3,
        json!({"status": "booked", "start": "2018-01-01T10:00:00Z", "end": "2018-01-01T10:10:00Z"}),
    );
    fails(app3, json!({"status": "booked"}));
    let app2 = "start.empty() xor end.exists()";
    fails(app2, json!({"start": "2018-01-01T10:00:00Z"}));
    let cpt2 = "value.empty() or system.exists()";
    fails(cpt2, json!({"value": "01234"}));
    holds(cpt2, json!({"system": "phone", "value": "01234"}));
    let qty3 = "code.empty() or system.exists()";
    fails(qty3, json!({"value": 1, "code": "mg"}));
    let dis1 = "(code or value.empty()) and (system.empty() or system = %ucum)";
    holds(
        dis1,
        json!({"value": 1, "code": "km", "system": "http://unitsofmeasure.org"}),
    );
    fails(dis1, json!({"value": 1}));
    let cnt3 = "(code or value.empty()) and (system.empty() or system = %ucum) and (code.empty() or code = '1') and (value.empty() or value.toString().contains('.').not())";
    holds(
        cnt3,
        json!({"value": 2, "code": "1", "system": "http://unitsofmeasure.org"}),
    );
    fails(
        cnt3,
        json!({"value": 2.5, "code": "1", "system": "http://unitsofmeasure.org"}),
    );
    let tim5 = "period.exists() implies period >= 0";
    fails(tim5, json!({"period": -1}));
    holds(tim5, json!({"period": 2}));
    let org3 = "where(use = 'home').empty()";
    fails(org3, json!({"use": "home", "value": "x"}));
    holds(org3, json!({"use": "work", "value": "x"}));
}

#[test]
fn empty_results_fail_and_quantities_compare() {
    // an empty result is a failure (the code is missing where a value is given)
    fails("code.exists() and value.empty() or {}", json!({}));
    let rng2 = "low.empty() or high.empty() or (low <= high)";
    holds(
        rng2,
        json!({"low": {"value": 1, "code": "mg"}, "high": {"value": 5, "code": "mg"}}),
    );
    fails(
        rng2,
        json!({"low": {"value": 9, "code": "mg"}, "high": {"value": 5, "code": "mg"}}),
    );
    assert!(matches!(
        verdict(
            rng2,
            &json!({"low": {"value": 1, "code": "g"}, "high": {"value": 5, "code": "mg"}})
        ),
        Verdict::NotEvaluable(_)
    ));
    // a value and no component: the value's code differs from no code at all
    let obs7 = "value.empty() or code!=component.code";
    holds(
        obs7,
        json!({"code": {"text": "Weight"}, "valueQuantity": {"value": 70}}),
    );
    fails(
        obs7,
        json!({"code": {"text": "BP"}, "valueQuantity": {"value": 1}, "component": [{"code": {"text": "BP"}}]}),
    );
}

#[test]
fn descendants_and_distinct() {
    let que2 = "descendants().linkId.isDistinct()";
    holds(
        que2,
        json!({"item": [{"linkId": "1", "item": [{"linkId": "1.1"}]}, {"linkId": "2"}]}),
    );
    fails(
        que2,
        json!({"item": [{"linkId": "1", "item": [{"linkId": "1"}]}]}),
    );
    let eld13 = "type.select(code&profile&targetProfile).isDistinct()";
    holds(eld13, json!({"type": [{"code": "a"}, {"code": "b"}]}));
    fails(eld13, json!({"type": [{"code": "a"}, {"code": "a"}]}));
    // many plain strings (sorted, not compared pairwise): one repeat anywhere fails
    let many: Vec<Value> = (0..500)
        .map(|i| json!({"fullUrl": format!("https://example.org/Patient/p{i}")}))
        .collect();
    let bdl7 = "entry.where(fullUrl).select(fullUrl&resource.meta.versionId).isDistinct()";
    let mut repeated = many.clone();
    holds(bdl7, json!({ "entry": many }));
    repeated.push(json!({"fullUrl": "https://example.org/Patient/p250"}));
    fails(bdl7, json!({ "entry": repeated }));
    // date-like strings are equal as moments of time: the same instant written twice repeats
    holds(
        que2,
        json!({"item": [{"linkId": "2020-01-01T10:00:00Z"}, {"linkId": "2020-01-01T10:30:00Z"}, {"linkId": "x"}]}),
    );
    fails(
        que2,
        json!({"item": [{"linkId": "2020-01-01T10:00:00+00:00"}, {"linkId": "x"}, {"linkId": "2020-01-01T11:00:00+01:00"}]}),
    );
    let all = "element.all(id.exists())";
    fails(all, json!({"element": [{"id": "a"}, {"path": "b"}]}));
    let m = "sliceName.empty() or sliceName.matches('^[a-zA-Z0-9\\\\/\\\\-\\\\_]+$')";
    holds(m, json!({"sliceName": "nhsNumber"}));
    fails(m, json!({"sliceName": "nhs number"}));
}

#[test]
fn primitive_extensions_exist_without_value() {
    // `_birthDate` alone: birthDate exists but has no value
    holds(
        "birthDate.exists()",
        json!({"_birthDate": {"extension": []}}),
    );
    fails(
        "birthDate.hasValue()",
        json!({"_birthDate": {"extension": []}}),
    );
    holds("birthDate.hasValue()", json!({"birthDate": "2000-01-01"}));
}

#[test]
fn arithmetic_and_precedence() {
    holds("1 + 2 * 3 = 7", json!({}));
    holds("(1 + 2) * 3 = 9", json!({}));
    holds("7 div 2 = 3 and 7 mod 2 = 1", json!({}));
    holds("'a' + 'b' = 'ab'", json!({}));
    holds("-1 < 0", json!({}));
    fails("true implies false", json!({}));
    holds("false implies false", json!({}));
    holds("{}.empty()", json!({}));
    holds(
        "name[1].family = 'B'",
        json!({"name": [{"family": "A"}, {"family": "B"}]}),
    );
    holds(
        "Patient.name.exists()",
        json!({"resourceType": "Patient", "name": [{"family": "A"}]}),
    );
}

#[test]
fn outside_the_subset_is_not_evaluable() {
    assert!(matches!(
        verdict("htmlchecks()", &json!({"div": "<div/>"})),
        Verdict::NotEvaluable(_)
    ));
    assert!(matches!(
        verdict("name.family.aggregate($this)", &json!({})),
        Verdict::NotEvaluable(_)
    ));
    assert!(matches!(
        verdict("%someVariable.exists()", &json!({})),
        Verdict::NotEvaluable(_)
    ));
    assert!(parse("name.(").is_err());
    assert!(parse("'unterminated").is_err());
}

#[test]
fn every_invariant_of_the_definitions_compiles_but_the_narrative_checks() {
    use std::collections::BTreeSet;
    let v = crate::fhir::validator().expect("embedded schemas load");
    let mut refused: BTreeSet<String> = BTreeSet::new();
    let mut total = 0;
    for set in [
        crate::fhir::ProfileSet::V1_2,
        crate::fhir::ProfileSet::Latest,
    ] {
        let profiles = v.set(set).profiles.values().chain(v.base.profiles.values());
        for p in profiles {
            for n in &p.nodes {
                for k in &n.constraints {
                    let Some(e) = &k.expression else { continue };
                    total += 1;
                    if let Err(u) = super::compile(e) {
                        refused.insert(format!("{}: {u}", k.key));
                    }
                }
            }
        }
    }
    assert!(total > 1000, "{total}");
    let keys: BTreeSet<&str> = refused
        .iter()
        .map(|r| r.split(':').next().unwrap_or(""))
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from(["txt-1", "txt-2"]),
        "refused: {refused:#?}"
    );
}
