"""Pages of the games, the interest quiz and class mode (thin: the actions do the work)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from parcours.accounts import throttle
from parcours.accounts.models import STAFF_ROLES, Organisation
from parcours.lib.http import AuthedRequest, is_htmx
from parcours.lib.ids import parse_id
from parcours.lib.urls import absolute_url
from parcours.orientation import class_actions as actions
from parcours.orientation import codes, games, kit
from parcours.orientation.class_forms import (
    GameItemForm,
    JoinForm,
    KitForm,
    OpenVisitForm,
    QuizStatementForm,
)
from parcours.orientation.class_models import (
    ClassVisit,
    GameItem,
    Pupil,
    QuizResult,
    QuizStatement,
)
from parcours.orientation.class_queries import live_summary, visits_for
from parcours.orientation.models import JobSheet, World

SESSION_KEY = "orientation_pupils"
MAX_BODY = 256 * 1024
SERVICE_WORKER = Path(settings.BASE_DIR) / "static" / "js" / "orientation-sw.js"


def _organisation(slug: str) -> Organisation:
    return get_object_or_404(Organisation, slug=slug[:100])


def _published_world(organisation: Organisation, slug: str) -> World:
    return get_object_or_404(World, organisation=organisation, slug=slug[:60], is_published=True)


# --- Service worker ----------------------------------------------------------------------------


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The offline worker, served under /orientation/ so that its scope covers the explorer,
    the games and class mode (a file under /static/ could only control /static/…)."""
    response = HttpResponse(
        SERVICE_WORKER.read_bytes(), content_type="application/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = "/orientation/"
    response["Cache-Control"] = "no-cache"
    return response


def offline_urls(organisation: Organisation) -> str:
    """The organisation's explorer, job sheets, games and quiz (JSON list of paths), for the
    offline worker to keep after one visit with the network."""
    slug = organisation.slug
    urls = [reverse("orientation:worlds", args=[slug])]
    if actions.quiz_statements(organisation):
        urls.append(reverse("orientation_play:quiz", args=[slug]))
    for world_slug in World.objects.filter(
        organisation=organisation, is_published=True
    ).values_list("slug", flat=True):
        urls.append(reverse("orientation:world", args=[slug, world_slug]))
        urls.append(reverse("orientation_play:game", args=[slug, world_slug]))
    for sheet_slug in JobSheet.objects.filter(
        organisation=organisation, is_published=True, world__is_published=True
    ).values_list("slug", flat=True)[:300]:
        urls.append(reverse("orientation:sheet", args=[slug, sheet_slug]))
    return json.dumps(urls[:300])


# --- Games -------------------------------------------------------------------------------------


def _game(request: HttpRequest, world: World, extra: dict[str, Any]) -> HttpResponse:
    questions = games.questions(world)
    result = None
    if request.method == "POST":  # without JavaScript, the server scores
        answers = {k: str(v)[:2] for k, v in request.POST.items() if k.startswith("q")}
        result = games.score(questions, answers)
    context = {"world": world, "questions": questions, "result": result, **extra}
    return render(request, "orientation/play/game.html", context)


def game(request: HttpRequest, org_slug: str, world_slug: str) -> HttpResponse:
    organisation = _organisation(org_slug)
    world = _published_world(organisation, world_slug)
    return _game(
        request, world, {"organisation": organisation, "precache": offline_urls(organisation)}
    )


# --- Quiz --------------------------------------------------------------------------------------


def quiz(request: HttpRequest, org_slug: str) -> HttpResponse:
    organisation = _organisation(org_slug)
    statements = actions.quiz_statements(organisation)
    if not statements:
        raise Http404(_("Pas de quiz pour cette organisation."))
    error = ""
    if request.method == "POST":
        raw = {
            key[1:]: value
            for key, value in list(request.POST.items())[: actions.MAX_QUIZ_ANSWERS + 5]
            if key.startswith("s")
        }
        try:
            result = actions.take_quiz(organisation=organisation, answers=raw)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect(
                "orientation_play:quiz_result", org_slug=organisation.slug, code=result.code
            )
    context = {
        "organisation": organisation,
        "statements": statements,
        "error": error,
        "chosen": request.POST if request.method == "POST" else {},
    }
    return render(request, "orientation/play/quiz.html", context, status=422 if error else 200)


def _suggestions(organisation: Organisation, world_ids: list[int]) -> list[dict[str, Any]]:
    worlds = {
        w.pk: w
        for w in World.objects.filter(
            organisation=organisation, pk__in=world_ids, is_published=True
        )
    }
    sheets: dict[int, list[JobSheet]] = {}
    for sheet in JobSheet.objects.filter(world_id__in=list(worlds), is_published=True):
        sheets.setdefault(sheet.world_id, []).append(sheet)
    return [
        {"world": worlds[pk], "sheets": sheets.get(pk, [])[:4], "link": _world_link(worlds[pk])}
        for pk in world_ids
        if pk in worlds
    ]


def _world_link(world: World) -> str:
    """The explorer's page of a world when the explorer is there, else its game."""
    for name in ("orientation:world", "orientation:public_world"):
        try:
            return reverse(name, args=[world.organisation.slug, world.slug])
        except NoReverseMatch:
            continue
    return reverse("orientation_play:game", args=[world.organisation.slug, world.slug])


def quiz_result(request: HttpRequest, org_slug: str, code: str) -> HttpResponse:
    organisation = _organisation(org_slug)
    clean = codes.normalise(code)
    result = get_object_or_404(QuizResult, organisation=organisation, code=clean or "-")
    context = {
        "organisation": organisation,
        "result": result,
        "suggestions": _suggestions(organisation, [int(w) for w in result.suggested]),
    }
    return render(request, "orientation/play/quiz_result.html", context)


@require_GET
def quiz_reopen(request: HttpRequest, org_slug: str) -> HttpResponse:
    organisation = _organisation(org_slug)
    code = codes.normalise(request.GET.get("code", ""))
    if code and QuizResult.objects.filter(organisation=organisation, code=code).exists():
        return redirect("orientation_play:quiz_result", org_slug=organisation.slug, code=code)
    messages.error(request, _("Aucun résultat ne porte ce code. Vérifie les 6 caractères."))
    return redirect("orientation_play:quiz", org_slug=organisation.slug)


# --- Class mode: pupils ------------------------------------------------------------------------


def _pupil_session(request: HttpRequest, code: str) -> tuple[Pupil, str] | None:
    entry = request.session.get(SESSION_KEY, {}).get(code)
    if not isinstance(entry, dict):
        return None
    token = str(entry.get("token", ""))
    pupil = actions.pupil_for(token)
    if pupil is None or pupil.visit.code != code:
        return None
    return pupil, token


def join(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST or None, initial={"code": request.GET.get("code", "")[:12]})
    status = 200
    if request.method == "POST":
        key = codes.normalise(request.POST.get("code", "")) or "-"
        if response := throttle.consume_or_429(request, "orientation_join", key=key):
            return response
        if form.is_valid():
            try:
                pupil, token = actions.join_class(
                    code=form.cleaned_data["code"], pseudonym=form.cleaned_data["pseudonym"]
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                joined = dict(request.session.get(SESSION_KEY, {}))
                joined[pupil.visit.code] = {"token": token}
                request.session[SESSION_KEY] = dict(list(joined.items())[-5:])
                return redirect("orientation_play:pupil_home", code=pupil.visit.code)
        status = 422
    return render(request, "orientation/play/join.html", {"form": form}, status=status)


def _pupil_or_join(request: HttpRequest, code: str) -> tuple[Pupil, str] | HttpResponseRedirect:
    clean = codes.normalise(code) or ""
    found = _pupil_session(request, clean)
    if found is None:
        return HttpResponseRedirect(f"{reverse('orientation_play:join')}?code={clean}")
    return found


def _class_worlds(visit: ClassVisit) -> list[World]:
    return list(
        World.objects.filter(
            organisation_id=visit.organisation_id, is_published=True
        ).prefetch_related("job_sheets")
    )


@never_cache
def pupil_home(request: HttpRequest, code: str) -> HttpResponse:
    found = _pupil_or_join(request, code)
    if isinstance(found, HttpResponseRedirect):
        return found
    pupil, token = found
    visit = pupil.visit
    worlds = _class_worlds(visit)
    precache = [reverse("orientation_play:pupil_quiz", args=[visit.code])]
    for world in worlds:
        precache.append(reverse("orientation_play:pupil_game", args=[visit.code, world.slug]))
        precache += [
            reverse("orientation_play:pupil_sheet", args=[visit.code, sheet.slug])
            for sheet in world.job_sheets.all()
            if sheet.is_published
        ]
    context = {
        "visit": visit,
        "pupil": pupil,
        "token": token,
        "worlds": worlds,
        "precache": json.dumps(precache),
    }
    return render(request, "orientation/play/pupil_home.html", context)


def pupil_sheet(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    found = _pupil_or_join(request, code)
    if isinstance(found, HttpResponseRedirect):
        return found
    pupil, token = found
    sheet = get_object_or_404(
        JobSheet.objects.select_related("world", "occupation"),
        organisation_id=pupil.visit.organisation_id,
        slug=slug[:80],
        is_published=True,
    )
    context = {"visit": pupil.visit, "token": token, "sheet": sheet}
    return render(request, "orientation/play/pupil_sheet.html", context)


def pupil_game(request: HttpRequest, code: str, world_slug: str) -> HttpResponse:
    found = _pupil_or_join(request, code)
    if isinstance(found, HttpResponseRedirect):
        return found
    pupil, token = found
    world = get_object_or_404(
        World, organisation_id=pupil.visit.organisation_id, slug=world_slug[:60], is_published=True
    )
    return _game(request, world, {"visit": pupil.visit, "token": token})


def pupil_quiz(request: HttpRequest, code: str) -> HttpResponse:
    found = _pupil_or_join(request, code)
    if isinstance(found, HttpResponseRedirect):
        return found
    pupil, token = found
    statements = actions.quiz_statements(pupil.visit.organisation)
    worlds = {s.world_id: s.world for s in statements}
    context = {
        "visit": pupil.visit,
        "token": token,
        "statements": statements,
        "world_names": json.dumps({str(pk): w.name for pk, w in worlds.items()}),
        "world_order": json.dumps(
            [w.pk for w in sorted(worlds.values(), key=lambda w: (w.order, w.name_fr))]
        ),
    }
    return render(request, "orientation/play/pupil_quiz.html", context)


@csrf_exempt  # no cookie authenticates this: the pupil's token is in the body
@require_POST
def pupil_answers(request: HttpRequest) -> JsonResponse:
    """The tablet's queue of answers: ``{"token": …, "answers": [{"id": uuid, "kind": …}]}``;
    answers ``{"accepted": [ids], "rejected": [ids]}`` (both may be forgotten by the tablet)."""
    if len(request.body) > MAX_BODY:
        return JsonResponse({"detail": _("Trop de réponses à la fois.")}, status=413)
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"detail": _("Requête illisible.")}, status=400)
    if not isinstance(data, dict) or not isinstance(data.get("answers"), list):
        return JsonResponse({"detail": _("Requête illisible.")}, status=400)
    pupil = actions.pupil_for(str(data.get("token", ""))[:100])
    if pupil is None:
        return JsonResponse(
            {"detail": _("Élève inconnu : rejoins la classe à nouveau.")}, status=403
        )
    answers = [a for a in data["answers"] if isinstance(a, dict)]
    try:
        receipt = actions.record_answers(pupil=pupil, answers=answers)
    except ValidationError as exc:
        return JsonResponse({"detail": " ".join(exc.messages)}, status=410)
    return JsonResponse({"accepted": receipt.accepted, "rejected": receipt.rejected})


# --- Class mode: the facilitator ---------------------------------------------------------------


def _staff_org(request: AuthedRequest) -> Organisation:
    organisation = request.organisation
    if organisation is None or not (
        request.actor.is_platform_admin or request.actor.has_role(organisation, *STAFF_ROLES)
    ):
        raise PermissionDenied(_("Le mode classe est réservé à l'équipe de l'organisation."))
    return organisation


def _visit(request: AuthedRequest, visit_id: str, *, light: bool = False) -> ClassVisit:
    organisation = _staff_org(request)  # permission before the look-up
    pk = parse_id(visit_id)
    if pk is None:
        raise Http404
    visits = ClassVisit.objects.all()
    if light:  # the live fragment, polled every few seconds by every class
        visits = visits.only("pk", "organisation_id", "purged_at", "summary")
    else:
        visits = visits.select_related("organisation", "outreach", "outreach__activity")
    return get_object_or_404(visits, pk=pk, organisation=organisation)


@login_required
def facilitator_list(request: AuthedRequest) -> HttpResponse:
    organisation = _staff_org(request)
    initial = {"outreach": parse_id(request.GET.get("animation", ""))}
    form = OpenVisitForm(request.POST or None, organisation_id=organisation.pk, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                visit = actions.open_class_visit(
                    actor=request.actor,
                    organisation=organisation,
                    title=data["title"],
                    grade=data["grade"],
                    outreach=data["outreach"],
                    teacher_email=data["teacher_email"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                return redirect("orientation_play:facilitator_visit", visit_id=visit.pk)
        status = 422
    context = {
        "organisation": organisation,
        "visits": visits_for(request.actor, organisation.pk),
        "form": form,
    }
    return render(request, "orientation/classe/list.html", context, status=status)


def _live_context(visit: ClassVisit) -> dict[str, Any]:
    summary = live_summary(visit)
    worlds = list(
        World.objects.filter(organisation_id=visit.organisation_id, is_published=True).only(
            "pk", "slug", "name_fr", "name_en", "order"
        )
    )
    world_rows = [
        {
            "world": w,
            "likes": summary.world_likes.get(w.pk, 0),
            "tops": summary.quiz_tops.get(w.pk, 0),
            "games": summary.games_played.get(w.pk, 0),
        }
        for w in worlds
    ]
    opened = sorted(summary.occupations_opened.items(), key=lambda kv: -kv[1])[:10]
    sheets = {
        s.pk: s
        for s in JobSheet.objects.filter(pk__in=[pk for pk, _n in opened]).only(
            "pk", "title_fr", "title_en"
        )
    }
    return {
        "visit": visit,
        "summary": summary,
        "world_rows": world_rows,
        "top_sheets": [(sheets[pk], n) for pk, n in opened if pk in sheets],
        "scale": max(1, summary.participants),
    }


@login_required
def facilitator_visit(request: AuthedRequest, visit_id: str) -> HttpResponse:
    visit = _visit(request, visit_id)
    context = _live_context(visit)
    context["kit_form"] = KitForm(initial={"teacher_email": visit.teacher_email})
    context["join_url"] = absolute_url(reverse("orientation_play:join"), request)
    context["precache"] = offline_urls(visit.organisation)
    return render(request, "orientation/classe/visit.html", context)


@login_required
@never_cache
def facilitator_live(request: AuthedRequest, visit_id: str) -> HttpResponse:
    visit = _visit(request, visit_id, light=True)
    return render(request, "orientation/classe/_live.html", _live_context(visit))


@login_required
@require_POST
def facilitator_close(request: AuthedRequest, visit_id: str) -> HttpResponse:
    visit = _visit(request, visit_id)
    actions.close_class_visit(actor=request.actor, visit=visit)
    messages.success(request, _("La visite est terminée : plus personne ne peut la rejoindre."))
    return redirect("orientation_play:facilitator_visit", visit_id=visit.pk)


@login_required
def facilitator_kit(request: AuthedRequest, visit_id: str) -> HttpResponse:
    visit = _visit(request, visit_id)
    response = HttpResponse(kit.render_kit(visit), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{kit.kit_filename(visit)}"'
    return response


@login_required
@require_POST
def facilitator_send_kit(request: AuthedRequest, visit_id: str) -> HttpResponse:
    visit = _visit(request, visit_id)
    form = KitForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            actions.send_follow_up_kit(
                actor=request.actor, visit=visit, email=form.cleaned_data["teacher_email"]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if error:
        if is_htmx(request):
            return render(
                request,
                "orientation/classe/_kit_form.html",
                {"visit": visit, "kit_form": form, "kit_error": error},
                status=422,
            )
        messages.error(request, error)
    else:
        messages.success(request, _("Le kit de suivi part par e-mail à l'enseignant."))
    return redirect("orientation_play:facilitator_visit", visit_id=visit.pk)


# --- Game items and quiz statements (curators) -------------------------------------------------


def _curator_org(request: AuthedRequest) -> Organisation:
    organisation = request.organisation
    if organisation is None or not (
        request.actor.is_platform_admin
        or request.actor.has_role(organisation, *actions.CONTENT_EDITORS)
    ):
        raise PermissionDenied(_("Les jeux sont rédigés par les coordinateurs de l'organisation."))
    return organisation


def _apply_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


@login_required
def games_manage(request: AuthedRequest) -> HttpResponse:
    organisation = _curator_org(request)
    item_form = GameItemForm(organisation_id=organisation.pk, prefix="item")
    statement_form = QuizStatementForm(organisation_id=organisation.pk, prefix="quiz")
    status = 200
    if request.method == "POST":
        if "item-world" in request.POST:
            item_form = GameItemForm(request.POST, organisation_id=organisation.pk, prefix="item")
            if item_form.is_valid():
                data = item_form.cleaned_data
                try:
                    actions.add_game_item(
                        actor=request.actor,
                        world=data["world"],
                        kind=data["kind"],
                        prompt_fr=data["prompt_fr"],
                        answer_fr=data["answer_fr"],
                        wrong_fr=[data["wrong_1_fr"], data["wrong_2_fr"], data["wrong_3_fr"]],
                        explanation_fr=data["explanation_fr"],
                    )
                except ValidationError as exc:
                    _apply_errors(item_form, exc)
                else:
                    messages.success(request, _("La question est ajoutée au jeu."))
                    return redirect("orientation_play:games_manage")
        else:
            statement_form = QuizStatementForm(
                request.POST, organisation_id=organisation.pk, prefix="quiz"
            )
            if statement_form.is_valid():
                data = statement_form.cleaned_data
                try:
                    actions.add_quiz_statement(
                        actor=request.actor, world=data["world"], text_fr=data["text_fr"]
                    )
                except ValidationError as exc:
                    _apply_errors(statement_form, exc)
                else:
                    messages.success(request, _("L'affirmation est ajoutée au quiz."))
                    return redirect("orientation_play:games_manage")
        status = 422
    worlds = list(
        World.objects.filter(organisation=organisation).prefetch_related(
            "game_items", "quiz_statements"
        )
    )
    context = {
        "organisation": organisation,
        "worlds": worlds,
        "item_form": item_form,
        "statement_form": statement_form,
    }
    return render(request, "orientation/classe/games_manage.html", context, status=status)


@login_required
@require_POST
def game_item_delete(request: AuthedRequest, pk: str) -> HttpResponse:
    organisation = _curator_org(request)
    item_id = parse_id(pk)
    item = get_object_or_404(
        GameItem.objects.select_related("world__organisation"),
        pk=item_id or 0,
        world__organisation=organisation,
    )
    actions.delete_game_item(actor=request.actor, item=item)
    messages.success(request, _("La question est retirée du jeu."))
    return redirect("orientation_play:games_manage")


@login_required
@require_POST
def quiz_statement_delete(request: AuthedRequest, pk: str) -> HttpResponse:
    organisation = _curator_org(request)
    statement_id = parse_id(pk)
    statement = get_object_or_404(
        QuizStatement.objects.select_related("world__organisation"),
        pk=statement_id or 0,
        world__organisation=organisation,
    )
    actions.delete_quiz_statement(actor=request.actor, statement=statement)
    messages.success(request, _("L'affirmation est retirée du quiz."))
    return redirect("orientation_play:games_manage")
