"""Every table's headings name each column once; how long ago the numbers were computed reads
naturally, in Vietnamese."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from stats import views
from stats.forms import StatsFilterForm
from stats.templatetags.stats_tags import ago
from tests.stats.test_views import TABLES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("slug", TABLES)
def test_no_two_columns_share_a_heading(numbers, slug):
    with translation.override("vi"):
        for filters in ({}, {"commune": numbers.commune_x.code}, {"group": numbers.group_a.code}):
            form = StatsFilterForm({"commune": numbers.commune_x.code, **filters}, user=numbers.trainer)
            if not filters:
                form = StatsFilterForm({}, user=numbers.trainer)
            assert form.is_valid(), form.errors
            labels = [column.label for column in views._table(slug, form.query()).columns]
            repeated = {label for label in labels if labels.count(label) > 1 and label != "%"}
            assert not repeated, (slug, filters, labels)


def test_the_activity_export_names_its_columns_apart(numbers):
    with translation.override("vi"):
        form = StatsFilterForm({"commune": numbers.commune_x.code}, user=numbers.trainer)
        assert form.is_valid()
        labels = [c.label for c in views._table("activity", form.query()).columns]
    assert labels[:3] == ["Mã tổ", "Tổ", "Số tổ"]


@pytest.mark.parametrize(
    "seconds, words",
    [
        (0, "vừa xong"),
        (59, "vừa xong"),
        (60, "1 phút trước"),
        (5 * 60 + 30, "5 phút trước"),
        (3 * 3600, "3 giờ trước"),
        (2 * 86400 + 5, "2 ngày trước"),
    ],
)
def test_how_long_ago_reads_naturally(seconds, words):
    now = timezone.now()
    with translation.override("vi"):
        assert ago(now - datetime.timedelta(seconds=seconds), now=now) == words


def test_the_freshness_line_says_just_now(numbers):
    client = Client()
    client.force_login(numbers.trainer)
    with translation.override("vi"):
        body = client.get(reverse("stats:attainment"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "vừa xong" in body
    assert "minutes" not in body and "0 phút" not in body
