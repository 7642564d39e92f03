#!/usr/bin/env python3
"""Peer comparison: PyPI fhir.resources (STU3 models) on the same bundles as benches/validation.rs.

Installs the peer at run time into a throw-away venv (never vendored):
    python3 -m venv /tmp/peer && /tmp/peer/bin/pip install 'fhir.resources<8' && \
    /tmp/peer/bin/python benches/peers/fhir_resources_peer.py
"""
import copy, json, os, time

from fhir.resources.STU3.bundle import Bundle  # type: ignore
from fhir.resources.STU3.patient import Patient  # type: ignore

here = os.path.dirname(os.path.abspath(__file__))
patient = json.load(open(os.path.join(here, "..", "..", "tests", "fixtures", "fhir", "patient-valid.json")))

def bundle(n):
    entries = []
    for i in range(n):
        r = copy.deepcopy(patient); r["id"] = f"p{i}"
        entries.append({"fullUrl": f"https://example.org/Patient/p{i}", "resource": r})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}

def bench(name, fn, reps):
    fn()
    t = time.perf_counter()
    for _ in range(reps):
        fn()
    print(f"{name}: {(time.perf_counter() - t) / reps * 1000:.3f} ms")

bench("Patient", lambda: Patient.parse_obj(patient), 200)
for n, reps in ((50, 20), (2000, 3)):
    text = json.dumps(bundle(n))
    bench(f"Bundle {n} entries (JSON parse + model validation)", lambda: Bundle.parse_raw(text), reps)
# deliberate violations the harness catches: does the peer?
for label, mutate in (("gender 'boy'", lambda p: p.__setitem__("gender", "boy")),
                      ("photo (max 0 in profile)", lambda p: p.__setitem__("photo", [{"url": "http://x"}])),
                      ("birthDate 23/11/1977", lambda p: p.__setitem__("birthDate", "23/11/1977"))):
    p = copy.deepcopy(patient); mutate(p)
    try:
        Patient.parse_obj(p); print(f"{label}: NOT caught")
    except Exception:
        print(f"{label}: caught")
