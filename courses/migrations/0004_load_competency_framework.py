"""Load the national digital competency framework (Circular 02/2025/TT-BGDĐT, plus area 0 from
Official Dispatch 3139/BTTTT) from data/competency-framework.tsv, and two target profiles.

The profiles follow the province's suggested targets; they are marked uncertain in the source
and are meant to be edited by trainers in the admin (Snippets → Competency profiles).
"""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "competency-framework.tsv"
FRAMEWORK_CODE = "TT02-2025"

PROFILES = [
    (
        "pho-cap-co-ban",
        "Phổ cập kỹ năng số cơ bản",
        "Basic digital skills for everyone",
        "Mức tối thiểu cho mọi người dân: dùng điện thoại, tìm thông tin, định danh điện tử, "
        "dịch vụ công trực tuyến, thanh toán và tự bảo vệ an toàn.",
        {"0.1": 1, "0.2": 1, "1.1": 1, "2.3": 1, "2.6": 1, "4.1": 2, "4.2": 2},
    ),
    (
        "can-bo-so",
        "Cán bộ số",
        "Digital cadre",
        "Người vận hành, phân tích và sử dụng dữ liệu ở cơ sở: quản lý dữ liệu, hợp tác, văn bản "
        "điện tử, bảo vệ dữ liệu cá nhân, xác định giải pháp và dùng AI.",
        {"1.3": 3, "2.4": 3, "3.2": 3, "4.2": 4, "5.2": 3, "6.2": 3},
    ),
]


def load(apps, schema_editor):
    Framework = apps.get_model("courses", "CompetencyFramework")
    Area = apps.get_model("courses", "CompetencyArea")
    Competency = apps.get_model("courses", "Competency")
    Profile = apps.get_model("courses", "CompetencyProfile")
    Requirement = apps.get_model("courses", "ProfileRequirement")

    framework, _ = Framework.objects.get_or_create(
        code=FRAMEWORK_CODE,
        defaults={
            "name": "Khung năng lực số cho người học",
            "name_en": "Digital competency framework for learners",
            "version": "2025",
            "source_document": "Thông tư 02/2025/TT-BGDĐT; nhóm 0 theo Công văn 3139/BTTTT",
        },
    )
    competencies = {}
    with DATA.open(encoding="utf-8") as handle:
        for order, row in enumerate(csv.DictReader(handle, delimiter="\t")):
            area, _ = Area.objects.get_or_create(
                framework=framework,
                number=int(row["area"]),
                defaults={"name": row["area_name_vi"], "name_en": row["area_name_en"]},
            )
            competencies[row["code"]], _ = Competency.objects.get_or_create(
                area=area,
                code=row["code"],
                defaults={"name": row["name_vi"], "name_en": row["name_en"], "sort_order": order},
            )
    for code, name, name_en, description, levels in PROFILES:
        profile, _ = Profile.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "description": description}
        )
        for order, (competency_code, level) in enumerate(levels.items()):
            Requirement.objects.get_or_create(
                profile=profile,
                competency=competencies[competency_code],
                defaults={"level": level, "sort_order": order},
            )


class Migration(migrations.Migration):
    dependencies = [("courses", "0003_competencies_courses_lessons")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
