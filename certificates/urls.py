from django.urls import path, re_path

from certificates import views

app_name = "certificates"

# Outside the language prefixes: these addresses are printed on paper and in QR codes.
urlpatterns = [
    path("v/quet/", views.scan, name="scan"),
    path("v/quet/sw.js", views.scan_service_worker, name="scan_service_worker"),
    # The QR code says /V/<SERIAL>/<PAYLOAD> in capitals (the QR alphanumeric mode has no lower case).
    re_path(r"^[vV]/(?P<serial>[A-Za-z0-9-]{4,20})/$", views.verify, name="verify"),
    re_path(
        r"^[vV]/(?P<serial>[A-Za-z0-9-]{4,20})/(?P<payload>[A-Za-z2-7]{16,600})/?$",
        views.verify,
        name="verify_payload",
    ),
    path("certificates/keys.json", views.jwks, name="keys"),
    path("certificates/issuer.json", views.issuer_profile, name="issuer"),
    path("certificates/<str:serial>/pdf/", views.pdf, name="pdf"),
    path("certificates/<str:serial>/badge.json", views.badge, name="badge"),
]
