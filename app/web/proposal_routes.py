"""Förslag till nästa år: next year's taxa proposed within the 7 % rule.

`Förhandsgranska` is a GET form (a dry run stores nothing, so the preview has its own address
and its item table sorts by links); `Spara som utkast` POSTs the same fields. Both call the
API's own route function (``POST /v1/schedules/{id}/proposals``) with the logged-in key, so the
figures, the checks, the role and the owner check are the API's: a preview needs ``report``,
storing needs ``write`` for the taxa's owner.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from threading import Lock
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from app.deps import snapshot
from app.errors import AppError
from app.proposals.routes import create_proposal
from app.proposals.schemas import ProposalIn, ProposalOut
from app.reference.routes import list_lists
from app.reference.schemas import ReferenceListOut
from app.report import text as report_text
from app.taxa.routes import list_schedules
from app.taxa.schemas import ScheduleOut
from app.volumes.routes import list_volumes
from app.volumes.schemas import VolumeSetOut
from app.web.analysis_routes import cached_example_volumes
from app.web.forms import FieldErrors, Fields, form_page, posted_form
from app.web.render import redirect
from app.web.routes import limits_of, sorted_by
from app.web.session import WebUser, web_user
from pricing.deviation import DEFAULT_LIMIT_PERCENT
from pricing.taxa import Variant

router = APIRouter(prefix="/ui", include_in_schema=False)

EXAMPLE = "exempel"
MODES = ("uniform", "follow_reference")
ITEM_SORTS = (
    "code",
    "text",
    "old_price",
    "new_price",
    "change_percent",
    "old_reference",
    "new_reference",
    "rule",
)
# The API's field names (ProposalIn, policy) → this form's fields.
FORM_FIELDS = {
    "reference_list_id": "lista",
    "volumes_id": "volymer",
    "volumes": "volymer",
    "valid_from": "valid_from",
    "limit_percent": "grans",
    "policy.mode": "mode",
    "policy.percent": "percent",
    "policy.target_percent": "target_percent",
    "policy.rounding_kr": "rounding_kr",
    "policy.max_rise_percent": "max_rise_percent",
    "policy.keep_at_or_below_reference": "keep_at_or_below_reference",
    "policy.intern_percent": "intern_percent",
    "schedule_id": "taxa",
}
# The form's fields in the order the save form carries them on.
CARRIED = (
    "taxa",
    "lista",
    "volymer",
    "valid_from",
    "grans",
    "mode",
    "percent",
    "target_percent",
    "rounding_kr",
    "max_rise_percent",
    "keep_at_or_below_reference",
    "intern_percent",
)
HUNDRED = Decimal(100)


@dataclass
class Choices:
    schedules: list[ScheduleOut]
    lists: list[ReferenceListOut]
    sets: list[VolumeSetOut]


def _choices(request: Request, user: WebUser) -> Choices:
    schedules = list_schedules(
        request, owner=None, variant=Variant.NORMAL, status=None, _key=user.key
    )
    return Choices(
        schedules, list_lists(request, _key=user.key), list_volumes(request, _key=user.key)
    )


def _defaults(choices: Choices) -> dict[str, str]:
    """A first look: the newest active normal taxa, the first list after it, the newest
    volumes (else the example ones), from the list's first day, 5 kr, solved to the limit."""
    active = [s for s in choices.schedules if s.status == "active"]
    base = max(active or choices.schedules, key=lambda s: s.valid_from, default=None)
    later = [r for r in choices.lists if base is None or r.valid_from > base.valid_from]
    chosen = min(later, key=lambda r: r.valid_from, default=None)
    values = {
        "mode": "uniform",
        "rounding_kr": "5",
        "grans": str(DEFAULT_LIMIT_PERCENT),
        "volymer": str(choices.sets[0].id) if choices.sets else EXAMPLE,
    }
    if base is not None:
        values["taxa"] = str(base.id)
    if chosen is not None and chosen.id is not None:
        values.update(lista=str(chosen.id), valid_from=chosen.valid_from.isoformat())
    return values


@dataclass
class ProposalForm:
    """The form as read: the API's request body, or the errors that keep it from being one."""

    fields: FieldErrors
    schedule_id: int | None = None
    body: dict[str, Any] = field(default_factory=dict)


def _read(form: Fields, choices: Choices) -> ProposalForm:
    fields = FieldErrors()
    proposal = ProposalForm(fields)
    proposal.schedule_id = fields.integer_choice(
        form, "taxa", "Taxa", {s.id for s in choices.schedules}
    )
    list_id = fields.integer_choice(
        form, "lista", "Referensprislista", {r.id for r in choices.lists if r.id is not None}
    )
    volumes = fields.choice(
        form, "volymer", "Volymer", (EXAMPLE, *(str(v.id) for v in choices.sets))
    )
    valid_from: date | None = fields.day(form, "valid_from", "Gäller från")
    limit = fields.number(form, "grans", "Gräns", low=Decimal(0), high=HUNDRED)
    mode = fields.choice(form, "mode", "Läge", MODES) if form.get("mode") else MODES[0]
    policy: dict[str, Any] = {"mode": mode}
    for name, label, low, high in (
        ("percent", "Procent", -HUNDRED, Decimal(1000)),
        ("target_percent", "Mål i procent", -HUNDRED, HUNDRED),
        ("rounding_kr", "Avrundning", Decimal("0.01"), Decimal(1000)),
        ("max_rise_percent", "Största höjning", Decimal(0), Decimal(1000)),
        ("intern_percent", "Procent för interna koder", -HUNDRED, Decimal(1000)),
    ):
        value = fields.number(form, name, label, low=low, high=high)
        if value is not None:
            policy[name] = format(value, "f")
    if form.get("keep_at_or_below_reference") == "ja":
        fields.values["keep_at_or_below_reference"] = "ja"
        policy["keep_at_or_below_reference"] = True
    proposal.body = {
        "reference_list_id": list_id,
        "valid_from": valid_from,
        "policy": policy,
        "limit_percent": DEFAULT_LIMIT_PERCENT if limit is None else limit,
    }
    if volumes == EXAMPLE:
        proposal.body["volumes"] = None  # filled in by _run: the example file is read once
    elif volumes:
        proposal.body["volumes_id"] = int(volumes)
    return proposal


