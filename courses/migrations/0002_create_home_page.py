"""Replace Wagtail's placeholder welcome page with HọcSố's home page and point the site at it."""

from django.db import migrations

TITLE = "Học kỹ năng số cho mọi người"
INTRO = (
    "<p>Những bài học ngắn, vài phút mỗi bài, dành cho điện thoại của bạn: VNeID, dịch vụ công "
    "trực tuyến, thanh toán an toàn bằng mã QR, nhận diện lừa đảo, bán nông sản trên mạng.</p>"
)


def create_home_page(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    HomePage = apps.get_model("courses", "HomePage")

    Page.objects.filter(depth=2, slug="home", content_type__model="page").delete()
    content_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="courses")
    locale, _ = Locale.objects.get_or_create(language_code="vi")
    home = HomePage.objects.create(
        title=TITLE,
        draft_title=TITLE,
        slug="home",
        content_type=content_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        intro=INTRO,
    )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "HọcSố"},
    )


def remove_home_page(apps, schema_editor):
    apps.get_model("courses", "HomePage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_home_page, remove_home_page)]
