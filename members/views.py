"""HTML views of ``members``: signing in and up, learning actions posted from lesson pages, "My
learning", assisted sign-up by group leaders (and inviting those who already have an account), and
answering an invitation. Each view validates, calls a service or a selector, and renders or
redirects."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from wagtail.admin.views.account import PasswordResetConfirmView

from members import lookups, permissions, services, sms, throttling
from members.forms import (
    AssistedSignUpForm,
    PasswordResetRedeemForm,
    PhoneAuthenticationForm,
    ResetCodeBySmsForm,
    SignUpForm,
    VillageForm,
)
from members.models import Commune, CommunityGroup, GroupInvitation, Membership
from members.phone import format_phone
from members.services import passwords


class PhoneLoginView(auth_views.LoginView):
    form_class = PhoneAuthenticationForm
    template_name = "members/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


# A way back from a forgotten password (members/services/passwords.py) ---------------------------


@sensitive_post_parameters("new_password", "new_password_again", "code")
@never_cache
def forgot_password(request):
    """``/quen-mat-khau/``: the number, a reset code and a new password. Where the province has an SMS
    gateway, the page first offers to text a code. Every answer is the same whether or not the
    number has an account."""
    address = throttling.client_address(request)
    action = request.POST.get("action") if request.method == "POST" else None
    sms_form = ResetCodeBySmsForm(request.POST if action == "sms" else None, prefix="sms")
    redeem_form = PasswordResetRedeemForm(request.POST if action == "redeem" else None)
    context = {"sms_form": sms_form, "form": redeem_form, "sms_enabled": sms.sms_enabled(), "sent": False}
    if action == "sms" and sms.sms_enabled() and sms_form.is_valid():
        phone = sms_form.cleaned_data["phone"]
        if not passwords.sms_allowed(phone=phone, address=address):
            return _too_many_tries(request, context, "reset_sms_number")
        passwords.reset_code_send_by_sms(phone=phone)
        context["sent"] = True
        context["form"] = PasswordResetRedeemForm(initial={"phone": sms_form["phone"].value()})
    elif action == "redeem" and redeem_form.is_valid():
        data = redeem_form.cleaned_data
        if not passwords.redeem_allowed(phone=data["phone"], address=address):
            return _too_many_tries(request, context, "reset_redeem_number")
        try:
            person = passwords.password_reset_redeem(
                phone=data["phone"], code=data["code"], new_password=data["new_password"]
            )
        except ValidationError as error:
            redeem_form.add_error(None, error)
        else:
            login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your new password is saved, and you are signed in."))
            return redirect("/")
    refused = (action == "sms" and sms_form.errors) or (action == "redeem" and redeem_form.errors)
    status = 400 if refused else 200
    return render(request, "members/forgot_password.html", context, status=status)


def _too_many_tries(request, context, scope: str):
    seconds = throttling.retry_after(scope)
    context["too_many"] = -(-seconds // 60)  # minutes to wait, rounded up
    response = render(request, "members/forgot_password.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


class StaffPasswordResetConfirmView(PasswordResetConfirmView):
    """Wagtail's "choose a new password" page behind a reset e-mail's link, which also signs out the
    person's app tokens and clears their failed sign-ins, as a reset code does."""

    def form_valid(self, form):
        passwords.password_reset_by_email(person=form.user, new_password=form.cleaned_data["new_password1"])
        self.request.session.pop(auth_views.INTERNAL_RESET_SESSION_TOKEN, None)
        return HttpResponseRedirect(self.get_success_url())


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def signup(request):
    if request.user.is_authenticated:
        return redirect("/")
    form = SignUpForm(request.POST or None)
    status = 200
    # Creating an account tells whether the number has one already: counted per address.
    if request.method == "POST" and form.is_valid() and (limit := lookups.number_lookup_refused(request)):
        form.add_error(None, limit.message)
        status = 429
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                phone=data["phone"],
                full_name=data["full_name"],
                password=data["password"],
                birth_year=data["birth_year"],
                consent=data["consent"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session["signup_commune"] = data["commune"].pk
            return redirect(f"{reverse('members:village')}?next={_safe_next(request, '/')}")
    return render(
        request, "members/signup.html", {"form": form, "next": _safe_next(request, "")}, status=status
    )


@login_required
def choose_village(request):
    commune_id = request.session.get("signup_commune") or (
        request.user.village and request.user.village.commune_id
    )
    commune = Commune.objects.filter(pk=commune_id).first()
    if commune is None:
        return redirect("/")
    form = VillageForm(request.POST or None, commune=commune)
    if request.method == "POST" and form.is_valid():
        services.user_set_village(user=request.user, village=form.cleaned_data["village"])
        request.session.pop("signup_commune", None)
        return redirect(_safe_next(request, reverse("learning:my_learning")))
    return render(
        request, "members/village.html", {"form": form, "commune": commune, "next": _safe_next(request, "")}
    )


def _managed_group(request, group_code: str) -> CommunityGroup:
    group = get_object_or_404(CommunityGroup.objects.select_related("commune"), code=group_code)
    if not permissions.can_manage_group(request.user, group):
        raise PermissionDenied
    return group


def _assisted_page(request, group, form, *, invite_phone: str = "", problems=(), status: int = 200):
    context = {"form": form, "group": group, "invite_phone": invite_phone, "problems": problems}
    return render(request, "members/assisted_signup.html", context, status=status)


def _form_again(group: CommunityGroup, data, phone: str) -> AssistedSignUpForm:
    """The form as the leader filled it, without its errors (nor the consent, given anew each time)."""
    initial = {key: value for key, value in data.items() if key not in {"csrfmiddlewaretoken", "consent"}}
    return AssistedSignUpForm(initial=initial | {"phone": phone}, commune=group.commune)


@login_required
def assisted_signup(request, group_code: str):
    """The page "Thêm người dân": a leader signs a neighbour up into their group. The number is looked up
    first (counted and audited); if it already has an account, the page offers to invite its owner
    instead, and says nothing else about them."""
    group = _managed_group(request, group_code)
    form = AssistedSignUpForm(request.POST or None, commune=group.commune)
    if request.method != "POST":
        return _assisted_page(request, group, form)
    form.is_valid()  # the number is looked up even while other fields need fixing
    phone = form.cleaned_data.get("phone")
    if phone is None:
        return _assisted_page(request, group, form)
    if (limit := lookups.number_lookup_refused(request)) is not None:
        form.add_error(None, limit.message)
        return _assisted_page(request, group, form, status=429)
    try:
        lookup = services.number_lookup(group=group, phone=phone, acting_user=request.user, invite=False)
    except ValidationError as error:
        form.add_error(None, error)
        return _assisted_page(request, group, form)
    if lookup.outcome == services.LookupOutcome.OFFERED:
        again = _form_again(group, request.POST, format_phone(phone))
        return _assisted_page(request, group, again, invite_phone=format_phone(phone))
    if not form.is_valid():
        return _assisted_page(request, group, form)
    data = form.cleaned_data
    try:
        person = services.user_create(
            phone=phone,
            full_name=data["full_name"],
            password=data["password"],
            birth_year=data["birth_year"],
            village=data["village"],
            consent=data["consent"],
            acting_user=request.user,
        )
        services.membership_add(
            group=group, user=person, role=Membership.Role.MEMBER, acting_user=request.user
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _assisted_page(request, group, form)
    messages.success(
        request,
        _("%(name)s now has an account and is a member of %(group)s.")
        % {"name": person.full_name, "group": group.name},
    )
    return redirect("members:assisted_signup", group_code=group.code)


@require_POST
@login_required
def assisted_invite(request, group_code: str):
    """The button "Mời vào tổ", offered by the sign-up page for a number that has an account: an
    invitation the person accepts on their own phone, or by reading out their code to the leader."""
    group = _managed_group(request, group_code)
    typed = request.POST.get("phone", "")[:32]
    form = _form_again(group, {}, typed)
    if (limit := lookups.number_lookup_refused(request)) is not None:
        return _assisted_page(request, group, form, problems=[limit.message], status=429)
    try:
        lookup = services.number_lookup(group=group, phone=typed, acting_user=request.user, invite=True)
    except ValidationError as error:
        return _assisted_page(request, group, form, problems=error.messages, status=400)
    if lookup.invitation is None:
        problems = [_("This number has no account yet: sign the person up below.")]
        return _assisted_page(request, group, form, problems=problems)
    messages.success(
        request,
        _(
            "Invitation sent to %(phone)s. The person sees it when they open HọcSố and accepts there; "
            "or, if they are with you, they read you their code and you type it below."
        )
        % {"phone": lookup.invitation.phone_hint},
    )
    return HttpResponseRedirect(f"{reverse('attendance:group', args=[group.code])}#loi-moi")


# Answering an invitation (the invited person only) ---------------------------------------------------


def _own_invitation(request, invitation_id: int) -> GroupInvitation:
    invitations = permissions.invitations_for(request.user).select_related("group")
    return get_object_or_404(invitations, pk=invitation_id)


def _answer(request, invitation_id: int, answer, success: str):
    invitation = _own_invitation(request, invitation_id)
    try:
        answer(invitation=invitation, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success % {"group": invitation.group.name})
    return redirect(_safe_next(request, reverse("learning:my_learning")))


@require_POST
@login_required
def invitation_accept(request, invitation_id: int):
    return _answer(request, invitation_id, services.invitation_accept, _("Welcome to %(group)s!"))


@require_POST
@login_required
def invitation_decline(request, invitation_id: int):
    return _answer(
        request, invitation_id, services.invitation_decline, _("You declined the invitation to %(group)s.")
    )


@require_POST
@login_required
def invitation_new_code(request, invitation_id: int):
    return _answer(
        request,
        invitation_id,
        services.invitation_new_code,
        _("Here is a new code for %(group)s: read it to your group leader."),
    )