@dataclass
class Outcome:
    out: ProposalOut | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)  # the proposed taxa's rows
    nearest: dict[str, str] = field(default_factory=dict)  # figures a limit cannot meet


# Previews by (schedule, request body, snapshot version): sorting the item table asks again.
# Every input of a dry run is stored data that never changes (items, lists, volume sets) or moves
# the snapshot version when it does (an activation changes the taxa in force the diff compares
# with; a list import, the list before): a cached preview is the one a new run would give.
_PREVIEWS: OrderedDict[tuple[object, ...], ProposalOut] = OrderedDict()
_PREVIEWS_SIZE = 8
_PREVIEWS_LOCK = Lock()


def _preview(request: Request, user: WebUser, proposal: ProposalForm) -> Outcome:
    key = (
        id(request.app),
        proposal.schedule_id,
        repr(sorted(proposal.body.items())),
        snapshot(request).version,
    )
    with _PREVIEWS_LOCK:
        if key in _PREVIEWS:
            _PREVIEWS.move_to_end(key)
            return Outcome(_PREVIEWS[key])
    outcome = _run(request, user, proposal, dry_run=True)
    if outcome.out is not None:
        with _PREVIEWS_LOCK:
            _PREVIEWS[key] = outcome.out
            while len(_PREVIEWS) > _PREVIEWS_SIZE:
                _PREVIEWS.popitem(last=False)
    return outcome


def _run(request: Request, user: WebUser, proposal: ProposalForm, dry_run: bool) -> Outcome:
    """POST /v1/schedules/{id}/proposals's own function; an error lands on the form."""
    body = dict(proposal.body, dry_run=dry_run)
    if "volumes" in body:
        body["volumes"] = cached_example_volumes(limits_of(request))[0]
    assert proposal.schedule_id is not None
    try:
        answer = create_proposal(
            proposal.schedule_id, ProposalIn.model_validate(body), request, key=user.key
        )
    except ValidationError as exc:
        for error in exc.errors():
            name = FORM_FIELDS.get(".".join(str(p) for p in error.get("loc", ())))
            proposal.fields.errors.setdefault(name or "taxa", "Ogiltigt värde.")
        return Outcome()
    except AppError as exc:
        outcome = Outcome()
        outcome.nearest = {
            str(p["field"]).removeprefix("nearest."): str(p.get("value"))
            for p in exc.problems
            if str(p.get("field", "")).startswith("nearest.")
        }
        exc.problems = [
            p for p in exc.problems if not str(p.get("field", "")).startswith("nearest.")
        ]
        outcome.problems = proposal.fields.place(exc, FORM_FIELDS)
        return outcome
    return Outcome(ProposalOut.model_validate_json(bytes(answer.body)))


def _page(
    request: Request,
    choices: Choices,
    proposal: ProposalForm,
    outcome: Outcome,
    sort: str,
    dir: str,
) -> Response:
    fields = proposal.fields
    out = outcome.out
    items = [] if out is None else sorted_by(list(out.items), sort, dir, ITEM_SORTS)
    keep = {k: fields.values[k] for k in CARRIED if fields.values.get(k)}
    return form_page(
        request,
        "proposal.html.j2",
        "Förslag till nästa år",
        fields,
        choices=choices,
        out=out,
        items=items,
        problems=outcome.problems,
        nearest=outcome.nearest,
        example=fields.values.get("volymer") == EXAMPLE,
        carried=CARRIED,
        keep=keep,
        sort=sort,
        dir=dir,
        t=report_text,
    )


@router.get("/forslag")
def proposal_page(
    request: Request, sort: str = "", dir: str = "asc", user: WebUser = Depends(web_user("report"))
) -> Response:
    """The form; with ``taxa`` given, the preview (the API's dry run)."""
    choices = _choices(request, user)
    query = request.query_params
    if "taxa" not in query:
        first = ProposalForm(FieldErrors(values=_defaults(choices)))
        return _page(request, choices, first, Outcome(), sort, dir)
    proposal = _read(query, choices)
    if proposal.fields:
        return _page(request, choices, proposal, Outcome(), sort, dir)
    return _page(request, choices, proposal, _preview(request, user, proposal), sort, dir)


@router.post("/forslag/spara")
def save_proposal(
    request: Request,
    user: WebUser = Depends(web_user("write")),
    form: FormData = Depends(posted_form),
) -> Response:
    """`Spara som utkast`: the normal and the jour DRAFT, as the API stores them."""
    choices = _choices(request, user)
    proposal = _read(form, choices)
    if proposal.fields:
        return _page(request, choices, proposal, Outcome(), "", "asc")
    outcome = _run(request, user, proposal, dry_run=False)
    if outcome.out is None or outcome.out.stored is None:
        return _page(request, choices, proposal, outcome, "", "asc")
    jour = outcome.out.jour
    jour_id = None if jour is None or jour.schedule is None else jour.schedule.id
    return redirect(
        request,
        f"/ui/taxor/{outcome.out.stored.id}?sparad=forslag"
        + ("" if jour_id is None else f"&jour={jour_id}"),
    )
