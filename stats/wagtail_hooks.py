from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from members import permissions


class StatisticsMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.can_view_statistics(request.user)


@hooks.register("register_admin_urls")
def register_statistics_urls():
    return [path("thong-ke/", include("stats.urls", namespace="stats"))]


@hooks.register("register_admin_menu_item")
def register_statistics_menu_item():
    return StatisticsMenuItem(
        _("Statistics"), reverse_lazy("stats:attainment"), name="statistics", icon_name="table", order=250
    )
