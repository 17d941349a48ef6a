from django import forms
from django.utils.translation import gettext_lazy as _

from certificates import verification
from certificates.models import CHECK_CODE_LENGTH


class VerifyForm(forms.Form):
    """A certificate's number and the check code printed beside it, typed from the paper."""

    serial = forms.CharField(
        label=_("Certificate number"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    code = forms.CharField(
        label=_("Check code"),
        max_length=20,
        help_text=_("Printed beside the number: 6 letters and digits."),
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    def clean_serial(self) -> str:
        return verification.normalise_serial(self.cleaned_data["serial"])

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if not verification.code_is_well_formed(code):
            raise forms.ValidationError(
                _("The check code has %(length)s letters and digits, as printed beside the number."),
                params={"length": CHECK_CODE_LENGTH},
            )
        return verification.normalise_code(code)
