"""Basic universalisation of residents, civil servants and workers rests on Decision 757/QĐ-BKHCN
(29 April 2025, Ministry of Science and Technology), not on Circular 02/2025/TT-BGDĐT, which is for
learners in the education system. The framework names both: its competency codes stay those of the
circular, as a cross-walk.

The profiles get every area of the province's suggested targets (resident: areas 0–6, with 1.2;
digital cadre: area 0 and 4.1, and in area 5 what the cadre course teaches), and a third profile,
the member or leader of a community digital-technology group, who needs at least what a resident
does. Each profile asks only for levels the published courses award (a test keeps it so).
"""

from django.db import migrations

FRAMEWORK_CODE = "TT02-2025"
SOURCE = (
    "Quyết định 757/QĐ-BKHCN ngày 29/4/2025 (khung kiến thức, kỹ năng số cơ bản để phổ cập); "
    "mã năng lực theo Thông tư 02/2025/TT-BGDĐT; nhóm 0 theo Công văn 3139/BTTTT"
)
OLD_SOURCE = "Thông tư 02/2025/TT-BGDĐT; nhóm 0 theo Công văn 3139/BTTTT"
# The framework's name follows the decision too (it was Circular 02's, the framework for learners).
NAME, NAME_EN = "Khung kiến thức, kỹ năng số cơ bản", "Framework of basic digital knowledge and skills"
OLD_NAME = "Khung năng lực số cho người học"
BASIS = "Căn cứ Quyết định 757/QĐ-BKHCN ngày 29/4/2025 của Bộ Khoa học và Công nghệ."

PROFILES = {
    "pho-cap-co-ban": (
        "Phổ cập kỹ năng số cơ bản",
        "Basic digital skills for everyone",
        "Kỹ năng tối thiểu cho mọi người dân: dùng điện thoại và ứng dụng, tìm và đánh giá thông tin, "
        "định danh điện tử, dịch vụ công trực tuyến, tạo nội dung đơn giản, tự bảo vệ an toàn, "
        "tự xử lý trục trặc thường gặp và hiểu trợ lý AI. " + BASIS,
        {
            "0.1": 1,
            "0.2": 1,
            "1.1": 1,
            "1.2": 1,
            "2.3": 1,
            "2.6": 1,
            "3.1": 1,
            "4.1": 2,
            "4.2": 2,
            "5.1": 1,
            "6.1": 1,
        },
    ),
    "to-cong-nghe-so": (
        "Thành viên Tổ công nghệ số cộng đồng",
        "Community digital-technology group member",
        "Thành viên, tổ trưởng Tổ công nghệ số cộng đồng: vững các kỹ năng của người dân, hướng dẫn "
        "bà con, điểm danh ngoại tuyến, giữ kín thông tin, giới thiệu sản phẩm địa phương trên mạng "
        "và dùng AI an toàn. " + BASIS,
        {
            "0.1": 1,
            "0.2": 3,
            "1.1": 2,
            "1.2": 2,
            "2.3": 2,
            "2.4": 3,
            "2.6": 2,
            "3.1": 2,
            "4.1": 2,
            "4.2": 3,
            "5.1": 1,
            "5.2": 3,
            "5.4": 3,
            "6.1": 2,
            "6.2": 2,
        },
    ),
    "can-bo-so": (
        "Cán bộ số",
        "Digital cadre",
        "Người vận hành, phân tích và sử dụng dữ liệu ở cơ sở: phần mềm và dữ liệu, hợp tác, văn "
        "bản điện tử, bảo vệ thiết bị và dữ liệu cá nhân, xử lý sự cố và dùng AI. "
        "Căn cứ Quyết định 757/QĐ-BKHCN ngày 29/4/2025 của Bộ Khoa học và Công nghệ "
        "(nhóm cán bộ, công chức, viên chức).",
        {
            "0.2": 3,
            "1.3": 3,
            "2.4": 3,
            "3.2": 3,
            "4.1": 3,
            "4.2": 4,
            "5.1": 3,
            "6.2": 3,
        },
    ),
}


def forwards(apps, schema_editor):
    Framework = apps.get_model("courses", "CompetencyFramework")
    Competency = apps.get_model("courses", "Competency")
    Profile = apps.get_model("courses", "CompetencyProfile")
    Requirement = apps.get_model("courses", "ProfileRequirement")

    framework = Framework.objects.filter(code=FRAMEWORK_CODE).first()
    if framework is None:
        return
    if framework.source_document == OLD_SOURCE:
        framework.source_document = SOURCE
        framework.save(update_fields=["source_document"])
    if framework.name == OLD_NAME:
        framework.name, framework.name_en = NAME, NAME_EN
        framework.save(update_fields=["name", "name_en"])
    competencies = {c.code: c for c in Competency.objects.filter(area__framework=framework)}
    for code, (name, name_en, description, levels) in PROFILES.items():
        profile, _ = Profile.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "description": description}
        )
        Requirement.objects.filter(profile=profile).exclude(competency__code__in=levels).delete()
        for order, (competency_code, level) in enumerate(levels.items()):
            Requirement.objects.update_or_create(
                profile=profile,
                competency=competencies[competency_code],
                defaults={"level": level, "sort_order": order},
            )


class Migration(migrations.Migration):
    dependencies = [("courses", "0010_course_sources")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
