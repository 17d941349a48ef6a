from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import PasswordResetForm as WagtailPasswordResetForm

from members import consent as consent_texts
from members import throttling
from members.models import Commune, User, Village
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


class _PersonFields(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "0912 345 678"}
        ),
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth (optional)"), required=False, min_value=1900, max_value=2100
    )

    def clean_phone(self) -> str:
        # Only the form of the number. Whether it has an account is for the view to ask, counted
        # against a limit (members.lookups): the answer tells something about someone.
        try:
            return normalize_phone(self.cleaned_data["phone"])
        except ValidationError as error:
            raise ValidationError(error.messages, code="invalid") from None

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if len(name.split()) < 2:
            raise ValidationError(_("Write the full name, family name first, for example Nông Thị Hoa."))
        return name


class SignUpForm(_PersonFields):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters. Do not use your phone number or year of birth."),
    )
    commune = forms.ModelChoiceField(
        label=_("Your commune or ward"), queryset=Commune.objects.order_by("name"), empty_label=_("Choose…")
    )
    consent = forms.BooleanField(
        label=consent_texts.SIGNUP.text,
        error_messages={"required": _("HọcSố can only keep your data with your consent.")},
    )

    field_order = ["full_name", "phone", "password", "commune", "birth_year", "consent"]

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(phone=cleaned.get("phone", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


class VillageForm(forms.Form):
    village = forms.ModelChoiceField(
        label=_("Your village"), queryset=Village.objects.none(), widget=forms.RadioSelect, empty_label=None
    )

    def __init__(self, *args, commune: Commune, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Village.objects.filter(commune=commune).order_by("name")


class AssistedSignUpForm(_PersonFields):
    """A group leader signs up a neighbour, who agreed in front of them."""

    village = forms.ModelChoiceField(
        label=_("Village"), queryset=Village.objects.none(), empty_label=_("Choose…")
    )
    password = forms.CharField(
        label=_("First password"),
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Write it down for your neighbour; they can change it later. At least 8 characters."),
    )
    consent = forms.BooleanField(
        label=consent_texts.ASSISTED.text,
        error_messages={"required": _("Sign someone up only when they have agreed.")},
    )

    field_order = ["full_name", "phone", "village", "birth_year", "password", "consent"]

    def __init__(self, *args, commune: Commune, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Village.objects.filter(commune=commune).order_by("name")

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password


# A way back from a forgotten password ------------------------------------------------------------


class _PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        attrs = {"inputmode": "tel", "autocomplete": "tel", "placeholder": "0912 345 678"}
        super().__init__(
            label=_("Mobile number"), max_length=32, widget=forms.TextInput(attrs=attrs), **kwargs
        )

    def clean(self, value):
        value = super().clean(value)
        try:
            return normalize_phone(value)
        except ValidationError as error:
            raise ValidationError(error.messages, code="invalid") from None


class ResetCodeBySmsForm(forms.Form):
    """Ask for a reset code by text message."""

    phone = _PhoneField()


class PasswordResetRedeemForm(forms.Form):
    """Mobile number, the code someone gave or texted, and a new password (twice: a typing mistake
    would otherwise lock the person out again)."""

    phone = _PhoneField()
    code = forms.CharField(
        label=_("Reset code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "placeholder": "123 456"}
        ),
        help_text=_("The 6 digits your group leader or officer gave you, or that came by text message."),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters. Do not use your phone number or year of birth."),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise ValidationError(_("The code has 6 digits, for example 123 456."), code="invalid")
        return code

    def clean(self):
        cleaned = super().clean()
        first, again = cleaned.get("new_password"), cleaned.get("new_password_again")
        if first and again and first != again:
            self.add_error("new_password_again", _("The two passwords are not the same. Type them again."))
        return cleaned


class StaffPasswordResetForm(WagtailPasswordResetForm):
    """Wagtail's reset by e-mail, for staff only (``WAGTAILADMIN_USER_PASSWORD_RESET_FORM``): residents
    use a reset code. At most a few e-mails per address an hour, whoever asks."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if user.has_perm("wagtailadmin.access_admin"))

    def save(self, *args, **kwargs):
        if throttling.hit("reset_email", self.cleaned_data["email"].lower()):
            super().save(*args, **kwargs)
