"""“Dữ liệu của tôi” (my data): what HọcSố holds about the signed-in person, the complete JSON
download, and withdrawing consent, which deletes their data (Law 91/2025/QH15: without consent
HọcSố may not keep it)."""

from django import forms
from django.contrib.auth import authenticate, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from members import throttling
from members.models import AuditEvent
from members.personal_data import export_allowed, export_person
from members.selectors.privacy import my_data as my_data_of
from members.services import audit_record, passwords
from members.services.privacy import ErasureReason, person_erase


class EraseMyDataForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand: my data will be deleted and this cannot be undone."),
        error_messages={"required": _("Tick this box to confirm.")},
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = request.user

    def clean(self):
        if passwords.reset_by_someone_else_recently(self.user):
            raise ValidationError(
                _(
                    "Your password was just reset with a code someone else gave. For %(days)d days your "
                    "data can only be deleted by your commune officer, at your request."
                )
                % {"days": passwords.RESET_BY_OTHER_QUIET_DAYS}
            )
        return super().clean()

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        # Counted before it is checked, so that parallel posts cannot try more than the limit (a
        # borrowed phone still signed in must not be enough to guess the password and delete someone's
        # data); and checked through authenticate(), so that the sign-in guard counts failures too.
        if not throttling.hit("erase_my_data", str(self.user.pk)):
            raise ValidationError(_("Too many wrong passwords. Wait a quarter of an hour, then try again."))
        if authenticate(self.request, username=self.user.phone, password=password) is None:
            raise ValidationError(_("The password is wrong. Please check and try again."))
        return password


@never_cache
@login_required
def my_data(request):
    return render(request, "members/my_data.html", {"data": my_data_of(request.user)})


@never_cache
@login_required
def my_data_download(request):
    """Everything, as JSON: the registry's every part (``members.personal_data``)."""
    if not export_allowed(request.user):
        response = render(request, "members/my_data_wait.html", status=429)
        response["Retry-After"] = "60"
        return response
    data = export_person(request.user)
    audit_record(actor=request.user, action=AuditEvent.Action.PERSONAL_DATA_EXPORT, target=request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    name = f"hocso-du-lieu-cua-toi-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@never_cache
@login_required
def my_data_erase(request):
    """Withdraw consent and delete my data, after the password and a plain confirmation."""
    form = EraseMyDataForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            person_erase(
                person=request.user, acting_user=request.user, reason=ErasureReason.CONSENT_WITHDRAWN
            )
        except ValidationError as error:  # the last administrator
            form.add_error(None, error)
        else:
            logout(request)
            return render(request, "members/my_data_erased.html")
    return render(request, "members/my_data_erase.html", {"form": form}, status=400 if form.errors else 200)
