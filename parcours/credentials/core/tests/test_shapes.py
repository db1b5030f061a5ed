"""Canonicalisation by shape template (shapes.py) gives exactly the full path's output.

Every test compares :func:`canonicalize` (templates) with :func:`canonicalize_full`
(expansion + RDF + RDFC-1.0 every time), on documents of a shape whose template is already
compiled, with the strings replaced by hostile values: colons, ``//``, blank-node and
keyword look-alikes, spaces and newlines, quotes, values equal to other values."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcours.credentials.core import CanonicalizationError, did_key_verification_method, sign
from parcours.credentials.core.canonical import canonicalize, canonicalize_full
from parcours.credentials.core.contexts import (
    BUNDLED_CONTEXTS,
    EXAMPLE_CONTEXTS,
    ContextLoader,
)
from parcours.credentials.core.proof import verify
from parcours.credentials.core.shapes import ShapeCache, _rebuild, skeleton

VECTORS = Path(__file__).parent / "vectors"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


OB3_TYPICAL = load(VECTORS / "ob3-typical-credential.json")
OB3_SAMPLE = load(VECTORS / "ob3-sample-openbadgecredential.json")
W3C_UNSIGNED = load(VECTORS / "eddsa-rdfc-2022" / "unsigned-credential.json")

# What the platform issues (documents.build_credential), evidence and status included.
ISSUED: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "urn:uuid:9e4d52ff-cae5-4711-994c-17503db4aaa2",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "name": "Référent IA",
    "description": "Référent pour l'intelligence artificielle à l'école.",
    "issuer": {
        "id": "did:web:parcours.example:badges:issuers:technofutur-tic",
        "type": ["Profile"],
        "name": "Technofutur TIC",
    },
    "validFrom": "2026-03-10T19:03:52Z",
    "validUntil": "2029-03-10T19:03:52Z",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": "sha256$12fd676884edc45a72510201c86d137561ee25644eddd05df05a4341",
                "identityType": "emailAddress",
                "hashed": True,
                "salt": "8463aa3821370e14",
            }
        ],
        "achievement": {
            "id": "https://parcours.example/badges/achievements/dc748d40/",
            "type": ["Achievement"],
            "achievementType": "Badge",
            "name": "Référent IA",
            "description": "Référent pour l'IA à l'école.",
            "criteria": {"narrative": "M1A ou M1B, deux modules au choix et la clôture."},
            "image": {
                "id": "https://parcours.example/badges/achievements/dc748d40/image.png",
                "type": "Image",
                "caption": "Référent IA",
            },
            "inLanguage": "fr",
            "alignment": [
                {
                    "type": ["Alignment"],
                    "targetName": "3.1 Enseignement",
                    "targetUrl": "https://joint-research-centre.ec.europa.eu/digcompedu_en#3.1",
                    "targetCode": "3.1",
                    "targetFramework": "DigCompEdu",
                    "targetType": "ceasn:Competency",
                }
            ],
        },
    },
    "evidence": [
        {
            "type": ["Evidence"],
            "id": f"https://parcours.example/catalogue/technofutur-tic/{code}/",
            "name": f"{code} — Module {code}",
            "description": "Module terminé le 10/03/2026 (12 h).",
            "genre": "Module de formation",
        }
        for code in ("M1A", "O3", "O6", "CLOT")
    ],
    "credentialStatus": {
        "id": "https://parcours.example/badges/issuers/technofutur-tic/status/1#98655",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "98655",
        "statusListCredential": "https://parcours.example/badges/issuers/technofutur-tic/status/1",
    },
}

PROOF_CONFIG: dict[str, Any] = {
    "@context": ISSUED["@context"],
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-rdfc-2022",
    "created": "2026-03-10T19:03:52Z",
    "verificationMethod": "did:web:parcours.example:badges:issuers:technofutur-tic#key-1",
    "proofPurpose": "assertionMethod",
}

# Inline contexts exercising what PyLD treats by value: compact IRIs, @vocab-typed terms,
# xsd:double (whose strings PyLD rewrites), @id-typed terms, language maps, @json.
TRICKY: dict[str, Any] = {
    "@context": {
        "@version": 1.1,
        "ex": "https://ex.example/vocab#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "id": "@id",
        "type": "@type",
        "Thing": "ex:Thing",
        "Other": "ex:Other",
        "name": "ex:name",
        "kind": {"@id": "ex:kind", "@type": "@vocab"},
        "score": {"@id": "ex:score", "@type": "xsd:double"},
        "link": {"@id": "ex:link", "@type": "@id"},
        "label": {"@id": "ex:label", "@container": "@language"},
        "note": {"@id": "ex:note", "@language": "fr"},
        "data": {"@id": "ex:data", "@type": "@json"},
        "part": {"@id": "ex:part"},
        "tag": {"@id": "ex:tag"},
    },
    "id": "ex:root",
    "type": "Thing",
    "name": "Root",
    "kind": "Thing",
    "score": "1.50",
    "link": "https://ex.example/a",
    "label": {"fr": "Racine", "en": "Root"},
    "note": "une note",
    "data": {"k": "v"},
    "tag": ["x", "y"],
    "part": [
        {"id": "https://ex.example/p1", "type": "Other", "name": "P1", "link": "ex:x"},
        {"type": "Other", "name": "P2", "link": "https://ex.example/b"},
    ],
}

BUNDLED_AND_EXAMPLES = {**BUNDLED_CONTEXTS, **EXAMPLE_CONTEXTS}

# Strings that stress IRI expansion and N-Quads escaping.
PIECES = [
    "a",
    "Z9",
    ":",
    "//",
    "/",
    "_:",
    "_:b0",
    "@",
    "@id",
    "@type",
    "#",
    " ",
    "\n",
    "\t",
    '"',
    "\\",
    "é",
    "ex:",
    "ex:x",
    "urn:",
    "did:web:",
    "https://",
    "http://",
    "Thing",
    "1.5",
    "1e3",
    "2026-03-10T19",
    "%3A",
]
HOSTILE = st.lists(st.sampled_from(PIECES), max_size=5).map("".join)


def _fresh_loader() -> ContextLoader:
    return ContextLoader(BUNDLED_AND_EXAMPLES)


def _stats(loader: ContextLoader) -> ShapeCache:
    assert loader.shapes is not None
    return loader.shapes


def _warm(loader: ContextLoader, document: dict[str, Any]) -> None:
    """Compile the document's template (shapes are compiled on their second sighting)."""
    for _ in range(2):
        assert canonicalize(document, loader=loader) == canonicalize_full(document, loader=loader)


