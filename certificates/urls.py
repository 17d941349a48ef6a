from django.urls import path, re_path

from certificates import views

app_name = "certificates"

# Outside the language prefixes: these addresses are printed on paper and in QR codes.
urlpatterns = [
    path("v/", views.verify, name="lookup"),
    path("v/quet/", views.scan, name="scan"),
    path("v/quet/sw.js", views.scan_service_worker, name="scan_service_worker"),
    # A serial typed by hand: asks for the check code. Any text is accepted here and judged by
    # the view, so that a mistyped serial gets the same form as an unknown one.
    re_path(r"^[vV]/(?P<serial>[^/]{1,40})/$", views.verify, name="verify"),
    # The QR code says /V/<SERIAL>/<PAYLOAD> in capitals (the QR alphanumeric mode has no lower case).
    # A truncated or damaged payload still reaches the view and is answered "not genuine", never 404.
    re_path(
        r"^[vV]/(?P<serial>[^/]{1,40})/(?P<payload>[^/]{1,1000})/?$", views.verify, name="verify_payload"
    ),
    path("certificates/keys.json", views.jwks, name="keys"),
    path("certificates/issuer.json", views.issuer_profile, name="issuer"),
    path("certificates/status/revocation", views.status_list, name="status_list"),
    re_path(
        r"^achievements/(?P<kind>course|profile|competency)/(?P<code>[^/]{1,40})$",
        views.achievement,
        name="achievement",
    ),
    path("certificates/<str:serial>/pdf/", views.pdf, name="pdf"),
    path("certificates/<str:serial>/badge.json", views.badge, name="badge"),
]
