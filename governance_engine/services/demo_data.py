"""The demo alliance as data: who is who, and the shape of a proposal's story.

Twelve fictional member organizations, five bodies and thirty-three people; the stories
themselves are in ``demo_stories``. Times are in days before ``now``, so the demo is always
recent: ``services.demo`` turns them into datetimes when it replays everything.
"""

from __future__ import annotations

from dataclasses import dataclass

DIRECTORY_DAYS_AGO = 245.0
"""When the admin set the alliance up, in days before ``now``; every story starts later."""

TRUST, HARDWARE, MODELS = "wg-trust-validation", "wg-hardware-infrastructure", "wg-open-models"


@dataclass(frozen=True)
class OrganizationSpec:
    key: str
    name: str
    kind: str
    domain: str


@dataclass(frozen=True)
class SeatSpec:
    body: str
    role: str
    voting: bool | None = None  # None: the role's default (observers never vote)


@dataclass(frozen=True)
class PersonSpec:
    key: str
    name: str
    organization: str | None  # an OrganizationSpec key; None for the alliance's own staff
    seats: tuple[SeatSpec, ...] = ()
    is_admin: bool = False
    is_auditor: bool = False


@dataclass(frozen=True)
class BodySpec:
    slug: str
    name: str
    kind: str
    description: str


# -- steps: one act of one person (or of the system, for deadlines), ``days_ago`` before now --


@dataclass(frozen=True)
class File:
    days_ago: float
    by: str
    authors: tuple[str, ...]


@dataclass(frozen=True)
class Revise:
    days_ago: float
    by: str
    note: str
    changes: str  # markdown, added to the text as "Changes in revision N"


@dataclass(frozen=True)
class Act:
    days_ago: float
    by: str
    action: str
    reason: str = ""


@dataclass(frozen=True)
class Open:
    days_ago: float
    by: str


@dataclass(frozen=True)
class Vote:
    days_ago: float
    by: str
    choice: str
    rationale: str = ""
    voter: str | None = None  # someone else's vote, entered by ``by`` as the body's secretary


@dataclass(frozen=True)
class Close:
    days_ago: float
    by: str | None = None  # None: the system, as ``tick`` does once the rule lets it close


@dataclass(frozen=True)
class SeatChange:
    """A person's seat on a body ends and a seat with another role begins."""

    days_ago: float
    person: str
    body: str
    role: str
    reason: str


Step = File | Revise | Act | Open | Vote | Close


@dataclass(frozen=True)
class Story:
    key: str
    kind: str
    sponsor: str
    title: str
    summary: str
    text: str
    steps: tuple[Step, ...]


ORGANIZATIONS = (
    OrganizationSpec("meridian", "Meridian Compute Systems", "company", "meridian-compute.example"),
    OrganizationSpec("quillfeather", "Quillfeather Analytics", "company", "quillfeather.example"),
    OrganizationSpec("baltic", "Baltic Silicon Works", "company", "balticsilicon.example"),
    OrganizationSpec("harborview", "Harborview Robotics", "company", "harborview.example"),
    OrganizationSpec("eastbrook", "University of Eastbrook", "university", "eastbrook.example"),
    OrganizationSpec(
        "northgate", "Northgate Technical University", "university", "northgate.example"
    ),
    OrganizationSpec(
        "iamr", "Institute for Applied Machine Reasoning", "research_institute", "iamr.example"
    ),
    OrganizationSpec(
        "lindqvist", "Lindqvist Research Centre", "research_institute", "lindqvist.example"
    ),
    OrganizationSpec("openweights", "Open Weights Foundation", "non_profit", "openweights.example"),
    OrganizationSpec("civic", "Civic AI Commons", "non_profit", "civicai.example"),
    OrganizationSpec("solenne", "Solenne Health Data Cooperative", "non_profit", "solenne.example"),
    OrganizationSpec(
        "nods", "National Office for Digital Standards", "public_agency", "nods.example"
    ),
)

STAFF_DOMAIN = "alliance.example"

BODIES = (
    BodySpec("board", "Board of Directors", "board", "Ratifies what the TOC signs off."),
    BodySpec(
        "toc",
        "Technical Oversight Committee",
        "toc",
        "Signs off on what the working groups recommend.",
    ),
    BodySpec(TRUST, "Trust & Validation", "working_group", "Evaluation, provenance, red-teaming."),
    BodySpec(
        HARDWARE,
        "Hardware & Infrastructure",
        "working_group",
        "Accelerators, telemetry, data-centre efficiency.",
    ),
    BodySpec(
        MODELS,
        "Open Models & Frameworks",
        "working_group",
        "Open model packaging, licensing, runtimes.",
    ),
)