def _outcome(function: Any, document: dict[str, Any], loader: ContextLoader) -> tuple[str, str]:
    try:
        return "ok", function(document, loader=loader)
    except CanonicalizationError as error:
        return "refused", type(error).__name__


@st.composite
def variants(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with each string kept, replaced by a hostile one, by a same-prefix IRI,
    or by a copy of another of its strings."""
    _shape, strings = skeleton(base)
    values: list[str] = []
    for value in strings:
        choice = draw(st.integers(0, 5))
        if choice == 0 or value.startswith("https://www.w3.org/"):
            values.append(value)
        elif choice == 1:
            values.append(draw(HOSTILE))
        elif choice == 2:
            prefix = value.split(":", 1)[0] if ":" in value else "urn"
            values.append(f"{prefix}:{draw(HOSTILE)}")
        elif choice == 3:
            values.append(draw(st.sampled_from(strings)))
        else:
            values.append(value + draw(st.text(max_size=6)))
    variant: dict[str, Any] = _rebuild(base, values, [0])
    return variant


LOADER = _fresh_loader()
BASES = {
    "issued": ISSUED,
    "proof-config": PROOF_CONFIG,
    "ob3-typical": OB3_TYPICAL,
    "ob3-sample": OB3_SAMPLE,
    "w3c-examples": W3C_UNSIGNED,
    "tricky": TRICKY,
}


@pytest.mark.parametrize("name", list(BASES))
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_template_equals_full_canonicalisation(name: str, data: st.DataObject) -> None:
    base = BASES[name]
    _warm(LOADER, base)
    document = data.draw(variants(base))
    fast = _outcome(canonicalize, document, LOADER)
    assert fast == _outcome(canonicalize_full, document, LOADER)
    # Twice: a template compiled from this very document must agree too.
    assert _outcome(canonicalize, document, LOADER) == fast


@pytest.mark.parametrize("name", [name for name in BASES if name != "ob3-typical"])
def test_every_shape_is_served_by_its_template(name: str) -> None:
    loader = _fresh_loader()
    _warm(loader, BASES[name])
    _shape, strings = skeleton(BASES[name])
    renamed = _rebuild(BASES[name], [s.replace("e", "ê") if " " in s else s for s in strings], [0])
    assert canonicalize(renamed, loader=loader) == canonicalize_full(renamed, loader=loader)
    assert _stats(loader).hits == 1


def test_reused_node_ids_take_the_full_path() -> None:
    # OB 3.0's own example names the issuer again as the achievement's creator: nodes
    # merge, so the template (which had distinct placeholders there) is not used.
    loader = _fresh_loader()
    _warm(loader, OB3_TYPICAL)
    assert canonicalize(OB3_TYPICAL, loader=loader) == canonicalize_full(OB3_TYPICAL, loader=loader)
    assert _stats(loader).hits == 0


def _same_shape(index: int) -> dict[str, Any]:
    document = copy.deepcopy(ISSUED)
    document["id"] = f"urn:uuid:00000000-0000-4000-8000-{index:012d}"
    document["validFrom"] = f"2026-03-{1 + index % 28:02d}T0{index % 10}:00:00Z"
    subject = document["credentialSubject"]
    subject["identifier"][0]["identityHash"] = f"sha256${index:064x}"
    subject["identifier"][0]["salt"] = f"{index:016x}"
    for item, module in zip(document["evidence"], ("A", "B", "C", f"D{index}"), strict=True):
        item["name"] = f"Module {module} « {index} »"
        item["id"] = f"https://parcours.example/catalogue/{module}/{index}"
    status = document["credentialStatus"]
    status["statusListIndex"] = str(index)
    status["id"] = f"{status['statusListCredential']}#{index}"
    return document


def test_issued_credentials_use_the_template() -> None:
    loader = _fresh_loader()
    documents = [_same_shape(index) for index in range(40)]
    for document in documents:
        assert canonicalize(document, loader=loader) == canonicalize_full(document, loader=loader)
    # Compiled on the second document; every later one is served by the template.
    assert _stats(loader).misses == 1
    assert _stats(loader).hits == len(documents) - 2


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("kind",), "Other"),  # @vocab-typed: a term
        (("kind",), "ex:Other"),  # …or a compact IRI
        (("score",), "2.5E0"),  # xsd:double strings are rewritten
        (("score",), "not a number"),
        (("link",), "ex:elsewhere"),  # compact IRI in an @id-typed term
        (("link",), "https://ex.example/ex:x"),
        (("id",), "ex:other-root"),
        (("id",), "https://ex.example/p1"),  # the id of another node: nodes merge
        (("part", 0, "id"), "https://ex.example/a"),  # equal to an object IRI
        (("part", 0, "id"), "_:b1"),  # a blank node
        (("part", 0, "id"), "relative/iri"),  # refused
        (("part", 0, "id"), "https://ex.example/with space"),  # refused
        (("part", 1, "name"), "P1"),  # literal equal to its sibling's
        (("tag", 1), "x"),  # two equal values of one property: one statement
        (("type",), "Other"),
        (("label", "fr"), "Root"),
        (("note",), 'quote " backslash \\ newline \n tab \t'),
        (("data", "k"), "w"),
    ],
)
def test_values_expansion_treats_specially(path: tuple[str | int, ...], value: str) -> None:
    loader = _fresh_loader()
    _warm(loader, TRICKY)
    document = copy.deepcopy(TRICKY)
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert _outcome(canonicalize, document, loader) == _outcome(canonicalize_full, document, loader)


def test_blank_nodes_with_equal_first_degree_hashes_fall_back() -> None:
    # Two evidence items identical but for nothing: RDFC's N-degree step is needed.
    loader = _fresh_loader()
    document = copy.deepcopy(ISSUED)
    for item in document["evidence"]:
        item.pop("id")
    _warm(loader, document)
    twins = copy.deepcopy(document)
    twins["evidence"][1] = copy.deepcopy(twins["evidence"][0])
    assert canonicalize(twins, loader=loader) == canonicalize_full(twins, loader=loader)


def test_signatures_made_by_template_verify_and_detect_tampering() -> None:
    loader = _fresh_loader()
    key = Ed25519PrivateKey.generate()
    method = did_key_verification_method(key.public_key())
    keys = {method: key.public_key()}.get
    signed = [
        sign(_same_shape(i), key, method, "2026-03-10T19:03:52Z", loader=loader) for i in range(6)
    ]
    assert _stats(loader).hits > 0
    for document in signed:
        assert verify(document, keys, loader=loader).valid
        # The same verdict from a loader that never used a template.
        assert verify(document, keys, loader=ContextLoader(BUNDLED_CONTEXTS)).valid
    tampered = copy.deepcopy(signed[3])
    tampered["credentialSubject"]["identifier"][0]["salt"] = "0000000000000000"
    assert verify(tampered, keys, loader=loader).reason == "bad_signature"
    swapped = copy.deepcopy(signed[3])
    swapped["evidence"][0]["id"], swapped["evidence"][1]["id"] = (
        swapped["evidence"][1]["id"],
        swapped["evidence"][0]["id"],
    )
    assert verify(swapped, keys, loader=loader).reason == "bad_signature"
    retyped = copy.deepcopy(signed[3])
    retyped["credentialSubject"]["achievement"]["type"] = ["Achievement", "Profile"]
    assert verify(retyped, keys, loader=loader).reason == "bad_signature"
    # A repeated type is the same RDF statement: the same canonical form, still valid.
    repeated = copy.deepcopy(signed[3])
    repeated["credentialSubject"]["achievement"]["type"] = ["Achievement", "Achievement"]
    assert verify(repeated, keys, loader=loader).valid
