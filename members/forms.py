from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from members.phone import normalize_phone


class PhoneAuthenticationForm(AuthenticationForm):
    """Sign in with a mobile number written any usual way (0912 345 678, +84…, 84…)."""

    username = forms.CharField(
        label=_("Mobile number"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "inputmode": "tel",
                "autocomplete": "tel",
                "placeholder": "0912 345 678",
            }
        ),
    )
    error_messages = {
        "invalid_login": _("The mobile number or the password is wrong. Please check and try again."),
        "inactive": _("This account is switched off. Ask your group leader or commune officer."),
    }

    def clean_username(self) -> str:
        try:
            return normalize_phone(self.cleaned_data["username"])
        except ValidationError as error:
            raise ValidationError(error.messages, code="invalid") from None