def _seats(*pairs: tuple[str, str]) -> tuple[SeatSpec, ...]:
    return tuple(SeatSpec(body, role) for body, role in pairs)


PEOPLE = (
    PersonSpec("priya", "Priya Raman", None, is_admin=True),
    PersonSpec("jonas", "Jonas Albrecht", None, is_auditor=True),
    PersonSpec(
        "marguerite",
        "Marguerite Okafor",
        None,
        (SeatSpec("board", "secretary", voting=False), SeatSpec("toc", "secretary", voting=False)),
    ),
    PersonSpec("henrik", "Henrik Solberg", "meridian", _seats(("board", "chair"))),
    PersonSpec("adaeze", "Adaeze Nwosu", "openweights", _seats(("board", "member"))),
    PersonSpec("carlos", "Carlos Ibarra", "baltic", _seats(("board", "member"))),
    PersonSpec("yuki", "Yuki Tanaka", "eastbrook", _seats(("board", "member"))),
    PersonSpec("fatima", "Fatima El-Amin", "nods", _seats(("board", "member"))),
    PersonSpec("rosalind", "Rosalind Kerr", "quillfeather", _seats(("board", "member"))),
    PersonSpec("lena", "Lena Vasquez", "iamr", _seats(("toc", "chair"))),
    PersonSpec("tobias", "Tobias Brandt", "meridian", _seats(("toc", "member"))),
    PersonSpec("amara", "Amara Osei", "civic", _seats(("toc", "member"))),
    PersonSpec("wei", "Wei Zhang", "northgate", _seats(("toc", "member"))),
    PersonSpec("ingrid", "Ingrid Halvorsen", "lindqvist", _seats(("toc", "member"))),
    PersonSpec("sofia", "Sofia Marchetti", "quillfeather", _seats((TRUST, "chair"))),
    PersonSpec("daniel", "Daniel Mensah", "eastbrook", _seats((TRUST, "co_chair"))),
    PersonSpec("hannah", "Hannah Lindgren", "civic", _seats((TRUST, "secretary"))),
    PersonSpec("raj", "Raj Patel", "meridian", _seats((TRUST, "member"))),
    PersonSpec("elif", "Elif Demir", "lindqvist", _seats((TRUST, "member"))),
    PersonSpec("owen", "Owen Gallagher", "nods", _seats((TRUST, "observer"))),
    PersonSpec("kenji", "Kenji Morimoto", "baltic", _seats((HARDWARE, "chair"))),
    PersonSpec("aisha", "Aisha Rahman", "northgate", _seats((HARDWARE, "co_chair"))),
    PersonSpec("lukas", "Lukas Weber", "meridian", _seats((HARDWARE, "secretary"))),
    PersonSpec("nadia", "Nadia Petrova", "iamr", _seats((HARDWARE, "member"))),
    PersonSpec("samuel", "Samuel Adeyemi", "harborview", _seats((HARDWARE, "observer"))),
    PersonSpec("claire", "Claire Dubois", "solenne", _seats((HARDWARE, "observer"))),
    PersonSpec("mateo", "Mateo Rossi", "openweights", _seats((MODELS, "chair"))),
    PersonSpec("grace", "Grace Liu", "eastbrook", _seats((MODELS, "co_chair"))),
    PersonSpec("bjorn", "Björn Eriksson", "lindqvist", _seats((MODELS, "secretary"))),
    PersonSpec("leila", "Leila Haddad", "quillfeather", _seats((MODELS, "member"))),
    PersonSpec("arjun", "Arjun Mehta", "harborview", _seats((MODELS, "member"))),
    PersonSpec("tomasz", "Tomasz Nowak", "civic", _seats((MODELS, "member"))),
    PersonSpec("zoe", "Zoe Papadopoulos", "nods", _seats((MODELS, "observer"))),
)

SEAT_CHANGES = (
    SeatChange(
        150.0,
        "samuel",
        HARDWARE,
        "member",
        "Harborview Robotics became a contributing member of the working group.",
    ),
)

TOKEN_HOLDERS = (
    ("chair", "sofia"),
    ("member", "raj"),
    ("secretary", "marguerite"),
    ("auditor", "jonas"),
    ("admin", "priya"),
)
"""One API token per role, printed by ``governance-engine demo``: (role, person key)."""
