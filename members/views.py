from django.contrib.auth import views as auth_views

from members.forms import PhoneAuthenticationForm


class PhoneLoginView(auth_views.LoginView):
    form_class = PhoneAuthenticationForm
    template_name = "members/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass
