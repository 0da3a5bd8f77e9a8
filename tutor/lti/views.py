"""The LTI endpoints: JWKS (django-lti's), OIDC login initiation, launch, deep-link reply.

Launch and login are cross-site requests from the LMS, so they are CSRF-exempt: what
protects them is the platform's signature on the id_token, the state cookie and the
single-use nonce, which PyLTI1p3 and tutor.lti.refusals check.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from lti_tool.models import LtiLaunch, LtiRegistration
from lti_tool.utils import DjangoToolConfig, get_launch_from_request, sync_data_from_launch
from lti_tool.views import OIDCLoginInitView
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException
from pylti1p3.lineitem import LineItem
from pylti1p3.message_launch import MessageLaunch

from tutor import selectors
from tutor.errors import UserError
from tutor.lti import accounts, embedding, roster
from tutor.lti.keys import ensure_signing_key
from tutor.lti.refusals import Refusal, first_use_of_nonce, refusal_for, refuse
from tutor.models import ProblemSet, User
from tutor.views.common import current_user, teacher_required

SESSION_LAUNCH = "stepwise_lti_launch_id"


@method_decorator(csrf_exempt, name="dispatch")
class LoginInitiation(OIDCLoginInitView):
    """Step 1 of the OIDC flow: set the state cookie and send the browser to the platform.

    django-lti's own view first renders a cookie-check page with inline script, which
    Stepwise's CSP blocks; a missing cookie is reported at the launch instead.
    """

    def get_oidc_response(self, request: Any, registration_uuid: Any, params: Any) -> Any:
        if not LtiRegistration.objects.active().filter(uuid=registration_uuid).exists():
            raise Http404
        ensure_signing_key()  # the launch, deep-linking reply and AGS all sign with it
        target = params.get("target_link_uri")
        if target is None:
            return HttpResponseBadRequest(gettext("Missing target_link_uri parameter."))
        oidc_login = DjangoOIDCLogin(
            request,
            DjangoToolConfig(registration_uuid),
            launch_data_storage=DjangoCacheDataStorage(),
        )
        try:
            return oidc_login.redirect(request.build_absolute_uri(reverse("lti_launch")))
        except LtiException as error:
            return refuse(request, refusal_for(str(error)))


def _validated(request: HttpRequest) -> LtiLaunch | Refusal:
    try:
        lti_launch = get_launch_from_request(request)
    except LtiException as error:
        return refusal_for(str(error))
    except (TypeError, ValueError, KeyError, AttributeError):
        # PyLTI1p3 trusts a token's JSON to have the types the spec names before it checks
        # the signature; a body of other types fails inside it. Not a launch either way.
        return Refusal.BAD_REQUEST
    if not first_use_of_nonce(
        issuer=lti_launch.get_claim("iss"), nonce=lti_launch.get_claim("nonce")
    ):
        return Refusal.REPLAYED_NONCE
    # PyLTI1p3 (through django-lti) records an unknown deployment id as an inactive deployment,
    # which an administrator can enable; until then every launch through it is refused.
    if not lti_launch.deployment.is_active:
        return Refusal.UNKNOWN_DEPLOYMENT
    return lti_launch


@csrf_exempt
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    """Step 2: the platform posts the signed id_token; sign the person in and send them on."""
    lti_launch = _validated(request)
    if isinstance(lti_launch, Refusal):
        return refuse(request, lti_launch)
    sync_data_from_launch(lti_launch)
    if lti_launch.is_deep_link_launch:
        return _deep_link_launch(request, lti_launch)
    if not lti_launch.is_resource_launch:
        return refuse(request, Refusal.BAD_REQUEST)
    try:
        user, assignment = accounts.accept_resource_launch(lti_launch=lti_launch)
    except UserError as error:
        return refuse(request, Refusal.NOT_SET_UP, detail=str(error))
    _sign_in(request, user, lti_launch)
    if user.is_teacher and assignment.classroom.teacher_id == user.pk:
        return redirect("teach_progress", assignment_id=assignment.pk)
    if user.is_teacher:
        return refuse(
            request,
            Refusal.NOT_SET_UP,
            detail=gettext("This class belongs to another Stepwise teacher."),
        )
    return redirect("problem_set", set_id=assignment.problem_set_id)


def _sign_in(request: HttpRequest, user: User, lti_launch: LtiLaunch) -> None:
    # login() rotates the session key, as a password login does.
    login(request, user, backend="tutor.login_throttle.ThrottledModelBackend")
    request.session[SESSION_LAUNCH] = lti_launch.get_launch_id()
    embedding.remember_platform(request, lti_launch)


def _deep_link_launch(request: HttpRequest, lti_launch: LtiLaunch) -> HttpResponse:
    if not accounts.is_instructor(lti_launch):
        return refuse(
            request, Refusal.BAD_REQUEST, detail=gettext("Only teachers can add activities.")
        )
    user = accounts.user_for_launch(lti_user=lti_launch.user, teacher=True)
    _sign_in(request, user, lti_launch)
    return redirect("lti_deep_link")


def _launch_from_session(request: HttpRequest) -> MessageLaunch | None:
    launch_id = request.session.get(SESSION_LAUNCH)
    if not launch_id:
        return None
    try:
        return DjangoMessageLaunch.from_cache(
            launch_id,
            request,
            DjangoToolConfig(),
            launch_data_storage=DjangoCacheDataStorage(),
        )
    except LtiException:
        return None


@teacher_required
def deep_link(request: HttpRequest) -> HttpResponse:
    """The teacher picks one of their problem sets; the LMS gets a signed link to it."""
    message_launch = _launch_from_session(request)
    if message_launch is None or not message_launch.is_deep_link_launch():
        return refuse(request, Refusal.MISSING_STATE)
    sets = ProblemSet.objects.filter(owner=current_user(request)).order_by("title")
    if request.method != "POST":
        return render(request, "lti/deep_link.html", {"sets": sets})
    chosen = sets.filter(pk=request.POST.get("set_id", "")).first() if _is_id(request) else None
    if chosen is None:
        return render(request, "lti/deep_link.html", {"sets": sets, "error": True}, status=400)
    resource = (
        DeepLinkResource()
        .set_url(request.build_absolute_uri(reverse("lti_launch")))
        .set_title(chosen.title)
        .set_custom_params({accounts.SET_PARAMETER: str(chosen.pk)})
        # A gradebook column for it: one point per problem, as the progress grid counts.
        .set_lineitem(
            LineItem().set_label(chosen.title).set_score_maximum(max(chosen.problems.count(), 1))
        )
    )
    deep_linking = message_launch.get_deep_link()
    token = deep_linking.get_response_jwt([resource])
    return_url = message_launch.get_launch_data()[
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
    ]["deep_link_return_url"]
    response = render(
        request, "lti/deep_link_return.html", {"return_url": return_url, "jwt": token}
    )
    # The reply form posts to the LMS, so this one page lets a form go to its origin.
    embedding.allow_form_action(response, return_url)
    return response


def _is_id(request: HttpRequest) -> bool:
    return str(request.POST.get("set_id", "")).isdigit()


@require_POST
@teacher_required
def roster_sync(request: HttpRequest, classroom_id: int) -> HttpResponse:
    """The teacher's "Sync roster from the LMS" button on a linked class's page."""
    classroom = selectors.classroom_for_teacher(
        teacher=current_user(request), classroom_id=classroom_id
    )
    if classroom is None:
        raise Http404
    try:
        result = roster.roster_sync(classroom=classroom)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            gettext(
                "Roster synced from the LMS: %(added)s added, %(removed)s removed, "
                "%(kept)s already here."
            )
            % {"added": result.added, "removed": result.removed, "kept": result.kept},
        )
    return redirect("teach_class", classroom.pk)
