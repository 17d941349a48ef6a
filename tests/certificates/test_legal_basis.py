"""Certificates and badges cite the legal basis of basic universalisation, Decision 757/QĐ-BKHCN
(29 April 2025); the Circular 02/2025/TT-BGDĐT codes stay only as the cross-walk. Levels are
"bậc", never "mức", which learners read as the VNeID account levels."""

import io
import json
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from certificates import rendering
from certificates.models import Certificate
from certificates.services import issuer_settings
from courses.models import CompetencyProfile
from tests import factories

pytestmark = pytest.mark.django_db

DECISION = "757/QĐ-BKHCN"
LEVEL_CALLED_MUC = re.compile(r"\b[Mm]ức \d")


@pytest.fixture
def certificate(completed):
    user, _course = completed()
    return Certificate.objects.get(holder=user)


def test_the_pdf_names_decision_757_and_calls_no_level_muc(certificate):
    pdf = rendering.render_pdf(certificate, issuer_settings()).content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert DECISION in " ".join(text.split())
    assert not LEVEL_CALLED_MUC.search(text)


def test_the_verify_page_names_decision_757(client, certificate):
    body = client.get(f"/v/{certificate.serial}/?code={certificate.check_code}").content.decode()
    assert DECISION in body and not LEVEL_CALLED_MUC.search(body)


def test_the_badge_aligns_to_decision_757_with_the_circular_codes_as_cross_walk(client, certificate):
    client.force_login(certificate.holder)
    badge = json.loads(client.get(reverse("certificates:badge", args=[certificate.serial])).content)
    achievement = badge["credentialSubject"]["achievement"]
    assert DECISION in achievement["criteria"]["narrative"]
    for alignment in achievement["alignment"]:
        assert DECISION in alignment["targetFramework"] and "02/2025/TT-BGDĐT" in alignment["targetFramework"]
        assert "bậc" in alignment["targetName"] and "mức" not in alignment["targetName"]


def test_a_profile_badge_page_names_decision_757(client):
    response = client.get("/achievements/profile/can-bo-so", HTTP_ACCEPT="application/ld+json")
    document = json.loads(response.content)
    assert DECISION in document["criteria"]["narrative"] and DECISION in document["description"]


def test_no_learner_facing_page_calls_a_competency_level_muc(client):
    learner = factories.UserFactory()
    course = factories.course(lessons=1, questions=0, competencies=(("2.6", 2), ("4.2", 1)))
    from learning import services

    services.lesson_mark_done(user=learner, lesson=course.lessons().get())
    client.force_login(learner)
    pages = [course.url, reverse("learning:my_learning"), reverse("members:my_data")]
    for url in pages:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "2.6" in body and not LEVEL_CALLED_MUC.search(body), url
    assert CompetencyProfile.objects.exists()
